//! Multipart uploads, read back by a server-side parser.

mod support;

use std::convert::Infallible;

use bytes::Bytes;
use imagegen_runtime::error::EncodeError;
use imagegen_runtime::{Error, FilePart, MultipartForm};
use serde_json::{json, Value};
use support::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake png bytes \r\n--not-a-boundary\r\n";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0 fake jpeg \0\xFF";

#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Bytes,
}

async fn read_parts(request: &wiremock::Request) -> Vec<Part> {
    let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = multer::parse_boundary(content_type).expect("multipart content type with a boundary");
    let body = Bytes::from(request.body.clone());
    let mut multipart =
        multer::Multipart::new(futures_util::stream::once(async move { Ok::<_, Infallible>(body) }), boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.expect("well-formed multipart") {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let bytes = field.bytes().await.expect("part body");
        parts.push(Part { name, file_name, content_type, bytes });
    }
    parts
}

fn edit_form() -> MultipartForm {
    let mut form = MultipartForm::new();
    form.push_text("prompt", "Put the cat in a hat — with ünïcödé");
    form.push_text("model", "gpt-image-2");
    form.push_file("image[]", &FilePart::from_bytes(Bytes::from_static(PNG)).with_file_name("cat.png"));
    form.push_file("image[]", &FilePart::from_bytes(Bytes::from_static(JPEG)).with_file_name("hat.jpg"));
    form.push_file(
        "mask",
        &FilePart::from_bytes(Bytes::from_static(PNG)).with_file_name("mask.bin").with_mime_type("image/png"),
    );
    form
}

fn text(value: &str) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(value.as_bytes()))
}

#[tokio::test]
async fn multipart_parts_read_back_with_names_file_names_mime_types_and_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let _: Value = client.http.send_multipart(&GENERATE, "/v1/images/edits", &edit_form()).await.expect("sent");
    let received = server.received_requests().await.expect("recording on");
    assert!(received[0].headers.get("content-length").is_some(), "upload has a known length, not chunked");
    let parts = read_parts(&received[0]).await;
    let summary: Vec<_> =
        parts.iter().map(|p| (p.name.as_str(), p.file_name.as_deref(), p.content_type.as_deref())).collect();
    assert_eq!(
        summary,
        [
            ("prompt", None, None),
            ("model", None, None),
            ("image[]", Some("cat.png"), Some("image/png")),
            ("image[]", Some("hat.jpg"), Some("image/jpeg")),
            ("mask", Some("mask.bin"), Some("image/png")),
        ]
    );
    assert_eq!(Some(parts[0].bytes.clone()), text("Put the cat in a hat — with ünïcödé"));
    assert_eq!(parts[2].bytes, PNG);
    assert_eq!(parts[3].bytes, JPEG);
    assert_eq!(parts[4].bytes, PNG);
}

#[tokio::test]
async fn multipart_form_without_a_mask_has_no_mask_part() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let (client, _) = client(&server.uri());
    let mut form = MultipartForm::new();
    form.push_text("prompt", "p");
    form.push_file("image", &FilePart::from_bytes(Bytes::from_static(PNG)).with_file_name("a.png"));
    let _: Value = client.http.send_multipart(&GENERATE, "/edit", &form).await.expect("sent");
    let parts = read_parts(&server.received_requests().await.expect("recording on")[0]).await;
    assert_eq!(parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["prompt", "image"]);
}

#[tokio::test]
async fn multipart_form_is_rebuilt_identically_for_a_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let (client, waits) = client(&server.uri());
    let _: Value = client.http.send_multipart(&GENERATE, "/edit", &edit_form()).await.expect("second attempt succeeds");
    let received = server.received_requests().await.expect("recording on");
    assert_eq!(received.len(), 2);
    assert_eq!(waits.get().len(), 1);
    assert_eq!(read_parts(&received[0]).await, read_parts(&received[1]).await);
    assert_eq!(read_parts(&received[1]).await.len(), 5);
}

#[tokio::test]
async fn invalid_mime_type_is_an_encode_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let (client, _) = client(&server.uri());
    let mut form = MultipartForm::new();
    form.push_file(
        "image",
        &FilePart::from_bytes(Bytes::from_static(PNG)).with_file_name("a.png").with_mime_type("not a mime"),
    );
    let err = client.http.send_multipart::<Value>(&GENERATE, "/edit", &form).await.expect_err("bad MIME");
    assert!(matches!(err, Error::Encode(EncodeError::MimeType { ref part, .. }) if part == "image"), "{err:?}");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

#[test]
fn multipart_form_shares_file_bytes_instead_of_copying() {
    let payload = Bytes::from(vec![7u8; 1024]);
    let mut form = MultipartForm::new();
    form.push_file("image", &FilePart::from_bytes(payload.clone()).with_file_name("a.bin"));
    let stored = form.files("image").next().expect("file part");
    assert_eq!(stored.bytes.as_ptr(), payload.as_ptr());
    assert_eq!(form.len(), 1);
    assert!(format!("{form:?}").contains("len: 1024"));
}
