#!/usr/bin/env python3
"""The Python half of scripts/check-export.sh.

  check_export.py README.md REVIEW.json EXPORTS_DIR OTLP_DIR      (run in the folder holding EXPORTS_DIR)

- Takes the team queries from the README's ```sql blocks (first line `-- duckdb: NAME` or `-- clickhouse: NAME`).
- DuckDB and ClickHouse (chDB): runs `load` twice (the same files loaded twice must not double count), then
  `sessions`, then the two team queries, and asserts each row equals `review --from`'s JSON (REVIEW.json):
  repository, week, sessions and merged lines exactly, costs to 1e-9.
- OTLP: every line of every file in OTLP_DIR is parsed with opentelemetry-proto's ExportTraceServiceRequest
  (ParseDict, unknown fields refused), trace/span ids have 16/8 bytes, every attribute has the type the README
  gives it, and gen_ai.usage.input_tokens equals the NDJSON record's input + cache_read + cache_write.
"""
import base64, glob, json, math, os, re, sys, tempfile

import chdb
import duckdb
from chdb import session as chs
from google.protobuf.json_format import ParseDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

readme, review_path, exports, otlp_dir = sys.argv[1:5]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg, file=sys.stderr)


def queries(engine):
    text = open(readme, encoding="utf-8").read()
    out = {}
    for block in re.findall(r"```sql\n(.*?)```", text, re.S):
        first = block.split("\n", 1)[0]
        m = re.match(rf"-- {engine}: (.+)", first)
        if m:
            out[m.group(1).strip()] = block
    for need in ("load", "sessions", "cost per merged line per repository per week", "theater spend per machine"):
        if need not in out:
            sys.exit(f"README has no ```sql block starting with `-- {engine}: {need}`")
    return out


def statements(sql):
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", sql) if s.strip() and not all(
        l.strip().startswith("--") or not l.strip() for l in s.strip().splitlines())]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


review = json.load(open(review_path))
want_rw = [(r["repository"], r["week"], r["sessions"], r["cost_usd"], r["lines_merged"], r["cost_per_merged_line"])
           for r in review["by_repository_week"]]
want_m = [(r["machine"], r["sessions"], r["cost_usd"], r["theater_sessions"], r["theater_cost_usd"])
          for r in review["by_machine"]]
if not want_rw or not want_m:
    sys.exit(f"review --from found nothing to compare: {review}")
if review["duplicates"] != 0:
    fail(f"review --from saw duplicates in files exported once: {review['duplicates']}")


def compare(engine, name, got, want, exact):
    got = [tuple(r) for r in got]
    if len(got) != len(want):
        fail(f"{engine} `{name}`: {len(got)} rows, review --from has {len(want)}:\n  {got}\n  {want}")
        return
    for g, w in zip(got, want):
        for i, (x, y) in enumerate(zip(g, w)):
            ok = (x == y) if i in exact else close(x, y)
            if not ok:
                fail(f"{engine} `{name}`: row {g} differs from review --from {w} (column {i})")
                break
    print(f"ok: {engine} `{name}`: {len(got)} rows equal review --from")


# DuckDB: load twice, then the team queries.
q = queries("duckdb")
con = duckdb.connect()
for _ in range(2):
    for st in statements(q["load"]):
        con.execute(st)
raw = con.execute("SELECT count(*) FROM agent_audit_raw").fetchone()[0]
for st in statements(q["sessions"]):
    con.execute(st)
n = con.execute("SELECT count(*) FROM agent_sessions").fetchone()[0]
print(f"duckdb: {raw} raw lines (files loaded twice), {n} unique sessions")
if n != review["totals"]["sessions"]:
    fail(f"duckdb has {n} unique sessions, review --from {review['totals']['sessions']}")
compare("duckdb", "cost per merged line per repository per week",
        con.execute(q["cost per merged line per repository per week"]).fetchall(), want_rw, {0, 1, 2, 4})
compare("duckdb", "theater spend per machine",
        con.execute(q["theater spend per machine"]).fetchall(), want_m, {0, 1, 3})


# ClickHouse (chDB): the same.
def ch_rows(s, sql):
    res = s.query(sql.strip().rstrip(";"), "JSONCompact")
    data = json.loads(str(res) or '{"data": []}')["data"]
    # UInt64 comes as strings in JSONCompact (output_format_json_quote_64bit_integers): numbers back.
    return [[int(v) if isinstance(v, str) and re.fullmatch(r"\d+", v) and i not in (0, 1) else v
             for i, v in enumerate(row)] for row in data]


q = queries("clickhouse")
with tempfile.TemporaryDirectory() as path:
    s = chs.Session(path)
    for _ in range(2):
        for st in statements(q["load"]):
            s.query(st)
    raw = ch_rows(s, "SELECT count() FROM agent_audit_raw")[0][0]
    for st in statements(q["sessions"]):
        s.query(st)
    n = int(ch_rows(s, "SELECT count() FROM agent_sessions")[0][0])
    print(f"clickhouse: {raw} raw lines (files loaded twice), {n} unique sessions")
    if n != review["totals"]["sessions"]:
        fail(f"clickhouse has {n} unique sessions, review --from {review['totals']['sessions']}")
    compare("clickhouse", "cost per merged line per repository per week",
            ch_rows(s, q["cost per merged line per repository per week"]), want_rw, {0, 1, 2, 4})
    compare("clickhouse", "theater spend per machine",
            ch_rows(s, q["theater spend per machine"]), want_m, {0, 1, 3})
    s.close()

# OTLP JSON against the protobuf definitions.
STRING, INT, DOUBLE, BOOL, ARRAY = "string_value", "int_value", "double_value", "bool_value", "array_value"
TYPES = {
    "gen_ai.operation.name": STRING, "gen_ai.conversation.id": STRING, "gen_ai.agent.name": STRING,
    "gen_ai.provider.name": STRING, "gen_ai.request.model": STRING,
    "gen_ai.usage.input_tokens": INT, "gen_ai.usage.output_tokens": INT,
    "gen_ai.usage.cache_read.input_tokens": INT, "gen_ai.usage.cache_creation.input_tokens": INT,
    "gen_ai.usage.reasoning.output_tokens": INT,
    "vcs.repository.url.full": STRING, "vcs.ref.head.name": STRING, "vcs.ref.head.revision": STRING,
    "vcs.ref.base.name": STRING, "vcs.change.id": STRING,
    "agent_audit.schema": STRING, "agent_audit.key": STRING, "agent_audit.machine": STRING,
    "agent_audit.exported_at": STRING, "agent_audit.models": ARRAY, "agent_audit.steps": INT,
    "agent_audit.tool_calls": INT, "agent_audit.failed_tool_calls": INT, "agent_audit.tokens.input": INT,
    "agent_audit.cost_usd": DOUBLE, "agent_audit.priced_usd": DOUBLE, "agent_audit.unpriced_models": ARRAY,
    "agent_audit.prices.version": STRING, "agent_audit.prices.as_of": STRING, "agent_audit.prices.sources": ARRAY,
    "agent_audit.repository.id": STRING, "agent_audit.repository.root": STRING, "agent_audit.cwd": STRING,
    "agent_audit.lines.added": INT, "agent_audit.lines.committed": INT, "agent_audit.lines.merged": INT,
    "agent_audit.lines.in_head": INT, "agent_audit.lines.live": INT, "agent_audit.merged": BOOL,
    "agent_audit.route": STRING, "agent_audit.commits": ARRAY, "agent_audit.cost_per_merged_line": DOUBLE,
    "agent_audit.retry_cost_usd": DOUBLE, "agent_audit.savings_usd": DOUBLE, "agent_audit.verdict": STRING,
    "agent_audit.flags": ARRAY, "agent_audit.step.index": INT, "agent_audit.tier": STRING,
    "agent_audit.step.error": BOOL, "agent_audit.step.retry": BOOL, "agent_audit.step.simple": BOOL,
    "agent_audit.economy_cost_usd": DOUBLE,
    "service.name": STRING, "service.version": STRING,
}
records = {}
for f in glob.glob(os.path.join(exports, "*.ndjson")):
    for line in open(f, encoding="utf-8"):
        r = json.loads(line)
        if r["record"] == "session":
            records[r["key"]] = r


def hex_to_b64(doc):
    # OTLP JSON writes trace and span ids as hex; the protobuf JSON mapping reads bytes as base64.
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for sp in ss.get("spans", []):
                for k in ("traceId", "spanId", "parentSpanId"):
                    if k in sp:
                        if not re.fullmatch(r"[0-9a-f]+", sp[k]):
                            fail(f"{k} {sp[k]!r} is not lower-case hex")
                        sp[k] = base64.b64encode(bytes.fromhex(sp[k])).decode()
    return doc


def check_attrs(where, attrs):
    for kv in attrs:
        kind = kv.value.WhichOneof("value")
        want = TYPES.get(kv.key)
        if want is None:
            fail(f"{where}: attribute {kv.key} is not in the README's list")
        elif kind != want:
            fail(f"{where}: {kv.key} is {kind}, expected {want}")
        if kind == ARRAY and any(v.WhichOneof("value") != STRING for v in kv.value.array_value.values):
            fail(f"{where}: {kv.key} holds a non-string")


spans = sessions = 0
for f in sorted(glob.glob(os.path.join(otlp_dir, "*.json"))):
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        where = f"{os.path.basename(f)}:{n}"
        try:
            req = ParseDict(hex_to_b64(json.loads(line)), ExportTraceServiceRequest(), ignore_unknown_fields=False)
        except Exception as e:  # noqa: BLE001 - any parse error is a failure to report
            fail(f"{where}: not an ExportTraceServiceRequest: {e}")
            continue
        for rs in req.resource_spans:
            check_attrs(where + " resource", rs.resource.attributes)
            for ss in rs.scope_spans:
                for sp in ss.spans:
                    spans += 1
                    if len(sp.trace_id) != 16 or len(sp.span_id) != 8:
                        fail(f"{where}: span {sp.name} has ids of {len(sp.trace_id)}/{len(sp.span_id)} bytes")
                    if sp.end_time_unix_nano < sp.start_time_unix_nano or sp.start_time_unix_nano == 0:
                        fail(f"{where}: span {sp.name} has times {sp.start_time_unix_nano}..{sp.end_time_unix_nano}")
                    check_attrs(f"{where} {sp.name}", sp.attributes)
                    if sp.parent_span_id:
                        continue
                    sessions += 1
                    a = {kv.key: kv.value for kv in sp.attributes}
                    rec = records.get(sp.trace_id.hex())
                    if rec is None:
                        fail(f"{where}: span {sp.name} has no NDJSON record with key {sp.trace_id.hex()}")
                        continue
                    t = rec["tokens"]
                    if a["gen_ai.usage.input_tokens"].int_value != t["input"] + t["cache_read"] + t["cache_write"]:
                        fail(f"{where}: gen_ai.usage.input_tokens does not include the cached tokens")
                    if a["agent_audit.priced_usd"].double_value != rec["priced_usd"]:
                        fail(f"{where}: agent_audit.priced_usd differs from the NDJSON record")
if sessions != len(records):
    fail(f"OTLP has {sessions} session spans, the NDJSON {len(records)} sessions")
print(f"ok: OTLP JSON: {spans} spans ({sessions} sessions) accepted by ExportTraceServiceRequest, attribute types right")

if failures:
    sys.exit(f"{len(failures)} failures")
print("check-export: all figures agree")
