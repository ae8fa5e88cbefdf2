#!/usr/bin/env bash
# Plain vs compressed Codex rollouts on the same corpus: whole-process time (hyperfine) and peak RSS.
#
#   scripts/bench_compressed.sh [SIZE_MB] [CODEX_SHARE]        (default: 200 1.0)
#
# Generates /tmp/corpus-z-SIZE-SHARE (gen_corpus.py --seed 2 --codex-share SHARE) unless present, copies it to
# …-zst and compresses every Codex rollout there as Codex does (`zstd -q --rm`, level 3), then times
#   agent-audit usage --by day --json       on the plain corpus and on the compressed one
#   agent-audit sessions --all --json       on both
# (TZ=UTC, empty HOME, CLAUDE_CONFIG_DIR=DIR/claude, CODEX_HOME=DIR/codex), checks that both corpora give the
# same totals and that they equal expected.json (exact integers per agent), and prints the ratios.
# Environment: AGENT_AUDIT (default target/release/agent-audit), RUNS (default 10), WARMUP (default 2).
set -euo pipefail
source "$(dirname "$0")/common.sh"

size=${1:-200}; share=${2:-1.0}
RUNS=${RUNS:-10}; WARMUP=${WARMUP:-2}
need_python
command -v zstd >/dev/null || apt_install zstd || die "zstd is required"
command -v hyperfine >/dev/null || apt_install hyperfine || die "hyperfine is required"
need_time
[[ -x $AGENT_AUDIT ]] || die "build first: cargo build --release ($AGENT_AUDIT)"
plain=/tmp/corpus-z-$size-$share
zst=$plain-zst
if [[ ! -f $plain/expected.json ]]; then
  log "generating $plain"
  python3 "$(gen_corpus_py)" --out "$plain" --total-mb "$size" --seed "$CORPUS_SEED" --codex-share "$share" >/dev/null
fi
if [[ ! -f $zst/expected.json ]]; then
  rm -rf "$zst"; cp -r "$plain" "$zst"
  find "$zst/codex" -name 'rollout-*.jsonl' -print0 | xargs -0 -r -P2 -n 50 zstd -q --rm
fi
log "plain $(du -sh "$plain/codex" | cut -f1) of Codex rollouts, compressed $(du -sh "$zst/codex" | cut -f1)"
iso() { env -i PATH="$PATH" TZ=UTC HOME=/tmp/bench-z-home CLAUDE_CONFIG_DIR="$1/claude" CODEX_HOME="$1/codex" "${@:2}"; }
mkdir -p /tmp/bench-z-home
for d in "$plain" "$zst"; do
  iso "$d" "$AGENT_AUDIT" usage --by day --json > "$d.usage.json"
done
python3 - "$plain" "$zst" <<'PY'
import json, sys
plain, zst = sys.argv[1], sys.argv[2]
exp = json.load(open(plain + "/expected.json"))
a, b = (json.load(open(p + ".usage.json")) for p in (plain, zst))
assert a["rows"] == b["rows"] and a["total"] == b["total"], "plain and compressed differ"
want = {k: sum(exp.get(ag, {}).get(k, 0) for ag in ("claude", "codex")) for k in ("input", "output", "cache_read", "cache_write")}
got = {k: b["total"]["tokens"][k] for k in want}
assert got == want, f"compressed {got} != expected.json {want}"
print(f"totals equal (plain = compressed = expected.json): {got}; skipped lines {b['read']['skipped_lines']}")
PY
cmds=()
for c in "usage --by day --json" "sessions --all --json"; do
  cmds+=(-n "plain: $c" "env -i TZ=UTC HOME=/tmp/bench-z-home CLAUDE_CONFIG_DIR=$plain/claude CODEX_HOME=$plain/codex $AGENT_AUDIT $c"
         -n "zst:   $c" "env -i TZ=UTC HOME=/tmp/bench-z-home CLAUDE_CONFIG_DIR=$zst/claude CODEX_HOME=$zst/codex $AGENT_AUDIT $c")
done
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-markdown /tmp/bench-z.md "${cmds[@]}" >/dev/null
cat /tmp/bench-z.md
for d in "$plain" "$zst"; do
  for c in "usage --by day --json" "sessions --all --json"; do
    rss=$( { iso "$d" /usr/bin/time -f '%M' "$AGENT_AUDIT" $c >/dev/null; } 2>&1 | tail -1)
    echo "peak RSS $(basename "$d"): $c: $((rss / 1024)) MiB"
  done
done
