//! The compact binary form of a parsed log's summary, as the index stores it: varints, one string table
//! per file for model names, and nothing a summary does not need.
//!
//! Why not serde_json: a second run loads every file's summary, and a 1 GiB corpus holds about 200,000
//! steps; this form is about a fifth of their JSON and decodes without a tokenizer. Why not the whole
//! model: a summary holds no tool call, edit, command or text — only what `usage` and the ledger need
//! (see [`encodable`]).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use jiff::Timestamp;

use crate::formats::{FileLog, skip};
use crate::model::{
    Agent, AgentReported, PullRequest, ReportedModel, ServiceTier, Session, Skips, Step, Usage,
};

/// The version of this encoding, stored beside each blob: a blob of another version is not decoded
/// (the file is parsed again), so the encoding can change without a schema migration.
pub const CODEC_VERSION: i64 = 2;

/// Skip reasons a summary may carry: decoding maps the stored name back to the parsers' constant.
const SKIP_REASONS: &[&str] = &[
    skip::TRUNCATED,
    skip::INVALID_JSON,
    skip::NOT_UTF8,
    skip::UNKNOWN_RECORD,
    skip::MISSING_FIELD,
    skip::NOT_OBJECT,
    skip::OVERSIZED,
    skip::CORRUPT_COMPRESSED,
];

/// The `source` names of agent-reported figures the parsers write.
const REPORTED_SOURCES: &[&str] = &["cost-state", "aider", "opencode"];

const AGENTS: &[Agent] = &[
    Agent::ClaudeCode,
    Agent::Codex,
    Agent::Gemini,
    Agent::Copilot,
    Agent::Aider,
    Agent::OpenCode,
];

/// True when `log` can be stored as a summary: no step carries a tool call (those hold paths, commands
/// and file contents, which the index never stores), and every skip reason and reported source is one
/// the decoder knows.
pub fn encodable(log: &FileLog) -> bool {
    let known_skips = |s: &Skips| s.by_reason.keys().all(|k| SKIP_REASONS.contains(k));
    known_skips(&log.skipped)
        && log.sessions.iter().all(|s| {
            known_skips(&s.skipped)
                && s.steps.iter().all(|st| st.tool_calls.is_empty())
                && s.agent_reported
                    .as_ref()
                    .is_none_or(|r| REPORTED_SOURCES.contains(&r.source))
                && AGENTS.contains(&s.agent)
        })
}

/// The log with every tool call removed: what the ledger keeps of a fully parsed file.
pub fn strip_tool_calls(log: &FileLog) -> FileLog {
    FileLog {
        sessions: log
            .sessions
            .iter()
            .map(|s| {
                let mut s = s.clone();
                for st in &mut s.steps {
                    st.tool_calls.clear();
                }
                s
            })
            .collect(),
        skipped: log.skipped.clone(),
        lines: log.lines,
        bytes: log.bytes,
        database: log.database,
    }
}

/// Encodes a summary; `None` when it is not [`encodable`].
pub fn encode(log: &FileLog) -> Option<Vec<u8>> {
    if !encodable(log) {
        return None;
    }
    let mut w = Writer::default();
    w.u64(log.lines);
    w.u64(log.bytes);
    w.out.push(u8::from(log.database));
    w.skips(&log.skipped);
    w.u64(log.sessions.len() as u64);
    for s in &log.sessions {
        w.session(s);
    }
    Some(w.out)
}

/// Decodes a summary written by [`encode`]; `None` for anything else (a damaged blob is parsed again,
/// never trusted).
pub fn decode(bytes: &[u8]) -> Option<FileLog> {
    let mut r = Reader {
        b: bytes,
        strings: Vec::new(),
    };
    let lines = r.u64()?;
    let bytes_read = r.u64()?;
    let database = r.flag()?;
    let skipped = r.skips()?;
    let n = r.len()?;
    let mut sessions = Vec::with_capacity(n);
    for _ in 0..n {
        sessions.push(r.session()?);
    }
    if !r.b.is_empty() {
        return None;
    }
    Some(FileLog {
        sessions,
        skipped,
        lines,
        bytes: bytes_read,
        database,
    })
}

#[derive(Default)]
pub(super) struct Writer {
    pub(super) out: Vec<u8>,
    strings: HashMap<String, u64>,
}

impl Writer {
    pub(super) fn u64(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    pub(super) fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    pub(super) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.out.push(0),
            Some(s) => {
                self.out.push(1);
                self.str(s);
            }
        }
    }

    /// A string that repeats across steps (model names): an index into the strings seen so far, or a
    /// new one.
    fn interned(&mut self, s: Option<&str>) {
        match s {
            None => self.u64(0),
            Some(s) => match self.strings.get(s) {
                Some(&i) => self.u64(i + 2),
                None => {
                    self.u64(1);
                    self.str(s);
                    let i = self.strings.len() as u64;
                    self.strings.insert(s.to_owned(), i);
                }
            },
        }
    }

    fn path(&mut self, p: &std::path::Path) {
        self.bytes(p.as_os_str().as_encoded_bytes());
    }

    fn time(&mut self, t: Option<Timestamp>) {
        match t {
            None => self.out.push(0),
            Some(t) => {
                self.out.push(1);
                self.i64(t.as_second());
                self.u64(u64::from(t.subsec_nanosecond().unsigned_abs()));
                self.out.push(u8::from(t.subsec_nanosecond() < 0));
            }
        }
    }

    fn f64(&mut self, v: Option<f64>) {
        match v {
            None => self.out.push(0),
            Some(v) => {
                self.out.push(1);
                self.out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }

    fn skips(&mut self, s: &Skips) {
        self.u64(s.by_reason.len() as u64);
        for (k, n) in &s.by_reason {
            self.str(k);
            self.u64(*n);
        }
    }

    fn session(&mut self, s: &Session) {
        self.str(&s.id);
        self.str(s.agent.as_str());
        self.out.push(u8::from(s.cwd.is_some()));
        if let Some(cwd) = &s.cwd {
            self.path(cwd);
        }
        self.opt_str(s.branch.as_deref());
        self.time(s.started_at);
        self.time(s.ended_at);
        self.u64(s.files.len() as u64);
        for f in &s.files {
            self.path(f);
        }
        self.skips(&s.skipped);
        self.u64(s.notes.len() as u64);
        for n in &s.notes {
            self.str(n);
        }
        self.opt_str(s.project_hash.as_deref());
        self.opt_str(s.project_root_commit.as_deref());
        self.u64(s.pull_requests.len() as u64);
        for pr in &s.pull_requests {
            self.u64(pr.number);
            self.str(&pr.url);
        }
        match &s.agent_reported {
            None => self.out.push(0),
            Some(r) => {
                self.out.push(1);
                self.str(r.source);
                self.time(r.at);
                self.f64(r.total_cost_usd);
                self.out.push(u8::from(r.has_unknown_model_cost));
                self.u64(r.models.len() as u64);
                for (name, m) in &r.models {
                    self.str(name);
                    for v in [m.input, m.output, m.cache_read, m.cache_write] {
                        self.u64(v);
                    }
                    self.f64(m.cost_usd);
                }
            }
        }
        self.u64(s.steps.len() as u64);
        for st in &s.steps {
            self.step(st);
        }
    }

    fn step(&mut self, st: &Step) {
        self.time(Some(st.at));
        self.interned(st.model.as_deref());
        let tier = match st.service_tier {
            ServiceTier::Standard => 0,
            ServiceTier::Fast => 1,
            ServiceTier::Priority => 2,
            ServiceTier::Flex => 3,
        };
        let flags = u8::from(st.model_inferred)
            | u8::from(st.sidechain) << 1
            | u8::from(st.usage.is_some()) << 2
            | tier << 3;
        self.out.push(flags);
        if let Some(u) = st.usage {
            for v in [
                u.input,
                u.output,
                u.cache_read,
                u.cache_write_5m,
                u.cache_write_1h,
                u.reasoning,
            ] {
                self.u64(v);
            }
        }
        self.opt_str(st.dedup_key.as_deref());
    }
}

pub(super) struct Reader<'a> {
    pub(super) b: &'a [u8],
    strings: Vec<String>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(b: &'a [u8]) -> Reader<'a> {
        Reader {
            b,
            strings: Vec::new(),
        }
    }

    pub(super) fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.b.split_first()?;
        self.b = rest;
        Some(first)
    }

    pub(super) fn u64(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            v |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    /// A count of items that follow: never more than the bytes left (each item takes at least one), so
    /// a damaged count cannot ask for a huge allocation.
    pub(super) fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.b.len()).then_some(n)
    }

    pub(super) fn i64(&mut self) -> Option<i64> {
        let v = self.u64()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    pub(super) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        if n > self.b.len() {
            return None;
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Some(head)
    }

    pub(super) fn str(&mut self) -> Option<String> {
        Some(std::str::from_utf8(self.bytes()?).ok()?.to_owned())
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn opt_str(&mut self) -> Option<Option<String>> {
        Some(if self.flag()? {
            Some(self.str()?)
        } else {
            None
        })
    }

    fn interned(&mut self) -> Option<Option<String>> {
        match self.u64()? {
            0 => Some(None),
            1 => {
                let s = self.str()?;
                self.strings.push(s.clone());
                Some(Some(s))
            }
            i => Some(Some(
                self.strings.get(usize::try_from(i - 2).ok()?)?.clone(),
            )),
        }
    }

    fn path(&mut self) -> Option<PathBuf> {
        let b = self.bytes()?;
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            Some(PathBuf::from(std::ffi::OsStr::from_bytes(b)))
        }
        #[cfg(not(unix))]
        {
            Some(PathBuf::from(std::str::from_utf8(b).ok()?))
        }
    }

    fn time(&mut self) -> Option<Option<Timestamp>> {
        if !self.flag()? {
            return Some(None);
        }
        let secs = self.i64()?;
        let nanos = i32::try_from(self.u64()?).ok()?;
        let nanos = if self.flag()? { -nanos } else { nanos };
        Some(Some(Timestamp::new(secs, nanos).ok()?))
    }

    fn f64(&mut self) -> Option<Option<f64>> {
        if !self.flag()? {
            return Some(None);
        }
        let (head, rest) = self.b.split_at_checked(8)?;
        self.b = rest;
        Some(Some(f64::from_le_bytes(head.try_into().ok()?)))
    }

    fn skips(&mut self) -> Option<Skips> {
        let mut s = Skips::default();
        for _ in 0..self.len()? {
            let name = self.str()?;
            let reason = SKIP_REASONS.iter().find(|r| **r == name)?;
            s.by_reason.insert(reason, self.u64()?);
        }
        Some(s)
    }

    fn session(&mut self) -> Option<Session> {
        let id = self.str()?;
        let agent_name = self.str()?;
        let agent = *AGENTS.iter().find(|a| a.as_str() == agent_name)?;
        let mut s = Session::new(agent, id);
        s.cwd = if self.flag()? {
            Some(self.path()?)
        } else {
            None
        };
        s.branch = self.opt_str()?;
        s.started_at = self.time()?;
        s.ended_at = self.time()?;
        for _ in 0..self.len()? {
            s.files.push(self.path()?);
        }
        s.skipped = self.skips()?;
        for _ in 0..self.len()? {
            s.notes.push(self.str()?);
        }
        s.project_hash = self.opt_str()?;
        s.project_root_commit = self.opt_str()?;
        for _ in 0..self.len()? {
            let number = self.u64()?;
            s.pull_requests.push(PullRequest {
                number,
                url: self.str()?,
            });
        }
        if self.flag()? {
            let name = self.str()?;
            let source = *REPORTED_SOURCES.iter().find(|r| **r == name)?;
            let at = self.time()?;
            let total_cost_usd = self.f64()?;
            let has_unknown_model_cost = self.flag()?;
            let mut models = BTreeMap::new();
            for _ in 0..self.len()? {
                let name = self.str()?;
                let m = ReportedModel {
                    input: self.u64()?,
                    output: self.u64()?,
                    cache_read: self.u64()?,
                    cache_write: self.u64()?,
                    cost_usd: self.f64()?,
                };
                models.insert(name, m);
            }
            s.agent_reported = Some(AgentReported {
                source,
                at,
                total_cost_usd,
                models,
                has_unknown_model_cost,
            });
        }
        let n = self.len()?;
        s.steps.reserve(n);
        for _ in 0..n {
            s.steps.push(self.step()?);
        }
        Some(s)
    }

    fn step(&mut self) -> Option<Step> {
        let at = self.time()??;
        let model = self.interned()?;
        let flags = self.byte()?;
        let service_tier = match flags >> 3 {
            0 => ServiceTier::Standard,
            1 => ServiceTier::Fast,
            2 => ServiceTier::Priority,
            3 => ServiceTier::Flex,
            _ => return None,
        };
        let usage = if flags & 4 != 0 {
            Some(Usage {
                input: self.u64()?,
                output: self.u64()?,
                cache_read: self.u64()?,
                cache_write_5m: self.u64()?,
                cache_write_1h: self.u64()?,
                reasoning: self.u64()?,
            })
        } else {
            None
        };
        let dedup_key = self.opt_str()?.map(String::into_boxed_str);
        Some(Step {
            at,
            model,
            model_inferred: flags & 1 != 0,
            usage,
            service_tier,
            tool_calls: Vec::new(),
            sidechain: flags & 2 != 0,
            dedup_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_log() -> FileLog {
        let mut s = Session::new(Agent::ClaudeCode, "abc");
        s.cwd = Some("/home/u/app".into());
        s.branch = Some("main".into());
        s.saw("2026-01-01T10:00:00.123Z".parse().expect("ts"));
        s.saw("2026-01-01T11:00:00Z".parse().expect("ts"));
        s.files.push("/logs/abc.jsonl".into());
        s.skipped.add(skip::TRUNCATED);
        s.notes.push("a note".into());
        s.pull_requests.push(PullRequest {
            number: 7,
            url: "https://example.invalid/pr/7".into(),
        });
        let mut models = BTreeMap::new();
        models.insert(
            "m".to_owned(),
            ReportedModel {
                input: 1,
                output: 2,
                cache_read: 3,
                cache_write: 4,
                cost_usd: Some(0.5),
            },
        );
        s.agent_reported = Some(AgentReported {
            source: "cost-state",
            at: None,
            total_cost_usd: Some(1.25),
            models,
            has_unknown_model_cost: true,
        });
        for i in 0..3u64 {
            s.steps.push(Step {
                at: Timestamp::new(1_767_261_600 + i as i64, 5).expect("ts"),
                model: Some(if i == 1 { "b" } else { "a" }.to_owned()),
                model_inferred: i == 2,
                usage: (i != 1).then_some(Usage {
                    input: i,
                    output: 300 + i,
                    cache_read: u64::MAX,
                    cache_write_5m: 4,
                    cache_write_1h: 5,
                    reasoning: 6,
                }),
                service_tier: ServiceTier::Priority,
                tool_calls: Vec::new(),
                sidechain: i == 0,
                dedup_key: Some(format!("msg_{i}:req_{i}").into_boxed_str()),
            });
        }
        let mut skipped = Skips::default();
        skipped.add(skip::TRUNCATED);
        s.project_root_commit = Some("a".repeat(40));
        FileLog {
            sessions: vec![s],
            skipped,
            lines: 10,
            bytes: 1234,
            database: true,
        }
    }

    #[test]
    fn a_summary_decodes_to_what_was_encoded() {
        let log = sample_log();
        let blob = encode(&log).expect("encodable");
        let back = decode(&blob).expect("decodes");
        assert_eq!(back.sessions, log.sessions);
        assert_eq!(back.skipped, log.skipped);
        assert_eq!((back.lines, back.bytes, back.database), (10, 1234, true));
    }

    #[test]
    fn a_damaged_blob_is_refused_never_a_panic() {
        let blob = encode(&sample_log()).expect("encodable");
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
        // Any flipped byte decodes to something or nothing, without panicking.
        for i in 0..blob.len() {
            let mut b = blob.clone();
            b[i] ^= 0xff;
            let _ = decode(&b);
        }
    }

    #[test]
    fn a_log_with_tool_calls_is_not_stored() {
        let mut log = sample_log();
        log.sessions[0].steps[0]
            .tool_calls
            .push(crate::model::ToolCall::new(
                "t",
                crate::model::ToolKind::Read,
                "Read",
            ));
        assert!(encode(&log).is_none());
        assert!(encode(&strip_tool_calls(&log)).is_some());
    }
}
