//! Reading a spec file: YAML syntax, then the data model, piece by piece.
//!
//! Each provider block, type, operation and example is deserialized on its own,
//! so one malformed type does not hide a malformed operation further down.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use super::model::{Envelope, Example, Operation, Provider, Spec, TypeDef};
use super::positions::{join_index, join_key, limits, PositionIndex};
use crate::diagnostics::suggest::suggest;
use crate::diagnostics::{Diagnostic, Diagnostics, Position, Reporter};

/// A spec that parsed, with what is needed to locate later problems in it.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The file it came from.
    pub path: PathBuf,
    /// The data model.
    pub spec: Spec,
    /// Positions of its nodes.
    pub positions: PositionIndex,
}

/// Reads and parses a spec file.
pub fn load_file(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    match read_at_most(path, limits::MAX_FILE_BYTES) {
        Ok(bytes) => load_bytes(path, bytes),
        Err(err) => Err(whole_file_problem(path, Position::START, format!("cannot read spec: {err}"))),
    }
}

/// Parses and checks the bytes of a spec file, which may not be UTF-8; `path` is used in messages.
pub fn load_bytes(path: &Path, bytes: Vec<u8>) -> Result<LoadedSpec, Diagnostics> {
    if bytes.len() > limits::MAX_FILE_BYTES {
        return Err(whole_file_problem(
            path,
            Position::START,
            format!("the spec is more than {}, the limit", super::positions::size(limits::MAX_FILE_BYTES as u64)),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(source) => load_str(path, &source),
        Err(err) => {
            // The text before the bad byte is valid, so it gives the byte's line and column.
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.as_bytes();
            let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            Err(whole_file_problem(
                path,
                Position::of_byte(before, valid),
                format!(
                    "the spec is not UTF-8 text: byte 0x{:02X} cannot start or continue a character here",
                    bytes.get(valid).copied().unwrap_or_default()
                ),
            ))
        }
    }
}

/// A problem that stops the file from being read at all, so it is the only one.
fn whole_file_problem(path: &Path, position: Position, message: String) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(Diagnostic {
        file: path.to_path_buf(),
        position: Some(position),
        yaml_path: String::new(),
        message,
    });
    diagnostics
}

/// Reads up to `limit + 1` bytes, so an oversized file is noticed without reading it all.
fn read_at_most(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

const TOP_LEVEL_KEYS: [&str; 5] = ["provider", "types", "operations", "examples", "envelopes"];

/// Parses and checks spec text; `path` is used in messages.
pub fn load_str(path: &Path, source: &str) -> Result<LoadedSpec, Diagnostics> {
    // The position pass runs first and refuses what would be costly to build (see
    // `positions`), so serde_yaml below only reads files within the limits.
    let mut positions = PositionIndex::build(source).map_err(|p| whole_file_problem(path, p.position, p.message))?;
    let root: Value = match serde_yaml::from_str(source) {
        Ok(v) => v,
        Err(err) => {
            let message = strip_location(&err.to_string());
            let position = match err.location() {
                Some(l) => Position { line: l.line(), column: l.column() },
                None => byte_position_in(&message).map_or(Position::START, |byte| Position::of_byte(source, byte)),
            };
            return Err(whole_file_problem(path, position, format!("invalid YAML: {message}")));
        }
    };
    let mut reporter = Reporter::new(path, &positions);
    let mut failed_types = Vec::new();
    let partial = load_pieces(&root, &mut reporter, &mut failed_types);
    let mut diagnostics = reporter.finish();
    let Some((spec, places)) = partial else {
        return Err(diagnostics);
    };
    for (list, places) in places {
        positions.set_places(list, places);
    }
    // Semantic checks run even when some pieces failed, so one run shows everything.
    let loaded = LoadedSpec { path: path.to_path_buf(), spec, positions };
    diagnostics.extend(super::check::check(&loaded, &failed_types));
    if diagnostics.is_empty() {
        Ok(loaded)
    } else {
        Err(diagnostics)
    }
}

/// libyaml reports some errors (control characters, bad encodings) "at position N",
/// a byte offset, with no line and column; the offset gives them.
fn byte_position_in(message: &str) -> Option<usize> {
    let (_, after) = message.rsplit_once("position ")?;
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    after[..digits].parse().ok()
}

/// Where the items of `types`, `operations`, `examples` and `envelopes` that loaded sit in the
/// file, for lists where some item did not load.
type Places = Vec<(&'static str, Vec<usize>)>;

fn load_pieces(root: &Value, r: &mut Reporter, failed_types: &mut Vec<String>) -> Option<(Spec, Places)> {
    let Some(map) = root.as_mapping() else {
        r.error(
            "",
            format!(
                "a spec must be a mapping with `provider`, `types`, `operations` and `examples`, not {}",
                kind_of(root)
            ),
        );
        return None;
    };
    for key in map.keys() {
        let name = key.as_str().unwrap_or("?");
        if !TOP_LEVEL_KEYS.contains(&name) {
            r.error_at_key(
                name,
                format!("unknown top-level key `{name}`, expected one of {}", TOP_LEVEL_KEYS.join(", ")),
            );
        }
    }
    let provider = match map.get("provider") {
        Some(v) => deserialize_at::<Provider>(&without_error_format(v, "provider", r), "provider", r),
        None => {
            r.error("", "missing `provider`");
            None
        }
    };
    if map.get("operations").is_none() {
        r.error("", "missing `operations`");
    }
    let types = deserialize_types(map.get("types"), r, failed_types);
    let operations = match map.get("operations") {
        Some(Value::Sequence(items)) => {
            let items = items
                .iter()
                .enumerate()
                .map(|(i, op)| without_error_format(op, &join_index("operations", i), r))
                .collect();
            deserialize_list::<Operation>(Some(&Value::Sequence(items)), "operations", r)
        }
        other => deserialize_list::<Operation>(other, "operations", r),
    };
    let examples = deserialize_list::<Example>(map.get("examples"), "examples", r);
    let examples = set_aside_examples_of_failed_operations(examples, &operations, map.get("operations"));
    let envelopes = deserialize_list::<Envelope>(map.get("envelopes"), "envelopes", r);
    let places = [
        ("types", &types.places),
        ("operations", &operations.places),
        ("examples", &examples.places),
        ("envelopes", &envelopes.places),
    ]
    .into_iter()
    .filter(|(_, places)| places.iter().enumerate().any(|(i, &place)| i != place))
    .map(|(list, places)| (list, places.clone()))
    .collect();
    let spec = Spec {
        // A broken provider block is already reported; the stand-in lets the checks of
        // types, operations and examples still run, so one run shows every problem.
        provider: provider.unwrap_or_else(provider_stand_in),
        types: types.items,
        operations: operations.items,
        examples: examples.items,
        envelopes: envelopes.items,
    };
    Some((spec, places))
}

/// `error_format` named one of four envelopes the runtime once parsed by hand; specs now
/// declare their envelopes. Said plainly, where it is, and set aside so the rest of the
/// block still loads and is checked.
fn without_error_format(value: &Value, path: &str, r: &mut Reporter) -> Value {
    let mut value = value.clone();
    if let Some(map) = value.as_mapping_mut() {
        if let Some(format) = map.remove("error_format") {
            r.error_at_key(
                &join_key(path, "error_format"),
                format!(
                    "`error_format` ({}) is no longer part of the language: declare the envelope under the \
                     top-level `envelopes` and name it in `envelopes: [...]` here (see specs/LANGUAGE-ERRORS.md)",
                    display_yaml(&format)
                ),
            );
        }
    }
    value
}

/// What a YAML value is, for a message saying it is the wrong thing.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// The items of a list that loaded, and where each sits in the file: the data
/// model keeps only what loaded, and diagnostics must still name the file's item.
struct LoadedList<T> {
    items: Vec<T>,
    places: Vec<usize>,
}

impl<T> LoadedList<T> {
    fn empty() -> Self {
        Self { items: Vec::new(), places: Vec::new() }
    }

    fn push(&mut self, place: usize, item: T) {
        self.items.push(item);
        self.places.push(place);
    }
}

/// An example of an operation that failed to load cannot be checked against it,
/// and "names unknown operation" would be false: the operation's own error is
/// already reported. Such examples (their own load errors are reported) are left
/// out of the model, which fails to load anyway.
fn set_aside_examples_of_failed_operations(
    examples: LoadedList<Example>,
    operations: &LoadedList<Operation>,
    raw_operations: Option<&Value>,
) -> LoadedList<Example> {
    let Some(Value::Sequence(raw)) = raw_operations else { return examples };
    let failed: Vec<&Value> =
        raw.iter().enumerate().filter(|(i, _)| !operations.places.contains(i)).map(|(_, item)| item).collect();
    if failed.is_empty() {
        return examples;
    }
    let failed_ids: Vec<&str> = failed.iter().filter_map(|op| op.get("id").and_then(Value::as_str)).collect();
    // An operation whose id itself did not load could be the one any unmatched example names.
    let some_id_unknown = failed_ids.len() < failed.len();
    let is_loaded = |id: &str| operations.items.iter().any(|op| op.id == id);
    let mut kept = LoadedList::empty();
    for (example, place) in examples.items.into_iter().zip(examples.places) {
        let of_failed =
            failed_ids.contains(&example.operation.as_str()) || (some_id_unknown && !is_loaded(&example.operation));
        if !of_failed {
            kept.push(place, example);
        }
    }
    kept
}
/// A provider that passes the provider checks, used only when the real one failed
/// to parse (which fails the load, so the stand-in never reaches the generator).
fn provider_stand_in() -> Provider {
    Provider {
        name: "unparsed".into(),
        title: String::new(),
        description: None,
        docs_url: None,
        docs_version: String::new(),
        base_url: "https://unparsed.invalid".into(),
        api_key_env: "UNPARSED".into(),
        auth: vec![super::model::AuthScheme::Bearer],
        envelopes: Vec::new(),
        headers: Vec::new(),
    }
}

fn deserialize_list<T: DeserializeOwned>(value: Option<&Value>, path: &str, r: &mut Reporter) -> LoadedList<T> {
    let mut loaded = LoadedList::empty();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Sequence(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(parsed) = deserialize_at(item, &join_index(path, i), r) {
                    loaded.push(i, parsed);
                }
            }
        }
        Some(_) => r.error(path, format!("`{path}` must be a list")),
    }
    loaded
}

/// Types are deserialized through their `kind` by hand: serde's internally
/// tagged enums buffer their content and lose the path of an inner error.
/// Names of types that fail go to `failed`, so references to them are not
/// reported a second time as undefined.
fn deserialize_types(value: Option<&Value>, r: &mut Reporter, failed: &mut Vec<String>) -> LoadedList<TypeDef> {
    let Some(Value::Sequence(items)) = value else {
        return deserialize_list::<TypeDef>(value, "types", r);
    };
    let mut types = LoadedList::empty();
    for (i, item) in items.iter().enumerate() {
        let path = join_index("types", i);
        let parsed = match item.get("kind") {
            None => {
                r.error(&path, "missing `kind` (object, enum, models, one_of or events)");
                None
            }
            Some(kind) => {
                let mut body = item.clone();
                if let Some(m) = body.as_mapping_mut() {
                    m.remove("kind");
                }
                match kind.as_str() {
                    Some("object") => deserialize_at(&body, &path, r).map(TypeDef::Object),
                    Some("enum") => deserialize_at(&body, &path, r).map(TypeDef::Enum),
                    Some("models") => deserialize_at(&body, &path, r).map(TypeDef::Models),
                    Some("one_of") => deserialize_at(&body, &path, r).map(TypeDef::OneOf),
                    Some("events") => deserialize_at(&body, &path, r).map(TypeDef::Events),
                    _ => {
                        r.error(
                            &join_key(&path, "kind"),
                            format!(
                                "unknown kind {}, expected object, enum, models, one_of or events",
                                display_yaml(kind)
                            ),
                        );
                        None
                    }
                }
            }
        };
        match parsed {
            Some(t) => types.push(i, t),
            None => failed.extend(item.get("name").and_then(Value::as_str).map(str::to_string)),
        }
    }
    types
}

fn display_yaml(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{}`", shorten(s)),
        other => serde_yaml::to_string(other).map_or_else(|_| "?".into(), |s| format!("`{}`", shorten(s.trim()))),
    }
}

/// Cuts text quoted from the spec (serde quotes whole values: a scalar may be a
/// mebibyte) to a length a message can show, well above serde's own lists of
/// expected keys (about 300 characters for a field).
fn shorten(text: &str) -> String {
    const SHOWN: usize = 1000;
    match text.char_indices().nth(SHOWN) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}... ({} bytes in all)", &text[..cut], text.len()),
    }
}

fn deserialize_at<T: DeserializeOwned>(value: &Value, path: &str, r: &mut Reporter) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value.clone()) {
        Ok(v) => Some(v),
        Err(err) => {
            let inner = err.path().to_string();
            let full = match inner.as_str() {
                "." | "" => path.to_string(),
                p => join_key(path, p),
            };
            let message = shorten(&strip_location(&err.into_inner().to_string()));
            // Unknown keys are best shown at the key itself.
            if message.starts_with("unknown field") {
                r.error_at_key(&full, suggest_key(&message));
            } else {
                r.error(&full, message);
            }
            None
        }
    }
}

/// serde_yaml appends "at line L column C" to messages; positions are reported separately.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Adds "did you mean" to serde's "unknown field `requird`, expected one of `name`, ..."
/// when one expected key is a likely typo of the unknown one.
fn suggest_key(message: &str) -> String {
    let ticked: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let Some((unknown, expected)) = ticked.split_first() else {
        return message.to_string();
    };
    match suggest(unknown, expected) {
        Some(key) => format!(
            "unknown key `{unknown}`; did you mean `{key}`? ({})",
            &message[message.find("expected").unwrap_or(0)..]
        ),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quotes_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = shorten(&"é".repeat(3000));
        assert!(long.starts_with(&"é".repeat(1000)) && long.ends_with("é... (6000 bytes in all)"), "{long}");
    }

    #[test]
    fn libyaml_byte_offsets_are_read_from_its_messages() {
        assert_eq!(byte_position_in("control characters are not allowed at position 17"), Some(17));
        assert_eq!(byte_position_in("invalid leading UTF-8 octet at position 3, more"), Some(3));
        assert_eq!(byte_position_in("did not find expected key"), None);
    }

    #[test]
    fn typos_get_a_suggestion() {
        let m = suggest_key("unknown field `requird`, expected one of `name`, `required`, `type`");
        assert_eq!(m, "unknown key `requird`; did you mean `required`? (expected one of `name`, `required`, `type`)");
        let m = suggest_key("unknown field `colour`, expected one of `name`, `fields`");
        assert_eq!(m, "unknown field `colour`, expected one of `name`, `fields`");
        // Case and separators are not edits.
        let m = suggest_key("unknown field `baseURL`, expected one of `name`, `base_url`");
        assert_eq!(m, "unknown key `baseURL`; did you mean `base_url`? (expected one of `name`, `base_url`)");
    }
}
