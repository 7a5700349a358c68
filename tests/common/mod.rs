//! Helpers shared by the integration tests (native only).
#![allow(dead_code)]

use serde_json::{json, Value as Json};
use walkme_webhooks::core::engine::{Effect, Engine, Limits, Report, Send};
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::problem::Problem;
use walkme_webhooks::core::retry::Answer;
use walkme_webhooks::core::settings::Settings;
use walkme_webhooks::core::value::Value;

/// The settings example of the contract (section 3), checked in verbatim.
pub const CONTRACT_EXAMPLE: &str = include_str!("../fixtures/contract-example.json");

/// The contract example as a JSON value, to change in a test.
pub fn example() -> Json {
    serde_json::from_str(CONTRACT_EXAMPLE).expect("the fixture is JSON")
}

/// Reads a settings document.
pub fn parse(doc: &Json) -> Result<Settings, Vec<Problem>> {
    Settings::from_json(&doc.to_string(), &NativeHost)
}

/// Reads a document that must be valid.
pub fn valid(doc: &Json) -> Settings {
    match parse(doc) {
        Ok(s) => s,
        Err(p) => panic!("expected valid settings, got {p:#?}"),
    }
}

/// The problems of a document that must be invalid.
pub fn problems(doc: &Json) -> Vec<Problem> {
    match parse(doc) {
        Ok(_) => panic!("expected problems for {doc:#}"),
        Err(p) => p,
    }
}

/// The message of the one problem at `path` (panics unless there is exactly one).
pub fn message_at(problems: &[Problem], path: &str) -> String {
    let at: Vec<&Problem> = problems.iter().filter(|p| p.path == path).collect();
    assert_eq!(
        at.len(),
        1,
        "one problem at {path} expected in {problems:#?}"
    );
    at[0].message.clone()
}

/// The only problem of a document, as `path: message`.
pub fn only_problem(doc: &Json) -> String {
    let p = problems(doc);
    assert_eq!(p.len(), 1, "exactly one problem expected, got {p:#?}");
    p[0].to_string()
}

/// A document with one destination and one webhook, both patched.
pub fn doc(dest: Json, hook: Json) -> Json {
    let mut d = json!({
        "id": "d1",
        "url": "https://example.com/hook",
    });
    merge(&mut d, dest);
    let mut w = json!({
        "id": "w1",
        "event": "survey.submitted",
        "destination": "d1",
    });
    merge(&mut w, hook);
    json!({ "version": 1, "destinations": [d], "webhooks": [w] })
}

/// Shallow merge of `patch` into `target` (a `null` removes the key).
pub fn merge(target: &mut Json, patch: Json) {
    let (Some(t), Json::Object(p)) = (target.as_object_mut(), patch) else {
        return;
    };
    for (k, v) in p {
        if v.is_null() {
            t.remove(&k);
        } else {
            t.insert(k, v);
        }
    }
}

/// A JSON value as the core's `Value` (key order kept).
pub fn val(v: Json) -> Value {
    serde_json::from_str(&v.to_string()).expect("a JSON value")
}

/// Event properties from a JSON object.
pub fn props(v: Json) -> Vec<(String, Value)> {
    match val(v) {
        Value::Object(pairs) => pairs,
        _ => panic!("props must be an object"),
    }
}

/// An engine on valid settings with the native host.
pub fn engine(doc: &Json) -> Engine {
    engine_with(doc, Limits::default())
}

/// An engine with custom limits.
pub fn engine_with(doc: &Json, limits: Limits) -> Engine {
    Engine::new(valid(doc), Box::new(NativeHost), 7, limits)
}

/// The start of the fake clock.
pub const T0: f64 = 1_700_000_000_000.0;

/// The sends among `effects`.
pub fn sends(effects: &[Effect]) -> Vec<Send> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The reports among `effects`.
pub fn reports(effects: &[Effect]) -> Vec<Report> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Report(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// Keys of the `Store` effects, in order.
pub fn stored_keys(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Store { key, .. } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

/// Keys of the `Unstore` effects, in order.
pub fn unstored_keys(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Unstore { key } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

/// An HTTP status answer without `Retry-After`.
pub fn status(code: u16) -> Answer {
    Answer::Status {
        code,
        retry_after_ms: None,
    }
}

/// The value of a request header (case-insensitive name).
pub fn header<'a>(s: &'a Send, name: &str) -> Option<&'a str> {
    s.request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
