//! Reading a spec file: YAML syntax, then the data model, piece by piece; then the
//! shared files it imports and the field sets its objects include (`imports.rs`).
//!
//! Each provider block, field set, type, field, operation and example is
//! deserialized on its own, so one malformed type does not hide a malformed
//! operation further down.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use super::imports::{self, DiskFiles, SpecFiles};
use super::model::{
    Envelope, Example, Field, FieldEntry, FieldInclude, FieldSet, ObjectDef, Operation, Provider, Spec, TypeDef,
};
use super::positions::{join_index, join_key, limits, PositionIndex};
use super::sources::Sources;
use crate::diagnostics::suggest::suggest;
use crate::diagnostics::{Diagnostic, Diagnostics, Position, Reporter};

/// A spec that parsed, with what is needed to locate later problems in it.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The file it came from.
    pub path: PathBuf,
    /// The data model, resolved: imported types and included fields in place.
    pub spec: Spec,
    /// The files it was read from and where each type and field is written.
    pub sources: Sources,
}

/// Reads and parses a spec file; the shared files it imports are read from its folder.
pub fn load_file(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    match read_at_most(path, limits::MAX_FILE_BYTES) {
        Ok(bytes) => load_bytes(path, bytes),
        Err(err) => Err(whole_file_problem(path, Position::START, format!("cannot read spec: {err}"))),
    }
}

/// Parses and checks the bytes of a spec file, which may not be UTF-8; `path` is used
/// in messages, and the shared files the spec imports are read from its folder.
pub fn load_bytes(path: &Path, bytes: Vec<u8>) -> Result<LoadedSpec, Diagnostics> {
    load_with(path, bytes, &DiskFiles::beside(path))
}

/// Parses and checks spec text; `path` is used in messages, and the shared files the
/// spec imports are read from its folder.
pub fn load_str(path: &Path, source: &str) -> Result<LoadedSpec, Diagnostics> {
    load_with(path, source.as_bytes().to_vec(), &DiskFiles::beside(path))
}

/// Parses and checks the bytes of a spec file, reading the shared files it imports
/// from `files` (a folder on disk, a git revision, memory).
pub fn load_with(path: &Path, bytes: Vec<u8>, files: &dyn SpecFiles) -> Result<LoadedSpec, Diagnostics> {
    let source = decode(path, bytes)?;
    load_source(path, &source, files)
}

/// The text of a file, or the one problem that stops it from being read: too large,
/// or not UTF-8.
pub(super) fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, Diagnostics> {
    if bytes.len() > limits::MAX_FILE_BYTES {
        return Err(whole_file_problem(
            path,
            Position::START,
            format!("the spec is more than {}, the limit", super::positions::size(limits::MAX_FILE_BYTES as u64)),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(source) => Ok(source),
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
pub(super) fn whole_file_problem(path: &Path, position: Position, message: String) -> Diagnostics {
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
pub(super) fn read_at_most(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

const TOP_LEVEL_KEYS: [&str; 7] = ["imports", "provider", "field_sets", "types", "operations", "examples", "envelopes"];

/// What a shared file may hold.
const SHARED_KEYS: [&str; 4] = ["imports", "field_sets", "types", "envelopes"];

/// Builds the position index and the YAML value of a file's text, or says why it
/// cannot be read (the only problem then).
pub(super) fn parse_yaml(path: &Path, source: &str) -> Result<(PositionIndex, Value), Diagnostics> {
    // The position pass runs first and refuses what would be costly to build (see
    // `positions`), so serde_yaml below only reads files within the limits.
    let positions = PositionIndex::build(source).map_err(|p| whole_file_problem(path, p.position, p.message))?;
    match serde_yaml::from_str(source) {
        Ok(v) => Ok((positions, v)),
        Err(err) => {
            let message = strip_location(&err.to_string());
            let position = match err.location() {
                Some(l) => Position { line: l.line(), column: l.column() },
                None => byte_position_in(&message).map_or(Position::START, |byte| Position::of_byte(source, byte)),
            };
            Err(whole_file_problem(path, position, format!("invalid YAML: {message}")))
        }
    }
}

fn load_source(path: &Path, source: &str, files: &dyn SpecFiles) -> Result<LoadedSpec, Diagnostics> {
    let (mut positions, root) = parse_yaml(path, source)?;
    let mut reporter = Reporter::new(path, &positions);
    let partial = load_pieces(&root, &mut reporter);
    let mut diagnostics = reporter.finish();
    let Some(pieces) = partial else {
        return Err(diagnostics);
    };
    for (list, places) in pieces.places {
        positions.set_places(list, places);
    }
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let sources = Sources::single(path, name, positions);
    let resolved = imports::resolve(sources, pieces.items, files);
    diagnostics.extend(resolved.diagnostics);
    let Some(sources) = resolved.sources else {
        // An import could not be read: what it defines is unknown, so checking the
        // rest would report its types as missing.
        return Err(diagnostics);
    };
    let spec = Spec {
        imports: pieces.imports,
        // A broken provider block is already reported; the stand-in lets the checks of
        // types, operations and examples still run, so one run shows every problem.
        provider: pieces.provider.unwrap_or_else(provider_stand_in),
        field_sets: pieces.field_sets,
        types: resolved.types,
        operations: pieces.operations,
        examples: pieces.examples,
        envelopes: resolved.envelopes,
    };
    // Semantic checks run even when some pieces failed, so one run shows everything.
    let loaded = LoadedSpec { path: path.to_path_buf(), spec, sources };
    diagnostics.extend(super::check::check(&loaded, &resolved.failed_types));
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

/// Where the items of `operations` and `examples` that loaded sit in the file, for
/// lists where some item did not load (types and envelopes are placed through `Sources`).
type Places = Vec<(&'static str, Vec<usize>)>;

/// The entries of an object's `fields` as written (fields and includes), each with its place.
pub(super) type FieldEntries = Vec<(usize, FieldEntry)>;

/// A type as read: its place in `types`, the type (an object with no `fields` yet) and,
/// for an object, its field entries.
pub(super) type ReadType = (usize, TypeDef, FieldEntries);

/// What one file defines for others to use, as written: before its imports are read
/// and its objects' field sets spliced in (`imports::resolve`).
#[derive(Debug, Default)]
pub(super) struct FileItems {
    /// Its imports, each with its place in `imports`.
    pub imports: Vec<(usize, String)>,
    /// Field sets that loaded, each with its place in `field_sets`.
    pub field_sets: Vec<(usize, FieldSet)>,
    /// Types that loaded, each with its place in `types`; an object's `fields` is
    /// empty, its entries (fields and includes, with their places) beside it.
    pub types: Vec<ReadType>,
    /// Names of types that did not load.
    pub failed_types: Vec<String>,
    /// Names of field sets that did not load.
    pub failed_sets: Vec<String>,
    /// Error envelopes that loaded, each with its place in `envelopes`.
    pub envelopes: Vec<(usize, Envelope)>,
}

/// A provider spec's pieces as read.
struct Pieces {
    imports: Vec<String>,
    provider: Option<Provider>,
    field_sets: Vec<FieldSet>,
    items: FileItems,
    operations: Vec<Operation>,
    examples: Vec<Example>,
    places: Places,
}

fn load_pieces(root: &Value, r: &mut Reporter) -> Option<Pieces> {
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
    let items = file_items(map, r);
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
    let places = [("operations", &operations.places), ("examples", &examples.places)]
        .into_iter()
        .filter(|(_, places)| places.iter().enumerate().any(|(i, &place)| i != place))
        .map(|(list, places)| (list, places.clone()))
        .collect();
    Some(Pieces {
        imports: items.imports.iter().map(|(_, path)| path.clone()).collect(),
        provider,
        field_sets: items.field_sets.iter().map(|(_, set)| set.clone()).collect(),
        items,
        operations: operations.items,
        examples: examples.items,
        places,
    })
}

/// Reads a shared file: only imports, field sets, types and envelopes.
pub(super) fn load_shared_pieces(root: &Value, r: &mut Reporter) -> FileItems {
    let Some(map) = root.as_mapping() else {
        r.error(
            "",
            format!("a shared file must be a mapping with `types`, `field_sets` or `envelopes`, not {}", kind_of(root)),
        );
        return FileItems::default();
    };
    for key in map.keys() {
        let name = key.as_str().unwrap_or("?");
        if SHARED_KEYS.contains(&name) {
            continue;
        }
        let message = if TOP_LEVEL_KEYS.contains(&name) {
            format!(
                "a shared file holds only {}: `{name}` belongs in a provider spec, which imports this file",
                SHARED_KEYS.join(", ")
            )
        } else {
            format!("unknown top-level key `{name}` in a shared file, expected one of {}", SHARED_KEYS.join(", "))
        };
        r.error_at_key(name, message);
    }
    file_items(map, r)
}

/// The imports, field sets, types and envelopes of a file.
fn file_items(map: &serde_yaml::Mapping, r: &mut Reporter) -> FileItems {
    let mut items = FileItems::default();
    let imports = deserialize_list::<String>(map.get("imports"), "imports", r);
    items.imports = imports.places.into_iter().zip(imports.items).collect();
    items.field_sets = deserialize_field_sets(map.get("field_sets"), r, &mut items.failed_sets);
    let types = deserialize_types(map.get("types"), r, &mut items.failed_types);
    items.types = types.places.into_iter().zip(types.items).map(|(place, (t, entries))| (place, t, entries)).collect();
    let envelopes = deserialize_list::<Envelope>(map.get("envelopes"), "envelopes", r);
    items.envelopes = envelopes.places.into_iter().zip(envelopes.items).collect();
    items
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
        max_request_bytes: None,
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
fn deserialize_types(
    value: Option<&Value>,
    r: &mut Reporter,
    failed: &mut Vec<String>,
) -> LoadedList<(TypeDef, FieldEntries)> {
    let Some(Value::Sequence(items)) = value else {
        let list = deserialize_list::<TypeDef>(value, "types", r);
        return LoadedList { items: list.items.into_iter().map(|t| (t, Vec::new())).collect(), places: list.places };
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
                let plain = |t: TypeDef| (t, Vec::new());
                match kind.as_str() {
                    Some("object") => deserialize_object(&body, &path, r),
                    Some("enum") => deserialize_at(&body, &path, r).map(TypeDef::Enum).map(plain),
                    Some("models") => deserialize_at(&body, &path, r).map(TypeDef::Models).map(plain),
                    Some("one_of") => deserialize_at(&body, &path, r).map(TypeDef::OneOf).map(plain),
                    Some("events") => deserialize_at(&body, &path, r).map(TypeDef::Events).map(plain),
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

/// An object, its fields read one by one (so each bad field is reported, and an
/// `include` entry is told from a field by its key): the object comes back with no
/// fields, its entries beside it.
fn deserialize_object(body: &Value, path: &str, r: &mut Reporter) -> Option<(TypeDef, FieldEntries)> {
    let (body, entries) = take_fields(body);
    let object = deserialize_at::<ObjectDef>(&body, path, r);
    let entries = entries.map_or(Some(Vec::new()), |list| field_entries(&list, &join_key(path, "fields"), true, r));
    Some((TypeDef::Object(object?), entries?))
}

/// The body without its `fields` list (an empty one in its place), and the list;
/// a `fields` that is not a list stays for serde to report.
fn take_fields(body: &Value) -> (Value, Option<Vec<Value>>) {
    let mut body = body.clone();
    let entries = match body.get_mut("fields") {
        Some(fields @ Value::Sequence(_)) => match std::mem::replace(fields, Value::Sequence(Vec::new())) {
            Value::Sequence(list) => Some(list),
            _ => None,
        },
        _ => None,
    };
    (body, entries)
}

/// The entries of a `fields` list, or `None` when any failed (each failure reported).
fn field_entries(list: &[Value], path: &str, includes: bool, r: &mut Reporter) -> Option<FieldEntries> {
    let mut entries = Vec::new();
    let mut all_loaded = true;
    for (j, item) in list.iter().enumerate() {
        let at = join_index(path, j);
        let entry = if item.get("include").is_some() {
            if includes {
                deserialize_at::<FieldInclude>(item, &at, r).map(FieldEntry::Include)
            } else {
                r.error_at_key(
                    &join_key(&at, "include"),
                    "a field set cannot include another field set; include both sets in the object instead",
                );
                None
            }
        } else {
            deserialize_at::<Field>(item, &at, r).map(|f| FieldEntry::Field(Box::new(f)))
        };
        match entry {
            Some(entry) => entries.push((j, entry)),
            None => all_loaded = false,
        }
    }
    all_loaded.then_some(entries)
}

/// Field sets, each with its place; names of sets that fail go to `failed`, so
/// objects including them are not reported again.
fn deserialize_field_sets(value: Option<&Value>, r: &mut Reporter, failed: &mut Vec<String>) -> Vec<(usize, FieldSet)> {
    let Some(Value::Sequence(items)) = value else {
        let list = deserialize_list::<FieldSet>(value, "field_sets", r);
        return list.places.into_iter().zip(list.items).collect();
    };
    let mut sets = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = join_index("field_sets", i);
        let (body, entries) = take_fields(item);
        let set = deserialize_at::<FieldSet>(&body, &path, r);
        let entries =
            entries.map_or(Some(Vec::new()), |list| field_entries(&list, &join_key(&path, "fields"), false, r));
        match (set, entries) {
            (Some(mut set), Some(entries)) => {
                set.fields = entries
                    .into_iter()
                    .filter_map(|(_, entry)| match entry {
                        FieldEntry::Field(field) => Some(*field),
                        FieldEntry::Include(_) => None,
                    })
                    .collect();
                sets.push((i, set));
            }
            _ => failed.extend(item.get("name").and_then(Value::as_str).map(str::to_string)),
        }
    }
    sets
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

pub(super) fn deserialize_at<T: DeserializeOwned>(value: &Value, path: &str, r: &mut Reporter) -> Option<T> {
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
