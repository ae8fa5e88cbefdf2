//! Codex CLI rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`, also `archived_sessions/`; since
//! Codex 0.137 a rollout idle for 7 days is rewritten as `rollout-*.jsonl.zst`, decompressed as a stream by
//! [`super::open_log`] before it reaches this parser).
//!
//! Each line is `{"timestamp", "type", "payload"}` with `type` one of `session_meta`, `turn_context`,
//! `response_item`, `event_msg` or `compacted`, and in 2026 versions `token_usage_record`, `world_state`,
//! `security_risk_score`, `inter_agent_communication`, `inter_agent_communication_metadata`,
//! `retained_context` and `realtime_item` (known, read without content: none of them carries a token
//! total, a tool call or an edit). One file is one session.
//!
//! **Tokens.** `event_msg` / `token_count` carries `info.total_token_usage`, the session's *cumulative*
//! total. A [`Step`] is one change of that total: its usage is the difference from the previous total.
//! An event repeating the previous total is not a step (Codex writes one after every tool output). A
//! reset (an old resume that restarted from zero) is judged on the total (input + output): a total that
//! drops counts whole. One field dipping while the total does not drop (a `cached_input_tokens` one
//! lower) is not a reset: the running total keeps each field's highest value, so the dip and its
//! recovery count nothing, and the session notes how many such dips it saw.
//! `last_token_usage` is never summed. Codex's `input_tokens` includes `cached_input_tokens`, so
//! `Usage::input` is their difference and `Usage::cache_read` the cached part.
//!
//! **Forks.** A forked rollout starts with its own `session_meta` (newer versions name the parent in
//! `forked_from_id`), then the parent's items copied in one burst: the parent's `session_meta` (a second
//! one), turn contexts, token counts, tool calls. Codex stamps every line when it writes it, so the copy
//! shares the fork instant, and the child's token totals continue from the last copied total (Codex seeds
//! them from the copy). The copied part is the run of records after the fork's first `session_meta` whose
//! timestamps follow each other by at most [`REPLAY_GAP`]: the first pause (a model round trip, or the user
//! typing) ends it. Copied token totals only move the baseline; copied tool calls are dropped; a note says
//! how many copied token events were not counted.
//!
//! **No token data.** A rollout without any usable `token_count` (old versions, `info: null` only) still
//! made model calls: each model response — a run of output items (`reasoning`, assistant `message`,
//! `function_call`, `custom_tool_call`, `local_shell_call`, `web_search_call`) ended by an input item, a
//! turn context, a user message or a token count — becomes a step with `usage: None`, so the session
//! reports unknown tokens, not zero.
//!
//! **Paginated history** (Codex's newer default) also writes each finished turn item as `event_msg` /
//! `item_completed` with `item: {"type": "CommandExecution" | "FileChange" | "McpToolCall" | …}`. Those
//! that are tool calls become [`ToolCall`]s (a `FileChange` with its [`Edit`]s from the change's content or
//! unified diff) unless the same call id was already read from a `response_item`; messages, reasoning and
//! plans carry nothing to count.
//!
//! **Tool calls** ([`Depth::Full`]) seen since the previous step attach to the next step (its token count
//! follows the response); those after the last token count attach to the last step. Outputs are joined by
//! `call_id`. `apply_patch` (function, freeform custom tool, `["apply_patch", PATCH]` or a shell heredoc)
//! becomes one [`ToolCall`] per file it touches, each with its [`Edit`]; a patch whose output reports a
//! failure keeps no edit.
//!
//! [`Depth::Usage`] reads `session_meta`, `turn_context` and the `token_count` / `thread_settings_applied`
//! events in full; every other line is classified from its first bytes (`{"timestamp":…,"type":…,
//! "payload":{"type":…`) and checked for shape only, so large tool outputs are never decoded.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::lenient::{LStr, LU64, MapOnly};
use super::patch::{parse_patch, unified_hunks};
use super::shell::{classify_tokens, classify_words, tokenize};
use super::{Depth, FileLog, Line, LineReader, skip, skip_reason};
use crate::error::Result;
use crate::model::{
    Agent, Edit, EditOp, Hunk, ServiceTier, Session, Skips, Step, ToolCall, ToolKind, Usage,
};

/// The model a step is priced as when the rollout never names one (no `turn_context` model before it).
pub const FALLBACK_MODEL: &str = "gpt-5";

/// The longest pause between two copied records of a fork's replayed history.
pub const REPLAY_GAP: SignedDuration = SignedDuration::from_secs(1);

/// Top-level record types this parser knows. Only the first five carry what it reads; the others are
/// written by 2026 versions (per-response usage records, world state, inter-agent metadata) and are read
/// as known records without content (token totals come from `token_count` alone).
const KNOWN_TYPES: &[&str] = &[
    "session_meta",
    "turn_context",
    "response_item",
    "event_msg",
    "compacted",
    "token_usage_record",
    "world_state",
    "security_risk_score",
    "inter_agent_communication",
    "inter_agent_communication_metadata",
    "retained_context",
    "realtime_item",
];

/// Tools that run a shell command.
const SHELL_TOOLS: &[&str] = &[
    "shell",
    "container.exec",
    "shell_command",
    "exec_command",
    "local_shell",
];

/// Codex CLI's rollouts (`~/.codex/sessions/**/rollout-*.jsonl[.zst]`).
pub struct Codex;

impl super::Format for Codex {
    fn agent(&self) -> Agent {
        Agent::Codex
    }

    fn names(&self) -> &'static [&'static str] {
        &["codex"]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        sniff(line)
    }

    fn parse(&self, path: &Path, reader: LineReader, depth: Depth) -> Result<FileLog> {
        parse(path, reader, depth)
    }

    /// `$CODEX_HOME` (default `~/.codex`): `sessions/` and `archived_sessions/`.
    fn log_roots(&self, loc: &crate::discover::Locations) -> Vec<std::path::PathBuf> {
        loc.codex_root()
            .map(|h| vec![h.join("sessions"), h.join("archived_sessions")])
            .unwrap_or_default()
    }

    /// `rollout-*.jsonl`, plain or compressed (`.jsonl.zst`, written for rollouts idle for 7 days).
    fn is_log_name(&self, name: &str) -> bool {
        name.starts_with("rollout-") && (name.ends_with(".jsonl") || name.ends_with(".jsonl.zst"))
    }

    /// `rollout-<time>-<id>.jsonl[.zst]`.
    fn named_after(&self, path: &Path, _root: &Path, prefix: &str) -> bool {
        path.file_name()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.contains(&format!("-{prefix}")))
    }
}

/// True when a line looks like a Codex rollout record.
///
/// Decided on the top-level keys (a rollout record has a `payload` and one of Codex's record types), so a
/// log of another agent that merely mentions these words is not taken for a rollout.
pub fn sniff(line: &[u8]) -> bool {
    super::SniffTop::of(line).is_some_and(|top| {
        top.payload.is_some()
            && matches!(
                top.kind.get(),
                Some("session_meta" | "turn_context" | "response_item" | "event_msg" | "compacted")
            )
    })
}

// ---------------------------------------------------------------------------------------------------
// Records.

#[derive(Deserialize, Default)]
struct MetaP<'a> {
    #[serde(borrow, default)]
    id: LStr<'a>,
    #[serde(borrow, default)]
    cwd: LStr<'a>,
    #[serde(borrow, default)]
    forked_from_id: LStr<'a>,
    #[serde(borrow, default)]
    git: MapOnly<GitP<'a>>,
}

#[derive(Deserialize, Default)]
struct GitP<'a> {
    #[serde(borrow, default)]
    branch: LStr<'a>,
}

#[derive(Deserialize, Default)]
struct TurnP<'a> {
    #[serde(borrow, default)]
    cwd: LStr<'a>,
    #[serde(borrow, default)]
    model: LStr<'a>,
    #[serde(borrow, default)]
    service_tier: LStr<'a>,
}

#[derive(Deserialize, Default)]
struct EventP<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: LStr<'a>,
    #[serde(borrow, default)]
    info: MapOnly<InfoP<'a>>,
    #[serde(borrow, default)]
    thread_settings: MapOnly<SettingsP<'a>>,
    /// `item_completed`'s turn item (paginated history), read only at [`Depth::Full`].
    #[serde(borrow, default)]
    item: Option<&'a RawValue>,
}

/// A paginated-history turn item (`item_completed`); the fields of the kinds that are tool calls.
#[derive(Deserialize, Default)]
struct TurnItemP<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: LStr<'a>,
    #[serde(borrow, default)]
    id: LStr<'a>,
    #[serde(borrow, default)]
    status: LStr<'a>,
    /// `CommandExecution`: the argv.
    #[serde(borrow, default)]
    command: Option<&'a RawValue>,
    #[serde(rename = "aggregatedOutput", borrow, default)]
    aggregated_output: Option<&'a RawValue>,
    #[serde(rename = "exitCode", default)]
    exit_code: Option<serde_json::Value>,
    /// `FileChange`: path → `{"type": "add"|"delete"|"update", "content", "unified_diff", "move_path"}`.
    #[serde(borrow, default)]
    changes: Option<&'a RawValue>,
    /// `McpToolCall` / `DynamicToolCall`.
    #[serde(borrow, default)]
    server: LStr<'a>,
    #[serde(borrow, default)]
    tool: LStr<'a>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
    /// `WebSearch`.
    #[serde(borrow, default)]
    query: LStr<'a>,
}

#[derive(Deserialize, Default)]
struct ChangeP<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: LStr<'a>,
    #[serde(borrow, default)]
    content: LStr<'a>,
    #[serde(borrow, default)]
    unified_diff: LStr<'a>,
    #[serde(borrow, default)]
    move_path: LStr<'a>,
}

#[derive(Deserialize, Default)]
struct InfoP<'a> {
    #[serde(default)]
    total_token_usage: MapOnly<TotalsP>,
    #[serde(borrow, default)]
    model: LStr<'a>,
}

#[derive(Deserialize, Default)]
struct TotalsP {
    #[serde(default)]
    input_tokens: LU64,
    #[serde(default)]
    cached_input_tokens: LU64,
    #[serde(default)]
    output_tokens: LU64,
    #[serde(default)]
    reasoning_output_tokens: LU64,
}

#[derive(Deserialize, Default)]
struct SettingsP<'a> {
    #[serde(borrow, default)]
    model: LStr<'a>,
    #[serde(borrow, default)]
    service_tier: LStr<'a>,
}

#[derive(Deserialize, Default)]
struct ItemP<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: LStr<'a>,
    #[serde(borrow, default)]
    role: LStr<'a>,
    #[serde(borrow, default)]
    name: LStr<'a>,
    #[serde(borrow, default)]
    arguments: LStr<'a>,
    #[serde(borrow, default)]
    input: LStr<'a>,
    #[serde(borrow, default)]
    call_id: LStr<'a>,
    #[serde(borrow, default)]
    id: LStr<'a>,
    #[serde(borrow, default)]
    output: Option<&'a RawValue>,
    #[serde(borrow, default)]
    action: Option<&'a RawValue>,
}

enum Payload<'a> {
    Meta(MetaP<'a>),
    Turn(TurnP<'a>),
    Item(ItemP<'a>),
    Event(EventP<'a>),
    /// A payload this parser does not read (or none).
    Other,
    /// A payload that came before the record's `type` (not how Codex writes): read once the type is known.
    Raw(&'a RawValue),
}

/// One rollout line, its payload read in the same pass as the envelope (Codex writes `type` first).
struct Record<'a> {
    timestamp: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    payload: Payload<'a>,
}

fn payload_from<'de, A: MapAccess<'de>>(
    kind: &str,
    map: &mut A,
) -> std::result::Result<Payload<'de>, A::Error> {
    Ok(match kind {
        "session_meta" => map
            .next_value::<MapOnly<MetaP<'de>>>()?
            .0
            .map_or(Payload::Other, Payload::Meta),
        "turn_context" => map
            .next_value::<MapOnly<TurnP<'de>>>()?
            .0
            .map_or(Payload::Other, Payload::Turn),
        "response_item" => map
            .next_value::<MapOnly<ItemP<'de>>>()?
            .0
            .map_or(Payload::Other, Payload::Item),
        "event_msg" => map
            .next_value::<MapOnly<EventP<'de>>>()?
            .0
            .map_or(Payload::Other, Payload::Event),
        _ => {
            map.next_value::<IgnoredAny>()?;
            Payload::Other
        }
    })
}

fn payload_from_raw<'a>(kind: &str, raw: &'a RawValue) -> Payload<'a> {
    fn read<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Option<T> {
        serde_json::from_str::<MapOnly<T>>(raw.get()).ok()?.0
    }
    let p = match kind {
        "session_meta" => read(raw).map(Payload::Meta),
        "turn_context" => read(raw).map(Payload::Turn),
        "response_item" => read(raw).map(Payload::Item),
        "event_msg" => read(raw).map(Payload::Event),
        _ => None,
    };
    p.unwrap_or(Payload::Other)
}

impl<'de> Deserialize<'de> for Record<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a rollout record object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut timestamp = None;
                let mut kind: Option<Cow<'de, str>> = None;
                let mut payload = Payload::Other;
                while let Some(key) = map.next_key::<LStr<'de>>()? {
                    match key.get() {
                        Some("timestamp") => timestamp = map.next_value::<LStr<'de>>()?.0,
                        Some("type") => kind = map.next_value::<LStr<'de>>()?.0,
                        Some("payload") => {
                            payload = match kind.as_deref() {
                                Some(k) => payload_from(k, &mut map)?,
                                None => Payload::Raw(map.next_value::<&'de RawValue>()?),
                            }
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                if let (Payload::Raw(raw), Some(k)) = (&payload, kind.as_deref()) {
                    payload = payload_from_raw(k, raw);
                }
                Ok(Record {
                    timestamp,
                    kind,
                    payload,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// The first bytes of a line as Codex writes them: `{"timestamp":"…","type":"…","payload":{"type":"…"`.
struct Head<'a> {
    timestamp: Option<&'a str>,
    kind: &'a str,
    payload_type: Option<&'a str>,
    role: Option<&'a str>,
}

impl Head<'_> {
    /// True when [`Depth::Usage`] must read the line in full.
    fn needs_parse(&self) -> bool {
        match self.kind {
            "session_meta" | "turn_context" => true,
            "event_msg" => matches!(
                self.payload_type,
                None | Some("token_count" | "thread_settings_applied")
            ),
            "response_item" => self.payload_type.is_none(),
            _ => false,
        }
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// A string without escapes.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = self.b.get(self.i..)?;
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[end] != b'"' {
            return None;
        }
        self.i += end + 1;
        std::str::from_utf8(&rest[..end]).ok()
    }

    fn key(&mut self, name: &str) -> Option<()> {
        (self.string()? == name).then_some(())?;
        self.eat(b':')
    }
}

/// Reads a line's head, or `None` when it is not laid out as Codex writes it.
fn head(line: &[u8]) -> Option<Head<'_>> {
    let mut c = Cursor { b: line, i: 0 };
    c.eat(b'{')?;
    let mut timestamp = None;
    let save = c.i;
    if c.key("timestamp").is_some() {
        timestamp = Some(c.string()?);
        c.eat(b',')?;
    } else {
        c.i = save;
    }
    c.key("type")?;
    let kind = c.string()?;
    c.eat(b',')?;
    c.key("payload")?;
    let mut h = Head {
        timestamp,
        kind,
        payload_type: None,
        role: None,
    };
    if c.eat(b'{').is_none() || c.key("type").is_none() {
        return Some(h);
    }
    h.payload_type = c.string();
    if h.payload_type == Some("message") {
        let window = &line[c.i..line.len().min(c.i + 256)];
        if let Some(at) = memchr::memmem::find(window, b"\"role\"") {
            let mut r = Cursor {
                b: line,
                i: c.i + at,
            };
            if r.key("role").is_some() {
                h.role = r.string();
            }
        }
    }
    Some(h)
}

// ---------------------------------------------------------------------------------------------------
// Building the session.

/// Cumulative token counts as Codex reports them (`input` includes `cached`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Totals {
    input: u64,
    cached: u64,
    output: u64,
    reasoning: u64,
}

impl Totals {
    fn from_payload(t: &TotalsP) -> Totals {
        Totals {
            input: t.input_tokens.0.unwrap_or(0),
            cached: t.cached_input_tokens.0.unwrap_or(0),
            output: t.output_tokens.0.unwrap_or(0),
            reasoning: t.reasoning_output_tokens.0.unwrap_or(0),
        }
    }

    fn any_below(&self, o: &Totals) -> bool {
        self.input < o.input
            || self.cached < o.cached
            || self.output < o.output
            || self.reasoning < o.reasoning
    }

    /// The total a reset is judged on: input (cached included) plus output (reasoning included).
    fn total(&self) -> u64 {
        self.input.saturating_add(self.output)
    }

    /// Field-wise maximum: the running baseline after a dip that is not a reset.
    fn max(&self, o: &Totals) -> Totals {
        Totals {
            input: self.input.max(o.input),
            cached: self.cached.max(o.cached),
            output: self.output.max(o.output),
            reasoning: self.reasoning.max(o.reasoning),
        }
    }

    fn minus(&self, o: &Totals) -> Totals {
        Totals {
            input: self.input.saturating_sub(o.input),
            cached: self.cached.saturating_sub(o.cached),
            output: self.output.saturating_sub(o.output),
            reasoning: self.reasoning.saturating_sub(o.reasoning),
        }
    }

    fn usage(&self) -> Usage {
        Usage {
            input: self.input.saturating_sub(self.cached),
            output: self.output,
            cache_read: self.cached,
            cache_write_5m: 0,
            cache_write_1h: 0,
            reasoning: self.reasoning,
        }
    }
}

/// How a token total compares with the running baseline.
#[derive(Debug, PartialEq, Eq)]
struct Change {
    /// What to count: `None` for a repeated total (or a dip that adds nothing).
    counted: Option<Totals>,
    /// The new baseline.
    baseline: Totals,
    /// One field went down while the total did not: suspicious, not a reset.
    dip: bool,
}

/// The change of the running total: nothing for a repeated total, the whole total after a reset (the
/// total dropped), else the field-wise growth over the baseline.
fn delta(prev: Option<&Totals>, now: &Totals) -> Change {
    match prev {
        None => Change {
            counted: Some(*now),
            baseline: *now,
            dip: false,
        },
        Some(p) if p == now => Change {
            counted: None,
            baseline: *p,
            dip: false,
        },
        Some(p) if now.total() < p.total() => Change {
            counted: Some(*now),
            baseline: *now,
            dip: false,
        },
        Some(p) => {
            let grown = now.minus(p);
            Change {
                counted: (grown != Totals::default()).then_some(grown),
                baseline: now.max(p),
                dip: now.any_below(p),
            }
        }
    }
}

/// A model response identified by its output items (used only when the rollout has no token data).
struct Group {
    at: Option<Timestamp>,
    model: Option<String>,
    tier: ServiceTier,
    first_call: usize,
}

/// What a response item is, for grouping items into model responses.
#[derive(PartialEq, Eq)]
enum ItemClass {
    Output,
    Input,
    Neutral,
}

fn item_class(kind: Option<&str>, role: Option<&str>) -> ItemClass {
    match kind {
        Some(
            "reasoning"
            | "function_call"
            | "custom_tool_call"
            | "local_shell_call"
            | "web_search_call"
            | "image_generation_call",
        ) => ItemClass::Output,
        Some("message") if role == Some("assistant") => ItemClass::Output,
        Some("message" | "function_call_output" | "custom_tool_call_output") => ItemClass::Input,
        _ => ItemClass::Neutral,
    }
}

fn tier_of(s: &str) -> ServiceTier {
    match s {
        "priority" | "fast" => ServiceTier::Priority,
        "flex" => ServiceTier::Flex,
        _ => ServiceTier::Standard,
    }
}

struct Builder {
    depth: Depth,
    session: Session,
    metas: u32,
    first_meta_id: Option<String>,
    accepted: u64,
    last_time: Option<Timestamp>,
    prev_total: Option<Totals>,
    model: Option<String>,
    tier: ServiceTier,
    // Fork replay.
    replaying: bool,
    replay_last: Option<Timestamp>,
    fork_parent: Option<String>,
    replayed_events: u64,
    /// Token totals where one field went down while the total did not.
    dips: u64,
    /// Call ids read from paginated `item_completed` items (a `response_item` with one of them is the
    /// same call).
    completed_ids: std::collections::HashSet<String>,
    // Steps, responses and tool calls.
    step_call_end: Vec<usize>,
    groups: Vec<Group>,
    in_group: bool,
    calls: Vec<ToolCall>,
    by_call_id: HashMap<String, (usize, usize)>,
}

impl Builder {
    fn new(path: &Path, depth: Depth) -> Builder {
        let mut session = Session::new(Agent::Codex, id_from_path(path));
        session.files.push(path.to_path_buf());
        Builder {
            depth,
            session,
            metas: 0,
            first_meta_id: None,
            accepted: 0,
            last_time: None,
            prev_total: None,
            model: None,
            tier: ServiceTier::Standard,
            replaying: false,
            replay_last: None,
            fork_parent: None,
            replayed_events: 0,
            dips: 0,
            completed_ids: std::collections::HashSet::new(),
            step_call_end: Vec::new(),
            groups: Vec::new(),
            in_group: false,
            calls: Vec::new(),
            by_call_id: HashMap::new(),
        }
    }

    /// Every accepted record: time span, and whether a fork's copied history goes on.
    fn observe(&mut self, at: Option<Timestamp>) {
        self.accepted += 1;
        if self.replaying {
            match (at, self.replay_last) {
                (Some(t), Some(last)) if t.duration_since(last) <= REPLAY_GAP => {
                    self.replay_last = Some(t.max(last));
                }
                _ => self.replaying = false,
            }
        }
        if let Some(t) = at {
            self.session.saw(t);
            self.last_time = Some(t);
        }
    }

    fn start_replay(&mut self, at: Option<Timestamp>) {
        self.replaying = true;
        self.replay_last = at;
        self.in_group = false;
    }

    fn open_group(&mut self, at: Option<Timestamp>) {
        if !self.in_group {
            self.groups.push(Group {
                at: at.or(self.last_time),
                model: self.model.clone(),
                tier: self.tier,
                first_call: self.calls.len(),
            });
            self.in_group = true;
        }
    }

    fn close_group(&mut self) {
        self.in_group = false;
    }

    fn classify_item(&mut self, class: ItemClass, at: Option<Timestamp>) {
        if self.replaying {
            return;
        }
        match class {
            ItemClass::Output => self.open_group(at),
            ItemClass::Input => self.close_group(),
            ItemClass::Neutral => {}
        }
    }

    /// A line read from its head only ([`Depth::Usage`]).
    fn light(&mut self, h: &Head<'_>, at: Option<Timestamp>) {
        match h.kind {
            "response_item" => self.classify_item(item_class(h.payload_type, h.role), at),
            "event_msg" if h.payload_type == Some("user_message") => self.close_group(),
            _ => {}
        }
    }

    fn record(&mut self, payload: Payload<'_>, at: Option<Timestamp>, skipped: &mut Skips) {
        match payload {
            Payload::Meta(m) => self.meta(m, at),
            Payload::Turn(t) => self.turn(t),
            Payload::Item(i) => self.item(i, at),
            Payload::Event(e) => self.event(e, at, skipped),
            Payload::Other | Payload::Raw(_) => {}
        }
    }

    fn meta(&mut self, m: MetaP<'_>, at: Option<Timestamp>) {
        self.metas += 1;
        let id = m.id.get().filter(|s| !s.is_empty()).map(str::to_owned);
        if self.metas == 1 {
            if let Some(id) = &id {
                self.session.id.clone_from(id);
            }
            self.first_meta_id = id;
            if let Some(parent) = m.forked_from_id.get().filter(|s| !s.is_empty()) {
                self.fork_parent = Some(parent.to_owned());
                self.start_replay(at);
            }
        } else if id.is_some() && id != self.first_meta_id {
            // The parent's header, copied with its history: the fork's replay.
            if self.fork_parent.is_none() {
                self.fork_parent = id;
            }
            if !self.replaying {
                self.start_replay(at);
            }
        }
        if self.session.cwd.is_none()
            && let Some(cwd) = m.cwd.get().filter(|s| !s.is_empty())
        {
            self.session.cwd = Some(cwd.into());
        }
        if self.session.branch.is_none()
            && let Some(git) = &m.git.0
            && let Some(branch) = git.branch.get().filter(|b| !b.is_empty() && *b != "HEAD")
        {
            self.session.branch = Some(branch.to_owned());
        }
    }

    fn turn(&mut self, t: TurnP<'_>) {
        self.close_group();
        if let Some(model) = t.model.get().filter(|s| !s.is_empty()) {
            self.model = Some(model.to_owned());
        }
        if let Some(tier) = t.service_tier.get() {
            self.tier = tier_of(tier);
        }
        if self.session.cwd.is_none()
            && let Some(cwd) = t.cwd.get().filter(|s| !s.is_empty())
        {
            self.session.cwd = Some(cwd.into());
        }
    }

    fn event(&mut self, e: EventP<'_>, at: Option<Timestamp>, skipped: &mut Skips) {
        match e.kind.get() {
            Some("token_count") => {
                self.close_group();
                if let Some(info) = e.info.0 {
                    self.token_count(&info, at, skipped);
                }
            }
            Some("thread_settings_applied") => {
                if let Some(s) = e.thread_settings.0 {
                    if let Some(model) = s.model.get().filter(|m| !m.is_empty()) {
                        self.model = Some(model.to_owned());
                    }
                    if let Some(tier) = s.service_tier.get() {
                        self.tier = tier_of(tier);
                    }
                }
            }
            Some("user_message") => self.close_group(),
            Some("item_completed") if self.depth == Depth::Full && !self.replaying => {
                if let Some(raw) = e.item {
                    self.completed_item(raw);
                }
            }
            _ => {}
        }
    }

    /// A paginated-history turn item: a tool call not already read from a `response_item`.
    fn completed_item(&mut self, raw: &RawValue) {
        let Ok(MapOnly(Some(item))) = serde_json::from_str::<MapOnly<TurnItemP<'_>>>(raw.get())
        else {
            return;
        };
        let id = item.id.get().unwrap_or_default().to_owned();
        if !id.is_empty() && self.by_call_id.contains_key(&id) {
            return;
        }
        let failed = matches!(
            item.status.get(),
            Some("failed" | "declined" | "Failed" | "Declined")
        );
        let mut new = match item.kind.get() {
            Some("CommandExecution" | "command_execution") => {
                let input = item.command.map_or(0, |c| c.get().len());
                let mut calls = match cmd_from(item.command, None) {
                    Some(cmd) => shell_call("exec_command", &id, cmd, input),
                    None => vec![call(&id, ToolKind::Shell, "exec_command", input)],
                };
                let exit_failed = item
                    .exit_code
                    .as_ref()
                    .and_then(serde_json::Value::as_i64)
                    .is_some_and(|c| c != 0);
                if let Some(first) = calls.first_mut() {
                    first.output_bytes = item
                        .aggregated_output
                        .map_or(0, |o| json_string_len(o.get().as_bytes()));
                    first.is_error = failed || exit_failed;
                }
                calls
            }
            Some("FileChange" | "file_change") => {
                let edits = item.changes.map(file_changes).unwrap_or_default();
                let input = item.changes.map_or(0, |c| c.get().len());
                edit_calls("apply_patch", &id, edits, input)
            }
            Some("McpToolCall" | "mcp_tool_call" | "DynamicToolCall" | "dynamic_tool_call") => {
                let name = match (item.server.get(), item.tool.get()) {
                    (Some(server), Some(tool)) => format!("{server}.{tool}"),
                    (None, Some(tool)) => tool.to_owned(),
                    _ => "unknown".to_owned(),
                };
                let input = item.arguments.map_or(0, |a| a.get().len());
                vec![call(&id, ToolKind::Other, &name, input)]
            }
            Some("WebSearch" | "web_search") => {
                let mut c = call(&id, ToolKind::Search, "web_search", 0);
                c.command = item.query.get().map(str::to_owned);
                vec![c]
            }
            _ => return,
        };
        if failed {
            for c in &mut new {
                c.is_error = true;
                c.edit = None;
            }
        }
        if !id.is_empty() {
            self.by_call_id
                .insert(id.clone(), (self.calls.len(), new.len()));
            self.completed_ids.insert(id);
        }
        self.calls.extend(new);
    }

    fn token_count(&mut self, info: &InfoP<'_>, at: Option<Timestamp>, skipped: &mut Skips) {
        let Some(total) = &info.total_token_usage.0 else {
            skipped.add(skip::MISSING_FIELD);
            return;
        };
        let now = Totals::from_payload(total);
        if let Some(model) = info.model.get().filter(|m| !m.is_empty()) {
            self.model = Some(model.to_owned());
        }
        let change = delta(self.prev_total.as_ref(), &now);
        self.prev_total = Some(change.baseline);
        if change.dip {
            self.dips += 1;
        }
        let Some(change) = change.counted else { return };
        if self.replaying {
            self.replayed_events += 1;
            return;
        }
        let Some(at) = at.or(self.last_time) else {
            skipped.add(skip::MISSING_FIELD);
            return;
        };
        let (model, inferred) = match &self.model {
            Some(m) => (m.clone(), false),
            None => (FALLBACK_MODEL.to_owned(), true),
        };
        self.session.steps.push(Step {
            at,
            model: Some(model),
            model_inferred: inferred,
            usage: Some(change.usage()),
            service_tier: self.tier,
            tool_calls: Vec::new(),
            sidechain: false,
            dedup_key: None,
        });
        self.step_call_end.push(self.calls.len());
    }

    fn item(&mut self, item: ItemP<'_>, at: Option<Timestamp>) {
        let kind = item.kind.get();
        self.classify_item(item_class(kind, item.role.get()), at);
        if self.depth != Depth::Full || self.replaying {
            return;
        }
        let call_id = item
            .call_id
            .get()
            .or(item.id.get())
            .unwrap_or_default()
            .to_owned();
        if !call_id.is_empty() && self.completed_ids.contains(&call_id) {
            // Already read from the paginated `item_completed` of the same call; an output still joins.
            if matches!(
                kind,
                Some("function_call_output" | "custom_tool_call_output")
            ) {
                self.join_output(&call_id, item.output);
            }
            return;
        }
        let name = item.name.get().unwrap_or("unknown");
        let new = match kind {
            Some("function_call") => {
                function_call(name, item.arguments.get().unwrap_or(""), &call_id)
            }
            Some("custom_tool_call") => {
                custom_tool_call(name, item.input.get().unwrap_or(""), &call_id)
            }
            Some("local_shell_call") => local_shell_call(item.action, &call_id),
            Some("function_call_output" | "custom_tool_call_output") => {
                self.join_output(&call_id, item.output);
                return;
            }
            _ => return,
        };
        if !call_id.is_empty() {
            self.by_call_id
                .insert(call_id, (self.calls.len(), new.len()));
        }
        self.calls.extend(new);
    }

    fn join_output(&mut self, call_id: &str, output: Option<&RawValue>) {
        let Some(&(start, len)) = self.by_call_id.get(call_id) else {
            return;
        };
        let (bytes, is_error) = measure_output(output);
        let end = start.saturating_add(len).min(self.calls.len());
        if let Some(first) = self.calls.get_mut(start)
            && first
                .command
                .as_deref()
                .is_some_and(super::shell_writes::may_commit)
        {
            first.commits = super::shell_writes::commits_in_output(&output_text(output));
        }
        for (k, call) in self.calls[start.min(end)..end].iter_mut().enumerate() {
            call.output_bytes = if k == 0 { bytes } else { 0 };
            call.is_error = is_error;
            if is_error {
                call.edit = None;
                call.shell_writes.clear();
            }
        }
    }

    fn finish(mut self, skipped: &Skips) -> Vec<Session> {
        let mut calls = std::mem::take(&mut self.calls).into_iter();
        if self.session.steps.is_empty() {
            // No token data: one step per model response, usage unknown.
            let ends: Vec<usize> = self
                .groups
                .iter()
                .skip(1)
                .map(|g| g.first_call)
                .chain(std::iter::once(usize::MAX))
                .collect();
            for (g, end) in self.groups.iter().zip(ends) {
                let tool_calls: Vec<ToolCall> = calls
                    .by_ref()
                    .take(end.saturating_sub(g.first_call))
                    .collect();
                // A response is timed by its first item, else by any earlier line (a file without a
                // single timestamp has no steps).
                let Some(at) = g.at.or(self.session.started_at) else {
                    continue;
                };
                let (model, inferred) = match &g.model {
                    Some(m) => (m.clone(), false),
                    None => (FALLBACK_MODEL.to_owned(), true),
                };
                self.session.steps.push(Step {
                    at,
                    model: Some(model),
                    model_inferred: inferred,
                    usage: None,
                    service_tier: g.tier,
                    tool_calls,
                    sidechain: false,
                    dedup_key: None,
                });
            }
        } else {
            let mut start = 0;
            for (step, &end) in self.session.steps.iter_mut().zip(&self.step_call_end) {
                step.tool_calls = calls.by_ref().take(end.saturating_sub(start)).collect();
                start = end;
            }
            if let Some(last) = self.session.steps.last_mut() {
                last.tool_calls.extend(calls);
            }
        }
        let inferred = self
            .session
            .steps
            .iter()
            .filter(|s| s.model_inferred)
            .count();
        if inferred > 0 {
            self.session.notes.push(format!(
                "no turn_context model: {inferred} step(s) priced as {FALLBACK_MODEL} (fallback)"
            ));
        }
        if self.dips > 0 {
            self.session.notes.push(format!(
                "{} token count(s) dipped in one field while the total did not drop: not taken as \
                 resets (each field keeps its highest value)",
                self.dips
            ));
        }
        if let Some(parent) = &self.fork_parent {
            self.session.notes.push(format!(
                "forked from {parent}: {} replayed token events not counted",
                self.replayed_events
            ));
        }
        self.session.skipped.merge(skipped);
        if self.accepted == 0 && self.session.steps.is_empty() {
            return Vec::new();
        }
        vec![self.session]
    }
}

/// The session id a rollout's name carries (`rollout-YYYY-MM-DDTHH-MM-SS-<uuid>.jsonl`, or `.jsonl.zst`),
/// else its stem. Any name is safe: the id is cut on byte offsets only where they fall on characters.
fn id_from_path(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".zst").unwrap_or(&name);
    let stem = stem.strip_suffix(".jsonl").unwrap_or(stem).to_owned();
    if stem.starts_with("rollout-")
        && let Some(tail) = stem.len().checked_sub(36).and_then(|at| stem.get(at..))
    {
        let shape = tail.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
        if shape {
            return tail.to_owned();
        }
    }
    stem
}

fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>().ok()
}

fn classify_error(line: &Line<'_>, err: &serde_json::Error) -> &'static str {
    if err.is_data() && line.bytes.trim_ascii().first() != Some(&b'{') {
        skip::NOT_OBJECT
    } else {
        skip_reason(line, err)
    }
}

/// Parses one rollout file.
pub fn parse(path: &Path, mut reader: LineReader, depth: Depth) -> Result<FileLog> {
    let mut log = FileLog::default();
    let mut b = Builder::new(path, depth);
    while let Some(line) = reader.read_line()? {
        if line.oversized {
            log.skipped.add(skip::OVERSIZED);
            continue;
        }
        if line.bytes.trim_ascii().is_empty() {
            continue;
        }
        if depth == Depth::Usage
            && let Some(h) = head(line.bytes)
            && !h.needs_parse()
        {
            if let Some(reason) = super::looks_like_object(&line) {
                log.skipped.add(reason);
                continue;
            }
            if !KNOWN_TYPES.contains(&h.kind) {
                log.skipped.add(skip::UNKNOWN_RECORD);
                continue;
            }
            let at = h.timestamp.and_then(parse_time);
            b.observe(at);
            b.light(&h, at);
            continue;
        }
        let record: Record<'_> = match serde_json::from_slice(line.bytes) {
            Ok(r) => r,
            Err(e) => {
                log.skipped.add(classify_error(&line, &e));
                continue;
            }
        };
        let Some(kind) = record.kind.as_deref() else {
            log.skipped.add(skip::UNKNOWN_RECORD);
            continue;
        };
        if !KNOWN_TYPES.contains(&kind) {
            log.skipped.add(skip::UNKNOWN_RECORD);
            continue;
        }
        let at = record.timestamp.as_deref().and_then(parse_time);
        b.observe(at);
        b.record(record.payload, at, &mut log.skipped);
    }
    log.lines = reader.lines_read();
    log.bytes = reader.bytes_read();
    log.sessions = b.finish(&log.skipped);
    Ok(log)
}

// ---------------------------------------------------------------------------------------------------
// Tool calls.

fn call(id: &str, kind: ToolKind, name: &str, input_bytes: usize) -> ToolCall {
    let mut c = ToolCall::new(id, kind, name);
    c.input_bytes = input_bytes as u64;
    c
}

/// A shell command as a tool gave it: an argv or a script for `bash -lc`.
enum Cmd {
    Argv(Vec<String>),
    Script(String),
}

#[derive(Deserialize, Default)]
struct ShellArgs<'a> {
    #[serde(borrow, default)]
    command: Option<&'a RawValue>,
    #[serde(borrow, default)]
    cmd: LStr<'a>,
    #[serde(borrow, default)]
    input: LStr<'a>,
    #[serde(borrow, default)]
    patch: LStr<'a>,
    #[serde(borrow, default)]
    path: LStr<'a>,
}

fn shell_args(arguments: &str) -> ShellArgs<'_> {
    serde_json::from_str::<MapOnly<ShellArgs<'_>>>(arguments)
        .ok()
        .and_then(|m| m.0)
        .unwrap_or_default()
}

fn cmd_from(raw: Option<&RawValue>, script: Option<&str>) -> Option<Cmd> {
    if let Some(raw) = raw {
        if let Ok(argv) = serde_json::from_str::<Vec<String>>(raw.get()) {
            return Some(Cmd::Argv(argv));
        }
        if let Ok(s) = serde_json::from_str::<String>(raw.get()) {
            return Some(Cmd::Script(s));
        }
    }
    script.map(|s| Cmd::Script(s.to_owned()))
}

fn function_call(name: &str, arguments: &str, id: &str) -> Vec<ToolCall> {
    let input_bytes = arguments.len();
    if name == "apply_patch" {
        let args = shell_args(arguments);
        let patch = args.input.get().or(args.patch.get()).unwrap_or(arguments);
        return patch_calls(name, id, patch, input_bytes);
    }
    if SHELL_TOOLS.contains(&name) {
        let args = shell_args(arguments);
        if let Some(cmd) = cmd_from(args.command, args.cmd.get()) {
            return shell_call(name, id, cmd, input_bytes);
        }
        return vec![call(id, ToolKind::Shell, name, input_bytes)];
    }
    let mut c = call(id, ToolKind::Other, name, input_bytes);
    if name == "view_image" {
        c.kind = ToolKind::Read;
        if let Some(p) = shell_args(arguments).path.get() {
            c.paths.push(p.to_owned());
        }
    }
    vec![c]
}

fn custom_tool_call(name: &str, input: &str, id: &str) -> Vec<ToolCall> {
    if name == "apply_patch" || input.trim_start().starts_with("*** Begin Patch") {
        return patch_calls(name, id, input, input.len());
    }
    if SHELL_TOOLS.contains(&name) {
        return shell_call(name, id, Cmd::Script(input.to_owned()), input.len());
    }
    vec![call(id, ToolKind::Other, name, input.len())]
}

fn local_shell_call(action: Option<&RawValue>, id: &str) -> Vec<ToolCall> {
    #[derive(Deserialize, Default)]
    struct Action<'a> {
        #[serde(borrow, default)]
        command: Option<&'a RawValue>,
    }
    let name = "local_shell";
    let input_bytes = action.map_or(0, |a| a.get().len());
    let command = action
        .and_then(|a| serde_json::from_str::<MapOnly<Action<'_>>>(a.get()).ok())
        .and_then(|m| m.0)
        .and_then(|a| cmd_from(a.command, None));
    match command {
        Some(cmd) => shell_call(name, id, cmd, input_bytes),
        None => vec![call(id, ToolKind::Shell, name, input_bytes)],
    }
}

fn is_shell_program(p: &str) -> bool {
    matches!(
        p.rsplit('/').next().unwrap_or(p),
        "bash" | "sh" | "zsh" | "dash" | "ksh"
    )
}

fn shell_call(name: &str, id: &str, cmd: Cmd, input_bytes: usize) -> Vec<ToolCall> {
    // `["bash", "-lc", SCRIPT]` is the script; `["apply_patch", PATCH]` is a patch.
    let (script, argv) = match cmd {
        Cmd::Script(s) => (s, None),
        Cmd::Argv(v) => {
            if v.len() >= 3 && is_shell_program(&v[0]) && matches!(v[1].as_str(), "-lc" | "-c") {
                (v[2..].join(" "), None)
            } else if v.len() >= 2 && matches!(v[0].as_str(), "apply_patch" | "applypatch") {
                return patch_calls(name, id, &v[1], input_bytes);
            } else {
                (v.join(" "), Some(v))
            }
        }
    };
    if script.contains("*** Begin Patch")
        && (script.contains("apply_patch") || script.contains("applypatch"))
    {
        return patch_calls(name, id, &script, input_bytes);
    }
    let (kind, paths) = match &argv {
        Some(words) => classify_words(words),
        None => tokenize(&script)
            .and_then(|t| classify_tokens(&t))
            .unwrap_or((ToolKind::Shell, Vec::new())),
    };
    let mut c = call(id, kind, name, input_bytes);
    c.paths = paths;
    let fx = super::shell_writes::effects(&script);
    c.shell_writes = fx.writes;
    c.shell_touched = fx.touched;
    c.command = Some(script);
    vec![c]
}

/// One call per file a patch touches (ids `call#1`, `call#2`… when several); the call's input and output
/// bytes are counted on the first.
fn patch_calls(name: &str, id: &str, patch: &str, input_bytes: usize) -> Vec<ToolCall> {
    edit_calls(name, id, parse_patch(patch), input_bytes)
}

/// One call per edited file (ids `call#1`, `call#2`… when several; the input bytes on the first), or one
/// edit call without an edit when nothing could be read from it.
fn edit_calls(name: &str, id: &str, edits: Vec<Edit>, input_bytes: usize) -> Vec<ToolCall> {
    if edits.is_empty() {
        return vec![call(id, ToolKind::Edit, name, input_bytes)];
    }
    let several = edits.len() > 1;
    edits
        .into_iter()
        .enumerate()
        .map(|(i, edit)| {
            let cid = if several {
                format!("{id}#{}", i + 1)
            } else {
                id.to_owned()
            };
            let mut c = call(
                &cid,
                ToolKind::Edit,
                name,
                if i == 0 { input_bytes } else { 0 },
            );
            c.paths.push(edit.path.clone());
            if let EditOp::Move { to } = &edit.op {
                c.paths.push(to.clone());
            }
            c.edit = Some(edit);
            c
        })
        .collect()
}

/// The edits of a paginated `FileChange` item: `add` → [`EditOp::Create`] with the content's lines,
/// `delete` → [`EditOp::Delete`], `update` → [`EditOp::Update`] (or [`EditOp::Move`] to `move_path`) with
/// one [`Hunk`] per run of `-`/`+` lines of its unified diff (`old_start` from the `@@ -N` header).
fn file_changes(raw: &RawValue) -> Vec<Edit> {
    let Ok(map) =
        serde_json::from_str::<std::collections::BTreeMap<String, MapOnly<ChangeP<'_>>>>(raw.get())
    else {
        return Vec::new();
    };
    let lines = |text: &str| -> Vec<String> {
        let text = text.strip_suffix('\n').unwrap_or(text);
        if text.is_empty() {
            return Vec::new();
        }
        text.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
            .collect()
    };
    let mut edits = Vec::new();
    for (path, change) in map {
        let Some(change) = change.0 else { continue };
        let edit = match change.kind.get() {
            Some("add") => Edit {
                path,
                op: EditOp::Create,
                hunks: vec![Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: lines(change.content.get().unwrap_or_default()),
                }],
            },
            Some("delete") => Edit {
                path,
                op: EditOp::Delete,
                hunks: Vec::new(),
            },
            Some("update") => {
                let op = match change.move_path.get().filter(|m| !m.is_empty()) {
                    Some(to) => EditOp::Move { to: to.to_owned() },
                    None => EditOp::Update,
                };
                Edit {
                    path,
                    op,
                    hunks: unified_hunks(change.unified_diff.get().unwrap_or_default()),
                }
            }
            _ => continue,
        };
        edits.push(edit);
    }
    edits
}

// ---------------------------------------------------------------------------------------------------
// Tool outputs.

/// Bytes of an output as the model received it, and whether it reports a failure.
fn measure_output(output: Option<&RawValue>) -> (u64, bool) {
    let Some(raw) = output else { return (0, false) };
    let text = raw.get().as_bytes();
    match text.first() {
        Some(b'"') => (json_string_len(text), output_says_error(text)),
        Some(b'[') => {
            #[derive(Deserialize, Default)]
            struct Part<'a> {
                #[serde(borrow, default)]
                text: Option<&'a RawValue>,
            }
            let Ok(parts) = serde_json::from_str::<Vec<MapOnly<Part<'_>>>>(raw.get()) else {
                return (text.len() as u64, false);
            };
            let bytes = parts
                .iter()
                .filter_map(|p| p.0.as_ref().and_then(|p| p.text))
                .map(|t| json_string_len(t.get().as_bytes()))
                .sum();
            (bytes, false)
        }
        Some(b'{') => {
            #[derive(Deserialize, Default)]
            struct Wrapped<'a> {
                #[serde(borrow, default)]
                content: Option<&'a RawValue>,
                #[serde(default)]
                success: Option<bool>,
            }
            let w = serde_json::from_str::<MapOnly<Wrapped<'_>>>(raw.get())
                .ok()
                .and_then(|m| m.0)
                .unwrap_or_default();
            match w.content {
                Some(c) => (measure_output(Some(c)).0, w.success == Some(false)),
                None => (text.len() as u64, w.success == Some(false)),
            }
        }
        _ => (text.len() as u64, false),
    }
}

/// The decoded text of a call's output (read only for commands that may print commits): a string, the
/// `output` of Codex's `{"output", "metadata"}` wrapper, or the `content` of a wrapped result.
fn output_text(output: Option<&RawValue>) -> String {
    #[derive(Deserialize)]
    struct Wrapped {
        #[serde(default)]
        output: Option<String>,
        #[serde(default)]
        content: Option<String>,
    }
    let Some(raw) = output else {
        return String::new();
    };
    let text = serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned());
    if text.trim_start().starts_with('{')
        && let Ok(w) = serde_json::from_str::<Wrapped>(&text)
    {
        return w.output.or(w.content).unwrap_or_default();
    }
    text
}

/// Output prefixes that report a failed call (shell wrappers, `apply_patch`, sandbox refusals).
const ERROR_PREFIXES: &[&str] = &[
    "error",
    "failed",
    "failure",
    "patch rejected",
    "apply_patch verification failed",
    "invalid patch",
    "execution error",
    "exec command rejected",
    "command rejected",
    "rejected",
    "aborted",
];

/// True when an output string (a JSON string literal) says the call failed: a non-zero `exit_code` in
/// Codex's `{"output", "metadata": {"exit_code"}}` wrapper, an `Exit code: N` / `Process exited with code
/// N` header, or an error message.
fn output_says_error(raw: &[u8]) -> bool {
    let finder = memchr::memmem::FinderRev::new(br#"\"exit_code\":"#);
    if let Some(at) = finder.rfind(raw) {
        let rest = &raw[at + br#"\"exit_code\":"#.len()..];
        return leading_int(rest).is_some_and(|n| n != 0);
    }
    let prefix = decode_prefix(raw, 400);
    let text = prefix.trim_start();
    if let Some(rest) = text.strip_prefix("Exit code:") {
        return leading_int(rest.as_bytes()).is_some_and(|n| n != 0);
    }
    if let Some(at) = text.find("Process exited with code ") {
        let rest = &text[at + "Process exited with code ".len()..];
        return leading_int(rest.as_bytes()).is_some_and(|n| n != 0);
    }
    let lower = text.get(..64.min(text.len())).map(str::to_ascii_lowercase);
    lower.is_some_and(|l| ERROR_PREFIXES.iter().any(|p| l.starts_with(p)))
}

/// An optionally signed integer at the start of `b`, after spaces.
fn leading_int(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b.get(..b.len().min(32))?)
        .ok()
        .or_else(|| {
            // A cut inside a multi-byte character: keep the valid part.
            let cut = &b[..b.len().min(32)];
            std::str::from_utf8(&cut[..cut.len().saturating_sub(3)]).ok()
        })?;
    let s = s.trim_start();
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(s.len(), |(i, _)| i);
    s[..end].parse().ok()
}

/// The first `max` characters of a JSON string literal, unescaped.
fn decode_prefix(raw: &[u8], max: usize) -> String {
    let inner = raw.get(1..).unwrap_or_default();
    let mut out: Vec<u8> = Vec::with_capacity(max.min(inner.len()));
    let mut i = 0;
    while i < inner.len() && out.len() < max {
        match inner[i] {
            b'"' => break,
            b'\\' => {
                let Some(&e) = inner.get(i + 1) else { break };
                i += 2;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'b' | b'f' => out.push(b' '),
                    b'u' => {
                        let cp = inner
                            .get(i..i + 4)
                            .and_then(|h| std::str::from_utf8(h).ok())
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .unwrap_or(0xFFFD);
                        i += 4;
                        let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                        let mut buf = [0; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    other => out.push(other),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decoded UTF-8 length of a JSON string literal (quotes included in `raw`), without decoding it.
fn json_string_len(raw: &[u8]) -> u64 {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let mut len = inner.len() as u64;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', inner.get(i..).unwrap_or_default()) {
        let at = i + off;
        if inner.get(at + 1) == Some(&b'u') {
            let cp = inner
                .get(at + 2..at + 6)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .unwrap_or(0);
            // A surrogate pair is one 4-byte character: 4 for the high half, 0 for the low half.
            let utf8 = match cp {
                0..=0x7f => 1,
                0x80..=0x7ff => 2,
                0xd800..=0xdbff => 4,
                0xdc00..=0xdfff => 0,
                _ => 3,
            };
            len = len.saturating_sub(6 - utf8);
            i = at + 6;
        } else {
            len = len.saturating_sub(1);
            i = at + 2;
        }
        if i >= inner.len() {
            break;
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse_bytes(name: &str, data: Vec<u8>, depth: Depth) -> FileLog {
        let reader = LineReader::new(Path::new(name), Box::new(std::io::Cursor::new(data)));
        parse(Path::new(name), reader, depth).expect("parse")
    }

    fn parse_str(data: &str, depth: Depth) -> FileLog {
        parse_bytes("t.jsonl", data.as_bytes().to_vec(), depth)
    }

    fn testdata(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/codex")
            .join(name)
    }

    fn parse_file(path: &Path, depth: Depth) -> FileLog {
        let reader = LineReader::open(path).expect("open");
        parse(path, reader, depth).expect("parse")
    }

    fn one(log: &FileLog) -> &Session {
        assert_eq!(log.sessions.len(), 1, "one session per rollout");
        &log.sessions[0]
    }

    fn totals(s: &Session) -> (u64, u64, u64, u64) {
        let (u, unknown) = s.usage();
        assert!(!unknown, "every step should carry usage");
        (u.input, u.output, u.cache_read, u.reasoning)
    }

    #[test]
    fn cumulative_totals_with_a_repeat_and_a_reset() {
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_file(&testdata("cumulative-reset.jsonl"), depth);
            let s = one(&log);
            // 4 changes of the total: 1000 (then a repeat, skipped) → 1500 → 2500 → reset to 400.
            assert_eq!(s.steps.len(), 4);
            let u: Vec<Usage> = s.steps.iter().map(|s| s.usage.expect("usage")).collect();
            assert_eq!((u[0].input, u[0].cache_read, u[0].output), (800, 200, 50));
            assert_eq!((u[1].input, u[1].cache_read, u[1].output), (200, 300, 30));
            assert_eq!((u[2].input, u[2].cache_read, u[2].output), (600, 400, 20));
            // After the reset the new total is the step's usage, not a negative difference.
            assert_eq!((u[3].input, u[3].cache_read, u[3].output), (300, 100, 10));
            assert_eq!((u[2].reasoning, u[3].reasoning), (10, 5));
            assert_eq!(totals(s), (1900, 110, 1000, 30));
            assert_eq!(s.id, "0199a0b1-0000-7000-8000-00000000c0de");
            assert_eq!(s.branch.as_deref(), Some("main"));
            assert_eq!(s.cwd.as_deref(), Some(Path::new("/home/dev/webapp")));
            assert_eq!(s.steps[0].model.as_deref(), Some("gpt-5-codex"));
            assert!(s.steps.iter().all(|st| !st.model_inferred));
            assert!(s.notes.is_empty());
            assert_eq!(log.skipped.total(), 0);
        }
    }

    #[test]
    fn codex_input_includes_cached_input() {
        let data = concat!(
            r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"turn_context","payload":{"cwd":"/r","model":"gpt-5.1-codex"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10000,"cached_input_tokens":9000,"output_tokens":300,"reasoning_output_tokens":120,"total_tokens":10300},"last_token_usage":{"input_tokens":10000,"cached_input_tokens":9000,"output_tokens":300,"reasoning_output_tokens":120,"total_tokens":10300}}}}"#,
            "\n"
        );
        let log = parse_str(data, Depth::Usage);
        let u = one(&log).steps[0].usage.expect("usage");
        assert_eq!(
            u,
            Usage {
                input: 1000,
                output: 300,
                cache_read: 9000,
                cache_write_5m: 0,
                cache_write_1h: 0,
                reasoning: 120,
            }
        );
        assert_eq!(u.total(), 10300);
    }

    #[test]
    fn last_token_usage_is_never_summed() {
        // Two events whose last_token_usage lies (it repeats); only the total's change counts.
        let data = concat!(
            r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"turn_context","payload":{"model":"gpt-5"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:01.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":100,"cached_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":0},"last_token_usage":{"input_tokens":999,"cached_input_tokens":0,"output_tokens":999,"reasoning_output_tokens":0}}}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":250,"cached_input_tokens":0,"output_tokens":30,"reasoning_output_tokens":0},"last_token_usage":{"input_tokens":999,"cached_input_tokens":0,"output_tokens":999,"reasoning_output_tokens":0}}}}"#,
            "\n"
        );
        let log = parse_str(data, Depth::Full);
        assert_eq!(totals(one(&log)), (250, 30, 0, 0));
    }

    #[test]
    fn gen_corpus_shaped_lines_sum_to_the_final_total() {
        for depth in [Depth::Usage, Depth::Full] {
            let path =
                testdata("rollout-2026-04-12T10-00-00-6f1c2a8e-3b7d-4c55-9a1e-2f0b6d7c8e91.jsonl");
            let log = parse_file(&path, depth);
            let s = one(&log);
            assert_eq!(s.id, "6f1c2a8e-3b7d-4c55-9a1e-2f0b6d7c8e91");
            assert_eq!(s.steps.len(), 3);
            // gen_corpus expects input = Σ(input − cached), output = Σ output, cache_read = Σ cached.
            assert_eq!(totals(s), (61200 - 30000, 1830, 30000, 700));
            assert_eq!(log.skipped.total(), 0);
            if depth == Depth::Full {
                for step in &s.steps {
                    assert_eq!(step.tool_calls.len(), 1);
                    let c = &step.tool_calls[0];
                    assert_eq!(c.kind, ToolKind::Search);
                    assert_eq!(c.name, "shell");
                    assert!(
                        c.command
                            .as_deref()
                            .is_some_and(|c| c.starts_with("rg -n "))
                    );
                    assert!(c.output_bytes > 0 && !c.is_error);
                }
            } else {
                assert!(s.steps.iter().all(|st| st.tool_calls.is_empty()));
            }
        }
    }

    #[test]
    fn a_rollout_without_token_data_has_steps_of_unknown_usage() {
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_file(&testdata("no-token-data.jsonl"), depth);
            let s = one(&log);
            // Three responses: reasoning+call, call, reasoning+message.
            assert_eq!(s.steps.len(), 3);
            assert!(s.steps.iter().all(|st| st.usage.is_none()));
            let (total, unknown) = s.usage();
            assert!(unknown);
            assert_eq!(total, Usage::default());
            assert_eq!(s.steps[0].model.as_deref(), Some("gpt-5-codex"));
            if depth == Depth::Full {
                assert_eq!(s.steps[0].tool_calls.len(), 1);
                assert_eq!(s.steps[0].tool_calls[0].kind, ToolKind::Read);
                assert_eq!(s.steps[0].tool_calls[0].paths, vec!["src/main.rs"]);
                assert_eq!(s.steps[1].tool_calls[0].kind, ToolKind::List);
                assert!(s.steps[2].tool_calls.is_empty());
            }
        }
    }

    #[test]
    fn a_forks_replayed_history_is_not_counted() {
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_file(&testdata("fork-replay.jsonl"), depth);
            let s = one(&log);
            assert_eq!(s.id, "0199f0a0-0000-7000-8000-0000000c41d0");
            // The parent reached 5000/1000/400/100; the child added 2 responses on top.
            assert_eq!(s.steps.len(), 2);
            assert_eq!(totals(s), (1000 - 200 + 500 - 300, 150, 500, 30));
            assert!(
                s.notes
                    .iter()
                    .any(|n| n == "forked from 0199e000-0000-7000-8000-0000000ba5e0: 2 replayed token events not counted"),
                "{:?}",
                s.notes
            );
            if depth == Depth::Full {
                // The parent's copied tool call is not the child's.
                let calls: Vec<&ToolCall> = s.tool_calls().collect();
                assert_eq!(calls.len(), 1);
                assert_eq!(calls[0].id, "call_child1");
            }
        }
    }

    #[test]
    fn a_fork_without_forked_from_id_is_told_by_its_second_session_meta() {
        let data = concat!(
            r#"{"timestamp":"2026-05-01T09:00:00.000Z","type":"session_meta","payload":{"id":"child","cwd":"/r"}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T09:00:00.001Z","type":"session_meta","payload":{"id":"parent","cwd":"/r"}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T09:00:00.002Z","type":"turn_context","payload":{"cwd":"/r","model":"gpt-5"}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T09:00:00.003Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":700,"cached_input_tokens":0,"output_tokens":70,"reasoning_output_tokens":0}}}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T09:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":80,"reasoning_output_tokens":0}}}}"#,
            "\n"
        );
        let log = parse_str(data, Depth::Usage);
        let s = one(&log);
        assert_eq!(s.id, "child");
        assert_eq!(totals(s), (300, 10, 0, 0));
        assert_eq!(
            s.notes,
            vec!["forked from parent: 1 replayed token events not counted"]
        );
    }

    #[test]
    fn steps_without_a_model_are_priced_as_the_fallback_and_flagged() {
        let log = parse_file(&testdata("no-model.jsonl"), Depth::Usage);
        let s = one(&log);
        assert_eq!(s.steps.len(), 2);
        assert!(s.steps[0].model_inferred);
        assert_eq!(s.steps[0].model.as_deref(), Some(FALLBACK_MODEL));
        // A model named later is used from then on.
        assert!(!s.steps[1].model_inferred);
        assert_eq!(s.steps[1].model.as_deref(), Some("o4-mini"));
        assert_eq!(
            s.notes,
            vec!["no turn_context model: 1 step(s) priced as gpt-5 (fallback)"]
        );
    }

    #[test]
    fn the_model_of_a_token_count_info_wins_and_tiers_are_read() {
        let data = concat!(
            r#"{"timestamp":"2026-05-13T09:00:00.000Z","type":"turn_context","payload":{"model":"gpt-5.2-codex","service_tier":"priority"}}"#,
            "\n",
            r#"{"timestamp":"2026-05-13T09:01:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"model":"gpt-5.3-codex","total_token_usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0}}}}"#,
            "\n",
            r#"{"timestamp":"2026-05-13T09:02:00.000Z","type":"event_msg","payload":{"type":"thread_settings_applied","thread_settings":{"model":"gpt-5.4","service_tier":"flex"}}}"#,
            "\n",
            r#"{"timestamp":"2026-05-13T09:03:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":20,"cached_input_tokens":0,"output_tokens":2,"reasoning_output_tokens":0}}}}"#,
            "\n"
        );
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_str(data, depth);
            let s = one(&log);
            assert_eq!(s.steps[0].model.as_deref(), Some("gpt-5.3-codex"));
            assert_eq!(s.steps[0].service_tier, ServiceTier::Priority);
            assert_eq!(s.steps[1].model.as_deref(), Some("gpt-5.4"));
            assert_eq!(s.steps[1].service_tier, ServiceTier::Flex);
        }
    }

    #[test]
    fn apply_patch_across_files_is_one_call_per_file() {
        let log = parse_file(&testdata("apply-patch.jsonl"), Depth::Full);
        let s = one(&log);
        assert_eq!(log.skipped.total(), 0);
        let calls: Vec<&ToolCall> = s.tool_calls().collect();
        // Custom tool patch over 4 files, a shell heredoc patch, a failed function patch, an argv patch.
        assert_eq!(calls.len(), 7);
        let ids: Vec<&str> = calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "call_p1#1",
                "call_p1#2",
                "call_p1#3",
                "call_p1#4",
                "call_p2",
                "call_p3",
                "call_p4"
            ]
        );
        assert!(calls.iter().all(|c| c.kind == ToolKind::Edit));

        let add = calls[0].edit.as_ref().expect("add");
        assert_eq!(add.path, "docs/NEW.md");
        assert_eq!(add.op, EditOp::Create);
        assert_eq!(add.hunks.len(), 1);
        assert_eq!(add.hunks[0].new, vec!["# New", "", "text"]);
        assert!(add.hunks[0].old.is_empty());

        let upd = calls[1].edit.as_ref().expect("update");
        assert_eq!(upd.path, "src/lib.rs");
        assert_eq!(upd.op, EditOp::Update);
        assert_eq!(upd.hunks.len(), 2);
        assert_eq!(upd.hunks[0].old, vec!["    let a = 1;"]);
        assert_eq!(upd.hunks[0].new, vec!["    let a = 2;", "    let b = 3;"]);
        assert_eq!(upd.hunks[1].old, vec!["    old_tail();"]);
        assert!(upd.hunks[1].new.is_empty());
        assert!(upd.hunks.iter().all(|h| h.old_start.is_none()));
        assert_eq!((upd.lines_added(), upd.lines_removed()), (2, 2));

        let del = calls[2].edit.as_ref().expect("delete");
        assert_eq!((del.path.as_str(), &del.op), ("old.txt", &EditOp::Delete));
        assert!(del.hunks.is_empty());

        let mv = calls[3].edit.as_ref().expect("move");
        assert_eq!(mv.path, "src/a.rs");
        assert_eq!(
            mv.op,
            EditOp::Move {
                to: "src/b.rs".into()
            }
        );
        assert_eq!(mv.hunks[0].old, vec!["fn a() {}"]);
        assert_eq!(mv.hunks[0].new, vec!["fn b() {}"]);
        assert_eq!(calls[3].paths, vec!["src/a.rs", "src/b.rs"]);

        // Input and output bytes are counted once for the whole patch.
        assert!(calls[0].input_bytes > 0 && calls[0].output_bytes > 0);
        assert!(
            calls[1..4]
                .iter()
                .all(|c| c.input_bytes == 0 && c.output_bytes == 0)
        );
        assert!(calls[..4].iter().all(|c| !c.is_error));

        // Shell heredoc `apply_patch <<'EOF'`.
        let heredoc = calls[4].edit.as_ref().expect("heredoc edit");
        assert_eq!(calls[4].name, "shell");
        assert_eq!(heredoc.path, "README.md");
        assert_eq!(heredoc.hunks[0].new, vec!["Second line."]);

        // A patch whose output reports a failure has no edit.
        assert!(calls[5].is_error);
        assert!(calls[5].edit.is_none());
        assert_eq!(calls[5].paths, vec!["src/missing.rs"]);

        // ["apply_patch", PATCH] as a shell argv.
        assert_eq!(calls[6].edit.as_ref().expect("argv").path, "notes.txt");
        assert!(!calls[6].is_error);
    }

    #[test]
    fn torn_last_line_invalid_json_and_unknown_types_are_counted_skips() {
        let mut data = std::fs::read(testdata("skips.jsonl")).expect("read");
        // A torn last line: the agent was still writing it.
        data.extend_from_slice(
            br#"{"timestamp":"2026-03-01T10:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_"#,
        );
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_bytes("skips.jsonl", data.clone(), depth);
            let s = one(&log);
            let by = &log.skipped.by_reason;
            assert_eq!(by.get(skip::INVALID_JSON), Some(&1), "{depth:?} {by:?}");
            assert_eq!(by.get(skip::TRUNCATED), Some(&1), "{depth:?} {by:?}");
            assert_eq!(by.get(skip::UNKNOWN_RECORD), Some(&1), "{depth:?} {by:?}");
            assert_eq!(by.get(skip::NOT_OBJECT), Some(&1), "{depth:?} {by:?}");
            assert_eq!(by.get(skip::NOT_UTF8), Some(&1), "{depth:?} {by:?}");
            assert_eq!(log.skipped.total(), 5);
            assert_eq!(s.skipped, log.skipped);
            // The good lines around them still count.
            assert_eq!(totals(s), (90, 9, 10, 0));
        }
    }

    #[test]
    fn null_info_and_known_but_unread_records_are_not_skips() {
        let data = concat!(
            r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"primary":null}}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:01.000Z","type":"compacted","payload":{"message":"summary"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"response_item","payload":{"type":"ghost_snapshot","ghost_commit":{"id":"abc"}}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:03.000Z","type":"event_msg","payload":{"type":"brand_new_event","info":"a string"}}"#,
            "\n"
        );
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_str(data, depth);
            assert_eq!(log.skipped.total(), 0, "{depth:?}");
            let s = one(&log);
            assert!(s.steps.is_empty());
            assert_eq!(s.id, "t");
            assert!(s.started_at.is_some() && s.ended_at > s.started_at);
        }
    }

    #[test]
    fn session_id_falls_back_to_the_rollout_name_then_the_stem() {
        assert_eq!(
            id_from_path(Path::new(
                "/x/sessions/2025/09/19/rollout-2025-09-19T09-02-12-01996135-afde-7911-97f0-d863511eca56.jsonl"
            )),
            "01996135-afde-7911-97f0-d863511eca56"
        );
        assert_eq!(
            id_from_path(Path::new("/x/session-alpha.jsonl")),
            "session-alpha"
        );
        assert_eq!(
            id_from_path(Path::new("/x/rollout-short.jsonl")),
            "rollout-short"
        );
    }

    #[test]
    fn shell_commands_are_classified() {
        let c = |script: &str| -> (ToolKind, Vec<String>) {
            let calls = shell_call("shell", "c", Cmd::Script(script.to_owned()), 0);
            (calls[0].kind, calls[0].paths.clone())
        };
        let argv = |v: &[&str]| -> ToolCall {
            let v = v.iter().map(|s| (*s).to_owned()).collect();
            shell_call("shell", "c", Cmd::Argv(v), 0).remove(0)
        };
        assert_eq!(
            c("sed -n '1,160p' README.md"),
            (ToolKind::Read, vec!["README.md".into()])
        );
        assert_eq!(
            c("cat src/a.rs src/b.rs"),
            (ToolKind::Read, vec!["src/a.rs".into(), "src/b.rs".into()])
        );
        assert_eq!(
            c("head -n 50 Cargo.toml"),
            (ToolKind::Read, vec!["Cargo.toml".into()])
        );
        assert_eq!(
            c("cat -n src/x.rs"),
            (ToolKind::Read, vec!["src/x.rs".into()])
        );
        assert_eq!(
            c("nl -ba src/main.rs | sed -n '10,40p'"),
            (ToolKind::Read, vec!["src/main.rs".into()])
        );
        assert_eq!(
            c("rg -n \"fn main\" src"),
            (ToolKind::Search, vec!["src".into()])
        );
        assert_eq!(c("grep -rn TODO ."), (ToolKind::Search, vec![".".into()]));
        assert_eq!(c("rg --files -g '*.rs'"), (ToolKind::List, vec![]));
        assert_eq!(c("ls -la docs"), (ToolKind::List, vec!["docs".into()]));
        assert_eq!(
            c("find src -name '*.rs'"),
            (ToolKind::List, vec!["src".into()])
        );
        assert_eq!(c("sed -i 's/a/b/' x.txt").0, ToolKind::Shell);
        assert_eq!(
            c("cat .python-version || true && echo '---'").0,
            ToolKind::Shell
        );
        assert_eq!(c("cat $(git ls-files)").0, ToolKind::Shell);
        assert_eq!(c("cargo test -q").0, ToolKind::Shell);
        assert_eq!(c("cat a > b").0, ToolKind::Shell);

        let wrapped = argv(&["bash", "-lc", "rg --files -g 'AGENTS.md'"]);
        assert_eq!(wrapped.kind, ToolKind::List);
        assert_eq!(
            wrapped.command.as_deref(),
            Some("rg --files -g 'AGENTS.md'")
        );
        let plain = argv(&["ls", "-la"]);
        assert_eq!(
            (plain.kind, plain.command.as_deref()),
            (ToolKind::List, Some("ls -la"))
        );
    }

    #[test]
    fn function_call_outputs_report_bytes_and_failures() {
        let raw = |s: &str| -> Box<RawValue> { RawValue::from_string(s.to_owned()).expect("raw") };
        let ok = raw(
            r#""{\"output\":\"hi\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.1}}""#,
        );
        let (bytes, err) = measure_output(Some(&ok));
        assert_eq!(
            bytes,
            r#"{"output":"hi\n","metadata":{"exit_code":0,"duration_seconds":0.1}}"#.len() as u64
        );
        assert!(!err);
        // A fake exit code inside the command's own output does not count.
        let fake = raw(r#""{\"output\":\"\\\"exit_code\\\":3\",\"metadata\":{\"exit_code\":0}}""#);
        assert!(!measure_output(Some(&fake)).1);
        let failed = raw(r#""{\"output\":\"boom\",\"metadata\":{\"exit_code\":2}}""#);
        assert!(measure_output(Some(&failed)).1);
        assert!(
            measure_output(Some(&raw(
                r#""Exit code: 1\nWall time: 0.2 seconds\nOutput:\n""#
            )))
            .1
        );
        assert!(!measure_output(Some(&raw(r#""Exit code: 0\nOutput:\nok""#))).1);
        assert!(
            measure_output(Some(&raw(
                r#""Chunk ID: 1\nProcess exited with code 127\n""#
            )))
            .1
        );
        assert!(measure_output(Some(&raw(r#""patch rejected: empty patch""#))).1);
        assert!(!measure_output(Some(&raw(r#""Plan updated""#))).1);
        assert_eq!(
            measure_output(Some(&raw(r#"[{"type":"input_text","text":"abc"}]"#))).0,
            3
        );
        assert_eq!(json_string_len(br#""\u00e9\ud83d\ude00""#), 6);
    }

    #[test]
    fn shell_heredoc_writes_and_commit_lines_are_read() {
        let mut calls = function_call(
            "shell",
            r#"{"command":["bash","-lc","cat > pkg/a.go <<'EOF'\npackage pkg\n\nfunc A() {}\nEOF\ngit add -A && git commit -m 'Add A'"]}"#,
            "call_1",
        );
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].shell_writes.len(), 1);
        assert_eq!(calls[0].shell_writes[0].path, "pkg/a.go");
        assert_eq!(
            calls[0].shell_writes[0].hunks[0].new,
            vec!["package pkg", "", "func A() {}"]
        );
        let out = RawValue::from_string(
            r#""{\"output\":\"[main 1a2b3c4] Add A\\n 1 file changed\\n\",\"metadata\":{\"exit_code\":0}}""#
                .to_owned(),
        )
        .expect("raw");
        let text = output_text(Some(&out));
        assert!(text.starts_with("[main 1a2b3c4] Add A"), "{text}");
        calls[0].commits = super::super::shell_writes::commits_in_output(&text);
        assert_eq!(calls[0].commits[0].sha, "1a2b3c4");
    }

    #[test]
    fn head_reads_codex_lines_and_tolerates_spaces() {
        let h = head(br#"{"timestamp":"2026-01-02T16:39:45.349Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[]}}"#)
            .expect("head");
        assert_eq!(
            (h.timestamp, h.kind, h.payload_type, h.role),
            (
                Some("2026-01-02T16:39:45.349Z"),
                "response_item",
                Some("message"),
                Some("assistant")
            )
        );
        let h = head(br#"{"timestamp": "x", "type": "turn_context", "payload": {"cwd": "/r"}}"#)
            .expect("spaced");
        assert_eq!((h.kind, h.payload_type), ("turn_context", None));
        assert!(head(br#"{"payload":{},"type":"event_msg"}"#).is_none());
    }

    #[test]
    fn sniff_tells_codex_from_claude() {
        assert!(sniff(
            br#"{"timestamp":"t","type":"session_meta","payload":{"id":"x"}}"#
        ));
        assert!(!sniff(
            br#"{"type":"user","sessionId":"s","message":{"content":"\"payload\" event_msg"}}"#
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd: &[&[u8]] = &[
            b"{}",
            b"[]",
            b"null",
            b"{\"type\":5,\"payload\":[]}",
            b"{\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":-3}}},\"type\":\"event_msg\"}",
            b"{\"timestamp\":\"not a time\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":\"x\",\"output_tokens\":1e400}}}}",
            b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"function_call\",\"name\":\"shell\",\"arguments\":\"{\\\"command\\\":7}\",\"call_id\":1}}",
            b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"custom_tool_call\",\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\\n*** Update File: \\n@@\\n-\\n*** Move to: \\n\"}}",
            b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"function_call_output\",\"call_id\":\"x\",\"output\":\"\\\\\"}}",
            b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"session_meta\",\"payload\":\"str\"}",
            b"\xff\xfe{\"a\":1}",
            b"{\"timestamp\":\"\\u00e9\",\"type\":\"event_msg\"",
        ];
        for depth in [Depth::Usage, Depth::Full] {
            for line in odd {
                let mut data = line.to_vec();
                data.push(b'\n');
                let _ = parse_bytes("odd.jsonl", data, depth);
            }
        }
        for s in ["", "\\", "'", "\"", "a | ", "| b", "$(", "x\\\n"] {
            let _ = tokenize(s).and_then(|t| classify_tokens(&t));
        }
        assert!(output_says_error(br#""\"exit_code\":-1""#));
        assert_eq!(leading_int(b" 42abc"), Some(42));
        assert_eq!(decode_prefix(br#""a\u00e9\"#, 10), "aé");
        assert!(parse_patch("*** Begin Patch\n*** Move to: x\n+y").is_empty());
    }

    /// A shared real sample's path (callers skip when it is absent; see [`super::super::shared_sample`]).
    fn shared_sample(name: &str) -> PathBuf {
        super::super::shared_sample(&format!("codex/{name}")).unwrap_or_default()
    }

    /// (file, steps, input, output, cache_read, reasoning, tool calls), computed independently with
    /// Python over each file: Σ changes of `total_token_usage` (repeats skipped), input − cached.
    const SAMPLES: &[(&str, usize, u64, u64, u64, u64, usize)] = &[
        ("ccusage-fixture-alpha.jsonl", 2, 2750, 425, 750, 275, 0),
        (
            "codemie-v0.77-exec-shell-ghost-snapshot.jsonl",
            3,
            7626,
            300,
            14848,
            128,
            3,
        ),
        (
            "localpush-v0.104-desktop-exec-heavy-redacted.jsonl",
            28,
            99460,
            14600,
            1651968,
            4293,
            118,
        ),
        (
            "localpush-v0.104-desktop-mcp-redacted.jsonl",
            6,
            59525,
            1123,
            238848,
            483,
            5,
        ),
        (
            "localpush-v0.104-desktop-minimal-redacted.jsonl",
            1,
            31013,
            431,
            3456,
            264,
            1,
        ),
        (
            "vibecodingtracker-v0.39-vscode-shell-update-plan.jsonl",
            19,
            133698,
            12551,
            136832,
            9536,
            18,
        ),
    ];

    #[test]
    fn real_samples_have_pinned_totals_and_no_skips() {
        for &(name, steps, input, output, cache_read, reasoning, calls) in SAMPLES {
            let path = shared_sample(name);
            if !path.exists() {
                eprintln!("skipping {name}: {} not found", path.display());
                continue;
            }
            for depth in [Depth::Usage, Depth::Full] {
                let log = parse_file(&path, depth);
                assert_eq!(
                    log.skipped.total(),
                    0,
                    "{name} {depth:?}: {:?}",
                    log.skipped
                );
                let s = one(&log);
                assert_eq!(s.steps.len(), steps, "{name} {depth:?}");
                assert_eq!(
                    totals(s),
                    (input, output, cache_read, reasoning),
                    "{name} {depth:?}"
                );
                assert!(s.steps.iter().all(|st| !st.model_inferred), "{name}");
                let n = s.tool_calls().count();
                assert_eq!(
                    n,
                    if depth == Depth::Full { calls } else { 0 },
                    "{name} {depth:?}"
                );
            }
        }
    }

    #[test]
    fn real_sample_details() {
        let path = shared_sample("codemie-v0.77-exec-shell-ghost-snapshot.jsonl");
        if !path.exists() {
            return;
        }
        let log = parse_file(&path, Depth::Full);
        let s = one(&log);
        assert_eq!(s.id, "019b7f94-51b4-7593-922e-ba12b5b73b52");
        assert_eq!(
            s.steps[0].model.as_deref(),
            Some("gpt-5-1-codex-2025-11-13")
        );
        let calls: Vec<&ToolCall> = s.tool_calls().collect();
        assert_eq!(calls[0].kind, ToolKind::List);
        assert_eq!(calls[0].command.as_deref(), Some("ls"));
        assert_eq!(calls[1].kind, ToolKind::List);
        assert_eq!(calls[2].kind, ToolKind::Read);
        assert_eq!(calls[2].paths, vec!["README.md"]);
        assert!(calls.iter().all(|c| c.output_bytes > 0 && !c.is_error));

        let path = shared_sample("vibecodingtracker-v0.39-vscode-shell-update-plan.jsonl");
        let log = parse_file(&path, Depth::Full);
        let s = one(&log);
        let edits: Vec<&ToolCall> = s
            .tool_calls()
            .filter(|c| c.kind == ToolKind::Edit)
            .collect();
        // Four `applypatch << 'PATCH'` heredocs; the empty one was rejected.
        assert_eq!(edits.len(), 5);
        let applied: Vec<&str> = edits
            .iter()
            .filter_map(|c| c.edit.as_ref())
            .map(|e| e.path.as_str())
            .collect();
        assert_eq!(
            applied,
            vec![
                "go.mod",
                "README.zh-TW.md",
                "README.zh-CN.md",
                ".python-version"
            ]
        );
        assert_eq!(edits.iter().filter(|c| c.is_error).count(), 1);
        assert_eq!(
            s.tool_calls().filter(|c| c.name == "update_plan").count(),
            4
        );

        let path = shared_sample("ccusage-fixture-alpha.jsonl");
        let log = parse_file(&path, Depth::Usage);
        let s = one(&log);
        assert_eq!(s.id, "ccusage-fixture-alpha");
        assert_eq!(s.steps[1].model.as_deref(), Some("gpt-5.3-codex"));
    }

    #[test]
    fn usage_and_full_depth_agree_on_every_test_log() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/codex");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("testdata") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            let usage = parse_file(&path, Depth::Usage);
            let full = parse_file(&path, Depth::Full);
            let strip = |mut s: Session| {
                for st in &mut s.steps {
                    st.tool_calls.clear();
                }
                s
            };
            let u: Vec<Session> = usage.sessions.into_iter().map(strip).collect();
            let f: Vec<Session> = full.sessions.into_iter().map(strip).collect();
            assert_eq!(u, f, "{}", path.display());
            assert_eq!(usage.skipped, full.skipped, "{}", path.display());
            seen += 1;
        }
        assert!(seen >= 5);
    }

    #[test]
    fn a_counter_dipping_by_one_is_not_a_reset() {
        // 100 events whose cached count dips by one every other time (a Codex rounding quirk): the real
        // spend is the final total, not 51 restarts from zero.
        let mut lines = vec![
            r#"{"timestamp":"2026-05-01T10:00:00Z","type":"turn_context","payload":{"model":"gpt-5-codex"}}"#
                .to_owned(),
        ];
        let (mut input, mut cached, mut output) = (0u64, 0u64, 0u64);
        for i in 0..100 {
            input += 1000;
            output += 10;
            cached = if i % 2 == 1 { cached - 1 } else { cached + 501 };
            lines.push(format!(
                r#"{{"timestamp":"2026-05-01T10:{:02}:{:02}Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{input},"cached_input_tokens":{cached},"output_tokens":{output},"reasoning_output_tokens":0}}}}}}}}"#,
                i / 60,
                i % 60
            ));
        }
        let data = lines.join("\n") + "\n";
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_str(&data, depth);
            let s = one(&log);
            let (u, _) = s.usage();
            assert_eq!(u.input + u.cache_read, input, "input counted once");
            assert_eq!(u.output, output);
            // The running cached count keeps its highest value (the last rise), never restarts.
            assert_eq!(u.cache_read, 50 * 501 - 49);
            assert!(
                s.notes
                    .iter()
                    .any(|n| n.contains("50 token count(s) dipped")),
                "{:?}",
                s.notes
            );
        }
    }

    #[test]
    fn a_drop_of_the_total_is_still_a_reset() {
        let data = concat!(
            r#"{"timestamp":"2026-05-01T10:00:00Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":100}}}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T10:00:01Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":300,"cached_input_tokens":0,"output_tokens":20}}}}"#,
            "\n",
        );
        let (u, _) = one(&parse_str(data, Depth::Usage)).usage();
        assert_eq!((u.input, u.output), (1300, 120));
    }

    #[test]
    fn token_sums_saturate_instead_of_wrapping() {
        let max = u64::MAX;
        let data = format!(
            "{}\n{}\n",
            format_args!(
                r#"{{"timestamp":"2026-05-01T10:00:00Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{max},"cached_input_tokens":0,"output_tokens":{max}}}}}}}}}"#
            ),
            r#"{"timestamp":"2026-05-01T10:00:01Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":5,"cached_input_tokens":0,"output_tokens":5}}}}"#,
        );
        let (u, _) = one(&parse_str(&data, Depth::Usage)).usage();
        assert_eq!((u.input, u.output), (max, max));
        assert_eq!(u.total(), max);
    }

    #[test]
    fn rollout_names_with_multibyte_characters_do_not_panic() {
        for name in [
            "rollout-€€€€€€€€€€€€x.jsonl",
            "rollout-ééééééééééééééééééé.jsonl.zst",
            "rollout-\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}x.jsonl",
        ] {
            let log = parse_bytes(name, b"{}\n".to_vec(), Depth::Usage);
            assert!(log.sessions.is_empty());
            let _ = id_from_path(Path::new(name));
        }
        assert_eq!(
            id_from_path(Path::new(
                "rollout-2026-07-02T09-00-00-0199b1c2-d3e4-7f50-8a6b-7c8d9e0f1a2b.jsonl.zst"
            )),
            "0199b1c2-d3e4-7f50-8a6b-7c8d9e0f1a2b"
        );
    }

    #[test]
    fn new_record_types_are_known_and_paginated_items_carry_tool_calls() {
        let path =
            testdata("rollout-2026-07-02T09-00-00-0199b1c2-d3e4-7f50-8a6b-7c8d9e0f1a2b.jsonl");
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_file(&path, depth);
            // Only the made-up 2027 record is unknown.
            assert_eq!(log.skipped.total(), 1, "{:?}", log.skipped);
            assert_eq!(log.skipped.by_reason.get(skip::UNKNOWN_RECORD), Some(&1));
            let s = one(&log);
            assert_eq!(s.steps.len(), 2);
            let (u, _) = s.usage();
            assert_eq!((u.input, u.cache_read, u.output), (5000, 15000, 900));
        }
        let log = parse_file(&path, Depth::Full);
        let calls: Vec<&ToolCall> = one(&log).tool_calls().collect();
        assert_eq!(calls.len(), 3, "command, patch (once), diff-only change");
        assert_eq!(calls[0].kind, ToolKind::Read);
        assert_eq!(calls[0].paths, vec!["src/lib.rs"]);
        assert_eq!(calls[0].output_bytes, 15);
        let created = calls[1].edit.as_ref().expect("edit");
        assert_eq!(created.op, EditOp::Create);
        assert_eq!(created.hunks[0].new.len(), 3);
        let updated = calls[2].edit.as_ref().expect("edit");
        assert_eq!(updated.path, "/home/dev/src/shop/src/lib.rs");
        assert_eq!(updated.op, EditOp::Update);
        assert_eq!(updated.hunks[0].old_start, Some(2));
        assert_eq!(updated.hunks[0].new, vec!["pub use cache::Cache;"]);
        assert!(updated.hunks[0].old.is_empty());
    }

    #[test]
    fn a_failed_paginated_file_change_keeps_no_edit() {
        let data = concat!(
            r#"{"timestamp":"2026-05-01T10:00:00Z","type":"event_msg","payload":{"type":"item_completed","item":{"type":"FileChange","id":"c1","changes":{"a.rs":{"type":"add","content":"x\n"}},"status":"failed"}}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T10:00:01Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":1}}}}"#,
            "\n",
        );
        let log = parse_str(data, Depth::Full);
        let call = one(&log).tool_calls().next().expect("call");
        assert!(call.is_error && call.edit.is_none());
    }
}
