//! Images decoded while the body arrives (`json_stream::StreamingBody`, then
//! `json_body::from_arrived`): whatever the chunk boundaries and however the base64
//! is written, the value is the one the whole body gives, and the body comes back
//! byte for byte.

mod support;

use bytes::Bytes;
use imagegen_runtime::json_body::{self, BodyError};
use imagegen_runtime::json_stream::{ArrivedBody, StreamingBody, WHOLE_BODY_MAX};
use imagegen_runtime::{Base64Data, Error, OneOrMany};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use support::*;

#[derive(Debug, PartialEq, Deserialize)]
struct Image {
    b64: Option<Base64Data>,
    #[serde(default)]
    mime: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, Value>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Answer {
    prompt: String,
    images: Vec<Image>,
    #[serde(default)]
    any: Option<OneOrMany<Base64Data>>,
    #[serde(default)]
    note: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, Value>,
}

impl imagegen_runtime::image::CollectImages for Answer {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a Base64Data>) {
        self.images.iter().for_each(|image| image.b64.collect_images(out));
    }
}

fn standard(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// How a body writes its base64.
#[derive(Debug, Clone, Copy)]
enum Written {
    Standard,
    UrlSafe,
    Unpadded,
    EscapedSlashes,
    /// Line breaks every 76 characters, escaped (`\n`): valid, but not taken as it arrives.
    Wrapped,
}

fn write(bytes: &[u8], how: Written) -> String {
    match how {
        Written::Standard => standard(bytes),
        Written::UrlSafe => base64_simd::URL_SAFE.encode_to_string(bytes),
        Written::Unpadded => base64_simd::STANDARD_NO_PAD.encode_to_string(bytes),
        Written::EscapedSlashes => standard(bytes).replace('/', "\\/"),
        Written::Wrapped => {
            let text = standard(bytes);
            text.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\\n")
        }
    }
}

/// A body of several images around numbers, text with escapes and unknown fields
/// (with `unknown_image`, a long base64 string in a field no type reads as an image).
fn body(how: Written, big: usize, unknown_image: bool) -> Vec<u8> {
    let first = write(&support::png_noise(big, 1), how);
    let second = write(&support::png_noise(big / 3 + 1, 2), how);
    let small = write(&support::png_noise(100, 3), how);
    let unknown = if unknown_image { standard(&support::png_noise(90_000, 4)) } else { "short".to_string() };
    let not_base64 = format!("{}!{}", "A".repeat(70_000), "B".repeat(10));
    format!(
        concat!(
            r#"{{"prompt":"a \"quoted\" \\ prompt \u00e9\/","created":1767225600,"ratio":1.5e3,"#,
            r#""images":[{{"b64":"{first}","mime":"image/png","seed":-7}},{{"b64":"{small}"}},"#,
            r#"{{"b64":"{second}","unknown_image":"{unknown}"}},{{"b64":null}}],"#,
            r#""any":["{small}","{second}"],"note":"{not_base64}","flags":[true,false,null],"tail":{{"x":[1,2,{{}}]}}}}"#
        ),
        first = first,
        small = small,
        second = second,
        unknown = unknown,
        not_base64 = not_base64,
    )
    .into_bytes()
}

/// The body fed in pieces cut at `cuts` (offsets, any order).
fn arrive(body: &[u8], cuts: &[usize], announced: bool) -> ArrivedBody {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    cuts.sort_unstable();
    let mut streaming = StreamingBody::new(announced.then_some(body.len()));
    let mut from = 0;
    for cut in cuts.into_iter().chain([body.len()]) {
        streaming.push(&body[from..cut]);
        from = cut;
    }
    streaming.finish()
}

fn plain(body: &[u8]) -> Result<Answer, serde_json::Error> {
    imagegen_runtime::base64::parse_json(body, |json| serde_json::from_slice(json))
}

/// The arrived body gives what the whole body gives, and rebuilds it exactly.
fn assert_same(body: &[u8], arrived: ArrivedBody) {
    assert_eq!(arrived.clone().into_bytes(), body, "the body comes back byte for byte");
    let ours: Result<Answer, BodyError> = json_body::from_arrived(arrived);
    match (ours, plain(body)) {
        (Ok(ours), Ok(plain)) => assert_eq!(ours, plain),
        (Err(ours), Err(plain)) => {
            assert_eq!(ours.error.to_string(), plain.to_string());
            assert_eq!(ours.body, body);
        }
        (ours, plain) => panic!("arrived {:?} vs whole {:?}", ours.map(|_| ()), plain.map(|_| ())),
    }
}

#[test]
fn canonical_base64_is_taken_out_as_it_arrives_in_every_form() {
    for how in [Written::Standard, Written::UrlSafe, Written::Unpadded, Written::EscapedSlashes] {
        let body = body(how, 1_200_000, false);
        let arrived = arrive(&body, &[1000, 70_000, 500_001, 500_002, 1_300_000], true);
        // The two long images, the first in `images` and again in `any`; the
        // non-base64 note and the short images stay text.
        assert_eq!(arrived.images().len(), 3, "{how:?}");
        assert!(arrived.text().len() < 90_000, "{how:?}: {} bytes kept", arrived.text().len());
        assert_same(&body, arrived.clone());
        let decoded = arrived.images()[0].bytes().as_ptr();
        let answer: Answer = json_body::from_arrived(arrived).unwrap();
        let first = answer.images[0].b64.as_ref().unwrap();
        assert_eq!(first.as_bytes(), support::png_noise(1_200_000, 1));
        assert_eq!(first.as_bytes().as_ptr(), decoded, "{how:?}: the image is the buffer decoded as it arrived");
        assert_eq!(answer.images[2].b64.as_ref().unwrap().as_bytes(), support::png_noise(400_001, 2));

        // A long base64 string in an unknown field: kept as its text, not a reference.
        let body = self::body(how, 1_200_000, true);
        let arrived = arrive(&body, &[1000, 70_000], false);
        assert_eq!(arrived.images().len(), 4, "{how:?}");
        assert_same(&body, arrived.clone());
        let answer: Answer = json_body::from_arrived(arrived).unwrap();
        assert_eq!(answer.images[2].extra["unknown_image"], standard(&support::png_noise(90_000, 4)));
    }
}

#[test]
fn text_that_is_not_canonical_base64_stays_text() {
    // Escaped line breaks: the image decodes the lenient way, from the text.
    let body = body(Written::Wrapped, 1_200_000, false);
    assert_same(&body, arrive(&body, &[4096, 100_000], false));
    let long_text = format!(r#"{{"prompt":"p","images":[],"note":"{}"}}"#, "=".repeat(2_000_000));
    let arrived = arrive(long_text.as_bytes(), &[70_000], true);
    assert!(arrived.is_whole());
    assert_same(long_text.as_bytes(), arrived);
}

#[test]
fn small_bodies_stay_whole() {
    let image = standard(&support::png_noise(300_000, 9));
    let body = format!(r#"{{"prompt":"p","images":[{{"b64":"{image}"}}]}}"#).into_bytes();
    assert!(body.len() < WHOLE_BODY_MAX);
    for announced in [true, false] {
        let arrived = arrive(&body, &[10, 100_000], announced);
        assert!(arrived.is_whole(), "a small body is kept whole for the envelope probe");
        assert_eq!(arrived.text(), &body[..]);
    }
}

#[test]
fn a_body_that_does_not_parse_gives_the_usual_error_and_the_body_as_received() {
    let mut body = body(Written::EscapedSlashes, 1_200_000, false);
    // `images[0].mime` a number.
    let at = body.windows(7).position(|w| w == br#""image/"#).unwrap();
    body.splice(at..at + 11, b"12345678901".iter().copied());
    let arrived = arrive(&body, &[77_777], true);
    assert!(!arrived.is_whole());
    assert_same(&body, arrived);
    // Cut short inside an image.
    let cut = &body[..600_000];
    assert_same(cut, arrive(cut, &[100_000], false));
}

#[test]
fn strings_read_twice_or_as_text_keep_their_content() {
    // `any` is one image or many (an untagged enum): its strings are read as
    // buffered content, then as images. A long string in a `String` field keeps its text.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Texts {
        any: OneOrMany<Base64Data>,
        text: String,
    }
    let image = standard(&support::png_noise(1_100_000, 5));
    let body = format!(r#"{{"any":"{image}","text":"{image}"}}"#).into_bytes();
    let arrived = arrive(&body, &[65_000, 65_536 * 3], true);
    assert_eq!(arrived.images().len(), 2);
    let texts: Texts = json_body::from_arrived(arrived).unwrap();
    assert_eq!(texts.text, image);
    assert_eq!(texts.any, OneOrMany::One(Base64Data::from_bytes(support::png_noise(1_100_000, 5))));
}

#[test]
fn text_shaped_like_a_reference_is_not_one() {
    // References carry a random nonce: a server cannot send one.
    let image = standard(&support::png_noise(1_100_000, 6));
    for fake in ["@imagegen-image:0000000000000000:0", "@imagegen-image:ffffffffffffffff:1"] {
        let body = format!(r#"{{"prompt":"{fake}","images":[{{"b64":"{image}"}},{{"b64":"{fake}"}}]}}"#).into_bytes();
        let arrived = arrive(&body, &[70_000], true);
        assert_eq!(arrived.images().len(), 1);
        assert_same(&body, arrived);
        let err = json_body::from_arrived::<Answer>(arrive(&body, &[70_000], true)).unwrap_err();
        assert!(err.error.to_string().contains("invalid base64"), "{}", err.error);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_chunk_boundaries_give_the_same_answer(
        cuts in proptest::collection::vec(0usize..2_000_000, 0..40),
        how in prop_oneof![
            Just(Written::Standard),
            Just(Written::UrlSafe),
            Just(Written::Unpadded),
            Just(Written::EscapedSlashes),
            Just(Written::Wrapped),
        ],
        big in 1_100_000usize..1_100_003,
        announced: bool,
        unknown_image: bool,
    ) {
        let body = body(how, big, unknown_image);
        assert_same(&body, arrive(&body, &cuts, announced));
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn tiny_chunks_around_every_boundary_give_the_same_answer(start in 0usize..200_000, step in 1usize..9) {
        // Byte by byte over a stretch that crosses the threshold and an escape.
        let body = body(Written::EscapedSlashes, 1_100_001, false);
        let cuts: Vec<usize> = (start..start + 2000).step_by(step).collect();
        assert_same(&body, arrive(&body, &cuts, false));
    }
}

#[tokio::test]
async fn a_client_call_decodes_a_body_in_pieces() {
    let image = support::png_noise(1_500_000, 11);
    let json = format!(r#"{{"prompt":"p","images":[{{"b64":"{}"}}]}}"#, write(&image, Written::EscapedSlashes));
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
    let pieces: Vec<Vec<u8>> =
        std::iter::once(head.as_bytes().to_vec()).chain(json.as_bytes().chunks(300_007).map(<[u8]>::to_vec)).collect();
    let (first, _) = client(&serve_raw_once(pieces).await);
    let answer: Answer = first.http.send_json(&GENERATE, "/v1/generate", Some(&serde_json::json!({}))).await.unwrap();
    assert_eq!(answer.images[0].b64.as_ref().unwrap().as_bytes(), image);

    // Not the answer's shape: a decode error with the status and the body as sent.
    let bad = json.replace(r#""prompt":"p""#, r#""prompt":7"#);
    let pieces: Vec<Vec<u8>> =
        std::iter::once(head.as_bytes().to_vec()).chain(bad.as_bytes().chunks(65_536).map(<[u8]>::to_vec)).collect();
    let (second, _) = client(&serve_raw_once(pieces).await);
    let error = second.http.send_json::<_, Answer>(&GENERATE, "/v1/generate", Some(&serde_json::json!({}))).await;
    let Err(Error::Decode(decode)) = error else { panic!("a decode error: {error:?}") };
    assert_eq!(decode.status, 200);
    assert_eq!(decode.body, Bytes::from(bad.into_bytes()));
}
