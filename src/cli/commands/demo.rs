//! `demo`: an example repository and agent logs, and every report run on them.

use super::super::*;

pub fn run(keep: Option<&Path>, color: bool, now: Timestamp) -> Result<ExitCode> {
    // Without --keep: a fresh folder with a random name, created exclusively and private (0700), so
    // nobody can plant one in /tmp beforehand; removed when `_tmp` is dropped.
    let (root, _tmp) = demo_root(keep)?;
    if root.exists()
        && std::fs::read_dir(&root)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not empty: the demo needs a fresh folder",
            root.display()
        );
    }
    let d = crate::demo::build(&root, now).context("cannot build the demo")?;
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let run = |title: &str, args: &[&str]| -> Result<()> {
        println!("\n$ agent-audit {}    # {title}", args.join(" "));
        let out = std::process::Command::new(&exe)
            .args(args)
            .arg("--color")
            .arg(if color { "always" } else { "never" })
            .current_dir(&d.repo)
            .env("HOME", &d.home)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("CODEX_HOME")
            .output()
            .with_context(|| format!("cannot run {}", exe.display()))?;
        std::io::stdout().write_all(&out.stdout)?;
        std::io::stdout().write_all(&out.stderr)?;
        Ok(())
    };
    println!(
        "agent-audit demo: an example repository with three agent sessions, in {}\n\
         (1) Claude Code wrote a parser, merged with a merge commit; (2) Codex added a cache, squash-merged \
         after a human tweak; (3) Claude Code on Opus read broadly, retried failing edits, and its branch \
         was abandoned.",
        d.root.display()
    );
    run(
        "what the tokens cost, per session",
        &["usage", "--by", "session"],
    )?;
    run(
        "this repository's sessions and what became of their lines",
        &["sessions"],
    )?;
    run(
        "one session, step by step",
        &["session", &d.sessions[2][..8]],
    )?;
    run(
        "the squash-merged Codex session",
        &["session", &d.sessions[1][..8]],
    )?;
    let html = d.root.join("review.html");
    let html_s = html.to_string_lossy().into_owned();
    run("the weekly self-review", &["review", "--since", "30d"])?;
    run(
        "the same as a page with charts",
        &[
            "review", "--since", "30d", "--format", "html", "--out", &html_s,
        ],
    )?;
    crate::demo::checkout(&d.repo, "experiment/rewrite")?;
    run(
        "a pre-merge check of the abandoned branch, as a PR comment",
        &["check", "--format", "md", "--fail-on", "theater"],
    )?;
    crate::demo::checkout(&d.repo, "main")?;
    println!(
        "\nThe check above exits 1 because of --fail-on theater. Now run `agent-audit sessions` inside \
         your own repository."
    );
    if keep.is_some() {
        println!(
            "Kept: {} (HOME={} to rerun the reports there)",
            d.root.display(),
            d.home.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's folder: `--keep DIR`, else a new private temporary folder (and its guard).
pub(in crate::cli) fn demo_root(
    keep: Option<&Path>,
) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    match keep {
        Some(dir) => Ok((dir.to_path_buf(), None)),
        None => {
            let mut builder = tempfile::Builder::new();
            builder.prefix("agent-audit-demo-");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(std::fs::Permissions::from_mode(0o700));
            }
            let tmp = builder
                .tempdir()
                .context("cannot create a temporary folder for the demo")?;
            Ok((tmp.path().to_path_buf(), Some(tmp)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_demo_folder_is_fresh_private_and_unpredictable() {
        use std::os::unix::fs::PermissionsExt;
        let (a, guard_a) = demo_root(None).expect("tmp");
        let (b, guard_b) = demo_root(None).expect("tmp");
        assert_ne!(a, b, "two demos in one process get two folders");
        for dir in [&a, &b] {
            let mode = std::fs::metadata(dir).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
            assert!(dir.starts_with(std::env::temp_dir()));
        }
        assert_ne!(
            a.file_name(),
            Some(std::ffi::OsStr::new(&format!(
                "agent-audit-demo-{}",
                std::process::id()
            )))
        );
        drop((guard_a, guard_b));
        assert!(!a.exists() && !b.exists(), "removed afterwards");
        let kept = Path::new("/some/where");
        let (k, guard) = demo_root(Some(kept)).expect("keep");
        assert_eq!(k, kept);
        assert!(guard.is_none());
    }
}
