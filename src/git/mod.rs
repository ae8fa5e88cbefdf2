//! The one place that touches git2: which repository a session belongs to, and what became of its edits
//! (committed, merged into the base branch, still in HEAD) — see [`correlate`].

pub mod evidence;
pub mod lines;
pub mod matching;
pub mod signals;
pub mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use crate::error::{Error, Result};
use crate::model::Session;
pub use matching::{MergeRoute, Outcome};

/// A repository's work trees: the main one and every linked worktree.
#[derive(Debug, Clone)]
pub struct RepoScope {
    /// The main work tree's root.
    pub root: PathBuf,
    /// Every work tree root (main first), canonicalised where they exist.
    pub worktrees: Vec<PathBuf>,
}

impl RepoScope {
    /// The repository containing `dir` (any subdirectory or linked worktree of it).
    pub fn discover(dir: &Path) -> Result<RepoScope> {
        let repo = git2::Repository::discover(dir).map_err(|source| Error::Git {
            context: format!("`{}` is not inside a git repository", dir.display()),
            source,
        })?;
        // A linked worktree's common dir is the main repository's `.git`.
        let main = if repo.is_worktree() {
            git2::Repository::open(repo.commondir()).unwrap_or(repo)
        } else {
            repo
        };
        let root = match main.workdir() {
            Some(w) => w.to_path_buf(),
            None => {
                return Err(Error::Usage(format!(
                    "`{}` is a bare repository: sessions are matched by their working directory, and a \
                     bare repository has none (run inside one of its worktrees, or pass --repo)",
                    main.path().display()
                )));
            }
        };
        let mut worktrees = vec![canonical(&root)];
        if let Ok(names) = main.worktrees() {
            for name in names.iter().flatten().flatten() {
                if let Ok(wt) = main.find_worktree(name) {
                    worktrees.push(canonical(wt.path()));
                }
            }
        }
        Ok(RepoScope {
            root: canonical(&root),
            worktrees,
        })
    }

    /// True when `cwd` lies inside one of the repository's work trees.
    pub fn contains(&self, cwd: &Path) -> bool {
        let c = canonical(cwd);
        self.worktrees
            .iter()
            .any(|w| c.starts_with(w) || cwd.starts_with(w))
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl RepoScope {
    /// The work tree a session ran in: the longest work-tree root containing its cwd.
    pub fn tree_of(&self, cwd: &Path) -> &Path {
        let c = canonical(cwd);
        self.worktrees
            .iter()
            .filter(|w| c.starts_with(w) || cwd.starts_with(w))
            .max_by_key(|w| w.as_os_str().len())
            .map_or(self.root.as_path(), PathBuf::as_path)
    }
}

/// How to correlate.
#[derive(Debug, Clone)]
pub struct CorrelateOptions {
    /// The base branch (`--base`); default: the remote's HEAD branch, else `main`, else `master`.
    pub base: Option<String>,
    /// Commits up to this long after a session ends can hold its lines (seconds; default 30 days).
    pub after_s: i64,
    /// Commits this long before a session starts are not its (seconds; default 10 minutes, for clock skew).
    pub before_s: i64,
    /// Commit facts and added-line hashes kept between runs (the index); `None` reads everything from git.
    pub commit_cache: Option<std::sync::Arc<dyn walk::CommitCache>>,
}

impl CorrelateOptions {
    /// The commit times (seconds since the epoch) that can hold a session's lines: from its start minus
    /// `before_s` to its end (else its start) plus `after_s`; unbounded on a side the log gives no time
    /// for. The one definition `correlate` and `check`'s pre-filter share.
    pub fn window_of(&self, s: &Session) -> (i64, i64) {
        let from = s
            .started_at
            .map_or(i64::MIN / 2, |t| t.as_second() - self.before_s);
        let to = s
            .ended_at
            .or(s.started_at)
            .map_or(i64::MAX / 2, |t| t.as_second() + self.after_s);
        (from, to)
    }
}

impl Default for CorrelateOptions {
    fn default() -> Self {
        CorrelateOptions {
            base: None,
            after_s: 30 * 86_400,
            before_s: 600,
            commit_cache: None,
        }
    }
}

/// The result of [`correlate`].
#[derive(Debug, Clone)]
pub struct Correlation {
    /// One outcome per session given, same order.
    pub outcomes: Vec<Outcome>,
    /// The base branch used, as a ref name, when one was found.
    pub base: Option<String>,
    /// What limits the answer (no base branch, shallow clone, submodules…), in plain words.
    pub notes: Vec<String>,
}

/// Finds what became of each session's edits in the repository of `scope`.
pub fn correlate(
    scope: &RepoScope,
    sessions: &[&Session],
    opts: &CorrelateOptions,
) -> Result<Correlation> {
    let all: Vec<usize> = (0..sessions.len()).collect();
    correlate_focus(scope, sessions, &all, opts)
}

/// Like [`correlate`], for the sessions `focus` (indices into `sessions`) only, with every other session of
/// `sessions` taken into account as a competitor for the same lines: a session's figures are the same
/// whichever command asks (`sessions`, `session ID`, `check`). Outcomes come in `focus` order.
///
/// Attribution decomposes by file: only the sessions that edited one of the focus sessions' files can
/// take a line from them, so only those are matched, on those files.
pub fn correlate_focus(
    scope: &RepoScope,
    sessions: &[&Session],
    focus: &[usize],
    opts: &CorrelateOptions,
) -> Result<Correlation> {
    // Objects are read from the user's own repository, already verified by git when written; checking
    // every object's hash again was ~15% of a correlation (measured on a 20k-commit history).
    git2::opts::strict_hash_verification(false);
    let repo = Repository::open(&scope.root).map_err(|source| Error::Git {
        context: format!("cannot open the repository at `{}`", scope.root.display()),
        source,
    })?;
    let mut notes = Vec::new();
    if repo.is_shallow() {
        notes.push(
            "shallow clone: history before the clone's depth is missing, so the window is truncated and \
             older lines cannot be matched (git fetch --unshallow)"
                .to_owned(),
        );
    }
    let submodules: Vec<String> = repo
        .submodules()
        .map(|subs| {
            subs.iter()
                .map(|s| s.path().to_string_lossy().replace('\\', "/"))
                .collect()
        })
        .unwrap_or_default();
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    if head.is_none() {
        notes.push(
            "the current branch has no commits yet (unborn): nothing can be committed".into(),
        );
    } else if repo.head_detached().unwrap_or(false) {
        notes.push("HEAD is detached: \"in HEAD\" means in the checked-out commit".into());
    }
    let base = resolve_base(&repo, opts.base.as_deref())?;
    if base.is_none() && head.is_some() {
        notes.push(
            "no base branch found (no remote HEAD, no main, no master): nothing counts as merged; \
             pass --base REF"
                .into(),
        );
    }

    // HEAD's paths by lower case, built the first time a session names a path HEAD lacks.
    let head_paths: std::cell::OnceCell<HashMap<String, String>> = std::cell::OnceCell::new();
    // Each session's final added lines, in repository paths.
    let lines_of = |s: &Session| {
        let cwd = s.cwd.clone().unwrap_or_else(|| scope.root.clone());
        let mut l = lines::session_lines(s, scope.tree_of(&cwd));
        if let Some(tree) = head.as_ref().and_then(|c| c.tree().ok()) {
            fold_case(&mut l, &tree, &head_paths);
        }
        whole_writes_minus_prior(&repo, &mut l, &own_commits(&repo, s));
        let mut in_sub = 0u64;
        l.files.retain(|path, f| {
            let sub = submodules
                .iter()
                .any(|m| path.starts_with(&format!("{m}/")));
            if sub {
                in_sub += f.bag.values().map(|&n| u64::from(n)).sum::<u64>();
            }
            !sub
        });
        (l, in_sub)
    };
    let mut focus_lines = Vec::with_capacity(focus.len());
    let mut in_submodule = 0u64;
    for &i in focus {
        let (l, sub) = lines_of(sessions[i]);
        in_submodule += sub;
        focus_lines.push(l);
    }
    if in_submodule > 0 {
        notes.push(format!(
            "{in_submodule} lines edited inside submodules are out of scope and not counted"
        ));
    }
    let window = |s: &Session| opts.window_of(s);
    // Competitors: the other sessions that wrote a line a focus session wrote, in the same file.
    let mut focus_keys: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
    for l in &focus_lines {
        for (p, f) in &l.files {
            focus_keys
                .entry(p.as_str())
                .or_default()
                .extend(f.bag.keys().map(String::as_str));
        }
    }
    let in_focus: std::collections::HashSet<usize> = focus.iter().copied().collect();
    let focus_windows: Vec<(i64, i64)> = focus.iter().map(|&i| window(sessions[i])).collect();
    let mut rivals: Vec<(usize, lines::SessionLines)> = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        if in_focus.contains(&i) || !s.tool_calls().any(|c| c.edits().next().is_some()) {
            continue;
        }
        // A session whose window never meets a focus session's cannot take a line from it.
        let (from, to) = window(s);
        if !focus_windows.iter().any(|&(f, t)| from <= t && to >= f) {
            continue;
        }
        // Only the files where it shares a line with a focus session matter (whole: its other lines there
        // are what anchors its common ones).
        let (mut l, _) = lines_of(s);
        l.files.retain(|p, f| {
            focus_keys
                .get(p.as_str())
                .is_some_and(|keys| f.bag.keys().any(|k| keys.contains(k.as_str())))
        });
        l.touched.clear();
        if !l.files.is_empty() {
            rivals.push((i, l));
        }
    }

    let mut interest: walk::Interest = HashMap::new();
    for l in focus_lines.iter().chain(rivals.iter().map(|(_, l)| l)) {
        for (path, f) in &l.files {
            interest
                .entry(path.clone())
                .or_default()
                .extend(f.bag.keys().cloned());
        }
    }

    let members: Vec<usize> = focus
        .iter()
        .copied()
        .chain(rivals.iter().map(|(i, _)| *i))
        .collect();
    let since = members
        .iter()
        .map(|&i| window(sessions[i]).0)
        .min()
        .unwrap_or(0);
    let until = members
        .iter()
        .map(|&i| window(sessions[i]).1)
        .max()
        .unwrap_or(0);

    let walked = if head.is_some() || base.is_some() {
        walk::collect_with(&repo, &interest, since, until, opts.commit_cache.as_deref())?
    } else {
        walk::Walked::default()
    };
    if walked.missing_blobs > 0 {
        notes.push(format!(
            "{} file versions could not be read (a partial clone, or a damaged object): the commits \
             holding them are not credited (git fetch --refetch, or clone without --filter)",
            walked.missing_blobs
        ));
    }
    let commits = walked.commits;
    let base_sets = match &base {
        Some((_, tip)) => Some(walk::base_sets(&repo, *tip, since, &commits)?),
        None => None,
    };
    let head_tree = head.as_ref().and_then(|c| c.tree().ok());
    let head_lines = match &head {
        Some(c) => head_bags(&repo, c, &interest),
        None => HashMap::new(),
    };
    let common = evidence::common_lines(&repo, head_tree.as_ref(), &interest);

    let own_of = |s: &Session| own_commits(&repo, s);
    // A pull request the session linked is its own too, once merged: GitHub titles the merge commit
    // `Merge pull request #N …` and a squash `Title (#N)`.
    let pr_commits = |s: &Session| -> Vec<Oid> {
        if s.pull_requests.is_empty() {
            return Vec::new();
        }
        commits
            .iter()
            .filter(|c| {
                s.pull_requests.iter().any(|p| {
                    c.summary
                        .starts_with(&format!("Merge pull request #{} ", p.number))
                        || c.summary.ends_with(&format!("(#{})", p.number))
                })
            })
            .map(|c| c.oid)
            .collect()
    };
    let owns: Vec<std::collections::HashSet<Oid>> = members
        .iter()
        .map(|&i| {
            let mut own = own_of(sessions[i]);
            own.extend(pr_commits(sessions[i]));
            own
        })
        .collect();
    let reach_cache: std::cell::RefCell<HashMap<(String, Oid), bool>> = Default::default();
    let on_branch = |branch: &str, oid: Oid| -> bool {
        let key = (branch.to_owned(), oid);
        if let Some(&b) = reach_cache.borrow().get(&key) {
            return b;
        }
        let reached = [
            format!("refs/heads/{branch}"),
            format!("refs/remotes/origin/{branch}"),
        ]
        .iter()
        .filter_map(|r| repo.find_reference(r).ok())
        .filter_map(|r| r.peel_to_commit().ok())
        .any(|tip| tip.id() == oid || repo.graph_descendant_of(tip.id(), oid).unwrap_or(false));
        reach_cache.borrow_mut().insert(key, reached);
        reached
    };
    let member_lines: Vec<&lines::SessionLines> = focus_lines
        .iter()
        .chain(rivals.iter().map(|(_, l)| l))
        .collect();
    // A disowned hash that no longer resolves (the branch was rebased or amended since) is found again by
    // its summary among the candidate commits that carry an agent's mark.
    let disowns: Vec<std::collections::HashSet<Oid>> = members
        .iter()
        .map(|&i| {
            sessions[i]
                .disowned_commits
                .iter()
                .flat_map(|d| match resolve_commit(&repo, &d.sha) {
                    Some(oid) => vec![oid],
                    None if !d.summary.is_empty() => commits
                        .iter()
                        .filter(|c| c.summary == d.summary && !c.signals.is_empty())
                        .map(|c| c.oid)
                        .collect(),
                    None => Vec::new(),
                })
                .collect()
        })
        .collect();
    let claims: Vec<matching::Claim<'_>> = members
        .iter()
        .zip(&member_lines)
        .zip(owns.iter().zip(&disowns))
        .map(|((&i, l), (own, disowned))| {
            let s = sessions[i];
            let (from, to) = window(s);
            matching::Claim {
                lines: l,
                from,
                to,
                own,
                disowned,
                branch: s.branch.as_deref(),
                agent: s.agent.as_str(),
                started: s.started_at.map_or(i64::MAX, |t| t.as_second()),
            }
        })
        .collect();
    let facts = matching::Facts {
        commits: &commits,
        base: base_sets.as_ref(),
        head: &head_lines,
        common: &common,
        on_branch: &on_branch,
    };
    let mut outcomes = matching::attribute(&claims, &facts);
    outcomes.truncate(focus.len());
    // Files changed through the shell: the lines the session's own commits added to them.
    for (o, (l, own)) in outcomes.iter_mut().zip(focus_lines.iter().zip(&owns)) {
        for path in l.touched.iter().filter(|p| !l.files.contains_key(*p)) {
            for &oid in own {
                let n = walk::lines_added_to(&repo, oid, path);
                if n == 0 {
                    continue;
                }
                o.lines_via_anchor += n;
                let merged = base.as_ref().is_some_and(|(_, tip)| {
                    *tip == oid || repo.graph_descendant_of(*tip, oid).unwrap_or(false)
                });
                if merged {
                    o.lines_via_anchor_merged += n;
                }
            }
        }
    }
    // A merged file that HEAD no longer has was renamed or deleted afterwards: its lines count as gone
    // (a rename is not followed), which the user should hear about.
    if head.is_some() {
        let mut gone: Vec<&str> = outcomes
            .iter()
            .flat_map(|o| o.files.iter())
            .filter(|f| f.lines_merged > 0 && !head_lines.contains_key(&f.path))
            .map(|f| f.path.as_str())
            .collect();
        gone.sort_unstable();
        gone.dedup();
        if !gone.is_empty() {
            notes.push(format!(
                "not in HEAD any more (renamed or deleted after the session; renames are not followed): {}",
                gone.join(", ")
            ));
        }
    }
    Ok(Correlation {
        outcomes,
        base: base.map(|(name, _)| name),
        notes,
    })
}

/// A commit named by an abbreviated hash a session printed, when the repository has it.
fn resolve_commit(repo: &Repository, sha: &str) -> Option<Oid> {
    repo.revparse_single(sha)
        .ok()
        .and_then(|o| o.peel_to_commit().ok())
        .map(|c| c.id())
}

/// The commits a session made itself, resolved from the abbreviated hashes it printed; the ones it
/// disowned (undone, or the user's work it committed) are not among them.
fn own_commits(repo: &Repository, s: &Session) -> std::collections::HashSet<Oid> {
    let disowned: std::collections::HashSet<&str> =
        s.disowned_commits.iter().map(|d| d.sha.as_str()).collect();
    s.commit_anchors()
        .filter(|a| !disowned.contains(a.sha.as_str()))
        .filter_map(|a| resolve_commit(repo, &a.sha))
        .collect()
}

/// A session path that HEAD does not have but whose lower case names exactly one HEAD file becomes that
/// file: Aider on Windows or macOS prints the name as typed (`SRC\Main.py` for `src/main.py`), and a
/// case-insensitive file system took it.
fn fold_case(
    l: &mut lines::SessionLines,
    tree: &git2::Tree<'_>,
    head_paths: &std::cell::OnceCell<HashMap<String, String>>,
) {
    let missing: Vec<String> = l
        .files
        .keys()
        .filter(|p| tree.get_path(Path::new(p.as_str())).is_err())
        .cloned()
        .collect();
    if missing.is_empty() {
        return;
    }
    let by_lower = head_paths.get_or_init(|| {
        let mut all: HashMap<String, Option<String>> = HashMap::new();
        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(ObjectType::Blob)
                && let Ok(name) = e.name()
            {
                let p = format!("{dir}{name}");
                all.entry(p.to_lowercase())
                    .and_modify(|v| *v = None)
                    .or_insert(Some(p));
            }
            git2::TreeWalkResult::Ok
        });
        all.into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect()
    });
    for p in missing {
        let Some(real) = by_lower.get(&p.to_lowercase()) else {
            continue;
        };
        if let Some(f) = l.files.remove(&p) {
            let dest = l.files.entry(real.clone()).or_default();
            for (k, n) in f.bag {
                *dest.bag.entry(k).or_default() += n;
            }
            dest.segments.extend(f.segments);
            dest.edit_times.extend(f.edit_times);
            dest.edit_times.sort_unstable();
        }
        if l.written_whole.remove(&p) {
            l.written_whole.insert(real.clone());
        }
    }
}

/// A file the session wrote whole keeps only the lines the file did not have before: for each such file,
/// the lines of its version in the parent of the session's first own commit that changed it are taken
/// out (Aider's whole-file format re-emits the whole file, the user's uncommitted edits included, and its
/// dirty pre-commit holds those edits, so the parent of Aider's commit is the file as it was before).
/// Without an own commit changing the file, the whole content stays the session's.
fn whole_writes_minus_prior(
    repo: &Repository,
    l: &mut lines::SessionLines,
    own: &std::collections::HashSet<Oid>,
) {
    if l.written_whole.is_empty() || own.is_empty() {
        return;
    }
    let mut own: Vec<git2::Commit<'_>> = own
        .iter()
        .filter_map(|o| repo.find_commit(*o).ok())
        .collect();
    own.sort_by_key(|c| (c.time().seconds(), c.id()));
    let blob_at = |c: &git2::Commit<'_>, path: &str| -> Option<Oid> {
        let e = c.tree().ok()?.get_path(Path::new(path)).ok()?;
        (e.kind() == Some(ObjectType::Blob)).then(|| e.id())
    };
    for path in &l.written_whole {
        let Some(f) = l.files.get_mut(path) else {
            continue;
        };
        let Some((c, parent)) = own.iter().find_map(|c| {
            let parent = c.parent(0).ok();
            let before = parent.as_ref().and_then(|p| blob_at(p, path));
            (blob_at(c, path) != before).then_some((c, before))
        }) else {
            continue;
        };
        let _ = c;
        let Some(prior) = parent.and_then(|b| repo.find_blob(b).ok()) else {
            continue; // the commit created the file: every line is new
        };
        for (k, n) in lines::bag_of_text(&String::from_utf8_lossy(prior.content())) {
            if let Some(have) = f.bag.get_mut(&k) {
                *have = have.saturating_sub(n);
            }
        }
        f.bag.retain(|_, n| *n > 0);
    }
    l.files.retain(|_, f| !f.bag.is_empty());
}

/// The base branch: `explicit` if given, else the remote's HEAD branch (`origin/HEAD` → `main`; the
/// local branch of that name when it exists, else the remote-tracking one), else `main`, else `master`.
fn resolve_base(repo: &Repository, explicit: Option<&str>) -> Result<Option<(String, Oid)>> {
    if let Some(name) = explicit {
        let obj = repo.revparse_single(name).map_err(|source| Error::Git {
            context: format!("--base `{name}` is not a branch, tag or commit"),
            source,
        })?;
        let commit = obj.peel_to_commit().map_err(|source| Error::Git {
            context: format!("--base `{name}` does not name a commit"),
            source,
        })?;
        return Ok(Some((name.to_owned(), commit.id())));
    }
    let mut candidates: Vec<String> = Vec::new();
    for remote in ["origin", "upstream"] {
        if let Ok(r) = repo.find_reference(&format!("refs/remotes/{remote}/HEAD"))
            && let Ok(Some(target)) = r.symbolic_target()
            && let Some(branch) = target.strip_prefix(&format!("refs/remotes/{remote}/"))
        {
            candidates.push(format!("refs/heads/{branch}"));
            candidates.push(target.to_owned());
        }
    }
    candidates.extend(
        [
            "refs/heads/main",
            "refs/heads/master",
            "refs/remotes/origin/main",
            "refs/remotes/origin/master",
        ]
        .map(String::from),
    );
    for name in candidates {
        if let Ok(r) = repo.find_reference(&name)
            && let Ok(c) = r.peel_to_commit()
        {
            let short = name
                .strip_prefix("refs/heads/")
                .or_else(|| name.strip_prefix("refs/remotes/"))
                .unwrap_or(&name)
                .to_owned();
            return Ok(Some((short, c.id())));
        }
    }
    Ok(None)
}

/// HEAD's version of each file of interest, as bags of the interesting lines.
fn head_bags(
    repo: &Repository,
    head: &git2::Commit<'_>,
    interest: &walk::Interest,
) -> HashMap<String, lines::LineBag> {
    let mut out = HashMap::new();
    let Ok(tree) = head.tree() else { return out };
    for (path, wanted) in interest {
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            continue;
        };
        if entry.kind() != Some(ObjectType::Blob) {
            continue;
        }
        let Ok(blob) = repo.find_blob(entry.id()) else {
            continue;
        };
        if blob.is_binary() {
            continue;
        }
        let text = String::from_utf8_lossy(blob.content());
        let mut bag = lines::bag_of_text(&text);
        bag.retain(|k, _| wanted.contains(k));
        out.insert(path.clone(), bag);
    }
    out
}

/// The branch under review: the commits of `base..HEAD` and the size of its diff.
#[derive(Debug, Clone)]
pub struct BranchFacts {
    /// The base branch used.
    pub base: String,
    /// The checked-out branch (`HEAD` when detached).
    pub head: String,
    /// Full hashes of the commits in `base..HEAD`.
    pub commits: std::collections::HashSet<String>,
    /// Committer time of the oldest of them (seconds), if any.
    pub oldest: Option<i64>,
    /// Committer time of the newest of them (seconds), if any.
    pub newest: Option<i64>,
    /// Non-trivial lines added by the branch diff (merge base → HEAD).
    pub lines_added: u64,
    /// Files the branch diff touches.
    pub files_changed: u64,
}

/// Reads `base..HEAD`: its commits and its diff against the merge base.
pub fn branch_facts(scope: &RepoScope, base: Option<&str>) -> Result<BranchFacts> {
    let repo = Repository::open(&scope.root).map_err(|source| Error::Git {
        context: format!("cannot open the repository at `{}`", scope.root.display()),
        source,
    })?;
    let git = |context: &str| {
        let context = context.to_owned();
        move |source| Error::Git { context, source }
    };
    let head_ref = repo
        .head()
        .map_err(git("HEAD does not point at a commit (unborn branch?)"))?;
    let head_name = head_ref.shorthand().unwrap_or("HEAD").to_owned();
    let head = head_ref
        .peel_to_commit()
        .map_err(git("HEAD is not a commit"))?;
    let (base_name, base_tip) = resolve_base(&repo, base)?.ok_or_else(|| {
        Error::Usage(
            "no base branch found (no remote HEAD, no main, no master): pass --base REF".into(),
        )
    })?;
    let mut walk = repo.revwalk().map_err(git("revwalk"))?;
    walk.push(head.id()).map_err(git("revwalk"))?;
    walk.hide(base_tip).map_err(git("revwalk"))?;
    let mut commits = std::collections::HashSet::new();
    let mut oldest: Option<i64> = None;
    let mut newest: Option<i64> = None;
    for oid in walk {
        let oid = oid.map_err(git("revwalk"))?;
        if let Ok(c) = repo.find_commit(oid) {
            let t = c.time().seconds();
            oldest = Some(oldest.map_or(t, |o| o.min(t)));
            newest = Some(newest.map_or(t, |n| n.max(t)));
        }
        commits.insert(oid.to_string());
    }
    let merge_base = repo
        .merge_base(base_tip, head.id())
        .map_err(git("the branch and the base have no common history"))?;
    let old_tree = repo
        .find_commit(merge_base)
        .and_then(|c| c.tree())
        .map_err(git("merge base tree"))?;
    let new_tree = head.tree().map_err(git("HEAD tree"))?;
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(0);
    let diff = repo
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut opts))
        .map_err(git("cannot diff the branch"))?;
    let files_changed = diff.deltas().len() as u64;
    let mut lines_added = 0u64;
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |_, _, line| {
            if line.origin() == '+'
                && let Ok(t) = std::str::from_utf8(line.content())
                && lines::normalize(t.strip_suffix('\n').unwrap_or(t)).is_some()
            {
                lines_added += 1;
            }
            true
        }),
    )
    .map_err(git("cannot read the branch diff"))?;
    Ok(BranchFacts {
        base: base_name,
        head: head_name,
        commits,
        oldest,
        newest,
        lines_added,
        files_changed,
    })
}

/// The ids of a repository's root commits (reachable from HEAD or any ref), as agents that name a project
/// by its first commit do (OpenCode's project id, which it also caches in `.git/opencode`: read first,
/// and checked to be a commit id). Empty when the repository cannot be opened or has no commit.
pub fn root_commits(worktree: &Path) -> Vec<String> {
    let Ok(repo) = git2::Repository::discover(worktree) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dir in [repo.path(), repo.commondir()] {
        if let Ok(f) = crate::formats::open_regular(&dir.join("opencode")) {
            use std::io::Read;
            let mut text = String::new();
            if f.take(128).read_to_string(&mut text).is_ok() {
                let id = text.trim();
                if matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit()) {
                    out.push(id.to_ascii_lowercase());
                }
            }
        }
    }
    if let Ok(mut walk) = repo.revwalk() {
        let _ = walk.push_head();
        let _ = walk.push_glob("*");
        for oid in walk.flatten() {
            if let Ok(c) = repo.find_commit(oid)
                && c.parent_count() == 0
            {
                out.push(oid.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The names the repository's project folders have (for the formats that keep one folder per project,
/// see [`crate::formats::Format::project_folder_names`]), for every work tree of the repository.
pub fn project_folder_names(scope: &RepoScope) -> Vec<String> {
    let mut roots: Vec<PathBuf> = scope.worktrees.clone();
    roots.push(scope.root.clone());
    let mut out: Vec<String> = crate::formats::FORMATS
        .iter()
        .flat_map(|f| roots.iter().flat_map(|r| f.project_folder_names(r)))
        .collect();
    out.sort();
    out.dedup();
    out
}
