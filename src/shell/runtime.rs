//! One running module: the core [`Engine`], and the effects it asks for
//! carried out with the browser's APIs.
//!
//! The engine is only ever borrowed for the length of one engine call;
//! effects run after the borrow ends, so a host callback (an `onDelivery`
//! listener, a token provider) may call back into the module freely.

use super::convert::{to_js, to_value};
use super::host::BrowserHost;
use super::platform;
use crate::core::engine::{Context, Effect, Engine, Limits, Report};
use crate::core::queue::adoptable;
use crate::core::retry::{parse_retry_after, Answer};
use crate::core::settings::Settings;
use crate::core::value::Value;
use js_sys::{Array, Function};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// Storage key prefix: `wmwh1:<page id>:<delivery key>`.
pub const PREFIX: &str = "wmwh1:";
const LOCK_PREFIX: &str = "wmwh1-page:";
const SESSION_KEY: &str = "wmwh1-session";

/// Options of `start`.
#[derive(Clone, Debug)]
pub struct Options {
    /// DXA auto-capture of clicks, inputs and page views.
    pub auto_capture: bool,
    /// Log every delivery to the console (secrets masked).
    pub debug: bool,
    /// Listen to `walkme:event` CustomEvents (on by default).
    pub player_events: bool,
    /// Queue bounds and retry delays.
    pub limits: Limits,
    /// Send from the sender worker when it can be had (default).
    pub worker: bool,
}

struct State {
    engine: Engine,
    page: String,
    options: Options,
    listeners: Vec<Function>,
    providers: Vec<(String, Function)>,
    flush_waiters: Vec<Function>,
    stopped: bool,
    poll_scheduled: bool,
    /// Self-test: the next event panics inside the module (see `failNext`).
    fail_next: bool,
    timer: f64,
    timer_at: Option<f64>,
    href: String,
    /// The address may have changed since the context was read.
    context_dirty: bool,
    /// No Navigation API: compare `location.href` on every event instead.
    check_href: bool,
    release_lock: Option<Function>,
}

/// JavaScript functions of the Rust callbacks, made once per runtime.
struct Callbacks {
    on_answer: Function,
    on_token: Function,
    on_poll: Function,
    on_timer: Function,
    unlisten: Vec<Function>,
    _keep: Vec<JsValue>,
}

/// A running module. Cloning shares it.
#[derive(Clone)]
pub struct Runtime {
    inner: Rc<Inner>,
}

struct Inner {
    state: RefCell<State>,
    callbacks: RefCell<Option<Callbacks>>,
}

impl Runtime {
    /// Starts a runtime on valid settings.
    pub fn start(settings: Settings, options: Options) -> Runtime {
        platform::set_worker(options.worker);
        let seed = platform::seed() as u64;
        let mut engine = Engine::new(
            settings,
            Box::new(BrowserHost),
            seed,
            options.limits.clone(),
        );
        let page = engine.new_id();
        let session = match platform::session_get(SESSION_KEY) {
            Some(s) if !s.is_empty() => s,
            _ => {
                let s = engine.new_id();
                platform::session_set(SESSION_KEY, &s);
                s
            }
        };
        let mut state = State {
            engine,
            page,
            options,
            listeners: Vec::new(),
            providers: Vec::new(),
            flush_waiters: Vec::new(),
            stopped: false,
            poll_scheduled: false,
            fail_next: false,
            timer: 0.0,
            timer_at: None,
            href: String::new(),
            context_dirty: false,
            check_href: !platform::has_navigation_api(),
            release_lock: None,
        };
        refresh_context(&mut state, &session);
        let rt = Runtime {
            inner: Rc::new(Inner {
                state: RefCell::new(state),
                callbacks: RefCell::new(None),
            }),
        };
        rt.install_callbacks();
        if !platform::is_online() {
            rt.drive(|e, now| e.set_online(false, now));
        }
        rt.resume_stored();
        // Pages that closed within the adoption margin are looked at again.
        let weak = Rc::downgrade(&rt.inner);
        let later = Closure::once_into_js(move || {
            if let Some(inner) = weak.upgrade() {
                Runtime { inner }.resume_stored();
            }
        });
        platform::set_timer(
            0.0,
            &platform::guard(&later),
            crate::core::queue::ADOPT_AFTER_MS + 500.0,
        );
        rt
    }

    fn install_callbacks(&self) {
        let weak = Rc::downgrade(&self.inner);
        let mut keep: Vec<JsValue> = Vec::new();
        let mut make = |f: JsValue| -> Function {
            let g = platform::guard(&f);
            keep.push(f);
            g
        };
        let w = weak.clone();
        let on_answer = make(
            Closure::<dyn Fn(f64, u16, Option<String>, u8, String)>::new(
                move |id, status, retry_after, kind, detail| {
                    with(&w, |rt| rt.answer(id, status, retry_after, kind, detail));
                },
            )
            .into_js_value(),
        );
        let w = weak.clone();
        let on_token = make(
            Closure::<dyn Fn(String, JsValue, String)>::new(move |dest, json, error| {
                with(&w, |rt| rt.token(dest, json, error));
            })
            .into_js_value(),
        );
        let w = weak.clone();
        let on_poll = make(
            Closure::<dyn Fn()>::new(move || {
                with(&w, |rt| {
                    rt.inner.state.borrow_mut().poll_scheduled = false;
                    rt.drive(|e, now| e.poll(now));
                })
            })
            .into_js_value(),
        );
        let w = weak.clone();
        let on_timer = make(
            Closure::<dyn Fn()>::new(move || {
                with(&w, |rt| {
                    rt.inner.state.borrow_mut().timer_at = None;
                    rt.drive(|e, now| e.poll(now));
                })
            })
            .into_js_value(),
        );
        let mut unlisten = Vec::new();
        let w = weak.clone();
        let on_hidden =
            Closure::<dyn Fn()>::new(move || with(&w, |rt| rt.drive(|e, now| e.page_hidden(now))))
                .into_js_value();
        let w = weak.clone();
        let on_online = Closure::<dyn Fn(bool)>::new(move |online: bool| {
            with(&w, |rt| {
                rt.drive(|e, now| e.set_online(online, now));
                if online {
                    rt.resume_stored();
                }
            })
        })
        .into_js_value();
        unlisten.push(platform::listen_lifecycle(
            on_hidden.unchecked_ref(),
            on_online.unchecked_ref(),
        ));
        let w = weak.clone();
        let on_navigate = Closure::<dyn Fn()>::new(move || {
            with(&w, |rt| rt.inner.state.borrow_mut().context_dirty = true)
        })
        .into_js_value();
        unlisten.push(platform::watch_navigation(on_navigate.unchecked_ref()));
        keep.push(on_navigate);
        keep.push(on_hidden);
        keep.push(on_online);
        let (player, capture) = {
            let s = self.inner.state.borrow();
            (s.options.player_events, s.options.auto_capture)
        };
        if player || capture {
            let w = weak.clone();
            let on_event =
                Closure::<dyn Fn(String, JsValue)>::new(move |kind: String, props: JsValue| {
                    with(&w, |rt| {
                        rt.emit(&kind, &props);
                    })
                })
                .into_js_value();
            if player {
                unlisten.push(platform::listen_player(on_event.unchecked_ref()));
            }
            if capture {
                let w = weak.clone();
                let capture_values = Closure::<dyn Fn() -> bool>::new(move || {
                    w.upgrade()
                        .is_some_and(|i| i.state.borrow().engine.settings().capture_input_values)
                })
                .into_js_value();
                unlisten.push(platform::capture_dom(
                    on_event.unchecked_ref(),
                    capture_values.unchecked_ref(),
                ));
                keep.push(capture_values);
            }
            keep.push(on_event);
        }
        *self.inner.callbacks.borrow_mut() = Some(Callbacks {
            on_answer,
            on_token,
            on_poll,
            on_timer,
            unlisten,
            _keep: keep,
        });
    }

    /// Runs one engine call, then carries out its effects.
    fn drive(&self, f: impl FnOnce(&mut Engine, f64)) {
        let effects = {
            let mut s = self.inner.state.borrow_mut();
            if s.stopped {
                return;
            }
            f(&mut s.engine, platform::now());
            s.engine.take_effects()
        };
        self.execute(effects);
    }

    fn execute(&self, mut effects: Vec<Effect>) {
        loop {
            let (page, debug) = {
                let s = self.inner.state.borrow();
                (s.page.clone(), s.options.debug)
            };
            let mut refused: Vec<String> = Vec::new();
            let mut reports: Vec<Report> = Vec::new();
            for effect in effects.drain(..) {
                match effect {
                    Effect::Store { key, record } => {
                        if !platform::store_put(&storage_key(&page, &key), &record) {
                            refused.push(key);
                        }
                    }
                    Effect::Unstore { key } => platform::store_del(&storage_key(&page, &key)),
                    Effect::Send(send) => {
                        let cb = self.inner.callbacks.borrow();
                        let Some(cb) = cb.as_ref() else { continue };
                        let r = &send.request;
                        if debug {
                            log_send(&send);
                        }
                        let headers: Vec<String> = r
                            .headers
                            .iter()
                            .flat_map(|(n, v)| [n.clone(), v.clone()])
                            .collect();
                        platform::send(
                            &cb.on_answer,
                            send.id as f64,
                            r.method.as_str(),
                            &r.url,
                            headers,
                            r.body.clone(),
                            r.mode.as_str(),
                            send.keepalive,
                            send.timeout_ms,
                        );
                    }
                    Effect::FetchToken {
                        destination,
                        url,
                        body,
                    } => {
                        if let Some(cb) = self.inner.callbacks.borrow().as_ref() {
                            platform::fetch_token(&cb.on_token, &destination, &url, &body);
                        }
                    }
                    Effect::AskToken { destination } => {
                        let provider = {
                            let s = self.inner.state.borrow();
                            s.providers
                                .iter()
                                .find(|(d, _)| *d == destination)
                                .map(|(_, f)| f.clone())
                        };
                        if let (Some(p), Some(cb)) =
                            (provider, self.inner.callbacks.borrow().as_ref())
                        {
                            platform::ask_token(&cb.on_token, &destination, &p);
                        }
                    }
                    Effect::Report(r) => reports.push(r),
                }
            }
            if !reports.is_empty() {
                let listeners = self.inner.state.borrow().listeners.clone();
                for r in &reports {
                    if debug {
                        log_report(r);
                    }
                    if !listeners.is_empty() {
                        let js = to_js(&r.to_value());
                        for l in &listeners {
                            platform::call_host(l, &js);
                        }
                    }
                }
            }
            if refused.is_empty() {
                break;
            }
            let mut s = self.inner.state.borrow_mut();
            for key in &refused {
                s.engine.store_failed(key);
            }
            effects = s.engine.take_effects();
        }
        self.after();
    }

    /// Timer for the next retry, the page's storage lock, and `flush()` waiters.
    fn after(&self) {
        let (waiters, lock_change) = {
            let mut s = self.inner.state.borrow_mut();
            let cb = self.inner.callbacks.borrow();
            if let (Some(at), Some(cb)) = (s.engine.next_wakeup(), cb.as_ref()) {
                if s.timer_at.is_none_or(|t| at < t) {
                    // Within a day, whatever the clock did since (see Engine::pump).
                    let delay =
                        (at - platform::now()).clamp(0.0, crate::core::retry::MAX_RETRY_AFTER_MS);
                    s.timer = platform::set_timer(s.timer, &cb.on_timer, delay);
                    s.timer_at = Some(at);
                }
            }
            let stored = s.engine.stats().stored > 0;
            let lock_change = match (stored, s.release_lock.is_some()) {
                (true, false) => {
                    let name = format!("{LOCK_PREFIX}{}", s.page);
                    s.release_lock = Some(platform::hold_lock(&name));
                    None
                }
                (false, true) => s.release_lock.take(),
                _ => None,
            };
            let waiters = if s.engine.idle() {
                std::mem::take(&mut s.flush_waiters)
            } else {
                Vec::new()
            };
            (waiters, lock_change)
        };
        if let Some(release) = lock_change {
            let _ = release.call0(&JsValue::NULL);
        }
        for w in waiters {
            let _ = w.call0(&JsValue::NULL);
        }
    }

    fn answer(&self, id: f64, status: u16, retry_after: Option<String>, kind: u8, detail: String) {
        let now = platform::now();
        let answer = match kind {
            0 => Answer::Status {
                code: status,
                retry_after_ms: retry_after.and_then(|v| parse_retry_after(&v, now)),
            },
            1 => Answer::Opaque,
            3 => Answer::Timeout,
            _ => Answer::Network(if detail.is_empty() {
                "failed to fetch".into()
            } else {
                detail
            }),
        };
        self.drive(|e, now| e.answer(id as u64, answer, now));
    }

    fn token(&self, destination: String, json: JsValue, error: String) {
        let result = if !error.is_empty() {
            let detail = crate::core::auth::token_from_response(&to_value(&json)).err();
            Err(match detail {
                Some(d) if !json.is_null() => format!("{error}: {d}"),
                _ => error,
            })
        } else {
            crate::core::auth::token_from_response(&to_value(&json))
        };
        self.drive(|e, now| e.token(&destination, result, now));
    }

    /// Takes over stored deliveries of pages that are gone (an earlier load
    /// of this page, a closed or crashed tab).
    pub fn resume_stored(&self) {
        let page = self.inner.state.borrow().page.clone();
        let mut owners: Vec<String> = Vec::new();
        for entry in platform::store_scan(PREFIX).iter() {
            let pair = Array::from(&entry);
            let key = pair.get(0).as_string().unwrap_or_default();
            if let Some(owner) = key[PREFIX.len()..].split(':').next() {
                if owner != page && !owners.iter().any(|o| o == owner) {
                    owners.push(owner.to_string());
                }
            }
        }
        for owner in owners {
            let lock = format!("{LOCK_PREFIX}{owner}");
            let weak = Rc::downgrade(&self.inner);
            let take = Closure::once_into_js(move || {
                with(&weak, |rt| rt.adopt_from(&owner));
            });
            platform::with_orphan_lock(&lock, &platform::guard(&take));
        }
    }

    fn adopt_from(&self, owner: &str) {
        let prefix = format!("{PREFIX}{owner}:");
        let mut keys = Vec::new();
        let mut records = Vec::new();
        for entry in platform::store_scan(&prefix).iter() {
            let pair = Array::from(&entry);
            keys.push(pair.get(0).as_string().unwrap_or_default());
            let text = pair.get(1).as_string().unwrap_or_default();
            records.push(crate::core::json::parse(&text, &BrowserHost).unwrap_or(Value::Null));
        }
        if !adoptable(&records, platform::now()) {
            return;
        }
        self.drive(|e, now| {
            e.adopt(&records, now);
        });
        for k in keys {
            platform::store_del(&k);
        }
    }

    /// `emit`: reads the properties only when some webhook listens.
    pub fn emit(&self, kind: &str, props: &JsValue) -> u32 {
        let matched = {
            let mut s = self.inner.state.borrow_mut();
            if s.fail_next {
                // While the module's state is borrowed, as a real bug would.
                panic!("self-test: an internal failure was requested");
            }
            if s.stopped || !s.engine.wants(kind) {
                return 0;
            }
            if s.context_dirty || (s.check_href && platform::href() != s.href) {
                s.context_dirty = false;
                let session = s.engine.context().session_id.clone();
                refresh_context(&mut s, &session);
            }
            let pairs = match to_value(props) {
                Value::Object(pairs) => pairs,
                _ => Vec::new(),
            };
            let matched = s.engine.emit(kind, pairs, platform::now());
            if matched > 0 && !s.poll_scheduled {
                s.poll_scheduled = true;
                if let Some(cb) = self.inner.callbacks.borrow().as_ref() {
                    platform::microtask(&cb.on_poll);
                }
            }
            matched
        };
        matched as u32
    }

    /// Self-test of the guard: the next event (from any source) fails inside
    /// the module, which must then report once and turn itself off while the
    /// host page goes on.
    pub fn fail_next(&self) {
        self.inner.state.borrow_mut().fail_next = true;
    }

    /// `identify`.
    pub fn identify(&self, user_id: Option<String>, traits: &JsValue) {
        let traits = match to_value(traits) {
            Value::Object(pairs) => pairs,
            _ => Vec::new(),
        };
        self.inner
            .state
            .borrow_mut()
            .engine
            .identify(user_id, traits);
    }

    /// `update`: settings already validated.
    pub fn update(&self, settings: Settings) {
        self.drive(|e, now| e.update(settings, now));
    }

    /// `setTokenProvider`.
    pub fn set_token_provider(&self, destination: &str, provider: Option<Function>) {
        {
            let mut s = self.inner.state.borrow_mut();
            s.providers.retain(|(d, _)| d != destination);
            if let Some(p) = &provider {
                s.providers.push((destination.to_string(), p.clone()));
            }
        }
        self.drive(|e, now| e.set_provider(destination, provider.is_some(), now));
    }

    /// `onDelivery`: returns nothing; listeners stay until `stop`.
    pub fn on_delivery(&self, listener: Function) {
        self.inner.state.borrow_mut().listeners.push(listener);
    }

    /// `flush`: a promise resolved when nothing is in flight or due.
    pub fn flush(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            inner.state.borrow_mut().flush_waiters.push(resolve);
        });
        self.drive(|e, now| e.poll(now));
        promise
    }

    /// `stats`.
    pub fn stats(&self) -> JsValue {
        to_js(&self.inner.state.borrow().engine.stats().to_value())
    }

    /// `stop`: removes every listener and timer. Stored deliveries stay for
    /// the next start.
    pub fn stop(&self) {
        let (timer, release, waiters) = {
            let mut s = self.inner.state.borrow_mut();
            s.stopped = true;
            s.listeners.clear();
            s.providers.clear();
            (
                s.timer,
                s.release_lock.take(),
                std::mem::take(&mut s.flush_waiters),
            )
        };
        platform::clear_timer(timer);
        if let Some(cb) = self.inner.callbacks.borrow_mut().take() {
            for off in cb.unlisten {
                let _ = off.call0(&JsValue::NULL);
            }
        }
        if let Some(r) = release {
            let _ = r.call0(&JsValue::NULL);
        }
        for w in waiters {
            let _ = w.call0(&JsValue::NULL);
        }
    }
}

fn with(weak: &Weak<Inner>, f: impl FnOnce(&Runtime)) {
    if let Some(inner) = weak.upgrade() {
        f(&Runtime { inner });
    }
}

fn storage_key(page: &str, key: &str) -> String {
    format!("{PREFIX}{page}:{key}")
}

fn refresh_context(s: &mut State, session: &str) {
    let c = platform::page_context();
    let get = |i: usize| c.get(i).cloned().unwrap_or_default();
    s.href = get(0);
    s.engine.set_context(Context {
        session_id: session.to_string(),
        url: get(0),
        path: get(1),
        title: get(2),
        referrer: get(3),
        language: get(4),
        user_agent: get(5),
    });
}

/// Debug log of a request, secrets masked.
fn log_send(send: &crate::core::engine::Send) {
    let r = &send.request;
    let headers: Vec<String> = r
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {}", crate::core::auth::mask(n, v)))
        .collect();
    web_log(&format!(
        "[walkme-webhooks] send {} #{} {} {} {}{}",
        send.key,
        send.attempt,
        r.method.as_str(),
        crate::core::auth::mask_url(&r.url),
        headers.join(", "),
        if send.keepalive { " (keepalive)" } else { "" }
    ));
}

fn log_report(r: &Report) {
    web_log(&format!(
        "[walkme-webhooks] {} {} attempt {}: {}{}",
        r.key,
        r.destination,
        r.attempt,
        r.outcome.as_str(),
        r.error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    ));
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn web_log(s: &str);
}
