//! Candidate commits: every commit reachable from a local branch, a remote-tracking branch, a tag or HEAD,
//! inside the time window, diffed against its first parent **only on the files the sessions edited**
//! (a pathspec-limited tree diff; the whole history is never diffed). Only the added lines that some
//! session also added are kept, so memory follows the sessions, not the repository.
//!
//! A merge commit is diffed against each parent: the lines present in neither (a conflict resolved by
//! hand or by an agent) are what it adds. Binary blobs are skipped, as git does; a blob that cannot be
//! read (a partial clone) makes its commit unusable as evidence, and is counted.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{DiffOptions, Oid, Repository, Tree};

use super::lines::{LineBag, normalize};
use crate::error::{Error, Result};

/// The added lines of interest of one file in one commit.
#[derive(Debug, Clone, Default)]
pub struct FileAdds {
    /// `(hunk, line)` in diff order: the hunk id groups lines of one contiguous change.
    pub lines: Vec<(u32, String)>,
    /// The same lines as a multiset.
    pub bag: LineBag,
}

impl FileAdds {
    fn push(&mut self, hunk: u32, key: &str) {
        self.lines.push((hunk, key.to_owned()));
        *self.bag.entry(key.to_owned()).or_default() += 1;
    }
}

/// What one commit added to the files of interest, and the facts its route is decided on.
#[derive(Debug, Clone)]
pub struct CommitFacts {
    /// The commit.
    pub oid: Oid,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// Author time, seconds since the epoch (kept by rebase and cherry-pick, new for a squash).
    pub author_time: i64,
    /// First line of the message.
    pub summary: String,
    /// The message says `(cherry picked from commit …)`.
    pub cherry_pick_marker: bool,
    /// The message looks like a squash merge (`Squashed commit of the following`, GitHub's `Title (#12)`).
    pub squash_marker: bool,
    /// A merge commit: its lines are those in none of its parents (a conflict resolution).
    pub is_merge: bool,
    /// Agent marks in the message or author (`Co-Authored-By: Claude`, `(aider)`…).
    pub signals: Vec<String>,
    /// Repository path → added lines of interest.
    pub added: HashMap<String, FileAdds>,
}

/// Lines some session added, per file: what the walk looks for.
pub type Interest = HashMap<String, HashSet<String>>;

/// The candidate commits, and what could not be read.
#[derive(Debug, Default)]
pub struct Walked {
    /// Commits holding lines of interest, oldest first.
    pub commits: Vec<CommitFacts>,
    /// Blobs that could not be read (partial clone, corruption); their commits are not used.
    pub missing_blobs: u64,
    /// Binary blobs skipped.
    pub binary_blobs: u64,
}

fn git_err(context: impl Into<String>) -> impl FnOnce(git2::Error) -> Error {
    let context = context.into();
    move |source| Error::Git { context, source }
}

/// Why a file's diff gave nothing usable.
enum BlobFail {
    Missing,
    Binary,
}

fn blob_id(tree: Option<&Tree<'_>>, path: &str) -> Option<Oid> {
    let e = tree?.get_path(Path::new(path)).ok()?;
    (e.kind() == Some(git2::ObjectType::Blob)).then(|| e.id())
}

/// The patch from `old` (or nothing) to `new`. From the blobs, not their bytes, where both exist: libgit2
/// then knows their ids and does not hash the contents again (hashing was a sixth of a correlation).
fn patch_of<'b>(
    old: Option<&'b git2::Blob<'b>>,
    new: &'b git2::Blob<'b>,
    opts: &mut DiffOptions,
) -> std::result::Result<git2::Patch<'b>, git2::Error> {
    match old {
        Some(old) => git2::Patch::from_blobs(old, None, new, None, Some(opts)),
        None => git2::Patch::from_buffers(&[], None, new.content(), None, Some(opts)),
    }
}

/// The added lines when `old` (or nothing) becomes `new`: those of interest (`wanted`), or every
/// non-trivial one (`None`: what the commit cache stores, to answer any later question).
fn blob_adds(
    repo: &Repository,
    old: Option<Oid>,
    new: Oid,
    wanted: Option<&HashSet<String>>,
) -> std::result::Result<FileAdds, BlobFail> {
    let new_blob = repo.find_blob(new).map_err(|_| BlobFail::Missing)?;
    let old_blob = match old {
        Some(o) => Some(repo.find_blob(o).map_err(|_| BlobFail::Missing)?),
        None => None,
    };
    let mut out = FileAdds::default();
    let mut opts = DiffOptions::new();
    opts.context_lines(0);
    let Ok(patch) = patch_of(old_blob.as_ref(), &new_blob, &mut opts) else {
        return Ok(out);
    };
    if patch.delta().flags().is_binary() {
        return Err(BlobFail::Binary);
    }
    for h in 0..patch.num_hunks() {
        let n = patch.num_lines_in_hunk(h).unwrap_or(0);
        for l in 0..n {
            let Ok(line) = patch.line_in_hunk(h, l) else {
                continue;
            };
            if line.origin() != '+' {
                continue;
            }
            match wanted {
                Some(w) => keep_line(&mut out, h as u32, w, line.content()),
                None => {
                    if let Ok(text) = std::str::from_utf8(line.content())
                        && let Some(key) = normalize(text)
                    {
                        out.push(h as u32, key);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// What a commit cache (the index, `crate::index`) keeps of one commit: commits are immutable, so this
/// never goes stale. The paths are those its first-parent tree diff names (no pathspec: any later
/// question about any file is answered from it).
#[derive(Debug, Clone, PartialEq)]
pub struct CommitMeta {
    /// Committer time.
    pub time: i64,
    /// Author time.
    pub author_time: i64,
    /// First line of the message.
    pub summary: String,
    /// See [`CommitFacts::cherry_pick_marker`].
    pub cherry_pick_marker: bool,
    /// See [`CommitFacts::squash_marker`].
    pub squash_marker: bool,
    /// Parents, in order.
    pub parents: Vec<Oid>,
    /// See [`CommitFacts::signals`].
    pub signals: Vec<String>,
    /// Paths the first-parent diff names.
    pub changed: Vec<String>,
}

/// What a commit added to one path, as a commit cache keeps it: every non-trivial added line (the
/// matcher's normalisation), hashed with [`line_hash`], with its hunk; or the file was binary.
#[derive(Debug, Clone, PartialEq)]
pub enum CachedAdds {
    /// `(hunk, line hash)` in diff order (empty: nothing of its own).
    Lines(Vec<(u32, [u8; 16])>),
    /// A binary blob, skipped.
    Binary,
}

/// A store of [`CommitMeta`] and [`CachedAdds`] beside the walk: asked before a commit is read or a
/// file diffed, told about what was computed. A blob that could not be read is never stored.
pub trait CommitCache: Send + Sync + std::fmt::Debug {
    /// The commit's facts, when stored.
    fn meta(&self, oid: Oid) -> Option<CommitMeta>;
    /// What the commit added to `path`, when stored.
    fn adds(&self, oid: Oid, path: &str) -> Option<CachedAdds>;
    /// Stores a commit's facts.
    fn put_meta(&self, oid: Oid, meta: CommitMeta);
    /// Stores what a commit added to a path.
    fn put_adds(&self, oid: Oid, path: &str, adds: CachedAdds);
    /// The walk is over: `seen` are the commits it visited; `complete` when it reached every root (the
    /// cache may then forget the commits no ref reaches any more).
    fn finish(&self, seen: &HashSet<Oid>, complete: bool);
}

/// The hash a line is stored under: the first 16 bytes of the SHA-256 of its normalised text.
pub fn line_hash(key: &str) -> [u8; 16] {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    let mut out = [0; 16];
    out.copy_from_slice(&d[..16]);
    out
}

/// Walks every ref's history from newest to `since` (committer time) and collects the commits in
/// `[since, until]` that added lines of interest.
pub fn collect(repo: &Repository, interest: &Interest, since: i64, until: i64) -> Result<Walked> {
    collect_with(repo, interest, since, until, None)
}

/// [`collect`], reading each commit's facts and each file's added lines from `cache` when it holds
/// them (then the commit's trees and blobs are not read), and storing what it computes.
pub fn collect_with(
    repo: &Repository,
    interest: &Interest,
    since: i64,
    until: i64,
    cache: Option<&dyn CommitCache>,
) -> Result<Walked> {
    if let Some(cache) = cache {
        return collect_cached(repo, interest, since, until, cache);
    }
    let mut out = Walked::default();
    if interest.is_empty() {
        return Ok(out);
    }
    let walk = TimeWalk::from_refs(repo)?;
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .disable_pathspec_match(true)
        .skip_binary_check(false);
    for path in interest.keys() {
        opts.pathspec(path);
    }
    // Commit times are not monotonic (clock skew, rebases keep old author dates but not committer
    // dates); stop a day past the window's start.
    let stop = since - 86_400;
    // With a handful of files, looking their blobs up in each tree beats a pathspec tree diff.
    let few_paths: Option<Vec<&String>> = (interest.len() <= 16).then(|| interest.keys().collect());
    for commit in walk {
        let commit = commit?;
        let oid = commit.id();
        let time = commit.time().seconds();
        if time < stop {
            break;
        }
        if time < since || time > until {
            continue;
        }
        let tree = commit.tree().map_err(git_err(format!("tree of {oid}")))?;
        let mut parents: Vec<Tree<'_>> = Vec::new();
        for p in commit.parents() {
            parents.push(p.tree().map_err(git_err(format!("tree of {}", p.id())))?);
        }
        let is_merge = parents.len() > 1;
        // The paths to look at: every file of interest (few), or those the first-parent diff names.
        let changed: Vec<String> = match &few_paths {
            Some(paths) => paths.iter().map(|p| (*p).clone()).collect(),
            None => {
                let diff = repo
                    .diff_tree_to_tree(parents.first(), Some(&tree), Some(&mut opts))
                    .map_err(git_err(format!("cannot diff {oid}")))?;
                diff.deltas()
                    .filter_map(|d| d.new_file().path().and_then(|p| p.to_str()))
                    .map(str::to_owned)
                    .collect()
            }
        };
        let mut added: HashMap<String, FileAdds> = HashMap::new();
        let mut unreadable = false;
        for path in &changed {
            let Some(wanted) = interest.get(path) else {
                continue;
            };
            let Some(new) = blob_id(Some(&tree), path) else {
                continue; // deleted here
            };
            let olds: Vec<Option<Oid>> = if parents.is_empty() {
                vec![None]
            } else {
                parents.iter().map(|t| blob_id(Some(t), path)).collect()
            };
            if olds.contains(&Some(new)) {
                continue; // unchanged against some parent: nothing of its own
            }
            let mut adds = match blob_adds(repo, olds[0], new, Some(wanted)) {
                Ok(a) => a,
                Err(BlobFail::Missing) => {
                    out.missing_blobs += 1;
                    unreadable = true;
                    continue;
                }
                Err(BlobFail::Binary) => {
                    out.binary_blobs += 1;
                    continue;
                }
            };
            // A merge's own lines are in none of its parents: keep what every other parent's diff adds.
            for other in olds.iter().skip(1) {
                let Ok(theirs) = blob_adds(repo, *other, new, Some(wanted)) else {
                    out.missing_blobs += 1;
                    unreadable = true;
                    adds = FileAdds::default();
                    break;
                };
                let mut left = theirs.bag;
                let mut kept = FileAdds::default();
                for (h, k) in adds.lines {
                    if let Some(n) = left.get_mut(&k).filter(|n| **n > 0) {
                        *n -= 1;
                        kept.push(h, &k);
                    }
                }
                adds = kept;
            }
            if !adds.lines.is_empty() {
                added.insert(path.clone(), adds);
            }
        }
        if added.is_empty() || unreadable {
            continue;
        }
        let message = commit.message().unwrap_or_default();
        let author = commit.author();
        out.commits.push(CommitFacts {
            oid,
            time,
            author_time: author.when().seconds(),
            summary: commit
                .summary()
                .ok()
                .flatten()
                .unwrap_or_default()
                .to_owned(),
            cherry_pick_marker: message.contains("(cherry picked from commit "),
            squash_marker: is_squash_message(message),
            is_merge,
            signals: super::signals::of_commit(
                message,
                &[
                    author.name().unwrap_or_default(),
                    commit.committer().name().unwrap_or_default(),
                ],
            ),
            added,
        });
    }
    out.commits.sort_by_key(|c| (c.time, c.oid));
    Ok(out)
}

/// What `commit` adds to `path` of its own (against every parent; see [`collect`]), every non-trivial
/// line kept (`wanted: None`) or only those of `wanted`. `Ok(None)`: nothing of its own.
fn path_adds(
    repo: &Repository,
    tree: &Tree<'_>,
    parents: &[Tree<'_>],
    path: &str,
    wanted: Option<&HashSet<String>>,
) -> std::result::Result<Option<FileAdds>, BlobFail> {
    let Some(new) = blob_id(Some(tree), path) else {
        return Ok(None); // deleted here
    };
    let olds: Vec<Option<Oid>> = if parents.is_empty() {
        vec![None]
    } else {
        parents.iter().map(|t| blob_id(Some(t), path)).collect()
    };
    if olds.contains(&Some(new)) {
        return Ok(None);
    }
    let adds_of = |old: Option<Oid>| blob_adds(repo, old, new, wanted);
    let mut adds = adds_of(olds[0])?;
    for other in olds.iter().skip(1) {
        let theirs = adds_of(*other)?;
        let mut left = theirs.bag;
        let mut kept = FileAdds::default();
        for (h, k) in adds.lines {
            if let Some(n) = left.get_mut(&k).filter(|n| **n > 0) {
                *n -= 1;
                kept.push(h, &k);
            }
        }
        adds = kept;
    }
    Ok(Some(adds))
}

/// The cached walk: the same commits, in the same order, with the same added lines as [`collect`]'s.
/// A commit's facts come from the cache or from the commit (then stored); a file's added lines of
/// interest from its stored hashes, or from a diff of all its added lines (then stored).
fn collect_cached(
    repo: &Repository,
    interest: &Interest,
    since: i64,
    until: i64,
    cache: &dyn CommitCache,
) -> Result<Walked> {
    let mut out = Walked::default();
    if interest.is_empty() {
        return Ok(out);
    }
    // Per path: line hash → the wanted line it stands for.
    let by_hash: HashMap<&str, HashMap<[u8; 16], &str>> = interest
        .iter()
        .map(|(p, lines)| {
            let m = lines.iter().map(|l| (line_hash(l), l.as_str())).collect();
            (p.as_str(), m)
        })
        .collect();
    let mut walk = TimeWalk::from_refs(repo)?;
    let stop = since - 86_400;
    let mut seen = HashSet::new();
    let mut complete = true;
    let mut opts = DiffOptions::new();
    opts.context_lines(0).skip_binary_check(false);
    while let Some((oid, time)) = walk.pop_cached(cache) {
        let oid = oid?;
        seen.insert(oid);
        if time < stop {
            complete = false;
            break;
        }
        if time < since || time > until {
            continue;
        }
        // The commit's facts, and its trees only when a file must be diffed.
        let mut trees: Option<(Tree<'_>, Vec<Tree<'_>>)> = None;
        let meta = match cache.meta(oid) {
            Some(m) => m,
            None => {
                load_trees(repo, oid, &mut trees)?;
                let Some((tree, parents)) = trees.as_ref() else {
                    continue;
                };
                let diff = repo
                    .diff_tree_to_tree(parents.first(), Some(tree), Some(&mut opts))
                    .map_err(git_err(format!("cannot diff {oid}")))?;
                let changed = diff
                    .deltas()
                    .filter_map(|d| d.new_file().path().and_then(|p| p.to_str()))
                    .map(str::to_owned)
                    .collect();
                let c = repo
                    .find_commit(oid)
                    .map_err(git_err(format!("cannot read commit {oid}")))?;
                let message = c.message().unwrap_or_default();
                let author = c.author();
                let m = CommitMeta {
                    time: c.time().seconds(),
                    author_time: author.when().seconds(),
                    summary: c.summary().ok().flatten().unwrap_or_default().to_owned(),
                    cherry_pick_marker: message.contains("(cherry picked from commit "),
                    squash_marker: is_squash_message(message),
                    parents: c.parent_ids().collect(),
                    signals: super::signals::of_commit(
                        message,
                        &[
                            author.name().unwrap_or_default(),
                            c.committer().name().unwrap_or_default(),
                        ],
                    ),
                    changed,
                };
                cache.put_meta(oid, m.clone());
                m
            }
        };
        let mut added: HashMap<String, FileAdds> = HashMap::new();
        let mut unreadable = false;
        for path in &meta.changed {
            let Some(lookup) = by_hash.get(path.as_str()) else {
                continue;
            };
            let stored = match cache.adds(oid, path) {
                Some(a) => a,
                None => {
                    load_trees(repo, oid, &mut trees)?;
                    let Some((tree, parents)) = trees.as_ref() else {
                        continue;
                    };
                    let a = match path_adds(repo, tree, parents, path, None) {
                        Ok(None) => CachedAdds::Lines(Vec::new()),
                        Ok(Some(adds)) => CachedAdds::Lines(
                            adds.lines.iter().map(|(h, k)| (*h, line_hash(k))).collect(),
                        ),
                        Err(BlobFail::Binary) => CachedAdds::Binary,
                        Err(BlobFail::Missing) => {
                            out.missing_blobs += 1;
                            unreadable = true;
                            continue;
                        }
                    };
                    cache.put_adds(oid, path, a.clone());
                    a
                }
            };
            match stored {
                CachedAdds::Binary => out.binary_blobs += 1,
                CachedAdds::Lines(lines) => {
                    let mut adds = FileAdds::default();
                    for (h, hash) in lines {
                        if let Some(key) = lookup.get(&hash) {
                            adds.push(h, key);
                        }
                    }
                    if !adds.lines.is_empty() {
                        added.insert(path.clone(), adds);
                    }
                }
            }
        }
        if added.is_empty() || unreadable {
            continue;
        }
        out.commits.push(CommitFacts {
            oid,
            time: meta.time,
            author_time: meta.author_time,
            summary: meta.summary,
            cherry_pick_marker: meta.cherry_pick_marker,
            squash_marker: meta.squash_marker,
            is_merge: meta.parents.len() > 1,
            signals: meta.signals,
            added,
        });
    }
    cache.finish(&seen, complete);
    out.commits.sort_by_key(|c| (c.time, c.oid));
    Ok(out)
}

/// The trees of `oid` and of its parents, read once, when a file of it must be diffed.
fn load_trees<'r>(
    repo: &'r Repository,
    oid: Oid,
    trees: &mut Option<(Tree<'r>, Vec<Tree<'r>>)>,
) -> Result<()> {
    if trees.is_none() {
        let c = repo
            .find_commit(oid)
            .map_err(git_err(format!("cannot read commit {oid}")))?;
        let tree = c.tree().map_err(git_err(format!("tree of {oid}")))?;
        let mut ps = Vec::new();
        for p in c.parents() {
            ps.push(p.tree().map_err(git_err(format!("tree of {}", p.id())))?);
        }
        *trees = Some((tree, ps));
    }
    Ok(())
}

/// Non-trivial lines `commit` adds to `path` against its first parent, whatever they are: the lines of a
/// file the session changed through the shell, credited through the session's own commit.
pub fn lines_added_to(repo: &Repository, commit: Oid, path: &str) -> u64 {
    let Ok(c) = repo.find_commit(commit) else {
        return 0;
    };
    if c.parent_count() > 1 {
        return 0; // a merge brings other commits' lines: only its own commits vouch for a session
    }
    let Some(new) = c.tree().ok().and_then(|t| blob_id(Some(&t), path)) else {
        return 0;
    };
    let old = c
        .parent(0)
        .ok()
        .and_then(|p| p.tree().ok())
        .and_then(|t| blob_id(Some(&t), path));
    if old == Some(new) {
        return 0;
    }
    let (Ok(new_blob), old_blob) = (repo.find_blob(new), old.map(|o| repo.find_blob(o))) else {
        return 0;
    };
    let old_blob = match old_blob {
        Some(Ok(b)) => Some(b),
        Some(Err(_)) => return 0,
        None => None,
    };
    let mut opts = DiffOptions::new();
    opts.context_lines(0);
    let Ok(patch) = patch_of(old_blob.as_ref(), &new_blob, &mut opts) else {
        return 0;
    };
    if patch.delta().flags().is_binary() {
        return 0;
    }
    let mut n = 0;
    for h in 0..patch.num_hunks() {
        for l in 0..patch.num_lines_in_hunk(h).unwrap_or(0) {
            if let Ok(line) = patch.line_in_hunk(h, l)
                && line.origin() == '+'
                && let Ok(t) = std::str::from_utf8(line.content())
                && normalize(t).is_some()
            {
                n += 1;
            }
        }
    }
    n
}

/// Commits reachable from every branch, remote-tracking branch, tag and HEAD, newest committer time first.
///
/// A heap walk over `find_commit` rather than libgit2's revwalk: the revwalk parses each commit for its
/// own use and the caller then has to read it again, so every commit was inflated twice (the walk was most
/// of `session`'s time on a 20k-commit history). Here each commit is read once and stays in libgit2's
/// object cache for when it is popped.
struct TimeWalk<'r> {
    repo: &'r Repository,
    heap: std::collections::BinaryHeap<(i64, Oid)>,
    seen: HashSet<Oid>,
}

impl<'r> TimeWalk<'r> {
    fn from_refs(repo: &'r Repository) -> Result<TimeWalk<'r>> {
        let mut w = TimeWalk {
            repo,
            heap: std::collections::BinaryHeap::new(),
            seen: HashSet::new(),
        };
        let refs = repo
            .references()
            .map_err(git_err("cannot list references"))?;
        for r in refs.flatten() {
            let Ok(name) = r.name() else { continue };
            if !(name.starts_with("refs/heads/")
                || name.starts_with("refs/remotes/")
                || name.starts_with("refs/tags/"))
            {
                continue;
            }
            if let Ok(c) = r.peel_to_commit() {
                w.push(&c);
            }
        }
        // A detached HEAD (or an unborn branch) is fine: pushed when it points at a commit.
        if let Ok(c) = repo.head().and_then(|h| h.peel_to_commit()) {
            w.push(&c);
        }
        Ok(w)
    }

    fn push(&mut self, c: &git2::Commit<'_>) {
        if self.seen.insert(c.id()) {
            self.heap.push((c.time().seconds(), c.id()));
        }
    }

    /// The next commit (newest first) and its committer time, its parents taken from `cache` when it
    /// holds the commit (then the commit object is not read).
    fn pop_cached(&mut self, cache: &dyn CommitCache) -> Option<(Result<Oid>, i64)> {
        let (time, oid) = self.heap.pop()?;
        if let Some(meta) = cache.meta(oid) {
            for p in meta.parents {
                if !self.seen.insert(p) {
                    continue;
                }
                let t = match cache.meta(p) {
                    Some(m) => m.time,
                    None => match self.repo.find_commit(p) {
                        Ok(pc) => pc.time().seconds(),
                        Err(e) => {
                            return Some((
                                Err(git_err(format!("cannot read commit {p}"))(e)),
                                time,
                            ));
                        }
                    },
                };
                self.heap.push((t, p));
            }
            return Some((Ok(oid), time));
        }
        match self.repo.find_commit(oid) {
            Ok(c) => {
                for p in c.parents() {
                    self.push(&p);
                }
                Some((Ok(oid), time))
            }
            Err(e) => Some((Err(git_err(format!("cannot read commit {oid}"))(e)), time)),
        }
    }
}

impl<'r> Iterator for TimeWalk<'r> {
    type Item = Result<git2::Commit<'r>>;

    fn next(&mut self) -> Option<Self::Item> {
        let (_, oid) = self.heap.pop()?;
        let commit = match self.repo.find_commit(oid) {
            Ok(c) => c,
            Err(e) => return Some(Err(git_err(format!("cannot read commit {oid}"))(e))),
        };
        for p in commit.parents() {
            self.push(&p);
        }
        Some(Ok(commit))
    }
}

/// Keeps an added line when some session added it too.
fn keep_line(adds: &mut FileAdds, hunk: u32, wanted: &HashSet<String>, content: &[u8]) {
    let Ok(text) = std::str::from_utf8(content) else {
        return;
    };
    if let Some(key) = normalize(text)
        && wanted.contains(key)
    {
        adds.push(hunk, key);
    }
}

fn is_squash_message(message: &str) -> bool {
    if message.starts_with("Squashed commit of the following") {
        return true;
    }
    let summary = message.lines().next().unwrap_or_default().trim_end();
    // GitHub's squash merge: "Title (#123)".
    summary.ends_with(')')
        && summary
            .rsplit_once("(#")
            .is_some_and(|(_, n)| n.trim_end_matches(')').bytes().all(|b| b.is_ascii_digit()))
}

/// Which candidate commits the base branch reaches, and which of those are on its first-parent line
/// (reached without going through a merge's second parent).
pub struct BaseSets {
    /// Candidate commits reachable from the base tip.
    pub reachable: HashSet<Oid>,
    /// Commits on the base's first-parent line, down to the window's start.
    pub first_parent: HashSet<Oid>,
}

/// Computes [`BaseSets`] for the candidate `commits`: reachability is asked per candidate (there are few),
/// so the base's history is not walked a second time; only its first-parent line is.
pub fn base_sets(
    repo: &Repository,
    tip: Oid,
    since: i64,
    commits: &[CommitFacts],
) -> Result<BaseSets> {
    let stop = since - 86_400;
    let mut reachable = HashSet::new();
    if commits.len() <= 32 {
        // A few candidates (one session): ask for each.
        for c in commits {
            let reached = c.oid == tip
                || repo
                    .graph_descendant_of(tip, c.oid)
                    .map_err(git_err(format!(
                        "cannot tell whether the base reaches {}",
                        c.oid
                    )))?;
            if reached {
                reachable.insert(c.oid);
            }
        }
    } else {
        // Many candidates: one walk of the base's history is cheaper than a graph query each.
        let wanted: HashSet<Oid> = commits.iter().map(|c| c.oid).collect();
        let mut walk = repo.revwalk().map_err(git_err("revwalk"))?;
        walk.set_sorting(git2::Sort::TIME)
            .map_err(git_err("revwalk"))?;
        walk.push(tip)
            .map_err(git_err("cannot walk the base branch"))?;
        for oid in walk {
            let oid = oid.map_err(git_err("revwalk"))?;
            if wanted.contains(&oid) {
                reachable.insert(oid);
                if reachable.len() == wanted.len() {
                    break;
                }
            }
            let c = repo
                .find_commit(oid)
                .map_err(git_err(format!("commit {oid}")))?;
            if c.time().seconds() < stop {
                break;
            }
        }
    }
    let mut first_parent = HashSet::new();
    let mut cur = repo.find_commit(tip).ok();
    while let Some(c) = cur {
        if c.time().seconds() < stop {
            break;
        }
        first_parent.insert(c.id());
        cur = c.parent(0).ok();
    }
    Ok(BaseSets {
        reachable,
        first_parent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_messages() {
        assert!(is_squash_message("Add cache (#42)\n\n* wip"));
        assert!(is_squash_message("Squashed commit of the following:\n"));
        assert!(!is_squash_message("Fix (see docs)"));
    }
}
