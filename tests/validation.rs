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

#[test]
fn partial_images_without_stream_rejected() {
    let request =
        octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a cat").with_partial_images(2);
    let err = request.validate().unwrap_err();
    assert_eq!(violation_paths(&err), ["partial_images"]);

    let streamed = request.clone().with_stream(true);
    assert!(streamed.validate().is_ok());
}

#[test]
fn octen_ranges_mask_and_transparent_background() {
    let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a cat")
        .with_n(11)
        .with_output_compression(101)
        .with_mask(PNG_1X1)
        .with_background(octen::Background::Transparent);
    let err = request.validate().unwrap_err();
    let mut paths = violation_paths(&err);
    paths.sort();
    assert_eq!(paths, ["background", "mask", "n", "output_compression"]);
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
