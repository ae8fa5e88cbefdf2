#!/usr/bin/env bash
# Whole-process timing and peak memory of agent-audit against ccusage (native build) and cat, on synthetic corpora.
#
#   scripts/bench.sh [SIZE_MB...]          (default: 200 1024)
#
# For each size: generates /tmp/corpus-SIZE (gen_corpus.py --seed 2) unless present, warms the page cache, then
# times in one hyperfine run, side by side (same environment: TZ=UTC, empty HOME, CLAUDE_CONFIG_DIR=DIR/claude,
# CODEX_HOME=DIR/codex):
#   cat              xargs -a LIST cat            (every .jsonl file of the corpus; the I/O floor)
#   ccusage daily    ccusage daily --json --offline       (ccusage 20 reports all agents: Claude Code and Codex)
#   ccusage session  ccusage session --json --offline
#   aa usage         agent-audit usage --by day --json
#   aa sessions      agent-audit sessions --all --json
# and peak RSS as the median of 5 runs of /usr/bin/time -f '%e %M'. A command that fails (e.g. a flag that does not
# exist yet) is reported as FAILED with its error and left out of the timing. Without hyperfine (and when it cannot
# be installed) the wall time is the median of the /usr/bin/time runs instead.
# Prints a Markdown table (size, command, wall s median, peak MiB, ratio vs ccusage daily, ratio vs cat) and the
# linear-scaling check: time(largest)/time(smallest) against 5.5 for 200 -> 1024 MB (bytes ratio x 5.5/5.12 else).
#
# Environment: AGENT_AUDIT (binary, default target/release/agent-audit), RUNS (hyperfine runs, default 5),
# WARMUP (hyperfine warmup runs, default 1), RSS_RUNS (default 5), OUT (results dir, default /tmp/bench-results),
# NO_HYPERFINE=1 (force the /usr/bin/time fallback).
# Timings are whole-machine sensitive: do not run a cargo build at the same time (the load average is printed).
set -euo pipefail
source "$(dirname "$0")/common.sh"

sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(200 1024)
RUNS=${RUNS:-5}; WARMUP=${WARMUP:-1}; RSS_RUNS=${RSS_RUNS:-5}
out=${OUT:-/tmp/bench-results}
mkdir -p "$out"

need_python
need_time
command -v hyperfine >/dev/null || apt_install hyperfine || true
have_hf=0; command -v hyperfine >/dev/null && [[ -z ${NO_HYPERFINE:-} ]] && have_hf=1
[[ $have_hf = 1 ]] && log "hyperfine: $(hyperfine --version)" || log "hyperfine unavailable: falling back to /usr/bin/time loops"
ensure_ccusage
log "ccusage: $CCUSAGE ($("$CCUSAGE" --version 2>/dev/null || echo '?'))"
if [[ -x $AGENT_AUDIT ]]; then log "agent-audit: $AGENT_AUDIT"; else log "agent-audit not found at $AGENT_AUDIT: its rows will be FAILED"; fi
log "machine: $(nproc) cpu(s), $(free -g | awk '/^Mem:/{print $2}') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"

names=("cat" "ccusage daily" "ccusage session" "aa usage" "aa sessions")

for size in "${sizes[@]}"; do
  corpus=$(ensure_corpus "$size")
  d=$out/size-$size
  rm -rf "$d"; mkdir -p "$d"
  list=$d/files.list
  find "$corpus" -type f -name '*.jsonl' | sort > "$list"
  bytes=$(xargs -a "$list" stat -c %s | awk '{s+=$1} END {print s+0}')
  printf '%s\n%s\n%s\n' "$corpus" "$bytes" "$(wc -l < "$list")" > "$d/corpus.txt"
  log "size $size: $corpus, $(wc -l < "$list") files, $bytes bytes; warming the page cache"
  xargs -a "$list" cat > /dev/null
  xargs -a "$list" cat > /dev/null

  cmds=("xargs -a $list cat"
        "$CCUSAGE daily --json --offline"
        "$CCUSAGE session --json --offline"
        "$AGENT_AUDIT usage --by day --json"
        "$AGENT_AUDIT sessions --all --json")
  hf_args=()
  for i in "${!names[@]}"; do
    name=${names[$i]}; cmd=${cmds[$i]}; slug=${name// /-}
    echo "$cmd" > "$d/$slug.cmd"
    log "[$size] check: $name: $cmd"
    # shellcheck disable=SC2086  # the command strings are simple space-separated words
    if run_isolated "$corpus" $cmd > "$d/$slug.stdout" 2> "$d/$slug.stderr"; then
      echo ok > "$d/$slug.status"
      hf_args+=(-n "$name" "$cmd")
    else
      rc=$?
      echo "FAILED (exit $rc): $(tr '\n' ' ' < "$d/$slug.stderr" | head -c 300)" > "$d/$slug.status"
      log "  $(cat "$d/$slug.status")"
      continue
    fi
    log "[$size] peak RSS: $RSS_RUNS x /usr/bin/time -f '%e %M %U %S' $name"
    for _ in $(seq "$RSS_RUNS"); do
      # shellcheck disable=SC2086
      run_isolated "$corpus" /usr/bin/time -o "$d/$slug.time.tmp" -f '%e %M %U %S' $cmd > /dev/null 2>&1 || true
      tail -n1 "$d/$slug.time.tmp" >> "$d/$slug.time"
    done
    rm -f "$d/$slug.time.tmp" "$d/$slug.stdout"
  done

  if [[ $have_hf = 1 && ${#hf_args[@]} -gt 0 ]]; then
    log "[$size] hyperfine --warmup $WARMUP --runs $RUNS (all commands side by side)"
    run_isolated "$corpus" hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
      --export-json "$d/hyperfine.json" "${hf_args[@]}" >&2 \
      || log "hyperfine failed; wall times fall back to /usr/bin/time medians"
  fi
done

log "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$SCRIPTS_DIR/bench_table.py" "$out" "${sizes[@]}" | tee "$out/report.md"
log "report saved to $out/report.md (raw: $out/size-*/)"
