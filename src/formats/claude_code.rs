//! Claude Code (being written).
use std::path::Path;

use super::{Depth, FileLog, LineReader};
use crate::error::Result;

/// True when a line looks like a Claude Code record.
pub fn sniff(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"\"sessionId\"").is_some()
}

/// Parses one file.
pub fn parse(_path: &Path, _reader: LineReader, _depth: Depth) -> Result<FileLog> {
    Ok(FileLog::default())
}
