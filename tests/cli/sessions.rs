//! `sessions`: per-session figures, and the repository filter.

use crate::common::*;

#[test]
fn sessions_json_has_the_contract_fields() {
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args(["sessions", "--all", "--json", "--logs"])
            .arg(testdata("claude_code")),
    );
    assert_eq!(v["schema"], "agent-audit/sessions/v1");
    let s = v["sessions"].as_array().expect("sessions");
    assert_eq!(s.len(), 2);
    // newest first
    assert_eq!(s[0]["id"], "22222222-aaaa-4bbb-8ccc-000000000002");
    let first = &s[1];
    assert_eq!(first["id"], "11111111-aaaa-4bbb-8ccc-000000000001");
    assert_eq!(first["agent"], "claude-code");
    assert_eq!(first["branch"], "feature/cache");
    assert_eq!(first["started_at"], "2026-03-02T09:00:01Z");
    assert_eq!(first["steps"], 4);
    assert_eq!(first["tool_calls"], 3);
    assert_eq!(first["failed_tool_calls"], 1);
    assert_eq!(tokens(&first["tokens"]), (19, 375, 47_700, 3_500));
    assert_eq!(first["context"]["files_read"], 1);
    assert_eq!(first["context"]["files_edited"], 1);
    assert_eq!(first["skipped_lines"], 0);
    assert_eq!(
        first["models"],
        serde_json::json!(["claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"])
    );
    for key in ["ended_at", "cost_usd", "tool_calls"] {
        assert!(first.get(key).is_some(), "{key}");
    }
    assert_eq!(s[0]["context"]["files_edited"], 1);
}

fn git_init(dir: &std::path::Path) -> git2::Repository {
    let repo = git2::Repository::init(dir).expect("init");
    let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(1_700_000_000, 0))
        .expect("sig");
    let tree = {
        let mut idx = repo.index().expect("index");
        let oid = idx.write_tree().expect("tree");
        repo.find_tree(oid).expect("tree")
    };
    repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
        .expect("commit");
    drop(tree);
    repo
}

#[test]
fn sessions_lists_only_this_repository_and_its_worktrees() {
    let home = tempfile::tempdir().expect("tmp");
    let repo_dir = home.path().join("work/app");
    let other_dir = home.path().join("work/other");
    let wt_dir = home.path().join("work/app-wt");
    std::fs::create_dir_all(&repo_dir).expect("mkdir");
    std::fs::create_dir_all(&other_dir).expect("mkdir");
    let repo = git_init(&repo_dir);
    repo.worktree("wt", &wt_dir, None).expect("worktree");
    let projects = home.path().join(".claude/projects");
    let line = |sid: &str, cwd: &std::path::Path, id: &str| {
        claude_assistant(
            sid,
            cwd.to_str().expect("utf8"),
            "2026-05-01T10:00:00Z",
            id,
            (1, 2, 3, 4),
        )
    };
    write_lines(
        &projects.join("a/s-main.jsonl"),
        &[line("s-main", &repo_dir.join("src"), "1")],
    );
    write_lines(
        &projects.join("b/s-wt.jsonl"),
        &[line("s-wt", &wt_dir, "2")],
    );
    write_lines(
        &projects.join("c/s-other.jsonl"),
        &[line("s-other", &other_dir, "3")],
    );

    let v = json(
        cmd(&repo_dir)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    let mut ids: Vec<&str> = v["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    ids.sort();
    assert_eq!(ids, ["s-main", "s-wt"]);

    // From inside the linked worktree, the same repository.
    let v = json(
        cmd(&wt_dir)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    assert_eq!(v["sessions"].as_array().expect("sessions").len(), 2);

    // Outside any repository: a clear error, exit 2.
    let out = cmd(&other_dir)
        .env("HOME", home.path())
        .args(["sessions"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--repo") && err.contains("--all"), "{err}");
}

#[test]
fn sessions_table_snapshot() {
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path())
        .args(["sessions", "--all", "--logs"])
        .arg(testdata("claude_code"))
        .output()
        .expect("run");
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).expect("utf8"));
}

/// `--tz` moves every time the tables show into the zone, and says which zone it is.
#[test]
fn tz_applies_to_the_sessions_and_session_tables() {
    let home = tempfile::tempdir().expect("tmp");
    let run = |tz: &str, args: &[&str]| {
        crate::common::stdout(
            cmd(home.path())
                .args(args)
                .args(["--tz", tz, "--logs"])
                .arg(testdata("claude_code")),
        )
    };
    let utc = run("UTC", &["sessions", "--all"]);
    let tokyo = run("Asia/Tokyo", &["sessions", "--all"]);
    assert!(utc.contains("started (UTC)"), "{utc}");
    assert!(tokyo.contains("started (Asia/Tokyo)"), "{tokyo}");
    // The same first start, nine hours later on the clock.
    let first_time = |t: &str| {
        t.split_whitespace()
            .find(|w| w.len() == 5 && w.as_bytes()[2] == b':')
            .map(str::to_owned)
            .expect("a time")
    };
    let (u, k) = (first_time(&utc), first_time(&tokyo));
    let hours = |t: &str| t[..2].parse::<u32>().expect("hour");
    assert_eq!((hours(&u) + 9) % 24, hours(&k), "{u} vs {k}");
    let v = json(
        cmd(home.path())
            .args([
                "sessions",
                "--all",
                "--json",
                "--tz",
                "Asia/Tokyo",
                "--logs",
            ])
            .arg(testdata("claude_code")),
    );
    let id = v["sessions"][0]["id"].as_str().expect("id").to_owned();
    assert!(
        v["sessions"][0]["started_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "JSON stays in UTC: {v}"
    );
    let detail = run("Asia/Tokyo", &["session", &id[..8], "--all"]);
    assert!(detail.contains(" JST, lasted"), "{detail}");
    assert!(detail.contains("time (Asia/Tokyo)"), "{detail}");
}

#[test]
fn only_this_repositorys_project_folders_are_read_even_through_a_symlink() {
    let home = tempfile::tempdir().expect("tmp");
    let real = home.path().join("real/app");
    let other = home.path().join("other");
    std::fs::create_dir_all(&real).expect("mkdir");
    std::fs::create_dir_all(&other).expect("mkdir");
    git_init(&real);
    let link = home.path().join("link");
    std::os::unix::fs::symlink(home.path().join("real"), &link).expect("symlink");
    let projects = home.path().join(".claude/projects");
    let line = |sid: &str, cwd: &std::path::Path, id: &str| {
        claude_assistant(
            sid,
            cwd.to_str().expect("utf8"),
            "2026-05-01T10:00:00Z",
            id,
            (1, 2, 3, 4),
        )
    };
    // The agent ran in the repository through the symlink: its folder name encodes that path.
    let enc = |p: &std::path::Path| -> String {
        p.to_str()
            .expect("utf8")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect()
    };
    let via_link = link.join("app");
    write_lines(
        &projects.join(enc(&via_link)).join("s-link.jsonl"),
        &[line("s-link", &via_link, "1")],
    );
    write_lines(
        &projects.join(enc(&other)).join("s-other.jsonl"),
        &[line("s-other", &other, "2")],
    );
    let v = json(
        cmd(&real)
            .env("HOME", home.path())
            .args(["sessions", "--json"]),
    );
    let ids: Vec<&str> = v["sessions"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["s-link"]);
    assert_eq!(
        v["read"]["files"], 1,
        "the other project's folder is not opened"
    );
}
