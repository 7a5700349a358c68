//! The delivery engine driven with a fake clock: storage before sending,
//! retries, drops, isolation, offline, page hide, adoption, storage
//! failure, bounds, OAuth 2.0 and provider tokens, stats, and secrets.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use serde_json::{json, Value as Json};
use walkme_webhooks::core::engine::{Effect, Engine, Limits, Outcome, Send, TokenSource};
use walkme_webhooks::core::request::MAX_BODY_BYTES;
use walkme_webhooks::core::retry::Answer;
use walkme_webhooks::core::value::Value;

/// One destination `d1` (patched) and one webhook `w1` on `survey.submitted`.
fn one(dest: Json) -> Engine {
    engine(&doc(dest, json!({})))
}

/// Emits a `survey.submitted` event with id `id` (and `extra` properties), polls.
fn emit(e: &mut Engine, id: &str, now: f64) -> Vec<Effect> {
    emit_with(e, id, json!({}), now)
}

fn emit_with(e: &mut Engine, id: &str, extra: Json, now: f64) -> Vec<Effect> {
    let mut p = props(extra);
    p.insert(0, ("event.id".into(), Value::from(id)));
    assert_eq!(e.emit("survey.submitted", p, now), 1);
    e.poll(now);
    e.take_effects()
}

/// Answers a request. A network error on a destination that never gave a
/// readable answer makes the engine probe its host; the probe here says the
/// host cannot be reached (a real network error), unless a test answers the
/// probe itself (see `answer_probing`).
fn answer(e: &mut Engine, s: &Send, a: Answer, now: f64) -> Vec<Effect> {
    let mut fx = answer_probing(e, s, a, now);
    let probes: Vec<String> = fx
        .iter()
        .filter_map(|x| match x {
            Effect::Probe { destination, .. } => Some(destination.clone()),
            _ => None,
        })
        .collect();
    fx.retain(|x| !matches!(x, Effect::Probe { .. }));
    for d in probes {
        e.probed(&d, false, now);
        fx.extend(e.take_effects());
    }
    fx
}

fn answer_probing(e: &mut Engine, s: &Send, a: Answer, now: f64) -> Vec<Effect> {
    e.answer(s.id, a, now);
    let fx = e.take_effects();
    assert_eq!(e.check_bookkeeping(), Ok(()));
    fx
}

fn only_send(effects: &[Effect]) -> Send {
    let s = sends(effects);
    assert_eq!(s.len(), 1, "one send expected in {effects:#?}");
    s[0].clone()
}

fn only_report(effects: &[Effect]) -> walkme_webhooks::core::engine::Report {
    let r = reports(effects);
    assert_eq!(r.len(), 1, "one report expected in {effects:#?}");
    r[0].clone()
}

/// Matched deliveries are all accounted for.
fn assert_balanced(e: &Engine) {
    let s = e.stats();
    assert_eq!(
        s.matched,
        s.delivered + s.opaque + s.failed + s.dropped + s.queued,
        "{s:#?}"
    );
}

// ------------------------------------------------------- basic delivery

#[test]
fn emit_counts_matches_and_poll_stores_before_it_sends() {
    let mut e = one(json!({}));
    assert_eq!(
        e.emit("survey.submitted", props(json!({ "event.id": "ev-1" })), T0),
        1
    );
    assert!(!e.has_effects(), "nothing happens before poll");
    assert_eq!(e.stats().queued, 1);
    e.poll(T0);
    let fx = e.take_effects();
    assert_eq!(fx.len(), 2, "{fx:#?}");
    assert!(matches!(&fx[0], Effect::Store { key, .. } if key == "ev-1:w1"));
    let Effect::Send(s) = &fx[1] else {
        panic!("then a send: {fx:#?}")
    };
    assert_eq!(s.request.url, "https://example.com/hook");
    assert_eq!(s.timeout_ms, 10_000);
    let body: Json = serde_json::from_str(s.request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["event.id"], "ev-1");
    assert_eq!(body["event.type"], "survey.submitted");
    assert_eq!(body["event.name"], "Survey Submitted");
    assert_eq!(body["event.timestamp"], json!(1_700_000_000_000u64));
    let st = e.stats();
    assert_eq!((st.matched, st.sent, st.in_flight, st.stored), (1, 1, 1, 1));
}

#[test]
fn a_2xx_answer_delivers_and_removes_the_record() {
    let mut e = one(json!({}));
    let s = only_send(&emit(&mut e, "ev-1", T0));
    let fx = answer(&mut e, &s, status(204), T0 + 42.0);
    assert_eq!(unstored_keys(&fx), ["ev-1:w1"]);
    let r = only_report(&fx);
    assert_eq!(r.outcome, Outcome::Delivered);
    assert_eq!(
        (r.attempt, r.status, r.error.as_deref()),
        (1, Some(204), None)
    );
    assert_eq!(
        (r.webhook.as_str(), r.event.as_str(), r.destination.as_str()),
        ("w1", "ev-1", "d1")
    );
    assert_eq!(r.key, "ev-1:w1");
    assert_eq!(r.ms, 42.0);
    let st = e.stats();
    assert_eq!(
        (st.delivered, st.queued, st.in_flight, st.stored),
        (1, 0, 0, 0)
    );
    assert!(e.idle());
    assert_balanced(&e);
}

#[test]
fn each_event_and_webhook_pair_has_its_own_key() {
    let d = json!({
        "version": 1,
        "destinations": [{ "id": "d1", "url": "https://example.com/hook", "idempotencyHeader": true }],
        "webhooks": [
            { "id": "w1", "event": "survey.submitted", "destination": "d1" },
            { "id": "w2", "event": "survey.submitted", "destination": "d1" }
        ]
    });
    let mut e = engine(&d);
    // Without an event.id from the caller, the module makes a UUID v4.
    assert_eq!(e.emit("survey.submitted", vec![], T0), 2);
    e.poll(T0);
    let fx = e.take_effects();
    let keys = stored_keys(&fx);
    assert_eq!(keys.len(), 2);
    let (id1, w1) = keys[0].split_once(':').unwrap();
    let (id2, w2) = keys[1].split_once(':').unwrap();
    assert_eq!((id1, w1, w2), (id2, "w1", "w2"));
    assert_eq!(id1.len(), 36);
    assert_eq!(id1.as_bytes()[14], b'4', "UUID version 4: {id1}");
    assert!(
        matches!(id1.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
        "variant: {id1}"
    );
    let s = sends(&fx);
    assert_eq!(header(&s[0], "Idempotency-Key"), Some(keys[0].as_str()));
    assert_eq!(header(&s[1], "Idempotency-Key"), Some(keys[1].as_str()));
    // A second event gets another id.
    e.emit("survey.submitted", vec![], T0);
    e.poll(T0);
    let keys2 = stored_keys(&e.take_effects());
    assert!(!keys2.contains(&keys[0]));
}

#[test]
fn the_key_is_the_same_on_every_attempt() {
    let mut e = one(json!({ "idempotencyHeader": true }));
    let mut s = only_send(&emit(&mut e, "ev-9", T0));
    let mut now = T0;
    for attempt in 1..=3 {
        assert_eq!(
            header(&s, "Idempotency-Key"),
            Some("ev-9:w1"),
            "attempt {attempt}"
        );
        let fx = answer(&mut e, &s, status(503), now);
        assert_eq!(
            stored_keys(&fx),
            ["ev-9:w1"],
            "the record is rewritten under its key"
        );
        now = e.next_wakeup().expect("a retry is due later");
        e.poll(now);
        s = only_send(&e.take_effects());
    }
}

// ---------------------------------------------------------------- retries

#[test]
fn retryable_answers_back_off_exponentially() {
    for a in [
        status(503),
        status(500),
        status(429),
        status(408),
        Answer::Timeout,
        Answer::Network("connection reset".into()),
    ] {
        let mut e = one(json!({}));
        let mut s = only_send(&emit(&mut e, "ev-1", T0));
        let mut now = T0;
        for attempt in 1..=5u32 {
            let fx = answer(&mut e, &s, a.clone(), now);
            let r = only_report(&fx);
            assert_eq!((r.outcome, r.attempt), (Outcome::Retry, attempt), "{a:?}");
            assert!(sends(&fx).is_empty(), "not again at once");
            assert_eq!(e.stats().retrying, 1);
            let due = e.next_wakeup().unwrap();
            let full = 1000.0 * 2f64.powi(attempt as i32 - 1);
            assert!(
                due - now >= full / 2.0 && due - now <= full,
                "{a:?} attempt {attempt}: waited {}",
                due - now
            );
            e.poll(due - 1.0);
            assert!(sends(&e.take_effects()).is_empty(), "not before it is due");
            e.poll(due);
            s = only_send(&e.take_effects());
            now = due;
        }
        assert_eq!(e.stats().sent, 6);
    }
}

#[test]
fn retry_reports_say_why() {
    let mut e = one(json!({}));
    let s = only_send(&emit(&mut e, "a", T0));
    let r = only_report(&answer(&mut e, &s, status(503), T0));
    assert_eq!(
        (r.status, r.error.as_deref()),
        (Some(503), Some("HTTP 503"))
    );
    let due = e.next_wakeup().unwrap();
    e.poll(due);
    let s = only_send(&e.take_effects());
    let r = only_report(&answer(&mut e, &s, Answer::Timeout, due));
    assert_eq!((r.status, r.error.as_deref()), (None, Some("timed out")));
    let due = e.next_wakeup().unwrap();
    e.poll(due);
    let s = only_send(&e.take_effects());
    let r = only_report(&answer(&mut e, &s, Answer::Network("DNS".into()), due));
    assert_eq!(r.error.as_deref(), Some("network error (DNS)"));
}

#[test]
fn retry_after_is_honoured() {
    let mut e = one(json!({}));
    let s = only_send(&emit(&mut e, "ev-1", T0));
    let a = Answer::Status {
        code: 429,
        retry_after_ms: Some(120_000.0),
    };
    answer(&mut e, &s, a, T0 + 10.0);
    assert_eq!(e.next_wakeup(), Some(T0 + 10.0 + 120_000.0));
    // A Retry-After date works the same once parsed.
    let now = 784_111_777_000.0 - 5_000.0;
    assert_eq!(
        walkme_webhooks::core::retry::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
        Some(5_000.0)
    );
    // Shorter than the backoff is honoured too.
    let mut e = one(json!({}));
    let s = only_send(&emit(&mut e, "ev-2", T0));
    let a = Answer::Status {
        code: 503,
        retry_after_ms: Some(0.0),
    };
    let fx = answer(&mut e, &s, a, T0);
    assert_eq!(sends(&fx).len(), 1, "Retry-After: 0 goes again at once");
}

#[test]
fn max_attempts_ends_in_failed() {
    let mut e = one(json!({ "maxAttempts": 3 }));
    let mut s = only_send(&emit(&mut e, "ev-1", T0));
    let mut now = T0;
    for _ in 1..3 {
        answer(&mut e, &s, status(502), now);
        now = e.next_wakeup().unwrap();
        e.poll(now);
        s = only_send(&e.take_effects());
    }
    let fx = answer(&mut e, &s, status(502), now);
    assert_eq!(unstored_keys(&fx), ["ev-1:w1"]);
    let r = only_report(&fx);
    assert_eq!(r.outcome, Outcome::Failed);
    assert_eq!(r.attempt, 3);
    assert_eq!(
        r.error.as_deref(),
        Some("gave up after 3 attempts: HTTP 502")
    );
    assert_eq!(e.next_wakeup(), None);
    let st = e.stats();
    assert_eq!((st.failed, st.sent, st.queued, st.retrying), (1, 3, 0, 0));
    assert_balanced(&e);
}

#[test]
fn other_4xx_answers_are_dropped_and_reported() {
    for code in [400u16, 401, 403, 404, 413, 422] {
        let mut e = one(json!({}));
        let s = only_send(&emit(&mut e, "ev-1", T0));
        let fx = answer(&mut e, &s, status(code), T0);
        assert_eq!(unstored_keys(&fx), ["ev-1:w1"]);
        let r = only_report(&fx);
        assert_eq!(r.outcome, Outcome::Dropped, "{code}");
        assert_eq!(
            r.error,
            Some(format!(
                "HTTP {code}: the destination refused the request; it will not be retried"
            ))
        );
        assert_eq!(e.next_wakeup(), None);
        assert_eq!(e.stats().dropped, 1);
    }
}

#[test]
fn a_410_disables_the_destination_and_drops_its_queue() {
    let d = json!({
        "version": 1,
        "destinations": [
            { "id": "gone", "url": "https://gone.example.com/in" },
            { "id": "ok", "url": "https://ok.example.com/in" }
        ],
        "webhooks": [
            { "id": "wg", "event": "survey.submitted", "destination": "gone" },
            { "id": "wo", "event": "survey.submitted", "destination": "ok" }
        ]
    });
    let mut e = engine_with(
        &d,
        Limits {
            in_flight_per_destination: 1,
            ..Limits::default()
        },
    );
    let mut first = None;
    for i in 0..4 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("e{i}") })),
            T0,
        );
        e.poll(T0);
        let fx = e.take_effects();
        if i == 0 {
            first = Some(sends(&fx));
        }
    }
    let first = first.unwrap();
    let to_gone = first
        .iter()
        .find(|s| s.request.url.contains("gone"))
        .unwrap();
    let to_ok = first
        .iter()
        .find(|s| s.request.url.contains("ok."))
        .unwrap();
    let fx = answer(&mut e, to_gone, status(410), T0 + 5.0);
    let r = reports(&fx);
    assert_eq!(r.len(), 4, "the answered one and the three waiting: {r:#?}");
    let gone = "HTTP 410: the destination is gone; it is disabled until the page is loaded again";
    for rep in &r {
        assert_eq!(
            (rep.outcome, rep.error.as_deref()),
            (Outcome::Dropped, Some(gone))
        );
        assert_eq!(rep.destination, "gone");
    }
    assert_eq!(r[0].status, Some(410));
    let mut un = unstored_keys(&fx);
    un.sort();
    assert_eq!(un, ["e0:wg", "e1:wg", "e2:wg", "e3:wg"]);
    // New events for it are dropped at once; the other destination goes on.
    e.emit(
        "survey.submitted",
        props(json!({ "event.id": "e9" })),
        T0 + 6.0,
    );
    e.poll(T0 + 6.0);
    let fx = e.take_effects();
    let r = reports(&fx);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].key.as_str(), r[0].error.as_deref()),
        ("e9:wg", Some(gone))
    );
    assert!(sends(&fx).iter().all(|s| !s.request.url.contains("gone")));
    let fx = answer(&mut e, to_ok, status(200), T0 + 7.0);
    assert_eq!(sends(&fx).len(), 1, "the next one for ok goes out");
    assert_eq!(e.stats().dropped, 5);
}

// -------------------------------------------------------------- isolation

#[test]
fn a_hanging_destination_never_delays_another() {
    let d = json!({
        "version": 1,
        "destinations": [
            { "id": "slow", "url": "https://slow.example.com/in" },
            { "id": "fast", "url": "https://fast.example.com/in" }
        ],
        "webhooks": [
            { "id": "ws", "event": "survey.submitted", "destination": "slow" },
            { "id": "wf", "event": "menu.opened", "destination": "fast" }
        ]
    });
    let mut e = engine_with(
        &d,
        Limits {
            in_flight_per_destination: 2,
            ..Limits::default()
        },
    );
    for i in 0..10 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("s{i}") })),
            T0,
        );
    }
    e.poll(T0);
    let slow = sends(&e.take_effects());
    assert_eq!(slow.len(), 2, "the slow one's in-flight limit");
    assert_eq!(e.stats().queued, 10);
    // The slow destination never answers; the fast one is not held up.
    for i in 0..5 {
        let now = T0 + 1_000.0 * i as f64;
        e.emit(
            "menu.opened",
            props(json!({ "event.id": format!("f{i}") })),
            now,
        );
        e.poll(now);
        let s = only_send(&e.take_effects());
        assert!(
            s.request.url.starts_with("https://fast."),
            "{}",
            s.request.url
        );
        let fx = answer(&mut e, &s, status(200), now + 1.0);
        assert_eq!(only_report(&fx).outcome, Outcome::Delivered);
    }
    // A destination that times out gets one request at a time until it
    // answers again, so it holds one of its host's connections, not all.
    let fx = answer(&mut e, &slow[0], Answer::Timeout, T0 + 10_000.0);
    assert!(
        sends(&fx).is_empty(),
        "its other request is still in flight"
    );
    assert_eq!(e.stats().in_flight, 1);
    let fx = answer(&mut e, &slow[1], Answer::Timeout, T0 + 10_001.0);
    let next = only_send(&fx);
    assert!(next.request.url.starts_with("https://slow."));
    assert_eq!(e.stats().in_flight, 1);
    // An answer ends it: the in-flight limit is back.
    let fx = answer(&mut e, &next, status(200), T0 + 10_002.0);
    assert_eq!(sends(&fx).len(), 2);
    assert_balanced(&e);
}

// ---------------------------------------------------------------- offline

#[test]
fn offline_nothing_is_attempted_and_no_attempt_is_burned() {
    let mut e = one(json!({ "maxAttempts": 1 }));
    e.set_online(false, T0);
    let fx = emit(&mut e, "ev-1", T0);
    assert_eq!(stored_keys(&fx), ["ev-1:w1"], "stored while offline");
    assert!(sends(&fx).is_empty());
    assert!(e.idle(), "nothing can be done while offline");
    e.poll(T0 + 60_000.0);
    assert!(sends(&e.take_effects()).is_empty());
    e.set_online(true, T0 + 61_000.0);
    let s = only_send(&e.take_effects());
    // Going offline while a request is out: the network error does not count.
    e.set_online(false, T0 + 61_001.0);
    let fx = answer(&mut e, &s, Answer::Network("offline".into()), T0 + 61_002.0);
    assert!(reports(&fx).is_empty() && sends(&fx).is_empty(), "{fx:#?}");
    e.set_online(true, T0 + 70_000.0);
    let s = only_send(&e.take_effects());
    let r = only_report(&answer(&mut e, &s, status(200), T0 + 70_001.0));
    assert_eq!(
        (r.outcome, r.attempt),
        (Outcome::Delivered, 1),
        "maxAttempts 1 and still delivered"
    );
    assert_eq!(e.stats().sent, 2);
}

// -------------------------------------------------------------- page hide

#[test]
fn page_hidden_sends_what_is_due_with_keepalive_within_the_budget() {
    let mut e = engine_with(
        &doc(json!({}), json!({})),
        Limits {
            in_flight_per_destination: 1,
            ..Limits::default()
        },
    );
    let text = "x".repeat(7_000);
    let mut all = Vec::new();
    for i in 0..12 {
        all.extend(emit_with(
            &mut e,
            &format!("e{i:02}"),
            json!({ "text": text }),
            T0,
        ));
    }
    assert_eq!(
        sends(&all).len(),
        1,
        "the in-flight limit holds before the page hides"
    );
    assert_eq!(stored_keys(&all).len(), 12);
    let first = sends(&all)[0].clone();
    assert!(
        !first.keepalive,
        "while the page is visible, requests go without keepalive (the browser caps those)"
    );
    e.page_hidden(T0 + 1.0);
    let fx = e.take_effects();
    let hidden = sends(&fx);
    assert!(!hidden.is_empty());
    assert!(
        hidden.iter().all(|s| s.keepalive),
        "every send on hide is keepalive"
    );
    let bytes: usize = hidden.iter().map(|s| s.request.size()).sum::<usize>();
    assert!(bytes <= 60 * 1024, "{bytes} bytes in flight with keepalive");
    let size = first.request.size();
    assert!(
        bytes + size > 60 * 1024,
        "the budget is used as far as it goes"
    );
    assert_eq!(hidden.len(), 60 * 1024 / size);
    // The rest stays stored for the next start: no drop, no unstore.
    assert!(unstored_keys(&fx).is_empty() && reports(&fx).is_empty());
    let st = e.stats();
    assert_eq!(st.stored, 12);
    assert_eq!(st.queued, 12);
    assert_eq!(st.in_flight as usize, 1 + hidden.len());
}

#[test]
fn page_hidden_builds_new_matches_first() {
    let mut e = one(json!({}));
    e.emit("survey.submitted", props(json!({ "event.id": "late" })), T0);
    // No poll: the page hides in the same task.
    e.page_hidden(T0);
    let fx = e.take_effects();
    assert_eq!(stored_keys(&fx), ["late:w1"]);
    let s = only_send(&fx);
    assert!(s.keepalive);
}

// --------------------------------------------------------------- adoption

/// The records a page left in storage (the last write of each key).
fn records_of(effects: &[Effect]) -> Vec<Value> {
    let mut last: Vec<(String, String)> = Vec::new();
    for fx in effects {
        match fx {
            Effect::Store { key, record } => {
                last.retain(|(k, _)| k != key);
                last.push((key.clone(), record.clone()));
            }
            Effect::Unstore { key } => last.retain(|(k, _)| k != key),
            _ => {}
        }
    }
    last.iter()
        .map(|(_, r)| serde_json::from_str(r).expect("records are JSON"))
        .collect()
}

#[test]
fn adopt_resumes_stored_deliveries_once() {
    let d = doc(json!({ "idempotencyHeader": true }), json!({}));
    let mut old = engine(&d);
    old.set_online(false, T0);
    let mut fx = Vec::new();
    fx.extend(emit(&mut old, "a", T0));
    fx.extend(emit(&mut old, "b", T0));
    let records = records_of(&fx);
    assert_eq!(records.len(), 2);
    // The page reloads.
    let mut new = engine(&d);
    let now = T0 + 5_000.0;
    assert_eq!(new.adopt(&records, now), 2);
    let fx = new.take_effects();
    assert_eq!(
        stored_keys(&fx),
        ["a:w1", "b:w1"],
        "stored again under the new page"
    );
    let s = sends(&fx);
    assert_eq!(s.len(), 2);
    assert_eq!(header(&s[0], "Idempotency-Key"), Some("a:w1"));
    let event = walkme_webhooks::core::json::to_json(
        records[0].get("event").unwrap(),
        &walkme_webhooks::core::host::NativeHost,
    );
    assert_eq!(
        s[0].request.body.as_deref(),
        Some(event.as_str()),
        "the request is built again from the stored event"
    );
    assert_eq!(new.stats().resumed, 2);
    // The same records again (another look at storage): nothing new.
    assert_eq!(new.adopt(&records, now), 0);
    assert!(sends(&new.take_effects()).is_empty());
    // Duplicates within one batch are taken once.
    let mut fresh = engine(&d);
    let twice = [records[0].clone(), records[0].clone()];
    assert_eq!(fresh.adopt(&twice, now), 1);
    assert_eq!(sends(&fresh.take_effects()).len(), 1);
    // Malformed records are skipped.
    let mut bad = engine(&d);
    let junk = [
        val(json!({ "v": 1 })),
        val(json!("x")),
        val(json!({ "v": 2, "key": "k" })),
    ];
    assert_eq!(bad.adopt(&junk, now), 0);
}

#[test]
fn adopted_records_keep_their_attempts_and_schedule() {
    let d = doc(json!({ "maxAttempts": 2 }), json!({}));
    let mut old = engine(&d);
    let mut fx = emit(&mut old, "a", T0);
    let s = only_send(&fx);
    fx.extend(answer(&mut old, &s, status(503), T0));
    let due = old.next_wakeup().unwrap();
    let records = records_of(&fx);
    assert_eq!(
        records[0].get("attempts").and_then(Value::as_f64),
        Some(1.0)
    );
    let mut new = engine(&d);
    assert_eq!(new.adopt(&records, T0 + 1.0), 1);
    assert!(sends(&new.take_effects()).is_empty(), "not due yet");
    assert_eq!(new.next_wakeup(), Some(due.floor()));
    new.poll(due);
    let s = only_send(&new.take_effects());
    let r = only_report(&answer(&mut new, &s, status(503), due));
    assert_eq!(
        (r.outcome, r.attempt),
        (Outcome::Failed, 2),
        "attempts count across reloads"
    );
}

#[test]
fn adopt_drops_records_whose_destination_is_gone() {
    let mut old = engine(&doc(json!({}), json!({})));
    old.set_online(false, T0);
    let records = records_of(&emit(&mut old, "a", T0));
    let other = json!({
        "version": 1,
        "destinations": [{ "id": "d2", "url": "https://other.example.com" }],
        "webhooks": [{ "id": "w2", "event": "menu.opened", "destination": "d2" }]
    });
    let mut new = engine(&other);
    assert_eq!(new.adopt(&records, T0 + 1.0), 1);
    let fx = new.take_effects();
    assert!(sends(&fx).is_empty() && stored_keys(&fx).is_empty());
    let r = only_report(&fx);
    assert_eq!(r.outcome, Outcome::Dropped);
    assert_eq!(
        r.error.as_deref(),
        Some("the webhook is no longer in the published settings")
    );
    let st = new.stats();
    assert_eq!((st.dropped, st.resumed, st.queued), (1, 1, 0));
}

#[test]
fn adopted_records_go_where_their_webhook_sends_now_with_its_secrets() {
    // The old page sent w1 to d1; the settings now send w1 to d2, with a
    // new token. A record only names its webhook: the request is built from
    // the settings in force, never from what storage says.
    let mut old = engine(&doc(
        json!({ "auth": { "type": "bearer", "token": "OLD" } }),
        json!({}),
    ));
    old.set_online(false, T0);
    let records = records_of(&emit(&mut old, "a", T0));
    let now = json!({
        "version": 1,
        "destinations": [{ "id": "d2", "url": "https://new.example.com/in", "auth": { "type": "bearer", "token": "NEW" } }],
        "webhooks": [{ "id": "w1", "event": "survey.submitted", "destination": "d2" }]
    });
    let mut new = engine(&now);
    assert_eq!(new.adopt(&records, T0 + 5_000.0), 1);
    let s = only_send(&new.take_effects());
    assert_eq!(s.request.url, "https://new.example.com/in");
    assert_eq!(header(&s, "Authorization"), Some("Bearer NEW"));
    // A planted record naming a URL and headers of its own is read for its
    // event only.
    let mut planted = records[0].clone();
    planted.insert("url", Value::from("https://evil.example.com/steal"));
    planted.insert("headers", val(json!([["X-Leak", "1"]])));
    let mut fresh = engine(&now);
    fresh.adopt(&[planted], T0 + 5_000.0);
    let s = only_send(&fresh.take_effects());
    assert_eq!(s.request.url, "https://new.example.com/in");
    assert!(header(&s, "X-Leak").is_none());
    // A record whose key does not match its event and webhook is skipped.
    let mut forged = records[0].clone();
    forged.insert("key", Value::from("other:w1"));
    assert_eq!(engine(&now).adopt(&[forged], T0 + 5_000.0), 0);
}

// ------------------------------------------------------ storage failures

#[test]
fn a_storage_failure_degrades_to_memory() {
    let mut e = one(json!({}));
    e.set_online(false, T0);
    let fx = emit(&mut e, "a", T0);
    assert_eq!(stored_keys(&fx), ["a:w1"]);
    e.store_failed("a:w1");
    let st = e.stats();
    assert!(st.storage_degraded);
    assert_eq!(st.stored, 0);
    let fx = emit(&mut e, "b", T0);
    assert!(stored_keys(&fx).is_empty(), "memory only from now on");
    e.set_online(true, T0 + 1.0);
    let fx = e.take_effects();
    let s = sends(&fx);
    assert_eq!(s.len(), 2, "nothing is lost while the page lives");
    let mut fx = Vec::new();
    for x in &s {
        fx.extend(answer(&mut e, x, status(200), T0 + 2.0));
    }
    assert!(unstored_keys(&fx).is_empty(), "nothing to remove");
    assert_eq!(e.stats().delivered, 2);
    assert_eq!(
        e.stats().to_value().get("storageDegraded"),
        Some(&Value::Bool(true))
    );
    assert_balanced(&e);
}

#[test]
fn every_held_delivery_is_stored_even_while_it_waits() {
    let mut e = engine_with(
        &doc(json!({}), json!({})),
        Limits {
            queue_count: 3,
            ..Limits::default()
        },
    );
    e.set_online(false, T0);
    let mut fx = Vec::new();
    for id in ["a", "b", "c"] {
        fx.extend(emit(&mut e, id, T0));
    }
    assert_eq!(stored_keys(&fx), ["a:w1", "b:w1", "c:w1"]);
    assert_eq!(e.stats().stored, 3);
    e.set_online(true, T0 + 1.0);
    let s = sends(&e.take_effects());
    assert_eq!(s.len(), 3);
    let fx = answer(&mut e, &s[0], status(200), T0 + 2.0);
    assert_eq!(unstored_keys(&fx), ["a:w1"]);
    assert_eq!(e.stats().stored, 2);
}

// ------------------------------------------------------------ queue bound

#[test]
fn the_queue_bound_drops_the_oldest_with_a_report() {
    let mut e = engine_with(
        &doc(json!({}), json!({})),
        Limits {
            queue_count: 3,
            ..Limits::default()
        },
    );
    e.set_online(false, T0);
    let mut fx = Vec::new();
    for i in 0..5 {
        fx.extend(emit(&mut e, &format!("e{i}"), T0 + i as f64));
    }
    let r = reports(&fx);
    assert_eq!(r.len(), 2);
    for (rep, key) in r.iter().zip(["e0:w1", "e1:w1"]) {
        assert_eq!(rep.key, key);
        assert_eq!(rep.outcome, Outcome::Dropped);
        assert_eq!(rep.attempt, 0);
        assert_eq!(
            rep.error.as_deref(),
            Some("the queue is full; the oldest waiting delivery of the destination with the longest queue was dropped")
        );
    }
    assert_eq!(unstored_keys(&fx), ["e0:w1", "e1:w1"]);
    let st = e.stats();
    assert_eq!((st.dropped, st.queued, st.stored), (2, 3, 3));
    e.set_online(true, T0 + 10.0);
    let s = sends(&e.take_effects());
    let keys: Vec<_> = s.iter().map(|s| s.request.body.clone().unwrap()).collect();
    assert!(
        keys[0].contains("\"e2\"") && keys[2].contains("\"e4\""),
        "oldest first"
    );
    assert_balanced(&e);
}

#[test]
fn a_full_queue_drops_from_the_dead_destination_not_the_healthy_one() {
    let d = json!({
        "version": 1,
        "destinations": [
            { "id": "dead", "url": "https://dead.example.com/in" },
            { "id": "ok", "url": "https://ok.example.com/in" }
        ],
        "webhooks": [
            { "id": "wd", "event": "survey.submitted", "destination": "dead" },
            { "id": "wo", "event": "menu.opened", "destination": "ok" }
        ]
    });
    let mut e = engine_with(
        &d,
        Limits {
            in_flight_per_destination: 1,
            queue_count: 6,
            ..Limits::default()
        },
    );
    // The dead destination never answers: its backlog grows.
    for i in 0..5 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("d{i}") })),
            T0,
        );
    }
    e.poll(T0);
    e.take_effects();
    // A healthy destination's new delivery makes the queue overflow.
    e.emit("menu.opened", props(json!({ "event.id": "o1" })), T0);
    e.emit("menu.opened", props(json!({ "event.id": "o2" })), T0);
    e.poll(T0);
    let fx = e.take_effects();
    let dropped: Vec<String> = reports(&fx)
        .iter()
        .filter(|r| r.outcome == Outcome::Dropped)
        .map(|r| r.key.clone())
        .collect();
    assert_eq!(
        dropped,
        ["d1:wd"],
        "the oldest waiting delivery of the dead destination"
    );
    assert!(sends(&fx).iter().any(|s| s.key == "o1:wo"));
    assert_eq!(e.stats().queued, 6);
    assert_balanced(&e);
}

#[test]
fn requests_over_the_size_cap_are_dropped_with_a_report() {
    let mut e = one(json!({}));
    let big = "y".repeat(8_000);
    let fx = emit_with(
        &mut e,
        "big",
        json!({ "a": big, "b": big, "c": big, "d": big, "e": big }),
        T0,
    );
    assert!(sends(&fx).is_empty() && stored_keys(&fx).is_empty());
    let r = only_report(&fx);
    assert_eq!(r.outcome, Outcome::Dropped);
    assert!(r.error.unwrap().contains("over the 32 KiB limit"));
    assert_balanced(&e);
}

// ----------------------------------------------------------------- OAuth 2

fn oauth() -> Json {
    json!({ "auth": {
        "type": "oauth2",
        "tokenUrl": "https://auth.example.com/oauth/token",
        "clientId": "client-1",
        "clientSecret": "s3cr3t-client",
        "scope": "events:write"
    } })
}

fn token_fetches(effects: &[Effect]) -> Vec<(String, String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Token {
                destination,
                source: TokenSource::OAuth { url, body },
                ..
            } => Some((destination.clone(), url.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn oauth2_fetches_one_token_for_many_events_and_reuses_it() {
    let mut e = one(oauth());
    let mut fx = Vec::new();
    for i in 0..3 {
        fx.extend(emit(&mut e, &format!("e{i}"), T0));
    }
    assert!(sends(&fx).is_empty(), "no request before the token");
    assert_eq!(
        token_fetches(&fx),
        [(
            "d1".to_string(),
            "https://auth.example.com/oauth/token".to_string(),
            "grant_type=client_credentials&client_id=client-1&client_secret=s3cr3t-client&scope=events%3Awrite".to_string()
        )]
    );
    assert!(!e.idle(), "waiting for the token");
    e.token("d1", Ok(("AT-1".into(), 3600.0)), T0 + 100.0);
    let s = sends(&e.take_effects());
    assert_eq!(s.len(), 3);
    for x in &s {
        assert_eq!(header(x, "Authorization"), Some("Bearer AT-1"));
        e.answer(x.id, status(200), T0 + 200.0);
    }
    e.take_effects();
    // Later events reuse the cached token ...
    let fx = emit(&mut e, "e3", T0 + 60_000.0);
    assert!(token_fetches(&fx).is_empty());
    assert_eq!(
        header(&only_send(&fx), "Authorization"),
        Some("Bearer AT-1")
    );
    // ... until shortly before it expires.
    let late = T0 + 100.0 + 3_600_000.0 - 29_000.0;
    let fx = emit(&mut e, "e4", late);
    assert_eq!(token_fetches(&fx).len(), 1, "renewed before it expires");
    assert!(sends(&fx).is_empty());
}

#[test]
fn a_401_fetches_the_token_again_once() {
    let mut e = one(oauth());
    emit(&mut e, "e0", T0);
    e.token("d1", Ok(("AT-1".into(), 3600.0)), T0);
    let s = only_send(&e.take_effects());
    let fx = answer(&mut e, &s, status(401), T0 + 10.0);
    let r = only_report(&fx);
    assert_eq!(r.outcome, Outcome::Retry);
    assert_eq!(
        r.error.as_deref(),
        Some("HTTP 401: renewing the token and trying again")
    );
    assert_eq!(token_fetches(&fx).len(), 1, "the token is fetched again");
    assert!(sends(&fx).is_empty());
    e.token("d1", Ok(("AT-2".into(), 3600.0)), T0 + 20.0);
    let s = only_send(&e.take_effects());
    assert_eq!(header(&s, "Authorization"), Some("Bearer AT-2"));
    // Only once: a second 401 is final.
    let fx = answer(&mut e, &s, status(401), T0 + 30.0);
    let r = only_report(&fx);
    assert_eq!(r.outcome, Outcome::Dropped);
    assert_eq!(r.attempt, 2);
    assert!(token_fetches(&fx).is_empty());
}

#[test]
fn many_401s_from_one_token_renew_it_once() {
    let mut e = one(oauth());
    for i in 0..3 {
        emit(&mut e, &format!("e{i}"), T0);
    }
    e.token("d1", Ok(("AT-1".into(), 3600.0)), T0);
    let s = sends(&e.take_effects());
    assert_eq!(s.len(), 3);
    let fx = answer(&mut e, &s[0], status(401), T0 + 1.0);
    assert_eq!(token_fetches(&fx).len(), 1);
    let fx = answer(&mut e, &s[1], status(401), T0 + 2.0);
    assert!(token_fetches(&fx).is_empty(), "already being fetched");
    e.token("d1", Ok(("AT-2".into(), 3600.0)), T0 + 3.0);
    let resent = sends(&e.take_effects());
    assert_eq!(resent.len(), 2);
    // The third answer is about the old token: the new one is kept.
    let fx = answer(&mut e, &s[2], status(401), T0 + 4.0);
    assert!(token_fetches(&fx).is_empty());
    assert_eq!(
        header(&only_send(&fx), "Authorization"),
        Some("Bearer AT-2")
    );
}

#[test]
fn token_errors_count_as_attempts() {
    let mut e = one({
        let mut a = oauth();
        a["maxAttempts"] = json!(2);
        a
    });
    emit(&mut e, "e0", T0);
    emit(&mut e, "e1", T0);
    e.token("d1", Err("HTTP 500".into()), T0 + 1.0);
    let fx = e.take_effects();
    let r = reports(&fx);
    assert_eq!(r.len(), 2);
    for rep in &r {
        assert_eq!((rep.outcome, rep.attempt), (Outcome::Retry, 1));
        assert_eq!(
            rep.error.as_deref(),
            Some("network error (could not get a token: HTTP 500)")
        );
    }
    assert_eq!(e.stats().sent, 0, "no request left");
    let due = e.next_wakeup().unwrap();
    e.poll(due + 1_000.0);
    assert_eq!(
        token_fetches(&e.take_effects()).len(),
        1,
        "tried again when due"
    );
    e.token("d1", Err("HTTP 500".into()), due + 1_001.0);
    let r = reports(&e.take_effects());
    assert!(
        r.iter()
            .all(|r| r.outcome == Outcome::Failed && r.attempt == 2),
        "{r:#?}"
    );
    assert_eq!(e.stats().failed, 2);
    assert_balanced(&e);
}

// -------------------------------------------------------- provider tokens

#[test]
fn a_token_provider_supplies_the_token() {
    let mut e = one(json!({ "auth": { "type": "bearer" } }));
    e.set_provider("d1", true, T0);
    let fx = emit(&mut e, "e0", T0);
    assert!(sends(&fx).is_empty());
    let asks: Vec<_> = fx
        .iter()
        .filter(|x| matches!(x, Effect::Token { destination, source: TokenSource::Provider, .. } if destination == "d1"))
        .collect();
    assert_eq!(asks.len(), 1);
    e.token("d1", Ok(("PT".into(), 300.0)), T0 + 1.0);
    let s = only_send(&e.take_effects());
    assert_eq!(header(&s, "Authorization"), Some("Bearer PT"));
    // Basic auth takes `username:password` from the provider.
    let mut e = one(json!({ "auth": { "type": "basic", "username": "u" } }));
    e.set_provider("d1", true, T0);
    emit(&mut e, "e0", T0);
    e.token("d1", Ok(("u:p".into(), 300.0)), T0);
    let s = only_send(&e.take_effects());
    assert_eq!(header(&s, "Authorization"), Some("Basic dTpw"));
}

#[test]
fn without_a_secret_or_provider_attempts_fail_with_a_reason() {
    let mut e = one(json!({ "auth": { "type": "bearer" }, "maxAttempts": 1 }));
    let fx = emit(&mut e, "e0", T0);
    assert!(sends(&fx).is_empty());
    let r = only_report(&fx);
    assert_eq!(r.outcome, Outcome::Failed);
    assert!(r.error.unwrap().contains("call hooks.setTokenProvider()"));
}

#[test]
fn published_credentials_are_sent() {
    let mut e = one(json!({ "auth": { "type": "bearer", "token": "pub-token" } }));
    let s = only_send(&emit(&mut e, "e0", T0));
    assert_eq!(header(&s, "Authorization"), Some("Bearer pub-token"));
    let mut e = one(
        json!({ "auth": { "type": "basic", "username": "Aladdin", "password": "open sesame" } }),
    );
    let s = only_send(&emit(&mut e, "e0", T0));
    assert_eq!(
        header(&s, "Authorization"),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    );
}

// ------------------------------------------------------------- no secrets

#[test]
fn no_secret_ever_appears_in_a_store_record() {
    let d = json!({
        "version": 1,
        "destinations": [
            { "id": "b", "url": "https://b.example.com", "auth": { "type": "bearer", "token": "SECRET-BEARER" } },
            { "id": "p", "url": "https://p.example.com", "auth": { "type": "basic", "username": "user", "password": "SECRET-PASSWORD" } },
            { "id": "o", "url": "https://o.example.com", "auth": { "type": "oauth2", "tokenUrl": "https://auth.example.com/t", "clientId": "c", "clientSecret": "SECRET-CLIENT" } },
            { "id": "v", "url": "https://v.example.com", "auth": { "type": "bearer" } }
        ],
        "webhooks": [
            { "id": "wb", "event": "survey.submitted", "destination": "b" },
            { "id": "wp", "event": "survey.submitted", "destination": "p" },
            { "id": "wo", "event": "survey.submitted", "destination": "o" },
            { "id": "wv", "event": "survey.submitted", "destination": "v" }
        ]
    });
    let mut e = engine(&d);
    e.set_provider("v", true, T0);
    let mut fx = Vec::new();
    assert_eq!(e.emit("survey.submitted", vec![], T0), 4);
    e.poll(T0);
    fx.extend(e.take_effects());
    e.token("o", Ok(("SECRET-ACCESS".into(), 3600.0)), T0);
    e.token("v", Ok(("SECRET-PROVIDED".into(), 3600.0)), T0);
    fx.extend(e.take_effects());
    // Records are written before each attempt (so a record counts the attempt in
    // flight) and again when a retry is scheduled.
    for s in sends(&fx) {
        assert!(
            header(&s, "Authorization").is_some(),
            "sent with credentials"
        );
        e.answer(s.id, status(503), T0 + 1.0);
    }
    fx.extend(e.take_effects());
    let stores: Vec<&String> = fx
        .iter()
        .filter_map(|x| match x {
            Effect::Store { record, .. } => Some(record),
            _ => None,
        })
        .collect();
    assert_eq!(stores.len(), 10, "4 written before the first attempts (2 of them while waiting for a token, then again at sending), 4 rewritten for the retry");
    for r in stores {
        for secret in [
            "SECRET",
            "Authorization",
            "Bearer",
            "Basic ",
            "dXNlcjpTRUNSRVQtUEFTU1dPUkQ=",
        ] {
            assert!(!r.contains(secret), "{secret} in {r}");
        }
    }
}

// ------------------------------------------------------------------ stats

#[test]
fn no_cors_answers_count_as_sent_not_delivered() {
    let mut e = one(json!({ "mode": "no-cors" }));
    let s = only_send(&emit(&mut e, "e0", T0));
    let fx = answer(&mut e, &s, Answer::Opaque, T0 + 3.0);
    assert_eq!(unstored_keys(&fx), ["e0:w1"]);
    let r = only_report(&fx);
    assert_eq!((r.outcome, r.status), (Outcome::Sent, None));
    let st = e.stats();
    assert_eq!((st.opaque, st.delivered), (1, 0));
    assert_balanced(&e);
}

#[test]
fn stats_add_up_at_quiescence() {
    let d = json!({
        "version": 1,
        "destinations": [
            { "id": "a", "url": "https://a.example.com", "maxAttempts": 2 },
            { "id": "n", "url": "https://n.example.com", "mode": "no-cors" }
        ],
        "webhooks": [
            { "id": "wa", "event": "survey.submitted", "destination": "a" },
            { "id": "wn", "event": "survey.submitted", "destination": "n" },
            { "id": "wa2", "event": "menu.opened", "destination": "a" }
        ]
    });
    let mut e = engine_with(
        &d,
        Limits {
            in_flight_per_destination: 3,
            queue_count: 12,
            ..Limits::default()
        },
    );
    let mut now = T0;
    let mut sent = 0;
    let mut answered = 0u64;
    // A fixed script of answers, cycling through every kind.
    let script = [
        status(200),
        status(503),
        status(404),
        Answer::Timeout,
        status(201),
        Answer::Network("x".into()),
        status(429),
    ];
    for round in 0..40 {
        if round % 2 == 0 {
            e.emit("survey.submitted", vec![], now);
        } else {
            e.emit("menu.opened", vec![], now);
        }
        e.poll(now);
        let mut fx = e.take_effects();
        loop {
            let s = sends(&fx);
            if s.is_empty() {
                break;
            }
            sent += s.len();
            fx.clear();
            for x in s {
                let a = if x.request.mode == walkme_webhooks::core::settings::Mode::NoCors {
                    Answer::Opaque
                } else {
                    script[(answered % script.len() as u64) as usize].clone()
                };
                answered += 1;
                e.answer(x.id, a, now);
                fx.extend(e.take_effects());
            }
        }
        assert_balanced(&e);
        now += 400.0;
    }
    // Let every retry come due.
    while let Some(t) = e.next_wakeup() {
        now = now.max(t);
        e.poll(now);
        for x in sends(&e.take_effects()) {
            sent += 1;
            e.answer(x.id, status(200), now);
            for y in sends(&e.take_effects()) {
                sent += 1;
                e.answer(y.id, status(200), now);
            }
        }
        assert_balanced(&e);
    }
    assert!(e.idle());
    let st = e.stats();
    assert_eq!(st.matched, 60);
    assert_eq!(st.queued, 0);
    assert_eq!(st.retrying, 0);
    assert_eq!(st.in_flight, 0);
    assert_eq!(st.stored, 0, "every record is removed at the end");
    assert_eq!(st.sent as usize, sent);
    assert_eq!(st.opaque, 20);
    assert_eq!(
        st.matched,
        st.delivered + st.opaque + st.failed + st.dropped
    );
    assert!(
        st.delivered > 0 && st.failed > 0 && st.dropped > 0,
        "{st:#?}"
    );
    let v = st.to_value();
    for k in [
        "matched",
        "sent",
        "delivered",
        "opaque",
        "retrying",
        "failed",
        "dropped",
        "queued",
        "inFlight",
        "stored",
        "resumed",
        "storageDegraded",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
}

#[test]
fn reports_read_as_the_on_delivery_object() {
    let mut e = one(json!({}));
    let s = only_send(&emit(&mut e, "ev-1", T0));
    let r = only_report(&answer(&mut e, &s, status(503), T0 + 12.4));
    let mut text = String::new();
    r.write_json(&mut text, &walkme_webhooks::core::host::NativeHost);
    assert_eq!(
        text,
        r#"{"webhookId":"w1","eventId":"ev-1","destinationId":"d1","key":"ev-1:w1","attempt":1,"status":503,"outcome":"retry","error":"HTTP 503","ms":12}"#
    );
}

// ----------------------------------------------------------------- update

#[test]
fn republished_settings_apply_to_new_events_and_removed_destinations_drop() {
    let mut e = one(json!({}));
    e.set_online(false, T0);
    emit(&mut e, "e0", T0);
    let other = json!({
        "version": 1,
        "destinations": [{ "id": "d2", "url": "https://d2.example.com" }],
        "webhooks": [{ "id": "w2", "event": "survey.submitted", "destination": "d2" }]
    });
    e.update(valid(&other), T0 + 1.0);
    // Waiting deliveries follow the new settings at once: w1 is gone.
    let fx = e.take_effects();
    let r = only_report(&fx);
    assert_eq!(
        (r.key.as_str(), r.error.as_deref()),
        (
            "e0:w1",
            Some("the webhook is no longer in the published settings")
        )
    );
    assert_eq!(unstored_keys(&fx), ["e0:w1"]);
    e.set_online(true, T0 + 2.0);
    assert!(e.take_effects().is_empty());
    let fx = emit(&mut e, "e1", T0 + 3.0);
    assert_eq!(stored_keys(&fx), ["e1:w2"]);
    assert!(only_send(&fx).request.url.starts_with("https://d2."));
    assert_balanced(&e);
}

#[test]
fn page_url_leaves_out_its_fragment_unless_the_settings_keep_it_also_after_an_update() {
    let mut e = one(json!({}));
    e.set_context(walkme_webhooks::core::engine::Context {
        url: "https://app.example.com/a?b=1#access_token=abc".into(),
        ..Default::default()
    });
    let url = |e: &mut Engine, id: &str, now: f64| -> String {
        let s = only_send(&emit(e, id, now));
        let body: Json = serde_json::from_str(s.request.body.as_deref().unwrap()).unwrap();
        let u = body["page.url"].as_str().unwrap().to_string();
        answer(e, &s, status(200), now);
        u
    };
    assert_eq!(url(&mut e, "a", T0), "https://app.example.com/a?b=1");
    let mut keep = doc(json!({}), json!({}));
    keep["keepUrlFragment"] = json!(true);
    e.update(valid(&keep), T0);
    assert_eq!(
        url(&mut e, "b", T0),
        "https://app.example.com/a?b=1#access_token=abc"
    );
    e.update(valid(&doc(json!({}), json!({}))), T0);
    assert_eq!(url(&mut e, "c", T0), "https://app.example.com/a?b=1");
}

#[test]
fn common_properties_are_filled_and_caller_values_kept() {
    let mut e = one(json!({}));
    e.set_context(walkme_webhooks::core::engine::Context {
        session_id: "sess".into(),
        session_start: 0.0,
        anonymous_id: String::new(),
        url: "https://app.example.com/a?b".into(),
        path: "/a".into(),
        title: "App".into(),
        referrer: "".into(),
        language: "de-DE".into(),
        user_agent: "UA".into(),
    });
    e.identify(
        Some("u-42".into()),
        props(json!({ "role": "admin", "user.plan": "pro" })),
    );
    let fx = emit_with(
        &mut e,
        "mine",
        json!({ "page.title": "Given", "event.timestamp": 5, "event.type": "spoofed" }),
        T0,
    );
    let body: Json = serde_json::from_str(only_send(&fx).request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["event.id"], "mine");
    assert_eq!(
        body["event.type"], "survey.submitted",
        "the module sets the type"
    );
    assert_eq!(body["event.timestamp"], 5, "kept as given");
    assert_eq!(body["page.title"], "Given");
    assert_eq!(body["session.id"], "sess");
    assert_eq!(body["page.url"], "https://app.example.com/a?b");
    assert_eq!(body["env.language"], "de-DE");
    assert_eq!(body["env.userAgent"], "UA");
    assert_eq!(body["user.id"], "u-42");
    assert_eq!(body["user.role"], "admin");
    assert_eq!(body["user.plan"], "pro");
}

#[test]
fn a_numeric_event_id_from_the_caller_is_kept() {
    let mut e = one(json!({}));
    assert_eq!(
        e.emit("survey.submitted", props(json!({ "event.id": 123 })), T0),
        1
    );
    e.poll(T0);
    let fx = e.take_effects();
    assert_eq!(stored_keys(&fx), ["123:w1"]);
    let body: Json = serde_json::from_str(only_send(&fx).request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["event.id"], "123");
    // An empty or non-text id is replaced by a generated one.
    for id in [json!(""), json!(null), json!(true)] {
        e.emit("survey.submitted", props(json!({ "event.id": id })), T0);
        e.poll(T0);
        let keys = stored_keys(&e.take_effects());
        assert_eq!(keys[0].len(), 36 + 3, "{keys:?}");
    }
}

// ------------------------------------------------------ pacing and batches

#[test]
fn a_rate_limit_spaces_requests_exactly() {
    let mut e = one(json!({ "rate": { "requests": 2, "seconds": 1 } }));
    let mut sent_at = Vec::new();
    let mut now = T0;
    for i in 0..6 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("r{i}") })),
            now,
        );
    }
    e.poll(now);
    for _ in 0..10 {
        for s in sends(&e.take_effects()) {
            sent_at.push(now);
            e.answer(s.id, status(200), now);
        }
        let fx = e.take_effects();
        assert!(sends(&fx).is_empty(), "nothing more until the window opens");
        match e.next_wakeup() {
            Some(at) => now = at,
            None => break,
        }
        e.poll(now);
    }
    assert_eq!(
        sent_at,
        [T0, T0, T0 + 1000.0, T0 + 1000.0, T0 + 2000.0, T0 + 2000.0]
    );
    assert_eq!(e.stats().delivered, 6);
    assert_eq!(e.check_bookkeeping(), Ok(()));
}

#[test]
fn batches_fill_up_or_wait_at_most_max_wait() {
    let mut e = one(json!({
        "batch": { "maxEvents": 3, "maxWaitMs": 500, "body": { "events": "{{batch}}" } }
    }));
    for i in 0..7 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("b{i}"), "n": i })),
            T0,
        );
    }
    e.poll(T0);
    let fx = e.take_effects();
    let full = sends(&fx);
    assert_eq!(full.len(), 2, "two full batches at once");
    assert_eq!(full[0].count, 3);
    let body: Json = serde_json::from_str(full[0].request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["events"].as_array().unwrap().len(), 3);
    assert_eq!(body["events"][0]["n"], 0);
    assert_eq!(
        e.next_wakeup(),
        Some(T0 + 500.0),
        "the seventh waits at most maxWaitMs"
    );
    e.poll(T0 + 499.0);
    assert!(sends(&e.take_effects()).is_empty());
    e.poll(T0 + 500.0);
    let last = only_send(&e.take_effects());
    assert_eq!(last.count, 1);
    for s in full.iter().chain([&last]) {
        e.answer(s.id, status(200), T0 + 600.0);
    }
    let fx = e.take_effects();
    assert_eq!(
        reports(&fx)
            .iter()
            .filter(|r| r.outcome == Outcome::Delivered)
            .count(),
        7
    );
    assert_eq!(e.stats().delivered, 7);
    assert_eq!(e.check_bookkeeping(), Ok(()));
    // flush() sends a partial batch at once.
    e.emit(
        "survey.submitted",
        props(json!({ "event.id": "b7" })),
        T0 + 700.0,
    );
    e.poll(T0 + 700.0);
    assert!(sends(&e.take_effects()).is_empty());
    e.flush(T0 + 701.0);
    assert_eq!(only_send(&e.take_effects()).count, 1);
}

#[test]
fn a_failed_batch_is_retried_whole_and_each_delivery_reported() {
    let mut e = one(json!({
        "batch": { "maxEvents": 2, "maxWaitMs": 0, "body": { "events": "{{batch}}" } }
    }));
    for i in 0..2 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("f{i}") })),
            T0,
        );
    }
    e.poll(T0);
    let s = only_send(&e.take_effects());
    let fx = answer(&mut e, &s, status(503), T0 + 1.0);
    assert_eq!(reports(&fx).len(), 2);
    assert!(reports(&fx).iter().all(|r| r.outcome == Outcome::Retry));
    let due = e.next_wakeup().unwrap();
    e.poll(due);
    let again = only_send(&e.take_effects());
    assert_eq!(again.count, 2);
    assert_eq!(again.attempt, 2);
    assert_eq!(e.check_bookkeeping(), Ok(()));
}

#[test]
fn a_failed_delivery_is_replayed_from_its_record_as_a_new_delivery() {
    let mut e = one(json!({ "maxAttempts": 1 }));
    let fx = emit(&mut e, "r1", T0);
    let record = records_of(&fx).remove(0);
    let s = only_send(&fx);
    let r = only_report(&answer(&mut e, &s, status(503), T0 + 1.0));
    assert_eq!(r.outcome, Outcome::Failed);
    assert!(e.replay(&record, T0 + 2.0));
    let again = only_send(&e.take_effects());
    assert_eq!((again.key.as_str(), again.attempt), ("r1:w1", 1));
    assert!(!e.replay(&record, T0 + 3.0), "held: not twice");
    answer(&mut e, &again, status(200), T0 + 4.0);
    assert_eq!(e.stats().delivered, 1);
    assert_eq!(e.check_bookkeeping(), Ok(()));
}

#[test]
fn a_batch_over_the_size_limit_shrinks_to_what_fits_not_to_one_event() {
    let mut e = one(json!({
        "batch": { "maxEvents": 40, "maxWaitMs": 0, "body": { "events": "{{batch}}" } }
    }));
    // Over 2 KB each: 40 of them are over the 32 KiB limit, 10 are not.
    let pad = "x".repeat(2000);
    for i in 0..40 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("big{i}"), "pad": pad })),
            T0,
        );
    }
    e.poll(T0);
    let fx = e.take_effects();
    let counts: Vec<usize> = sends(&fx).iter().map(|s| s.count).collect();
    assert_eq!(counts.iter().sum::<usize>(), 40, "{counts:?}");
    // Halving: 20 do not fit, 10 do; the other 30 then go as 15, 7, …
    assert_eq!(counts[0], 10, "{counts:?}");
    assert!(
        counts.len() <= 6 && counts.iter().all(|&c| c >= 5),
        "several events per request, never one by one: {counts:?}"
    );
    for s in sends(&fx) {
        assert!(s.request.size() <= MAX_BODY_BYTES);
        e.answer(s.id, status(200), T0 + 1.0);
    }
    assert_eq!(e.stats().delivered, 40);
    assert!(reports(&e.take_effects())
        .iter()
        .all(|r| r.outcome == Outcome::Delivered));
    assert_eq!(e.check_bookkeeping(), Ok(()));
}

#[test]
fn stats_are_written_as_the_stats_object() {
    use walkme_webhooks::core::host::NativeHost;
    let s = walkme_webhooks::core::engine::Stats {
        matched: 3,
        in_flight: 1,
        storage_degraded: true,
        skipped: 2,
        ..Default::default()
    };
    let mut out = String::new();
    s.write_json(&mut out);
    assert_eq!(
        out,
        r#"{"matched":3,"sent":0,"delivered":0,"opaque":0,"retrying":0,"failed":0,"dropped":0,"queued":0,"inFlight":1,"stored":0,"resumed":0,"storageDegraded":true,"skipped":2}"#
    );
    assert_eq!(
        walkme_webhooks::core::json::to_json(&s.to_value(), &NativeHost),
        out
    );
}
