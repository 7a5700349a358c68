//! Substring search by plain byte scanning: the patterns the core looks for
//! are one to three ASCII bytes long (`#`, `{{`, `://`), and the library's
//! searchers (two-way, memchr, character predicates) would add kilobytes to
//! the module for nothing.

/// The byte position of the first `needle` in `hay`.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    (0..(h.len() + 1).saturating_sub(n.len())).find(|&i| h[i..i + n.len()] == *n)
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay` split around the first `needle`.
pub fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    // A match of a valid UTF-8 needle starts and ends on character boundaries.
    let i = find(hay, needle)?;
    Some((split_at(hay, i).0, split_at(hay, i + needle.len()).1))
}

/// The byte position of the first of the ASCII bytes `set` in `s`.
pub fn find_any(s: &str, set: &[u8]) -> Option<usize> {
    for (i, b) in s.bytes().enumerate() {
        if is_one_of(b, set) {
            return Some(i);
        }
    }
    None
}

/// Whether `b` is one of the ASCII bytes `set` (`<[u8]>::contains` would
/// link memchr).
#[allow(clippy::manual_contains)]
pub fn is_one_of(b: u8, set: &[u8]) -> bool {
    set.iter().any(|&c| c == b)
}

/// Whether `ok` holds for every byte of `s` (true for `""`): one loop for
/// every such test.
pub fn all_bytes(s: &str, ok: fn(u8) -> bool) -> bool {
    for b in s.bytes() {
        if !ok(b) {
            return false;
        }
    }
    true
}

/// Whether every byte of `s` is an ASCII digit (true for `""`).
pub fn all_digits(s: &str) -> bool {
    all_bytes(s, |b| b.is_ascii_digit())
}

/// Whether `s` holds a whitespace character (Unicode's).
pub fn has_whitespace(s: &str) -> bool {
    s.chars().any(char::is_whitespace)
}

/// The text of `s` before the first of the ASCII bytes `set` (all of `s`
/// when there is none).
pub fn until<'a>(s: &'a str, set: &[u8]) -> &'a str {
    split_at(s, find_any(s, set).unwrap_or(s.len())).0
}

/// `s` split around the last ASCII byte `b`.
pub fn rsplit_once(s: &str, b: u8) -> Option<(&str, &str)> {
    let mut i = s.len();
    while i > 0 {
        i -= 1;
        if s.as_bytes()[i] == b {
            return Some((split_at(s, i).0, split_at(s, i + 1).1));
        }
    }
    None
}

/// Decimal digits with an optional `+`, as `str::parse` reads an unsigned
/// number (one small reader instead of one `parse` per integer type).
pub fn parse_uint(t: &str) -> Option<u64> {
    let d = t.strip_prefix('+').unwrap_or(t);
    if d.is_empty() {
        return None;
    }
    d.bytes().try_fold(0u64, |n, b| {
        if !b.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// `s` split at byte `i`: what comes before and what comes after. The core
/// splits only where it found an ASCII byte, a character boundary; slicing
/// with `s[..i]` instead would link the library's report of a slice that is
/// not on one (when `i` is not a boundary, all of `s` comes before).
pub fn split_at(s: &str, i: usize) -> (&str, &str) {
    s.split_at_checked(i).unwrap_or((s, ""))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn finds_like_the_library() {
        for (h, n) in [
            ("a{{b}}", "{{"),
            ("{{", "{{"),
            ("x", "{{"),
            ("", "a"),
            ("é{{", "{{"),
            ("https://x", "://"),
            ("ab", ""),
        ] {
            assert_eq!(find(h, n), h.find(n), "{h:?} {n:?}");
            assert_eq!(split_once(h, n), h.split_once(n), "{h:?} {n:?}");
        }
        for (s, set) in [
            ("a/b?c#d", &b"?#"[..]),
            ("é#", b"#"),
            ("abc", b"/"),
            ("", b"/"),
        ] {
            assert_eq!(find_any(s, set), s.find(|c: char| set.contains(&(c as u8))));
        }
        for s in ["u@h@x", "@", "é@é", "nothing"] {
            assert_eq!(rsplit_once(s, b'@'), s.rsplit_once('@'), "{s:?}");
        }
        for s in [
            "0",
            "+7",
            "-7",
            "",
            "+",
            "12a",
            "4294967296",
            "99999999999999999999999",
            "007",
        ] {
            assert_eq!(parse_uint(s), s.parse::<u64>().ok(), "{s:?}");
        }
    }
}
