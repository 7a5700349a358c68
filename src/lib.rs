//! WalkMe webhooks in the browser.
//!
//! - [`core`]: the product logic in plain Rust (catalog, settings and
//!   validation, conditions, mapping, templates, requests, retry policy and the
//!   delivery queue). No browser types; tested natively with `cargo test`.
//! - `shell` (wasm32 only): the thin wasm-bindgen layer that adapts `fetch`,
//!   timers, storage, DOM events and the JavaScript API to the core.
#![deny(missing_docs)]

pub mod core;

#[cfg(target_arch = "wasm32")]
mod shell;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

#[cfg(target_arch = "wasm32")]
pub use shell::api::{catalog, validate, Runtime};
