//! Provider error envelopes: one tolerant reader driven by what the specs declare.
//!
//! A spec declares each error shape as an [`Envelope`]: where its message, code,
//! status and retry hints live, as field paths, and how it is recognised when a
//! body could be several (relays forward upstream errors unchanged, so an
//! operation lists the envelopes it may answer with, in order). The reader never
//! fails: a body that is not JSON, or that no envelope recognises, is simply not
//! parsed, and the raw bytes stay in the error. Error bodies are small, so going
//! through `serde_json::Value` costs nothing and keeps every shape reachable.

use std::time::Duration;

use serde_json::Value;

use super::redact::Redactor;
use super::retry::MAX_HINT;

/// A field path into an error body: its steps, from the top.
pub type FieldPath = &'static [Step];

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An object's member.
    Key(&'static str),
    /// An array's item by index.
    Index(usize),
    /// The first array item whose string member `field` equals `value`.
    ItemWhere {
        /// The item's member tested.
        field: &'static str,
        /// The text it must equal.
        value: &'static str,
    },
    /// The first array item whose string member `field` ends with `suffix`
    /// (Google's `details[]` item whose `@type` ends with `google.rpc.RetryInfo`).
    ItemEndingWith {
        /// The item's member tested.
        field: &'static str,
        /// The text it must end with.
        suffix: &'static str,
    },
}

/// A kind of JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// An object.
    Object,
    /// An array.
    Array,
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
}

/// A scalar a recognising test compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A string.
    String(&'static str),
}

/// What a recognising test asks of the value at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKind {
    /// Present and not `null`.
    Present,
    /// Equal to this scalar (`"error": true`).
    Equals(Scalar),
    /// Of this kind (`"errors": [...]`).
    Is(JsonKind),
}

/// One test of an envelope's recogniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Test {
    /// Where the value is.
    pub path: FieldPath,
    /// What it must be.
    pub kind: TestKind,
}

/// How a retry delay is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayFormat {
    /// A `google.protobuf.Duration` in JSON: `"34.4s"`, or `{"seconds", "nanos"}`.
    Duration,
    /// A number of seconds, or its text.
    Seconds,
    /// A number of milliseconds, or its text.
    Milliseconds,
}

/// Where a body gives its retry delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryDelay {
    /// Where the delay is.
    pub path: FieldPath,
    /// How it is written.
    pub format: DelayFormat,
}

/// Whether an error of an envelope is retried, by its status, code or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryRule {
    /// The HTTP status it applies to; any when `None`.
    pub status: Option<u16>,
    /// The envelope's code must equal this.
    pub code: Option<&'static str>,
    /// The envelope's message must contain this, ignoring ASCII case.
    pub message_contains: Option<&'static str>,
    /// The verdict.
    pub retry: bool,
}

/// An error envelope as a spec declares it (emitted into each provider's `envelopes` module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    /// The spec's name (`google`).
    pub name: &'static str,
    /// Tests that must all hold for a body to be this envelope; without any, a body
    /// is this envelope when its message or code is found.
    pub when: &'static [Test],
    /// The body's top-level keys the spec declares: a 2xx body with any other key is
    /// a success, not a wrapped error.
    pub body_keys: &'static [&'static str],
    /// Where the message is (a string, or strings joined with `; `); first found wins.
    pub message: &'static [FieldPath],
    /// Where the code is (a string, or a number read as its text).
    pub code: &'static [FieldPath],
    /// Where the error's type or class name is.
    pub error_type: &'static [FieldPath],
    /// Where the status the body repeats is.
    pub status: &'static [FieldPath],
    /// Where the parameter the error is about is.
    pub param: &'static [FieldPath],
    /// Where the body's own retry verdict is.
    pub retryable: &'static [FieldPath],
    /// Where the retry delay is.
    pub retry_delay: Option<RetryDelay>,
    /// Retry verdicts by status, code or message; the first match decides.
    pub retry_rules: &'static [RetryRule],
}

/// An error body read through the [`Envelope`] that recognised it. Every text has the
/// client's secrets scrubbed; the raw body is kept beside it in [`ApiError`](super::ApiError).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ErrorEnvelope {
    /// The envelope that recognised the body.
    pub envelope: &'static Envelope,
    /// The human-readable message.
    pub message: Option<String>,
    /// The machine-readable code (OpenAI `code`, Google's status name).
    pub code: Option<String>,
    /// The error's type or class (OpenAI `type`).
    pub error_type: Option<String>,
    /// The request parameter the error is about.
    pub param: Option<String>,
    /// The status the body repeats (Google `code`, LLMGateway `status`).
    pub status: Option<i64>,
    /// The body's own verdict on retrying (ListenHub `retryable`).
    pub retryable: Option<bool>,
    /// How long the body asks to wait before retrying (Google `RetryInfo`), bounded to a day.
    pub retry_delay: Option<Duration>,
}

impl ErrorEnvelope {
    /// Reads an error body through the first of `envelopes` that recognises it.
    /// Never fails and never panics: `None` when the body is not JSON, not an object
    /// (or a one-item array of one, as one Gemini-compatible endpoint sends), or none
    /// of the envelopes recognises it.
    pub fn read(envelopes: &'static [Envelope], body: &[u8]) -> Option<Self> {
        let value = top_object(serde_json::from_slice::<Value>(body).ok()?)?;
        envelopes.iter().find(|e| e.recognises(&value)).map(|e| e.read_parts(&value))
    }

    /// The error envelope a gateway sent with a 2xx status, if `body` is one.
    ///
    /// Only unmistakable shapes count: an envelope that declares how it is recognised
    /// (its `when` tests hold), on a body with no top-level key the envelope's type
    /// does not declare. A body that merely has a `message`, or a job answer whose
    /// `error` describes a failed task beside other keys, stays a success.
    pub fn in_success_body(envelopes: &'static [Envelope], body: &[u8]) -> Option<Self> {
        if body.len() > SUCCESS_PROBE_LIMIT {
            return None;
        }
        let value = top_object(serde_json::from_slice::<Value>(body).ok()?)?;
        let keys = value.as_object()?;
        envelopes
            .iter()
            .filter(|e| !e.when.is_empty())
            .find(|e| e.recognises(&value) && keys.keys().all(|k| e.body_keys.contains(&k.as_str())))
            .map(|e| e.read_parts(&value))
    }

    /// The declared envelope's name (`google`).
    pub fn name(&self) -> &'static str {
        self.envelope.name
    }

    /// The envelope's verdict on retrying an error with `status`: the body's own
    /// `retryable`, else the first declared rule that matches; `None` leaves it to the status.
    pub fn retry_verdict(&self, status: u16) -> Option<bool> {
        self.retryable
            .or_else(|| self.envelope.retry_rules.iter().find(|rule| self.matches(rule, status)).map(|rule| rule.retry))
    }

    fn matches(&self, rule: &RetryRule, status: u16) -> bool {
        let status_matches = rule.status.is_none_or(|s| s == status);
        let code_matches = rule.code.is_none_or(|code| self.code.as_deref() == Some(code));
        let message_matches = rule.message_contains.is_none_or(|needle| {
            self.message.as_deref().is_some_and(|m| m.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()))
        });
        status_matches && code_matches && message_matches
    }

    /// Replaces the client's secrets in every text the envelope holds.
    pub(crate) fn scrub(&mut self, redactor: &Redactor) {
        for text in [&mut self.message, &mut self.code, &mut self.error_type, &mut self.param].into_iter().flatten() {
            redactor.scrub_string(text);
        }
    }
}

/// The largest 2xx body probed for an error envelope. Envelopes are a few hundred
/// bytes; image bodies are megabytes and must not be parsed twice.
const SUCCESS_PROBE_LIMIT: usize = 1 << 20;

/// The object an error body is: itself, or the only item of a one-item array.
fn top_object(value: Value) -> Option<Value> {
    let value = match value {
        Value::Array(mut items) if items.len() == 1 => items.swap_remove(0),
        other => other,
    };
    value.is_object().then_some(value)
}

impl Envelope {
    /// Whether `body` is this envelope.
    pub fn recognises(&self, body: &Value) -> bool {
        if self.when.is_empty() {
            return self.message.iter().chain(self.code).any(|path| find(body, path).is_some());
        }
        self.when.iter().all(|test| {
            let Some(found) = find(body, test.path) else { return false };
            match test.kind {
                TestKind::Present => true,
                TestKind::Equals(Scalar::Bool(b)) => found.as_bool() == Some(b),
                TestKind::Equals(Scalar::Integer(n)) => found.as_i64() == Some(n),
                TestKind::Equals(Scalar::String(s)) => found.as_str() == Some(s),
                TestKind::Is(kind) => kind_of(found) == Some(kind),
            }
        })
    }

    fn read_parts(&'static self, body: &Value) -> ErrorEnvelope {
        let first = |paths: &[FieldPath], read: fn(&Value) -> Option<String>| {
            paths.iter().find_map(|path| find(body, path).and_then(read))
        };
        ErrorEnvelope {
            envelope: self,
            message: first(self.message, message_text),
            code: first(self.code, scalar_text),
            error_type: first(self.error_type, scalar_text),
            param: first(self.param, scalar_text),
            status: self.status.iter().find_map(|path| find(body, path).and_then(integer)),
            retryable: self.retryable.iter().find_map(|path| find(body, path).and_then(boolean)),
            retry_delay: self.retry_delay.and_then(|d| find(body, d.path).and_then(|v| delay(v, d.format))),
        }
    }
}

/// The value `path` reaches in `body`; `null` counts as nothing.
pub fn find(body: &Value, path: FieldPath) -> Option<&Value> {
    let mut current = body;
    for step in path {
        current = match *step {
            Step::Key(key) => current.get(key)?,
            Step::Index(i) => current.get(i)?,
            Step::ItemWhere { field, value } => {
                current.as_array()?.iter().find(|item| item.get(field).and_then(Value::as_str) == Some(value))?
            }
            Step::ItemEndingWith { field, suffix } => current
                .as_array()?
                .iter()
                .find(|item| item.get(field).and_then(Value::as_str).is_some_and(|s| s.ends_with(suffix)))?,
        };
    }
    (!current.is_null()).then_some(current)
}

fn kind_of(value: &Value) -> Option<JsonKind> {
    Some(match value {
        Value::Object(_) => JsonKind::Object,
        Value::Array(_) => JsonKind::Array,
        Value::String(_) => JsonKind::String,
        Value::Number(_) => JsonKind::Number,
        Value::Bool(_) => JsonKind::Boolean,
        Value::Null => return None,
    })
}

/// A string, or a number read as its text; anything else is no value.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A message: a string (a number as its text), or the texts of an array joined with `; `.
fn message_text(value: &Value) -> Option<String> {
    match value {
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().filter_map(scalar_text).collect();
            (!texts.is_empty()).then(|| texts.join("; "))
        }
        other => scalar_text(other),
    }
}

/// A whole number, or its text.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `true`/`false`, or their text.
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A delay in `format`; negative or malformed values are none, huge ones a day.
fn delay(value: &Value, format: DelayFormat) -> Option<Duration> {
    let seconds = |value: &Value| match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let bounded = |secs: f64| {
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(MAX_HINT.as_secs_f64())))
    };
    match format {
        DelayFormat::Seconds => bounded(seconds(value)?),
        DelayFormat::Milliseconds => bounded(seconds(value)? / 1000.0),
        DelayFormat::Duration => match value {
            Value::String(text) => parse_google_duration(text),
            // Some protobuf JSON printers emit the message form instead of the string.
            Value::Object(parts) => {
                let seconds = parts.get("seconds").map_or(Some(0), json_u64)?;
                let nanos = parts.get("nanos").map_or(Some(0), json_u64)?;
                let nanos = u32::try_from(nanos).ok().filter(|n| *n < 1_000_000_000)?;
                Some(Duration::new(seconds.min(MAX_HINT.as_secs()), nanos).min(MAX_HINT))
            }
            _ => None,
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    const OPENAI: Envelope = Envelope {
        name: "openai",
        when: &[Test { path: &[Step::Key("error")], kind: TestKind::Is(JsonKind::Object) }],
        body_keys: &["error"],
        message: &[&[Step::Key("error"), Step::Key("message")]],
        code: &[&[Step::Key("error"), Step::Key("code")]],
        error_type: &[],
        status: &[],
        param: &[],
        retryable: &[],
        retry_delay: None,
        retry_rules: &[],
    };
    const GATEWAY: Envelope = Envelope {
        name: "gateway",
        when: &[Test { path: &[Step::Key("error")], kind: TestKind::Equals(Scalar::Bool(true)) }],
        body_keys: &["error", "status", "message"],
        message: &[&[Step::Key("message")]],
        code: &[],
        error_type: &[],
        status: &[&[Step::Key("status")]],
        param: &[],
        retryable: &[],
        retry_delay: None,
        retry_rules: &[],
    };
    const BOTH: &[Envelope] = &[OPENAI, GATEWAY];

    #[test]
    fn only_unmistakable_envelopes_count_in_a_success_body() {
        let probe = |body: &str| ErrorEnvelope::in_success_body(BOTH, body.as_bytes()).map(|e| e.name());
        assert_eq!(probe(r#"{"error": {"message": "blocked", "type": "x"}}"#), Some("openai"));
        assert_eq!(probe(r#"{"error": true, "status": 500, "message": "no images"}"#), Some("gateway"));
        // A task whose `error` describes a failed job is a success body with other keys.
        assert_eq!(probe(r#"{"id": "task-1", "status": "failed", "error": {"message": "nsfw"}}"#), None);
        // A generic message or code is not an error; neither is `error: false` or a string body.
        assert_eq!(probe(r#"{"code": 0, "message": "ok", "data": {"images": []}}"#), None);
        assert_eq!(probe(r#"{"error": false, "message": "fine"}"#), None);
        assert_eq!(probe(r#""error""#), None);
        assert_eq!(probe("not json"), None);
    }

    #[test]
    fn picks_find_the_first_matching_item() {
        let body: Value = serde_json::from_str(
            r#"{"details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo"},
                            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}]}"#,
        )
        .unwrap();
        let path: FieldPath = &[
            Step::Key("details"),
            Step::ItemEndingWith { field: "@type", suffix: "google.rpc.RetryInfo" },
            Step::Key("retryDelay"),
        ];
        assert_eq!(find(&body, path), Some(&Value::from("2s")));
        assert_eq!(find(&body, &[Step::Key("details"), Step::Index(5)]), None);
    }

    #[test]
    fn delays_in_every_format_are_bounded() {
        assert_eq!(delay(&Value::from("34.4s"), DelayFormat::Duration), Some(Duration::from_millis(34_400)));
        assert_eq!(
            delay(&serde_json::json!({"seconds": "3", "nanos": 500_000_000}), DelayFormat::Duration),
            Some(Duration::from_millis(3_500))
        );
        assert_eq!(delay(&Value::from(2.5), DelayFormat::Seconds), Some(Duration::from_millis(2_500)));
        assert_eq!(delay(&Value::from("1500"), DelayFormat::Milliseconds), Some(Duration::from_millis(1_500)));
        assert_eq!(delay(&Value::from(-1), DelayFormat::Seconds), None);
        assert_eq!(delay(&Value::from(1e300), DelayFormat::Seconds), Some(MAX_HINT));
    }
}
