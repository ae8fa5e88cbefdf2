//! The log cache and the ledger: one row per log file and depth, with the file's identity and its
//! parsed summary ([`super::codec`]).
//!
//! A row is used for a file that is still there only when every part of the identity is unchanged and the
//! file was last modified at least [`RACY_NS`] before it was indexed (as git does for its index: a file
//! written in the same instant as it was read could change without its times moving). Anything else
//! parses the file again, whole, and replaces the row. A row whose file is gone is the ledger: its
//! sessions are still counted (marked `log_gone`).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use super::Index;
use super::codec;
use crate::discover::Source;
use crate::formats::{Depth, FileLog};
use crate::ingest::FileCache;
use crate::model::Agent;

/// A row is trusted only for a file last modified this long before it was indexed.
pub const RACY_NS: i64 = 2_000_000_000;

/// How many bytes of each end of a file are hashed.
const END_BYTES: u64 = 4096;

/// What identifies one version of a file without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, in nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Last status change (any write, rename or `touch` moves it), in nanoseconds since the epoch.
    pub ctime_ns: i64,
}

impl FileId {
    /// The identity of the file at `path` (not following a final symbolic link: discovery already
    /// resolved it).
    pub fn of(path: &Path) -> Option<FileId> {
        let m = std::fs::metadata(path).ok()?;
        if !m.is_file() {
            return None;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId {
                dev: m.dev(),
                ino: m.ino(),
                size: m.len(),
                mtime_ns: m.mtime().saturating_mul(1_000_000_000) + m.mtime_nsec(),
                ctime_ns: m.ctime().saturating_mul(1_000_000_000) + m.ctime_nsec(),
            })
        }
        #[cfg(not(unix))]
        {
            let t = |s: std::io::Result<std::time::SystemTime>| {
                s.ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as i64)
            };
            Some(FileId {
                dev: 0,
                ino: 0,
                size: m.len(),
                mtime_ns: t(m.modified()),
                ctime_ns: t(m.created()),
            })
        }
    }
}

/// One stored row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The agent of the file.
    pub agent: Agent,
    /// The file's identity when it was indexed.
    pub id: FileId,
    /// When it was indexed, in nanoseconds since the epoch.
    pub indexed_at_ns: i64,
    /// The encoding version of `summary`.
    pub codec: i64,
    /// The encoded summary.
    pub summary: Vec<u8>,
}

/// A row to write at the end of the command.
#[derive(Debug)]
pub(super) struct NewRow {
    path: PathBuf,
    depth: u8,
    row: Row,
    head: [u8; 16],
    tail: [u8; 16],
}

fn depth_code(depth: Depth) -> u8 {
    match depth {
        Depth::Usage => 0,
        Depth::Full => 1,
    }
}

fn agent_named(name: &str) -> Option<Agent> {
    [
        Agent::ClaudeCode,
        Agent::Codex,
        Agent::Gemini,
        Agent::Copilot,
        Agent::Aider,
        Agent::OpenCode,
    ]
    .into_iter()
    .find(|a| a.as_str() == name)
}

fn path_bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_encoded_bytes()
}

fn path_from(b: Vec<u8>) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(b)))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(b).ok().map(PathBuf::from)
    }
}

/// The path a file is indexed under: absolute, as discovery named it (links not resolved, so the same
/// spelling finds the same row).
pub fn key_path(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

pub(super) fn load(conn: &Connection) -> rusqlite::Result<HashMap<(PathBuf, u8), Row>> {
    let mut stmt = conn.prepare(
        "SELECT path, depth, agent, dev, ino, size, mtime_ns, ctime_ns, indexed_at_ns, codec, summary \
         FROM logs",
    )?;
    let mut rows = HashMap::new();
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let (Some(path), Some(agent)) = (
            path_from(r.get::<_, Vec<u8>>(0)?),
            agent_named(&r.get::<_, String>(2)?),
        ) else {
            continue;
        };
        let depth: u8 = r.get(1)?;
        let row = Row {
            agent,
            id: FileId {
                dev: r.get::<_, i64>(3)? as u64,
                ino: r.get::<_, i64>(4)? as u64,
                size: r.get::<_, i64>(5)? as u64,
                mtime_ns: r.get(6)?,
                ctime_ns: r.get(7)?,
            },
            indexed_at_ns: r.get(8)?,
            codec: r.get(9)?,
            summary: r.get(10)?,
        };
        rows.insert((path, depth), row);
    }
    Ok(rows)
}

pub(super) fn save(conn: &mut Connection, rows: &[NewRow]) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare(
            "INSERT OR REPLACE INTO logs (path, depth, agent, dev, ino, size, mtime_ns, ctime_ns, \
             head_hash, tail_hash, parsed_upto, indexed_at_ns, codec, summary) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for n in rows {
            stmt.execute(params![
                path_bytes(&n.path),
                n.depth,
                n.row.agent.as_str(),
                n.row.id.dev as i64,
                n.row.id.ino as i64,
                n.row.id.size as i64,
                n.row.id.mtime_ns,
                n.row.id.ctime_ns,
                &n.head[..],
                &n.tail[..],
                n.row.id.size as i64,
                n.row.indexed_at_ns,
                n.row.codec,
                &n.row.summary,
            ])?;
        }
    }
    tx.commit()
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// SHA-256 (first 16 bytes) of the first and of the last 4 KiB of the first `size` bytes of a file.
fn end_hashes(path: &Path, size: u64) -> Option<([u8; 16], [u8; 16])> {
    let mut f = crate::formats::open_regular(path).ok()?;
    let mut hash_at = |at: u64| -> Option<[u8; 16]> {
        f.seek(SeekFrom::Start(at)).ok()?;
        let mut buf = Vec::with_capacity(END_BYTES as usize);
        (&mut f)
            .take(END_BYTES.min(size - at))
            .read_to_end(&mut buf)
            .ok()?;
        let d = Sha256::digest(&buf);
        let mut out = [0; 16];
        out.copy_from_slice(&d[..16]);
        Some(out)
    };
    let head = hash_at(0)?;
    let tail = hash_at(size.saturating_sub(END_BYTES))?;
    Some((head, tail))
}

impl FileCache for Index {
    fn lookup(&self, src: &Source, depth: Depth) -> Option<FileLog> {
        // A full read needs the tool calls and edits, which the index never holds.
        if depth == Depth::Full {
            return None;
        }
        let row = self.rows.get(&(key_path(&src.path), depth_code(depth)))?;
        let id = FileId::of(&src.path)?;
        if id != row.id
            || id.size != src.size
            || row.agent != src.agent
            || row.codec != codec::CODEC_VERSION
            || id.mtime_ns > row.indexed_at_ns - RACY_NS
        {
            return None;
        }
        // A database (OpenCode's `opencode.db`) in WAL mode takes its writes in `-wal` beside it, so its
        // own size and times can stay the same while it grows: it is always read again.
        codec::decode(&row.summary).filter(|log| !log.database)
    }

    fn parsed(&self, src: &Source, depth: Depth, log: &FileLog) {
        let started = now_ns();
        // Only a file that did not move while it was read (its size is what discovery saw).
        let Some(id) = FileId::of(&src.path) else {
            return;
        };
        if id.size != src.size {
            return;
        }
        let blob = match depth {
            Depth::Usage => codec::encode(log),
            Depth::Full => codec::encode(&codec::strip_tool_calls(log)),
        };
        let Some(summary) = blob else { return };
        let Some((head, tail)) = end_hashes(&src.path, id.size) else {
            return;
        };
        let row = NewRow {
            path: key_path(&src.path),
            depth: depth_code(depth),
            row: Row {
                agent: src.agent,
                id,
                indexed_at_ns: started,
                codec: codec::CODEC_VERSION,
                summary,
            },
            head,
            tail,
        };
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(row);
    }
}

/// Which indexed files to bring back from the ledger when their log is gone.
pub struct GoneFilter<'a> {
    /// Only files under these folders or equal to these files (the locations this command reads).
    pub under: &'a [PathBuf],
    /// Only these agents (empty: all).
    pub agents: &'a [Agent],
    /// Only files last modified from this time on (`--since`), in nanoseconds since the epoch.
    pub modified_since_ns: Option<i64>,
}

impl Index {
    /// The indexed logs that are gone from disk, under the command's locations, each with its summary
    /// (this depth's, else the other one's). Files that `present` holds are never gone.
    pub fn gone_logs(
        &self,
        filter: &GoneFilter<'_>,
        present: &std::collections::HashSet<PathBuf>,
        depth: Depth,
    ) -> Vec<(Source, FileLog)> {
        let under: Vec<PathBuf> = filter.under.iter().map(|p| key_path(p)).collect();
        let want = depth_code(depth);
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut keys: Vec<&(PathBuf, u8)> = self
            .rows
            .keys()
            .filter(|(p, _)| !present.contains(p))
            .collect();
        // This depth's row first, so that it is the one kept for a path.
        keys.sort_by(|(p, d), (q, e)| p.cmp(q).then((*d != want).cmp(&(*e != want))));
        for (path, d) in keys {
            if seen.contains(path) {
                continue;
            }
            let row = &self.rows[&(path.clone(), *d)];
            if !under.iter().any(|u| path.starts_with(u))
                || !(filter.agents.is_empty() || filter.agents.contains(&row.agent))
                || filter
                    .modified_since_ns
                    .is_some_and(|since| row.id.mtime_ns < since)
                || row.codec != codec::CODEC_VERSION
            {
                continue;
            }
            if !std::fs::symlink_metadata(path)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
            {
                continue;
            }
            let Some(log) = codec::decode(&row.summary) else {
                continue;
            };
            seen.insert(path.clone());
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((
                Source {
                    path: path.clone(),
                    agent: row.agent,
                    size: row.id.size,
                    leftover: row.agent == Agent::ClaudeCode && crate::discover::is_leftover(&name),
                },
                log,
            ));
        }
        out
    }
}
