//! Fuzzing the parsers in `cargo test`: generated Claude Code transcripts, Codex rollouts and
//! `apply_patch` patches (in every way Codex calls them) go through `formats::claude_code::parse` and
//! `formats::codex::parse` at both depths. A parser returns its sessions and counted skips for any
//! input; it never panics, and never skips a line twice.
//!
//! Each target runs a bounded number of cases in `cargo test` (`AGENT_AUDIT_FUZZ_CASES`, default 256).
//! For a long run, give it a time instead (`AGENT_AUDIT_FUZZ_SECS`): it runs batches of fresh random
//! cases until then and prints how many it ran —
//! `AGENT_AUDIT_FUZZ_SECS=600 nice -n 19 cargo test --test cli fuzz::claude -- --nocapture`
//! (the README's "Fuzzing" has the figures). A failure prints the shrunk input.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use agent_audit::formats::{Depth, FileLog, LineReader, claude_code, codex};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// How deep the generated inputs got into the parsers: steps, tool calls and applied edits built
/// (per thread: each target runs in its own test thread).
#[derive(Default)]
struct Reached {
    cases: u64,
    steps: u64,
    calls: u64,
    edits: u64,
}

thread_local! {
    static REACHED: std::cell::RefCell<Reached> = std::cell::RefCell::new(Reached::default());
}

/// Runs `check` over `strategy`: [`cases`] cases, or batches until `AGENT_AUDIT_FUZZ_SECS` is up.
fn fuzz<S>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let deadline = env("AGENT_AUDIT_FUZZ_SECS").map(Duration::from_secs);
    let batch =
        env("AGENT_AUDIT_FUZZ_CASES").unwrap_or(if deadline.is_some() { 1000 } else { 256 });
    let t0 = Instant::now();
    let mut total = 0u64;
    loop {
        let mut runner = TestRunner::new(Config {
            cases: batch as u32,
            failure_persistence: None,
            max_shrink_iters: 4096,
            ..Config::default()
        });
        if let Err(e) = runner.run(&strategy, &check) {
            panic!("{name}: {e}");
        }
        total += batch;
        if deadline.is_none_or(|d| t0.elapsed() >= d) {
            break;
        }
    }
    let reached = REACHED.with(|r| std::mem::take(&mut *r.borrow_mut()));
    let _ = writeln!(
        std::io::stderr(),
        "fuzz {name}: {total} cases in {:.1} s, no failure; {} parses built {} steps, {} tool calls, \
         {} edits",
        t0.elapsed().as_secs_f64(),
        reached.cases,
        reached.steps,
        reached.calls,
        reached.edits
    );
}

/// Parses `data` with one parser at both depths and checks what every parse must hold.
fn parse_both(
    data: &[u8],
    parser: fn(&Path, LineReader, Depth) -> agent_audit::Result<FileLog>,
) -> Result<(), TestCaseError> {
    for depth in [Depth::Usage, Depth::Full] {
        let reader = LineReader::new(
            Path::new("fuzz.jsonl"),
            Box::new(std::io::Cursor::new(data.to_vec())),
        );
        let log = parser(Path::new("fuzz.jsonl"), reader, depth)
            .map_err(|e| TestCaseError::fail(format!("in-memory input is always readable: {e}")))?;
        prop_assert!(log.skipped.total() <= log.lines, "a line skipped twice");
        prop_assert_eq!(log.bytes, data.len() as u64);
        if depth == Depth::Full {
            REACHED.with(|r| {
                let mut r = r.borrow_mut();
                r.cases += 1;
                r.steps += log
                    .sessions
                    .iter()
                    .map(|s| s.steps.len() as u64)
                    .sum::<u64>();
                r.calls += log
                    .sessions
                    .iter()
                    .map(|s| s.tool_calls().count() as u64)
                    .sum::<u64>();
                r.edits += log
                    .sessions
                    .iter()
                    .map(|s| s.tool_calls().filter(|c| c.edit.is_some()).count() as u64)
                    .sum::<u64>();
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Values

/// A token count as logs write them, and as they should not: zero, small, huge, negative, a float,
/// a string, null.
fn count() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (0u64..100_000).prop_map(Value::from),
        2 => any::<u64>().prop_map(Value::from),
        1 => Just(Value::from(u64::MAX)),
        1 => any::<i64>().prop_map(Value::from),
        1 => (-1e20f64..1e20).prop_map(Value::from),
        1 => Just(json!("12")),
        1 => Just(Value::Null),
    ]
    .boxed()
}

/// Short strings, some of them hostile: multi-byte, control characters, paths that climb out.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-z0-9_./-]{0,12}",
        2 => ".{0,16}",
        1 => Just(String::new()),
        1 => Just("../../etc/passwd".to_string()),
        1 => Just("src/ünï/ç😀de.rs".to_string()),
        1 => Just("\u{1b}]0;x\u{7}\n\r\t\u{0}".to_string()),
        1 => "[\\PC]{100,300}",
    ]
    .boxed()
}

/// Timestamps, valid and not.
fn timestamp() -> BoxedStrategy<Value> {
    prop_oneof![
        10 => (0u32..59, 0u32..999).prop_map(|(s, ms)| json!(format!("2026-05-01T10:00:{s:02}.{ms:03}Z"))),
        1 => Just(json!("2026-05-01T10:00:00+02:00")),
        1 => Just(json!("99999-01-01T00:00:00Z")),
        1 => Just(json!("yesterday")),
        1 => Just(json!(1_777_000_000)),
        1 => Just(Value::Null),
    ]
    .boxed()
}

/// One of a few ids, so records of the same session, message or tool call meet.
fn pick(pool: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        8 => proptest::sample::select(pool).prop_map(Value::from),
        1 => text().prop_map(Value::from),
        1 => Just(Value::Null),
    ]
    .boxed()
}

/// Any JSON, a few levels deep, with keys both formats use.
fn any_json() -> BoxedStrategy<Value> {
    const KEYS: &[&str] = &[
        "type",
        "sessionId",
        "message",
        "id",
        "model",
        "content",
        "usage",
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
        "name",
        "input",
        "file_path",
        "old_string",
        "new_string",
        "edits",
        "command",
        "tool_use_id",
        "is_error",
        "toolUseResult",
        "structuredPatch",
        "lines",
        "payload",
        "info",
        "total_token_usage",
        "cached_input_tokens",
        "call_id",
        "arguments",
        "output",
        "cwd",
        "timestamp",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        count(),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((proptest::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Byte-level damage, applied to some lines

/// A line as written, or damaged: cut short, a byte flipped, junk inserted, a number made huge.
fn damaged(line: String) -> BoxedStrategy<Vec<u8>> {
    let n = line.len().max(1);
    prop_oneof![
        12 => Just(line.clone().into_bytes()),
        1 => (0..n).prop_map({ let l = line.clone(); move |at| l.as_bytes()[..at.min(l.len())].to_vec() }),
        1 => (0..n, any::<u8>()).prop_map({ let l = line.clone(); move |(at, b)| {
            let mut v = l.clone().into_bytes();
            if let Some(x) = v.get_mut(at) { *x = b; }
            v
        }}),
        1 => (0..n, proptest::sample::select(&["\"", "\\", "{", "}", "[", ",", ":", "\n", "99999999999999999999999", "\u{0}", "\u{fffd}", "\\u0075", "\\ud800"][..]))
            .prop_map({ let l = line; move |(at, junk)| {
                let mut v = l.clone().into_bytes();
                let at = at.min(v.len());
                v.splice(at..at, junk.bytes());
                v
            }}),
    ]
    .boxed()
}

/// Lines joined into a file, with or without a final newline.
fn file_of(lines: impl Strategy<Value = Vec<String>> + 'static) -> BoxedStrategy<Vec<u8>> {
    (lines, any::<bool>(), any::<bool>())
        .prop_flat_map(|(lines, final_newline, crlf)| {
            let damaged: Vec<_> = lines.into_iter().map(damaged).collect();
            damaged.prop_map(move |ls| {
                let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
                let mut out = ls.join(sep);
                if final_newline {
                    out.extend_from_slice(sep);
                }
                out
            })
        })
        .boxed()
}

/// The lines of this repository's own test logs: real shapes to start from.
fn testdata_lines(agent: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(agent);
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        if entry.path().extension().is_some_and(|e| e == "jsonl")
            && let Ok(text) = std::fs::read_to_string(entry.path())
        {
            out.extend(text.lines().map(str::to_owned));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Claude Code

const SESSIONS: &[&str] = &["s1", "s2", "11111111-aaaa-4bbb-8ccc-000000000001"];
const MESSAGES: &[&str] = &["msg_1", "msg_2", "msg_3"];
const TOOL_IDS: &[&str] = &["toolu_1", "toolu_2", "toolu_3"];
const TOOLS: &[&str] = &[
    "Edit",
    "MultiEdit",
    "Write",
    "Read",
    "Bash",
    "Grep",
    "Glob",
    "LS",
    "NotebookEdit",
    "Task",
    "TodoWrite",
    "WebFetch",
    "mcp__x__y",
];

fn tool_input() -> BoxedStrategy<Value> {
    prop_oneof![
        (text(), text(), text(), any::<bool>()).prop_map(|(p, o, n, all)| json!({"file_path": format!("/w/{p}"), "old_string": o, "new_string": n, "replace_all": all})),
        (text(), text()).prop_map(|(p, c)| json!({"file_path": format!("/w/{p}"), "content": c})),
        (text(), prop::collection::vec((text(), text()), 0..4)).prop_map(|(p, es)| json!({"file_path": p, "edits": es.into_iter().map(|(o, n)| json!({"old_string": o, "new_string": n})).collect::<Vec<_>>()})),
        text().prop_map(|c| json!({"command": c})),
        (text(), text()).prop_map(|(pat, path)| json!({"pattern": pat, "path": path})),
        any_json(),
    ]
    .boxed()
}

fn usage() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (count(), count(), count(), count(), proptest::option::of((count(), count())), proptest::option::of(pick(&["standard", "priority", "batch"]))).prop_map(
            |(i, o, r, w, split, tier)| {
                let mut u = json!({"input_tokens": i, "output_tokens": o, "cache_read_input_tokens": r, "cache_creation_input_tokens": w});
                if let Some((a, b)) = split {
                    u["cache_creation"] = json!({"ephemeral_5m_input_tokens": a, "ephemeral_1h_input_tokens": b});
                }
                if let Some(t) = tier {
                    u["service_tier"] = t;
                }
                u
            }
        ),
        1 => any_json(),
    ]
    .boxed()
}

fn claude_assistant() -> BoxedStrategy<String> {
    let block = prop_oneof![
        text().prop_map(|t| json!({"type": "text", "text": t})),
        (pick(TOOL_IDS), proptest::sample::select(TOOLS), tool_input()).prop_map(|(id, name, input)| json!({"type": "tool_use", "id": id, "name": name, "input": input})),
        Just(json!({"type": "thinking", "thinking": "…"})),
        any_json(),
    ];
    (pick(SESSIONS), timestamp(), pick(MESSAGES), pick(&["req_1", "req_2"]), pick(&["claude-sonnet-4-5-20250929", "claude-opus-4-6", "<synthetic>", "gpt-5"]), prop::collection::vec(block, 0..4), usage(), any::<bool>())
        .prop_map(|(sid, ts, mid, rid, model, content, usage, side)| {
            json!({"type": "assistant", "sessionId": sid, "cwd": "/w", "timestamp": ts, "requestId": rid,
                "isSidechain": side, "gitBranch": "main",
                "message": {"id": mid, "role": "assistant", "model": model, "content": content, "usage": usage}})
            .to_string()
        })
    .boxed()
}

fn structured_patch() -> BoxedStrategy<Value> {
    let hunk = (count(), count(), count(), count(), prop::collection::vec(("[-+ ]", text()).prop_map(|(k, t)| format!("{k}{t}")), 0..6))
        .prop_map(|(os, ol, ns, nl, lines)| json!({"oldStart": os, "oldLines": ol, "newStart": ns, "newLines": nl, "lines": lines}));
    prop_oneof![
        (text(), prop::collection::vec(hunk, 0..3), text()).prop_map(|(p, hunks, orig)| json!({"filePath": format!("/w/{p}"), "structuredPatch": hunks, "originalFile": orig})),
        (text(), text()).prop_map(|(p, c)| json!({"type": "create", "filePath": format!("/w/{p}"), "content": c, "structuredPatch": []})),
        text().prop_map(Value::from),
        any_json(),
    ]
    .boxed()
}

fn claude_user() -> BoxedStrategy<String> {
    (
        pick(SESSIONS),
        timestamp(),
        pick(TOOL_IDS),
        text(),
        proptest::option::of(any::<bool>()),
        structured_patch(),
    )
        .prop_map(|(sid, ts, tid, result, err, tur)| {
            let mut block = json!({"type": "tool_result", "tool_use_id": tid, "content": result});
            if let Some(e) = err {
                block["is_error"] = e.into();
            }
            json!({"type": "user", "sessionId": sid, "cwd": "/w", "timestamp": ts,
                "message": {"role": "user", "content": [block]}, "toolUseResult": tur})
            .to_string()
        })
        .boxed()
}

fn claude_line() -> BoxedStrategy<String> {
    let real = testdata_lines("claude_code");
    prop_oneof![
        4 => claude_assistant(),
        3 => claude_user(),
        1 => pick(SESSIONS).prop_map(|s| json!({"type": "summary", "summary": "x", "leafUuid": s}).to_string()),
        1 => any_json().prop_map(|v| v.to_string()),
        2 => proptest::sample::select(real),
    ]
    .boxed()
}

#[test]
fn claude_code_lines_never_panic() {
    fuzz(
        "claude",
        file_of(prop::collection::vec(claude_line(), 0..12)),
        |data| parse_both(&data, claude_code::parse),
    );
}

// ---------------------------------------------------------------------------------------------
// apply_patch

/// A patch from the `apply_patch` grammar, well-formed or broken in the ways a model breaks it.
fn patch() -> BoxedStrategy<String> {
    let path = prop_oneof![4 => "[a-z]{1,6}(/[a-z]{1,6}){0,2}\\.rs", 1 => text(), 1 => Just("../../outside.rs".to_string()), 1 => Just("/abs/x.rs".to_string())];
    let line = prop_oneof![
        text(),
        Just(String::new()),
        Just("*** End Patch".to_string()),
        Just("@@".to_string())
    ];
    let body = prop::collection::vec(
        ("[-+ ]|", line.clone()).prop_map(|(k, t)| format!("{k}{t}")),
        0..6,
    );
    let hunk = (proptest::option::of(text()), body.clone(), any::<bool>()).prop_map(
        |(ctx, lines, eof)| {
            let mut h = match ctx {
                Some(c) => format!("@@ {c}\n"),
                None => "@@\n".to_string(),
            };
            for l in lines {
                h.push_str(&l);
                h.push('\n');
            }
            if eof {
                h.push_str("*** End of File\n");
            }
            h
        },
    );
    let op = prop_oneof![
        (path.clone(), prop::collection::vec(line, 0..5)).prop_map(|(p, ls)| {
            let mut s = format!("*** Add File: {p}\n");
            for l in ls {
                s.push('+');
                s.push_str(&l);
                s.push('\n');
            }
            s
        }),
        (
            path.clone(),
            proptest::option::of(path.clone()),
            prop::collection::vec(hunk, 0..3)
        )
            .prop_map(|(p, to, hunks)| {
                let mut s = format!("*** Update File: {p}\n");
                if let Some(to) = to {
                    s.push_str(&format!("*** Move to: {to}\n"));
                }
                for h in hunks {
                    s.push_str(&h);
                }
                s
            }),
        path.clone().prop_map(|p| format!("*** Delete File: {p}\n")),
        body.prop_map(|ls| ls.join("\n")),
        text(),
    ];
    (
        proptest::bool::weighted(0.85),
        prop::collection::vec(op, 0..5),
        proptest::bool::weighted(0.85),
        "( |\t|\r)?",
    )
        .prop_map(|(begin, ops, end, ws)| {
            let mut s = String::new();
            if begin {
                s.push_str(&format!("*** Begin Patch{ws}\n"));
            }
            for o in ops {
                s.push_str(&o);
            }
            if end {
                s.push_str("*** End Patch\n");
            }
            s
        })
        .boxed()
}

/// A Codex rollout calling `patch` one way or another, with an output that says it applied or not.
fn patch_rollout() -> BoxedStrategy<Vec<u8>> {
    let how = 0..7usize;
    let output = prop_oneof![
        Just(json!({"output": "Success. Updated the following files:\nM a.rs\n", "metadata": {"exit_code": 0}}).to_string()),
        Just("apply_patch verification failed: Failed to find expected lines".to_string()),
        Just(json!({"output": "", "metadata": {"exit_code": 1}}).to_string()),
        text(),
    ];
    (patch(), how, output, "[A-Z]{1,5}").prop_map(|(patch, how, output, tag)| {
        let meta = json!({"timestamp": "2026-03-20T14:00:00.000Z", "type": "session_meta", "payload": {"id": "0199c222-0000-7000-8000-0000000ba7c4", "timestamp": "2026-03-20T14:00:00.000Z", "cwd": "/home/dev/app"}});
        let ctx = json!({"timestamp": "2026-03-20T14:00:00.100Z", "type": "turn_context", "payload": {"cwd": "/home/dev/app", "model": "gpt-5-codex"}});
        let heredoc = format!("apply_patch <<'{tag}'\n{patch}{tag}\n");
        let payload = match how {
            0 => json!({"type": "custom_tool_call", "status": "completed", "call_id": "c1", "name": "apply_patch", "input": patch}),
            1 => json!({"type": "function_call", "name": "apply_patch", "arguments": json!({"input": patch}).to_string(), "call_id": "c1"}),
            2 => json!({"type": "function_call", "name": "shell", "arguments": json!({"command": ["apply_patch", patch]}).to_string(), "call_id": "c1"}),
            3 => json!({"type": "function_call", "name": "shell", "arguments": json!({"command": ["bash", "-lc", heredoc], "workdir": "/home/dev/app"}).to_string(), "call_id": "c1"}),
            4 => json!({"type": "function_call", "name": "exec_command", "arguments": json!({"cmd": format!("cd sub && {heredoc}")}).to_string(), "call_id": "c1"}),
            5 => json!({"type": "function_call", "name": "shell_command", "arguments": json!({"command": format!("applypatch <<\"{tag}\"\n{patch}{tag}")}).to_string(), "call_id": "c1"}),
            _ => json!({"type": "local_shell_call", "call_id": "c1", "status": "completed", "action": {"type": "exec", "command": ["bash", "-lc", heredoc]}}),
        };
        let call = json!({"timestamp": "2026-03-20T14:00:03.100Z", "type": "response_item", "payload": payload});
        let out_type = if how == 0 { "custom_tool_call_output" } else { "function_call_output" };
        let out = json!({"timestamp": "2026-03-20T14:00:03.300Z", "type": "response_item", "payload": {"type": out_type, "call_id": "c1", "output": output}});
        let tokens = json!({"timestamp": "2026-03-20T14:00:03.200Z", "type": "event_msg", "payload": {"type": "token_count", "info": {"total_token_usage": {"input_tokens": 8000, "cached_input_tokens": 0, "output_tokens": 400, "reasoning_output_tokens": 100, "total_tokens": 8400}}}});
        [meta, ctx, call, tokens, out]
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    })
    .boxed()
}

#[test]
fn apply_patch_in_every_calling_form_never_panics() {
    fuzz("apply_patch", patch_rollout(), |data| {
        parse_both(&data, codex::parse)
    });
}

// ---------------------------------------------------------------------------------------------
// Codex

const CALLS: &[&str] = &["c1", "c2", "c3"];

fn token_usage() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (count(), count(), count(), count(), count()).prop_map(|(i, c, o, r, t)| json!({"input_tokens": i, "cached_input_tokens": c, "output_tokens": o, "reasoning_output_tokens": r, "total_tokens": t})),
        1 => any_json(),
    ]
    .boxed()
}

fn codex_line() -> BoxedStrategy<String> {
    let real = testdata_lines("codex");
    let item = prop_oneof![
        (pick(&["shell", "exec_command", "apply_patch", "update_plan", "mcp__x"]), any_json(), pick(CALLS)).prop_map(|(n, a, c)| json!({"type": "function_call", "name": n, "arguments": a.to_string(), "call_id": c})),
        (text(), pick(CALLS)).prop_map(|(cmd, c)| json!({"type": "function_call", "name": "shell", "arguments": json!({"command": ["bash", "-lc", cmd]}).to_string(), "call_id": c})),
        (pick(CALLS), prop_oneof![text(), (text(), count()).prop_map(|(o, code)| json!({"output": o, "metadata": {"exit_code": code}}).to_string())]).prop_map(|(c, o)| json!({"type": "function_call_output", "call_id": c, "output": o})),
        (pick(CALLS), patch()).prop_map(|(c, p)| json!({"type": "custom_tool_call", "name": "apply_patch", "call_id": c, "input": p})),
        text().prop_map(|t| json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": t}]})),
        Just(json!({"type": "reasoning", "summary": [], "encrypted_content": "gAAAA"})),
        any_json(),
    ];
    let payload = prop_oneof![
        (
            pick(&["0199c222-0000-7000-8000-0000000ba7c4", "parent"]),
            timestamp(),
            proptest::option::of(pick(&["parent"]))
        )
            .prop_map(|(id, ts, fork)| (
                "session_meta",
                json!({"id": id, "timestamp": ts, "cwd": "/w", "forked_from_id": fork})
            )),
        pick(&["gpt-5-codex", "gpt-5", "o3", ""])
            .prop_map(|m| ("turn_context", json!({"cwd": "/w", "model": m}))),
        (token_usage(), proptest::option::of(token_usage())).prop_map(|(t, l)| (
            "event_msg",
            json!({"type": "token_count", "info": {"total_token_usage": t, "last_token_usage": l}})
        )),
        Just(("event_msg", json!({"type": "token_count", "info": null}))),
        item.prop_map(|i| ("response_item", i)),
        any_json().prop_map(|v| ("event_msg", v)),
    ];
    prop_oneof![
        6 => (timestamp(), payload).prop_map(|(ts, (kind, p))| json!({"timestamp": ts, "type": kind, "payload": p}).to_string()),
        1 => any_json().prop_map(|v| v.to_string()),
        2 => proptest::sample::select(real),
    ]
    .boxed()
}

#[test]
fn codex_lines_never_panic() {
    fuzz(
        "codex",
        file_of(prop::collection::vec(codex_line(), 0..14)),
        |data| parse_both(&data, codex::parse),
    );
}
