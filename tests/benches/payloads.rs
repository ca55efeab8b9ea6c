//! `cargo xtask bench`: how fast and how lean the hot paths are, as one table.
//!
//! Every speed is the median of interleaved rounds after warm-up, and every
//! ratio is against a baseline measured in the same run, so a busy machine
//! moves the numbers but much less the ratios. Baselines: a memory copy of the
//! body (the physical floor) and the naive client (`serde_json::Value` plus the
//! plain `base64` crate). MB is 10^6 bytes.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use imagegen::runtime::{json_body, Base64Data, SseEvent, SseParser};
use imagegen::{listenhub, octen, routerhub};
use serde::Deserialize;
use serde_json::{json, Value};

#[path = "payloads/counting_alloc.rs"]
mod counting_alloc;
#[path = "payloads/fixtures.rs"]
mod fixtures;
#[path = "payloads/network.rs"]
mod network;
#[path = "payloads/timing.rs"]
mod timing;
#[path = "payloads/upload.rs"]
mod upload;

use timing::{compare, compare_consuming, mb_per_s, ms};

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

type Boxed = Box<dyn std::any::Any>;

/// Body sizes of the response rows: what 1K, 2K and 4K PNGs weigh as base64 in JSON.
const SIZES: [(&str, usize); 3] = [("1K", 1_500_000), ("2K", 6_000_000), ("4K", 24_000_000)];

fn main() {
    // `cargo bench` passes `--bench`; a name filter picks sections.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |section: &str| filter.is_empty() || filter.iter().any(|f| section.contains(f.as_str()));
    println!("# imagegen payload benchmarks\n");
    println!("machine: {}, {} cores available\n", cpu_model(), available_cores());
    // First: its RSS figures want an allocator no other section has used yet.
    if run("network") {
        network::section();
    }
    if run("upload") {
        upload::section();
    }
    if run("decode") {
        decode_section();
    }
    if run("breakdown") {
        breakdown_section();
    }
    if run("encodeparts") {
        encode_breakdown_section();
    }
    if run("heap") {
        heap_section();
    }
    if run("encode") {
        encode_section();
    }
    if run("sse") {
        sse_section();
    }
    if run("codegen") {
        codegen_section();
    }
}

// ---------------------------------------------------------------- decode

/// The two wire shapes an image response comes in.
#[derive(Clone, Copy)]
enum Shape {
    /// RouterHub `generateContent`: `candidates[].content.parts[].inlineData.data`.
    Gemini,
    /// Octen images: `data[].b64_json`.
    OpenAi,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Gemini => "Gemini",
            Shape::OpenAi => "OpenAI",
        }
    }

    fn body(self, b64: &str) -> Vec<u8> {
        match self {
            Shape::Gemini => fixtures::gemini_body(b64),
            Shape::OpenAi => fixtures::openai_body(b64),
        }
    }

    /// Ours: body bytes to the typed response to the decoded image bytes.
    fn decode_typed(self, body: &[u8]) -> Bytes {
        match self {
            Shape::Gemini => gemini_image(serde_json::from_slice(body).expect("typed Gemini decode")),
            Shape::OpenAi => openai_image(serde_json::from_slice(body).expect("typed OpenAI decode")),
        }
        .expect("the response holds an image")
    }

    /// Ours as the client runs it: the body it owns decoded in place, the image a slice of it.
    fn decode_in_place(self, body: Bytes) -> Bytes {
        match self {
            Shape::Gemini => gemini_image(json_body::from_body(body).expect("in-place Gemini decode")),
            Shape::OpenAi => openai_image(json_body::from_body(body).expect("in-place OpenAI decode")),
        }
        .expect("the response holds an image")
    }

    /// The naive client: a `Value` tree, then the plain `base64` crate.
    fn decode_naive(self, body: &[u8]) -> Vec<u8> {
        let value: Value = serde_json::from_slice(body).expect("Value decode");
        let text = match self {
            Shape::Gemini => &value["candidates"][0]["content"]["parts"][1]["inlineData"]["data"],
            Shape::OpenAi => &value["data"][0]["b64_json"],
        };
        let text = text.as_str().expect("base64 text");
        base64::engine::general_purpose::STANDARD.decode(text).expect("naive base64 decode")
    }
}

fn gemini_image(response: routerhub::GenerateContentResponse) -> Option<Bytes> {
    let candidate = response.candidates?.into_iter().next()?;
    candidate.content?.parts.into_iter().find_map(|part| match part.data {
        routerhub::PartData::InlineData(blob) => blob.data.map(Base64Data::into_bytes),
        _ => None,
    })
}

fn openai_image(response: octen::ImageGenerationResponse) -> Option<Bytes> {
    response.data.into_iter().next()?.b64_json.map(Base64Data::into_bytes)
}

/// `generateContent` read by a hand-written mirror whose `Part` has the one_of
/// keys as plain optional fields (derived `Deserialize`). Only here to price the
/// generated one-pass `Deserialize` of a struct that flattens a one_of.
#[derive(Deserialize)]
struct UnflattenedResponse {
    candidates: Vec<UnflattenedCandidate>,
}

#[derive(Deserialize)]
struct UnflattenedCandidate {
    content: UnflattenedContent,
}

#[derive(Deserialize)]
struct UnflattenedContent {
    parts: Vec<UnflattenedPart>,
}

#[derive(Deserialize)]
struct UnflattenedPart {
    #[allow(dead_code)]
    text: Option<String>,
    #[serde(rename = "inlineData")]
    inline_data: Option<routerhub::Blob>,
}

fn unflattened_image(body: &[u8]) -> Bytes {
    let response: UnflattenedResponse = serde_json::from_slice(body).expect("unflattened decode");
    let parts = response.candidates.into_iter().next().expect("a candidate").content.parts;
    parts.into_iter().find_map(|p| p.inline_data?.data.map(Base64Data::into_bytes)).expect("an image")
}

/// One payload: the image, and the body that carries it.
struct Payload {
    label: &'static str,
    shape: Shape,
    image: Vec<u8>,
    body: Vec<u8>,
}

fn payloads() -> Vec<Payload> {
    let mut out = Vec::new();
    for (label, body_len) in SIZES {
        let image = fixtures::image_bytes(body_len / 4 * 3, body_len as u64);
        let b64 = fixtures::base64_text(&image);
        for shape in [Shape::Gemini, Shape::OpenAi] {
            let body = shape.body(&b64);
            out.push(Payload { label, shape, image: image.clone(), body });
        }
    }
    out
}

/// Rounds for a workload: more for small ones, at least 15.
fn rounds_for(bytes: usize) -> usize {
    (240_000_000 / bytes.max(1)).clamp(15, 61)
}

fn decode_section() {
    println!("## Response decode: body bytes to typed response to decoded image bytes\n");
    println!("Median per decode; MB/s of body. `ours` is `serde_json::from_slice` into the generated type, then taking the image `Bytes` out (the image in a buffer of its own); the in-place decode the client now runs is compared with it in the next table.\n");
    println!("| payload | body MB | memcpy floor | naive (Value + base64) | ours | ours vs naive | ours vs memcpy |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut flatten_rows = Vec::new();
    let mut in_place_rows = Vec::new();
    for p in payloads() {
        let body = p.body.as_slice();
        assert_eq!(p.shape.decode_typed(body), p.image, "typed decode is exact");
        assert_eq!(p.shape.decode_in_place(Bytes::copy_from_slice(body)), p.image, "in-place decode is exact");
        assert_eq!(p.shape.decode_naive(body), p.image, "naive decode is exact");
        let shape = p.shape;
        let mut memcpy = || -> Boxed { Box::new(Vec::from(black_box(body))) };
        let mut ours = || -> Boxed { Box::new(shape.decode_typed(black_box(body))) };
        let mut naive = || -> Boxed { Box::new(shape.decode_naive(black_box(body))) };
        let mut unflattened = || -> Boxed { Box::new(unflattened_image(black_box(body))) };
        let rounds = rounds_for(body.len());
        let times = match shape {
            Shape::Gemini => compare(rounds, &mut [&mut memcpy, &mut ours, &mut naive, &mut unflattened]),
            Shape::OpenAi => compare(rounds, &mut [&mut memcpy, &mut ours, &mut naive]),
        };
        let (floor, ours_t, naive_t) = (times[0], times[1], times[2]);
        println!(
            "| {} {} | {:.2} | {} | {} | {} | **{:.2}x faster** | **{:.2}x the time** |",
            p.label,
            shape.name(),
            body.len() as f64 / 1e6,
            speed(body.len(), floor),
            speed(body.len(), naive_t),
            speed(body.len(), ours_t),
            naive_t.as_secs_f64() / ours_t.as_secs_f64(),
            ours_t.as_secs_f64() / floor.as_secs_f64(),
        );
        if let Shape::Gemini = shape {
            flatten_rows.push((p.label, body.len(), ours_t, times[3]));
        }
        // Decoding in place consumes the body: every variant here gets a fresh
        // copy, made before its clock starts, as the client gets a fresh body.
        let mut copy = |b: Bytes| -> Boxed { Box::new((shape.decode_typed(black_box(&b)), b)) };
        let mut in_place = |b: Bytes| -> Boxed { Box::new(shape.decode_in_place(b)) };
        let pair = compare_consuming(rounds, || Bytes::copy_from_slice(body), &mut [&mut copy, &mut in_place]);
        in_place_rows.push((p.label, shape.name(), body.len(), pair[0], pair[1], floor));
    }
    println!("\n### Decoding in place (`json_body::from_body`, what the client runs)\n");
    println!("Each call decodes a body it owns, freshly copied before its clock starts (as the client owns a freshly read body). `copy` is `serde_json::from_slice` into the generated type, the image in a new buffer (the client before); `in place` writes the image over its own base64 text and hands it out as a slice of the body, allocating nothing of its size. Target: in place no slower than copy. The memcpy floor is from the table above.\n");
    println!("| payload | copy | in place | **in place vs copy** | in place vs memcpy |");
    println!("|---|---:|---:|---:|---:|");
    for (label, shape, len, copy_t, in_place_t, floor) in in_place_rows {
        println!(
            "| {label} {shape} | {} | {} | **{:.2}x the time** | {:.2}x the time |",
            speed(len, copy_t),
            speed(len, in_place_t),
            in_place_t.as_secs_f64() / copy_t.as_secs_f64(),
            in_place_t.as_secs_f64() / floor.as_secs_f64(),
        );
    }
    println!("\n### Price of the flattened one_of on Gemini `Part`\n");
    println!("Same bodies, read by a hand-written mirror of `Part` with the one_of keys as plain optional fields (derived `Deserialize`). The generated `Part` flattens a one_of and gets a one-pass `Deserialize` instead of serde's buffering `#[serde(flatten)]`.\n");
    println!("| payload | generated (one-pass, flattened one_of) | mirror (plain fields) | generated costs |");
    println!("|---|---:|---:|---:|");
    for (label, len, flat, plain) in flatten_rows {
        println!(
            "| {label} Gemini | {} | {} | {:+.1}% |",
            speed(len, flat),
            speed(len, plain),
            (flat.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0
        );
    }
    println!();
}

fn speed(bytes: usize, time: Duration) -> String {
    format!("{:.2} ms ({:.0} MB/s)", ms(time), mb_per_s(bytes, time))
}

/// Where the time of one 4K decode goes: the parts of the pipeline alone.
fn breakdown_section() {
    println!("## Where a 4K decode spends its time\n");
    let image = fixtures::image_bytes(18_000_000, 7);
    let b64 = fixtures::base64_text(&image);
    let body = fixtures::openai_body(&b64);
    let (body, b64) = (body.as_slice(), b64.as_bytes());
    let mut memcpy = || -> Boxed { Box::new(Vec::from(black_box(body))) };
    let mut simd = || -> Boxed { Box::new(base64_simd::STANDARD.decode_to_vec(black_box(b64)).unwrap()) };
    let mut plain = || -> Boxed { Box::new(base64::engine::general_purpose::STANDARD.decode(black_box(b64)).unwrap()) };
    let mut scan_str =
        || -> Boxed { Box::new(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body)).unwrap()) };
    let mut utf8 = || -> Boxed { Box::new(std::str::from_utf8(black_box(body)).is_ok()) };
    let mut ours = || -> Boxed { Box::new(Shape::OpenAi.decode_typed(black_box(body))) };
    let names = [
        "memcpy of the body",
        "base64-simd decode of the text alone",
        "plain base64 decode of the text alone",
        "serde_json skipping the body (IgnoredAny)",
        "UTF-8 check of the body",
        "ours, whole decode",
    ];
    let times = compare(15, &mut [&mut memcpy, &mut simd, &mut plain, &mut scan_str, &mut utf8, &mut ours]);
    println!("| step | time | MB/s of body |");
    println!("|---|---:|---:|");
    for (name, time) in names.iter().zip(times) {
        println!("| {name} | {:.2} ms | {:.0} |", ms(time), mb_per_s(body.len(), time));
    }
    println!();
}

// ---------------------------------------------------------------- heap

fn heap_section() {
    println!("## Peak heap during one decode\n");
    println!("Counted by a global allocator in the bench binary. `peak` is the high-water mark of live heap during the decode plus the body (already live); `allocated` is every byte requested during the decode (a copy of the base64 text would show here). `in place` is what the client runs (`json_body::from_body`), target: peak at most 1.05x the body; `copy` is `serde_json::from_slice` (before), whose floor is body + decoded.\n");
    println!("| payload | body MB | body + decoded MB | in place peak | in place allocated | **in place peak / body** | copy peak | copy peak / (body + decoded) | naive peak / (body + decoded) | unflattened mirror peak / (body + decoded) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for p in payloads() {
        let body = p.body.as_slice();
        let floor = body.len() + p.image.len();
        let owned = Bytes::copy_from_slice(body);
        let in_place = counting_alloc::measure(|| p.shape.decode_in_place(owned));
        let ours = counting_alloc::measure(|| p.shape.decode_typed(body));
        let naive = counting_alloc::measure(|| p.shape.decode_naive(body));
        let mirror = match p.shape {
            Shape::Gemini => {
                let m = counting_alloc::measure(|| unflattened_image(body));
                format!("{:.2}x", (m.peak_above_start + body.len()) as f64 / floor as f64)
            }
            Shape::OpenAi => "n/a".to_owned(),
        };
        let ratio = |peak: usize| (peak + body.len()) as f64 / floor as f64;
        println!(
            "| {} {} | {:.2} | {:.2} | {:.2} MB | {:.3} MB | **{:.3}x** | {:.2} MB | {:.3}x | {:.2}x | {mirror} |",
            p.label,
            p.shape.name(),
            body.len() as f64 / 1e6,
            floor as f64 / 1e6,
            (in_place.peak_above_start + body.len()) as f64 / 1e6,
            in_place.allocated as f64 / 1e6,
            (in_place.peak_above_start + body.len()) as f64 / body.len() as f64,
            (ours.peak_above_start + body.len()) as f64 / 1e6,
            ratio(ours.peak_above_start),
            ratio(naive.peak_above_start),
        );
    }
    println!();
}

// ---------------------------------------------------------------- encode

const REFERENCE_IMAGES: usize = 14;
const REFERENCE_IMAGE_LEN: usize = 1_000_000;
const PROMPT: &str = "A watercolor of the harbour at dawn, in the style of the references";

fn encode_section() {
    println!(
        "## Request encode: ListenHub `GenerateImageRequest` with {REFERENCE_IMAGES} inline reference images of 1 MB\n"
    );
    let images: Vec<Bytes> = (0..REFERENCE_IMAGES)
        .map(|i| Bytes::from(fixtures::image_bytes(REFERENCE_IMAGE_LEN, 0xC0FFEE + i as u64)))
        .collect();
    // Building the typed request only moves `Bytes` handles; the encoding happens in `to_vec`.
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, PROMPT)
        .with_model(listenhub::ImageModel::Gemini3ProImage)
        .with_reference_images(
            images
                .iter()
                .map(|bytes| {
                    listenhub::ReferenceImage::InlineData(listenhub::InlineData::new(
                        Base64Data::from_bytes(bytes.clone()),
                        listenhub::ImageMimeType::ImagePng,
                    ))
                })
                .collect(),
        );
    let naive_encode = || {
        let references: Vec<Value> = images
            .iter()
            .map(|bytes| {
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                json!({ "inlineData": { "data": data, "mimeType": "image/png" } })
            })
            .collect();
        let body = json!({
            "provider": "google",
            "model": "gemini-3-pro-image",
            "prompt": PROMPT,
            "referenceImages": references,
        });
        serde_json::to_vec(&body).expect("naive encode")
    };
    let ours_body = json_body::to_vec(&request).expect("typed encode");
    assert_eq!(ours_body, serde_json::to_vec(&request).unwrap(), "the same bytes as serde_json");
    let naive_body = naive_encode();
    let (a, b): (Value, Value) =
        (serde_json::from_slice(&ours_body).unwrap(), serde_json::from_slice(&naive_body).unwrap());
    assert!(imagegen::runtime::json::same_meaning(&a, &b), "both encoders send the same request");
    let body_len = ours_body.len();
    // The floor: the images' base64 written into one exact-size buffer, nothing else.
    let floor_encode = || {
        let mut out = Vec::with_capacity(body_len);
        for image in &images {
            base64_simd::STANDARD.encode_append(black_box(image), &mut out);
        }
        out
    };

    let mut floor = || -> Boxed { Box::new(floor_encode()) };
    let mut memcpy = || -> Boxed { Box::new(Vec::from(black_box(ours_body.as_slice()))) };
    let mut ours = || -> Boxed { Box::new(json_body::to_vec(black_box(&request)).expect("typed encode")) };
    let mut before = || -> Boxed { Box::new(serde_json::to_vec(black_box(&request)).expect("typed encode")) };
    let mut naive = || -> Boxed { Box::new(naive_encode()) };
    // The naive encoder frees ~100 MB per call, after which the allocator hands
    // the next call fresh pages to fault in: in the same rounds it made whichever
    // variant ran next look 3-4x slower. It is compared with ours on its own.
    let times = compare(rounds_for(body_len), &mut [&mut floor, &mut memcpy, &mut ours, &mut before]);
    let (floor_t, memcpy_t, ours_t, before_t) = (times[0], times[1], times[2], times[3]);
    let mut ours_again = || -> Boxed { Box::new(json_body::to_vec(black_box(&request)).expect("typed encode")) };
    // Runs right after naive and takes the page faults its frees leave behind.
    let mut absorb = || -> Boxed { Box::new(vec![1u8; body_len]) };
    let naive_times = compare(rounds_for(body_len), &mut [&mut ours_again, &mut naive, &mut absorb]);
    let naive_t = naive_times[1];
    println!("Median per request; MB/s of body produced. The floor is base64-simd `encode_append` of the 14 images into one exact-size `Vec` (no JSON at all). `ours` is `json_body::to_vec(&request)`, what the client sends; `before` is `serde_json::to_vec(&request)` (the client before this change, and what a caller gets with plain serde_json); naive is `base64` into `String`s, `json!`, `to_vec`, timed against ours in separate rounds (its frees would make the next variant pay page faults; a throwaway allocation after it takes them). Target: ours at most 1.3x the floor.\n");
    println!("| body MB | floor (base64-simd into exact buffer) | memcpy of the body | naive | before | ours | **ours vs floor** | before vs floor | ours vs naive |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {:.2} | {} | {} | {} | {} | {} | **{:.2}x the time** | {:.2}x the time | {:.2}x faster |\n",
        body_len as f64 / 1e6,
        speed(body_len, floor_t),
        speed(body_len, memcpy_t),
        speed(body_len, naive_t),
        speed(body_len, before_t),
        speed(body_len, ours_t),
        ours_t.as_secs_f64() / floor_t.as_secs_f64(),
        before_t.as_secs_f64() / floor_t.as_secs_f64(),
        naive_t.as_secs_f64() / naive_times[0].as_secs_f64(),
    );
    println!("Heap during one encode (the request, holding the images, is live before and not counted). Target: peak at most 1.05x the body.\n");
    println!("| encoder | peak heap | allocated | **peak / body** |");
    println!("|---|---:|---:|---:|");
    for (name, heap) in [
        ("floor", counting_alloc::measure(floor_encode)),
        ("ours (`json_body::to_vec`)", counting_alloc::measure(|| json_body::to_vec(&request).unwrap())),
        ("before (`serde_json::to_vec`)", counting_alloc::measure(|| serde_json::to_vec(&request).unwrap())),
        ("naive", counting_alloc::measure(naive_encode)),
    ] {
        println!(
            "| {name} | {:.2} MB | {:.2} MB | **{:.3}x** |",
            heap.peak_above_start as f64 / 1e6,
            heap.allocated as f64 / 1e6,
            heap.peak_above_start as f64 / body_len as f64
        );
    }
    println!();
}

/// Where the time of one request encode goes.
fn encode_breakdown_section() {
    println!("## Where a request encode spends its time\n");
    let images: Vec<Vec<u8>> =
        (0..REFERENCE_IMAGES).map(|i| fixtures::image_bytes(REFERENCE_IMAGE_LEN, 0xC0FFEE + i as u64)).collect();
    let texts: Vec<String> = images.iter().map(|i| base64_simd::STANDARD.encode_to_string(i)).collect();
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, PROMPT).with_reference_images(
        images
            .iter()
            .map(|bytes| {
                listenhub::ReferenceImage::InlineData(listenhub::InlineData::new(
                    Base64Data::from_bytes(bytes.clone()),
                    listenhub::ImageMimeType::ImagePng,
                ))
            })
            .collect(),
    );
    let body_len = serde_json::to_vec(&request).unwrap().len();
    let mut simd = || -> Boxed {
        Box::new(images.iter().map(|i| base64_simd::STANDARD.encode_to_string(black_box(i))).collect::<Vec<_>>())
    };
    let mut strings = || -> Boxed { Box::new(serde_json::to_vec(black_box(&texts)).unwrap()) };
    let mut strings_sized = || -> Boxed {
        let mut out = Vec::with_capacity(body_len + 1024);
        serde_json::to_writer(&mut out, black_box(&texts)).unwrap();
        Box::new(out)
    };
    let mut ours = || -> Boxed { Box::new(serde_json::to_vec(black_box(&request)).unwrap()) };
    let mut ours_sized = || -> Boxed {
        let mut out = Vec::with_capacity(body_len + 1024);
        serde_json::to_writer(&mut out, black_box(&request)).unwrap();
        Box::new(out)
    };
    let mut json_body_ = || -> Boxed { Box::new(json_body::to_vec(black_box(&request)).unwrap()) };
    let names = [
        "base64-simd encode of the 14 images",
        "serde_json writing 14 ready strings (to_vec)",
        "the same into a pre-sized Vec",
        "serde_json::to_vec(&request) (before)",
        "the same into a pre-sized Vec",
        "json_body::to_vec(&request) (ours)",
    ];
    let times =
        compare(15, &mut [&mut simd, &mut strings, &mut strings_sized, &mut ours, &mut ours_sized, &mut json_body_]);
    println!("| step | time |");
    println!("|---|---:|");
    for (name, time) in names.iter().zip(times) {
        println!("| {name} | {:.2} ms |", ms(time));
    }
    println!();
}

// ---------------------------------------------------------------- sse

const PARTIAL_IMAGES: usize = 3;
const STREAM_IMAGE_LEN: usize = 1_500_000;

/// Parses a whole stream pushed in `chunk`-byte pieces; returns the raw events.
fn parse_stream(stream: &[u8], chunk: usize) -> Vec<imagegen::runtime::RawEvent> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for piece in stream.chunks(chunk) {
        events.extend(parser.push(piece));
    }
    assert!(!parser.finish(), "the stream ends on an event boundary");
    events
}

/// Parses and types a whole stream; returns the decoded images.
fn decode_stream(stream: &[u8], chunk: usize) -> Vec<Bytes> {
    let mut parser = SseParser::new();
    let mut images = Vec::new();
    for piece in stream.chunks(chunk) {
        for raw in parser.push(piece) {
            let event = octen::ImageStreamEvent::from_sse(raw.event.as_deref(), &raw.data).expect("typed event");
            images.push(match event {
                octen::ImageStreamEvent::ImageGenerationPartialImage(e) => e.b64_json,
                octen::ImageStreamEvent::ImageGenerationCompleted(e) => e.b64_json,
                _ => None,
            });
        }
    }
    images.into_iter().map(|i| i.expect("an image").into_bytes()).collect()
}

fn sse_section() {
    println!("## SSE: Octen image stream, {PARTIAL_IMAGES} partial + 1 completed event of ~2 MB base64 each\n");
    let stream = fixtures::image_stream(PARTIAL_IMAGES, STREAM_IMAGE_LEN);
    println!("Median per whole stream ({:.2} MB); MB/s of stream. `parse` is `SseParser::push` per chunk; `parse + typed` also decodes each event into `ImageStreamEvent` with its image bytes.\n", stream.len() as f64 / 1e6);
    println!("| chunk | memcpy floor | parse | parse + typed | parse vs memcpy | parse + typed vs memcpy |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for chunk in [16 * 1024, 1460] {
        assert_eq!(parse_stream(&stream, chunk).len(), PARTIAL_IMAGES + 1);
        assert_eq!(decode_stream(&stream, chunk).len(), PARTIAL_IMAGES + 1);
        let s = stream.as_slice();
        let mut memcpy = || -> Boxed { Box::new(Vec::from(black_box(s))) };
        let mut parse = || -> Boxed { Box::new(parse_stream(black_box(s), chunk)) };
        let mut typed = || -> Boxed { Box::new(decode_stream(black_box(s), chunk)) };
        let times = compare(rounds_for(s.len()), &mut [&mut memcpy, &mut parse, &mut typed]);
        println!(
            "| {chunk} B | {} | {} | {} | {:.2}x the time | {:.2}x the time |",
            speed(s.len(), times[0]),
            speed(s.len(), times[1]),
            speed(s.len(), times[2]),
            times[1].as_secs_f64() / times[0].as_secs_f64(),
            times[2].as_secs_f64() / times[0].as_secs_f64(),
        );
    }
    println!();
}

// ---------------------------------------------------------------- codegen

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// The four provider specs alone: load, check, lower, emit and format every
/// file of `generated/`, in memory (specs are generated side by side, as `cargo xtask codegen` does).
fn provider_crate_files(root: &Path) -> usize {
    let files = xtask::generated_crate_files(root).expect("specs are valid");
    files.iter().map(|f| f.contents.len()).sum()
}

/// Token streams of every file of the provider modules, unformatted.
fn emit_all(apis: &[imagegen_codegen::ir::Api]) -> Vec<proc_macro2::TokenStream> {
    use imagegen_codegen::emit;
    let mut out = Vec::new();
    for api in apis {
        out.extend([emit::root::provider_module(api), emit::types::emit(api), emit::validate::emit(api)]);
        out.extend([emit::client::emit(api), emit::dispatch::emit(api)]);
        out.extend(emit::examples::emit(api));
    }
    out.extend([emit::root::crate_root(apis), emit::root::registry(apis)]);
    out
}

fn codegen_section() {
    println!("## Generator: all specs, in memory (load + check + lower + emit + format, no writes)\n");
    let root = workspace_root();
    let all_files = match xtask::workspace_files(&root) {
        Ok(files) => files,
        Err(problems) => {
            println!("Skipped: the specs in the working tree have errors.\n\n```\n{}```\n", problems.render());
            return;
        }
    };
    let mut providers = || -> Boxed { Box::new(provider_crate_files(&root)) };
    let mut everything = || -> Boxed { Box::new(xtask::workspace_files(&root).expect("specs are valid")) };
    let load = || imagegen_codegen::files::load_specs(&root, Path::new("specs")).expect("specs are valid");
    let apis = load();
    let tokens = emit_all(&apis);
    let mut load_only = || -> Boxed { Box::new(load()) };
    let mut emit_only = || -> Boxed { Box::new(emit_all(black_box(&apis)).len()) };
    let mut parse_only = || -> Boxed {
        Box::new(
            tokens.iter().map(|t| syn::parse2::<syn::File>(t.clone()).expect("valid Rust").items.len()).sum::<usize>(),
        )
    };
    let mut format_only = || -> Boxed {
        Box::new(
            tokens
                .iter()
                .map(|t| {
                    imagegen_codegen::files::format_rust(t.clone(), "specs", "cargo xtask codegen")
                        .expect("valid Rust")
                        .len()
                })
                .sum::<usize>(),
        )
    };
    let times = compare(
        15,
        &mut [&mut providers, &mut everything, &mut load_only, &mut emit_only, &mut parse_only, &mut format_only],
    );
    println!("Median of 15 runs, release build. Target: under 50 ms.\n");
    println!("| what | files | time | target |");
    println!("|---|---:|---:|---|");
    let spec_count = std::fs::read_dir(root.join("specs"))
        .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "yaml")).count())
        .unwrap_or(0);
    println!(
        "| the {spec_count} provider specs → `generated/` | {} | {:.1} ms | {} |",
        all_files.iter().filter(|f| f.path.starts_with("generated")).count(),
        ms(times[0]),
        verdict(times[0])
    );
    println!(
        "| everything `cargo xtask codegen` produces (plus snapshot specs and schema) | {} | {:.1} ms | {} |\n",
        all_files.len(),
        ms(times[1]),
        verdict(times[1])
    );
    println!("Where the time of the provider specs goes, each step on one thread (the totals above use every core):\n");
    println!("| step | time |");
    println!("|---|---:|");
    println!(
        "| load + check + lower the {spec_count} specs (YAML parse, positions, checks) | {:.1} ms |",
        ms(times[2])
    );
    println!("| emit token streams | {:.1} ms |", ms(times[3]));
    println!("| `syn::parse2` of the tokens alone | {:.1} ms |", ms(times[4]));
    println!("| format (`syn::parse2` + `prettyplease::unparse` + header) | {:.1} ms |\n", ms(times[5]));
}

fn verdict(time: Duration) -> &'static str {
    if time < Duration::from_millis(50) {
        "met"
    } else {
        "MISSED"
    }
}

// ---------------------------------------------------------------- machine

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
