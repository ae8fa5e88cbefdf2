//! Tool mapping: function, custom and local-shell calls into tool calls (shell commands classified, patches into edits), and what their outputs say (bytes, failure, commits).

use super::*;

// ---------------------------------------------------------------------------------------------------
// Tool calls.

pub(super) fn call(id: &str, kind: ToolKind, name: &str, input_bytes: usize) -> ToolCall {
    let mut c = ToolCall::new(id, kind, name);
    c.input_bytes = input_bytes as u64;
    c
}

/// A shell command as a tool gave it: an argv or a script for `bash -lc`.
pub(super) enum Cmd {
    Argv(Vec<String>),
    Script(String),
}

#[derive(Deserialize, Default)]
pub(super) struct ShellArgs<'a> {
    #[serde(borrow, default)]
    pub(super) command: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) cmd: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) input: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) patch: LStr<'a>,
    #[serde(borrow, default)]
    pub(super) path: LStr<'a>,
}

pub(super) fn shell_args(arguments: &str) -> ShellArgs<'_> {
    serde_json::from_str::<MapOnly<ShellArgs<'_>>>(arguments)
        .ok()
        .and_then(|m| m.0)
        .unwrap_or_default()
}

pub(super) fn cmd_from(raw: Option<&RawValue>, script: Option<&str>) -> Option<Cmd> {
    if let Some(raw) = raw {
        if let Ok(argv) = serde_json::from_str::<Vec<String>>(raw.get()) {
            return Some(Cmd::Argv(argv));
        }
        if let Ok(s) = serde_json::from_str::<String>(raw.get()) {
            return Some(Cmd::Script(s));
        }
    }
    script.map(|s| Cmd::Script(s.to_owned()))
}

pub(super) fn function_call(name: &str, arguments: &str, id: &str) -> Vec<ToolCall> {
    let input_bytes = arguments.len();
    if name == "apply_patch" {
        let args = shell_args(arguments);
        let patch = args.input.get().or(args.patch.get()).unwrap_or(arguments);
        return patch_calls(name, id, patch, input_bytes);
    }
    if SHELL_TOOLS.contains(&name) {
        let args = shell_args(arguments);
        if let Some(cmd) = cmd_from(args.command, args.cmd.get()) {
            return shell_call(name, id, cmd, input_bytes);
        }
        return vec![call(id, ToolKind::Shell, name, input_bytes)];
    }
    let mut c = call(id, ToolKind::Other, name, input_bytes);
    if name == "view_image" {
        c.kind = ToolKind::Read;
        if let Some(p) = shell_args(arguments).path.get() {
            c.paths.push(p.to_owned());
        }
    }
    vec![c]
}

pub(super) fn custom_tool_call(name: &str, input: &str, id: &str) -> Vec<ToolCall> {
    if name == "apply_patch" || input.trim_start().starts_with("*** Begin Patch") {
        return patch_calls(name, id, input, input.len());
    }
    if SHELL_TOOLS.contains(&name) {
        return shell_call(name, id, Cmd::Script(input.to_owned()), input.len());
    }
    vec![call(id, ToolKind::Other, name, input.len())]
}

pub(super) fn local_shell_call(action: Option<&RawValue>, id: &str) -> Vec<ToolCall> {
    #[derive(Deserialize, Default)]
    struct Action<'a> {
        #[serde(borrow, default)]
        command: Option<&'a RawValue>,
    }
    let name = "local_shell";
    let input_bytes = action.map_or(0, |a| a.get().len());
    let command = action
        .and_then(|a| serde_json::from_str::<MapOnly<Action<'_>>>(a.get()).ok())
        .and_then(|m| m.0)
        .and_then(|a| cmd_from(a.command, None));
    match command {
        Some(cmd) => shell_call(name, id, cmd, input_bytes),
        None => vec![call(id, ToolKind::Shell, name, input_bytes)],
    }
}

pub(super) fn is_shell_program(p: &str) -> bool {
    matches!(
        p.rsplit('/').next().unwrap_or(p),
        "bash" | "sh" | "zsh" | "dash" | "ksh"
    )
}

pub(super) fn shell_call(name: &str, id: &str, cmd: Cmd, input_bytes: usize) -> Vec<ToolCall> {
    // `["bash", "-lc", SCRIPT]` is the script; `["apply_patch", PATCH]` is a patch.
    let (script, argv) = match cmd {
        Cmd::Script(s) => (s, None),
        Cmd::Argv(v) => {
            if v.len() >= 3 && is_shell_program(&v[0]) && matches!(v[1].as_str(), "-lc" | "-c") {
                (v[2..].join(" "), None)
            } else if v.len() >= 2 && matches!(v[0].as_str(), "apply_patch" | "applypatch") {
                return patch_calls(name, id, &v[1], input_bytes);
            } else {
                (v.join(" "), Some(v))
            }
        }
    };
    if script.contains("*** Begin Patch")
        && (script.contains("apply_patch") || script.contains("applypatch"))
    {
        return patch_calls(name, id, &script, input_bytes);
    }
    let (kind, paths) = match &argv {
        Some(words) => classify_words(words),
        None => tokenize(&script)
            .and_then(|t| classify_tokens(&t))
            .unwrap_or((ToolKind::Shell, Vec::new())),
    };
    let mut c = call(id, kind, name, input_bytes);
    c.paths = paths;
    let fx = crate::formats::shell_writes::effects(&script);
    c.shell_writes = fx.writes;
    c.shell_touched = fx.touched;
    c.command = Some(script);
    vec![c]
}

/// One call per file a patch touches (ids `call#1`, `call#2`… when several); the call's input and output
/// bytes are counted on the first.
pub(super) fn patch_calls(name: &str, id: &str, patch: &str, input_bytes: usize) -> Vec<ToolCall> {
    edit_calls(name, id, parse_patch(patch), input_bytes)
}

/// One call per edited file (ids `call#1`, `call#2`… when several; the input bytes on the first), or one
/// edit call without an edit when nothing could be read from it.
pub(super) fn edit_calls(
    name: &str,
    id: &str,
    edits: Vec<Edit>,
    input_bytes: usize,
) -> Vec<ToolCall> {
    if edits.is_empty() {
        return vec![call(id, ToolKind::Edit, name, input_bytes)];
    }
    let several = edits.len() > 1;
    edits
        .into_iter()
        .enumerate()
        .map(|(i, edit)| {
            let cid = if several {
                format!("{id}#{}", i + 1)
            } else {
                id.to_owned()
            };
            let mut c = call(
                &cid,
                ToolKind::Edit,
                name,
                if i == 0 { input_bytes } else { 0 },
            );
            c.paths.push(edit.path.clone());
            if let EditOp::Move { to } = &edit.op {
                c.paths.push(to.clone());
            }
            c.edit = Some(edit);
            c
        })
        .collect()
}

/// The edits of a paginated `FileChange` item: `add` → [`EditOp::Create`] with the content's lines,
/// `delete` → [`EditOp::Delete`], `update` → [`EditOp::Update`] (or [`EditOp::Move`] to `move_path`) with
/// one [`Hunk`] per run of `-`/`+` lines of its unified diff (`old_start` from the `@@ -N` header).
pub(super) fn file_changes(raw: &RawValue) -> Vec<Edit> {
    let Ok(map) =
        serde_json::from_str::<std::collections::BTreeMap<String, MapOnly<ChangeP<'_>>>>(raw.get())
    else {
        return Vec::new();
    };
    let lines = |text: &str| -> Vec<String> {
        let text = text.strip_suffix('\n').unwrap_or(text);
        if text.is_empty() {
            return Vec::new();
        }
        text.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
            .collect()
    };
    let mut edits = Vec::new();
    for (path, change) in map {
        let Some(change) = change.0 else { continue };
        let edit = match change.kind.get() {
            Some("add") => Edit {
                path,
                op: EditOp::Create,
                hunks: vec![Hunk {
                    old_start: None,
                    old: Vec::new(),
                    new: lines(change.content.get().unwrap_or_default()),
                }],
            },
            Some("delete") => Edit {
                path,
                op: EditOp::Delete,
                hunks: Vec::new(),
            },
            Some("update") => {
                let op = match change.move_path.get().filter(|m| !m.is_empty()) {
                    Some(to) => EditOp::Move { to: to.to_owned() },
                    None => EditOp::Update,
                };
                Edit {
                    path,
                    op,
                    hunks: unified_hunks(change.unified_diff.get().unwrap_or_default()),
                }
            }
            _ => continue,
        };
        edits.push(edit);
    }
    edits
}

// ---------------------------------------------------------------------------------------------------
// Tool outputs.

/// Bytes of an output as the model received it, and whether it reports a failure.
pub(super) fn measure_output(output: Option<&RawValue>) -> (u64, bool) {
    let Some(raw) = output else { return (0, false) };
    let text = raw.get().as_bytes();
    match text.first() {
        Some(b'"') => (json_string_len(text), output_says_error(text)),
        Some(b'[') => {
            #[derive(Deserialize, Default)]
            struct Part<'a> {
                #[serde(borrow, default)]
                text: Option<&'a RawValue>,
            }
            let Ok(parts) = serde_json::from_str::<Vec<MapOnly<Part<'_>>>>(raw.get()) else {
                return (text.len() as u64, false);
            };
            let bytes = parts
                .iter()
                .filter_map(|p| p.0.as_ref().and_then(|p| p.text))
                .map(|t| json_string_len(t.get().as_bytes()))
                .sum();
            (bytes, false)
        }
        Some(b'{') => {
            #[derive(Deserialize, Default)]
            struct Wrapped<'a> {
                #[serde(borrow, default)]
                content: Option<&'a RawValue>,
                #[serde(default)]
                success: Option<bool>,
            }
            let w = serde_json::from_str::<MapOnly<Wrapped<'_>>>(raw.get())
                .ok()
                .and_then(|m| m.0)
                .unwrap_or_default();
            match w.content {
                Some(c) => (measure_output(Some(c)).0, w.success == Some(false)),
                None => (text.len() as u64, w.success == Some(false)),
            }
        }
        _ => (text.len() as u64, false),
    }
}

/// The decoded text of a call's output (read only for commands that may print commits): a string, the
/// `output` of Codex's `{"output", "metadata"}` wrapper, or the `content` of a wrapped result.
pub(super) fn output_text(output: Option<&RawValue>) -> String {
    #[derive(Deserialize)]
    struct Wrapped {
        #[serde(default)]
        output: Option<String>,
        #[serde(default)]
        content: Option<String>,
    }
    let Some(raw) = output else {
        return String::new();
    };
    let text = serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned());
    if text.trim_start().starts_with('{')
        && let Ok(w) = serde_json::from_str::<Wrapped>(&text)
    {
        return w.output.or(w.content).unwrap_or_default();
    }
    text
}

/// Output prefixes that report a failed call (shell wrappers, `apply_patch`, sandbox refusals).
pub(super) const ERROR_PREFIXES: &[&str] = &[
    "error",
    "failed",
    "failure",
    "patch rejected",
    "apply_patch verification failed",
    "invalid patch",
    "execution error",
    "exec command rejected",
    "command rejected",
    "rejected",
    "aborted",
];

/// True when an output string (a JSON string literal) says the call failed: a non-zero `exit_code` in
/// Codex's `{"output", "metadata": {"exit_code"}}` wrapper, an `Exit code: N` / `Process exited with code
/// N` header, or an error message.
pub(super) fn output_says_error(raw: &[u8]) -> bool {
    let finder = memchr::memmem::FinderRev::new(br#"\"exit_code\":"#);
    if let Some(at) = finder.rfind(raw) {
        let rest = &raw[at + br#"\"exit_code\":"#.len()..];
        return leading_int(rest).is_some_and(|n| n != 0);
    }
    let prefix = decode_prefix(raw, 400);
    let text = prefix.trim_start();
    if let Some(rest) = text.strip_prefix("Exit code:") {
        return leading_int(rest.as_bytes()).is_some_and(|n| n != 0);
    }
    if let Some(at) = text.find("Process exited with code ") {
        let rest = &text[at + "Process exited with code ".len()..];
        return leading_int(rest.as_bytes()).is_some_and(|n| n != 0);
    }
    let lower = text.get(..64.min(text.len())).map(str::to_ascii_lowercase);
    lower.is_some_and(|l| ERROR_PREFIXES.iter().any(|p| l.starts_with(p)))
}

/// An optionally signed integer at the start of `b`, after spaces.
pub(super) fn leading_int(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b.get(..b.len().min(32))?)
        .ok()
        .or_else(|| {
            // A cut inside a multi-byte character: keep the valid part.
            let cut = &b[..b.len().min(32)];
            std::str::from_utf8(&cut[..cut.len().saturating_sub(3)]).ok()
        })?;
    let s = s.trim_start();
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(s.len(), |(i, _)| i);
    s[..end].parse().ok()
}

/// The first `max` characters of a JSON string literal, unescaped.
pub(super) fn decode_prefix(raw: &[u8], max: usize) -> String {
    let inner = raw.get(1..).unwrap_or_default();
    let mut out: Vec<u8> = Vec::with_capacity(max.min(inner.len()));
    let mut i = 0;
    while i < inner.len() && out.len() < max {
        match inner[i] {
            b'"' => break,
            b'\\' => {
                let Some(&e) = inner.get(i + 1) else { break };
                i += 2;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'b' | b'f' => out.push(b' '),
                    b'u' => {
                        let cp = inner
                            .get(i..i + 4)
                            .and_then(|h| std::str::from_utf8(h).ok())
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .unwrap_or(0xFFFD);
                        i += 4;
                        let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                        let mut buf = [0; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    other => out.push(other),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
