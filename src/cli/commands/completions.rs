//! `completions SHELL`.

use super::super::*;

/// Prints the completion script of `shell`.
pub fn run(shell: clap_complete::Shell) -> Result<ExitCode> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "agent-audit", &mut out);
    emit(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::SUCCESS)
}
