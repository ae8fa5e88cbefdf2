//! Token counts → list-price cost, step by step, with the table entry each figure came from.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Step, Usage};
use crate::pricing::{PriceTable, Priced};

/// The summed tokens and cost of a set of steps, and what could not be priced.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Spend {
    /// Summed token counts of the steps that carry them.
    pub tokens: Usage,
    /// Steps whose token counts are unknown (the log carries none).
    pub steps_without_tokens: u64,
    /// Cost of the priced steps, USD.
    pub priced_usd: f64,
    /// Steps that could not be priced (unknown model, or unknown tokens).
    pub unpriced_steps: u64,
    /// Models not in the price table (never priced as a sibling).
    pub unpriced_models: BTreeSet<String>,
    /// Steps in total.
    pub steps: u64,
}

impl Spend {
    /// Adds one step.
    pub fn add_step(&mut self, step: &Step, prices: &PriceTable) {
        self.steps += 1;
        let Some(usage) = step.usage else {
            self.steps_without_tokens += 1;
            self.unpriced_steps += 1;
            return;
        };
        self.tokens += usage;
        match step_cost(step, prices) {
            Some(usd) => self.priced_usd += usd,
            None => {
                self.unpriced_steps += 1;
                self.unpriced_models
                    .insert(step.model.clone().unwrap_or_else(|| "(none)".into()));
            }
        }
    }

    /// Adds another spend.
    pub fn merge(&mut self, o: &Spend) {
        self.tokens += o.tokens;
        self.steps_without_tokens += o.steps_without_tokens;
        self.priced_usd += o.priced_usd;
        self.unpriced_steps += o.unpriced_steps;
        self.unpriced_models
            .extend(o.unpriced_models.iter().cloned());
        self.steps += o.steps;
    }

    /// The cost, or `None` when any step could not be priced: a partial sum is not the cost.
    pub fn cost_usd(&self) -> Option<f64> {
        (self.unpriced_steps == 0).then_some(self.priced_usd)
    }
}

/// The list-price cost of one step, `None` when its model or tokens are unknown.
pub fn step_cost(step: &Step, prices: &PriceTable) -> Option<f64> {
    step_priced(step, prices).map(|p| p.usd)
}

/// The priced step with the price set, id rule and flags that produced the figure; `None` when its model
/// or tokens are unknown. The set is the one valid on the step's UTC date.
pub fn step_priced(step: &Step, prices: &PriceTable) -> Option<Priced> {
    let usage = step.usage?;
    let model = step.model.as_deref()?;
    prices.cost(model, &usage, step.service_tier, step.at)
}

/// What a priced step's figure rests on beyond its set, in sentences (empty when nothing): a date outside
/// every window, a tier the set has no multiplier for, cache writes billed but not logged.
pub fn price_notes(p: &Priced, tier: crate::model::ServiceTier) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(n) = &p.outside_window {
        notes.push(n.clone());
    }
    if p.multiplier_assumed {
        notes.push(format!(
            "served at the {} tier, which {} has no multiplier for (not offered then, or not known): \
             priced at the standard rate",
            match tier {
                crate::model::ServiceTier::Standard => "fast",
                crate::model::ServiceTier::Fast => "fast",
                crate::model::ServiceTier::Priority => "priority",
                crate::model::ServiceTier::Flex => "flex",
            },
            p.price_set
        ));
    }
    if p.cost_floor {
        notes.push(format!(
            "{} bills cache writes the log does not record: the cost is a floor",
            p.price_set
        ));
    }
    notes
}
