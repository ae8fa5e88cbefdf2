//! Premium usage and routing savings: how much ran on premium routes, and what the simple premium steps
//! (only reading, listing or searching, short answer) would have cost on the same provider's economy
//! model — priced with the same token counts, at the standard tier.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::steps::StepRow;
use super::tier::Tier;
use crate::model::{ServiceTier, Step};
use crate::pricing::PriceTable;

/// `[routing]` in `.agent-audit.toml`: the economy model of each provider, and what a short answer is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Routing {
    /// Provider → economy model id (must be in the price table).
    pub economy: BTreeMap<String, String>,
    /// A step whose output is at most this many tokens gives a short answer.
    pub simple_output_max: u64,
}

impl Default for Routing {
    fn default() -> Routing {
        Routing {
            economy: BTreeMap::from([
                ("anthropic".into(), "claude-haiku-4-5-20251001".into()),
                ("openai".into(), "gpt-5-mini".into()),
                ("google".into(), "gemini-2.5-flash".into()),
            ]),
            simple_output_max: 500,
        }
    }
}

/// Premium usage of one session (the JSON `premium` object).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Premium {
    /// Steps on a premium route.
    pub steps: u64,
    /// Their cost (priced steps only).
    pub cost_usd: f64,
    /// Share of all steps.
    pub share_of_steps: Option<f64>,
    /// Share of the priced cost.
    pub share_of_cost: Option<f64>,
    /// Premium steps that only read, listed or searched, with a short answer.
    pub simple_steps: u64,
    /// What those steps cost minus what they would have cost on the economy model.
    pub savings_usd: f64,
}

/// Fills the economy figures of simple premium rows and sums the premium usage.
pub fn analyze(
    steps: &[Step],
    rows: &mut [StepRow],
    prices: &PriceTable,
    routing: &Routing,
) -> Premium {
    let mut p = Premium::default();
    let mut total_cost = 0.0;
    for (step, row) in steps.iter().zip(rows.iter_mut()) {
        total_cost += row.cost_usd.unwrap_or(0.0);
        if row.tier != Tier::Premium {
            continue;
        }
        p.steps += 1;
        p.cost_usd += row.cost_usd.unwrap_or(0.0);
        if !row.simple {
            continue;
        }
        p.simple_steps += 1;
        let (Some(model), Some(usage), Some(cost)) = (&step.model, step.usage, row.cost_usd) else {
            continue;
        };
        let Some((_, price, _)) = prices.resolve(model) else {
            continue;
        };
        let Some(economy) = routing.economy.get(&price.provider) else {
            continue;
        };
        if let Some(alt) = prices.cost(economy, &usage, ServiceTier::Standard, step.at) {
            row.economy_model = Some(economy.clone());
            row.economy_cost_usd = Some(alt.usd);
            p.savings_usd += (cost - alt.usd).max(0.0);
        }
    }
    if !steps.is_empty() {
        p.share_of_steps = Some(p.steps as f64 / steps.len() as f64);
    }
    if total_cost > 0.0 {
        p.share_of_cost = Some(p.cost_usd / total_cost);
    }
    p
}
