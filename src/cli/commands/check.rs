//! `check`: the branch summary for a pre-push hook or CI, with `--fail-on` rules.

use super::super::*;

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The branch to compare with; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Exit 1 when this rule is broken (repeatable): `theater`, `lead`, a flag such as `retry-loop`,
    /// or `cost>N`, `cost-per-line>N`, `premium-share>N`, `tokens>N`.
    #[arg(long = "fail-on", value_name = "RULE")]
    pub fail_on: Vec<String>,
    /// How long after a session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
}

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Aligned text.
    Table,
    /// Markdown for a pull-request comment.
    Md,
    /// JSON (`agent-audit/check/v1`).
    Json,
}

/// Runs `check`.
pub fn run(c: &Ctx<'_>, a: &CheckArgs) -> Result<ExitCode> {
    let (g, now, tz, color) = (c.g, c.now, &c.tz, c.color);
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
    let store = crate::cli::index_cmd::commit_store(g, &scope.root);
    let opts = crate::git::CorrelateOptions {
        base: Some(facts.base.clone()),
        after_s,
        commit_cache: store
            .clone()
            .map(|s| s as std::sync::Arc<dyn crate::git::walk::CommitCache>),
        ..Default::default()
    };
    let of_repo = crate::select::of_repo(&ing.sessions, &scope);
    let chosen: Vec<&crate::model::Session> = of_repo
        .iter()
        .copied()
        .filter(|s| match (facts.oldest, facts.newest) {
            (Some(oldest), Some(newest)) => {
                let (from, to) = opts.window_of(s);
                from <= newest && to >= oldest
            }
            _ => false,
        })
        .collect();
    // The other sessions of the repository compete for the same lines (as in `sessions`).
    let mut all = chosen.clone();
    all.extend(
        of_repo
            .iter()
            .filter(|s| !chosen.iter().any(|c| std::ptr::eq(*c, **s))),
    );
    let focus: Vec<usize> = (0..chosen.len()).collect();
    let c = crate::git::correlate_focus(&scope, &all, &focus, &opts)?;
    crate::cli::index_cmd::save_commits(store.as_deref(), g);
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
