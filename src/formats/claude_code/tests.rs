//! The Claude Code parser's tests: the traps of the format, on real samples and lines written here.

use super::*;

fn parse_str(data: &'static str, depth: Depth) -> FileLog {
    let reader = LineReader::new(Path::new("s.jsonl"), Box::new(data.as_bytes()));
    parse(Path::new("s.jsonl"), reader, depth).expect("parse")
}

const SNAPSHOT_THEN_FINAL: &str = concat!(
    r#"{"type":"assistant","sessionId":"s1","cwd":"/r","gitBranch":"main","timestamp":"2026-01-01T10:00:00Z","requestId":"req_1","message":{"id":"msg_1","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":3,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":2}}}"#,
    "\n",
    r#"{"type":"assistant","sessionId":"s1","cwd":"/r","timestamp":"2026-01-01T10:00:01Z","requestId":"req_1","message":{"id":"msg_1","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"tool_use","id":"toolu_1","name":"Edit","input":{"file_path":"/r/a.rs","old_string":"a\nb","new_string":"a\nc\nd"}}],"usage":{"input_tokens":3,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":250}}}"#,
    "\n",
    r#"{"type":"user","sessionId":"s1","timestamp":"2026-01-01T10:00:02Z","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"ok"}]},"toolUseResult":{"filePath":"/r/a.rs","structuredPatch":[{"oldStart":4,"oldLines":2,"newStart":4,"newLines":3,"lines":[" a","-b","+c","+d"]}]}}"#,
    "\n",
);

#[test]
fn one_response_over_several_lines_is_one_step_with_the_largest_usage() {
    let log = parse_str(SNAPSHOT_THEN_FINAL, Depth::Full);
    assert_eq!(log.sessions.len(), 1);
    let s = &log.sessions[0];
    assert_eq!(s.steps.len(), 1);
    let u = s.steps[0].usage.expect("usage");
    assert_eq!(
        (u.input, u.output, u.cache_read, u.cache_write()),
        (3, 250, 1000, 100)
    );
    assert_eq!(s.branch.as_deref(), Some("main"));
    let call = &s.steps[0].tool_calls[0];
    assert_eq!(call.kind, ToolKind::Edit);
    assert_eq!(call.output_bytes, 2);
    let edit = call.edit.as_ref().expect("edit");
    assert_eq!(edit.hunks[0].old_start, Some(4));
    assert_eq!(edit.hunks[0].old, vec!["b"]);
    assert_eq!(edit.hunks[0].new, vec!["c", "d"]);
    assert_eq!(log.skipped.total(), 0);
}

#[test]
fn usage_depth_counts_the_same_tokens() {
    let full = parse_str(SNAPSHOT_THEN_FINAL, Depth::Full);
    let fast = parse_str(SNAPSHOT_THEN_FINAL, Depth::Usage);
    assert_eq!(full.sessions[0].usage(), fast.sessions[0].usage());
    assert!(fast.sessions[0].steps[0].tool_calls.is_empty());
}

#[test]
fn failed_edit_has_no_edit_and_is_an_error() {
    let data = concat!(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","requestId":"r","message":{"id":"m","role":"assistant","model":"claude-opus-4-6","content":[{"type":"tool_use","id":"t","name":"Edit","input":{"file_path":"/x","old_string":"nope","new_string":"yes"}}],"usage":{"input_tokens":1,"output_tokens":1}}}"#,
        "\n",
        r#"{"type":"user","sessionId":"s","timestamp":"2026-01-01T10:00:01Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":true,"content":"<tool_use_error>String to replace not found in file.</tool_use_error>"}]},"toolUseResult":"Error: String to replace not found in file."}"#,
        "\n"
    );
    let log = parse_str(data, Depth::Full);
    let call = &log.sessions[0].steps[0].tool_calls[0];
    assert!(call.is_error);
    assert!(call.edit.is_none());
}

#[test]
fn synthetic_messages_are_not_steps_and_unknown_types_are_counted() {
    let data = concat!(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","message":{"id":"m","role":"assistant","model":"<synthetic>","content":[],"usage":{"input_tokens":0,"output_tokens":0}}}"#,
        "\n",
        r#"{"type":"brand-new-record","sessionId":"s"}"#,
        "\n",
        "not json\n",
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01"#
    );
    let log = parse_str(data, Depth::Full);
    assert!(log.sessions.iter().all(|s| s.steps.is_empty()));
    assert_eq!(log.skipped.by_reason.get(skip::UNKNOWN_RECORD), Some(&1));
    assert_eq!(log.skipped.by_reason.get(skip::INVALID_JSON), Some(&1));
    assert_eq!(log.skipped.by_reason.get(skip::TRUNCATED), Some(&1));
}

#[test]
fn result_bytes_count_decoded_text() {
    let raw: Box<RawValue> =
        serde_json::from_str(r#"[{"type":"text","text":"abc"},{"type":"text","text":"d\te"}]"#)
            .expect("raw");
    assert_eq!(result_bytes(Some(&raw)), 6);
}

#[test]
fn one_hour_cache_writes_are_split_out() {
    let data = concat!(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","message":{"id":"m","role":"assistant","model":"claude-opus-4-6","usage":{"input_tokens":3,"cache_creation_input_tokens":500,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":420},"output_tokens":9,"speed":"fast"}}}"#,
        "\n"
    );
    let step = &parse_str(data, Depth::Usage).sessions[0].steps[0];
    let u = step.usage.expect("usage");
    assert_eq!((u.cache_write_5m, u.cache_write_1h), (80, 420));
    assert_eq!(step.service_tier, ServiceTier::Fast);
}

fn shared_sample(name: &str) -> Option<std::path::PathBuf> {
    super::super::shared_sample(&format!("claude-code/{name}"))
}

/// The real transcripts that edit tab-indented Go files: every edit line is a whole line of the file
/// as the edit left it (originalFile + the tool input, applied here with plain string replacement),
/// tabs included — never the patch's two-space rendering.
#[test]
fn real_tab_indented_edits_match_original_file_plus_input() {
    let cases = [
        // (file, edits, lines added, lines removed): the counts of Claude Code's own patches.
        ("entire-v2.1.36-opus46-bash-edit.jsonl", 2, 0, 19),
        ("entire-v2.1.3-sonnet45-todowrite-write.jsonl", 1, 64, 192),
        ("entire-v2.0.76-summary-edit-bash.jsonl", 2, 4, 4),
        ("entire-v2.1.22-edits-with-failed-edit.jsonl", 2, 2, 2),
    ];
    for (name, edits_expected, added_expected, removed_expected) in cases {
        let Some(path) = shared_sample(name) else {
            return;
        };
        // Independent expectation: each result's originalFile with its input applied.
        let mut after: HashMap<String, String> = HashMap::new();
        for line in std::fs::read_to_string(&path).expect("read").lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            let tur = &v["toolUseResult"];
            let Some(orig) = tur["originalFile"].as_str() else {
                continue;
            };
            let id = v["message"]["content"][0]["tool_use_id"]
                .as_str()
                .expect("tool_use_id")
                .to_owned();
            let new = match (tur["oldString"].as_str(), tur["content"].as_str()) {
                (Some(old), _) => {
                    orig.replacen(old, tur["newString"].as_str().expect("newString"), 1)
                }
                (None, Some(content)) => content.to_owned(),
                _ => continue,
            };
            after.insert(id, new);
        }
        let log = parse_file(&path, Depth::Full);
        let calls: Vec<&ToolCall> = log
            .sessions
            .iter()
            .flat_map(|s| s.tool_calls())
            .filter(|c| c.edit.is_some() && after.contains_key(&c.id))
            .collect();
        assert_eq!(calls.len(), edits_expected, "{name}: rebuilt edits");
        let (mut added, mut removed) = (0, 0);
        for call in calls {
            let edit = call.edit.as_ref().expect("edit");
            let file_after = &after[&call.id];
            for line in edit.hunks.iter().flat_map(|h| h.new.iter()) {
                assert!(
                    file_after.lines().any(|l| l == line),
                    "{name}: {line:?} is not a line of the edited file"
                );
            }
            added += edit.lines_added();
            removed += edit.lines_removed();
        }
        assert_eq!(
            (added, removed),
            (added_expected, removed_expected),
            "{name}: lines added/removed"
        );
    }
    if let Some(path) = shared_sample("entire-v2.1.36-opus46-bash-edit.jsonl") {
        let log = parse_file(&path, Depth::Full);
        let new: Vec<&String> = log
            .sessions
            .iter()
            .flat_map(|s| s.tool_calls())
            .filter_map(|c| c.edit.as_ref())
            .flat_map(|e| e.hunks.iter().flat_map(|h| h.new.iter()))
            .collect();
        let old: Vec<&String> = log
            .sessions
            .iter()
            .flat_map(|s| s.tool_calls())
            .filter_map(|c| c.edit.as_ref())
            .flat_map(|e| e.hunks.iter().flat_map(|h| h.old.iter()))
            .collect();
        assert!(
            new.is_empty(),
            "a conflict resolution that only keeps one side adds nothing"
        );
        assert!(
            old.iter()
                .any(|l| l.starts_with("\t\tagentType := DefaultAgentType"))
        );
        assert!(!old.iter().any(|l| l.starts_with("    agentType")));
    }
}

fn parse_file(path: &std::path::Path, depth: Depth) -> FileLog {
    parse(path, LineReader::open(path).expect("open"), depth).expect("parse")
}

#[test]
fn bash_reads_weigh_as_reads_like_codex_ones() {
    let block: Block<'_> = serde_json::from_str(
        r#"{"type":"tool_use","id":"t","name":"Bash","input":{"command":"cat src/x.rs"}}"#,
    )
    .expect("block");
    let call = tool_call(&block);
    assert_eq!(call.kind, ToolKind::Read);
    assert_eq!(call.paths, vec!["src/x.rs"]);
    assert_eq!(call.command.as_deref(), Some("cat src/x.rs"));
    let block: Block<'_> = serde_json::from_str(
        r#"{"type":"tool_use","id":"t","name":"Bash","input":{"command":"cargo test"}}"#,
    )
    .expect("block");
    assert_eq!(tool_call(&block).kind, ToolKind::Shell);
}

#[test]
fn an_escaped_usage_key_is_read_by_the_fast_path_too() {
    let data = concat!(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","requestId":"r","message":{"id":"m","role":"assistant","model":"claude-opus-4-6","\u0075sage":{"input_tokens":7,"output_tokens":9}}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:01Z","requestId":"r2","message":{"id":"m2","role":"assistant","model":"claude-opus-4-6","us\u0061ge":{"input_tokens":1,"output_tokens":2}}}"#,
        "\n",
    );
    let full = parse_str(data, Depth::Full);
    let fast = parse_str(data, Depth::Usage);
    assert_eq!(full.sessions[0].usage().0.input, 8);
    assert_eq!(full.sessions[0].usage(), fast.sessions[0].usage());
    assert!(may_hold_usage(br#"{"\u0075sage":1}"#));
    assert!(!may_hold_usage(br#"{"text":"\u001b[31mred"}"#));
}

const COST_STATE: &str = concat!(
    r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T10:00:00Z","requestId":"r","message":{"id":"m","role":"assistant","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":20}}}"#,
    "\n",
    r#"{"type":"cost-state","sessionId":"s","timestamp":"2026-01-01T10:00:05Z","totalCostUSD":0.01,"modelUsage":{"claude-sonnet-4-5-20250929":{"inputTokens":10,"outputTokens":20,"costUSD":0.01}}}"#,
    "\n",
    r#"{"type":"cost-state","sessionId":"s","timestamp":"2026-01-01T10:00:09Z","totalCostUSD":0.0342,"totalDuration":9000,"modelUsage":{"claude-sonnet-4-5-20250929":{"inputTokens":10,"outputTokens":20,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"costUSD":0.00033},"claude-haiku-4-5-20251001":{"inputTokens":3100,"outputTokens":64,"costUSD":0.00342}},"hasUnknownModelCost":false}"#,
    "\n",
);

#[test]
fn the_last_cost_state_is_kept_beside_the_count_at_both_depths() {
    for depth in [Depth::Usage, Depth::Full] {
        let log = parse_str(COST_STATE, depth);
        assert_eq!(log.skipped.total(), 0);
        let s = &log.sessions[0];
        assert_eq!(s.steps.len(), 1, "a cost-state is not a step");
        let r = s.agent_reported.as_ref().expect("cost-state read");
        assert_eq!(r.total_cost_usd, Some(0.0342));
        assert_eq!(r.models.len(), 2);
        assert_eq!(r.models["claude-haiku-4-5-20251001"].input, 3100);
        assert_eq!(r.at, "2026-01-01T10:00:09Z".parse().ok());
        let cmp = r.compare(Some(0.0003));
        assert!((cmp.difference_usd.expect("both known") - 0.0339).abs() < 1e-9);
    }
}
