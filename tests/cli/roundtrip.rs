//! The property every verdict stands on: an edit a session made, once committed, is matched back to the
//! session line for line — whatever the file, wherever in it the edit lands. Through the library (no
//! binary spawned): a session in memory, a real repository in a temp folder.

use std::path::Path;

use agent_audit::git::{CorrelateOptions, RepoScope, correlate};
use agent_audit::model::{Agent, Edit, EditOp, Hunk, Session, Step, ToolCall, ToolKind};
use proptest::prelude::*;

fn commit_file(dir: &Path, rel: &str, text: &str, msg: &str, time: i64) {
    let repo = git2::Repository::open(dir).expect("open");
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    let mut idx = repo.index().expect("index");
    idx.add_path(Path::new(rel)).expect("add");
    idx.write().expect("write index");
    let tree = repo
        .find_tree(idx.write_tree().expect("tree"))
        .expect("tree");
    let sig =
        git2::Signature::new("Dev", "dev@example.com", &git2::Time::new(time, 0)).expect("sig");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
        .expect("commit");
}

/// A line that counts: a word and a few more, distinct from every other line generated.
fn lines(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
    prop::collection::hash_set("[a-z]{4,10}( [a-z0-9_]{1,8}){1,3}", n)
        .prop_map(|s| s.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn an_edit_applied_and_committed_is_matched_back(
        base in lines(2..12),
        added in lines(1..8),
        at in any::<prop::sample::Index>(),
        indent in prop::sample::select(vec!["", "    ", "\t"]),
    ) {
        // The added lines are new to the file.
        let added: Vec<String> = added
            .into_iter()
            .filter(|l| !base.contains(l))
            .map(|l| format!("{indent}{l}"))
            .collect();
        prop_assume!(!added.is_empty());
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).expect("mkdir");
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        git2::Repository::init_opts(&root, &opts).expect("init");
        let root = std::fs::canonicalize(&root).expect("canonical");
        let t0 = 1_777_000_000;
        let before = base.join("\n") + "\n";
        commit_file(&root, "src/f.rs", &before, "base", t0);

        // The session inserts `added` after line `k` of the file.
        let k = at.index(base.len() + 1);
        let mut after_lines: Vec<String> = base.clone();
        for (i, l) in added.iter().enumerate() {
            after_lines.insert(k + i, l.clone());
        }
        let after = after_lines.join("\n") + "\n";
        let mut s = Session::new(Agent::ClaudeCode, "prop-1".to_owned());
        s.cwd = Some(root.clone());
        let when = jiff::Timestamp::from_second(t0 + 60).expect("ts");
        s.saw(when);
        let mut call = ToolCall::new("c1", ToolKind::Edit, "Edit");
        call.edit = Some(Edit {
            path: root.join("src/f.rs").display().to_string(),
            op: EditOp::Update,
            hunks: vec![Hunk {
                old_start: Some(k as u32 + 1),
                old: Vec::new(),
                new: added.clone(),
            }],
        });
        s.steps.push(Step {
            at: when,
            model: Some("claude-sonnet-4-5-20250929".into()),
            model_inferred: false,
            usage: None,
            service_tier: Default::default(),
            tool_calls: vec![call],
            sidechain: false,
            dedup_key: None,
        });
        commit_file(&root, "src/f.rs", &after, "the session's edit", t0 + 120);

        let scope = RepoScope::discover(&root).expect("scope");
        let c = correlate(&scope, &[&s], &CorrelateOptions::default()).expect("correlate");
        let o = &c.outcomes[0];
        let n = added.len() as u64;
        prop_assert_eq!(
            (o.lines_added, o.lines_committed, o.lines_merged, o.lines_in_head),
            (n, n, n, n),
            "{:?}",
            o
        );
    }
}
