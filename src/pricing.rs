//! Embedded list prices (stub: being written by the pricing work).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{ServiceTier, Usage};

/// List price of one model, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPrice {
    /// Fresh input.
    pub input: f64,
    /// Output.
    pub output: f64,
}

/// How a model id was matched to a table entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Match {
    /// The id is a key of the table.
    Exact,
}

/// A priced usage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priced {
    /// Cost in USD.
    pub usd: f64,
    /// The table key used.
    pub key: String,
    /// How it matched.
    pub matched: Match,
}

/// The price table.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    entries: BTreeMap<String, ModelPrice>,
}

impl PriceTable {
    /// The table compiled into the binary.
    pub fn embedded() -> PriceTable {
        PriceTable::default()
    }

    /// Prices one response; `None` when the model is unknown.
    pub fn cost(&self, model: &str, _usage: &Usage, _tier: ServiceTier) -> Option<Priced> {
        let _ = self.entries.get(model);
        None
    }
}
