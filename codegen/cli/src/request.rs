//! Turning parsed flags (and `--request`) into a call by name.

use std::io::Read;
use std::path::PathBuf;

use clap::ArgMatches;
use imagegen::runtime::dispatch::{BodyKind, Call, FlagKind, OperationSpec, Streaming};
use imagegen::runtime::{Constraint, FilePart, ValidationError, Validator};
use serde_json::{Map, Value};

use crate::command::{OperationFlag, Target};

/// Why a call could not be put together.
pub enum RequestError {
    /// The flags and request file are unusable (unreadable file, bad JSON).
    Usage(String),
    /// The request lacks what the spec requires; every gap is listed.
    Invalid(ValidationError),
}

/// Builds the call: the `--request` body, then each flag given on top of it.
pub fn build_call(op: &OperationSpec, flags: &[OperationFlag], matches: &ArgMatches) -> Result<Call, RequestError> {
    let mut body = match matches.get_one::<String>("request") {
        Some(source) => read_request(source)?,
        None => Map::new(),
    };
    let mut call = Call::default();
    for flag in flags {
        match flag.target {
            Target::Field(spec) => {
                if let Some(value) = flag_value(matches, &flag.name, spec.kind) {
                    body.insert(spec.wire.to_string(), value);
                }
            }
            Target::PathParam(spec) => {
                if let Some(value) = flag_value(matches, &flag.name, spec.kind) {
                    let text = match value {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    call.path_params.insert(spec.wire.to_string(), text);
                }
            }
            Target::File(spec) => {
                let paths: Vec<&PathBuf> = matches.get_many::<PathBuf>(&flag.name).into_iter().flatten().collect();
                let mut parts = Vec::with_capacity(paths.len());
                for path in paths {
                    let part = FilePart::from_path(path).map_err(|e| {
                        RequestError::Usage(format!("cannot read --{} {}: {e}", flag.name, path.display()))
                    })?;
                    parts.push(part);
                }
                if !parts.is_empty() {
                    call.files.insert(spec.wire.to_string(), parts);
                }
            }
            Target::Stream => call.stream = matches.get_one::<bool>(&flag.name).copied().unwrap_or(false),
        }
    }
    call.stream |= match op.streaming {
        Streaming::No => false,
        Streaming::Always => true,
        Streaming::Flag(wire) => body.get(wire) == Some(&Value::Bool(true)),
    };
    check_required(flags, &body, &call)?;
    call.body = match op.body {
        BodyKind::None if body.is_empty() => Value::Null,
        _ => Value::Object(body),
    };
    Ok(call)
}

fn read_request(source: &str) -> Result<Map<String, Value>, RequestError> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| RequestError::Usage(format!("cannot read the request from stdin: {e}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| RequestError::Usage(format!("cannot read the request file {source}: {e}")))?
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(body)) => Ok(body),
        Ok(_) => Err(RequestError::Usage(format!("the request in {source} must be a JSON object"))),
        Err(e) => Err(RequestError::Usage(format!("the request in {source} is not valid JSON: {e}"))),
    }
}

/// The flag's value as JSON, typed as the spec says.
fn flag_value(matches: &ArgMatches, name: &str, kind: FlagKind) -> Option<Value> {
    match kind {
        FlagKind::Integer => matches.get_one::<i64>(name).map(|n| Value::from(*n)),
        FlagKind::Number => matches.get_one::<f64>(name).map(|n| Value::from(*n)),
        FlagKind::Boolean => matches.get_one::<bool>(name).map(|b| Value::Bool(*b)),
        FlagKind::String | FlagKind::Choice { .. } => matches.get_one::<String>(name).map(|s| Value::String(s.clone())),
    }
}

/// Lists every missing required field, parameter and file at once. The typed
/// request would stop at the first missing field, so this runs before it.
fn check_required(flags: &[OperationFlag], body: &Map<String, Value>, call: &Call) -> Result<(), RequestError> {
    let mut v = Validator::new();
    for flag in flags {
        let (wire, missing, required) = match flag.target {
            Target::Field(spec) => (spec.wire, !body.contains_key(spec.wire), spec.required),
            Target::PathParam(spec) => (spec.wire, !call.path_params.contains_key(spec.wire), spec.required),
            Target::File(spec) => (spec.wire, !call.files.contains_key(spec.wire), spec.required),
            Target::Stream => continue,
        };
        if required && missing {
            v.report(wire, Constraint::Required, format!("required; pass --{}", flag.name));
        }
    }
    v.finish().map_err(RequestError::Invalid)
}
