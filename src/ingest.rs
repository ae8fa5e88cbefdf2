//! Parses every discovered file in parallel and merges the results into sessions, each response counted
//! once.
//!
//! Merging rules, in order:
//! 1. Files of one Claude Code session (the transcript and its `subagents/` files share a `sessionId`) are
//!    one session.
//! 2. A Codex session found in two files (`sessions/` and `archived_sessions/`) is read from the larger file
//!    only; the other is reported as a duplicate.
//! 3. A Claude Code response (`message.id` + `requestId`) is counted once across all files: in the earliest
//!    session that holds it, with the field-wise largest usage any copy shows. Resumed sessions replay
//!    their parent's lines and subagent responses also appear in the parent's `agent_progress` records;
//!    both are copies, not new spend.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::discover::Source;
use crate::formats::{self, Depth};
use crate::model::{Agent, Session, Skips};

/// Everything read from the logs.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Sessions, oldest first.
    pub sessions: Vec<Session>,
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines skipped, by reason, over all files.
    pub skipped: Skips,
    /// Files that could not be read at all, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Copies of a response dropped because another line or file already counted it.
    pub duplicate_steps: u64,
    /// Files not read because another file holds the same session (Codex archive copies).
    pub duplicate_files: Vec<PathBuf>,
    /// Files with skipped lines, and their counts (shown by `-v`).
    pub skipped_by_file: Vec<(PathBuf, Skips)>,
}

/// Reads `sources` (in parallel) and merges them. `on_file` is called after each file (progress bars).
pub fn ingest(sources: &[Source], depth: Depth, on_file: &(dyn Fn(u64) + Sync)) -> Ingested {
    let results: Vec<_> = sources
        .par_iter()
        .map(|src| {
            let r = formats::parse_file(src.agent, &src.path, depth);
            on_file(src.size);
            (src, r)
        })
        .collect();

    let mut out = Ingested::default();
    let mut logs = Vec::with_capacity(results.len());
    for (src, r) in results {
        match r {
            Ok(log) => {
                out.files += 1;
                out.bytes += log.bytes;
                out.lines += log.lines;
                out.skipped.merge(&log.skipped);
                if log.skipped.total() > 0 {
                    out.skipped_by_file
                        .push((src.path.clone(), log.skipped.clone()));
                }
                logs.push((src, log));
            }
            Err(e) => out.unreadable.push((src.path.clone(), error_chain(&e))),
        }
    }
    // Deterministic merge order whatever the thread schedule: by path.
    logs.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    out.skipped_by_file.sort_by(|a, b| a.0.cmp(&b.0));
    out.unreadable.sort();

    let mut index: HashMap<(Agent, String), usize> = HashMap::new();
    let mut sessions: Vec<Session> = Vec::new();
    let mut codex_bytes: HashMap<String, u64> = HashMap::new();
    for (src, log) in logs {
        for session in log.sessions {
            let key = (session.agent, session.id.clone());
            match index.get(&key) {
                None => {
                    if session.agent == Agent::Codex {
                        codex_bytes.insert(session.id.clone(), log.bytes);
                    }
                    index.insert(key, sessions.len());
                    sessions.push(session);
                }
                Some(&i) if session.agent == Agent::Codex => {
                    let kept = codex_bytes.entry(session.id.clone()).or_default();
                    if log.bytes > *kept {
                        *kept = log.bytes;
                        let old = std::mem::replace(&mut sessions[i], session);
                        out.duplicate_files.extend(old.files);
                    } else {
                        out.duplicate_files.push(src.path.clone());
                    }
                }
                Some(&i) => absorb(&mut sessions[i], session),
            }
        }
    }

    sessions.sort_by(|a, b| {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    out.duplicate_steps = dedup_responses(&mut sessions);
    for s in &mut sessions {
        s.steps.sort_by_key(|step| step.at);
    }
    out.sessions = sessions;
    out
}

/// Merges another file's part of the same session.
fn absorb(into: &mut Session, other: Session) {
    if let Some(at) = other.started_at {
        into.saw(at);
    }
    if let Some(at) = other.ended_at {
        into.saw(at);
    }
    if into.cwd.is_none() {
        into.cwd = other.cwd;
    }
    if into.branch.is_none() {
        into.branch = other.branch;
    }
    into.steps.extend(other.steps);
    into.files.extend(other.files);
    into.skipped.merge(&other.skipped);
    into.notes.extend(other.notes);
}

/// Keeps each keyed response once (in the earliest session), with the largest usage seen for it.
fn dedup_responses(sessions: &mut [Session]) -> u64 {
    let mut first: HashMap<Box<str>, (usize, usize)> = HashMap::new();
    let mut dropped = 0;
    for si in 0..sessions.len() {
        let steps = std::mem::take(&mut sessions[si].steps);
        let mut kept = Vec::with_capacity(steps.len());
        for step in steps {
            let Some(key) = step.dedup_key.clone() else {
                kept.push(step);
                continue;
            };
            match first.get(&key) {
                Some(&(fs, fi)) => {
                    dropped += 1;
                    let target = if fs == si {
                        &mut kept[fi]
                    } else {
                        &mut sessions[fs].steps[fi]
                    };
                    let merged = match (target.usage, step.usage) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    target.usage = merged;
                    // A copy may carry tool calls the first one lacked (a later content block).
                    for call in step.tool_calls {
                        if !target.tool_calls.iter().any(|c| c.id == call.id) {
                            target.tool_calls.push(call);
                        }
                    }
                }
                None => {
                    first.insert(key, (si, kept.len()));
                    kept.push(step);
                }
            }
        }
        sessions[si].steps = kept;
    }
    dropped
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}
