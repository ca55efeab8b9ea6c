//! `tracing` spans for calls and attempts (feature `tracing`), named after
//! OpenTelemetry's GenAI semantic conventions so a tracing-opentelemetry layer
//! exports them as GenAI spans.
//!
//! A call is one span, `gen_ai.client.request`, with `gen_ai.provider.name`,
//! `gen_ai.operation.name`, `gen_ai.request.model` (read from the request's top-level
//! `model` field without serializing the rest, a form's `model` field, or the path
//! parameter `OperationInfo::model_param` names), `server.address`, and, when it ends,
//! `http.response.status_code`, `imagegen.attempts`, `gen_ai.response.id` (the
//! server's request id) or `error.type`, and, once a JSON answer is read,
//! `gen_ai.usage.input_tokens` and `gen_ai.usage.output_tokens` where the answer
//! reports them (`OperationInfo::usage` says where; for a stream, in its terminal
//! event). The span stays open while the answer's body is read and decoded, and
//! while a stream's events are read (until the stream is dropped). Each attempt is a child span,
//! `http.attempt`, with `http.request.resend_count`, its status and request id;
//! a retry records `imagegen.retry.wait_ms` on the attempt that failed. No span
//! ever records a header, a body or the key: only values chosen here, and the
//! request id passes through the client's scrubber.
//!
//! Without the feature every function here is an empty inline function.

#[cfg(feature = "tracing")]
pub(crate) use enabled::*;

#[cfg(not(feature = "tracing"))]
pub(crate) use disabled::*;

/// The response headers that carry the server's request id, in order of preference.
pub(crate) const REQUEST_ID_HEADERS: &[&str] = &["x-request-id", "request-id", "x-goog-request-id", "cf-ray"];

#[cfg(feature = "tracing")]
mod enabled {
    use std::future::Future;
    use std::time::Duration;

    use reqwest::header::HeaderMap;
    use tracing::field::Empty;
    use tracing::Instrument;

    use crate::error::Error;
    use crate::redact::Redactor;

    /// The span of one call, from the first attempt to the last.
    pub(crate) struct CallSpan(tracing::Span);

    impl CallSpan {
        /// `host`: the host the request goes to (never its path or query).
        pub(crate) fn new(provider: &str, operation: &str, model: Option<&str>, host: Option<&str>) -> Self {
            let span = tracing::info_span!(
                "gen_ai.client.request",
                otel.name = %format!("{operation} {}", model.unwrap_or(provider)),
                gen_ai.provider.name = provider,
                gen_ai.operation.name = operation,
                gen_ai.request.model = model,
                server.address = host,
                http.response.status_code = Empty,
                gen_ai.response.id = Empty,
                imagegen.attempts = Empty,
                error.type = Empty,
                gen_ai.usage.input_tokens = Empty,
                gen_ai.usage.output_tokens = Empty,
            );
            Self(span)
        }

        pub(crate) fn instrument<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
            future.instrument(self.0.clone())
        }

        /// Records how the call ended.
        pub(crate) fn finish(&self, status: Option<u16>, attempts: u32, error: Option<&Error>) {
            if let Some(status) = status {
                self.0.record("http.response.status_code", status);
            }
            self.0.record("imagegen.attempts", attempts);
            if let Some(error) = error {
                self.0.record("error.type", error_type(error));
            }
        }

        /// Records a failure after the reply came (its body did not arrive or decode).
        pub(crate) fn fail(&self, error: &Error) {
            self.0.record("error.type", error_type(error));
        }

        /// Records the token counts a JSON answer reports where `usage` says. The
        /// text is read only when a subscriber listens to this span; a count that is
        /// missing, not a number or not whole is left out.
        pub(crate) fn record_usage(&self, usage: &[crate::provider::TokenUsage], json: &[u8]) {
            if usage.is_empty() || self.0.is_disabled() {
                return;
            }
            let mut recorded = Vec::new();
            for entry in usage {
                // A kind may be listed at several paths (an answer and an event): the first found wins.
                if recorded.contains(&entry.kind) {
                    continue;
                }
                let Some(count) = super::usage::read_count(json, entry.path) else { continue };
                recorded.push(entry.kind);
                let field = match entry.kind {
                    crate::provider::TokenKind::Input => "gen_ai.usage.input_tokens",
                    crate::provider::TokenKind::Output => "gen_ai.usage.output_tokens",
                };
                self.0.record(field, count);
            }
        }
    }

    /// Runs one attempt inside its own span.
    pub(crate) fn in_attempt<F: Future>(attempt: u32, future: F) -> impl Future<Output = F::Output> {
        let span = tracing::info_span!(
            "http.attempt",
            http.request.resend_count = attempt,
            http.response.status_code = Empty,
            gen_ai.response.id = Empty,
            imagegen.retry.wait_ms = Empty,
        );
        future.instrument(span)
    }

    /// Records the response of the current attempt (and, for the call, the last one's id).
    pub(crate) fn record_response(status: u16, headers: &HeaderMap, redactor: &Redactor) {
        let span = tracing::Span::current();
        span.record("http.response.status_code", status);
        let id = super::REQUEST_ID_HEADERS.iter().find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()));
        if let Some(id) = id {
            span.record("gen_ai.response.id", redactor.scrub(id).as_ref());
        }
    }

    /// Notes, on the call's span, the wait before the next attempt.
    pub(crate) fn record_retry(attempt: u32, wait: Duration) {
        tracing::info!(
            http.request.resend_count = attempt + 1,
            imagegen.retry.wait_ms = wait.as_millis() as u64,
            "retrying"
        );
    }

    /// A warning of a valid request: a `WARN` event with the parameter's path and the
    /// rule's message from the spec. It comes before the call's span opens: the call
    /// has not started, and a subscriber should see the warning even if it never does.
    pub(crate) fn warning(provider: &str, operation: &str, warning: &crate::validate::Warning) {
        tracing::warn!(
            gen_ai.provider.name = provider,
            gen_ai.operation.name = operation,
            imagegen.warning.path = warning.path.as_str(),
            "{}",
            warning.message
        );
    }

    /// `error.type`: a low-cardinality class, as the conventions ask.
    fn error_type(error: &Error) -> String {
        match error {
            Error::Api(api) => api.status.to_string(),
            Error::Validation(_) => "validation".into(),
            Error::Transport(_) => "transport".into(),
            Error::Timeout(_) => "timeout".into(),
            Error::Decode(_) => "decode".into(),
            Error::BodyTooLarge { .. } => "body_too_large".into(),
            Error::Job(job) => format!("job_{}", job.kind).replace(' ', "_"),
            _ => "other".into(),
        }
    }
}

#[cfg(not(feature = "tracing"))]
mod disabled {
    use std::future::Future;
    use std::time::Duration;

    use reqwest::header::HeaderMap;

    use crate::error::Error;
    use crate::redact::Redactor;

    pub(crate) struct CallSpan;

    impl CallSpan {
        #[inline]
        pub(crate) fn new(_: &str, _: &str, _: Option<&str>, _: Option<&str>) -> Self {
            CallSpan
        }

        #[inline]
        pub(crate) fn instrument<F: Future>(&self, future: F) -> F {
            future
        }

        #[inline]
        pub(crate) fn finish(&self, _: Option<u16>, _: u32, _: Option<&Error>) {}

        #[inline]
        pub(crate) fn fail(&self, _: &Error) {}

        #[inline]
        pub(crate) fn record_usage(&self, _: &[crate::provider::TokenUsage], _: &[u8]) {}
    }

    #[inline]
    pub(crate) fn in_attempt<F: Future>(_: u32, future: F) -> F {
        future
    }

    #[inline]
    pub(crate) fn record_response(_: u16, _: &HeaderMap, _: &Redactor) {}

    #[inline]
    pub(crate) fn record_retry(_: u32, _: Duration) {}

    #[inline]
    pub(crate) fn warning(_: &str, _: &str, _: &crate::validate::Warning) {}
}

/// The request's top-level `model`, read by walking its `Serialize` impl without
/// serializing anything else (image payloads are never encoded for this).
#[cfg(feature = "tracing")]
pub(crate) fn request_model<B: serde::Serialize + ?Sized>(body: Option<&B>) -> Option<String> {
    body.and_then(|b| b.serialize(model::TopLevel).ok().flatten())
}

/// Without the feature nothing is read.
#[cfg(not(feature = "tracing"))]
#[inline]
pub(crate) fn request_model<B: serde::Serialize + ?Sized>(_: Option<&B>) -> Option<String> {
    None
}

/// A multipart form's `model` text field.
#[cfg(feature = "tracing")]
pub(crate) fn form_model(form: &crate::multipart::MultipartForm) -> Option<String> {
    form.text("model").map(str::to_string)
}

/// Without the feature nothing is read.
#[cfg(not(feature = "tracing"))]
#[inline]
pub(crate) fn form_model(_: &crate::multipart::MultipartForm) -> Option<String> {
    None
}

/// The value of the path parameter `param` in `path`, a request path (and query) built
/// from `template` (`/v1beta/models/{model}:generateContent`), percent-decoded.
#[cfg(feature = "tracing")]
pub(crate) fn path_model(template: &str, path: &str, param: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    crate::route::match_path(template, path)?.remove(param)
}

/// Without the feature nothing is read.
#[cfg(not(feature = "tracing"))]
#[inline]
pub(crate) fn path_model(_: &str, _: &str, _: &str) -> Option<String> {
    None
}

#[cfg(feature = "tracing")]
mod usage {
    //! Reads one number at a key path of a JSON text without building the rest:
    //! every other value is skipped as `IgnoredAny`.

    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    /// The whole, non-negative number at `path` (`12` or `12.0`), if the text has one there.
    pub(super) fn read_count(json: &[u8], path: &[&str]) -> Option<u64> {
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        At(path).deserialize(&mut deserializer).ok().flatten()
    }

    /// The value at the rest of a key path.
    struct At<'p>(&'p [&'p str]);

    impl<'de> DeserializeSeed<'de> for At<'_> {
        type Value = Option<u64>;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for At<'_> {
        type Value = Option<u64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let Some((first, rest)) = self.0.split_first() else {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(None);
            };
            let mut found = None;
            while let Some(matches) = map.next_key_seed(KeyIs(first))? {
                match matches && found.is_none() {
                    true => found = map.next_value_seed(At(rest))?,
                    false => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(found)
        }

        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(self.0.is_empty().then_some(v))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(self.0.is_empty().then(|| u64::try_from(v).ok()).flatten())
        }

        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            let whole = v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64;
            Ok((self.0.is_empty() && whole).then_some(v as u64))
        }

        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }

    /// Whether a key is the one looked for, compared without allocating.
    struct KeyIs<'k>(&'k str);

    impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
        type Value = bool;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
            deserializer.deserialize_str(self)
        }
    }

    impl<'de> Visitor<'de> for KeyIs<'_> {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key")
        }

        fn visit_str<E>(self, key: &str) -> Result<bool, E> {
            Ok(key == self.0)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::read_count;

        #[test]
        fn a_count_is_read_at_its_path_and_nothing_else_is() {
            let body = br#"{"data":[{"b64_json":"QUJD"}],"usage":{"input_tokens":22,"output_tokens":1056.0,"x":"y"}}"#;
            assert_eq!(read_count(body, &["usage", "input_tokens"]), Some(22));
            // A whole number written as a float is still a count.
            assert_eq!(read_count(body, &["usage", "output_tokens"]), Some(1056));
            assert_eq!(read_count(body, &["usage", "x"]), None);
            assert_eq!(read_count(body, &["usage", "total_tokens"]), None);
            assert_eq!(read_count(body, &["data"]), None);
            assert_eq!(read_count(br#"{"usage":{"input_tokens":-3}}"#, &["usage", "input_tokens"]), None);
            assert_eq!(read_count(br#"{"usage":{"input_tokens":2.5}}"#, &["usage", "input_tokens"]), None);
            assert_eq!(read_count(b"not json", &["usage"]), None);
        }
    }
}

#[cfg(feature = "tracing")]
mod model {
    //! A serializer that only looks for a top-level `model` string. Every other
    //! value is skipped unserialized; anything that is not a struct or map yields `None`.

    use serde::ser::{self, Impossible, Serialize};

    #[derive(Debug)]
    pub(super) struct Stop;

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("not a model string")
        }
    }

    impl std::error::Error for Stop {}

    impl ser::Error for Stop {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Stop
        }
    }

    macro_rules! nothing {
        ($($method:ident($($ty:ty),*)),* $(,)?) => {
            $(fn $method(self, $(_: $ty),*) -> Result<Self::Ok, Stop> { Ok(None) })*
        };
    }

    /// The request value itself.
    pub(super) struct TopLevel;

    impl ser::Serializer for TopLevel {
        type Ok = Option<String>;
        type Error = Stop;
        type SerializeSeq = Impossible<Self::Ok, Stop>;
        type SerializeTuple = Impossible<Self::Ok, Stop>;
        type SerializeTupleStruct = Impossible<Self::Ok, Stop>;
        type SerializeTupleVariant = Impossible<Self::Ok, Stop>;
        type SerializeMap = Fields;
        type SerializeStruct = Fields;
        type SerializeStructVariant = Impossible<Self::Ok, Stop>;

        nothing!(
            serialize_bool(bool),
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_str(&str),
            serialize_bytes(&[u8]),
            serialize_none(),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str),
        );

        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Stop> {
            value.serialize(self)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<Self::Ok, Stop> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, Stop> {
            Ok(None)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
            Err(Stop)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
            Err(Stop)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Stop> {
            Err(Stop)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Stop> {
            Err(Stop)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
            Ok(Fields::default())
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
            Ok(Fields::default())
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Stop> {
            Err(Stop)
        }
    }

    /// The request's fields: only `model` is looked at.
    #[derive(Default)]
    pub(super) struct Fields {
        next_is_model: bool,
        model: Option<String>,
    }

    impl ser::SerializeStruct for Fields {
        type Ok = Option<String>;
        type Error = Stop;

        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Stop> {
            if key == "model" {
                self.model = value.serialize(Text).ok();
            }
            Ok(())
        }

        fn end(self) -> Result<Self::Ok, Stop> {
            Ok(self.model)
        }
    }

    impl ser::SerializeMap for Fields {
        type Ok = Option<String>;
        type Error = Stop;

        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
            self.next_is_model = key.serialize(Text).ok().as_deref() == Some("model");
            Ok(())
        }

        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
            if std::mem::take(&mut self.next_is_model) {
                self.model = value.serialize(Text).ok();
            }
            Ok(())
        }

        fn end(self) -> Result<Self::Ok, Stop> {
            Ok(self.model)
        }
    }

    /// A string value (an enum serializes as its wire string), else an error.
    struct Text;

    impl ser::Serializer for Text {
        type Ok = String;
        type Error = Stop;
        type SerializeSeq = Impossible<String, Stop>;
        type SerializeTuple = Impossible<String, Stop>;
        type SerializeTupleStruct = Impossible<String, Stop>;
        type SerializeTupleVariant = Impossible<String, Stop>;
        type SerializeMap = Impossible<String, Stop>;
        type SerializeStruct = Impossible<String, Stop>;
        type SerializeStructVariant = Impossible<String, Stop>;

        fn serialize_str(self, v: &str) -> Result<String, Stop> {
            Ok(v.to_string())
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<String, Stop> {
            Ok(variant.to_string())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, Stop> {
            value.serialize(self)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<String, Stop> {
            value.serialize(self)
        }
        fn serialize_bool(self, _: bool) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_i8(self, _: i8) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_i16(self, _: i16) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_i32(self, _: i32) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_i64(self, _: i64) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_u8(self, _: u8) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_u16(self, _: u16) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_u32(self, _: u32) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_u64(self, _: u64) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_f32(self, _: f32) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_f64(self, _: f64) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_char(self, _: char) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_none(self) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_unit(self) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<String, Stop> {
            Err(Stop)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
            Err(Stop)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
            Err(Stop)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Stop> {
            Err(Stop)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Stop> {
            Err(Stop)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
            Err(Stop)
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
            Err(Stop)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Stop> {
            Err(Stop)
        }
    }
}

#[cfg(all(test, feature = "tracing"))]
mod tests {
    use super::path_model;

    #[test]
    fn a_path_parameter_is_read_back_from_the_path_its_template_built() {
        let gemini = "/v1beta/models/{model}:generateContent";
        assert_eq!(
            path_model(gemini, "/v1beta/models/google%2Fimagen:generateContent", "model").unwrap(),
            "google/imagen"
        );
        let two = "/v1/{project}/models/{model}";
        assert_eq!(path_model(two, "/v1/p1/models/flux-2?seed=3", "model").unwrap(), "flux-2");
        assert_eq!(path_model(two, "/v1/p1/models/flux-2", "project").unwrap(), "p1");
        // A path its template did not build reads as no model, never a wrong one.
        assert_eq!(path_model(gemini, "/v1/other", "model"), None);
        assert_eq!(path_model(gemini, "/v1beta/models/m:generateContent", "other"), None);
    }
}
