//! Interleaved timing: every variant of a comparison runs once per round, so
//! noise from other work on the machine hits all of them alike.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Rounds run and discarded before measuring.
pub const WARMUP_ROUNDS: usize = 3;

/// Times one call; its result is dropped after the clock stops.
pub fn time_once<T>(f: &mut dyn FnMut() -> T) -> Duration {
    let start = Instant::now();
    let out = black_box(f());
    let elapsed = start.elapsed();
    drop(out);
    elapsed
}

/// Median of each variant over `rounds` measured rounds (after warm-up).
/// `variants[i]` runs once per round, in order.
pub fn compare(rounds: usize, variants: &mut [&mut dyn FnMut() -> Box<dyn std::any::Any>]) -> Vec<Duration> {
    let mut samples = vec![Vec::with_capacity(rounds); variants.len()];
    for round in 0..WARMUP_ROUNDS + rounds {
        for (i, variant) in variants.iter_mut().enumerate() {
            let elapsed = time_once(*variant);
            if round >= WARMUP_ROUNDS {
                samples[i].push(elapsed);
            }
        }
    }
    samples.into_iter().map(median).collect()
}

/// The median of some durations.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Megabytes (10^6 bytes) per second.
pub fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1e6
}

/// Milliseconds, for the table.
pub fn ms(time: Duration) -> f64 {
    time.as_secs_f64() * 1e3
}

/// Like [`compare`], for variants that consume their input (a body decoded in
/// place): each call gets a fresh input, made before its clock starts. A
/// variant returns the input (or what it became) so it is dropped untimed.
pub fn compare_consuming<I>(
    rounds: usize,
    mut input: impl FnMut() -> I,
    variants: &mut [&mut dyn FnMut(I) -> Box<dyn std::any::Any>],
) -> Vec<Duration> {
    let mut samples = vec![Vec::with_capacity(rounds); variants.len()];
    for round in 0..WARMUP_ROUNDS + rounds {
        for (i, variant) in variants.iter_mut().enumerate() {
            let mut fresh = Some(input());
            let elapsed = time_once(&mut || variant(black_box(fresh.take().expect("one call per input"))));
            if round >= WARMUP_ROUNDS {
                samples[i].push(elapsed);
            }
        }
    }
    samples.into_iter().map(median).collect()
}
