//! The product logic, free of any browser API.
//!
//! The browser reaches it through a few small seams: [`host::Host`] for the
//! regular-expression engine and number formatting, and plain `now` / random
//! arguments for time and jitter, so a test can drive a whole delivery
//! schedule with a fake clock.

pub mod auth;
pub mod catalog;
pub mod condition;
pub mod engine;
pub mod event;
pub mod host;
pub mod hosts;
pub mod json;
pub mod mapping;
pub mod num;
pub mod prelude;
pub mod problem;
pub mod queue;
pub mod reader;
pub mod regex;
pub mod request;
pub mod retry;
pub mod settings;
pub mod sha256;
pub mod template;
pub mod text;
pub mod url;
pub mod validate;
pub mod value;

#[cfg(not(target_arch = "wasm32"))]
pub mod schema;
