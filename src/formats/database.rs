//! Agents' SQLite databases (OpenCode's `opencode.db`), opened the one safe way: read-only, through
//! SQLite's URI form (`file:…?mode=ro`), with a busy timeout, so that reading never locks out the agent
//! that is writing the database at the same moment (in WAL mode a reader never blocks a writer; in the
//! older journal modes a write in progress makes us wait up to the timeout, never the other way round).
//!
//! The SQLite library is bundled into the binary (`rusqlite`'s `bundled` feature): nothing to install.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// The first 16 bytes of every SQLite 3 database file.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How long a read waits for a writer's lock before it gives up with an error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// True when `path` is a regular file that starts like an SQLite 3 database.
pub fn is_sqlite(path: &Path) -> bool {
    let Ok(mut f) = super::open_regular(path) else {
        return false;
    };
    let mut head = [0u8; 16];
    f.read_exact(&mut head).is_ok() && &head == MAGIC
}

/// `path` as an SQLite URI (`file:` + the path, percent-encoded where the URI syntax needs it).
fn uri(path: &Path, params: &str) -> String {
    let mut out = String::from("file:");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push('?');
    out.push_str(params);
    out
}

/// Opens a database read-only. When SQLite cannot open a WAL database read-only because its `-shm` file
/// is missing and cannot be created beside it (a folder we may not write), it is opened `immutable`:
/// without locks, which is safe only because no `-shm` file means no writer has it open.
pub fn open_read_only(path: &Path) -> Result<Connection> {
    let err = |e: rusqlite::Error| Error::Database {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let open = |params: &str| -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(uri(path, params), flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Opening is lazy: the first read is what fails on a damaged file or a missing `-shm`.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        Ok(conn)
    };
    match open("mode=ro") {
        Ok(c) => Ok(c),
        Err(first) => {
            let shm = {
                let mut p = path.as_os_str().to_owned();
                p.push("-shm");
                std::path::PathBuf::from(p)
            };
            if !shm.exists()
                && let Ok(c) = open("mode=ro&immutable=1")
            {
                return Ok(c);
            }
            Err(err(first))
        }
    }
}

/// The names of a database's tables.
pub fn tables(path: &Path) -> Result<Vec<String>> {
    let conn = open_read_only(path)?;
    table_names(&conn).map_err(|e| Error::Database {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The names of the tables of an open database.
pub fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let names = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// The column names of `table` (empty when it does not exist).
pub fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let names = st
        .query_map([table], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_uri_characters_is_encoded() {
        assert_eq!(
            uri(Path::new("/tmp/a b?#%.db"), "mode=ro"),
            "file:/tmp/a%20b%3F%23%25.db?mode=ro"
        );
    }

    #[test]
    fn a_database_is_read_without_being_written_and_while_a_writer_holds_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("x?.db");
        let w = Connection::open(&p).expect("open");
        w.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE t(a); INSERT INTO t VALUES (1); BEGIN IMMEDIATE; INSERT INTO t VALUES (2);",
        )
        .expect("write");
        assert!(is_sqlite(&p));
        // A writer holds its transaction open: the read-only reader sees the committed row, at once.
        let r = open_read_only(&p).expect("read-only");
        let n: i64 = r
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .expect("count");
        assert_eq!(n, 1);
        assert!(
            r.execute("INSERT INTO t VALUES (3)", []).is_err(),
            "read-only"
        );
        w.execute_batch("COMMIT")
            .expect("the writer was never blocked");
        assert_eq!(tables(&p).expect("tables"), vec!["t".to_owned()]);
    }

    #[test]
    fn a_text_file_or_a_damaged_database_is_not_read_as_one() {
        let dir = tempfile::tempdir().expect("tmp");
        let text = dir.path().join("a.db");
        std::fs::write(&text, "not a database\n").expect("write");
        assert!(!is_sqlite(&text));
        let bad = dir.path().join("b.db");
        let mut bytes = MAGIC.to_vec();
        bytes.extend(std::iter::repeat_n(0xAB, 4096));
        std::fs::write(&bad, bytes).expect("write");
        assert!(is_sqlite(&bad));
        assert!(matches!(tables(&bad), Err(Error::Database { .. })));
    }
}
