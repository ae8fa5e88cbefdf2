//! OpenCode's database end to end, and each newer format's edits followed into git through the three
//! fates a change meets: merged with a merge commit, squash-merged, and left on an abandoned branch.

use std::path::Path;

use serde_json::json;

use crate::common::opencode::{OpenCodeDb, json_store_copy, write_part};
use crate::common::repo::{TestRepo, at};
use crate::common::{cmd, json, tokens, write_lines};

/// Three files, one per fate; each function is two lines that count (the brace alone does not).
const FATES: [(&str, &str); 3] = [
    (
        "src/merged.rs",
        "pub fn merged_answer() -> u32 {\n    40 + 2\n}\n",
    ),
    (
        "src/squashed.rs",
        "pub fn squashed_answer() -> u32 {\n    50 - 8\n}\n",
    ),
    (
        "src/abandoned.rs",
        "pub fn abandoned_answer() -> u32 {\n    6 * 7\n}\n",
    ),
];

/// The repository after the session: `merged.rs` on a branch merged with `--no-ff`, `squashed.rs` on a
/// branch squash-merged, `abandoned.rs` on a branch never merged.
fn three_fates(repo: &TestRepo) {
    let steps = [
        ("feat-merge", "2026-05-01T11:00:00Z", "2026-05-01T11:10:00Z"),
        (
            "feat-squash",
            "2026-05-01T11:20:00Z",
            "2026-05-01T11:30:00Z",
        ),
        ("feat-abandon", "2026-05-01T11:40:00Z", ""),
    ];
    for ((file, text), (branch, commit_at, merge_at)) in FATES.iter().zip(steps) {
        repo.checkout("main");
        repo.branch(branch);
        repo.write(file, text);
        repo.commit(&format!("Add {file}"), at(commit_at));
        repo.checkout("main");
        match branch {
            "feat-merge" => {
                repo.merge_no_ff(branch, at(merge_at));
            }
            "feat-squash" => {
                repo.squash_merge(branch, "Add squashed (#2)", at(merge_at));
            }
            _ => {}
        }
    }
}

/// The one session's outcome: (added, committed, merged, in HEAD).
fn outcome(home: &Path, repo: &TestRepo, agent: &str) -> (u64, u64, u64, u64) {
    let v = json(
        cmd(&repo.dir)
            .env("HOME", home)
            .args(["sessions", "--json", "--agent", agent]),
    );
    let sessions = v["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "{v}");
    let o = &sessions[0]["outcome"];
    let f = |k: &str| o[k].as_u64().unwrap_or_else(|| panic!("{k} in {o}"));
    (
        f("lines_added"),
        f("lines_committed"),
        f("lines_merged"),
        f("lines_in_head"),
    )
}

/// What every format must give: 6 lines written and committed, the 4 of the merged and squashed files
/// merged and in HEAD, the abandoned file's 2 neither.
const EXPECTED: (u64, u64, u64, u64) = (6, 6, 4, 4);

#[test]
fn an_opencode_database_session_meets_the_three_fates() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let root = std::fs::canonicalize(&repo.dir).expect("canonical");
    let data = home.path().join(".local/share/opencode");
    let mut db = OpenCodeDb::create(&data);
    let first = repo
        .repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("c")
        .id();
    db.project(&first.to_string(), &root)
        .session("ses_fates", &first.to_string(), &root);
    for (i, (file, text)) in FATES.iter().enumerate() {
        db.assistant(
            "ses_fates",
            &format!("msg_{i}"),
            &format!("2026-05-01T10:0{i}:00Z"),
            "claude-sonnet-4-5-20250929",
            (2_000, 150, 1_000, 0),
            0.01,
            &[write_part(&format!("w{i}"), &root.join(file), text)],
        );
    }
    three_fates(&repo);
    assert_eq!(outcome(home.path(), &repo, "opencode"), EXPECTED);
}

#[test]
fn a_gemini_session_meets_the_three_fates() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let root = std::fs::canonicalize(&repo.dir).expect("canonical");
    let r = root.to_string_lossy().into_owned();
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(r.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut lines = vec![
        json!({"sessionId": "gem-fates", "projectHash": hash, "startTime": "2026-05-01T10:00:00Z", "kind": "main"})
            .to_string(),
    ];
    for (i, (file, text)) in FATES.iter().enumerate() {
        lines.push(json!({"id": format!("m{i}"), "timestamp": format!("2026-05-01T10:0{i}:10Z"), "type": "gemini",
            "model": "gemini-2.5-pro",
            "tokens": {"input": 3000, "output": 100, "cached": 1000, "thoughts": 20, "tool": 0, "total": 3120},
            "toolCalls": [{"id": format!("w{i}"), "name": "write_file", "status": "success",
                "args": {"file_path": file, "content": text},
                "resultDisplay": {"filePath": format!("{r}/{file}"), "originalContent": "",
                    "newContent": text, "isNewFile": true}}]}).to_string());
    }
    write_lines(
        &home
            .path()
            .join(".gemini/tmp")
            .join(&hash)
            .join("chats/session-2026-05-01T10-00-fates.jsonl"),
        &lines,
    );
    three_fates(&repo);
    assert_eq!(outcome(home.path(), &repo, "gemini"), EXPECTED);
}

#[test]
fn a_copilot_session_meets_the_three_fates() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let root = std::fs::canonicalize(&repo.dir).expect("canonical");
    let r = root.to_string_lossy().into_owned();
    let ev = |kind: &str, ts: &str, data: serde_json::Value| {
        json!({"type": kind, "data": data, "id": format!("{kind}-{ts}"), "timestamp": ts})
            .to_string()
    };
    let mut lines = vec![
        ev(
            "session.start",
            "2026-05-01T10:00:00Z",
            json!({"sessionId": "cop-fates", "context": {"cwd": r}}),
        ),
        ev(
            "session.model_change",
            "2026-05-01T10:00:01Z",
            json!({"newModel": "gpt-5"}),
        ),
    ];
    for (i, (file, text)) in FATES.iter().enumerate() {
        lines.push(ev(
            "assistant.message",
            &format!("2026-05-01T10:0{i}:10Z"),
            json!({"messageId": format!("m{i}"), "outputTokens": 60,
                "toolRequests": [{"toolCallId": format!("t{i}"), "name": "create",
                    "arguments": {"path": format!("{r}/{file}"), "file_text": text}}]}),
        ));
        lines.push(ev(
            "tool.execution_complete",
            &format!("2026-05-01T10:0{i}:11Z"),
            json!({"toolCallId": format!("t{i}"), "success": true}),
        ));
    }
    write_lines(
        &home
            .path()
            .join(".copilot/session-state/cop-fates/events.jsonl"),
        &lines,
    );
    three_fates(&repo);
    assert_eq!(outcome(home.path(), &repo, "copilot"), EXPECTED);
}

/// OpenCode migrated its JSON store into `opencode.db` and left the files: a message in both is counted
/// once, from the database, and the session says so; a message only in the JSON store still counts.
#[test]
fn a_message_in_the_database_and_the_json_store_counts_once() {
    let home = tempfile::tempdir().expect("tmp");
    let data = home.path().join("oc");
    let mut db = OpenCodeDb::create(&data);
    db.project("global", Path::new("/"))
        .session("ses_both", "global", Path::new("/tmp/nowhere"));
    let model = "claude-sonnet-4-5-20250929";
    db.assistant(
        "ses_both",
        "msg_a",
        "2026-05-01T10:00:00Z",
        model,
        (1_000, 100, 0, 0),
        0.5,
        &[],
    );
    db.assistant(
        "ses_both",
        "msg_b",
        "2026-05-01T10:01:00Z",
        model,
        (2_000, 200, 0, 0),
        0.25,
        &[],
    );
    // The JSON store: the same two messages, and one the database never got.
    json_store_copy(
        &data,
        "ses_both",
        "msg_a",
        "2026-05-01T10:00:00Z",
        model,
        (1_000, 100, 0, 0),
        0.5,
    );
    json_store_copy(
        &data,
        "ses_both",
        "msg_b",
        "2026-05-01T10:01:00Z",
        model,
        (2_000, 200, 0, 0),
        0.25,
    );
    json_store_copy(
        &data,
        "ses_both",
        "msg_c",
        "2026-05-01T09:59:00Z",
        model,
        (4_000, 400, 0, 0),
        0.125,
    );
    let v = json(
        cmd(home.path())
            .env("OPENCODE_DATA_DIR", &data)
            .args(["sessions", "--all", "--json", "--agent", "opencode"]),
    );
    let sessions = v["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "{v}");
    let s = &sessions[0];
    assert_eq!(
        s["agent"], "opencode",
        "the name the JSON contract documents"
    );
    assert_eq!(s["steps"], 3, "{s}");
    assert_eq!(tokens(&s["tokens"]), (7_000, 700, 0, 0));
    assert_eq!(
        s["agent_reported"]["cost_usd"], 0.875,
        "OpenCode's own costs, each once: {s}"
    );
    let notes = s["notes"].to_string();
    assert!(
        notes.contains("2 responses are in both the agent's database and its JSON store"),
        "{notes}"
    );
    let usage = json(
        cmd(home.path())
            .env("OPENCODE_DATA_DIR", &data)
            .args(["usage", "--json"]),
    );
    assert_eq!(usage["total"]["steps"], 3, "{usage}");
    assert_eq!(tokens(&usage["total"]["tokens"]), (7_000, 700, 0, 0));
}

/// The project folder was moved after the session: OpenCode's project id (the root commit) still ties
/// the session to the repository, and the session says how.
#[test]
fn a_moved_project_is_found_by_its_root_commit() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let root = std::fs::canonicalize(&repo.dir).expect("canonical");
    let first = repo
        .repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("c")
        .id()
        .to_string();
    let gone = home.path().join("old-name");
    let mut db = OpenCodeDb::create(&home.path().join(".local/share/opencode"));
    db.project(&first, &gone)
        .session("ses_moved", &first, &gone);
    let (file, text) = FATES[0];
    db.assistant(
        "ses_moved",
        "msg_1",
        "2026-05-01T10:00:00Z",
        "claude-sonnet-4-5-20250929",
        (1_000, 100, 0, 0),
        0.01,
        &[write_part("w1", &gone.join(file), text)],
    );
    // Another session of another repository is not pulled in.
    let other = home.path().join("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    db.project(&"b".repeat(40), &other)
        .session("ses_other", &"b".repeat(40), &other);
    db.assistant(
        "ses_other",
        "msg_2",
        "2026-05-01T10:00:00Z",
        "gpt-5",
        (5, 5, 0, 0),
        0.0,
        &[],
    );
    repo.write(file, text);
    repo.commit("Add merged", at("2026-05-01T10:30:00Z"));
    let v = json(
        cmd(&repo.dir)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    let sessions = v["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "{v}");
    let s = &sessions[0];
    assert_eq!(s["id"], "ses_moved");
    assert!(
        s["notes"]
            .to_string()
            .contains("tied to this repository by its root commit"),
        "{s}"
    );
    assert_eq!(s["outcome"]["lines_merged"], 2, "{s}");
    let _ = root;
}
