//! Token and cost totals grouped by day, week, month, session or model: the `usage` report.

use std::collections::{BTreeMap, BTreeSet};

use jiff::tz::TimeZone;
use serde::Serialize;

use super::Tokens;
use super::cost::Spend;
use crate::model::{Agent, Session};
use crate::pricing::PriceTable;
use crate::timespec::{Period, period_key};

/// What `usage` groups rows by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Calendar day.
    Day,
    /// ISO week.
    Week,
    /// Calendar month.
    Month,
    /// Session id.
    Session,
    /// Model id.
    Model,
}

/// One row of the usage report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageRow {
    /// The group: a date, week, month, session id or model.
    pub key: String,
    /// Agents seen in the group.
    pub agents: Vec<Agent>,
    /// Models seen in the group.
    pub models: Vec<String>,
    /// Billed responses.
    pub steps: u64,
    /// Summed tokens.
    pub tokens: Tokens,
    /// Cost, `null` when any step of the group could not be priced.
    pub cost_usd: Option<f64>,
    /// Cost of the steps that could be priced (equals `cost_usd` when every step was).
    pub priced_usd: f64,
    /// Models not in the price table.
    pub unpriced_models: Vec<String>,
}

/// The grand total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageTotal {
    /// Billed responses.
    pub steps: u64,
    /// Summed tokens.
    pub tokens: Tokens,
    /// Cost, `null` when any step could not be priced.
    pub cost_usd: Option<f64>,
    /// Cost of the steps that could be priced.
    pub priced_usd: f64,
    /// Models not in the price table.
    pub unpriced_models: Vec<String>,
}

/// Rows and total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageReport {
    /// The grouping.
    pub by: GroupBy,
    /// Rows in key order.
    pub rows: Vec<UsageRow>,
    /// All rows together.
    pub total: UsageTotal,
}

#[derive(Default)]
struct Acc {
    agents: BTreeSet<Agent>,
    models: BTreeSet<String>,
    spend: Spend,
}

/// Groups every step of `sessions` (already filtered by time) by `by`.
pub fn usage_report(
    sessions: &[Session],
    by: GroupBy,
    tz: &TimeZone,
    prices: &PriceTable,
    keep: &dyn Fn(&crate::model::Step) -> bool,
) -> UsageReport {
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    for s in sessions {
        for step in s.steps.iter().filter(|st| keep(st)) {
            let key = match by {
                GroupBy::Day => period_key(step.at, Period::Day, tz),
                GroupBy::Week => period_key(step.at, Period::Week, tz),
                GroupBy::Month => period_key(step.at, Period::Month, tz),
                GroupBy::Session => s.id.clone(),
                GroupBy::Model => step.model.clone().unwrap_or_else(|| "(none)".into()),
            };
            let acc = groups.entry(key).or_default();
            acc.agents.insert(s.agent);
            if let Some(m) = &step.model {
                acc.models.insert(m.clone());
            }
            acc.spend.add_step(step, prices);
        }
    }
    let mut total = Spend::default();
    let rows = groups
        .into_iter()
        .map(|(key, acc)| {
            total.merge(&acc.spend);
            UsageRow {
                key,
                agents: acc.agents.into_iter().collect(),
                models: acc.models.into_iter().collect(),
                steps: acc.spend.steps,
                tokens: acc.spend.tokens.into(),
                cost_usd: acc.spend.cost_usd(),
                priced_usd: acc.spend.priced_usd,
                unpriced_models: acc.spend.unpriced_models.into_iter().collect(),
            }
        })
        .collect();
    UsageReport {
        by,
        rows,
        total: UsageTotal {
            steps: total.steps,
            tokens: total.tokens.into(),
            cost_usd: total.cost_usd(),
            priced_usd: total.priced_usd,
            unpriced_models: total.unpriced_models.into_iter().collect(),
        },
    }
}
