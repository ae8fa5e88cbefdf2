//! `usage` over hand-written Claude Code logs: every known duplicate counted once.

use crate::common::*;

#[test]
fn usage_counts_each_response_once_across_lines_files_subagents_and_resumes() {
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--logs"])
            .arg(testdata("claude_code")),
    );
    assert_eq!(v["schema"], "agent-audit/usage/v1");
    assert_eq!(v["by"], "day");
    // msg_01A (3 lines, final output 180), 01B, 01C (also replayed by the resumed session),
    // 01SUB (subagent file + agent_progress copy), 01D; the <synthetic> line is not a response.
    assert_eq!(tokens(&v["total"]["tokens"]), (23, 445, 64_700, 4_000));
    assert_eq!(v["total"]["steps"], 5);
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["key"], "2026-03-02");
    assert_eq!(rows[0]["agents"], serde_json::json!(["claude-code"]));
    assert_eq!(v["read"]["skipped_lines"], 0);
    assert_eq!(v["read"]["duplicate_responses"], 2);
    // Priced by hand from src/prices.toml (USD per million tokens):
    // sonnet-4.5 3/15/0.3/3.75: 0.011709 + 0.007425 + 0.005553; haiku-4.5 1/5/0.1/1.25: 0.00281;
    // opus-4.6 5/25/0.5/6.25: 0.013395.
    let cost = v["total"]["cost_usd"].as_f64().expect("cost");
    assert!((cost - 0.040892).abs() < 1e-9, "{cost}");
}

#[test]
fn usage_groups_by_model_and_session() {
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--by", "model", "--logs"])
            .arg(testdata("claude_code")),
    );
    let keys: Vec<&str> = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["key"].as_str().expect("key"))
        .collect();
    assert_eq!(
        keys,
        [
            "claude-haiku-4-5-20251001",
            "claude-opus-4-6",
            "claude-sonnet-4-5-20250929"
        ]
    );
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--by", "session", "--logs"])
            .arg(testdata("claude_code")),
    );
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(tokens(&rows[1]["tokens"]), (4, 70, 17_000, 500));
}

#[test]
fn since_and_until_filter_steps() {
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args([
                "usage",
                "--json",
                "--since",
                "2026-03-02T09:30:00Z",
                "--logs",
            ])
            .arg(testdata("claude_code")),
    );
    assert_eq!(tokens(&v["total"]["tokens"]), (4, 70, 17_000, 500));
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--until", "2026-03-02", "--logs"])
            .arg(testdata("claude_code")),
    );
    assert_eq!(v["total"]["steps"], 0);
}

#[test]
fn usage_table_is_aligned_and_uncoloured_off_a_terminal() {
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path())
        .args(["usage", "--logs"])
        .arg(testdata("claude_code"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(!text.contains('\u{1b}'), "no escape codes off a tty");
    insta::assert_snapshot!(text);
}

#[test]
fn color_always_styles_even_into_a_pipe_and_never_does_not() {
    let home = tempfile::tempdir().expect("tmp");
    let run = |choice: &str| {
        let out = cmd(home.path())
            .args(["usage", "--color", choice, "--logs"])
            .arg(testdata("claude_code"))
            .output()
            .expect("run");
        String::from_utf8(out.stdout).expect("utf8")
    };
    assert!(run("always").contains('\u{1b}'));
    assert!(!run("never").contains('\u{1b}'));
    assert!(!run("auto").contains('\u{1b}'), "auto off a terminal");
}
