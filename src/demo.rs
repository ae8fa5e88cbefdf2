//! `agent-audit demo`: a small, realistic repository and the agent logs that produced it, built in a
//! temporary folder, so that a newcomer sees every report without logs of their own.
//!
//! Three sessions, dated in the past two weeks:
//! - a Claude Code session (Sonnet) that writes a parser on a branch merged with a merge commit;
//! - a Codex session (`apply_patch`) that adds a cache on a branch squash-merged after a human tweak;
//! - a costly Claude Code session (Opus) that reads broadly, retries failing edits and a failing test
//!   command, and whose branch is abandoned.
//!
//! The example repository is made with git2 here (the only git2 use outside `git/`): it is a fixture
//! writer, not part of the audit.

use std::path::{Path, PathBuf};

use git2::{Commit, Oid, Repository, Signature, Time};
use jiff::Timestamp;
use serde_json::json;

use crate::error::{Error, Result};

/// Where the demo was built.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The folder holding everything.
    pub root: PathBuf,
    /// The example repository (run reports inside it).
    pub repo: PathBuf,
    /// The fake home whose `.claude` and `.codex` hold the logs (set `HOME` to it).
    pub home: PathBuf,
    /// Session ids: merged (Claude), squashed (Codex), abandoned (Claude).
    pub sessions: [String; 3],
}

fn git(context: &str) -> impl FnOnce(git2::Error) -> Error {
    let context = context.to_owned();
    move |source| Error::Git { context, source }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Read { path, source }
}

struct Repo {
    dir: PathBuf,
    repo: Repository,
}

impl Repo {
    fn write(&self, rel: &str, content: &str) -> Result<()> {
        let p = self.dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&p, content).map_err(io(&p))
    }

    fn sig(t: i64) -> Result<Signature<'static>> {
        Signature::new("Dana Developer", "dana@example.com", &Time::new(t, 0))
            .map_err(git("signature"))
    }

    fn head(&self) -> Option<Commit<'_>> {
        self.repo.head().ok().and_then(|h| h.peel_to_commit().ok())
    }

    fn commit(&self, msg: &str, t: i64) -> Result<Oid> {
        let mut idx = self.repo.index().map_err(git("index"))?;
        idx.add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .map_err(git("add"))?;
        idx.write().map_err(git("index"))?;
        let tree = self
            .repo
            .find_tree(idx.write_tree().map_err(git("tree"))?)
            .map_err(git("tree"))?;
        let parent = self.head();
        let parents: Vec<&Commit<'_>> = parent.iter().collect();
        let s = Repo::sig(t)?;
        self.repo
            .commit(Some("HEAD"), &s, &s, msg, &tree, &parents)
            .map_err(git("commit"))
    }

    fn branch(&self, name: &str) -> Result<()> {
        let head = self
            .head()
            .ok_or_else(|| Error::Usage("demo: no HEAD".into()))?;
        self.repo
            .branch(name, &head, false)
            .map_err(git("branch"))?;
        self.checkout(name)
    }

    fn checkout(&self, name: &str) -> Result<()> {
        let refname = format!("refs/heads/{name}");
        let obj = self.repo.revparse_single(&refname).map_err(git("branch"))?;
        let mut co = git2::build::CheckoutBuilder::new();
        co.force().remove_untracked(true);
        self.repo
            .checkout_tree(&obj, Some(&mut co))
            .map_err(git("checkout"))?;
        self.repo.set_head(&refname).map_err(git("checkout"))
    }

    fn tip(&self, name: &str) -> Result<Oid> {
        self.repo
            .revparse_single(&format!("refs/heads/{name}"))
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(git("branch tip"))
    }

    /// Merges `branch` into the current branch: a merge commit (`squash` false) or one new commit.
    fn merge(&self, branch: &str, msg: &str, t: i64, squash: bool) -> Result<Oid> {
        let ours = self
            .head()
            .ok_or_else(|| Error::Usage("demo: no HEAD".into()))?;
        let theirs = self
            .repo
            .find_commit(self.tip(branch)?)
            .map_err(git("commit"))?;
        let base = self
            .repo
            .merge_base(ours.id(), theirs.id())
            .map_err(git("merge base"))?;
        let base_tree = self
            .repo
            .find_commit(base)
            .and_then(|c| c.tree())
            .map_err(git("tree"))?;
        let mut idx = self
            .repo
            .merge_trees(
                &base_tree,
                &ours.tree().map_err(git("tree"))?,
                &theirs.tree().map_err(git("tree"))?,
                None,
            )
            .map_err(git("merge"))?;
        let tree = self
            .repo
            .find_tree(idx.write_tree_to(&self.repo).map_err(git("tree"))?)
            .map_err(git("tree"))?;
        let s = Repo::sig(t)?;
        let parents: Vec<&Commit<'_>> = if squash {
            vec![&ours]
        } else {
            vec![&ours, &theirs]
        };
        let oid = self
            .repo
            .commit(Some("HEAD"), &s, &s, msg, &tree, &parents)
            .map_err(git("merge commit"))?;
        let mut co = git2::build::CheckoutBuilder::new();
        co.force();
        self.repo
            .checkout_head(Some(&mut co))
            .map_err(git("checkout"))?;
        Ok(oid)
    }
}

fn ts(t: i64) -> String {
    Timestamp::from_second(t)
        .map(|x| x.to_string())
        .unwrap_or_default()
}

/// Claude Code transcript lines for a session.
struct ClaudeLog {
    id: String,
    cwd: String,
    lines: Vec<String>,
    n: u32,
    model: &'static str,
    usage: (u64, u64, u64, u64),
}

impl ClaudeLog {
    fn new(id: &str, cwd: &Path, branch: &str, t: i64, prompt: &str) -> ClaudeLog {
        let mut log = ClaudeLog {
            id: id.into(),
            cwd: cwd.to_string_lossy().into_owned(),
            lines: Vec::new(),
            n: 0,
            model: "claude-sonnet-4-5-20250929",
            usage: (8, 300, 20_000, 1_500),
        };
        log.lines.push(
            json!({"parentUuid": null, "isSidechain": false, "userType": "external", "cwd": log.cwd,
                "sessionId": id, "version": "2.1.38", "gitBranch": branch, "type": "user",
                "message": {"role": "user", "content": prompt}, "uuid": format!("{id}-u0"),
                "timestamp": ts(t)})
            .to_string(),
        );
        log
    }

    fn call(
        &mut self,
        t: i64,
        name: &str,
        input: serde_json::Value,
        result: &str,
        ok: bool,
        tur: serde_json::Value,
    ) {
        self.n += 1;
        let n = self.n;
        let tool = format!("toolu_{}{n:03}", &self.id[..8]);
        let (i, o, cr, cw) = self.usage;
        let usage = |out: u64| {
            json!({"input_tokens": i, "cache_creation_input_tokens": cw,
            "cache_read_input_tokens": cr + 900 * u64::from(n), "output_tokens": out, "service_tier": "standard"})
        };
        let base = |kind: &str, content: serde_json::Value, out: u64| {
            json!({"parentUuid": null, "isSidechain": false, "userType": "external", "cwd": self.cwd,
                "sessionId": self.id, "version": "2.1.38", "gitBranch": "demo", "type": kind,
                "requestId": format!("req_{}{n:03}", &self.id[..8]),
                "message": {"model": self.model, "id": format!("msg_{}{n:03}", &self.id[..8]), "type": "message",
                    "role": "assistant", "content": content, "stop_reason": null, "usage": usage(out)},
                "uuid": format!("{}-a{n}", self.id), "timestamp": ts(t)})
            .to_string()
        };
        // A streaming snapshot first (tiny output count), then the final line: counted once.
        self.lines.push(base(
            "assistant",
            json!([{"type": "text", "text": "Working on it."}]),
            3,
        ));
        self.lines.push(base(
            "assistant",
            json!([{"type": "tool_use", "id": tool, "name": name, "input": input}]),
            o,
        ));
        let mut block = json!({"tool_use_id": tool, "type": "tool_result", "content": result});
        if !ok {
            block["is_error"] = true.into();
        }
        self.lines.push(
            json!({"parentUuid": null, "isSidechain": false, "userType": "external", "cwd": self.cwd,
                "sessionId": self.id, "version": "2.1.38", "gitBranch": "demo", "type": "user",
                "message": {"role": "user", "content": [block]}, "toolUseResult": tur,
                "uuid": format!("{}-r{n}", self.id), "timestamp": ts(t + 2)})
            .to_string(),
        );
    }

    fn read(&mut self, t: i64, rel: &str, content: &str) {
        let path = format!("{}/{rel}", self.cwd);
        self.call(
            t,
            "Read",
            json!({"file_path": path}),
            content,
            true,
            json!({"type": "text", "file": {"filePath": path, "content": content}}),
        );
    }

    fn write(&mut self, t: i64, rel: &str, content: &str) {
        let path = format!("{}/{rel}", self.cwd);
        self.call(
            t,
            "Write",
            json!({"file_path": path, "content": content}),
            &format!("File created successfully at: {path}"),
            true,
            json!({"type": "create", "filePath": path, "content": content, "structuredPatch": []}),
        );
    }

    fn edit(&mut self, t: i64, rel: &str, old: &str, new: &str, ok: bool) {
        let path = format!("{}/{rel}", self.cwd);
        if ok {
            self.call(
                t,
                "Edit",
                json!({"file_path": path, "old_string": old, "new_string": new}),
                &format!("The file {path} has been updated."),
                true,
                json!({"filePath": path, "oldString": old, "newString": new}),
            );
        } else {
            self.call(
                t,
                "Edit",
                json!({"file_path": path, "old_string": old, "new_string": new}),
                "<tool_use_error>String to replace not found in file.</tool_use_error>",
                false,
                json!("Error: String to replace not found in file."),
            );
        }
    }

    fn bash(&mut self, t: i64, command: &str, ok: bool) {
        let out = if ok {
            "test result: ok. 4 passed"
        } else {
            "Error: Exit code 101\ntest result: FAILED. 3 passed; 1 failed"
        };
        self.call(
            t,
            "Bash",
            json!({"command": command, "description": "Run the tests"}),
            out,
            ok,
            json!({"stdout": out, "stderr": "", "interrupted": false}),
        );
    }

    fn save(&self, home: &Path) -> Result<()> {
        let enc: String = self
            .cwd
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let dir = home.join(".claude/projects").join(enc);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("{}.jsonl", self.id));
        std::fs::write(&path, self.lines.join("\n") + "\n").map_err(io(&path))
    }
}

/// A Codex rollout with one `apply_patch` and its token counts.
fn codex_rollout(home: &Path, id: &str, cwd: &Path, t: i64, patch: &str) -> Result<()> {
    let cwd = cwd.to_string_lossy();
    let date = Timestamp::from_second(t)
        .map(|x| x.strftime("%Y/%m/%d").to_string())
        .unwrap_or_default();
    let stamp = Timestamp::from_second(t)
        .map(|x| x.strftime("%Y-%m-%dT%H-%M-%S").to_string())
        .unwrap_or_default();
    let usage = |input: u64, cached: u64, output: u64, reasoning: u64| {
        json!({"input_tokens": input, "cached_input_tokens": cached, "output_tokens": output,
            "reasoning_output_tokens": reasoning, "total_tokens": input + output})
    };
    let lines = [
        json!({"timestamp": ts(t), "type": "session_meta", "payload": {"id": id, "timestamp": ts(t),
            "cwd": cwd, "originator": "codex_cli_rs", "cli_version": "0.46.0", "instructions": null,
            "git": {"branch": "feature/cache"}}}),
        json!({"timestamp": ts(t + 1), "type": "turn_context", "payload": {"cwd": cwd,
            "approval_policy": "on-request", "model": "gpt-5-codex", "effort": "medium", "summary": "auto"}}),
        json!({"timestamp": ts(t + 2), "type": "event_msg", "payload": {"type": "user_message",
            "message": "add a small LRU cache for parsed lines"}}),
        json!({"timestamp": ts(t + 20), "type": "response_item", "payload": {"type": "function_call",
            "name": "shell", "arguments": json!({"command": ["bash", "-lc", "sed -n '1,80p' src/lib.rs"],
            "workdir": cwd}).to_string(), "call_id": "call_demo_1"}}),
        json!({"timestamp": ts(t + 21), "type": "response_item", "payload": {"type": "function_call_output",
            "call_id": "call_demo_1", "output": json!({"output": "pub mod parser;\n",
            "metadata": {"exit_code": 0, "duration_seconds": 0.1}}).to_string()}}),
        json!({"timestamp": ts(t + 22), "type": "event_msg", "payload": {"type": "token_count", "info": {
            "total_token_usage": usage(9_000, 6_000, 400, 200), "last_token_usage": usage(9_000, 6_000, 400, 200),
            "model_context_window": 272_000}}}),
        json!({"timestamp": ts(t + 60), "type": "response_item", "payload": {"type": "custom_tool_call",
            "name": "apply_patch", "input": patch, "call_id": "call_demo_2", "status": "completed"}}),
        json!({"timestamp": ts(t + 61), "type": "response_item", "payload": {"type": "custom_tool_call_output",
            "call_id": "call_demo_2", "output": json!({"output": "Success. Updated the following files:\nA src/cache.rs\n",
            "metadata": {"exit_code": 0, "duration_seconds": 0.0}}).to_string()}}),
        json!({"timestamp": ts(t + 62), "type": "event_msg", "payload": {"type": "token_count", "info": {
            "total_token_usage": usage(21_000, 14_000, 1_900, 700), "last_token_usage": usage(12_000, 8_000, 1_500, 500),
            "model_context_window": 272_000}}}),
    ];
    let dir = home.join(".codex/sessions").join(date);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let path = dir.join(format!("rollout-{stamp}-{id}.jsonl"));
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&path, text.join("\n") + "\n").map_err(io(&path))
}

const LIB: &str = "pub mod parser;\n";
const PARSER: &str = "/// Parses `key=value` lines, skipping blanks and comments.\npub fn parse(input: &str) -> Vec<(String, String)> {\n    input\n        .lines()\n        .map(str::trim)\n        .filter(|l| !l.is_empty() && !l.starts_with('#'))\n        .filter_map(|l| l.split_once('='))\n        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))\n        .collect()\n}\n";
const CACHE: &str = "use std::collections::HashMap;\n\n/// Remembers parsed inputs.\npub struct Cache {\n    entries: HashMap<String, Vec<(String, String)>>,\n    capacity: usize,\n}\n\nimpl Cache {\n    pub fn new(capacity: usize) -> Self {\n        Cache { entries: HashMap::new(), capacity }\n    }\n\n    pub fn get_or_parse(&mut self, input: &str) -> &Vec<(String, String)> {\n        if self.entries.len() >= self.capacity {\n            self.entries.clear();\n        }\n        self.entries\n            .entry(input.to_string())\n            .or_insert_with(|| crate::parser::parse(input))\n    }\n}\n";

/// Builds the demo under `root` (which must not exist or be empty), dated relative to `now`.
pub fn build(root: &Path, now: Timestamp) -> Result<Demo> {
    let repo_dir = root.join("shop-config");
    let home = root.join("home");
    std::fs::create_dir_all(&repo_dir).map_err(io(&repo_dir))?;
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repo {
        dir: repo_dir.clone(),
        repo: Repository::init_opts(&repo_dir, &opts).map_err(git("init"))?,
    };
    let day = 86_400;
    let t0 = now.as_second() - 14 * day;
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"shop-config\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )?;
    repo.write("src/lib.rs", "")?;
    for i in 0..30 {
        repo.write(
            &format!("fixtures/case_{i:02}.conf"),
            &format!(
                "# parser fixture {i}\nname = case {i}\nretries = {}\n",
                i % 4
            ),
        )?;
    }
    repo.commit("Initial commit", t0)?;

    // 1. Claude Code on a feature branch, merged with a merge commit.
    let s1 = "5e1f0c2a-7b3d-4c8e-9f10-aa11bb22cc01";
    let t1 = t0 + day;
    repo.branch("feature/parser")?;
    let mut log = ClaudeLog::new(
        s1,
        &repo_dir,
        "feature/parser",
        t1,
        "add a key=value config parser",
    );
    log.read(t1 + 30, "src/lib.rs", "");
    log.write(t1 + 90, "src/parser.rs", PARSER);
    log.edit(t1 + 120, "src/lib.rs", "", LIB, true);
    log.bash(t1 + 150, "cargo test", true);
    log.save(&home)?;
    repo.write("src/parser.rs", PARSER)?;
    repo.write("src/lib.rs", LIB)?;
    repo.commit(
        "Add config parser\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        t1 + 600,
    )?;
    repo.checkout("main")?;
    repo.merge(
        "feature/parser",
        "Merge branch 'feature/parser'",
        t1 + 3_600,
        false,
    )?;

    // 2. Codex adds a cache on a branch; a human renames a field; squash-merged.
    let s2 = "019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b";
    let t2 = t0 + 3 * day;
    repo.branch("feature/cache")?;
    let patch = format!(
        "*** Begin Patch\n*** Add File: src/cache.rs\n{}*** End Patch\n",
        CACHE.lines().map(|l| format!("+{l}\n")).collect::<String>()
    );
    codex_rollout(&home, s2, &repo_dir, t2, &patch)?;
    repo.write("src/cache.rs", CACHE)?;
    repo.write("src/lib.rs", "pub mod cache;\npub mod parser;\n")?;
    repo.commit("Add parse cache", t2 + 300)?;
    repo.write("src/cache.rs", &CACHE.replace("capacity", "max_entries"))?;
    repo.commit("Rename capacity to max_entries", t2 + 1_800)?;
    repo.checkout("main")?;
    repo.merge("feature/cache", "Add parse cache (#2)", t2 + 7_200, true)?;

    // 3. An expensive Claude Code session: broad reads on Opus, failing edits, re-run tests; abandoned.
    let s3 = "c0ffee00-1234-4abc-8def-000000000003";
    let t3 = t0 + 6 * day;
    repo.branch("experiment/rewrite")?;
    let mut log = ClaudeLog::new(
        s3,
        &repo_dir,
        "experiment/rewrite",
        t3,
        "rewrite the parser to be faster",
    );
    log.model = "claude-opus-4-6";
    log.usage = (12, 350, 95_000, 6_000);
    for i in 0..30 {
        let f = format!("fixtures/case_{i:02}.conf");
        log.read(
            t3 + 20 * i as i64,
            &f,
            "# parser fixture\nname = case\nretries = 1\n",
        );
    }
    log.usage = (12, 1_800, 120_000, 9_000);
    for i in 0..3 {
        let t = t3 + 700 + 200 * i;
        log.edit(
            t,
            "src/parser.rs",
            "    input.lines()",
            "    input.split('\\n')",
            false,
        );
        let before = match i {
            0 => "        .lines()".to_string(),
            _ => format!("        .split(|c| c == '\\n') // attempt {}", i - 1),
        };
        let after = format!("        .split(|c| c == '\\n') // attempt {i}");
        log.edit(t + 40, "src/parser.rs", &before, &after, true);
        log.bash(t + 80, "cargo test", false);
    }
    log.save(&home)?;
    repo.write(
        "src/parser.rs",
        &PARSER.replace(
            "        .lines()",
            "        .split(|c| c == '\\n') // attempt 2",
        ),
    )?;
    repo.commit("WIP faster parser", t3 + 1_500)?;
    repo.checkout("main")?;

    Ok(Demo {
        root: root.to_path_buf(),
        repo: repo_dir,
        home,
        sessions: [s1.into(), s2.into(), s3.into()],
    })
}

/// Checks out a branch of the demo repository (for the `check` part of the tour).
pub fn checkout(repo: &Path, branch: &str) -> Result<()> {
    let r = Repo {
        dir: repo.to_path_buf(),
        repo: Repository::open(repo).map_err(git("open"))?,
    };
    r.checkout(branch)
}
