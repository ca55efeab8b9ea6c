//! The client's own secrets, scrubbed from every text the crate shows.
//!
//! The key never leaves the transport in a request we build, but a server can
//! echo it back: in an error page, a JSON envelope, a 200 body that does not
//! decode, an event, a response header. Whatever the crate then displays (error
//! `Display`/`Debug`, snippets, the request log, dry runs) goes through a
//! [`Redactor`] first. Raw body bytes stay raw: they are data the caller asked
//! for, not text the crate shows.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::wire_request::REDACTED;

/// Secrets shorter than this are not scrubbed: real keys are far longer, and
/// replacing a one-letter test key everywhere would make every message unreadable.
const MIN_SECRET_LEN: usize = 8;

/// Query parameters whose values are credentials wherever they appear in a URL.
const SECRET_QUERY_PARAMS: &[&str] = &["key", "api_key", "apikey", "api-key", "access_token", "token"];

/// Replaces known secrets in text with `<redacted>`. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Arc<[String]>,
}

// Never prints the secrets themselves.
impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// Scrubs `key` as sent and as it would appear percent-encoded in an echoed URL.
    pub(crate) fn for_key(key: &str) -> Self {
        Self::for_secrets(key, std::iter::empty())
    }

    /// Scrubs `key` and the values of secret headers (a provider header marked
    /// `secret`), each as sent and as it would appear encoded in an echoed URL: percent-
    /// encoded, or form-encoded as a query value (`+` for a space).
    pub(crate) fn for_secrets<'a>(key: &'a str, others: impl Iterator<Item = &'a str>) -> Self {
        let mut secrets = Vec::new();
        for secret in std::iter::once(key).chain(others) {
            secrets.extend([secret.to_string(), percent_encode(secret), form_encode(secret)]);
        }
        secrets.retain(|s| s.len() >= MIN_SECRET_LEN);
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self { secrets: secrets.into() }
    }

    /// This scrubber, also scrubbing the query values of `url` (a signed URL's
    /// signature, its token), raw and percent-decoded, where they are long enough
    /// to be secrets.
    pub(crate) fn with_url_secrets(&self, url: &reqwest::Url) -> Self {
        let raw = url.query().into_iter().flat_map(|query| query.split('&')).map(|pair| match pair.split_once('=') {
            Some((_, value)) => value.to_string(),
            None => pair.to_string(),
        });
        let decoded = url.query_pairs().map(|(_, value)| value.into_owned());
        let mut secrets: Vec<String> = self.secrets.iter().cloned().chain(raw).chain(decoded).collect();
        secrets.retain(|s| s.len() >= MIN_SECRET_LEN);
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Self { secrets: secrets.into() }
    }

    /// This scrubber, also scrubbing the values of a request's secret fields (BFL's
    /// `webhook_secret`), as sent in a JSON string or a form, percent-encoded and
    /// form-encoded. The caller declared them secret, so they are scrubbed whatever their
    /// length (an empty one aside): the dry run of a request must never show one.
    pub(crate) fn with_request_secrets<'a>(&self, values: impl Iterator<Item = &'a str>) -> Self {
        let mut secrets: Vec<String> = self.secrets.to_vec();
        for value in values.filter(|v| !v.is_empty()) {
            let json = serde_json::to_string(value).unwrap_or_default();
            let json = json.strip_prefix('"').and_then(|j| j.strip_suffix('"')).unwrap_or(value).to_string();
            secrets.extend([value.to_string(), json, percent_encode(value), form_encode(value)]);
        }
        secrets.retain(|s| !s.is_empty());
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Self { secrets: secrets.into() }
    }

    /// `bytes` with every secret replaced: a request body as a dry run or a request log
    /// shows it. The same bytes (a cheap clone) when there was none.
    pub(crate) fn scrub_bytes(&self, bytes: &bytes::Bytes) -> bytes::Bytes {
        if !self.finds_in(bytes) {
            return bytes.clone();
        }
        let mut scrubbed = bytes.to_vec();
        for secret in self.secrets.iter() {
            let finder = memchr::memmem::Finder::new(secret.as_bytes());
            if finder.find(&scrubbed).is_none() {
                continue;
            }
            let mut out = Vec::with_capacity(scrubbed.len());
            let mut rest = scrubbed.as_slice();
            while let Some(at) = finder.find(rest) {
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(REDACTED.as_bytes());
                rest = &rest[at + secret.len()..];
            }
            out.extend_from_slice(rest);
            scrubbed = out;
        }
        bytes::Bytes::from(scrubbed)
    }

    /// The longest secret, in bytes: how far past a cut a secret may reach.
    pub(crate) fn longest(&self) -> usize {
        self.secrets.first().map_or(0, String::len)
    }

    /// Whether `text` holds a secret.
    pub(crate) fn finds_in(&self, text: &[u8]) -> bool {
        self.secrets.iter().any(|s| memchr::memmem::find(text, s.as_bytes()).is_some())
    }

    /// `text` with every secret replaced; borrowed when there was none.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.finds_in(text.as_bytes()) {
            return Cow::Borrowed(text);
        }
        let mut scrubbed = text.to_string();
        for secret in self.secrets.iter() {
            if scrubbed.contains(secret.as_str()) {
                scrubbed = scrubbed.replace(secret.as_str(), REDACTED);
            }
        }
        Cow::Owned(scrubbed)
    }

    /// Scrubs a string in place.
    pub(crate) fn scrub_string(&self, text: &mut String) {
        if let Cow::Owned(scrubbed) = self.scrub(text) {
            *text = scrubbed;
        }
    }

    /// Scrubs every string and object key of a JSON value in place.
    pub(crate) fn scrub_json(&self, value: &mut Value) {
        match value {
            Value::String(text) => self.scrub_string(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.scrub_json(item)),
            Value::Object(map) => {
                if map.keys().any(|k| self.finds_in(k.as_bytes())) {
                    *map = std::mem::take(map).into_iter().map(|(k, v)| (self.scrub(&k).into_owned(), v)).collect();
                }
                map.values_mut().for_each(|item| self.scrub_json(item));
            }
            _ => {}
        }
    }

    /// Headers with secrets replaced in their values; borrowed when there was none.
    pub(crate) fn scrub_headers<'a>(&self, headers: &'a HeaderMap) -> Cow<'a, HeaderMap> {
        if !headers.values().any(|v| self.finds_in(v.as_bytes())) {
            return Cow::Borrowed(headers);
        }
        let mut scrubbed = headers.clone();
        for value in scrubbed.values_mut() {
            if self.finds_in(value.as_bytes()) {
                let text = self.scrub(&String::from_utf8_lossy(value.as_bytes())).into_owned();
                *value = HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(REDACTED));
            }
        }
        Cow::Owned(scrubbed)
    }

    /// A serde error whose message echoes a secret (`invalid type: string "sk-…"`)
    /// becomes a custom error with the scrubbed message; any other is returned as
    /// is, keeping its category, line and column.
    pub(crate) fn scrub_serde(&self, error: serde_json::Error) -> serde_json::Error {
        let text = error.to_string();
        match self.scrub(&text) {
            Cow::Borrowed(_) => error,
            Cow::Owned(scrubbed) => <serde_json::Error as serde::de::Error>::custom(scrubbed),
        }
    }
}

/// `raw` with the values of credential query parameters (`key=`, `api_key=`, ...)
/// replaced: for echoing a URL the caller gave, which may not even parse.
pub(crate) fn redact_url_query(raw: &str) -> String {
    redact_query_params(raw, SECRET_QUERY_PARAMS)
}

/// `raw` with the values of the query parameters `names` (in any case) replaced: the
/// one a client sends its key in, whatever its name.
pub(crate) fn redact_query_params(raw: &str, names: &[&str]) -> String {
    let Some((before, rest)) = raw.split_once('?') else {
        return raw.to_string();
    };
    let (query, fragment) = match rest.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (rest, None),
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if names.iter().any(|p| p.eq_ignore_ascii_case(name)) => {
                format!("{name}={REDACTED}")
            }
            _ => pair.to_string(),
        })
        .collect();
    let mut url = format!("{before}?{}", query.join("&"));
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// `raw` with every query value (and the fragment) replaced, the parameter names
/// kept: for a URL a server returned, whose query may be a signature
/// (`X-Amz-Signature=`, `sig=`, `token=`) that must not reach an error or a log.
pub(crate) fn redact_query_values(raw: &str) -> String {
    let (before_fragment, fragment) = match raw.split_once('#') {
        Some((url, _)) => (url, Some(REDACTED)),
        None => (raw, None),
    };
    let mut url = match before_fragment.split_once('?') {
        None => before_fragment.to_string(),
        Some((path, query)) => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _)) => format!("{name}={REDACTED}"),
                    None if pair.is_empty() => String::new(),
                    None => REDACTED.to_string(),
                })
                .collect();
            format!("{path}?{}", pairs.join("&"))
        }
    };
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// `application/x-www-form-urlencoded`, as a URL's query serializer writes a value:
/// letters, digits and `*-._` stay, a space becomes `+`, every other byte `%XX`.
fn form_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b' ' => encoded.push('+'),
            b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => encoded.push(b as char),
            b => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    encoded
}

/// RFC 3986 unreserved characters stay, every other byte becomes `%XX`.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_left_alone_and_long_ones_scrubbed_in_every_form() {
        assert_eq!(Redactor::for_key("k").scrub("keep k here"), "keep k here");
        let redactor = Redactor::for_key("sk-abc/def+ghi");
        assert_eq!(redactor.scrub("a sk-abc/def+ghi b"), "a <redacted> b");
        assert_eq!(redactor.scrub("?key=sk-abc%2Fdef%2Bghi"), "?key=<redacted>");
        assert!(matches!(redactor.scrub("nothing secret"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_key_is_scrubbed_as_a_query_serializer_writes_it_and_so_are_secret_headers() {
        let redactor = Redactor::for_secrets("sk~abc def*", ["org-secret-123"].into_iter());
        let mut url = reqwest::Url::parse("https://h/p").unwrap();
        url.query_pairs_mut().append_pair("key", "sk~abc def*");
        assert_eq!(redactor.scrub(url.as_str()), "https://h/p?key=<redacted>");
        assert_eq!(redactor.scrub("echo: org-secret-123"), "echo: <redacted>");
    }

    #[test]
    fn the_key_parameter_is_redacted_whatever_its_name_and_however_short_the_key() {
        assert_eq!(
            redact_query_params("https://h/p?id=7&auth_code=k1&token=t", &["auth_code"]),
            "https://h/p?id=7&auth_code=<redacted>&token=t"
        );
    }

    #[test]
    fn credential_query_values_are_redacted_and_others_kept() {
        assert_eq!(
            redact_url_query("https://h/p?alt=json&KEY=s3cr3t&api_key=x#frag"),
            "https://h/p?alt=json&KEY=<redacted>&api_key=<redacted>#frag"
        );
        assert_eq!(redact_url_query("https://h/p"), "https://h/p");
    }

    #[test]
    fn every_query_value_of_a_returned_url_is_hidden_and_its_names_kept() {
        assert_eq!(
            redact_query_values("https://cdn.example/a.png?X-Amz-Signature=abc123&X-Amz-Expires=60&token#frag"),
            "https://cdn.example/a.png?X-Amz-Signature=<redacted>&X-Amz-Expires=<redacted>&<redacted>#<redacted>"
        );
        assert_eq!(redact_query_values("https://cdn.example/a.png"), "https://cdn.example/a.png");
        assert_eq!(redact_query_values("not a url ?s=1"), "not a url ?s=<redacted>");
    }

    #[test]
    fn a_signed_urls_long_query_values_are_scrubbed_raw_and_decoded() {
        let url = reqwest::Url::parse("https://cdn.example/a.png?sig=ab%2Fcd%2Bef123&exp=60&k=short").unwrap();
        let redactor = Redactor::for_key("sk-canary-123").with_url_secrets(&url);
        assert_eq!(redactor.scrub("raw ab%2Fcd%2Bef123, decoded ab/cd+ef123"), "raw <redacted>, decoded <redacted>");
        assert_eq!(redactor.scrub("key sk-canary-123, exp 60, k short"), "key <redacted>, exp 60, k short");
    }

    #[test]
    fn json_strings_and_keys_are_scrubbed() {
        let redactor = Redactor::for_key("sk-canary-123");
        let mut value = serde_json::json!({"sk-canary-123": ["x sk-canary-123", 1, {"k": "sk-canary-123"}]});
        redactor.scrub_json(&mut value);
        assert_eq!(value, serde_json::json!({"<redacted>": ["x <redacted>", 1, {"k": "<redacted>"}]}));
    }
}
