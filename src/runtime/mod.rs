//! The visitor runtime's exports: what the snippet loads for every visitor.
//!
//! A thin, size-first layer over [`crate::core::engine`]. Everything crosses
//! as text in one channel: settings, events and stored records come in as
//! JSON text (read by the core's capped JSON reader), and every call returns
//! the effects the engine asks for as one JSON text, which a single
//! JavaScript dispatcher (`src/js/platform.js`) carries out. Rust calls no
//! JavaScript while the engine is in use (only `String(n)`, `Number(s)` and
//! `toLowerCase()`), so a page's callback can never re-enter a running call.
//!
//! Several runtimes may run in one page (each `start()`); each has a handle.
//! A trap inside the module (a bug) is caught by the JavaScript side, which
//! turns that runtime off and reports it once.

mod host;
mod out;

use crate::core::engine::{Context, Engine, Limits};
use crate::core::json;
use crate::core::prelude::*;
use crate::core::problem::Short;
use crate::core::retry::{parse_retry_after, Answer};
use crate::core::settings::Settings;
use crate::core::value::Value;
use core::cell::UnsafeCell;
use host::BrowserHost;
use wasm_bindgen::prelude::*;

/// The running engines, by handle. Single-threaded: wasm32 in a page has
/// one thread, and no export calls back into JavaScript while it holds an
/// engine, so no two borrows ever overlap (an `UnsafeCell` rather than a
/// `RefCell`: a trap must not leave a borrow flag set that would disable
/// the other runtimes of the page).
struct Slots(UnsafeCell<Vec<Option<Engine>>>);

// SAFETY: wasm32-unknown-unknown runs one thread.
unsafe impl Sync for Slots {}

static SLOTS: Slots = Slots(UnsafeCell::new(Vec::new()));

fn slots() -> &'static mut Vec<Option<Engine>> {
    // SAFETY: see `Slots`: one thread, and no export re-enters another.
    unsafe { &mut *SLOTS.0.get() }
}

fn engine(h: u32) -> Option<&'static mut Engine> {
    slots().get_mut(h as usize).and_then(Option::as_mut)
}

fn read_settings(text: &str) -> Result<Settings, String> {
    Settings::from_json_in::<Short>(text, &BrowserHost).map_err(|p| out::problems(&p))
}

fn limits(options: &Value) -> Limits {
    let mut limits = Limits::default();
    // Retry delays: { backoff: { baseMs, maxMs } } (tests use short ones).
    if let Some(b) = options.get("backoff") {
        let ms = |k: &str| b.get(k).and_then(Value::as_f64).filter(|n| *n >= 1.0);
        limits.base_delay_ms = ms("baseMs").unwrap_or(limits.base_delay_ms);
        limits.max_delay_ms = ms("maxMs")
            .unwrap_or(limits.max_delay_ms)
            .max(limits.base_delay_ms);
    }
    if let Some(n) = options.get("queueLimit").and_then(Value::as_f64) {
        if n >= 1.0 {
            limits.queue_count = n as usize;
        }
    }
    limits
}

/// Starts a runtime: `{"h": handle}`, or `{"errors": [...]}` when the
/// settings are invalid.
#[wasm_bindgen]
pub fn create(settings: &str, options: &str, seed: f64, now: f64, wall: f64) -> String {
    let settings = match read_settings(settings) {
        Ok(s) => s,
        Err(errors) => return errors,
    };
    let options = json::parse(options, &BrowserHost).unwrap_or(Value::Null);
    let mut engine = Engine::new(
        settings,
        Box::new(BrowserHost),
        seed as u64,
        limits(&options),
    );
    engine.set_wall_offset(wall - now);
    let all = slots();
    let h = match all.iter().position(Option::is_none) {
        Some(free) => {
            all[free] = Some(engine);
            free
        }
        None => {
            all.push(Some(engine));
            all.len() - 1
        }
    };
    let mut s = String::from("{\"h\":");
    crate::core::value::push_uint(&mut s, h as u64);
    s.push('}');
    s
}

/// Whether any webhook of runtime `h` listens to `kind` (the page skips
/// reading an event's properties when none does). The page asks through
/// `call(h, WANTS, kind)`: one export less.
pub fn wants(h: u32, kind: &str) -> bool {
    engine(h).is_some_and(|e| e.wants(kind))
}

/// Takes an event (`props`: a JSON object, as `intake.js` wrote it);
/// returns how many webhooks matched. Records and requests follow at the
/// next `call(h, POLL)`, which the page runs in a microtask. The page emits
/// through `call(h, EMIT, kind + "\0" + props)`: one export less.
pub fn emit(h: u32, kind: &str, props: &str, now: f64, wall: f64) -> u32 {
    let Some(e) = engine(h) else { return 0 };
    e.set_wall_offset(wall - now);
    let pairs = match json::parse(props, &BrowserHost) {
        Ok(Value::Object(pairs)) => pairs,
        _ => Vec::new(),
    };
    e.emit(kind, pairs, now) as u32
}

/// The operations of [`call`].
mod op {
    pub const POLL: u32 = 0;
    pub const ANSWER: u32 = 1;
    pub const TOKEN: u32 = 2;
    pub const PROBED: u32 = 3;
    pub const PROVIDER: u32 = 4;
    pub const ONLINE: u32 = 5;
    pub const HIDDEN: u32 = 6;
    pub const ADOPT: u32 = 7;
    pub const STORE_FAILED: u32 = 8;
    pub const IDENTIFY: u32 = 9;
    pub const PLAYER_USER: u32 = 10;
    pub const CONTEXT: u32 = 11;
    pub const UPDATE: u32 = 12;
    pub const STATS: u32 = 13;
    pub const STOP: u32 = 14;
    pub const FLUSH: u32 = 15;
    pub const SKIPPED: u32 = 16;
    pub const FAIL: u32 = 17;
    pub const REPLAY: u32 = 18;
    pub const WANTS: u32 = 19;
    pub const EMIT: u32 = 20;
}

/// Every other input of runtime `h`, by operation (see `op` and
/// `platform.js`); returns the effects that follow as JSON, or the result
/// of the operation (stats, settings problems).
#[wasm_bindgen]
pub fn call(h: u32, op: u32, text: &str, a: f64, b: f64, now: f64, wall: f64) -> String {
    // `wants` and `emit` answer for themselves: "1" or "", the count matched.
    if op == op::WANTS {
        return if wants(h, text) { "1" } else { "" }.into();
    }
    if op == op::EMIT {
        let (kind, props) = crate::core::text::split_once(text, "\0").unwrap_or((text, ""));
        let mut n = String::new();
        crate::core::value::push_uint(&mut n, u64::from(emit(h, kind, props, now, wall)));
        return n;
    }
    let Some(e) = engine(h) else {
        return String::new();
    };
    e.set_wall_offset(wall - now);
    // The operations whose text is JSON, read once.
    let v = if matches!(op, op::TOKEN | op::ADOPT | op::IDENTIFY | op::CONTEXT) {
        json::parse(text, &BrowserHost).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let item = |i: usize| v.as_array().and_then(|a| a.get(i));
    match op {
        op::POLL => e.poll(now),
        op::ANSWER => {
            // b: status + 1000 * kind (0 answer, 1 opaque, 2 network error,
            // 3 timeout, 4 redirect); text: Retry-After, or the error.
            let kind = (b / 1000.0) as u32;
            let status = (b as u32 % 1000) as u16;
            let answer = match kind {
                0 => Answer::Status {
                    code: status,
                    retry_after_ms: (!text.is_empty())
                        .then(|| parse_retry_after(text, wall))
                        .flatten(),
                },
                1 => Answer::Opaque,
                3 => Answer::Timeout,
                4 => Answer::Redirect,
                _ => Answer::Network(if text.is_empty() {
                    "failed to fetch".into()
                } else {
                    text.to_string()
                }),
            };
            e.answer(a as u64, answer, now);
        }
        op::TOKEN => {
            // text: [destination, answer (JSON value or null), error, request]
            let dest = item(0)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let answer = item(1).cloned().unwrap_or(Value::Null);
            let error = item(2).and_then(Value::as_str).unwrap_or_default();
            let result = if error.is_empty() {
                crate::core::auth::token_from_response(&answer)
            } else {
                Err(error.to_string())
            };
            let request = item(3).and_then(Value::as_f64).unwrap_or(0.0) as u32;
            e.token_for(&dest, request, result, now);
        }
        op::PROBED => e.probed(text, a != 0.0, now),
        op::PROVIDER => e.set_provider(text, a != 0.0, now),
        op::ONLINE => e.set_online(a != 0.0, now),
        op::HIDDEN => e.page_hidden(now),
        op::ADOPT => {
            if let Value::Array(records) = &v {
                e.adopt(records, now);
            }
        }
        op::STORE_FAILED => e.store_failed(text),
        op::IDENTIFY => {
            // text: [userId or null, traits object]
            let user = item(0).and_then(Value::as_str).map(str::to_string);
            let traits = match item(1) {
                Some(Value::Object(p)) => p.clone(),
                _ => Vec::new(),
            };
            e.identify(user, traits);
        }
        op::PLAYER_USER => e.set_player_user((!text.is_empty()).then(|| text.to_string())),
        op::CONTEXT => {
            let s = |k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            e.set_context(Context {
                session_id: s("sessionId"),
                session_start: v.get("sessionStart").and_then(Value::as_f64).unwrap_or(0.0),
                anonymous_id: s("anonymousId"),
                url: s("url"),
                path: s("path"),
                title: s("title"),
                referrer: s("referrer"),
                language: s("language"),
                user_agent: s("userAgent"),
            });
        }
        op::UPDATE => match read_settings(text) {
            Ok(settings) => e.update(settings, now),
            Err(errors) => return errors,
        },
        op::STATS => return out::stats(e),
        op::STOP => {
            e.stop(now);
            let effects = out::effects(e, now);
            slots()[h as usize] = None;
            return effects;
        }
        op::FLUSH => e.flush(now),
        op::SKIPPED => e.skipped(a as u64),
        op::REPLAY => {
            let record = json::parse(text, &BrowserHost).unwrap_or(Value::Null);
            let done = e.replay(&record, now);
            let mut o = out::effects(e, now);
            if !done {
                o.pop();
                o.push_str(",\"replayed\":false}");
            }
            return o;
        }
        // Self-test of the page guard: a trap, as a bug would make one.
        op::FAIL => core::arch::wasm32::unreachable(),
        _ => {}
    }
    out::effects(e, now)
}
