//! `.agent-audit.toml`, read from the repository root (or the current directory outside a repository),
//! or the file `--config FILE` names instead. Command-line flags win over it. Unknown keys are an
//! error, so a typo never silently does nothing.
//!
//! The file comes with the repository, so it is treated as someone else's: only a regular file inside
//! the repository is read (a link to `~/.aws/credentials`, `/proc/self/environ`, `/dev/zero` or
//! `/dev/stdin` is refused before it is opened, and a FIFO is never opened for reading), at most
//! [`MAX_SIZE`] bytes, and an error names only the offending key and its position — never the file's
//! content, which would end up in CI logs.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::metrics::{Routing, Thresholds, Tier};
use crate::pricing::PriceOverride;

/// The config file's name.
pub const FILE_NAME: &str = ".agent-audit.toml";

/// The largest config or price file read (1 MiB): these files are a few hundred bytes.
pub const MAX_SIZE: u64 = 1024 * 1024;

/// The parsed config.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Price overrides: `[prices."model-id"]` with USD per million tokens.
    #[serde(default)]
    pub prices: BTreeMap<String, PriceOverride>,
    /// Route tier overrides: `[tiers]` `"model-id-or-pattern*" = "premium" | "standard" | "economy"`.
    #[serde(default)]
    pub tiers: BTreeMap<String, Tier>,
    /// `[routing]`: economy model per provider, and the output limit of a "short answer".
    #[serde(default)]
    pub routing: Routing,
    /// `[thresholds]`: flag and verdict thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Where it was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Config {
    /// Reads `dir/.agent-audit.toml`; a missing file is the default config. The file must be a regular
    /// file inside `dir` (a symlink to another file of `dir` is followed; one out of it is an error).
    pub fn load_from(dir: &Path) -> Result<Config> {
        let path = dir.join(FILE_NAME);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(Error::Read { path, source }),
            Ok(_) => {}
        }
        let text = read_text(&path, Some(dir))?;
        let mut cfg: Config = parse_toml(&path, &text)?;
        cfg.path = Some(path);
        Ok(cfg)
    }

    /// Reads the file `--config FILE` names (a regular file anywhere, at most [`MAX_SIZE`]).
    pub fn load_file(path: &Path) -> Result<Config> {
        let text = read_text(path, None)?;
        let mut cfg: Config = parse_toml(path, &text)?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }
}

/// Where a command's settings came from, printed by `check` so a reviewer sees whether the branch's
/// own config was in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Provenance {
    /// `repository` (`.agent-audit.toml` of the work tree), `--config`, or `none` (the defaults).
    pub config_source: &'static str,
    /// The config file read: relative to the repository root for the repository's own file.
    pub config: Option<String>,
    /// True when the repository has a `.agent-audit.toml` that was not read (`--config` or
    /// `--no-repo-config`).
    pub repo_config_ignored: bool,
    /// The price table: `embedded` plus the files whose overrides were applied, in order.
    pub price_overrides: Vec<String>,
    /// The newest `as_of` date of the embedded table.
    pub embedded_prices_as_of: String,
}

impl Provenance {
    /// One line for people: `config: .agent-audit.toml (repository); prices: embedded table (as of …)`.
    pub fn line(&self) -> String {
        let config = match (self.config_source, &self.config) {
            ("repository", Some(p)) => format!("{p} (the repository's)"),
            ("--config", Some(p)) => format!("{p} (--config)"),
            _ => "none, defaults".to_string(),
        };
        let ignored = if self.repo_config_ignored {
            format!(", the repository's {FILE_NAME} not read")
        } else {
            String::new()
        };
        let mut prices = format!("embedded table (as of {})", self.embedded_prices_as_of);
        if !self.price_overrides.is_empty() {
            prices.push_str(" with overrides from ");
            prices.push_str(&self.price_overrides.join(", "));
        }
        format!("config: {config}{ignored}; prices: {prices}")
    }
}

/// Reads a config or price file as text: a regular file (after following links), at most
/// [`MAX_SIZE`] bytes, UTF-8. With `within`, the file (links resolved) must lie inside that folder.
/// Never blocks on a FIFO or a device, and never reads more than the limit.
pub fn read_text(path: &Path, within: Option<&Path>) -> Result<String> {
    let refuse = |message: String| Error::Config {
        path: path.to_path_buf(),
        message,
    };
    let real = match std::fs::canonicalize(path) {
        Ok(real) => real,
        // A link to nothing, or to something that is no path (`/dev/stdin` of a pipe).
        Err(_) if within.is_some() && std::fs::symlink_metadata(path).is_ok() => {
            return Err(refuse(
                "it is a link to a file outside the repository or to nothing, which is not read \
                 (pass --config FILE to use a file of your own)"
                    .into(),
            ));
        }
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if let Some(dir) = within {
        let dir = std::fs::canonicalize(dir).map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        if !real.starts_with(&dir) {
            return Err(refuse(
                "it is a link to a file outside the repository, which is not read (pass --config \
                 FILE to use a file of your own)"
                    .into(),
            ));
        }
    }
    let meta = std::fs::metadata(&real).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_file() {
        return Err(refuse("not a regular file, not read".into()));
    }
    if meta.len() > MAX_SIZE {
        return Err(refuse(format!(
            "larger than {} KiB, not read",
            MAX_SIZE / 1024
        )));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        // `real` has no links left: refuse one swapped in since, and never wait on a FIFO.
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts.open(&real).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let opened = file.metadata().map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !opened.is_file() {
        return Err(refuse("not a regular file, not read".into()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_SIZE {
        return Err(refuse(format!(
            "larger than {} KiB, not read",
            MAX_SIZE / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, col) = position(prefix, valid);
        refuse(format!("not UTF-8 (line {line}, column {col})"))
    })
}

/// Parses TOML; an error says what is wrong with which key, and where — never the text it read.
pub fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        message: describe(text, &e),
    })
}

/// A TOML error told without the file's content: what kind of error, the key (only when it looks like
/// a key name), the table it is in, and the line and column.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message();
    let at = e.span().map(|s| s.start);
    let key_at = at.and_then(|i| key_on_line(text, i));
    let table = at.and_then(|i| table_before(text, i));
    let quoted = |prefix: &str| {
        msg.strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .and_then(key_name)
    };
    let mut out = if let Some(k) = quoted("unknown field `") {
        format!("unknown key `{k}`")
    } else if msg.starts_with("unknown field") {
        "unknown key".to_string()
    } else if let Some(k) = quoted("missing field `") {
        format!("missing key `{k}`")
    } else if let Some(k) = quoted("duplicate key `") {
        format!("duplicate key `{k}`")
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        // serde says "invalid type: string \"<the value>\", expected f64": keep only what was expected,
        // which is ours.
        let expected = msg
            .rsplit_once(", expected ")
            .map(|(_, exp)| exp)
            .filter(|exp| exp.len() <= 80 && !exp.contains('"') && !exp.contains('\''))
            .map(|exp| format!(" (expected {exp})"))
            .unwrap_or_default();
        match &key_at {
            Some(k) => format!("wrong type or value for key `{k}`{expected}"),
            None => format!("wrong type or value{expected}"),
        }
    } else if msg.starts_with("unknown variant") {
        match &key_at {
            Some(k) => format!("unknown value for key `{k}`"),
            None => "unknown value".to_string(),
        }
    } else {
        "not valid TOML".to_string()
    };
    if let Some(t) = table {
        out.push_str(&format!(" in [{t}]"));
    }
    if let Some(i) = at {
        let (line, col) = position(text, i);
        out.push_str(&format!(" at line {line}, column {col}"));
    }
    out
}

/// 1-based line and column (in characters) of byte offset `at`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The key of `key = value` on the line holding byte `at`, when it looks like a key name.
fn key_on_line(text: &str, at: usize) -> Option<String> {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].split('\n').next()?;
    let (key, _) = line.split_once('=')?;
    key_name(key.trim())
}

/// The name of the last `[table]` header before byte `at`, when it looks like a table name.
fn table_before(text: &str, at: usize) -> Option<String> {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let line = text[..at]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))?;
    let name = line
        .trim_start_matches('[')
        .split(']')
        .next()?
        .trim()
        .to_string();
    // Only the tables this file has: a `[` line inside a multi-line array is not a header.
    let first = name.split('.').next().unwrap_or_default();
    if !matches!(first, "prices" | "tiers" | "routing" | "thresholds") {
        return None;
    }
    key_name(&name)
}

/// `s` when it looks like a key or table name of this file (model ids and patterns included): short,
/// printable ASCII without spaces or quotes other than `"` around a dotted part. Anything else is not
/// echoed.
fn key_name(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'-' | b'.' | b'*' | b'/' | b':' | b'@' | b'"')
        });
    ok.then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(text: &str) -> String {
        parse_toml::<Config>(Path::new("c.toml"), text)
            .expect_err("invalid")
            .to_string()
    }

    #[test]
    fn errors_name_the_key_and_the_place_never_the_value() {
        let e = err_of("[thresholds]\nmax_cost_per_merged_line = \"hunter2-secret\"\n");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(
            e.contains("`max_cost_per_merged_line`") && e.contains("[thresholds]"),
            "{e}"
        );
        assert!(e.contains("line 2"), "{e}");

        let e = err_of("[thresholds]\nAWS_SECRET = \"AKIA-hunter2\"\n");
        assert!(
            e.contains("unknown key `AWS_SECRET`") && !e.contains("hunter2"),
            "{e}"
        );

        let e = err_of("aws_secret_access_key = hunter2/with+stuff\n");
        assert!(
            e.contains("not valid TOML") && !e.contains("hunter2"),
            "{e}"
        );

        let e = err_of("[tiers]\n\"claude-*\" = \"hunter2\"\n");
        assert!(!e.contains("hunter2"), "{e}");

        let e = err_of("PATH=/usr/bin\0HOME=/root\0TOKEN=hunter2\0");
        assert!(!e.contains("hunter2") && !e.contains("/root"), "{e}");
    }

    #[test]
    fn a_bracketed_line_that_is_no_table_is_not_echoed() {
        let e = err_of("x = [\n[\"hunter2\"]\n\"y\" = 1\n");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn a_key_that_does_not_look_like_one_is_not_echoed() {
        let e = err_of("[thresholds]\n\"my password is hunter2\" = 1\n");
        assert!(e.contains("unknown key") && !e.contains("hunter2"), "{e}");
    }
}
