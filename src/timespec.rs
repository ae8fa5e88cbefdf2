//! Dates and spans on the command line (`--since 7d`, `--until 2026-05-01`) and the calendar keys that
//! `usage --by day|week|month` groups on.
//!
//! Calendar keys use the local time zone (`TZ`, else the system's), as ccusage does, unless `--tz` names
//! another; the zone used is printed in the JSON so a total can be checked by hand.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Zoned};

use crate::error::{Error, Result};

/// Parses `YYYY-MM-DD` (start of that day in `tz`), an RFC 3339 time, or a span back from `now` such as
/// `7d`, `12h`, `2w`, `30m` (minutes) or `3mo`.
pub fn parse_instant(input: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp> {
    let s = input.trim();
    let bad = || Error::Date {
        input: input.to_owned(),
    };
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = s.parse::<Date>() {
        return date
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|_| bad());
    }
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return Err(bad());
    }
    let n: i64 = s[..digits].parse().map_err(|_| bad())?;
    // The `try_` forms: a count beyond what a span can hold (`20000000d`) is an error, not a panic.
    let span: Span = match &s[digits..] {
        "m" | "min" => Span::new().try_minutes(n),
        "h" => Span::new().try_hours(n),
        "d" => Span::new().try_days(n),
        "w" => Span::new().try_weeks(n),
        "mo" => Span::new().try_months(n),
        "y" => Span::new().try_years(n),
        _ => return Err(bad()),
    }
    .map_err(|_| bad())?;
    let zoned = now.to_zoned(tz.clone());
    zoned
        .checked_sub(span)
        .map(|z| z.timestamp())
        .map_err(|_| bad())
}

/// Calendar grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// `2026-04-03`.
    Day,
    /// ISO week, `2026-W14`.
    Week,
    /// `2026-04`.
    Month,
}

/// The key of the period `at` falls in, in `tz`.
pub fn period_key(at: Timestamp, period: Period, tz: &TimeZone) -> String {
    let z: Zoned = at.to_zoned(tz.clone());
    let d = z.date();
    match period {
        Period::Day => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Period::Week => {
            let w = d.iso_week_date();
            format!("{:04}-W{:02}", w.year(), w.week())
        }
        Period::Month => format!("{:04}-{:02}", d.year(), d.month()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_dates_and_times() {
        let now: Timestamp = "2026-05-10T12:00:00Z".parse().expect("ts");
        let utc = TimeZone::UTC;
        let at = |s| parse_instant(s, now, &utc).expect(s).to_string();
        assert_eq!(at("7d"), "2026-05-03T12:00:00Z");
        assert_eq!(at("12h"), "2026-05-10T00:00:00Z");
        assert_eq!(at("2w"), "2026-04-26T12:00:00Z");
        assert_eq!(at("2026-05-01"), "2026-05-01T00:00:00Z");
        assert_eq!(at("2026-05-01T08:30:00+02:00"), "2026-05-01T06:30:00Z");
        assert!(parse_instant("yesterday", now, &utc).is_err());
        assert!(parse_instant("7x", now, &utc).is_err());
        // Too far back for a span or for the calendar: an error, never a panic.
        for huge in [
            "20000000d",
            "9999999999d",
            "99999999999999999m",
            "999999y",
            "9999999w",
            "9999999mo",
        ] {
            assert!(parse_instant(huge, now, &utc).is_err(), "{huge}");
        }
    }

    #[test]
    fn period_keys() {
        let at: Timestamp = "2026-01-01T23:30:00Z".parse().expect("ts");
        assert_eq!(period_key(at, Period::Day, &TimeZone::UTC), "2026-01-01");
        assert_eq!(period_key(at, Period::Week, &TimeZone::UTC), "2026-W01");
        assert_eq!(period_key(at, Period::Month, &TimeZone::UTC), "2026-01");
        let tokyo = TimeZone::fixed(jiff::tz::offset(9));
        assert_eq!(period_key(at, Period::Day, &tokyo), "2026-01-02");
    }
}
