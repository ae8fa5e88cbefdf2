//! Overrides: `[prices."model-id"]` tables in `.agent-audit.toml` or in a `--prices FILE` change the table.
//!
//! Two forms. The **flat** form gives fields directly: for a model in the table (by its key or one of its
//! aliases) it may be partial, and the fields it gives change *every* set of the model's history; any other
//! id is a new model with one undated set and needs at least `input` and `output` (its cache prices default
//! to `input`, no discount assumed, and its provider to `custom`). The **dated** form gives
//! `[[prices."id".sets]]`, each with `from` and/or `to` like the built-in table: it replaces the model's whole
//! history. In a dated set of a known model, a field left out is taken from the built-in set valid on that
//! set's `from` (the nearest one when none is); for a new model `input` and `output` are required. The two
//! forms cannot be mixed in one table. Unknown fields are an error. An overridden set's `source` is the file it
//! came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{LongContext, ModelPrice, PriceTable, table};
use crate::error::{Error, Result};

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
    /// The dated form: the model's whole history, oldest first.
    pub sets: Option<Vec<SetOverride>>,
}

/// One dated set of an override (`[[prices."id".sets]]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetOverride {
    /// First UTC date the set applies to (`YYYY-MM-DD`); only the first set may omit it.
    pub from: Option<String>,
    /// First UTC date it no longer applies to (default: the next set's `from`, or open).
    pub to: Option<String>,
    /// Fresh input.
    pub input: Option<f64>,
    /// Output.
    pub output: Option<f64>,
    /// Cache read.
    pub cache_read: Option<f64>,
    /// 5-minute cache write.
    pub cache_write_5m: Option<f64>,
    /// 1-hour cache write.
    pub cache_write_1h: Option<f64>,
    /// Long-context rates.
    pub long_context: Option<LongContextOverride>,
    /// Fast-mode multiplier.
    pub fast_multiplier: Option<f64>,
    /// Priority-processing multiplier.
    pub priority_multiplier: Option<f64>,
    /// Flex-processing multiplier.
    pub flex_multiplier: Option<f64>,
    /// When these prices were read.
    pub as_of: Option<String>,
    /// Free text kept with the set.
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

/// The shape of a `--prices` file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OverridesFile {
    #[serde(default)]
    pub(super) prices: BTreeMap<String, PriceOverride>,
}

impl PriceTable {
    /// Reads the `[prices."model-id"]` tables of a `--prices` file (nothing else may be in it).
    pub fn parse_overrides_file(path: &Path) -> Result<BTreeMap<String, PriceOverride>> {
        // Bounded, regular files only, and errors that never echo the file's content.
        let text = crate::config::read_text(path, None)?;
        let file: OverridesFile = crate::config::parse_toml(path, &text)?;
        Ok(file.prices)
    }

    /// Applies overrides read from `origin` (a file path, recorded as the changed sets' source).
    ///
    /// See the module docs for the two forms. A missing required field, a bad date, overlapping sets or a
    /// negative or non-finite number is an [`Error::Config`] naming `origin` and the id.
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
            let existing = target.as_ref().and_then(|k| self.entries.get(k));
            let (key, sets) = match (&o.sets, existing) {
                (Some(dated), _) => {
                    if o.has_flat_fields() {
                        return Err(config_error(
                            id,
                            "give either flat prices or `sets`, not both".into(),
                        ));
                    }
                    let sets =
                        dated_sets(dated, o, existing, origin).map_err(|e| config_error(id, e))?;
                    (target.unwrap_or_else(|| id.clone()), sets)
                }
                (None, Some(sets)) => {
                    let was = sets
                        .last()
                        .map(|p| format!("other fields from {} (as of {})", p.source, p.as_of))
                        .unwrap_or_default();
                    let mut sets = sets.clone();
                    for p in &mut sets {
                        apply_fields(p, o);
                        p.source = origin.to_owned();
                        p.as_of = o.as_of.clone().unwrap_or_else(|| "unspecified".into());
                        p.notes = Some(o.notes.clone().unwrap_or_else(|| was.clone()));
                        p.check_numbers().map_err(|e| config_error(id, e))?;
                    }
                    (target.unwrap_or_else(|| id.clone()), sets)
                }
                (None, None) => {
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
                    let mut p = new_model(o.provider.as_deref(), input, output, origin);
                    p.as_of = o.as_of.clone().unwrap_or_else(|| "unspecified".into());
                    p.notes = o.notes.clone();
                    apply_fields(&mut p, o);
                    p.check_numbers().map_err(|e| config_error(id, e))?;
                    (id.clone(), vec![p])
                }
            };
            self.entries.insert(key, sets);
        }
        Ok(())
    }
}

impl PriceOverride {
    /// Whether any flat price field is given (the dated form allows only `provider` beside `sets`).
    fn has_flat_fields(&self) -> bool {
        self.input.is_some()
            || self.output.is_some()
            || self.cache_read.is_some()
            || self.cache_write_5m.is_some()
            || self.cache_write_1h.is_some()
            || self.long_context.is_some()
            || self.fast_multiplier.is_some()
            || self.priority_multiplier.is_some()
            || self.flex_multiplier.is_some()
    }
}

/// A new model's single set: cache prices at `input`, no multipliers.
fn new_model(provider: Option<&str>, input: f64, output: f64, origin: &str) -> ModelPrice {
    ModelPrice {
        provider: provider.unwrap_or("custom").to_owned(),
        from: None,
        to: None,
        input,
        output,
        cache_read: input,
        cache_write_5m: input,
        cache_write_1h: input,
        long_context: None,
        fast_multiplier: None,
        priority_multiplier: None,
        flex_multiplier: None,
        cache_writes_unlogged: false,
        aliases: Vec::new(),
        source: origin.to_owned(),
        as_of: "unspecified".into(),
        notes: None,
    }
}

/// The history a dated override gives, its gaps filled from the built-in sets (`existing`).
fn dated_sets(
    dated: &[SetOverride],
    o: &PriceOverride,
    existing: Option<&Vec<ModelPrice>>,
    origin: &str,
) -> std::result::Result<Vec<ModelPrice>, String> {
    let mut out = Vec::with_capacity(dated.len());
    for (i, s) in dated.iter().enumerate() {
        let base = match existing {
            Some(sets) => {
                let on = s
                    .from
                    .as_deref()
                    .or(s.to.as_deref())
                    .unwrap_or("0000-01-01");
                let (b, _) = table::select(sets, on).ok_or("the built-in entry has no set")?;
                let mut b = b.clone();
                b.from = None;
                b.to = None;
                b
            }
            None => {
                let (Some(input), Some(output)) = (s.input, s.output) else {
                    return Err(format!(
                        "set {} of a model not in the built-in table needs at least `input` and `output`",
                        i + 1
                    ));
                };
                new_model(o.provider.as_deref(), input, output, origin)
            }
        };
        let mut p = base;
        if let Some(v) = &o.provider {
            p.provider = v.clone();
        }
        p.from = s.from.clone();
        p.to = s.to.clone();
        let flat = PriceOverride {
            input: s.input,
            output: s.output,
            cache_read: s.cache_read,
            cache_write_5m: s.cache_write_5m,
            cache_write_1h: s.cache_write_1h,
            long_context: s.long_context.clone(),
            fast_multiplier: s.fast_multiplier,
            priority_multiplier: s.priority_multiplier,
            flex_multiplier: s.flex_multiplier,
            ..PriceOverride::default()
        };
        apply_fields(&mut p, &flat);
        p.source = origin.to_owned();
        p.as_of = s.as_of.clone().unwrap_or_else(|| "unspecified".into());
        p.notes = s.notes.clone();
        out.push(p);
    }
    table::check_history(out)
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
