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

mod export;
mod index_cmd;
mod inputs;
mod reports;
mod workflows;

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

/// `index` subcommands.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Where the index is, its schema version, size, and how many files and deleted logs it holds.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Empty the index and index the agents' logs again (at token-count depth). The sessions of
    /// deleted logs that only the index still held are lost.
    Rebuild,
    /// Delete the index's database files (the ledger of deleted logs with them).
    Forget,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The repository (any path inside it); default: the current directory's.
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Every session in the logs, each correlated with the repository it ran in (sessions outside any
    /// repository have no outcome).
    #[arg(long, conflicts_with = "repo")]
    pub all: bool,
    /// Only these agents (repeatable).
    #[arg(long, value_parser = agent_arg, value_name = "AGENT")]
    pub agent: Vec<Agent>,
    /// Only sessions active from this time on: YYYY-MM-DD, RFC 3339, or a span back from now (7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only sessions active before this time (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// The branch merged lines must reach; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// How long after a session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
    /// Output format (default: ndjson; --otlp-endpoint always sends OTLP JSON).
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Also one record (NDJSON) or child span (OTLP) per step.
    #[arg(long)]
    pub steps: bool,
    /// The machine label in every record; default: a stable hash of the host name (never the raw
    /// name unless given here).
    #[arg(long, value_name = "NAME")]
    pub machine: Option<String>,
    /// Working directories, repository roots and remote addresses in clear (credentials removed);
    /// without it they are SHA-256 pseudonyms.
    #[arg(long)]
    pub include_paths: bool,
    /// Post the spans to this OTLP/HTTP collector (`http://host:4318`; `/v1/traces` when the address has
    /// no path) instead of printing them. The only network use agent-audit makes.
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One `agent-audit/export/v1` JSON record per line.
    Ndjson,
    /// OpenTelemetry spans in the OTLP JSON encoding, one `ExportTraceServiceRequest` per line.
    OtlpJson,
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

/// `usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// How to group the rows.
    #[arg(long, value_enum, default_value_t = ByArg::Day)]
    pub by: ByArg,
    /// Filters and output.
    #[command(flatten)]
    pub filters: Filters,
}

/// `--by` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// Calendar day.
    Day,
    /// ISO week.
    Week,
    /// Calendar month.
    Month,
    /// Session.
    Session,
    /// Model.
    Model,
}

/// `sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// The repository (any path inside it); default: the current directory's.
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Every session in the logs, whatever repository it ran in.
    #[arg(long, conflicts_with = "repo")]
    pub all: bool,
    /// Show at most this many sessions (the newest).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// The branch merged lines must reach; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// How long after a session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
    /// Filters and output.
    #[command(flatten)]
    pub filters: Filters,
}

/// `session`.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// The session id, or a unique prefix of it.
    pub id: String,
    /// The repository (any path inside it); default: the current directory's.
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Look the session up in every log, without git correlation (no outcome, verdict `lead`).
    #[arg(long, conflicts_with = "repo")]
    pub all: bool,
    /// The branch merged lines must reach; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// How long after the session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write a POSIX sh hook that runs `agent-audit check --format table` (output on stderr). Without
    /// --fail-on it always exits 0; an existing hook is kept, renamed `<hook>.agent-audit-chained`,
    /// and run first. Respects core.hooksPath; installing again updates the hook in place.
    Install(HookInstallArgs),
    /// Remove agent-audit's hook and put back the hook it had chained. A hook agent-audit did not
    /// write is left untouched (exit 2).
    Uninstall(HookUninstallArgs),
}

/// `hook install`.
#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// Which git hook.
    #[arg(long = "hook", value_enum, default_value_t = HookKind::PrePush)]
    pub kind: HookKind,
    /// Stop the push or commit when this rule is broken (repeatable; the rules of `check --fail-on`,
    /// checked now). When agent-audit is missing or errors, the hook still lets git go on.
    #[arg(long = "fail-on", value_name = "RULE")]
    pub fail_on: Vec<String>,
}

/// `hook uninstall`.
#[derive(Debug, Args)]
pub struct HookUninstallArgs {
    /// Which git hook.
    #[arg(long = "hook", value_enum, default_value_t = HookKind::PrePush)]
    pub kind: HookKind,
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The branch to compare with; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Exit 1 when this rule is broken (repeatable): `theater`, `lead`, a flag such as `retry-loop`,
    /// or `cost>N`, `cost-per-line>N`, `premium-share>N`, `tokens>N`.
    #[arg(long = "fail-on", value_name = "RULE")]
    pub fail_on: Vec<String>,
    /// How long after a session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
}

/// `review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Start of the period: YYYY-MM-DD, RFC 3339, or a span back from now.
    #[arg(long, value_name = "WHEN", default_value = "7d")]
    pub since: String,
    /// End of the period (default: now).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Table)]
    pub format: ReviewFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Every repository found in the logs, not only the current one.
    #[arg(long)]
    pub all: bool,
    /// The branch merged lines must reach; default: the remote's HEAD branch, else main, else master.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// How long after a session its lines may still be committed (a span: 30d, 2w).
    #[arg(long, value_name = "SPAN", default_value = "30d")]
    pub window: String,
    /// The team review from NDJSON exports (`agent-audit export`) of several machines instead of this
    /// machine's logs; records are deduplicated by key (formats: table, json).
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["all", "base"])]
    pub from: Vec<PathBuf>,
}

/// `review --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// Aligned text.
    Table,
    /// Markdown.
    Md,
    /// One self-contained HTML page with charts (inline CSS and SVG, no network).
    Html,
    /// JSON (`agent-audit/review/v1`).
    Json,
}

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Aligned text.
    Table,
    /// Markdown for a pull-request comment.
    Md,
    /// JSON (`agent-audit/check/v1`).
    Json,
}

/// `prices`.
#[derive(Debug, Args)]
pub struct PricesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Show the table as it was on this UTC date (YYYY-MM-DD): each model's price set valid that day.
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// Compare the table with a price list you downloaded (LiteLLM's model_prices_and_context_window.json
    /// or a genai-prices data file) and list the models your logs use that the table lacks. Offline.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
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
    let color = g.color.enabled();
    let out = match &cli.command {
        Command::Prices(a) => return workflows::prices(g, a, now, color),
        Command::Usage(a) => {
            let f = &a.filters;
            let window = Window::parse(f, now, &tz)?;
            let ing = read_logs(g, f, &window, Depth::Usage, None)?;
            let prices = load_prices(g, config_dir().as_deref())?;
            let by = match a.by {
                ByArg::Day => GroupBy::Day,
                ByArg::Week => GroupBy::Week,
                ByArg::Month => GroupBy::Month,
                ByArg::Session => GroupBy::Session,
                ByArg::Model => GroupBy::Model,
            };
            let keep = |s: &crate::model::Step| window.contains(s.at);
            let r = usage_report(&ing.sessions, by, &tz, &prices, &keep);
            let read = ReadSummary::of(&ing);
            let tz_name = tz.iana_name().unwrap_or("local").to_owned();
            if f.json {
                report::json::usage(&r, &tz_name, &read)?
            } else {
                report::table::usage(&r, &tz_name, &read, color)
            }
        }
        Command::Check(a) => return workflows::check(g, a, now, &tz, color),
        Command::Demo { keep } => return workflows::demo(keep.as_deref(), color, now),
        Command::Hook(HookCommand::Install(a)) => {
            let dir = std::env::current_dir().context("cannot read the current directory")?;
            // Written into the script as the fallback when `agent-audit` is not on PATH.
            let exe = std::env::current_exe()
                .context("cannot find the path of the running agent-audit binary")?;
            let opts = HookOptions {
                kind: a.kind,
                fail_on: a.fail_on.clone(),
            };
            format!("{}\n", hook::install(&dir, &opts, &exe)?)
        }
        Command::Hook(HookCommand::Uninstall(a)) => {
            let dir = std::env::current_dir().context("cannot read the current directory")?;
            format!("{}\n", hook::uninstall(&dir, a.kind)?)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "agent-audit", &mut out);
            String::from_utf8_lossy(&out).into_owned()
        }
        Command::Review(a) if !a.from.is_empty() => {
            return export::team_review(a, now, &tz, color);
        }
        Command::Review(a) => return workflows::review(g, a, now, &tz, color),
        Command::Export(a) => return export::export(g, a, now, &tz),
        Command::Index(c) => index_cmd::run(g, c)?,
        Command::Session(a) => {
            let scope = if a.all {
                None
            } else {
                Some(repo_scope(
                    a.repo.as_deref(),
                    "`session` explains a session of one repository: run it inside a git \
                         repository, or pass --repo PATH, or --all to look it up in every log without git",
                )?)
            };
            // First only the files named after the id (and, in a repository, only its Claude project
            // folders); all Codex rollouts are candidates.
            let mut loc = locations(g, scope.as_ref());
            if loc.logs.is_empty() {
                loc.session_prefix = Some(a.id.clone());
            }
            let mut ing = read_from(g, &loc, Depth::Full, true)?;
            if !ing.sessions.iter().any(|s| s.id.starts_with(&a.id)) {
                // Not named after its id (an old layout): read every log of the repository.
                loc.session_prefix = None;
                ing = read_from(g, &loc, Depth::Full, false)?;
            }
            let matches: Vec<&crate::model::Session> = ing
                .sessions
                .iter()
                .filter(|s| s.id.starts_with(&a.id))
                .filter(|s| match &scope {
                    Some(scope) => s.cwd.as_deref().is_some_and(|c| scope.contains(c)),
                    None => true,
                })
                .collect();
            let place = scope
                .as_ref()
                .map_or("the logs".to_string(), |s| s.root.display().to_string());
            let session = match matches.as_slice() {
                [one] => *one,
                [] => bail!(
                    "no session of {place} has an id starting with `{}` (see `agent-audit sessions`)",
                    a.id
                ),
                many => bail!(
                    "`{}` matches {} sessions: {}; give more characters",
                    a.id,
                    many.len(),
                    report::term_safe(
                        &many
                            .iter()
                            .map(|s| s.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                ),
            };
            let settings = load_settings(
                g,
                scope
                    .as_ref()
                    .map(|s| s.root.clone())
                    .or_else(config_dir)
                    .as_deref(),
                now,
            )?;
            let (outcome, base, git_notes) = match &scope {
                Some(scope) => {
                    let store = index_cmd::commit_store(g, &scope.root);
                    let opts = crate::git::CorrelateOptions {
                        base: a.base.clone(),
                        after_s: span_seconds(&a.window, now, &tz)?,
                        commit_cache: store
                            .clone()
                            .map(|s| s as std::sync::Arc<dyn crate::git::walk::CommitCache>),
                        ..Default::default()
                    };
                    let t0 = std::time::Instant::now();
                    // The other sessions of the repository compete for the same lines: read every log
                    // that can hold one whose window meets this session's (written after its start
                    // minus the window), so `session ID` gives the figures `sessions` gives.
                    let mut rivals_loc = locations(g, Some(scope));
                    rivals_loc.modified_since = session.started_at.map(|t| {
                        std::time::UNIX_EPOCH
                            + std::time::Duration::from_secs(
                                (t.as_second() - opts.before_s - opts.after_s).max(0) as u64,
                            )
                    });
                    // Only logs that name one of its files can hold a competing edit.
                    let needles: Vec<String> = crate::git::lines::session_lines(
                        session,
                        scope.tree_of(session.cwd.as_deref().unwrap_or(&scope.root)),
                    )
                    .files
                    .into_keys()
                    .collect();
                    let everyone = if needles.is_empty() {
                        crate::ingest::Ingested::default()
                    } else {
                        // The session's own files are read already.
                        read_mentioning(
                            g,
                            &rivals_loc,
                            Depth::Full,
                            true,
                            &needles,
                            &session.files,
                        )?
                    };
                    let mut all: Vec<&crate::model::Session> = vec![session];
                    // Other sessions of the files read first (a transcript can hold several), then
                    // those of the other logs.
                    let mut seen = std::collections::HashSet::new();
                    seen.insert((session.agent, session.id.as_str()));
                    all.extend(ing.sessions.iter().chain(&everyone.sessions).filter(|s| {
                        s.cwd.as_deref().is_some_and(|c| scope.contains(c))
                            && seen.insert((s.agent, s.id.as_str()))
                    }));
                    let c = crate::git::correlate_focus(scope, &all, &[0], &opts)?;
                    index_cmd::save_commits(store.as_deref(), g);
                    if g.verbose > 1 {
                        eprintln!("timing: git correlation {:?}", t0.elapsed());
                    }
                    (c.outcomes.into_iter().next(), c.base, c.notes)
                }
                None => (None, None, Vec::new()),
            };
            let report = SessionsReport {
                repo: scope.map(|s| s.root),
                base,
                git_notes,
                sessions: vec![SessionReport::new(session, &settings, outcome, true)],
                read: ReadSummary::of(&ing),
                tz: tz.clone(),
            };
            if a.json {
                report::json::session(&report)?
            } else {
                report::table::session(&report, color)
            }
        }
        Command::Sessions(a) => {
            let coverage = if a.all {
                reports::Coverage::All
            } else {
                reports::Coverage::Repo(repo_scope(
                    a.repo.as_deref(),
                    "`sessions` lists the sessions of one repository: run it inside a git \
                         repository, or pass --repo PATH, or --all for every session",
                )?)
            };
            let b = reports::build(
                g,
                &a.filters,
                coverage,
                a.base.clone(),
                &a.window,
                now,
                &tz,
                false,
            )?;
            let mut groups = b.groups;
            let group = (!groups.is_empty()).then(|| groups.swap_remove(0));
            let mut sessions: Vec<SessionReport> = b.reports.into_iter().map(|(_, r)| r).collect();
            if let Some(n) = a.limit {
                sessions.truncate(n);
            }
            let (repo, base, git_notes) = match group {
                Some(gr) => (gr.scope.map(|s| s.root), gr.base, gr.notes),
                None => (None, None, Vec::new()),
            };
            let r = SessionsReport {
                repo,
                base,
                git_notes,
                sessions,
                read: b.read,
                tz: tz.clone(),
            };
            if a.filters.json {
                report::json::sessions(&r)?
            } else {
                report::table::sessions(&r, color)
            }
        }
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
