//! Per-call options and the base URL from the environment.

mod support;

use std::time::Duration;

use imagegen_runtime::error::ConfigError;
use imagegen_runtime::{ClientBuilder, Error, RequestOptions};
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn generate(http: &imagegen_runtime::HttpClient) -> Result<Value, Error> {
    http.send_json(&GENERATE, "/v1/generate", Some(&json!({"prompt": "a cat"}))).await
}

#[tokio::test]
async fn options_apply_to_the_handle_only_and_keep_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-request-source", "nightly"))
        .and(header("x-api-key", CANARY_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let (client, waits) = client(&server.uri());
    let tagged = client.http.with_options(&RequestOptions::new().header("x-request-source", "nightly")).unwrap();
    assert_eq!(generate(&tagged).await.unwrap(), json!({"ok": true}));

    // The original client sends no such header: it gets the 503, retried twice.
    let err = generate(&client.http).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(waits.get().len(), 2);

    // No retries for this handle.
    let once = client.http.with_options(&RequestOptions::new().max_retries(0)).unwrap();
    let before = server.received_requests().await.unwrap().len();
    assert_eq!(generate(&once).await.unwrap_err().status(), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn a_per_call_timeout_ends_a_slow_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)).set_body_json(json!({})))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let quick =
        client.http.with_options(&RequestOptions::new().timeout(Duration::from_millis(200)).max_retries(0)).unwrap();
    assert!(matches!(generate(&quick).await, Err(Error::Timeout(_))));
}

#[test]
fn headers_the_client_owns_are_refused() {
    let (client, _) = client("http://127.0.0.1:9");
    for name in ["x-api-key", "authorization", "Content-Type", "accept"] {
        let err = client.http.with_options(&RequestOptions::new().header(name, "x")).unwrap_err();
        assert!(matches!(err, Error::Config(ConfigError::ReservedHeader { .. })), "{name}: {err}");
    }
    let err = client.http.with_options(&RequestOptions::new().header("bad header", "x")).unwrap_err();
    assert!(matches!(err, Error::Config(ConfigError::InvalidHeader { .. })), "{err}");
}

#[test]
fn the_base_url_comes_from_the_environment_when_the_builder_gives_none() {
    // The test provider's key variable is never set, so its base URL variable is
    // this test's alone.
    let variable = PROVIDER.base_url_env;
    std::env::set_var(variable, "http://127.0.0.1:4010/");
    let client = ClientBuilder::<TestClient>::new().api_key(CANARY_KEY).build().unwrap();
    assert_eq!(client.http.base_url(), "http://127.0.0.1:4010");
    let explicit = ClientBuilder::<TestClient>::new().api_key(CANARY_KEY).base_url("http://127.0.0.1:1").build();
    assert_eq!(explicit.unwrap().http.base_url(), "http://127.0.0.1:1", "the builder wins");
    std::env::remove_var(variable);
}
