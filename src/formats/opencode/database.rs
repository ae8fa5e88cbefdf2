//! OpenCode's SQLite database (`opencode.db`), read-only ([`crate::formats::database`]): every session of
//! every project in one file. Tables and columns as OpenCode's schema declares them
//! (`packages/opencode/src/session/session.sql.ts`, `project/project.sql.ts`):
//!
//! - `session(id, project_id, parent_id, directory, …)`: `directory` is the session's cwd;
//! - `project(id, worktree, …)`: a git project's `id` is its repository's root commit (OpenCode takes the
//!   first of `git rev-list --max-parents=0 --all`, sorted), kept on the session as
//!   [`Session::project_root_commit`] so a session can be tied to its repository after the folder moved;
//! - `message(id, session_id, time_created, data)` and `part(id, message_id, session_id, data)`: `data`
//!   is the record's JSON, the same shape as a JSON-store file without the ids (which are columns).
//!
//! A row whose `data` is not JSON is a counted `invalid-json` skip; a database without one of the columns
//! read is an error naming it (a schema agent-audit does not know yet), never a silent zero.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::Connection;

use super::{Message, part_calls, session_of};
use crate::error::{Error, Result};
use crate::formats::database::{columns, open_read_only};
use crate::formats::{Depth, FileLog, skip};
use crate::model::{AgentReported, Session, ToolCall};

/// What the `session` table says of one session.
#[derive(Default)]
struct Info {
    directory: Option<String>,
    project: Option<String>,
    parent: Option<String>,
}

/// Reads every session of the database.
pub fn parse(path: &Path, depth: Depth) -> Result<FileLog> {
    let conn = open_read_only(path)?;
    let db = |what: &str, e: rusqlite::Error| Error::Database {
        path: path.to_path_buf(),
        message: format!("{what}: {e}"),
    };
    let mut log = FileLog {
        database: true,
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        ..FileLog::default()
    };
    for (table, needed) in [
        ("session", &["id", "directory"][..]),
        ("message", &["id", "session_id", "data"][..]),
        ("part", &["message_id", "data"][..]),
    ] {
        let have = columns(&conn, table).map_err(|e| db("reading the schema", e))?;
        if let Some(missing) = needed.iter().find(|c| !have.iter().any(|h| h == *c)) {
            return Err(Error::Database {
                path: path.to_path_buf(),
                message: format!(
                    "table `{table}` has no column `{missing}`: not an OpenCode schema agent-audit \
                     knows"
                ),
            });
        }
    }
    // Newer versions also keep a `session_message` log (OpenCode's v2 message records), not read yet:
    // its rows are counted as unknown records, so that they are reported rather than silently missed.
    if !columns(&conn, "session_message")
        .map_err(|e| db("reading the schema", e))?
        .is_empty()
    {
        let n: i64 = conn
            .query_row("SELECT count(*) FROM session_message", [], |r| r.get(0))
            .map_err(|e| db("counting session_message rows", e))?;
        if n > 0 {
            *log.skipped
                .by_reason
                .entry(skip::UNKNOWN_RECORD)
                .or_default() += n as u64;
        }
    }
    let infos = sessions(&conn).map_err(|e| db("reading sessions", e))?;
    let worktrees = projects(&conn).map_err(|e| db("reading projects", e))?;
    let mut calls = match depth {
        Depth::Full => parts(&conn, &mut log).map_err(|e| db("reading parts", e))?,
        Depth::Usage => HashMap::new(),
    };

    let mut by_id: HashMap<String, Session> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut st = conn
        .prepare("SELECT id, session_id, data FROM message ORDER BY session_id, id")
        .map_err(|e| db("reading messages", e))?;
    let mut rows = st.query([]).map_err(|e| db("reading messages", e))?;
    while let Some(row) = rows.next().map_err(|e| db("reading messages", e))? {
        log.lines += 1;
        let id: Option<String> = row.get(0).ok();
        let session: Option<String> = row.get(1).ok();
        let data = row
            .get_ref(2)
            .ok()
            .and_then(|v| v.as_bytes_or_null().ok().flatten());
        let (Some(id), Some(session), Some(data)) = (id, session, data) else {
            log.skipped.add(skip::MISSING_FIELD);
            continue;
        };
        let mut m: Message = match serde_json::from_slice(data) {
            Ok(m) => m,
            Err(_) => {
                log.skipped.add(skip::INVALID_JSON);
                continue;
            }
        };
        m.id = Some(id.clone());
        let message_calls = calls.remove(&id).unwrap_or_default();
        let Some(fragment) = session_of(&m, session.clone(), message_calls) else {
            if m.role.as_deref() == Some("assistant") {
                log.skipped.add(skip::MISSING_FIELD);
            }
            continue;
        };
        let s = by_id.entry(session.clone()).or_insert_with(|| {
            order.push(session.clone());
            let mut s = Session::new(fragment.agent, session.clone());
            s.files.push(path.to_path_buf());
            let info = infos.get(&session);
            s.cwd = info
                .and_then(|i| i.directory.as_deref())
                .filter(|d| !d.is_empty())
                .map(Into::into);
            if let Some(i) = info {
                s.project_root_commit = i.project.clone().filter(|p| is_commit_id(p));
                if let Some(parent) = &i.parent {
                    s.notes.push(format!(
                        "an OpenCode subagent session (its parent is {parent}): counted on its own"
                    ));
                }
                if s.cwd.is_none() {
                    s.cwd = i
                        .project
                        .as_ref()
                        .and_then(|p| worktrees.get(p))
                        .map(Into::into);
                }
            }
            s
        });
        if let Some(at) = fragment.started_at {
            s.saw(at);
        }
        if let Some(r) = fragment.agent_reported {
            AgentReported::fold(&mut s.agent_reported, r);
        }
        s.steps.extend(fragment.steps);
    }
    log.sessions = order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect();
    // The file's skips stay the file's (reported by ingest): a row's session is not always known.
    Ok(log)
}

/// A 40- or 64-digit hexadecimal commit id (OpenCode's id of a project outside git is `global` or a
/// path hash, which ties a session to nothing).
fn is_commit_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn sessions(conn: &Connection) -> rusqlite::Result<HashMap<String, Info>> {
    let have = columns(conn, "session")?;
    let col = |c: &str| {
        if have.iter().any(|h| h == c) {
            c.to_owned()
        } else {
            "NULL".to_owned()
        }
    };
    let sql = format!(
        "SELECT id, directory, {}, {} FROM session",
        col("project_id"),
        col("parent_id")
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            Info {
                directory: r.get(1).ok().flatten(),
                project: r.get(2).ok().flatten(),
                parent: r.get(3).ok().flatten(),
            },
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, info) = row?;
        if let Some(id) = id {
            out.insert(id, info);
        }
    }
    Ok(out)
}

/// Project id → worktree, when the database has a `project` table.
fn projects(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let have = columns(conn, "project")?;
    if !["id", "worktree"]
        .iter()
        .all(|c| have.iter().any(|h| h == c))
    {
        return Ok(HashMap::new());
    }
    let mut st = conn.prepare("SELECT id, worktree FROM project")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        if let (Some(id), Some(w)) = row? {
            out.insert(id, w);
        }
    }
    Ok(out)
}

/// Every message's tool calls, from its `tool` parts in id order (OpenCode's ids sort by time).
fn parts(conn: &Connection, log: &mut FileLog) -> rusqlite::Result<HashMap<String, Vec<ToolCall>>> {
    let mut out: HashMap<String, Vec<ToolCall>> = HashMap::new();
    let mut st = conn.prepare("SELECT message_id, data FROM part ORDER BY message_id, id")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        log.lines += 1;
        let message: Option<String> = row.get(0).ok();
        let data = row
            .get_ref(1)
            .ok()
            .and_then(|v| v.as_bytes_or_null().ok().flatten());
        let (Some(message), Some(data)) = (message, data) else {
            log.skipped.add(skip::MISSING_FIELD);
            continue;
        };
        if serde_json::from_slice::<serde::de::IgnoredAny>(data).is_err() {
            log.skipped.add(skip::INVALID_JSON);
            continue;
        }
        let calls = part_calls(data);
        if !calls.is_empty() {
            out.entry(message).or_default().extend(calls);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SCHEMA: &str = include_str!("../../../testdata/opencode/schema.sql");

    fn db(dir: &Path) -> (std::path::PathBuf, Connection) {
        let p = dir.join("opencode.db");
        let c = Connection::open(&p).expect("create");
        c.execute_batch(SCHEMA).expect("schema");
        (p, c)
    }

    fn message(c: &Connection, id: &str, session: &str, ms: i64, data: serde_json::Value) {
        c.execute(
            "INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?1, ?2, ?3, ?3, ?4)",
            rusqlite::params![id, session, ms, data.to_string()],
        )
        .expect("message");
    }

    fn part(c: &Connection, id: &str, message: &str, session: &str, data: &str) {
        c.execute(
            "INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?1, ?2, ?3, 0, 0, ?4)",
            rusqlite::params![id, message, session, data],
        )
        .expect("part");
    }

    #[test]
    fn sessions_tokens_costs_edits_and_the_project_root_commit() {
        let dir = tempfile::tempdir().expect("tmp");
        let (p, c) = db(dir.path());
        let root = "a".repeat(40);
        c.execute_batch(&format!(
            "INSERT INTO project (id, worktree, time_created, time_updated, sandboxes) VALUES ('{root}', '/home/u/app', 0, 0, '[]');
             INSERT INTO project (id, worktree, time_created, time_updated, sandboxes) VALUES ('global', '/', 0, 0, '[]');
             INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)
               VALUES ('ses_1', '{root}', 's', '/home/u/app', 't', '1.2.0', 0, 0);
             INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, time_created, time_updated)
               VALUES ('ses_2', 'global', 'ses_1', 's', '/tmp/x', 't', '1.2.0', 0, 0);"
        ))
        .expect("rows");
        let t0 = 1_777_000_000_000i64;
        message(
            &c,
            "msg_1",
            "ses_1",
            t0,
            json!({"role": "user", "time": {"created": t0}}),
        );
        let tokens = |i: u64| json!({"input": i, "output": 50, "reasoning": 10, "cache": {"read": 200, "write": 30}});
        message(
            &c,
            "msg_2",
            "ses_1",
            t0 + 1000,
            json!({"role": "assistant", "time": {"created": t0 + 1000},
            "modelID": "claude-sonnet-4-5-20250929", "providerID": "anthropic", "cost": 0.25, "tokens": tokens(1000)}),
        );
        message(
            &c,
            "msg_3",
            "ses_1",
            t0 + 2000,
            json!({"role": "assistant", "time": {"created": t0 + 2000},
            "modelID": "claude-sonnet-4-5-20250929", "providerID": "anthropic", "cost": 0.5, "tokens": tokens(2000)}),
        );
        message(
            &c,
            "msg_4",
            "ses_2",
            t0 + 3000,
            json!({"role": "assistant", "time": {"created": t0 + 3000},
            "modelID": "gpt-5", "providerID": "openai", "cost": 0.125, "tokens": tokens(10)}),
        );
        part(&c, "prt_1", "msg_2", "ses_1", &json!({"type": "tool", "tool": "write", "callID": "w1",
            "state": {"status": "completed", "input": {"filePath": "/home/u/app/src/a.rs", "content": "pub fn a() {}\n"}}}).to_string());
        part(
            &c,
            "prt_2",
            "msg_3",
            "ses_1",
            &json!({"type": "tool", "tool": "edit", "callID": "e1",
            "state": {"status": "completed", "input": {"filePath": "/home/u/app/src/a.rs",
                "oldString": "pub fn a() {}", "newString": "pub fn a() {}\npub fn b() {}"}}})
            .to_string(),
        );
        part(
            &c,
            "prt_3",
            "msg_3",
            "ses_1",
            &json!({"type": "text", "text": "done"}).to_string(),
        );
        part(&c, "prt_4", "msg_3", "ses_1", "{not json");
        message(
            &c,
            "msg_5",
            "ses_1",
            t0 + 4000,
            json!({"role": "assistant"}),
        );
        c.execute(
            "INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES ('msg_6', 'ses_1', 0, 0, 'garbage')",
            [],
        )
        .expect("bad row");
        c.execute_batch(
            "CREATE TABLE session_message (id text PRIMARY KEY, session_id text, type text, time_created integer, time_updated integer, data text);
             INSERT INTO session_message VALUES ('sm_1', 'ses_1', 'assistant', 0, 0, '{}');",
        )
        .expect("v2 table");
        drop(c);

        let log = parse(&p, Depth::Full).expect("parse");
        assert!(log.database);
        assert_eq!(
            log.skipped.by_reason.get(skip::UNKNOWN_RECORD),
            Some(&1),
            "the v2 log not read yet is reported"
        );
        assert_eq!(
            log.skipped.by_reason.get(skip::INVALID_JSON),
            Some(&2),
            "a part and a message"
        );
        assert_eq!(
            log.skipped.by_reason.get(skip::MISSING_FIELD),
            Some(&1),
            "an assistant message without a time"
        );
        let s = log
            .sessions
            .iter()
            .find(|s| s.id == "ses_1")
            .expect("ses_1");
        assert_eq!(s.cwd.as_deref(), Some(Path::new("/home/u/app")));
        assert_eq!(s.project_root_commit.as_deref(), Some(root.as_str()));
        let (u, unknown) = s.usage();
        assert!(!unknown);
        assert_eq!(
            (
                u.input,
                u.output,
                u.reasoning,
                u.cache_read,
                u.cache_write()
            ),
            (3000, 120, 20, 400, 60)
        );
        assert_eq!(
            s.agent_reported.as_ref().and_then(|r| r.total_cost_usd),
            Some(0.75),
            "summed per message"
        );
        let edits: Vec<usize> = s
            .steps
            .iter()
            .flat_map(|st| st.tool_calls.iter())
            .filter_map(|c| c.edit.as_ref().map(|e| e.lines_added()))
            .collect();
        assert_eq!(edits, vec![1, 2]);
        let sub = log
            .sessions
            .iter()
            .find(|s| s.id == "ses_2")
            .expect("ses_2");
        assert_eq!(sub.project_root_commit, None, "`global` is no commit");
        assert!(
            sub.notes.iter().any(|n| n.contains("subagent")),
            "{:?}",
            sub.notes
        );

        // Usage depth: the same tokens, no parts read.
        let light = parse(&p, Depth::Usage).expect("parse");
        let s = light
            .sessions
            .iter()
            .find(|s| s.id == "ses_1")
            .expect("ses_1");
        assert_eq!(s.usage().0.input, 3000);
        assert!(s.steps.iter().all(|st| st.tool_calls.is_empty()));
    }

    #[test]
    fn a_schema_without_the_columns_read_is_an_error_naming_them() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("opencode.db");
        let c = Connection::open(&p).expect("create");
        c.execute_batch(
            "CREATE TABLE session(id); CREATE TABLE message(id); CREATE TABLE part(id);",
        )
        .expect("schema");
        drop(c);
        let e = parse(&p, Depth::Usage).expect_err("unknown schema");
        assert!(e.to_string().contains("no column `directory`"), "{e}");
    }
}
