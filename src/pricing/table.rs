//! The price history: the shape of `src/prices.toml`, the checks every history passes, and the choice of the
//! set valid on a date (or the nearest one, flagged, outside every window).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{LongContext, ModelPrice, PriceTable};

/// The shape of `src/prices.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmbeddedFile {
    models: BTreeMap<String, ModelToml>,
}

/// One model: what does not change over time, and its dated sets.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelToml {
    provider: String,
    #[serde(default)]
    aliases: Vec<String>,
    sets: Vec<SetToml>,
}

/// One dated set as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetToml {
    from: Option<String>,
    to: Option<String>,
    input: f64,
    output: f64,
    cache_read: f64,
    cache_write_5m: f64,
    cache_write_1h: f64,
    long_context: Option<LongContext>,
    fast_multiplier: Option<f64>,
    priority_multiplier: Option<f64>,
    flex_multiplier: Option<f64>,
    #[serde(default)]
    cache_writes_unlogged: bool,
    source: String,
    checked: String,
    notes: Option<String>,
}

impl PriceTable {
    /// Parses and checks a table in the shape of `src/prices.toml`.
    pub(super) fn parse_embedded(text: &str) -> std::result::Result<PriceTable, String> {
        let file: EmbeddedFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut table = PriceTable::default();
        for (key, m) in file.models {
            let mut sets = Vec::with_capacity(m.sets.len());
            for s in m.sets {
                if !s.source.starts_with("https://") {
                    return Err(format!("`{key}`: source must be a https:// URL"));
                }
                if !super::resolve::is_iso_date(&s.checked) {
                    return Err(format!("`{key}`: checked must be a YYYY-MM-DD date"));
                }
                sets.push(ModelPrice {
                    provider: m.provider.clone(),
                    from: s.from,
                    to: s.to,
                    input: s.input,
                    output: s.output,
                    cache_read: s.cache_read,
                    cache_write_5m: s.cache_write_5m,
                    cache_write_1h: s.cache_write_1h,
                    long_context: s.long_context,
                    fast_multiplier: s.fast_multiplier,
                    priority_multiplier: s.priority_multiplier,
                    flex_multiplier: s.flex_multiplier,
                    cache_writes_unlogged: s.cache_writes_unlogged,
                    aliases: m.aliases.clone(),
                    source: s.source,
                    as_of: s.checked,
                    notes: s.notes,
                });
            }
            let sets = check_history(sets).map_err(|e| format!("`{key}`: {e}"))?;
            for alias in &m.aliases {
                if let Some(other) = table.aliases.insert(alias.clone(), key.clone()) {
                    return Err(format!(
                        "alias `{alias}` is declared by `{other}` and `{key}`"
                    ));
                }
            }
            table.entries.insert(key, sets);
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
}

/// Checks one model's sets and closes their windows: at least one set, numbers usable, dates `YYYY-MM-DD`,
/// `from` before `to`, only the first set without `from`, sets in date order and not overlapping. A `to` left
/// out before a later set becomes that set's `from`.
pub(super) fn check_history(
    mut sets: Vec<ModelPrice>,
) -> std::result::Result<Vec<ModelPrice>, String> {
    if sets.is_empty() {
        return Err("needs at least one price set".into());
    }
    let n = sets.len();
    for (i, s) in sets.iter().enumerate() {
        s.check_numbers()?;
        for d in [&s.from, &s.to].into_iter().flatten() {
            if !super::resolve::is_iso_date(d) {
                return Err(format!("`{d}` is not a YYYY-MM-DD date"));
            }
        }
        if s.from.is_none() && i > 0 {
            return Err(format!(
                "set {} has no `from`: only the first set may omit it",
                i + 1
            ));
        }
        if let (Some(f), Some(t)) = (&s.from, &s.to)
            && f >= t
        {
            return Err(format!("set from {f} must end after it starts (to = {t})"));
        }
    }
    for i in 1..n {
        let next_from = sets[i].from.clone().unwrap_or_default();
        let prev = &mut sets[i - 1];
        if prev
            .from
            .as_deref()
            .is_some_and(|f| f >= next_from.as_str())
        {
            return Err(format!(
                "sets must be in date order: {next_from} comes after {}",
                prev.from.as_deref().unwrap_or("undated")
            ));
        }
        match &prev.to {
            Some(t) if t.as_str() > next_from.as_str() => {
                return Err(format!(
                    "the set ending {t} overlaps the set from {next_from}"
                ));
            }
            Some(_) => {}
            None => prev.to = Some(next_from),
        }
    }
    Ok(sets)
}

/// The set valid on `date`, or the nearest one (in days; the later one on a tie) and `true` when `date` is
/// outside every window. `None` only for an empty history.
pub(super) fn select<'a>(sets: &'a [ModelPrice], date: &str) -> Option<(&'a ModelPrice, bool)> {
    if let Some(s) = sets.iter().find(|s| s.covers(date)) {
        return Some((s, false));
    }
    let day = days(date)?;
    let distance = |s: &ModelPrice| -> i64 {
        let before = s.from.as_deref().and_then(days).map(|f| f - day);
        let after = s.to.as_deref().and_then(days).map(|t| day - t + 1);
        before
            .filter(|d| *d > 0)
            .or(after.filter(|d| *d > 0))
            .unwrap_or(0)
    };
    let mut best: Option<(&ModelPrice, i64)> = None;
    for s in sets {
        let d = distance(s);
        if best.is_none_or(|(_, b)| d <= b) {
            best = Some((s, d));
        }
    }
    best.map(|(s, _)| (s, true))
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the civil-from-days inverse, proleptic Gregorian).
pub(super) fn days(date: &str) -> Option<i64> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}
