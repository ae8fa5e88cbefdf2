//! A session's edits → the lines it finally added, per repository file, as multisets of normalised lines.
//!
//! Normalisation: trailing whitespace is ignored. Trivial lines (blank, or 3 characters or fewer once
//! trimmed: lone braces, `});`, `end`) are not counted: they match anywhere and prove nothing.
//! An edit is replayed in order: a line the session added and later removed itself (its own churn) is
//! taken out of the multiset, so overwritten edits count only in their final form.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::model::{EditOp, Session};

/// Normalised line → how many times.
pub type LineBag = HashMap<String, u32>;

/// The key a line is matched on, or `None` for a trivial line.
pub fn normalize(line: &str) -> Option<&str> {
    let t = line.trim_end();
    if t.trim_start().chars().count() <= 3 {
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

/// What one session finally added to the repository, file by file.
#[derive(Debug, Clone, Default)]
pub struct SessionLines {
    /// Repository-relative path (with `/`) → the added lines still in their final form.
    pub files: BTreeMap<String, LineBag>,
    /// Lines the session added and then removed or rewrote itself.
    pub self_removed: u64,
    /// Edits whose file lies outside the repository (ignored).
    pub outside_repo: u64,
}

impl SessionLines {
    /// Non-trivial lines added, over all files.
    pub fn total(&self) -> u64 {
        self.files
            .values()
            .flat_map(|b| b.values())
            .map(|&n| u64::from(n))
            .sum()
    }
}

/// Replays a session's applied edits. `root` is the work tree the session ran in; `cwd` resolves relative
/// paths (Codex patches are relative to the working directory).
pub fn session_lines(session: &Session, root: &Path) -> SessionLines {
    let cwd = session.cwd.clone().unwrap_or_else(|| root.to_path_buf());
    let mut out = SessionLines::default();
    for call in session.tool_calls() {
        let Some(edit) = &call.edit else { continue };
        if call.is_error {
            continue;
        }
        let Some(path) = repo_relative(&edit.path, &cwd, root) else {
            out.outside_repo += 1;
            continue;
        };
        match &edit.op {
            EditOp::Delete => {
                if let Some(bag) = out.files.remove(&path) {
                    out.self_removed += bag.values().map(|&n| u64::from(n)).sum::<u64>();
                }
                continue;
            }
            EditOp::Create => {
                // A whole-file write replaces whatever the session wrote there before.
                if let Some(bag) = out.files.remove(&path) {
                    let rewritten: u64 = bag.values().map(|&n| u64::from(n)).sum();
                    let new = edit.hunks.iter().flat_map(|h| h.new.iter());
                    let mut kept = LineBag::new();
                    for l in new.filter_map(|l| normalize(l)) {
                        *kept.entry(l.to_owned()).or_default() += 1;
                    }
                    let survived: u64 = bag
                        .iter()
                        .map(|(k, &n)| u64::from(n.min(kept.get(k).copied().unwrap_or(0))))
                        .sum();
                    out.self_removed += rewritten - survived;
                }
            }
            EditOp::Update => {}
            EditOp::Move { .. } => {}
        }
        let bag = out.files.entry(path.clone()).or_default();
        for hunk in &edit.hunks {
            let (removed, added) = changed_lines(&hunk.old, &hunk.new);
            for line in removed {
                if let Some(k) = normalize(line)
                    && let Some(n) = bag.get_mut(k)
                {
                    *n -= 1;
                    out.self_removed += 1;
                    if *n == 0 {
                        bag.remove(k);
                    }
                }
            }
            for line in added {
                if let Some(k) = normalize(line) {
                    *bag.entry(k.to_owned()).or_default() += 1;
                }
            }
        }
        if let EditOp::Move { to } = &edit.op
            && let Some(to) = repo_relative(to, &cwd, root)
            && let Some(bag) = out.files.remove(&path)
        {
            let dest = out.files.entry(to).or_default();
            for (k, n) in bag {
                *dest.entry(k).or_default() += n;
            }
        }
    }
    out.files.retain(|_, bag| !bag.is_empty());
    out
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
    let diff = similar::capture_diff_slices(similar::Algorithm::Myers, &old_refs, &new_refs);
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
        ToolCall {
            id: String::new(),
            kind: ToolKind::Edit,
            name: "Edit".into(),
            paths: vec![path.into()],
            command: None,
            input_bytes: 0,
            output_bytes: 0,
            is_error: false,
            edit: Some(Edit {
                path: path.into(),
                op,
                hunks: vec![Hunk {
                    old_start: None,
                    old: old.iter().map(|s| s.to_string()).collect(),
                    new: new.iter().map(|s| s.to_string()).collect(),
                }],
            }),
        }
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
        let a = &lines.files["src/a.rs"];
        assert_eq!(a.get("    second();"), Some(&1));
        assert_eq!(a.get("    first();"), None);
        assert_eq!(a.get("fn a() {"), Some(&1));
        assert_eq!(lines.files["b.rs"].get("let b = 1;"), Some(&1));
        assert_eq!(lines.total(), 3);
        assert_eq!(lines.self_removed, 1);
        assert_eq!(lines.outside_repo, 1);
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("  });"), None);
        assert_eq!(normalize("    x += 1;   "), Some("    x += 1;"));
        assert_eq!(normalize(""), None);
    }
}
