//! The real logs in `../shared/samples/` (others' data, read in place): pinned totals, zero skips.
//!
//! Only this project's CI and developers have the folder: without it each test says
//! `skipped: ../shared/samples not present` and passes, unless `AGENT_AUDIT_REQUIRE_SAMPLES` is set
//! (`.ci/run` sets it), which makes the absence a failure.
//!
//! The expected figures were computed independently of this crate (a short Python script applying the
//! same rules: one count per `message.id`+`requestId` with the largest usage, `<synthetic>` skipped).

use crate::common::*;

/// `(input, output, cache_read, cache_write)`.
type Totals = (u64, u64, u64, u64);

/// File, its totals, its skipped lines.
const CLAUDE: &[(&str, Totals, u64)] = &[
    ("ccusage-fixture-alpha.jsonl", (600, 250, 70, 75), 0),
    // A fixture of deliberately malformed lines: its three non-object lines are skips, by design.
    ("claude-code-log-edge-cases.jsonl", (488, 435, 0, 0), 3),
    ("claude-code-log-representative.jsonl", (218, 445, 0, 0), 0),
    ("claude-code-log-todowrite.jsonl", (883, 328, 0, 0), 0),
    (
        "codemie-v2.0.64-agent-36541525-warmup.jsonl",
        (3, 3, 0, 16_976),
        0,
    ),
    (
        "codemie-v2.0.64-main-bedrock.jsonl",
        (33, 806, 214_627, 37_172),
        0,
    ),
    (
        "entire-v2.0.76-summary-edit-bash.jsonl",
        (50, 990, 215_249, 45_670),
        0,
    ),
    (
        "entire-v2.1.22-edits-with-failed-edit.jsonl",
        (42, 8, 193_753, 27_063),
        0,
    ),
    (
        "entire-v2.1.3-sonnet45-todowrite-write.jsonl",
        (106, 3_670, 406_748, 10_719),
        0,
    ),
    (
        "entire-v2.1.36-opus46-bash-edit.jsonl",
        (20, 172, 576_954, 47_174),
        0,
    ),
    (
        "gitai-v1.0.111-edit-multiedit-structuredpatch.jsonl",
        (57, 3_306, 293_447, 28_933),
        0,
    ),
    (
        "sniffly-ai-music-ba79134d.jsonl",
        (91, 2_266, 503_769, 16_072),
        0,
    ),
    (
        "sniffly-ai-music-d3ad4cdc-first-lines.jsonl",
        (48, 3_618, 265_285, 68_707),
        0,
    ),
    (
        "sniffly-ai-music-fed8ce56.jsonl",
        (88, 278, 44_544, 16_000),
        0,
    ),
    (
        "spotter-v2.1.38-short-rejected-tools.jsonl",
        (3, 13, 11_515, 13_835),
        0,
    ),
    (
        "spotter-v2.1.38-tool-heavy-web-queue.jsonl",
        (54, 212, 88_231, 17_696),
        0,
    ),
    (
        "spotter-v2.1.39-subagent-acompact-946d2b.jsonl",
        (3, 8, 17_842, 121_689),
        0,
    ),
    (
        "spotter-v2.1.39-subagent-agent-aac57f5.jsonl",
        (2_408, 7, 29_274, 18_814),
        0,
    ),
    (
        "spotter-v2.1.39-subagent-explore-a7be2f0.jsonl",
        (94, 33, 299_487, 13_554),
        0,
    ),
];

#[test]
fn each_claude_sample_has_its_pinned_totals() {
    if !samples_present("each_claude_sample_has_its_pinned_totals") {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    for (file, expected, skips) in CLAUDE {
        let path = sample(&format!("claude-code/{file}"));
        for cmdname in ["usage", "sessions"] {
            let mut c = cmd(home.path());
            c.arg(cmdname).arg("--json").arg("--logs").arg(&path);
            if cmdname == "sessions" {
                c.arg("--all");
            }
            let v = json(&mut c);
            assert_eq!(v["read"]["skipped_lines"], *skips, "{file} ({cmdname})");
            if cmdname == "usage" {
                assert_eq!(tokens(&v["total"]["tokens"]), *expected, "{file}");
            } else {
                let sum = v["sessions"].as_array().expect("sessions").iter().fold(
                    (0, 0, 0, 0),
                    |a, s| {
                        let t = tokens(&s["tokens"]);
                        (a.0 + t.0, a.1 + t.1, a.2 + t.2, a.3 + t.3)
                    },
                );
                assert_eq!(sum, *expected, "{file} (sessions)");
            }
        }
    }
}

/// Codex rollouts: `(input, output, cache_read, cache_write)` with input net of cached input, and steps.
const CODEX: &[(&str, Totals, u64)] = &[
    ("ccusage-fixture-alpha.jsonl", (2_750, 425, 750, 0), 2),
    (
        "codemie-v0.77-exec-shell-ghost-snapshot.jsonl",
        (7_626, 300, 14_848, 0),
        3,
    ),
    (
        "localpush-v0.104-desktop-exec-heavy-redacted.jsonl",
        (99_460, 14_600, 1_651_968, 0),
        28,
    ),
    (
        "localpush-v0.104-desktop-mcp-redacted.jsonl",
        (59_525, 1_123, 238_848, 0),
        6,
    ),
    (
        "localpush-v0.104-desktop-minimal-redacted.jsonl",
        (31_013, 431, 3_456, 0),
        1,
    ),
    (
        "vibecodingtracker-v0.39-vscode-shell-update-plan.jsonl",
        (133_698, 12_551, 136_832, 0),
        19,
    ),
];

#[test]
fn each_codex_sample_has_its_pinned_totals_and_no_skips() {
    if !samples_present("each_codex_sample_has_its_pinned_totals_and_no_skips") {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    for (file, expected, steps) in CODEX {
        let path = sample(&format!("codex/{file}"));
        let v = json(
            cmd(home.path())
                .args(["usage", "--json", "--logs"])
                .arg(&path),
        );
        assert_eq!(tokens(&v["total"]["tokens"]), *expected, "{file}");
        assert_eq!(v["total"]["steps"], *steps, "{file}");
        assert_eq!(v["read"]["skipped_lines"], 0, "{file}");
        let v = json(
            cmd(home.path())
                .args(["sessions", "--all", "--json", "--logs"])
                .arg(&path),
        );
        assert_eq!(v["read"]["skipped_lines"], 0, "{file} (sessions)");
        let s = &v["sessions"][0];
        assert_eq!(tokens(&s["tokens"]), *expected, "{file} (sessions)");
        assert_eq!(s["agent"], "codex");
    }
}

#[test]
fn the_claude_sample_folder_counts_shared_responses_once() {
    if !samples_present("the_claude_sample_folder_counts_shared_responses_once") {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--logs"])
            .arg(sample("claude-code")),
    );
    assert_eq!(
        tokens(&v["total"]["tokens"]),
        (5_121, 16_763, 3_160_795, 500_149)
    );
}

#[test]
fn failed_edits_in_a_real_log_are_errors_without_edits() {
    if !samples_present("failed_edits_in_a_real_log_are_errors_without_edits") {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let v = json(
        cmd(home.path())
            .args(["sessions", "--all", "--json", "--logs"])
            .arg(sample(
                "claude-code/entire-v2.1.22-edits-with-failed-edit.jsonl",
            )),
    );
    let s = &v["sessions"][0];
    assert!(s["failed_tool_calls"].as_u64().expect("n") >= 1, "{s}");
    assert!(
        s["context"]["files_edited"].as_u64().expect("n") >= 1,
        "{s}"
    );
}

fn table(args: &[&str], logs: &std::path::Path) -> String {
    let home = tempfile::tempdir().expect("tmp");
    stdout(cmd(home.path()).args(args).arg("--logs").arg(logs))
}

#[test]
fn sessions_table_of_the_claude_samples() {
    if !samples_present("sessions_table_of_the_claude_samples") {
        return;
    }
    insta::assert_snapshot!(table(&["sessions", "--all"], &sample("claude-code")));
}

#[test]
fn sessions_table_of_the_codex_samples() {
    if !samples_present("sessions_table_of_the_codex_samples") {
        return;
    }
    insta::assert_snapshot!(table(&["sessions", "--all"], &sample("codex")));
}

#[test]
fn session_step_table_of_a_real_claude_log_with_a_failed_edit() {
    if !samples_present("session_step_table_of_a_real_claude_log_with_a_failed_edit") {
        return;
    }
    insta::assert_snapshot!(table(
        &["session", "bc3bf53b", "--all"],
        &sample("claude-code/entire-v2.1.22-edits-with-failed-edit.jsonl"),
    ));
}

#[test]
fn session_step_table_of_a_real_codex_log() {
    if !samples_present("session_step_table_of_a_real_codex_log") {
        return;
    }
    insta::assert_snapshot!(table(
        &["session", "019c8a4d", "--all"],
        &sample("codex/localpush-v0.104-desktop-exec-heavy-redacted.jsonl"),
    ));
}

#[test]
fn without_the_samples_a_test_skips_or_with_the_ci_variable_fails() {
    let none = tempfile::tempdir().expect("tmp");
    let absent = none.path().join("shared/samples");
    assert!(!samples_at(&absent, "t", false), "skipped");
    assert!(samples_at(none.path(), "t", true), "present");
    let required = std::panic::catch_unwind(|| samples_at(&absent, "t", true));
    let msg = required.expect_err("a failure when required");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains(REQUIRE_SAMPLES), "{msg}");
}
