//! The session state machine: cumulative token totals into steps, forks' replayed history, responses without token data, and tool calls attached to their steps.

use super::*;

// ---------------------------------------------------------------------------------------------------
// Building the session.

/// Cumulative token counts as Codex reports them (`input` includes `cached`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Totals {
    pub(super) input: u64,
    pub(super) cached: u64,
    pub(super) output: u64,
    pub(super) reasoning: u64,
}

impl Totals {
    pub(super) fn from_payload(t: &TotalsP) -> Totals {
        Totals {
            input: t.input_tokens.0.unwrap_or(0),
            cached: t.cached_input_tokens.0.unwrap_or(0),
            output: t.output_tokens.0.unwrap_or(0),
            reasoning: t.reasoning_output_tokens.0.unwrap_or(0),
        }
    }

    pub(super) fn any_below(&self, o: &Totals) -> bool {
        self.input < o.input
            || self.cached < o.cached
            || self.output < o.output
            || self.reasoning < o.reasoning
    }

    /// The total a reset is judged on: input (cached included) plus output (reasoning included).
    pub(super) fn total(&self) -> u64 {
        self.input.saturating_add(self.output)
    }

    /// Field-wise maximum: the running baseline after a dip that is not a reset.
    pub(super) fn max(&self, o: &Totals) -> Totals {
        Totals {
            input: self.input.max(o.input),
            cached: self.cached.max(o.cached),
            output: self.output.max(o.output),
            reasoning: self.reasoning.max(o.reasoning),
        }
    }

    pub(super) fn minus(&self, o: &Totals) -> Totals {
        Totals {
            input: self.input.saturating_sub(o.input),
            cached: self.cached.saturating_sub(o.cached),
            output: self.output.saturating_sub(o.output),
            reasoning: self.reasoning.saturating_sub(o.reasoning),
        }
    }

    pub(super) fn usage(&self) -> Usage {
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
pub(super) struct Change {
    /// What to count: `None` for a repeated total (or a dip that adds nothing).
    pub(super) counted: Option<Totals>,
    /// The new baseline.
    pub(super) baseline: Totals,
    /// One field went down while the total did not: suspicious, not a reset.
    pub(super) dip: bool,
}

/// The change of the running total: nothing for a repeated total, the whole total after a reset (the
/// total dropped), else the field-wise growth over the baseline.
pub(super) fn delta(prev: Option<&Totals>, now: &Totals) -> Change {
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
pub(super) struct Group {
    pub(super) at: Option<Timestamp>,
    pub(super) model: Option<String>,
    pub(super) tier: ServiceTier,
    pub(super) first_call: usize,
}

/// What a response item is, for grouping items into model responses.
#[derive(PartialEq, Eq)]
pub(super) enum ItemClass {
    Output,
    Input,
    Neutral,
}

pub(super) fn item_class(kind: Option<&str>, role: Option<&str>) -> ItemClass {
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

pub(super) fn tier_of(s: &str) -> ServiceTier {
    match s {
        "priority" | "fast" => ServiceTier::Priority,
        "flex" => ServiceTier::Flex,
        _ => ServiceTier::Standard,
    }
}

pub(super) struct Builder {
    pub(super) depth: Depth,
    pub(super) session: Session,
    pub(super) metas: u32,
    pub(super) first_meta_id: Option<String>,
    pub(super) accepted: u64,
    pub(super) last_time: Option<Timestamp>,
    pub(super) prev_total: Option<Totals>,
    pub(super) model: Option<String>,
    pub(super) tier: ServiceTier,
    // Fork replay.
    pub(super) replaying: bool,
    pub(super) replay_last: Option<Timestamp>,
    pub(super) fork_parent: Option<String>,
    pub(super) replayed_events: u64,
    /// Token totals where one field went down while the total did not.
    pub(super) dips: u64,
    /// Call ids read from paginated `item_completed` items (a `response_item` with one of them is the
    /// same call).
    pub(super) completed_ids: std::collections::HashSet<String>,
    // Steps, responses and tool calls.
    pub(super) step_call_end: Vec<usize>,
    pub(super) groups: Vec<Group>,
    pub(super) in_group: bool,
    pub(super) calls: Vec<ToolCall>,
    pub(super) by_call_id: HashMap<String, (usize, usize)>,
}

impl Builder {
    pub(super) fn new(path: &Path, depth: Depth) -> Builder {
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
    pub(super) fn observe(&mut self, at: Option<Timestamp>) {
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

    pub(super) fn start_replay(&mut self, at: Option<Timestamp>) {
        self.replaying = true;
        self.replay_last = at;
        self.in_group = false;
    }

    pub(super) fn open_group(&mut self, at: Option<Timestamp>) {
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

    pub(super) fn close_group(&mut self) {
        self.in_group = false;
    }

    pub(super) fn classify_item(&mut self, class: ItemClass, at: Option<Timestamp>) {
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
    pub(super) fn light(&mut self, h: &Head<'_>, at: Option<Timestamp>) {
        match h.kind {
            "response_item" => self.classify_item(item_class(h.payload_type, h.role), at),
            "event_msg" if h.payload_type == Some("user_message") => self.close_group(),
            _ => {}
        }
    }

    pub(super) fn record(
        &mut self,
        payload: Payload<'_>,
        at: Option<Timestamp>,
        skipped: &mut Skips,
    ) {
        match payload {
            Payload::Meta(m) => self.meta(m, at),
            Payload::Turn(t) => self.turn(t),
            Payload::Item(i) => self.item(i, at),
            Payload::Event(e) => self.event(e, at, skipped),
            Payload::Other | Payload::Raw(_) => {}
        }
    }

    pub(super) fn meta(&mut self, m: MetaP<'_>, at: Option<Timestamp>) {
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

    pub(super) fn turn(&mut self, t: TurnP<'_>) {
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

    pub(super) fn event(&mut self, e: EventP<'_>, at: Option<Timestamp>, skipped: &mut Skips) {
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
    pub(super) fn completed_item(&mut self, raw: &RawValue) {
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

    pub(super) fn token_count(
        &mut self,
        info: &InfoP<'_>,
        at: Option<Timestamp>,
        skipped: &mut Skips,
    ) {
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

    pub(super) fn item(&mut self, item: ItemP<'_>, at: Option<Timestamp>) {
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

    pub(super) fn join_output(&mut self, call_id: &str, output: Option<&RawValue>) {
        let Some(&(start, len)) = self.by_call_id.get(call_id) else {
            return;
        };
        let (bytes, is_error) = measure_output(output);
        let end = start.saturating_add(len).min(self.calls.len());
        if let Some(first) = self.calls.get_mut(start)
            && first
                .command
                .as_deref()
                .is_some_and(crate::formats::shell_writes::may_commit)
        {
            first.commits = crate::formats::shell_writes::commits_in_output(&output_text(output));
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

    pub(super) fn finish(mut self, skipped: &Skips) -> Vec<Session> {
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
