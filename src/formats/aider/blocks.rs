//! The edit blocks of an Aider reply, in every edit format Aider writes to its history:
//!
//! - SEARCH/REPLACE (`diff`, `editor-diff`): `<<<<<<< SEARCH` … `=======` … `>>>>>>> REPLACE` (five to
//!   nine markers, as Aider accepts) under a file-name line, inside a fence or not; `diff-fenced` puts the
//!   file name as the fence's first line instead.
//! - Whole files (`whole`, `editor-whole`): a file-name line, then a fence holding the whole new content.
//! - Unified diffs (`udiff`): a `diff` fence of `--- a/path` / `+++ b/path` / `@@ … @@` hunks.
//!
//! Fences are three or more backticks, or the tags Aider picks when a file itself holds backticks
//! (`<source>`, `<code>`, `<pre>`, `<codeblock>`, `<sourcecode>`). Reasoning between
//! `<thinking-content-…>` (or `<think>`) tags is skipped: its fences are not edits. A line may start with a
//! byte-order mark (a file read with one); it is taken off. Whether a block was applied is not known here:
//! the history's `> Applied edit to <file>` says so (see the parent module).

use crate::model::Hunk;

/// Which edit format a block was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SEARCH/REPLACE: `hunks` hold one SEARCH → REPLACE pair each.
    SearchReplace,
    /// A whole file: one hunk with the content as `new`.
    Whole,
    /// A unified diff: one hunk per `@@` section (context lines on both sides).
    UnifiedDiff,
}

/// One edit block, as written (not yet known to be applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The file, as the reply named it (backslashes turned into `/`).
    pub path: String,
    /// The edit format.
    pub kind: Kind,
    /// The changes.
    pub hunks: Vec<Hunk>,
    /// A unified diff from `/dev/null`: a new file.
    pub creates: bool,
}

struct Fence {
    close: String,
    path: String,
    diff: bool,
    lines: Vec<String>,
    /// SEARCH/REPLACE blocks were read inside it: not a whole file.
    held_blocks: bool,
}

struct SearchReplace {
    path: String,
    search: Vec<String>,
    replace: Vec<String>,
    in_replace: bool,
}

/// Reads the blocks of replies, line by line.
#[derive(Default)]
pub struct Reader {
    last_text: String,
    fence: Option<Fence>,
    block: Option<SearchReplace>,
    reasoning: bool,
    /// Blocks read since [`Reader::take`].
    done: Vec<Block>,
}

/// `<<<<<<< SEARCH`, `=======`, `>>>>>>> REPLACE` with five to nine markers, as Aider's parser takes them.
fn marker(t: &str, c: char, word: &str) -> bool {
    let n = t.chars().take_while(|&x| x == c).count();
    if !(5..=9).contains(&n) {
        return false;
    }
    let rest = t[n..].trim();
    if word.is_empty() {
        rest.is_empty()
    } else {
        rest.strip_prefix(word)
            .is_some_and(|r| r.is_empty() || r == ">")
    }
}

const TAG_FENCES: [&str; 5] = ["source", "code", "pre", "codeblock", "sourcecode"];

/// A file-name line as replies write it: `src/a.py`, `` `src/a.py` ``, `**src/a.py**`, `src/a.py:`,
/// `SRC\a.py`.
pub fn clean_path(line: &str) -> String {
    let t = line.trim().trim_end_matches(':').trim();
    let t = t
        .trim_matches('`')
        .trim_matches('*')
        .trim_matches('`')
        .trim();
    let t = t.strip_prefix("# ").unwrap_or(t).trim();
    t.replace('\\', "/")
}

impl Reader {
    /// The blocks read since the last call.
    pub fn take(&mut self) -> Vec<Block> {
        std::mem::take(&mut self.done)
    }

    /// Forgets a reply in progress (a user turn began).
    pub fn reset(&mut self) {
        self.fence = None;
        self.block = None;
        self.reasoning = false;
        self.last_text.clear();
    }

    /// Reads one line of reply text.
    pub fn line(&mut self, line: &str) {
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        let t = line.trim();
        if self.reasoning {
            if t.starts_with("</thinking-content") || t.starts_with("</think>") {
                self.reasoning = false;
            }
            return;
        }
        if let Some(b) = self.block.as_mut() {
            if !b.in_replace && marker(t, '=', "") {
                b.in_replace = true;
            } else if marker(t, '>', "REPLACE") {
                if let Some(b) = self.block.take() {
                    self.done.push(Block {
                        path: b.path,
                        kind: Kind::SearchReplace,
                        hunks: vec![Hunk {
                            old_start: None,
                            old: b.search,
                            new: b.replace,
                        }],
                        creates: false,
                    });
                }
            } else if b.in_replace {
                b.replace.push(line.to_owned());
            } else {
                b.search.push(line.to_owned());
            }
            return;
        }
        if marker(t, '<', "SEARCH") {
            let path = match self.fence.as_mut() {
                Some(f) => {
                    f.held_blocks = true;
                    match f.lines.iter().rev().find(|l| !l.trim().is_empty()) {
                        Some(l) if !f.lines.is_empty() => clean_path(l),
                        _ => f.path.clone(),
                    }
                }
                None => clean_path(&self.last_text),
            };
            if let Some(f) = self.fence.as_mut() {
                f.lines.clear();
            }
            self.block = Some(SearchReplace {
                path,
                search: Vec::new(),
                replace: Vec::new(),
                in_replace: false,
            });
            return;
        }
        if let Some(f) = self.fence.as_mut() {
            if t == f.close {
                let f = self.fence.take().expect("fence");
                self.close_fence(f);
            } else {
                f.lines.push(line.to_owned());
            }
            return;
        }
        if self.fence.is_none() && self.block.is_none() {
            if t.starts_with("<thinking-content-") || t.starts_with("<think>") {
                self.reasoning = !(t.contains("</thinking-content") || t.contains("</think>"));
                return;
            }
            if let Some(close) = fence_open(t) {
                self.fence = Some(Fence {
                    close,
                    path: clean_path(&self.last_text),
                    diff: t.trim_start_matches('`').trim() == "diff",
                    lines: Vec::new(),
                    held_blocks: false,
                });
                return;
            }
        }
        if !t.is_empty() {
            self.last_text = t.to_owned();
        }
    }

    fn close_fence(&mut self, f: Fence) {
        if f.held_blocks {
            return;
        }
        let first = f.lines.iter().find(|l| !l.trim().is_empty());
        if f.diff || first.is_some_and(|l| l.starts_with("--- ")) {
            self.done.extend(unified_diff(&f.lines));
            return;
        }
        if f.path.is_empty() {
            return;
        }
        self.done.push(Block {
            path: f.path,
            kind: Kind::Whole,
            hunks: vec![Hunk {
                old_start: None,
                old: Vec::new(),
                new: f.lines,
            }],
            creates: false,
        });
    }
}

/// The closing line of a fence opened by `t`, if `t` opens one.
fn fence_open(t: &str) -> Option<String> {
    if t.starts_with("```") {
        let n = t.chars().take_while(|&c| c == '`').count();
        return Some("`".repeat(n));
    }
    // `<source>` or `<source>python`: the tag, then perhaps a language.
    let (tag, lang) = t.strip_prefix('<')?.split_once('>')?;
    (TAG_FENCES.contains(&tag) && !lang.contains(char::is_whitespace)).then(|| format!("</{tag}>"))
}

/// The files and hunks of a unified diff as Aider's `udiff` format writes it (`@@ … @@` without line
/// numbers is fine: the lines carry the change).
fn unified_diff(lines: &[String]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        if let Some(old) = l.strip_prefix("--- ")
            && let Some(new) = lines.get(i + 1).and_then(|n| n.strip_prefix("+++ "))
        {
            let from_null = old.trim() == "/dev/null";
            let name = new.trim();
            let name = name
                .strip_prefix("b/")
                .filter(|_| old.trim().starts_with("a/"))
                .unwrap_or(name);
            out.push(Block {
                path: name.replace('\\', "/"),
                kind: Kind::UnifiedDiff,
                hunks: Vec::new(),
                creates: from_null,
            });
            i += 2;
            continue;
        }
        let Some(b) = out.last_mut() else {
            i += 1;
            continue;
        };
        if l.starts_with("@@") {
            b.hunks.push(Hunk {
                old_start: None,
                old: Vec::new(),
                new: Vec::new(),
            });
        } else {
            if b.hunks.is_empty() {
                b.hunks.push(Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: Vec::new(),
                });
            }
            let h = b.hunks.last_mut().expect("hunk");
            match l.chars().next() {
                Some('-') => h.old.push(l[1..].to_owned()),
                Some('+') => h.new.push(l[1..].to_owned()),
                Some(' ') => {
                    h.old.push(l[1..].to_owned());
                    h.new.push(l[1..].to_owned());
                }
                None => {
                    h.old.push(String::new());
                    h.new.push(String::new());
                }
                _ => {}
            }
        }
        i += 1;
    }
    out.retain(|b| b.hunks.iter().any(|h| h.old != h.new));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Block> {
        let mut r = Reader::default();
        for l in text.lines() {
            r.line(l);
        }
        r.take()
    }

    #[test]
    fn search_replace_in_a_fence_under_its_file_name() {
        let b = read(
            "src/a.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n",
        );
        assert_eq!(b.len(), 1);
        assert_eq!(
            (b[0].path.as_str(), b[0].kind),
            ("src/a.py", Kind::SearchReplace)
        );
        assert_eq!(b[0].hunks[0].old, ["x = 1"]);
        assert_eq!(b[0].hunks[0].new, ["x = 2"]);
    }

    #[test]
    fn diff_fenced_names_the_file_inside_the_fence_and_markers_may_carry_a_bom() {
        let b = read(
            "```\nSRC\\A.py\n\u{feff}<<<<<<< SEARCH\n\u{feff}x = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n",
        );
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].path, "SRC/A.py");
        assert_eq!(b[0].hunks[0].old, ["x = 1"]);
    }

    #[test]
    fn whole_files_in_backtick_and_tag_fences() {
        let b = read(
            "`hello.py`\n```python\nprint('hi')\n```\n\nREADME.md\n<source>markdown\n# t\n```sh\nrun\n```\n</source>\n",
        );
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].path.as_str(), b[0].kind), ("hello.py", Kind::Whole));
        assert_eq!(b[0].hunks[0].new, ["print('hi')"]);
        assert_eq!(b[1].path, "README.md");
        assert_eq!(b[1].hunks[0].new, ["# t", "```sh", "run", "```"]);
    }

    #[test]
    fn unified_diffs() {
        let b = read(
            "```diff\n--- a/src/a.py\n+++ b/src/a.py\n@@ ... @@\n def f():\n-    return 1\n+    return 2\n--- /dev/null\n+++ new.py\n@@ -0,0 +1 @@\n+x = 1\n```\n",
        );
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].path.as_str(), b[0].kind),
            ("src/a.py", Kind::UnifiedDiff)
        );
        assert_eq!(b[0].hunks[0].old, ["def f():", "    return 1"]);
        assert_eq!(b[0].hunks[0].new, ["def f():", "    return 2"]);
        assert!(b[1].creates);
        assert_eq!(b[1].path, "new.py");
    }

    #[test]
    fn reasoning_fences_are_not_edits() {
        let b = read(
            "<thinking-content-7bbeb8e1441453ad999a0bbba8a46d4b>\na.py\n```\nx = 1\n```\n</thinking-content-7bbeb8e1441453ad999a0bbba8a46d4b>\n",
        );
        assert!(b.is_empty());
    }
}
