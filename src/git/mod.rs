//! The one place that touches git2. For now: which repository (and which of its worktrees) a session's
//! working directory belongs to.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A repository's work trees: the main one and every linked worktree.
#[derive(Debug, Clone)]
pub struct RepoScope {
    /// The main work tree's root.
    pub root: PathBuf,
    /// Every work tree root (main first), canonicalised where they exist.
    pub worktrees: Vec<PathBuf>,
}

impl RepoScope {
    /// The repository containing `dir` (any subdirectory or linked worktree of it).
    pub fn discover(dir: &Path) -> Result<RepoScope> {
        let repo = git2::Repository::discover(dir).map_err(|source| Error::Git {
            context: format!("`{}` is not inside a git repository", dir.display()),
            source,
        })?;
        // A linked worktree's common dir is the main repository's `.git`.
        let main = if repo.is_worktree() {
            git2::Repository::open(repo.commondir()).unwrap_or(repo)
        } else {
            repo
        };
        let root = match main.workdir() {
            Some(w) => w.to_path_buf(),
            None => {
                return Err(Error::Usage(format!(
                    "`{}` is a bare repository: sessions are matched by their working directory, and a \
                     bare repository has none (run inside one of its worktrees, or pass --repo)",
                    main.path().display()
                )));
            }
        };
        let mut worktrees = vec![canonical(&root)];
        if let Ok(names) = main.worktrees() {
            for name in names.iter().flatten().flatten() {
                if let Ok(wt) = main.find_worktree(name) {
                    worktrees.push(canonical(wt.path()));
                }
            }
        }
        Ok(RepoScope {
            root: canonical(&root),
            worktrees,
        })
    }

    /// True when `cwd` lies inside one of the repository's work trees.
    pub fn contains(&self, cwd: &Path) -> bool {
        let c = canonical(cwd);
        self.worktrees
            .iter()
            .any(|w| c.starts_with(w) || cwd.starts_with(w))
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}
