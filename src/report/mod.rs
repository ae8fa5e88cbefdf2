//! Renderers: the same reports as terminal tables or JSON. They format; they never compute.

pub mod html;
pub mod json;
pub mod markdown;
pub mod table;
pub mod team;

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

/// A period-over-period change as `+12%` / `-3%`, or `new` when the previous period had none.
pub fn trend(now: f64, before: f64) -> String {
    if before <= 0.0 || !before.is_finite() || !now.is_finite() {
        return "new".into();
    }
    let d = (now - before) / before * 100.0;
    format!("{}{d:.0}%", if d >= 0.0 { "+" } else { "" })
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

#[cfg(test)]
mod tests {
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
}
