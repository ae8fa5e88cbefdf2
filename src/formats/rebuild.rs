//! An edit's real lines, rebuilt from the file as it was and the change the agent asked for.
//!
//! Why not read the agent's patch? Claude Code's `structuredPatch` renders every tab as two spaces, while
//! the original file, the tool input and git keep the real tabs: a Go or Makefile line taken from the patch
//! never matches git. The original text plus the requested replacements give the exact new file; a line
//! diff of the two gives hunks of whole lines with their real whitespace (an `old_string` that starts
//! mid-line still yields the whole line git will show). The patch is used only where nothing else exists,
//! and then [`repair_rendered_tabs`] puts the real whitespace back where the tool input has it.

use std::time::{Duration, Instant};

use crate::model::Hunk;

/// One requested replacement, as Claude Code's `Edit` and each entry of `MultiEdit` give it.
#[derive(Debug, Clone, Copy)]
pub struct Replace<'a> {
    /// The text to find (empty: the file is created with `new`).
    pub old: &'a str,
    /// The text to put in its place.
    pub new: &'a str,
    /// Replace every occurrence, not only the first.
    pub all: bool,
}

/// Applies `edits` in order to `original`. `None` when some `old` text is not in the file at that point
/// (the agent normalised quotes or whitespace when it applied it: the caller falls back to the patch).
pub fn apply(original: &str, edits: &[Replace<'_>]) -> Option<String> {
    let mut text = original.to_owned();
    for e in edits {
        if e.old.is_empty() {
            if !text.is_empty() {
                return None;
            }
            text = e.new.to_owned();
            continue;
        }
        if !text.contains(e.old) {
            return None;
        }
        text = if e.all {
            text.replace(e.old, e.new)
        } else {
            text.replacen(e.old, e.new, 1)
        };
    }
    Some(text)
}

/// How long one line diff may run before it settles for a coarser (still correct) answer: two unrelated
/// 20,000-line texts would otherwise take seconds.
const DIFF_DEADLINE: Duration = Duration::from_millis(250);

/// Splits a file's text into lines without their `\n` (and a `\r` before it).
pub fn split_lines(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// Diffs two line slices with a deadline (see `DIFF_DEADLINE`).
pub fn diff_ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<similar::DiffOp> {
    similar::capture_diff_slices_deadline(
        similar::Algorithm::Myers,
        old,
        new,
        Some(Instant::now() + DIFF_DEADLINE),
    )
}

/// The hunks that turn `old` into `new`, one per changed run, with 1-based `old_start`.
pub fn diff_hunks(old: &str, new: &str) -> Vec<Hunk> {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let mut hunks: Vec<Hunk> = Vec::new();
    for op in diff_ops(&old_lines, &new_lines) {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        // Adjacent delete + insert ops are one hunk.
        if let Some(last) = hunks.last_mut()
            && last.old_start.map(|s| s as usize - 1 + last.old.len()) == Some(o.start)
            && tag == similar::DiffTag::Insert
        {
            last.new
                .extend(new_lines[n.clone()].iter().map(|l| (*l).to_owned()));
            continue;
        }
        hunks.push(Hunk {
            old_start: u32::try_from(o.start + 1).ok(),
            old: old_lines[o].iter().map(|l| (*l).to_owned()).collect(),
            new: new_lines[n].iter().map(|l| (*l).to_owned()).collect(),
        });
    }
    hunks
}

/// How Claude Code's patch shows a line: each tab as two spaces.
fn rendered(line: &str) -> String {
    line.replace('\t', "  ")
}

/// Puts real tabs back into patch lines: a patch line equal to the rendering of a `truth` line (from the
/// tool input or the written content) is replaced by that line. Lines without a tab-bearing twin stay.
pub fn repair_rendered_tabs(lines: &mut [String], truth: &[&str]) {
    let with_tabs: std::collections::HashMap<String, &str> = truth
        .iter()
        .filter(|l| l.contains('\t'))
        .map(|l| (rendered(l), *l))
        .collect();
    if with_tabs.is_empty() {
        return;
    }
    for line in lines {
        if let Some(real) = with_tabs.get(line.as_str()) {
            *line = (*real).to_owned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mid_line_replacement_gives_the_whole_line_with_its_tabs() {
        let original = "package x\n\nfunc f() {\n\tif a {\n\t\treturn g(1)\n\t}\n}\n";
        let new = apply(
            original,
            &[Replace {
                old: "g(1)",
                new: "g(2)",
                all: false,
            }],
        )
        .expect("applies");
        let hunks = diff_hunks(original, &new);
        assert_eq!(hunks.len(), 1);
        assert_eq!(hunks[0].old_start, Some(5));
        assert_eq!(hunks[0].old, vec!["\t\treturn g(1)"]);
        assert_eq!(hunks[0].new, vec!["\t\treturn g(2)"]);
    }

    #[test]
    fn replace_all_and_sequences_and_misses() {
        let original = "a\nx\nb\nx\n";
        let all = [Replace {
            old: "x",
            new: "y",
            all: true,
        }];
        let new = apply(original, &all).expect("applies");
        assert_eq!(new, "a\ny\nb\ny\n");
        assert_eq!(diff_hunks(original, &new).len(), 2);
        let missing = [Replace {
            old: "zzz",
            new: "y",
            all: false,
        }];
        assert_eq!(apply(original, &missing), None);
        let create = [Replace {
            old: "",
            new: "new\n",
            all: false,
        }];
        assert_eq!(apply("", &create).as_deref(), Some("new\n"));
        assert_eq!(apply("x", &create), None);
    }

    #[test]
    fn tabs_rendered_as_two_spaces_are_repaired() {
        let mut lines = vec!["    agentType := x".to_owned(), "  plain".to_owned()];
        repair_rendered_tabs(&mut lines, &["\t\tagentType := x", "other"]);
        assert_eq!(lines, vec!["\t\tagentType := x", "  plain"]);
    }

    #[test]
    fn unrelated_texts_diff_quickly() {
        let old: String = (0..20_000).map(|i| format!("old line {i}\n")).collect();
        let new: String = (0..20_000).map(|i| format!("new line {i}\n")).collect();
        let hunks = diff_hunks(&old, &new);
        let added: usize = hunks.iter().map(|h| h.new.len()).sum();
        let removed: usize = hunks.iter().map(|h| h.old.len()).sum();
        assert_eq!((added, removed), (20_000, 20_000));
    }
}
