//! Checking what the client returned against `expect.json`.

use imagegen::runtime::dispatch::StreamItem;
use imagegen::runtime::image::ImageFormat;
use imagegen::runtime::json::same_meaning;
use imagegen::runtime::{Base64Data, Error};
use serde_json::Value;

use super::case::{ErrorExpect, ResponseExpect, StreamExpect};

/// What a call produced, stream drained.
pub enum Observed {
    Response { json: Value, images: Vec<Base64Data> },
    Stream { items: Vec<StreamItem>, errors: Vec<Error> },
    Error(Error),
}

/// The format name of an image, by magic bytes.
pub fn format_name(image: &Base64Data) -> String {
    image.image_format().map_or_else(|| "unknown".to_string(), |f: ImageFormat| f.to_string())
}

/// The error's kind as fixtures name it.
pub fn kind(error: &Error) -> &'static str {
    match error {
        Error::Validation(_) => "validation",
        Error::Api(_) => "api",
        Error::Transport(_) => "transport",
        Error::Timeout(_) => "timeout",
        Error::Decode(_) => "decode",
        Error::Encode(_) => "encode",
        Error::Config(_) => "config",
        Error::Stream(_) => "stream",
        Error::BodyTooLarge { .. } => "body_too_large",
        Error::Job(_) => "job",
        Error::JobResult(failed) => match kind(&failed.error) {
            "api" => "job_result:api",
            "transport" => "job_result:transport",
            "timeout" => "job_result:timeout",
            _ => "job_result",
        },
        _ => "other",
    }
}

/// Whether `actual` holds everything in `expected`: listed object keys, arrays item by item.
fn contains(actual: &Value, expected: &Value, path: &str, diffs: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (key, want) in e {
                match a.get(key) {
                    Some(got) => contains(got, want, &format!("{path}/{key}"), diffs),
                    None if want.is_null() => {}
                    None => diffs.push(format!("response {path}/{key} is missing (expected {want})")),
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                diffs.push(format!("response {path} has {} items (expected {})", a.len(), e.len()));
            }
            for (i, (got, want)) in a.iter().zip(e).enumerate() {
                contains(got, want, &format!("{path}/{i}"), diffs);
            }
        }
        _ if same_meaning(actual, expected) => {}
        _ => diffs
            .push(format!("response {} is {actual} (expected {expected})", if path.is_empty() { "/" } else { path })),
    }
}

fn check_pointers(
    json: &Value,
    pointers: &std::collections::BTreeMap<String, Value>,
    what: &str,
    diffs: &mut Vec<String>,
) {
    for (pointer, want) in pointers {
        match json.pointer(pointer) {
            Some(got) if same_meaning(got, want) => {}
            None if want.is_null() => {}
            Some(got) => diffs.push(format!("{what} {pointer} is {got} (expected {want})")),
            None => diffs.push(format!("{what} {pointer} is missing (expected {want})")),
        }
    }
}

fn check_images(images: &[String], want: &Option<Vec<String>>, what: &str, diffs: &mut Vec<String>) {
    if let Some(want) = want {
        if images != want.as_slice() {
            diffs.push(format!("{what} images {images:?} (expected {want:?})"));
        }
    }
}

/// Differences between a response and its expectation.
pub fn check_response(json: &Value, images: &[Base64Data], want: &ResponseExpect) -> Vec<String> {
    let mut diffs = Vec::new();
    if let Some(subset) = &want.subset {
        contains(json, subset, "", &mut diffs);
    }
    if let Some(equals) = &want.equals {
        if !same_meaning(json, equals) {
            let at = imagegen::runtime::json::first_difference(json, equals).unwrap_or_default();
            diffs.push(format!("response differs from `equals` (parsed vs expected) at {at}"));
        }
    }
    check_pointers(json, &want.pointers, "response", &mut diffs);
    for pointer in &want.absent {
        if let Some(got) = json.pointer(pointer) {
            diffs.push(format!("response {pointer} should be absent, is {got}"));
        }
    }
    let formats: Vec<String> = images.iter().map(format_name).collect();
    check_images(&formats, &want.images, "response", &mut diffs);
    diffs
}

/// Differences between a drained stream and its expectation.
pub fn check_stream(items: &[StreamItem], errors: &[Error], want: &StreamExpect) -> Vec<String> {
    let mut diffs = Vec::new();
    let names: Vec<String> = items.iter().map(|i| i.event.clone().unwrap_or_else(|| "message".to_string())).collect();
    if names != want.events {
        diffs.push(format!("stream events {names:?} (expected {:?})", want.events));
    }
    let formats: Vec<String> = items.iter().flat_map(|i| i.images.iter().map(format_name)).collect();
    check_images(&formats, &want.images, "stream", &mut diffs);
    for (index, pointers) in &want.pointers {
        match items.get(*index) {
            Some(item) => check_pointers(&item.data.to_value(), pointers, &format!("stream event {index}"), &mut diffs),
            None => diffs.push(format!("stream event {index} was not received")),
        }
    }
    match (&want.error, errors) {
        (None, []) => {}
        (None, [first, ..]) => diffs.push(format!("stream failed: {} error: {first}", kind(first))),
        (Some(e), []) => diffs.push(format!("stream ended cleanly (expected a {} error)", e.kind)),
        (Some(e), [first, ..]) => diffs.extend(check_error(first, e)),
    }
    if errors.len() > 1 {
        diffs.push(format!("stream yielded {} errors (expected at most one)", errors.len()));
    }
    diffs
}

/// Where an error shows `key` (Display, Debug, each source, the snippet), if anywhere:
/// a server echoing the request must never make the client print its own key.
pub fn key_shown(error: &Error, key: &str) -> Option<String> {
    let mut shown = vec![("Display", error.to_string()), ("Debug", format!("{error:?}"))];
    let mut source = std::error::Error::source(error);
    while let Some(next) = source {
        shown.push(("source", next.to_string()));
        source = next.source();
    }
    match error {
        Error::Api(api) => shown.push(("snippet", api.body_snippet())),
        Error::Decode(decode) => shown.push(("snippet", decode.snippet.clone())),
        _ => {}
    }
    shown
        .into_iter()
        .find(|(_, text)| text.contains(key))
        .map(|(what, text)| format!("error {what} shows the API key: {text}"))
}

/// Differences between an error and its expectation.
pub fn check_error(error: &Error, want: &ErrorExpect) -> Vec<String> {
    let mut diffs = Vec::new();
    // A paid job whose result could not be downloaded: the finished answer must be kept,
    // and the download's own error is what the other keys describe.
    if let (Error::JobResult(failed), Some(inner_kind)) = (error, want.kind.strip_prefix("job_result:")) {
        if failed.answer.as_object().is_none_or(|answer| answer.is_empty()) {
            diffs.push(format!("the finished answer is not kept: {}", failed.answer));
        }
        let inner = ErrorExpect { kind: inner_kind.to_string(), ..want.clone() };
        diffs.extend(check_error(&failed.error, &inner));
        return diffs;
    }
    let got_kind = kind(error);
    if got_kind != want.kind {
        diffs.push(format!("error kind `{got_kind}` (expected `{}`): {error}", want.kind));
        return diffs;
    }
    if want.status.is_some() && error.status() != want.status {
        diffs.push(format!("error status {:?} (expected {:?})", error.status(), want.status));
    }
    let (body, snippet) = match error {
        Error::Api(api) => (Some(api.body.clone()), Some(api.body_snippet())),
        Error::Decode(decode) => (Some(decode.body.clone()), Some(decode.snippet.clone())),
        _ => (None, None),
    };
    if let Error::Job(job) = error {
        let kind = job.kind.to_string();
        if want.job_state.as_ref().is_some_and(|want| *want != kind) {
            diffs.push(format!("job ended {kind} (expected {:?})", want.job_state));
        }
        if want.job_status.is_some() && job.status != want.job_status {
            diffs.push(format!("job status {:?} (expected {:?})", job.status, want.job_status));
        }
        if want.job_polls.is_some_and(|polls| polls != job.polls) {
            diffs.push(format!("job polled {} times (expected {:?})", job.polls, want.job_polls));
        }
    } else if want.job_state.is_some() || want.job_status.is_some() || want.job_polls.is_some() {
        diffs.push("`job_state`, `job_status` and `job_polls` are for `job` errors".to_string());
    }
    let api = error.as_api();
    let message = api.and_then(|a| a.message());
    if let Some(want_message) = &want.message {
        if message != Some(want_message.as_str()) {
            diffs.push(format!("error message {message:?} (expected {want_message:?})"));
        }
    }
    if let Some(part) = &want.message_contains {
        if !message.is_some_and(|m| m.contains(part.as_str())) {
            diffs.push(format!("error message {message:?} does not contain {part:?}"));
        }
    }
    if let Some(want_code) = &want.code {
        let code = api.and_then(|a| a.code());
        let matches = match want_code {
            Value::Null => code.is_none(),
            Value::String(s) => code == Some(s.as_str()),
            other => code == Some(other.to_string().as_str()),
        };
        if !matches {
            diffs.push(format!("error code {code:?} (expected {want_code})"));
        }
    }
    if let Some(want_status) = want.provider_status {
        let got = api.and_then(|a| a.provider_status());
        if got != Some(want_status) {
            diffs.push(format!("envelope status {got:?} (expected {want_status})"));
        }
    }
    if let Some(want_envelope) = &want.envelope {
        // The spec's envelope names (`google`, `openai`, ...), `unparsed` when none recognised the body.
        let got = api.map_or("none", |a| a.envelope_name().unwrap_or("unparsed"));
        if got != want_envelope {
            diffs.push(format!("error envelope `{got}` (expected `{want_envelope}`)"));
        }
    }
    if let Some(part) = &want.body_contains {
        let found = body.as_ref().is_some_and(|b| String::from_utf8_lossy(b).contains(part.as_str()));
        if !found {
            diffs.push(format!("error keeps no raw body containing {part:?}"));
        }
    }
    if let Some(part) = &want.snippet_contains {
        if !snippet.as_ref().is_some_and(|s| s.contains(part.as_str())) {
            diffs.push(format!("error snippet {snippet:?} does not contain {part:?}"));
        }
    }
    if let Some(want_verdict) = &want.retry_verdict {
        let got = api.and_then(|a| a.retry_verdict());
        if want_verdict.as_bool() != got || (want_verdict.is_null() != got.is_none()) {
            diffs.push(format!("error retry verdict {got:?} (expected {want_verdict})"));
        }
    }
    if let Some(ms) = want.retry_after_ms {
        let got = api.and_then(|a| a.retry_after).map(|d| d.as_millis() as u64);
        if got != Some(ms) {
            diffs.push(format!("error retry hint {got:?} ms (expected {ms} ms)"));
        }
    }
    if let Some(part) = &want.display_contains {
        let text = error.to_string();
        if !text.contains(part.as_str()) {
            diffs.push(format!("error message `{text}` does not contain {part:?}"));
        }
    }
    if let Some(paths) = &want.violations {
        let got: Vec<String> = match error {
            Error::Validation(v) => v.violations().iter().map(|v| v.path.clone()).collect(),
            _ => Vec::new(),
        };
        if &got != paths {
            diffs.push(format!("violation paths {got:?} (expected {paths:?}): {error}"));
        }
    }
    diffs
}
