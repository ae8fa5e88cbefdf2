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
