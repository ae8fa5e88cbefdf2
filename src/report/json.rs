//! JSON documents, each with a versioned `schema` name. Field names are a contract (see the README).

use serde_json::{Value, json};

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

fn read_json(read: &ReadSummary) -> Value {
    serde_json::to_value(read).unwrap_or(Value::Null)
}

/// The usage report.
pub fn usage(report: &UsageReport, tz: &str, read: &ReadSummary) -> String {
    let doc = json!({
        "schema": USAGE_SCHEMA,
        "by": report.by,
        "time_zone": tz,
        "rows": report.rows,
        "total": report.total,
        "read": read_json(read),
    });
    pretty(&doc)
}

/// The sessions report.
pub fn sessions(report: &SessionsReport) -> String {
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
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

/// One session in detail (the same session object as in `sessions`, with its `outcome.files`).
pub fn session(report: &SessionsReport) -> String {
    let doc = json!({
        "schema": SESSION_SCHEMA,
        "repo": report.repo,
        "base": report.base,
        "git_notes": report.git_notes,
        "session": report.sessions.first(),
    });
    pretty(&doc)
}

/// The branch summary.
pub fn check(r: &crate::metrics::branch::BranchReport) -> String {
    let mut doc = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut doc {
        map.insert("schema".into(), CHECK_SCHEMA.into());
    }
    pretty(&doc)
}

/// The price table.
pub fn prices(table: &PriceTable) -> String {
    let models: serde_json::Map<String, Value> = table
        .entries()
        .map(|(k, p)| (k.to_owned(), serde_json::to_value(p).unwrap_or(Value::Null)))
        .collect();
    pretty(&json!({ "schema": PRICES_SCHEMA, "unit": "USD per million tokens", "models": models }))
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

/// `agent-audit/review/v1`.
pub const REVIEW_SCHEMA: &str = "agent-audit/review/v1";

/// The self-review.
pub fn review(r: &crate::metrics::review::ReviewReport) -> String {
    let mut doc = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut doc {
        map.insert("schema".into(), REVIEW_SCHEMA.into());
    }
    pretty(&doc)
}
