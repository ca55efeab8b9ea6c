//! The `testing` feature's mock servers seen from outside: what each check
//! catches on the wire, how operations sharing a path are told apart, and the
//! answers a test can choose. The downstream-style use is in `tests/downstream`.

use futures_util::StreamExt;
use imagegen::runtime::testing::{Problem, TEST_API_KEY};
use imagegen::runtime::{AuthScheme, Constraint, FilePart, StreamReply};
use imagegen::{llmgateway, octen, routerhub};
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A raw POST, for requests a generated client would never send.
async fn post(url: String, headers: &[(&str, &str)], body: &str) -> Result<(u16, serde_json::Value), reqwest::Error> {
    let mut request = reqwest::Client::new().post(url).body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

#[tokio::test]
async fn an_unknown_field_is_refused_with_the_providers_envelope_and_recorded() -> TestResult {
    let server = octen::testing::MockServer::start().await?;
    let body = r#"{"model": "openai/gpt-image-2", "prompt": "a fox", "colour": "red"}"#;
    let headers = [("content-type", "application/json"), ("x-api-key", TEST_API_KEY)];

    let (status, answer) = post(format!("{}/v1/images/generations", server.url()), &headers, body).await?;

    assert_eq!(status, 400);
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("colour"), "OpenAI-style envelope naming the field: {answer}");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].operation, Some("generate_images"));
    let Some(Problem::InvalidRequest { violations }) = received[0].problems.first() else {
        return Err(format!("expected an invalid request, got {:?}", received[0].problems).into());
    };
    assert_eq!(violations[0].path, "colour");
    assert!(matches!(violations[0].rule, Constraint::UnknownField { .. }), "{:?}", violations[0].rule);
    Ok(())
}

#[tokio::test]
async fn a_missing_key_and_a_wrong_content_type_are_both_recorded() -> TestResult {
    let server = octen::testing::MockServer::start().await?;

    let (status, _) = post(
        format!("{}/v1/images/generations", server.url()),
        &[("content-type", "text/plain")],
        r#"{"model": "openai/gpt-image-2", "prompt": "a fox"}"#,
    )
    .await?;

    assert_eq!(status, 401, "the first problem decides the status");
    let problems: Vec<Problem> = server.problems().into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        problems,
        vec![
            Problem::MissingKey { accepted: vec![AuthScheme::Header("x-api-key")] },
            Problem::ContentType { expected: "`application/json`", found: Some("text/plain".to_string()) },
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_path_no_operation_has_is_a_404() -> TestResult {
    let server = octen::testing::MockServer::start().await?;
    let (status, _) = post(format!("{}/v1/images/variations", server.url()), &[], "{}").await?;
    assert_eq!(status, 404);
    assert_eq!(server.received()[0].operation, None);
    assert!(matches!(server.problems()[0].1, Problem::UnknownRoute { .. }));
    Ok(())
}

#[tokio::test]
async fn a_path_parameter_is_routed_and_decoded() -> TestResult {
    let server = routerhub::testing::MockServer::start().await?;
    let headers = [("content-type", "application/json"), ("authorization", "Bearer imagegen-test-key")];
    let url = format!("{}/v1beta/models/gemini%2Dx:generateContent", server.url());

    let (status, _) = post(url, &headers, "{}").await?;

    let received = server.received();
    assert_eq!(received[0].operation, Some("generate_content"));
    assert_eq!(received[0].path_params.get("model").map(String::as_str), Some("gemini-x"));
    // `{}` lacks the required `contents`: routed, then refused.
    assert_eq!(status, 400);
    assert!(matches!(received[0].problems[..], [Problem::InvalidRequest { .. }]), "{:?}", received[0].problems);
    Ok(())
}

#[tokio::test]
async fn a_multipart_upload_reaches_the_multipart_operation_with_typed_fields() -> TestResult {
    let server = llmgateway::testing::MockServer::start().await?;
    // The spec documents no answer for the upload, so the test gives one.
    server.respond_with("edit_image_multipart", 200, json!({"created": 1, "data": []}))?;
    let png = imagegen::runtime::base64::decode(imagegen::runtime::testing::PLACEHOLDER_PNG.as_bytes())?;
    let form = llmgateway::EditImageForm::new(vec![FilePart::from_bytes(png).with_file_name("cat.png")], "add a hat")
        .with_n(2);

    server.client()?.edit_image_multipart(&form).await?;

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].operation, Some("edit_image_multipart"), "not the JSON edit on the same path");
    assert_eq!(received[0].body, json!({"prompt": "add a hat", "n": 2}));
    let files = received[0].files.get("image").map(Vec::as_slice).unwrap_or_default();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "cat.png");
    assert!(files[0].bytes.starts_with(PNG_MAGIC));
    assert_eq!(server.problems(), vec![]);
    Ok(())
}

#[tokio::test]
async fn an_operation_without_a_documented_answer_says_so() -> TestResult {
    let server = llmgateway::testing::MockServer::start().await?;
    let png = imagegen::runtime::base64::decode(imagegen::runtime::testing::PLACEHOLDER_PNG.as_bytes())?;
    let form = llmgateway::EditImageForm::new(vec![FilePart::from_bytes(png).with_file_name("cat.png")], "add a hat");

    let err = server.client()?.edit_image_multipart(&form).await.err().ok_or("expected the 501")?;

    assert!(matches!(&err, imagegen::Error::Api(api) if api.status == 501), "{err:?}");
    assert_eq!(server.problems()[0].1, Problem::NoAnswer { operation: "edit_image_multipart" });
    Ok(())
}

#[tokio::test]
async fn a_documented_error_example_can_be_chosen_as_the_answer() -> TestResult {
    let server = llmgateway::testing::MockServer::start().await?;
    server.respond_with_example("generate_images", "no_images_generated")?;
    let request = llmgateway::GenerateImagesRequest::new("a fox");

    let err = server.client()?.generate_images(&request).await.err().ok_or("expected the documented 500")?;

    assert!(matches!(&err, imagegen::Error::Api(api) if api.status == 500), "{err:?}");
    assert!(err.to_string().contains("did not generate any images"), "{err}");
    // An example the spec does not have is refused, naming the ones it has.
    let refused =
        server.respond_with_example("generate_images", "no_such_example").err().ok_or("expected a refusal")?;
    assert!(refused.to_string().contains("invalid_request"), "{refused}");
    assert!(server.respond_with("generate_imagez", 200, json!({})).is_err(), "unknown operation refused");
    Ok(())
}

#[tokio::test]
async fn a_streaming_operation_can_answer_with_events() -> TestResult {
    let server = octen::testing::MockServer::start().await?;
    let png = imagegen::runtime::testing::PLACEHOLDER_PNG;
    server.respond_with_events(
        "generate_images",
        &[("image_generation.completed", json!({"type": "image_generation.completed", "b64_json": png}))],
    )?;
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a fox");

    let reply = server.client()?.generate_images_stream(request).await?;

    let StreamReply::Events(mut events) = reply else {
        return Err("expected an event stream".into());
    };
    let first = events.next().await.ok_or("expected one event")??;
    assert!(matches!(first, octen::ImageStreamEvent::ImageGenerationCompleted(_)), "{first:?}");
    let request: octen::ImageGenerationRequest = server.received()[0].request()?;
    assert_eq!(request.stream, Some(true));
    Ok(())
}

#[tokio::test]
async fn a_body_over_the_documented_maximum_is_a_413_before_it_is_parsed() -> TestResult {
    let server = imagegen::stability::testing::MockServer::start().await?;
    // One byte over Stability's 10 MiB: a raw request, since the generated client refuses
    // to send it.
    let body = vec![b'x'; 10 * 1024 * 1024 + 1];
    let response = reqwest::Client::new()
        .post(format!("{}/v2beta/stable-image/edit/erase", server.url()))
        .header("content-type", "multipart/form-data; boundary=b")
        .bearer_auth(TEST_API_KEY)
        .body(body)
        .send()
        .await?;

    assert_eq!(response.status().as_u16(), 413);
    let answer = response.text().await?;
    assert!(answer.contains("10,485,761") && answer.contains("10,485,760"), "the sizes in the envelope: {answer}");
    let received = server.received();
    assert_eq!(received[0].operation, Some("erase"));
    assert_eq!(received[0].problems, [Problem::TooLarge { size: 10_485_761, max: 10_485_760 }]);
    Ok(())
}
