//! The index at the edge: opening it for a command (its notes and failures on stderr, never fatal),
//! choosing the ledger's files for the command's locations, and `agent-audit index status|rebuild|forget`.

use super::*;
use crate::index::{self, GoneFilter, Index};

/// The index for this command, unless `--no-index`. A failure to open it is a warning, and the command
/// runs as with `--no-index`.
pub(super) fn open_index(g: &Global) -> Option<Index> {
    if g.no_index {
        return None;
    }
    let dir = index::default_dir()?;
    match Index::open(&dir) {
        Ok(ix) => {
            for n in &ix.notes {
                eprintln!("note: {}", report::term_safe(n));
            }
            Some(ix)
        }
        Err(e) => {
            eprintln!(
                "warning: the index is not used: {}",
                report::term_safe(&chain(&e))
            );
            None
        }
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}

/// Writes what the command parsed; a busy or failing index only costs the cache.
pub(super) fn save(ix: &mut Index, g: &Global) {
    match ix.save() {
        Ok(true) => {}
        Ok(false) => {
            if g.verbose > 0 {
                eprintln!(
                    "note: another agent-audit was writing the index: this run's files not cached"
                );
            }
        }
        Err(e) => eprintln!(
            "warning: the index was not updated: {}",
            report::term_safe(&chain(&e))
        ),
    }
}

/// The ledger's files for a command reading `loc`: indexed files under its locations (its `--logs`, else
/// the agents' log folders and files) that are gone from disk.
pub(super) fn gone_logs(
    ix: &Index,
    loc: &Locations,
    found: &discover::Discovered,
    depth: Depth,
) -> Vec<(discover::Source, crate::formats::FileLog)> {
    let under: Vec<PathBuf> = if loc.logs.is_empty() {
        crate::formats::FORMATS
            .iter()
            .filter(|f| loc.agents.is_empty() || loc.agents.contains(&f.agent()))
            .flat_map(|f| {
                let mut v = f.log_roots(loc);
                v.extend(f.log_files(loc));
                v
            })
            .collect()
    } else {
        loc.logs.clone()
    };
    let present = found
        .sources
        .iter()
        .map(|s| index::key_path(&s.path))
        .collect();
    let since = loc.modified_since.and_then(|t| {
        t.duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    });
    let filter = GoneFilter {
        under: &under,
        agents: &loc.agents,
        modified_since_ns: since,
    };
    let mut gone = ix.gone_logs(&filter, &present, depth);
    if let Some(prefix) = &loc.session_prefix {
        gone.retain(|(_, log)| {
            log.sessions
                .iter()
                .any(|s| s.id.starts_with(prefix.as_str()))
        });
    }
    gone
}

/// The commit cache of the repository at `root` for this command, unless `--no-index` (a failure is a
/// warning: the correlation then reads everything from git).
pub(super) fn commit_store(g: &Global, root: &Path) -> Option<std::sync::Arc<index::CommitStore>> {
    let ix = open_index_quiet(g)?;
    match ix.into_commit_store(root) {
        Ok(s) => Some(std::sync::Arc::new(s)),
        Err(e) => {
            eprintln!(
                "warning: the index is not used for commits: {}",
                report::term_safe(&chain(&e))
            );
            None
        }
    }
}

/// [`open_index`] without repeating its notes (the logs' read already printed them).
fn open_index_quiet(g: &Global) -> Option<Index> {
    if g.no_index {
        return None;
    }
    Index::open(&index::default_dir()?).ok()
}

/// Writes what the correlation computed; a busy or failing index only costs the cache.
pub(super) fn save_commits(store: Option<&index::CommitStore>, g: &Global) {
    let Some(store) = store else { return };
    match store.save() {
        Ok(true) => {}
        Ok(false) => {
            if g.verbose > 0 {
                eprintln!(
                    "note: another agent-audit was writing the index: this run's commits not cached"
                );
            }
        }
        Err(e) => eprintln!(
            "warning: the index was not updated: {}",
            report::term_safe(&chain(&e))
        ),
    }
}

/// `agent-audit index …`.
pub(super) fn run(g: &Global, c: &IndexCommand) -> Result<String> {
    let dir = index::default_dir()
        .context("no folder for the index: set AGENT_AUDIT_HOME, XDG_DATA_HOME or HOME")?;
    match c {
        IndexCommand::Status { json } => {
            let ix = Index::open(&dir)
                .with_context(|| format!("cannot open the index in {}", dir.display()))?;
            for n in &ix.notes {
                eprintln!("note: {}", report::term_safe(n));
            }
            let st = ix.status();
            if *json {
                let mut v = serde_json::to_value(&st)?;
                v["schema"] = "agent-audit/index-status/v1".into();
                v["enabled"] = (!g.no_index).into();
                return Ok(serde_json::to_string_pretty(&v)? + "\n");
            }
            Ok(format!(
                "index       {}\n\
                 enabled     {}\n\
                 schema      v{}\n\
                 size        {} bytes ({} bytes of summaries)\n\
                 log files   {} ({} token-count summaries, {} from full reads)\n\
                 deleted     {} indexed log file(s) are gone: their sessions are counted from the index\n\
                 commits     {} ({} files' added-line hashes)\n",
                shown(&st.path),
                if g.no_index {
                    "no (--no-index / AGENT_AUDIT_NO_INDEX)"
                } else {
                    "yes"
                },
                st.schema_version,
                st.bytes,
                st.summary_bytes,
                st.files,
                st.usage_files,
                st.full_files,
                st.gone_files,
                st.commits,
                st.commit_files,
            ))
        }
        IndexCommand::Rebuild => {
            let mut ix = Index::open(&dir)
                .with_context(|| format!("cannot open the index in {}", dir.display()))?;
            ix.clear()
                .with_context(|| format!("cannot empty {}", ix.path().display()))?;
            drop(ix);
            let loc = locations(g, None);
            let g2 = Global {
                no_index: false,
                only_present: true,
                logs: g.logs.clone(),
                prices: None,
                config: None,
                no_repo_config: true,
                color: g.color,
                tz: None,
                verbose: g.verbose,
                now: None,
            };
            let ing = read_from(&g2, &loc, Depth::Usage, true)?;
            Ok(format!(
                "index {}: rebuilt from {} log file(s), {} session(s)\n",
                shown(&dir.join(index::DB_NAME)),
                ing.files,
                ing.sessions.len()
            ))
        }
        IndexCommand::Forget => {
            let removed = index::forget(&dir)
                .with_context(|| format!("cannot delete the index in {}", dir.display()))?;
            Ok(if removed.is_empty() {
                format!("no index in {}\n", shown(&dir))
            } else {
                format!(
                    "deleted {}\n",
                    removed
                        .iter()
                        .map(|p| shown(p))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        }
    }
}
