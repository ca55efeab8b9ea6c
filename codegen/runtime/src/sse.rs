//! Server-sent events: an incremental parser and a typed event stream.
//!
//! The parser follows the WHATWG event-stream rules and is linear in its
//! input: each byte is scanned for a line end exactly once, however the body
//! is chunked, so an 8 MiB base64 `data:` line arriving in 1460-byte TCP
//! segments costs one pass, not one pass per segment.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;

use super::error::{Error, StreamError};
use super::error_text::snippet;
use super::redact::Redactor;

/// A typed event, decoded from one SSE event. Implemented by emitted code per events type.
pub trait SseEvent: Sized + Send + 'static {
    /// Decodes an event from its `event:` name and its `data:` text.
    fn from_sse(event: Option<&str>, data: &str) -> Result<Self, serde_json::Error>;

    /// Whether this event is the last one of a successful stream.
    fn is_terminal(&self) -> bool;
}

/// One dispatched event, before typing.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawEvent {
    /// The `event:` field, `None` when absent or empty (the default "message" type).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last event id seen so far in the stream, if any.
    pub id: Option<String>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A field value as text, invalid UTF-8 replaced by U+FFFD as WHATWG says.
/// `str::from_utf8` goes first: it validates ASCII (all base64) many times
/// faster than `String::from_utf8_lossy`, which walks the bytes in chunks.
fn text(value: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(value) {
        Ok(valid) => std::borrow::Cow::Borrowed(valid),
        Err(_) => String::from_utf8_lossy(value),
    }
}

/// Incremental WHATWG event-stream parser.
#[doc(hidden)]
#[derive(Default)]
pub struct SseParser {
    /// Bytes of the current, incomplete line.
    line: Vec<u8>,
    /// How far `line` has already been searched for a line end.
    scanned_to: usize,
    /// The previous chunk ended with CR: a leading LF in the next one belongs to it.
    after_cr: bool,
    /// Whether the optional leading BOM has been dealt with.
    bom_done: bool,
    event_type: String,
    data: String,
    /// Whether a `data:` field was seen since the last dispatch (data may be empty text).
    has_data: bool,
    last_event_id: Option<String>,
    reconnect_ms: Option<u64>,
    ready: Vec<RawEvent>,
    bytes_scanned: u64,
}

impl fmt::Debug for SseParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseParser")
            .field("buffered_bytes", &self.buffered_bytes())
            .field("bytes_scanned", &self.bytes_scanned)
            .finish_non_exhaustive()
    }
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk of the body; yields the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> std::vec::Drain<'_, RawEvent> {
        let mut chunk = chunk;
        if self.after_cr && !chunk.is_empty() {
            self.after_cr = false;
            if chunk[0] == b'\n' {
                chunk = &chunk[1..];
            }
        }
        self.line.extend_from_slice(chunk);
        if !self.bom_done {
            if self.line.len() < BOM.len() && BOM.starts_with(&self.line) {
                return self.ready.drain(..);
            }
            if self.line.starts_with(BOM) {
                self.line.drain(..BOM.len());
            }
            self.bom_done = true;
        }
        self.split_lines();
        self.ready.drain(..)
    }

    /// Ends the stream. Per WHATWG, an incomplete trailing event is discarded;
    /// returns whether there was one (a body cut mid-event).
    pub fn finish(&mut self) -> bool {
        let cut = !self.line.is_empty() || self.has_data || !self.event_type.is_empty();
        self.line.clear();
        self.scanned_to = 0;
        self.data.clear();
        self.event_type.clear();
        self.has_data = false;
        cut
    }

    /// Bytes held for the event being built (partial line plus data so far).
    pub fn buffered_bytes(&self) -> usize {
        self.line.len() + self.data.len()
    }

    /// Total bytes searched for line ends; equals the input length when parsing is linear.
    pub fn bytes_scanned(&self) -> u64 {
        self.bytes_scanned
    }

    /// The reconnection time from the last valid `retry:` field, in milliseconds.
    pub fn reconnect_ms(&self) -> Option<u64> {
        self.reconnect_ms
    }

    /// The last event id seen.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    fn split_lines(&mut self) {
        let mut start = 0;
        let mut pos = self.scanned_to;
        let buf = std::mem::take(&mut self.line);
        while let Some(offset) = memchr::memchr2(b'\n', b'\r', &buf[pos..]) {
            self.bytes_scanned += offset as u64 + 1;
            let end = pos + offset;
            self.process_line(&buf[start..end]);
            let mut next = end + 1;
            if buf[end] == b'\r' {
                if next < buf.len() {
                    if buf[next] == b'\n' {
                        next += 1;
                    }
                } else {
                    self.after_cr = true;
                }
            }
            start = next;
            pos = next;
        }
        self.bytes_scanned += (buf.len() - pos) as u64;
        self.line = buf;
        // Only the tail after the last line end stays: at most one chunk's worth
        // when a line ended in this chunk, so the move is linear overall.
        if start > 0 {
            self.line.drain(..start);
        }
        self.scanned_to = self.line.len();
    }

    fn process_line(&mut self, line: &[u8]) {
        if line.is_empty() {
            self.dispatch();
            return;
        }
        if line[0] == b':' {
            return; // comment, used as keep-alive
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        // A line end never falls inside a UTF-8 sequence, so decoding per line is exact.
        match field {
            b"event" => self.event_type = text(value).into_owned(),
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&text(value));
                self.has_data = true;
            }
            b"id" if !value.contains(&0) => self.last_event_id = Some(text(value).into_owned()),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // A value too large for u64 is not a valid reconnection time: the last
                // valid one stands, as for any other invalid `retry:` field.
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                    self.reconnect_ms = Some(ms);
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self) {
        let event_type = std::mem::take(&mut self.event_type);
        if !self.has_data {
            return;
        }
        self.has_data = false;
        let data = std::mem::take(&mut self.data);
        self.ready.push(RawEvent {
            event: (!event_type.is_empty()).then_some(event_type),
            data,
            id: self.last_event_id.clone().filter(|id| !id.is_empty()),
        });
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, reqwest::Error>> + Send>>;

/// A typed stream of events from a response body.
///
/// Yields `Err(Error::Stream(..))` and ends when the body ends before a
/// terminal event or the connection breaks; the request is never re-sent,
/// since it may already have been paid for. A single event that fails to
/// decode yields an error and the stream goes on, so a later terminal event
/// (with the final image) is not lost.
pub struct EventStream<E> {
    body: Option<ByteStream>,
    parser: SseParser,
    queue: VecDeque<RawEvent>,
    max_event_bytes: usize,
    status: u16,
    events: u64,
    finished: bool,
    /// Scrubs the client's key from bad-event errors (a server may echo it in an event).
    redactor: Redactor,
    /// The call's tracing span, open while the events are read, and where the terminal
    /// event reports token counts.
    call: Option<(super::trace::CallSpan, &'static [super::provider::TokenUsage])>,
    _event: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for EventStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("events", &self.events)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<E: SseEvent> EventStream<E> {
    /// Streams events from any byte stream; one buffered event may hold at most `max_event_bytes`.
    pub fn from_byte_stream<S>(body: S, status: u16, max_event_bytes: usize) -> Self
    where
        S: Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
    {
        Self {
            body: Some(Box::pin(body)),
            parser: SseParser::new(),
            queue: VecDeque::new(),
            max_event_bytes,
            status,
            events: 0,
            finished: false,
            redactor: Redactor::default(),
            call: None,
            _event: PhantomData,
        }
    }

    pub(crate) fn from_response(response: reqwest::Response, max_event_bytes: usize) -> Self {
        let status = response.status().as_u16();
        Self::from_byte_stream(response.bytes_stream(), status, max_event_bytes)
    }

    pub(crate) fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Keeps the call's span open until the stream is dropped; the terminal event's
    /// token counts (at `usage`) are recorded on it.
    pub(crate) fn with_call_span(
        mut self,
        span: super::trace::CallSpan,
        usage: &'static [super::provider::TokenUsage],
    ) -> Self {
        self.call = Some((span, usage));
        self
    }

    fn end(&mut self, error: Error) -> Poll<Option<Result<E, Error>>> {
        self.finished = true;
        self.body = None;
        self.queue.clear();
        Poll::Ready(Some(Err(error)))
    }
}

impl<E: SseEvent> Stream for EventStream<E> {
    type Item = Result<E, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(raw) = this.queue.pop_front() {
                this.events += 1;
                let parsed =
                    super::base64::parse_json(raw.data.as_bytes(), |_| E::from_sse(raw.event.as_deref(), &raw.data));
                return Poll::Ready(Some(match parsed {
                    Ok(event) => {
                        if event.is_terminal() {
                            if let Some((span, usage)) = &this.call {
                                span.record_usage(usage, raw.data.as_bytes());
                            }
                            // Anything after the terminal event is not part of the answer.
                            this.finished = true;
                            this.body = None;
                            this.queue.clear();
                        }
                        Ok(event)
                    }
                    Err(source) => Err(Error::Stream(StreamError::BadEvent {
                        event: raw.event.map(|name| this.redactor.scrub(&name).into_owned()),
                        source: this.redactor.scrub_serde(source),
                        snippet: snippet(raw.data.as_bytes(), &this.redactor),
                    })),
                }));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    let max = this.max_event_bytes;
                    let mut oversized = false;
                    for raw in this.parser.push(&chunk) {
                        oversized |= raw.data.len() > max;
                        this.queue.push_back(raw);
                    }
                    if oversized || this.parser.buffered_bytes() > max {
                        let error =
                            Error::BodyTooLarge { limit: this.max_event_bytes, status: this.status, attempts: 1 };
                        return this.end(error);
                    }
                }
                Poll::Ready(Some(Err(error))) => {
                    let error = if error.is_timeout() {
                        Error::Timeout(super::error::TimeoutError::new(super::error::SendPhase::AfterSend, error))
                    } else {
                        Error::Stream(StreamError::Transport(super::error::without_query(error)))
                    };
                    return this.end(error);
                }
                Poll::Ready(None) => {
                    this.parser.finish();
                    this.body = None;
                    if this.queue.is_empty() {
                        let events = this.events;
                        return this.end(Error::Stream(StreamError::EndedBeforeTerminal { events }));
                    }
                }
            }
        }
    }
}
