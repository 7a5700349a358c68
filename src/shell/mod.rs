//! The browser shell: a thin wasm-bindgen layer over [`crate::core`].
//!
//! - `api`: the exported JavaScript API (`Runtime`, `validate`, `catalog`).
//! - `runtime`: one running module: the engine, and the effects it asks for
//!   carried out with the browser's APIs.
//! - `platform`: bindings to `platform.js` and `capture.js`, the small
//!   JavaScript files that call `fetch`, timers, storage, Web Locks and DOM
//!   listeners. One crossing per request; no JSON round trips.
//! - `host`: JavaScript's `RegExp` and number formatting for the core.
//! - `convert`: JavaScript values to and from the core's [`Value`](crate::core::value::Value).

pub mod api;
mod convert;
mod host;
mod platform;
mod runtime;
