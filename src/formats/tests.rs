//! Tests of the format seam: the registry, the line reader, compressed and hostile files.

use super::*;

#[test]
fn the_registry_has_one_format_per_agent_and_unique_names() {
    for agent in [
        Agent::ClaudeCode,
        Agent::Codex,
        Agent::Gemini,
        Agent::Copilot,
    ] {
        assert_eq!(format_of(agent).expect("registered").agent(), agent);
    }
    let mut names: Vec<&str> = FORMATS
        .iter()
        .flat_map(|f| f.names().iter().copied())
        .collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "an --agent name answers to one format");
    assert_eq!(agent_named("claude-code"), Some(Agent::ClaudeCode));
    assert_eq!(agent_named("CODEX"), Some(Agent::Codex));
    assert_eq!(agent_named("gemini"), Some(Agent::Gemini));
    assert_eq!(agent_named("aider"), Some(Agent::Aider));
    assert_eq!(agent_named("opencode"), Some(Agent::OpenCode));
    assert_eq!(agent_named("cursor"), None);
    // The agent's own name is always accepted.
    for f in FORMATS {
        assert_eq!(agent_named(f.agent().as_str()), Some(f.agent()));
    }
}

fn lines(data: &'static [u8]) -> Vec<(Vec<u8>, bool)> {
    let mut r = LineReader::new(Path::new("t"), Box::new(data));
    r.buf = vec![0; 4]; // force growth and compaction on tiny input
    let mut out = Vec::new();
    while let Some(l) = r.next_line().expect("read") {
        out.push((l.bytes.to_vec(), l.complete));
    }
    out
}

#[test]
fn splits_lines_and_marks_a_torn_last_line() {
    let got = lines(b"{\"a\":1}\r\n\n{\"long line\":\"xxxxxxxxxx\"}\n{\"torn\":");
    assert_eq!(
        got,
        vec![
            (b"{\"a\":1}".to_vec(), true),
            (b"".to_vec(), true),
            (b"{\"long line\":\"xxxxxxxxxx\"}".to_vec(), true),
            (b"{\"torn\":".to_vec(), false),
        ]
    );
}

/// Mutated real lines (flipped bytes, cuts, duplicated spans) through both parsers at both depths:
/// a parser returns skips, never panics. Deterministic (a fixed LCG), so a failure reproduces.
#[test]
fn mutated_lines_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for entry in walkdir::WalkDir::new(&root).into_iter().flatten() {
        if entry.path().extension().is_some_and(|e| e == "jsonl")
            && let Ok(bytes) = std::fs::read(entry.path())
        {
            seeds.push(bytes);
        }
    }
    assert!(seeds.len() >= 5, "testdata logs found");
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for round in 0..2000 {
        let mut data = seeds[round % seeds.len()].clone();
        for _ in 0..(1 + next() % 8) {
            if data.is_empty() {
                break;
            }
            let at = next() % data.len();
            match next() % 4 {
                0 => data[at] = (next() % 256) as u8,
                1 => data.truncate(at),
                2 => {
                    let end = (at + next() % 64).min(data.len());
                    let span = data[at..end].to_vec();
                    data.splice(at..at, span);
                }
                _ => {
                    let junk = b"{}\"\n[:,\\";
                    data.insert(at, junk[next() % junk.len()]);
                }
            }
        }
        for format in FORMATS {
            for depth in [Depth::Usage, Depth::Full] {
                let reader = LineReader::new(
                    Path::new("m.jsonl"),
                    Box::new(std::io::Cursor::new(data.clone())),
                );
                let log = format
                    .parse(Path::new("m.jsonl"), reader, depth)
                    .expect("in-memory input reads");
                assert!(
                    log.skipped.total() <= log.lines,
                    "a line is skipped at most once"
                );
            }
        }
    }
}

#[test]
fn empty_input_has_no_lines() {
    assert!(lines(b"").is_empty());
}

const CODEX_LINES: &str = concat!(
    r#"{"timestamp":"2026-05-01T10:00:00Z","type":"session_meta","payload":{"id":"0199aaaa-0000-7000-8000-000000000001","cwd":"/w"}}"#,
    "\n",
    r#"{"timestamp":"2026-05-01T10:00:01Z","type":"turn_context","payload":{"cwd":"/w","model":"gpt-5-codex"}}"#,
    "\n",
    r#"{"timestamp":"2026-05-01T10:00:02Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":100,"cached_input_tokens":40,"output_tokens":10,"reasoning_output_tokens":0}}}}"#,
    "\n",
    r#"{"timestamp":"2026-05-01T10:00:03Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":300,"cached_input_tokens":140,"output_tokens":30,"reasoning_output_tokens":0}}}}"#,
    "\n",
);

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn a_zstd_file_reads_as_its_plain_lines() {
    let dir = tempfile::tempdir().expect("tmp");
    let plain = write(dir.path(), "r.jsonl", CODEX_LINES.as_bytes());
    let packed = zstd::stream::encode_all(CODEX_LINES.as_bytes(), 3).expect("zstd");
    let zst = write(dir.path(), "r.jsonl.zst", &packed);
    let a = parse_file(Agent::Codex, &plain, Depth::Full).expect("plain");
    let b = parse_file(Agent::Codex, &zst, Depth::Full).expect("zst");
    assert_eq!(a.sessions[0].usage(), b.sessions[0].usage());
    assert_eq!((a.lines, a.bytes), (b.lines, b.bytes));
    assert_eq!(b.skipped.total(), 0);
    assert_eq!(sniff(&zst).expect("sniff"), Some(Agent::Codex));
    // Two frames back to back (Codex appends to a compressed rollout) are one stream.
    let (head, tail) = CODEX_LINES.split_at(
        CODEX_LINES
            .find("\n{\"timestamp\":\"2026-05-01T10:00:02Z")
            .expect("cut")
            + 1,
    );
    let mut two = zstd::stream::encode_all(head.as_bytes(), 3).expect("zstd");
    two.extend(zstd::stream::encode_all(tail.as_bytes(), 3).expect("zstd"));
    let frames = write(dir.path(), "f.jsonl.zst", &two);
    let c = parse_file(Agent::Codex, &frames, Depth::Full).expect("frames");
    assert_eq!(a.sessions[0].usage(), c.sessions[0].usage());
}

#[test]
fn a_torn_or_corrupt_zstd_file_is_one_counted_skip() {
    let dir = tempfile::tempdir().expect("tmp");
    let packed = zstd::stream::encode_all(CODEX_LINES.as_bytes(), 3).expect("zstd");
    let torn = write(dir.path(), "torn.jsonl.zst", &packed[..packed.len() / 2]);
    let log = parse_file(Agent::Codex, &torn, Depth::Full).expect("a torn stream still parses");
    assert_eq!(
        log.skipped.by_reason.get(skip::CORRUPT_COMPRESSED),
        Some(&1)
    );
    let mut corrupt = packed.clone();
    for b in corrupt.iter_mut().skip(8) {
        *b ^= 0x5a;
    }
    let bad = write(dir.path(), "bad.jsonl.zst", &corrupt);
    let log = parse_file(Agent::Codex, &bad, Depth::Usage).expect("parses");
    assert_eq!(
        log.skipped.by_reason.get(skip::CORRUPT_COMPRESSED),
        Some(&1)
    );
    assert!(log.sessions.iter().all(|s| s.steps.is_empty()));
}

/// Mutated compressed logs (flipped bytes, cuts) through both parsers: a skip, never a panic.
#[test]
fn mutated_zstd_files_never_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let packed = zstd::stream::encode_all(CODEX_LINES.as_bytes(), 3).expect("zstd");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let path = dir.path().join("m.jsonl.zst");
    for _ in 0..300 {
        let mut data = packed.clone();
        for _ in 0..(1 + next() % 4) {
            let at = next() % data.len();
            if next() % 3 == 0 {
                data.truncate(at.max(4));
            } else {
                data[at] ^= 1 << (next() % 8);
            }
        }
        std::fs::write(&path, &data).expect("write");
        for agent in [Agent::ClaudeCode, Agent::Codex] {
            for depth in [Depth::Usage, Depth::Full] {
                let log = parse_file(agent, &path, depth).expect("a damaged stream still parses");
                assert!(log.skipped.total() <= log.lines + 1);
            }
        }
    }
}

#[test]
fn a_file_is_read_up_to_its_size_at_discovery() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write(dir.path(), "r.jsonl", CODEX_LINES.as_bytes());
    let cut = CODEX_LINES
        .find("\n{\"timestamp\":\"2026-05-01T10:00:03Z")
        .expect("cut")
        + 1;
    let log = parse_file_upto(Agent::Codex, &path, Some(cut as u64), Depth::Full).expect("parse");
    assert_eq!(log.lines, 3);
    assert_eq!(log.bytes, cut as u64);
    assert_eq!(
        log.sessions[0].steps.len(),
        1,
        "the later token count is not read"
    );
}

#[test]
fn a_nul_file_is_one_oversized_line_and_memory_does_not_follow_it() {
    let nul = std::io::repeat(0).take(64 * 1024 * 1024);
    let mut r = LineReader::new(Path::new("nul"), Box::new(nul));
    let line = r.next_line().expect("read").expect("a line");
    assert!(line.oversized && !line.complete);
    assert!(r.next_line().expect("read").is_none());
    assert_eq!(r.bytes_read(), 64 * 1024 * 1024);
    assert!(
        r.buf.len() <= CHUNK,
        "buffer stayed at {} bytes",
        r.buf.len()
    );
    // A JSON-looking line is kept up to the cap, then passed over too; the next line reads.
    let data = format!("{{\"a\":\"{}\"}}\n{{\"b\":1}}\n", "x".repeat(300_000));
    let mut r = LineReader::new(
        Path::new("t"),
        Box::new(std::io::Cursor::new(data.into_bytes())),
    );
    r.max_line = 256 * 1024;
    let line = r.next_line().expect("read").expect("a line");
    assert!(line.oversized && line.complete);
    let line = r.next_line().expect("read").expect("a line");
    assert_eq!(line.bytes, b"{\"b\":1}");
    assert!(r.buf.len() <= 256 * 1024);
}

#[test]
fn an_oversized_line_is_a_counted_skip_in_every_parser() {
    let mut data = vec![0u8; 200_000];
    data.push(b'\n');
    data.extend_from_slice(CODEX_LINES.as_bytes());
    for format in FORMATS {
        let agent = format.agent();
        let reader = LineReader::new(
            Path::new("x.jsonl"),
            Box::new(std::io::Cursor::new(data.clone())),
        );
        let log = format
            .parse(Path::new("x.jsonl"), reader, Depth::Usage)
            .expect("parse");
        assert_eq!(
            log.skipped.by_reason.get(skip::OVERSIZED),
            Some(&1),
            "{agent}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("s.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo not available");
        return;
    }
    let err = open_regular(&fifo).expect_err("a FIFO is not a log");
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(parse_file(Agent::ClaudeCode, &fifo, Depth::Full).is_err());
    assert!(sniff(&fifo).is_err());
}
