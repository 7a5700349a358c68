//! Mapping, templates and requests: what a destination receives, byte for byte.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use serde_json::{json, Value as Json};
use walkme_webhooks::core::event::Event;
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::mapping::default_body;
use walkme_webhooks::core::request::{self, Request, MAX_BODY_BYTES};
use walkme_webhooks::core::settings::{Method, Mode};
use walkme_webhooks::core::{json as js, sha256};

const KEY: &str = "ev-1:w1";

/// The request for one event, built from a one-destination, one-webhook document.
fn build(dest: Json, hook: Json, event: Json) -> Result<Request, String> {
    let s = valid(&doc(dest, hook));
    let e = Event::from_pairs(props(event));
    let d = &s.destinations[0];
    request::build(
        d,
        &request::Compiled::new(d),
        &[(&s.webhooks[0], &e)],
        KEY,
        &NativeHost,
    )
    .map_err(str::to_string)
}

fn body(dest: Json, hook: Json, event: Json) -> String {
    build(dest, hook, event).unwrap().body.expect("a body")
}

/// An event with its properties in the order written (`json!` sorts keys).
fn ordered(text: &str) -> Event {
    let v: walkme_webhooks::core::value::Value = serde_json::from_str(text).unwrap();
    match v {
        walkme_webhooks::core::value::Value::Object(pairs) => Event::from_pairs(pairs),
        _ => unreachable!("an object"),
    }
}

#[test]
fn the_default_body_is_the_flat_event_plus_static_byte_for_byte() {
    let s = valid(&doc(
        json!({}),
        json!({ "static": [{ "name": "app_id", "value": "3742" }, { "name": "n", "value": 1.5 }] }),
    ));
    let e = ordered(
        r#"{"user.id":"u-42","answer.value":4,"survey.name":"NPS \"Q3\"\n","ok":true,"none":null,"tags":["a",2],"big":1e21,"tiny":1.5e-7,"sum":0.30000000000000004}"#,
    );
    let d = &s.destinations[0];
    let r = request::build(
        d,
        &request::Compiled::new(d),
        &[(&s.webhooks[0], &e)],
        KEY,
        &NativeHost,
    )
    .unwrap();
    assert_eq!(
        r.body.as_deref(),
        Some(
            r#"{"user.id":"u-42","answer.value":4,"survey.name":"NPS \"Q3\"\n","ok":true,"none":null,"tags":["a",2],"big":1e+21,"tiny":1.5e-7,"sum":0.30000000000000004,"app_id":"3742","n":1.5}"#
        )
    );
    assert_eq!(r.method, Method::Post);
    assert_eq!(r.url, "https://example.com/hook");
    assert_eq!(
        r.headers,
        [("Content-Type".to_string(), "application/json".to_string())]
    );
    assert_eq!(r.mode, Mode::Cors);
    assert_eq!(r.size(), r.body.as_ref().unwrap().len());
}

#[test]
fn selected_properties_keep_the_selection_order_and_are_renamed() {
    let s = valid(&doc(
        json!({}),
        json!({ "properties": [
            { "name": "survey.name" },
            { "name": "user.id", "as": "identity" },
            { "name": "not.there" },
            "answer.value"
        ] }),
    ));
    let e = ordered(
        r#"{"answer.value":4,"user.id":"u-42","page.url":"https://app/x","survey.name":"NPS"}"#,
    );
    let b = default_body(&s.webhooks[0], &e, &NativeHost);
    assert_eq!(
        js::to_json(&b, &NativeHost),
        r#"{"survey.name":"NPS","identity":"u-42","answer.value":4}"#,
        "selection order, renamed, unselected and missing left out"
    );
}

#[test]
fn static_properties_win_over_event_properties() {
    let b = body(
        json!({}),
        json!({
            "properties": [{ "name": "user.id", "as": "identity" }, { "name": "plan" }],
            "static": [{ "name": "identity", "value": "fixed" }, { "name": "source", "value": "walkme" }]
        }),
        json!({ "user.id": "u-42", "plan": "pro" }),
    );
    // The clash keeps its place and takes the static value.
    assert_eq!(b, r#"{"identity":"fixed","plan":"pro","source":"walkme"}"#);
    let b = body(
        json!({}),
        json!({ "static": [{ "name": "plan", "value": null }] }),
        json!({ "plan": "pro" }),
    );
    assert_eq!(b, r#"{"plan":null}"#);
}

#[test]
fn hashed_properties_are_sha256_hex_with_emails_lower_cased() {
    assert_eq!(
        sha256::hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let b = body(
        json!({}),
        json!({ "properties": [
            { "name": "email", "hash": true },
            { "name": "user.id", "as": "uid", "hash": true },
            { "name": "score", "hash": true },
            { "name": "nothing", "hash": true },
            { "name": "plain" }
        ] }),
        json!({ "email": "  Jane.Doe@Example.COM ", "user.id": "u-42", "score": 4, "nothing": null, "plain": "x" }),
    );
    assert_eq!(
        b,
        concat!(
            r#"{"email":"86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d","#,
            r#""uid":"16ec525b74b75626eb93ecad8acc749885fcf4e83c95b139342769a4ab1828a3","#,
            r#""score":"4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a","#,
            r#""nothing":null,"plain":"x"}"#
        )
    );
    // Non-e-mail text is hashed as it is (case kept).
    let b = body(
        json!({}),
        json!({ "properties": [{ "name": "id", "hash": true }] }),
        json!({ "id": "ABC" }),
    );
    assert_ne!(b, format!("{{\"id\":\"{}\"}}", sha256::hex(b"abc")));
    assert_eq!(b, format!("{{\"id\":\"{}\"}}", sha256::hex(b"ABC")));
}

#[test]
fn get_sends_the_pairs_as_an_encoded_query() {
    let r = build(
        json!({ "method": "GET", "url": "https://example.com/track?src=wm#frag" }),
        json!({
            "properties": [{ "name": "user.id", "as": "user_id" }, { "name": "q" }, { "name": "n" }, { "name": "list" }, { "name": "nul" }],
            "static": [{ "name": "app", "value": true }]
        }),
        json!({ "user.id": "a b&c=d/é", "q": "x+y?", "n": 4.5, "list": [1, "a"], "nul": null }),
    )
    .unwrap();
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.url,
        "https://example.com/track?src=wm&user_id=a%20b%26c%3Dd%2F%C3%A9&q=x%2By%3F&n=4.5&list=%5B1%2C%22a%22%5D&nul=&app=true#frag"
    );
    assert_eq!(r.body, None);
    assert!(
        r.headers.is_empty(),
        "no body, no content type: {:?}",
        r.headers
    );
    assert_eq!(r.size(), r.url.len());
}

#[test]
fn whole_placeholders_keep_their_type_and_text_is_interpolated() {
    let b = body(
        json!({ "body": {
            "score": "{{answer.value}}",
            "who": "{{identity}}",
            "flag": "{{ok}}",
            "tags": "{{tags}}",
            "missing": "{{nope}}",
            "text": "{{identity}} answered {{answer.value}} on {{survey.name}}{{nope}}!",
            "nested": [{ "all": "{{properties}}" }, 7, null, "plain"]
        } }),
        json!({
            "properties": [{ "name": "user.id", "as": "identity" }, { "name": "answer.value" }],
            "static": [{ "name": "app_id", "value": "3742" }]
        }),
        json!({ "user.id": "u-42", "answer.value": 4, "survey.name": "NPS", "ok": true, "tags": ["a", "b"] }),
    );
    // json! sorts the template's keys alphabetically; a whole placeholder
    // that finds no value leaves its key out.
    assert_eq!(
        b,
        concat!(
            r#"{"flag":true,"nested":[{"all":{"identity":"u-42","answer.value":4,"app_id":"3742"}},7,null,"plain"],"#,
            r#""score":4,"tags":["a","b"],"text":"u-42 answered 4 on NPS!","who":"u-42"}"#
        )
    );
}

#[test]
fn the_contract_example_renders_the_slack_message() {
    let s = valid(&example());
    let e = Event::from_pairs(props(json!({
        "survey.name": "NPS", "answer.value": 4, "user.id": "u-42"
    })));
    let d = &s.destinations[0];
    let r = request::build(
        d,
        &request::Compiled::new(d),
        &[(&s.webhooks[0], &e)],
        KEY,
        &NativeHost,
    )
    .unwrap();
    assert_eq!(
        r.body.as_deref(),
        Some(r#"{"text":"u-42 answered 4 on NPS"}"#)
    );
    assert_eq!(r.mode, Mode::Simple);
    // Simple mode: a safelisted content type and no custom header (X-Team is not sent).
    assert_eq!(
        r.headers,
        [(
            "Content-Type".to_string(),
            "text/plain;charset=UTF-8".to_string()
        )]
    );
}

#[test]
fn url_placeholders_are_percent_encoded() {
    let r = build(
        json!({ "url": "https://example.com/users/{{identity}}/events/{{event.type}}?s={{survey.name}}" }),
        json!({ "properties": [{ "name": "user.id", "as": "identity" }] }),
        json!({ "user.id": "a/b?c=d&e#f ü", "event.type": "survey.submitted", "survey.name": "N&P S" }),
    )
    .unwrap();
    assert_eq!(
        r.url,
        "https://example.com/users/a%2Fb%3Fc%3Dd%26e%23f%20%C3%BC/events/survey.submitted?s=N%26P%20S"
    );
}

#[test]
fn the_content_type_follows_the_mode() {
    for (mode, want) in [
        ("cors", "application/json"),
        ("simple", "text/plain;charset=UTF-8"),
        ("no-cors", "text/plain;charset=UTF-8"),
    ] {
        let r = build(json!({ "mode": mode }), json!({}), json!({ "a": 1 })).unwrap();
        assert_eq!(
            r.headers,
            [("Content-Type".to_string(), want.to_string())],
            "{mode}"
        );
        assert_eq!(
            r.body.as_deref(),
            Some(r#"{"a":1}"#),
            "the body is JSON text in every mode"
        );
    }
    assert_eq!(request::JSON, "application/json");
    assert_eq!(request::TEXT, "text/plain;charset=UTF-8");
}

#[test]
fn custom_headers_are_sent_only_in_cors_mode() {
    let headers =
        json!([{ "name": "X-Team", "value": "cs" }, { "name": "X-Env", "value": "prod" }]);
    let r = build(json!({ "headers": headers.clone() }), json!({}), json!({})).unwrap();
    assert_eq!(
        r.headers,
        [
            ("Content-Type".to_string(), "application/json".to_string()),
            ("X-Team".to_string(), "cs".to_string()),
            ("X-Env".to_string(), "prod".to_string()),
        ]
    );
    for mode in ["simple", "no-cors"] {
        let r = build(
            json!({ "headers": headers.clone(), "mode": mode }),
            json!({}),
            json!({}),
        )
        .unwrap();
        assert_eq!(r.headers.len(), 1, "{mode}: {:?}", r.headers);
    }
    // A custom content type replaces the default one.
    let r = build(
        json!({ "headers": [{ "name": "content-type", "value": "application/vnd.x+json" }] }),
        json!({}),
        json!({}),
    )
    .unwrap();
    assert_eq!(
        r.headers,
        [(
            "content-type".to_string(),
            "application/vnd.x+json".to_string()
        )]
    );
}

#[test]
fn the_idempotency_key_is_the_delivery_key() {
    let r = build(json!({ "idempotencyHeader": true }), json!({}), json!({})).unwrap();
    assert_eq!(
        r.headers.last(),
        Some(&("Idempotency-Key".to_string(), KEY.to_string()))
    );
    let r = build(json!({}), json!({}), json!({})).unwrap();
    assert!(!r.headers.iter().any(|(n, _)| n == "Idempotency-Key"));
}

#[test]
fn bodies_over_the_cap_are_refused_with_a_reason() {
    let big = "x".repeat(8 * 1024 - 100);
    let mut ev = serde_json::Map::new();
    for i in 0..4 {
        ev.insert(format!("p{i}"), json!(big));
    }
    let fits = build(json!({}), json!({}), Json::Object(ev.clone())).unwrap();
    assert!(fits.size() <= MAX_BODY_BYTES, "{}", fits.size());
    ev.insert("p4".into(), json!(big));
    let err = build(json!({}), json!({}), Json::Object(ev.clone())).unwrap_err();
    assert_eq!(
        err,
        "the request is over the 32 KiB limit; select fewer properties"
    );
    // GET: the URL carries the pairs and is held to the same cap.
    let err = build(json!({ "method": "GET" }), json!({}), Json::Object(ev)).unwrap_err();
    assert!(err.contains("over the 32 KiB limit"), "{err}");
}

#[test]
fn event_caps_bound_what_a_request_can_hold() {
    use walkme_webhooks::core::event::{MAX_PROPERTIES, MAX_TEXT_BYTES};
    let mut ev = serde_json::Map::new();
    ev.insert("a_long".into(), json!("é".repeat(MAX_TEXT_BYTES)));
    for i in 0..(MAX_PROPERTIES + 10) {
        ev.insert(format!("k{i:04}"), json!(i));
    }
    let e = Event::from_pairs(props(Json::Object(ev)));
    assert_eq!(
        e.pairs().len(),
        MAX_PROPERTIES,
        "properties past the cap are dropped"
    );
    let long = e.str("a_long").unwrap();
    assert_eq!(long.len(), MAX_TEXT_BYTES, "cut at a character boundary");
    assert!(e.get("k0265").is_none());
    assert!(e.get("k0254").is_some());
}

#[test]
fn a_crafted_event_id_cannot_inject_a_header() {
    use walkme_webhooks::core::request::header_safe;
    assert_eq!(header_safe("e-1:w"), "e-1:w");
    assert_eq!(header_safe("e\r\nX-Evil: 1:w"), "e%0D%0AX-Evil:%201:w");
    assert_eq!(header_safe("é%"), "%C3%A9%25");
}
