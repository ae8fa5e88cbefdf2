//! OpenCode's legacy JSON store (`storage/`): a message file is read as one step of its session (ingest
//! joins the files of a session by its id), with its part files (`part/<message id>/*.json`) and its
//! session's file (`session/<project id>/<session id>.json`, for the cwd) read beside it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Message, part_calls, session_of};
use crate::error::Result;
use crate::formats::{Depth, FileLog, LineReader, skip};
use crate::model::ToolCall;

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
    // The store's root: `storage/message/<session>/<message>.json` → `storage`.
    let storage = path.parent().and_then(Path::parent).and_then(Path::parent);
    let calls = match (depth, storage, m.id.as_deref()) {
        (Depth::Full, Some(st), Some(id)) if m.role.as_deref() == Some("assistant") => {
            message_calls(&st.join("part").join(id))
        }
        _ => Vec::new(),
    };
    let Some(mut s) = session_of(&m, session_id.clone(), calls) else {
        // No time: a user message is nothing to count, an assistant message cannot be placed.
        if m.role.as_deref() == Some("assistant") {
            log.skipped.add(skip::MISSING_FIELD);
        }
        return Ok(log);
    };
    s.files.push(path.to_path_buf());
    if let Some(st) = storage {
        s.cwd = session_directory(st, &session_id);
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
        let Ok(f) = crate::formats::open_regular(&p) else {
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
fn message_calls(dir: &Path) -> Vec<ToolCall> {
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
        let Ok(file) = crate::formats::open_regular(&f) else {
            continue;
        };
        let mut text = Vec::new();
        use std::io::Read;
        if file.take(MAX_RECORD as u64).read_to_end(&mut text).is_err() {
            continue;
        }
        out.extend(part_calls(&text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Depth;

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
        let Some(p) = crate::formats::shared_sample("opencode/tokscale-msg_test001.json") else {
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
