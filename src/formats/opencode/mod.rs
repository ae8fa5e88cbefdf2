//! OpenCode, in both the forms it keeps its sessions in, under
//! `${OPENCODE_DATA_DIR:-${XDG_DATA_HOME:-~/.local/share}/opencode}`:
//!
//! - **the database** `opencode.db` (and `opencode-<channel>.db` for other release channels) of newer
//!   versions: SQLite tables `session` (`id`, `project_id`, `directory`, `parent_id`), `message` (`id`,
//!   `session_id`, `time_created`, the message as JSON in `data`), `part` (`message_id`, the part as JSON
//!   in `data`) and `project` (`id` — the repository's root commit for a git project — and `worktree`);
//!   read by [`database`];
//! - **the legacy JSON store** `storage/`, one file per record: `message/<session id>/<message id>.json`,
//!   `part/<message id>/<part id>.json`, `session/<project id>/<session id>.json`; read by [`json_store`].
//!
//! Both hold the same records (OpenCode migrated the JSON store into the database and may leave the files
//! behind): a message found in both is counted once, from the database ([`crate::ingest`]).
//!
//! A step is an assistant message: `tokens{input, output, reasoning, cache{read, write}}` — `input` is fresh
//! input (OpenCode keeps cache reads and writes apart), `output` + `reasoning` is billed output
//! (`reasoning` its part). OpenCode's own `cost` is summed into the session's `agent_reported`, beside the
//! price-table cost (the price table's figure is the one shown). Edits come from the message's `tool`
//! parts that completed: `edit` (`filePath`, `oldString` → `newString`), `multiedit` (`edits[]` of those),
//! `write` (`filePath`, `content`) and `apply_patch` / `patch` (`patchText`, the `*** Begin Patch` grammar
//! Codex uses too); `read`, `grep`/`glob`, `list` and `bash` parts are reads, searches, listings and shell
//! calls.

pub mod database;
pub mod json_store;

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;

use super::{Depth, FileLog, LineReader, patch, rebuild, shell_writes};
use crate::error::Result;
use crate::model::{Agent, Edit, EditOp, Hunk, Session, Step, ToolCall, ToolKind, Usage};

/// OpenCode's database and JSON store.
pub struct OpenCode;

impl super::Format for OpenCode {
    fn agent(&self) -> Agent {
        Agent::OpenCode
    }

    fn names(&self) -> &'static [&'static str] {
        &["opencode"]
    }

    /// A message record of the JSON store: `sessionID` and `role` at the top level.
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
        json_store::parse(path, reader, depth)
    }

    /// OpenCode's schema: `session`, `message` and `part` tables.
    fn sniff_database(&self, tables: &[String]) -> bool {
        ["session", "message", "part"]
            .iter()
            .all(|t| tables.iter().any(|n| n == t))
    }

    fn parse_database(&self, path: &Path, depth: Depth) -> Result<FileLog> {
        database::parse(path, depth)
    }

    fn log_roots(&self, loc: &crate::discover::Locations) -> Vec<PathBuf> {
        data_dir(loc)
            .map(|d| vec![d.join("storage").join("message")])
            .unwrap_or_default()
    }

    /// The databases in the data folder: `opencode.db`, and `opencode-<channel>.db` of other channels.
    fn log_files(&self, loc: &crate::discover::Locations) -> Vec<PathBuf> {
        let Some(dir) = data_dir(loc) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| is_database_name(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect();
        out.sort();
        out
    }

    fn is_log_name(&self, name: &str) -> bool {
        (name.starts_with("msg_") && name.ends_with(".json")) || is_database_name(name)
    }

    /// `message/<session id>/<message id>.json`; a database may hold any session.
    fn named_after(&self, path: &Path, _root: &Path, prefix: &str) -> bool {
        path.file_name()
            .is_some_and(|n| is_database_name(&n.to_string_lossy()))
            || path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
    }
}

/// OpenCode's data folder, as OpenCode resolves it.
fn data_dir(loc: &crate::discover::Locations) -> Option<PathBuf> {
    loc.opencode_data_dir.clone().or_else(|| {
        loc.xdg_data_home
            .clone()
            .or_else(|| loc.home.as_ref().map(|h| h.join(".local/share")))
            .map(|d| d.join("opencode"))
    })
}

/// `opencode.db` or `opencode-<channel>.db` (not their `-wal` / `-shm` companions).
fn is_database_name(name: &str) -> bool {
    name == "opencode.db" || (name.starts_with("opencode-") && name.ends_with(".db"))
}

/// A message, as a JSON-store file or a database row's `data` (where `id` and `sessionID` are columns).
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

impl Message {
    /// When it was created (milliseconds since the epoch in OpenCode's records).
    fn created(&self) -> Option<Timestamp> {
        self.time
            .as_ref()
            .and_then(|t| t.created)
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
    }
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
    #[serde(rename = "patchText", default)]
    patch_text: Option<String>,
    #[serde(default)]
    edits: Option<Vec<OneEdit>>,
}

/// One replacement of a `multiedit` call.
#[derive(Deserialize)]
struct OneEdit {
    #[serde(rename = "oldString", default)]
    old_string: Option<String>,
    #[serde(rename = "newString", default)]
    new_string: Option<String>,
}

/// The session a message belongs to, with the message's time; its step when it is an assistant
/// message. `calls` are the message's tool calls (read only at [`Depth::Full`]).
fn session_of(m: &Message, session_id: String, calls: Vec<ToolCall>) -> Option<Session> {
    let at = m.created()?;
    let mut s = Session::new(Agent::OpenCode, session_id);
    s.saw(at);
    if m.role.as_deref() != Some("assistant") {
        // A user message: its time widens the session, nothing is billed.
        return Some(s);
    }
    let usage = m.tokens.as_ref().map(|t| Usage {
        input: t.input,
        output: t.output.saturating_add(t.reasoning),
        cache_read: t.cache.read,
        cache_write_5m: t.cache.write,
        cache_write_1h: 0,
        reasoning: t.reasoning,
    });
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
    Some(s)
}

/// The tool calls of one part's JSON (`type: "tool"`), or none for the other part types.
fn part_calls(json: &[u8]) -> Vec<ToolCall> {
    let Ok(part) = serde_json::from_slice::<Part>(json) else {
        return Vec::new();
    };
    if part.kind.as_deref() != Some("tool") {
        return Vec::new();
    }
    tool_calls(&part, json.len() as u64)
}

/// The calls of a `tool` part: one, or one per file an `apply_patch` touches.
fn tool_calls(part: &Part, bytes: u64) -> Vec<ToolCall> {
    let name = part.tool.as_deref().unwrap_or("unknown");
    let empty = Input::default();
    let input = part
        .state
        .as_ref()
        .and_then(|s| s.input.as_ref())
        .unwrap_or(&empty);
    let failed = part
        .state
        .as_ref()
        .and_then(|s| s.status.as_deref())
        .is_some_and(|s| s == "error");
    let kind = match name {
        "read" => ToolKind::Read,
        "grep" | "glob" => ToolKind::Search,
        "list" => ToolKind::List,
        "edit" | "multiedit" | "apply_patch" | "patch" => ToolKind::Edit,
        "write" => ToolKind::Write,
        "bash" => ToolKind::Shell,
        _ => ToolKind::Other,
    };
    let id = part.call_id.as_deref().unwrap_or_default();
    let mut call = ToolCall::new(id, kind, name);
    call.output_bytes = bytes;
    call.is_error = failed;
    if matches!(name, "apply_patch" | "patch") {
        let edits = input
            .patch_text
            .as_deref()
            .map(patch::parse_patch)
            .unwrap_or_default();
        if edits.is_empty() || failed {
            call.paths.extend(edits.into_iter().map(|e| e.path));
            return vec![call];
        }
        let many = edits.len() > 1;
        return edits
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let mut c = if many {
                    ToolCall::new(format!("{id}#{}", i + 1), kind, name)
                } else {
                    ToolCall::new(id, kind, name)
                };
                if i == 0 {
                    c.output_bytes = bytes;
                }
                c.paths.push(e.path.clone());
                c.edit = Some(e);
                c
            })
            .collect();
    }
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
            let hunks: Vec<Hunk> = match &input.edits {
                Some(many) if name == "multiedit" => many
                    .iter()
                    .map(|e| Hunk {
                        old_start: None,
                        old: lines(e.old_string.as_deref()),
                        new: lines(e.new_string.as_deref()),
                    })
                    .collect(),
                _ => vec![Hunk {
                    old_start: None,
                    old: lines(input.old_string.as_deref()),
                    new: lines(input.new_string.as_deref()),
                }],
            };
            call.edit = file.map(|p| Edit {
                path: p,
                op: EditOp::Update,
                hunks,
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
    vec![call]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(v: serde_json::Value) -> Vec<ToolCall> {
        part_calls(&serde_json::to_vec(&v).expect("json"))
    }

    #[test]
    fn an_apply_patch_part_is_one_edit_per_file() {
        let calls = part(
            serde_json::json!({"type": "tool", "tool": "apply_patch", "callID": "c9",
            "state": {"status": "completed", "input": {"patchText":
                "*** Begin Patch\n*** Add File: src/new.rs\n+pub fn n() {}\n*** Update File: src/old.rs\n@@\n-a\n+b\n+c\n*** End Patch"}}}),
        );
        assert_eq!(calls.len(), 2);
        assert_eq!(
            (calls[0].id.as_str(), calls[1].id.as_str()),
            ("c9#1", "c9#2")
        );
        let added: Vec<usize> = calls
            .iter()
            .map(|c| c.edit.as_ref().map_or(0, |e| e.lines_added()))
            .collect();
        assert_eq!(added, vec![1, 2]);
    }

    #[test]
    fn a_failed_patch_and_a_multiedit() {
        let failed = part(
            serde_json::json!({"type": "tool", "tool": "apply_patch", "callID": "c1",
            "state": {"status": "error", "input": {"patchText":
                "*** Begin Patch\n*** Add File: a.rs\n+x\n*** End Patch"}}}),
        );
        assert_eq!(failed.len(), 1);
        assert!(failed[0].is_error && failed[0].edit.is_none());
        assert_eq!(failed[0].paths, vec!["a.rs".to_owned()]);
        let multi = part(
            serde_json::json!({"type": "tool", "tool": "multiedit", "callID": "c2",
            "state": {"status": "completed", "input": {"filePath": "/r/a.rs", "edits": [
                {"oldString": "a", "newString": "a\nb"}, {"oldString": "c", "newString": "d"}]}}}),
        );
        let e = multi[0].edit.as_ref().expect("edit");
        assert_eq!((e.hunks.len(), e.lines_added()), (2, 3));
        assert!(part(serde_json::json!({"type": "text", "text": "hi"})).is_empty());
    }
}
