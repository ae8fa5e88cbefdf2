//! Bad input is a counted skip or a clear error naming the path; never a panic, never a silent wrong total.

use std::io::Write;

use crate::common::*;

const GOOD: (u64, u64, u64, u64) = (10, 20, 30, 40);

fn good_line(id: &str) -> String {
    claude_assistant("s1", "/w", "2026-05-01T10:00:00Z", id, GOOD)
}

fn usage_of(dir: &std::path::Path) -> serde_json::Value {
    let home = tempfile::tempdir().expect("tmp");
    json(
        cmd(home.path())
            .args(["usage", "--json", "--logs"])
            .arg(dir),
    )
}

#[test]
fn truncated_last_line_is_a_counted_skip() {
    let dir = tempfile::tempdir().expect("tmp");
    let torn = good_line("2");
    let mut data = format!("{}\n", good_line("1"));
    data.push_str(&torn[..torn.len() / 2]);
    std::fs::write(dir.path().join("s1.jsonl"), data).expect("write");
    let v = usage_of(dir.path());
    assert_eq!(tokens(&v["total"]["tokens"]), GOOD);
    assert_eq!(v["read"]["skipped"]["truncated-last-line"], 1);
}

#[test]
fn invalid_json_non_utf8_and_unknown_records_are_counted() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut f = std::fs::File::create(dir.path().join("s1.jsonl")).expect("create");
    writeln!(f, "{}", good_line("1")).expect("w");
    writeln!(f, "{{\"type\":\"assistant\",\"usage\": oops}}").expect("w");
    f.write_all(b"{\"type\":\"user\",\"sessionId\":\"s1\",\"message\":\"\xff\xfe\",\"usage\":1}\n")
        .expect("w");
    writeln!(
        f,
        "{{\"type\":\"a-record-from-the-future\",\"sessionId\":\"s1\",\"usage\":{{}}}}"
    )
    .expect("w");
    writeln!(f, "{}", good_line("2")).expect("w");
    drop(f);
    let v = usage_of(dir.path());
    assert_eq!(tokens(&v["total"]["tokens"]), (20, 40, 60, 80));
    let skipped = &v["read"]["skipped"];
    assert_eq!(skipped["invalid-json"], 1, "{skipped}");
    assert_eq!(skipped["not-utf8"], 1, "{skipped}");
    assert_eq!(skipped["unknown-record-type"], 1, "{skipped}");
    assert_eq!(v["read"]["skipped_lines"], 3);
}

#[test]
fn skips_are_listed_per_file_with_verbose() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("s1.jsonl"),
        format!("{}\nnot json\n", good_line("1")),
    )
    .expect("write");
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path())
        .args(["usage", "-v", "--logs"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("s1.jsonl") && err.contains("1 invalid-json"),
        "{err}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped 1 lines"), "{text}");
}

#[test]
fn a_100_mb_line_is_read_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    // Written as bytes around the 100 MB text (building it as a JSON value first took seconds).
    let head = r#"{"type":"assistant","sessionId":"s1","timestamp":"2026-05-01T10:00:00Z","requestId":"r","message":{"id":"m","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":""#;
    let tail = r#""}],"usage":{"input_tokens":7,"output_tokens":8,"cache_read_input_tokens":9,"cache_creation_input_tokens":10}}}"#;
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(dir.path().join("s1.jsonl")).expect("create"),
    );
    f.write_all(head.as_bytes()).expect("w");
    let chunk = vec![b'x'; 1024 * 1024];
    for _ in 0..100 {
        f.write_all(&chunk).expect("w");
    }
    f.write_all(tail.as_bytes()).expect("w");
    writeln!(f).expect("w");
    writeln!(f, "{}", good_line("1")).expect("w");
    drop(f);
    let v = usage_of(dir.path());
    assert_eq!(tokens(&v["total"]["tokens"]), (17, 28, 39, 50));
    assert_eq!(v["read"]["skipped_lines"], 0);
}

#[test]
fn an_empty_file_is_nothing_not_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("empty.jsonl"), "").expect("write");
    std::fs::write(dir.path().join("s1.jsonl"), format!("{}\n", good_line("1"))).expect("write");
    let v = usage_of(dir.path());
    assert_eq!(tokens(&v["total"]["tokens"]), GOOD);
    assert_eq!(v["read"]["skipped_lines"], 0);
}

#[test]
fn unreadable_file_is_reported_and_nothing_readable_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("gone.jsonl");
    std::os::unix::fs::symlink(dir.path().join("missing-target.jsonl"), &file).expect("symlink");
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path())
        .args(["usage", "--logs"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gone.jsonl"), "{err}");

    // Beside a readable file: a warning naming it, and the readable file's totals.
    std::fs::write(dir.path().join("s1.jsonl"), format!("{}\n", good_line("1"))).expect("write");
    let out = cmd(home.path())
        .args(["usage", "--json", "--logs"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gone.jsonl"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(tokens(&v["total"]["tokens"]), GOOD);
    assert_eq!(
        v["read"]["unreadable_files"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn a_file_of_no_known_format_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("notes.jsonl");
    std::fs::write(&file, "{\"hello\":\"world\"}\n").expect("write");
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path())
        .args(["usage", "--logs"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.jsonl"));
}

#[test]
fn no_logs_at_all_is_a_clear_error() {
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path()).args(["usage"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("session logs found"), "{err}");
    assert!(err.contains(".claude/projects"), "{err}");
}
