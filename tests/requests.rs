//! Requests beyond a body, through the compiled clients of the `query_params`,
//! `query_auth` and `text_form` snapshot specs on a local mock server: fields sent as
//! query parameters and headers (never in the body), an operation without a body taking
//! its parameters as one value, the provider's documented headers set once per client,
//! the key as `?key=` (redacted wherever the client shows a URL), a multipart form of
//! text fields only, and the call-by-name path reading all of it back.

use imagegen::runtime::dispatch::Call;
use imagegen::runtime::{Error, JsonOrBinary};
use imagegen_snapshot_compiled::{query_auth, query_params, text_form};
use query_params::{
    AcceptImage, Client, ClientHeaders as _, GenerateRequest, GetResultParams, ListImagesParams, Status,
};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "test-key-not-real";
const SECRET: &str = "project-token-5a9c1e";

async fn answering(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "one request");
    received.remove(0)
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

fn query_params_client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .client_id("nightly-batch")
        .x_project_token(SECRET)
        .max_retries(0)
        .build()
        .expect("a client")
}

#[tokio::test]
async fn a_get_with_parameters_sends_them_in_the_query_and_no_body() {
    let server = answering(200, json!({"id": "task 1", "status": "Ready"})).await;
    let client = query_params_client(&server);

    let result = client.get_result(&GetResultParams::new("task 1/2").with_verbose(true)).await.expect("a result");

    assert_eq!(result.status, Some(Status::Ready));
    let received = only_request(&server).await;
    assert_eq!(received.method.as_str(), "GET");
    assert_eq!(received.url.path(), "/v1/get_result");
    assert_eq!(received.url.query(), Some("id=task+1%2F2&verbose=true"), "percent-encoded by the URL's serializer");
    assert!(received.body.is_empty(), "nothing in the body");
    assert_eq!(header(&received, "content-type"), None);
    assert_eq!(header(&received, "x-key"), Some(KEY));
    // The provider's documented headers go with every request of the client.
    assert_eq!(header(&received, "stability-client-id"), Some("nightly-batch"));
    assert_eq!(header(&received, "x-project-token"), Some(SECRET));
}

#[tokio::test]
async fn lists_repeat_their_key_or_join_with_commas_and_header_fields_are_headers() {
    let server = answering(200, json!({"ids": [1, 2]})).await;
    let params = ListImagesParams::new()
        .with_tag(vec!["sea".into(), "dusk & dawn".into()])
        .with_ids(vec![7, 8, 9])
        .with_limit(50)
        .with_x_request_source("cron");

    query_params_client(&server).list_images(&params).await.expect("a page");

    let received = only_request(&server).await;
    assert_eq!(received.url.query(), Some("tag=sea&tag=dusk+%26+dawn&ids=7%2C8%2C9&limit=50"));
    assert_eq!(header(&received, "x-request-source"), Some("cron"));
}

#[tokio::test]
async fn parameters_are_validated_before_anything_is_sent() {
    let server = answering(200, json!({"ids": []})).await;
    let params = ListImagesParams::new().with_limit(0).with_tag(vec!["a".into(); 6]);

    let error = query_params_client(&server).list_images(&params).await.expect_err("invalid");

    let Error::Validation(violations) = error else { panic!("{error:?}") };
    let paths: Vec<&str> = violations.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["tag", "limit"]);
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_json_request_keeps_query_and_header_fields_out_of_its_body() {
    let server = answering(200, json!({"id": "t", "polling_url": "https://api.example.com/v1/get_result?id=t"})).await;
    let request = GenerateRequest::new("a lighthouse").with_seed(7).with_region("eu").with_accept(AcceptImage::Json);

    query_params_client(&server).generate(&request).await.expect("submitted");

    let received = only_request(&server).await;
    assert_eq!(received.url.query(), Some("region=eu"));
    assert_eq!(header(&received, "accept"), Some("application/json"), "the field replaces the client's Accept");
    let body: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(body, json!({"prompt": "a lighthouse", "seed": 7}));
}

#[tokio::test]
async fn extra_fields_of_a_request_without_body_go_in_the_query() {
    let server = answering(200, json!({"id": "t", "status": "Pending"})).await;
    let params = GetResultParams::new("t").with_extra("region", json!("eu"));

    query_params_client(&server).get_result(&params).await.expect("a result");

    assert_eq!(only_request(&server).await.url.query(), Some("id=t&region=eu"));
}

#[tokio::test]
async fn a_dry_run_shows_the_query_and_headers_with_secrets_redacted() {
    let client = Client::builder().api_key(KEY).x_project_token(SECRET).build().expect("a client");

    let wire = client.get_result_dry_run(&GetResultParams::new("t")).await.expect("a dry run");

    assert_eq!(wire.method, "GET");
    assert_eq!(wire.url, "https://api.example.com/v1/get_result?id=t");
    assert_eq!(wire.header("x-project-token"), Some("<redacted>"));
    assert_eq!(wire.header("x-key"), Some("<redacted>"));
    let shown = format!("{wire} {wire:?} {client:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(KEY), "{shown}");
}

#[tokio::test]
async fn the_key_as_a_query_parameter_is_sent_there_and_never_shown() {
    let server = answering(200, json!({"name": "models/flash"})).await;
    let client = query_auth::Client::builder().api_key(KEY).base_url(server.uri()).build().expect("a client");

    let model = client.get_model("flash").await.expect("a model");
    let wire = client.get_model_dry_run("flash").await.expect("a dry run");

    assert_eq!(model.name.as_deref(), Some("models/flash"));
    let received = only_request(&server).await;
    assert_eq!(received.url.path(), "/v1beta/models/flash");
    assert_eq!(received.url.query(), Some(format!("key={KEY}").as_str()));
    assert_eq!(header(&received, "x-goog-api-key"), None, "the key travels once");
    assert!(wire.url.ends_with("/v1beta/models/flash?key=<redacted>"), "{}", wire.url);
    assert!(!format!("{wire} {wire:?}").contains(KEY));
}

#[tokio::test]
async fn an_operation_taking_the_key_in_a_header_only_gets_it_there_from_a_query_client() {
    let server = answering(200, json!({"name": "m"})).await;
    let client = query_auth::Client::builder().api_key(KEY).base_url(server.uri()).build().expect("a client");

    client.generate(&query_auth::GenerateRequest::new("a cat")).await.expect("an answer");

    let received = only_request(&server).await;
    assert_eq!(received.url.query(), None, "no key in the URL");
    assert_eq!(header(&received, "x-goog-api-key"), Some(KEY));
}

#[tokio::test]
async fn a_transport_error_of_a_query_key_client_does_not_show_the_key() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = query_auth::Client::builder().api_key(KEY).base_url(dead).max_retries(0).build().unwrap();

    let error = client.get_model("flash").await.expect_err("nothing listens");

    let mut shown = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        shown.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(!shown.contains(KEY), "{shown}");
}

#[tokio::test]
async fn a_form_of_text_fields_only_is_sent_as_multipart_with_its_accept_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/generate/core"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"image": "iVBORw0KGgo=", "seed": 7})))
        .mount(&server)
        .await;
    let client = text_form::Client::builder().api_key(KEY).base_url(server.uri()).build().unwrap();
    let form = text_form::CoreForm::new("a lighthouse")
        .with_seed(7)
        .with_output_format(text_form::OutputFormat::Webp)
        .with_accept(text_form::AcceptImage::Json);

    let answer = client.generate_core(&form).await.expect("an answer");

    let JsonOrBinary::Json(result) = answer else { panic!("the JSON the accept header asked for") };
    assert_eq!(result.seed, Some(7));
    let received = only_request(&server).await;
    assert_eq!(header(&received, "accept"), Some("application/json"));
    let content_type = header(&received, "content-type").unwrap_or_default();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    let body = String::from_utf8_lossy(&received.body);
    for part in ["name=\"prompt\"", "name=\"seed\"", "name=\"output_format\""] {
        assert!(body.contains(part), "{part} missing from {body}");
    }
    assert!(!body.contains("name=\"accept\""), "the header field is not a part: {body}");
    assert!(!body.contains("filename="), "no file part: {body}");
    // Without the field, the client asks for what the operation documents.
    client.generate_core(&text_form::CoreForm::new("x")).await.expect("an answer");
    let received = server.received_requests().await.unwrap();
    assert_eq!(header(&received[1], "accept"), Some("image/*"));
}

#[tokio::test]
async fn a_call_by_name_takes_every_field_in_one_object_and_sends_each_where_it_travels() {
    let server = answering(200, json!({"id": "t", "polling_url": "https://api.example.com/p"})).await;
    let client = query_params_client(&server);
    let call = Call { body: json!({"prompt": "a cat", "region": "us", "accept": "image/*"}), ..Call::default() };

    query_params::dispatch::call(&client, "generate", call).await.expect("an outcome");

    let received = only_request(&server).await;
    assert_eq!(received.url.query(), Some("region=us"));
    assert_eq!(header(&received, "accept"), Some("image/*"));
    assert_eq!(serde_json::from_slice::<Value>(&received.body).unwrap(), json!({"prompt": "a cat"}));
}

#[test]
fn a_received_request_is_read_back_from_its_query_and_headers() {
    let pairs = |items: &[(&str, &str)]| items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    // What a server saw of `list_images`: no body, everything in the query and headers.
    let received = Call {
        query: pairs(&[("tag", "a"), ("tag", "b"), ("ids", "1,2"), ("limit", "10")]),
        headers: pairs(&[("x-request-source", "cron"), ("accept", "application/json")]),
        ..Call::default()
    };
    assert!(query_params::dispatch::check("list_images", &received).is_ok());

    let out_of_range = Call { query: pairs(&[("limit", "1000")]), ..Call::default() };
    let error = query_params::dispatch::check("list_images", &out_of_range).expect_err("limit above 100");
    let Error::Validation(violations) = error else { panic!("{error:?}") };
    assert_eq!(violations.violations()[0].path, "limit");

    let without_id = Call::default();
    assert!(query_params::dispatch::check("get_result", &without_id).is_err(), "`id` is required");
}
