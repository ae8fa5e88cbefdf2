//! The team review (`review --from FILE...`): exported sessions from several machines, deduplicated by
//! key, summed per repository and week (cost per merged line) and per machine (theater spend). The
//! README's DuckDB and ClickHouse queries compute the same figures; `scripts/check-export.sh` asserts
//! they agree.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::export::read::{ExportedSession, Exports};

/// Totals over the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TeamTotals {
    /// Unique sessions that started in the period.
    pub sessions: u64,
    /// Machines they came from.
    pub machines: u64,
    /// Repositories they ran in (sessions outside a repository not counted).
    pub repositories: u64,
    /// Priced cost (USD).
    pub cost_usd: f64,
    /// Sessions whose cost is partly unknown (their priced part is included).
    pub sessions_with_unknown_cost: u64,
    /// Tokens (input, output, cache reads and writes).
    pub tokens: u64,
    /// Lines added.
    pub lines_added: u64,
    /// Lines merged into the base branches.
    pub lines_merged: u64,
    /// Merged lines still in HEAD.
    pub lines_in_head: u64,
    /// Cost over merged lines, `null` when nothing merged.
    pub cost_per_merged_line: Option<f64>,
    /// Sessions and cost per verdict.
    pub by_verdict: BTreeMap<String, super::review::VerdictTotals>,
}

/// One repository in one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepoWeek {
    /// Repository id.
    pub repository: String,
    /// Monday of the ISO week the sessions started in (UTC), `YYYY-MM-DD`.
    pub week: String,
    /// Sessions.
    pub sessions: u64,
    /// Priced cost.
    pub cost_usd: f64,
    /// Merged lines.
    pub lines_merged: u64,
    /// Cost over merged lines, `null` when nothing merged.
    pub cost_per_merged_line: Option<f64>,
}

/// One machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MachineRow {
    /// Machine label.
    pub machine: String,
    /// Sessions.
    pub sessions: u64,
    /// Priced cost.
    pub cost_usd: f64,
    /// Sessions judged theater.
    pub theater_sessions: u64,
    /// Their priced cost: the theater spend.
    pub theater_cost_usd: f64,
}

/// The team review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamReview {
    /// Export files read.
    pub files: Vec<std::path::PathBuf>,
    /// Session records read, duplicates included.
    pub records: u64,
    /// Records dropped as duplicates of a key.
    pub duplicates: u64,
    /// Lines skipped, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Period start.
    pub since: Timestamp,
    /// Period end.
    pub until: Timestamp,
    /// Totals.
    pub totals: TeamTotals,
    /// Cost per merged line per repository per week, by repository then week.
    pub by_repository_week: Vec<RepoWeek>,
    /// Spend and theater spend per machine, by machine.
    pub by_machine: Vec<MachineRow>,
}

/// Monday (UTC) of the ISO week holding `t`.
pub fn week_of(t: Timestamp) -> String {
    let date = t.to_zoned(TimeZone::UTC).date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .unwrap_or(date)
        .to_string()
}

fn per_line(cost: f64, lines: u64) -> Option<f64> {
    (lines > 0).then(|| cost / lines as f64)
}

/// The team review of the sessions of `ex` that started in `[since, until)`.
pub fn team_review(ex: &Exports, since: Timestamp, until: Timestamp) -> TeamReview {
    let chosen: Vec<&ExportedSession> = ex
        .sessions
        .iter()
        .filter(|s| s.started_at.is_some_and(|t| t >= since && t < until))
        .collect();
    let mut t = TeamTotals::default();
    let mut machines = BTreeMap::<&str, MachineRow>::new();
    let mut repo_weeks = BTreeMap::<(&str, String), RepoWeek>::new();
    for s in &chosen {
        let merged = s.outcome.map_or(0, |o| o.lines_merged);
        t.sessions += 1;
        t.cost_usd += s.priced_usd;
        t.sessions_with_unknown_cost += u64::from(s.cost_usd.is_none());
        t.tokens += s.tokens.input + s.tokens.output + s.tokens.cache_read + s.tokens.cache_write;
        if let Some(o) = s.outcome {
            t.lines_added += o.lines_added;
            t.lines_merged += o.lines_merged;
            t.lines_in_head += o.lines_in_head;
        }
        let v = t.by_verdict.entry(s.verdict.clone()).or_default();
        v.sessions += 1;
        v.cost_usd += s.priced_usd;
        let m = machines.entry(&s.machine).or_insert_with(|| MachineRow {
            machine: s.machine.clone(),
            sessions: 0,
            cost_usd: 0.0,
            theater_sessions: 0,
            theater_cost_usd: 0.0,
        });
        m.sessions += 1;
        m.cost_usd += s.priced_usd;
        if s.verdict == "theater" {
            m.theater_sessions += 1;
            m.theater_cost_usd += s.priced_usd;
        }
        if let (Some(repo), Some(start)) = (&s.repository, s.started_at) {
            let week = week_of(start);
            let rw = repo_weeks
                .entry((repo.as_str(), week.clone()))
                .or_insert_with(|| RepoWeek {
                    repository: repo.clone(),
                    week,
                    sessions: 0,
                    cost_usd: 0.0,
                    lines_merged: 0,
                    cost_per_merged_line: None,
                });
            rw.sessions += 1;
            rw.cost_usd += s.priced_usd;
            rw.lines_merged += merged;
        }
    }
    t.machines = machines.len() as u64;
    t.repositories = {
        let mut r: Vec<&str> = repo_weeks.keys().map(|(r, _)| *r).collect();
        r.dedup();
        r.len() as u64
    };
    t.cost_per_merged_line = per_line(t.cost_usd, t.lines_merged);
    TeamReview {
        files: ex.files.clone(),
        records: ex.session_records,
        duplicates: ex.duplicates,
        skipped: ex.skipped.clone(),
        since,
        until,
        totals: t,
        by_repository_week: repo_weeks
            .into_values()
            .map(|mut rw| {
                rw.cost_per_merged_line = per_line(rw.cost_usd, rw.lines_merged);
                rw
            })
            .collect(),
        by_machine: machines.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_utc() {
        let t = |s: &str| s.parse::<Timestamp>().expect("time");
        assert_eq!(week_of(t("2026-11-18T04:36:00Z")), "2026-11-16"); // a Wednesday
        assert_eq!(week_of(t("2026-11-16T00:00:00Z")), "2026-11-16"); // Monday
        assert_eq!(week_of(t("2026-11-22T23:59:59Z")), "2026-11-16"); // Sunday
        assert_eq!(week_of(t("2027-01-01T12:00:00Z")), "2026-12-28"); // across a year
    }
}
