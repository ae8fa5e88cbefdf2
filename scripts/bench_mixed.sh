#!/usr/bin/env bash
# `usage` over one machine's logs of five agents (Claude Code, Codex, Gemini CLI, Copilot CLI, OpenCode's
# database) against ccusage (which reads all five too) and `cat` of the same files, in one hyperfine run.
#   scripts/bench_mixed.sh [SIZE_MB]      (default 1024)
# The corpus comes from scripts/gen_mixed_corpus.py (Claude Code + Codex from ../shared/tools/gen_corpus.py);
# before timing, agent-audit's totals are checked per agent against its expected-mixed.json.
set -euo pipefail
source "$(dirname "$0")/common.sh"
size=${1:-1024}
corpus=/tmp/mixed-$size
need_python
ensure_ccusage
command -v hyperfine >/dev/null || apt_install hyperfine || die "hyperfine is required"
[[ -x $AGENT_AUDIT ]] || die "build first: cargo build --release"
[[ -f $corpus/expected-mixed.json ]] || { log "generating $corpus"; python3 "$SCRIPTS_DIR/gen_mixed_corpus.py" --out "$corpus" --total-mb "$size" >/dev/null; }
envs=(env -i "HOME=$corpus/home" "CLAUDE_CONFIG_DIR=$corpus/claude" "CODEX_HOME=$corpus/codex" TZ=UTC PATH=/usr/bin:/bin)
find "$corpus/claude" "$corpus/codex" "$corpus/home" -type f \( -name '*.jsonl' -o -name '*.db' \) > "$corpus.list"
log "corpus: $(du -sh "$corpus" | cut -f1), $(wc -l < "$corpus.list") files"
log "checking totals per agent against expected-mixed.json"
for agent in claude codex gemini copilot opencode; do
  "${envs[@]}" "$AGENT_AUDIT" usage --json --agent "$agent" > "/tmp/mixed-$agent.json"
done
python3 - "$corpus/expected-mixed.json" <<'PY'
import json, sys
exp = json.load(open(sys.argv[1]))
bad = 0
for agent in ("claude", "codex", "gemini", "copilot", "opencode"):
    t = json.load(open(f"/tmp/mixed-{agent}.json"))["total"]["tokens"]
    e = exp[agent]
    for k in ("input", "output", "cache_read", "cache_write"):
        if t[k] != e[k]:
            bad += 1
            print(f"MISMATCH {agent}.{k}: agent-audit {t[k]} expected {e[k]}")
    print(f"{agent:9} exact: input {t['input']:>13,} output {t['output']:>12,} cache_read {t['cache_read']:>14,} cache_write {t['cache_write']:>12,}")
sys.exit(1 if bad else 0)
PY
xargs cat < "$corpus.list" > /dev/null
hyperfine -N --warmup 1 --runs "${RUNS:-5}" --export-json "/tmp/bench-mixed-$size.json" \
  -n cat "sh -c 'xargs cat < $corpus.list'" \
  -n "ccusage daily --json --offline" "${envs[*]} $CCUSAGE daily --json --offline" \
  -n "agent-audit usage --by day --json" "${envs[*]} $AGENT_AUDIT usage --by day --json"
python3 - "/tmp/bench-mixed-$size.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
cc, ours, cat = (r[k]["median"] for k in ("ccusage daily --json --offline", "agent-audit usage --by day --json", "cat"))
print(f"medians: cat {cat:.3f} s, ccusage {cc:.3f} s, agent-audit {ours:.3f} s: {cc/ours:.2f}x faster than ccusage, {ours/cat:.2f}x cat")
PY
