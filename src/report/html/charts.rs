//! The review page's three charts — cost per day stacked by verdict, cost against lines kept, spend by
//! model tier — drawn with the chart kit ([`super::chart`]) from the report's fields.

use std::fmt::Write;

use super::chart::*;
use super::*;

pub(super) fn tier_colour(t: Tier) -> &'static str {
    match t {
        Tier::Premium => "#7c4dcc",
        Tier::Standard => "#3b7bd0",
        Tier::Economy => "#2fa39a",
    }
}

/// A legend of verdict colours along the top of a chart; `counts` adds the session counts.
pub(super) fn verdict_legend(out: &mut String, x: f64, r: Option<&ReviewReport>) {
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

/// Cost per day, stacked by verdict.
pub(super) fn chart_cost_per_day(r: &ReviewReport) -> String {
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

pub(super) fn point_title(p: &SessionPoint, tz: &jiff::tz::TimeZone) -> String {
    let mut t = format!(
        "{}\n{} · {}\ncost {} · {} lines kept",
        p.id,
        p.agent,
        p.verdict.as_str(),
        money(p.cost_usd),
        thousands(p.lines_kept)
    );
    if let Some(s) = p.started_at {
        let _ = write!(t, "\nstarted {}", crate::report::minute_labelled(s, tz));
    }
    if !p.flags.is_empty() {
        let _ = write!(t, "\nflags: {}", p.flags.join(", "));
    }
    esc(&t)
}

/// Cost against lines kept, one point per session.
pub(super) fn chart_cost_vs_lines(r: &ReviewReport) -> String {
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
pub(super) fn chart_tier_spend(r: &ReviewReport) -> String {
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
