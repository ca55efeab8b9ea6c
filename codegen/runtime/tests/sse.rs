//! Server-sent events: the parser on its own, and typed streams over HTTP.

mod support;

use futures_util::StreamExt;
use imagegen_runtime::error::StreamError;
use imagegen_runtime::{Error, RawEvent, SseEvent, SseParser};
use proptest::prelude::*;
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn parse_chunks(chunks: &[&[u8]]) -> Vec<RawEvent> {
    let mut parser = SseParser::new();
    chunks.iter().flat_map(|c| parser.push(c).collect::<Vec<_>>()).collect()
}

fn parse_bytewise(input: &[u8]) -> Vec<RawEvent> {
    let chunks: Vec<&[u8]> = input.chunks(1).collect();
    parse_chunks(&chunks)
}

fn event(name: Option<&str>, data: &str) -> RawEvent {
    RawEvent { event: name.map(str::to_string), data: data.to_string(), id: None }
}

#[test]
fn event_split_across_chunks_is_reassembled() {
    let input = b"event: image_edit.partial_image\ndata: {\"b64_json\":\"iVBOR\"}\n\n";
    let expected = vec![event(Some("image_edit.partial_image"), r#"{"b64_json":"iVBOR"}"#)];
    assert_eq!(parse_bytewise(input), expected);
    assert_eq!(parse_chunks(&[&input[..17], &input[17..40], &input[40..]]), expected);
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    assert_eq!(parse_chunks(&[b"data: a\ndata:b\ndata\ndata:  c\n\n"]), vec![event(None, "a\nb\n\n c")]);
}

#[test]
fn comments_and_keep_alives_dispatch_nothing() {
    let input = b": keep-alive\n\n:\n\n\n\nevent: ping\n\ndata: x\n\n";
    // `event: ping` with no data is not dispatched, and its name does not leak into the next event.
    assert_eq!(parse_chunks(&[input]), vec![event(None, "x")]);
}

#[test]
fn cr_lf_and_crlf_line_endings_are_equivalent() {
    let expected = vec![event(Some("e"), "1"), event(None, "2")];
    assert_eq!(parse_chunks(&[b"event: e\ndata: 1\n\ndata: 2\n\n"]), expected);
    assert_eq!(parse_chunks(&[b"event: e\rdata: 1\r\rdata: 2\r\r"]), expected);
    assert_eq!(parse_chunks(&[b"event: e\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n"]), expected);
    // A CRLF split between two chunks is one line end, not two.
    assert_eq!(parse_chunks(&[b"event: e\r", b"\ndata: 1\r", b"\n\r", b"\ndata: 2\r\n\r\n"]), expected);
}

#[test]
fn leading_bom_is_ignored_even_when_split() {
    let expected = vec![event(Some("e"), "1")];
    assert_eq!(parse_chunks(&[b"\xEF\xBB\xBFevent: e\ndata: 1\n\n"]), expected);
    assert_eq!(parse_chunks(&[b"\xEF", b"\xBB", b"\xBFevent: e\ndata: 1\n\n"]), expected);
}

#[test]
fn only_one_space_after_the_colon_is_stripped() {
    assert_eq!(parse_chunks(&[b"data:x\n\ndata:  y\n\n"]), vec![event(None, "x"), event(None, " y")]);
}

#[test]
fn id_persists_across_events_and_retry_sets_the_reconnect_time() {
    let mut parser = SseParser::new();
    let events: Vec<RawEvent> = parser.push(b"id: 7\nretry: 1500\ndata: a\n\ndata: b\n\nretry: x\n").collect();
    assert_eq!(events.iter().map(|e| e.id.as_deref()).collect::<Vec<_>>(), [Some("7"), Some("7")]);
    assert_eq!(parser.reconnect_ms(), Some(1500));
    assert_eq!(parser.last_event_id(), Some("7"));
}

#[test]
fn a_retry_too_large_for_u64_keeps_the_last_valid_value() {
    let mut parser = SseParser::new();
    let events = parser.push(b"retry: 1500\ndata: a\n\nretry: 99999999999999999999999\ndata: b\n\n").count();
    assert_eq!(events, 2);
    assert_eq!(parser.reconnect_ms(), Some(1500));
}

#[test]
fn invalid_utf8_in_a_field_becomes_replacement_characters_and_valid_text_is_kept() {
    // Invalid bytes only in the second data line; a multi-byte character split across chunks elsewhere.
    let events = parse_chunks(&[b"event: caf\xC3", b"\xA9\ndata: ok \xE2\x9C\x93\ndata: bad \xFF\xFE end\n\n"]);
    assert_eq!(events, vec![event(Some("caf\u{e9}"), "ok \u{2713}\nbad \u{FFFD}\u{FFFD} end")]);
}

#[test]
fn trailing_event_without_a_blank_line_is_discarded() {
    let mut parser = SseParser::new();
    assert_eq!(parser.push(b"data: done\n\ndata: cut").count(), 1);
    assert!(parser.finish(), "an incomplete event was pending");
}

#[test]
fn eight_mib_data_line_in_1460_byte_chunks_is_scanned_once() {
    let payload = "A".repeat(8 * 1024 * 1024);
    let input = format!("event: image_generation.completed\ndata: {payload}\n\n").into_bytes();
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for chunk in input.chunks(1460) {
        events.extend(parser.push(chunk));
    }
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data.len(), payload.len());
    // Linear: every input byte is looked at once. A parser that rescans its
    // buffer per chunk would scan ~24 GB here (5,700 chunks x 4 MiB on average).
    assert!(parser.bytes_scanned() <= input.len() as u64, "scanned {} of {}", parser.bytes_scanned(), input.len());
}

/// A test event type: the event name (or the data's `type`), terminal on `*.completed`.
#[derive(Debug)]
struct TestEvent {
    name: String,
    data: Value,
}

impl SseEvent for TestEvent {
    fn from_sse(event: Option<&str>, data: &str) -> Result<Self, serde_json::Error> {
        let data: Value = serde_json::from_str(data)?;
        let name = event.map(str::to_string).or_else(|| data["type"].as_str().map(str::to_string)).unwrap_or_default();
        Ok(Self { name, data })
    }

    fn is_terminal(&self) -> bool {
        self.name.ends_with(".completed")
    }
}

async fn open_stream(url: &str) -> Result<imagegen_runtime::EventStream<TestEvent>, Error> {
    let (client, _) = client(url);
    client.http.send_sse::<_, TestEvent>(&GENERATE, "/v1/generate", Some(&json!({"stream": true}))).await
}

#[tokio::test]
async fn real_openai_image_stream_yields_events_until_the_terminal_one() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/real-fixtures/openai-images-sse/tracy-images-edits-stream.sse"
    );
    let body = std::fs::read(path).expect("fixture");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("accept", "text/event-stream"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let stream = open_stream(&server.uri()).await.expect("stream opens");
    let events: Vec<_> = stream.collect().await;
    let names: Vec<String> = events.iter().map(|e| e.as_ref().map(|e| e.name.clone()).unwrap_or_default()).collect();
    assert!(events.iter().all(Result::is_ok), "{events:?}");
    assert_eq!(names.last().map(String::as_str), Some("image_edit.completed"));
    assert!(names[..names.len() - 1].iter().all(|n| n == "image_edit.partial_image"), "{names:?}");
    let last = events.last().and_then(|e| e.as_ref().ok()).expect("terminal event");
    assert_eq!(last.data["b64_json"].as_str().map(|s| &s[..5]), Some("iVBOR"));
}

#[tokio::test]
async fn stream_ending_before_the_terminal_event_is_an_error_and_not_resent() {
    let server = MockServer::start().await;
    let body = "event: image_generation.partial_image\ndata: {\"partial_image_index\":0}\n\n";
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let events: Vec<_> = open_stream(&server.uri()).await.expect("stream opens").collect().await;
    assert_eq!(events.len(), 2);
    assert!(events[0].is_ok());
    assert!(
        matches!(&events[1], Err(Error::Stream(StreamError::EndedBeforeTerminal { events: 1 }))),
        "{:?}",
        events[1]
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

#[tokio::test]
async fn connection_cut_mid_event_is_a_stream_error() {
    let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    let first = b"data: {\"type\":\"image_generation.partial_image\"}\n\n";
    let cut = b"data: {\"type\":\"image_generation.comp";
    let chunk = |data: &[u8]| [format!("{:x}\r\n", data.len()).into_bytes(), data.to_vec(), b"\r\n".to_vec()].concat();
    // No terminating zero-length chunk: the server dies mid-body.
    let url = serve_raw_once(vec![head, chunk(first), chunk(cut)]).await;
    let events: Vec<_> = open_stream(&url).await.expect("stream opens").collect().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].as_ref().map(|e| e.name.as_str()).ok(), Some("image_generation.partial_image"));
    assert!(matches!(events[1], Err(Error::Stream(_))), "{:?}", events[1]);
}

#[tokio::test]
async fn bad_event_is_reported_and_the_stream_goes_on_to_the_terminal_event() {
    let server = MockServer::start().await;
    let body =
        "data: {not json\n\n: keep-alive\n\ndata: {\"type\":\"image_generation.completed\"}\n\ndata: {\"after\":1}\n\n";
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let events: Vec<_> = open_stream(&server.uri()).await.expect("stream opens").collect().await;
    assert_eq!(events.len(), 2, "nothing after the terminal event: {events:?}");
    assert!(matches!(&events[0], Err(Error::Stream(StreamError::BadEvent { snippet, .. })) if snippet == "{not json"));
    assert!(events[1].as_ref().is_ok_and(|e| e.is_terminal()));
}

#[tokio::test]
async fn error_status_on_a_stream_request_is_an_api_error() {
    let server = MockServer::start().await;
    let body =
        json!({"error": {"message": "bad size", "type": "invalid_request_error", "param": "size", "code": null}});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(400).set_body_json(body)).mount(&server).await;
    let err = open_stream(&server.uri()).await.expect_err("400");
    assert_eq!(err.as_api().and_then(|e| e.message()), Some("bad size"));
}

#[tokio::test]
async fn oversized_streamed_event_is_body_too_large() {
    let server = MockServer::start().await;
    let body = format!("data: {}\n\n", "x".repeat(5_000));
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let (builder, _) = builder(&server.uri());
    let client = builder.max_response_bytes(1_000).build().expect("client");
    let stream = client.http.send_sse::<_, TestEvent>(&GENERATE, "/x", Some(&json!({}))).await.expect("opens");
    let events: Vec<_> = stream.collect().await;
    assert!(matches!(events.as_slice(), [Err(Error::BodyTooLarge { limit: 1_000, .. })]), "{events:?}");
}

fn sse_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"data:".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"event: e".to_vec()),
        Just(b"id: 1".to_vec()),
        Just(b"id: a\0b".to_vec()),
        Just(b"retry: 10".to_vec()),
        Just(b":".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("é".as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    prop::collection::vec(token, 0..60).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn sse_parser_never_panics_and_chunking_does_not_change_the_events(
        input in sse_bytes(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let whole = parse_chunks(&[&input]);
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(input.len() + 1)).collect();
        points.push(0);
        points.push(input.len());
        points.sort_unstable();
        let chunks: Vec<&[u8]> = points.windows(2).map(|w| &input[w[0]..w[1]]).collect();
        prop_assert_eq!(&parse_chunks(&chunks), &whole);
        prop_assert_eq!(&parse_bytewise(&input), &whole);
    }

    #[test]
    fn sse_parser_survives_arbitrary_bytes(input in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut parser = SseParser::new();
        let events: Vec<RawEvent> = parser.push(&input).collect();
        parser.finish();
        // Every dispatched event carries data from at least one `data` line.
        prop_assert!(events.len() <= input.len() / 5);
        prop_assert!(parser.bytes_scanned() <= input.len() as u64);
    }
}
