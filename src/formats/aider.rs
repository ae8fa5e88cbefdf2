//! Aider's chat history: `.aider.chat.history.md` in the repository root, a Markdown transcript Aider
//! appends to. Its whole trace sits in the repository, so repository commands read it from each work tree.
//!
//! - A session starts at `# aider chat started at YYYY-MM-DD HH:MM:SS` (the machine's local time, read in
//!   the time zone agent-audit runs in); the model comes from `> Main model: <id> with …` (`> Model:` in
//!   older versions).
//! - A step is each `> Tokens: 3.2k sent, 222 received.` line, with `, N cache write` / `, N cache hit`
//!   when present, and Aider's own `Cost: $x message, $y session.`. Counts above a thousand are printed
//!   rounded (`3.2k`): the session says its totals are approximate.
//! - Edits are SEARCH/REPLACE blocks (`<<<<<<< SEARCH` … `=======` … `>>>>>>> REPLACE` under a file-name
//!   line) that a later `> Applied edit to <file>` confirms; blocks without it (ask mode, explanations)
//!   are not edits. The lines added are the REPLACE lines not in SEARCH (the line diff of the two).
//!   Whole-file fences and unified-diff edit formats are not read yet.
//! - Every step carries the session's start time: the history records no other.

use std::path::Path;

use super::{Depth, FileLog, LineReader, skip};
use crate::error::Result;
use crate::model::{Agent, Edit, EditOp, Hunk, Session, Step, ToolCall, ToolKind, Usage};

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

/// One SEARCH/REPLACE block being read.
struct Block {
    path: String,
    search: Vec<String>,
    replace: Vec<String>,
    in_replace: bool,
}

struct Builder {
    sessions: Vec<Session>,
    model: Option<String>,
    /// Blocks of the current assistant reply, waiting for `Applied edit to`.
    pending: Vec<(String, Vec<String>, Vec<String>)>,
    block: Option<Block>,
    last_text_line: String,
    rounded: bool,
    depth: Depth,
    path: std::path::PathBuf,
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
            .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::system()).ok())
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
        self.pending.clear();
        self.block = None;
        self.rounded = false;
    }

    fn finish_session(&mut self) {
        if self.rounded
            && let Some(s) = self.sessions.last_mut()
        {
            s.notes.push(
                "Aider prints token counts above a thousand rounded (`3.2k`): this session's token \
                 totals and cost are approximate"
                    .into(),
            );
        }
    }

    fn text(&mut self, line: &str) {
        if self.depth != Depth::Full {
            return;
        }
        let t = line.trim_end();
        if let Some(b) = self.block.as_mut() {
            match t {
                "=======" if !b.in_replace => b.in_replace = true,
                ">>>>>>> REPLACE" => {
                    if let Some(b) = self.block.take() {
                        self.pending.push((b.path, b.search, b.replace));
                    }
                }
                _ if b.in_replace => b.replace.push(line.to_owned()),
                _ => b.search.push(line.to_owned()),
            }
            return;
        }
        if t == "<<<<<<< SEARCH" {
            self.block = Some(Block {
                path: self.last_text_line.trim().trim_matches('`').to_owned(),
                search: Vec::new(),
                replace: Vec::new(),
                in_replace: false,
            });
            return;
        }
        if !t.starts_with("```") && !t.is_empty() {
            self.last_text_line = t.to_owned();
        }
    }

    fn tokens(&mut self, rest: &str) {
        let Some((usage, rounded, session_cost)) = tokens_line(&normalize_thousands(rest)) else {
            return;
        };
        self.rounded |= rounded;
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
        if let Some(c) = session_cost {
            s.agent_reported = Some(crate::model::AgentReported {
                source: "aider",
                at: s.started_at,
                total_cost_usd: Some(c),
                models: Default::default(),
                has_unknown_model_cost: false,
            });
        }
    }

    /// `> Commit c339495 aider: message`: a commit Aider made itself, an anchor for its lines.
    fn commit(&mut self, rest: &str) {
        let Some((sha, summary)) = rest.split_once(' ') else {
            return;
        };
        if !(7..=40).contains(&sha.len()) || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return;
        }
        let Some(step) = self.current().and_then(|s| s.steps.last_mut()) else {
            return;
        };
        let mut call = ToolCall::new("", ToolKind::Shell, "commit");
        call.commits.push(crate::model::CommitAnchor {
            sha: sha.to_ascii_lowercase(),
            branch: String::new(),
            summary: summary.trim().to_owned(),
        });
        step.tool_calls.push(call);
    }

    fn applied(&mut self, file: &str) {
        let file = file.trim().replace('\\', "/");
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(p, _, _)| p.replace('\\', "/").eq_ignore_ascii_case(&file));
        self.pending = rest;
        if mine.is_empty() {
            return;
        }
        let Some(s) = self.current() else { return };
        let Some(step) = s.steps.last_mut() else {
            return;
        };
        let hunks = mine
            .into_iter()
            .map(|(_, old, new)| Hunk {
                old_start: None,
                old,
                new,
            })
            .collect();
        let mut call = ToolCall::new("", ToolKind::Edit, "search-replace");
        call.paths.push(file.clone());
        call.edit = Some(Edit {
            path: file,
            op: EditOp::Update,
            hunks,
        });
        step.tool_calls.push(call);
    }
}

/// Parses one history file.
pub fn parse(path: &Path, mut reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    let mut b = Builder {
        sessions: Vec::new(),
        model: None,
        pending: Vec::new(),
        block: None,
        last_text_line: String::new(),
        rounded: false,
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
            let rest = rest.trim_end();
            if let Some(m) = rest
                .strip_prefix("Main model: ")
                .or_else(|| rest.strip_prefix("Model: "))
            {
                b.model = m.split(" with ").next().map(|m| m.trim().to_owned());
            } else if let Some(t) = rest.strip_prefix("Tokens: ") {
                b.tokens(t);
            } else if let Some(f) = rest.strip_prefix("Applied edit to ") {
                b.applied(f);
            } else if let Some(c) = rest.strip_prefix("Commit ") {
                b.commit(c);
            }
            continue;
        }
        if text.starts_with("#### ") {
            b.pending.clear();
            b.block = None;
            continue;
        }
        b.text(text);
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
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_as_aider_prints_them() {
        assert_eq!(count("222"), Some((222, false)));
        assert_eq!(count("3.2k"), Some((3_200, true)));
        assert_eq!(count("1.1M"), Some((1_100_000, true)));
        let (u, r, c) = tokens_line(&normalize_thousands(
            "5,244 sent, 1,200 cache write, 3k cache hit, 604 received. Cost: $0.02 request, $0.05 session.",
        ))
        .expect("tokens");
        assert_eq!(
            (u.input, u.cache_write_5m, u.cache_read, u.output),
            (5_244, 1_200, 3_000, 604)
        );
        assert!(r);
        assert_eq!(c, Some(0.05));
    }

    const HISTORY_MD: &str = "\n# aider chat started at 2026-05-01 10:00:00\n\n> Aider v0.86.1  \n> Main model: anthropic/claude-sonnet-4-5-20250929 with diff edit format  \n\n#### add a clamp helper  \n\nHere it is:\n\nsrc/util.rs\n```rust\n<<<<<<< SEARCH\npub fn keep() {}\n=======\npub fn keep() {}\n\npub fn clamp(v: i32) -> i32 {\n    v.max(0).min(100)\n}\n>>>>>>> REPLACE\n```\n\nAnd in the docs (not applied):\n\nREADME.md\n```\n<<<<<<< SEARCH\n# app\n=======\n# app, with clamp\n>>>>>>> REPLACE\n```\n\n> Tokens: 2.4k sent, 104 received. Cost: $0.01 message, $0.01 session.  \n> Applied edit to src/util.rs  \n> Commit 1a2b3c4 aider: Add clamp helper  \n\n#### explain  \n\n> Tokens: 3,000 sent, 50 received. Cost: $0.01 message, $0.02 session.  \n";

    #[test]
    fn a_history_gives_steps_tokens_and_only_applied_edits() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join(HISTORY);
        std::fs::write(&p, HISTORY_MD).expect("write");
        let log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
        assert_eq!(log.sessions.len(), 1);
        let s = &log.sessions[0];
        assert!(s.id.starts_with("aider-2026-05-01"));
        assert_eq!(s.steps.len(), 2);
        assert_eq!(
            s.steps[0].model.as_deref(),
            Some("anthropic/claude-sonnet-4-5-20250929")
        );
        let (u, _) = s.usage();
        assert_eq!((u.input, u.output), (5_400, 154));
        let edits: Vec<&Edit> = s.tool_calls().filter_map(|c| c.edit.as_ref()).collect();
        assert_eq!(edits.len(), 1, "the README block was never applied");
        assert_eq!(edits[0].path, "src/util.rs");
        assert_eq!(
            s.agent_reported.as_ref().and_then(|r| r.total_cost_usd),
            Some(0.02)
        );
        assert!(s.notes.iter().any(|n| n.contains("approximate")));
        assert_eq!(s.cwd.as_deref(), Some(dir.path()));
        let anchors: Vec<_> = s.commit_anchors().collect();
        assert_eq!(anchors.len(), 1);
        assert_eq!(anchors[0].sha, "1a2b3c4");
    }

    #[test]
    fn the_real_histories_parse_without_skips() {
        // (file, sessions, steps, SEARCH/REPLACE edits applied, commits Aider made)
        for (name, sessions, steps, applied, commits) in [
            ("simple-calculator-v0.82.2-chat-history.md", 1, 20, 8, 3),
            ("metadata-aider-v0.86.1-chat-history.md", 1, 12, 18, 14),
        ] {
            let Some(p) = super::super::shared_sample(&format!("aider/{name}")) else {
                return;
            };
            let log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
            assert_eq!(log.skipped.total(), 0, "{name}");
            let got = (
                log.sessions.len(),
                log.sessions.iter().map(|s| s.steps.len()).sum::<usize>(),
                log.sessions
                    .iter()
                    .flat_map(|s| s.tool_calls())
                    .filter(|c| c.edit.is_some())
                    .count(),
                log.sessions.iter().flat_map(|s| s.commit_anchors()).count(),
            );
            eprintln!("{name}: {got:?}");
            assert_eq!(got, (sessions, steps, applied, commits), "{name}");
        }
    }
}
