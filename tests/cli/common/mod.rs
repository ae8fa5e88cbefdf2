//! Helpers: a hermetic command (empty environment, HOME in a temp dir, no colour, UTC, fixed clock).

#![allow(dead_code)]

pub mod opencode;
pub mod repo;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository's `testdata/` folder.
pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// A file of the shared real samples (`../shared/samples/`, beside the checkout).
pub fn sample(rel: &str) -> PathBuf {
    samples_dir().join(rel)
}

/// `../shared/samples/`, beside the checkout: only this project's CI and its developers have it.
pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples")
}

/// Set (to anything but `0` or empty) by `.ci/run`: a missing `../shared/samples` fails the real-sample
/// tests instead of skipping them, so CI runs every one.
pub const REQUIRE_SAMPLES: &str = "AGENT_AUDIT_REQUIRE_SAMPLES";

/// True when the shared samples are there. When they are not (a fresh clone with nothing beside it),
/// says `skipped: ../shared/samples not present` on the terminal and returns false — or fails when
/// [`REQUIRE_SAMPLES`] is set.
pub fn samples_present(test: &str) -> bool {
    let required = std::env::var(REQUIRE_SAMPLES).is_ok_and(|v| !v.is_empty() && v != "0");
    samples_at(&samples_dir(), test, required)
}

/// [`samples_present`] for a given folder and requirement.
pub fn samples_at(dir: &Path, test: &str, required: bool) -> bool {
    if dir.is_dir() {
        return true;
    }
    assert!(
        !required,
        "{test}: ../shared/samples not present ({}), and {REQUIRE_SAMPLES} is set: every real-sample \
         test must run",
        dir.display()
    );
    // Straight to stderr: libtest captures `eprintln!` of passing tests, and a skip must be seen.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "{test}: skipped: ../shared/samples not present"
    );
    false
}

/// `agent-audit` with a clean environment: HOME points at `home`, nothing else leaks in.
pub fn cmd(home: &Path) -> Command {
    let mut c = Command::cargo_bin("agent-audit").expect("binary built");
    c.env_clear()
        .env("HOME", home)
        // The index lives in the test's home, never the real one.
        .env("AGENT_AUDIT_HOME", home.join(".local/share/agent-audit"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env("AGENT_AUDIT_NOW", "2026-06-01T00:00:00Z")
        .current_dir(home);
    c
}

/// Runs, asserting success, and returns stdout.
pub fn stdout(c: &mut Command) -> String {
    let out = c.output().expect("run");
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Runs and parses stdout as JSON, asserting success.
pub fn json(c: &mut Command) -> serde_json::Value {
    let out = c.output().expect("run");
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// `(input, output, cache_read, cache_write)` of a `tokens` object.
pub fn tokens(v: &serde_json::Value) -> (u64, u64, u64, u64) {
    let f = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("tokens.{k} in {v}"));
    (f("input"), f("output"), f("cache_read"), f("cache_write"))
}

/// Writes `lines` as a JSONL file, creating parent folders.
pub fn write_lines(path: &Path, lines: &[String]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut s = lines.join("\n");
    s.push('\n');
    std::fs::write(path, s).expect("write");
}

/// One Claude Code assistant line with usage.
pub fn claude_assistant(
    session: &str,
    cwd: &str,
    ts: &str,
    id: &str,
    usage: (u64, u64, u64, u64),
) -> String {
    serde_json::json!({
        "type": "assistant", "sessionId": session, "cwd": cwd, "timestamp": ts, "requestId": format!("req_{id}"),
        "gitBranch": "main", "isSidechain": false,
        "message": {"id": format!("msg_{id}"), "role": "assistant", "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"input_tokens": usage.0, "output_tokens": usage.1, "cache_read_input_tokens": usage.2,
                "cache_creation_input_tokens": usage.3}}
    })
    .to_string()
}
