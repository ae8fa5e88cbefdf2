//! Candidate commits: every commit reachable from a local branch, a remote-tracking branch, a tag or HEAD,
//! inside the time window, diffed against its first parent **only on the files the sessions edited**
//! (a pathspec-limited tree diff; the whole history is never diffed). Only the added lines that some
//! session also added are kept, so memory follows the sessions, not the repository.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{Delta, DiffOptions, Oid, Repository};

use super::lines::{LineBag, normalize};
use crate::error::{Error, Result};

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
    /// Agent marks in the message or author (`Co-Authored-By: Claude`, `(aider)`…).
    pub signals: Vec<String>,
    /// Repository path → added lines of interest.
    pub added: HashMap<String, LineBag>,
}

/// Lines some session added, per file: what the walk looks for.
pub type Interest = HashMap<String, HashSet<String>>;

fn git_err(context: impl Into<String>) -> impl FnOnce(git2::Error) -> Error {
    let context = context.into();
    move |source| Error::Git { context, source }
}

/// Walks every ref's history from newest to `since` (committer time) and collects the commits in
/// `[since, until]` that added lines of interest. Merge commits are not diffed: the lines they bring in
/// are found in the commits they merge.
pub fn collect(
    repo: &Repository,
    interest: &Interest,
    since: i64,
    until: i64,
) -> Result<Vec<CommitFacts>> {
    let mut out = Vec::new();
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
        if time < since || time > until || commit.parent_count() > 1 {
            continue;
        }
        let tree = commit.tree().map_err(git_err(format!("tree of {oid}")))?;
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(p.tree().map_err(git_err(format!("tree of {}", p.id())))?),
            Err(_) => None,
        };
        let mut added: HashMap<String, LineBag> = HashMap::new();
        if let Some(paths) = &few_paths {
            // Few files of interest: compare their blob ids and diff only the blobs that changed.
            for path in paths {
                let new = tree.get_path(Path::new(path)).ok().map(|e| e.id());
                let old = parent_tree
                    .as_ref()
                    .and_then(|t| t.get_path(Path::new(path)).ok())
                    .map(|e| e.id());
                let Some(new) = new else { continue };
                if Some(new) == old {
                    continue;
                }
                let (Some(wanted), Ok(new_blob)) = (interest.get(*path), repo.find_blob(new))
                else {
                    continue;
                };
                let old_blob = old.and_then(|o| repo.find_blob(o).ok());
                let mut patch_opts = DiffOptions::new();
                patch_opts.context_lines(0);
                let patch = git2::Patch::from_buffers(
                    old_blob.as_ref().map_or(&[][..], |b| b.content()),
                    None,
                    new_blob.content(),
                    None,
                    Some(&mut patch_opts),
                )
                .map_err(git_err(format!("cannot diff {path} in {oid}")))?;
                for h in 0..patch.num_hunks() {
                    let lines = patch.num_lines_in_hunk(h).unwrap_or(0);
                    for l in 0..lines {
                        let Ok(line) = patch.line_in_hunk(h, l) else {
                            continue;
                        };
                        if line.origin() == '+' {
                            keep_line(&mut added, path, wanted, line.content());
                        }
                    }
                }
            }
        } else {
            let diff = repo
                .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
                .map_err(git_err(format!("cannot diff {oid}")))?;
            if diff.deltas().len() == 0 {
                continue;
            }
            diff.foreach(
                &mut |_, _| true,
                None,
                None,
                Some(&mut |delta, _hunk, line| {
                    if line.origin() != '+' || matches!(delta.status(), Delta::Deleted) {
                        return true;
                    }
                    let Some(path) = delta.new_file().path().and_then(|p| p.to_str()) else {
                        return true;
                    };
                    if let Some(wanted) = interest.get(path) {
                        keep_line(&mut added, path, wanted, line.content());
                    }
                    true
                }),
            )
            .map_err(git_err(format!("cannot read the diff of {oid}")))?;
        }
        if added.is_empty() {
            continue;
        }
        let message = commit.message().unwrap_or_default();
        let author = commit.author();
        out.push(CommitFacts {
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
    out.sort_by_key(|c| (c.time, c.oid));
    Ok(out)
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

/// Counts an added line when some session added it too.
fn keep_line(
    added: &mut HashMap<String, LineBag>,
    path: &str,
    wanted: &HashSet<String>,
    content: &[u8],
) {
    let Ok(text) = std::str::from_utf8(content) else {
        return;
    };
    let text = text.strip_suffix('\n').unwrap_or(text);
    if let Some(key) = normalize(text)
        && wanted.contains(key)
    {
        *added
            .entry(path.to_owned())
            .or_default()
            .entry(key.to_owned())
            .or_default() += 1;
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
