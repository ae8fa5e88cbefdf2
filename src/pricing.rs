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
    /// Cache read.
    pub cache_read: f64,
    /// 5m write.
    pub cache_write_5m: f64,
    /// 1h write.
    pub cache_write_1h: f64,
    /// Long context.
    pub long_context: Option<LongContext>,
    /// Source.
    pub source: String,
    /// Date.
    pub as_of: String,
}

/// Long-context rates (stub).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongContext {
    /// Threshold.
    pub threshold: u64,
    /// Input.
    pub input: f64,
    /// Output.
    pub output: f64,
}

/// A partial price entry from a config file (stub until the pricing module lands).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    /// Fresh input.
    pub input: Option<f64>,
    /// Output.
    pub output: Option<f64>,
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

    /// Applies overrides (stub).
    pub fn apply_overrides(
        &mut self,
        _o: &BTreeMap<String, PriceOverride>,
        _origin: &str,
    ) -> crate::error::Result<()> {
        Ok(())
    }

    /// Reads an overrides file (stub).
    pub fn parse_overrides_file(
        _p: &std::path::Path,
    ) -> crate::error::Result<BTreeMap<String, PriceOverride>> {
        Ok(BTreeMap::new())
    }

    /// Entries (stub).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Prices one response; `None` when the model is unknown.
    pub fn cost(&self, model: &str, _usage: &Usage, _tier: ServiceTier) -> Option<Priced> {
        let _ = self.entries.get(model);
        None
    }
}
