//! The API key: where it goes, where it never goes, and how the client is configured.

mod support;

use imagegen_runtime::error::ConfigError;
use imagegen_runtime::{AuthScheme, ClientBuilder, Error, ProviderClient};
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn assert_no_canary(what: &str, text: &str) {
    assert!(!text.contains(CANARY_KEY), "{what} leaks the API key: {text}");
    assert!(!text.contains("canary"), "{what} leaks part of the API key: {text}");
}

async fn send(client: &TestClient) -> Result<Value, Error> {
    client.http.send_json(&GENERATE, "/v1/generate", Some(&json!({"prompt": "x"}))).await
}

#[tokio::test]
async fn canary_key_is_absent_from_debug_of_builder_client_and_errors() {
    let server = MockServer::start().await;
    let body = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(401).set_body_json(body)).mount(&server).await;

    let (builder, _) = builder(&server.uri());
    assert_no_canary("builder Debug", &format!("{builder:?}"));
    let client = builder.build().expect("client");
    assert_no_canary("HttpClient Debug", &format!("{:?}", client.http));
    assert_no_canary("HttpClient clone Debug", &format!("{:#?}", client.http.clone()));

    let api = send(&client).await.expect_err("401");
    assert_no_canary("API error Debug", &format!("{api:?}"));
    assert_no_canary("API error Display", &api.to_string());
    // Positive control: the key really was sent, so its absence above means something.
    let received = server.received_requests().await.expect("recording on");
    assert_eq!(received[0].headers.get("x-api-key").and_then(|v| v.to_str().ok()), Some(CANARY_KEY));

    let (dead, _) = support::client(&dead_url().await);
    let transport = send(&dead).await.expect_err("nothing listens");
    assert_no_canary("transport error Debug", &format!("{transport:?}"));
    assert_no_canary("transport error Display", &transport.to_string());

    let bad_key = format!("{CANARY_KEY}\n");
    let config = ClientBuilder::<TestClient>::new().api_key(bad_key).build().expect_err("newline in key");
    assert!(matches!(config, Error::Config(ConfigError::InvalidApiKey)));
    assert_no_canary("config error Debug", &format!("{config:?}"));
    assert_no_canary("config error Display", &config.to_string());
}

#[tokio::test]
async fn bearer_scheme_sends_the_authorization_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", format!("Bearer {CANARY_KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .mount(&server)
        .await;
    let (builder, _) = builder(&server.uri());
    let client = builder.auth_scheme(AuthScheme::Bearer).build().expect("client");
    let body = send(&client).await.expect("matched on the bearer header");
    assert_eq!(body, json!({"ok": 1}));
    let received = server.received_requests().await.expect("recording on");
    assert!(received[0].headers.get("x-api-key").is_none());
}

#[tokio::test]
async fn auth_headers_are_not_forwarded_on_a_redirect_to_another_port() {
    let origin = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/stolen", other.uri()).as_str()))
        .mount(&origin)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&other).await;
    let (client, _) = support::client(&origin.uri());
    let err = send(&client).await.expect_err("redirect not followed");
    assert_eq!(err.status(), Some(307));
    assert_eq!(other.received_requests().await.map(|r| r.len()), Some(0), "the second server saw the request");
}

#[tokio::test]
async fn auth_headers_are_not_forwarded_on_a_redirect_from_127_0_0_1_to_localhost() {
    let origin = MockServer::start().await;
    let port = origin.address().port();
    Mock::given(method("POST"))
        .and(path("/v1/generate"))
        .respond_with(
            ResponseTemplate::new(308).insert_header("location", format!("http://localhost:{port}/stolen").as_str()),
        )
        .mount(&origin)
        .await;
    Mock::given(method("POST"))
        .and(path("/stolen"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&origin)
        .await;
    let (client, _) = support::client(&origin.uri());
    let err = send(&client).await.expect_err("redirect not followed");
    assert_eq!(err.status(), Some(308));
    let received = origin.received_requests().await.expect("recording on");
    assert_eq!(received.len(), 1, "the redirect to another host name was followed");
}

#[tokio::test]
async fn same_origin_redirect_is_followed_with_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/generate"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/v2/generate"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/generate"))
        .and(header("x-api-key", CANARY_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"moved": true})))
        .mount(&server)
        .await;
    let (client, _) = support::client(&server.uri());
    assert_eq!(send(&client).await.expect("followed"), json!({"moved": true}));
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let err = ClientBuilder::<TestClient>::new().api_key("k").base_url("http://api.example.com").build().err();
    assert!(matches!(err, Some(Error::Config(ConfigError::InsecureBaseUrl { ref host })) if host == "api.example.com"));
    let allowed = ClientBuilder::<TestClient>::new()
        .api_key("k")
        .base_url("http://api.example.com/")
        .allow_insecure_http(true)
        .build()
        .expect("opted in");
    assert_eq!(allowed.http.base_url(), "http://api.example.com");
}

#[test]
fn plain_http_to_loopback_is_allowed() {
    for url in ["http://127.0.0.1:9", "http://localhost:9/api/", "http://[::1]:9"] {
        let client = ClientBuilder::<TestClient>::new().api_key("k").base_url(url).build();
        assert!(client.is_ok(), "{url} refused");
    }
}

#[test]
fn default_base_url_is_the_providers() {
    let client = ClientBuilder::<TestClient>::new().api_key("k").build().expect("client");
    assert_eq!(client.http_client().base_url(), PROVIDER.default_base_url);
    assert_eq!(client.http_client().provider().name, "testprovider");
    assert_eq!(client.http_client().auth_scheme(), AuthScheme::Header("x-api-key"));
}

#[test]
fn credentials_in_the_base_url_are_refused_without_echoing_them() {
    let err = ClientBuilder::<TestClient>::new()
        .api_key("k")
        .base_url(format!("https://user:{CANARY_KEY}@api.example.com"))
        .build()
        .expect_err("refused");
    assert!(matches!(err, Error::Config(ConfigError::InvalidBaseUrl { .. })));
    assert_no_canary("base URL error", &format!("{err} {err:?}"));
}

#[test]
fn unsupported_base_url_scheme_is_refused() {
    let err = ClientBuilder::<TestClient>::new().api_key("k").base_url("ftp://example.com").build().err();
    assert!(matches!(err, Some(Error::Config(ConfigError::InvalidBaseUrl { .. }))));
}

#[test]
fn missing_api_key_is_a_config_error_naming_the_variable() {
    let err = ClientBuilder::<TestClient>::new().build().expect_err("no key anywhere");
    assert!(matches!(err, Error::Config(ConfigError::MissingApiKey { env: UNSET_KEY_ENV })));
    assert!(err.to_string().contains(UNSET_KEY_ENV));
}

#[test]
fn auth_scheme_the_provider_does_not_accept_is_refused() {
    let err =
        ClientBuilder::<TestClient>::new().api_key("k").auth_scheme(AuthScheme::Header("x-goog-api-key")).build().err();
    assert!(matches!(err, Some(Error::Config(ConfigError::UnsupportedAuthScheme { .. }))));
}

mod from_env {
    use super::*;
    use imagegen_runtime::{ErrorFormat, HttpClient, ProviderInfo};

    const ENV: &str = "IMAGEGEN_RUNTIME_TEST_ENV_KEY";

    static ENV_PROVIDER: ProviderInfo = ProviderInfo {
        name: "envprovider",
        title: "Env Provider",
        default_base_url: "https://api.example.invalid",
        api_key_env: ENV,
        auth_schemes: &[AuthScheme::Header("x-goog-api-key")],
        error_format: ErrorFormat::Google,
    };

    struct EnvClient(HttpClient);

    impl ProviderClient for EnvClient {
        const PROVIDER: &'static ProviderInfo = &ENV_PROVIDER;
        fn from_http_client(http: HttpClient) -> Self {
            Self(http)
        }
        fn http_client(&self) -> &HttpClient {
            &self.0
        }
    }

    #[tokio::test]
    async fn api_key_is_read_from_the_providers_environment_variable() {
        std::env::set_var(ENV, "env-key-123");
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(header("x-goog-api-key", "env-key-123"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
            .mount(&server)
            .await;
        let client = EnvClient::builder().base_url(server.uri()).build().expect("key from env");
        let body: Value =
            client.0.send_json(&GENERATE, "/v1/generate", Some(&json!({}))).await.expect("sent with env key");
        assert_eq!(body, json!({"ok": true}));
    }
}
