//! Issue 16: `export` (NDJSON and OTLP JSON, privately and idempotently, posted with --otlp-endpoint)
//! and `review --from` over several machines' exports.

use std::io::{Read, Write};

use crate::common::repo::{ClaudeLog, TestRepo, at};
use crate::common::*;

const CACHE: &str = "pub struct Cache {\n    entries: HashMap<String, String>,\n}\n\nimpl Cache {\n    pub fn get(&self, key: &str) -> Option<&String> {\n        self.entries.get(key)\n    }\n}\n";
const SECRET: &str = "TOP-SECRET-PROMPT-7f3a";

struct World {
    home: tempfile::TempDir,
    repo: TestRepo,
}

/// A repository whose remote address carries credentials, and a session (with a hostile branch name
/// and a secret in its command) whose file was merged with a merge commit.
fn world() -> World {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    repo.repo
        .remote("origin", "https://bob:hunter2@github.com/Org/App.git")
        .expect("remote");
    repo.branch("feature");
    ClaudeLog::new("s1", &repo.dir)
        .on_branch("feat/\"quoted\"\n\u{1b}[31mred\u{7}")
        .bash("2026-05-01T10:00:00Z", &format!("echo {SECRET}"), true)
        .write("2026-05-01T10:01:00Z", "src/cache.rs", CACHE)
        .save(home.path());
    repo.write("src/cache.rs", CACHE);
    repo.commit("Add cache", at("2026-05-01T10:10:00Z"));
    repo.checkout("main");
    repo.merge_no_ff("feature", at("2026-05-01T11:00:00Z"));
    World { home, repo }
}

impl World {
    fn run(&self, args: &[&str]) -> String {
        stdout(cmd(&self.repo.dir).env("HOME", self.home.path()).args(args))
    }

    fn export(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        self.run(&all)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

#[test]
fn ndjson_carries_the_sessions_figures_and_nothing_private() {
    let w = world();
    let out = w.run(&["export", "--machine", "laptop-1"]);
    for private in [
        SECRET,
        "hunter2",
        "bob",
        "HashMap",
        w.home.path().to_str().expect("utf8"),
    ] {
        assert!(!out.contains(private), "{private} in {out}");
    }
    assert!(
        !out.bytes().any(|b| b < 0x20 && b != b'\n'),
        "raw control bytes in {out:?}"
    );
    let recs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    let sessions =
        serde_json::from_str::<serde_json::Value>(&w.run(&["sessions", "--json"])).expect("json");
    let s = &sessions["sessions"][0];
    assert_eq!(r["schema"], "agent-audit/export/v1");
    assert_eq!(r["record"], "session");
    assert_eq!(r["machine"], "laptop-1");
    assert_eq!(r["exported_at"], "2026-06-01T00:00:00Z");
    assert_eq!(r["session_id"], "s1");
    assert_eq!(r["agent"], "claude-code");
    assert_eq!(r["provider"], "anthropic");
    assert_eq!(r["key"].as_str().map(str::len), Some(32));
    assert_eq!(r["branch"], s["branch"]);
    for k in [
        "tokens",
        "cost_usd",
        "priced_usd",
        "verdict",
        "metrics",
        "steps",
    ] {
        assert_eq!(r[k], s[k], "{k}");
    }
    for k in [
        "lines_added",
        "lines_committed",
        "lines_merged",
        "lines_in_head",
        "commits",
    ] {
        assert_eq!(r["outcome"][k], s["outcome"][k], "{k}");
    }
    assert_eq!(r["outcome"]["lines_merged"], 5);
    assert_eq!(r["outcome"]["route"], "merge");
    assert_eq!(r["base"], "main");
    assert_eq!(
        r["head_revision"],
        w.repo.tip("main").to_string(),
        "the HEAD \"in HEAD\" was measured against"
    );
    let flags: Vec<&str> = s["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["code"].as_str().expect("code"))
        .collect();
    let exported: Vec<&str> = r["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["code"].as_str().expect("code"))
        .collect();
    assert_eq!(flags, exported);
    for k in ["repository", "repository_root", "cwd"] {
        assert!(
            r[k].as_str().is_some_and(|v| v.starts_with("sha256:")),
            "{k}: {}",
            r[k]
        );
    }
    assert!(r.get("repository_url").is_none());
    assert!(
        r["prices"]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("sha256:"))
    );
    assert!(
        r["prices"]["sources"][0]
            .as_str()
            .is_some_and(|v| v.starts_with("https://"))
    );
}

#[test]
fn include_paths_shows_paths_and_the_address_without_credentials() {
    let w = world();
    let r = &w.export(&["--machine", "m", "--include-paths"])[0];
    let root = std::fs::canonicalize(&w.repo.dir).expect("canonical");
    assert_eq!(r["repository_root"], root.to_str().expect("utf8"));
    assert_eq!(r["repository_url"], "https://github.com/Org/App.git");
    // The id does not depend on the flag, nor on the clone's protocol.
    let plain = &w.export(&["--machine", "m"])[0];
    assert_eq!(r["repository"], plain["repository"]);
    w.repo
        .repo
        .remote_set_url("origin", "git@github.com:Org/App")
        .expect("set url");
    assert_eq!(
        w.export(&["--machine", "m"])[0]["repository"],
        plain["repository"]
    );
}

#[test]
fn keys_are_stable_per_machine_and_the_default_machine_is_a_hash() {
    let w = world();
    let a = w.export(&["--machine", "a"]);
    let again = w.export(&["--machine", "a"]);
    let b = w.export(&["--machine", "b"]);
    assert_eq!(a[0]["key"], again[0]["key"]);
    assert_ne!(a[0]["key"], b[0]["key"]);
    let d = w.export(&[]);
    let m = d[0]["machine"].as_str().expect("machine");
    assert!(m.starts_with("sha256:") && m.len() == 23, "{m}");
    assert_eq!(w.export(&[])[0]["machine"], m);
}

#[test]
fn steps_add_one_record_per_step() {
    let w = world();
    let recs = w.export(&["--machine", "m", "--steps"]);
    let session = &recs[0];
    let steps: Vec<&serde_json::Value> = recs.iter().filter(|r| r["record"] == "step").collect();
    assert_eq!(
        steps.len() as u64,
        session["steps"].as_u64().expect("steps")
    );
    assert!(steps.iter().all(|s| s["session_key"] == session["key"]));
    let sum: f64 = steps
        .iter()
        .map(|s| s["cost_usd"].as_f64().expect("cost"))
        .sum();
    assert!((sum - session["cost_usd"].as_f64().expect("cost")).abs() < 1e-9);
    assert_eq!(steps[0]["index"], 1);
    assert_ne!(steps[0]["key"], steps[1]["key"]);
}

fn attr<'a>(span: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .map(|a| &a["value"])
}

#[test]
fn otlp_json_spans_use_the_genai_and_vcs_names() {
    let w = world();
    let raw = w.run(&[
        "export",
        "--machine",
        "m",
        "--format",
        "otlp-json",
        "--steps",
    ]);
    assert!(
        !raw.bytes().any(|b| b < 0x20 && b != b'\n'),
        "raw control bytes in {raw:?}"
    );
    assert!(!raw.contains(SECRET) && !raw.contains("hunter2"));
    let docs = w.export(&["--machine", "m", "--format", "otlp-json", "--steps"]);
    assert_eq!(docs.len(), 1);
    let rs = &docs[0]["resourceSpans"][0];
    assert_eq!(
        rs["resource"]["attributes"][0],
        serde_json::json!({"key": "service.name", "value": {"stringValue": "agent-audit"}})
    );
    let spans = rs["scopeSpans"][0]["spans"].as_array().expect("spans");
    let s = &spans[0];
    let nd = &w.export(&["--machine", "m"])[0];
    let t = &nd["tokens"];
    let n = |k: &str| t[k].as_u64().expect("token");
    assert_eq!(s["name"], "invoke_agent claude-code");
    assert_eq!(s["traceId"], nd["key"]);
    assert_eq!(s["spanId"].as_str().map(str::len), Some(16));
    assert_eq!(
        attr(s, "gen_ai.conversation.id"),
        Some(&serde_json::json!({"stringValue": "s1"}))
    );
    assert_eq!(
        attr(s, "gen_ai.usage.input_tokens"),
        Some(
            &serde_json::json!({"intValue": (n("input") + n("cache_read") + n("cache_write")).to_string()})
        ),
        "the convention's input includes cached tokens"
    );
    assert_eq!(
        attr(s, "gen_ai.usage.cache_read.input_tokens"),
        Some(&serde_json::json!({"intValue": n("cache_read").to_string()}))
    );
    assert_eq!(
        attr(s, "vcs.ref.head.revision"),
        Some(&serde_json::json!({"stringValue": w.repo.tip("main").to_string()}))
    );
    assert_eq!(
        attr(s, "vcs.ref.base.name"),
        Some(&serde_json::json!({"stringValue": "main"}))
    );
    assert!(
        attr(s, "vcs.repository.url.full").is_none(),
        "only with --include-paths"
    );
    assert_eq!(
        attr(s, "agent_audit.lines.merged"),
        Some(&serde_json::json!({"intValue": "5"}))
    );
    assert_eq!(
        attr(s, "agent_audit.verdict"),
        Some(&serde_json::json!({"stringValue": nd["verdict"]}))
    );
    assert!(attr(s, "agent_audit.cost_usd").is_some_and(|v| v["doubleValue"].is_f64()));
    let children = &spans[1..];
    assert_eq!(children.len() as u64, nd["steps"].as_u64().expect("steps"));
    assert!(
        children
            .iter()
            .all(|c| c["parentSpanId"] == s["spanId"] && c["traceId"] == s["traceId"])
    );
    let with_paths = w.export(&["--machine", "m", "--format", "otlp-json", "--include-paths"]);
    let s = &with_paths[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(
        attr(s, "vcs.repository.url.full"),
        Some(&serde_json::json!({"stringValue": "https://github.com/Org/App.git"}))
    );
}

#[test]
fn review_from_counts_each_key_once_across_machines() {
    let w = world();
    let dir = w.home.path().join("exports");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for m in ["a", "b"] {
        let p = dir.join(format!("{m}.ndjson"));
        w.run(&[
            "export",
            "--machine",
            m,
            "--steps",
            "--out",
            p.to_str().expect("utf8"),
        ]);
    }
    let a = dir.join("a.ndjson");
    let b = dir.join("b.ndjson");
    let v = json(
        cmd(w.home.path())
            .args([
                "review",
                "--format",
                "json",
                "--since",
                "2026-01-01",
                "--from",
            ])
            .args([&a, &a, &b]),
    );
    assert_eq!(v["schema"], "agent-audit/team-review/v1");
    assert_eq!(v["records"], 3);
    assert_eq!(v["duplicates"], 1);
    assert_eq!(v["totals"]["sessions"], 2);
    assert_eq!(v["totals"]["machines"], 2);
    assert_eq!(v["totals"]["lines_merged"], 10);
    let rw = v["by_repository_week"].as_array().expect("rows");
    assert_eq!(rw.len(), 1);
    assert_eq!(rw[0]["week"], "2026-04-27");
    assert_eq!(rw[0]["lines_merged"], 10);
    let cost = v["totals"]["cost_usd"].as_f64().expect("cost");
    let per = rw[0]["cost_per_merged_line"].as_f64().expect("per line");
    assert!((per - cost / 10.0).abs() < 1e-12);
    assert_eq!(v["by_machine"].as_array().map(Vec::len), Some(2));
    let table = stdout(
        cmd(w.home.path())
            .args(["review", "--since", "2026-01-01", "--from"])
            .args([&a, &b]),
    );
    assert!(table.contains("spend per machine"), "{table}");
}

/// A one-shot HTTP server: answers `status_and_headers` and hands back the request it got.
fn serve_once(answer: &'static str) -> (String, std::thread::JoinHandle<Vec<u8>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let h = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        loop {
            let n = conn.read(&mut buf).expect("read");
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got);
            if let Some(end) = text.find("\r\n\r\n") {
                let len: usize = text[..end]
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if got.len() >= end + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        conn.write_all(answer.as_bytes()).expect("answer");
        got
    });
    (url, h)
}

#[test]
fn otlp_endpoint_posts_the_spans() {
    let w = world();
    let (url, h) = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
    let out = cmd(&w.repo.dir)
        .env("HOME", w.home.path())
        .args(["export", "--machine", "m", "--otlp-endpoint", &url])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let req = String::from_utf8(h.join().expect("server")).expect("utf8");
    let (head, body) = req.split_once("\r\n\r\n").expect("request");
    assert!(head.starts_with("POST /v1/traces HTTP/1.1\r\n"), "{head}");
    assert!(head.contains("Content-Type: application/json"), "{head}");
    let doc: serde_json::Value = serde_json::from_str(body).expect("OTLP JSON");
    assert_eq!(
        doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"],
        "invoke_agent claude-code"
    );
}

#[test]
fn redirects_are_not_followed_and_https_is_refused() {
    let w = world();
    let (url, h) = serve_once(
        "HTTP/1.1 308 Permanent Redirect\r\nLocation: http://elsewhere:4318/v1/traces\r\n\r\n",
    );
    let out = cmd(&w.repo.dir)
        .env("HOME", w.home.path())
        .args(["export", "--otlp-endpoint", &url])
        .output()
        .expect("run");
    h.join().expect("server");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not followed") && err.contains("elsewhere"),
        "{err}"
    );
    let out = cmd(&w.repo.dir)
        .env("HOME", w.home.path())
        .args(["export", "--otlp-endpoint", "https://collector:4318"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("https is not supported"));
}

#[test]
fn export_all_reads_every_log_and_correlates_where_it_can() {
    let home = tempfile::tempdir().expect("tmp");
    let v: Vec<serde_json::Value> = stdout(
        cmd(home.path())
            .args(["export", "--all", "--machine", "m", "--logs"])
            .arg(testdata("claude_code")),
    )
    .lines()
    .map(|l| serde_json::from_str(l).expect("json"))
    .collect();
    assert_eq!(v.len(), 2);
    assert!(
        v.iter()
            .all(|r| r["outcome"].is_null() && r["repository"].is_null())
    );
}

#[test]
fn review_from_a_hostile_file_prints_no_control_character_and_counts_bad_lines() {
    let home = tempfile::tempdir().expect("tmp");
    let f = home.path().join("evil.ndjson");
    let rec = serde_json::json!({
        "schema": "agent-audit/export/v1", "record": "session", "key": "k1",
        "machine": "m\u{1b}]0;pwned\u{7}\u{1b}[2J", "exported_at": "2026-05-02T00:00:00Z",
        "agent": "codex", "session_id": "s", "repository": "r\u{9b}31m",
        "started_at": "2026-05-01T00:00:00Z", "priced_usd": 1.0, "cost_usd": 1.0,
        "outcome": {"lines_added": 2, "lines_merged": 2, "lines_in_head": 2}, "verdict": "theater"
    });
    std::fs::write(&f, format!("{rec}\nnot json\n{{\"schema\": 1}}\n")).expect("write");
    let out = cmd(home.path())
        .args(["review", "--since", "2026-01-01", "--from"])
        .arg(&f)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text
            .chars()
            .any(|c| (c < ' ' && c != '\n') || ('\u{7f}'..='\u{9f}').contains(&c)),
        "{text:?}"
    );
    assert!(text.contains("2 lines skipped"), "{text}");
    let v = json(
        cmd(home.path())
            .args([
                "review",
                "--since",
                "2026-01-01",
                "--format",
                "json",
                "--from",
            ])
            .arg(&f),
    );
    assert_eq!(v["by_machine"][0]["theater_cost_usd"], 1.0);
    assert_eq!(
        v["skipped"]
            .as_object()
            .map(|m| m.values().filter_map(|x| x.as_u64()).sum::<u64>()),
        Some(2)
    );
}
