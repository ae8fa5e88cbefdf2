//! JSON text read without decoding it: the one helper every parser shares to measure what a tool's output
//! put into the model's context (the bytes of a string literal once unescaped).

/// Decoded UTF-8 length of a JSON string literal (quotes included in `raw`), without decoding it.
pub fn json_string_len(raw: &[u8]) -> u64 {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let mut len = inner.len() as u64;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', inner.get(i..).unwrap_or_default()) {
        let at = i + off;
        if inner.get(at + 1) == Some(&b'u') {
            let cp = inner
                .get(at + 2..at + 6)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .unwrap_or(0);
            // A surrogate pair is one 4-byte character: 4 for the high half, 0 for the low half.
            let utf8 = match cp {
                0..=0x7f => 1,
                0x80..=0x7ff => 2,
                0xd800..=0xdbff => 4,
                0xdc00..=0xdfff => 0,
                _ => 3,
            };
            len = len.saturating_sub(6 - utf8);
            i = at + 6;
        } else {
            len = len.saturating_sub(1);
            i = at + 2;
        }
        if i >= inner.len() {
            break;
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::json_string_len;

    #[test]
    fn escapes_count_as_the_characters_they_stand_for() {
        assert_eq!(json_string_len(br#""ab\ncd""#), 5);
        assert_eq!(json_string_len(br#""\u00e9""#), 2);
        assert_eq!(json_string_len(br#""""#), 0);
        // A surrogate pair is one 4-byte character.
        assert_eq!(json_string_len(br#""\u00e9\ud83d\ude00""#), 6);
        // Torn escapes never underflow.
        assert_eq!(json_string_len(br#""\u12""#), 0);
        assert_eq!(json_string_len(b"\""), 0);
    }
}
