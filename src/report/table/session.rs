//! `session ID`: one session in detail — its figures, its verdict with the reasons, where each edited
//! file's lines went — and its step table.

use super::*;

/// One session in detail: figures, then where each edited file's lines went.
pub fn session(r: &SessionsReport, color: bool) -> String {
    let Some(s) = r.sessions.first() else {
        return "no session\n".into();
    };
    let mut out = String::new();
    let when = s
        .started_at
        .map(|t| crate::report::minute_labelled(t, &r.tz))
        .unwrap_or_else(|| "-".into());
    out.push_str(&format!("session {} ({})\n", safe(&s.id), s.agent.as_str()));
    out.push_str(&format!(
        "  started {when}, lasted {}, branch {}, cwd {}\n",
        duration(s.duration_s),
        safe(s.branch.as_deref().unwrap_or("-")),
        safe(
            &s.cwd
                .as_ref()
                .map_or("-".into(), |c| c.display().to_string())
        )
    ));
    out.push_str(&format!(
        "  {} steps on {}; {} tool calls ({} failed)\n",
        s.steps,
        if s.models.is_empty() {
            "-".to_string()
        } else {
            safe(&s.models.join(", "))
        },
        s.tool_calls,
        s.failed_tool_calls
    ));
    out.push_str(&format!(
        "  tokens: {} input, {} output, {} cache read, {} cache write; cost {}\n",
        thousands(s.tokens.input),
        thousands(s.tokens.output),
        thousands(s.tokens.cache_read),
        thousands(s.tokens.cache_write),
        usd(s.cost_usd)
    ));
    if let Some(r) = &s.agent_reported {
        out.push_str(&format!(
            "  Claude Code's own total (cost-state): {} beside agent-audit's {} (difference {})\n    why they differ: {}\n",
            usd(r.cost_usd),
            usd(s.cost_usd),
            usd(r.difference_usd),
            r.explanation
        ));
    }
    for n in &s.notes {
        out.push_str(&format!("  note: {}\n", safe(n)));
    }
    for pr in &s.pull_requests {
        out.push_str(&format!(
            "  pull request #{}: {}\n",
            pr.number,
            safe(&pr.url)
        ));
    }
    out.push_str(&format!(
        "\nverdict: {}\n",
        s.verdict.as_str().to_uppercase()
    ));
    for r in &s.reasons {
        out.push_str(&format!("  - {}\n", safe(r)));
    }
    out.push_str(&steps_table(s, &r.tz, color));
    let c = &s.context;
    out.push_str(&format!(
        "\ncontext: {} files read ({} never edited), {} edited, {} dirs listed, {} searches, {} of tool output; cache reads {} of input\n",
        c.files_read,
        c.files_read_not_edited,
        c.files_edited,
        c.dirs_listed,
        c.searches,
        bytes(c.bytes_read),
        c.cache_read_share.map_or("-".into(), |x| format!("{:.0}%", x * 100.0)),
    ));
    let rt = &s.retries;
    out.push_str(&format!(
        "retries: {} failed calls ({} failed edits, {} re-attempted), {} commands re-run after failing, {} rewrites of its own lines ({} lines); {} steps, {}\n",
        rt.failed_calls,
        rt.failed_edits,
        rt.edit_retries,
        rt.command_reruns,
        rt.rewrites,
        rt.self_removed_lines,
        rt.retry_steps,
        usd(rt.retry_cost_usd),
    ));
    let p = &s.premium;
    out.push_str(&format!(
        "routing: {} premium steps ({}), {} of them only read/listed/searched; on the economy model they would have cost {} less\n",
        p.steps,
        usd(Some(p.cost_usd)),
        p.simple_steps,
        usd(Some(p.savings_usd)),
    ));
    let m = &s.metrics;
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("${x:.3}"));
    out.push_str(&format!(
        "per line: {} per merged line, {} per line in HEAD, {} lines per dollar, review burden {}\n",
        opt(m.cost_per_merged_line),
        opt(m.cost_per_head_line),
        m.lines_per_dollar.map_or("-".into(), |x| format!("{x:.0}")),
        m.review_burden.map_or("-".into(), |x| x.to_string()),
    ));
    let Some(o) = &s.outcome else {
        out.push_str("\nno git outcome\n");
        return done(out, color);
    };
    out.push_str(&format!(
        "\nlines (base: {}): {} added, {} committed, {} merged{}, {} still in HEAD",
        safe(r.base.as_deref().unwrap_or("none found")),
        o.lines_added,
        o.lines_committed,
        o.lines_merged,
        o.merged_via
            .map(|v| format!(" via {}", v.as_str()))
            .unwrap_or_default(),
        o.lines_in_head
    ));
    if o.self_removed_lines > 0 {
        out.push_str(&format!(
            "; {} lines rewritten or removed by the session itself",
            o.self_removed_lines
        ));
    }
    out.push('\n');
    if o.lines_committed > 0 {
        out.push_str(&format!(
            "evidence: {} committed lines are distinctive, {} are common lines anchored by their hunk or by the session's own commit\n",
            o.lines_distinctive, o.lines_anchored
        ));
    }
    if o.lines_via_anchor > 0 {
        out.push_str(&format!(
            "shell-edited files: {} lines credited via its own commit ({} merged), not by content\n",
            o.lines_via_anchor, o.lines_via_anchor_merged
        ));
    }
    if !o.own_commits.is_empty() {
        out.push_str(&format!(
            "commits it made itself: {}\n",
            o.own_commits
                .iter()
                .map(|c| c.chars().take(10).collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if !o.files.is_empty() {
        let mut t = table(
            &["file", "added", "committed", "merged", "in HEAD", "commits"],
            color,
        );
        for f in &o.files {
            t.add_row(vec![
                safe(&f.path),
                f.lines_added.to_string(),
                f.lines_committed.to_string(),
                f.lines_merged.to_string(),
                f.lines_in_head.to_string(),
                safe(
                    &f.commits
                        .iter()
                        .map(|c| c.chars().take(10).collect::<String>())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            ]);
        }
        right(&mut t, 1);
        out.push_str(&format!("{t}\n"));
    }
    if !o.commit_matches.is_empty() {
        let mut t = table(
            &[
                "commit",
                "lines",
                "on base",
                "route",
                "summary",
                "agent marks",
            ],
            color,
        );
        for m in &o.commit_matches {
            t.add_row(vec![
                safe(&m.sha.chars().take(10).collect::<String>()),
                m.lines.to_string(),
                if m.on_base { "yes" } else { "no" }.to_string(),
                m.route.map_or("-", |r| r.as_str()).to_string(),
                safe(&m.summary),
                safe(&m.signals.join("; ")),
            ]);
        }
        out.push_str(&format!("{t}\n"));
        out.push_str("check by hand: git log -S '<line>' --all; git blame <file>\n");
    }
    for n in &r.git_notes {
        out.push_str(&format!("note: {}\n", safe(n)));
    }
    done(out, color)
}

pub(super) fn bytes(n: u64) -> String {
    let f = n as f64;
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", f / 1024.0)
    } else {
        format!("{:.1} MiB", f / 1048576.0)
    }
}

/// The step table: every response, its route and what its tools did.
pub(super) fn steps_table(
    s: &crate::metrics::SessionReport,
    tz: &jiff::tz::TimeZone,
    color: bool,
) -> String {
    if s.step_rows.is_empty() {
        return String::new();
    }
    let time_header = format!("time ({})", crate::report::zone_name(tz));
    let mut t = table(
        &[
            "#",
            &time_header,
            "model",
            "route",
            "tokens",
            "cost",
            "tools",
            "in",
            "marks",
        ],
        color,
    );
    for r in &s.step_rows {
        let tools: Vec<String> = r
            .calls
            .iter()
            .map(|call| {
                let target = call
                    .paths
                    .first()
                    .map(|p| safe(p.rsplit('/').next().unwrap_or(p)))
                    .unwrap_or_default();
                let err = if call.is_error { "!" } else { "" };
                let name = safe(&call.name);
                if target.is_empty() {
                    format!("{name}{err}")
                } else {
                    format!("{name}({target}){err}")
                }
            })
            .collect();
        let mut marks = Vec::new();
        if r.error {
            marks.push("error".to_string());
        }
        if r.retry {
            marks.push("retry".to_string());
        }
        if let (Some(m), Some(cost)) = (&r.economy_model, r.economy_cost_usd) {
            marks.push(format!("{} on {}", usd(Some(cost)), safe(shorten_model(m))));
        }
        if !r.price_notes.is_empty() {
            marks.push("price note".to_string());
        }
        t.add_row(vec![
            r.index.to_string(),
            crate::report::clock(r.at, tz),
            safe(r.model.as_deref().map_or("-", shorten_model)),
            r.tier.as_str().to_string(),
            r.tokens.map_or("?".into(), |t| short(t.total())),
            usd(r.cost_usd),
            tools.join(" "),
            bytes(r.bytes_in),
            marks.join(", "),
        ]);
    }
    right(&mut t, 4);
    // Which price set and which id rule each figure came from, and what it rests on.
    let mut used = std::collections::BTreeSet::new();
    let mut notes = std::collections::BTreeSet::new();
    for r in &s.step_rows {
        if let (Some(m), Some(set), Some(rule)) = (&r.model, &r.price_set, &r.price_rule) {
            used.insert((set.as_str(), m.as_str(), rule.as_str()));
        }
        notes.extend(r.price_notes.iter().map(String::as_str));
    }
    let mut out = format!("{t}\n");
    for (set, model, rule) in used {
        out.push_str(&format!(
            "priced with {} for {} ({})\n",
            safe(set),
            safe(model),
            safe(rule)
        ));
    }
    for n in notes {
        out.push_str(&format!("price note: {}\n", safe(n)));
    }
    out
}
