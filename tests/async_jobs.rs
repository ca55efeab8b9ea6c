//! Async jobs through the `async_job` snapshot spec's compiled client on local mock
//! servers: a job polled at the URL its submit answer returns (on the API's server, or
//! on another host that is or is not trusted with the key) and a job polled by id
//! through the status operation; done, failed and moderated endings, the progress
//! callback, and a submit answer without its id. The sleep hook keeps every wait at 0.

use imagegen::runtime::{Error, JobErrorKind, JobState, PollPolicy};
use imagegen_snapshot_compiled::async_job::{Client, GenerateRequest, ResultStatus};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-not-real";

fn client(server: &MockServer) -> Client {
    Client::builder().api_key(KEY).base_url(server.uri()).build().expect("a client")
}

/// The documented pace without real sleeping.
fn no_sleep(policy: PollPolicy) -> PollPolicy {
    policy.with_sleep(|_| async {})
}

async fn submit_answers(server: &MockServer, submit_path: &str, polling_url: String) {
    Mock::given(method("POST"))
        .and(path(submit_path))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "task-1", "polling_url": polling_url})))
        .expect(1)
        .mount(server)
        .await;
}

async fn poll_answers(server: &MockServer, poll_path: &str, statuses: &[&str]) {
    let (last, before) = statuses.split_last().expect("at least one status");
    for status in before {
        Mock::given(method("GET"))
            .and(path(poll_path))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "task-1", "status": status})))
            .up_to_n_times(1)
            .mount(server)
            .await;
    }
    let mut body = json!({"id": "task-1", "status": last});
    if *last == "Ready" {
        body["result"] = json!({"sample": "https://delivery-eu.bfl.ai/sample.png?sig=abc"});
    }
    Mock::given(method("GET"))
        .and(path(poll_path))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

fn keys_sent(requests: &[wiremock::Request]) -> Vec<bool> {
    requests.iter().map(|r| r.headers.get("x-key").is_some_and(|v| v == KEY)).collect()
}

#[tokio::test]
async fn a_job_polled_by_url_ends_with_its_result_and_reports_progress() {
    let server = MockServer::start().await;
    submit_answers(&server, "/v1/flux-2-pro", format!("{}/v1/get_result?id=task-1", server.uri())).await;
    poll_answers(&server, "/v1/get_result", &["Pending", "Pending", "Ready"]).await;
    let client = client(&server);
    let mut seen = Vec::new();
    let started = std::time::Instant::now();
    let result = client
        .generate_and_wait_with(&GenerateRequest::new("a lighthouse"), &no_sleep(Client::GENERATE_POLL_POLICY), |p| {
            seen.push((p.state, p.status.to_string(), p.polls))
        })
        .await
        .expect("the job ends ready");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "no real sleeping");
    assert_eq!(result.status, Some(ResultStatus::Ready));
    let sample = result.result.and_then(|r| r.sample).expect("a sample URL");
    assert!(sample.starts_with("https://delivery-eu.bfl.ai/"));
    assert_eq!(
        seen,
        [
            (JobState::Pending, "Pending".to_string(), 1),
            (JobState::Pending, "Pending".to_string(), 2),
            (JobState::Done, "Ready".to_string(), 3)
        ]
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4, "one submit, three polls");
    assert_eq!(keys_sent(&requests), [true; 4], "the API's own origin always gets the key");
}

#[tokio::test]
async fn a_failed_job_is_a_typed_error_naming_its_status() {
    let server = MockServer::start().await;
    submit_answers(&server, "/v1/flux-2-pro", format!("{}/v1/get_result?id=task-1", server.uri())).await;
    poll_answers(&server, "/v1/get_result", &["Pending", "Error"]).await;
    let error = client(&server)
        .generate_and_wait_with(&GenerateRequest::new("x"), &no_sleep(Client::GENERATE_POLL_POLICY), |_| {})
        .await
        .expect_err("the job failed");
    let Error::Job(job) = &error else { panic!("expected a job error, got {error:?}") };
    assert_eq!(job.kind, JobErrorKind::Failed);
    assert_eq!(job.status.as_deref(), Some("Error"));
    assert_eq!(job.polls, 2);
    assert!(error.to_string().contains("`Error`"), "{error}");
}

#[tokio::test]
async fn a_moderated_job_polled_by_id_names_the_moderation() {
    let server = MockServer::start().await;
    submit_answers(&server, "/v1/flux-2-max", "https://api.bfl.ai/unused".to_string()).await;
    poll_answers(&server, "/v1/get_result/task-1", &["Pending", "Content Moderated"]).await;
    let error = client(&server)
        .generate_by_id_and_wait_with(&GenerateRequest::new("x"), &no_sleep(Client::GENERATE_BY_ID_POLL_POLICY), |_| {})
        .await
        .expect_err("the job was moderated");
    let Error::Job(job) = &error else { panic!("expected a job error, got {error:?}") };
    assert_eq!(job.kind, JobErrorKind::Moderated);
    assert_eq!(job.status.as_deref(), Some("Content Moderated"));
    let requests = server.received_requests().await.unwrap();
    let polled: Vec<&str> = requests.iter().skip(1).map(|r| r.url.path()).collect();
    assert_eq!(polled, ["/v1/get_result/task-1"; 2], "polled by id through get_result");
}

#[tokio::test]
async fn a_polling_url_on_an_untrusted_host_gets_no_key_and_a_trusted_one_does() {
    let api = MockServer::start().await;
    let other = MockServer::start().await;
    let port = other.address().port();
    // The same server by an IP address (untrusted) and by `localhost` (trusted by the spec).
    for (host, key_expected) in [("127.0.0.1", false), ("localhost", true)] {
        api.reset().await;
        other.reset().await;
        submit_answers(&api, "/v1/flux-2-pro", format!("http://{host}:{port}/v1/get_result?id=task-1")).await;
        poll_answers(&other, "/v1/get_result", &["Pending", "Ready"]).await;
        let result = client(&api)
            .generate_and_wait_with(&GenerateRequest::new("x"), &no_sleep(Client::GENERATE_POLL_POLICY), |_| {})
            .await
            .expect("the job ends ready");
        assert_eq!(result.status, Some(ResultStatus::Ready));
        assert_eq!(keys_sent(&api.received_requests().await.unwrap()), [true], "the submit has the key");
        let polls = other.received_requests().await.unwrap();
        assert_eq!(keys_sent(&polls), [key_expected; 2], "polls to {host}");
    }
}

#[tokio::test]
async fn a_submit_answer_without_its_id_is_an_error_keeping_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/flux-2-max"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"polling_url": "https://api.bfl.ai/x"})))
        .mount(&server)
        .await;
    let error = client(&server)
        .generate_by_id_and_wait_with(&GenerateRequest::new("x"), &no_sleep(Client::GENERATE_BY_ID_POLL_POLICY), |_| {})
        .await
        .expect_err("nothing to poll by");
    let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
    assert!(decode.source.to_string().contains("no usable `id`"), "{error}");
    let kept: serde_json::Value = serde_json::from_slice(&decode.body).unwrap();
    assert_eq!(kept["polling_url"], "https://api.bfl.ai/x");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "nothing polled");
}

#[tokio::test]
async fn a_job_polled_by_id_in_the_query_sends_the_id_as_the_query_parameter() {
    let server = MockServer::start().await;
    submit_answers(&server, "/v1/flux-2-flex", "https://api.bfl.ai/unused".to_string()).await;
    poll_answers(&server, "/v1/get_result", &["Pending", "Pending", "Ready"]).await;
    let result = client(&server)
        .generate_by_query_and_wait_with(
            &GenerateRequest::new("x"),
            &no_sleep(Client::GENERATE_BY_QUERY_POLL_POLICY),
            |_| {},
        )
        .await
        .expect("the job ends ready");
    assert_eq!(result.status, Some(ResultStatus::Ready));
    let requests = server.received_requests().await.unwrap();
    let polled: Vec<String> =
        requests.iter().skip(1).map(|r| format!("{}?{}", r.url.path(), r.url.query().unwrap_or(""))).collect();
    assert_eq!(polled, ["/v1/get_result?id=task-1"; 3], "polled by id in the query through get_result_by_query");
    assert_eq!(keys_sent(&requests), [true; 4]);
}

#[tokio::test]
async fn a_finished_jobs_result_is_downloaded_from_its_url_with_the_key_only_where_trusted() {
    let png = imagegen::runtime::base64::decode(
        b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    )
    .unwrap();
    let delivery = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/sample.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(png.clone(), "image/png"))
        .mount(&delivery)
        .await;
    let api = MockServer::start().await;
    let port = delivery.address().port();
    for (host, key_expected) in [("127.0.0.1", false), ("localhost", true)] {
        delivery.reset().await;
        Mock::given(method("GET"))
            .and(path("/sample.png"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(png.clone(), "image/png"))
            .mount(&delivery)
            .await;
        let answer = serde_json::from_value(json!({
            "id": "task-1",
            "status": "Ready",
            "result": {"sample": format!("http://{host}:{port}/sample.png?se=2026&sig=secret-signature")},
        }))
        .unwrap();
        let image = client(&api).generate_download_result(&answer).await.expect("the result downloads");
        assert_eq!(image.as_bytes(), png.as_slice());
        assert_eq!(image.media_type(), Some("image/png"));
        assert_eq!(keys_sent(&delivery.received_requests().await.unwrap()), [key_expected], "download from {host}");
    }
    // A finished answer without the URL is an error keeping the answer, not a panic or an empty image.
    let answer = serde_json::from_value(json!({"id": "task-1", "status": "Ready", "result": null})).unwrap();
    let error = client(&api).generate_download_result(&answer).await.expect_err("nothing to download");
    let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
    assert!(decode.source.to_string().contains("`result.sample`"), "{error}");
}

/// Jobs whose progress is told by HTTP status (`job_by_status`, Stability's creative
/// upscale): `202` while running, `200` with the result.
mod by_status {
    use imagegen::runtime::{Error, FilePart, JobState, JsonOrBinary, PollPolicy};
    use imagegen_snapshot_compiled::job_by_status::{Client, GetResultAnswer, UpscaleForm};
    use serde_json::json;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const KEY: &str = "test-key-not-real";
    const ID: &str = "a6dc6c6e20acda010fe14d71f180658f2896ed9b4ec25aa99a6ff06c796987c4";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn client(server: &MockServer) -> Client {
        Client::builder().api_key(KEY).base_url(server.uri()).build().expect("a client")
    }

    fn form() -> UpscaleForm {
        UpscaleForm::new(FilePart::from_bytes(PNG).with_file_name("kitten.png"), "a kitten")
    }

    async fn started(server: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/v2beta/upscale"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ID})))
            .expect(1)
            .mount(server)
            .await;
    }

    async fn answers(server: &MockServer, before: &[ResponseTemplate], last: ResponseTemplate) {
        let result_path = format!("/v2beta/results/{ID}");
        for answer in before {
            Mock::given(method("GET"))
                .and(path(&result_path))
                .respond_with(answer.clone())
                .up_to_n_times(1)
                .mount(server)
                .await;
        }
        Mock::given(method("GET")).and(path(&result_path)).respond_with(last).mount(server).await;
    }

    fn in_progress() -> ResponseTemplate {
        ResponseTemplate::new(202).set_body_json(json!({"id": ID, "status": "in-progress"}))
    }

    #[tokio::test]
    async fn a_202_keeps_polling_and_the_200_bytes_end_the_job() {
        let server = MockServer::start().await;
        started(&server).await;
        let png = ResponseTemplate::new(200)
            .insert_header("content-type", "image/png")
            .insert_header("finish-reason", "SUCCESS")
            .set_body_bytes(PNG);
        answers(&server, &[in_progress(), in_progress()], png).await;
        let mut seen = Vec::new();
        let answer = client(&server)
            .upscale_and_wait_with(&form(), &Client::UPSCALE_POLL_POLICY.with_sleep(|_| async {}), |p| {
                seen.push((p.state, p.status.to_string(), p.polls))
            })
            .await
            .expect("the job ends with the image");
        let GetResultAnswer::Finished(JsonOrBinary::Binary(image)) = answer else {
            panic!("expected the image bytes, got {answer:?}")
        };
        assert_eq!(image.media_type(), Some("image/png"));
        assert_eq!(image.as_bytes(), PNG);
        assert_eq!(
            seen,
            [
                (JobState::Pending, "in_progress".to_string(), 1),
                (JobState::Pending, "in_progress".to_string(), 2),
                (JobState::Done, "finished".to_string(), 3),
            ]
        );
        // Polls leave the optional `accept` unset: the answer's documented media types go out.
        let polls: Vec<_> = server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.method == wiremock::http::Method::GET)
            .collect();
        assert_eq!(polls.len(), 3);
        assert!(polls.iter().all(|r| r.headers.get("accept").is_some_and(|v| v == "image/*, application/json")));
    }

    #[tokio::test]
    async fn an_undocumented_success_status_is_pending_and_json_ends_the_job() {
        let server = MockServer::start().await;
        started(&server).await;
        let json =
            ResponseTemplate::new(200).insert_header("content-type", "application/json; type=image/png").set_body_raw(
                serde_json::to_vec(&json!({"image": "iVBORw0KGgo=", "seed": 42})).expect("json"),
                "application/json; type=image/png",
            );
        answers(&server, &[ResponseTemplate::new(204)], json).await;
        let mut statuses = Vec::new();
        let answer = client(&server)
            .upscale_and_wait_with(&form(), &Client::UPSCALE_POLL_POLICY.with_sleep(|_| async {}), |p| {
                statuses.push(p.status.to_string())
            })
            .await
            .expect("the job ends with base64 JSON");
        let GetResultAnswer::Finished(JsonOrBinary::Json(finished)) = answer else {
            panic!("expected the JSON result, got {answer:?}")
        };
        assert_eq!(finished.seed, Some(42));
        assert_eq!(statuses, ["HTTP 204", "finished"]);
    }

    #[tokio::test]
    async fn an_expired_generation_is_the_api_error_at_once() {
        let server = MockServer::start().await;
        started(&server).await;
        let gone = ResponseTemplate::new(404).set_body_json(json!({
            "id": "2bca35116bc5431d6dc4b4ea2ef3da2f",
            "name": "generation_not_found",
            "errors": ["id: the generation either does not exist or has expired."]
        }));
        answers(&server, &[in_progress()], gone).await;
        let policy: PollPolicy = Client::UPSCALE_POLL_POLICY.with_sleep(|_| async {});
        let error = client(&server).upscale_and_wait_with(&form(), &policy, |_| {}).await.expect_err("a 404");
        let Error::Api(api) = &error else { panic!("expected an API error, got {error:?}") };
        assert_eq!(api.status, 404);
        assert!(String::from_utf8_lossy(&api.body).contains("generation_not_found"));
    }

    #[tokio::test]
    async fn the_status_operation_sends_the_accept_its_caller_picks() {
        use imagegen_snapshot_compiled::job_by_status::{AcceptResult, GetResultParams};
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/v2beta/results/{ID}")))
            .and(header("accept", "application/json"))
            .respond_with(in_progress())
            .expect(1)
            .mount(&server)
            .await;
        let answer = client(&server)
            .get_result(ID, &GetResultParams::new().with_accept(AcceptResult::Json))
            .await
            .expect("in progress");
        assert!(matches!(answer, GetResultAnswer::InProgress(p) if p.status.as_deref() == Some("in-progress")));
    }
}

/// A generated `..._and_wait` and `..._and_wait_with` may run on a spawned task.
#[test]
fn waiting_calls_can_run_on_spawned_tasks() {
    fn assert_send<T: Send>(_: T) {}
    let client = Client::builder().api_key(KEY).base_url("http://127.0.0.1:9").build().expect("a client");
    let request = GenerateRequest::new("a lighthouse");
    assert_send(client.generate_and_wait(&request));
    assert_send(client.generate_and_wait_with(&request, &Client::GENERATE_POLL_POLICY, |_| {}));
}
