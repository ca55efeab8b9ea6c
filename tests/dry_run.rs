//! Dry runs build the request exactly as it would be sent and send nothing;
//! the request log sees the same request. Neither ever shows the key.

#[path = "../codegen/runtime/tests/support/mod.rs"]
mod runtime_support;

use std::sync::{Arc, Mutex};

use imagegen::runtime::dispatch::Call;
use imagegen::runtime::{
    AuthScheme, ClientBuilder, ClientConfig, Error, FilePart, HttpEvent, MultipartForm, Observer, WireBody, WireRequest,
};
use runtime_support::*;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that fails the test if anything reaches it.
async fn server_expecting_nothing() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    server
}

fn dry_run_request(result: Result<Value, Error>) -> WireRequest {
    match result {
        Err(Error::DryRun(request)) => *request,
        other => panic!("expected a dry run, got {other:?}"),
    }
}

fn assert_key_never_shown(request: &WireRequest) {
    for shown in [request.to_string(), format!("{request:?}")] {
        assert!(!shown.contains(CANARY_KEY), "key leaked: {shown}");
    }
}

#[tokio::test]
async fn dry_run_returns_the_json_request_and_sends_nothing() {
    let server = server_expecting_nothing().await;
    let (builder, _) = builder(&server.uri());
    let client = builder.dry_run(true).build().unwrap();
    let body = json!({"prompt": "a red fox", "n": 2});
    let request = dry_run_request(client.http.send_json(&GENERATE, "/v1/generate", Some(&body)).await);

    assert_eq!(request.method, "POST");
    assert_eq!(request.url, format!("{}/v1/generate", server.uri()));
    assert_eq!(request.body_json(), Some(body));
    assert_eq!(request.header("x-api-key"), Some("<redacted>"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(request.header("user-agent").is_some_and(|ua| ua.starts_with("imagegen-rust/")));
    assert_key_never_shown(&request);
    assert!(request.to_string().starts_with(&format!("POST {}/v1/generate\n", server.uri())));
    assert!(server.received_requests().await.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn bearer_dry_run_keeps_the_scheme_word_and_hides_the_key() {
    let server = server_expecting_nothing().await;
    let (builder, _) = builder(&server.uri());
    let client = builder.auth_scheme(AuthScheme::Bearer).dry_run(true).build().unwrap();
    let request = dry_run_request(client.http.send_json::<Value, Value>(&GENERATE, "/v1/generate", None).await);

    assert_eq!(request.header("authorization"), Some("Bearer <redacted>"));
    assert_eq!(request.body, WireBody::Empty);
    assert_key_never_shown(&request);
}

#[tokio::test]
async fn multipart_dry_run_carries_the_form_as_it_would_be_streamed() {
    let server = server_expecting_nothing().await;
    let (builder, _) = builder(&server.uri());
    let client = builder.dry_run(true).build().unwrap();
    let png = b"\x89PNG\r\n\x1a\nnot-really-a-png".to_vec();
    let mut form = MultipartForm::new();
    form.push_text("prompt", "add a hat");
    form.push_file("image", &FilePart::from_bytes(png.clone()).with_file_name("cat.png"));
    let result: Result<Value, Error> = client.http.send_multipart(&GENERATE, "/v1/images/edits", &form).await;
    let request = dry_run_request(result);

    let boundary = request.multipart_boundary().expect("multipart content type with a boundary").to_string();
    let body = request.body_bytes().expect("body captured");
    let contains = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(contains(boundary.as_bytes()));
    assert!(contains(b"name=\"prompt\"\r\n\r\nadd a hat"));
    assert!(contains(b"filename=\"cat.png\"\r\nContent-Type: image/png"));
    assert!(contains(&png));
    let shown = request.to_string();
    assert!(shown.contains("add a hat") && shown.contains("bytes of binary data"), "{shown}");
    assert_key_never_shown(&request);
}

#[tokio::test]
async fn an_invalid_request_fails_validation_even_in_a_dry_run() {
    let server = server_expecting_nothing().await;
    let client =
        imagegen::octen::Client::builder().api_key(CANARY_KEY).base_url(server.uri()).dry_run(true).build().unwrap();
    let request: imagegen::octen::ImageGenerationRequest =
        serde_json::from_value(json!({"model": "openai/gpt-image-2", "prompt": "x", "n": 50})).unwrap();
    let error = client.generate_images(&request).await.expect_err("invalid");
    assert!(matches!(error, Error::Validation(_)), "{error:?}");
}

#[tokio::test]
async fn a_streamed_call_dry_runs_with_the_event_stream_accept_header() {
    let server = server_expecting_nothing().await;
    let client =
        imagegen::octen::Client::builder().api_key(CANARY_KEY).base_url(server.uri()).dry_run(true).build().unwrap();
    let request: imagegen::octen::ImageGenerationRequest =
        serde_json::from_value(json!({"model": "openai/gpt-image-2", "prompt": "x"})).unwrap();
    let request = match client.generate_images_stream(request).await {
        Err(Error::DryRun(request)) => request,
        Err(other) => panic!("expected a dry run, got {other:?}"),
        Ok(_) => panic!("expected a dry run, got a stream"),
    };
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(request.body_json().and_then(|b| b.get("stream").cloned()), Some(json!(true)));
    assert_key_never_shown(&request);
}

/// The typed client and the call by name (what the CLI and the conformance suite use) build
/// their client from the same `ClientConfig`, so one config sends one request either way.
#[tokio::test]
async fn one_config_sends_the_same_request_from_a_typed_client_and_by_name() {
    let server = server_expecting_nothing().await;
    let config = ClientConfig {
        api_key: Some(CANARY_KEY.to_string()),
        base_url: Some(server.uri()),
        // LLMGateway's second scheme: its default would be bearer.
        auth_scheme: Some(AuthScheme::Header("x-api-key")),
        user_agent: Some("one-config/1".to_string()),
        dry_run: true,
        ..ClientConfig::default()
    };
    let body = json!({"model": "gemini-2.5-flash-image", "prompt": "a red fox"});

    let typed = ClientBuilder::<imagegen::llmgateway::Client>::from_config(config.clone()).build().unwrap();
    let request: imagegen::llmgateway::GenerateImagesRequest = serde_json::from_value(body.clone()).unwrap();
    let typed = match typed.generate_images(&request).await {
        Err(Error::DryRun(request)) => *request,
        other => panic!("expected a dry run, got {other:?}"),
    };
    let entry =
        imagegen::providers().into_iter().find(|p| p.info.name == "llmgateway").expect("llmgateway compiled in");
    let call = Call { body: body.clone(), ..Call::default() };
    let by_name = match (entry.call)(&config, "generate_images", call).await {
        Err(Error::DryRun(request)) => *request,
        other => panic!("expected a dry run, got {other:?}"),
    };

    assert_eq!(by_name.url, typed.url);
    assert_eq!(by_name.headers, typed.headers);
    assert_eq!(by_name.body_json(), typed.body_json());
    assert_eq!(typed.header("x-api-key"), Some("<redacted>"));
    assert_eq!(typed.header("authorization"), None);
    assert_eq!(typed.header("user-agent"), Some("one-config/1"));
    assert_eq!(typed.body_json(), Some(body));
    assert_key_never_shown(&by_name);
}

#[tokio::test]
async fn the_request_log_sees_each_attempt_redacted() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let observer = Observer::new(move |event| {
        let line = match event {
            HttpEvent::Request { request, .. } => format!("request {request}"),
            HttpEvent::Response { status, .. } => format!("response {status}"),
            other => format!("{other:?}"),
        };
        sink.lock().unwrap().push(line);
    });
    let (builder, _) = builder(&server.uri());
    let client = builder.observer(observer).build().unwrap();
    let _: Value = client.http.send_json(&GENERATE, "/v1/generate", Some(&json!({"prompt": "p"}))).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].starts_with("request POST") && seen[0].contains("x-api-key: <redacted>"), "{}", seen[0]);
    assert_eq!(seen[1], "response 200");
    assert!(seen.iter().all(|line| !line.contains(CANARY_KEY)));
}
