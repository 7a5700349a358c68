//! Arbitrary bytes as settings JSON text (with the dictionary
//! `dict/json.dict`; the seeds include generated documents).
//!
//! - The core's JSON reader (`json::parse`) never panics and agrees with
//!   serde_json (with `float_roundtrip`, so exact) read into the same
//!   `Value`, wherever serde_json reads the text: same value, or both refuse.
//!   (The core's reader may accept more: a lone surrogate escape becomes
//!   U+FFFD, as `TextDecoder` does.)
//! - `Settings::from_json` agrees with `Settings::parse` of serde_json's
//!   value: same settings, or problems at the same paths.
//! - The runtime's short wording finds the same problems (paths and codes)
//!   as the editor's full one.
//! - Valid settings: the validator agrees with the reader, warnings can be
//!   listed, and the settings serialise to JSON that reads back to equal
//!   settings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::json;
use walkme_webhooks::core::problem::{Full, Problem, Short};
use walkme_webhooks::core::settings::Settings;
use walkme_webhooks::core::validate;
use walkme_webhooks::core::value::Value;

fuzz_target!(|data: &[u8]| {
    let host = NativeHost;
    let text = match std::str::from_utf8(data) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            // Invalid UTF-8: serde_json must refuse it cleanly; the text a
            // browser would make of it (U+FFFD) goes on below.
            let _ = serde_json::from_slice::<Value>(data);
            String::from_utf8_lossy(data)
        }
    };
    let core_doc = json::parse(&text, &host);
    let serde_doc = serde_json::from_str::<Value>(&text);
    if let Ok(b) = &serde_doc {
        match &core_doc {
            Ok(a) => assert!(
                same(a, b),
                "the core's JSON reader and serde_json read different values:\n{a:?}\n{b:?}"
            ),
            Err(e) => panic!("the core's JSON reader refuses what serde_json reads ({e}): {b:?}"),
        }
    }

    let read = Settings::from_json(&text, &host);
    if let Ok(doc) = &serde_doc {
        let other = Settings::parse(doc, &host);
        match (&read, &other) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "from_json and serde_json + parse disagree"),
            (Err(a), Err(b)) => assert_eq!(
                paths(a),
                paths(b),
                "from_json and serde_json + parse find problems at other places"
            ),
            (a, b) => panic!("from_json: {a:#?}\nserde_json + parse: {b:#?}"),
        }
    }
    let short = Settings::from_json_in::<Short>(&text, &host);
    let full = Settings::from_json_in::<Full>(&text, &host);
    match (&short, &full) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(
            codes(a),
            codes(b),
            "the runtime's wording finds other problems than the editor's"
        ),
        (a, b) => panic!("short wording: {a:#?}\nfull wording: {b:#?}"),
    }

    let Ok(settings) = read else {
        return;
    };
    let problems = validate::check(&settings);
    assert!(
        problems.is_empty(),
        "the reader accepted settings that the validator refuses: {problems:#?}"
    );
    let _ = validate::warnings(&settings);
    let json = serde_json::to_string(&settings).expect("valid settings serialise");
    match Settings::from_json(&json, &host) {
        Ok(again) => assert_eq!(
            again, settings,
            "the JSON of valid settings reads back to other settings: {json}"
        ),
        Err(p) => panic!("the JSON of valid settings is refused: {p:#?}\n{json}"),
    }
});

/// Equal values, numbers bit for bit (but -0 and 0 alike, as JSON has them).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

fn paths(p: &[Problem]) -> Vec<&str> {
    p.iter().map(|p| p.path.as_str()).collect()
}

fn codes(p: &[Problem]) -> Vec<(&str, &str)> {
    p.iter()
        .map(|p| (p.path.as_str(), p.code.as_str()))
        .collect()
}
