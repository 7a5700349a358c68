//! The delivery engine: a state machine that turns events into deliveries
//! and answers into retries, drops and reports.
//!
//! It never touches the browser. Inputs are method calls with the current
//! time (`now`: a monotonic clock in ms; the wall clock is `now` plus an
//! offset the shell keeps up to date, see [`Engine::set_wall_offset`]);
//! outputs are [`Effect`]s that the shell carries out in order (store a
//! record, send a request, fetch a token, probe a host, report). A native
//! test drives it with a fake clock.
//!
//! Guarantees it keeps:
//! - every delivery is stored (within the storage budget) before it is sent,
//!   and removed from storage only once delivered or definitively dropped;
//! - a request is built from the settings in force when it is sent: a
//!   re-published destination never gets an old URL with a new secret, and
//!   a stored record is only ever sent where its webhook sends now;
//! - each destination has its own queue and its own in-flight limit, and a
//!   destination that stops answering gets one request at a time, so a slow
//!   or dead destination never holds up another one;
//! - a request that left but whose answer the browser hid (no CORS headers)
//!   is not sent again blindly: a probe tells "never left" from "answer
//!   hidden";
//! - memory is bounded by the queue bound, whatever the burst;
//! - nothing is dropped without a report saying why.

use super::auth;
use super::catalog;
use super::condition::Conditions;
use super::event::{Event, Shared};
use super::host::Host;
use super::queue::{Delivery, KeySet, Record, RECORD_OVERHEAD};
use super::request::{self, Compiled, Request};
use super::retry::{self, Answer, Verdict};
use super::settings::{Auth, Mode, Settings, DEFAULT_MAX_ATTEMPTS};
use super::text;
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;
use alloc::rc::Rc;

/// Where the page is, for the common event properties.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// `session.id`
    pub session_id: String,
    /// `session.start` (ms since the epoch when the session began; 0: unknown)
    pub session_start: f64,
    /// `anonymous.id`: a random id kept in first-party storage.
    pub anonymous_id: String,
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

/// Longest text kept for a page property (URL, title, referrer, user
/// agent): a 40 KB address must not make every event too large to send.
pub const MAX_CONTEXT_BYTES: usize = 2048;

/// Bounds of the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Requests in flight per destination. Browsers open 6 connections per
    /// HTTP/1.1 host; a few more keep HTTP/2 busy. Destinations that share a
    /// host share [`Limits::in_flight_per_host`].
    pub in_flight_per_destination: usize,
    /// Requests in flight to one host, over all its destinations: fewer than
    /// the browser's 6 HTTP/1.1 connections, so one hanging destination
    /// cannot hold every connection to its host.
    pub in_flight_per_host: usize,
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
    /// Requests in flight with `keepalive`. Chromium fails keep-alive
    /// requests past 256 in flight per page ("Failed to fetch") while the
    /// page is going away, when no answer can be seen any more; the host
    /// page's own beacons count too, so the module stays well under it.
    pub keepalive_requests: usize,
    /// First retry delay (doubles per attempt, with jitter).
    pub base_delay_ms: f64,
    /// Longest retry delay.
    pub max_delay_ms: f64,
    /// Drop reports per drain of the effects before the rest of a burst's
    /// queue-full drops are summed up in one report.
    pub drop_reports: usize,
    /// Records of waiting deliveries written per [`Engine::poll`]: a burst's
    /// records are written over several polls (the shell runs the next one
    /// in a task of its own), so no single call takes long whatever the
    /// burst. Leaving the page and `stop()` write them all.
    pub records_per_poll: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            in_flight_per_destination: 8,
            in_flight_per_host: 5,
            queue_count: 2_000,
            queue_bytes: 1024 * 1024,
            keepalive_bytes: 60 * 1024,
            keepalive_requests: 128,
            base_delay_ms: retry::BASE_DELAY_MS,
            max_delay_ms: retry::MAX_DELAY_MS,
            drop_reports: 100,
            records_per_poll: 128,
        }
    }
}

/// How an attempt or a delivery ended, for `onDelivery`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Confirmed by a 2xx answer.
    Delivered,
    /// Sent, the answer cannot be read (`no-cors`, or a destination that
    /// answers without CORS headers).
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
    /// The `onDelivery` object as JSON text: `{ webhookId, eventId,
    /// destinationId, key, attempt, status, outcome, error, ms }` (ids that
    /// do not apply are `null`).
    pub fn write_json(&self, out: &mut String, host: &dyn Host) {
        use super::json::{write_number, write_string};
        let opt = |out: &mut String, s: &str| {
            if s.is_empty() {
                out.push_str("null");
            } else {
                write_string(out, s);
            }
        };
        out.push_str("{\"webhookId\":");
        opt(out, &self.webhook);
        out.push_str(",\"eventId\":");
        opt(out, &self.event);
        out.push_str(",\"destinationId\":");
        opt(out, &self.destination);
        out.push_str(",\"key\":");
        opt(out, &self.key);
        out.push_str(",\"attempt\":");
        write_number(out, f64::from(self.attempt), host);
        out.push_str(",\"status\":");
        match self.status {
            Some(s) => write_number(out, f64::from(s), host),
            None => out.push_str("null"),
        }
        out.push_str(",\"outcome\":");
        write_string(out, self.outcome.as_str());
        out.push_str(",\"error\":");
        match &self.error {
            Some(e) => write_string(out, e),
            None => out.push_str("null"),
        }
        out.push_str(",\"ms\":");
        write_number(out, super::num::floor(self.ms + 0.5), host);
        out.push('}');
    }
}

/// How `fetch` is to be called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchMode {
    /// `mode: "cors"`: the answer can be read when the destination allows it.
    Cors,
    /// `mode: "no-cors"`: the answer is opaque.
    NoCors,
}

impl FetchMode {
    /// The `fetch` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchMode::Cors => "cors",
            FetchMode::NoCors => "no-cors",
        }
    }
}

/// A request to hand to `fetch`.
#[derive(Clone, Debug, PartialEq)]
pub struct Send {
    /// Attempt id, echoed back in [`Engine::answer`].
    pub id: u64,
    /// Delivery key (the first one of a batch).
    pub key: String,
    /// How many deliveries the request carries (more than one: a batch).
    pub count: usize,
    /// Attempt number of the (first) delivery (1 for the first).
    pub attempt: u32,
    /// The request (headers include `Authorization` when there is one).
    pub request: Request,
    /// `fetch`'s mode.
    pub fetch_mode: FetchMode,
    /// Send with `keepalive` (survives the page going away).
    pub keepalive: bool,
    /// Abort after this long.
    pub timeout_ms: u32,
}

/// Where a token comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenSource {
    /// The OAuth 2.0 token endpoint: POST the form body.
    OAuth {
        /// Token endpoint.
        url: String,
        /// Form body.
        body: String,
    },
    /// A path on the page's own site, asked with the visitor's cookies.
    Site {
        /// The path (`/api/walkme-token`).
        path: String,
    },
    /// The host page's token provider (`setTokenProvider`).
    Provider,
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
    /// Get a token for a destination, and answer with [`Engine::token_for`]
    /// (this `request`), or [`Engine::token`].
    Token {
        /// Destination id.
        destination: String,
        /// Where from.
        source: TokenSource,
        /// Give up after this long.
        timeout_ms: u32,
        /// Which request of the destination this is: an answer to an
        /// earlier one (asked for before the destination's auth or token
        /// provider changed) is not used.
        request: u32,
    },
    /// Find out whether `url`'s host can be reached at all (a `no-cors`
    /// request): answer with [`Engine::probed`].
    Probe {
        /// Destination id.
        destination: String,
        /// The destination's request URL (the shell asks its origin).
        url: String,
        /// Give up after this long.
        timeout_ms: u32,
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
    /// Deliveries sent without a readable answer.
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
    /// Values the page handed in that could not be read (skipped).
    pub skipped: u64,
}

/// The `stats()` names of the counters, in the order of [`Stats::counters`];
/// `storageDegraded` comes before `skipped`.
const COUNTERS: [&str; 12] = [
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
    "skipped",
];

impl Stats {
    /// The counters, in the order of [`COUNTERS`].
    fn counters(&self) -> [u64; 12] {
        [
            self.matched,
            self.sent,
            self.delivered,
            self.opaque,
            self.retrying,
            self.failed,
            self.dropped,
            self.queued,
            self.in_flight,
            self.stored,
            self.resumed,
            self.skipped,
        ]
    }

    /// The `stats()` object.
    pub fn to_value(&self) -> Value {
        let mut pairs = Vec::new();
        for (k, n) in COUNTERS.iter().zip(self.counters()) {
            if *k == "skipped" {
                pairs.push(("storageDegraded".into(), self.storage_degraded.into()));
            }
            pairs.push((k.to_string(), Value::Number(n as f64)));
        }
        Value::Object(pairs)
    }

    /// Appends the `stats()` object as JSON text (what [`Stats::to_value`]
    /// holds, without building it).
    pub fn write_json(&self, out: &mut String) {
        let counters = self.counters();
        for (i, k) in COUNTERS.iter().enumerate() {
            out.push_str(if i == 0 { "{\"" } else { ",\"" });
            if i == 11 {
                out.push_str(if self.storage_degraded {
                    "storageDegraded\":true,\""
                } else {
                    "storageDegraded\":false,\""
                });
            }
            out.push_str(k);
            out.push_str("\":");
            super::value::push_uint(out, counters[i]);
        }
        out.push('}');
    }
}

struct InFlight {
    id: u64,
    /// The request needed a CORS preflight.
    preflight: bool,
    deliveries: Vec<Delivery>,
    started: f64,
    keepalive: usize,
    token_gen: u32,
    fetch_mode: FetchMode,
}

/// A delivery whose request failed like a network error, waiting for the
/// probe's verdict.
struct Probing {
    delivery: Delivery,
    ms: f64,
    /// Its request needed a CORS preflight (so a refusal kept it from leaving).
    preflight: bool,
}

/// Per-destination state; it outlives settings updates (keyed by id).
struct Lane {
    id: String,
    /// The destination's host, for the per-host limit.
    host: String,
    ready: Vec<Delivery>,
    /// Waiting for a later time, sorted by `next_at`.
    later: Vec<Delivery>,
    in_flight: Vec<InFlight>,
    /// Failed like a network error while the host answered a probe: waiting
    /// for the probe's verdict.
    probing: Vec<Probing>,
    probe_pending: bool,
    token: Option<(String, f64)>,
    token_gen: u32,
    token_pending: bool,
    token_deadline: f64,
    /// The id of the latest token request (see [`Effect::Token`]).
    token_request: u32,
    provider: bool,
    gone: bool,
    /// An answer of this destination was readable once (CORS works).
    readable: bool,
    /// It answers without CORS headers: its simple requests go as `no-cors`.
    hidden: bool,
    /// Its last attempt timed out: one request at a time until it answers.
    slow: bool,
    /// Times of the requests in the current rate window.
    sent_times: Vec<f64>,
}

impl Lane {
    fn new(id: &str) -> Lane {
        Lane {
            id: id.to_string(),
            host: String::new(),
            ready: Vec::new(),
            later: Vec::new(),
            in_flight: Vec::new(),
            probing: Vec::new(),
            probe_pending: false,
            token: None,
            token_gen: 0,
            token_pending: false,
            token_deadline: 0.0,
            token_request: 0,
            provider: false,
            gone: false,
            readable: false,
            hidden: false,
            slow: false,
            sent_times: Vec::new(),
        }
    }

    fn waiting(&self) -> usize {
        self.ready.len() + self.later.len()
    }

    fn schedule(&mut self, mut d: Delivery, now: f64) {
        if d.next_at <= now {
            d.ready_since = now;
            self.ready.push(d);
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

    fn all(&self) -> impl Iterator<Item = &Delivery> {
        self.ready
            .iter()
            .chain(self.later.iter())
            .chain(self.in_flight.iter().flat_map(|f| f.deliveries.iter()))
            .chain(self.probing.iter().map(|p| &p.delivery))
    }
}

/// The bookkeeping of held deliveries, in one place: every change goes
/// through [`Engine::hold`] and [`Engine::release`], and
/// [`Engine::check_bookkeeping`] recounts it from the lanes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Book {
    /// Deliveries held (waiting, in flight or being probed).
    pub held: usize,
    /// Their record bytes.
    pub held_bytes: usize,
    /// Those with a record in storage.
    pub stored: usize,
    /// Body bytes in flight with keepalive.
    pub keepalive: usize,
    /// Requests in flight with keepalive.
    pub keepalive_requests: usize,
}

/// The engine. See the module docs.
pub struct Engine {
    host: Box<dyn Host>,
    settings: Settings,
    conditions: Vec<Conditions>,
    compiled: Vec<Compiled>,
    /// Webhook indices per catalog event (catalog order).
    by_event: Vec<Vec<usize>>,
    lanes: Vec<Lane>,
    /// Hosts shared by more than one published destination.
    shared_hosts: Vec<String>,
    keys: KeySet,
    context: Context,
    /// Context and user properties, shared by every event until they change.
    shared: Shared,
    user: Vec<(String, Value)>,
    /// The end user's id as the WalkMe player knows it (`identify` wins).
    player_user: Option<String>,
    limits: Limits,
    effects: Vec<Effect>,
    stats: Stats,
    book: Book,
    online: bool,
    storage_ok: bool,
    /// Force partial batches out (flush, page hide).
    flushing: bool,
    /// Wall clock minus monotonic clock.
    wall_offset: f64,
    /// Drop reports given in this drain of the effects.
    drop_reports: usize,
    /// The jitter shared by the deliveries of one request (a batch retries
    /// together).
    jitter: Option<f64>,
    /// Queue-full drops past the report budget, summed up at the next drain.
    quiet_drops: u64,
    /// Waiting deliveries are left to store (more than one poll's worth):
    /// the next poll is due at once.
    store_due: Option<f64>,
    next_id: u64,
    rng: u64,
}

const GONE: &str =
    "HTTP 410: the destination is gone; it is disabled until the page is loaded again";
const QUEUE_FULL: &str =
    "the queue is full; the oldest waiting delivery of the destination with the longest queue was dropped";
const QUEUE_FULL_IN_FLIGHT: &str =
    "the queue is full of requests in flight; this delivery was dropped";
const REMOVED: &str = "the destination is no longer in the published settings";
const WEBHOOK_REMOVED: &str = "the webhook is no longer in the published settings";
const HIDDEN: &str = "sent; the destination answers without CORS headers, so its answer cannot be read (counted as sent, not delivered)";
const CORS_REFUSED: &str = "the destination can be reached but refused the request's CORS preflight: it must allow this page's origin (Access-Control-Allow-Origin and the headers sent), or the destination must use mode simple or no-cors";
const KEEPALIVE_UNKNOWN: &str = "left with keepalive as its page went away; its answer is unknown, so it is not sent again (set idempotencyHeader to have such deliveries sent again safely)";
const NO_TOKEN_ANSWER: &str = "could not get a token: no answer in time";

impl Engine {
    /// An engine for valid `settings` (see [`Settings::parse`]). `seed`
    /// drives event ids and jitter; give it real randomness.
    pub fn new(settings: Settings, host: Box<dyn Host>, seed: u64, limits: Limits) -> Engine {
        let mut e = Engine {
            host,
            settings: Settings {
                version: 1,
                capture_input_values: false,
                keep_url_fragment: false,
                destinations: vec![],
                webhooks: vec![],
                player_events: vec![],
            },
            conditions: Vec::new(),
            compiled: Vec::new(),
            by_event: Vec::new(),
            lanes: Vec::new(),
            shared_hosts: Vec::new(),
            keys: KeySet::default(),
            context: Context::default(),
            shared: Default::default(),
            user: Vec::new(),
            player_user: None,
            limits,
            effects: Vec::new(),
            stats: Stats::default(),
            book: Book::default(),
            online: true,
            storage_ok: true,
            flushing: false,
            wall_offset: 0.0,
            drop_reports: 0,
            jitter: None,
            quiet_drops: 0,
            store_due: None,
            next_id: 1,
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
        };
        e.install(settings);
        e
    }

    fn install(&mut self, settings: Settings) {
        // Plain loops: each iterator chain collected into a Vec would be
        // code of its own in the module.
        self.conditions.clear();
        for w in &settings.webhooks {
            let c = Conditions::compile(&w.conditions, self.host.as_ref());
            self.conditions
                .push(c.unwrap_or_else(|_| Conditions::never()));
        }
        self.compiled.clear();
        for d in &settings.destinations {
            self.compiled.push(Compiled::new(d));
        }
        self.by_event.clear();
        for id in catalog::IDS {
            let mut hooks = Vec::new();
            for (i, w) in settings.webhooks.iter().enumerate() {
                if w.enabled && w.event == id {
                    hooks.push(i);
                }
            }
            self.by_event.push(hooks);
        }
        for lane in &mut self.lanes {
            let old = self.settings.destination(&lane.id);
            let new = settings.destination(&lane.id);
            // A re-published destination gets a fresh token (its auth may
            // have changed) and is learnt afresh when its address changed.
            // A token request on its way is for the old auth: its answer
            // is not used (see `token_for`), and a new one is asked for.
            if old.map(|d| &d.auth) != new.map(|d| &d.auth) {
                lane.token = None;
                lane.token_gen += 1;
                lane.token_pending = false;
            }
            if old.map(|d| &d.url) != new.map(|d| &d.url) {
                lane.readable = false;
                lane.hidden = false;
                lane.slow = false;
                lane.host = new.map(|d| host_of(&d.url)).unwrap_or_default();
            }
        }
        // Hosts that more than one published destination sends to: their
        // requests share the browser's connections to that host.
        let hosts: Vec<String> = settings
            .destinations
            .iter()
            .map(|d| host_of(&d.url))
            .collect();
        self.shared_hosts = hosts
            .iter()
            .enumerate()
            .filter(|(i, h)| hosts[..*i].contains(h))
            .map(|(_, h)| h.clone())
            .collect();
        self.settings = settings;
        // The page properties depend on the settings (keepUrlFragment).
        self.share();
    }

    /// Re-publishes settings. Waiting deliveries follow the new settings:
    /// their requests are built from them when sent; a delivery whose
    /// webhook now sends elsewhere moves to that destination, and one whose
    /// webhook or destination is gone is dropped and reported.
    pub fn update(&mut self, settings: Settings, now: f64) {
        self.install(settings);
        let mut moved: Vec<Delivery> = Vec::new();
        for i in 0..self.lanes.len() {
            let lane_id = self.lanes[i].id.clone();
            let lane = &mut self.lanes[i];
            let mut waiting = core::mem::take(&mut lane.ready);
            waiting.append(&mut lane.later);
            for d in waiting {
                match self
                    .settings
                    .webhook(&d.webhook)
                    .map(|w| w.destination.clone())
                {
                    Some(dest) if dest == lane_id => self.lanes[i].schedule(d, now),
                    Some(dest) if self.settings.destination(&dest).is_some() => {
                        let mut d = d;
                        d.destination = dest;
                        moved.push(d);
                    }
                    Some(_) => self.finish(d, Outcome::Dropped, None, Some(REMOVED.into()), 0.0),
                    None => {
                        self.finish(d, Outcome::Dropped, None, Some(WEBHOOK_REMOVED.into()), 0.0)
                    }
                }
            }
        }
        for d in moved {
            let lane = self.lane_index(&d.destination);
            // Stays held: only its lane changes.
            self.lanes[lane].schedule(d, now);
        }
        self.poll(now);
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Keeps the wall clock: wall-clock ms minus the engine's monotonic ms.
    /// Records and `event.timestamp` use the wall clock; scheduling never
    /// does, so setting the clock back delays no retry.
    pub fn set_wall_offset(&mut self, offset: f64) {
        if offset.is_finite() {
            self.wall_offset = offset;
        }
    }

    fn wall(&self, now: f64) -> f64 {
        now + self.wall_offset
    }

    /// Sets the page context used for common properties; long values are
    /// cut and a fragment is left out of `page.url` unless the settings keep
    /// it.
    pub fn set_context(&mut self, mut context: Context) {
        for t in [
            &mut context.session_id,
            &mut context.anonymous_id,
            &mut context.url,
            &mut context.path,
            &mut context.title,
            &mut context.referrer,
            &mut context.user_agent,
            &mut context.language,
        ] {
            let s = core::mem::take(t);
            *t = super::event::cut(s, MAX_CONTEXT_BYTES);
        }
        self.context = context;
        self.share();
    }

    fn share(&mut self) {
        let c = &self.context;
        let url = if self.settings.keep_url_fragment {
            c.url.as_str()
        } else {
            text::until(&c.url, b"#")
        };
        let mut shared: Vec<(String, Value)> = Vec::new();
        for (k, v) in [
            ("session.id", c.session_id.as_str()),
            ("anonymous.id", c.anonymous_id.as_str()),
            ("page.url", url),
            ("page.path", c.path.as_str()),
            ("page.title", c.title.as_str()),
            ("page.referrer", c.referrer.as_str()),
            ("env.language", c.language.as_str()),
            ("env.userAgent", c.user_agent.as_str()),
        ] {
            if !v.is_empty() || k != "anonymous.id" {
                shared.push((k.to_string(), Value::String(v.to_string())));
            }
        }
        if c.session_start > 0.0 {
            shared.push((
                "session.start".into(),
                Value::Number(crate::core::num::floor(c.session_start)),
            ));
        }
        if let (Some(id), false) = (
            &self.player_user,
            self.user.iter().any(|(k, _)| k == "user.id"),
        ) {
            shared.push(("user.id".into(), Value::String(id.clone())));
        }
        for pair in &self.user {
            shared.push(pair.clone());
        }
        self.shared = Rc::new(shared);
    }

    /// The page context.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Sets `user.id` and `user.<trait>` for the events that follow.
    pub fn identify(&mut self, user_id: Option<String>, traits: Vec<(String, Value)>) {
        self.user.clear();
        if let Some(id) = user_id {
            let id = super::event::cut(id, super::event::MAX_TEXT_BYTES);
            self.user.push(("user.id".into(), Value::String(id)));
        }
        // The same caps as event properties. `email` and `user.email` name
        // one property: the trait named in full wins, else the last given.
        let mut named: Vec<(String, Value, bool)> = Vec::new();
        for (k, v) in Event::from_pairs(traits).into_pairs() {
            let full = k.starts_with("user.");
            let name = if full {
                k
            } else {
                let mut n = String::from("user.");
                n.push_str(&k);
                n
            };
            if name == "user.id" {
                continue;
            }
            match named.iter_mut().find(|(n, ..)| *n == name) {
                Some(slot) if full || !slot.2 => *slot = (name, v, full),
                Some(_) => {}
                None => named.push((name, v, full)),
            }
        }
        self.user
            .extend(named.into_iter().map(|(name, v, _)| (name, v)));
        self.share();
    }

    /// The end user's id as the WalkMe player knows it; used when the page
    /// has not called `identify`.
    pub fn set_player_user(&mut self, id: Option<String>) {
        let id = id
            .filter(|s| !s.is_empty())
            .map(|s| super::event::cut(s, 256));
        if id != self.player_user {
            self.player_user = id;
            self.share();
        }
    }

    /// Counts a value the page handed in that could not be read.
    pub fn skipped(&mut self, n: u64) {
        self.stats.skipped += n;
    }

    /// Whether any enabled webhook listens to `event_type` (the shell skips
    /// reading an event's properties when none does).
    pub fn wants(&self, event_type: &str) -> bool {
        catalog::index(event_type).is_some_and(|i| !self.by_event[i].is_empty())
    }

    /// A random id in UUID v4 form.
    pub fn new_id(&mut self) -> String {
        let (a, b) = (self.next_random(), self.next_random());
        // 122 random bits, version 4, variant 10.
        let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000;
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        let mut s = String::with_capacity(36);
        for i in 0..32 {
            if matches!(i, 8 | 12 | 16 | 20) {
                s.push('-');
            }
            let half = if i < 16 { hi } else { lo };
            let nibble = (half >> ((15 - i % 16) * 4)) & 15;
            s.push(b"0123456789abcdef"[nibble as usize] as char);
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
    /// against the webhooks and queues a delivery per match (within the
    /// queue bound, so a burst cannot grow memory). Returns the number of
    /// webhooks matched. Records are written and requests sent by the next
    /// [`Engine::poll`], which the shell runs in the same task (a burst's
    /// records over the polls that follow, [`Limits::records_per_poll`] each).
    pub fn emit(&mut self, event_type: &str, props: Vec<(String, Value)>, now: f64) -> usize {
        let Some(index) = catalog::index(event_type) else {
            return 0;
        };
        if self.by_event[index].is_empty() {
            return 0;
        }
        let event = Rc::new(self.complete(index, props, now));
        let event_id = event.str("event.id").unwrap_or_default();
        // Measured once, and only when a webhook matches.
        let mut size = None;
        let mut matched = 0;
        // By position: the list stays in place while deliveries are queued
        // (no copy of it per event).
        for j in 0..self.by_event[index].len() {
            let w = self.by_event[index][j];
            if !self.conditions[w].test(&event, self.host.as_ref()) {
                continue;
            }
            matched += 1;
            let webhook = &self.settings.webhooks[w];
            let mut key = String::with_capacity(event_id.len() + webhook.id.len() + 1);
            key.push_str(event_id);
            key.push(':');
            key.push_str(&webhook.id);
            // The same event (the caller's id) is one delivery per webhook,
            // however often it is emitted.
            if self.keys.contains(&key) {
                continue;
            }
            let d = Delivery::new(
                key,
                webhook.id.clone(),
                webhook.destination.clone(),
                event_id.to_string(),
                event.clone(),
                now,
                self.wall(now),
                *size.get_or_insert_with(|| template_size(&event) + RECORD_OVERHEAD),
            );
            self.stats.matched += 1;
            self.enqueue(d, now);
        }
        matched
    }

    /// The event with its common properties: caller's properties first (as
    /// given), then what the caller did not give.
    fn complete(&mut self, index: usize, mut props: Vec<(String, Value)>, now: f64) -> Event {
        // Room for the module's own event.* properties, whatever the caller gives.
        if props.len() > super::event::MAX_PROPERTIES - 4 {
            let id = props
                .iter()
                .position(|(k, _)| k == "event.id")
                .map(|i| props.swap_remove(i));
            props.truncate(super::event::MAX_PROPERTIES - 5);
            props.extend(id);
        }
        let mut e = Event::from_pairs(props);
        if let Some(Value::Number(n)) = e.get("event.id") {
            // A numeric id from the caller is kept, as text (it is part of the key).
            let id = super::json::number_text(*n, self.host.as_ref());
            e.set("event.id".into(), id.into());
        }
        if e.str("event.id")
            .is_none_or(|s| s.is_empty() || s.len() > 256)
        {
            let id = self.new_id();
            e.set("event.id".into(), id.into());
        }
        e.set("event.type".into(), catalog::IDS[index].into());
        e.set("event.name".into(), catalog::NAMES[index].into());
        e.set_default(
            "event.timestamp",
            Value::Number(crate::core::num::floor(self.wall(now))),
        );
        e.with_shared(self.shared.clone())
    }

    fn lane_index(&mut self, destination: &str) -> usize {
        match self.lanes.iter().position(|l| l.id == destination) {
            Some(i) => i,
            None => {
                let mut lane = Lane::new(destination);
                lane.host = self
                    .settings
                    .destination(destination)
                    .map(|d| host_of(&d.url))
                    .unwrap_or_default();
                self.lanes.push(lane);
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

    /// Counts a delivery in: it is held until [`Engine::release`].
    fn hold(&mut self, d: &Delivery) {
        self.keys.insert(&d.key);
        self.book.held += 1;
        self.book.held_bytes += d.size;
        if d.stored {
            self.book.stored += 1;
        }
    }

    /// Counts a delivery out, and removes its record.
    fn release(&mut self, d: &Delivery) {
        self.keys.remove(&d.key);
        self.book.held = self.book.held.saturating_sub(1);
        self.book.held_bytes = self.book.held_bytes.saturating_sub(d.size);
        if d.stored {
            self.book.stored = self.book.stored.saturating_sub(1);
            self.effects.push(Effect::Unstore { key: d.key.clone() });
        }
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
        self.release(&d);
        self.count(&d, outcome, status, error, ms);
    }

    /// Drops a delivery that was never held.
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
        if !d.stored {
            d.stored = true;
            self.book.stored += 1;
        }
        let record = d.to_record(
            self.host.as_ref(),
            self.wall(d.next_at.max(now)),
            self.wall(now),
        );
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
        while self.book.held + 1 > self.limits.queue_count
            || self.book.held_bytes + d.size > self.limits.queue_bytes
        {
            // The destination with the most deliveries waiting gives up its oldest.
            // (the last of the busiest, as `max_by_key` picks)
            let mut busiest = None;
            let mut most = 0;
            for (i, l) in self.lanes.iter().enumerate() {
                if l.waiting() > 0 && l.waiting() >= most {
                    most = l.waiting();
                    busiest = Some(i);
                }
            }
            let Some(i) = busiest else {
                return self.reject(d, QUEUE_FULL_IN_FLIGHT.into());
            };
            let lane = &mut self.lanes[i];
            let old = if lane.ready.is_empty() {
                lane.later.remove(0)
            } else {
                lane.ready.remove(0)
            };
            self.release(&old);
            self.stats.dropped += 1;
            // A burst far over the bound is reported in sum past a budget,
            // so the reports cannot grow with the burst.
            if self.drop_reports < self.limits.drop_reports {
                self.drop_reports += 1;
                self.report(&old, Outcome::Dropped, None, Some(QUEUE_FULL.into()), 0.0);
            } else {
                self.quiet_drops += 1;
            }
        }
        self.hold(&d);
        self.lanes[lane].schedule(d, now);
    }

    /// Writes the records of new deliveries and sends whatever is due,
    /// within each destination's limits. A delivery's record is written
    /// just before each of its attempts, so a record always counts the
    /// attempt in flight (a resumed delivery never reuses an attempt number);
    /// what has to wait is stored too.
    pub fn poll(&mut self, now: f64) {
        for i in 0..self.lanes.len() {
            self.pump(i, now, false);
        }
        self.store_waiting(now, self.limits.records_per_poll);
    }

    /// Sends partial batches now (`flush()`), then polls.
    pub fn flush(&mut self, now: f64) {
        self.flushing = true;
        self.poll(now);
        self.flushing = false;
    }

    /// Writes the records of waiting deliveries that have none, at most
    /// `limit` of them (the rest at the next poll, which is then due).
    fn store_waiting(&mut self, now: f64, limit: usize) {
        self.store_due = None;
        if self.book.held > self.book.stored && self.storage_ok {
            let mut written = 0;
            for i in 0..self.lanes.len() {
                let mut lane = core::mem::replace(&mut self.lanes[i], Lane::new(""));
                'lists: for list in [&mut lane.ready, &mut lane.later] {
                    for d in list {
                        if !d.stored {
                            if written == limit {
                                self.store_due = Some(now);
                                break 'lists;
                            }
                            self.store(d, now);
                            written += 1;
                        }
                    }
                }
                self.lanes[i] = lane;
            }
        }
    }

    /// In flight to a host, over all its destinations.
    fn host_in_flight(&self, host: &str) -> usize {
        let mut n = 0;
        for l in &self.lanes {
            if l.host == host {
                n += l.in_flight.len();
            }
        }
        n
    }

    /// Sends what is due on one lane. `hiding`: the page is going away, so
    /// send everything due with `keepalive`, past the in-flight limits.
    fn pump(&mut self, i: usize, now: f64, hiding: bool) {
        while self.lanes[i]
            .later
            .first()
            .is_some_and(|d| d.next_at <= now)
        {
            let mut d = self.lanes[i].later.remove(0);
            d.ready_since = now;
            self.lanes[i].ready.push(d);
        }
        if self.lanes[i].token_pending && now >= self.lanes[i].token_deadline {
            self.lanes[i].token_pending = false;
            self.fail_ready(i, NO_TOKEN_ANSWER.into(), now);
        }
        if !self.online || self.lanes[i].ready.is_empty() {
            return;
        }
        let Some(di) = self
            .settings
            .destinations
            .iter()
            .position(|d| d.id == self.lanes[i].id)
        else {
            for d in core::mem::take(&mut self.lanes[i].ready) {
                self.finish(d, Outcome::Dropped, None, Some(REMOVED.into()), 0.0);
            }
            return;
        };
        let dest = &self.settings.destinations[di];
        let (auth, timeout_ms, mode) = (dest.auth.clone(), dest.timeout_ms, dest.mode);
        let batch = dest
            .batch
            .as_ref()
            .map(|b| (b.max_events as usize, f64::from(b.max_wait_ms)));
        let rate = dest.rate;
        let needs_token = self.lanes[i].provider
            || matches!(
                auth,
                Auth::OAuth2 { .. }
                    | Auth::Bearer {
                        token_from: Some(_),
                        ..
                    }
            );
        let token = if needs_token {
            match self.lanes[i].valid_token(now) {
                Some(t) => Some(t.to_string()),
                None => {
                    self.request_token(i, &auth, timeout_ms, now);
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
        let fetch_mode = if mode == Mode::NoCors || mode == Mode::Simple && self.lanes[i].hidden {
            FetchMode::NoCors
        } else {
            FetchMode::Cors
        };
        loop {
            let lane = &self.lanes[i];
            if lane.ready.is_empty() {
                break;
            }
            if !hiding {
                let cap = if lane.slow {
                    1
                } else {
                    self.limits.in_flight_per_destination
                };
                // Destinations that share a host share its connections; each
                // keeps one request of its own whatever the others hold. (By
                // the settings, not by the lanes so far: the first one to
                // send must not take every connection.)
                let shared = self.shared_hosts.contains(&lane.host);
                if lane.in_flight.len() >= cap
                    || shared
                        && !lane.in_flight.is_empty()
                        && self.host_in_flight(&lane.host) >= self.limits.in_flight_per_host
                {
                    break;
                }
                if let Some(r) = rate {
                    let window = f64::from(r.seconds) * 1000.0;
                    let lane = &mut self.lanes[i];
                    let mut expired = 0;
                    while lane
                        .sent_times
                        .get(expired)
                        .is_some_and(|t| now - t >= window)
                    {
                        expired += 1;
                    }
                    lane.sent_times.drain(..expired);
                    if lane.sent_times.len() >= r.requests as usize {
                        break;
                    }
                }
            }
            let take = match batch {
                Some((max, wait)) => {
                    let lane = &self.lanes[i];
                    let full = lane.ready.len() >= max;
                    let waited = lane
                        .ready
                        .first()
                        .is_some_and(|d| now - d.ready_since >= wait);
                    if !(full || waited || hiding || self.flushing) {
                        break;
                    }
                    max.min(lane.ready.len())
                }
                None => 1,
            };
            let mut group: Vec<Delivery> = self.lanes[i].ready.drain(..take).collect();
            // Build the request from the settings in force.
            let built = self.build(di, &mut group);
            let Some(mut request) = built else {
                continue;
            };
            if group.is_empty() {
                continue;
            }
            let size = request.size();
            // Only what leaves while the page goes away uses `keepalive`: the
            // browser caps keep-alive requests (64 KiB of bodies, and a count
            // per renderer; past it they fail with ERR_INSUFFICIENT_RESOURCES,
            // unseen, and such a delivery would not be sent again).
            let keepalive = hiding
                && self.book.keepalive + size <= self.limits.keepalive_bytes
                && self.book.keepalive_requests < self.limits.keepalive_requests;
            if hiding && !keepalive {
                // Does not fit the keep-alive budget: stays stored for the next start.
                self.lanes[i].ready = join(group, &mut self.lanes[i].ready);
                break;
            }
            for d in &mut group {
                d.attempts += 1;
                d.keepalive_sent = keepalive;
            }
            for d in group.iter_mut() {
                self.store(d, now);
            }
            if let Some(a) = &authorization {
                request.headers.push(("Authorization".into(), a.clone()));
            }
            let preflight = fetch_mode == FetchMode::Cors && needs_preflight(&request);
            let id = self.next_id;
            self.next_id += 1;
            self.stats.sent += 1;
            let kept = if keepalive { size } else { 0 };
            self.book.keepalive += kept;
            self.book.keepalive_requests += usize::from(keepalive);
            if rate.is_some() {
                self.lanes[i].sent_times.push(now);
            }
            self.effects.push(Effect::Send(Send {
                id,
                key: group[0].key.clone(),
                count: group.len(),
                attempt: group[0].attempts,
                request,
                fetch_mode,
                keepalive,
                timeout_ms,
            }));
            let token_gen = self.lanes[i].token_gen;
            self.lanes[i].in_flight.push(InFlight {
                id,
                preflight,
                deliveries: group,
                started: now,
                keepalive: kept,
                token_gen,
                fetch_mode,
            });
        }
    }

    /// The request of a group of deliveries of destination `di`; deliveries
    /// that can no longer be sent (webhook gone or moved, too large) are
    /// dropped and reported, and left out of the group.
    fn build(&mut self, di: usize, group: &mut Vec<Delivery>) -> Option<Request> {
        loop {
            let dest = &self.settings.destinations[di];
            let mut bad: Option<(usize, &'static str)> = None;
            let mut items = Vec::with_capacity(group.len());
            for (k, d) in group.iter().enumerate() {
                match self.settings.webhooks.iter().find(|w| w.id == d.webhook) {
                    Some(w) if w.destination == dest.id => items.push((w, d.event.as_ref())),
                    Some(_) => {
                        bad = Some((k, REMOVED));
                        break;
                    }
                    None => {
                        bad = Some((k, WEBHOOK_REMOVED));
                        break;
                    }
                }
            }
            if bad.is_none() {
                if items.is_empty() {
                    return None;
                }
                let key = group[0].key.clone();
                match request::build(dest, &self.compiled[di], &items, &key, self.host.as_ref()) {
                    Ok(r) => return Some(r),
                    Err(_) if group.len() > 1 => {
                        // A batch too large: try its first half; the others
                        // go back to wait for the next request (so a batch
                        // shrinks to what fits rather than to one event).
                        let rest = group.split_off(group.len() / 2);
                        let lane = self.lane_index(&group[0].destination);
                        self.lanes[lane].ready = join(rest, &mut self.lanes[lane].ready);
                        continue;
                    }
                    Err(why) => bad = Some((0, why)),
                }
            }
            if let Some((k, why)) = bad {
                let d = group.remove(k);
                self.finish(d, Outcome::Dropped, None, Some(why.into()), 0.0);
                if group.is_empty() {
                    return None;
                }
            }
        }
    }

    fn request_token(&mut self, i: usize, auth: &Auth, timeout_ms: u32, now: f64) {
        let lane = &mut self.lanes[i];
        if lane.token_pending {
            return;
        }
        let source = if lane.provider {
            Some(TokenSource::Provider)
        } else if let Auth::Bearer {
            token_from: Some(path),
            ..
        } = auth
        {
            Some(TokenSource::Site { path: path.clone() })
        } else {
            auth::token_request(auth).map(|(url, body)| TokenSource::OAuth { url, body })
        };
        if let Some(source) = source {
            lane.token_pending = true;
            lane.token_deadline = now + f64::from(timeout_ms);
            lane.token_request = lane.token_request.wrapping_add(1);
            self.effects.push(Effect::Token {
                destination: lane.id.clone(),
                source,
                timeout_ms,
                request: lane.token_request,
            });
        }
    }

    /// Counts a failed attempt for every ready delivery of a lane that could
    /// not be sent (no credentials, token endpoint failed).
    fn fail_ready(&mut self, i: usize, why: String, now: f64) {
        for mut d in core::mem::take(&mut self.lanes[i].ready) {
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
                || dest.is_some_and(|d| {
                    matches!(
                        d.auth,
                        Auth::OAuth2 { .. }
                            | Auth::Bearer {
                                token_from: Some(_),
                                ..
                            }
                    )
                }));
        let random = match self.jitter {
            Some(r) => r,
            None => self.random(),
        };
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
                d.keepalive_sent = false;
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
                d.ready_since = now;
                self.lanes[i].ready.insert(0, d);
            }
            Verdict::Gone => {
                self.lanes[i].gone = true;
                self.finish(d, Outcome::Dropped, status, Some(GONE.into()), ms);
                let lane = &mut self.lanes[i];
                let mut waiting = core::mem::take(&mut lane.ready);
                waiting.append(&mut lane.later);
                for w in waiting {
                    self.finish(w, Outcome::Dropped, None, Some(GONE.into()), 0.0);
                }
            }
        }
    }

    /// The answer to attempt `id`.
    pub fn answer(&mut self, id: u64, answer: Answer, now: f64) {
        let mut found = None;
        'search: for (i, l) in self.lanes.iter().enumerate() {
            for (j, f) in l.in_flight.iter().enumerate() {
                if f.id == id {
                    found = Some((i, j));
                    break 'search;
                }
            }
        }
        let Some((i, j)) = found else { return };
        let f = self.lanes[i].in_flight.swap_remove(j);
        self.book.keepalive = self.book.keepalive.saturating_sub(f.keepalive);
        if f.keepalive > 0 {
            self.book.keepalive_requests = self.book.keepalive_requests.saturating_sub(1);
        }
        let ms = (now - f.started).max(0.0);
        let lane = &mut self.lanes[i];
        match answer {
            Answer::Status { .. } => {
                lane.readable = true;
                lane.slow = false;
            }
            Answer::Opaque | Answer::Redirect => lane.slow = false,
            Answer::Timeout => lane.slow = true,
            Answer::Network(_) => {}
        }
        let mode = self
            .settings
            .destination(&lane.id)
            .map_or(Mode::Cors, |d| d.mode);
        let ambiguous = matches!(answer, Answer::Network(_))
            && f.fetch_mode == FetchMode::Cors
            && mode != Mode::NoCors
            && !lane.readable
            && self.online;
        if matches!(answer, Answer::Network(_)) && !self.online {
            // Offline: the attempt does not count; it goes again once online.
            let mut back = f.deliveries;
            for d in &mut back {
                d.attempts -= 1;
            }
            self.lanes[i].ready = join(back, &mut self.lanes[i].ready);
        } else if ambiguous {
            // Either the request never left (network down, CORS preflight
            // refused) or it left and the browser hid the answer (no CORS
            // headers). A probe of the host tells which.
            let lane = &mut self.lanes[i];
            for delivery in f.deliveries {
                lane.probing.push(Probing {
                    delivery,
                    ms,
                    preflight: f.preflight,
                });
            }
            if !lane.probe_pending {
                lane.probe_pending = true;
                let url = self
                    .settings
                    .destination(&lane.id)
                    .map(|d| d.url.clone())
                    .unwrap_or_default();
                let timeout_ms = self
                    .settings
                    .destination(&lane.id)
                    .map_or(10_000, |d| d.timeout_ms);
                self.effects.push(Effect::Probe {
                    destination: lane.id.clone(),
                    url,
                    timeout_ms,
                });
            }
        } else {
            // The deliveries of one request (a batch) retry together.
            self.jitter = Some(self.random());
            for d in f.deliveries {
                self.settle(i, d, &answer, Some(f.token_gen), now, ms);
            }
            self.jitter = None;
        }
        self.poll(now);
    }

    /// The verdict of a probe: whether the destination's host answered a
    /// `no-cors` request. When it did not, the requests that failed like
    /// network errors are retried as such. When it did, a request that
    /// needed no preflight reached it and the browser hid the answer (no
    /// CORS headers): it counts as sent, and the destination's simple
    /// requests go as `no-cors` from now on, one request per delivery. A
    /// request that needed a preflight most likely had it refused, so it
    /// never left: it is retried, saying CORS is the likely cause.
    pub fn probed(&mut self, destination: &str, reachable: bool, now: f64) {
        let Some(i) = self.lanes.iter().position(|l| l.id == destination) else {
            return;
        };
        let lane = &mut self.lanes[i];
        lane.probe_pending = false;
        let probing: Vec<Probing> = core::mem::take(&mut lane.probing);
        self.jitter = Some(self.random());
        for p in probing {
            if !reachable {
                let why = Answer::Network("the destination could not be reached".into());
                self.settle(i, p.delivery, &why, None, now, p.ms);
            } else if p.preflight {
                let why = Answer::Network(CORS_REFUSED.into());
                self.settle(i, p.delivery, &why, None, now, p.ms);
            } else {
                self.lanes[i].hidden = true;
                self.finish(p.delivery, Outcome::Sent, None, Some(HIDDEN.into()), p.ms);
            }
        }
        self.jitter = None;
        self.poll(now);
    }

    /// The answer to the latest token request of `destination` (see
    /// [`Engine::token_for`]).
    pub fn token(&mut self, destination: &str, result: Result<(String, f64), String>, now: f64) {
        let request = self
            .lanes
            .iter()
            .find(|l| l.id == destination)
            .map_or(0, |l| l.token_request);
        self.token_for(destination, request, result, now);
    }

    /// A token for `destination` arrived (token, lifetime in seconds) or
    /// could not be had, in answer to token request `request`. An answer to
    /// a request that is no longer awaited (the destination's auth or token
    /// provider changed since, or it timed out) is not used: a token is only
    /// ever sent with the auth it was asked for.
    pub fn token_for(
        &mut self,
        destination: &str,
        request: u32,
        result: Result<(String, f64), String>,
        now: f64,
    ) {
        let Some(i) = self.lanes.iter().position(|l| l.id == destination) else {
            return;
        };
        if !self.lanes[i].token_pending || self.lanes[i].token_request != request {
            return;
        }
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
                let mut text = String::from("could not get a token: ");
                text.push_str(&why);
                self.fail_ready(i, text, now);
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
        lane.token_gen += 1;
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
        self.flushing = true;
        for i in 0..self.lanes.len() {
            self.pump(i, now, true);
        }
        self.flushing = false;
        self.store_waiting(now, usize::MAX);
    }

    /// `stop()`: everything not yet stored is stored, so an event emitted
    /// just before reaches the next start. Nothing more is sent.
    pub fn stop(&mut self, now: f64) {
        self.store_waiting(now, usize::MAX);
    }

    /// Resumes stored deliveries (of an earlier page or a closed tab). They
    /// are stored again under this page and sent when due, built from the
    /// settings in force: a record whose webhook is no longer published is
    /// dropped and reported. Returns how many were taken; malformed,
    /// inconsistent and duplicate records are skipped.
    pub fn adopt(&mut self, records: &[Value], now: f64) -> usize {
        let mut taken = 0;
        let wall = self.wall(now);
        for r in records {
            let Some(rec) = Record::read(r) else {
                continue;
            };
            if self.keys.contains(&rec.key) {
                continue;
            }
            taken += 1;
            self.stats.resumed += 1;
            let destination = self
                .settings
                .webhook(&rec.webhook)
                .map(|w| w.destination.clone());
            let (attempts, next_at, keepalive_sent) =
                (rec.attempts, rec.next_at, rec.keepalive_sent);
            let created_at = rec.created_at;
            let mut d = from_record(
                rec,
                destination.clone().unwrap_or_default(),
                now,
                created_at,
            );
            d.attempts = attempts;
            // Due after the record's own wait, but never further away than
            // the longest backoff, whatever the clocks did.
            d.next_at = now + super::num::clamp(next_at - wall, 0.0, self.limits.max_delay_ms);
            d.keepalive_sent = keepalive_sent;
            let Some(dest) = destination.and_then(|id| self.settings.destination(&id)) else {
                self.reject(d, WEBHOOK_REMOVED.into());
                continue;
            };
            if d.keepalive_sent && !dest.idempotency_header {
                // It may well have arrived; sending it again would make a
                // duplicate the destination cannot tell apart.
                self.reject_as(d, Outcome::Sent, KEEPALIVE_UNKNOWN);
                continue;
            }
            self.enqueue(d, now);
        }
        self.poll(now);
        // All stored again under this page at once (not over several polls):
        // the shell removes the old page's records as soon as this returns.
        self.store_waiting(now, usize::MAX);
        taken
    }

    /// Sends a finished delivery again from its record (`replay` of a failed
    /// or dropped one): a new delivery with the same key, attempts from 1,
    /// built from the settings in force. False when the record does not read
    /// back, its webhook is no longer published, or the key is held.
    pub fn replay(&mut self, record: &Value, now: f64) -> bool {
        let Some(rec) = Record::read(record) else {
            return false;
        };
        if self.keys.contains(&rec.key) {
            return false;
        }
        let Some(destination) = self
            .settings
            .webhook(&rec.webhook)
            .map(|w| w.destination.clone())
        else {
            return false;
        };
        self.stats.matched += 1;
        let created_at = self.wall(now);
        self.enqueue(from_record(rec, destination, now, created_at), now);
        self.poll(now);
        true
    }

    fn reject_as(&mut self, d: Delivery, outcome: Outcome, why: &str) {
        self.count(&d, outcome, None, Some(why.into()), 0.0);
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
        let mut unstored = 0;
        let mut unmark = |d: &mut Delivery| {
            if d.key == key && d.stored {
                d.stored = false;
                unstored += 1;
            }
        };
        for lane in &mut self.lanes {
            lane.ready.iter_mut().for_each(&mut unmark);
            lane.later.iter_mut().for_each(&mut unmark);
            for f in &mut lane.in_flight {
                f.deliveries.iter_mut().for_each(&mut unmark);
            }
            for p in &mut lane.probing {
                unmark(&mut p.delivery);
            }
        }
        self.book.stored = self.book.stored.saturating_sub(unstored);
    }

    /// The effects produced since the last call, in order.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        if self.quiet_drops > 0 {
            let mut why = String::from("the queue was full: ");
            super::value::push_uint(&mut why, self.quiet_drops);
            why.push_str(" more deliveries of this burst were dropped (the oldest waiting ones of the destinations with the longest queues)");
            self.effects.push(Effect::Report(Report {
                webhook: String::new(),
                event: String::new(),
                destination: String::new(),
                key: String::new(),
                attempt: 0,
                status: None,
                outcome: Outcome::Dropped,
                error: Some(why),
                ms: 0.0,
            }));
            self.quiet_drops = 0;
        }
        self.drop_reports = 0;
        core::mem::take(&mut self.effects)
    }

    /// Whether effects are waiting.
    pub fn has_effects(&self) -> bool {
        !self.effects.is_empty() || self.quiet_drops > 0
    }

    /// When the engine next has something to do by itself (a retry falls
    /// due, a batch has waited long enough, a rate window opens, a token is
    /// overdue), if ever.
    pub fn next_wakeup(&self) -> Option<f64> {
        let mut at: Option<f64> = None;
        let mut at_least = |t: f64| at = Some(at.map_or(t, |a: f64| a.min(t)));
        if let Some(t) = self.store_due {
            at_least(t);
        }
        for l in &self.lanes {
            if l.gone {
                continue;
            }
            if let Some(d) = l.later.first() {
                at_least(d.next_at);
            }
            if l.token_pending {
                at_least(l.token_deadline);
            }
            if l.ready.is_empty() {
                continue;
            }
            let dest = self.settings.destination(&l.id);
            if let (Some(b), Some(d)) = (dest.and_then(|d| d.batch.as_ref()), l.ready.first()) {
                at_least(d.ready_since + f64::from(b.max_wait_ms));
            }
            if let (Some(r), Some(t)) = (dest.and_then(|d| d.rate), l.sent_times.first()) {
                at_least(t + f64::from(r.seconds) * 1000.0);
            }
        }
        at
    }

    /// Nothing in flight, nothing being probed and nothing due (deliveries
    /// waiting for a later retry, a batch or a rate window are not waited
    /// for).
    pub fn idle(&self) -> bool {
        self.lanes.iter().all(|l| {
            l.in_flight.is_empty()
                && l.probing.is_empty()
                && !l.token_pending
                && (l.ready.is_empty() || !self.online || l.gone || self.blocked(l))
        })
    }

    /// Ready deliveries that wait for a rate window.
    fn blocked(&self, l: &Lane) -> bool {
        self.settings
            .destination(&l.id)
            .and_then(|d| d.rate)
            .is_some_and(|r| l.sent_times.len() >= r.requests as usize)
    }

    /// Counters and gauges.
    pub fn stats(&self) -> Stats {
        let mut s = self.stats.clone();
        for l in &self.lanes {
            s.retrying += l.later.len() as u64;
            s.in_flight += l.in_flight.len() as u64;
        }
        s.queued = self.book.held as u64;
        s.stored = self.book.stored as u64;
        s
    }

    /// The bookkeeping as kept.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Recounts the bookkeeping from the lanes; `Err` names the first
    /// figure that disagrees (the tests assert this after every step).
    pub fn check_bookkeeping(&self) -> Result<(), &'static str> {
        let held: usize = self.lanes.iter().map(|l| l.all().count()).sum();
        let bytes: usize = self
            .lanes
            .iter()
            .flat_map(|l| l.all())
            .map(|d| d.size)
            .sum();
        let stored = self
            .lanes
            .iter()
            .flat_map(|l| l.all())
            .filter(|d| d.stored)
            .count();
        let keepalive: usize = self
            .lanes
            .iter()
            .flat_map(|l| l.in_flight.iter())
            .map(|f| f.keepalive)
            .sum();
        if held != self.book.held {
            return Err("held");
        }
        if bytes != self.book.held_bytes {
            return Err("held_bytes");
        }
        if stored != self.book.stored {
            return Err("stored");
        }
        if keepalive != self.book.keepalive {
            return Err("keepalive");
        }
        let keepalive_requests = self
            .lanes
            .iter()
            .flat_map(|l| l.in_flight.iter())
            .filter(|f| f.keepalive > 0)
            .count();
        if keepalive_requests != self.book.keepalive_requests {
            return Err("keepalive requests");
        }
        if self.keys.len() != held {
            return Err("keys");
        }
        if self
            .lanes
            .iter()
            .flat_map(|l| l.all())
            .any(|d| !self.keys.contains(&d.key))
        {
            return Err("keys");
        }
        if self
            .lanes
            .iter()
            .any(|l| l.later.windows(2).any(|w| w[0].next_at > w[1].next_at))
        {
            return Err("later order");
        }
        let s = &self.stats;
        if s.matched + s.resumed != s.delivered + s.opaque + s.failed + s.dropped + held as u64 {
            return Err("matched");
        }
        Ok(())
    }

    /// The host services.
    pub fn host(&self) -> &dyn Host {
        self.host.as_ref()
    }
}

fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Status { code, .. } => {
            let mut s = String::from("HTTP ");
            super::value::push_uint(&mut s, u64::from(*code));
            s
        }
        Answer::Opaque => "opaque answer".into(),
        Answer::Redirect => "redirected".into(),
        Answer::Network(e) => {
            let mut s = String::from("network error (");
            s.push_str(e);
            s.push(')');
            s
        }
        Answer::Timeout => "timed out".into(),
    }
}

/// `front` followed by what `rest` held.
fn join(mut front: Vec<Delivery>, rest: &mut Vec<Delivery>) -> Vec<Delivery> {
    front.append(rest);
    front
}

/// Whether the browser sends a CORS preflight for `r` in `cors` mode: a
/// method other than GET, HEAD and POST, or a header other than a
/// safelisted Content-Type.
fn needs_preflight(r: &Request) -> bool {
    !matches!(
        r.method,
        super::settings::Method::Get | super::settings::Method::Post
    ) || r.headers.iter().any(|(n, v)| {
        !n.eq_ignore_ascii_case("content-type")
            || ![
                request::TEXT,
                request::FORM,
                "text/plain",
                "multipart/form-data",
            ]
            .iter()
            .any(|t| v.eq_ignore_ascii_case(t))
    })
}

/// The host of a URL template (lower case; empty when there is none).
fn host_of(url: &str) -> String {
    let rest = text::split_once(url, "://").map_or(url, |(_, r)| r);
    let authority = text::until(rest, b"/?#");
    let host = text::rsplit_once(authority, b'@').map_or(authority, |(_, h)| h);
    host.to_ascii_lowercase()
}

/// About how many bytes an event's record takes.
/// A new delivery (attempts from 1) of a stored record's event, which is
/// given the context of no page (its own properties are kept).
fn from_record(rec: Record, destination: String, now: f64, created_at: f64) -> Delivery {
    let event = rec.event.with_shared(Rc::new(Vec::new()));
    let size = template_size(&event) + RECORD_OVERHEAD;
    let event_id = event.str("event.id").unwrap_or_default().to_string();
    Delivery::new(
        rec.key,
        rec.webhook,
        destination,
        event_id,
        Rc::new(event),
        now,
        created_at,
        size,
    )
}

fn template_size(e: &Event) -> usize {
    let mut size = 2;
    for (k, v) in e.all() {
        size += k.len() + 4 + super::template::approx_size(v);
    }
    size
}
