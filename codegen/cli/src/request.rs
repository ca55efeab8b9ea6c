//! Turning parsed flags (and `--request`, `--set`) into a call by name.

use std::io::Read;
use std::path::PathBuf;

use clap::ArgMatches;
use imagegen::runtime::base64;
use imagegen::runtime::dispatch::{BodyKind, Call, FlagKind, ImageEncoding, ImageFieldSpec, OperationSpec, Streaming};
use imagegen::runtime::image::read_image;
use imagegen::runtime::{Constraint, FilePart, ValidationError, Validator};
use serde_json::{Map, Value};

use crate::command::{OperationFlag, Target};
use crate::wire_path;

/// Why a call could not be put together.
pub enum RequestError {
    /// The flags and request file are unusable (unreadable file, bad JSON).
    Usage(String),
    /// The request lacks what the spec requires; every gap is listed.
    Invalid(ValidationError),
}

/// A call ready to go, and what the spec says about how it was asked for.
pub struct Built {
    /// The call.
    pub call: Call,
    /// Deprecated fields and values the request uses, one line each.
    pub warnings: Vec<String>,
}

/// Builds the call in layers, each overriding the one before: the `--request` body,
/// then each `--set` in order, then the typed flags, then image files (appended
/// to what the layers before put in their list).
pub fn build_call(op: &OperationSpec, flags: &[OperationFlag], matches: &ArgMatches) -> Result<Built, RequestError> {
    let mut body = Value::Object(match matches.get_one::<String>("request") {
        Some(source) => read_request(source)?,
        None => Map::new(),
    });
    for assignment in matches.get_many::<String>("set").into_iter().flatten() {
        apply_set(&mut body, assignment, flags)?;
    }
    let mut call = Call::default();
    for flag in flags {
        match flag.target {
            Target::Field(spec) => {
                if let Some(value) = flag_value(matches, &flag.name, spec.kind) {
                    let steps = wire_path::parse(spec.path).map_err(RequestError::Usage)?;
                    *wire_path::entry(&mut body, &steps).map_err(|e| usage_of(&flag.name, e))? = value;
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
                let mut parts = Vec::new();
                for path in paths(matches, &flag.name) {
                    let part = FilePart::from_path(path).map_err(|e| {
                        RequestError::Usage(format!("cannot read --{} {}: {e}", flag.name, path.display()))
                    })?;
                    parts.push(part);
                }
                if !parts.is_empty() {
                    call.files.insert(spec.wire.to_string(), parts);
                }
            }
            Target::Image(spec) => {
                for path in paths(matches, &flag.name) {
                    add_image(&mut body, spec, &flag.name, path)?;
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
    let warnings = deprecations(flags, &body);
    call.body = match op.body {
        BodyKind::None if body.as_object().is_some_and(Map::is_empty) => Value::Null,
        _ => body,
    };
    Ok(Built { call, warnings })
}

fn usage_of(flag: &str, message: String) -> RequestError {
    RequestError::Usage(format!("--{flag}: {message}"))
}

fn paths<'a>(matches: &'a ArgMatches, name: &str) -> impl Iterator<Item = &'a PathBuf> {
    matches.get_many::<PathBuf>(name).into_iter().flatten()
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

/// `--set PATH=VALUE`. VALUE is JSON when it parses as JSON (`2`, `true`, `["a"]`),
/// else text; a field the tables type as text keeps the value as typed, so
/// `--set size=1024` does not turn into a number.
fn apply_set(body: &mut Value, assignment: &str, flags: &[OperationFlag]) -> Result<(), RequestError> {
    let Some((path, raw)) = assignment.split_once('=') else {
        return Err(RequestError::Usage(format!(
            "--set {assignment}: expected PATH=VALUE, such as `imageConfig.aspectRatio=16:9`"
        )));
    };
    let steps = wire_path::parse(path.trim()).map_err(|e| usage_of("set", e))?;
    let text_field = flags.iter().any(|flag| match flag.target {
        Target::Field(spec) => {
            spec.path == path.trim() && matches!(spec.kind, FlagKind::String | FlagKind::Choice { .. })
        }
        _ => false,
    });
    let value = match serde_json::from_str::<Value>(raw) {
        Ok(Value::String(text)) => Value::String(text),
        Ok(value) if !text_field => value,
        _ => Value::String(raw.to_string()),
    };
    *wire_path::entry(body, &steps).map_err(|e| usage_of("set", e))? = value;
    Ok(())
}

/// Reads an image file, sniffs its type and writes it into the request as the table says:
/// base64 or a data URL, alone or inside an inline-data object, appended to a list or
/// replacing a single field.
fn add_image(body: &mut Value, spec: &ImageFieldSpec, flag: &str, path: &std::path::Path) -> Result<(), RequestError> {
    let (mime, bytes) = read_image(path).map_err(|e| usage_of(flag, format!("cannot read {}: {e}", path.display())))?;
    let encoded = match spec.encoding {
        ImageEncoding::Base64 => base64::encode(&bytes),
        ImageEncoding::DataUrl => base64::data_url(mime, &bytes),
    };
    let mut item = Value::Null;
    if spec.data.is_empty() {
        item = Value::String(encoded);
    } else {
        let data = wire_path::parse(spec.data).map_err(|e| usage_of(flag, e))?;
        *wire_path::entry(&mut item, &data).map_err(|e| usage_of(flag, e))? = Value::String(encoded);
        if let Some(mime_path) = spec.mime_type {
            let steps = wire_path::parse(mime_path).map_err(|e| usage_of(flag, e))?;
            *wire_path::entry(&mut item, &steps).map_err(|e| usage_of(flag, e))? = Value::String(mime.to_string());
        }
    }
    let steps = wire_path::parse(spec.path).map_err(|e| usage_of(flag, e))?;
    let slot = wire_path::entry(body, &steps).map_err(|e| usage_of(flag, e))?;
    if !spec.many {
        *slot = item;
        return Ok(());
    }
    *slot = match slot.take() {
        Value::Null => Value::Array(vec![item]),
        Value::Array(mut items) => {
            items.push(item);
            Value::Array(items)
        }
        // One image given in --request as a single value (Octen's `image` takes one or many).
        single => Value::Array(vec![single, item]),
    };
    Ok(())
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

fn has(body: &Value, path: &str) -> bool {
    wire_path::parse(path).ok().and_then(|steps| wire_path::get(body, &steps).cloned()).is_some_and(|v| !v.is_null())
}

/// Lists every missing required field, parameter and file at once. The typed
/// request would stop at the first missing field, so this runs before it.
fn check_required(flags: &[OperationFlag], body: &Value, call: &Call) -> Result<(), RequestError> {
    let mut v = Validator::new();
    for flag in flags {
        let (wire, missing, required) = match flag.target {
            Target::Field(spec) => (spec.path, !has(body, spec.path), spec.required),
            Target::PathParam(spec) => (spec.wire, !call.path_params.contains_key(spec.wire), spec.required),
            Target::File(spec) => (spec.wire, !call.files.contains_key(spec.wire), spec.required),
            // Image fields are checked by the typed request, which knows whether they are required.
            Target::Image(_) | Target::Stream => continue,
        };
        if required && missing {
            v.report(wire, Constraint::Required, format!("required; pass --{}", flag.name));
        }
    }
    // Only the violations matter here; the typed request reports its own warnings.
    v.finish().map(drop).map_err(RequestError::Invalid)
}

/// The spec's deprecation notes for what the request uses, however it was given
/// (flag, `--set` or `--request`): a deprecated field, or a retired alias of a value.
fn deprecations(flags: &[OperationFlag], body: &Value) -> Vec<String> {
    let mut warnings = Vec::new();
    for flag in flags {
        let Target::Field(spec) = flag.target else { continue };
        let Some(value) = wire_path::parse(spec.path).ok().and_then(|steps| wire_path::get(body, &steps).cloned())
        else {
            continue;
        };
        if let Some(note) = spec.deprecated {
            warnings.push(format!("--{} ({}) is deprecated: {note}", flag.name, spec.path));
        }
        if let (FlagKind::Choice { aliases, .. }, Value::String(given)) = (spec.kind, &value) {
            for alias in aliases.iter().filter(|a| a.alias == given.as_str()) {
                if let Some(note) = alias.deprecated {
                    warnings
                        .push(format!("`{given}` for --{} is a retired name of `{}`: {note}", flag.name, alias.value));
                }
            }
        }
    }
    warnings
}
