//! `agent-audit hook install|uninstall`: the library functions on real temp repositories, and the
//! installed script run with `sh` (and by `git push` itself) against fake `agent-audit` binaries that
//! exit 0, 1 or 2, and against the real one. Unix only: the hook is a POSIX sh script run by `sh`.

#![cfg(unix)]

use std::path::{Path, PathBuf};

use agent_audit::hook::{
    self, CHAINED_SUFFIX, HEADER, HookKind, HookOptions, InstallStatus, install, uninstall,
};

use crate::common::repo::{TestRepo, at};
use crate::common::*;

const T0: &str = "2026-05-01T09:00:00Z";

/// The refs git writes on a pre-push hook's stdin.
const PUSH_LINES: &str = "refs/heads/feature 1111111111111111111111111111111111111111 \
                          refs/heads/feature 0000000000000000000000000000000000000000\n";

struct World {
    tmp: tempfile::TempDir,
    repo: TestRepo,
}

fn world() -> World {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = TestRepo::init(&tmp.path().join("app"), at(T0));
    World { tmp, repo }
}

fn opts(kind: HookKind, rules: &[&str]) -> HookOptions {
    HookOptions {
        kind,
        fail_on: rules.iter().map(|r| r.to_string()).collect(),
    }
}

fn pre_push(rules: &[&str]) -> HookOptions {
    opts(HookKind::PrePush, rules)
}

fn write_exe(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
    chmod(path, 0o755);
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o7777
}

impl World {
    fn hooks(&self) -> PathBuf {
        self.repo.dir.join(".git/hooks")
    }

    /// A binary that is not there: the script's fallback when PATH has no agent-audit.
    fn no_exe(&self) -> PathBuf {
        self.tmp.path().join("not-installed/agent-audit")
    }

    /// A fake `agent-audit` in `<tmp>/bin` that prints a line, records its arguments and stdin under
    /// `<tmp>/check-args` and `<tmp>/check-stdin`, and exits `code`.
    fn fake_agent_audit(&self, code: i32) -> PathBuf {
        let t = self.tmp.path().display();
        let path = self.tmp.path().join("bin/agent-audit");
        write_exe(
            &path,
            &format!(
                "#!/bin/sh\necho 'fake check summary'\nprintf '%s\\n' \"$@\" > '{t}/check-args'\n\
                 cat > '{t}/check-stdin'\nexit {code}\n"
            ),
        );
        path
    }

    fn check_args(&self) -> Option<String> {
        std::fs::read_to_string(self.tmp.path().join("check-args")).ok()
    }

    /// Runs an installed hook as git would (cwd at the work tree root), with `sh`, a clean
    /// environment and `<tmp>/bin` first on PATH.
    fn run_hook(&self, name: &str, args: &[&str], stdin: &str) -> std::process::Output {
        assert_cmd::Command::new("sh")
            .arg(self.hooks().join(name))
            .args(args)
            .env_clear()
            .env("HOME", self.tmp.path())
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.tmp.path().join("bin").display()),
            )
            .current_dir(&self.repo.dir)
            .write_stdin(stdin)
            .output()
            .expect("run hook")
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn install_into_a_fresh_repo_writes_an_executable_managed_script() {
    let w = world();
    let exe = w.no_exe();
    let r = install(&w.repo.dir, &pre_push(&[]), &exe).expect("install");
    assert_eq!(r.path, w.hooks().join("pre-push"));
    assert_eq!(r.status, InstallStatus::Created);
    assert_eq!(r.chained, None);
    assert!(!r.moved_aside);
    let text = std::fs::read_to_string(&r.path).expect("read");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("#!/bin/sh"));
    assert_eq!(lines.next(), Some(HEADER));
    assert!(HEADER.starts_with("# agent-audit hook v1 (managed: do not edit"));
    assert!(text.contains("check --format table <"), "{text}");
    assert!(
        text.contains(&format!("fallback='{}'", exe.display())),
        "{text}"
    );
    assert_eq!(mode(&r.path), 0o755);
    assert_eq!(
        hook::hooks_dir(&w.repo.dir).expect("dir"),
        w.repo.dir.join(".git/hooks")
    );
}

#[test]
fn installing_twice_leaves_one_identical_hook() {
    let w = world();
    let o = pre_push(&["theater"]);
    let first = install(&w.repo.dir, &o, &w.no_exe()).expect("install");
    let bytes = std::fs::read(&first.path).expect("read");
    let second = install(&w.repo.dir, &o, &w.no_exe()).expect("install again");
    assert_eq!(second.status, InstallStatus::UpToDate);
    assert_eq!(second.chained, None, "our own hook is never chained");
    assert_eq!(std::fs::read(&second.path).expect("read"), bytes);
    let mut ours: Vec<String> = std::fs::read_dir(w.hooks())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pre-push") && !n.ends_with(".sample"))
        .collect();
    ours.sort();
    assert_eq!(ours, ["pre-push"]);
}

#[test]
fn reinstalling_with_other_rules_updates_them() {
    let w = world();
    install(&w.repo.dir, &pre_push(&["theater"]), &w.no_exe()).expect("install");
    let r = install(&w.repo.dir, &pre_push(&["lead", "cost>5"]), &w.no_exe()).expect("again");
    assert_eq!(r.status, InstallStatus::Updated);
    assert_eq!(r.chained, None);
    let text = std::fs::read_to_string(&r.path).expect("read");
    assert!(
        text.contains("check --format table --fail-on 'lead' --fail-on 'cost>5' <"),
        "{text}"
    );
    assert!(!text.contains("'theater'"), "{text}");
    let r = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("no rules");
    assert_eq!(r.status, InstallStatus::Updated);
    assert!(
        !std::fs::read_to_string(&r.path)
            .expect("read")
            .contains("--fail-on '")
    );
}

#[test]
fn an_unknown_rule_is_refused() {
    let w = world();
    let err = install(&w.repo.dir, &pre_push(&["theatre"]), &w.no_exe()).expect_err("typo");
    assert!(
        err.to_string().contains("unknown --fail-on rule `theatre`"),
        "{err}"
    );
    assert!(!w.hooks().join("pre-push").exists());
}

#[test]
fn an_existing_hook_is_chained_runs_first_with_the_same_args_and_stdin() {
    let w = world();
    let t = w.tmp.path().display();
    let user = format!(
        "#!/bin/sh\n# the user's own hook\nprintf '%s\\n' \"$@\" > '{t}/user-args'\ncat > '{t}/user-stdin'\n"
    );
    write_exe(&w.hooks().join("pre-push"), &user);
    let r = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    let chained = w.hooks().join(format!("pre-push{CHAINED_SUFFIX}"));
    assert_eq!(r.chained.as_deref(), Some(chained.as_path()));
    assert!(r.moved_aside);
    assert_eq!(std::fs::read_to_string(&chained).expect("kept"), user);
    assert_eq!(mode(&chained), 0o755);

    w.fake_agent_audit(0);
    let out = w.run_hook(
        "pre-push",
        &["origin", "git@example.com:app.git"],
        PUSH_LINES,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let read = |f: &str| std::fs::read_to_string(w.tmp.path().join(f)).expect(f);
    assert_eq!(read("user-args"), "origin\ngit@example.com:app.git\n");
    assert_eq!(read("user-stdin"), PUSH_LINES);
    assert_eq!(read("check-stdin"), PUSH_LINES, "check gets the refs too");
    assert_eq!(read("check-args"), "check\n--format\ntable\n");
    // Nothing on stdout: git's protocol is left alone; check's output goes to stderr.
    assert!(out.stdout.is_empty(), "{:?}", out.stdout);
    assert!(
        stderr(&out).contains("fake check summary"),
        "{}",
        stderr(&out)
    );

    // Installing again keeps the one chained hook and does not chain our own script.
    let again = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("again");
    assert_eq!(again.status, InstallStatus::UpToDate);
    assert_eq!(again.chained.as_deref(), Some(chained.as_path()));
    assert!(!again.moved_aside);
    assert_eq!(std::fs::read_to_string(&chained).expect("kept"), user);
}

#[test]
fn a_failing_chained_hook_still_stops_git_and_check_does_not_run() {
    let w = world();
    write_exe(
        &w.hooks().join("pre-push"),
        "#!/bin/sh\ncat >/dev/null\nexit 3\n",
    );
    install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    w.fake_agent_audit(0);
    let out = w.run_hook("pre-push", &["origin", "url"], PUSH_LINES);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(w.check_args(), None, "check did not run");
}

#[test]
fn uninstall_restores_the_original_hook_byte_for_byte() {
    let w = world();
    let original = b"#!/bin/bash\r\n# CRLF, no trailing newline, \xff non-UTF-8\r\nexit 0";
    let path = w.hooks().join("pre-commit");
    std::fs::create_dir_all(w.hooks()).expect("mkdir");
    std::fs::write(&path, original).expect("write");
    chmod(&path, 0o750);
    install(
        &w.repo.dir,
        &opts(HookKind::PreCommit, &["theater"]),
        &w.no_exe(),
    )
    .expect("install");
    assert_ne!(std::fs::read(&path).expect("read"), original);
    let u = uninstall(&w.repo.dir, HookKind::PreCommit).expect("uninstall");
    assert!(u.removed);
    assert_eq!(
        u.restored_from,
        Some(w.hooks().join(format!("pre-commit{CHAINED_SUFFIX}")))
    );
    assert_eq!(std::fs::read(&path).expect("read"), original);
    assert_eq!(mode(&path), 0o750);
    assert!(
        !w.hooks()
            .join(format!("pre-commit{CHAINED_SUFFIX}"))
            .exists()
    );
}

#[test]
fn uninstall_removes_our_hook() {
    let w = world();
    let r = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    let u = uninstall(&w.repo.dir, HookKind::PrePush).expect("uninstall");
    assert!(u.removed);
    assert_eq!(u.restored_from, None);
    assert!(!r.path.exists());
    assert!(
        u.to_string().starts_with("removed the pre-push hook"),
        "{u}"
    );
}

#[test]
fn relative_core_hooks_path_is_taken_from_the_work_tree_root() {
    let w = world();
    w.repo
        .repo
        .config()
        .expect("config")
        .set_str("core.hooksPath", ".githooks")
        .expect("set");
    // From a subdirectory: the path is still the work tree root's.
    w.repo.write("src/lib.rs", "\n");
    let sub = w.repo.dir.join("src");
    let r = install(&sub, &pre_push(&[]), &w.no_exe()).expect("install");
    assert_eq!(r.path, w.repo.dir.join(".githooks/pre-push"));
    assert!(r.path.is_file());
    assert!(!w.hooks().join("pre-push").exists());
    let u = uninstall(&sub, HookKind::PrePush).expect("uninstall");
    assert!(u.removed);
    assert!(!r.path.exists());
}

#[test]
fn absolute_core_hooks_path_is_used_as_is() {
    let w = world();
    let shared = w.tmp.path().join("shared-hooks");
    w.repo
        .repo
        .config()
        .expect("config")
        .set_str("core.hooksPath", shared.to_str().expect("utf8"))
        .expect("set");
    let r = install(&w.repo.dir, &opts(HookKind::PostCommit, &[]), &w.no_exe()).expect("install");
    assert_eq!(r.path, shared.join("post-commit"));
    assert!(r.path.is_file());
}

#[test]
fn uninstall_refuses_a_hook_it_did_not_write() {
    let w = world();
    let path = w.hooks().join("pre-push");
    let theirs = "#!/bin/sh\n# runs agent-audit check too, but by hand\nagent-audit check\n";
    write_exe(&path, theirs);
    let err = uninstall(&w.repo.dir, HookKind::PrePush).expect_err("foreign");
    assert!(
        matches!(err, agent_audit::Error::ForeignHook { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("was not installed by agent-audit"), "{msg}");
    assert!(msg.contains("left untouched"), "{msg}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), theirs);
}

#[test]
fn uninstall_with_nothing_installed_says_so() {
    let w = world();
    let u = uninstall(&w.repo.dir, HookKind::PrePush).expect("nothing to do is fine");
    assert!(!u.removed);
    assert_eq!(u.restored_from, None);
    assert!(u.to_string().contains("nothing to do"), "{u}");
}

#[test]
fn outside_a_repository_is_an_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let err = install(tmp.path(), &pre_push(&[]), Path::new("/a")).expect_err("no repo");
    assert!(
        err.to_string().contains("not inside a git repository"),
        "{err}"
    );
}

#[test]
fn without_fail_on_the_hook_exits_0_even_when_check_fails() {
    let w = world();
    install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    for code in [2, 1] {
        w.fake_agent_audit(code);
        let out = w.run_hook("pre-push", &["origin", "url"], PUSH_LINES);
        assert_eq!(
            out.status.code(),
            Some(0),
            "check exit {code}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(&format!("failed (exit {code}); the push goes on")),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn with_fail_on_a_broken_rule_stops_the_push() {
    let w = world();
    install(&w.repo.dir, &pre_push(&["theater"]), &w.no_exe()).expect("install");
    w.fake_agent_audit(1);
    let out = w.run_hook("pre-push", &["origin", "url"], PUSH_LINES);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        w.check_args().as_deref(),
        Some("check\n--format\ntable\n--fail-on\ntheater\n")
    );
    assert!(
        stderr(&out).contains("a --fail-on rule is broken"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn with_fail_on_an_erroring_check_does_not_block() {
    let w = world();
    install(&w.repo.dir, &pre_push(&["theater"]), &w.no_exe()).expect("install");
    w.fake_agent_audit(2);
    let out = w.run_hook("pre-push", &["origin", "url"], PUSH_LINES);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("failed (exit 2)"), "{}", stderr(&out));
}

#[test]
fn a_missing_agent_audit_never_blocks() {
    let w = world();
    for kind in [HookKind::PrePush, HookKind::PreCommit] {
        install(&w.repo.dir, &opts(kind, &["theater"]), &w.no_exe()).expect("install");
        let out = w.run_hook(kind.name(), &[], PUSH_LINES);
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("agent-audit is not installed (not on PATH, not at"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn without_agent_audit_on_path_the_installing_binary_is_used() {
    let w = world();
    // The fake lives outside PATH's `<tmp>/bin`: only the path written at install time finds it.
    let fake = w.fake_agent_audit(1);
    let elsewhere = w.tmp.path().join("opt/agent-audit");
    std::fs::create_dir_all(elsewhere.parent().expect("parent")).expect("mkdir");
    std::fs::rename(&fake, &elsewhere).expect("move");
    install(
        &w.repo.dir,
        &opts(HookKind::PreCommit, &["lead"]),
        &elsewhere,
    )
    .expect("install");
    let out = w.run_hook("pre-commit", &[], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the commit is stopped"),
        "{}",
        stderr(&out)
    );
}

/// The script's arguments are ones the real `check` accepts: with the built binary as the fallback,
/// a branch without sessions passes, with no warning.
#[test]
fn the_real_binary_accepts_the_hooks_check_command() {
    let w = world();
    w.repo.branch("feature");
    w.repo
        .write("src/lib.rs", "pub fn f() -> u32 {\n    1\n}\n");
    w.repo.commit("add f", at(T0) + 60);
    let exe = assert_cmd::cargo::cargo_bin("agent-audit");
    install(&w.repo.dir, &pre_push(&["theater"]), &exe).expect("install");
    let out = w.run_hook("pre-push", &["origin", "url"], PUSH_LINES);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("feature"), "check's summary on stderr: {err}");
    assert!(!err.contains("agent-audit hook:"), "no warning: {err}");
    assert!(out.stdout.is_empty());
    // The same command, run directly, exits 0 too.
    cmd(w.tmp.path())
        .current_dir(&w.repo.dir)
        .args(["check", "--format", "table", "--fail-on", "theater"])
        .assert()
        .success();
}

/// git itself runs the installed pre-push hook: a broken rule stops a real push, a passing check
/// lets it through.
#[test]
fn git_push_runs_the_hook() {
    let w = world();
    let remote = w.tmp.path().join("remote.git");
    git2::Repository::init_bare(&remote).expect("bare");
    w.repo
        .repo
        .remote("origin", remote.to_str().expect("utf8"))
        .expect("remote");
    install(&w.repo.dir, &pre_push(&["theater"]), &w.no_exe()).expect("install");
    let path = format!(
        "{}:{}",
        w.tmp.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let push = || {
        std::process::Command::new("git")
            .args(["push", "origin", "main"])
            .env("HOME", w.tmp.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PATH", &path)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .current_dir(&w.repo.dir)
            .output()
            .expect("git push")
    };
    let pushed = || {
        git2::Repository::open_bare(&remote)
            .expect("open")
            .find_reference("refs/heads/main")
            .is_ok()
    };

    w.fake_agent_audit(1);
    let out = push();
    assert!(!out.status.success(), "a broken rule stops the push");
    assert!(
        stderr(&out).contains("a --fail-on rule is broken"),
        "{}",
        stderr(&out)
    );
    assert!(!pushed());
    let stdin = std::fs::read_to_string(w.tmp.path().join("check-stdin")).expect("stdin");
    assert!(
        stdin.starts_with("refs/heads/main "),
        "git's ref lines: {stdin}"
    );

    w.fake_agent_audit(0);
    let out = push();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pushed());
}

/// A husky-style tracked hooks folder, `core.hooksPath = .githooks`, and a file of the user's outside
/// the repository that a hostile clone would like overwritten.
fn tracked_hooks_folder(w: &World) -> (PathBuf, PathBuf) {
    let hooks = w.repo.dir.join(".githooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    w.repo
        .repo
        .config()
        .expect("config")
        .set_str("core.hooksPath", ".githooks")
        .expect("set");
    let victim = w.tmp.path().join("victim-file");
    std::fs::write(&victim, "precious\n").expect("write");
    chmod(&victim, 0o600);
    (hooks, victim)
}

#[test]
fn a_link_planted_at_the_old_temporary_name_is_never_written_through() {
    let w = world();
    let (hooks, victim) = tracked_hooks_folder(&w);
    // Both the fresh install and the update path used to write `<hook>.agent-audit-new` and chmod it.
    std::os::unix::fs::symlink(&victim, hooks.join("pre-push.agent-audit-new")).expect("link");
    let r = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    assert_eq!(r.status, InstallStatus::Created);
    install(&w.repo.dir, &pre_push(&["theater"]), &w.no_exe()).expect("update");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "precious\n"
    );
    assert_eq!(mode(&victim), 0o600);
    assert!(hook::is_managed(
        &std::fs::read(hooks.join("pre-push")).expect("hook")
    ));
    assert!(
        std::fs::symlink_metadata(hooks.join("pre-push"))
            .expect("meta")
            .is_file()
    );
    // No temporary file is left behind: the folder holds the planted link and the hook.
    let mut names: Vec<String> = std::fs::read_dir(&hooks)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".sample"))
        .collect();
    names.sort();
    assert_eq!(names, ["pre-push", "pre-push.agent-audit-new"]);
}

#[test]
fn a_hook_that_is_a_link_out_of_the_hooks_folder_is_refused() {
    let w = world();
    let (hooks, victim) = tracked_hooks_folder(&w);
    std::os::unix::fs::symlink(&victim, hooks.join("pre-push")).expect("link");
    let err = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect_err("refused");
    assert!(
        err.to_string().contains("outside the hooks folder"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_link(hooks.join("pre-push")).expect("link kept"),
        victim
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "precious\n"
    );
    assert_eq!(mode(&victim), 0o600);
    assert!(!hooks.join(format!("pre-push{CHAINED_SUFFIX}")).exists());
    // The command line says the same, exit 2.
    let out = cmd(&w.repo.dir)
        .args(["hook", "install"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("outside the hooks folder"));
}

#[test]
fn a_fifo_in_the_hooks_place_does_not_block_install() {
    use std::os::unix::fs::FileTypeExt;
    let w = world();
    let hooks = w.hooks();
    std::fs::create_dir_all(&hooks).expect("mkdir");
    let fifo = hooks.join("pre-push");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // Not ours: moved aside unopened (opening a FIFO to read it would block).
    let r = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    assert!(r.moved_aside);
    assert!(
        std::fs::symlink_metadata(hooks.join(format!("pre-push{CHAINED_SUFFIX}")))
            .expect("meta")
            .file_type()
            .is_fifo()
    );
}

#[test]
fn a_users_hook_mentioning_the_marker_in_a_comment_is_kept_not_overwritten() {
    let w = world();
    let hooks = w.hooks();
    let mine = "#!/bin/sh\n# agent-audit hook v1 used to live here; this one is mine\nexit 0\n";
    write_exe(&hooks.join("pre-push"), mine);
    let r = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    assert_eq!(r.status, InstallStatus::Created);
    assert!(
        r.moved_aside,
        "the user's hook is chained, not taken for ours"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join(format!("pre-push{CHAINED_SUFFIX}"))).expect("read"),
        mine
    );
    uninstall(&w.repo.dir, HookKind::PrePush).expect("uninstall");
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).expect("read"),
        mine
    );
    // And uninstall alone never deletes it.
    let err = uninstall(&w.repo.dir, HookKind::PrePush).expect_err("foreign");
    assert!(
        err.to_string().contains("not installed by agent-audit"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).expect("read"),
        mine
    );
}

#[test]
fn a_tracked_hooks_folder_that_links_out_of_the_work_tree_is_refused() {
    let w = world();
    let outside = w.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("pre-push"), "mine\n").expect("write");
    w.repo
        .repo
        .config()
        .expect("config")
        .set_str("core.hooksPath", ".githooks")
        .expect("set");
    for (link, target) in [
        (".githooks", outside.clone()),
        (".githooks", w.tmp.path().join("not-there")),
    ] {
        let link = w.repo.dir.join(link);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).expect("link");
        let err = install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect_err("refused");
        assert!(
            err.to_string().contains("leads out of the work tree"),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(outside.join("pre-push")).expect("read"),
        "mine\n"
    );
    assert_eq!(std::fs::read_dir(&outside).expect("ls").count(), 1);
    assert!(!w.tmp.path().join("not-there").exists());
    // A link that stays in the work tree is fine.
    std::fs::create_dir_all(w.repo.dir.join("tools/hooks")).expect("mkdir");
    let link = w.repo.dir.join(".githooks");
    std::fs::remove_file(&link).expect("rm");
    std::os::unix::fs::symlink("tools/hooks", &link).expect("link");
    install(&w.repo.dir, &pre_push(&[]), &w.no_exe()).expect("install");
    assert!(w.repo.dir.join("tools/hooks/pre-push").is_file());
}
