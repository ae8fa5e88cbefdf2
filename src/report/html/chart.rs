//! A small SVG chart kit for the review page: coordinates, linear axes with round tick steps, the chart
//! frame with its text alternative, grid lines and the empty state. No review figures here: only
//! geometry, tested on its own.

use std::fmt::Write;

use super::{EMPTY, W, esc, thousands};

/// A coordinate: always finite, one decimal at most.
pub(super) fn n(x: f64) -> String {
    let x = if x.is_finite() { x + 0.0 } else { 0.0 };
    let s = format!("{x:.1}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_owned(),
        None => s,
    }
}

/// A linear axis from 0 to `max` in `step`s of 1, 2, 2.5 or 5 × 10ⁿ (whole steps for counts).
pub(super) struct Axis {
    pub(super) max: f64,
    pub(super) step: f64,
}

impl Axis {
    pub(super) fn nice(max: f64, target: f64, integer: bool) -> Axis {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let raw = max / target.max(1.0);
        let mag = 10f64.powf(raw.log10().floor());
        let norm = raw / mag;
        let mult = if norm <= 1.0 {
            1.0
        } else if norm <= 2.0 {
            2.0
        } else if norm <= 2.5 && !(integer && mag < 10.0) {
            2.5
        } else if norm <= 5.0 {
            5.0
        } else {
            10.0
        };
        let mut step = mult * mag;
        if integer {
            step = step.round().max(1.0);
        }
        if !step.is_finite() || step <= 0.0 {
            step = 1.0;
        }
        let max = ((max / step).ceil() * step).max(step);
        Axis { max, step }
    }

    pub(super) fn ticks(&self) -> Vec<f64> {
        let count = (self.max / self.step).round().clamp(1.0, 50.0) as usize;
        (0..=count).map(|i| i as f64 * self.step).collect()
    }

    /// `v` mapped from `[0, max]` onto `[from, to]`.
    pub(super) fn at(&self, v: f64, from: f64, to: f64) -> f64 {
        let v = if v.is_finite() {
            v.clamp(0.0, self.max)
        } else {
            0.0
        };
        from + v / self.max * (to - from)
    }

    /// A dollar tick label with as many decimals as the step needs.
    pub(super) fn usd(&self, v: f64) -> String {
        let decimals = (0..=4)
            .find(|d| {
                let s = self.step * 10f64.powi(*d);
                (s - s.round()).abs() < 1e-6
            })
            .unwrap_or(4) as usize;
        // Cents rather than dimes: `$0.50`, not `$0.5`.
        let decimals = if decimals == 1 { 2 } else { decimals };
        if decimals == 0 {
            format!("${}", thousands(v.round() as u64))
        } else {
            format!("${v:.decimals$}")
        }
    }
}

/// Opens a chart: `<svg>` with its id, title and description (the text alternative).
pub(super) fn open_svg(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg id="{id}" class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        n(W),
        n(height),
        n(W),
        n(height),
        esc(title),
        esc(desc)
    );
}

/// The empty state of a chart: its frame and one sentence.
pub(super) fn empty_plot(out: &mut String, left: f64, top: f64, bottom: f64) {
    let _ = write!(
        out,
        r#"<line class="axis" x1="{l}" y1="{b}" x2="{r}" y2="{b}"/><line class="axis" x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><text class="empty" x="{cx}" y="{cy}" text-anchor="middle">{EMPTY}</text>"#,
        l = n(left),
        r = n(W - 16.0),
        t = n(top),
        b = n(bottom),
        cx = n((left + W - 16.0) / 2.0),
        cy = n((top + bottom) / 2.0),
    );
}

/// Horizontal grid lines, labelled on the left.
pub(super) fn y_grid(
    out: &mut String,
    axis: &Axis,
    (left, right, top, bottom): (f64, f64, f64, f64),
    label: impl Fn(f64) -> String,
) {
    for t in axis.ticks() {
        let y = axis.at(t, bottom, top);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            n(left),
            n(right),
            n(left - 8.0),
            n(y + 4.0),
            esc(&label(t)),
            y = n(y),
        );
    }
}

/// Vertical grid lines with dollar labels below.
pub(super) fn x_grid_usd(
    out: &mut String,
    axis: &Axis,
    (left, right, top, bottom): (f64, f64, f64, f64),
) {
    for t in axis.ticks() {
        let px = axis.at(t, left, right);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{px}" y1="{}" x2="{px}" y2="{}"/><text x="{px}" y="{}" text-anchor="middle">{}</text>"#,
            n(top),
            n(bottom),
            n(bottom + 18.0),
            esc(&axis.usd(t)),
            px = n(px),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_finite_with_one_decimal_at_most() {
        assert_eq!(n(1.0), "1");
        assert_eq!(n(1.26), "1.3");
        assert_eq!(n(f64::NAN), "0");
        assert_eq!(n(f64::INFINITY), "0");
    }

    #[test]
    fn a_frame_carries_its_title_and_description_escaped() {
        let mut out = String::new();
        open_svg(&mut out, "c1", 100.0, "Cost <per> day", "a & b");
        assert!(out.starts_with(r#"<svg id="c1" class="chart""#), "{out}");
        assert!(
            out.contains("<title id=\"c1-title\">Cost &lt;per&gt; day</title>"),
            "{out}"
        );
        assert!(
            out.contains("<desc id=\"c1-desc\">a &amp; b</desc>"),
            "{out}"
        );
    }

    #[test]
    fn nice_axes() {
        let a = Axis::nice(9.3, 5.0, false);
        assert_eq!((a.max, a.step), (10.0, 2.0));
        assert_eq!(a.usd(4.0), "$4");
        let a = Axis::nice(0.37, 5.0, false);
        assert!((a.step - 0.1).abs() < 1e-12);
        assert_eq!(a.usd(0.2), "$0.20");
        let a = Axis::nice(1.1, 5.0, false);
        assert_eq!(a.usd(0.25), "$0.25");
        let a = Axis::nice(3.0, 5.0, true);
        assert_eq!((a.max, a.step), (3.0, 1.0));
        let a = Axis::nice(0.0, 5.0, true);
        assert_eq!(a.ticks(), vec![0.0, 1.0]);
        let a = Axis::nice(12_345.0, 5.0, true);
        assert_eq!(a.step, 2_500.0);
        assert!(a.max >= 12_345.0);
    }
}
