//! Codex CLI rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`). Being written.

use std::path::Path;

use super::{Depth, FileLog, LineReader};
use crate::error::Result;

/// True when a line looks like a Codex rollout record.
pub fn sniff(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"\"payload\"").is_some()
}

/// Parses one rollout file.
pub fn parse(_path: &Path, _reader: LineReader, _depth: Depth) -> Result<FileLog> {
    Ok(FileLog::default())
}
