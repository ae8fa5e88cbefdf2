//! agent-audit reads coding agents' own session logs, prices them, and (in later layers) correlates their
//! edits with git history to tell accepted work from theater.
//!
//! Data flows one way: [`discover`] finds log files → [`formats`] parse each into the [`model`] →
//! [`ingest`] merges files into sessions and counts every response once → [`pricing`] prices steps →
//! [`metrics`] computes per-session figures → [`report`] renders them. [`cli`] wires the pipeline to
//! command-line options; renderers compute nothing.

pub mod cli;
pub mod config;
pub mod demo;
pub mod discover;
pub mod error;
pub mod formats;
pub mod git;
pub mod hook;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod pricing;
pub mod report;
pub mod term;
pub mod timespec;

pub use error::{Error, Result};
