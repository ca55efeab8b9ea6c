//! Stability AI through the generated `imagegen::stability` client on a local mock server:
//! an image answered as raw bytes with its typed `finish-reason` and `seed` headers, the
//! `accept` the caller picks, the documented client headers on every call, an async creative
//! upscale polled from `202` to `200` at the documented pace (without sleeping), and the
//! cross-field rules of Stable Diffusion 3.5 and outpaint checked before anything is sent, and
//! so are the documented sizes of uploaded images.

use imagegen::runtime::image::png_header;
use imagegen::runtime::{FilePart, JobState, JsonOrBinary, Validate};
use imagegen::stability::{
    AcceptImage, Client, ClientHeaders, EraseForm, FinishReason, GenerateSd3Form, GenerateUltraForm,
    GenerateUltraHeaders, GenerationMode, GetResultAnswer, OutpaintForm, UpscaleCreativeForm,
};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-not-real";
const ID: &str = "a6dc6c6e20acda010fe14d71f180658f2896ed9b4ec25aa99a6ff06c796987c4";
/// A PNG's signature and header chunk start: enough for the format to be recognised.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// A 1024x1024 upload, within every Stability limit.
fn upload(file_name: &str) -> FilePart {
    FilePart::from_bytes(png_header(1024, 1024)).with_file_name(file_name)
}

fn client(server: &MockServer) -> Client {
    Client::builder().api_key(KEY).base_url(server.uri()).build().expect("a client")
}

fn png_answer() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "image/png")
        .insert_header("finish-reason", "CONTENT_FILTERED")
        .insert_header("seed", "343940597")
        .insert_header("x-request-id", "req-0123")
        .set_body_bytes(PNG)
}

#[tokio::test]
async fn ultra_answers_the_image_bytes_with_typed_finish_reason_and_seed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/generate/ultra"))
        .and(header("authorization", "Bearer test-key-not-real"))
        .and(header("accept", "image/*"))
        .respond_with(png_answer())
        .expect(1)
        .mount(&server)
        .await;
    let form = GenerateUltraForm::new("Lighthouse on a cliff overlooking the ocean");

    let response = client(&server).generate_ultra_with_response(&form).await.expect("the image");

    let JsonOrBinary::Binary(image) = response.value() else { panic!("expected raw bytes: {:?}", response.value()) };
    assert_eq!(image.media_type(), Some("image/png"));
    assert_eq!(image.as_bytes(), PNG);
    let headers: GenerateUltraHeaders = response.typed_headers();
    assert_eq!(headers.finish_reason, Some(FinishReason::ContentFiltered));
    assert_eq!(headers.seed, Some(343940597));
    assert_eq!(headers.x_request_id.as_deref(), Some("req-0123"));
}

#[tokio::test]
async fn accept_json_gets_base64_json_and_the_client_headers_go_with_every_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/generate/ultra"))
        .and(header("accept", "application/json"))
        .and(header("stability-client-id", "my-awesome-app"))
        .and(header("stability-client-version", "1.2.1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            serde_json::to_vec(&json!({"image": "iVBORw0KGgo=", "seed": 7, "finish_reason": "SUCCESS"})).expect("json"),
            "application/json; type=image/png",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .client_id("my-awesome-app")
        .client_version("1.2.1")
        .build()
        .expect("a client");
    let form = GenerateUltraForm::new("A lighthouse").with_accept(AcceptImage::Json);

    let answer = client.generate_ultra(&form).await.expect("base64 JSON");

    let JsonOrBinary::Json(result) = answer else { panic!("expected JSON: {answer:?}") };
    assert_eq!(result.seed, Some(7));
    assert_eq!(result.finish_reason, Some(FinishReason::Success));
    assert_eq!(result.images().len(), 1);
}

#[tokio::test]
async fn a_creative_upscale_polls_202_until_the_200_image_every_ten_seconds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/upscale/creative"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ID})))
        .expect(1)
        .mount(&server)
        .await;
    let result_path = format!("/v2beta/results/{ID}");
    Mock::given(method("GET"))
        .and(path(&result_path))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"id": ID, "status": "in-progress"})))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path(&result_path)).respond_with(png_answer()).mount(&server).await;
    let form = UpscaleCreativeForm::new(
        upload("kitten-in-space.png"),
        "cute fluffy white kitten floating in space, pastel colors",
    );
    let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorded = std::sync::Arc::clone(&waits);
    let policy = Client::UPSCALE_CREATIVE_POLL_POLICY.with_sleep(move |wait| {
        recorded.lock().expect("waits").push(wait);
        async {}
    });
    let mut states = Vec::new();

    let answer = client(&server)
        .upscale_creative_and_wait_with(&form, &policy, |p| states.push((p.state, p.status.to_string())))
        .await
        .expect("the upscaled image");

    let GetResultAnswer::Finished(JsonOrBinary::Binary(image)) = answer else {
        panic!("expected the image: {answer:?}")
    };
    assert_eq!(image.as_bytes(), PNG);
    assert_eq!(
        states,
        [
            (JobState::Pending, "in_progress".to_string()),
            (JobState::Pending, "in_progress".to_string()),
            (JobState::Done, "finished".to_string()),
        ]
    );
    // "Rate-limiting or other errors may occur if you poll more than once every 10 seconds."
    let waits = waits.lock().expect("waits").clone();
    assert_eq!(waits, [std::time::Duration::from_secs(10); 2]);
}

#[test]
fn sd3_image_to_image_needs_image_and_strength_and_warns_about_aspect_ratio() {
    let missing = GenerateSd3Form::new("A lighthouse").with_mode(GenerationMode::ImageToImage);
    let error = missing.validate().expect_err("image and strength are required");
    let paths: Vec<String> = error.violations().iter().map(|v| v.path.clone()).collect();
    assert_eq!(paths, ["image", "strength"]);

    let ignored = GenerateSd3Form::new("A lighthouse")
        .with_mode(GenerationMode::ImageToImage)
        .with_image(upload("lighthouse.png"))
        .with_strength(0.6)
        .with_aspect_ratio(imagegen::stability::AspectRatio::Ratio16x9);
    let warnings = ignored.validate().expect("valid, with a warning");
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings.as_slice()[0].path, "aspect_ratio");
}

#[test]
fn sd3_cfg_scale_defaults_by_model_family() {
    use imagegen::stability::Sd3Model;
    let large = GenerateSd3Form::new("A lighthouse");
    assert_eq!(large.cfg_scale_or_default(), 4.0);
    let turbo = GenerateSd3Form::new("A lighthouse").with_model(Sd3Model::Sd35LargeTurbo);
    assert_eq!(turbo.cfg_scale_or_default(), 1.0);
}

#[test]
fn outpaint_needs_one_direction_above_zero() {
    let image = || upload("husky.png");
    assert!(OutpaintForm::new(image()).validate().is_err(), "no direction");
    assert!(OutpaintForm::new(image()).with_left(0).with_up(0).validate().is_err(), "only zeros");
    assert!(OutpaintForm::new(image()).with_down(200).validate().is_ok(), "one direction");
    assert!(OutpaintForm::new(image()).with_left(200).with_down(200).validate().is_ok(), "the docs' sample");
}

#[tokio::test]
async fn an_erase_image_below_64_pixels_a_side_is_refused_before_it_is_uploaded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/edit/erase"))
        .respond_with(png_answer())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let thin = EraseForm::new(FilePart::from_bytes(png_header(50, 4000)).with_file_name("thin.png"));

    let error = client.erase(&thin).await.expect_err("a 50-pixel side is refused");

    let imagegen::runtime::Error::Validation(error) = error else { panic!("a validation error, got {error:?}") };
    let messages: Vec<String> = error.violations().iter().map(ToString::to_string).collect();
    assert_eq!(messages, ["image: 50x4000 pixels: every side must be at least 64"]);
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing uploaded");

    client.erase(&EraseForm::new(upload("beach.png"))).await.expect("a 1024x1024 image is sent");
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 1);
}

#[test]
fn every_limit_an_outpaint_image_breaks_is_listed() {
    let huge = OutpaintForm::new(FilePart::from_bytes(png_header(10_000, 1_000))).with_left(100);
    let error = huge.validate().expect_err("too many pixels, too wide");
    let messages: Vec<String> = error.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "image: 10000x1000 pixels: 10,000,000 pixels in total, must be at most 9,437,184",
            "image: 10000x1000 pixels: aspect ratio 10:1 (10) is wider than 2.5:1",
        ]
    );
}

#[test]
fn an_upload_whose_size_cannot_be_read_is_sent_with_a_warning() {
    let unknown = EraseForm::new(FilePart::from_bytes(&b"not an image, but the server decides"[..]));
    let warnings = unknown.validate().expect("not refused");
    let [warning] = warnings.as_slice() else { panic!("one warning: {warnings:?}") };
    assert_eq!(warning.path, "image");
    assert!(matches!(warning.rule, imagegen::runtime::Constraint::ImageUnmeasured { .. }), "{warning:?}");
}

/// Stability's documented maximum request size: "413: Your request was larger than 10MiB".
const TEN_MIB: usize = 10 * 1024 * 1024;

/// A 1024x1024 PNG (its header, so the image's limits pass) padded to `len` bytes.
fn padded_upload(len: usize) -> FilePart {
    let mut bytes = png_header(1024, 1024);
    bytes.resize(len, 0);
    FilePart::from_bytes(bytes).with_file_name("big.png")
}

/// What an erase request adds around its image on the wire (form boundaries and part
/// headers), read from the `Content-Length` of a small request's dry run.
async fn erase_overhead(client: &Client) -> usize {
    let small = EraseForm::new(padded_upload(1000));
    let wire = client.erase_dry_run(&small).await.expect("a small request is fine");
    let length: usize = wire.header("content-length").expect("a form of known length").parse().expect("a number");
    length - 1000
}

#[tokio::test]
async fn an_upload_over_10_mib_is_refused_unsent_and_one_of_exactly_10_mib_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/edit/erase"))
        .respond_with(png_answer())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let image_len = TEN_MIB - erase_overhead(&client).await;

    let over = EraseForm::new(padded_upload(image_len + 1));
    let error = client.erase(&over).await.expect_err("one byte over 10 MiB is refused");
    let imagegen::runtime::Error::Validation(error) = error else { panic!("a validation error, got {error:?}") };
    let messages: Vec<String> = error.violations().iter().map(ToString::to_string).collect();
    assert_eq!(messages, ["the request body is 10,485,761 bytes; the server takes at most 10,485,760 (10 MiB)"]);
    assert_eq!(
        error.violations()[0].rule,
        imagegen::runtime::Constraint::RequestSize { max: TEN_MIB as u64, actual: TEN_MIB as u64 + 1 }
    );
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing uploaded");
    // The dry run fails as the call would, before its body is drained.
    let dry = client.erase_dry_run(&over).await.expect_err("the dry run refuses it too");
    assert!(matches!(&dry, imagegen::runtime::Error::Validation(e) if e.violations() == error.violations()), "{dry:?}");

    client.erase(&EraseForm::new(padded_upload(image_len))).await.expect("exactly 10 MiB is sent");
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1);
    // The size measured before sending is the size the server read.
    assert_eq!(received[0].body.len(), TEN_MIB, "the body the server received");
}

#[tokio::test]
async fn an_oversized_upload_with_a_field_violation_lists_both_and_is_not_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(png_answer()).expect(0).mount(&server).await;
    let client = client(&server);
    // No direction to outpaint in, and 12 MiB of image.
    let form = OutpaintForm::new(padded_upload(12 * 1024 * 1024));

    let error = client.outpaint(&form).await.expect_err("refused");

    let imagegen::runtime::Error::Validation(error) = error else { panic!("a validation error, got {error:?}") };
    let rules: Vec<_> = error.violations().iter().map(|v| &v.rule).collect();
    assert_eq!(rules.len(), 2, "{error}");
    assert!(!matches!(rules[0], imagegen::runtime::Constraint::RequestSize { .. }), "the field's first: {error}");
    assert!(
        matches!(rules[1], imagegen::runtime::Constraint::RequestSize { max, actual } if *max == TEN_MIB as u64 && *actual > 12 * 1024 * 1024),
        "then the size: {error}"
    );
    assert!(error.to_string().contains("the server takes at most 10,485,760 (10 MiB)"), "{error}");
}
