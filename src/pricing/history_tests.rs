//! The dated history end to end: the cases priced on each side of their dates, id spellings,
//! unknown ids, `at`, dated overrides and the foreign formats of `prices --check`.

use std::collections::BTreeMap;

use super::overrides::OverridesFile;
use super::tests::{close, now, usage};
use super::*;
use crate::error::Error;

/// A time on `date` at noon UTC.
fn on(date: &str) -> jiff::Timestamp {
    format!("{date}T12:00:00Z").parse().expect("a time")
}

#[test]
fn opus_4_6_above_200k_before_and_after_the_ga_of_2026_03_13() {
    let t = PriceTable::embedded();
    // 250K fresh input and 1K output: above the 200K threshold of the beta tier.
    let u = usage(250_000, 1_000, 0, 0, 0);
    let before = t
        .cost(
            "claude-opus-4-6",
            &u,
            ServiceTier::Standard,
            on("2026-03-12"),
        )
        .expect("priced");
    assert_eq!(before.price_set, "claude-opus-4-6@2026-02-05");
    assert!(before.long_context);
    // 250_000 × $10 + 1_000 × $37.50, per million.
    assert!(close(before.usd, 2.5375), "{}", before.usd);
    let after = t
        .cost(
            "claude-opus-4-6",
            &u,
            ServiceTier::Standard,
            on("2026-03-13"),
        )
        .expect("priced");
    assert_eq!(after.price_set, "claude-opus-4-6@2026-03-13");
    assert!(!after.long_context);
    // 250_000 × $5 + 1_000 × $25, per million.
    assert!(close(after.usd, 1.275), "{}", after.usd);
    assert_eq!(before.outside_window, None);
    assert_eq!(after.outside_window, None);
}

#[test]
fn sonnet_5_5_cache_reads_halve_on_2026_10_07() {
    let t = PriceTable::embedded();
    let u = usage(0, 0, 1_000_000, 0, 0);
    let cost = |d: &str| {
        t.cost("claude-sonnet-5-5", &u, ServiceTier::Standard, on(d))
            .expect("priced")
    };
    assert!(close(cost("2026-10-06").usd, 0.2));
    assert_eq!(cost("2026-10-06").price_set, "claude-sonnet-5-5@2026-09-28");
    assert!(close(cost("2026-10-07").usd, 0.1));
    assert_eq!(cost("2026-10-07").price_set, "claude-sonnet-5-5@2026-10-07");
}

#[test]
fn opus_4_8_fast_mode_only_inside_its_window() {
    let t = PriceTable::embedded();
    let u = usage(1_000_000, 0, 0, 0, 0);
    let inside = t
        .cost("claude-opus-4-8", &u, ServiceTier::Fast, on("2026-11-29"))
        .expect("priced");
    assert_eq!((inside.multiplier, inside.multiplier_assumed), (2.0, false));
    assert!(close(inside.usd, 10.0));
    let after = t
        .cost("claude-opus-4-8", &u, ServiceTier::Fast, on("2026-11-30"))
        .expect("priced");
    // Fast mode was removed: standard price, and the step says the multiplier was not known.
    assert_eq!((after.multiplier, after.multiplier_assumed), (1.0, true));
    assert_eq!(after.price_set, "claude-opus-4-8@2026-11-30");
    assert!(close(after.usd, 5.0));
}

#[test]
fn gpt_5_6_terra_each_side_of_the_2026_07_30_cut_and_a_floor() {
    let t = PriceTable::embedded();
    // 100K fresh input, 10K output, 100K cache reads: under the 272K long-context threshold.
    let u = usage(100_000, 10_000, 100_000, 0, 0);
    let before = t
        .cost("gpt-5.6-terra", &u, ServiceTier::Standard, on("2026-07-29"))
        .expect("priced");
    // 0.1 × $2.50 + 0.01 × $15 + 0.1 × $0.25.
    assert!(close(before.usd, 0.425), "{}", before.usd);
    let after = t
        .cost("gpt-5.6-terra", &u, ServiceTier::Standard, on("2026-07-30"))
        .expect("priced");
    // 0.1 × $2 + 0.01 × $12 + 0.1 × $0.20.
    assert!(close(after.usd, 0.34), "{}", after.usd);
    assert_eq!(after.price_set, "gpt-5.6-terra@2026-07-30");
    // Writes are billed at 1.25x but Codex logs none: the cost is a floor.
    assert!(before.cost_floor && after.cost_floor);
    let older = t
        .cost("gpt-5.5", &u, ServiceTier::Standard, on("2026-07-30"))
        .expect("priced");
    assert!(!older.cost_floor);
}

#[test]
fn haiku_5_5_whole_request_tier_above_100k() {
    let t = PriceTable::embedded();
    let at = usage(60_000, 1_000_000, 40_000, 0, 0);
    let over = usage(60_001, 1_000_000, 40_000, 0, 0);
    let cost = |u: &Usage| {
        t.cost(
            "claude-haiku-5-5",
            u,
            ServiceTier::Standard,
            on("2026-11-01"),
        )
        .expect("priced")
    };
    // 60K × $0.10 + 1M × $0.50 + 40K × $0.01.
    assert!(close(cost(&at).usd, 0.006 + 0.5 + 0.0004));
    assert!(!cost(&at).long_context);
    // Every token at the upper band: 60_001 × $0.50 + 1M × $2.50 + 40K × $0.05.
    assert!(close(cost(&over).usd, 0.0300005 + 2.5 + 0.002));
    assert!(cost(&over).long_context);
}

#[test]
fn a_step_outside_every_window_is_priced_by_the_nearest_set_and_flagged() {
    let t = PriceTable::embedded();
    let u = usage(1_000_000, 0, 0, 0, 0);
    let early = t
        .cost(
            "claude-opus-4-6",
            &u,
            ServiceTier::Standard,
            on("2025-12-01"),
        )
        .expect("priced");
    assert_eq!(early.price_set, "claude-opus-4-6@2026-02-05");
    let note = early.outside_window.expect("flagged");
    assert!(
        note.contains("2025-12-01") && note.contains("nearest"),
        "{note}"
    );
    // The Sol promotion is confirmed through 2026-11-21 only.
    let late = t
        .cost(
            "gpt-5.6-sol",
            &usage(100_000, 0, 0, 0, 0),
            ServiceTier::Standard,
            on("2026-11-25"),
        )
        .expect("priced");
    assert_eq!(late.price_set, "gpt-5.6-sol@2026-08-21");
    assert!(late.outside_window.is_some());
    assert!(close(late.usd, 0.4));
    // An undated first set covers every earlier date without a flag.
    let old = t
        .cost("gpt-4o", &u, ServiceTier::Standard, on("2024-06-01"))
        .expect("priced");
    assert_eq!(
        (old.price_set.as_str(), old.outside_window),
        ("gpt-4o@undated", None)
    );
}

#[test]
fn ids_as_the_agents_spell_them() {
    let t = PriceTable::embedded();
    let cases = [
        // (logged, key, fast, rule contains)
        (
            "claude-sonnet-4.5",
            "claude-sonnet-4-5-20250929",
            false,
            "version dots",
        ),
        ("claude-opus-4-8[1m]", "claude-opus-4-8", false, "`[1m]`"),
        ("claude-opus-4-6[1m]", "claude-opus-4-6", false, "`[1m]`"),
        (
            "anthropic/claude-opus-4.8-fast",
            "claude-opus-4-8",
            true,
            "`-fast`",
        ),
        (
            "anthropic/claude-sonnet-4.6",
            "claude-sonnet-4-6",
            false,
            "`anthropic/`",
        ),
        ("openai/gpt-5.6-terra", "gpt-5.6-terra", false, "`openai/`"),
        (
            "google/gemini-2.5-pro",
            "gemini-2.5-pro",
            false,
            "`google/`",
        ),
        (
            "claude-opus-4-6-20260205",
            "claude-opus-4-6",
            false,
            "alias",
        ),
        ("gpt-6.1-sol-2026-09-29", "gpt-6.1-sol", false, "alias"),
        (
            "gpt-5.4-2026-03-05",
            "gpt-5.4",
            false,
            "dropped date suffix",
        ),
        ("gpt-5.6", "gpt-5.6-sol", false, "alias"),
        ("claude-opus-4-8", "claude-opus-4-8", false, "exact"),
    ];
    for (id, key, fast, rule) in cases {
        let r = t
            .resolve_id(id)
            .unwrap_or_else(|| panic!("{id} should resolve"));
        assert_eq!((r.key.as_str(), r.fast), (key, fast), "{id}");
        assert!(
            r.matched.rule().contains(rule),
            "{id}: {}",
            r.matched.rule()
        );
    }
    // The -fast id is priced at the fast tier even when the log says standard.
    let u = usage(1_000_000, 0, 0, 0, 0);
    let p = t
        .cost(
            "anthropic/claude-opus-4.8-fast",
            &u,
            ServiceTier::Standard,
            on("2026-10-01"),
        )
        .expect("priced");
    assert_eq!((p.multiplier, p.usd), (2.0, 10.0));
    assert!(p.rule.contains("fast"), "{}", p.rule);
}

#[test]
fn unknown_models_stay_unpriced() {
    let t = PriceTable::embedded();
    for id in [
        "claude-opus-4-9",
        "claude-haiku-5-6[1m]",
        "gpt-5.9-terra",
        "gpt-5.6-terra-mini",
        "gemini-4-argon-pro",
        "anthropic/claude-opus-9-fast",
        "-fast",
        "[1m]",
    ] {
        assert!(
            t.resolve_id(id).is_none(),
            "{id} must not be priced as a sibling"
        );
        assert!(
            t.cost(id, &usage(1, 1, 0, 0, 0), ServiceTier::Standard, now())
                .is_none()
        );
    }
}

#[test]
fn the_table_as_on_a_date() {
    let t = PriceTable::embedded();
    let march = t.at("2026-03-01").collect::<BTreeMap<_, _>>();
    assert!(march["claude-opus-4-6"].long_context.is_some());
    assert!(!march.contains_key("gpt-5.6-terra"), "not released yet");
    let dec = t.at("2026-12-01").collect::<BTreeMap<_, _>>();
    assert_eq!(dec["gemini-4-argon"].input, 4.0);
    assert!(dec["claude-opus-4-6"].long_context.is_none());
    assert!(
        !dec.contains_key("gpt-5.6-sol"),
        "its confirmed window ended 2026-11-22"
    );
}

#[test]
fn dated_overrides_replace_the_history_and_fill_gaps_from_the_built_in_sets() {
    let mut t = PriceTable::embedded();
    let o: BTreeMap<String, PriceOverride> = toml::from_str::<OverridesFile>(
        "[[prices.\"claude-sonnet-4-6\".sets]]\noutput = 16.0\nas_of = \"2026-12-01\"\n\
         [[prices.\"claude-sonnet-4-6\".sets]]\nfrom = \"2026-06-01\"\ninput = 2.0\n\
         [[prices.\"my-model\".sets]]\nfrom = \"2026-01-01\"\ninput = 1.0\noutput = 2.0\n",
    )
    .expect("parses")
    .prices;
    t.apply_overrides(&o, "dated.toml").expect("applies");
    let u = usage(100_000, 100_000, 0, 0, 0);
    let early = t
        .cost(
            "claude-sonnet-4-6",
            &u,
            ServiceTier::Standard,
            on("2026-05-31"),
        )
        .expect("priced");
    // input from the built-in set, output from the override.
    assert!(close(early.usd, 0.3 + 1.6), "{}", early.usd);
    let late = t
        .cost(
            "claude-sonnet-4-6",
            &u,
            ServiceTier::Standard,
            on("2026-06-01"),
        )
        .expect("priced");
    assert!(close(late.usd, 0.2 + 1.5), "{}", late.usd);
    assert_eq!(late.price_set, "claude-sonnet-4-6@2026-06-01");
    let new = t
        .cost("my-model", &u, ServiceTier::Standard, on("2026-02-01"))
        .expect("priced");
    assert!(close(new.usd, 0.3));
    // Mixing the forms, overlapping sets and a new model without prices are errors.
    for bad in [
        "[prices.\"gpt-5\"]\ninput = 1.0\n[[prices.\"gpt-5\".sets]]\nfrom = \"2026-01-01\"\n",
        "[[prices.\"gpt-5\".sets]]\nfrom = \"2026-02-01\"\n[[prices.\"gpt-5\".sets]]\nfrom = \"2026-01-01\"\n",
        "[[prices.\"new\".sets]]\nfrom = \"2026-01-01\"\ninput = 1.0\n",
    ] {
        let o = toml::from_str::<OverridesFile>(bad).expect("parses").prices;
        let e = PriceTable::embedded()
            .apply_overrides(&o, "bad.toml")
            .expect_err(bad);
        assert!(matches!(e, Error::Config { .. }), "{bad}");
    }
}

#[test]
fn check_reads_both_foreign_formats() {
    let t = PriceTable::embedded();
    for (name, text, format) in [
        (
            "litellm",
            include_str!("../../testdata/prices/litellm_model_prices.json"),
            check::Foreign::Litellm,
        ),
        (
            "genai-prices",
            include_str!("../../testdata/prices/genai_prices_data_slim.json"),
            check::Foreign::GenaiPrices,
        ),
    ] {
        let doc: serde_json::Value = serde_json::from_str(text).expect(name);
        let (f, rows) = check::parse_foreign(&doc, "2026-12-01").expect(name);
        assert_eq!(f, format);
        let used = vec!["claude-opus-4-6".to_owned(), "mystery-model-1".to_owned()];
        let r = check::compare(&t, "2026-12-01", f, &rows, &used);
        assert!(r.compared >= 3, "{name}: {r:?}");
        // Each fixture carries one deliberate difference: gpt-5.6-terra's output at $15.
        assert_eq!(r.differences.len(), 1, "{name}: {:?}", r.differences);
        let d = &r.differences[0];
        assert_eq!(
            (d.field, d.ours, d.theirs),
            ("output", 12.0, 15.0),
            "{name}"
        );
        assert_eq!(d.price_set, "gpt-5.6-terra@2026-07-30");
        assert_eq!(r.missing.len(), 1);
        assert_eq!(r.missing[0].model, "mystery-model-1");
    }
    assert!(check::parse_foreign(&serde_json::json!(3), "2026-12-01").is_err());
}

#[test]
fn claude_mythos_5_and_5_1_as_claude_code_logs_them() {
    let t = PriceTable::embedded();
    for (id, key) in [
        ("claude-mythos-5", "claude-mythos-5"),
        ("claude-mythos-5-1", "claude-mythos-5-1"),
        ("claude-mythos-5-1[1m]", "claude-mythos-5-1"),
        ("anthropic/claude-mythos-5.1", "claude-mythos-5-1"),
    ] {
        let r = t.resolve_id(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(r.key, key, "{id}");
    }
    // 100K fresh input, 10K output, 1M cache reads, 20K 5-minute writes.
    let u = usage(100_000, 10_000, 1_000_000, 20_000, 0);
    let m5 = t
        .cost(
            "claude-mythos-5",
            &u,
            ServiceTier::Standard,
            on("2026-08-01"),
        )
        .expect("priced");
    // 0.1 × $10 + 0.01 × $50 + 1 × $1 + 0.02 × $12.50.
    assert!(close(m5.usd, 1.0 + 0.5 + 1.0 + 0.25), "{}", m5.usd);
    assert_eq!(m5.price_set, "claude-mythos-5@2026-06-09");
    let m51 = t
        .cost(
            "claude-mythos-5-1",
            &u,
            ServiceTier::Standard,
            on("2026-10-01"),
        )
        .expect("priced");
    // Cache hits at 0.025× input: 1 × $0.25.
    assert!(close(m51.usd, 1.0 + 0.5 + 0.25 + 0.25), "{}", m51.usd);
    assert_eq!(m51.price_set, "claude-mythos-5-1@2026-09-01");
    assert_eq!(m51.outside_window, None);
}

#[test]
fn claude_fable_5_2_from_its_release() {
    let t = PriceTable::embedded();
    let r = t.resolve_id("claude-fable-5-2").expect("resolves");
    assert_eq!(r.key, "claude-fable-5-2");
    // Not Fable 5.1 under another name: the dotted spelling resolves to 5.2, not 5.1.
    let r = t.resolve_id("claude-fable-5.2").expect("resolves");
    assert_eq!(r.key, "claude-fable-5-2");
    let u = usage(100_000, 10_000, 1_000_000, 20_000, 5_000);
    let p = t
        .cost(
            "claude-fable-5-2",
            &u,
            ServiceTier::Standard,
            on("2026-11-20"),
        )
        .expect("priced");
    // 0.1 × $8 + 0.01 × $40 + 1 × $0.20 + 0.02 × $10 + 0.005 × $16.
    assert!(close(p.usd, 0.8 + 0.4 + 0.2 + 0.2 + 0.08), "{}", p.usd);
    assert_eq!(p.price_set, "claude-fable-5-2@2026-11-09");
    // Fast mode exists but its multiplier was not read: standard price, flagged.
    let fast = t
        .cost("claude-fable-5-2", &u, ServiceTier::Fast, on("2026-11-20"))
        .expect("priced");
    assert_eq!((fast.multiplier, fast.multiplier_assumed), (1.0, true));
}

#[test]
fn gpt_6_astra_as_codex_logs_it_with_its_long_context_tier_and_a_floor() {
    let t = PriceTable::embedded();
    for id in ["gpt-6-astra", "openai/gpt-6-astra", "GPT-6-Astra"] {
        assert_eq!(
            t.resolve_id(id).expect("resolves").key,
            "gpt-6-astra",
            "{id}"
        );
    }
    assert!(t.resolve_id("gpt-6-astra-pro").is_none());
    // 100K fresh input, 10K output, 100K cache reads: prompt 200K, under 272K.
    let u = usage(100_000, 10_000, 100_000, 0, 0);
    let p = t
        .cost("gpt-6-astra", &u, ServiceTier::Standard, on("2026-10-01"))
        .expect("priced");
    // 0.1 × $10 + 0.01 × $50 + 0.1 × $1.
    assert!(close(p.usd, 1.6), "{}", p.usd);
    assert_eq!(p.price_set, "gpt-6-astra@2026-09-03");
    assert!(p.cost_floor && !p.long_context);
    // 200K fresh + 100K cached = 300K: the whole request at $20 / $75 / $2.
    let long = usage(200_000, 10_000, 100_000, 0, 0);
    let p = t
        .cost(
            "gpt-6-astra",
            &long,
            ServiceTier::Standard,
            on("2026-10-01"),
        )
        .expect("priced");
    assert!(p.long_context);
    assert!(close(p.usd, 4.0 + 0.75 + 0.2), "{}", p.usd);
    let fast = t
        .cost("gpt-6-astra", &u, ServiceTier::Fast, on("2026-10-01"))
        .expect("priced");
    assert_eq!((fast.multiplier, fast.multiplier_assumed), (2.0, false));
    assert!(close(fast.usd, 3.2), "{}", fast.usd);
}

#[test]
fn gemini_4_hydrogen_as_gemini_cli_logs_it() {
    let t = PriceTable::embedded();
    for id in [
        "gemini-4-hydrogen",
        "google/gemini-4-hydrogen",
        "models/gemini-4-hydrogen",
    ] {
        assert_eq!(
            t.resolve_id(id).expect("resolves").key,
            "gemini-4-hydrogen",
            "{id}"
        );
    }
    // 1M fresh input, 100K output, 1M cached: flat across the context window.
    let u = usage(1_000_000, 100_000, 1_000_000, 0, 0);
    let p = t
        .cost(
            "gemini-4-hydrogen",
            &u,
            ServiceTier::Standard,
            on("2026-11-20"),
        )
        .expect("priced");
    // 1 × $1.50 + 0.1 × $7.50 + 1 × $0.075.
    assert!(close(p.usd, 1.5 + 0.75 + 0.075), "{}", p.usd);
    assert_eq!(p.price_set, "gemini-4-hydrogen@2026-11-12");
    assert!(!p.long_context && !p.cost_floor);
}

#[test]
fn gemini_3_5_to_3_8_flash_and_the_end_of_the_introductory_price() {
    let t = PriceTable::embedded();
    for (id, key) in [
        ("gemini-3.5-flash", "gemini-3.5-flash"),
        ("google/gemini-3.6-flash", "gemini-3.6-flash"),
        ("models/gemini-3.7-flash", "gemini-3.7-flash"),
        ("gemini-3.8-flash", "gemini-3.8-flash"),
    ] {
        assert_eq!(t.resolve_id(id).expect("resolves").key, key, "{id}");
    }
    assert!(t.resolve_id("gemini-3.8-flash-lite").is_none());
    // 1M fresh input, 100K output, 1M cached.
    let u = usage(1_000_000, 100_000, 1_000_000, 0, 0);
    let cost = |id: &str, d: &str| {
        t.cost(id, &u, ServiceTier::Standard, on(d))
            .expect("priced")
    };
    // 1 × $1.50 + 0.1 × $9 + 1 × $0.15.
    assert!(close(
        cost("gemini-3.5-flash", "2026-10-01").usd,
        1.5 + 0.9 + 0.15
    ));
    for id in ["gemini-3.6-flash", "gemini-3.7-flash", "gemini-3.8-flash"] {
        // Introductory: 1 × $0.75 + 0.1 × $3.75 + 1 × $0.075.
        let intro = cost(id, "2026-12-31");
        assert!(
            close(intro.usd, 0.75 + 0.375 + 0.075),
            "{id}: {}",
            intro.usd
        );
        assert_eq!(intro.outside_window, None, "{id}");
    }
    // From 2027-01-01 the standard price: 1 × $1.50 + 0.1 × $7.50 + 1 × $0.15.
    let std = cost("gemini-3.7-flash", "2027-01-01");
    assert_eq!(std.price_set, "gemini-3.7-flash@2027-01-01");
    assert!(close(std.usd, 1.5 + 0.75 + 0.15), "{}", std.usd);
    // 3.8 Flash's 2027 cache price was not read: the introductory set, flagged.
    let late = cost("gemini-3.8-flash", "2027-01-01");
    assert_eq!(late.price_set, "gemini-3.8-flash@2026-09-02");
    assert!(late.outside_window.is_some());
    // Before its release a model is priced by its nearest set and flagged.
    assert!(
        cost("gemini-3.7-flash", "2026-08-12")
            .outside_window
            .is_some()
    );
}

#[test]
fn gpt_6_2_astra_from_its_release_with_its_long_context_tier() {
    let t = PriceTable::embedded();
    assert_eq!(
        t.resolve_id("openai/gpt-6.2-astra").expect("resolves").key,
        "gpt-6.2-astra"
    );
    // Not GPT-6 Astra under another name, and not a sibling of it.
    assert!(t.resolve_id("gpt-6.1-astra").is_none());
    let u = usage(100_000, 10_000, 100_000, 0, 0);
    let p = t
        .cost("gpt-6.2-astra", &u, ServiceTier::Standard, on("2026-11-20"))
        .expect("priced");
    // 0.1 × $8 + 0.01 × $40 + 0.1 × $0.40.
    assert!(close(p.usd, 0.8 + 0.4 + 0.04), "{}", p.usd);
    assert_eq!(p.price_set, "gpt-6.2-astra@2026-11-17");
    assert!(p.cost_floor);
    // 300K prompt: the whole request at $16 / $60 / $0.80.
    let long = usage(200_000, 10_000, 100_000, 0, 0);
    let p = t
        .cost(
            "gpt-6.2-astra",
            &long,
            ServiceTier::Standard,
            on("2026-11-20"),
        )
        .expect("priced");
    assert!(p.long_context);
    assert!(close(p.usd, 3.2 + 0.6 + 0.08), "{}", p.usd);
    // No Flex row was read: standard price, flagged.
    let flex = t
        .cost("gpt-6.2-astra", &u, ServiceTier::Flex, on("2026-11-20"))
        .expect("priced");
    assert_eq!((flex.multiplier, flex.multiplier_assumed), (1.0, true));
}

#[test]
fn gemini_4_neon_as_gemini_cli_logs_it() {
    let t = PriceTable::embedded();
    assert_eq!(
        t.resolve_id("gemini-4-neon").expect("resolves").key,
        "gemini-4-neon"
    );
    let u = usage(1_000_000, 100_000, 1_000_000, 0, 0);
    let p = t
        .cost("gemini-4-neon", &u, ServiceTier::Standard, on("2026-11-25"))
        .expect("priced");
    // 1 × $3 + 0.1 × $15 + 1 × $0.15.
    assert!(close(p.usd, 3.0 + 1.5 + 0.15), "{}", p.usd);
    assert_eq!(p.price_set, "gemini-4-neon@2026-11-18");
    let priority = t
        .cost("gemini-4-neon", &u, ServiceTier::Priority, on("2026-11-25"))
        .expect("priced");
    assert!(close(priority.usd, 4.65 * 1.8), "{}", priority.usd);
}
