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

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(rename = "sessionId", borrow, default)]
    session_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    cwd: Option<Cow<'a, str>>,
    #[serde(rename = "gitBranch", borrow, default)]
    git_branch: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<Cow<'a, str>>,
    #[serde(rename = "isSidechain", default)]
    is_sidechain: Option<bool>,
    /// An object is parsed; any other value (old logs and fixtures have a bare string) is a record
    /// without a message, not a broken line.
    #[serde(borrow, default)]
    message: MapOnly<Message<'a>>,
    #[serde(rename = "toolUseResult", borrow, default)]
    tool_use_result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<Progress<'a>>,
    /// `pr-link` records: the pull request the session is linked to.
    #[serde(rename = "prNumber", default)]
    pr_number: Option<u64>,
    #[serde(rename = "prUrl", borrow, default)]
    pr_url: Option<Cow<'a, str>>,
    /// `cost-state`: Claude Code's own total.
    #[serde(rename = "totalCostUSD", borrow, default)]
    total_cost_usd: Option<&'a RawValue>,
    /// `cost-state`: per model, `{inputTokens, outputTokens, cacheReadInputTokens,
    /// cacheCreationInputTokens, costUSD}`.
    #[serde(rename = "modelUsage", borrow, default)]
    model_usage: Option<&'a RawValue>,
    #[serde(rename = "hasUnknownModelCost", borrow, default)]
    has_unknown_model_cost: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct ModelUsageP {
    #[serde(rename = "inputTokens", default)]
    input: super::lenient::LU64,
    #[serde(rename = "outputTokens", default)]
    output: super::lenient::LU64,
    #[serde(rename = "cacheReadInputTokens", default)]
    cache_read: super::lenient::LU64,
    #[serde(rename = "cacheCreationInputTokens", default)]
    cache_write: super::lenient::LU64,
    #[serde(rename = "costUSD", default)]
    cost_usd: Option<serde_json::Value>,
}

/// A finite, non-negative number, else absent.
fn usd_of(v: Option<&serde_json::Value>) -> Option<f64> {
    v.and_then(serde_json::Value::as_f64)
        .filter(|x| x.is_finite() && *x >= 0.0)
}

/// Claude Code's own totals from a `cost-state` record.
fn cost_state(record: &Record<'_>, at: Option<Timestamp>) -> crate::model::AgentReported {
    let total = record
        .total_cost_usd
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r.get()).ok());
    let models = record
        .model_usage
        .and_then(|r| {
            serde_json::from_str::<std::collections::BTreeMap<String, MapOnly<ModelUsageP>>>(
                r.get(),
            )
            .ok()
        })
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(model, m)| {
            let m = m.0?;
            Some((
                model,
                crate::model::ReportedModel {
                    input: m.input.0.unwrap_or(0),
                    output: m.output.0.unwrap_or(0),
                    cache_read: m.cache_read.0.unwrap_or(0),
                    cache_write: m.cache_write.0.unwrap_or(0),
                    cost_usd: usd_of(m.cost_usd.as_ref()),
                },
            ))
        })
        .collect();
    crate::model::AgentReported {
        source: "cost-state",
        at,
        total_cost_usd: usd_of(total.as_ref()),
        models,
        has_unknown_model_cost: record
            .has_unknown_model_cost
            .is_some_and(|r| r.get().trim() == "true"),
    }
}

#[derive(Deserialize)]
struct Progress<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    role: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    usage: Option<RawUsage<'a>>,
    /// Parsed in the same pass as the line: tool output is most of a log's bytes, and every extra pass
    /// over it costs as much as reading it.
    /// A string content (plain text) has no blocks; elements that are not objects are ignored.
    #[serde(borrow, default)]
    content: SeqOf<Block<'a>>,
}

#[derive(Deserialize, Default)]
struct RawUsage<'a> {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    cache_creation: Option<CacheCreation>,
    #[serde(borrow, default)]
    speed: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    service_tier: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct CacheCreation {
    #[serde(default)]
    ephemeral_1h_input_tokens: Option<u64>,
}

impl RawUsage<'_> {
    fn to_usage(&self) -> Usage {
        let write = self.cache_creation_input_tokens.unwrap_or(0);
        let (w5, w1) = match &self.cache_creation {
            Some(c) => {
                let w1 = c.ephemeral_1h_input_tokens.unwrap_or(0).min(write);
                // The split is a detail of the total: whatever it does not explain is 5-minute writes.
                (write - w1, w1)
            }
            None => (write, 0),
        };
        Usage {
            input: self.input_tokens.unwrap_or(0),
            output: self.output_tokens.unwrap_or(0),
            cache_read: self.cache_read_input_tokens.unwrap_or(0),
            cache_write_5m: w5,
            cache_write_1h: w1,
            reasoning: 0,
        }
    }

    fn tier(&self) -> ServiceTier {
        match (self.speed.as_deref(), self.service_tier.as_deref()) {
            (Some("fast"), _) => ServiceTier::Fast,
            (_, Some("priority")) => ServiceTier::Priority,
            _ => ServiceTier::Standard,
        }
    }
}

#[derive(Deserialize)]
struct Block<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    input: Option<&'a RawValue>,
    #[serde(borrow, default)]
    tool_use_id: Option<Cow<'a, str>>,
    #[serde(default)]
    is_error: Option<bool>,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct ToolInput<'a> {
    #[serde(borrow, default)]
    file_path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    notebook_path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pattern: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    command: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    old_string: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    new_string: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    edits: Option<Vec<EditPair<'a>>>,
}

#[derive(Deserialize)]
struct EditPair<'a> {
    #[serde(borrow, default)]
    old_string: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    new_string: Option<Cow<'a, str>>,
    #[serde(default)]
    replace_all: Option<bool>,
}

#[derive(Deserialize)]
struct ToolUseResult<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(rename = "filePath", borrow, default)]
    file_path: Option<Cow<'a, str>>,
    #[serde(rename = "structuredPatch", default)]
    structured_patch: Option<Vec<PatchHunk>>,
    /// The file before the edit (`originalFileContents` in older versions' `MultiEdit` results).
    #[serde(
        rename = "originalFile",
        alias = "originalFileContents",
        borrow,
        default
    )]
    original_file: Option<Cow<'a, str>>,
    #[serde(rename = "oldString", borrow, default)]
    old_string: Option<Cow<'a, str>>,
    #[serde(rename = "newString", borrow, default)]
    new_string: Option<Cow<'a, str>>,
    #[serde(rename = "replaceAll", default)]
    replace_all: Option<bool>,
    #[serde(borrow, default)]
    edits: Option<Vec<EditPair<'a>>>,
    #[serde(borrow, default)]
    content: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PatchHunk {
    #[serde(rename = "oldStart", default)]
    old_start: Option<u32>,
    #[serde(default)]
    lines: Vec<String>,
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

fn tool_call(block: &Block<'_>) -> ToolCall {
    let name = block.name.as_deref().unwrap_or("unknown").to_owned();
    let input_raw = block.input.map(|r| r.get()).unwrap_or("{}");
    let input: ToolInput<'_> = serde_json::from_str(input_raw).unwrap_or_default();
    let file = input
        .file_path
        .as_deref()
        .or(input.notebook_path.as_deref());
    let mut paths: Vec<String> = Vec::new();
    let mut command = None;
    let kind = match name.as_str() {
        "Read" | "NotebookRead" => ToolKind::Read,
        "Write" => ToolKind::Write,
        "Edit" | "MultiEdit" | "NotebookEdit" => ToolKind::Edit,
        "Grep" | "Glob" => {
            command = input.pattern.as_deref().map(str::to_owned);
            ToolKind::Search
        }
        "LS" => ToolKind::List,
        "Bash" => {
            command = input.command.as_deref().map(str::to_owned);
            // `cat src/x.rs` is a read, as the same command is for Codex.
            let (kind, named) = command
                .as_deref()
                .map_or((ToolKind::Shell, Vec::new()), super::shell::classify_script);
            paths.extend(named);
            kind
        }
        "BashOutput" => ToolKind::Shell,
        _ => ToolKind::Other,
    };
    if let Some(f) = file {
        paths.push(f.to_owned());
    } else if let Some(p) = input.path.as_deref() {
        paths.push(p.to_owned());
    }
    // Without a result (or with one that lacks the patch), the edit is rebuilt from the call's input;
    // `add_tool_results` replaces it with the applied patch, or drops it when the call failed.
    let edit = file.and_then(|f| edit_from_input(&name, f, &input));
    let is_bash = name == "Bash";
    let mut call = ToolCall::new(block.id.as_deref().unwrap_or_default(), kind, name);
    if is_bash && let Some(cmd) = &command {
        let fx = shell_writes::effects(cmd);
        call.shell_writes = fx.writes;
        call.shell_touched = fx.touched;
    }
    call.paths = paths;
    call.command = command;
    call.input_bytes = input_raw.len() as u64;
    call.edit = edit;
    call
}

fn split_lines(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
        .collect()
}

fn edit_from_input(name: &str, path: &str, input: &ToolInput<'_>) -> Option<Edit> {
    let hunk = |old: Option<&str>, new: Option<&str>| Hunk {
        old_start: None,
        old: split_lines(old.unwrap_or_default()),
        new: split_lines(new.unwrap_or_default()),
    };
    let (op, hunks) = match name {
        "Write" => (
            EditOp::Create,
            vec![hunk(None, Some(input.content.as_deref()?))],
        ),
        "Edit" => (
            EditOp::Update,
            vec![hunk(
                input.old_string.as_deref(),
                input.new_string.as_deref(),
            )],
        ),
        "MultiEdit" => (
            EditOp::Update,
            input
                .edits
                .as_ref()?
                .iter()
                .map(|e| hunk(e.old_string.as_deref(), e.new_string.as_deref()))
                .collect(),
        ),
        _ => return None,
    };
    Some(Edit {
        path: path.to_owned(),
        op,
        hunks,
    })
}

#[derive(Deserialize)]
struct TextPart<'a> {
    #[serde(borrow, default)]
    text: Option<&'a RawValue>,
}

/// Bytes of a tool result as the model received it: the text of a string or of text parts, measured
/// on the raw JSON without unescaping it (tool output is most of a log's bytes; copying it is the cost).
fn result_bytes(content: Option<&RawValue>) -> u64 {
    let Some(raw) = content else { return 0 };
    let text = raw.get().as_bytes();
    match text.first() {
        Some(b'"') => json_string_len(text),
        Some(b'[') => {
            let Ok(parts) = serde_json::from_str::<Vec<TextPart<'_>>>(raw.get()) else {
                return text.len() as u64;
            };
            parts
                .iter()
                .filter_map(|p| p.text)
                .map(|t| json_string_len(t.get().as_bytes()))
                .sum()
        }
        _ => text.len() as u64,
    }
}

/// The text of a tool result (a string, or the text parts of an array), decoded: read only for the few
/// results that are scanned (commit lines).
fn result_text(content: Option<&RawValue>) -> String {
    let Some(raw) = content else {
        return String::new();
    };
    if let Ok(s) = serde_json::from_str::<Cow<'_, str>>(raw.get()) {
        return s.into_owned();
    }
    #[derive(Deserialize)]
    struct Part<'a> {
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    }
    serde_json::from_str::<Vec<Part<'_>>>(raw.get())
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.text.as_deref())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Joins the results in a user line with the tool calls that asked for them.
fn add_tool_results(b: &mut Building, msg: Message<'_>, tool_use_result: Option<&RawValue>) {
    let results: Vec<Block<'_>> = msg
        .content
        .0
        .into_iter()
        .filter(|bl| bl.kind.as_deref() == Some("tool_result"))
        .collect();
    let single = results.len() == 1;
    for result in results {
        let Some(id) = result.tool_use_id.as_deref() else {
            continue;
        };
        let Some(&(si, ci)) = b.by_tool_id.get(id) else {
            continue;
        };
        let call = &mut b.session.steps[si].tool_calls[ci];
        call.output_bytes = result_bytes(result.content);
        call.is_error = result.is_error == Some(true);
        // A commit the command made is printed even when a later part of it failed (`&& git push`).
        if call
            .command
            .as_deref()
            .is_some_and(shell_writes::may_commit)
        {
            call.commits = shell_writes::commits_in_output(&result_text(result.content));
        }
        if call.is_error {
            call.edit = None;
            call.shell_writes.clear();
            continue;
        }
        // `toolUseResult` describes the one result of the line; it is the applied patch for edits.
        if single
            && matches!(call.kind, ToolKind::Edit | ToolKind::Write)
            && let Some(tur) = tool_use_result
            && let Ok(tur) = serde_json::from_str::<ToolUseResult<'_>>(tur.get())
            && let Some(edit) = edit_from_result(call, &tur)
        {
            call.edit = Some(edit);
        }
    }
}

/// The applied edit, in order of trust: the original file with the requested replacements applied (exact
/// whole lines, real tabs); else the result's patch with its tabs repaired from the call's input; else
/// `None` (the edit built from the input stays). See [`super::rebuild`] for why the patch comes last.
fn edit_from_result(call: &ToolCall, tur: &ToolUseResult<'_>) -> Option<Edit> {
    if !matches!(call.kind, ToolKind::Edit | ToolKind::Write) {
        return None;
    }
    let path = tur
        .file_path
        .as_deref()
        .map(str::to_owned)
        .or_else(|| call.paths.first().cloned())?;
    // A created file's content is the call's own `content`, already in the edit: not decoded twice.
    if tur.kind.as_deref() == Some("create") {
        return None;
    }
    if let Some(original) = tur.original_file.as_deref()
        && let Some(new_text) = requested_text(original, tur)
    {
        return Some(Edit {
            path,
            op: EditOp::Update,
            hunks: rebuild::diff_hunks(original, &new_text),
        });
    }
    let patch = tur.structured_patch.as_ref().filter(|p| !p.is_empty())?;
    let (truth_old, truth_new): (Vec<&str>, Vec<&str>) = match &call.edit {
        Some(e) => (
            e.hunks
                .iter()
                .flat_map(|h| h.old.iter().map(String::as_str))
                .collect(),
            e.hunks
                .iter()
                .flat_map(|h| h.new.iter().map(String::as_str))
                .collect(),
        ),
        None => Default::default(),
    };
    let hunks = patch
        .iter()
        .map(|h| {
            let mut hunk = Hunk {
                old_start: h.old_start,
                old: Vec::new(),
                new: Vec::new(),
            };
            for line in &h.lines {
                if let Some(rest) = line.strip_prefix('-') {
                    hunk.old.push(rest.to_owned());
                } else if let Some(rest) = line.strip_prefix('+') {
                    hunk.new.push(rest.to_owned());
                }
            }
            rebuild::repair_rendered_tabs(&mut hunk.old, &truth_old);
            rebuild::repair_rendered_tabs(&mut hunk.new, &truth_new);
            hunk
        })
        .collect();
    Some(Edit {
        path,
        op: EditOp::Update,
        hunks,
    })
}

/// The file after the call, from its original text: a `Write` over it gives its content; an `Edit` or a
/// `MultiEdit` gives the original with the replacements of the result applied. `None` when the result
/// does not carry them or one does not apply.
fn requested_text(original: &str, tur: &ToolUseResult<'_>) -> Option<String> {
    if tur.kind.as_deref() == Some("update")
        && let Some(content) = tur.content.as_deref()
    {
        return Some(content.to_owned());
    }
    if let Some(new) = tur.new_string.as_deref() {
        let replace = rebuild::Replace {
            old: tur.old_string.as_deref().unwrap_or_default(),
            new,
            all: tur.replace_all == Some(true),
        };
        return rebuild::apply(original, &[replace]);
    }
    let edits: Vec<rebuild::Replace<'_>> = tur
        .edits
        .as_ref()?
        .iter()
        .map(|e| rebuild::Replace {
            old: e.old_string.as_deref().unwrap_or_default(),
            new: e.new_string.as_deref().unwrap_or_default(),
            all: e.replace_all == Some(true),
        })
        .collect();
    rebuild::apply(original, &edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(data: &'static str, depth: Depth) -> FileLog {
        let reader = LineReader::new(Path::new("s.jsonl"), Box::new(data.as_bytes()));
        parse(Path::new("s.jsonl"), reader, depth).expect("parse")
    }

    const SNAPSHOT_THEN_FINAL: &str = concat!(
        r#"{"type":"assistant","sessionId":"s1","cwd":"/r","gitBranch":"main","timestamp":"2026-01-01T10:00:00Z","requestId":"req_1","message":{"id":"msg_1","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":3,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":2}}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s1","cwd":"/r","timestamp":"2026-01-01T10:00:01Z","requestId":"req_1","message":{"id":"msg_1","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"tool_use","id":"toolu_1","name":"Edit","input":{"file_path":"/r/a.rs","old_string":"a\nb","new_string":"a\nc\nd"}}],"usage":{"input_tokens":3,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":250}}}"#,
        "\n",
        r#"{"type":"user","sessionId":"s1","timestamp":"2026-01-01T10:00:02Z","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"ok"}]},"toolUseResult":{"filePath":"/r/a.rs","structuredPatch":[{"oldStart":4,"oldLines":2,"newStart":4,"newLines":3,"lines":[" a","-b","+c","+d"]}]}}"#,
        "\n",
    );

    #[test]
    fn one_response_over_several_lines_is_one_step_with_the_largest_usage() {
        let log = parse_str(SNAPSHOT_THEN_FINAL, Depth::Full);
        assert_eq!(log.sessions.len(), 1);
        let s = &log.sessions[0];
        assert_eq!(s.steps.len(), 1);
        let u = s.steps[0].usage.expect("usage");
        assert_eq!(
            (u.input, u.output, u.cache_read, u.cache_write()),
            (3, 250, 1000, 100)
        );
        assert_eq!(s.branch.as_deref(), Some("main"));
        let call = &s.steps[0].tool_calls[0];
        assert_eq!(call.kind, ToolKind::Edit);
        assert_eq!(call.output_bytes, 2);
        let edit = call.edit.as_ref().expect("edit");
        assert_eq!(edit.hunks[0].old_start, Some(4));
        assert_eq!(edit.hunks[0].old, vec!["b"]);
        assert_eq!(edit.hunks[0].new, vec!["c", "d"]);
        assert_eq!(log.skipped.total(), 0);
    }

    #[test]
    fn usage_depth_counts_the_same_tokens() {
        let full = parse_str(SNAPSHOT_THEN_FINAL, Depth::Full);
        let fast = parse_str(SNAPSHOT_THEN_FINAL, Depth::Usage);
        assert_eq!(full.sessions[0].usage(), fast.sessions[0].usage());
        assert!(fast.sessions[0].steps[0].tool_calls.is_empty());
    }

    #[test]
    fn failed_edit_has_no_edit_and_is_an_error() {
        let data = concat!(
            r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","requestId":"r","message":{"id":"m","role":"assistant","model":"claude-opus-4-6","content":[{"type":"tool_use","id":"t","name":"Edit","input":{"file_path":"/x","old_string":"nope","new_string":"yes"}}],"usage":{"input_tokens":1,"output_tokens":1}}}"#,
            "\n",
            r#"{"type":"user","sessionId":"s","timestamp":"2026-01-01T10:00:01Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":true,"content":"<tool_use_error>String to replace not found in file.</tool_use_error>"}]},"toolUseResult":"Error: String to replace not found in file."}"#,
            "\n"
        );
        let log = parse_str(data, Depth::Full);
        let call = &log.sessions[0].steps[0].tool_calls[0];
        assert!(call.is_error);
        assert!(call.edit.is_none());
    }

    #[test]
    fn synthetic_messages_are_not_steps_and_unknown_types_are_counted() {
        let data = concat!(
            r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","message":{"id":"m","role":"assistant","model":"<synthetic>","content":[],"usage":{"input_tokens":0,"output_tokens":0}}}"#,
            "\n",
            r#"{"type":"brand-new-record","sessionId":"s"}"#,
            "\n",
            "not json\n",
            r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01"#
        );
        let log = parse_str(data, Depth::Full);
        assert!(log.sessions.iter().all(|s| s.steps.is_empty()));
        assert_eq!(log.skipped.by_reason.get(skip::UNKNOWN_RECORD), Some(&1));
        assert_eq!(log.skipped.by_reason.get(skip::INVALID_JSON), Some(&1));
        assert_eq!(log.skipped.by_reason.get(skip::TRUNCATED), Some(&1));
    }

    #[test]
    fn result_bytes_count_decoded_text() {
        let raw: Box<RawValue> =
            serde_json::from_str(r#"[{"type":"text","text":"abc"},{"type":"text","text":"d\te"}]"#)
                .expect("raw");
        assert_eq!(result_bytes(Some(&raw)), 6);
    }

    #[test]
    fn one_hour_cache_writes_are_split_out() {
        let data = concat!(
            r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","message":{"id":"m","role":"assistant","model":"claude-opus-4-6","usage":{"input_tokens":3,"cache_creation_input_tokens":500,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":420},"output_tokens":9,"speed":"fast"}}}"#,
            "\n"
        );
        let step = &parse_str(data, Depth::Usage).sessions[0].steps[0];
        let u = step.usage.expect("usage");
        assert_eq!((u.cache_write_5m, u.cache_write_1h), (80, 420));
        assert_eq!(step.service_tier, ServiceTier::Fast);
    }

    fn shared_sample(name: &str) -> Option<std::path::PathBuf> {
        super::super::shared_sample(&format!("claude-code/{name}"))
    }

    /// The real transcripts that edit tab-indented Go files: every edit line is a whole line of the file
    /// as the edit left it (originalFile + the tool input, applied here with plain string replacement),
    /// tabs included — never the patch's two-space rendering.
    #[test]
    fn real_tab_indented_edits_match_original_file_plus_input() {
        let cases = [
            // (file, edits, lines added, lines removed): the counts of Claude Code's own patches.
            ("entire-v2.1.36-opus46-bash-edit.jsonl", 2, 0, 19),
            ("entire-v2.1.3-sonnet45-todowrite-write.jsonl", 1, 64, 192),
            ("entire-v2.0.76-summary-edit-bash.jsonl", 2, 4, 4),
            ("entire-v2.1.22-edits-with-failed-edit.jsonl", 2, 2, 2),
        ];
        for (name, edits_expected, added_expected, removed_expected) in cases {
            let Some(path) = shared_sample(name) else {
                return;
            };
            // Independent expectation: each result's originalFile with its input applied.
            let mut after: HashMap<String, String> = HashMap::new();
            for line in std::fs::read_to_string(&path).expect("read").lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("json");
                let tur = &v["toolUseResult"];
                let Some(orig) = tur["originalFile"].as_str() else {
                    continue;
                };
                let id = v["message"]["content"][0]["tool_use_id"]
                    .as_str()
                    .expect("tool_use_id")
                    .to_owned();
                let new = match (tur["oldString"].as_str(), tur["content"].as_str()) {
                    (Some(old), _) => {
                        orig.replacen(old, tur["newString"].as_str().expect("newString"), 1)
                    }
                    (None, Some(content)) => content.to_owned(),
                    _ => continue,
                };
                after.insert(id, new);
            }
            let log = parse_file(&path, Depth::Full);
            let calls: Vec<&ToolCall> = log
                .sessions
                .iter()
                .flat_map(|s| s.tool_calls())
                .filter(|c| c.edit.is_some() && after.contains_key(&c.id))
                .collect();
            assert_eq!(calls.len(), edits_expected, "{name}: rebuilt edits");
            let (mut added, mut removed) = (0, 0);
            for call in calls {
                let edit = call.edit.as_ref().expect("edit");
                let file_after = &after[&call.id];
                for line in edit.hunks.iter().flat_map(|h| h.new.iter()) {
                    assert!(
                        file_after.lines().any(|l| l == line),
                        "{name}: {line:?} is not a line of the edited file"
                    );
                }
                added += edit.lines_added();
                removed += edit.lines_removed();
            }
            assert_eq!(
                (added, removed),
                (added_expected, removed_expected),
                "{name}: lines added/removed"
            );
        }
        if let Some(path) = shared_sample("entire-v2.1.36-opus46-bash-edit.jsonl") {
            let log = parse_file(&path, Depth::Full);
            let new: Vec<&String> = log
                .sessions
                .iter()
                .flat_map(|s| s.tool_calls())
                .filter_map(|c| c.edit.as_ref())
                .flat_map(|e| e.hunks.iter().flat_map(|h| h.new.iter()))
                .collect();
            let old: Vec<&String> = log
                .sessions
                .iter()
                .flat_map(|s| s.tool_calls())
                .filter_map(|c| c.edit.as_ref())
                .flat_map(|e| e.hunks.iter().flat_map(|h| h.old.iter()))
                .collect();
            assert!(
                new.is_empty(),
                "a conflict resolution that only keeps one side adds nothing"
            );
            assert!(
                old.iter()
                    .any(|l| l.starts_with("\t\tagentType := DefaultAgentType"))
            );
            assert!(!old.iter().any(|l| l.starts_with("    agentType")));
        }
    }

    fn parse_file(path: &std::path::Path, depth: Depth) -> FileLog {
        parse(path, LineReader::open(path).expect("open"), depth).expect("parse")
    }

    #[test]
    fn bash_reads_weigh_as_reads_like_codex_ones() {
        let block: Block<'_> = serde_json::from_str(
            r#"{"type":"tool_use","id":"t","name":"Bash","input":{"command":"cat src/x.rs"}}"#,
        )
        .expect("block");
        let call = tool_call(&block);
        assert_eq!(call.kind, ToolKind::Read);
        assert_eq!(call.paths, vec!["src/x.rs"]);
        assert_eq!(call.command.as_deref(), Some("cat src/x.rs"));
        let block: Block<'_> = serde_json::from_str(
            r#"{"type":"tool_use","id":"t","name":"Bash","input":{"command":"cargo test"}}"#,
        )
        .expect("block");
        assert_eq!(tool_call(&block).kind, ToolKind::Shell);
    }

    #[test]
    fn an_escaped_usage_key_is_read_by_the_fast_path_too() {
        let data = concat!(
            r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","requestId":"r","message":{"id":"m","role":"assistant","model":"claude-opus-4-6","\u0075sage":{"input_tokens":7,"output_tokens":9}}}"#,
            "\n",
            r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:01Z","requestId":"r2","message":{"id":"m2","role":"assistant","model":"claude-opus-4-6","us\u0061ge":{"input_tokens":1,"output_tokens":2}}}"#,
            "\n",
        );
        let full = parse_str(data, Depth::Full);
        let fast = parse_str(data, Depth::Usage);
        assert_eq!(full.sessions[0].usage().0.input, 8);
        assert_eq!(full.sessions[0].usage(), fast.sessions[0].usage());
        assert!(may_hold_usage(br#"{"\u0075sage":1}"#));
        assert!(!may_hold_usage(br#"{"text":"\u001b[31mred"}"#));
    }

    const COST_STATE: &str = concat!(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","requestId":"r","message":{"id":"m","role":"assistant","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":20}}}"#,
        "\n",
        r#"{"type":"cost-state","sessionId":"s","timestamp":"2026-01-01T10:00:05Z","totalCostUSD":0.01,"modelUsage":{"claude-sonnet-4-5-20250929":{"inputTokens":10,"outputTokens":20,"costUSD":0.01}}}"#,
        "\n",
        r#"{"type":"cost-state","sessionId":"s","timestamp":"2026-01-01T10:00:09Z","totalCostUSD":0.0342,"totalDuration":9000,"modelUsage":{"claude-sonnet-4-5-20250929":{"inputTokens":10,"outputTokens":20,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"costUSD":0.00033},"claude-haiku-4-5-20251001":{"inputTokens":3100,"outputTokens":64,"costUSD":0.00342}},"hasUnknownModelCost":false}"#,
        "\n",
    );

    #[test]
    fn the_last_cost_state_is_kept_beside_the_count_at_both_depths() {
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_str(COST_STATE, depth);
            assert_eq!(log.skipped.total(), 0);
            let s = &log.sessions[0];
            assert_eq!(s.steps.len(), 1, "a cost-state is not a step");
            let r = s.agent_reported.as_ref().expect("cost-state read");
            assert_eq!(r.total_cost_usd, Some(0.0342));
            assert_eq!(r.models.len(), 2);
            assert_eq!(r.models["claude-haiku-4-5-20251001"].input, 3100);
            assert_eq!(r.at, "2026-01-01T10:00:09Z".parse().ok());
            let cmp = r.compare(Some(0.0003));
            assert!((cmp.difference_usd.expect("both known") - 0.0339).abs() < 1e-9);
        }
    }
}
