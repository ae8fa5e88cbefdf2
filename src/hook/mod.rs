//! `agent-audit hook install|uninstall`: writes (and removes) a small POSIX sh git hook that runs
//! `agent-audit check` on each push or commit.
//!
//! The hook goes where git looks for it: `core.hooksPath` when set (a relative path is taken from the
//! work tree root, as git does), else `$GIT_DIR/hooks` — for a linked worktree, the common dir's
//! `hooks`, which every worktree shares. A hook that was already there is not overwritten: it is
//! renamed to `<hook>.agent-audit-chained`, run first by the new script with the same arguments and
//! input, and put back by [`uninstall`]. The script is recognised as ours by its [`HEADER`] line, so
//! installing twice rewrites one file and uninstall never removes a hook it did not write.
//!
//! The script never stands in the way unless asked: without `--fail-on` it always exits 0; with it, it
//! exits 1 only when `check` exits 1 (a rule is broken), and 0 with a warning when agent-audit is
//! missing or fails. All its output goes to stderr, so git's own protocol on stdout is untouched.

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use git2::Repository;

use crate::error::{Error, Result};

mod files;
mod script;
#[cfg(test)]
mod tests;

use files::*;
pub use script::script;
use script::*;

/// The line (second, after the shebang) that marks a hook script as written by agent-audit.
pub const HEADER: &str =
    "# agent-audit hook v1 (managed: do not edit; run `agent-audit hook uninstall` to remove)";

/// What every version of [`HEADER`] starts with; the version number follows, then [`HEADER_TAIL`].
const MARKER: &str = "# agent-audit hook v";

/// What every version of [`HEADER`] ends with, after its version number.
const HEADER_TAIL: &str = " (managed: do not edit; run `agent-audit hook uninstall` to remove)";

/// A hook file larger than this is not one agent-audit wrote (its scripts are about 3 KiB): it is
/// never read whole.
const MAX_MANAGED_SIZE: u64 = 64 * 1024;

/// The suffix an existing hook is renamed with when agent-audit's hook takes its place.
pub const CHAINED_SUFFIX: &str = ".agent-audit-chained";

/// Which git hook to install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
#[non_exhaustive]
pub enum HookKind {
    /// Before `git push` sends anything: the branch as it is about to be shared.
    #[default]
    PrePush,
    /// Before `git commit` records the commit (the commit being made is not in HEAD yet).
    PreCommit,
    /// After each commit; git ignores its exit code, so it can only report.
    PostCommit,
}

impl HookKind {
    /// The hook's file name, as git spells it.
    pub fn name(self) -> &'static str {
        match self {
            HookKind::PrePush => "pre-push",
            HookKind::PreCommit => "pre-commit",
            HookKind::PostCommit => "post-commit",
        }
    }

    /// The command that removes this hook.
    fn uninstall_command(self) -> String {
        match self {
            HookKind::PrePush => "agent-audit hook uninstall".into(),
            other => format!("agent-audit hook uninstall --hook {other}"),
        }
    }

    /// git writes the refs being pushed to a pre-push hook's stdin; the commit hooks get none.
    fn reads_stdin(self) -> bool {
        matches!(self, HookKind::PrePush)
    }

    /// What a failing hook does, for the script's messages.
    fn stops(self) -> &'static str {
        match self {
            HookKind::PrePush => "the push is stopped ('git push --no-verify' skips this hook)",
            HookKind::PreCommit => {
                "the commit is stopped ('git commit --no-verify' skips this hook)"
            }
            HookKind::PostCommit => {
                "the commit is already made (a post-commit hook cannot undo it)"
            }
        }
    }

    /// What a failing check does not stop, for the script's messages.
    fn goes_on(self) -> &'static str {
        match self {
            HookKind::PrePush => "the push goes on",
            HookKind::PreCommit | HookKind::PostCommit => "the commit goes on",
        }
    }
}

impl fmt::Display for HookKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `agent-audit hook install` was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookOptions {
    /// Which hook.
    pub kind: HookKind,
    /// `--fail-on` rules passed to `agent-audit check` (checked when installing); none means the hook
    /// never blocks.
    pub fail_on: Vec<String>,
}

/// What [`install`] did to the hook file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstallStatus {
    /// There was no agent-audit hook: one was written.
    Created,
    /// An agent-audit hook was there with other content (other rules, another binary path): rewritten.
    Updated,
    /// The same hook was already there: nothing was written.
    UpToDate,
}

/// The result of [`install`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallReport {
    /// The hook file.
    pub path: PathBuf,
    /// Which hook.
    pub kind: HookKind,
    /// What was done.
    pub status: InstallStatus,
    /// The earlier hook, kept under this name and run first by the script, when there is one.
    pub chained: Option<PathBuf>,
    /// True when this install moved the earlier hook to `chained` (false when it was already there).
    pub moved_aside: bool,
}

impl fmt::Display for InstallReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match self.status {
            InstallStatus::Created => write!(f, "installed the {} hook: {path}", self.kind)?,
            InstallStatus::Updated => write!(f, "updated the {} hook: {path}", self.kind)?,
            InstallStatus::UpToDate => write!(f, "the {} hook is up to date: {path}", self.kind)?,
        }
        if let Some(chained) = &self.chained {
            let how = if self.moved_aside {
                "the existing hook was moved to"
            } else {
                "the earlier hook is kept at"
            };
            write!(
                f,
                "\n{how} {} and runs first; `{}` puts it back",
                chained.display(),
                self.kind.uninstall_command()
            )?;
        }
        Ok(())
    }
}

/// The result of [`uninstall`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UninstallReport {
    /// The hook file.
    pub path: PathBuf,
    /// Which hook.
    pub kind: HookKind,
    /// True when agent-audit's hook was there and was removed.
    pub removed: bool,
    /// The chained hook that was moved back to `path`, when there was one.
    pub restored_from: Option<PathBuf>,
}

impl fmt::Display for UninstallReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match (self.removed, &self.restored_from) {
            (true, None) => write!(f, "removed the {} hook: {path}", self.kind),
            (true, Some(from)) => write!(
                f,
                "removed the {} hook and put the earlier one back: {} -> {path}",
                self.kind,
                from.display()
            ),
            (false, Some(from)) => write!(
                f,
                "no agent-audit {} hook was installed; put the earlier hook back: {} -> {path}",
                self.kind,
                from.display()
            ),
            (false, None) => write!(
                f,
                "no agent-audit {} hook is installed (looked at {path}): nothing to do",
                self.kind
            ),
        }
    }
}

/// The folder git runs hooks from for the repository containing `repo_dir`.
pub fn hooks_dir(repo_dir: &Path) -> Result<PathBuf> {
    hooks_dir_of(&open(repo_dir)?)
}

/// Writes the hook described by `opts` into the repository containing `repo_dir`. `exe` is the
/// agent-audit binary the script falls back to when none is on `PATH` (normally
/// [`std::env::current_exe`]).
pub fn install(repo_dir: &Path, opts: &HookOptions, exe: &Path) -> Result<InstallReport> {
    let rules = checked_rules(&opts.fail_on)?;
    let repo = open(repo_dir)?;
    if repo.is_bare() {
        return Err(Error::Usage(format!(
            "`{}` is a bare repository: `agent-audit check` needs a work tree, so the hook would only \
             warn; install it in a clone",
            repo.path().display()
        )));
    }
    let dir = hooks_dir_of(&repo)?;
    refuse_a_hooks_folder_leaving_the_work_tree(&repo, &dir)?;
    let path = dir.join(opts.kind.name());
    let chained = chained_path(&path);
    let content = script_text(opts.kind, &rules, exe);

    let (status, moved_aside) = match existing(&path)? {
        Existing::Absent => {
            std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
            write_script(&path, &content)?;
            (InstallStatus::Created, false)
        }
        Existing::Managed {
            content: old,
            mode_ok,
        } => {
            if old == content.as_bytes() && mode_ok {
                (InstallStatus::UpToDate, false)
            } else {
                write_script(&path, &content)?;
                (InstallStatus::Updated, false)
            }
        }
        Existing::Foreign => {
            if exists(&chained)? {
                return Err(Error::Usage(format!(
                    "cannot keep the existing hook `{}`: `{}` is already taken (left by an earlier \
                     install?); move one of them away and install again",
                    path.display(),
                    chained.display()
                )));
            }
            let tmp = temp_script(&path, &content)?;
            // `rename` moves a symlink itself, never what it points to.
            std::fs::rename(&path, &chained).map_err(io("move aside", &path))?;
            if let Err(e) = tmp.persist(&path) {
                // Leave things as they were (dropping the temporary file removes it).
                let _ = std::fs::rename(&chained, &path);
                return Err(Error::HookFile {
                    action: "write",
                    path,
                    source: e.error,
                });
            }
            (InstallStatus::Created, true)
        }
    };
    let chained = exists(&chained)?.then_some(chained);
    Ok(InstallReport {
        path,
        kind: opts.kind,
        status,
        chained,
        moved_aside,
    })
}

/// Removes agent-audit's `kind` hook from the repository containing `repo_dir` and puts back the hook
/// it had chained. A hook agent-audit did not write is left untouched ([`Error::ForeignHook`]).
pub fn uninstall(repo_dir: &Path, kind: HookKind) -> Result<UninstallReport> {
    let repo = open(repo_dir)?;
    let path = hooks_dir_of(&repo)?.join(kind.name());
    let chained = chained_path(&path);
    let removed = match existing(&path)? {
        Existing::Foreign => {
            return Err(Error::ForeignHook {
                path,
                what: "it is left untouched; remove it by hand if you mean to".into(),
            });
        }
        Existing::Managed { .. } => {
            std::fs::remove_file(&path).map_err(io("remove", &path))?;
            true
        }
        Existing::Absent => false,
    };
    let restored_from = if exists(&chained)? {
        std::fs::rename(&chained, &path).map_err(io("move back", &chained))?;
        Some(chained)
    } else {
        None
    };
    Ok(UninstallReport {
        path,
        kind,
        removed,
        restored_from,
    })
}

/// True when `content` is a hook script agent-audit wrote: `#!/bin/sh`, then exactly the [`HEADER`]
/// line of some version (`# agent-audit hook v<N> (managed: …)`). A user's hook that merely mentions
/// the marker, in a comment or further down, is not ours.
pub fn is_managed(content: &[u8]) -> bool {
    let mut lines = content.split(|&b| b == b'\n');
    lines.next() == Some(b"#!/bin/sh".as_slice()) && lines.next().is_some_and(is_header_line)
}

/// `# agent-audit hook v<digits>` followed by exactly [`HEADER_TAIL`].
fn is_header_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(MARKER.as_bytes()) else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && &rest[digits..] == HEADER_TAIL.as_bytes()
}
