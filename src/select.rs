//! Which sessions a command is about: those of one repository, every session grouped by the repository it
//! ran in (`review --all`, `export --all`), one session by the prefix of its id (`session ID`), and the
//! order every list shows them in. The commands call these; none of it prints or knows about flags, so it
//! is tested here without spawning the binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::git::RepoScope;
use crate::model::Session;

/// The sessions that ran inside `scope` (any of its work trees, or a folder below one).
pub fn of_repo<'a>(
    sessions: impl IntoIterator<Item = &'a Session>,
    scope: &RepoScope,
) -> Vec<&'a Session> {
    sessions
        .into_iter()
        .filter(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)))
        .collect()
}

/// Every session under the repository its cwd is in, one group per repository in the order first met;
/// the sessions outside any repository (or with no cwd) last, under `None`. Each cwd is looked up once.
pub fn by_repository<'a>(
    sessions: impl IntoIterator<Item = &'a Session>,
) -> Vec<(Option<RepoScope>, Vec<&'a Session>)> {
    let mut groups: Vec<(Option<RepoScope>, Vec<&'a Session>)> = Vec::new();
    let mut by_root: HashMap<PathBuf, usize> = HashMap::new();
    let mut cache: HashMap<&'a Path, Option<RepoScope>> = HashMap::new();
    let mut outside = Vec::new();
    for s in sessions {
        let scope = s.cwd.as_deref().and_then(|cwd| {
            cache
                .entry(cwd)
                .or_insert_with(|| RepoScope::discover(cwd).ok())
                .clone()
        });
        match scope {
            Some(scope) => {
                let i = *by_root.entry(scope.root.clone()).or_insert_with(|| {
                    groups.push((Some(scope), Vec::new()));
                    groups.len() - 1
                });
                groups[i].1.push(s);
            }
            None => outside.push(s),
        }
    }
    if !outside.is_empty() {
        groups.push((None, outside));
    }
    groups
}

/// Why no single session answers an id prefix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotOne {
    /// No session of the place has an id starting with the prefix.
    #[error(
        "no session of {place} has an id starting with `{prefix}` (see `agent-audit sessions`)"
    )]
    None {
        /// The repository's root, or "the logs".
        place: String,
        /// What was asked for.
        prefix: String,
    },
    /// Several do: the ids, so that the user can give more characters.
    #[error("`{prefix}` matches {} sessions: {}; give more characters", ids.len(), ids.join(", "))]
    Several {
        /// What was asked for.
        prefix: String,
        /// The matching ids (cleaned for the terminal by the caller).
        ids: Vec<String>,
    },
}

/// The one session of `scope` (every session when `None`) whose id starts with `prefix`.
pub fn by_id_prefix<'a>(
    sessions: &'a [Session],
    prefix: &str,
    scope: Option<&RepoScope>,
) -> Result<&'a Session, NotOne> {
    let matches: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.id.starts_with(prefix))
        .filter(|s| match scope {
            Some(scope) => s.cwd.as_deref().is_some_and(|c| scope.contains(c)),
            None => true,
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(NotOne::None {
            place: scope.map_or("the logs".to_string(), |s| s.root.display().to_string()),
            prefix: prefix.to_owned(),
        }),
        many => Err(NotOne::Several {
            prefix: prefix.to_owned(),
            ids: many.iter().map(|s| s.id.clone()).collect(),
        }),
    }
}

/// The order every session list is shown in: newest start first, then by id (a session without a start
/// time last).
pub fn newest_first(
    a: (Option<jiff::Timestamp>, &str),
    b: (Option<jiff::Timestamp>, &str),
) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Agent;

    fn session(id: &str, cwd: Option<&Path>) -> Session {
        let mut s = Session::new(Agent::ClaudeCode, id.to_owned());
        s.cwd = cwd.map(Path::to_path_buf);
        s
    }

    fn repo(dir: &Path) -> RepoScope {
        git2::Repository::init(dir).expect("init");
        RepoScope::discover(dir).expect("scope")
    }

    #[test]
    fn sessions_are_grouped_by_the_repository_they_ran_in() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (a, b, none) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("x"),
        );
        for d in [&a, &b, &none] {
            std::fs::create_dir_all(d.join("src")).expect("mkdir");
        }
        let (ra, _) = (repo(&a), repo(&b));
        let sessions = vec![
            session("s1", Some(&a.join("src"))),
            session("s2", Some(&b)),
            session("s3", Some(&none)),
            session("s4", Some(&a)),
            session("s5", None),
        ];
        fn ids<'a>(v: &[&'a Session]) -> Vec<&'a str> {
            v.iter().map(|s| s.id.as_str()).collect()
        }
        assert_eq!(ids(&of_repo(&sessions, &ra)), ["s1", "s4"]);
        let groups = by_repository(&sessions);
        let shape: Vec<(bool, Vec<&str>)> = groups
            .iter()
            .map(|(scope, v)| (scope.is_some(), ids(v)))
            .collect();
        assert_eq!(
            shape,
            [
                (true, vec!["s1", "s4"]),
                (true, vec!["s2"]),
                (false, vec!["s3", "s5"])
            ]
        );
    }

    #[test]
    fn an_id_prefix_names_one_session_or_says_why_not() {
        let tmp = tempfile::tempdir().expect("tmp");
        let scope = repo(tmp.path());
        let other = tempfile::tempdir().expect("tmp");
        let sessions = vec![
            session("abc123", Some(tmp.path())),
            session("abd456", Some(tmp.path())),
            session("abc999", Some(other.path())),
        ];
        assert_eq!(
            by_id_prefix(&sessions, "abc", Some(&scope)).map(|s| s.id.as_str()),
            Ok("abc123"),
            "the other repository's session does not count"
        );
        assert!(matches!(
            by_id_prefix(&sessions, "abc", None),
            Err(NotOne::Several { ids, .. }) if ids == ["abc123", "abc999"]
        ));
        let e = by_id_prefix(&sessions, "zz", Some(&scope)).expect_err("none");
        assert!(e.to_string().starts_with("no session of "), "{e}");
    }

    #[test]
    fn lists_are_newest_first_then_by_id() {
        let t = |s: &str| Some(s.parse::<jiff::Timestamp>().expect("ts"));
        let mut v = [
            (t("2026-05-01T10:00:00Z"), "b"),
            (None, "z"),
            (t("2026-05-02T10:00:00Z"), "a"),
            (t("2026-05-01T10:00:00Z"), "a"),
        ];
        v.sort_by(|x, y| newest_first(*x, *y));
        let ids: Vec<&str> = v.iter().map(|x| x.1).collect();
        assert_eq!(ids, ["a", "a", "b", "z"]);
        assert_eq!(v[0].0, t("2026-05-02T10:00:00Z"));
    }
}
