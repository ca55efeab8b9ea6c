//! Raw response bodies: an image or any file answered as bytes, not JSON.

use bytes::Bytes;
/// The header map [`FromHeaders`] reads (reqwest's), named here for generated code.
pub use reqwest::header::HeaderMap;

use super::image::CollectImages;
use super::json_stream::ArrivedBody;
use super::Base64Data;

/// A response body of raw bytes (an image or any file) with the media type the server
/// gave it (`content-type`), returned by operations whose spec declares a `binary`
/// response. The bytes are the body buffer itself, never copied.
#[derive(Clone, PartialEq)]
pub struct BinaryBody {
    data: Base64Data,
    media_type: Option<String>,
}

impl BinaryBody {
    /// A body and its media type (without parameters, lowercase), as the client reads them.
    pub fn new(bytes: Bytes, media_type: Option<String>) -> Self {
        Self { data: Base64Data::from_bytes(bytes), media_type }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.data.as_bytes()
    }

    /// The bytes as a shared buffer (cloning it copies nothing).
    pub fn bytes(&self) -> &Bytes {
        self.data.bytes()
    }

    /// The bytes, the media type dropped.
    pub fn into_bytes(self) -> Bytes {
        self.data.into_bytes()
    }

    /// The `content-type` the server sent (`image/png`), without parameters; `None`
    /// when it sent none.
    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }

    /// The image format by the bytes' magic numbers (a server may label a JPEG
    /// `application/octet-stream`).
    pub fn image_format(&self) -> Option<super::image::ImageFormat> {
        self.data.image_format()
    }

    /// The body as the one image of the answer (the same as `CollectImages::images`,
    /// without importing the trait).
    pub fn images(&self) -> Vec<&Base64Data> {
        vec![&self.data]
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

// Tens of megabytes of image bytes are no use in a log line.
impl std::fmt::Debug for BinaryBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinaryBody").field("media_type", &self.media_type).field("len", &self.len()).finish()
    }
}

/// Serialized as what it is, not as its bytes: `{"media_type": "image/png", "bytes": 1234}`
/// (the call-by-name table and the CLI print it; the bytes go to `images()`).
impl serde::Serialize for BinaryBody {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("BinaryBody", 2)?;
        out.serialize_field("media_type", &self.media_type)?;
        out.serialize_field("bytes", &self.len())?;
        out.end()
    }
}

/// A binary body is one image (or file): `images()` yields it.
impl CollectImages for BinaryBody {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a Base64Data>) {
        out.push(&self.data);
    }
}

/// The answer of an operation that returns either raw bytes or JSON, as the response's
/// `content-type` says (an API whose `accept` header picks bytes or base64 JSON).
#[derive(Debug, Clone, PartialEq)]
pub enum JsonOrBinary<T> {
    /// A JSON body (`content-type: application/json` or `*+json`).
    Json(T),
    /// Any other body, as bytes.
    Binary(BinaryBody),
}

/// Serialized as what arrived: the JSON value, or the bytes described as
/// [`BinaryBody`] is (a job error keeps the last answer this way).
impl<T: serde::Serialize> serde::Serialize for JsonOrBinary<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonOrBinary::Json(value) => value.serialize(serializer),
            JsonOrBinary::Binary(body) => body.serialize(serializer),
        }
    }
}

/// The images of what arrived: the bytes, or the JSON's image fields.
impl<T: CollectImages> CollectImages for JsonOrBinary<T> {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a Base64Data>) {
        match self {
            JsonOrBinary::Json(value) => value.collect_images(out),
            JsonOrBinary::Binary(body) => body.collect_images(out),
        }
    }
}

/// A success answer read whole but not decoded: its status, headers (scrubbed of the
/// key) and body. Operations whose spec gives each success status its own body decode
/// it by status (`HttpClient::json_answer`, [`RawAnswer::binary`]); a status the docs do
/// not list is handed to the caller as it is, so a paid-for answer is never lost.
///
/// A body the `content-type` calls JSON has its long base64 strings decoded while it
/// arrives (`json_stream`), so decoding it costs nothing more once it is in and the
/// base64 text is never held whole; [`Self::body`] rebuilds the text as received, only
/// when asked. Any other body is the bytes as they arrived, in one buffer sized from
/// `Content-Length`.
#[derive(Clone)]
pub struct RawAnswer {
    status: u16,
    headers: HeaderMap,
    arrived: ArrivedBody,
    /// The body as received, rebuilt from `arrived` the first time it is asked for.
    whole: std::sync::OnceLock<Bytes>,
}

impl RawAnswer {
    /// `headers` must already be scrubbed; only the client builds one.
    pub(crate) fn new(status: u16, headers: HeaderMap, arrived: ArrivedBody) -> Self {
        Self { status, headers, arrived, whole: std::sync::OnceLock::new() }
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers, the client's key replaced wherever a server echoed it.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body bytes as received. For a JSON body whose images were decoded as it
    /// arrived this encodes them again (once; later calls share it): prefer
    /// [`Self::body_len`] for its size.
    pub fn body(&self) -> &Bytes {
        self.whole.get_or_init(|| self.arrived.clone().into_bytes())
    }

    /// The number of body bytes received.
    pub fn body_len(&self) -> usize {
        self.arrived.received_len()
    }

    /// Whether the `content-type` says JSON.
    pub fn is_json(&self) -> bool {
        super::transport::is_json(&self.headers)
    }

    /// The answer decoded by `decode`, kept with its status and headers.
    pub fn into_response<T>(
        self,
        decode: impl FnOnce(RawAnswer) -> Result<T, super::Error>,
    ) -> Result<super::Response<T>, super::Error> {
        let (status, headers) = (self.status, self.headers.clone());
        decode(self).map(|value| super::Response::new(value, status, headers))
    }

    pub(crate) fn into_status_and_body(self) -> (u16, ArrivedBody) {
        (self.status, self.arrived)
    }

    /// The body as raw bytes with the answer's media type (a JSON body as the text
    /// received).
    pub fn binary(self) -> BinaryBody {
        let media_type = media_type(&self.headers);
        let bytes = match self.whole.into_inner() {
            Some(whole) => whole,
            None => self.arrived.into_bytes(),
        };
        BinaryBody::new(bytes, media_type)
    }
}

impl std::fmt::Debug for RawAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawAnswer")
            .field("status", &self.status)
            .field("content_type", &media_type(&self.headers))
            .field("len", &self.body_len())
            .finish()
    }
}

/// Serialized as what it is, not as its body: `{"status": 201, "media_type":
/// "image/png", "bytes": 1234}`.
impl serde::Serialize for RawAnswer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("RawAnswer", 3)?;
        out.serialize_field("status", &self.status)?;
        out.serialize_field("media_type", &media_type(&self.headers))?;
        out.serialize_field("bytes", &self.body_len())?;
        out.end()
    }
}

/// The media type of a `content-type` header, without parameters, lowercase.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(reqwest::header::CONTENT_TYPE)?.to_str().ok()?;
    let media = value.split(';').next()?.trim().to_ascii_lowercase();
    (!media.is_empty()).then_some(media)
}

/// Response headers read into a generated struct (`<Operation>Headers`); see
/// [`Response::typed_headers`](super::Response::typed_headers).
pub trait FromHeaders: Sized {
    /// Reads the headers; a header that is missing or does not parse is `None` (the
    /// raw text stays in [`Response::headers`](super::Response::headers)).
    fn from_headers(headers: &HeaderMap) -> Self;
}

/// The text of header `name`, if it is present and valid text.
pub fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// Header `name` parsed as a `T` (`u64`, `f64`, `bool`, a string enum): `None` when
/// it is missing or does not parse.
pub fn header_value<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    header_text(headers, name)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn a_binary_body_is_one_image_and_debugs_without_its_bytes() {
        let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n rest");
        let body = BinaryBody::new(png.clone(), Some("image/png".into()));
        assert_eq!(body.images().len(), 1);
        assert_eq!(body.images()[0].as_bytes(), &png[..]);
        assert_eq!(body.image_format(), Some(crate::image::ImageFormat::Png));
        let debug = format!("{body:?}");
        assert!(debug.contains("image/png") && debug.contains("len") && !debug.contains("PNG"), "{debug}");
        assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"media_type": "image/png", "bytes": 13}));
    }

    #[test]
    fn headers_parse_when_they_can_and_are_none_when_they_cannot() {
        let mut headers = HeaderMap::new();
        headers.insert("seed", HeaderValue::from_static(" 42 "));
        headers.insert("finish-reason", HeaderValue::from_static("SUCCESS"));
        headers.insert("ratio", HeaderValue::from_static("not a number"));
        assert_eq!(header_value::<u64>(&headers, "seed"), Some(42));
        assert_eq!(header_text(&headers, "finish-reason"), Some("SUCCESS"));
        assert_eq!(header_value::<f64>(&headers, "ratio"), None);
        assert_eq!(header_value::<u64>(&headers, "missing"), None);
    }
}
