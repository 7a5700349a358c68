//! The delivery engine: a state machine that turns events into deliveries
//! and answers into retries, drops and reports.
//!
//! It never touches the browser. Inputs are method calls with the current
//! time (`now`, ms since the epoch); outputs are [`Effect`]s that the shell
//! carries out in order (store a record, send a request, fetch a token,
//! report). A native test drives it with a fake clock.
//!
//! Guarantees it keeps:
//! - every delivery is stored (within the storage budget) before it is sent,
//!   and removed from storage only once delivered or definitively dropped;
//! - each destination has its own queue and its own in-flight limit, so a
//!   slow or dead destination never holds up another one;
//! - nothing is dropped without a report saying why.

use super::auth;
use super::catalog;
use super::condition::Conditions;
use super::event::Event;
use super::host::Host;
use super::queue::Delivery;
use super::request::{self, Request};
use super::retry::{self, Answer, Verdict};
use super::settings::{Auth, Settings, DEFAULT_MAX_ATTEMPTS};
use super::value::Value;
use std::collections::VecDeque;
use std::rc::Rc;

/// Where the page is, for the common event properties.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// `session.id`
    pub session_id: String,
    /// `page.url`
    pub url: String,
    /// `page.path`
    pub path: String,
    /// `page.title`
    pub title: String,
    /// `page.referrer`
    pub referrer: String,
    /// `env.language`
    pub language: String,
    /// `env.userAgent`
    pub user_agent: String,
}

/// Bounds of the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Requests in flight per destination. Browsers open 6 connections per
    /// HTTP/1.1 host; a few more keep HTTP/2 busy without queueing requests
    /// in the browser, where their timeouts would run before they are sent.
    pub in_flight_per_destination: usize,
    /// Deliveries this page holds (waiting, retrying or in flight), each one
    /// also in browser storage. Past it, the oldest waiting delivery of the
    /// destination with the longest queue is dropped (a dead destination
    /// loses its own backlog first, never a healthy one's).
    pub queue_count: usize,
    /// Bytes (of stored records) this page holds, under the same rule; well
    /// below browsers' 5 MiB localStorage quota, which the host page shares.
    pub queue_bytes: usize,
    /// Body bytes in flight with `keepalive` (the browser allows 64 KiB per page).
    pub keepalive_bytes: usize,
    /// First retry delay (doubles per attempt, with jitter).
    pub base_delay_ms: f64,
    /// Longest retry delay.
    pub max_delay_ms: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            in_flight_per_destination: 8,
            queue_count: 2_000,
            queue_bytes: 1024 * 1024,
            keepalive_bytes: 60 * 1024,
            base_delay_ms: retry::BASE_DELAY_MS,
            max_delay_ms: retry::MAX_DELAY_MS,
        }
    }
}

/// How an attempt or a delivery ended, for `onDelivery`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Confirmed by a 2xx/3xx answer.
    Delivered,
    /// `no-cors`: sent, the answer is opaque.
    Sent,
    /// Will be tried again.
    Retry,
    /// Given up after `maxAttempts`.
    Failed,
    /// Not sent and not retried (4xx, 410, queue bound, too large, ...).
    Dropped,
}

impl Outcome {
    /// The `onDelivery` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Sent => "sent",
            Outcome::Retry => "retry",
            Outcome::Failed => "failed",
            Outcome::Dropped => "dropped",
        }
    }
}

/// One `onDelivery` report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Webhook id.
    pub webhook: String,
    /// Event id.
    pub event: String,
    /// Destination id.
    pub destination: String,
    /// Delivery key.
    pub key: String,
    /// Attempt number (0 when never sent).
    pub attempt: u32,
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// Outcome.
    pub outcome: Outcome,
    /// Why, for anything but delivered.
    pub error: Option<String>,
    /// Duration of the attempt in ms (0 when never sent).
    pub ms: f64,
}

impl Report {
    /// The `onDelivery` object: `{ webhookId, eventId, destinationId, key,
    /// attempt, status, outcome, error, ms }`.
    pub fn to_value(&self) -> Value {
        Value::Object(vec![
            ("webhookId".into(), self.webhook.clone().into()),
            ("eventId".into(), self.event.clone().into()),
            ("destinationId".into(), self.destination.clone().into()),
            ("key".into(), self.key.clone().into()),
            ("attempt".into(), Value::Number(self.attempt.into())),
            (
                "status".into(),
                self.status.map_or(Value::Null, |s| Value::Number(s.into())),
            ),
            ("outcome".into(), self.outcome.as_str().into()),
            (
                "error".into(),
                self.error.clone().map_or(Value::Null, Value::String),
            ),
            ("ms".into(), Value::Number(self.ms.round())),
        ])
    }
}

/// A request to hand to `fetch`.
#[derive(Clone, Debug, PartialEq)]
pub struct Send {
    /// Attempt id, echoed back in [`Engine::answer`].
    pub id: u64,
    /// Delivery key (for logs).
    pub key: String,
    /// Attempt number of the delivery (1 for the first).
    pub attempt: u32,
    /// The request (headers include `Authorization` when there is one).
    pub request: Request,
    /// Send with `keepalive` (survives the page going away).
    pub keepalive: bool,
    /// Abort after this long.
    pub timeout_ms: u32,
}

/// What the shell must do, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Write (or overwrite) the record of a delivery.
    Store {
        /// Delivery key.
        key: String,
        /// Record (JSON, no secrets).
        record: String,
    },
    /// Remove the record of a delivery.
    Unstore {
        /// Delivery key.
        key: String,
    },
    /// Send a request.
    Send(Send),
    /// Get an OAuth 2.0 token: POST `body` (form-encoded) to `url`.
    FetchToken {
        /// Destination id.
        destination: String,
        /// Token endpoint.
        url: String,
        /// Form body.
        body: String,
    },
    /// Ask the host page's token provider.
    AskToken {
        /// Destination id.
        destination: String,
    },
    /// Tell `onDelivery` listeners.
    Report(Report),
}

/// Counters for `stats()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Deliveries created by matching events.
    pub matched: u64,
    /// Requests sent (every attempt).
    pub sent: u64,
    /// Deliveries confirmed.
    pub delivered: u64,
    /// `no-cors` deliveries sent without confirmation.
    pub opaque: u64,
    /// Deliveries waiting for a retry.
    pub retrying: u64,
    /// Deliveries given up after `maxAttempts`.
    pub failed: u64,
    /// Deliveries dropped (4xx, 410, bounds, too large, removed destination).
    pub dropped: u64,
    /// Deliveries not finished yet (waiting, retrying or in flight).
    pub queued: u64,
    /// Requests in flight.
    pub in_flight: u64,
    /// Deliveries with a copy in browser storage.
    pub stored: u64,
    /// Deliveries resumed from storage (earlier page, crashed tab).
    pub resumed: u64,
    /// Whether storage failed (quota) and the queue runs in memory only.
    pub storage_degraded: bool,
}

impl Stats {
    /// The `stats()` object.
    pub fn to_value(&self) -> Value {
        let n = |v: u64| Value::Number(v as f64);
        Value::Object(vec![
            ("matched".into(), n(self.matched)),
            ("sent".into(), n(self.sent)),
            ("delivered".into(), n(self.delivered)),
            ("opaque".into(), n(self.opaque)),
            ("retrying".into(), n(self.retrying)),
            ("failed".into(), n(self.failed)),
            ("dropped".into(), n(self.dropped)),
            ("queued".into(), n(self.queued)),
            ("inFlight".into(), n(self.in_flight)),
            ("stored".into(), n(self.stored)),
            ("resumed".into(), n(self.resumed)),
            ("storageDegraded".into(), self.storage_degraded.into()),
        ])
    }
}

struct InFlight {
    id: u64,
    delivery: Delivery,
    started: f64,
    keepalive: usize,
    token_gen: u32,
}

/// Per-destination state; it outlives settings updates (keyed by id).
struct Lane {
    id: String,
    ready: VecDeque<Delivery>,
    /// Waiting for a later time, sorted by `next_at`.
    later: Vec<Delivery>,
    in_flight: Vec<InFlight>,
    token: Option<(String, f64)>,
    token_gen: u32,
    token_pending: bool,
    provider: bool,
    gone: bool,
}

impl Lane {
    fn new(id: &str) -> Lane {
        Lane {
            id: id.to_string(),
            ready: VecDeque::new(),
            later: Vec::new(),
            in_flight: Vec::new(),
            token: None,
            token_gen: 0,
            token_pending: false,
            provider: false,
            gone: false,
        }
    }

    fn len(&self) -> usize {
        self.ready.len() + self.later.len() + self.in_flight.len()
    }

    fn schedule(&mut self, d: Delivery, now: f64) {
        if d.next_at <= now {
            self.ready.push_back(d);
        } else {
            let at = self.later.partition_point(|o| o.next_at <= d.next_at);
            self.later.insert(at, d);
        }
    }

    fn valid_token(&self, now: f64) -> Option<&str> {
        self.token
            .as_ref()
            .filter(|(_, exp)| *exp > now)
            .map(|(t, _)| t.as_str())
    }
}

/// The engine. See the module docs.
pub struct Engine {
    host: Box<dyn Host>,
    settings: Settings,
    conditions: Vec<Conditions>,
    /// Webhook indices per catalog event (catalog order).
    by_event: Vec<Vec<usize>>,
    pending: Vec<(Rc<Event>, usize)>,
    lanes: Vec<Lane>,
    context: Context,
    /// Context and user properties, shared by every event until they change.
    shared: crate::core::event::Shared,
    user: Vec<(String, Value)>,
    limits: Limits,
    effects: Vec<Effect>,
    stats: Stats,
    online: bool,
    storage_ok: bool,
    /// Deliveries held, and their record bytes (the queue bound).
    queued_count: usize,
    queued_bytes: usize,
    /// Deliveries with a record in storage, and without one yet.
    stored_count: usize,
    unstored: usize,
    keepalive_in_flight: usize,
    next_id: u64,
    rng: u64,
}

impl Engine {
    /// An engine for valid `settings` (see [`Settings::parse`]). `seed`
    /// drives event ids and jitter; give it real randomness.
    pub fn new(settings: Settings, host: Box<dyn Host>, seed: u64, limits: Limits) -> Engine {
        let mut e = Engine {
            host,
            settings: Settings {
                version: 1,
                capture_input_values: false,
                destinations: vec![],
                webhooks: vec![],
            },
            conditions: Vec::new(),
            by_event: Vec::new(),
            pending: Vec::new(),
            lanes: Vec::new(),
            context: Context::default(),
            shared: Default::default(),
            user: Vec::new(),
            limits,
            effects: Vec::new(),
            stats: Stats::default(),
            online: true,
            storage_ok: true,
            queued_count: 0,
            queued_bytes: 0,
            stored_count: 0,
            unstored: 0,
            keepalive_in_flight: 0,
            next_id: 1,
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
        };
        e.install(settings);
        e
    }

    fn install(&mut self, settings: Settings) {
        self.conditions = settings
            .webhooks
            .iter()
            .map(|w| Conditions::compile(&w.conditions, self.host.as_ref()).ok())
            .map(|c| c.unwrap_or_else(Conditions::never))
            .collect();
        self.by_event = catalog::EVENTS
            .iter()
            .map(|ev| {
                (0..settings.webhooks.len())
                    .filter(|&i| {
                        settings.webhooks[i].enabled && settings.webhooks[i].event == ev.id
                    })
                    .collect()
            })
            .collect();
        // A re-published destination gets a fresh token (its auth may have changed).
        for lane in &mut self.lanes {
            let old = self.settings.destination(&lane.id);
            if old.map(|d| &d.auth) != settings.destination(&lane.id).map(|d| &d.auth) {
                lane.token = None;
            }
        }
        self.settings = settings;
    }

    /// Re-publishes settings. Deliveries already created keep going.
    pub fn update(&mut self, settings: Settings, now: f64) {
        self.build_pending(now);
        self.install(settings);
        self.poll(now);
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Sets the page context used for common properties.
    pub fn set_context(&mut self, context: Context) {
        self.context = context;
        self.share();
    }

    fn share(&mut self) {
        let c = &self.context;
        let mut shared: Vec<(String, Value)> = [
            ("session.id", &c.session_id),
            ("page.url", &c.url),
            ("page.path", &c.path),
            ("page.title", &c.title),
            ("page.referrer", &c.referrer),
            ("env.language", &c.language),
            ("env.userAgent", &c.user_agent),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
        .collect();
        shared.extend(self.user.iter().cloned());
        self.shared = std::rc::Rc::new(shared);
    }

    /// The page context.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Sets `user.id` and `user.<trait>` for the events that follow.
    pub fn identify(&mut self, user_id: Option<String>, traits: Vec<(String, Value)>) {
        self.user.clear();
        if let Some(id) = user_id {
            let id = crate::core::event::cut(id, crate::core::event::MAX_TEXT_BYTES);
            self.user.push(("user.id".into(), Value::String(id)));
        }
        // The same caps as event properties.
        for (k, v) in Event::from_pairs(traits).into_pairs() {
            let name = if k.starts_with("user.") {
                k
            } else {
                format!("user.{k}")
            };
            if name != "user.id" {
                self.user.push((name, v));
            }
        }
        self.share();
    }

    /// Whether any enabled webhook listens to `event_type` (the shell skips
    /// reading an event's properties when none does).
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_index(event_type)
            .is_some_and(|i| !self.by_event[i].is_empty())
    }

    fn event_index(&self, event_type: &str) -> Option<usize> {
        catalog::EVENTS.iter().position(|e| e.id == event_type)
    }

    /// A random id in UUID v4 form.
    pub fn new_id(&mut self) -> String {
        let (a, b) = (self.next_random(), self.next_random());
        // 122 random bits, version 4, variant 10.
        let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000;
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        let mut s = String::with_capacity(36);
        for (i, nibble) in (0..16)
            .rev()
            .map(|k| (hi >> (k * 4)) & 15)
            .chain((0..16).rev().map(|k| (lo >> (k * 4)) & 15))
            .enumerate()
        {
            if matches!(i, 8 | 12 | 16 | 20) {
                s.push('-');
            }
            s.push(char::from_digit(nibble as u32, 16).unwrap_or('0'));
        }
        s
    }

    fn next_random(&mut self) -> u64 {
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn random(&mut self) -> f64 {
        (self.next_random() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Takes an event from the page: fills the common properties, matches it
    /// against the webhooks and queues a delivery per match. Returns the
    /// number of webhooks matched. Requests are built and sent by the next
    /// [`Engine::poll`], which the shell runs in the same task.
    pub fn emit(&mut self, event_type: &str, props: Vec<(String, Value)>, now: f64) -> usize {
        let Some(index) = self.event_index(event_type) else {
            return 0;
        };
        if self.by_event[index].is_empty() {
            return 0;
        }
        let given_id = props.iter().any(|(k, _)| k == "event.id");
        let event = Rc::new(self.complete(index, props, now));
        let mut matched = 0;
        let mut created = 0;
        for &w in &self.by_event[index] {
            if self.conditions[w].test(&event, self.host.as_ref()) {
                matched += 1;
                // The same event (the caller's id) is one delivery per webhook,
                // however often it is emitted.
                if given_id && self.holds(&event, w) {
                    continue;
                }
                self.pending.push((event.clone(), w));
                created += 1;
            }
        }
        self.stats.matched += created;
        matched
    }

    /// Whether the delivery of `event` for webhook `w` exists already.
    fn holds(&self, event: &Event, w: usize) -> bool {
        let id = event.str("event.id").unwrap_or_default();
        if self
            .pending
            .iter()
            .any(|(e, pw)| *pw == w && e.str("event.id") == Some(id))
        {
            return true;
        }
        let key = format!("{id}:{}", self.settings.webhooks[w].id);
        self.lanes.iter().any(|l| {
            l.ready.iter().chain(l.later.iter()).any(|d| d.key == key)
                || l.in_flight.iter().any(|f| f.delivery.key == key)
        })
    }

    /// The event with its common properties: caller's properties first (as
    /// given), then what the caller did not give.
    fn complete(&mut self, index: usize, mut props: Vec<(String, Value)>, now: f64) -> Event {
        let info = &catalog::EVENTS[index];
        // Room for the module's own event.* properties, whatever the caller gives.
        if props.len() > crate::core::event::MAX_PROPERTIES - 4 {
            let id = props
                .iter()
                .position(|(k, _)| k == "event.id")
                .map(|i| props.swap_remove(i));
            props.truncate(crate::core::event::MAX_PROPERTIES - 5);
            props.extend(id);
        }
        let mut e = Event::from_pairs(props);
        if let Some(Value::Number(n)) = e.get("event.id") {
            // A numeric id from the caller is kept, as text (it is part of the key).
            let id = crate::core::json::number_text(*n, self.host.as_ref());
            e.set("event.id".into(), id.into());
        }
        if e.str("event.id").is_none_or(str::is_empty) {
            let id = self.new_id();
            e.set("event.id".into(), id.into());
        }
        e.set("event.type".into(), info.id.into());
        e.set("event.name".into(), info.name.into());
        e.set_default("event.timestamp", Value::Number(now.floor()));
        e.with_shared(self.shared.clone())
    }

    fn lane_index(&mut self, destination: &str) -> usize {
        match self.lanes.iter().position(|l| l.id == destination) {
            Some(i) => i,
            None => {
                self.lanes.push(Lane::new(destination));
                self.lanes.len() - 1
            }
        }
    }

    fn report(
        &mut self,
        d: &Delivery,
        outcome: Outcome,
        status: Option<u16>,
        error: Option<String>,
        ms: f64,
    ) {
        self.effects.push(Effect::Report(Report {
            webhook: d.webhook.clone(),
            event: d.event_id.clone(),
            destination: d.destination.clone(),
            key: d.key.clone(),
            attempt: d.attempts,
            status,
            outcome,
            error,
            ms,
        }));
    }

    /// Ends a held delivery: removes its record and counts it.
    fn finish(
        &mut self,
        d: Delivery,
        outcome: Outcome,
        status: Option<u16>,
        error: Option<String>,
        ms: f64,
    ) {
        self.queued_count = self.queued_count.saturating_sub(1);
        self.queued_bytes = self.queued_bytes.saturating_sub(record_estimate(&d));
        if d.stored {
            self.stored_count = self.stored_count.saturating_sub(1);
            self.effects.push(Effect::Unstore { key: d.key.clone() });
        } else {
            self.unstored = self.unstored.saturating_sub(1);
        }
        self.count(&d, outcome, status, error, ms);
    }

    /// Drops a delivery that was never held (too large, destination gone).
    fn reject(&mut self, d: Delivery, why: String) {
        self.count(&d, Outcome::Dropped, None, Some(why), 0.0);
    }

    fn count(
        &mut self,
        d: &Delivery,
        outcome: Outcome,
        status: Option<u16>,
        error: Option<String>,
        ms: f64,
    ) {
        match outcome {
            Outcome::Delivered => self.stats.delivered += 1,
            Outcome::Sent => self.stats.opaque += 1,
            Outcome::Failed => self.stats.failed += 1,
            Outcome::Dropped => self.stats.dropped += 1,
            Outcome::Retry => {}
        }
        self.report(d, outcome, status, error, ms);
    }

    /// Writes (or rewrites) a delivery's record, unless storage has failed.
    fn store(&mut self, d: &mut Delivery, now: f64) {
        if !self.storage_ok && !d.stored {
            return;
        }
        d.stored_at = now;
        if !d.stored {
            d.stored = true;
            self.stored_count += 1;
            self.unstored = self.unstored.saturating_sub(1);
        }
        let record = d.to_record(self.host.as_ref());
        self.effects.push(Effect::Store {
            key: d.key.clone(),
            record,
        });
    }

    /// Holds a delivery in its destination's queue, within the queue bound.
    fn enqueue(&mut self, d: Delivery, now: f64) {
        let lane = self.lane_index(&d.destination);
        if self.lanes[lane].gone {
            return self.reject(d, GONE.into());
        }
        let size = record_estimate(&d);
        while self.queued_count + 1 > self.limits.queue_count
            || self.queued_bytes + size > self.limits.queue_bytes
        {
            // The destination with the most deliveries waiting gives up its oldest.
            let busiest = (0..self.lanes.len())
                .filter(|&i| !self.lanes[i].ready.is_empty() || !self.lanes[i].later.is_empty())
                .max_by_key(|&i| self.lanes[i].ready.len() + self.lanes[i].later.len());
            let Some(i) = busiest else {
                return self.reject(d, QUEUE_FULL_IN_FLIGHT.into());
            };
            let old = match self.lanes[i].ready.pop_front() {
                Some(old) => old,
                None => self.lanes[i].later.remove(0),
            };
            self.finish(old, Outcome::Dropped, None, Some(QUEUE_FULL.into()), 0.0);
        }
        self.queued_count += 1;
        self.queued_bytes += size;
        if !d.stored {
            self.unstored += 1;
        } else {
            self.stored_count += 1;
        }
        self.lanes[lane].schedule(d, now);
    }

    fn build_pending(&mut self, now: f64) {
        let pending = std::mem::take(&mut self.pending);
        for (event, w) in pending {
            let webhook = &self.settings.webhooks[w];
            let event_id = event.str("event.id").unwrap_or_default().to_string();
            let key = format!("{event_id}:{}", webhook.id);
            let Some(dest) = self.settings.destination(&webhook.destination) else {
                continue;
            };
            let built = request::build(dest, webhook, &event, &key, self.host.as_ref());
            let mut d = Delivery {
                key,
                webhook: webhook.id.clone(),
                destination: dest.id.clone(),
                event_id,
                request: Request {
                    method: dest.method,
                    url: String::new(),
                    headers: vec![],
                    body: None,
                    mode: dest.mode,
                },
                attempts: 0,
                next_at: now,
                created_at: now,
                reauthorized: false,
                stored: false,
                stored_at: 0.0,
            };
            match built {
                Ok(r) => {
                    d.request = r;
                    self.enqueue(d, now);
                }
                Err(why) => self.reject(d, why),
            }
        }
    }

    /// Builds the requests of new matches and sends whatever is due, within
    /// each destination's in-flight limit. A delivery's record is written
    /// just before each of its attempts, so a record always counts the
    /// attempt in flight (a resumed delivery never reuses an attempt number);
    /// what has to wait is stored too.
    pub fn poll(&mut self, now: f64) {
        self.build_pending(now);
        for i in 0..self.lanes.len() {
            self.pump(i, now, false);
        }
        self.store_waiting(now);
    }

    fn store_waiting(&mut self, now: f64) {
        if self.unstored > 0 && self.storage_ok {
            self.store_unstored(now);
        }
    }

    fn store_unstored(&mut self, now: f64) {
        for i in 0..self.lanes.len() {
            let mut lane = std::mem::replace(&mut self.lanes[i], Lane::new(""));
            for d in lane.ready.iter_mut().chain(lane.later.iter_mut()) {
                if !d.stored {
                    self.store(d, now);
                }
            }
            self.lanes[i] = lane;
        }
    }

    /// Sends what is due on one lane. `hiding`: the page is going away, so
    /// send everything due with `keepalive`, past the in-flight limit.
    fn pump(&mut self, i: usize, now: f64, hiding: bool) {
        while self.lanes[i]
            .later
            .first()
            .is_some_and(|d| d.next_at <= now)
        {
            let d = self.lanes[i].later.remove(0);
            self.lanes[i].ready.push_back(d);
        }
        // Nothing is ever scheduled further ahead than a day: a delivery that
        // is (the clock was set back, or a record came from a page whose clock
        // ran ahead) is due now.
        while self.lanes[i]
            .later
            .last()
            .is_some_and(|d| d.next_at > now + retry::MAX_RETRY_AFTER_MS)
        {
            if let Some(d) = self.lanes[i].later.pop() {
                self.lanes[i].ready.push_back(d);
            }
        }
        if !self.online || self.lanes[i].ready.is_empty() {
            return;
        }
        let Some((auth, timeout_ms)) = self
            .settings
            .destination(&self.lanes[i].id)
            .map(|d| (d.auth.clone(), d.timeout_ms))
        else {
            while let Some(d) = self.lanes[i].ready.pop_front() {
                self.finish(d, Outcome::Dropped, None, Some(REMOVED.into()), 0.0);
            }
            return;
        };
        let needs_token = self.lanes[i].provider || matches!(auth, Auth::OAuth2 { .. });
        let token = if needs_token {
            match self.lanes[i].valid_token(now) {
                Some(t) => Some(t.to_string()),
                None => {
                    self.request_token(i, &auth);
                    if self.lanes[i].token_pending {
                        return;
                    }
                    None
                }
            }
        } else {
            None
        };
        let authorization = match auth::authorization(&auth, token.as_deref()) {
            Ok(a) => a,
            Err(why) => {
                self.fail_ready(i, why.to_string(), now);
                return;
            }
        };
        let cap = self.limits.in_flight_per_destination;
        while hiding || self.lanes[i].in_flight.len() < cap {
            let Some(mut d) = self.lanes[i].ready.pop_front() else {
                break;
            };
            let size = d.request.size();
            // Only what leaves while the page goes away uses `keepalive`: the
            // browser caps keep-alive requests (64 KiB of bodies, and a count
            // per renderer; past it they fail with ERR_INSUFFICIENT_RESOURCES).
            let keepalive =
                hiding && self.keepalive_in_flight + size <= self.limits.keepalive_bytes;
            if hiding && !keepalive {
                // Does not fit the keep-alive budget: stays stored for the next start.
                self.lanes[i].ready.push_front(d);
                break;
            }
            d.attempts += 1;
            self.store(&mut d, now);
            let mut request = d.request.clone();
            if let Some(a) = &authorization {
                request.headers.push(("Authorization".into(), a.clone()));
            }
            let id = self.next_id;
            self.next_id += 1;
            self.stats.sent += 1;
            let kept = if keepalive { size } else { 0 };
            self.keepalive_in_flight += kept;
            self.effects.push(Effect::Send(Send {
                id,
                key: d.key.clone(),
                attempt: d.attempts,
                request,
                keepalive,
                timeout_ms,
            }));
            let token_gen = self.lanes[i].token_gen;
            self.lanes[i].in_flight.push(InFlight {
                id,
                delivery: d,
                started: now,
                keepalive: kept,
                token_gen,
            });
        }
    }

    fn request_token(&mut self, i: usize, auth: &Auth) {
        let lane = &mut self.lanes[i];
        if lane.token_pending {
            return;
        }
        if lane.provider {
            lane.token_pending = true;
            self.effects.push(Effect::AskToken {
                destination: lane.id.clone(),
            });
        } else if let Some((url, body)) = auth::token_request(auth) {
            lane.token_pending = true;
            self.effects.push(Effect::FetchToken {
                destination: lane.id.clone(),
                url,
                body,
            });
        }
    }

    /// Counts a failed attempt for every ready delivery of a lane that could
    /// not be sent (no credentials, token endpoint failed).
    fn fail_ready(&mut self, i: usize, why: String, now: f64) {
        let ready: Vec<Delivery> = self.lanes[i].ready.drain(..).collect();
        for mut d in ready {
            d.attempts += 1;
            self.settle(i, d, &Answer::Network(why.clone()), None, now, 0.0);
        }
    }

    /// Applies the verdict for an answered (or failed) attempt.
    fn settle(
        &mut self,
        i: usize,
        mut d: Delivery,
        answer: &Answer,
        token_gen: Option<u32>,
        now: f64,
        ms: f64,
    ) {
        let status = match answer {
            Answer::Status { code, .. } => Some(*code),
            _ => None,
        };
        let dest = self.settings.destination(&d.destination);
        let max_attempts = dest.map_or(DEFAULT_MAX_ATTEMPTS, |d| d.max_attempts);
        let renewable = !d.reauthorized
            && (self.lanes[i].provider
                || dest.is_some_and(|d| matches!(d.auth, Auth::OAuth2 { .. })));
        let random = self.random();
        let delay = retry::backoff_with(
            d.attempts,
            random,
            self.limits.base_delay_ms,
            self.limits.max_delay_ms,
        );
        let mut verdict = retry::classify_with(answer, d.attempts, max_attempts, renewable, delay);
        if self.lanes[i].gone && !matches!(verdict, Verdict::Delivered | Verdict::Sent) {
            verdict = Verdict::Dropped(GONE.into());
        }
        match verdict {
            Verdict::Delivered => self.finish(d, Outcome::Delivered, status, None, ms),
            Verdict::Sent => self.finish(d, Outcome::Sent, status, None, ms),
            Verdict::Failed(why) => self.finish(d, Outcome::Failed, status, Some(why), ms),
            Verdict::Dropped(why) => self.finish(d, Outcome::Dropped, status, Some(why), ms),
            Verdict::Retry(after) => {
                d.next_at = now + after;
                self.report(&d, Outcome::Retry, status, Some(describe(answer)), ms);
                self.store(&mut d, now);
                self.lanes[i].schedule(d, now);
            }
            Verdict::Reauthorize => {
                d.reauthorized = true;
                let lane = &mut self.lanes[i];
                if token_gen == Some(lane.token_gen) {
                    lane.token = None;
                }
                self.report(
                    &d,
                    Outcome::Retry,
                    status,
                    Some("HTTP 401: renewing the token and trying again".into()),
                    ms,
                );
                self.lanes[i].ready.push_front(d);
            }
            Verdict::Gone => {
                self.lanes[i].gone = true;
                self.finish(d, Outcome::Dropped, status, Some(GONE.into()), ms);
                let lane = &mut self.lanes[i];
                let waiting: Vec<Delivery> =
                    lane.ready.drain(..).chain(lane.later.drain(..)).collect();
                for w in waiting {
                    self.finish(w, Outcome::Dropped, None, Some(GONE.into()), 0.0);
                }
            }
        }
    }

    /// The answer to attempt `id`.
    pub fn answer(&mut self, id: u64, answer: Answer, now: f64) {
        let found = self
            .lanes
            .iter()
            .enumerate()
            .find_map(|(i, l)| l.in_flight.iter().position(|f| f.id == id).map(|j| (i, j)));
        let Some((i, j)) = found else { return };
        let f = self.lanes[i].in_flight.swap_remove(j);
        self.keepalive_in_flight = self.keepalive_in_flight.saturating_sub(f.keepalive);
        let ms = (now - f.started).max(0.0);
        let mut d = f.delivery;
        if matches!(answer, Answer::Network(_)) && !self.online {
            // Offline: the attempt does not count; it goes again once online.
            d.attempts -= 1;
            self.lanes[i].ready.push_front(d);
        } else {
            self.settle(i, d, &answer, Some(f.token_gen), now, ms);
        }
        self.poll(now);
    }

    /// A token for `destination` arrived (token, lifetime in seconds) or
    /// could not be had.
    pub fn token(&mut self, destination: &str, result: Result<(String, f64), String>, now: f64) {
        let i = self.lane_index(destination);
        self.lanes[i].token_pending = false;
        match result {
            Ok((token, ttl)) => {
                // Renew a little early so a request never leaves with a token
                // that expires on the way.
                let margin = (ttl * 1000.0 / 10.0).min(30_000.0);
                self.lanes[i].token = Some((token, now + ttl * 1000.0 - margin));
                self.lanes[i].token_gen += 1;
            }
            Err(why) => {
                let why = format!("could not get a token: {why}");
                self.fail_ready(i, why, now);
            }
        }
        self.poll(now);
    }

    /// The host page registered (or removed) a token provider for `destination`.
    pub fn set_provider(&mut self, destination: &str, present: bool, now: f64) {
        let i = self.lane_index(destination);
        let lane = &mut self.lanes[i];
        lane.provider = present;
        lane.token = None;
        lane.token_pending = false;
        self.poll(now);
    }

    /// The browser went online or offline. Offline, nothing is attempted.
    pub fn set_online(&mut self, online: bool, now: f64) {
        self.online = online;
        if online {
            self.poll(now);
        }
    }

    /// The page is being hidden (`pagehide`, or `visibilitychange` to
    /// hidden): send everything due with `keepalive`, within the budget.
    /// What does not fit stays stored for the next start.
    pub fn page_hidden(&mut self, now: f64) {
        self.build_pending(now);
        for i in 0..self.lanes.len() {
            self.pump(i, now, true);
        }
        self.store_waiting(now);
    }

    /// Resumes stored deliveries (of an earlier page or a closed tab). They
    /// are stored again under this page and sent when due. Returns how many
    /// were taken; malformed or duplicate records are skipped.
    pub fn adopt(&mut self, records: &[Value], now: f64) -> usize {
        let mut taken = 0;
        for r in records {
            let Some(mut d) = Delivery::from_record(r) else {
                continue;
            };
            let pending = self.pending.iter().any(|(e, w)| {
                e.str("event.id") == Some(d.event_id.as_str())
                    && self.settings.webhooks[*w].id == d.webhook
            });
            let known = pending
                || self.lanes.iter().any(|l| {
                    l.ready.iter().chain(l.later.iter()).any(|o| o.key == d.key)
                        || l.in_flight.iter().any(|f| f.delivery.key == d.key)
                });
            if known {
                continue;
            }
            d.stored = false;
            d.next_at = d.next_at.min(now + retry::MAX_RETRY_AFTER_MS);
            taken += 1;
            self.stats.resumed += 1;
            if self.settings.destination(&d.destination).is_none() {
                self.reject(d, REMOVED.into());
                continue;
            }
            self.enqueue(d, now);
        }
        self.poll(now);
        taken
    }

    /// Browser storage refused a record (quota): from now on the queue runs
    /// in memory only; nothing is lost while the page lives. A refused
    /// rewrite leaves the previous record behind, so it is removed: a stale
    /// record would be sent again by the next page.
    pub fn store_failed(&mut self, key: &str) {
        self.storage_ok = false;
        self.stats.storage_degraded = true;
        self.effects.push(Effect::Unstore {
            key: key.to_string(),
        });
        for lane in &mut self.lanes {
            let all = lane
                .ready
                .iter_mut()
                .chain(lane.later.iter_mut())
                .chain(lane.in_flight.iter_mut().map(|f| &mut f.delivery));
            for d in all {
                if d.key == key && d.stored {
                    d.stored = false;
                    self.stored_count = self.stored_count.saturating_sub(1);
                    self.unstored += 1;
                }
            }
        }
    }

    /// The effects produced since the last call, in order.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Whether effects are waiting.
    pub fn has_effects(&self) -> bool {
        !self.effects.is_empty()
    }

    /// When the next retry is due, if any.
    pub fn next_wakeup(&self) -> Option<f64> {
        self.lanes
            .iter()
            .filter(|l| !l.gone)
            .filter_map(|l| l.later.first().map(|d| d.next_at))
            .min_by(f64::total_cmp)
    }

    /// Nothing in flight, nothing to build and nothing due (deliveries
    /// waiting for a later retry are not waited for).
    pub fn idle(&self) -> bool {
        self.pending.is_empty()
            && self.lanes.iter().all(|l| {
                l.in_flight.is_empty() && (l.ready.is_empty() || !self.online) && !l.token_pending
            })
    }

    /// Counters and gauges.
    pub fn stats(&self) -> Stats {
        let mut s = self.stats.clone();
        s.retrying = self.lanes.iter().map(|l| l.later.len() as u64).sum();
        s.in_flight = self.lanes.iter().map(|l| l.in_flight.len() as u64).sum();
        s.queued =
            self.lanes.iter().map(|l| l.len() as u64).sum::<u64>() + self.pending.len() as u64;
        s.stored = self.stored_count as u64;
        s
    }

    /// The host services.
    pub fn host(&self) -> &dyn Host {
        self.host.as_ref()
    }
}

const GONE: &str =
    "HTTP 410: the destination is gone; it is disabled until the page is loaded again";
const QUEUE_FULL: &str =
    "the queue is full; the oldest waiting delivery of the destination with the longest queue was dropped";
const QUEUE_FULL_IN_FLIGHT: &str =
    "the queue is full of requests in flight; this delivery was dropped";
const REMOVED: &str = "the destination is no longer in the published settings";

fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Status { code, .. } => format!("HTTP {code}"),
        Answer::Opaque => "opaque answer".into(),
        Answer::Network(e) => format!("network error ({e})"),
        Answer::Timeout => "timed out".into(),
    }
}

/// Record size for the storage budget (what the record will roughly take).
fn record_estimate(d: &Delivery) -> usize {
    d.request.size() + d.request.url.len() + d.key.len() * 2 + 160
}
