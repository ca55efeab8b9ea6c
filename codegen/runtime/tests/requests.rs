//! What a request carries besides its body: query parameters and headers from its
//! fields (`RequestParams`), the provider's documented headers set once per client,
//! and a key sent as a query parameter (`?key=`), which no URL the client shows may
//! reveal: dry runs, the request log, transport errors, redirects.

mod support;

use std::error::Error as _;
use std::sync::{Arc, Mutex};

use imagegen_runtime::{
    AuthScheme, ClientBuilder, Constraint, Error, HttpClient, HttpEvent, Method, Observer, OperationInfo,
    ProviderClient, ProviderHeader, ProviderInfo, RequestParams,
};
use serde_json::{json, Value};
use support::{CANARY_KEY, GOOGLE};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A Google-style provider: the key as `?key=` (the default) or in `x-goog-api-key`,
/// and two documented headers, one of them a secret.
static QUERY_PROVIDER: ProviderInfo = ProviderInfo {
    name: "queryprovider",
    title: "Query Provider",
    default_base_url: "https://api.example.invalid",
    api_key_env: "IMAGEGEN_RUNTIME_TEST_QUERY_KEY_NEVER_SET",
    base_url_env: "IMAGEGEN_RUNTIME_TEST_QUERY_BASE_URL_NEVER_SET",
    auth_schemes: &[AuthScheme::Query("key"), AuthScheme::Header("x-goog-api-key")],
    envelopes: &[GOOGLE],
    headers: &[
        ProviderHeader { name: "OpenAI-Organization", help: "Your organisation.", secret: false, env: None },
        ProviderHeader {
            name: "x-project-token",
            help: "A project token.",
            secret: true,
            env: Some("IMAGEGEN_RUNTIME_TEST_PROJECT_TOKEN"),
        },
    ],
};

static LIST: OperationInfo = OperationInfo {
    id: "list",
    method: Method::Get,
    path: "/v1/items",
    envelopes: &[GOOGLE],
    status_retries: &[],
    auth_schemes: &[],
    model_param: None,
    usage: &[],
    max_request_bytes: None,
};

/// An operation that takes the key only in its header.
static HEADER_ONLY: OperationInfo = OperationInfo {
    id: "header_only",
    method: Method::Get,
    path: "/v1/items",
    envelopes: &[GOOGLE],
    status_retries: &[],
    auth_schemes: &[AuthScheme::Header("x-goog-api-key")],
    model_param: None,
    usage: &[],
    max_request_bytes: None,
};

/// An operation that takes the key only in the query.
static QUERY_ONLY: OperationInfo = OperationInfo {
    id: "query_only",
    method: Method::Get,
    path: "/v1/items",
    envelopes: &[GOOGLE],
    status_retries: &[],
    auth_schemes: &[AuthScheme::Query("key")],
    model_param: None,
    usage: &[],
    max_request_bytes: None,
};

struct QueryClient(HttpClient);

impl ProviderClient for QueryClient {
    const PROVIDER: &'static ProviderInfo = &QUERY_PROVIDER;
    fn from_http_client(http: HttpClient) -> Self {
        Self(http)
    }
    fn http_client(&self) -> &HttpClient {
        &self.0
    }
}

fn builder(base_url: &str) -> ClientBuilder<QueryClient> {
    ClientBuilder::<QueryClient>::new().api_key(CANARY_KEY).base_url(base_url).max_retries(0)
}

fn client(base_url: &str) -> HttpClient {
    builder(base_url).build().expect("client builds").0
}

fn params() -> RequestParams {
    let mut params = RequestParams::new();
    params.query("id", "task 7/8");
    params.query_each("tag", ["a&b", "c"]);
    params.query_joined("size", [512, 768]);
    params.header("accept", "image/*");
    params.header("stability-client-id", "my-app");
    params
}

/// Everything a reader could see of an error: its message, its `Debug`, every source.
fn everything_shown(error: &Error) -> String {
    let mut shown = format!("{error} {error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        shown.push_str(&format!(" | {cause} {cause:?}"));
        source = cause.source();
    }
    shown
}

fn assert_no_key(what: &str, text: &str) {
    assert!(!text.contains(CANARY_KEY), "{what} shows the key: {text}");
    assert!(!text.contains("canary"), "{what} shows part of the key: {text}");
}

#[tokio::test]
async fn query_parameters_and_headers_from_fields_go_on_the_wire_encoded_with_the_key_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/items"))
        .and(query_param("id", "task 7/8"))
        .and(query_param("key", CANARY_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    let http = client(&server.uri()).with_params(params()).expect("params are valid");

    let value: Value = http.send_json(&LIST, "/v1/items", None::<&()>).await.expect("answered");

    assert_eq!(value, json!({"ok": true}));
    let received = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        received.url.query(),
        Some(format!("id=task+7%2F8&tag=a%26b&tag=c&size=512%2C768&key={CANARY_KEY}").as_str()),
        "repeated keys, a comma-joined list, percent-encoding by the URL's serializer, the key last"
    );
    let header = |name: &str| received.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(header("accept").as_deref(), Some("image/*"), "a header field replaces the client's own Accept");
    assert_eq!(header("stability-client-id").as_deref(), Some("my-app"));
    assert_eq!(header("x-goog-api-key"), None, "the key travels once, in the query");
}

#[tokio::test]
async fn a_dry_run_and_the_request_log_show_the_query_with_the_key_redacted() {
    let logged: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = logged.clone();
    let observer = Observer::new(move |event| {
        if let HttpEvent::Request { request, .. } = event {
            sink.lock().unwrap().push(format!("{request} {request:?}"));
        }
    });
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let http = builder(&server.uri()).observer(observer).build().expect("client").0.with_params(params()).unwrap();

    let wire = http.dry_run_json(&LIST, "/v1/items", None::<&()>).await.expect("a dry run");
    let _: Value = http.send_json(&LIST, "/v1/items", None::<&()>).await.expect("answered");

    assert!(wire.url.ends_with("?id=task+7%2F8&tag=a%26b&tag=c&size=512%2C768&key=<redacted>"), "{}", wire.url);
    assert_eq!(wire.header("accept"), Some("image/*"));
    assert_no_key("the dry run", &format!("{wire} {wire:?}"));
    let logged = logged.lock().unwrap();
    assert_eq!(logged.len(), 1);
    assert!(logged[0].contains("key=<redacted>"), "{}", logged[0]);
    assert_no_key("the request log", &logged[0]);
}

#[tokio::test]
async fn a_transport_error_never_shows_a_url_holding_the_key() {
    let http = client(&support::dead_url().await);

    let error = http.send_json::<_, Value>(&LIST, "/v1/items", None::<&()>).await.expect_err("nothing listens");

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_no_key("a transport error", &everything_shown(&error));
}

#[tokio::test]
async fn redirects_that_echo_the_key_in_their_url_never_show_it() {
    let server = MockServer::start().await;
    // A same-origin loop whose Location carries the key back: followed until the limit.
    let location = format!("{}/v1/items?key={CANARY_KEY}", server.uri());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
        .mount(&server)
        .await;

    let error = client(&server.uri()).send_json::<_, Value>(&LIST, "/v1/items", None::<&()>).await.expect_err("a loop");

    assert_no_key("a redirect error", &everything_shown(&error));
}

#[tokio::test]
async fn an_operation_that_takes_the_key_in_a_header_only_gets_it_there() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let http = client(&server.uri());

    let _: Value = http.send_json(&HEADER_ONLY, "/v1/items", None::<&()>).await.expect("answered");
    let header_client = builder(&server.uri()).auth_scheme(AuthScheme::Header("x-goog-api-key")).build().unwrap().0;
    let _: Value = header_client.send_json(&QUERY_ONLY, "/v1/items", None::<&()>).await.expect("answered");

    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].url.query(), None, "no key in the query of a header-only operation");
    assert_eq!(received[0].headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()), Some(CANARY_KEY));
    assert_eq!(received[1].url.query(), Some(format!("key={CANARY_KEY}").as_str()));
    assert!(received[1].headers.get("x-goog-api-key").is_none());
}

#[tokio::test]
async fn documented_headers_go_with_every_request_and_secret_ones_are_never_shown() {
    let secret = "proj-secret-4f9a2b7c";
    let server = MockServer::start().await;
    // The server echoes the secret back in its error.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"code": 400, "message": secret}})))
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .header("openai-organization", "org-42")
        .header("X-Project-Token", secret)
        .build()
        .expect("documented headers");

    let wire = client.0.dry_run_json(&LIST, "/v1/items", None::<&()>).await.unwrap();
    let error = client.0.send_json::<_, Value>(&LIST, "/v1/items", None::<&()>).await.expect_err("a 400");

    let received = &server.received_requests().await.unwrap()[0];
    let header = |name: &str| received.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(header("openai-organization").as_deref(), Some("org-42"));
    assert_eq!(header("x-project-token").as_deref(), Some(secret));
    assert_eq!(wire.header("openai-organization"), Some("org-42"));
    assert_eq!(wire.header("x-project-token"), Some("<redacted>"));
    for shown in [everything_shown(&error), format!("{:?}", client.0), format!("{wire} {wire:?}")] {
        assert!(!shown.contains(secret), "the secret header shows: {shown}");
    }
}

#[test]
fn a_header_the_provider_does_not_document_is_refused_naming_those_it_does() {
    let error = builder("https://api.example.invalid").header("x-unknown", "v").build().err().expect("refused");
    assert_eq!(
        error.to_string(),
        "`x-unknown` is not a header Query Provider documents for every call; use one of \
         OpenAI-Organization, x-project-token"
    );
}

#[tokio::test]
async fn a_documented_header_left_unset_is_read_from_its_environment_variable() {
    // Only this test sets the variable.
    std::env::set_var("IMAGEGEN_RUNTIME_TEST_PROJECT_TOKEN", "from-the-env-1234");
    let client = client("https://api.example.invalid");
    std::env::remove_var("IMAGEGEN_RUNTIME_TEST_PROJECT_TOKEN");
    let overridden = builder("https://api.example.invalid").header("x-project-token", "given").build().unwrap().0;

    let from_env = client.dry_run_json(&LIST, "/v1/items", None::<&()>).await.unwrap();
    let given = overridden.dry_run_json(&LIST, "/v1/items", None::<&()>).await.unwrap();

    // Secret: shown redacted, but present.
    assert_eq!(from_env.header("x-project-token"), Some("<redacted>"));
    assert_eq!(given.header("x-project-token"), Some("<redacted>"));
}

#[test]
fn a_header_field_holding_a_line_break_is_a_validation_error_at_that_header() {
    let mut params = RequestParams::new();
    params.header("stability-client-id", "line\nbreak");
    let error = client("https://api.example.invalid").with_params(params).expect_err("refused");
    let Error::Validation(violations) = error else { panic!("{error:?}") };
    assert_eq!(violations.violations()[0].path, "stability-client-id");
    assert!(matches!(violations.violations()[0].rule, Constraint::Encoding { .. }));
}
