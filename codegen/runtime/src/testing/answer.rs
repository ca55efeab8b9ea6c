//! What a mock server sends back: a documented example, a response the test
//! supplied, or an error in the provider's own envelope.

use bytes::Bytes;
use serde_json::{json, Value};

use crate::ErrorFormat;

/// A valid 1x1 PNG standing in for the base64 payloads the docs elide, so a
/// client that decodes or saves the image gets a real one.
pub const PLACEHOLDER_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/// A response body the spec documents for an operation (emitted per provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentedResponse {
    /// The operation id.
    pub operation: &'static str,
    /// The example's name in the spec.
    pub name: &'static str,
    /// The documented status (200 for a success example without one).
    pub status: u16,
    /// The body as JSON text.
    pub body: &'static str,
    /// String values that stand for elided base64 (`iVBORw0KGgo...`), replaced by [`PLACEHOLDER_PNG`].
    pub placeholders: &'static [&'static str],
}

impl DocumentedResponse {
    /// The body with every placeholder replaced by a real image.
    pub fn body(&self) -> String {
        substitute(self.body, self.placeholders)
    }

    /// Whether the example is a success response (the default answer).
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Replaces each quoted placeholder string in a JSON text with the quoted PNG.
fn substitute(body: &str, placeholders: &[&str]) -> String {
    let mut body = body.to_string();
    for placeholder in placeholders {
        // A `&str` always serializes; the fallback only keeps this total.
        let quoted = serde_json::to_string(placeholder).unwrap_or_default();
        if !quoted.is_empty() {
            body = body.replace(&quoted, &format!("\"{PLACEHOLDER_PNG}\""));
        }
    }
    body
}

/// One answer on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: Bytes,
}

impl Answer {
    pub(super) fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Self { status, content_type: "application/json", body: body.into() }
    }

    /// A server-sent event stream of `(event name, data)` pairs, already complete.
    pub(super) fn events(events: &[(&str, Value)]) -> Self {
        let mut text = String::new();
        for (event, data) in events {
            text.push_str(&format!("event: {event}\ndata: {data}\n\n"));
        }
        Self { status: 200, content_type: "text/event-stream", body: Bytes::from(text) }
    }

    /// An error the way the provider writes one, so the client reports it as it
    /// would a real one (status, message, the envelope's fields).
    pub(super) fn error(format: ErrorFormat, status: u16, message: &str) -> Self {
        let body = match format {
            ErrorFormat::Google => json!({
                "error": { "code": status, "message": message, "status": google_status(status) }
            }),
            ErrorFormat::OpenAi => json!({
                "error": { "message": message, "type": "invalid_request_error", "param": null, "code": null }
            }),
            ErrorFormat::LlmGateway => json!({ "error": true, "status": status, "message": message }),
            ErrorFormat::ListenHub => json!({ "code": status.to_string(), "message": message }),
        };
        Self::json(status, body.to_string())
    }
}

/// Google's canonical status name for the statuses the mock sends.
fn google_status(status: u16) -> &'static str {
    match status {
        400 | 415 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        404 => "NOT_FOUND",
        501 => "UNIMPLEMENTED",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::ErrorEnvelope;

    #[test]
    fn every_error_envelope_is_read_back_by_the_client_with_its_message() {
        for format in [ErrorFormat::Google, ErrorFormat::OpenAi, ErrorFormat::LlmGateway, ErrorFormat::ListenHub] {
            let answer = Answer::error(format, 401, "the API key is missing");
            let envelope = ErrorEnvelope::parse(format, &answer.body);
            assert_eq!(envelope.message(), Some("the API key is missing"), "{format:?}: {envelope:?}");
        }
    }

    #[test]
    fn elided_base64_becomes_a_real_png() {
        let example = DocumentedResponse {
            operation: "generate",
            name: "ok",
            status: 200,
            body: r#"{"data": [{"b64_json": "iVBORw0KGgo..."}], "note": "iVBORw0KGgo... stays in prose"}"#,
            placeholders: &["iVBORw0KGgo..."],
        };
        let body: Value = serde_json::from_str(&example.body()).unwrap();
        assert_eq!(body["data"][0]["b64_json"], PLACEHOLDER_PNG);
        assert_eq!(body["note"], "iVBORw0KGgo... stays in prose");
    }
}
