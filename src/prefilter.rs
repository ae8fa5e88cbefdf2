//! A byte-level pre-filter for logs: keep only the files that mention one of a few strings, before any
//! JSON is parsed. `session ID` uses it to find the other sessions that edited the same files (they
//! compete for the same lines) without parsing every log of the repository: a log that never names a
//! file cannot hold an edit of it.

use std::io::Read;

use rayon::prelude::*;

use crate::discover::Source;

/// A zstd frame's first bytes.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Bytes read at a time.
const CHUNK: usize = 1 << 20;

/// The sources whose bytes contain at least one of `needles`. Files that cannot be read, and files that
/// are not plain JSONL (compressed rollouts), are kept: the parser reports them as it always does.
pub fn mentioning(sources: Vec<Source>, needles: &[String]) -> Vec<Source> {
    if needles.is_empty() {
        return sources;
    }
    let finders: Vec<memchr::memmem::Finder<'_>> = needles
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| memchr::memmem::Finder::new(n.as_bytes()))
        .collect();
    let longest = needles.iter().map(String::len).max().unwrap_or(0);
    sources
        .into_par_iter()
        .filter(|s| {
            if s.path.extension().is_none_or(|e| e != "jsonl") {
                return true;
            }
            contains_any(s, &finders, longest).unwrap_or(true)
        })
        .collect()
}

fn contains_any(
    s: &Source,
    finders: &[memchr::memmem::Finder<'_>],
    longest: usize,
) -> std::io::Result<bool> {
    let mut f = std::fs::File::open(&s.path)?.take(s.size);
    let mut buf = vec![0u8; CHUNK + longest];
    let mut first = true;
    let mut kept = 0usize; // bytes carried over from the previous chunk (a needle may straddle chunks)
    loop {
        let n = f.read(&mut buf[kept..])?;
        if n == 0 {
            return Ok(false);
        }
        let end = kept + n;
        if first && buf.starts_with(&ZSTD_MAGIC) {
            return Ok(true); // compressed whatever its name: cannot be scanned, so it is kept
        }
        first = false;
        if finders.iter().any(|fi| fi.find(&buf[..end]).is_some()) {
            return Ok(true);
        }
        let carry = longest.saturating_sub(1).min(end);
        buf.copy_within(end - carry..end, 0);
        kept = carry;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Agent;

    #[test]
    fn keeps_files_naming_a_needle_even_across_chunks() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut big = vec![b'x'; CHUNK - 3];
        big.extend_from_slice(b"src/lib.rs\n");
        let write = |name: &str, data: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, data).expect("write");
            Source {
                path: p,
                agent: Agent::ClaudeCode,
                size: data.len() as u64,
                leftover: false,
            }
        };
        let sources = vec![
            write("a.jsonl", &big),
            write("b.jsonl", b"{\"file_path\":\"/r/src/main.rs\"}\n"),
            write("c.jsonl.zst", b"compressed"),
        ];
        let kept = mentioning(sources, &["src/lib.rs".to_owned()]);
        let names: Vec<_> = kept
            .iter()
            .map(|s| s.path.file_name().expect("name").to_owned())
            .collect();
        assert_eq!(names, vec!["a.jsonl", "c.jsonl.zst"]);
    }
}
