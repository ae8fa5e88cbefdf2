//! Gemini CLI, GitHub Copilot CLI and Aider sessions, found where the agents keep them and followed into git
//! like the others; and one repository worked on by all five agents.

use crate::common::repo::{TestRepo, at};
use crate::common::*;

/// A project's chats are under `~/.gemini/tmp/<sha256 of its root>/chats/`; the chat names no working
/// directory, so the repository is recognised by that hash.
#[test]
fn a_gemini_session_is_found_priced_and_followed_into_git() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let root = std::fs::canonicalize(&repo.dir).expect("canonical");
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(root.to_string_lossy().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let content = "package cache\n\n// Get returns the cached value.\nfunc Get(key string) (string, bool) {\n\tv, ok := store[key]\n\treturn v, ok\n}\n";
    let meta = serde_json::json!({"sessionId": "g-123", "projectHash": hash, "startTime": "2026-05-01T10:00:00Z",
        "lastUpdated": "2026-05-01T10:01:00Z", "kind": "main"});
    // The message is written twice (Gemini CLI rewrites it as it grows): it counts once.
    let msg = |with_tools: bool| {
        let mut m = serde_json::json!({"id": "m1", "timestamp": "2026-05-01T10:00:30Z", "type": "gemini",
            "content": "", "model": "gemini-2.5-pro",
            "tokens": {"input": 10_000, "output": 500, "cached": 4_000, "thoughts": 200, "tool": 0, "total": 10_700}});
        if with_tools {
            m["toolCalls"] = serde_json::json!([{"id": "w1", "name": "write_file",
                "args": {"file_path": "cache/get.go", "content": content}, "status": "success",
                "resultDisplay": {"fileName": "get.go", "filePath": format!("{}/cache/get.go", root.display()),
                    "originalContent": "", "newContent": content, "isNewFile": true}}]);
        }
        m.to_string()
    };
    write_lines(
        &home
            .path()
            .join(".gemini/tmp")
            .join(&hash)
            .join("chats/session-2026-05-01T10-00-g-123.jsonl"),
        &[
            meta.to_string(),
            msg(false),
            r#"{"$set":{"lastUpdated":"2026-05-01T10:00:30Z"}}"#.into(),
            msg(true),
        ],
    );
    repo.write("cache/get.go", content);
    repo.commit("Add cache.Get", at("2026-05-01T10:05:00Z"));

    let v = json(
        cmd(&repo.dir)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    let s = &v["sessions"][0];
    assert_eq!(s["agent"], "gemini");
    assert_eq!(s["id"], "g-123");
    assert_eq!(s["steps"], 1);
    assert_eq!(
        tokens(&s["tokens"]),
        (6_000, 700, 4_000, 0),
        "input − cached, output + thoughts"
    );
    assert!(s["cost_usd"].as_f64().is_some_and(|c| c > 0.0), "{s}");
    let o = &s["outcome"];
    // package cache, the comment, func Get, v, ok :=, return v, ok: 5 lines, merged on main.
    assert_eq!(o["lines_added"], 5, "{o}");
    assert_eq!(o["lines_merged"], 5, "{o}");
    assert_eq!(o["lines_in_head"], 5, "{o}");
    // `--agent gemini` reads it.
    let usage = json(
        cmd(&repo.dir)
            .env("HOME", home.path())
            .args(["usage", "--json", "--agent", "gemini"]),
    );
    assert_eq!(usage["total"]["steps"], 1);
}

/// A Copilot CLI session (`~/.copilot/session-state/<id>/events.jsonl`) that created a file on a branch
/// that was squash-merged: its lines are merged, its tokens the shutdown's.
#[test]
fn a_copilot_session_is_followed_into_a_squash_merge() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let root = repo.dir.to_string_lossy().into_owned();
    let text = "pub fn clamp(v: i32) -> i32 {\n    v.clamp(0, 100)\n}\n";
    let ev = |kind: &str, ts: &str, data: serde_json::Value| {
        serde_json::json!({"type": kind, "data": data, "id": ts, "timestamp": ts}).to_string()
    };
    write_lines(
        &home.path().join(".copilot/session-state/cp-1/events.jsonl"),
        &[
            ev(
                "session.start",
                "2026-05-01T10:00:00Z",
                serde_json::json!({"sessionId": "cp-1",
                "context": {"cwd": root, "gitRoot": root, "branch": "clamp"}}),
            ),
            ev(
                "session.model_change",
                "2026-05-01T10:00:01Z",
                serde_json::json!({"newModel": "gpt-5"}),
            ),
            ev(
                "assistant.message",
                "2026-05-01T10:00:10Z",
                serde_json::json!({"messageId": "m1", "content": "",
                "outputTokens": 120, "toolRequests": [{"toolCallId": "t1", "name": "create",
                    "arguments": {"path": format!("{root}/src/clamp.rs"), "file_text": text}}]}),
            ),
            ev(
                "tool.execution_complete",
                "2026-05-01T10:00:11Z",
                serde_json::json!({"toolCallId": "t1",
                "success": true, "result": {"content": "Created file"}}),
            ),
            ev(
                "session.shutdown",
                "2026-05-01T10:01:00Z",
                serde_json::json!({"totalPremiumRequests": 1,
                "modelMetrics": {"gpt-5": {"requests": {"count": 1, "cost": 1},
                    "usage": {"inputTokens": 5000, "outputTokens": 120, "cacheReadTokens": 2000,
                        "cacheWriteTokens": 0, "reasoningTokens": 40}}}}),
            ),
        ],
    );
    repo.branch("clamp");
    repo.write("src/clamp.rs", text);
    repo.commit("Add clamp", at("2026-05-01T10:05:00Z"));
    repo.checkout("main");
    repo.squash_merge("clamp", "Add clamp (#3)", at("2026-05-01T11:00:00Z"));

    let v = json(
        cmd(&repo.dir)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    let s = &v["sessions"][0];
    assert_eq!(s["agent"], "copilot");
    assert_eq!(tokens(&s["tokens"]), (3_000, 120, 2_000, 0));
    assert!(s["cost_usd"].as_f64().is_some_and(|c| c > 0.0), "{s}");
    let o = &s["outcome"];
    // `pub fn clamp…` and `v.clamp(0, 100)`: 2 lines; the brace alone does not count.
    assert_eq!(
        (o["lines_added"].as_u64(), o["lines_merged"].as_u64()),
        (Some(2), Some(2)),
        "{o}"
    );
    assert_eq!(o["merged_via"], "squash");
}

/// Aider's history sits in the repository root; its SEARCH/REPLACE edit and the commit Aider made
/// (`> Commit <sha> aider: …`) are followed into git, and Aider's own cost stays beside the count.
#[test]
fn an_aider_history_in_the_repository_is_read_and_followed_into_git() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.write("src/util.rs", "pub fn keep() {}\n");
    repo.commit("Util", at("2026-05-01T09:30:00Z"));
    repo.write(
        "src/util.rs",
        "pub fn keep() {}\n\npub fn clamp(v: i32) -> i32 {\n    v.max(0).min(100)\n}\n",
    );
    let sha = repo.commit_as(
        "Dev (aider)",
        "aider: Add clamp helper",
        at("2026-05-01T10:01:00Z"),
        at("2026-05-01T10:01:00Z"),
    );
    let short = &sha.to_string()[..7];
    let history = format!(
        "\n# aider chat started at 2026-05-01 10:00:00\n\n> Main model: claude-sonnet-4-5-20250929 with diff edit format  \n\n#### add a clamp helper  \n\nsrc/util.rs\n```rust\n<<<<<<< SEARCH\npub fn keep() {{}}\n=======\npub fn keep() {{}}\n\npub fn clamp(v: i32) -> i32 {{\n    v.max(0).min(100)\n}}\n>>>>>>> REPLACE\n```\n\n> Tokens: 2,400 sent, 104 received. Cost: $0.0088 message, $0.0088 session.  \n> Applied edit to src/util.rs  \n> Commit {short} aider: Add clamp helper  \n"
    );
    std::fs::write(repo.dir.join(".aider.chat.history.md"), history).expect("write");
    let v = json(
        cmd(&repo.dir)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    let s = &v["sessions"][0];
    assert_eq!(s["agent"], "aider", "{v}");
    assert_eq!(tokens(&s["tokens"]), (2_400, 104, 0, 0));
    let o = &s["outcome"];
    assert_eq!(o["lines_added"], 2, "{o}");
    assert_eq!(o["lines_merged"], 2, "{o}");
    assert_eq!(o["own_commits"], serde_json::json!([sha.to_string()]));
    assert_eq!(s["agent_reported"]["total_cost_usd"], 0.0088);
}

/// One repository worked on by all six agents: one `sessions` list and one `review`, each session under
/// its agent, each credited with its own file's lines.
#[test]
fn six_agents_on_one_repository_give_one_table() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let root = std::fs::canonicalize(&repo.dir).expect("canonical");
    let r = root.to_string_lossy().into_owned();
    let file = |agent: &str| {
        format!("pub fn from_{agent}() -> &'static str {{\n    \"{agent} wrote this\"\n}}\n")
    };
    // Claude Code: a Write.
    crate::common::repo::ClaudeLog::new("claude-1", &root)
        .on_branch("main")
        .write("2026-05-01T10:00:00Z", "src/claude.rs", &file("claude"))
        .save(home.path());
    // Codex: an apply_patch adding a file, and its token count.
    let patch = format!(
        "*** Begin Patch\n*** Add File: src/codex.rs\n{}*** End Patch\n",
        file("codex")
            .lines()
            .map(|l| format!("+{l}\n"))
            .collect::<String>()
    );
    let codex = [
        serde_json::json!({"timestamp": "2026-05-01T10:10:00.000Z", "type": "session_meta",
            "payload": {"id": "0199c333-0000-7000-8000-000000000001", "timestamp": "2026-05-01T10:10:00.000Z",
                "cwd": r, "originator": "codex_cli_rs", "cli_version": "0.46.0"}}),
        serde_json::json!({"timestamp": "2026-05-01T10:10:00.100Z", "type": "turn_context",
            "payload": {"cwd": r, "model": "gpt-5-codex"}}),
        serde_json::json!({"timestamp": "2026-05-01T10:10:05.000Z", "type": "response_item",
            "payload": {"type": "custom_tool_call", "status": "completed", "call_id": "c1", "name": "apply_patch", "input": patch}}),
        serde_json::json!({"timestamp": "2026-05-01T10:10:06.000Z", "type": "response_item",
            "payload": {"type": "custom_tool_call_output", "call_id": "c1",
                "output": "{\"output\":\"Success. Updated the following files:\\nA src/codex.rs\\n\",\"metadata\":{\"exit_code\":0}}"}}),
        serde_json::json!({"timestamp": "2026-05-01T10:10:07.000Z", "type": "event_msg",
            "payload": {"type": "token_count", "info": {"total_token_usage": {"input_tokens": 5000,
                "cached_input_tokens": 1000, "output_tokens": 300, "reasoning_output_tokens": 100, "total_tokens": 5300},
                "last_token_usage": {"input_tokens": 5000, "cached_input_tokens": 1000, "output_tokens": 300,
                "reasoning_output_tokens": 100, "total_tokens": 5300}}}}),
    ];
    write_lines(
        &home.path().join(
            ".codex/sessions/2026/05/01/rollout-2026-05-01T10-10-00-0199c333-0000-7000-8000-000000000001.jsonl",
        ),
        &codex.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
    );
    // Gemini CLI: a write_file with its resultDisplay.
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(r.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    write_lines(
        &home.path().join(".gemini/tmp").join(&hash).join("chats/session-2026-05-01T10-20-gem1.jsonl"),
        &[
            serde_json::json!({"sessionId": "gemini-1", "projectHash": hash, "startTime": "2026-05-01T10:20:00Z", "kind": "main"}).to_string(),
            serde_json::json!({"id": "m1", "timestamp": "2026-05-01T10:20:10Z", "type": "gemini", "model": "gemini-2.5-pro",
                "tokens": {"input": 4000, "output": 200, "cached": 0, "thoughts": 50, "tool": 0, "total": 4250},
                "toolCalls": [{"id": "w1", "name": "write_file", "status": "success",
                    "args": {"file_path": "src/gemini.rs", "content": file("gemini")},
                    "resultDisplay": {"filePath": format!("{r}/src/gemini.rs"), "originalContent": "",
                        "newContent": file("gemini"), "isNewFile": true}}]}).to_string(),
        ],
    );
    // Copilot CLI: a create, and the shutdown's totals.
    let ev = |kind: &str, ts: &str, data: serde_json::Value| {
        serde_json::json!({"type": kind, "data": data, "id": ts, "timestamp": ts}).to_string()
    };
    write_lines(
        &home
            .path()
            .join(".copilot/session-state/copilot-1/events.jsonl"),
        &[
            ev(
                "session.start",
                "2026-05-01T10:30:00Z",
                serde_json::json!({"sessionId": "copilot-1", "context": {"cwd": r}}),
            ),
            ev(
                "session.model_change",
                "2026-05-01T10:30:01Z",
                serde_json::json!({"newModel": "gpt-5"}),
            ),
            ev(
                "assistant.message",
                "2026-05-01T10:30:10Z",
                serde_json::json!({"messageId": "m1", "outputTokens": 90,
                "toolRequests": [{"toolCallId": "t1", "name": "create",
                    "arguments": {"path": format!("{r}/src/copilot.rs"), "file_text": file("copilot")}}]}),
            ),
            ev(
                "tool.execution_complete",
                "2026-05-01T10:30:11Z",
                serde_json::json!({"toolCallId": "t1", "success": true}),
            ),
            ev(
                "session.shutdown",
                "2026-05-01T10:31:00Z",
                serde_json::json!({"modelMetrics": {"gpt-5":
                {"usage": {"inputTokens": 3000, "outputTokens": 90, "cacheReadTokens": 0, "cacheWriteTokens": 0}}}}),
            ),
        ],
    );
    // Aider: a SEARCH/REPLACE block it applied (its history is written after the commit: it is not
    // part of the work).
    let aider_history = format!(
        "\n# aider chat started at 2026-05-01 10:40:00\n\n> Main model: gpt-5 with diff edit format  \n\n#### add a function  \n\nsrc/aider.rs\n```rust\n<<<<<<< SEARCH\n=======\n{}>>>>>>> REPLACE\n```\n\n> Tokens: 1,000 sent, 80 received.  \n> Applied edit to src/aider.rs  \n",
        file("aider")
    );
    // OpenCode: a write part in its database.
    let mut db =
        crate::common::opencode::OpenCodeDb::create(&home.path().join(".local/share/opencode"));
    db.project("global", std::path::Path::new("/"))
        .session("ses_six", "global", &root);
    db.assistant(
        "ses_six",
        "msg_1",
        "2026-05-01T10:50:00Z",
        "claude-sonnet-4-5-20250929",
        (2_000, 90, 0, 0),
        0.01,
        &[crate::common::opencode::write_part(
            "w1",
            &root.join("src/opencode.rs"),
            &file("opencode"),
        )],
    );
    for agent in ["claude", "codex", "gemini", "copilot", "aider", "opencode"] {
        repo.write(&format!("src/{agent}.rs"), &file(agent));
    }
    repo.commit("Five agents' functions", at("2026-05-01T11:00:00Z"));
    std::fs::write(repo.dir.join(".aider.chat.history.md"), aider_history).expect("write");

    let v = json(
        cmd(&repo.dir)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    let mut by_agent: Vec<(String, u64)> = v["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| {
            (
                s["agent"].as_str().unwrap_or_default().to_owned(),
                s["outcome"]["lines_merged"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    by_agent.sort();
    // Each wrote `pub fn from_<agent>() …` and its string: 2 lines, merged (committed on main).
    assert_eq!(
        by_agent,
        [
            "aider",
            "claude-code",
            "codex",
            "copilot",
            "gemini",
            "opencode"
        ]
        .map(|a| (a.to_owned(), 2))
        .to_vec(),
        "{v}"
    );
    let review = json(
        cmd(&repo.dir)
            .env("HOME", home.path())
            .env("AGENT_AUDIT_NOW", "2026-05-03T00:00:00Z")
            .args(["review", "--since", "7d", "--format", "json"]),
    );
    let mut agents: Vec<&str> = review["points"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p["agent"].as_str())
        .collect();
    agents.sort_unstable();
    assert_eq!(
        agents,
        [
            "aider",
            "claude-code",
            "codex",
            "copilot",
            "gemini",
            "opencode"
        ],
        "{review}"
    );
}
