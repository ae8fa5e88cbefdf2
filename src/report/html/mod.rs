//! The self-review as one self-contained HTML page: inline CSS, hand-written SVG charts, no script and no
//! network. It formats the fields of [`ReviewReport`] (the trend rows included, built in `metrics`); the
//! only arithmetic is chart geometry (scales, stacking, tick steps), in the chart kit (`chart.rs`) and the
//! three charts drawn with it (`charts.rs`).

use std::fmt::Write;

use super::{thousands, usd};
use crate::metrics::review::{DayCost, ReviewReport, SessionPoint};
use crate::metrics::{Tier, Verdict};

mod chart;
mod charts;

use charts::*;

const CSS: &str = include_str!("assets/review.css");
const VERDICTS: [Verdict; 3] = [Verdict::Leverage, Verdict::Theater, Verdict::Lead];
const TIERS: [Tier; 3] = [Tier::Premium, Tier::Standard, Tier::Economy];
const EMPTY: &str = "no sessions in this period";
/// Width of every chart's view box; the SVG scales to its container.
const W: f64 = 960.0;

/// Text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A cost; `?` if it is not a number (never `$NaN`).
fn money(x: f64) -> String {
    usd(Some(x).filter(|x| x.is_finite()))
}

fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

fn verdict_pill(v: Verdict) -> String {
    format!(r#"<span class="pill v-{0}">{0}</span>"#, v.as_str())
}

fn flags_html(flags: &[&str]) -> String {
    flags
        .iter()
        .map(|f| format!(r#"<span class="flag">{}</span>"#, esc(f)))
        .collect()
}

fn days_table(r: &ReviewReport) -> String {
    if r.points.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        r#"<details><summary>Data table: cost per day (days without spend left out)</summary><table><thead><tr><th>day</th><th class="n">leverage</th><th class="n">theater</th><th class="n">lead</th></tr></thead><tbody>"#,
    );
    for d in r
        .days
        .iter()
        .filter(|d| d.by_verdict.values().any(|c| *c > 0.0))
    {
        let _ = write!(out, "<tr><td>{}</td>", esc(&d.day));
        for v in VERDICTS {
            let _ = write!(
                out,
                r#"<td class="n">{}</td>"#,
                d.by_verdict.get(&v).map_or("-".into(), |c| money(*c))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details>");
    out
}

fn points_table(r: &ReviewReport) -> String {
    if r.points.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        r#"<details><summary>Data table: every session of the period</summary><table><thead><tr><th>session</th><th>agent</th><th>started</th><th class="n">cost</th><th class="n">lines kept</th><th>verdict</th><th>flags</th></tr></thead><tbody>"#,
    );
    for p in &r.points {
        let _ = write!(
            out,
            r#"<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td>{}</td></tr>"#,
            esc(&p.id),
            p.agent,
            p.started_at
                .map_or("-".into(), |s| crate::report::minute(s, &r.tz)),
            money(p.cost_usd),
            thousands(p.lines_kept),
            verdict_pill(p.verdict),
            flags_html(&p.flags)
        );
    }
    out.push_str("</tbody></table></details>");
    out
}

fn trend_table(r: &ReviewReport) -> String {
    let mut out = String::from(
        r#"<table><thead><tr><th></th><th class="n">this period</th><th class="n">previous</th><th class="n">trend</th></tr></thead><tbody>"#,
    );
    let mut row = |name: &str, a: String, b: String, t: String| {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="n">{a}</td><td class="n">{b}</td><td class="n">{t}</td></tr>"#,
            esc(name)
        );
    };
    for t in &r.trend {
        let [a, b, change] = crate::report::trend_cells(t);
        row(t.label, a, b, change);
    }
    out.push_str("</tbody></table>");
    out
}

fn review_first_table(r: &ReviewReport) -> String {
    if r.review_first.is_empty() {
        return r#"<p class="muted">Nothing to review first: no theater or lead session with spend in this period.</p>"#.into();
    }
    let mut out = String::from(
        r#"<table><thead><tr><th>session</th><th>agent</th><th>started</th><th class="n">cost</th><th class="n">lines kept</th><th>verdict</th><th>flags</th></tr></thead><tbody>"#,
    );
    for s in &r.review_first {
        let _ = write!(
            out,
            r#"<tr><td><code title="{}">{}</code></td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td>{}</td></tr>"#,
            esc(&s.id),
            esc(&short_id(&s.id)),
            s.agent,
            s.started_at
                .map_or("-".into(), |t| crate::report::minute(t, &r.tz)),
            money(s.cost_usd),
            thousands(s.lines_kept),
            verdict_pill(s.verdict),
            flags_html(&s.flags)
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn card(out: &mut String, key: &str, value: &str, sub: &str) {
    let _ = write!(
        out,
        r#"<div class="card"><div class="k">{}</div><div class="v">{}</div><div class="s">{}</div></div>"#,
        esc(key),
        esc(value),
        esc(sub)
    );
}

/// The page.
pub fn review(r: &ReviewReport) -> String {
    let c = &r.current;
    let since = r
        .since
        .to_zoned(r.tz.clone())
        .strftime("%Y-%m-%d")
        .to_string();
    let until = r
        .until
        .to_zoned(r.tz.clone())
        .strftime("%Y-%m-%d")
        .to_string();
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="agent-audit {}">
<title>agent-audit review, {since} to {until}</title>
<style>
{CSS}</style>
</head>
<body>
<main>
<header><h1>agent-audit review</h1><p class="period">{since} to {until}</p>"#,
        env!("CARGO_PKG_VERSION"),
    );
    for n in &r.notes {
        let _ = write!(out, r#"<p class="sub">note: {}</p>"#, esc(n));
    }
    if !r.repos.is_empty() {
        let repos: Vec<String> = r
            .repos
            .iter()
            .map(|p| format!("<code>{}</code>", esc(&p.display().to_string())))
            .collect();
        let _ = write!(
            out,
            r#"<p class="repos">{}: {}</p>"#,
            if r.repos.len() == 1 {
                "repository"
            } else {
                "repositories"
            },
            repos.join(", ")
        );
    }
    out.push_str("</header>\n");

    // Headline.
    let _ = write!(
        out,
        r#"<p class="lede">{} session{} cost <strong>{}</strong> for <strong>{}</strong> merged lines ({} still in HEAD){}.</p>"#,
        thousands(c.sessions),
        if c.sessions == 1 { "" } else { "s" },
        money(c.cost_usd),
        thousands(c.lines_merged),
        thousands(c.lines_in_head),
        c.cost_per_merged_line
            .map(|x| format!(", ${x:.3} per merged line"))
            .unwrap_or_default()
    );
    out.push_str(r#"<div class="cards">"#);
    card(&mut out, "period", &since, &format!("to {until}"));
    card(
        &mut out,
        "sessions",
        &thousands(c.sessions),
        &if c.sessions_with_unknown_cost > 0 {
            format!("{} with unknown cost", c.sessions_with_unknown_cost)
        } else {
            String::new()
        },
    );
    card(
        &mut out,
        "spend",
        &money(c.cost_usd),
        if c.sessions_with_unknown_cost > 0 {
            "priced part only"
        } else {
            "list prices"
        },
    );
    card(
        &mut out,
        "merged lines",
        &thousands(c.lines_merged),
        "reached the base branch",
    );
    card(
        &mut out,
        "lines in HEAD",
        &thousands(c.lines_in_head),
        "merged and still there",
    );
    card(
        &mut out,
        "per merged line",
        &c.cost_per_merged_line
            .map_or("-".into(), |x| format!("${x:.3}")),
        "spend / merged lines",
    );
    out.push_str("</div>\n");
    out.push_str(r#"<p class="mix">"#);
    for v in VERDICTS {
        let t = c.by_verdict.get(&v).cloned().unwrap_or_default();
        let _ = write!(
            out,
            r#"<span class="pill v-{}">{} {} · {}</span>"#,
            v.as_str(),
            t.sessions,
            v.as_str(),
            money(t.cost_usd)
        );
    }
    out.push_str("</p>\n");

    // Charts.
    let _ = writeln!(
        out,
        r#"<section><h2>Cost per day</h2><p class="sub">Priced cost of the sessions started each day, stacked by verdict.</p><figure>{}<figcaption>{}</figcaption></figure></section>"#,
        chart_cost_per_day(r),
        days_table(r)
    );
    let _ = writeln!(
        out,
        r#"<section><h2>Cost vs lines kept</h2><p class="sub">One point per session: what it cost against the merged lines still in HEAD. Expensive points on the floor kept nothing.</p><figure>{}<figcaption>{}</figcaption></figure></section>"#,
        chart_cost_vs_lines(r),
        points_table(r)
    );
    let _ = writeln!(
        out,
        r#"<section><h2>Spend by model tier</h2><p class="sub">Priced cost per route tier (premium: Opus, fast or priority modes; economy: Haiku, mini, flash), this period against the previous one.</p><figure>{}</figure></section>"#,
        chart_tier_spend(r)
    );

    // Tables.
    let _ = writeln!(
        out,
        r#"<section><h2>This period vs the previous one</h2><p class="sub">The previous period is the one of the same length just before {since}.</p>{}</section>"#,
        trend_table(r)
    );
    let _ = writeln!(
        out,
        r#"<section><h2>Review first</h2><p class="sub">Most spend for the least kept, worst first (leverage sessions left out).</p>{}</section>"#,
        review_first_table(r)
    );
    out.push_str(
        "<footer>Costs are list prices from agent-audit's embedded table (<code>agent-audit prices</code>); lines are matched by content against the repository's commits. Hover a bar or a point for its figures.</footer>\n</main>\n</body>\n</html>\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::metrics::review::{PeriodTotals, VerdictTotals};
    use crate::model::Agent;

    fn ts(s: &str) -> jiff::Timestamp {
        s.parse().expect("timestamp")
    }

    fn point(id: &str, cost: f64, kept: u64, verdict: Verdict) -> SessionPoint {
        SessionPoint {
            id: id.into(),
            agent: Agent::ClaudeCode,
            cost_usd: cost,
            lines_kept: kept,
            verdict,
            flags: if verdict == Verdict::Theater {
                vec!["no-accepted-output"]
            } else {
                vec![]
            },
            started_at: Some(ts("2026-05-02T10:00:00Z")),
        }
    }

    fn day(d: &str, costs: &[(Verdict, f64)]) -> DayCost {
        DayCost {
            day: d.into(),
            by_verdict: costs.iter().copied().collect(),
        }
    }

    fn sample() -> ReviewReport {
        let points = vec![
            point("aaaa1111-leverage", 1.25, 120, Verdict::Leverage),
            point("bbbb2222-theater", 4.80, 0, Verdict::Theater),
            point("<script>alert(1)</script>", 2.10, 3, Verdict::Theater),
            point("dddd4444-lead", 0.40, 0, Verdict::Lead),
            point("eeee5555-leverage", 0.75, 48, Verdict::Leverage),
        ];
        let mut by_verdict = BTreeMap::new();
        by_verdict.insert(
            Verdict::Leverage,
            VerdictTotals {
                sessions: 2,
                cost_usd: 2.0,
            },
        );
        by_verdict.insert(
            Verdict::Theater,
            VerdictTotals {
                sessions: 2,
                cost_usd: 6.9,
            },
        );
        by_verdict.insert(
            Verdict::Lead,
            VerdictTotals {
                sessions: 1,
                cost_usd: 0.4,
            },
        );
        let current = PeriodTotals {
            sessions: 5,
            cost_usd: 9.3,
            lines_merged: 190,
            lines_in_head: 171,
            by_verdict,
            cost_by_tier: [
                (Tier::Premium, 6.0),
                (Tier::Standard, 3.0),
                (Tier::Economy, 0.3),
            ]
            .into_iter()
            .collect(),
            cost_per_merged_line: Some(9.3 / 190.0),
            ..Default::default()
        };
        let previous = PeriodTotals {
            sessions: 2,
            cost_usd: 3.0,
            cost_by_tier: [(Tier::Standard, 3.0)].into_iter().collect(),
            ..Default::default()
        };
        ReviewReport {
            tz: jiff::tz::TimeZone::UTC,
            trend: crate::metrics::review::trend_rows(&current, &previous),
            repos: vec![PathBuf::from("/home/dev/<app>")],
            since: ts("2026-05-01T00:00:00Z"),
            until: ts("2026-05-05T00:00:00Z"),
            current,
            previous,
            days: vec![
                day(
                    "2026-05-01",
                    &[(Verdict::Leverage, 1.25), (Verdict::Theater, 4.8)],
                ),
                day("2026-05-02", &[]),
                day(
                    "2026-05-03",
                    &[(Verdict::Theater, 2.1), (Verdict::Lead, 0.4)],
                ),
                day("2026-05-04", &[(Verdict::Leverage, 0.75)]),
            ],
            review_first: vec![points[1].clone(), points[2].clone()],
            notes: vec![],
            points,
        }
    }

    fn svg<'a>(html: &'a str, id: &str) -> &'a str {
        let start = html.find(&format!(r#"<svg id="{id}""#)).expect("chart");
        let end = html[start..].find("</svg>").expect("end") + start;
        &html[start..end]
    }

    #[test]
    fn renders_a_self_contained_page_with_three_charts() {
        let r = sample();
        let html = review(&r);
        assert!(html.starts_with("<!doctype html>"));
        assert_eq!(html.matches("<svg ").count(), 3);
        for id in [
            "chart-cost-per-day",
            "chart-cost-vs-lines",
            "chart-tier-spend",
        ] {
            assert_eq!(
                html.matches(&format!(r#"<svg id="{id}""#)).count(),
                1,
                "{id}"
            );
        }
        for bad in ["http://", "https://", "<script", "<link", "url(", "@import"] {
            assert!(!html.contains(bad), "{bad} in the page");
        }
        // One stack per day with cost, one segment per verdict with cost.
        let days = svg(&html, "chart-cost-per-day");
        for (d, segs) in [("2026-05-01", 2), ("2026-05-03", 2), ("2026-05-04", 1)] {
            let at = days.find(&format!(r#"data-day="{d}""#)).expect("day group");
            let group = &days[at..at + days[at..].find("</g>").expect("group end")];
            assert_eq!(group.matches("<rect class=\"seg ").count(), segs, "{d}");
        }
        let empty_day = days.find(r#"data-day="2026-05-02""#).expect("empty day");
        let group = &days[empty_day..empty_day + days[empty_day..].find("</g>").expect("end")];
        assert!(!group.contains("<rect"));
        assert!(days.contains(r#"class="seg theater""#));
        // One point per session, coloured by verdict, with a tooltip.
        let scatter = svg(&html, "chart-cost-vs-lines");
        assert_eq!(
            scatter.matches("<circle class=\"pt ").count(),
            r.points.len()
        );
        assert_eq!(scatter.matches("<circle class=\"pt leverage\"").count(), 2);
        assert!(
            scatter
                .contains("aaaa1111-leverage\nclaude-code · leverage\ncost $1.25 · 120 lines kept")
        );
        // Tiers, this period and the previous one.
        let tiers = svg(&html, "chart-tier-spend");
        for t in ["premium", "standard", "economy"] {
            assert!(tiers.contains(&format!("{t} · this period")), "{t}");
        }
        assert!(tiers.contains("standard · previous period: $3.00"));
        // Escaped ids and paths.
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("/home/dev/&lt;app&gt;"));
        // Headline, trend and review-first tables.
        assert!(html.contains("2026-05-01 to 2026-05-05"));
        assert!(html.contains("$9.30"));
        assert!(html.contains("$0.049"));
        assert!(html.contains("<td>spend</td><td class=\"n\">$9.30</td><td class=\"n\">$3.00</td><td class=\"n\">+210%</td>"));
        assert!(html.contains("routing savings available"));
        assert!(html.contains(r#"<code title="bbbb2222-theater">bbbb2222</code>"#));
        assert!(!html.contains("NaN") && !html.contains("inf\"") && !html.contains("\"inf"));
        assert!(!html.contains(EMPTY));
    }

    #[test]
    fn an_empty_period_renders_without_nan() {
        let r = ReviewReport {
            tz: jiff::tz::TimeZone::UTC,
            trend: Vec::new(),
            repos: vec![],
            since: ts("2026-05-01T00:00:00Z"),
            until: ts("2026-05-08T00:00:00Z"),
            current: PeriodTotals::default(),
            previous: PeriodTotals::default(),
            days: (1..8).map(|d| day(&format!("2026-05-0{d}"), &[])).collect(),
            points: vec![],
            review_first: vec![],
            notes: vec![],
        };
        let html = review(&r);
        assert!(html.starts_with("<!doctype html>"));
        assert_eq!(html.matches("<svg ").count(), 3);
        assert_eq!(html.matches(EMPTY).count(), 3);
        for bad in ["NaN", "inf\"", "\"inf", "\"-inf", "-inf"] {
            assert!(!html.contains(bad), "{bad}");
        }
        assert!(html.contains("Nothing to review first"));
    }

    #[test]
    fn zero_cost_and_odd_values_stay_finite() {
        let mut r = sample();
        for p in &mut r.points {
            p.cost_usd = 0.0;
            p.lines_kept = 0;
        }
        r.points[0].cost_usd = f64::NAN;
        r.days = vec![day("2026-05-01", &[(Verdict::Lead, 0.0)])];
        r.current.cost_by_tier.clear();
        let html = review(&r);
        for bad in ["NaN", "inf\"", "\"inf", "-inf"] {
            assert!(!html.contains(bad), "{bad}");
        }
    }
}
