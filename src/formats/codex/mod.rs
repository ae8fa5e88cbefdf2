//! Codex CLI rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`, also `archived_sessions/`; since
//! Codex 0.137 a rollout idle for 7 days is rewritten as `rollout-*.jsonl.zst`, decompressed as a stream by
//! [`super::open_log`] before it reaches this parser).
//!
//! Each line is `{"timestamp", "type", "payload"}` with `type` one of `session_meta`, `turn_context`,
//! `response_item`, `event_msg` or `compacted`, and in 2026 versions `token_usage_record`, `world_state`,
//! `security_risk_score`, `inter_agent_communication`, `inter_agent_communication_metadata`,
//! `retained_context` and `realtime_item` (known, read without content: none of them carries a token
//! total, a tool call or an edit). One file is one session.
//!
//! **Tokens.** `event_msg` / `token_count` carries `info.total_token_usage`, the session's *cumulative*
//! total. A [`Step`] is one change of that total: its usage is the difference from the previous total.
//! An event repeating the previous total is not a step (Codex writes one after every tool output). A
//! reset (an old resume that restarted from zero) is judged on the total (input + output): a total that
//! drops counts whole. One field dipping while the total does not drop (a `cached_input_tokens` one
//! lower) is not a reset: the running total keeps each field's highest value, so the dip and its
//! recovery count nothing, and the session notes how many such dips it saw.
//! `last_token_usage` is never summed. Codex's `input_tokens` includes `cached_input_tokens`, so
//! `Usage::input` is their difference and `Usage::cache_read` the cached part.
//!
//! **Forks.** A forked rollout starts with its own `session_meta` (newer versions name the parent in
//! `forked_from_id`), then the parent's items copied in one burst: the parent's `session_meta` (a second
//! one), turn contexts, token counts, tool calls. Codex stamps every line when it writes it, so the copy
//! shares the fork instant, and the child's token totals continue from the last copied total (Codex seeds
//! them from the copy). The copied part is the run of records after the fork's first `session_meta` whose
//! timestamps follow each other by at most [`REPLAY_GAP`]: the first pause (a model round trip, or the user
//! typing) ends it. Copied token totals only move the baseline; copied tool calls are dropped; a note says
//! how many copied token events were not counted.
//!
//! **No token data.** A rollout without any usable `token_count` (old versions, `info: null` only) still
//! made model calls: each model response — a run of output items (`reasoning`, assistant `message`,
//! `function_call`, `custom_tool_call`, `local_shell_call`, `web_search_call`) ended by an input item, a
//! turn context, a user message or a token count — becomes a step with `usage: None`, so the session
//! reports unknown tokens, not zero.
//!
//! **Paginated history** (Codex's newer default) also writes each finished turn item as `event_msg` /
//! `item_completed` with `item: {"type": "CommandExecution" | "FileChange" | "McpToolCall" | …}`. Those
//! that are tool calls become [`ToolCall`]s (a `FileChange` with its [`Edit`]s from the change's content or
//! unified diff) unless the same call id was already read from a `response_item`; messages, reasoning and
//! plans carry nothing to count.
//!
//! **Tool calls** ([`Depth::Full`]) seen since the previous step attach to the next step (its token count
//! follows the response); those after the last token count attach to the last step. Outputs are joined by
//! `call_id`. `apply_patch` (function, freeform custom tool, `["apply_patch", PATCH]` or a shell heredoc)
//! becomes one [`ToolCall`] per file it touches, each with its [`Edit`]; a patch whose output reports a
//! failure keeps no edit.
//!
//! [`Depth::Usage`] reads `session_meta`, `turn_context` and the `token_count` / `thread_settings_applied`
//! events in full; every other line is classified from its first bytes (`{"timestamp":…,"type":…,
//! "payload":{"type":…`) and checked for shape only, so large tool outputs are never decoded.
//!
//! The parser is split by job: `records.rs` (the payload shapes and the line-head scanner), `session.rs`
//! (the state machine that turns records into steps), `tools.rs` (tool calls and their outputs); the
//! `apply_patch` grammar is agent-neutral ([`super::patch`]), as are the shell classifier
//! ([`super::shell`]) and the JSON-text helper ([`super::json_text`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::json_text::json_string_len;
use super::lenient::{LStr, LU64, MapOnly};
use super::patch::{parse_patch, unified_hunks};
use super::shell::{classify_tokens, classify_words, tokenize};
use super::{Depth, FileLog, LineReader, skip};
use crate::error::Result;
use crate::model::{
    Agent, Edit, EditOp, Hunk, ServiceTier, Session, Skips, Step, ToolCall, ToolKind, Usage,
};

/// The model a step is priced as when the rollout never names one (no `turn_context` model before it).
pub const FALLBACK_MODEL: &str = "gpt-5";

/// The longest pause between two copied records of a fork's replayed history.
pub const REPLAY_GAP: SignedDuration = SignedDuration::from_secs(1);

/// Top-level record types this parser knows. Only the first five carry what it reads; the others are
/// written by 2026 versions (per-response usage records, world state, inter-agent metadata) and are read
/// as known records without content (token totals come from `token_count` alone).
const KNOWN_TYPES: &[&str] = &[
    "session_meta",
    "turn_context",
    "response_item",
    "event_msg",
    "compacted",
    "token_usage_record",
    "world_state",
    "security_risk_score",
    "inter_agent_communication",
    "inter_agent_communication_metadata",
    "retained_context",
    "realtime_item",
];

/// Tools that run a shell command.
const SHELL_TOOLS: &[&str] = &[
    "shell",
    "container.exec",
    "shell_command",
    "exec_command",
    "local_shell",
];

/// Codex CLI's rollouts (`~/.codex/sessions/**/rollout-*.jsonl[.zst]`).
pub struct Codex;

impl super::Format for Codex {
    fn agent(&self) -> Agent {
        Agent::Codex
    }

    fn names(&self) -> &'static [&'static str] {
        &["codex"]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        sniff(line)
    }

    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
        parse(path, reader, depth)
    }

    /// `$CODEX_HOME` (default `~/.codex`): `sessions/` and `archived_sessions/`.
    fn log_roots(&self, loc: &crate::discover::Locations) -> Vec<std::path::PathBuf> {
        loc.codex_root()
            .map(|h| vec![h.join("sessions"), h.join("archived_sessions")])
            .unwrap_or_default()
    }

    /// `rollout-*.jsonl`, plain or compressed (`.jsonl.zst`, written for rollouts idle for 7 days).
    fn is_log_name(&self, name: &str) -> bool {
        name.starts_with("rollout-") && (name.ends_with(".jsonl") || name.ends_with(".jsonl.zst"))
    }

    /// `rollout-<time>-<id>.jsonl[.zst]`.
    fn named_after(&self, path: &Path, _root: &Path, prefix: &str) -> bool {
        path.file_name()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.contains(&format!("-{prefix}")))
    }
}

/// True when a line looks like a Codex rollout record.
///
/// Decided on the top-level keys (a rollout record has a `payload` and one of Codex's record types), so a
/// log of another agent that merely mentions these words is not taken for a rollout.
pub fn sniff(line: &[u8]) -> bool {
    super::SniffTop::of(line).is_some_and(|top| {
        top.payload.is_some()
            && matches!(
                top.kind.get(),
                Some("session_meta" | "turn_context" | "response_item" | "event_msg" | "compacted")
            )
    })
}

mod records;
mod session;
#[cfg(test)]
mod tests;
mod tools;

use records::*;
use session::*;
use tools::*;

/// The session id a rollout's name carries (`rollout-YYYY-MM-DDTHH-MM-SS-<uuid>.jsonl`, or `.jsonl.zst`),
/// else its stem. Any name is safe: the id is cut on byte offsets only where they fall on characters.
fn id_from_path(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".zst").unwrap_or(&name);
    let stem = stem.strip_suffix(".jsonl").unwrap_or(stem).to_owned();
    if stem.starts_with("rollout-")
        && let Some(tail) = stem.len().checked_sub(36).and_then(|at| stem.get(at..))
    {
        let shape = tail.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
        if shape {
            return tail.to_owned();
        }
    }
    stem
}

fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>().ok()
}

/// Parses one rollout file.
pub fn parse(path: &Path, mut reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    let mut b = Builder::new(path, depth);
    while let Some(line) = reader.read_line()? {
        if line.oversized {
            log.skipped.add(skip::OVERSIZED);
            continue;
        }
        if line.bytes.trim_ascii().is_empty() {
            continue;
        }
        if depth == Depth::Usage
            && let Some(h) = head(line.bytes)
            && !h.needs_parse()
        {
            if let Some(reason) = super::looks_like_object(&line) {
                log.skipped.add(reason);
                continue;
            }
            if !KNOWN_TYPES.contains(&h.kind) {
                log.skipped.add(skip::UNKNOWN_RECORD);
                continue;
            }
            let at = h.timestamp.and_then(parse_time);
            b.observe(at);
            b.light(&h, at);
            continue;
        }
        let record: Record<'_> = match serde_json::from_slice(line.bytes) {
            Ok(r) => r,
            Err(e) => {
                log.skipped.add(super::record_skip_reason(&line, &e));
                continue;
            }
        };
        let Some(kind) = record.kind.as_deref() else {
            log.skipped.add(skip::UNKNOWN_RECORD);
            continue;
        };
        if !KNOWN_TYPES.contains(&kind) {
            log.skipped.add(skip::UNKNOWN_RECORD);
            continue;
        }
        let at = record.timestamp.as_deref().and_then(parse_time);
        b.observe(at);
        b.record(record.payload, at, &mut log.skipped);
    }
    log.lines = reader.lines_read();
    log.bytes = reader.bytes_read();
    log.sessions = b.finish(&log.skipped);
    Ok(log)
}
