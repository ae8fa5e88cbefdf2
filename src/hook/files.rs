//! The filesystem side, written for hostile repositories: where git looks for hooks, what is already
//! there, and writes that never follow a symbolic link or leave the repository.

use super::*;

pub(super) fn open(repo_dir: &Path) -> Result<Repository> {
    Repository::discover(repo_dir).map_err(|source| Error::Git {
        context: format!("`{}` is not inside a git repository", repo_dir.display()),
        source,
    })
}

pub(super) fn hooks_dir_of(repo: &Repository) -> Result<PathBuf> {
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
pub(super) fn resolve_hooks_dir(
    configured: Option<&Path>,
    run_dir: &Path,
    common_dir: &Path,
) -> PathBuf {
    match configured {
        Some(p) if !p.as_os_str().is_empty() => run_dir.join(p),
        _ => common_dir.join("hooks"),
    }
}

pub(super) fn chained_path(hook: &Path) -> PathBuf {
    let mut name = hook.as_os_str().to_owned();
    name.push(CHAINED_SUFFIX);
    PathBuf::from(name)
}

/// What is at a hook's path.
pub(super) enum Existing {
    /// Nothing.
    Absent,
    /// A script agent-audit wrote; `mode_ok` when its permissions are the ones install sets.
    Managed { content: Vec<u8>, mode_ok: bool },
    /// Anything else (including a symlink that points nowhere).
    Foreign,
}

pub(super) fn existing(path: &Path) -> Result<Existing> {
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
pub(super) fn mode_ok(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777 == 0o755
}

#[cfg(not(unix))]
pub(super) fn mode_ok(_meta: &std::fs::Metadata) -> bool {
    true
}

pub(super) fn exists(path: &Path) -> Result<bool> {
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
pub(super) fn refuse_a_hooks_folder_leaving_the_work_tree(
    repo: &Repository,
    dir: &Path,
) -> Result<()> {
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
pub(super) fn link_stays_inside(link: &Path) -> bool {
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
pub(super) fn lexically_normal(p: &Path) -> PathBuf {
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
pub(super) fn read_hook(path: &Path) -> Result<Vec<u8>> {
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
pub(super) fn write_script(path: &Path, content: &str) -> Result<()> {
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
pub(super) fn temp_script(path: &Path, content: &str) -> Result<tempfile::NamedTempFile> {
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

pub(super) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::HookFile {
        action,
        path,
        source,
    }
}
