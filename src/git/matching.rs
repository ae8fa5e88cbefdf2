//! Attribution: each session's added lines are matched, as multisets, against the added lines of the
//! candidate commits — per line, never whole commits (a commit may hold lines of several sessions and of
//! humans) — and a commit's line goes to one session only.
//!
//! - **Evidence per hunk.** A distinctive line found in a commit is evidence on its own. A common line
//!   (boilerplate, see [`super::evidence`]) counts only when the commit hunk holding it also holds, in
//!   order, a distinctive line of the same session edit, or when the commit is one the session made itself.
//! - **Who gets a shared line.** When several sessions wrote a line one commit holds, the commit's line
//!   goes first to the session that made the commit itself (its `git commit` printed the hash), then to a
//!   session whose logged branch reaches the commit, then to the session that edited the file last before
//!   the commit was authored, then to a session of the agent the commit's marks name, then to the oldest.
//! - **committed**: the line is added by a commit reachable from any ref (a merge commit adds the lines in
//!   none of its parents: a conflict resolution).
//! - **merged**: it is added by a commit reachable from the base branch. The route is read from that commit
//!   (see [`route`]).
//! - **in HEAD**: a merged line still present in HEAD's version of the file (content match); when several
//!   sessions claim one HEAD line, the one credited by the newest commit keeps it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use git2::Oid;
use serde::Serialize;

use super::evidence::{Common, anchored};
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
    /// Committed lines credited on distinctive evidence (a line rare in the repository).
    pub lines_distinctive: u64,
    /// Committed common lines credited through anchoring: their commit hunk also holds distinctive lines
    /// of the same edit, in order, or the commit is the session's own.
    pub lines_anchored: u64,
    /// Lines of files the session changed through the shell without their content in the command
    /// (`sed -i`, scripts), credited because the session's own commit added them. Not content matches:
    /// never part of `lines_committed`.
    pub lines_via_anchor: u64,
    /// Of `lines_via_anchor`, those whose commit the base branch reaches.
    pub lines_via_anchor_merged: u64,
    /// Commits the session made itself (its `git commit` printed them), full hashes.
    pub own_commits: Vec<String>,
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
    /// Common (boilerplate) lines per file.
    pub common: &'a Common,
    /// Whether the tip of a branch (by name) reaches a commit; asked only when sessions compete.
    pub on_branch: &'a dyn Fn(&str, Oid) -> bool,
}

/// One session to attribute: its lines, its time window (committer times, seconds), and what decides
/// who gets a line several sessions wrote.
pub struct Claim<'a> {
    /// The lines.
    pub lines: &'a SessionLines,
    /// Commits before this are not the session's.
    pub from: i64,
    /// Commits after this are not the session's.
    pub to: i64,
    /// Commits the session made itself.
    pub own: &'a HashSet<Oid>,
    /// Commits the session printed that are not its work (undone, or the user's work it committed):
    /// none of their lines is credited to it.
    pub disowned: &'a HashSet<Oid>,
    /// The git branch the session logged.
    pub branch: Option<&'a str>,
    /// The agent's name as commit marks spell it (`claude-code`, `codex`).
    pub agent: &'a str,
    /// Session start (seconds), the last tie-break.
    pub started: i64,
}

/// A session holding committed copies of a line: (session, merged, committed).
type Holder = (usize, u64, u64);

/// Per-session running totals while commits are handed out.
#[derive(Default)]
struct Tally<'a> {
    /// (path, line) → lines still wanted from base commits / from other commits.
    need_base: HashMap<(&'a str, &'a str), u64>,
    need_off: HashMap<(&'a str, &'a str), u64>,
    /// Commit index → lines credited.
    per_commit: BTreeMap<usize, u64>,
    /// Path → commits crediting it.
    file_commits: HashMap<&'a str, BTreeSet<usize>>,
    /// Path → committer time of the newest commit that credited it.
    newest: HashMap<&'a str, i64>,
}

/// Attributes every claim and returns their outcomes in the same order. The answer for a session does
/// not depend on the order of the claims, only on who else claims the same lines.
pub fn attribute(claims: &[Claim<'_>], facts: &Facts<'_>) -> Vec<Outcome> {
    let on_base = |c: &CommitFacts| facts.base.is_some_and(|b| b.reachable.contains(&c.oid));
    // (path, line) → the sessions that wrote it.
    let mut writers: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut tallies: Vec<Tally<'_>> = Vec::with_capacity(claims.len());
    for (si, claim) in claims.iter().enumerate() {
        let mut t = Tally::default();
        for (path, f) in &claim.lines.files {
            for (line, &n) in &f.bag {
                let key = (path.as_str(), line.as_str());
                writers.entry(key).or_default().push(si);
                t.need_base.insert(key, u64::from(n));
                t.need_off.insert(key, u64::from(n));
            }
        }
        tallies.push(t);
    }
    let mut eligible: HashMap<(usize, usize, &str), HashMap<&str, u32>> = HashMap::new();
    for (ci, c) in facts.commits.iter().enumerate() {
        let base_c = on_base(c);
        let mut paths: Vec<&String> = c.added.keys().collect();
        paths.sort_unstable();
        for path in paths {
            let adds = &c.added[path];
            let mut keys: Vec<(&String, &u32)> = adds.bag.iter().collect();
            keys.sort_unstable();
            for (line, &avail) in keys {
                let Some(cands) = writers.get(&(path.as_str(), line.as_str())) else {
                    continue;
                };
                let mut live: Vec<(usize, u64)> = Vec::new();
                for &si in cands {
                    let claim = &claims[si];
                    if c.time < claim.from || c.time > claim.to {
                        continue;
                    }
                    let need = if base_c {
                        &tallies[si].need_base
                    } else {
                        &tallies[si].need_off
                    };
                    if need
                        .get(&(path.as_str(), line.as_str()))
                        .is_none_or(|&n| n == 0)
                    {
                        continue;
                    }
                    let e = eligible
                        .entry((si, ci, path.as_str()))
                        .or_insert_with(|| eligibility(claim, c, path, facts.common));
                    if let Some(&n) = e.get(line.as_str()) {
                        live.push((si, u64::from(n)));
                    }
                }
                if live.len() > 1 {
                    live.sort_by_cached_key(|&(si, _)| priority(&claims[si], si, c, path, facts));
                }
                let mut left = u64::from(avail);
                for (si, allowed) in live {
                    if left == 0 {
                        break;
                    }
                    let claim_key = (path.as_str(), line.as_str());
                    let t = &mut tallies[si];
                    let need = if base_c {
                        t.need_base.get_mut(&claim_key)
                    } else {
                        t.need_off.get_mut(&claim_key)
                    };
                    let Some(need) = need else { continue };
                    let give = left.min(allowed).min(*need);
                    if give == 0 {
                        continue;
                    }
                    *need -= give;
                    left -= give;
                    *t.per_commit.entry(ci).or_default() += give;
                    t.file_commits.entry(path.as_str()).or_default().insert(ci);
                    let newest = t.newest.entry(path.as_str()).or_insert(c.time);
                    *newest = (*newest).max(c.time);
                }
            }
        }
    }

    // Files → lines merged / committed per session, then HEAD's copies handed out newest credit first.
    let mut files: Vec<Vec<FileOutcome>> = Vec::with_capacity(claims.len());
    let mut classes: Vec<(u64, u64)> = vec![(0, 0); claims.len()];
    // (path, line) → sessions with (merged, committed) > 0.
    let mut holders: HashMap<(&str, &str), Vec<Holder>> = HashMap::new();
    for (si, claim) in claims.iter().enumerate() {
        let t = &tallies[si];
        let mut fo = Vec::new();
        for (path, f) in &claim.lines.files {
            let common = facts.common.get(path);
            let mut out = FileOutcome {
                path: path.clone(),
                lines_added: 0,
                lines_committed: 0,
                lines_merged: 0,
                lines_in_head: 0,
                lines_live: 0,
                commits: t
                    .file_commits
                    .get(path.as_str())
                    .map(|cs| {
                        cs.iter()
                            .map(|&ci| facts.commits[ci].oid.to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            for (line, &n) in &f.bag {
                let n = u64::from(n);
                let key = (path.as_str(), line.as_str());
                let merged = n - t.need_base.get(&key).copied().unwrap_or(n);
                let elsewhere = n - t.need_off.get(&key).copied().unwrap_or(n);
                let committed = merged.max(elsewhere);
                out.lines_added += n;
                out.lines_merged += merged;
                out.lines_committed += committed;
                if common.is_some_and(|c| c.contains(line)) {
                    classes[si].1 += committed;
                } else {
                    classes[si].0 += committed;
                }
                if committed > 0 {
                    holders
                        .entry(key)
                        .or_default()
                        .push((si, merged, committed));
                }
            }
            fo.push(out);
        }
        files.push(fo);
    }
    let mut head_lines: Vec<HashMap<&str, (u64, u64)>> = vec![HashMap::new(); claims.len()];
    let mut keys: Vec<_> = holders.keys().copied().collect();
    keys.sort_unstable();
    for key in keys {
        let mut hs = holders.remove(&key).unwrap_or_default();
        let Some(&in_head) = facts.head.get(key.0).and_then(|b| b.get(key.1)) else {
            continue;
        };
        hs.sort_by_key(|&(si, _, _)| {
            (
                Reverse(tallies[si].newest.get(key.0).copied().unwrap_or(0)),
                claims[si].started,
                si,
            )
        });
        let (mut left_merged, mut left_live) = (u64::from(in_head), u64::from(in_head));
        for (si, merged, committed) in hs {
            let m = merged.min(left_merged);
            left_merged -= m;
            let l = committed.min(left_live);
            left_live -= l;
            let e = head_lines[si].entry(key.0).or_default();
            e.0 += m;
            e.1 += l;
        }
    }

    claims
        .iter()
        .enumerate()
        .map(|(si, claim)| {
            let t = &tallies[si];
            let mut files = std::mem::take(&mut files[si]);
            for f in &mut files {
                if let Some(&(m, l)) = head_lines[si].get(f.path.as_str()) {
                    f.lines_in_head = m;
                    f.lines_live = l;
                }
            }
            let off_base: Vec<&CommitFacts> = t
                .per_commit
                .keys()
                .map(|&ci| &facts.commits[ci])
                .filter(|c| !on_base(c))
                .collect();
            let mut commit_matches = Vec::new();
            let mut signals = BTreeSet::new();
            let mut best: Option<(u64, MergeRoute)> = None;
            for (&ci, &lines) in &t.per_commit {
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
            let mut own: Vec<String> = claim.own.iter().map(Oid::to_string).collect();
            own.sort_unstable();
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
                lines_distinctive: classes[si].0,
                lines_anchored: classes[si].1,
                lines_via_anchor: 0,
                lines_via_anchor_merged: 0,
                own_commits: own,
                files,
                commit_matches,
                signals: signals.into_iter().collect(),
            }
        })
        .collect()
}

/// The lines of `c` in `path` that the session may be credited with, and how many of each: every line
/// of the session in its own commit; otherwise distinctive lines, and common lines anchored in their hunk.
fn eligibility<'c>(
    claim: &Claim<'_>,
    c: &'c CommitFacts,
    path: &str,
    common: &Common,
) -> HashMap<&'c str, u32> {
    let mut out = HashMap::new();
    if claim.disowned.contains(&c.oid) {
        return out;
    }
    let (Some(fl), Some(adds)) = (claim.lines.files.get(path), c.added.get(path)) else {
        return out;
    };
    let own = claim.own.contains(&c.oid);
    let common = common.get(path);
    let is_common = |k: &str| common.is_some_and(|set| set.contains(k));
    let mut wants_anchor = false;
    for (k, &n) in &adds.bag {
        if !fl.bag.contains_key(k) {
            continue;
        }
        if own || !is_common(k) {
            out.insert(k.as_str(), n);
        } else {
            wants_anchor = true;
        }
    }
    if !wants_anchor {
        return out;
    }
    // Group the commit's lines by hunk, and align each hunk holding a wanted common line with each edit
    // segment of the session holding one too.
    let mut hunks: BTreeMap<u32, Vec<&'c str>> = BTreeMap::new();
    for (h, k) in &adds.lines {
        hunks.entry(*h).or_default().push(k.as_str());
    }
    let mut anchored_n: HashMap<&'c str, u32> = HashMap::new();
    for hunk in hunks.values() {
        let wanted: HashSet<&str> = hunk
            .iter()
            .copied()
            .filter(|k| is_common(k) && fl.bag.contains_key(*k))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        for seg in &fl.segments {
            if !seg.iter().any(|k| wanted.contains(k.as_str())) {
                continue;
            }
            for (k, n) in anchored(seg, hunk, is_common) {
                if is_common(k) {
                    *anchored_n.entry(k).or_default() += n;
                }
            }
        }
    }
    for (k, n) in anchored_n {
        let cap = adds.bag.get(k).copied().unwrap_or(0);
        out.insert(k, n.min(cap));
    }
    out
}

/// Sort key of a session competing for a line of commit `c` (smaller wins).
fn priority(
    claim: &Claim<'_>,
    si: usize,
    c: &CommitFacts,
    path: &str,
    facts: &Facts<'_>,
) -> (bool, bool, Reverse<Option<i64>>, bool, i64, usize) {
    let own = claim.own.contains(&c.oid);
    let on_branch = claim.branch.is_some_and(|b| (facts.on_branch)(b, c.oid));
    // Edited before the commit was authored (two minutes of clock skew allowed); the latest edit wins.
    let last_edit = claim
        .lines
        .files
        .get(path)
        .and_then(|f| f.last_edit_before(c.author_time + 120));
    let marked = c
        .signals
        .iter()
        .any(|s| s.split(':').next() == Some(claim.agent));
    (
        !own,
        !on_branch,
        Reverse(last_edit),
        !marked,
        claim.started,
        si,
    )
}

/// How the lines of base commit `c` got onto the base branch. `off_base` are the commits outside the
/// base that also hold lines of the same session (a feature branch still around).
///
/// In order: a merge commit's own lines (a conflict resolution) → merge; a `(cherry picked from commit …)` message → cherry-pick; reached only through a merge's
/// second parent → merge; a squash message → squash; a matching feature-branch commit with the same author
/// date and summary → rebase, any other feature-branch commit → squash (a squash commit has a new author
/// date); a committer date more than a minute after the author date (history rewritten) → rebase;
/// otherwise → fast-forward.
pub fn route(c: &CommitFacts, base: &BaseSets, off_base: &[&CommitFacts]) -> MergeRoute {
    if c.is_merge {
        return MergeRoute::Merge; // lines of its own: a conflict resolved in the merge
    }
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

#[cfg(test)]
mod route_tests {
    use super::*;
    use crate::git::walk::{BaseSets, CommitFacts};
    use git2::Oid;

    fn commit(n: u8, time: i64, author_time: i64, summary: &str) -> CommitFacts {
        CommitFacts {
            oid: Oid::from_bytes(&[n; 20]).expect("oid"),
            time,
            author_time,
            summary: summary.to_owned(),
            cherry_pick_marker: false,
            squash_marker: false,
            is_merge: false,
            signals: Vec::new(),
            added: Default::default(),
        }
    }

    fn on_first_parent(c: &[&CommitFacts]) -> BaseSets {
        BaseSets {
            reachable: c.iter().map(|c| c.oid).collect(),
            first_parent: c.iter().map(|c| c.oid).collect(),
        }
    }

    /// Each rule of [`route`], in the order it is tried: the first that holds decides.
    #[test]
    fn every_route_rule_in_order() {
        let plain = commit(1, 1_000, 1_000, "Add parser");
        let base = on_first_parent(&[&plain]);
        assert_eq!(route(&plain, &base, &[]), MergeRoute::FastForward);

        // A merge commit's own lines (a conflict resolution) come first, whatever else it says.
        let mut merge = commit(2, 1_000, 1_000, "Merge branch 'x' (#3)");
        merge.is_merge = true;
        merge.squash_marker = true;
        assert_eq!(
            route(&merge, &on_first_parent(&[&merge]), &[]),
            MergeRoute::Merge
        );

        // A cherry-pick marker, even on the first-parent line.
        let mut picked = commit(3, 1_000, 1_000, "Fix");
        picked.cherry_pick_marker = true;
        assert_eq!(
            route(&picked, &on_first_parent(&[&picked]), &[]),
            MergeRoute::CherryPick
        );

        // Reached only through a merge's second parent.
        let side = commit(4, 1_000, 1_000, "Feature");
        let reached = BaseSets {
            reachable: [side.oid].into_iter().collect(),
            first_parent: Default::default(),
        };
        assert_eq!(route(&side, &reached, &[]), MergeRoute::Merge);

        // A squash message on the first-parent line.
        let mut squash = commit(5, 2_000, 2_000, "Add cache (#12)");
        squash.squash_marker = true;
        assert_eq!(
            route(&squash, &on_first_parent(&[&squash]), &[]),
            MergeRoute::Squash
        );

        // A feature-branch commit with the same author time and summary: rebased; another one: squash.
        let rebased = commit(6, 9_000, 1_000, "Add parser");
        let original = commit(7, 1_000, 1_000, "Add parser");
        let b = on_first_parent(&[&rebased]);
        assert_eq!(route(&rebased, &b, &[&original]), MergeRoute::Rebase);
        let other = commit(8, 1_000, 500, "WIP");
        assert_eq!(route(&rebased, &b, &[&other]), MergeRoute::Squash);

        // No branch left: a committer date more than a minute after the author date is a rewrite.
        assert_eq!(route(&rebased, &b, &[]), MergeRoute::Rebase);
        let within = commit(9, 1_060, 1_000, "Add parser");
        assert_eq!(
            route(&within, &on_first_parent(&[&within]), &[]),
            MergeRoute::FastForward
        );
    }
}
