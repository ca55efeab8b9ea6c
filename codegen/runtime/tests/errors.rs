//! Error envelopes, undecodable bodies and the body size cap.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use imagegen_runtime::{Envelope, Error, ErrorEnvelope};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixtures(kind: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/real-fixtures").join(kind);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// Reads `body` through `envelopes`, as the client does.
fn read(envelopes: &'static [Envelope], body: &[u8]) -> Option<ErrorEnvelope> {
    ErrorEnvelope::read(envelopes, body)
}

#[test]
fn every_real_gemini_error_is_read_through_the_declared_google_envelope() {
    for (file, body) in fixtures("gemini-error") {
        let e = read(&[GOOGLE, OPENAI], &body).unwrap_or_else(|| panic!("{}: not recognised", file.display()));
        assert_eq!(e.name(), "google", "{}", file.display());
        assert!(e.message.is_some() && e.code.is_some() && e.status.is_some(), "{}: {e:?}", file.display());
    }
}

#[test]
fn every_real_openai_error_is_read_through_the_declared_openai_envelope() {
    for (file, body) in fixtures("openai-error") {
        // A relay's Gemini endpoint lists Google first: OpenAI bodies still fall through to OpenAI.
        let e = read(&[GOOGLE, OPENAI], &body).unwrap_or_else(|| panic!("{}: not recognised", file.display()));
        assert_eq!(e.name(), "openai", "{}", file.display());
        assert!(e.message.is_some() && e.error_type.is_some(), "{}: {e:?}", file.display());
    }
}

#[test]
fn array_wrapped_google_envelope_is_accepted() {
    let (_, body) = fixtures("gemini-error")
        .into_iter()
        .find(|(p, _)| p.to_string_lossy().contains("array-wrapped"))
        .expect("fixture present");
    let envelope = read(&[GOOGLE], &body).expect("recognised");
    assert_eq!(envelope.code.as_deref(), Some("INVALID_ARGUMENT"));
    assert_eq!(envelope.status, Some(400));
}

#[test]
fn google_retry_info_gives_the_retry_delay() {
    let body = |delay: &str| {
        serde_json::to_vec(&json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
            {"@type": "type.googleapis.com/google.rpc.Help", "links": []},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
        ]}}))
        .expect("json")
    };
    let delay = |text: &str| read(&[GOOGLE], &body(text)).and_then(|e| e.retry_delay);
    assert_eq!(delay("34.4s"), Some(Duration::from_millis(34_400)));
    assert_eq!(delay("1s"), Some(Duration::from_secs(1)));
    assert_eq!(delay("0.5s"), Some(Duration::from_millis(500)));
    assert_eq!(delay("48.939935699s"), Some(Duration::new(48, 939_935_699)));
    // Not durations: no unit, a negative value, more than nanosecond precision, empty parts.
    for bad in ["34", "-1s", "1.0000000001s", "s", ".5s", "1.s", "1e3s", "soon", " 1s"] {
        assert_eq!(delay(bad), None, "{bad:?}");
    }
    // A value too large for a Duration is still "a very long time", bounded like Retry-After.
    assert_eq!(delay("99999999999999999999999s"), Some(Duration::from_secs(24 * 60 * 60)));
}

#[test]
fn the_real_google_quota_error_carries_its_retry_delay() {
    let (_, body) = fixtures("gemini-error")
        .into_iter()
        .find(|(p, _)| p.to_string_lossy().contains("retryinfo"))
        .expect("fixture present");
    assert_eq!(read(&[GOOGLE], &body).and_then(|e| e.retry_delay), Some(Duration::from_secs(48)));
    // Envelopes without RetryInfo give no hint.
    let (_, other) = fixtures("gemini-error")
        .into_iter()
        .find(|(p, _)| p.to_string_lossy().contains("array-wrapped"))
        .expect("fixture present");
    assert_eq!(read(&[GOOGLE], &other).and_then(|e| e.retry_delay), None);
}

#[test]
fn a_google_error_from_a_relay_that_lists_openai_first_is_still_google() {
    let body = br#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}"#;
    // OpenAI's recogniser (`error` is an object) takes it first when listed first: order is the spec's word.
    assert_eq!(read(&[GOOGLE, OPENAI], body).map(|e| e.name()), Some("google"));
    let envelope = read(&[OPENAI, GOOGLE], body).expect("recognised");
    assert_eq!(envelope.message.as_deref(), Some("Quota exceeded"));
}

#[test]
fn openai_null_code_is_none_and_string_code_is_kept() {
    let null = read(&[OPENAI], br#"{"error":{"message":"m","type":"t","param":null,"code":null}}"#).expect("openai");
    assert_eq!(null.code, None);
    let e = read(
        &[OPENAI],
        br#"{"error":{"message":"m","type":"image_generation_user_error","param":"image","code":"invalid_image_file"}}"#,
    )
    .expect("openai");
    assert_eq!(e.code.as_deref(), Some("invalid_image_file"));
    assert_eq!(e.param.as_deref(), Some("image"));
    assert_eq!(e.error_type.as_deref(), Some("image_generation_user_error"));
}

#[test]
fn llmgateway_envelope_is_recognised_by_its_error_flag() {
    let envelope = read(EVERY_ENVELOPE, br#"{"error": true, "status": 400, "message": "prompt: Required"}"#);
    let envelope = envelope.expect("recognised");
    assert_eq!((envelope.name(), envelope.status), ("llmgateway", Some(400)));
    assert_eq!(envelope.message.as_deref(), Some("prompt: Required"));
    // `error: false` is not the flag.
    assert!(read(&[LLMGATEWAY], br#"{"error": false, "message": "fine"}"#).is_none());
}

#[test]
fn listenhub_free_relax_metadata_gives_code_message_and_verdict() {
    let body = json!({"reason": "free_relax_busy", "retryable": true, "freeUsageRolledBack": true, "userMessage": "Busy, retry later"});
    let e = read(&[LISTENHUB], &serde_json::to_vec(&body).expect("json")).expect("recognised");
    assert_eq!(e.code.as_deref(), Some("free_relax_busy"));
    assert_eq!(e.message.as_deref(), Some("Busy, retry later"), "userMessage when there is no message");
    assert_eq!(e.retryable, Some(true));
    assert_eq!(e.retry_verdict(429), Some(true));
    let gone = read(&[LISTENHUB], br#"{"failReason":"free_relax_gone","retryable":false}"#).expect("recognised");
    assert_eq!((gone.code.as_deref(), gone.retryable), (Some("free_relax_gone"), Some(false)));
    // A number is read as its text.
    let numbered = read(&[LISTENHUB], br#"{"code": 402, "message": "Insufficient credits"}"#).expect("recognised");
    assert_eq!(numbered.code.as_deref(), Some("402"));
}

#[test]
fn retry_rules_match_by_status_code_and_message() {
    let quota =
        read(&[OPENAI], br#"{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}"#)
            .expect("openai");
    assert_eq!(quota.retry_verdict(429), Some(false));
    assert_eq!(quota.retry_verdict(500), None, "the rule is for 429 only");
    let limited =
        read(&[OPENAI], br#"{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}"#).expect("openai");
    assert_eq!(limited.retry_verdict(429), None, "left to the status");
    let no_images =
        read(&[LLMGATEWAY], br#"{"error":true,"status":500,"message":"The model DID NOT generate any images."}"#)
            .expect("llmgateway");
    assert_eq!(no_images.retry_verdict(500), Some(false), "ASCII case is ignored");
}

#[tokio::test]
async fn html_502_from_a_proxy_is_an_unparsed_api_error_with_the_raw_body() {
    let server = MockServer::start().await;
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let (builder, _) = builder(&server.uri());
    let client = builder.max_retries(0).build().expect("client");
    let err = client.http.send_json::<_, Value>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("502");
    let api = err.as_api().expect("api error");
    assert_eq!(api.status, 502);
    assert_eq!(api.envelope, None);
    assert_eq!(&api.body[..], html.as_bytes());
    assert!(err.to_string().contains("502 Bad Gateway"));
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Images {
    data: Vec<Value>,
}

impl imagegen_runtime::image::CollectImages for Images {
    fn collect_images<'a>(&'a self, _out: &mut Vec<&'a imagegen_runtime::Base64Data>) {}
}

#[tokio::test]
async fn undecodable_2xx_body_is_a_decode_error_with_a_snippet_and_the_raw_body() {
    let server = MockServer::start().await;
    let body = format!(r#"{{"created": 1, "items": ["{}"]}}"#, "é".repeat(500));
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let err = client.http.send_json::<_, Images>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("no data field");
    let Error::Decode(decode) = err else { panic!("{err:?}") };
    assert_eq!(decode.status, 200);
    assert!(decode.source.to_string().contains("data"), "{}", decode.source);
    assert!(decode.snippet.starts_with(r#"{"created": 1"#));
    assert!(decode.snippet.len() < 400);
    assert_eq!(&decode.body[..], body.as_bytes());
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "a decode error is never retried");
}

#[tokio::test]
async fn body_over_the_cap_is_body_too_large() {
    let server = MockServer::start().await;
    let body = json!({"data": ["x".repeat(10_000)]});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let (builder, _) = builder(&server.uri());
    let client = builder.max_response_bytes(1_000).build().expect("client");
    let err = client.http.send_json::<_, Value>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("too large");
    assert!(matches!(err, Error::BodyTooLarge { limit: 1_000, status: 200, .. }), "{err:?}");
}

#[tokio::test]
async fn chunked_body_without_length_stops_past_the_cap() {
    let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    let chunk = |data: &[u8]| [format!("{:x}\r\n", data.len()).into_bytes(), data.to_vec(), b"\r\n".to_vec()].concat();
    let mut pieces = vec![head];
    pieces.extend((0..10).map(|_| chunk(&[b' '; 400])));
    pieces.push(b"0\r\n\r\n".to_vec());
    let url = serve_raw_once(pieces).await;
    let (builder, _) = builder(&url);
    let client = builder.max_response_bytes(1_000).build().expect("client");
    let err = client.http.send_json::<_, Value>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("too large");
    assert!(matches!(err, Error::BodyTooLarge { limit: 1_000, .. }), "{err:?}");
}

#[tokio::test]
async fn empty_success_body_decodes_as_unit() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let (client, _) = client(&server.uri());
    let unit: () = client.http.send_json(&GENERATE, "/x", None::<&Value>).await.expect("no content is fine");
    assert_eq!(unit, ());
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z_@. ]{0,12}".prop_map(Value::String),
        Just(Value::String("free_relax_busy".into())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        let keys = prop_oneof![
            Just("error".to_string()),
            Just("message".to_string()),
            Just("code".to_string()),
            Just("status".to_string()),
            Just("details".to_string()),
            Just("type".to_string()),
            Just("reason".to_string()),
            Just("retryable".to_string()),
            Just("data".to_string()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn envelope_reader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let envelope = read(EVERY_ENVELOPE, &bytes);
        if serde_json::from_slice::<Value>(&bytes).is_err() {
            prop_assert_eq!(envelope, None);
        }
    }

    #[test]
    fn envelope_reader_never_panics_on_arbitrary_json(value in json_value()) {
        let bytes = serde_json::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let envelope = read(EVERY_ENVELOPE, &bytes);
        let _ = envelope.as_ref().map(|e| e.retry_verdict(429));
        if !value.is_object() && !value.is_array() {
            prop_assert_eq!(envelope, None);
        }
        let _ = ErrorEnvelope::in_success_body(EVERY_ENVELOPE, &bytes);
    }
}

/// Bounded, readable messages: what a log line or an error-chain printer shows.
mod readable_messages {
    use std::error::Error as _;

    use futures_util::StreamExt;
    use imagegen_runtime::SseEvent;

    use super::*;

    const TEN_MB: usize = 10 * 1024 * 1024;

    async fn api_error(template: ResponseTemplate) -> Error {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(template).mount(&server).await;
        let (builder, _) = builder(&server.uri());
        let client = builder.max_retries(0).build().expect("client");
        client.http.send_json::<_, Value>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("error status")
    }

    #[tokio::test]
    async fn a_ten_megabyte_provider_message_gives_a_short_message_noting_its_length() {
        let message = "m".repeat(TEN_MB);
        let body = json!({"error": {"message": message, "type": "server_error", "param": null, "code": null}});
        let err = api_error(ResponseTemplate::new(500).set_body_json(body)).await;
        let shown = err.to_string();
        assert!(shown.len() < 2_000, "Display is {} bytes", shown.len());
        assert!(shown.contains(&format!("({TEN_MB} bytes in all)")), "{}", &shown[..shown.len().min(300)]);
        assert!(format!("{err:?}").len() < 4_000, "Debug is {} bytes", format!("{err:?}").len());
        // Nothing is lost: the parsed message and the raw body are whole.
        let api = err.as_api().expect("api error");
        assert_eq!(api.message().map(str::len), Some(TEN_MB));
        assert!(api.body.len() > TEN_MB);
    }

    #[tokio::test]
    async fn a_ten_megabyte_text_body_gives_a_short_snippet_noting_its_length() {
        let err = api_error(ResponseTemplate::new(502).set_body_raw("x".repeat(TEN_MB), "text/plain")).await;
        let shown = err.to_string();
        assert!(shown.len() < 1_000, "Display is {} bytes", shown.len());
        assert!(shown.contains(&format!("({TEN_MB} bytes in all)")), "{shown}");
        let snippet = err.as_api().map(|a| a.body_snippet()).unwrap_or_default();
        assert!(snippet.ends_with(&format!("… ({TEN_MB} bytes in all)")), "{snippet}");
    }

    #[tokio::test]
    async fn an_html_page_is_summarised_by_its_title_type_and_length() {
        let page = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=utf-8>\n<TITLE>\n  502 Bad   Gateway\n</TITLE></head><body><center>nginx</center>{}</body></html>",
            " ".repeat(5_000)
        );
        let err = api_error(ResponseTemplate::new(502).set_body_raw(page.clone(), "text/html; charset=utf-8")).await;
        let shown = err.to_string();
        assert!(shown.contains(r#"HTML page "502 Bad Gateway""#), "{shown}");
        assert!(shown.contains("text/html"), "{shown}");
        assert!(shown.contains(&format!("{} bytes", page.len())), "{shown}");
        assert!(!shown.contains("<center>") && !shown.contains("DOCTYPE"), "{shown}");
    }

    #[tokio::test]
    async fn an_api_error_names_the_provider() {
        let body =
            json!({"error": {"message": "Invalid size", "type": "invalid_request_error", "param": null, "code": null}});
        let err = api_error(ResponseTemplate::new(400).set_body_json(body)).await;
        assert_eq!(err.to_string(), "HTTP 400 from testprovider: Invalid size");
        assert_eq!(err.as_api().and_then(|a| a.provider), Some("testprovider"));
    }

    /// `Display` says what happened; the cause is `source()`, shown once by chain printers.
    fn assert_source_not_repeated(err: &Error) {
        let source = err.source().unwrap_or_else(|| panic!("no source: {err:?}")).to_string();
        let shown = err.to_string();
        assert!(!shown.contains(&source), "Display repeats the source `{source}`: {shown}");
        for name in ["BeforeSend", "AfterSend", "Some(", "None"] {
            assert!(!shown.contains(name), "Display shows a Rust name `{name}`: {shown}");
        }
    }

    #[tokio::test]
    async fn transport_errors_say_the_phase_in_words_and_keep_the_cause_as_source() {
        let (builder, _) = builder(&dead_url().await);
        let client = builder.max_retries(0).build().expect("client");
        let err = client.http.send_json::<_, Value>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("refused");
        assert_source_not_repeated(&err);
        assert!(err.to_string().contains("before the request was sent"), "{err}");
    }

    #[tokio::test]
    async fn timeouts_say_the_phase_in_words_and_keep_the_cause_as_source() {
        let server = MockServer::start().await;
        let slow = ResponseTemplate::new(200).set_body_json(json!({})).set_delay(std::time::Duration::from_secs(2));
        Mock::given(method("POST")).respond_with(slow).mount(&server).await;
        let (builder, _) = builder(&server.uri());
        let client = builder.timeout(std::time::Duration::from_millis(150)).build().expect("client");
        let err = client.http.send_json::<_, Value>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("slow");
        assert_source_not_repeated(&err);
        assert!(err.to_string().contains("after the request may have reached the server"), "{err}");
    }

    #[tokio::test]
    async fn decode_errors_show_the_body_and_keep_serdes_message_as_source() {
        let server = MockServer::start().await;
        let body = format!("{{\"created\": 1, \"pad\": \"{}\"}}", "p".repeat(TEN_MB));
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
            .mount(&server)
            .await;
        let (client, _) = client(&server.uri());
        let err = client.http.send_json::<_, Images>(&GENERATE, "/x", Some(&json!({}))).await.expect_err("no data");
        assert_source_not_repeated(&err);
        let shown = err.to_string();
        assert!(shown.contains(&format!("({} bytes in all)", body.len())), "{}", &shown[..shown.len().min(400)]);
        assert!(shown.len() < 1_000, "Display is {} bytes", shown.len());
    }

    #[derive(Debug)]
    struct StrictEvent;

    impl SseEvent for StrictEvent {
        fn from_sse(_: Option<&str>, data: &str) -> Result<Self, serde_json::Error> {
            serde_json::from_str::<Images>(data).map(|_| StrictEvent)
        }
        fn is_terminal(&self) -> bool {
            true
        }
    }

    #[tokio::test]
    async fn bad_events_show_their_name_and_data_and_keep_serdes_message_as_source() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw("event: image.partial\ndata: {}\n\n", "text/event-stream"),
            )
            .mount(&server)
            .await;
        let (client, _) = client(&server.uri());
        let stream = client.http.send_sse::<_, StrictEvent>(&GENERATE, "/x", Some(&json!({}))).await.expect("opens");
        let items: Vec<_> = stream.collect().await;
        let Some(Err(err)) = items.first() else { panic!("{items:?}") };
        assert_source_not_repeated(err);
        assert!(err.to_string().contains("image.partial"), "{err}");
    }
}
