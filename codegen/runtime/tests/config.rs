//! One `ClientConfig` behind every way a client is built: the builder's setters write
//! it, a builder or a call by name starts from it, and its `Debug` never shows the key.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use imagegen_runtime::config::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
use imagegen_runtime::{
    AuthScheme, ClientBuilder, ClientConfig, Constraint, HttpEvent, Jitter, Observer, RetryPolicy, Warning, Warnings,
    WireRequest,
};
use serde_json::json;
use support::*;

/// A URL only `allow_insecure_http` lets through: building proves the setting arrived.
const INSECURE_URL: &str = "http://proxy.example.com/v1";

/// Every setting away from its default, through the builder's setters.
fn every_setter(observer: Observer) -> ClientBuilder<TestClient> {
    ClientBuilder::<TestClient>::new()
        .api_key(CANARY_KEY)
        .base_url(INSECURE_URL)
        .auth_scheme(AuthScheme::Bearer)
        .http_client(reqwest::Client::new())
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(7))
        .user_agent("config-test/1")
        .retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(250)).with_jitter(Jitter::None))
        .max_retries(5)
        .allow_insecure_http(true)
        .max_response_bytes(1024)
        .retry_timeouts_after_send(true)
        .dry_run(true)
        .observer(observer)
        .header("X-Client-Name", "config-test")
}

/// The same settings, written as a config.
fn every_field(observer: Observer) -> ClientConfig {
    ClientConfig {
        api_key: Some(CANARY_KEY.to_string()),
        base_url: Some(INSECURE_URL.to_string()),
        auth_scheme: Some(AuthScheme::Bearer),
        http_client: Some(reqwest::Client::new()),
        connect_timeout: Duration::from_secs(3),
        timeout: Duration::from_secs(7),
        user_agent: Some("config-test/1".to_string()),
        retry_policy: RetryPolicy::default()
            .with_base_delay(Duration::from_millis(250))
            .with_jitter(Jitter::None)
            .with_max_retries(5),
        allow_insecure_http: true,
        max_response_bytes: 1024,
        retry_timeouts_after_send: true,
        dry_run: true,
        observer: Some(observer),
        headers: vec![("X-Client-Name".to_string(), "config-test".to_string())],
    }
}

/// An observer that records the operation of each warning it is told about.
fn recording_observer() -> (Observer, Arc<Mutex<Vec<&'static str>>>) {
    let seen: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let observer = Observer::new(move |event| {
        if let HttpEvent::Warning { operation, .. } = event {
            sink.lock().expect("observer log").push(operation);
        }
    });
    (observer, seen)
}

/// What a built client would send, and how it says it is configured.
async fn effective(client: &TestClient) -> (String, WireRequest) {
    let wire = client.http.dry_run_json(&GENERATE, "/v1/generate", Some(&json!({"prompt": "x"}))).await;
    (format!("{:?}", client.http), wire.expect("dry run builds"))
}

#[test]
fn every_builder_setting_lands_in_the_config() {
    let config = every_setter(Observer::new(|_| {})).into_config();
    // Every field named: a new setting breaks this pattern until it is set above and checked here.
    let ClientConfig {
        api_key,
        base_url,
        auth_scheme,
        http_client,
        connect_timeout,
        timeout,
        user_agent,
        retry_policy,
        allow_insecure_http,
        max_response_bytes,
        retry_timeouts_after_send,
        dry_run,
        observer,
        headers,
    } = config;
    assert_eq!(api_key.as_deref(), Some(CANARY_KEY));
    assert_eq!(base_url.as_deref(), Some(INSECURE_URL));
    assert_eq!(auth_scheme, Some(AuthScheme::Bearer));
    assert!(http_client.is_some());
    assert_eq!(connect_timeout, Duration::from_secs(3));
    assert_eq!(timeout, Duration::from_secs(7));
    assert_eq!(user_agent.as_deref(), Some("config-test/1"));
    // `max_retries` is a shorthand for the policy's count, not a setting of its own.
    assert_eq!(retry_policy.max_retries(), 5);
    assert_eq!(retry_policy.base_delay(), Duration::from_millis(250));
    assert!(allow_insecure_http);
    assert_eq!(max_response_bytes, 1024);
    assert!(retry_timeouts_after_send);
    assert!(dry_run);
    assert!(observer.is_some());
    assert_eq!(headers, [("X-Client-Name".to_string(), "config-test".to_string())]);
}

#[test]
fn a_new_builder_starts_from_the_default_config() {
    let config = ClientBuilder::<TestClient>::new().into_config();
    assert_eq!(format!("{config:?}"), format!("{:?}", ClientConfig::default()));
    assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    assert_eq!(config.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
    assert_eq!(config.max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES);
    assert_eq!(config.retry_policy.max_retries(), RetryPolicy::default().max_retries());
    assert!(!config.allow_insecure_http && !config.dry_run && !config.retry_timeouts_after_send);
}

#[tokio::test]
async fn setters_a_config_and_a_builder_from_that_config_build_the_same_client() {
    let (observer, seen) = recording_observer();
    let by_setters = every_setter(observer.clone()).build().expect("setters build");
    let config = every_field(observer);
    let from_config = ClientBuilder::<TestClient>::from_config(config.clone()).build().expect("from_config builds");
    let by_config = config.build::<TestClient>().expect("config builds");

    let (debug, wire) = effective(&by_setters).await;
    for (how, client) in [("from_config", &from_config), ("ClientConfig::build", &by_config)] {
        let (other_debug, other_wire) = effective(client).await;
        assert_eq!(other_debug, debug, "{how}");
        assert_eq!(other_wire.url, wire.url, "{how}");
        assert_eq!(other_wire.headers, wire.headers, "{how}");
    }
    // The settings the client's Debug shows, and the ones only the request shows.
    for shown in ["timeout: 7s", "max_retries: 5", "max_response_bytes: 1024", "retry_timeouts_after_send: true"] {
        assert!(debug.contains(shown), "{shown} missing from {debug}");
    }
    assert_eq!(wire.url, format!("{INSECURE_URL}/v1/generate"));
    assert_eq!(wire.header("user-agent"), Some("config-test/1"));
    assert_eq!(wire.header("authorization"), Some("Bearer <redacted>"));
    assert_eq!(wire.header("x-client-name"), Some("config-test"), "the provider's documented header");
    // The dry-run setting: a call answers with the request instead of sending it.
    let call = by_config.http.send_json::<_, serde_json::Value>(&GENERATE, "/v1/generate", Some(&json!({}))).await;
    assert!(call.expect_err("a dry-run client sends nothing").as_dry_run().is_some());
    // The observer: each client reports a request's warning to the one it was given.
    let warnings = Warnings::from(vec![Warning {
        path: "mask".to_string(),
        rule: Constraint::ForbiddenBy { condition: "no image".to_string() },
        message: "ignored without an image".to_string(),
    }]);
    for client in [&by_setters, &from_config, &by_config] {
        client.http.report_warnings(&GENERATE, &warnings);
    }
    assert_eq!(*seen.lock().expect("observer log"), vec!["generate"; 3]);
}

#[test]
fn a_config_without_allow_insecure_http_refuses_plain_http() {
    let config = ClientConfig { allow_insecure_http: false, ..every_field(Observer::new(|_| {})) };
    assert!(config.build::<TestClient>().is_err());
}

#[test]
fn debug_of_a_config_never_shows_the_key() {
    let config = ClientConfig {
        api_key: Some(CANARY_KEY.to_string()),
        // Where a caller might paste the key by mistake.
        base_url: Some(format!("https://proxy.example.com/{CANARY_KEY}/v1?key={CANARY_KEY}")),
        user_agent: Some(format!("my-app ({CANARY_KEY})")),
        ..ClientConfig::default()
    };
    let shown = [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{:?}", ClientBuilder::<TestClient>::from_config(config.clone())),
    ];
    for text in shown {
        assert!(!text.contains(CANARY_KEY), "the key shows: {text}");
        assert!(!text.contains("canary"), "part of the key shows: {text}");
        assert!(text.contains("<redacted>"), "{text}");
        assert!(text.contains("proxy.example.com"), "the base URL should still show: {text}");
    }
}
