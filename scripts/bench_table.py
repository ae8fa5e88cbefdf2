#!/usr/bin/env python3
"""Markdown report of scripts/bench.sh results.   bench_table.py OUT_DIR SIZE...

OUT_DIR/size-SIZE/ holds corpus.txt (corpus dir, bytes, files), <cmd>.status ("ok" or "FAILED ..."),
<cmd>.time (lines "wall_s peak_KiB" from /usr/bin/time -f '%e %M') and hyperfine.json (if hyperfine ran).
"""
import json, os, statistics, sys

NAMES = ["cat", "ccusage daily", "ccusage session", "aa usage", "aa sessions"]
LABEL = {"cat": "cat (all .jsonl files)", "ccusage daily": "ccusage daily --json --offline",
         "ccusage session": "ccusage session --json --offline", "aa usage": "agent-audit usage --by day --json",
         "aa sessions": "agent-audit sessions --all --json"}


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def main():
    out, sizes = sys.argv[1], sys.argv[2:]
    res = {}  # size -> name -> dict
    info = {}
    for size in sizes:
        d = os.path.join(out, f"size-{size}")
        c = (read(os.path.join(d, "corpus.txt"), "") or "").split("\n")
        info[size] = {"corpus": c[0], "bytes": int(c[1]) if len(c) > 1 and c[1] else 0,
                      "files": c[2] if len(c) > 2 else "?"}
        hf = {}
        hj = read(os.path.join(d, "hyperfine.json"))
        if hj:
            for r in json.loads(hj)["results"]:
                hf[r["command"]] = r
        res[size] = {}
        for name in NAMES:
            slug = name.replace(" ", "-")
            status = (read(os.path.join(d, slug + ".status"), "not run") or "").strip()
            row = {"status": status}
            raw = [l.split() for l in (read(os.path.join(d, slug + ".time"), "") or "").splitlines()]
            lines = [(float(l[0]), int(l[1])) for l in raw if len(l) >= 2]
            cpus = [float(l[2]) + float(l[3]) for l in raw if len(l) >= 4]
            if lines:
                row["time_wall"] = statistics.median(w for w, _ in lines)
                if cpus:
                    row["cpu"] = statistics.median(cpus)
                row["peak_mib"] = statistics.median(k for _, k in lines) / 1024
            if name in hf:
                r = hf[name]
                row["wall"] = r.get("median", r["mean"])
                row["spread"] = (r["min"], r["max"])
                row["src"] = f"hyperfine, {len(r.get('times', []))} runs"
                if r.get("user") is not None and r.get("system") is not None:
                    row["cpu"] = r["user"] + r["system"]
            elif "time_wall" in row:
                row["wall"] = row["time_wall"]
                row["spread"] = (min(w for w, _ in lines), max(w for w, _ in lines))
                row["src"] = f"/usr/bin/time, {len(lines)} runs"
            res[size][name] = row

    print()
    for size in sizes:
        i = info[size]
        print(f"- {size} MB corpus: {i['corpus']}, {i['files']} files, {i['bytes']:,} bytes ({i['bytes'] / 2**20:.1f} MiB)")
    print()
    print("| size | command | wall s (median) | min-max s | cpu s | MiB/s | peak MiB | x ccusage daily | x cat |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        base_cc = res[size]["ccusage daily"].get("wall")
        base_cat = res[size]["cat"].get("wall")
        mib = info[size]["bytes"] / 2**20
        for name in NAMES:
            r = res[size][name]
            if r["status"] != "ok" or "wall" not in r:
                print(f"| {size} | {LABEL[name]} | {r['status'][:160]} | | | | | | |")
                continue
            w = r["wall"]
            lo, hi = r["spread"]
            pk = f"{r['peak_mib']:.0f}" if "peak_mib" in r else "?"
            xcc = f"{w / base_cc:.2f}" if base_cc else "-"
            xcat = f"{w / base_cat:.1f}" if base_cat else "-"
            tput = f"{mib / w:.0f}" if w > 0 else "-"
            cpu = f"{r['cpu']:.3f}" if "cpu" in r else "-"
            print(f"| {size} | {LABEL[name]} | {w:.3f} | {lo:.3f}-{hi:.3f} | {cpu} | {tput} | {pk} | {xcc} | {xcat} |")
    srcs = sorted({r["src"] for s in sizes for r in res[s].values() if "src" in r})
    print(f"\nwall: {'; '.join(srcs)}. cpu s: user+system (hyperfine mean, else /usr/bin/time median). peak: median max RSS of the /usr/bin/time runs (cat's is xargs/cat's own).")

    # linear-scaling check between the smallest and the largest corpus
    ordered = sorted(sizes, key=lambda s: info[s]["bytes"])
    if len(ordered) >= 2 and info[ordered[0]]["bytes"]:
        a, b = ordered[0], ordered[-1]
        br = info[b]["bytes"] / info[a]["bytes"]
        limit = 5.5 if (a, b) == ("200", "1024") else br * 5.5 / 5.12
        print(f"\nLinear-scaling check: time({b})/time({a}); bytes ratio {br:.3f} "
              f"({info[b]['bytes']:,} / {info[a]['bytes']:,}); limit {limit:.2f}")
        print()
        print(f"| command | time({a}) s | time({b}) s | ratio | verdict |")
        print("|---|---:|---:|---:|---|")
        for name in NAMES:
            ra, rb = res[a][name], res[b][name]
            if "wall" not in ra or "wall" not in rb:
                print(f"| {LABEL[name]} | {ra.get('wall', 'n/a')} | {rb.get('wall', 'n/a')} | - | not measured |")
                continue
            ratio = rb["wall"] / ra["wall"] if ra["wall"] else float("inf")
            verdict = "linear (<= %.2f)" % limit if ratio <= limit else "SUPERLINEAR (> %.2f)" % limit
            print(f"| {LABEL[name]} | {ra['wall']:.3f} | {rb['wall']:.3f} | {ratio:.2f} | {verdict} |")


if __name__ == "__main__":
    main()
