//! A rollout line's records: the payload shapes read, and the line-head scanner that classifies a line from its first bytes without decoding it.

use super::*;

// ---------------------------------------------------------------------------------------------------
// Records.

#[derive(Deserialize, Default)]
pub(super) struct MetaP<'a> {
    #[serde(borrow, default)]
    pub(super) id: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) cwd: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) forked_from_id: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) git: MapOnly<GitP<'a>>,
}

#[derive(Deserialize, Default)]
pub(super) struct GitP<'a> {
    #[serde(borrow, default)]
    pub(super) branch: LStr<'a>,
}

#[derive(Deserialize, Default)]
pub(super) struct TurnP<'a> {
    #[serde(borrow, default)]
    pub(super) cwd: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) model: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) service_tier: LStr<'a>,
}

#[derive(Deserialize, Default)]
pub(super) struct EventP<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) info: MapOnly<InfoP<'a>>,
    #[serde(borrow, default)]
    pub(super) thread_settings: MapOnly<SettingsP<'a>>,
    /// `item_completed`'s turn item (paginated history), read only at [`Depth::Full`].
    #[serde(borrow, default)]
    pub(super) item: Option<&'a RawValue>,
}

/// A paginated-history turn item (`item_completed`); the fields of the kinds that are tool calls.
#[derive(Deserialize, Default)]
pub(super) struct TurnItemP<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) id: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) status: LStr<'a>,
    /// `CommandExecution`: the argv.
    #[serde(borrow, default)]
    pub(super) command: Option<&'a RawValue>,
    #[serde(rename = "aggregatedOutput", borrow, default)]
    pub(super) aggregated_output: Option<&'a RawValue>,
    #[serde(rename = "exitCode", default)]
    pub(super) exit_code: Option<serde_json::Value>,
    /// `FileChange`: path → `{"type": "add"|"delete"|"update", "content", "unified_diff", "move_path"}`.
    #[serde(borrow, default)]
    pub(super) changes: Option<&'a RawValue>,
    /// `McpToolCall` / `DynamicToolCall`.
    #[serde(borrow, default)]
    pub(super) server: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) tool: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) arguments: Option<&'a RawValue>,
    /// `WebSearch`.
    #[serde(borrow, default)]
    pub(super) query: LStr<'a>,
}

#[derive(Deserialize, Default)]
pub(super) struct ChangeP<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) content: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) unified_diff: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) move_path: LStr<'a>,
}

#[derive(Deserialize, Default)]
pub(super) struct InfoP<'a> {
    #[serde(default)]
    pub(super) total_token_usage: MapOnly<TotalsP>,
    #[serde(borrow, default)]
    pub(super) model: LStr<'a>,
}

#[derive(Deserialize, Default)]
pub(super) struct TotalsP {
    #[serde(default)]
    pub(super) input_tokens: LU64,
    #[serde(default)]
    pub(super) cached_input_tokens: LU64,
    #[serde(default)]
    pub(super) output_tokens: LU64,
    #[serde(default)]
    pub(super) reasoning_output_tokens: LU64,
}

#[derive(Deserialize, Default)]
pub(super) struct SettingsP<'a> {
    #[serde(borrow, default)]
    pub(super) model: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) service_tier: LStr<'a>,
}

#[derive(Deserialize, Default)]
pub(super) struct ItemP<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) role: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) name: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) arguments: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) input: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) call_id: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) id: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) output: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) action: Option<&'a RawValue>,
}

pub(super) enum Payload<'a> {
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
pub(super) struct Record<'a> {
    pub(super) timestamp: Option<Cow<'a, str>>,
    pub(super) kind: Option<Cow<'a, str>>,
    pub(super) payload: Payload<'a>,
}

pub(super) fn payload_from<'de, A: MapAccess<'de>>(
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

pub(super) fn payload_from_raw<'a>(kind: &str, raw: &'a RawValue) -> Payload<'a> {
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
pub(super) struct Head<'a> {
    pub(super) timestamp: Option<&'a str>,
    pub(super) kind: &'a str,
    pub(super) payload_type: Option<&'a str>,
    pub(super) role: Option<&'a str>,
}

impl Head<'_> {
    /// True when [`Depth::Usage`] must read the line in full.
    pub(super) fn needs_parse(&self) -> bool {
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

pub(super) struct Cursor<'a> {
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
pub(super) fn head(line: &[u8]) -> Option<Head<'_>> {
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
