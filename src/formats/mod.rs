//! Log formats: bytes on disk → the normalized [`crate::model`].
//!
//! One file per agent behind one seam: [`parse_file`] picks the parser, each parser streams its file line by
//! line through [`LineReader`] (a reusable buffer split with memchr; a file is never read into one string),
//! and returns the sessions it found plus the lines it skipped, each with a reason.
//!
//! [`open_log`] is the one place a log is opened: only a regular file (a FIFO or device named like a log is
//! refused without waiting on it), only up to its size when it was discovered (an agent still appending
//! does not make the read chase it), and decompressed as a stream when it starts with zstd's magic number
//! (Codex's `rollout-*.jsonl.zst`). A compressed stream that breaks (torn, corrupt) ends the file there: the
//! lines before it count, and the break is a counted skip ([`skip::CORRUPT_COMPRESSED`]) with a note.

pub mod aider;
pub mod claude_code;
pub mod codex;
pub mod copilot;
pub mod database;
pub mod gemini;
pub mod json_text;
mod lenient;
pub mod opencode;
pub mod patch;
pub mod rebuild;
pub mod shell;
pub mod shell_writes;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::discover::Locations;
use crate::error::{Error, Result};
use crate::model::{Agent, Session, Skips};

/// How much of each line a parser extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Only what token totals need: usage, model, time, session identity. Lines that cannot carry token
    /// counts are checked for shape only, which keeps `usage` close to the speed of reading the bytes.
    Usage,
    /// Everything: tool calls, their results, and the edits they produced.
    Full,
}

/// What one log file held.
#[derive(Debug, Default)]
pub struct FileLog {
    /// Sessions (usually one; a Claude Code file can hold lines of several session ids).
    pub sessions: Vec<Session>,
    /// Lines skipped in this file, by reason (also copied into each session of the file).
    pub skipped: Skips,
    /// Lines read (rows, for a database).
    pub lines: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Read from the agent's database rather than a file per record: where the same response is also
    /// in the agent's files (OpenCode's legacy JSON store beside `opencode.db`), the database's copy is
    /// the one counted ([`crate::ingest`]).
    pub database: bool,
}

/// One agent's log format: the seam every parser sits behind, and the one list ([`FORMATS`]) that
/// sniffing, parsing and `--agent` iterate over. Adding an agent is one file (or folder) under
/// `src/formats/`, one entry in [`FORMATS`] and its tests.
///
/// The contract a parser keeps:
/// - **Streaming.** It reads its file through the [`LineReader`] it is given, line by line, never the whole
///   file into one string.
/// - **Skips are data.** A line it cannot use (torn, invalid JSON, an unknown record type, a missing
///   field) is counted in [`FileLog::skipped`] under a [`skip`] reason — never a panic, never silence.
///   Record types it knows but has no use for are not skips.
/// - **Unknown is not zero.** A response whose log carries no token counts is a step with `usage: None`;
///   a count is never invented.
/// - **Depth.** At [`Depth::Usage`] it may skip every line that cannot carry token counts (tool calls,
///   results, edits); the token totals must equal those at [`Depth::Full`].
/// - **Edits are whole.** At [`Depth::Full`], an applied edit carries the lines the file really holds
///   (see [`rebuild`]); a failed call has no edit.
pub trait Format: Sync {
    /// The agent whose logs these are.
    fn agent(&self) -> Agent;
    /// The names `--agent` accepts for it, canonical first.
    fn names(&self) -> &'static [&'static str];
    /// True when a line (trimmed, non-empty) is one of this format's records, told from its top-level
    /// keys only: the first recognised line of a file decides its format.
    fn sniff(&self, line: &[u8]) -> bool;
    /// Parses one file into sessions and counted skips.
    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog>;

    /// The folders its logs live in, as the agent resolves them (its environment override first; the
    /// overrides are read once into [`Locations`]).
    fn log_roots(&self, loc: &Locations) -> Vec<std::path::PathBuf>;
    /// Files at known places, outside any log root (Aider's history in each work tree of the repository
    /// a command is about).
    fn log_files(&self, _loc: &Locations) -> Vec<std::path::PathBuf> {
        Vec::new()
    }
    /// True for the file name of one of its logs under those folders.
    fn is_log_name(&self, name: &str) -> bool;
    /// True when the file at `path` (under `root`) is named after a session whose id starts with
    /// `prefix`: `session ID-PREFIX` then opens only those files first.
    fn named_after(&self, path: &Path, root: &Path, prefix: &str) -> bool;
    /// True for a leftover copy the agent keeps beside its logs, read last and counted only where no other
    /// file holds the same response.
    fn is_leftover(&self, _name: &str) -> bool {
        false
    }
    /// The names a work tree's project folder has under each root, when the agent keeps one folder per
    /// project (Claude Code's `projects/<encoded cwd>/`); empty for agents that do not. Repository commands
    /// then open only that repository's folders.
    fn project_folder_names(&self, _worktree: &Path) -> Vec<String> {
        Vec::new()
    }
    /// True when each child of a log root is one project's folder (see [`Format::project_folder_names`]).
    fn keeps_project_folders(&self) -> bool {
        false
    }
    /// True when an SQLite database whose tables are `tables` is this format's log (OpenCode's
    /// `opencode.db`). A database is told by its tables, never by its name; formats that keep no
    /// database answer false.
    fn sniff_database(&self, _tables: &[String]) -> bool {
        false
    }
    /// Reads a database [`Format::sniff_database`] recognised: opened read-only, never locking out the
    /// agent that writes it. The skip and usage rules are those of [`Format::parse`] (a row is a line).
    fn parse_database(&self, path: &Path, _depth: Depth) -> Result<FileLog> {
        Err(Error::UnknownFormat {
            path: path.to_path_buf(),
        })
    }
}

/// Every format, in sniffing order: Codex first (its records are recognised by their envelope, which a
/// Claude Code record never has), Gemini before Claude Code (its metadata line has a top-level
/// `sessionId` too, but also a `projectHash`), Copilot CLI before Claude Code (an event nests its
/// `sessionId` in `data`).
pub static FORMATS: &[&dyn Format] = &[
    &codex::Codex,
    &gemini::Gemini,
    &copilot::Copilot,
    &claude_code::ClaudeCode,
    &aider::Aider,
    &opencode::OpenCode,
];

/// The format of an agent.
pub fn format_of(agent: Agent) -> Result<&'static dyn Format> {
    FORMATS
        .iter()
        .copied()
        .find(|f| f.agent() == agent)
        .ok_or_else(|| Error::Usage(format!("no log format is registered for {agent}")))
}

/// A file of the shared real samples (`../shared/samples/<rel>`), or `None` with a note when that folder
/// is not beside the checkout; `AGENT_AUDIT_REQUIRE_SAMPLES` (set by `.ci/run`) makes its absence a failure.
#[cfg(test)]
pub(crate) fn shared_sample(rel: &str) -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/samples")
        .join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("AGENT_AUDIT_REQUIRE_SAMPLES").is_none(),
        "{} is required (AGENT_AUDIT_REQUIRE_SAMPLES is set)",
        p.display()
    );
    eprintln!("skipped: ../shared/samples not present ({rel})");
    None
}

/// The agent `--agent NAME` names, if a format answers to it.
pub fn agent_named(name: &str) -> Option<Agent> {
    FORMATS
        .iter()
        .find(|f| f.names().iter().any(|n| n.eq_ignore_ascii_case(name)))
        .map(|f| f.agent())
}

/// Reads a log of a known agent.
pub fn parse_file(agent: Agent, path: &Path, depth: Depth) -> Result<FileLog> {
    parse_file_upto(agent, path, None, depth)
}

/// Reads a log of a known agent, at most `limit` bytes of it (of the file on disk: its size when it was
/// discovered).
pub fn parse_file_upto(
    agent: Agent,
    path: &Path,
    limit: Option<u64>,
    depth: Depth,
) -> Result<FileLog> {
    if database::is_sqlite(path) {
        return format_of(agent)?.parse_database(path, depth);
    }
    let (reader, stream) = open_log(path, limit)?;
    let mut log = format_of(agent)?.parse(path, reader, depth)?;
    if let Some(why) = stream.broken() {
        log.skipped.add(skip::CORRUPT_COMPRESSED);
        let note = format!(
            "compressed log {} is damaged after line {} ({why}): the rest of it could not be read",
            path.display(),
            log.lines
        );
        if let Some(first) = log.sessions.first_mut() {
            first.skipped.add(skip::CORRUPT_COMPRESSED);
            first.notes.push(note);
        }
    }
    Ok(log)
}

/// zstd's frame magic number, as the first four bytes of a file.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Whether a compressed stream broke while it was read; shared with the reader that noticed.
#[derive(Debug, Clone, Default)]
pub struct StreamStatus {
    compressed: bool,
    broken: Arc<OnceLock<String>>,
}

impl StreamStatus {
    /// True when the file is zstd-compressed.
    pub fn compressed(&self) -> bool {
        self.compressed
    }

    /// Why the compressed stream broke, if it did.
    pub fn broken(&self) -> Option<&str> {
        self.broken.get().map(String::as_str)
    }
}

/// A decompressing reader whose error ends the stream instead of the file: what was decoded before the
/// break is kept, and the break is recorded for the parser's caller to count.
struct Tolerant<R> {
    inner: R,
    broken: Arc<OnceLock<String>>,
}

impl<R: Read> Read for Tolerant<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.broken.get().is_some() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let _ = self.broken.set(e.to_string());
                Ok(0)
            }
            ok => ok,
        }
    }
}

/// Opens a file only if it is a regular file, without blocking on a FIFO or a device.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless O_NONBLOCK; reads of a regular file
        // ignore the flag.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device is never read)",
        ));
    }
    Ok(file)
}

/// Opens a log for line reading: a regular file only, at most `limit` bytes of it, decompressed as a
/// stream when it is zstd (never into one buffer).
pub fn open_log(path: &Path, limit: Option<u64>) -> Result<(LineReader, StreamStatus)> {
    let err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = open_regular(path).map_err(err)?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < magic.len() {
        match file.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(err(e)),
        }
    }
    let head = io::Cursor::new(magic[..got].to_vec());
    let limit = limit.unwrap_or(u64::MAX);
    let raw = head.chain(file).take(limit);
    let mut status = StreamStatus::default();
    let source: Box<dyn Read + Send> = if got == magic.len() && magic == ZSTD_MAGIC {
        status.compressed = true;
        let decoder = zstd::stream::read::Decoder::new(raw).map_err(err)?;
        Box::new(Tolerant {
            inner: decoder,
            broken: Arc::clone(&status.broken),
        })
    } else {
        Box::new(raw)
    };
    Ok((LineReader::new(path, source), status))
}

/// Tells which agent wrote a file, from its first lines (not its name); a zstd-compressed file is read
/// through its decompressed lines.
///
/// Returns `Ok(None)` for a file that is empty or whose first lines match no known format.
pub fn sniff(path: &Path) -> Result<Option<Agent>> {
    if database::is_sqlite(path) {
        let tables = database::tables(path)?;
        return Ok(FORMATS
            .iter()
            .find(|f| f.sniff_database(&tables))
            .map(|f| f.agent()));
    }
    let (mut reader, _) = open_log(path, None)?;
    let mut seen = 0;
    while let Some(line) = reader.read_line()? {
        let bytes = line.bytes.trim_ascii();
        if bytes.is_empty() {
            continue;
        }
        if let Some(f) = FORMATS.iter().find(|f| f.sniff(bytes)) {
            return Ok(Some(f.agent()));
        }
        seen += 1;
        if seen >= 8 {
            break;
        }
    }
    Ok(None)
}

/// The top-level keys a format is recognised by; the rest of the line is skipped, not built.
#[derive(serde::Deserialize)]
pub(crate) struct SniffTop<'a> {
    #[serde(rename = "type", borrow, default)]
    pub kind: lenient::LStr<'a>,
    #[serde(rename = "sessionId", default)]
    pub session_id: Option<serde::de::IgnoredAny>,
    #[serde(rename = "parentUuid", default)]
    pub parent_uuid: Option<serde::de::IgnoredAny>,
    #[serde(rename = "leafUuid", default)]
    pub leaf_uuid: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub payload: Option<serde::de::IgnoredAny>,
}

impl SniffTop<'_> {
    /// The top-level keys of a line that is a JSON object.
    pub(crate) fn of(line: &[u8]) -> Option<SniffTop<'_>> {
        if !line.starts_with(b"{") {
            return None;
        }
        serde_json::from_slice(line).ok()
    }
}

/// One line of a log, without its newline.
#[derive(Debug)]
pub struct Line<'a> {
    /// The bytes.
    pub bytes: &'a [u8],
    /// False for a last line with no newline: the agent may still be writing it.
    pub complete: bool,
    /// 1-based line number.
    pub number: u64,
    /// The line was too long to be kept ([`MAX_LINE`], or more than 64 KiB that cannot be a JSON
    /// object): its bytes were passed over, not buffered, and `bytes` is empty. Count it as
    /// [`skip::OVERSIZED`].
    pub oversized: bool,
}

/// The longest line kept in memory (a Codex `compacted` record or a tool result can be hundreds of MB).
pub const MAX_LINE: usize = 512 * 1024 * 1024;

/// Streams a file's lines through one growable buffer.
///
/// Lines up to [`MAX_LINE`] are returned whole (a 100 MB tool result is one line); the buffer grows to fit
/// the longest line and is reused for the rest. A longer line, or a line past 64 KiB whose first
/// byte cannot open a JSON object (a file of NULs, a binary blob), is passed over without being kept, so
/// memory never follows a line that cannot be read anyway.
pub struct LineReader {
    source: Box<dyn Read + Send>,
    path: std::path::PathBuf,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    number: u64,
    bytes: u64,
    max_line: usize,
}

/// Below glibc's mmap threshold (128 KiB), so each file's buffer comes from the heap and is reused
/// instead of being mapped and zeroed by the kernel for every file.
const CHUNK: usize = 64 * 1024;

impl LineReader {
    /// Opens a file for line reading (see [`open_log`]: regular files only, zstd decompressed).
    pub fn open(path: &Path) -> Result<LineReader> {
        Ok(open_log(path, None)?.0)
    }

    /// Reads lines from any source (tests, stdin).
    pub fn new(path: &Path, source: Box<dyn Read + Send>) -> LineReader {
        LineReader {
            source,
            path: path.to_path_buf(),
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            number: 0,
            bytes: 0,
            max_line: MAX_LINE,
        }
    }

    /// Lines returned so far.
    pub fn lines_read(&self) -> u64 {
        self.number
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The next line, or `None` at the end of the file; a read error names the file.
    pub fn read_line(&mut self) -> Result<Option<Line<'_>>> {
        let path = self.path.clone();
        self.next_line()
            .map_err(|source| Error::Read { path, source })
    }

    /// The next line, or `None` at the end of the file.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        let mut scanned = self.start;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[scanned..self.end]) {
                let nl = scanned + i;
                let line_start = self.start;
                self.start = nl + 1;
                self.number += 1;
                self.bytes += (nl + 1 - line_start) as u64;
                let mut bytes = &self.buf[line_start..nl];
                if let [rest @ .., b'\r'] = bytes {
                    bytes = rest;
                }
                return Ok(Some(Line {
                    bytes,
                    complete: true,
                    number: self.number,
                    oversized: false,
                }));
            }
            scanned = self.end;
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let line_start = self.start;
                self.start = self.end;
                self.number += 1;
                self.bytes += (self.end - line_start) as u64;
                return Ok(Some(Line {
                    bytes: &self.buf[line_start..self.end],
                    complete: false,
                    number: self.number,
                    oversized: false,
                }));
            }
            // Make room: move the partial line to the front, grow if it fills the buffer.
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                scanned -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                let partial = &self.buf[..self.end];
                let opens_object = match partial.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(&b) => b == b'{',
                    None => true,
                };
                if (!opens_object && self.end >= CHUNK) || self.end >= self.max_line {
                    return self.pass_over_line().map(Some);
                }
                let grown = (self.buf.len() * 2).min(self.max_line.max(CHUNK));
                self.buf.resize(grown, 0);
            }
            let n = loop {
                match self.source.read(&mut self.buf[self.end..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
            }
            self.end += n;
        }
    }
}

impl LineReader {
    /// Reads past the rest of the current line without keeping it (the buffer holds its first bytes).
    fn pass_over_line(&mut self) -> io::Result<Line<'_>> {
        let mut skipped = self.end as u64;
        self.start = 0;
        self.end = 0;
        let complete = loop {
            let n = loop {
                match self.source.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
                break false;
            }
            if let Some(i) = memchr::memchr(b'\n', &self.buf[..n]) {
                skipped += (i + 1) as u64;
                self.start = i + 1;
                self.end = n;
                break true;
            }
            skipped += n as u64;
        };
        self.number += 1;
        self.bytes += skipped;
        Ok(Line {
            bytes: &[],
            complete,
            number: self.number,
            oversized: true,
        })
    }
}

/// Why a line that could not be used was skipped; the reasons shown by `-v` and in JSON.
pub mod skip {
    /// The last line has no newline and is not valid JSON: the agent was still writing it.
    pub const TRUNCATED: &str = "truncated-last-line";
    /// Not valid JSON.
    pub const INVALID_JSON: &str = "invalid-json";
    /// Bytes that are not UTF-8.
    pub const NOT_UTF8: &str = "not-utf8";
    /// Valid JSON of a record type this version does not know.
    pub const UNKNOWN_RECORD: &str = "unknown-record-type";
    /// A record of a known type missing a field it needs (e.g. a timestamp).
    pub const MISSING_FIELD: &str = "missing-field";
    /// Valid JSON that is not an object.
    pub const NOT_OBJECT: &str = "not-an-object";
    /// A line longer than [`super::MAX_LINE`], or a long line that cannot be a JSON object: passed over
    /// without being kept in memory.
    pub const OVERSIZED: &str = "oversized-line";
    /// A zstd-compressed log whose stream breaks (torn or corrupt): counted once per file, the lines
    /// decoded before the break are read.
    pub const CORRUPT_COMPRESSED: &str = "corrupt-compressed-stream";
}

/// Classifies a line that failed to deserialize into the reason it is counted under.
pub fn skip_reason(line: &Line<'_>, err: &serde_json::Error) -> &'static str {
    if !line.complete && err.is_eof() {
        skip::TRUNCATED
    } else if !line.complete && std::str::from_utf8(line.bytes).is_ok() && err.is_syntax() {
        // A torn last line can also end inside an escape or a number.
        skip::TRUNCATED
    } else if std::str::from_utf8(line.bytes).is_err() {
        skip::NOT_UTF8
    } else if err.is_data() {
        skip::MISSING_FIELD
    } else {
        skip::INVALID_JSON
    }
}

/// [`skip_reason`] for a line that had to be a JSON object (a record): valid JSON of another type is
/// `not-an-object`, not a missing field.
pub fn record_skip_reason(line: &Line<'_>, err: &serde_json::Error) -> &'static str {
    if err.is_data() && line.bytes.trim_ascii().first() != Some(&b'{') {
        skip::NOT_OBJECT
    } else {
        skip_reason(line, err)
    }
}

/// The cheap check used at [`Depth::Usage`] for lines that cannot carry token counts: one JSON object on
/// one line. A line that fails it is counted exactly as a full parse would count it.
pub fn looks_like_object(line: &Line<'_>) -> Option<&'static str> {
    let b = line.bytes.trim_ascii();
    if b.first() == Some(&b'{') && b.last() == Some(&b'}') {
        return None;
    }
    Some(
        match serde_json::from_slice::<serde::de::IgnoredAny>(line.bytes) {
            Ok(_) => skip::NOT_OBJECT,
            Err(e) => skip_reason(line, &e),
        },
    )
}

#[cfg(test)]
mod tests;
