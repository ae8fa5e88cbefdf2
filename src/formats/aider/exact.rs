//! Exact token counts for an Aider history, from the analytics log Aider writes with
//! `--analytics-log FILE`: one JSON object a line, and for each model call a `message_send` event with
//! `prompt_tokens`, `completion_tokens`, `cost` and the Unix `time` it ended.
//!
//! The log is read when it sits beside the history as [`ANALYTICS`] (the name to give `--analytics-log`).
//! It may hold every Aider run of the machine, so an event is taken for a step only when it agrees with
//! what the history printed: the event's counts, printed the way Aider prints them (`3.2k`, `12k`, or
//! exact below a thousand), are the step's `sent` and `received`, and its time lies in the session (from
//! its header to the next header of the same history). Events are taken in order, each once. A step so
//! matched gets the exact counts and the event's time; cache counts are not in the event and stay as
//! printed.
//!
//! `.aider.llm.history` (`--llm-history-file`) holds the prompts and replies but no token counts: it is
//! not read for counts.

use std::path::Path;

use serde::Deserialize;

use super::super::LineReader;
use crate::model::Session;

/// The analytics log's name beside the history.
pub const ANALYTICS: &str = ".aider.analytics.jsonl";

/// One `message_send` event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Send {
    /// Unix seconds.
    pub time: i64,
    /// `prompt_tokens`.
    pub prompt: u64,
    /// `completion_tokens`.
    pub completion: u64,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    event: std::borrow::Cow<'a, str>,
    #[serde(default)]
    properties: Props,
    #[serde(default)]
    time: Option<i64>,
}

#[derive(Deserialize, Default)]
struct Props {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

/// The `message_send` events of an analytics log, in file order; `None` when it cannot be opened. Lines
/// that are not such events (other events, torn or foreign lines) are passed over: the log is a side
/// source, and the history's own counts stand without it.
pub fn read_sends(path: &Path) -> Option<Vec<Send>> {
    let mut r = LineReader::open(path).ok()?;
    let mut out = Vec::new();
    while let Ok(Some(line)) = r.read_line() {
        if line.oversized || memchr::memmem::find(line.bytes, b"message_send").is_none() {
            continue;
        }
        let Ok(e) = serde_json::from_slice::<Event<'_>>(line.bytes) else {
            continue;
        };
        if e.event != "message_send" {
            continue;
        }
        if let (Some(time), Some(prompt), Some(completion)) = (
            e.time,
            e.properties.prompt_tokens,
            e.properties.completion_tokens,
        ) {
            out.push(Send {
                time,
                prompt,
                completion,
            });
        }
    }
    Some(out)
}

/// A count as Aider's `format_tokens` prints it: exact below 1k, one decimal below 10k, then whole `k`.
pub fn printed(n: u64) -> String {
    if n < 1_000 {
        n.to_string()
    } else if n < 10_000 {
        format!("{:.1}k", n as f64 / 1_000.0)
    } else {
        format!("{}k", (n as f64 / 1_000.0).round() as u64)
    }
}

/// Whether an exact count agrees with the count the history shows (rounded as Aider rounds, or exact).
fn agrees(exact: u64, shown: u64) -> bool {
    exact == shown || printed(exact) == printed(shown)
}

/// Reads [`ANALYTICS`] beside `history`, if there is one, into the sessions read from it.
pub fn apply_beside(history: &Path, sessions: &mut [Session]) {
    let Some(dir) = history.parent() else { return };
    let log = dir.join(ANALYTICS);
    if sessions.is_empty() || !log.is_file() {
        return;
    }
    if let Some(sends) = read_sends(&log) {
        apply(&sends, &log, sessions);
    }
}

/// Gives each session's steps the exact counts of the events that agree with them (see the module).
pub fn apply(sends: &[Send], log: &Path, sessions: &mut [Session]) {
    let starts: Vec<Option<i64>> = sessions
        .iter()
        .map(|s| s.started_at.map(|t| t.as_second()))
        .collect();
    let mut cursor = 0usize;
    for (i, s) in sessions.iter_mut().enumerate() {
        let Some(from) = starts[i] else { continue };
        let to = starts[i + 1..]
            .iter()
            .flatten()
            .copied()
            .find(|&t| t > from)
            .unwrap_or(i64::MAX);
        let mut matched = 0usize;
        for step in &mut s.steps {
            let Some(u) = step.usage.as_mut() else {
                continue;
            };
            let found = sends[cursor..].iter().position(|e| {
                e.time >= from
                    && e.time < to
                    && agrees(e.prompt, u.input)
                    && agrees(e.completion, u.output)
            });
            let Some(k) = found else { continue };
            let e = sends[cursor + k];
            cursor += k + 1;
            u.input = e.prompt;
            u.output = e.completion;
            if let Ok(at) = jiff::Timestamp::from_second(e.time) {
                step.at = at;
            }
            matched += 1;
        }
        if matched == 0 {
            continue;
        }
        let times: Vec<_> = s.steps.iter().map(|st| st.at).collect();
        for t in times {
            s.saw(t);
        }
        let total = s.steps.len();
        if matched == total {
            s.notes
                .retain(|n| !n.starts_with("Aider prints token counts above a thousand rounded"));
        }
        s.notes.push(format!(
            "exact token counts and times of {matched} of {total} steps from Aider's analytics log `{}`{}",
            log.display(),
            if matched == total {
                ""
            } else {
                " (the other steps keep the history's rounded counts)"
            }
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_like_aider() {
        assert_eq!(printed(999), "999");
        assert_eq!(printed(3_249), "3.2k");
        assert_eq!(printed(12_566), "13k");
        assert!(agrees(3_249, 3_200));
        assert!(!agrees(3_349, 3_200));
        assert!(agrees(5_244, 5_244));
    }

    #[test]
    fn the_real_analytics_sample() {
        let Some(p) = super::super::super::shared_sample("aider/aider-sample-analytics.jsonl")
        else {
            return;
        };
        let sends = read_sends(&p).expect("read");
        let (prompt, completion) = sends
            .iter()
            .fold((0, 0), |(a, b), e| (a + e.prompt, b + e.completion));
        assert_eq!((sends.len(), prompt, completion), (107, 2_484_349, 45_772));
    }
}
