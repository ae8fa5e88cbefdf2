#!/usr/bin/env python3
"""Writes a synthetic git history plus the Claude Code sessions that produced part of it, for the git
correlation benchmark (scripts/bench_git.sh) and for correctness spot checks.

  gen_git_bench.py --out DIR [--commits 20000] [--sessions 500] [--seed 1] [--force] [--no-repack]

DIR/repo                                        git repository (branch main checked out), built with
                                                `git fast-import`: ~300 Rust-like files in ~30 dirs,
                                                commits spread over one year, 5% merge commits of short
                                                feature branches, ~1% squash merges ("Title (#N)")
DIR/home/.claude/projects/<encoded-cwd>/*.jsonl Claude Code session logs (HOME=DIR/home); cwd = DIR/repo
DIR/expected.json                               per session: what the session finally added, and how much
                                                of it was committed / merged / is still in HEAD

Every generated non-trivial line is unique in the repository (a global counter is part of it), so what a
session added, and which commit holds it, is known exactly. Lines are counted as agent-audit counts them:
trailing whitespace ignored, trivial lines (blank, or 3 characters or fewer once trimmed) not counted.

Session roles (fractions of --sessions):
  direct    57%  edits committed on main (one commit; route fast-forward)
  merge     15%  edits committed on a 2-3 commit feature branch merged with a merge commit (route merge)
  squash     8%  feature branch squash-merged as one new commit "Title (#N)" (route squash); half of
                 the branches are kept as refs
  abandoned 10%  edits committed on a branch that is kept but never merged (committed, not merged)
  lost      10%  edits never committed
40% of the committed sessions also edit one file whose changes are never committed; some sessions rewrite
their own earlier lines (only the final form counts) and some have a failed Edit (not applied).
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

START_EPOCH = 1761955200  # 2025-11-01T00:00:00Z
SPAN_S = 365 * 86400
N_DIRS = 30
INITIAL_FILES = 200
TARGET_FILES = 300

HUMANS = [("Alice Martin", "alice@example.com"), ("Bob Chen", "bob@example.com"),
          ("Carla Rossi", "carla@example.com"), ("Deepak Rao", "deepak@example.com"),
          ("Emma Schulz", "emma@example.com"), ("Femi Adeyemi", "femi@example.com"),
          ("Grace Kim", "grace@example.com"), ("Hugo Dubois", "hugo@example.com"),
          ("Ines Costa", "ines@example.com"), ("Jon Berg", "jon@example.com")]
VERBS = "parse load store fetch merge split build check apply render encode decode scan flush read write " \
        "update resolve compute index sort filter map reduce".split()
NOUNS = "config token cache buffer request response header record entry batch frame chunk session path " \
        "table index window cursor block range value item event".split()
TYPES = ["u32", "u64", "usize", "i64", "&str", "bool", "f64"]
TOPICS = ["retry logic", "the cache layer", "error handling", "config parsing", "the index writer",
          "batch flushing", "the request router", "logging", "metrics", "the CLI flags", "pagination",
          "timeouts", "the session store", "input validation", "the diff renderer"]
MODEL = "claude-sonnet-4-5-20250929"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def trivial(line):
    return len(line.strip()) <= 3


def nontrivial(lines):
    return [l for l in lines if not trivial(l)]


def iso(t_ms):
    s, ms = divmod(t_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%03dZ" % ms


class Gen:
    def __init__(self, args, repo, home):
        self.rng = random.Random(args.seed)
        self.args = args
        self.repo = repo
        self.cwd = repo
        self.uid = 0
        self.files = {}  # main's content: path -> list of lines
        self.last_mod = {}  # path -> main step index of its last change on main
        self.main_marks = []  # per main step: (mark, time)
        self.mark = 0
        self.commits = 0
        self.merges = 0
        self.squashes = 0
        self.file_no = 0
        self.out = None
        self.sessions = []  # expected entries (dict) with internal fields
        self.session_commit_marks = {}
        self.log_bytes = 0
        proj = re.sub(r"[^A-Za-z0-9]", "-", self.cwd)
        self.proj_dir = os.path.join(home, ".claude", "projects", proj)
        os.makedirs(self.proj_dir, exist_ok=True)
        self.pr_no = 100

    # ---------- content ----------
    def nid(self):
        self.uid += 1
        n, s = self.uid, ""
        while n:
            n, r = divmod(n, 36)
            s = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + s
        return s

    def stmt(self, ind="    "):
        r = self.rng
        i = self.nid()
        k = r.random()
        if k < 0.45:
            return [f"{ind}let {r.choice(NOUNS)}_{i} = {r.choice(VERBS)}_{r.choice(NOUNS)}(&{r.choice(NOUNS)}, {r.randint(0, 4096)});"]
        if k < 0.6:
            return [f"{ind}// {r.choice(VERBS)} the {r.choice(NOUNS)} before the {r.choice(NOUNS)} ({i})"]
        if k < 0.75:
            return [f"{ind}if {r.choice(NOUNS)}_{i}.len() > {r.randint(1, 512)} {{",
                    f"{ind}    return Err(Error::{r.choice(NOUNS).title()}({r.randint(0, 99)}, \"{i}\"));",
                    f"{ind}}}"]
        if k < 0.85:
            return [f"{ind}self.{r.choice(NOUNS)}.{r.choice(VERBS)}_{i}({r.choice(NOUNS)}, {r.randint(0, 64)})?;"]
        if k < 0.93:
            return [f"{ind}for {r.choice(NOUNS)}_{i} in {r.choice(NOUNS)}s.iter() {{",
                    f"{ind}    total += {r.choice(NOUNS)}_{i}.{r.choice(VERBS)}_{r.choice(NOUNS)}();",
                    f"{ind}}}"]
        return [""]

    def func(self, n_body):
        r = self.rng
        i = self.nid()
        out = [f"pub fn {r.choice(VERBS)}_{r.choice(NOUNS)}_{i}({r.choice(NOUNS)}: {r.choice(TYPES)}) -> Result<{r.choice(TYPES[:4])}> {{"]
        while len(out) < n_body:
            out += self.stmt()
        out += [f"    Ok({r.choice(NOUNS)}_{i})", "}", ""]
        return out

    def block(self, n):
        """n-ish new lines to splice into a function body."""
        out = []
        while len(out) < n:
            out += self.stmt()
        return out

    def new_file_lines(self, n):
        r = self.rng
        out = [f"//! {r.choice(VERBS).title()} {r.choice(NOUNS)}s ({self.nid()}).", "",
               f"use crate::{r.choice(NOUNS)}::{r.choice(NOUNS).title()}{self.nid()};", ""]
        while len(out) < n:
            out += self.func(r.randint(5, 25))
        return out

    def new_path(self):
        self.file_no += 1
        return f"src/mod{self.rng.randrange(N_DIRS):02d}/file_{self.file_no}.rs"

    def make_edit(self, L, grow=None):
        """Splices new lines into L (in place). Returns (pos, old_lines, new_lines, anchored): old/new are
        Edit's old_string/new_string lines; for an insert both start with the same anchor line (at pos)."""
        r = self.rng
        n = len(L)
        if grow is None:
            grow = 0.7 if n < 80 else (0.2 if n > 350 else 0.5)
        for _ in range(50):
            if r.random() < grow:  # insert after a non-trivial anchor
                pos = r.randint(1, n)
                if trivial(L[pos - 1]):
                    continue
                blk = self.block(r.randint(2, 10))
                old, new = [L[pos - 1]], [L[pos - 1]] + blk
                L[pos:pos] = blk
                return pos - 1, old, new, True
            pos = r.randrange(n)
            d = r.randint(1, 4) if n < 350 else r.randint(3, 8)
            old = L[pos:pos + d]
            if not nontrivial(old):
                continue
            blk = self.block(r.randint(1, 6))
            L[pos:pos + len(old)] = blk
            return pos, old, blk, False
        raise RuntimeError("no editable spot")

    def human_modify(self, L):
        for _ in range(self.rng.randint(1, 3)):
            self.make_edit(L)

    # ---------- fast-import ----------
    def emit_commit(self, ref, t, who, msg, parents, changes, author_t=None):
        self.mark += 1
        self.commits += 1
        w = self.out.write
        name, email = who
        mb = msg.encode()
        w(b"commit %s\nmark :%d\nauthor %s <%s> %d +0000\ncommitter %s <%s> %d +0000\ndata %d\n"
          % (ref.encode(), self.mark, name.encode(), email.encode(), author_t or t, name.encode(), email.encode(),
             t, len(mb)))
        w(mb + b"\n")
        if parents:
            w(b"from :%d\n" % parents[0])
            for p in parents[1:]:
                w(b"merge :%d\n" % p)
        for path, lines in changes.items():
            data = ("\n".join(lines) + "\n").encode()
            w(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
            w(data + b"\n")
        w(b"\n")
        return self.mark

    def main_commit(self, t, who, msg, changes, merge_parent=None):
        parents = [self.main_marks[-1][0]] if self.main_marks else []
        if merge_parent:
            parents.append(merge_parent)
        m = self.emit_commit("refs/heads/main", t, who, msg, parents, changes)
        step = len(self.main_marks)
        for p, lines in changes.items():
            self.files[p] = lines
            self.last_mod[p] = step
        self.main_marks.append((m, t))
        return m

    def message(self, agent):
        r = self.rng
        msg = f"{r.choice(VERBS).title()} {r.choice(NOUNS)} handling in {r.choice(TOPICS)}"
        if agent and r.random() < 0.6:
            msg += "\n\n\U0001F916 Generated with [Claude Code](https://claude.com/claude-code)\n\n" \
                   "Co-Authored-By: Claude <noreply@anthropic.com>"
        return msg

    # ---------- sessions ----------
    def rid(self, prefix, n=24):
        return prefix + "".join(self.rng.choice(B62) for _ in range(n))

    def uuid4(self):
        return "%08x-%04x-4%03x-%04x-%012x" % (self.rng.getrandbits(32), self.rng.getrandbits(16),
                                               self.rng.getrandbits(12), 0x8000 | self.rng.getrandbits(14),
                                               self.rng.getrandbits(48))

    def run_session(self, base, n_existing, n_new, chunks, extra, role):
        """Plans a session's tool calls against `base` (path -> lines). Returns a dict with the calls,
        the per-chunk file snapshots (to commit) and the final added-line bags."""
        r = self.rng
        cands = [p for p in base if p not in extra]
        targets = r.sample(cands, min(n_existing, len(cands)))
        units = [("edit", p) for p in targets] + [("new", self.new_path()) for _ in range(n_new)]
        r.shuffle(units)
        chunks = max(1, min(chunks, len(units)))
        cut = sorted(r.sample(range(1, len(units)), chunks - 1)) if chunks > 1 else []
        wc = {}
        bags = {}  # path -> set of non-trivial lines the session added (final form)
        calls = []  # (name, input, tool_result_text, toolUseResult, is_error)
        snaps = []

        def abs_(p):
            return self.cwd + "/" + p

        def read(p):
            L = wc[p] if p in wc else base[p]
            text = "\n".join("%6d\u2192%s" % (i + 1, l) for i, l in enumerate(L))
            calls.append(("Read", {"file_path": abs_(p)}, text,
                          {"type": "text", "file": {"filePath": abs_(p), "content": "\n".join(L) + "\n",
                                                    "numLines": len(L), "startLine": 1, "totalLines": len(L)}},
                          False))

        def edit(p, own=False):
            if p not in wc:
                wc[p] = list(base[p])
            L = wc[p]
            original = "\n".join(L) + "\n"
            bag = bags.setdefault(p, set())
            if own and bag:
                # Rewrite one of the session's own lines.
                i = r.choice([i for i, l in enumerate(L) if l in bag])
                pos, old, new, anchored = i, [L[i]], self.stmt(), False
                L[i:i + 1] = new
            else:
                pos, old, new, anchored = self.make_edit(L)
            shared = old[:1] if anchored else []
            removed = old[len(shared):]
            added = new[len(shared):]
            for l in removed:
                bag.discard(l)
            bag.update(nontrivial(added))
            # structuredPatch with 3 lines of context, as Claude Code writes it (an insert's anchor line is
            # context, like a line diff makes it).
            before = L[max(0, pos - 3):pos]
            after_start = pos + len(new)
            after = L[after_start:after_start + 3]
            plines = [" " + l for l in before + shared]
            plines += ["-" + l for l in removed] + ["+" + l for l in added]
            plines += [" " + l for l in after]
            old_start = max(0, pos - 3) + 1
            patch = [{"oldStart": old_start, "oldLines": len(before) + len(old) + len(after),
                      "newStart": old_start, "newLines": len(before) + len(new) + len(after), "lines": plines}]
            snippet = "\n".join("%6d\u2192%s" % (pos + 1 + k, l) for k, l in enumerate(new[:8]))
            calls.append(("Edit", {"file_path": abs_(p), "old_string": "\n".join(old),
                                   "new_string": "\n".join(new)},
                          f"The file {abs_(p)} has been updated. Here's the result of running `cat -n` on a "
                          f"snippet of the edited file:\n{snippet}",
                          {"filePath": abs_(p), "oldString": "\n".join(old), "newString": "\n".join(new),
                           "originalFile": original, "structuredPatch": patch, "userModified": False,
                           "replaceAll": False},
                          False))

        def write(p):
            L = self.new_file_lines(r.randint(30, 150))
            wc[p] = L
            bags[p] = set(nontrivial(L))
            text = "\n".join(L) + "\n"
            calls.append(("Write", {"file_path": abs_(p), "content": text},
                          f"File created successfully at: {abs_(p)}",
                          {"type": "create", "filePath": abs_(p), "content": text, "structuredPatch": []},
                          False))

        for i, (kind, p) in enumerate(units):
            if i in cut:
                snaps.append({q: list(wc[q]) for q in chunk_paths})
            if i == 0 or i in cut:
                chunk_paths = set()
            chunk_paths.add(p)
            if kind == "new":
                write(p)
                continue
            read(p)
            for _ in range(r.randint(1, 3)):
                edit(p)
            if r.random() < 0.08:  # a failed Edit: not applied
                calls.append(("Edit", {"file_path": abs_(p), "old_string": "    let x = old_value();",
                                       "new_string": f"    let x_{self.nid()} = new_value_{self.nid()}();"},
                              "<tool_use_error>String to replace not found in file.\nString:     let x = "
                              "old_value();</tool_use_error>",
                              "Error: String to replace not found in file.\nString:     let x = old_value();",
                              True))
        if r.random() < 0.25:  # rewrite one of its own lines (only the final form counts)
            own = [p for p in chunk_paths if bags.get(p)]
            if own:
                edit(r.choice(own), own=True)
        snaps.append({q: list(wc[q]) for q in chunk_paths})
        # Extra reads, a test run, and edits that are never committed.
        for p in r.sample(list(base), min(len(base), r.randint(1, 4))):
            read(p)
        calls.append(("Bash", {"command": "cargo test 2>&1 | tail -20", "description": "Run the tests"},
                      "\n".join(f"test {r.choice(NOUNS)}::tests::{r.choice(VERBS)}_{self.nid()} ... ok"
                                for _ in range(r.randint(5, 20))) + "\n\ntest result: ok.", None, False))
        for p in extra:
            read(p)
            for _ in range(r.randint(1, 2)):
                edit(p)
        return {"calls": calls, "snaps": snaps, "bags": bags, "extra": list(extra)}

    def write_log(self, plan, end_s, branch, role):
        r = self.rng
        sid = self.uuid4()
        calls = plan["calls"]
        # Timestamps: the session ends at end_s; each line 2-40 s after the previous one.
        n_lines = 2 + 3 * len(calls)
        steps = [r.randint(2000, 40000) for _ in range(n_lines)]
        t = end_s * 1000 - sum(steps)
        start_ms = t
        parent = None
        out = []
        cache_read = r.randint(12000, 20000)

        def rec(kind, extra, msg):
            nonlocal parent, t
            t += steps[len(out)] if len(out) < len(steps) else 1000
            u = self.uuid4()
            d = {"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": self.cwd,
                 "sessionId": sid, "version": "2.1.38", "gitBranch": branch, "type": kind}
            d.update(extra)
            d["message"] = msg
            d["uuid"] = u
            d["timestamp"] = iso(t)
            return d, u

        def push(d, u, tur=None):
            nonlocal parent
            if tur is not None:
                d["toolUseResult"] = tur
                # keep uuid/timestamp last, as Claude Code does
                d["uuid"] = d.pop("uuid")
                d["timestamp"] = d.pop("timestamp")
            out.append(json.dumps(d, separators=(",", ":"), ensure_ascii=False))
            parent = u

        topic = r.choice(TOPICS)
        d, u = rec("user", {}, {"role": "user", "content": f"Please improve {topic}; keep the tests green."})
        push(d, u)

        def assistant(content, stop, out_tokens, mid=None, req=None):
            nonlocal cache_read
            mid = mid or self.rid("msg_01")
            req = req or self.rid("req_011C")
            cache_create = r.randint(100, 2500)
            d, u = rec("assistant", {"requestId": req},
                       {"id": mid, "type": "message", "role": "assistant", "model": MODEL, "content": content,
                        "stop_reason": stop,
                        "usage": {"input_tokens": 3, "cache_creation_input_tokens": cache_create,
                                  "cache_read_input_tokens": cache_read, "output_tokens": out_tokens}})
            push(d, u)
            cache_read += cache_create
            return mid, req

        for name, inp, text, tur, is_err in calls:
            tid = self.rid("toolu_01")
            mid, req = None, None
            if r.random() < 0.3:  # text block first: same response, a streaming snapshot line
                mid, req = assistant([{"type": "text", "text": f"Let me look at {os.path.basename(inp.get('file_path', 'the tests'))}."}],
                                     None, r.randint(1, 9))
            assistant([{"type": "tool_use", "id": tid, "name": name, "input": inp}], "tool_use",
                      r.randint(40, 600), mid, req)
            res = {"tool_use_id": tid, "type": "tool_result", "content": text}
            if is_err:
                res["is_error"] = True
            d, u = rec("user", {}, {"role": "user", "content": [res]})
            push(d, u, tur if tur is not None else {"stdout": text, "stderr": "", "interrupted": False,
                                                    "isImage": False})
        assistant([{"type": "text", "text": f"Done: {topic} updated and the tests pass."}], "end_turn",
                  r.randint(50, 300))
        data = "\n".join(out) + "\n"
        with open(os.path.join(self.proj_dir, sid + ".jsonl"), "w", encoding="utf-8") as f:
            f.write(data)
        self.log_bytes += len(data)
        return sid, start_ms // 1000, t // 1000

    # ---------- history ----------
    def pick_fork(self, max_back):
        """A main step to fork from, 0-max_back steps back."""
        back = self.rng.randint(0, min(max_back, len(self.main_marks) - 1))
        return len(self.main_marks) - 1 - back

    def stable_since(self, step):
        """Files unchanged on main since main step `step` (so a branch forked there merges cleanly)."""
        return {p: L for p, L in self.files.items() if self.last_mod[p] <= step}

    def record_session(self, sid, role, plan, commit_adds, start, end, via, branch):
        self.sessions.append({"id": sid, "role": role, "branch": branch, "started_at": start, "ended_at": end,
                              "bags": plan["bags"], "commit_adds": commit_adds, "merged_via": via,
                              "extra": plan["extra"]})

    def adds_of(self, old_files, changes):
        """(path -> set of non-trivial lines added) of a commit turning old_files into changes."""
        out = {}
        for p, L in changes.items():
            prev = set(old_files.get(p, ()))
            out[p] = {l for l in L if not trivial(l) and l not in prev}
        return out

    def run(self):
        a = self.args
        r = self.rng
        n_sess = a.sessions
        roles = (["merge"] * round(n_sess * 0.15) + ["squash"] * round(n_sess * 0.08)
                 + ["abandoned"] * round(n_sess * 0.10) + ["lost"] * round(n_sess * 0.10))
        roles = roles[:n_sess]
        roles += ["direct"] * (n_sess - len(roles))
        n_merge = max(round(a.commits * 0.05), roles.count("merge"))
        n_squash = max(round(a.commits * 0.01), roles.count("squash"))
        # Events: (kind, agent?)
        events = [("session", role) for role in roles]
        events += [("merge", None)] * (n_merge - roles.count("merge"))
        events += [("squash", None)] * (n_squash - roles.count("squash"))
        # Estimate commits per event to fill up with human commits on main.
        est = {"direct": 1, "merge": 3.4, "squash": 2.2, "abandoned": 2.4, "lost": 0}
        used = 1 + sum(est[role] for role in roles) + 3.5 * (n_merge - roles.count("merge")) \
            + 1 * (n_squash - roles.count("squash"))
        # A few spare human commits: they are skipped once the target is reached.
        events += [("human", None)] * max(0, int((a.commits - used) * 1.01))
        r.shuffle(events)
        gap = SPAN_S / (len(events) + 1)

        # Initial commit.
        init = {}
        for _ in range(INITIAL_FILES):
            init[self.new_path()] = self.new_file_lines(r.randint(50, 400))
        t = START_EPOCH
        self.main_commit(t, HUMANS[0], "Initial import", init)
        new_file_p = (TARGET_FILES - INITIAL_FILES - 0.15 * n_sess) / max(1, a.commits)

        for i, (kind, role) in enumerate(events):
            if self.commits >= a.commits and kind == "human":
                continue
            t = int(START_EPOCH + (i + 1) * gap + r.uniform(-0.4, 0.4) * gap)
            t = max(t, self.main_marks[-1][1] + 1)
            who = r.choice(HUMANS)
            if kind == "human":
                changes = {}
                for p in r.sample(list(self.files), r.randint(1, 5)):
                    L = list(self.files[p])
                    self.human_modify(L)
                    changes[p] = L
                if r.random() < new_file_p:
                    changes[self.new_path()] = self.new_file_lines(r.randint(50, 300))
                self.main_commit(t, who, self.message(False), changes)
            elif kind in ("merge", "squash") and role is None:
                self.human_branch(t, who, kind)
            else:
                self.agent_event(t, who, role)
        self.out.write(b"done\n")

    def branch_commits(self, fork_mark, fork_t, t_end, snaps, ref, who, agent, base_files):
        """Emits one commit per snapshot on `ref`, timed between fork_t and t_end. Returns
        [(mark, time, adds)]."""
        r = self.rng
        k = len(snaps)
        times = sorted(r.randint(fork_t + 1, max(fork_t + 2, t_end - 1)) for _ in range(k))
        for j in range(1, k):
            times[j] = max(times[j], times[j - 1] + 1)
        parent = fork_mark
        cur = dict(base_files)
        out = []
        for snap, tt in zip(snaps, times):
            adds = self.adds_of(cur, snap)
            m = self.emit_commit(ref, tt, who, self.message(agent), [parent], snap)
            cur.update(snap)
            out.append((m, tt, adds))
            parent = m
        return out, cur

    def branch_name(self, agent):
        r = self.rng
        pre = "claude" if agent else r.choice(["feature", "fix", "chore"])
        return f"{pre}/{r.choice(VERBS)}-{r.choice(NOUNS)}-{self.nid()}"

    def human_branch(self, t, who, kind):
        r = self.rng
        fork = self.pick_fork(6)
        fork_mark, fork_t = self.main_marks[fork]
        base = self.stable_since(fork)
        paths = r.sample(list(base), min(len(base), r.randint(2, 4)))
        k = r.randint(2, 3)
        wc = {p: list(base[p]) for p in paths}
        snaps = []
        for j in range(k):
            snap = {}
            for p in r.sample(paths, r.randint(1, len(paths))):
                self.human_modify(wc[p])
                snap[p] = list(wc[p])
            snaps.append(snap)
        name = self.branch_name(False)
        if kind == "merge":
            bc, final = self.branch_commits(fork_mark, fork_t, t, snaps, "refs/heads/_scratch", who, False, base)
            changes = {p: final[p] for p in paths}
            self.merges += 1
            self.main_commit(t, who, f"Merge branch '{name}'", changes, merge_parent=bc[-1][0])
        else:
            changes = {p: wc[p] for p in paths}
            self.pr_no += 1
            self.squashes += 1
            self.main_commit(t, who, f"{r.choice(VERBS).title()} {r.choice(NOUNS)}s (#{self.pr_no})", changes)

    def agent_event(self, t, who, role):
        r = self.rng
        committed_role = role in ("direct", "merge", "squash")
        if role == "direct":
            fork = len(self.main_marks) - 1
        elif role == "abandoned" or role == "lost":
            fork = len(self.main_marks) - 1
        else:
            fork = self.pick_fork(6)
        fork_mark, fork_t = self.main_marks[fork]
        base = self.stable_since(fork) if role in ("merge", "squash") else self.files
        extra = []
        if committed_role and r.random() < 0.4:
            extra = [r.choice(list(base))]
        chunks = 1 if role == "direct" else r.randint(2, 3)
        n_existing = r.randint(1, 4) if role == "direct" else r.randint(2, 4)
        n_new = 1 if r.random() < 0.15 else 0
        plan = self.run_session(base, n_existing, n_new, chunks, extra, role)
        snaps = plan["snaps"]
        branch = "main" if role == "direct" else self.branch_name(True)
        commit_adds = []  # (mark, adds, on_main)
        via = None
        if role == "direct":
            changes = snaps[0]
            adds = self.adds_of(self.files, changes)
            m = self.main_commit(t, who, self.message(True), changes)
            commit_adds.append((m, adds, True))
            first_t = t
            via = "fast-forward"
        elif role == "merge":
            bc, final = self.branch_commits(fork_mark, fork_t, t, snaps, "refs/heads/_scratch", who, True, base)
            keep = r.random() < 0.2
            if keep:
                self.out.write(b"reset refs/heads/%s\nfrom :%d\n\n" % (branch.encode(), bc[-1][0]))
            changed = set().union(*[s.keys() for s in snaps])
            self.merges += 1
            self.main_commit(t, who, f"Merge branch '{branch}'", {p: final[p] for p in changed},
                             merge_parent=bc[-1][0])
            commit_adds += [(m, adds, True) for m, _, adds in bc]
            first_t = bc[0][1]
            via = "merge"
        elif role == "squash":
            keep = r.random() < 0.5
            final = dict(base)
            for s in snaps:
                final.update(s)
            changed = set().union(*[s.keys() for s in snaps])
            first_t = t
            if keep:
                bc, _ = self.branch_commits(fork_mark, fork_t, t, snaps, "refs/heads/" + branch, who, True, base)
                commit_adds += [(m, adds, False) for m, _, adds in bc]
                first_t = bc[0][1]
            changes = {p: final[p] for p in changed}
            adds = self.adds_of(self.files, changes)
            self.pr_no += 1
            self.squashes += 1
            m = self.main_commit(t, who, f"{r.choice(VERBS).title()} {r.choice(NOUNS)}s (#{self.pr_no})", changes)
            commit_adds.append((m, adds, True))
            via = "squash"
        elif role == "abandoned":
            t_end = t + r.randint(1800, 4 * 3600)
            bc, _ = self.branch_commits(fork_mark, t, t_end, snaps, "refs/heads/" + branch, who, True, base)
            commit_adds += [(m, adds, False) for m, _, adds in bc]
            first_t = bc[0][1]
        else:  # lost
            first_t = t
        end = first_t - r.randint(5 * 60, 60 * 60)
        sid, start, end = self.write_log(plan, end, branch, role)
        self.record_session(sid, role, plan, commit_adds, start, end, via, branch)

    # ---------- expected ----------
    def expected(self, marks):
        head = {p: set(L) for p, L in self.files.items()}
        out = []
        tot = {"lines_added": 0, "lines_committed": 0, "lines_merged": 0, "lines_in_head": 0}
        for s in self.sessions:
            added = sum(len(b) for b in s["bags"].values())
            committed = merged = in_head = 0
            commits = set()
            for path, bag in s["bags"].items():
                on_any, on_main = set(), set()
                for m, adds, main in s["commit_adds"]:
                    got = bag & adds.get(path, set())
                    if got:
                        commits.add(marks[m])
                    on_any |= got
                    if main:
                        on_main |= got
                committed += len(on_any)
                merged += len(on_main)
                in_head += len(on_main & head.get(path, set()))
            e = {"id": s["id"], "role": s["role"], "branch": s["branch"],
                 "started_at": iso(s["started_at"] * 1000)[:19] + "Z", "ended_at": iso(s["ended_at"] * 1000)[:19] + "Z",
                 "lines_added": added, "lines_committed": committed, "lines_merged": merged,
                 "lines_in_head": in_head, "merged": merged > 0,
                 "merged_via": s["merged_via"] if merged > 0 else None, "commits": sorted(commits),
                 "uncommitted_files": s["extra"]}
            for k in tot:
                tot[k] += e[k]
            out.append(e)
        return out, tot


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--sessions", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="replace DIR/repo, DIR/home and DIR/expected.json")
    ap.add_argument("--no-repack", action="store_true", help="keep fast-import's pack (no `git repack -adf`)")
    args = ap.parse_args()
    t0 = time.time()
    out = os.path.abspath(args.out)
    repo, home = os.path.join(out, "repo"), os.path.join(out, "home")
    for p in (repo, home):
        if os.path.exists(p):
            if not args.force:
                sys.exit(f"{p} exists (pass --force to replace it)")
            shutil.rmtree(p)
    os.makedirs(repo)
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    subprocess.run(["git", "-C", repo, "config", "gc.auto", "0"], check=True)
    marks_file = os.path.join(out, "marks")
    fi = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet", "--done",
                           "--export-marks=" + marks_file], stdin=subprocess.PIPE, bufsize=1 << 20)
    g = Gen(args, repo, home)
    g.out = fi.stdin
    g.run()
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    t_import = time.time() - t0
    subprocess.run(["git", "-C", repo, "update-ref", "-d", "refs/heads/_scratch"], check=True)
    subprocess.run(["git", "-C", repo, "reset", "-q", "--hard", "main"], check=True)
    if not args.no_repack:
        subprocess.run(["git", "-C", repo, "repack", "-adq"], check=True)
    marks = {}
    with open(marks_file) as f:
        for line in f:
            m, sha = line.split()
            marks[int(m[1:])] = sha
    os.remove(marks_file)
    sessions, tot = g.expected(marks)
    doc = {"repo": repo, "home": home, "seed": args.seed, "commits": g.commits, "merge_commits": g.merges,
           "squash_merges": g.squashes, "files_in_head": len(g.files), "sessions": len(sessions),
           "counting": "non-trivial lines (more than 3 characters once trimmed), final form per session",
           "totals": tot, "by_session": sessions}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1)
    dt = time.time() - t0
    ratio = tot["lines_committed"] / max(1, tot["lines_added"])
    print(f"{out}: {g.commits} commits ({g.merges} merges, {g.squashes} squash merges), {len(g.files)} files, "
          f"{len(sessions)} sessions ({g.log_bytes / 1e6:.1f} MB of logs), session lines added "
          f"{tot['lines_added']}, committed {tot['lines_committed']} ({ratio:.0%}), merged {tot['lines_merged']}, "
          f"in HEAD {tot['lines_in_head']}; {dt:.1f}s (fast-import done at {t_import:.1f}s)")


if __name__ == "__main__":
    main()
