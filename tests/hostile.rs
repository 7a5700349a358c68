//! Hostile pages, stale state and bursts, natively: the engine with a fake
//! clock, one test (or a few) per finding of the adversarial review (issue
//! 15) and per behaviour it found unpinned. The browser half is
//! `tests/e2e/hostile.test.mjs`; `docs/guarantees.md` lists both per item.
//!
//! Each test says how it fails on the module before the redesign (052d97b):
//! either shown by running it there, or argued from what that module did.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use serde_json::{json, Value as Json};
use walkme_webhooks::core::engine::{
    Context, Effect, Engine, Limits, Outcome, Send, TokenSource, MAX_CONTEXT_BYTES,
};
use walkme_webhooks::core::retry::Answer;
use walkme_webhooks::core::value::Value;

fn emit(e: &mut Engine, id: &str, now: f64) -> Vec<Effect> {
    emit_props(e, id, json!({}), now)
}

fn emit_props(e: &mut Engine, id: &str, extra: Json, now: f64) -> Vec<Effect> {
    let mut p = props(extra);
    p.insert(0, ("event.id".into(), Value::from(id)));
    e.emit("survey.submitted", p, now);
    e.poll(now);
    e.take_effects()
}

fn answer(e: &mut Engine, s: &Send, a: Answer, now: f64) -> Vec<Effect> {
    e.answer(s.id, a, now);
    let mut fx = e.take_effects();
    // A network error on a destination never read makes the engine probe
    // its host: here the host cannot be reached.
    let probes: Vec<String> = fx
        .iter()
        .filter_map(|x| match x {
            Effect::Probe { destination, .. } => Some(destination.clone()),
            _ => None,
        })
        .collect();
    for d in probes {
        e.probed(&d, false, now);
        fx.extend(e.take_effects());
    }
    assert_eq!(e.check_bookkeeping(), Ok(()));
    fx
}

fn only_send(fx: &[Effect]) -> Send {
    let s = sends(fx);
    assert_eq!(s.len(), 1, "one send expected in {fx:#?}");
    s[0].clone()
}

fn token_asks(fx: &[Effect]) -> Vec<TokenSource> {
    fx.iter()
        .filter_map(|x| match x {
            Effect::Token { source, .. } => Some(source.clone()),
            _ => None,
        })
        .collect()
}

/// The request id of the one token request among `fx`.
fn token_request(fx: &[Effect]) -> u32 {
    let ids: Vec<u32> = fx
        .iter()
        .filter_map(|x| match x {
            Effect::Token { request, .. } => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 1, "one token request expected in {fx:#?}");
    ids[0]
}

fn balanced(e: &Engine) {
    assert_eq!(e.check_bookkeeping(), Ok(()));
    let s = e.stats();
    assert_eq!(
        s.matched + s.resumed,
        s.delivered + s.opaque + s.failed + s.dropped + s.queued,
        "{s:#?}"
    );
}

/// Runs the engine until nothing is due, answering every request with `a`;
/// returns every request sent.
fn drain_with(e: &mut Engine, mut now: f64, a: impl Fn(&Send) -> Answer) -> Vec<Send> {
    let mut all = Vec::new();
    let mut fx = e.take_effects();
    for _ in 0..10_000 {
        let s = sends(&fx);
        if s.is_empty() {
            match e.next_wakeup() {
                Some(t) => {
                    now = now.max(t);
                    e.poll(now);
                    fx = e.take_effects();
                    if sends(&fx).is_empty() && e.next_wakeup() == Some(t) {
                        break;
                    }
                    continue;
                }
                None => break,
            }
        }
        fx = Vec::new();
        for x in s {
            now += 1.0;
            e.answer(x.id, a(&x), now);
            fx.extend(e.take_effects());
            all.push(x);
        }
    }
    all
}

// ----------------------------------------------- 1. re-publish mixes old and new

/// Item 1. A delivery waiting for a retry, and one in flight, when a publish
/// moves the destination to a new URL and rotates its token: both go to the
/// new URL with the new token, never the old URL with the new secret (nor the
/// new URL with the old one).
///
/// 052d97b (shown: the retry went to old.example.com): a delivery kept the
/// request built at its first attempt
/// (URL, headers, body: the v1 record held them), and only `Authorization`
/// was added at send time from the current settings, so the retry went to
/// the old URL with the new token: the review's finding.
#[test]
fn a_pending_delivery_follows_the_republished_url_and_token() {
    let old = doc(
        json!({ "url": "https://old.example.com/in", "auth": { "type": "bearer", "token": "OLD" },
                "headers": [{ "name": "X-Api-Key", "value": "OLD-KEY" }] }),
        json!({}),
    );
    let mut e = engine(&old);
    // e1 fails and waits for its retry; e2 is in flight at the publish.
    let s1 = only_send(&emit(&mut e, "e1", T0));
    answer(&mut e, &s1, status(503), T0 + 1.0);
    let s2 = only_send(&emit(&mut e, "e2", T0 + 2.0));
    assert_eq!(header(&s2, "Authorization"), Some("Bearer OLD"));
    let new = doc(
        json!({ "url": "https://new.example.com/in", "auth": { "type": "bearer", "token": "NEW" },
                "headers": [{ "name": "X-Api-Key", "value": "NEW-KEY" }] }),
        json!({}),
    );
    e.update(valid(&new), T0 + 3.0);
    assert!(sends(&e.take_effects()).is_empty(), "e1 is not due yet");
    let fx = answer(&mut e, &s2, status(503), T0 + 4.0);
    assert!(sends(&fx).is_empty());
    let later = drain_with(&mut e, T0 + 5.0, |_| status(200));
    assert_eq!(later.len(), 2, "{later:#?}");
    for s in &later {
        assert_eq!(s.request.url, "https://new.example.com/in");
        assert_eq!(header(s, "Authorization"), Some("Bearer NEW"));
        assert_eq!(header(s, "X-Api-Key"), Some("NEW-KEY"));
    }
    assert_eq!(e.stats().delivered, 2);
    balanced(&e);
}

/// Item 1, the other half of the rule: a pending delivery whose destination
/// is no longer published is dropped and reported, never sent.
#[test]
fn a_pending_delivery_of_a_destination_no_longer_published_is_dropped_and_reported() {
    let two = json!({
        "version": 1,
        "destinations": [
            { "id": "a", "url": "https://a.example.com/in" },
            { "id": "b", "url": "https://b.example.com/in" }
        ],
        "webhooks": [{ "id": "w", "event": "survey.submitted", "destination": "a" }]
    });
    let mut e = engine(&two);
    let s = only_send(&emit(&mut e, "e1", T0));
    answer(&mut e, &s, status(503), T0 + 1.0);
    // The webhook now sends to b, and a is gone: the delivery moves to b.
    let moved = json!({
        "version": 1,
        "destinations": [{ "id": "b", "url": "https://b.example.com/in" }],
        "webhooks": [{ "id": "w", "event": "survey.submitted", "destination": "b" }]
    });
    e.update(valid(&moved), T0 + 2.0);
    let sent = drain_with(&mut e, T0 + 3.0, |_| status(200));
    assert_eq!(
        sent.iter()
            .map(|s| s.request.url.as_str())
            .collect::<Vec<_>>(),
        ["https://b.example.com/in"]
    );
    // Another one waits; then the webhook is removed: dropped, reported.
    let s = only_send(&emit(&mut e, "e2", T0 + 10_000.0));
    answer(&mut e, &s, status(503), T0 + 10_001.0);
    let none = json!({
        "version": 1,
        "destinations": [{ "id": "b", "url": "https://b.example.com/in" }],
        "webhooks": []
    });
    e.update(valid(&none), T0 + 10_002.0);
    let fx = e.take_effects();
    let r = reports(&fx);
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(
        (r[0].key.as_str(), r[0].outcome),
        ("e2:w", Outcome::Dropped)
    );
    assert_eq!(unstored_keys(&fx), ["e2:w"]);
    assert!(drain_with(&mut e, T0 + 20_000.0, |_| status(200)).is_empty());
    balanced(&e);
}

/// Weak test: the token reset when a destination's auth changes. A cached
/// OAuth token is never sent once the auth changed; the new endpoint is
/// asked, with the new secret. And a token answer that was on its way for
/// the old auth when the publish happened is not used for the new one.
///
/// 052d97b (argued; shown: removing the reset fails it): the cache was kept
/// per destination id across
/// publishes; the review's mutation (no reset) survived every test.
#[test]
fn a_republished_auth_gets_a_fresh_token_and_a_late_answer_for_the_old_one_is_not_used() {
    let auth = |url: &str, secret: &str| {
        json!({ "url": url, "auth": { "type": "oauth2", "tokenUrl": "https://auth.example.com/t",
                 "clientId": "c", "clientSecret": secret } })
    };
    let mut e = engine(&doc(auth("https://api.example.com/in", "S1"), json!({})));
    let fx = emit(&mut e, "e1", T0);
    assert_eq!(token_asks(&fx).len(), 1);
    e.token("d1", Ok(("TOKEN-1".into(), 3600.0)), T0 + 1.0);
    let s = only_send(&e.take_effects());
    assert_eq!(header(&s, "Authorization"), Some("Bearer TOKEN-1"));
    answer(&mut e, &s, status(200), T0 + 2.0);
    // The client secret is rotated: the cached token goes with the old auth.
    e.update(
        valid(&doc(auth("https://api.example.com/in", "S2"), json!({}))),
        T0 + 3.0,
    );
    let fx = emit(&mut e, "e2", T0 + 4.0);
    assert!(
        sends(&fx).is_empty(),
        "not sent with the old token: {fx:#?}"
    );
    let for_s2 = token_request(&fx);
    match token_asks(&fx).as_slice() {
        [TokenSource::OAuth { body, .. }] => assert!(body.contains("client_secret=S2"), "{body}"),
        other => panic!("one token request with the new secret expected: {other:#?}"),
    }
    // The publish happens again while that token request is on its way (to
    // a new URL and a new secret); its answer, for S2, arrives afterwards.
    e.update(
        valid(&doc(auth("https://moved.example.com/in", "S3"), json!({}))),
        T0 + 5.0,
    );
    let fx = e.take_effects();
    e.token_for("d1", for_s2, Ok(("TOKEN-FOR-S2".into(), 3600.0)), T0 + 6.0);
    let mut fx2 = fx;
    fx2.extend(e.take_effects());
    for s in sends(&fx2) {
        assert_ne!(
            header(&s, "Authorization"),
            Some("Bearer TOKEN-FOR-S2"),
            "a token of the old auth went to {}",
            s.request.url
        );
    }
    // Whatever came of it, e2 is sent with a token of the auth in force.
    let asks: Vec<_> = token_asks(&fx2);
    assert!(
        asks.iter().any(
            |t| matches!(t, TokenSource::OAuth { body, .. } if body.contains("client_secret=S3"))
        ),
        "the S3 token is asked for: {fx2:#?}"
    );
    let for_s3 = token_request(&fx2);
    assert_ne!(for_s2, for_s3);
    e.token_for("d1", for_s3, Ok(("TOKEN-3".into(), 3600.0)), T0 + 7.0);
    let s = only_send(&e.take_effects());
    assert_eq!(s.request.url, "https://moved.example.com/in");
    assert_eq!(header(&s, "Authorization"), Some("Bearer TOKEN-3"));
    answer(&mut e, &s, status(200), T0 + 8.0);
    assert_eq!(e.stats().delivered, 2);
    balanced(&e);
}

/// Weak test: removing a token provider. Its token is no longer sent; with
/// no other credentials the attempts fail with a reason, and a provider
/// answer that was still on its way is not used.
///
/// 052d97b passes it; it fails when `set_provider` keeps the token (shown).
#[test]
fn a_removed_token_provider_s_token_is_never_sent_again() {
    let mut e = engine(&doc(
        json!({ "auth": { "type": "bearer" }, "maxAttempts": 2 }),
        json!({}),
    ));
    e.set_provider("d1", true, T0);
    emit(&mut e, "e1", T0);
    e.token("d1", Ok(("PROVIDED".into(), 300.0)), T0 + 1.0);
    let s = only_send(&e.take_effects());
    assert_eq!(header(&s, "Authorization"), Some("Bearer PROVIDED"));
    answer(&mut e, &s, status(200), T0 + 2.0);
    // Removed: the next delivery has no credentials.
    e.set_provider("d1", false, T0 + 3.0);
    e.take_effects();
    let fx = emit(&mut e, "e2", T0 + 4.0);
    assert!(sends(&fx).is_empty(), "{fx:#?}");
    let r = reports(&fx);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].outcome, Outcome::Retry);
    assert!(
        r[0].error.as_deref().unwrap().contains("setTokenProvider"),
        "{r:#?}"
    );
    // A provider set and removed again while it was being asked: its late
    // answer is not used.
    e.set_provider("d1", true, T0 + 5.0);
    e.poll(T0 + 100_000.0);
    let fx = e.take_effects();
    assert_eq!(token_asks(&fx), [TokenSource::Provider]);
    let asked = token_request(&fx);
    e.set_provider("d1", false, T0 + 100_001.0);
    e.token_for("d1", asked, Ok(("LATE".into(), 300.0)), T0 + 100_002.0);
    let fx = e.take_effects();
    assert!(
        sends(&fx)
            .iter()
            .all(|s| header(s, "Authorization") != Some("Bearer LATE")),
        "{fx:#?}"
    );
    let all = drain_with(&mut e, T0 + 200_000.0, |_| status(200));
    assert!(
        all.iter().all(|s| header(s, "Authorization").is_none()),
        "{all:#?}"
    );
    assert_eq!(e.stats().failed, 1);
    balanced(&e);
}

// ------------------------------------------------------ 3. storage is untrusted

/// Item 3. Planted records (naming another URL, headers, a destination of
/// their own, or in the old v1 format that held a whole request) are only
/// ever sent where the webhook's destination sends now, with the token the
/// page's provider gives: never to the URL the record names.
///
/// 052d97b (argued; the browser test shows it): a v1 record held method,
/// URL, headers and body and was
/// sent as stored, with the destination's current token added: any script
/// could plant one and receive the token.
#[test]
fn a_planted_record_is_sent_only_where_the_settings_send_with_the_provider_s_token() {
    let settings = doc(
        json!({ "url": "https://api.example.com/in", "auth": { "type": "bearer" } }),
        json!({}),
    );
    let planted = [
        val(json!({
            "v": 2, "key": "p1:w1", "webhook": "w1", "destination": "evil",
            "url": "https://evil.example.com/steal", "method": "PUT",
            "headers": [["Authorization", "Bearer x"], ["X-Leak", "1"]],
            "event": { "event.id": "p1", "answer.value": 1 },
            "attempts": 0, "nextAt": T0, "createdAt": T0, "storedAt": T0 - 60_000.0
        })),
        // The old format: a whole request.
        val(json!({
            "v": 1, "key": "p2:w1", "webhook": "w1", "destination": "d1", "event": "p2",
            "method": "POST", "url": "https://evil.example.com/v1", "mode": "cors",
            "headers": [["X-Leak", "1"]], "body": "{}", "attempts": 0,
            "nextAt": T0, "createdAt": T0, "storedAt": T0 - 60_000.0
        })),
        // A webhook that is not published.
        val(json!({
            "v": 2, "key": "p3:w-evil", "webhook": "w-evil", "destination": "d1",
            "event": { "event.id": "p3" }, "attempts": 0,
            "nextAt": T0, "createdAt": T0, "storedAt": T0 - 60_000.0
        })),
    ];
    let mut e = engine(&settings);
    e.set_provider("d1", true, T0);
    let taken = e.adopt(&planted, T0);
    assert_eq!(taken, 2, "the v1 record is not read");
    let fx = e.take_effects();
    let r = reports(&fx);
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(
        (r[0].key.as_str(), r[0].outcome),
        ("p3:w-evil", Outcome::Dropped)
    );
    assert_eq!(token_asks(&fx), [TokenSource::Provider]);
    e.token("d1", Ok(("PROVIDED".into(), 300.0)), T0 + 1.0);
    let s = only_send(&e.take_effects());
    assert_eq!(s.request.url, "https://api.example.com/in");
    assert_eq!(s.request.method.as_str(), "POST");
    assert_eq!(header(&s, "Authorization"), Some("Bearer PROVIDED"));
    assert!(header(&s, "X-Leak").is_none());
    let body: Json = serde_json::from_str(s.request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["event.id"], "p1");
    answer(&mut e, &s, status(200), T0 + 2.0);
    balanced(&e);
}

// ------------------------------------------------- 5. placeholder dot segments

/// Item 5. A placeholder value of `.` or `..` (or `%2e%2e`) would change
/// the path on the same host: such a delivery is dropped with a report and
/// nothing is sent; other values go to the path the template says.
///
/// 052d97b (shown: `.` was sent): values were percent-encoded except `.`,
/// so `..` made
/// the browser resolve a parent segment (the review's finding).
#[test]
fn a_dot_segment_placeholder_value_drops_the_delivery_and_sends_nothing() {
    let mut e = engine(&doc(
        json!({ "url": "https://api.example.com/v1/users/{{user.id}}/events" }),
        json!({}),
    ));
    for (i, v) in [".", ".."].iter().enumerate() {
        let fx = emit_props(&mut e, &format!("d{i}"), json!({ "user.id": v }), T0);
        assert!(sends(&fx).is_empty(), "{v}: {fx:#?}");
        let r = reports(&fx);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].outcome, Outcome::Dropped, "{v}");
        assert!(
            r[0].error.as_deref().unwrap().contains("path segment"),
            "{v}: {r:#?}"
        );
    }
    // Anything else is one encoded segment (`%2e%2e` too: its `%` is encoded).
    for v in ["a.b", "...", "a/../b", "%2e%2e", "%2E.", "x"] {
        let fx = emit_props(&mut e, v, json!({ "user.id": v }), T0);
        let s = only_send(&fx);
        let url = url::Url::parse(&s.request.url).unwrap();
        assert_eq!(url.host_str(), Some("api.example.com"));
        let segs: Vec<&str> = url.path_segments().unwrap().collect();
        assert_eq!(segs.len(), 4, "{v}: {}", s.request.url);
        assert_eq!((segs[0], segs[1], segs[3]), ("v1", "users", "events"));
        answer(&mut e, &s, status(200), T0);
    }
    balanced(&e);
}

// --------------------------------------------------------------- 6. redirects

/// Item 6. A redirect answer (any 3xx, which fetch with `redirect:
/// "manual"` reports as an opaque redirect) is not followed: the delivery
/// is dropped with a report saying so, never "delivered", never retried.
///
/// 052d97b (argued; the browser test shows it): fetch followed redirects; a
/// 307/308 carried the custom
/// headers to the new origin and a 302 became a body-less GET whose 200 was
/// reported "delivered".
#[test]
fn a_redirect_is_dropped_and_reported_never_delivered_or_retried() {
    let mut e = engine(&doc(
        json!({ "headers": [{ "name": "X-Api-Key", "value": "K" }] }),
        json!({}),
    ));
    let s = only_send(&emit(&mut e, "r1", T0));
    let fx = answer(&mut e, &s, Answer::Redirect, T0 + 1.0);
    let r = reports(&fx);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].outcome, Outcome::Dropped);
    assert!(
        r[0].error.as_deref().unwrap().contains("redirect"),
        "{r:#?}"
    );
    assert_eq!(unstored_keys(&fx), ["r1:w1"]);
    assert!(e.next_wakeup().is_none(), "not retried");
    let st = e.stats();
    assert_eq!((st.delivered, st.dropped, st.queued), (0, 1, 0));
}

// -------------------------------------------------------- 7. emit, then stop

/// Item 7. `stop()` right after `emit()` (before the poll that would store
/// and send) stores the delivery, so the next page sends it.
///
/// 052d97b (argued, it had no Engine::stop; the browser test shows it):
/// stop() dropped the engine with the delivery still in
/// memory only (it was stored by the poll that never ran).
#[test]
fn an_event_emitted_just_before_stop_is_stored_for_the_next_page() {
    let mut e = engine(&doc(json!({}), json!({})));
    e.emit(
        "survey.submitted",
        props(json!({ "event.id": "last", "n": 1 })),
        T0,
    );
    e.stop(T0);
    let fx = e.take_effects();
    assert!(sends(&fx).is_empty(), "stop sends nothing");
    let records: Vec<Value> = fx
        .iter()
        .filter_map(|x| match x {
            Effect::Store { record, .. } => Some(serde_json::from_str(record).unwrap()),
            _ => None,
        })
        .collect();
    assert_eq!(records.len(), 1);
    let mut next = engine(&doc(json!({}), json!({})));
    assert_eq!(next.adopt(&records, T0 + 5_000.0), 1);
    let s = only_send(&next.take_effects());
    let body: Json = serde_json::from_str(s.request.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        (body["event.id"].as_str(), body["n"].as_i64()),
        (Some("last"), Some(1))
    );
}

// ------------------------------------------------ 8. emits with their own id

/// Item 8. Emitting events that carry their own `event.id` costs the same
/// per event at 20,000 as at 5,000 (the repeat check is a hash set, not a
/// scan of what is held).
///
/// 052d97b: this engine test passes there (the cost was in its shell); the
/// browser test shows it (80 → 912 µs per emit): each emit scanned the held
/// and pending deliveries for the key, so 20k took 4–6 s in a page.
#[test]
fn emits_with_their_own_ids_cost_the_same_per_event_at_20k_as_at_5k() {
    let per_emit = |n: usize| {
        let mut e = engine(&doc(json!({}), json!({})));
        e.set_online(false, T0);
        let ids: Vec<String> = (0..n).map(|i| format!("own-{i:06}")).collect();
        let start = std::time::Instant::now();
        for id in &ids {
            e.emit(
                "survey.submitted",
                vec![("event.id".into(), Value::from(id.as_str()))],
                T0,
            );
        }
        e.poll(T0);
        e.take_effects();
        start.elapsed().as_secs_f64() / n as f64
    };
    per_emit(2_000); // warm
    let small = per_emit(5_000);
    let large = per_emit(20_000);
    // Quadratic work would make it 4x; allow noise on a busy machine.
    assert!(
        large < small * 2.5,
        "per emit: {:.1} µs at 5k, {:.1} µs at 20k",
        small * 1e6,
        large * 1e6
    );
}

// ----------------------------------------- 9. a token source that never answers

/// Item 9. A token provider (or token endpoint) that never answers: once
/// the destination's `timeoutMs` has passed, the deliveries count a failed
/// attempt and are retried, then fail, each reported; the engine is idle
/// in between, so `flush()` resolves.
///
/// 052d97b (argued; the browser test shows it): the engine waited for the
/// token with no deadline:
/// nothing was reported, and `flush()` waited for ever.
#[test]
fn a_token_source_that_never_answers_times_out_is_retried_and_reported() {
    for auth in [
        json!({ "type": "bearer" }),
        json!({ "type": "oauth2", "tokenUrl": "https://auth.example.com/t", "clientId": "c", "clientSecret": "s" }),
    ] {
        let provider = auth["type"] == "bearer";
        let mut e = engine(&doc(
            json!({ "auth": auth, "timeoutMs": 500, "maxAttempts": 2 }),
            json!({}),
        ));
        if provider {
            e.set_provider("d1", true, T0);
        }
        let fx = emit(&mut e, "t1", T0);
        assert_eq!(token_asks(&fx).len(), 1);
        assert!(!e.idle(), "waiting for the token");
        assert_eq!(e.next_wakeup(), Some(T0 + 500.0), "woken at the deadline");
        e.poll(T0 + 499.0);
        assert!(reports(&e.take_effects()).is_empty());
        e.poll(T0 + 500.0);
        let r = reports(&e.take_effects());
        assert_eq!(r.len(), 1, "{r:#?}");
        assert_eq!((r[0].outcome, r[0].attempt), (Outcome::Retry, 1));
        assert!(r[0]
            .error
            .as_deref()
            .unwrap()
            .contains("could not get a token"));
        assert!(e.idle(), "flush() resolves while the retry waits");
        // The retry asks again; no answer again: failed, reported.
        let due = e.next_wakeup().unwrap();
        e.poll(due);
        assert_eq!(token_asks(&e.take_effects()).len(), 1);
        e.poll(due + 500.0);
        let r = reports(&e.take_effects());
        assert_eq!((r[0].outcome, r[0].attempt), (Outcome::Failed, 2), "{r:#?}");
        assert!(e.idle());
        assert_eq!(e.stats().failed, 1);
        // The answer that finally comes is not used.
        e.token("d1", Ok(("LATE".into(), 300.0)), due + 10_000.0);
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": "t2" })),
            due + 10_001.0,
        );
        e.poll(due + 10_001.0);
        let fx = e.take_effects();
        assert!(sends(&fx).is_empty(), "{fx:#?}");
        assert_eq!(token_asks(&fx).len(), 1, "a new token is asked for");
        e.token("d1", Ok(("FRESH".into(), 300.0)), due + 10_002.0);
        let s = only_send(&e.take_effects());
        assert_eq!(header(&s, "Authorization"), Some("Bearer FRESH"));
        answer(&mut e, &s, status(200), due + 10_003.0);
        assert!(sends(&e.take_effects()).is_empty());
        balanced(&e);
    }
}

// ----------------------------------------------- 10. oversized page properties

/// Item 10. A 40 KB page URL, title or referrer (or a session id planted in
/// storage) is cut to [`MAX_CONTEXT_BYTES`]; the event goes.
///
/// 052d97b (shown: dropped as too large): page properties were taken
/// whole, so every event passed the 32 KiB request cap and was dropped.
#[test]
fn a_40_kb_page_url_or_title_is_cut_and_the_event_goes() {
    let mut e = engine(&doc(json!({}), json!({})));
    let huge = "a".repeat(40_000);
    e.set_context(Context {
        session_id: "s".repeat(40_000),
        url: format!("https://app.example.com/?q={huge}#frag"),
        path: format!("/{huge}"),
        title: huge.clone(),
        referrer: format!("https://ref.example.com/{huge}"),
        ..Default::default()
    });
    let s = only_send(&emit(&mut e, "big", T0));
    let body: Json = serde_json::from_str(s.request.body.as_deref().unwrap()).unwrap();
    for k in ["page.url", "page.path", "page.title", "page.referrer"] {
        let v = body[k].as_str().unwrap_or_else(|| panic!("{k} kept"));
        assert!(
            v.len() <= MAX_CONTEXT_BYTES && v.len() >= 1_000,
            "{k}: {}",
            v.len()
        );
    }
    assert!(body["page.url"]
        .as_str()
        .unwrap()
        .starts_with("https://app.example.com/?q=aaa"));
    assert!(body.to_string().len() < 16 * 1024);
    answer(&mut e, &s, status(200), T0 + 1.0);
    assert_eq!(e.stats().delivered, 1);
}

// ----------------------------------------- 11. the page goes away mid-burst

/// Item 11, the keepalive rule. A delivery that left with `keepalive` as
/// its page went away has an unknown outcome: the next page does not send
/// it again to a destination without `idempotencyHeader` (reported "sent"),
/// and does, with the same Idempotency-Key, to one that has it. A delivery
/// that was in flight without keepalive is sent again (it is the only kind
/// that may arrive twice).
///
/// 052d97b (shown: all five sent again): every stored
/// delivery was resumed, including those that had left with keepalive.
#[test]
fn after_the_page_went_away_keepalive_deliveries_are_not_sent_twice_to_a_non_idempotent_destination(
) {
    for idempotent in [false, true] {
        let settings = doc(json!({ "idempotencyHeader": idempotent }), json!({}));
        let mut e = engine_with(
            &settings,
            Limits {
                in_flight_per_destination: 2,
                ..Limits::default()
            },
        );
        let mut records: std::collections::BTreeMap<String, Value> = Default::default();
        let mut keep = |fx: &[Effect]| {
            for x in fx {
                match x {
                    Effect::Store { key, record } => {
                        records.insert(key.clone(), serde_json::from_str(record).unwrap());
                    }
                    Effect::Unstore { key } => {
                        records.remove(key);
                    }
                    _ => {}
                }
            }
        };
        for i in 0..5 {
            e.emit(
                "survey.submitted",
                props(json!({ "event.id": format!("b{i}") })),
                T0,
            );
        }
        e.poll(T0);
        let fx = e.take_effects();
        keep(&fx);
        let in_flight = sends(&fx);
        assert_eq!(in_flight.len(), 2);
        // The page goes away: the three waiting leave with keepalive.
        e.page_hidden(T0 + 1.0);
        let fx = e.take_effects();
        keep(&fx);
        let kept: Vec<Send> = sends(&fx);
        assert_eq!(kept.len(), 3);
        assert!(kept.iter().all(|s| s.keepalive));
        // No answer reaches the page. The next page takes the records.
        let all: Vec<Value> = records.values().cloned().collect();
        assert_eq!(all.len(), 5);
        let mut next = engine(&settings);
        next.adopt(&all, T0 + 10_000.0);
        let resent = drain_with(&mut next, T0 + 10_000.0, |_| status(200));
        let mut keys: Vec<&str> = resent.iter().map(|s| s.key.as_str()).collect();
        keys.sort();
        if idempotent {
            assert_eq!(keys, ["b0:w1", "b1:w1", "b2:w1", "b3:w1", "b4:w1"]);
            assert!(resent
                .iter()
                .all(|s| header(s, "Idempotency-Key") == Some(s.key.as_str())));
        } else {
            // Only the two that were in flight without keepalive.
            assert_eq!(keys, ["b0:w1", "b1:w1"]);
            let st = next.stats();
            assert_eq!((st.opaque, st.delivered), (3, 2), "{st:#?}");
        }
        balanced(&next);
    }
}

// ----------------------------------------------------------- 13. the clock

// Item 13 natively: tests/fuzz_regressions.rs,
// a_retry_after_the_clock_was_set_back_is_sent_when_due and
// an_adopted_record_from_the_future_is_sent_within_a_day.

// ------------------------------------------- 15. two destinations, one host

/// Item 15. Two destinations on one host, one of them hanging: the other
/// always has a connection of its own (the host's requests stay under the
/// browser's six HTTP/1.1 connections, and each destination keeps one).
///
/// 052d97b (shown: 8 in flight): each destination had 8
/// requests in flight whatever the host, so a hanging one held all six
/// connections and the other waited for its timeouts.
#[test]
fn a_hanging_destination_leaves_a_connection_to_another_on_its_host() {
    let d = json!({
        "version": 1,
        "destinations": [
            { "id": "hang", "url": "https://api.example.com/hang" },
            { "id": "ok", "url": "https://API.example.com/ok" }
        ],
        "webhooks": [
            { "id": "wh", "event": "survey.submitted", "destination": "hang" },
            { "id": "wo", "event": "menu.opened", "destination": "ok" }
        ]
    });
    let limits = Limits::default();
    let mut e = engine_with(&d, limits.clone());
    for i in 0..20 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("h{i}") })),
            T0,
        );
    }
    e.poll(T0);
    let hanging = sends(&e.take_effects());
    assert!(
        hanging.len() < 6,
        "under the browser's 6 connections: {}",
        hanging.len()
    );
    assert!(hanging.len() <= limits.in_flight_per_host);
    // The other destination's deliveries go at once, one after another.
    let mut now = T0 + 10.0;
    for i in 0..5 {
        e.emit(
            "menu.opened",
            props(json!({ "event.id": format!("o{i}") })),
            now,
        );
        e.poll(now);
        let s = only_send(&e.take_effects());
        assert!(s.request.url.ends_with("/ok"));
        now += 5.0;
        let fx = answer(&mut e, &s, status(200), now);
        assert!(sends(&fx).iter().all(|s| s.request.url.ends_with("/ok")));
    }
    assert_eq!(e.stats().delivered, 5);
}

// -------------------------------------------------- weak: retry ordering

/// Weak test: retry ordering. Retries go when each is due, earliest first
/// (not in the order they failed), and waiting deliveries of one
/// destination leave in the order they were emitted.
///
/// 052d97b passes it; it fails when retries are queued unsorted (shown).
#[test]
fn retries_go_earliest_due_first_and_new_deliveries_in_emit_order() {
    let mut e = engine_with(
        &doc(json!({}), json!({})),
        Limits {
            in_flight_per_destination: 1,
            ..Limits::default()
        },
    );
    let mut fx = Vec::new();
    for i in 0..4 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("q{i}") })),
            T0,
        );
    }
    e.poll(T0);
    fx.extend(e.take_effects());
    // One at a time, in emit order; each asks for a different wait.
    let waits = [3_000.0, 1_000.0, 4_000.0, 2_000.0];
    let mut order = Vec::new();
    let mut now = T0;
    for w in waits {
        let s = only_send(&fx);
        order.push(s.key.clone());
        now += 1.0;
        fx = answer(
            &mut e,
            &s,
            Answer::Status {
                code: 503,
                retry_after_ms: Some(w),
            },
            now,
        );
    }
    assert_eq!(order, ["q0:w1", "q1:w1", "q2:w1", "q3:w1"]);
    // Due order: q1 (T0+2+1000), q3 (T0+4+2000), q0 (T0+1+3000), q2 (T0+3+4000).
    let mut retried = Vec::new();
    for _ in 0..4 {
        let t = e.next_wakeup().expect("a retry is due");
        e.poll(t);
        let s = only_send(&e.take_effects());
        retried.push((s.key.clone(), t - T0));
        answer(&mut e, &s, status(200), t);
    }
    assert_eq!(
        retried,
        [
            ("q1:w1".to_string(), 1_002.0),
            ("q3:w1".to_string(), 2_004.0),
            ("q0:w1".to_string(), 3_001.0),
            ("q2:w1".to_string(), 4_003.0)
        ]
    );
    balanced(&e);
}

// ------------------------------------------------ weak: the 1 MiB queue bound

/// Weak test: the 1 MiB bound. Large events fill the byte bound long before
/// the count bound: the oldest waiting ones are dropped, each reported, and
/// what is held stays within 1 MiB.
///
/// 052d97b passes it; it fails without the byte bound (shown).
#[test]
fn the_queue_holds_at_most_1_mib_of_records() {
    let limits = Limits::default();
    assert_eq!(limits.queue_bytes, 1024 * 1024);
    let mut e = engine_with(&doc(json!({}), json!({})), limits.clone());
    e.set_online(false, T0);
    let text = "x".repeat(7_000);
    let mut dropped = Vec::new();
    for i in 0..400 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("m{i:03}"), "a": text, "b": text })),
            T0 + i as f64,
        );
        e.poll(T0 + i as f64);
        for r in reports(&e.take_effects()) {
            assert_eq!(r.outcome, Outcome::Dropped);
            assert!(r.error.as_deref().unwrap().contains("queue is full"));
            dropped.push(r.key);
        }
        assert!(e.book().held_bytes <= limits.queue_bytes, "{:?}", e.book());
    }
    let held = e.stats().queued as usize;
    assert!(held < 100 && held > 50, "about 1 MiB / 14 KB: {held}");
    assert_eq!(dropped.len(), 400 - held);
    // The oldest went first.
    assert_eq!(dropped[0], "m000:w1");
    assert_eq!(
        dropped[dropped.len() - 1],
        format!("m{:03}:w1", 400 - held - 1)
    );
    balanced(&e);
}

// --------------------------------------------- weak: 410 with requests in flight

/// Weak test: a 410 while other requests of the destination are in flight.
/// The waiting ones are dropped at once; each in-flight one is settled by
/// its own answer (a 2xx is still delivered, anything else dropped as gone,
/// never retried); nothing more is sent to it.
///
/// 052d97b passes it; it fails when a gone destination's answers are
/// settled as usual (shown: the 503 is retried).
#[test]
fn a_410_with_requests_in_flight_settles_each_and_sends_nothing_more() {
    let mut e = engine_with(
        &doc(json!({}), json!({})),
        Limits {
            in_flight_per_destination: 3,
            ..Limits::default()
        },
    );
    for i in 0..6 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("g{i}") })),
            T0,
        );
    }
    e.poll(T0);
    let s = sends(&e.take_effects());
    assert_eq!(s.len(), 3);
    let fx = answer(&mut e, &s[0], status(410), T0 + 1.0);
    assert!(sends(&fx).is_empty());
    let r = reports(&fx);
    assert_eq!(r.len(), 4, "the answered one and the three waiting: {r:#?}");
    assert!(r.iter().all(|r| r.outcome == Outcome::Dropped));
    assert_eq!(e.stats().in_flight, 2);
    let fx = answer(&mut e, &s[1], status(200), T0 + 2.0);
    assert_eq!(reports(&fx)[0].outcome, Outcome::Delivered);
    let fx = answer(&mut e, &s[2], status(503), T0 + 3.0);
    let r = reports(&fx);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].outcome, Outcome::Dropped, "not retried: {r:#?}");
    assert!(sends(&fx).is_empty());
    assert_eq!(e.next_wakeup(), None);
    let st = e.stats();
    assert_eq!(
        (st.delivered, st.dropped, st.queued, st.in_flight),
        (1, 5, 0, 0)
    );
    balanced(&e);
}

// ---------------------------------------------- weak: the 512-character cut

/// Weak test: `matches` looks at the first 512 characters (not bytes) of a
/// text: a match at character 511 counts, one at 512 does not.
///
/// 052d97b (shown): it cut at 512 bytes, so 511 `é` and an `x` did not
/// match; it also fails with a cut at 600 characters (shown).
#[test]
fn matches_looks_at_the_first_512_characters() {
    use walkme_webhooks::core::condition::Conditions;
    use walkme_webhooks::core::event::Event;
    use walkme_webhooks::core::host::NativeHost;
    let s = valid(&doc(
        json!({}),
        json!({ "conditions": [{ "property": "t", "operator": "matches", "value": "x" }] }),
    ));
    let c = Conditions::compile(&s.webhooks[0].conditions, &NativeHost).unwrap();
    let test = |t: String| {
        c.test(
            &Event::from_pairs(vec![("t".into(), Value::String(t))]),
            &NativeHost,
        )
    };
    for pad in ["a", "é", "😀"] {
        assert!(test(pad.repeat(511) + "x"), "{pad}: character 511");
        assert!(!test(pad.repeat(512) + "x"), "{pad}: character 512");
    }
}

// ------------------------------------------------------ 14. a burst's work

/// Item 14, natively. 100,000 emits hold at most the queue bound (memory is
/// bounded by it, not by the burst), and the records of what is held are
/// written over several polls of at most [`Limits::records_per_poll`], the
/// next one due at once, so no single call of the engine grows with the
/// burst; leaving the page writes the rest at once.
///
/// 052d97b (shown: 100,000 held before the first poll): every pending
/// delivery was
/// built and stored in one call after the loop (a 1.6–2.2 s task).
#[test]
fn a_burst_of_100k_emits_holds_the_queue_bound_and_stores_in_bounded_polls() {
    let limits = Limits::default();
    let mut e = engine_with(
        &doc(json!({}), json!({ "properties": ["n"] })),
        limits.clone(),
    );
    e.set_online(false, T0);
    for i in 0..100_000 {
        e.emit(
            "survey.submitted",
            vec![("n".into(), Value::from(i as f64))],
            T0,
        );
        assert!(e.book().held <= limits.queue_count);
    }
    let st = e.stats();
    assert_eq!(
        (st.matched, st.queued),
        (100_000, limits.queue_count as u64)
    );
    let mut polls = 0;
    let mut now = T0;
    loop {
        e.poll(now);
        let fx = e.take_effects();
        polls += 1;
        assert!(
            stored_keys(&fx).len() <= limits.records_per_poll,
            "{} records in one poll",
            stored_keys(&fx).len()
        );
        assert!(reports(&fx).len() <= limits.drop_reports + 1);
        match e.next_wakeup() {
            Some(t) => {
                assert_eq!(t, now, "the next poll is due at once");
                now += 1.0;
            }
            None => break,
        }
    }
    assert_eq!(
        polls,
        limits.queue_count.div_ceil(limits.records_per_poll),
        "{polls} polls"
    );
    assert_eq!(e.stats().stored, limits.queue_count as u64);
    // Leaving the page (or stop()) writes everything at once.
    let mut e = engine(&doc(json!({}), json!({})));
    e.set_online(false, T0);
    for i in 0..1_000 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("h{i}") })),
            T0,
        );
    }
    e.page_hidden(T0);
    let fx = e.take_effects();
    assert_eq!(stored_keys(&fx).len(), 1_000);
    balanced(&e);
    // So does taking records over: the page removes the old ones at once.
    let records: Vec<Value> = fx
        .iter()
        .filter_map(|x| match x {
            Effect::Store { record, .. } => Some(serde_json::from_str(record).unwrap()),
            _ => None,
        })
        .collect();
    let mut next = engine(&doc(json!({}), json!({})));
    next.set_online(false, T0);
    assert_eq!(next.adopt(&records, T0 + 10_000.0), 1_000);
    assert_eq!(stored_keys(&next.take_effects()).len(), 1_000);
}

/// Item 11, found by the browser test: a page that went away with many
/// deliveries waiting sent them all with keepalive, but Chromium fails
/// keep-alive requests past 256 in flight, unseen by a page that is gone,
/// and the next page did not send them again (their records said they had
/// left): 571 of 1,200 lost. At most [`Limits::keepalive_requests`] leave
/// with keepalive; the rest stay stored, not marked, for the next page.
///
/// 052d97b (shown): 1,000 left with keepalive.
#[test]
fn leaving_the_page_sends_at_most_the_keepalive_count_and_keeps_the_rest() {
    let limits = Limits::default();
    let settings = doc(json!({}), json!({ "properties": ["n"] }));
    let mut e = engine_with(&settings, limits.clone());
    let mut records: std::collections::BTreeMap<String, Value> = Default::default();
    for i in 0..1_000 {
        e.emit(
            "survey.submitted",
            props(json!({ "event.id": format!("k{i:04}"), "n": i })),
            T0,
        );
    }
    e.page_hidden(T0);
    let fx = e.take_effects();
    for x in &fx {
        if let Effect::Store { key, record } = x {
            records.insert(key.clone(), serde_json::from_str(record).unwrap());
        }
    }
    let keepalive = sends(&fx).iter().filter(|s| s.keepalive).count();
    assert!(
        keepalive > 0 && keepalive <= limits.keepalive_requests,
        "{keepalive}"
    );
    assert_eq!(e.book().keepalive_requests, keepalive);
    assert_eq!(e.check_bookkeeping(), Ok(()));
    // The next page: what left with keepalive is not sent again (no
    // idempotencyHeader); everything else is.
    let all: Vec<Value> = records.into_values().collect();
    assert_eq!(all.len(), 1_000);
    let mut next = engine(&settings);
    next.adopt(&all, T0 + 10_000.0);
    let resent = drain_with(&mut next, T0 + 10_000.0, |_| status(200));
    let sent_before = sends(&fx).len();
    assert_eq!(resent.len() + keepalive, 1_000 - (sent_before - keepalive));
    let st = next.stats();
    assert_eq!(st.opaque as usize, keepalive);
    balanced(&next);
}
