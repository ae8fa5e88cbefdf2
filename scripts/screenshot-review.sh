#!/usr/bin/env bash
# scripts/screenshot-review.sh [OUT.png]
#
# Renders `agent-audit review --format html` on a realistic repository and takes a screenshot of it with
# headless Chromium (Debian's `chromium`, installed with apt-get when missing).
#
#   1. cargo build --release
#   2. a repository with Claude Code logs to review: `agent-audit demo --keep DIR` when that subcommand
#      exists, otherwise a generated one (a git repository with ~30 sessions over four months: merged
#      features, abandoned branches, expensive tiny diffs, read-only sessions, retries; Opus, Sonnet, Haiku)
#   3. agent-audit review --since 60d --format html --out $HTML   (inside the repository, HOME = the logs)
#   4. chromium --headless --screenshot=OUT.png file://$HTML
#
# Environment: HTML (default /tmp/review.html), WIDTH (1280), HEIGHT (2000), KEEP=1 keeps the temp folder.
# Default OUT: /tmp/review.png.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

OUT=${1:-/tmp/review.png}
[[ $OUT == /* ]] || OUT=$PWD/$OUT
HTML=${HTML:-/tmp/review.html}
WIDTH=${WIDTH:-1280}
HEIGHT=${HEIGHT:-2000}
BIN=$REPO_DIR/target/release/agent-audit

log "cargo build --release"
(cd "$REPO_DIR" && cargo build --release --quiet)
[[ -x $BIN ]] || die "$BIN was not built"

WORK=$(mktemp -d /tmp/agent-audit-screenshot-XXXXXX)
if [[ ${KEEP:-0} == 1 ]]; then
  log "keeping $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi

LOGS_HOME=
REPO=
if "$BIN" --help 2>/dev/null | grep -qE '^[[:space:]]+demo([[:space:]]|$)'; then
  log "agent-audit demo --keep $WORK/demo"
  if "$BIN" demo --keep "$WORK/demo" >"$WORK/demo.log" 2>&1; then
    # The logs live under a folder holding .claude/; the repository is the folder holding .git.
    LOGS_HOME=$(find "$WORK/demo" -maxdepth 3 -type d -name .claude -printf '%h\n' 2>/dev/null | head -n1)
    REPO=$(find "$WORK/demo" -maxdepth 4 -name .git -printf '%h\n' 2>/dev/null | head -n1)
  else
    log "demo failed (see below); generating a repository instead"
    cat "$WORK/demo.log" >&2
  fi
fi

if [[ -z $LOGS_HOME || -z $REPO ]]; then
  need_python
  command -v git >/dev/null || apt_install git || die "git is required"
  LOGS_HOME=$WORK/home
  REPO=$WORK/home/dev/webapp
  log "generating a repository and Claude Code logs in $WORK"
  python3 - "$LOGS_HOME" "$REPO" <<'PY'
"""A git repository and Claude Code transcripts (the line shapes of tests/cli/common/repo.rs ClaudeLog)."""
import json
import os
import random
import subprocess
import sys
import time
import uuid

home, repo = sys.argv[1], sys.argv[2]
rng = random.Random(7)
NOW = int(time.time())
DAY = 86400
OPUS, SONNET, HAIKU = "claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"
# (input, output, cache_read, cache_write) per step.
USAGE = {OPUS: (6, 900, 85_000, 3_000), SONNET: (6, 700, 55_000, 2_500), HAIKU: (6, 350, 22_000, 1_200)}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def git(*args, at=None):
    env = dict(os.environ, GIT_AUTHOR_NAME="Dana Dev", GIT_AUTHOR_EMAIL="dana@example.com",
               GIT_COMMITTER_NAME="Dana Dev", GIT_COMMITTER_EMAIL="dana@example.com")
    if at is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{at} +0000"
    subprocess.run(["git", "-C", repo, *args], check=True, env=env, stdout=subprocess.DEVNULL)


def write(rel, text):
    p = os.path.join(repo, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


class Log:
    def __init__(self, sid, branch):
        self.sid, self.branch, self.lines, self.n, self.model = sid, branch, [], 0, SONNET

    def on(self, model):
        self.model = model
        return self

    def prompt(self, t, text):
        self.lines.append(json.dumps({
            "parentUuid": None, "isSidechain": False, "userType": "external", "cwd": repo,
            "sessionId": self.sid, "version": "2.1.38", "gitBranch": self.branch, "timestamp": iso(t),
            "type": "user", "message": {"role": "user", "content": text}, "uuid": str(uuid.UUID(int=rng.getrandbits(128)))}))

    def call(self, t, name, inp, result, ok, tur):
        self.n += 1
        u = USAGE[self.model]
        tool_id = f"toolu_{self.sid[:8]}_{self.n:04}"
        self.lines.append(json.dumps({
            "type": "assistant", "sessionId": self.sid, "cwd": repo, "timestamp": iso(t), "gitBranch": self.branch,
            "version": "2.1.38", "requestId": f"req_{self.sid[:8]}_{self.n}",
            "message": {"id": f"msg_{self.sid[:8]}_{self.n}", "type": "message", "role": "assistant", "model": self.model,
                        "content": [{"type": "tool_use", "id": tool_id, "name": name, "input": inp}],
                        "usage": {"input_tokens": u[0], "output_tokens": u[1] + rng.randint(-100, 300),
                                  "cache_read_input_tokens": u[2] + rng.randint(-5000, 20000),
                                  "cache_creation_input_tokens": u[3], "service_tier": "standard"}}}))
        block = {"type": "tool_result", "tool_use_id": tool_id, "content": result}
        if not ok:
            block["is_error"] = True
        self.lines.append(json.dumps({"type": "user", "sessionId": self.sid, "cwd": repo, "timestamp": iso(t + 5),
                                      "gitBranch": self.branch, "message": {"role": "user", "content": [block]},
                                      "toolUseResult": tur}))

    def read(self, t, rel, size=3000):
        path = f"{repo}/{rel}"
        self.call(t, "Read", {"file_path": path}, "x" * size, True, {"type": "text", "file": {"filePath": path}})

    def write(self, t, rel, content):
        path = f"{repo}/{rel}"
        self.call(t, "Write", {"file_path": path, "content": content}, "File created", True,
                  {"type": "create", "filePath": path, "content": content, "structuredPatch": []})

    def edit(self, t, rel, old, new, ok=True):
        path = f"{repo}/{rel}"
        if ok:
            self.call(t, "Edit", {"file_path": path, "old_string": old, "new_string": new}, "The file has been updated.",
                      True, {"filePath": path, "oldString": old, "newString": new})
        else:
            self.call(t, "Edit", {"file_path": path, "old_string": old, "new_string": new},
                      "<tool_use_error>String to replace not found in file.</tool_use_error>", False,
                      "Error: String to replace not found in file.")

    def bash(self, t, command, ok=True):
        self.call(t, "Bash", {"command": command}, "ok" if ok else "Error: Exit code 1", ok,
                  {"stdout": "", "stderr": "", "interrupted": False})

    def save(self):
        enc = "".join(c if c.isalnum() else "-" for c in repo)
        d = os.path.join(home, ".claude", "projects", enc)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{self.sid}.jsonl"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


NOUNS = ["invoice", "customer", "session", "payment", "report", "upload", "search", "webhook", "export", "audit",
         "billing", "profile", "cache", "queue", "token", "schedule", "import", "mailer", "pricing", "metrics"]


def code(area, mod, n):
    """About n lines of plausible, unique Rust."""
    out = [f"//! {area}: {mod}.", "", "use crate::error::Error;", ""]
    i = 0
    while len(out) < n:
        f = f"{mod}_{rng.choice(['load', 'store', 'check', 'merge', 'render', 'parse'])}_{i}"
        out += [f"pub fn {f}(input: &{area.title()}Input) -> Result<{area.title()}Output, Error> {{",
                f"    let value = input.{mod}_field_{i}.trim().to_owned();",
                f"    if value.is_empty() {{ return Err(Error::missing(\"{mod} field {i}\")); }}",
                f"    let parsed = parse_{area}_{i}(&value, input.limit_{i})?;",
                f"    Ok({area.title()}Output::new(parsed, {rng.randint(2, 999)}))",
                "}", ""]
        i += 1
    return "\n".join(out[:n]) + "\n"


# (days ago, kind, model, steps, lines)
PLAN = [
    # the previous period (60-120 days ago)
    (112, "merge", SONNET, 24, 140), (104, "abandon", OPUS, 30, 90), (97, "merge", SONNET, 18, 110),
    (90, "read", SONNET, 10, 0), (83, "merge", HAIKU, 20, 80), (75, "merge", OPUS, 28, 160),
    (68, "abandon", SONNET, 22, 70), (63, "merge", SONNET, 16, 60),
    # this period
    (58, "merge", SONNET, 26, 180), (56, "read", OPUS, 14, 0), (54, "merge", HAIKU, 22, 95),
    (51, "abandon", OPUS, 40, 120), (49, "merge", SONNET, 30, 220), (46, "tiny", OPUS, 34, 3),
    (44, "merge", SONNET, 20, 130), (41, "retry", OPUS, 36, 150), (39, "merge", HAIKU, 16, 60),
    (37, "abandon", SONNET, 28, 85), (34, "rework", SONNET, 32, 240), (31, "merge", OPUS, 25, 110),
    (29, "read", SONNET, 8, 0), (27, "merge", SONNET, 18, 75), (24, "tiny", OPUS, 28, 2),
    (22, "merge", HAIKU, 26, 140), (20, "retry", SONNET, 34, 160), (17, "abandon", OPUS, 46, 60),
    (15, "merge", SONNET, 22, 190), (13, "rework", OPUS, 30, 200), (11, "merge", SONNET, 14, 45),
    (9, "abandon", SONNET, 24, 110), (8, "merge", HAIKU, 12, 50), (6, "merge", SONNET, 28, 260),
    (5, "read", OPUS, 12, 0), (4, "tiny", SONNET, 26, 4), (3, "merge", SONNET, 20, 120),
    (1, "fresh", OPUS, 22, 90), (0, "fresh", SONNET, 10, 40),
]

os.makedirs(repo, exist_ok=True)
subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
write("README.md", "# webapp\n\nThe billing web application.\n")
write("src/lib.rs", "pub mod error;\n")
write("src/error.rs", "pub struct Error;\n")
git("add", "-A")
git("commit", "-q", "-m", "initial commit", at=NOW - 130 * DAY)

for k, (ago, kind, model, steps, lines) in enumerate(PLAN):
    sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    area = NOUNS[k % len(NOUNS)]
    branch = f"feature/{area}-{k}"
    t = NOW - ago * DAY - rng.randint(2, 9) * 3600 - rng.randint(0, 3599)
    if ago == 0:
        t = NOW - 3 * 3600
    log = Log(sid, branch).on(model)
    log.prompt(t, f"Add {area} handling to the webapp")
    files = []
    if kind != "read":
        git("checkout", "-q", "-b", branch, "main")
    reads = max(2, steps - 4) if kind == "read" else max(1, steps // 3)
    for i in range(reads):
        t += rng.randint(20, 90)
        log.read(t, f"src/{NOUNS[(k + i) % len(NOUNS)]}/mod_{i}.rs", rng.randint(1500, 9000))
    if kind != "read":
        nfiles = 1 if lines < 40 else rng.randint(2, 3)
        per = max(1, lines // nfiles)
        for j in range(nfiles):
            rel = f"src/{area}/{area}_{k}_{j}.rs"
            content = code(area, f"{area}{k}{j}", per)
            t += rng.randint(60, 240)
            log.write(t, rel, content)
            write(rel, content)
            files.append(rel)
        rest = steps - reads - nfiles
        for i in range(max(0, rest)):
            t += rng.randint(30, 200)
            if kind == "retry" and i < 8:
                if i % 2 == 0:
                    log.edit(t, files[0], "fn missing()", "fn present()", ok=False)
                else:
                    log.bash(t, "cargo test", ok=False)
            else:
                log.bash(t, rng.choice(["cargo test", "cargo clippy", "cargo build", "git status"]), ok=True)
        git("add", "-A")
        git("commit", "-q", "-m", f"{area}: add {area} handling", at=t + 600)
        git("checkout", "-q", "main")
        if kind in ("merge", "tiny", "retry", "rework"):
            git("merge", "-q", "--no-ff", "--no-edit", "-m", f"Merge branch '{branch}'", branch, at=t + 3 * 3600)
        if kind == "rework":
            # A later rewrite on main: part of the session's merged lines leave HEAD.
            p = os.path.join(repo, files[0])
            with open(p) as f:
                kept = f.read().splitlines()
            write(files[0], "\n".join(kept[: len(kept) // 3]) + "\n")
            git("add", "-A")
            git("commit", "-q", "-m", f"{area}: simplify", at=t + DAY)
    log.save()
print(f"{len(PLAN)} sessions")
PY
fi

log "agent-audit review --since 60d --format html --out $HTML (in $REPO, HOME=$LOGS_HOME)"
(cd "$REPO" && env -u CLAUDE_CONFIG_DIR -u CODEX_HOME HOME="$LOGS_HOME" TZ=UTC \
  "$BIN" review --since 60d --format html --out "$HTML")
(cd "$REPO" && env -u CLAUDE_CONFIG_DIR -u CODEX_HOME HOME="$LOGS_HOME" TZ=UTC \
  "$BIN" review --since 60d --color never) >&2 || true

CHROMIUM=/usr/bin/chromium
[[ -x $CHROMIUM ]] || apt_install chromium || die "chromium is required (apt-get install -y chromium)"
PROFILE=$(mktemp -d /tmp/agent-audit-chromium-XXXXXX)
log "chromium --headless --screenshot=$OUT ($WIDTH x $HEIGHT)"
sandbox=()
[[ $(id -u) -eq 0 ]] && sandbox=(--no-sandbox)
"$CHROMIUM" --headless "${sandbox[@]}" --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$PROFILE" \
  --window-size="$WIDTH,$HEIGHT" --screenshot="$OUT" "file://$HTML" >"$PROFILE.log" 2>&1 \
  || { cat "$PROFILE.log" >&2; rm -rf "$PROFILE"; die "chromium failed"; }
rm -rf "$PROFILE" "$PROFILE.log"
[[ -s $OUT ]] || die "no screenshot written to $OUT"
log "wrote $OUT (page: $HTML)"
