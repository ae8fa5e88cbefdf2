//! Ids as the agents write them → a key of the table, by documented rules, each named in what it returns.
//!
//! [`PriceTable::resolve_id`] tries, in this order:
//!
//! 1. the id is a key of the table ([`Match::Exact`], rule `exact`);
//! 2. after these rewrites, which keep the same model, the id is a key or a declared alias: surrounding
//!    whitespace and upper case are dropped; a provider prefix is dropped (`anthropic/`, `openai/`,
//!    `google/`, `gemini/`, `vertex_ai/`, `models/`); an Amazon Bedrock id loses its `anthropic.` /
//!    `us.anthropic.` / `eu.` / `apac.` / `au.` / `jp.` / `global.` prefix and its `-v1:0` version suffix;
//!    a `[1m]` suffix (Claude Code's 1M-context selector: the same model, priced by its own rules) is
//!    dropped; a Claude id's version dots become dashes (`claude-sonnet-4.5`, as Copilot CLI and OpenCode
//!    write it); a Google Vertex `@20250514` date becomes `-20250514`;
//! 3. the rewritten id ends with a date (`-20250929` or `-2025-11-13`), and without it the id is a key or an
//!    alias (a snapshot priced differently from its undated name has its own entry, which 1. finds first);
//! 4. the rewritten id has no date, and exactly one entry is that id plus a date (`claude-sonnet-4-5` →
//!    `claude-sonnet-4-5-20250929`);
//! 5. the rewritten id ends with `-fast` (a gateway's name for the fast tier: OpenRouter's
//!    `anthropic/claude-opus-4.8-fast`), is not itself known, and without the suffix 1–4 find it: the step is
//!    then priced at the fast tier.
//!
//! Nothing else matches: no prefix or family matching, so an unknown model (`claude-opus-4-9`, `gpt-5.9`,
//! `o3-mini`) is never priced as a sibling. Steps 2–5 return [`Match::Normalized`] naming what was done.
//! A Bedrock or Vertex id is priced at the first-party list price.

use serde::Serialize;

use super::PriceTable;

/// Provider prefixes dropped from a model id (gateways, SDKs, the Gemini API's `models/`).
const PROVIDER_PREFIXES: [&str; 6] = [
    "anthropic/",
    "openai/",
    "google/",
    "gemini/",
    "vertex_ai/",
    "models/",
];

/// Amazon Bedrock cross-region inference prefixes, before `anthropic.`.
const BEDROCK_REGIONS: [&str; 6] = ["us.", "eu.", "apac.", "au.", "jp.", "global."];

/// How a model id was matched to a table entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "match", rename_all = "kebab-case")]
pub enum Match {
    /// The id is a key of the table.
    Exact,
    /// The id matched after the documented rewrites, named in `via`.
    Normalized {
        /// What was done, e.g. "dropped prefix `us.anthropic.`; dropped suffix `-v1:0`".
        via: String,
    },
}

impl Match {
    /// The rule in words: `exact`, or the rewrites done.
    pub fn rule(&self) -> String {
        match self {
            Match::Exact => "exact".to_owned(),
            Match::Normalized { via } => via.clone(),
        }
    }
}

/// What resolving an id found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The table key.
    pub key: String,
    /// How the id matched it.
    pub matched: Match,
    /// The id named the fast tier with a `-fast` suffix (rule 5).
    pub fast: bool,
}

impl PriceTable {
    /// The key a logged model id resolves to, by the rules of this module; `None` when the model is
    /// unknown.
    pub fn resolve_id(&self, model: &str) -> Option<Resolved> {
        if self.entries.contains_key(model) {
            return Some(Resolved {
                key: model.to_owned(),
                matched: Match::Exact,
                fast: false,
            });
        }
        let (id, steps) = rewrite(model);
        if let Some(found) = self.resolve_rewritten(&id, steps.clone()) {
            return Some(found);
        }
        let base = id.strip_suffix("-fast")?;
        let mut steps = steps;
        steps.push("dropped gateway suffix `-fast` (priced at the fast tier)".to_owned());
        let mut found = self.resolve_rewritten(base, steps)?;
        found.fast = true;
        Some(found)
    }

    /// Rules 2–4 on an already rewritten id.
    fn resolve_rewritten(&self, id: &str, mut steps: Vec<String>) -> Option<Resolved> {
        let found = self.lookup(id).or_else(|| {
            let (base, date) = split_date(id)?;
            let found = self.lookup(base)?;
            steps.push(format!("dropped date suffix `{date}`"));
            Some(found)
        });
        let found = found.or_else(|| {
            if split_date(id).is_some() {
                return None;
            }
            let found = self.unique_dated(id)?;
            steps.push(format!("added date suffix (`{}`)", found.2));
            Some((found.0, found.1))
        });
        let (key, alias) = found?;
        if let Some(alias) = alias {
            steps.push(format!("alias `{alias}`"));
        }
        Some(Resolved {
            key: key.to_owned(),
            matched: Match::Normalized {
                via: steps.join("; "),
            },
            fast: false,
        })
    }

    /// `id` as a key, or as an alias (then also returned).
    fn lookup<'a>(&'a self, id: &'a str) -> Option<(&'a str, Option<&'a str>)> {
        if let Some((key, _)) = self.entries.get_key_value(id) {
            return Some((key.as_str(), None));
        }
        self.aliases
            .get_key_value(id)
            .map(|(alias, key)| (key.as_str(), Some(alias.as_str())))
    }

    /// The one entry whose key or alias is `id` plus a date suffix: (key, alias if it was an alias, the name).
    fn unique_dated(&self, id: &str) -> Option<(&str, Option<&str>, &str)> {
        let keys = self.entries.keys().map(|k| (k.as_str(), None, k.as_str()));
        let aliases = self
            .aliases
            .iter()
            .map(|(a, k)| (k.as_str(), Some(a.as_str()), a.as_str()));
        let mut found: Option<(&str, Option<&str>, &str)> = None;
        for candidate in keys.chain(aliases) {
            if split_date(candidate.2).is_some_and(|(base, _)| base == id) {
                match found {
                    Some(f) if f.0 != candidate.0 => return None,
                    Some(_) => {}
                    None => found = Some(candidate),
                }
            }
        }
        found
    }
}

/// Rule 2: the rewrites that keep the model, and a description of each one done.
fn rewrite(model: &str) -> (String, Vec<String>) {
    let mut steps = Vec::new();
    let mut id = model.trim().to_ascii_lowercase();
    if id != model {
        steps.push("dropped whitespace/upper case".to_owned());
    }
    // Claude Code names the 1M-context variant `claude-opus-4-8[1m]`: the same model.
    if let Some(base) = id.strip_suffix("[1m]") {
        id = base.to_owned();
        steps.push("dropped suffix `[1m]` (1M-context selector)".to_owned());
    }
    while let Some(prefix) = PROVIDER_PREFIXES.iter().find(|p| id.starts_with(*p)) {
        id.drain(..prefix.len());
        steps.push(format!("dropped prefix `{prefix}`"));
    }
    let region = BEDROCK_REGIONS
        .iter()
        .find(|r| {
            id.strip_prefix(*r)
                .is_some_and(|rest| rest.starts_with("anthropic."))
        })
        .copied()
        .unwrap_or("");
    if id[region.len()..].starts_with("anthropic.") {
        let prefix = format!("{region}anthropic.");
        id.drain(..prefix.len());
        steps.push(format!("dropped prefix `{prefix}`"));
        if let Some(at) = bedrock_version_at(&id) {
            steps.push(format!("dropped suffix `{}`", &id[at..]));
            id.truncate(at);
        }
    }
    // Copilot CLI spells Claude versions with a dot (`claude-sonnet-4.6`); Anthropic's ids use dashes.
    if id.starts_with("claude-") && id.contains('.') {
        id = id.replace('.', "-");
        steps.push("version dots read as dashes".to_owned());
    }
    if let Some(at) = id.rfind('@') {
        let date = &id[at + 1..];
        if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
            steps.push(format!("`@{date}` read as `-{date}`"));
            id.replace_range(at..=at, "-");
        }
    }
    (id, steps)
}

/// Where a Bedrock version suffix (`-v1`, `-v2:0`) starts, if `id` ends with one.
fn bedrock_version_at(id: &str) -> Option<usize> {
    let at = id.rfind("-v")?;
    let rest = &id[at + 2..];
    let (major, minor) = match rest.split_once(':') {
        Some((major, minor)) => (major, Some(minor)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && minor.is_none_or(digits)).then_some(at)
}

/// Splits a trailing date suffix: `-YYYYMMDD` (Anthropic) or `-YYYY-MM-DD` (OpenAI) → (id without it, suffix).
pub(super) fn split_date(id: &str) -> Option<(&str, &str)> {
    let compact = id.len().checked_sub(9).and_then(|at| {
        let digits = id.get(at..)?.strip_prefix('-')?;
        (digits.bytes().all(|b| b.is_ascii_digit()) && plausible_date(digits, 4, 6)).then_some(at)
    });
    let dashed = id.len().checked_sub(11).and_then(|at| {
        let suffix = id.get(at..)?;
        let date = suffix.strip_prefix('-')?;
        is_iso_date(date).then_some(at)
    });
    let at = compact.or(dashed)?;
    let (base, suffix) = id.split_at(at);
    (!base.is_empty()).then_some((base, suffix))
}

/// `YYYY-MM-DD` with a 20xx year and a month and day in range.
pub(super) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && plausible_date(s, 5, 8)
}

/// The year starts with 20, the month (at `month`) is 01–12 and the day (at `day`) is 01–31.
fn plausible_date(s: &str, month: usize, day: usize) -> bool {
    let num = |at: usize| s.get(at..at + 2).and_then(|d| d.parse::<u8>().ok());
    s.starts_with("20")
        && num(month).is_some_and(|m| (1..=12).contains(&m))
        && num(day).is_some_and(|d| (1..=31).contains(&d))
}
