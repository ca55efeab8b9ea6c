//! Fields the spec does not describe: kept from responses, sent from requests
//! through an explicit escape hatch, refused when they would shadow a typed field.

use imagegen::runtime::{Constraint, Validate};
use imagegen::{listenhub, octen, routerhub};
use serde_json::json;

#[test]
fn a_response_keeps_every_field_the_spec_does_not_describe() {
    let body = json!({
        "id": "img-1",
        "created": 1749812456,
        "data": [{"b64_json": "aGk=", "moderation": {"flagged": false}}],
        "service_tier": "priority",
        "usage": {"input_tokens": 22, "output_tokens": 1056, "total_tokens": 1078, "cached_tokens": 4}
    });
    let response: octen::ImageGenerationResponse = serde_json::from_value(body).unwrap();
    assert_eq!(response.extra.get("service_tier"), Some(&json!("priority")));
    assert_eq!(response.data[0].extra.get("moderation"), Some(&json!({"flagged": false})));
    let usage = response.usage.as_ref().expect("typed usage");
    assert_eq!(usage.extra.get("cached_tokens"), Some(&json!(4)));
    // Serialized again, nothing is missing.
    let again = serde_json::to_value(&response).unwrap();
    assert_eq!(again["service_tier"], "priority");
    assert_eq!(again["data"][0]["moderation"]["flagged"], false);
    // `images()` needs no trait import.
    assert_eq!(response.images().len(), 1);
}

#[test]
fn extra_request_fields_are_sent_beside_the_typed_ones_at_any_level() {
    let image_config = routerhub::ImageConfig::new()
        .with_aspect_ratio(routerhub::AspectRatio::Ratio16x9)
        .with_extra("imageOutputOptions", json!({"mimeType": "image/jpeg", "compressionQuality": 75}));
    let content = routerhub::Content::user(vec![routerhub::Part::text("a lighthouse")]);
    let request = routerhub::GenerateContentRequest::new(vec![content])
        .with_generation_config(routerhub::GenerationConfig::new().with_image_config(image_config))
        .with_extra("labels", json!({"team": "design"}));
    assert!(request.validate().is_ok());
    let wire = serde_json::to_value(&request).unwrap();
    assert_eq!(wire["generationConfig"]["imageConfig"]["aspectRatio"], "16:9");
    assert_eq!(wire["generationConfig"]["imageConfig"]["imageOutputOptions"]["compressionQuality"], 75);
    assert_eq!(wire["labels"]["team"], "design");
}

#[test]
fn an_extra_field_that_names_a_typed_field_is_a_violation_at_its_path() {
    let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_image_config(listenhub::ImageConfig::new().with_extra("aspectRatio", "99:1"))
        .with_extra("prompt", "a dog");
    let err = request.validate().unwrap_err();
    let paths: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["imageConfig.aspectRatio", "prompt"]);
    assert!(err.violations().iter().all(|v| v.rule == Constraint::ExtraFieldCollision), "{err}");
}

#[test]
fn the_error_type_is_at_the_crate_root() {
    fn status(error: &imagegen::Error) -> Option<u16> {
        error.status()
    }
    let err = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, "a cat")
        .with_extra("prompt", "a dog")
        .validate()
        .map_err(imagegen::Error::from)
        .unwrap_err();
    assert_eq!(status(&err), None);
}
