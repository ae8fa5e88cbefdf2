//! `sessions`: the sessions of one repository (or `--all`), newest first, with their outcome in git.

use super::super::*;

/// `sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// The repository (any path inside it); default: the current directory's.
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Every session in the logs, whatever repository it ran in.
    #[arg(long, conflicts_with = "repo")]
    pub all: bool,
    /// Show at most this many sessions (the newest).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// The branch merged lines must reach; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// How long after a session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
    /// Filters and output.
    #[command(flatten)]
    pub filters: Filters,
}

/// Runs `sessions`.
pub fn run(c: &Ctx<'_>, a: &SessionsArgs) -> Result<ExitCode> {
    let coverage = if a.all {
        reports::Coverage::All
    } else {
        reports::Coverage::Repo(repo_scope(
            a.repo.as_deref(),
            "`sessions` lists the sessions of one repository: run it inside a git \
                 repository, or pass --repo PATH, or --all for every session",
        )?)
    };
    let b = reports::build(
        c.g,
        &a.filters,
        coverage,
        a.base.clone(),
        &a.window,
        c.now,
        &c.tz,
        false,
    )?;
    let mut groups = b.groups;
    let group = (!groups.is_empty()).then(|| groups.swap_remove(0));
    let mut sessions: Vec<SessionReport> = b.reports.into_iter().map(|(_, r)| r).collect();
    if let Some(n) = a.limit {
        sessions.truncate(n);
    }
    let (repo, base, git_notes) = match group {
        Some(gr) => (gr.scope.map(|s| s.root), gr.base, gr.notes),
        None => (None, None, Vec::new()),
    };
    let r = SessionsReport {
        repo,
        base,
        git_notes,
        sessions,
        read: b.read,
        tz: c.tz.clone(),
    };
    let out = if a.filters.json {
        report::json::sessions(&r)?
    } else {
        report::table::sessions(&r, c.color)
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
