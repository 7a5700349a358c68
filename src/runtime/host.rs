//! JavaScript's number and case rules for the core, so the module carries
//! no float formatting and no Unicode tables of its own.

use crate::core::host::{looks_numeric, Host};
use crate::core::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(
    inline_js = "export function n2s(n) { return String(n); } export function s2n(s) { return Number(s); } export function lower(s) { return s.toLowerCase(); }"
)]
extern "C" {
    fn n2s(n: f64) -> String;
    fn s2n(s: &str) -> f64;
    fn lower(s: &str) -> String;
}

/// The browser's rules.
pub struct BrowserHost;

impl Host for BrowserHost {
    fn number_to_string(&self, n: f64) -> String {
        n2s(n)
    }

    fn parse_number(&self, s: &str) -> Option<f64> {
        let t = s.trim();
        if !looks_numeric(t) {
            return None;
        }
        if let Some(v) = crate::core::num::parse_fast(t) {
            return Some(v);
        }
        let v = s2n(t);
        (!v.is_nan()).then_some(v)
    }

    fn lowercase(&self, s: &str) -> String {
        if s.is_ascii() {
            s.to_ascii_lowercase()
        } else {
            lower(s)
        }
    }
}
