//! Shared definitions on the wire, through the compiled `shared_definitions` snapshot
//! module: a field set included by a JSON request and a multipart form sends the same
//! fields from both, where the include stands, with the set's limits checked in each; a
//! type imported from a shared file parses in the response like a type of the spec's own.

use imagegen::runtime::{Constraint, FilePart, Validate};
use imagegen_snapshot_compiled::shared_definitions::{Client, EditForm, EditRequest, EditSize, ImageUsage};
use serde_json::json;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "test-key-not-real";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn server() -> MockServer {
    let server = MockServer::start().await;
    let answer = json!({"data": ["https://cdn.example.com/1.png"], "usage": {"input_tokens": 12, "total_tokens": 40}});
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder().api_key(KEY).base_url(server.uri()).max_retries(0).build().expect("a client")
}

async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "one request");
    received.remove(0)
}

#[tokio::test]
async fn the_json_request_sends_the_included_fields_where_the_include_stands() {
    let server = server().await;
    let request = EditRequest::new("https://example.com/cat.png", "add a hat")
        .with_n(2)
        .with_size(EditSize::Size1536x1024)
        .with_user("u-1");

    let answer = client(&server).edit(&request).await.expect("an answer");

    let body: serde_json::Value = serde_json::from_slice(&only_request(&server).await.body).expect("JSON");
    let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["image_url", "prompt", "n", "size", "user"], "own field, the set's fields, own field");
    assert_eq!(body["size"], "1536x1024");
    let usage: &ImageUsage = answer.usage.as_ref().expect("the imported type parsed");
    assert_eq!((usage.input_tokens, usage.total_tokens), (Some(12), Some(40)));
}

#[tokio::test]
async fn the_form_sends_the_same_included_fields_as_parts() {
    let server = server().await;
    let form =
        EditForm::new(FilePart::from_bytes(PNG.to_vec()), "add a hat").with_n(3).with_size(EditSize::Size1024x1024);

    client(&server).edit_upload(&form).await.expect("an answer");

    let received = only_request(&server).await;
    let body = String::from_utf8_lossy(&received.body);
    let order: Vec<usize> = ["name=\"image\"", "name=\"prompt\"", "name=\"n\"", "name=\"size\""]
        .iter()
        .map(|part| body.find(part).unwrap_or_else(|| panic!("no {part} part in:\n{body}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "parts in field order: {order:?}");
    assert!(body.contains("add a hat") && body.contains("1024x1024"));
}

#[test]
fn the_field_sets_limits_hold_in_every_object_including_it() {
    let json = EditRequest::new("https://example.com/cat.png", "x").with_n(9);
    let form = EditForm::new(FilePart::from_bytes(PNG.to_vec()), "x").with_n(9);
    for (what, error) in [("json", json.validate().unwrap_err()), ("form", form.validate().unwrap_err())] {
        let violation = error.violations().first().unwrap_or_else(|| panic!("{what}: a violation"));
        assert_eq!(violation.path, "n", "{what}");
        assert_eq!(violation.rule, Constraint::Range { min: Some(1.0), max: Some(4.0), actual: 9.0 }, "{what}");
    }
}
