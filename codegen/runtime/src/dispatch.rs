//! Calling an operation by name with a JSON request: what the `imagegen` CLI
//! and the conformance suite use. Each provider module emits an operation
//! table and a `call` function on top of these types.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::fields::RequestProblem;
use super::image::CollectImages;
use super::response::Response;
use super::save_as_arrived::{SaveImagesTo, SavedImages};
use super::{Base64Data, Constraint, Error, FilePart, JobProgress, PollPolicy, ValidationError, Violation};

/// How an operation's request travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    None,
    /// A JSON body.
    Json,
    /// A `multipart/form-data` body.
    Multipart,
}

/// The value type of a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// One of these values (open enums accept others too).
    Choice {
        /// The documented values.
        values: &'static [&'static str],
        /// Other documented spellings of some of them, accepted as they are.
        aliases: &'static [ValueAlias],
        /// Whether other values are accepted.
        open: bool,
    },
}

/// A documented second spelling of a choice value (`nano-banana-2` for
/// `google/gemini-3.1-flash-image`): the API accepts it, so a command line must too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueAlias {
    /// The alias as typed and sent.
    pub alias: &'static str,
    /// The value it stands for.
    pub value: &'static str,
    /// Why it should no longer be used, when the spec retired it.
    pub deprecated: Option<&'static str>,
}

/// A scalar field of the request (top-level or inside nested objects) or a
/// path parameter, exposed as a command-line flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagSpec {
    /// Wire name of the field or parameter.
    pub wire: &'static str,
    /// Wire path from the body's root (`imageConfig.aspectRatio`); equals `wire`
    /// for a top-level field or a path parameter.
    pub path: &'static str,
    /// Flag name without dashes (`aspect-ratio`, `image-config.aspect-ratio`).
    pub flag: &'static str,
    /// Value type.
    pub kind: FlagKind,
    /// One-line help from the spec.
    pub help: &'static str,
    /// Whether the request needs it (a nested field only when every enclosing object is required too).
    pub required: bool,
    /// Why the field should no longer be used, when the spec deprecates it.
    pub deprecated: Option<&'static str>,
}

/// How an image read from a file is written into a JSON request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageEncoding {
    /// Plain base64 text.
    Base64,
    /// A `data:<mime>;base64,...` URL.
    DataUrl,
}

/// A request field that holds images, filled from files (`--reference-image cat.png`).
/// Each file becomes one item: the encoded image alone, or an object with the
/// encoded image at `data` and the sniffed MIME type at `mime_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageFieldSpec {
    /// Flag name without dashes.
    pub flag: &'static str,
    /// Wire path of the field from the body's root (`referenceImages`, `contents[0].parts`).
    pub path: &'static str,
    /// Whether the field is a list the files are appended to (else one file replaces it).
    pub many: bool,
    /// How the image bytes are written.
    pub encoding: ImageEncoding,
    /// Wire path of the encoded image inside each item (`inlineData.data`); empty when the item is the encoded image itself.
    pub data: &'static str,
    /// Wire path of the MIME type inside each item (`inlineData.mimeType`), when the item has one.
    pub mime_type: Option<&'static str>,
    /// One-line help from the spec.
    pub help: &'static str,
}

/// A file field of a multipart operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpec {
    /// Wire (part) name.
    pub wire: &'static str,
    /// Flag name without dashes.
    pub flag: &'static str,
    /// Whether several files may be given.
    pub many: bool,
    /// Whether at least one file is required.
    pub required: bool,
    /// One-line help from the spec.
    pub help: &'static str,
}

/// Whether and how an operation streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streaming {
    /// Never streams.
    No,
    /// Streams when this boolean request field is true.
    Flag(&'static str),
    /// Always streams.
    Always,
}

/// One operation as the CLI and the conformance suite see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    /// Operation id (`generate_image`).
    pub id: &'static str,
    /// Subcommand (`generate-image`).
    pub command: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// How the request travels.
    pub body: BodyKind,
    /// Path parameters.
    pub path_params: &'static [FlagSpec],
    /// Top-level scalar fields of the request.
    pub flags: &'static [FlagSpec],
    /// File fields (multipart only).
    pub files: &'static [FileSpec],
    /// JSON fields that hold images, fillable from files.
    pub images: &'static [ImageFieldSpec],
    /// Wire paths of the response's text parts (`candidates[].content.parts[].text`),
    /// `[]` standing for every item of a list.
    pub texts: &'static [&'static str],
    /// Streaming support.
    pub streaming: Streaming,
    /// The async job the operation starts, if it starts one: a call with
    /// [`Call::wait`] then polls it until it ends.
    pub job: Option<JobSpec>,
}

/// An async job an operation starts, as a call by name can wait for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSpec {
    /// Where the finished job's result URL is in the status answer (`result.sample`),
    /// when the spec says: a waited call downloads it.
    pub result_url: Option<&'static str>,
}

/// Called after every answered poll of a waited call.
pub type ProgressFn = dyn Fn(&JobProgress<'_>) + Send + Sync;

/// How a call by name waits for the job its operation starts: poll until the job ends,
/// then download its result when the spec says where it is.
#[derive(Clone, Default)]
pub struct Wait {
    /// Changes the operation's documented pace (another deadline; a sleep hook in
    /// tests); `None` keeps it.
    pub pace: Option<Arc<dyn Fn(PollPolicy) -> PollPolicy + Send + Sync>>,
    /// Called after every answered poll (the CLI's progress line).
    pub progress: Option<Arc<ProgressFn>>,
}

impl std::fmt::Debug for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait").field("pace", &self.pace.is_some()).field("progress", &self.progress.is_some()).finish()
    }
}

impl Wait {
    /// The pace to poll at: the operation's documented one, changed by [`Self::pace`].
    pub fn policy(&self, documented: PollPolicy) -> PollPolicy {
        match &self.pace {
            Some(change) => change(documented),
            None => documented,
        }
    }

    /// Hands one poll's reading to [`Self::progress`].
    pub fn report(&self, progress: &JobProgress<'_>) {
        if let Some(report) = &self.progress {
            report(progress);
        }
    }
}

/// Refuses [`Call::wait`] for an operation that starts no job: the caller asked for a
/// finished result, and a plain call would silently return something else.
pub fn check_wait(operations: &[OperationSpec], operation: &str, call: &Call) -> Result<(), Error> {
    let starts_job = operations.iter().any(|op| op.id == operation && op.job.is_some());
    if call.wait.is_some() && !starts_job {
        return Err(invalid("", format!("operation `{operation}` starts no job to wait for")));
    }
    Ok(())
}

/// The arguments of a call by name.
#[derive(Debug, Clone, Default)]
pub struct Call {
    /// Path parameter values by name.
    pub path_params: BTreeMap<String, String>,
    /// The request body (or, for multipart, its text fields) as JSON.
    pub body: serde_json::Value,
    /// Files by part name (multipart only).
    pub files: BTreeMap<String, Vec<FilePart>>,
    /// Ask for a streamed response.
    pub stream: bool,
    /// Query parameters as a server received them, in order. A call by name gives every
    /// field of the request in `body`, those sent in the query too; a mock server puts
    /// what it received here, and `check` reads it back into the fields it came from.
    pub query: Vec<(String, String)>,
    /// Request headers as a server received them, likewise.
    pub headers: Vec<(String, String)>,
    /// For an operation that starts a job: wait for it to end (and download its
    /// result) instead of returning the submit answer.
    pub wait: Option<Wait>,
    /// Write the answer's images to disk as they are decoded
    /// ([`RequestOptions::save_images_to`](super::RequestOptions::save_images_to)): a
    /// JSON answer's [`Outcome::Response`] then lists the files in `saved`.
    pub save_images: Option<SaveImagesTo>,
}

impl Call {
    /// The options of the handle a call that saves its images goes through.
    #[doc(hidden)]
    pub fn save_images_options(&self) -> Option<super::RequestOptions> {
        let to = self.save_images.as_ref()?;
        Some(super::RequestOptions::new().save_images_to(to.dir(), to.stem()))
    }
}

/// Where a request field travels outside the body (`in: query`, `in: header`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A query parameter; a list repeats its key, or with `comma` is one comma-separated value.
    Query {
        /// The list is one comma-separated value.
        comma: bool,
    },
    /// A request header.
    Header,
}

/// A request field sent outside the body, as a received request is read back into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// The field's wire name: the query parameter or the header.
    pub wire: &'static str,
    /// Where it travels.
    pub location: ParamLocation,
    /// The type of one value, so `?limit=10` reads as the number 10.
    pub kind: FlagKind,
    /// Whether the field is a list.
    pub many: bool,
}

/// The call's body with the query parameters and headers `params` names put back as
/// the fields they came from, typed by their kind (text that does not parse stays text,
/// so validation reports it at its field), so the request reads as one value.
///
/// An `accept` field is only taken from a value it lists: when the field is unset the
/// client sends an `Accept` of its own, which is not the field's.
pub fn body_with_params(call: &Call, params: &[ParamSpec]) -> serde_json::Value {
    let mut body = match &call.body {
        serde_json::Value::Null => serde_json::Map::new(),
        serde_json::Value::Object(map) => map.clone(),
        // Not an object: the request's own reader reports it.
        other => return other.clone(),
    };
    for spec in params {
        let received: Vec<&str> = match spec.location {
            ParamLocation::Query { comma } => {
                let values = call.query.iter().filter(|(k, _)| k == spec.wire).map(|(_, v)| v.as_str());
                if comma && spec.many {
                    values.flat_map(|v| v.split(',')).collect()
                } else {
                    values.collect()
                }
            }
            ParamLocation::Header => {
                let values = call.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(spec.wire));
                values.map(|(_, v)| v.as_str()).filter(|v| !is_clients_own_accept(spec, v)).collect()
            }
        };
        let mut typed = received.into_iter().map(|text| typed_text(spec.kind, text));
        let value = if spec.many {
            let items: Vec<serde_json::Value> = typed.collect();
            if items.is_empty() {
                continue;
            }
            serde_json::Value::Array(items)
        } else {
            match typed.next() {
                Some(value) => value,
                None => continue,
            }
        };
        body.insert(spec.wire.to_string(), value);
    }
    serde_json::Value::Object(body)
}

/// An `Accept` the client sent itself: the field is a closed list that does not have it.
fn is_clients_own_accept(spec: &ParamSpec, value: &str) -> bool {
    let FlagKind::Choice { values, aliases, open: false } = spec.kind else { return false };
    spec.wire.eq_ignore_ascii_case("accept") && !values.contains(&value) && !aliases.iter().any(|a| a.alias == value)
}

/// A received text as the JSON value its kind says.
fn typed_text(kind: FlagKind, text: &str) -> serde_json::Value {
    match kind {
        FlagKind::Integer | FlagKind::Number | FlagKind::Boolean => {
            serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
        }
        FlagKind::String | FlagKind::Choice { .. } => serde_json::Value::String(text.to_string()),
    }
}

/// A request that has no body (a GET's parameters) from a call's JSON: `null` (a call
/// with no flags) reads as an empty object, so a request of optional fields needs none.
pub fn params_from_json<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, Error> {
    match body {
        serde_json::Value::Null => request_from_json(serde_json::Value::Object(serde_json::Map::new())),
        body => request_from_json(body),
    }
}

/// One event of a streamed call.
#[derive(Debug, Clone)]
pub struct StreamItem {
    /// Event name, if known.
    pub event: Option<String>,
    /// The event's data, kept typed like [`Outcome::Response`]'s answer: a partial or
    /// final image is not encoded as base64 again for each event, only when
    /// [`AnswerJson::to_value`] is asked.
    pub data: AnswerJson,
    /// Images the event carries: the decoded buffers themselves, shared with `data`.
    pub images: Vec<Base64Data>,
    /// Whether the event completes the stream.
    pub terminal: bool,
}

impl StreamItem {
    /// Builds an item from a typed event payload, keeping it (its images shared, not copied).
    pub fn new<T: Serialize + CollectImages + Send + Sync + 'static>(
        event: Option<&str>,
        data: T,
        terminal: bool,
    ) -> Self {
        Self {
            event: event.map(str::to_string),
            images: data.images().into_iter().cloned().collect(),
            data: AnswerJson::new(data),
            terminal,
        }
    }

    /// Builds an item from a typed event payload that cannot carry images.
    pub fn without_images<T: Serialize + Send + Sync + 'static>(event: Option<&str>, data: T, terminal: bool) -> Self {
        Self { event: event.map(str::to_string), data: AnswerJson::new(data), images: Vec::new(), terminal }
    }
}

/// A boxed stream of events.
pub type ItemStream = Pin<Box<dyn Stream<Item = Result<StreamItem, Error>> + Send>>;

/// The result of a call by name.
pub enum Outcome {
    /// A JSON response (or a raw body, described): the answer, plus every image it carries.
    Response {
        /// The typed answer, turned into JSON only when asked: whole
        /// ([`AnswerJson::to_value`], the conformance suite) or with its images shown
        /// by size ([`AnswerJson::summary`], what the CLI prints).
        json: AnswerJson,
        /// Images in the response, in order: the decoded buffers themselves (a
        /// clone of a [`Base64Data`] shares its bytes).
        images: Vec<Base64Data>,
        /// The files its images were written to as they arrived, and the images that
        /// could not be written, when the call was made through a client handle with
        /// [`RequestOptions::save_images_to`](super::RequestOptions::save_images_to)
        /// (empty otherwise: the caller saves `images` itself).
        saved: SavedImages,
    },
    /// A stream of events.
    Stream(ItemStream),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Response { json, images, saved } => f
                .debug_struct("Response")
                .field("json", json)
                .field("images", &images.len())
                .field("saved", &saved.saved.len())
                .finish(),
            Outcome::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// The answer of a call by name, kept typed until its JSON is asked for.
///
/// A call by name used to turn every answer into a `serde_json::Value` at once,
/// which encodes each image as base64 again (24 MB of text for a 4K image, more
/// time than the call): the CLI only prints a summary with the images elided, so
/// the encoding now happens only for a caller that asks for the whole JSON.
/// Cloning one shares the answer.
#[derive(Clone)]
pub struct AnswerJson(Arc<dyn AnswerValue>);

/// A typed answer that can become JSON.
trait AnswerValue: Send + Sync {
    fn to_value(&self) -> serde_json::Value;
    fn summary(&self) -> serde_json::Value;
}

impl<T: Serialize + Send + Sync> AnswerValue for T {
    fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    fn summary(&self) -> serde_json::Value {
        super::base64::to_json_elided(self).unwrap_or(serde_json::Value::Null)
    }
}

impl AnswerJson {
    /// Keeps a typed answer (cloning one shares its images' bytes).
    pub fn new<T: Serialize + Send + Sync + 'static>(answer: T) -> Self {
        Self(Arc::new(answer))
    }

    /// The answer as JSON, every image encoded as base64 as the server sent it.
    pub fn to_value(&self) -> serde_json::Value {
        self.0.to_value()
    }

    /// The answer as JSON with every image of at least
    /// [`ELIDED_MIN_CHARS`](super::base64::ELIDED_MIN_CHARS) base64 characters shown as
    /// `<base64, N chars>` ([`elided`](super::base64::elided)), never encoded.
    pub fn summary(&self) -> serde_json::Value {
        self.0.summary()
    }
}

impl From<serde_json::Value> for AnswerJson {
    fn from(value: serde_json::Value) -> Self {
        Self::new(value)
    }
}

// The summary: an answer's images are megabytes of noise in a log line.
impl std::fmt::Debug for AnswerJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.summary())
    }
}

impl Outcome {
    /// Wraps a typed response: its images are shared, not copied, and it is not
    /// turned into JSON until [`AnswerJson`] is asked.
    pub fn response<T: Serialize + CollectImages + Clone + Send + Sync + 'static>(response: &T) -> Self {
        Self::typed(response.clone(), SavedImages::default())
    }

    /// [`Self::response`] of a response read with its head: the files its images were
    /// written to as they arrived go with it.
    pub fn saved_response<T: Serialize + CollectImages + Send + Sync + 'static>(response: Response<T>) -> Self {
        let saved = response.save_report().clone();
        Self::typed(response.into_value(), saved)
    }

    /// A typed answer kept as it is, its images shared.
    fn typed<T: Serialize + CollectImages + Send + Sync + 'static>(answer: T, saved: SavedImages) -> Self {
        Outcome::Response {
            images: answer.images().into_iter().cloned().collect(),
            json: AnswerJson::new(answer),
            saved,
        }
    }

    /// Wraps a finished job's status answer and its downloaded result, if any.
    /// The answer stays typed: a finished job's answer may carry a base64 image too.
    pub fn finished_job<T: Serialize + Clone + Send + Sync + 'static>(
        answer: &T,
        result: Option<super::BinaryBody>,
    ) -> Self {
        Outcome::Response {
            json: AnswerJson::new(answer.clone()),
            images: result.map(|body| Base64Data::from_bytes(body.into_bytes())).into_iter().collect(),
            saved: SavedImages::default(),
        }
    }

    /// Wraps a typed response that cannot carry images.
    pub fn without_images<T: Serialize + Clone + Send + Sync + 'static>(response: &T) -> Self {
        Outcome::Response { json: AnswerJson::new(response.clone()), images: Vec::new(), saved: SavedImages::default() }
    }

    /// Wraps a typed event stream, converting each event with `convert`.
    pub fn stream<E: Send + 'static>(
        stream: impl Stream<Item = Result<E, Error>> + Send + 'static,
        convert: fn(E) -> StreamItem,
    ) -> Self {
        Outcome::Stream(Box::pin(stream.map(move |item| item.map(convert))))
    }
}

fn invalid(path: &str, message: String) -> Error {
    Error::Validation(ValidationError::single(Violation {
        path: path.to_string(),
        rule: Constraint::Encoding { expected: "a value of the documented type" },
        message,
    }))
}

/// Parses a JSON request body into its typed request; a mismatch (a key the type
/// does not know, a value of the wrong type) is a validation error at its path.
/// Extra fields are written under [`EXPLICIT_EXTRA_KEY`](super::fields::EXPLICIT_EXTRA_KEY).
pub fn request_from_json<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, Error> {
    super::fields::parse_request(body).map_err(|e| {
        let rule = match e.problem {
            RequestProblem::UnknownField { suggestion } => Constraint::UnknownField { suggestion },
            RequestProblem::ExtraNamesTypedField => Constraint::ExtraFieldCollision,
            RequestProblem::Value => Constraint::Encoding { expected: "a value of the documented type" },
        };
        Error::Validation(ValidationError::single(Violation { path: e.path, rule, message: e.message }))
    })
}

/// Refuses text fields and files a multipart form does not have: a typo would
/// otherwise be dropped and the call go out without it. Every unknown name is listed.
pub fn check_form_names(call: &Call, known: &[&str]) -> Result<(), Error> {
    let text_names = call.body.as_object().into_iter().flat_map(|fields| fields.keys());
    let violations: Vec<Violation> = text_names
        .chain(call.files.keys())
        .filter(|name| !known.contains(&name.as_str()))
        .map(|name| {
            let (suggestion, hint) = super::fields::unknown_key_hint(name, known);
            Violation {
                path: name.clone(),
                rule: Constraint::UnknownField { suggestion: suggestion.map(str::to_string) },
                message: format!("unknown form field `{name}`{hint}"),
            }
        })
        .collect();
    match ValidationError::from_violations(violations) {
        None => Ok(()),
        Some(error) => Err(Error::Validation(error)),
    }
}

/// Reads an optional text field of a multipart call.
pub fn form_field<T: DeserializeOwned>(call: &Call, wire: &str) -> Result<Option<T>, Error> {
    match call.body.get(wire) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone()).map(Some).map_err(|e| invalid(wire, e.to_string())),
    }
}

/// Reads a required text field of a multipart call.
pub fn required_form_field<T: DeserializeOwned>(call: &Call, wire: &str) -> Result<T, Error> {
    form_field(call, wire)?.ok_or_else(|| invalid(wire, "required field is missing".to_string()))
}

/// The files given for a part name.
pub fn form_files(call: &Call, wire: &str) -> Vec<FilePart> {
    call.files.get(wire).cloned().unwrap_or_default()
}

/// The single file given for a part name, if any.
pub fn form_file(call: &Call, wire: &str) -> Option<FilePart> {
    call.files.get(wire).and_then(|files| files.first().cloned())
}

/// The single required file for a part name.
pub fn required_form_file(call: &Call, wire: &str) -> Result<FilePart, Error> {
    form_file(call, wire).ok_or_else(|| invalid(wire, "a file is required".to_string()))
}

/// A path parameter parsed into its type.
pub fn path_param<T: DeserializeOwned>(call: &Call, name: &str) -> Result<T, Error> {
    let raw = call.path_params.get(name).ok_or_else(|| invalid(name, format!("path parameter `{name}` is missing")))?;
    serde_json::from_value(serde_json::Value::String(raw.clone())).map_err(|e| invalid(name, e.to_string()))
}

/// An operation name no provider module knows.
pub fn unknown_operation(operation: &str) -> Error {
    invalid("", format!("unknown operation `{operation}`"))
}

/// A call in flight, boxed so providers can sit in one table.
pub type BoxedCall = Pin<Box<dyn std::future::Future<Output = Result<Outcome, Error>> + Send>>;

/// One provider compiled into the crate, callable by name.
#[derive(Clone, Copy)]
pub struct ProviderEntry {
    /// The provider's facts.
    pub info: &'static super::ProviderInfo,
    /// Its operations.
    pub operations: &'static [OperationSpec],
    /// Builds a client from the config and calls an operation by id.
    pub call: fn(&super::ClientConfig, &str, Call) -> BoxedCall,
}

impl std::fmt::Debug for ProviderEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderEntry")
            .field("name", &self.info.name)
            .field("operations", &self.operations.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: ParamSpec = ParamSpec {
        wire: "limit",
        location: ParamLocation::Query { comma: false },
        kind: FlagKind::Integer,
        many: false,
    };
    const TAGS: ParamSpec =
        ParamSpec { wire: "tags", location: ParamLocation::Query { comma: true }, kind: FlagKind::String, many: true };
    const IDS: ParamSpec =
        ParamSpec { wire: "id", location: ParamLocation::Query { comma: false }, kind: FlagKind::Integer, many: true };
    const ACCEPT: ParamSpec = ParamSpec {
        wire: "accept",
        location: ParamLocation::Header,
        kind: FlagKind::Choice { values: &["image/*", "application/json"], aliases: &[], open: false },
        many: false,
    };

    fn received(query: &[(&str, &str)], headers: &[(&str, &str)]) -> Call {
        let pairs = |items: &[(&str, &str)]| items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Call {
            body: serde_json::json!({"prompt": "a cat"}),
            query: pairs(query),
            headers: pairs(headers),
            ..Call::default()
        }
    }

    const fn operation(id: &'static str, job: Option<JobSpec>) -> OperationSpec {
        OperationSpec {
            id,
            command: id,
            summary: "",
            body: BodyKind::Json,
            path_params: &[],
            flags: &[],
            files: &[],
            images: &[],
            texts: &[],
            streaming: Streaming::No,
            job,
        }
    }

    #[derive(Clone, Serialize)]
    struct Generated {
        image: Base64Data,
        revised_prompt: &'static str,
    }

    impl CollectImages for Generated {
        fn collect_images<'a>(&'a self, out: &mut Vec<&'a Base64Data>) {
            out.push(&self.image);
        }
    }

    #[test]
    fn a_response_shares_its_images_and_encodes_them_only_when_asked() {
        let bytes = bytes::Bytes::from(vec![9u8; 600]);
        let answer = Generated { image: Base64Data::from_bytes(bytes.clone()), revised_prompt: "a red lighthouse" };
        let Outcome::Response { json, images, .. } = Outcome::response(&answer) else { panic!("a response") };
        assert_eq!(images.len(), 1);
        assert_eq!(images[0].bytes().as_ptr(), bytes.as_ptr(), "the image is the decoded buffer, not a copy");
        assert_eq!(
            json.summary(),
            serde_json::json!({"image": "<base64, 800 chars>", "revised_prompt": "a red lighthouse"})
        );
        assert_eq!(json.to_value()["image"], serde_json::json!(answer.image.to_base64()));
        assert_eq!(
            format!("{json:?}"),
            r#"{"image":"<base64, 800 chars>","revised_prompt":"a red lighthouse"}"#,
            "Debug shows the summary"
        );
    }

    #[test]
    fn a_stream_item_shares_its_images_and_encodes_them_only_when_asked() {
        let bytes = bytes::Bytes::from(vec![7u8; 600]);
        let event = Generated { image: Base64Data::from_bytes(bytes.clone()), revised_prompt: "a lighthouse" };
        let item = StreamItem::new(Some("image_generation.partial_image"), event.clone(), false);
        assert_eq!(item.images.len(), 1);
        assert_eq!(item.images[0].bytes().as_ptr(), bytes.as_ptr(), "the image is the decoded buffer, not a copy");
        assert_eq!(item.data.summary()["image"], serde_json::json!("<base64, 800 chars>"));
        assert_eq!(
            item.data.to_value(),
            serde_json::json!({"image": event.image.to_base64(), "revised_prompt": "a lighthouse"})
        );
        let copy = item.clone();
        assert_eq!(copy.images[0].bytes().as_ptr(), bytes.as_ptr(), "a cloned item shares the buffer too");
    }

    #[test]
    fn a_finished_jobs_answer_stays_typed() {
        let answer = Generated { image: Base64Data::from_bytes(vec![5u8; 600]), revised_prompt: "done" };
        let Outcome::Response { json, images, .. } = Outcome::finished_job(&answer, None) else { panic!("a response") };
        assert!(images.is_empty(), "no result was downloaded");
        assert_eq!(json.summary()["image"], serde_json::json!("<base64, 800 chars>"));
        assert_eq!(json.to_value()["image"], serde_json::json!(answer.image.to_base64()));
    }

    #[test]
    fn waiting_is_refused_for_an_operation_that_starts_no_job() {
        let ops =
            [operation("generate", Some(JobSpec { result_url: Some("result.sample") })), operation("credits", None)];
        let waiting = Call { wait: Some(Wait::default()), ..Call::default() };
        assert!(check_wait(&ops, "generate", &waiting).is_ok());
        let refused = check_wait(&ops, "credits", &waiting).expect_err("credits starts no job");
        assert!(refused.to_string().contains("starts no job"), "{refused}");
        assert!(check_wait(&ops, "credits", &Call::default()).is_ok(), "a plain call is not a wait");
    }

    #[test]
    fn a_wait_changes_the_documented_pace_and_reports_each_poll() {
        let documented = PollPolicy::fixed(std::time::Duration::from_millis(500), std::time::Duration::from_secs(600));
        assert_eq!(Wait::default().policy(documented.clone()).deadline, std::time::Duration::from_secs(600));
        let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&seen);
        let wait = Wait {
            pace: Some(Arc::new(|p: PollPolicy| p.with_deadline(std::time::Duration::from_secs(5)))),
            progress: Some(Arc::new(move |p: &JobProgress<'_>| log.lock().unwrap().push(p.status.to_string()))),
        };
        assert_eq!(wait.policy(documented).deadline, std::time::Duration::from_secs(5));
        assert_eq!(format!("{wait:?}"), "Wait { pace: true, progress: true }");
        wait.report(&JobProgress {
            state: super::super::JobState::Pending,
            status: "Pending",
            polls: 1,
            elapsed: std::time::Duration::ZERO,
            next_poll_in: None,
        });
        assert_eq!(*seen.lock().unwrap(), ["Pending"]);
    }

    #[test]
    fn query_parameters_and_headers_go_back_into_their_fields_typed() {
        let call = received(
            &[("limit", "10"), ("tags", "a,b"), ("id", "1"), ("id", "2"), ("other", "x")],
            &[("Accept", "application/json")],
        );
        let body = body_with_params(&call, &[LIMIT, TAGS, IDS, ACCEPT]);
        assert_eq!(
            body,
            serde_json::json!({
                "prompt": "a cat", "limit": 10, "tags": ["a", "b"], "id": [1, 2], "accept": "application/json"
            })
        );
    }

    #[test]
    fn the_clients_own_accept_and_missing_parameters_leave_their_fields_unset() {
        let call = received(&[("limit", "ten")], &[("accept", "application/json, image/*")]);
        let body = body_with_params(&call, &[LIMIT, TAGS, IDS, ACCEPT]);
        // Text that does not parse stays text, for validation to report at its field.
        assert_eq!(body, serde_json::json!({"prompt": "a cat", "limit": "ten"}));
    }
}
