//! The library's error type. Every variant names what it was working on (a path, a line, a model id) so the
//! message printed at the edge is enough to act on.

use std::path::PathBuf;

/// Errors the library returns. Bad lines inside a log are not errors: they are counted skips
/// ([`crate::model::Skips`]); an error means a whole input could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A log file or folder could not be opened or read.
    #[error("cannot read `{path}`")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// `--logs PATH` names a file whose content is not a log format agent-audit knows.
    #[error(
        "`{path}` is not a known agent's session log (Claude Code, Codex, Gemini CLI, Copilot CLI, Aider, OpenCode; format sniffed from its first lines, or from the tables of an SQLite database)"
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A config or price file is not valid.
    #[error("invalid config in `{path}`: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line when known.
        message: String,
    },
    /// A date or span given on the command line could not be understood.
    #[error(
        "invalid date or span `{input}`: expected YYYY-MM-DD, an RFC 3339 time, or a span like 7d, 12h, 2w"
    )]
    Date {
        /// What was given.
        input: String,
    },
    /// A git operation failed.
    #[error("git: {context}")]
    Git {
        /// What was being done.
        context: String,
        /// What libgit2 said.
        #[source]
        source: git2::Error,
    },
    /// An agent's SQLite database (OpenCode's `opencode.db`) could not be opened or queried read-only.
    #[error("cannot read the database `{path}`: {message}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// What SQLite said, and what was being read.
        message: String,
    },
    /// Something a command needs is missing, said in plain words.
    #[error("{0}")]
    Usage(String),
    /// A git hook file could not be read, written, moved or removed (`agent-audit hook`).
    #[error("cannot {action} `{path}`")]
    HookFile {
        /// What was being done: `read`, `write`, `move`, `remove`…
        action: &'static str,
        /// The hook file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A report that cannot be written as JSON: JSON text is UTF-8, so a repository or log path that
    /// is not cannot be put in it.
    #[error(
        "cannot print the {schema} document: {message} (JSON holds only UTF-8 text; a repository or \
         log path that is not UTF-8 can only be shown by the table output)"
    )]
    Json {
        /// The document's schema.
        schema: &'static str,
        /// What serde_json said.
        message: String,
    },
    /// A hook file that agent-audit did not write, which it will not remove or replace.
    #[error(
        "`{path}` was not installed by agent-audit (it has no `# agent-audit hook` header line): {what}"
    )]
    ForeignHook {
        /// The hook file.
        path: PathBuf,
        /// What was refused, and what to do instead.
        what: String,
    },
    /// `--otlp-endpoint` is not an address agent-audit can post to, or the collector refused the
    /// request (a redirect is reported, never followed).
    #[error("OTLP endpoint `{endpoint}`: {message}")]
    Endpoint {
        /// The address given.
        endpoint: String,
        /// What is wrong.
        message: String,
    },
    /// The connection to the OTLP endpoint failed.
    #[error("cannot post to the OTLP endpoint `{endpoint}`")]
    Network {
        /// The address given.
        endpoint: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// Shorthand for results of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
