//! Retries and churn: failed tool calls, edits that did not apply and their re-attempts, shell commands
//! re-run after a failure, the same file region rewritten, lines the session added and removed itself.
//! Each is counted, and the steps that hold them are priced (`retry_cost_usd`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::model::{Session, ToolKind};

/// Retry and churn counts of one session.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Retries {
    /// Tool calls whose result was an error.
    pub failed_calls: u64,
    /// Edits or writes that did not apply ("string not found", rejected...).
    pub failed_edits: u64,
    /// Failed edits followed by another edit of the same file.
    pub edit_retries: u64,
    /// Shell commands run again after they failed (test runs, builds).
    pub command_reruns: u64,
    /// Edits that rewrote lines the session itself had added earlier.
    pub rewrites: u64,
    /// Lines the session added and later removed or rewrote itself.
    pub self_removed_lines: u64,
    /// Steps that hold a failed call or a retry.
    pub retry_steps: u64,
    /// List-price cost of those steps (`null` when one of them cannot be priced).
    pub retry_cost_usd: Option<f64>,
}

/// Per-step marks: the step failed a call, or retried one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepMarks {
    /// A call of the step failed.
    pub error: bool,
    /// A call of the step re-attempts a failed edit or re-runs a failed command.
    pub retry: bool,
}

fn normalize_command(c: &str) -> String {
    c.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Counts retries; returns the counts (without cost) and one mark per step. `self_removed` is the
/// replay's count when git correlation already replayed the session's edits; otherwise they are replayed
/// here.
pub fn analyze(s: &Session, self_removed: Option<u64>) -> (Retries, Vec<StepMarks>) {
    let mut r = Retries::default();
    let mut marks = vec![StepMarks::default(); s.steps.len()];
    let mut failed_edit_paths: HashMap<String, u64> = HashMap::new();
    let mut failed_commands: HashSet<String> = HashSet::new();
    let mut added_lines: HashMap<String, HashSet<String>> = HashMap::new();
    for (i, step) in s.steps.iter().enumerate() {
        for call in &step.tool_calls {
            let is_edit = matches!(call.kind, ToolKind::Edit | ToolKind::Write);
            let path = call.paths.first().cloned().unwrap_or_default();
            if is_edit
                && let Some(n) = failed_edit_paths.get_mut(&path)
                && *n > 0
            {
                *n -= 1;
                r.edit_retries += 1;
                marks[i].retry = true;
            }
            if call.kind == ToolKind::Shell
                && let Some(cmd) = &call.command
            {
                let key = normalize_command(cmd);
                if failed_commands.remove(&key) {
                    r.command_reruns += 1;
                    marks[i].retry = true;
                }
                if call.is_error {
                    failed_commands.insert(key);
                }
            }
            if call.is_error {
                r.failed_calls += 1;
                marks[i].error = true;
                if is_edit {
                    r.failed_edits += 1;
                    *failed_edit_paths.entry(path.clone()).or_default() += 1;
                }
            }
            if let Some(edit) = &call.edit {
                let mine = added_lines.entry(edit.path.clone()).or_default();
                let rewrote = edit
                    .hunks
                    .iter()
                    .flat_map(|h| h.old.iter())
                    .any(|l| crate::git::lines::normalize(l).is_some_and(|k| mine.contains(k)));
                if rewrote {
                    r.rewrites += 1;
                }
                for l in edit.hunks.iter().flat_map(|h| h.new.iter()) {
                    if let Some(k) = crate::git::lines::normalize(l) {
                        mine.insert(k.to_owned());
                    }
                }
            }
        }
    }
    r.self_removed_lines = self_removed
        .unwrap_or_else(|| crate::git::lines::session_lines(s, Path::new("/")).self_removed);
    r.retry_steps = marks.iter().filter(|m| m.error || m.retry).count() as u64;
    (r, marks)
}
