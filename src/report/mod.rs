//! Renderers: the same reports as terminal tables or JSON. They format; they never compute.
//!
//! Every string that comes from a log, a repository or a config (session ids, model and tool names,
//! paths, branch names, commit summaries) is someone else's text: [`term_safe`] makes it inert on a
//! terminal, [`md_code`] and [`md_text`] in Markdown.

use std::borrow::Cow;

pub mod html;
pub mod json;
pub mod markdown;
pub mod table;
pub mod team;

/// True for a character that must not reach a terminal or a Markdown line from data: C0 controls
/// (newline, tab, ESC, BEL included), DEL, C1 controls (U+0080–U+009F, CSI and OSC among them), the
/// line and paragraph separators, and the bidirectional overrides and isolates that reorder what is
/// shown.
fn is_hostile(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What a hostile character is shown as.
const REPLACEMENT: char = '\u{fffd}';

/// A data string safe to print on a terminal: every control character (see `is_hostile`) replaced
/// by `�`, so a log or a branch cannot clear the screen, set the title, or plant an OSC 8 link.
pub fn term_safe(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_hostile) {
        Cow::Owned(
            s.chars()
                .map(|c| if is_hostile(c) { REPLACEMENT } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// A whole report about to be printed without colour: every control character but the newline
/// replaced. The safety net behind [`term_safe`] on each string (with colour on, the styling's own
/// escape sequences must stay, so only the per-string cleaning applies).
pub fn term_safe_report(s: String) -> String {
    if s.chars().any(|c| c != '\n' && is_hostile(c)) {
        s.chars()
            .map(|c| {
                if c != '\n' && is_hostile(c) {
                    REPLACEMENT
                } else {
                    c
                }
            })
            .collect()
    } else {
        s
    }
}

/// A data string as Markdown inline code, for a sentence or (with `in_table`) a table cell: control
/// characters replaced (a newline can neither end the code span nor the row), a backtick fence longer
/// than any run of backticks inside, and in a table `|` escaped so it cannot split the cell. Inside
/// code GitHub makes no links, mentions or emoji, and `<` is never HTML.
pub fn md_code(s: &str, in_table: bool) -> String {
    let body = term_safe(s);
    let mut body = body.into_owned();
    if in_table {
        body = body.replace('|', "\\|");
    }
    if body.is_empty() {
        return "` `".into();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = body.starts_with('`')
        || body.ends_with('`')
        || (body.starts_with(' ') && body.ends_with(' '));
    if pad {
        format!("{fence} {body} {fence}")
    } else {
        format!("{fence}{body}{fence}")
    }
}

/// A string that mixes agent-audit's words with data, as Markdown text (a sentence or a table cell):
/// control characters replaced, the characters that start emphasis, links, code, HTML, entities or a
/// table cell escaped, and an invisible word joiner after an `@` or `:` that starts a word, so GitHub
/// turns no data into a mention or an emoji.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next_is_word = chars
            .peek()
            .is_some_and(|n| n.is_alphanumeric() || *n == '_');
        match c {
            c if is_hostile(c) => out.push(REPLACEMENT),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' | '#' | '$' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '@' | ':' if next_is_word => {
                out.push(c);
                out.push('\u{2060}');
            }
            c => out.push(c),
        }
    }
    out
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Token counts in a short form: `950`, `12.3k`, `4.56M`, `1.20B`.
pub fn short(n: u64) -> String {
    let f = n as f64;
    if n < 1_000 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{:.1}k", f / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.2}M", f / 1e6)
    } else {
        format!("{:.2}B", f / 1e9)
    }
}

/// A cost, or `?` when unknown.
pub fn usd(cost: Option<f64>) -> String {
    match cost {
        Some(c) if c + 0.0 >= 100.0 => format!("${}", thousands(c.round() as u64)),
        Some(c) if c.abs() < 0.000_05 => "$0.00".into(),
        Some(c) if c.abs() < 0.01 => format!("${c:.4}"),
        Some(c) => format!("${c:.2}"),
        None => "?".into(),
    }
}

/// Seconds as `1h02m`, `5m03s`, `42s`.
pub fn duration(secs: Option<i64>) -> String {
    let Some(s) = secs else { return "-".into() };
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// A time as `YYYY-MM-DD HH:MM` in the report's zone (`--tz`).
pub(crate) fn minute(ts: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// A time as `YYYY-MM-DD HH:MM ZONE` (the zone's abbreviation then, such as `UTC` or `CEST`).
pub(crate) fn minute_labelled(ts: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A time of day as `HH:MM:SS` in the report's zone.
pub(crate) fn clock(ts: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    ts.to_zoned(tz.clone()).strftime("%H:%M:%S").to_string()
}

/// The zone's name for a column header: its IANA name (`Europe/Paris`), `UTC`, or `local`.
pub(crate) fn zone_name(tz: &jiff::tz::TimeZone) -> String {
    match tz.iana_name() {
        Some(n) if n.eq_ignore_ascii_case("etc/utc") => "UTC".to_owned(),
        Some(n) => n.to_owned(),
        None => "local".to_owned(),
    }
}

/// A trend row's three cells, as every review format shows them: this period, the previous one, and the
/// change (`+12%`, `new` when the previous period had none, `-` when a value is unknown or both are 0).
pub(crate) fn trend_cells(row: &crate::metrics::review::TrendRow) -> [String; 3] {
    use crate::metrics::review::Figure;
    let value = |v: Option<f64>, sessions: Option<u64>| {
        let shown = match (v, row.figure) {
            (None, _) => "-".to_owned(),
            (Some(x), Figure::Count) => format!("{x:.0}"),
            (Some(x), Figure::Usd) => usd(Some(x)),
            (Some(x), Figure::UsdPerLine) => format!("${x:.3}"),
        };
        match sessions {
            Some(n) => format!("{n} ({shown})"),
            None => shown,
        }
    };
    let change = match (row.change, row.current, row.previous) {
        (Some(d), _, _) => format!("{}{:.0}%", if d >= 0.0 { "+" } else { "" }, d * 100.0),
        (None, Some(a), Some(_)) if a != 0.0 => "new".to_owned(),
        _ => "-".to_owned(),
    };
    [
        value(row.current, row.sessions.map(|s| s.0)),
        value(row.previous, row.sessions.map(|s| s.1)),
        change,
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn trend_cells_show_the_change_new_or_unknown() {
        use crate::metrics::review::{PeriodTotals, trend_rows};
        let now = PeriodTotals {
            cost_usd: 6.0,
            lines_merged: 10,
            cost_per_merged_line: Some(0.6),
            ..Default::default()
        };
        let before = PeriodTotals {
            cost_usd: 4.0,
            ..Default::default()
        };
        let rows = trend_rows(&now, &before);
        let cells = |l: &str| super::trend_cells(rows.iter().find(|r| r.label == l).expect("row"));
        assert_eq!(cells("spend"), ["$6.00", "$4.00", "+50%"]);
        assert_eq!(cells("merged lines"), ["10", "0", "new"]);
        assert_eq!(cells("cost per merged line"), ["$0.600", "-", "-"]);
        assert_eq!(cells("leverage"), ["0 ($0.00)", "0 ($0.00)", "-"]);
    }

    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(short(12_345), "12.3k");
        assert_eq!(short(4_560_000), "4.56M");
        assert_eq!(usd(Some(0.126)), "$0.13");
        assert_eq!(usd(None), "?");
        assert_eq!(usd(Some(1155.63)), "$1,156");
        assert_eq!(duration(Some(3720)), "1h02m");
    }

    #[test]
    fn terminal_strings_lose_every_control_character() {
        let hostile =
            "a\u{1b}[2J\u{1b}]0;title\u{7}b\u{9b}31mc\u{1b}]8;;http://x\u{1b}\\d\ne\tf\u{202e}g";
        let safe = term_safe(hostile);
        assert!(!safe.chars().any(is_hostile), "{safe:?}");
        assert!(safe.contains("[2J") && safe.starts_with('a') && safe.ends_with('g'));
        assert!(matches!(term_safe("plain ünïcode"), Cow::Borrowed(_)));
        assert_eq!(term_safe_report("a\u{1b}b\nc".into()), "a\u{fffd}b\nc");
    }

    #[test]
    fn markdown_code_spans_hold_any_data() {
        assert_eq!(md_code("abc", false), "`abc`");
        assert_eq!(md_code("a`b", false), "``a`b``");
        assert_eq!(md_code("`x", false), "`` `x ``");
        assert_eq!(md_code("a|b", true), "`a\\|b`");
        assert_eq!(md_code("a\nb", false), "`a\u{fffd}b`");
        assert_eq!(md_code("", false), "` `");
        assert_eq!(
            md_text("<details> *x* @team"),
            "&lt;details&gt; \\*x\\* @\u{2060}team"
        );
        assert_eq!(md_text("theater: 1 :x:"), "theater: 1 :\u{2060}x:");
    }
}
