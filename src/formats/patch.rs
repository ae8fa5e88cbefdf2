//! The edit grammars agents share: Codex's `apply_patch` envelope (`*** Begin Patch` … `*** End Patch`,
//! also OpenCode's `apply_patch`/`patch` tool input) and unified diffs (Codex's `FileChange` items,
//! OpenCode's edit metadata). Both become [`Edit`]s with one [`Hunk`] per run of removed/added lines.

use crate::model::{Edit, EditOp, Hunk};

/// Hunks of a unified diff: one per run of `-`/`+` lines; `---`/`+++` file headers are not lines.
pub fn unified_hunks(diff: &str) -> Vec<Hunk> {
    let mut hunks = Vec::new();
    let mut old_line: Option<u32> = None;
    let mut cur = Hunk {
        old_start: None,
        old: Vec::new(),
        new: Vec::new(),
    };
    let close = |cur: &mut Hunk, hunks: &mut Vec<Hunk>| {
        if !cur.old.is_empty() || !cur.new.is_empty() {
            hunks.push(std::mem::replace(
                cur,
                Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: Vec::new(),
                },
            ));
        }
    };
    for line in diff.lines() {
        if line.starts_with("--- ") || line.starts_with("+++ ") {
            continue;
        }
        if let Some(header) = line.strip_prefix("@@ -") {
            close(&mut cur, &mut hunks);
            old_line = header
                .split([',', ' '])
                .next()
                .and_then(|n| n.parse::<u32>().ok());
            continue;
        }
        if let Some(l) = line.strip_prefix('-') {
            if cur.old.is_empty() && cur.new.is_empty() {
                cur.old_start = old_line;
            }
            cur.old.push(l.to_owned());
            old_line = old_line.map(|n| n.saturating_add(1));
        } else if let Some(l) = line.strip_prefix('+') {
            if cur.old.is_empty() && cur.new.is_empty() {
                cur.old_start = old_line;
            }
            cur.new.push(l.to_owned());
        } else {
            close(&mut cur, &mut hunks);
            old_line = old_line.map(|n| n.saturating_add(1));
        }
    }
    close(&mut cur, &mut hunks);
    hunks
}

/// Parses the `apply_patch` grammar (`*** Begin Patch` … `*** End Patch`) found anywhere in `text`.
///
/// Add File → [`EditOp::Create`] with one hunk of the added lines; Delete File → [`EditOp::Delete`];
/// Update File → [`EditOp::Update`] (or [`EditOp::Move`] with `*** Move to:`), one [`Hunk`] per
/// contiguous run of `-`/`+` lines (context lines separate runs and are in neither side). The grammar has
/// no line numbers, so `old_start` is `None`.
pub fn parse_patch(text: &str) -> Vec<Edit> {
    let Some(begin) = text.find("*** Begin Patch") else {
        return Vec::new();
    };
    let mut edits: Vec<Edit> = Vec::new();
    let mut cur: Option<Edit> = None;
    let mut run = Hunk {
        old_start: None,
        old: Vec::new(),
        new: Vec::new(),
    };
    fn close_run(cur: &mut Option<Edit>, run: &mut Hunk) {
        if run.old.is_empty() && run.new.is_empty() {
            return;
        }
        let done = std::mem::replace(
            run,
            Hunk {
                old_start: None,
                old: Vec::new(),
                new: Vec::new(),
            },
        );
        if let Some(edit) = cur {
            edit.hunks.push(done);
        }
    }
    let start = |path: &str, op: EditOp| {
        let hunks = if op == EditOp::Create {
            vec![Hunk {
                old_start: None,
                old: Vec::new(),
                new: Vec::new(),
            }]
        } else {
            Vec::new()
        };
        Edit {
            path: path.trim().to_owned(),
            op,
            hunks,
        }
    };
    for line in text[begin..].lines().skip(1) {
        if let Some(marker) = line.strip_prefix("*** ") {
            let opened = [
                ("Add File: ", EditOp::Create),
                ("Delete File: ", EditOp::Delete),
                ("Update File: ", EditOp::Update),
            ]
            .into_iter()
            .find_map(|(tag, op)| marker.strip_prefix(tag).map(|p| start(p, op)));
            if let Some(edit) = opened {
                close_run(&mut cur, &mut run);
                edits.extend(cur.take());
                cur = Some(edit);
            } else if let Some(to) = marker.strip_prefix("Move to: ") {
                if let Some(edit) = cur.as_mut().filter(|e| e.op == EditOp::Update) {
                    edit.op = EditOp::Move {
                        to: to.trim().to_owned(),
                    };
                }
            } else if marker.starts_with("End Patch") {
                break;
            }
            continue;
        }
        let Some(edit) = cur.as_mut() else { continue };
        match edit.op {
            EditOp::Create => {
                if let Some(l) = line.strip_prefix('+')
                    && let Some(h) = edit.hunks.first_mut()
                {
                    h.new.push(l.to_owned());
                }
            }
            EditOp::Delete => {}
            EditOp::Update | EditOp::Move { .. } => {
                if let Some(l) = line.strip_prefix('-') {
                    run.old.push(l.to_owned());
                } else if let Some(l) = line.strip_prefix('+') {
                    run.new.push(l.to_owned());
                } else {
                    // `@@` headers, context lines and blank lines end a run.
                    close_run(&mut cur, &mut run);
                }
            }
        }
    }
    close_run(&mut cur, &mut run);
    edits.extend(cur.take());
    edits
}
