//! When to retry, and how long to wait.
//!
//! Image generation is paid and not idempotent, so the rules are
//! conservative: only statuses that say "the server did not do the work"
//! (408, 429, 5xx gateways) and connections that never reached the server are
//! retried by default. Server hints (`retry-after-ms`, `Retry-After`, a retry delay
//! or verdict an envelope reads from the body, `x-should-retry`) win over our own
//! backoff. A retry is never sent earlier than the server asked: a wait hint is
//! honoured in full up to [`RetryPolicy::max_server_wait`], and above it the
//! call gives up and returns the error carrying the hint (as openai-python
//! does), since retrying early would only be refused again. Our own backoff is
//! capped separately, by [`RetryPolicy::max_delay`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use super::error::ApiError;
use super::OperationInfo;

/// Statuses retried for every operation: the request was not processed.
pub const RETRYABLE_STATUSES: &[u16] = &[408, 429, 500, 502, 503, 504];

/// A future returned by the sleep hook.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A replacement for `tokio::time::sleep`: the retry loop's, and the job poller's
/// ([`PollPolicy::with_sleep`](super::PollPolicy::with_sleep)).
pub(crate) type SleepFn = Arc<dyn Fn(Duration) -> SleepFuture + Send + Sync>;

/// Wraps a caller's sleep function for storage in a policy.
pub(crate) fn sleep_fn<F, Fut>(sleep: F) -> SleepFn
where
    F: Fn(Duration) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Arc::new(move |d| Box::pin(sleep(d)) as SleepFuture)
}

/// Waits `wait` with the hook when one is set, else with tokio's timer.
pub(crate) async fn sleep_with(hook: Option<&SleepFn>, wait: Duration) {
    match hook {
        Some(sleep) => sleep(wait).await,
        None => tokio::time::sleep(wait).await,
    }
}

/// How a backoff ceiling becomes an actual wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// A uniformly random wait in `[0, ceiling]` ("full jitter"), so that many
    /// clients hit by the same outage do not retry in lockstep.
    Full,
    /// Exactly the ceiling; deterministic, for tests and single clients.
    None,
}

/// Bounded exponential backoff with jitter.
#[derive(Clone)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_server_wait: Duration,
    jitter: Jitter,
    sleep: Option<SleepFn>,
}

impl Default for RetryPolicy {
    /// 2 retries, full jitter, 0.5 s base doubling per retry, no backoff above 30 s,
    /// server hints honoured up to 60 s.
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_server_wait: Duration::from_secs(60),
            jitter: Jitter::Full,
            sleep: None,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_server_wait", &self.max_server_wait)
            .field("jitter", &self.jitter)
            .field("custom_sleep", &self.sleep.is_some())
            .finish()
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn no_retries() -> Self {
        Self::default().with_max_retries(0)
    }

    /// Sets how many times a request may be re-sent (attempts = retries + 1).
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets the first backoff ceiling; it doubles on each retry.
    pub fn with_base_delay(mut self, base_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self
    }

    /// Sets the longest backoff wait the client chooses by itself (server hints are
    /// bounded by [`with_max_server_wait`](Self::with_max_server_wait) instead).
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Sets the longest wait a server hint (`Retry-After`, `retry-after-ms`, Google
    /// `RetryInfo`) may ask for. A longer hint is not shortened: the call gives up
    /// and returns the error, whose `retry_after` says when to try again.
    pub fn with_max_server_wait(mut self, max_server_wait: Duration) -> Self {
        self.max_server_wait = max_server_wait;
        self
    }

    /// Sets the jitter.
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Replaces `tokio::time::sleep` between attempts, so tests can record the
    /// waits without sleeping, or callers can log or cancel them.
    pub fn with_sleep<F, Fut>(mut self, sleep: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.sleep = Some(sleep_fn(sleep));
        self
    }

    /// How many times a request may be re-sent.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The first backoff ceiling.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The longest backoff wait.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The longest server-requested wait that is honoured rather than given up on.
    pub fn max_server_wait(&self) -> Duration {
        self.max_server_wait
    }

    /// The jitter.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The backoff ceiling before retry number `retry` (0-based): `base * 2^retry`, at most `max_delay`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait before retry number `retry` (0-based) when the server gave no hint.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        match self.jitter {
            Jitter::None => ceiling,
            Jitter::Full => {
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(fastrand::u64(0..=nanos))
            }
        }
    }

    /// The wait before retry number `retry` (0-based), or `None` when the server
    /// asked for more than [`max_server_wait`](Self::max_server_wait): then the
    /// caller should give up rather than retry before the server is ready.
    ///
    /// A hint is honoured in full, never cut, so a retry is never sent earlier than
    /// asked. A zero hint (`Retry-After: 0`, or a date already past) gets the normal
    /// backoff instead: "retry now" from a server under load, answered by every
    /// client at once, would be a stampede.
    pub fn wait(&self, retry: u32, server_hint: Option<Duration>) -> Option<Duration> {
        match server_hint {
            Some(hint) if hint > self.max_server_wait => None,
            Some(hint) if !hint.is_zero() => Some(hint),
            _ => Some(self.backoff(retry)),
        }
    }

    pub(crate) async fn sleep(&self, wait: Duration) {
        sleep_with(self.sleep.as_ref(), wait).await
    }
}

/// Whether an API error may be retried: the response's own verdict (`x-should-retry`,
/// the body's `retryable`, the envelope's rules by code or message) wins over the status.
pub(crate) fn is_retryable(error: &ApiError, op: &OperationInfo) -> bool {
    error.retry_verdict().unwrap_or_else(|| status_is_retryable(error.status, op))
}

/// Whether a status alone is worth retrying for `op`: the docs' verdict for it, else
/// the default ([`RETRYABLE_STATUSES`]).
pub(crate) fn status_is_retryable(status: u16, op: &OperationInfo) -> bool {
    op.status_retries
        .iter()
        .find(|s| s.status == status)
        .map_or_else(|| RETRYABLE_STATUSES.contains(&status), |s| s.retry)
}

/// Retry hints read from response headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetryHints {
    /// `retry-after-ms`, else `Retry-After`; malformed or negative values are ignored.
    pub retry_after: Option<Duration>,
    /// `x-should-retry: true|false`.
    pub should_retry: Option<bool>,
}

/// Hints are bounded here so that converting them can never overflow; a hint
/// this long is far above any sensible `max_server_wait`, so it means "give up".
pub(crate) const MAX_HINT: Duration = Duration::from_secs(24 * 60 * 60);

impl RetryHints {
    /// Reads the hints from `headers`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self::from_headers_at(headers, SystemTime::now())
    }

    /// Reads the hints, resolving an HTTP-date `Retry-After` against `now`.
    pub fn from_headers_at(headers: &HeaderMap, now: SystemTime) -> Self {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let retry_after = header("retry-after-ms")
            .and_then(parse_retry_after_ms)
            .or_else(|| header("retry-after").and_then(|v| parse_retry_after(v, now)));
        let should_retry = header("x-should-retry").and_then(|v| {
            if v.eq_ignore_ascii_case("true") {
                Some(true)
            } else if v.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        });
        Self { retry_after, should_retry }
    }
}

/// `retry-after-ms: 1500` (OpenAI); fractional values are accepted.
pub fn parse_retry_after_ms(value: &str) -> Option<Duration> {
    seconds(value.parse::<f64>().ok()? / 1000.0)
}

/// `Retry-After: <delta-seconds>` or `Retry-After: <HTTP-date>`; a date in the past means "now".
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for u64 is still "a very long time", not garbage.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_HINT));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO).min(MAX_HINT))
}

fn seconds(secs: f64) -> Option<Duration> {
    // NaN, infinities and negative values are not waits.
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(secs.min(MAX_HINT.as_secs_f64())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_the_cap() {
        let policy = RetryPolicy::default().with_jitter(Jitter::None);
        assert_eq!(policy.backoff(0), Duration::from_millis(500));
        assert_eq!(policy.backoff(1), Duration::from_secs(1));
        assert_eq!(policy.backoff(3), Duration::from_secs(4));
        assert_eq!(policy.backoff(10), Duration::from_secs(30));
        assert_eq!(policy.backoff(200), Duration::from_secs(30));
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling() {
        let policy = RetryPolicy::default();
        let waits: Vec<Duration> = (0..200).map(|_| policy.backoff(2)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_secs(2)));
        // 200 draws all equal would mean there is no jitter at all.
        assert!(waits.iter().any(|w| *w != waits[0]));
    }

    #[test]
    fn absurd_retry_after_values_are_ignored_or_bounded() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
        assert_eq!(parse_retry_after("inf", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(MAX_HINT));
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), Some(MAX_HINT));
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after_ms("1e308"), Some(MAX_HINT));
        assert_eq!(parse_retry_after_ms("-1"), None);
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait(0, Some(MAX_HINT)), None);
    }

    #[test]
    fn hints_are_honoured_in_full_up_to_the_server_wait_limit() {
        let policy = RetryPolicy::default().with_jitter(Jitter::None);
        // Above max_delay (30 s) but within max_server_wait (60 s): not cut.
        assert_eq!(policy.wait(0, Some(Duration::from_secs(45))), Some(Duration::from_secs(45)));
        assert_eq!(policy.wait(0, Some(Duration::from_secs(60))), Some(Duration::from_secs(60)));
        assert_eq!(policy.wait(0, Some(Duration::from_millis(60_001))), None);
        // Zero means "now": the attempt's own backoff, never no wait at all.
        assert_eq!(policy.wait(0, Some(Duration::ZERO)), Some(Duration::from_millis(500)));
        assert_eq!(policy.wait(2, Some(Duration::ZERO)), Some(Duration::from_secs(2)));
        assert_eq!(policy.wait(1, None), Some(Duration::from_secs(1)));
        let patient = policy.with_max_server_wait(Duration::from_secs(600));
        assert_eq!(patient.wait(0, Some(Duration::from_secs(300))), Some(Duration::from_secs(300)));
    }
}
