//! A hook that sees each request and response of a client, for request logs.
//!
//! The hook receives only redacted views: a [`WireRequest`] never holds the
//! API key, and response headers come from the server.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;

use super::error::Error;
use super::validate::Warning;
use super::wire_request::WireRequest;

/// Something that happened while sending one call.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpEvent<'a> {
    /// The request is valid but sets a parameter the docs say the server ignores; it
    /// is sent anyway. Reported once per warning, before the first attempt.
    Warning {
        /// Operation id (`generate_images`).
        operation: &'static str,
        /// The ignored parameter and why.
        warning: &'a Warning,
    },
    /// Attempt `attempt` (0 for the first) is about to be sent.
    Request {
        /// 0 for the first attempt.
        attempt: u32,
        /// The request, secrets redacted; a multipart body is not captured.
        request: &'a WireRequest,
    },
    /// The response head of attempt `attempt` arrived.
    Response {
        /// 0 for the first attempt.
        attempt: u32,
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: &'a HeaderMap,
        /// Time from sending until the head arrived.
        elapsed: Duration,
    },
    /// Attempt `attempt` failed and will be retried after `wait`.
    Retry {
        /// 0 for the first attempt.
        attempt: u32,
        /// The wait before the next attempt.
        wait: Duration,
        /// Why the attempt failed.
        error: &'a Error,
    },
}

/// A callback given every [`HttpEvent`] of a client's calls. It runs on the
/// task that sends the request, so it should be quick.
#[derive(Clone)]
pub struct Observer(Arc<dyn Fn(&HttpEvent<'_>) + Send + Sync>);

impl Observer {
    /// Wraps a callback.
    pub fn new(callback: impl Fn(&HttpEvent<'_>) + Send + Sync + 'static) -> Self {
        Self(Arc::new(callback))
    }

    pub(crate) fn notify(&self, event: &HttpEvent<'_>) {
        (self.0)(event)
    }
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer(..)")
    }
}
