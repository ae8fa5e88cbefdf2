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

/// The script [`install`] writes for `opts` (which also checks the rules first).
pub fn script(opts: &HookOptions, exe: &Path) -> String {
    script_text(opts.kind, &normalised(&opts.fail_on), exe)
}

fn script_text(kind: HookKind, rules: &[String], exe: &Path) -> String {
    let name = kind.name();
    let mut args = String::from("check --format table");
    for r in rules {
        args.push_str(" --fail-on ");
        args.push_str(&sh_quote(r));
    }
    // A path that is not UTF-8 cannot be written into the script: PATH alone is searched then.
    let fallback = exe.to_str().map(sh_quote).unwrap_or_else(|| "''".into());
    let policy = if rules.is_empty() {
        "Never stops git: whatever check says, and when agent-audit is missing or fails, it exits 0."
    } else {
        "Exits 1 only when a --fail-on rule is broken (check exits 1); when agent-audit is missing or\n\
         # fails, it warns and exits 0."
    };
    let mut s = format!(
        "#!/bin/sh\n\
         {HEADER}\n\
         #\n\
         # {name}: runs `agent-audit {args}`, output on stderr.\n\
         # {policy}\n\
         # A {name} hook that was here before is kept as {name}{CHAINED_SUFFIX}\n\
         # and runs first, with the same arguments and input; when it fails, its exit code is this hook's.\n\
         \n\
         case $0 in\n    */*) hook_dir=${{0%/*}} ;;\n    *) hook_dir=. ;;\n\
         esac\n\
         chained=\"$hook_dir/{name}{CHAINED_SUFFIX}\"\n\
         # The agent-audit that installed this hook, used when none is on PATH.\n\
         fallback={fallback}\n\
         \n"
    );
    if kind.reads_stdin() {
        s.push_str(
            "# git writes the refs being pushed on stdin: keep a copy for the chained hook and for check.\n\
             input=$(mktemp \"${TMPDIR:-/tmp}/agent-audit-hook.XXXXXX\" 2>/dev/null) || input=\n\
             if [ -n \"$input\" ]; then\n    \
                 trap 'rm -f \"$input\"' 0\n    \
                 trap 'exit 129' 1\n    \
                 trap 'exit 130' 2\n    \
                 trap 'exit 143' 15\n    \
                 cat >\"$input\"\n\
             fi\n\
             \n\
             if [ -x \"$chained\" ]; then\n    \
                 if [ -n \"$input\" ]; then\n        \
                     \"$chained\" \"$@\" <\"$input\"\n    \
                 else\n        \
                     \"$chained\" \"$@\"\n    \
                 fi\n    \
                 status=$?\n    \
                 [ \"$status\" -eq 0 ] || exit \"$status\"\n\
             fi\n\
             \n",
        );
    } else {
        s.push_str(
            "input=\n\
             if [ -x \"$chained\" ]; then\n    \
                 \"$chained\" \"$@\"\n    \
                 status=$?\n    \
                 [ \"$status\" -eq 0 ] || exit \"$status\"\n\
             fi\n\
             \n",
        );
    }
    s.push_str(
        "if command -v agent-audit >/dev/null 2>&1; then\n    \
             agent_audit=agent-audit\n\
         elif [ -n \"$fallback\" ] && [ -x \"$fallback\" ]; then\n    \
             agent_audit=$fallback\n\
         else\n    \
             printf 'agent-audit hook: agent-audit is not installed (not on PATH%s); skipping the check\\n' \"${fallback:+, not at $fallback}\" >&2\n    \
             exit 0\n\
         fi\n\
         \n",
    );
    s.push_str(&format!(
        "\"$agent_audit\" {args} <\"${{input:-/dev/null}}\" >&2\n\
         status=$?\n"
    ));
    let goes_on = kind.goes_on();
    if rules.is_empty() {
        s.push_str(&format!(
            "if [ \"$status\" -ne 0 ]; then\n    \
                 echo \"agent-audit hook: 'agent-audit check' failed (exit $status); {goes_on}\" >&2\n\
             fi\n\
             exit 0\n"
        ));
    } else {
        let stops = kind.stops();
        s.push_str(&format!(
            "if [ \"$status\" -eq 1 ]; then\n    \
                 echo \"agent-audit hook: a --fail-on rule is broken (see above): {stops}\" >&2\n    \
                 exit 1\n\
             elif [ \"$status\" -ne 0 ]; then\n    \
                 echo \"agent-audit hook: 'agent-audit check' failed (exit $status); {goes_on}\" >&2\n\
             fi\n\
             exit 0\n"
        ));
    }
    s
}

/// `--fail-on` rules, whitespace removed, duplicates dropped, each one checked so a typo fails now
/// rather than turning every later push into a warning.
fn checked_rules(rules: &[String]) -> Result<Vec<String>> {
    let rules = normalised(rules);
    for r in &rules {
        crate::metrics::branch::Rule::parse(r).map_err(Error::Usage)?;
    }
    Ok(rules)
}

/// Rules without whitespace (none is meaningful in a rule, and a line break would end the script's
/// comment line), in the order given, without duplicates.
fn normalised(rules: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rules {
        let r: String = r.split_whitespace().collect();
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// `s` as one single-quoted sh word.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn open(repo_dir: &Path) -> Result<Repository> {
    Repository::discover(repo_dir).map_err(|source| Error::Git {
        context: format!("`{}` is not inside a git repository", repo_dir.display()),
        source,
    })
}

fn hooks_dir_of(repo: &Repository) -> Result<PathBuf> {
    let config = repo.config().map_err(|source| Error::Git {
        context: "cannot read the repository's git config".into(),
        source,
    })?;
    let configured = match config.get_path("core.hooksPath") {
        Ok(p) => Some(p),
        Err(e) if e.code() == git2::ErrorCode::NotFound => None,
        Err(source) => {
            return Err(Error::Git {
                context: "cannot read core.hooksPath".into(),
                source,
            });
        }
    };
    // git runs hooks from the work tree root (the git dir when bare); a relative hooksPath is taken
    // from there.
    let run_dir = repo.workdir().unwrap_or_else(|| repo.path());
    Ok(resolve_hooks_dir(
        configured.as_deref(),
        run_dir,
        repo.commondir(),
    ))
}

/// `core.hooksPath` (absolute, or relative to `run_dir`) when set and not empty, else `common_dir/hooks`.
fn resolve_hooks_dir(configured: Option<&Path>, run_dir: &Path, common_dir: &Path) -> PathBuf {
    match configured {
        Some(p) if !p.as_os_str().is_empty() => run_dir.join(p),
        _ => common_dir.join("hooks"),
    }
}

fn chained_path(hook: &Path) -> PathBuf {
    let mut name = hook.as_os_str().to_owned();
    name.push(CHAINED_SUFFIX);
    PathBuf::from(name)
}

/// What is at a hook's path.
enum Existing {
    /// Nothing.
    Absent,
    /// A script agent-audit wrote; `mode_ok` when its permissions are the ones install sets.
    Managed { content: Vec<u8>, mode_ok: bool },
    /// Anything else (including a symlink that points nowhere).
    Foreign,
}

fn existing(path: &Path) -> Result<Existing> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(source) => {
            return Err(Error::HookFile {
                action: "read",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if meta.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is a directory, not a hook file; move it away first",
            path.display()
        )));
    }
    if meta.file_type().is_symlink() {
        // Ours are plain files: a symlink is someone else's, even when it points at one of ours. It is
        // moved aside as a link (never followed) — but only when it points inside the hooks folder: a
        // link out of it (a tracked `core.hooksPath` folder can hold one to any file) is refused.
        if !link_stays_inside(path) {
            return Err(Error::Usage(format!(
                "`{}` is a symbolic link to a file outside the hooks folder: agent-audit will not \
                 replace or move it; remove the link, or point it inside the folder, and install again",
                path.display()
            )));
        }
        return Ok(Existing::Foreign);
    }
    if !meta.is_file() || meta.len() > MAX_MANAGED_SIZE {
        // A FIFO, a socket, a device or a big file: not ours, and never opened (a FIFO would block).
        return Ok(Existing::Foreign);
    }
    let content = read_hook(path)?;
    if is_managed(&content) {
        Ok(Existing::Managed {
            content,
            mode_ok: mode_ok(&meta),
        })
    } else {
        Ok(Existing::Foreign)
    }
}

#[cfg(unix)]
fn mode_ok(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777 == 0o755
}

#[cfg(not(unix))]
fn mode_ok(_meta: &std::fs::Metadata) -> bool {
    true
}

fn exists(path: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::HookFile {
            action: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// A hooks folder inside the work tree (a relative `core.hooksPath`, husky-style) is tracked content:
/// whoever wrote the branch may have made it, or a folder on its way, a symbolic link to anywhere. Such a
/// folder must resolve to a place inside the work tree (or the git dir); an absolute `core.hooksPath`
/// set outside the work tree is the user's own choice and is taken as it is.
fn refuse_a_hooks_folder_leaving_the_work_tree(repo: &Repository, dir: &Path) -> Result<()> {
    let Some(root) = repo.workdir() else {
        return Ok(());
    };
    if !dir.starts_with(root) {
        return Ok(());
    }
    let inside = |p: &Path| {
        [root, repo.commondir()]
            .iter()
            .filter_map(|r| std::fs::canonicalize(r).ok())
            .any(|r| p.starts_with(r))
    };
    // The deepest part of the folder's path that exists, with every link on the way resolved.
    let mut existing = dir;
    let resolved = loop {
        match std::fs::canonicalize(existing) {
            Ok(p) => break Some(p),
            Err(_) if std::fs::symlink_metadata(existing).is_ok() => break None, // a dangling link
            Err(_) => match existing.parent() {
                Some(parent) => existing = parent,
                None => break None,
            },
        }
    };
    match resolved {
        Some(p) if inside(&p) => Ok(()),
        _ => Err(Error::Usage(format!(
            "the hooks folder `{}` (core.hooksPath) leads out of the work tree through a symbolic \
             link: agent-audit will not write a hook there; check the folder, or set an absolute \
             core.hooksPath",
            dir.display()
        ))),
    }
}

/// True when the symlink at `link` points inside its own folder (after resolving every link on the
/// way when the target exists; lexically when it dangles).
fn link_stays_inside(link: &Path) -> bool {
    let Some(dir) = link.parent() else {
        return false;
    };
    let Ok(dir) = std::fs::canonicalize(dir) else {
        return false;
    };
    let Ok(target) = std::fs::read_link(link) else {
        return false;
    };
    let resolved = match std::fs::canonicalize(link) {
        Ok(t) => t,
        Err(_) => lexically_normal(&dir.join(target)),
    };
    resolved != dir && resolved.starts_with(&dir)
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn lexically_normal(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Reads a hook file that `symlink_metadata` saw as a small regular file, without following a link
/// swapped in since, and without blocking on a FIFO.
fn read_hook(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(io("read", path))?;
    let meta = file.metadata().map_err(io("read", path))?;
    if !meta.is_file() {
        return Ok(Vec::new());
    }
    let mut content = Vec::new();
    file.take(MAX_MANAGED_SIZE + 1)
        .read_to_end(&mut content)
        .map_err(io("read", path))?;
    Ok(content)
}

/// Writes `content` to a new temporary file beside `path` and renames it over `path`, so git never runs
/// a half-written hook.
fn write_script(path: &Path, content: &str) -> Result<()> {
    let tmp = temp_script(path, content)?;
    tmp.persist(path).map_err(|e| Error::HookFile {
        action: "write",
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// A new executable (0755) file in `path`'s folder, holding `content`. Its name is random and it is
/// created exclusively (`O_CREAT|O_EXCL`): a file or link planted in the hooks folder is never written
/// through, and its mode is set on the open file, not through a path. Dropped unpersisted, it is removed.
fn temp_script(path: &Path, content: &str) -> Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let prefix = format!(
        ".{}.agent-audit-",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io("create a temporary file in", dir))?;
    tmp.write_all(content.as_bytes())
        .and_then(|_| tmp.flush())
        .map_err(io("write", tmp.path()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o755))
            .map_err(io("make executable", path))?;
    }
    Ok(tmp)
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::HookFile {
        action,
        path,
        source,
    }
}

#[cfg(test)]
mod tests {
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
            let sig = git2::Signature::new("Dev", "dev@example.com", &git2::Time::new(0, 0))
                .expect("sig");
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
        let r =
            install(&wt_path, &opts(HookKind::PreCommit, &[]), Path::new("/a")).expect("install");
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
        let r =
            install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a")).expect("install");
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
            let err = install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a"))
                .expect_err(target);
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
        let err =
            install(dir.path(), &opts(HookKind::PrePush, &[]), Path::new("/a")).expect_err("dir");
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[test]
    fn uninstall_puts_back_a_chained_hook_left_alone() {
        let dir = tempfile::tempdir().expect("tmp");
        repo_with_commit(dir.path());
        let hooks = dir.path().join(".git/hooks");
        std::fs::create_dir_all(&hooks).expect("mkdir");
        std::fs::write(hooks.join("post-commit.agent-audit-chained"), "#!/bin/sh\n")
            .expect("write");
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
}
