//! Tool calls and their results: a `tool_use` block into a [`ToolCall`] (shell commands classified, edits
//! from the input), and each `tool_result` joined back to its call with the edit the file really got.

use super::*;

pub(super) fn tool_call(block: &Block<'_>) -> ToolCall {
    let name = block.name.as_deref().unwrap_or("unknown").to_owned();
    let input_raw = block.input.map(|r| r.get()).unwrap_or("{}");
    let input: ToolInput<'_> = serde_json::from_str(input_raw).unwrap_or_default();
    let file = input
        .file_path
        .as_deref()
        .or(input.notebook_path.as_deref());
    let mut paths: Vec<String> = Vec::new();
    let mut command = None;
    let kind = match name.as_str() {
        "Read" | "NotebookRead" => ToolKind::Read,
        "Write" => ToolKind::Write,
        "Edit" | "MultiEdit" | "NotebookEdit" => ToolKind::Edit,
        "Grep" | "Glob" => {
            command = input.pattern.as_deref().map(str::to_owned);
            ToolKind::Search
        }
        "LS" => ToolKind::List,
        "Bash" => {
            command = input.command.as_deref().map(str::to_owned);
            // `cat src/x.rs` is a read, as the same command is for Codex.
            let (kind, named) = command.as_deref().map_or(
                (ToolKind::Shell, Vec::new()),
                crate::formats::shell::classify_script,
            );
            paths.extend(named);
            kind
        }
        "BashOutput" => ToolKind::Shell,
        _ => ToolKind::Other,
    };
    if let Some(f) = file {
        paths.push(f.to_owned());
    } else if let Some(p) = input.path.as_deref() {
        paths.push(p.to_owned());
    }
    // Without a result (or with one that lacks the patch), the edit is rebuilt from the call's input;
    // `add_tool_results` replaces it with the applied patch, or drops it when the call failed.
    let edit = file.and_then(|f| edit_from_input(&name, f, &input));
    let is_bash = name == "Bash";
    let mut call = ToolCall::new(block.id.as_deref().unwrap_or_default(), kind, name);
    if is_bash && let Some(cmd) = &command {
        let fx = shell_writes::effects(cmd);
        call.shell_writes = fx.writes;
        call.shell_touched = fx.touched;
    }
    call.paths = paths;
    call.command = command;
    call.input_bytes = input_raw.len() as u64;
    call.edit = edit;
    call
}

pub(super) fn split_lines(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
        .collect()
}

pub(super) fn edit_from_input(name: &str, path: &str, input: &ToolInput<'_>) -> Option<Edit> {
    let hunk = |old: Option<&str>, new: Option<&str>| Hunk {
        old_start: None,
        old: split_lines(old.unwrap_or_default()),
        new: split_lines(new.unwrap_or_default()),
    };
    let (op, hunks) = match name {
        "Write" => (
            EditOp::Create,
            vec![hunk(None, Some(input.content.as_deref()?))],
        ),
        "Edit" => (
            EditOp::Update,
            vec![hunk(
                input.old_string.as_deref(),
                input.new_string.as_deref(),
            )],
        ),
        "MultiEdit" => (
            EditOp::Update,
            input
                .edits
                .as_ref()?
                .iter()
                .map(|e| hunk(e.old_string.as_deref(), e.new_string.as_deref()))
                .collect(),
        ),
        _ => return None,
    };
    Some(Edit {
        path: path.to_owned(),
        op,
        hunks,
    })
}

#[derive(Deserialize)]
pub(super) struct TextPart<'a> {
    #[serde(borrow, default)]
    pub(super) text: Option<&'a RawValue>,
}

/// Bytes of a tool result as the model received it: the text of a string or of text parts, measured
/// on the raw JSON without unescaping it (tool output is most of a log's bytes; copying it is the cost).
pub(super) fn result_bytes(content: Option<&RawValue>) -> u64 {
    let Some(raw) = content else { return 0 };
    let text = raw.get().as_bytes();
    match text.first() {
        Some(b'"') => json_string_len(text),
        Some(b'[') => {
            let Ok(parts) = serde_json::from_str::<Vec<TextPart<'_>>>(raw.get()) else {
                return text.len() as u64;
            };
            parts
                .iter()
                .filter_map(|p| p.text)
                .map(|t| json_string_len(t.get().as_bytes()))
                .sum()
        }
        _ => text.len() as u64,
    }
}

/// The text of a tool result (a string, or the text parts of an array), decoded: read only for the few
/// results that are scanned (commit lines).
pub(super) fn result_text(content: Option<&RawValue>) -> String {
    let Some(raw) = content else {
        return String::new();
    };
    if let Ok(s) = serde_json::from_str::<Cow<'_, str>>(raw.get()) {
        return s.into_owned();
    }
    #[derive(Deserialize)]
    struct Part<'a> {
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    }
    serde_json::from_str::<Vec<Part<'_>>>(raw.get())
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.text.as_deref())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Joins the results in a user line with the tool calls that asked for them.
pub(super) fn add_tool_results(
    b: &mut Building,
    msg: Message<'_>,
    tool_use_result: Option<&RawValue>,
) {
    let results: Vec<Block<'_>> = msg
        .content
        .0
        .into_iter()
        .filter(|bl| bl.kind.as_deref() == Some("tool_result"))
        .collect();
    let single = results.len() == 1;
    for result in results {
        let Some(id) = result.tool_use_id.as_deref() else {
            continue;
        };
        let Some(&(si, ci)) = b.by_tool_id.get(id) else {
            continue;
        };
        let call = &mut b.session.steps[si].tool_calls[ci];
        call.output_bytes = result_bytes(result.content);
        call.is_error = result.is_error == Some(true);
        // A commit the command made is printed even when a later part of it failed (`&& git push`).
        if call
            .command
            .as_deref()
            .is_some_and(shell_writes::may_commit)
        {
            call.commits = shell_writes::commits_in_output(&result_text(result.content));
        }
        if call.is_error {
            call.edit = None;
            call.shell_writes.clear();
            continue;
        }
        // `toolUseResult` describes the one result of the line; it is the applied patch for edits.
        if single
            && matches!(call.kind, ToolKind::Edit | ToolKind::Write)
            && let Some(tur) = tool_use_result
            && let Ok(tur) = serde_json::from_str::<ToolUseResult<'_>>(tur.get())
            && let Some(edit) = edit_from_result(call, &tur)
        {
            call.edit = Some(edit);
        }
    }
}

/// The applied edit, in order of trust: the original file with the requested replacements applied (exact
/// whole lines, real tabs); else the result's patch with its tabs repaired from the call's input; else
/// `None` (the edit built from the input stays). See [`crate::formats::rebuild`] for why the patch comes last.
pub(super) fn edit_from_result(call: &ToolCall, tur: &ToolUseResult<'_>) -> Option<Edit> {
    if !matches!(call.kind, ToolKind::Edit | ToolKind::Write) {
        return None;
    }
    let path = tur
        .file_path
        .as_deref()
        .map(str::to_owned)
        .or_else(|| call.paths.first().cloned())?;
    // A created file's content is the call's own `content`, already in the edit: not decoded twice.
    if tur.kind.as_deref() == Some("create") {
        return None;
    }
    if let Some(original) = tur.original_file.as_deref()
        && let Some(new_text) = requested_text(original, tur)
    {
        return Some(Edit {
            path,
            op: EditOp::Update,
            hunks: rebuild::diff_hunks(original, &new_text),
        });
    }
    let patch = tur.structured_patch.as_ref().filter(|p| !p.is_empty())?;
    let (truth_old, truth_new): (Vec<&str>, Vec<&str>) = match &call.edit {
        Some(e) => (
            e.hunks
                .iter()
                .flat_map(|h| h.old.iter().map(String::as_str))
                .collect(),
            e.hunks
                .iter()
                .flat_map(|h| h.new.iter().map(String::as_str))
                .collect(),
        ),
        None => Default::default(),
    };
    let hunks = patch
        .iter()
        .map(|h| {
            let mut hunk = Hunk {
                old_start: h.old_start,
                old: Vec::new(),
                new: Vec::new(),
            };
            for line in &h.lines {
                if let Some(rest) = line.strip_prefix('-') {
                    hunk.old.push(rest.to_owned());
                } else if let Some(rest) = line.strip_prefix('+') {
                    hunk.new.push(rest.to_owned());
                }
            }
            rebuild::repair_rendered_tabs(&mut hunk.old, &truth_old);
            rebuild::repair_rendered_tabs(&mut hunk.new, &truth_new);
            hunk
        })
        .collect();
    Some(Edit {
        path,
        op: EditOp::Update,
        hunks,
    })
}

/// The file after the call, from its original text: a `Write` over it gives its content; an `Edit` or a
/// `MultiEdit` gives the original with the replacements of the result applied. `None` when the result
/// does not carry them or one does not apply.
pub(super) fn requested_text(original: &str, tur: &ToolUseResult<'_>) -> Option<String> {
    if tur.kind.as_deref() == Some("update")
        && let Some(content) = tur.content.as_deref()
    {
        return Some(content.to_owned());
    }
    if let Some(new) = tur.new_string.as_deref() {
        let replace = rebuild::Replace {
            old: tur.old_string.as_deref().unwrap_or_default(),
            new,
            all: tur.replace_all == Some(true),
        };
        return rebuild::apply(original, &[replace]);
    }
    let edits: Vec<rebuild::Replace<'_>> = tur
        .edits
        .as_ref()?
        .iter()
        .map(|e| rebuild::Replace {
            old: e.old_string.as_deref().unwrap_or_default(),
            new: e.new_string.as_deref().unwrap_or_default(),
            all: e.replace_all == Some(true),
        })
        .collect();
    rebuild::apply(original, &edits)
}
