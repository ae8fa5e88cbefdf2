//! Files agents write through the shell, and the commits their shell commands make. Agent-neutral: the
//! Claude Code `Bash` tool and Codex's shell calls both hand their command text here.
//!
//! Agents often write files with `cat > f <<'EOF'`, `tee`, `printf … >`, or apply an inline patch with
//! `git apply`/`patch`. Those forms carry the file's content in the command, so they become [`Edit`]s and
//! are followed into git like any edit tool's. Others change files without their content in the command
//! (`sed -i`, `perl -pi`, a `python - <<EOF` script, `gen > out.go`): those files are only *touched*, and
//! their lines can be credited only through a commit the session made itself (see [`commits_in_output`]).
//! The parser is deliberately small: it reads the common forms and never guesses content it cannot see.

use crate::model::{CommitAnchor, Edit, EditOp, Hunk};

/// What a shell command did to files.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShellEffects {
    /// Files written with their content in the command.
    pub writes: Vec<Edit>,
    /// Files changed without their content in the command.
    pub touched: Vec<String>,
}

/// Reads the file writes of a shell script.
pub fn effects(script: &str) -> ShellEffects {
    let mut out = ShellEffects::default();
    if !script.contains('>')
        && !script.contains("<<")
        && !script.contains("sed")
        && !script.contains("perl")
        && !script.contains("tee")
    {
        return out;
    }
    let lines: Vec<&str> = script.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let Some((before, delim, strip_tabs, after)) = heredoc_start(line) else {
            simple_line(line, &mut out);
            continue;
        };
        let mut body: Vec<&str> = Vec::new();
        let mut closed = false;
        while i < lines.len() {
            let l = lines[i];
            i += 1;
            let l = if strip_tabs {
                l.trim_start_matches('\t')
            } else {
                l
            };
            if l == delim {
                closed = true;
                break;
            }
            body.push(l);
        }
        if !closed {
            break; // an unterminated heredoc: nothing reliable follows
        }
        let command = format!("{before} {after}");
        heredoc_command(&command, &body, &mut out);
    }
    out
}

/// `cmd … <<'EOF' …` → (text before `<<`, the delimiter, `<<-`, text after the delimiter word).
fn heredoc_start(line: &str) -> Option<(&str, String, bool, &str)> {
    let at = line.find("<<")?;
    let rest = &line[at + 2..];
    if rest.starts_with('<') {
        return None; // a here-string, no body
    }
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start();
    let (delim, after) = match rest.chars().next()? {
        q @ ('\'' | '"') => {
            let end = rest[1..].find(q)? + 1;
            (rest[1..end].to_owned(), &rest[end + 1..])
        }
        _ => {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '>' | ')'))
                .unwrap_or(rest.len());
            (rest[..end].replace('\\', ""), &rest[end..])
        }
    };
    if delim.is_empty() {
        return None;
    }
    Some((&line[..at], delim, strip_tabs, after))
}

/// Shell words of one line: quotes removed, operators (`>`, `>>`, `|`, `&&`, `;`) as their own words.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let flush = |cur: &mut String, in_word: &mut bool, out: &mut Vec<String>| {
        if *in_word {
            out.push(std::mem::take(cur));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '>' | '|' | ';' | '&' => {
                // `2>` and `2>&1` are not stdout redirections: keep them glued as one odd word.
                if c == '>' && in_word && cur.chars().all(|d| d.is_ascii_digit()) {
                    cur.push('>');
                    if chars.peek() == Some(&'&') {
                        cur.push('&');
                        chars.next();
                    }
                    continue;
                }
                flush(&mut cur, &mut in_word, &mut out);
                let mut op = c.to_string();
                if let Some(&n) = chars.peek()
                    && (n == c || (c == '>' && n == '|'))
                {
                    op.push(n);
                    chars.next();
                }
                out.push(op);
            }
            c if c.is_whitespace() => flush(&mut cur, &mut in_word, &mut out),
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    flush(&mut cur, &mut in_word, &mut out);
    out
}

/// One simple command of a pipeline: its words and its stdout redirection target.
struct Simple {
    words: Vec<String>,
    target: Option<(String, bool)>,
}

/// Splits words into pipelines (`;`, `&&`, `||`) of simple commands (`|`).
fn pipelines(words: Vec<String>) -> Vec<Vec<Simple>> {
    let mut out: Vec<Vec<Simple>> = vec![Vec::new()];
    let mut cur = Simple {
        words: Vec::new(),
        target: None,
    };
    let mut it = words.into_iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            ">" | ">|" | ">>" => {
                if let Some(t) = it.next() {
                    cur.target = Some((t, w == ">>"));
                }
            }
            "|" => {
                let done = std::mem::replace(
                    &mut cur,
                    Simple {
                        words: Vec::new(),
                        target: None,
                    },
                );
                if let Some(p) = out.last_mut() {
                    p.push(done);
                }
            }
            ";" | "&&" | "||" | "&" => {
                let done = std::mem::replace(
                    &mut cur,
                    Simple {
                        words: Vec::new(),
                        target: None,
                    },
                );
                if let Some(p) = out.last_mut() {
                    p.push(done);
                }
                out.push(Vec::new());
            }
            _ => cur.words.push(w),
        }
    }
    if let Some(p) = out.last_mut() {
        p.push(cur);
    }
    out
}

fn program(words: &[String]) -> &str {
    let w = words
        .iter()
        .find(|w| !w.contains('=') || w.starts_with('-'))
        .map_or("", String::as_str);
    w.rsplit('/').next().unwrap_or(w)
}

fn is_device(path: &str) -> bool {
    path.starts_with("/dev/") || path.starts_with('&') || path.is_empty()
}

fn write_of(path: &str, append: bool, content: &[&str]) -> Edit {
    let lines: Vec<String> = content.iter().map(|l| (*l).to_owned()).collect();
    Edit {
        path: path.to_owned(),
        op: if append {
            EditOp::Update
        } else {
            EditOp::Create
        },
        hunks: vec![Hunk {
            old_start: None,
            old: Vec::new(),
            new: lines,
        }],
    }
}

/// A heredoc feeding the pipeline of `command`: `cat > f`, `cat | tee f`, `git apply`, a script.
fn heredoc_command(command: &str, body: &[&str], out: &mut ShellEffects) {
    for pipeline in pipelines(words(command)) {
        let Some(first) = pipeline.first() else {
            continue;
        };
        let prog = program(&first.words);
        match prog {
            "cat" | "tee" => {
                // The body flows through `cat`/`tee` stages into their files and redirections.
                for stage in &pipeline {
                    let p = program(&stage.words);
                    if p == "tee" {
                        let append = stage.words.iter().any(|w| w == "-a" || w == "--append");
                        for f in stage.words.iter().skip(1).filter(|w| !w.starts_with('-')) {
                            out.writes.push(write_of(f, append, body));
                        }
                    } else if p != "cat" {
                        break;
                    }
                    if let Some((t, append)) = &stage.target
                        && !is_device(t)
                    {
                        out.writes.push(write_of(t, *append, body));
                    }
                }
            }
            "git" if first.words.iter().any(|w| w == "apply") => {
                let strip = strip_level(&first.words, 1);
                out.writes.extend(unified_diff(body, strip));
            }
            "patch" => {
                let strip = strip_level(&first.words, 0);
                out.writes.extend(unified_diff(body, strip));
            }
            "python" | "python3" | "node" | "ruby" | "perl" | "sh" | "bash" | "zsh" => {
                out.touched.extend(script_writes(body));
            }
            _ => {
                if let Some((t, _)) = &first.target
                    && !is_device(t)
                {
                    out.touched.push(t.clone());
                }
            }
        }
    }
}

/// `-pN` / `-p N` of `patch` and `git apply` (git's default is 1, patch's 0).
fn strip_level(words: &[String], default: usize) -> usize {
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if let Some(n) = w.strip_prefix("-p") {
            let n = if n.is_empty() {
                it.next().map_or("", String::as_str)
            } else {
                n
            };
            if let Ok(n) = n.parse() {
                return n;
            }
        }
    }
    default
}

/// Paths a script names as files it opens for writing (`open("x", "w")`, `.write_text(`,
/// `writeFileSync("x"`): touched, content unknown.
fn script_writes(body: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for line in body {
        for marker in ["open(", "Path(", "writeFileSync(", "File.write("] {
            let mut rest = *line;
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                    continue;
                };
                let Some(end) = rest[1..].find(q) else { break };
                let path = &rest[1..end + 1];
                let tail = &rest[end + 1..];
                let writes = match marker {
                    "open(" => {
                        let mode = tail.split(')').next().unwrap_or_default();
                        mode.contains("'w")
                            || mode.contains("\"w")
                            || mode.contains("'a")
                            || mode.contains("\"a")
                    }
                    "Path(" => tail.contains(".write_text(") || tail.contains(".write_bytes("),
                    _ => true,
                };
                if writes && !path.is_empty() {
                    out.push(path.to_owned());
                }
            }
        }
    }
    out
}

/// A command line without a heredoc: `printf/echo … > f` (content known), `sed -i`, `perl -pi`,
/// `cmd > f` (touched).
fn simple_line(line: &str, out: &mut ShellEffects) {
    for pipeline in pipelines(words(line)) {
        for stage in &pipeline {
            let prog = program(&stage.words);
            match prog {
                "sed"
                    if stage
                        .words
                        .iter()
                        .any(|w| w.starts_with("-i") || w == "--in-place") =>
                {
                    out.touched.extend(sed_files(&stage.words));
                }
                "perl"
                    if stage
                        .words
                        .iter()
                        .any(|w| w.starts_with("-pi") || w == "-i") =>
                {
                    out.touched.extend(sed_files(&stage.words));
                }
                _ => {}
            }
            let Some((target, append)) = &stage.target else {
                continue;
            };
            if is_device(target) {
                continue;
            }
            match (prog, echo_content(&stage.words)) {
                ("echo" | "printf", Some(content)) => {
                    let lines: Vec<&str> = content.lines().collect();
                    out.writes.push(write_of(target, *append, &lines));
                }
                _ => out.touched.push(target.clone()),
            }
        }
    }
}

/// The text `echo ARGS` or `printf 'FORMAT'` / `printf '%s\n' ARGS` prints, when it can be told.
fn echo_content(words: &[String]) -> Option<String> {
    let (prog, args) = words.split_first()?;
    let unescape = |s: &str| s.replace("\\n", "\n").replace("\\t", "\t");
    match prog.rsplit('/').next().unwrap_or(prog) {
        "echo" => {
            let mut args = args;
            let mut escapes = false;
            while let Some((first, rest)) = args.split_first() {
                match first.as_str() {
                    "-e" => escapes = true,
                    "-n" | "-E" => {}
                    _ => break,
                }
                args = rest;
            }
            let text = args.join(" ");
            Some(if escapes { unescape(&text) } else { text })
        }
        "printf" => match args {
            [format] if !format.contains('%') => Some(unescape(format)),
            [format, rest @ ..] if format == "%s\\n" => Some(rest.join("\n")),
            _ => None,
        },
        _ => None,
    }
}

/// The file operands of `sed -i EXPR FILES` / `perl -pi -e EXPR FILES`.
fn sed_files(words: &[String]) -> Vec<String> {
    let mut files = Vec::new();
    let mut expr_given = false;
    let mut it = words.iter().skip(1);
    while let Some(w) = it.next() {
        if w == "-e" || w == "--expression" || w == "-f" {
            it.next();
            expr_given = true;
        } else if w.starts_with('-') {
            continue;
        } else if !expr_given {
            expr_given = true; // the first operand is the script
        } else {
            files.push(w.clone());
        }
    }
    files
}

/// A unified diff (`--- a/x`, `+++ b/x`, `@@ -1,2 +1,3 @@`) → one edit per file; `strip` leading path
/// components are removed (`-p1`).
fn unified_diff(body: &[&str], strip: usize) -> Vec<Edit> {
    let strip_path = |p: &str| -> String {
        let p = p.split('\t').next().unwrap_or(p).trim();
        p.splitn(strip + 1, '/').nth(strip).unwrap_or(p).to_owned()
    };
    let mut edits: Vec<Edit> = Vec::new();
    let mut old_path: Option<String> = None;
    let mut in_hunk = false;
    let mut run = Hunk {
        old_start: None,
        old: Vec::new(),
        new: Vec::new(),
    };
    let close = |run: &mut Hunk, edits: &mut Vec<Edit>| {
        if !(run.old.is_empty() && run.new.is_empty())
            && let Some(e) = edits.last_mut()
        {
            e.hunks.push(std::mem::replace(
                run,
                Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: Vec::new(),
                },
            ));
        }
    };
    for line in body {
        if let Some(p) = line.strip_prefix("--- ") {
            close(&mut run, &mut edits);
            in_hunk = false;
            old_path = Some(p.trim().to_owned());
        } else if let Some(p) = line.strip_prefix("+++ ")
            && old_path.is_some()
        {
            let created = old_path.as_deref() == Some("/dev/null");
            let path = p.trim();
            let (path, op) = if path == "/dev/null" {
                (
                    strip_path(old_path.as_deref().unwrap_or_default()),
                    EditOp::Delete,
                )
            } else if created {
                (strip_path(path), EditOp::Create)
            } else {
                (strip_path(path), EditOp::Update)
            };
            edits.push(Edit {
                path,
                op,
                hunks: Vec::new(),
            });
            old_path = None;
        } else if line.starts_with("@@") {
            close(&mut run, &mut edits);
            in_hunk = !edits.is_empty();
            run.old_start = line
                .split_whitespace()
                .nth(1)
                .and_then(|r| r.trim_start_matches('-').split(',').next())
                .and_then(|n| n.parse().ok());
        } else if in_hunk {
            if let Some(l) = line.strip_prefix('+') {
                run.new.push(l.to_owned());
            } else if let Some(l) = line.strip_prefix('-') {
                run.old.push(l.to_owned());
            } else {
                close(&mut run, &mut edits);
            }
        }
    }
    close(&mut run, &mut edits);
    edits.retain(|e| !e.hunks.is_empty() || e.op == EditOp::Delete);
    edits
}

/// True when a command may print commits it made (`git commit`, `cherry-pick`, `merge`, `revert`, `am`,
/// `rebase`): only those outputs are decoded and read for anchors.
pub fn may_commit(command: &str) -> bool {
    command.contains("git ")
        && ["commit", "cherry-pick", "merge", "revert", " am", "rebase"]
            .iter()
            .any(|w| command.contains(w))
}

/// The commits a command's output says it made: git prints `[branch abc1234] summary` (or
/// `[main (root-commit) abc1234] summary`) for each.
pub fn commits_in_output(text: &str) -> Vec<CommitAnchor> {
    let mut out: Vec<CommitAnchor> = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix('[') else {
            continue;
        };
        let Some((inside, summary)) = rest.split_once("] ") else {
            continue;
        };
        let Some((branch, sha)) = inside.rsplit_once(' ') else {
            continue;
        };
        if !(7..=40).contains(&sha.len()) || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let branch = branch.strip_suffix(" (root-commit)").unwrap_or(branch);
        if branch.is_empty() || out.iter().any(|a| a.sha == sha) {
            continue;
        }
        out.push(CommitAnchor {
            sha: sha.to_ascii_lowercase(),
            branch: branch.to_owned(),
            summary: summary.trim_end().to_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_lines(e: &Edit) -> Vec<&str> {
        e.hunks
            .iter()
            .flat_map(|h| h.new.iter().map(String::as_str))
            .collect()
    }

    #[test]
    fn heredoc_writes() {
        let fx = effects(
            "mkdir -p pkg && cat > pkg/a.go <<'EOF'\npackage pkg\n\nfunc A() {}\nEOF\ncat <<EOF >> notes.md\nmore\nEOF\ncat << 'X' | tee b.txt c.txt > /dev/null\nhello\nX",
        );
        assert_eq!(fx.writes.len(), 4, "{fx:?}");
        assert_eq!(fx.writes[0].path, "pkg/a.go");
        assert_eq!(fx.writes[0].op, EditOp::Create);
        assert_eq!(
            new_lines(&fx.writes[0]),
            vec!["package pkg", "", "func A() {}"]
        );
        assert_eq!(fx.writes[1].path, "notes.md");
        assert_eq!(fx.writes[1].op, EditOp::Update);
        assert_eq!(fx.writes[2].path, "b.txt");
        assert_eq!(fx.writes[3].path, "c.txt");
        assert!(fx.touched.is_empty());
    }

    #[test]
    fn tabbed_heredoc_keeps_tabs_unless_dashed() {
        let fx = effects("cat > m.go <<EOF\n\tx := 1\nEOF\ncat > n.go <<-EOF\n\ty := 2\n\tEOF");
        assert_eq!(new_lines(&fx.writes[0]), vec!["\tx := 1"]);
        assert_eq!(new_lines(&fx.writes[1]), vec!["y := 2"]);
    }

    #[test]
    fn inline_patches() {
        let fx = effects(
            "git apply <<'PATCH'\ndiff --git a/src/x.go b/src/x.go\n--- a/src/x.go\n+++ b/src/x.go\n@@ -1,2 +1,3 @@\n package x\n-var a = 1\n+var a = 2\n+var b = 3\n--- /dev/null\n+++ b/src/new.go\n@@ -0,0 +1 @@\n+package x\nPATCH",
        );
        assert_eq!(fx.writes.len(), 2, "{fx:?}");
        assert_eq!(fx.writes[0].path, "src/x.go");
        assert_eq!(fx.writes[0].hunks[0].old, vec!["var a = 1"]);
        assert_eq!(new_lines(&fx.writes[0]), vec!["var a = 2", "var b = 3"]);
        assert_eq!(fx.writes[1].path, "src/new.go");
        assert_eq!(fx.writes[1].op, EditOp::Create);
    }

    #[test]
    fn touched_without_content() {
        let fx = effects(
            "sed -i 's/a/b/' src/a.go src/b.go\nsed -i.bak -e 's/x/y/' c.txt\ngo run ./gen > out.go 2>&1\npython3 - <<'EOF'\nopen('d.txt', 'w').write('x')\nopen('e.txt').read()\nEOF",
        );
        assert_eq!(
            fx.touched,
            vec!["src/a.go", "src/b.go", "c.txt", "out.go", "d.txt"]
        );
        assert!(fx.writes.is_empty());
    }

    #[test]
    fn echo_and_printf() {
        let fx = effects(
            "echo 'hello world' > a.txt; printf '%s\\n' one two >> b.txt; printf '%d' 3 > c.txt; ls > /dev/null",
        );
        assert_eq!(fx.writes.len(), 2, "{fx:?}");
        assert_eq!(new_lines(&fx.writes[0]), vec!["hello world"]);
        assert_eq!(new_lines(&fx.writes[1]), vec!["one", "two"]);
        assert_eq!(fx.touched, vec!["c.txt"]);
    }

    #[test]
    fn plain_commands_write_nothing() {
        assert_eq!(
            effects("cargo test 2>&1 | tail -5"),
            ShellEffects::default()
        );
        assert_eq!(effects("grep -n x src/*.rs"), ShellEffects::default());
        assert_eq!(effects("cat <<EOF\nunterminated"), ShellEffects::default());
    }

    #[test]
    fn commit_lines() {
        let out = "[feature/x 1a2b3c4] Add parser\n 2 files changed, 10 insertions(+)\n[main (root-commit) deadbeef0] init\n[not a commit] x";
        let a = commits_in_output(out);
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].branch.as_str(), a[0].sha.as_str()),
            ("feature/x", "1a2b3c4")
        );
        assert_eq!(a[0].summary, "Add parser");
        assert_eq!(
            (a[1].branch.as_str(), a[1].sha.as_str()),
            ("main", "deadbeef0")
        );
        assert!(may_commit("git add -A && git commit -m 'x'"));
        assert!(!may_commit("cargo build"));
    }
}
