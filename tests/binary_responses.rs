//! Responses beyond one JSON body, through the `binary_response` and `status_answers`
//! snapshot specs' compiled clients on a local mock server: raw bytes and their media type,
//! the `Accept` header built from the documented media types, typed response headers, a
//! content type that picks JSON or bytes, success statuses with bodies of their own (and an
//! unlisted one kept whole), errors that stay errors, and the call-by-name table handing the
//! bytes on as the answer's image.

use imagegen::runtime::{self, image::ImageFormat, BinaryBody, JsonOrBinary};
use imagegen_snapshot_compiled::binary_response::{
    Client, FinishReason, GenerateHeaders, GenerateRequest, UpscaleForm, UpscaleResult,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A PNG's signature and a few more bytes: enough for the format to be recognised.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

async fn client(server: &MockServer) -> Client {
    Client::builder().api_key("test-key-not-real").base_url(server.uri()).build().expect("a client")
}

#[tokio::test]
async fn image_bytes_arrive_whole_with_their_media_type_and_typed_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/generate"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "image/png")
                .insert_header("finish-reason", "CONTENT_FILTERED")
                .insert_header("seed", "1234")
                .insert_header("x-request-id", "req-7")
                .set_body_bytes(PNG),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let request = GenerateRequest::new("a lighthouse at dusk").with_seed(42);

    let response = client.generate_with_response(&request).await.expect("a PNG");
    let headers: GenerateHeaders = response.typed_headers();
    assert_eq!(headers.finish_reason, Some(FinishReason::ContentFiltered));
    assert_eq!(headers.seed, Some(1234));
    assert_eq!(headers.x_request_id.as_deref(), Some("req-7"));
    assert_eq!(response.request_id(), Some("req-7"));
    let image: &BinaryBody = response.value();
    assert_eq!(image.as_bytes(), PNG);
    assert_eq!(image.media_type(), Some("image/png"));
    assert_eq!(image.image_format(), Some(ImageFormat::Png));
    assert_eq!(image.images().len(), 1, "the bytes are the answer's one image");

    let received = &server.received_requests().await.unwrap()[0];
    let accept = received.headers.get("accept").and_then(|v| v.to_str().ok());
    assert_eq!(accept, Some("image/png, image/jpeg"), "the documented media types, in order");
    let body: serde_json::Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(body, serde_json::json!({"prompt": "a lighthouse at dusk", "seed": 42}));
}

#[tokio::test]
async fn a_header_that_does_not_parse_is_none_and_its_text_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/generate"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "image/png")
                .insert_header("seed", "not-a-number")
                .insert_header("finish-reason", "NEW_REASON")
                .set_body_bytes(PNG),
        )
        .mount(&server)
        .await;
    let response = client(&server).await.generate_with_response(&GenerateRequest::new("x")).await.unwrap();
    let headers: GenerateHeaders = response.typed_headers();
    assert_eq!(headers.seed, None);
    assert_eq!(response.headers().get("seed").and_then(|v| v.to_str().ok()), Some("not-a-number"));
    // A finish reason the docs do not list is kept, as everywhere in responses.
    assert_eq!(headers.finish_reason, Some(FinishReason::Unknown("NEW_REASON".into())));
    assert_eq!(headers.x_request_id, None);
}

#[tokio::test]
async fn an_error_status_is_an_api_error_not_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/generate"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": {"message": "prompt is required", "type": "invalid_request_error", "code": null}
        })))
        .mount(&server)
        .await;
    let error = client(&server).await.generate(&GenerateRequest::new("x")).await.expect_err("a 400");
    let runtime::Error::Api(api) = error else { panic!("expected an API error, got {error:?}") };
    assert_eq!(api.status, 400);
    assert_eq!(api.message(), Some("prompt is required"));
}

#[tokio::test]
async fn the_content_type_decides_between_bytes_and_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/upscale"))
        .and(header("accept", "image/*"))
        .respond_with(ResponseTemplate::new(200).insert_header("content-type", "image/webp").set_body_bytes(PNG))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/upscale"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "image": "iVBORw0KGgo=", "finish_reason": "SUCCESS"
        })))
        .mount(&server)
        .await;
    let client = client(&server).await;
    let form = UpscaleForm::new(runtime::FilePart::from_bytes(PNG.to_vec()).with_file_name("in.png"));

    match client.upscale(&form).await.expect("bytes") {
        JsonOrBinary::Binary(image) => {
            assert_eq!(image.media_type(), Some("image/webp"));
            assert_eq!(image.as_bytes(), PNG);
        }
        other => panic!("expected bytes, got {other:?}"),
    }
    match client.upscale(&form).await.expect("JSON") {
        JsonOrBinary::Json(UpscaleResult { image, finish_reason, .. }) => {
            assert_eq!(image.expect("the image").as_bytes(), b"\x89PNG\r\n\x1a\n");
            assert_eq!(finish_reason, Some(FinishReason::Success));
        }
        other => panic!("expected JSON, got {other:?}"),
    }
}

/// A 1.5 MB image: its answer is past the size below which a body is kept whole, so
/// its base64 is decoded while the body arrives.
fn large_png() -> Vec<u8> {
    let mut image = PNG.to_vec();
    image.extend((0..1_500_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    image
}

#[tokio::test]
async fn a_large_json_answer_of_a_bytes_or_json_operation_is_decoded_as_it_arrives() {
    let image = large_png();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/upscale"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "image": runtime::base64::encode(&image), "finish_reason": "SUCCESS"
        })))
        .mount(&server)
        .await;
    let client = client(&server).await;
    let form = UpscaleForm::new(runtime::FilePart::from_bytes(PNG.to_vec()).with_file_name("in.png"));
    match client.upscale(&form).await.expect("JSON") {
        JsonOrBinary::Json(UpscaleResult { image: Some(decoded), finish_reason, .. }) => {
            assert!(decoded.as_bytes() == image.as_slice(), "the image decodes exactly");
            assert_eq!(finish_reason, Some(FinishReason::Success));
        }
        other => panic!("expected JSON with an image, got {other:?}"),
    }
}

#[tokio::test]
async fn a_download_of_any_type_and_its_dry_run() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/files/file-1"))
        .and(header("accept", "*/*"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"%PDF-1.7".to_vec()))
        .mount(&server)
        .await;
    let client = client(&server).await;
    let file = client.download("file-1").await.expect("the file");
    assert_eq!(file.as_bytes(), b"%PDF-1.7");
    assert_eq!(file.media_type(), None, "no content type was sent");
    assert_eq!(file.image_format(), None);

    let wire = client.download_dry_run("file-1").await.expect("a dry run");
    assert_eq!(wire.header("accept"), Some("*/*"));
    assert!(wire.url.ends_with("/v2/files/file-1"), "{}", wire.url);
}

#[tokio::test]
async fn the_call_by_name_table_hands_the_bytes_on_as_the_answers_image() {
    use imagegen::runtime::dispatch::{Call, Outcome};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/generate"))
        .respond_with(ResponseTemplate::new(200).insert_header("content-type", "image/png").set_body_bytes(PNG))
        .mount(&server)
        .await;
    let client = client(&server).await;
    let call = Call { body: serde_json::json!({"prompt": "a lighthouse"}), ..Call::default() };
    let outcome = imagegen_snapshot_compiled::binary_response::dispatch::call(&client, "generate", call).await.unwrap();
    let Outcome::Response { json, images, .. } = outcome else { panic!("a response") };
    assert_eq!(json.to_value(), serde_json::json!({"media_type": "image/png", "bytes": PNG.len()}));
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].as_bytes(), PNG);
}

mod status_answers {
    //! Success statuses with bodies of their own (`status_answers` snapshot spec).
    use super::PNG;
    use imagegen::runtime::JsonOrBinary;
    use imagegen_snapshot_compiled::status_answers::{Client, GetResultAnswer, SubmitAnswer, SubmitRequest};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn client(server: &MockServer) -> Client {
        Client::builder().api_key("test-key-not-real").base_url(server.uri()).build().expect("a client")
    }

    async fn answer_once(server: &MockServer, template: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path("/v2/results/job-1"))
            .respond_with(template)
            .up_to_n_times(1)
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn each_status_is_decoded_as_its_own_body_and_an_unlisted_one_is_kept() {
        let server = MockServer::start().await;
        answer_once(
            &server,
            ResponseTemplate::new(202).set_body_json(serde_json::json!({"id": "job-1", "status": "in-progress"})),
        )
        .await;
        answer_once(&server, ResponseTemplate::new(200).insert_header("content-type", "image/png").set_body_bytes(PNG))
            .await;
        answer_once(
            &server,
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"image": "iVBORw0KGgo=", "seed": 7})),
        )
        .await;
        answer_once(
            &server,
            ResponseTemplate::new(206).insert_header("content-type", "text/plain").set_body_string("partial"),
        )
        .await;
        let client = client(&server).await;

        match client.get_result("job-1").await.unwrap() {
            GetResultAnswer::InProgress(progress) => assert_eq!(progress.status.as_deref(), Some("in-progress")),
            other => panic!("expected 202 in progress, got {other:?}"),
        }
        match client.get_result("job-1").await.unwrap() {
            GetResultAnswer::Finished(JsonOrBinary::Binary(image)) => assert_eq!(image.as_bytes(), PNG),
            other => panic!("expected 200 bytes, got {other:?}"),
        }
        match client.get_result_with_response("job-1").await.unwrap().into_parts() {
            (GetResultAnswer::Finished(JsonOrBinary::Json(finished)), 200, _) => assert_eq!(finished.seed, Some(7)),
            other => panic!("expected 200 JSON, got {other:?}"),
        }
        match client.get_result("job-1").await.unwrap() {
            GetResultAnswer::Other(answer) => {
                assert_eq!(answer.status(), 206);
                assert_eq!(&answer.body()[..], b"partial", "the paid-for body is kept");
            }
            other => panic!("expected the unlisted 206 kept, got {other:?}"),
        }
        let accept = server.received_requests().await.unwrap()[0].headers.get("accept").cloned();
        assert_eq!(accept.as_ref().and_then(|v| v.to_str().ok()), Some("image/*, application/json"));
    }

    #[tokio::test]
    async fn an_unlisted_large_json_answer_is_kept_byte_for_byte() {
        let server = MockServer::start().await;
        // Written with `\/` and spaces, as some servers do: the kept body is still what came.
        let image = super::large_png();
        let text = imagegen::runtime::base64::encode(&image).replace('/', "\\/");
        let body = format!("{{ \"image\" : \"{text}\", \"note\": \"partial\" }}");
        answer_once(&server, ResponseTemplate::new(206).set_body_raw(body.clone(), "application/json")).await;
        match client(&server).await.get_result("job-1").await.unwrap() {
            GetResultAnswer::Other(answer) => {
                assert_eq!(answer.status(), 206);
                assert!(answer.is_json());
                assert_eq!(answer.body_len(), body.len());
                assert!(answer.body()[..] == *body.as_bytes(), "the paid-for body is kept as it came");
                assert_eq!(answer.binary().as_bytes().len(), body.len());
            }
            other => panic!("expected the unlisted 206 kept, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_body_that_does_not_parse_is_a_decode_error_with_its_status() {
        let server = MockServer::start().await;
        answer_once(
            &server,
            ResponseTemplate::new(202).insert_header("content-type", "application/json").set_body_string("{not json"),
        )
        .await;
        let error = client(&server).await.get_result("job-1").await.expect_err("a decode error");
        let imagegen::runtime::Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
        assert_eq!(decode.status, 202);
    }

    #[tokio::test]
    async fn the_call_by_name_table_reads_each_status() {
        use imagegen::runtime::dispatch::{Call, Outcome};
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/jobs"))
            .respond_with(ResponseTemplate::new(201).insert_header("content-type", "image/png").set_body_bytes(PNG))
            .mount(&server)
            .await;
        let client = client(&server).await;
        let answer = client.submit(&SubmitRequest::new("a cat")).await.unwrap();
        assert!(matches!(answer, SubmitAnswer::DoneAtOnce(ref image) if image.as_bytes() == PNG), "{answer:?}");
        let call = Call { body: serde_json::json!({"prompt": "a cat"}), ..Call::default() };
        let outcome =
            imagegen_snapshot_compiled::status_answers::dispatch::call(&client, "submit", call).await.unwrap();
        let Outcome::Response { images, .. } = outcome else { panic!("a response") };
        assert_eq!(images.len(), 1, "the bytes of a 201 are the answer's image");
    }
}
