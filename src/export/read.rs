//! Reading NDJSON exports back (`review --from FILE...`): the `session` records of every file,
//! deduplicated by `key` (the newest `exported_at` wins, so a re-export after a merge replaces the
//! older record), with lines that are not export records counted as skips, never fatal.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;

use super::EXPORT_SCHEMA;
use crate::error::{Error, Result};

/// Tokens as exported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct ExportedTokens {
    /// Fresh input.
    #[serde(default)]
    pub input: u64,
    /// Output.
    #[serde(default)]
    pub output: u64,
    /// Cache reads.
    #[serde(default)]
    pub cache_read: u64,
    /// Cache writes.
    #[serde(default)]
    pub cache_write: u64,
}

/// The outcome fields the team review reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct ExportedOutcome {
    /// Lines added.
    #[serde(default)]
    pub lines_added: u64,
    /// Lines merged.
    #[serde(default)]
    pub lines_merged: u64,
    /// Lines merged and in HEAD.
    #[serde(default)]
    pub lines_in_head: u64,
}

/// A `session` record, the fields the team review reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExportedSession {
    /// Stable key.
    pub key: String,
    /// Machine label.
    pub machine: String,
    /// When exported.
    pub exported_at: Timestamp,
    /// Agent.
    pub agent: String,
    /// The agent's session id.
    pub session_id: String,
    /// Repository id.
    #[serde(default)]
    pub repository: Option<String>,
    /// Start.
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    /// Tokens.
    #[serde(default)]
    pub tokens: ExportedTokens,
    /// Cost, `null` when unknown.
    #[serde(default)]
    pub cost_usd: Option<f64>,
    /// Priced cost.
    pub priced_usd: f64,
    /// Outcome, `null` when not correlated.
    #[serde(default)]
    pub outcome: Option<ExportedOutcome>,
    /// Verdict.
    pub verdict: String,
}

/// Just enough of a line to tell what it is.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    schema: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    record: Option<std::borrow::Cow<'a, str>>,
}

/// What was read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exports {
    /// Unique sessions, in the order first seen.
    pub sessions: Vec<ExportedSession>,
    /// Files read.
    pub files: Vec<PathBuf>,
    /// `session` records read, duplicates included.
    pub session_records: u64,
    /// Records of a key already seen (loading the same export twice).
    pub duplicates: u64,
    /// `step` records (not used by the review).
    pub step_records: u64,
    /// Lines skipped, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
}

/// Reads the export files `paths`.
pub fn read(paths: &[PathBuf]) -> Result<Exports> {
    let mut ex = Exports::default();
    let mut at: HashMap<String, usize> = HashMap::new();
    for path in paths {
        read_one(path, &mut ex, &mut at)?;
        ex.files.push(path.clone());
    }
    Ok(ex)
}

fn read_one(path: &Path, ex: &mut Exports, at: &mut HashMap<String, usize>) -> Result<()> {
    let io = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut reader = std::io::BufReader::new(file);
    let mut line = Vec::new();
    let skip = |ex: &mut Exports, why: &'static str| *ex.skipped.entry(why).or_default() += 1;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
            break;
        }
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t.trim(),
            Err(_) => {
                skip(ex, "not UTF-8");
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        let Ok(head) = serde_json::from_str::<Head<'_>>(text) else {
            skip(ex, "not a JSON object");
            continue;
        };
        if head.schema.as_deref() != Some(EXPORT_SCHEMA) {
            skip(ex, "not an agent-audit/export/v1 record");
            continue;
        }
        match head.record.as_deref() {
            Some("session") => {}
            Some("step") => {
                ex.step_records += 1;
                continue;
            }
            _ => {
                skip(ex, "unknown record type");
                continue;
            }
        }
        let Ok(rec) = serde_json::from_str::<ExportedSession>(text) else {
            skip(ex, "session record missing a field");
            continue;
        };
        ex.session_records += 1;
        match at.get(&rec.key) {
            Some(&i) => {
                ex.duplicates += 1;
                if rec.exported_at > ex.sessions[i].exported_at {
                    ex.sessions[i] = rec;
                }
            }
            None => {
                at.insert(rec.key.clone(), ex.sessions.len());
                ex.sessions.push(rec);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, at: &str, merged: u64) -> String {
        format!(
            r#"{{"schema":"agent-audit/export/v1","record":"session","key":"{key}","machine":"m","exported_at":"{at}","agent":"codex","session_id":"s","repository":"r","started_at":"2026-05-01T00:00:00Z","priced_usd":1.5,"cost_usd":1.5,"outcome":{{"lines_added":3,"lines_merged":{merged},"lines_in_head":1}},"verdict":"leverage"}}"#
        )
    }

    #[test]
    fn duplicates_keep_the_newest_and_bad_lines_are_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.ndjson");
        let text = [
            line("k1", "2026-05-02T00:00:00Z", 1),
            line("k2", "2026-05-02T00:00:00Z", 2),
            "not json".into(),
            r#"{"schema":"other/v1"}"#.into(),
            r#"{"schema":"agent-audit/export/v1","record":"step","key":"x"}"#.into(),
            r#"{"schema":"agent-audit/export/v1","record":"session","key":"x"}"#.into(),
            line("k1", "2026-05-03T00:00:00Z", 5),
            line("k1", "2026-05-01T00:00:00Z", 9),
        ]
        .join("\n");
        std::fs::write(&a, text).expect("write");
        let ex = read(&[a.clone(), a]).expect("read");
        assert_eq!(ex.sessions.len(), 2);
        assert_eq!(ex.sessions[0].outcome.map(|o| o.lines_merged), Some(5));
        assert_eq!(ex.session_records, 8);
        assert_eq!(ex.duplicates, 6);
        assert_eq!(ex.step_records, 2);
        assert_eq!(ex.skipped.values().sum::<u64>(), 6);
    }
}
