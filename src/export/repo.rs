//! The facts of a repository an export names: a stable id (the same on every machine that cloned it),
//! its address without credentials, the HEAD it was measured against, and the base branch.
//!
//! This reads two things from the repository (the `origin` remote's address and HEAD) through git2. They
//! belong in `crate::git`, the one git2 user; they live here while that module is being reworked, and
//! move there as `RepoScope` methods afterwards.

use std::path::{Path, PathBuf};

use crate::git::RepoScope;

/// A repository as the export names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFacts {
    /// Stable id: the pseudonym of the normalised remote address (`github.com/org/repo`, the same for
    /// ssh and https clones), or of the root path when there is no remote.
    pub id: String,
    /// The remote address with any user name or password removed.
    pub url: Option<String>,
    /// The main work tree's root.
    pub root: PathBuf,
    /// HEAD's commit (full hash), the revision "in HEAD" was measured against.
    pub head_revision: Option<String>,
    /// The base branch used (a ref name such as `main` or `origin/main`).
    pub base: Option<String>,
}

impl RepoFacts {
    /// Reads the facts of `scope`; `base` is the base branch the correlation used.
    pub fn of(scope: &RepoScope, base: Option<String>) -> RepoFacts {
        let repo = git2::Repository::open(&scope.root).ok();
        let url = repo.as_ref().and_then(|r| {
            let remote = r.find_remote("origin").ok().or_else(|| {
                let names = r.remotes().ok()?;
                let first = names.iter().flatten().flatten().next()?.to_owned();
                r.find_remote(&first).ok()
            })?;
            remote.url().ok().map(strip_credentials)
        });
        let head_revision = repo
            .as_ref()
            .and_then(|r| r.head().ok())
            .and_then(|h| h.peel_to_commit().ok())
            .map(|c| c.id().to_string());
        RepoFacts {
            id: repository_id(url.as_deref(), &scope.root),
            url,
            root: scope.root.clone(),
            head_revision,
            base,
        }
    }
}

/// The stable id of a repository.
pub fn repository_id(url: Option<&str>, root: &Path) -> String {
    match url {
        Some(u) => super::pseudonym(&format!("repo:{}", normalise_url(u))),
        None => super::pseudonym(&format!("path:{}", root.to_string_lossy())),
    }
}

/// `user:password@` removed from an address (`https://u:token@host/x` → `https://host/x`); scp-like
/// addresses (`git@host:org/repo`) keep their form without the user.
pub fn strip_credentials(url: &str) -> String {
    if let Some(i) = url.find("://") {
        let (scheme, rest) = url.split_at(i + 3);
        let end = rest.find('/').unwrap_or(rest.len());
        let authority = &rest[..end];
        match authority.rfind('@') {
            Some(at) => format!("{scheme}{}{}", &authority[at + 1..], &rest[end..]),
            None => url.to_owned(),
        }
    } else {
        match (url.find('@'), url.find(':')) {
            (Some(at), Some(colon)) if at < colon => url[at + 1..].to_owned(),
            _ => url.to_owned(),
        }
    }
}

/// The address reduced to `host/path`: no scheme, user or port, lower-case host, no trailing `/` or
/// `.git`, so `git@github.com:Org/Repo.git` and `https://github.com/Org/Repo` agree.
pub fn normalise_url(url: &str) -> String {
    let u = strip_credentials(url.trim());
    let (host, path) = if let Some(i) = u.find("://") {
        let rest = &u[i + 3..];
        let end = rest.find('/').unwrap_or(rest.len());
        (rest[..end].to_owned(), rest[end..].to_owned())
    } else if let Some(colon) = u.find(':').filter(|&c| !u[..c].contains('/')) {
        (u[..colon].to_owned(), format!("/{}", &u[colon + 1..]))
    } else {
        // A local path: keep it as it is.
        return u.trim_end_matches('/').to_owned();
    };
    let host = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host.as_str(), |(h, _)| h)
        .to_ascii_lowercase();
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    format!("{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_survive() {
        assert_eq!(
            strip_credentials("https://bob:ghp_secret@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            strip_credentials("git@github.com:org/repo.git"),
            "github.com:org/repo.git"
        );
        assert_eq!(
            strip_credentials("https://github.com/org/repo"),
            "https://github.com/org/repo"
        );
    }

    #[test]
    fn ssh_and_https_clones_agree() {
        let want = "github.com/Org/Repo";
        for u in [
            "git@github.com:Org/Repo.git",
            "https://github.com/Org/Repo",
            "https://token@GitHub.com/Org/Repo.git/",
            "ssh://git@github.com:22/Org/Repo.git",
        ] {
            assert_eq!(normalise_url(u), want, "{u}");
        }
        assert_eq!(
            repository_id(Some("git@github.com:Org/Repo.git"), Path::new("/a")),
            repository_id(Some("https://github.com/Org/Repo"), Path::new("/b"))
        );
    }
}
