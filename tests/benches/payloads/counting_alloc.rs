//! A global allocator that counts heap bytes and their high-water mark while a
//! measurement is running, so the bench can report the peak heap of one decode.
//!
//! Outside [`measure`] it is a plain pass-through to `System`: the counters are
//! shared atomics, and updating them on every allocation from several threads
//! makes their cache line bounce between cores. That once made the
//! multi-threaded generator look twice as slow in this bench as it is.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering::Relaxed};

/// The system allocator, with live and peak byte counts during [`measure`].
pub struct CountingAlloc;

/// Whether a measurement is running (only then are the counters touched).
static ARMED: AtomicBool = AtomicBool::new(false);
/// Bytes allocated minus bytes freed since the measurement started; negative
/// when the measured code frees memory that was live before it started.
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    if ARMED.load(Relaxed) {
        let by = by as isize;
        let live = LIVE.fetch_add(by, Relaxed) + by;
        ALLOCATED.fetch_add(by as usize, Relaxed);
        PEAK.fetch_max(live, Relaxed);
    }
}

fn shrank(by: usize) {
    if ARMED.load(Relaxed) {
        LIVE.fetch_sub(by as isize, Relaxed);
    }
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
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        if !new.is_null() {
            shrank(layout.size());
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
/// Measurements must not overlap (the bench runs them one at a time).
pub fn measure<T>(f: impl FnOnce() -> T) -> HeapUse {
    LIVE.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    ALLOCATED.store(0, Relaxed);
    ARMED.store(true, Relaxed);
    let out = std::hint::black_box(f());
    ARMED.store(false, Relaxed);
    let use_ = HeapUse { peak_above_start: PEAK.load(Relaxed).max(0) as usize, allocated: ALLOCATED.load(Relaxed) };
    drop(out);
    use_
}
