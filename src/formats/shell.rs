//! Shell commands, as every agent's shell tool gives them: a small tokenizer, and a classifier that tells
//! the obvious read-only commands apart — a read (`cat`, `head`, `sed -n`, `nl`…), a search (`rg`, `grep`,
//! `find`, `fd`), a listing (`ls`, `tree`) — with the paths they name. Anything else (a pipeline into
//! something that is not a filter, a redirection, `&&` chains of writes) is a plain shell call. Shared by
//! Claude Code's `Bash`, Codex's shell calls, Gemini's `run_shell_command` and Copilot's `bash`, so the same
//! command weighs the same in context breadth whichever agent ran it.

use crate::model::ToolKind;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Word(String),
    Op(String),
}

/// Splits a script into words and operators; `None` for substitutions or unbalanced quotes.
/// What a shell script does, as far as context goes: a read (`cat`, `sed -n`, `head`…), a search (`rg`,
/// `grep`, `find`), a listing (`ls`), with the paths it names — or a plain shell call. Shared by every
/// agent's shell tool, so the same command weighs the same in context breadth whichever agent ran it.
pub(crate) fn classify_script(script: &str) -> (ToolKind, Vec<String>) {
    tokenize(script)
        .and_then(|t| classify_tokens(&t))
        .unwrap_or((ToolKind::Shell, Vec::new()))
}

pub(crate) fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    out.push(Tok::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        ch => word.push(ch),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => word.push(chars.next()?),
                        '`' => return None,
                        '$' if chars.peek() == Some(&'(') => return None,
                        ch => word.push(ch),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next()
                    && ch != '\n'
                {
                    word.push(ch);
                }
            }
            '`' => return None,
            '$' if chars.peek() == Some(&'(') => return None,
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '\n' => {
                if in_word {
                    out.push(Tok::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                let mut op = String::from(if c == '\n' { ';' } else { c });
                if let Some(&next) = chars.peek()
                    && ((c == '|' && next == '|')
                        || (c == '&' && next == '&')
                        || (c == '>' && next == '>'))
                {
                    op.push(next);
                    chars.next();
                }
                out.push(Tok::Op(op));
            }
            ch => {
                in_word = true;
                word.push(ch);
            }
        }
    }
    if in_word {
        out.push(Tok::Word(word));
    }
    Some(out)
}

/// Commands that only filter the output of the command piped into them.
fn is_filter(words: &[String]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    match first.as_str() {
        "head" | "tail" | "wc" | "sort" | "uniq" | "cut" | "tr" | "grep" | "rg" | "nl" | "cat" => {
            true
        }
        "sed" => !words
            .iter()
            .any(|w| w.starts_with("-i") || w == "--in-place"),
        _ => false,
    }
}

/// A simple command, or a pipeline into filters, classified by its first command.
pub(crate) fn classify_tokens(toks: &[Tok]) -> Option<(ToolKind, Vec<String>)> {
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    for t in toks {
        match t {
            Tok::Word(w) => segments.last_mut()?.push(w.clone()),
            Tok::Op(op) if op == "|" => segments.push(Vec::new()),
            Tok::Op(_) => return None,
        }
    }
    let (first, rest) = segments.split_first()?;
    if first.is_empty() || !rest.iter().all(|s| is_filter(s)) {
        return None;
    }
    Some(classify_words(first))
}

/// Operands of a command: arguments that are not flags nor values of `value_flags`.
fn operands<'w>(args: &'w [String], value_flags: &[&str]) -> Vec<&'w str> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            out.extend(it.by_ref().map(String::as_str));
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if value_flags.contains(&a.as_str()) {
                it.next();
            }
            continue;
        }
        out.push(a.as_str());
    }
    out
}

const RG_VALUE_FLAGS: &[&str] = &[
    "-e",
    "-f",
    "-g",
    "-t",
    "-T",
    "-A",
    "-B",
    "-C",
    "-m",
    "-M",
    "-j",
    "-d",
    "-E",
    "-r",
    "--glob",
    "--iglob",
    "--type",
    "--type-not",
    "--max-count",
    "--max-columns",
    "--threads",
    "--max-depth",
    "--sort",
    "--sortr",
    "--type-add",
    "--encoding",
    "--replace",
    "--context",
    "--after-context",
    "--before-context",
    "--regexp",
    "--file",
];
const GREP_VALUE_FLAGS: &[&str] = &[
    "-e", "-f", "-A", "-B", "-C", "-m", "-d", "-D", "--regexp", "--file",
];

/// `cat/nl/head/tail/sed -n FILE` → Read, `rg/grep` → Search, `ls/find/tree/rg --files` → List; other
/// commands → Shell.
pub(crate) fn classify_words(words: &[String]) -> (ToolKind, Vec<String>) {
    let shell = (ToolKind::Shell, Vec::new());
    let Some((cmd, args)) = words.split_first() else {
        return shell;
    };
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    match cmd.rsplit('/').next().unwrap_or(cmd) {
        name @ ("cat" | "nl" | "head" | "tail") => {
            let value_flags: &[&str] = match name {
                "head" | "tail" => &["-n", "-c", "--lines", "--bytes"],
                "nl" => &["-b", "-d", "-f", "-h", "-i", "-l", "-n", "-s", "-v", "-w"],
                _ => &[],
            };
            let files = operands(args, value_flags);
            if files.is_empty() || files.contains(&"-") {
                shell
            } else {
                (ToolKind::Read, owned(files))
            }
        }
        "sed" => {
            let quiet = args
                .iter()
                .any(|a| a == "-n" || a == "--quiet" || a == "--silent");
            let in_place = args
                .iter()
                .any(|a| a.starts_with("-i") || a == "--in-place");
            let has_script_flag = args.iter().any(|a| a == "-e" || a == "-f");
            let ops = operands(args, &["-e", "-f", "-l"]);
            let files = if has_script_flag {
                &ops[..]
            } else {
                ops.get(1..).unwrap_or_default()
            };
            if quiet && !in_place && !files.is_empty() {
                (ToolKind::Read, owned(files.to_vec()))
            } else {
                shell
            }
        }
        "rg" => {
            let ops = operands(args, RG_VALUE_FLAGS);
            if args.iter().any(|a| a == "--files") {
                return (ToolKind::List, owned(ops));
            }
            let has_pattern_flag = args
                .iter()
                .any(|a| matches!(a.as_str(), "-e" | "-f" | "--regexp" | "--file"));
            let paths = if has_pattern_flag {
                &ops[..]
            } else {
                ops.get(1..).unwrap_or_default()
            };
            (ToolKind::Search, owned(paths.to_vec()))
        }
        "grep" | "egrep" | "fgrep" => {
            let ops = operands(args, GREP_VALUE_FLAGS);
            let has_pattern_flag = args
                .iter()
                .any(|a| matches!(a.as_str(), "-e" | "-f" | "--regexp" | "--file"));
            let paths = if has_pattern_flag {
                &ops[..]
            } else {
                ops.get(1..).unwrap_or_default()
            };
            (ToolKind::Search, owned(paths.to_vec()))
        }
        "ls" | "tree" => (ToolKind::List, owned(operands(args, &["-I", "-L", "-P"]))),
        "find" => {
            let roots = args
                .iter()
                .take_while(|a| !a.starts_with('-') && *a != "(" && *a != "!")
                .map(String::as_str)
                .collect();
            (ToolKind::List, owned(roots))
        }
        _ => shell,
    }
}
