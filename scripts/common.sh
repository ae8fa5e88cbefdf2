# Shared helpers for scripts/compare-ccusage.sh and scripts/bench.sh (sourced, not run).
#
# Environment knobs (all optional):
#   AGENT_AUDIT   the binary under test            (default: <repo>/target/release/agent-audit)
#   GEN_CORPUS    path of gen_corpus.py            (default: ../shared/tools/gen_corpus.py beside the checkout)
#   CCUSAGE_DIR   where ccusage is npm-installed   (default: /tmp/ccusage-peer)
#   CCUSAGE_VER   ccusage version                  (default: 20.0.24)
#   CORPUS_SEED   seed for generated corpora       (default: 2)

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPTS_DIR/.." && pwd)
AGENT_AUDIT=${AGENT_AUDIT:-$REPO_DIR/target/release/agent-audit}
CCUSAGE_DIR=${CCUSAGE_DIR:-/tmp/ccusage-peer}
CCUSAGE_VER=${CCUSAGE_VER:-20.0.24}
CCUSAGE=$CCUSAGE_DIR/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage
CORPUS_SEED=${CORPUS_SEED:-2}
# Every measured/compared tool runs in this clean environment (env -i): UTC dates as in expected.json, and an
# empty HOME so that ccusage's unified reports cannot pick up other agents' data from the real home directory.
ISOLATED_HOME=${ISOLATED_HOME:-/tmp/agent-audit-scripts-home}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# apt_install PKG...: installs Debian/Ubuntu packages (runs apt-get update once if the first try fails).
# Returns non-zero on failure (callers decide whether that is fatal).
apt_install() {
  command -v apt-get >/dev/null || { log "apt-get not found; install $* by hand"; return 1; }
  log "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null; } \
    || { log "apt-get install $* failed"; return 1; }
}

need_python() { command -v python3 >/dev/null || apt_install python3 || die "python3 is required"; }
need_time() { [[ -x /usr/bin/time ]] || apt_install time || die "/usr/bin/time (package 'time') is required"; }

# ensure_ccusage: npm-installs ccusage and its native linux-x64 build into $CCUSAGE_DIR (as bench_peers.sh does).
ensure_ccusage() {
  if [[ -x $CCUSAGE ]]; then return; fi
  command -v npm >/dev/null || apt_install nodejs npm || die "npm is required to install ccusage"
  log "installing ccusage@$CCUSAGE_VER + @ccusage/ccusage-linux-x64@$CCUSAGE_VER into $CCUSAGE_DIR (npm registry)"
  mkdir -p "$CCUSAGE_DIR"
  (cd "$CCUSAGE_DIR" && { [[ -f package.json ]] || npm init -y >/dev/null; } \
    && npm install -s "ccusage@$CCUSAGE_VER" "@ccusage/ccusage-linux-x64@$CCUSAGE_VER" >/dev/null)
  chmod +x "$CCUSAGE"
  [[ -x $CCUSAGE ]] || die "ccusage native binary not found at $CCUSAGE"
}

gen_corpus_py() {
  local c
  for c in "${GEN_CORPUS:-}" "$SCRIPTS_DIR/../../shared/tools/gen_corpus.py" /work/shared/tools/gen_corpus.py; do
    [[ -n $c && -f $c ]] && { echo "$c"; return; }
  done
  die "gen_corpus.py not found (set GEN_CORPUS)"
}

# ensure_corpus SIZE_MB: prints the corpus dir /tmp/corpus-SIZE, generating it first if it has no expected.json.
ensure_corpus() {
  local size=$1 dir=/tmp/corpus-$1
  if [[ ! -f $dir/expected.json ]]; then
    need_python
    local gen; gen=$(gen_corpus_py)
    log "generating $dir: $gen --out $dir --total-mb $size --seed $CORPUS_SEED"
    python3 "$gen" --out "$dir" --total-mb "$size" --seed "$CORPUS_SEED" >&2
  fi
  echo "$dir"
}

# run_isolated CORPUS CMD...: runs CMD with only PATH, HOME (empty), TZ=UTC, CLAUDE_CONFIG_DIR and CODEX_HOME set.
run_isolated() {
  local corpus=$1; shift
  mkdir -p "$ISOLATED_HOME"
  env -i PATH="$PATH" HOME="$ISOLATED_HOME" TZ=UTC LANG=C.UTF-8 NO_COLOR=1 \
    CLAUDE_CONFIG_DIR="$corpus/claude" CODEX_HOME="$corpus/codex" "$@"
}
