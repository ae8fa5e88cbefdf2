//! Aligned terminal tables for people. Colour only when [`crate::term::ColorChoice`] allows it.
//!
//! Every string from a log, the repository or a config goes through `safe` (control characters
//! replaced) before it is put in a cell or a line, and a report printed without colour is cleaned
//! again as a whole: nothing from data can move the cursor, retitle the terminal or plant a link.

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::{duration, short, term_safe, term_safe_report, thousands, usd};
use crate::config::Provenance;

/// A data string made safe for the terminal.
fn safe(s: &str) -> String {
    term_safe(s).into_owned()
}

/// The finished report: cleaned once more as a whole when it carries no colour.
fn done(out: String, color: bool) -> String {
    if color { out } else { term_safe_report(out) }
}
use crate::metrics::usage::UsageReport;
use crate::metrics::{ReadSummary, SessionsReport};
use crate::pricing::PriceTable;

mod session;

pub use session::session;

pub(super) fn table(header: &[&str], color: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if color {
        // The caller decided (`--color always`, or a terminal without NO_COLOR): style even into a pipe.
        t.enforce_styling();
    } else {
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

pub(super) fn right(t: &mut Table, from: usize) {
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
            safe(&row.key),
            row.agents
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            safe(&row.models.join(", ")),
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
            safe(&tot.unpriced_models.join(", "))
        ));
    }
    out.push_str(&format!("dates in time zone {}\n", safe(tz)));
    out.push_str(&footer(read));
    done(out, color)
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
    let started_header = format!("started ({})", super::zone_name(&r.tz));
    let mut t = table(
        &[
            "session",
            "agent",
            &started_header,
            "duration",
            "models",
            "steps",
            "failed",
            "tokens",
            "cost",
            "lines",
            "merged",
            "in HEAD",
            "via",
            "verdict",
        ],
        color,
    );
    for s in &r.sessions {
        let started = s
            .started_at
            .map(|ts| super::minute(ts, &r.tz))
            .unwrap_or_else(|| "-".into());
        let (lines, merged, head, via) = match &s.outcome {
            Some(o) => (
                o.lines_added.to_string(),
                o.lines_merged.to_string(),
                o.lines_in_head.to_string(),
                o.merged_via.map_or("-", |r| r.as_str()).to_string(),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        let mut row: Vec<Cell> = [
            safe(&s.id.chars().take(8).collect::<String>()),
            s.agent.as_str().to_string(),
            started,
            duration(s.duration_s),
            safe(
                &s.models
                    .iter()
                    .map(|m| shorten_model(m))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            s.steps.to_string(),
            format!("{}/{}", s.failed_tool_calls, s.tool_calls),
            short(s.tokens.total()),
            usd(s.cost_usd),
            lines,
            merged,
            head,
            via,
        ]
        .into_iter()
        .map(Cell::new)
        .collect();
        row.push(verdict_colored(s, color));
        t.add_row(row);
    }
    right(&mut t, 5);
    let mut out = String::new();
    if let Some(repo) = &r.repo {
        out.push_str(&format!(
            "sessions in {} (base: {})\n",
            safe(&repo.display().to_string()),
            safe(r.base.as_deref().unwrap_or("none found"))
        ));
    }
    if r.sessions.is_empty() {
        out.push_str(if r.repo.is_some() {
            "no sessions of this repository\n"
        } else {
            "no sessions found\n"
        });
    } else {
        out.push_str(&format!("{t}\n"));
        out.push_str(&totals_line(r));
    }
    for n in &r.git_notes {
        out.push_str(&format!("note: {}\n", safe(n)));
    }
    out.push_str(&footer(&r.read));
    done(out, color)
}

fn verdict_cell(s: &crate::metrics::SessionReport) -> String {
    let codes: Vec<&str> = s
        .flags
        .iter()
        .map(|f| f.code)
        .filter(|c| *c != crate::metrics::verdict::FlagCode::UnknownPrice)
        .map(|c| c.as_str())
        .collect();
    match codes.as_slice() {
        [] => s.verdict.as_str().to_string(),
        [one] => format!("{}: {one}", s.verdict.as_str()),
        [first, rest @ ..] => format!("{}: {first} +{}", s.verdict.as_str(), rest.len()),
    }
}

/// The verdict cell, green / red / grey when colour is on.
fn verdict_colored(s: &crate::metrics::SessionReport, color: bool) -> Cell {
    let cell = Cell::new(verdict_cell(s));
    if !color {
        return cell;
    }
    cell.fg(match s.verdict {
        crate::metrics::Verdict::Leverage => Color::Green,
        crate::metrics::Verdict::Theater => Color::Red,
        _ => Color::DarkGrey,
    })
}

fn totals_line(r: &SessionsReport) -> String {
    let t = r.totals();
    let cost = match t.cost_usd {
        None => "cost unknown".to_string(),
        Some(c) => usd(Some(c)),
    };
    let mut line = format!(
        "{} sessions, {} tokens, {cost}",
        t.sessions,
        short(t.tokens)
    );
    if t.unknown_cost > 0 && t.cost_usd.is_some() {
        line.push_str(&format!(" (+ {} sessions of unknown cost)", t.unknown_cost));
    }
    line.push('\n');
    line
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
            .map(|(k, v)| format!("{v} {}", safe(k)))
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
pub fn prices(table_: &PriceTable, today: &str, at: Option<&str>, color: bool) -> String {
    let mut t = table(
        &[
            "model",
            "set from",
            "input",
            "output",
            "cache read",
            "cache write 5m",
            "cache write 1h",
            "long context",
            "source",
            "checked",
        ],
        color,
    );
    let chosen: Vec<_> = match at {
        Some(d) => table_.at(d).collect(),
        None => table_.current(today).collect(),
    };
    let history: std::collections::BTreeMap<_, _> = table_.history().collect();
    for (key, p) in chosen {
        let long = p
            .long_context
            .as_ref()
            .map(|l| format!(">{}k: {}/{}", l.threshold / 1000, l.input, l.output))
            .unwrap_or_default();
        let sets = history.get(key).map_or(1, |h| h.len());
        let from = p.from.as_deref().unwrap_or("-");
        let from = if sets > 1 {
            format!("{from} ({sets} sets)")
        } else {
            from.to_owned()
        };
        t.add_row(vec![
            safe(key),
            from,
            format!("{}", p.input),
            format!("{}", p.output),
            format!("{}", p.cache_read),
            format!("{}", p.cache_write_5m),
            format!("{}", p.cache_write_1h),
            long,
            safe(&p.source),
            safe(&p.as_of),
        ]);
    }
    right(&mut t, 2);
    let when = match at {
        Some(d) => format!("as on {d} (UTC)"),
        None => "current sets".to_owned(),
    };
    done(format!("USD per million tokens, {when}\n{t}\n"), color)
}

/// `prices --check` as text: each difference, then each model the logs use that the table lacks.
pub fn prices_check(r: &crate::pricing::check::CheckReport, color: bool) -> String {
    let format = match r.format {
        crate::pricing::check::Foreign::Litellm => "LiteLLM model_prices_and_context_window.json",
        crate::pricing::check::Foreign::GenaiPrices => "genai-prices data file",
    };
    let mut out = format!(
        "Compared {} first-party models of the {format} with the table's sets valid on {} (UTC).\n",
        r.compared, r.date
    );
    if r.differences.is_empty() {
        out.push_str("No differences.\n");
    } else {
        let mut t = table(&["file id", "table set", "field", "table", "file"], color);
        for d in &r.differences {
            t.add_row(vec![
                safe(&d.foreign_id),
                safe(&d.price_set),
                d.field.to_owned(),
                format!("{}", d.ours),
                format!("{}", d.theirs),
            ]);
        }
        right(&mut t, 3);
        out.push_str(&format!(
            "{} differences (USD per million tokens):\n{t}\n",
            r.differences.len()
        ));
    }
    if r.missing.is_empty() {
        out.push_str("Every model your logs use is in the table.\n");
    } else {
        out.push_str(
            "Models your logs use that the table lacks (unpriced until you add [prices.\"id\"]):\n",
        );
        for m in &r.missing {
            let hint = match &m.in_file {
                Some(p) => format!(
                    "the file lists it at input {} / output {}",
                    p.input.map_or("?".into(), |v| v.to_string()),
                    p.output.map_or("?".into(), |v| v.to_string())
                ),
                None => "not in the file either".to_owned(),
            };
            out.push_str(&format!("  {} ({hint})\n", safe(&m.model)));
        }
    }
    out
}

/// The `check` report as text, ending with the config and price table it was computed with.
pub fn check(
    r: &crate::metrics::branch::BranchReport,
    provenance: &Provenance,
    color: bool,
) -> String {
    let mut out = format!(
        "branch {} → {}: {} commits, {} lines added ({} by agent sessions, {} by people)\n",
        safe(&r.head),
        safe(&r.base),
        r.commits,
        r.branch_lines,
        r.agent_lines,
        r.human_lines
    );
    if r.sessions.is_empty() {
        out.push_str("no agent session wrote lines of this branch\n");
    } else {
        let mut t = table(
            &[
                "session",
                "agent",
                "cost",
                "tokens",
                "lines live",
                "verdict",
            ],
            color,
        );
        for s in &r.sessions {
            let mut row: Vec<Cell> = [
                safe(&s.id.chars().take(8).collect::<String>()),
                s.agent.as_str().to_string(),
                usd(s.cost_usd),
                short(s.tokens.total()),
                s.outcome.as_ref().map_or(0, |o| o.lines_live).to_string(),
            ]
            .into_iter()
            .map(Cell::new)
            .collect();
            row.push(verdict_colored(s, color));
            t.add_row(row);
        }
        right(&mut t, 2);
        out.push_str(&format!("{t}\n"));
        for s in &r.sessions {
            for pr in &s.pull_requests {
                out.push_str(&format!(
                    "session {} linked pull request #{}: {}\n",
                    safe(&s.id.chars().take(8).collect::<String>()),
                    pr.number,
                    safe(&pr.url)
                ));
            }
        }
        out.push_str(&format!(
            "cost {}, {} per agent line, review burden {}, routing savings {}\n",
            match r.cost_usd {
                Some(c) => usd(Some(c)),
                None => format!("≥{}", usd(Some(r.priced_usd))),
            },
            r.cost_per_line.map_or("-".into(), |c| format!("${c:.3}")),
            r.review_burden,
            usd(Some(r.savings_usd)),
        ));
    }
    for b in &r.broken {
        out.push_str(&format!("FAILED: {}\n", safe(b)));
    }
    out.push_str(&safe(&provenance.line()));
    out.push('\n');
    done(out, color)
}

/// The self-review as text.
pub fn review(r: &crate::metrics::review::ReviewReport, color: bool) -> String {
    let c = &r.current;
    let p = &r.previous;
    let mut out = format!(
        "review {} to {} ({} repositories)\n",
        r.since.to_zoned(r.tz.clone()).strftime("%Y-%m-%d"),
        r.until.to_zoned(r.tz.clone()).strftime("%Y-%m-%d"),
        r.repos.len()
    );
    let mut t = table(&["", "this period", "previous", "trend"], color);
    for row in &r.trend {
        let [a, b, change] = super::trend_cells(row);
        t.add_row(vec![row.label.to_string(), a, b, change]);
    }
    for tier in [
        crate::metrics::Tier::Premium,
        crate::metrics::Tier::Standard,
        crate::metrics::Tier::Economy,
    ] {
        t.add_row(vec![
            format!("spend on {}", tier.as_str()),
            usd(Some(c.cost_by_tier.get(&tier).copied().unwrap_or(0.0))),
            usd(Some(p.cost_by_tier.get(&tier).copied().unwrap_or(0.0))),
        ]);
    }
    right(&mut t, 1);
    out.push_str(&format!("{t}\n"));
    if !r.review_first.is_empty() {
        out.push_str("review first (most spend for least kept):\n");
        let mut t = table(
            &["session", "agent", "cost", "lines kept", "verdict", "flags"],
            color,
        );
        for s in &r.review_first {
            t.add_row(vec![
                safe(&s.id.chars().take(8).collect::<String>()),
                s.agent.as_str().to_string(),
                usd(Some(s.cost_usd)),
                s.lines_kept.to_string(),
                s.verdict.as_str().to_string(),
                safe(&s.flags.join(", ")),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    done(out, color)
}
