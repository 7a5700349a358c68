//! The delivery engine driven by a sequence of operations decoded from the
//! bytes: emit, poll, answers (any status, `Retry-After` text, opaque,
//! network errors, timeouts, unknown and repeated attempt ids), tokens and
//! token errors, providers, online/offline, page hide, settings updates,
//! adoption of fuzzed or own stored records, storage failures, identify and
//! context changes, and a clock that mostly moves forward.
//!
//! After every step: `matched + resumed == delivered + opaque + failed +
//! dropped + queued`, the gauges agree (in flight = attempts not answered
//! yet, stored/retrying/in flight <= queued), no secret (published token,
//! password, client secret, provided token, or their base64) appears in a
//! stored record or a report, and every stored record reads back as the
//! delivery of its key, and `stats().stored` is the number of records in
//! storage (as the Store/Unstore effects and refused writes leave it). At the
//! end, with everything answered and the clock run forward, the queue drains
//! and every record written is removed.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use walkme_webhooks::core::auth::{base64, token_from_response};
use walkme_webhooks::core::engine::{Context, Effect, Engine, Limits};
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::queue::Delivery;
use walkme_webhooks::core::retry::{parse_retry_after, Answer};
use walkme_webhooks::core::settings::{Auth, Settings};
use walkme_webhooks::core::value::Value;
use walkme_webhooks_fuzz as g;
use walkme_webhooks_fuzz::{Shape, SECRET_MARK};

const T0: f64 = 1_700_000_000_000.0;

/// Published secrets all carry [`SECRET_MARK`]; generated text never does.
const RICH: &str = r#"{
  "version": 1,
  "destinations": [
    { "id": "d1", "url": "https://example.com/hook/{{user.id}}?s={{answer.value}}",
      "auth": { "type": "bearer", "token": "§bearer-d1" },
      "headers": [ { "name": "X-Team", "value": "cs" } ],
      "idempotencyHeader": true, "maxAttempts": 3, "timeoutMs": 100,
      "body": { "text": "{{user.id}} answered {{answer.value}}", "all": "{{properties}}" } },
    { "id": "d2", "url": "https://basic.example.com/x", "method": "PUT",
      "auth": { "type": "basic", "username": "user", "password": "§basic-pw" }, "maxAttempts": 25 },
    { "id": "d3", "url": "https://oauth.example.com/x",
      "auth": { "type": "oauth2", "tokenUrl": "https://auth.example.com/token", "clientId": "c",
                "clientSecret": "§oauth-secret", "scope": "s" }, "maxAttempts": 2 },
    { "id": "d4", "url": "https://provider.example.com/x", "auth": { "type": "bearer" }, "maxAttempts": 1 },
    { "id": "d5", "url": "http://localhost:8787/r?x=1", "method": "GET", "mode": "simple" },
    { "id": "d6", "url": "https://nocors.example.com/", "mode": "no-cors" }
  ],
  "webhooks": [
    { "id": "w1", "event": "survey.submitted", "destination": "d1" },
    { "id": "w2", "event": "survey.submitted", "destination": "d2",
      "conditions": [ { "property": "answer.value", "operator": "lte", "value": 6 } ] },
    { "id": "w3", "event": "survey.submitted", "destination": "d3",
      "properties": [ { "name": "user.id", "as": "uid", "hash": true }, "answer.value" ] },
    { "id": "w4", "event": "launcher.clicked", "destination": "d4" },
    { "id": "w5", "event": "survey.submitted", "destination": "d5",
      "static": [ { "name": "app", "value": "x" } ] },
    { "id": "w6", "event": "launcher.clicked", "destination": "d6",
      "conditions": [ { "property": "a", "operator": "exists", "join": "or" },
                      { "property": "b", "operator": "matches", "value": "^x", "ignoreCase": true } ] },
    { "id": "w7", "event": "swt.started", "enabled": false, "destination": "d1" }
  ]
}"#;

/// RICH re-published: two destinations gone, d1's token changed.
const SMALLER: &str = r#"{
  "version": 1,
  "destinations": [
    { "id": "d1", "url": "https://example.com/v2", "auth": { "type": "bearer", "token": "§bearer-d1-v2" },
      "maxAttempts": 4 },
    { "id": "d4", "url": "https://provider.example.com/x", "auth": { "type": "basic", "username": "u" } },
    { "id": "d6", "url": "https://nocors.example.com/", "mode": "no-cors" }
  ],
  "webhooks": [
    { "id": "w1", "event": "survey.submitted", "destination": "d1" },
    { "id": "w4", "event": "launcher.clicked", "destination": "d4" },
    { "id": "w6", "event": "survey.submitted", "destination": "d6" }
  ]
}"#;

const CONTRACT: &str = include_str!("../../tests/fixtures/contract-example.json");

struct Harness {
    engine: Engine,
    now: f64,
    /// Attempts sent and not answered yet.
    outstanding: Vec<u64>,
    answered: Vec<u64>,
    /// Destinations that asked for a token.
    token_wait: Vec<String>,
    /// Keys with a record in storage (as the Store/Unstore effects say).
    stored: HashSet<String>,
    /// Records written, to adopt again (a second tab, a reload).
    records: Vec<Value>,
    /// Every secret, and the base64 forms `Authorization: Basic` would use.
    secrets: Vec<String>,
    storage_failed: bool,
    destinations: Vec<String>,
    events: Vec<String>,
    tokens: u32,
    /// The latest time the engine has been given.
    latest: f64,
}

fn settings_variant(u: &mut Unstructured) -> Result<Settings> {
    let host = NativeHost;
    Ok(match u.int_in_range(0..=7u8)? {
        0 => Settings::from_json(CONTRACT, &host).expect("contract example"),
        1 => Settings::from_json(SMALLER, &host).expect("smaller"),
        2 | 3 => {
            // A fuzzed document, when it is valid, with its secrets marked.
            let doc = g::document(
                u,
                Shape {
                    finite: true,
                    depth: 3,
                },
            )?;
            match Settings::parse(&doc, &host) {
                Ok(mut s) => {
                    for (i, d) in s.destinations.iter_mut().enumerate() {
                        match &mut d.auth {
                            Auth::Bearer { token: Some(t) } => *t = format!("{SECRET_MARK}b{i}"),
                            Auth::Basic {
                                password: Some(p), ..
                            } => *p = format!("{SECRET_MARK}p{i}"),
                            Auth::OAuth2 {
                                client_secret: Some(c),
                                ..
                            } => *c = format!("{SECRET_MARK}c{i}"),
                            _ => {}
                        }
                    }
                    s
                }
                Err(_) => Settings::from_json(RICH, &host).expect("rich"),
            }
        }
        _ => Settings::from_json(RICH, &host).expect("rich"),
    })
}

impl Harness {
    fn learn(&mut self, s: &Settings) {
        for d in &s.destinations {
            match &d.auth {
                Auth::Bearer { token: Some(t) } => self.secret(t.clone()),
                Auth::Basic {
                    username,
                    password: Some(p),
                } => {
                    if p.contains(SECRET_MARK) {
                        let pair = base64(format!("{username}:{p}").as_bytes());
                        self.secrets.push(pair.trim_end_matches('=').to_string());
                    }
                    self.secret(p.clone());
                }
                Auth::OAuth2 {
                    client_secret: Some(c),
                    ..
                } => self.secret(c.clone()),
                _ => {}
            }
            if !self.destinations.contains(&d.id) {
                self.destinations.push(d.id.clone());
            }
        }
        for w in &s.webhooks {
            if !self.events.contains(&w.event) {
                self.events.push(w.event.clone());
            }
        }
    }

    /// Tracks a secret; only marked ones (generated text may hold the same
    /// characters as an unmarked token, in a body, legitimately).
    fn secret(&mut self, s: String) {
        if s.contains(SECRET_MARK) {
            self.secrets
                .push(base64(s.as_bytes()).trim_end_matches('=').to_string());
            self.secrets.push(s);
        }
    }

    fn leaks(&self, text: &str) -> Option<&str> {
        if text.contains(SECRET_MARK) {
            return Some("the secret mark");
        }
        self.secrets
            .iter()
            .find(|s| s.len() >= 8 && text.contains(s.as_str()))
            .map(String::as_str)
    }

    /// Takes the effects and checks every invariant.
    fn settle(&mut self) {
        for effect in self.engine.take_effects() {
            trace(|| format!("  {:.300}", format!("{effect:?}")));
            match effect {
                Effect::Store { key, record } => {
                    if let Some(s) = self.leaks(&record) {
                        panic!("a stored record holds a secret ({s:?}): {record}");
                    }
                    let v: Value = match serde_json::from_str(&record) {
                        Ok(v) => v,
                        Err(e) => panic!("a stored record is not JSON ({e}): {record}"),
                    };
                    match Delivery::from_record(&v) {
                        Some(d) => assert_eq!(d.key, key, "a record stored under another key"),
                        None => panic!("a stored record does not read back: {record}"),
                    }
                    self.stored.insert(key);
                    if self.records.len() < 8 {
                        self.records.push(v);
                    }
                }
                Effect::Unstore { key } => {
                    self.stored.remove(&key);
                }
                Effect::Send(s) => {
                    assert!(
                        !self.outstanding.contains(&s.id),
                        "attempt id {} reused",
                        s.id
                    );
                    self.outstanding.push(s.id);
                }
                Effect::FetchToken { destination, .. } | Effect::AskToken { destination } => {
                    self.token_wait.push(destination);
                }
                Effect::Report(r) => {
                    let text = format!("{r:?}");
                    if let Some(s) = self.leaks(&text) {
                        panic!("a report holds a secret ({s:?}): {text}");
                    }
                }
            }
        }
        let s = self.engine.stats();
        trace(|| format!("  {s:?}"));
        assert_eq!(
            s.matched + s.resumed,
            s.delivered + s.opaque + s.failed + s.dropped + s.queued,
            "unbalanced: {s:#?}"
        );
        assert_eq!(
            s.in_flight,
            self.outstanding.len() as u64,
            "in flight != attempts not answered: {s:#?}"
        );
        assert!(s.stored <= s.queued, "{s:#?}");
        if !self.storage_failed {
            assert_eq!(
                s.stored as usize,
                self.stored.len(),
                "stats().stored is not the number of records in storage: {:?}",
                self.stored
            );
        }
        assert!(s.retrying + s.in_flight <= s.queued, "{s:#?}");
        assert_eq!(s.storage_degraded, self.storage_failed);
    }

    fn retry_after(&self, u: &mut Unstructured) -> Result<Option<f64>> {
        if u.ratio(1, 2)? {
            return Ok(None);
        }
        let text = if u.ratio(3, 4)? {
            g::pick(u, g::RETRY_AFTER)?.to_string()
        } else {
            g::text(u)?
        };
        Ok(parse_retry_after(&text, self.now))
    }

    fn answer(&mut self, u: &mut Unstructured) -> Result<Answer> {
        Ok(match u.int_in_range(0..=9u8)? {
            0..=5 => Answer::Status {
                code: if u.ratio(7, 8)? {
                    *g::pick(
                        u,
                        &[
                            200, 201, 204, 301, 304, 400, 401, 403, 404, 408, 410, 429, 500, 502,
                            503, 0, 99, 600, 999,
                        ],
                    )?
                } else {
                    u.arbitrary()?
                },
                retry_after_ms: self.retry_after(u)?,
            },
            6 => Answer::Opaque,
            7 => Answer::Timeout,
            _ => Answer::Network(g::text(u)?),
        })
    }

    fn destination(&self, u: &mut Unstructured) -> Result<String> {
        Ok(match u.int_in_range(0..=7u8)? {
            0..=3 if !self.token_wait.is_empty() => g::pick(u, &self.token_wait)?.clone(),
            0..=5 if !self.destinations.is_empty() => g::pick(u, &self.destinations)?.clone(),
            _ => g::text(u)?,
        })
    }

    fn step(&mut self, u: &mut Unstructured) -> Result<()> {
        let op = u.int_in_range(0..=19u8)?;
        trace(|| format!("op {op} at {}", self.now));
        match op {
            0..=4 => {
                let kind = match u.int_in_range(0..=7u8)? {
                    0..=5 if !self.events.is_empty() => g::pick(u, &self.events)?.clone(),
                    _ => g::event_id(u)?,
                };
                let js = u.arbitrary::<bool>()?;
                let mut props = g::props(
                    u,
                    Shape {
                        finite: !js,
                        depth: 10,
                    },
                )?;
                let id = match u.int_in_range(0..=5u8)? {
                    0 | 1 => None,
                    2 => Some(Value::String(
                        g::pick(u, &["e1", "e2", "ev-1"])?.to_string(),
                    )),
                    3 => Some(Value::Number(g::number(u, !js)?)),
                    _ => Some(Value::String(g::text(u)?)),
                };
                if let Some(id) = id {
                    props.insert(0, ("event.id".into(), id));
                }
                trace(|| format!("  emit {kind} {props:.200?}"));
                self.engine.emit(&kind, props, self.now);
                if u.ratio(7, 8)? {
                    self.engine.poll(self.now);
                }
            }
            5..=8 => {
                let answer = self.answer(u)?;
                let id = if !self.outstanding.is_empty() && u.ratio(7, 8)? {
                    let i = u.choose_index(self.outstanding.len())?;
                    let id = self.outstanding.swap_remove(i);
                    self.answered.push(id);
                    id
                } else if !self.answered.is_empty() && u.ratio(1, 2)? {
                    *g::pick(u, &self.answered)?
                } else {
                    let id = u.arbitrary::<u64>()?;
                    if let Some(i) = self.outstanding.iter().position(|&o| o == id) {
                        self.outstanding.swap_remove(i);
                    }
                    id
                };
                self.engine.answer(id, answer, self.now);
            }
            9 => {
                let dest = self.destination(u)?;
                self.token_wait.retain(|d| *d != dest);
                let result = if u.ratio(3, 4)? {
                    self.tokens += 1;
                    let token = if u.ratio(7, 8)? {
                        format!("{SECRET_MARK}tok-{}", self.tokens)
                    } else {
                        g::text(u)?
                    };
                    let mut answer = vec![("access_token".to_string(), Value::String(token))];
                    if u.arbitrary()? {
                        let expires = if u.arbitrary()? {
                            Value::Number(g::number(u, false)?)
                        } else {
                            Value::String(g::text(u)?)
                        };
                        answer.push(("expires_in".into(), expires));
                    }
                    if g::rare(u, 8)? {
                        answer.push(("error".into(), Value::String(g::text(u)?)));
                    }
                    token_from_response(&Value::Object(answer))
                } else {
                    Err(g::text(u)?)
                };
                if let Ok((t, _)) = &result {
                    self.secret(t.clone());
                }
                self.engine.token(&dest, result, self.now);
            }
            10 => {
                let dest = self.destination(u)?;
                let present = u.arbitrary()?;
                self.engine.set_provider(&dest, present, self.now);
            }
            11 => {
                let online = u.ratio(2, 3)?;
                self.engine.set_online(online, self.now);
            }
            12 => self.engine.page_hidden(self.now),
            13 => {
                let n = u.int_in_range(0..=4usize)?;
                let mut records = Vec::with_capacity(n);
                for _ in 0..n {
                    if !self.records.is_empty() && u.ratio(1, 3)? {
                        records.push(g::pick(u, &self.records)?.clone());
                    } else {
                        let finite = u.arbitrary()?;
                        records.push(g::record(
                            u,
                            Shape { finite, depth: 2 },
                            &self.destinations,
                        )?);
                    }
                }
                trace(|| format!("  adopt {records:?}"));
                let taken = self.engine.adopt(&records, self.now);
                assert!(taken <= records.len());
            }
            14 => {
                let key = if !self.stored.is_empty() && u.ratio(3, 4)? {
                    let keys: Vec<&String> = self.stored.iter().collect();
                    (*g::pick(u, &keys)?).clone()
                } else {
                    g::text(u)?
                };
                self.storage_failed = true;
                // A refused write leaves the record it would have replaced.
                self.engine.store_failed(&key);
            }
            15 => {
                let s = settings_variant(u)?;
                self.learn(&s);
                self.engine.update(s, self.now);
            }
            16 => {
                let id = if u.ratio(3, 4)? {
                    Some(g::text(u)?)
                } else {
                    None
                };
                let traits = g::props(
                    u,
                    Shape {
                        finite: false,
                        depth: 2,
                    },
                )?;
                self.engine.identify(id, traits);
            }
            17 => {
                self.engine.set_context(Context {
                    session_id: g::text(u)?,
                    url: g::url(u, false)?,
                    path: g::text(u)?,
                    title: g::text(u)?,
                    referrer: g::text(u)?,
                    language: g::text(u)?,
                    user_agent: g::text(u)?,
                });
            }
            _ => {
                let dt = if u.ratio(15, 16)? {
                    *g::pick(
                        u,
                        &[
                            0.0,
                            1.0,
                            99.0,
                            100.0,
                            1_000.0,
                            2_001.0,
                            60_000.0,
                            300_000.0,
                            3_600_000.0,
                            86_400_000.0,
                        ],
                    )? + f64::from(u.arbitrary::<u16>()?)
                } else {
                    // A clock set back (Date.now is not monotonic).
                    -f64::from(u.arbitrary::<u32>()?)
                };
                self.now += dt;
                self.latest = self.latest.max(self.now);
                self.engine.poll(self.now);
            }
        }
        self.settle();
        Ok(())
    }

    /// Answers everything, gives every token, runs the clock forward: the
    /// queue must drain and every record written must be removed.
    fn drain(&mut self) {
        self.engine.set_online(true, self.now);
        self.settle();
        for _ in 0..80 {
            for id in std::mem::take(&mut self.outstanding) {
                self.engine.answer(
                    id,
                    Answer::Status {
                        code: 200,
                        retry_after_ms: None,
                    },
                    self.now,
                );
            }
            for dest in std::mem::take(&mut self.token_wait) {
                self.tokens += 1;
                let t = format!("{SECRET_MARK}final-{}", self.tokens);
                self.secret(t.clone());
                self.engine.token(&dest, Ok((t, 3600.0)), self.now);
            }
            self.settle();
            if self.engine.stats().queued == 0 {
                break;
            }
            self.now += 25.0 * 3_600_000.0;
            self.engine.poll(self.now);
            self.settle();
        }
        let s = self.engine.stats();
        assert_eq!(
            (s.queued, s.in_flight, s.stored),
            (0, 0, 0),
            "the queue does not drain: {s:#?}\nnow {} (latest clock seen {}), next wake-up {:?}",
            self.now,
            self.latest,
            self.engine.next_wakeup()
        );
        assert!(
            self.stored.is_empty(),
            "records left in storage: {:?}",
            self.stored
        );
    }
}

/// `WMWH_FUZZ_TRACE=1`: print every operation, effect and the stats (to
/// read what a reproducer does).
fn trace(line: impl FnOnce() -> String) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("WMWH_FUZZ_TRACE").is_some()) {
        eprintln!("{}", line());
    }
}

fn run(u: &mut Unstructured) -> Result<()> {
    let settings = settings_variant(u)?;
    let limits = match u.int_in_range(0..=3u8)? {
        0 => Limits {
            in_flight_per_destination: 1,
            queue_count: 3,
            queue_bytes: 2_000,
            keepalive_bytes: 500,
            base_delay_ms: 1.0,
            max_delay_ms: 10.0,
        },
        1 => Limits {
            in_flight_per_destination: 2,
            queue_count: 8,
            queue_bytes: 64 * 1024,
            keepalive_bytes: 4 * 1024,
            ..Limits::default()
        },
        _ => Limits::default(),
    };
    let mut h = Harness {
        engine: Engine::new(
            settings.clone(),
            Box::new(NativeHost),
            u.arbitrary()?,
            limits,
        ),
        now: T0,
        outstanding: Vec::new(),
        answered: Vec::new(),
        token_wait: Vec::new(),
        stored: HashSet::new(),
        records: Vec::new(),
        secrets: Vec::new(),
        storage_failed: false,
        destinations: Vec::new(),
        events: Vec::new(),
        tokens: 0,
        latest: T0,
    };
    h.learn(&settings);
    for _ in 0..64 {
        if u.is_empty() {
            break;
        }
        if h.step(u).is_err() {
            break;
        }
    }
    h.drain();
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    walkme_webhooks_fuzz::reset_budget();
    let mut u = Unstructured::new(data);
    let _ = run(&mut u);
});
