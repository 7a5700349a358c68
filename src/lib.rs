//! WalkMe webhooks in the browser.
//!
//! - [`core`]: the product logic in plain Rust (catalog, settings and
//!   validation, conditions, mapping, templates, requests, retry policy and the
//!   delivery engine). No browser types; tested natively with `cargo test`.
//! - `runtime` (wasm32, feature `runtime`): the visitor runtime's exports. It
//!   is built without the standard library, so what every visitor downloads
//!   carries no formatting machinery and no panic messages.
//! - `editor` (wasm32, feature `editor`): the editor module's exports
//!   (validation with messages, catalog, schema, presets, previews, publish).
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std"), not(test)), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod core;

#[cfg(all(target_arch = "wasm32", feature = "runtime"))]
pub mod runtime;

#[cfg(all(target_arch = "wasm32", feature = "editor"))]
pub mod editor;

#[cfg(target_arch = "wasm32")]
mod heap;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: heap::Heap = heap::Heap::new();

/// Without the standard library a panic traps: the instance is then treated
/// as broken by the JavaScript side, which reports it once and carries on
/// without it. No message text is linked in.
#[cfg(all(target_arch = "wasm32", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
