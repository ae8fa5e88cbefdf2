//! `review`: the self-review of a period (terminal, Markdown, HTML, JSON), and `review --from` for a team.

use super::super::*;

/// `review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Start of the period: YYYY-MM-DD, RFC 3339, or a span back from now.
    #[arg(long, value_name = "WHEN", default_value = "7d")]
    pub since: String,
    /// End of the period (default: now).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Table)]
    pub format: ReviewFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Every repository found in the logs, not only the current one.
    #[arg(long)]
    pub all: bool,
    /// The branch merged lines must reach; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// How long after a session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
    /// The team review from NDJSON exports (`agent-audit export`) of several machines instead of this
    /// machine's logs; records are deduplicated by key (formats: table, json).
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["all", "base"])]
    pub from: Vec<PathBuf>,
}

/// `review --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// Aligned text.
    Table,
    /// Markdown.
    Md,
    /// One self-contained HTML page with charts (inline CSS and SVG, no network).
    Html,
    /// JSON (`agent-audit/review/v1`).
    Json,
}

/// The period `--since`..`--until` (default: now) of a review.
pub(in crate::cli) fn review_period(
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

/// Runs `review` (and `review --from`, the team review of exported records).
pub fn run(c: &Ctx<'_>, a: &ReviewArgs) -> Result<ExitCode> {
    let (g, now, tz, color) = (c.g, c.now, &c.tz, c.color);
    if !a.from.is_empty() {
        return super::export::team_review(a, now, tz, color);
    }
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
        // Sessions outside any repository are not reviewed.
        groups.extend(
            crate::select::by_repository(ing.sessions.iter().filter(in_window))
                .into_iter()
                .filter_map(|(scope, v)| Some((scope?, v))),
        );
    } else if let Some(scope) = own {
        groups.push((
            scope.clone(),
            crate::select::of_repo(ing.sessions.iter().filter(in_window), &scope),
        ));
    }
    let after_s = span_seconds(&a.window, now, tz)?;
    let mut reports = Vec::new();
    let mut repos = Vec::new();
    for (scope, sessions) in &groups {
        let settings = load_settings(g, Some(&scope.root), now)?;
        let store = crate::cli::index_cmd::commit_store(g, &scope.root);
        let opts = crate::git::CorrelateOptions {
            base: a.base.clone(),
            after_s,
            commit_cache: store
                .clone()
                .map(|s| s as std::sync::Arc<dyn crate::git::walk::CommitCache>),
            ..Default::default()
        };
        let c = crate::git::correlate(scope, sessions, &opts)?;
        crate::cli::index_cmd::save_commits(store.as_deref(), g);
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
