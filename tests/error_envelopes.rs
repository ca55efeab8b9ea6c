//! Error envelopes declared in the specs, on the wire: the real providers' generated
//! clients (RouterHub, Octen, LLMGateway) and the `error_envelopes`, `fastapi_errors` and
//! `stability_errors` snapshot specs, against wiremock. Where a wait matters, the retry
//! policy's sleep pauses tokio's clock and advances it by the wait (then lets it run
//! again, since a paused clock would also fire the HTTP timeouts while the mock server
//! answers): the waits are taken on the runtime's clock, recorded, and cost no real time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use imagegen::runtime::{ClientBuilder, Error, Jitter, ProviderClient, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-not-real";

/// A client of any generated provider on `server`, with this retry policy.
fn client<C: ProviderClient>(server: &MockServer, policy: RetryPolicy) -> C {
    ClientBuilder::<C>::new().api_key(KEY).base_url(server.uri()).retry_policy(policy).build().expect("a client")
}

/// The waits a policy took, in order.
#[derive(Clone, Default)]
struct Waits(Arc<Mutex<Vec<Duration>>>);

impl Waits {
    fn get(&self) -> Vec<Duration> {
        self.0.lock().expect("not poisoned").clone()
    }
}

/// Two retries, no jitter and a 0.5 s base, so backoff waits are exact; each wait is
/// recorded and taken on tokio's clock, paused for it.
fn policy_recording() -> (RetryPolicy, Waits) {
    let waits = Waits::default();
    let recorded = waits.clone();
    let policy = RetryPolicy::default()
        .with_jitter(Jitter::None)
        .with_base_delay(Duration::from_millis(500))
        .with_sleep(move |wait| {
            recorded.0.lock().expect("not poisoned").push(wait);
            async move {
                tokio::time::pause();
                tokio::time::advance(wait).await;
                tokio::time::resume();
            }
        });
    (policy, waits)
}

fn policy() -> RetryPolicy {
    policy_recording().0
}

/// `first` once, then `then` for every later request.
async fn answers(server: &MockServer, first: ResponseTemplate, then: ResponseTemplate) {
    Mock::given(method("POST")).respond_with(first).up_to_n_times(1).mount(server).await;
    Mock::given(method("POST")).respond_with(then).mount(server).await;
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

fn api(err: &Error) -> &imagegen::runtime::ApiError {
    err.as_api().unwrap_or_else(|| panic!("an API error, got {err:?}"))
}

mod routerhub_google {
    use imagegen::routerhub::{Client, Content, GeminiImageModel, GenerateContentRequest, Part, PartData};

    use super::*;

    fn google_429(delay: &str) -> Value {
        json!({"error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
            ]
        }})
    }

    fn success() -> Value {
        json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "done"}]}, "finishReason": "STOP"}]})
    }

    async fn generate(client: &Client) -> Result<imagegen::routerhub::GenerateContentResponse, Error> {
        let request = GenerateContentRequest::new(vec![
            Content::new().with_parts(vec![Part::new(PartData::Text("an otter".into()))])
        ]);
        client.generate_content(&GeminiImageModel::GoogleGemini2_5FlashImage, &request).await
    }

    #[tokio::test]
    async fn a_google_429_with_retry_info_34_4s_waits_34_4_s_then_succeeds() {
        let server = MockServer::start().await;
        answers(
            &server,
            ResponseTemplate::new(429).set_body_json(google_429("34.4s")),
            ResponseTemplate::new(200).set_body_json(success()),
        )
        .await;
        let (policy, waits) = policy_recording();
        let client: Client = client(&server, policy);
        let started = tokio::time::Instant::now();
        let answer = generate(&client).await.expect("the second attempt succeeds");
        assert_eq!(answer.candidates.map(|c| c.len()), Some(1));
        assert_eq!(requests(&server).await, 2);
        assert_eq!(waits.get(), [Duration::from_millis(34_400)], "exactly the body's RetryInfo");
        assert!(started.elapsed() >= Duration::from_millis(34_400), "the wait is on tokio's clock");
    }

    #[tokio::test]
    async fn a_retry_info_above_the_maximum_wait_gives_up_with_the_error() {
        let server = MockServer::start().await;
        answers(
            &server,
            ResponseTemplate::new(429).set_body_json(google_429("34.4s")),
            ResponseTemplate::new(200).set_body_json(success()),
        )
        .await;
        let (policy, waits) = policy_recording();
        let client: Client = client(&server, policy.with_max_server_wait(Duration::from_secs(30)));
        let err = generate(&client).await.expect_err("34.4 s is above the 30 s the caller allows");
        assert!(waits.get().is_empty(), "gave up at once, without waiting");
        assert_eq!(requests(&server).await, 1);
        let api = api(&err);
        assert_eq!(api.envelope_name(), Some("google"));
        assert_eq!(api.code(), Some("RESOURCE_EXHAUSTED"));
        assert_eq!(api.provider_status(), Some(429));
        assert_eq!(api.retry_after, Some(Duration::from_millis(34_400)));
        assert!(err.to_string().contains("the server asks to wait 34.4 s"), "{err}");
    }
}

mod octen_openai {
    use imagegen::octen::{Client, ImageGenerationRequest, ImageModel};

    use super::*;

    fn openai_429(code: &str, message: &str) -> ResponseTemplate {
        ResponseTemplate::new(429).set_body_json(json!({"error": {
            "message": message, "type": "requests", "param": null, "code": code
        }}))
    }

    fn success() -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({"created": 1, "data": [{"b64_json": "aGVsbG8="}]}))
    }

    async fn generate(client: &Client) -> Result<imagegen::octen::ImageGenerationResponse, Error> {
        client.generate_images(&ImageGenerationRequest::new(ImageModel::OpenaiGptImage2, "a fox")).await
    }

    #[tokio::test]
    async fn an_openai_429_insufficient_quota_is_not_retried() {
        let server = MockServer::start().await;
        let quota = "You exceeded your current quota, please check your plan and billing details.";
        answers(&server, openai_429("insufficient_quota", quota), success()).await;
        let err = generate(&client(&server, policy())).await.expect_err("retrying cannot help");
        assert_eq!(requests(&server).await, 1, "exactly one request");
        let api = api(&err);
        assert_eq!((api.status, api.code(), api.error_type()), (429, Some("insufficient_quota"), Some("requests")));
        assert_eq!(api.retry_verdict(), Some(false));
    }

    #[tokio::test]
    async fn a_plain_openai_429_rate_limit_exceeded_is_retried() {
        let server = MockServer::start().await;
        answers(&server, openai_429("rate_limit_exceeded", "Rate limit reached"), success()).await;
        let (policy, waits) = policy_recording();
        generate(&client(&server, policy)).await.expect("the retry succeeds");
        assert_eq!(requests(&server).await, 2);
        assert_eq!(waits.get(), [Duration::from_millis(500)], "backed off 0.5 s");
    }
}

mod llmgateway_no_images {
    use imagegen::llmgateway::{Client, GenerateImagesRequest};

    use super::*;

    fn gateway_500(message: &str) -> ResponseTemplate {
        ResponseTemplate::new(500).set_body_json(json!({"error": true, "status": 500, "message": message}))
    }

    #[tokio::test]
    async fn the_documented_no_images_500_is_not_retried() {
        let server = MockServer::start().await;
        let documented =
            "The model did not generate any images. Try a different model with image generation capabilities.";
        answers(&server, gateway_500(documented), ResponseTemplate::new(200)).await;
        let client: Client = client(&server, policy());
        let err = client.generate_images(&GenerateImagesRequest::new("a lake")).await.expect_err("no images");
        assert_eq!(requests(&server).await, 1);
        let api = api(&err);
        assert_eq!((api.envelope_name(), api.provider_status()), (Some("llmgateway"), Some(500)));
        assert_eq!(api.message(), Some(documented));
    }

    #[tokio::test]
    async fn another_500_is_still_retried() {
        let server = MockServer::start().await;
        let ok = ResponseTemplate::new(200).set_body_json(json!({"created": 1, "data": []}));
        answers(&server, gateway_500("upstream timed out"), ok).await;
        let client: Client = client(&server, policy());
        client.generate_images(&GenerateImagesRequest::new("a lake")).await.expect("the retry succeeds");
        assert_eq!(requests(&server).await, 2);
    }
}

mod declared_shapes {
    use imagegen_snapshot_compiled::{error_envelopes, fastapi_errors, stability_errors};

    use super::*;

    async fn failing(status: u16, body: Value) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn fastapi_validation_errors_give_the_first_message_and_its_type() {
        let body = json!({"detail": [
            {"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"},
            {"loc": ["body", "size"], "msg": "Input should be a valid integer", "type": "int_parsing"}
        ]});
        let server = failing(422, body).await;
        let client: fastapi_errors::Client = client(&server, policy());
        let err = client.generate(&fastapi_errors::GenerateRequest::new("x")).await.expect_err("422");
        let api = api(&err);
        assert_eq!(api.envelope_name(), Some("fastapi_validation"));
        assert_eq!((api.message(), api.code()), (Some("Field required"), Some("missing")));
        assert_eq!(requests(&server).await, 1, "a 422 is not retried");
    }

    #[tokio::test]
    async fn a_fastapi_detail_message_is_the_message() {
        let server = failing(404, json!({"detail": "Model not found"})).await;
        let client: fastapi_errors::Client = client(&server, policy());
        let err = client.generate(&fastapi_errors::GenerateRequest::new("x")).await.expect_err("404");
        let api = api(&err);
        assert_eq!(
            (api.envelope_name(), api.message(), api.code()),
            (Some("fastapi_message"), Some("Model not found"), None)
        );
        assert!(err.to_string().contains("HTTP 404 from fastapi_errors: Model not found"), "{err}");
    }

    #[tokio::test]
    async fn stability_errors_are_joined_and_the_name_is_the_code() {
        let body =
            json!({"id": "4a5b", "name": "bad_request", "errors": ["prompt: cannot be blank", "width: too small"]});
        let server = failing(400, body).await;
        let client: stability_errors::Client = client(&server, policy());
        let err = client.generate(&stability_errors::GenerateRequest::new("x")).await.expect_err("400");
        let api = api(&err);
        assert_eq!(api.code(), Some("bad_request"));
        assert_eq!(api.message(), Some("prompt: cannot be blank; width: too small"));
        let typed: stability_errors::StabilityError = api.body_json().expect("the spec's body type");
        assert_eq!(typed.id.as_deref(), Some("4a5b"));
    }

    #[tokio::test]
    async fn a_code_rule_wins_over_a_status_the_docs_call_retryable() {
        let body = json!({"id": "1", "name": "content_moderation", "errors": ["flagged"]});
        let server = failing(500, body).await;
        let client: stability_errors::Client = client(&server, policy());
        client.generate(&stability_errors::GenerateRequest::new("x")).await.expect_err("flagged");
        assert_eq!(requests(&server).await, 1);
    }

    #[tokio::test]
    async fn a_status_the_docs_call_not_retryable_is_sent_once() {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).mount(&server).await;
        let once: stability_errors::Client = client(&server, policy());
        once.generate(&stability_errors::GenerateRequest::new("x")).await.expect_err("502");
        assert_eq!(requests(&server).await, 1, "retryable: false on 502");
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
        let thrice: stability_errors::Client = client(&server, policy());
        thrice.generate(&stability_errors::GenerateRequest::new("x")).await.expect_err("503");
        assert_eq!(requests(&server).await, 3, "503 keeps the default");
    }

    #[tokio::test]
    async fn a_flat_envelope_gives_its_delay_in_seconds_and_its_own_verdict() {
        let server = MockServer::start().await;
        let busy = json!({"busy": true, "reason": "queue full", "retry_in": 2.5, "can_retry": true});
        let ok = ResponseTemplate::new(200).set_body_json(json!({"url": "https://example.com/a.png"}));
        // A 409 is not retried by default; the body's own verdict says it may be.
        answers(&server, ResponseTemplate::new(409).set_body_json(busy), ok).await;
        let (policy, waits) = policy_recording();
        let client: error_envelopes::Client = client(&server, policy);
        client.draw(&error_envelopes::DrawRequest::new("x")).await.expect("retried after 2.5 s");
        assert_eq!(requests(&server).await, 2);
        assert_eq!(waits.get(), [Duration::from_millis(2_500)]);
    }

    #[tokio::test]
    async fn an_error_wrapped_in_a_200_is_recognised_only_by_an_envelope_that_says_how() {
        let server = failing(200, json!({"busy": true, "reason": "queue full", "can_retry": false})).await;
        let client: error_envelopes::Client = client(&server, policy());
        let err = client.draw(&error_envelopes::DrawRequest::new("x")).await.expect_err("an error in a 200");
        assert_eq!((api(&err).status, api(&err).envelope_name()), (200, Some("busy")));
    }
}
