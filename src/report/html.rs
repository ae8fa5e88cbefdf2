//! The self-review as one self-contained HTML page: inline CSS, hand-written SVG charts, no script and no
//! network. It formats the fields of [`ReviewReport`]; the only arithmetic is chart geometry (scales,
//! stacking, tick steps) and the trend column, which follows `markdown::review`.

use std::fmt::Write;

use super::{thousands, usd};
use crate::metrics::review::{DayCost, ReviewReport, SessionPoint};
use crate::metrics::{Tier, Verdict};

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

/// A coordinate: always finite, one decimal at most.
fn n(x: f64) -> String {
    let x = if x.is_finite() { x + 0.0 } else { 0.0 };
    let s = format!("{x:.1}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_owned(),
        None => s,
    }
}

/// A cost; `?` if it is not a number (never `$NaN`).
fn money(x: f64) -> String {
    usd(Some(x).filter(|x| x.is_finite()))
}

fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

fn tier_colour(t: Tier) -> &'static str {
    match t {
        Tier::Premium => "#7c4dcc",
        Tier::Standard => "#3b7bd0",
        Tier::Economy => "#2fa39a",
    }
}

/// A linear axis from 0 to `max` in `step`s of 1, 2, 2.5 or 5 × 10ⁿ (whole steps for counts).
struct Axis {
    max: f64,
    step: f64,
}

impl Axis {
    fn nice(max: f64, target: f64, integer: bool) -> Axis {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let raw = max / target.max(1.0);
        let mag = 10f64.powf(raw.log10().floor());
        let norm = raw / mag;
        let mult = if norm <= 1.0 {
            1.0
        } else if norm <= 2.0 {
            2.0
        } else if norm <= 2.5 && !(integer && mag < 10.0) {
            2.5
        } else if norm <= 5.0 {
            5.0
        } else {
            10.0
        };
        let mut step = mult * mag;
        if integer {
            step = step.round().max(1.0);
        }
        if !step.is_finite() || step <= 0.0 {
            step = 1.0;
        }
        let max = ((max / step).ceil() * step).max(step);
        Axis { max, step }
    }

    fn ticks(&self) -> Vec<f64> {
        let count = (self.max / self.step).round().clamp(1.0, 50.0) as usize;
        (0..=count).map(|i| i as f64 * self.step).collect()
    }

    /// `v` mapped from `[0, max]` onto `[from, to]`.
    fn at(&self, v: f64, from: f64, to: f64) -> f64 {
        let v = if v.is_finite() {
            v.clamp(0.0, self.max)
        } else {
            0.0
        };
        from + v / self.max * (to - from)
    }

    /// A dollar tick label with as many decimals as the step needs.
    fn usd(&self, v: f64) -> String {
        let decimals = (0..=4)
            .find(|d| {
                let s = self.step * 10f64.powi(*d);
                (s - s.round()).abs() < 1e-6
            })
            .unwrap_or(4) as usize;
        // Cents rather than dimes: `$0.50`, not `$0.5`.
        let decimals = if decimals == 1 { 2 } else { decimals };
        if decimals == 0 {
            format!("${}", thousands(v.round() as u64))
        } else {
            format!("${v:.decimals$}")
        }
    }
}

/// Opens a chart: `<svg>` with its id, title and description (the text alternative).
fn open_svg(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg id="{id}" class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        n(W),
        n(height),
        n(W),
        n(height),
        esc(title),
        esc(desc)
    );
}

/// A legend of verdict colours along the top of a chart; `counts` adds the session counts.
fn verdict_legend(out: &mut String, x: f64, r: Option<&ReviewReport>) {
    out.push_str(r#"<g class="legend">"#);
    let mut x = x;
    for v in VERDICTS {
        let label = match r {
            Some(r) => format!(
                "{} ({})",
                v.as_str(),
                r.current.by_verdict.get(&v).map_or(0, |t| t.sessions)
            ),
            None => v.as_str().to_owned(),
        };
        let _ = write!(
            out,
            r#"<rect class="{}" x="{}" y="12" width="12" height="12" rx="2"/><text x="{}" y="22">{}</text>"#,
            v.as_str(),
            n(x),
            n(x + 17.0),
            esc(&label)
        );
        x += 30.0 + label.chars().count() as f64 * 7.0;
    }
    out.push_str("</g>");
}

/// The empty state of a chart: its frame and one sentence.
fn empty_plot(out: &mut String, left: f64, top: f64, bottom: f64) {
    let _ = write!(
        out,
        r#"<line class="axis" x1="{l}" y1="{b}" x2="{r}" y2="{b}"/><line class="axis" x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><text class="empty" x="{cx}" y="{cy}" text-anchor="middle">{EMPTY}</text>"#,
        l = n(left),
        r = n(W - 16.0),
        t = n(top),
        b = n(bottom),
        cx = n((left + W - 16.0) / 2.0),
        cy = n((top + bottom) / 2.0),
    );
}

/// Horizontal grid lines, labelled on the left.
fn y_grid(
    out: &mut String,
    axis: &Axis,
    (left, right, top, bottom): (f64, f64, f64, f64),
    label: impl Fn(f64) -> String,
) {
    for t in axis.ticks() {
        let y = axis.at(t, bottom, top);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            n(left),
            n(right),
            n(left - 8.0),
            n(y + 4.0),
            esc(&label(t)),
            y = n(y),
        );
    }
}

/// Vertical grid lines with dollar labels below.
fn x_grid_usd(out: &mut String, axis: &Axis, (left, right, top, bottom): (f64, f64, f64, f64)) {
    for t in axis.ticks() {
        let px = axis.at(t, left, right);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{px}" y1="{}" x2="{px}" y2="{}"/><text x="{px}" y="{}" text-anchor="middle">{}</text>"#,
            n(top),
            n(bottom),
            n(bottom + 18.0),
            esc(&axis.usd(t)),
            px = n(px),
        );
    }
}

/// Cost per day, stacked by verdict.
fn chart_cost_per_day(r: &ReviewReport) -> String {
    let (left, right, top, height) = (72.0, W - 16.0, 44.0, 300.0);
    let bottom = height - 36.0;
    let mut out = String::new();
    let first = r.days.first().map_or("", |d| d.day.as_str());
    let last = r.days.last().map_or("", |d| d.day.as_str());
    let desc = format!(
        "Stacked bars of priced cost per day from {first} to {last}, split into leverage (green), theater (orange) and lead (grey-blue): {} sessions, {} in total. The table below has the figures.",
        r.current.sessions,
        money(r.current.cost_usd)
    );
    open_svg(
        &mut out,
        "chart-cost-per-day",
        height,
        "Cost per day by verdict",
        &desc,
    );
    verdict_legend(&mut out, left, None);
    if r.points.is_empty() || r.days.is_empty() {
        empty_plot(&mut out, left, top, bottom);
        out.push_str("</svg>");
        return out;
    }
    let day_total = |d: &DayCost| -> f64 { d.by_verdict.values().filter(|c| c.is_finite()).sum() };
    let max = r.days.iter().map(day_total).fold(0.0, f64::max);
    let axis = Axis::nice(max, 5.0, false);
    y_grid(&mut out, &axis, (left, right, top, bottom), |t| axis.usd(t));
    let _ = write!(
        out,
        r#"<text class="axis-title" x="16" y="{}" transform="rotate(-90 16 {})" text-anchor="middle">cost (USD)</text>"#,
        n((top + bottom) / 2.0),
        n((top + bottom) / 2.0)
    );
    let count = r.days.len() as f64;
    let slot = (right - left) / count;
    let bar = (slot * 0.72).clamp(1.0, 40.0);
    // Day labels at most every 60 px.
    let every = ((60.0 / slot).ceil() as usize).max(1);
    for (i, d) in r.days.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let parts: Vec<String> = VERDICTS
            .iter()
            .filter_map(|v| {
                d.by_verdict
                    .get(v)
                    .filter(|c| **c > 0.0)
                    .map(|c| format!("{} {}", v.as_str(), money(*c)))
            })
            .collect();
        let _ = write!(
            out,
            r#"<g class="day" data-day="{}"><title>{}: {}</title>"#,
            esc(&d.day),
            esc(&d.day),
            if parts.is_empty() {
                "no spend".to_owned()
            } else {
                esc(&parts.join(", "))
            }
        );
        let mut below = 0.0;
        for v in VERDICTS {
            let Some(c) = d
                .by_verdict
                .get(&v)
                .copied()
                .filter(|c| c.is_finite() && *c > 0.0)
            else {
                continue;
            };
            let y0 = axis.at(below, bottom, top);
            let y1 = axis.at(below + c, bottom, top);
            below += c;
            let _ = write!(
                out,
                r#"<rect class="seg {v}" x="{}" y="{}" width="{}" height="{}"><title>{} · {v}: {}</title></rect>"#,
                n(x),
                n(y1),
                n(bar),
                n((y0 - y1).max(0.5)),
                esc(&d.day),
                money(c),
                v = v.as_str(),
            );
        }
        out.push_str("</g>");
        if i % every == 0 {
            let label = d
                .day
                .get(5..)
                .filter(|_| d.day.len() == 10)
                .unwrap_or(&d.day);
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                n(left + slot * (i as f64 + 0.5)),
                n(bottom + 18.0),
                esc(label)
            );
        }
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{}" y1="{b}" x2="{}" y2="{b}"/></svg>"#,
        n(left),
        n(right),
        b = n(bottom)
    );
    out
}

fn point_title(p: &SessionPoint, tz: &jiff::tz::TimeZone) -> String {
    let mut t = format!(
        "{}\n{} · {}\ncost {} · {} lines kept",
        p.id,
        p.agent,
        p.verdict.as_str(),
        money(p.cost_usd),
        thousands(p.lines_kept)
    );
    if let Some(s) = p.started_at {
        let _ = write!(t, "\nstarted {}", super::minute_labelled(s, tz));
    }
    if !p.flags.is_empty() {
        let _ = write!(t, "\nflags: {}", p.flags.join(", "));
    }
    esc(&t)
}

/// Cost against lines kept, one point per session.
fn chart_cost_vs_lines(r: &ReviewReport) -> String {
    let (left, right, top, height) = (72.0, W - 24.0, 44.0, 400.0);
    let bottom = height - 52.0;
    let mut out = String::new();
    let desc = format!(
        "Scatter plot of the {} sessions of the period: x is the session's priced cost in USD, y the lines it merged that are still in HEAD, both from 0; colour is the verdict. The table below lists every point.",
        r.points.len()
    );
    open_svg(
        &mut out,
        "chart-cost-vs-lines",
        height,
        "Cost vs lines kept per session",
        &desc,
    );
    verdict_legend(&mut out, left, Some(r));
    if r.points.is_empty() {
        empty_plot(&mut out, left, top, bottom);
        out.push_str("</svg>");
        return out;
    }
    let max_cost = r
        .points
        .iter()
        .map(|p| p.cost_usd)
        .filter(|c| c.is_finite())
        .fold(0.0, f64::max);
    let max_lines = r.points.iter().map(|p| p.lines_kept).max().unwrap_or(0) as f64;
    let x = Axis::nice(max_cost, 6.0, false);
    let y = Axis::nice(max_lines, 5.0, true);
    y_grid(&mut out, &y, (left, right, top, bottom), |t| {
        thousands(t.round() as u64)
    });
    x_grid_usd(&mut out, &x, (left, right, top, bottom));
    let _ = write!(
        out,
        r#"<line class="axis" x1="{l}" y1="{b}" x2="{r}" y2="{b}"/><line class="axis" x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><text class="axis-title" x="{}" y="{}" text-anchor="middle">session cost (USD)</text><text class="axis-title" x="16" y="{my}" transform="rotate(-90 16 {my})" text-anchor="middle">lines kept (merged, still in HEAD)</text>"#,
        n((left + right) / 2.0),
        n(height - 10.0),
        l = n(left),
        r = n(right),
        t = n(top),
        b = n(bottom),
        my = n((top + bottom) / 2.0),
    );
    for p in &r.points {
        let _ = write!(
            out,
            r#"<circle class="pt {}" cx="{}" cy="{}" r="6"><title>{}</title></circle>"#,
            p.verdict.as_str(),
            n(x.at(p.cost_usd, left, right)),
            n(y.at(p.lines_kept as f64, bottom, top)),
            point_title(p, &r.tz)
        );
    }
    out.push_str("</svg>");
    out
}

/// Spend by model tier: this period (solid) over the previous one (faded).
fn chart_tier_spend(r: &ReviewReport) -> String {
    let (left, top, row) = (100.0, 48.0, 60.0);
    let right = W - 110.0;
    let bottom = top + row * TIERS.len() as f64;
    let height = bottom + 36.0;
    let cost = |t: &crate::metrics::review::PeriodTotals, tier: Tier| {
        t.cost_by_tier
            .get(&tier)
            .copied()
            .filter(|c| c.is_finite())
            .unwrap_or(0.0)
    };
    let mut out = String::new();
    let figures: Vec<String> = TIERS
        .iter()
        .map(|t| {
            format!(
                "{} {} (previous {})",
                t.as_str(),
                money(cost(&r.current, *t)),
                money(cost(&r.previous, *t))
            )
        })
        .collect();
    let desc = format!(
        "Horizontal bars of priced spend per route tier, this period against the previous period: {}.",
        figures.join("; ")
    );
    open_svg(
        &mut out,
        "chart-tier-spend",
        height,
        "Spend by model tier",
        &desc,
    );
    let _ = write!(
        out,
        r##"<g class="legend"><rect x="{l}" y="12" width="12" height="12" rx="2" fill="#52606d"/><text x="{}" y="22">this period</text><rect x="{}" y="12" width="12" height="12" rx="2" fill="#52606d" fill-opacity="0.3"/><text x="{}" y="22">previous period</text></g>"##,
        n(left + 17.0),
        n(left + 110.0),
        n(left + 127.0),
        l = n(left),
    );
    if r.current.sessions == 0 {
        empty_plot(&mut out, left, top, bottom);
        out.push_str("</svg>");
        return out;
    }
    let max = TIERS
        .iter()
        .flat_map(|t| [cost(&r.current, *t), cost(&r.previous, *t)])
        .fold(0.0, f64::max);
    let axis = Axis::nice(max, 6.0, false);
    x_grid_usd(&mut out, &axis, (left, right, top, bottom));
    for (i, tier) in TIERS.iter().enumerate() {
        let y = top + row * i as f64 + 10.0;
        let now = cost(&r.current, *tier);
        let before = cost(&r.previous, *tier);
        let colour = tier_colour(*tier);
        let w_now = axis.at(now, 0.0, right - left);
        let w_before = axis.at(before, 0.0, right - left);
        let _ = write!(
            out,
            r#"<text class="axis-title" x="{}" y="{}" text-anchor="end">{}</text><rect class="tier" x="{l}" y="{}" width="{}" height="22" rx="2" fill="{colour}"><title>{} · this period: {}</title></rect><text class="val" x="{}" y="{}">{}</text><rect class="tier" x="{l}" y="{}" width="{}" height="10" rx="2" fill="{colour}" fill-opacity="0.3"><title>{} · previous period: {}</title></rect><text x="{}" y="{}" font-size="11">previous {}</text>"#,
            n(left - 12.0),
            n(y + 19.0),
            tier.as_str(),
            n(y),
            n(w_now),
            tier.as_str(),
            money(now),
            n(left + w_now + 6.0),
            n(y + 16.0),
            money(now),
            n(y + 26.0),
            n(w_before),
            tier.as_str(),
            money(before),
            n(left + w_before + 6.0),
            n(y + 35.0),
            money(before),
            l = n(left),
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{l}" y1="{}" x2="{l}" y2="{}"/></svg>"#,
        n(top),
        n(bottom),
        l = n(left)
    );
    out
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
            p.started_at.map_or("-".into(), |s| super::minute(s, &r.tz)),
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
        let [a, b, change] = super::trend_cells(t);
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
            s.started_at.map_or("-".into(), |t| super::minute(t, &r.tz)),
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

    #[test]
    fn nice_axes() {
        let a = Axis::nice(9.3, 5.0, false);
        assert_eq!((a.max, a.step), (10.0, 2.0));
        assert_eq!(a.usd(4.0), "$4");
        let a = Axis::nice(0.37, 5.0, false);
        assert!((a.step - 0.1).abs() < 1e-12);
        assert_eq!(a.usd(0.2), "$0.20");
        let a = Axis::nice(1.1, 5.0, false);
        assert_eq!(a.usd(0.25), "$0.25");
        let a = Axis::nice(3.0, 5.0, true);
        assert_eq!((a.max, a.step), (3.0, 1.0));
        let a = Axis::nice(0.0, 5.0, true);
        assert_eq!(a.ticks(), vec![0.0, 1.0]);
        let a = Axis::nice(12_345.0, 5.0, true);
        assert_eq!(a.step, 2_500.0);
        assert!(a.max >= 12_345.0);
    }
}
