#!/usr/bin/env bash
# Issue 16: `export --all` against `sessions --all --json` on the same generated corpus, side by side in one
# hyperfine run (the export must stay within 1.2x of sessions).
#
#   scripts/bench_export.sh [CORPUS_DIR | SIZE_MB]     (default 200: /tmp/corpus-200, generated if missing)
#
# Commands, each under the isolated environment of common.sh (env -i, TZ=UTC, empty HOME,
# CLAUDE_CONFIG_DIR=CORPUS/claude, CODEX_HOME=CORPUS/codex), output to /dev/null:
#   sessions      agent-audit sessions --all --json
#   export        agent-audit export --all --machine bench                 (NDJSON, one record per session)
#   export steps  agent-audit export --all --machine bench --steps         (plus one record per step)
#   export otlp   agent-audit export --all --machine bench --format otlp-json
# Prints hyperfine's Markdown table and the export/sessions ratio. Environment: AGENT_AUDIT, RUNS (default 5),
# WARMUP (default 1). Do not run a build at the same time.
set -euo pipefail
source "$(dirname "$0")/common.sh"
arg=${1:-200}
if [[ -d $arg ]]; then corpus=$arg; else corpus=$(ensure_corpus "$arg"); fi
RUNS=${RUNS:-5}; WARMUP=${WARMUP:-1}
[[ -x $AGENT_AUDIT ]] || die "build $AGENT_AUDIT first (cargo build --release)"
command -v hyperfine >/dev/null || apt_install hyperfine || die "hyperfine is required"
out=${OUT:-/tmp/bench-export}
mkdir -p "$out" "$ISOLATED_HOME"
bytes=$(find "$corpus" -name '*.jsonl' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
log "corpus $corpus: $(find "$corpus" -name '*.jsonl' | wc -l) files, $bytes bytes; load average $(cut -d' ' -f1-3 /proc/loadavg)"
find "$corpus" -name '*.jsonl' -exec cat {} + > /dev/null
env_=(env -i PATH="$PATH" HOME="$ISOLATED_HOME" TZ=UTC LANG=C.UTF-8 NO_COLOR=1
      CLAUDE_CONFIG_DIR="$corpus/claude" CODEX_HOME="$corpus/codex")
printf -v e '%q ' "${env_[@]}"
hyperfine --runs "$RUNS" --warmup "$WARMUP" --export-json "$out/hyperfine.json" --export-markdown "$out/table.md" \
  -n sessions "$e $AGENT_AUDIT sessions --all --json" \
  -n export "$e $AGENT_AUDIT export --all --machine bench" \
  -n "export steps" "$e $AGENT_AUDIT export --all --machine bench --steps" \
  -n "export otlp" "$e $AGENT_AUDIT export --all --machine bench --format otlp-json" >&2
cat "$out/table.md"
python3 - "$out/hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base = r["sessions"]["median"]
for name in ("export", "export steps", "export otlp"):
    print(f"{name}: median {r[name]['median']:.3f} s = {r[name]['median'] / base:.2f}x sessions --all --json ({base:.3f} s)")
PY
"${env_[@]}" "$AGENT_AUDIT" sessions --all --json | wc -c | xargs printf 'output bytes: sessions --all --json %s, ' >&2
"${env_[@]}" "$AGENT_AUDIT" export --all --machine bench | wc -c | xargs printf 'export %s\n' >&2
