//! Arbitrary bytes as settings JSON text.
//!
//! Never panics; what `Settings::from_json` makes of the text agrees with
//! serde_json read into a `Value` and `Settings::parse` (whenever serde_json
//! accepts the text: the module's reader may accept more, as `JSON.parse`
//! does); and when the text is valid settings: the warnings can be listed,
//! the validator agrees with the reader, the settings serialise to JSON, and
//! that JSON reads back to equal settings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::settings::{Problem, Settings};
use walkme_webhooks::core::validate;
use walkme_webhooks::core::value::Value;

fuzz_target!(|data: &[u8]| {
    let host = NativeHost;
    let text = match std::str::from_utf8(data) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            // Invalid UTF-8: the byte reader must refuse it cleanly, and the
            // text a browser would make of it (U+FFFD) goes on below.
            let _ = serde_json::from_slice::<Value>(data);
            String::from_utf8_lossy(data)
        }
    };
    let read = Settings::from_json(&text, &host);
    differential(&text, &read);
    let Ok(settings) = read else {
        return;
    };
    let _ = validate::warnings(&settings);
    let problems = validate::check(&settings, &host);
    assert!(
        problems.is_empty(),
        "the reader accepted settings that the validator refuses: {problems:#?}"
    );
    let json = serde_json::to_string(&settings).expect("valid settings serialise");
    match Settings::from_json(&json, &host) {
        Ok(again) => assert_eq!(
            again, settings,
            "the JSON of valid settings reads back to other settings: {json}"
        ),
        Err(p) => panic!("the JSON of valid settings is refused: {p:#?}\n{json}"),
    }
});

/// `from_json` against serde_json (with `float_roundtrip`, so exact) +
/// `Settings::parse`. Problems compare by path: the messages of a syntax
/// error differ between the two readers.
fn differential(text: &str, read: &Result<Settings, Vec<Problem>>) {
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let host = NativeHost;
    let other = Settings::parse(&doc, &host);
    match (read, &other) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "from_json and serde_json disagree"),
        (Err(a), Err(b)) => {
            let paths = |p: &[Problem]| p.iter().map(|p| p.path.clone()).collect::<Vec<_>>();
            assert_eq!(
                paths(a),
                paths(b),
                "from_json and serde_json find problems at other places: {a:#?} {b:#?}"
            );
        }
        (a, b) => panic!("from_json: {a:#?}\nserde_json + parse: {b:#?}"),
    }
}
