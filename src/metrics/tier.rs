//! Route tiers: which steps ran on an expensive model.
//!
//! Defaults, by model id (lower-cased): `opus`, a `-pro` model outside Gemini (`gpt-5-pro`, `o3-pro`),
//! `gpt-4.5`, `o1` (not `o1-mini`), and any response in fast or priority mode → **premium**; `haiku`,
//! `-mini`, `-nano`, `flash`, `-lite` → **economy**; everything else (Sonnet, GPT-5, GPT-5-codex,
//! Gemini Pro…) → **standard**. `[tiers]` in `.agent-audit.toml` overrides per model id, with `*` as a
//! wildcard: `"claude-sonnet-*" = "premium"`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::ServiceTier;

/// How expensive a route is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Top models and fast/priority processing.
    Premium,
    /// The everyday models.
    Standard,
    /// Small, cheap models.
    Economy,
}

impl Tier {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Premium => "premium",
            Tier::Standard => "standard",
            Tier::Economy => "economy",
        }
    }
}

/// Tier rules: the defaults plus `[tiers]` overrides.
#[derive(Debug, Clone, Default)]
pub struct TierRules {
    overrides: BTreeMap<String, Tier>,
}

impl TierRules {
    /// Rules with overrides (model id or `*` pattern → tier).
    pub fn new(overrides: BTreeMap<String, Tier>) -> TierRules {
        TierRules { overrides }
    }

    /// The tier of one response.
    pub fn tier(&self, model: Option<&str>, service: ServiceTier) -> Tier {
        let Some(model) = model else {
            return Tier::Standard;
        };
        if let Some(t) = self.overrides.get(model) {
            return *t;
        }
        // Longest matching pattern wins, so `claude-*` can be refined by `claude-haiku-*`.
        if let Some((_, t)) = self
            .overrides
            .iter()
            .filter(|(p, _)| p.contains('*') && glob(p, model))
            .max_by_key(|(p, _)| p.len())
        {
            return *t;
        }
        if matches!(service, ServiceTier::Fast | ServiceTier::Priority) {
            return Tier::Premium;
        }
        default_tier(model)
    }
}

/// The default tier of a model id.
pub fn default_tier(model: &str) -> Tier {
    let m = model.to_ascii_lowercase();
    let has = |s: &str| m.contains(s);
    let pro = (m.ends_with("-pro") || has("-pro-")) && !m.starts_with("gemini");
    let o1 = m == "o1" || (m.starts_with("o1-") && !m.starts_with("o1-mini"));
    if has("opus") || pro || has("gpt-4.5") || o1 {
        Tier::Premium
    } else if has("haiku") || has("-mini") || has("-nano") || has("flash") || has("-lite") {
        Tier::Economy
    } else {
        Tier::Standard
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(at) = rest.find(part) {
            rest = &rest[at + part.len()..];
        } else {
            return false;
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        assert_eq!(default_tier("claude-opus-4-6"), Tier::Premium);
        assert_eq!(default_tier("gpt-5-pro"), Tier::Premium);
        assert_eq!(default_tier("claude-sonnet-4-5-20250929"), Tier::Standard);
        assert_eq!(default_tier("gpt-5-codex"), Tier::Standard);
        assert_eq!(default_tier("gemini-2.5-pro"), Tier::Standard);
        assert_eq!(default_tier("claude-haiku-4-5-20251001"), Tier::Economy);
        assert_eq!(default_tier("gpt-5.1-codex-mini"), Tier::Economy);
        assert_eq!(default_tier("gemini-2.5-flash"), Tier::Economy);
    }

    #[test]
    fn fast_mode_and_overrides() {
        let rules = TierRules::new(BTreeMap::from([
            ("claude-sonnet-*".to_string(), Tier::Premium),
            ("my-model".to_string(), Tier::Economy),
        ]));
        assert_eq!(
            rules.tier(Some("claude-sonnet-4-6"), ServiceTier::Standard),
            Tier::Premium
        );
        assert_eq!(
            rules.tier(Some("my-model"), ServiceTier::Fast),
            Tier::Economy
        );
        assert_eq!(
            rules.tier(Some("gpt-5"), ServiceTier::Priority),
            Tier::Premium
        );
        assert_eq!(
            rules.tier(Some("gpt-5"), ServiceTier::Standard),
            Tier::Standard
        );
        assert!(glob("a*c*e", "abcde") && !glob("a*c", "abcd"));
    }
}
