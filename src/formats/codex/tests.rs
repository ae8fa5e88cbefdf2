//! The Codex parser's tests, one per trap of the format (over 800 lines on purpose: together they read as
//! the format's specification, and splitting them would scatter the fixtures they share).

use super::*;
use std::path::PathBuf;

fn parse_bytes(name: &str, data: Vec<u8>, depth: Depth) -> FileLog {
    let reader = LineReader::new(Path::new(name), Box::new(std::io::Cursor::new(data)));
    parse(Path::new(name), reader, depth).expect("parse")
}

fn parse_str(data: &str, depth: Depth) -> FileLog {
    parse_bytes("t.jsonl", data.as_bytes().to_vec(), depth)
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/codex")
        .join(name)
}

fn parse_file(path: &Path, depth: Depth) -> FileLog {
    let reader = LineReader::open(path).expect("open");
    parse(path, reader, depth).expect("parse")
}

fn one(log: &FileLog) -> &Session {
    assert_eq!(log.sessions.len(), 1, "one session per rollout");
    &log.sessions[0]
}

fn totals(s: &Session) -> (u64, u64, u64, u64) {
    let (u, unknown) = s.usage();
    assert!(!unknown, "every step should carry usage");
    (u.input, u.output, u.cache_read, u.reasoning)
}

#[test]
fn cumulative_totals_with_a_repeat_and_a_reset() {
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_file(&testdata("cumulative-reset.jsonl"), depth);
        let s = one(&log);
        // 4 changes of the total: 1000 (then a repeat, skipped) → 1500 → 2500 → reset to 400.
        assert_eq!(s.steps.len(), 4);
        let u: Vec<Usage> = s.steps.iter().map(|s| s.usage.expect("usage")).collect();
        assert_eq!((u[0].input, u[0].cache_read, u[0].output), (800, 200, 50));
        assert_eq!((u[1].input, u[1].cache_read, u[1].output), (200, 300, 30));
        assert_eq!((u[2].input, u[2].cache_read, u[2].output), (600, 400, 20));
        // After the reset the new total is the step's usage, not a negative difference.
        assert_eq!((u[3].input, u[3].cache_read, u[3].output), (300, 100, 10));
        assert_eq!((u[2].reasoning, u[3].reasoning), (10, 5));
        assert_eq!(totals(s), (1900, 110, 1000, 30));
        assert_eq!(s.id, "0199a0b1-0000-7000-8000-00000000c0de");
        assert_eq!(s.branch.as_deref(), Some("main"));
        assert_eq!(s.cwd.as_deref(), Some(Path::new("/home/dev/webapp")));
        assert_eq!(s.steps[0].model.as_deref(), Some("gpt-5-codex"));
        assert!(s.steps.iter().all(|st| !st.model_inferred));
        assert!(s.notes.is_empty());
        assert_eq!(log.skipped.total(), 0);
    }
}

#[test]
fn codex_input_includes_cached_input() {
    let data = concat!(
        r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"turn_context","payload":{"cwd":"/r","model":"gpt-5.1-codex"}}"#,
        "\n",
        r#"{"timestamp":"2026-03-01T10:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10000,"cached_input_tokens":9000,"output_tokens":300,"reasoning_output_tokens":120,"total_tokens":10300},"last_token_usage":{"input_tokens":10000,"cached_input_tokens":9000,"output_tokens":300,"reasoning_output_tokens":120,"total_tokens":10300}}}}"#,
        "\n"
    );
    let log = parse_str(data, Depth::Usage);
    let u = one(&log).steps[0].usage.expect("usage");
    assert_eq!(
        u,
        Usage {
            input: 1000,
            output: 300,
            cache_read: 9000,
            cache_write_5m: 0,
            cache_write_1h: 0,
            reasoning: 120,
        }
    );
    assert_eq!(u.total(), 10300);
}

#[test]
fn last_token_usage_is_never_summed() {
    // Two events whose last_token_usage lies (it repeats); only the total's change counts.
    let data = concat!(
        r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"turn_context","payload":{"model":"gpt-5"}}"#,
        "\n",
        r#"{"timestamp":"2026-03-01T10:00:01.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":100,"cached_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":0},"last_token_usage":{"input_tokens":999,"cached_input_tokens":0,"output_tokens":999,"reasoning_output_tokens":0}}}}"#,
        "\n",
        r#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":250,"cached_input_tokens":0,"output_tokens":30,"reasoning_output_tokens":0},"last_token_usage":{"input_tokens":999,"cached_input_tokens":0,"output_tokens":999,"reasoning_output_tokens":0}}}}"#,
        "\n"
    );
    let log = parse_str(data, Depth::Full);
    assert_eq!(totals(one(&log)), (250, 30, 0, 0));
}

#[test]
fn gen_corpus_shaped_lines_sum_to_the_final_total() {
    for depth in [Depth::Usage, Depth::Full] {
        let path =
            testdata("rollout-2026-04-12T10-00-00-6f1c2a8e-3b7d-4c55-9a1e-2f0b6d7c8e91.jsonl");
        let log = parse_file(&path, depth);
        let s = one(&log);
        assert_eq!(s.id, "6f1c2a8e-3b7d-4c55-9a1e-2f0b6d7c8e91");
        assert_eq!(s.steps.len(), 3);
        // gen_corpus expects input = Σ(input − cached), output = Σ output, cache_read = Σ cached.
        assert_eq!(totals(s), (61200 - 30000, 1830, 30000, 700));
        assert_eq!(log.skipped.total(), 0);
        if depth == Depth::Full {
            for step in &s.steps {
                assert_eq!(step.tool_calls.len(), 1);
                let c = &step.tool_calls[0];
                assert_eq!(c.kind, ToolKind::Search);
                assert_eq!(c.name, "shell");
                assert!(
                    c.command
                        .as_deref()
                        .is_some_and(|c| c.starts_with("rg -n "))
                );
                assert!(c.output_bytes > 0 && !c.is_error);
            }
        } else {
            assert!(s.steps.iter().all(|st| st.tool_calls.is_empty()));
        }
    }
}

#[test]
fn a_rollout_without_token_data_has_steps_of_unknown_usage() {
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_file(&testdata("no-token-data.jsonl"), depth);
        let s = one(&log);
        // Three responses: reasoning+call, call, reasoning+message.
        assert_eq!(s.steps.len(), 3);
        assert!(s.steps.iter().all(|st| st.usage.is_none()));
        let (total, unknown) = s.usage();
        assert!(unknown);
        assert_eq!(total, Usage::default());
        assert_eq!(s.steps[0].model.as_deref(), Some("gpt-5-codex"));
        if depth == Depth::Full {
            assert_eq!(s.steps[0].tool_calls.len(), 1);
            assert_eq!(s.steps[0].tool_calls[0].kind, ToolKind::Read);
            assert_eq!(s.steps[0].tool_calls[0].paths, vec!["src/main.rs"]);
            assert_eq!(s.steps[1].tool_calls[0].kind, ToolKind::List);
            assert!(s.steps[2].tool_calls.is_empty());
        }
    }
}

#[test]
fn a_forks_replayed_history_is_not_counted() {
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_file(&testdata("fork-replay.jsonl"), depth);
        let s = one(&log);
        assert_eq!(s.id, "0199f0a0-0000-7000-8000-0000000c41d0");
        // The parent reached 5000/1000/400/100; the child added 2 responses on top.
        assert_eq!(s.steps.len(), 2);
        assert_eq!(totals(s), (1000 - 200 + 500 - 300, 150, 500, 30));
        assert!(
            s.notes
                .iter()
                .any(|n| n == "forked from 0199e000-0000-7000-8000-0000000ba5e0: 2 replayed token events not counted"),
            "{:?}",
            s.notes
        );
        if depth == Depth::Full {
            // The parent's copied tool call is not the child's.
            let calls: Vec<&ToolCall> = s.tool_calls().collect();
            assert_eq!(calls.len(), 1);
            assert_eq!(calls[0].id, "call_child1");
        }
    }
}

#[test]
fn a_fork_without_forked_from_id_is_told_by_its_second_session_meta() {
    let data = concat!(
        r#"{"timestamp":"2026-05-01T09:00:00.000Z","type":"session_meta","payload":{"id":"child","cwd":"/r"}}"#,
        "\n",
        r#"{"timestamp":"2026-05-01T09:00:00.001Z","type":"session_meta","payload":{"id":"parent","cwd":"/r"}}"#,
        "\n",
        r#"{"timestamp":"2026-05-01T09:00:00.002Z","type":"turn_context","payload":{"cwd":"/r","model":"gpt-5"}}"#,
        "\n",
        r#"{"timestamp":"2026-05-01T09:00:00.003Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":700,"cached_input_tokens":0,"output_tokens":70,"reasoning_output_tokens":0}}}}"#,
        "\n",
        r#"{"timestamp":"2026-05-01T09:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":80,"reasoning_output_tokens":0}}}}"#,
        "\n"
    );
    let log = parse_str(data, Depth::Usage);
    let s = one(&log);
    assert_eq!(s.id, "child");
    assert_eq!(totals(s), (300, 10, 0, 0));
    assert_eq!(
        s.notes,
        vec!["forked from parent: 1 replayed token events not counted"]
    );
}

#[test]
fn steps_without_a_model_are_priced_as_the_fallback_and_flagged() {
    let log = parse_file(&testdata("no-model.jsonl"), Depth::Usage);
    let s = one(&log);
    assert_eq!(s.steps.len(), 2);
    assert!(s.steps[0].model_inferred);
    assert_eq!(s.steps[0].model.as_deref(), Some(FALLBACK_MODEL));
    // A model named later is used from then on.
    assert!(!s.steps[1].model_inferred);
    assert_eq!(s.steps[1].model.as_deref(), Some("o4-mini"));
    assert_eq!(
        s.notes,
        vec!["no turn_context model: 1 step(s) priced as gpt-5 (fallback)"]
    );
}

#[test]
fn the_model_of_a_token_count_info_wins_and_tiers_are_read() {
    let data = concat!(
        r#"{"timestamp":"2026-05-13T09:00:00.000Z","type":"turn_context","payload":{"model":"gpt-5.2-codex","service_tier":"priority"}}"#,
        "\n",
        r#"{"timestamp":"2026-05-13T09:01:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"model":"gpt-5.3-codex","total_token_usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0}}}}"#,
        "\n",
        r#"{"timestamp":"2026-05-13T09:02:00.000Z","type":"event_msg","payload":{"type":"thread_settings_applied","thread_settings":{"model":"gpt-5.4","service_tier":"flex"}}}"#,
        "\n",
        r#"{"timestamp":"2026-05-13T09:03:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":20,"cached_input_tokens":0,"output_tokens":2,"reasoning_output_tokens":0}}}}"#,
        "\n"
    );
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_str(data, depth);
        let s = one(&log);
        assert_eq!(s.steps[0].model.as_deref(), Some("gpt-5.3-codex"));
        assert_eq!(s.steps[0].service_tier, ServiceTier::Priority);
        assert_eq!(s.steps[1].model.as_deref(), Some("gpt-5.4"));
        assert_eq!(s.steps[1].service_tier, ServiceTier::Flex);
    }
}

#[test]
fn apply_patch_across_files_is_one_call_per_file() {
    let log = parse_file(&testdata("apply-patch.jsonl"), Depth::Full);
    let s = one(&log);
    assert_eq!(log.skipped.total(), 0);
    let calls: Vec<&ToolCall> = s.tool_calls().collect();
    // Custom tool patch over 4 files, a shell heredoc patch, a failed function patch, an argv patch.
    assert_eq!(calls.len(), 7);
    let ids: Vec<&str> = calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "call_p1#1",
            "call_p1#2",
            "call_p1#3",
            "call_p1#4",
            "call_p2",
            "call_p3",
            "call_p4"
        ]
    );
    assert!(calls.iter().all(|c| c.kind == ToolKind::Edit));

    let add = calls[0].edit.as_ref().expect("add");
    assert_eq!(add.path, "docs/NEW.md");
    assert_eq!(add.op, EditOp::Create);
    assert_eq!(add.hunks.len(), 1);
    assert_eq!(add.hunks[0].new, vec!["# New", "", "text"]);
    assert!(add.hunks[0].old.is_empty());

    let upd = calls[1].edit.as_ref().expect("update");
    assert_eq!(upd.path, "src/lib.rs");
    assert_eq!(upd.op, EditOp::Update);
    assert_eq!(upd.hunks.len(), 2);
    assert_eq!(upd.hunks[0].old, vec!["    let a = 1;"]);
    assert_eq!(upd.hunks[0].new, vec!["    let a = 2;", "    let b = 3;"]);
    assert_eq!(upd.hunks[1].old, vec!["    old_tail();"]);
    assert!(upd.hunks[1].new.is_empty());
    assert!(upd.hunks.iter().all(|h| h.old_start.is_none()));
    assert_eq!((upd.lines_added(), upd.lines_removed()), (2, 2));

    let del = calls[2].edit.as_ref().expect("delete");
    assert_eq!((del.path.as_str(), &del.op), ("old.txt", &EditOp::Delete));
    assert!(del.hunks.is_empty());

    let mv = calls[3].edit.as_ref().expect("move");
    assert_eq!(mv.path, "src/a.rs");
    assert_eq!(
        mv.op,
        EditOp::Move {
            to: "src/b.rs".into()
        }
    );
    assert_eq!(mv.hunks[0].old, vec!["fn a() {}"]);
    assert_eq!(mv.hunks[0].new, vec!["fn b() {}"]);
    assert_eq!(calls[3].paths, vec!["src/a.rs", "src/b.rs"]);

    // Input and output bytes are counted once for the whole patch.
    assert!(calls[0].input_bytes > 0 && calls[0].output_bytes > 0);
    assert!(
        calls[1..4]
            .iter()
            .all(|c| c.input_bytes == 0 && c.output_bytes == 0)
    );
    assert!(calls[..4].iter().all(|c| !c.is_error));

    // Shell heredoc `apply_patch <<'EOF'`.
    let heredoc = calls[4].edit.as_ref().expect("heredoc edit");
    assert_eq!(calls[4].name, "shell");
    assert_eq!(heredoc.path, "README.md");
    assert_eq!(heredoc.hunks[0].new, vec!["Second line."]);

    // A patch whose output reports a failure has no edit.
    assert!(calls[5].is_error);
    assert!(calls[5].edit.is_none());
    assert_eq!(calls[5].paths, vec!["src/missing.rs"]);

    // ["apply_patch", PATCH] as a shell argv.
    assert_eq!(calls[6].edit.as_ref().expect("argv").path, "notes.txt");
    assert!(!calls[6].is_error);
}

#[test]
fn torn_last_line_invalid_json_and_unknown_types_are_counted_skips() {
    let mut data = std::fs::read(testdata("skips.jsonl")).expect("read");
    // A torn last line: the agent was still writing it.
    data.extend_from_slice(
        br#"{"timestamp":"2026-03-01T10:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_"#,
    );
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_bytes("skips.jsonl", data.clone(), depth);
        let s = one(&log);
        let by = &log.skipped.by_reason;
        assert_eq!(by.get(skip::INVALID_JSON), Some(&1), "{depth:?} {by:?}");
        assert_eq!(by.get(skip::TRUNCATED), Some(&1), "{depth:?} {by:?}");
        assert_eq!(by.get(skip::UNKNOWN_RECORD), Some(&1), "{depth:?} {by:?}");
        assert_eq!(by.get(skip::NOT_OBJECT), Some(&1), "{depth:?} {by:?}");
        assert_eq!(by.get(skip::NOT_UTF8), Some(&1), "{depth:?} {by:?}");
        assert_eq!(log.skipped.total(), 5);
        assert_eq!(s.skipped, log.skipped);
        // The good lines around them still count.
        assert_eq!(totals(s), (90, 9, 10, 0));
    }
}

#[test]
fn null_info_and_known_but_unread_records_are_not_skips() {
    let data = concat!(
        r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"primary":null}}}"#,
        "\n",
        r#"{"timestamp":"2026-03-01T10:00:01.000Z","type":"compacted","payload":{"message":"summary"}}"#,
        "\n",
        r#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"response_item","payload":{"type":"ghost_snapshot","ghost_commit":{"id":"abc"}}}"#,
        "\n",
        r#"{"timestamp":"2026-03-01T10:00:03.000Z","type":"event_msg","payload":{"type":"brand_new_event","info":"a string"}}"#,
        "\n"
    );
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_str(data, depth);
        assert_eq!(log.skipped.total(), 0, "{depth:?}");
        let s = one(&log);
        assert!(s.steps.is_empty());
        assert_eq!(s.id, "t");
        assert!(s.started_at.is_some() && s.ended_at > s.started_at);
    }
}

#[test]
fn session_id_falls_back_to_the_rollout_name_then_the_stem() {
    assert_eq!(
        id_from_path(Path::new(
            "/x/sessions/2025/09/19/rollout-2025-09-19T09-02-12-01996135-afde-7911-97f0-d863511eca56.jsonl"
        )),
        "01996135-afde-7911-97f0-d863511eca56"
    );
    assert_eq!(
        id_from_path(Path::new("/x/session-alpha.jsonl")),
        "session-alpha"
    );
    assert_eq!(
        id_from_path(Path::new("/x/rollout-short.jsonl")),
        "rollout-short"
    );
}

#[test]
fn shell_commands_are_classified() {
    let c = |script: &str| -> (ToolKind, Vec<String>) {
        let calls = shell_call("shell", "c", Cmd::Script(script.to_owned()), 0);
        (calls[0].kind, calls[0].paths.clone())
    };
    let argv = |v: &[&str]| -> ToolCall {
        let v = v.iter().map(|s| (*s).to_owned()).collect();
        shell_call("shell", "c", Cmd::Argv(v), 0).remove(0)
    };
    assert_eq!(
        c("sed -n '1,160p' README.md"),
        (ToolKind::Read, vec!["README.md".into()])
    );
    assert_eq!(
        c("cat src/a.rs src/b.rs"),
        (ToolKind::Read, vec!["src/a.rs".into(), "src/b.rs".into()])
    );
    assert_eq!(
        c("head -n 50 Cargo.toml"),
        (ToolKind::Read, vec!["Cargo.toml".into()])
    );
    assert_eq!(
        c("cat -n src/x.rs"),
        (ToolKind::Read, vec!["src/x.rs".into()])
    );
    assert_eq!(
        c("nl -ba src/main.rs | sed -n '10,40p'"),
        (ToolKind::Read, vec!["src/main.rs".into()])
    );
    assert_eq!(
        c("rg -n \"fn main\" src"),
        (ToolKind::Search, vec!["src".into()])
    );
    assert_eq!(c("grep -rn TODO ."), (ToolKind::Search, vec![".".into()]));
    assert_eq!(c("rg --files -g '*.rs'"), (ToolKind::List, vec![]));
    assert_eq!(c("ls -la docs"), (ToolKind::List, vec!["docs".into()]));
    assert_eq!(
        c("find src -name '*.rs'"),
        (ToolKind::List, vec!["src".into()])
    );
    assert_eq!(c("sed -i 's/a/b/' x.txt").0, ToolKind::Shell);
    assert_eq!(
        c("cat .python-version || true && echo '---'").0,
        ToolKind::Shell
    );
    assert_eq!(c("cat $(git ls-files)").0, ToolKind::Shell);
    assert_eq!(c("cargo test -q").0, ToolKind::Shell);
    assert_eq!(c("cat a > b").0, ToolKind::Shell);

    let wrapped = argv(&["bash", "-lc", "rg --files -g 'AGENTS.md'"]);
    assert_eq!(wrapped.kind, ToolKind::List);
    assert_eq!(
        wrapped.command.as_deref(),
        Some("rg --files -g 'AGENTS.md'")
    );
    let plain = argv(&["ls", "-la"]);
    assert_eq!(
        (plain.kind, plain.command.as_deref()),
        (ToolKind::List, Some("ls -la"))
    );
}

#[test]
fn function_call_outputs_report_bytes_and_failures() {
    let raw = |s: &str| -> Box<RawValue> { RawValue::from_string(s.to_owned()).expect("raw") };
    let ok =
        raw(r#""{\"output\":\"hi\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.1}}""#);
    let (bytes, err) = measure_output(Some(&ok));
    assert_eq!(
        bytes,
        r#"{"output":"hi\n","metadata":{"exit_code":0,"duration_seconds":0.1}}"#.len() as u64
    );
    assert!(!err);
    // A fake exit code inside the command's own output does not count.
    let fake = raw(r#""{\"output\":\"\\\"exit_code\\\":3\",\"metadata\":{\"exit_code\":0}}""#);
    assert!(!measure_output(Some(&fake)).1);
    let failed = raw(r#""{\"output\":\"boom\",\"metadata\":{\"exit_code\":2}}""#);
    assert!(measure_output(Some(&failed)).1);
    assert!(
        measure_output(Some(&raw(
            r#""Exit code: 1\nWall time: 0.2 seconds\nOutput:\n""#
        )))
        .1
    );
    assert!(!measure_output(Some(&raw(r#""Exit code: 0\nOutput:\nok""#))).1);
    assert!(
        measure_output(Some(&raw(
            r#""Chunk ID: 1\nProcess exited with code 127\n""#
        )))
        .1
    );
    assert!(measure_output(Some(&raw(r#""patch rejected: empty patch""#))).1);
    assert!(!measure_output(Some(&raw(r#""Plan updated""#))).1);
    assert_eq!(
        measure_output(Some(&raw(r#"[{"type":"input_text","text":"abc"}]"#))).0,
        3
    );
    assert_eq!(json_string_len(br#""\u00e9\ud83d\ude00""#), 6);
}

#[test]
fn shell_heredoc_writes_and_commit_lines_are_read() {
    let mut calls = function_call(
        "shell",
        r#"{"command":["bash","-lc","cat > pkg/a.go <<'EOF'\npackage pkg\n\nfunc A() {}\nEOF\ngit add -A && git commit -m 'Add A'"]}"#,
        "call_1",
    );
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].shell_writes.len(), 1);
    assert_eq!(calls[0].shell_writes[0].path, "pkg/a.go");
    assert_eq!(
        calls[0].shell_writes[0].hunks[0].new,
        vec!["package pkg", "", "func A() {}"]
    );
    let out = RawValue::from_string(
        r#""{\"output\":\"[main 1a2b3c4] Add A\\n 1 file changed\\n\",\"metadata\":{\"exit_code\":0}}""#
            .to_owned(),
    )
    .expect("raw");
    let text = output_text(Some(&out));
    assert!(text.starts_with("[main 1a2b3c4] Add A"), "{text}");
    calls[0].commits = super::super::shell_writes::commits_in_output(&text);
    assert_eq!(calls[0].commits[0].sha, "1a2b3c4");
}

#[test]
fn head_reads_codex_lines_and_tolerates_spaces() {
    let h = head(br#"{"timestamp":"2026-01-02T16:39:45.349Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[]}}"#)
        .expect("head");
    assert_eq!(
        (h.timestamp, h.kind, h.payload_type, h.role),
        (
            Some("2026-01-02T16:39:45.349Z"),
            "response_item",
            Some("message"),
            Some("assistant")
        )
    );
    let h = head(br#"{"timestamp": "x", "type": "turn_context", "payload": {"cwd": "/r"}}"#)
        .expect("spaced");
    assert_eq!((h.kind, h.payload_type), ("turn_context", None));
    assert!(head(br#"{"payload":{},"type":"event_msg"}"#).is_none());
}

#[test]
fn sniff_tells_codex_from_claude() {
    assert!(sniff(
        br#"{"timestamp":"t","type":"session_meta","payload":{"id":"x"}}"#
    ));
    assert!(!sniff(
        br#"{"type":"user","sessionId":"s","message":{"content":"\"payload\" event_msg"}}"#
    ));
}

#[test]
fn never_panics_on_odd_input() {
    let odd: &[&[u8]] = &[
        b"{}",
        b"[]",
        b"null",
        b"{\"type\":5,\"payload\":[]}",
        b"{\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":-3}}},\"type\":\"event_msg\"}",
        b"{\"timestamp\":\"not a time\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":\"x\",\"output_tokens\":1e400}}}}",
        b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"function_call\",\"name\":\"shell\",\"arguments\":\"{\\\"command\\\":7}\",\"call_id\":1}}",
        b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"custom_tool_call\",\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\\n*** Update File: \\n@@\\n-\\n*** Move to: \\n\"}}",
        b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"function_call_output\",\"call_id\":\"x\",\"output\":\"\\\\\"}}",
        b"{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"session_meta\",\"payload\":\"str\"}",
        b"\xff\xfe{\"a\":1}",
        b"{\"timestamp\":\"\\u00e9\",\"type\":\"event_msg\"",
    ];
    for depth in [Depth::Usage, Depth::Full] {
        for line in odd {
            let mut data = line.to_vec();
            data.push(b'\n');
            let _ = parse_bytes("odd.jsonl", data, depth);
        }
    }
    for s in ["", "\\", "'", "\"", "a | ", "| b", "$(", "x\\\n"] {
        let _ = tokenize(s).and_then(|t| classify_tokens(&t));
    }
    assert!(output_says_error(br#""\"exit_code\":-1""#));
    assert_eq!(leading_int(b" 42abc"), Some(42));
    assert_eq!(decode_prefix(br#""a\u00e9\"#, 10), "aé");
    assert!(parse_patch("*** Begin Patch\n*** Move to: x\n+y").is_empty());
}

/// A shared real sample's path (callers skip when it is absent; see [`super::super::shared_sample`]).
fn shared_sample(name: &str) -> PathBuf {
    super::super::shared_sample(&format!("codex/{name}")).unwrap_or_default()
}

/// (file, steps, input, output, cache_read, reasoning, tool calls), computed independently with
/// Python over each file: Σ changes of `total_token_usage` (repeats skipped), input − cached.
const SAMPLES: &[(&str, usize, u64, u64, u64, u64, usize)] = &[
    ("ccusage-fixture-alpha.jsonl", 2, 2750, 425, 750, 275, 0),
    (
        "codemie-v0.77-exec-shell-ghost-snapshot.jsonl",
        3,
        7626,
        300,
        14848,
        128,
        3,
    ),
    (
        "localpush-v0.104-desktop-exec-heavy-redacted.jsonl",
        28,
        99460,
        14600,
        1651968,
        4293,
        118,
    ),
    (
        "localpush-v0.104-desktop-mcp-redacted.jsonl",
        6,
        59525,
        1123,
        238848,
        483,
        5,
    ),
    (
        "localpush-v0.104-desktop-minimal-redacted.jsonl",
        1,
        31013,
        431,
        3456,
        264,
        1,
    ),
    (
        "vibecodingtracker-v0.39-vscode-shell-update-plan.jsonl",
        19,
        133698,
        12551,
        136832,
        9536,
        18,
    ),
];

#[test]
fn real_samples_have_pinned_totals_and_no_skips() {
    for &(name, steps, input, output, cache_read, reasoning, calls) in SAMPLES {
        let path = shared_sample(name);
        if !path.exists() {
            eprintln!("skipping {name}: {} not found", path.display());
            continue;
        }
        for depth in [Depth::Usage, Depth::Full] {
            let log = parse_file(&path, depth);
            assert_eq!(
                log.skipped.total(),
                0,
                "{name} {depth:?}: {:?}",
                log.skipped
            );
            let s = one(&log);
            assert_eq!(s.steps.len(), steps, "{name} {depth:?}");
            assert_eq!(
                totals(s),
                (input, output, cache_read, reasoning),
                "{name} {depth:?}"
            );
            assert!(s.steps.iter().all(|st| !st.model_inferred), "{name}");
            let n = s.tool_calls().count();
            assert_eq!(
                n,
                if depth == Depth::Full { calls } else { 0 },
                "{name} {depth:?}"
            );
        }
    }
}

#[test]
fn real_sample_details() {
    let path = shared_sample("codemie-v0.77-exec-shell-ghost-snapshot.jsonl");
    if !path.exists() {
        return;
    }
    let log = parse_file(&path, Depth::Full);
    let s = one(&log);
    assert_eq!(s.id, "019b7f94-51b4-7593-922e-ba12b5b73b52");
    assert_eq!(
        s.steps[0].model.as_deref(),
        Some("gpt-5-1-codex-2025-11-13")
    );
    let calls: Vec<&ToolCall> = s.tool_calls().collect();
    assert_eq!(calls[0].kind, ToolKind::List);
    assert_eq!(calls[0].command.as_deref(), Some("ls"));
    assert_eq!(calls[1].kind, ToolKind::List);
    assert_eq!(calls[2].kind, ToolKind::Read);
    assert_eq!(calls[2].paths, vec!["README.md"]);
    assert!(calls.iter().all(|c| c.output_bytes > 0 && !c.is_error));

    let path = shared_sample("vibecodingtracker-v0.39-vscode-shell-update-plan.jsonl");
    let log = parse_file(&path, Depth::Full);
    let s = one(&log);
    let edits: Vec<&ToolCall> = s
        .tool_calls()
        .filter(|c| c.kind == ToolKind::Edit)
        .collect();
    // Four `applypatch << 'PATCH'` heredocs; the empty one was rejected.
    assert_eq!(edits.len(), 5);
    let applied: Vec<&str> = edits
        .iter()
        .filter_map(|c| c.edit.as_ref())
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(
        applied,
        vec![
            "go.mod",
            "README.zh-TW.md",
            "README.zh-CN.md",
            ".python-version"
        ]
    );
    assert_eq!(edits.iter().filter(|c| c.is_error).count(), 1);
    assert_eq!(
        s.tool_calls().filter(|c| c.name == "update_plan").count(),
        4
    );

    let path = shared_sample("ccusage-fixture-alpha.jsonl");
    let log = parse_file(&path, Depth::Usage);
    let s = one(&log);
    assert_eq!(s.id, "ccusage-fixture-alpha");
    assert_eq!(s.steps[1].model.as_deref(), Some("gpt-5.3-codex"));
}

#[test]
fn usage_and_full_depth_agree_on_every_test_log() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/codex");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("testdata") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        let usage = parse_file(&path, Depth::Usage);
        let full = parse_file(&path, Depth::Full);
        let strip = |mut s: Session| {
            for st in &mut s.steps {
                st.tool_calls.clear();
            }
            s
        };
        let u: Vec<Session> = usage.sessions.into_iter().map(strip).collect();
        let f: Vec<Session> = full.sessions.into_iter().map(strip).collect();
        assert_eq!(u, f, "{}", path.display());
        assert_eq!(usage.skipped, full.skipped, "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 5);
}

#[test]
fn a_counter_dipping_by_one_is_not_a_reset() {
    // 100 events whose cached count dips by one every other time (a Codex rounding quirk): the real
    // spend is the final total, not 51 restarts from zero.
    let mut lines = vec![
        r#"{"timestamp":"2026-05-01T10:00:00Z","type":"turn_context","payload":{"model":"gpt-5-codex"}}"#
            .to_owned(),
    ];
    let (mut input, mut cached, mut output) = (0u64, 0u64, 0u64);
    for i in 0..100 {
        input += 1000;
        output += 10;
        cached = if i % 2 == 1 { cached - 1 } else { cached + 501 };
        lines.push(format!(
            r#"{{"timestamp":"2026-05-01T10:{:02}:{:02}Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{input},"cached_input_tokens":{cached},"output_tokens":{output},"reasoning_output_tokens":0}}}}}}}}"#,
            i / 60,
            i % 60
        ));
    }
    let data = lines.join("\n") + "\n";
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_str(&data, depth);
        let s = one(&log);
        let (u, _) = s.usage();
        assert_eq!(u.input + u.cache_read, input, "input counted once");
        assert_eq!(u.output, output);
        // The running cached count keeps its highest value (the last rise), never restarts.
        assert_eq!(u.cache_read, 50 * 501 - 49);
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("50 token count(s) dipped")),
            "{:?}",
            s.notes
        );
    }
}

#[test]
fn a_drop_of_the_total_is_still_a_reset() {
    let data = concat!(
        r#"{"timestamp":"2026-05-01T10:00:00Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":100}}}}"#,
        "\n",
        r#"{"timestamp":"2026-05-01T10:00:01Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":300,"cached_input_tokens":0,"output_tokens":20}}}}"#,
        "\n",
    );
    let (u, _) = one(&parse_str(data, Depth::Usage)).usage();
    assert_eq!((u.input, u.output), (1300, 120));
}

#[test]
fn token_sums_saturate_instead_of_wrapping() {
    let max = u64::MAX;
    let data = format!(
        "{}\n{}\n",
        format_args!(
            r#"{{"timestamp":"2026-05-01T10:00:00Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{max},"cached_input_tokens":0,"output_tokens":{max}}}}}}}}}"#
        ),
        r#"{"timestamp":"2026-05-01T10:00:01Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":5,"cached_input_tokens":0,"output_tokens":5}}}}"#,
    );
    let (u, _) = one(&parse_str(&data, Depth::Usage)).usage();
    assert_eq!((u.input, u.output), (max, max));
    assert_eq!(u.total(), max);
}

#[test]
fn rollout_names_with_multibyte_characters_do_not_panic() {
    for name in [
        "rollout-€€€€€€€€€€€€x.jsonl",
        "rollout-ééééééééééééééééééé.jsonl.zst",
        "rollout-\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}x.jsonl",
    ] {
        let log = parse_bytes(name, b"{}\n".to_vec(), Depth::Usage);
        assert!(log.sessions.is_empty());
        let _ = id_from_path(Path::new(name));
    }
    assert_eq!(
        id_from_path(Path::new(
            "rollout-2026-07-02T09-00-00-0199b1c2-d3e4-7f50-8a6b-7c8d9e0f1a2b.jsonl.zst"
        )),
        "0199b1c2-d3e4-7f50-8a6b-7c8d9e0f1a2b"
    );
}

#[test]
fn new_record_types_are_known_and_paginated_items_carry_tool_calls() {
    let path = testdata("rollout-2026-07-02T09-00-00-0199b1c2-d3e4-7f50-8a6b-7c8d9e0f1a2b.jsonl");
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_file(&path, depth);
        // Only the made-up 2027 record is unknown.
        assert_eq!(log.skipped.total(), 1, "{:?}", log.skipped);
        assert_eq!(log.skipped.by_reason.get(skip::UNKNOWN_RECORD), Some(&1));
        let s = one(&log);
        assert_eq!(s.steps.len(), 2);
        let (u, _) = s.usage();
        assert_eq!((u.input, u.cache_read, u.output), (5000, 15000, 900));
    }
    let log = parse_file(&path, Depth::Full);
    let calls: Vec<&ToolCall> = one(&log).tool_calls().collect();
    assert_eq!(calls.len(), 3, "command, patch (once), diff-only change");
    assert_eq!(calls[0].kind, ToolKind::Read);
    assert_eq!(calls[0].paths, vec!["src/lib.rs"]);
    assert_eq!(calls[0].output_bytes, 15);
    let created = calls[1].edit.as_ref().expect("edit");
    assert_eq!(created.op, EditOp::Create);
    assert_eq!(created.hunks[0].new.len(), 3);
    let updated = calls[2].edit.as_ref().expect("edit");
    assert_eq!(updated.path, "/home/dev/src/shop/src/lib.rs");
    assert_eq!(updated.op, EditOp::Update);
    assert_eq!(updated.hunks[0].old_start, Some(2));
    assert_eq!(updated.hunks[0].new, vec!["pub use cache::Cache;"]);
    assert!(updated.hunks[0].old.is_empty());
}

#[test]
fn a_failed_paginated_file_change_keeps_no_edit() {
    let data = concat!(
        r#"{"timestamp":"2026-05-01T10:00:00Z","type":"event_msg","payload":{"type":"item_completed","item":{"type":"FileChange","id":"c1","changes":{"a.rs":{"type":"add","content":"x\n"}},"status":"failed"}}}"#,
        "\n",
        r#"{"timestamp":"2026-05-01T10:00:01Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":1}}}}"#,
        "\n",
    );
    let log = parse_str(data, Depth::Full);
    let call = one(&log).tool_calls().next().expect("call");
    assert!(call.is_error && call.edit.is_none());
}
