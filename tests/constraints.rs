//! Richer constraints, through the snapshot specs' compiled modules: `pattern` and
//! `multiple_of` on fields (`patterns_and_steps`), limits that depend on the request or
//! the model (`model_limits`), conditions that combine others (`conditions`), defaults
//! that depend on the request (`conditional_defaults`) and `null` as a value of its own
//! (`nullable`), and an image's geometry (`geometry_limits`: aspect-ratio ranges, products
//! of width × height, lengths of URLs), an uploaded image's own size (`image_limits`) and
//! the size of a whole request body (`request_size`).

use imagegen::runtime::{Constraint, Nullable, Validate};
use imagegen_snapshot_compiled::{
    conditional_defaults, conditions, geometry_limits, image_limits, model_limits, nullable, patterns_and_steps,
    request_size,
};
use serde_json::json;

/// Every violation as `path: message`.
fn violations(request: &impl Validate) -> Vec<String> {
    match request.validate() {
        Ok(_) => Vec::new(),
        Err(e) => e.violations().iter().map(ToString::to_string).collect(),
    }
}

/// Every warning of a valid request as `path: message`.
fn warnings(request: &impl Validate) -> Vec<String> {
    match request.validate() {
        Ok(warnings) => warnings.iter().map(ToString::to_string).collect(),
        Err(e) => panic!("expected a valid request, got {e}"),
    }
}

#[test]
fn a_style_id_off_the_documented_pattern_is_refused_with_the_pattern() {
    use patterns_and_steps::RenderRequest;
    let bad = RenderRequest::new("a lighthouse").with_style_id("Watercolor 2");
    let err = bad.validate().expect_err("uppercase and a space break the pattern");
    assert_eq!(err.violations()[0].path, "style_id");
    assert_eq!(err.violations()[0].rule, Constraint::Pattern { pattern: "^[a-z0-9-]{3,32}$".to_string() });
    assert_eq!(err.violations()[0].message, "does not match the pattern `^[a-z0-9-]{3,32}$`");
    assert!(RenderRequest::new("a lighthouse").with_style_id("watercolor-2").validate().is_ok());
}

#[test]
fn each_tag_of_an_array_is_held_to_the_pattern_at_its_index() {
    let request = patterns_and_steps::RenderRequest::new("a lighthouse").with_tags(vec![
        "#sea".to_string(),
        "dusk".to_string(),
        "#Sky".to_string(),
    ]);
    assert_eq!(
        violations(&request),
        ["tags[1]: does not match the pattern `^#[a-z]+$`", "tags[2]: does not match the pattern `^#[a-z]+$`"]
    );
}

#[test]
fn steps_and_guidance_off_their_step_are_refused() {
    let request = patterns_and_steps::RenderRequest::new("a lighthouse").with_steps(30).with_guidance(3.25);
    assert_eq!(violations(&request), ["steps: 30 is not a multiple of 4", "guidance: 3.25 is not a multiple of 0.5"]);
    let fine = patterns_and_steps::RenderRequest::new("a lighthouse").with_steps(28).with_guidance(3.5);
    assert!(fine.validate().is_ok());
}

#[test]
fn a_height_the_server_rounds_is_sent_with_a_warning() {
    let request = patterns_and_steps::RenderRequest::new("a lighthouse").with_width(1440).with_height(810);
    assert_eq!(
        warnings(&request),
        ["height: 810 is not a multiple of 16 (Output dimensions are always multiples of 16; the server rounds other \
          sizes.)"]
    );
}

#[test]
fn the_prompt_length_and_width_limits_come_from_the_selected_model() {
    use model_limits::{GenerateRequest, ImageModel};
    let long = "a".repeat(1001);
    let mini = GenerateRequest::new(long.clone())
        .with_model(ImageModel::Mini)
        .with_width(1100)
        .with_reference_images(Vec::new());
    assert_eq!(
        violations(&mini),
        [
            "prompt: length 1001 is out of range <= 1000 (model `mini`)",
            "width: 1100 is out of range <= 1024 (model `mini`)",
            "width: 1100 is not a multiple of 64 (model `mini`)",
            "reference_images: 0 items, at least 1 required (model `mini`)",
        ]
    );
    // Unset, the model is the table's default, `pro`, whose limits are wider.
    let pro = GenerateRequest::new(long).with_width(1104).with_reference_images(Vec::new());
    assert!(pro.validate().is_ok(), "{:?}", violations(&pro));
}

#[test]
fn fixed_bounds_apply_only_under_their_condition() {
    use model_limits::{GenerateRequest, Quality};
    let final_render = GenerateRequest::new("a lighthouse").with_quality(Quality::Final).with_guidance(12.0);
    assert_eq!(
        violations(&final_render),
        ["guidance: 12 is out of range <= 10 (Final renders take a guidance of at most 10.)"]
    );
    let draft = GenerateRequest::new("a lighthouse").with_quality(Quality::Draft).with_guidance(12.0);
    assert!(draft.validate().is_ok());
    let long_negative =
        GenerateRequest::new("a lighthouse").with_quality(Quality::Draft).with_negative_prompt("x".repeat(201));
    assert_eq!(warnings(&long_negative).len(), 1, "a warning rule on a string length warns");
}

#[test]
fn any_of_lets_a_mask_through_with_either_kind_of_image() {
    use conditions::EditRequest;
    let bare = EditRequest::new("remove the boat").with_mask("https://example.com/mask.png");
    assert_eq!(violations(&bare), ["mask: A mask needs an image to apply to, by URL or by id."]);
    assert!(bare.clone().with_image_id("img-1").validate().is_ok());
    assert!(bare.clone().with_image("https://example.com/boat.png").validate().is_ok());
    let both = bare.with_image("https://example.com/boat.png").with_image_id("img-1");
    assert_eq!(violations(&both), ["image_id: Give the image by URL or by id, not both."]);
}

#[test]
fn not_and_all_of_combine_with_a_family_test() {
    use conditions::{EditRequest, Format, ImageModel};
    let gpt = EditRequest::new("a boat").with_model(ImageModel::GptImage).with_previews(2);
    assert_eq!(violations(&gpt), ["previews: Previews are streamed, so they need `stream` set."]);
    assert!(gpt.clone().with_stream(true).validate().is_ok(), "not (stream is true) no longer holds");
    // Gemini with png: neither alternative of the any_of holds.
    let gemini = EditRequest::new("a boat").with_format(Format::Png).with_previews(2);
    assert!(gemini.validate().is_ok());
    let compressed_png = EditRequest::new("a boat").with_format(Format::Png).with_compression(80);
    assert_eq!(warnings(&compressed_png), ["compression: Compression applies to jpeg and webp only."]);
    assert!(warnings(&compressed_png.with_format(Format::Webp)).is_empty());
}

#[test]
fn the_model_defaults_to_dall_e_2_unless_a_gpt_parameter_is_set() {
    use conditional_defaults::{Background, GenerateRequest, ImageModel, ResponseFormat};
    let plain = GenerateRequest::new("a lighthouse");
    assert_eq!(plain.model_or_default(), ImageModel::DallE2);
    let with_background = plain.clone().with_background(Background::Transparent);
    assert_eq!(with_background.model_or_default(), ImageModel::GptImage1);
    assert_eq!(with_background.clone().with_model(ImageModel::DallE3).model_or_default(), ImageModel::DallE3);
    // The model rules read the same default: gpt-image-1 rejects URLs.
    let urls = with_background.with_response_format(ResponseFormat::Url);
    assert_eq!(violations(&urls)[0], "response_format: model `gpt-image-1` does not accept `response_format` = `url`");
    assert!(plain.with_response_format(ResponseFormat::Url).validate().is_ok(), "dall-e-2 returns URLs");
}

#[test]
fn defaults_follow_the_model_the_request_names() {
    use conditional_defaults::{GenerateRequest, ImageModel};
    let plain = GenerateRequest::new("a lighthouse");
    assert_eq!(plain.guidance_or_default(), 4.0);
    assert_eq!(plain.style_or_default(), "vivid", "the condition reads the model the request sets, not a default");
    let dalle3 = plain.clone().with_model(ImageModel::DallE3);
    assert_eq!(dalle3.guidance_or_default(), 1.0);
    assert_eq!(plain.clone().with_model(ImageModel::DallE2).style_or_default(), "natural");
    assert_eq!(dalle3.with_guidance(7.0).guidance_or_default(), 7.0);
    assert_eq!(
        violations(&plain.with_model(ImageModel::DallE3).with_n(2)),
        ["n: 2 is out of range <= 1 (model `dall-e-3`)"]
    );
}

#[test]
fn a_moderated_job_keeps_its_null_result_apart_from_a_missing_one() {
    use nullable::{PollResponse, Status};
    let moderated: PollResponse = serde_json::from_value(
        json!({"id": "t1", "status": "Request Moderated", "result": null, "progress": null, "warnings": []}),
    )
    .expect("a null result parses");
    assert_eq!(moderated.status, Some(Status::RequestModerated));
    assert!(moderated.result.is_null());
    assert!(moderated.progress.is_null());
    let missing: PollResponse = serde_json::from_value(json!({"id": "t1", "status": "Pending"})).expect("tolerated");
    assert!(missing.result.is_absent());
    assert!(missing.progress.is_absent());
    let ready: PollResponse = serde_json::from_value(
        json!({"id": "t1", "status": "Ready", "result": {"sample": "https://x/s.png"}, "progress": 1, "warnings": null}),
    )
    .expect("a ready job parses");
    assert_eq!(ready.result.value().map(|r| r.sample.as_deref()), Some(Some("https://x/s.png")));
    assert_eq!(ready.progress, Nullable::Value(1.0));
    assert!(ready.warnings.is_empty(), "a required list sent as null reads as empty");
    // What was read is written back as it came: null stays null, absent stays absent.
    assert_eq!(serde_json::to_value(&missing).unwrap(), json!({"id": "t1", "status": "Pending", "warnings": []}));
    assert_eq!(serde_json::to_value(&moderated).unwrap()["result"], json!(null));
}

#[test]
fn a_request_sends_null_only_where_the_caller_puts_it() {
    use nullable::SubmitRequest;
    let chosen_by_server = SubmitRequest::new("a lighthouse", None);
    assert_eq!(serde_json::to_value(&chosen_by_server).unwrap(), json!({"prompt": "a lighthouse", "seed": null}));
    let mut cleared = SubmitRequest::new("a lighthouse", Some(7));
    cleared.webhook_url = Nullable::Null;
    assert_eq!(
        serde_json::to_value(&cleared).unwrap(),
        json!({"prompt": "a lighthouse", "seed": 7, "webhook_url": null})
    );
    let insecure = SubmitRequest::new("a lighthouse", None).with_webhook_url("http://example.com/hook");
    assert_eq!(violations(&insecure), ["webhook_url: expected a URL with scheme https, got scheme `http`"]);
}

#[test]
fn a_required_nullable_key_must_be_there_even_as_null() {
    use nullable::SubmitRequest;
    let without_seed: SubmitRequest = serde_json::from_value(json!({"prompt": "a lighthouse"})).expect("parses");
    assert!(without_seed.seed.is_absent());
    assert_eq!(violations(&without_seed), ["seed: required field is missing"]);
    let null_seed: SubmitRequest = serde_json::from_value(json!({"prompt": "a lighthouse", "seed": null})).unwrap();
    assert!(null_seed.validate().is_ok());
}

#[test]
fn an_aspect_ratio_outside_21_9_to_9_21_is_refused_with_the_range() {
    use geometry_limits::RenderRequest;
    for fine in ["21:9", "9:21", "16:9", "1:1", "2.5:1.5"] {
        assert!(RenderRequest::new("a fox").with_aspect_ratio(fine).validate().is_ok(), "{fine}");
    }
    let wide = RenderRequest::new("a fox").with_aspect_ratio("22:9");
    let err = wide.validate().expect_err("wider than 21:9");
    assert_eq!(err.violations()[0].path, "aspect_ratio");
    assert_eq!(
        err.violations()[0].rule,
        Constraint::AspectRatio { min: "9:21".into(), max: "21:9".into(), actual: "22:9".into() }
    );
    assert_eq!(violations(&wide), ["aspect_ratio: aspect ratio `22:9` is outside 21:9 to 9:21"]);
    assert_eq!(
        violations(&RenderRequest::new("a fox").with_aspect_ratio("wide")),
        ["aspect_ratio: `wide` is not an aspect ratio `W:H` (between 21:9 and 9:21)"]
    );
    assert_eq!(violations(&RenderRequest::new("a fox").with_aspect_ratio("0:1")).len(), 1, "a zero side is no ratio");
}

#[test]
fn each_crop_ratio_of_a_list_is_held_to_its_range_at_its_index() {
    let request = geometry_limits::RenderRequest::new("a fox").with_crop_ratios(vec![
        "1:2.5".to_string(),
        "1:3".to_string(),
        "3:1".to_string(),
    ]);
    assert_eq!(
        violations(&request),
        [
            "crop_ratios[1]: aspect ratio `1:3` is outside 2.5:1 to 1:2.5",
            "crop_ratios[2]: aspect ratio `3:1` is outside 2.5:1 to 1:2.5"
        ]
    );
}

#[test]
fn a_pixel_count_outside_its_bounds_names_both_fields_and_the_product() {
    use geometry_limits::RenderRequest;
    let big = RenderRequest::new("a fox").with_width(4096).with_height(4096);
    let err = big.validate().expect_err("16.7 MP is above 9,437,184 pixels");
    assert_eq!(err.violations().len(), 1);
    let violation = &err.violations()[0];
    assert_eq!(violation.path, "width");
    assert_eq!(
        violation.rule,
        Constraint::Product {
            fields: vec!["width".into(), "height".into()],
            min: Some(4096.0),
            max: Some(9437184.0),
            actual: 16777216.0
        }
    );
    assert_eq!(
        violation.message,
        "width 4096 × height 4096 = 16777216 is out of range 4096..=9437184 (The total pixel count must be between \
         4,096 and 9,437,184.)"
    );
    let small = RenderRequest::new("a fox").with_width(64).with_height(63);
    assert_eq!(violations(&small).len(), 2, "height below its minimum, and 4,032 pixels: {:?}", violations(&small));
    assert!(RenderRequest::new("a fox").with_width(3072).with_height(3072).validate().is_ok(), "exactly 9,437,184");
    // Checked only when every factor is set.
    assert!(RenderRequest::new("a fox").with_width(100_000).validate().is_ok());
}

#[test]
fn an_upscaled_product_the_server_resizes_is_a_warning_under_its_condition() {
    use geometry_limits::RenderRequest;
    let request = RenderRequest::new("a fox").with_width(3072).with_height(3072).with_scale(2.0);
    assert!(warnings(&request).is_empty(), "no warning without `upscale: true`");
    assert_eq!(
        warnings(&request.with_upscale(true)),
        ["width: width 3072 × height 3072 × scale 2 = 18874368 is out of range <= 16777216 (Upscaled images are at \
          most 16 megapixels; larger ones are resized.)"]
    );
}

#[test]
fn url_and_data_url_lengths_are_checked_like_strings() {
    use geometry_limits::RenderRequest;
    let request = RenderRequest::new("a fox")
        .with_callback_url("https://a.b")
        .with_references(vec![format!("data:image/png;base64,{}", "A".repeat(4096))]);
    assert_eq!(
        violations(&request),
        ["callback_url: length 11 is out of range 12..=2083", "references[0]: length 4118 is out of range <= 4096"]
    );
    let long = RenderRequest::new("a fox").with_callback_url(format!("https://example.com/{}", "a".repeat(2064)));
    assert_eq!(violations(&long), ["callback_url: length 2084 is out of range 12..=2083"]);
}

#[test]
fn bfl_kontext_refuses_a_ratio_outside_its_range_and_warns_past_4_megapixels_on_flux_2() {
    use imagegen::bfl::{Flux2Inputs, FluxKontextProInputs};
    let kontext = FluxKontextProInputs::new("a fox").with_aspect_ratio("3:1");
    assert_eq!(violations(&kontext), ["aspect_ratio: aspect ratio `3:1` is outside 21:9 to 9:21"]);
    let flux2 = Flux2Inputs::new("a fox").with_width(2560).with_height(2048);
    assert_eq!(warnings(&flux2).len(), 1, "{:?}", warnings(&flux2));
    assert!(warnings(&flux2)[0].contains("= 5242880"), "{:?}", warnings(&flux2));
    assert!(warnings(&Flux2Inputs::new("a fox").with_width(2048).with_height(2048)).is_empty());
}

#[tokio::test]
async fn a_request_breaking_a_geometry_limit_is_never_sent() {
    use geometry_limits::{Client, RenderRequest};
    let server = wiremock::MockServer::start().await;
    let client = Client::builder().api_key("test-key").base_url(server.uri()).build().expect("a client");
    let request = RenderRequest::new("a fox")
        .with_aspect_ratio("3:1")
        .with_width(4096)
        .with_height(4096)
        .with_callback_url("https://a.b");

    let error = client.render(&request).await.expect_err("three violations");

    let imagegen::runtime::Error::Validation(error) = error else { panic!("a validation error, got {error:?}") };
    let paths: Vec<&str> = error.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["aspect_ratio", "callback_url", "width"]);
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing sent");
}

/// An upload of `width` x `height` (its PNG header: all `validate()` reads of it).
fn png_of(width: u32, height: u32) -> imagegen::runtime::FilePart {
    imagegen::runtime::FilePart::from_bytes(imagegen::runtime::image::png_header(width, height))
}

#[test]
fn every_upload_of_a_form_is_measured_against_its_own_limits_at_its_own_path() {
    use image_limits::EditForm;
    let within = EditForm::new(png_of(1024, 768), "a fox")
        .with_mask(png_of(2048, 2048))
        .with_references(vec![png_of(32, 32), png_of(512, 512)]);
    assert_eq!(violations(&within), Vec::<String>::new());

    let broken = EditForm::new(png_of(20_000, 40), "a fox")
        .with_mask(png_of(4096, 2048))
        .with_references(vec![png_of(512, 512), png_of(16, 600)]);
    assert_eq!(
        violations(&broken),
        [
            "image: 20000x40 pixels: every side must be at least 64",
            "image: 20000x40 pixels: every side must be at most 16,384",
            "image: 20000x40 pixels: aspect ratio 500:1 (500) is wider than 2.5:1",
            "mask: 4096x2048 pixels: 8,388,608 pixels in total, must be at most 4,194,304",
            "references[1]: 16x600 pixels: every side must be at least 32",
        ]
    );
}

/// The compiled `request_size` client: the provider's 1 MiB for `generate`, `edit`'s own 2 MiB.
fn request_size_client(server: &wiremock::MockServer) -> request_size::Client {
    request_size::Client::builder().api_key("test-key").base_url(server.uri()).build().expect("a client")
}

fn size_rule(error: &imagegen::runtime::Error) -> Option<(u64, u64)> {
    let imagegen::runtime::Error::Validation(error) = error else { return None };
    error.violations().iter().find_map(|v| match v.rule {
        Constraint::RequestSize { max, actual } => Some((max, actual)),
        _ => None,
    })
}

#[tokio::test]
async fn a_json_request_over_its_providers_limit_lists_the_size_after_every_field_violation() {
    use request_size::GenerateRequest;
    let server = wiremock::MockServer::start().await;
    let client = request_size_client(&server);
    // Too long a prompt, `stream: true` on the method that does not stream, and over 1 MiB.
    let request = GenerateRequest::new("a".repeat(2_000_001)).with_stream(true);

    let error = client.generate(&request).await.expect_err("refused");

    let imagegen::runtime::Error::Validation(violations) = &error else { panic!("a validation error, got {error:?}") };
    let paths: Vec<&str> = violations.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["prompt", "stream", ""], "{violations}");
    // `{"prompt":"…","stream":true}`: the prompt and 27 bytes of JSON around it.
    assert_eq!(size_rule(&error), Some((1 << 20, 2_000_001 + 27)));
    let dry = client.generate_stream_dry_run(GenerateRequest::new("a".repeat(1 << 20))).await.expect_err("too large");
    assert_eq!(size_rule(&dry), Some((1 << 20, (1 << 20) + 27)), "{dry:?}");
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing sent");
}

#[tokio::test]
async fn an_operations_own_limit_replaces_the_providers() {
    use request_size::EditForm;
    let server = wiremock::MockServer::start().await;
    let client = request_size_client(&server);
    // Over the provider's 1 MiB, under `edit`'s own 2 MiB.
    let form = EditForm::new(imagegen::runtime::FilePart::from_bytes(vec![0u8; 3 << 19]));
    let wire = client.edit_dry_run(&form).await.expect("within edit's 2 MiB");
    assert!(wire.header("content-length").is_some_and(|n| n.parse::<u64>().is_ok_and(|n| n > 1 << 20)), "{wire:?}");
    assert_eq!(request_size::operations::EDIT.max_request_bytes, Some(2 << 20));
    assert_eq!(request_size::operations::GENERATE.max_request_bytes, Some(1 << 20));
    assert_eq!(request_size::operations::STATUS.max_request_bytes, None, "a GET sends no body");

    let too_large = EditForm::new(imagegen::runtime::FilePart::from_bytes(vec![0u8; 2 << 20]));
    let error = client.edit(&too_large).await.expect_err("over 2 MiB");
    assert!(size_rule(&error).is_some_and(|(max, actual)| max == 2 << 20 && actual > 2 << 20), "{error:?}");
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing sent");
}
