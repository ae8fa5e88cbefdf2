//! The incremental index: an embedded SQLite database beside the pipeline, so that a second run costs
//! only what changed, and a session whose log the agent deleted is still counted (the ledger).
//!
//! It is a cache, never a source of truth for a file that is still there: a log whose identity (device,
//! inode, size, modification and change times) differs in any way from the one indexed is parsed again,
//! whole. It stores summaries (token counts, models, times, session ids, the keys responses are
//! deduplicated on) and never prompt text, tool calls, commands or file contents (see [`codec`]).
//!
//! Safety: the database lives in a folder agent-audit creates (mode 0700); a symbolic link at the folder
//! or at any of its files is refused, never written through. A database that is damaged, truncated or of
//! a newer schema is moved aside (`index.db.broken-<time>`) and rebuilt, with a note. Writes are one
//! transaction per command: two commands at once both read a consistent index, and one that cannot get
//! the write lock within the busy timeout just does not cache (its results are exact either way). A
//! process killed mid-write leaves the last committed state (SQLite's write-ahead log).

pub mod codec;
mod commits;
mod logs;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use commits::CommitStore;
pub use logs::{FileId, GoneFilter, Row, key_path};

/// The schema this build writes, kept in `PRAGMA user_version`. Older databases are migrated by the
/// steps in `MIGRATIONS`; a newer one (written by a later agent-audit) is moved aside and rebuilt.
pub const SCHEMA_VERSION: i64 = 2;

/// The database's file name inside the index folder.
pub const DB_NAME: &str = "index.db";

/// How long a command waits for another one's write lock before it gives up caching.
const BUSY_TIMEOUT: Duration = Duration::from_secs(3);

/// `MIGRATIONS[i]` takes a database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the log cache and ledger.
    "CREATE TABLE logs (
        path BLOB NOT NULL,
        depth INTEGER NOT NULL,
        agent TEXT NOT NULL,
        dev INTEGER NOT NULL,
        ino INTEGER NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        ctime_ns INTEGER NOT NULL,
        head_hash BLOB NOT NULL,
        tail_hash BLOB NOT NULL,
        parsed_upto INTEGER NOT NULL,
        indexed_at_ns INTEGER NOT NULL,
        codec INTEGER NOT NULL,
        summary BLOB NOT NULL,
        PRIMARY KEY (path, depth)
    );",
    // 1 → 2: the commit cache.
    "CREATE TABLE commits (
        repo BLOB NOT NULL,
        oid BLOB NOT NULL,
        meta BLOB NOT NULL,
        PRIMARY KEY (repo, oid)
    );
    CREATE TABLE commit_adds (
        repo BLOB NOT NULL,
        oid BLOB NOT NULL,
        path TEXT NOT NULL,
        adds BLOB NOT NULL,
        PRIMARY KEY (repo, oid, path)
    );",
];

/// Why the index could not be used (the command then runs without it, as with `--no-index`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// No folder for the index: neither `AGENT_AUDIT_HOME`, `XDG_DATA_HOME` nor `HOME` is set.
    #[error("no folder for the index (set AGENT_AUDIT_HOME, XDG_DATA_HOME or HOME)")]
    NoHome,
    /// The folder or a database file is a symbolic link (or not a regular file): never written through.
    #[error(
        "{path} is a symbolic link or not a regular file/folder: the index is not written through it"
    )]
    Unsafe {
        /// The path.
        path: PathBuf,
    },
    /// A file system error on the index folder.
    #[error("index folder {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused.
    #[error("index database {path}")]
    Sqlite {
        /// The database.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
}

/// The index folder: `$AGENT_AUDIT_HOME`, else `$XDG_DATA_HOME/agent-audit`, else
/// `~/.local/share/agent-audit` (empty variables count as unset).
pub fn default_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("AGENT_AUDIT_HOME")
        .or_else(|| var("XDG_DATA_HOME").map(|d| d.join("agent-audit")))
        .or_else(|| var("HOME").map(|h| h.join(".local/share/agent-audit")))
}

/// An open index, with the rows of the log cache loaded.
pub struct Index {
    /// Behind a mutex only so that the index can be shared with the parsing threads (which never use it).
    conn: Mutex<Connection>,
    path: PathBuf,
    /// What happened on opening that the user should know (a database moved aside and rebuilt).
    pub notes: Vec<String>,
    rows: HashMap<(PathBuf, u8), Row>,
    pending: Mutex<Vec<logs::NewRow>>,
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Refuses a symbolic link (or anything but a regular file) at a database path that exists.
fn check_file(path: &Path) -> Result<(), IndexError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => Ok(()),
        Ok(_) => Err(IndexError::Unsafe {
            path: path.to_path_buf(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(IndexError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The database and its write-ahead log and shared-memory files.
fn db_files(db: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = db.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

/// Creates the folder (mode 0700) if needed; refuses it when it is a symbolic link or not a folder.
fn ensure_dir(dir: &Path) -> Result<(), IndexError> {
    let io = |source| IndexError::Io {
        path: dir.to_path_buf(),
        source,
    };
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_dir() => return Ok(()),
        Ok(_) => {
            return Err(IndexError::Unsafe {
                path: dir.to_path_buf(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(dir) {
        Ok(()) => {}
        // Another command created it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_dir() => Ok(()),
        Ok(_) => Err(IndexError::Unsafe {
            path: dir.to_path_buf(),
        }),
        Err(e) => Err(io(e)),
    }
}

impl Index {
    /// Opens (creating, migrating or rebuilding as needed) the index in `dir` and loads its log rows.
    pub fn open(dir: &Path) -> Result<Index, IndexError> {
        ensure_dir(dir)?;
        let db = dir.join(DB_NAME);
        let mut notes = Vec::new();
        match Self::try_open(&db) {
            Ok(Opened::Ready(conn, rows)) => return Ok(Self::new(conn, db, notes, rows)),
            Ok(Opened::Newer(v)) => notes.push(format!(
                "the index {} has schema version {v}, newer than this agent-audit's \
                 {SCHEMA_VERSION}: moved aside and rebuilt",
                db.display()
            )),
            Err(IndexError::Sqlite { source, .. }) if is_corruption(&source) => {
                notes.push(format!(
                    "the index {} was damaged ({source}): moved aside and rebuilt; results are \
                     computed from the logs",
                    db.display()
                ))
            }
            Err(e) => return Err(e),
        }
        let aside = move_aside(&db)?;
        if let Some(n) = notes.last_mut() {
            n.push_str(&format!(" (the old file is {})", aside.display()));
        }
        match Self::try_open(&db)? {
            Opened::Ready(conn, rows) => Ok(Self::new(conn, db, notes, rows)),
            Opened::Newer(_) => Err(IndexError::Unsafe { path: db }),
        }
    }

    fn new(
        conn: Connection,
        path: PathBuf,
        notes: Vec<String>,
        rows: HashMap<(PathBuf, u8), Row>,
    ) -> Index {
        Index {
            conn: Mutex::new(conn),
            path,
            notes,
            rows,
            pending: Mutex::new(Vec::new()),
        }
    }

    fn try_open(db: &Path) -> Result<Opened, IndexError> {
        for f in db_files(db) {
            check_file(&f)?;
        }
        let sql = |source| IndexError::Sqlite {
            path: db.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NOFOLLOW
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(db, flags).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Ok(Opened::Newer(version));
        }
        // Reading the header is not enough to find a damaged file: the schema must parse too.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(sql)?;
        // Busy: another command is switching the new database to WAL at this moment.
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => {}
            Err(e) => return Err(sql(e)),
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL")
            .map_err(sql)?;
        if version < SCHEMA_VERSION {
            migrate(&conn, version).map_err(sql)?;
        }
        let rows = logs::load(&conn).map_err(sql)?;
        Ok(Opened::Ready(conn, rows))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes what this command parsed, in one transaction. Returns false when another command held
    /// the write lock past the busy timeout (nothing is cached then; results are exact either way).
    pub fn save(&mut self) -> Result<bool, IndexError> {
        let pending = std::mem::take(
            &mut *self
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if pending.is_empty() {
            return Ok(true);
        }
        let sql = |source| IndexError::Sqlite {
            path: self.path.clone(),
            source,
        };
        let conn = self
            .conn
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match logs::save(conn, &pending) {
            Ok(()) => Ok(true),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => Ok(false),
            Err(e) => Err(sql(e)),
        }
    }

    /// Figures for `index status`.
    pub fn status(&self) -> Status {
        let mut st = Status {
            path: self.path.clone(),
            schema_version: SCHEMA_VERSION,
            bytes: db_files(&self.path)
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .sum(),
            ..Status::default()
        };
        if let Ok(conn) = self.conn.lock() {
            let count = |t: &str| {
                conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_or(0, |n| n as u64)
            };
            st.commits = count("commits");
            st.commit_files = count("commit_adds");
        }
        for ((path, depth), row) in &self.rows {
            match depth {
                0 => st.usage_files += 1,
                _ => st.full_files += 1,
            }
            st.summary_bytes += row.summary.len() as u64;
            if *depth == 0 || !self.rows.contains_key(&(path.clone(), 0)) {
                st.files += 1;
                if std::fs::symlink_metadata(path)
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                {
                    st.gone_files += 1;
                }
            }
        }
        st
    }

    /// Empties the index (the ledger of deleted logs too).
    pub fn clear(&mut self) -> Result<(), IndexError> {
        let conn = self
            .conn
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        conn.execute_batch("DELETE FROM logs; DELETE FROM commits; DELETE FROM commit_adds;")
            .map_err(|source| IndexError::Sqlite {
                path: self.path.clone(),
                source,
            })?;
        let _ = conn.execute_batch("VACUUM");
        self.rows.clear();
        Ok(())
    }
}

/// What `index status` shows.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Status {
    /// The database file.
    pub path: PathBuf,
    /// Its schema version.
    pub schema_version: i64,
    /// Bytes on disk (database, write-ahead log, shared memory).
    pub bytes: u64,
    /// Log files indexed.
    pub files: u64,
    /// Summaries kept for `usage` (token-count depth).
    pub usage_files: u64,
    /// Summaries kept from full reads (`sessions`, `review`...), for the ledger.
    pub full_files: u64,
    /// Bytes of all summaries.
    pub summary_bytes: u64,
    /// Indexed files whose log is gone: their sessions are counted from the index.
    pub gone_files: u64,
    /// Commits whose facts are kept (all repositories).
    pub commits: u64,
    /// Files of those commits whose added-line hashes are kept.
    pub commit_files: u64,
}

/// Deletes the index folder's database files (`index forget`). Returns the files removed.
pub fn forget(dir: &Path) -> Result<Vec<PathBuf>, IndexError> {
    let db = dir.join(DB_NAME);
    let mut removed = Vec::new();
    for f in db_files(&db) {
        match std::fs::remove_file(&f) {
            Ok(()) => removed.push(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(IndexError::Io { path: f, source }),
        }
    }
    Ok(removed)
}

enum Opened {
    Ready(Connection, HashMap<(PathBuf, u8), Row>),
    Newer(i64),
}

fn migrate(conn: &Connection, from: i64) -> rusqlite::Result<()> {
    let from = usize::try_from(from).unwrap_or(0);
    for (i, step) in MIGRATIONS.iter().enumerate().skip(from) {
        // Immediate: two commands migrating a new database at once take turns (the busy timeout)
        // instead of one failing on the upgrade from a read lock.
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        // Another command may have migrated meanwhile: re-read the version inside the transaction.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(step)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(())
}

/// Renames the database (and its WAL and shared-memory files) to `…broken-<unix time>`; returns the new
/// name of the database.
fn move_aside(db: &Path) -> Result<PathBuf, IndexError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut target = PathBuf::new();
    for (i, f) in db_files(db).iter().enumerate() {
        let mut to = db.as_os_str().to_owned();
        to.push(format!(".broken-{stamp}"));
        to.push(["", "-wal", "-shm"][i]);
        let to = PathBuf::from(to);
        match std::fs::rename(f, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(IndexError::Io {
                    path: f.clone(),
                    source,
                });
            }
        }
        if i == 0 {
            target = to;
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_garbage_database_is_moved_aside_and_rebuilt_with_a_note() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join(DB_NAME), vec![b'x'; 8192]).expect("write");
        let ix = Index::open(dir.path()).expect("opens");
        assert_eq!(ix.notes.len(), 1, "{:?}", ix.notes);
        assert!(ix.notes[0].contains("damaged"), "{}", ix.notes[0]);
        assert!(ix.rows.is_empty());
        let aside = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".broken-"))
            .count();
        assert_eq!(aside, 1);
    }

    #[test]
    fn a_newer_schema_is_moved_aside() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            let c = Connection::open(dir.path().join(DB_NAME)).expect("db");
            c.execute_batch("PRAGMA user_version = 99").expect("v");
        }
        let ix = Index::open(dir.path()).expect("opens");
        assert!(ix.notes[0].contains("newer"), "{:?}", ix.notes);
        let v: i64 = ix
            .conn
            .lock()
            .expect("lock")
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("v");
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_database_or_folder_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let target = dir.path().join("elsewhere.db");
        std::fs::write(&target, b"").expect("write");
        let ixdir = dir.path().join("ix");
        std::fs::create_dir(&ixdir).expect("mkdir");
        std::os::unix::fs::symlink(&target, ixdir.join(DB_NAME)).expect("link");
        assert!(matches!(
            Index::open(&ixdir),
            Err(IndexError::Unsafe { .. })
        ));
        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(dir.path().join("ix2"), &linked).expect("link");
        std::fs::create_dir(dir.path().join("ix2")).expect("mkdir");
        assert!(matches!(
            Index::open(&linked),
            Err(IndexError::Unsafe { .. })
        ));
        assert_eq!(std::fs::read(&target).expect("read"), b"");
    }
}
