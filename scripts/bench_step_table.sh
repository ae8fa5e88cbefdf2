#!/usr/bin/env bash
# Times `agent-audit session ID` on a 2,000-step session (issue 4: the step table of a 2,000-step session
# renders in under 100 ms). Builds a one-commit repository and one Claude Code log of 2,000 responses (reads,
# edits, failing and passing commands) in a temp dir, then runs hyperfine (or /usr/bin/time) on the table and
# JSON outputs of `session`, whole process: log reading, git correlation and rendering together.
#   scripts/bench_step_table.sh [STEPS]     (default 2000; AGENT_AUDIT=path/to/binary)
set -euo pipefail
steps=${1:-2000}
bin=${AGENT_AUDIT:-target/release/agent-audit}
[[ -x $bin ]] || cargo build --release
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
dir=$(mktemp -d /tmp/step-table-XXXX)
trap 'rm -rf "$dir"' EXIT
repo=$dir/repo; home=$dir/home
mkdir -p "$repo/src"
git -C "$repo" init -q -b main
printf 'fn main() {}\n' > "$repo/src/main.rs"
git -C "$repo" add . && git -C "$repo" -c user.name=b -c user.email=b@x commit -qm init
python3 - "$repo" "$home" "$steps" <<'PY'
import json, sys, os
repo, home, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
enc = ''.join(c if c.isalnum() else '-' for c in repo)
d = os.path.join(home, '.claude', 'projects', enc); os.makedirs(d, exist_ok=True)
sid = 'deadbeef-0000-4000-8000-000000002000'
out = []
for i in range(steps):
    ts = f"2026-05-01T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000Z"
    kind = ['Read', 'Edit', 'Bash', 'Grep'][i % 4]
    path = f"{repo}/src/mod{i % 50}.rs"
    inp = {'Read': {'file_path': path}, 'Edit': {'file_path': path, 'old_string': f'let a{i} = 1;', 'new_string': f'let a{i} = 2;\nlet b{i} = 3;'},
           'Bash': {'command': 'cargo test'}, 'Grep': {'pattern': f'fn f{i}', 'path': repo}}[kind]
    tid = f'toolu_{i:06d}'
    out.append(json.dumps({'type': 'assistant', 'sessionId': sid, 'cwd': repo, 'timestamp': ts, 'requestId': f'req_{i}',
        'message': {'id': f'msg_{i}', 'role': 'assistant', 'model': ['claude-opus-4-6', 'claude-sonnet-4-5-20250929'][i % 2],
                    'content': [{'type': 'tool_use', 'id': tid, 'name': kind, 'input': inp}],
                    'usage': {'input_tokens': 5, 'output_tokens': 120, 'cache_read_input_tokens': 40000 + i, 'cache_creation_input_tokens': 300}}}))
    err = kind == 'Bash' and i % 8 == 2
    block = {'type': 'tool_result', 'tool_use_id': tid, 'content': 'x' * 2000}
    if err: block['is_error'] = True
    out.append(json.dumps({'type': 'user', 'sessionId': sid, 'cwd': repo, 'timestamp': ts, 'message': {'role': 'user', 'content': [block]}}))
open(os.path.join(d, sid + '.jsonl'), 'w').write('\n'.join(out) + '\n')
PY
cd "$repo"
export HOME=$home; unset CLAUDE_CONFIG_DIR CODEX_HOME
"$bin" session deadbeef --color never | sed -n '1,12p'
echo "..."
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 2 -r 10 "$bin session deadbeef --color never" "$bin session deadbeef --json"
else
  for _ in 1 2 3 4 5; do /usr/bin/time -f '%e s  %M KB' "$bin" session deadbeef --color never >/dev/null; done
fi
