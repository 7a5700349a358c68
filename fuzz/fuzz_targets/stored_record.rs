//! Stored delivery records, as another tab, an older version of the module
//! or a damaged (or tampered) localStorage may hold them, adopted by an
//! engine whose settings were re-published in between.
//!
//! Input: JSON text (a record, or a list of them; with the dictionary
//! `dict/json.dict`), then optionally a 0xFF byte and bytes for the shared
//! settings generator (tests/common/gen.rs). Without them, two fixed
//! settings are used: the ones the records were written under, and the
//! re-published ones (other URLs, other secrets).
//!
//! The records of the input, and records planted from real ones (written
//! by an engine on the first settings, then pointed at another webhook,
//! given an older version's URL and headers, or a secret), are adopted by an
//! engine on the second settings. Then:
//! - nothing panics; `adoptable` and `Record::read` take anything;
//! - every request goes to the destination the record's webhook sends to in
//!   the settings in force (scheme, host and port of its URL, by the `url`
//!   crate), with an `Authorization` only from those settings' credentials,
//!   and no secret of the old settings anywhere;
//! - every stored record reads back, as the same delivery (key, webhook,
//!   event) as the record it came from, and holds no secret;
//! - the bookkeeping stays exact and balanced.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use walkme_webhooks::core::engine::{Effect, Engine, Limits};
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::queue::{adoptable, Record};
use walkme_webhooks::core::retry::Answer;
use walkme_webhooks::core::settings::Settings;
use walkme_webhooks::core::value::{set_pair, Value};
use walkme_webhooks_fuzz::{self as g, gen, SECRET_MARK};

/// The settings the records were written under (secrets marked `§`).
const OLD: &str = r#"{
  "version": 1,
  "destinations": [
    { "id": "d1", "url": "https://old.example.com/hook/{{user.id}}", "maxAttempts": 2,
      "auth": { "type": "bearer", "token": "§old-token" } },
    { "id": "d2", "url": "http://localhost:8787/r", "method": "GET", "mode": "simple" },
    { "id": "d3", "url": "https://basic.example.com/x",
      "auth": { "type": "basic", "username": "u", "password": "§old-password" } }
  ],
  "webhooks": [
    { "id": "w1", "event": "survey.submitted", "destination": "d1" },
    { "id": "w2", "event": "survey.submitted", "destination": "d2" },
    { "id": "w3", "event": "survey.submitted", "destination": "d3" }
  ]
}"#;

/// Re-published: d1 moved and has a new token, w2 sends to d3, w3 is gone.
const NEW: &str = r#"{
  "version": 1,
  "destinations": [
    { "id": "d1", "url": "https://new.example.com/v2/{{user.id}}", "maxAttempts": 2,
      "auth": { "type": "bearer", "token": "§new-token" } },
    { "id": "d3", "url": "https://basic.example.com/x",
      "auth": { "type": "basic", "username": "u", "password": "§new-password" } }
  ],
  "webhooks": [
    { "id": "w1", "event": "survey.submitted", "destination": "d1" },
    { "id": "w2", "event": "survey.submitted", "destination": "d3" }
  ]
}"#;

const T0: f64 = 1_000_000.0;
const WALL: f64 = 1_700_000_000_000.0;

fuzz_target!(|data: &[u8]| {
    g::reset_budget();
    let (json, rest) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let v: Option<Value> = serde_json::from_slice(json)
        .ok()
        .or_else(|| serde_json::from_str(&String::from_utf8_lossy(json)).ok());
    let mut records: Vec<Value> = match v {
        Some(Value::Array(items)) => items,
        Some(v) => vec![v],
        None => Vec::new(),
    };
    let _ = adoptable(&records, WALL);
    for r in &records {
        let _ = Record::read(r);
    }
    let mut u = Unstructured::new(rest);
    let _ = run(&mut u, &mut records, rest.is_empty());
});

fn settings(u: &mut Unstructured, fixed: &str, generated: bool) -> Settings {
    if !generated {
        return Settings::from_json(fixed, &NativeHost).expect("valid settings");
    }
    let doc = g::settings_doc(u, gen::Style::Lenient);
    match Settings::parse(&doc, &NativeHost) {
        Ok(s) => s,
        Err(p) => panic!("the generator made a document the reader refuses: {p:#?}"),
    }
}

fn run(u: &mut Unstructured, records: &mut Vec<Value>, fixed: bool) -> Result<()> {
    let old = settings(u, OLD, !fixed);
    let new = if !fixed && u.ratio(1, 4)? {
        old.clone()
    } else {
        settings(u, NEW, !fixed)
    };
    let mut secrets: Vec<String> = Vec::new();
    for d in old.destinations.iter().chain(&new.destinations) {
        secrets.extend(g::secrets_of(d));
    }

    // Real records: an engine on the old settings stores every event.
    let mut writer = Engine::new(old.clone(), Box::new(NativeHost), 1, Limits::default());
    writer.set_wall_offset(WALL);
    writer.set_online(false, T0);
    let kinds: Vec<String> = old.webhooks.iter().map(|w| w.event.clone()).collect();
    for i in 0..u.int_in_range(0..=4u8)? {
        let kind = if kinds.is_empty() {
            "survey.submitted".to_string()
        } else {
            g::pick(u, &kinds)?.clone()
        };
        let mut props = gen::event_props(&mut g::Bytes(u));
        props.retain(|(k, _)| k != "event.id");
        props.push(("event.id".into(), Value::String(format!("e{i}"))));
        writer.emit(&kind, props, T0);
    }
    writer.stop(T0);
    let mut written: Vec<Value> = Vec::new();
    for e in writer.take_effects() {
        if let Effect::Store { record, .. } = e {
            written.push(serde_json::from_str(&record).expect("a stored record is JSON"));
        }
    }
    // Planted: real records pointed elsewhere, or carrying what older
    // versions stored (a URL, headers, a body), or a secret.
    let webhooks: Vec<String> = new.webhooks.iter().map(|w| w.id.clone()).collect();
    for r in written {
        let mut r = r;
        if let Value::Object(pairs) = &mut r {
            match u.int_in_range(0..=4u8)? {
                0 if !webhooks.is_empty() => {
                    let w = g::pick(u, &webhooks)?.clone();
                    let id = Value::Object(pairs.clone())
                        .get("event")
                        .and_then(|e| e.get("event.id"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    set_pair(pairs, "webhook", Value::String(w.clone()));
                    set_pair(pairs, "key", Value::String(format!("{id}:{w}")));
                }
                1 => {
                    set_pair(
                        pairs,
                        "url",
                        Value::String(g::pick(u, g::URLS)?.to_string()),
                    );
                    set_pair(pairs, "destination", Value::String("evil".into()));
                    let header = vec![
                        Value::String("Authorization".into()),
                        Value::String(format!("Bearer {SECRET_MARK}planted")),
                    ];
                    set_pair(pairs, "headers", Value::Array(vec![Value::Array(header)]));
                }
                2 => set_pair(pairs, "attempts", Value::Number(g::time_like(u, true)?)),
                _ => {}
            }
        }
        records.push(r);
    }
    if u.ratio(1, 2)? {
        for _ in 0..u.int_in_range(0..=3u8)? {
            records.push(g::record(
                u,
                g::Shape {
                    finite: true,
                    depth: 2,
                },
                &webhooks,
            )?);
        }
    }

    // The new page adopts them under the new settings.
    let mut reader = Engine::new(new.clone(), Box::new(NativeHost), 7, Limits::default());
    reader.set_wall_offset(WALL);
    let taken = reader.adopt(records, T0);
    assert!(taken <= records.len());
    let mut now = T0;
    for round in 0..6 {
        for effect in reader.take_effects() {
            match &effect {
                Effect::Store { key, record } => {
                    assert!(
                        !record.contains(SECRET_MARK)
                            && !secrets.iter().any(|s| s.len() >= 8 && record.contains(s)),
                        "a stored record holds a secret: {record}"
                    );
                    let v: Value = serde_json::from_str(record).expect("stored records are JSON");
                    let Some(back) = Record::read(&v) else {
                        panic!("the engine stored a record it cannot read: {record}");
                    };
                    assert_eq!(&back.key, key);
                    if let Some(from) = records
                        .iter()
                        .filter_map(Record::read)
                        .find(|r| r.key == *key)
                    {
                        assert_eq!(
                            (&back.webhook, &back.event),
                            (&from.webhook, &from.event),
                            "a record rewritten as another delivery: {record}"
                        );
                    }
                }
                Effect::Send(s) => {
                    check_send(&new, s, &secrets);
                    let answer = match round % 3 {
                        0 => Answer::Timeout,
                        1 => Answer::Status {
                            code: 503,
                            retry_after_ms: None,
                        },
                        _ => Answer::Status {
                            code: 200,
                            retry_after_ms: None,
                        },
                    };
                    reader.answer(s.id, answer, now);
                }
                Effect::Probe { destination, .. } => reader.probed(destination, false, now),
                Effect::Report(r) => {
                    let text = format!("{r:?}");
                    assert!(
                        !text.contains(SECRET_MARK),
                        "a report holds a secret: {text}"
                    );
                }
                Effect::Token { .. } | Effect::Unstore { .. } => {}
            }
        }
        if let Err(what) = reader.check_bookkeeping() {
            panic!("the bookkeeping disagrees with the queues: {what}");
        }
        let s = reader.stats();
        assert_eq!(
            s.matched + s.resumed,
            s.delivered + s.opaque + s.failed + s.dropped + s.queued,
            "unbalanced after adopting: {s:#?}"
        );
        now += 86_400_000.0;
        reader.poll(now);
    }
    Ok(())
}

/// A request goes only where the settings in force send the record's
/// webhook, with their credentials.
fn check_send(settings: &Settings, s: &walkme_webhooks::core::engine::Send, secrets: &[String]) {
    let wid = s.key.rsplit_once(':').map_or(s.key.as_str(), |(_, w)| w);
    let Some(w) = settings.webhook(wid) else {
        panic!("a request for webhook {wid:?}, which the settings no longer have: {s:?}");
    };
    let Some(d) = settings.destination(&w.destination) else {
        panic!("a request for a destination the settings do not have: {s:?}");
    };
    g::assert_same_origin(&s.request.url, d);
    let allowed = g::allowed_authorization(d, &[]);
    for (name, value) in &s.request.headers {
        if name.eq_ignore_ascii_case("authorization") {
            assert!(
                allowed.contains(value),
                "Authorization {value:?} to {}, which allows {allowed:?}",
                d.id
            );
        } else {
            assert!(
                !value.contains(SECRET_MARK)
                    && !secrets.iter().any(|x| x.len() >= 8 && value.contains(x)),
                "a secret in the header {name}: {value:?}"
            );
        }
    }
    for text in [Some(&s.request.url), s.request.body.as_ref()]
        .into_iter()
        .flatten()
    {
        assert!(
            !text.contains(SECRET_MARK)
                && !secrets.iter().any(|x| x.len() >= 8 && text.contains(x)),
            "a secret in a request: {text:?}"
        );
    }
}
