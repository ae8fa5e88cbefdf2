//! How much one matching line proves: boilerplate lines (`package x`, `import (`, `if err != nil {`,
//! `return nil, err`) are in many commits, so finding one in a commit says little about who wrote it.
//!
//! A line is **common** when HEAD's files in the same directory hold it in 2 or more files, or 3 or more
//! times in all. Only HEAD's tree is read (at most [`MAX_FILES`] files and [`MAX_BYTES`] per directory),
//! so the answer depends on the repository and the line, never on which sessions are being looked at: the
//! `sessions` list and `session ID` see the same evidence. A common line counts only when the commit hunk
//! holding it also holds, in order, a distinctive line of the same session edit ([`anchored`]), or when
//! the commit is one the session made itself.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Repository, Tree};

use super::lines::normalize;
use super::walk::Interest;

/// Files read per directory when counting lines.
pub const MAX_FILES: usize = 256;
/// Bytes read per directory when counting lines.
pub const MAX_BYTES: u64 = 16 << 20;

/// Per file of interest, its common lines (among the lines of interest).
pub type Common = HashMap<String, HashSet<String>>;

/// Counts the lines of interest in HEAD's files of each directory of interest.
pub fn common_lines(repo: &Repository, head: Option<&Tree<'_>>, interest: &Interest) -> Common {
    let mut out = Common::new();
    let Some(head) = head else { return out };
    // Directory → the lines of interest of its files.
    let mut dirs: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (path, keys) in interest {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        dirs.entry(dir)
            .or_default()
            .extend(keys.iter().map(String::as_str));
    }
    for (dir, wanted) in dirs {
        let tree = if dir.is_empty() {
            Some(head.clone())
        } else {
            head.get_path(Path::new(dir))
                .ok()
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .and_then(|e| repo.find_tree(e.id()).ok())
        };
        let Some(tree) = tree else { continue };
        // key → (files holding it, occurrences)
        let mut counts: HashMap<&str, (u32, u32)> = HashMap::new();
        let mut bytes = 0u64;
        for entry in tree
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .take(MAX_FILES)
        {
            let Ok(blob) = repo.find_blob(entry.id()) else {
                continue;
            };
            if blob.is_binary() {
                continue;
            }
            bytes += blob.size() as u64;
            if bytes > MAX_BYTES {
                break;
            }
            let text = String::from_utf8_lossy(blob.content());
            let mut in_file: HashSet<&str> = HashSet::new();
            for line in text.lines() {
                let Some(k) = normalize(line) else { continue };
                let Some(&k) = wanted.get(k) else { continue };
                let c = counts.entry(k).or_default();
                c.1 += 1;
                if in_file.insert(k) {
                    c.0 += 1;
                }
            }
        }
        let common: HashSet<&str> = counts
            .into_iter()
            .filter(|(_, (files, n))| *files >= 2 || *n >= 3)
            .map(|(k, _)| k)
            .collect();
        if common.is_empty() {
            continue;
        }
        for (path, keys) in interest {
            if path.rsplit_once('/').map_or("", |(d, _)| d) == dir {
                let set: HashSet<String> = keys
                    .iter()
                    .filter(|k| common.contains(k.as_str()))
                    .cloned()
                    .collect();
                if !set.is_empty() {
                    out.insert(path.clone(), set);
                }
            }
        }
    }
    out
}

/// The lines of a commit hunk that an edit segment supports, aligned in order: distinctive lines always,
/// common lines only when the alignment also holds a distinctive line. Returns, per line, how many of
/// the hunk's occurrences are supported.
pub fn anchored<'a>(
    segment: &[String],
    hunk: &[&'a str],
    is_common: impl Fn(&str) -> bool,
) -> HashMap<&'a str, u32> {
    let mut out: HashMap<&'a str, u32> = HashMap::new();
    let seg: Vec<&str> = segment.iter().map(String::as_str).collect();
    let ops = crate::formats::rebuild::diff_ops(&seg, hunk);
    let mut pairs: Vec<&'a str> = Vec::new();
    for op in ops {
        if let similar::DiffOp::Equal { new_index, len, .. } = op {
            pairs.extend(&hunk[new_index..new_index + len]);
        }
    }
    if !pairs.iter().any(|k| !is_common(k)) {
        return out;
    }
    for k in pairs {
        *out.entry(k).or_default() += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_lines_need_a_distinctive_line_in_order() {
        let seg: Vec<String> = [
            "func TestParse(t *testing.T) {",
            "if err != nil {",
            "t.Fatal(err)",
        ]
        .map(String::from)
        .to_vec();
        let common = |k: &str| k != "func TestParse(t *testing.T) {";
        // The hunk holds the distinctive line and the common ones after it: all supported.
        let hunk = [
            "func TestParse(t *testing.T) {",
            "if err != nil {",
            "t.Fatal(err)",
        ];
        let got = anchored(&seg, &hunk, common);
        assert_eq!(got.len(), 3);
        // Only boilerplate in the hunk: nothing.
        let hunk = ["if err != nil {", "t.Fatal(err)"];
        assert!(anchored(&seg, &hunk, common).is_empty());
    }
}
