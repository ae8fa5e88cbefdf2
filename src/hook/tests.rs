use super::*;

fn repo_with_commit(dir: &Path) -> Repository {
    let repo = Repository::init(dir).expect("init");
    std::fs::write(dir.join("README.md"), "# app\n").expect("write");
    {
        let mut idx = repo.index().expect("index");
        idx.add_path(Path::new("README.md")).expect("add");
        idx.write().expect("write index");
        let tree = repo
            .find_tree(idx.write_tree().expect("tree"))
            .expect("tree");
        let sig =
            git2::Signature::new("Dev", "dev@example.com", &git2::Time::new(0, 0)).expect("sig");
        repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
            .expect("commit");
    }
    repo
}

fn opts(kind: HookKind, rules: &[&str]) -> HookOptions {
    HookOptions {
        kind,
        fail_on: rules.iter().map(|r| r.to_string()).collect(),
    }
}

const KINDS: [HookKind; 3] = [HookKind::PrePush, HookKind::PreCommit, HookKind::PostCommit];

#[test]
fn every_script_starts_with_the_header_and_is_recognised() {
    for kind in KINDS {
        for rules in [&[][..], &["theater"][..]] {
            let s = script(&opts(kind, rules), Path::new("/bin/agent-audit"));
            let mut lines = s.lines();
            assert_eq!(lines.next(), Some("#!/bin/sh"));
            assert_eq!(lines.next(), Some(HEADER));
            assert!(is_managed(s.as_bytes()));
            assert!(s.contains(&format!("{}{CHAINED_SUFFIX}", kind.name())));
        }
    }
}

#[test]
fn user_hooks_are_not_taken_for_ours() {
    assert!(!is_managed(b"#!/bin/sh\nagent-audit check\n"));
    assert!(!is_managed(b""));
    // The marker must start a line near the top, not sit anywhere in the file.
    assert!(!is_managed(b"#!/bin/sh\necho '# agent-audit hook v1'\n"));
    assert!(!is_managed(b"1\n2\n3\n4\n5\n# agent-audit hook v1\n"));
    let future = HEADER.replace("hook v1 ", "hook v12 ");
    assert!(is_managed(format!("#!/bin/sh\n{future}\n").as_bytes()));
    assert_eq!(HEADER, format!("{MARKER}1{HEADER_TAIL}"));
    // Only the exact line agent-audit writes, second after the shebang.
    assert!(!is_managed(
        b"#!/bin/sh\n# agent-audit hook v1 was here; this is my own\n"
    ));
    assert!(!is_managed(format!("#!/bin/sh\n#\n{HEADER}\n").as_bytes()));
    assert!(!is_managed(format!("#!/bin/bash\n{HEADER}\n").as_bytes()));
    assert!(!is_managed(
        format!("#!/bin/sh\n{HEADER} and more\n").as_bytes()
    ));
}

#[cfg(unix)]
#[test]
fn every_script_is_valid_posix_sh() {
    let dir = tempfile::tempdir().expect("tmp");
    for kind in KINDS {
        for rules in [&[][..], &["theater", "cost>5"][..]] {
            let path = dir.path().join(kind.name());
            std::fs::write(
                &path,
                script(&opts(kind, rules), Path::new("/x/agent-audit")),
            )
            .expect("write");
            let out = std::process::Command::new("sh")
                .arg("-n")
                .arg(&path)
                .output()
                .expect("sh");
            assert!(
                out.status.success(),
                "{kind} {rules:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn rules_are_quoted_without_whitespace_and_once() {
    let s = script(
        &opts(HookKind::PrePush, &["cost > 5", "theater", " theater"]),
        Path::new("/bin/agent-audit"),
    );
    assert!(
        s.contains(
            "\"$agent_audit\" check --format table --fail-on 'cost>5' --fail-on 'theater' <"
        ),
        "{s}"
    );
    let plain = script(&opts(HookKind::PrePush, &[]), Path::new("/bin/agent-audit"));
    assert!(
        plain.contains("\"$agent_audit\" check --format table <"),
        "{plain}"
    );
    assert!(!plain.contains("exit 1\n"), "{plain}");
}

#[test]
fn the_binary_path_is_one_sh_word() {
    let s = script(
        &opts(HookKind::PrePush, &[]),
        Path::new("/opt/it's $HOME/agent-audit"),
    );
    assert!(
        s.contains("fallback='/opt/it'\\''s $HOME/agent-audit'\n"),
        "{s}"
    );
}

#[test]
fn only_pre_push_copies_stdin() {
    let push = script(&opts(HookKind::PrePush, &[]), Path::new("/a"));
    assert!(push.contains("cat >\"$input\""));
    for kind in [HookKind::PreCommit, HookKind::PostCommit] {
        let s = script(&opts(kind, &[]), Path::new("/a"));
        assert!(!s.contains("cat >"), "{kind} reads no stdin: {s}");
    }
}

#[test]
fn hooks_path_resolution() {
    let run = Path::new("/work/app");
    let common = Path::new("/work/app/.git");
    assert_eq!(
        resolve_hooks_dir(None, run, common),
        Path::new("/work/app/.git/hooks")
    );
    assert_eq!(
        resolve_hooks_dir(Some(Path::new("")), run, common),
        Path::new("/work/app/.git/hooks")
    );
    assert_eq!(
        resolve_hooks_dir(Some(Path::new(".githooks")), run, common),
        Path::new("/work/app/.githooks")
    );
    assert_eq!(
        resolve_hooks_dir(Some(Path::new("/etc/hooks")), run, common),
        Path::new("/etc/hooks")
    );
}

#[test]
fn an_unknown_rule_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tmp");
    repo_with_commit(dir.path());
    let err = install(
        dir.path(),
        &opts(HookKind::PrePush, &["theatre"]),
        Path::new("/a"),
    )
    .expect_err("unknown rule");
    assert!(err.to_string().contains("theatre"), "{err}");
    assert!(!dir.path().join(".git/hooks/pre-push").exists());
}

#[test]
fn a_linked_worktree_installs_into_the_common_hooks() {
    let dir = tempfile::tempdir().expect("tmp");
    let main = dir.path().join("main");
    std::fs::create_dir_all(&main).expect("mkdir");
    let repo = repo_with_commit(&main);
    let wt_path = dir.path().join("wt");
    repo.worktree("wt", &wt_path, None).expect("worktree");
    let r = install(&wt_path, &opts(HookKind::PrePush, &[]), Path::new("/a")).expect("install");
    let expected = std::fs::canonicalize(main.join(".git/hooks")).expect("hooks dir");
    assert_eq!(
        std::fs::canonicalize(r.path.parent().expect("dir")).expect("canon"),
        expected
    );
    assert!(
        !wt_path.join(".git").is_dir(),
        "a worktree's .git is a file"
    );
    // Uninstalling from the main work tree finds the same file.
    let u = uninstall(&main, HookKind::PrePush).expect("uninstall");
    assert!(u.removed);
}

#[test]
fn relative_hooks_path_in_a_worktree_is_taken_from_that_worktree() {
    let dir = tempfile::tempdir().expect("tmp");
    let main = dir.path().join("main");
    std::fs::create_dir_all(&main).expect("mkdir");
    let repo = repo_with_commit(&main);
    repo.config()
        .expect("config")
        .set_str("core.hooksPath", "githooks")
        .expect("set");
    let wt_path = dir.path().join("wt");
    repo.worktree("wt", &wt_path, None).expect("worktree");
    let r = install(&wt_path, &opts(HookKind::PreCommit, &[]), Path::new("/a")).expect("install");
    assert!(wt_path.join("githooks/pre-commit").is_file(), "{r:?}");
}

#[test]
fn a_bare_repository_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    Repository::init_bare(dir.path()).expect("bare");
    let err =
        install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a")).expect_err("bare");
    assert!(err.to_string().contains("bare"), "{err}");
}

#[test]
fn a_taken_chained_name_is_refused_and_nothing_moves() {
    let dir = tempfile::tempdir().expect("tmp");
    repo_with_commit(dir.path());
    let hooks = dir.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    std::fs::write(hooks.join("pre-push"), "#!/bin/sh\necho mine\n").expect("write");
    std::fs::write(
        hooks.join("pre-push.agent-audit-chained"),
        "#!/bin/sh\necho old\n",
    )
    .expect("write");
    let err =
        install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a")).expect_err("taken");
    assert!(err.to_string().contains("already taken"), "{err}");
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).expect("read"),
        "#!/bin/sh\necho mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push.agent-audit-chained")).expect("read"),
        "#!/bin/sh\necho old\n"
    );
    let left: Vec<_> = std::fs::read_dir(&hooks)
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| !n.to_string_lossy().ends_with(".sample"))
        .collect();
    assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_hook_is_chained_as_a_link() {
    let dir = tempfile::tempdir().expect("tmp");
    repo_with_commit(dir.path());
    let hooks = dir.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    // Dangling on purpose: `exists()` would say false, the link is still the user's.
    std::os::unix::fs::symlink("team/pre-push", hooks.join("pre-push")).expect("link");
    let r = install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a")).expect("install");
    assert!(r.moved_aside);
    let chained = hooks.join("pre-push.agent-audit-chained");
    assert_eq!(
        std::fs::read_link(&chained).expect("still a link"),
        Path::new("team/pre-push")
    );
    let u = uninstall(dir.path(), HookKind::PrePush).expect("uninstall");
    assert!(u.removed && u.restored_from.is_some());
    assert_eq!(
        std::fs::read_link(hooks.join("pre-push")).expect("link back"),
        Path::new("team/pre-push")
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_hook_pointing_out_of_the_folder_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    repo_with_commit(dir.path());
    let hooks = dir.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    for target in [
        "../../shared/pre-push",
        "/etc/passwd",
        "../hooks-elsewhere/x",
    ] {
        let link = hooks.join("pre-push");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).expect("link");
        let err =
            install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a")).expect_err(target);
        assert!(
            err.to_string().contains("outside the hooks folder"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_link(&link).expect("link kept"),
            Path::new(target)
        );
        assert!(!hooks.join("pre-push.agent-audit-chained").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_hook_with_the_wrong_mode_is_rewritten() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    repo_with_commit(dir.path());
    let o = opts(HookKind::PrePush, &[]);
    let r = install(dir.path(), &o, Path::new("/a")).expect("install");
    std::fs::set_permissions(&r.path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let again = install(dir.path(), &o, Path::new("/a")).expect("install");
    assert_eq!(again.status, InstallStatus::Updated);
    let mode = std::fs::metadata(&r.path)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
}

#[test]
fn a_directory_in_the_hooks_place_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    repo_with_commit(dir.path());
    std::fs::create_dir_all(dir.path().join(".git/hooks/pre-push")).expect("mkdir");
    let err = install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a")).expect_err("dir");
    assert!(err.to_string().contains("is a directory"), "{err}");
}

#[test]
fn uninstall_puts_back_a_chained_hook_left_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    repo_with_commit(dir.path());
    let hooks = dir.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    std::fs::write(hooks.join("post-commit.agent-audit-chained"), "#!/bin/sh\n").expect("write");
    let u = uninstall(dir.path(), HookKind::PostCommit).expect("uninstall");
    assert!(!u.removed);
    assert_eq!(
        u.restored_from.as_deref(),
        Some(hooks.join("post-commit.agent-audit-chained").as_path())
    );
    assert!(hooks.join("post-commit").is_file());
    assert!(u.to_string().contains("put the earlier hook back"), "{u}");
}

#[test]
fn reports_read_as_sentences() {
    let r = InstallReport {
        path: PathBuf::from("/r/.git/hooks/pre-push"),
        kind: HookKind::PrePush,
        status: InstallStatus::Created,
        chained: Some(PathBuf::from("/r/.git/hooks/pre-push.agent-audit-chained")),
        moved_aside: true,
    };
    assert_eq!(
        r.to_string(),
        "installed the pre-push hook: /r/.git/hooks/pre-push\nthe existing hook was moved to \
         /r/.git/hooks/pre-push.agent-audit-chained and runs first; `agent-audit hook uninstall` \
         puts it back"
    );
    let commit = InstallReport {
        kind: HookKind::PreCommit,
        status: InstallStatus::UpToDate,
        moved_aside: false,
        ..r.clone()
    };
    assert!(
        commit.to_string().contains(
            "kept at /r/.git/hooks/pre-push.agent-audit-chained and runs first; \
                       `agent-audit hook uninstall --hook pre-commit` puts it back"
        ),
        "{commit}"
    );
    let u = UninstallReport {
        path: PathBuf::from("/r/.git/hooks/pre-push"),
        kind: HookKind::PrePush,
        removed: false,
        restored_from: None,
    };
    assert_eq!(
        u.to_string(),
        "no agent-audit pre-push hook is installed (looked at /r/.git/hooks/pre-push): nothing to do"
    );
}

#[test]
fn value_names_are_git_hook_names() {
    use clap::ValueEnum;
    for kind in KINDS {
        let v = kind.to_possible_value().expect("value");
        assert_eq!(v.get_name(), kind.name());
    }
    assert_eq!(HookKind::default(), HookKind::PrePush);
}
