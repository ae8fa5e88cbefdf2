//! Default log locations, resolved as the agents resolve them.

use crate::common::*;

#[test]
fn claude_config_dir_lists_several_roots_and_replaces_home_defaults() {
    let home = tempfile::tempdir().expect("tmp");
    let a = home.path().join("a");
    let b = home.path().join("b");
    write_lines(
        &a.join("projects/p/s1.jsonl"),
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (1, 0, 0, 0),
        )],
    );
    write_lines(
        &b.join("projects/p/s2.jsonl"),
        &[claude_assistant(
            "s2",
            "/w",
            "2026-05-01T10:00:00Z",
            "2",
            (2, 0, 0, 0),
        )],
    );
    // Ignored while CLAUDE_CONFIG_DIR is set:
    write_lines(
        &home.path().join(".claude/projects/p/s3.jsonl"),
        &[claude_assistant(
            "s3",
            "/w",
            "2026-05-01T10:00:00Z",
            "3",
            (4, 0, 0, 0),
        )],
    );
    let dirs = format!("{},{}", a.display(), b.display());
    let v = json(
        cmd(home.path())
            .env("CLAUDE_CONFIG_DIR", dirs)
            .args(["usage", "--json"]),
    );
    assert_eq!(v["total"]["tokens"]["input"], 3);
    // Without it: ~/.claude (and ~/.config/claude).
    write_lines(
        &home.path().join(".config/claude/projects/p/s4.jsonl"),
        &[claude_assistant(
            "s4",
            "/w",
            "2026-05-01T10:00:00Z",
            "4",
            (8, 0, 0, 0),
        )],
    );
    let v = json(cmd(home.path()).args(["usage", "--json"]));
    assert_eq!(v["total"]["tokens"]["input"], 12);
}

#[test]
fn logs_format_is_sniffed_from_content_not_name() {
    let home = tempfile::tempdir().expect("tmp");
    let file = home.path().join("export.txt");
    write_lines(
        &file,
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (5, 6, 7, 8),
        )],
    );
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--logs"])
            .arg(&file),
    );
    assert_eq!(tokens(&v["total"]["tokens"]), (5, 6, 7, 8));
}

#[test]
fn files_older_than_since_are_not_read() {
    let home = tempfile::tempdir().expect("tmp");
    let f = home.path().join(".claude/projects/p/s1.jsonl");
    write_lines(
        &f,
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (5, 6, 7, 8),
        )],
    );
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    std::fs::File::options()
        .write(true)
        .open(&f)
        .expect("open")
        .set_modified(old)
        .expect("mtime");
    let v = json(cmd(home.path()).args(["usage", "--json", "--since", "2026-04-01"]));
    assert_eq!(v["read"]["files"], 0);
}

#[test]
fn another_agents_log_is_not_taken_for_a_known_format() {
    if !samples_present("another_agents_log_is_not_taken_for_a_known_format") {
        return;
    }
    // An Agent Trace file (Cursor's attribution traces) has an `id` and a `timestamp`, as transcripts
    // do, but is no agent session log.
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path())
        .args(["usage", "--logs"])
        .arg(sample("agent-trace/fintrack-cursor-traces.jsonl"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a known agent's session log"));
    // In a folder, such files are listed with -v and left out.
    let out = cmd(home.path())
        .args(["usage", "-v", "--logs"])
        .arg(sample(""))
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a known log format, not read") && err.contains("agent-trace"),
        "{err}"
    );
}
