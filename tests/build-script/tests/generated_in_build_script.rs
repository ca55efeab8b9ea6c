//! The module the build script generated is an ordinary typed client.

use imagegen_build_script_example::acme::{Client, DrawRequest, Style};
use imagegen_build_script_example::runtime::{Error, Validate};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn limits_from_the_spec_are_checked_before_sending() {
    let err = DrawRequest::new("a red kite").with_count(9).validate().unwrap_err();
    assert_eq!(err.violations()[0].path, "count");
}

#[tokio::test]
async fn a_call_sends_the_typed_request_and_decodes_the_images() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/draw"))
        .and(header("authorization", "Bearer acme-test-key"))
        .and(body_json(json!({"prompt": "a red kite", "style": "sketch", "count": 1})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": [{"b64": "aGk="}], "seed": 7})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder().api_key("acme-test-key").base_url(server.uri()).build().unwrap();
    let request = DrawRequest::new("a red kite").with_style(Style::Sketch).with_count(1);
    let response = client.draw(&request).await.unwrap();
    assert_eq!(response.images().iter().map(|i| i.as_bytes()).collect::<Vec<_>>(), [b"hi"]);
    assert_eq!(response.extra["seed"], 7, "unknown fields are kept");

    let invalid = DrawRequest::new("a red kite").with_count(0);
    assert!(matches!(client.draw(&invalid).await, Err(Error::Validation(_))), "refused before sending");
}
