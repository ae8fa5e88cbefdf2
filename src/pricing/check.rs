//! `prices --check FILE`: the embedded table against a price list the user downloaded, offline.
//!
//! Two public formats are read. LiteLLM's `model_prices_and_context_window.json` is one object keyed by
//! model id, prices in USD per token (`input_cost_per_token`, `output_cost_per_token`,
//! `cache_read_input_token_cost`, `cache_creation_input_token_cost`) and the serving provider in
//! `litellm_provider`. pydantic's genai-prices `data.json` / `data_slim.json` is an array of providers, each
//! with `models`, whose `prices` are USD per million tokens (`input_mtok` …), either one object or a list of
//! `{constraint: {start_date}, prices}` in date order; a price may be `{base, tiers}` (the base is compared).
//!
//! Only the first-party entries are compared (LiteLLM providers `anthropic`, `openai`, `gemini`; genai-prices
//! providers `anthropic`, `openai`, `google`), each matched to the table by the same id rules as a logged id,
//! against the set valid on the check's date. A Bedrock, Vertex or Azure row is a different price list, and a
//! gateway `-fast` row the fast tier's price: neither is compared.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::PriceTable;

/// Which public format a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Foreign {
    /// LiteLLM's `model_prices_and_context_window.json`.
    Litellm,
    /// pydantic's genai-prices data file.
    GenaiPrices,
}

/// One model's prices in a foreign file, USD per million tokens.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ForeignPrice {
    /// Fresh input.
    pub input: Option<f64>,
    /// Output.
    pub output: Option<f64>,
    /// Cache read.
    pub cache_read: Option<f64>,
    /// Cache write (compared with the 5-minute write).
    pub cache_write: Option<f64>,
}

/// One field on which the table and the file disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The id in the foreign file.
    pub foreign_id: String,
    /// The table's price set it was compared with.
    pub price_set: String,
    /// `input`, `output`, `cache_read` or `cache_write_5m`.
    pub field: &'static str,
    /// The table's value.
    pub ours: f64,
    /// The file's value.
    pub theirs: f64,
}

/// A model the user's logs use that the table lacks, and what the file says of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    /// The id as logged.
    pub model: String,
    /// The file's prices for the same id, if it has them (not used: shown so the user can add an override).
    pub in_file: Option<ForeignPrice>,
}

/// What `prices --check` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// The file's format.
    pub format: Foreign,
    /// The date whose sets were compared.
    pub date: String,
    /// First-party rows of the file that matched a table entry.
    pub compared: usize,
    /// Every field that differs.
    pub differences: Vec<Difference>,
    /// Models the logs use that the table lacks.
    pub missing: Vec<Missing>,
}

/// Parses a foreign file: its format and its first-party rows (id → prices valid on `date`).
pub fn parse_foreign(
    doc: &Value,
    date: &str,
) -> std::result::Result<(Foreign, BTreeMap<String, ForeignPrice>), String> {
    match doc {
        Value::Object(map) => {
            let mut out = BTreeMap::new();
            for (id, row) in map {
                let provider = row.get("litellm_provider").and_then(Value::as_str);
                if !matches!(provider, Some("anthropic" | "openai" | "gemini")) {
                    continue;
                }
                let per_token = |k: &str| row.get(k).and_then(Value::as_f64).map(|v| round(v * 1e6));
                out.insert(
                    id.clone(),
                    ForeignPrice {
                        input: per_token("input_cost_per_token"),
                        output: per_token("output_cost_per_token"),
                        cache_read: per_token("cache_read_input_token_cost"),
                        cache_write: per_token("cache_creation_input_token_cost"),
                    },
                );
            }
            Ok((Foreign::Litellm, out))
        }
        Value::Array(providers) => Ok((Foreign::GenaiPrices, BTreeMap::new()))
            .map(|(f, mut out)| {
                for p in providers {
                    let pid = p.get("id").and_then(Value::as_str);
                    if !matches!(pid, Some("anthropic" | "openai" | "google")) {
                        continue;
                    }
                    let models = p.get("models").and_then(Value::as_array);
                    for m in models.into_iter().flatten() {
                        if let Some(id) = m.get("id").and_then(Value::as_str) {
                            out.insert(id.to_owned(), genai_prices(m.get("prices"), date));
                        }
                    }
                }
                (f, out)
            }),
        _ => Err("neither LiteLLM's model_prices_and_context_window.json (an object) nor a genai-prices data file (an array of providers)".into()),
    }
}

/// The genai-prices set valid on `date` (the last whose `constraint.start_date` is not after it; the list
/// is in date order), base prices only.
fn genai_prices(prices: Option<&Value>, date: &str) -> ForeignPrice {
    let set = match prices {
        Some(Value::Array(list)) => list
            .iter()
            .rfind(|s| {
                let start = s.pointer("/constraint/start_date").and_then(Value::as_str);
                start.is_none_or(|d| d.get(..10).unwrap_or(d) <= date)
            })
            .and_then(|s| s.get("prices")),
        other => other,
    };
    let field = |k: &str| {
        let v = set?.get(k)?;
        v.as_f64().or_else(|| v.get("base")?.as_f64()).map(round)
    };
    ForeignPrice {
        input: field("input_mtok"),
        output: field("output_mtok"),
        cache_read: field("cache_read_mtok"),
        cache_write: field("cache_write_mtok"),
    }
}

/// Rounds away the float noise of per-token prices × 1e6 (prices are never finer than 1e-6 USD / MTok).
fn round(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Compares `table` on `date` with a parsed foreign file, and lists the `used` models the table lacks.
pub fn compare(
    table: &PriceTable,
    date: &str,
    format: Foreign,
    rows: &BTreeMap<String, ForeignPrice>,
    used: &[String],
) -> CheckReport {
    let mut compared = 0;
    let mut differences = Vec::new();
    for (id, theirs) in rows {
        // A gateway's `-fast` row is the fast tier's price, not the set's: not comparable field by field.
        let Some((key, set, _, _)) = table.resolve_at(id, date).filter(|(_, _, r, _)| !r.fast)
        else {
            continue;
        };
        compared += 1;
        let fields = [
            ("input", set.input, theirs.input),
            ("output", set.output, theirs.output),
            ("cache_read", set.cache_read, theirs.cache_read),
            ("cache_write_5m", set.cache_write_5m, theirs.cache_write),
        ];
        for (field, ours, theirs) in fields {
            if let Some(theirs) = theirs
                && (ours - theirs).abs() > 1e-9
            {
                differences.push(Difference {
                    foreign_id: id.clone(),
                    price_set: set.set_name(key),
                    field,
                    ours,
                    theirs,
                });
            }
        }
    }
    let missing = used
        .iter()
        .filter(|m| table.resolve_id(m).is_none())
        .map(|m| Missing {
            model: m.clone(),
            in_file: rows.get(m.as_str()).cloned(),
        })
        .collect();
    CheckReport {
        format,
        date: date.to_owned(),
        compared,
        differences,
        missing,
    }
}
