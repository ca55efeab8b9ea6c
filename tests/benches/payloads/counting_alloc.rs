//! A global allocator that counts live heap bytes and their high-water mark,
//! so the bench can report the peak heap of one decode.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, with live and peak byte counts.
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Relaxed) + by;
    ALLOCATED.fetch_add(by, Relaxed);
    PEAK.fetch_max(live, Relaxed);
}

// SAFETY: every call forwards to `System` unchanged; the counters only observe.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        new
    }
}

/// Heap use of one call, measured from the bytes live when it started.
#[derive(Debug, Clone, Copy)]
pub struct HeapUse {
    /// Highest number of bytes live at once above the starting point.
    pub peak_above_start: usize,
    /// Total bytes requested from the allocator (a copy of a payload shows here).
    pub allocated: usize,
}

/// Runs `f` and reports its heap use; the result is dropped after measuring.
pub fn measure<T>(f: impl FnOnce() -> T) -> HeapUse {
    let start = LIVE.load(Relaxed);
    PEAK.store(start, Relaxed);
    let allocated_before = ALLOCATED.load(Relaxed);
    let out = std::hint::black_box(f());
    let use_ =
        HeapUse { peak_above_start: PEAK.load(Relaxed) - start, allocated: ALLOCATED.load(Relaxed) - allocated_before };
    drop(out);
    use_
}
