//! What a mock server found wrong with a request it received: one variant per
//! kind of mistake, each answered with the status a real server would use.

use std::fmt;

use crate::{AuthScheme, Violation};

/// A way a received request departs from its provider's spec. The mock answers
/// such a request with an error in the provider's envelope and records the
/// problem on the [`ReceivedRequest`](super::ReceivedRequest).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// No operation of the provider has this method and path.
    UnknownRoute {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
    },
    /// No header the operation accepts carried the API key.
    MissingKey {
        /// The schemes the operation accepts.
        accepted: Vec<AuthScheme>,
    },
    /// An accepted auth header (or query parameter) was present but did not hold the mock's key.
    WrongKey {
        /// The header (or query parameter) that held another value.
        header: &'static str,
    },
    /// The `content-type` does not fit how the operation's request travels.
    ContentType {
        /// What the operation sends (`application/json`, `multipart/form-data`, no body).
        expected: &'static str,
        /// What the request said, if anything.
        found: Option<String>,
    },
    /// The body is larger than the operation's documented maximum
    /// ([`OperationInfo::max_request_bytes`](crate::OperationInfo::max_request_bytes)):
    /// answered 413 before the body is parsed, as the real server refuses it.
    TooLarge {
        /// The body's size in bytes.
        size: u64,
        /// The most the operation takes.
        max: u64,
    },
    /// The body could not be read as JSON or as a multipart form.
    UnreadableBody {
        /// Why.
        message: String,
    },
    /// The body parsed but is not a valid request of the operation: an unknown
    /// field, a value of the wrong type, a broken constraint.
    InvalidRequest {
        /// Every violation found, with its path.
        violations: Vec<Violation>,
    },
    /// The request was fine, but the spec documents no response for the
    /// operation and the test supplied none (see `MockServer::respond_with`).
    NoAnswer {
        /// The operation.
        operation: &'static str,
    },
}

impl Problem {
    /// The status the mock answers with: what a real server would send for this mistake.
    pub fn status(&self) -> u16 {
        match self {
            Problem::UnknownRoute { .. } => 404,
            Problem::MissingKey { .. } | Problem::WrongKey { .. } => 401,
            Problem::ContentType { .. } => 415,
            Problem::TooLarge { .. } => 413,
            Problem::UnreadableBody { .. } | Problem::InvalidRequest { .. } => 400,
            Problem::NoAnswer { .. } => 501,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownRoute { method, path } => write!(f, "no operation answers {method} {path}"),
            Problem::MissingKey { accepted } => {
                let schemes: Vec<String> = accepted
                    .iter()
                    .map(|s| match (s.header_name(), s.query_param()) {
                        (Some(header), _) => format!("`{header}`"),
                        (None, Some(param)) => format!("`?{param}=`"),
                        (None, None) => format!("`{s}`"),
                    })
                    .collect();
                write!(f, "the API key is missing; the operation reads it from {}", schemes.join(" or "))
            }
            Problem::WrongKey { header } => write!(f, "`{header}` does not hold the mock server's API key"),
            Problem::ContentType { expected, found: Some(found) } => {
                write!(f, "content type `{found}` where the operation sends {expected}")
            }
            Problem::ContentType { expected, found: None } => {
                write!(f, "no content type where the operation sends {expected}")
            }
            Problem::TooLarge { size, max } => f.write_str(&crate::validate::request_size(*size, *max).message),
            Problem::UnreadableBody { message } => write!(f, "unreadable body: {message}"),
            Problem::InvalidRequest { violations } => {
                let each: Vec<String> = violations.iter().map(Violation::to_string).collect();
                write!(f, "invalid request: {}", each.join("; "))
            }
            Problem::NoAnswer { operation } => write!(
                f,
                "the spec documents no response for `{operation}`; give one with `respond_with(\"{operation}\", ..)`"
            ),
        }
    }
}
