//! `export`: every session as NDJSON or OTLP JSON records, printed or posted, and `review --from` reading them back.

use super::super::*;

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

use crate::export::{self, ExportOptions, Item, PriceFacts, RepoFacts};

/// Runs `export`.
pub fn run(c: &Ctx<'_>, a: &ExportArgs) -> Result<ExitCode> {
    let (g, now, tz) = (c.g, c.now, &c.tz);
    // Everything that can be refused is refused before the logs are read.
    let endpoint = match &a.otlp_endpoint {
        Some(url) => {
            if a.format == Some(ExportFormat::Ndjson) {
                bail!("--otlp-endpoint posts OTLP JSON: drop --format ndjson (or the endpoint)");
            }
            if a.out.is_some() {
                bail!("--otlp-endpoint posts the export: --out has nothing to write");
            }
            Some(export::http::Endpoint::parse(url)?)
        }
        None => None,
    };
    let machine = match &a.machine {
        Some(m) if m.trim().is_empty() || m.chars().any(char::is_control) => {
            bail!("--machine must be a non-empty name without control characters")
        }
        Some(m) => m.clone(),
        None => export::default_machine(),
    };
    let coverage = if a.all {
        reports::Coverage::AllRepos
    } else {
        reports::Coverage::Repo(repo_scope(
            a.repo.as_deref(),
            "`export` exports the sessions of one repository: run it inside a git repository, or pass \
             --repo PATH, or --all for every session (each with the repository it ran in)",
        )?)
    };
    let filters = Filters {
        agent: a.agent.clone(),
        since: a.since.clone(),
        until: a.until.clone(),
        json: false,
    };
    let built = reports::build(
        g,
        &filters,
        coverage,
        a.base.clone(),
        &a.window,
        now,
        tz,
        a.steps,
    )?;
    let facts: Vec<Option<RepoFacts>> = built
        .groups
        .iter()
        .map(|gr| gr.scope.as_ref().map(|s| RepoFacts::of(s, gr.base.clone())))
        .collect();
    let price_facts: Vec<PriceFacts> = built
        .groups
        .iter()
        .map(|gr| PriceFacts::of(&gr.settings.prices))
        .collect();
    let items: Vec<Item<'_>> = built
        .reports
        .iter()
        .map(|(gi, r)| Item {
            report: r,
            repo: facts[*gi].as_ref(),
            prices: &built.groups[*gi].settings.prices,
            price_facts: &price_facts[*gi],
        })
        .collect();
    let opts = ExportOptions {
        machine,
        exported_at: now,
        include_paths: a.include_paths,
        steps: a.steps,
    };
    if let Some(ep) = endpoint {
        let requests = export::otlp::requests(&items, &opts);
        for (i, body) in requests.iter().enumerate() {
            let rejected = ep.post_json(body.as_bytes()).with_context(|| {
                format!(
                    "request {} of {} not accepted (the ones before were; posting again is safe: \
                     span ids are the same)",
                    i + 1,
                    requests.len()
                )
            })?;
            if rejected.spans > 0 {
                eprintln!(
                    "warning: the collector rejected {} spans of request {}: {}",
                    rejected.spans,
                    i + 1,
                    rejected.message
                );
            }
        }
        eprintln!(
            "posted {} sessions in {} requests to {}",
            items.len(),
            requests.len(),
            ep.given
        );
        return Ok(ExitCode::SUCCESS);
    }
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match a.format.unwrap_or(ExportFormat::Ndjson) {
            ExportFormat::Ndjson => export::ndjson::write(&items, &opts, out)?,
            ExportFormat::OtlpJson => export::otlp::write(&items, &opts, out)?,
        }
        out.flush()
    };
    match &a.out {
        Some(path) => {
            let file = open_out(path)?;
            write(&mut std::io::BufWriter::new(file))
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} sessions to {}", items.len(), path.display());
        }
        None => {
            let stdout = std::io::stdout().lock();
            match write(&mut std::io::BufWriter::with_capacity(1 << 16, stdout)) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(e).context("cannot write to stdout");
                }
                _ => {}
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(in crate::cli) fn team_review(
    a: &ReviewArgs,
    now: Timestamp,
    tz: &TimeZone,
    color: bool,
) -> Result<ExitCode> {
    let (since, until) = super::review::review_period(a, now, tz)?;
    let ex = export::read::read(&a.from)?;
    let r = crate::metrics::team::team_review(&ex, since, until);
    let out = match a.format {
        ReviewFormat::Table => report::team::table_text(&r, color),
        ReviewFormat::Json => report::team::json(&r),
        ReviewFormat::Md | ReviewFormat::Html => {
            bail!("review --from gives the team review as --format table or json")
        }
    };
    match &a.out {
        Some(path) => {
            write_out(path, &out)?;
            eprintln!("wrote {}", path.display());
        }
        None => emit(&out)?,
    }
    Ok(ExitCode::SUCCESS)
}
