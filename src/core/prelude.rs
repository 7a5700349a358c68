//! The `alloc` names the core uses everywhere, so that it builds with and
//! without the standard library alike.

pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
pub use alloc::{format, vec};
