//! Context breadth: what a session pulled into its context versus what it changed.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Session, ToolKind, Usage};

/// Context breadth of one session (the JSON `context` object).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Context {
    /// Distinct files read.
    pub files_read: u64,
    /// Distinct files changed by edits that applied.
    pub files_edited: u64,
    /// Bytes of tool results returned to the model.
    pub bytes_read: u64,
    /// Distinct directories listed.
    pub dirs_listed: u64,
    /// Distinct searches (pattern and root).
    pub searches: u64,
    /// Cache reads as a share of all input (fresh + cache read + cache write); `null` without input.
    pub cache_read_share: Option<f64>,
    /// Files read but never edited.
    pub files_read_not_edited: u64,
    /// Files read per file edited; `null` when nothing was edited.
    pub read_to_edited: Option<f64>,
}

/// Measures a session's breadth; `usage` is its summed token counts.
pub fn context(s: &Session, usage: &Usage) -> Context {
    let mut read = BTreeSet::new();
    let mut edited = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    let mut searches = BTreeSet::new();
    let mut c = Context::default();
    for call in s.tool_calls() {
        c.bytes_read += call.output_bytes;
        if call.is_error {
            continue;
        }
        match call.kind {
            ToolKind::Read => read.extend(call.paths.iter().cloned()),
            ToolKind::List => dirs.extend(call.paths.iter().cloned()),
            ToolKind::Search => {
                searches.insert((call.command.clone(), call.paths.first().cloned()));
            }
            _ => {}
        }
        // Files written through the shell (heredocs, `sed -i`) are edited files too.
        edited.extend(call.edits().map(|e| e.path.clone()));
        edited.extend(call.shell_touched.iter().cloned());
    }
    c.files_read = read.len() as u64;
    c.files_edited = edited.len() as u64;
    c.dirs_listed = dirs.len() as u64;
    c.searches = searches.len() as u64;
    c.files_read_not_edited = read.difference(&edited).count() as u64;
    let prompt = usage.prompt();
    c.cache_read_share = (prompt > 0).then(|| usage.cache_read as f64 / prompt as f64);
    c.read_to_edited = (c.files_edited > 0).then(|| c.files_read as f64 / c.files_edited as f64);
    c
}
