//! Issue 3: what became of a session's lines — one test per route, each with real commits built in a
//! temp dir and a session log whose edits produced them.

use crate::common::repo::{ClaudeLog, TestRepo, at};
use crate::common::*;

const CACHE: &str = "pub struct Cache {\n    entries: HashMap<String, String>,\n}\n\nimpl Cache {\n    pub fn get(&self, key: &str) -> Option<&String> {\n        self.entries.get(key)\n    }\n}\n";
/// Non-trivial lines of CACHE (braces alone do not count).
const CACHE_LINES: u64 = 5;

struct World {
    home: tempfile::TempDir,
    repo: TestRepo,
}

fn world() -> World {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    World { home, repo }
}

impl World {
    fn log(&self, id: &str) -> ClaudeLog {
        ClaudeLog::new(id, &self.repo.dir)
    }

    fn sessions(&self, extra: &[&str]) -> serde_json::Value {
        json(
            cmd(&self.repo.dir)
                .env("HOME", self.home.path())
                .args(["sessions", "--json"])
                .args(extra),
        )
    }

    fn outcome(&self, id: &str) -> serde_json::Value {
        let v = self.sessions(&[]);
        v["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("session {id} in {v}"))["outcome"]
            .clone()
    }
}

fn counts(o: &serde_json::Value) -> (u64, u64, u64, u64) {
    let f = |k: &str| o[k].as_u64().unwrap_or_else(|| panic!("{k} in {o}"));
    (
        f("lines_added"),
        f("lines_committed"),
        f("lines_merged"),
        f("lines_in_head"),
    )
}

/// The session writes src/cache.rs on a feature branch and the developer commits it.
fn session_on_feature(w: &World) -> git2::Oid {
    w.repo.branch("feature");
    w.log("s1")
        .write("2026-05-01T10:00:00Z", "src/cache.rs", CACHE)
        .save(w.home.path());
    w.repo.write("src/cache.rs", CACHE);
    w.repo.commit("Add cache", at("2026-05-01T10:10:00Z"))
}

#[test]
fn merge_commit() {
    let w = world();
    let c = session_on_feature(&w);
    w.repo.checkout("main");
    w.repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    let o = w.outcome("s1");
    assert_eq!(
        counts(&o),
        (CACHE_LINES, CACHE_LINES, CACHE_LINES, CACHE_LINES)
    );
    assert_eq!(o["merged"], true);
    assert_eq!(o["merged_via"], "merge");
    assert_eq!(o["commits"], serde_json::json!([c.to_string()]));
}

#[test]
fn fast_forward() {
    let w = world();
    session_on_feature(&w);
    w.repo.checkout("main");
    w.repo.fast_forward("feature");
    let o = w.outcome("s1");
    assert_eq!(
        counts(&o),
        (CACHE_LINES, CACHE_LINES, CACHE_LINES, CACHE_LINES)
    );
    assert_eq!(o["merged_via"], "fast-forward");
}

#[test]
fn rebase_onto_moved_main() {
    let w = world();
    session_on_feature(&w);
    w.repo.checkout("main");
    w.repo.write("docs.md", "unrelated human work on main\n");
    w.repo.commit("Docs", at("2026-05-01T10:30:00Z"));
    w.repo.rebase("feature", "main", at("2026-05-01T12:00:00Z"));
    w.repo.checkout("main");
    w.repo.fast_forward("feature");
    let o = w.outcome("s1");
    assert_eq!(
        counts(&o),
        (CACHE_LINES, CACHE_LINES, CACHE_LINES, CACHE_LINES)
    );
    assert_eq!(o["merged_via"], "rebase");
}

#[test]
fn squash_merge_with_a_human_tweak_before_the_squash() {
    let w = world();
    session_on_feature(&w);
    // The reviewer renames the field on the branch: two of the session's lines change.
    let tweaked = CACHE.replace("entries", "items");
    w.repo.write("src/cache.rs", &tweaked);
    w.repo.commit("Rename field", at("2026-05-01T10:20:00Z"));
    w.repo.checkout("main");
    let squash = w
        .repo
        .squash_merge("feature", "Add cache", at("2026-05-01T11:00:00Z"));
    let o = w.outcome("s1");
    // Committed: all five on the branch; merged: the three the human did not change.
    assert_eq!(counts(&o), (CACHE_LINES, CACHE_LINES, 3, 3));
    assert_eq!(o["merged_via"], "squash");
    assert!(
        o["commits"]
            .as_array()
            .expect("commits")
            .contains(&squash.to_string().into())
    );
}

#[test]
fn cherry_pick() {
    let w = world();
    let c = session_on_feature(&w);
    w.repo.checkout("main");
    w.repo.cherry_pick(c, at("2026-05-01T11:00:00Z"));
    let o = w.outcome("s1");
    assert_eq!(
        counts(&o),
        (CACHE_LINES, CACHE_LINES, CACHE_LINES, CACHE_LINES)
    );
    assert_eq!(o["merged_via"], "cherry-pick");
}

#[test]
fn abandoned_branch_is_committed_but_never_merged() {
    let w = world();
    session_on_feature(&w);
    w.repo.checkout("main");
    let o = w.outcome("s1");
    assert_eq!(counts(&o), (CACHE_LINES, CACHE_LINES, 0, 0));
    assert_eq!(o["merged"], false);
    assert_eq!(o["merged_via"], serde_json::Value::Null);
}

#[test]
fn uncommitted_edits_after_a_work_tree_reset() {
    let w = world();
    w.log("s1")
        .write("2026-05-01T10:00:00Z", "src/cache.rs", CACHE)
        .save(w.home.path());
    w.repo.write("src/cache.rs", CACHE);
    std::fs::remove_file(w.repo.dir.join("src/cache.rs")).expect("reset");
    let o = w.outcome("s1");
    assert_eq!(counts(&o), (CACHE_LINES, 0, 0, 0));
    assert_eq!(o["commits"], serde_json::json!([]));
}

#[test]
fn amended_commit_counts_once_in_its_final_form() {
    let w = world();
    session_on_feature(&w);
    // Amend with a human change to one line; the first version becomes unreachable.
    w.repo.write(
        "src/cache.rs",
        &CACHE.replace("self.entries.get(key)", "self.entries.get(key.trim())"),
    );
    let amended = w
        .repo
        .amend("Add cache (amended)", at("2026-05-01T10:15:00Z"));
    w.repo.checkout("main");
    w.repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    let o = w.outcome("s1");
    assert_eq!(
        counts(&o),
        (
            CACHE_LINES,
            CACHE_LINES - 1,
            CACHE_LINES - 1,
            CACHE_LINES - 1
        )
    );
    assert_eq!(o["merged_via"], "merge");
    assert_eq!(o["commits"], serde_json::json!([amended.to_string()]));
}

#[test]
fn human_edits_on_top_leave_part_of_the_lines_in_head() {
    let w = world();
    session_on_feature(&w);
    w.repo.checkout("main");
    w.repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    // Days later a human rewrites the getter.
    w.repo.write(
        "src/cache.rs",
        &CACHE.replace("    pub fn get(&self, key: &str) -> Option<&String> {\n        self.entries.get(key)\n", "    pub fn lookup(&self, key: &str) -> Option<&String> {\n        self.entries.get(key).filter(|v| !v.is_empty())\n"),
    );
    w.repo.commit("Rework getter", at("2026-05-03T09:00:00Z"));
    let o = w.outcome("s1");
    assert_eq!(
        counts(&o),
        (CACHE_LINES, CACHE_LINES, CACHE_LINES, CACHE_LINES - 2)
    );
}

#[test]
fn two_sessions_editing_the_same_file_keep_their_own_lines() {
    let w = world();
    w.repo.branch("feature");
    w.log("s1")
        .write("2026-05-01T10:00:00Z", "src/cache.rs", CACHE)
        .save(w.home.path());
    w.repo.write("src/cache.rs", CACHE);
    w.repo.commit("Add cache", at("2026-05-01T10:10:00Z"));
    let old = "        self.entries.get(key)\n    }\n";
    let new = "        self.entries.get(key)\n    }\n\n    pub fn len(&self) -> usize {\n        self.entries.len()\n    }\n";
    w.log("s2")
        .edit("2026-05-01T14:00:00Z", "src/cache.rs", old, new)
        .save(w.home.path());
    w.repo.write("src/cache.rs", &CACHE.replace(old, new));
    w.repo.commit("Add len", at("2026-05-01T14:10:00Z"));
    w.repo.checkout("main");
    w.repo.merge_no_ff("feature", at("2026-05-01T15:00:00Z"));
    assert_eq!(
        counts(&w.outcome("s1")),
        (CACHE_LINES, CACHE_LINES, CACHE_LINES, CACHE_LINES)
    );
    assert_eq!(counts(&w.outcome("s2")), (2, 2, 2, 2));
}

#[test]
fn a_session_from_another_repository_is_excluded() {
    let w = world();
    session_on_feature(&w);
    let other = TestRepo::init(&w.home.path().join("other"), at("2026-05-01T09:00:00Z"));
    ClaudeLog::new("elsewhere", &other.dir)
        .write("2026-05-01T10:00:00Z", "src/cache.rs", CACHE)
        .save(w.home.path());
    let v = w.sessions(&[]);
    let ids: Vec<&str> = v["sessions"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["s1"]);
}

#[test]
fn no_base_branch_is_said_and_nothing_is_merged() {
    let w = world();
    session_on_feature(&w);
    w.repo.checkout("main");
    w.repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    let v = w.sessions(&["--base", "feature"]);
    assert_eq!(v["base"], "feature");
    let err = cmd(&w.repo.dir)
        .env("HOME", w.home.path())
        .args(["sessions", "--base", "no-such-branch"])
        .output()
        .expect("run");
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr).contains("no-such-branch"));
}

#[test]
fn a_file_renamed_after_the_merge_is_named_in_a_note() {
    let w = world();
    session_on_feature(&w);
    w.repo.checkout("main");
    w.repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    std::fs::rename(
        w.repo.dir.join("src/cache.rs"),
        w.repo.dir.join("src/store.rs"),
    )
    .expect("mv");
    w.repo
        .commit("Rename cache to store", at("2026-05-02T09:00:00Z"));
    let v = w.sessions(&[]);
    let o = &v["sessions"][0]["outcome"];
    assert_eq!(counts(o), (CACHE_LINES, CACHE_LINES, CACHE_LINES, 0));
    let notes = v["git_notes"].to_string();
    assert!(
        notes.contains("src/cache.rs") && notes.contains("renamed or deleted"),
        "{notes}"
    );
}

/// A Codex rollout whose `apply_patch` adds `src/cache.rs` with CACHE, in `cwd`.
fn codex_rollout(home: &std::path::Path, cwd: &std::path::Path, id: &str, ts: &str) {
    let patch = format!(
        "*** Begin Patch\n*** Add File: src/cache.rs\n{}*** End Patch\n",
        CACHE.lines().map(|l| format!("+{l}\n")).collect::<String>()
    );
    let cwd = cwd.to_str().expect("utf8");
    let usage = serde_json::json!({"input_tokens": 9000, "cached_input_tokens": 6000, "output_tokens": 700,
        "reasoning_output_tokens": 300, "total_tokens": 9700});
    let lines = [
        serde_json::json!({"timestamp": ts, "type": "session_meta", "payload": {"id": id, "timestamp": ts, "cwd": cwd,
            "originator": "codex_cli_rs", "cli_version": "0.46.0", "git": {"branch": "feature"}}}),
        serde_json::json!({"timestamp": ts, "type": "turn_context", "payload": {"cwd": cwd, "model": "gpt-5-codex"}}),
        serde_json::json!({"timestamp": ts, "type": "response_item", "payload": {"type": "custom_tool_call",
            "name": "apply_patch", "input": patch, "call_id": "call_1", "status": "completed"}}),
        serde_json::json!({"timestamp": ts, "type": "response_item", "payload": {"type": "custom_tool_call_output",
            "call_id": "call_1", "output": serde_json::json!({"output": "Success. Updated the following files:\nA src/cache.rs\n",
            "metadata": {"exit_code": 0}}).to_string()}}),
        serde_json::json!({"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count",
            "info": {"total_token_usage": usage, "last_token_usage": usage}}}),
    ]
    .map(|l| l.to_string());
    write_lines(
        &home.join(format!(
            ".codex/sessions/2026/05/01/rollout-2026-05-01T10-00-00-{id}.jsonl"
        )),
        &lines,
    );
}

#[test]
fn codex_apply_patch_session_merged_by_a_merge_commit() {
    let w = world();
    w.repo.branch("feature");
    let id = "019a0000-1111-7222-8333-444455556666";
    codex_rollout(w.home.path(), &w.repo.dir, id, "2026-05-01T10:00:00Z");
    w.repo.write("src/cache.rs", CACHE);
    w.repo.commit("Add cache", at("2026-05-01T10:10:00Z"));
    w.repo.checkout("main");
    w.repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    let v = w.sessions(&[]);
    let s = &v["sessions"][0];
    assert_eq!(s["agent"], "codex");
    assert_eq!(tokens(&s["tokens"]), (3000, 700, 6000, 0));
    let o = &s["outcome"];
    assert_eq!(
        counts(o),
        (CACHE_LINES, CACHE_LINES, CACHE_LINES, CACHE_LINES)
    );
    assert_eq!(o["merged_via"], "merge");
}
