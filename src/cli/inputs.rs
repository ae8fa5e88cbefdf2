//! What the commands read before they compute: time zone, spans and windows, the repository, the config
//! and prices, the log locations, and the logs themselves; and the one stdout writer.

use super::*;

/// A span such as `30d` in seconds (resolved against `now`, so months have their real length).
pub(super) fn span_seconds(span: &str, now: Timestamp, tz: &TimeZone) -> Result<i64> {
    let back = timespec::parse_instant(span, now, tz)?;
    Ok(now.as_second() - back.as_second())
}

/// The repository of `repo` (or of the current directory); `why` says what the command needs it for.
pub(super) fn repo_scope(repo: Option<&Path>, why: &str) -> Result<RepoScope> {
    let dir = match repo {
        Some(r) => r.to_path_buf(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    RepoScope::discover(&dir).map_err(|e| anyhow::anyhow!(e).context(why.to_owned()))
}

/// A path for a message on the terminal: its control characters (a file name can hold ESC) replaced.
pub(super) fn shown(path: &Path) -> String {
    report::term_safe(&path.display().to_string()).into_owned()
}

/// Opens `--out FILE` for writing, never through a link: a symbolic link at that path (planted in a shared
/// folder, say) is refused instead of followed, and so is anything but a regular file.
pub(super) fn open_out(path: &Path) -> Result<std::fs::File> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(
            "{} is a symbolic link: not written through (remove it or choose another --out)",
            path.display()
        );
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = opts
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        bail!("{} is not a regular file: not written", path.display());
    }
    Ok(f)
}

/// Writes a report to `--out FILE` (see [`open_out`]).
pub(super) fn write_out(path: &Path, text: &str) -> Result<()> {
    open_out(path)?
        .write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a report to stdout; a closed pipe (`| head`) is not an error.
pub(super) fn emit(out: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to stdout")
        }
        _ => Ok(()),
    }
}

pub(super) fn time_zone(name: Option<&str>) -> Result<TimeZone> {
    match name {
        None => Ok(TimeZone::system()),
        Some(n) if n.eq_ignore_ascii_case("utc") => Ok(TimeZone::UTC),
        Some(n) => TimeZone::get(n).with_context(|| format!("unknown time zone `{n}`")),
    }
}

/// The `--since` / `--until` window.
pub(super) struct Window {
    since: Option<Timestamp>,
    until: Option<Timestamp>,
}

impl Window {
    pub(super) fn parse(f: &Filters, now: Timestamp, tz: &TimeZone) -> Result<Window> {
        let p = |s: &Option<String>| -> Result<Option<Timestamp>> {
            Ok(match s {
                Some(s) => Some(timespec::parse_instant(s, now, tz)?),
                None => None,
            })
        };
        Ok(Window {
            since: p(&f.since)?,
            until: p(&f.until)?,
        })
    }

    pub(super) fn contains(&self, at: Timestamp) -> bool {
        self.since.is_none_or(|s| at >= s) && self.until.is_none_or(|u| at < u)
    }

    pub(super) fn overlaps(&self, start: Option<Timestamp>, end: Option<Timestamp>) -> bool {
        let (Some(start), Some(end)) = (start, end) else {
            return self.since.is_none() && self.until.is_none();
        };
        self.since.is_none_or(|s| end >= s) && self.until.is_none_or(|u| start < u)
    }
}

/// Where `.agent-audit.toml` is looked for outside `sessions`: the enclosing repository's root, else the
/// current directory.
pub(super) fn config_dir() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    Some(RepoScope::discover(&cwd).map(|s| s.root).unwrap_or(cwd))
}

pub(super) fn load_prices(g: &Global, config_dir: Option<&Path>) -> Result<PriceTable> {
    Ok(load_settings(g, config_dir, Timestamp::now())?.prices)
}

/// Prices, tiers, routing and thresholds: the defaults, then `.agent-audit.toml` in `config_dir` (or
/// the `--config` file instead, or nothing with `--no-repo-config`), then `--prices`.
pub(super) fn load_settings(
    g: &Global,
    config_dir: Option<&Path>,
    now: Timestamp,
) -> Result<Settings> {
    Ok(load_settings_traced(g, config_dir, now)?.0)
}

/// [`load_settings`], and where each part came from.
pub(super) fn load_settings_traced(
    g: &Global,
    config_dir: Option<&Path>,
    now: Timestamp,
) -> Result<(Settings, Provenance)> {
    let mut set = Settings::new(PriceTable::embedded(), now);
    let mut prov = Provenance {
        config_source: "none",
        embedded_prices_as_of: set
            .prices
            .entries()
            .map(|(_, p)| p.as_of.as_str())
            .max()
            .unwrap_or("-")
            .to_owned(),
        ..Default::default()
    };
    let repo_has_one = config_dir
        .is_some_and(|d| std::fs::symlink_metadata(d.join(crate::config::FILE_NAME)).is_ok());
    let cfg = if let Some(path) = &g.config {
        prov.config_source = "--config";
        prov.config = Some(path.display().to_string());
        prov.repo_config_ignored = repo_has_one;
        Some(Config::load_file(path)?)
    } else if g.no_repo_config {
        prov.repo_config_ignored = repo_has_one;
        None
    } else if let Some(dir) = config_dir {
        let cfg = Config::load_from(dir)?;
        if cfg.path.is_some() {
            prov.config_source = "repository";
            prov.config = Some(crate::config::FILE_NAME.to_owned());
        }
        Some(cfg)
    } else {
        None
    };
    if let Some(cfg) = cfg
        && let Some(path) = &cfg.path
    {
        set.prices
            .apply_overrides(&cfg.prices, &path.display().to_string())?;
        if !cfg.prices.is_empty() {
            prov.price_overrides
                .push(prov.config.clone().unwrap_or_default());
        }
        set.tiers = crate::metrics::TierRules::new(cfg.tiers);
        set.routing = cfg.routing;
        set.thresholds = cfg.thresholds;
    }
    if let Some(path) = &g.prices {
        let overrides = PriceTable::parse_overrides_file(path)?;
        set.prices
            .apply_overrides(&overrides, &path.display().to_string())?;
        prov.price_overrides
            .push(format!("{} (--prices)", path.display()));
    }
    Ok((set, prov))
}

/// Where to read logs: `--logs`, else the agents' locations — and for one repository only its Claude Code
/// project folders (by folder name, or by the cwd their transcripts log), so a machine with many
/// projects is not parsed in full to report on one.
pub(super) fn locations(g: &Global, scope: Option<&RepoScope>) -> Locations {
    let mut loc = Locations::from_env();
    loc.logs = g.logs.clone();
    if let Some(scope) = scope
        && loc.logs.is_empty()
    {
        loc.claude_projects = crate::git::project_folder_names(scope);
        loc.project_roots = scope.worktrees.clone();
        let scope = scope.clone();
        loc.project_cwd = Some(crate::discover::CwdFilter(std::sync::Arc::new(
            move |cwd| scope.contains(cwd),
        )));
    }
    loc
}

pub(super) fn read_logs(
    g: &Global,
    f: &Filters,
    window: &Window,
    depth: Depth,
    scope: Option<&RepoScope>,
) -> Result<Ingested> {
    let mut loc = locations(g, scope);
    loc.agents = f.agent.clone();
    loc.modified_since = window.since.map(std::time::SystemTime::from);
    read_from(g, &loc, depth, false)
}

/// Discovers and reads; with `allow_empty`, finding no logs is an empty answer, not an error.
pub(super) fn read_from(
    g: &Global,
    loc: &Locations,
    depth: Depth,
    allow_empty: bool,
) -> Result<Ingested> {
    read_mentioning(g, loc, depth, allow_empty, &[], &[])
}

/// [`read_from`], parsing only the logs whose bytes mention one of `needles` (all when empty), and none of
/// the files in `already_read`.
pub(super) fn read_mentioning(
    g: &Global,
    loc: &Locations,
    depth: Depth,
    allow_empty: bool,
    needles: &[String],
    already_read: &[PathBuf],
) -> Result<Ingested> {
    let mut found = discover::discover(loc)?;
    // A repository without sessions of its own, on a machine whose logs are other repositories': an
    // empty answer, not "no logs found".
    let allow_empty = allow_empty
        || (found.sources.is_empty()
            && (!loc.claude_projects.is_empty() || loc.project_cwd.is_some())
            && {
                let mut all = loc.clone();
                all.claude_projects.clear();
                all.project_cwd = None;
                all.modified_since = None;
                discover::discover(&all).is_ok_and(|f| !f.sources.is_empty())
            });
    let mut ix = super::index_cmd::open_index(g);
    // The ledger: indexed files whose log is gone (not when reading a subset by content, whose other
    // logs a first pass read).
    let gone = match &ix {
        Some(ix) if !g.only_present && needles.is_empty() && already_read.is_empty() => {
            super::index_cmd::gone_logs(ix, loc, &found, depth)
        }
        _ => Vec::new(),
    };
    if !already_read.is_empty() {
        found
            .sources
            .retain(|src| !already_read.contains(&src.path));
    }
    if !needles.is_empty() {
        found.sources = crate::prefilter::mentioning(std::mem::take(&mut found.sources), needles);
    }
    if found.sources.is_empty() && gone.is_empty() && !allow_empty {
        let searched: Vec<String> = if loc.logs.is_empty() {
            crate::formats::FORMATS
                .iter()
                .filter(|f| loc.agents.is_empty() || loc.agents.contains(&f.agent()))
                .flat_map(|f| f.log_roots(loc))
                .map(|p| p.display().to_string())
                .collect()
        } else {
            loc.logs.iter().map(|p| p.display().to_string()).collect()
        };
        if found.older_than_since > 0 {
            eprintln!(
                "note: {} log files were last modified before --since and were not read",
                found.older_than_since
            );
        } else {
            bail!(
                "no Claude Code, Codex or Gemini CLI session logs found (searched: {}); point --logs \
                 at a log file or folder, or set CLAUDE_CONFIG_DIR / CODEX_HOME / GEMINI_CLI_HOME",
                searched.join(", ")
            );
        }
    }
    let total: u64 = found.sources.iter().map(|s| s.size).sum();
    let bar = term::progress(total, g.verbose > 0);
    let t0 = std::time::Instant::now();
    let cache = ix.as_ref().map(|ix| ix as &dyn ingest::FileCache);
    let mut ing = ingest::ingest_with(&found.sources, depth, &|n| bar.inc(n), cache, gone);
    if let Some(ix) = &mut ix {
        super::index_cmd::save(ix, g);
    }
    if ing.gone_sessions > 0 {
        eprintln!(
            "note: {} session(s) whose logs were deleted are counted from the index (marked \
             log_gone; --only-present leaves them out)",
            ing.gone_sessions
        );
    }
    ing.unreadable.extend(found.unreadable.iter().cloned());
    // Agents that name the project by a hash of its root (Gemini CLI): its work tree is the cwd.
    if !loc.project_roots.is_empty() {
        let hashes: Vec<(String, &std::path::PathBuf)> = loc
            .project_roots
            .iter()
            .map(|r| (crate::formats::gemini::project_hash(r), r))
            .collect();
        for s in ing.sessions.iter_mut().filter(|s| s.cwd.is_none()) {
            if let Some(h) = s.project_hash.as_deref()
                && let Some((_, root)) = hashes.iter().find(|(x, _)| x == h)
            {
                s.cwd = Some((*root).clone());
            }
        }
    }
    // Agents that name the project by its root commit (OpenCode): a session whose directory no longer
    // exists (the folder was moved or renamed) still belongs to the repository whose root commit it names.
    // A directory that exists elsewhere is another clone of the same history, and stays its own.
    if let Some(first) = loc.project_roots.first()
        && ing.sessions.iter().any(|s| {
            s.project_root_commit.is_some() && s.cwd.as_deref().is_none_or(|c| !c.exists())
        })
    {
        let roots = crate::git::root_commits(first);
        for s in ing.sessions.iter_mut() {
            let outside = s.cwd.as_deref().is_none_or(|c| !c.exists());
            if outside
                && let Some(id) = s.project_root_commit.as_deref()
                && roots.iter().any(|r| r.eq_ignore_ascii_case(id))
            {
                s.notes.push(format!(
                    "tied to this repository by its root commit {} (the agent's project id); the \
                     session ran in {}",
                    &id[..12.min(id.len())],
                    s.cwd.as_deref().map_or_else(
                        || "an unrecorded folder".to_owned(),
                        |c| c.display().to_string()
                    )
                ));
                if let Some(old) = s.cwd.take() {
                    s.rebase_paths(&old, first);
                }
                s.cwd = Some(first.clone());
            }
        }
    }
    if ing.conflicting_responses > 0 {
        eprintln!(
            "warning: {} response id(s) appear in two sessions with other token counts: each session \
             keeps its own (see the sessions' notes)",
            ing.conflicting_responses
        );
    }
    bar.finish_and_clear();
    if g.verbose > 1 {
        eprintln!(
            "timing: read {} files ({} bytes; {} answered by the index) in {:?}",
            found.sources.len(),
            total,
            ing.from_index,
            t0.elapsed()
        );
    }
    if g.verbose > 0 {
        for (path, skips) in &ing.skipped_by_file {
            let reasons: Vec<String> = skips
                .by_reason
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            eprintln!(
                "skipped in {}: {}",
                shown(path),
                report::term_safe(&reasons.join(", "))
            );
        }
        for path in &found.unrecognized {
            eprintln!("not a known log format, not read: {}", shown(path));
        }
        for path in &ing.duplicate_files {
            eprintln!(
                "same session as another file, not counted again: {}",
                shown(path)
            );
        }
    }
    for (path, why) in &ing.unreadable {
        eprintln!(
            "warning: cannot read {}: {}",
            shown(path),
            report::term_safe(why)
        );
    }
    if ing.files == 0 && !ing.unreadable.is_empty() {
        let (path, why) = &ing.unreadable[0];
        bail!(
            "no log could be read (first failure: {}: {})",
            shown(path),
            report::term_safe(why)
        );
    }
    Ok(ing)
}
