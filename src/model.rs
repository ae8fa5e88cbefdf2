//! The normalized model every agent's log is parsed into: sessions, steps (one model response each), tool
//! calls and the edits they produced.
//!
//! Plain data, no I/O. Formats build it, `ingest` merges and deduplicates it, metrics and renderers read it.
//! Token counts are exact `u64`s; a count that the log does not carry is `None`, never `0`. Sums saturate at
//! `u64::MAX` instead of wrapping (a hostile log cannot turn a huge count into a small one).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;

/// Which coding agent wrote a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Agent {
    /// Anthropic's Claude Code (`~/.claude/projects/**.jsonl`).
    ClaudeCode,
    /// OpenAI's Codex CLI (`~/.codex/sessions/**/rollout-*.jsonl`).
    Codex,
    /// Google's Gemini CLI (`~/.gemini/tmp/<project>/chats/session-*.json[l]`).
    Gemini,
    /// GitHub Copilot CLI (`~/.copilot/session-state/<id>/events.jsonl`).
    Copilot,
    /// Aider (`.aider.chat.history.md` in the repository).
    Aider,
    /// OpenCode (`~/.local/share/opencode/opencode.db`, and the legacy `storage/` JSON files).
    #[serde(rename = "opencode")]
    OpenCode,
}

impl Agent {
    /// The stable name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Copilot => "copilot",
            Agent::Aider => "aider",
            Agent::OpenCode => "opencode",
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Token counts of one model response, or a sum of them.
///
/// `input` excludes cache reads and cache writes (Anthropic's convention; Codex's `input_tokens`, which
/// includes cached input, is converted when parsed). `reasoning` is a part of `output`, not an addition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Fresh (uncached) input tokens.
    pub input: u64,
    /// Output tokens, reasoning included.
    pub output: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read: u64,
    /// Input tokens written to the 5-minute prompt cache.
    pub cache_write_5m: u64,
    /// Input tokens written to the 1-hour prompt cache.
    pub cache_write_1h: u64,
    /// Reasoning tokens, a subset of `output`.
    pub reasoning: u64,
}

impl Usage {
    /// All cache writes, whatever their lifetime.
    pub fn cache_write(&self) -> u64 {
        self.cache_write_5m.saturating_add(self.cache_write_1h)
    }

    /// Every token billed: input, output and both cache kinds (reasoning is inside output).
    pub fn total(&self) -> u64 {
        self.input
            .saturating_add(self.output)
            .saturating_add(self.cache_read)
            .saturating_add(self.cache_write())
    }

    /// The prompt size the model saw: fresh input plus cache reads and writes.
    pub fn prompt(&self) -> u64 {
        self.input
            .saturating_add(self.cache_read)
            .saturating_add(self.cache_write())
    }

    /// Field-wise maximum: how repeated snapshots of one response are folded (the streaming snapshot
    /// carries a too-small output count; the final line, when written, the real one).
    pub fn max(self, other: Usage) -> Usage {
        Usage {
            input: self.input.max(other.input),
            output: self.output.max(other.output),
            cache_read: self.cache_read.max(other.cache_read),
            cache_write_5m: self.cache_write_5m.max(other.cache_write_5m),
            cache_write_1h: self.cache_write_1h.max(other.cache_write_1h),
            reasoning: self.reasoning.max(other.reasoning),
        }
    }
}

impl std::ops::AddAssign for Usage {
    /// Field-wise sum, saturating at `u64::MAX`.
    fn add_assign(&mut self, o: Usage) {
        self.input = self.input.saturating_add(o.input);
        self.output = self.output.saturating_add(o.output);
        self.cache_read = self.cache_read.saturating_add(o.cache_read);
        self.cache_write_5m = self.cache_write_5m.saturating_add(o.cache_write_5m);
        self.cache_write_1h = self.cache_write_1h.saturating_add(o.cache_write_1h);
        self.reasoning = self.reasoning.saturating_add(o.reasoning);
    }
}

/// An agent's own account of a session's usage and cost, as it wrote it in its log (Claude Code's
/// `cost-state` record). Shown beside agent-audit's count, never instead of it: it includes side calls that
/// never reach the transcript (titles, summaries, classifiers), and a resumed session's figure carries the
/// cost restored from before the resume.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentReported {
    /// The record it was read from (`cost-state`).
    pub source: &'static str,
    /// When the last such record was written (the figures are cumulative: the last one is kept).
    pub at: Option<Timestamp>,
    /// The agent's total cost in USD (`totalCostUSD`), if given.
    pub total_cost_usd: Option<f64>,
    /// Per model, as the agent reported it (`modelUsage`).
    pub models: BTreeMap<String, ReportedModel>,
    /// The agent said some model's cost was unknown to it (`hasUnknownModelCost`).
    pub has_unknown_model_cost: bool,
}

/// One model's line in an [`AgentReported`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportedModel {
    /// Input tokens (`inputTokens`).
    pub input: u64,
    /// Output tokens (`outputTokens`).
    pub output: u64,
    /// Cache reads (`cacheReadInputTokens`).
    pub cache_read: u64,
    /// Cache writes (`cacheCreationInputTokens`).
    pub cache_write: u64,
    /// The agent's cost for the model (`costUSD`).
    pub cost_usd: Option<f64>,
}

impl AgentReported {
    /// The agent's total: `totalCostUSD`, else the sum of its models' costs.
    pub fn cost_usd(&self) -> Option<f64> {
        self.total_cost_usd.or_else(|| {
            let costs: Vec<f64> = self.models.values().filter_map(|m| m.cost_usd).collect();
            (!costs.is_empty()).then(|| costs.iter().sum())
        })
    }

    /// True when the agent writes a cost per response (OpenCode's message `cost`), so that a session's
    /// figure is the sum of its records; otherwise each record is a running total and the latest wins.
    pub fn is_per_response(&self) -> bool {
        self.source == "opencode"
    }

    /// Folds another record of the same session into `into`: summed for per-response sources, else the
    /// later running total kept.
    pub fn fold(into: &mut Option<AgentReported>, other: AgentReported) {
        match into {
            Some(mine) if mine.is_per_response() && other.source == mine.source => {
                mine.total_cost_usd = match (mine.total_cost_usd, other.total_cost_usd) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
                if other.at > mine.at {
                    mine.at = other.at;
                }
            }
            Some(mine) if !(other.at.is_some() && other.at > mine.at) => {}
            _ => *into = Some(other),
        }
    }

    /// This report set beside agent-audit's own cost of the same session.
    pub fn compare(&self, counted_usd: Option<f64>) -> AgentReportedComparison {
        let reported = self.cost_usd();
        AgentReportedComparison {
            reported: self.clone(),
            cost_usd: reported,
            difference_usd: reported.zip(counted_usd).map(|(r, c)| r - c),
            explanation: if self.source == "aider" {
                AIDER_REPORTED_EXPLANATION
            } else {
                AGENT_REPORTED_EXPLANATION
            },
        }
    }
}

/// Why an agent's own total and agent-audit's count differ; shown with every [`AgentReportedComparison`].
pub const AGENT_REPORTED_EXPLANATION: &str = "Claude Code's figure includes side calls that never reach \
the transcript (titles, summaries, classifiers, often on another model), and a resumed session's figure \
carries the cost restored from before the resume; agent-audit counts each response the transcript holds \
once, at list price, and keeps its own count";

/// Why Aider's own `$… session` figure and agent-audit's count differ.
pub const AIDER_REPORTED_EXPLANATION: &str = "Aider prices each call itself (from LiteLLM's table, and \
from the provider's reply when it reports a cost) and prints its figures rounded; agent-audit prices the \
counts the history prints (rounded above a thousand unless an analytics log gave them exactly) at list \
price, and keeps its own count";

/// An [`AgentReported`] beside agent-audit's count of the same session (`agent_reported` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentReportedComparison {
    /// What the agent wrote.
    #[serde(flatten)]
    pub reported: AgentReported,
    /// The agent's total in USD.
    pub cost_usd: Option<f64>,
    /// The agent's total minus agent-audit's cost (`null` when either is unknown).
    pub difference_usd: Option<f64>,
    /// Why the two differ, in words.
    pub explanation: &'static str,
}

/// How a response was served, when the provider bills it differently from the standard speed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceTier {
    /// Standard list price.
    #[default]
    Standard,
    /// Anthropic fast mode (`usage.speed == "fast"`).
    Fast,
    /// OpenAI priority processing (`service_tier == "priority"`).
    Priority,
    /// OpenAI flex processing (`service_tier == "flex"`).
    Flex,
}

/// What a tool call did, as far as context and edits are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToolKind {
    /// Read a file into context.
    Read,
    /// Searched contents or names (grep, glob).
    Search,
    /// Listed a directory.
    List,
    /// Changed part of an existing file.
    Edit,
    /// Wrote a whole file.
    Write,
    /// Ran a shell command.
    Shell,
    /// Anything else (web fetch, todo lists, subagents, MCP tools...).
    Other,
}

/// One tool call made by the model in a step, joined with its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCall {
    /// The agent's id for the call (`toolu_…`, `call_…`), used to join the result.
    #[serde(skip)]
    pub id: String,
    /// What kind of work the call did.
    pub kind: ToolKind,
    /// The tool's name as the agent logged it (`Read`, `apply_patch`, `mcp__x__y`...).
    pub name: String,
    /// Files or directories the call named, as logged (absolute or relative to the session's cwd).
    pub paths: Vec<String>,
    /// The shell command of a shell call, or the pattern of a search (used to spot re-runs and scopes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Bytes of the call's arguments.
    pub input_bytes: u64,
    /// Bytes of the result returned to the model (what the call added to the context).
    pub output_bytes: u64,
    /// The result was an error (failed command, edit that did not apply, rejected call).
    pub is_error: bool,
    /// The change to a file, when the call edited one and the edit applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<Edit>,
    /// Files a shell command wrote with their content in the command (`cat > f <<'EOF'`, `tee`,
    /// `printf … >`, an inline `git apply`/`patch`): followed into git like the edits of edit tools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shell_writes: Vec<Edit>,
    /// Files a shell command changed without their content in the command (`sed -i`, scripts): their
    /// lines are credited only through the session's own commits (`via_anchor`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shell_touched: Vec<String>,
    /// Commits the call made, as `git commit` printed them (`[branch abc1234] message`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<CommitAnchor>,
}

impl ToolCall {
    /// A call with nothing but its identity and kind; the parsers fill in the rest.
    pub fn new(id: impl Into<String>, kind: ToolKind, name: impl Into<String>) -> ToolCall {
        ToolCall {
            id: id.into(),
            kind,
            name: name.into(),
            paths: Vec::new(),
            command: None,
            input_bytes: 0,
            output_bytes: 0,
            is_error: false,
            edit: None,
            shell_writes: Vec::new(),
            shell_touched: Vec::new(),
            commits: Vec::new(),
        }
    }

    /// Every change to a file whose content is known: the edit tool's, then the shell's writes.
    pub fn edits(&self) -> impl Iterator<Item = &Edit> {
        self.edit.iter().chain(self.shell_writes.iter())
    }
}

/// A commit a session made itself: its own `git commit` (or `cherry-pick`, `merge`) printed
/// `[branch abc1234] summary`. Strong evidence that the commit's lines are the session's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitAnchor {
    /// The abbreviated hash as printed (7 to 40 hex digits).
    pub sha: String,
    /// The branch as printed (`main`, `feature/x`, `detached HEAD`).
    pub branch: String,
    /// The summary line as printed.
    pub summary: String,
}

/// A commit a session printed that holds none of its agent's lines, so matching never credits the session
/// with it: Aider's `/undo` removed it, or Aider committed the user's own uncommitted changes before
/// applying its edits (`Committing <file> before applying edits`; the committer name ends ` (aider)` and
/// the message is model-written, yet the lines are the user's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisownedCommit {
    /// The abbreviated hash as printed.
    pub sha: String,
    /// The summary line as printed: finds the commit again when the history was rewritten (rebase,
    /// amend) and the hash no longer resolves.
    pub summary: String,
    /// Why it is not the session's work.
    pub reason: DisownReason,
}

/// Why a [`DisownedCommit`] is not the session's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DisownReason {
    /// The session undid it (Aider's `/undo` printed `Removed: <sha>`).
    Undone,
    /// The session's agent committed the user's own work (Aider's dirty pre-commit).
    UserWork,
}

/// A pull request a session is linked to (Claude Code's `pr-link` records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullRequest {
    /// Its number.
    pub number: u64,
    /// Its address, as logged.
    pub url: String,
}

/// What an edit did to its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "op")]
pub enum EditOp {
    /// Created the file (or overwrote it without a record of the old content).
    Create,
    /// Changed lines of an existing file.
    Update,
    /// Deleted the file.
    Delete,
    /// Renamed the file (`path` is the old name), possibly changing lines too.
    Move {
        /// The new path.
        to: String,
    },
}

/// One contiguous change: the old lines replaced by the new lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    /// 1-based line in the old file where the hunk starts, when the log tells it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_start: Option<u32>,
    /// Lines removed (without their newline).
    pub old: Vec<String>,
    /// Lines added (without their newline).
    pub new: Vec<String>,
}

/// A change to one file, captured fully so that git correlation can find its lines again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The file, as logged.
    pub path: String,
    /// Create, update, delete or move.
    #[serde(flatten)]
    pub op: EditOp,
    /// The line changes, in file order.
    pub hunks: Vec<Hunk>,
}

impl Edit {
    /// Lines this edit added.
    pub fn lines_added(&self) -> usize {
        self.hunks.iter().map(|h| h.new.len()).sum()
    }

    /// Lines this edit removed.
    pub fn lines_removed(&self) -> usize {
        self.hunks.iter().map(|h| h.old.len()).sum()
    }
}

/// One model response: the unit that is billed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// When the response was logged.
    pub at: Timestamp,
    /// The model id as logged (`claude-sonnet-4-5-20250929`, `gpt-5-codex`), if any.
    pub model: Option<String>,
    /// True when `model` was not logged with the response and was inferred (e.g. a Codex session without
    /// `turn_context` model: the fallback model is named in the README).
    pub model_inferred: bool,
    /// Token counts; `None` when the log carries no token data for this response (unknown, not zero).
    pub usage: Option<Usage>,
    /// Fast / priority / flex processing, billed with a multiplier.
    pub service_tier: ServiceTier,
    /// Tool calls the response made, joined with their results.
    pub tool_calls: Vec<ToolCall>,
    /// The response ran in a subagent / sidechain of the session.
    pub sidechain: bool,
    /// Claude Code's `message.id:requestId`, the key a response is deduplicated on across lines and files.
    #[serde(skip)]
    pub dedup_key: Option<Box<str>>,
}

/// Why lines of a log were skipped, with counts. Every skip is counted and reported, never silent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Skips {
    /// Reason → number of lines.
    #[serde(flatten)]
    pub by_reason: BTreeMap<&'static str, u64>,
}

impl Skips {
    /// Counts one skipped line for `reason`.
    pub fn add(&mut self, reason: &'static str) {
        *self.by_reason.entry(reason).or_default() += 1;
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Skips) {
        for (reason, n) in &other.by_reason {
            *self.by_reason.entry(reason).or_default() += n;
        }
    }

    /// All skipped lines.
    pub fn total(&self) -> u64 {
        self.by_reason.values().sum()
    }
}

/// One agent session, possibly assembled from several files (a Claude Code session and its subagents).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// The agent's own session id.
    pub id: String,
    /// Which agent.
    pub agent: Agent,
    /// The working directory the agent ran in.
    pub cwd: Option<PathBuf>,
    /// The git branch the agent logged, if any.
    pub branch: Option<String>,
    /// First timestamp seen in the session.
    pub started_at: Option<Timestamp>,
    /// Last timestamp seen in the session.
    pub ended_at: Option<Timestamp>,
    /// The billed responses, in time order, each counted once.
    pub steps: Vec<Step>,
    /// The log files the session was read from.
    pub files: Vec<PathBuf>,
    /// Lines skipped while reading those files.
    pub skipped: Skips,
    /// Plain-words notes about how the session was read (fallback model, replayed fork history...).
    pub notes: Vec<String>,
    /// The agent's project id, when it names the project by a hash rather than a path (Gemini CLI's
    /// `projectHash`, the SHA-256 of the project root): matched against a repository's work trees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_hash: Option<String>,
    /// The root commit of the repository the agent tied the session to (OpenCode's project id): matched
    /// against a repository's root commits when the session's directory is not one of its work trees
    /// (the folder was moved or renamed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_root_commit: Option<String>,
    /// Pull requests the session linked, first seen first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pull_requests: Vec<PullRequest>,
    /// The agent's own usage and cost figures, when its log holds them (Claude Code's `cost-state`).
    pub agent_reported: Option<AgentReported>,
    /// Commits the session printed that are not its work (undone, or the user's work it committed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disowned_commits: Vec<DisownedCommit>,
    /// Every log file of the session was deleted after agent-audit indexed it: the session is counted
    /// from the index's summary (tokens and models; no tool calls or edits).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub log_gone: bool,
}

impl Session {
    /// A new, empty session.
    pub fn new(agent: Agent, id: impl Into<String>) -> Session {
        Session {
            id: id.into(),
            agent,
            cwd: None,
            branch: None,
            started_at: None,
            ended_at: None,
            steps: Vec::new(),
            files: Vec::new(),
            skipped: Skips::default(),
            notes: Vec::new(),
            project_hash: None,
            project_root_commit: None,
            pull_requests: Vec::new(),
            agent_reported: None,
            disowned_commits: Vec::new(),
            log_gone: false,
        }
    }

    /// Widens the session's time span to include `at`.
    pub fn saw(&mut self, at: Timestamp) {
        if self.started_at.is_none_or(|s| at < s) {
            self.started_at = Some(at);
        }
        if self.ended_at.is_none_or(|e| at > e) {
            self.ended_at = Some(at);
        }
    }

    /// Moves every path the session's tool calls name from under `old` to the same place under `new` (the
    /// session ran in a folder that has since moved: its absolute paths name the old place).
    pub fn rebase_paths(&mut self, old: &Path, new: &Path) {
        let old = old.to_string_lossy().trim_end_matches('/').to_owned();
        let new = new.to_string_lossy().trim_end_matches('/').to_owned();
        let fix = |p: &mut String| {
            if let Some(rest) = p.strip_prefix(old.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                *p = format!("{new}{rest}");
            }
        };
        for call in self.steps.iter_mut().flat_map(|s| s.tool_calls.iter_mut()) {
            call.paths.iter_mut().for_each(fix);
            call.shell_touched.iter_mut().for_each(fix);
            for e in call.edit.iter_mut().chain(call.shell_writes.iter_mut()) {
                fix(&mut e.path);
                if let EditOp::Move { to } = &mut e.op {
                    fix(to);
                }
            }
        }
    }

    /// Summed token counts of the steps that carry them, and whether any step's counts are unknown.
    pub fn usage(&self) -> (Usage, bool) {
        let mut total = Usage::default();
        let mut unknown = false;
        for step in &self.steps {
            match step.usage {
                Some(u) => total += u,
                None => unknown = true,
            }
        }
        (total, unknown)
    }

    /// Commits the session made itself, in the order it made them.
    pub fn commit_anchors(&self) -> impl Iterator<Item = &CommitAnchor> {
        self.tool_calls().flat_map(|c| c.commits.iter())
    }

    /// Every tool call of every step.
    pub fn tool_calls(&self) -> impl Iterator<Item = &ToolCall> {
        self.steps.iter().flat_map(|s| s.tool_calls.iter())
    }
}
