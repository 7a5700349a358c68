//! Substring search by plain byte scanning: the patterns the core looks for
//! are two or three bytes long (`{{`, `}}`, `://`), and the library's
//! general searcher would add kilobytes to the module for nothing.

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
    }
}
