//! Tests of the Aider history reader: counts as Aider prints them, every edit format, undo and dirty
//! pre-commits, and the real histories of the shared samples.

use super::*;

#[test]
fn counts_as_aider_prints_them() {
    assert_eq!(count("222"), Some((222, false)));
    assert_eq!(count("3.2k"), Some((3_200, true)));
    assert_eq!(count("1.1M"), Some((1_100_000, true)));
    let (u, r, c) = tokens_line(&normalize_thousands(
        "5,244 sent, 1,200 cache write, 3k cache hit, 604 received. Cost: $0.02 request, $0.05 session.",
    ))
    .expect("tokens");
    assert_eq!(
        (u.input, u.cache_write_5m, u.cache_read, u.output),
        (5_244, 1_200, 3_000, 604)
    );
    assert!(r);
    assert_eq!(c, Some(0.05));
}

const HISTORY_MD: &str = "\n# aider chat started at 2026-05-01 10:00:00\n\n> Aider v0.86.1  \n> Main model: anthropic/claude-sonnet-4-5-20250929 with diff edit format  \n\n#### add a clamp helper  \n\nHere it is:\n\nsrc/util.rs\n```rust\n<<<<<<< SEARCH\npub fn keep() {}\n=======\npub fn keep() {}\n\npub fn clamp(v: i32) -> i32 {\n    v.max(0).min(100)\n}\n>>>>>>> REPLACE\n```\n\nAnd in the docs (not applied):\n\nREADME.md\n```\n<<<<<<< SEARCH\n# app\n=======\n# app, with clamp\n>>>>>>> REPLACE\n```\n\n> Tokens: 2.4k sent, 104 received. Cost: $0.01 message, $0.01 session.  \n> Applied edit to src/util.rs  \n> Commit 1a2b3c4 aider: Add clamp helper  \n\n#### explain  \n\n> Tokens: 3,000 sent, 50 received. Cost: $0.01 message, $0.02 session.  \n";

#[test]
fn a_history_gives_steps_tokens_and_only_applied_edits() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join(HISTORY);
    std::fs::write(&p, HISTORY_MD).expect("write");
    let log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
    assert_eq!(log.sessions.len(), 1);
    let s = &log.sessions[0];
    assert!(s.id.starts_with("aider-2026-05-01"));
    assert_eq!(s.steps.len(), 2);
    assert_eq!(
        s.steps[0].model.as_deref(),
        Some("anthropic/claude-sonnet-4-5-20250929")
    );
    let (u, _) = s.usage();
    assert_eq!((u.input, u.output), (5_400, 154));
    let edits: Vec<&Edit> = s.tool_calls().filter_map(|c| c.edit.as_ref()).collect();
    assert_eq!(edits.len(), 1, "the README block was never applied");
    assert_eq!(edits[0].path, "src/util.rs");
    assert_eq!(
        s.agent_reported.as_ref().and_then(|r| r.total_cost_usd),
        Some(0.02)
    );
    assert!(s.notes.iter().any(|n| n.contains("approximate")));
    assert_eq!(s.cwd.as_deref(), Some(dir.path()));
    let anchors: Vec<_> = s.commit_anchors().collect();
    assert_eq!(anchors.len(), 1);
    assert_eq!(anchors[0].sha, "1a2b3c4");
}

#[test]
fn the_real_histories_parse_without_skips() {
    // (file, sessions, steps, edits applied, commits Aider made, commits undone, dirty pre-commits)
    for (name, expected) in [
        (
            "simple-calculator-v0.82.2-chat-history.md",
            (1, 20, 17, 3, 0, 0),
        ),
        (
            "metadata-aider-v0.86.1-chat-history.md",
            (1, 12, 18, 12, 0, 2),
        ),
        (
            "aider-own-chat-history-first-sessions.md",
            (12, 33, 22, 14, 17, 3),
        ),
    ] {
        let Some(p) = super::super::shared_sample(&format!("aider/{name}")) else {
            return;
        };
        let log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
        assert_eq!(log.skipped.total(), 0, "{name}");
        let disowned = |r: DisownReason| {
            log.sessions
                .iter()
                .flat_map(|s| &s.disowned_commits)
                .filter(|d| d.reason == r)
                .count()
        };
        let got = (
            log.sessions.len(),
            log.sessions.iter().map(|s| s.steps.len()).sum::<usize>(),
            log.sessions
                .iter()
                .flat_map(|s| s.tool_calls())
                .filter(|c| c.edit.is_some() && c.name != "undo")
                .count(),
            log.sessions.iter().flat_map(|s| s.commit_anchors()).count(),
            disowned(DisownReason::Undone),
            disowned(DisownReason::UserWork),
        );
        assert_eq!(got, expected, "{name}");
    }
}

fn parse_text(text: &str) -> Session {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join(HISTORY);
    std::fs::write(&p, text).expect("write");
    let mut log = parse(&p, LineReader::open(&p).expect("open"), Depth::Full).expect("parse");
    assert_eq!(log.sessions.len(), 1);
    log.sessions.remove(0)
}

fn edits(s: &Session) -> Vec<(&str, &str)> {
    s.tool_calls()
        .filter_map(|c| c.edit.as_ref().map(|e| (c.name.as_str(), e.path.as_str())))
        .collect()
}

const BLOCK: &str =
    "a.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n\n";

#[test]
fn a_reply_answered_add_file_yes_is_not_applied_and_no_is() {
    let yes = format!(
        "# aider chat started at 2026-05-01 10:00:00\n\n#### change x  \n\n{BLOCK}> Tokens: 1.0k sent, 20 received.  \n> b.py  \n> Add file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y  \n> Applied edit to a.py  \n"
    );
    assert!(edits(&parse_text(&yes)).is_empty());
    let default_yes = yes.replace("[Yes]: y", "[Yes]: ");
    assert!(edits(&parse_text(&default_yes)).is_empty());
    let no = yes.replace("[Yes]: y", "[Yes]: n");
    assert_eq!(edits(&parse_text(&no)), [("search-replace", "a.py")]);
}

#[test]
fn a_reply_that_did_not_conform_is_not_applied() {
    let text = format!(
        "# aider chat started at 2026-05-01 10:00:00\n\n#### change x  \n\n{BLOCK}> Tokens: 1.0k sent, 20 received.  \n> The LLM did not conform to the edit format.  \n> https://aider.chat/docs/troubleshooting/edit-errors.html  \n> Applied edit to a.py  \n"
    );
    assert!(edits(&parse_text(&text)).is_empty());
}

#[test]
fn undo_takes_the_commits_edits_back_and_a_refused_undo_removes_nothing() {
    let text = format!(
        "# aider chat started at 2026-05-01 10:00:00\n\n#### change x  \n\n{BLOCK}> Tokens: 1.0k sent, 20 received.  \n> Applied edit to a.py  \n> Commit abc1234 feat: x is 2  \n\n#### /undo  \n> Removed: abc1234 feat: x is 2  \n> Now at:  0000001 init  \n\n#### /undo  \n> The last commit was not made by aider in this chat session.  \n"
    );
    let s = parse_text(&text);
    assert_eq!(
        edits(&s),
        [("search-replace", "a.py"), ("undo", "a.py")],
        "one undo, of the block's added line"
    );
    let undo = s
        .tool_calls()
        .find(|c| c.name == "undo")
        .and_then(|c| c.edit.as_ref());
    assert_eq!(
        undo.map(|e| e.hunks[0].old.clone()),
        Some(vec!["x = 2".to_owned()])
    );
    assert_eq!(
        s.commit_anchors().count(),
        0,
        "the undone commit is no anchor"
    );
    assert_eq!(
        s.disowned_commits,
        [DisownedCommit {
            sha: "abc1234".into(),
            summary: "feat: x is 2".into(),
            reason: DisownReason::Undone
        }]
    );
}

#[test]
fn two_committing_lines_precede_one_dirty_commit() {
    let text = format!(
        "# aider chat started at 2026-05-01 10:00:00\n\n#### change x  \n\n{BLOCK}> Tokens: 1.0k sent, 20 received.  \n> Committing a.py before applying edits.  \n> Committing b.py before applying edits.  \n> Commit 1111111 chore: user work  \n> Applied edit to a.py  \n> Commit 2222222 feat: x is 2  \n"
    );
    let s = parse_text(&text);
    let anchors: Vec<&str> = s.commit_anchors().map(|a| a.sha.as_str()).collect();
    assert_eq!(anchors, ["2222222"]);
    assert_eq!(s.disowned_commits.len(), 1);
    assert_eq!(s.disowned_commits[0].sha, "1111111");
    assert_eq!(s.disowned_commits[0].reason, DisownReason::UserWork);
}

#[test]
fn a_whole_file_only_in_whole_formats_and_diffed_against_its_last_write() {
    let whole = "a.py\n```\nx = 1\ny = 2\n```\n\n";
    let text = |format: &str| {
        format!(
            "# aider chat started at 2026-05-01 10:00:00\n\n> Main model: gpt-4o with {format} edit format  \n\n#### write a  \n\n{whole}> Tokens: 1.0k sent, 20 received.  \n> Applied edit to a.py  \n\n#### again  \n\n{}> Tokens: 1.0k sent, 20 received.  \n> Applied edit to A.PY  \n",
            whole.replace("y = 2", "y = 3")
        )
    };
    let s = parse_text(&text("whole"));
    let ops: Vec<(&EditOp, Vec<String>, Vec<String>)> = s
        .tool_calls()
        .filter_map(|c| c.edit.as_ref())
        .map(|e| (&e.op, e.hunks[0].old.clone(), e.hunks[0].new.clone()))
        .collect();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].0, &EditOp::Create);
    assert_eq!(ops[1].0, &EditOp::Update);
    assert_eq!(
        ops[1].1,
        ["x = 1", "y = 2"],
        "diffed against the first write"
    );
    assert!(
        edits(&parse_text(&text("diff"))).is_empty(),
        "an illustration in diff format"
    );
}

#[test]
fn a_session_figure_that_falls_back_is_summed_over_the_runs() {
    let text = "# aider chat started at 2026-05-01 10:00:00\n\n> Tokens: 1.0k sent, 20 received. Cost: $0.01 message, $0.05 session.  \n> Tokens: 1.0k sent, 20 received. Cost: $0.01 message, $0.02 session.  \n> Tokens: 210k sent. Cost: $0.63 message, $0.65 session.  \n";
    let s = parse_text(text);
    let c = s.agent_reported.as_ref().and_then(|r| r.total_cost_usd);
    assert!(c.is_some_and(|c| (c - 0.70).abs() < 1e-9), "{c:?}");
    let (u, _) = s.usage();
    assert_eq!(
        (u.input, u.output),
        (212_000, 40),
        "a token-limit line: no received"
    );
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("started again from zero 1 time"))
    );
}
