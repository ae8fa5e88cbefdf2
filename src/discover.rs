//! Where the agents keep their logs, resolved the way the agents themselves resolve it.
//!
//! - Claude Code: every directory in `CLAUDE_CONFIG_DIR` (comma-separated), else `~/.config/claude` and
//!   `~/.claude`; transcripts are `projects/<encoded-cwd>/<session>.jsonl`, subagents under
//!   `<session>/subagents/` (searched recursively: workflow subagents nest deeper, in
//!   `subagents/workflows/<name>/`). Leftovers Claude Code keeps beside them — `*.orphaned-*.jsonl` and
//!   `*.jsonl.superseded-*` — are found too and marked [`Source::leftover`]: `ingest` counts only the
//!   responses they hold that no other file does.
//! - Codex CLI: `CODEX_HOME`, else `~/.codex`; `sessions/YYYY/MM/DD/rollout-*.jsonl` and
//!   `rollout-*.jsonl.zst` (zstd, written by Codex 0.137+ for rollouts idle 7 days), and the same under
//!   `archived_sessions/` (a session found in several of them is counted once by `ingest`).
//! - `--logs PATH`: a file or folder; each file's format is sniffed from its content (decompressed when it
//!   is zstd), not its name.
//!
//! Only regular files are kept (a FIFO named `*.jsonl` is never opened, so nothing waits on it), and each
//! is read later only up to the size it had here. A folder that cannot be listed is reported, not dropped.
//! Files last modified before `--since` are dropped here, before any byte is parsed: the agents only append.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::formats;
use crate::model::Agent;

/// One log file to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// Which agent wrote it.
    pub agent: Agent,
    /// Size in bytes when discovered (big files are parsed first, for balance across threads); the file is
    /// read up to this size only, even if the agent is still appending to it.
    pub size: u64,
    /// A Claude Code leftover (`*.orphaned-*.jsonl`, `*.jsonl.superseded-*`): its responses count only
    /// where no other file holds them.
    pub leftover: bool,
}

/// True for the names of the leftovers Claude Code keeps beside transcripts: an orphaned copy
/// (`<id>.orphaned-<stamp>.jsonl`) or a superseded one (`<id>.jsonl.superseded-<stamp>`).
pub fn is_leftover(name: &str) -> bool {
    (name.contains(".orphaned-") && name.ends_with(".jsonl")) || name.contains(".jsonl.superseded-")
}

/// Any log name `--logs` folders are searched for (their content decides the format): every format's
/// names, and any `.jsonl` or `.jsonl.zst`.
fn log_name(name: &str) -> bool {
    name.ends_with(".jsonl")
        || name.ends_with(".jsonl.zst")
        || formats::FORMATS.iter().any(|f| f.is_log_name(name))
}

/// Whether a file of `agent` named `name` is a leftover copy, as its format tells.
fn leftover(agent: Agent, name: &str) -> bool {
    formats::format_of(agent).is_ok_and(|f| f.is_leftover(name))
}

/// Keeps a Claude Code project folder when the working directory its sessions ran in passes.
#[derive(Clone)]
pub struct CwdFilter(pub std::sync::Arc<dyn Fn(&Path) -> bool + Send + Sync>);

impl std::fmt::Debug for CwdFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CwdFilter")
    }
}

/// Where to look.
#[derive(Debug, Clone, Default)]
pub struct Locations {
    /// `--logs` paths; when given, the default locations are not searched.
    pub logs: Vec<PathBuf>,
    /// The home directory (`$HOME`).
    pub home: Option<PathBuf>,
    /// `$CLAUDE_CONFIG_DIR`.
    pub claude_config_dir: Option<String>,
    /// `$CODEX_HOME`.
    pub codex_home: Option<PathBuf>,
    /// `$GEMINI_CLI_HOME` (Gemini CLI's replacement for the home folder: its logs are under
    /// `$GEMINI_CLI_HOME/.gemini/tmp`).
    pub gemini_cli_home: Option<PathBuf>,
    /// `$COPILOT_HOME` (default `~/.copilot`).
    pub copilot_home: Option<PathBuf>,
    /// `$OPENCODE_DATA_DIR` (default `$XDG_DATA_HOME/opencode`).
    pub opencode_data_dir: Option<PathBuf>,
    /// `$XDG_DATA_HOME` (default `~/.local/share`).
    pub xdg_data_home: Option<PathBuf>,
    /// The work trees of the repository a command is about: a session whose agent names its project by
    /// a hash (Gemini CLI) gets the work tree whose hash it names as its working directory.
    pub project_roots: Vec<PathBuf>,
    /// Only these agents (empty: all).
    pub agents: Vec<Agent>,
    /// Skip files last modified before this time.
    pub modified_since: Option<SystemTime>,
    /// Only Claude Code project folders whose name starts with one of these (the encoded working
    /// directory of a repository): reading one repository's sessions opens only its folders.
    pub claude_projects: Vec<String>,
    /// Also keep a project folder whose name does not match when the `cwd` its first transcript logs
    /// passes this filter (a repository reached through a symlink, an older folder naming). A folder
    /// whose cwd cannot be read is kept.
    pub project_cwd: Option<CwdFilter>,
    /// Only files named after a session id starting with this (Claude `<id>.jsonl` and its
    /// `<id>/subagents/`, Codex `rollout-…-<id>.jsonl`): `session ID-PREFIX` reads its own files.
    pub session_prefix: Option<String>,
}

impl Locations {
    /// Locations from the process environment.
    pub fn from_env() -> Locations {
        Locations {
            logs: Vec::new(),
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            claude_config_dir: std::env::var("CLAUDE_CONFIG_DIR")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            codex_home: std::env::var_os("CODEX_HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            gemini_cli_home: std::env::var_os("GEMINI_CLI_HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            copilot_home: std::env::var_os("COPILOT_HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            opencode_data_dir: std::env::var_os("OPENCODE_DATA_DIR")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            xdg_data_home: std::env::var_os("XDG_DATA_HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            project_roots: Vec::new(),
            agents: Vec::new(),
            modified_since: None,
            claude_projects: Vec::new(),
            project_cwd: None,
            session_prefix: None,
        }
    }

    fn wants(&self, agent: Agent) -> bool {
        self.agents.is_empty() || self.agents.contains(&agent)
    }

    /// The Claude Code config directories to search, in order.
    pub fn claude_roots(&self) -> Vec<PathBuf> {
        match &self.claude_config_dir {
            Some(dirs) => dirs
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .collect(),
            None => self
                .home
                .iter()
                .flat_map(|h| [h.join(".config/claude"), h.join(".claude")])
                .collect(),
        }
    }

    /// The Codex home directory.
    pub fn codex_root(&self) -> Option<PathBuf> {
        self.codex_home
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".codex")))
    }
}

/// Claude Code's transcript retention: `cleanupPeriodDays` from the first `settings.json` of its config
/// directories that sets it, else its default of 30 days. Returns the days and where they came from.
pub fn claude_cleanup_days(loc: &Locations) -> (u64, String) {
    use std::io::Read;
    for root in loc.claude_roots() {
        let path = root.join("settings.json");
        let Ok(file) = formats::open_regular(&path) else {
            continue;
        };
        let mut text = String::new();
        if file.take(1024 * 1024).read_to_string(&mut text).is_err() {
            continue;
        }
        #[derive(serde::Deserialize)]
        struct Settings {
            #[serde(rename = "cleanupPeriodDays", default)]
            cleanup_period_days: Option<serde_json::Value>,
        }
        if let Ok(s) = serde_json::from_str::<Settings>(&text)
            && let Some(days) = s.cleanup_period_days.as_ref().and_then(|v| v.as_u64())
        {
            return (days, format!("cleanupPeriodDays in {}", path.display()));
        }
    }
    (30, "Claude Code's default cleanupPeriodDays".to_owned())
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Files to parse, largest first.
    pub sources: Vec<Source>,
    /// Directories searched that exist.
    pub roots: Vec<PathBuf>,
    /// Files under `--logs` folders whose content matched no known format.
    pub unrecognized: Vec<PathBuf>,
    /// Files left out because they were last modified before `--since`.
    pub older_than_since: u64,
    /// Folders (or entries) that could not be listed or read, with the reason: reported as unreadable.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Finds every log file to read.
pub fn discover(loc: &Locations) -> Result<Discovered> {
    let mut found = Discovered::default();
    if !loc.logs.is_empty() {
        for path in &loc.logs {
            add_logs_path(loc, path, &mut found)?;
        }
    } else {
        for format in formats::FORMATS {
            if !loc.wants(format.agent()) {
                continue;
            }
            for file in format.log_files(loc) {
                let Ok(meta) = std::fs::symlink_metadata(&file) else {
                    continue;
                };
                if meta.is_file() && recent_enough(loc, &meta, &mut found) {
                    found.sources.push(Source {
                        path: file,
                        agent: format.agent(),
                        size: meta.len(),
                        leftover: false,
                    });
                }
            }
            let per_project = format.keeps_project_folders();
            let scoped = !loc.claude_projects.is_empty() || loc.project_cwd.is_some();
            for root in format.log_roots(loc) {
                if !root.is_dir() || found.roots.contains(&root) {
                    continue;
                }
                found.roots.push(root.clone());
                if !(per_project && scoped) {
                    walk(loc, &root, *format, &mut found);
                    continue;
                }
                // One folder per project: only the repository's own (by name, or by the cwd its first
                // log records).
                let entries = match std::fs::read_dir(&root) {
                    Ok(entries) => entries,
                    Err(e) => {
                        found.unreadable.push((root.clone(), e.to_string()));
                        continue;
                    }
                };
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let by_name = loc
                        .claude_projects
                        .iter()
                        .any(|p| name.starts_with(p.as_str()));
                    let keep = by_name
                        || loc.project_cwd.as_ref().is_some_and(|f| {
                            project_cwd(&entry.path()).is_none_or(|cwd| (f.0)(&cwd))
                        });
                    if keep {
                        walk(loc, &entry.path(), *format, &mut found);
                    }
                }
            }
        }
    }
    // The same directory reached twice (a symlinked ~/.config/claude, a repeated --logs) is read once.
    let mut seen = std::collections::HashSet::new();
    found.sources.retain(|s| {
        let key = std::fs::canonicalize(&s.path).unwrap_or_else(|_| s.path.clone());
        seen.insert(key)
    });
    found
        .sources
        .sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
    Ok(found)
}

fn recent_enough(loc: &Locations, meta: &std::fs::Metadata, found: &mut Discovered) -> bool {
    match (loc.modified_since, meta.modified()) {
        (Some(since), Ok(modified)) if modified < since => {
            found.older_than_since += 1;
            false
        }
        _ => true,
    }
}

/// A directory entry that could not be read (broken link, permissions): a log file is kept as a source so
/// that it is reported by name as unreadable; a folder (a project or `subagents/` folder that cannot be
/// listed) is reported as unreadable with the reason, instead of silently missing from the totals.
fn unreadable(e: walkdir::Error, agent: Agent, found: &mut Discovered) {
    let Some(path) = e.path() else { return };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if log_name(&name) {
        found.sources.push(Source {
            path: path.to_path_buf(),
            agent,
            size: 0,
            leftover: leftover(agent, &name),
        });
    } else {
        let why = e
            .io_error()
            .map_or_else(|| e.to_string(), ToString::to_string);
        found
            .unreadable
            .push((path.to_path_buf(), format!("folder not read: {why}")));
    }
}

fn walk(loc: &Locations, root: &Path, format: &dyn formats::Format, found: &mut Discovered) {
    let agent = format.agent();
    for entry in WalkDir::new(root).follow_links(true) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                unreadable(e, agent, found);
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if !format.is_log_name(&name) {
            continue;
        }
        if let Some(prefix) = &loc.session_prefix
            && !format.named_after(entry.path(), root, prefix)
        {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || !recent_enough(loc, &meta, found) {
            continue;
        }
        found.sources.push(Source {
            path: entry.path().to_path_buf(),
            agent,
            size: meta.len(),
            leftover: leftover(agent, &name),
        });
    }
}

/// The `cwd` logged by a project folder's first transcript (read from its first 64 KiB), if any. Only a
/// regular file is opened: a FIFO named `*.jsonl` is passed over, never waited on.
fn project_cwd(dir: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let mut f = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .find_map(|p| formats::open_regular(&p).ok())?;
    let mut buf = vec![0; 64 * 1024];
    let n = f.read(&mut buf).ok()?;
    let text = &buf[..n];
    let key = b"\"cwd\":";
    let at = memchr::memmem::find(text, key)? + key.len();
    let rest = &text[at..];
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &rest[start..];
    if rest.first() != Some(&b'"') {
        return None;
    }
    // The JSON string literal: up to the first quote not escaped by a backslash.
    let mut i = 1;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 2,
            b'"' => break,
            _ => i += 1,
        }
    }
    let literal = std::str::from_utf8(rest.get(..=i)?).ok()?;
    serde_json::from_str::<String>(literal)
        .ok()
        .map(PathBuf::from)
}

fn add_logs_path(loc: &Locations, path: &Path, found: &mut Discovered) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_file() {
        let agent = formats::sniff(path)?.ok_or_else(|| Error::UnknownFormat {
            path: path.to_path_buf(),
        })?;
        if loc.wants(agent) && recent_enough(loc, &meta, found) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            found.sources.push(Source {
                path: path.to_path_buf(),
                agent,
                size: meta.len(),
                leftover: leftover(agent, &name),
            });
        }
        return Ok(());
    }
    if !meta.is_dir() {
        return Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file or folder (a FIFO, socket or device is never read)",
            ),
        });
    }
    found.roots.push(path.to_path_buf());
    for entry in WalkDir::new(path).follow_links(true) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                // The agent is unknown, but the path is what the user needs: parsing it fails and
                // reports the file as unreadable.
                unreadable(e, Agent::ClaudeCode, found);
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if !log_name(&name) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || meta.len() == 0 || !recent_enough(loc, &meta, found) {
            continue;
        }
        match formats::sniff(entry.path()) {
            Ok(Some(agent)) if loc.wants(agent) => found.sources.push(Source {
                path: entry.path().to_path_buf(),
                agent,
                size: meta.len(),
                leftover: leftover(agent, &name),
            }),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => found.unrecognized.push(entry.path().to_path_buf()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_config_dir_is_comma_separated_and_replaces_the_defaults() {
        let loc = Locations {
            home: Some("/home/u".into()),
            claude_config_dir: Some("/a, /b".into()),
            ..Locations::default()
        };
        assert_eq!(
            loc.claude_roots(),
            vec![PathBuf::from("/a"), PathBuf::from("/b")]
        );
        let loc = Locations {
            home: Some("/home/u".into()),
            ..Locations::default()
        };
        assert_eq!(
            loc.claude_roots(),
            vec![
                PathBuf::from("/home/u/.config/claude"),
                PathBuf::from("/home/u/.claude")
            ]
        );
        assert_eq!(loc.codex_root(), Some(PathBuf::from("/home/u/.codex")));
    }
}
