//! `hook install|uninstall`: the git hook that runs `check`.

use super::super::*;

/// `hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write a POSIX sh hook that runs `agent-audit check --format table` (output on stderr). Without
    /// --fail-on it always exits 0; an existing hook is kept, renamed `<hook>.agent-audit-chained`,
    /// and run first. Respects core.hooksPath; installing again updates the hook in place.
    Install(HookInstallArgs),
    /// Remove agent-audit's hook and put back the hook it had chained. A hook agent-audit did not
    /// write is left untouched (exit 2).
    Uninstall(HookUninstallArgs),
}

/// `hook install`.
#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// Which git hook.
    #[arg(long = "hook", value_enum, default_value_t = HookKind::PrePush)]
    pub kind: HookKind,
    /// Stop the push or commit when this rule is broken (repeatable; the rules of `check --fail-on`,
    /// checked now). When agent-audit is missing or errors, the hook still lets git go on.
    #[arg(long = "fail-on", value_name = "RULE")]
    pub fail_on: Vec<String>,
}

/// `hook uninstall`.
#[derive(Debug, Args)]
pub struct HookUninstallArgs {
    /// Which git hook.
    #[arg(long = "hook", value_enum, default_value_t = HookKind::PrePush)]
    pub kind: HookKind,
}

/// Runs `hook install` or `hook uninstall` in the current directory's repository.
pub fn run(cmd: &HookCommand) -> Result<ExitCode> {
    let out = match cmd {
        HookCommand::Install(a) => {
            let dir = std::env::current_dir().context("cannot read the current directory")?;
            // Written into the script as the fallback when `agent-audit` is not on PATH.
            let exe = std::env::current_exe()
                .context("cannot find the path of the running agent-audit binary")?;
            let opts = HookOptions {
                kind: a.kind,
                fail_on: a.fail_on.clone(),
            };
            format!("{}\n", hook::install(&dir, &opts, &exe)?)
        }
        HookCommand::Uninstall(a) => {
            let dir = std::env::current_dir().context("cannot read the current directory")?;
            format!("{}\n", hook::uninstall(&dir, a.kind)?)
        }
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
