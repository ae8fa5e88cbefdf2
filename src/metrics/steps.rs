//! One row per step (one model response): what it cost, on which route, what its tools pulled in, and
//! the route decision: a premium step that only read, listed or searched with a short answer is marked
//! with what the same step would have cost on the provider's economy model.

use jiff::Timestamp;
use serde::Serialize;

use super::Tokens;
use super::retries::StepMarks;
use super::tier::Tier;
use crate::model::{Step, ToolKind};
use crate::pricing::Priced;

/// One tool call, as a step row shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRow {
    /// Kind of work.
    pub kind: ToolKind,
    /// Tool name.
    pub name: String,
    /// Paths named.
    pub paths: Vec<String>,
    /// Bytes the result added to the context.
    pub output_bytes: u64,
    /// The call failed.
    pub is_error: bool,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRow {
    /// 1-based position in the session.
    pub index: usize,
    /// When.
    pub at: Timestamp,
    /// Model id.
    pub model: Option<String>,
    /// Route tier.
    pub tier: Tier,
    /// Tokens (`null` when the log has none).
    pub tokens: Option<Tokens>,
    /// List-price cost (`null` when unknown).
    pub cost_usd: Option<f64>,
    /// The price set the cost came from (`claude-opus-4-6@2026-02-05`), `null` when unpriced.
    pub price_set: Option<String>,
    /// The id rule that resolved the model (`exact`, or the rewrites done), `null` when unpriced.
    pub price_rule: Option<String>,
    /// What the figure rests on beyond its set: a date outside every window, an assumed tier multiplier,
    /// a cost that is a floor.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub price_notes: Vec<String>,
    /// Tool calls.
    pub calls: Vec<CallRow>,
    /// Bytes the step's tool results added to the context.
    pub bytes_in: u64,
    /// A call failed.
    pub error: bool,
    /// A call re-attempted a failed edit or re-ran a failed command.
    pub retry: bool,
    /// Only reads, lists or searches (or no tool at all), and a short answer.
    pub simple: bool,
    /// For a simple premium step: the economy model it could have run on.
    pub economy_model: Option<String>,
    /// For a simple premium step: its cost on that model.
    pub economy_cost_usd: Option<f64>,
}

impl StepRow {
    /// Builds a row; `simple_output_max` is the output-token limit of a "short answer".
    pub fn new(
        index: usize,
        step: &Step,
        tier: Tier,
        priced: Option<&Priced>,
        marks: StepMarks,
        simple_output_max: u64,
    ) -> StepRow {
        let only_reading = step
            .tool_calls
            .iter()
            .all(|c| matches!(c.kind, ToolKind::Read | ToolKind::Search | ToolKind::List));
        let short = step.usage.is_some_and(|u| u.output <= simple_output_max);
        StepRow {
            index,
            at: step.at,
            model: step.model.clone(),
            tier,
            tokens: step.usage.map(Tokens::from),
            cost_usd: priced.map(|p| p.usd),
            price_set: priced.map(|p| p.price_set.clone()),
            price_rule: priced.map(|p| p.rule.clone()),
            price_notes: priced
                .map(|p| super::cost::price_notes(p, step.service_tier))
                .unwrap_or_default(),
            calls: step
                .tool_calls
                .iter()
                .map(|c| CallRow {
                    kind: c.kind,
                    name: c.name.clone(),
                    paths: c.paths.clone(),
                    output_bytes: c.output_bytes,
                    is_error: c.is_error,
                })
                .collect(),
            bytes_in: step.tool_calls.iter().map(|c| c.output_bytes).sum(),
            error: marks.error,
            retry: marks.retry,
            simple: only_reading && short,
            economy_model: None,
            economy_cost_usd: None,
        }
    }
}
