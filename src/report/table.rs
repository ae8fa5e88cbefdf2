//! Aligned terminal tables for people. Colour only when [`crate::term::ColorChoice`] allows it.

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Attribute, Cell, CellAlignment, ContentArrangement, Table};

use super::{duration, short, thousands, usd};
use crate::metrics::usage::UsageReport;
use crate::metrics::{ReadSummary, SessionsReport};
use crate::pricing::PriceTable;

fn table(header: &[&str], color: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        t.force_no_tty();
    }
    t.set_header(header.iter().map(|h| {
        let c = Cell::new(h);
        if color {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    }));
    t
}

fn right(t: &mut Table, from: usize) {
    let n = t.column_count();
    for i in from..n {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// The usage report.
pub fn usage(r: &UsageReport, tz: &str, read: &ReadSummary, color: bool) -> String {
    let key = match r.by {
        crate::metrics::usage::GroupBy::Day => "day",
        crate::metrics::usage::GroupBy::Week => "week",
        crate::metrics::usage::GroupBy::Month => "month",
        crate::metrics::usage::GroupBy::Session => "session",
        crate::metrics::usage::GroupBy::Model => "model",
    };
    let mut t = table(
        &[
            key,
            "agents",
            "models",
            "input",
            "output",
            "cache read",
            "cache write",
            "cost",
        ],
        color,
    );
    for row in &r.rows {
        t.add_row(vec![
            row.key.clone(),
            row.agents
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            row.models.join(", "),
            thousands(row.tokens.input),
            thousands(row.tokens.output),
            thousands(row.tokens.cache_read),
            thousands(row.tokens.cache_write),
            cost_cell(row.cost_usd, row.priced_usd),
        ]);
    }
    let tot = &r.total;
    t.add_row(vec![
        "total".to_string(),
        String::new(),
        String::new(),
        thousands(tot.tokens.input),
        thousands(tot.tokens.output),
        thousands(tot.tokens.cache_read),
        thousands(tot.tokens.cache_write),
        cost_cell(tot.cost_usd, tot.priced_usd),
    ]);
    right(&mut t, 3);
    let mut out = format!("{t}\n");
    if !tot.unpriced_models.is_empty() {
        out.push_str(&format!(
            "cost unknown for models not in the price table: {} (`?`; `≥` shows the priced part)\n",
            tot.unpriced_models.join(", ")
        ));
    }
    out.push_str(&format!("dates in time zone {tz}\n"));
    out.push_str(&footer(read));
    out
}

fn cost_cell(cost: Option<f64>, priced: f64) -> String {
    match cost {
        Some(_) => usd(cost),
        None if priced > 0.0 => format!("≥{}", usd(Some(priced))),
        None => "?".into(),
    }
}

/// The sessions report.
pub fn sessions(r: &SessionsReport, color: bool) -> String {
    let mut t = table(
        &[
            "session", "agent", "started", "duration", "models", "steps", "tools", "failed",
            "tokens", "cost",
        ],
        color,
    );
    for s in &r.sessions {
        let started = s
            .started_at
            .map(|ts| ts.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into());
        t.add_row(vec![
            s.id.chars().take(8).collect::<String>(),
            s.agent.as_str().to_string(),
            started,
            duration(s.duration_s),
            s.models
                .iter()
                .map(|m| shorten_model(m))
                .collect::<Vec<_>>()
                .join(", "),
            s.steps.to_string(),
            s.tool_calls.to_string(),
            s.failed_tool_calls.to_string(),
            short(s.tokens.total()),
            usd(s.cost_usd),
        ]);
    }
    right(&mut t, 5);
    let mut out = String::new();
    if let Some(repo) = &r.repo {
        out.push_str(&format!("sessions in {}\n", repo.display()));
    }
    if r.sessions.is_empty() {
        out.push_str("no sessions found\n");
    } else {
        out.push_str(&format!("{t}\n"));
        let cost: f64 = r.sessions.iter().filter_map(|s| s.cost_usd).sum();
        let tokens: u64 = r.sessions.iter().map(|s| s.tokens.total()).sum();
        out.push_str(&format!(
            "{} sessions, {} tokens, {}{}\n",
            r.sessions.len(),
            short(tokens),
            usd(Some(cost)),
            if r.sessions.iter().any(|s| s.cost_usd.is_none()) {
                " (+ sessions of unknown cost)"
            } else {
                ""
            }
        ));
    }
    out.push_str(&footer(&r.read));
    out
}

/// Model ids without the date suffix, for narrow columns.
fn shorten_model(m: &str) -> &str {
    match m.rsplit_once('-') {
        Some((head, tail)) if tail.len() == 8 && tail.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => m,
    }
}

/// One line on what was read and skipped.
pub fn footer(read: &ReadSummary) -> String {
    let mut s = format!(
        "read {} files, {} lines",
        thousands(read.files),
        thousands(read.lines)
    );
    if read.skipped_lines > 0 {
        let reasons: Vec<String> = read
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        s.push_str(&format!(
            "; skipped {} lines ({}; -v lists files)",
            read.skipped_lines,
            reasons.join(", ")
        ));
    }
    if !read.unreadable_files.is_empty() {
        s.push_str(&format!(
            "; {} files unreadable (-v lists them)",
            read.unreadable_files.len()
        ));
    }
    s.push('\n');
    s
}

/// The price table.
pub fn prices(table_: &PriceTable, color: bool) -> String {
    let mut t = table(
        &[
            "model",
            "input",
            "output",
            "cache read",
            "cache write 5m",
            "cache write 1h",
            "long context",
            "source",
            "as of",
        ],
        color,
    );
    for (key, p) in table_.entries() {
        let long = p
            .long_context
            .as_ref()
            .map(|l| format!(">{}k: {}/{}", l.threshold / 1000, l.input, l.output))
            .unwrap_or_default();
        t.add_row(vec![
            key.to_string(),
            format!("{}", p.input),
            format!("{}", p.output),
            format!("{}", p.cache_read),
            format!("{}", p.cache_write_5m),
            format!("{}", p.cache_write_1h),
            long,
            p.source.clone(),
            p.as_of.clone(),
        ]);
    }
    right(&mut t, 1);
    format!("USD per million tokens\n{t}\n")
}
