//! End-to-end tests: the built `agent-audit` binary run over `testdata/`, the real samples in
//! `../shared/samples/`, and logs and git repositories made in temp dirs. One test binary, as jj does.

mod common;

mod aider;
mod attribution;
mod bad_input;
mod check;
mod discovery;
mod export;
mod fuzz;
mod git_routes;
mod hooks;
mod hostile;
mod index;
mod new_agents;
mod opencode;
mod prices;
mod roundtrip;
mod samples;
mod sessions;
mod todays_logs;
mod usage;
mod verdicts;
mod workflows;
