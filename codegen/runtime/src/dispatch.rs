//! Calling an operation by name with a JSON request: what the `imagegen` CLI
//! and the conformance suite use. Each provider module emits an operation
//! table and a `call` function on top of these types.

use std::collections::BTreeMap;
use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::fields::RequestProblem;
use super::image::CollectImages;
use super::{Base64Data, Constraint, Error, FilePart, ValidationError, Violation};

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
}

/// One event of a streamed call.
#[derive(Debug, Clone)]
pub struct StreamItem {
    /// Event name, if known.
    pub event: Option<String>,
    /// The event's data as JSON.
    pub data: serde_json::Value,
    /// Images the event carries.
    pub images: Vec<Base64Data>,
    /// Whether the event completes the stream.
    pub terminal: bool,
}

impl StreamItem {
    /// Builds an item from a typed event payload.
    pub fn new<T: Serialize + CollectImages>(event: Option<&str>, data: &T, terminal: bool) -> Self {
        Self {
            event: event.map(str::to_string),
            data: serde_json::to_value(data).unwrap_or(serde_json::Value::Null),
            images: data.images().into_iter().cloned().collect(),
            terminal,
        }
    }

    /// Builds an item from a typed event payload that cannot carry images.
    pub fn without_images<T: Serialize>(event: Option<&str>, data: &T, terminal: bool) -> Self {
        Self {
            event: event.map(str::to_string),
            data: serde_json::to_value(data).unwrap_or(serde_json::Value::Null),
            images: Vec::new(),
            terminal,
        }
    }
}

/// A boxed stream of events.
pub type ItemStream = Pin<Box<dyn Stream<Item = Result<StreamItem, Error>> + Send>>;

/// The result of a call by name.
pub enum Outcome {
    /// A JSON response: as JSON, plus every image it carries.
    Response {
        /// The typed response, serialized back to JSON.
        json: serde_json::Value,
        /// Images in the response, in order.
        images: Vec<Base64Data>,
    },
    /// A stream of events.
    Stream(ItemStream),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Response { json, images } => {
                f.debug_struct("Response").field("json", json).field("images", &images.len()).finish()
            }
            Outcome::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

impl Outcome {
    /// Wraps a typed response.
    pub fn response<T: Serialize + CollectImages>(response: &T) -> Self {
        Outcome::Response {
            json: serde_json::to_value(response).unwrap_or(serde_json::Value::Null),
            images: response.images().into_iter().cloned().collect(),
        }
    }

    /// Wraps a typed response that cannot carry images.
    pub fn without_images<T: Serialize>(response: &T) -> Self {
        Outcome::Response {
            json: serde_json::to_value(response).unwrap_or(serde_json::Value::Null),
            images: Vec::new(),
        }
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
