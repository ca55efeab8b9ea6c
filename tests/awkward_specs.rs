//! The corpus of awkward but valid specs (`tests/specs/reserved_names.yaml`,
//! `recursion.yaml`, `unused_events.yaml`, `multipart_stream.yaml`, `scalar_rules.yaml`),
//! seen through their compiled modules: each construct the generator once emitted as
//! code that did not build, or that built and silently did nothing, now does what the
//! spec says. That they compile warning-free is checked by clippy on
//! `imagegen-snapshot-compiled`; these tests check what they do.

use futures_util::StreamExt;
use imagegen::runtime::image::CollectImages;
use imagegen::runtime::{Constraint, Validate};
use imagegen_snapshot_compiled as compiled;
use serde_json::json;

/// Type names the emitted code also uses get a trailing `_` in Rust only, and fields
/// named like the generated deserializer's locals (`map`, `key`, `member`) read and
/// write under their own wire names.
#[test]
fn prelude_type_names_and_local_field_names_keep_their_wire_form() {
    use compiled::reserved_names::{Client_, Option_, Result_, Serialize_};
    let wire = json!({ "map": "m", "key": "k", "member": "x", "v": "w" });
    let parsed: Serialize_ = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(
        (parsed.map.as_deref(), parsed.key.as_deref(), parsed.member.as_deref(), parsed.v.as_deref()),
        (Some("m"), Some("k"), Some("x"), Some("w"))
    );
    assert!(parsed.extra.is_empty(), "every key landed in its typed field: {:?}", parsed.extra);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), wire);

    let request = Result_::new(Option_::Self_, Client_::new("photo"));
    assert_eq!(serde_json::to_value(&request).unwrap(), json!({ "option": "self", "client": { "type": "photo" } }));
    assert_eq!("None".parse::<Option_>().unwrap(), Option_::None);
}

/// A layer masked by a layer masked by a layer: the boxes are invisible on the wire,
/// in constructors and setters, and to `images()`.
#[test]
fn a_type_that_contains_itself_round_trips_and_yields_its_images() {
    use compiled::recursion::{ComposeRequest, ComposeResponse, Filter, FilterGroup, Layer};
    let png = "iVBORw0KGgo="; // PNG magic bytes
    let response: ComposeResponse = serde_json::from_value(json!({
        "root": { "name": "top", "mask": { "name": "mask", "mask": { "name": "inner", "image": png } } }
    }))
    .unwrap();
    let inner = response.root.as_ref().and_then(|root| root.mask.as_ref()).and_then(|mask| mask.mask.as_ref());
    assert_eq!(inner.and_then(|layer| layer.name.as_deref()), Some("inner"));
    let mut images = Vec::new();
    response.collect_images(&mut images);
    assert_eq!(images.len(), 1, "the image two boxes down is found");

    let group = FilterGroup::new(Filter::Blur(2));
    let request = ComposeRequest::new(Layer::new("top").with_mask(Layer::new("mask")))
        .with_filter(Filter::Not(Box::new(Filter::Group(Box::new(group)))));
    request.validate().expect("a nested request is valid");
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "root": { "name": "top", "mask": { "name": "mask" } },
            "filter": { "not": { "group": { "first": { "blur": 2 } } } },
        })
    );
}

fn violations(err: &imagegen::runtime::ValidationError) -> Vec<(&str, &Constraint)> {
    err.violations().iter().map(|v| (v.path.as_str(), &v.rule)).collect()
}

/// `allowed_values_when` on integer, number and boolean fields fires (it once compared
/// only strings, so these rules never did).
#[test]
fn allowed_values_rules_on_numbers_and_booleans_fire() {
    use compiled::scalar_rules::{Quality, RenderRequest};
    let allowed = |allowed: &[&str], actual: &str| Constraint::AllowedValues {
        allowed: allowed.iter().map(|s| s.to_string()).collect(),
        actual: actual.to_string(),
    };

    let three_previews = RenderRequest::new().with_stream(true).with_partial_images(3);
    let err = three_previews.validate().unwrap_err();
    assert_eq!(violations(&err), [("partial_images", &allowed(&["1", "2"], "3"))]);
    assert!(err.violations()[0].message.contains("one or two previews"), "{err}");
    assert!(RenderRequest::new().with_stream(true).with_partial_images(2).validate().is_ok());
    // The condition does not hold: not streamed, any count goes.
    assert!(RenderRequest::new().with_stream(false).with_partial_images(3).validate().is_ok());

    let err = RenderRequest::new().with_offset(-2).validate().unwrap_err();
    assert_eq!(violations(&err), [("offset", &allowed(&["-1", "0", "1"], "-2"))]);
    assert!(RenderRequest::new().with_offset(-1).validate().is_ok());

    let err = RenderRequest::new().with_quality(Quality::High).with_guidance(8.0).validate().unwrap_err();
    assert_eq!(violations(&err), [("guidance", &allowed(&["7.5", "10"], "8"))]);
    assert!(RenderRequest::new().with_quality(Quality::High).with_guidance(10.0).validate().is_ok());

    let err = RenderRequest::new().with_transparent(true).with_stream(true).validate().unwrap_err();
    assert_eq!(violations(&err)[0], ("stream", &allowed(&["false"], "true")));
}

/// An events type no operation streams still compiles into response types: its data
/// reads as tolerant response data and yields its images.
#[test]
fn events_no_operation_streams_are_response_data() {
    use compiled::unused_events::{JobEvent, Progress};
    use imagegen::runtime::SseEvent;
    let event = JobEvent::from_sse(Some("progress"), r#"{"percent": 40, "preview": "iVBORw0KGgo="}"#).unwrap();
    let JobEvent::Progress(progress) = &event else { panic!("expected a progress event, got {event:?}") };
    assert_eq!(progress.percent, Some(40));
    let mut images = Vec::new();
    progress.collect_images(&mut images);
    assert_eq!(images.len(), 1);
    // Missing fields are tolerated, as in every response type.
    let _: Progress = serde_json::from_str("{}").expect("response types tolerate missing fields");
}

/// A multipart form answered by a stream: the one method sends the form (it once sent
/// no body) and returns the typed events.
#[tokio::test]
async fn a_streamed_multipart_edit_sends_its_form_and_reads_the_events() {
    use compiled::multipart_stream::{Client, EditEvent, EditForm};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    let events = "event: image_edit.partial_image\ndata: {\"b64_json\":\"iVBORw0KGgo=\"}\n\n\
                  event: image_edit.completed\ndata: {\"b64_json\":\"iVBORw0KGgo=\"}\n\n";
    Mock::given(method("POST"))
        .and(path("/v1/images/edits"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "text/event-stream").set_body_string(events),
        )
        .mount(&server)
        .await;
    let client = Client::builder().api_key("test-key").base_url(server.uri()).build().unwrap();

    let stream = client.edit_stream_only(&EditForm::new("a cat").with_n(2)).await.unwrap();
    let received: Vec<EditEvent> = stream.map(|event| event.unwrap()).collect().await;
    assert!(matches!(received.as_slice(), [EditEvent::ImageEditPartialImage(_), EditEvent::ImageEditCompleted(_)]));

    let requests = server.received_requests().await.unwrap();
    let request = &requests[0];
    let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("multipart/form-data"), "sent as {content_type}");
    assert_eq!(request.headers.get("accept").and_then(|v| v.to_str().ok()), Some("text/event-stream"));
    let body = String::from_utf8_lossy(&request.body);
    assert!(body.contains("name=\"prompt\"") && body.contains("a cat"), "the form is sent: {body}");
    assert!(body.contains("name=\"n\"") && body.contains('2'), "every text field is sent: {body}");
}
