//! Bindings to `platform.js` and `capture.js`.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/shell/platform.js")]
extern "C" {
    pub fn install_guard(guard: &JsValue);
    pub fn is_broken() -> bool;
    pub fn fail(error: &JsValue);
    pub fn guard(f: &JsValue) -> Function;
    pub fn call_host(f: &Function, arg: &JsValue);
    pub fn entries(o: &JsValue) -> js_sys::Array;
    pub fn to_json(v: &JsValue) -> Option<String>;
    pub fn now() -> f64;
    pub fn seed() -> f64;
    pub fn number_to_string(n: f64) -> String;
    pub fn parse_number(s: &str) -> f64;
    pub fn lowercase(s: &str) -> String;
    pub fn regex_compile(pattern: &str, ignore_case: bool) -> JsValue;
    pub fn regex_test(re: &JsValue, text: &str) -> bool;
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        on_answer: &Function,
        id: f64,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: Option<String>,
        mode: &str,
        keepalive: bool,
        timeout_ms: u32,
    );
    pub fn fetch_token(on_token: &Function, destination: &str, url: &str, body: &str);
    pub fn ask_token(on_token: &Function, destination: &str, provider: &Function);
    pub fn microtask(f: &Function);
    pub fn set_timer(handle: f64, f: &Function, ms: f64) -> f64;
    pub fn clear_timer(handle: f64);
    pub fn store_put(key: &str, value: &str) -> bool;
    pub fn store_del(key: &str);
    pub fn store_scan(prefix: &str) -> js_sys::Array;
    pub fn session_get(key: &str) -> Option<String>;
    pub fn session_set(key: &str, value: &str);
    pub fn hold_lock(name: &str) -> Function;
    pub fn with_orphan_lock(name: &str, f: &Function);
    pub fn page_context() -> Vec<String>;
    pub fn href() -> String;
    pub fn is_online() -> bool;
    pub fn listen_player(f: &Function) -> Function;
    pub fn listen_lifecycle(on_hidden: &Function, on_online: &Function) -> Function;
    pub fn watch_navigation(f: &Function) -> Function;
    pub fn has_navigation_api() -> bool;
    pub fn set_worker(enabled: bool);
}

// Imported by platform.js (and the source of the sender worker); declared
// so that wasm-bindgen ships it next to platform.js.
#[wasm_bindgen(module = "/src/shell/fetch.js")]
extern "C" {
    #[allow(dead_code)]
    fn deliver(message: &JsValue, reply: &Function);
}

#[wasm_bindgen(module = "/src/shell/capture.js")]
extern "C" {
    pub fn capture_dom(emit: &Function, capture_values: &Function) -> Function;
}
