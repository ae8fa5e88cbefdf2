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

use crate::config::Config;
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
}

/// `--agent` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AgentArg {
    /// Claude Code.
    #[value(alias = "claude-code")]
    Claude,
    /// Codex CLI.
    Codex,
}

impl From<AgentArg> for Agent {
    fn from(a: AgentArg) -> Agent {
        match a {
            AgentArg::Claude => Agent::ClaudeCode,
            AgentArg::Codex => Agent::Codex,
        }
    }
}

/// Filters shared by the reports.
#[derive(Debug, Args)]
pub struct Filters {
    /// Only these agents (repeatable).
    #[arg(long, value_enum)]
    pub agent: Vec<AgentArg>,
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
}

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    let tz = time_zone(g.tz.as_deref())?;
    let now = match &g.now {
        Some(n) => n
            .parse::<Timestamp>()
            .with_context(|| format!("--now / AGENT_AUDIT_NOW `{n}` is not an RFC 3339 time"))?,
        None => Timestamp::now(),
    };
    let color = g.color.enabled();
    let out = match &cli.command {
        Command::Prices(a) => {
            let prices = load_prices(g, None)?;
            if a.json {
                report::json::prices(&prices)
            } else {
                report::table::prices(&prices, color)
            }
        }
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
                report::json::usage(&r, &tz_name, &read)
            } else {
                report::table::usage(&r, &tz_name, &read, color)
            }
        }
        Command::Check(a) => return check(g, a, now, &tz, color),
        Command::Demo { keep } => return demo(keep.as_deref(), color, now),
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
        Command::Review(a) => return review(g, a, now, &tz, color),
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
                    many.iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
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
                    let opts = crate::git::CorrelateOptions {
                        base: a.base.clone(),
                        after_s: span_seconds(&a.window, now, &tz)?,
                        ..Default::default()
                    };
                    let t0 = std::time::Instant::now();
                    let c = crate::git::correlate(scope, &[session], &opts)?;
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
            };
            if a.json {
                report::json::session(&report)
            } else {
                report::table::session(&report, color)
            }
        }
        Command::Sessions(a) => {
            let f = &a.filters;
            let window = Window::parse(f, now, &tz)?;
            let scope = if a.all {
                None
            } else {
                Some(repo_scope(
                    a.repo.as_deref(),
                    "`sessions` lists the sessions of one repository: run it inside a git \
                         repository, or pass --repo PATH, or --all for every session",
                )?)
            };
            let ing = read_logs(g, f, &window, Depth::Full, scope.as_ref())?;
            let settings = load_settings(
                g,
                scope
                    .as_ref()
                    .map(|s| s.root.clone())
                    .or_else(config_dir)
                    .as_deref(),
                now,
            )?;
            let chosen: Vec<&crate::model::Session> = ing
                .sessions
                .iter()
                .filter(|s| match &scope {
                    None => true,
                    Some(scope) => s.cwd.as_deref().is_some_and(|c| scope.contains(c)),
                })
                .filter(|s| window.overlaps(s.started_at, s.ended_at))
                .collect();
            let (outcomes, base, git_notes) = match &scope {
                Some(scope) => {
                    let opts = crate::git::CorrelateOptions {
                        base: a.base.clone(),
                        after_s: span_seconds(&a.window, now, &tz)?,
                        ..Default::default()
                    };
                    let c = crate::git::correlate(scope, &chosen, &opts)?;
                    (c.outcomes.into_iter().map(Some).collect(), c.base, c.notes)
                }
                None => (vec![None; chosen.len()], None, Vec::new()),
            };
            let t0 = std::time::Instant::now();
            let mut sessions: Vec<SessionReport> = {
                use rayon::prelude::*;
                let pairs: Vec<_> = chosen.iter().zip(outcomes).collect();
                pairs
                    .into_par_iter()
                    .map(|(s, o)| SessionReport::new(s, &settings, o, false))
                    .collect()
            };
            sessions.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.id.cmp(&b.id)));
            if g.verbose > 1 {
                eprintln!(
                    "timing: {} session reports in {:?}",
                    sessions.len(),
                    t0.elapsed()
                );
            }
            if let Some(n) = a.limit {
                sessions.truncate(n);
            }
            let r = SessionsReport {
                repo: scope.map(|s| s.root),
                base,
                git_notes,
                sessions,
                read: ReadSummary::of(&ing),
            };
            if f.json {
                report::json::sessions(&r)
            } else {
                report::table::sessions(&r, color)
            }
        }
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn check(
    g: &Global,
    a: &CheckArgs,
    now: Timestamp,
    tz: &TimeZone,
    color: bool,
) -> Result<ExitCode> {
    let rules = a
        .fail_on
        .iter()
        .map(|r| crate::metrics::branch::Rule::parse(r).map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    let scope = repo_scope(
        None,
        "`check` summarises the current branch of a git repository",
    )?;
    let facts = crate::git::branch_facts(&scope, a.base.as_deref())?;
    let after_s = span_seconds(&a.window, now, tz)?;
    // Only logs that can hold the branch's sessions: this repository's Claude project folders, files
    // written after the oldest branch commit minus the window.
    let mut loc = locations(g, Some(&scope));
    loc.modified_since = facts.oldest.map(|t| {
        std::time::UNIX_EPOCH + std::time::Duration::from_secs((t - after_s).max(0) as u64)
    });
    let ing = read_from(g, &loc, Depth::Full, true)?;
    let settings = load_settings(g, Some(&scope.root), now)?;
    // Only sessions whose window (start − 10 min … end + window) meets the branch's commits can hold
    // their lines: the others are not correlated at all.
    let defaults = crate::git::CorrelateOptions::default();
    let chosen: Vec<&crate::model::Session> = ing
        .sessions
        .iter()
        .filter(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)))
        .filter(
            |s| match (facts.oldest, facts.newest, s.started_at, s.ended_at) {
                (Some(oldest), Some(newest), Some(start), Some(end)) => {
                    start.as_second() - defaults.before_s <= newest
                        && end.as_second() + after_s >= oldest
                }
                (None, _, _, _) => false,
                _ => true,
            },
        )
        .collect();
    let opts = crate::git::CorrelateOptions {
        base: Some(facts.base.clone()),
        after_s,
        ..Default::default()
    };
    let c = crate::git::correlate(&scope, &chosen, &opts)?;
    let mut sessions: Vec<SessionReport> = chosen
        .iter()
        .zip(c.outcomes)
        .filter(|(_, o)| {
            o.commit_matches
                .iter()
                .any(|m| facts.commits.contains(&m.sha))
        })
        .map(|(s, o)| SessionReport::new(s, &settings, Some(o), false))
        .collect();
    sessions.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.id.cmp(&b.id)));
    let mut r = crate::metrics::branch::branch_report(&facts, sessions);
    r.broken = rules.iter().filter_map(|rule| rule.broken_by(&r)).collect();
    let out = match a.format {
        CheckFormat::Table => report::table::check(&r, color),
        CheckFormat::Md => report::markdown::check(&r),
        CheckFormat::Json => report::json::check(&r),
    };
    emit(&out)?;
    if r.broken.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for b in &r.broken {
            eprintln!("check failed: {b}");
        }
        Ok(ExitCode::from(1))
    }
}

fn demo(keep: Option<&Path>, color: bool, now: Timestamp) -> Result<ExitCode> {
    let root = match keep {
        Some(dir) => dir.to_path_buf(),
        None => std::env::temp_dir().join(format!("agent-audit-demo-{}", std::process::id())),
    };
    if root.exists()
        && std::fs::read_dir(&root)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not empty: the demo needs a fresh folder",
            root.display()
        );
    }
    let d = crate::demo::build(&root, now).context("cannot build the demo")?;
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let run = |title: &str, args: &[&str]| -> Result<()> {
        println!("\n$ agent-audit {}    # {title}", args.join(" "));
        let out = std::process::Command::new(&exe)
            .args(args)
            .arg("--color")
            .arg(if color { "always" } else { "never" })
            .current_dir(&d.repo)
            .env("HOME", &d.home)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("CODEX_HOME")
            .output()
            .with_context(|| format!("cannot run {}", exe.display()))?;
        std::io::stdout().write_all(&out.stdout)?;
        std::io::stdout().write_all(&out.stderr)?;
        Ok(())
    };
    println!(
        "agent-audit demo: an example repository with three agent sessions, in {}\n\
         (1) Claude Code wrote a parser, merged with a merge commit; (2) Codex added a cache, squash-merged \
         after a human tweak; (3) Claude Code on Opus read broadly, retried failing edits, and its branch \
         was abandoned.",
        d.root.display()
    );
    run(
        "what the tokens cost, per session",
        &["usage", "--by", "session"],
    )?;
    run(
        "this repository's sessions and what became of their lines",
        &["sessions"],
    )?;
    run(
        "one session, step by step",
        &["session", &d.sessions[2][..8]],
    )?;
    run(
        "the squash-merged Codex session",
        &["session", &d.sessions[1][..8]],
    )?;
    let html = d.root.join("review.html");
    let html_s = html.to_string_lossy().into_owned();
    run("the weekly self-review", &["review", "--since", "30d"])?;
    run(
        "the same as a page with charts",
        &[
            "review", "--since", "30d", "--format", "html", "--out", &html_s,
        ],
    )?;
    crate::demo::checkout(&d.repo, "experiment/rewrite")?;
    run(
        "a pre-merge check of the abandoned branch, as a PR comment",
        &["check", "--format", "md", "--fail-on", "theater"],
    )?;
    crate::demo::checkout(&d.repo, "main")?;
    println!(
        "\nThe check above exits 1 because of --fail-on theater. Now run `agent-audit sessions` inside \
         your own repository."
    );
    if keep.is_some() {
        println!(
            "Kept: {} (HOME={} to rerun the reports there)",
            d.root.display(),
            d.home.display()
        );
    } else {
        let _ = std::fs::remove_dir_all(&d.root);
    }
    Ok(ExitCode::SUCCESS)
}

fn review(
    g: &Global,
    a: &ReviewArgs,
    now: Timestamp,
    tz: &TimeZone,
    color: bool,
) -> Result<ExitCode> {
    let since = timespec::parse_instant(&a.since, now, tz)?;
    let until = match &a.until {
        Some(u) => timespec::parse_instant(u, now, tz)?,
        None => now,
    };
    if until <= since {
        bail!("--until must be after --since");
    }
    let prev_since =
        Timestamp::from_second(since.as_second() - (until.as_second() - since.as_second()))
            .context("the period is too long")?;
    let own = if a.all {
        None
    } else {
        Some(repo_scope(
            None,
            "`review` covers one repository: run it inside one, or pass --all for every repository \
             in the logs",
        )?)
    };
    let mut loc = locations(g, own.as_ref());
    loc.modified_since = Some(std::time::SystemTime::from(prev_since));
    let ing = read_from(g, &loc, Depth::Full, true)?;
    let in_window =
        |s: &&crate::model::Session| s.started_at.is_some_and(|t| t >= prev_since && t < until);
    // The repositories: this one, or with --all every repository a session ran in.
    let mut groups: Vec<(RepoScope, Vec<&crate::model::Session>)> = Vec::new();
    if a.all {
        let mut by_root: std::collections::BTreeMap<PathBuf, usize> = Default::default();
        let mut cache: std::collections::HashMap<PathBuf, Option<RepoScope>> = Default::default();
        for s in ing.sessions.iter().filter(in_window) {
            let Some(cwd) = &s.cwd else { continue };
            let Some(scope) = cache
                .entry(cwd.clone())
                .or_insert_with(|| RepoScope::discover(cwd).ok())
                .clone()
            else {
                continue;
            };
            let i = *by_root.entry(scope.root.clone()).or_insert_with(|| {
                groups.push((scope, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(s);
        }
    } else if let Some(scope) = own {
        let chosen = ing
            .sessions
            .iter()
            .filter(in_window)
            .filter(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)))
            .collect();
        groups.push((scope, chosen));
    }
    let after_s = span_seconds(&a.window, now, tz)?;
    let mut reports = Vec::new();
    let mut repos = Vec::new();
    for (scope, sessions) in &groups {
        let settings = load_settings(g, Some(&scope.root), now)?;
        let opts = crate::git::CorrelateOptions {
            base: a.base.clone(),
            after_s,
            ..Default::default()
        };
        let c = crate::git::correlate(scope, sessions, &opts)?;
        for (s, o) in sessions.iter().zip(c.outcomes) {
            reports.push(SessionReport::new(s, &settings, Some(o), false));
        }
        repos.push(scope.root.clone());
    }
    let r = crate::metrics::review::review_report(repos, &reports, since, until, tz);
    let out = match a.format {
        ReviewFormat::Table => report::table::review(&r, color),
        ReviewFormat::Md => report::markdown::review(&r),
        ReviewFormat::Html => report::html::review(&r),
        ReviewFormat::Json => report::json::review(&r),
    };
    match &a.out {
        Some(path) => {
            std::fs::write(path, out)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            emit(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A span such as `30d` in seconds (resolved against `now`, so months have their real length).
fn span_seconds(span: &str, now: Timestamp, tz: &TimeZone) -> Result<i64> {
    let back = timespec::parse_instant(span, now, tz)?;
    Ok(now.as_second() - back.as_second())
}

/// The repository of `repo` (or of the current directory); `why` says what the command needs it for.
fn repo_scope(repo: Option<&Path>, why: &str) -> Result<RepoScope> {
    let dir = match repo {
        Some(r) => r.to_path_buf(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    RepoScope::discover(&dir).map_err(|e| anyhow::anyhow!(e).context(why.to_owned()))
}

/// Writes a report to stdout; a closed pipe (`| head`) is not an error.
fn emit(out: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to stdout")
        }
        _ => Ok(()),
    }
}

fn time_zone(name: Option<&str>) -> Result<TimeZone> {
    match name {
        None => Ok(TimeZone::system()),
        Some(n) if n.eq_ignore_ascii_case("utc") => Ok(TimeZone::UTC),
        Some(n) => TimeZone::get(n).with_context(|| format!("unknown time zone `{n}`")),
    }
}

/// The `--since` / `--until` window.
struct Window {
    since: Option<Timestamp>,
    until: Option<Timestamp>,
}

impl Window {
    fn parse(f: &Filters, now: Timestamp, tz: &TimeZone) -> Result<Window> {
        let p = |s: &Option<String>| -> Result<Option<Timestamp>> {
            Ok(match s {
                Some(s) => Some(timespec::parse_instant(s, now, tz)?),
                None => None,
            })
        };
        Ok(Window {
            since: p(&f.since)?,
            until: p(&f.until)?,
        })
    }

    fn contains(&self, at: Timestamp) -> bool {
        self.since.is_none_or(|s| at >= s) && self.until.is_none_or(|u| at < u)
    }

    fn overlaps(&self, start: Option<Timestamp>, end: Option<Timestamp>) -> bool {
        let (Some(start), Some(end)) = (start, end) else {
            return self.since.is_none() && self.until.is_none();
        };
        self.since.is_none_or(|s| end >= s) && self.until.is_none_or(|u| start < u)
    }
}

/// Where `.agent-audit.toml` is looked for outside `sessions`: the enclosing repository's root, else the
/// current directory.
fn config_dir() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    Some(RepoScope::discover(&cwd).map(|s| s.root).unwrap_or(cwd))
}

fn load_prices(g: &Global, config_dir: Option<&Path>) -> Result<PriceTable> {
    Ok(load_settings(g, config_dir, Timestamp::now())?.prices)
}

/// Prices, tiers, routing and thresholds: the defaults, then `.agent-audit.toml` in `config_dir`, then
/// `--prices`.
fn load_settings(g: &Global, config_dir: Option<&Path>, now: Timestamp) -> Result<Settings> {
    let mut set = Settings::new(PriceTable::embedded(), now);
    if let Some(dir) = config_dir {
        let cfg = Config::load_from(dir)?;
        if let Some(path) = &cfg.path {
            set.prices
                .apply_overrides(&cfg.prices, &path.display().to_string())?;
            set.tiers = crate::metrics::TierRules::new(cfg.tiers);
            set.routing = cfg.routing;
            set.thresholds = cfg.thresholds;
        }
    }
    if let Some(path) = &g.prices {
        let overrides = PriceTable::parse_overrides_file(path)?;
        set.prices
            .apply_overrides(&overrides, &path.display().to_string())?;
    }
    Ok(set)
}

/// Where to read logs: `--logs`, else the agents' locations — and for one repository only its Claude Code
/// project folders (by folder name, or by the cwd their transcripts log), so a machine with many
/// projects is not parsed in full to report on one.
fn locations(g: &Global, scope: Option<&RepoScope>) -> Locations {
    let mut loc = Locations::from_env();
    loc.logs = g.logs.clone();
    if let Some(scope) = scope
        && loc.logs.is_empty()
    {
        loc.claude_projects = crate::git::claude_project_prefixes(scope);
        let scope = scope.clone();
        loc.project_cwd = Some(crate::discover::CwdFilter(std::sync::Arc::new(
            move |cwd| scope.contains(cwd),
        )));
    }
    loc
}

fn read_logs(
    g: &Global,
    f: &Filters,
    window: &Window,
    depth: Depth,
    scope: Option<&RepoScope>,
) -> Result<Ingested> {
    let mut loc = locations(g, scope);
    loc.agents = f.agent.iter().map(|&a| a.into()).collect();
    loc.modified_since = window.since.map(std::time::SystemTime::from);
    read_from(g, &loc, depth, false)
}

/// Discovers and reads; with `allow_empty`, finding no logs is an empty answer, not an error.
fn read_from(g: &Global, loc: &Locations, depth: Depth, allow_empty: bool) -> Result<Ingested> {
    let found = discover::discover(loc)?;
    if found.sources.is_empty() && !allow_empty {
        let searched: Vec<String> = if loc.logs.is_empty() {
            loc.claude_roots()
                .into_iter()
                .map(|r| r.join("projects"))
                .chain(loc.codex_root().map(|c| c.join("sessions")))
                .map(|p| p.display().to_string())
                .collect()
        } else {
            loc.logs.iter().map(|p| p.display().to_string()).collect()
        };
        if found.older_than_since > 0 {
            eprintln!(
                "note: {} log files were last modified before --since and were not read",
                found.older_than_since
            );
        } else {
            bail!(
                "no Claude Code or Codex session logs found (searched: {}); point --logs at a log \
                 file or folder, or set CLAUDE_CONFIG_DIR / CODEX_HOME",
                searched.join(", ")
            );
        }
    }
    let total: u64 = found.sources.iter().map(|s| s.size).sum();
    let bar = term::progress(total, g.verbose > 0);
    let t0 = std::time::Instant::now();
    let ing = ingest::ingest(&found.sources, depth, &|n| bar.inc(n));
    bar.finish_and_clear();
    if g.verbose > 1 {
        eprintln!(
            "timing: read {} files ({} bytes) in {:?}",
            found.sources.len(),
            total,
            t0.elapsed()
        );
    }
    if g.verbose > 0 {
        for (path, skips) in &ing.skipped_by_file {
            let reasons: Vec<String> = skips
                .by_reason
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            eprintln!("skipped in {}: {}", path.display(), reasons.join(", "));
        }
        for path in &found.unrecognized {
            eprintln!("not a known log format, not read: {}", path.display());
        }
        for path in &ing.duplicate_files {
            eprintln!(
                "same session as another file, not counted again: {}",
                path.display()
            );
        }
    }
    for (path, why) in &ing.unreadable {
        eprintln!("warning: cannot read {}: {why}", path.display());
    }
    if ing.files == 0 && !ing.unreadable.is_empty() {
        let (path, why) = &ing.unreadable[0];
        bail!(
            "no log could be read (first failure: {}: {why})",
            path.display()
        );
    }
    Ok(ing)
}
