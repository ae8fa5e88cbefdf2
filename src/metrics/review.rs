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
        flags: s.flags.iter().map(|f| f.code).collect(),
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
    ReviewReport {
        tz: tz.clone(),
        repos,
        since,
        until,
        current: totals(&current),
        previous: totals(&previous),
        days: days
            .into_iter()
            .map(|(day, by_verdict)| DayCost { day, by_verdict })
            .collect(),
        points,
        review_first,
        notes: Vec::new(),
    }
}
