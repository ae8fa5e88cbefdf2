//! The commit cache: per repository and commit, its facts ([`CommitMeta`]: times, parents, summary,
//! trailers and marks, the paths its first-parent diff names) and, per file the correlation asked
//! about, the hashes of the lines it added ([`CachedAdds`]). Commits are immutable, so a row never goes
//! stale; a walk that reached every root forgets the commits no ref reaches any more (a rewritten history).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::Oid;
use rusqlite::{Connection, ErrorCode, params};

use super::codec::{Reader, Writer};
use super::{Index, IndexError};
use crate::git::walk::{CachedAdds, CommitCache, CommitMeta};

/// One repository's commit rows, loaded, and what this command adds to them.
#[derive(Debug)]
pub struct CommitStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    repo: Vec<u8>,
    /// Every stored blob and path, one after the other: the maps below hold ranges into it, and a row is
    /// decoded only when the walk asks for it (most runs ask for far fewer than the index holds, and
    /// this loads without an allocation per row).
    arena: Vec<u8>,
    /// Commit → its meta blob in `arena`.
    metas: HashMap<Oid, Span>,
    /// Commit → (path, adds blob) in `arena`, for each file stored.
    adds: HashMap<Oid, Vec<(Span, Span)>>,
    new_metas: Mutex<Vec<(Oid, CommitMeta)>>,
    new_adds: Mutex<Vec<(Oid, String, CachedAdds)>>,
    finished: Mutex<Option<(HashSet<Oid>, bool)>>,
}

/// A range of [`CommitStore::arena`].
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    len: usize,
}

impl Span {
    fn push(arena: &mut Vec<u8>, bytes: &[u8]) -> Span {
        let start = arena.len();
        arena.extend_from_slice(bytes);
        Span {
            start,
            len: bytes.len(),
        }
    }

    fn of(self, arena: &[u8]) -> &[u8] {
        arena
            .get(self.start..self.start + self.len)
            .unwrap_or_default()
    }
}

fn encode_meta(m: &CommitMeta) -> Vec<u8> {
    let mut w = Writer::default();
    w.i64(m.time);
    w.i64(m.author_time);
    w.str(&m.summary);
    w.out
        .push(u8::from(m.cherry_pick_marker) | u8::from(m.squash_marker) << 1);
    w.u64(m.parents.len() as u64);
    for p in &m.parents {
        w.bytes(p.as_bytes());
    }
    w.u64(m.signals.len() as u64);
    for s in &m.signals {
        w.str(s);
    }
    w.u64(m.changed.len() as u64);
    for c in &m.changed {
        w.str(c);
    }
    w.out
}

fn decode_meta(b: &[u8]) -> Option<CommitMeta> {
    let mut r = Reader::new(b);
    let time = r.i64()?;
    let author_time = r.i64()?;
    let summary = r.str()?;
    let flags = r.byte()?;
    let mut parents = Vec::new();
    for _ in 0..r.len()? {
        parents.push(Oid::from_bytes(r.bytes()?).ok()?);
    }
    let mut signals = Vec::new();
    for _ in 0..r.len()? {
        signals.push(r.str()?);
    }
    let mut changed = Vec::new();
    for _ in 0..r.len()? {
        changed.push(r.str()?);
    }
    r.b.is_empty().then_some(CommitMeta {
        time,
        author_time,
        summary,
        cherry_pick_marker: flags & 1 != 0,
        squash_marker: flags & 2 != 0,
        parents,
        signals,
        changed,
    })
}

fn encode_adds(a: &CachedAdds) -> Vec<u8> {
    let mut w = Writer::default();
    match a {
        CachedAdds::Binary => w.out.push(1),
        CachedAdds::Lines(lines) => {
            w.out.push(0);
            w.u64(lines.len() as u64);
            for (h, hash) in lines {
                w.u64(u64::from(*h));
                w.out.extend_from_slice(hash);
            }
        }
    }
    w.out
}

fn decode_adds(b: &[u8]) -> Option<CachedAdds> {
    let mut r = Reader::new(b);
    match r.byte()? {
        1 => r.b.is_empty().then_some(CachedAdds::Binary),
        0 => {
            let n = r.len()?;
            let mut lines = Vec::with_capacity(n);
            for _ in 0..n {
                let h = u32::try_from(r.u64()?).ok()?;
                let (hash, rest) = r.b.split_at_checked(16)?;
                r.b = rest;
                lines.push((h, hash.try_into().ok()?));
            }
            r.b.is_empty().then_some(CachedAdds::Lines(lines))
        }
        _ => None,
    }
}

impl Index {
    /// The commit cache of the repository at `root` (its rows loaded), on this index's database.
    pub fn into_commit_store(self, root: &Path) -> Result<CommitStore, IndexError> {
        let repo = super::key_path(root)
            .as_os_str()
            .as_encoded_bytes()
            .to_vec();
        let path = self.path.clone();
        let conn = self
            .conn
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let sql = |source| IndexError::Sqlite {
            path: path.clone(),
            source,
        };
        let mut arena = Vec::new();
        let mut metas = HashMap::new();
        let mut adds: HashMap<Oid, Vec<(Span, Span)>> = HashMap::new();
        {
            let mut stmt = conn
                .prepare("SELECT oid, meta FROM commits WHERE repo = ?1")
                .map_err(sql)?;
            let mut q = stmt.query(params![&repo]).map_err(sql)?;
            while let Some(r) = q.next().map_err(sql)? {
                let oid = r.get_ref(0).map_err(sql)?.as_blob().ok();
                let blob = r.get_ref(1).map_err(sql)?.as_blob().ok();
                if let (Some(Ok(oid)), Some(blob)) = (oid.map(Oid::from_bytes), blob) {
                    metas.insert(oid, Span::push(&mut arena, blob));
                }
            }
            let mut stmt = conn
                .prepare("SELECT oid, path, adds FROM commit_adds WHERE repo = ?1")
                .map_err(sql)?;
            let mut q = stmt.query(params![&repo]).map_err(sql)?;
            while let Some(r) = q.next().map_err(sql)? {
                let oid = r.get_ref(0).map_err(sql)?.as_blob().ok();
                let path = r.get_ref(1).map_err(sql)?.as_str().ok();
                let blob = r.get_ref(2).map_err(sql)?.as_blob().ok();
                if let (Some(Ok(oid)), Some(path), Some(blob)) =
                    (oid.map(Oid::from_bytes), path, blob)
                {
                    let p = Span::push(&mut arena, path.as_bytes());
                    let b = Span::push(&mut arena, blob);
                    adds.entry(oid).or_default().push((p, b));
                }
            }
        }
        Ok(CommitStore {
            conn: Mutex::new(conn),
            path,
            repo,
            arena,
            metas,
            adds,
            new_metas: Mutex::new(Vec::new()),
            new_adds: Mutex::new(Vec::new()),
            finished: Mutex::new(None),
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl CommitStore {
    /// Commits the store holds for the repository.
    pub fn commits(&self) -> usize {
        self.metas.len()
    }

    /// Writes what the walk computed (and forgets unreachable commits after a complete walk), in one
    /// transaction. Returns false when another command held the write lock (nothing written).
    pub fn save(&self) -> Result<bool, IndexError> {
        let metas = std::mem::take(&mut *lock(&self.new_metas));
        let adds = std::mem::take(&mut *lock(&self.new_adds));
        let finished = lock(&self.finished).take();
        let gc: Vec<Oid> = match &finished {
            Some((seen, true)) => self
                .metas
                .keys()
                .filter(|o| !seen.contains(o))
                .copied()
                .collect(),
            _ => Vec::new(),
        };
        if metas.is_empty() && adds.is_empty() && gc.is_empty() {
            return Ok(true);
        }
        let mut conn = lock(&self.conn);
        let r = (|| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut m = tx.prepare(
                    "INSERT OR REPLACE INTO commits (repo, oid, meta) VALUES (?1, ?2, ?3)",
                )?;
                for (oid, meta) in &metas {
                    m.execute(params![&self.repo, oid.as_bytes(), encode_meta(meta)])?;
                }
                let mut a = tx.prepare(
                    "INSERT OR REPLACE INTO commit_adds (repo, oid, path, adds) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (oid, path, adds) in &adds {
                    a.execute(params![&self.repo, oid.as_bytes(), path, encode_adds(adds)])?;
                }
                let mut d1 = tx.prepare("DELETE FROM commits WHERE repo = ?1 AND oid = ?2")?;
                let mut d2 = tx.prepare("DELETE FROM commit_adds WHERE repo = ?1 AND oid = ?2")?;
                for oid in &gc {
                    d1.execute(params![&self.repo, oid.as_bytes()])?;
                    d2.execute(params![&self.repo, oid.as_bytes()])?;
                }
            }
            tx.commit()
        })();
        match r {
            Ok(()) => Ok(true),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => Ok(false),
            Err(source) => Err(IndexError::Sqlite {
                path: self.path.clone(),
                source,
            }),
        }
    }
}

impl CommitCache for CommitStore {
    // A row that does not decode is treated as not stored: the commit is read from git again.
    fn meta(&self, oid: Oid) -> Option<CommitMeta> {
        decode_meta(self.metas.get(&oid)?.of(&self.arena))
    }

    fn adds(&self, oid: Oid, path: &str) -> Option<CachedAdds> {
        let (_, blob) = self
            .adds
            .get(&oid)?
            .iter()
            .find(|(p, _)| p.of(&self.arena) == path.as_bytes())?;
        decode_adds(blob.of(&self.arena))
    }

    fn put_meta(&self, oid: Oid, meta: CommitMeta) {
        lock(&self.new_metas).push((oid, meta));
    }

    fn put_adds(&self, oid: Oid, path: &str, adds: CachedAdds) {
        lock(&self.new_adds).push((oid, path.to_owned(), adds));
    }

    fn finish(&self, seen: &HashSet<Oid>, complete: bool) {
        *lock(&self.finished) = Some((seen.clone(), complete));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_rows_decode_to_what_was_encoded() {
        let m = CommitMeta {
            time: 1_700_000_000,
            author_time: -5,
            summary: "Fix (#12)".into(),
            cherry_pick_marker: false,
            squash_marker: true,
            parents: vec![Oid::from_bytes(&[7; 20]).expect("oid")],
            signals: vec!["Co-Authored-By: Claude".into()],
            changed: vec!["src/a.rs".into(), "b".into()],
        };
        assert_eq!(decode_meta(&encode_meta(&m)), Some(m));
        let a = CachedAdds::Lines(vec![(0, [1; 16]), (3, [2; 16])]);
        assert_eq!(decode_adds(&encode_adds(&a)), Some(a));
        assert_eq!(
            decode_adds(&encode_adds(&CachedAdds::Binary)),
            Some(CachedAdds::Binary)
        );
        let blob = encode_meta(&CommitMeta {
            changed: vec![],
            ..decode_meta(&encode_meta(&CommitMeta {
                time: 1,
                author_time: 1,
                summary: String::new(),
                cherry_pick_marker: true,
                squash_marker: false,
                parents: vec![],
                signals: vec![],
                changed: vec![],
            }))
            .expect("meta")
        });
        for cut in 0..blob.len() {
            assert!(decode_meta(&blob[..cut]).is_none());
        }
    }
}
