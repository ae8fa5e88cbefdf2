//! `--format ndjson`: one `agent-audit/export/v1` record per line — a `session` record per session and,
//! with `--steps`, a `step` record per step. Fields are listed in the README ("Export"); they are
//! copied from the session's [`crate::metrics::SessionReport`], never computed here. serde_json escapes
//! every control character, so a hostile string in a log cannot break a line.

use std::collections::BTreeMap;
use std::io::Write;

use jiff::Timestamp;
use serde::Serialize;

use super::{EXPORT_SCHEMA, ExportOptions, Item, SessionPrices};
use crate::metrics::{Context, OutcomeMetrics, Premium, Retries, Tier, Tokens, Verdict};
use crate::model::Agent;

/// A flag without its prose: code, measured value, threshold.
#[derive(Debug, Serialize)]
pub struct FlagRecord {
    /// Stable code (`retry-loop`…).
    pub code: &'static str,
    /// Measured value.
    pub value: Option<f64>,
    /// Threshold.
    pub threshold: Option<f64>,
}

/// What became of the session's lines.
#[derive(Debug, Serialize)]
pub struct OutcomeRecord<'a> {
    /// Non-trivial lines added (final form).
    pub lines_added: u64,
    /// Found in a commit on any ref.
    pub lines_committed: u64,
    /// Reached the base branch.
    pub lines_merged: u64,
    /// Merged and still in HEAD.
    pub lines_in_head: u64,
    /// Committed and present in HEAD, merged or not.
    pub lines_live: u64,
    /// Shell-edited lines credited through the session's own commits.
    pub lines_via_anchor: u64,
    /// Of those, merged.
    pub lines_via_anchor_merged: u64,
    /// At least one line merged.
    pub merged: bool,
    /// `merge`, `fast-forward`, `rebase`, `squash`, `cherry-pick` or `null`.
    pub route: Option<&'static str>,
    /// Commits holding the lines (full hashes), oldest first.
    pub commits: &'a [String],
    /// Commits the session made itself.
    pub own_commits: &'a [String],
}

/// A `session` record.
#[derive(Debug, Serialize)]
pub struct SessionRecord<'a> {
    /// `agent-audit/export/v1`.
    pub schema: &'static str,
    /// `session`.
    pub record: &'static str,
    /// Stable key (agent, session id, machine).
    pub key: String,
    /// Machine label.
    pub machine: &'a str,
    /// When exported.
    pub exported_at: Timestamp,
    /// Agent.
    pub agent: Agent,
    /// The agent's session id.
    pub session_id: &'a str,
    /// Provider (GenAI naming).
    pub provider: &'static str,
    /// Repository id (a pseudonym, the same on every clone), `null` outside a repository.
    pub repository: Option<&'a str>,
    /// Remote address without credentials (only with `--include-paths`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<&'a str>,
    /// Work-tree root, hashed unless `--include-paths`.
    pub repository_root: Option<String>,
    /// Working directory, hashed unless `--include-paths`.
    pub cwd: Option<String>,
    /// Branch the agent logged.
    pub branch: Option<&'a str>,
    /// Base branch lines are counted as merged into.
    pub base: Option<&'a str>,
    /// HEAD commit "in HEAD" was measured against.
    pub head_revision: Option<&'a str>,
    /// Pull requests the session linked (numbers).
    pub pull_requests: Vec<u64>,
    /// Start.
    pub started_at: Option<Timestamp>,
    /// End.
    pub ended_at: Option<Timestamp>,
    /// Seconds.
    pub duration_s: Option<i64>,
    /// Models.
    pub models: &'a [String],
    /// Billed responses.
    pub steps: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Failed tool calls.
    pub failed_tool_calls: u64,
    /// Tokens (the JSON contract's meaning: `input` excludes cache reads and writes).
    pub tokens: Tokens,
    /// Cost, `null` when a model has no price.
    pub cost_usd: Option<f64>,
    /// Cost of the priced steps.
    pub priced_usd: f64,
    /// Models without a price.
    pub unpriced_models: &'a [String],
    /// Priced cost per route tier.
    pub cost_by_tier: &'a BTreeMap<Tier, f64>,
    /// Price table version, newest date, sources.
    pub prices: SessionPrices,
    /// Git outcome, `null` when not correlated.
    pub outcome: Option<OutcomeRecord<'a>>,
    /// Cost per merged line etc.
    pub metrics: &'a OutcomeMetrics,
    /// Context breadth (counts).
    pub context: &'a Context,
    /// Retries and churn (counts, cost).
    pub retries: &'a Retries,
    /// Premium routes and savings.
    pub premium: &'a Premium,
    /// `leverage`, `theater`, `lead`.
    pub verdict: Verdict,
    /// Rules that fired.
    pub flags: Vec<FlagRecord>,
    /// Log lines skipped while reading the session.
    pub skipped_lines: u64,
}

/// A `step` record.
#[derive(Debug, Serialize)]
pub struct StepRecord<'a> {
    /// `agent-audit/export/v1`.
    pub schema: &'static str,
    /// `step`.
    pub record: &'static str,
    /// Stable key (session key, index).
    pub key: String,
    /// The session's key.
    pub session_key: &'a str,
    /// Machine label.
    pub machine: &'a str,
    /// When exported.
    pub exported_at: Timestamp,
    /// Agent.
    pub agent: Agent,
    /// The agent's session id.
    pub session_id: &'a str,
    /// 1-based position.
    pub index: usize,
    /// When.
    pub at: Timestamp,
    /// Model.
    pub model: Option<&'a str>,
    /// Route tier.
    pub tier: Tier,
    /// Tokens, `null` when the log has none.
    pub tokens: Option<Tokens>,
    /// Cost, `null` when unknown.
    pub cost_usd: Option<f64>,
    /// Tool calls.
    pub tool_calls: usize,
    /// Failed tool calls.
    pub failed_tool_calls: usize,
    /// Bytes the tool results added to the context.
    pub bytes_in: u64,
    /// A call failed.
    pub error: bool,
    /// A call re-attempted a failed edit or command.
    pub retry: bool,
    /// Only reads/lists/searches with a short answer.
    pub simple: bool,
    /// The economy model a simple premium step could have used.
    pub economy_model: Option<&'a str>,
    /// Its cost there.
    pub economy_cost_usd: Option<f64>,
}

/// The `session` record of `item`.
pub fn session_record<'a>(item: &Item<'a>, opts: &'a ExportOptions) -> SessionRecord<'a> {
    let r = item.report;
    let paths = opts.include_paths;
    SessionRecord {
        schema: EXPORT_SCHEMA,
        record: "session",
        key: item.key(&opts.machine),
        machine: &opts.machine,
        exported_at: opts.exported_at,
        agent: r.agent,
        session_id: &r.id,
        provider: item.provider(),
        repository: item.repo.map(|f| f.id.as_str()),
        repository_url: item.repo.and_then(|f| f.url.as_deref()).filter(|_| paths),
        repository_root: item.repo.map(|f| super::path_value(&f.root, paths)),
        cwd: r.cwd.as_deref().map(|c| super::path_value(c, paths)),
        branch: r.branch.as_deref(),
        base: item.repo.and_then(|f| f.base.as_deref()),
        head_revision: item.repo.and_then(|f| f.head_revision.as_deref()),
        pull_requests: r.pull_requests.iter().map(|p| p.number).collect(),
        started_at: r.started_at,
        ended_at: r.ended_at,
        duration_s: r.duration_s,
        models: &r.models,
        steps: r.steps,
        tool_calls: r.tool_calls,
        failed_tool_calls: r.failed_tool_calls,
        tokens: r.tokens,
        cost_usd: r.cost_usd,
        priced_usd: r.priced_usd,
        unpriced_models: &r.unpriced_models,
        cost_by_tier: &r.cost_by_tier,
        prices: item.session_prices(paths),
        outcome: r.outcome.as_ref().map(|o| OutcomeRecord {
            lines_added: o.lines_added,
            lines_committed: o.lines_committed,
            lines_merged: o.lines_merged,
            lines_in_head: o.lines_in_head,
            lines_live: o.lines_live,
            lines_via_anchor: o.lines_via_anchor,
            lines_via_anchor_merged: o.lines_via_anchor_merged,
            merged: o.merged,
            route: o.merged_via.map(|m| m.as_str()),
            commits: &o.commits,
            own_commits: &o.own_commits,
        }),
        metrics: &r.metrics,
        context: &r.context,
        retries: &r.retries,
        premium: &r.premium,
        verdict: r.verdict,
        flags: r
            .flags
            .iter()
            .map(|f| FlagRecord {
                code: f.code.as_str(),
                value: f.value,
                threshold: f.threshold,
            })
            .collect(),
        skipped_lines: r.skipped_lines,
    }
}

/// The `step` records of `item` (empty unless its report kept its step rows).
pub fn step_records<'a>(
    item: &Item<'a>,
    session_key: &'a str,
    opts: &'a ExportOptions,
) -> impl Iterator<Item = StepRecord<'a>> {
    let r = item.report;
    r.step_rows.iter().map(move |s| StepRecord {
        schema: EXPORT_SCHEMA,
        record: "step",
        key: super::step_key(session_key, s.index),
        session_key,
        machine: &opts.machine,
        exported_at: opts.exported_at,
        agent: r.agent,
        session_id: &r.id,
        index: s.index,
        at: s.at,
        model: s.model.as_deref(),
        tier: s.tier,
        tokens: s.tokens,
        cost_usd: s.cost_usd,
        tool_calls: s.calls.len(),
        failed_tool_calls: s.calls.iter().filter(|c| c.is_error).count(),
        bytes_in: s.bytes_in,
        error: s.error,
        retry: s.retry,
        simple: s.simple,
        economy_model: s.economy_model.as_deref(),
        economy_cost_usd: s.economy_cost_usd,
    })
}

/// One record as a line, its numbers tidied as every JSON document's are
/// ([`crate::report::json::tidy`]), so an export and `sessions --json` agree to the digit.
fn line<T: Serialize>(out: &mut dyn Write, rec: &T) -> std::io::Result<()> {
    let mut v = serde_json::to_value(rec)?;
    crate::report::json::tidy(&mut v);
    serde_json::to_writer(&mut *out, &v)?;
    out.write_all(b"\n")
}

/// Writes every item's records, one JSON object per line.
pub fn write(items: &[Item<'_>], opts: &ExportOptions, out: &mut dyn Write) -> std::io::Result<()> {
    for item in items {
        let rec = session_record(item, opts);
        line(out, &rec)?;
        if opts.steps {
            for step in step_records(item, &rec.key, opts) {
                line(out, &step)?;
            }
        }
    }
    Ok(())
}
