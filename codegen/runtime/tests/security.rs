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
    use imagegen_runtime::{HttpClient, ProviderInfo};

    const ENV: &str = "IMAGEGEN_RUNTIME_TEST_ENV_KEY";

    static ENV_PROVIDER: ProviderInfo = ProviderInfo {
        name: "envprovider",
        title: "Env Provider",
        default_base_url: "https://api.example.invalid",
        api_key_env: ENV,
        base_url_env: "IMAGEGEN_RUNTIME_TEST_ENV_BASE_URL",
        auth_schemes: &[AuthScheme::Header("x-goog-api-key")],
        envelopes: &[GOOGLE],
        headers: &[],
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

/// A server that echoes the request back must not make the client show its own key.
mod echoing_server {
    use std::sync::{Arc, Mutex};

    use futures_util::StreamExt;
    use imagegen_runtime::{HttpEvent, Observer, SseEvent};
    use serde::Deserialize;

    use super::*;

    /// Every 8-character piece of the key: a snippet cut in the middle of the key must not show its start.
    fn assert_no_key_fragment(what: &str, text: &str) {
        assert_no_canary(what, text);
        let key: Vec<char> = CANARY_KEY.chars().collect();
        for window in key.windows(8) {
            let fragment: String = window.iter().collect();
            assert!(!text.contains(&fragment), "{what} shows part of the key ({fragment}): {text}");
        }
    }

    /// Display, Debug and every source's Display: what an error-chain printer or a log shows.
    fn everything_shown(error: &(dyn std::error::Error + 'static)) -> String {
        let mut text = format!("{error}\n{error:?}");
        let mut source = error.source();
        while let Some(next) = source {
            text.push_str(&format!("\n{next}\n{next:?}"));
            source = next.source();
        }
        text
    }

    async fn failing_with(template: ResponseTemplate) -> (Error, MockServer) {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(template).mount(&server).await;
        let (builder, _) = builder(&server.uri());
        let client = builder.max_retries(0).build().expect("client");
        let err = send(&client).await.expect_err("the server answers with an error");
        (err, server)
    }

    #[tokio::test]
    async fn plain_text_error_page_echoing_the_key() {
        let page = format!("401 Unauthorized\nx-api-key: {CANARY_KEY}\nAuthorization: Bearer {CANARY_KEY}\n");
        let (err, _server) = failing_with(ResponseTemplate::new(401).set_body_raw(page.clone(), "text/plain")).await;
        assert_no_key_fragment("plain-text API error", &everything_shown(&err));
        let api = err.as_api().expect("api error");
        assert_no_key_fragment("body snippet", &api.body_snippet());
        assert!(err.to_string().contains("<redacted>"), "{err}");
        // The raw body is data the caller asked for: kept exactly as received.
        assert_eq!(&api.body[..], page.as_bytes());
    }

    #[tokio::test]
    async fn html_error_page_echoing_the_key() {
        let page = format!("<html><head><title>Bad key {CANARY_KEY}</title></head><body>{CANARY_KEY}</body></html>");
        let (err, _server) = failing_with(ResponseTemplate::new(403).set_body_raw(page, "text/html")).await;
        assert_no_key_fragment("HTML API error", &everything_shown(&err));
    }

    #[tokio::test]
    async fn json_envelopes_echoing_the_key() {
        let openai = json!({"error": {"message": format!("Incorrect API key provided: {CANARY_KEY}"), "type": "invalid_request_error", "param": CANARY_KEY, "code": CANARY_KEY}});
        let (err, _server) = failing_with(ResponseTemplate::new(401).set_body_json(openai)).await;
        assert_no_key_fragment("OpenAI envelope error", &everything_shown(&err));
        let api = err.as_api().expect("api error");
        assert_no_key_fragment("message()", api.message().unwrap_or_default());
        assert_no_key_fragment("code()", api.code().unwrap_or_default());
        assert_no_key_fragment("param()", api.param().unwrap_or_default());
        assert!(api.message().is_some_and(|m| m.starts_with("Incorrect API key provided: ")), "{api:?}");

        let google = json!({"error": {"code": 400, "message": format!("API key not valid: {CANARY_KEY}"), "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "metadata": {"key": CANARY_KEY}}]}});
        let (err, _server) = failing_with(ResponseTemplate::new(400).set_body_json(google)).await;
        assert_no_key_fragment("Google envelope error", &everything_shown(&err));
        let Some(envelope) = err.as_api().and_then(|a| a.envelope.as_ref()) else { panic!("{err:?}") };
        assert_eq!(envelope.name(), "google");
        assert_no_key_fragment("Google envelope", &format!("{envelope:?}"));
    }

    #[tokio::test]
    async fn key_straddling_the_snippet_cut_is_not_shown_in_part() {
        // The snippet keeps a few hundred bytes; put the key right across that cut.
        for offset in [280, 290, 295, 299, 300] {
            let body = format!("{}{CANARY_KEY}{}", "x".repeat(offset), "y".repeat(400));
            let (err, _server) = failing_with(ResponseTemplate::new(500).set_body_raw(body, "text/plain")).await;
            assert_no_key_fragment(&format!("snippet with the key at byte {offset}"), &everything_shown(&err));
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Count {
        n: u32,
    }

    impl imagegen_runtime::image::CollectImages for Count {
        fn collect_images<'a>(&'a self, _out: &mut Vec<&'a imagegen_runtime::Base64Data>) {}
    }

    #[tokio::test]
    async fn success_bodies_echoing_the_key_give_decode_errors_without_it() {
        for body in [format!("<pre>you sent x-api-key: {CANARY_KEY}</pre>"), json!({ "n": CANARY_KEY }).to_string()] {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
                .mount(&server)
                .await;
            let (client, _) = support::client(&server.uri());
            let err = client
                .http
                .send_json::<_, Count>(&GENERATE, "/v1/generate", Some(&json!({})))
                .await
                .expect_err("does not decode");
            let Error::Decode(decode) = &err else { panic!("{err:?}") };
            assert_no_key_fragment("decode error", &everything_shown(&err));
            assert_no_key_fragment("decode snippet", &decode.snippet);
            assert_eq!(&decode.body[..], body.as_bytes(), "the raw body stays raw");
        }
    }

    #[derive(Debug)]
    struct CountEvent;

    impl SseEvent for CountEvent {
        fn from_sse(_: Option<&str>, data: &str) -> Result<Self, serde_json::Error> {
            serde_json::from_str::<Count>(data).map(|_| CountEvent)
        }
        fn is_terminal(&self) -> bool {
            true
        }
    }

    #[tokio::test]
    async fn an_event_echoing_the_key_gives_a_stream_error_without_it() {
        let server = MockServer::start().await;
        let body = format!("event: echo-{CANARY_KEY}\ndata: {}\n\n", json!({ "n": CANARY_KEY }));
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
            .mount(&server)
            .await;
        let (client, _) = support::client(&server.uri());
        let stream = client.http.send_sse::<_, CountEvent>(&GENERATE, "/v1/generate", Some(&json!({}))).await;
        let items: Vec<_> = stream.expect("opens").collect().await;
        let Some(Err(err)) = items.first() else { panic!("{items:?}") };
        assert!(matches!(err, Error::Stream(_)), "{err:?}");
        assert_no_key_fragment("stream error", &everything_shown(err));
    }

    #[tokio::test]
    async fn a_response_header_echoing_the_key_is_not_logged() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(503)
                    .insert_header("x-echo-api-key", CANARY_KEY)
                    .insert_header("x-echo-authorization", format!("Bearer {CANARY_KEY}").as_str()),
            )
            .mount(&server)
            .await;
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = Arc::clone(&log);
        let observer = Observer::new(move |event| {
            let line = match event {
                HttpEvent::Response { headers, .. } => format!("{headers:?}"),
                HttpEvent::Retry { error, .. } => everything_shown(*error),
                other => format!("{other:?}"),
            };
            sink.lock().expect("log").push(line);
        });
        let (builder, _) = builder(&server.uri());
        let client = builder.max_retries(1).observer(observer).build().expect("client");
        let err = send(&client).await.expect_err("503 twice");
        let log = log.lock().expect("log").join("\n");
        assert!(log.contains("x-echo-api-key"), "the header itself is still logged: {log}");
        assert_no_key_fragment("request log", &log);
        let api = err.as_api().expect("api error");
        assert_no_key_fragment("ApiError headers", &format!("{:?}", api.headers));
        assert_no_key_fragment("request id", &format!("{:?}", api.request_id()));
    }

    #[test]
    fn key_in_the_base_url_query_is_not_echoed() {
        for url in [
            format!("https://api.example.com/v1?key={CANARY_KEY}"),
            format!("https://api.example.com/v1?alt=json&api_key={CANARY_KEY}#x"),
            format!("not a url ?key={CANARY_KEY}"),
        ] {
            let err =
                ClientBuilder::<TestClient>::new().api_key("k").base_url(url.clone()).build().expect_err("refused");
            assert!(matches!(err, Error::Config(ConfigError::InvalidBaseUrl { .. })), "{err:?}");
            assert_no_key_fragment(&format!("InvalidBaseUrl for {url}"), &everything_shown(&err));
        }
        // The client's own key, found in the base URL, is not echoed either.
        let err = ClientBuilder::<TestClient>::new()
            .api_key(CANARY_KEY)
            .base_url(format!("ftp://api.example.com/{CANARY_KEY}"))
            .build()
            .expect_err("refused");
        assert_no_key_fragment("InvalidBaseUrl with the key in the path", &everything_shown(&err));
    }

    #[tokio::test]
    async fn a_dry_run_shows_no_key() {
        let (builder, _) = builder("http://127.0.0.1:9");
        let client = builder.dry_run(true).auth_scheme(AuthScheme::Bearer).build().expect("client");
        let err = send(&client).await.expect_err("dry run");
        let request = err.as_dry_run().expect("dry run");
        assert_no_key_fragment("dry run", &format!("{err}\n{err:?}\n{request}\n{request:?}"));
        assert_eq!(request.header("authorization"), Some("Bearer <redacted>"));
    }
}
