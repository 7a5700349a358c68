//! What the core needs from its surroundings: a regular-expression engine and
//! JavaScript's number-to-text rule.
//!
//! The product promises **JavaScript's** regular-expression dialect for the
//! `matches` operator: in the browser the shell compiles patterns with
//! `RegExp`. Native builds use the `regex` crate, which agrees on everything
//! the editor offers (classes, anchors, alternation, repetition) but has no
//! look-around or back-references.

/// A compiled regular expression.
pub trait Pattern {
    /// Whether the pattern matches anywhere in `text`.
    fn is_match(&self, text: &str) -> bool;
}

/// The platform services the core calls.
pub trait Host {
    /// Compiles `pattern`; the error says why it does not compile.
    fn compile(&self, pattern: &str, ignore_case: bool) -> Result<Box<dyn Pattern>, String>;

    /// `String(n)` in JavaScript. The default follows ECMAScript's
    /// Number::toString; the browser shell hands it to the engine instead.
    fn number_to_string(&self, n: f64) -> String {
        crate::core::json::js_number_string(n)
    }

    /// `Number(s)` for a string that looks numeric (`" 4.5 "`, `"-1e3"`);
    /// `None` otherwise (`""`, `"inf"`, `"0x10"`).
    fn parse_number(&self, s: &str) -> Option<f64> {
        let t = s.trim();
        looks_numeric(t).then(|| t.parse().ok()).flatten()
    }

    /// Unicode lower case, as `String.prototype.toLowerCase`.
    fn lowercase(&self, s: &str) -> String {
        s.to_lowercase()
    }
}

/// Digits with an optional sign, point and exponent, and at least one digit.
pub fn looks_numeric(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && t.bytes().any(|b| b.is_ascii_digit())
}

/// The native host: the `regex` crate and the Rust number formatting rule.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeHost;

#[cfg(not(target_arch = "wasm32"))]
impl Pattern for regex::Regex {
    fn is_match(&self, text: &str) -> bool {
        regex::Regex::is_match(self, text)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Host for NativeHost {
    fn compile(&self, pattern: &str, ignore_case: bool) -> Result<Box<dyn Pattern>, String> {
        regex::RegexBuilder::new(pattern)
            .case_insensitive(ignore_case)
            .size_limit(1 << 20)
            .build()
            .map(|r| Box::new(r) as Box<dyn Pattern>)
            .map_err(|e| {
                e.to_string()
                    .lines()
                    .last()
                    .unwrap_or("invalid pattern")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_string()
            })
    }
}
