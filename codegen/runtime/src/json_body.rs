//! JSON request and response bodies whose base64 payloads move at memory speed.
//!
//! Encoding: serde_json checks every byte of a string for characters to escape,
//! which for megabytes of base64 (which never needs escaping) costs three times
//! the encoding itself, and `to_vec` grows its `Vec` by doubling. [`to_vec`]
//! instead writes the JSON around the payloads first (a few hundred bytes, each
//! [`Base64Data`](super::Base64Data) leaving `""` and its position), then builds
//! the body once in an exact-size buffer, encoding each payload straight into it.
//!
//! Decoding: [`from_body`] parses a body it owns without decoding the long base64
//! strings, only noting where they lie; it then decodes each where it lies (the
//! output is 3/4 of the text and never overtakes it) and hands out images as
//! `Bytes` slices of the body buffer. No second buffer of the image's size exists.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::ops::Range;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use bytes::{Bytes, BytesMut};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::json_stream;

// ---------------------------------------------------------------- encode

thread_local! {
    /// The body being written by [`to_vec`] on this thread, if any.
    static ENCODING: RefCell<Option<Rc<RefCell<Skeleton>>>> = const { RefCell::new(None) };
}

/// The JSON text with every base64 payload left out, and where each goes.
#[derive(Default)]
struct Skeleton {
    text: Vec<u8>,
    /// Offset in `text` (just after an opening quote) and the bytes to encode there.
    payloads: Vec<(usize, Bytes)>,
}

/// The writer of the first pass; shared with [`defer_payload`] through [`ENCODING`]
/// so a payload can note the offset it is written at.
struct SkeletonWriter(Rc<RefCell<Skeleton>>);

impl io::Write for SkeletonWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Restores the previous encoding state when [`to_vec`] returns or unwinds.
struct EncodingGuard(Option<Rc<RefCell<Skeleton>>>);

impl Drop for EncodingGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        ENCODING.with(|e| *e.borrow_mut() = previous);
    }
}

/// Serializes `value` as JSON like `serde_json::to_vec`, with the same output,
/// but writes every [`Base64Data`](super::Base64Data) payload straight into an
/// exact-size buffer: no `String` per payload, no escape scan of base64 text, no
/// regrowth of the body.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let skeleton = Rc::new(RefCell::new(Skeleton { text: Vec::with_capacity(1024), payloads: Vec::new() }));
    {
        let _guard = EncodingGuard(ENCODING.with(|e| e.borrow_mut().replace(skeleton.clone())));
        let mut serializer = serde_json::Serializer::new(SkeletonWriter(skeleton.clone()));
        value.serialize(&mut serializer)?;
    }
    let Skeleton { text, payloads } = skeleton.take();
    if payloads.is_empty() {
        return Ok(text);
    }
    let encoded: usize = payloads.iter().map(|(_, bytes)| base64_simd::STANDARD.encoded_length(bytes.len())).sum();
    // A payload noted where the first pass did not leave `""` would mean this
    // module's idea of serde_json's output is wrong: the plain path is always right.
    if !payloads.iter().all(|(at, _)| *at >= 1 && text.get(at - 1..at + 1) == Some(b"\"\"")) {
        return serde_json::to_vec(value);
    }
    let mut out = Vec::with_capacity(text.len() + encoded);
    let mut copied = 0;
    for (at, bytes) in &payloads {
        out.extend_from_slice(&text[copied..*at]);
        base64_simd::STANDARD.encode_append(bytes, &mut out);
        copied = *at;
    }
    out.extend_from_slice(&text[copied..]);
    Ok(out)
}

/// Called by `Base64Data`'s `Serialize`: when `S` is the first pass of [`to_vec`],
/// notes the payload at the current offset and returns true (the caller then
/// writes `""`); otherwise returns false and the caller writes the text itself.
pub(crate) fn defer_payload<S>(bytes: &Bytes) -> bool {
    // Only serde_json writing into the skeleton: a payload serialized by anything
    // else during the pass (a nested `to_value`, a flattening wrapper) is written inline.
    if std::any::type_name::<S>() != std::any::type_name::<&mut serde_json::Serializer<SkeletonWriter>>() {
        return false;
    }
    ENCODING.with(|e| match e.borrow().as_ref() {
        Some(skeleton) => {
            let mut skeleton = skeleton.borrow_mut();
            // serde_json has written the separator and key; the string's opening quote comes next.
            let at = skeleton.text.len() + 1;
            skeleton.payloads.push((at, bytes.clone()));
            true
        }
        None => false,
    })
}

// ---------------------------------------------------------------- decode

/// Base64 strings shorter than this are decoded while parsing, into their own
/// buffer: deferring them saves little, and bounds the number of noted strings.
const IN_PLACE_MIN_LEN: usize = 4096;

thread_local! {
    /// The body being parsed by [`from_body`] on this thread, if any.
    static DECODING: RefCell<Option<InBody>> = const { RefCell::new(None) };
}

/// The images of one body, filled once it is decoded.
pub(crate) type BodyImages = Arc<OnceLock<Vec<Bytes>>>;

/// Where the body lies and the base64 strings noted in it so far.
struct InBody {
    /// Address range of the body's bytes, to tell a string borrowed from it.
    addresses: Range<usize>,
    /// Offsets in the body of each noted string.
    strings: Vec<Range<usize>>,
    /// Index in `strings` by start offset: a string read twice (an untagged
    /// enum trying variants) is noted, and decoded, once.
    by_start: HashMap<usize, usize>,
    images: BodyImages,
}

/// Restores the previous decoding state when [`from_body`]'s parse returns or unwinds.
struct DecodingGuard(Option<Option<InBody>>);

impl Drop for DecodingGuard {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            DECODING.with(|d| *d.borrow_mut() = previous);
        }
    }
}

/// Called by `Base64Data`'s `Deserialize` with a string borrowed from the input:
/// when it lies in the body [`from_body`] is parsing, notes it and returns the
/// images slot and its index there; otherwise returns `None` (decode it now).
pub(crate) fn defer_decoding(text: &[u8]) -> Option<(BodyImages, usize)> {
    if text.len() < IN_PLACE_MIN_LEN {
        return None;
    }
    DECODING.with(|d| {
        let mut guard = d.borrow_mut();
        let body = guard.as_mut()?;
        let start = (text.as_ptr() as usize).checked_sub(body.addresses.start)?;
        let end = start + text.len();
        if end > body.addresses.end - body.addresses.start {
            return None;
        }
        let index = match body.by_start.get(&start) {
            Some(&index) if body.strings[index].end == end => index,
            Some(_) => return None,
            None => {
                body.strings.push(start..end);
                body.by_start.insert(start, body.strings.len() - 1);
                body.strings.len() - 1
            }
        };
        Some((body.images.clone(), index))
    })
}

/// A body that could not be parsed, given back intact for the error report.
#[derive(Debug)]
pub struct BodyError {
    /// Why it could not be parsed.
    pub error: serde_json::Error,
    /// The body as received.
    pub body: Bytes,
}

/// Parses a JSON body into `T` like [`parse_json`](super::base64::parse_json)
/// over `serde_json::from_slice`, decoding long base64 strings in place: each
/// image of the result is a slice of `body`'s buffer, and no other buffer of its
/// size is allocated. A body shared with another `Bytes` handle cannot be written
/// to, and is parsed the usual way (images in their own buffers).
///
/// On error the body is given back exactly as it was received.
pub fn from_body<T: DeserializeOwned>(body: Bytes) -> Result<T, BodyError> {
    let mut buf = match body.try_into_mut() {
        Ok(buf) => buf,
        Err(shared) => return parse_plain(shared),
    };
    let images: BodyImages = Arc::new(OnceLock::new());
    let context = InBody {
        addresses: buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len(),
        strings: Vec::new(),
        by_start: HashMap::new(),
        images: images.clone(),
    };
    let (parsed, strings) = {
        let guard = DecodingGuard(Some(DECODING.with(|d| d.borrow_mut().replace(context))));
        let parsed = super::base64::parse_json(&buf, |json| serde_json::from_slice::<T>(json));
        let noted = DECODING.with(|d| d.borrow_mut().take());
        drop(guard);
        (parsed, noted.map(|n| n.strings).unwrap_or_default())
    };
    let value = match parsed {
        Ok(value) => value,
        Err(error) => return Err(BodyError { error, body: buf.freeze() }),
    };
    let mut decoded = Vec::with_capacity(strings.len());
    for (i, text) in strings.iter().enumerate() {
        match decode_in_place(&mut buf, text.clone()) {
            Some((len, lenient)) => decoded.push((text.start..text.start + len, lenient)),
            None => {
                // Some string is not base64: put the text back as it was and parse
                // the usual way, which reports it exactly as it always did.
                drop(value);
                for (text, (image, lenient)) in strings[..i].iter().zip(decoded) {
                    match lenient {
                        Some(original) => buf[text.clone()].copy_from_slice(&original),
                        None => restore(&mut buf, text.clone(), image),
                    }
                }
                return parse_plain(buf.freeze());
            }
        }
    }
    let body = buf.freeze();
    let slices = decoded.into_iter().map(|(range, _)| body.slice(range)).collect();
    // The slot is fresh and only this function fills it.
    let _ = images.set(slices);
    Ok(value)
}

thread_local! {
    /// The images of the arrived body [`from_arrived`] is parsing on this thread:
    /// its references' nonce and the decoded strings.
    static ARRIVED: RefCell<Option<(u64, Vec<Bytes>)>> = const { RefCell::new(None) };
}

/// Restores the previous arrived-body state when [`from_arrived`]'s parse returns or unwinds.
struct ArrivedGuard(Option<Option<(u64, Vec<Bytes>)>>);

impl Drop for ArrivedGuard {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            ARRIVED.with(|a| *a.borrow_mut() = previous);
        }
    }
}

/// Called by `Base64Data`'s `Deserialize` with every string it reads: when the
/// string is a reference of the body [`from_arrived`] is parsing, the bytes it
/// stands for.
pub(crate) fn arrived_image(text: &[u8]) -> Option<Bytes> {
    if !json_stream::looks_like_reference(text) {
        return None;
    }
    ARRIVED.with(|a| {
        let guard = a.borrow();
        let (nonce, images) = guard.as_ref()?;
        images.get(json_stream::reference_index(text, *nonce)?).cloned()
    })
}

/// Parses a body whose long base64 strings were decoded while it arrived
/// ([`StreamingBody`](json_stream::StreamingBody)) into `T`: each reference a
/// [`Base64Data`](super::Base64Data) reads becomes its decoded bytes, and the
/// small JSON left is all serde parses. A whole body goes to [`from_body`].
///
/// The result is the one the body as received would give. When the kept JSON
/// does not parse, or a decoded string did not end up in a `Base64Data` of the
/// result (a field typed as text, an unknown field kept as JSON, one ignored), the
/// body is rebuilt exactly as received and parsed by [`from_body`]: the error, or
/// the value, is then the usual one, and an error gives back that body.
pub fn from_arrived<T: DeserializeOwned>(body: json_stream::ArrivedBody) -> Result<T, BodyError> {
    if body.is_whole() {
        return from_body(body.into_bytes());
    }
    // Each image is handed out through a handle of this parse only, whose owner
    // lives as long as some `Base64Data` of the value holds it.
    let claims: Vec<Arc<()>> = body.images().iter().map(|_| Arc::new(())).collect();
    let handles: Vec<Bytes> = body
        .images()
        .iter()
        .zip(&claims)
        .map(|(image, claim)| Bytes::from_owner(Claimed { bytes: image.bytes().clone(), _claim: claim.clone() }))
        .collect();
    let parsed = {
        let _guard = ArrivedGuard(Some(ARRIVED.with(|a| a.borrow_mut().replace((body.nonce(), handles)))));
        super::base64::parse_json(body.text(), |json| serde_json::from_slice::<T>(json))
    };
    // Every decoded string must be held by the value: one that was read as text
    // (or not at all) left its reference, not its content, where it went.
    match parsed {
        Ok(value) if claims.iter().all(|claim| Arc::strong_count(claim) > 1) => Ok(value),
        _ => from_body(body.into_bytes()),
    }
}

/// An image handed out by one [`from_arrived`] parse; its claim is alive while
/// any `Bytes` of it is.
struct Claimed {
    bytes: Bytes,
    _claim: Arc<()>,
}

impl AsRef<[u8]> for Claimed {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// Parses without decoding in place (a shared body, or the report of an error).
fn parse_plain<T: DeserializeOwned>(body: Bytes) -> Result<T, BodyError> {
    super::base64::parse_json(&body, |json| serde_json::from_slice::<T>(json))
        .map_err(|error| BodyError { error, body })
}

/// Input bytes decoded per step; a multiple of 4 (whole base64 groups).
const CHUNK: usize = 4096;

/// Decodes the base64 text at `text` in `buf` to the start of that range and
/// returns the decoded length, or `None` when it is not base64 (the text is then
/// as it was). Same alphabets and leniency as [`decode`](super::base64::decode).
/// Text that is not canonical standard base64 is also returned as it was: it
/// cannot be encoded back from the image if an error report needs the body.
fn decode_in_place(buf: &mut BytesMut, text: Range<usize>) -> Option<(usize, Option<Vec<u8>>)> {
    match decode_strict_in_place(buf, text.clone()) {
        Ok(len) => Some((len, None)),
        Err(done) => {
            // Canonical base64 decodes one to one, so the chunks already decoded
            // encode back to exactly the text they came from.
            restore(buf, text.start..text.start + done / 3 * 4, text.start..text.start + done);
            // Whitespace, missing padding or the URL-safe alphabet: rare, decoded
            // from a copy of the text by the forgiving chain, then put in place.
            let source = buf[text.clone()].to_vec();
            // A raw control character is invalid JSON; the plain parse reports it.
            if source.iter().any(|&b| b < 0x20) {
                return None;
            }
            let image = super::base64::decode(&source).ok()?;
            buf[text.start..text.start + image.len()].copy_from_slice(&image);
            Some((image.len(), Some(source)))
        }
    }
}

/// Canonical standard base64, chunk by chunk: each chunk's output lands before
/// its own input, so a failing chunk leaves its text and all later text intact.
/// `Err` carries the number of bytes decoded before the failing chunk.
fn decode_strict_in_place(buf: &mut BytesMut, text: Range<usize>) -> Result<usize, usize> {
    let full_output = CHUNK / 4 * 3;
    let mut scratch = [0u8; CHUNK / 4 * 3];
    let mut written = 0;
    let mut input = text.start;
    while input < text.end {
        let end = (input + CHUNK).min(text.end);
        let last = end == text.end;
        let out = text.start + written;
        let len = if out + full_output <= input {
            // The output lies wholly before this chunk's text: decode straight there.
            let (head, tail) = buf.split_at_mut(input);
            let dst = base64_simd::Out::from_slice(&mut head[out..out + full_output]);
            base64_simd::STANDARD.decode(&tail[..end - input], dst).map(|d| d.len())
        } else {
            // The first chunks' output overlaps their own text: go through the stack.
            match base64_simd::STANDARD.decode(&buf[input..end], base64_simd::Out::from_slice(&mut scratch)) {
                Ok(decoded) => {
                    let len = decoded.len();
                    buf[out..out + len].copy_from_slice(&scratch[..len]);
                    Ok(len)
                }
                Err(e) => Err(e),
            }
        };
        match len {
            // Padding is only allowed at the very end.
            Ok(len) if last || len == full_output => written += len,
            _ => return Err(written),
        }
        input = end;
    }
    Ok(written)
}

/// Puts canonical base64 text back in place of the bytes decoded from it:
/// `image` holds the decoded bytes, `text` the range they were decoded from.
/// Canonical text decodes one to one, so this is the text as received.
fn restore(buf: &mut BytesMut, text: Range<usize>, image: Range<usize>) {
    if image.is_empty() {
        return;
    }
    let bytes = buf[image].to_vec();
    let len = text.len();
    let encoded = base64_simd::STANDARD.encode(&bytes, base64_simd::Out::from_slice(&mut buf[text])).len();
    debug_assert_eq!(encoded, len, "canonical text is as long as its encoding");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Base64Data;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Image {
        b64: Base64Data,
        #[serde(skip_serializing_if = "Option::is_none")]
        mime: Option<String>,
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Response {
        prompt: String,
        images: Vec<Image>,
    }

    fn noise(len: usize, seed: u8) -> Vec<u8> {
        (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8).collect()
    }

    fn sample() -> Response {
        Response {
            prompt: "a \"quoted\" prompt\n".into(),
            images: vec![
                Image { b64: Base64Data::from_bytes(noise(100_000, 1)), mime: Some("image/png".into()) },
                Image { b64: Base64Data::from_bytes(noise(5, 2)), mime: None },
                Image { b64: Base64Data::from_bytes(noise(30_001, 3)), mime: None },
                Image { b64: Base64Data::from_bytes(Vec::new()), mime: None },
            ],
        }
    }

    #[test]
    fn encodes_the_same_bytes_as_serde_json_in_an_exact_buffer() {
        let request = sample();
        let ours = to_vec(&request).unwrap();
        assert_eq!(ours, serde_json::to_vec(&request).unwrap());
        assert_eq!(ours.capacity(), ours.len(), "the body is built in an exact-size buffer");
        // Nested in a map value, behind `Option`, and at the top level.
        let mut map = std::collections::BTreeMap::new();
        map.insert("x", Some(Base64Data::from_bytes(noise(10, 4))));
        map.insert("y", None);
        assert_eq!(to_vec(&map).unwrap(), serde_json::to_vec(&map).unwrap());
        let top = Base64Data::from_bytes(noise(7, 5));
        assert_eq!(to_vec(&top).unwrap(), serde_json::to_vec(&top).unwrap());
    }

    #[test]
    fn decodes_in_place_into_slices_of_the_body() {
        let request = sample();
        let body = Bytes::from(serde_json::to_vec(&request).unwrap());
        let (start, end) = (body.as_ptr() as usize, body.as_ptr() as usize + body.len());
        let response: Response = from_body(body).unwrap();
        assert_eq!(response, request);
        for (image, in_body) in response.images.iter().zip([true, false, true, false]) {
            let at = image.b64.as_bytes().as_ptr() as usize;
            assert_eq!(in_body, (start..end).contains(&at), "{image:?}");
        }
        // Clones, `into_bytes` and equality see the decoded bytes.
        let first = response.images[0].b64.clone();
        assert_eq!(first.into_bytes(), noise(100_000, 1));
    }

    #[test]
    fn a_shared_body_is_parsed_the_usual_way() {
        let body = Bytes::from(serde_json::to_vec(&sample()).unwrap());
        let keep = body.clone();
        let response: Response = from_body(body).unwrap();
        assert_eq!(response, sample());
        assert_eq!(keep, serde_json::to_vec(&sample()).unwrap(), "the shared body is untouched");
    }

    #[test]
    fn lenient_text_decodes_in_place_and_errors_give_the_body_back_intact() {
        let image = noise(9_000, 6);
        let text = base64_simd::STANDARD.encode_to_string(&image);
        let url_safe = text.replace('+', "-").replace('/', "_");
        let wrapped = format!("{}\\n{}", &text[..6000], &text[6000..]);
        let spaced = format!("{} {}", &text[..6000], &text[6000..]);
        let unpadded = base64_simd::STANDARD_NO_PAD.encode_to_string(&image[..8_999]);
        for (b64, expected) in [
            (url_safe.clone(), &image[..]),
            (wrapped, &image[..]),
            (spaced, &image[..]),
            (unpadded, &image[..8_999]),
            (format!("{}\\/", &text[..8000]), &[][..]),
        ] {
            let body = format!(r#"{{"prompt":"p","images":[{{"b64":"{text}"}},{{"b64":"{b64}"}}]}}"#);
            let parsed = from_body::<Response>(Bytes::from(body.clone()));
            let plain = crate::base64::parse_json(body.as_bytes(), |j| serde_json::from_slice::<Response>(j));
            match (parsed, plain) {
                (Ok(ours), Ok(plain)) => {
                    assert_eq!(ours, plain);
                    assert_eq!(ours.images[1].b64.as_bytes(), expected);
                }
                (Err(ours), Err(plain)) => {
                    assert_eq!(ours.error.to_string(), plain.to_string());
                    assert_eq!(ours.body, body.as_bytes(), "the body is given back as received");
                }
                (ours, plain) => panic!("in place {ours:?} vs plain {plain:?}"),
            }
        }
        // Invalid after an image that was already decoded in place: the report
        // is the usual one and the body comes back byte for byte.
        let bad = format!("{}!{}", &text[..5000], &text[5001..]);
        // Trailing bits that are not zero, decoded in place before the error:
        // accepted or not, the body comes back as sent.
        let padded = base64_simd::STANDARD.encode_to_string(noise(9_001, 7));
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let k = padded.len() - 3;
        let bits = alphabet.iter().position(|&c| c == padded.as_bytes()[k]).unwrap() | 1;
        let odd_bits = format!("{}{}==", &padded[..k], alphabet[bits] as char);
        for second in [bad, format!("{}\n{}", &text[..5000], &text[5000..])] {
            let body = format!(
                r#"{{"prompt":"p","images":[{{"b64":"{odd_bits}"}},{{"b64":"{url_safe}"}},{{"b64":"{text}"}},{{"b64":"{second}"}}]}}"#
            );
            let err = from_body::<Response>(Bytes::from(body.clone())).unwrap_err();
            let plain = crate::base64::parse_json(body.as_bytes(), |j| serde_json::from_slice::<Response>(j));
            assert_eq!(err.error.to_string(), plain.unwrap_err().to_string());
            assert_eq!(err.body, body.as_bytes());
        }
    }
}
