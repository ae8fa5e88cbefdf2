#!/usr/bin/env bash
# Git correlation benchmark: `agent-audit sessions --json` and `agent-audit session <ID> --json` against
# `git log --numstat --all` over the same synthetic history (scripts/gen_git_bench.py).
#
#   scripts/bench_git.sh [DIR]          DIR defaults to /tmp/gitbench; generated first when DIR/repo is missing
#
# Environment knobs (all optional):
#   AGENT_AUDIT   the binary under test        (default: <repo>/target/release/agent-audit)
#   COMMITS       commits to generate          (default: 20000)
#   SESSIONS      sessions to generate         (default: 500)
#   SEED          generator seed               (default: 1)
#   RUNS          hyperfine runs per command   (default: 10)
#   SESSION_ID    the session for `session`    (default: the direct session with the most lines)
#   SPOT          sessions in the spot check   (default: 20)
#   NO_HYPERFINE  set to 1 to time with /usr/bin/time only
#
# Goal (issue): sessions --json within 3x git log --numstat; one session's outcome within 200 ms.
set -euo pipefail

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPTS_DIR/.." && pwd)
AGENT_AUDIT=${AGENT_AUDIT:-$REPO_DIR/target/release/agent-audit}
DIR=${1:-/tmp/gitbench}
RUNS=${RUNS:-10}
SPOT=${SPOT:-20}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
apt_install() {
  command -v apt-get >/dev/null || return 1
  log "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null 2>&1; }
}

[[ -x $AGENT_AUDIT ]] || die "$AGENT_AUDIT not found: build it with cargo build --release (or set AGENT_AUDIT)"
command -v python3 >/dev/null || apt_install python3 || die "python3 is needed"
[[ -x /usr/bin/time ]] || apt_install time || die "/usr/bin/time is needed (apt-get install time)"
HYPERFINE=
if [[ ${NO_HYPERFINE:-} != 1 ]]; then
  command -v hyperfine >/dev/null || apt_install hyperfine || log "hyperfine unavailable: timing with /usr/bin/time"
  HYPERFINE=$(command -v hyperfine || true)
fi

if [[ ! -d $DIR/repo || ! -f $DIR/expected.json ]]; then
  log "generating $DIR"
  python3 "$SCRIPTS_DIR/gen_git_bench.py" --out "$DIR" --force \
    --commits "${COMMITS:-20000}" --sessions "${SESSIONS:-500}" --seed "${SEED:-1}" >&2
fi
DIR=$(cd "$DIR" && pwd)
REPO=$DIR/repo
HOMEDIR=$DIR/home
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The session for `session <ID-PREFIX>`: by default the direct session with the most lines added.
SID=${SESSION_ID:-$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = max((s for s in d["by_session"] if s["role"] == "direct"), key=lambda s: s["lines_added"])
print(s["id"])' "$DIR/expected.json")}
PREFIX=${SID:0:8}

# Every agent-audit run: inside the repo, HOME=DIR/home, no CLAUDE_CONFIG_DIR, CODEX_HOME=DIR/home/.codex.
AA="cd '$REPO' && env -u CLAUDE_CONFIG_DIR HOME='$HOMEDIR' CODEX_HOME='$HOMEDIR/.codex' TZ=UTC NO_COLOR=1 '$AGENT_AUDIT'"
CMD_GIT="git -C '$REPO' log --numstat --all >/dev/null"
CMD_SESSIONS="$AA sessions --json >/dev/null"
CMD_SESSION="$AA session $PREFIX --json >/dev/null"
NAMES=("git log --numstat --all" "agent-audit sessions --json" "agent-audit session $PREFIX --json")
CMDS=("$CMD_GIT" "$CMD_SESSIONS" "$CMD_SESSION")

# Check that every command works before timing it (a failing command would time as fast).
for i in 0 1 2; do
  bash -c "${CMDS[$i]%>/dev/null}" >"$WORK/out$i" 2>"$WORK/err$i" \
    || { cat "$WORK/err$i" >&2; die "${NAMES[$i]} failed"; }
done

log "warming caches"
for _ in 1 2; do for c in "${CMDS[@]}"; do bash -c "$c" 2>/dev/null; done; done
cat "$REPO"/.git/objects/pack/* "$HOMEDIR"/.claude/projects/*/*.jsonl >/dev/null

# Median wall time of each command, seconds.
declare -a MED
if [[ -n $HYPERFINE ]]; then
  log "hyperfine: $RUNS runs each"
  "$HYPERFINE" -N --style basic --warmup 1 --runs "$RUNS" --export-json "$WORK/hf.json" \
    -n "${NAMES[0]}" "bash -c \"$CMD_GIT\"" \
    -n "${NAMES[1]}" "bash -c \"$CMD_SESSIONS\"" \
    -n "${NAMES[2]}" "bash -c \"$CMD_SESSION\"" >&2
  mapfile -t MED < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["median"])' "$WORK/hf.json")
else
  for i in 0 1 2; do
    for _ in $(seq "$RUNS"); do /usr/bin/time -f '%e' -a -o "$WORK/t$i" bash -c "${CMDS[$i]}"; done
    MED[$i]=$(sort -n "$WORK/t$i" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  done
fi

# Peak RSS (and wall time) of one run each.
declare -a RSS WALL
for i in 0 1 2; do
  /usr/bin/time -f '%e %M' -o "$WORK/rss$i" bash -c "${CMDS[$i]}"
  read -r WALL[$i] RSS[$i] <"$WORK/rss$i"
done

commits=$(git -C "$REPO" rev-list --all --count)
logs_mb=$(du -sm "$HOMEDIR/.claude/projects" | cut -f1)
nsess=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sessions"]))' "$WORK/out1")
echo
echo "History: $commits commits (all refs), $nsess sessions in $DIR ($logs_mb MB of logs); $(basename "$AGENT_AUDIT") $("$AGENT_AUDIT" --version | awk '{print $2}')"
echo
echo "| command | median wall | one run: wall, peak RSS | vs git log |"
echo "| --- | ---: | ---: | ---: |"
for i in 0 1 2; do
  python3 -c '
import sys
name, med, base, wall, rss = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
print(f"| `{name}` | {med*1000:.0f} ms | {float(wall):.2f} s, {rss/1024:.0f} MB | {med/base:.2f}x |")' \
    "${NAMES[$i]}" "${MED[$i]}" "${MED[0]}" "${WALL[$i]}" "${RSS[$i]}"
done
python3 -c '
import sys
s, g, one = (float(x) for x in sys.argv[1:4])
r = s / g
verdict = lambda ok: "met" if ok else "NOT met"
print()
print(f"Ratio sessions/git-log: {r:.2f} (goal <= 3: {verdict(r <= 3)}); "
      f"one session: {one*1000:.0f} ms (goal <= 200 ms: {verdict(one <= 0.2)})")' \
  "${MED[1]}" "${MED[0]}" "${MED[2]}"

# Correctness spot check: the tool's outcome against expected.json for SPOT sessions of every role.
echo
python3 - "$DIR/expected.json" "$WORK/out1" "$WORK/out2" "$SPOT" "$SID" <<'EOF'
import json, random, sys
exp = {s["id"]: s for s in json.load(open(sys.argv[1]))["by_session"]}
got = {s["id"]: s for s in json.load(open(sys.argv[2]))["sessions"]}
one = json.load(open(sys.argv[3]))
n, sid = int(sys.argv[4]), sys.argv[5]
fields = ["lines_added", "lines_committed", "lines_merged", "lines_in_head", "merged_via"]
missing = [i for i in exp if i not in got]
rng = random.Random(7)
by_role = {}
for e in exp.values():
    by_role.setdefault(e["role"], []).append(e["id"])
pick = []
while len(pick) < min(n, len(exp)):  # round-robin over roles
    for role in sorted(by_role):
        ids = [i for i in by_role[role] if i not in pick and i in got]
        if ids and len(pick) < n:
            pick.append(rng.choice(ids))
    if not any(i not in pick for ids in by_role.values() for i in ids if i in got):
        break
print(f"Spot check ({len(pick)} sessions, expected/got; lines counted as the tool counts them):")
print()
print("| session | role | " + " | ".join(fields) + " | commits |")
print("| --- | --- |" + " ---: |" * len(fields) + " --- |")
bad = 0
for i in pick:
    e, o = exp[i], got[i].get("outcome") or {}
    cells = []
    for f in fields:
        ok = e[f] == o.get(f)
        bad += not ok
        cells.append(f"{e[f]}" if ok else f"**{e[f]} / {o.get(f)}**")
    ok = sorted(e["commits"]) == sorted(o.get("commits") or [])
    bad += not ok
    cells.append("same" if ok else f"**{len(e['commits'])} / {len(o.get('commits') or [])}**")
    print(f"| {i[:8]} | {e['role']} | " + " | ".join(cells) + " |")
# Whole-run comparison.
diff = {f: 0 for f in fields}
for i, e in exp.items():
    o = (got.get(i) or {}).get("outcome") or {}
    for f in fields:
        diff[f] += e[f] != o.get(f)
print()
print(f"Spot check: {'all equal' if not bad else f'{bad} differing cells'}. Over all {len(exp)} sessions, sessions "
      f"differing per field: " + ", ".join(f"{f} {c}" for f, c in diff.items())
      + (f"; {len(missing)} sessions missing from the output" if missing else ""))
s1 = one.get("session") or (one.get("sessions") or [{}])[0]
o1 = s1.get("outcome") or {}
e1 = exp[sid]
same = all(e1[f] == o1.get(f) for f in fields)
print(f"`session {sid[:8]}`: {'matches expected.json' if same else 'DIFFERS: ' + str({f: (e1[f], o1.get(f)) for f in fields})}")
EOF

# `sessions` and `session ID` must give every session the same outcome (one assignment per repository).
AGREE=${AGREE:-25}
python3 - "$WORK/out1" "$AGREE" "$AGENT_AUDIT" "$REPO" "$HOMEDIR" <<'EOF'
import json, os, random, subprocess, sys
got = {s["id"]: s for s in json.load(open(sys.argv[1]))["sessions"]}
n, binary, repo, home = int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
env = {k: v for k, v in os.environ.items() if k != "CLAUDE_CONFIG_DIR"}
env.update(HOME=home, CODEX_HOME=home + "/.codex", TZ="UTC", NO_COLOR="1")
ids = sorted(got)
random.Random(3).shuffle(ids)
bad = [i for i in ids[:n] if json.loads(subprocess.run([binary, "session", i, "--json"], cwd=repo, env=env,
       capture_output=True, text=True, check=True).stdout)["session"].get("outcome") != got[i].get("outcome")]
print(f"`sessions` vs `session ID` on {min(n, len(ids))} random sessions: "
      + ("all agree" if not bad else f"{len(bad)} DISAGREE: {', '.join(b[:8] for b in bad)}"))
EOF
