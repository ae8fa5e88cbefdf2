//! The logs agents write today (issue 9): compressed Codex rollouts, Codex's 2026 record types and paginated
//! items, Claude Code's workflow subagents, leftovers and `cost-state` totals — and the hostile-input cases
//! that live in the same readers (FIFOs, unreadable folders).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::*;

const ROLLOUT: &str = "rollout-2026-07-02T09-00-00-0199b1c2-d3e4-7f50-8a6b-7c8d9e0f1a2b.jsonl";
const CLAUDE_2026: &str = "claude_code_2026";

fn compress(plain: &Path) -> PathBuf {
    let data = std::fs::read(plain).expect("read");
    let out = PathBuf::from(format!("{}.zst", plain.display()));
    std::fs::write(&out, zstd::stream::encode_all(&data[..], 3).expect("zstd")).expect("write");
    out
}

/// A Codex home holding the paginated test rollout under `sessions/2026/07/02/`.
fn codex_home(root: &Path) -> (PathBuf, PathBuf) {
    let home = root.join("codex");
    let day = home.join("sessions/2026/07/02");
    std::fs::create_dir_all(&day).expect("mkdir");
    let plain = day.join(ROLLOUT);
    std::fs::copy(testdata(&format!("codex/{ROLLOUT}")), &plain).expect("copy");
    (home, plain)
}

fn sessions_all(home: &Path, codex: &Path) -> serde_json::Value {
    json(
        cmd(home)
            .env("CODEX_HOME", codex)
            .args(["sessions", "--all", "--json"]),
    )
}

/// The session objects without their file lists (which name the file read).
fn without_files(mut v: serde_json::Value) -> serde_json::Value {
    for s in v["sessions"].as_array_mut().expect("sessions") {
        s["files"] = serde_json::Value::Null;
    }
    v["read"] = serde_json::Value::Null;
    v
}

#[test]
fn a_compressed_rollout_gives_the_same_session_as_its_plain_form() {
    let home = tempfile::tempdir().expect("tmp");
    let (codex, plain) = codex_home(home.path());
    let from_plain = sessions_all(home.path(), &codex);
    let zst = compress(&plain);
    std::fs::remove_file(&plain).expect("rm");
    let from_zst = sessions_all(home.path(), &codex);
    assert_eq!(
        from_zst["sessions"][0]["files"][0],
        zst.display().to_string()
    );
    assert_eq!(from_plain["read"]["lines"], from_zst["read"]["lines"]);
    assert_eq!(from_plain["read"]["bytes"], from_zst["read"]["bytes"]);
    assert_eq!(without_files(from_plain), without_files(from_zst));
}

#[test]
fn plain_compressed_and_archived_copies_count_once() {
    let home = tempfile::tempdir().expect("tmp");
    let (codex, plain) = codex_home(home.path());
    let one = json(
        cmd(home.path())
            .env("CODEX_HOME", &codex)
            .args(["usage", "--json"]),
    );
    compress(&plain);
    let archived = codex.join("archived_sessions");
    std::fs::create_dir_all(&archived).expect("mkdir");
    std::fs::copy(&plain, archived.join(ROLLOUT)).expect("copy");
    compress(&archived.join(ROLLOUT));
    let all = json(
        cmd(home.path())
            .env("CODEX_HOME", &codex)
            .args(["usage", "--json"]),
    );
    assert_eq!(all["read"]["files"], 4);
    assert_eq!(all["read"]["duplicate_files"], 3);
    assert_eq!(all["total"], one["total"]);
    assert_eq!(all["total"]["tokens"]["input"], 5000);
}

#[test]
fn a_torn_zst_is_a_counted_reported_skip() {
    let home = tempfile::tempdir().expect("tmp");
    let (codex, plain) = codex_home(home.path());
    // Two frames (Codex appends a frame when it resumes a compressed rollout), the second torn: the
    // first frame's lines are read, the tear is one counted skip.
    let text = std::fs::read_to_string(&plain).expect("read");
    let cut = text.match_indices('\n').nth(9).expect("ten lines").0 + 1;
    let mut bytes = zstd::stream::encode_all(&text.as_bytes()[..cut], 3).expect("zstd");
    let second = zstd::stream::encode_all(&text.as_bytes()[cut..], 3).expect("zstd");
    bytes.extend_from_slice(&second[..second.len() / 2]);
    let zst = PathBuf::from(format!("{}.zst", plain.display()));
    std::fs::write(&zst, &bytes).expect("write");
    std::fs::remove_file(&plain).expect("rm");
    let out = cmd(home.path())
        .env("CODEX_HOME", &codex)
        .args(["usage", "--json", "-v"])
        .output()
        .expect("run");
    assert!(out.status.success(), "a torn file is a skip, not an error");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["read"]["skipped"]["corrupt-compressed-stream"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("corrupt-compressed-stream") && stderr.contains(ROLLOUT),
        "{stderr}"
    );
    // The session read before the tear is noted as damaged.
    let s = sessions_all(home.path(), &codex);
    let notes = s["sessions"][0]["notes"].to_string();
    assert!(notes.contains("damaged"), "{notes}");
}

#[test]
fn logs_sniffs_compressed_files_and_folders() {
    let home = tempfile::tempdir().expect("tmp");
    let (_, plain) = codex_home(home.path());
    let zst = compress(&plain);
    let export = home.path().join("export.bin");
    std::fs::rename(&zst, &export).expect("rename");
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--logs"])
            .arg(&export),
    );
    assert_eq!(v["total"]["tokens"]["input"], 5000);
    let dir = home.path().join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    compress(&plain);
    std::fs::rename(
        PathBuf::from(format!("{}.zst", plain.display())),
        dir.join("x.jsonl.zst"),
    )
    .expect("move");
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--logs"])
            .arg(&dir),
    );
    assert_eq!(v["total"]["tokens"]["input"], 5000);
}

#[test]
fn codex_2026_record_types_are_known_and_only_an_unknown_type_is_listed() {
    let home = tempfile::tempdir().expect("tmp");
    let (codex, _) = codex_home(home.path());
    let out = cmd(home.path())
        .env("CODEX_HOME", &codex)
        .args(["sessions", "--all", "--json", "-v"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["read"]["skipped"],
        serde_json::json!({"unknown-record-type": 1})
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 unknown-record-type"), "{stderr}");
    let s = &v["sessions"][0];
    assert_eq!(
        s["tool_calls"], 3,
        "the command and both file changes, once each"
    );
    assert_eq!(s["context"]["files_read"], 1);
    assert_eq!(s["context"]["files_edited"], 2);
}

#[test]
fn a_workflow_subagent_counts_once_with_its_parent_and_leftovers_do_not_double_count() {
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--by", "session", "--logs"])
            .arg(testdata(CLAUDE_2026)),
    );
    assert_eq!(v["rows"].as_array().expect("rows").len(), 1, "one session");
    // Parent 02A and 02B, the workflow subagent's 02W (also copied into the parent's progress record), and
    // 02Z, held only by the orphaned copy.
    assert_eq!(v["total"]["steps"], 4);
    assert_eq!(
        tokens(&v["total"]["tokens"]),
        (
            4 + 2 + 12 + 1,
            180 + 95 + 220 + 40,
            12000 + 14000 + 14500,
            2000 + 500 + 3000 + 300
        )
    );
    assert_eq!(v["read"]["files"], 4);
    assert_eq!(v["read"]["duplicate_responses"], 4);
    let s = json(
        cmd(home.path())
            .args(["sessions", "--all", "--json", "--logs"])
            .arg(testdata(CLAUDE_2026)),
    );
    let notes = s["sessions"][0]["notes"].to_string();
    assert!(notes.contains("orphaned-1789372790.jsonl (orphaned/superseded copy): 1 responses found in no other file"), "{notes}");
    assert!(notes.contains("superseded-1789372841 (orphaned/superseded copy): all 2 responses are counted from other files"), "{notes}");
}

#[test]
fn default_discovery_finds_workflow_subagents_and_leftovers() {
    let home = tempfile::tempdir().expect("tmp");
    let claude = home.path().join(".claude");
    let copy = |from: &Path, to: &Path| {
        for e in walkdir::WalkDir::new(from).into_iter().flatten() {
            let rel = e.path().strip_prefix(from).expect("rel");
            if e.file_type().is_dir() {
                std::fs::create_dir_all(to.join(rel)).expect("mkdir");
            } else {
                std::fs::copy(e.path(), to.join(rel)).expect("copy");
            }
        }
    };
    copy(&testdata(CLAUDE_2026), &claude);
    let v = json(cmd(home.path()).args(["usage", "--json"]));
    assert_eq!(v["total"]["steps"], 4);
    assert_eq!(v["read"]["files"], 4);
}

#[test]
fn a_cost_state_record_is_shown_beside_the_count() {
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args(["session", "7a3e9c10", "--all", "--json", "--logs"])
            .arg(testdata(CLAUDE_2026)),
    );
    let s = &v["session"];
    let r = &s["agent_reported"];
    assert_eq!(r["source"], "cost-state");
    assert_eq!(r["cost_usd"], 0.0421);
    assert_eq!(r["models"]["claude-haiku-4-5-20251001"]["input"], 3412);
    let ours = s["cost_usd"].as_f64().expect("priced");
    let diff = r["difference_usd"].as_f64().expect("difference");
    assert!((diff - (0.0421 - ours)).abs() < 1e-9);
    assert!(
        r["explanation"]
            .as_str()
            .expect("text")
            .contains("side calls")
    );
    // The per-response count stays agent-audit's own.
    assert_eq!(s["steps"], 4);
    let table = stdout(
        cmd(home.path())
            .args(["session", "7a3e9c10", "--all", "--logs"])
            .arg(testdata(CLAUDE_2026)),
    );
    assert!(
        table.contains("Claude Code's own total (cost-state): $0.04"),
        "{table}"
    );
    // Without a cost-state record the field is absent.
    let v = json(
        cmd(home.path())
            .args(["session", "0199b1c2", "--all", "--json", "--logs"])
            .arg(testdata(&format!("codex/{ROLLOUT}"))),
    );
    assert!(v["session"].get("agent_reported").is_none());
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_log_never_hangs_a_command() {
    let home = tempfile::tempdir().expect("tmp");
    let repo_dir = home.path().join("repo");
    std::fs::create_dir_all(&repo_dir).expect("mkdir");
    let repo = repo::TestRepo::init(&repo_dir, repo::at("2026-05-01T09:00:00Z"));
    repo.write("a.txt", "a\n");
    repo.commit("init", repo::at("2026-05-01T09:00:00Z"));
    // Another project's folder, holding only a FIFO: the folder-cwd probe opens its first *.jsonl.
    let fifo = home.path().join(".claude/projects/-elsewhere/s.jsonl");
    if !mkfifo(&fifo) {
        eprintln!("skipped: mkfifo not available");
        return;
    }
    mkfifo(&home.path().join(".claude/projects/-elsewhere/sub/t.jsonl"));
    mkfifo(
        &home
            .path()
            .join(".codex/sessions/2026/05/01/rollout-x.jsonl"),
    );
    write_lines(
        &home.path().join(".claude/projects/-ok/s1.jsonl"),
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (1, 0, 0, 0),
        )],
    );
    for args in [
        &["sessions"][..],
        &["usage", "--json"][..],
        &["sessions", "--all"][..],
    ] {
        let out = cmd(home.path())
            .current_dir(&repo_dir)
            .args(args)
            .timeout(Duration::from_secs(20))
            .output()
            .expect("run");
        assert!(
            out.status.code().is_some(),
            "`{}` did not finish: it waited on a FIFO",
            args.join(" ")
        );
    }
    let out = cmd(home.path())
        .args(["usage", "--logs"])
        .arg(&fifo)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a FIFO given as --logs is an error"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_subagents_or_project_folder_is_a_warning() {
    let home = tempfile::tempdir().expect("tmp");
    let project = home.path().join(".claude/projects/-p");
    write_lines(
        &project.join("s1.jsonl"),
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (1, 0, 0, 0),
        )],
    );
    std::fs::create_dir_all(project.join("s1")).expect("mkdir");
    // A `subagents/` that cannot be listed (a link to nowhere; permissions do the same for a user
    // who is not root).
    std::os::unix::fs::symlink(home.path().join("gone"), project.join("s1/subagents"))
        .expect("symlink");
    let out = cmd(home.path())
        .args(["usage", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: cannot read") && stderr.contains("subagents"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["read"]["unreadable_files"]
            .to_string()
            .contains("subagents"),
        "{v}"
    );
    assert_eq!(v["total"]["tokens"]["input"], 1);
}

/// Runs gen_corpus.py (when python3 and the tool are beside the checkout), compresses every Codex rollout
/// as Codex does (`zstd --rm`), and checks `usage --by day` against the generator's exact totals.
#[test]
fn a_gen_corpus_corpus_with_every_rollout_compressed_gives_the_expected_totals() {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/gen_corpus.py");
    let dir = tempfile::tempdir().expect("tmp");
    let corpus = dir.path().join("c");
    let made = std::process::Command::new("python3")
        .arg(&tool)
        .args([
            "--total-mb",
            "3",
            "--seed",
            "2",
            "--codex-share",
            "0.5",
            "--out",
        ])
        .arg(&corpus)
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 or {} not available", tool.display());
        return;
    }
    let mut compressed = 0;
    for e in walkdir::WalkDir::new(corpus.join("codex"))
        .into_iter()
        .flatten()
    {
        if e.path().extension().is_some_and(|x| x == "jsonl") {
            compress(e.path());
            std::fs::remove_file(e.path()).expect("rm");
            compressed += 1;
        }
    }
    assert!(compressed >= 5, "{compressed} rollouts");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(corpus.join("expected.json")).expect("expected"))
            .expect("json");
    for (agent, flag) in [("claude", "claude"), ("codex", "codex")] {
        let v = json(
            cmd(dir.path())
                .env("CLAUDE_CONFIG_DIR", corpus.join("claude"))
                .env("CODEX_HOME", corpus.join("codex"))
                .args([
                    "usage", "--by", "day", "--json", "--tz", "UTC", "--agent", flag,
                ]),
        );
        assert_eq!(v["read"]["skipped_lines"], 0);
        let days = expected["totals"][agent].as_object().expect("days");
        let rows = v["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), days.len(), "{agent}: days");
        for row in rows {
            let want = &days[row["key"].as_str().expect("key")];
            assert_eq!(
                tokens(&row["tokens"]),
                tokens(want),
                "{agent} on {}",
                row["key"]
            );
        }
    }
}

#[test]
fn review_over_a_span_longer_than_claude_codes_retention_says_sessions_may_be_gone() {
    let home = tempfile::tempdir().expect("tmp");
    write_lines(
        &home.path().join(".claude/projects/-p/s1.jsonl"),
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-30T10:00:00Z",
            "1",
            (1, 0, 0, 0),
        )],
    );
    let review = |since: &str| {
        let out = cmd(home.path())
            .args(["review", "--all", "--format", "json", "--since", since])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        (v, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // The default retention, 30 days: a 7-day review (14 days with its previous period) is complete.
    let (v, stderr) = review("7d");
    assert!(v.get("notes").is_none(), "{v}");
    assert!(!stderr.contains("deletes transcripts"), "{stderr}");
    // 30 days back and 30 before: the previous period reaches past what Claude Code keeps.
    let (v, stderr) = review("30d");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("older than 30 days") && notes.contains("the previous period"),
        "{notes}"
    );
    assert!(
        stderr.contains("note: Claude Code deletes transcripts"),
        "{stderr}"
    );
    // A shorter cleanupPeriodDays in the user's settings.
    std::fs::write(
        home.path().join(".claude/settings.json"),
        r#"{"cleanupPeriodDays": 5, "model": "sonnet"}"#,
    )
    .expect("settings");
    let (v, _) = review("7d");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("older than 5 days") && notes.contains("both periods"),
        "{notes}"
    );
}
