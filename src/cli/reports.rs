//! Session reports as `sessions` builds them — read the logs, pick the sessions of the scope, correlate
//! them with their repository, summarise each — shared by `sessions` and `export`, so both give the
//! same figures for a session.

use super::*;

/// Which sessions, and which git correlation.
pub(super) enum Coverage {
    /// The sessions of one repository, correlated with it.
    Repo(RepoScope),
    /// Every session, without git (`sessions --all`).
    All,
    /// Every session, each correlated with the repository its working directory lies in (`export
    /// --all`); sessions outside any repository have no outcome.
    AllRepos,
}

/// Sessions that share a repository (or none) and the settings they were judged with.
pub(super) struct Group {
    /// The repository, `None` for sessions outside one (or not correlated).
    pub scope: Option<RepoScope>,
    /// Prices, tiers, thresholds: the repository's `.agent-audit.toml`, else the current directory's.
    pub settings: Settings,
    /// The base branch used.
    pub base: Option<String>,
    /// What limits the git answer.
    pub notes: Vec<String>,
}

/// The reports, newest first, each with the index of its group.
pub(super) struct Built {
    /// (group, report).
    pub reports: Vec<(usize, SessionReport)>,
    /// The groups.
    pub groups: Vec<Group>,
    /// What was read.
    pub read: ReadSummary,
}

/// Builds the reports of the sessions `coverage` selects whose span meets the `--since`/`--until`
/// window of `f`; `with_steps` keeps each report's step rows.
#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    g: &Global,
    f: &Filters,
    coverage: Coverage,
    base: Option<String>,
    window_span: &str,
    now: Timestamp,
    tz: &TimeZone,
    with_steps: bool,
) -> Result<Built> {
    let window = Window::parse(f, now, tz)?;
    let scope = match &coverage {
        Coverage::Repo(s) => Some(s),
        _ => None,
    };
    let ing = read_logs(g, f, &window, Depth::Full, scope)?;
    let members: Vec<(Option<RepoScope>, Vec<&crate::model::Session>)> = match coverage {
        Coverage::Repo(scope) => {
            let of_repo = crate::select::of_repo(&ing.sessions, &scope);
            vec![(Some(scope), of_repo)]
        }
        Coverage::All => vec![(None, ing.sessions.iter().collect())],
        Coverage::AllRepos => crate::select::by_repository(&ing.sessions),
    };
    let t0 = std::time::Instant::now();
    let mut groups = Vec::with_capacity(members.len());
    let mut reports = Vec::new();
    for (gi, (scope, sessions)) in members.into_iter().enumerate() {
        let settings = load_settings(
            g,
            scope
                .as_ref()
                .map(|s| s.root.clone())
                .or_else(config_dir)
                .as_deref(),
            now,
        )?;
        let focus: Vec<usize> = (0..sessions.len())
            .filter(|&i| window.overlaps(sessions[i].started_at, sessions[i].ended_at))
            .collect();
        let chosen: Vec<&crate::model::Session> = focus.iter().map(|&i| sessions[i]).collect();
        let (outcomes, base, notes) = match &scope {
            Some(scope) => {
                let store = super::index_cmd::commit_store(g, &scope.root);
                let opts = crate::git::CorrelateOptions {
                    base: base.clone(),
                    after_s: span_seconds(window_span, now, tz)?,
                    commit_cache: store
                        .clone()
                        .map(|s| s as std::sync::Arc<dyn crate::git::walk::CommitCache>),
                    ..Default::default()
                };
                // Sessions outside --since still compete for the lines of those inside it.
                let c = crate::git::correlate_focus(scope, &sessions, &focus, &opts)?;
                super::index_cmd::save_commits(store.as_deref(), g);
                (c.outcomes.into_iter().map(Some).collect(), c.base, c.notes)
            }
            None => (vec![None; chosen.len()], None, Vec::new()),
        };
        {
            use rayon::prelude::*;
            let pairs: Vec<_> = chosen.iter().zip(outcomes).collect();
            let built: Vec<SessionReport> = pairs
                .into_par_iter()
                .map(|(s, o)| SessionReport::new(s, &settings, o, with_steps))
                .collect();
            reports.extend(built.into_iter().map(|r| (gi, r)));
        }
        groups.push(Group {
            scope,
            settings,
            base,
            notes,
        });
    }
    reports.sort_by(|(_, a), (_, b)| {
        crate::select::newest_first((a.started_at, &a.id), (b.started_at, &b.id))
    });
    if g.verbose > 1 {
        eprintln!(
            "timing: {} session reports in {:?}",
            reports.len(),
            t0.elapsed()
        );
    }
    Ok(Built {
        reports,
        groups,
        read: ReadSummary::of(&ing),
    })
}
