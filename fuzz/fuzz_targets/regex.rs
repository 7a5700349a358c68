//! The core's linear-time regular expressions (`core::regex`, what the
//! `matches` operator runs, in the browser too).
//!
//! The first byte chooses how the rest is read:
//! - a pattern tree from the shared generator (tests/common/gen.rs), ASCII
//!   only, written in the core's (JavaScript) syntax and, by this harness,
//!   in the `regex` crate's, with ASCII texts (every one-character text,
//!   texts of the pattern's own characters, others): the core compiles it,
//!   and it matches exactly where the `regex` crate does, case-sensitive and
//!   ignoring case. On ASCII text JavaScript's rules and the `regex` crate's
//!   ASCII (byte) mode mean the same, once `.`, `\d \w \s` and the anchors
//!   are written out as JavaScript means them; the text is the first 512
//!   characters, as the core looks no further;
//! - any text as a pattern: compiling never panics, and matching a long
//!   text stays within a time bound (linear: at most 512 characters times
//!   500 instructions, whatever the pattern).
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};
use walkme_webhooks::core::regex::{Regex, MAX_TEXT_CHARS};
use walkme_webhooks_fuzz::gen::{self, ClassItem, Re};
use walkme_webhooks_fuzz::{self as g, Bytes};

/// The longest a single match may take, long text and worst pattern
/// included (it takes well under a millisecond; this leaves room for the
/// sanitizer and a busy machine).
const MATCH_BOUND: Duration = Duration::from_millis(200);

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = run(&mut u);
});

fn run(u: &mut Unstructured) -> Result<()> {
    if u.ratio(2, 3)? {
        differential(u)
    } else {
        any_pattern(u)
    }
}

fn differential(u: &mut Unstructured) -> Result<()> {
    let budget = *g::pick(u, &[40usize, 120, 400])?;
    let re = gen::regex(&mut Bytes(u), true, budget);
    let js = re.js();
    let mut theirs = String::new();
    write_regex(&re, &mut theirs);
    // Texts: every single character the pattern mentions (and a few
    // others), and texts of those characters.
    let mut own = Vec::new();
    literals(&re, &mut own);
    own.sort_unstable();
    own.dedup();
    let mut alphabet = own.clone();
    alphabet.extend("aA0 _-.\n\r\t\u{b}\u{c}xyzZ\\".chars());
    alphabet.sort_unstable();
    alphabet.dedup();
    let mut texts: Vec<String> = alphabet.iter().map(char::to_string).collect();
    texts.push(String::new());
    for _ in 0..u.int_in_range(1..=6u8)? {
        let from = if own.is_empty() || u.arbitrary()? {
            &alphabet
        } else {
            &own
        };
        let n = u.int_in_range(0..=24usize)?;
        let mut t = String::with_capacity(n);
        for _ in 0..n {
            t.push(*g::pick(u, from)?);
        }
        if g::rare(u, 8)? {
            t = t.repeat(MAX_TEXT_CHARS / t.len().max(1) + 2);
        }
        texts.push(t);
    }
    for ignore_case in [false, true] {
        let ours = match Regex::new(&js, ignore_case) {
            Ok(r) => r,
            Err(e) => panic!("the core refuses {js:?} (ignore case: {ignore_case}): {e:?}"),
        };
        let pattern = if ignore_case {
            format!("(?i){theirs}")
        } else {
            theirs.clone()
        };
        let Ok(oracle) = regex::bytes::RegexBuilder::new(&pattern)
            .unicode(false)
            .size_limit(1 << 26)
            .build()
        else {
            continue;
        };
        for t in &texts {
            let seen: String = t.chars().take(MAX_TEXT_CHARS).collect();
            assert_eq!(
                ours.is_match(t),
                oracle.is_match(seen.as_bytes()),
                "{js:?} (ignore case: {ignore_case}, as {pattern:?}) on {t:?}"
            );
        }
    }
    Ok(())
}

fn any_pattern(u: &mut Unstructured) -> Result<()> {
    let pattern = if u.ratio(1, 4)? {
        g::pick(u, g::PATTERNS)?.to_string()
    } else {
        let n = u.int_in_range(0..=64usize)?;
        let bytes = u.bytes(n.min(u.len()))?;
        String::from_utf8_lossy(bytes).into_owned()
    };
    let ignore_case = u.arbitrary()?;
    let Ok(re) = Regex::new(&pattern, ignore_case) else {
        return Ok(());
    };
    let unit = if u.is_empty() {
        "a".to_string()
    } else {
        g::text(u)?
    };
    for text in [
        unit.clone(),
        unit.repeat(100_000 / unit.len().max(1) + 1),
        "a".repeat(100_000) + "!",
        "1".repeat(100_000),
    ] {
        let start = Instant::now();
        let _ = re.is_match(&text);
        let took = start.elapsed();
        assert!(
            took < MATCH_BOUND,
            "{pattern:?} (ignore case: {ignore_case}) took {took:?} on {} characters",
            text.chars().count()
        );
    }
    Ok(())
}

/// The characters a pattern mentions (literals and class members).
fn literals(re: &Re, out: &mut Vec<char>) {
    match re {
        Re::Lit(c, _) => out.push(*c),
        Re::Class(_, items) => {
            for item in items {
                match item {
                    ClassItem::Char(c, _) => out.push(*c),
                    ClassItem::Range((a, _), (b, _)) => out.extend([*a, *b]),
                    ClassItem::Perl(_) => {}
                }
            }
        }
        Re::Group(_, inner) | Re::Repeat { re: inner, .. } => literals(inner, out),
        Re::Concat(items) | Re::Alt(items) => {
            for i in items {
                literals(i, out);
            }
        }
        _ => {}
    }
}

/// The `regex` crate's spelling of an ASCII character.
fn lit(out: &mut String, c: char) {
    assert!(c.is_ascii(), "{c:?} in an ASCII pattern");
    out.push_str(&format!("\\x{:02X}", c as u32));
}

/// JavaScript's `\d \w \s` as ASCII classes (on ASCII text JavaScript's
/// `\s` is these six).
fn perl(p: char) -> &'static str {
    match p {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        's' => "[\\t\\n\\x0B\\x0C\\r ]",
        _ => "[^\\t\\n\\x0B\\x0C\\r ]",
    }
}

/// The pattern in the `regex` crate's ASCII (byte) syntax, with
/// JavaScript's meaning on ASCII text.
fn write_regex(re: &Re, out: &mut String) {
    match re {
        Re::Lit(c, _) => lit(out, *c),
        // JavaScript's `.` leaves out the line terminators.
        Re::Any => out.push_str("[^\\n\\r]"),
        Re::Class(negated, items) if items.is_empty() => out.push_str(if *negated {
            "[\\x00-\\xFF]"
        } else {
            "[^\\x00-\\xFF]"
        }),
        Re::Class(negated, items) => {
            out.push('[');
            if *negated {
                out.push('^');
            }
            for item in items {
                match item {
                    ClassItem::Char(c, _) => lit(out, *c),
                    ClassItem::Range((a, _), (b, _)) => {
                        lit(out, *a);
                        out.push('-');
                        lit(out, *b);
                    }
                    ClassItem::Perl(p) => out.push_str(perl(*p)),
                }
            }
            out.push(']');
        }
        Re::Perl(p) => out.push_str(perl(*p)),
        // No multi-line flag: the start and end of the text.
        Re::Start => out.push_str("\\A"),
        Re::End => out.push_str("\\z"),
        Re::Boundary(true) => out.push_str("\\b"),
        Re::Boundary(false) => out.push_str("\\B"),
        Re::Group(_, inner) => {
            out.push_str("(?:");
            write_regex(inner, out);
            out.push(')');
        }
        Re::Concat(items) => {
            for i in items {
                write_regex(i, out);
            }
        }
        Re::Alt(alts) => {
            for (i, a) in alts.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                write_regex(a, out);
            }
        }
        Re::Repeat {
            re,
            min,
            max,
            form,
            lazy,
        } => {
            write_regex(re, out);
            form.write(*min, *max, *lazy, out);
        }
    }
}
