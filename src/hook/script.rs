//! The hook script itself: POSIX sh that runs `agent-audit check` with the validated `--fail-on` rules,
//! chains the hook it replaced, and never blocks git unless a rule is broken.

use super::*;

/// The script [`install`] writes for `opts` (which also checks the rules first).
pub fn script(opts: &HookOptions, exe: &Path) -> String {
    script_text(opts.kind, &normalised(&opts.fail_on), exe)
}

pub(super) fn script_text(kind: HookKind, rules: &[String], exe: &Path) -> String {
    let name = kind.name();
    let mut args = String::from("check --format table");
    for r in rules {
        args.push_str(" --fail-on ");
        args.push_str(&sh_quote(r));
    }
    // A path that is not UTF-8 cannot be written into the script: PATH alone is searched then.
    let fallback = exe.to_str().map(sh_quote).unwrap_or_else(|| "''".into());
    let policy = if rules.is_empty() {
        "Never stops git: whatever check says, and when agent-audit is missing or fails, it exits 0."
    } else {
        "Exits 1 only when a --fail-on rule is broken (check exits 1); when agent-audit is missing or\n\
         # fails, it warns and exits 0."
    };
    let mut s = format!(
        "#!/bin/sh\n\
         {HEADER}\n\
         #\n\
         # {name}: runs `agent-audit {args}`, output on stderr.\n\
         # {policy}\n\
         # A {name} hook that was here before is kept as {name}{CHAINED_SUFFIX}\n\
         # and runs first, with the same arguments and input; when it fails, its exit code is this hook's.\n\
         \n\
         case $0 in\n    */*) hook_dir=${{0%/*}} ;;\n    *) hook_dir=. ;;\n\
         esac\n\
         chained=\"$hook_dir/{name}{CHAINED_SUFFIX}\"\n\
         # The agent-audit that installed this hook, used when none is on PATH.\n\
         fallback={fallback}\n\
         \n"
    );
    if kind.reads_stdin() {
        s.push_str(
            "# git writes the refs being pushed on stdin: keep a copy for the chained hook and for check.\n\
             input=$(mktemp \"${TMPDIR:-/tmp}/agent-audit-hook.XXXXXX\" 2>/dev/null) || input=\n\
             if [ -n \"$input\" ]; then\n    \
                 trap 'rm -f \"$input\"' 0\n    \
                 trap 'exit 129' 1\n    \
                 trap 'exit 130' 2\n    \
                 trap 'exit 143' 15\n    \
                 cat >\"$input\"\n\
             fi\n\
             \n\
             if [ -x \"$chained\" ]; then\n    \
                 if [ -n \"$input\" ]; then\n        \
                     \"$chained\" \"$@\" <\"$input\"\n    \
                 else\n        \
                     \"$chained\" \"$@\"\n    \
                 fi\n    \
                 status=$?\n    \
                 [ \"$status\" -eq 0 ] || exit \"$status\"\n\
             fi\n\
             \n",
        );
    } else {
        s.push_str(
            "input=\n\
             if [ -x \"$chained\" ]; then\n    \
                 \"$chained\" \"$@\"\n    \
                 status=$?\n    \
                 [ \"$status\" -eq 0 ] || exit \"$status\"\n\
             fi\n\
             \n",
        );
    }
    s.push_str(
        "if command -v agent-audit >/dev/null 2>&1; then\n    \
             agent_audit=agent-audit\n\
         elif [ -n \"$fallback\" ] && [ -x \"$fallback\" ]; then\n    \
             agent_audit=$fallback\n\
         else\n    \
             printf 'agent-audit hook: agent-audit is not installed (not on PATH%s); skipping the check\\n' \"${fallback:+, not at $fallback}\" >&2\n    \
             exit 0\n\
         fi\n\
         \n",
    );
    s.push_str(&format!(
        "\"$agent_audit\" {args} <\"${{input:-/dev/null}}\" >&2\n\
         status=$?\n"
    ));
    let goes_on = kind.goes_on();
    if rules.is_empty() {
        s.push_str(&format!(
            "if [ \"$status\" -ne 0 ]; then\n    \
                 echo \"agent-audit hook: 'agent-audit check' failed (exit $status); {goes_on}\" >&2\n\
             fi\n\
             exit 0\n"
        ));
    } else {
        let stops = kind.stops();
        s.push_str(&format!(
            "if [ \"$status\" -eq 1 ]; then\n    \
                 echo \"agent-audit hook: a --fail-on rule is broken (see above): {stops}\" >&2\n    \
                 exit 1\n\
             elif [ \"$status\" -ne 0 ]; then\n    \
                 echo \"agent-audit hook: 'agent-audit check' failed (exit $status); {goes_on}\" >&2\n\
             fi\n\
             exit 0\n"
        ));
    }
    s
}

/// `--fail-on` rules, whitespace removed, duplicates dropped, each one checked so a typo fails now
/// rather than turning every later push into a warning.
pub(super) fn checked_rules(rules: &[String]) -> Result<Vec<String>> {
    let rules = normalised(rules);
    for r in &rules {
        crate::metrics::branch::Rule::parse(r).map_err(Error::Usage)?;
    }
    Ok(rules)
}

/// Rules without whitespace (none is meaningful in a rule, and a line break would end the script's
/// comment line), in the order given, without duplicates.
pub(super) fn normalised(rules: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rules {
        let r: String = r.split_whitespace().collect();
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// `s` as one single-quoted sh word.
pub(super) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
