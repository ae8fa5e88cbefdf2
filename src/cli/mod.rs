//! The command line: clap derive structs, and the wiring from flags to the library's pipeline
//! (discover → ingest → metrics → report). The only module besides `main` that knows about stdout,
//! stderr and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::config::{Config, Provenance};
use crate::discover::{self, Locations};
use crate::formats::Depth;
use crate::git::RepoScope;
use crate::hook::{self, HookKind, HookOptions};
use crate::ingest::{self, Ingested};
use crate::metrics::usage::{GroupBy, usage_report};
use crate::metrics::{ReadSummary, SessionReport, SessionsReport, Settings};
use crate::model::Agent;
use crate::pricing::PriceTable;
use crate::report;
use crate::term::{self, ColorChoice};
use crate::timespec;

pub mod commands;
mod index_cmd;
mod inputs;
mod reports;

pub use commands::check::{CheckArgs, CheckFormat};
pub use commands::export::{ExportArgs, ExportFormat};
pub use commands::hook::{HookCommand, HookInstallArgs, HookUninstallArgs};
pub use commands::index::IndexCommand;
pub use commands::prices::PricesArgs;
pub use commands::review::{ReviewArgs, ReviewFormat};
pub use commands::session::SessionArgs;
pub use commands::sessions::SessionsArgs;
pub use commands::usage::{ByArg, UsageArgs};

use inputs::*;

/// Audit coding-agent sessions from their own logs: what consumed the tokens, what it cost.
#[derive(Debug, Parser)]
#[command(name = "agent-audit", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Read logs from this file or folder instead of the agents' default locations (repeatable; the
    /// format is sniffed from each file's content).
    #[arg(long, value_name = "PATH", global = true)]
    pub logs: Vec<PathBuf>,
    /// Price overrides: a TOML file with `[prices."model-id"]` tables (USD per million tokens).
    #[arg(long, value_name = "FILE", global = true)]
    pub prices: Option<PathBuf>,
    /// Read the settings from this file instead of the repository's `.agent-audit.toml` (in CI: pin
    /// the thresholds and prices, so the branch under review cannot change them).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Do not read the repository's `.agent-audit.toml`: the defaults (or --config) apply.
    #[arg(long, global = true)]
    pub no_repo_config: bool,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Time zone for dates and day/week/month keys (IANA name such as `Europe/Paris`, or `UTC`);
    /// default: `TZ`, else the system's.
    #[arg(long, value_name = "ZONE", global = true)]
    pub tz: Option<String>,
    /// Also list the files whose lines were skipped, and why.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Pretend it is this time (RFC 3339) when resolving spans like `7d`; for reproducible runs.
    #[arg(long, env = "AGENT_AUDIT_NOW", hide = true, global = true)]
    pub now: Option<String>,
    /// Do not use the index (`agent-audit index status` says where it is): read every log as if for the
    /// first time, and write nothing. Also `AGENT_AUDIT_NO_INDEX=1`.
    #[arg(long, env = "AGENT_AUDIT_NO_INDEX", value_parser = clap::builder::FalseyValueParser::new(), global = true)]
    pub no_index: bool,
    /// Leave out the sessions whose logs were deleted after they were indexed (by default they are
    /// still counted from the index, marked `log_gone`).
    #[arg(long, global = true)]
    pub only_present: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Token and cost totals over all discovered logs, grouped by day, week, month, session or model.
    Usage(UsageArgs),
    /// Sessions that ran inside this git repository (or `--repo`), newest first.
    Sessions(SessionsArgs),
    /// One session in detail: its figures, and per edited file where its lines went (commit, merged,
    /// still in HEAD).
    Session(SessionArgs),
    /// Summarise the branch for a pre-merge check or CI: the sessions whose lines are in base..HEAD,
    /// their cost, agent vs human lines, review burden; exit 1 when a --fail-on rule is broken.
    Check(CheckArgs),
    /// The weekly self-review across this repository (or --all): spend vs merged work, verdict mix, the
    /// sessions to look at first, retries, routing savings, and the trend against the period before.
    Review(ReviewArgs),
    /// Build a small example repository and agent logs (Claude Code and Codex) in a temporary folder and
    /// run every report on them: a tour without logs of your own.
    Demo {
        /// Build it in this folder and keep it (default: a temporary folder, removed afterwards).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// Install or remove a git hook (pre-push by default) that runs `agent-audit check` and shows its
    /// summary; it never blocks git unless `--fail-on` is given.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Print a shell completion script: `agent-audit completions bash > ~/.local/share/bash-completion/completions/agent-audit`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// The embedded price table (with overrides applied), with each entry's source and date.
    Prices(PricesArgs),
    /// Every session's cost and outcome as records for the engines a team runs: NDJSON
    /// (`agent-audit/export/v1`, for DuckDB, ClickHouse, BigQuery…) or OpenTelemetry spans (OTLP
    /// JSON), printed, or posted to an OTLP/HTTP collector with --otlp-endpoint. No prompt, response,
    /// command or file content; paths and repository addresses hashed unless --include-paths.
    Export(ExportArgs),
    /// The incremental index of parsed logs (and the ledger of sessions whose logs were deleted): where
    /// it is and what it holds, rebuild it, or delete it.
    #[command(subcommand)]
    Index(IndexCommand),
}

/// `--agent NAME`: any name a registered log format answers to (`formats::FORMATS`).
fn agent_arg(name: &str) -> std::result::Result<Agent, String> {
    crate::formats::agent_named(name).ok_or_else(|| {
        let names: Vec<&str> = crate::formats::FORMATS
            .iter()
            .flat_map(|f| f.names().iter().copied())
            .collect();
        format!("unknown agent `{name}` (known: {})", names.join(", "))
    })
}

/// Filters shared by the reports.
#[derive(Debug, Args)]
pub struct Filters {
    /// Only these agents (repeatable).
    #[arg(long, value_parser = agent_arg, value_name = "AGENT")]
    pub agent: Vec<Agent>,
    /// Only activity from this time on: YYYY-MM-DD, RFC 3339, or a span back from now (7d, 12h, 2w).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only activity before this time (same forms as --since; a date means the start of that day).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// What every command's `run` is given: the global flags, the time zone they name, the time it is
/// (`--now` for reproducible runs) and whether to colour.
pub struct Ctx<'a> {
    /// The global flags.
    pub g: &'a Global,
    /// `--tz`, else `TZ`, else the system's zone.
    pub tz: TimeZone,
    /// Now, or `--now`.
    pub now: Timestamp,
    /// Colour the output.
    pub color: bool,
}

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    let tz = time_zone(g.tz.as_deref())?;
    // Aider's history headers are local times with no zone: read them in the same zone.
    crate::formats::aider::read_headers_in(&tz);
    let now = match &g.now {
        Some(n) => n
            .parse::<Timestamp>()
            .with_context(|| format!("--now / AGENT_AUDIT_NOW `{n}` is not an RFC 3339 time"))?,
        None => Timestamp::now(),
    };
    let c = Ctx {
        g,
        tz,
        now,
        color: g.color.enabled(),
    };
    match &cli.command {
        Command::Usage(a) => commands::usage::run(&c, a),
        Command::Sessions(a) => commands::sessions::run(&c, a),
        Command::Session(a) => commands::session::run(&c, a),
        Command::Check(a) => commands::check::run(&c, a),
        Command::Review(a) => commands::review::run(&c, a),
        Command::Demo { keep } => commands::demo::run(keep.as_deref(), c.color, c.now),
        Command::Hook(h) => commands::hook::run(h),
        Command::Completions { shell } => commands::completions::run(*shell),
        Command::Prices(a) => commands::prices::run(&c, a),
        Command::Export(a) => commands::export::run(&c, a),
        Command::Index(i) => {
            emit(&commands::index::run(g, i)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks of every command and flag (conflicting names, bad defaults…).
    #[test]
    fn verify_app() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
