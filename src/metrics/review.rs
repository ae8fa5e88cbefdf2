//! The weekly self-review: spend against merged work over a period, the verdict mix, the sessions to
//! look at first, retries and routing savings, and the trend against the period before.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::SessionReport;
use super::tier::Tier;
use super::verdict::Verdict;
use crate::timespec::{Period, period_key};

/// Totals of one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodTotals {
    /// Sessions that started in the period.
    pub sessions: u64,
    /// Priced cost (USD).
    pub cost_usd: f64,
    /// Sessions with unknown cost (their priced part is included).
    pub sessions_with_unknown_cost: u64,
    /// Tokens.
    pub tokens: u64,
    /// Lines added by the sessions.
    pub lines_added: u64,
    /// Lines merged into the base branch.
    pub lines_merged: u64,
    /// Merged lines still in HEAD.
    pub lines_in_head: u64,
    /// Count and cost per verdict.
    pub by_verdict: BTreeMap<Verdict, VerdictTotals>,
    /// Failed tool calls.
    pub failed_calls: u64,
    /// Cost of steps with failures or retries.
    pub retry_cost_usd: f64,
    /// What simple premium steps would have saved on economy models.
    pub savings_usd: f64,
    /// Priced cost per route tier.
    pub cost_by_tier: BTreeMap<Tier, f64>,
    /// Cost per merged line over the period.
    pub cost_per_merged_line: Option<f64>,
}

/// Count and cost of the sessions with one verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerdictTotals {
    /// Sessions.
    pub sessions: u64,
    /// Priced cost.
    pub cost_usd: f64,
}

/// Cost of one day, split by verdict (the stacked chart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayCost {
    /// `YYYY-MM-DD` (the day the session started, in the report's time zone).
    pub day: String,
    /// Cost per verdict.
    pub by_verdict: BTreeMap<Verdict, f64>,
}

/// One point of the cost-vs-kept-lines scatter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPoint {
    /// Session id.
    pub id: String,
    /// Agent.
    pub agent: crate::model::Agent,
    /// Priced cost.
    pub cost_usd: f64,
    /// Merged lines still in HEAD.
    pub lines_kept: u64,
    /// Verdict.
    pub verdict: Verdict,
    /// Flags' codes.
    pub flags: Vec<&'static str>,
    /// Start.
    pub started_at: Option<Timestamp>,
}

/// The `review` report.
/// How a [`TrendRow`]'s values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Figure {
    /// A count (sessions, lines, calls).
    Count,
    /// US dollars.
    Usd,
    /// US dollars per line, to a tenth of a cent.
    UsdPerLine,
}

/// One row of the period-against-period table every review format shows (terminal, Markdown, HTML).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// What the row counts (`spend`, `merged lines`, a verdict's name…).
    pub label: &'static str,
    /// How the values read.
    pub figure: Figure,
    /// This period's value (`None` when unknown, such as a cost per line with no merged line).
    pub current: Option<f64>,
    /// The previous period's value.
    pub previous: Option<f64>,
    /// For a verdict's spend: the sessions behind each value (this period, previous).
    pub sessions: Option<(u64, u64)>,
    /// The change against the previous period as a fraction (`0.12` for +12%); `None` when the
    /// previous period had none of it (a new figure) or either value is unknown.
    pub change: Option<f64>,
}

impl TrendRow {
    fn new(
        label: &'static str,
        figure: Figure,
        current: Option<f64>,
        previous: Option<f64>,
    ) -> Self {
        let change = match (current, previous) {
            (Some(a), Some(b)) if b > 0.0 && a.is_finite() && b.is_finite() => Some((a - b) / b),
            _ => None,
        };
        TrendRow {
            label,
            figure,
            current,
            previous,
            sessions: None,
            change,
        }
    }
}

/// The rows of the trend table, in the order every format shows them.
pub fn trend_rows(c: &PeriodTotals, p: &PeriodTotals) -> Vec<TrendRow> {
    let n = |x: u64| Some(x as f64);
    let mut rows = vec![
        TrendRow::new("sessions", Figure::Count, n(c.sessions), n(p.sessions)),
        TrendRow::new("spend", Figure::Usd, Some(c.cost_usd), Some(p.cost_usd)),
        TrendRow::new(
            "merged lines",
            Figure::Count,
            n(c.lines_merged),
            n(p.lines_merged),
        ),
        TrendRow::new(
            "lines in HEAD",
            Figure::Count,
            n(c.lines_in_head),
            n(p.lines_in_head),
        ),
        TrendRow::new(
            "cost per merged line",
            Figure::UsdPerLine,
            c.cost_per_merged_line,
            p.cost_per_merged_line,
        ),
    ];
    for v in [Verdict::Leverage, Verdict::Theater, Verdict::Lead] {
        let a = c.by_verdict.get(&v).cloned().unwrap_or_default();
        let b = p.by_verdict.get(&v).cloned().unwrap_or_default();
        let mut row = TrendRow::new(v.as_str(), Figure::Usd, Some(a.cost_usd), Some(b.cost_usd));
        row.sessions = Some((a.sessions, b.sessions));
        rows.push(row);
    }
    rows.extend([
        TrendRow::new(
            "failed tool calls",
            Figure::Count,
            n(c.failed_calls),
            n(p.failed_calls),
        ),
        TrendRow::new(
            "cost of failures and retries",
            Figure::Usd,
            Some(c.retry_cost_usd),
            Some(p.retry_cost_usd),
        ),
        TrendRow::new(
            "routing savings available",
            Figure::Usd,
            Some(c.savings_usd),
            Some(p.savings_usd),
        ),
    ]);
    rows
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewReport {
    /// Repositories covered.
    pub repos: Vec<PathBuf>,
    /// Period start.
    pub since: Timestamp,
    /// Period end.
    pub until: Timestamp,
    /// This period.
    pub current: PeriodTotals,
    /// The period of the same length before it.
    pub previous: PeriodTotals,
    /// Cost per day by verdict, every day of the period.
    pub days: Vec<DayCost>,
    /// Every session of the period.
    pub points: Vec<SessionPoint>,
    /// Sessions to review first: most spend with least accepted, worst first (at most 5).
    pub review_first: Vec<SessionPoint>,
    /// What limits the comparison (logs the agents have already deleted); absent when nothing does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The zone dates and times are shown in (`--tz`); JSON times stay RFC 3339 in UTC.
    #[serde(skip)]
    pub tz: TimeZone,
    /// This period against the previous one, row by row (added within review/v1).
    pub trend: Vec<TrendRow>,
}

fn totals(sessions: &[&SessionReport]) -> PeriodTotals {
    let mut t = PeriodTotals::default();
    for s in sessions {
        t.sessions += 1;
        t.cost_usd += s.priced_usd;
        t.sessions_with_unknown_cost += u64::from(s.cost_usd.is_none());
        t.tokens += s.tokens.total();
        if let Some(o) = &s.outcome {
            t.lines_added += o.lines_added;
            t.lines_merged += o.lines_merged;
            t.lines_in_head += o.lines_in_head;
        }
        let v = t.by_verdict.entry(s.verdict).or_default();
        v.sessions += 1;
        v.cost_usd += s.priced_usd;
        t.failed_calls += s.retries.failed_calls;
        t.retry_cost_usd += s.retries.retry_cost_usd.unwrap_or(0.0);
        t.savings_usd += s.premium.savings_usd;
        for (tier, c) in &s.cost_by_tier {
            *t.cost_by_tier.entry(*tier).or_default() += c;
        }
    }
    t.cost_per_merged_line = (t.lines_merged > 0).then(|| t.cost_usd / t.lines_merged as f64);
    t
}

fn point(s: &SessionReport) -> SessionPoint {
    SessionPoint {
        id: s.id.clone(),
        agent: s.agent,
        cost_usd: s.priced_usd,
        lines_kept: s.outcome.as_ref().map_or(0, |o| o.lines_in_head),
        verdict: s.verdict,
        flags: s.flags.iter().map(|f| f.code.as_str()).collect(),
        started_at: s.started_at,
    }
}

/// Builds the review of `[since, until)` from the sessions of both periods.
pub fn review_report(
    repos: Vec<PathBuf>,
    sessions: &[SessionReport],
    since: Timestamp,
    until: Timestamp,
    tz: &TimeZone,
) -> ReviewReport {
    let length = until.as_second() - since.as_second();
    let prev_since = since.as_second() - length;
    let in_range = |s: &SessionReport, a: i64, b: i64| {
        s.started_at
            .is_some_and(|t| t.as_second() >= a && t.as_second() < b)
    };
    let current: Vec<&SessionReport> = sessions
        .iter()
        .filter(|s| in_range(s, since.as_second(), until.as_second()))
        .collect();
    let previous: Vec<&SessionReport> = sessions
        .iter()
        .filter(|s| in_range(s, prev_since, since.as_second()))
        .collect();
    let mut days: BTreeMap<String, BTreeMap<Verdict, f64>> = BTreeMap::new();
    let mut day = since;
    while day < until {
        days.entry(period_key(day, Period::Day, tz)).or_default();
        day = day
            .checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap_or(until);
    }
    for s in &current {
        if let Some(t) = s.started_at {
            *days
                .entry(period_key(t, Period::Day, tz))
                .or_default()
                .entry(s.verdict)
                .or_default() += s.priced_usd;
        }
    }
    let points: Vec<SessionPoint> = current.iter().map(|s| point(s)).collect();
    let mut review_first: Vec<SessionPoint> = points
        .iter()
        .filter(|p| p.verdict != Verdict::Leverage && p.cost_usd > 0.0)
        .cloned()
        .collect();
    // Most spend per kept line first: spend with nothing kept sorts as the worst.
    review_first.sort_by(|a, b| {
        let score = |p: &SessionPoint| p.cost_usd / (p.lines_kept as f64 + 1.0);
        score(b).total_cmp(&score(a))
    });
    review_first.truncate(5);
    let (current, previous) = (totals(&current), totals(&previous));
    ReviewReport {
        tz: tz.clone(),
        repos,
        since,
        until,
        trend: trend_rows(&current, &previous),
        current,
        previous,
        days: days
            .into_iter()
            .map(|(day, by_verdict)| DayCost { day, by_verdict })
            .collect(),
        points,
        review_first,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod trend_tests {
    use super::*;

    #[test]
    fn a_trend_row_says_the_change_or_why_there_is_none() {
        let now = PeriodTotals {
            sessions: 3,
            cost_usd: 6.0,
            lines_merged: 10,
            cost_per_merged_line: Some(0.6),
            ..Default::default()
        };
        let before = PeriodTotals {
            sessions: 4,
            cost_usd: 4.0,
            ..Default::default()
        };
        let rows = trend_rows(&now, &before);
        let get = |l: &str| rows.iter().find(|r| r.label == l).expect("row");
        assert_eq!(get("sessions").change, Some(-0.25));
        assert_eq!(get("spend").change, Some(0.5));
        assert_eq!(get("merged lines").change, None, "none before: new");
        assert_eq!(get("cost per merged line").previous, None, "unknown before");
        assert_eq!(get("leverage").sessions, Some((0, 0)));
        let labels: Vec<&str> = rows.iter().map(|r| r.label).collect();
        assert_eq!(labels.len(), 11, "{labels:?}");
    }
}
