//! A request as it goes on the wire, for dry runs and request logs.
//!
//! It is built from the very `reqwest::Request` the transport would send, so
//! what a dry run shows is what a real call sends. The API key never enters
//! it: sensitive header values are replaced when it is built, and the key is
//! scrubbed from the URL and every other header value should it appear there.

use std::fmt;

use bytes::Bytes;
use reqwest::header::{HeaderName, CONTENT_LENGTH, CONTENT_TYPE};

use super::redact::Redactor;

/// What replaces a secret header value.
pub const REDACTED: &str = "<redacted>";

/// What a secret field of a request shows in `Debug`: `<redacted>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Text parts and JSON bodies longer than this are shortened when displayed.
const DISPLAY_TEXT_LIMIT: usize = 2_000;

/// The body of a [`WireRequest`].
#[derive(Clone, PartialEq, Eq)]
pub enum WireBody {
    /// No body.
    Empty,
    /// The exact bytes sent.
    Bytes(Bytes),
    /// A streamed body (multipart) that a request log does not capture.
    NotCaptured {
        /// Its length, when known.
        length: Option<u64>,
    },
}

/// One HTTP request exactly as it would be sent, secrets redacted (the key's header,
/// and the values of the request's secret fields wherever they appear).
#[derive(Clone, PartialEq, Eq)]
pub struct WireRequest {
    /// `POST`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Headers in sending order; the auth header's value is redacted.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: WireBody,
}

impl WireRequest {
    /// Describes `request`, redacting sensitive headers and `auth_header` (the key's
    /// header, when it travels in one), and the client's key wherever else it appears
    /// (a user agent, a path). `url` is the request's URL as it may be shown (a returned
    /// URL's query hidden, a key parameter redacted, the key scrubbed).
    pub(crate) fn new(
        request: &reqwest::Request,
        auth_header: Option<&HeaderName>,
        body: WireBody,
        redactor: &Redactor,
        url: String,
    ) -> Self {
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let shown = if value.is_sensitive() || Some(name) == auth_header {
                    redact(value.as_bytes())
                } else {
                    redactor.scrub(&String::from_utf8_lossy(value.as_bytes())).into_owned()
                };
                (name.as_str().to_string(), shown)
            })
            .collect();
        // hyper adds Content-Length from the body's size when sending; show it too.
        if !request.headers().contains_key(CONTENT_LENGTH) {
            if let WireBody::Bytes(bytes) = &body {
                if !bytes.is_empty() {
                    headers.push((CONTENT_LENGTH.as_str().to_string(), bytes.len().to_string()));
                }
            }
        }
        // The body is shown, never sent, from here: the request's secret fields (and the
        // key, should it be there) are scrubbed from it like from everything else shown.
        let body = match body {
            WireBody::Bytes(bytes) => WireBody::Bytes(redactor.scrub_bytes(&bytes)),
            other => other,
        };
        Self { method: request.method().as_str().to_string(), url, headers, body }
    }

    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body bytes, when captured.
    pub fn body_bytes(&self) -> Option<&Bytes> {
        match &self.body {
            WireBody::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        self.body_bytes().and_then(|bytes| serde_json::from_slice(bytes).ok())
    }

    /// The multipart boundary from the `Content-Type` header, when the body is multipart.
    pub fn multipart_boundary(&self) -> Option<&str> {
        let content_type = self.header(CONTENT_TYPE.as_str())?;
        if !content_type.starts_with("multipart/") {
            return None;
        }
        content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary=")).map(|b| b.trim_matches('"'))
    }
}

/// Keeps the scheme word of `Bearer <key>` so a reader still sees how the key travels.
fn redact(value: &[u8]) -> String {
    match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case(b"bearer ") => format!("Bearer {REDACTED}"),
        _ => REDACTED.to_string(),
    }
}

// Debug never prints body bytes: they may be megabytes of image data.
impl fmt::Debug for WireBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireBody::Empty => f.write_str("Empty"),
            WireBody::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            WireBody::NotCaptured { length } => write!(f, "NotCaptured({length:?} bytes)"),
        }
    }
}

impl fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// Request line, headers, a blank line and a readable body: JSON pretty-printed,
/// multipart parts one by one with binary content summarised.
impl fmt::Display for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        match &self.body {
            WireBody::Empty => Ok(()),
            WireBody::NotCaptured { length } => match length {
                Some(length) => write!(f, "\n<streamed body, {length} bytes>"),
                None => write!(f, "\n<streamed body>"),
            },
            WireBody::Bytes(bytes) if bytes.is_empty() => Ok(()),
            WireBody::Bytes(bytes) => {
                f.write_str("\n")?;
                match (self.body_json(), self.multipart_boundary()) {
                    (Some(json), _) => {
                        let pretty = serde_json::to_string_pretty(&json).map_err(|_| fmt::Error)?;
                        f.write_str(&shorten(&pretty))
                    }
                    (None, Some(boundary)) => write_multipart(f, bytes, boundary),
                    (None, None) => write_text_or_size(f, bytes),
                }
            }
        }
    }
}

fn shorten(text: &str) -> String {
    if text.len() <= DISPLAY_TEXT_LIMIT {
        return text.to_string();
    }
    let mut end = DISPLAY_TEXT_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

fn write_text_or_size(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    match std::str::from_utf8(bytes) {
        Ok(text) => f.write_str(&shorten(text)),
        Err(_) => write!(f, "<{} bytes of binary data>", bytes.len()),
    }
}

/// Prints each part's headers, then its content when it is text or its size when binary.
fn write_multipart(f: &mut fmt::Formatter<'_>, body: &[u8], boundary: &str) -> fmt::Result {
    let delimiter = format!("--{boundary}");
    for (index, segment) in split_bytes(body, delimiter.as_bytes()).into_iter().enumerate() {
        // Before the first delimiter is the preamble; `--` after one marks the end.
        if index == 0 || segment.starts_with(b"--") {
            continue;
        }
        let segment = segment.strip_prefix(b"\r\n").unwrap_or(segment);
        let segment = segment.strip_suffix(b"\r\n").unwrap_or(segment);
        let Some(split) = find(segment, b"\r\n\r\n") else { continue };
        let (head, content) = (&segment[..split], &segment[split + 4..]);
        writeln!(f, "{delimiter}")?;
        writeln!(f, "{}", String::from_utf8_lossy(head))?;
        f.write_str("\n")?;
        let is_text = std::str::from_utf8(content).is_ok_and(|t| !t.contains('\0'));
        if is_text {
            writeln!(f, "{}", shorten(&String::from_utf8_lossy(content)))?;
        } else {
            writeln!(f, "<{} bytes of binary data>", content.len())?;
        }
    }
    write!(f, "{delimiter}--")
}

fn split_bytes<'a>(haystack: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = haystack;
    while let Some(at) = find(rest, needle) {
        parts.push(&rest[..at]);
        rest = &rest[at + needle.len()..];
    }
    parts.push(rest);
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_keys_keep_their_scheme_word_only() {
        assert_eq!(redact(b"Bearer sk-secret"), "Bearer <redacted>");
        assert_eq!(redact(b"sk-secret"), REDACTED);
    }

    #[test]
    fn multipart_bodies_show_text_parts_and_summarise_binary_ones() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na cat\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\0\xff\r\n--XyZ--\r\n";
        let request = WireRequest {
            method: "POST".into(),
            url: "https://example.invalid/edit".into(),
            headers: vec![("content-type".into(), "multipart/form-data; boundary=XyZ".into())],
            body: WireBody::Bytes(Bytes::from_static(body)),
        };
        let shown = request.to_string();
        assert!(shown.contains("name=\"prompt\"\n\na cat\n"), "{shown}");
        assert!(shown.contains("<10 bytes of binary data>"), "{shown}");
        assert!(shown.ends_with("--XyZ--"), "{shown}");
    }
}
