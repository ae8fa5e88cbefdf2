#!/usr/bin/env python3
"""Per-day token comparison of expected.json, agent-audit and ccusage (called by compare-ccusage.sh).

  compare_usage.py --expected CORPUS/expected.json --dir OUT [--days all|diff]

OUT holds whichever of these exist (a missing file = that run failed or was skipped):
  aa-all.json aa-claude.json aa-codex.json   agent-audit usage --by day --json [--agent claude|codex]
  cc-claude.json                              ccusage claude daily --json --offline
  cc-codex.json                               ccusage codex daily --json --offline
  cc-daily.json                               ccusage daily --json --offline   (unified: every agent)

Field mapping (ours <- ccusage): input <- inputTokens, output <- outputTokens, cache_read <- cacheReadTokens,
cache_write <- cacheCreationTokens, reasoning <- reasoningOutputTokens (Codex only), cost_usd <- totalCost
(claude/unified) or costUSD (codex). Day key: ccusage `date` (per-agent reports) or `period` (unified report).
expected.json: totals[agent][YYYY-MM-DD] = {input, output, cache_write, cache_read}.

Exit 1 when agent-audit differs from expected.json (any agent, day or field; exact integers), when agent-audit
differs from ccusage on Claude Code, or when agent-audit's output is missing. Everything else is informational.
"""
import argparse, datetime, json, os, sys

FIELDS = ("input", "output", "cache_read", "cache_write")
CC_FIELDS = {"input": "inputTokens", "output": "outputTokens", "cache_read": "cacheReadTokens",
             "cache_write": "cacheCreationTokens", "reasoning": "reasoningOutputTokens"}


def norm_day(s):
    s = str(s)
    for fmt in ("%Y-%m-%d", "%b %d, %Y", "%Y/%m/%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            pass
    return s


def load(path):
    if not os.path.exists(path):
        return None, "missing"
    try:
        with open(path) as f:
            return json.load(f), None
    except (OSError, ValueError) as e:
        return None, f"unreadable: {e}"


def from_agent_audit(doc):
    """-> ({day: {field: int, 'cost': float|None}}, total dict or None)"""
    days = {}
    for row in doc.get("rows", []):
        t = row.get("tokens", {})
        d = {k: int(t.get(k, 0) or 0) for k in FIELDS + ("reasoning",)}
        d["cost"] = row.get("cost_usd")
        days[norm_day(row["key"])] = d
    tot = doc.get("total")
    total = None
    if isinstance(tot, dict):
        t = tot.get("tokens", {})
        total = {k: int(t.get(k, 0) or 0) for k in FIELDS + ("reasoning",)}
        total["cost"] = tot.get("cost_usd")
    return days, total


def from_ccusage(doc):
    days = {}
    rows = doc.get("daily", doc.get("data", []))
    for row in rows:
        key = row.get("date", row.get("period"))
        d = {k: int(row.get(v, 0) or 0) for k, v in CC_FIELDS.items()}
        d["cost"] = row.get("totalCost", row.get("costUSD"))
        days[norm_day(key)] = d
    t = doc.get("totals")
    total = None
    if isinstance(t, dict):
        total = {k: int(t.get(v, 0) or 0) for k, v in CC_FIELDS.items()}
        total["cost"] = t.get("totalCost", t.get("costUSD"))
    return days, total


def add(a, b):
    out = dict(a)
    for k in FIELDS:
        out[k] = out.get(k, 0) + b.get(k, 0)
    return out


def sum_days(days):
    tot = {k: 0 for k in FIELDS + ("reasoning",)}
    cost = 0.0
    for d in days.values():
        for k in tot:
            tot[k] += d.get(k, 0) or 0
        c = d.get("cost")
        cost = None if (cost is None or c is None) else cost + c
    tot["cost"] = cost
    return tot


def fmt_cost(c):
    return "-" if c is None else f"{c:.4f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expected", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--days", choices=("all", "diff"), default="all")
    a = ap.parse_args()

    exp = json.load(open(a.expected))
    exp_days = {ag: {d: {k: v[k] for k in FIELDS} for d, v in days.items()} for ag, days in exp["totals"].items()}
    exp_days.setdefault("claude", {})
    exp_days.setdefault("codex", {})
    allx = {}
    for ag in ("claude", "codex"):
        for d, v in exp_days[ag].items():
            allx[d] = add(allx.get(d, {k: 0 for k in FIELDS}), v)
    exp_days["all"] = allx
    print(f"\ncorpus: {os.path.dirname(os.path.abspath(a.expected))}  files={exp.get('files')} bytes={exp.get('bytes')}")

    checks = []  # (status, text) ; status in PASS / FAIL / INFO / NOTE

    sections = [
        ("claude", "Claude Code", "aa-claude", "agent-audit usage --by day --json --agent claude",
         "cc-claude", "ccusage claude daily --json --offline", True),
        ("codex", "Codex", "aa-codex", "agent-audit usage --by day --json --agent codex",
         "cc-codex", "ccusage codex daily --json --offline", False),
        ("all", "All agents", "aa-all", "agent-audit usage --by day --json",
         "cc-daily", "ccusage daily --json --offline (unified)", False),
    ]
    for agent, title, aa_name, aa_cmd, cc_name, cc_cmd, cc_strict in sections:
        expd = exp_days[agent]
        aa_doc, aa_err = load(os.path.join(a.dir, aa_name + ".json"))
        cc_doc, cc_err = load(os.path.join(a.dir, cc_name + ".json"))
        aa_days, aa_total = from_agent_audit(aa_doc) if aa_doc is not None else (None, None)
        cc_days, cc_total = from_ccusage(cc_doc) if cc_doc is not None else (None, None)

        print(f"\n=== {title}: expected.json | agent-audit ({aa_cmd}) | ccusage ({cc_cmd})")
        if aa_days is None:
            print(f"    agent-audit: {aa_err} (see {os.path.join(a.dir, aa_name + '.err')})")
        if cc_days is None:
            if agent == "codex" and cc_err == "missing" and not os.path.exists(os.path.join(a.dir, cc_name + ".err")):
                print("    ccusage: this ccusage version has no Codex report; Codex is compared against expected.json only")
            else:
                print(f"    ccusage: {cc_err} (see {os.path.join(a.dir, cc_name + '.err')})")
        hdr = f"{'day':<11} {'source':<12}" + "".join(f"{k:>15}" for k in FIELDS) + f"{'cost_usd':>13}"
        print(hdr)
        print("-" * len(hdr))
        all_dates = sorted(set(expd) | set(aa_days or {}) | set(cc_days or {}))
        zero = {k: 0 for k in FIELDS}
        aa_bad, cc_bad, aacc_bad = [], [], []
        for day in all_dates:
            e = expd.get(day, zero)
            rows = [("expected", e)]
            if aa_days is not None:
                rows.append(("agent-audit", aa_days.get(day)))
            if cc_days is not None:
                rows.append(("ccusage", cc_days.get(day)))
            differs = False
            for src, r in rows[1:]:
                rr = r or zero
                for k in FIELDS:
                    if rr.get(k, 0) != e.get(k, 0):
                        differs = True
                        (aa_bad if src == "agent-audit" else cc_bad).append((day, k, e.get(k, 0), rr.get(k, 0)))
            if aa_days is not None and cc_days is not None:
                x, y = aa_days.get(day) or zero, cc_days.get(day) or zero
                for k in FIELDS:
                    if x.get(k, 0) != y.get(k, 0):
                        differs = True
                        aacc_bad.append((day, k, x.get(k, 0), y.get(k, 0)))
            if a.days == "diff" and not differs:
                continue
            for i, (src, r) in enumerate(rows):
                cells = []
                for k in FIELDS:
                    if r is None:
                        cells.append(f"{'(no row)' if k == FIELDS[0] else '':>15}")
                        continue
                    mark = "*" if (src != "expected" and r.get(k, 0) != e.get(k, 0)) else " "
                    cells.append(f"{r.get(k, 0):>14}{mark}")
                cost = fmt_cost(r.get("cost")) if r is not None and src != "expected" else "-"
                print(f"{day if i == 0 else '':<11} {src:<12}" + "".join(cells) + f"{cost:>13}")

        # totals
        print("-" * len(hdr))
        et = sum_days({d: v for d, v in expd.items()})
        trows = [("expected", et)]
        if aa_days is not None:
            trows.append(("agent-audit", aa_total if aa_total is not None else sum_days(aa_days)))
        if cc_days is not None:
            trows.append(("ccusage", cc_total if cc_total is not None else sum_days(cc_days)))
        for i, (src, r) in enumerate(trows):
            cells = "".join(f"{r.get(k, 0):>14}{'*' if src != 'expected' and r.get(k, 0) != et.get(k, 0) else ' '}"
                            for k in FIELDS)
            cost = fmt_cost(r.get("cost")) if src != "expected" else "-"
            print(f"{'TOTAL' if i == 0 else '':<11} {src:<12}" + cells + f"{cost:>13}")
        if agent == "codex":
            rs = [(src, r.get("reasoning")) for src, r in trows[1:] if r.get("reasoning") is not None]
            if rs:
                print("            reasoning (part of output): " + ", ".join(f"{s}={v}" for s, v in rs))
        print("('*' = differs from expected.json)")

        if aa_doc is not None and aa_doc.get("time_zone") not in (None, "UTC", "Etc/UTC", "+00:00", "Z"):
            checks.append(("NOTE", f"{title}: agent-audit reports time_zone={aa_doc.get('time_zone')!r}, expected.json days are UTC"))
        if aa_total is not None and aa_total.get("cost") is None and aa_doc.get("total", {}).get("unpriced_models"):
            checks.append(("NOTE", f"{title}: agent-audit cost_usd is null; unpriced models: "
                                   + ", ".join(aa_doc["total"]["unpriced_models"])))
        # total-object consistency for agent-audit
        if aa_days is not None and aa_total is not None:
            s = sum_days(aa_days)
            bad = [k for k in FIELDS if s[k] != aa_total[k]]
            if bad:
                checks.append(("FAIL", f"{title}: agent-audit 'total' != sum of its rows for {', '.join(bad)}"))

        def describe(bad, lhs, rhs):
            days = sorted({d for d, *_ in bad})
            ex = "; ".join(f"{d} {k}: {lhs}={x} {rhs}={y} (diff {y - x:+d})" for d, k, x, y in bad[:4])
            return f"{len(days)} day(s), {len(bad)} field(s) differ, e.g. {ex}"

        n = len(all_dates)
        if aa_days is None:
            checks.append(("FAIL", f"{title}: agent-audit output {aa_err}, not compared"))
        elif aa_bad:
            checks.append(("FAIL", f"{title}: agent-audit vs expected.json: " + describe(aa_bad, "expected", "agent-audit")))
        else:
            checks.append(("PASS", f"{title}: agent-audit == expected.json ({n} days x 4 fields, exact)"))
        if cc_days is None:
            checks.append(("NOTE", f"{title}: no ccusage figures ({cc_err})"))
        elif cc_bad:
            checks.append(("INFO", f"{title}: ccusage vs expected.json: " + describe(cc_bad, "expected", "ccusage")))
        else:
            checks.append(("INFO", f"{title}: ccusage == expected.json ({n} days x 4 fields, exact)"))
        if aa_days is not None and cc_days is not None:
            if aacc_bad:
                checks.append(("FAIL" if cc_strict else "INFO",
                               f"{title}: agent-audit vs ccusage: " + describe(aacc_bad, "agent-audit", "ccusage")))
            else:
                checks.append(("PASS" if cc_strict else "INFO", f"{title}: agent-audit == ccusage ({n} days x 4 fields)"))
            ac, cc = (aa_total or sum_days(aa_days)).get("cost"), (cc_total or sum_days(cc_days)).get("cost")
            if ac is not None and cc is not None and aa_days:
                rel = (ac - cc) / cc * 100 if cc else 0.0
                checks.append(("INFO", f"{title}: total cost agent-audit ${ac:.4f} vs ccusage ${cc:.4f} ({rel:+.3f}%)"))

    print("\n=== checks")
    for st, text in checks:
        print(f"  {st:<4} {text}")
    failed = any(st == "FAIL" for st, _ in checks)
    print("\nRESULT:", "FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
