//! The hand-written runtime the generated clients call: client configuration,
//! auth, transport, retries, errors, streaming, multipart and payload helpers.
//!
//! Nothing here is generated and nothing here knows about specs; emitted code
//! in the provider modules calls these types.

pub mod base64;
pub mod binary;
pub mod client;
pub mod config;
mod destination;
mod disk_space;
// Call-by-name for the CLI and the conformance suite.
#[doc(hidden)]
pub mod dispatch;
pub mod envelope;
pub mod error;
mod error_text;
pub mod fields;
pub mod file;
pub mod image;
pub mod jobs;
// JSON comparison by meaning, for the conformance suite.
#[doc(hidden)]
pub mod json;
pub mod json_body;
pub mod json_stream;
pub mod models;
pub mod multipart;
// The readers of a response's lists and maps that leave `null` items out, for generated code.
#[doc(hidden)]
pub mod null_items;
pub mod nullable;
pub mod observe;
pub mod one_or_many;
mod options;
mod params;
pub mod provider;
mod redact;
pub mod response;
pub mod retry;
#[cfg(any(feature = "tracing", feature = "testing"))]
mod route;
pub mod save_as_arrived;
pub mod sse;
#[cfg(feature = "testing")]
pub mod testing;
mod trace;
mod transport;
pub mod validate;
pub mod wire;
pub mod wire_request;

pub use self::base64::Base64Data;
pub use self::binary::{BinaryBody, FromHeaders, JsonOrBinary, RawAnswer};
pub use self::client::{same_origin_redirect_policy, ClientBuilder, HttpClient, ProviderClient, StreamReply};
pub use self::config::ClientConfig;
pub use self::envelope::{Envelope, ErrorEnvelope};
pub use self::error::{ApiError, Error};
pub use self::file::FilePart;
pub use self::jobs::{JobError, JobErrorKind, JobProgress, JobResultError, JobState, PollPolicy};
pub use self::models::{Capability, ModelInfo};
pub use self::multipart::MultipartForm;
pub use self::nullable::Nullable;
pub use self::observe::{HttpEvent, Observer};
pub use self::one_or_many::OneOrMany;
pub use self::options::RequestOptions;
pub use self::params::RequestParams;
pub use self::provider::{
    encode_path_segment, AuthScheme, Method, OperationInfo, ProviderHeader, ProviderInfo, StatusRetry, TokenKind,
    TokenUsage,
};
pub use self::response::Response;
pub use self::retry::{Jitter, RetryPolicy};
pub use self::save_as_arrived::{SaveImagesTo, SavedImage, SavedImages, UnsavedImage};
pub use self::sse::{EventStream, SseEvent};
// The engines generated code drives: the SSE parser and the validator it reports into.
#[doc(hidden)]
pub use self::sse::{RawEvent, SseParser};
#[doc(hidden)]
pub use self::validate::Validator;
pub use self::validate::{
    AsScalar, Constraint, ImageLimit, Scalar, Validate, ValidationError, Violation, Warning, Warnings,
};
pub use self::wire_request::{Redacted, WireBody, WireRequest};
