//! List prices, and the cost of a response at those prices.
//!
//! # The table
//!
//! The built-in table is `src/prices.toml`, compiled into the binary: agent-audit never fetches prices. Every
//! entry names its `source` — the provider's pricing page, or the LiteLLM `model_prices_and_context_window.json`
//! pinned to the commit the numbers were read from — and `as_of`, the date they were read. A model whose price
//! could not be confirmed is left out: it is reported as unknown rather than guessed. The `prices` command
//! prints the table with its provenance.
//!
//! Prices are USD per million tokens: `input` (fresh input), `output` (reasoning included), `cache_read`,
//! `cache_write_5m` and `cache_write_1h`. Anthropic's cache rates are 0.1× / 1.25× / 2× input; OpenAI's
//! `cache_read` is its "cached input" price and, like Gemini, it bills no cache-write premium (a write is priced
//! as input). A `long_context` tier bills the *whole* request at its rates when the prompt — fresh input plus
//! cache reads and writes, [`Usage::prompt`] — is above its threshold (Anthropic's and Gemini's 200K, OpenAI's
//! 272K for gpt-5.4 and gpt-5.5). A tier multiplier then scales the whole cost: Anthropic fast mode, OpenAI
//! priority and flex processing. When an entry has no multiplier for the tier a response was served at, the
//! standard price is used and [`Priced::multiplier_assumed`] says so.
//!
//! # Overrides
//!
//! `[prices."model-id"]` tables in `.agent-audit.toml` or in a `--prices FILE` change the table
//! ([`PriceTable::apply_overrides`]). An override of a model in the table (by its key or one of its aliases)
//! may be partial: only the fields it gives change. Any other id is a new model and needs at least `input` and
//! `output`; its cache prices default to `input` (no discount assumed) and its provider to `custom`. Unknown
//! fields are an error. An overridden entry's `source` is the file it came from.
//!
//! # Lookup
//!
//! [`PriceTable::resolve`] matches a logged model id against the table, in this order:
//!
//! 1. the id is a key of the table ([`Match::Exact`]);
//! 2. after these rewrites, which keep the same model, the id is a key or a declared alias:
//!    surrounding whitespace and upper case are dropped; a provider prefix is dropped (`anthropic/`,
//!    `openai/`, `google/`, `gemini/`, `vertex_ai/`, `models/`); an Amazon Bedrock id loses its
//!    `anthropic.` / `us.anthropic.` / `eu.` / `apac.` / `au.` / `jp.` / `global.` prefix and its `-v1:0`
//!    version suffix; a Google Vertex `@20250514` date becomes `-20250514`;
//! 3. the rewritten id ends with a date (`-20250929` or `-2025-11-13`), and without it the id is a key or an
//!    alias (a snapshot priced differently from its undated name has its own entry, which 1. finds first);
//! 4. the rewritten id has no date, and exactly one entry is that id plus a date (`claude-sonnet-4-5` →
//!    `claude-sonnet-4-5-20250929`).
//!
//! Nothing else matches: no prefix or family matching, so an unknown model (`claude-opus-4-9`, `gpt-5.9`,
//! `o3-mini`) is never priced as a sibling. Steps 2–4 return [`Match::Normalized`] naming what was done.
//! A Bedrock or Vertex id is priced at the first-party list price.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{ServiceTier, Usage};

/// The built-in table's text.
const EMBEDDED_TOML: &str = include_str!("prices.toml");

/// The built-in table, parsed once. `embedded_table_is_valid` proves at test time that this cannot fail.
static EMBEDDED: LazyLock<PriceTable> = LazyLock::new(|| {
    PriceTable::parse_embedded(EMBEDDED_TOML)
        .unwrap_or_else(|e| panic!("the built-in price table (src/prices.toml) is invalid: {e}"))
});

/// Provider prefixes dropped from a model id (gateways, SDKs, the Gemini API's `models/`).
const PROVIDER_PREFIXES: [&str; 6] = [
    "anthropic/",
    "openai/",
    "google/",
    "gemini/",
    "vertex_ai/",
    "models/",
];

/// Amazon Bedrock cross-region inference prefixes, before `anthropic.`.
const BEDROCK_REGIONS: [&str; 6] = ["us.", "eu.", "apac.", "au.", "jp.", "global."];

/// List price of one model, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    /// `anthropic`, `openai`, `google`, or `custom` for a model added by an override.
    pub provider: String,
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
    /// Multiplier of the whole cost in Anthropic fast mode.
    pub fast_multiplier: Option<f64>,
    /// Multiplier of the whole cost with OpenAI priority processing.
    pub priority_multiplier: Option<f64>,
    /// Multiplier of the whole cost with OpenAI flex processing.
    pub flex_multiplier: Option<f64>,
    /// Other ids of the same model at the same price (dated snapshots, provider aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Where the numbers were read: a URL, or the override file's path.
    pub source: String,
    /// When they were read (`YYYY-MM-DD`; `unspecified` for an override that does not say).
    pub as_of: String,
    /// Corroborating sources and caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl ModelPrice {
    /// The multiplier for `tier`, `None` when the entry does not know it (standard is always 1).
    pub fn tier_multiplier(&self, tier: ServiceTier) -> Option<f64> {
        match tier {
            ServiceTier::Standard => Some(1.0),
            ServiceTier::Fast => self.fast_multiplier,
            ServiceTier::Priority => self.priority_multiplier,
            ServiceTier::Flex => self.flex_multiplier,
        }
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

/// A `[prices."model-id"]` table from a config or `--prices` file. Every field is optional; unknown fields are
/// an error.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    /// Provider name (default `custom` for a new model).
    pub provider: Option<String>,
    /// Fresh input, USD per million tokens.
    pub input: Option<f64>,
    /// Output.
    pub output: Option<f64>,
    /// Cache read (default for a new model: `input`).
    pub cache_read: Option<f64>,
    /// 5-minute cache write (default for a new model: `input`).
    pub cache_write_5m: Option<f64>,
    /// 1-hour cache write (default for a new model: `input`).
    pub cache_write_1h: Option<f64>,
    /// Long-context rates; replaces the entry's whole tier.
    pub long_context: Option<LongContextOverride>,
    /// Fast-mode multiplier.
    pub fast_multiplier: Option<f64>,
    /// Priority-processing multiplier.
    pub priority_multiplier: Option<f64>,
    /// Flex-processing multiplier.
    pub flex_multiplier: Option<f64>,
    /// When these prices were read.
    pub as_of: Option<String>,
    /// Free text kept with the entry.
    pub notes: Option<String>,
}

/// The long-context tier of an override: threshold, input and output are required, cache prices default to
/// the tier's input price.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongContextOverride {
    /// Prompt tokens above which the rates apply.
    pub threshold: u64,
    /// Fresh input.
    pub input: f64,
    /// Output.
    pub output: f64,
    /// Cache read (default: `input`).
    pub cache_read: Option<f64>,
    /// 5-minute cache write (default: `input`).
    pub cache_write_5m: Option<f64>,
    /// 1-hour cache write (default: `input`).
    pub cache_write_1h: Option<f64>,
}

impl LongContextOverride {
    fn to_long_context(&self) -> LongContext {
        LongContext {
            threshold: self.threshold,
            input: self.input,
            output: self.output,
            cache_read: self.cache_read.unwrap_or(self.input),
            cache_write_5m: self.cache_write_5m.unwrap_or(self.input),
            cache_write_1h: self.cache_write_1h.unwrap_or(self.input),
        }
    }
}

/// How a model id was matched to a table entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "match", rename_all = "kebab-case")]
pub enum Match {
    /// The id is a key of the table.
    Exact,
    /// The id matched after the documented rewrites, named in `via`.
    Normalized {
        /// What was done, e.g. "dropped prefix `us.anthropic.`; dropped suffix `-v1:0`".
        via: String,
    },
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
    /// The long-context rates were used (the prompt was above the threshold).
    pub long_context: bool,
    /// The tier multiplier applied to the whole cost.
    pub multiplier: f64,
    /// The response was served at a non-standard tier whose multiplier the entry does not know, so the
    /// standard price (multiplier 1) was used.
    pub multiplier_assumed: bool,
}

/// The price table: the built-in entries, possibly changed by overrides.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    entries: BTreeMap<String, ModelPrice>,
    /// Alias → key.
    aliases: BTreeMap<String, String>,
}

/// The shape of `src/prices.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmbeddedFile {
    models: BTreeMap<String, ModelPrice>,
}

/// The shape of a `--prices` file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverridesFile {
    #[serde(default)]
    prices: BTreeMap<String, PriceOverride>,
}

impl PriceTable {
    /// The table compiled into the binary.
    pub fn embedded() -> PriceTable {
        EMBEDDED.clone()
    }

    /// Parses and checks a table in the shape of `src/prices.toml`.
    fn parse_embedded(text: &str) -> std::result::Result<PriceTable, String> {
        let file: EmbeddedFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut table = PriceTable::default();
        for (key, price) in file.models {
            price.check_numbers().map_err(|e| format!("`{key}`: {e}"))?;
            if !price.source.starts_with("https://") {
                return Err(format!("`{key}`: source must be a https:// URL"));
            }
            if !is_iso_date(&price.as_of) {
                return Err(format!("`{key}`: as_of must be a YYYY-MM-DD date"));
            }
            for alias in &price.aliases {
                if let Some(other) = table.aliases.insert(alias.clone(), key.clone()) {
                    return Err(format!(
                        "alias `{alias}` is declared by `{other}` and `{key}`"
                    ));
                }
            }
            table.entries.insert(key, price);
        }
        if let Some((alias, key)) = table
            .aliases
            .iter()
            .find(|(alias, _)| table.entries.contains_key(*alias))
        {
            return Err(format!("alias `{alias}` of `{key}` is also a key"));
        }
        Ok(table)
    }

    /// Reads the `[prices."model-id"]` tables of a `--prices` file (nothing else may be in it).
    pub fn parse_overrides_file(path: &Path) -> Result<BTreeMap<String, PriceOverride>> {
        // Bounded, regular files only, and errors that never echo the file's content.
        let text = crate::config::read_text(path, None)?;
        let file: OverridesFile = crate::config::parse_toml(path, &text)?;
        Ok(file.prices)
    }

    /// Applies overrides read from `origin` (a file path, recorded as the changed entries' source).
    ///
    /// An id that is a key or an alias of the table changes only the fields given. Any other id adds a model,
    /// which needs `input` and `output`: without them, or with a negative or non-finite number, this is an
    /// [`Error::Config`] naming `origin`.
    pub fn apply_overrides(
        &mut self,
        overrides: &BTreeMap<String, PriceOverride>,
        origin: &str,
    ) -> Result<()> {
        let config_error = |id: &str, message: String| Error::Config {
            path: PathBuf::from(origin),
            message: format!("[prices.\"{id}\"]: {message}"),
        };
        for (id, o) in overrides {
            let target = if self.entries.contains_key(id) {
                Some(id.clone())
            } else {
                self.aliases.get(id).cloned()
            };
            let price = match target {
                Some(key) => {
                    let mut p = self.entries.get(&key).cloned().ok_or_else(|| {
                        config_error(id, format!("alias of missing entry `{key}`"))
                    })?;
                    let was = format!("other fields from {} (as of {})", p.source, p.as_of);
                    apply_fields(&mut p, o);
                    p.source = origin.to_owned();
                    p.as_of = o.as_of.clone().unwrap_or_else(|| "unspecified".into());
                    p.notes = Some(o.notes.clone().unwrap_or(was));
                    p.check_numbers().map_err(|e| config_error(id, e))?;
                    (key, p)
                }
                None => {
                    let (Some(input), Some(output)) = (o.input, o.output) else {
                        let hint = match self.resolve(id) {
                            Some((key, _, _)) => format!(
                                "; it is priced as `{key}` by normalisation, so write [prices.\"{key}\"] to change that entry"
                            ),
                            None => String::new(),
                        };
                        return Err(config_error(
                            id,
                            format!(
                                "`{id}` is not in the built-in table, so it needs at least `input` and `output`{hint}"
                            ),
                        ));
                    };
                    let mut p = ModelPrice {
                        provider: "custom".into(),
                        input,
                        output,
                        cache_read: input,
                        cache_write_5m: input,
                        cache_write_1h: input,
                        long_context: None,
                        fast_multiplier: None,
                        priority_multiplier: None,
                        flex_multiplier: None,
                        aliases: Vec::new(),
                        source: origin.to_owned(),
                        as_of: o.as_of.clone().unwrap_or_else(|| "unspecified".into()),
                        notes: o.notes.clone(),
                    };
                    apply_fields(&mut p, o);
                    p.check_numbers().map_err(|e| config_error(id, e))?;
                    (id.clone(), p)
                }
            };
            self.entries.insert(price.0, price.1);
        }
        Ok(())
    }

    /// The entry for a logged model id: its key, its prices and how it matched (see the module docs for the
    /// rules). `None` when the model is unknown.
    pub fn resolve(&self, model: &str) -> Option<(&str, &ModelPrice, Match)> {
        if let Some((key, price)) = self.entries.get_key_value(model) {
            return Some((key.as_str(), price, Match::Exact));
        }
        let (id, mut steps) = rewrite(model);
        let found = self.lookup(&id).or_else(|| {
            let (base, date) = split_date(&id)?;
            let found = self.lookup(base)?;
            steps.push(format!("dropped date suffix `{date}`"));
            Some(found)
        });
        let found = found.or_else(|| {
            if split_date(&id).is_some() {
                return None;
            }
            let found = self.unique_dated(&id)?;
            steps.push(format!("added date suffix (`{}`)", found.2));
            Some((found.0, found.1))
        });
        let (key, alias) = found?;
        if let Some(alias) = alias {
            steps.push(format!("alias `{alias}`"));
        }
        let (key, price) = self.entries.get_key_value(key)?;
        Some((
            key.as_str(),
            price,
            Match::Normalized {
                via: steps.join("; "),
            },
        ))
    }

    /// `id` as a key, or as an alias (then also returned).
    fn lookup<'a>(&'a self, id: &'a str) -> Option<(&'a str, Option<&'a str>)> {
        if let Some((key, _)) = self.entries.get_key_value(id) {
            return Some((key.as_str(), None));
        }
        self.aliases
            .get_key_value(id)
            .map(|(alias, key)| (key.as_str(), Some(alias.as_str())))
    }

    /// The one entry whose key or alias is `id` plus a date suffix: (key, alias if it was an alias, the name).
    fn unique_dated(&self, id: &str) -> Option<(&str, Option<&str>, &str)> {
        let keys = self.entries.keys().map(|k| (k.as_str(), None, k.as_str()));
        let aliases = self
            .aliases
            .iter()
            .map(|(a, k)| (k.as_str(), Some(a.as_str()), a.as_str()));
        let mut found: Option<(&str, Option<&str>, &str)> = None;
        for candidate in keys.chain(aliases) {
            if split_date(candidate.2).is_some_and(|(base, _)| base == id) {
                match found {
                    Some(f) if f.0 != candidate.0 => return None,
                    Some(_) => {}
                    None => found = Some(candidate),
                }
            }
        }
        found
    }

    /// The list-price cost of `usage` for `model` served at `tier`; `None` when the model is unknown.
    ///
    /// Each token count is priced as tokens × price / 1e6. When the prompt ([`Usage::prompt`]) is above the
    /// entry's long-context threshold, every count is priced at the long-context rates. The tier multiplier
    /// scales the sum; a tier the entry has no multiplier for is priced at 1× and flagged
    /// ([`Priced::multiplier_assumed`]). Reasoning tokens are inside `output` and are not added again.
    pub fn cost(&self, model: &str, usage: &Usage, tier: ServiceTier) -> Option<Priced> {
        let (key, p, matched) = self.resolve(model)?;
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
        Some(Priced {
            usd: base * multiplier,
            key: key.to_owned(),
            matched,
            long_context: long.is_some(),
            multiplier,
            multiplier_assumed: known.is_none(),
        })
    }

    /// Every entry, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Sets the fields an override gives.
fn apply_fields(p: &mut ModelPrice, o: &PriceOverride) {
    if let Some(v) = &o.provider {
        p.provider = v.clone();
    }
    let fields = [
        (&mut p.input, o.input),
        (&mut p.output, o.output),
        (&mut p.cache_read, o.cache_read),
        (&mut p.cache_write_5m, o.cache_write_5m),
        (&mut p.cache_write_1h, o.cache_write_1h),
    ];
    for (field, value) in fields {
        if let Some(v) = value {
            *field = v;
        }
    }
    if let Some(lc) = &o.long_context {
        p.long_context = Some(lc.to_long_context());
    }
    if o.fast_multiplier.is_some() {
        p.fast_multiplier = o.fast_multiplier;
    }
    if o.priority_multiplier.is_some() {
        p.priority_multiplier = o.priority_multiplier;
    }
    if o.flex_multiplier.is_some() {
        p.flex_multiplier = o.flex_multiplier;
    }
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

/// Lookup step 2: the rewrites that keep the model, and a description of each one done.
fn rewrite(model: &str) -> (String, Vec<String>) {
    let mut steps = Vec::new();
    let mut id = model.trim().to_ascii_lowercase();
    if id != model {
        steps.push("dropped whitespace/upper case".to_owned());
    }
    while let Some(prefix) = PROVIDER_PREFIXES.iter().find(|p| id.starts_with(*p)) {
        id.drain(..prefix.len());
        steps.push(format!("dropped prefix `{prefix}`"));
    }
    let region = BEDROCK_REGIONS
        .iter()
        .find(|r| {
            id.strip_prefix(*r)
                .is_some_and(|rest| rest.starts_with("anthropic."))
        })
        .copied()
        .unwrap_or("");
    if id[region.len()..].starts_with("anthropic.") {
        let prefix = format!("{region}anthropic.");
        id.drain(..prefix.len());
        steps.push(format!("dropped prefix `{prefix}`"));
        if let Some(at) = bedrock_version_at(&id) {
            steps.push(format!("dropped suffix `{}`", &id[at..]));
            id.truncate(at);
        }
    }
    // Copilot CLI spells Claude versions with a dot (`claude-sonnet-4.6`); Anthropic's ids use dashes.
    if id.starts_with("claude-") && id.contains('.') {
        id = id.replace('.', "-");
        steps.push("version dots read as dashes".to_owned());
    }
    if let Some(at) = id.rfind('@') {
        let date = &id[at + 1..];
        if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
            steps.push(format!("`@{date}` read as `-{date}`"));
            id.replace_range(at..=at, "-");
        }
    }
    (id, steps)
}

/// Where a Bedrock version suffix (`-v1`, `-v2:0`) starts, if `id` ends with one.
fn bedrock_version_at(id: &str) -> Option<usize> {
    let at = id.rfind("-v")?;
    let rest = &id[at + 2..];
    let (major, minor) = match rest.split_once(':') {
        Some((major, minor)) => (major, Some(minor)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && minor.is_none_or(digits)).then_some(at)
}

/// Splits a trailing date suffix: `-YYYYMMDD` (Anthropic) or `-YYYY-MM-DD` (OpenAI) → (id without it, suffix).
fn split_date(id: &str) -> Option<(&str, &str)> {
    let compact = id.len().checked_sub(9).and_then(|at| {
        let digits = id.get(at..)?.strip_prefix('-')?;
        (digits.bytes().all(|b| b.is_ascii_digit()) && plausible_date(digits, 4, 6)).then_some(at)
    });
    let dashed = id.len().checked_sub(11).and_then(|at| {
        let suffix = id.get(at..)?;
        let date = suffix.strip_prefix('-')?;
        is_iso_date(date).then_some(at)
    });
    let at = compact.or(dashed)?;
    let (base, suffix) = id.split_at(at);
    (!base.is_empty()).then_some((base, suffix))
}

/// `YYYY-MM-DD` with a 20xx year and a month and day in range.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && plausible_date(s, 5, 8)
}

/// The year starts with 20, the month (at `month`) is 01–12 and the day (at `day`) is 01–31.
fn plausible_date(s: &str, month: usize, day: usize) -> bool {
    let num = |at: usize| s.get(at..at + 2).and_then(|d| d.parse::<u8>().ok());
    s.starts_with("20")
        && num(month).is_some_and(|m| (1..=12).contains(&m))
        && num(day).is_some_and(|d| (1..=31).contains(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, output: u64, read: u64, w5: u64, w1h: u64) -> Usage {
        Usage {
            input,
            output,
            cache_read: read,
            cache_write_5m: w5,
            cache_write_1h: w1h,
            reasoning: 0,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn embedded_table_is_valid() {
        let table = PriceTable::parse_embedded(EMBEDDED_TOML).expect("should succeed");
        assert!(table.entries().count() >= 35);
        for (key, p) in table.entries() {
            assert!(p.source.starts_with("https://"), "{key}");
            assert!(is_iso_date(&p.as_of), "{key}");
            assert!(
                ["anthropic", "openai", "google"].contains(&p.provider.as_str()),
                "{key}"
            );
            assert!(p.input > 0.0 && p.output > 0.0, "{key}");
            // The brief's ratios, checked against every Anthropic entry.
            if p.provider == "anthropic" {
                assert!(close(p.cache_read, p.input * 0.1), "{key} read");
                assert!(close(p.cache_write_5m, p.input * 1.25), "{key} 5m");
                assert!(close(p.cache_write_1h, p.input * 2.0), "{key} 1h");
            } else {
                assert!(close(p.cache_write_5m, p.input), "{key} no write premium");
            }
        }
        // The same value through the lazily parsed static.
        assert_eq!(
            PriceTable::embedded().entries().count(),
            table.entries().count()
        );
    }

    #[test]
    fn required_models_are_present() {
        let t = PriceTable::embedded();
        for id in [
            "claude-opus-4-6",
            "claude-opus-4-5-20251101",
            "claude-opus-4-1-20250805",
            "claude-opus-4-20250514",
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-20250514",
            "claude-3-7-sonnet-20250219",
            "claude-haiku-4-5-20251001",
            "claude-3-5-haiku-20241022",
            "claude-3-5-sonnet-20241022",
            "claude-sonnet-4-6",
            "claude-opus-4-7",
            "gpt-5",
            "gpt-5-mini",
            "gpt-5-nano",
            "gpt-5-codex",
            "gpt-5.1",
            "gpt-5.1-codex",
            "gpt-5.1-codex-mini",
            "gpt-5.1-codex-max",
            "gpt-5.2",
            "gpt-5.2-codex",
            "gpt-5.3-codex",
            "gpt-5.4",
            "gpt-5.4-mini",
            "o3",
            "o4-mini",
            "gpt-4.1",
            "gpt-4.1-mini",
            "gpt-4o",
            "gemini-2.5-pro",
            "gemini-2.5-flash",
            "gemini-2.5-flash-lite",
            "gemini-3-pro-preview",
        ] {
            let (key, _, m) = t.resolve(id).unwrap_or_else(|| panic!("{id} missing"));
            assert_eq!((key, m), (id, Match::Exact));
        }
    }

    #[test]
    fn invalid_tables_are_rejected() {
        let entry = |extra: &str| {
            format!(
                "[models.\"m\"]\nprovider = \"openai\"\ninput = 1.0\noutput = 2.0\ncache_read = 0.1\n\
                 cache_write_5m = 1.0\ncache_write_1h = 1.0\nsource = \"https://example.com\"\n\
                 as_of = \"2026-01-01\"\n{extra}"
            )
        };
        assert!(PriceTable::parse_embedded(&entry("")).is_ok());
        assert!(PriceTable::parse_embedded(&entry("colour = 1\n")).is_err());
        assert!(PriceTable::parse_embedded(&entry("fast_multiplier = 0.0\n")).is_err());
        assert!(PriceTable::parse_embedded(&entry("aliases = [\"m\"]\n")).is_err());
        assert!(PriceTable::parse_embedded(&entry("").replace("2026-01-01", "last week")).is_err());
        assert!(PriceTable::parse_embedded(&entry("").replace("https://", "")).is_err());
        assert!(
            PriceTable::parse_embedded(&entry("").replace("input = 1.0", "input = -1.0")).is_err()
        );
        assert!(PriceTable::parse_embedded(&entry("").replace("input = 1.0\n", "")).is_err());
    }

    #[test]
    fn exact_lookup() {
        let t = PriceTable::embedded();
        let (key, p, m) = t
            .resolve("claude-sonnet-4-5-20250929")
            .expect("should succeed");
        assert_eq!(key, "claude-sonnet-4-5-20250929");
        assert_eq!(m, Match::Exact);
        assert_eq!((p.input, p.output), (3.0, 15.0));
        // A differently priced snapshot has its own entry and wins over dropping its date.
        let (key, p, m) = t.resolve("gpt-4o-2024-05-13").expect("should succeed");
        assert_eq!((key, m, p.input), ("gpt-4o-2024-05-13", Match::Exact, 5.0));
    }

    #[test]
    fn normalized_lookup() {
        let t = PriceTable::embedded();
        let cases = [
            (
                "claude-sonnet-4-5",
                "claude-sonnet-4-5-20250929",
                "added date suffix",
            ),
            (
                "claude-opus-4-5",
                "claude-opus-4-5-20251101",
                "added date suffix",
            ),
            (
                "claude-opus-4",
                "claude-opus-4-20250514",
                "added date suffix",
            ),
            ("claude-opus-4-6-20260205", "claude-opus-4-6", "alias"),
            (
                "claude-sonnet-4.6",
                "claude-sonnet-4-6",
                "version dots read as dashes",
            ),
            ("claude-opus-4-0", "claude-opus-4-20250514", "alias"),
            (
                "anthropic/claude-haiku-4-5-20251001",
                "claude-haiku-4-5-20251001",
                "prefix `anthropic/`",
            ),
            (
                "anthropic/claude-haiku-4-5",
                "claude-haiku-4-5-20251001",
                "added date suffix",
            ),
            ("openai/gpt-5-codex", "gpt-5-codex", "prefix `openai/`"),
            (
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "claude-sonnet-4-5-20250929",
                "suffix `-v1:0`",
            ),
            (
                "global.anthropic.claude-sonnet-4-20250514-v1:0",
                "claude-sonnet-4-20250514",
                "prefix `global.anthropic.`",
            ),
            (
                "anthropic.claude-3-5-sonnet-20241022-v2:0",
                "claude-3-5-sonnet-20241022",
                "suffix `-v2:0`",
            ),
            (
                "anthropic.claude-opus-4-6-v1",
                "claude-opus-4-6",
                "suffix `-v1`",
            ),
            (
                "claude-sonnet-4@20250514",
                "claude-sonnet-4-20250514",
                "`@20250514`",
            ),
            (
                "gpt-5.1-codex-2025-11-13",
                "gpt-5.1-codex",
                "dropped date suffix `-2025-11-13`",
            ),
            ("gpt-5-2025-08-07", "gpt-5", "dropped date suffix"),
            ("gpt-4o-2024-08-06", "gpt-4o", "dropped date suffix"),
            ("claude-opus-4-7-20260416", "claude-opus-4-7", "alias"),
            (
                "models/gemini-2.5-pro",
                "gemini-2.5-pro",
                "prefix `models/`",
            ),
            ("GPT-5", "gpt-5", "upper case"),
        ];
        for (id, want, via_part) in cases {
            let (key, _, m) = t.resolve(id).unwrap_or_else(|| panic!("{id} unresolved"));
            assert_eq!(key, want, "{id}");
            match m {
                Match::Normalized { via } => assert!(via.contains(via_part), "{id}: {via}"),
                Match::Exact => panic!("{id} matched exactly"),
            }
        }
    }

    #[test]
    fn unknown_siblings_are_refused() {
        let t = PriceTable::embedded();
        for id in [
            "claude-opus-4-9",
            "claude-opus-4-9-20270101",
            "claude-sonnet-4-7",
            "claude-sonnet-4-5-20991231",
            "claude-haiku-4",
            "gpt-5.9",
            "gpt-5.4-pro",
            "gpt-5-codex-mini",
            "gpt-5.1-codex-ultra",
            "o3-mini",
            "o3-pro",
            "gpt-4",
            "gemini-2.5",
            "gemini-2.5-flash-lite-preview-06-17",
            "anthropic/claude-opus-4-9",
            "us.anthropic.claude-opus-4-9-v1:0",
            "",
            "-20250929",
        ] {
            assert!(t.resolve(id).is_none(), "{id} must stay unknown");
            assert!(
                t.cost(id, &usage(1, 1, 0, 0, 0), ServiceTier::Standard)
                    .is_none()
            );
        }
    }

    #[test]
    fn cost_of_known_usage() {
        let t = PriceTable::embedded();
        // Sonnet 4.5: 10,000 in × $3 + 2,000 out × $15 + 50,000 read × $0.30 + 4,000 5m × $3.75
        // + 1,000 1h × $6 = 0.03 + 0.03 + 0.015 + 0.015 + 0.006 = $0.096.
        let u = usage(10_000, 2_000, 50_000, 4_000, 1_000);
        let p = t
            .cost("claude-sonnet-4-5-20250929", &u, ServiceTier::Standard)
            .expect("should succeed");
        assert!(close(p.usd, 0.096), "{}", p.usd);
        assert_eq!(p.key, "claude-sonnet-4-5-20250929");
        assert!(!p.long_context && !p.multiplier_assumed);
        assert_eq!(p.multiplier, 1.0);
        // Reasoning is inside output: setting it changes nothing.
        let with_reasoning = Usage {
            reasoning: 1_500,
            ..u
        };
        let q = t
            .cost(
                "claude-sonnet-4-5-20250929",
                &with_reasoning,
                ServiceTier::Standard,
            )
            .expect("should succeed");
        assert_eq!(p.usd, q.usd);
        // gpt-5: 1M fresh input $1.25 + 1M cached $0.125 + 100K output $1.00 = $2.375.
        let p = t
            .cost(
                "gpt-5",
                &usage(1_000_000, 100_000, 1_000_000, 0, 0),
                ServiceTier::Standard,
            )
            .expect("should succeed");
        assert!(close(p.usd, 2.375), "{}", p.usd);
    }

    #[test]
    fn long_context_switches_above_the_threshold() {
        let t = PriceTable::embedded();
        let model = "claude-sonnet-4-20250514";
        // Prompt exactly 200,000 (input + read + writes): standard rates.
        let at = usage(100_000, 1_000, 90_000, 9_000, 1_000);
        assert_eq!(at.prompt(), 200_000);
        let p = t
            .cost(model, &at, ServiceTier::Standard)
            .expect("should succeed");
        assert!(!p.long_context);
        // 0.3 + 0.015 + 0.027 + 0.03375 + 0.006
        assert!(close(p.usd, 0.38175), "{}", p.usd);
        // One more token: the whole request at $6 / $22.50 / $0.60 / $7.50 / $12.
        let over = usage(100_001, 1_000, 90_000, 9_000, 1_000);
        let p = t
            .cost(model, &over, ServiceTier::Standard)
            .expect("should succeed");
        assert!(p.long_context);
        // 0.600006 + 0.0225 + 0.054 + 0.0675 + 0.012
        assert!(close(p.usd, 0.756006), "{}", p.usd);
        // gpt-5.4 switches above 272K.
        let p = t
            .cost(
                "gpt-5.4",
                &usage(272_001, 0, 0, 0, 0),
                ServiceTier::Standard,
            )
            .expect("should succeed");
        assert!(p.long_context && close(p.usd, 272_001.0 * 5.0 / 1e6));
        let p = t
            .cost(
                "gpt-5.4",
                &usage(272_000, 0, 0, 0, 0),
                ServiceTier::Standard,
            )
            .expect("should succeed");
        assert!(!p.long_context && close(p.usd, 0.68));
    }

    #[test]
    fn tier_multipliers() {
        let t = PriceTable::embedded();
        let u = usage(1_000_000, 100_000, 0, 0, 0);
        // Opus 4.6 fast mode: 6 × ($5 + $2.50).
        let p = t
            .cost("claude-opus-4-6", &u, ServiceTier::Fast)
            .expect("should succeed");
        assert!(close(p.usd, 45.0), "{}", p.usd);
        assert_eq!((p.multiplier, p.multiplier_assumed), (6.0, false));
        // OpenAI priority 2× and flex 0.5× on gpt-5 ($1.25 + $1.00 standard).
        let p = t
            .cost("gpt-5", &u, ServiceTier::Priority)
            .expect("should succeed");
        assert!(close(p.usd, 4.5));
        let p = t
            .cost("gpt-5", &u, ServiceTier::Flex)
            .expect("should succeed");
        assert!(close(p.usd, 1.125));
        // A tier the entry does not price: standard price, flagged.
        let p = t
            .cost("claude-sonnet-4-6", &u, ServiceTier::Fast)
            .expect("should succeed");
        assert!(close(p.usd, 4.5));
        assert_eq!((p.multiplier, p.multiplier_assumed), (1.0, true));
    }

    #[test]
    fn partial_override_changes_only_given_fields() {
        let mut t = PriceTable::embedded();
        let o: BTreeMap<String, PriceOverride> = toml::from_str::<OverridesFile>(
            "[prices.\"gpt-5\"]\noutput = 12.0\nas_of = \"2026-12-01\"\n",
        )
        .expect("should succeed")
        .prices;
        t.apply_overrides(&o, "/tmp/p.toml")
            .expect("should succeed");
        let (_, p, _) = t.resolve("gpt-5").expect("should succeed");
        assert_eq!((p.input, p.output, p.cache_read), (1.25, 12.0, 0.125));
        assert_eq!(p.priority_multiplier, Some(2.0));
        assert_eq!(p.source, "/tmp/p.toml");
        assert_eq!(p.as_of, "2026-12-01");
        // An alias reaches its entry.
        let o = BTreeMap::from([(
            "claude-opus-4-6-20260205".to_owned(),
            PriceOverride {
                fast_multiplier: Some(2.0),
                ..Default::default()
            },
        )]);
        t.apply_overrides(&o, "cfg").expect("should succeed");
        let (key, p, _) = t.resolve("claude-opus-4-6").expect("should succeed");
        assert_eq!(
            (key, p.fast_multiplier, p.input),
            ("claude-opus-4-6", Some(2.0), 5.0)
        );
        assert_eq!(p.as_of, "unspecified");
    }

    #[test]
    fn override_adds_a_new_model() {
        let mut t = PriceTable::embedded();
        let o = BTreeMap::from([(
            "my-model".to_owned(),
            PriceOverride {
                input: Some(1.0),
                output: Some(4.0),
                cache_read: Some(0.1),
                ..Default::default()
            },
        )]);
        t.apply_overrides(&o, "prices.toml")
            .expect("should succeed");
        let (key, p, m) = t.resolve("my-model").expect("should succeed");
        assert_eq!((key, m), ("my-model", Match::Exact));
        assert_eq!(
            (p.input, p.output, p.cache_read, p.cache_write_5m),
            (1.0, 4.0, 0.1, 1.0)
        );
        assert_eq!(
            (p.provider.as_str(), p.source.as_str()),
            ("custom", "prices.toml")
        );
        let c = t
            .cost(
                "my-model",
                &usage(1_000_000, 0, 0, 0, 0),
                ServiceTier::Standard,
            )
            .expect("should succeed");
        assert!(close(c.usd, 1.0));
    }

    #[test]
    fn override_errors() {
        let mut t = PriceTable::embedded();
        // A new model without output.
        let o = BTreeMap::from([(
            "my-model".to_owned(),
            PriceOverride {
                input: Some(1.0),
                ..Default::default()
            },
        )]);
        let e = t.apply_overrides(&o, "x.toml").expect_err("should fail");
        assert!(matches!(&e, Error::Config { path, message }
            if path == Path::new("x.toml") && message.contains("needs at least `input` and `output`")));
        // A dateless id that only normalises to an entry: the error names the entry to use.
        let o = BTreeMap::from([(
            "claude-sonnet-4-5".to_owned(),
            PriceOverride {
                input: Some(1.0),
                ..Default::default()
            },
        )]);
        let e = t
            .apply_overrides(&o, "x.toml")
            .expect_err("should fail")
            .to_string();
        assert!(e.contains("claude-sonnet-4-5-20250929"), "{e}");
        // A negative price.
        let o = BTreeMap::from([(
            "gpt-5".to_owned(),
            PriceOverride {
                input: Some(-1.0),
                ..Default::default()
            },
        )]);
        assert!(t.apply_overrides(&o, "x.toml").is_err());
        // Unknown fields, at either level.
        assert!(toml::from_str::<OverridesFile>("[prices.\"gpt-5\"]\ninptu = 1.0\n").is_err());
        assert!(toml::from_str::<OverridesFile>("[price.\"gpt-5\"]\ninput = 1.0\n").is_err());
        assert!(
            toml::from_str::<OverridesFile>(
                "[prices.\"gpt-5\".long_context]\nthreshold = 1\ninput = 1.0\noutput = 1.0\nmax = 2\n"
            )
            .is_err()
        );
    }

    #[test]
    fn overrides_file_is_read_with_its_path_in_errors() {
        let dir = tempfile::tempdir().expect("should succeed");
        let path = dir.path().join("prices.toml");
        std::fs::write(
            &path,
            "[prices.\"gpt-5\"]\ninput = 2.0\n\n[prices.\"new-one\"]\ninput = 1.0\noutput = 2.0\n\
             [prices.\"new-one\".long_context]\nthreshold = 100\ninput = 2.0\noutput = 4.0\n",
        )
        .expect("should succeed");
        let o = PriceTable::parse_overrides_file(&path).expect("should succeed");
        assert_eq!(o.len(), 2);
        let mut t = PriceTable::embedded();
        t.apply_overrides(&o, &path.display().to_string())
            .expect("should succeed");
        let c = t
            .cost("new-one", &usage(101, 0, 0, 0, 0), ServiceTier::Standard)
            .expect("should succeed");
        assert!(c.long_context && close(c.usd, 101.0 * 2.0 / 1e6));

        std::fs::write(&path, "[prices.\"gpt-5\"]\nspeed = 1.0\n").expect("should succeed");
        let e = PriceTable::parse_overrides_file(&path).expect_err("should fail");
        assert!(
            matches!(&e, Error::Config { path: p, .. } if p == &path),
            "{e}"
        );
        let missing = dir.path().join("missing.toml");
        let e = PriceTable::parse_overrides_file(&missing).expect_err("should fail");
        assert!(matches!(&e, Error::Read { path: p, .. } if p == &missing));
    }

    #[test]
    fn date_suffixes() {
        assert_eq!(
            split_date("claude-sonnet-4-5-20250929"),
            Some(("claude-sonnet-4-5", "-20250929"))
        );
        assert_eq!(
            split_date("gpt-5.1-2025-11-13"),
            Some(("gpt-5.1", "-2025-11-13"))
        );
        assert_eq!(split_date("claude-sonnet-4-5"), None);
        assert_eq!(split_date("model-12345678"), None);
        assert_eq!(split_date("gemini-2.5-flash-preview-09-2025"), None);
        assert_eq!(split_date("-20250929"), None);
    }
}
