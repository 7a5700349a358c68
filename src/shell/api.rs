//! The exported JavaScript API. The public entry (`index.js` in the npm
//! package) wraps these so that no call ever throws into the host page,
//! except `start` and `update` on invalid settings.

use super::convert::{problems, to_js, to_value};
use super::host::BrowserHost;
use super::platform;
use super::runtime::{Options, Runtime as Inner};
use crate::core::catalog;
use crate::core::engine::Limits;
use crate::core::settings::{Problem, Settings};
use crate::core::validate;
use crate::core::value::Value;
use js_sys::Function;
use wasm_bindgen::prelude::*;

/// Settings cross as JSON text: one call instead of one per field, which
/// matters for start time with many webhooks. (Events, on the hot path,
/// cross as objects.)
fn read(settings: &JsValue) -> Result<Settings, Vec<Problem>> {
    match platform::to_json(settings) {
        Some(text) => Settings::from_json(&text, &BrowserHost),
        None => Err(vec![Problem::new(
            "$",
            "settings must be a JSON document (an object, or its text)",
        )]),
    }
}

fn parse(settings: &JsValue) -> Result<Settings, JsValue> {
    read(settings).map_err(|p| to_js(&problems(&p)))
}

/// A running module (the object `start` returns wraps it).
#[wasm_bindgen]
pub struct Runtime {
    inner: Inner,
}

#[wasm_bindgen]
impl Runtime {
    /// Starts on `settings`; throws the list of `{ path, message }` problems
    /// when they are invalid. `options`: `{ autoCapture, debug, playerEvents }`.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue, options: JsValue) -> Result<Runtime, JsValue> {
        let settings = parse(&settings)?;
        let opt = to_value(&options);
        let flag = |k: &str, d: bool| opt.get(k).and_then(|v| v.as_bool()).unwrap_or(d);
        let mut limits = Limits::default();
        // Retry delays: { backoff: { baseMs, maxMs } } (tests use short ones).
        if let Some(b) = opt.get("backoff") {
            let ms = |k: &str| b.get(k).and_then(|v| v.as_f64()).filter(|n| *n >= 1.0);
            limits.base_delay_ms = ms("baseMs").unwrap_or(limits.base_delay_ms);
            limits.max_delay_ms = ms("maxMs")
                .unwrap_or(limits.max_delay_ms)
                .max(limits.base_delay_ms);
        }
        let options = Options {
            auto_capture: flag("autoCapture", false),
            debug: flag("debug", false),
            player_events: flag("playerEvents", true),
            worker: flag("worker", true),
            limits,
        };
        Ok(Runtime {
            inner: Inner::start(settings, options),
        })
    }

    /// Takes an event; returns the number of webhooks it matched.
    pub fn emit(&self, event_type: &str, properties: JsValue) -> u32 {
        self.inner.emit(event_type, &properties)
    }

    /// Sets `user.id` (and `user.<trait>` for each trait).
    pub fn identify(&self, user_id: Option<String>, traits: JsValue) {
        self.inner.identify(user_id, &traits)
    }

    /// Re-publishes settings; throws the problems when they are invalid (the
    /// module keeps the settings it had).
    pub fn update(&self, settings: JsValue) -> Result<(), JsValue> {
        let settings = parse(&settings)?;
        self.inner.update(settings);
        Ok(())
    }

    /// Registers (or, with `null`, removes) a function that returns the
    /// token for a destination, so no secret has to be published.
    #[wasm_bindgen(js_name = setTokenProvider)]
    pub fn set_token_provider(&self, destination: &str, provider: Option<Function>) {
        self.inner.set_token_provider(destination, provider)
    }

    /// Adds a listener called with a report for every attempt and drop.
    #[wasm_bindgen(js_name = onDelivery)]
    pub fn on_delivery(&self, listener: Function) {
        self.inner.on_delivery(listener)
    }

    /// Resolves when nothing is in flight and nothing is due.
    pub fn flush(&self) -> js_sys::Promise {
        self.inner.flush()
    }

    /// Self-test of the page guard: the next event fails inside the module.
    #[wasm_bindgen(js_name = failNext)]
    pub fn fail_next(&self) {
        self.inner.fail_next()
    }

    /// Counters and gauges.
    pub fn stats(&self) -> JsValue {
        self.inner.stats()
    }

    /// Stops listening and sending; stored deliveries stay for the next start.
    pub fn stop(&self) {
        self.inner.stop()
    }
}

/// Validates settings: `{ ok, errors: [{ path, message }], warnings }`.
#[wasm_bindgen]
pub fn validate(settings: JsValue) -> JsValue {
    let (ok, errors, warnings) = match read(&settings) {
        Ok(s) => (true, Vec::new(), validate::warnings(&s)),
        Err(errors) => (false, errors, Vec::new()),
    };
    to_js(&Value::Object(vec![
        ("ok".into(), ok.into()),
        ("errors".into(), problems(&errors)),
        ("warnings".into(), problems(&warnings)),
    ]))
}

/// Runs the settings reader, the engine's matching and request building on a
/// sample, with no effect on the page (nothing is sent, stored or listened
/// to), so that the engine compiles that code during `init()` rather than in
/// the caller's first `start()` and `emit()`s.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up(settings: JsValue, properties: JsValue, rounds: u32) {
    use crate::core::engine::{Context, Engine};
    let Ok(settings) = read(&settings) else {
        return;
    };
    let _ = validate::warnings(&settings);
    let mut engine = Engine::new(settings, Box::new(BrowserHost), 1, Limits::default());
    engine.set_context(Context::default());
    engine.identify(Some("u".into()), Vec::new());
    // Repeated so that the engine optimises the hot path, not only compiles
    // it; capped so that a caller cannot stall the page here.
    for round in 0..rounds.min(1024) {
        let props = match to_value(&properties) {
            Value::Object(pairs) => pairs,
            _ => Vec::new(),
        };
        engine.emit("survey.submitted", props, f64::from(round));
        if round % 16 == 15 {
            engine.poll(f64::from(round));
            let _ = engine.take_effects();
        }
    }
    let _ = engine.stats().to_value();
    let _ = engine.take_effects();
}

/// The event catalog with each event's properties.
#[wasm_bindgen]
pub fn catalog() -> JsValue {
    to_js(&catalog::to_value())
}

/// Shares the page's guard with the platform code (called once by `index.js`).
#[wasm_bindgen(js_name = installGuard)]
pub fn install_guard(guard: JsValue) {
    platform::install_guard(&guard);
}
