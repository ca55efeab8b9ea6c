//! Requests the docs say the server would reject are refused by the generated
//! clients before any network call, with every violation listed.

use imagegen::runtime::{Base64Data, Constraint, Error, Validate};
use imagegen::{listenhub, llmgateway, octen};
use wiremock::MockServer;

const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

fn png() -> Base64Data {
    Base64Data::decode(PNG_1X1).unwrap()
}

fn inline_reference() -> listenhub::ReferenceImage {
    listenhub::ReferenceImage::InlineData(listenhub::InlineData::new(png(), listenhub::ImageMimeType::ImagePng))
}

fn url_reference(url: &str) -> listenhub::ReferenceImage {
    listenhub::ReferenceImage::FileData(listenhub::FileData::new(url, listenhub::ImageMimeType::ImageJpeg))
}

fn violation_paths(err: &imagegen::runtime::ValidationError) -> Vec<&str> {
    err.violations().iter().map(|v| v.path.as_str()).collect()
}

#[test]
fn fifteen_reference_images_rejected_for_gemini() {
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_reference_images(vec![inline_reference(); 15]);
    let err = request.validate().unwrap_err();
    assert_eq!(violation_paths(&err), ["referenceImages"]);
    assert_eq!(err.violations()[0].rule, Constraint::ItemCount { min: None, max: Some(14), actual: 15 });
    assert!(err.violations()[0].message.contains("gemini-3-pro-image"), "{err}");

    let fourteen = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_reference_images(vec![inline_reference(); 14]);
    assert!(fourteen.validate().is_ok());
}

#[test]
fn five_reference_images_rejected_for_gpt_image_2() {
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Openai, "a cat")
        .with_model(listenhub::ImageModel::GptImage2)
        .with_reference_images(vec![inline_reference(); 5]);
    let err = request.validate().unwrap_err();
    assert_eq!(err.violations()[0].rule, Constraint::ItemCount { min: None, max: Some(4), actual: 5 });
}

#[test]
fn ratio_1_8_rejected_with_the_pro_model_but_not_with_flash() {
    let config = listenhub::ImageConfig::new().with_aspect_ratio(listenhub::AspectRatio::Ratio1x8);
    let pro = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a tall tower")
        .with_image_config(config.clone());
    let err = pro.validate().unwrap_err();
    assert_eq!(violation_paths(&err), ["imageConfig.aspectRatio"]);
    assert!(matches!(&err.violations()[0].rule, Constraint::AllowedValues { actual, .. } if actual == "1:8"));

    let flash = pro.with_model(listenhub::ImageModel::Gemini3_1FlashImage);
    assert!(flash.validate().is_ok());
}

#[test]
fn ftp_reference_url_rejected() {
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_reference_images(vec![
            url_reference("https://example.com/a.jpg"),
            url_reference("ftp://example.com/b.jpg"),
        ]);
    let err = request.validate().unwrap_err();
    assert_eq!(violation_paths(&err), ["referenceImages[1].fileData.fileUri"]);
    assert!(matches!(err.violations()[0].rule, Constraint::UrlScheme { .. }));
}

#[test]
fn gpt_image_2_requires_provider_openai() {
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_model(listenhub::ImageModel::GptImage2);
    let err = request.validate().unwrap_err();
    assert_eq!(violation_paths(&err), ["provider"]);
}

#[test]
fn every_violation_is_listed_at_once() {
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_model(listenhub::ImageModel::GptImage2)
        .with_image_config(listenhub::ImageConfig::new().with_aspect_ratio(listenhub::AspectRatio::Ratio8x1))
        .with_reference_images(vec![
            url_reference("ftp://x/1.png"),
            inline_reference(),
            inline_reference(),
            inline_reference(),
            inline_reference(),
        ]);
    let err = request.validate().unwrap_err();
    let mut paths = violation_paths(&err);
    paths.sort();
    assert_eq!(
        paths,
        ["imageConfig.aspectRatio", "provider", "referenceImages", "referenceImages[0].fileData.fileUri"]
    );
    let text = err.to_string();
    assert!(text.starts_with("invalid request (4 violations):"), "{text}");
}

fn warning_texts(warnings: &imagegen::runtime::Warnings) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

/// The docs say previews are "effective only when stream=true": the server ignores
/// them, so the request is valid and the caller gets the reason as a warning.
#[test]
fn partial_images_without_stream_is_a_warning_not_a_refusal() {
    let request =
        octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a cat").with_partial_images(2);
    let warnings = request.validate().expect("the docs say the server accepts it");
    assert_eq!(
        warning_texts(&warnings),
        ["partial_images: Partial images are effective only when stream=true (stream defaults to false)."]
    );

    let streamed = request.clone().with_stream(true);
    assert!(streamed.validate().expect("valid").is_empty());
}

#[test]
fn mask_without_image_is_a_warning_and_with_image_none() {
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a cat").with_mask(PNG_1X1);
    let warnings = request.validate().expect("the docs say the server accepts it");
    assert_eq!(warning_texts(&warnings), ["mask: The mask is effective only when image is provided."]);
    assert!(matches!(warnings.as_slice()[0].rule, Constraint::ForbiddenBy { .. }));

    let with_image = request.with_image(imagegen::runtime::OneOrMany::One(PNG_1X1.to_string()));
    assert!(with_image.validate().expect("valid").is_empty());
}

/// "Parameters marked (GPT only) or (Gemini only) apply only to those model families;
/// unsupported parameters are ignored."
#[test]
fn gpt_only_parameters_warn_with_a_gemini_model() {
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::GoogleGemini3ProImage, "a cat")
        .with_quality(octen::Quality::High)
        .with_output_format(octen::OutputFormat::Webp);
    let warnings = request.validate().expect("ignored parameters are no reason to refuse");
    let paths: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(paths, ["output_format", "quality"]);
    assert!(matches!(
        &warnings.as_slice()[1].rule,
        Constraint::ModelFamily { families, model } if families == &["gpt"] && model == "google/gemini-3-pro-image"
    ));

    let mut gpt = request;
    gpt.model = octen::ImageModel::OpenaiGptImage2;
    assert!(gpt.validate().expect("valid").is_empty(), "GPT models use both");
}

#[test]
fn octen_ranges_and_transparent_background_are_still_refused() {
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a cat")
        .with_n(11)
        .with_output_compression(101)
        .with_mask(PNG_1X1)
        .with_background(octen::Background::Transparent);
    let err = request.validate().unwrap_err();
    let mut paths = violation_paths(&err);
    paths.sort();
    assert_eq!(paths, ["background", "n", "output_compression"]);
    // The ignored mask and compression are warnings beside the violations, not among them.
    let warned: Vec<&str> = err.warnings().iter().map(|w| w.path.as_str()).collect();
    assert_eq!(warned, ["mask", "output_compression"]);
}

/// The generated client hands a valid request's warnings to its observer before sending.
#[tokio::test]
async fn the_client_reports_warnings_to_its_observer_and_sends() {
    use std::sync::{Arc, Mutex};

    use imagegen::runtime::{HttpEvent, Observer};

    let server = MockServer::start().await;
    let answer = serde_json::json!({
        "id": "img-1", "created": 1, "data": [{ "b64_json": PNG_1X1 }], "usage": { "total_tokens": 1 }
    });
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    let events: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&events);
    let observer = Observer::new(move |event| {
        let entry = match event {
            HttpEvent::Warning { operation, warning } => format!("warning {operation} {warning}"),
            HttpEvent::Request { .. } => "request".to_string(),
            _ => return,
        };
        seen.lock().unwrap().push(entry);
    });
    let client = octen::Client::builder()
        .api_key("test-key-not-real")
        .base_url(server.uri())
        .observer(observer)
        .build()
        .unwrap();
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a cat").with_mask(PNG_1X1);
    let response = client.generate_images(&request).await.expect("the request is sent and answered");
    assert_eq!(response.id.as_deref(), Some("img-1"));
    assert_eq!(
        *events.lock().unwrap(),
        ["warning generate_images mask: The mask is effective only when image is provided.", "request"]
    );
}

#[test]
fn octen_aliases_parse_to_the_canonical_model() {
    let model: octen::ImageModel = "nano-banana-pro".parse().unwrap();
    assert_eq!(model.as_str(), "google/gemini-3-pro-image");
    let model: octen::ImageModel = "nano-banana-2".parse().unwrap();
    assert_eq!(model.as_str(), "google/gemini-3.1-flash-image");
}

#[test]
fn llmgateway_edit_urls_must_be_https_or_data() {
    let body = serde_json::json!({
        "prompt": "watercolor",
        "images": [
            {"image_url": "https://example.com/a.png"},
            {"image_url": format!("data:image/png;base64,{PNG_1X1}")},
            {"image_url": "http://example.com/b.png"}
        ]
    });
    let request: llmgateway::EditImageRequest = serde_json::from_value(body).unwrap();
    let err = request.validate().unwrap_err();
    assert_eq!(violation_paths(&err), ["images[2].image_url"]);
}

#[test]
fn llmgateway_n_must_be_between_1_and_10() {
    let request = llmgateway::GenerateImagesRequest::new("a cat").with_n(0);
    let err = request.validate().unwrap_err();
    assert_eq!(err.violations()[0].rule, Constraint::Range { min: Some(1.0), max: Some(10.0), actual: 0.0 });
}

#[tokio::test]
async fn invalid_request_never_reaches_the_server() {
    let server = MockServer::start().await;
    let client = listenhub::Client::builder().base_url(server.uri()).api_key("test-key").build().unwrap();
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_reference_images(vec![inline_reference(); 15]);
    let err = client.generate_image(&request).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.is_empty(), "{} requests reached the server", received.len());
}

#[tokio::test]
async fn octen_stream_flag_on_the_plain_call_is_refused() {
    let server = MockServer::start().await;
    let client = octen::Client::builder().base_url(server.uri()).api_key("test-key").build().unwrap();
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a cat").with_stream(true);
    let err = client.generate_images(&request).await.unwrap_err();
    let Error::Validation(v) = err else { panic!("expected a validation error") };
    assert_eq!(violation_paths(&v), ["stream"]);
    assert!(server.received_requests().await.unwrap_or_default().is_empty());
}

#[test]
fn octen_image_must_be_base64_or_a_data_url() {
    let images = vec![format!("data:image/png;base64,{PNG_1X1}"), PNG_1X1.to_string(), "not base64!".to_string()];
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "edit this")
        .with_image(imagegen::runtime::OneOrMany::Many(images));
    let err = request.validate().unwrap_err();
    assert_eq!(violation_paths(&err), ["image[2]"]);
}

#[test]
#[allow(deprecated)]
fn code_written_against_the_v1_model_names_still_compiles() {
    let model = listenhub::ImageModel::Gemini3ProImagePreview;
    assert_eq!(model.as_str(), "gemini-3-pro-image", "the retired name is sent under the current one");
    let parsed: listenhub::ImageModel = "gemini-3.1-flash-image-preview".parse().unwrap();
    let matched = match parsed {
        listenhub::ImageModel::Gemini3_1FlashImagePreview => "flash",
        _ => "other",
    };
    assert_eq!(matched, "flash");
}
