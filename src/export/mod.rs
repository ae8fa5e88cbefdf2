//! Export: every session's cost and outcome as records the engines teams already run can load — NDJSON
//! (`agent-audit/export/v1`, for DuckDB, ClickHouse, BigQuery…) and OpenTelemetry spans in the OTLP JSON
//! encoding (for a collector) — and the reading of NDJSON exports back (`review --from`).
//!
//! The exporters format, they never compute: every figure comes from a [`SessionReport`] (and its
//! outcome), built by the same path as `sessions`. What this module adds is identity and privacy: a
//! stable `key` per session and machine (so loading an export twice never double counts), a machine
//! label that is a pseudonym of the host name unless one is given, and pseudonyms (SHA-256) instead of
//! paths and repository addresses unless `include_paths` is set. No prompt, response, command or file
//! content is ever part of an export: the records carry counts, costs, names of models, branches and
//! commit hashes only.

pub mod hash;
pub mod http;
pub mod ndjson;
pub mod otlp;
pub mod read;
pub mod repo;

use std::collections::BTreeSet;
use std::path::Path;

use jiff::Timestamp;

use crate::metrics::SessionReport;
use crate::pricing::PriceTable;
pub use repo::RepoFacts;

/// `agent-audit/export/v1`: the schema of every exported record.
pub const EXPORT_SCHEMA: &str = "agent-audit/export/v1";

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The machine label (`--machine`, else [`default_machine`]).
    pub machine: String,
    /// The time of the export (`exported_at`).
    pub exported_at: Timestamp,
    /// Paths and repository addresses in clear instead of hashed.
    pub include_paths: bool,
    /// One record (or span) per step besides the one per session.
    pub steps: bool,
}

/// The price table a report was priced with, as the export names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceFacts {
    /// `sha256:` and 16 hex digits of the whole table in use (overrides included): two exports with the
    /// same version were priced with the same numbers.
    pub version: String,
}

impl PriceFacts {
    /// The fingerprint of `table`.
    pub fn of(table: &PriceTable) -> PriceFacts {
        // The whole dated history: a change to a past set is a different table too.
        let entries: Vec<_> = table.history().collect();
        let text = serde_json::to_string(&entries).unwrap_or_default();
        PriceFacts {
            version: format!("sha256:{}", hash::hex(&hash::sha256(text.as_bytes()), 8)),
        }
    }
}

/// The prices one session used: the newest `as_of` date and the sources of its models' entries (an
/// override file's path is hashed unless paths are included).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SessionPrices {
    /// The table's fingerprint.
    pub version: String,
    /// The newest `as_of` among the entries the session's models resolved to.
    pub as_of: Option<String>,
    /// Their sources (URLs of the provider's page or of LiteLLM's file).
    pub sources: Vec<String>,
}

/// One session to export: its report, its repository's facts (`None` when it ran outside a repository
/// or was not correlated), and the price table it was priced with.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// The figures.
    pub report: &'a SessionReport,
    /// The repository.
    pub repo: Option<&'a RepoFacts>,
    /// The prices.
    pub prices: &'a PriceTable,
    /// Their fingerprint.
    pub price_facts: &'a PriceFacts,
}

impl Item<'_> {
    /// The session's stable key: 32 hex digits of SHA-256 over agent, the agent's session id and machine.
    pub fn key(&self, machine: &str) -> String {
        session_key(self.report.agent.as_str(), &self.report.id, machine)
    }

    /// The prices the session used.
    pub fn session_prices(&self, include_paths: bool) -> SessionPrices {
        let mut as_of: Option<&str> = None;
        let mut sources = BTreeSet::new();
        for m in &self.report.models {
            if let Some((_, p, _)) = self.prices.resolve(m) {
                if as_of.is_none_or(|a| p.as_of.as_str() > a) {
                    as_of = Some(&p.as_of);
                }
                sources.insert(if p.source.starts_with("https://") || include_paths {
                    p.source.clone()
                } else {
                    pseudonym(&p.source)
                });
            }
        }
        SessionPrices {
            version: self.price_facts.version.clone(),
            as_of: as_of.map(str::to_owned),
            sources: sources.into_iter().collect(),
        }
    }

    /// The provider in the OpenTelemetry GenAI naming (`anthropic`, `openai`, `gcp.gemini`): from the
    /// price entry of the session's first priced model, else from the agent (`_OTHER` for a Copilot
    /// session on a model the table does not know).
    pub fn provider(&self) -> &'static str {
        let from_table = self
            .report
            .models
            .iter()
            .find_map(|m| self.prices.resolve(m).map(|(_, p, _)| p.provider.as_str()));
        match from_table {
            Some("anthropic") => "anthropic",
            Some("openai") => "openai",
            Some("google") => "gcp.gemini",
            _ => match self.report.agent {
                crate::model::Agent::ClaudeCode => "anthropic",
                crate::model::Agent::Codex => "openai",
                crate::model::Agent::Gemini => "gcp.gemini",
                // Copilot and Aider serve several providers' models; an unknown one has no single
                // provider.
                crate::model::Agent::Copilot
                | crate::model::Agent::Aider
                | crate::model::Agent::OpenCode => "_OTHER",
            },
        }
    }
}

/// The key of a session: 32 hex digits (128 bits) of SHA-256 over `agent`, `id` and `machine`. The
/// same session exported again from the same machine has the same key, whatever else changed.
pub fn session_key(agent: &str, id: &str, machine: &str) -> String {
    hash::hex(
        &hash::sha256_parts(&["agent-audit/export/v1", agent, id, machine]),
        16,
    )
}

/// The key of a session's step (1-based `index`).
pub fn step_key(session_key: &str, index: usize) -> String {
    hash::hex(
        &hash::sha256_parts(&["step", session_key, &index.to_string()]),
        16,
    )
}

/// A value that must not leave the machine in clear: `sha256:` and 16 hex digits (64 bits) of its
/// SHA-256. The same input gives the same pseudonym on every machine (so teams can group by it); it is
/// not a secret: a guessable input (a public repository's address) can be confirmed by hashing it.
pub fn pseudonym(value: &str) -> String {
    format!("sha256:{}", hash::hex(&hash::sha256(value.as_bytes()), 8))
}

/// A path as exported: in clear with `include_paths`, else its pseudonym.
pub fn path_value(path: &Path, include_paths: bool) -> String {
    let s = path.to_string_lossy();
    if include_paths {
        s.into_owned()
    } else {
        pseudonym(&s)
    }
}

/// The default machine label: the pseudonym of the host name (`sha256:` + 16 hex digits), so the raw
/// name never leaves the machine unless given with `--machine`. Stable across runs and exports.
pub fn default_machine() -> String {
    pseudonym(&format!("host:{}", host_name()))
}

/// The host name: the kernel's (Linux), else `/etc/hostname`, else `COMPUTERNAME` (Windows) or
/// `HOSTNAME`; `unknown` when none says (pass `--machine` there). No program is run to ask.
fn host_name() -> String {
    let clean = |s: &str| -> Option<String> {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok().and_then(|s| clean(&s)))
        .or_else(|| {
            ["COMPUTERNAME", "HOSTNAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().and_then(|s| clean(&s)))
        })
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_depend_on_all_three_parts() {
        let k = session_key("codex", "019a", "m1");
        assert_eq!(k.len(), 32);
        assert_eq!(k, session_key("codex", "019a", "m1"));
        assert_ne!(k, session_key("codex", "019a", "m2"));
        assert_ne!(k, session_key("claude-code", "019a", "m1"));
        assert_ne!(k, session_key("codex", "019b", "m1"));
        assert_ne!(step_key(&k, 1), step_key(&k, 2));
    }

    #[test]
    fn default_machine_is_a_pseudonym() {
        let m = default_machine();
        assert!(m.starts_with("sha256:") && m.len() == 7 + 16, "{m}");
        assert_eq!(m, default_machine());
        assert!(!m.contains(&host_name()));
    }

    #[test]
    fn paths_are_hashed_unless_included() {
        let p = Path::new("/home/alice/secret-project");
        assert_eq!(path_value(p, true), "/home/alice/secret-project");
        let h = path_value(p, false);
        assert!(h.starts_with("sha256:") && !h.contains("alice"));
    }
}
