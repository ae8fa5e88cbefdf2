#!/usr/bin/env bash
# No regression from the dated price history: `usage --by day --json` of a baseline binary and of this build,
# over the shared real samples and two gen_corpus.py corpora, must give the same tokens and the same cost on
# every day, except on days where a model of that day is priced differently by the dated table (each such day
# is listed with both figures and the sets that explain it).
#
#   scripts/check_prices_regression.sh
#
# Environment: BASE (baseline binary; default /work/bin/agent-audit-base if present, else /tmp/aa-base),
# AGENT_AUDIT (binary under test, default target/release/agent-audit), SAMPLES (default ../shared/samples),
# OUT (where outputs are kept, default /tmp/prices-regression), CORPUS_MB (size of each corpus, default 20).
# Every run is in an empty HOME with TZ=UTC, reading only --logs (or CLAUDE_CONFIG_DIR / CODEX_HOME).
# Exit status: 0 every difference is explained by a dated price; 1 an unexplained difference or a failed run.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_python

BASE=${BASE:-}
if [[ -z $BASE ]]; then
  if [[ -x /work/bin/agent-audit-base ]]; then BASE=/work/bin/agent-audit-base; else BASE=/tmp/aa-base; fi
fi
[[ -x $BASE ]] || die "baseline binary $BASE not found (build main into /tmp/aa-base, or set BASE)"
[[ -x $AGENT_AUDIT ]] || die "$AGENT_AUDIT not built (cargo build --release)"
SAMPLES=${SAMPLES:-$REPO_DIR/../shared/samples}
OUT=${OUT:-/tmp/prices-regression}
CORPUS_MB=${CORPUS_MB:-20}
mkdir -p "$OUT" "$ISOLATED_HOME"

corpora=()
if [[ -d $SAMPLES ]]; then
  for d in "$SAMPLES"/*/; do
    n=samples-$(basename "$d")
    corpora+=("$n")
    for side in base new; do
      bin=$BASE; [[ $side == new ]] && bin=$AGENT_AUDIT
      # A folder no format reads is "nothing could be read" (exit 2): not a difference, skip it.
      env -i HOME="$ISOLATED_HOME" TZ=UTC PATH="$PATH" "$bin" usage --by day --json --since 2000-01-01 --logs "$d" \
        >"$OUT/$n.$side.json" 2>"$OUT/$n.$side.err" || echo '{"rows":[],"total":{}}' >"$OUT/$n.$side.json"
    done
  done
else
  log "no shared samples at $SAMPLES: skipped"
fi
gen=$(gen_corpus_py)
for seed in 1 2; do
  dir=/tmp/prices-corpus-$CORPUS_MB-$seed
  [[ -f $dir/expected.json ]] || python3 "$gen" --out "$dir" --total-mb "$CORPUS_MB" --seed "$seed" --codex-share 0.3 >/dev/null
  n=corpus-seed$seed
  corpora+=("$n")
  for side in base new; do
    bin=$BASE; [[ $side == new ]] && bin=$AGENT_AUDIT
    env -i HOME="$ISOLATED_HOME" TZ=UTC PATH="$PATH" CLAUDE_CONFIG_DIR="$dir/claude" CODEX_HOME="$dir/codex" \
      "$bin" usage --by day --json --since 2000-01-01 >"$OUT/$n.$side.json" 2>"$OUT/$n.$side.err" \
      || { cat "$OUT/$n.$side.err" >&2; die "$n ($side) failed"; }
  done
done
"$BASE" prices --json >"$OUT/prices.base.json"

python3 - "$OUT" "$AGENT_AUDIT" "${corpora[@]}" <<'PY'
import json, subprocess, sys
out, new_bin, names = sys.argv[1], sys.argv[2], sys.argv[3:]
base_prices = json.load(open(f"{out}/prices.base.json"))["models"]
FIELDS = ["input", "output", "cache_read", "cache_write_5m", "cache_write_1h", "long_context",
          "fast_multiplier", "priority_multiplier", "flex_multiplier"]
at_cache = {}
def new_prices(day):
    if day not in at_cache:
        at_cache[day] = json.loads(subprocess.run([new_bin, "prices", "--json", "--at", day], check=True,
                                                  capture_output=True, text=True).stdout)["models"]
    return at_cache[day]
def changed(day, models):
    """Models of the day whose set on that day differs from the baseline's single price (or that only the
    new table prices)."""
    table = new_prices(day)
    why = []
    for m in models:
        # The table key a logged id belongs to: itself, an alias, or the longest key it starts with (a dated
        # snapshot or a [1m] suffix); only used to name the set that explains a difference.
        hits = [k for k in table if k == m or m in table[k].get("aliases", []) or m.startswith(k)]
        hits.sort(key=len, reverse=True)
        if not hits:
            continue
        k = hits[0]
        b = base_prices.get(k)
        n = table[k]
        if b is None or any(b.get(f) != n.get(f) for f in FIELDS):
            why.append(f"{k}: {n['price_set']}")
    return why
bad = 0
total_days = same_days = 0
for name in names:
    b = {r["key"]: r for r in json.load(open(f"{out}/{name}.base.json")).get("rows", [])}
    n = {r["key"]: r for r in json.load(open(f"{out}/{name}.new.json")).get("rows", [])}
    diffs = []
    for day in sorted(set(b) | set(n)):
        total_days += 1
        rb, rn = b.get(day, {}), n.get(day, {})
        tok_same = rb.get("tokens") == rn.get("tokens")
        cb, cn = rb.get("priced_usd"), rn.get("priced_usd")
        cost_same = cb is not None and cn is not None and abs(cb - cn) < 1e-9 and rb.get("cost_usd") == rn.get("cost_usd")
        if tok_same and cost_same:
            same_days += 1
            continue
        why = changed(day, rn.get("models", [])) if tok_same else []
        diffs.append((day, cb, cn, why, tok_same))
    for day, cb, cn, why, tok_same in diffs:
        status = "explained" if why else "UNEXPLAINED"
        if not why:
            bad += 1
        print(f"{name} {day}: priced {cb} -> {cn} ({status}{': ' + ', '.join(why) if why else ''}"
              f"{'' if tok_same else '; TOKENS DIFFER'})")
print(f"{same_days} of {total_days} days identical; {total_days - same_days - bad} differ by a dated price; "
      f"{bad} unexplained")
sys.exit(1 if bad else 0)
PY
