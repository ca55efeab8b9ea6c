//! One small spec per language construct (`tests/specs/*.yaml`). The files the
//! generator makes from each are kept once, in `tests/compiled/src/<spec>/`: that copy
//! is both the expected output (`cargo xtask check` and `tests/freshness.rs` compare it
//! with the generator's, so a change in the emitters shows up as a diff of those files,
//! construct by construct) and code that must build (crate `imagegen-snapshot-compiled`).
//! The tests here check the link between specs and modules, and that each compiled
//! module does what its construct promises.

use std::path::{Path, PathBuf};

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

/// The snapshot specs, sorted, as (file stem, path).
fn snapshot_specs() -> Vec<(String, PathBuf)> {
    let dir = workspace_root().join("tests/specs");
    let mut specs: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == "yaml"))
        .map(|path| {
            let stem = path.file_stem().expect("a file name").to_string_lossy().into_owned();
            (stem, path)
        })
        .collect();
    specs.sort();
    specs
}

/// Loads, checks and lowers one snapshot spec, failing with its rendered problems.
fn lower(stem: &str, path: &Path) -> imagegen_codegen::ir::Api {
    let source = format!("tests/specs/{stem}.yaml");
    match imagegen_codegen::spec::load_file(path).and_then(|loaded| imagegen_codegen::ir::lower(&loaded, &source)) {
        Ok(api) => api,
        Err(problems) => panic!("{source} has errors:\n{}", problems.render_relative_to(workspace_root())),
    }
}

#[test]
fn every_snapshot_spec_is_named_after_its_file() {
    for (stem, path) in snapshot_specs() {
        let api = lower(&stem, &path);
        assert_eq!(api.provider.name, stem, "{}: `provider.name` must equal the file stem", path.display());
    }
}

/// Every snapshot spec's module, reached through an item it must define, so the
/// link to the compiled crate is real: a spec without a module fails to build here,
/// and a module without its spec (or a spec missing from this list) fails below.
const COMPILED_PROVIDERS: &[&imagegen::runtime::ProviderInfo] = {
    use imagegen_snapshot_compiled as c;
    &[
        &c::array_limits::PROVIDER,
        &c::async_job::PROVIDER,
        &c::awkward_names::PROVIDER,
        &c::constructors::PROVIDER,
        &c::base64::PROVIDER,
        &c::bearer_json::PROVIDER,
        &c::binary_response::PROVIDER,
        &c::closed_enum::PROVIDER,
        &c::conditional_defaults::PROVIDER,
        &c::conditions::PROVIDER,
        &c::data_url::PROVIDER,
        &c::defaults::PROVIDER,
        &c::doc_examples::PROVIDER,
        &c::error_envelopes::PROVIDER,
        &c::fastapi_errors::PROVIDER,
        &c::geometry_limits::PROVIDER,
        &c::header_auth::PROVIDER,
        &c::image_limits::PROVIDER,
        &c::integer_ranges::PROVIDER,
        &c::job_by_status::PROVIDER,
        &c::map::PROVIDER,
        &c::model_limits::PROVIDER,
        &c::models_table::PROVIDER,
        &c::multipart::PROVIDER,
        &c::multipart_stream::PROVIDER,
        &c::null_items::PROVIDER,
        &c::nullable::PROVIDER,
        &c::object_basics::PROVIDER,
        &c::one_of::PROVIDER,
        &c::one_of_flatten::PROVIDER,
        &c::one_or_many::PROVIDER,
        &c::open_enum::PROVIDER,
        &c::optional_fields::PROVIDER,
        &c::path_params::PROVIDER,
        &c::patterns_and_steps::PROVIDER,
        &c::query_auth::PROVIDER,
        &c::query_params::PROVIDER,
        &c::recursion::PROVIDER,
        &c::repeated_images::PROVIDER,
        &c::request_size::PROVIDER,
        &c::reserved_names::PROVIDER,
        &c::rules::PROVIDER,
        &c::scalar_rules::PROVIDER,
        &c::secret_fields::PROVIDER,
        &c::several_auth::PROVIDER,
        &c::shared_definitions::PROVIDER,
        &c::sse_stream::PROVIDER,
        &c::stability_errors::PROVIDER,
        &c::status_answers::PROVIDER,
        &c::text_form::PROVIDER,
        &c::token_usage::PROVIDER,
        &c::unused_events::PROVIDER,
        &c::urls::PROVIDER,
        &c::warning_rules::PROVIDER,
    ]
};

#[test]
fn compiled_crate_has_a_module_for_every_snapshot_spec() {
    let specs: Vec<String> = snapshot_specs().into_iter().map(|(stem, _)| stem).collect();
    let mut compiled: Vec<String> = COMPILED_PROVIDERS.iter().map(|p| p.name.to_string()).collect();
    compiled.sort();
    assert_eq!(
        compiled, specs,
        "tests/compiled must hold one module per tests/specs/*.yaml: run `cargo xtask codegen`, \
         then list the new module in COMPILED_PROVIDERS"
    );
}

// The compiled snapshot modules do what their construct promises on the wire.

use imagegen_snapshot_compiled as compiled;
use serde_json::json;

#[test]
fn open_enum_keeps_an_unknown_reason_and_sends_it_back() {
    use compiled::open_enum::{FinishReason, ReplayRequest, ReplayResponse};
    let response: ReplayResponse = serde_json::from_value(json!({ "reason": "RECITATION" })).unwrap();
    let reason = response.reason.expect("the reason is present");
    assert_eq!(reason, FinishReason::Unknown("RECITATION".into()));
    assert!(reason.is_unknown());
    let request = ReplayRequest::new(reason);
    assert_eq!(serde_json::to_value(&request).unwrap(), json!({ "reason": "RECITATION" }));
}

#[test]
fn closed_enum_accepts_an_alias_and_sends_the_canonical_value() {
    use compiled::closed_enum::{Style, StyleRequest};
    assert!("watercolor".parse::<Style>().is_err());
    let style: Style = "pencil".parse().expect("`pencil` is a documented alias");
    assert_eq!(style, Style::Sketch);
    assert_eq!(serde_json::to_value(StyleRequest::new(style)).unwrap(), json!({ "style": "sketch" }));
}

#[test]
fn unset_optional_fields_are_not_sent() {
    let caption = compiled::optional_fields::Caption::new("a cat");
    assert_eq!(serde_json::to_value(&caption).unwrap(), json!({ "text": "a cat" }));
    let with_tags = caption.with_tags(Vec::new());
    assert_eq!(serde_json::to_value(&with_tags).unwrap(), json!({ "text": "a cat", "tags": [] }));
}

#[test]
fn keyword_and_awkward_names_keep_their_wire_spelling() {
    use compiled::awkward_names::{AspectRatio, AwkwardRequest, ImageModel};
    let request = AwkwardRequest::new("photo", ImageModel::Gemini3_1FlashImage)
        .with_self("me")
        .with_match(false)
        .with_aspect_ratio(AspectRatio::Ratio16x9);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "type": "photo",
            "self": "me",
            "match": false,
            "model": "gemini-3.1-flash-image",
            "aspectRatio": "16:9",
        })
    );
}

#[test]
fn documented_defaults_are_read_through_or_default_accessors() {
    use compiled::defaults::{Quality, RenderRequest};
    let unset = RenderRequest::new("a cat");
    assert_eq!(unset.n_or_default(), 1);
    assert_eq!(unset.offset_or_default(), -3);
    assert_eq!(unset.guidance_or_default(), 7.5);
    assert!(!unset.stream_or_default());
    assert_eq!(unset.size_or_default(), "auto");
    assert_eq!(unset.quality_or_default(), Quality::High);
    // A default is documentation, not a value to send.
    assert_eq!(serde_json::to_value(&unset).unwrap(), json!({ "prompt": "a cat" }));
    assert_eq!(RenderRequest::new("a cat").with_n(4).n_or_default(), 4);
}

#[test]
fn flattened_open_one_of_keeps_part_kinds_it_does_not_know() {
    use compiled::one_of_flatten::{Message, PartData};
    let wire = json!({
        "parts": [
            { "text": "a cat" },
            { "functionCall": { "name": "draw" }, "thought": true },
        ]
    });
    let message: Message = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(message.parts[0].data, PartData::Text("a cat".into()));
    assert!(matches!(&message.parts[1].data, PartData::Unknown(members) if members.contains_key("functionCall")));
    assert_eq!(message.parts[1].thought, Some(true));
    assert_eq!(serde_json::to_value(&message).unwrap(), wire);
}

/// `repeats_images_of` as compiled: `parts` repeats `data`, `preview` is its own image.
#[test]
fn a_field_that_repeats_images_is_read_only_when_the_original_has_none() {
    use imagegen_snapshot_compiled::repeated_images::DrawResponse;

    let image = "iVBORw0KGgo="; // PNG magic bytes
    let preview = "/9j/4AAQ"; // JPEG magic bytes
    let both: DrawResponse = serde_json::from_value(serde_json::json!({
        "data": [{"b64_json": image}],
        "preview": preview,
        "parts": [{"text": "a fox"}, {"image": image}],
    }))
    .expect("parses");
    let found: Vec<&[u8]> = both.images().into_iter().map(|i| i.as_bytes()).collect();
    assert_eq!(found.len(), 2, "the image once, then the preview: {found:?}");
    assert!(found[0].starts_with(b"\x89PNG"));
    assert!(found[1].starts_with(b"\xFF\xD8\xFF"));

    let only_parts: DrawResponse =
        serde_json::from_value(serde_json::json!({"parts": [{"image": image}]})).expect("parses");
    assert_eq!(only_parts.images().len(), 1, "with no `data`, the parts are read");

    let empty_data: DrawResponse =
        serde_json::from_value(serde_json::json!({"data": [], "parts": [{"image": image}]})).expect("parses");
    assert_eq!(empty_data.images().len(), 1, "an empty `data` holds no image, so the parts are read");
}

/// `severity: warning` as compiled: each warning rule kind and each `families` field warns
/// and the request stays valid; the error rule and the model's `rejects` still refuse.
#[test]
fn warning_rules_warn_and_error_rules_still_refuse() {
    use imagegen::runtime::Validate;
    use imagegen_snapshot_compiled::warning_rules::{Background, DrawRequest, ImageModel, OutputFormat};

    let paths =
        |warnings: &imagegen::runtime::Warnings| -> Vec<String> { warnings.iter().map(|w| w.path.clone()).collect() };

    // The default model is `painter` (gpt): two reference images at most, which it reads.
    let ignored = DrawRequest::new("a fox")
        .with_mask("m")
        .with_previews(2)
        .with_compression(80)
        .with_format(OutputFormat::Webp)
        .with_reference_images(vec!["a".into(), "b".into(), "c".into()])
        .with_thinking(true);
    let warnings = ignored.validate().expect("warnings never make a request invalid");
    assert_eq!(paths(&warnings), ["mask", "previews", "background", "referenceImages", "thinking"]);
    assert!(warnings.iter().all(|w| !w.message.is_empty()));

    // With a gemini model: the gpt-only fields warn, and so does webp.
    let gemini = DrawRequest::new("a fox")
        .with_model(ImageModel::Sketcher)
        .with_format(OutputFormat::Webp)
        .with_background(Background::Opaque)
        .with_compression(50);
    let warnings = gemini.validate().expect("valid");
    assert_eq!(paths(&warnings), ["format", "compression", "background"]);

    // Nothing ignored, nothing warned.
    let plain = DrawRequest::new("a fox").with_format(OutputFormat::Jpeg).with_compression(80);
    assert!(plain.validate().expect("valid").is_empty());

    // The error rule and the model's `rejects` refuse, with the warnings kept beside.
    let refused = DrawRequest::new("a fox").with_stream(true).with_background(Background::Transparent).with_mask("m");
    let err = refused.validate().unwrap_err();
    let violations: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(violations, ["seed", "background"]);
    assert_eq!(paths(err.warnings()), ["mask"]);
}

/// Named constructors as compiled: the spec's (`Turn::user`) fix their fields on the
/// wire; a one-of member constructor (`Part::text`) builds the member; a declared
/// constructor keeps its name over the member constructor it shadows (`Part::count`).
#[test]
fn named_constructors_build_the_shapes_callers_write_most() {
    use imagegen_snapshot_compiled::constructors::{Blob, ChatRequest, Part, PartData, Turn};

    let image = Blob::new("image/png", imagegen::runtime::Base64Data::from_bytes(&b"\x89PNG"[..]));
    let request = ChatRequest::new(vec![
        Turn::user(vec![Part::text("a cat"), Part::inline_data(image)]),
        Turn::model(vec![Part::count(PartData::Count(2))]),
        Turn::tagged(vec![], "kept"),
    ]);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({ "turns": [
            { "role": "user", "parts": [
                { "text": "a cat" },
                { "inlineData": { "mimeType": "image/png", "data": "iVBORw==" } },
            ] },
            { "role": "model", "parts": [{ "count": 2, "thought": false }] },
            { "role": "user", "parts": [], "label": "fixed", "weight": 3, "offset": -2,
              "temperature": 0.5, "pinned": true, "note": "kept" },
        ] })
    );
    assert_eq!(Part::text("a cat"), Part::new(PartData::Text("a cat".into())));
}
