//! `usage`: token and cost totals over every discovered log, grouped by day, week, month, session or model.

use super::super::*;

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

/// Runs `usage`.
pub fn run(c: &Ctx<'_>, a: &UsageArgs) -> Result<ExitCode> {
    let f = &a.filters;
    let window = Window::parse(f, c.now, &c.tz)?;
    let ing = read_logs(c.g, f, &window, Depth::Usage, None)?;
    let prices = load_prices(c.g, config_dir().as_deref())?;
    let by = match a.by {
        ByArg::Day => GroupBy::Day,
        ByArg::Week => GroupBy::Week,
        ByArg::Month => GroupBy::Month,
        ByArg::Session => GroupBy::Session,
        ByArg::Model => GroupBy::Model,
    };
    let keep = |s: &crate::model::Step| window.contains(s.at);
    let r = usage_report(&ing.sessions, by, &c.tz, &prices, &keep);
    let read = ReadSummary::of(&ing);
    let tz_name = c.tz.iana_name().unwrap_or("local").to_owned();
    let out = if f.json {
        report::json::usage(&r, &tz_name, &read)?
    } else {
        report::table::usage(&r, &tz_name, &read, c.color)
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
