#!/usr/bin/env python3
"""A synthetic machine's logs of five agents, for `scripts/bench_mixed.sh`.

    gen_mixed_corpus.py --out DIR --total-mb 1024 [--seed 3]

Claude Code and Codex come from ../shared/tools/gen_corpus.py (60% of the bytes, its own expected.json);
Gemini CLI (JSONL chats), GitHub Copilot CLI (events.jsonl) and OpenCode (opencode.db) are written here in
the shapes agent-audit's tests use (the agents' real shapes: see tests/cli/opencode.rs and
testdata/opencode/schema.sql), about 13% of the bytes each, with large tool outputs like real logs.
Layout: DIR/home is HOME (.gemini/tmp, .copilot/session-state, .local/share/opencode), DIR/claude and
DIR/codex are CLAUDE_CONFIG_DIR and CODEX_HOME. DIR/expected.json holds, per agent, the exact token totals
agent-audit must report.
"""

import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "tools", "gen_corpus.py")
SCHEMA = os.path.join(HERE, "..", "testdata", "opencode", "schema.sql")

DAYS = 120
BASE = 1_767_225_600  # 2026-01-01T00:00:00Z


def iso(t):
    import datetime

    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def filler(rng, n):
    words = ["fn", "let", "match", "return", "self", "impl", "pub", "struct", "use", "mod", "if", "else"]
    out = []
    size = 0
    while size < n:
        w = rng.choice(words)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def gemini(root, budget, rng, exp):
    written = 0
    s = 0
    while written < budget:
        s += 1
        project = hashlib.sha256(f"/work/project-{s % 7}".encode()).hexdigest()
        sid = f"gem-{s:06d}"
        t = BASE + rng.randrange(DAYS * 86400)
        path = os.path.join(root, ".gemini", "tmp", project, "chats", f"session-{iso(t)[:16].replace(':', '-')}-{sid}.jsonl")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(json.dumps({"sessionId": sid, "projectHash": project, "startTime": iso(t), "kind": "main"}) + "\n")
            for m in range(rng.randrange(5, 40)):
                t += rng.randrange(5, 120)
                f.write(json.dumps({"id": f"u{m}", "timestamp": iso(t), "type": "user", "content": filler(rng, 200)}) + "\n")
                inp, out, cached, thoughts = rng.randrange(2000, 90000), rng.randrange(50, 3000), 0, rng.randrange(0, 800)
                cached = rng.randrange(0, inp)
                rec = {"id": f"g{m}", "timestamp": iso(t + 3), "type": "gemini", "model": rng.choice(["gemini-2.5-pro", "gemini-2.5-flash"]),
                       "content": filler(rng, 400),
                       "tokens": {"input": inp, "output": out, "cached": cached, "thoughts": thoughts, "tool": 0, "total": inp + out + thoughts},
                       "toolCalls": [{"id": f"c{m}", "name": "read_file", "status": "success", "args": {"absolute_path": "/work/x.rs"},
                                      "result": [{"functionResponse": {"response": {"output": filler(rng, rng.randrange(2000, 12000))}}}]}]}
                f.write(json.dumps(rec) + "\n")
                e = exp["gemini"]
                e["input"] += inp - cached
                e["output"] += out + thoughts
                e["cache_read"] += cached
                e["steps"] += 1
        written += os.path.getsize(path)
    exp["gemini"]["files"] = s
    return written


def copilot(root, budget, rng, exp):
    written = 0
    s = 0
    while written < budget:
        s += 1
        sid = f"cop-{s:06d}"
        t = BASE + rng.randrange(DAYS * 86400)
        path = os.path.join(root, ".copilot", "session-state", sid, "events.jsonl")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        model = rng.choice(["gpt-5", "claude-sonnet-4.5"])
        ev = lambda kind, ts, data, i: json.dumps({"type": kind, "data": data, "id": f"{sid}-{i}", "timestamp": iso(ts)})
        with open(path, "w") as f:
            f.write(ev("session.start", t, {"sessionId": sid, "context": {"cwd": f"/work/project-{s % 7}"}}, 0) + "\n")
            f.write(ev("session.model_change", t + 1, {"newModel": model}, 1) + "\n")
            out_total = 0
            n = rng.randrange(5, 40)
            for m in range(n):
                t += rng.randrange(5, 120)
                out = rng.randrange(50, 3000)
                out_total += out
                f.write(ev("assistant.message", t, {"messageId": f"{sid}-m{m}", "content": filler(rng, 300), "outputTokens": out,
                                                    "toolRequests": [{"toolCallId": f"t{m}", "name": "view", "arguments": {"path": "/work/x.rs"}}]}, 2 + 2 * m) + "\n")
                f.write(ev("tool.execution_complete", t + 1, {"toolCallId": f"t{m}", "success": True,
                                                               "result": {"content": filler(rng, rng.randrange(2000, 12000))}}, 3 + 2 * m) + "\n")
            inp = rng.randrange(10000, 900000)
            cache = rng.randrange(0, inp)
            f.write(ev("session.shutdown", t + 5, {"modelMetrics": {model: {"usage": {"inputTokens": inp, "outputTokens": out_total,
                                                                                 "cacheReadTokens": cache, "cacheWriteTokens": 0}}}}, 999) + "\n")
            e = exp["copilot"]
            e["input"] += inp - cache
            e["output"] += out_total
            e["cache_read"] += cache
        written += os.path.getsize(path)
    exp["copilot"]["files"] = s
    return written


def opencode(root, budget, rng, exp):
    d = os.path.join(root, ".local", "share", "opencode")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "opencode.db")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript(open(SCHEMA).read())
    db.execute("INSERT INTO project VALUES ('global', '/', 'git', NULL, NULL, NULL, 0, 0, NULL, '[]')")
    s = 0
    approx = 0
    while approx < budget:
        s += 1
        sid = f"ses_{s:06d}"
        db.execute("INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'global', 's', ?, 't', '1.2.0', 0, 0)",
                   (sid, f"/work/project-{s % 7}"))
        t = (BASE + rng.randrange(DAYS * 86400)) * 1000
        for m in range(rng.randrange(5, 40)):
            t += rng.randrange(5000, 120000)
            mid = f"msg_{s:06d}_{m:03d}"
            inp, out, rea, cr, cw = rng.randrange(100, 9000), rng.randrange(50, 3000), rng.randrange(0, 500), rng.randrange(0, 90000), rng.randrange(0, 9000)
            data = {"role": "assistant", "time": {"created": t, "completed": t + 900}, "modelID": "claude-sonnet-4-5-20250929",
                    "providerID": "anthropic", "cost": 0.01, "tokens": {"input": inp, "output": out, "reasoning": rea, "cache": {"read": cr, "write": cw}}}
            db.execute("INSERT INTO message VALUES (?, ?, ?, ?, ?)", (mid, sid, t, t, json.dumps(data)))
            part = {"type": "tool", "tool": "read", "callID": f"c{m}", "state": {"status": "completed", "input": {"filePath": "/work/x.rs"},
                                                                               "output": filler(rng, rng.randrange(2000, 12000))}}
            pj = json.dumps(part)
            db.execute("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)", (f"prt_{s:06d}_{m:03d}", mid, sid, t, t, pj))
            approx += len(pj) + 400
            e = exp["opencode"]
            e["input"] += inp
            e["output"] += out + rea
            e["cache_read"] += cr
            e["cache_write"] += cw
            e["steps"] += 1
    db.commit()
    db.close()
    exp["opencode"]["files"] = 1
    return os.path.getsize(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--total-mb", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    total = a.total_mb << 20
    os.makedirs(a.out, exist_ok=True)
    cc_mb = max(1, a.total_mb * 60 // 100)
    subprocess.run([sys.executable, SHARED, "--out", a.out, "--total-mb", str(cc_mb), "--seed", str(a.seed)],
                   check=True, stdout=subprocess.DEVNULL)
    base = json.load(open(os.path.join(a.out, "expected.json")))
    home = os.path.join(a.out, "home")
    exp = {k: {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0, "steps": 0} for k in ("gemini", "copilot", "opencode")}
    share = (total - (cc_mb << 20)) // 3
    sizes = {"gemini": gemini(home, share, rng, exp), "copilot": copilot(home, share, rng, exp), "opencode": opencode(home, share, rng, exp)}
    out = {"claude": base.get("claude"), "codex": base.get("codex"), **exp, "bytes": sizes}
    json.dump(out, open(os.path.join(a.out, "expected-mixed.json"), "w"), indent=1)
    print(json.dumps({k: v for k, v in sizes.items()}))


if __name__ == "__main__":
    main()
