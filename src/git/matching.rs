//! Attribution: each session's added lines are matched, as multisets, against the added lines of the
//! candidate commits — per line, never whole commits (a commit may hold lines of several sessions and of
//! humans). Sessions are served oldest first and a commit's line is given to one session only.
//!
//! - **committed**: the line is added by a commit reachable from any ref.
//! - **merged**: it is added by a commit reachable from the base branch. The route is read from that commit
//!   (see [`route`]).
//! - **in HEAD**: a merged line still present in HEAD's version of the file (content match).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::lines::{LineBag, SessionLines};
use super::walk::{BaseSets, CommitFacts};

/// How a session's lines reached the base branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MergeRoute {
    /// The commits holding the lines were merged by a merge commit (reached through its second parent).
    Merge,
    /// The commits holding the lines are themselves on the base's first-parent line, unrewritten
    /// (a fast-forward, or a commit made on the base branch directly).
    FastForward,
    /// The lines reached the base in rewritten commits: new hashes, same author date (rebase, or
    /// "rebase and merge").
    Rebase,
    /// The lines reached the base inside one new commit that condenses a branch (squash merge).
    Squash,
    /// The base commit says `(cherry picked from commit …)`.
    CherryPick,
}

impl MergeRoute {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            MergeRoute::Merge => "merge",
            MergeRoute::FastForward => "fast-forward",
            MergeRoute::Rebase => "rebase",
            MergeRoute::Squash => "squash",
            MergeRoute::CherryPick => "cherry-pick",
        }
    }
}

/// A commit that holds lines of the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitMatch {
    /// Full hash.
    pub sha: String,
    /// First line of its message.
    pub summary: String,
    /// The session's lines it holds.
    pub lines: u64,
    /// Reachable from the base branch.
    pub on_base: bool,
    /// For base commits: how the lines got there.
    pub route: Option<MergeRoute>,
    /// Agent marks in the commit (trailers, author suffixes).
    pub signals: Vec<String>,
}

/// One edited file's story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileOutcome {
    /// Repository-relative path.
    pub path: String,
    /// Non-trivial lines the session added (final form).
    pub lines_added: u64,
    /// Of those, found in a commit on any ref.
    pub lines_committed: u64,
    /// Found in a commit reachable from the base branch.
    pub lines_merged: u64,
    /// Merged and still in HEAD.
    pub lines_in_head: u64,
    /// Committed (on any ref) and present in HEAD: what a branch under review keeps.
    pub lines_live: u64,
    /// Commits holding the file's lines (full hashes).
    pub commits: Vec<String>,
}

/// What became of a session's lines. The JSON `outcome` object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Non-trivial lines the session added, in their final form.
    pub lines_added: u64,
    /// Found in a commit reachable from any branch, remote-tracking branch or tag.
    pub lines_committed: u64,
    /// Found in a commit reachable from the base branch.
    pub lines_merged: u64,
    /// Merged and still present in HEAD.
    pub lines_in_head: u64,
    /// Committed (on any ref) and present in HEAD, merged or not: what a branch under review keeps.
    pub lines_live: u64,
    /// At least one line merged.
    pub merged: bool,
    /// The route of the base commit holding most of the merged lines.
    pub merged_via: Option<MergeRoute>,
    /// Commits holding the session's lines (full hashes), oldest first.
    pub commits: Vec<String>,
    /// Lines the session added and then removed or rewrote itself.
    pub self_removed_lines: u64,
    /// Per file.
    pub files: Vec<FileOutcome>,
    /// Per commit.
    pub commit_matches: Vec<CommitMatch>,
    /// Agent marks seen in the matched commits (they corroborate; the content match decides).
    pub signals: Vec<String>,
}

/// The facts matching needs, besides the sessions.
pub struct Facts<'a> {
    /// Candidate commits, oldest first.
    pub commits: &'a [CommitFacts],
    /// The base branch's commits, when a base was found.
    pub base: Option<&'a BaseSets>,
    /// HEAD's lines of interest, per file.
    pub head: &'a HashMap<String, LineBag>,
}

/// One session to attribute: its lines and its time window (committer times, seconds).
pub struct Claim<'a> {
    /// The lines.
    pub lines: &'a SessionLines,
    /// Commits before this are not the session's.
    pub from: i64,
    /// Commits after this are not the session's.
    pub to: i64,
}

/// Attributes every claim (given oldest first) and returns their outcomes in the same order.
pub fn attribute(claims: &[Claim<'_>], facts: &Facts<'_>) -> Vec<Outcome> {
    let mut remaining: Vec<HashMap<String, LineBag>> =
        facts.commits.iter().map(|c| c.added.clone()).collect();
    let mut head = facts.head.clone();
    let mut head_any = facts.head.clone();
    // (path, line) → the commits (oldest first) that added it: each line looks only at its own commits.
    let mut index: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (ci, c) in facts.commits.iter().enumerate() {
        for (path, bag) in &c.added {
            for line in bag.keys() {
                index
                    .entry((path.as_str(), line.as_str()))
                    .or_default()
                    .push(ci);
            }
        }
    }
    let on_base = |c: &CommitFacts| facts.base.is_some_and(|b| b.reachable.contains(&c.oid));
    claims
        .iter()
        .map(|claim| {
            let mut files = Vec::new();
            let mut per_commit: BTreeMap<usize, u64> = BTreeMap::new();
            for (path, bag) in &claim.lines.files {
                let mut f = FileOutcome {
                    path: path.clone(),
                    lines_added: 0,
                    lines_committed: 0,
                    lines_merged: 0,
                    lines_in_head: 0,
                    lines_live: 0,
                    commits: Vec::new(),
                };
                let mut file_commits = BTreeSet::new();
                for (line, &n) in bag {
                    let n = u64::from(n);
                    f.lines_added += n;
                    let candidates = index
                        .get(&(path.as_str(), line.as_str()))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let mut take = |want_base: bool| -> u64 {
                        let mut got = 0;
                        for &ci in candidates {
                            let c = &facts.commits[ci];
                            if got == n {
                                break;
                            }
                            if c.time < claim.from || c.time > claim.to || on_base(c) != want_base {
                                continue;
                            }
                            let Some(avail) =
                                remaining[ci].get_mut(path).and_then(|b| b.get_mut(line))
                            else {
                                continue;
                            };
                            let t = (n - got).min(u64::from(*avail));
                            if t == 0 {
                                continue;
                            }
                            *avail -= t as u32;
                            got += t;
                            *per_commit.entry(ci).or_default() += t;
                            file_commits.insert(ci);
                        }
                        got
                    };
                    let merged = take(true);
                    let elsewhere = take(false);
                    f.lines_merged += merged;
                    let committed = merged.max(elsewhere);
                    f.lines_committed += committed;
                    if committed > 0
                        && let Some(h) = head_any.get_mut(path).and_then(|b| b.get_mut(line))
                    {
                        let live = committed.min(u64::from(*h));
                        *h -= live as u32;
                        f.lines_live += live;
                    }
                    if merged > 0
                        && let Some(h) = head.get_mut(path).and_then(|b| b.get_mut(line))
                    {
                        let live = merged.min(u64::from(*h));
                        *h -= live as u32;
                        f.lines_in_head += live;
                    }
                }
                f.commits = file_commits
                    .iter()
                    .map(|&ci| facts.commits[ci].oid.to_string())
                    .collect();
                files.push(f);
            }
            let off_base: Vec<&CommitFacts> = per_commit
                .keys()
                .map(|&ci| &facts.commits[ci])
                .filter(|c| !on_base(c))
                .collect();
            let mut commit_matches = Vec::new();
            let mut signals = BTreeSet::new();
            let mut best: Option<(u64, MergeRoute)> = None;
            for (&ci, &lines) in &per_commit {
                let c = &facts.commits[ci];
                let base = facts.base.filter(|b| b.reachable.contains(&c.oid));
                let r = base.map(|b| route(c, b, &off_base));
                if let Some(r) = r
                    && best.is_none_or(|(n, _)| lines > n)
                {
                    best = Some((lines, r));
                }
                signals.extend(c.signals.iter().cloned());
                commit_matches.push(CommitMatch {
                    sha: c.oid.to_string(),
                    summary: c.summary.clone(),
                    lines,
                    on_base: base.is_some(),
                    route: r,
                    signals: c.signals.clone(),
                });
            }
            let sum = |g: fn(&FileOutcome) -> u64| files.iter().map(g).sum::<u64>();
            let lines_merged = sum(|f| f.lines_merged);
            Outcome {
                lines_added: sum(|f| f.lines_added),
                lines_committed: sum(|f| f.lines_committed),
                lines_merged,
                lines_in_head: sum(|f| f.lines_in_head),
                lines_live: sum(|f| f.lines_live),
                merged: lines_merged > 0,
                merged_via: best.map(|(_, r)| r),
                commits: commit_matches.iter().map(|c| c.sha.clone()).collect(),
                self_removed_lines: claim.lines.self_removed,
                files,
                commit_matches,
                signals: signals.into_iter().collect(),
            }
        })
        .collect()
}

/// How the lines of base commit `c` got onto the base branch. `off_base` are the commits outside the
/// base that also hold lines of the same session (a feature branch still around).
///
/// In order: a `(cherry picked from commit …)` message → cherry-pick; reached only through a merge's
/// second parent → merge; a squash message → squash; a matching feature-branch commit with the same author
/// date and summary → rebase, any other feature-branch commit → squash (a squash commit has a new author
/// date); a committer date more than a minute after the author date (history rewritten) → rebase;
/// otherwise → fast-forward.
pub fn route(c: &CommitFacts, base: &BaseSets, off_base: &[&CommitFacts]) -> MergeRoute {
    if c.cherry_pick_marker {
        return MergeRoute::CherryPick;
    }
    if !base.first_parent.contains(&c.oid) {
        return MergeRoute::Merge;
    }
    if c.squash_marker {
        return MergeRoute::Squash;
    }
    if !off_base.is_empty() {
        let same = off_base
            .iter()
            .any(|o| o.author_time == c.author_time && o.summary == c.summary);
        return if same {
            MergeRoute::Rebase
        } else {
            MergeRoute::Squash
        };
    }
    if c.time - c.author_time > 60 {
        return MergeRoute::Rebase;
    }
    MergeRoute::FastForward
}
