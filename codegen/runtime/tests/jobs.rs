//! Async jobs: polling at the documented pace until a terminal state or the deadline,
//! polling and result URLs on other hosts, and where the API key (and a signed URL's
//! query) may and may not go.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use imagegen_runtime::error::ConfigError;
use imagegen_runtime::jobs::{wait, JobErrorKind, JobState};
use imagegen_runtime::{
    same_origin_redirect_policy, ClientBuilder, Error, HttpEvent, Method, Observer, OperationInfo, PollPolicy,
    RequestOptions,
};
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `GET /v1/jobs/{id}`: the status operation a generated client would pass.
static STATUS: OperationInfo = OperationInfo {
    id: "get_job",
    method: Method::Get,
    path: "/v1/jobs/{id}",
    envelopes: &[OPENAI],
    status_retries: &[],
    auth_schemes: &[],
    model_param: None,
    usage: &[],
    max_request_bytes: None,
};

/// A signed URL's signature: it must never be shown anywhere.
const SIGNATURE: &str = "5f2b9c0e7d41a8signaturecanary";

/// Waits asked of a poll policy's sleep hook, in order.
#[derive(Clone, Default)]
struct PollWaits(Arc<Mutex<Vec<Duration>>>);

impl PollWaits {
    fn get(&self) -> Vec<Duration> {
        self.0.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

/// `policy`, recording its waits instead of sleeping.
fn recording(policy: PollPolicy) -> (PollPolicy, PollWaits) {
    let waits = PollWaits::default();
    let sink = waits.clone();
    let policy = policy.with_sleep(move |wait| {
        if let Ok(mut waits) = sink.0.lock() {
            waits.push(wait);
        }
        std::future::ready(())
    });
    (policy, waits)
}

/// Everything an observer saw, as text: each request displayed and debugged, each
/// other event debugged.
#[derive(Clone, Default)]
struct RequestLog(Arc<Mutex<String>>);

impl RequestLog {
    fn text(&self) -> String {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

fn request_log() -> (Observer, RequestLog) {
    let log = RequestLog::default();
    let sink = log.clone();
    let observer = Observer::new(move |event: &HttpEvent<'_>| {
        let text = match event {
            HttpEvent::Request { request, .. } => format!("{request}\n{request:?}\n"),
            other => format!("{other:?}\n"),
        };
        if let Ok(mut log) = sink.0.lock() {
            log.push_str(&text);
        }
    });
    (observer, log)
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// How this test provider's status texts map to states (a spec says this).
fn state_of(status: &str) -> JobState {
    match status {
        "done" => JobState::Done,
        "failed" => JobState::Failed,
        "Content Moderated" => JobState::Moderated,
        "expired" => JobState::Expired,
        _ => JobState::Pending,
    }
}

/// One status poll through the client, as generated code would make it.
async fn poll_status(client: &TestClient, url: &str) -> Result<(JobState, String, Value), Error> {
    let answer: Value = client.http.get_json_url_with_response(&STATUS, url, &[]).await?.into_value();
    let status = answer["status"].as_str().unwrap_or_default().to_string();
    Ok((state_of(&status), status, answer))
}

/// Polls answering `statuses` in turn, without a server.
fn scripted(statuses: &[&str]) -> impl FnMut() -> std::future::Ready<Result<(JobState, String, Value), Error>> {
    let mut answers: Vec<Value> = statuses.iter().map(|s| json!({"status": s, "id": "job-1"})).collect();
    answers.reverse();
    move || {
        let answer = answers.pop().unwrap_or_else(|| json!({"status": "running"}));
        let status = answer["status"].as_str().unwrap_or_default().to_string();
        std::future::ready(Ok((state_of(&status), status, answer)))
    }
}

async fn mount_statuses(server: &MockServer, route: &str, statuses: &[ResponseTemplate]) {
    for (i, answer) in statuses.iter().enumerate() {
        let mock = Mock::given(method("GET")).and(path(route)).respond_with(answer.clone());
        // The last answer stays; each before it answers once, in order.
        let mock = if i + 1 < statuses.len() { mock.up_to_n_times(1) } else { mock };
        mock.with_priority(u8::try_from(i + 1).unwrap_or(u8::MAX)).mount(server).await;
    }
}

fn status(text: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"status": text}))
}

fn no_retries(server: &MockServer) -> TestClient {
    let (builder, _) = builder(&server.uri());
    builder.max_retries(0).build().expect("client")
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

fn key_of(request: &wiremock::Request) -> Option<&str> {
    request.headers.get("x-api-key").and_then(|v| v.to_str().ok())
}

// --- Polling: pace, terminal states, deadline --------------------------------

#[tokio::test]
async fn pending_pending_done_returns_the_answer_after_waits_at_the_documented_pace() {
    let server = MockServer::start().await;
    let done = ResponseTemplate::new(200).set_body_json(json!({"status": "done", "url": "https://cdn.example/a.png"}));
    mount_statuses(&server, "/v1/jobs/j1", &[status("queued"), status("running"), done]).await;
    let (client, retry_waits) = support::client(&server.uri());
    let (policy, waits) = recording(PollPolicy::new(secs(1.0), secs(10.0), 1.5, secs(60.0)));
    let url = format!("{}/v1/jobs/j1", server.uri());
    let mut seen = Vec::new();
    let answer = wait(
        &policy,
        || poll_status(&client, &url),
        |p| {
            seen.push((p.state, p.status.to_string(), p.polls, p.next_poll_in));
        },
    )
    .await
    .expect("done on the third poll");

    assert_eq!(answer["url"], "https://cdn.example/a.png");
    assert_eq!(waits.get(), [secs(1.0), secs(1.5)]);
    assert_eq!(received(&server).await.len(), 3);
    assert!(retry_waits.get().is_empty(), "a poll was retried: {:?}", retry_waits.get());
    assert_eq!(
        seen,
        [
            (JobState::Pending, "queued".to_string(), 1, Some(secs(1.0))),
            (JobState::Pending, "running".to_string(), 2, Some(secs(1.5))),
            (JobState::Done, "done".to_string(), 3, None),
        ]
    );
}

#[tokio::test]
async fn waits_grow_by_the_backoff_and_stop_at_the_cap() {
    let (policy, waits) = recording(PollPolicy::new(secs(1.0), secs(3.0), 2.0, secs(60.0)));
    let poll = scripted(&["queued", "queued", "queued", "queued", "queued", "done"]);
    wait(&policy, poll, |_| {}).await.expect("done on the sixth poll");
    assert_eq!(waits.get(), [secs(1.0), secs(2.0), secs(3.0), secs(3.0), secs(3.0)]);
}

#[tokio::test]
async fn failed_moderated_and_expired_end_with_a_typed_error_naming_the_status() {
    for (text, kind) in [
        ("failed", JobErrorKind::Failed),
        ("Content Moderated", JobErrorKind::Moderated),
        ("expired", JobErrorKind::Expired),
    ] {
        let (policy, waits) = recording(PollPolicy::fixed(secs(2.0), secs(60.0)));
        let error = wait(&policy, scripted(&["queued", text]), |_| {}).await.expect_err(text);
        let Some(job) = error.as_job() else { panic!("{text}: not a job error: {error:?}") };
        assert_eq!(job.kind, kind);
        assert_eq!(job.status.as_deref(), Some(text));
        assert_eq!(job.answer, Some(json!({"status": text, "id": "job-1"})), "the last answer is kept");
        assert_eq!(job.polls, 2);
        assert!(job.elapsed >= secs(2.0), "{:?}", job.elapsed);
        assert_eq!(waits.get(), [secs(2.0)]);
        let shown = error.to_string();
        assert!(shown.starts_with(&format!("the job ended as `{text}` after 2 polls (2")), "{shown}");
        assert!(!format!("{error:?}").contains("job-1"), "Debug shows the answer: {error:?}");
    }
}

#[tokio::test]
async fn a_job_still_pending_at_the_deadline_ends_with_deadline_exceeded() {
    let (policy, waits) = recording(PollPolicy::fixed(secs(1.0), secs(3.5)));
    let mut progress = 0;
    let error = wait(&policy, scripted(&[]), |_| progress += 1).await.expect_err("never done");
    let job = error.as_job().expect("a job error");
    assert_eq!(job.kind, JobErrorKind::DeadlineExceeded);
    assert_eq!(job.status.as_deref(), Some("running"));
    assert_eq!(job.answer, Some(json!({"status": "running"})));
    assert!(job.elapsed >= secs(3.5), "{:?}", job.elapsed);
    assert!(job.last_poll_error.is_none());
    // Three full waits, then what was left, so the last poll lands on the deadline.
    let waits = waits.get();
    assert_eq!(waits.len(), 4, "{waits:?}");
    assert_eq!(waits[..3], [secs(1.0); 3]);
    assert!(waits[3] <= secs(0.5) && waits[3] > secs(0.4), "{waits:?}");
    assert_eq!(job.polls, 5);
    assert_eq!(progress, 5);
    let shown = error.to_string();
    assert!(shown.starts_with("the job did not finish within its 3.5 s deadline: last seen as `running` after 5 polls"));
}

// --- Failed polls: what wait() adds to the client's retries ------------------

#[tokio::test]
async fn a_5xx_during_polling_is_polled_again_at_the_pace() {
    let server = MockServer::start().await;
    mount_statuses(&server, "/v1/jobs/j1", &[ResponseTemplate::new(503), status("running"), status("done")]).await;
    let client = no_retries(&server);
    let (policy, waits) = recording(PollPolicy::fixed(secs(1.0), secs(60.0)));
    let url = format!("{}/v1/jobs/j1", server.uri());
    let mut answered = Vec::new();
    let answer = wait(&policy, || poll_status(&client, &url), |p| answered.push(p.polls)).await.expect("done");
    assert_eq!(answer["status"], "done");
    assert_eq!(received(&server).await.len(), 3);
    assert_eq!(waits.get(), [secs(1.0), secs(1.0)]);
    // The failed poll counts, but is not reported as a reading.
    assert_eq!(answered, [2, 3]);
}

#[tokio::test]
async fn a_429_during_polling_waits_as_long_as_the_server_asks() {
    let server = MockServer::start().await;
    let busy = ResponseTemplate::new(429).insert_header("retry-after", "5");
    mount_statuses(&server, "/v1/jobs/j1", &[busy, status("done")]).await;
    let client = no_retries(&server);
    let (policy, waits) = recording(PollPolicy::fixed(secs(1.0), secs(60.0)));
    let url = format!("{}/v1/jobs/j1", server.uri());
    wait(&policy, || poll_status(&client, &url), |_| {}).await.expect("done");
    assert_eq!(waits.get(), [secs(5.0)]);
}

#[tokio::test]
async fn a_server_asking_to_wait_past_the_deadline_ends_the_wait_at_once() {
    let server = MockServer::start().await;
    let busy = ResponseTemplate::new(429).insert_header("retry-after", "120");
    mount_statuses(&server, "/v1/jobs/j1", &[status("running"), busy]).await;
    let client = no_retries(&server);
    let (policy, waits) = recording(PollPolicy::fixed(secs(1.0), secs(60.0)));
    let url = format!("{}/v1/jobs/j1", server.uri());
    let error = wait(&policy, || poll_status(&client, &url), |_| {}).await.expect_err("cannot finish in time");
    let job = error.as_job().expect("a job error");
    assert_eq!(job.kind, JobErrorKind::DeadlineExceeded);
    assert_eq!(job.polls, 2);
    assert!(job.elapsed < secs(60.0), "{:?}", job.elapsed);
    assert_eq!(job.last_poll_error.as_ref().and_then(|e| e.as_api()).and_then(|a| a.retry_after), Some(secs(120.0)));
    assert_eq!(waits.get(), [secs(1.0)], "no poll sent that the server would refuse");
}

#[tokio::test]
async fn a_poll_that_fails_for_good_is_returned_at_once() {
    let server = MockServer::start().await;
    let gone =
        ResponseTemplate::new(404).set_body_json(json!({"error": {"message": "no such job", "code": "not_found"}}));
    mount_statuses(&server, "/v1/jobs/j1", &[gone]).await;
    let client = no_retries(&server);
    let (policy, waits) = recording(PollPolicy::fixed(secs(1.0), secs(60.0)));
    let url = format!("{}/v1/jobs/j1", server.uri());
    let error = wait(&policy, || poll_status(&client, &url), |_| {}).await.expect_err("404");
    assert_eq!(error.status(), Some(404), "{error:?}");
    assert!(waits.get().is_empty());
}

#[tokio::test]
async fn a_status_endpoint_down_until_the_deadline_ends_with_its_last_failure() {
    let server = MockServer::start().await;
    mount_statuses(&server, "/v1/jobs/j1", &[status("running"), ResponseTemplate::new(503)]).await;
    let client = no_retries(&server);
    let (policy, _) = recording(PollPolicy::fixed(secs(1.0), secs(2.5)));
    let url = format!("{}/v1/jobs/j1", server.uri());
    let error = wait(&policy, || poll_status(&client, &url), |_| {}).await.expect_err("never done");
    let job = error.as_job().expect("a job error");
    assert_eq!(job.kind, JobErrorKind::DeadlineExceeded);
    assert_eq!(job.status.as_deref(), Some("running"), "the last answered status");
    assert_eq!(job.last_poll_error.as_ref().and_then(Error::status), Some(503));
    let source = std::error::Error::source(&error).map(ToString::to_string).unwrap_or_default();
    assert!(source.starts_with("HTTP 503"), "{source}");
    assert_eq!(job.polls, 4);
}

#[tokio::test]
async fn a_job_error_through_the_client_never_shows_the_key() {
    let server = MockServer::start().await;
    let (client, _) = support::client(&server.uri());
    let (policy, _) = recording(PollPolicy::fixed(secs(1.0), secs(60.0)));
    let text = format!("failed: bad key {CANARY_KEY}");
    let poll = || {
        let answer = json!({"status": text, "echo": CANARY_KEY});
        std::future::ready(Ok((JobState::Failed, text.clone(), answer)))
    };
    let error = client.http.wait_for_job(&policy, poll, |_| {}).await.expect_err("failed");
    let job = error.as_job().expect("a job error");
    assert_eq!(job.status.as_deref(), Some("failed: bad key <redacted>"));
    assert_eq!(job.answer.as_ref().map(|a| a["echo"].clone()), Some(json!("<redacted>")));
    assert!(!error.to_string().contains(CANARY_KEY) && !format!("{error:?}").contains(CANARY_KEY));
}

// --- The key policy -----------------------------------------------------------

async fn ok_json(server: &MockServer) {
    Mock::given(method("GET")).respond_with(status("running")).mount(server).await;
}

async fn poll_once(client: &TestClient, url: &str, trusted: &[&str]) -> Result<Value, Error> {
    client.http.get_json_url_with_response(&STATUS, url, trusted).await.map(|r| r.into_value())
}

#[tokio::test]
async fn a_polling_url_on_the_configured_origin_gets_the_key() {
    let server = MockServer::start().await;
    ok_json(&server).await;
    let (client, _) = support::client(&format!("{}/api", server.uri()));
    poll_once(&client, &format!("{}/elsewhere/j1", server.uri()), &[]).await.expect("answer");
    let requests = received(&server).await;
    assert_eq!(key_of(&requests[0]), Some(CANARY_KEY));
    assert_eq!(requests[0].method.as_str(), "GET");
}

#[tokio::test]
async fn a_polling_url_on_another_origin_gets_no_key_unless_its_host_is_trusted() {
    let base = MockServer::start().await;
    let other = MockServer::start().await;
    ok_json(&other).await;
    ok_json(&base).await;
    let (client, _) = support::client(&base.uri());
    let client =
        TestClient { http: client.http.with_options(&RequestOptions::new().header("x-org", "org-1")).unwrap() };

    // Another port is another origin.
    let url = format!("{}/v1/jobs/j1", other.uri());
    poll_once(&client, &url, &[]).await.expect("answer");
    poll_once(&client, &url, &["127.0.0.1"]).await.expect("answer");
    let requests = received(&other).await;
    assert_eq!(key_of(&requests[0]), None, "an untrusted host got the key");
    assert!(requests[0].headers.get("authorization").is_none());
    assert!(requests[0].headers.get("x-org").is_none(), "the provider's per-call headers went elsewhere");
    assert_eq!(key_of(&requests[1]), Some(CANARY_KEY), "a trusted host got no key");
    assert_eq!(requests[1].headers.get("x-org").and_then(|v| v.to_str().ok()), Some("org-1"));

    // The same server by another name is another origin too.
    let port = base.address().port();
    let by_name = format!("http://localhost:{port}/v1/jobs/j1");
    poll_once(&client, &by_name, &["127.0.0.1", "*.localhost"]).await.expect("answer");
    poll_once(&client, &by_name, &["LOCALHOST"]).await.expect("answer");
    let requests = received(&base).await;
    assert_eq!(key_of(&requests[0]), None, "localhost is not 127.0.0.1");
    assert_eq!(key_of(&requests[1]), Some(CANARY_KEY));
}

#[tokio::test]
async fn a_trusted_wildcard_covers_subdomains_only() {
    let base = MockServer::start().await;
    let cdn = MockServer::start().await;
    ok_json(&cdn).await;
    // Names that resolve to the second server, without DNS.
    let http = reqwest::Client::builder()
        .resolve("cdn.example.test", *cdn.address())
        .resolve("example.test", *cdn.address())
        .redirect(same_origin_redirect_policy())
        .build()
        .expect("reqwest client");
    let client = ClientBuilder::<TestClient>::new()
        .api_key(CANARY_KEY)
        .base_url(base.uri())
        .http_client(http)
        .allow_insecure_http(true)
        .build()
        .expect("client");
    let port = cdn.address().port();
    let sub = format!("http://cdn.example.test:{port}/j1");
    let apex = format!("http://example.test:{port}/j1");
    poll_once(&client, &sub, &["*.example.test"]).await.expect("answer");
    poll_once(&client, &apex, &["*.example.test"]).await.expect("answer");
    poll_once(&client, &sub, &["*", "*.test", "*.other.test"]).await.expect("answer");
    let requests = received(&cdn).await;
    let keys: Vec<Option<&str>> = requests.iter().map(key_of).collect();
    assert_eq!(keys, [Some(CANARY_KEY), None, None]);
}

#[tokio::test]
async fn urls_the_client_may_not_fetch_are_refused_before_sending() {
    let server = MockServer::start().await;
    let (client, _) = support::client(&server.uri());
    let cases = [
        ("/v1/jobs/j1".to_string(), "not an absolute URL"),
        (format!("ftp://files.example/a.png?sig={SIGNATURE}"), "unsupported scheme `ftp`"),
        (format!("http://cdn.example/a.png?sig={SIGNATURE}"), "plain http://"),
        ("https://user:hunter2secret@cdn.example/a.png".to_string(), "credentials"),
    ];
    for (url, reason) in cases {
        let error = client.http.download(&url, &["cdn.example"]).await.expect_err(&url);
        assert!(matches!(&error, Error::Config(ConfigError::RefusedUrl { .. })), "{url}: {error:?}");
        let shown = format!("{error} {error:?}");
        assert!(shown.contains(reason), "{url}: {shown}");
        assert!(!shown.contains(SIGNATURE) && !shown.contains("hunter2"), "{url}: {shown}");
    }
    assert!(received(&server).await.is_empty());
}

// --- Downloads ------------------------------------------------------------------

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn a_download_from_another_host_gets_no_key_and_returns_the_bytes() {
    let base = MockServer::start().await;
    let cdn = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/out/a.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PNG, "image/png"))
        .mount(&cdn)
        .await;
    let (client, _) = support::client(&base.uri());
    let url = format!("{}/out/a.png?X-Amz-Signature={SIGNATURE}&X-Amz-Expires=300", cdn.uri());
    let body = client.http.download(&url, &[]).await.expect("bytes");
    assert_eq!(body.as_bytes(), PNG);
    assert_eq!(body.media_type(), Some("image/png"));
    let requests = received(&cdn).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(key_of(&requests[0]), None);
    assert!(requests[0].headers.get("authorization").is_none());
    // Positive control: the signature did travel, where it belongs.
    assert!(requests[0].url.query().is_some_and(|q| q.contains(SIGNATURE)));
    assert!(received(&base).await.is_empty());
}

#[tokio::test]
async fn a_download_answered_with_an_error_is_an_api_error_keeping_the_body_but_not_showing_the_signature() {
    let cdn = MockServer::start().await;
    let xml = format!(
        "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><SignatureProvided>{SIGNATURE}</SignatureProvided></Error>"
    );
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(403).set_body_raw(xml.clone(), "application/xml").insert_header("x-sig", SIGNATURE),
        )
        .mount(&cdn)
        .await;
    let (client, _) = support::client(&cdn.uri());
    let url = format!("{}/out/a.png?sig={SIGNATURE}", cdn.uri());
    let error = client.http.download(&url, &[]).await.expect_err("403");
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status, 403);
    assert_eq!(api.body, xml.as_bytes(), "the raw body is kept as received");
    let shown = format!("{error} {error:?} {}", api.body_snippet());
    assert!(shown.contains("SignatureDoesNotMatch"), "{shown}");
    assert!(!shown.contains(SIGNATURE), "{shown}");
    assert!(!format!("{:?}", api.headers).contains(SIGNATURE));
}

#[tokio::test]
async fn the_signed_query_never_shows_in_transport_errors_logs_or_dry_runs() {
    // A transport error: reqwest's message names the URL it failed on.
    let (client, _) = support::client(&dead_url().await);
    let dead = format!("{}/a.png?X-Amz-Signature={SIGNATURE}", dead_url().await);
    let error = client.http.download(&dead, &[]).await.expect_err("nothing listens");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let mut shown = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(next) = source {
        shown.push_str(&next.to_string());
        source = next.source();
    }
    assert!(shown.contains("127.0.0.1"), "the host is still named: {shown}");
    assert!(!shown.contains(SIGNATURE), "{shown}");

    // The request log.
    let cdn = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PNG, "image/png").insert_header("x-echo", SIGNATURE))
        .mount(&cdn)
        .await;
    let (observer, log) = request_log();
    let (logged, _) = builder(&cdn.uri());
    let client = logged.observer(observer).build().expect("client");
    let url = format!("{}/a.png?X-Amz-Signature={SIGNATURE}&X-Amz-Expires=300", cdn.uri());
    client.http.download(&url, &[]).await.expect("bytes");
    let log = log.text();
    assert!(log.contains("/a.png?X-Amz-Signature=<redacted>&X-Amz-Expires=<redacted>"), "{log}");
    assert!(!log.contains(SIGNATURE), "{log}");

    // A dry run.
    let (builder, _) = builder(&cdn.uri());
    let dry = builder.dry_run(true).build().expect("client");
    let error = dry.http.download(&url, &[]).await.expect_err("dry run");
    let request = error.as_dry_run().expect("the request");
    assert!(request.url.ends_with("/a.png?X-Amz-Signature=<redacted>&X-Amz-Expires=<redacted>"), "{}", request.url);
    assert!(!format!("{error} {request} {request:?}").contains(SIGNATURE));
}

// --- Redirects ------------------------------------------------------------------

fn redirect_to(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("location", location)
}

#[tokio::test]
async fn a_redirect_to_another_host_is_followed_without_the_key() {
    let base = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(path("/v1/jobs/j1"))
        .respond_with(redirect_to(&format!("{}/mirror/j1?sig={SIGNATURE}", other.uri())))
        .mount(&base)
        .await;
    ok_json(&other).await;
    let (client, _) = support::client(&base.uri());
    let answer = poll_once(&client, &format!("{}/v1/jobs/j1", base.uri()), &[]).await.expect("followed");
    assert_eq!(answer["status"], "running");
    assert_eq!(key_of(&received(&base).await[0]), Some(CANARY_KEY));
    let moved = received(&other).await;
    assert_eq!(moved.len(), 1);
    assert_eq!(key_of(&moved[0]), None, "the key followed the redirect");
}

#[tokio::test]
async fn the_signed_query_of_a_redirect_target_is_hidden_too() {
    const MOVED: &str = "a81f00c3e9movedsignature";
    let base = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(path("/v1/jobs/j1"))
        .respond_with(redirect_to(&format!("{}/mirror/j1?sig={MOVED}", other.uri())))
        .mount(&base)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_string(format!("signature {MOVED} expired")))
        .mount(&other)
        .await;
    let (observer, log) = request_log();
    let (logged, _) = builder(&base.uri());
    let client = logged.max_retries(0).observer(observer).build().expect("client");
    let error = poll_once(&client, &format!("{}/v1/jobs/j1", base.uri()), &[]).await.expect_err("403");
    assert_eq!(error.status(), Some(403));
    assert_eq!(received(&other).await.len(), 1, "the redirect was followed");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("signature <redacted> expired"), "{shown}");
    let log = log.text();
    assert!(log.contains("/mirror/j1?sig=<redacted>"), "{log}");
    assert!(!shown.contains(MOVED) && !log.contains(MOVED), "{shown}\n{log}");
}

#[tokio::test]
async fn a_redirect_from_a_trusted_host_to_an_untrusted_one_drops_the_key() {
    let base = MockServer::start().await;
    let trusted = MockServer::start().await;
    let untrusted = MockServer::start().await;
    // The trusted host by name (localhost), the untrusted one by address: other origins.
    let start = format!("http://localhost:{}/poll", trusted.address().port());
    Mock::given(path("/poll")).respond_with(redirect_to("/poll2")).mount(&trusted).await;
    Mock::given(path("/poll2")).respond_with(redirect_to(&format!("{}/final", untrusted.uri()))).mount(&trusted).await;
    ok_json(&untrusted).await;
    let (client, _) = support::client(&base.uri());
    poll_once(&client, &start, &["localhost"]).await.expect("followed");
    let on_trusted = received(&trusted).await;
    assert_eq!(on_trusted.len(), 2);
    assert!(on_trusted.iter().all(|r| key_of(r) == Some(CANARY_KEY)), "a same-origin hop lost the key");
    assert_eq!(key_of(&received(&untrusted).await[0]), None);
}

#[tokio::test]
async fn a_redirect_back_to_the_configured_origin_does_not_bring_the_key_back() {
    let base = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(path("/bounce")).respond_with(redirect_to(&format!("{}/v1/jobs/j1", base.uri()))).mount(&other).await;
    ok_json(&base).await;
    let (client, _) = support::client(&base.uri());
    poll_once(&client, &format!("{}/bounce", other.uri()), &[]).await.expect("followed");
    assert_eq!(key_of(&received(&other).await[0]), None);
    assert_eq!(key_of(&received(&base).await[0]), None, "an untrusted host made the client send the key");
}

#[tokio::test]
async fn a_redirect_to_plain_http_elsewhere_is_refused() {
    let base = MockServer::start().await;
    Mock::given(path("/v1/jobs/j1"))
        .respond_with(redirect_to(&format!("http://cdn.example.invalid/a?sig={SIGNATURE}")))
        .mount(&base)
        .await;
    let (client, _) = support::client(&base.uri());
    let error = poll_once(&client, &format!("{}/v1/jobs/j1", base.uri()), &[]).await.expect_err("refused");
    assert!(matches!(&error, Error::Config(ConfigError::RefusedUrl { .. })), "{error:?}");
    assert!(!error.to_string().contains(SIGNATURE), "{error}");
}

#[tokio::test]
async fn redirects_between_hosts_stop_after_ten_hops() {
    let a = MockServer::start().await;
    let b = MockServer::start().await;
    Mock::given(path("/ping")).respond_with(redirect_to(&format!("{}/pong", b.uri()))).mount(&a).await;
    Mock::given(path("/pong")).respond_with(redirect_to(&format!("{}/ping", a.uri()))).mount(&b).await;
    let (client, _) = support::client(&a.uri());
    let error = poll_once(&client, &format!("{}/ping", a.uri()), &[]).await.expect_err("a loop");
    assert_eq!(error.status(), Some(302), "{error:?}");
    assert_eq!(received(&a).await.len() + received(&b).await.len(), 11);
}

#[tokio::test]
async fn an_operation_path_still_never_follows_a_redirect_to_another_host() {
    let base = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(path("/v1/jobs/j1")).respond_with(redirect_to(&format!("{}/j1", other.uri()))).mount(&base).await;
    ok_json(&other).await;
    let (client, _) = support::client(&base.uri());
    let error = client.http.send_json::<(), Value>(&STATUS, "/v1/jobs/j1", None).await.expect_err("not followed");
    assert_eq!(error.status(), Some(302));
    assert!(received(&other).await.is_empty());
}

/// Generated `..._and_wait` methods and downloads may run on a spawned task.
#[test]
fn polling_and_downloads_can_run_on_spawned_tasks() {
    fn assert_send<T: Send>(_: T) {}
    let (client, _) = support::client("http://127.0.0.1:9");
    assert_send(client.http.download("https://cdn.example/a.png", &[]));
    assert_send(client.http.get_json_url_with_response::<Value>(&STATUS, "https://cdn.example/j1", &[]));
    let policy = PollPolicy::default();
    assert_send(client.http.wait_for_job(&policy, || poll_status(&client, "https://cdn.example/j1"), |_| {}));
}
