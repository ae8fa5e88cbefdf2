//! A session's edits → the lines it finally added, per repository file: a multiset of normalised lines
//! and, for evidence per hunk, the same lines grouped by the edit hunk that wrote them, in order.
//!
//! Normalisation: leading and trailing whitespace is ignored (Claude Code's patches show tabs as spaces;
//! a formatter may re-indent). Trivial lines (3 characters or fewer once trimmed: blank lines, lone
//! braces, `});`, `end`) are not counted: they match anywhere and prove nothing.
//! Edits are replayed in order: a line the session added and later removed itself (its own churn) is
//! taken out, so overwritten edits count only in their final form.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::model::{EditOp, Session};

/// Normalised line → how many times.
pub type LineBag = HashMap<String, u32>;

/// The key a line is matched on, or `None` for a trivial line.
pub fn normalize(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.chars().count() <= 3 {
        None
    } else {
        Some(t)
    }
}

/// Adds the non-trivial lines of `text` (a file's content) to a bag.
pub fn bag_of_text(text: &str) -> LineBag {
    let mut bag = LineBag::new();
    for line in text.lines() {
        if let Some(k) = normalize(line) {
            *bag.entry(k.to_owned()).or_default() += 1;
        }
    }
    bag
}

/// What one session finally added to one file.
#[derive(Debug, Clone, Default)]
pub struct FileLines {
    /// The added lines still in their final form, as a multiset.
    pub bag: LineBag,
    /// The same lines grouped by the edit hunk that wrote them, in file order within each hunk.
    pub segments: Vec<Vec<String>>,
    /// When the session edited the file (seconds), in order.
    pub edit_times: Vec<i64>,
}

impl FileLines {
    /// The last time the session edited the file at or before `t` (seconds).
    pub fn last_edit_before(&self, t: i64) -> Option<i64> {
        self.edit_times.iter().copied().filter(|&e| e <= t).max()
    }
}

/// What one session finally added to the repository, file by file.
#[derive(Debug, Clone, Default)]
pub struct SessionLines {
    /// Repository-relative path (with `/`) → the added lines still in their final form.
    pub files: BTreeMap<String, FileLines>,
    /// Files the session changed through the shell without their content in the command (`sed -i`).
    pub touched: BTreeSet<String>,
    /// Lines the session added and then removed or rewrote itself.
    pub self_removed: u64,
    /// Edits whose file lies outside the repository (ignored).
    pub outside_repo: u64,
    /// Files the session wrote whole (a Write, or Aider's whole-file format) at least once: their final
    /// lines may include lines the file already had (see `git::whole_writes_minus_prior`).
    pub written_whole: BTreeSet<String>,
}

impl SessionLines {
    /// Non-trivial lines added, over all files.
    pub fn total(&self) -> u64 {
        self.files
            .values()
            .flat_map(|f| f.bag.values())
            .map(|&n| u64::from(n))
            .sum()
    }
}

/// The replay of one file: each live added line's (segment, position), most recent last, per key.
#[derive(Default)]
struct Replay {
    live: HashMap<String, Vec<(u32, u32)>>,
    segments: u32,
    times: Vec<i64>,
}

impl Replay {
    fn remove(&mut self, key: &str) -> bool {
        let Some(stack) = self.live.get_mut(key) else {
            return false;
        };
        stack.pop();
        if stack.is_empty() {
            self.live.remove(key);
        }
        true
    }

    fn live_count(&self) -> u64 {
        self.live.values().map(|v| v.len() as u64).sum()
    }

    fn finish(self) -> FileLines {
        let mut by_seg: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
        let mut bag = LineBag::new();
        for (key, stack) in self.live {
            *bag.entry(key.clone()).or_default() += stack.len() as u32;
            for (seg, pos) in stack {
                by_seg.entry(seg).or_default().push((pos, key.clone()));
            }
        }
        let segments = by_seg
            .into_values()
            .map(|mut v| {
                v.sort_unstable();
                v.into_iter().map(|(_, k)| k).collect()
            })
            .collect();
        FileLines {
            bag,
            segments,
            edit_times: self.times,
        }
    }
}

/// Replays a session's applied edits (edit tools' and the shell's writes). `root` is the work tree the
/// session ran in; `cwd` resolves relative paths (Codex patches are relative to the working directory).
pub fn session_lines(session: &Session, root: &Path) -> SessionLines {
    let cwd = session.cwd.clone().unwrap_or_else(|| root.to_path_buf());
    let mut out = SessionLines::default();
    let mut files: BTreeMap<String, Replay> = BTreeMap::new();
    for step in &session.steps {
        let at = step.at.as_second();
        for call in &step.tool_calls {
            if call.is_error {
                continue;
            }
            for t in &call.shell_touched {
                if let Some(path) = repo_relative(t, &cwd, root)
                    && !is_agent_log(&path)
                {
                    out.touched.insert(path);
                }
            }
            for edit in call.edits() {
                let Some(path) = repo_relative(&edit.path, &cwd, root) else {
                    out.outside_repo += 1;
                    continue;
                };
                if is_agent_log(&path) {
                    continue;
                }
                if edit.op == EditOp::Create {
                    out.written_whole.insert(path.clone());
                }
                replay_edit(
                    &mut files,
                    &mut out.self_removed,
                    path,
                    edit,
                    at,
                    &cwd,
                    root,
                );
            }
        }
    }
    out.files = files
        .into_iter()
        .map(|(p, r)| (p, r.finish()))
        .filter(|(_, f)| !f.bag.is_empty())
        .collect();
    out
}

fn replay_edit(
    files: &mut BTreeMap<String, Replay>,
    self_removed: &mut u64,
    path: String,
    edit: &crate::model::Edit,
    at: i64,
    cwd: &Path,
    root: &Path,
) {
    match &edit.op {
        EditOp::Delete => {
            if let Some(r) = files.remove(&path) {
                *self_removed += r.live_count();
            }
            return;
        }
        EditOp::Create => {
            // A whole-file write replaces whatever the session wrote there before: what it wrote and
            // does not write again is its own churn.
            if let Some(r) = files.get_mut(&path) {
                let mut kept = LineBag::new();
                for l in edit.hunks.iter().flat_map(|h| h.new.iter()) {
                    if let Some(k) = normalize(l) {
                        *kept.entry(k.to_owned()).or_default() += 1;
                    }
                }
                let before = r.live_count();
                let survived: u64 = r
                    .live
                    .iter()
                    .map(|(k, v)| {
                        (v.len() as u64).min(u64::from(kept.get(k).copied().unwrap_or(0)))
                    })
                    .sum();
                *self_removed += before - survived;
                r.live.clear();
            }
        }
        EditOp::Update | EditOp::Move { .. } => {}
    }
    let r = files.entry(path.clone()).or_default();
    r.times.push(at);
    for hunk in &edit.hunks {
        let (removed, added) = changed_lines(&hunk.old, &hunk.new);
        for line in removed {
            if let Some(k) = normalize(line)
                && r.remove(k)
            {
                *self_removed += 1;
            }
        }
        let seg = r.segments;
        r.segments += 1;
        for (pos, line) in added.into_iter().enumerate() {
            if let Some(k) = normalize(line) {
                r.live
                    .entry(k.to_owned())
                    .or_default()
                    .push((seg, pos as u32));
            }
        }
    }
    if let EditOp::Move { to } = &edit.op
        && let Some(to) = repo_relative(to, cwd, root)
        && let Some(moved) = files.remove(&path)
    {
        let dest = files.entry(to).or_default();
        let base = dest.segments;
        for (k, v) in moved.live {
            dest.live
                .entry(k)
                .or_default()
                .extend(v.into_iter().map(|(s, p)| (s + base, p)));
        }
        dest.segments += moved.segments;
        dest.times.extend(moved.times);
    }
}

/// The lines a hunk really removed and added: a Claude `Edit` rebuilt from its input carries the
/// unchanged lines of `old_string` in `new_string` too; a line diff separates them.
fn changed_lines<'a>(old: &'a [String], new: &'a [String]) -> (Vec<&'a str>, Vec<&'a str>) {
    if old.is_empty() {
        return (Vec::new(), new.iter().map(String::as_str).collect());
    }
    if new.is_empty() {
        return (old.iter().map(String::as_str).collect(), Vec::new());
    }
    let old_refs: Vec<&str> = old.iter().map(String::as_str).collect();
    let new_refs: Vec<&str> = new.iter().map(String::as_str).collect();
    let diff = crate::formats::rebuild::diff_ops(&old_refs, &new_refs);
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    for op in diff {
        for change in op.iter_changes(&old_refs, &new_refs) {
            match change.tag() {
                similar::ChangeTag::Delete => removed.push(change.value()),
                similar::ChangeTag::Insert => added.push(change.value()),
                similar::ChangeTag::Equal => {}
            }
        }
    }
    (removed, added)
}

/// `path` (absolute, or relative to `cwd`) relative to the work tree `root`, with `/` separators;
/// `None` outside the work tree.
pub fn repo_relative(path: &str, cwd: &Path, root: &Path) -> Option<String> {
    let p = Path::new(path);
    let abs: PathBuf = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    let abs = lexical_normalize(&abs);
    let rel: PathBuf = match abs.strip_prefix(root) {
        Ok(r) => r.to_path_buf(),
        Err(_) => {
            // The log may name the tree through a symlink (macOS /private/var, a symlinked home).
            let canon_root = std::fs::canonicalize(root).ok()?;
            let canon_parent = abs.parent().and_then(|d| std::fs::canonicalize(d).ok())?;
            canon_parent
                .join(abs.file_name()?)
                .strip_prefix(&canon_root)
                .ok()?
                .to_path_buf()
        }
    };
    let s: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!s.is_empty()).then(|| s.join("/"))
}

/// A path under an `.aider*` name (`.aider.chat.history.md`, `.aider.input.history`, `.aider.tags.cache.v4/`):
/// Aider's own files, which repositories often commit. The chat history holds every line the agent wrote,
/// so matching it would credit every line to its commit; such paths are never matched, for any session.
pub fn is_agent_log(path: &str) -> bool {
    path.split('/').any(|c| c.starts_with(".aider"))
}

/// Removes `.` and `..` without touching the file system.
fn lexical_normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agent, Edit, Hunk, Step, ToolCall, ToolKind};

    fn edit_call(path: &str, op: EditOp, old: &[&str], new: &[&str]) -> ToolCall {
        let mut c = ToolCall::new("", ToolKind::Edit, "Edit");
        c.paths = vec![path.into()];
        c.edit = Some(Edit {
            path: path.into(),
            op,
            hunks: vec![Hunk {
                old_start: None,
                old: old.iter().map(|s| s.to_string()).collect(),
                new: new.iter().map(|s| s.to_string()).collect(),
            }],
        });
        c
    }

    fn session(calls: Vec<ToolCall>) -> Session {
        let mut s = Session::new(Agent::ClaudeCode, "s");
        s.cwd = Some("/repo/sub".into());
        s.steps.push(Step {
            at: jiff::Timestamp::UNIX_EPOCH,
            model: None,
            model_inferred: false,
            usage: None,
            service_tier: Default::default(),
            tool_calls: calls,
            sidechain: false,
            dedup_key: None,
        });
        s
    }

    #[test]
    fn final_form_only_and_trivial_lines_ignored() {
        let s = session(vec![
            edit_call(
                "/repo/src/a.rs",
                EditOp::Create,
                &[],
                &["fn a() {", "    first();", "}", ""],
            ),
            // Rewrites its own line: the first version no longer counts.
            edit_call(
                "/repo/src/a.rs",
                EditOp::Update,
                &["fn a() {", "    first();"],
                &["fn a() {", "    second();  "],
            ),
            edit_call("../b.rs", EditOp::Create, &[], &["let b = 1;"]),
            edit_call("/elsewhere/c.rs", EditOp::Create, &[], &["outside();"]),
        ]);
        let lines = session_lines(&s, Path::new("/repo"));
        let a = &lines.files["src/a.rs"].bag;
        assert_eq!(a.get("second();"), Some(&1));
        assert_eq!(a.get("first();"), None);
        assert_eq!(a.get("fn a() {"), Some(&1));
        assert_eq!(lines.files["b.rs"].bag.get("let b = 1;"), Some(&1));
        assert_eq!(
            lines.files["src/a.rs"].segments,
            vec![vec!["fn a() {".to_owned()], vec!["second();".to_owned()]]
        );
        assert_eq!(lines.total(), 3);
        assert_eq!(lines.self_removed, 1);
        assert_eq!(lines.outside_repo, 1);
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("  });"), None);
        assert_eq!(normalize("    x += 1;   "), Some("x += 1;"));
        assert_eq!(normalize("\t\tx += 1;"), normalize("    x += 1;"));
        assert_eq!(normalize(""), None);
    }
}
