//! With the `tracing` feature, a call is a `gen_ai.client.request` span and each
//! attempt an `http.attempt` span, with the GenAI and HTTP fields filled in, and
//! the key in none of them.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use support::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A span's static description and its fields as text.
type SpanRecord = (&'static Metadata<'static>, BTreeMap<String, String>);

/// Every span and event with its fields, as text, and which span is current.
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    events: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
    /// Entered spans, innermost last (each test runs on one thread).
    entered: Arc<Mutex<Vec<Id>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_string(), format!("{value:?}").trim_matches('"').to_string());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((span.metadata(), fields));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        if let Some((_, fields)) = spans.get_mut(span.into_u64() as usize - 1) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        fields.insert("level".to_string(), event.metadata().level().to_string());
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.clone());
    }
    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(i) = entered.iter().rposition(|s| s == span) {
            entered.remove(i);
        }
    }
    fn current_span(&self) -> Current {
        match self.entered.lock().unwrap().last() {
            Some(id) => Current::new(id.clone(), self.spans.lock().unwrap()[id.into_u64() as usize - 1].0),
            None => Current::none(),
        }
    }
}

impl Recorder {
    fn spans(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        self.spans.lock().unwrap().iter().filter(|(m, _)| m.name() == name).map(|(_, f)| f.clone()).collect()
    }

    fn everything(&self) -> String {
        let spans: Vec<_> = self.spans.lock().unwrap().iter().map(|(m, f)| (m.name(), f.clone())).collect();
        format!("{spans:?}{:?}", self.events.lock().unwrap())
    }
}

async fn call(server: &MockServer) -> Result<Value, imagegen_runtime::Error> {
    let (client, _) = client(&server.uri());
    let body = json!({"model": "gpt-image-2", "prompt": "a lighthouse", "key_echo": CANARY_KEY});
    client.http.send_json(&GENERATE, "/v1/generate", Some(&body)).await
}

#[tokio::test]
async fn a_successful_call_is_one_span_with_one_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("x-request-id", "req-42").set_body_json(json!({"data": []})),
        )
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    call(&server).await.unwrap();

    let calls = recorder.spans("gen_ai.client.request");
    assert_eq!(calls.len(), 1, "{}", recorder.everything());
    let c = &calls[0];
    assert_eq!(c["gen_ai.provider.name"], "testprovider");
    assert_eq!(c["gen_ai.operation.name"], "generate");
    assert_eq!(c["gen_ai.request.model"], "gpt-image-2");
    assert_eq!(c["server.address"], "127.0.0.1");
    assert_eq!(c["http.response.status_code"], "200");
    assert_eq!(c["imagegen.attempts"], "1");
    assert!(!c.contains_key("error.type"), "{c:?}");
    let attempts = recorder.spans("http.attempt");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["gen_ai.response.id"], "req-42");
    assert!(!recorder.everything().contains(CANARY_KEY), "the key leaked: {}", recorder.everything());
}

/// A valid request's warnings are `WARN` events naming the parameter, with the rule's message.
#[test]
fn each_warning_of_a_request_is_a_warn_event() {
    use imagegen_runtime::{Constraint, Warning, Warnings};

    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (client, _) = client("http://127.0.0.1:9");
    let warning = Warning {
        path: "mask".into(),
        rule: Constraint::ForbiddenBy { condition: "no image".into() },
        message: "The mask is effective only when image is provided.".into(),
    };
    client.http.report_warnings(&GENERATE, &Warnings::from(vec![warning]));

    let events = recorder.events.lock().unwrap().clone();
    assert_eq!(events.len(), 1, "{}", recorder.everything());
    let e = &events[0];
    assert_eq!(e["level"], "WARN");
    assert_eq!(e["imagegen.warning.path"], "mask");
    assert_eq!(e["message"], "The mask is effective only when image is provided.");
    assert_eq!(e["gen_ai.provider.name"], "testprovider");
    assert_eq!(e["gen_ai.operation.name"], "generate");
}

#[tokio::test]
async fn a_retried_call_records_each_attempt_and_the_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "1")
                // A server that echoes the key in its request id.
                .insert_header("x-request-id", format!("echo-{CANARY_KEY}"))
                .set_body_string("overloaded"),
        )
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let err = call(&server).await.unwrap_err();
    assert_eq!(err.status(), Some(503));

    let c = &recorder.spans("gen_ai.client.request")[0];
    assert_eq!(c["http.response.status_code"], "503");
    assert_eq!(c["imagegen.attempts"], "3");
    assert_eq!(c["error.type"], "503");
    let attempts = recorder.spans("http.attempt");
    let resends: Vec<&str> = attempts.iter().map(|a| a["http.request.resend_count"].as_str()).collect();
    assert_eq!(resends, ["0", "1", "2"]);
    assert!(attempts.iter().all(|a| a["http.response.status_code"] == "503"));
    assert!(attempts[0]["gen_ai.response.id"].contains("<redacted>"), "{:?}", attempts[0]);
    let waits: Vec<String> =
        recorder.events.lock().unwrap().iter().filter_map(|e| e.get("imagegen.retry.wait_ms").cloned()).collect();
    assert_eq!(waits, ["1000", "1000"], "Retry-After: 1 honoured before each retry");
    assert!(!recorder.everything().contains(CANARY_KEY), "the key leaked: {}", recorder.everything());
}

/// A download from a signed URL on another host: the span names that host, and the
/// signature (echoed back in the request id here) is in no span or event.
#[tokio::test]
async fn a_download_span_names_its_host_and_never_the_signed_query() {
    const SIGNATURE: &str = "9c1d7e2a44signaturecanary";
    let base = MockServer::start().await;
    let cdn = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", format!("echo-{SIGNATURE}"))
                .set_body_raw(b"\x89PNG\r\n\x1a\n".to_vec(), "image/png"),
        )
        .mount(&cdn)
        .await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (client, _) = client(&base.uri());
    let url = format!("http://localhost:{}/a.png?X-Amz-Signature={SIGNATURE}", cdn.address().port());
    client.http.download(&url, &[]).await.unwrap();

    let calls = recorder.spans("gen_ai.client.request");
    assert_eq!(calls.len(), 1, "{}", recorder.everything());
    assert_eq!(calls[0]["gen_ai.operation.name"], "download");
    assert_eq!(calls[0]["server.address"], "localhost");
    assert_eq!(calls[0]["http.response.status_code"], "200");
    assert!(!recorder.everything().contains(SIGNATURE), "the signature leaked: {}", recorder.everything());
}

/// A Gemini-style operation whose model is a path parameter.
static GENERATE_CONTENT: imagegen_runtime::OperationInfo = imagegen_runtime::OperationInfo {
    id: "generate_content",
    path: "/v1beta/models/{model}:generateContent",
    model_param: Some("model"),
    ..GENERATE
};

#[tokio::test]
async fn the_model_is_read_from_the_path_or_the_form_when_the_body_has_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (client, _) = client(&server.uri());

    // The generated client percent-encodes each path parameter (`google/` would be `google%2F`).
    let model = imagegen_runtime::encode_path_segment("google/gemini-3-pro-image");
    let path = format!("/v1beta/models/{model}:generateContent");
    let _: Value = client.http.send_json(&GENERATE_CONTENT, &path, Some(&json!({"contents": []}))).await.unwrap();
    let mut form = imagegen_runtime::MultipartForm::new();
    form.push_text("model", "gpt-image-2");
    form.push_text("prompt", "a hat");
    let _: Value = client.http.send_multipart(&GENERATE, "/v1/generate", &form).await.unwrap();

    let models: Vec<String> =
        recorder.spans("gen_ai.client.request").iter().map(|c| c["gen_ai.request.model"].clone()).collect();
    assert_eq!(models, ["google/gemini-3-pro-image", "gpt-image-2"], "{}", recorder.everything());
}

/// An OpenAI-images-style operation whose answer reports its token usage.
static GENERATE_WITH_USAGE: imagegen_runtime::OperationInfo = imagegen_runtime::OperationInfo {
    usage: &[
        imagegen_runtime::TokenUsage { kind: imagegen_runtime::TokenKind::Input, path: &["usage", "input_tokens"] },
        imagegen_runtime::TokenUsage { kind: imagegen_runtime::TokenKind::Output, path: &["usage", "output_tokens"] },
    ],
    ..GENERATE
};

#[tokio::test]
async fn the_token_usage_an_answer_reports_is_on_the_call_span() {
    let server = MockServer::start().await;
    // A large image, so its base64 is decoded as the body arrives and the usage is read
    // from the JSON text left beside it; `output_tokens` written as a float.
    let image = base64_simd::STANDARD.encode_to_string(vec![7u8; 600_000]);
    let answer = json!({"data": [{"b64_json": image}], "usage": {"input_tokens": 22, "output_tokens": 1056.0}});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // An answer without usage, then one that does not parse.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"usage\": "))
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (client, _) = client(&server.uri());
    let body = json!({"model": "gpt-image-2", "prompt": "a lighthouse"});

    let first: Value = client.http.send_json(&GENERATE_WITH_USAGE, "/v1/generate", Some(&body)).await.unwrap();
    assert_eq!(first["usage"]["input_tokens"], 22);
    let _: Value = client.http.send_json(&GENERATE_WITH_USAGE, "/v1/generate", Some(&body)).await.unwrap();
    let error = client.http.send_json::<_, Value>(&GENERATE_WITH_USAGE, "/v1/generate", Some(&body)).await.unwrap_err();
    assert!(matches!(error, imagegen_runtime::Error::Decode(_)), "{error:?}");

    let calls = recorder.spans("gen_ai.client.request");
    assert_eq!(calls.len(), 3, "{}", recorder.everything());
    assert_eq!(calls[0]["gen_ai.usage.input_tokens"], "22", "{:?}", calls[0]);
    assert_eq!(calls[0]["gen_ai.usage.output_tokens"], "1056");
    assert!(!calls[1].contains_key("gen_ai.usage.input_tokens"), "{:?}", calls[1]);
    assert!(!calls[1].contains_key("error.type"), "{:?}", calls[1]);
    // The body is read inside the call, so a body that does not decode fails the call's span.
    assert_eq!(calls[2]["http.response.status_code"], "200");
    assert_eq!(calls[2]["error.type"], "decode", "{:?}", calls[2]);
}

/// An event of a stream: `completed` ends it.
#[derive(Debug)]
struct StreamEvent {
    completed: bool,
}

impl imagegen_runtime::SseEvent for StreamEvent {
    fn from_sse(event: Option<&str>, _: &str) -> Result<Self, serde_json::Error> {
        Ok(StreamEvent { completed: event == Some("completed") })
    }
    fn is_terminal(&self) -> bool {
        self.completed
    }
}

#[tokio::test]
async fn a_stream_records_the_usage_of_its_terminal_event_only() {
    use futures_util::StreamExt as _;

    let server = MockServer::start().await;
    // A partial event with usage-like numbers of its own: only the terminal event counts.
    let body = "event: partial\ndata: {\"usage\": {\"input_tokens\": 1}}\n\n\
                event: completed\ndata: {\"b64_json\": \"QUJD\", \"usage\": {\"input_tokens\": 22, \"output_tokens\": 1056}}\n\n";
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (client, _) = client(&server.uri());

    let stream = client
        .http
        .send_sse::<_, StreamEvent>(&GENERATE_WITH_USAGE, "/v1/generate", Some(&json!({"stream": true})))
        .await
        .unwrap();
    let events: Vec<_> = stream.collect().await;
    assert_eq!(events.len(), 2, "{events:?}");

    let calls = recorder.spans("gen_ai.client.request");
    assert_eq!(calls.len(), 1, "{}", recorder.everything());
    assert_eq!(calls[0]["gen_ai.usage.input_tokens"], "22", "{:?}", calls[0]);
    assert_eq!(calls[0]["gen_ai.usage.output_tokens"], "1056");
}
