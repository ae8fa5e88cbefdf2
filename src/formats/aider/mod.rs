//! Aider's chat history: `.aider.chat.history.md` in the repository root, a Markdown transcript Aider
//! appends to. Its whole trace sits in the repository, so repository commands read it from each work tree.
//!
//! - A session starts at `# aider chat started at YYYY-MM-DD HH:MM:SS` (the machine's local time, read in
//!   the time zone agent-audit runs in: `--tz`, else `TZ`, overrides it); the model comes from `> Main model: <id> with
//!   <format> edit format` (`> Model:` / `> Models:` in older versions).
//! - A step is each `> Tokens: 3.2k sent, 222 received.` line, with `, N cache write` / `, N cache hit`
//!   when present, and Aider's own `Cost: $x message, $y session.`. Counts above a thousand are printed
//!   rounded (`3.2k`): the session says its totals are approximate, unless an analytics log beside the
//!   history gives the exact counts (see [`exact`]). A `$… session` figure that falls back means Aider
//!   was restarted without a new header: the runs are summed.
//! - Edits are the blocks of a reply (SEARCH/REPLACE, whole files, unified diffs: see [`blocks`]) that a
//!   later `> Applied edit to <file>` confirms; blocks without it (ask mode, explanations) are not edits,
//!   nor are the blocks of a reply after which Aider asked `Add file to the chat?` and was answered yes
//!   (it re-asks the model instead), nor those of a reply that `The LLM did not conform to the edit
//!   format`. The lines added are the REPLACE lines not in SEARCH (the line diff of the two).
//! - `> Commit <sha> <message>` is a commit Aider made, an anchor for the edits applied since the last one;
//!   the commit printed after `> Committing <file> before applying edits.` (one or more such lines) holds
//!   the user's own uncommitted work and is disowned; `> Removed: <sha> …` after `/undo` takes that
//!   commit's edits back out of the session and disowns it.
//! - Every step carries the session's start time unless the analytics log gives its own.

pub mod blocks;
pub mod exact;

use std::path::Path;

use super::{Depth, FileLog, LineReader, skip};
use crate::error::Result;
use crate::model::{
    Agent, DisownReason, DisownedCommit, Edit, EditOp, Hunk, Session, Step, ToolCall, ToolKind,
    Usage,
};

/// The zone session headers are read in, when the command line named one (`--tz`); else the system's
/// (`TZ`, else the machine's). A process-wide setting because the header is the only local time any format
/// reads, and the zone is the user's choice for the whole run.
static HEADER_ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();

/// Reads every Aider header of this run in `tz` (the zone the command line resolved: `--tz`, else `TZ`,
/// else the system's). The first call wins.
pub fn read_headers_in(tz: &jiff::tz::TimeZone) {
    let _ = HEADER_ZONE.set(tz.clone());
}

/// The file name Aider writes its history to.
pub const HISTORY: &str = ".aider.chat.history.md";

/// Aider's chat history.
pub struct Aider;

impl super::Format for Aider {
    fn agent(&self) -> Agent {
        Agent::Aider
    }

    fn names(&self) -> &'static [&'static str] {
        &["aider"]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        line.starts_with(b"# aider chat started at")
    }

    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
        parse(path, reader, depth)
    }

    /// None under the home folder: the history lives in the repository (see [`super::Format::log_files`]).
    fn log_roots(&self, _loc: &crate::discover::Locations) -> Vec<std::path::PathBuf> {
        Vec::new()
    }

    fn log_files(&self, loc: &crate::discover::Locations) -> Vec<std::path::PathBuf> {
        loc.project_roots.iter().map(|r| r.join(HISTORY)).collect()
    }

    fn is_log_name(&self, name: &str) -> bool {
        name == HISTORY
    }

    /// Session ids are `aider-<start time>`: any history may hold the one asked for.
    fn named_after(&self, _path: &Path, _root: &Path, _prefix: &str) -> bool {
        true
    }
}

/// A count as Aider prints it: `222`, `5,244`, `3.2k`, `1.1M`. Returns the count and whether it was
/// rounded.
fn count(s: &str) -> Option<(u64, bool)> {
    let s = s.trim().replace(',', "");
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1_000.0),
        'm' | 'M' => (&s[..s.len() - 1], 1_000_000.0),
        _ => (s.as_str(), 1.0),
    };
    let v: f64 = num.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some(((v * mult).round() as u64, mult > 1.0))
}

/// `Tokens: 3.2k sent, 1.2k cache write, 3k cache hit, 222 received. Cost: $0.01 message, $0.05
/// session.` → usage, rounded?, Aider's session cost.
fn tokens_line(rest: &str) -> Option<(Usage, bool, Option<f64>)> {
    let (tokens, cost) = match rest.split_once(". Cost:") {
        Some((t, c)) => (t, Some(c)),
        None => (rest.trim_end_matches('.'), None),
    };
    let mut u = Usage::default();
    let mut rounded = false;
    let mut any = false;
    for part in tokens.split(',') {
        // `5,244 sent` was split on its thousands comma too: rejoin digits-only pieces.
        let part = part.trim();
        let Some((n, what)) = part.split_once(' ') else {
            continue;
        };
        let Some((v, r)) = count(n) else { continue };
        rounded |= r;
        any = true;
        match what.trim() {
            "sent" => u.input = v,
            "received" => u.output = v,
            "cache write" => u.cache_write_5m = v,
            "cache hit" => u.cache_read = v,
            _ => {}
        }
    }
    if !any {
        return None;
    }
    let session_cost = cost.and_then(|c| {
        let s = c.split(',').nth(1)?.trim();
        s.strip_prefix('$')?
            .split_whitespace()
            .next()?
            .parse::<f64>()
            .ok()
    });
    Some((u, rounded, session_cost))
}

/// Rejoins `5,244 sent, 604 received` split on every comma: a piece of exactly three digits continues
/// the number before it.
fn normalize_thousands(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let pieces: Vec<&str> = s.split(',').collect();
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            let digits = p.len() >= 3 && p[..3].bytes().all(|b| b.is_ascii_digit());
            let prev_digit = out.chars().last().is_some_and(|c| c.is_ascii_digit());
            if !(digits && prev_digit && !p.starts_with(' ')) {
                out.push(',');
            }
        }
        out.push_str(p);
    }
    out
}

/// An applied edit, kept until the commit that holds it is known (for `/undo`).
struct AppliedEdit {
    edit: Edit,
}

struct Builder {
    sessions: Vec<Session>,
    model: Option<String>,
    /// The main model's edit format, and the editor model's (architect mode).
    edit_format: String,
    editor_format: String,
    reader: blocks::Reader,
    /// Blocks of the reply whose `Tokens:` line was the last one: what `Applied edit to` confirms.
    sealed: Vec<blocks::Block>,
    /// Edits applied since the last commit Aider made.
    since_commit: Vec<AppliedEdit>,
    /// Commit → the edits it held.
    by_commit: Vec<(String, Vec<AppliedEdit>)>,
    /// Whole-file content last written per file, by lower-cased path (a later whole write is diffed
    /// against it).
    whole: std::collections::HashMap<String, Vec<String>>,
    /// `Committing … before applying edits` was printed: the next commit is the user's work.
    dirty_next: bool,
    rounded: bool,
    /// Aider's session figure: the runs before a restart, and the current run's last figure.
    cost_runs: f64,
    cost_last: Option<f64>,
    restarts: u32,
    depth: Depth,
    path: std::path::PathBuf,
}

/// `a.py` and `A.PY`, `src\a.py` and `src/a.py` name one file.
fn same_file(a: &str, b: &str) -> bool {
    a.replace('\\', "/")
        .eq_ignore_ascii_case(&b.replace('\\', "/"))
}

/// The lines `new` holds beyond `old` (a multiset difference, in `new`'s order): what a block added.
fn added_lines(old: &[String], new: &[String]) -> Vec<String> {
    let mut left: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for l in old {
        *left.entry(l.trim()).or_default() += 1;
    }
    new.iter()
        .filter(|l| match left.get_mut(l.trim()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

impl Builder {
    fn current(&mut self) -> Option<&mut Session> {
        self.sessions.last_mut()
    }

    fn start(&mut self, when: &str) {
        let at = when
            .trim()
            .parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| {
                let zone = HEADER_ZONE
                    .get()
                    .cloned()
                    .unwrap_or_else(jiff::tz::TimeZone::system);
                dt.to_zoned(zone).ok()
            })
            .map(|z| z.timestamp());
        let id = format!("aider-{}", when.trim().replace([' ', ':'], "-"));
        let mut s = Session::new(Agent::Aider, id);
        s.files.push(self.path.clone());
        s.cwd = self.path.parent().map(Path::to_path_buf);
        if let Some(at) = at {
            s.saw(at);
        }
        self.finish_session();
        self.sessions.push(s);
        self.model = None;
        self.edit_format.clear();
        self.editor_format.clear();
        self.reader.reset();
        self.sealed.clear();
        self.since_commit.clear();
        self.by_commit.clear();
        self.whole.clear();
        self.dirty_next = false;
        self.rounded = false;
        self.cost_runs = 0.0;
        self.cost_last = None;
        self.restarts = 0;
    }

    fn finish_session(&mut self) {
        let rounded = self.rounded;
        let restarts = self.restarts;
        let Some(s) = self.sessions.last_mut() else {
            return;
        };
        if rounded {
            s.notes.push(
                "Aider prints token counts above a thousand rounded (`3.2k`): this session's token \
                 totals and cost are approximate"
                    .into(),
            );
        }
        if restarts > 0 {
            s.notes.push(format!(
                "Aider's `$… session` figure started again from zero {restarts} time(s) under one \
                 header (Aider was restarted): its cost is the sum of the runs"
            ));
        }
    }

    /// `> Main model: X with diff edit format`, `> Models: X with whole edit format, weak model Y`,
    /// `> Editor model: Y with editor-diff edit format`.
    fn model_line(&mut self, rest: &str) {
        let format_of = |m: &str| {
            m.split_once(" with ")
                .and_then(|(_, f)| f.split(" edit format").next())
                .map(|f| f.trim().to_owned())
                .unwrap_or_default()
        };
        if let Some(m) = rest.strip_prefix("Editor model: ") {
            self.editor_format = format_of(m);
            return;
        }
        let Some(m) = rest
            .strip_prefix("Main model: ")
            .or_else(|| rest.strip_prefix("Models: "))
            .or_else(|| rest.strip_prefix("Model: "))
        else {
            return;
        };
        self.model = m.split(" with ").next().map(|m| m.trim().to_owned());
        self.edit_format = format_of(m);
    }

    /// Whether whole-file fences are edits in the format in use (unknown: yes).
    fn whole_format(&self) -> bool {
        let f = if self.edit_format == "architect" {
            &self.editor_format
        } else {
            &self.edit_format
        };
        f.is_empty() || f.contains("whole")
    }

    fn tokens(&mut self, rest: &str) {
        let Some((usage, rounded, session_cost)) = tokens_line(&normalize_thousands(rest)) else {
            return;
        };
        self.sealed = self.reader.take();
        self.rounded |= rounded;
        if let Some(c) = session_cost {
            if self.cost_last.is_some_and(|last| c + 1e-9 < last) {
                self.cost_runs += self.cost_last.unwrap_or(0.0);
                self.restarts += 1;
            }
            self.cost_last = Some(c);
        }
        let total = self.cost_last.map(|c| c + self.cost_runs);
        let model = self.model.clone();
        let Some(s) = self.current() else { return };
        let Some(at) = s.started_at else { return };
        s.steps.push(Step {
            at,
            model,
            model_inferred: false,
            usage: Some(usage),
            service_tier: Default::default(),
            tool_calls: Vec::new(),
            sidechain: false,
            dedup_key: None,
        });
        if let Some(c) = total {
            s.agent_reported = Some(crate::model::AgentReported {
                source: "aider",
                at: s.started_at,
                total_cost_usd: Some(c),
                models: Default::default(),
                has_unknown_model_cost: false,
            });
        }
    }

    /// `> Commit c339495 aider: message`: a commit Aider made itself, an anchor for its lines — unless
    /// it is the dirty pre-commit of the user's work.
    fn commit(&mut self, rest: &str) {
        let Some((sha, summary)) = rest.split_once(' ') else {
            return;
        };
        if !(7..=40).contains(&sha.len()) || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return;
        }
        let sha = sha.to_ascii_lowercase();
        if std::mem::take(&mut self.dirty_next) {
            if let Some(s) = self.current() {
                s.disowned_commits.push(DisownedCommit {
                    sha,
                    summary: summary.trim().to_owned(),
                    reason: DisownReason::UserWork,
                });
            }
            return;
        }
        let held = std::mem::take(&mut self.since_commit);
        self.by_commit.push((sha.clone(), held));
        let Some(step) = self.current().and_then(|s| s.steps.last_mut()) else {
            return;
        };
        let mut call = ToolCall::new("", ToolKind::Shell, "commit");
        call.commits.push(crate::model::CommitAnchor {
            sha,
            branch: String::new(),
            summary: summary.trim().to_owned(),
        });
        step.tool_calls.push(call);
    }

    /// `> Removed: abc1234 message` after `/undo`: the commit is gone, and with it the edits it held
    /// (taken back out of the session as edits that remove the lines they added).
    fn removed(&mut self, rest: &str) {
        let (sha, summary) = rest.split_once(' ').unwrap_or((rest, ""));
        if !(7..=40).contains(&sha.len()) || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return;
        }
        let sha = sha.to_ascii_lowercase();
        let held = self
            .by_commit
            .iter()
            .position(|(c, _)| *c == sha)
            .map(|i| self.by_commit.remove(i).1)
            .unwrap_or_default();
        for e in &held {
            self.whole.remove(&e.edit.path.to_lowercase());
        }
        let Some(s) = self.current() else { return };
        for step in &mut s.steps {
            for call in &mut step.tool_calls {
                call.commits.retain(|a| a.sha != sha);
            }
        }
        s.disowned_commits.push(DisownedCommit {
            sha,
            summary: summary.trim().to_owned(),
            reason: DisownReason::Undone,
        });
        let Some(step) = s.steps.last_mut() else {
            return;
        };
        for e in held.iter().rev() {
            let removed: Vec<String> = e
                .edit
                .hunks
                .iter()
                .flat_map(|h| added_lines(&h.old, &h.new))
                .collect();
            if removed.is_empty() {
                continue;
            }
            let mut call = ToolCall::new("", ToolKind::Edit, "undo");
            call.paths.push(e.edit.path.clone());
            call.edit = Some(Edit {
                path: e.edit.path.clone(),
                op: EditOp::Update,
                hunks: vec![Hunk {
                    old_start: None,
                    old: removed,
                    new: Vec::new(),
                }],
            });
            step.tool_calls.push(call);
        }
    }

    /// `> Applied edit to <file>`: the sealed blocks for that file were applied.
    fn applied(&mut self, file: &str) {
        let file = file.trim().replace('\\', "/");
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.sealed)
            .into_iter()
            .partition(|b| same_file(&b.path, &file));
        self.sealed = rest;
        if mine.is_empty() {
            return;
        }
        let partial = mine.iter().any(|b| b.kind != blocks::Kind::Whole);
        let whole_ok = self.whole_format();
        let mut hunks = Vec::new();
        let mut op = EditOp::Update;
        let mut name = "search-replace";
        let mut kind = ToolKind::Edit;
        for b in mine {
            match b.kind {
                blocks::Kind::Whole => {
                    // A whole file beside partial blocks of the same file is an illustration.
                    if partial || !whole_ok {
                        continue;
                    }
                    let content = b
                        .hunks
                        .into_iter()
                        .next()
                        .map(|h| h.new)
                        .unwrap_or_default();
                    name = "whole";
                    kind = ToolKind::Write;
                    hunks = match self.whole.insert(file.to_lowercase(), content.clone()) {
                        Some(prev) => {
                            op = EditOp::Update;
                            vec![Hunk {
                                old_start: None,
                                old: prev,
                                new: content,
                            }]
                        }
                        None => {
                            op = EditOp::Create;
                            vec![Hunk {
                                old_start: None,
                                old: Vec::new(),
                                new: content,
                            }]
                        }
                    };
                }
                blocks::Kind::SearchReplace | blocks::Kind::UnifiedDiff => {
                    if b.kind == blocks::Kind::UnifiedDiff {
                        name = "udiff";
                    }
                    if b.creates {
                        op = EditOp::Create;
                    }
                    self.whole.remove(&file.to_lowercase());
                    hunks.extend(b.hunks);
                }
            }
        }
        if hunks.is_empty() {
            return;
        }
        let edit = Edit {
            path: file.clone(),
            op,
            hunks,
        };
        let Some(s) = self.sessions.last_mut() else {
            return;
        };
        let Some(last) = s.steps.last_mut() else {
            return;
        };
        let mut call = ToolCall::new("", kind, name);
        call.paths.push(file);
        call.edit = Some(edit.clone());
        last.tool_calls.push(call);
        self.since_commit.push(AppliedEdit { edit });
    }

    /// Lines Aider prints after a reply (`> …`).
    fn tool_line(&mut self, rest: &str) {
        if rest.starts_with("Main model: ")
            || rest.starts_with("Model: ")
            || rest.starts_with("Models: ")
            || rest.starts_with("Editor model: ")
        {
            self.model_line(rest);
        } else if let Some(t) = rest.strip_prefix("Tokens: ") {
            self.tokens(t);
        } else if self.depth != Depth::Full {
        } else if let Some(f) = rest.strip_prefix("Applied edit to ") {
            self.applied(f);
        } else if let Some(c) = rest.strip_prefix("Commit ") {
            self.commit(c);
        } else if let Some(c) = rest.strip_prefix("Removed: ") {
            self.removed(c);
        } else if rest.starts_with("Committing ") && rest.contains(" before applying edits") {
            self.dirty_next = true;
        } else if rest.starts_with("The LLM did not conform") {
            self.sealed.clear();
        } else if let Some(q) = rest.strip_prefix("Add file to the chat? ") {
            // Answered yes (or the default, yes): Aider adds the files and asks the model again; this
            // reply's blocks are not applied.
            let answer = q
                .rsplit(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if answer.is_empty() || answer.starts_with('y') || answer.starts_with('a') {
                self.sealed.clear();
            }
        }
    }
}

/// Parses one history file.
pub fn parse(path: &Path, mut reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    let mut b = Builder {
        sessions: Vec::new(),
        model: None,
        edit_format: String::new(),
        editor_format: String::new(),
        reader: blocks::Reader::default(),
        sealed: Vec::new(),
        since_commit: Vec::new(),
        by_commit: Vec::new(),
        whole: Default::default(),
        dirty_next: false,
        rounded: false,
        cost_runs: 0.0,
        cost_last: None,
        restarts: 0,
        depth,
        path: path.to_path_buf(),
    };
    while let Some(line) = reader.read_line()? {
        if line.oversized {
            log.skipped.add(skip::OVERSIZED);
            continue;
        }
        let Ok(text) = std::str::from_utf8(line.bytes) else {
            log.skipped.add(skip::NOT_UTF8);
            continue;
        };
        let text = text.strip_suffix('\r').unwrap_or(text);
        if let Some(when) = text.strip_prefix("# aider chat started at ") {
            b.start(when);
            continue;
        }
        if let Some(rest) = text.strip_prefix("> ") {
            b.tool_line(rest.trim_end());
            continue;
        }
        if text.starts_with("#### ") {
            b.reader.reset();
            b.sealed.clear();
            continue;
        }
        if depth == Depth::Full {
            b.reader.line(text);
        }
    }
    b.finish_session();
    log.lines = reader.lines_read();
    log.bytes = reader.bytes_read();
    log.sessions = b
        .sessions
        .into_iter()
        .filter(|s| !s.steps.is_empty())
        .collect();
    if let Some(first) = log.sessions.first_mut() {
        first.skipped.merge(&log.skipped);
    }
    exact::apply_beside(path, &mut log.sessions);
    Ok(log)
}

#[cfg(test)]
mod tests;
