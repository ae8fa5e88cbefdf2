//! Issue 4: verdicts and flags from real-shaped logs and temp repositories.

use crate::common::repo::{ClaudeLog, TestRepo, at};
use crate::common::*;

const OPUS: &str = "claude-opus-4-6";
const HAIKU: &str = "claude-haiku-4-5-20251001";

fn report(home: &std::path::Path, repo: &TestRepo, id: &str) -> serde_json::Value {
    let v = json(
        cmd(&repo.dir)
            .env("HOME", home)
            .args(["session", id, "--json"]),
    );
    v["session"].clone()
}

fn codes(s: &serde_json::Value) -> Vec<String> {
    s["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn broad_premium_retrying_unmerged_session_is_theater() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.branch("experiment");
    let mut log = ClaudeLog::new("wasteful", &repo.dir);
    // Thirty files read on Opus, each a short answer: premium spent on simple steps.
    log.on(OPUS, (5, 80, 60_000, 2_000));
    for i in 0..30 {
        log.read(
            &format!("2026-05-01T10:{i:02}:00Z"),
            &format!("src/mod{i}.rs"),
            4_000,
        );
    }
    // Edits that fail, and are tried again; a test command re-run after failing, three times.
    log.on(OPUS, (5, 900, 80_000, 3_000));
    for i in 0..3 {
        log.failed_edit(
            &format!("2026-05-01T11:{:02}:00Z", i * 2),
            "src/lib.rs",
            "fn old()",
            "fn new()",
        );
        log.edit(
            &format!("2026-05-01T11:{:02}:30Z", i * 2),
            "src/lib.rs",
            "fn old() {}",
            &format!("fn new_{i}() {{ todo!() }}"),
        );
        log.bash(
            &format!("2026-05-01T11:{:02}:40Z", i * 2),
            "cargo test",
            false,
        );
    }
    log.bash("2026-05-01T11:59:00Z", "cargo test", true);
    log.save(home.path());
    repo.write("src/lib.rs", "fn new_2() { todo!() }\n");
    repo.commit("wip", at("2026-05-01T12:00:00Z"));
    repo.checkout("main");

    let s = report(home.path(), &repo, "wasteful");
    assert_eq!(s["verdict"], "theater", "{s}");
    let c = codes(&s);
    for code in [
        "no-accepted-output",
        "retry-loop",
        "broad-context",
        "premium-on-simple-steps",
    ] {
        assert!(c.contains(&code.to_string()), "{code} missing in {c:?}");
    }
    assert_eq!(s["retries"]["failed_edits"], 3);
    assert_eq!(s["retries"]["edit_retries"], 3);
    assert_eq!(s["retries"]["command_reruns"], 3);
    assert_eq!(s["premium"]["simple_steps"], 30);
    assert!(s["premium"]["savings_usd"].as_f64().expect("savings") > 0.5);
    assert_eq!(s["context"]["files_read"], 30);
    assert_eq!(s["outcome"]["merged"], false);
    let steps = s["step_rows"].as_array().expect("steps");
    assert_eq!(steps.len(), 40);
    assert_eq!(steps[0]["tier"], "premium");
    assert_eq!(steps[0]["economy_model"], HAIKU);
}

#[test]
fn cheap_merged_session_is_leverage() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.branch("feature");
    let content = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\npub fn sub(a: i32, b: i32) -> i32 {\n    a - b\n}\n";
    ClaudeLog::new("tidy", &repo.dir)
        .on(HAIKU, (5, 200, 8_000, 500))
        .read("2026-05-01T10:00:00Z", "src/lib.rs", 300)
        .write("2026-05-01T10:01:00Z", "src/math.rs", content)
        .save(home.path());
    repo.write("src/math.rs", content);
    repo.commit("Add math", at("2026-05-01T10:05:00Z"));
    repo.checkout("main");
    repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));

    let s = report(home.path(), &repo, "tidy");
    assert_eq!(s["verdict"], "leverage", "{s}");
    assert_eq!(codes(&s), Vec::<String>::new());
    assert_eq!(s["outcome"]["lines_merged"], 4);
    let per_line = s["metrics"]["cost_per_merged_line"]
        .as_f64()
        .expect("per line");
    // 2 steps on Haiku 4.5 (1/5/0.1/1.25 per M): 2 × (5 + 1000 + 800 + 625)/1e6 = $0.00486; / 4 lines.
    assert!((per_line - 0.001215).abs() < 1e-9, "{per_line}");
    assert_eq!(s["metrics"]["review_burden"], 5);
}

#[test]
fn a_recent_unmerged_session_is_lead_and_no_edits_is_lead() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    ClaudeLog::new("fresh", &repo.dir)
        .write(
            "2026-05-31T20:00:00Z",
            "src/new.rs",
            "pub fn brand_new() -> u32 {\n    42\n}\n",
        )
        .save(home.path());
    ClaudeLog::new("reader", &repo.dir)
        .read("2026-05-01T10:00:00Z", "README.md", 10)
        .save(home.path());
    let s = report(home.path(), &repo, "fresh");
    assert_eq!(s["verdict"], "lead", "{s}");
    let s = report(home.path(), &repo, "reader");
    assert_eq!(s["verdict"], "lead");
    assert!(
        s["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("no edits")
    );
}

#[test]
fn thresholds_come_from_the_repository_config() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.branch("feature");
    let content = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n";
    ClaudeLog::new("pricey", &repo.dir)
        .on(OPUS, (5, 2_000, 100_000, 10_000))
        .write("2026-05-01T10:01:00Z", "src/math.rs", content)
        .save(home.path());
    repo.write("src/math.rs", content);
    repo.commit("Add math", at("2026-05-01T10:05:00Z"));
    repo.checkout("main");
    repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    // $0.1625 for two merged lines ($0.08 a line): leverage under the default $0.50 ...
    assert_eq!(report(home.path(), &repo, "pricey")["verdict"], "leverage");
    // ... theater when the team sets $0.05.
    std::fs::write(
        repo.dir.join(".agent-audit.toml"),
        "[thresholds]\nmax_cost_per_merged_line = 0.05\n",
    )
    .expect("write");
    let s = report(home.path(), &repo, "pricey");
    assert_eq!(s["verdict"], "theater");
    assert_eq!(codes(&s), vec!["cost-outweighs-diff"]);
    // A typo in the config is an error, not silently ignored.
    std::fs::write(
        repo.dir.join(".agent-audit.toml"),
        "[thresholds]\nmax_cost_per_line = 0.10\n",
    )
    .expect("write");
    let out = cmd(&repo.dir)
        .env("HOME", home.path())
        .args(["session", "pricey"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_cost_per_line"));
}
