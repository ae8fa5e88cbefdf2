#!/usr/bin/env bash
# End-to-end check of `agent-audit export` and `review --from` against real engines (issue 16).
#
#   scripts/check-export.sh
#
# 1. Installs DuckDB, chDB (ClickHouse in-process) and opentelemetry-proto with pip into a virtualenv
#    (target/check-export-venv). When the package registry cannot be reached it says so and exits 0 (SKIP);
#    any other install failure is a failure.
# 2. Simulates three machines: three demo repositories (`agent-audit demo --keep`) in different folders, the
#    same remote under three spellings (https, scp-like ssh, https with a token), the third a week later and
#    with the testdata logs too (sessions outside any repository); each exports NDJSON (with --steps) and
#    OTLP JSON (with --steps), two with --machine, one with the default hashed machine label.
# 3. Posts one machine's export with --otlp-endpoint to a stand-in collector (scripts/otlp_sink.py: Python's
#    http.server parsing each body with opentelemetry-proto) and checks the path, content type and span count.
# 4. Runs scripts/check_export.py: loads the NDJSON twice into DuckDB and into ClickHouse (chDB), runs the
#    README's team queries (taken from the README's ```sql blocks) and asserts they equal
#    `agent-audit review --from` on the same files; validates every OTLP JSON line with
#    opentelemetry-proto's ExportTraceServiceRequest (ParseDict), and every attribute's type.
#
# Environment: AGENT_AUDIT (binary; default target/debug/agent-audit, built with cargo when missing),
# VENV (default target/check-export-venv), KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
log() { printf '==> %s\n' "$*" >&2; }

bin=${AGENT_AUDIT:-$repo/target/debug/agent-audit}
if [[ ! -x $bin ]]; then
  log "building $bin"
  cargo build --quiet
fi
venv=${VENV:-$repo/target/check-export-venv}
py=$venv/bin/python
if ! "$py" -c 'import duckdb, chdb, opentelemetry.proto' 2>/dev/null; then
  command -v python3 >/dev/null || { log "python3 is required"; exit 1; }
  [[ -x $py ]] || python3 -m venv "$venv"
  log "pip install duckdb chdb opentelemetry-proto (into $venv)"
  if ! "$py" -m pip install --quiet --disable-pip-version-check duckdb chdb opentelemetry-proto; then
    if ! "$py" -c 'import urllib.request; urllib.request.urlopen("https://pypi.org/simple/duckdb/", timeout=15)' 2>/dev/null; then
      log "SKIP: the Python package registry (pypi.org) is unreachable, so DuckDB, chDB and opentelemetry-proto cannot be installed; the export check did not run"
      exit 0
    fi
    log "pip install failed although pypi.org is reachable"
    exit 1
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/agent-audit-check-export.XXXXXX")
[[ -n ${KEEP:-} ]] && log "work folder: $work (kept)" || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/exports" "$work/otlp"

# machine LABEL NOW REMOTE [extra export args...]: a demo repository and its logs, exported.
machine() {
  local label=$1 now=$2 remote=$3; shift 3
  local d=$work/$label
  AGENT_AUDIT_NOW=$now "$bin" demo --keep "$d" --color never >/dev/null
  git -C "$d/shop-config" remote add origin "$remote"
  local args=("$@")
  [[ $label == default ]] || args+=(--machine "$label")
  (cd "$d/shop-config" && env -u CLAUDE_CONFIG_DIR -u CODEX_HOME HOME="$d/home" AGENT_AUDIT_NOW=$now TZ=UTC \
     "$bin" export --steps "${args[@]}" --out "$work/exports/$label.ndjson" \
   && env -u CLAUDE_CONFIG_DIR -u CODEX_HOME HOME="$d/home" AGENT_AUDIT_NOW=$now TZ=UTC \
     "$bin" export --steps --format otlp-json "${args[@]}" --out "$work/otlp/$label.json")
}
command -v git >/dev/null || { log "git is required"; exit 1; }
machine alice-laptop 2026-11-29T12:00:00Z https://github.com/example/shop-config.git
machine bob-desktop 2026-11-29T18:00:00Z git@github.com:example/shop-config.git
machine default 2026-12-06T12:00:00Z https://ci-token@github.com/example/shop-config \
  --all --logs "$work/default/home/.claude" --logs "$work/default/home/.codex" \
  --logs "$repo/testdata/claude_code" --logs "$repo/testdata/codex"

# --otlp-endpoint against a stand-in collector (Python's http.server parsing with opentelemetry-proto).
"$py" "$repo/scripts/otlp_sink.py" "$work/sink.port" "$work/sink.json" &
sink=$!
for _ in $(seq 50); do [[ -s $work/sink.port ]] && break; sleep 0.1; done
(cd "$work/alice-laptop/shop-config" && env -u CLAUDE_CONFIG_DIR -u CODEX_HOME HOME="$work/alice-laptop/home" \
   AGENT_AUDIT_NOW=2026-11-29T12:00:00Z TZ=UTC "$bin" export --steps --machine alice-laptop \
   --otlp-endpoint "http://127.0.0.1:$(cat "$work/sink.port")")
wait "$sink"
"$py" - "$work/sink.json" "$work/otlp/alice-laptop.json" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
want = sum(len(ss["spans"]) for line in open(sys.argv[2]) for rs in json.loads(line)["resourceSpans"] for ss in rs["scopeSpans"])
assert not got["errors"], got["errors"]
assert got["paths"] == ["/v1/traces"] and got["content_types"] == ["application/json"], got
assert got["spans"] == want, (got, want)
print(f"ok: --otlp-endpoint posted {got['spans']} spans to a stand-in collector, parsed as ExportTraceServiceRequest")
PY

(cd "$work" && "$bin" review --from exports/*.ndjson --since 2000-01-01 --until 2100-01-01 --format json > review.json)
(cd "$work" && "$py" "$repo/scripts/check_export.py" "$repo/README.md" review.json exports otlp)
