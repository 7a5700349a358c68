//! The core's [`Host`] in the browser: JavaScript's `RegExp` (the dialect the
//! product promises for `matches`) and `String(number)`.

use super::platform;
use crate::core::host::{Host, Pattern};
use wasm_bindgen::JsValue;

/// Host services backed by the JavaScript engine.
pub struct BrowserHost;

struct JsPattern(JsValue);

impl Pattern for JsPattern {
    fn is_match(&self, text: &str) -> bool {
        platform::regex_test(&self.0, text)
    }
}

impl Host for BrowserHost {
    fn compile(&self, pattern: &str, ignore_case: bool) -> Result<Box<dyn Pattern>, String> {
        let re = platform::regex_compile(pattern, ignore_case);
        match re.as_string() {
            Some(error) => Err(error),
            None => Ok(Box::new(JsPattern(re))),
        }
    }

    fn number_to_string(&self, n: f64) -> String {
        platform::number_to_string(n)
    }

    fn parse_number(&self, s: &str) -> Option<f64> {
        crate::core::host::looks_numeric(s.trim())
            .then(|| platform::parse_number(s))
            .filter(|n| n.is_finite())
    }

    fn lowercase(&self, s: &str) -> String {
        if s.is_ascii() {
            s.to_ascii_lowercase()
        } else {
            platform::lowercase(s)
        }
    }
}
