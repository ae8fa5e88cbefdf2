//! Outcome metrics, flags and the verdict: **leverage** (accepted work at a reasonable cost), **theater**
//! (visible usage, no accepted result, or a result too small for its cost) or **lead** (not enough
//! evidence yet). Every rule is here, with its threshold; thresholds live in `[thresholds]` of
//! `.agent-audit.toml`.

use serde::{Deserialize, Serialize};

use super::breadth::Context;
use super::premium::Premium;
use super::retries::Retries;
use crate::git::Outcome;

/// `[thresholds]`: the numbers the flags and the verdict compare against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// `cost-outweighs-diff` above this cost per merged line (USD).
    pub max_cost_per_merged_line: f64,
    /// `retry-loop` when edit re-attempts plus command re-runs reach this many…
    pub retry_loop_min_retries: u64,
    /// …or when the steps with failures and retries cost at least this share of the session.
    pub retry_loop_min_cost_share: f64,
    /// `broad-context` when at least this many files were read…
    pub broad_context_min_files: u64,
    /// …and at least this many files were read per file edited (or nothing was edited).
    pub broad_context_min_read_to_edited: f64,
    /// `premium-on-simple-steps` when at least this many premium steps only read, listed or searched…
    pub premium_simple_min_steps: u64,
    /// …and moving them to the economy model would save at least this much (USD).
    pub premium_simple_min_savings_usd: f64,
    /// A session that ended less than this many days ago with nothing merged is `lead`: its
    /// branch may still be under review.
    pub open_window_days: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            max_cost_per_merged_line: 0.50,
            retry_loop_min_retries: 3,
            retry_loop_min_cost_share: 0.25,
            broad_context_min_files: 25,
            broad_context_min_read_to_edited: 10.0,
            premium_simple_min_steps: 3,
            premium_simple_min_savings_usd: 0.05,
            open_window_days: 2.0,
        }
    }
}

/// The judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Verdict {
    /// Accepted work (merged lines) at a cost per line within the threshold.
    Leverage,
    /// Visible usage without an accepted result, or an accepted result too small for its cost.
    Theater,
    /// Not enough evidence: no edits, no git outcome, unknown cost, or the review window still open.
    Lead,
}

impl Verdict {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Leverage => "leverage",
            Verdict::Theater => "theater",
            Verdict::Lead => "lead",
        }
    }
}

/// What a flag says, as a stable code: the same codes name the flags in every report and the `--fail-on`
/// rules that test for them, so a rule can only name a flag that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagCode {
    /// Nothing the session wrote was accepted (merged, or kept on a branch under review).
    NoAcceptedOutput,
    /// Its cost per accepted line is above the threshold.
    CostOutweighsDiff,
    /// Failed calls and re-attempts above the threshold.
    RetryLoop,
    /// Read far more than it edited.
    BroadContext,
    /// Premium-model steps that only read, listed or searched.
    PremiumOnSimpleSteps,
    /// A model without a price: the cost is a lower bound.
    UnknownPrice,
}

impl FlagCode {
    /// Every code, in the order reports list them.
    pub const ALL: [FlagCode; 6] = [
        FlagCode::NoAcceptedOutput,
        FlagCode::CostOutweighsDiff,
        FlagCode::RetryLoop,
        FlagCode::BroadContext,
        FlagCode::PremiumOnSimpleSteps,
        FlagCode::UnknownPrice,
    ];

    /// The code as written in JSON, tables and `--fail-on`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagCode::NoAcceptedOutput => "no-accepted-output",
            FlagCode::CostOutweighsDiff => "cost-outweighs-diff",
            FlagCode::RetryLoop => "retry-loop",
            FlagCode::BroadContext => "broad-context",
            FlagCode::PremiumOnSimpleSteps => "premium-on-simple-steps",
            FlagCode::UnknownPrice => "unknown-price",
        }
    }

    /// The code named `s`, if there is one.
    pub fn named(s: &str) -> Option<FlagCode> {
        FlagCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for FlagCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One flag: a rule that fired, with the measured value and the threshold it crossed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// Its stable code (`no-accepted-output`, `retry-loop`…).
    pub code: FlagCode,
    /// Plain words.
    pub message: String,
    /// The measured value.
    pub value: Option<f64>,
    /// The threshold.
    pub threshold: Option<f64>,
}

/// Outcome metrics (the JSON `metrics` object).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutcomeMetrics {
    /// Cost / merged lines.
    pub cost_per_merged_line: Option<f64>,
    /// Cost / lines still in HEAD.
    pub cost_per_head_line: Option<f64>,
    /// Tokens / merged lines.
    pub tokens_per_merged_line: Option<f64>,
    /// Merged lines per dollar.
    pub lines_per_dollar: Option<f64>,
    /// What a reviewer had to read: merged agent lines + files holding them + lines the session churned
    /// (added then removed or rewrote itself) before merge.
    pub review_burden: Option<u64>,
}

/// Computes the outcome metrics.
pub fn outcome_metrics(
    cost: Option<f64>,
    tokens: u64,
    outcome: Option<&Outcome>,
) -> OutcomeMetrics {
    let Some(o) = outcome else {
        return OutcomeMetrics::default();
    };
    let per = |n: u64| cost.filter(|_| n > 0).map(|c| c / n as f64);
    // Lines of shell-edited files merged through the session's own commit are accepted output too.
    let merged = o.lines_merged + o.lines_via_anchor_merged;
    OutcomeMetrics {
        cost_per_merged_line: per(merged),
        cost_per_head_line: per(o.lines_in_head),
        tokens_per_merged_line: (merged > 0).then(|| tokens as f64 / merged as f64),
        lines_per_dollar: cost.filter(|c| *c > 0.0).map(|c| merged as f64 / c),
        review_burden: Some(
            merged
                + o.files.iter().filter(|f| f.lines_merged > 0).count() as u64
                + o.self_removed_lines,
        ),
    }
}

/// Lines that reached the base branch: content matches, or shell-edited lines of the session's own
/// commits.
fn accepted(o: &Outcome) -> bool {
    o.merged || o.lines_via_anchor_merged > 0
}

/// Everything the verdict reads.
pub struct Evidence<'a> {
    /// Session cost, `None` when unknown.
    pub cost: Option<f64>,
    /// Models without a price.
    pub unpriced_models: &'a [String],
    /// The git outcome, when correlated.
    pub outcome: Option<&'a Outcome>,
    /// Outcome metrics.
    pub metrics: &'a OutcomeMetrics,
    /// Retries.
    pub retries: &'a Retries,
    /// Breadth.
    pub context: &'a Context,
    /// Premium usage.
    pub premium: &'a Premium,
    /// Days since the session ended.
    pub days_since_end: Option<f64>,
}

/// Flags, then the verdict with its reasons (plain sentences, first the deciding one).
pub fn judge(e: &Evidence<'_>, t: &Thresholds) -> (Verdict, Vec<String>, Vec<Flag>) {
    let mut flags = Vec::new();
    if !e.unpriced_models.is_empty() {
        flags.push(Flag {
            code: FlagCode::UnknownPrice,
            message: format!(
                "no list price for {}: the cost is unknown, not zero",
                e.unpriced_models.join(", ")
            ),
            value: None,
            threshold: None,
        });
    }
    let retries = e.retries.edit_retries + e.retries.command_reruns;
    let retry_share = match (e.retries.retry_cost_usd, e.cost) {
        (Some(r), Some(c)) if c > 0.0 => Some(r / c),
        _ => None,
    };
    if retries >= t.retry_loop_min_retries {
        flags.push(Flag {
            code: FlagCode::RetryLoop,
            message: format!(
                "{retries} re-attempts after failures ({} failed edits, {} re-run commands)",
                e.retries.failed_edits, e.retries.command_reruns
            ),
            value: Some(retries as f64),
            threshold: Some(t.retry_loop_min_retries as f64),
        });
    } else if let Some(share) = retry_share
        && share >= t.retry_loop_min_cost_share
        && e.retries.retry_steps > 1
    {
        flags.push(Flag {
            code: FlagCode::RetryLoop,
            message: format!(
                "{:.0}% of the cost went to steps that failed or retried",
                share * 100.0
            ),
            value: Some(share),
            threshold: Some(t.retry_loop_min_cost_share),
        });
    }
    let c = e.context;
    let broad_ratio = c.read_to_edited.unwrap_or(f64::INFINITY);
    if c.files_read >= t.broad_context_min_files
        && broad_ratio >= t.broad_context_min_read_to_edited
    {
        flags.push(Flag {
            code: FlagCode::BroadContext,
            message: format!(
                "read {} files to edit {} ({} bytes of tool output in context)",
                c.files_read, c.files_edited, c.bytes_read
            ),
            value: Some(c.files_read as f64),
            threshold: Some(t.broad_context_min_files as f64),
        });
    }
    let p = e.premium;
    if p.simple_steps >= t.premium_simple_min_steps
        && p.savings_usd >= t.premium_simple_min_savings_usd
    {
        flags.push(Flag {
            code: FlagCode::PremiumOnSimpleSteps,
            message: format!(
                "{} premium steps only read, listed or searched; the economy model would have saved ${:.2}",
                p.simple_steps, p.savings_usd
            ),
            value: Some(p.savings_usd),
            threshold: Some(t.premium_simple_min_savings_usd),
        });
    }

    let mut reasons = Vec::new();
    let verdict = match e.outcome {
        None => {
            reasons.push("no git outcome: run inside the repository the session worked in".into());
            Verdict::Lead
        }
        Some(o) if o.lines_added == 0 && o.lines_via_anchor == 0 => {
            reasons.push("the session made no edits: nothing to accept or reject".into());
            Verdict::Lead
        }
        Some(o) if !accepted(o) && e.days_since_end.is_some_and(|d| d < t.open_window_days) => {
            reasons.push(format!(
                "{} lines added, none merged yet, and the session ended less than {} days ago",
                o.lines_added, t.open_window_days
            ));
            Verdict::Lead
        }
        Some(o) if !accepted(o) => {
            flags.insert(
                0,
                Flag {
                    code: FlagCode::NoAcceptedOutput,
                    message: format!(
                        "{} lines added, {} committed, none reached the base branch",
                        o.lines_added, o.lines_committed
                    ),
                    value: Some(0.0),
                    threshold: Some(1.0),
                },
            );
            reasons.push(format!(
                "no accepted output: {} lines added, none merged",
                o.lines_added
            ));
            Verdict::Theater
        }
        Some(o) => match (e.cost, e.metrics.cost_per_merged_line) {
            (None, _) | (_, None) => {
                reasons.push(format!(
                    "{} lines merged, but the cost is unknown, so cost per line cannot be judged",
                    o.lines_merged
                ));
                Verdict::Lead
            }
            (Some(_), Some(per_line)) if per_line > t.max_cost_per_merged_line => {
                flags.insert(
                    0,
                    Flag {
                        code: FlagCode::CostOutweighsDiff,
                        message: format!(
                            "${per_line:.2} per merged line ({} lines) is above ${:.2}",
                            o.lines_merged, t.max_cost_per_merged_line
                        ),
                        value: Some(per_line),
                        threshold: Some(t.max_cost_per_merged_line),
                    },
                );
                reasons.push(format!(
                    "the accepted diff ({} lines) is too small for its cost (${per_line:.2} per line)",
                    o.lines_merged
                ));
                Verdict::Theater
            }
            (Some(_), Some(per_line)) => {
                reasons.push(format!(
                    "{} lines merged ({} still in HEAD) at ${per_line:.3} per line",
                    o.lines_merged + o.lines_via_anchor_merged,
                    o.lines_in_head
                ));
                Verdict::Leverage
            }
        },
    };
    if let Some(o) = e.outcome
        && o.lines_via_anchor > 0
    {
        reasons.push(format!(
            "{} lines of files it changed through the shell are credited via its own commit ({} merged): \
             its commit is the evidence, not a content match",
            o.lines_via_anchor, o.lines_via_anchor_merged
        ));
    }
    for f in &flags {
        if !matches!(
            f.code,
            FlagCode::NoAcceptedOutput | FlagCode::CostOutweighsDiff
        ) {
            reasons.push(f.message.clone());
        }
    }
    (verdict, reasons, flags)
}
