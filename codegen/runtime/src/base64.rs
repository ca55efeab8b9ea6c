//! Base64 payloads, decoded once with a SIMD decoder and never copied again.
//!
//! Image bodies reach tens of megabytes, so [`Base64Data`] decodes straight
//! from the borrowed JSON text into its byte buffer while the response is
//! being parsed: the base64 text is never copied into a `String` first.

use std::cell::Cell;
use std::fmt;

use bytes::Bytes;
use serde::de::{self, Deserializer, Visitor};

use super::json_body::{self, BodyImages};
use serde::{Deserialize, Serialize, Serializer};

/// Binary data carried as base64 on the wire, held decoded. Sent in the standard
/// alphabet; read in the standard or the URL-safe one.
#[derive(Clone, Default)]
pub struct Base64Data {
    repr: Repr,
}

/// Where the decoded bytes are.
#[derive(Clone)]
enum Repr {
    /// In a buffer of their own (or the caller's).
    Bytes(Bytes),
    /// Decoded in place in a response body by [`json_body::from_body`]: the
    /// image is the `index`th slice of that body, set once the parse is done.
    InBody { images: BodyImages, index: usize },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Bytes(Bytes::new())
    }
}

impl PartialEq for Base64Data {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Base64Data {}

impl Base64Data {
    /// Wraps raw bytes; they are base64-encoded when serialized.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        Self { repr: Repr::Bytes(bytes.into()) }
    }

    /// Decodes base64 text (standard or URL-safe alphabet; whitespace and missing padding tolerated).
    pub fn decode(text: &str) -> Result<Self, InvalidBase64> {
        decode(text.as_bytes()).map(Self::from_bytes)
    }

    /// The decoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes()
    }

    /// The decoded bytes as a cheaply clonable buffer.
    pub fn bytes(&self) -> &Bytes {
        match &self.repr {
            Repr::Bytes(bytes) => bytes,
            // `from_body` fills the slot before it returns the value holding this,
            // and drops the value instead when it cannot.
            Repr::InBody { images, index } => {
                &images.get().expect("a body's images are set before it is returned")[*index]
            }
        }
    }

    /// Takes the decoded bytes out without copying.
    pub fn into_bytes(self) -> Bytes {
        match self.repr {
            Repr::Bytes(bytes) => bytes,
            Repr::InBody { .. } => self.bytes().clone(),
        }
    }

    /// Number of decoded bytes.
    pub fn len(&self) -> usize {
        self.bytes().len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// The image format named by the bytes' magic number, if recognised.
    pub fn image_format(&self) -> Option<super::image::ImageFormat> {
        super::image::ImageFormat::detect(self.bytes())
    }

    /// Encodes the bytes as standard base64.
    pub fn to_base64(&self) -> String {
        base64_simd::STANDARD.encode_to_string(self.bytes())
    }
}

impl From<Vec<u8>> for Base64Data {
    fn from(v: Vec<u8>) -> Self {
        Self::from_bytes(v)
    }
}

impl From<Bytes> for Base64Data {
    fn from(v: Bytes) -> Self {
        Self::from_bytes(v)
    }
}

impl AsRef<[u8]> for Base64Data {
    fn as_ref(&self) -> &[u8] {
        self.bytes()
    }
}

// Payloads are megabytes of noise: show their size and kind, never their content.
impl fmt::Debug for Base64Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.image_format() {
            Some(format) => write!(f, "Base64Data({} bytes, {format})", self.len()),
            None => write!(f, "Base64Data({} bytes)", self.len()),
        }
    }
}

impl Serialize for Base64Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Under `json_body::to_vec` the text is written later, straight into the body.
        if json_body::defer_payload::<S>(self.bytes()) {
            return serializer.serialize_str("");
        }
        let chars = base64_simd::STANDARD.encoded_length(self.len());
        if chars >= ELIDED_MIN_CHARS && ELIDING.get() {
            return serializer.serialize_str(&elided(chars));
        }
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for Base64Data {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Base64Visitor;

        impl<'de> Visitor<'de> for Base64Visitor {
            type Value = Base64Data;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }

            // `visit_borrowed_str` lands here too: the text is decoded where it lies.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                // Buffered content (an untagged enum) of a body decoded as it arrived.
                if let Some(bytes) = json_body::arrived_image(v.as_bytes()) {
                    return Ok(Base64Data::from_bytes(bytes));
                }
                decode(v.as_bytes()).map(Base64Data::from_bytes).map_err(E::custom)
            }

            // From serde_json's raw-string path after unescaping (`\/` and the like).
            // serde_json did not look for raw control characters on this path, and
            // after unescaping a raw one cannot be told from an escaped `\n`: the
            // flag asks [`parse_json`] to validate the whole text again.
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                UNVALIDATED_ESCAPES.set(true);
                decode(v).map(Base64Data::from_bytes).map_err(E::custom)
            }

            // From serde_json's raw-string path with no escapes: the body bytes
            // themselves. serde_json did not look for control characters on this
            // path, and a raw one is invalid JSON even where base64 would skip it
            // as whitespace, so it is refused here.
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
                // A reference to a string decoded while the body arrived.
                if let Some(bytes) = json_body::arrived_image(v) {
                    return Ok(Base64Data::from_bytes(bytes));
                }
                // In a body `json_body::from_body` owns: decoded in place once the
                // parse is done (control characters are checked then).
                if let Some((images, index)) = json_body::defer_decoding(v) {
                    return Ok(Base64Data { repr: Repr::InBody { images, index } });
                }
                match decode_strict(v) {
                    Some(bytes) => Ok(Base64Data::from_bytes(bytes)),
                    None if v.iter().any(|&b| b < 0x20) => {
                        Err(E::custom("control character in a JSON string of base64 data"))
                    }
                    None => self.visit_bytes(v),
                }
            }
        }

        // serde_json checks a string for UTF-8 and control characters in a
        // byte-at-a-time loop before handing it over; asked for bytes, it only
        // looks for the closing quote (SIMD memchr) and validates nothing. The
        // base64 decoder validates every byte anyway (all must be ASCII), so the
        // bytes path loses no checking and makes a 24 MB body decode about
        // twice as fast. Other formats may not offer strings as bytes (serde_yaml
        // refuses), so they keep the string path.
        if is_serde_json::<D>() {
            deserializer.deserialize_bytes(Base64Visitor)
        } else {
            deserializer.deserialize_str(Base64Visitor)
        }
    }
}

thread_local! {
    /// Set when a base64 string with escapes went through serde_json's unvalidated path.
    static UNVALIDATED_ESCAPES: Cell<bool> = const { Cell::new(false) };
}

/// Parses JSON with serde_json, refusing raw control characters inside strings as
/// serde_json does, also in base64 strings that carry escapes.
///
/// [`Base64Data`] reads strings on serde_json's fast path, which does not look for
/// raw control characters; without escapes it checks them itself, with escapes
/// (rare: `\/`, `\n`) it cannot, so in that case the text is validated once more
/// with serde_json's own string checks. Bodies without escaped base64 pay nothing.
pub fn parse_json<T>(json: &[u8], parse: impl FnOnce(&[u8]) -> serde_json::Result<T>) -> serde_json::Result<T> {
    let outer = UNVALIDATED_ESCAPES.replace(false);
    let result = parse(json);
    let escaped = UNVALIDATED_ESCAPES.replace(outer);
    match result {
        Ok(value) if escaped => serde_json::from_slice::<de::IgnoredAny>(json).map(|_| value),
        other => other,
    }
}

/// Whether `D` is serde_json's own deserializer, over a slice, a str or a reader.
fn is_serde_json<D>() -> bool {
    std::any::type_name::<D>().starts_with("&mut serde_json::de::Deserializer<")
}

/// Text that is not valid base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base64 data ({len} characters)")]
pub struct InvalidBase64 {
    len: usize,
}

/// Decodes base64 in either alphabet: standard first (one SIMD pass when it is
/// canonical, the forgiving decoder for whitespace, line breaks and missing
/// padding), then URL-safe (`-` and `_`, padded or not), which Google's own SDKs
/// send. The standard path pays nothing for the URL-safe fallback.
pub fn decode(text: &[u8]) -> Result<Vec<u8>, InvalidBase64> {
    decode_strict(text)
        .or_else(|| base64_simd::forgiving_decode_to_vec(text).ok())
        .or_else(|| decode_url_safe(text))
        .ok_or(InvalidBase64 { len: text.len() })
}

/// Decodes canonical standard base64 (padded, no whitespace) in one SIMD pass.
fn decode_strict(text: &[u8]) -> Option<Vec<u8>> {
    base64_simd::STANDARD.decode_to_vec(text).ok()
}

/// Decodes the URL-safe alphabet, padded or not; with whitespace it is mapped to
/// the standard alphabet (one copy, on this rare path only) for the forgiving decoder.
fn decode_url_safe(text: &[u8]) -> Option<Vec<u8>> {
    if !text.iter().any(|b| matches!(b, b'-' | b'_')) {
        return None;
    }
    base64_simd::URL_SAFE
        .decode_to_vec(text)
        .or_else(|_| base64_simd::URL_SAFE_NO_PAD.decode_to_vec(text))
        .ok()
        .or_else(|| base64_simd::forgiving_decode_to_vec(&to_standard_alphabet(text)).ok())
}

fn to_standard_alphabet(text: &[u8]) -> Vec<u8> {
    text.iter()
        .map(|&b| match b {
            b'-' => b'+',
            b'_' => b'/',
            other => other,
        })
        .collect()
}

/// Payloads whose base64 text is at least this long are shown as [`elided`] by
/// [`to_json_elided`]: shorter ones are no burden to print.
pub const ELIDED_MIN_CHARS: usize = 256;

thread_local! {
    /// Whether a [`to_json_elided`] runs on this thread.
    static ELIDING: Cell<bool> = const { Cell::new(false) };
}

/// What a payload of `chars` base64 characters is shown as instead of its text:
/// `<base64, 24000000 chars>`.
pub fn elided(chars: usize) -> String {
    format!("<base64, {chars} chars>")
}

/// Restores the previous eliding state when [`to_json_elided`] returns or unwinds.
struct ElidingGuard(bool);

impl Drop for ElidingGuard {
    fn drop(&mut self) {
        ELIDING.set(self.0);
    }
}

/// `value` as a JSON value, like `serde_json::to_value`, except that every
/// [`Base64Data`] whose text would be at least [`ELIDED_MIN_CHARS`] long is written
/// as [`elided`] (its length in base64 characters): what a summary of an answer
/// shows, without encoding its images again (24 MB of text for a 4K image).
pub fn to_json_elided<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<serde_json::Value> {
    let _guard = ElidingGuard(ELIDING.replace(true));
    serde_json::to_value(value)
}

/// Encodes bytes as standard base64.
pub fn encode(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// Whether `text` is valid base64 in either alphabet (whitespace and missing padding tolerated).
pub fn is_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty() && (base64_simd::STANDARD.check(bytes).is_ok() || decode(bytes).is_ok())
}

/// Splits a `data:<mime>;base64,<payload>` URL into its MIME type and payload.
pub fn parse_data_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("data:")?;
    let (meta, payload) = rest.split_once(',')?;
    let mime = meta.strip_suffix(";base64")?;
    let valid_mime = mime.split_once('/').is_some_and(|(t, s)| !t.is_empty() && !s.is_empty());
    (valid_mime && is_base64(payload)).then_some((mime, payload))
}

/// Builds a `data:<mime>;base64,<payload>` URL from bytes.
pub fn data_url(mime_type: &str, bytes: &[u8]) -> String {
    let encoded_len = base64_simd::STANDARD.encoded_length(bytes.len());
    let mut url = String::with_capacity(5 + mime_type.len() + 8 + encoded_len);
    url.push_str("data:");
    url.push_str(mime_type);
    url.push_str(";base64,");
    base64_simd::STANDARD.encode_append(bytes, &mut url);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_1X1: &str =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

    #[derive(Serialize)]
    struct Answer {
        image: Base64Data,
        thumbnail: Base64Data,
        text: &'static str,
    }

    #[test]
    fn a_summary_shows_long_payloads_by_size_and_keeps_the_rest() {
        let answer = Answer {
            image: Base64Data::from_bytes(vec![7u8; 3000]),
            thumbnail: Base64Data::from_bytes(vec![1u8, 2, 3]),
            text: "a lighthouse",
        };
        let summary = to_json_elided(&answer).unwrap();
        assert_eq!(
            summary,
            serde_json::json!({"image": "<base64, 4000 chars>", "thumbnail": "AQID", "text": "a lighthouse"})
        );
        // Outside a summary, the same value is encoded whole.
        let whole = serde_json::to_value(&answer).unwrap();
        assert_eq!(whole["image"].as_str().map(str::len), Some(4000));
        assert_eq!(Base64Data::decode(whole["image"].as_str().unwrap()).unwrap(), answer.image);
    }

    #[test]
    fn the_shortest_elided_payload_is_the_one_the_cli_would_have_elided() {
        // 192 bytes are 256 base64 characters: the CLI's threshold for its own pass.
        let at = to_json_elided(&Base64Data::from_bytes(vec![0u8; 192])).unwrap();
        assert_eq!(at, serde_json::json!(elided(ELIDED_MIN_CHARS)));
        let below = to_json_elided(&Base64Data::from_bytes(vec![0u8; 189])).unwrap();
        assert_eq!(below.as_str().map(str::len), Some(252));
    }

    #[test]
    fn escaped_slashes_in_json_decode() {
        let json = format!("\"{}\"", PNG_1X1.replace('/', "\\/"));
        let data: Base64Data = serde_json::from_str(&json).unwrap();
        assert_eq!(data.len(), 69);
        assert_eq!(&data.as_bytes()[1..4], b"PNG");
    }

    #[test]
    fn json_strings_stay_strict_on_the_bytes_path() {
        // A raw line break is invalid JSON, though base64 would skip it as whitespace.
        assert!(serde_json::from_slice::<Base64Data>(b"\"aG\nk=\"").is_err());
        // The escaped form is valid JSON, and the forgiving decoder skips it.
        assert_eq!(serde_json::from_slice::<Base64Data>(br#""aG\nk=""#).unwrap().as_bytes(), b"hi");
        assert!(serde_json::from_slice::<Base64Data>(b"\"aGk\xff\"").is_err());
        assert!(serde_json::from_slice::<Base64Data>(b"[104, 105]").is_err());
        assert!(is_serde_json::<&mut serde_json::Deserializer<serde_json::de::SliceRead<'static>>>());
        assert!(is_serde_json::<&mut serde_json::Deserializer<serde_json::de::StrRead<'static>>>());
        // Other deserializers take the string path.
        let value = serde_json::Value::String("aGk=".into());
        assert_eq!(serde_json::from_value::<Base64Data>(value).unwrap().as_bytes(), b"hi");
        assert_eq!(serde_json::from_reader::<_, Base64Data>(&b"\"aGk=\""[..]).unwrap().as_bytes(), b"hi");
    }

    #[test]
    fn raw_control_characters_are_refused_even_beside_an_escape() {
        let parse = |json: &[u8]| parse_json(json, |j| serde_json::from_slice::<Base64Data>(j));
        // `\/` sends serde_json down the unescaping path; the raw line break is invalid JSON.
        let err = parse(b"\"Pz\n8\\/\"").unwrap_err();
        assert!(err.to_string().contains("control character"), "{err}");
        // The same with the line break escaped is valid JSON and decodes.
        assert_eq!(parse(br#""Pz\n8\/""#).map(|d| d.into_bytes()).ok().as_deref(), Some(&b"???"[..]));
        // Nested inside a response, and the flag does not leak into the next parse.
        let bad = b"{\"images\":[{\"b64\":\"Pz\t8\\/\"}]}";
        #[derive(serde::Deserialize)]
        struct Image {
            #[allow(dead_code)]
            b64: Base64Data,
        }
        #[derive(serde::Deserialize)]
        struct Response {
            #[allow(dead_code)]
            images: Vec<Image>,
        }
        assert!(parse_json(bad, |j| serde_json::from_slice::<Response>(j)).is_err());
        assert!(parse_json(br#"{"images":[{"b64":"aGk="}]}"#, |j| serde_json::from_slice::<Response>(j)).is_ok());
    }

    #[test]
    fn round_trips_and_hides_content_in_debug() {
        let data = Base64Data::decode(PNG_1X1).unwrap();
        assert_eq!(serde_json::to_string(&data).unwrap(), format!("\"{PNG_1X1}\""));
        assert_eq!(format!("{data:?}"), "Base64Data(69 bytes, png)");
    }

    #[test]
    fn tolerates_line_breaks_and_missing_padding() {
        let wrapped = format!("{}\n{}", &PNG_1X1[..40], &PNG_1X1[40..]);
        assert_eq!(Base64Data::decode(&wrapped).unwrap().len(), 69);
        assert_eq!(Base64Data::decode("aGk").unwrap().as_bytes(), b"hi");
        assert!(Base64Data::decode("<BASE64_ENCODED_IMAGE>").is_err());
    }

    #[test]
    fn url_safe_alphabet_decodes_padded_unpadded_and_wrapped() {
        let standard = Base64Data::decode(PNG_1X1).unwrap();
        let url_safe = PNG_1X1.replace('+', "-").replace('/', "_");
        assert!(url_safe.contains('_'), "the sample must exercise the URL-safe alphabet");
        for text in [
            url_safe.clone(),
            url_safe.trim_end_matches('=').to_string(),
            format!("{}\n{}", &url_safe[..40], &url_safe[40..]),
        ] {
            assert_eq!(Base64Data::decode(&text).unwrap(), standard, "{text}");
            let json = format!("\"{text}\"").replace('\n', "\\n");
            assert_eq!(serde_json::from_str::<Base64Data>(&json).unwrap(), standard, "{json}");
            assert!(is_base64(&text));
        }
        // Sent back in the standard alphabet.
        assert_eq!(Base64Data::decode(&url_safe).unwrap().to_base64(), PNG_1X1);
        assert!(Base64Data::decode("a-b_c!").is_err());
    }

    #[test]
    fn data_urls_parse_and_build() {
        let url = data_url("image/png", b"hi");
        assert_eq!(url, "data:image/png;base64,aGk=");
        assert_eq!(parse_data_url(&url), Some(("image/png", "aGk=")));
        assert_eq!(parse_data_url("data:image/png,aGk="), None);
        assert_eq!(parse_data_url("https://example.com"), None);
    }
}
