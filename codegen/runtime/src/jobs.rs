//! Async jobs: a request that starts the work (submit), then polls of its status until
//! a terminal state, at the pace the docs give and within an overall deadline.
//!
//! Generated code makes the submit and status calls and reads a status answer's
//! [`JobState`] as its spec says; [`wait`] is the loop between them. Downloading a
//! signed result URL is [`HttpClient::download`]; a polling URL a submit answer
//! returned is fetched with [`HttpClient::get_json_url_with_response`]. Both send the
//! API key only where the key policy allows (see the crate's `ARCHITECTURE.md`).
//!
//! What [`wait`] adds to the client's own retries: a status poll is a `GET` that bills
//! nothing, and the job it reads was paid for, so a poll that still fails after the
//! client's retries with a transient error (a transport error, a timeout, 408, 429,
//! 5xx, or a server saying `x-should-retry: true`) is no reason to give the job up.
//! It is read as "no news": polled again at the next wait (at least as long as the
//! server's `Retry-After`), until the deadline. Any other failure (401, 404, an answer
//! that does not decode) is returned at once, as it is.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use super::client::HttpClient;
use super::error::Error;
use super::error_text::shorten;
use super::retry::{sleep_fn, sleep_with, SleepFn, RETRYABLE_STATUSES};

/// How much of a status text an error message shows.
const STATUS_BYTES: usize = 200;

/// Where a job stands, as read from a status answer (the spec says which status values
/// mean which state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Queued or running: poll again.
    Pending,
    /// Finished with a result.
    Done,
    /// Finished without a result (an error on the provider's side).
    Failed,
    /// Refused by the provider's content moderation.
    Moderated,
    /// Gone before it was fetched, or a result no longer kept.
    Expired,
}

impl JobState {
    /// Whether polling stops here.
    pub fn is_terminal(self) -> bool {
        self != JobState::Pending
    }

    /// `pending`, `done`, `failed`, `moderated`, `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Moderated => "moderated",
            JobState::Expired => "expired",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The documented polling pace: the first wait between polls, how it grows, its cap,
/// and the overall deadline.
///
/// ```
/// use std::time::Duration;
/// use imagegen_runtime::PollPolicy;
///
/// // Poll after 1 s, then 1.5 s, 2.25 s, ... never more than 10 s apart; give up after 5 min.
/// let policy = PollPolicy::new(Duration::from_secs(1), Duration::from_secs(10), 1.5, Duration::from_secs(300));
/// assert_eq!(policy.nth_wait(1), Duration::from_millis(1500));
/// assert_eq!(policy.nth_wait(20), Duration::from_secs(10));
/// ```
#[derive(Clone)]
pub struct PollPolicy {
    /// The first wait between two polls.
    pub interval: Duration,
    /// The longest wait between two polls (read as `interval` when below it).
    pub max_interval: Duration,
    /// The factor each wait grows by (1.0: a fixed interval). A factor below 1, NaN or
    /// infinite is read as 1: a shrinking wait would hammer the server.
    pub backoff: f64,
    /// The overall limit, from the first poll (right after the submit) to a terminal
    /// state.
    pub deadline: Duration,
    sleep: Option<SleepFn>,
}

impl Default for PollPolicy {
    /// Every 2 s, growing by half up to 10 s apart, for at most 10 minutes: for a spec
    /// that documents no pace.
    fn default() -> Self {
        Self::new(Duration::from_secs(2), Duration::from_secs(10), 1.5, Duration::from_secs(600))
    }
}

impl fmt::Debug for PollPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollPolicy")
            .field("interval", &self.interval)
            .field("max_interval", &self.max_interval)
            .field("backoff", &self.backoff)
            .field("deadline", &self.deadline)
            .field("custom_sleep", &self.sleep.is_some())
            .finish()
    }
}

impl PollPolicy {
    /// A pace: `interval` first, each wait `backoff` times the one before, at most
    /// `max_interval`, within `deadline`. A `const fn`, so a generated policy can be a
    /// constant.
    pub const fn new(interval: Duration, max_interval: Duration, backoff: f64, deadline: Duration) -> Self {
        Self { interval, max_interval, backoff, deadline, sleep: None }
    }

    /// A fixed `interval` within `deadline`.
    pub const fn fixed(interval: Duration, deadline: Duration) -> Self {
        Self::new(interval, interval, 1.0, deadline)
    }

    /// Replaces the deadline (a caller with more or less patience than the docs).
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Replaces `tokio::time::sleep` between polls, so tests can record the waits
    /// without sleeping ([`RetryPolicy::with_sleep`](super::RetryPolicy::with_sleep) is
    /// the same hook). The deadline counts each wait asked for as slept in full.
    #[must_use]
    pub fn with_sleep<F, Fut>(mut self, sleep: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.sleep = Some(sleep_fn(sleep));
        self
    }

    /// Wait number `n` (0 for the one after the first poll): `interval × backoff^n`,
    /// at most `max_interval`; rounded to the millisecond after the first.
    pub fn nth_wait(&self, n: u32) -> Duration {
        let cap = self.max_interval.max(self.interval);
        if n == 0 {
            return self.interval.min(cap);
        }
        let factor = if self.backoff.is_finite() && self.backoff >= 1.0 { self.backoff } else { 1.0 };
        let exponent = i32::try_from(n).unwrap_or(i32::MAX);
        let millis = (self.interval.as_secs_f64() * factor.powi(exponent) * 1000.0).round();
        if !millis.is_finite() || millis >= cap.as_secs_f64() * 1000.0 {
            return cap;
        }
        // Below the cap, so it fits; `as` saturates in any case.
        Duration::from_millis(millis as u64)
    }
}

/// One poll's reading, handed to the progress callback after every answered poll
/// (terminal ones included).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct JobProgress<'a> {
    /// The state the answer gave.
    pub state: JobState,
    /// The raw status text (`IN_QUEUE`, `Content Moderated`).
    pub status: &'a str,
    /// Polls sent so far, this one included (failed ones too).
    pub polls: u32,
    /// Time since the first poll.
    pub elapsed: Duration,
    /// The wait before the next poll; `None` when polling stops.
    pub next_poll_in: Option<Duration>,
}

/// How a job ended, when not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobErrorKind {
    /// The job failed on the provider's side.
    Failed,
    /// The provider's moderation refused the job.
    Moderated,
    /// The job (or its result) expired.
    Expired,
    /// No terminal state before the deadline.
    DeadlineExceeded,
}

impl fmt::Display for JobErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JobErrorKind::Failed => "failed",
            JobErrorKind::Moderated => "moderated",
            JobErrorKind::Expired => "expired",
            JobErrorKind::DeadlineExceeded => "deadline exceeded",
        })
    }
}

/// A job that ended other than done, or was not done by its deadline: the state, the
/// last status text and answer, and how long it took.
#[non_exhaustive]
pub struct JobError {
    /// How it ended.
    pub kind: JobErrorKind,
    /// The last status text received (`Content Moderated`); `None` when no poll was
    /// answered before the deadline.
    pub status: Option<String>,
    /// The last answer, as JSON, for what the typed error does not name (a failure
    /// reason, a moderation category). `Debug` and `Display` never show it.
    pub answer: Option<serde_json::Value>,
    /// Polls sent, failed ones included.
    pub polls: u32,
    /// Time from the first poll to the end.
    pub elapsed: Duration,
    /// The policy's deadline.
    pub deadline: Duration,
    /// For [`JobErrorKind::DeadlineExceeded`]: the transient failure of the last poll,
    /// when it failed (also the error's `source()`).
    pub last_poll_error: Option<Error>,
}

// Bounded and without the answer, which may be large and hold signed URLs.
impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobError")
            .field("kind", &self.kind)
            .field("status", &self.status.as_deref().map(|s| shorten(s, STATUS_BYTES)))
            .field("answer", &self.answer.as_ref().map(|_| "<kept>"))
            .field("polls", &self.polls)
            .field("elapsed", &self.elapsed)
            .field("deadline", &self.deadline)
            .field("last_poll_error", &self.last_poll_error)
            .finish()
    }
}

/// `the job ended as `Content Moderated` after 7 polls (12.3 s)`, or `the job did not
/// finish within its 600 s deadline: last seen as `IN_PROGRESS` after 40 polls (600.2 s)`.
impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let polls = Polls(self.polls);
        let elapsed = Secs(self.elapsed);
        let status = self.status.as_deref().filter(|s| !s.trim().is_empty()).map(|s| shorten(s, STATUS_BYTES));
        match (self.kind, status) {
            (JobErrorKind::DeadlineExceeded, Some(status)) => write!(
                f,
                "the job did not finish within its {} deadline: last seen as `{status}` after {polls} ({elapsed})",
                Secs(self.deadline)
            ),
            (JobErrorKind::DeadlineExceeded, None) => write!(
                f,
                "the job did not finish within its {} deadline: no poll was answered, {polls} sent ({elapsed})",
                Secs(self.deadline)
            ),
            (_, Some(status)) => write!(f, "the job ended as `{status}` after {polls} ({elapsed})"),
            (kind, None) => write!(f, "the job ended as {kind} after {polls} ({elapsed})"),
        }
    }
}

impl std::error::Error for JobError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.last_poll_error.as_ref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A job that finished, whose result then could not be downloaded (a signed URL that
/// expired, a delivery host that refused): the finished answer, which holds the result
/// URL and the job's id the caller can still use, and why the download failed.
///
/// What a failing [`HttpClient::download_job_result`] returns, so that the paid job is
/// not lost with the download: a waited call by name (the CLI's `--wait`) hands it on.
#[non_exhaustive]
pub struct JobResultError {
    /// The finished status answer, as JSON, with the client's key scrubbed. `Debug` and
    /// `Display` never show it (it holds the signed URL).
    pub answer: serde_json::Value,
    /// The result URL whose download failed.
    pub url: String,
    /// Why the download failed (also the error's `source()`).
    pub error: Error,
}

impl JobResultError {
    /// The result URL without its query (a signature) or fragment, for messages.
    fn url_shown(&self) -> std::borrow::Cow<'_, str> {
        let end = self.url.find(['?', '#']).unwrap_or(self.url.len());
        shorten(&self.url[..end], STATUS_BYTES)
    }
}

// Without the answer or the URL's signature.
impl fmt::Debug for JobResultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobResultError")
            .field("answer", &"<kept>")
            .field("url", &self.url_shown())
            .field("error", &self.error)
            .finish()
    }
}

/// Reads "the job finished, but its result could not be downloaded from `<url>`", the URL
/// shown without its query (a signature).
impl fmt::Display for JobResultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the job finished, but its result could not be downloaded from `{}`", self.url_shown())
    }
}

impl std::error::Error for JobResultError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// `1 poll`, `7 polls`.
struct Polls(u32);

impl fmt::Display for Polls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} poll{}", self.0, if self.0 == 1 { "" } else { "s" })
    }
}

/// `12.3 s`, `600 s`.
struct Secs(Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{:.1}", self.0.as_secs_f64());
        write!(f, "{} s", text.strip_suffix(".0").unwrap_or(&text))
    }
}

/// Polls until a terminal state: `poll` returns the state it read, the raw status text
/// and the answer.
///
/// - `Done`: the answer.
/// - `Failed`, `Moderated`, `Expired`: [`Error::Job`] naming the state and the status
///   text, keeping the answer as JSON.
/// - no terminal state by the deadline: [`Error::Job`] of kind
///   [`JobErrorKind::DeadlineExceeded`] with the last status and the elapsed time.
///
/// The first poll is sent at once; then wait `n` is [`PollPolicy::nth_wait`]`(n)`, the
/// last one cut short so the final poll lands on the deadline. A poll failing with a
/// transient error is polled again (see the module docs); any other error is returned
/// as it is. `progress` sees every answered poll.
pub async fn wait<T, F, Fut>(
    policy: &PollPolicy,
    mut poll: F,
    mut progress: impl FnMut(&JobProgress<'_>),
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(JobState, String, T), Error>>,
    T: serde::Serialize,
{
    let mut clock = Clock::start();
    let mut polls: u32 = 0;
    // The last answered reading, kept for a deadline error.
    let mut last: Option<(String, T)> = None;
    loop {
        let outcome = poll().await;
        polls = polls.saturating_add(1);
        // The transient failure of this poll, if it failed.
        let mut poll_error = None;
        match outcome {
            Ok((JobState::Pending, status, answer)) => last = Some((status, answer)),
            Ok((state, status, answer)) => {
                let elapsed = clock.elapsed();
                progress(&JobProgress { state, status: &status, polls, elapsed, next_poll_in: None });
                return match failure_kind(state) {
                    None => Ok(answer),
                    Some(kind) => {
                        let answer = serde_json::to_value(&answer).ok();
                        Err(job_error(kind, Some(status), answer, polls, elapsed, policy, None))
                    }
                };
            }
            Err(error) if is_transient(&error) => poll_error = Some(error),
            Err(error) => return Err(error),
        }
        let server_wait = poll_error.as_ref().and_then(Error::as_api).and_then(|api| api.retry_after);
        let server_wait = server_wait.unwrap_or_default();
        let elapsed = clock.elapsed();
        let remaining = policy.deadline.saturating_sub(elapsed);
        let index = polls.saturating_sub(1);
        let next = policy.nth_wait(index).max(server_wait);
        // A server asking for longer than the deadline leaves would refuse the last poll too.
        let next = (!remaining.is_zero() && server_wait <= remaining).then(|| next.min(remaining));
        if let (None, Some((status, _))) = (&poll_error, &last) {
            progress(&JobProgress { state: JobState::Pending, status, polls, elapsed, next_poll_in: next });
        }
        let Some(next) = next else {
            let (status, answer) = match last {
                Some((status, answer)) => (Some(status), serde_json::to_value(&answer).ok()),
                None => (None, None),
            };
            return Err(job_error(JobErrorKind::DeadlineExceeded, status, answer, polls, elapsed, policy, poll_error));
        };
        clock.sleep(policy.sleep.as_ref(), next).await;
    }
}

/// The error kind of a state that ends a job without a result; `None` for the others.
fn failure_kind(state: JobState) -> Option<JobErrorKind> {
    match state {
        JobState::Pending | JobState::Done => None,
        JobState::Failed => Some(JobErrorKind::Failed),
        JobState::Moderated => Some(JobErrorKind::Moderated),
        JobState::Expired => Some(JobErrorKind::Expired),
    }
}

fn job_error(
    kind: JobErrorKind,
    status: Option<String>,
    answer: Option<serde_json::Value>,
    polls: u32,
    elapsed: Duration,
    policy: &PollPolicy,
    last_poll_error: Option<Error>,
) -> Error {
    Error::Job(Box::new(JobError { kind, status, answer, polls, elapsed, deadline: policy.deadline, last_poll_error }))
}

/// Whether a failed poll may simply be polled again: nothing was billed, and the
/// failure says the server (or the way to it) was not ready, not that the job is wrong.
fn is_transient(error: &Error) -> bool {
    match error {
        Error::Transport(_) | Error::Timeout(_) => true,
        Error::Api(api) => api.retry_verdict().unwrap_or_else(|| RETRYABLE_STATUSES.contains(&api.status)),
        _ => false,
    }
}

/// Time since the first poll: real time, plus whatever part of each wait a sleep
/// hook did not really sleep, so a test's deadline passes as a real one would.
struct Clock {
    start: Instant,
    skipped: Duration,
}

impl Clock {
    fn start() -> Self {
        Self { start: Instant::now(), skipped: Duration::ZERO }
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed().saturating_add(self.skipped)
    }

    async fn sleep(&mut self, hook: Option<&SleepFn>, wait: Duration) {
        let before = Instant::now();
        sleep_with(hook, wait).await;
        self.skipped = self.skipped.saturating_add(wait.saturating_sub(before.elapsed()));
    }
}

impl HttpClient {
    /// [`wait`], with the client's key scrubbed from the status text and the answer a
    /// job error keeps, should the server have echoed it: what generated `..._and_wait`
    /// methods call.
    pub async fn wait_for_job<T, F, Fut>(
        &self,
        policy: &PollPolicy,
        poll: F,
        progress: impl FnMut(&JobProgress<'_>),
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(JobState, String, T), Error>>,
        T: serde::Serialize,
    {
        wait(policy, poll, progress).await.map_err(|error| match error {
            Error::Job(mut job) => {
                let redactor = &self.inner.redactor;
                if let Some(status) = &mut job.status {
                    redactor.scrub_string(status);
                }
                if let Some(answer) = &mut job.answer {
                    redactor.scrub_json(answer);
                }
                Error::Job(job)
            }
            other => other,
        })
    }
}

impl HttpClient {
    /// The error of a start answer without the field a job is polled by (its polling
    /// URL or id): an [`Error::Decode`] keeping the answer, as JSON, in its body, with
    /// the client's key scrubbed. What generated `..._and_wait` methods return instead
    /// of polling nothing.
    pub fn job_start_missing(&self, field: &str, answer: &impl serde::Serialize) -> Error {
        let message = format!("the answer has no usable `{field}` to poll the job by");
        let source = <serde_json::Error as serde::de::Error>::custom(message);
        let body = serde_json::to_vec(answer).unwrap_or_default();
        let error = super::error::DecodeError::from_body(200, source, body.into(), &self.inner.redactor);
        Error::Decode(Box::new(error))
    }
}

impl HttpClient {
    /// Downloads a finished job's result: the URL at `pointer` (a JSON pointer, such as
    /// `/result/sample`) in the status answer `done`, under the key policy of
    /// [`Self::download`] (`trusted_hosts` besides the base URL's origin). An answer
    /// without a URL there is an [`Error::Decode`] keeping the answer, naming `field`
    /// (the spec's dotted path); a failing download is an [`Error::JobResult`] keeping
    /// the answer and the URL: what generated `..._download_result` methods call.
    pub async fn download_job_result(
        &self,
        done: &impl serde::Serialize,
        pointer: &str,
        field: &str,
        trusted_hosts: &[&str],
    ) -> Result<super::BinaryBody, Error> {
        let mut answer = serde_json::to_value(done).unwrap_or_default();
        let url = answer.pointer(pointer).and_then(serde_json::Value::as_str).filter(|url| !url.is_empty());
        match url.map(str::to_string) {
            Some(url) => match self.download(&url, trusted_hosts).await {
                Ok(result) => Ok(result),
                Err(error) => {
                    let mut url = url;
                    self.inner.redactor.scrub_json(&mut answer);
                    self.inner.redactor.scrub_string(&mut url);
                    Err(Error::JobResult(Box::new(JobResultError { answer, url, error })))
                }
            },
            None => {
                let message = format!("the finished job's answer has no result URL in `{field}` to download");
                let source = <serde_json::Error as serde::de::Error>::custom(message);
                let body = serde_json::to_vec(&answer).unwrap_or_default();
                let error = super::error::DecodeError::from_body(200, source, body.into(), &self.inner.redactor);
                Err(Error::Decode(Box::new(error)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn waits_grow_by_the_factor_up_to_the_cap() {
        let policy = PollPolicy::new(secs(1.0), secs(5.0), 2.0, secs(60.0));
        let waits: Vec<Duration> = (0..5).map(|n| policy.nth_wait(n)).collect();
        assert_eq!(waits, [secs(1.0), secs(2.0), secs(4.0), secs(5.0), secs(5.0)]);
        assert_eq!(policy.nth_wait(u32::MAX), secs(5.0));
        let fixed = PollPolicy::fixed(Duration::from_millis(750), secs(60.0));
        assert!((0..50).all(|n| fixed.nth_wait(n) == Duration::from_millis(750)));
    }

    #[test]
    fn a_factor_that_would_shrink_or_explode_is_read_as_one() {
        for backoff in [0.5, 0.0, -3.0, f64::NAN, f64::NEG_INFINITY] {
            let policy = PollPolicy::new(secs(1.0), secs(30.0), backoff, secs(60.0));
            assert!((0..100).all(|n| policy.nth_wait(n) == secs(1.0)), "backoff {backoff}");
        }
        let huge = PollPolicy::new(secs(1.0), secs(30.0), f64::INFINITY, secs(60.0));
        assert_eq!(huge.nth_wait(3), secs(1.0));
        let big = PollPolicy::new(secs(1.0), secs(30.0), 1e300, secs(60.0));
        assert_eq!(big.nth_wait(3), secs(30.0));
    }

    #[test]
    fn a_cap_below_the_interval_keeps_the_interval() {
        let policy = PollPolicy::new(secs(3.0), secs(1.0), 2.0, secs(60.0));
        assert_eq!(policy.nth_wait(0), secs(3.0));
        assert_eq!(policy.nth_wait(4), secs(3.0));
    }

    #[test]
    fn messages_say_how_the_job_ended_in_plain_words() {
        let error = |kind, status: Option<&str>, polls, elapsed| JobError {
            kind,
            status: status.map(str::to_string),
            answer: None,
            polls,
            elapsed,
            deadline: secs(600.0),
            last_poll_error: None,
        };
        let moderated = error(JobErrorKind::Moderated, Some("Content Moderated"), 7, Duration::from_millis(12_340));
        assert_eq!(moderated.to_string(), "the job ended as `Content Moderated` after 7 polls (12.3 s)");
        let failed = error(JobErrorKind::Failed, None, 1, secs(2.0));
        assert_eq!(failed.to_string(), "the job ended as failed after 1 poll (2 s)");
        let late = error(JobErrorKind::DeadlineExceeded, Some("IN_PROGRESS"), 40, Duration::from_millis(600_200));
        assert_eq!(
            late.to_string(),
            "the job did not finish within its 600 s deadline: last seen as `IN_PROGRESS` after 40 polls (600.2 s)"
        );
        let unanswered = error(JobErrorKind::DeadlineExceeded, None, 3, secs(600.0));
        assert_eq!(
            unanswered.to_string(),
            "the job did not finish within its 600 s deadline: no poll was answered, 3 polls sent (600 s)"
        );
    }
}
