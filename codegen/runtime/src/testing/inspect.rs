//! Reading a received request against the spec: which operation it is, whether
//! the key travels in a scheme the operation accepts, whether the content type
//! fits, and whether the body is a valid request of that operation.

use std::collections::BTreeMap;

use bytes::Bytes;
use hyper::header::HeaderMap;
use serde_json::Value;

use super::problem::Problem;
use super::{MockOperation, ReceivedRequest};
use crate::dispatch::{BodyKind, Call, FlagKind};
use crate::{AuthScheme, Error, FilePart, ProviderInfo};

/// Stands in for the key in recorded headers: a test's records may be printed.
const REDACTED: &str = "<redacted>";

/// What the inspector needs to know about the provider under test.
pub(super) struct Spec {
    pub(super) provider: &'static ProviderInfo,
    pub(super) operations: &'static [MockOperation],
    pub(super) check: fn(&str, &Call) -> Result<(), Error>,
    pub(super) api_key: String,
}

/// Reads one request: every check runs, so the record lists every problem at once.
pub(super) async fn inspect(
    spec: &Spec,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
) -> ReceivedRequest {
    let content_type = header(headers, "content-type");
    let query: Vec<(String, String)> = match query {
        Some(query) => reqwest::Url::parse(&format!("http://mock/?{query}"))
            .map(|url| url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut received = ReceivedRequest {
        operation: None,
        method: method.to_string(),
        path: path.to_string(),
        query: recorded_query(spec, &query),
        path_params: BTreeMap::new(),
        headers: recorded_headers(spec, headers),
        body: Value::Null,
        files: BTreeMap::new(),
        problems: Vec::new(),
    };

    // Route: method and path template; two operations on one path (a JSON and a
    // multipart edit) are told apart by the content type they send.
    let Some((operation, path_params)) = route(spec.operations, method, path, content_type.as_deref()) else {
        received.problems.push(Problem::UnknownRoute { method: method.to_string(), path: path.to_string() });
        return received;
    };
    received.operation = Some(operation.info.id);
    received.path_params = path_params;

    // Auth: the key in a scheme this operation accepts.
    if let Some(problem) = check_key(spec, operation, headers, &query) {
        received.problems.push(problem);
    }

    // A body over the documented maximum is refused before it is read.
    if let Some(max) = operation.info.max_request_bytes {
        let size = body.len() as u64;
        if size > max {
            received.problems.push(Problem::TooLarge { size, max });
            return received;
        }
    }

    // Content type, then the body read the way the operation sends it.
    let expected = expected_content_type(operation.spec.body);
    let fits = match (operation.spec.body, content_type.as_deref()) {
        (BodyKind::None, found) => found.is_none() && body.is_empty(),
        (_, Some(found)) => essence(found) == expected,
        (_, None) => false,
    };
    if !fits {
        received
            .problems
            .push(Problem::ContentType { expected: describe(operation.spec.body), found: content_type.clone() });
        return received;
    }
    let read = match operation.spec.body {
        BodyKind::None => Ok(()),
        BodyKind::Json => {
            serde_json::from_slice(&body).map(|json| received.body = json).map_err(|e| format!("not JSON: {e}"))
        }
        BodyKind::Multipart => {
            read_form(operation, content_type.as_deref().unwrap_or_default(), body).await.map(|(fields, files)| {
                received.body = Value::Object(fields);
                received.files = files;
            })
        }
    };
    if let Err(message) = read {
        received.problems.push(Problem::UnreadableBody { message });
        return received;
    }

    // The request against its type, strictly (unknown fields refused), and its rules.
    // Query parameters and headers go in as received (the key left out): the
    // operation's check reads back the fields that travel there.
    let key_params: Vec<&str> = spec.provider.auth_schemes.iter().filter_map(|s| s.query_param()).collect();
    let call = Call {
        path_params: received.path_params.clone(),
        body: received.body.clone(),
        files: received.files.clone(),
        stream: false,
        query: query.into_iter().filter(|(k, _)| !key_params.contains(&k.as_str())).collect(),
        headers: headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        wait: None,
        save_images: None,
    };
    if let Err(error) = (spec.check)(operation.info.id, &call) {
        let violations = match error {
            Error::Validation(v) => v.violations().to_vec(),
            other => vec![crate::Violation {
                path: String::new(),
                rule: crate::Constraint::Encoding { expected: "a request of the operation" },
                message: other.to_string(),
            }],
        };
        received.problems.push(Problem::InvalidRequest { violations });
    }
    received
}

/// The operation answering `method` and `path`, with its path parameters.
fn route<'a>(
    operations: &'a [MockOperation],
    method: &str,
    path: &str,
    content_type: Option<&str>,
) -> Option<(&'a MockOperation, BTreeMap<String, String>)> {
    let candidates: Vec<(&MockOperation, BTreeMap<String, String>)> = operations
        .iter()
        .filter(|op| op.info.method.as_str() == method)
        .filter_map(|op| crate::route::match_path(op.info.path, path).map(|params| (op, params)))
        .collect();
    let sent = content_type.map(essence);
    let by_body = candidates.iter().position(|(op, _)| Some(expected_content_type(op.spec.body)) == sent.as_deref());
    let index = by_body.unwrap_or(0);
    candidates.into_iter().nth(index)
}

/// A problem with the key, or `None` when an accepted header or query parameter carries it.
fn check_key(
    spec: &Spec,
    operation: &MockOperation,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Option<Problem> {
    let accepted: &[AuthScheme] =
        if operation.info.auth_schemes.is_empty() { spec.provider.auth_schemes } else { operation.info.auth_schemes };
    let mut wrong = None;
    for scheme in accepted {
        let (value, place) = match *scheme {
            AuthScheme::Bearer | AuthScheme::Header(_) => {
                let name = scheme.header_name().unwrap_or("authorization");
                (header(headers, name), name)
            }
            AuthScheme::Query(param) => (query.iter().find(|(k, _)| k == param).map(|(_, v)| v.clone()), param),
        };
        let Some(value) = value else { continue };
        let key = match scheme {
            AuthScheme::Bearer => value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")),
            AuthScheme::Header(_) | AuthScheme::Query(_) => Some(value.as_str()),
        };
        if key == Some(spec.api_key.as_str()) {
            return None;
        }
        wrong.get_or_insert(place);
    }
    Some(match wrong {
        Some(header) => Problem::WrongKey { header },
        None => Problem::MissingKey { accepted: accepted.to_vec() },
    })
}

/// Every query parameter, decoded, with the ones that can carry a key redacted.
fn recorded_query(spec: &Spec, query: &[(String, String)]) -> Vec<(String, String)> {
    let secret = |name: &str| {
        spec.provider
            .auth_schemes
            .iter()
            .chain(spec.operations.iter().flat_map(|op| op.info.auth_schemes))
            .any(|s| s.query_param() == Some(name))
    };
    query
        .iter()
        .map(|(name, value)| (name.clone(), if secret(name) { REDACTED.to_string() } else { value.clone() }))
        .collect()
}

/// Every header as text, with the ones that can carry a key (or a secret the provider
/// documents for every call) redacted.
fn recorded_headers(spec: &Spec, headers: &HeaderMap) -> Vec<(String, String)> {
    let secret = |name: &str| {
        spec.provider.auth_schemes.iter().any(|s| s.header_name() == Some(name))
            || spec.operations.iter().flat_map(|op| op.info.auth_schemes).any(|s| s.header_name() == Some(name))
            || spec.provider.header_named(name).is_some_and(|h| h.secret)
            || name == "authorization"
    };
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_string();
            let value = if secret(&name) {
                REDACTED.to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect()
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// A media type without parameters, lowercased (`multipart/form-data`).
fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn expected_content_type(body: BodyKind) -> &'static str {
    match body {
        BodyKind::None => "",
        BodyKind::Json => "application/json",
        BodyKind::Multipart => "multipart/form-data",
    }
}

fn describe(body: BodyKind) -> &'static str {
    match body {
        BodyKind::None => "no body",
        BodyKind::Json => "`application/json`",
        BodyKind::Multipart => "`multipart/form-data`",
    }
}

type Form = (serde_json::Map<String, Value>, BTreeMap<String, Vec<FilePart>>);

/// A multipart body as a call by name takes it: text fields as JSON (numbers and
/// booleans typed by the operation's flags, as the client wrote them from typed
/// fields), file parts as files.
async fn read_form(operation: &MockOperation, content_type: &str, body: Bytes) -> Result<Form, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = serde_json::Map::new();
    let mut files: BTreeMap<String, Vec<FilePart>> = BTreeMap::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let mime_type = field.content_type().map(|m| m.to_string());
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        match file_name {
            Some(file_name) => {
                let part = FilePart::from_bytes(bytes).with_file_name(file_name);
                let part = match mime_type {
                    Some(mime) => part.with_mime_type(mime),
                    None => part,
                };
                files.entry(name).or_default().push(part);
            }
            None => {
                let text =
                    String::from_utf8(bytes.to_vec()).map_err(|_| format!("text field `{name}` is not UTF-8"))?;
                let value = typed_text(operation, &name, text);
                fields.insert(name, value);
            }
        }
    }
    Ok((fields, files))
}

/// A text part as the JSON value its flag's kind says; a text that does not
/// parse stays a string, so validation reports it at its field.
fn typed_text(operation: &MockOperation, name: &str, text: String) -> Value {
    let kind = operation.spec.flags.iter().find(|f| f.wire == name).map(|f| f.kind);
    match kind {
        Some(FlagKind::Integer | FlagKind::Number | FlagKind::Boolean) => {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        }
        _ => Value::String(text),
    }
}
