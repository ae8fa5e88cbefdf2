//! Model (+ later, git facts) → the figures every renderer reads. Renderers compute nothing: a number
//! shown anywhere is a field of [`SessionReport`] or [`usage::UsageReport`].

pub mod branch;
pub mod breadth;
pub mod cost;
pub mod premium;
pub mod retries;
pub mod review;
pub mod steps;
pub mod team;
pub mod tier;
pub mod usage;
pub mod verdict;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use jiff::Timestamp;
use serde::Serialize;

use crate::git::Outcome;
use crate::model::{Agent, Session};
use crate::pricing::PriceTable;
pub use breadth::Context;
use cost::Spend;
pub use premium::{Premium, Routing};
pub use retries::Retries;
pub use steps::StepRow;
pub use tier::{Tier, TierRules};
pub use verdict::{Flag, OutcomeMetrics, Thresholds, Verdict};

/// Token counts as the JSON contract names them: `input` excludes cache reads and writes, `reasoning` is
/// a part of `output`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tokens {
    /// Fresh input.
    pub input: u64,
    /// Output, reasoning included.
    pub output: u64,
    /// Cache reads.
    pub cache_read: u64,
    /// Cache writes (5-minute and 1-hour).
    pub cache_write: u64,
    /// Reasoning, a part of output.
    pub reasoning: u64,
}

impl From<crate::model::Usage> for Tokens {
    fn from(u: crate::model::Usage) -> Tokens {
        Tokens {
            input: u.input,
            output: u.output,
            cache_read: u.cache_read,
            cache_write: u.cache_write(),
            reasoning: u.reasoning,
        }
    }
}

impl Tokens {
    /// Every billed token.
    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_read + self.cache_write
    }
}

/// The settings the per-session metrics need besides the session itself.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Prices.
    pub prices: PriceTable,
    /// Route tiers.
    pub tiers: TierRules,
    /// Economy models and the "short answer" limit.
    pub routing: Routing,
    /// Flag and verdict thresholds.
    pub thresholds: Thresholds,
    /// The time of the report (for "the review window is still open").
    pub now: Timestamp,
}

impl Settings {
    /// Default rules with the given prices, at `now`.
    pub fn new(prices: PriceTable, now: Timestamp) -> Settings {
        Settings {
            prices,
            tiers: TierRules::default(),
            routing: Routing::default(),
            thresholds: Thresholds::default(),
            now,
        }
    }
}

/// One session, summarised: the object behind a row of `sessions` and an entry of its JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionReport {
    /// The agent's own session id.
    pub id: String,
    /// Which agent.
    pub agent: Agent,
    /// Working directory.
    pub cwd: Option<PathBuf>,
    /// Git branch the agent logged.
    pub branch: Option<String>,
    /// First timestamp.
    pub started_at: Option<Timestamp>,
    /// Last timestamp.
    pub ended_at: Option<Timestamp>,
    /// Seconds between them.
    pub duration_s: Option<i64>,
    /// Models used, by name.
    pub models: Vec<String>,
    /// Billed responses.
    pub steps: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Tool calls whose result was an error.
    pub failed_tool_calls: u64,
    /// Summed tokens.
    pub tokens: Tokens,
    /// List-price cost, `null` when any step could not be priced.
    pub cost_usd: Option<f64>,
    /// Cost of the steps that could be priced.
    pub priced_usd: f64,
    /// Models the price table does not know (their steps are not priced).
    pub unpriced_models: Vec<String>,
    /// The price sets the steps were priced with (`claude-opus-4-6@2026-02-05`), each step by the set
    /// valid on its date.
    pub price_sets: Vec<String>,
    /// Each priced model id as logged → the id rule that resolved it (`exact`, or the rewrites done).
    pub price_rules: BTreeMap<String, String>,
    /// What the figures rest on beyond their sets (a date outside every window, an assumed tier
    /// multiplier, a cost that is a floor), each once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub price_notes: Vec<String>,
    /// Steps whose token counts the log does not carry.
    pub steps_without_tokens: u64,
    /// Context breadth.
    pub context: Context,
    /// Retries and churn.
    pub retries: Retries,
    /// Premium routes and routing savings.
    pub premium: Premium,
    /// Priced cost by route tier.
    pub cost_by_tier: BTreeMap<Tier, f64>,
    /// Lines skipped while reading the session's files.
    pub skipped_lines: u64,
    /// Skipped lines by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// The session's log files.
    pub files: Vec<PathBuf>,
    /// How the session was read (fallbacks, replayed history).
    pub notes: Vec<String>,
    /// Pull requests the session linked (Claude Code's `pr-link` records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pull_requests: Vec<crate::model::PullRequest>,
    /// The agent's own usage and cost (Claude Code's `cost-state`) beside this count; only present when
    /// the log holds one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_reported: Option<crate::model::AgentReportedComparison>,
    /// What became of its edits in git; `null` when not correlated (`--all`, or no repository).
    pub outcome: Option<Outcome>,
    /// Cost and tokens per accepted line, review burden.
    pub metrics: OutcomeMetrics,
    /// `leverage`, `theater` or `lead`.
    pub verdict: Verdict,
    /// Why, in plain sentences (the deciding reason first).
    pub reasons: Vec<String>,
    /// Rules that fired.
    pub flags: Vec<Flag>,
    /// One row per step (only in `session`'s JSON and table; empty in `sessions`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub step_rows: Vec<StepRow>,
}

impl SessionReport {
    /// Summarises a session and, when known, its git outcome. `with_steps` keeps the per-step rows.
    pub fn new(
        s: &Session,
        set: &Settings,
        outcome: Option<Outcome>,
        with_steps: bool,
    ) -> SessionReport {
        let mut spend = Spend::default();
        let mut models = BTreeSet::new();
        let (retries_counts, marks) =
            retries::analyze(s, outcome.as_ref().map(|o| o.self_removed_lines));
        let mut rows = Vec::with_capacity(s.steps.len());
        let mut price_sets = BTreeSet::new();
        let mut price_notes = BTreeSet::new();
        let mut price_rules = BTreeMap::new();
        for (i, step) in s.steps.iter().enumerate() {
            spend.add_step(step, &set.prices);
            if let Some(m) = &step.model {
                models.insert(m.clone());
            }
            let priced = cost::step_priced(step, &set.prices);
            if let Some(p) = &priced {
                price_sets.insert(p.price_set.clone());
                if let Some(m) = &step.model {
                    price_rules.insert(m.clone(), p.rule.clone());
                }
                price_notes.extend(cost::price_notes(p, step.service_tier));
            }
            rows.push(StepRow::new(
                i + 1,
                step,
                set.tiers.tier(step.model.as_deref(), step.service_tier),
                priced.as_ref(),
                marks[i],
                set.routing.simple_output_max,
            ));
        }
        let premium = premium::analyze(&s.steps, &mut rows, &set.prices, &set.routing);
        let mut retries = retries_counts;
        let retry_rows = rows.iter().filter(|r| r.error || r.retry);
        // `+ 0.0`: an empty float sum is -0.0, printed as such in JSON.
        retries.retry_cost_usd = retry_rows
            .map(|r| r.cost_usd)
            .sum::<Option<f64>>()
            .map(|c| c + 0.0);
        let context = breadth::context(s, &spend.tokens);
        let mut cost_by_tier: BTreeMap<Tier, f64> = BTreeMap::new();
        for r in &rows {
            *cost_by_tier.entry(r.tier).or_default() += r.cost_usd.unwrap_or(0.0);
        }
        let failed = s.tool_calls().filter(|c| c.is_error).count() as u64;
        let tokens: Tokens = spend.tokens.into();
        let cost_usd = spend.cost_usd();
        let unpriced_models: Vec<String> = spend.unpriced_models.into_iter().collect();
        let metrics = verdict::outcome_metrics(cost_usd, tokens.total(), outcome.as_ref());
        let days_since_end = s
            .ended_at
            .map(|e| (set.now.as_second() - e.as_second()) as f64 / 86_400.0);
        let (verdict, reasons, flags) = verdict::judge(
            &verdict::Evidence {
                cost: cost_usd,
                unpriced_models: &unpriced_models,
                outcome: outcome.as_ref(),
                metrics: &metrics,
                retries: &retries,
                context: &context,
                premium: &premium,
                days_since_end,
            },
            &set.thresholds,
        );
        SessionReport {
            id: s.id.clone(),
            agent: s.agent,
            cwd: s.cwd.clone(),
            branch: s.branch.clone(),
            started_at: s.started_at,
            ended_at: s.ended_at,
            duration_s: s
                .started_at
                .zip(s.ended_at)
                .map(|(a, b)| b.as_second() - a.as_second()),
            models: models.into_iter().collect(),
            steps: spend.steps,
            tool_calls: s.tool_calls().count() as u64,
            failed_tool_calls: failed,
            tokens,
            cost_usd,
            priced_usd: spend.priced_usd,
            unpriced_models,
            price_sets: price_sets.into_iter().collect(),
            price_rules,
            price_notes: price_notes.into_iter().collect(),
            steps_without_tokens: spend.steps_without_tokens,
            context,
            retries,
            premium,
            cost_by_tier,
            skipped_lines: s.skipped.total(),
            skipped: s.skipped.by_reason.clone(),
            files: s.files.clone(),
            notes: s.notes.clone(),
            pull_requests: s.pull_requests.clone(),
            agent_reported: s.agent_reported.as_ref().map(|r| r.compare(cost_usd)),
            outcome,
            metrics,
            verdict,
            reasons,
            flags,
            step_rows: if with_steps { rows } else { Vec::new() },
        }
    }
}

/// What was read to make a report: shown under every table and in every JSON document, so a skip is
/// never silent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadSummary {
    /// Log files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines skipped, all reasons.
    pub skipped_lines: u64,
    /// Skipped lines by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Files that could not be read, with the reason.
    pub unreadable_files: Vec<(PathBuf, String)>,
    /// Copies of responses not counted again (streaming snapshots, resumed sessions, subagent copies).
    pub duplicate_responses: u64,
    /// Files not read because another file holds the same session.
    pub duplicate_files: u64,
    /// Response ids found in two sessions with token counts that disagree: each session kept its own.
    pub conflicting_responses: u64,
}

impl ReadSummary {
    /// Summarises an ingest.
    pub fn of(ing: &crate::ingest::Ingested) -> ReadSummary {
        ReadSummary {
            files: ing.files,
            bytes: ing.bytes,
            lines: ing.lines,
            skipped_lines: ing.skipped.total(),
            skipped: ing.skipped.by_reason.clone(),
            unreadable_files: ing.unreadable.clone(),
            duplicate_responses: ing.duplicate_steps,
            duplicate_files: ing.duplicate_files.len() as u64,
            conflicting_responses: ing.conflicting_responses,
        }
    }
}

/// The totals line under the `sessions` table.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionsTotals {
    /// Sessions listed.
    pub sessions: u64,
    /// Their tokens (input, output, cache reads and writes).
    pub tokens: u64,
    /// The summed cost of the sessions whose cost is known (`None` when none is).
    pub cost_usd: Option<f64>,
    /// Sessions whose cost is unknown (an unpriced model), left out of `cost_usd`.
    pub unknown_cost: u64,
}

impl SessionsReport {
    /// The figures the `sessions` table ends with.
    pub fn totals(&self) -> SessionsTotals {
        let priced: Vec<f64> = self.sessions.iter().filter_map(|s| s.cost_usd).collect();
        SessionsTotals {
            sessions: self.sessions.len() as u64,
            tokens: self.sessions.iter().map(|s| s.tokens.total()).sum(),
            unknown_cost: (self.sessions.len() - priced.len()) as u64,
            cost_usd: (!priced.is_empty()).then(|| priced.iter().sum()),
        }
    }
}

/// The `sessions` report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionsReport {
    /// The repository whose sessions these are (`None` with `--all`).
    pub repo: Option<PathBuf>,
    /// The base branch lines are counted as merged into.
    pub base: Option<String>,
    /// What limits the git answer (shallow clone, no base branch…).
    pub git_notes: Vec<String>,
    /// Sessions, newest first.
    pub sessions: Vec<SessionReport>,
    /// What was read.
    pub read: ReadSummary,
    /// The zone the terminal report shows times in (`--tz`); JSON times stay RFC 3339 in UTC.
    #[serde(skip)]
    pub tz: jiff::tz::TimeZone,
}
