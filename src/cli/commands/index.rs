//! `index status|rebuild|forget`.

use super::super::*;
use crate::index::{self, Index};

/// `index` subcommands.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Where the index is, its schema version, size, and how many files and deleted logs it holds.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Empty the index and index the agents' logs again (at token-count depth). The sessions of
    /// deleted logs that only the index still held are lost.
    Rebuild,
    /// Delete the index's database files (the ledger of deleted logs with them).
    Forget,
}

/// `agent-audit index …`.
pub fn run(g: &Global, c: &IndexCommand) -> Result<String> {
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
