//! The allocator of the wasm modules: free lists by size class.
//!
//! Classes go by half powers of two (8, 12, 16, 24, 32, 48, ... bytes), so a
//! block wastes a fifth of itself on average. A freed block goes on its
//! class's list and the next request of that class takes it back: memory is
//! reused however long the page runs, and use is bounded by the most each
//! class held at once. New blocks come from the end of the wasm memory,
//! which grows by whole pages as needed, as general-purpose allocators do
//! for wasm. A few hundred bytes of code where a general allocator takes
//! kilobytes: the runtime is downloaded by every visitor.
//!
//! Single-threaded (wasm32 in a page): no locking.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

const PAGE: usize = 64 * 1024;
/// Blocks are aligned to the largest power of two that divides their size,
/// up to this (what Rust types need on wasm32); a larger alignment is asked
/// of fresh blocks only.
const MAX_ALIGN: usize = 16;

struct State {
    /// First free block of each class (0: none).
    free: [usize; 64],
    /// Where the next fresh block starts, and where the memory ends.
    next: usize,
    end: usize,
}

/// The global allocator.
pub struct Heap(UnsafeCell<State>);

// SAFETY: wasm32-unknown-unknown runs one thread.
unsafe impl Sync for Heap {}

impl Heap {
    /// An allocator with nothing claimed yet.
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State {
            free: [0; 64],
            next: 0,
            end: 0,
        }))
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

/// The size of class `c`: `2^(c/2)` for even classes, `1.5 · 2^(c/2)` for odd ones.
fn size_of(c: usize) -> usize {
    (2 + (c & 1)) << (c / 2 - 1)
}

/// The smallest class whose blocks hold `layout` (size and alignment).
fn class(layout: &Layout) -> usize {
    let size = layout.size().max(layout.align()).max(8);
    // The power of two 2^e that holds it; the class below it may do.
    let e = (usize::BITS - (size - 1).leading_zeros()) as usize;
    let c = 2 * e - 1;
    if size <= size_of(c) && layout.align() <= 1 << (e - 2) {
        c
    } else {
        2 * e
    }
}

/// A fresh block of `size` bytes aligned to `align` at the end of the
/// memory, growing it when needed; 0 when the browser refuses more.
fn fresh(s: &mut State, size: usize, align: usize) -> usize {
    if s.end == 0 {
        s.end = core::arch::wasm32::memory_size::<0>() * PAGE;
        s.next = s.end;
    }
    // The last page stays unused, so no address computed here overflows.
    let Some(top) = s
        .next
        .checked_add(align - 1)
        .map(|n| n & !(align - 1))
        .and_then(|at| at.checked_add(size))
        .filter(|&top| top <= usize::MAX - PAGE)
    else {
        return 0;
    };
    if top > s.end {
        let pages = (top - s.end).div_ceil(PAGE);
        if core::arch::wasm32::memory_grow::<0>(pages) == usize::MAX {
            return 0;
        }
        s.end += pages * PAGE;
    }
    s.next = top;
    top - size
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: one thread, and no allocation happens while this runs.
        let s = unsafe { &mut *self.0.get() };
        let c = class(&layout);
        if c >= 64 {
            return core::ptr::null_mut();
        }
        let head = s.free[c];
        if head != 0 && layout.align() <= MAX_ALIGN {
            // SAFETY: a free block starts with the next one's address.
            s.free[c] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        let size = size_of(c);
        let align = (size & size.wrapping_neg()).min(MAX_ALIGN);
        fresh(s, size, align.max(layout.align())) as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in `alloc`; the block is ours and at least 8 bytes long.
        let s = unsafe { &mut *self.0.get() };
        let c = class(&layout);
        if ptr as usize + size_of(c) == s.next {
            // The last fresh block: the memory after `ptr` is fresh again.
            s.next = ptr as usize;
            return;
        }
        unsafe { *(ptr as *mut usize) = s.free[c] };
        s.free[c] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's layout is valid, so one of the same alignment is.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(&new) == class(&layout) {
            // The block already holds the new size.
            return ptr;
        }
        // SAFETY: as the trait asks: copy the smaller size, free the old block.
        unsafe {
            let to = self.alloc(new);
            if !to.is_null() {
                core::ptr::copy_nonoverlapping(ptr, to, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            to
        }
    }
}
