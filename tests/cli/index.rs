//! The index: a second run answered from it with the same figures, a changed file read again, the ledger
//! of deleted logs, a compressed rollout that replaced its plain file, and the faults (a damaged
//! database, two commands at once, a process killed while indexing, a symlinked index folder).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::common::*;

/// Sets a file's modification time an hour back: the index trusts only files that were last written
/// well before it read them (a file written in the instant it is read could change unseen).
fn age(path: &Path) {
    let f = std::fs::File::options()
        .append(true)
        .open(path)
        .expect("open");
    f.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .expect("mtime");
}

fn index_dir(home: &Path) -> PathBuf {
    home.join(".local/share/agent-audit")
}

/// Three Claude Code sessions of `cwd` in `home/.claude/projects/p/`, aged.
fn claude_logs(home: &Path, cwd: &str) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for (i, day) in ["2026-05-01", "2026-05-02", "2026-05-03"]
        .iter()
        .enumerate()
    {
        let sid = format!("s{i}");
        let path = home.join(format!(".claude/projects/p/{sid}.jsonl"));
        let lines: Vec<String> = (0..4)
            .map(|k| {
                claude_assistant(
                    &sid,
                    cwd,
                    &format!("{day}T10:0{k}:00Z"),
                    &format!("{i}-{k}"),
                    (1 + k, 10 * (i as u64 + 1), 100, 1000),
                )
            })
            .collect();
        write_lines(&path, &lines);
        age(&path);
        paths.push(path);
    }
    paths
}

/// Runs and returns (stdout, stderr), asserting success.
fn run(c: &mut assert_cmd::Command) -> (String, String) {
    let out = c.output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}\nstderr: {err}", out.status);
    (String::from_utf8(out.stdout).expect("utf8"), err)
}

fn usage_json(home: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let (out, err) = run(cmd(home).args(["usage", "--json", "-vv"]).args(extra));
    (serde_json::from_str(&out).expect("json"), err)
}

/// How many files the index answered for, from `-vv`'s timing line.
fn from_index(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.contains("answered by the index"))
        .unwrap_or_else(|| panic!("no timing line in {stderr}"));
    let before = line.split(" answered by the index").next().expect("part");
    before
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("count in {line}"))
}

#[test]
fn a_second_run_is_answered_by_the_index_with_the_same_figures() {
    let home = tempfile::tempdir().expect("tmp");
    claude_logs(home.path(), "/w/app");
    let (first, err1) = usage_json(home.path(), &[]);
    assert_eq!(from_index(&err1), 0);
    let (second, err2) = usage_json(home.path(), &[]);
    assert_eq!(from_index(&err2), 3, "{err2}");
    let (plain, _) = usage_json(home.path(), &["--no-index"]);
    assert_eq!(first, second);
    assert_eq!(first, plain);
    // 3 sessions x 4 responses; input 1+2+3+4 per session, output 10/20/30 per response.
    assert_eq!(tokens(&first["total"]["tokens"]), (30, 240, 1_200, 12_000));
    assert!(index_dir(home.path()).join("index.db").is_file());
}

#[test]
fn an_appended_file_is_read_again_and_the_others_are_not() {
    let home = tempfile::tempdir().expect("tmp");
    let paths = claude_logs(home.path(), "/w/app");
    usage_json(home.path(), &[]);
    let mut text = std::fs::read_to_string(&paths[0]).expect("read");
    text.push_str(&claude_assistant(
        "s0",
        "/w/app",
        "2026-05-01T11:00:00Z",
        "0-new",
        (5, 5, 5, 5),
    ));
    text.push('\n');
    std::fs::write(&paths[0], text).expect("append");
    let (v, err) = usage_json(home.path(), &[]);
    assert_eq!(from_index(&err), 2, "only the unchanged files: {err}");
    assert_eq!(tokens(&v["total"]["tokens"]), (35, 245, 1_205, 12_005));
    let (plain, _) = usage_json(home.path(), &["--no-index"]);
    assert_eq!(v, plain);
}

#[test]
fn a_session_whose_log_was_deleted_is_still_counted_and_marked() {
    let home = tempfile::tempdir().expect("tmp");
    let paths = claude_logs(home.path(), "/w/app");
    let (before, _) = usage_json(home.path(), &[]);
    std::fs::remove_file(&paths[1]).expect("rm");
    let (after, err) = usage_json(home.path(), &[]);
    assert_eq!(before["total"], after["total"], "still counted");
    assert!(
        err.contains("1 session(s) whose logs were deleted are counted from the index"),
        "{err}"
    );
    let (present, err) = usage_json(home.path(), &["--only-present"]);
    assert!(!err.contains("whose logs were deleted"), "{err}");
    assert_eq!(tokens(&present["total"]["tokens"]), (20, 160, 800, 8_000));
    // Without the index there is nothing to remember it by.
    let (plain, _) = usage_json(home.path(), &["--no-index"]);
    assert_eq!(plain["total"], present["total"]);

    // `sessions --all` lists it, with a note saying where its figures come from.
    let (out, err) = run(cmd(home.path()).args(["sessions", "--all", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let gone = v["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["id"] == "s1")
        .unwrap_or_else(|| panic!("s1 listed: {v}"));
    assert_eq!(tokens(&gone["tokens"]), (10, 80, 400, 4_000));
    assert!(
        gone["notes"]
            .to_string()
            .contains("log deleted after it was indexed"),
        "{gone}"
    );
    assert!(err.contains("whose logs were deleted"), "{err}");
}

#[test]
fn a_deleted_session_appears_in_review() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = crate::common::repo::TestRepo::init(&home.path().join("app"), 1_777_000_000);
    let paths = claude_logs(home.path(), repo.dir.to_str().expect("utf8"));
    let review = |extra: &[&str]| {
        let (out, err) = run(cmd(home.path())
            .current_dir(&repo.dir)
            .args(["review", "--format", "json", "--since", "2026-04-01"])
            .args(extra));
        (
            serde_json::from_str::<serde_json::Value>(&out).expect("json"),
            err,
        )
    };
    let (before, _) = review(&[]);
    std::fs::remove_file(&paths[2]).expect("rm");
    let (after, err) = review(&[]);
    assert!(err.contains("whose logs were deleted"), "{err}");
    let (present, _) = review(&["--only-present"]);
    let sessions = |v: &serde_json::Value| v["current"]["sessions"].as_u64();
    assert_eq!(sessions(&before), sessions(&after), "{after}");
    assert!(
        after["points"].to_string().contains("\"s2\""),
        "the deleted session is a point of the review: {after}"
    );
    assert_eq!(
        sessions(&present).map(|n| n + 1),
        sessions(&before),
        "{present}"
    );
}

#[test]
fn a_compressed_rollout_that_replaced_its_plain_file_is_the_same_session() {
    let home = tempfile::tempdir().expect("tmp");
    let name = "rollout-2026-04-12T10-00-00-6f1c2a8e-3b7d-4c55-9a1e-2f0b6d7c8e91.jsonl";
    let dir = home.path().join(".codex/sessions/2026/04/12");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let plain = dir.join(name);
    std::fs::copy(testdata(&format!("codex/{name}")), &plain).expect("copy");
    age(&plain);
    let (before, _) = usage_json(home.path(), &[]);
    let bytes = std::fs::read(&plain).expect("read");
    let zst = dir.join(format!("{name}.zst"));
    std::fs::write(&zst, zstd::encode_all(&bytes[..], 3).expect("zstd")).expect("write");
    std::fs::remove_file(&plain).expect("rm");
    let (after, err) = usage_json(home.path(), &[]);
    assert!(!err.contains("whose logs were deleted"), "{err}");
    assert_eq!(before["total"], after["total"]);
    assert_eq!(after["total"]["sessions"], before["total"]["sessions"]);
}

#[test]
fn a_garbage_or_truncated_database_is_rebuilt_with_a_note_and_results_are_exact() {
    let home = tempfile::tempdir().expect("tmp");
    claude_logs(home.path(), "/w/app");
    let (plain, _) = usage_json(home.path(), &["--no-index"]);
    usage_json(home.path(), &[]);
    let db = index_dir(home.path()).join("index.db");
    // Garbage over the whole file.
    let len = std::fs::metadata(&db).expect("db").len() as usize;
    std::fs::write(&db, vec![0x5a; len.max(4096)]).expect("garbage");
    let (v, err) = usage_json(home.path(), &[]);
    assert!(err.contains("was damaged"), "{err}");
    assert!(err.contains("moved aside and rebuilt"), "{err}");
    assert_eq!(v, plain);
    let (v, err) = usage_json(home.path(), &[]);
    assert_eq!(from_index(&err), 3, "rebuilt and used again: {err}");
    assert_eq!(v, plain);
    // Cut in half.
    let bytes = std::fs::read(&db).expect("db");
    std::fs::write(&db, &bytes[..bytes.len() / 2]).expect("truncate");
    let (v, _) = usage_json(home.path(), &[]);
    assert_eq!(v, plain);
    let (v, _) = usage_json(home.path(), &[]);
    assert_eq!(v, plain);
}

#[test]
fn two_commands_at_once_on_one_index_are_both_exact() {
    let home = tempfile::tempdir().expect("tmp");
    for i in 0..20 {
        let sid = format!("c{i}");
        let path = home.path().join(format!(".claude/projects/p/{sid}.jsonl"));
        let lines: Vec<String> = (0..200)
            .map(|k| {
                claude_assistant(
                    &sid,
                    "/w/app",
                    &format!("2026-05-0{}T10:00:{:02}Z", 1 + i % 5, k % 60),
                    &format!("{i}-{k}"),
                    (1, 2, 3, 4),
                )
            })
            .collect();
        write_lines(&path, &lines);
        age(&path);
    }
    let plain = stdout(cmd(home.path()).args(["sessions", "--all", "--json", "--no-index"]));
    for _ in 0..2 {
        let spawn = || {
            let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("agent-audit"));
            c.env_clear()
                .env("HOME", home.path())
                .env("AGENT_AUDIT_HOME", index_dir(home.path()))
                .env("NO_COLOR", "1")
                .env("TZ", "UTC")
                .env("AGENT_AUDIT_NOW", "2026-06-01T00:00:00Z")
                .current_dir(home.path())
                .args(["sessions", "--all", "--json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().expect("spawn")
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout), plain);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("warning"), "{err}");
        }
    }
}

#[test]
fn a_run_killed_while_indexing_leaves_an_index_that_gives_exact_results() {
    let home = tempfile::tempdir().expect("tmp");
    for i in 0..40 {
        let sid = format!("k{i}");
        let path = home.path().join(format!(".claude/projects/p/{sid}.jsonl"));
        let lines: Vec<String> = (0..500)
            .map(|k| {
                claude_assistant(
                    &sid,
                    "/w/app",
                    &format!("2026-05-0{}T10:00:{:02}Z", 1 + i % 5, k % 60),
                    &format!("{i}-{k}"),
                    (1, 2, 3, 4),
                )
            })
            .collect();
        write_lines(&path, &lines);
        age(&path);
    }
    let plain = stdout(cmd(home.path()).args(["usage", "--json", "--no-index"]));
    for delay_ms in [5, 30, 80] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("agent-audit"))
            .env_clear()
            .env("HOME", home.path())
            .env("AGENT_AUDIT_HOME", index_dir(home.path()))
            .env("TZ", "UTC")
            .env("AGENT_AUDIT_NOW", "2026-06-01T00:00:00Z")
            .args(["usage", "--json"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on unix
        let _ = child.wait();
        assert_eq!(stdout(cmd(home.path()).args(["usage", "--json"])), plain);
        assert_eq!(stdout(cmd(home.path()).args(["usage", "--json"])), plain);
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_index_folder_is_not_written_through() {
    let home = tempfile::tempdir().expect("tmp");
    claude_logs(home.path(), "/w/app");
    let target = home.path().join("elsewhere");
    std::fs::create_dir_all(&target).expect("mkdir");
    let ix = index_dir(home.path());
    std::fs::create_dir_all(ix.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(&target, &ix).expect("link");
    let (plain, _) = usage_json(home.path(), &["--no-index"]);
    let (v, err) = usage_json(home.path(), &[]);
    assert_eq!(v, plain);
    assert!(err.contains("the index is not used"), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(&target).expect("ls").count(), 0);
}

#[test]
fn index_status_rebuild_and_forget() {
    let home = tempfile::tempdir().expect("tmp");
    claude_logs(home.path(), "/w/app");
    usage_json(home.path(), &[]);
    let (out, _) = run(cmd(home.path()).args(["index", "status", "--json"]));
    let st: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(st["schema"], "agent-audit/index-status/v1");
    assert_eq!(st["schema_version"], 2);
    assert_eq!(st["files"], 3);
    assert_eq!(st["usage_files"], 3);
    assert_eq!(st["gone_files"], 0);
    let (out, _) = run(cmd(home.path()).args(["index", "rebuild"]));
    assert!(
        out.contains("rebuilt from 3 log file(s), 3 session(s)"),
        "{out}"
    );
    let (out, _) = run(cmd(home.path()).args(["index", "forget"]));
    assert!(out.contains("deleted"), "{out}");
    assert!(!index_dir(home.path()).join("index.db").exists());
    let (out, _) = run(cmd(home.path()).args(["index", "forget"]));
    assert!(out.contains("no index in"), "{out}");
}

/// `sessions` in a repository: the first run stores each commit's facts and added-line hashes, the second
/// reads them instead of diffing, a new commit is diffed alone; every JSON is `--no-index`'s.
#[test]
fn commits_are_diffed_once_and_the_figures_stay_those_of_no_index() {
    use crate::common::repo::{ClaudeLog, at};
    let home = tempfile::tempdir().expect("tmp");
    let repo =
        crate::common::repo::TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.write("src/config.rs", "pub const TIMEOUT: u64 = 30;\n");
    repo.commit("Config", at("2026-05-01T09:30:00Z"));
    repo.branch("feature");
    repo.write("src/config.rs", "pub const TIMEOUT: u64 = 60;\n");
    repo.commit("Longer timeout", at("2026-05-01T09:40:00Z"));
    repo.checkout("main");
    repo.write("src/config.rs", "pub const TIMEOUT: u64 = 45;\n");
    repo.commit("Timeout 45", at("2026-05-01T09:50:00Z"));
    let conflicted = "<<<<<<< HEAD\npub const TIMEOUT: u64 = 45;\n=======\npub const TIMEOUT: u64 = 60;\n>>>>>>> feature\n";
    let resolved = "pub const TIMEOUT: u64 = 60; // feature's value, main's docs\n";
    ClaudeLog::new("resolver", &repo.dir)
        .on_branch("main")
        .edit_v2(
            "2026-05-01T10:00:00Z",
            "src/config.rs",
            conflicted,
            conflicted,
            resolved,
        )
        .save(home.path());
    repo.write("src/config.rs", resolved);
    repo.merge_resolved("feature", at("2026-05-01T10:05:00Z"));
    let sessions = |extra: &[&str]| {
        let (out, _) = run(cmd(home.path())
            .current_dir(&repo.dir)
            .args(["sessions", "--json"])
            .args(extra));
        out
    };
    let plain = sessions(&["--no-index"]);
    assert!(plain.contains("\"merged_via\": \"merge\""), "{plain}");
    assert_eq!(sessions(&[]), plain, "first run");
    let (st, _) = run(cmd(home.path()).args(["index", "status", "--json"]));
    let st: serde_json::Value = serde_json::from_str(&st).expect("json");
    assert!(st["commits"].as_u64().is_some_and(|n| n >= 2), "{st}");
    assert!(st["commit_files"].as_u64().is_some_and(|n| n >= 1), "{st}");
    assert_eq!(sessions(&[]), plain, "second run, from the index");
    // A new commit that keeps the session's line: diffed alone, the rest from the index.
    repo.write(
        "src/config.rs",
        &format!("{resolved}pub const RETRIES: u32 = 3;\n"),
    );
    repo.commit("Retries", at("2026-05-01T11:00:00Z"));
    let plain = sessions(&["--no-index"]);
    assert_eq!(sessions(&[]), plain, "after a new commit");
}
