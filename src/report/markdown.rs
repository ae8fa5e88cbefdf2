//! Markdown for pull-request comments and CI summaries: a headline sentence, one table, and the details
//! folded away.
//!
//! Branch names, session ids, model names and every sentence holding them come from others (a branch
//! pushed by anyone, a log): each goes through [`md_code`] or [`md_text`], so none can end a line, open
//! or close the `<details>` block, fake a verdict, split a table cell or mention anyone.

use std::fmt::Write;

use super::{md_code, md_text, short, usd};
use crate::config::Provenance;
use crate::metrics::branch::BranchReport;

/// The first 8 characters of a session id, as inline code.
fn id8(id: &str, in_table: bool) -> String {
    md_code(&id.chars().take(8).collect::<String>(), in_table)
}

/// Model names as inline code, comma-separated.
fn models(models: &[String]) -> String {
    models
        .iter()
        .map(|m| md_code(m, true))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pct(share: Option<f64>) -> String {
    share.map_or("-".into(), |s| format!("{:.0}%", s * 100.0))
}

/// The `check` report, with the config and price table it was computed with.
pub fn check(r: &BranchReport, provenance: &Provenance) -> String {
    let mut out = String::new();
    let n = r.sessions.len();
    let count = |v: &str| r.verdicts.get(v).copied().unwrap_or(0);
    if n == 0 {
        let _ = writeln!(
            out,
            "**agent-audit** · {} → {}: no agent session wrote lines of this branch ({} lines added, {} commits).",
            md_code(&r.head, false),
            md_code(&r.base, false),
            r.branch_lines,
            r.commits
        );
    } else {
        let _ = writeln!(
            out,
            "**agent-audit** · {} → {}: {n} agent session{} wrote {} of {} added lines ({}) for {} — {} leverage, {} theater, {} lead.",
            md_code(&r.head, false),
            md_code(&r.base, false),
            if n == 1 { "" } else { "s" },
            r.agent_lines,
            r.branch_lines,
            pct(r.agent_share),
            cost(r),
            count("leverage"),
            count("theater"),
            count("lead"),
        );
    }
    if !r.broken.is_empty() {
        let _ = writeln!(
            out,
            "\n:x: **check failed**: {}",
            md_text(&r.broken.join("; "))
        );
    }
    if n > 0 {
        let _ = writeln!(
            out,
            "\n| session | agent | models | cost | tokens | lines live | verdict | flags |\n|---|---|---|--:|--:|--:|---|---|"
        );
        for s in &r.sessions {
            let kept = s.outcome.as_ref().map_or(0, |o| o.lines_live);
            let flags: Vec<&str> = s.flags.iter().map(|f| f.code.as_str()).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                id8(&s.id, true),
                s.agent,
                models(&s.models),
                usd(s.cost_usd),
                short(s.tokens.total()),
                kept,
                s.verdict.as_str(),
                md_text(&flags.join(", "))
            );
        }
    }
    let prs: Vec<String> = r
        .sessions
        .iter()
        .flat_map(|s| s.pull_requests.iter())
        .map(|p| format!("#{}", p.number))
        .collect();
    if !prs.is_empty() {
        let _ = writeln!(
            out,
            "\npull requests linked by these sessions: {}",
            prs.join(", ")
        );
    }
    let _ = writeln!(out, "\n<details><summary>Details</summary>\n");
    let _ = writeln!(
        out,
        "- branch: {} commits, {} files, {} non-trivial lines added: {} by agents, {} by people",
        r.commits, r.files_changed, r.branch_lines, r.agent_lines, r.human_lines
    );
    let _ = writeln!(
        out,
        "- spend: {} over {} tokens; {} per agent line kept; premium share {}",
        cost(r),
        short(r.tokens),
        r.cost_per_line.map_or("-".into(), |c| format!("${c:.3}")),
        r.premium_share
            .map_or("-".into(), |p| format!("{:.0}%", p * 100.0)),
    );
    let _ = writeln!(
        out,
        "- review burden: {} (merged agent lines + files + self-churn); routing savings available: {}",
        r.review_burden,
        usd(Some(r.savings_usd))
    );
    for s in &r.sessions {
        if s.reasons.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "- {} ({}): {}",
            id8(&s.id, false),
            s.verdict.as_str(),
            md_text(&s.reasons.join("; "))
        );
    }
    let _ = writeln!(
        out,
        "\nCosts are list prices from agent-audit's embedded table (`agent-audit prices`); lines are matched by content against the branch's commits.\n\n</details>"
    );
    let _ = writeln!(out, "\n{}", md_text(&provenance.line()));
    out
}

fn cost(r: &BranchReport) -> String {
    match r.cost_usd {
        Some(c) => usd(Some(c)),
        None => format!("≥{}", usd(Some(r.priced_usd))),
    }
}

/// The self-review.
pub fn review(r: &crate::metrics::review::ReviewReport) -> String {
    let c = &r.current;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# agent-audit review, {} to {}\n",
        r.since.to_zoned(r.tz.clone()).strftime("%Y-%m-%d"),
        r.until.to_zoned(r.tz.clone()).strftime("%Y-%m-%d")
    );
    let _ = writeln!(
        out,
        "{} sessions cost {} for {} merged lines ({} still in HEAD){}.\n",
        c.sessions,
        usd(Some(c.cost_usd)),
        c.lines_merged,
        c.lines_in_head,
        c.cost_per_merged_line
            .map(|x| format!(", ${x:.3} per merged line"))
            .unwrap_or_default()
    );
    for n in &r.notes {
        let _ = writeln!(out, "> note: {}\n", super::md_text(n));
    }
    let _ = writeln!(
        out,
        "| | this period | previous | trend |\n|---|--:|--:|--:|"
    );
    for t in &r.trend {
        let [a, b, change] = super::trend_cells(t);
        let _ = writeln!(out, "| {} | {a} | {b} | {change} |", t.label);
    }
    if !r.review_first.is_empty() {
        let _ = writeln!(
            out,
            "\n## Review first\n\n| session | agent | cost | lines kept | verdict | flags |\n|---|---|--:|--:|---|---|"
        );
        for s in &r.review_first {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                id8(&s.id, true),
                s.agent,
                usd(Some(s.cost_usd)),
                s.lines_kept,
                s.verdict.as_str(),
                md_text(&s.flags.join(", "))
            );
        }
    }
    let _ = writeln!(out, "\n## Spend by route tier\n");
    for (tier, cost) in &c.cost_by_tier {
        let _ = writeln!(out, "- {}: {}", tier.as_str(), usd(Some(*cost)));
    }
    out
}
