//! Gemini CLI chats: `~/.gemini/tmp/<project>/chats/session-*.json` (up to 0.38: one JSON document per
//! session, rewritten whole as it grows) and `session-*.jsonl` (0.39 on: a metadata line, then messages
//! appended, a message written again under the same `id` when it grows — the last one wins — and
//! `{"$set": …}` metadata updates). `GEMINI_CLI_HOME` replaces the home folder, as Gemini CLI does.
//!
//! The project folder is the SHA-256 of the project's root path (`projectHash` in the chat); the chat does
//! not record the working directory, so it is taken from the edits (an absolute `resultDisplay.filePath`
//! ending with the relative path the model gave), else matched by hashing a repository's work trees
//! (see [`project_hash`]).
//!
//! Tokens, per `gemini` message: `tokens{input, output, cached, thoughts, tool, total}`. `cached` is part of
//! `input` (input − cached is fresh input, cached is a cache read); `thoughts` are billed as output (and
//! are its reasoning part); `tool` (tool-use prompt tokens) is input. A message without `tokens` is a step
//! of unknown usage.
//!
//! A legacy document is read whole (it is one JSON value; Gemini CLI rewrites it whole, and it is kept to
//! the line cap); the JSONL form is streamed line by line.

use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Depth, FileLog, LineReader, rebuild, shell_writes, skip, skip_reason};
use crate::error::Result;
use crate::model::{Agent, Edit, EditOp, Hunk, Session, Step, ToolCall, ToolKind, Usage};

/// Gemini CLI's chats.
pub struct Gemini;

impl super::Format for Gemini {
    fn agent(&self) -> Agent {
        Agent::Gemini
    }

    fn names(&self) -> &'static [&'static str] {
        &["gemini"]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        sniff(line)
    }

    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
        parse(path, reader, depth)
    }

    /// `$GEMINI_CLI_HOME/.gemini/tmp`, else `~/.gemini/tmp`.
    fn log_roots(&self, loc: &crate::discover::Locations) -> Vec<std::path::PathBuf> {
        loc.gemini_cli_home
            .as_ref()
            .or(loc.home.as_ref())
            .map(|h| vec![h.join(".gemini").join("tmp")])
            .unwrap_or_default()
    }

    fn is_log_name(&self, name: &str) -> bool {
        name.starts_with("session-") && (name.ends_with(".json") || name.ends_with(".jsonl"))
    }

    /// `session-<time>-<first 8 characters of the id>.json[l]`, or a subagent chat under
    /// `chats/<parent id>/`.
    fn named_after(&self, path: &Path, root: &Path, prefix: &str) -> bool {
        let short = prefix.get(..8).unwrap_or(prefix);
        path.strip_prefix(root)
            .unwrap_or(path)
            .components()
            .filter_map(|c| c.as_os_str().to_str())
            .any(|c| c.starts_with(prefix) || c.contains(&format!("-{short}")))
    }

    fn keeps_project_folders(&self) -> bool {
        true
    }

    fn project_folder_names(&self, worktree: &Path) -> Vec<String> {
        vec![project_hash(worktree)]
    }
}

/// Gemini CLI's project id: the SHA-256 of the project root's absolute path, in hex.
pub fn project_hash(root: &Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(root.to_string_lossy().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A chat's metadata line (JSONL) or the pretty-printed document's `"projectHash"` line.
pub fn sniff(line: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Top {
        #[serde(rename = "projectHash", default)]
        project_hash: Option<serde::de::IgnoredAny>,
        #[serde(rename = "$set", default)]
        set: Option<serde::de::IgnoredAny>,
    }
    if line.starts_with(b"\"projectHash\"") {
        return true;
    }
    line.starts_with(b"{")
        && serde_json::from_slice::<Top>(line)
            .is_ok_and(|t| t.project_hash.is_some() || t.set.is_some())
}

/// A chat: the legacy document's top level, or the JSONL metadata line.
#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(rename = "sessionId", borrow, default)]
    session_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "projectHash", borrow, default)]
    project_hash: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "startTime", borrow, default)]
    start_time: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    messages: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    model: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    tokens: Option<Tokens>,
    #[serde(rename = "toolCalls", borrow, default)]
    tool_calls: Option<Vec<Call<'a>>>,
}

#[derive(Deserialize, Default, Clone, Copy)]
struct Tokens {
    #[serde(default)]
    input: u64,
    #[serde(default)]
    output: u64,
    #[serde(default)]
    cached: u64,
    #[serde(default)]
    thoughts: u64,
    #[serde(default)]
    tool: u64,
}

impl Tokens {
    fn usage(self) -> Usage {
        Usage {
            input: self
                .input
                .saturating_sub(self.cached)
                .saturating_add(self.tool),
            output: self.output.saturating_add(self.thoughts),
            cache_read: self.cached,
            cache_write_5m: 0,
            cache_write_1h: 0,
            reasoning: self.thoughts,
        }
    }
}

#[derive(Deserialize)]
struct Call<'a> {
    #[serde(borrow, default)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
    #[serde(borrow, default)]
    status: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(rename = "resultDisplay", borrow, default)]
    result_display: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Args<'a> {
    #[serde(borrow, default)]
    file_path: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    absolute_path: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    path: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    dir_path: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    paths: Option<Vec<String>>,
    #[serde(borrow, default)]
    pattern: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    command: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    content: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    old_string: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    new_string: Option<std::borrow::Cow<'a, str>>,
}

/// `resultDisplay` of an edit: the file before and after, with its absolute path.
#[derive(Deserialize)]
struct FileDisplay<'a> {
    #[serde(rename = "filePath", borrow, default)]
    file_path: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "originalContent", borrow, default)]
    original: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "newContent", borrow, default)]
    new: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "isNewFile", default)]
    is_new_file: Option<bool>,
}

/// Biggest legacy document read whole.
const MAX_DOCUMENT: usize = 256 << 20;

/// Parses one chat file.
pub fn parse(path: &Path, mut reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    // A subagent's chat lives in `chats/<parent id>/`: its steps are the parent's, as a sidechain.
    let parent = path
        .parent()
        .filter(|p| {
            p.parent()
                .and_then(|g| g.file_name())
                .is_some_and(|n| n == "chats")
        })
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let mut b = Builder::new(path, parent, depth);
    let mut doc: Option<Vec<u8>> = None;
    while let Some(line) = reader.read_line()? {
        if line.oversized {
            log.skipped.add(skip::OVERSIZED);
            continue;
        }
        if let Some(buf) = doc.as_mut() {
            if buf.len() + line.bytes.len() > MAX_DOCUMENT {
                log.skipped.add(skip::OVERSIZED);
                doc = None;
                break;
            }
            buf.extend_from_slice(line.bytes);
            buf.push(b'\n');
            continue;
        }
        let bytes = line.bytes.trim_ascii();
        if bytes.is_empty() {
            continue;
        }
        if bytes == b"{" && b.lines == 0 {
            // A pretty-printed legacy document: one value over many lines.
            doc = Some(b"{\n".to_vec());
            continue;
        }
        b.lines += 1;
        match serde_json::from_slice::<Meta<'_>>(bytes) {
            Ok(meta) if meta.messages.is_some() || meta.project_hash.is_some() => {
                b.meta(&meta, &mut log);
            }
            Ok(_) if bytes.starts_with(b"{\"$set\"") => {}
            Ok(_) => match serde_json::from_slice::<Message<'_>>(bytes) {
                Ok(m) => b.message(m),
                Err(e) => log.skipped.add(skip_reason(&line, &e)),
            },
            Err(e) => log.skipped.add(skip_reason(&line, &e)),
        }
    }
    if let Some(buf) = doc {
        match serde_json::from_slice::<Meta<'_>>(&buf) {
            Ok(meta) => b.meta(&meta, &mut log),
            Err(_) => log.skipped.add(skip::INVALID_JSON),
        }
    }
    log.lines = reader.lines_read();
    log.bytes = reader.bytes_read();
    if let Some(mut s) = b.finish() {
        s.skipped.merge(&log.skipped);
        log.sessions.push(s);
    }
    Ok(log)
}

struct Builder {
    session: Session,
    sidechain: bool,
    depth: Depth,
    /// Message id → step index: a message written again replaces its step.
    by_id: HashMap<String, usize>,
    lines: u64,
    cwd_votes: HashMap<std::path::PathBuf, u32>,
}

impl Builder {
    fn new(path: &Path, parent: Option<String>, depth: Depth) -> Builder {
        let id = parent.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let mut session = Session::new(Agent::Gemini, id);
        session.files.push(path.to_path_buf());
        Builder {
            session,
            sidechain: parent.is_some(),
            depth,
            by_id: HashMap::new(),
            lines: 0,
            cwd_votes: HashMap::new(),
        }
    }

    fn meta(&mut self, meta: &Meta<'_>, log: &mut FileLog) {
        if !self.sidechain
            && let Some(id) = meta.session_id.as_deref()
        {
            self.session.id = id.to_owned();
        }
        if let Some(h) = meta.project_hash.as_deref() {
            self.session.project_hash = Some(h.to_owned());
        }
        if let Some(t) = meta.start_time.as_deref().and_then(|t| t.parse().ok()) {
            self.session.saw(t);
        }
        for raw in meta.messages.iter().flatten() {
            match serde_json::from_str::<Message<'_>>(raw.get()) {
                Ok(m) => self.message(m),
                Err(_) => log.skipped.add(skip::INVALID_JSON),
            }
        }
    }

    fn message(&mut self, m: Message<'_>) {
        let at = m
            .timestamp
            .as_deref()
            .and_then(|t| t.parse::<Timestamp>().ok());
        if let Some(at) = at {
            self.session.saw(at);
        }
        if m.kind.as_deref() != Some("gemini") {
            return; // user turns, info and error notices: not billed
        }
        let Some(at) = at.or(self.session.ended_at) else {
            return;
        };
        let calls = if self.depth == Depth::Full {
            m.tool_calls
                .iter()
                .flatten()
                .map(|c| self.call(c))
                .collect()
        } else {
            Vec::new()
        };
        let step = Step {
            at,
            model: m.model.as_deref().map(str::to_owned),
            model_inferred: false,
            usage: m.tokens.map(Tokens::usage),
            service_tier: Default::default(),
            tool_calls: calls,
            sidechain: self.sidechain,
            dedup_key: None,
        };
        match m.id.as_deref().and_then(|id| self.by_id.get(id)) {
            Some(&i) => self.session.steps[i] = step,
            None => {
                self.session.steps.push(step);
                if let Some(id) = m.id.as_deref() {
                    self.by_id
                        .insert(id.to_owned(), self.session.steps.len() - 1);
                }
            }
        }
    }

    fn call(&mut self, c: &Call<'_>) -> ToolCall {
        let name = c.name.as_deref().unwrap_or("unknown");
        let args_raw = c.args.map(|r| r.get()).unwrap_or("{}");
        let args: Args<'_> = serde_json::from_str(args_raw).unwrap_or_default();
        let file = args
            .file_path
            .as_deref()
            .or(args.absolute_path.as_deref())
            .map(str::to_owned);
        let mut paths: Vec<String> = Vec::new();
        let mut command = None;
        let kind = match name {
            "read_file" => ToolKind::Read,
            "read_many_files" => {
                paths.extend(args.paths.iter().flatten().cloned());
                ToolKind::Read
            }
            "glob" | "search_file_content" | "grep" | "search_files" => {
                command = args.pattern.as_deref().map(str::to_owned);
                ToolKind::Search
            }
            "list_directory" | "ls" => ToolKind::List,
            "write_file" => ToolKind::Write,
            "replace" | "edit" => ToolKind::Edit,
            "run_shell_command" => {
                command = args.command.as_deref().map(str::to_owned);
                ToolKind::Shell
            }
            _ => ToolKind::Other,
        };
        if let Some(f) = &file {
            paths.push(f.clone());
        } else if let Some(p) = args.path.as_deref().or(args.dir_path.as_deref()) {
            paths.push(p.to_owned());
        }
        let mut call = ToolCall::new(c.id.as_deref().unwrap_or_default(), kind, name);
        call.input_bytes = args_raw.len() as u64;
        call.output_bytes = c.result.map_or(0, |r| r.get().len() as u64);
        call.is_error = c.status.as_deref().is_some_and(|s| s != "success");
        if let Some(cmd) = &command
            && kind == ToolKind::Shell
        {
            let (k, named) = super::shell::classify_script(cmd);
            call.kind = k;
            paths.extend(named);
            let fx = shell_writes::effects(cmd);
            call.shell_writes = fx.writes;
            call.shell_touched = fx.touched;
        }
        if matches!(kind, ToolKind::Write | ToolKind::Edit) && !call.is_error {
            call.edit = self.edit(&args, file.as_deref(), c.result_display, kind);
        }
        call.paths = paths;
        call.command = command;
        if call.is_error {
            call.shell_writes.clear();
        }
        call
    }

    /// The applied edit: `resultDisplay`'s original and new content (exact whole lines), else the
    /// arguments (the written content, or the replaced strings).
    fn edit(
        &mut self,
        args: &Args<'_>,
        file: Option<&str>,
        display: Option<&RawValue>,
        kind: ToolKind,
    ) -> Option<Edit> {
        let shown = display.and_then(|d| serde_json::from_str::<FileDisplay<'_>>(d.get()).ok());
        if let Some(d) = &shown
            && let (Some(path), Some(new)) = (d.file_path.as_deref(), d.new.as_deref())
        {
            if let Some(rel) = file {
                self.vote_cwd(path, rel);
            }
            let original = d.original.as_deref().unwrap_or_default();
            let created = d.is_new_file == Some(true) || original.is_empty();
            return Some(Edit {
                path: path.to_owned(),
                op: if created {
                    EditOp::Create
                } else {
                    EditOp::Update
                },
                hunks: rebuild::diff_hunks(original, new),
            });
        }
        let path = file?.to_owned();
        let lines = |s: Option<&str>| -> Vec<String> {
            rebuild::split_lines(s.unwrap_or_default())
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        Some(match kind {
            ToolKind::Write => Edit {
                path,
                op: EditOp::Create,
                hunks: vec![Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: lines(args.content.as_deref()),
                }],
            },
            _ => Edit {
                path,
                op: EditOp::Update,
                hunks: vec![Hunk {
                    old_start: None,
                    old: lines(args.old_string.as_deref()),
                    new: lines(args.new_string.as_deref()),
                }],
            },
        })
    }

    /// An absolute path that ends with the relative path the model gave names the working directory.
    fn vote_cwd(&mut self, absolute: &str, given: &str) {
        if Path::new(given).is_absolute() || given.is_empty() {
            return;
        }
        let given = given.trim_start_matches("./");
        if let Some(root) = absolute
            .strip_suffix(given)
            .and_then(|r| r.strip_suffix('/'))
        {
            *self.cwd_votes.entry(root.into()).or_default() += 1;
        }
    }

    fn finish(mut self) -> Option<Session> {
        if self.session.steps.is_empty() {
            return None;
        }
        if let Some((cwd, _)) = self
            .cwd_votes
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        {
            self.session.cwd = Some(cwd);
        }
        self.session.steps.sort_by_key(|s| s.at);
        Some(self.session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(name: &str, data: &str, depth: Depth) -> FileLog {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join(name);
        std::fs::write(&p, data).expect("write");
        parse(&p, LineReader::open(&p).expect("open"), depth).expect("parse")
    }

    const JSONL: &str = concat!(
        r#"{"sessionId":"s-1","projectHash":"ab","startTime":"2026-04-23T12:52:52.759Z","lastUpdated":"2026-04-23T12:52:52.759Z","kind":"main"}"#,
        "\n",
        r#"{"id":"u1","timestamp":"2026-04-23T12:53:05.283Z","type":"user","content":[{"text":"add a file"}]}"#,
        "\n",
        r#"{"id":"m1","timestamp":"2026-04-23T12:53:11.257Z","type":"gemini","content":"","tokens":{"input":1000,"output":100,"cached":400,"thoughts":50,"tool":7,"total":1157},"model":"gemini-2.5-pro"}"#,
        "\n",
        r#"{"$set":{"lastUpdated":"2026-04-23T12:53:11.257Z"}}"#,
        "\n",
        r#"{"id":"m1","timestamp":"2026-04-23T12:53:11.257Z","type":"gemini","content":"","tokens":{"input":1000,"output":100,"cached":400,"thoughts":50,"tool":7,"total":1157},"model":"gemini-2.5-pro","toolCalls":[{"id":"w1","name":"write_file","args":{"file_path":"src/a.go","content":"package a\n\nfunc A() {}\n"},"status":"success","resultDisplay":{"fileDiff":"…","fileName":"a.go","filePath":"/home/u/app/src/a.go","originalContent":"","newContent":"package a\n\nfunc A() {}\n","isNewFile":true}},{"id":"r1","name":"run_shell_command","args":{"command":"cat go.mod"},"status":"success"}]}"#,
        "\n",
    );

    #[test]
    fn a_rewritten_message_counts_once_with_its_tools_and_tokens_follow_the_rules() {
        let log = parse_str("session-2026-04-23T12-52-s1.jsonl", JSONL, Depth::Full);
        assert_eq!(log.skipped.total(), 0, "{:?}", log.skipped);
        let s = &log.sessions[0];
        assert_eq!(s.id, "s-1");
        assert_eq!(s.project_hash.as_deref(), Some("ab"));
        assert_eq!(s.steps.len(), 1, "the message written twice is one step");
        let u = s.steps[0].usage.expect("usage");
        assert_eq!(
            (u.input, u.cache_read, u.output, u.reasoning),
            (607, 400, 150, 50)
        );
        let calls = &s.steps[0].tool_calls;
        assert_eq!(calls[0].kind, ToolKind::Write);
        let e = calls[0].edit.as_ref().expect("edit");
        assert_eq!(e.path, "/home/u/app/src/a.go");
        assert_eq!(e.op, EditOp::Create);
        assert_eq!(e.hunks[0].new, vec!["package a", "", "func A() {}"]);
        assert_eq!(
            calls[1].kind,
            ToolKind::Read,
            "cat is a read, for every agent"
        );
        assert_eq!(s.cwd.as_deref(), Some(Path::new("/home/u/app")));
        let usage_only = parse_str("session-x.jsonl", JSONL, Depth::Usage);
        assert_eq!(usage_only.sessions[0].usage(), s.usage());
    }

    #[test]
    fn the_project_hash_is_the_sha256_of_the_root() {
        // The real sample's projectHash for /home/wei/repo/discordbot.
        assert_eq!(
            project_hash(Path::new("/home/wei/repo/discordbot")),
            "9da8b3dfb8655182ac1f0e66601c367e34f8d18447a29759eeba4d7e45dc60ea"
        );
    }

    #[test]
    fn sniffing() {
        assert!(sniff(
            br#"{"sessionId":"s","projectHash":"ab","kind":"main"}"#
        ));
        assert!(sniff(br#""projectHash": "907f","#));
        assert!(!sniff(br#"{"type":"user","sessionId":"s","cwd":"/r"}"#));
    }

    fn shared(name: &str) -> Option<std::path::PathBuf> {
        super::super::shared_sample(&format!("gemini/{name}"))
    }

    /// Totals computed independently (Python over each file: the last copy of each `gemini` message
    /// id; input − cached + tool, output + thoughts).
    #[test]
    fn real_samples_have_pinned_totals() {
        let cases = [
            // (file, steps, input, output, cache_read, reasoning, edits)
            (
                "codemie-legacy-json-session-2026-01-16-file-ops-37b7abef.json",
                9,
                25_301,
                4_355,
                62_117,
                2_914,
                3,
            ),
            (
                "codemie-legacy-json-session-2025-12-01T21-45-5b959dae.json",
                11,
                45_092,
                4_227,
                56_538,
                1_493,
                2,
            ),
            (
                "vibecodingtracker-jsonl-2026-04-23-edits.jsonl",
                6,
                153_635,
                4_293,
                48_951,
                2_141,
                2,
            ),
        ];
        for (name, steps, input, output, cache_read, reasoning, edits) in cases {
            let Some(p) = shared(name) else { return };
            let log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
            assert_eq!(log.skipped.total(), 0, "{name}: {:?}", log.skipped);
            let s = &log.sessions[0];
            let (u, _) = s.usage();
            assert_eq!(
                (s.steps.len(), u.input, u.output, u.cache_read, u.reasoning),
                (steps, input, output, cache_read, reasoning),
                "{name}"
            );
            assert_eq!(
                s.tool_calls().filter(|c| c.edit.is_some()).count(),
                edits,
                "{name}"
            );
        }
    }
}
