//! The fixture format: what a case folder holds, read from its JSON files.
//!
//! Every struct denies unknown keys, so a typo in a fixture is a failure
//! naming the file, not a silently ignored expectation. `tests/README.md`
//! documents each key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// `call.json`: how the client is called.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// `about` and `source` are for people reading the fixture; the runner only checks they parse.
#[allow(dead_code)]
pub struct CallFile {
    /// What the case shows, for readers.
    #[serde(default)]
    pub about: Option<String>,
    /// Where recorded bodies came from (free-form; see `tests/README.md`).
    #[serde(default)]
    pub source: Option<Value>,
    /// Path parameters by name.
    #[serde(default)]
    pub path_params: BTreeMap<String, String>,
    /// The request (or the multipart text fields) as JSON.
    #[serde(default)]
    pub body: Option<Value>,
    /// The same, read from a file in the case folder.
    #[serde(default)]
    pub body_file: Option<String>,
    /// Multipart files by part name.
    #[serde(default)]
    pub files: BTreeMap<String, Vec<FileSpec>>,
    /// Ask for a streamed response.
    #[serde(default)]
    pub stream: bool,
    /// Wait for the job the operation starts: submit, poll until it ends, download the result.
    #[serde(default)]
    pub wait: bool,
    /// Client options.
    #[serde(default)]
    pub options: CallOptions,
}

/// Client options a case may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallOptions {
    /// Auth scheme by name (`bearer`, `x-api-key`, `x-goog-api-key`).
    #[serde(default)]
    pub auth: Option<String>,
    /// Retries allowed (the suite's policy allows 2).
    #[serde(default)]
    pub max_retries: Option<u32>,
}

/// A file to upload: from a path in the case folder or inline base64.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Path relative to the case folder.
    #[serde(default)]
    pub path: Option<String>,
    /// Inline content, standard base64.
    #[serde(default)]
    pub base64: Option<String>,
    /// File name sent; defaults to the path's file name (or `file`).
    #[serde(default)]
    pub file_name: Option<String>,
    /// MIME type sent; defaults to detection from the bytes.
    #[serde(default)]
    pub mime_type: Option<String>,
}

/// `request.json`: the request every attempt must put on the wire.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// HTTP method.
    pub method: String,
    /// Path (and `?query`, if any).
    pub path: String,
    /// Headers that must be present with these values (names case-insensitive).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Headers that must not be present.
    #[serde(default)]
    pub absent_headers: Vec<String>,
    /// JSON body, compared by meaning.
    #[serde(default)]
    pub body: Option<Value>,
    /// JSON body read from a file in the case folder.
    #[serde(default)]
    pub body_file: Option<String>,
    /// Multipart parts, compared part by part.
    #[serde(default)]
    pub multipart: Option<Vec<PartSpec>>,
    /// The request must have an empty body.
    #[serde(default)]
    pub no_body: bool,
}

/// One expected multipart part.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSpec {
    /// Part (field) name.
    pub name: String,
    /// Text value of a text part.
    #[serde(default)]
    pub text: Option<String>,
    /// File name of a file part.
    #[serde(default)]
    pub file_name: Option<String>,
    /// Content type of a file part.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Expected bytes: a file in the case folder.
    #[serde(default)]
    pub file: Option<String>,
    /// Expected bytes: inline base64.
    #[serde(default)]
    pub base64: Option<String>,
}

/// One recorded response of `responses.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Inline JSON body.
    #[serde(default)]
    pub body: Option<Value>,
    /// Body file in the case folder, served byte for byte.
    #[serde(default)]
    pub body_file: Option<String>,
}

/// `expect.json`: the outcome.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectFile {
    /// Requests the server must have received (retries included).
    pub requests: usize,
    /// Waits between attempts, in milliseconds, as the retry policy asked for them.
    #[serde(default)]
    pub waits_ms: Vec<u64>,
    /// A JSON response.
    #[serde(default)]
    pub response: Option<ResponseExpect>,
    /// An event stream.
    #[serde(default)]
    pub stream: Option<StreamExpect>,
    /// An error.
    #[serde(default)]
    pub error: Option<ErrorExpect>,
    /// The warnings the client reported to its observer, each as `path: message`, in order.
    #[serde(default)]
    pub warnings: Option<Vec<String>>,
    /// A waited job: the status of every answered poll, in order, as the progress callback saw it.
    #[serde(default)]
    pub progress: Option<Vec<String>>,
    /// A waited job: the waits between polls, in milliseconds, as the job's pace asked for them.
    #[serde(default)]
    pub poll_waits_ms: Option<Vec<u64>>,
}

/// Expectations on a JSON response.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseExpect {
    /// The parsed response must contain this (objects: listed keys; arrays: same length, item by item).
    #[serde(default)]
    pub subset: Option<Value>,
    /// The parsed response must equal this, by meaning.
    #[serde(default)]
    pub equals: Option<Value>,
    /// Values at JSON pointers (RFC 6901); `null` also matches a missing value.
    #[serde(default)]
    pub pointers: BTreeMap<String, Value>,
    /// Pointers that must hold nothing.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Image formats found by magic bytes, in order (`png`, `jpeg`, `webp`, `gif`, `unknown`).
    #[serde(default)]
    pub images: Option<Vec<String>>,
}

/// Expectations on an event stream.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamExpect {
    /// Names of the events received, in order.
    pub events: Vec<String>,
    /// Image formats over all events, in order.
    #[serde(default)]
    pub images: Option<Vec<String>>,
    /// Values at JSON pointers into the data of event number `i`: `{"1": {"/usage/total_tokens": 4790}}`.
    #[serde(default)]
    pub pointers: BTreeMap<usize, BTreeMap<String, Value>>,
    /// The error that ends the stream; without it the stream must end cleanly.
    #[serde(default)]
    pub error: Option<ErrorExpect>,
}

/// Expectations on an error. Unset keys are not checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpect {
    /// `validation`, `api`, `transport`, `timeout`, `decode`, `encode`, `config`, `stream`, `body_too_large`, `job`,
    /// or `job_result:<kind>` (a finished job whose result download failed with an error of `<kind>`,
    /// the finished answer kept; the other keys are checked on the download's error).
    pub kind: String,
    /// HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
    /// Provider code (OpenAI `code`, Google `status`, ListenHub `code`/`reason`); `null` = none.
    #[serde(default, deserialize_with = "present")]
    pub code: Option<Value>,
    /// Provider message, exactly.
    #[serde(default)]
    pub message: Option<String>,
    /// Provider message contains this.
    #[serde(default)]
    pub message_contains: Option<String>,
    /// Status number in the envelope.
    #[serde(default)]
    pub provider_status: Option<i64>,
    /// Envelope recognised: the spec's envelope name (`google`, `openai`, `llmgateway`, `listenhub`), or `unparsed`.
    #[serde(default)]
    pub envelope: Option<String>,
    /// The raw body kept in the error contains this.
    #[serde(default)]
    pub body_contains: Option<String>,
    /// The body snippet of the error contains this.
    #[serde(default)]
    pub snippet_contains: Option<String>,
    /// The server's retry hint, in milliseconds.
    #[serde(default)]
    pub retry_after_ms: Option<u64>,
    /// What the response itself says about retrying (`ApiError::retry_verdict`: the
    /// `x-should-retry` header, the body's `retryable`, the envelope's rules by code or
    /// message): `true`, `false`, or `null` when it says nothing and the status decides.
    #[serde(default, deserialize_with = "present")]
    pub retry_verdict: Option<Value>,
    /// The error's message (`Display`) contains this.
    #[serde(default)]
    pub display_contains: Option<String>,
    /// Validation: the paths of the violations, in order.
    #[serde(default)]
    pub violations: Option<Vec<String>>,
    /// Job: how it ended (`failed`, `moderated`, `expired`, `deadline exceeded`).
    #[serde(default)]
    pub job_state: Option<String>,
    /// Job: the last status text the server gave (`Content Moderated`).
    #[serde(default)]
    pub job_status: Option<String>,
    /// Job: the polls sent.
    #[serde(default)]
    pub job_polls: Option<u32>,
}

/// Distinguishes `"code": null` (must be absent) from no `code` key (not checked).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// `request.json`: one request every received request must match (retries resend it),
/// or a list matched in order, request `n` against item `n` (a job: the submit, each
/// poll, the download).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Requests {
    Every(Box<RequestFile>),
    InOrder(Vec<RequestFile>),
}

impl Requests {
    /// What request number `n` (from 0) must be; `None` past the end of a list.
    pub fn nth(&self, n: usize) -> Option<&RequestFile> {
        match self {
            Requests::Every(request) => Some(request),
            Requests::InOrder(list) => list.get(n),
        }
    }
}

/// One case folder, loaded.
#[derive(Debug)]
pub struct Case {
    /// Operation id, the folder's parent.
    pub operation: String,
    pub dir: PathBuf,
    pub call: CallFile,
    pub request: Option<Requests>,
    pub responses: Vec<ResponseSpec>,
    pub expect: ExpectFile,
}

fn read_json<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>, String> {
    let path = dir.join(name);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    serde_json::from_str(&text).map(Some).map_err(|e| format!("{name}: {e}"))
}

/// Reads a file named by a fixture, relative to the case folder and never outside it.
pub fn read_case_file(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    if Path::new(name).is_absolute() || name.split(['/', '\\']).any(|c| c == "..") {
        return Err(format!("`{name}`: fixture files must stay inside the case folder"));
    }
    std::fs::read(dir.join(name)).map_err(|e| format!("`{name}`: cannot read: {e}"))
}

/// Reads a JSON body given inline or as a file.
pub fn json_body(dir: &Path, inline: &Option<Value>, file: &Option<String>) -> Result<Option<Value>, String> {
    match (inline, file) {
        (Some(_), Some(_)) => Err("give `body` or `body_file`, not both".to_string()),
        (Some(v), None) => Ok(Some(v.clone())),
        (None, Some(f)) => {
            let bytes = read_case_file(dir, f)?;
            serde_json::from_slice(&bytes).map(Some).map_err(|e| format!("`{f}` is not JSON: {e}"))
        }
        (None, None) => Ok(None),
    }
}

impl Case {
    /// Loads the case in `dir`, a case of `operation`.
    pub fn load(dir: &Path, operation: &str) -> Result<Self, String> {
        let call: CallFile = read_json(dir, "call.json")?.ok_or("call.json is missing")?;
        let expect: ExpectFile = read_json(dir, "expect.json")?.ok_or("expect.json is missing")?;
        let request: Option<Requests> = read_json(dir, "request.json")?;
        let responses: Vec<ResponseSpec> = read_json(dir, "responses.json")?.unwrap_or_default();
        let outcomes = [expect.response.is_some(), expect.stream.is_some(), expect.error.is_some()];
        if outcomes.iter().filter(|o| **o).count() != 1 {
            return Err("expect.json must hold exactly one of `response`, `stream`, `error`".to_string());
        }
        if expect.requests > 0 && (request.is_none() || responses.is_empty()) {
            return Err("a case that sends requests needs request.json and responses.json".to_string());
        }
        if let Some(Requests::InOrder(list)) = &request {
            if list.len() != expect.requests {
                return Err(format!(
                    "request.json lists {} requests, expect.json `requests` says {}",
                    list.len(),
                    expect.requests
                ));
            }
        }
        if !call.wait && (expect.progress.is_some() || expect.poll_waits_ms.is_some()) {
            return Err("`progress` and `poll_waits_ms` need `\"wait\": true` in call.json".to_string());
        }
        Ok(Self { operation: operation.to_string(), dir: dir.to_path_buf(), call, request, responses, expect })
    }
}
