//! What a caller gets beside the decoded value: the response head
//! (`_with_response`), the request a call would send (`_dry_run`), and inline
//! images built from a file or bytes with their MIME type detected. All through the
//! generated clients, as a user would call them.

use imagegen::runtime::image::InlineImageError;
use imagegen::runtime::{Error, FilePart, WireBody};
use imagegen::{listenhub, llmgateway, routerhub};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A key long enough to be scrubbed, so a leak would show.
const KEY: &str = "sk-responses-canary-4b9e2d";

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-rest-of-a-png";
const GIF: &[u8] = b"GIF89a-rest-of-a-gif";

fn llmgateway_client(server: &MockServer) -> Result<llmgateway::Client, Error> {
    llmgateway::Client::builder().api_key(KEY).base_url(server.uri()).max_retries(0).build()
}

/// A server that fails the test if anything reaches it.
async fn server_expecting_nothing() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    server
}

#[tokio::test]
async fn a_json_call_with_response_shows_status_headers_and_request_id_without_the_key() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-7731")
                .insert_header("x-ratelimit-remaining", "41")
                // A debugging proxy that echoes the key must not leak it to the caller.
                .insert_header("x-echoed-auth", format!("Bearer {KEY}").as_str())
                .set_body_json(json!({"created": 1, "data": []})),
        )
        .mount(&server)
        .await;
    let client = llmgateway_client(&server)?;

    let response = client.generate_images_with_response(&llmgateway::GenerateImagesRequest::new("a fox")).await?;

    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req-7731"));
    assert_eq!(response.headers().get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()), Some("41"));
    let echoed = response.headers().get("x-echoed-auth").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(echoed, "Bearer <redacted>");
    assert!(!format!("{response:?}").contains(KEY), "the key leaked through Debug");
    assert_eq!(response.value().created, Some(1.0));
    assert!(response.into_value().data.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_multipart_call_with_response_keeps_a_201_and_its_request_id() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/edits"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("request-id", "edit-42")
                .set_body_json(json!({"created": 2, "data": []})),
        )
        .mount(&server)
        .await;
    let client = llmgateway_client(&server)?;
    let form =
        llmgateway::EditImageForm::new(vec![FilePart::from_bytes(PNG.to_vec()).with_file_name("cat.png")], "add a hat");

    let response = client.edit_image_multipart_with_response(&form).await?;

    assert_eq!(response.status(), 201);
    assert_eq!(response.request_id(), Some("edit-42"));
    let (value, status, _headers) = response.into_parts();
    assert_eq!((value.created, status), (Some(2.0), 201));
    // The plain method is the same call without the head.
    assert_eq!(client.edit_image_multipart(&form).await?.created, Some(2.0));
    Ok(())
}

#[tokio::test]
async fn a_json_dry_run_returns_the_request_as_a_value_and_sends_nothing() -> TestResult {
    let server = server_expecting_nothing().await;
    let client = llmgateway_client(&server)?;
    let request = llmgateway::GenerateImagesRequest::new("a red fox").with_n(2);

    let wire = client.generate_images_dry_run(&request).await?;

    assert_eq!(wire.method, "POST");
    assert_eq!(wire.url, format!("{}/v1/images/generations", server.uri()));
    assert_eq!(wire.body_json(), Some(serde_json::to_value(&request)?));
    assert_eq!(wire.header("content-type"), Some("application/json"));
    assert_eq!(wire.header("authorization"), Some("Bearer <redacted>"));
    for shown in [wire.to_string(), format!("{wire:?}")] {
        assert!(!shown.contains(KEY), "key leaked: {shown}");
    }
    assert!(server.received_requests().await.unwrap_or_default().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_multipart_dry_run_carries_the_form_as_it_would_be_streamed() -> TestResult {
    let server = server_expecting_nothing().await;
    let client = llmgateway_client(&server)?;
    let form =
        llmgateway::EditImageForm::new(vec![FilePart::from_bytes(PNG.to_vec()).with_file_name("cat.png")], "add a hat");

    let wire = client.edit_image_multipart_dry_run(&form).await?;

    assert!(wire.multipart_boundary().is_some(), "{:?}", wire.header("content-type"));
    let WireBody::Bytes(body) = &wire.body else { return Err(format!("body not captured: {:?}", wire.body).into()) };
    let contains = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(contains(PNG), "the file's bytes are in the body");
    assert!(contains(b"add a hat"), "the prompt is in the body");
    assert!(server.received_requests().await.unwrap_or_default().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_dry_run_of_an_invalid_request_fails_as_the_call_would() -> TestResult {
    let server = server_expecting_nothing().await;
    let client = llmgateway_client(&server)?;
    let request = llmgateway::GenerateImagesRequest::new("a fox").with_n(0);

    let result = client.generate_images_dry_run(&request).await;

    assert!(matches!(result, Err(Error::Validation(_))), "{result:?}");
    Ok(())
}

#[tokio::test]
async fn a_dry_run_client_still_answers_plain_calls_with_the_dry_run_error() -> TestResult {
    // The CLI's `--dry-run` builds such a client; the per-call dry run is the same request.
    let server = server_expecting_nothing().await;
    let client = llmgateway::Client::builder().api_key(KEY).base_url(server.uri()).dry_run(true).build()?;
    let request = llmgateway::GenerateImagesRequest::new("a fox");

    let Err(Error::DryRun(from_call)) = client.generate_images(&request).await else {
        return Err("expected Error::DryRun".into());
    };
    let from_dry_run = client.generate_images_dry_run(&request).await?;

    assert_eq!(from_call.body_json(), from_dry_run.body_json());
    assert_eq!(from_call.url, from_dry_run.url);
    Ok(())
}

#[test]
fn an_inline_image_from_bytes_takes_its_mime_type_from_the_content() -> TestResult {
    let inline = listenhub::InlineData::from_bytes(PNG.to_vec())?;

    assert_eq!(inline.mime_type, listenhub::ImageMimeType::ImagePng);
    assert_eq!(inline.data.as_bytes(), PNG);
    let wire = serde_json::to_value(&inline)?;
    assert_eq!(wire["mimeType"], "image/png");
    assert_eq!(wire["data"], imagegen::runtime::base64::encode(PNG));
    Ok(())
}

#[test]
fn a_gif_is_refused_where_the_docs_list_only_other_formats() {
    // ListenHub's MIME types are PNG, JPEG, WebP, HEIC and HEIF.
    let result = listenhub::InlineData::from_bytes(GIF.to_vec());

    let Err(InlineImageError::NotAccepted { mime_type, accepted }) = result else {
        panic!("expected a refusal, got {result:?}");
    };
    assert_eq!(mime_type, "image/gif");
    assert!(accepted.contains("image/png"), "{accepted}");
}

#[test]
fn bytes_of_no_known_image_format_are_refused() {
    let result = listenhub::InlineData::from_bytes(b"<html>not an image</html>".to_vec());

    assert!(matches!(result, Err(InlineImageError::UnknownFormat)), "{result:?}");
}

#[test]
fn an_inline_blob_from_a_file_takes_its_mime_type_from_the_content() -> TestResult {
    let dir = std::env::temp_dir().join(format!("imagegen-inline-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // The extension says PNG; the content is JPEG, and the content wins.
    let file = dir.join("photo.png");
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    std::fs::write(&file, jpeg)?;

    let blob = routerhub::Blob::from_path(&file);
    std::fs::remove_dir_all(&dir)?;
    let blob = blob?;

    assert_eq!(blob.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(blob.data.as_ref().map(|d| d.as_bytes()), Some(&jpeg[..]));
    Ok(())
}

/// Streamed calls have the same companions as single answers: `_with_response` keeps the
/// stream with its status and headers (the key scrubbed), `_dry_run` returns the request
/// a stream call would send (the flag set, `Accept: text/event-stream`) and sends nothing.
#[tokio::test]
async fn a_stream_call_has_its_response_head_and_its_dry_run() -> TestResult {
    use futures_util::StreamExt;
    use imagegen::octen;
    use imagegen::runtime::StreamReply;

    let server = MockServer::start().await;
    let events = "event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\"iVBORw0KGgo=\"}\n\n";
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .insert_header("x-request-id", "req-stream-1")
                .insert_header("x-echo", format!("Bearer {KEY}").as_str())
                .set_body_string(events),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = octen::Client::builder().api_key(KEY).base_url(server.uri()).max_retries(0).build()?;
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a fox");

    let wire = client.generate_images_stream_dry_run(request.clone()).await?;
    assert_eq!(wire.header("accept"), Some("text/event-stream"));
    assert_eq!(wire.body_json().and_then(|b| b.get("stream").cloned()), Some(json!(true)));
    assert!(!format!("{wire:?}").contains(KEY), "the dry run redacts the key");

    let response = client.generate_images_stream_with_response(request).await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req-stream-1"));
    let echoed = response.headers().get("x-echo").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(!echoed.contains(KEY), "an echoed key is scrubbed: {echoed}");
    let StreamReply::Events(stream) = response.into_value() else { panic!("expected events") };
    let events: Vec<_> = stream.collect().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].is_ok(), "{events:?}");
    Ok(())
}
