//! Claude Code transcripts: `<config>/projects/<encoded-cwd>/<session>.jsonl` and their subagent files
//! `<session>/subagents/agent-*.jsonl`.
//!
//! Each line is one record (`user`, `assistant`, `system`, `progress`, `summary`, ...). One API response is
//! written as several `assistant` lines sharing `message.id` + `requestId` (one per content block, the first
//! ones streaming snapshots with a too-small `output_tokens`): the lines are folded into one [`Step`] with the
//! field-wise largest usage. The same response can appear again in another file (a resumed session replays
//! its parent, a subagent's lines are also copied into the parent's `agent_progress` records); that
//! cross-file duplicate is removed by `ingest`, which sees every file, using [`Step::dedup_key`].
//!
//! A `cost-state` record is Claude Code's own running total for the session (`totalCostUSD`, and per model
//! `modelUsage` with tokens and `costUSD`): the last one is kept as [`Session::agent_reported`], shown
//! beside the per-response count, never instead of it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::json_text::json_string_len;
use super::lenient::{MapOnly, SeqOf};
use super::{Depth, FileLog, LineReader, skip};
use super::{rebuild, shell_writes};
use crate::error::Result;
use crate::model::{
    Agent, Edit, EditOp, Hunk, ServiceTier, Session, Step, ToolCall, ToolKind, Usage,
};

mod records;
mod tools;

use records::*;
use tools::*;

/// Record types Claude Code writes that carry nothing agent-audit counts; they are read, not skipped.
const KNOWN_TYPES: &[&str] = &[
    "user",
    "assistant",
    "system",
    "summary",
    "progress",
    "file-history-snapshot",
    "queue-operation",
    "custom-title",
    "agent-name",
    "tag",
    "last-prompt",
    "pr-link",
    "attachment",
    "result",
    "cost-state",
    "mode",
    "permission-mode",
    "agent-setting",
    "ai-title",
];

/// The model Claude Code writes for messages it made up itself (errors, interruptions): never billed.
const SYNTHETIC_MODEL: &str = "<synthetic>";

/// Claude Code's transcripts (`~/.claude/projects/**/*.jsonl`).
pub struct ClaudeCode;

impl super::Format for ClaudeCode {
    fn agent(&self) -> Agent {
        Agent::ClaudeCode
    }

    fn names(&self) -> &'static [&'static str] {
        &["claude", "claude-code"]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        sniff(line)
    }

    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
        parse(path, reader, depth)
    }

    fn log_roots(&self, loc: &crate::discover::Locations) -> Vec<std::path::PathBuf> {
        loc.claude_roots()
            .into_iter()
            .map(|r| r.join("projects"))
            .collect()
    }

    fn is_log_name(&self, name: &str) -> bool {
        name.ends_with(".jsonl") || name.contains(".jsonl.superseded-")
    }

    /// `<id>.jsonl`, or any file under `<id>/` (its subagents).
    fn named_after(&self, path: &Path, root: &Path, prefix: &str) -> bool {
        path.strip_prefix(root)
            .unwrap_or(path)
            .components()
            .filter_map(|c| c.as_os_str().to_str())
            .any(|c| c.starts_with(prefix))
    }

    fn is_leftover(&self, name: &str) -> bool {
        crate::discover::is_leftover(name)
    }

    /// Claude Code names a project's folder after its cwd with every non-alphanumeric character as `-`
    /// (older versions replaced only `/`, or `/` and `.`): all three forms.
    fn keeps_project_folders(&self) -> bool {
        true
    }

    fn project_folder_names(&self, worktree: &Path) -> Vec<String> {
        let s = worktree.to_string_lossy().trim_end_matches('/').to_string();
        vec![
            s.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect(),
            s.replace('/', "-"),
            s.replace(['/', '.'], "-"),
        ]
    }
}

/// True when a line looks like a Claude Code record.
///
/// Decided on the top-level keys: a transcript record has a top-level `sessionId`, `parentUuid` or
/// `leafUuid`, or is a record type Claude Code writes. Another agent's log that nests a `sessionId`
/// (GitHub Copilot CLI's events do) is not taken for a transcript.
pub fn sniff(line: &[u8]) -> bool {
    super::SniffTop::of(line).is_some_and(|top| {
        top.payload.is_none()
            && (top.session_id.is_some()
                || top.parent_uuid.is_some()
                || top.leaf_uuid.is_some()
                || top.kind.get().is_some_and(|k| KNOWN_TYPES.contains(&k)))
    })
}

/// Per-session parse state: the steps so far and where each response and tool call went.
struct Building {
    session: Session,
    by_key: HashMap<Box<str>, usize>,
    by_tool_id: HashMap<String, (usize, usize)>,
}

/// Parses one transcript file.
pub fn parse(path: &Path, mut reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    let mut sessions: Vec<Building> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let in_subagent_dir = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "subagents")
        || path.components().any(|c| c.as_os_str() == "subagents");
    // `<id>.jsonl`, and the leftovers `<id>.orphaned-<stamp>.jsonl` / `<id>.jsonl.superseded-<stamp>`.
    let fallback_id = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .map(|name| {
            let cut = [".orphaned-", ".jsonl"]
                .iter()
                .filter_map(|m| name.find(m))
                .min()
                .unwrap_or(name.len());
            name[..cut].to_owned()
        })
        .unwrap_or_default();
    let mut last_time: Option<Timestamp> = None;
    let mut current: Option<usize> = None;

    while let Some(line) = reader.read_line()? {
        if line.oversized {
            log.skipped.add(skip::OVERSIZED);
            continue;
        }
        if line.bytes.trim_ascii().is_empty() {
            continue;
        }
        if depth == Depth::Usage
            && !may_hold_usage(line.bytes)
            && memchr::memmem::find(line.bytes, b"\"cost-state\"").is_none()
        {
            if let Some(reason) = super::looks_like_object(&line) {
                log.skipped.add(reason);
            }
            continue;
        }
        let record: Record<'_> = match serde_json::from_slice(line.bytes) {
            Ok(r) => r,
            Err(e) => {
                log.skipped.add(super::record_skip_reason(&line, &e));
                continue;
            }
        };
        let kind = record.kind.as_deref();
        if let Some(k) = kind
            && !KNOWN_TYPES.contains(&k)
        {
            log.skipped.add(skip::UNKNOWN_RECORD);
            continue;
        }
        let at = record
            .timestamp
            .as_deref()
            .and_then(|t| t.parse::<Timestamp>().ok());
        if at.is_some() {
            last_time = at;
        }
        // Records without a session id (snapshots, summaries, old fixtures) belong to the session the
        // file is writing at that point; a session named after the file is kept only if it has steps.
        let found = match (record.session_id.as_deref(), current) {
            (Some(id), _) => index.get(id).copied(),
            (None, Some(i)) => Some(i),
            (None, None) => index.get(fallback_id.as_str()).copied(),
        };
        let sid = record.session_id.as_deref().unwrap_or(&fallback_id);
        let slot = match found {
            Some(i) => i,
            None => {
                let mut session = Session::new(Agent::ClaudeCode, sid);
                session.files.push(path.to_path_buf());
                sessions.push(Building {
                    session,
                    by_key: HashMap::new(),
                    by_tool_id: HashMap::new(),
                });
                index.insert(sid.to_owned(), sessions.len() - 1);
                sessions.len() - 1
            }
        };
        current = Some(slot);
        let b = &mut sessions[slot];
        if let Some(at) = at {
            b.session.saw(at);
        }
        if b.session.cwd.is_none()
            && let Some(cwd) = &record.cwd
        {
            b.session.cwd = Some(cwd.as_ref().into());
        }
        if let Some(branch) = &record.git_branch
            && !branch.is_empty()
            && branch != "HEAD"
        {
            b.session.branch = Some(branch.to_string());
        }
        let sidechain = in_subagent_dir || record.is_sidechain == Some(true);

        match kind {
            Some("cost-state") => {
                // Cumulative: a later record replaces an earlier one.
                b.session.agent_reported = Some(cost_state(&record, at.or(last_time)));
            }
            Some("progress") => {
                // A subagent's own records, copied into the parent while it runs. Counted as steps of
                // the parent session; `ingest` drops them when the subagent file holds the same response.
                let Some(data) = &record.data else { continue };
                if data.kind.as_deref() != Some("agent_progress") {
                    continue;
                }
                let Some(raw) = data.message else { continue };
                let Ok(inner) = serde_json::from_str::<Record<'_>>(raw.get()) else {
                    continue;
                };
                let inner_at = inner
                    .timestamp
                    .as_deref()
                    .and_then(|t| t.parse::<Timestamp>().ok())
                    .or(at)
                    .or(last_time);
                if let (Some(msg), Some(inner_at)) = (inner.message.0, inner_at) {
                    add_assistant(b, msg, inner.request_id.as_deref(), inner_at, true, depth);
                }
            }
            Some("pr-link") => {
                if let Some(number) = record.pr_number {
                    let url = record.pr_url.as_deref().unwrap_or_default().to_owned();
                    let prs = &mut b.session.pull_requests;
                    if !prs.iter().any(|p| p.number == number && p.url == url) {
                        prs.push(crate::model::PullRequest { number, url });
                    }
                }
            }
            Some("user") => {
                if depth == Depth::Full
                    && let Some(msg) = record.message.0
                {
                    add_tool_results(b, msg, record.tool_use_result);
                }
            }
            Some("assistant") | None => {
                let Some(msg) = record.message.0 else {
                    continue;
                };
                let Some(at) = at.or(last_time) else {
                    log.skipped.add(skip::MISSING_FIELD);
                    continue;
                };
                add_assistant(b, msg, record.request_id.as_deref(), at, sidechain, depth);
            }
            _ => {}
        }
    }

    log.lines = reader.lines_read();
    log.bytes = reader.bytes_read();
    log.sessions = sessions
        .into_iter()
        .map(|b| b.session)
        .filter(|s| !(s.id == fallback_id && s.steps.is_empty()))
        .collect();
    if let Some(first) = log.sessions.first_mut() {
        first.skipped.merge(&log.skipped);
    }
    Ok(log)
}

/// The [`Depth::Usage`] pre-filter: false only when the line cannot have a `usage` key. The key is found
/// as written (`"usage"`), or spelled with an escape of one of its letters (`"\u0075sage"`), which a JSON
/// parser reads as the same key: the fast path and the full parse must agree on every line.
fn may_hold_usage(line: &[u8]) -> bool {
    if memchr::memmem::find(line, b"\"usage\"").is_some() {
        return true;
    }
    memchr::memmem::find_iter(line, b"\\u00").any(|at| {
        matches!(
            line.get(at + 4..at + 6),
            Some(b"75" | b"73" | b"61" | b"67" | b"65")
        )
    })
}

/// Folds one assistant line into its session: a new step, or more of a step already seen.
fn add_assistant(
    b: &mut Building,
    msg: Message<'_>,
    request_id: Option<&str>,
    at: Timestamp,
    sidechain: bool,
    depth: Depth,
) {
    if msg.role.as_deref().is_some_and(|r| r != "assistant") {
        return;
    }
    let Some(raw_usage) = &msg.usage else { return };
    let model = msg.model.as_deref();
    if model == Some(SYNTHETIC_MODEL) {
        return;
    }
    let usage = raw_usage.to_usage();
    let key: Option<Box<str>> = msg.id.as_deref().map(|id| match request_id {
        Some(r) => format!("{id}:{r}").into_boxed_str(),
        None => id.into(),
    });
    let step_index = match key.as_ref().and_then(|k| b.by_key.get(k)) {
        Some(&i) => {
            let step = &mut b.session.steps[i];
            step.usage = Some(step.usage.unwrap_or_default().max(usage));
            i
        }
        None => {
            b.session.steps.push(Step {
                at,
                model: model.map(str::to_owned),
                model_inferred: false,
                usage: Some(usage),
                service_tier: raw_usage.tier(),
                tool_calls: Vec::new(),
                sidechain,
                dedup_key: key.clone(),
            });
            let i = b.session.steps.len() - 1;
            if let Some(k) = key {
                b.by_key.insert(k, i);
            }
            i
        }
    };
    if depth == Depth::Full {
        for block in msg.content.0 {
            if block.kind.as_deref() != Some("tool_use") {
                continue;
            }
            let id = block.id.as_deref().unwrap_or_default().to_owned();
            if !id.is_empty() && b.by_tool_id.contains_key(&id) {
                continue; // the same block repeated in a later snapshot line
            }
            let call = tool_call(&block);
            let step = &mut b.session.steps[step_index];
            step.tool_calls.push(call);
            if !id.is_empty() {
                b.by_tool_id
                    .insert(id, (step_index, step.tool_calls.len() - 1));
            }
        }
    }
}

#[cfg(test)]
mod tests;
