//! agent-audit reads coding agents' own session logs, prices them, and correlates their edits with git
//! history to tell accepted work (leverage) from visible usage without an accepted result (theater).
//!
//! Data flows one way: [`discover`] finds log files → [`formats`] parse each into the [`model`] →
//! [`ingest`] merges files into sessions and counts every response once → [`git`] follows each
//! session's edits into commits, the base branch and HEAD → [`metrics`] prices steps with [`pricing`] and
//! computes per-session figures and verdicts → [`report`] renders them. [`cli`] wires the pipeline to
//! command-line options; renderers compute nothing. [`hook`] installs the pre-push check, [`demo`] writes
//! the example repository of the tour. [`export`] writes the same session reports as NDJSON or OTLP spans
//! for a team's warehouse or collector, and reads NDJSON exports back for the team review.

pub mod cli;
pub mod config;
pub mod demo;
pub mod discover;
pub mod error;
pub mod export;
pub mod formats;
pub mod git;
pub mod hook;
pub mod index;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod prefilter;
pub mod pricing;
pub mod report;
pub mod select;
pub mod term;
pub mod timespec;

pub use error::{Error, Result};
