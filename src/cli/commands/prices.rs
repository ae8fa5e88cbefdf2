//! `prices`: the embedded price history, as on a date, or checked against a downloaded price list.

use super::super::*;

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

/// `prices`: the table (today's sets, or those of `--at DATE`), or `--check FILE` against a downloaded list.
/// Runs `prices`.
pub fn run(c: &Ctx<'_>, a: &PricesArgs) -> Result<ExitCode> {
    let (g, now, color) = (c.g, c.now, c.color);
    let prices = load_prices(g, None)?;
    let date = match &a.at {
        Some(d) => {
            if d.parse::<jiff::civil::Date>().is_err() || d.len() != 10 {
                bail!("--at `{d}` is not a YYYY-MM-DD date");
            }
            Some(d.clone())
        }
        None => None,
    };
    let today = crate::pricing::utc_date(now);
    let out = match &a.check {
        None if a.json => report::json::prices(&prices, &today, date.as_deref())?,
        None => report::table::prices(&prices, &today, date.as_deref(), color),
        Some(path) => {
            let on = date.unwrap_or_else(|| crate::pricing::utc_date(now));
            let doc = read_price_list(path)?;
            let (format, rows) = crate::pricing::check::parse_foreign(&doc, &on)
                .map_err(|e| anyhow::anyhow!("{}: {e}", shown(path)))?;
            // The models the user's logs use; no logs found is an empty list, not an error.
            let ing = read_from(g, &locations(g, None), Depth::Usage, true)?;
            let used: Vec<String> = ing
                .sessions
                .iter()
                .flat_map(|s| s.steps.iter().filter_map(|st| st.model.clone()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let r = crate::pricing::check::compare(&prices, &on, format, &rows, &used);
            if a.json {
                report::json::prices_check(&r)?
            } else {
                report::table::prices_check(&r, color)
            }
        }
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// A downloaded price list: a regular file of at most 64 MiB (LiteLLM's is a few MB), parsed as JSON.
fn read_price_list(path: &Path) -> Result<serde_json::Value> {
    const MAX: u64 = 64 * 1024 * 1024;
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{}`", shown(path)))?;
    if !meta.is_file() {
        bail!("`{}` is not a regular file", shown(path));
    }
    if meta.len() > MAX {
        bail!("`{}` is larger than 64 MiB: not a price list", shown(path));
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read `{}`", shown(path)))?;
    let reader = std::io::BufReader::new(std::io::Read::take(file, MAX));
    serde_json::from_reader(reader).with_context(|| {
        format!(
            "`{}` is not JSON (a price list is LiteLLM's or genai-prices' JSON file)",
            shown(path)
        )
    })
}
