//! The branch summary behind `check`: the sessions whose lines are in `base..HEAD`, what they cost, how
//! much of the branch diff is theirs, and the `--fail-on` rules.

use serde::Serialize;

use super::SessionReport;
use crate::git::BranchFacts;

/// The `check` report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchReport {
    /// Base branch.
    pub base: String,
    /// Checked-out branch.
    pub head: String,
    /// Commits in `base..HEAD`.
    pub commits: u64,
    /// Non-trivial lines added by the branch diff.
    pub branch_lines: u64,
    /// Lines of that diff that agent sessions wrote (matched in the branch's commits, still in HEAD).
    pub agent_lines: u64,
    /// The rest: written by people (or by agents whose logs are not on this machine).
    pub human_lines: u64,
    /// Files the branch touches.
    pub files_changed: u64,
    /// Summed cost of the sessions (`null` when one is unknown).
    pub cost_usd: Option<f64>,
    /// Cost of the priced part.
    pub priced_usd: f64,
    /// Summed tokens.
    pub tokens: u64,
    /// Cost per agent line kept.
    pub cost_per_line: Option<f64>,
    /// Share of the priced cost on premium routes.
    pub premium_share: Option<f64>,
    /// Summed review burden.
    pub review_burden: u64,
    /// Summed routing savings.
    pub savings_usd: f64,
    /// The sessions, newest first.
    pub sessions: Vec<SessionReport>,
    /// Sessions per verdict (`leverage`, `theater`, `lead`).
    pub verdicts: std::collections::BTreeMap<&'static str, u64>,
    /// The agents' share of the lines the branch added (`None` when it added none).
    pub agent_share: Option<f64>,
    /// Rules given with `--fail-on` that are broken, with the reason.
    pub broken: Vec<String>,
}

/// Builds the report. `lines_on_branch` gives, per session, its lines held by the branch's commits.
pub fn branch_report(facts: &BranchFacts, sessions: Vec<SessionReport>) -> BranchReport {
    let mut agent_lines = 0;
    let mut priced = 0.0;
    let mut premium = 0.0;
    let mut unknown = false;
    let mut tokens = 0;
    let mut burden = 0;
    let mut savings = 0.0;
    for s in &sessions {
        if let Some(o) = &s.outcome {
            let on_branch: u64 = o
                .commit_matches
                .iter()
                .filter(|c| facts.commits.contains(&c.sha))
                .map(|c| c.lines)
                .sum();
            agent_lines += on_branch.min(o.lines_live);
        }
        priced += s.priced_usd;
        unknown |= s.cost_usd.is_none();
        tokens += s.tokens.total();
        burden += s.metrics.review_burden.unwrap_or(0);
        savings += s.premium.savings_usd;
        premium += s.premium.cost_usd;
    }
    let agent_lines = agent_lines.min(facts.lines_added);
    let cost = (!unknown).then_some(priced);
    let mut verdicts: std::collections::BTreeMap<&'static str, u64> =
        ["leverage", "theater", "lead"]
            .into_iter()
            .map(|v| (v, 0))
            .collect();
    for s in &sessions {
        *verdicts.entry(s.verdict.as_str()).or_default() += 1;
    }
    BranchReport {
        base: facts.base.clone(),
        head: facts.head.clone(),
        commits: facts.commits.len() as u64,
        branch_lines: facts.lines_added,
        agent_lines,
        human_lines: facts.lines_added - agent_lines,
        files_changed: facts.files_changed,
        cost_usd: cost,
        priced_usd: priced,
        tokens,
        cost_per_line: cost
            .filter(|_| agent_lines > 0)
            .map(|c| c / agent_lines as f64),
        premium_share: (priced > 0.0).then(|| premium / priced),
        review_burden: burden,
        savings_usd: savings,
        sessions,
        verdicts,
        agent_share: (facts.lines_added > 0).then(|| agent_lines as f64 / facts.lines_added as f64),
        broken: Vec::new(),
    }
}

/// A `--fail-on` rule: `theater`, a flag code (`retry-loop`…), or `NAME>NUMBER` with NAME one of
/// `cost`, `cost-per-line`, `premium-share`, `tokens`.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Some session has this verdict (`theater`, `lead`).
    Verdict(String),
    /// Some session has this flag.
    Flag(crate::metrics::verdict::FlagCode),
    /// A branch figure above a limit.
    Above(String, f64),
}

const FIGURES: &[&str] = &["cost", "cost-per-line", "premium-share", "tokens"];

impl Rule {
    /// Parses one rule, with a message listing the valid forms when it is not one.
    pub fn parse(s: &str) -> Result<Rule, String> {
        let s = s.trim();
        if let Some((name, n)) = s.split_once('>') {
            let name = name.trim();
            if !FIGURES.contains(&name) {
                return Err(format!(
                    "unknown figure `{name}` in --fail-on `{s}`: use one of {}",
                    FIGURES.join(", ")
                ));
            }
            let n: f64 = n
                .trim()
                .parse()
                .map_err(|_| format!("`{}` in --fail-on `{s}` is not a number", n.trim()))?;
            return Ok(Rule::Above(name.to_owned(), n));
        }
        if matches!(s, "theater" | "lead") {
            return Ok(Rule::Verdict(s.to_owned()));
        }
        if let Some(code) = crate::metrics::verdict::FlagCode::named(s) {
            return Ok(Rule::Flag(code));
        }
        let flags: Vec<&str> = crate::metrics::verdict::FlagCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        Err(format!(
            "unknown --fail-on rule `{s}`: use theater, lead, a flag ({}), or FIGURE>NUMBER with FIGURE one of {}",
            flags.join(", "),
            FIGURES.join(", ")
        ))
    }

    /// Why the rule is broken by `r`, or `None`.
    pub fn broken_by(&self, r: &BranchReport) -> Option<String> {
        match self {
            Rule::Verdict(v) => {
                let ids: Vec<&str> = r
                    .sessions
                    .iter()
                    .filter(|s| s.verdict.as_str() == v)
                    .map(|s| s.id.as_str())
                    .collect();
                (!ids.is_empty())
                    .then(|| format!("{v}: {} session(s): {}", ids.len(), ids.join(", ")))
            }
            Rule::Flag(f) => {
                let ids: Vec<&str> = r
                    .sessions
                    .iter()
                    .filter(|s| s.flags.iter().any(|x| x.code == *f))
                    .map(|s| s.id.as_str())
                    .collect();
                (!ids.is_empty()).then(|| format!("{f}: {}", ids.join(", ")))
            }
            Rule::Above(name, limit) => {
                let value = match name.as_str() {
                    "cost" => Some(r.priced_usd),
                    "cost-per-line" => r.cost_per_line,
                    "premium-share" => r.premium_share,
                    "tokens" => Some(r.tokens as f64),
                    _ => None,
                }?;
                (value > *limit).then(|| format!("{name} is {value:.3}, above {limit}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse() {
        assert_eq!(Rule::parse("theater"), Ok(Rule::Verdict("theater".into())));
        assert_eq!(
            Rule::parse("retry-loop"),
            Ok(Rule::Flag(crate::metrics::verdict::FlagCode::RetryLoop))
        );
        assert_eq!(
            Rule::parse("cost-per-line>0.50"),
            Ok(Rule::Above("cost-per-line".into(), 0.5))
        );
        assert!(Rule::parse("costs>1").is_err());
        assert!(Rule::parse("cost>abc").is_err());
        assert!(Rule::parse("vibes").is_err());
    }
}
