//! The table, lookups, costs and overrides: one rule per test.

use std::path::Path;

use super::overrides::OverridesFile;
use super::resolve::{is_iso_date, split_date};
use super::*;
use crate::error::Error;

/// A date inside every current set's window.
pub(super) fn now() -> jiff::Timestamp {
    "2026-12-01T12:00:00Z".parse().expect("a time")
}

pub(super) fn usage(input: u64, output: u64, read: u64, w5: u64, w1h: u64) -> Usage {
    Usage {
        input,
        output,
        cache_read: read,
        cache_write_5m: w5,
        cache_write_1h: w1h,
        reasoning: 0,
    }
}

pub(super) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn embedded_table_is_valid() {
    let table = PriceTable::parse_embedded(EMBEDDED_TOML).expect("should succeed");
    assert!(table.entries().count() >= 35);
    for (key, sets) in table.history() {
        for p in sets {
            let set = p.set_name(key);
            assert!(p.source.starts_with("https://"), "{set}");
            assert!(is_iso_date(&p.as_of), "{set}");
            assert!(
                ["anthropic", "openai", "google"].contains(&p.provider.as_str()),
                "{set}"
            );
            assert!(p.input > 0.0 && p.output > 0.0, "{set}");
            // Anthropic's write ratios on every set; reads are 0.1x input, or 0.05x / 0.025x on
            // some newer models.
            if p.provider == "anthropic" {
                let read = p.cache_read / p.input;
                assert!(
                    [0.1, 0.05, 0.025].iter().any(|r| close(read, *r)),
                    "{set} read"
                );
                assert!(close(p.cache_write_5m, p.input * 1.25), "{set} 5m");
                assert!(close(p.cache_write_1h, p.input * 2.0), "{set} 1h");
            } else if p.cache_writes_unlogged {
                // GPT-5.6 and later bill writes at 1.25x input.
                assert!(close(p.cache_write_5m, p.input * 1.25), "{set} write");
            } else {
                assert!(close(p.cache_write_5m, p.input), "{set} no write premium");
            }
        }
    }
    // The same value through the lazily parsed static.
    assert_eq!(
        PriceTable::embedded().entries().count(),
        table.entries().count()
    );
}

#[test]
fn required_models_are_present() {
    let t = PriceTable::embedded();
    for id in [
        "claude-opus-4-6",
        "claude-opus-4-5-20251101",
        "claude-opus-4-1-20250805",
        "claude-opus-4-20250514",
        "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-20250514",
        "claude-3-7-sonnet-20250219",
        "claude-haiku-4-5-20251001",
        "claude-3-5-haiku-20241022",
        "claude-3-5-sonnet-20241022",
        "claude-sonnet-4-6",
        "claude-opus-4-7",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-5-codex",
        "gpt-5.1",
        "gpt-5.1-codex",
        "gpt-5.1-codex-mini",
        "gpt-5.1-codex-max",
        "gpt-5.2",
        "gpt-5.2-codex",
        "gpt-5.3-codex",
        "gpt-5.4",
        "gpt-5.4-mini",
        "o3",
        "o4-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4o",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
        "gemini-3-pro-preview",
    ] {
        let (key, _, m) = t.resolve(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!((key, m), (id, Match::Exact));
    }
}

#[test]
fn invalid_tables_are_rejected() {
    let entry = |extra: &str| {
        format!(
            "[models.\"m\"]\nprovider = \"openai\"\n[[models.\"m\".sets]]\ninput = 1.0\noutput = 2.0\n\
                 cache_read = 0.1\ncache_write_5m = 1.0\ncache_write_1h = 1.0\n\
                 source = \"https://example.com\"\nchecked = \"2026-01-01\"\n{extra}"
        )
    };
    assert!(PriceTable::parse_embedded(&entry("")).is_ok());
    assert!(PriceTable::parse_embedded(&entry("colour = 1\n")).is_err());
    assert!(PriceTable::parse_embedded(&entry("fast_multiplier = 0.0\n")).is_err());
    assert!(
        PriceTable::parse_embedded(&entry("").replace("[[models", "aliases = [\"m\"]\n[[models"))
            .is_err()
    );
    // Dated sets: in order, not overlapping, `from` before `to`, only the first without `from`.
    let second = |from: &str| {
        entry(&format!(
            "to = \"2026-03-01\"\n{}",
            entry("")
                .split_once("[[")
                .map(|(_, s)| format!("[[{s}from = \"{from}\"\n"))
                .unwrap_or_default()
        ))
    };
    assert!(PriceTable::parse_embedded(&second("2026-03-01")).is_ok());
    assert!(PriceTable::parse_embedded(&second("2026-02-01")).is_err());
    assert!(
        PriceTable::parse_embedded(&entry("from = \"2026-02-01\"\nto = \"2026-02-01\"\n")).is_err()
    );
    assert!(PriceTable::parse_embedded(&entry("from = \"2026-02-30x\"\n")).is_err());
    assert!(PriceTable::parse_embedded(&entry("").replace("2026-01-01", "last week")).is_err());
    assert!(PriceTable::parse_embedded(&entry("").replace("https://", "")).is_err());
    assert!(PriceTable::parse_embedded(&entry("").replace("input = 1.0", "input = -1.0")).is_err());
    assert!(PriceTable::parse_embedded(&entry("").replace("input = 1.0\n", "")).is_err());
}

#[test]
fn exact_lookup() {
    let t = PriceTable::embedded();
    let (key, p, m) = t
        .resolve("claude-sonnet-4-5-20250929")
        .expect("should succeed");
    assert_eq!(key, "claude-sonnet-4-5-20250929");
    assert_eq!(m, Match::Exact);
    assert_eq!((p.input, p.output), (3.0, 15.0));
    // A differently priced snapshot has its own entry and wins over dropping its date.
    let (key, p, m) = t.resolve("gpt-4o-2024-05-13").expect("should succeed");
    assert_eq!((key, m, p.input), ("gpt-4o-2024-05-13", Match::Exact, 5.0));
}

#[test]
fn normalized_lookup() {
    let t = PriceTable::embedded();
    let cases = [
        (
            "claude-sonnet-4-5",
            "claude-sonnet-4-5-20250929",
            "added date suffix",
        ),
        (
            "claude-opus-4-5",
            "claude-opus-4-5-20251101",
            "added date suffix",
        ),
        (
            "claude-opus-4",
            "claude-opus-4-20250514",
            "added date suffix",
        ),
        ("claude-opus-4-6-20260205", "claude-opus-4-6", "alias"),
        (
            "claude-sonnet-4.6",
            "claude-sonnet-4-6",
            "version dots read as dashes",
        ),
        ("claude-opus-4-0", "claude-opus-4-20250514", "alias"),
        (
            "anthropic/claude-haiku-4-5-20251001",
            "claude-haiku-4-5-20251001",
            "prefix `anthropic/`",
        ),
        (
            "anthropic/claude-haiku-4-5",
            "claude-haiku-4-5-20251001",
            "added date suffix",
        ),
        ("openai/gpt-5-codex", "gpt-5-codex", "prefix `openai/`"),
        (
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "claude-sonnet-4-5-20250929",
            "suffix `-v1:0`",
        ),
        (
            "global.anthropic.claude-sonnet-4-20250514-v1:0",
            "claude-sonnet-4-20250514",
            "prefix `global.anthropic.`",
        ),
        (
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
            "claude-3-5-sonnet-20241022",
            "suffix `-v2:0`",
        ),
        (
            "anthropic.claude-opus-4-6-v1",
            "claude-opus-4-6",
            "suffix `-v1`",
        ),
        (
            "claude-sonnet-4@20250514",
            "claude-sonnet-4-20250514",
            "`@20250514`",
        ),
        (
            "gpt-5.1-codex-2025-11-13",
            "gpt-5.1-codex",
            "dropped date suffix `-2025-11-13`",
        ),
        ("gpt-5-2025-08-07", "gpt-5", "dropped date suffix"),
        ("gpt-4o-2024-08-06", "gpt-4o", "dropped date suffix"),
        ("claude-opus-4-7-20260416", "claude-opus-4-7", "alias"),
        (
            "models/gemini-2.5-pro",
            "gemini-2.5-pro",
            "prefix `models/`",
        ),
        ("GPT-5", "gpt-5", "upper case"),
    ];
    for (id, want, via_part) in cases {
        let (key, _, m) = t.resolve(id).unwrap_or_else(|| panic!("{id} unresolved"));
        assert_eq!(key, want, "{id}");
        match m {
            Match::Normalized { via } => assert!(via.contains(via_part), "{id}: {via}"),
            Match::Exact => panic!("{id} matched exactly"),
        }
    }
}

#[test]
fn unknown_siblings_are_refused() {
    let t = PriceTable::embedded();
    for id in [
        "claude-opus-4-9",
        "claude-opus-4-9-20270101",
        "claude-sonnet-4-7",
        "claude-sonnet-4-5-20991231",
        "claude-haiku-4",
        "gpt-5.9",
        "gpt-5.4-pro",
        "gpt-5-codex-mini",
        "gpt-5.1-codex-ultra",
        "o3-mini",
        "o3-pro",
        "gpt-4",
        "gemini-2.5",
        "gemini-2.5-flash-lite-preview-06-17",
        "anthropic/claude-opus-4-9",
        "us.anthropic.claude-opus-4-9-v1:0",
        "",
        "-20250929",
    ] {
        assert!(t.resolve(id).is_none(), "{id} must stay unknown");
        assert!(
            t.cost(id, &usage(1, 1, 0, 0, 0), ServiceTier::Standard, now())
                .is_none()
        );
    }
}

#[test]
fn cost_of_known_usage() {
    let t = PriceTable::embedded();
    // Sonnet 4.5: 10,000 in × $3 + 2,000 out × $15 + 50,000 read × $0.30 + 4,000 5m × $3.75
    // + 1,000 1h × $6 = 0.03 + 0.03 + 0.015 + 0.015 + 0.006 = $0.096.
    let u = usage(10_000, 2_000, 50_000, 4_000, 1_000);
    let p = t
        .cost(
            "claude-sonnet-4-5-20250929",
            &u,
            ServiceTier::Standard,
            now(),
        )
        .expect("should succeed");
    assert!(close(p.usd, 0.096), "{}", p.usd);
    assert_eq!(p.key, "claude-sonnet-4-5-20250929");
    assert!(!p.long_context && !p.multiplier_assumed);
    assert_eq!(p.multiplier, 1.0);
    // Reasoning is inside output: setting it changes nothing.
    let with_reasoning = Usage {
        reasoning: 1_500,
        ..u
    };
    let q = t
        .cost(
            "claude-sonnet-4-5-20250929",
            &with_reasoning,
            ServiceTier::Standard,
            now(),
        )
        .expect("should succeed");
    assert_eq!(p.usd, q.usd);
    // gpt-5: 1M fresh input $1.25 + 1M cached $0.125 + 100K output $1.00 = $2.375.
    let p = t
        .cost(
            "gpt-5",
            &usage(1_000_000, 100_000, 1_000_000, 0, 0),
            ServiceTier::Standard,
            now(),
        )
        .expect("should succeed");
    assert!(close(p.usd, 2.375), "{}", p.usd);
}

#[test]
fn long_context_switches_above_the_threshold() {
    let t = PriceTable::embedded();
    let model = "claude-sonnet-4-20250514";
    // Prompt exactly 200,000 (input + read + writes): standard rates.
    let at = usage(100_000, 1_000, 90_000, 9_000, 1_000);
    assert_eq!(at.prompt(), 200_000);
    let p = t
        .cost(model, &at, ServiceTier::Standard, now())
        .expect("should succeed");
    assert!(!p.long_context);
    // 0.3 + 0.015 + 0.027 + 0.03375 + 0.006
    assert!(close(p.usd, 0.38175), "{}", p.usd);
    // One more token: the whole request at $6 / $22.50 / $0.60 / $7.50 / $12.
    let over = usage(100_001, 1_000, 90_000, 9_000, 1_000);
    let p = t
        .cost(model, &over, ServiceTier::Standard, now())
        .expect("should succeed");
    assert!(p.long_context);
    // 0.600006 + 0.0225 + 0.054 + 0.0675 + 0.012
    assert!(close(p.usd, 0.756006), "{}", p.usd);
    // gpt-5.4 switches above 272K.
    let p = t
        .cost(
            "gpt-5.4",
            &usage(272_001, 0, 0, 0, 0),
            ServiceTier::Standard,
            now(),
        )
        .expect("should succeed");
    assert!(p.long_context && close(p.usd, 272_001.0 * 5.0 / 1e6));
    let p = t
        .cost(
            "gpt-5.4",
            &usage(272_000, 0, 0, 0, 0),
            ServiceTier::Standard,
            now(),
        )
        .expect("should succeed");
    assert!(!p.long_context && close(p.usd, 0.68));
}

#[test]
fn tier_multipliers() {
    let t = PriceTable::embedded();
    let u = usage(1_000_000, 100_000, 0, 0, 0);
    // Opus 4.6 fast mode: 6 × ($5 + $2.50).
    let p = t
        .cost("claude-opus-4-6", &u, ServiceTier::Fast, now())
        .expect("should succeed");
    assert!(close(p.usd, 45.0), "{}", p.usd);
    assert_eq!((p.multiplier, p.multiplier_assumed), (6.0, false));
    // OpenAI priority 2× and flex 0.5× on gpt-5 ($1.25 + $1.00 standard).
    let p = t
        .cost("gpt-5", &u, ServiceTier::Priority, now())
        .expect("should succeed");
    assert!(close(p.usd, 4.5));
    let p = t
        .cost("gpt-5", &u, ServiceTier::Flex, now())
        .expect("should succeed");
    assert!(close(p.usd, 1.125));
    // A tier the entry does not price: standard price, flagged.
    let p = t
        .cost("claude-sonnet-4-6", &u, ServiceTier::Fast, now())
        .expect("should succeed");
    assert!(close(p.usd, 4.5));
    assert_eq!((p.multiplier, p.multiplier_assumed), (1.0, true));
}

#[test]
fn partial_override_changes_only_given_fields() {
    let mut t = PriceTable::embedded();
    let o: BTreeMap<String, PriceOverride> = toml::from_str::<OverridesFile>(
        "[prices.\"gpt-5\"]\noutput = 12.0\nas_of = \"2026-12-01\"\n",
    )
    .expect("should succeed")
    .prices;
    t.apply_overrides(&o, "/tmp/p.toml")
        .expect("should succeed");
    let (_, p, _) = t.resolve("gpt-5").expect("should succeed");
    assert_eq!((p.input, p.output, p.cache_read), (1.25, 12.0, 0.125));
    assert_eq!(p.priority_multiplier, Some(2.0));
    assert_eq!(p.source, "/tmp/p.toml");
    assert_eq!(p.as_of, "2026-12-01");
    // An alias reaches its entry.
    let o = BTreeMap::from([(
        "claude-opus-4-6-20260205".to_owned(),
        PriceOverride {
            fast_multiplier: Some(2.0),
            ..Default::default()
        },
    )]);
    t.apply_overrides(&o, "cfg").expect("should succeed");
    let (key, p, _) = t.resolve("claude-opus-4-6").expect("should succeed");
    assert_eq!(
        (key, p.fast_multiplier, p.input),
        ("claude-opus-4-6", Some(2.0), 5.0)
    );
    assert_eq!(p.as_of, "unspecified");
}

#[test]
fn override_adds_a_new_model() {
    let mut t = PriceTable::embedded();
    let o = BTreeMap::from([(
        "my-model".to_owned(),
        PriceOverride {
            input: Some(1.0),
            output: Some(4.0),
            cache_read: Some(0.1),
            ..Default::default()
        },
    )]);
    t.apply_overrides(&o, "prices.toml")
        .expect("should succeed");
    let (key, p, m) = t.resolve("my-model").expect("should succeed");
    assert_eq!((key, m), ("my-model", Match::Exact));
    assert_eq!(
        (p.input, p.output, p.cache_read, p.cache_write_5m),
        (1.0, 4.0, 0.1, 1.0)
    );
    assert_eq!(
        (p.provider.as_str(), p.source.as_str()),
        ("custom", "prices.toml")
    );
    let c = t
        .cost(
            "my-model",
            &usage(1_000_000, 0, 0, 0, 0),
            ServiceTier::Standard,
            now(),
        )
        .expect("should succeed");
    assert!(close(c.usd, 1.0));
}

#[test]
fn override_errors() {
    let mut t = PriceTable::embedded();
    // A new model without output.
    let o = BTreeMap::from([(
        "my-model".to_owned(),
        PriceOverride {
            input: Some(1.0),
            ..Default::default()
        },
    )]);
    let e = t.apply_overrides(&o, "x.toml").expect_err("should fail");
    assert!(matches!(&e, Error::Config { path, message }
            if path == Path::new("x.toml") && message.contains("needs at least `input` and `output`")));
    // A dateless id that only normalises to an entry: the error names the entry to use.
    let o = BTreeMap::from([(
        "claude-sonnet-4-5".to_owned(),
        PriceOverride {
            input: Some(1.0),
            ..Default::default()
        },
    )]);
    let e = t
        .apply_overrides(&o, "x.toml")
        .expect_err("should fail")
        .to_string();
    assert!(e.contains("claude-sonnet-4-5-20250929"), "{e}");
    // A negative price.
    let o = BTreeMap::from([(
        "gpt-5".to_owned(),
        PriceOverride {
            input: Some(-1.0),
            ..Default::default()
        },
    )]);
    assert!(t.apply_overrides(&o, "x.toml").is_err());
    // Unknown fields, at either level.
    assert!(toml::from_str::<OverridesFile>("[prices.\"gpt-5\"]\ninptu = 1.0\n").is_err());
    assert!(toml::from_str::<OverridesFile>("[price.\"gpt-5\"]\ninput = 1.0\n").is_err());
    assert!(
        toml::from_str::<OverridesFile>(
            "[prices.\"gpt-5\".long_context]\nthreshold = 1\ninput = 1.0\noutput = 1.0\nmax = 2\n"
        )
        .is_err()
    );
}

#[test]
fn overrides_file_is_read_with_its_path_in_errors() {
    let dir = tempfile::tempdir().expect("should succeed");
    let path = dir.path().join("prices.toml");
    std::fs::write(
        &path,
        "[prices.\"gpt-5\"]\ninput = 2.0\n\n[prices.\"new-one\"]\ninput = 1.0\noutput = 2.0\n\
             [prices.\"new-one\".long_context]\nthreshold = 100\ninput = 2.0\noutput = 4.0\n",
    )
    .expect("should succeed");
    let o = PriceTable::parse_overrides_file(&path).expect("should succeed");
    assert_eq!(o.len(), 2);
    let mut t = PriceTable::embedded();
    t.apply_overrides(&o, &path.display().to_string())
        .expect("should succeed");
    let c = t
        .cost(
            "new-one",
            &usage(101, 0, 0, 0, 0),
            ServiceTier::Standard,
            now(),
        )
        .expect("should succeed");
    assert!(c.long_context && close(c.usd, 101.0 * 2.0 / 1e6));

    std::fs::write(&path, "[prices.\"gpt-5\"]\nspeed = 1.0\n").expect("should succeed");
    let e = PriceTable::parse_overrides_file(&path).expect_err("should fail");
    assert!(
        matches!(&e, Error::Config { path: p, .. } if p == &path),
        "{e}"
    );
    let missing = dir.path().join("missing.toml");
    let e = PriceTable::parse_overrides_file(&missing).expect_err("should fail");
    assert!(matches!(&e, Error::Read { path: p, .. } if p == &missing));
}

#[test]
fn date_suffixes() {
    assert_eq!(
        split_date("claude-sonnet-4-5-20250929"),
        Some(("claude-sonnet-4-5", "-20250929"))
    );
    assert_eq!(
        split_date("gpt-5.1-2025-11-13"),
        Some(("gpt-5.1", "-2025-11-13"))
    );
    assert_eq!(split_date("claude-sonnet-4-5"), None);
    assert_eq!(split_date("model-12345678"), None);
    assert_eq!(split_date("gemini-2.5-flash-preview-09-2025"), None);
    assert_eq!(split_date("-20250929"), None);
}
