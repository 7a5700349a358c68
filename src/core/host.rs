//! What the core needs from its surroundings: JavaScript's rules for numbers
//! and lower case. In the browser the runtime hands these to JavaScript
//! (`String(n)`, `Number(s)`, `toLowerCase()`), which keeps Unicode tables
//! and float formatting out of the module; native builds and the editor
//! module use Rust's, which follow the same rules.
//!
//! Regular expressions are the core's own ([`super::regex`]): one linear-time
//! engine everywhere.

#[allow(unused_imports)]
use crate::core::prelude::*;

/// The platform services the core calls.
pub trait Host {
    /// `String(n)` in JavaScript.
    fn number_to_string(&self, n: f64) -> String;

    /// `Number(s)` for a string that looks numeric (`" 4.5 "`, `"-1e3"`);
    /// `None` otherwise (`""`, `"inf"`, `"0x10"`).
    fn parse_number(&self, s: &str) -> Option<f64>;

    /// Unicode lower case, as `String.prototype.toLowerCase`.
    fn lowercase(&self, s: &str) -> String;
}

/// Digits with an optional sign, point and exponent, and at least one digit.
pub fn looks_numeric(t: &str) -> bool {
    let mut digit = false;
    for b in t.bytes() {
        if b.is_ascii_digit() {
            digit = true;
        } else if super::text::find_any("+-.eE", &[b]).is_none() {
            return false;
        }
    }
    digit
}

/// A plain number literal (`4`, `-1.5`, `2e3`) read exactly where that is
/// cheap, for template fallbacks (see [`super::num::parse_fast`]).
pub fn parse_plain_number(s: &str) -> Option<f64> {
    super::num::parse_fast(s)
}

/// The host in Rust: number formatting and lower case by Rust's rules
/// (native builds, tests, the editor module).
#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeHost;

#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
impl Host for NativeHost {
    fn number_to_string(&self, n: f64) -> String {
        crate::core::num::js_number_string(n)
    }

    fn parse_number(&self, s: &str) -> Option<f64> {
        let t = s.trim();
        looks_numeric(t).then(|| t.parse().ok()).flatten()
    }

    fn lowercase(&self, s: &str) -> String {
        s.to_lowercase()
    }
}
