//! The workflow commands: `check` (branch summary for hooks and CI), `review` (the weekly self-review)
//! and `demo` (the tour).

use super::*;

pub(super) fn check(
    g: &Global,
    a: &CheckArgs,
    now: Timestamp,
    tz: &TimeZone,
    color: bool,
) -> Result<ExitCode> {
    let rules = a
        .fail_on
        .iter()
        .map(|r| crate::metrics::branch::Rule::parse(r).map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    let scope = repo_scope(
        None,
        "`check` summarises the current branch of a git repository",
    )?;
    let facts = crate::git::branch_facts(&scope, a.base.as_deref())?;
    let after_s = span_seconds(&a.window, now, tz)?;
    // Only logs that can hold the branch's sessions: this repository's Claude project folders, files
    // written after the oldest branch commit minus the window.
    let mut loc = locations(g, Some(&scope));
    loc.modified_since = facts.oldest.map(|t| {
        std::time::UNIX_EPOCH + std::time::Duration::from_secs((t - after_s).max(0) as u64)
    });
    let ing = read_from(g, &loc, Depth::Full, true)?;
    let (settings, provenance) = load_settings_traced(g, Some(&scope.root), now)?;
    // Only sessions whose window (start − 10 min … end + window) meets the branch's commits can hold
    // their lines: the others are not correlated at all.
    let defaults = crate::git::CorrelateOptions::default();
    let of_repo: Vec<&crate::model::Session> = ing
        .sessions
        .iter()
        .filter(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)))
        .collect();
    let chosen: Vec<&crate::model::Session> = of_repo
        .iter()
        .copied()
        .filter(
            |s| match (facts.oldest, facts.newest, s.started_at, s.ended_at) {
                (Some(oldest), Some(newest), Some(start), Some(end)) => {
                    start.as_second() - defaults.before_s <= newest
                        && end.as_second() + after_s >= oldest
                }
                (None, _, _, _) => false,
                _ => true,
            },
        )
        .collect();
    let store = super::index_cmd::commit_store(g, &scope.root);
    let opts = crate::git::CorrelateOptions {
        base: Some(facts.base.clone()),
        after_s,
        commit_cache: store
            .clone()
            .map(|s| s as std::sync::Arc<dyn crate::git::walk::CommitCache>),
        ..Default::default()
    };
    // The other sessions of the repository compete for the same lines (as in `sessions`).
    let mut all = chosen.clone();
    all.extend(
        of_repo
            .iter()
            .filter(|s| !chosen.iter().any(|c| std::ptr::eq(*c, **s))),
    );
    let focus: Vec<usize> = (0..chosen.len()).collect();
    let c = crate::git::correlate_focus(&scope, &all, &focus, &opts)?;
    super::index_cmd::save_commits(store.as_deref(), g);
    let mut sessions: Vec<SessionReport> = chosen
        .iter()
        .zip(c.outcomes)
        .filter(|(_, o)| {
            o.commit_matches
                .iter()
                .any(|m| facts.commits.contains(&m.sha))
        })
        .map(|(s, o)| SessionReport::new(s, &settings, Some(o), false))
        .collect();
    sessions.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.id.cmp(&b.id)));
    let mut r = crate::metrics::branch::branch_report(&facts, sessions);
    r.broken = rules.iter().filter_map(|rule| rule.broken_by(&r)).collect();
    let out = match a.format {
        CheckFormat::Table => report::table::check(&r, &provenance, color),
        CheckFormat::Md => report::markdown::check(&r, &provenance),
        CheckFormat::Json => report::json::check(&r, &provenance)?,
    };
    emit(&out)?;
    if r.broken.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for b in &r.broken {
            eprintln!("check failed: {}", report::term_safe(b));
        }
        Ok(ExitCode::from(1))
    }
}

pub(super) fn demo(keep: Option<&Path>, color: bool, now: Timestamp) -> Result<ExitCode> {
    // Without --keep: a fresh folder with a random name, created exclusively and private (0700), so
    // nobody can plant one in /tmp beforehand; removed when `_tmp` is dropped.
    let (root, _tmp) = demo_root(keep)?;
    if root.exists()
        && std::fs::read_dir(&root)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not empty: the demo needs a fresh folder",
            root.display()
        );
    }
    let d = crate::demo::build(&root, now).context("cannot build the demo")?;
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let run = |title: &str, args: &[&str]| -> Result<()> {
        println!("\n$ agent-audit {}    # {title}", args.join(" "));
        let out = std::process::Command::new(&exe)
            .args(args)
            .arg("--color")
            .arg(if color { "always" } else { "never" })
            .current_dir(&d.repo)
            .env("HOME", &d.home)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("CODEX_HOME")
            .output()
            .with_context(|| format!("cannot run {}", exe.display()))?;
        std::io::stdout().write_all(&out.stdout)?;
        std::io::stdout().write_all(&out.stderr)?;
        Ok(())
    };
    println!(
        "agent-audit demo: an example repository with three agent sessions, in {}\n\
         (1) Claude Code wrote a parser, merged with a merge commit; (2) Codex added a cache, squash-merged \
         after a human tweak; (3) Claude Code on Opus read broadly, retried failing edits, and its branch \
         was abandoned.",
        d.root.display()
    );
    run(
        "what the tokens cost, per session",
        &["usage", "--by", "session"],
    )?;
    run(
        "this repository's sessions and what became of their lines",
        &["sessions"],
    )?;
    run(
        "one session, step by step",
        &["session", &d.sessions[2][..8]],
    )?;
    run(
        "the squash-merged Codex session",
        &["session", &d.sessions[1][..8]],
    )?;
    let html = d.root.join("review.html");
    let html_s = html.to_string_lossy().into_owned();
    run("the weekly self-review", &["review", "--since", "30d"])?;
    run(
        "the same as a page with charts",
        &[
            "review", "--since", "30d", "--format", "html", "--out", &html_s,
        ],
    )?;
    crate::demo::checkout(&d.repo, "experiment/rewrite")?;
    run(
        "a pre-merge check of the abandoned branch, as a PR comment",
        &["check", "--format", "md", "--fail-on", "theater"],
    )?;
    crate::demo::checkout(&d.repo, "main")?;
    println!(
        "\nThe check above exits 1 because of --fail-on theater. Now run `agent-audit sessions` inside \
         your own repository."
    );
    if keep.is_some() {
        println!(
            "Kept: {} (HOME={} to rerun the reports there)",
            d.root.display(),
            d.home.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's folder: `--keep DIR`, else a new private temporary folder (and its guard).
pub(super) fn demo_root(keep: Option<&Path>) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    match keep {
        Some(dir) => Ok((dir.to_path_buf(), None)),
        None => {
            let mut builder = tempfile::Builder::new();
            builder.prefix("agent-audit-demo-");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(std::fs::Permissions::from_mode(0o700));
            }
            let tmp = builder
                .tempdir()
                .context("cannot create a temporary folder for the demo")?;
            Ok((tmp.path().to_path_buf(), Some(tmp)))
        }
    }
}

/// The period `--since`..`--until` (default: now) of a review.
pub(super) fn review_period(
    a: &ReviewArgs,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<(Timestamp, Timestamp)> {
    let since = timespec::parse_instant(&a.since, now, tz)?;
    let until = match &a.until {
        Some(u) => timespec::parse_instant(u, now, tz)?,
        None => now,
    };
    if until <= since {
        bail!("--until must be after --since");
    }
    Ok((since, until))
}

pub(super) fn review(
    g: &Global,
    a: &ReviewArgs,
    now: Timestamp,
    tz: &TimeZone,
    color: bool,
) -> Result<ExitCode> {
    let (since, until) = review_period(a, now, tz)?;
    let prev_since =
        Timestamp::from_second(since.as_second() - (until.as_second() - since.as_second()))
            .context("the period is too long")?;
    let own = if a.all {
        None
    } else {
        Some(repo_scope(
            None,
            "`review` covers one repository: run it inside one, or pass --all for every repository \
             in the logs",
        )?)
    };
    let mut loc = locations(g, own.as_ref());
    loc.modified_since = Some(std::time::SystemTime::from(prev_since));
    let ing = read_from(g, &loc, Depth::Full, true)?;
    let in_window =
        |s: &&crate::model::Session| s.started_at.is_some_and(|t| t >= prev_since && t < until);
    // The repositories: this one, or with --all every repository a session ran in.
    let mut groups: Vec<(RepoScope, Vec<&crate::model::Session>)> = Vec::new();
    if a.all {
        let mut by_root: std::collections::BTreeMap<PathBuf, usize> = Default::default();
        let mut cache: std::collections::HashMap<PathBuf, Option<RepoScope>> = Default::default();
        for s in ing.sessions.iter().filter(in_window) {
            let Some(cwd) = &s.cwd else { continue };
            let Some(scope) = cache
                .entry(cwd.clone())
                .or_insert_with(|| RepoScope::discover(cwd).ok())
                .clone()
            else {
                continue;
            };
            let i = *by_root.entry(scope.root.clone()).or_insert_with(|| {
                groups.push((scope, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(s);
        }
    } else if let Some(scope) = own {
        let chosen = ing
            .sessions
            .iter()
            .filter(in_window)
            .filter(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)))
            .collect();
        groups.push((scope, chosen));
    }
    let after_s = span_seconds(&a.window, now, tz)?;
    let mut reports = Vec::new();
    let mut repos = Vec::new();
    for (scope, sessions) in &groups {
        let settings = load_settings(g, Some(&scope.root), now)?;
        let store = super::index_cmd::commit_store(g, &scope.root);
        let opts = crate::git::CorrelateOptions {
            base: a.base.clone(),
            after_s,
            commit_cache: store
                .clone()
                .map(|s| s as std::sync::Arc<dyn crate::git::walk::CommitCache>),
            ..Default::default()
        };
        let c = crate::git::correlate(scope, sessions, &opts)?;
        super::index_cmd::save_commits(store.as_deref(), g);
        for (s, o) in sessions.iter().zip(c.outcomes) {
            reports.push(SessionReport::new(s, &settings, Some(o), false));
        }
        repos.push(scope.root.clone());
    }
    let mut r = crate::metrics::review::review_report(repos, &reports, since, until, tz);
    r.notes.extend(retention_note(&loc, prev_since, since, now));
    for n in &r.notes {
        eprintln!("note: {n}");
    }
    let out = match a.format {
        ReviewFormat::Table => report::table::review(&r, color),
        ReviewFormat::Md => report::markdown::review(&r),
        ReviewFormat::Html => report::html::review(&r),
        ReviewFormat::Json => report::json::review(&r)?,
    };
    match &a.out {
        Some(path) => {
            write_out(path, &out)?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            emit(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Claude Code deletes transcripts older than `cleanupPeriodDays`: a review reaching back further (its
/// previous period included) compares against sessions that may be gone, which reads as a drop in spend.
fn retention_note(
    loc: &Locations,
    prev_since: Timestamp,
    since: Timestamp,
    now: Timestamp,
) -> Option<String> {
    if !loc.logs.is_empty() || !(loc.agents.is_empty() || loc.agents.contains(&Agent::ClaudeCode)) {
        return None;
    }
    let (days, from) = crate::discover::claude_cleanup_days(loc);
    let horizon = now
        .as_second()
        .saturating_sub((days as i64).saturating_mul(86_400));
    if prev_since.as_second() >= horizon {
        return None;
    }
    let which = if since.as_second() < horizon {
        "both periods"
    } else {
        "the previous period"
    };
    let day = |t: i64| {
        Timestamp::from_second(t)
            .map_or_else(|_| t.to_string(), |t| t.strftime("%Y-%m-%d").to_string())
    };
    Some(format!(
        "Claude Code deletes transcripts older than {days} days ({from}): sessions before {} may be gone, \
         so {which} (back to {}) may be missing sessions — a lower spend there is not less work",
        day(horizon),
        day(prev_since.as_second())
    ))
}

/// `prices`: the table (today's sets, or those of `--at DATE`), or `--check FILE` against a downloaded list.
pub(super) fn prices(g: &Global, a: &PricesArgs, now: Timestamp, color: bool) -> Result<ExitCode> {
    let prices = load_prices(g, None)?;
    let date = match &a.at {
        Some(d) => {
            if d.parse::<jiff::civil::Date>().is_err() || d.len() != 10 {
                bail!("--at `{d}` is not a YYYY-MM-DD date");
            }
            Some(d.clone())
        }
        None => None,
    };
    let out = match &a.check {
        None if a.json => report::json::prices(&prices, date.as_deref())?,
        None => report::table::prices(&prices, date.as_deref(), color),
        Some(path) => {
            let on = date.unwrap_or_else(|| crate::pricing::utc_date(now));
            let doc = read_price_list(path)?;
            let (format, rows) = crate::pricing::check::parse_foreign(&doc, &on)
                .map_err(|e| anyhow::anyhow!("{}: {e}", shown(path)))?;
            // The models the user's logs use; no logs found is an empty list, not an error.
            let ing = read_from(g, &locations(g, None), Depth::Usage, true)?;
            let used: Vec<String> = ing
                .sessions
                .iter()
                .flat_map(|s| s.steps.iter().filter_map(|st| st.model.clone()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let r = crate::pricing::check::compare(&prices, &on, format, &rows, &used);
            if a.json {
                report::json::prices_check(&r)?
            } else {
                report::table::prices_check(&r, color)
            }
        }
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// A downloaded price list: a regular file of at most 64 MiB (LiteLLM's is a few MB), parsed as JSON.
fn read_price_list(path: &Path) -> Result<serde_json::Value> {
    const MAX: u64 = 64 * 1024 * 1024;
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{}`", shown(path)))?;
    if !meta.is_file() {
        bail!("`{}` is not a regular file", shown(path));
    }
    if meta.len() > MAX {
        bail!("`{}` is larger than 64 MiB: not a price list", shown(path));
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read `{}`", shown(path)))?;
    let reader = std::io::BufReader::new(std::io::Read::take(file, MAX));
    serde_json::from_reader(reader).with_context(|| {
        format!(
            "`{}` is not JSON (a price list is LiteLLM's or genai-prices' JSON file)",
            shown(path)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_demo_folder_is_fresh_private_and_unpredictable() {
        use std::os::unix::fs::PermissionsExt;
        let (a, guard_a) = demo_root(None).expect("tmp");
        let (b, guard_b) = demo_root(None).expect("tmp");
        assert_ne!(a, b, "two demos in one process get two folders");
        for dir in [&a, &b] {
            let mode = std::fs::metadata(dir).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
            assert!(dir.starts_with(std::env::temp_dir()));
        }
        assert_ne!(
            a.file_name(),
            Some(std::ffi::OsStr::new(&format!(
                "agent-audit-demo-{}",
                std::process::id()
            )))
        );
        drop((guard_a, guard_b));
        assert!(!a.exists() && !b.exists(), "removed afterwards");
        let kept = Path::new("/some/where");
        let (k, guard) = demo_root(Some(kept)).expect("keep");
        assert_eq!(k, kept);
        assert!(guard.is_none());
    }
}
