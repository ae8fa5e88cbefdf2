//! Aider, end to end: the histories of `testdata/aider/` (templates whose `{NAME}` hashes are the commits
//! each test builds first) and the real histories of `../shared/samples/aider/`, read in place.
//!
//! Each test is a README rule: an `/undo`ne commit is not the session's, a dirty pre-commit is the user's
//! work, a whole file counts only the lines the file lacked, Windows paths and another case map to the
//! repository's file, and the token lines are summed exactly as the history prints them.

use std::path::Path;

use git2::Oid;

use crate::common::repo::{TestRepo, at};
use crate::common::*;

/// A `testdata/aider/` history with its `{NAME}` placeholders replaced by abbreviated hashes.
fn history(name: &str, commits: &[(&str, Oid)]) -> String {
    let mut text = std::fs::read_to_string(testdata(&format!("aider/{name}"))).expect("testdata");
    for (k, oid) in commits {
        text = text.replace(&format!("{{{k}}}"), &oid.to_string()[..7]);
    }
    let unfilled = text.split('{').skip(1).any(|rest| {
        rest.split_once('}')
            .is_some_and(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_uppercase()))
    });
    assert!(!unfilled, "every placeholder of {name} is filled");
    text
}

fn sessions_of(repo: &Path, home: &Path) -> serde_json::Value {
    json(cmd(repo).env("HOME", home).args(["sessions", "--json"]))
}

fn full(oids: &[Oid]) -> serde_json::Value {
    serde_json::json!(oids.iter().map(Oid::to_string).collect::<Vec<_>>())
}

/// `/undo` removed Aider's first commit (still reachable from a branch pushed before the undo): none of its
/// lines is the session's, and the same lines added again by a later block are credited to that block's
/// commit. A second `/undo` that printed `The last commit was not made by aider` removes nothing; the dirty
/// pre-commit (`Committing util.py before applying edits`) holds the user's line and is not credited.
#[test]
fn an_undone_commit_is_not_credited_and_a_later_re_add_is() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let keep = "def keep(x):\n    return x\n";
    let double = "\n\ndef double_value(x):\n    return x * 2\n";
    repo.write("util.py", keep);
    let base = repo.commit("Add util", at("2026-05-01T09:30:00Z"));
    repo.write("util.py", &format!("{keep}{double}"));
    let a = repo.commit_as(
        "Dev (aider)",
        "feat: add double_value helper",
        at("2026-05-01T10:01:00Z"),
        at("2026-05-01T10:01:00Z"),
    );
    repo.branch("pushed-before-undo");
    repo.checkout("main");
    repo.reset_hard(base);
    repo.write("util.py", &format!("# keep stays small on purpose\n{keep}"));
    let d = repo.commit_as(
        "Dev",
        "chore: note that keep stays small",
        at("2026-05-01T10:05:00Z"),
        at("2026-05-01T10:05:00Z"),
    );
    repo.write(
        "util.py",
        &format!(
            "# keep stays small on purpose\n{keep}{double}\n\ndef triple_value(x):\n    return x * 3\n"
        ),
    );
    let b = repo.commit_as(
        "Dev (aider)",
        "feat: add double_value and triple_value helpers",
        at("2026-05-01T10:05:30Z"),
        at("2026-05-01T10:05:30Z"),
    );
    std::fs::write(
        repo.dir.join(".aider.chat.history.md"),
        history(
            "undo-and-dirty-precommit.chat.history.md",
            &[("A", a), ("BASE", base), ("D", d), ("B", b)],
        ),
    )
    .expect("write");

    let v = sessions_of(&repo.dir, home.path());
    let s = &v["sessions"][0];
    assert_eq!(s["agent"], "aider", "{v}");
    let o = &s["outcome"];
    // double_value's two lines (once, not twice) and triple_value's two.
    assert_eq!(o["lines_added"], 4, "{o}");
    assert_eq!(o["lines_committed"], 4, "{o}");
    assert_eq!(o["lines_merged"], 4, "{o}");
    assert_eq!(o["lines_in_head"], 4, "{o}");
    assert_eq!(
        o["commits"],
        full(&[b]),
        "neither the undone nor the dirty commit: {o}"
    );
    assert_eq!(o["own_commits"], full(&[b]), "{o}");
    assert_eq!(
        o["self_removed_lines"], 2,
        "the undo took double_value back out: {o}"
    );
}

/// Whole-file format: the model re-emits the user's uncommitted function verbatim. Aider committed it
/// first (the dirty pre-commit, the user's work); the session's lines are the file minus its version in
/// the parent of Aider's own commit: the farewell function only. The reasoning fence and the illustration
/// fence (`caller.py`, never applied) are not edits.
#[test]
fn a_whole_file_counts_only_the_lines_the_file_lacked() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let greet = "def greet_someone(name):\n    print(f\"hello {name}\")\n";
    let user = "\n\ndef user_helper_uncommitted(name):\n    return name.strip()\n";
    let farewell = "\n\ndef farewell_someone(name):\n    print(f\"goodbye {name}\")\n";
    repo.write("app.py", greet);
    repo.commit("Add app", at("2026-05-01T09:30:00Z"));
    repo.write("app.py", &format!("{greet}{user}"));
    let d = repo.commit_as(
        "Dev",
        "feat: add user_helper_uncommitted",
        at("2026-05-01T10:02:00Z"),
        at("2026-05-01T10:02:00Z"),
    );
    repo.write("app.py", &format!("{greet}{user}{farewell}"));
    let w = repo.commit_as(
        "Dev (aider)",
        "feat: add farewell_someone",
        at("2026-05-01T10:02:05Z"),
        at("2026-05-01T10:02:05Z"),
    );
    std::fs::write(
        repo.dir.join(".aider.chat.history.md"),
        history("whole-file-format.chat.history.md", &[("D", d), ("W", w)]),
    )
    .expect("write");
    // The history is committed too, as many repositories do: it holds every line above, and is never
    // matched.
    repo.commit("Add aider history", at("2026-05-01T10:30:00Z"));

    let v = sessions_of(&repo.dir, home.path());
    let s = &v["sessions"][0];
    assert_eq!(s["steps"], 2, "{v}");
    let o = &s["outcome"];
    assert_eq!(o["lines_added"], 2, "{o}");
    assert_eq!(o["lines_merged"], 2, "{o}");
    assert_eq!(o["commits"], full(&[w]), "{o}");
    let files: Vec<&str> = o["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(files, ["app.py"], "no caller.py, no .aider file: {o}");
}

/// A `udiff` edit and an architect-mode `editor-diff` block name `SRC\Lib.py`, Windows-style and in
/// another case than the repository's `src/lib.py`; Aider's two commits were squash-merged into main.
#[test]
fn udiff_and_editor_edits_on_windows_paths_are_followed_into_a_squash_merge() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let host = "def parse_host(text):\n    return text.split(\":\")[0]\n";
    repo.write("src/lib.py", host);
    repo.commit("Add lib", at("2026-05-01T09:30:00Z"));
    repo.branch("ports");
    repo.write(
        "src/lib.py",
        &format!("{host}\n\ndef parse_port(text):\n    return int(text.split(\":\")[1])\n"),
    );
    let u = repo.commit_as(
        "Dev (aider)",
        "feat: add parse_port",
        at("2026-05-01T10:01:00Z"),
        at("2026-05-01T10:01:00Z"),
    );
    repo.write(
        "src/lib.py",
        &format!(
            "{host}\n\ndef parse_port(text, default_port=80):\n    parts = text.split(\":\")\n    return int(parts[1]) if len(parts) > 1 else default_port\n"
        ),
    );
    let e = repo.commit_as(
        "Dev (aider)",
        "feat: default port in parse_port",
        at("2026-05-01T10:03:00Z"),
        at("2026-05-01T10:03:00Z"),
    );
    repo.checkout("main");
    let squash = repo.squash_merge("ports", "Parse ports (#7)", at("2026-05-01T11:00:00Z"));
    std::fs::write(
        repo.dir.join(".aider.chat.history.md"),
        history(
            "udiff-windows-squash.chat.history.md",
            &[("U", u), ("E", e)],
        ),
    )
    .expect("write");

    let v = sessions_of(&repo.dir, home.path());
    let s = &v["sessions"][0];
    let o = &s["outcome"];
    // The final parse_port: its signature, `parts = …` and the return line.
    assert_eq!(o["lines_added"], 3, "{o}");
    assert_eq!(o["lines_merged"], 3, "{o}");
    assert_eq!(o["lines_in_head"], 3, "{o}");
    assert_eq!(o["merged_via"], "squash", "{o}");
    assert_eq!(o["files"][0]["path"], "src/lib.py", "{o}");
    assert!(
        o["commits"]
            .as_array()
            .expect("commits")
            .contains(&serde_json::json!(squash.to_string())),
        "{o}"
    );
    assert_eq!(
        o["own_commits"],
        full(&{
            let mut v = vec![u, e];
            v.sort_by_key(|o| o.to_string());
            v
        }),
        "{o}"
    );
}

/// The `Tokens:` lines summed exactly as printed (`2.4k` is 2,400; `5,244` is exact), a `$… session`
/// figure that started again under one header summed over the runs, a token-limit line with no received
/// count; then the same history with Aider's analytics log beside it: exact counts, no longer approximate.
#[test]
fn token_lines_are_summed_as_printed_and_the_analytics_log_makes_them_exact() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    let hist = repo.dir.join(".aider.chat.history.md");
    std::fs::copy(testdata("aider/tokens.chat.history.md"), &hist).expect("copy");

    let v = sessions_of(&repo.dir, home.path());
    let s = &v["sessions"][0];
    assert_eq!(s["steps"], 4, "{v}");
    // sent 2.4k + 12k + 5,244 + 210k; received 104 + 1.1k + 604 (+ none); cache hit 3.2k; write 1.1k.
    assert_eq!(tokens(&s["tokens"]), (229_644, 1_808, 3_200, 1_100), "{s}");
    let reported = s["agent_reported"]["total_cost_usd"]
        .as_f64()
        .expect("aider cost");
    assert!((reported - 0.72).abs() < 1e-9, "$0.07 + $0.65: {s}");
    let notes = s["notes"].to_string();
    assert!(notes.contains("approximate"), "{notes}");
    assert!(notes.contains("started again from zero 1 time"), "{notes}");

    std::fs::copy(
        testdata("aider/tokens.analytics.jsonl"),
        repo.dir.join(".aider.analytics.jsonl"),
    )
    .expect("copy");
    let v = sessions_of(&repo.dir, home.path());
    let s = &v["sessions"][0];
    // The analytics' exact counts; the event of another repository's run (999 sent) is not taken.
    assert_eq!(tokens(&s["tokens"]), (229_354, 1_857, 3_200, 1_100), "{s}");
    let notes = s["notes"].to_string();
    assert!(!notes.contains("approximate"), "{notes}");
    assert!(
        notes.contains("exact token counts and times of 4 of 4 steps"),
        "{notes}"
    );
    assert_eq!(
        s["ended_at"], "2026-05-01T10:03:00Z",
        "the last event's time: {s}"
    );
}

/// The real histories, read in place: their token lines summed exactly as printed (checked against an
/// independent sum of the `> Tokens:` lines), and the header's local time read in the machine's zone —
/// the simple-calculator session started at 17:02:36 in UTC+3, 14 minutes before Aider's first commit
/// (17:16:12+03:00 in its git log); read as UTC it would start three hours after it.
#[test]
fn the_real_histories_sum_as_printed_and_start_in_local_time() {
    if !samples_present("the_real_histories_sum_as_printed_and_start_in_local_time") {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    for (name, steps, sent, received) in [
        ("metadata-aider-v0.86.1-chat-history.md", 12, 73_600, 4_303),
        (
            "simple-calculator-v0.82.2-chat-history.md",
            20,
            148_200,
            18_044,
        ),
    ] {
        let v = json(
            cmd(home.path())
                .args(["usage", "--json", "--agent", "aider", "--logs"])
                .arg(sample(&format!("aider/{name}"))),
        );
        assert_eq!(v["total"]["steps"], steps, "{name}");
        assert_eq!(
            tokens(&v["total"]["tokens"]),
            (sent, received, 0, 0),
            "{name}"
        );
    }
    let log = std::fs::read_to_string(sample("aider/simple-calculator-git-log.txt")).expect("log");
    assert!(
        log.contains("Date:   2025-05-04T17:16:12+03:00\n\n    aider: added dark/white switch")
    );
    let started = |tz: &str| {
        let v = json(
            cmd(home.path())
                .env("TZ", tz)
                .args(["sessions", "--all", "--json", "--logs"])
                .arg(sample("aider/simple-calculator-v0.82.2-chat-history.md")),
        );
        v["sessions"][0]["started_at"]
            .as_str()
            .expect("start")
            .to_owned()
    };
    assert_eq!(started("<+03>-3"), "2025-05-04T14:02:36Z");
    assert_eq!(started("UTC"), "2025-05-04T17:02:36Z");
}

/// The branch was rewritten after the session (amended, rebased): the hashes the history printed resolve
/// to nothing. The dirty pre-commit is still found by its printed summary among the commits that carry
/// Aider's mark, and gets none of the session's lines; without an own commit, the whole file stays the
/// session's (the documented limit). `--tz` reads the header in the zone it names.
#[test]
fn a_rewritten_dirty_pre_commit_is_found_by_its_summary_and_tz_reads_the_header() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T06:00:00Z"));
    let greet = "def greet_someone(name):\n    print(f\"hello {name}\")\n";
    let user = "\n\ndef user_helper_uncommitted(name):\n    return name.strip()\n";
    let farewell = "\n\ndef farewell_someone(name):\n    print(f\"goodbye {name}\")\n";
    repo.write("app.py", greet);
    repo.commit("Add app", at("2026-05-01T06:30:00Z"));
    repo.write("app.py", &format!("{greet}{user}"));
    let d = repo.commit_as(
        "Dev (aider)",
        "feat: add user_helper_uncommitted",
        at("2026-05-01T07:02:00Z"),
        at("2026-05-01T07:02:00Z"),
    );
    repo.write("app.py", &format!("{greet}{user}{farewell}"));
    let w = repo.commit_as(
        "Dev (aider)",
        "feat: add farewell_someone",
        at("2026-05-01T07:02:05Z"),
        at("2026-05-01T07:02:05Z"),
    );
    let gone = Oid::from_str("abcdef0123456789abcdef0123456789abcdef01").expect("oid");
    let gone2 = Oid::from_str("abcdef1123456789abcdef0123456789abcdef01").expect("oid");
    std::fs::write(
        repo.dir.join(".aider.chat.history.md"),
        history(
            "whole-file-format.chat.history.md",
            &[("D", gone), ("W", gone2)],
        ),
    )
    .expect("write");
    // The header says 10:00:00, written at UTC+3: 07:00:00Z.
    let v = json(cmd(&repo.dir).env("HOME", home.path()).args([
        "--tz",
        "Europe/Istanbul",
        "sessions",
        "--json",
    ]));
    let s = &v["sessions"][0];
    assert_eq!(s["started_at"], "2026-05-01T07:00:00Z", "{s}");
    let o = &s["outcome"];
    assert_eq!(
        o["commits"],
        full(&[w]),
        "not the dirty pre-commit {d}: {o}"
    );
    assert_eq!(o["lines_committed"], 2, "{o}");
    assert_eq!(o["own_commits"], serde_json::json!([]), "{o}");
}
