//! What a request sends outside its body: query parameters and headers taken from its
//! typed fields (`in: query` and `in: header` in the spec).
//!
//! Generated code fills a [`RequestParams`] from a request and sends the call through
//! [`HttpClient::with_params`]. The transport adds them to the one request it builds per
//! attempt, so a dry run and the request log show exactly what goes out. Query values
//! are percent-encoded by the URL's own query serializer, never by hand.

use std::fmt::Display;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use super::client::HttpClient;
use super::error::{ConfigError, Error};
use super::validate::{Constraint, ValidationError, Violation};

/// Query parameters and headers of one request, in the order they are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestParams {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl RequestParams {
    /// Nothing outside the body.
    pub fn new() -> Self {
        Self::default()
    }

    /// One query parameter, `?name=value`; an enum is sent as its wire value.
    pub fn query(&mut self, name: &str, value: impl Display) {
        self.query.push((name.to_string(), value.to_string()));
    }

    /// A list sent with its key repeated, `?tag=a&tag=b` (the docs' "form" style, what
    /// most servers read); an empty list sends nothing.
    pub fn query_each<I>(&mut self, name: &str, values: I)
    where
        I: IntoIterator,
        I::Item: Display,
    {
        for value in values {
            self.query(name, value);
        }
    }

    /// A list sent as one comma-separated value, `?tag=a,b`, for servers documented to
    /// read it so; an empty list sends nothing.
    pub fn query_joined<I>(&mut self, name: &str, values: I)
    where
        I: IntoIterator,
        I::Item: Display,
    {
        let joined: Vec<String> = values.into_iter().map(|v| v.to_string()).collect();
        if !joined.is_empty() {
            self.query(name, joined.join(","));
        }
    }

    /// A request header; it replaces a header of the same name the client would send
    /// otherwise (the `Accept` its answer asks for, say).
    pub fn header(&mut self, name: &str, value: impl Display) {
        self.headers.push((name.to_string(), value.to_string()));
    }

    /// The extra fields of a request that has no body (a GET's parameters), sent as
    /// query parameters: the escape hatch for a parameter the spec does not describe
    /// yet. Text is sent as it is, a list with its key repeated, anything else as JSON.
    pub fn extra_query(&mut self, extra: &Map<String, Value>) {
        for (name, value) in extra {
            match value {
                Value::Null => {}
                Value::Array(items) => self.query_each(name, items.iter().map(json_text)),
                other => self.query(name, json_text(other)),
            }
        }
    }

    /// The query parameters, in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The headers, in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Whether there is nothing to send outside the body.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty() && self.headers.is_empty()
    }
}

fn json_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// [`RequestParams`] checked once and ready for every attempt.
#[derive(Debug)]
pub(crate) struct PreparedParams {
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
}

impl HttpClient {
    /// A handle to this client whose requests also carry `params` (query parameters and
    /// headers from a request's fields); it shares the client's connections, key and
    /// settings. Generated methods use one per call.
    ///
    /// A header value that cannot be sent (a line break in a text field, say) is a
    /// validation error at that header, before anything is sent.
    pub fn with_params(&self, params: RequestParams) -> Result<HttpClient, Error> {
        let RequestParams { query, headers } = params;
        let mut map = HeaderMap::new();
        let mut violations = Vec::new();
        for (name, value) in headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(ConfigError::InvalidHeader { name: name.clone() }))?;
            match HeaderValue::from_str(&value) {
                Ok(value) => {
                    map.append(header, value);
                }
                Err(_) => violations.push(Violation {
                    path: name.clone(),
                    rule: Constraint::Encoding { expected: "a header value without control characters" },
                    message: format!("`{name}` is sent as a header, which cannot hold control characters"),
                }),
            }
        }
        if let Some(error) = ValidationError::from_violations(violations) {
            // Beside the fields' own violations, when the call holds them for later.
            return Err(Error::Validation(match self.validation.clone() {
                Some(first) => error.after(first),
                None => error,
            }));
        }
        Ok(HttpClient {
            inner: self.inner.clone(),
            params: Some(Arc::new(PreparedParams { query, headers: map })),
            validation: self.validation.clone(),
        })
    }

    /// What the handle's requests carry outside their body, if anything.
    pub(super) fn params(&self) -> Option<&PreparedParams> {
        self.params.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_repeat_their_key_or_join_with_commas_and_an_empty_list_sends_nothing() {
        let mut params = RequestParams::new();
        params.query_each("tag", ["a", "b"]);
        params.query_joined("ids", [1, 2, 3]);
        params.query_joined("none", Vec::<u32>::new());
        params.query_each("nothing", Vec::<u32>::new());
        let pairs: Vec<(&str, &str)> = params.query_pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("tag", "a"), ("tag", "b"), ("ids", "1,2,3")]);
    }

    #[test]
    fn scalars_are_sent_as_their_text() {
        let mut params = RequestParams::new();
        params.query("limit", 10u32);
        params.query("ratio", 1.5f64);
        params.query("whole", 2.0f64);
        params.query("flag", true);
        params.header("accept", "image/*");
        let pairs: Vec<&str> = params.query_pairs().iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(pairs, ["10", "1.5", "2", "true"]);
        assert_eq!(params.headers(), [("accept".to_string(), "image/*".to_string())]);
    }

    #[test]
    fn extra_fields_of_a_request_without_body_become_query_parameters() {
        let mut params = RequestParams::new();
        let extra = serde_json::json!({"region": "eu", "ids": [1, "x"], "gone": null, "deep": {"a": 1}});
        params.extra_query(extra.as_object().unwrap());
        // In the map's order, which depends on serde_json's features: compared sorted.
        let mut pairs: Vec<(&str, &str)> = params.query_pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        pairs.sort();
        assert_eq!(pairs, [("deep", r#"{"a":1}"#), ("ids", "1"), ("ids", "x"), ("region", "eu")]);
    }
}
