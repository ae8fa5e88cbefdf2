//! Issue 8: attribution that holds on real code — tab-indented Go, boilerplate shared between branches,
//! the same line written by two sessions, a conflict resolved in a merge commit, files written through
//! the shell, and a session that committed its own work. Each case builds a real repository and the
//! session logs whose edits produced it, and asserts exact lines committed / merged / in HEAD, and that
//! `sessions` and `session ID` give the same figures.

use crate::common::repo::{ClaudeLog, TestRepo, at};
use crate::common::*;

struct World {
    home: tempfile::TempDir,
    repo: TestRepo,
}

fn world() -> World {
    let home = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&home.path().join("app"), at("2026-05-01T09:00:00Z"));
    World { home, repo }
}

impl World {
    fn log(&self, id: &str) -> ClaudeLog {
        ClaudeLog::new(id, &self.repo.dir)
    }

    fn sessions(&self) -> serde_json::Value {
        json(
            cmd(&self.repo.dir)
                .env("HOME", self.home.path())
                .args(["sessions", "--json"]),
        )
    }

    /// The outcome of `id` from `sessions --json`, checked equal to the one `session ID --json` gives.
    fn outcome(&self, id: &str) -> serde_json::Value {
        let v = self.sessions();
        let listed = v["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("session {id} in {v}"))["outcome"]
            .clone();
        let one = json(
            cmd(&self.repo.dir)
                .env("HOME", self.home.path())
                .args(["session", id, "--json"]),
        );
        let alone = one["session"]["outcome"].clone();
        assert_eq!(
            listed, alone,
            "`sessions` and `session {id}` disagree on {id}"
        );
        listed
    }
}

/// `(added, committed, merged, in HEAD)`.
fn counts(o: &serde_json::Value) -> (u64, u64, u64, u64) {
    let f = |k: &str| o[k].as_u64().unwrap_or_else(|| panic!("{k} in {o}"));
    (
        f("lines_added"),
        f("lines_committed"),
        f("lines_merged"),
        f("lines_in_head"),
    )
}

const SESSION_GO: &str = "package session\n\nimport (\n\t\"errors\"\n)\n\n// Load reads a session.\nfunc Load(id string) (*Session, error) {\n\tif id == \"\" {\n\t\treturn nil, errors.New(\"empty id\")\n\t}\n\treturn &Session{ID: id}, nil\n}\n";

/// A Go package with tabs: the session's `Edit` replaces part of a tab-indented line and adds a function;
/// Claude Code's patch shows the tabs as spaces, git keeps them. Every line is credited, exactly as for
/// the same code indented with spaces.
#[test]
fn tab_indented_go_is_credited_like_space_indented_code() {
    let run = |indent: &str| -> (u64, u64, u64, u64) {
        let w = world();
        let original = SESSION_GO.replace('\t', indent);
        w.repo.write("pkg/session/session.go", &original);
        w.repo.commit("Add session", at("2026-05-01T09:30:00Z"));
        w.repo.branch("feature");
        let old = format!("{indent}{indent}return nil, errors.New(\"empty id\")\n{indent}}}\n");
        let new = format!(
            "{indent}{indent}return nil, ErrEmptyID\n{indent}}}\n{indent}if len(id) > MaxIDLength {{\n{indent}{indent}return nil, ErrIDTooLong\n{indent}}}\n"
        );
        w.log("go")
            .edit_v2(
                "2026-05-01T10:00:00Z",
                "pkg/session/session.go",
                &original,
                &old,
                &new,
            )
            .save(w.home.path());
        let after = original.replacen(&old, &new, 1);
        w.repo.write("pkg/session/session.go", &after);
        w.repo.commit("Validate ids", at("2026-05-01T10:10:00Z"));
        w.repo.checkout("main");
        w.repo.fast_forward("feature");
        counts(&w.outcome("go"))
    };
    // Three non-trivial lines added: the changed return, the new `if`, its return.
    assert_eq!(run("\t"), (3, 3, 3, 3));
    assert_eq!(run("    "), run("\t"));
}

const BOILERPLATE_A: &str = "package session\n\nimport (\n\t\"testing\"\n)\n\nfunc TestLoad(t *testing.T) {\n\ts, err := Load(\"a\")\n\tif err != nil {\n\t\tt.Fatalf(\"load: %v\", err)\n\t}\n\t_ = s\n}\n";

/// Go boilerplate (`package`, `import (`, `"testing"`, `if err != nil {`, `t.Fatalf(…)`) is in many
/// files. A session whose branch was never merged gets no merged credit from another branch's commit
/// that holds the same common lines; the merged session gets its common lines through its distinctive
/// ones (anchoring).
#[test]
fn boilerplate_gives_no_credit_to_an_unmerged_branch() {
    let w = world();
    // The package already has files with the boilerplate: it is common in this directory.
    w.repo.write("pkg/session/load.go", "package session\n\nimport (\n\t\"errors\"\n)\n\nfunc Load(id string) (*S, error) {\n\tif err != nil {\n\t\treturn nil, err\n\t}\n}\n");
    w.repo.write("pkg/session/load_test.go", BOILERPLATE_A);
    w.repo.commit("Package", at("2026-05-01T09:30:00Z"));

    let unmerged = "package session\n\nimport (\n\t\"testing\"\n)\n\nfunc TestSave(t *testing.T) {\n\tvar buf bytes.Buffer\n\tif err := Save(&buf); err != nil {\n\t\tt.Fatalf(\"load: %v\", err)\n\t}\n}\n";
    let merged = "package session\n\nimport (\n\t\"testing\"\n)\n\nfunc TestList(t *testing.T) {\n\tall, err := List()\n\tif err != nil {\n\t\tt.Fatalf(\"load: %v\", err)\n\t}\n\tif len(all) != 2 {\n\t\tt.Errorf(\"got %d sessions\", len(all))\n\t}\n}\n";

    w.repo.branch("abandoned");
    w.log("unmerged")
        .on_branch("abandoned")
        .write(
            "2026-05-01T10:00:00Z",
            "pkg/session/extra_test.go",
            unmerged,
        )
        .save(w.home.path());
    w.repo.write("pkg/session/extra_test.go", unmerged);
    w.repo.commit("Test save", at("2026-05-01T10:05:00Z"));

    w.repo.checkout("main");
    w.repo.branch("list");
    w.log("merged")
        .on_branch("list")
        .write("2026-05-01T11:00:00Z", "pkg/session/extra_test.go", merged)
        .save(w.home.path());
    w.repo.write("pkg/session/extra_test.go", merged);
    w.repo.commit("Test list", at("2026-05-01T11:05:00Z"));
    w.repo.checkout("main");
    w.repo.merge_no_ff("list", at("2026-05-01T12:00:00Z"));

    let o = w.outcome("unmerged");
    // package, import (, "testing", func, var buf, if err := …, t.Fatalf: 7 lines, all on its branch.
    assert_eq!(counts(&o), (7, 7, 0, 0));
    let m = w.outcome("merged");
    // package, import (, "testing", func, all, err, if err != nil {, t.Fatalf, if len, t.Errorf: 9.
    assert_eq!(counts(&m), (9, 9, 9, 9));
    // Common lines (package, import, "testing", if err != nil {, t.Fatalf) are credited by anchoring.
    assert_eq!(m["lines_anchored"], 5);
    assert_eq!(m["lines_distinctive"], 4);
}

/// Two sessions add the same line to the same file on different branches; only one branch is merged.
/// The merged commit's line goes to the session whose branch holds the commit, not to the older one.
#[test]
fn a_line_two_sessions_wrote_goes_to_the_session_on_the_commits_branch() {
    let w = world();
    let shared = "pub fn clamp(v: i32) -> i32 { v.max(0).min(100) }\n";
    let first = format!("{shared}pub fn first_only() -> u8 {{ 1 }}\n");
    let second = format!("{shared}pub fn second_only() -> u8 {{ 2 }}\n");

    w.repo.branch("one");
    w.log("older")
        .on_branch("one")
        .write("2026-05-01T10:00:00Z", "src/util.rs", &first)
        .save(w.home.path());
    w.repo.write("src/util.rs", &first);
    w.repo.commit("Clamp (one)", at("2026-05-01T10:05:00Z"));

    w.repo.checkout("main");
    w.repo.branch("two");
    w.log("newer")
        .on_branch("two")
        .write("2026-05-01T11:00:00Z", "src/util.rs", &second)
        .save(w.home.path());
    w.repo.write("src/util.rs", &second);
    w.repo.commit("Clamp (two)", at("2026-05-01T11:05:00Z"));
    w.repo.checkout("main");
    w.repo.merge_no_ff("two", at("2026-05-01T12:00:00Z"));

    assert_eq!(counts(&w.outcome("older")), (2, 2, 0, 0));
    assert_eq!(counts(&w.outcome("newer")), (2, 2, 2, 2));
}

/// Main and a feature branch change the same line; a session resolves the conflict with a line of its
/// own. That line exists only in the merge commit, which is diffed against both parents.
#[test]
fn a_conflict_resolved_in_the_merge_commit_is_credited() {
    let w = world();
    w.repo
        .write("src/config.rs", "pub const TIMEOUT: u64 = 30;\n");
    w.repo.commit("Config", at("2026-05-01T09:30:00Z"));
    w.repo.branch("feature");
    w.repo
        .write("src/config.rs", "pub const TIMEOUT: u64 = 60;\n");
    w.repo.commit("Longer timeout", at("2026-05-01T09:40:00Z"));
    w.repo.checkout("main");
    w.repo
        .write("src/config.rs", "pub const TIMEOUT: u64 = 45;\n");
    w.repo.commit("Timeout 45", at("2026-05-01T09:50:00Z"));

    let conflicted = "<<<<<<< HEAD\npub const TIMEOUT: u64 = 45;\n=======\npub const TIMEOUT: u64 = 60;\n>>>>>>> feature\n";
    let resolved = "pub const TIMEOUT: u64 = 60; // feature's value, main's docs\n";
    w.log("resolver")
        .on_branch("main")
        .edit_v2(
            "2026-05-01T10:00:00Z",
            "src/config.rs",
            conflicted,
            conflicted,
            resolved,
        )
        .save(w.home.path());
    w.repo.write("src/config.rs", resolved);
    w.repo.merge_resolved("feature", at("2026-05-01T10:05:00Z"));

    let o = w.outcome("resolver");
    assert_eq!(counts(&o), (1, 1, 1, 1));
    assert_eq!(o["merged_via"], "merge");
}

/// Files written through the shell: a heredoc and an inline `git apply` are edits like any other.
#[test]
fn heredoc_writes_and_inline_patches_are_followed_into_git() {
    let w = world();
    w.repo.write(
        "src/lib.rs",
        "pub fn version() -> &'static str {\n    \"1.0\"\n}\n",
    );
    w.repo.commit("Lib", at("2026-05-01T09:30:00Z"));
    w.repo.branch("feature");
    let heredoc = "mkdir -p pkg && cat > pkg/gen.go <<'EOF'\npackage pkg\n\nfunc Gen() int {\n\treturn 42\n}\nEOF";
    let patch = "git apply <<'PATCH'\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,3 +1,3 @@\n pub fn version() -> &'static str {\n-    \"1.0\"\n+    env!(\"CARGO_PKG_VERSION\")\n }\nPATCH";
    w.log("shell")
        .bash("2026-05-01T10:00:00Z", heredoc, true)
        .bash("2026-05-01T10:01:00Z", patch, true)
        .save(w.home.path());
    w.repo.write(
        "pkg/gen.go",
        "package pkg\n\nfunc Gen() int {\n\treturn 42\n}\n",
    );
    w.repo.write(
        "src/lib.rs",
        "pub fn version() -> &'static str {\n    env!(\"CARGO_PKG_VERSION\")\n}\n",
    );
    w.repo.commit("Gen and version", at("2026-05-01T10:10:00Z"));
    w.repo.checkout("main");
    w.repo.fast_forward("feature");
    // package pkg, func Gen() int {, return 42, env!(…): 4 lines.
    assert_eq!(counts(&w.outcome("shell")), (4, 4, 4, 4));
}

/// The session edits through `sed -i` (content unknown) and runs `git commit` itself: its commit is an
/// anchor, the file's lines in it are credited `via_anchor` (never as content matches), and the PR it
/// linked is shown.
#[test]
fn a_session_that_committed_itself_is_credited_through_its_commit() {
    let w = world();
    w.repo.write(
        "src/names.rs",
        "pub const A: &str = \"old_name\";\npub const B: &str = \"old_name\";\n",
    );
    w.repo.commit("Names", at("2026-05-01T09:30:00Z"));
    w.repo.branch("rename");
    w.repo.write(
        "src/names.rs",
        "pub const A: &str = \"new_name\";\npub const B: &str = \"new_name\";\n",
    );
    let own = w.repo.commit("Rename", at("2026-05-01T10:02:00Z"));
    let short = own.to_string()[..7].to_owned();
    w.log("sed")
        .on_branch("rename")
        .bash(
            "2026-05-01T10:00:00Z",
            "sed -i 's/old_name/new_name/g' src/names.rs",
            true,
        )
        .bash_out(
            "2026-05-01T10:02:00Z",
            "git commit -am 'Rename'",
            &format!("[rename {short}] Rename\n 1 file changed, 2 insertions(+), 2 deletions(-)\n"),
        )
        .pr_link(
            "2026-05-01T10:03:00Z",
            42,
            "https://github.com/acme/app/pull/42",
        )
        .save(w.home.path());
    w.repo.checkout("main");
    w.repo.merge_no_ff("rename", at("2026-05-01T11:00:00Z"));
    let o = w.outcome("sed");
    assert_eq!(counts(&o), (0, 0, 0, 0));
    assert_eq!(o["lines_via_anchor"], 2);
    assert_eq!(o["lines_via_anchor_merged"], 2);
    assert_eq!(o["own_commits"], serde_json::json!([own.to_string()]));

    let v = w.sessions();
    let s = &v["sessions"][0];
    assert_eq!(s["pull_requests"][0]["number"], 42);
    assert_eq!(s["verdict"], "leverage", "{s}");
    let table = stdout(
        cmd(&w.repo.dir)
            .env("HOME", w.home.path())
            .args(["session", "sed"]),
    );
    assert!(
        table.contains("https://github.com/acme/app/pull/42"),
        "{table}"
    );
    assert!(table.contains("credited via its own commit"), "{table}");
}

/// A partial clone (or a damaged object) leaves a file version unreadable: the commit holding it is not
/// credited, and the notes say why — the file is never read as empty.
#[test]
fn an_unreadable_blob_is_reported_and_its_commit_not_credited() {
    let w = world();
    let content = "pub fn answer() -> u32 {\n    42\n}\n";
    w.log("lost")
        .on_branch("main")
        .write("2026-05-01T10:00:00Z", "src/answer.rs", content)
        .save(w.home.path());
    w.repo.write("src/answer.rs", content);
    w.repo.commit("Answer", at("2026-05-01T10:05:00Z"));
    let blob = git2::Oid::hash_object(git2::ObjectType::Blob, content.as_bytes()).expect("hash");
    let hex = blob.to_string();
    let loose = w
        .repo
        .dir
        .join(".git/objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    std::fs::remove_file(&loose).expect("remove the blob");
    let v = w.sessions();
    let o = &v["sessions"][0]["outcome"];
    assert_eq!(counts(o), (1, 0, 0, 0), "{o}");
    let notes = v["git_notes"].to_string();
    assert!(notes.contains("could not be read"), "{notes}");
}

/// Binary files are not diffed (as git does): a session that wrote text into a file a commit stores as
/// binary gets no credit from it, and nothing breaks.
#[test]
fn binary_blobs_are_skipped() {
    let w = world();
    let text = "first line of data\nsecond line of data\n";
    w.log("bin")
        .on_branch("main")
        .write("2026-05-01T10:00:00Z", "data.bin", text)
        .save(w.home.path());
    let mut bytes = text.as_bytes().to_vec();
    bytes.extend_from_slice(&[0, 159, 146, 150, 0]);
    std::fs::write(w.repo.dir.join("data.bin"), &bytes).expect("write");
    w.repo.commit("Data", at("2026-05-01T10:05:00Z"));
    assert_eq!(
        counts(&w.sessions()["sessions"][0]["outcome"]),
        (2, 0, 0, 0)
    );
}

/// A session's edit made only of boilerplate has no distinctive line to anchor it — unless the commit is
/// the session's own: here the squash commit of the pull request it linked (`Title (#7)`).
#[test]
fn the_squash_of_a_linked_pull_request_is_the_sessions_own_commit() {
    let run = |link: bool| -> (u64, u64, u64, u64) {
        let w = world();
        let common = "\tif err != nil {\n\t\treturn err\n\t}\n";
        w.repo.write(
            "pkg/a.go",
            &format!("package pkg\n\nfunc A() error {{\n\terr := a()\n{common}\treturn nil\n}}\n"),
        );
        w.repo.write(
            "pkg/b.go",
            &format!("package pkg\n\nfunc B() error {{\n\terr := b()\n{common}\treturn nil\n}}\n"),
        );
        w.repo.write(
            "pkg/c.go",
            "package pkg\n\nfunc C() error {\n\terr := c()\n\treturn err\n}\n",
        );
        w.repo.commit("Package", at("2026-05-01T09:30:00Z"));
        w.repo.branch("check-c");
        let original = w.repo.read("pkg/c.go");
        let mut log = w.log("guard");
        log.on_branch("check-c").edit_v2(
            "2026-05-01T10:00:00Z",
            "pkg/c.go",
            &original,
            "\treturn err\n",
            &format!("{common}\treturn nil\n"),
        );
        if link {
            log.pr_link(
                "2026-05-01T10:02:00Z",
                7,
                "https://github.com/acme/app/pull/7",
            );
        }
        log.save(w.home.path());
        w.repo.write(
            "pkg/c.go",
            &original.replacen("\treturn err\n", &format!("{common}\treturn nil\n"), 1),
        );
        w.repo.commit("Check c's error", at("2026-05-01T10:05:00Z"));
        w.repo.checkout("main");
        w.repo.squash_merge(
            "check-c",
            "Check c's error (#7)",
            at("2026-05-01T11:00:00Z"),
        );
        counts(&w.outcome("guard"))
    };
    // `if err != nil {`, `return err`, `return nil`: all common in pkg/.
    assert_eq!(run(false), (3, 0, 0, 0));
    assert_eq!(run(true), (3, 3, 3, 3));
}
