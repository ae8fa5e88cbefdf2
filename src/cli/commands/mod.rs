//! One file per command: its clap arguments and its `run`, which reads what the command needs (through
//! `inputs`), calls the library, and prints. The dispatcher is `cli::run`.

pub mod check;
pub mod completions;
pub mod demo;
pub mod export;
pub mod hook;
pub mod index;
pub mod prices;
pub mod review;
pub mod session;
pub mod sessions;
pub mod usage;
