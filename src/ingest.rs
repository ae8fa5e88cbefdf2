//! Parses every discovered file in parallel and merges the results into sessions, each response counted
//! once.
//!
//! Merging rules, in order:
//! 1. Files of one Claude Code session (the transcript and its `subagents/` files share a `sessionId`) are
//!    one session.
//! 2. A Codex session found in two files (`sessions/` and `archived_sessions/`) is read from the larger file
//!    only; the other is reported as a duplicate.
//!    That covers a rollout present as plain `.jsonl`, as `.jsonl.zst` and in `archived_sessions/`: one
//!    session, read once (the sizes compared are of the decompressed lines).
//! 3. A Claude Code response (`message.id` + `requestId`) is counted once across all files: in the earliest
//!    session that holds it. Within one session its copies fold into the field-wise largest usage (the
//!    streaming snapshots of one response). Across sessions a copy is folded only when one usage is at
//!    least the other in every field (a resumed session replaying its parent, a subagent's responses also
//!    in the parent's `agent_progress` records: copies, not new spend), and the larger one is kept whole;
//!    two sessions whose copies disagree field against field (a reused id) each keep their own step, and
//!    both sessions note the conflict.
//! 4. Claude Code leftovers (`*.orphaned-*.jsonl`, `*.jsonl.superseded-*`) are read after every other file:
//!    only their responses that no other file holds are counted, and the session notes how many.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::discover::Source;
use crate::formats::{self, Depth, FileLog};
use crate::model::{Agent, Session, Skips};

/// A cache of parsed files beside the parsers (the index, `crate::index`): asked before a file is
/// parsed, told about every file that was. It must answer only for a file it knows unchanged, with what
/// parsing it at `depth` would give.
pub trait FileCache: Sync {
    /// The parsed file, when the cache holds it unchanged.
    fn lookup(&self, src: &Source, depth: Depth) -> Option<FileLog>;
    /// A file was parsed at `depth` (called from the parsing threads).
    fn parsed(&self, src: &Source, depth: Depth, log: &FileLog);
}

/// Everything read from the logs.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Sessions, oldest first.
    pub sessions: Vec<Session>,
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines skipped, by reason, over all files.
    pub skipped: Skips,
    /// Files that could not be read at all, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Copies of a response dropped because another line or file already counted it.
    pub duplicate_steps: u64,
    /// Files not read because another file holds the same session (Codex archive copies).
    pub duplicate_files: Vec<PathBuf>,
    /// Files with skipped lines, and their counts (shown by `-v`).
    pub skipped_by_file: Vec<(PathBuf, Skips)>,
    /// Responses whose key (`message.id` + `requestId`) appears in two sessions with token counts that
    /// disagree: each session keeps its own (reported in both sessions' notes).
    pub conflicting_responses: u64,
    /// Files answered by the index instead of being parsed.
    pub from_index: u64,
    /// Indexed files whose log is gone, read from the index (the ledger).
    pub gone_files: u64,
    /// Sessions all of whose files are gone: counted from the index, marked `log_gone`.
    pub gone_sessions: u64,
}

/// Reads `sources` (in parallel) and merges them. `on_file` is called after each file (progress bars).
pub fn ingest(sources: &[Source], depth: Depth, on_file: &(dyn Fn(u64) + Sync)) -> Ingested {
    ingest_with(sources, depth, on_file, None, Vec::new())
}

/// [`ingest`], asking `cache` before parsing each file, and adding `gone`: files the index holds whose
/// log was deleted (merged after every present file, so a present copy of a session wins; a session all
/// of whose files are gone is marked `log_gone`).
pub fn ingest_with(
    sources: &[Source],
    depth: Depth,
    on_file: &(dyn Fn(u64) + Sync),
    cache: Option<&dyn FileCache>,
    gone: Vec<(Source, FileLog)>,
) -> Ingested {
    let results: Vec<_> = sources
        .par_iter()
        .map(|src| {
            if let Some(log) = cache.and_then(|c| c.lookup(src, depth)) {
                on_file(src.size);
                return (src, Ok(log), true);
            }
            // Up to the size seen at discovery: a file the agent is still writing is not chased.
            let r = formats::parse_file_upto(src.agent, &src.path, Some(src.size), depth);
            if let (Some(c), Ok(log)) = (cache, &r) {
                c.parsed(src, depth, log);
            }
            on_file(src.size);
            (src, r, false)
        })
        .collect();

    let mut out = Ingested::default();
    let mut logs = Vec::with_capacity(results.len());
    for (src, r, cached) in results {
        out.from_index += u64::from(cached);
        match r {
            Ok(log) => {
                out.files += 1;
                out.bytes += log.bytes;
                out.lines += log.lines;
                out.skipped.merge(&log.skipped);
                if log.skipped.total() > 0 {
                    out.skipped_by_file
                        .push((src.path.clone(), log.skipped.clone()));
                }
                logs.push((src, log));
            }
            Err(e) => out.unreadable.push((src.path.clone(), error_chain(&e))),
        }
    }
    // Deterministic merge order whatever the thread schedule: by path.
    logs.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    out.skipped_by_file.sort_by(|a, b| a.0.cmp(&b.0));
    out.unreadable.sort();

    let mut from_database = database_wins(&mut logs);
    out.duplicate_steps += from_database.values().sum::<u64>();
    let mut gone = gone;
    gone.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    out.gone_files = gone.len() as u64;
    let gone_paths: std::collections::HashSet<PathBuf> =
        gone.iter().map(|(src, _)| src.path.clone()).collect();
    let (gone_sources, gone_logs): (Vec<Source>, Vec<FileLog>) = gone.into_iter().unzip();
    let gone = gone_sources.iter().zip(gone_logs);
    let (leftovers, logs): (Vec<_>, Vec<_>) = logs
        .into_iter()
        .chain(gone)
        .partition(|(src, _)| src.leftover);
    let mut index: HashMap<(Agent, String), usize> = HashMap::new();
    let mut sessions: Vec<Session> = Vec::new();
    let mut codex_bytes: HashMap<String, u64> = HashMap::new();
    for (src, log) in logs {
        for session in log.sessions {
            let key = (session.agent, session.id.clone());
            match index.get(&key) {
                None => {
                    if session.agent == Agent::Codex {
                        codex_bytes.insert(session.id.clone(), log.bytes);
                    }
                    index.insert(key, sessions.len());
                    sessions.push(session);
                }
                Some(&i) if session.agent == Agent::Codex => {
                    let kept = codex_bytes.entry(session.id.clone()).or_default();
                    if log.bytes > *kept {
                        *kept = log.bytes;
                        let old = std::mem::replace(&mut sessions[i], session);
                        out.duplicate_files.extend(old.files);
                    } else {
                        out.duplicate_files.push(src.path.clone());
                    }
                }
                Some(&i) => absorb(&mut sessions[i], session),
            }
        }
    }
    if !leftovers.is_empty() {
        out.duplicate_steps += add_leftovers(leftovers, &mut sessions, &mut index);
    }

    for s in &mut sessions {
        if let Some(n) = from_database.remove(&(s.agent, s.id.clone())) {
            s.notes.push(format!(
                "{n} responses are in both the agent's database and its JSON store: counted once, \
                 from the database"
            ));
        }
    }
    sessions.sort_by(|a, b| {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    let (dropped, conflicts) = dedup_responses(&mut sessions);
    out.duplicate_steps += dropped;
    out.conflicting_responses = conflicts;
    for s in &mut sessions {
        s.steps.sort_by_key(|step| step.at);
        if !gone_paths.is_empty()
            && !s.files.is_empty()
            && s.files.iter().all(|f| gone_paths.contains(f))
        {
            s.log_gone = true;
            s.notes.push(
                "log deleted after it was indexed: counted from agent-audit's index (tokens and \
                 models only; its tool calls and edits are not kept)"
                    .to_owned(),
            );
            out.gone_sessions += 1;
        }
    }
    out.sessions = sessions;
    out
}

/// Rule 5: a response found both in an agent's database and in its files (OpenCode's `opencode.db` and
/// the legacy JSON store it was migrated from) is counted from the database. Drops the file copies (and
/// the per-response cost they carry) and returns, per session, how many were dropped.
fn database_wins(logs: &mut [(&Source, formats::FileLog)]) -> HashMap<(Agent, String), u64> {
    let in_database: std::collections::HashSet<(Agent, Box<str>)> = logs
        .iter()
        .filter(|(_, log)| log.database)
        .flat_map(|(_, log)| log.sessions.iter())
        .flat_map(|s| {
            s.steps
                .iter()
                .filter_map(|st| Some((s.agent, st.dedup_key.clone()?)))
        })
        .collect();
    let mut dropped: HashMap<(Agent, String), u64> = HashMap::new();
    if in_database.is_empty() {
        return dropped;
    }
    for (_, log) in logs.iter_mut().filter(|(_, log)| !log.database) {
        for s in &mut log.sessions {
            let agent = s.agent;
            let before = s.steps.len();
            s.steps.retain(|st| {
                st.dedup_key
                    .as_ref()
                    .is_none_or(|k| !in_database.contains(&(agent, k.clone())))
            });
            let n = (before - s.steps.len()) as u64;
            if n > 0 {
                if s.steps.is_empty() {
                    s.agent_reported = None;
                }
                *dropped.entry((agent, s.id.clone())).or_default() += n;
            }
        }
    }
    dropped
}

/// Merges another file's part of the same session.
fn absorb(into: &mut Session, other: Session) {
    if let Some(at) = other.started_at {
        into.saw(at);
    }
    if let Some(at) = other.ended_at {
        into.saw(at);
    }
    if into.cwd.is_none() {
        into.cwd = other.cwd;
    }
    if into.branch.is_none() {
        into.branch = other.branch;
    }
    // The agent's own figure: the latest running total of any of the session's files, or the sum of
    // per-response costs (OpenCode's one file per message).
    if let Some(r) = other.agent_reported {
        crate::model::AgentReported::fold(&mut into.agent_reported, r);
    }
    into.steps.extend(other.steps);
    into.files.extend(other.files);
    into.skipped.merge(&other.skipped);
    into.notes.extend(other.notes);
}

/// Adds the leftover files' sessions: only the responses no other file holds (by key; a response without
/// a key only when no other file holds its session). Returns the responses dropped as copies.
fn add_leftovers(
    leftovers: Vec<(&Source, formats::FileLog)>,
    sessions: &mut Vec<Session>,
    index: &mut HashMap<(Agent, String), usize>,
) -> u64 {
    let known: std::collections::HashSet<Box<str>> = sessions
        .iter()
        .flat_map(|s| s.steps.iter().filter_map(|st| st.dedup_key.clone()))
        .collect();
    let mut dropped = 0;
    for (src, log) in leftovers {
        for mut session in log.sessions {
            let key = (session.agent, session.id.clone());
            let existing = index.get(&key).copied();
            let before = session.steps.len();
            session.steps.retain(|st| match &st.dedup_key {
                Some(k) => !known.contains(k),
                None => existing.is_none(),
            });
            let kept = session.steps.len();
            dropped += (before - kept) as u64;
            let name = src.path.display();
            let note = if kept == 0 {
                format!(
                    "leftover {name} (orphaned/superseded copy): all {before} responses are counted \
                     from other files, none from it"
                )
            } else {
                format!(
                    "leftover {name} (orphaned/superseded copy): {kept} responses found in no other \
                     file are counted from it ({} already counted elsewhere)",
                    before - kept
                )
            };
            match existing {
                Some(i) => {
                    sessions[i].notes.push(note);
                    absorb(&mut sessions[i], session);
                }
                None if kept > 0 => {
                    session.notes.push(note);
                    index.insert(key, sessions.len());
                    sessions.push(session);
                }
                None => {}
            }
        }
    }
    dropped
}

/// True when `a` is at least `b` in every field: `b` can be a partial copy of the response `a` is.
fn covers(a: &crate::model::Usage, b: &crate::model::Usage) -> bool {
    a.input >= b.input
        && a.output >= b.output
        && a.cache_read >= b.cache_read
        && a.cache_write_5m >= b.cache_write_5m
        && a.cache_write_1h >= b.cache_write_1h
        && a.reasoning >= b.reasoning
}

/// A 64-bit hash of a response key (FxHash's multiply-rotate over 8-byte words, then MurmurHash3's
/// finaliser so that every bit of the result depends on every byte). Why not the standard SipHash: the
/// deduplication hashes every response of every file on every run, and the map below keeps only the
/// hash, never a copy of the key; a hash shared by two different keys is caught by comparing the keys
/// themselves, so the quality needed is speed, not resistance.
pub(crate) fn key_hash(key: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = key.len() as u64;
    let mut words = key.as_bytes().chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A hasher for keys that are already [`key_hash`]es: passes the `u64` through.
#[derive(Default, Clone, Copy)]
pub(crate) struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else still hashes, slowly.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type PrehashedMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<Prehashed>>;

/// Keeps each keyed response once (in the earliest session): within a session with the field-wise largest
/// usage seen for it; across sessions only when one copy covers the other (the larger is kept whole),
/// else both sessions keep their own and the conflict is noted. Returns (copies dropped, conflicts).
///
/// The map holds each key's hash and where its first copy is kept (session, step), never a copy of the
/// key: a hit is confirmed by comparing the key with the kept step's own. A key whose hash another key
/// already holds goes to a second map by its exact text (in practice never used; it keeps the result
/// exact whatever the hash). Steps are filtered in place, without copying a session's steps.
fn dedup_responses(sessions: &mut [Session]) -> (u64, u64) {
    dedup_responses_with(sessions, key_hash)
}

/// [`dedup_responses`] with the hash as a parameter: the tests give one under which every key collides.
fn dedup_responses_with(sessions: &mut [Session], key_hash: fn(&str) -> u64) -> (u64, u64) {
    let total: usize = sessions.iter().map(|s| s.steps.len()).sum();
    let mut first: PrehashedMap<(usize, usize)> =
        HashMap::with_capacity_and_hasher(total, Default::default());
    let mut spill: HashMap<Box<str>, (usize, usize)> = HashMap::new();
    let mut dropped = 0;
    let mut conflicts: HashMap<(usize, usize), u64> = HashMap::new();
    for si in 0..sessions.len() {
        let mut steps = std::mem::take(&mut sessions[si].steps);
        // steps[..w] are kept, in order; a kept step never moves again, so its place is final.
        let mut w = 0;
        for r in 0..steps.len() {
            let found = match steps[r].dedup_key.as_deref() {
                None => None,
                Some(key) => match first.entry(key_hash(key)) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert((si, w));
                        None
                    }
                    std::collections::hash_map::Entry::Occupied(e) => {
                        let (fs, fi) = *e.get();
                        let held = if fs == si {
                            steps[fi].dedup_key.as_deref()
                        } else {
                            sessions[fs].steps[fi].dedup_key.as_deref()
                        };
                        if held == Some(key) {
                            Some((fs, fi))
                        } else if let Some(&at) = spill.get(key) {
                            Some(at)
                        } else {
                            spill.insert(key.into(), (si, w));
                            None
                        }
                    }
                },
            };
            let Some((fs, fi)) = found else {
                steps.swap(w, r);
                w += 1;
                continue;
            };
            let usage = steps[r].usage;
            let target_usage = if fs == si {
                steps[fi].usage
            } else {
                sessions[fs].steps[fi].usage
            };
            let merged = match (target_usage, usage) {
                (Some(a), Some(b)) if fs == si => Some(a.max(b)),
                (Some(a), Some(b)) if covers(&a, &b) => Some(a),
                (Some(a), Some(b)) if covers(&b, &a) => Some(b),
                (Some(_), Some(_)) => {
                    // The same key, other counts, another session: not a copy to fold.
                    *conflicts.entry((fs, si)).or_default() += 1;
                    steps.swap(w, r);
                    w += 1;
                    continue;
                }
                (a, b) => a.or(b),
            };
            dropped += 1;
            let calls = std::mem::take(&mut steps[r].tool_calls);
            let target = if fs == si {
                &mut steps[fi]
            } else {
                &mut sessions[fs].steps[fi]
            };
            target.usage = merged;
            // A copy may carry tool calls the first one lacked (a later content block).
            for call in calls {
                if !target.tool_calls.iter().any(|c| c.id == call.id) {
                    target.tool_calls.push(call);
                }
            }
        }
        steps.truncate(w);
        sessions[si].steps = steps;
    }
    let mut pairs: Vec<_> = conflicts.into_iter().collect();
    pairs.sort();
    let mut total = 0;
    for ((a, b), n) in pairs {
        total += n;
        let (id_a, id_b) = (sessions[a].id.clone(), sessions[b].id.clone());
        for (at, other) in [(a, &id_b), (b, &id_a)] {
            sessions[at].notes.push(format!(
                "{n} response id(s) also in session {other} with other token counts: not the same \
                 response, each session keeps its own"
            ));
        }
    }
    (dropped, total)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assistant(session: &str, ts: &str, id: &str, input: u64, output: u64) -> String {
        serde_json::json!({
            "type": "assistant", "sessionId": session, "timestamp": ts, "requestId": format!("req_{id}"),
            "message": {"id": format!("msg_{id}"), "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                "usage": {"input_tokens": input, "output_tokens": output}}
        })
        .to_string()
    }

    fn source(dir: &Path, name: &str, lines: &[String]) -> Source {
        let path = dir.join(name);
        std::fs::write(&path, lines.join("\n") + "\n").expect("write");
        Source {
            size: std::fs::metadata(&path).expect("meta").len(),
            leftover: crate::discover::is_leftover(name),
            path,
            agent: Agent::ClaudeCode,
        }
    }

    use std::path::Path;

    fn read(sources: &[Source]) -> Ingested {
        ingest(sources, Depth::Full, &|_| {})
    }

    fn usage_of(ing: &Ingested, id: &str) -> crate::model::Usage {
        ing.sessions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.usage().0)
            .unwrap_or_default()
    }

    #[test]
    fn a_reused_response_key_in_another_session_is_not_merged_field_wise() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = source(
            dir.path(),
            "a.jsonl",
            &[assistant("a", "2026-01-01T10:00:00Z", "1", 10, 5)],
        );
        let b = source(
            dir.path(),
            "b.jsonl",
            &[assistant("b", "2026-01-02T10:00:00Z", "1", 3, 50)],
        );
        let ing = read(&[a, b]);
        assert_eq!(ing.conflicting_responses, 1);
        assert_eq!(ing.duplicate_steps, 0);
        let (ua, ub) = (usage_of(&ing, "a"), usage_of(&ing, "b"));
        assert_eq!((ua.input, ua.output), (10, 5), "a keeps its own");
        assert_eq!((ub.input, ub.output), (3, 50), "b keeps its own");
        for s in &ing.sessions {
            assert!(s.notes.iter().any(|n| n.contains("other token counts")));
        }
    }

    #[test]
    fn a_copy_in_a_resumed_session_is_counted_once_with_the_larger_usage() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = source(
            dir.path(),
            "a.jsonl",
            &[assistant("a", "2026-01-01T10:00:00Z", "1", 10, 5)],
        );
        let b = source(
            dir.path(),
            "b.jsonl",
            &[
                assistant("b", "2026-01-02T10:00:00Z", "1", 10, 40),
                assistant("b", "2026-01-02T10:00:01Z", "2", 1, 1),
            ],
        );
        let ing = read(&[a, b]);
        assert_eq!((ing.conflicting_responses, ing.duplicate_steps), (0, 1));
        let (ua, ub) = (usage_of(&ing, "a"), usage_of(&ing, "b"));
        assert_eq!((ua.input, ua.output), (10, 40));
        assert_eq!((ub.input, ub.output), (1, 1));
    }

    #[test]
    fn keys_whose_hashes_collide_are_still_told_apart() {
        // Two sessions, every copy present; a hash under which every key collides must give the same.
        let mut s1 = Session::new(Agent::ClaudeCode, "s1");
        let mut s2 = Session::new(Agent::ClaudeCode, "s2");
        let step = |key: &str, input: u64, output: u64| crate::model::Step {
            at: "2026-01-01T10:00:00Z".parse().expect("ts"),
            model: Some("m".into()),
            model_inferred: false,
            usage: Some(crate::model::Usage {
                input,
                output,
                ..Default::default()
            }),
            service_tier: crate::model::ServiceTier::Standard,
            tool_calls: Vec::new(),
            sidechain: false,
            dedup_key: Some(key.into()),
        };
        s1.steps = vec![step("k1", 1, 1), step("k2", 2, 2), step("k1", 1, 5)];
        s2.steps = vec![step("k2", 2, 9), step("k3", 3, 3), step("k1", 9, 0)];
        let mut x = vec![s1.clone(), s2.clone()];
        let mut y = vec![s1, s2];
        let got = dedup_responses_with(&mut y, |_| 0);
        assert_eq!(dedup_responses(&mut x), got);
        assert_eq!(
            got,
            (2, 1),
            "k1 folded in s1, k2 folded into s2's larger copy, k1 conflicts"
        );
        assert_eq!(x, y);
        let outputs: Vec<u64> = y[0]
            .steps
            .iter()
            .map(|s| s.usage.expect("usage").output)
            .collect();
        assert_eq!(outputs, [5, 9]);
        assert_eq!(y[1].steps.len(), 2);
    }

    #[test]
    fn a_leftover_counts_only_what_no_other_file_holds() {
        let dir = tempfile::tempdir().expect("tmp");
        let main = source(
            dir.path(),
            "s.jsonl",
            &[
                assistant("s", "2026-01-01T10:00:00Z", "1", 10, 5),
                assistant("s", "2026-01-01T10:00:01Z", "2", 20, 5),
            ],
        );
        let orphan = source(
            dir.path(),
            "s.orphaned-1767261600.jsonl",
            &[
                assistant("s", "2026-01-01T10:00:00Z", "1", 10, 5),
                assistant("s", "2026-01-01T10:00:01Z", "2", 20, 5),
                assistant("s", "2026-01-01T10:00:02Z", "3", 300, 5),
            ],
        );
        let superseded = source(
            dir.path(),
            "s.jsonl.superseded-1767261700",
            &[assistant("s", "2026-01-01T10:00:00Z", "1", 10, 5)],
        );
        let ing = read(&[main, orphan, superseded]);
        assert_eq!(ing.sessions.len(), 1);
        let u = usage_of(&ing, "s");
        assert_eq!((u.input, u.output), (330, 15));
        assert_eq!(ing.duplicate_steps, 3);
        let notes = &ing.sessions[0].notes;
        assert!(
            notes
                .iter()
                .any(|n| n.contains("1 responses found in no other file"))
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains("all 1 responses are counted from other files"))
        );
    }

    #[test]
    fn a_file_still_being_written_is_read_up_to_its_discovered_size() {
        let dir = tempfile::tempdir().expect("tmp");
        let src = source(
            dir.path(),
            "s.jsonl",
            &[assistant("s", "2026-01-01T10:00:00Z", "1", 10, 5)],
        );
        // The agent appends after discovery.
        let mut more = std::fs::OpenOptions::new()
            .append(true)
            .open(&src.path)
            .expect("open");
        std::io::Write::write_all(
            &mut more,
            (assistant("s", "2026-01-01T10:00:01Z", "2", 99, 99) + "\n").as_bytes(),
        )
        .expect("append");
        let ing = read(&[src]);
        assert_eq!(ing.lines, 1);
        assert_eq!(usage_of(&ing, "s").input, 10);
    }
}
