//! The team review (`review --from`): as a table for people and as `agent-audit/team-review/v1` JSON.

use serde_json::json;

use super::table::{right, table};
use super::{thousands, usd};
use crate::metrics::team::TeamReview;

/// `agent-audit/team-review/v1`.
pub const TEAM_REVIEW_SCHEMA: &str = "agent-audit/team-review/v1";

/// A string read from an export file (another machine's), made safe for the terminal: a hostile
/// record cannot send escape sequences.
fn printable(s: &str) -> String {
    super::term_safe(s).into_owned()
}

fn per_line(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("${x:.3}"))
}

/// Aligned text.
pub fn table_text(r: &TeamReview, color: bool) -> String {
    let t = &r.totals;
    let mut out = format!(
        "team review {} to {}: {} sessions from {} machines, {} repositories\n",
        r.since.strftime("%Y-%m-%d"),
        r.until.strftime("%Y-%m-%d"),
        t.sessions,
        t.machines,
        t.repositories
    );
    let mut tt = table(&["", "this period"], color);
    tt.add_row(vec!["sessions".to_string(), t.sessions.to_string()]);
    tt.add_row(vec!["spend".into(), usd(Some(t.cost_usd))]);
    tt.add_row(vec!["merged lines".into(), thousands(t.lines_merged)]);
    tt.add_row(vec!["lines in HEAD".into(), thousands(t.lines_in_head)]);
    tt.add_row(vec![
        "cost per merged line".into(),
        per_line(t.cost_per_merged_line),
    ]);
    for v in ["leverage", "theater", "lead"] {
        // Other verdicts a newer version may write are in the JSON; the table shows these three.
        let x = t.by_verdict.get(v).cloned().unwrap_or_default();
        tt.add_row(vec![
            v.to_string(),
            format!("{} ({})", x.sessions, usd(Some(x.cost_usd))),
        ]);
    }
    right(&mut tt, 1);
    out.push_str(&format!("{tt}\n"));
    out.push_str("cost per merged line, per repository and week (weeks start on Monday, UTC):\n");
    let mut rw = table(
        &[
            "repository",
            "week",
            "sessions",
            "spend",
            "merged",
            "per line",
        ],
        color,
    );
    for row in &r.by_repository_week {
        rw.add_row(vec![
            printable(&row.repository),
            printable(&row.week),
            row.sessions.to_string(),
            usd(Some(row.cost_usd)),
            thousands(row.lines_merged),
            per_line(row.cost_per_merged_line),
        ]);
    }
    right(&mut rw, 2);
    out.push_str(&format!("{rw}\n"));
    out.push_str("spend per machine:\n");
    let mut m = table(
        &["machine", "sessions", "spend", "theater", "theater spend"],
        color,
    );
    for row in &r.by_machine {
        m.add_row(vec![
            printable(&row.machine),
            row.sessions.to_string(),
            usd(Some(row.cost_usd)),
            row.theater_sessions.to_string(),
            usd(Some(row.theater_cost_usd)),
        ]);
    }
    right(&mut m, 1);
    out.push_str(&format!("{m}\n"));
    let skipped: u64 = r.skipped.values().sum();
    out.push_str(&format!(
        "read {} files: {} session records, {} duplicates of a key not counted again{}\n",
        r.files.len(),
        r.records,
        r.duplicates,
        if skipped > 0 {
            format!(", {skipped} lines skipped")
        } else {
            String::new()
        }
    ));
    if color {
        out
    } else {
        super::term_safe_report(out)
    }
}

/// `agent-audit/team-review/v1`.
pub fn json(r: &TeamReview) -> String {
    let mut doc = serde_json::to_value(r).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(map) = &mut doc {
        map.insert("schema".into(), json!(TEAM_REVIEW_SCHEMA));
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}
