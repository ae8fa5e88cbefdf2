//! GitHub Copilot CLI sessions: `${COPILOT_HOME:-~/.copilot}/session-state/<id>/events.jsonl` (older
//! versions: `session-state/<id>.jsonl`), one event per line (`{"type", "data", "id", "timestamp"}`).
//!
//! `session.start` carries the session id and `context{cwd, gitRoot, branch, headCommit, baseCommit}`.
//! Each `assistant.message` is a step (its `toolRequests` are its tool calls, joined with
//! `tool.execution_start`/`tool.execution_complete`); the model is the last `session.model_change`.
//!
//! Tokens: Copilot CLI logs a message's `outputTokens`, and the rest only per session and model, in
//! `session.shutdown.data.modelMetrics[model].usage{inputTokens (cache reads included), outputTokens
//! (reasoning included), cacheReadTokens, cacheWriteTokens, reasoningTokens}`. So a message's step carries
//! its output tokens, and one summary step per model at the shutdown carries that model's input and cache
//! tokens and the output the messages did not account for: the session's totals are exact, a message's
//! cost is its output only. A session without `session.shutdown` (killed) has unknown tokens: every step's
//! usage is `None`, never zero. Premium requests (`requests{count, cost}`, a billing unit, not dollars)
//! are noted on the session.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Depth, FileLog, LineReader, shell_writes, skip, skip_reason};
use crate::error::Result;
use crate::model::{Agent, Edit, EditOp, Hunk, Session, Step, ToolCall, ToolKind, Usage};

/// GitHub Copilot CLI's session events.
pub struct Copilot;

impl super::Format for Copilot {
    fn agent(&self) -> Agent {
        Agent::Copilot
    }

    fn names(&self) -> &'static [&'static str] {
        &["copilot", "copilot-cli"]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        sniff(line)
    }

    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
        parse(path, reader, depth)
    }

    /// `$COPILOT_HOME/session-state`, else `~/.copilot/session-state`.
    fn log_roots(&self, loc: &crate::discover::Locations) -> Vec<std::path::PathBuf> {
        match (&loc.copilot_home, &loc.home) {
            (Some(h), _) => vec![h.join("session-state")],
            (None, Some(h)) => vec![h.join(".copilot").join("session-state")],
            _ => Vec::new(),
        }
    }

    fn is_log_name(&self, name: &str) -> bool {
        name.ends_with(".jsonl")
    }

    /// `<id>/events.jsonl` or `<id>.jsonl`.
    fn named_after(&self, path: &Path, root: &Path, prefix: &str) -> bool {
        path.strip_prefix(root)
            .unwrap_or(path)
            .components()
            .filter_map(|c| c.as_os_str().to_str())
            .any(|c| c.starts_with(prefix))
    }
}

/// An event line: a top-level `type` of Copilot's dotted event names and a `data` object.
pub fn sniff(line: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Top<'a> {
        #[serde(rename = "type", borrow, default)]
        kind: Option<std::borrow::Cow<'a, str>>,
        #[serde(default)]
        data: Option<serde::de::IgnoredAny>,
    }
    line.starts_with(b"{")
        && serde_json::from_slice::<Top<'_>>(line).is_ok_and(|t| {
            t.data.is_some()
                && t.kind.as_deref().is_some_and(|k| {
                    ["session.", "assistant.", "user.", "tool.", "system."]
                        .iter()
                        .any(|p| k.starts_with(p))
                })
        })
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Start<'a> {
    #[serde(rename = "sessionId", borrow, default)]
    session_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    context: Option<Context<'a>>,
}

#[derive(Deserialize, Default)]
struct Context<'a> {
    #[serde(borrow, default)]
    cwd: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "gitRoot", borrow, default)]
    git_root: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    branch: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct AssistantMessage<'a> {
    #[serde(rename = "messageId", borrow, default)]
    message_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "outputTokens", default)]
    output_tokens: Option<u64>,
    #[serde(rename = "toolRequests", borrow, default)]
    tool_requests: Option<Vec<ToolRequest<'a>>>,
}

#[derive(Deserialize)]
struct ToolRequest<'a> {
    #[serde(rename = "toolCallId", borrow, default)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Args<'a> {
    #[serde(borrow, default)]
    path: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    command: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    pattern: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    old_str: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    new_str: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    file_text: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct Complete<'a> {
    #[serde(rename = "toolCallId", borrow, default)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    success: Option<bool>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Shutdown {
    #[serde(rename = "modelMetrics", default)]
    model_metrics: BTreeMap<String, ModelMetrics>,
    #[serde(rename = "totalPremiumRequests", default)]
    premium_requests: Option<f64>,
}

#[derive(Deserialize, Default)]
struct ModelMetrics {
    #[serde(default)]
    usage: MetricUsage,
}

#[derive(Deserialize, Default)]
struct MetricUsage {
    #[serde(rename = "inputTokens", default)]
    input: u64,
    #[serde(rename = "outputTokens", default)]
    output: u64,
    #[serde(rename = "cacheReadTokens", default)]
    cache_read: u64,
    #[serde(rename = "cacheWriteTokens", default)]
    cache_write: u64,
    #[serde(rename = "reasoningTokens", default)]
    reasoning: u64,
}

/// Event types read or known and skipped without a note.
const KNOWN: &[&str] = &[
    "session.start",
    "session.resume",
    "session.model_change",
    "session.mode_changed",
    "session.info",
    "session.task_complete",
    "session.shutdown",
    "session.error",
    "session.truncation",
    "session.compaction_start",
    "session.compaction_complete",
    "system.message",
    "user.message",
    "assistant.turn_start",
    "assistant.turn_end",
    "assistant.message",
    "assistant.reasoning",
    "tool.execution_start",
    "tool.execution_partial_result",
    "tool.execution_complete",
    "tool.user_requested",
];

/// Parses one events file.
pub fn parse(path: &Path, mut reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    let fallback = match path.file_stem().and_then(|s| s.to_str()) {
        Some("events") => path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
        other => other.map(str::to_owned),
    }
    .unwrap_or_default();
    let mut s = Session::new(Agent::Copilot, fallback);
    s.files.push(path.to_path_buf());
    let mut model: Option<String> = None;
    // Tool call id → (step, call).
    let mut calls: HashMap<String, (usize, usize)> = HashMap::new();
    let mut shutdown: Option<(Timestamp, Shutdown)> = None;
    let mut last_time: Option<Timestamp> = None;
    while let Some(line) = reader.read_line()? {
        if line.oversized {
            log.skipped.add(skip::OVERSIZED);
            continue;
        }
        let bytes = line.bytes.trim_ascii();
        if bytes.is_empty() {
            continue;
        }
        let ev: Event<'_> = match serde_json::from_slice(bytes) {
            Ok(e) => e,
            Err(e) => {
                log.skipped.add(skip_reason(&line, &e));
                continue;
            }
        };
        let at = ev.timestamp.as_deref().and_then(|t| t.parse().ok());
        if let Some(at) = at {
            s.saw(at);
            last_time = Some(at);
        }
        let kind = ev.kind.as_deref().unwrap_or_default();
        if !KNOWN.contains(&kind) {
            log.skipped.add(skip::UNKNOWN_RECORD);
            continue;
        }
        let data = ev.data.map_or("{}", |d| d.get());
        match kind {
            "session.start" | "session.resume" => {
                let st: Start<'_> = serde_json::from_str(data).unwrap_or_default();
                if let Some(id) = st.session_id.as_deref() {
                    s.id = id.to_owned();
                }
                if let Some(c) = st.context {
                    if s.cwd.is_none() {
                        s.cwd = c.cwd.or(c.git_root).map(|p| p.as_ref().into());
                    }
                    if let Some(b) = c.branch.filter(|b| !b.is_empty()) {
                        s.branch = Some(b.into_owned());
                    }
                }
            }
            "session.model_change" => {
                #[derive(Deserialize)]
                struct Change {
                    #[serde(rename = "newModel", default)]
                    new_model: Option<String>,
                }
                if let Ok(c) = serde_json::from_str::<Change>(data) {
                    model = c.new_model.or(model);
                }
            }
            "assistant.message" => {
                let Some(at) = at.or(last_time) else {
                    log.skipped.add(skip::MISSING_FIELD);
                    continue;
                };
                let m: AssistantMessage<'_> = serde_json::from_str(data).unwrap_or_default();
                let mut step = Step {
                    at,
                    model: model.clone(),
                    model_inferred: false,
                    usage: m.output_tokens.map(|o| Usage {
                        output: o,
                        ..Usage::default()
                    }),
                    service_tier: Default::default(),
                    tool_calls: Vec::new(),
                    sidechain: false,
                    dedup_key: m.message_id.as_deref().map(Into::into),
                };
                if depth == Depth::Full {
                    for req in m.tool_requests.iter().flatten() {
                        let call = tool_call(req);
                        if !call.id.is_empty() {
                            calls.insert(call.id.clone(), (s.steps.len(), step.tool_calls.len()));
                        }
                        step.tool_calls.push(call);
                    }
                }
                s.steps.push(step);
            }
            "tool.execution_complete" if depth == Depth::Full => {
                let c: Complete<'_> = serde_json::from_str(data).unwrap_or_default();
                if let Some(&(si, ci)) = c.id.as_deref().and_then(|id| calls.get(id)) {
                    let call = &mut s.steps[si].tool_calls[ci];
                    call.is_error = c.success == Some(false);
                    call.output_bytes = c.result.map_or(0, |r| r.get().len() as u64);
                    if call.is_error {
                        call.edit = None;
                        call.shell_writes.clear();
                    }
                }
            }
            "session.shutdown" => {
                if let (Ok(sd), Some(at)) =
                    (serde_json::from_str::<Shutdown>(data), at.or(last_time))
                {
                    shutdown = Some((at, sd));
                }
            }
            _ => {}
        }
    }
    match shutdown {
        Some((at, sd)) => {
            // What the messages logged of each model's output; the rest is the summary step's.
            let mut logged: HashMap<String, u64> = HashMap::new();
            for st in &s.steps {
                if let (Some(m), Some(u)) = (&st.model, st.usage) {
                    *logged.entry(m.clone()).or_default() += u.output;
                }
            }
            for (name, m) in sd.model_metrics {
                let u = m.usage;
                let out = u
                    .output
                    .saturating_sub(logged.get(&name).copied().unwrap_or(0));
                s.steps.push(Step {
                    at,
                    model: Some(name),
                    model_inferred: false,
                    usage: Some(Usage {
                        input: u.input.saturating_sub(u.cache_read),
                        output: out,
                        cache_read: u.cache_read,
                        cache_write_5m: u.cache_write,
                        cache_write_1h: 0,
                        reasoning: u.reasoning,
                    }),
                    service_tier: Default::default(),
                    tool_calls: Vec::new(),
                    sidechain: false,
                    dedup_key: None,
                });
            }
            if let Some(p) = sd.premium_requests {
                s.notes.push(format!(
                    "Copilot billed {p} premium requests (its own unit, not dollars); input and cache tokens \
                     are logged per model for the whole session and sit on one summary step per model"
                ));
            }
        }
        None if !s.steps.is_empty() => {
            for st in &mut s.steps {
                st.usage = None;
            }
            s.notes.push(
                "no session.shutdown (the session was killed or is still running): Copilot CLI logs \
                 token counts only there, so this session's tokens are unknown"
                    .into(),
            );
        }
        None => {}
    }
    log.lines = reader.lines_read();
    log.bytes = reader.bytes_read();
    if !s.steps.is_empty() {
        s.skipped.merge(&log.skipped);
        log.sessions.push(s);
    }
    Ok(log)
}

fn tool_call(req: &ToolRequest<'_>) -> ToolCall {
    let name = req.name.as_deref().unwrap_or("unknown");
    let raw = req.arguments.map_or("{}", |a| a.get());
    let args: Args<'_> = serde_json::from_str(raw).unwrap_or_default();
    let path = args.path.as_deref().map(str::to_owned);
    let kind = match name {
        "view" | "read" => ToolKind::Read,
        "grep" | "glob" | "search" => ToolKind::Search,
        "ls" | "list" => ToolKind::List,
        "edit" | "str_replace" | "str_replace_editor" => ToolKind::Edit,
        "create" | "write" => ToolKind::Write,
        "bash" | "shell" | "powershell" => ToolKind::Shell,
        _ => ToolKind::Other,
    };
    let mut call = ToolCall::new(req.id.as_deref().unwrap_or_default(), kind, name);
    call.input_bytes = raw.len() as u64;
    if let Some(p) = &path {
        call.paths.push(p.clone());
    }
    let lines = |s: Option<&str>| -> Vec<String> {
        super::rebuild::split_lines(s.unwrap_or_default())
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    match kind {
        ToolKind::Shell => {
            if let Some(cmd) = args.command.as_deref() {
                let (k, named) = super::shell::classify_script(cmd);
                call.kind = k;
                call.paths.extend(named);
                let fx = shell_writes::effects(cmd);
                call.shell_writes = fx.writes;
                call.shell_touched = fx.touched;
                call.command = Some(cmd.to_owned());
            }
        }
        ToolKind::Search => call.command = args.pattern.as_deref().map(str::to_owned),
        ToolKind::Edit => {
            call.edit = path.map(|p| Edit {
                path: p,
                op: EditOp::Update,
                hunks: vec![Hunk {
                    old_start: None,
                    old: lines(args.old_str.as_deref()),
                    new: lines(args.new_str.as_deref()),
                }],
            });
        }
        ToolKind::Write => {
            call.edit = path.map(|p| Edit {
                path: p,
                op: EditOp::Create,
                hunks: vec![Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: lines(args.file_text.as_deref()),
                }],
            });
        }
        _ => {}
    }
    call
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(data: &str, depth: Depth) -> FileLog {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("sess-1").join("events.jsonl");
        std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
        std::fs::write(&p, data).expect("write");
        parse(&p, LineReader::open(&p).expect("open"), depth).expect("parse")
    }

    const EVENTS: &str = concat!(
        r#"{"type":"session.start","data":{"sessionId":"c-1","context":{"cwd":"/r","gitRoot":"/r","branch":"feat"}},"id":"1","timestamp":"2026-04-23T17:08:08.893Z"}"#,
        "\n",
        r#"{"type":"session.model_change","data":{"newModel":"claude-sonnet-4.5"},"id":"2","timestamp":"2026-04-23T17:08:11.057Z"}"#,
        "\n",
        r#"{"type":"assistant.message","data":{"messageId":"m1","content":"","outputTokens":100,"toolRequests":[{"toolCallId":"t1","name":"create","arguments":{"path":"/r/src/a.rs","file_text":"pub fn a() -> u8 {\n    1\n}\n"}},{"toolCallId":"t2","name":"edit","arguments":{"path":"/r/src/b.rs","old_str":"x","new_str":"let y = 2;"}}]},"id":"3","timestamp":"2026-04-23T17:09:00.000Z"}"#,
        "\n",
        r#"{"type":"tool.execution_complete","data":{"toolCallId":"t1","success":true,"result":{"content":"ok"}},"id":"4","timestamp":"2026-04-23T17:09:01.000Z"}"#,
        "\n",
        r#"{"type":"tool.execution_complete","data":{"toolCallId":"t2","success":false,"result":{"content":"no match"}},"id":"5","timestamp":"2026-04-23T17:09:02.000Z"}"#,
        "\n",
        r#"{"type":"assistant.message","data":{"messageId":"m2","content":"done","outputTokens":50},"id":"6","timestamp":"2026-04-23T17:09:30.000Z"}"#,
        "\n",
    );
    const SHUTDOWN: &str = concat!(
        r#"{"type":"session.shutdown","data":{"totalPremiumRequests":2,"modelMetrics":{"claude-sonnet-4.5":{"requests":{"count":2,"cost":2},"usage":{"inputTokens":9000,"outputTokens":400,"cacheReadTokens":6000,"cacheWriteTokens":100,"reasoningTokens":30}}}},"id":"7","timestamp":"2026-04-23T17:10:00.000Z"}"#,
        "\n"
    );

    #[test]
    fn shutdown_totals_are_exact_and_messages_keep_their_output() {
        let log = parse_str(&format!("{EVENTS}{SHUTDOWN}"), Depth::Full);
        assert_eq!(log.skipped.total(), 0);
        let s = &log.sessions[0];
        assert_eq!(s.id, "c-1");
        assert_eq!(s.branch.as_deref(), Some("feat"));
        assert_eq!(s.steps.len(), 3, "two messages and one summary step");
        let (u, unknown) = s.usage();
        assert!(!unknown);
        assert_eq!(
            (
                u.input,
                u.output,
                u.cache_read,
                u.cache_write(),
                u.reasoning
            ),
            (3000, 400, 6000, 100, 30),
            "input excludes cache reads; output as Copilot totals it"
        );
        assert_eq!(s.steps[0].usage.map(|u| u.output), Some(100));
        let calls = &s.steps[0].tool_calls;
        assert_eq!(calls[0].edit.as_ref().map(|e| e.lines_added()), Some(3));
        assert!(
            calls[1].is_error && calls[1].edit.is_none(),
            "a failed edit is no edit"
        );
        assert_eq!(
            parse_str(&format!("{EVENTS}{SHUTDOWN}"), Depth::Usage).sessions[0].usage(),
            s.usage()
        );
    }

    #[test]
    fn a_session_without_shutdown_has_unknown_tokens() {
        let log = parse_str(EVENTS, Depth::Full);
        let s = &log.sessions[0];
        assert!(s.steps.iter().all(|st| st.usage.is_none()));
        assert!(s.notes.iter().any(|n| n.contains("no session.shutdown")));
    }

    #[test]
    fn the_real_sample_has_pinned_totals() {
        let Some(p) =
            super::super::shared_sample("copilot-cli/vibecodingtracker-events-v1.0.34.jsonl")
        else {
            return;
        };
        let log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
        assert_eq!(log.skipped.total(), 0, "{:?}", log.skipped);
        let s = &log.sessions[0];
        assert_eq!(s.id, "96ef38f0-9d09-45c3-8124-6448c36090ed");
        let (u, _) = s.usage();
        // session.shutdown: inputTokens 186,809 (cache reads 151,738 included), outputTokens 2,848.
        assert_eq!((u.input, u.output, u.cache_read), (35_071, 2_848, 151_738));
        assert_eq!(s.steps.len(), 7, "six messages and one summary step");
        assert_eq!(s.tool_calls().count(), 11);
        assert_eq!(
            s.tool_calls().filter(|c| c.kind == ToolKind::Read).count(),
            4,
            "view is a read"
        );
    }
}
