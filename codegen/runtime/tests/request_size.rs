//! An operation's documented maximum request size: the body is measured as it will go
//! on the wire (to the byte the server reads), a larger one is refused before anything
//! is sent, beside the request's own violations.

mod support;

use std::sync::{Arc, Mutex};

use imagegen_runtime::{
    Base64Data, Constraint, Error, FilePart, HttpEvent, MultipartForm, Observer, OperationInfo, ValidationError,
    Violation, Warning, Warnings,
};
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `GENERATE` with a maximum request size of `max` bytes.
fn limited(max: u64) -> &'static OperationInfo {
    Box::leak(Box::new(OperationInfo { max_request_bytes: Some(max), ..GENERATE }))
}

async fn answering_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    server
}

async fn received_lengths(server: &MockServer) -> Vec<usize> {
    server.received_requests().await.unwrap_or_default().iter().map(|r| r.body.len()).collect()
}

fn size_of(error: &Error) -> Option<(u64, u64)> {
    let Error::Validation(error) = error else { return None };
    error.violations().iter().find_map(|v| match v.rule {
        Constraint::RequestSize { max, actual } => Some((max, actual)),
        _ => None,
    })
}

fn forms() -> Vec<MultipartForm> {
    let mut text_only = MultipartForm::new();
    text_only.push_text("prompt", "a lighthouse, in the fog — «brume»");
    let mut one_file = MultipartForm::new();
    one_file.push_text("prompt", "a cat");
    one_file.push_file("image", &FilePart::from_bytes(vec![7u8; 70_001]).with_file_name("cat.png"));
    let mut two_files = MultipartForm::new();
    two_files.push_file("image", &FilePart::from_bytes(vec![1u8; 3]).with_file_name("ünïcode name.webp"));
    two_files.push_file("mask", &FilePart::from_bytes(Vec::new()));
    two_files.push_text("seed", "42");
    vec![text_only, one_file, two_files]
}

#[tokio::test]
async fn a_form_is_measured_to_the_byte_the_server_reads() {
    let server = answering_server().await;
    let (client, _) = client(&server.uri());
    for form in forms() {
        let _: Value = client.http.send_multipart(limited(u64::MAX), "/v1/generate", &form).await.expect("sent");
        let read = *received_lengths(&server).await.last().expect("one request") as u64;

        let _: Value =
            client.http.send_multipart(limited(read), "/v1/generate", &form).await.expect("exactly the limit");
        assert_eq!(received_lengths(&server).await.last().copied(), Some(read as usize), "{form:?}");
        let sent = received_lengths(&server).await.len();

        let error =
            client.http.send_multipart::<Value>(limited(read - 1), "/v1/generate", &form).await.expect_err("over");
        assert_eq!(size_of(&error), Some((read - 1, read)), "{form:?}: {error:?}");
        assert_eq!(received_lengths(&server).await.len(), sent, "nothing sent for {form:?}");
    }
}

#[tokio::test]
async fn a_json_body_is_measured_to_the_byte_the_server_reads() {
    let server = answering_server().await;
    let (client, _) = client(&server.uri());
    let body = json!({
        "prompt": "un phare dans la brume — \"quoted\"\n",
        "image": Base64Data::from(vec![0xFFu8; 30_001]),
        "n": 2,
    });
    let _: Value = client.http.send_json(limited(u64::MAX), "/v1/generate", Some(&body)).await.expect("sent");
    let read = received_lengths(&server).await[0] as u64;

    let error =
        client.http.send_json::<_, Value>(limited(read - 1), "/v1/generate", Some(&body)).await.expect_err("over");
    assert_eq!(size_of(&error), Some((read - 1, read)), "{error:?}");
    let _: Value = client.http.send_json(limited(read), "/v1/generate", Some(&body)).await.expect("exactly the limit");
    assert_eq!(received_lengths(&server).await, [read as usize, read as usize]);
}

fn field_violation() -> ValidationError {
    ValidationError::single(Violation {
        path: "prompt".into(),
        rule: Constraint::Required,
        message: "required field is missing".into(),
    })
}

fn big_form() -> MultipartForm {
    let mut form = MultipartForm::new();
    form.push_file("image", &FilePart::from_bytes(vec![0u8; 2048]));
    form
}

#[tokio::test]
async fn the_fields_violations_and_the_size_are_listed_together_and_nothing_is_sent() {
    let server = answering_server().await;
    let (client, _) = client(&server.uri());
    let http = client.http.with_validation(Err(field_violation()));

    let error = http.send_multipart::<Value>(limited(1024), "/v1/generate", &big_form()).await.expect_err("refused");

    let Error::Validation(error) = &error else { panic!("a validation error: {error:?}") };
    let shown: Vec<String> = error.violations().iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert_eq!(shown[0], "prompt: required field is missing");
    assert!(shown[1].starts_with("the request body is 2,"), "{shown:?}");
    assert!(shown[1].ends_with("bytes; the server takes at most 1,024 (1 KiB)"), "{shown:?}");
    // The dry run refuses it the same way.
    let dry = http.dry_run_multipart(limited(1024), "/v1/generate", &big_form()).await.expect_err("refused");
    assert!(matches!(&dry, Error::Validation(e) if e == error), "{dry:?}");
    // Within the limit, the fields' violations alone.
    let error = http.send_multipart::<Value>(limited(1 << 20), "/v1/generate", &big_form()).await.expect_err("invalid");
    assert!(
        matches!(&error, Error::Validation(e) if e.violations().len() == 1 && size_of(&Error::Validation(e.clone())).is_none()),
        "{error:?}"
    );
    assert!(received_lengths(&server).await.is_empty(), "nothing sent");
}

#[tokio::test]
async fn a_valid_requests_warnings_are_reported_once_it_is_sent_and_never_for_a_refused_one() {
    let server = answering_server().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let observer = Observer::new(move |event| {
        if let HttpEvent::Warning { warning, .. } = event {
            sink.lock().expect("not poisoned").push(warning.path.clone());
        }
    });
    let (builder, _) = builder(&server.uri());
    let client = builder.observer(observer).build().expect("a client");
    let warnings =
        Warnings::from(vec![Warning { path: "seed".into(), rule: Constraint::Required, message: "ignored".into() }]);

    let http = client.http.with_validation(Ok(warnings.clone()));
    let error = http.send_multipart::<Value>(limited(1024), "/v1/generate", &big_form()).await.expect_err("too large");
    let Error::Validation(error) = error else { panic!("a validation error") };
    assert_eq!(error.warnings(), &warnings, "the warnings travel with the refusal");
    assert!(seen.lock().expect("not poisoned").is_empty(), "not reported for a request never sent");

    let _: Value = http.send_multipart(limited(1 << 20), "/v1/generate", &big_form()).await.expect("sent");
    assert_eq!(*seen.lock().expect("not poisoned"), ["seed"]);
}

#[tokio::test]
async fn an_operation_without_a_limit_sends_any_size() {
    let server = answering_server().await;
    let (client, _) = client(&server.uri());
    let mut form = MultipartForm::new();
    form.push_file("image", &FilePart::from_bytes(vec![0u8; 11 << 20]));
    let _: Value = client.http.send_multipart(&GENERATE, "/v1/generate", &form).await.expect("sent");
    assert!(received_lengths(&server).await[0] > 11 << 20);
}

#[tokio::test]
async fn a_header_field_that_cannot_be_sent_joins_the_fields_violations() {
    let (client, _) = client(&dead_url().await);
    let mut params = imagegen_runtime::RequestParams::new();
    params.header("x-note", "two\nlines");

    let error = client.http.with_validation(Err(field_violation())).with_params(params).expect_err("refused");

    let Error::Validation(error) = &error else { panic!("a validation error: {error:?}") };
    let paths: Vec<&str> = error.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["prompt", "x-note"]);
}
