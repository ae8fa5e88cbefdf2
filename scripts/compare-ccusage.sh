#!/usr/bin/env bash
# Compares agent-audit's per-day token totals with the corpus's exact expected.json and with ccusage.
#
#   scripts/compare-ccusage.sh [CORPUS_DIR | SIZE_MB]        (default: 5)
#
# SIZE_MB generates /tmp/corpus-SIZE (gen_corpus.py --seed 2) unless it already exists. ccusage@20.0.24 (native
# linux-x64 build) is npm-installed into /tmp/ccusage-peer unless present. All tools run with TZ=UTC and an empty
# HOME, pointed at the corpus by CLAUDE_CONFIG_DIR=DIR/claude and CODEX_HOME=DIR/codex. Runs:
#   agent-audit usage --by day --json                     (and again with --agent claude, --agent codex)
#   ccusage claude daily --json --offline                 Claude Code only
#   ccusage codex daily --json --offline                  Codex only (ccusage 20 has the codex command built in)
#   ccusage daily --json --offline                        unified (all agents), shown for reference
# then prints per-day and total input/output/cache_read/cache_write for expected.json, agent-audit and ccusage.
#
# Exit status: 0 all good; 1 agent-audit differs from expected.json (exact integers, per agent and day), or
# differs from ccusage on Claude Code, or could not be run. ccusage-vs-expected and Codex agent-audit-vs-ccusage
# differences are reported but do not fail the run (expected.json is the authority).
#
# Environment: AGENT_AUDIT (binary, default target/release/agent-audit), OUT (where outputs are saved, default
# /tmp/compare-<corpus name>), DAYS=all|diff (print every day, or only days with a difference; default all).
set -euo pipefail
source "$(dirname "$0")/common.sh"

arg=${1:-5}
if [[ $arg =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  corpus=$(ensure_corpus "$arg")
else
  corpus=$(cd "$arg" && pwd)
fi
[[ -f $corpus/expected.json ]] || die "$corpus has no expected.json (not a gen_corpus.py corpus?)"
need_python
ensure_ccusage
out=${OUT:-/tmp/compare-$(basename "$corpus")}
mkdir -p "$out"
log "corpus $corpus ($(du -sh "$corpus" | cut -f1)); outputs in $out"
log "ccusage: $CCUSAGE ($("$CCUSAGE" --version 2>/dev/null || echo '?'))"

# run NAME CMD...: runs CMD isolated on the corpus, stdout to $out/NAME.json, stderr to $out/NAME.err.
run() {
  local name=$1; shift
  log "running: $*  > $out/$name.json"
  if run_isolated "$corpus" "$@" >"$out/$name.json" 2>"$out/$name.err"; then
    return 0
  else
    local rc=$?
    log "  FAILED (exit $rc): $(head -c 400 "$out/$name.err")"
    rm -f "$out/$name.json"
    return 0
  fi
}

rm -f "$out"/*.json "$out"/*.err
if [[ -x $AGENT_AUDIT ]]; then
  log "agent-audit: $AGENT_AUDIT"
  run aa-all    "$AGENT_AUDIT" usage --by day --json
  run aa-claude "$AGENT_AUDIT" usage --by day --json --agent claude
  run aa-codex  "$AGENT_AUDIT" usage --by day --json --agent codex
else
  log "agent-audit binary $AGENT_AUDIT not found (build it: cargo build --release); comparing ccusage only"
fi

# Which Codex report does this ccusage have? ccusage 20 has `ccusage codex daily`; older releases shipped it as the
# separate npm package @ccusage/codex (not installed here: the built-in command is used when present).
if "$CCUSAGE" --help 2>&1 | grep -qE '^\s+codex\s'; then
  run cc-codex "$CCUSAGE" codex daily --json --offline
else
  log "this ccusage has no 'codex' command: Codex is compared against expected.json only"
fi
run cc-claude "$CCUSAGE" claude daily --json --offline
run cc-daily  "$CCUSAGE" daily --json --offline

python3 "$SCRIPTS_DIR/compare_usage.py" --expected "$corpus/expected.json" --dir "$out" --days "${DAYS:-all}"
