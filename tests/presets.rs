//! The presets (`presets/presets.json`) through the engine: each one filled
//! with test values, for a visitor with and without a user id, makes the
//! request its service documents (`docs/destinations.md`), and validates with
//! no warning but the published URL or key the preset says it publishes.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use serde_json::{json, Value as Json};
use walkme_webhooks::core::engine::{Context, Engine, Limits, Send};
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::validate;

const PRESETS: &str = include_str!("../presets/presets.json");
const SESSION_START: f64 = T0 - 60_000.0;
const ANON: &str = "0f3c5a7e-1b2d-4c6e-8f90-a1b2c3d4e5f6";
const USER: &str = "u-42";

fn presets() -> Vec<Json> {
    serde_json::from_str::<Json>(PRESETS)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// A field's test value: its placeholder, made concrete.
fn value_of(field: &Json) -> String {
    field["placeholder"].as_str().unwrap().replace('…', "test")
}

/// `{{field:KEY}}` replaced by the fields' test values.
fn fill(v: &Json, fields: &[Json]) -> Json {
    match v {
        Json::String(s) => {
            let mut s = s.clone();
            for f in fields {
                s = s.replace(
                    &format!("{{{{field:{}}}}}", f["key"].as_str().unwrap()),
                    &value_of(f),
                );
            }
            Json::String(s)
        }
        Json::Array(a) => Json::Array(a.iter().map(|x| fill(x, fields)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), fill(x, fields)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The settings a preset makes: its destination (with its batch and rate)
/// and one webhook on survey.submitted.
fn settings_of(p: &Json) -> Json {
    let fields = p["fields"].as_array().unwrap();
    let mut d = fill(&p["destination"], fields);
    for k in ["batch", "rate"] {
        if !p[k].is_null() {
            d[k] = fill(&p[k], fields);
        }
    }
    json!({
        "version": 1,
        "destinations": [d],
        "webhooks": [{ "id": "w", "event": "survey.submitted", "destination": p["id"] }],
    })
}

/// The requests the engine makes for `n` events, with or without a user id.
fn requests(p: &Json, n: usize, user: bool) -> Vec<Send> {
    let mut e = Engine::new(
        valid(&settings_of(p)),
        Box::new(NativeHost),
        7,
        Limits::default(),
    );
    e.set_context(Context {
        session_id: "s-0001-aaaa".into(),
        session_start: SESSION_START,
        anonymous_id: ANON.into(),
        url: "https://app.example.com/orders?id=7".into(),
        path: "/orders".into(),
        title: "Orders & <returns>".into(),
        referrer: String::new(),
        language: "en-US".into(),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36".into(),
    });
    if user {
        e.identify(Some(USER.into()), vec![]);
    }
    for i in 0..n {
        let props = props(json!({
            "survey.id": "srv-1",
            "survey.name": "NPS & <Q3>",
            "answer.value": i,
            "element.classes": ["btn", "primary"],
        }));
        assert_eq!(e.emit("survey.submitted", props, T0), 1, "{}", p["id"]);
    }
    e.flush(T0);
    let sent = sends(&e.take_effects());
    for s in &sent {
        e.answer(s.id, status(200), T0 + 1.0);
    }
    sent
}

fn content_type(s: &Send) -> &str {
    header(s, "content-type").unwrap_or("")
}

fn body(s: &Send) -> &str {
    s.request.body.as_deref().unwrap()
}

fn form(s: &Send) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body(s).as_bytes())
        .into_owned()
        .collect()
}

fn form_field(s: &Send, name: &str) -> String {
    form(s)
        .into_iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no {name} field in {}", body(s)))
        .1
}

fn no_nulls(v: &Json, at: &str) {
    match v {
        Json::Null => panic!("null at {at}"),
        Json::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| no_nulls(x, &format!("{at}[{i}]"))),
        Json::Object(o) => o
            .iter()
            .for_each(|(k, x)| no_nulls(x, &format!("{at}.{k}"))),
        _ => {}
    }
}

fn is_uint(v: &Json) -> bool {
    v.as_f64().is_some_and(|n| n >= 0.0 && n.fract() == 0.0)
}

fn iso_of(ms: f64) -> String {
    walkme_webhooks::core::template::iso(ms)
}

/// The id a service should see: the user's when known, the anonymous id otherwise.
fn who(user: bool) -> &'static str {
    if user {
        USER
    } else {
        ANON
    }
}

/// Checks one request against its service's documented contract.
fn check(id: &str, s: &Send, n: usize, user: bool) {
    let r = &s.request;
    let ct = content_type(s);
    match id {
        // payload=<JSON message>, form-encoded; a message needs text.
        "slack" => {
            assert_eq!(ct, "application/x-www-form-urlencoded");
            let msg: Json = serde_json::from_str(&form_field(s, "payload")).unwrap();
            let text = msg["text"].as_str().unwrap();
            assert_eq!(
                text,
                format!(
                    "*Survey Submitted* by {} on https://app.example.com/orders?id=7",
                    who(user)
                )
            );
        }
        // data=<JSON>; token, distinct_id, time (ms), $insert_id (≤36, [A-Za-z0-9-]).
        "mixpanel" => {
            assert_eq!(ct, "application/x-www-form-urlencoded");
            assert!(r.url.ends_with("/track/?ip=1&verbose=1"), "{}", r.url);
            let ev: Json = serde_json::from_str(&form_field(s, "data")).unwrap();
            no_nulls(&ev, "data");
            assert_eq!(ev["event"], "Survey Submitted");
            let p = &ev["properties"];
            assert_eq!(p["token"], "0123456789abcdef0123456789abcdef");
            assert_eq!(p["distinct_id"], who(user));
            assert_eq!(p["time"], json!(T0 as u64));
            let insert = p["$insert_id"].as_str().unwrap();
            assert!(
                insert.len() <= 36
                    && insert
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "{insert}"
            );
            assert!(p["walkme"].is_object());
        }
        // JSON {api_key, events: [{event_type, user_id|device_id, time ms, session_id ms, insert_id}]}.
        "amplitude" | "amplitude-batch" => {
            assert_eq!(ct, "application/json");
            let b: Json = serde_json::from_str(body(s)).unwrap();
            no_nulls(&b, "body");
            assert_eq!(b["api_key"], "0123456789abcdef0123456789abcdef");
            assert_eq!(b["options"]["min_id_length"], 1);
            let events = b["events"].as_array().unwrap();
            assert_eq!(events.len(), n);
            assert!(events.len() <= 2000);
            for e in events {
                assert_eq!(e["event_type"], "Survey Submitted");
                assert_eq!(e["device_id"], ANON);
                assert_eq!(
                    e.get("user_id").and_then(Json::as_str),
                    user.then_some(USER)
                );
                assert_eq!(e["time"], json!(T0 as u64));
                assert_eq!(
                    e["session_id"],
                    json!(SESSION_START as u64),
                    "the session's start in ms"
                );
                assert!(e["insert_id"].is_string());
                assert!(e["event_properties"].is_object());
            }
        }
        // JSON as text: api_key, event, distinct_id; timestamp ISO 8601.
        "posthog" | "posthog-batch" => {
            assert_eq!(ct, "text/plain;charset=UTF-8");
            let b: Json = serde_json::from_str(body(s)).unwrap();
            no_nulls(&b, "body");
            assert!(b["api_key"].as_str().unwrap().starts_with("phc_"));
            let events = if id == "posthog" {
                assert!(r.url.ends_with("/i/v0/e/"), "{}", r.url);
                vec![b.clone()]
            } else {
                assert!(r.url.ends_with("/batch/"), "{}", r.url);
                b["batch"].as_array().unwrap().clone()
            };
            assert_eq!(events.len(), n);
            for e in &events {
                assert_eq!(e["event"], "Survey Submitted");
                assert_eq!(e["distinct_id"], who(user));
                assert_eq!(e["timestamp"], iso_of(T0));
            }
        }
        // JSON as text with writeKey; userId and/or anonymousId; messageId < 100.
        "segment" | "segment-batch" => {
            assert_eq!(ct, "text/plain;charset=UTF-8");
            let b: Json = serde_json::from_str(body(s)).unwrap();
            no_nulls(&b, "body");
            assert_eq!(b["writeKey"], "AbCdEfGhIjKlMnOpQrStUvWxYz012345");
            let events = if id == "segment" {
                assert!(r.url.ends_with("/v1/track"), "{}", r.url);
                vec![b.clone()]
            } else {
                assert!(r.url.ends_with("/v1/batch"), "{}", r.url);
                b["batch"].as_array().unwrap().clone()
            };
            assert_eq!(events.len(), n);
            assert!(events.len() <= 2500);
            for e in &events {
                assert_eq!(e["type"], "track");
                assert_eq!(e["event"], "Survey Submitted");
                assert_eq!(e["anonymousId"], ANON);
                assert_eq!(e.get("userId").and_then(Json::as_str), user.then_some(USER));
                assert!(e["messageId"].as_str().unwrap().len() < 100);
                assert_eq!(e["timestamp"], iso_of(T0));
                assert!(serde_json::to_string(e).unwrap().len() <= 32 * 1024);
            }
        }
        // JSON as text: client_id, user_id?, timestamp_micros; events with
        // valid names and params (≤25, names ≤40 [A-Za-z0-9_] from a letter,
        // not reserved, values text ≤100 or numbers), session_id and
        // engagement_time_msec in each.
        "ga4" => {
            assert_eq!(ct, "text/plain;charset=UTF-8");
            assert!(
                r.url
                    .contains("/mp/collect?measurement_id=G-XXXXXXXXXX&api_secret="),
                "{}",
                r.url
            );
            let b: Json = serde_json::from_str(body(s)).unwrap();
            no_nulls(&b, "body");
            assert_eq!(b["client_id"], ANON, "the persistent first-party id");
            assert_eq!(
                b.get("user_id").and_then(Json::as_str),
                user.then_some(USER)
            );
            assert_eq!(b["timestamp_micros"], json!(T0 as u64 * 1000));
            let events = b["events"].as_array().unwrap();
            assert!(!events.is_empty() && events.len() <= 25);
            for e in events {
                assert_eq!(e["name"], "walkme_event");
                let params = e["params"].as_object().unwrap();
                assert!(params.len() <= 25, "{} params", params.len());
                assert_eq!(
                    params["session_id"],
                    json!((SESSION_START / 1000.0) as u64),
                    "a number: the session's start in seconds"
                );
                assert!(
                    is_uint(&params["engagement_time_msec"])
                        && params["engagement_time_msec"].as_f64() > Some(0.0)
                );
                for (k, v) in params {
                    assert!(
                        k.len() <= 40 && k.as_bytes()[0].is_ascii_alphabetic(),
                        "{k}"
                    );
                    assert!(
                        k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                        "{k}"
                    );
                    assert!(
                        !["_", "google_", "ga_", "firebase_"]
                            .iter()
                            .any(|p| k.starts_with(p)),
                        "{k}"
                    );
                    match v {
                        Json::String(t) => assert!(t.chars().count() <= 100, "{k}: {t}"),
                        Json::Number(_) | Json::Bool(_) => {}
                        other => panic!("{k} is {other}"),
                    }
                }
                // The properties are there, flattened.
                assert_eq!(params["survey_name"], "NPS & <Q3>");
                assert_eq!(params["element_classes"], r#"["btn","primary"]"#);
            }
        }
        // Form fields; a user id always.
        "zapier" | "make" => {
            assert_eq!(ct, "application/x-www-form-urlencoded");
            assert_eq!(form_field(s, "event"), "Survey Submitted");
            assert_eq!(form_field(s, "user_id"), who(user));
            assert_eq!(form_field(s, "timestamp"), iso_of(T0));
            let props: Json = serde_json::from_str(&form_field(s, "properties")).unwrap();
            assert!(props.is_object());
        }
        "n8n" => {
            assert_eq!(ct, "application/json");
            let b: Json = serde_json::from_str(body(s)).unwrap();
            no_nulls(&b, "body");
            assert_eq!(b["anonymous_id"], ANON);
            assert_eq!(
                b.get("user_id").and_then(Json::as_str),
                user.then_some(USER)
            );
        }
        // JSON {text}.
        "google-chat" => {
            assert_eq!(ct, "application/json");
            let b: Json = serde_json::from_str(body(s)).unwrap();
            assert_eq!(
                b["text"],
                format!(
                    "*Survey Submitted* by {} on https://app.example.com/orders?id=7",
                    who(user)
                )
            );
        }
        other => panic!("no contract written for preset {other}"),
    }
}

#[test]
fn every_preset_makes_the_documented_request_with_and_without_a_user_id() {
    let mut checked = 0;
    for p in presets() {
        let id = p["id"].as_str().unwrap();
        if !p["browser"]["works"].as_bool().unwrap() {
            assert!(p["destination"].is_null(), "{id}");
            continue;
        }
        for user in [false, true] {
            let sent = requests(&p, 1, user);
            assert_eq!(sent.len(), 1, "{id}: one request per delivery");
            assert_eq!(sent[0].count, 1);
            assert_eq!(
                sent[0].request.mode.as_str(),
                p["destination"]["mode"].as_str().unwrap()
            );
            assert!(!body(&sent[0]).contains("null"), "{id}: {}", body(&sent[0]));
            check(id, &sent[0], 1, user);
        }
        checked += 1;
    }
    assert_eq!(checked, 13);
}

#[test]
fn batching_presets_send_several_events_per_request_within_the_documented_limits() {
    for p in presets() {
        let id = p["id"].as_str().unwrap();
        let Some(max) = p["batch"]["maxEvents"].as_u64() else {
            continue;
        };
        let n = 7.min(max as usize);
        let sent = requests(&p, n, true);
        assert_eq!(sent.len(), 1, "{id}: {n} events in one request");
        assert_eq!(sent[0].count, n);
        check(id, &sent[0], n, true);
        // A full batch of the preset's size, with these events, is sent
        // whole or in as few requests as the 32 KiB request limit allows.
        let sent = requests(&p, max as usize, false);
        assert_eq!(
            sent.iter().map(|s| s.count).sum::<usize>(),
            max as usize,
            "{id}"
        );
        assert!(
            sent.iter().all(|s| s.count > 1),
            "{id}: never one event per request"
        );
    }
}

#[test]
fn presets_validate_with_no_warning_but_what_they_publish() {
    for p in presets() {
        let id = p["id"].as_str().unwrap();
        if p["destination"].is_null() {
            continue;
        }
        let s = valid(&settings_of(&p));
        let publishes_url = p["fields"].as_array().unwrap().iter().any(|f| {
            f["secret"] == true
                && p["destination"]["url"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("{{{{field:{}}}}}", f["key"].as_str().unwrap()))
        });
        for w in validate::warnings(&s) {
            assert!(
                w.code.as_str() == "published_secret"
                    && w.path == "destinations[0].url"
                    && publishes_url,
                "{id}: {w}"
            );
        }
    }
}

#[test]
fn the_known_hosts_table_agrees_with_the_presets() {
    use walkme_webhooks::core::hosts::{lookup, KNOWN};
    let all = presets();
    let by_id = |id: &str| all.iter().find(|p| p["id"] == id).cloned();
    for k in KNOWN {
        if k.preset.is_empty() {
            assert!(!k.from_browser || k.modes.is_empty(), "{}", k.service);
            continue;
        }
        let p = by_id(k.preset).unwrap_or_else(|| panic!("{}: no preset {}", k.service, k.preset));
        assert_eq!(p["browser"]["works"], k.from_browser, "{}", k.service);
        let d = &p["destination"];
        assert!(
            k.modes.iter().any(|m| m.as_str() == d["mode"]),
            "{}",
            k.service
        );
        assert!(
            k.formats.iter().any(|f| f.as_str() == d["format"]),
            "{}",
            k.service
        );
        let url = settings_of(&p)["destinations"][0]["url"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(lookup(&url).map(|h| h.service), Some(k.service), "{url}");
        let secret_in_url = p["fields"].as_array().unwrap().iter().any(|f| {
            f["secret"] == true
                && d["url"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("{{{{field:{}}}}}", f["key"].as_str().unwrap()))
        });
        assert_eq!(
            k.secret_url, secret_in_url,
            "{}: the URL is the secret",
            k.service
        );
    }
    // What a page cannot send to is known, and has no destination to offer.
    for p in &all {
        if p["browser"]["works"] == false {
            for f in p["fields"].as_array().unwrap() {
                let v = value_of(f);
                if v.starts_with("https://") {
                    assert!(lookup(&v).is_some_and(|h| !h.from_browser), "{}", p["id"]);
                }
            }
        }
    }
    assert!(lookup("https://heapanalytics.com/api/track").is_some_and(|h| !h.from_browser));
}

/// The README's table of destinations says what the presets do.
#[test]
fn the_destinations_table_agrees_with_the_presets() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("\n## Destinations\n")
        .expect("README: ## Destinations");
    let rest = &readme[start + 1..];
    let table = &rest[..rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3)];
    let all = presets();
    let mut seen = Vec::new();
    for row in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| service"))
    {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 7, "{row}");
        let (works, mode, preset) = (cells[1], cells[2], cells[5]);
        let ids: Vec<&str> = preset.split('`').skip(1).step_by(2).collect();
        assert!(!ids.is_empty(), "{row}");
        for id in ids {
            let p = all
                .iter()
                .find(|p| p["id"] == id)
                .unwrap_or_else(|| panic!("no preset {id}"));
            seen.push(id.to_string());
            let browser = works.starts_with("yes") || works.starts_with("send-only");
            assert!(browser || works.starts_with("no"), "{row}");
            assert_eq!(p["browser"]["works"], browser, "{id}");
            if browser {
                let m = p["destination"]["mode"].as_str().unwrap();
                assert!(mode.starts_with(&format!("`{m}`")), "{id}: {mode}");
                assert_eq!(works.starts_with("send-only"), m == "no-cors", "{id}");
                let f = match p["destination"]["format"].as_str().unwrap() {
                    "json" => "JSON",
                    other => other,
                };
                assert!(mode.contains(f), "{id}: {mode}");
            }
        }
    }
    let mut ids: Vec<String> = all
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    seen.sort();
    assert_eq!(seen, ids, "every preset in one row");
}
