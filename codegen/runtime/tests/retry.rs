//! Retries: which failures are re-sent, how often, and how long the client waits.

mod support;

use std::time::{Duration, SystemTime};

use imagegen_runtime::error::SendPhase;
use imagegen_runtime::{Error, OperationInfo};
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn send(client: &TestClient, op: &'static OperationInfo) -> Result<Value, Error> {
    client.http.send_json(op, "/v1/generate", Some(&json!({"prompt": "a cat"}))).await
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

async fn mount_then_ok(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(method("POST")).and(path("/v1/generate")).respond_with(first).up_to_n_times(times).mount(server).await;
    Mock::given(method("POST"))
        .and(path("/v1/generate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn retries_503_twice_then_succeeds_with_doubling_waits() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(503), 2).await;
    let (client, waits) = client(&server.uri());
    let body = send(&client, &GENERATE).await.expect("third attempt succeeds");
    assert_eq!(body, json!({"ok": true}));
    assert_eq!(requests(&server).await, 3);
    assert_eq!(waits.get(), [Duration::from_millis(10), Duration::from_millis(20)]);
}

#[tokio::test]
async fn gives_up_after_max_retries_with_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    let (builder, waits) = builder(&server.uri());
    let client = builder.max_retries(3).build().expect("client");
    let err = send(&client, &GENERATE).await.expect_err("always 500");
    assert_eq!(err.status(), Some(500));
    assert_eq!(requests(&server).await, 4);
    assert_eq!(waits.get().len(), 3);
    // The message says how hard the client tried; the error is still the API error.
    assert_eq!(err.attempts(), 4);
    assert_eq!(err.as_api().map(|a| a.attempts), Some(4));
    assert!(err.to_string().contains("after 4 attempts"), "{err}");
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(429).insert_header("retry-after", "1"), 1).await;
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    assert_eq!(requests(&server).await, 2);
    assert_eq!(waits.get(), [Duration::from_secs(1)]);
}

#[tokio::test]
async fn retry_after_ms_wins_over_retry_after() {
    let server = MockServer::start().await;
    let first = ResponseTemplate::new(429).insert_header("retry-after-ms", "250").insert_header("retry-after", "7");
    mount_then_ok(&server, first, 1).await;
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    assert_eq!(waits.get(), [Duration::from_millis(250)]);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start().await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(20));
    mount_then_ok(&server, ResponseTemplate::new(503).insert_header("retry-after", date.as_str()), 1).await;
    // The recording policy's backoff stops at 1 s; a 20 s date is honoured in full anyway.
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    let recorded = waits.get();
    assert_eq!(recorded.len(), 1);
    // HTTP dates have one-second resolution.
    assert!(recorded[0] > Duration::from_secs(18) && recorded[0] <= Duration::from_secs(20), "{recorded:?}");
}

#[tokio::test]
async fn far_future_retry_after_is_not_retried_and_the_error_keeps_the_hint() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(503).insert_header("retry-after", "99999999999999999999"), 1).await;
    let (client, waits) = client(&server.uri());
    let err = send(&client, &GENERATE).await.expect_err("the server asked for more than we wait");
    assert_eq!(requests(&server).await, 1);
    assert!(waits.get().is_empty());
    // Absurd values are bounded to a day when parsed, so the hint is kept as that.
    assert_eq!(err.as_api().and_then(|a| a.retry_after), Some(Duration::from_secs(24 * 60 * 60)));
}

#[tokio::test]
async fn retry_after_above_max_delay_is_honoured_in_full_not_cut() {
    // The recording policy's own backoff stops at 1 s; a server hint of 45 s is below
    // the 60 s default server wait, so the client waits all of it rather than retry early.
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(429).insert_header("retry-after", "45"), 1).await;
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    assert_eq!(waits.get(), [Duration::from_secs(45)]);
}

#[tokio::test]
async fn retry_after_above_the_server_wait_limit_gives_up_with_the_hint() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(429).insert_header("retry-after", "120"), 1).await;
    let (client, waits) = client(&server.uri());
    let err = send(&client, &GENERATE).await.expect_err("120 s is above the 60 s default");
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.as_api().and_then(|a| a.retry_after), Some(Duration::from_secs(120)));
    assert_eq!(requests(&server).await, 1);
    assert!(waits.get().is_empty(), "{:?}", waits.get());
}

#[tokio::test]
async fn the_server_wait_limit_is_configurable() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(429).insert_header("retry-after", "120"), 1).await;
    let (policy, waits) = recording_policy();
    let policy = policy.with_max_server_wait(Duration::from_secs(300));
    assert_eq!(policy.max_server_wait(), Duration::from_secs(300));
    let client = builder(&server.uri()).0.retry_policy(policy).build().expect("client");
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    assert_eq!(waits.get(), [Duration::from_secs(120)]);
}

#[tokio::test]
async fn retry_after_zero_waits_the_normal_backoff() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(503).insert_header("retry-after", "0"), 2).await;
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("third attempt succeeds");
    // "Retry now" is answered with the backoff of each attempt, never with no wait at all.
    assert_eq!(waits.get(), [Duration::from_millis(10), Duration::from_millis(20)]);
}

#[tokio::test]
async fn retry_after_a_past_date_or_now_waits_the_normal_backoff() {
    let now = httpdate::fmt_http_date(SystemTime::now());
    for date in ["Thu, 01 Jan 1970 00:00:00 GMT", now.as_str()] {
        let server = MockServer::start().await;
        mount_then_ok(&server, ResponseTemplate::new(503).insert_header("retry-after", date), 1).await;
        let (client, waits) = client(&server.uri());
        send(&client, &GENERATE).await.expect("second attempt succeeds");
        assert_eq!(waits.get(), [Duration::from_millis(10)], "Retry-After: {date}");
    }
}

fn google_429(retry_delay: &str) -> Value {
    json!({"error": {
        "code": 429,
        "message": "Resource has been exhausted (e.g. check quota).",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
        ]
    }})
}

#[tokio::test]
async fn google_retry_info_in_the_body_is_the_hint_when_no_header_gives_one() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(429).set_body_json(google_429("34.4s")), 1).await;
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    assert_eq!(waits.get(), [Duration::from_millis(34_400)]);
}

#[tokio::test]
async fn a_retry_after_header_wins_over_google_retry_info() {
    let server = MockServer::start().await;
    let first = ResponseTemplate::new(429).insert_header("retry-after", "2").set_body_json(google_429("34.4s"));
    mount_then_ok(&server, first, 1).await;
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    assert_eq!(waits.get(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn google_retry_info_above_the_server_wait_limit_is_not_retried() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(429).set_body_json(google_429("120s")), 1).await;
    let (client, waits) = client(&server.uri());
    let err = send(&client, &GENERATE).await.expect_err("120 s is above the limit");
    assert_eq!(err.as_api().and_then(|a| a.retry_after), Some(Duration::from_secs(120)));
    assert_eq!(requests(&server).await, 1);
    assert!(waits.get().is_empty());
}

#[tokio::test]
async fn malformed_retry_after_falls_back_to_backoff() {
    let server = MockServer::start().await;
    let first = ResponseTemplate::new(503).insert_header("retry-after", "-3").insert_header("retry-after-ms", "NaN");
    mount_then_ok(&server, first, 1).await;
    let (client, waits) = client(&server.uri());
    send(&client, &GENERATE).await.expect("second attempt succeeds");
    assert_eq!(waits.get(), [Duration::from_millis(10)]);
}

#[tokio::test]
async fn x_should_retry_false_stops_a_503_retry() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(503).insert_header("x-should-retry", "false"), 1).await;
    let (client, waits) = client(&server.uri());
    let err = send(&client, &GENERATE).await.expect_err("not retried");
    assert_eq!(err.status(), Some(503));
    assert_eq!(requests(&server).await, 1);
    assert!(waits.get().is_empty());
}

#[tokio::test]
async fn x_should_retry_true_retries_a_409() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(409).insert_header("x-should-retry", "true"), 1).await;
    let (client, _) = client(&server.uri());
    send(&client, &GENERATE).await.expect("retried");
    assert_eq!(requests(&server).await, 2);
}

async fn assert_not_retried(status: u16) {
    let server = MockServer::start().await;
    let body = json!({"error": {"message": "no", "type": "invalid_request_error", "param": null, "code": null}});
    mount_then_ok(&server, ResponseTemplate::new(status).set_body_json(body), 1).await;
    let (client, waits) = client(&server.uri());
    let err = send(&client, &GENERATE).await.expect_err("not retried");
    assert_eq!(err.status(), Some(status));
    assert_eq!(requests(&server).await, 1, "HTTP {status} must not be re-sent");
    assert!(waits.get().is_empty());
    // One attempt is the normal case: nothing to say about it.
    assert_eq!(err.attempts(), 1);
    assert!(!err.to_string().contains("attempt"), "{err}");
}

#[tokio::test]
async fn no_retry_on_400_bad_request() {
    assert_not_retried(400).await;
}

#[tokio::test]
async fn no_retry_on_401_unauthorized() {
    assert_not_retried(401).await;
}

#[tokio::test]
async fn no_retry_on_402_insufficient_credits() {
    assert_not_retried(402).await;
}

#[tokio::test]
async fn no_retry_on_403_404_422() {
    for status in [403, 404, 422] {
        assert_not_retried(status).await;
    }
}

#[tokio::test]
async fn retries_408_429_and_gateway_errors() {
    for status in [408, 429, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        mount_then_ok(&server, ResponseTemplate::new(status), 1).await;
        let (client, _) = client(&server.uri());
        send(&client, &GENERATE).await.expect("retried");
        assert_eq!(requests(&server).await, 2, "HTTP {status} is retried once");
    }
}

#[tokio::test]
async fn operation_retryable_statuses_extend_the_default_set() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(409), 1).await;
    let (client, _) = client(&server.uri());
    send(&client, &GENERATE_409_RETRYABLE).await.expect("409 is retryable for this operation");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn listenhub_retryable_true_is_retried_even_on_400() {
    let server = MockServer::start().await;
    let busy =
        json!({"reason": "free_relax_busy", "retryable": true, "freeUsageRolledBack": true, "userMessage": "busy"});
    mount_then_ok(&server, ResponseTemplate::new(400).set_body_json(busy), 1).await;
    let (client, _) = client(&server.uri());
    send(&client, &LISTENHUB_GENERATE).await.expect("retried");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn listenhub_retryable_false_is_authoritative_on_503() {
    let server = MockServer::start().await;
    let body = json!({"code": "quota", "message": "stop", "retryable": false});
    mount_then_ok(&server, ResponseTemplate::new(503).set_body_json(body), 1).await;
    let (client, _) = client(&server.uri());
    let err = send(&client, &LISTENHUB_GENERATE).await.expect_err("not retried");
    assert_eq!(err.as_api().and_then(|e| e.code()), Some("quota"));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn connection_failure_is_retried() {
    let (client, waits) = client(&dead_url().await);
    let err = send(&client, &GENERATE).await.expect_err("nothing listens");
    assert!(matches!(&err, Error::Transport(t) if t.phase == SendPhase::BeforeSend), "{err:?}");
    assert_eq!(waits.get(), [Duration::from_millis(10), Duration::from_millis(20)]);
    assert_eq!(err.attempts(), 3);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[tokio::test]
async fn timeout_after_send_is_not_retried_by_default() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200).set_body_json(json!({})).set_delay(Duration::from_secs(2));
    Mock::given(method("POST")).respond_with(slow).mount(&server).await;
    let (builder, waits) = builder(&server.uri());
    let client = builder.timeout(Duration::from_millis(150)).build().expect("client");
    let err = send(&client, &GENERATE).await.expect_err("times out");
    assert!(matches!(&err, Error::Timeout(t) if t.phase == SendPhase::AfterSend), "{err:?}");
    assert_eq!(requests(&server).await, 1);
    assert!(waits.get().is_empty());
}

#[tokio::test]
async fn timeout_after_send_is_retried_when_opted_in() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200).set_body_json(json!({})).set_delay(Duration::from_secs(2));
    Mock::given(method("POST")).respond_with(slow).mount(&server).await;
    let (builder, waits) = builder(&server.uri());
    let client = builder
        .timeout(Duration::from_millis(150))
        .max_retries(1)
        .retry_timeouts_after_send(true)
        .build()
        .expect("client");
    let err = send(&client, &GENERATE).await.expect_err("times out twice");
    assert!(matches!(err, Error::Timeout(_)));
    assert!(err.to_string().contains("after 2 attempts"), "{err}");
    assert_eq!(requests(&server).await, 2);
    assert_eq!(waits.get(), [Duration::from_millis(10)]);
}

#[tokio::test]
async fn json_body_is_sent_identically_on_every_attempt() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(502), 2).await;
    let (client, _) = client(&server.uri());
    let big = json!({"prompt": "p", "image": "A".repeat(100_000)});
    let _: Value = client.http.send_json(&GENERATE, "/v1/generate", Some(&big)).await.expect("succeeds");
    let received = server.received_requests().await.expect("recording on");
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.body == received[0].body));
    assert_eq!(serde_json::from_slice::<Value>(&received[0].body).expect("json"), big);
}
