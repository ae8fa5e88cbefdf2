//! Model (+ later, git facts) → the figures every renderer reads. Renderers compute nothing: a number
//! shown anywhere is a field of [`SessionReport`] or [`usage::UsageReport`].

pub mod cost;
pub mod usage;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use jiff::Timestamp;
use serde::Serialize;

use crate::git::Outcome;
use crate::model::{Agent, Session, ToolKind};
use crate::pricing::PriceTable;
use cost::Spend;

/// Token counts as the JSON contract names them: `input` excludes cache reads and writes, `reasoning` is
/// a part of `output`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tokens {
    /// Fresh input.
    pub input: u64,
    /// Output, reasoning included.
    pub output: u64,
    /// Cache reads.
    pub cache_read: u64,
    /// Cache writes (5-minute and 1-hour).
    pub cache_write: u64,
    /// Reasoning, a part of output.
    pub reasoning: u64,
}

impl From<crate::model::Usage> for Tokens {
    fn from(u: crate::model::Usage) -> Tokens {
        Tokens {
            input: u.input,
            output: u.output,
            cache_read: u.cache_read,
            cache_write: u.cache_write(),
            reasoning: u.reasoning,
        }
    }
}

impl Tokens {
    /// Every billed token.
    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_read + self.cache_write
    }
}

/// What a session pulled into its context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// Distinct files read.
    pub files_read: u64,
    /// Distinct files changed by edits that applied.
    pub files_edited: u64,
    /// Bytes of tool results returned to the model.
    pub bytes_read: u64,
}

/// One session, summarised: the object behind a row of `sessions` and an entry of its JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionReport {
    /// The agent's own session id.
    pub id: String,
    /// Which agent.
    pub agent: Agent,
    /// Working directory.
    pub cwd: Option<PathBuf>,
    /// Git branch the agent logged.
    pub branch: Option<String>,
    /// First timestamp.
    pub started_at: Option<Timestamp>,
    /// Last timestamp.
    pub ended_at: Option<Timestamp>,
    /// Seconds between them.
    pub duration_s: Option<i64>,
    /// Models used, by name.
    pub models: Vec<String>,
    /// Billed responses.
    pub steps: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Tool calls whose result was an error.
    pub failed_tool_calls: u64,
    /// Summed tokens.
    pub tokens: Tokens,
    /// List-price cost, `null` when any step could not be priced.
    pub cost_usd: Option<f64>,
    /// Models the price table does not know (their steps are not priced).
    pub unpriced_models: Vec<String>,
    /// Steps whose token counts the log does not carry.
    pub steps_without_tokens: u64,
    /// Context breadth.
    pub context: Context,
    /// Lines skipped while reading the session's files.
    pub skipped_lines: u64,
    /// Skipped lines by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// The session's log files.
    pub files: Vec<PathBuf>,
    /// How the session was read (fallbacks, replayed history).
    pub notes: Vec<String>,
    /// What became of its edits in git; `null` when not correlated (`--all`, or no repository).
    pub outcome: Option<Outcome>,
}

impl SessionReport {
    /// Summarises a session with the given prices and, when known, its git outcome.
    pub fn new(s: &Session, prices: &PriceTable, outcome: Option<Outcome>) -> SessionReport {
        let mut spend = Spend::default();
        let mut models = BTreeSet::new();
        for step in &s.steps {
            spend.add_step(step, prices);
            if let Some(m) = &step.model {
                models.insert(m.clone());
            }
        }
        let mut read = BTreeSet::new();
        let mut edited = BTreeSet::new();
        let mut context = Context::default();
        let (mut calls, mut failed) = (0, 0);
        for call in s.tool_calls() {
            calls += 1;
            failed += u64::from(call.is_error);
            context.bytes_read += call.output_bytes;
            if call.kind == ToolKind::Read && !call.is_error {
                read.extend(call.paths.iter().map(String::as_str));
            }
            if let Some(e) = &call.edit {
                edited.insert(e.path.as_str());
            }
        }
        context.files_read = read.len() as u64;
        context.files_edited = edited.len() as u64;
        SessionReport {
            id: s.id.clone(),
            agent: s.agent,
            cwd: s.cwd.clone(),
            branch: s.branch.clone(),
            started_at: s.started_at,
            ended_at: s.ended_at,
            duration_s: s
                .started_at
                .zip(s.ended_at)
                .map(|(a, b)| b.as_second() - a.as_second()),
            models: models.into_iter().collect(),
            steps: spend.steps,
            tool_calls: calls,
            failed_tool_calls: failed,
            tokens: spend.tokens.into(),
            cost_usd: spend.cost_usd(),
            unpriced_models: spend.unpriced_models.into_iter().collect(),
            steps_without_tokens: spend.steps_without_tokens,
            context,
            skipped_lines: s.skipped.total(),
            skipped: s.skipped.by_reason.clone(),
            files: s.files.clone(),
            notes: s.notes.clone(),
            outcome,
        }
    }
}

/// What was read to make a report: shown under every table and in every JSON document, so a skip is
/// never silent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadSummary {
    /// Log files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines skipped, all reasons.
    pub skipped_lines: u64,
    /// Skipped lines by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Files that could not be read, with the reason.
    pub unreadable_files: Vec<(PathBuf, String)>,
    /// Copies of responses not counted again (streaming snapshots, resumed sessions, subagent copies).
    pub duplicate_responses: u64,
    /// Files not read because another file holds the same session.
    pub duplicate_files: u64,
}

impl ReadSummary {
    /// Summarises an ingest.
    pub fn of(ing: &crate::ingest::Ingested) -> ReadSummary {
        ReadSummary {
            files: ing.files,
            bytes: ing.bytes,
            lines: ing.lines,
            skipped_lines: ing.skipped.total(),
            skipped: ing.skipped.by_reason.clone(),
            unreadable_files: ing.unreadable.clone(),
            duplicate_responses: ing.duplicate_steps,
            duplicate_files: ing.duplicate_files.len() as u64,
        }
    }
}

/// The `sessions` report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionsReport {
    /// The repository whose sessions these are (`None` with `--all`).
    pub repo: Option<PathBuf>,
    /// The base branch lines are counted as merged into.
    pub base: Option<String>,
    /// What limits the git answer (shallow clone, no base branch…).
    pub git_notes: Vec<String>,
    /// Sessions, newest first.
    pub sessions: Vec<SessionReport>,
    /// What was read.
    pub read: ReadSummary,
}
