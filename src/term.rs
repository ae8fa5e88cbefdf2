//! Colour and progress policy: colour only when asked or when stdout is a terminal and `NO_COLOR` is
//! unset; progress bars only on a terminal stderr, and only for work long enough to need one.

use std::io::IsTerminal;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to write colour to stdout.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// A progress bar over bytes parsed, drawn on stderr only when it is a terminal and the work is big
/// (more than 256 MiB); hidden otherwise, so pipes, hooks and JSON output stay clean.
pub fn progress(total_bytes: u64, quiet: bool) -> indicatif::ProgressBar {
    const BIG: u64 = 256 * 1024 * 1024;
    if quiet || total_bytes < BIG || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total_bytes);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reading logs {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
