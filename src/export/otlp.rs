//! `--format otlp-json`: the export as OpenTelemetry **spans** in the OTLP JSON encoding (one
//! `ExportTraceServiceRequest` per line, as the collector's file exporter writes them and its
//! `otlpjsonfile` receiver reads them).
//!
//! Spans, not log records: a session has a start and an end and its steps nest inside it, which is a
//! span tree; the GenAI semantic conventions define their usage attributes on spans (the
//! `invoke_agent` agent span, `chat` inference spans), while their log events exist to carry message
//! content, which an export never holds. Trace and span ids are derived from the session's `key`, so a
//! second export of the same session produces the same ids (stores that key spans by id keep one).
//!
//! Attribute names follow the GenAI conventions (`gen_ai.*`) and the VCS ones (`vcs.*`) where they
//! exist; everything else is `agent_audit.*`. `gen_ai.usage.input_tokens` is the convention's: it
//! INCLUDES cached tokens (reads and writes), unlike agent-audit's own `tokens.input`.

use serde_json::{Value, json};

use super::{EXPORT_SCHEMA, ExportOptions, Item};
use crate::metrics::Tokens;

/// How many sessions one request holds (with their steps): small enough for a collector's default
/// request size limits.
pub const SESSIONS_PER_REQUEST: usize = 200;

/// An OTLP `AnyValue`.
fn s(v: &str) -> Value {
    json!({ "stringValue": v })
}
fn i(v: u64) -> Value {
    // int64 is a decimal string in the OTLP JSON encoding (the protobuf JSON mapping).
    json!({ "intValue": v.to_string() })
}
fn d(v: f64) -> Value {
    json!({ "doubleValue": v })
}
fn b(v: bool) -> Value {
    json!({ "boolValue": v })
}
fn arr<'a>(vs: impl IntoIterator<Item = &'a str>) -> Value {
    json!({ "arrayValue": { "values": vs.into_iter().map(s).collect::<Vec<_>>() } })
}

/// Key/value list builder.
#[derive(Default)]
struct Attrs(Vec<Value>);

impl Attrs {
    fn put(&mut self, key: &str, value: Value) {
        self.0.push(json!({ "key": key, "value": value }));
    }
    fn opt(&mut self, key: &str, value: Option<Value>) {
        if let Some(v) = value {
            self.put(key, v);
        }
    }
}

fn nanos(t: jiff::Timestamp) -> String {
    t.as_nanosecond().max(0).to_string()
}

/// The GenAI usage attributes of `tokens`; `input_tokens` includes cache reads and writes.
fn usage(a: &mut Attrs, t: &Tokens) {
    a.put(
        "gen_ai.usage.input_tokens",
        i(t.input + t.cache_read + t.cache_write),
    );
    a.put("gen_ai.usage.output_tokens", i(t.output));
    a.put("gen_ai.usage.cache_read.input_tokens", i(t.cache_read));
    a.put("gen_ai.usage.cache_creation.input_tokens", i(t.cache_write));
    a.put("gen_ai.usage.reasoning.output_tokens", i(t.reasoning));
}

/// The trace id (32 hex digits) of a session: its key.
pub fn trace_id(key: &str) -> String {
    key.to_owned()
}

/// The span id (16 hex digits) of a session (`index` 0) or of its step `index`.
pub fn span_id(key: &str, index: usize) -> String {
    super::hash::hex(
        &super::hash::sha256_parts(&["span", key, &index.to_string()]),
        8,
    )
}

/// The spans of one session: the session's `invoke_agent` span, then (with `--steps`) a `chat` span per
/// step, its child.
pub fn spans(item: &Item<'_>, opts: &ExportOptions) -> Vec<Value> {
    let r = item.report;
    let paths = opts.include_paths;
    let key = item.key(&opts.machine);
    let provider = item.provider();
    let start = r.started_at.unwrap_or(opts.exported_at);
    let end = r.ended_at.unwrap_or(start);
    let mut a = Attrs::default();
    a.put("gen_ai.operation.name", s("invoke_agent"));
    a.put("gen_ai.conversation.id", s(&r.id));
    a.put("gen_ai.agent.name", s(r.agent.as_str()));
    a.put("gen_ai.provider.name", s(provider));
    if let [one] = r.models.as_slice() {
        a.put("gen_ai.request.model", s(one));
    }
    usage(&mut a, &r.tokens);
    if let Some(repo) = item.repo {
        a.opt(
            "vcs.repository.url.full",
            repo.url.as_deref().filter(|_| paths).map(s),
        );
        a.opt(
            "vcs.ref.head.revision",
            repo.head_revision.as_deref().map(s),
        );
        a.opt("vcs.ref.base.name", repo.base.as_deref().map(s));
    }
    a.opt("vcs.ref.head.name", r.branch.as_deref().map(s));
    a.opt(
        "vcs.change.id",
        r.pull_requests.last().map(|p| s(&p.number.to_string())),
    );
    a.put("agent_audit.schema", s(EXPORT_SCHEMA));
    a.put("agent_audit.key", s(&key));
    a.put("agent_audit.machine", s(&opts.machine));
    a.put("agent_audit.exported_at", s(&opts.exported_at.to_string()));
    a.put(
        "agent_audit.models",
        arr(r.models.iter().map(String::as_str)),
    );
    a.put("agent_audit.steps", i(r.steps));
    a.put("agent_audit.tool_calls", i(r.tool_calls));
    a.put("agent_audit.failed_tool_calls", i(r.failed_tool_calls));
    a.put("agent_audit.tokens.input", i(r.tokens.input));
    a.opt("agent_audit.cost_usd", r.cost_usd.map(d));
    a.put("agent_audit.priced_usd", d(r.priced_usd));
    a.put(
        "agent_audit.unpriced_models",
        arr(r.unpriced_models.iter().map(String::as_str)),
    );
    let prices = item.session_prices(paths);
    a.put("agent_audit.prices.version", s(&prices.version));
    a.opt("agent_audit.prices.as_of", prices.as_of.as_deref().map(s));
    a.put(
        "agent_audit.prices.sources",
        arr(prices.sources.iter().map(String::as_str)),
    );
    if let Some(repo) = item.repo {
        a.put("agent_audit.repository.id", s(&repo.id));
        a.put(
            "agent_audit.repository.root",
            s(&super::path_value(&repo.root, paths)),
        );
    }
    a.opt(
        "agent_audit.cwd",
        r.cwd.as_deref().map(|c| s(&super::path_value(c, paths))),
    );
    if let Some(o) = &r.outcome {
        a.put("agent_audit.lines.added", i(o.lines_added));
        a.put("agent_audit.lines.committed", i(o.lines_committed));
        a.put("agent_audit.lines.merged", i(o.lines_merged));
        a.put("agent_audit.lines.in_head", i(o.lines_in_head));
        a.put("agent_audit.lines.live", i(o.lines_live));
        a.put("agent_audit.merged", b(o.merged));
        a.opt("agent_audit.route", o.merged_via.map(|m| s(m.as_str())));
        a.put(
            "agent_audit.commits",
            arr(o.commits.iter().map(String::as_str)),
        );
    }
    a.opt(
        "agent_audit.cost_per_merged_line",
        r.metrics.cost_per_merged_line.map(d),
    );
    a.opt(
        "agent_audit.retry_cost_usd",
        r.retries.retry_cost_usd.map(d),
    );
    a.put("agent_audit.savings_usd", d(r.premium.savings_usd));
    a.put("agent_audit.verdict", s(r.verdict.as_str()));
    a.put(
        "agent_audit.flags",
        arr(r.flags.iter().map(|f| f.code.as_str())),
    );
    let session_span = span_id(&key, 0);
    let mut out = vec![json!({
        "traceId": trace_id(&key),
        "spanId": session_span,
        "name": format!("invoke_agent {}", r.agent.as_str()),
        "kind": 1,
        "startTimeUnixNano": nanos(start),
        "endTimeUnixNano": nanos(end.max(start)),
        "attributes": a.0,
    })];
    if opts.steps {
        for st in &r.step_rows {
            let mut a = Attrs::default();
            a.put("gen_ai.operation.name", s("chat"));
            a.put("gen_ai.conversation.id", s(&r.id));
            a.put("gen_ai.agent.name", s(r.agent.as_str()));
            a.put("gen_ai.provider.name", s(provider));
            a.opt("gen_ai.request.model", st.model.as_deref().map(s));
            if let Some(t) = &st.tokens {
                usage(&mut a, t);
            }
            a.put("agent_audit.key", s(&super::step_key(&key, st.index)));
            a.put("agent_audit.step.index", i(st.index as u64));
            a.put("agent_audit.tier", s(st.tier.as_str()));
            a.opt("agent_audit.cost_usd", st.cost_usd.map(d));
            a.put("agent_audit.tool_calls", i(st.calls.len() as u64));
            a.put("agent_audit.step.error", b(st.error));
            a.put("agent_audit.step.retry", b(st.retry));
            a.put("agent_audit.step.simple", b(st.simple));
            a.opt("agent_audit.economy_cost_usd", st.economy_cost_usd.map(d));
            let name = match &st.model {
                Some(m) => format!("chat {m}"),
                None => "chat".to_owned(),
            };
            out.push(json!({
                "traceId": trace_id(&key),
                "spanId": span_id(&key, st.index),
                "parentSpanId": session_span,
                "name": name,
                "kind": 3,
                "startTimeUnixNano": nanos(st.at),
                "endTimeUnixNano": nanos(st.at),
                "attributes": a.0,
            }));
        }
    }
    out
}

/// One `ExportTraceServiceRequest` holding `items`' spans.
pub fn request(items: &[Item<'_>], opts: &ExportOptions) -> Value {
    let spans: Vec<Value> = items.iter().flat_map(|it| spans(it, opts)).collect();
    let mut res = Attrs::default();
    res.put("service.name", s("agent-audit"));
    res.put("service.version", s(env!("CARGO_PKG_VERSION")));
    res.put("agent_audit.machine", s(&opts.machine));
    json!({
        "resourceSpans": [{
            "resource": { "attributes": res.0 },
            "scopeSpans": [{
                "scope": { "name": "agent-audit", "version": env!("CARGO_PKG_VERSION") },
                "spans": spans,
            }],
        }],
    })
}

/// The requests for `items`, [`SESSIONS_PER_REQUEST`] sessions each, one JSON document per string.
pub fn requests(items: &[Item<'_>], opts: &ExportOptions) -> Vec<String> {
    items
        .chunks(SESSIONS_PER_REQUEST)
        .map(|chunk| {
            let mut r = request(chunk, opts);
            crate::report::json::tidy(&mut r);
            serde_json::to_string(&r).unwrap_or_default()
        })
        .collect()
}

/// Writes the requests, one per line.
pub fn write(
    items: &[Item<'_>],
    opts: &ExportOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for r in requests(items, opts) {
        out.write_all(r.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
