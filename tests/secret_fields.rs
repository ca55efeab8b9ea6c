//! Fields the spec marks `secret` (BFL's `webhook_secret`), through the compiled client of
//! the `secret_fields` snapshot spec and BFL's generated module on a local mock server: the
//! request's `Debug`, its dry run (text, `Debug` and body), the request log and the errors of
//! a server that echoes the request never show a secret's value, while the server receives
//! it as it was set.

use std::sync::{Arc, Mutex};

use imagegen::runtime::{Error, FilePart, HttpEvent, Observer, WireRequest};
use imagegen_snapshot_compiled::secret_fields::{Client, SubmitRequest, UploadForm};
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-not-real";
const WEBHOOK_SECRET: &str = "whsec-3f9a7c2e";
const SIGNING_KEY: &str = "sk\"quoted\\key";
/// Shorter than the key's scrubbing minimum: a declared secret is hidden whatever its length.
const SHORT_SECRET: &str = "x7q";

fn request() -> SubmitRequest {
    SubmitRequest::new("a lighthouse", SIGNING_KEY)
        .with_webhook_url("https://hooks.example.com/done")
        .with_webhook_secret(WEBHOOK_SECRET)
}

fn client(server: &MockServer) -> Client {
    Client::builder().api_key(KEY).base_url(server.uri()).max_retries(0).build().expect("a client")
}

async fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json"))
        .mount(&server)
        .await;
    server
}

fn assert_hidden(shown: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!shown.contains(secret), "secret `{secret}` shown: {shown}");
    }
}

/// Every way a dry run can be shown.
fn shown_dry_run(request: &WireRequest) -> String {
    let body = request.body_bytes().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    format!("{request}\n{request:?}\n{body}")
}

#[test]
fn debug_of_a_request_redacts_its_secrets_and_shows_the_rest() {
    let shown = format!("{:?}", request());
    assert_hidden(&shown, &[WEBHOOK_SECRET, SIGNING_KEY]);
    assert!(shown.contains("webhook_secret: Some(<redacted>)"), "{shown}");
    assert!(shown.contains("signing_key: <redacted>"), "{shown}");
    assert!(shown.contains("prompt: \"a lighthouse\""), "{shown}");
    // An unset secret still shows that it is unset.
    let unset = format!("{:?}", SubmitRequest::new("a lighthouse", SIGNING_KEY));
    assert!(unset.contains("webhook_secret: None"), "{unset}");
    let form = format!("{:?}", UploadForm::new(FilePart::from_bytes(vec![1, 2])).with_callback_token(SHORT_SECRET));
    assert!(form.contains("callback_token: Some(<redacted>)") && !form.contains(SHORT_SECRET), "{form}");
}

#[test]
fn bfl_requests_redact_the_webhook_secret() {
    let request = imagegen::bfl::FluxPro11Inputs::new().with_webhook_secret(WEBHOOK_SECRET);
    let shown = format!("{request:?}");
    assert_hidden(&shown, &[WEBHOOK_SECRET]);
    assert!(shown.contains("webhook_secret: Some(<redacted>)"), "{shown}");
}

#[tokio::test]
async fn a_dry_run_shows_the_request_with_its_secrets_redacted_and_sends_nothing() {
    let server = answering(500, "{}").await;
    let dry = client(&server).submit_dry_run(&request()).await.expect("a dry run");

    assert_hidden(&shown_dry_run(&dry), &[WEBHOOK_SECRET, SIGNING_KEY, "quoted"]);
    let body = dry.body_json().expect("still JSON");
    assert_eq!(body["webhook_secret"], "<redacted>");
    assert_eq!(body["signing_key"], "<redacted>");
    assert_eq!(body["webhook_url"], "https://hooks.example.com/done");
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing sent");
}

#[tokio::test]
async fn a_multipart_dry_run_redacts_a_secret_text_part_however_short() {
    let server = answering(500, "{}").await;
    let form = UploadForm::new(FilePart::from_bytes(b"\x89PNG....".to_vec()).with_file_name("a.png"))
        .with_callback_token(SHORT_SECRET);
    let dry = client(&server).upload_dry_run(&form).await.expect("a dry run");

    let shown = shown_dry_run(&dry);
    assert_hidden(&shown, &[SHORT_SECRET]);
    assert!(shown.contains("name=\"callback_token\"\n\n<redacted>"), "{shown}");
}

#[tokio::test]
async fn bfl_dry_runs_never_show_the_webhook_secret() {
    let server = answering(500, "{}").await;
    let client = imagegen::bfl::Client::builder().api_key(KEY).base_url(server.uri()).build().unwrap();
    let request = imagegen::bfl::FluxPro11Inputs::new().with_prompt("a fox").with_webhook_secret(WEBHOOK_SECRET);
    let dry = client.flux_pro_1_1_dry_run(&request).await.expect("a dry run");
    assert_hidden(&shown_dry_run(&dry), &[WEBHOOK_SECRET]);
    assert_eq!(dry.body_json().unwrap()["prompt"], "a fox");
}

#[tokio::test]
async fn the_server_receives_the_secrets_as_set_and_the_request_log_does_not() {
    let server = answering(200, r#"{"id": "task-1"}"#).await;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let observer = Observer::new(move |event| {
        if let HttpEvent::Request { request, .. } = event {
            sink.lock().unwrap().push(format!("{request}\n{request:?}"));
        }
    });
    let client = Client::builder().api_key(KEY).base_url(server.uri()).observer(observer).build().unwrap();

    let answer = client.submit(&request()).await.expect("an answer");

    assert_eq!(answer.id.as_deref(), Some("task-1"));
    let received = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["webhook_secret"], WEBHOOK_SECRET);
    assert_eq!(body["signing_key"], SIGNING_KEY);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_hidden(&seen[0], &[WEBHOOK_SECRET, SIGNING_KEY]);
}

#[tokio::test]
async fn an_error_echoing_the_request_does_not_show_its_secrets() {
    // FastAPI's 422 echoes the input it refused, secrets included.
    let echoed = json!({"detail": [{"loc": ["body"], "msg": "bad", "input": {"webhook_secret": WEBHOOK_SECRET}}]});
    let server = answering(422, &echoed.to_string()).await;

    let error = client(&server).submit(&request()).await.expect_err("a 422");

    assert_hidden(&format!("{error}\n{error:?}"), &[WEBHOOK_SECRET]);
    let Error::Api(api) = &error else { panic!("an API error, got {error:?}") };
    assert_hidden(&api.body_snippet(), &[WEBHOOK_SECRET]);
    // The raw body stays the caller's data, as received.
    assert!(String::from_utf8_lossy(&api.body).contains(WEBHOOK_SECRET));
}

#[tokio::test]
async fn only_the_secret_values_are_redacted() {
    let server = answering(500, "{}").await;
    let plain = SubmitRequest::new("a lighthouse", SIGNING_KEY).with_webhook_url("https://hooks.example.com/done");
    let dry = client(&server).submit_dry_run(&plain).await.expect("a dry run");
    let body = dry.body_json().unwrap();
    let expected =
        json!({"prompt": "a lighthouse", "webhook_url": "https://hooks.example.com/done", "signing_key": "<redacted>"});
    assert_eq!(body, expected);
}
