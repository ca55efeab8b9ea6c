//! `null` items inside the lists and maps of a response: left out, never a failed answer
//! (the snapshot spec `null_items` through its compiled module, and Octen's images on the
//! wire). Requests keep their strict shape.

use std::collections::BTreeMap;

use imagegen::runtime::fields::parse_request;
use imagegen::runtime::{Nullable, OneOrMany};
use imagegen_snapshot_compiled::null_items::{Finish, GenerateRequest, GenerateResponse, Note, Outcome, Result_};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-rest-of-a-png";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0-rest-of-a-jpeg";

fn base64(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

#[test]
fn null_items_of_every_kind_of_list_and_map_are_left_out() {
    let answer: GenerateResponse = serde_json::from_value(json!({
        "created": 1,
        "data": [null, {"url": "https://cdn.example.com/a.png"}, null],
        "captions": ["first", null, "third"],
        "finishes": [null, "done", "filtered"],
        "notes": [{"text": "ok"}, null, {"tags": ["sea", null, "dusk"]}],
        "seeds": {"a": 7, "b": null},
        "grid": [["a", null], null, [null], ["b"]],
        "warnings": [null, "slow"],
        "urls": ["https://cdn.example.com/a.png", null],
        "palette": {"colors": ["#fff", null]}
    }))
    .expect("null items never fail the answer");
    assert_eq!(answer.created, Some(1));
    assert_eq!(answer.data.len(), 1);
    assert_eq!(answer.data[0].url.as_deref(), Some("https://cdn.example.com/a.png"));
    assert_eq!(answer.captions.as_deref(), Some(&["first".to_string(), "third".to_string()][..]));
    assert_eq!(answer.finishes, Some(vec![Finish::Done, Finish::Filtered]));
    assert_eq!(
        answer.notes,
        Some(vec![Note::Text("ok".to_string()), Note::Tags(vec!["sea".to_string(), "dusk".to_string()])])
    );
    assert_eq!(answer.seeds, Some(BTreeMap::from([("a".to_string(), 7)])));
    assert_eq!(answer.grid, Some(vec![vec!["a".to_string()], vec![], vec!["b".to_string()]]));
    assert_eq!(answer.warnings, Nullable::Value(vec!["slow".to_string()]));
    assert_eq!(answer.urls, Some(OneOrMany::Many(vec!["https://cdn.example.com/a.png".to_string()])));
    assert_eq!(answer.palette.expect("sent").colors, ["#fff"]);
}

#[test]
fn a_null_list_still_reads_as_absent_null_or_empty() {
    let answer: GenerateResponse = serde_json::from_value(json!({
        "data": null, "captions": null, "warnings": null, "urls": null, "seeds": null
    }))
    .expect("a null list is no error");
    assert!(answer.data.is_empty());
    assert_eq!(answer.captions, None);
    assert_eq!(answer.warnings, Nullable::Null);
    assert_eq!(answer.urls, None);
    assert_eq!(answer.seeds, None);
    let one: GenerateResponse = serde_json::from_value(json!({"urls": "https://cdn.example.com/a.png"})).unwrap();
    assert_eq!(one.urls, Some(OneOrMany::One("https://cdn.example.com/a.png".to_string())));
}

#[test]
fn items_of_type_any_keep_their_null() {
    let answer: GenerateResponse = serde_json::from_value(json!({"metadata": {"a": null, "b": [null]}})).unwrap();
    assert_eq!(
        answer.metadata,
        Some(BTreeMap::from([("a".to_string(), json!(null)), ("b".to_string(), json!([null]))]))
    );
}

#[test]
fn a_wrong_item_still_fails_the_answer() {
    let err = serde_json::from_value::<GenerateResponse>(json!({"captions": ["a", 2]})).unwrap_err();
    assert!(err.to_string().contains("invalid type: integer `2`, expected a string"), "{err}");
}

#[test]
fn images_of_an_answer_with_null_items_are_the_others_in_order() {
    let answer: GenerateResponse = serde_json::from_value(json!({
        "data": [null, {"b64_json": base64(PNG)}, null, {"b64_json": base64(JPEG)}]
    }))
    .unwrap();
    let images: Vec<&[u8]> = answer.images().into_iter().map(|image| image.as_bytes()).collect();
    assert_eq!(images, [PNG, JPEG]);
}

#[test]
fn a_list_inside_a_flattened_one_of_drops_its_null_items() {
    let result: Result_ = serde_json::from_value(json!({
        "id": "job-1", "images": [null, {"b64_json": base64(PNG)}]
    }))
    .unwrap();
    let Outcome::Images(images) = &result.outcome else { panic!("expected images, got {:?}", result.outcome) };
    assert_eq!(images.len(), 1);
    assert_eq!(result.images().into_iter().map(|image| image.as_bytes()).collect::<Vec<_>>(), [PNG]);
}

#[test]
fn a_request_only_list_still_refuses_a_null_item() {
    let err = serde_json::from_value::<GenerateRequest>(json!({"prompt": "a fox", "styles": ["ink", null]}))
        .expect_err("requests keep their strict shape");
    assert!(err.to_string().contains("invalid type: null, expected a string"), "{err}");
}

#[test]
fn a_type_shared_with_a_request_refuses_a_null_item_in_a_request_given_as_json() {
    let err = parse_request::<GenerateRequest>(json!({"prompt": "a fox", "palette": {"colors": ["#fff", null]}}))
        .expect_err("a request given as JSON is strict");
    assert_eq!(err.path, "palette.colors[1]");
    assert_eq!(err.message, "invalid type: null, expected a string");
}

/// On the wire, through Octen's generated client: an image past 64 KiB of base64 is
/// decoded while it arrives, after a `null` item, and the answer keeps it.
#[tokio::test]
async fn an_octen_answer_with_a_null_image_keeps_the_image_that_arrived() -> Result<(), Box<dyn std::error::Error>> {
    use imagegen::octen::{Client, ImageGenerationRequest, ImageModel};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let mut png = PNG.to_vec();
    png.resize(200_000, 7);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "created": 1_749_812_456,
            "data": [null, {"b64_json": base64(&png)}, null]
        })))
        .mount(&server)
        .await;
    let client = Client::builder().api_key("test-key-not-real").base_url(server.uri()).max_retries(0).build()?;

    let answer = client.generate_images(&ImageGenerationRequest::new(ImageModel::OpenaiGptImage2, "a fox")).await?;

    assert_eq!(answer.created, Some(1_749_812_456));
    assert_eq!(answer.data.len(), 1);
    assert_eq!(answer.images().into_iter().map(|image| image.as_bytes()).collect::<Vec<_>>(), [&png[..]]);
    Ok(())
}

/// ListenHub's `freeUsages` map of counts, written by a server as `2.0` (and a `null`):
/// read as a single integer field would be, not a lost answer.
#[test]
fn a_map_of_counts_written_as_whole_floats_reads_as_integers() {
    let subscription: imagegen::listenhub::Subscription =
        serde_json::from_value(json!({"freeUsages": {"nanobanana-pro": 2.0, "gpt-image-2": null, "seedream": 3}}))
            .expect("whole floats are integers");
    let counts = subscription.free_usages.expect("the map");
    assert_eq!(counts, BTreeMap::from([("nanobanana-pro".to_string(), 2), ("seedream".to_string(), 3)]));
}
