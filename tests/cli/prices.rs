//! Prices as they were on the day: the same logs priced on each side of a dated change, the set and id
//! rule each figure names, `prices --at` and `prices --check`, and dated `--prices` overrides.

use std::path::Path;

use crate::common::*;

/// One Codex rollout with one response on `model` at `ts`: 200K input of which 100K cached, 10K output.
fn codex_rollout(home: &Path, id: &str, ts: &str, model: &str) {
    let usage = serde_json::json!({"input_tokens": 200_000, "cached_input_tokens": 100_000,
        "output_tokens": 10_000, "reasoning_output_tokens": 0, "total_tokens": 210_000});
    let lines = [
        serde_json::json!({"timestamp": ts, "type": "session_meta", "payload": {"id": id, "timestamp": ts,
            "cwd": "/srv/app", "originator": "codex_cli_rs", "cli_version": "0.141.0"}}),
        serde_json::json!({"timestamp": ts, "type": "turn_context", "payload": {"cwd": "/srv/app",
            "model": model, "effort": "medium"}}),
        serde_json::json!({"timestamp": ts, "type": "response_item", "payload": {"type": "message",
            "role": "assistant", "content": [{"type": "output_text", "text": "done"}]}}),
        serde_json::json!({"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count",
            "info": {"total_token_usage": usage, "last_token_usage": usage}}}),
    ]
    .map(|l| l.to_string());
    let day = &ts[..10].replace('-', "/");
    write_lines(
        &home.join(format!(
            ".codex/sessions/{day}/rollout-{}-{id}.jsonl",
            &ts[..10]
        )),
        &lines,
    );
}

/// `session ID --all --json` in `home`.
fn session(home: &Path, id: &str) -> serde_json::Value {
    json(cmd(home).args(["session", id, "--all", "--json"]))
}

#[test]
fn the_same_codex_session_on_each_side_of_the_gpt_5_6_terra_cut() {
    let id = "0199d000-0000-7000-8000-00000000te01";
    let mut seen = Vec::new();
    for (day, set, cost) in [
        // 0.1M × $2.50 + 0.1M × $0.25 + 0.01M × $15
        ("2026-07-29", "gpt-5.6-terra@2026-06-26", 0.425),
        // 0.1M × $2 + 0.1M × $0.20 + 0.01M × $12
        ("2026-07-30", "gpt-5.6-terra@2026-07-30", 0.34),
    ] {
        let home = tempfile::tempdir().expect("tmp");
        codex_rollout(
            home.path(),
            id,
            &format!("{day}T10:00:00Z"),
            "gpt-5.6-terra",
        );
        let v = session(home.path(), id);
        let s = &v["session"];
        let got = s["cost_usd"].as_f64().expect("priced");
        assert!((got - cost).abs() < 1e-9, "{day}: {got}");
        assert_eq!(s["price_sets"], serde_json::json!([set]), "{day}");
        let row = &s["step_rows"][0];
        assert_eq!(row["price_set"], set);
        assert_eq!(row["price_rule"], "exact");
        // Codex logs no cache write, and GPT-5.6 bills them: the cost is a floor, and says so.
        let notes = row["price_notes"].as_array().expect("notes");
        assert!(
            notes
                .iter()
                .any(|n| n.as_str().is_some_and(|n| n.contains("floor"))),
            "{notes:?}"
        );
        let text = stdout(cmd(home.path()).args(["session", id, "--all"]));
        assert!(
            text.contains(&format!("priced with {set} for gpt-5.6-terra (exact)")),
            "{text}"
        );
        assert!(text.contains("price note: "), "{text}");
        seen.push(got);
    }
    assert!(seen[1] < seen[0]);
}

/// One Claude Code assistant line on `model` at `ts` with `input` fresh input and 1K output.
fn claude_line(session: &str, ts: &str, id: &str, model: &str, input: u64) -> String {
    serde_json::json!({
        "type": "assistant", "sessionId": session, "cwd": "/srv/app", "timestamp": ts,
        "requestId": format!("req_{id}"), "isSidechain": false,
        "message": {"id": format!("msg_{id}"), "role": "assistant", "model": model,
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"input_tokens": input, "output_tokens": 1_000, "cache_read_input_tokens": 0,
                "cache_creation_input_tokens": 0}}
    })
    .to_string()
}

#[test]
fn an_opus_4_6_request_above_200k_before_and_after_2026_03_13() {
    let home = tempfile::tempdir().expect("tmp");
    let s = "6a7b0000-0000-4000-8000-000000000461";
    let logs = home.path().join("logs/-srv-app");
    write_lines(
        &logs.join(format!("{s}.jsonl")),
        &[
            claude_line(
                s,
                "2026-03-12T23:59:00Z",
                "before",
                "claude-opus-4-6",
                250_000,
            ),
            claude_line(
                s,
                "2026-03-13T00:01:00Z",
                "after",
                "claude-opus-4-6",
                250_000,
            ),
        ],
    );
    let v = json(
        cmd(home.path())
            .args(["usage", "--json", "--since", "2026-03-01", "--logs"])
            .arg(home.path().join("logs")),
    );
    let rows = v["rows"].as_array().expect("rows");
    let by_day: Vec<(&str, f64)> = rows
        .iter()
        .map(|r| {
            (
                r["key"].as_str().expect("key"),
                r["cost_usd"].as_f64().expect("cost"),
            )
        })
        .collect();
    // Before: the whole request at the beta long-context rates, 250K × $10 + 1K × $37.50.
    // After: standard rates across the 1M window, 250K × $5 + 1K × $25.
    assert_eq!(by_day.len(), 2);
    assert_eq!(by_day[0].0, "2026-03-12");
    assert!((by_day[0].1 - 2.5375).abs() < 1e-9, "{by_day:?}");
    assert_eq!(by_day[1].0, "2026-03-13");
    assert!((by_day[1].1 - 1.275).abs() < 1e-9, "{by_day:?}");
    let v = json(
        cmd(home.path())
            .args(["session", s, "--all", "--json", "--logs"])
            .arg(home.path().join("logs")),
    );
    assert_eq!(
        v["session"]["price_sets"],
        serde_json::json!(["claude-opus-4-6@2026-02-05", "claude-opus-4-6@2026-03-13"])
    );
}

#[test]
fn id_spellings_name_their_rule_and_an_unknown_model_stays_unpriced() {
    let home = tempfile::tempdir().expect("tmp");
    let s = "6a7b0000-0000-4000-8000-0000000000id";
    let logs = home.path().join("logs/-srv-app");
    write_lines(
        &logs.join(format!("{s}.jsonl")),
        &[
            claude_line(s, "2026-10-01T10:00:00Z", "a", "claude-opus-4-8[1m]", 1_000),
            claude_line(
                s,
                "2026-10-01T10:01:00Z",
                "b",
                "anthropic/claude-opus-4.8-fast",
                1_000,
            ),
            claude_line(s, "2026-10-01T10:02:00Z", "c", "claude-sonnet-4.5", 1_000),
            claude_line(s, "2026-10-01T10:03:00Z", "d", "claude-opus-4-9", 1_000),
        ],
    );
    let v = json(
        cmd(home.path())
            .args(["session", s, "--all", "--json", "--logs"])
            .arg(home.path().join("logs")),
    );
    let r = &v["session"];
    let rows = r["step_rows"].as_array().expect("rows");
    let rule = |i: usize| rows[i]["price_rule"].as_str().unwrap_or("-").to_owned();
    assert_eq!(rows[0]["price_set"], "claude-opus-4-8@2026-05-28");
    assert!(rule(0).contains("`[1m]`"), "{}", rule(0));
    assert!(
        rule(1).contains("`-fast`") && rule(1).contains("`anthropic/`"),
        "{}",
        rule(1)
    );
    // 1K × $5 + 1K × $25, doubled in fast mode.
    assert!((rows[1]["cost_usd"].as_f64().expect("cost") - 0.06).abs() < 1e-12);
    assert_eq!(rows[2]["price_set"], "claude-sonnet-4-5-20250929@undated");
    assert!(rule(2).contains("version dots"), "{}", rule(2));
    assert_eq!(r["price_rules"]["claude-sonnet-4.5"], rule(2).as_str());
    assert!(r["price_rules"]["claude-opus-4-9"].is_null());
    // Never priced as a sibling: no cost, no set, and the session's cost is unknown.
    assert!(rows[3]["cost_usd"].is_null() && rows[3]["price_set"].is_null());
    assert_eq!(r["unpriced_models"], serde_json::json!(["claude-opus-4-9"]));
    assert!(r["cost_usd"].is_null());
}

#[test]
fn prices_at_a_date_shows_the_sets_of_that_day() {
    let home = tempfile::tempdir().expect("tmp");
    let v = json(cmd(home.path()).args(["prices", "--json", "--at", "2026-03-01"]));
    assert_eq!(v["at"], "2026-03-01");
    let opus = &v["models"]["claude-opus-4-6"];
    assert_eq!(opus["price_set"], "claude-opus-4-6@2026-02-05");
    assert_eq!(opus["long_context"]["threshold"], 200_000);
    assert_eq!(opus["sets"].as_array().map(Vec::len), Some(2));
    assert!(
        v["models"]["gpt-5.6-terra"].is_null(),
        "not released on 2026-03-01"
    );
    let today = json(cmd(home.path()).args(["prices", "--json"]));
    assert_eq!(
        today["models"]["claude-opus-4-6"]["price_set"],
        "claude-opus-4-6@2026-03-13"
    );
    // A set scheduled for later is not shown as today's: Gemini 3.6 Flash's standard price starts
    // 2027-01-01, its introductory price is today's.
    let on = |now: &str| {
        json(
            cmd(home.path())
                .env("AGENT_AUDIT_NOW", now)
                .args(["prices", "--json"]),
        )["models"]["gemini-3.6-flash"]["price_set"]
            .clone()
    };
    assert_eq!(on("2026-12-02T00:00:00Z"), "gemini-3.6-flash@2026-07-21");
    assert_eq!(on("2027-02-01T00:00:00Z"), "gemini-3.6-flash@2027-01-01");
    // Before its release, the first set (the model is still listed).
    assert_eq!(on("2026-01-01T00:00:00Z"), "gemini-3.6-flash@2026-07-21");
    let text = stdout(cmd(home.path()).args(["prices", "--at", "2026-10-06"]));
    assert!(text.contains("as on 2026-10-06"), "{text}");
    let out = cmd(home.path())
        .args(["prices", "--at", "06/10/2026"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn prices_check_reports_differences_and_logged_models_the_table_lacks() {
    let home = tempfile::tempdir().expect("tmp");
    let s = "6a7b0000-0000-4000-8000-0000000000ck";
    write_lines(
        &home
            .path()
            .join(format!(".claude/projects/-srv-app/{s}.jsonl")),
        &[
            claude_line(s, "2026-10-01T10:00:00Z", "a", "claude-opus-4-6", 1_000),
            claude_line(s, "2026-10-01T10:01:00Z", "b", "claude-opus-4-9", 1_000),
        ],
    );
    for file in ["litellm_model_prices.json", "genai_prices_data_slim.json"] {
        let v = json(
            cmd(home.path())
                .args(["prices", "--json", "--at", "2026-12-01", "--check"])
                .arg(testdata(&format!("prices/{file}"))),
        );
        assert_eq!(v["schema"], "agent-audit/prices-check/v1");
        assert_eq!(v["compared"], 3, "{file}");
        let d = v["differences"].as_array().expect("differences");
        assert_eq!(d.len(), 1, "{file}: {d:?}");
        assert_eq!(d[0]["foreign_id"], "gpt-5.6-terra");
        assert_eq!(
            (d[0]["ours"].as_f64(), d[0]["theirs"].as_f64()),
            (Some(12.0), Some(15.0))
        );
        assert_eq!(v["missing"][0]["model"], "claude-opus-4-9");
        let text = stdout(
            cmd(home.path())
                .args(["prices", "--at", "2026-12-01", "--check"])
                .arg(testdata(&format!("prices/{file}"))),
        );
        assert!(text.contains("1 differences"), "{text}");
        assert!(
            text.contains("claude-opus-4-9 (not in the file either)"),
            "{text}"
        );
    }
    // Not a price list: a clear error, exit 2.
    std::fs::write(home.path().join("x.json"), "[1,").expect("write");
    let out = cmd(home.path())
        .args(["prices", "--check", "x.json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
}

#[test]
fn a_dated_prices_file_overrides_the_history() {
    let home = tempfile::tempdir().expect("tmp");
    let id = "0199d000-0000-7000-8000-00000000ov01";
    codex_rollout(home.path(), id, "2026-08-02T10:00:00Z", "gpt-5.6-terra");
    std::fs::write(
        home.path().join("prices.toml"),
        "[[prices.\"gpt-5.6-terra\".sets]]\nto = \"2026-08-01\"\n\
         [[prices.\"gpt-5.6-terra\".sets]]\nfrom = \"2026-08-01\"\ninput = 1.0\noutput = 10.0\n\
         cache_read = 0.1\nas_of = \"2026-08-01\"\n",
    )
    .expect("write");
    let v =
        json(cmd(home.path()).args(["session", id, "--all", "--json", "--prices", "prices.toml"]));
    // 0.1M × $1 + 0.1M × $0.10 + 0.01M × $10
    let got = v["session"]["cost_usd"].as_f64().expect("priced");
    assert!((got - 0.21).abs() < 1e-9, "{got}");
    assert_eq!(
        v["session"]["price_sets"],
        serde_json::json!(["gpt-5.6-terra@2026-08-01"])
    );
}
