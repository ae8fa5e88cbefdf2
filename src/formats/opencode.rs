//! OpenCode's JSON store: `${OPENCODE_DATA_DIR:-${XDG_DATA_HOME:-~/.local/share}/opencode}/storage/`, one file
//! per record — `message/<session id>/<message id>.json` (a message: `role`, `modelID`, `providerID`,
//! `time{created, completed}` in milliseconds, `tokens{input, output, reasoning, cache{read, write}}`,
//! OpenCode's own `cost`), `part/<message id>/<part id>.json` (its parts: `tool` parts carry the tool
//! name and `state{status, input}`), `session/<project id>/<session id>.json` (`directory`, the cwd).
//!
//! Each assistant message file is read as one step of its session (ingest joins the files of a session by
//! its id); its parts are read beside it. Tokens: `input` is fresh input (OpenCode keeps cache reads and
//! writes apart), `output` + `reasoning` is billed output (`reasoning` its part). OpenCode's `cost` is
//! summed into the session's `agent_reported`, beside the price-table cost (the price table's figure is
//! the one shown). Edits come from `edit` (`filePath`, `oldString` → `newString`) and `write` (`filePath`,
//! `content`) parts that completed; `read`, `grep`/`glob`, `list` and `bash` parts are reads, searches,
//! listings and shell calls. Not read yet: the SQLite database (`opencode.db`) newer versions keep, and
//! `patch` parts.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;

use super::{Depth, FileLog, LineReader, rebuild, shell_writes, skip};
use crate::error::Result;
use crate::model::{Agent, Edit, EditOp, Hunk, Session, Step, ToolCall, ToolKind, Usage};

/// OpenCode's JSON store.
pub struct OpenCode;

impl super::Format for OpenCode {
    fn agent(&self) -> Agent {
        Agent::OpenCode
    }

    fn names(&self) -> &'static [&'static str] {
        &["opencode"]
    }

    /// A message record: `sessionID` and `modelID`/`role` at the top level.
    fn sniff(&self, line: &[u8]) -> bool {
        #[derive(Deserialize)]
        struct Top {
            #[serde(rename = "sessionID", default)]
            session_id: Option<serde::de::IgnoredAny>,
            #[serde(default)]
            role: Option<serde::de::IgnoredAny>,
        }
        line.starts_with(b"\"sessionID\"")
            || (line.starts_with(b"{")
                && serde_json::from_slice::<Top>(line)
                    .is_ok_and(|t| t.session_id.is_some() && t.role.is_some()))
    }

    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
        parse(path, reader, depth)
    }

    fn log_roots(&self, loc: &crate::discover::Locations) -> Vec<PathBuf> {
        let data = loc.opencode_data_dir.clone().or_else(|| {
            loc.xdg_data_home
                .clone()
                .or_else(|| loc.home.as_ref().map(|h| h.join(".local/share")))
                .map(|d| d.join("opencode"))
        });
        data.map(|d| vec![d.join("storage").join("message")])
            .unwrap_or_default()
    }

    fn is_log_name(&self, name: &str) -> bool {
        name.starts_with("msg_") && name.ends_with(".json")
    }

    /// `message/<session id>/<message id>.json`.
    fn named_after(&self, path: &Path, _root: &Path, prefix: &str) -> bool {
        path.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix))
    }
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "sessionID", default)]
    session_id: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(rename = "modelID", default)]
    model_id: Option<String>,
    #[serde(default)]
    time: Option<Times>,
    #[serde(default)]
    tokens: Option<Tokens>,
    #[serde(default)]
    cost: Option<f64>,
}

#[derive(Deserialize)]
struct Times {
    #[serde(default)]
    created: Option<i64>,
}

#[derive(Deserialize, Default)]
struct Tokens {
    #[serde(default)]
    input: u64,
    #[serde(default)]
    output: u64,
    #[serde(default)]
    reasoning: u64,
    #[serde(default)]
    cache: Cache,
}

#[derive(Deserialize, Default)]
struct Cache {
    #[serde(default)]
    read: u64,
    #[serde(default)]
    write: u64,
}

#[derive(Deserialize)]
struct Part {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    tool: Option<String>,
    #[serde(rename = "callID", default)]
    call_id: Option<String>,
    #[serde(default)]
    state: Option<State>,
}

#[derive(Deserialize)]
struct State {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    input: Option<Input>,
}

#[derive(Deserialize, Default)]
struct Input {
    #[serde(rename = "filePath", default)]
    file_path: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(rename = "oldString", default)]
    old_string: Option<String>,
    #[serde(rename = "newString", default)]
    new_string: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    pattern: Option<String>,
}

/// The largest record read (they are small: one message or part each).
const MAX_RECORD: usize = 64 << 20;

fn read_all(mut reader: LineReader, log: &mut FileLog) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    while let Some(line) = reader.read_line()? {
        if line.oversized || buf.len() + line.bytes.len() > MAX_RECORD {
            log.skipped.add(skip::OVERSIZED);
            return Ok(Vec::new());
        }
        buf.extend_from_slice(line.bytes);
        buf.push(b'\n');
    }
    log.lines = reader.lines_read();
    log.bytes = reader.bytes_read();
    Ok(buf)
}

/// Parses one message file (and its parts, beside it in the store).
pub fn parse(path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    let buf = read_all(reader, &mut log)?;
    if buf.is_empty() {
        return Ok(log);
    }
    let m: Message = match serde_json::from_slice(&buf) {
        Ok(m) => m,
        Err(_) => {
            log.skipped.add(skip::INVALID_JSON);
            return Ok(log);
        }
    };
    let session_id = m.session_id.clone().or_else(|| {
        path.parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
    });
    let Some(session_id) = session_id else {
        log.skipped.add(skip::MISSING_FIELD);
        return Ok(log);
    };
    let mut s = Session::new(Agent::OpenCode, session_id.clone());
    s.files.push(path.to_path_buf());
    let at = m
        .time
        .as_ref()
        .and_then(|t| t.created)
        .and_then(|ms| Timestamp::from_millisecond(ms).ok());
    if let Some(at) = at {
        s.saw(at);
    }
    // The store's root: `storage/message/<session>/<message>.json` → `storage`.
    let storage = path.parent().and_then(Path::parent).and_then(Path::parent);
    if let Some(st) = storage {
        s.cwd = session_directory(st, &session_id);
    }
    if m.role.as_deref() != Some("assistant") {
        // A user message: its time widens the session, nothing is billed.
        if at.is_some() {
            log.sessions.push(s);
        }
        return Ok(log);
    }
    let Some(at) = at else {
        log.skipped.add(skip::MISSING_FIELD);
        return Ok(log);
    };
    let usage = m.tokens.as_ref().map(|t| Usage {
        input: t.input,
        output: t.output.saturating_add(t.reasoning),
        cache_read: t.cache.read,
        cache_write_5m: t.cache.write,
        cache_write_1h: 0,
        reasoning: t.reasoning,
    });
    let calls = match (depth, storage, m.id.as_deref()) {
        (Depth::Full, Some(st), Some(id)) => tool_calls(&st.join("part").join(id)),
        _ => Vec::new(),
    };
    s.steps.push(Step {
        at,
        model: m.model_id.clone(),
        model_inferred: false,
        usage,
        service_tier: Default::default(),
        tool_calls: calls,
        sidechain: false,
        dedup_key: m.id.as_deref().map(|id| format!("opencode:{id}").into()),
    });
    if let Some(c) = m.cost {
        s.agent_reported = Some(crate::model::AgentReported {
            source: "opencode",
            at: Some(at),
            total_cost_usd: Some(c),
            models: Default::default(),
            has_unknown_model_cost: false,
        });
    }
    log.sessions.push(s);
    Ok(log)
}

/// The `directory` of `storage/session/<project>/<session>.json`.
fn session_directory(storage: &Path, session: &str) -> Option<PathBuf> {
    #[derive(Deserialize)]
    struct Info {
        #[serde(default)]
        directory: Option<String>,
    }
    let name = format!("{session}.json");
    for project in std::fs::read_dir(storage.join("session")).ok()?.flatten() {
        let p = project.path().join(&name);
        let Ok(f) = super::open_regular(&p) else {
            continue;
        };
        let mut text = Vec::new();
        use std::io::Read;
        if f.take(1 << 20).read_to_end(&mut text).is_err() {
            continue;
        }
        if let Some(d) = serde_json::from_slice::<Info>(&text)
            .ok()
            .and_then(|i| i.directory)
            .filter(|d| !d.is_empty())
        {
            return Some(PathBuf::from(d));
        }
    }
    None
}

/// The tool calls of a message, from its part files (in name order: OpenCode's ids sort by time).
fn tool_calls(dir: &Path) -> Vec<ToolCall> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(file) = super::open_regular(&f) else {
            continue;
        };
        let mut text = Vec::new();
        use std::io::Read;
        if file.take(MAX_RECORD as u64).read_to_end(&mut text).is_err() {
            continue;
        }
        let Ok(part) = serde_json::from_slice::<Part>(&text) else {
            continue;
        };
        if part.kind.as_deref() != Some("tool") {
            continue;
        }
        out.push(tool_call(&part, text.len() as u64));
    }
    out
}

fn tool_call(part: &Part, bytes: u64) -> ToolCall {
    let name = part.tool.as_deref().unwrap_or("unknown");
    let input = part
        .state
        .as_ref()
        .and_then(|s| s.input.as_ref())
        .map_or_else(Input::default, |i| Input {
            file_path: i.file_path.clone(),
            path: i.path.clone(),
            old_string: i.old_string.clone(),
            new_string: i.new_string.clone(),
            content: i.content.clone(),
            command: i.command.clone(),
            pattern: i.pattern.clone(),
        });
    let failed = part
        .state
        .as_ref()
        .and_then(|s| s.status.as_deref())
        .is_some_and(|s| s == "error");
    let kind = match name {
        "read" => ToolKind::Read,
        "grep" | "glob" => ToolKind::Search,
        "list" => ToolKind::List,
        "edit" => ToolKind::Edit,
        "write" => ToolKind::Write,
        "bash" => ToolKind::Shell,
        _ => ToolKind::Other,
    };
    let mut call = ToolCall::new(part.call_id.as_deref().unwrap_or_default(), kind, name);
    call.output_bytes = bytes;
    call.is_error = failed;
    let file = input.file_path.clone().or_else(|| input.path.clone());
    if let Some(f) = &file {
        call.paths.push(f.clone());
    }
    let lines = |s: Option<&str>| -> Vec<String> {
        rebuild::split_lines(s.unwrap_or_default())
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    match kind {
        ToolKind::Edit if !failed => {
            call.edit = file.map(|p| Edit {
                path: p,
                op: EditOp::Update,
                hunks: vec![Hunk {
                    old_start: None,
                    old: lines(input.old_string.as_deref()),
                    new: lines(input.new_string.as_deref()),
                }],
            });
        }
        ToolKind::Write if !failed => {
            call.edit = file.map(|p| Edit {
                path: p,
                op: EditOp::Create,
                hunks: vec![Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: lines(input.content.as_deref()),
                }],
            });
        }
        ToolKind::Shell => {
            if let Some(cmd) = input.command.as_deref() {
                let (k, named) = super::shell::classify_script(cmd);
                call.kind = k;
                call.paths.extend(named);
                if !failed {
                    let fx = shell_writes::effects(cmd);
                    call.shell_writes = fx.writes;
                    call.shell_touched = fx.touched;
                }
                call.command = Some(cmd.to_owned());
            }
        }
        ToolKind::Search => call.command = input.pattern.clone(),
        _ => {}
    }
    call
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Path, v: serde_json::Value) {
        std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
        std::fs::write(p, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
    }

    #[test]
    fn a_message_its_parts_and_its_session_directory() {
        let dir = tempfile::tempdir().expect("tmp");
        let st = dir.path().join("storage");
        write(
            &st.join("session/prj_1/ses_1.json"),
            serde_json::json!({"id": "ses_1", "directory": "/home/u/app", "title": "t"}),
        );
        let msg = st.join("message/ses_1/msg_2.json");
        write(
            &msg,
            serde_json::json!({"id": "msg_2", "sessionID": "ses_1", "role": "assistant",
                "time": {"created": 1_777_000_000_000i64}, "modelID": "claude-sonnet-4-5-20250929",
                "providerID": "anthropic", "cost": 0.012,
                "tokens": {"input": 1000, "output": 500, "reasoning": 20, "cache": {"read": 200, "write": 100}}}),
        );
        write(
            &st.join("part/msg_2/prt_1.json"),
            serde_json::json!({"id": "prt_1", "type": "tool", "tool": "write", "callID": "c1",
                "state": {"status": "completed", "input": {"filePath": "/home/u/app/src/a.rs", "content": "pub fn a() {}\n"}}}),
        );
        write(
            &st.join("part/msg_2/prt_2.json"),
            serde_json::json!({"id": "prt_2", "type": "tool", "tool": "edit", "callID": "c2",
                "state": {"status": "error", "input": {"filePath": "/home/u/app/src/b.rs", "oldString": "x", "newString": "y"}}}),
        );
        write(
            &st.join("part/msg_2/prt_0.json"),
            serde_json::json!({"id": "prt_0", "type": "text", "text": "ok"}),
        );
        let log = parse(&msg, LineReader::open(&msg).expect("open"), Depth::Full).expect("parse");
        let s = &log.sessions[0];
        assert_eq!(s.id, "ses_1");
        assert_eq!(s.cwd.as_deref(), Some(Path::new("/home/u/app")));
        let u = s.steps[0].usage.expect("usage");
        assert_eq!(
            (
                u.input,
                u.output,
                u.reasoning,
                u.cache_read,
                u.cache_write()
            ),
            (1000, 520, 20, 200, 100)
        );
        let calls = &s.steps[0].tool_calls;
        assert_eq!(calls.len(), 2, "text parts are not calls");
        assert_eq!(calls[0].edit.as_ref().map(|e| e.lines_added()), Some(1));
        assert!(calls[1].is_error && calls[1].edit.is_none());
        assert_eq!(
            s.agent_reported.as_ref().and_then(|r| r.total_cost_usd),
            Some(0.012)
        );
    }

    /// The real legacy message of the shared samples (no parts or session beside it).
    #[test]
    fn the_real_message_sample() {
        let Some(p) = super::super::shared_sample("opencode/tokscale-msg_test001.json") else {
            return;
        };
        let log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
        assert_eq!(log.skipped.total(), 0);
        let s = &log.sessions[0];
        assert_eq!(s.id, "ses_test001");
        let (u, _) = s.usage();
        assert_eq!(
            (u.input, u.output, u.cache_read, u.cache_write()),
            (1000, 500, 200, 100)
        );
        assert_eq!(
            s.steps[0].model.as_deref(),
            Some("claude-3-5-sonnet-20241022")
        );
    }
}
