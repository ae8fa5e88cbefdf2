//! Issue 5: the demo tour end to end, and the weekly review on its repository (JSON, Markdown, HTML).

use crate::common::*;

fn demo(dir: &std::path::Path) -> String {
    let home = tempfile::tempdir().expect("tmp");
    stdout(cmd(home.path()).args(["demo", "--keep"]).arg(dir))
}

#[test]
fn demo_runs_every_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("demo");
    let text = demo(&dir);
    for section in [
        "$ agent-audit usage --by session",
        "$ agent-audit sessions",
        "$ agent-audit session c0ffee00",
        "$ agent-audit session 019a2b3c",
        "$ agent-audit review --since 30d",
        "$ agent-audit check --format md --fail-on theater",
    ] {
        assert!(text.contains(section), "missing {section}");
    }
    assert!(text.contains("verdict: THEATER") && text.contains("verdict: LEVERAGE"));
    assert!(text.contains("merged via squash"));
    assert!(!text.contains("error:"), "{text}");
    // A second run into the same folder refuses instead of mixing two demos.
    let home = tempfile::tempdir().expect("tmp");
    let out = cmd(home.path())
        .args(["demo", "--keep"])
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// The whole tour, as a reader sees it: the README's examples come from this output, so a change to any
/// report shows up here first (the demo folder is written as `$DEMO`).
#[test]
fn demo_output_snapshot() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("demo");
    let text = demo(&dir).replace(&dir.display().to_string(), "$DEMO");
    insta::assert_snapshot!(text);
}

#[test]
fn review_of_the_demo_repository() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("demo");
    demo(&dir);
    let repo = dir.join("shop-config");
    let home = dir.join("home");
    // The demo leaves main checked out.
    let v = json(
        cmd(&repo)
            .env("HOME", &home)
            .args(["review", "--since", "30d", "--format", "json"]),
    );
    assert_eq!(v["schema"], "agent-audit/review/v1");
    let cur = &v["current"];
    assert_eq!(cur["sessions"], 3);
    assert_eq!(cur["by_verdict"]["leverage"]["sessions"], 2);
    assert_eq!(cur["by_verdict"]["theater"]["sessions"], 1);
    assert_eq!(cur["lines_merged"], 20);
    assert_eq!(
        cur["lines_in_head"], 20,
        "main is checked out again after the tour"
    );
    assert_eq!(
        v["review_first"][0]["id"],
        "c0ffee00-1234-4abc-8def-000000000003"
    );
    assert_eq!(v["previous"]["sessions"], 0);

    let md = cmd(&repo)
        .env("HOME", &home)
        .args(["review", "--since", "30d", "--format", "md"])
        .output()
        .expect("run");
    let md = String::from_utf8(md.stdout).expect("utf8");
    assert!(md.starts_with("# agent-audit review"), "{md}");
    assert!(md.contains("## Review first"));

    let page = dir.join("review.html");
    let out = cmd(&repo)
        .env("HOME", &home)
        .args(["review", "--since", "30d", "--format", "html", "--out"])
        .arg(&page)
        .output()
        .expect("run");
    assert!(out.status.success());
    let html = std::fs::read_to_string(&page).expect("page");
    for id in [
        "chart-cost-per-day",
        "chart-cost-vs-lines",
        "chart-tier-spend",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert_eq!(html.matches("<circle").count(), 3, "one point per session");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network"
    );
}

#[test]
fn review_all_covers_every_repository_in_the_logs() {
    use crate::common::repo::{ClaudeLog, TestRepo, at};
    let home = tempfile::tempdir().expect("tmp");
    let mut repos = Vec::new();
    for name in ["one", "two"] {
        let repo = TestRepo::init(&home.path().join(name), at("2026-05-20T09:00:00Z"));
        repo.branch("feature");
        let content = format!("pub fn {name}_value() -> u32 {{\n    42 + 1\n}}\n");
        ClaudeLog::new(&format!("s-{name}"), &repo.dir)
            .write("2026-05-25T10:00:00Z", "src/lib.rs", &content)
            .save(home.path());
        repo.write("src/lib.rs", &content);
        repo.commit("Add value", at("2026-05-25T10:10:00Z"));
        repo.checkout("main");
        repo.merge_no_ff("feature", at("2026-05-25T11:00:00Z"));
        repos.push(repo);
    }
    // From outside both repositories.
    let v = json(cmd(home.path()).args(["review", "--all", "--since", "14d", "--format", "json"]));
    assert_eq!(v["repos"].as_array().expect("repos").len(), 2);
    assert_eq!(v["current"]["sessions"], 2);
    assert_eq!(v["current"]["lines_merged"], 4);
    assert_eq!(v["current"]["by_verdict"]["leverage"]["sessions"], 2);
    // Without --all, outside a repository: a clear error.
    let out = cmd(home.path()).args(["review"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--all"));
}

/// `review --out` never writes through a symbolic link planted at the output path.
#[cfg(unix)]
#[test]
fn review_out_refuses_a_symlink() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("demo");
    demo(&dir);
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").expect("write");
    let link = tmp.path().join("review.html");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let out = cmd(&dir.join("shop-config"))
        .env("HOME", dir.join("home"))
        .args(["review", "--since", "30d", "--format", "html", "--out"])
        .arg(&link)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me\n");
    // A plain path is written.
    let plain = tmp.path().join("plain.html");
    let out = cmd(&dir.join("shop-config"))
        .env("HOME", dir.join("home"))
        .args(["review", "--since", "30d", "--format", "html", "--out"])
        .arg(&plain)
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&plain)
            .expect("read")
            .contains("<html")
    );
}
