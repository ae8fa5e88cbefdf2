//! List prices as they were on the day, and the cost of a response at those prices.
//!
//! # The table is a history
//!
//! The built-in table is `src/prices.toml`, compiled into the binary: agent-audit never fetches prices. Each
//! model has one or more dated **price sets**. A set is valid from `from` (inclusive) to `to` (exclusive),
//! both UTC dates; a set without `from` has no recorded start and covers every earlier date, a set without
//! `to` is still current (a `to` left out before the next set is that set's `from`). Any change of a rule —
//! a price, a long-context tier, a fast/priority/flex multiplier, a cache rule — starts a new set, so one set
//! is always one consistent price list. Every set names its `source` (the provider's page first; a public
//! price list only where the provider gives no figure, and then its note says so) and `checked`, the date the
//! numbers were read there. A model whose price could not be confirmed is left out: it is reported as unknown
//! rather than guessed ([`table`] parses and checks the file).
//!
//! Every step is priced with the set valid at its timestamp's UTC date. A step dated outside every window of
//! a known model is priced with the nearest set and flagged ([`Priced::outside_window`]): never silently.
//! The set is named `key@from` ([`Priced::price_set`], `claude-opus-4-6@2026-02-05`; `key@undated` for a set
//! with no recorded start).
//!
//! Prices are USD per million tokens: `input` (fresh input), `output` (reasoning included), `cache_read`,
//! `cache_write_5m` and `cache_write_1h`. A `long_context` tier bills the *whole* request at its rates when
//! the prompt — fresh input plus cache reads and writes, [`Usage::prompt`] — is above its threshold
//! (Anthropic's 200K before the 1M window went GA, Claude Haiku 5.5's 100K, Gemini's 200K, OpenAI's 272K). A
//! tier multiplier then scales the whole cost: Anthropic fast mode, OpenAI priority and flex processing. When
//! a set has no multiplier for the tier a response was served at (fast mode not offered on that date, say),
//! the standard price is used and [`Priced::multiplier_assumed`] says so. A set with `cache_writes_unlogged`
//! bills cache writes above the input price while the agents that use the model do not log them (Codex on the
//! newer OpenAI models): a step of it that logs no write is a floor, [`Priced::cost_floor`].
//!
//! # Overrides and ids
//!
//! [`overrides`] changes the table from `.agent-audit.toml` or `--prices FILE`, flat or dated. [`resolve`]
//! matches a logged model id against the table by documented rules, each named in [`Priced::rule`]; an
//! unknown model is never priced as a sibling. [`check`] compares the table with a downloaded LiteLLM or
//! genai-prices file.

pub mod check;
pub mod overrides;
pub mod resolve;
pub mod table;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{ServiceTier, Usage};

pub use overrides::{LongContextOverride, PriceOverride, SetOverride};
pub use resolve::Match;

/// The built-in table's text.
const EMBEDDED_TOML: &str = include_str!("../prices.toml");

/// The built-in table, parsed once. `embedded_table_is_valid` proves at test time that this cannot fail.
static EMBEDDED: LazyLock<PriceTable> = LazyLock::new(|| {
    PriceTable::parse_embedded(EMBEDDED_TOML)
        .unwrap_or_else(|e| panic!("the built-in price table (src/prices.toml) is invalid: {e}"))
});

/// One dated price set of one model, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelPrice {
    /// `anthropic`, `openai`, `google`, or `custom` for a model added by an override.
    pub provider: String,
    /// First UTC date the set applies to (`YYYY-MM-DD`), `None` when no start is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// First UTC date it no longer applies to, `None` while it is current.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Fresh (uncached) input.
    pub input: f64,
    /// Output, reasoning included.
    pub output: f64,
    /// Input read from the prompt cache (OpenAI: "cached input").
    pub cache_read: f64,
    /// Input written to the 5-minute cache (the input price where writes carry no premium).
    pub cache_write_5m: f64,
    /// Input written to the 1-hour cache (the input price where writes carry no premium).
    pub cache_write_1h: f64,
    /// Rates for the whole request when its prompt is above a threshold.
    pub long_context: Option<LongContext>,
    /// Multiplier of the whole cost in Anthropic fast mode (`None`: not offered or not known).
    pub fast_multiplier: Option<f64>,
    /// Multiplier of the whole cost with OpenAI priority processing.
    pub priority_multiplier: Option<f64>,
    /// Multiplier of the whole cost with OpenAI flex processing.
    pub flex_multiplier: Option<f64>,
    /// Cache writes are billed above input but the agents that use the model do not log them, so a step
    /// with no logged write is priced as a floor.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cache_writes_unlogged: bool,
    /// Other ids of the same model at the same prices (dated snapshots, provider aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Where the numbers were read: a URL, or the override file's path.
    pub source: String,
    /// When they were checked against `source` (`YYYY-MM-DD`; `unspecified` for an override that does not
    /// say).
    pub as_of: String,
    /// Corroborating sources and caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl ModelPrice {
    /// The multiplier for `tier`, `None` when the set does not know it (standard is always 1).
    pub fn tier_multiplier(&self, tier: ServiceTier) -> Option<f64> {
        match tier {
            ServiceTier::Standard => Some(1.0),
            ServiceTier::Fast => self.fast_multiplier,
            ServiceTier::Priority => self.priority_multiplier,
            ServiceTier::Flex => self.flex_multiplier,
        }
    }

    /// The set's name under `key`: `key@from`, or `key@undated` when it has no recorded start.
    pub fn set_name(&self, key: &str) -> String {
        format!("{key}@{}", self.from.as_deref().unwrap_or("undated"))
    }

    /// Whether the set applies on `date` (`YYYY-MM-DD`).
    pub fn covers(&self, date: &str) -> bool {
        self.from.as_deref().is_none_or(|f| f <= date)
            && self.to.as_deref().is_none_or(|t| date < t)
    }

    /// Checks that every number is usable: prices finite and ≥ 0, multipliers finite and > 0.
    fn check_numbers(&self) -> std::result::Result<(), String> {
        let prices = [
            ("input", self.input),
            ("output", self.output),
            ("cache_read", self.cache_read),
            ("cache_write_5m", self.cache_write_5m),
            ("cache_write_1h", self.cache_write_1h),
        ];
        for (name, v) in prices {
            check_price(name, v)?;
        }
        if let Some(lc) = &self.long_context {
            lc.check()?;
        }
        let multipliers = [
            ("fast_multiplier", self.fast_multiplier),
            ("priority_multiplier", self.priority_multiplier),
            ("flex_multiplier", self.flex_multiplier),
        ];
        for (name, v) in multipliers {
            if let Some(m) = v {
                check_multiplier(name, m)?;
            }
        }
        Ok(())
    }
}

/// Long-context rates, USD per million tokens: when a request's prompt ([`Usage::prompt`]) is above
/// `threshold` tokens, the whole request is billed at these rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongContext {
    /// Prompt tokens above which the rates apply.
    pub threshold: u64,
    /// Fresh input.
    pub input: f64,
    /// Output.
    pub output: f64,
    /// Cache read.
    pub cache_read: f64,
    /// 5-minute cache write.
    pub cache_write_5m: f64,
    /// 1-hour cache write.
    pub cache_write_1h: f64,
}

impl LongContext {
    fn check(&self) -> std::result::Result<(), String> {
        if self.threshold == 0 {
            return Err("long_context.threshold must be above 0".into());
        }
        let prices = [
            ("long_context.input", self.input),
            ("long_context.output", self.output),
            ("long_context.cache_read", self.cache_read),
            ("long_context.cache_write_5m", self.cache_write_5m),
            ("long_context.cache_write_1h", self.cache_write_1h),
        ];
        for (name, v) in prices {
            check_price(name, v)?;
        }
        Ok(())
    }
}

/// The list-price cost of one response (or a sum of usage) for one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priced {
    /// Cost in USD.
    pub usd: f64,
    /// The table key whose prices were used.
    pub key: String,
    /// How the logged id matched that key.
    pub matched: Match,
    /// The id rule that resolved the model, in words: `exact`, or the rewrites done.
    pub rule: String,
    /// The price set used: `key@from` (`key@undated` when the set has no recorded start).
    pub price_set: String,
    /// Set when the step's date is outside every window of the model: what was used instead.
    pub outside_window: Option<String>,
    /// The long-context rates were used (the prompt was above the threshold).
    pub long_context: bool,
    /// The tier multiplier applied to the whole cost.
    pub multiplier: f64,
    /// The response was served at a non-standard tier whose multiplier the set does not know (or a tier not
    /// offered on that date), so the standard price (multiplier 1) was used.
    pub multiplier_assumed: bool,
    /// The set bills cache writes the log does not record: the cost is a floor.
    pub cost_floor: bool,
}

/// The price table: the built-in histories, possibly changed by overrides.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    /// Key → its price sets, oldest first, windows not overlapping.
    entries: BTreeMap<String, Vec<ModelPrice>>,
    /// Alias → key.
    aliases: BTreeMap<String, String>,
}

impl PriceTable {
    /// The table compiled into the binary.
    pub fn embedded() -> PriceTable {
        EMBEDDED.clone()
    }

    /// The entry for a logged model id with its *current* (newest) set: its key, prices and how it matched
    /// (see [`resolve`] for the rules). `None` when the model is unknown.
    pub fn resolve(&self, model: &str) -> Option<(&str, &ModelPrice, Match)> {
        let r = self.resolve_id(model)?;
        let (key, sets) = self.entries.get_key_value(&r.key)?;
        Some((key.as_str(), sets.last()?, r.matched))
    }

    /// The set of `model` valid on `date` (`YYYY-MM-DD`), with how the id matched and, when the date is
    /// outside every window, a note naming the nearest set used instead.
    pub fn resolve_at(
        &self,
        model: &str,
        date: &str,
    ) -> Option<(&str, &ModelPrice, resolve::Resolved, Option<String>)> {
        let r = self.resolve_id(model)?;
        let (key, sets) = self.entries.get_key_value(&r.key)?;
        let (set, outside) = table::select(sets, date)?;
        let note = outside.then(|| {
            format!(
                "{date} is outside every price window of `{key}`: priced with the nearest set, {}",
                set.set_name(key)
            )
        });
        Some((key.as_str(), set, r, note))
    }

    /// The list-price cost of `usage` for `model` served at `tier` on the UTC date of `at`; `None` when the
    /// model is unknown.
    ///
    /// Each token count is priced as tokens × price / 1e6. When the prompt ([`Usage::prompt`]) is above the
    /// set's long-context threshold, every count is priced at the long-context rates. The tier multiplier
    /// scales the sum; a tier the set has no multiplier for is priced at 1× and flagged
    /// ([`Priced::multiplier_assumed`]). A gateway id ending `-fast` is served at the fast tier. Reasoning
    /// tokens are inside `output` and are not added again.
    pub fn cost(
        &self,
        model: &str,
        usage: &Usage,
        tier: ServiceTier,
        at: Timestamp,
    ) -> Option<Priced> {
        let date = utc_date(at);
        let (key, p, r, outside_window) = self.resolve_at(model, &date)?;
        let tier = if r.fast { ServiceTier::Fast } else { tier };
        let long = p
            .long_context
            .as_ref()
            .filter(|lc| usage.prompt() > lc.threshold);
        let (input, output, cache_read, write_5m, write_1h) = match long {
            Some(lc) => (
                lc.input,
                lc.output,
                lc.cache_read,
                lc.cache_write_5m,
                lc.cache_write_1h,
            ),
            None => (
                p.input,
                p.output,
                p.cache_read,
                p.cache_write_5m,
                p.cache_write_1h,
            ),
        };
        let per_million = |tokens: u64, price: f64| tokens as f64 * price / 1e6;
        let base = per_million(usage.input, input)
            + per_million(usage.output, output)
            + per_million(usage.cache_read, cache_read)
            + per_million(usage.cache_write_5m, write_5m)
            + per_million(usage.cache_write_1h, write_1h);
        let known = p.tier_multiplier(tier);
        let multiplier = known.unwrap_or(1.0);
        let no_writes_logged = usage.cache_write_5m == 0 && usage.cache_write_1h == 0;
        Some(Priced {
            usd: base * multiplier,
            key: key.to_owned(),
            rule: r.matched.rule(),
            matched: r.matched,
            price_set: p.set_name(key),
            outside_window,
            long_context: long.is_some(),
            multiplier,
            multiplier_assumed: known.is_none(),
            cost_floor: p.cache_writes_unlogged && no_writes_logged && usage.input > 0,
        })
    }

    /// Every entry with its current (newest) set, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.entries
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.last()?)))
    }

    /// Every entry with its whole history, oldest set first.
    pub fn history(&self) -> impl Iterator<Item = (&str, &[ModelPrice])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The table as it stands on `date`: every entry with the set valid that day, or for an entry with
    /// none that day (not released yet, or its confirmed window ended) the set nearest to it — what
    /// `prices` shows by default, so that a set scheduled for later is not shown as today's.
    pub fn current<'a>(&'a self, date: &'a str) -> impl Iterator<Item = (&'a str, &'a ModelPrice)> {
        self.entries.iter().filter_map(move |(k, v)| {
            v.iter()
                .find(|s| s.covers(date))
                .or_else(|| {
                    // Before every set: the first; after them all (or between): the last one started.
                    v.iter()
                        .rev()
                        .find(|s| s.from.as_deref().is_none_or(|f| f <= date))
                        .or_else(|| v.first())
                })
                .map(|s| (k.as_str(), s))
        })
    }

    /// The table as it was on `date`: every entry with the set valid that day (entries with no set that
    /// day — not yet released, or retired — are left out).
    pub fn at(&self, date: &str) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.entries
            .iter()
            .filter_map(move |(k, v)| v.iter().find(|s| s.covers(date)).map(|s| (k.as_str(), s)))
    }
}

/// The UTC calendar date of `at`, `YYYY-MM-DD`.
pub fn utc_date(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

fn check_price(name: &str, v: f64) -> std::result::Result<(), String> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "`{name}` must be a finite number of USD per million tokens, at least 0 (got {v})"
        ))
    }
}

fn check_multiplier(name: &str, v: f64) -> std::result::Result<(), String> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(format!(
            "`{name}` must be a finite number above 0 (got {v})"
        ))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod history_tests;
