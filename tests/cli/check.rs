//! Issue 5: `check` on a branch under review, its Markdown, and the exit code of each `--fail-on` rule.

use crate::common::repo::{ClaudeLog, TestRepo, at};
use crate::common::*;

const CODE: &str = "pub fn parse(input: &str) -> Vec<u32> {\n    input.split(',').filter_map(|s| s.trim().parse().ok()).collect()\n}\n";

/// A feature branch with one agent session's commit and one human commit; main untouched.
fn branch_under_review() -> (tempfile::TempDir, TestRepo) {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.branch("feature");
    ClaudeLog::new("agent-one", &repo.dir)
        .on("claude-opus-4-6", (5, 400, 50_000, 5_000))
        .read("2026-05-01T10:00:00Z", "README.md", 200)
        .write("2026-05-01T10:02:00Z", "src/parse.rs", CODE)
        .save(home.path());
    repo.write("src/parse.rs", CODE);
    repo.commit("Add parser", at("2026-05-01T10:10:00Z"));
    repo.write(
        "src/notes.rs",
        "// Written by a person, line one\n// and line two of it\n",
    );
    repo.commit("Human notes", at("2026-05-01T10:20:00Z"));
    (home, repo)
}

fn run(home: &std::path::Path, repo: &TestRepo, args: &[&str]) -> std::process::Output {
    cmd(&repo.dir)
        .env("HOME", home)
        .arg("check")
        .args(args)
        .output()
        .expect("run")
}

#[test]
fn check_json_counts_agent_and_human_lines() {
    let (home, repo) = branch_under_review();
    let out = run(home.path(), &repo, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["schema"], "agent-audit/check/v1");
    assert_eq!(v["base"], "main");
    assert_eq!(v["head"], "feature");
    assert_eq!(v["commits"], 2);
    assert_eq!(v["branch_lines"], 4);
    assert_eq!(v["agent_lines"], 2);
    assert_eq!(v["human_lines"], 2);
    assert_eq!(v["sessions"].as_array().expect("sessions").len(), 1);
    // 2 steps on Opus 4.6 (5/25/0.5/6.25 per M): 2 × (25 + 10000 + 25000 + 31250)/1e6.
    let cost = v["cost_usd"].as_f64().expect("cost");
    assert!((cost - 0.13255).abs() < 1e-9, "{cost}");
}

#[test]
fn check_markdown_snapshot() {
    let (home, repo) = branch_under_review();
    let out = run(home.path(), &repo, &["--format", "md"]);
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).expect("utf8"));
}

#[test]
fn fail_on_rules_set_the_exit_code() {
    let (home, repo) = branch_under_review();
    // The branch is not merged and the session ended long before "now" (2026-06-01): theater.
    for (rule, code) in [
        ("theater", 1),
        ("lead", 0),
        ("no-accepted-output", 1),
        ("retry-loop", 0),
        ("cost>0.10", 1),
        ("cost>1", 0),
        ("cost-per-line>0.05", 1),
        ("cost-per-line>0.50", 0),
        ("premium-share>0.8", 1),
        ("premium-share>0.99", 1),
        ("tokens>1000000", 0),
    ] {
        let out = run(home.path(), &repo, &["--fail-on", rule]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "--fail-on {rule}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code == 1 {
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("check failed"),
                "{rule}"
            );
        }
    }
    let out = run(home.path(), &repo, &["--fail-on", "vibes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown --fail-on rule"));
}

#[test]
fn a_branch_without_agent_sessions_passes() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.branch("feature");
    repo.write("a.txt", "a human change of some length\n");
    repo.commit("human", at("2026-05-01T10:00:00Z"));
    let out = run(
        home.path(),
        &repo,
        &["--fail-on", "theater", "--format", "md"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("no agent session wrote lines of this branch")
    );
}
