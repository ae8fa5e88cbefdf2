//! `agent-audit`: parse arguments, run, print the error chain, map to an exit code (0 ok, 2 error).

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc malloc: parsing allocates many short-lived strings per line, and
/// malloc/free were ~14% of `sessions` (measured with perf on a 200 MiB corpus).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = agent_audit::cli::Cli::parse();
    match agent_audit::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
