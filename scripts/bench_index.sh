#!/usr/bin/env bash
# The index's figures (README "The index"): whole-process timings with hyperfine, each ratio measured in the
# same hyperfine run as the command it is a ratio against, and every result checked exact.
#
#   scripts/bench_index.sh [logs|git|all]          (default: all)
#
# logs: on a gen_corpus.py corpus of SIZE_MB (default 1024; /tmp/corpus-SIZE, --seed 2, generated when
#   missing) copied to a scratch folder (appends must not touch the generator's copy):
#     first    cat of every log  |  usage --by day --json --no-index  |  the same with an empty index
#              (hyperfine --prepare empties it before each run); peak RSS of the first indexed run
#     second   cat  |  --no-index  |  with the warm index (nothing changed)
#     append   --no-index  |  with the index, after appending 1 MB (ten files x 100 KiB of Claude Code
#              responses with known token counts, new ones before every run) to ten files picked with a
#              fixed seed
#   After each phase the output is compared with expected.json (plus the appended responses): every day, every
#   field, exact.
# git: on the 20k-commit benchmark (scripts/gen_git_bench.py --commits 20000 --sessions 500 --seed 1, in
#   GITDIR, default /tmp/gitbench15): git log --numstat --all | sessions --json --no-index | sessions --json
#   with an empty index (first) | with a warm index (second) | after one new commit and one new session; the
#   JSON of each compared with --no-index's.
#
# Environment: AGENT_AUDIT (default target/release/agent-audit), SIZE_MB, RUNS (default 5), GITDIR, OUT (results,
# default /tmp/bench-index), BASE (optional: another agent-audit build, e.g. of the parent commit, measured with
# its own index in the same hyperfine runs, for before/after figures). The machine is shared and noisy: the
# load average is printed with the results.
set -euo pipefail
source "$(dirname "$0")/common.sh"

what=${1:-all}
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-5}
OUT=${OUT:-/tmp/bench-index}
GITDIR=${GITDIR:-/tmp/gitbench15}
mkdir -p "$OUT"
need_python
need_time
command -v hyperfine >/dev/null || apt_install hyperfine || die "hyperfine is required"
[[ -x $AGENT_AUDIT ]] || die "$AGENT_AUDIT not found: cargo build --release (or set AGENT_AUDIT)"
log "machine: $(nproc) cpu(s), load average $(cut -d' ' -f1-3 /proc/loadavg); $AGENT_AUDIT"

# medians HF_JSON: "name median_s" per command.
medians() {
  python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%s\tmedian %.4f s\tstddev %.4f" % (r["command"], r["median"], r["stddev"] or 0))' "$1"
}

logs_bench() {
  local src; src=$(ensure_corpus "$SIZE_MB")
  local work=$OUT/corpus-$SIZE_MB ix=$OUT/index-logs
  log "copying $src to $work"
  rm -rf "$work" "$ix"; cp -a "$src" "$work"
  find "$work" -type f -name '*.jsonl' | sort > "$OUT/files.list"
  xargs -a "$OUT/files.list" cat > /dev/null
  local AA="env -i PATH=$PATH HOME=$ISOLATED_HOME TZ=UTC LANG=C.UTF-8 NO_COLOR=1 CLAUDE_CONFIG_DIR=$work/claude CODEX_HOME=$work/codex AGENT_AUDIT_HOME=$ix $AGENT_AUDIT usage --by day --json"
  local CAT="xargs -a $OUT/files.list cat"
  # With BASE: the same command with that build and its own index (ixb), run in the same hyperfine runs.
  local AAB="" ixb=$OUT/index-logs-base
  local -a first_b=() second_b=() append_b=()
  if [[ -n ${BASE:-} ]]; then
    rm -rf "$ixb"
    AAB=${AA/AGENT_AUDIT_HOME=$ix/AGENT_AUDIT_HOME=$ixb}
    AAB=${AAB/ $AGENT_AUDIT / $BASE }
    first_b=(--prepare "rm -rf $ixb" -n "usage, empty index (BASE)" "$AAB")
    second_b=(-n "usage, warm index (BASE)" "$AAB")
  fi
  mkdir -p "$ISOLATED_HOME"
  check() { # check LABEL: this state's output against expected.json + appended responses
    $AA > "$OUT/usage-$1.json" 2> "$OUT/usage-$1.err"
    python3 - "$work/expected.json" "$OUT/appended.json" "$OUT/usage-$1.json" "$1" <<'EOF'
import json, os, sys
exp = json.load(open(sys.argv[1]))["totals"]
extra = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else {}
want = {}
for agent, days in exp.items():
    for day, t in days.items():
        w = want.setdefault(day, dict.fromkeys(("input", "output", "cache_read", "cache_write"), 0))
        for k in w: w[k] += t[k]
for day, t in extra.items():
    w = want.setdefault(day, dict.fromkeys(("input", "output", "cache_read", "cache_write"), 0))
    for k in w: w[k] += t[k]
got = {r["key"]: {k: r["tokens"][k] for k in ("input", "output", "cache_read", "cache_write")}
       for r in json.load(open(sys.argv[3]))["rows"]}
bad = [d for d in sorted(set(want) | set(got)) if want.get(d) != got.get(d)]
print(f"exact against expected.json ({sys.argv[4]}): {'yes' if not bad else 'NO: ' + ', '.join(bad[:5])}")
sys.exit(1 if bad else 0)
EOF
  }
  rm -f "$OUT/appended.json"

  log "logs: first run (empty index before every run)"
  hyperfine -N --style basic --warmup 1 --runs "$RUNS" --export-json "$OUT/hf-first.json" \
    --prepare true --prepare true --prepare "rm -rf $ix" \
    -n cat "$CAT" -n "usage --no-index" "$AA --no-index" -n "usage, empty index" "$AA" "${first_b[@]}" >&2
  rm -rf "$ix"
  if [[ -n $AAB ]]; then $AAB > /dev/null; fi
  /usr/bin/time -f '%e %M' -o "$OUT/first.time" $AA > /dev/null
  check first
  log "logs: second run (nothing changed)"
  hyperfine -N --style basic --warmup 2 --runs "$RUNS" --export-json "$OUT/hf-second.json" \
    -n cat "$CAT" -n "usage --no-index" "$AA --no-index" -n "usage, warm index" "$AA" "${second_b[@]}" >&2
  check second

  # Ten files, a fixed seed; each append adds 100 KiB of new responses to each (1 MB in all) and records
  # their tokens per day in appended.json.
  python3 - "$OUT/files.list" "$OUT/append.list" <<'EOF'
import random, sys
files = [l.strip() for l in open(sys.argv[1]) if "/claude/" in l]
random.Random(15).shuffle(files)
open(sys.argv[2], "w").write("\n".join(files[:10]) + "\n")
EOF
  cat > "$OUT/append.py" <<'EOF'
import json, os, sys, uuid
lst, state = sys.argv[1], sys.argv[2]
extra = json.load(open(state)) if os.path.exists(state) else {}
n = int(extra.pop("_n", 0))
day = "2026-04-15"
t = extra.setdefault(day, dict.fromkeys(("input", "output", "cache_read", "cache_write"), 0))
for fi, path in enumerate(l.strip() for l in open(lst)):
    first = json.loads(open(path).readline())
    sid, cwd = first.get("sessionId", "s"), first.get("cwd", "/w")
    out, size, k = [], 0, 0
    while size < 100 * 1024:
        u = {"input_tokens": 3, "output_tokens": 50 + k % 7, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 20}
        rec = {"parentUuid": None, "isSidechain": False, "userType": "external", "cwd": cwd, "sessionId": sid,
               "version": "2.0.14", "gitBranch": "main", "type": "assistant",
               "message": {"id": f"msg_bench_{n}_{fi}_{k}", "type": "message", "role": "assistant",
                           "model": "claude-sonnet-4-5-20250929", "content": [{"type": "text", "text": "x" * 200}],
                           "usage": u},
               "requestId": f"req_bench_{n}_{fi}_{k}", "uuid": str(uuid.uuid4()),
               "timestamp": f"{day}T12:{k // 60 % 60:02d}:{k % 60:02d}.000Z"}
        s = json.dumps(rec, separators=(",", ":")) + "\n"
        out.append(s); size += len(s); k += 1
        t["input"] += 3; t["output"] += u["output_tokens"]; t["cache_read"] += 1000; t["cache_write"] += 20
    with open(path, "a") as f:
        f.write("".join(out))
extra["_n"] = n + 1
json.dump(extra, open(state, "w"))
EOF
  # appended.json without the counter, for check().
  APPEND="python3 $OUT/append.py $OUT/append.list $OUT/append-state.json"
  rm -f "$OUT/append-state.json"
  if [[ -n $AAB ]]; then append_b=(--prepare "$APPEND" -n "usage, index, after append (BASE)" "$AAB"); fi
  log "logs: after appending 1 MB to ten files (before every run)"
  hyperfine -N --style basic --warmup 1 --runs "$RUNS" --export-json "$OUT/hf-append.json" \
    --prepare "$APPEND" --prepare "$APPEND" \
    -n "usage --no-index, after append" "$AA --no-index" -n "usage, index, after append" "$AA" "${append_b[@]}" >&2
  $APPEND
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("_n"); json.dump(d, open(sys.argv[2],"w"))' \
    "$OUT/append-state.json" "$OUT/appended.json"
  check append
  local bytes; bytes=$(xargs -a "$OUT/files.list" stat -c %s | awk '{s+=$1} END {print s}')
  echo
  echo "Logs: $(wc -l < "$OUT/files.list") files, $bytes bytes (after the appends); load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "First indexed run, one more: wall s, peak KiB: $(cat "$OUT/first.time")"
  echo "Index: $(du -b "$ix/index.db" | cut -f1) bytes"
  for p in first second append; do echo "[$p]"; medians "$OUT/hf-$p.json"; done
}

git_bench() {
  if [[ ! -d $GITDIR/repo ]]; then
    log "generating $GITDIR"
    python3 "$SCRIPTS_DIR/gen_git_bench.py" --out "$GITDIR" --force --commits 20000 --sessions 500 --seed 1 >&2
  fi
  local repo=$GITDIR/repo home=$GITDIR/home ix=$OUT/index-git
  local AA="env -u CLAUDE_CONFIG_DIR HOME=$home CODEX_HOME=$home/.codex TZ=UTC NO_COLOR=1 AGENT_AUDIT_HOME=$ix $AGENT_AUDIT"
  cd "$repo"
  rm -rf "$ix"
  $AA sessions --json --no-index > "$OUT/git-plain.json"
  log "git: first and second runs"
  hyperfine -N --style basic --warmup 1 --runs "$RUNS" --export-json "$OUT/hf-git.json" \
    --prepare true --prepare true --prepare "rm -rf $ix" --prepare true \
    -n "git log --numstat --all" "git -C $repo log --numstat --all" \
    -n "sessions --no-index" "$AA sessions --json --no-index" \
    -n "sessions, empty index" "$AA sessions --json" \
    -n "sessions, warm index" "$AA sessions --json" >&2
  $AA sessions --json > "$OUT/git-indexed.json"
  cmp -s "$OUT/git-plain.json" "$OUT/git-indexed.json" && echo "git: JSON identical to --no-index: yes" \
    || echo "git: JSON identical to --no-index: NO"
  # One new commit and one new session (a copy of the newest Claude session under a new id).
  log "git: after one new commit and one new session"
  local newest; newest=$(ls -t "$home"/.claude/projects/*/*.jsonl | head -1)
  local sid=bbbbbbbb-0000-4000-8000-$(date +%s%N | tail -c 13)
  sed "s/\"sessionId\":\"[^\"]*\"/\"sessionId\":\"$sid\"/g; s/msg_/msg_new_/g; s/req_/req_new_/g" "$newest" \
    > "$(dirname "$newest")/$sid.jsonl"
  git -C "$repo" -c user.name=b -c user.email=b@example.invalid commit -q --allow-empty -m "bench: one more commit"
  hyperfine -N --style basic --warmup 0 --runs 1 --export-json "$OUT/hf-git-new.json" \
    -n "sessions, index, after a new commit and session" "$AA sessions --json" >&2
  $AA sessions --json --no-index > "$OUT/git-plain2.json"
  $AA sessions --json > "$OUT/git-indexed2.json"
  cmp -s "$OUT/git-plain2.json" "$OUT/git-indexed2.json" && echo "git (after): JSON identical to --no-index: yes" \
    || echo "git (after): JSON identical to --no-index: NO"
  git -C "$repo" reset -q --hard HEAD~1
  rm -f "$(dirname "$newest")/$sid.jsonl"
  echo "Git: $(git -C "$repo" rev-list --all --count) commits; load $(cut -d' ' -f1-3 /proc/loadavg)"
  medians "$OUT/hf-git.json"; medians "$OUT/hf-git-new.json"
  cd - > /dev/null
}

case $what in
  logs) logs_bench ;;
  git) git_bench ;;
  all) logs_bench; git_bench ;;
  *) die "usage: $0 [logs|git|all]" ;;
esac
