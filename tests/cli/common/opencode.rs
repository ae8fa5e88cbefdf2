//! OpenCode databases built in temp dirs from `testdata/opencode/schema.sql` (OpenCode's own schema,
//! see `testdata/opencode/README.md`), with rows in the shape OpenCode writes them.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};
use serde_json::{Value, json};

/// An `opencode.db` being written.
pub struct OpenCodeDb {
    /// The database file.
    pub path: PathBuf,
    conn: Connection,
    next: u32,
}

/// Milliseconds since the epoch of an RFC 3339 time.
pub fn ms(ts: &str) -> i64 {
    ts.parse::<jiff::Timestamp>()
        .expect("timestamp")
        .as_millisecond()
}

impl OpenCodeDb {
    /// A new database at `<data dir>/opencode.db` with OpenCode's schema.
    pub fn create(data_dir: &Path) -> OpenCodeDb {
        std::fs::create_dir_all(data_dir).expect("mkdir");
        let path = data_dir.join("opencode.db");
        let conn = Connection::open(&path).expect("create");
        let schema = std::fs::read_to_string(crate::common::testdata("opencode/schema.sql"))
            .expect("schema");
        conn.execute_batch("PRAGMA journal_mode = WAL;")
            .expect("wal");
        conn.execute_batch(&schema).expect("schema");
        OpenCodeDb {
            path,
            conn,
            next: 0,
        }
    }

    /// A project row (`id` is the repository's root commit for a git project).
    pub fn project(&self, id: &str, worktree: &Path) -> &Self {
        self.conn
            .execute(
                "INSERT INTO project (id, worktree, vcs, time_created, time_updated, sandboxes) VALUES (?1, ?2, 'git', 0, 0, '[]')",
                params![id, worktree.to_string_lossy()],
            )
            .expect("project");
        self
    }

    /// A session row, run in `directory`.
    pub fn session(&self, id: &str, project: &str, directory: &Path) -> &Self {
        self.conn
            .execute(
                "INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)
                 VALUES (?1, ?2, 'slug', ?3, 'title', '1.2.0', 0, 0)",
                params![id, project, directory.to_string_lossy()],
            )
            .expect("session");
        self
    }

    /// An assistant message at `ts` with its token counts `(input, output, cache read, cache write)`,
    /// OpenCode's `cost`, and its tool parts.
    #[allow(clippy::too_many_arguments)] // one argument per field of the row, as a test reads best
    pub fn assistant(
        &mut self,
        session: &str,
        id: &str,
        ts: &str,
        model: &str,
        tokens: (u64, u64, u64, u64),
        cost: f64,
        tools: &[Value],
    ) -> &mut Self {
        let t = ms(ts);
        let data = json!({"role": "assistant", "time": {"created": t, "completed": t + 500},
            "modelID": model, "providerID": "anthropic", "mode": "build", "cost": cost,
            "tokens": {"input": tokens.0, "output": tokens.1, "reasoning": 0,
                "cache": {"read": tokens.2, "write": tokens.3}}});
        self.conn
            .execute(
                "INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?1, ?2, ?3, ?3, ?4)",
                params![id, session, t, data.to_string()],
            )
            .expect("message");
        for tool in tools {
            self.next += 1;
            self.conn
                .execute(
                    "INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                    params![format!("prt_{:04}", self.next), id, session, t, tool.to_string()],
                )
                .expect("part");
        }
        self
    }
}

/// A completed `write` tool part.
pub fn write_part(call: &str, file: &Path, content: &str) -> Value {
    json!({"type": "tool", "tool": "write", "callID": call,
        "state": {"status": "completed", "input": {"filePath": file.to_string_lossy(), "content": content},
            "output": "", "title": "", "metadata": {}}})
}

/// The JSON-store copy of an assistant message (`storage/message/<session>/<id>.json`), as OpenCode
/// wrote it before it moved to the database.
pub fn json_store_copy(
    data_dir: &Path,
    session: &str,
    id: &str,
    ts: &str,
    model: &str,
    tokens: (u64, u64, u64, u64),
    cost: f64,
) {
    let t = ms(ts);
    let v = json!({"id": id, "sessionID": session, "role": "assistant",
        "time": {"created": t, "completed": t + 500}, "modelID": model, "providerID": "anthropic",
        "cost": cost, "tokens": {"input": tokens.0, "output": tokens.1, "reasoning": 0,
            "cache": {"read": tokens.2, "write": tokens.3}}});
    let p = data_dir
        .join("storage/message")
        .join(session)
        .join(format!("{id}.json"));
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
}
