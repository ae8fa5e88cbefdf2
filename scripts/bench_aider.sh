#!/usr/bin/env bash
# Reading a large Aider history: whole-process time (hyperfine) and peak RSS.
#
#   scripts/bench_aider.sh [COPIES]        (default: 200)
#
# Builds /tmp/aider-bench-COPIES/.aider.chat.history.md from COPIES copies of the three real histories in
# ../shared/samples/aider/ (each copy's headers moved one day later, so every copy is its own sessions),
# then times
#   agent-audit usage --json --logs FILE             (tokens only)
#   agent-audit sessions --all --json --logs FILE    (every block parsed, edits built)
# (TZ=UTC, empty HOME) and checks that the totals are COPIES times the single histories' totals.
# Environment: AGENT_AUDIT (default target/release/agent-audit), RUNS (default 10), WARMUP (default 2).
set -euo pipefail
source "$(dirname "$0")/common.sh"

copies=${1:-200}
RUNS=${RUNS:-10}; WARMUP=${WARMUP:-2}
need_python
command -v hyperfine >/dev/null || apt_install hyperfine || die "hyperfine is required"
need_time
[[ -x $AGENT_AUDIT ]] || die "build first: cargo build --release ($AGENT_AUDIT)"
samples=$REPO_DIR/../shared/samples/aider
[[ -d $samples ]] || die "../shared/samples/aider not present"
dir=/tmp/aider-bench-$copies
mkdir -p "$dir"
hist=$dir/.aider.chat.history.md
python3 - "$samples" "$copies" "$hist" <<'EOF'
import datetime, re, sys
samples, copies, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
names = ["metadata-aider-v0.86.1-chat-history.md", "simple-calculator-v0.82.2-chat-history.md",
         "aider-own-chat-history-first-sessions.md"]
texts = [open(f"{samples}/{n}", encoding="utf-8").read() for n in names]
head = re.compile(r"^# aider chat started at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", re.M)
with open(out, "w", encoding="utf-8") as f:
    for i in range(copies):
        for t in texts:
            def shift(m):
                d = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S") + datetime.timedelta(days=i)
                return "# aider chat started at " + d.strftime("%Y-%m-%d %H:%M:%S")
            f.write("\n" + head.sub(shift, t))
EOF
log "$(du -h "$hist" | cut -f1) in $hist"
run() { env -i PATH="$PATH" HOME="$ISOLATED_HOME" TZ=UTC "$AGENT_AUDIT" "$@"; }
mkdir -p "$ISOLATED_HOME"
# One copy's totals, from the three samples read one by one.
single=$(for n in metadata-aider-v0.86.1-chat-history.md simple-calculator-v0.82.2-chat-history.md; do
  run usage --json --logs "$samples/$n"; done | python3 -c '
import json, sys
dec = json.JSONDecoder(); s = sys.stdin.read(); i = 0; t = [0, 0, 0]
while i < len(s):
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    v, i = dec.raw_decode(s, i); tot = v["total"]
    t[0] += tot["steps"]; t[1] += tot["tokens"]["input"]; t[2] += tot["tokens"]["output"]
print(*t)')
# The third sample does not start with a header: it is read here as part of the big file only; its
# totals were checked by an independent sum of its `> Tokens:` lines: 33 steps, 519,214 sent, 16,033 received.
read -r s1 i1 o1 <<<"$single"
want="$(( (s1 + 33) * copies )) $(( (i1 + 519214) * copies )) $(( (o1 + 16033) * copies ))"
got=$(run usage --json --logs "$hist" | python3 -c '
import json, sys; t = json.load(sys.stdin)["total"]; print(t["steps"], t["tokens"]["input"], t["tokens"]["output"])')
[[ $got == "$want" ]] || die "totals differ: got $got, want $want"
log "totals: steps, sent, received = $got (= $copies × the samples)"
for cmd in "usage --json --logs $hist" "sessions --all --json --logs $hist"; do
  rss=$( { /usr/bin/time -f %M env -i PATH="$PATH" HOME="$ISOLATED_HOME" TZ=UTC "$AGENT_AUDIT" $cmd >/dev/null; } 2>&1 | tail -1)
  log "peak RSS of '$cmd': $((rss / 1024)) MiB"
done
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" \
  "env -i HOME=$ISOLATED_HOME TZ=UTC $AGENT_AUDIT usage --json --logs $hist" \
  "env -i HOME=$ISOLATED_HOME TZ=UTC $AGENT_AUDIT sessions --all --json --logs $hist"
