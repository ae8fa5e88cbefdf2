//! `.agent-audit.toml`, read from the repository root (or the current directory outside a repository).
//! Command-line flags win over it. Unknown keys are an error, so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::metrics::{Routing, Thresholds, Tier};
use crate::pricing::PriceOverride;

/// The config file's name.
pub const FILE_NAME: &str = ".agent-audit.toml";

/// The parsed config.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Price overrides: `[prices."model-id"]` with USD per million tokens.
    #[serde(default)]
    pub prices: BTreeMap<String, PriceOverride>,
    /// Route tier overrides: `[tiers]` `"model-id-or-pattern*" = "premium" | "standard" | "economy"`.
    #[serde(default)]
    pub tiers: BTreeMap<String, Tier>,
    /// `[routing]`: economy model per provider, and the output limit of a "short answer".
    #[serde(default)]
    pub routing: Routing,
    /// `[thresholds]`: flag and verdict thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Where it was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Config {
    /// Reads `dir/.agent-audit.toml`; a missing file is the default config.
    pub fn load_from(dir: &Path) -> Result<Config> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(Error::Read { path, source }),
        };
        let mut cfg: Config = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.clone(),
            message: e.to_string(),
        })?;
        cfg.path = Some(path);
        Ok(cfg)
    }
}
