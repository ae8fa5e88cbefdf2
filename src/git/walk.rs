//! Candidate commits: every commit reachable from a local branch, a remote-tracking branch, a tag or HEAD,
//! inside the time window, diffed against its first parent **only on the files the sessions edited**
//! (a pathspec-limited tree diff; the whole history is never diffed). Only the added lines that some
//! session also added are kept, so memory follows the sessions, not the repository.

use std::collections::{HashMap, HashSet};

use git2::{Delta, DiffOptions, Oid, Repository, Sort};

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
    let mut walk = repo.revwalk().map_err(git_err("cannot walk history"))?;
    walk.set_sorting(Sort::TIME).map_err(git_err("revwalk"))?;
    for glob in ["refs/heads/*", "refs/remotes/*", "refs/tags/*"] {
        walk.push_glob(glob)
            .map_err(git_err(format!("cannot read {glob}")))?;
    }
    // A detached HEAD (or an unborn branch) is fine: push it when it points at a commit.
    let _ = walk.push_head();

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
    for oid in walk {
        let oid = oid.map_err(git_err("revwalk"))?;
        let commit = repo
            .find_commit(oid)
            .map_err(git_err(format!("cannot read commit {oid}")))?;
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
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
            .map_err(git_err(format!("cannot diff {oid}")))?;
        if diff.deltas().len() == 0 {
            continue;
        }
        let mut added: HashMap<String, LineBag> = HashMap::new();
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
                let Some(wanted) = interest.get(path) else {
                    return true;
                };
                let Ok(text) = std::str::from_utf8(line.content()) else {
                    return true;
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
                true
            }),
        )
        .map_err(git_err(format!("cannot read the diff of {oid}")))?;
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

/// Commits reachable from the base branch, and those on its first-parent line (reached without going
/// through a merge's second parent), both down to `since`.
pub struct BaseSets {
    /// Every commit reachable from the base tip.
    pub reachable: HashSet<Oid>,
    /// Commits on the base's first-parent line.
    pub first_parent: HashSet<Oid>,
}

/// Computes [`BaseSets`] for the base tip.
pub fn base_sets(repo: &Repository, tip: Oid, since: i64) -> Result<BaseSets> {
    let stop = since - 86_400;
    let mut reachable = HashSet::new();
    let mut walk = repo.revwalk().map_err(git_err("revwalk"))?;
    walk.set_sorting(Sort::TIME).map_err(git_err("revwalk"))?;
    walk.push(tip)
        .map_err(git_err("cannot walk the base branch"))?;
    for oid in walk {
        let oid = oid.map_err(git_err("revwalk"))?;
        let c = repo
            .find_commit(oid)
            .map_err(git_err(format!("commit {oid}")))?;
        if c.time().seconds() < stop {
            break;
        }
        reachable.insert(oid);
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
