//! `session ID-PREFIX`: one session in detail, competing for its lines with every session of its repository.

use super::super::*;

/// `session`.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// The session id, or a unique prefix of it.
    pub id: String,
    /// The repository (any path inside it); default: the current directory's.
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Look the session up in every log, without git correlation (no outcome, verdict `lead`).
    #[arg(long, conflicts_with = "repo")]
    pub all: bool,
    /// The branch merged lines must reach; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// How long after the session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `session`.
pub fn run(c: &Ctx<'_>, a: &SessionArgs) -> Result<ExitCode> {
    let scope = if a.all {
        None
    } else {
        Some(repo_scope(
            a.repo.as_deref(),
            "`session` explains a session of one repository: run it inside a git \
                 repository, or pass --repo PATH, or --all to look it up in every log without git",
        )?)
    };
    // First only the files named after the id (and, in a repository, only its Claude project
    // folders); all Codex rollouts are candidates.
    let mut loc = locations(c.g, scope.as_ref());
    if loc.logs.is_empty() {
        loc.session_prefix = Some(a.id.clone());
    }
    let mut ing = read_from(c.g, &loc, Depth::Full, true)?;
    if !ing.sessions.iter().any(|s| s.id.starts_with(&a.id)) {
        // Not named after its id (an old layout): read every log of the repository.
        loc.session_prefix = None;
        ing = read_from(c.g, &loc, Depth::Full, false)?;
    }
    let session = crate::select::by_id_prefix(&ing.sessions, &a.id, scope.as_ref())
        .map_err(|e| anyhow::anyhow!("{}", report::term_safe(&e.to_string())))?;
    let settings = load_settings(
        c.g,
        scope
            .as_ref()
            .map(|s| s.root.clone())
            .or_else(config_dir)
            .as_deref(),
        c.now,
    )?;
    let (outcome, base, git_notes) = match &scope {
        Some(scope) => {
            let store = index_cmd::commit_store(c.g, &scope.root);
            let opts = crate::git::CorrelateOptions {
                base: a.base.clone(),
                after_s: span_seconds(&a.window, c.now, &c.tz)?,
                commit_cache: store
                    .clone()
                    .map(|s| s as std::sync::Arc<dyn crate::git::walk::CommitCache>),
                ..Default::default()
            };
            let t0 = std::time::Instant::now();
            // The other sessions of the repository compete for the same lines: read every log
            // that can hold one whose window meets this session's (written after its start
            // minus the window), so `session ID` gives the figures `sessions` gives.
            let mut rivals_loc = locations(c.g, Some(scope));
            rivals_loc.modified_since = session.started_at.map(|t| {
                std::time::UNIX_EPOCH
                    + std::time::Duration::from_secs(
                        (t.as_second() - opts.before_s - opts.after_s).max(0) as u64,
                    )
            });
            // Only logs that name one of its files can hold a competing edit.
            let needles: Vec<String> = crate::git::lines::session_lines(
                session,
                scope.tree_of(session.cwd.as_deref().unwrap_or(&scope.root)),
            )
            .files
            .into_keys()
            .collect();
            let everyone = if needles.is_empty() {
                crate::ingest::Ingested::default()
            } else {
                // The session's own files are read already.
                read_mentioning(
                    c.g,
                    &rivals_loc,
                    Depth::Full,
                    true,
                    &needles,
                    &session.files,
                )?
            };
            let mut all: Vec<&crate::model::Session> = vec![session];
            // Other sessions of the files read first (a transcript can hold several), then
            // those of the other logs.
            let mut seen = std::collections::HashSet::new();
            seen.insert((session.agent, session.id.as_str()));
            all.extend(ing.sessions.iter().chain(&everyone.sessions).filter(|s| {
                s.cwd.as_deref().is_some_and(|c| scope.contains(c))
                    && seen.insert((s.agent, s.id.as_str()))
            }));
            let corr = crate::git::correlate_focus(scope, &all, &[0], &opts)?;
            index_cmd::save_commits(store.as_deref(), c.g);
            if c.g.verbose > 1 {
                eprintln!("timing: git correlation {:?}", t0.elapsed());
            }
            (corr.outcomes.into_iter().next(), corr.base, corr.notes)
        }
        None => (None, None, Vec::new()),
    };
    let report = SessionsReport {
        repo: scope.map(|s| s.root),
        base,
        git_notes,
        sessions: vec![SessionReport::new(session, &settings, outcome, true)],
        read: ReadSummary::of(&ing),
        tz: c.tz.clone(),
    };
    let out = if a.json {
        report::json::session(&report)?
    } else {
        report::table::session(&report, c.color)
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
