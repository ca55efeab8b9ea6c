//! The crate's one error type.
//!
//! Nothing is lost: an API error keeps the raw body next to the parsed
//! envelope, and a decode error keeps the raw body next to the serde error.
//! No variant ever shows the API key: auth headers are only ever built inside
//! the transport and are marked sensitive, a dry run's request is redacted, and
//! every text taken from a response (envelope strings, snippets, serde messages,
//! headers) has the client's own key scrubbed, in case the server echoed it.
//! Only the raw `body` bytes are kept exactly as received.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;

use super::envelope::{Envelope, ErrorEnvelope};
use super::error_text::{describe_body, shorten, MESSAGE_BYTES};
use super::redact::Redactor;
use super::validate::ValidationError;

/// Everything that can go wrong when calling a provider.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request broke its own constraints; nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The provider answered with a non-success status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The connection failed or broke.
    #[error(transparent)]
    Transport(TransportError),
    /// A deadline passed.
    #[error(transparent)]
    Timeout(TimeoutError),
    /// A success body did not match the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request could not be encoded (JSON serialization, multipart part).
    #[error(transparent)]
    Encode(EncodeError),
    /// The client is misconfigured (missing key, bad base URL, ...).
    #[error(transparent)]
    Config(ConfigError),
    /// An event stream ended before its terminal event or carried a bad event.
    #[error(transparent)]
    Stream(StreamError),
    /// A response body (or one streamed event) exceeded the configured cap.
    #[error("response body exceeds the {limit}-byte limit (HTTP {status}){}", Attempts(*.attempts))]
    BodyTooLarge {
        /// The configured cap, in bytes.
        limit: usize,
        /// The response status.
        status: u16,
        /// Requests sent before giving up (1 when not retried).
        attempts: u32,
    },
    /// An async job ended in a state other than done (failed, moderated, expired), or
    /// did not finish before its deadline.
    #[error(transparent)]
    Job(Box<super::jobs::JobError>),
    /// An async job finished, but downloading its result failed: the finished answer
    /// (result URL, job id) is kept beside the download's error.
    #[error(transparent)]
    JobResult(Box<super::jobs::JobResultError>),
    /// The client is in dry-run mode: here is the request it would have sent.
    /// Validation passed; nothing was sent.
    #[error("dry run: {} {} was not sent", .0.method, .0.url)]
    DryRun(Box<super::wire_request::WireRequest>),
}

impl Error {
    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::JobResult(e) => e.error.status(),
            _ => None,
        }
    }

    /// The request a dry run would have sent, if this is one.
    pub fn as_dry_run(&self) -> Option<&super::wire_request::WireRequest> {
        match self {
            Error::DryRun(request) => Some(request),
            _ => None,
        }
    }

    /// The job error (the state a job ended in, or its deadline), if this is one.
    pub fn as_job(&self) -> Option<&super::jobs::JobError> {
        match self {
            Error::Job(e) => Some(e),
            _ => None,
        }
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// How many requests were sent before this error was returned: 1 unless the
    /// call was retried (errors raised before sending also count as 1).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Transport(e) => e.attempts,
            Error::Timeout(e) => e.attempts,
            Error::BodyTooLarge { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// Records how many attempts the retry loop made, so the message can say so.
    /// Only the kinds the loop retries carry the count; the others are never retried.
    pub(crate) fn with_attempts(mut self, count: u32) -> Self {
        match &mut self {
            Error::Api(e) => e.attempts = count,
            Error::Transport(e) => e.attempts = count,
            Error::Timeout(e) => e.attempts = count,
            Error::BodyTooLarge { attempts, .. } => *attempts = count,
            _ => {}
        }
        self
    }
}

/// " (gave up after N attempts)" when the call was retried, else nothing: one
/// attempt is the normal case and not worth a word.
struct Attempts(u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 1 {
            write!(f, " (gave up after {} attempts)", self.0)?;
        }
        Ok(())
    }
}

/// A non-success response from the provider.
#[derive(Clone)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The provider's name (`routerhub`), for messages; `None` when built with [`ApiError::new`].
    pub provider: Option<&'static str>,
    /// The body read through the spec's envelope that recognised it (`None` when it is
    /// not JSON or no envelope of the operation recognised it); the client's key is
    /// scrubbed from its strings.
    pub envelope: Option<ErrorEnvelope>,
    /// The raw response body, exactly as received.
    pub body: Bytes,
    /// How long the server asked us to wait, unclamped: `retry-after-ms`, else
    /// `Retry-After`, else the body's hint (Google `RetryInfo`). When it is above
    /// the retry policy's `max_server_wait`, the call was not retried.
    pub retry_after: Option<Duration>,
    /// The server's `x-should-retry` verdict, when sent.
    pub should_retry: Option<bool>,
    /// Response headers, with the client's key scrubbed should the server echo it.
    pub headers: HeaderMap,
    /// Requests sent before giving up (1 when not retried).
    pub attempts: u32,
    /// The body as shown in messages (its start, or an HTML page's title), bounded
    /// and scrubbed; computed once, when the response's content type is known.
    snippet: String,
}

impl ApiError {
    /// Builds an error from a response's parts, reading the body through the first of
    /// `envelopes` that recognises it.
    pub fn new(status: u16, headers: HeaderMap, body: Bytes, envelopes: &'static [Envelope]) -> Self {
        Self::from_response(None, status, headers, body, envelopes, &Redactor::default())
    }

    /// Like [`new`](Self::new), scrubbing the client's secrets from everything shown.
    pub(crate) fn from_response(
        provider: Option<&'static str>,
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        envelopes: &'static [Envelope],
        redactor: &Redactor,
    ) -> Self {
        let envelope = ErrorEnvelope::read(envelopes, &body);
        Self::with_envelope(provider, status, headers, body, envelope, redactor)
    }

    /// Builds the error around an envelope already read (a 2xx body probed for one).
    pub(crate) fn with_envelope(
        provider: Option<&'static str>,
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        mut envelope: Option<ErrorEnvelope>,
        redactor: &Redactor,
    ) -> Self {
        // Hints are read from what the server sent, before anything is scrubbed.
        let hints = super::retry::RetryHints::from_headers(&headers);
        // A header is the transport's own word and wins; the body's hint fills in when none is sent.
        let retry_after = hints.retry_after.or_else(|| envelope.as_ref().and_then(|e| e.retry_delay));
        if let Some(envelope) = &mut envelope {
            envelope.scrub(redactor);
        }
        let headers = redactor.scrub_headers(&headers).into_owned();
        let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let snippet = describe_body(&body, content_type, redactor);
        Self {
            status,
            provider,
            envelope,
            body,
            retry_after,
            should_retry: hints.should_retry,
            headers,
            attempts: 1,
            snippet,
        }
    }

    /// The provider's human-readable message, when the envelope has one.
    pub fn message(&self) -> Option<&str> {
        self.envelope.as_ref()?.message.as_deref()
    }

    /// The provider's machine-readable code (OpenAI `code`, Google `status`, ListenHub `code`/`reason`).
    pub fn code(&self) -> Option<&str> {
        self.envelope.as_ref()?.code.as_deref()
    }

    /// The error's type or class, when the envelope has one (OpenAI `type`).
    pub fn error_type(&self) -> Option<&str> {
        self.envelope.as_ref()?.error_type.as_deref()
    }

    /// The request parameter the error is about, when the envelope names one (OpenAI `param`).
    pub fn param(&self) -> Option<&str> {
        self.envelope.as_ref()?.param.as_deref()
    }

    /// The status the envelope reports, which relays may set differently from the HTTP status.
    pub fn provider_status(&self) -> Option<i64> {
        self.envelope.as_ref()?.status
    }

    /// The name of the spec's envelope that recognised the body (`google`), if one did.
    pub fn envelope_name(&self) -> Option<&'static str> {
        self.envelope.as_ref().map(ErrorEnvelope::name)
    }

    /// Whether the response itself says to retry or not: `x-should-retry`, else the
    /// body's `retryable`, else the envelope's rules for its code or message (a 429
    /// `insufficient_quota` is not worth retrying). `None` leaves it to the status.
    pub fn retry_verdict(&self) -> Option<bool> {
        self.should_retry.or_else(|| self.envelope.as_ref()?.retry_verdict(self.status))
    }

    /// The body as JSON of type `T`: the spec's body type of the envelope
    /// (`routerhub::ListenHubError`, say) gives typed access to every field, such as
    /// ListenHub's `freeUsageRolledBack`. Read from the raw body, which is not scrubbed.
    pub fn body_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The request id the server sent (`x-request-id`, `request-id`, `x-goog-request-id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        super::trace::REQUEST_ID_HEADERS.iter().find_map(|name| self.headers.get(*name).and_then(|v| v.to_str().ok()))
    }

    /// The body as messages show it, secrets scrubbed: its first few hundred bytes
    /// (with the total length noted when cut), or for an HTML page its title,
    /// content type and length. The raw body is [`body`](Self::body).
    pub fn body_snippet(&self) -> String {
        self.snippet.clone()
    }
}

// Bounded like Display: a 10 MB message or body must not make a 10 MB log line.
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("provider", &self.provider)
            .field("envelope", &self.envelope_name())
            .field("code", &self.code())
            .field("message", &self.message().map(|m| shorten(m, MESSAGE_BYTES)))
            .field("provider_status", &self.provider_status())
            .field("retry_after", &self.retry_after)
            .field("should_retry", &self.should_retry)
            .field("attempts", &self.attempts)
            .field("request_id", &self.request_id())
            .field("body_len", &self.body.len())
            .field("body_snippet", &self.snippet)
            .finish_non_exhaustive()
    }
}

/// `HTTP 429 from routerhub (RESOURCE_EXHAUSTED): Quota exceeded; the server asks
/// to wait 34.4 s (gave up after 3 attempts)`: the provider's message when there
/// is one, else the body's description; long text cut.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(provider) = self.provider {
            write!(f, " from {provider}")?;
        }
        if let Some(code) = self.code() {
            write!(f, " ({})", shorten(code, MESSAGE_BYTES))?;
        }
        match self.message() {
            Some(message) => write!(f, ": {}", shorten(message, MESSAGE_BYTES))?,
            None if self.body.is_empty() => {}
            None => write!(f, ": {}", self.snippet)?,
        }
        if let Some(wait) = self.retry_after.filter(|wait| !wait.is_zero()) {
            write!(f, "; the server asks to wait {}", Seconds(wait))?;
        }
        write!(f, "{}", Attempts(self.attempts))
    }
}

/// A wait as people write it: `2 s`, `34.4 s`, `0.25 s`.
struct Seconds(Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        let (whole, fraction) = (millis / 1000, millis % 1000);
        if fraction == 0 {
            write!(f, "{whole} s")
        } else {
            let fraction = format!("{fraction:03}");
            write!(f, "{whole}.{} s", fraction.trim_end_matches('0'))
        }
    }
}

impl std::error::Error for ApiError {}

/// A success body that did not deserialize into the expected type.
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: u16,
    /// What serde reported (with line and column).
    pub source: serde_json::Error,
    /// The start of the body, for the error message.
    pub snippet: String,
    /// The raw body, exactly as received.
    pub body: Bytes,
}

impl DecodeError {
    /// Builds the error, taking the snippet (bounded, an HTML page summarised) from `body`.
    pub fn new(status: u16, source: serde_json::Error, body: Bytes) -> Self {
        Self::from_body(status, source, body, &Redactor::default())
    }

    /// Like [`new`](Self::new), scrubbing the client's secrets from the snippet and
    /// from serde's message (which quotes offending strings).
    pub(crate) fn from_body(status: u16, source: serde_json::Error, body: Bytes, redactor: &Redactor) -> Self {
        Self { status, source: redactor.scrub_serde(source), snippet: describe_body(&body, None, redactor), body }
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("source", &self.source)
            .field("snippet", &self.snippet)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What was received; what serde reported is the [`source`](std::error::Error::source).
impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.body.is_empty() {
            return write!(f, "could not decode the empty HTTP {} body", self.status);
        }
        write!(f, "could not decode the HTTP {} body: {}", self.status, self.snippet)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Whether a failed request may already have reached the server.
///
/// Image generation is paid and not idempotent, so this decides whether a
/// failure can be retried safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendPhase {
    /// The connection was never established: the server did not see the request.
    BeforeSend,
    /// The request may have been (partly or fully) received by the server.
    AfterSend,
}

/// In words, for messages: "before the request was sent".
impl fmt::Display for SendPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SendPhase::BeforeSend => "before the request was sent",
            SendPhase::AfterSend => "after the request may have reached the server",
        })
    }
}

/// The connection failed or broke. `Display` says when; the cause is `source()`.
#[derive(Debug, thiserror::Error)]
#[error("transport error {phase}{}", Attempts(*.attempts))]
pub struct TransportError {
    /// Whether the server may have seen the request.
    pub phase: SendPhase,
    /// The underlying reqwest error.
    #[source]
    pub source: reqwest::Error,
    /// Requests sent before giving up (1 when not retried).
    pub attempts: u32,
}

impl TransportError {
    pub(crate) fn new(phase: SendPhase, source: reqwest::Error) -> Self {
        Self { phase, source: without_query(source), attempts: 1 }
    }
}

/// reqwest shows the request's URL in its errors (`Display` and `Debug`); the URL
/// loses its query and fragment first, where a key sent as a query parameter (`?key=`)
/// or a returned URL's signature travels.
pub(crate) fn without_query(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        url.set_query(None);
        url.set_fragment(None);
    }
    error
}

/// A deadline passed. `Display` says when; the cause is `source()`.
#[derive(Debug, thiserror::Error)]
#[error("timed out {phase}{}", Attempts(*.attempts))]
pub struct TimeoutError {
    /// `BeforeSend` for a connect timeout, `AfterSend` once the request may have been received.
    pub phase: SendPhase,
    /// The underlying reqwest error.
    #[source]
    pub source: reqwest::Error,
    /// Requests sent before giving up (1 when not retried).
    pub attempts: u32,
}

impl TimeoutError {
    pub(crate) fn new(phase: SendPhase, source: reqwest::Error) -> Self {
        Self { phase, source: without_query(source), attempts: 1 }
    }
}

/// The request could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The JSON body failed to serialize.
    #[error("could not serialize the request body")]
    Json(#[source] serde_json::Error),
    /// A multipart part had an invalid MIME type.
    #[error("multipart part `{part}` has an invalid MIME type `{mime_type}`")]
    MimeType {
        /// The part's field name.
        part: String,
        /// The rejected MIME type.
        mime_type: String,
    },
}

/// The client is misconfigured. Messages never include the API key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No key was given and the environment variable is unset or empty.
    #[error("no API key: pass one to the builder or set {env}")]
    MissingApiKey {
        /// The environment variable that was read.
        env: &'static str,
    },
    /// The key cannot be sent in an HTTP header (control characters, non-ASCII).
    #[error("the API key contains characters that cannot be sent in an HTTP header")]
    InvalidApiKey,
    /// The auth scheme is not one the provider accepts.
    #[error("{provider} does not accept auth scheme `{scheme}`")]
    UnsupportedAuthScheme {
        /// The provider's name.
        provider: &'static str,
        /// The rejected scheme.
        scheme: super::AuthScheme,
    },
    /// An auth scheme given by name (a command line's `--auth`) that the provider does not have.
    #[error("`{name}` is not an auth scheme of {provider}; use one of {}", scheme_list(.accepted))]
    UnknownAuthScheme {
        /// The name given.
        name: String,
        /// The provider's human-readable name.
        provider: &'static str,
        /// The schemes the provider accepts.
        accepted: &'static [super::AuthScheme],
    },
    /// The base URL does not parse or has an unsupported scheme.
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// `http://` to a non-loopback host without `allow_insecure_http(true)`.
    #[error("refusing plain http:// to non-loopback host `{host}`; use https or allow_insecure_http(true)")]
    InsecureBaseUrl {
        /// The host.
        host: String,
    },
    /// A URL a server returned (a polling or result URL, a redirect) that the client
    /// will not fetch: not an absolute `https` URL (`http` only to loopback unless
    /// insecure http is allowed), or one holding credentials. Its query is hidden.
    #[error("refusing to fetch `{url}`: {reason}")]
    RefusedUrl {
        /// The URL, every query value replaced.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// A per-call header name or value cannot be sent.
    #[error("the header `{name}` cannot be sent: invalid name or value")]
    InvalidHeader {
        /// The header name given.
        name: String,
    },
    /// A per-call header that the client sets itself (auth, content type, accept, host).
    #[error("the header `{name}` is set by the client and cannot be overridden per call")]
    ReservedHeader {
        /// The header name.
        name: String,
    },
    /// A header given to the builder that the provider does not document for every call.
    #[error("`{name}` is not a header {provider} documents for every call; {}", header_list(.documented))]
    UnknownHeader {
        /// The name given.
        name: String,
        /// The provider's human-readable name.
        provider: &'static str,
        /// The headers it documents.
        documented: &'static [super::ProviderHeader],
    },
    /// The user agent cannot be sent in an HTTP header.
    #[error("the user agent contains characters that cannot be sent in an HTTP header")]
    InvalidUserAgent,
    /// The request URL built from the base URL and path does not parse.
    #[error("invalid request URL for path `{path}`")]
    InvalidPath {
        /// The operation path.
        path: String,
    },
    /// reqwest could not build its client (TLS backend initialisation).
    #[error("could not build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
}

fn header_list(headers: &[super::ProviderHeader]) -> String {
    if headers.is_empty() {
        return "it documents none (use `RequestOptions::header` for any other header)".to_string();
    }
    let names: Vec<&str> = headers.iter().map(|h| h.name).collect();
    format!("use one of {}", names.join(", "))
}

fn scheme_list(schemes: &[super::AuthScheme]) -> String {
    schemes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// An event stream went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The body ended before the terminal event; the request is never re-sent automatically.
    #[error("event stream ended before its terminal event ({events} events received)")]
    EndedBeforeTerminal {
        /// Events received before the end.
        events: u64,
    },
    /// An event's data did not parse; what serde reported is the `source()`.
    #[error("could not decode event `{}`: {snippet}", .event.as_deref().unwrap_or("message"))]
    BadEvent {
        /// The event's `event:` name.
        event: Option<String>,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
        /// The start of the event's data (bounded, secrets scrubbed).
        snippet: String,
    },
    /// The connection broke while streaming.
    #[error("event stream broke")]
    Transport(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_streams_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        fn assert_send_unpin<T: Send + Unpin + 'static>() {}
        assert_send_sync::<Error>();
        assert_send_sync::<super::super::HttpClient>();
        assert_send_unpin::<super::super::EventStream<NeverEvent>>();
    }

    struct NeverEvent;

    impl super::super::SseEvent for NeverEvent {
        fn from_sse(_: Option<&str>, data: &str) -> Result<Self, serde_json::Error> {
            serde_json::from_str::<()>(data).map(|()| NeverEvent)
        }
        fn is_terminal(&self) -> bool {
            true
        }
    }
}
