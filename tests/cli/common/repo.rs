//! Real git repositories built in temp dirs with git2: fixed signatures and times, so routes and hashes
//! are reproducible. No network, no checked-in `.git`.

use std::path::{Path, PathBuf};

use git2::{Commit, Oid, Repository, Signature, Time};

/// Seconds since the epoch of an RFC 3339 time.
pub fn at(ts: &str) -> i64 {
    ts.parse::<jiff::Timestamp>()
        .expect("timestamp")
        .as_second()
}

/// A repository in a folder, with a `main` branch.
pub struct TestRepo {
    /// The work tree.
    pub dir: PathBuf,
    /// The repository.
    pub repo: Repository,
}

fn sig(name: &str, time: i64) -> Signature<'static> {
    Signature::new(name, "dev@example.com", &Time::new(time, 0)).expect("signature")
}

impl TestRepo {
    /// `git init` with one commit (`README.md`) on `main` at `time`.
    pub fn init(dir: &Path, time: i64) -> TestRepo {
        std::fs::create_dir_all(dir).expect("mkdir");
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(dir, &opts).expect("init");
        let r = TestRepo {
            dir: dir.to_path_buf(),
            repo,
        };
        r.write("README.md", "# app\n");
        r.commit("initial commit", time);
        r
    }

    /// Writes a file of the work tree.
    pub fn write(&self, rel: &str, content: &str) {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    /// Reads a file of the work tree.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel)).expect("read")
    }

    fn head_commit(&self) -> Option<Commit<'_>> {
        self.repo.head().ok().and_then(|h| h.peel_to_commit().ok())
    }

    fn stage_all(&self) -> Oid {
        let mut idx = self.repo.index().expect("index");
        idx.add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        idx.update_all(["*"], None).expect("update");
        idx.write().expect("write index");
        idx.write_tree().expect("tree")
    }

    /// Commits the whole work tree on the current branch (author = committer time).
    pub fn commit(&self, msg: &str, time: i64) -> Oid {
        self.commit_as("Dev", msg, time, time)
    }

    /// Commits with distinct author and committer times (what a rebase or amend leaves behind).
    pub fn commit_as(&self, author: &str, msg: &str, author_time: i64, commit_time: i64) -> Oid {
        let tree = self.repo.find_tree(self.stage_all()).expect("tree");
        let parent = self.head_commit();
        let parents: Vec<&Commit<'_>> = parent.iter().collect();
        self.repo
            .commit(
                Some("HEAD"),
                &sig(author, author_time),
                &sig("Dev", commit_time),
                msg,
                &tree,
                &parents,
            )
            .expect("commit")
    }

    /// Creates a branch at HEAD and checks it out.
    pub fn branch(&self, name: &str) {
        let head = self.head_commit().expect("head");
        self.repo.branch(name, &head, false).expect("branch");
        self.checkout(name);
    }

    /// Checks out a local branch (forcing the work tree to match it).
    pub fn checkout(&self, name: &str) {
        let refname = format!("refs/heads/{name}");
        let obj = self.repo.revparse_single(&refname).expect("branch exists");
        let mut co = git2::build::CheckoutBuilder::new();
        co.force().remove_untracked(true);
        self.repo
            .checkout_tree(&obj, Some(&mut co))
            .expect("checkout");
        self.repo.set_head(&refname).expect("set head");
    }

    /// The tip of a branch.
    pub fn tip(&self, name: &str) -> Oid {
        self.repo
            .revparse_single(&format!("refs/heads/{name}"))
            .expect("branch")
            .peel_to_commit()
            .expect("commit")
            .id()
    }

    fn merged_tree(&self, ours: Oid, theirs: Oid) -> Oid {
        let base = self.repo.merge_base(ours, theirs).expect("merge base");
        let t = |o: Oid| {
            self.repo
                .find_commit(o)
                .expect("commit")
                .tree()
                .expect("tree")
        };
        let mut idx = self
            .repo
            .merge_trees(&t(base), &t(ours), &t(theirs), None)
            .expect("merge trees");
        assert!(!idx.has_conflicts(), "test merge has conflicts");
        idx.write_tree_to(&self.repo).expect("tree")
    }

    fn commit_tree(
        &self,
        tree: Oid,
        parents: &[Oid],
        msg: &str,
        author_time: i64,
        commit_time: i64,
    ) -> Oid {
        let tree = self.repo.find_tree(tree).expect("tree");
        let parents: Vec<Commit<'_>> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).expect("c"))
            .collect();
        let refs: Vec<&Commit<'_>> = parents.iter().collect();
        let oid = self
            .repo
            .commit(
                Some("HEAD"),
                &sig("Dev", author_time),
                &sig("Dev", commit_time),
                msg,
                &tree,
                &refs,
            )
            .expect("commit");
        let mut co = git2::build::CheckoutBuilder::new();
        co.force();
        self.repo.checkout_head(Some(&mut co)).expect("checkout");
        oid
    }

    /// On the current branch: `git merge --no-ff BRANCH`.
    pub fn merge_no_ff(&self, branch: &str, time: i64) -> Oid {
        let ours = self.head_commit().expect("head").id();
        let theirs = self.tip(branch);
        let tree = self.merged_tree(ours, theirs);
        self.commit_tree(
            tree,
            &[ours, theirs],
            &format!("Merge branch '{branch}'"),
            time,
            time,
        )
    }

    /// On the current branch: `git merge BRANCH` whose conflicts were resolved by hand: the work tree as
    /// it is now (write the resolved files first) becomes a commit with both parents.
    pub fn merge_resolved(&self, branch: &str, time: i64) -> Oid {
        let ours = self.head_commit().expect("head").id();
        let theirs = self.tip(branch);
        let tree = self.stage_all();
        self.commit_tree(
            tree,
            &[ours, theirs],
            &format!("Merge branch '{branch}'"),
            time,
            time,
        )
    }

    /// On the current branch: `git merge --ff-only BRANCH`.
    pub fn fast_forward(&self, branch: &str) {
        let theirs = self.tip(branch);
        let head = self.repo.head().expect("head");
        let name = head.name().expect("name").to_owned();
        self.repo.reference(&name, theirs, true, "ff").expect("ff");
        let mut co = git2::build::CheckoutBuilder::new();
        co.force();
        self.repo.checkout_head(Some(&mut co)).expect("checkout");
    }

    /// On the current branch: `git merge --squash BRANCH && git commit` (one new commit, one parent).
    pub fn squash_merge(&self, branch: &str, msg: &str, time: i64) -> Oid {
        let ours = self.head_commit().expect("head").id();
        let tree = self.merged_tree(ours, self.tip(branch));
        self.commit_tree(tree, &[ours], msg, time, time)
    }

    /// On the current branch: `git cherry-pick -x COMMIT`.
    pub fn cherry_pick(&self, commit: Oid, time: i64) -> Oid {
        let c = self.repo.find_commit(commit).expect("commit");
        let ours = self.head_commit().expect("head");
        let mut idx = self
            .repo
            .cherrypick_commit(&c, &ours, 0, None)
            .expect("cherry-pick");
        let tree = idx.write_tree_to(&self.repo).expect("tree");
        let msg = format!(
            "{}\n\n(cherry picked from commit {commit})\n",
            c.message().unwrap_or_default().trim_end()
        );
        self.commit_tree(tree, &[ours.id()], &msg, c.author().when().seconds(), time)
    }

    /// Replays the commits of `branch` after its merge base onto `onto`, keeping author times, and moves
    /// the branch (`git rebase onto`); the old commits become unreachable.
    pub fn rebase(&self, branch: &str, onto: &str, time: i64) {
        let base = self
            .repo
            .merge_base(self.tip(branch), self.tip(onto))
            .expect("base");
        let mut walk = self.repo.revwalk().expect("walk");
        walk.push(self.tip(branch)).expect("push");
        walk.hide(base).expect("hide");
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .expect("sort");
        let todo: Vec<Oid> = walk.map(|o| o.expect("oid")).collect();
        let mut head = self.repo.find_commit(self.tip(onto)).expect("onto");
        for oid in todo {
            let c = self.repo.find_commit(oid).expect("commit");
            let mut idx = self
                .repo
                .cherrypick_commit(&c, &head, 0, None)
                .expect("pick");
            let tree = self
                .repo
                .find_tree(idx.write_tree_to(&self.repo).expect("tree"))
                .expect("tree");
            let new = self
                .repo
                .commit(
                    None,
                    &c.author(),
                    &sig("Dev", time),
                    c.message().unwrap_or_default(),
                    &tree,
                    &[&head],
                )
                .expect("commit");
            head = self.repo.find_commit(new).expect("new");
        }
        self.repo
            .reference(&format!("refs/heads/{branch}"), head.id(), true, "rebase")
            .expect("move");
        self.checkout(branch);
    }

    /// `git reset --hard REF` on the current branch.
    pub fn reset_hard(&self, to: Oid) {
        let obj = self.repo.find_object(to, None).expect("object");
        self.repo
            .reset(&obj, git2::ResetType::Hard, None)
            .expect("reset");
    }

    /// `git commit --amend` with the current work tree, new committer time, same author time.
    pub fn amend(&self, msg: &str, commit_time: i64) -> Oid {
        let old = self.head_commit().expect("head");
        let tree = self.repo.find_tree(self.stage_all()).expect("tree");
        let parents: Vec<Commit<'_>> = old.parents().collect();
        let refs: Vec<&Commit<'_>> = parents.iter().collect();
        let new = self
            .repo
            .commit(
                None,
                &old.author(),
                &sig("Dev", commit_time),
                msg,
                &tree,
                &refs,
            )
            .expect("amend");
        let head = self.repo.head().expect("head");
        let name = head.name().expect("name").to_owned();
        self.repo
            .reference(&name, new, true, "amend")
            .expect("move");
        new
    }
}

/// A Claude Code transcript being written for a session that works in `cwd`.
pub struct ClaudeLog {
    id: String,
    cwd: String,
    lines: Vec<String>,
    n: u32,
    model: String,
    usage: (u64, u64, u64, u64),
    branch: String,
}

impl ClaudeLog {
    /// A new session log.
    pub fn new(id: &str, cwd: &Path) -> ClaudeLog {
        ClaudeLog {
            id: id.into(),
            cwd: cwd.to_str().expect("utf8").into(),
            lines: Vec::new(),
            n: 0,
            model: "claude-sonnet-4-5-20250929".into(),
            usage: (10, 100, 1000, 100),
            branch: "feature".into(),
        }
    }

    /// The git branch the following records log (`gitBranch`).
    pub fn on_branch(&mut self, branch: &str) -> &mut Self {
        self.branch = branch.into();
        self
    }

    /// The model and usage `(input, output, cache_read, cache_write)` of the following steps.
    pub fn on(&mut self, model: &str, usage: (u64, u64, u64, u64)) -> &mut Self {
        self.model = model.into();
        self.usage = usage;
        self
    }

    /// A `Read` of a file returning `bytes` bytes.
    pub fn read(&mut self, ts: &str, rel: &str, bytes: usize) -> &mut Self {
        let path = format!("{}/{rel}", self.cwd);
        self.call(
            ts,
            "Read",
            serde_json::json!({"file_path": path}),
            "x".repeat(bytes).into(),
            true,
            serde_json::json!({"type": "text", "file": {"filePath": path}}),
        );
        self
    }

    /// A `Bash` command that succeeds or fails.
    pub fn bash(&mut self, ts: &str, command: &str, ok: bool) -> &mut Self {
        self.call(
            ts,
            "Bash",
            serde_json::json!({"command": command}),
            if ok { "ok" } else { "Error: Exit code 1" }.into(),
            ok,
            serde_json::json!({"stdout": "", "stderr": "", "interrupted": false}),
        );
        self
    }

    fn call(
        &mut self,
        ts: &str,
        name: &str,
        input: serde_json::Value,
        result: serde_json::Value,
        ok: bool,
        tur: serde_json::Value,
    ) {
        self.n += 1;
        let n = self.n;
        let tool_id = format!("toolu_{n:04}");
        self.lines.push(
            serde_json::json!({
                "type": "assistant", "sessionId": self.id, "cwd": self.cwd, "timestamp": ts,
                "gitBranch": self.branch, "requestId": format!("req_{}_{n}", self.id),
                "message": {"id": format!("msg_{}_{n}", self.id), "role": "assistant", "model": self.model,
                    "content": [{"type": "tool_use", "id": tool_id, "name": name, "input": input}],
                    "usage": {"input_tokens": self.usage.0, "output_tokens": self.usage.1,
                        "cache_read_input_tokens": self.usage.2, "cache_creation_input_tokens": self.usage.3}}
            })
            .to_string(),
        );
        let mut block =
            serde_json::json!({"type": "tool_result", "tool_use_id": tool_id, "content": result});
        if !ok {
            block["is_error"] = true.into();
        }
        self.lines.push(
            serde_json::json!({"type": "user", "sessionId": self.id, "cwd": self.cwd, "timestamp": ts,
                "message": {"role": "user", "content": [block]}, "toolUseResult": tur})
            .to_string(),
        );
    }

    /// A `Write` of a new file (path relative to cwd).
    pub fn write(&mut self, ts: &str, rel: &str, content: &str) -> &mut Self {
        let path = format!("{}/{rel}", self.cwd);
        self.call(ts, "Write", serde_json::json!({"file_path": path, "content": content}), "File created".into(), true,
            serde_json::json!({"type": "create", "filePath": path, "content": content, "structuredPatch": []}));
        self
    }

    /// An `Edit` that applied (the result carries no patch: the edit is rebuilt from the input).
    pub fn edit(&mut self, ts: &str, rel: &str, old: &str, new: &str) -> &mut Self {
        let path = format!("{}/{rel}", self.cwd);
        self.call(
            ts,
            "Edit",
            serde_json::json!({"file_path": path, "old_string": old, "new_string": new}),
            "The file has been updated.".into(),
            true,
            serde_json::json!({"filePath": path, "oldString": old, "newString": new}),
        );
        self
    }

    /// An `Edit` as Claude Code 2.x logs it: the result carries `originalFile`, the replacement, and a
    /// `structuredPatch` whose lines show every tab as two spaces (as the real ones do).
    pub fn edit_v2(
        &mut self,
        ts: &str,
        rel: &str,
        original: &str,
        old: &str,
        new: &str,
    ) -> &mut Self {
        let path = format!("{}/{rel}", self.cwd);
        let after = original.replacen(old, new, 1);
        let rendered = |l: &str| l.replace('\t', "  ");
        let mut lines: Vec<String> = Vec::new();
        for l in original.lines().filter(|l| !after.lines().any(|a| a == *l)) {
            lines.push(format!("-{}", rendered(l)));
        }
        for l in after.lines().filter(|l| !original.lines().any(|o| o == *l)) {
            lines.push(format!("+{}", rendered(l)));
        }
        self.call(
            ts,
            "Edit",
            serde_json::json!({"file_path": path, "old_string": old, "new_string": new, "replace_all": false}),
            "The file has been updated.".into(),
            true,
            serde_json::json!({"filePath": path, "oldString": old, "newString": new, "originalFile": original,
                "structuredPatch": [{"oldStart": 1, "oldLines": 1, "newStart": 1, "newLines": 1, "lines": lines}],
                "userModified": false, "replaceAll": false}),
        );
        self
    }

    /// A `Bash` command that succeeds and prints `stdout` (a `git commit`'s `[branch sha] msg`, say).
    pub fn bash_out(&mut self, ts: &str, command: &str, stdout: &str) -> &mut Self {
        self.call(
            ts,
            "Bash",
            serde_json::json!({"command": command}),
            stdout.into(),
            true,
            serde_json::json!({"stdout": stdout, "stderr": "", "interrupted": false}),
        );
        self
    }

    /// A `pr-link` record: the session linked pull request `number`.
    pub fn pr_link(&mut self, ts: &str, number: u64, url: &str) -> &mut Self {
        self.lines.push(
            serde_json::json!({"type": "pr-link", "sessionId": self.id, "prNumber": number, "prUrl": url,
                "prRepository": "acme/app", "timestamp": ts})
            .to_string(),
        );
        self
    }

    /// An `Edit` that failed to apply.
    pub fn failed_edit(&mut self, ts: &str, rel: &str, old: &str, new: &str) -> &mut Self {
        let path = format!("{}/{rel}", self.cwd);
        self.call(
            ts,
            "Edit",
            serde_json::json!({"file_path": path, "old_string": old, "new_string": new}),
            "<tool_use_error>String to replace not found in file.</tool_use_error>".into(),
            false,
            "Error: String to replace not found in file.".into(),
        );
        self
    }

    /// Saves under `home/.claude/projects/<encoded cwd>/<id>.jsonl`.
    pub fn save(&self, home: &Path) {
        self.save_as(home, &self.id);
    }

    /// Saves under `home/.claude/projects/<encoded cwd>/<stem>.jsonl` (for ids that are no file name).
    pub fn save_as(&self, home: &Path, stem: &str) {
        let enc: String = self
            .cwd
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        super::write_lines(
            &home
                .join(".claude/projects")
                .join(enc)
                .join(format!("{stem}.jsonl")),
            &self.lines,
        );
    }
}
