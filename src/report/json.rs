//! JSON documents, each with a versioned `schema` name. Field names are a contract (see the README).
//!
//! A report that cannot be written as JSON (JSON strings are UTF-8, so a repository or log path that is
//! not cannot be) is an [`Error::Json`], never a document-less `null`: the command exits 2 saying why.

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Provenance;
use crate::error::{Error, Result};
use crate::metrics::usage::UsageReport;
use crate::metrics::{ReadSummary, SessionsReport};
use crate::pricing::PriceTable;

/// `agent-audit/usage/v1`.
pub const USAGE_SCHEMA: &str = "agent-audit/usage/v1";
/// `agent-audit/sessions/v1`.
pub const SESSIONS_SCHEMA: &str = "agent-audit/sessions/v1";
/// `agent-audit/session/v1`.
pub const SESSION_SCHEMA: &str = "agent-audit/session/v1";
/// `agent-audit/check/v1`.
pub const CHECK_SCHEMA: &str = "agent-audit/check/v1";
/// `agent-audit/prices/v1`.
pub const PRICES_SCHEMA: &str = "agent-audit/prices/v1";
/// `agent-audit/review/v1`.
pub const REVIEW_SCHEMA: &str = "agent-audit/review/v1";

fn value<T: Serialize + ?Sized>(schema: &'static str, v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Json {
        schema,
        message: e.to_string(),
    })
}

/// The usage report.
pub fn usage(report: &UsageReport, tz: &str, read: &ReadSummary) -> Result<String> {
    let doc = json!({
        "schema": USAGE_SCHEMA,
        "by": value(USAGE_SCHEMA, &report.by)?,
        "time_zone": tz,
        "rows": value(USAGE_SCHEMA, &report.rows)?,
        "total": value(USAGE_SCHEMA, &report.total)?,
        "read": value(USAGE_SCHEMA, read)?,
    });
    pretty(USAGE_SCHEMA, &doc)
}

/// The sessions report.
pub fn sessions(report: &SessionsReport) -> Result<String> {
    /// Serialized straight from the report (no intermediate `Value`: it was a tenth of `sessions`).
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        repo: &'a Option<std::path::PathBuf>,
        base: &'a Option<String>,
        git_notes: &'a [String],
        sessions: &'a [crate::metrics::SessionReport],
        read: &'a ReadSummary,
    }
    let doc = Doc {
        schema: SESSIONS_SCHEMA,
        repo: &report.repo,
        base: &report.base,
        git_notes: &report.git_notes,
        sessions: &report.sessions,
        read: &report.read,
    };
    pretty(SESSIONS_SCHEMA, &doc)
}

/// One session in detail (the same session object as in `sessions`, with its `outcome.files`).
pub fn session(report: &SessionsReport) -> Result<String> {
    let doc = json!({
        "schema": SESSION_SCHEMA,
        "repo": value(SESSION_SCHEMA, &report.repo)?,
        "base": report.base,
        "git_notes": report.git_notes,
        "session": value(SESSION_SCHEMA, &report.sessions.first())?,
    });
    pretty(SESSION_SCHEMA, &doc)
}

/// The branch summary, with the config and price table it was computed with.
pub fn check(r: &crate::metrics::branch::BranchReport, provenance: &Provenance) -> Result<String> {
    let mut doc = value(CHECK_SCHEMA, r)?;
    if let Value::Object(map) = &mut doc {
        map.insert("schema".into(), CHECK_SCHEMA.into());
        map.insert("settings".into(), value(CHECK_SCHEMA, provenance)?);
    }
    pretty(CHECK_SCHEMA, &doc)
}

/// The price table: each model's current set (or the set valid on `at`) with its name in `price_set`, and
/// the model's whole dated history in `sets` (oldest first).
pub fn prices(table: &PriceTable, today: &str, at: Option<&str>) -> Result<String> {
    let mut models = serde_json::Map::new();
    let chosen: Vec<_> = match at {
        Some(d) => table.at(d).collect(),
        None => table.current(today).collect(),
    };
    let history: std::collections::BTreeMap<_, _> = table.history().collect();
    for (k, p) in chosen {
        let mut entry = value(PRICES_SCHEMA, p)?;
        if let Value::Object(map) = &mut entry {
            map.insert("price_set".into(), p.set_name(k).into());
            let sets = history.get(k).copied().unwrap_or_default();
            map.insert("sets".into(), value(PRICES_SCHEMA, &sets)?);
        }
        models.insert(k.to_owned(), entry);
    }
    let mut doc =
        json!({ "schema": PRICES_SCHEMA, "unit": "USD per million tokens", "models": models });
    if let (Some(d), Value::Object(map)) = (at, &mut doc) {
        map.insert("at".into(), d.into());
    }
    pretty(PRICES_SCHEMA, &doc)
}

/// `agent-audit/prices-check/v1`.
pub const PRICES_CHECK_SCHEMA: &str = "agent-audit/prices-check/v1";

/// `prices --check`: the differences and the models the logs use that the table lacks.
pub fn prices_check(r: &crate::pricing::check::CheckReport) -> Result<String> {
    let mut doc = value(PRICES_CHECK_SCHEMA, r)?;
    if let Value::Object(map) = &mut doc {
        map.insert("schema".into(), PRICES_CHECK_SCHEMA.into());
    }
    pretty(PRICES_CHECK_SCHEMA, &doc)
}

/// The self-review.
pub fn review(r: &crate::metrics::review::ReviewReport) -> Result<String> {
    let mut doc = value(REVIEW_SCHEMA, r)?;
    if let Value::Object(map) = &mut doc {
        map.insert("schema".into(), REVIEW_SCHEMA.into());
    }
    pretty(REVIEW_SCHEMA, &doc)
}

fn pretty<T: Serialize + ?Sized>(schema: &'static str, v: &T) -> Result<String> {
    let mut doc = value(schema, v)?;
    tidy(&mut doc);
    let mut s = serde_json::to_string_pretty(&doc).map_err(|e| Error::Json {
        schema,
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}

/// Rounds every fractional number to 12 decimal places, so that a sum of prices prints as `4.61709`,
/// not `4.617090000000001` (binary noise far below a millionth of a cent; no figure is changed beyond it).
pub fn tidy(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64().filter(|x| x.is_finite() && x.abs() < 1e15)
                && let Ok(r) = format!("{x:.12}").parse::<f64>()
                && let Some(m) = serde_json::Number::from_f64(r)
            {
                *n = m;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(tidy),
        Value::Object(o) => o.values_mut().for_each(tidy),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_of_prices_print_without_binary_noise() {
        let mut v = json!({"cost_usd": 4.617090000000001, "share": [0.1 + 0.2], "tokens": 12, "tiny": 1.5e-9});
        tidy(&mut v);
        assert_eq!(
            v.to_string(),
            r#"{"cost_usd":4.61709,"share":[0.3],"tiny":1.5e-9,"tokens":12}"#
        );
    }
}
