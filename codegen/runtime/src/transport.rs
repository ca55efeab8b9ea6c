//! Sending one request with retries, and reading bodies under a size cap.
//! A dry run builds the same request and returns it instead of sending it.
//!
//! A request goes to a [`Target`]: the base URL plus a path, or an absolute URL a
//! server returned. Both go through the one attempt loop below; where the key goes
//! and how a URL is shown is decided by its [`Destination`] (`destination.rs`).

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, USER_AGENT};

use super::client::{Credential, HttpClient, MAX_REDIRECTS};
use super::destination::{Destination, Target};
use super::envelope::ErrorEnvelope;
use super::error::{ApiError, ConfigError, Error, SendPhase, TimeoutError, TransportError};
use super::json_stream::{ArrivedBody, StreamingBody};
use super::multipart::MultipartForm;
use super::observe::HttpEvent;
use super::redact::redact_query_params;
use super::retry::{is_retryable, status_is_retryable};
use super::save_as_arrived::ImageWriter;
use super::trace;
use super::validate::{request_size, ValidationError, Warnings};
use super::wire_request::{WireBody, WireRequest};
use super::OperationInfo;

/// What a call asks the server for, decided by the [`HttpClient`] method the emitted
/// code calls: the `Accept` header, and whether a successful answer is read in full or
/// handed back unread for streaming. The only place either is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResponseMode {
    /// One JSON body, read in full.
    Json,
    /// A server-sent event stream, handed back unread. A server may still answer with
    /// one JSON body instead (Octen ignores `stream` for Gemini models): that body is
    /// read in full like any JSON answer, and the caller decides what it means.
    EventStream,
    /// One body of raw bytes (an image), read in full; the `Accept` header lists the
    /// media types the docs give (`image/*`, `image/png, image/jpeg`).
    Raw(&'static str),
}

impl ResponseMode {
    /// The `Accept` header a request in this mode carries.
    pub(super) fn accept(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            ResponseMode::Json => "application/json",
            ResponseMode::EventStream => "text/event-stream",
            ResponseMode::Raw(accept) => accept,
        })
    }

    /// Whether a successful answer with these headers is handed back unread, as a stream.
    pub(super) fn streams(self, headers: &HeaderMap) -> bool {
        match self {
            ResponseMode::Json | ResponseMode::Raw(_) => false,
            ResponseMode::EventStream => !is_json(headers),
        }
    }
}

/// A request body, kept in a form that can be sent again.
pub(super) enum Payload<'a> {
    Empty,
    /// Serialized once; cloning `Bytes` shares the buffer.
    Json(Bytes),
    /// Rebuilt into a reqwest form per attempt.
    Multipart(&'a MultipartForm),
}

/// A successful response: read in full (with its status and headers, unscrubbed),
/// or left open for streaming. A JSON body's images are decoded as it is read.
pub(super) enum Reply {
    /// The writer is there when the call asked its images written as they arrived.
    Body(u16, HeaderMap, ArrivedBody, Option<ImageWriter>),
    Stream(reqwest::Response),
}

impl Reply {
    /// Whether the answer's `content-type` says JSON.
    pub(super) fn is_json(&self) -> bool {
        match self {
            Reply::Body(_, headers, ..) => is_json(headers),
            Reply::Stream(response) => is_json(response.headers()),
        }
    }

    /// The body read in full (its images decoded as it arrives when `json`), with
    /// the writer its images were written by as they arrived, when the call asked.
    pub(super) async fn into_body(
        self,
        cap: usize,
        json: bool,
    ) -> Result<(u16, HeaderMap, ArrivedBody, Option<ImageWriter>), Error> {
        match self {
            Reply::Body(status, headers, body, writer) => Ok((status, headers, body, writer)),
            Reply::Stream(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let (body, writer) = match json {
                    true => read_json_body(response, cap, None).await?,
                    false => (ArrivedBody::whole(read_body(response, cap).await?), None),
                };
                Ok((status, headers, body, writer))
            }
        }
    }
}

/// One failed attempt and whether another may be made.
struct Failure {
    error: Error,
    retryable: bool,
    server_hint: Option<Duration>,
}

impl HttpClient {
    /// Sends `payload` to `path`, retrying as the policy and the server allow.
    /// `model` is the request's model, for the call's tracing span.
    ///
    /// The reply comes with the call's span: it stays open while the caller holds
    /// it, so reading and decoding the body belong to the call (and the decoded
    /// answer's token usage can be recorded on it). Keep it bound (`_span`, not `_`)
    /// until the body is read.
    pub(super) async fn execute(
        &self,
        op: &OperationInfo,
        path: &str,
        payload: &Payload<'_>,
        mode: ResponseMode,
        model: Option<&str>,
    ) -> Result<(Reply, trace::CallSpan), Error> {
        self.execute_to(op, Target::Path(path), payload, mode, model).await
    }

    /// Sends `payload` to `target` (a path, or an absolute URL a server returned),
    /// retrying as the policy and the server allow.
    pub(super) async fn execute_to(
        &self,
        op: &OperationInfo,
        target: Target<'_>,
        payload: &Payload<'_>,
        mode: ResponseMode,
        model: Option<&str>,
    ) -> Result<(Reply, trace::CallSpan), Error> {
        let destination = self.destination(op, target)?;
        if self.inner.dry_run {
            // A dry-run client answers every call with the request it would have sent,
            // as an error, so code written for real calls (the CLI) needs no other path.
            return Err(match self.wire_request_at(op, &destination, payload, mode).await {
                Ok(wire) => Error::DryRun(Box::new(wire)),
                Err(error) => error,
            });
        }
        self.admit(op, &destination, payload, mode)?;
        // A model chosen in the path (`/models/{model}:generateContent`) rather than the body.
        let path_model = match (model, op.model_param, &target) {
            (None, Some(param), Target::Path(path)) => trace::path_model(op.path, path, param),
            _ => None,
        };
        let model = model.or(path_model.as_deref());
        let span = trace::CallSpan::new(self.inner.provider.name, op.id, model, destination.host());
        let (result, attempts) = span.instrument(self.attempts(op, &destination, payload, mode)).await;
        let status = match &result {
            Ok(Reply::Body(status, ..)) => Some(*status),
            Ok(Reply::Stream(response)) => Some(response.status().as_u16()),
            Err(error) => error.status(),
        };
        span.finish(status, attempts, result.as_ref().err());
        result.map(|reply| (reply, span))
    }

    /// The attempt loop: sends until a reply, a final failure or the policy says stop;
    /// returns how many requests were sent.
    async fn attempts(
        &self,
        op: &OperationInfo,
        destination: &Destination<'_>,
        payload: &Payload<'_>,
        mode: ResponseMode,
    ) -> (Result<Reply, Error>, u32) {
        let policy = &self.inner.retry;
        let mut retry = 0;
        loop {
            let failure = match trace::in_attempt(retry, self.attempt(op, destination, payload, mode, retry)).await {
                Ok(reply) => return (Ok(reply), retry + 1),
                // A returned URL's query never reaches an error (reqwest's show the URL).
                Err(failure) => Failure { error: destination.scrub_error(failure.error), ..failure },
            };
            // The error says how many requests were sent, so a reader knows it was retried.
            let attempts = retry + 1;
            if !failure.retryable || retry >= policy.max_retries() {
                return (Err(failure.error.with_attempts(attempts)), attempts);
            }
            // `None`: the server asked for longer than we are willing to wait, and
            // retrying sooner would only be refused again; its hint is in the error.
            let Some(wait) = policy.wait(retry, failure.server_hint) else {
                return (Err(failure.error.with_attempts(attempts)), attempts);
            };
            if let Some(observer) = &self.inner.observer {
                observer.notify(&HttpEvent::Retry { attempt: retry, wait, error: &failure.error });
            }
            trace::record_retry(retry, wait);
            policy.sleep(wait).await;
            retry += 1;
        }
    }

    /// The request an attempt would send, body included (a multipart body is
    /// drained from the very form that would be streamed), key redacted. Nothing is sent.
    pub(super) async fn wire_request(
        &self,
        op: &OperationInfo,
        path: &str,
        payload: &Payload<'_>,
        mode: ResponseMode,
    ) -> Result<WireRequest, Error> {
        let destination = self.destination(op, Target::Path(path))?;
        self.wire_request_at(op, &destination, payload, mode).await
    }

    async fn wire_request_at(
        &self,
        op: &OperationInfo,
        destination: &Destination<'_>,
        payload: &Payload<'_>,
        mode: ResponseMode,
    ) -> Result<WireRequest, Error> {
        self.admit(op, destination, payload, mode)?;
        let mut request = self.build_request(op, destination, payload, mode)?;
        let body = match request.body_mut().take() {
            None => WireBody::Empty,
            Some(body) => match body.as_bytes() {
                Some(bytes) => WireBody::Bytes(Bytes::copy_from_slice(bytes)),
                None => match http_body_util::BodyExt::collect(body).await {
                    Ok(collected) => WireBody::Bytes(collected.to_bytes()),
                    Err(source) => {
                        return Err(Error::Transport(TransportError::new(SendPhase::BeforeSend, source)));
                    }
                },
            },
        };
        let url = self.shown_url(op, destination, request.url());
        Ok(WireRequest::new(&request, self.auth_header(op), body, &destination.redactor, url))
    }

    /// The last step before a request is sent (or shown by a dry run): refuses the call,
    /// listing every violation at once, when the request's `validate()` found any (held by
    /// [`HttpClient::with_validation`]) or its body is larger than the operation's
    /// documented maximum; otherwise reports the request's warnings. The size is the one
    /// the built request states (`Content-Length`, which reqwest computes for a form whose
    /// parts have known lengths) or the length of the bytes it holds (JSON): the body is
    /// never read or copied to measure it, and a body of unknown size is not refused.
    fn admit(
        &self,
        op: &OperationInfo,
        destination: &Destination<'_>,
        payload: &Payload<'_>,
        mode: ResponseMode,
    ) -> Result<(), Error> {
        let too_large = match op.max_request_bytes {
            Some(max) => match self.build_request(op, destination, payload, mode) {
                Ok(request) => body_length(&request).filter(|&length| length > max).map(|length| (length, max)),
                // The fields' violations come first; a request that cannot be built otherwise fails as it would.
                Err(_) if matches!(self.validation, Some(Err(_))) => None,
                Err(error) => return Err(error),
            },
            None => None,
        };
        let size = match too_large {
            Some((length, max)) => Err(ValidationError::single(request_size(length, max))),
            None => Ok(Warnings::default()),
        };
        let warnings = self.after_held_validation(size).map_err(Error::Validation)?;
        self.report_warnings(op, &warnings);
        Ok(())
    }

    /// How the key travels for `op`: the client's scheme when the operation accepts it,
    /// else the operation's first scheme carrying the same key.
    fn auth_for(&self, op: &OperationInfo) -> &Credential {
        let inner = &self.inner;
        if op.auth_schemes.is_empty() || op.auth_schemes.contains(&inner.auth_scheme) {
            return &inner.auth;
        }
        op.auth_schemes
            .iter()
            .find_map(|wanted| inner.other_auth.iter().find(|(s, _)| s == wanted).map(|(_, h)| h))
            .unwrap_or(&inner.auth)
    }

    /// The header that carries the key for `op`, when the key travels in one.
    fn auth_header(&self, op: &OperationInfo) -> Option<&HeaderName> {
        match self.auth_for(op) {
            Credential::Header(name, _) => Some(name),
            Credential::Query(..) => None,
        }
    }

    /// A request's URL as dry runs and the request log show it: as the destination
    /// shows it, and the key's query parameter redacted by name (so a key too short
    /// for the redactor to scrub is hidden too).
    fn shown_url(&self, op: &OperationInfo, destination: &Destination<'_>, url: &reqwest::Url) -> String {
        let shown = destination.shown(url);
        match self.auth_for(op) {
            Credential::Query(param, _) => redact_query_params(&shown, &[*param]),
            Credential::Header(..) => shown,
        }
    }

    /// Builds one attempt's request: the only place headers and bodies are set. The
    /// key, and the per-call headers that belong with it, go only where the
    /// destination allows.
    fn build_request(
        &self,
        op: &OperationInfo,
        destination: &Destination<'_>,
        payload: &Payload<'_>,
        mode: ResponseMode,
    ) -> Result<reqwest::Request, Error> {
        let inner = &self.inner;
        let credential = self.auth_for(op);
        // The request's own query parameters and headers belong to the operation's
        // endpoint, never to a URL a server returned.
        let params = self.params().filter(|_| destination.trusted_hosts.is_none());
        // Query parameters from the request's fields, then the key when it travels there
        // (and may go to this destination); the URL's own serializer percent-encodes both.
        let mut url = destination.url.clone();
        let param_query = params.into_iter().flat_map(|p| p.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let key_query = match credential {
            Credential::Query(name, key) if destination.keyed => Some((*name, key.as_str())),
            _ => None,
        };
        let mut query = param_query.chain(key_query).peekable();
        // Only when there is something to add: an empty serializer would leave a bare `?`.
        if query.peek().is_some() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = inner.http.request(destination.method.clone(), url);
        if let (Credential::Header(name, value), true) = (credential, destination.keyed) {
            request = request.header(name.clone(), value.clone());
        }
        request = request.header(USER_AGENT, inner.user_agent.clone()).header(ACCEPT, mode.accept());
        // Later sets replace earlier ones of the same name: the provider's documented
        // headers and per-call options (which belong with the key), then the request's
        // own header fields (which may replace the `Accept` the mode asks for, as
        // Stability's `accept` does).
        if destination.keyed {
            request = request.headers(inner.provider_headers.clone()).headers(self.extra_headers().clone());
        }
        if let Some(params) = params {
            request = request.headers(params.headers.clone());
        }
        let request = request.timeout(inner.timeout);
        let request = match payload {
            Payload::Empty => request,
            Payload::Json(bytes) => request.header(CONTENT_TYPE, "application/json").body(bytes.clone()),
            Payload::Multipart(form) => request.multipart(form.to_reqwest()?),
        };
        request.build().map_err(|source| Error::Transport(TransportError::new(SendPhase::BeforeSend, source)))
    }

    pub(super) fn request_url(&self, path: &str) -> Result<reqwest::Url, Error> {
        let separator = if path.starts_with('/') { "" } else { "/" };
        let joined = format!("{}{separator}{path}", self.inner.base_url);
        reqwest::Url::parse(&joined).map_err(|_| Error::Config(ConfigError::InvalidPath { path: path.to_string() }))
    }

    /// One attempt: a request, and for a URL a server returned, the redirects to
    /// other origins followed hop by hop (each hop's key decided again, never added back).
    async fn attempt(
        &self,
        op: &OperationInfo,
        destination: &Destination<'_>,
        payload: &Payload<'_>,
        mode: ResponseMode,
        attempt: u32,
    ) -> Result<Reply, Failure> {
        let inner = &self.inner;
        let final_failure = |error| Failure { error, retryable: false, server_hint: None };
        let mut hop = destination.clone();
        let mut redirects = 0;
        let response = loop {
            let request = self.build_request(op, &hop, payload, mode).map_err(final_failure)?;
            if let Some(observer) = &inner.observer {
                let body = match payload {
                    Payload::Empty => WireBody::Empty,
                    Payload::Json(bytes) => WireBody::Bytes(bytes.clone()),
                    Payload::Multipart(_) => WireBody::NotCaptured {
                        length: request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok()),
                    },
                };
                let url = self.shown_url(op, &hop, request.url());
                let wire = WireRequest::new(&request, self.auth_header(op), body, &hop.redactor, url);
                observer.notify(&HttpEvent::Request { attempt, request: &wire });
            }
            let sent_at = Instant::now();
            let response = inner.http.execute(request).await.map_err(|e| self.send_failure(e))?;
            let status = response.status();
            // Only a URL a server returned follows redirects to other origins; for it,
            // both the final URL of the hops reqwest followed within the origin and the
            // next `Location` may carry signed queries of their own.
            let location = if hop.follows_redirects() {
                let url = response.url().clone();
                hop.learn(&url);
                let location = redirect_location(status, response.headers(), &url);
                if let Some(location) = &location {
                    hop.learn(location);
                }
                location
            } else {
                None
            };
            trace::record_response(status.as_u16(), response.headers(), &hop.redactor);
            if let Some(observer) = &inner.observer {
                observer.notify(&HttpEvent::Response {
                    attempt,
                    status: status.as_u16(),
                    // A header may echo the key back; the log gets a scrubbed copy.
                    headers: &hop.redactor.scrub_headers(response.headers()),
                    elapsed: sent_at.elapsed(),
                });
            }
            match location {
                Some(next) if redirects < MAX_REDIRECTS => {
                    hop = self.redirected(&hop, &next).map_err(final_failure)?;
                    redirects += 1;
                }
                _ => break response,
            }
        };
        let status = response.status();
        let redactor = &hop.redactor;
        if status.is_success() {
            // A stream was asked for, but a server may answer with one JSON body instead:
            // that body is read in full like any JSON answer, so its images reach the caller.
            if mode.streams(response.headers()) {
                return Ok(Reply::Stream(response));
            }
            // Gateways sometimes wrap an upstream failure in a 2xx: decoded as a
            // success it would be an answer with no images, so it is an API error.
            let headers = response.headers().clone();
            // The work is done (and paid for) once a 2xx arrives: reading its body
            // again means generating again, so only the opt-in retries it. A JSON
            // answer's images are decoded while it arrives; raw bytes are kept as they are.
            // Each attempt writes its own files: a body that fails takes them with it.
            let writer = match mode {
                ResponseMode::Json => inner.save_images.as_ref().map(ImageWriter::new),
                _ => None,
            };
            let body = match mode {
                ResponseMode::Json | ResponseMode::EventStream => {
                    read_json_body(response, inner.max_response_bytes, writer).await
                }
                ResponseMode::Raw(_) => {
                    read_body(response, inner.max_response_bytes).await.map(|body| (ArrivedBody::whole(body), None))
                }
            };
            // Only a whole body can be an envelope: bodies this small are kept whole.
            let envelope = match &body {
                Ok((body, _)) if body.is_whole() => ErrorEnvelope::in_success_body(op.envelopes, body.text()),
                _ => None,
            };
            return match (body, envelope) {
                (Ok((body, _)), Some(envelope)) => {
                    let api = ApiError::with_envelope(
                        Some(inner.provider.name),
                        status.as_u16(),
                        headers,
                        body.into_bytes(),
                        Some(envelope),
                        redactor,
                    );
                    let retryable = is_retryable(&api, op);
                    let server_hint = api.retry_after;
                    Err(Failure { error: Error::Api(Box::new(api)), retryable, server_hint })
                }
                (Ok((body, writer)), None) => Ok(Reply::Body(status.as_u16(), headers, body, writer)),
                (Err(error), _) => {
                    let retryable = inner.retry_after_send && !matches!(error, Error::BodyTooLarge { .. });
                    Err(Failure { error, retryable, server_hint: None })
                }
            };
        }
        let headers = response.headers().clone();
        match read_body(response, inner.max_response_bytes).await {
            Ok(body) => {
                let api = ApiError::from_response(
                    Some(inner.provider.name),
                    status.as_u16(),
                    headers,
                    body,
                    op.envelopes,
                    redactor,
                );
                let retryable = is_retryable(&api, op);
                let server_hint = api.retry_after;
                Err(Failure { error: Error::Api(Box::new(api)), retryable, server_hint })
            }
            Err(error) => {
                // The status already says whether the server did the work.
                let code = status.as_u16();
                let retryable = status_is_retryable(code, op);
                Err(Failure { error, retryable, server_hint: None })
            }
        }
    }

    fn send_failure(&self, error: reqwest::Error) -> Failure {
        let after_send = self.inner.retry_after_send;
        let (error, retryable) = if error.is_connect() {
            // No connection, so the server never saw the request: safe to retry.
            let error = if error.is_timeout() {
                Error::Timeout(TimeoutError::new(SendPhase::BeforeSend, error))
            } else {
                Error::Transport(TransportError::new(SendPhase::BeforeSend, error))
            };
            (error, true)
        } else if error.is_timeout() {
            (Error::Timeout(TimeoutError::new(SendPhase::AfterSend, error)), after_send)
        } else if error.is_builder() || error.is_redirect() {
            (Error::Transport(TransportError::new(SendPhase::BeforeSend, error)), false)
        } else {
            (Error::Transport(TransportError::new(SendPhase::AfterSend, error)), after_send)
        };
        Failure { error, retryable, server_hint: None }
    }
}

/// Where a redirect answer points, resolved against the URL that answered; `None` for
/// any other answer (a `304`, a `300` without a target).
fn redirect_location(status: reqwest::StatusCode, headers: &HeaderMap, url: &reqwest::Url) -> Option<reqwest::Url> {
    if ![301, 302, 303, 307, 308].contains(&status.as_u16()) {
        return None;
    }
    url.join(headers.get(LOCATION)?.to_str().ok()?).ok()
}

/// How many bytes `request`'s body puts on the wire, when that is known before sending:
/// its `Content-Length` header, else the length of the bytes it holds; no body is 0.
fn body_length(request: &reqwest::Request) -> Option<u64> {
    if let Some(length) = request.headers().get(CONTENT_LENGTH) {
        return length.to_str().ok()?.parse().ok();
    }
    match request.body() {
        None => Some(0),
        Some(body) => body.as_bytes().map(|bytes| bytes.len() as u64),
    }
}

/// Whether a response says its body is JSON (`application/json`, `application/problem+json`).
pub(super) fn is_json(headers: &reqwest::header::HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(|media| {
        let media = media.trim().to_ascii_lowercase();
        media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
    })
}

/// Reads a JSON body chunk by chunk, decoding its long base64 strings as they
/// arrive, failing as soon as it passes `cap` bytes.
pub(super) async fn read_json_body(
    response: reqwest::Response,
    cap: usize,
    writer: Option<ImageWriter>,
) -> Result<(ArrivedBody, Option<ImageWriter>), Error> {
    let start = |declared| StreamingBody::new(declared).write_images(writer);
    read_chunks(response, cap, start, StreamingBody::push).await.map(StreamingBody::finish_writing)
}

/// Reads a body chunk by chunk, failing as soon as it passes `cap` bytes.
pub(super) async fn read_body(response: reqwest::Response, cap: usize) -> Result<Bytes, Error> {
    let with_capacity = |declared: Option<usize>| BytesMut::with_capacity(declared.unwrap_or(0));
    read_chunks(response, cap, with_capacity, |body, chunk| body.extend_from_slice(chunk)).await.map(BytesMut::freeze)
}

/// Hands every chunk of a body to `push` into what `start` made of its announced
/// length, failing as soon as the body passes `cap` bytes (at once when it says so).
async fn read_chunks<B>(
    mut response: reqwest::Response,
    cap: usize,
    start: impl FnOnce(Option<usize>) -> B,
    mut push: impl FnMut(&mut B, &[u8]),
) -> Result<B, Error> {
    let status = response.status().as_u16();
    let too_large = || Error::BodyTooLarge { limit: cap, status, attempts: 1 };
    let declared = response.content_length();
    if declared.is_some_and(|len| len > cap as u64) {
        return Err(too_large());
    }
    let mut body = start(declared.map(|len| len as usize));
    let mut received = 0;
    while let Some(chunk) = response.chunk().await.map_err(body_error)? {
        received += chunk.len();
        if received > cap {
            return Err(too_large());
        }
        push(&mut body, &chunk);
    }
    Ok(body)
}

fn body_error(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout(TimeoutError::new(SendPhase::AfterSend, error))
    } else {
        Error::Transport(TransportError::new(SendPhase::AfterSend, error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content_type(value: Option<&'static str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_mode_decides_the_accept_header() {
        assert_eq!(ResponseMode::Json.accept(), "application/json");
        assert_eq!(ResponseMode::EventStream.accept(), "text/event-stream");
    }

    #[test]
    fn a_json_call_reads_every_answer_in_full_even_one_that_calls_itself_a_stream() {
        for value in [Some("text/event-stream"), Some("application/json"), None] {
            assert!(!ResponseMode::Json.streams(&content_type(value)), "{value:?}");
        }
    }

    #[test]
    fn a_stream_call_reads_a_json_answer_in_full_and_streams_anything_else() {
        let read = ["application/json", "application/json; charset=utf-8", "Application/Problem+JSON"];
        for value in read {
            assert!(!ResponseMode::EventStream.streams(&content_type(Some(value))), "{value}");
        }
        let streamed = [Some("text/event-stream"), Some("text/plain"), Some("application/jsonl"), None];
        for value in streamed {
            assert!(ResponseMode::EventStream.streams(&content_type(value)), "{value:?}");
        }
    }
}
