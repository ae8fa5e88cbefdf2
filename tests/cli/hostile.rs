//! Issue 10: hostile input and hostile repositories. The config file of a cloned repository, branch
//! names, session ids, model names and commit messages are written by someone else: none may leak a
//! file into an error, block, reach the terminal as a control sequence, or forge a Markdown comment.

use std::path::Path;
use std::time::Duration;

use crate::common::repo::{ClaudeLog, TestRepo, at};
use crate::common::*;

const CODE: &str = "pub fn parse(input: &str) -> Vec<u32> {\n    input.split(',').filter_map(|s| s.trim().parse().ok()).collect()\n}\n";

const SECRET: &str = "hunter2-AKIAIOSFODNN7EXAMPLE";

/// A repository with one agent session's commit on `branch`, the session's log under `home`.
fn repo_with_session(home: &Path, branch: &str, id: &str, model: &str, summary: &str) -> TestRepo {
    let repo = TestRepo::init(&home.join("app"), at("2026-05-01T09:00:00Z"));
    repo.branch(branch);
    ClaudeLog::new(id, &repo.dir)
        .on(model, (5, 400, 50_000, 5_000))
        .read("2026-05-01T10:00:00Z", "README.md", 200)
        .write("2026-05-01T10:02:00Z", "src/parse.rs", CODE)
        .save_as(home, "session-one");
    repo.write("src/parse.rs", CODE);
    repo.commit(summary, at("2026-05-01T10:10:00Z"));
    repo
}

fn in_repo(home: &Path, repo: &TestRepo) -> assert_cmd::Command {
    let mut c = cmd(&repo.dir);
    c.env("HOME", home).timeout(Duration::from_secs(60));
    c
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---------------------------------------------------------------------------------------------
// .agent-audit.toml

/// A repository, a log for `usage` to read, and a file of the user's outside the repository.
fn config_world() -> (tempfile::TempDir, TestRepo, std::path::PathBuf) {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    write_lines(
        &home.path().join("logs/s1.jsonl"),
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (1, 2, 3, 4),
        )],
    );
    let creds = home.path().join("credentials");
    std::fs::write(
        &creds,
        format!("[default]\naws_access_key_id = AKIA0000\naws_secret_access_key = {SECRET}\n"),
    )
    .expect("write");
    (home, repo, creds)
}

fn usage_in(home: &Path, repo: &TestRepo, extra: &[&str]) -> std::process::Output {
    in_repo(home, repo)
        .args(["usage", "--json", "--logs"])
        .arg(home.join("logs"))
        .args(extra)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run")
}

#[cfg(unix)]
#[test]
fn a_config_that_links_out_of_the_repository_is_not_read_nor_echoed() {
    let (home, repo, creds) = config_world();
    for target in [
        creds.as_path(),
        Path::new("/proc/self/environ"),
        Path::new("/dev/zero"),
        Path::new("/dev/stdin"),
    ] {
        let link = repo.dir.join(".agent-audit.toml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).expect("link");
        // /dev/stdin stays open and silent: reading it would block until the timeout.
        let out = in_repo(home.path(), &repo)
            .args(["usage", "--json", "--logs"])
            .arg(home.path().join("logs"))
            .timeout(Duration::from_secs(20))
            .write_stdin("")
            .output()
            .expect("run");
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{target:?}: {err}");
        assert!(err.contains("outside the repository"), "{target:?}: {err}");
        assert!(!err.contains(SECRET) && !err.contains("AKIA"), "{err}");
        assert!(!err.contains("PATH=") && !err.contains("HOME="), "{err}");
        assert!(out.stdout.is_empty());
        // `--no-repo-config` does not even look at it.
        let out = usage_in(home.path(), &repo, &["--no-repo-config"]);
        assert!(out.status.success(), "{target:?}: {}", stderr_of(&out));
    }
}

#[test]
fn a_config_error_names_the_key_and_line_never_the_value() {
    let (home, repo, _) = config_world();
    std::fs::write(
        repo.dir.join(".agent-audit.toml"),
        format!("[thresholds]\nopen_window_days = 2.0\nmax_cost_per_merged_line = \"{SECRET}\"\n"),
    )
    .expect("write");
    let out = usage_in(home.path(), &repo, &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("`max_cost_per_merged_line`") && err.contains("line 3"),
        "{err}"
    );
    // An unknown key is named, its value is not.
    std::fs::write(
        repo.dir.join(".agent-audit.toml"),
        format!("[routing]\nGITHUB_TOKEN = \"{SECRET}\"\n"),
    )
    .expect("write");
    let err = stderr_of(&usage_in(home.path(), &repo, &[]));
    assert!(err.contains("unknown key `GITHUB_TOKEN`"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    // Not TOML at all (an env file): position only.
    std::fs::write(
        repo.dir.join(".agent-audit.toml"),
        format!("export TOKEN={SECRET}\n"),
    )
    .expect("write");
    let err = stderr_of(&usage_in(home.path(), &repo, &[]));
    assert!(err.contains("not valid TOML at line 1"), "{err}");
    assert!(!err.contains("hunter2") && !err.contains("TOKEN"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_huge_config_neither_blocks_nor_is_read_whole() {
    let (home, repo, _) = config_world();
    let path = repo.dir.join(".agent-audit.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let out = usage_in(home.path(), &repo, &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    std::fs::remove_file(&path).expect("rm");
    let mut big = String::from("[thresholds]\n");
    while big.len() <= 1024 * 1024 {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&path, big).expect("write");
    let out = usage_in(home.path(), &repo, &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("larger than 1024 KiB"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_config_inside_the_repository_is_read() {
    let (home, repo, _) = config_world();
    std::fs::create_dir_all(repo.dir.join("conf")).expect("mkdir");
    std::fs::write(
        repo.dir.join("conf/agent-audit.toml"),
        "[prices.\"claude-sonnet-4-5-20250929\"]\ninput = 1000000.0\n",
    )
    .expect("write");
    std::os::unix::fs::symlink("conf/agent-audit.toml", repo.dir.join(".agent-audit.toml"))
        .expect("link");
    let out = usage_in(home.path(), &repo, &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // 1 input token at $1,000,000 per million.
    assert!(v["total"]["cost_usd"].as_f64().expect("cost") >= 1.0, "{v}");
}

/// `check` says which config and price table it used, and `--config` pins them against the branch's
/// own `.agent-audit.toml`.
#[test]
fn check_prints_its_config_and_config_flag_pins_it() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = repo_with_session(
        home.path(),
        "feature",
        "agent-one",
        "claude-opus-4-6",
        "Add parser",
    );
    // The branch raises the threshold so that nothing is ever theater… not quite: an unmerged branch
    // is theater whatever the cost, so it also pretends the session is still open.
    std::fs::write(
        repo.dir.join(".agent-audit.toml"),
        "[thresholds]\nopen_window_days = 100000.0\n",
    )
    .expect("write");
    let run = |extra: &[&str]| {
        in_repo(home.path(), &repo)
            .args(["check", "--fail-on", "theater"])
            .args(extra)
            .output()
            .expect("run")
    };
    let out = run(&[]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "the branch's config wins: {text}"
    );
    assert!(
        text.contains(
            "config: .agent-audit.toml (the repository's); prices: embedded table (as of 20"
        ),
        "{text}"
    );

    let pinned = home.path().join("ci-agent-audit.toml");
    std::fs::write(&pinned, "[thresholds]\nopen_window_days = 2.0\n").expect("write");
    let out = run(&["--config", pinned.to_str().expect("utf8")]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "the pinned config wins: {text}");
    assert!(
        text.contains("(--config), the repository's .agent-audit.toml not read"),
        "{text}"
    );

    let out = run(&["--no-repo-config", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["settings"]["config_source"], "none");
    assert_eq!(v["settings"]["repo_config_ignored"], true);

    let prices = home.path().join("prices.toml");
    std::fs::write(&prices, "[prices.\"claude-opus-4-6\"]\noutput = 30.0\n").expect("write");
    let out = run(&["--format", "md", "--prices", prices.to_str().expect("utf8")]);
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        md.contains("with overrides from"),
        "{md}\n{}",
        stderr_of(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Markdown

const EVIL_ID: &str = "x`y\n\n</details>\n\n:white_check_mark: **check passed**\n\n<details><summary>more\n@acme/security-team";
const EVIL_BRANCH: &str = "feat/`</details><details>@acme/team|x";
const EVIL_MODEL: &str = "opus|<b>x</b>`@org";

/// Walks the Markdown as a CommonMark (+GFM tables) parser sees it.
fn parsed(md: &str) -> Vec<pulldown_cmark::Event<'_>> {
    let opts = pulldown_cmark::Options::ENABLE_TABLES;
    pulldown_cmark::Parser::new_ext(md, opts).collect()
}

/// Checks the Markdown's structure; returns the text of each table body row's cells.
fn assert_safe_markdown(md: &str, expect_failure: bool) -> Vec<Vec<String>> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let events = parsed(md);
    // The only HTML is agent-audit's own <details> wrapper.
    let html: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Some(h.trim().to_string()),
            _ => None,
        })
        .filter(|h| !h.is_empty())
        .collect();
    let allowed: &[&str] = if md.contains("<details>") {
        &["<details><summary>Details</summary>", "</details>"]
    } else {
        &[]
    };
    assert_eq!(html, allowed, "{md}");
    // Every paragraph's text, and what is bold.
    let mut paragraphs: Vec<String> = Vec::new();
    let mut strong: Vec<String> = Vec::new();
    let mut in_para = false;
    let mut in_strong = false;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut in_head = false;
    let mut in_cell = false;
    for e in &events {
        match e {
            Event::Start(Tag::Paragraph) => {
                in_para = true;
                paragraphs.push(String::new());
            }
            Event::End(TagEnd::Paragraph) => in_para = false,
            Event::Start(Tag::Strong) => {
                in_strong = true;
                strong.push(String::new());
            }
            Event::End(TagEnd::Strong) => in_strong = false,
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                if !in_head && let Some(r) = rows.last_mut() {
                    r.push(String::new());
                }
            }
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(t) | Event::Code(t) => {
                if in_cell
                    && !in_head
                    && let Some(c) = rows.last_mut().and_then(|r| r.last_mut())
                {
                    c.push_str(t);
                }
                if in_para && let Some(p) = paragraphs.last_mut() {
                    p.push_str(t);
                }
                if in_strong && let Some(s) = strong.last_mut() {
                    s.push_str(t);
                }
            }
            _ => {}
        }
    }
    let failed: Vec<&String> = paragraphs
        .iter()
        .filter(|p| p.contains("check failed"))
        .collect();
    if expect_failure {
        assert_eq!(failed.len(), 1, "{paragraphs:#?}");
        assert!(failed[0].starts_with(":x: check failed"), "{paragraphs:#?}");
    }
    assert!(
        !paragraphs
            .iter()
            .any(|p| p.trim_start().starts_with(":white_check_mark:")),
        "a data string made a paragraph of its own: {paragraphs:#?}"
    );
    for s in &strong {
        assert!(
            s == "agent-audit" || s == "check failed",
            "data turned bold: {s:?}"
        );
    }
    // Nothing from data mentions anyone: every `@` outside code is followed by a word joiner.
    for e in &events {
        if let Event::Text(t) = e {
            assert!(
                !t.contains("@acme") && !t.contains("@org"),
                "a mention outside code: {t:?}"
            );
        }
    }
    // No row spilled out of its table into a paragraph.
    assert!(
        !paragraphs.iter().any(|p| p.contains("claude-code")),
        "{paragraphs:#?}"
    );
    rows
}

/// The first 8 characters of [`EVIL_ID`] as they are shown: control characters replaced.
fn evil_id8() -> String {
    EVIL_ID
        .chars()
        .take(8)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

#[test]
fn check_markdown_with_hostile_branch_session_and_model_stays_one_honest_comment() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = repo_with_session(home.path(), EVIL_BRANCH, EVIL_ID, EVIL_MODEL, "Add parser");
    let out = in_repo(home.path(), &repo)
        .args(["check", "--format", "md", "--fail-on", "theater"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let md = String::from_utf8(out.stdout).expect("utf8");
    assert!(md.contains(":x: **check failed**"), "{md}");
    let rows = assert_safe_markdown(&md, true);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].len(), 8, "{rows:?}");
    assert_eq!(rows[0][0], evil_id8());
    assert_eq!(rows[0][2], EVIL_MODEL);
    assert_eq!(rows[0][6], "theater");
    // The data is still there, intact, as inline code.
    let code: Vec<String> = parsed(&md)
        .into_iter()
        .filter_map(|e| match e {
            pulldown_cmark::Event::Code(c) => Some(c.to_string()),
            _ => None,
        })
        .collect();
    assert!(code.iter().any(|c| c == EVIL_BRANCH), "{code:?}");
    assert!(code.iter().any(|c| c == EVIL_MODEL), "{code:?}");
}

#[test]
fn review_markdown_with_hostile_session_and_model_stays_honest() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = repo_with_session(
        home.path(),
        "feature",
        EVIL_ID,
        "claude-opus-4-6",
        "Add parser",
    );
    let out = in_repo(home.path(), &repo)
        .args(["review", "--since", "2026-04-01", "--format", "md"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let md = String::from_utf8(out.stdout).expect("utf8");
    assert!(md.contains("## Review first"), "{md}");
    // The review has a 4-column trend table and a 6-column "review first" table.
    let first = md.split("## Review first").nth(1).expect("section");
    let first = first.split("## Spend").next().expect("section");
    let rows = assert_safe_markdown(first, false);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], evil_id8());
    assert_eq!(rows[0][1], "claude-code");
    assert_eq!(rows[0][4], "theater");
    assert_safe_markdown(&md, false);
}

// ---------------------------------------------------------------------------------------------
// Terminal

/// Every C0 control but the newline, DEL, and the C1 controls (as characters: U+0080–U+009F).
fn control_bytes(out: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    text.char_indices()
        .filter(|(_, c)| {
            (*c < ' ' && *c != '\n') || *c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(c)
        })
        .map(|(i, c)| format!("{c:?} at {i}"))
        .collect()
}

const ESC_ID: &str = "s\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{1b}]8;;https://evil.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\";
const ESC_MODEL: &str = "claude-\u{1b}[31mopus\u{7}\u{85}";
const ESC_SUMMARY: &str = "Add\u{1b}]8;;https://evil.example/\u{7} parser\u{1b}[0m\u{1b}c";

#[test]
fn no_control_character_from_data_reaches_the_terminal() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = repo_with_session(home.path(), "feature", ESC_ID, ESC_MODEL, ESC_SUMMARY);
    let runs: &[&[&str]] = &[
        &["sessions"],
        &["sessions", "--all"],
        &["session", "s"],
        &["usage", "--by", "session"],
        &["usage", "--by", "model"],
        &["check", "--fail-on", "theater"],
        &["review", "--since", "2026-04-01"],
    ];
    let sgr = regex::Regex::new("\x1b\\[[0-9;]*m").expect("regex");
    for args in runs {
        let out = in_repo(home.path(), &repo)
            .args(*args)
            .output()
            .expect("run");
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(1),
            "{args:?}: {}",
            stderr_of(&out)
        );
        assert!(!out.stdout.is_empty(), "{args:?}");
        let bad = control_bytes(&out.stdout);
        assert!(
            bad.is_empty(),
            "{args:?} printed {bad:?}:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let bad = control_bytes(&out.stderr);
        assert!(bad.is_empty(), "{args:?} printed on stderr {bad:?}");
        // With colour, only agent-audit's own SGR sequences (ESC [ … m) may be there.
        let out = in_repo(home.path(), &repo)
            .args(*args)
            .args(["--color", "always"])
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let plain = sgr.replace_all(&text, "");
        let bad = control_bytes(plain.as_bytes());
        assert!(
            bad.is_empty(),
            "{args:?} --color always printed {bad:?}:\n{plain}"
        );
    }
}

#[cfg(unix)]
#[test]
fn the_pre_push_hook_prints_no_control_character_from_data() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = repo_with_session(home.path(), "feature", ESC_ID, ESC_MODEL, ESC_SUMMARY);
    let exe = assert_cmd::cargo::cargo_bin("agent-audit");
    agent_audit::hook::install(
        &repo.dir,
        &agent_audit::hook::HookOptions {
            kind: agent_audit::hook::HookKind::PrePush,
            fail_on: vec!["theater".into()],
        },
        &exe,
    )
    .expect("install");
    let out = assert_cmd::Command::new("sh")
        .arg(repo.dir.join(".git/hooks/pre-push"))
        .args(["origin", "https://example.invalid/x.git"])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .env("AGENT_AUDIT_NOW", "2026-06-01T00:00:00Z")
        .current_dir(&repo.dir)
        .write_stdin("")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("hook");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("FAILED: theater"), "{err}");
    let bad = control_bytes(&out.stderr);
    assert!(bad.is_empty(), "the hook printed {bad:?}:\n{err}");
}

// ---------------------------------------------------------------------------------------------
// JSON, spans, empty repositories

#[cfg(unix)]
#[test]
fn json_with_a_path_that_is_not_utf8_is_an_error_with_exit_2_never_null() {
    use std::os::unix::ffi::OsStrExt;
    let home = tempfile::tempdir().expect("tmp");
    let dir = home
        .path()
        .join(std::ffi::OsStr::from_bytes(b"repo-\xff\xfe"));
    let _repo = TestRepo::init(&dir, at("2026-05-01T09:00:00Z"));
    // Another repository's session, so that logs exist.
    ClaudeLog::new("other", Path::new("/elsewhere"))
        .read("2026-05-01T10:00:00Z", "x.rs", 10)
        .save(home.path());
    for args in [
        &["sessions", "--json"][..],
        &["session", "oth", "--json"][..],
    ] {
        let out = cmd(&dir)
            .env("HOME", home.path())
            .args(args)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_ne!(text.trim(), "null", "{args:?}");
        match out.status.code() {
            Some(0) => {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
                assert!(v["schema"].is_string(), "{v}");
            }
            Some(2) => {
                assert!(out.stdout.is_empty(), "{text}");
                let err = stderr_of(&out);
                assert!(!err.contains("panicked"), "{err}");
            }
            other => panic!("{args:?}: exit {other:?}: {}", stderr_of(&out)),
        }
    }
    let out = cmd(&dir)
        .env("HOME", home.path())
        .args(["sessions", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("not UTF-8"), "{}", stderr_of(&out));

    // A log whose file name is not UTF-8: `sessions` lists each session's files (an error), `usage`
    // does not (a document).
    let logs = home.path().join("logs");
    write_lines(
        &logs.join(std::ffi::OsStr::from_bytes(b"s\xff.jsonl")),
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (1, 2, 3, 4),
        )],
    );
    let out = cmd(home.path())
        .args(["sessions", "--all", "--json", "--logs"])
        .arg(&logs)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--logs"])
            .arg(&logs),
    );
    assert_eq!(v["schema"], "agent-audit/usage/v1");
}

#[test]
fn spans_too_long_for_the_calendar_exit_2_with_a_message() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    write_lines(
        &home.path().join("logs/s1.jsonl"),
        &[claude_assistant(
            "s1",
            "/w",
            "2026-05-01T10:00:00Z",
            "1",
            (1, 2, 3, 4),
        )],
    );
    let logs = home.path().join("logs");
    let logs = logs.to_str().expect("utf8");
    let runs: &[&[&str]] = &[
        &["usage", "--since", "20000000d", "--logs", logs],
        &["sessions", "--all", "--since", "20000000d", "--logs", logs],
        &["sessions", "--window", "9999999999d", "--logs", logs],
        &["check", "--window", "9999999999d", "--logs", logs],
        &["review", "--since", "20000000d", "--logs", logs],
        &["review", "--window", "9999999999d", "--logs", logs],
    ];
    for args in runs {
        let out = in_repo(home.path(), &repo)
            .args(*args)
            .output()
            .expect("run");
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("invalid date or span"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn sessions_in_a_repository_without_sessions_is_an_empty_answer() {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    ClaudeLog::new("other-repo-session", &home.path().join("other"))
        .read("2026-05-01T10:00:00Z", "x.rs", 10)
        .save(home.path());
    let out = in_repo(home.path(), &repo)
        .arg("sessions")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no sessions of this repository"), "{text}");
    let v = json(in_repo(home.path(), &repo).args(["sessions", "--json"]));
    assert_eq!(v["sessions"].as_array().map(Vec::len), Some(0));
    // With no logs at all, it is still "no logs found", exit 2.
    let empty = tempfile::tempdir().expect("tmp");
    let out = in_repo(empty.path(), &repo)
        .arg("sessions")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("session logs found"));
}
