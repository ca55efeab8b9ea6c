//! Provider error envelopes, parsed tolerantly from any bytes.
//!
//! Relays forward upstream errors unchanged, so a RouterHub call can answer
//! with a Google envelope or an OpenAI one: the declared format is tried
//! first, then the others. Error bodies are small, so going through
//! `serde_json::Value` here costs nothing and keeps every shape reachable.

use std::time::Duration;

use serde_json::{Map, Value};

use super::redact::Redactor;
use super::retry::MAX_HINT;
use super::ErrorFormat;

/// A provider's error body, as far as it could be understood.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorEnvelope {
    /// `{"error": {"code", "message", "status", "details"}}` (also accepted wrapped in a one-item array).
    Google(GoogleError),
    /// `{"error": {"message", "type", "param", "code"}}`.
    OpenAi(OpenAiError),
    /// `{"error": true, "status", "message"}`.
    LlmGateway(LlmGatewayError),
    /// ListenHub's generic `message`/`code` plus the free-lane failure metadata.
    ListenHub(ListenHubError),
    /// Not JSON, or no known shape (an HTML page from a proxy, an empty body).
    Unparsed,
}

/// A Google API error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GoogleError {
    /// The HTTP status number the envelope repeats.
    pub code: Option<i64>,
    /// Human-readable message.
    pub message: Option<String>,
    /// Canonical status name (`INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`).
    pub status: Option<String>,
    /// Typed detail objects (each with an `@type`), kept as JSON.
    pub details: Vec<Value>,
}

impl GoogleError {
    /// The `retryDelay` of the first `google.rpc.RetryInfo` item in `details`.
    pub fn retry_delay(&self) -> Option<Duration> {
        self.details.iter().find_map(|detail| {
            let is_retry_info =
                detail.get("@type").and_then(Value::as_str).is_some_and(|t| t.ends_with("google.rpc.RetryInfo"));
            if !is_retry_info {
                return None;
            }
            match detail.get("retryDelay")? {
                Value::String(text) => parse_google_duration(text),
                // Some protobuf JSON printers emit the message form instead of the string.
                Value::Object(parts) => {
                    let seconds = parts.get("seconds").map_or(Some(0), json_u64)?;
                    let nanos = parts.get("nanos").map_or(Some(0), json_u64)?;
                    let nanos = u32::try_from(nanos).ok().filter(|n| *n < 1_000_000_000)?;
                    Some(Duration::new(seconds.min(MAX_HINT.as_secs()), nanos).min(MAX_HINT))
                }
                _ => None,
            }
        })
    }
}

/// A non-negative integer given as a JSON number or (protobuf JSON's int64 form) a string.
fn json_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Parses a `google.protobuf.Duration` in its JSON form: decimal seconds with up
/// to nine fractional digits and an `s` suffix (`"34.4s"`, `"1s"`, `"0.5s"`).
/// Negative or malformed values are `None`; huge ones are bounded to a day, like
/// `Retry-After`, so that they read as "a very long time" without overflowing.
pub fn parse_google_duration(text: &str) -> Option<Duration> {
    let number = text.strip_suffix('s')?;
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f) || f.len() > 9) {
        return None;
    }
    // Too many digits for u64 is still a very long time, not garbage.
    let seconds = whole.parse::<u64>().unwrap_or(u64::MAX);
    let nanos = fraction.map_or(0, |f| {
        let scale = 10u32.pow(9 - f.len() as u32);
        f.parse::<u32>().unwrap_or(0) * scale
    });
    Some(Duration::new(seconds.min(MAX_HINT.as_secs()), nanos).min(MAX_HINT))
}

/// An OpenAI-style error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpenAiError {
    /// Human-readable message.
    pub message: Option<String>,
    /// Error class (`invalid_request_error`).
    pub error_type: Option<String>,
    /// The offending parameter, when named.
    pub param: Option<String>,
    /// Machine-readable code; `null` on the wire becomes `None`, a number becomes its text.
    pub code: Option<String>,
}

/// An LLMGateway error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LlmGatewayError {
    /// The status number the envelope reports.
    pub status: Option<i64>,
    /// Human-readable message.
    pub message: Option<String>,
}

/// A ListenHub error, including the pure-free relax lane metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListenHubError {
    /// Generic message.
    pub message: Option<String>,
    /// Generic code (a number on the wire becomes its text).
    pub code: Option<String>,
    /// `reason` or `failReason`.
    pub reason: Option<FreeRelaxReason>,
    /// Whether retrying later may succeed; authoritative when present.
    pub retryable: Option<bool>,
    /// Whether the free quota was refunded.
    pub free_usage_rolled_back: Option<bool>,
    /// Friendly, localizable copy for end users.
    pub user_message: Option<String>,
}

/// Why a ListenHub free-lane request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreeRelaxReason {
    /// `free_relax_busy`: the free lane is at capacity; nothing was charged.
    Busy,
    /// `free_relax_timeout`: the free lane timed out; nothing was charged.
    Timeout,
    /// A reason this crate does not know yet, kept verbatim.
    Other(String),
}

impl FreeRelaxReason {
    /// Parses the wire value, keeping unknown ones.
    pub fn from_wire(value: &str) -> Self {
        match value {
            "free_relax_busy" => FreeRelaxReason::Busy,
            "free_relax_timeout" => FreeRelaxReason::Timeout,
            other => FreeRelaxReason::Other(other.to_string()),
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            FreeRelaxReason::Busy => "free_relax_busy",
            FreeRelaxReason::Timeout => "free_relax_timeout",
            FreeRelaxReason::Other(other) => other,
        }
    }
}

impl ErrorEnvelope {
    /// Parses `body`, trying `declared` first. Never fails and never panics.
    pub fn parse(declared: ErrorFormat, body: &[u8]) -> Self {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return ErrorEnvelope::Unparsed;
        };
        // One real Gemini-compatible endpoint wraps the envelope in a top-level array.
        let value = match value {
            Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
            other => other,
        };
        let Value::Object(object) = value else {
            return ErrorEnvelope::Unparsed;
        };
        let fallbacks = [ErrorFormat::Google, ErrorFormat::OpenAi, ErrorFormat::LlmGateway, ErrorFormat::ListenHub];
        std::iter::once(declared)
            .chain(fallbacks.into_iter().filter(|f| *f != declared))
            .find_map(|format| parse_as(format, &object))
            .unwrap_or(ErrorEnvelope::Unparsed)
    }

    /// The human-readable message, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            ErrorEnvelope::Google(e) => e.message.as_deref(),
            ErrorEnvelope::OpenAi(e) => e.message.as_deref(),
            ErrorEnvelope::LlmGateway(e) => e.message.as_deref(),
            ErrorEnvelope::ListenHub(e) => e.message.as_deref().or(e.user_message.as_deref()),
            ErrorEnvelope::Unparsed => None,
        }
    }

    /// The machine-readable code: OpenAI `code`, Google `status`, ListenHub `code` or `reason`.
    pub fn code(&self) -> Option<&str> {
        match self {
            ErrorEnvelope::Google(e) => e.status.as_deref(),
            ErrorEnvelope::OpenAi(e) => e.code.as_deref(),
            ErrorEnvelope::ListenHub(e) => e.code.as_deref().or(e.reason.as_ref().map(FreeRelaxReason::as_str)),
            ErrorEnvelope::LlmGateway(_) | ErrorEnvelope::Unparsed => None,
        }
    }

    /// The status number the envelope itself reports (Google `code`, LLMGateway `status`).
    pub fn provider_status(&self) -> Option<i64> {
        match self {
            ErrorEnvelope::Google(e) => e.code,
            ErrorEnvelope::LlmGateway(e) => e.status,
            _ => None,
        }
    }

    /// How long the body asks the client to wait before retrying: Google's
    /// `google.rpc.RetryInfo` detail (`"retryDelay": "34.4s"`). Headers, when they
    /// give a hint, win over this (see [`ApiError`](super::error::ApiError)).
    pub fn retry_delay(&self) -> Option<Duration> {
        match self {
            ErrorEnvelope::Google(e) => e.retry_delay(),
            _ => None,
        }
    }

    /// The body's own verdict on retrying (ListenHub `retryable`), if it gives one.
    pub fn retryable(&self) -> Option<bool> {
        match self {
            ErrorEnvelope::ListenHub(e) => e.retryable,
            _ => None,
        }
    }
}

/// The largest 2xx body probed for an error envelope. Envelopes are a few hundred
/// bytes; image bodies are megabytes and must not be parsed twice.
const SUCCESS_PROBE_LIMIT: usize = 1 << 20;

/// Top-level keys an error envelope may carry beside `error`. A success body with
/// other keys (a job whose `error` field describes a failed task, say) is a success.
const ENVELOPE_KEYS: &[&str] = &["error", "status", "message", "code", "details", "success", "request_id", "requestId"];

impl ErrorEnvelope {
    /// The error envelope a gateway sent with a 2xx status, if `body` is one.
    ///
    /// Only the unmistakable shapes count: a top-level object (or a one-item array
    /// of one) whose `error` is an object or `true`, with no keys but envelope keys.
    /// A body that merely has a `message` or `code` stays a success.
    pub fn in_success_body(declared: ErrorFormat, body: &[u8]) -> Option<Self> {
        if body.len() > SUCCESS_PROBE_LIMIT {
            return None;
        }
        let value = serde_json::from_slice::<Value>(body).ok()?;
        let object = match &value {
            Value::Array(items) if items.len() == 1 => items[0].as_object()?,
            Value::Object(object) => object,
            _ => return None,
        };
        let error = object.get("error")?;
        let is_error = error.is_object() || error.as_bool() == Some(true);
        if !is_error || object.keys().any(|k| !ENVELOPE_KEYS.contains(&k.as_str())) {
            return None;
        }
        match Self::parse(declared, body) {
            ErrorEnvelope::Unparsed => None,
            envelope => Some(envelope),
        }
    }
}

impl ErrorEnvelope {
    /// Replaces the client's secrets in every text the envelope holds, details included.
    pub(crate) fn scrub(&mut self, redactor: &Redactor) {
        let scrub = |text: &mut Option<String>| {
            if let Some(text) = text {
                redactor.scrub_string(text);
            }
        };
        match self {
            ErrorEnvelope::Google(e) => {
                scrub(&mut e.message);
                scrub(&mut e.status);
                e.details.iter_mut().for_each(|detail| redactor.scrub_json(detail));
            }
            ErrorEnvelope::OpenAi(e) => {
                scrub(&mut e.message);
                scrub(&mut e.error_type);
                scrub(&mut e.param);
                scrub(&mut e.code);
            }
            ErrorEnvelope::LlmGateway(e) => scrub(&mut e.message),
            ErrorEnvelope::ListenHub(e) => {
                scrub(&mut e.message);
                scrub(&mut e.code);
                scrub(&mut e.user_message);
                if let Some(FreeRelaxReason::Other(reason)) = &mut e.reason {
                    redactor.scrub_string(reason);
                }
            }
            ErrorEnvelope::Unparsed => {}
        }
    }
}

fn parse_as(format: ErrorFormat, object: &Map<String, Value>) -> Option<ErrorEnvelope> {
    match format {
        ErrorFormat::Google => google(object).map(ErrorEnvelope::Google),
        ErrorFormat::OpenAi => openai(object).map(ErrorEnvelope::OpenAi),
        ErrorFormat::LlmGateway => llm_gateway(object).map(ErrorEnvelope::LlmGateway),
        ErrorFormat::ListenHub => listenhub(object).map(ErrorEnvelope::ListenHub),
    }
}

fn is_google_shaped(error: &Map<String, Value>) -> bool {
    // OpenAI errors carry `type`; Google ones carry a status name, details or a numeric code.
    !error.contains_key("type")
        && (error.get("status").is_some_and(Value::is_string)
            || error.get("details").is_some_and(Value::is_array)
            || error.get("code").is_some_and(Value::is_i64))
}

fn google(object: &Map<String, Value>) -> Option<GoogleError> {
    let error = object.get("error")?.as_object()?;
    if !is_google_shaped(error) {
        return None;
    }
    Some(GoogleError {
        code: error.get("code").and_then(Value::as_i64),
        message: string(error.get("message")),
        status: string(error.get("status")),
        details: error.get("details").and_then(Value::as_array).cloned().unwrap_or_default(),
    })
}

fn openai(object: &Map<String, Value>) -> Option<OpenAiError> {
    let error = object.get("error")?.as_object()?;
    let has_shape =
        error.get("message").is_some_and(Value::is_string) || error.get("type").is_some_and(Value::is_string);
    if !has_shape || is_google_shaped(error) {
        return None;
    }
    Some(OpenAiError {
        message: string(error.get("message")),
        error_type: string(error.get("type")),
        param: text(error.get("param")),
        code: text(error.get("code")),
    })
}

fn llm_gateway(object: &Map<String, Value>) -> Option<LlmGatewayError> {
    if object.get("error")?.as_bool() != Some(true) {
        return None;
    }
    Some(LlmGatewayError {
        status: object.get("status").and_then(Value::as_i64),
        message: string(object.get("message")),
    })
}

fn listenhub(object: &Map<String, Value>) -> Option<ListenHubError> {
    // The free-lane metadata may sit at the top level or under `error` / `data`.
    let levels: Vec<&Map<String, Value>> = std::iter::once(object)
        .chain(["error", "data"].iter().filter_map(|key| object.get(*key).and_then(Value::as_object)))
        .collect();
    let find = |key: &str| levels.iter().find_map(|level| level.get(key).filter(|v| !v.is_null()));
    let message = string(find("message")).or_else(|| string(object.get("error")));
    let error = ListenHubError {
        message,
        code: text(find("code")),
        reason: string(find("reason")).or_else(|| string(find("failReason"))).map(|r| FreeRelaxReason::from_wire(&r)),
        retryable: find("retryable").and_then(Value::as_bool),
        free_usage_rolled_back: find("freeUsageRolledBack").and_then(Value::as_bool),
        user_message: string(find("userMessage")),
    };
    (error != ListenHubError::default()).then_some(error)
}

fn string(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_string)
}

/// A string, or a number/bool rendered as text; `null` and containers are `None`.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unmistakable_envelopes_count_in_a_success_body() {
        let probe = |body: &str| ErrorEnvelope::in_success_body(ErrorFormat::OpenAi, body.as_bytes());
        assert!(matches!(probe(r#"{"error": {"message": "blocked", "type": "x"}}"#), Some(ErrorEnvelope::OpenAi(_))));
        assert!(matches!(
            probe(r#"{"error": true, "status": 500, "message": "no images"}"#),
            Some(ErrorEnvelope::LlmGateway(_))
        ));
        // A task whose `error` describes a failed job is a success body with other keys.
        assert_eq!(probe(r#"{"id": "task-1", "status": "failed", "error": {"message": "nsfw"}}"#), None);
        // A generic message or code is not an error; neither is `error: false` or a string body.
        assert_eq!(probe(r#"{"code": 0, "message": "ok", "data": {"images": []}}"#), None);
        assert_eq!(probe(r#"{"error": false, "data": []}"#), None);
        assert_eq!(probe(r#""error""#), None);
        assert_eq!(probe("not json"), None);
    }
}
