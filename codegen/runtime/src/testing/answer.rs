//! What a mock server sends back: a documented example, a response the test
//! supplied, or an error in the provider's own envelope.

use bytes::Bytes;
use serde_json::{json, Value};

use crate::envelope::{Envelope, FieldPath, JsonKind, Scalar, Step, TestKind};

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

    /// An error the way the provider writes one, in the first of its declared
    /// envelopes, so the client reports it as it would a real one: the message, a
    /// code (the status's reason, `bad_request`), the status where the envelope
    /// repeats it, and whatever its recogniser asks for. Without an envelope, the
    /// message alone as plain text.
    pub(super) fn error(envelopes: &[Envelope], status: u16, message: &str) -> Self {
        let Some(envelope) = envelopes.first() else {
            return Self { status, content_type: "text/plain", body: Bytes::from(message.to_string()) };
        };
        let mut body = json!({});
        let code = reason(status);
        let parts: [(&[FieldPath], Value); 4] = [
            (envelope.message, Value::from(message)),
            (envelope.code, Value::from(code.as_str())),
            (envelope.error_type, Value::from(code.as_str())),
            (envelope.status, Value::from(status)),
        ];
        for (paths, value) in parts {
            if let Some(path) = paths.first() {
                set(&mut body, path, value);
            }
        }
        for test in envelope.when {
            let current = crate::envelope::find(&body, test.path).cloned();
            let value = match (test.kind, current) {
                (TestKind::Equals(Scalar::Bool(b)), _) => Value::from(b),
                (TestKind::Equals(Scalar::Integer(n)), _) => Value::from(n),
                (TestKind::Equals(Scalar::String(s)), _) => Value::from(s),
                // A message written where the recogniser wants a list becomes a list of it.
                (TestKind::Is(JsonKind::Array), Some(found)) if !found.is_array() => Value::Array(vec![found]),
                (_, Some(_)) => continue,
                (TestKind::Is(JsonKind::Object), None) => json!({}),
                (TestKind::Is(JsonKind::Array), None) => json!([]),
                (TestKind::Is(JsonKind::Number), None) => Value::from(status),
                (TestKind::Is(JsonKind::Boolean), None) => Value::from(true),
                (TestKind::Is(JsonKind::String) | TestKind::Present, None) => Value::from(code.as_str()),
            };
            set(&mut body, test.path, value);
        }
        Self::json(status, body.to_string())
    }
}

/// Writes `value` at `path`, making the objects and arrays on the way; an item picked
/// by a field's text is made with that field.
fn set(body: &mut Value, path: FieldPath, value: Value) {
    let mut current = body;
    for step in path {
        current = match *step {
            Step::Key(key) => {
                if !current.is_object() {
                    *current = json!({});
                }
                let object = current.as_object_mut().expect("made an object above");
                object.entry(key).or_insert(Value::Null)
            }
            Step::Index(i) => {
                if !current.is_array() {
                    *current = json!([]);
                }
                let items = current.as_array_mut().expect("made an array above");
                while items.len() <= i {
                    items.push(json!({}));
                }
                &mut items[i]
            }
            Step::ItemWhere { field, value: text } | Step::ItemEndingWith { field, suffix: text } => {
                if !current.is_array() {
                    *current = json!([]);
                }
                let items = current.as_array_mut().expect("made an array above");
                items.push(json!({ field: text }));
                items.last_mut().expect("pushed above")
            }
        };
    }
    *current = value;
}

/// The status's reason phrase as a code (`bad_request`, `not_found`).
fn reason(status: u16) -> String {
    let phrase = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
    phrase.to_ascii_lowercase().replace([' ', '-'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{ErrorEnvelope, Test};

    #[test]
    fn every_kind_of_envelope_is_read_back_by_the_client_with_its_message() {
        static SHAPES: [Envelope; 3] = [
            Envelope {
                name: "nested",
                when: &[Test {
                    path: &[Step::Key("error"), Step::Key("status")],
                    kind: TestKind::Is(JsonKind::String),
                }],
                body_keys: &["error"],
                message: &[&[Step::Key("error"), Step::Key("message")]],
                code: &[&[Step::Key("error"), Step::Key("status")]],
                error_type: &[],
                status: &[&[Step::Key("error"), Step::Key("code")]],
                param: &[],
                retryable: &[],
                retry_delay: None,
                retry_rules: &[],
            },
            Envelope {
                name: "flag",
                when: &[Test { path: &[Step::Key("error")], kind: TestKind::Equals(Scalar::Bool(true)) }],
                body_keys: &[],
                message: &[&[Step::Key("message")]],
                code: &[],
                error_type: &[],
                status: &[],
                param: &[],
                retryable: &[],
                retry_delay: None,
                retry_rules: &[],
            },
            Envelope {
                name: "list",
                when: &[Test { path: &[Step::Key("errors")], kind: TestKind::Is(JsonKind::Array) }],
                body_keys: &[],
                message: &[&[Step::Key("errors")]],
                code: &[&[Step::Key("name")]],
                error_type: &[],
                status: &[],
                param: &[],
                retryable: &[],
                retry_delay: None,
                retry_rules: &[],
            },
        ];
        for shape in SHAPES.chunks(1) {
            let answer = Answer::error(shape, 401, "the API key is missing");
            let envelope = ErrorEnvelope::read(shape, &answer.body);
            let message = envelope.as_ref().and_then(|e| e.message.as_deref());
            assert_eq!(message, Some("the API key is missing"), "{}: {envelope:?}", shape[0].name);
        }
        let nested = ErrorEnvelope::read(&SHAPES[..1], &Answer::error(&SHAPES[..1], 404, "gone").body);
        assert_eq!(nested.as_ref().and_then(|e| e.code.as_deref()), Some("not_found"));
        assert_eq!(nested.and_then(|e| e.status), Some(404));
        assert_eq!(Answer::error(&[], 400, "plain").body, Bytes::from("plain"));
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
