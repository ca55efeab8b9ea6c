//! Shared definitions: the files a spec imports and the field sets its objects include.
//!
//! `imports: [common/openai-images.yaml]` reads a shared file (types, field sets and
//! error envelopes only) from the folder holding the spec; `- include: EditOptions` in an object's
//! `fields` splices a field set's fields in at that place. Both are resolved here,
//! once, into the flat list of types the checks, the lowering and the spec diff
//! read: a shared type lands in the module of every provider importing it, exactly
//! as if the spec had written it, and an included field is a field of the object
//! like any other. [`Sources`] remembers where each came from, so a problem in a
//! shared file or a field set is reported there.
//!
//! Imported envelopes join the spec's own after them, as imported types do.
//!
//! Refused, each where it is written: an import that is not a plain path inside the
//! spec's folder, that cannot be read, or that closes a cycle; a type, field set or
//! envelope defined twice across files; a shared file naming a type or field set it neither
//! defines nor imports (it would mean something else in each spec); an include of an
//! unknown set, or one bringing a field the object already has; a field set of a
//! spec that no object includes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::load::{decode, load_shared_pieces, parse_yaml, read_at_most, FileItems};
use super::model::{Envelope, Field, FieldEntry, FieldSet, TypeDef};
use super::positions::{join_index, join_key, limits};
use super::sources::{SourceFile, Sources};
use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Diagnostics, Reporter};

/// Shared files nest at most this deep (a spec importing a file importing a file ...):
/// far more than definitions need, and it bounds the loader's recursion.
pub const MAX_IMPORT_DEPTH: usize = 16;

/// Where the loader reads the shared files a spec imports.
pub trait SpecFiles: Sync {
    /// The file at `name`, a path inside the spec's folder already checked to stay
    /// in it (`common/openai-images.yaml`): the path diagnostics name it by and its
    /// bytes, or why it cannot be read.
    fn read(&self, name: &str) -> Result<(PathBuf, Vec<u8>), String>;
}

/// Shared files on disk, in the folder of the spec.
#[derive(Debug, Clone)]
pub struct DiskFiles {
    folder: PathBuf,
}

impl DiskFiles {
    /// The files of the folder holding `spec`.
    pub fn beside(spec: &Path) -> Self {
        Self { folder: spec.parent().map(Path::to_path_buf).unwrap_or_default() }
    }
}

impl SpecFiles for DiskFiles {
    fn read(&self, name: &str) -> Result<(PathBuf, Vec<u8>), String> {
        let path = self.folder.join(name);
        // The name stays inside the folder; a symbolic link could still lead out of it.
        let folder = if self.folder.as_os_str().is_empty() { Path::new(".") } else { &self.folder };
        if let (Ok(inside), Ok(target)) = (folder.canonicalize(), path.canonicalize()) {
            if !target.starts_with(&inside) {
                return Err(format!("it leads out of `{}` through a symbolic link", folder.display()));
            }
        }
        let bytes = read_at_most(&path, limits::MAX_FILE_BYTES).map_err(|err| err.to_string())?;
        Ok((path, bytes))
    }
}

/// The outcome of [`resolve`].
pub(super) struct Resolved {
    /// The sources with every imported file and the origin of every type; `None`
    /// when an import could not be read at all.
    pub sources: Option<Sources>,
    /// The flat types: the spec's own, then each imported file's.
    pub types: Vec<TypeDef>,
    /// The flat error envelopes: the spec's own, then each imported file's.
    pub envelopes: Vec<Envelope>,
    /// Names of types that did not load, in any file, or that include a set which
    /// did not: references to them are not reported again.
    pub failed_types: Vec<String>,
    /// The problems found.
    pub diagnostics: Diagnostics,
}

/// Reads the spec's imports (transitively) and splices field sets into objects.
/// `sources` holds the spec's own file; `items` is what it defines.
pub(super) fn resolve(sources: Sources, items: FileItems, files: &dyn SpecFiles) -> Resolved {
    let mut walk = Walk { files, sources, items: vec![items], imports_of: vec![Vec::new()], stack: Vec::new() };
    let mut diagnostics = Diagnostics::new();
    let complete = walk.visit(0, &mut diagnostics);
    if !complete {
        return Resolved {
            sources: None,
            types: Vec::new(),
            envelopes: Vec::new(),
            failed_types: Vec::new(),
            diagnostics,
        };
    }
    let Walk { mut sources, items, imports_of, .. } = walk;
    let mut flat = Flattening { sources: &sources, items: &items, imports_of: &imports_of, diagnostics };
    let (types, origins, failed_types) = flat.types();
    let (envelopes, envelope_origins) = flat.envelopes();
    let diagnostics = flat.diagnostics;
    for (file, place, fields) in origins {
        sources.push_type(file, place, fields);
    }
    for (file, place) in envelope_origins {
        sources.push_envelope(file, place);
    }
    Resolved { sources: Some(sources), types, envelopes, failed_types, diagnostics }
}

/// Reading imported files, depth first.
struct Walk<'f> {
    files: &'f dyn SpecFiles,
    sources: Sources,
    /// What each file of `sources` defines, by index.
    items: Vec<FileItems>,
    /// The files each file imports (those that could be read), by index.
    imports_of: Vec<Vec<usize>>,
    /// The files being read, the spec first: an import of one of them is a cycle.
    stack: Vec<usize>,
}

impl Walk<'_> {
    /// Reads the imports of `file` and theirs. Returns `false` when one could not be
    /// read at all (its problem is reported); other problems do not stop the walk.
    fn visit(&mut self, file: usize, diagnostics: &mut Diagnostics) -> bool {
        self.stack.push(file);
        let mut complete = true;
        let imports = self.items[file].imports.clone();
        for (place, text) in imports {
            let at = join_index("imports", place);
            let name = match import_name(&text) {
                Ok(name) => name,
                Err(message) => {
                    report(&self.sources, file, &at, message, diagnostics);
                    continue;
                }
            };
            if let Some(known) = self.sources.files().position(|f| f.name == name) {
                if let Some(start) = self.stack.iter().position(|&f| f == known) {
                    let cycle: Vec<&str> = self.stack[start..]
                        .iter()
                        .map(|&f| self.sources.file(f).name.as_str())
                        .chain([name.as_str()])
                        .collect();
                    report(&self.sources, file, &at, format!("import cycle: {}", cycle.join(" → ")), diagnostics);
                } else if !self.imports_of[file].contains(&known) {
                    self.imports_of[file].push(known);
                }
                continue;
            }
            if self.stack.len() > MAX_IMPORT_DEPTH {
                let message = format!("imports nest more than {MAX_IMPORT_DEPTH} files deep");
                report(&self.sources, file, &at, message, diagnostics);
                complete = false;
                continue;
            }
            let read = self.files.read(&name).map_err(|why| {
                let message = format!("cannot read import `{name}`: {why}");
                report(&self.sources, file, &at, message, diagnostics);
            });
            let Ok((path, bytes)) = read else {
                complete = false;
                continue;
            };
            let parsed = decode(&path, bytes).and_then(|source| parse_yaml(&path, &source));
            let (positions, value) = match parsed {
                Ok(parsed) => parsed,
                Err(problems) => {
                    diagnostics.extend(problems);
                    complete = false;
                    continue;
                }
            };
            let mut r = Reporter::new(&path, &positions);
            let items = load_shared_pieces(&value, &mut r);
            diagnostics.extend(r.finish());
            let id = self.sources.add_file(SourceFile { path, name, positions });
            self.items.push(items);
            self.imports_of.push(Vec::new());
            self.imports_of[file].push(id);
            complete &= self.visit(id, diagnostics);
        }
        self.stack.pop();
        complete
    }
}

/// Reports `message` at `path` of the file at `file`.
fn report(sources: &Sources, file: usize, path: &str, message: String, diagnostics: &mut Diagnostics) {
    let source = sources.file(file);
    let mut r = Reporter::new(&source.path, &source.positions);
    r.error(path, message);
    diagnostics.extend(r.finish());
}

/// An import as a name inside the spec's folder (`common/openai-images.yaml`), or
/// why it is not one: no absolute paths, no `..`, `/` between names, a YAML file
/// (what the generator's freshness check watches).
fn import_name(text: &str) -> Result<String, String> {
    let how = "write it relative to the folder of the spec, with `/` between names, such as \
               `common/openai-images.yaml`";
    if text.contains('\\') || text.contains(':') {
        return Err(format!("import `{text}` is not a plain path: {how}"));
    }
    let path = Path::new(text);
    let plain = !text.is_empty()
        && text.split('/').all(|part| !part.is_empty())
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(format!("import `{text}` is not a path inside the folder of the spec: {how}"));
    }
    if !path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
        return Err(format!("import `{text}` must name a `.yaml` file"));
    }
    Ok(text.to_string())
}

/// The types a file's definitions (field sets, types, envelope bodies) name, each with
/// the path of the reference in that file.
fn type_references(items: &FileItems) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    let mut add = |ty: &super::model::TypeRef, path: String| {
        if let Ok(expr) = ty.parsed() {
            if let Some(name) = expr.named() {
                refs.push((name.to_string(), join_key(&path, "type")));
            }
        }
    };
    for (place, set) in &items.field_sets {
        for (m, field) in set.fields.iter().enumerate() {
            add(&field.ty, join_index(&join_key(&join_index("field_sets", *place), "fields"), m));
        }
    }
    for (place, def, entries) in &items.types {
        let at = join_index("types", *place);
        match def {
            TypeDef::Object(_) => {
                for (j, entry) in entries {
                    if let FieldEntry::Field(field) = entry {
                        add(&field.ty, join_index(&join_key(&at, "fields"), *j));
                    }
                }
            }
            TypeDef::OneOf(o) => {
                for (v, variant) in o.variants.iter().enumerate() {
                    add(&variant.ty, join_index(&join_key(&at, "variants"), v));
                }
            }
            TypeDef::Events(e) => {
                for (v, variant) in e.variants.iter().enumerate() {
                    add(&variant.ty, join_index(&join_key(&at, "variants"), v));
                }
            }
            TypeDef::Enum(_) | TypeDef::Models(_) => {}
        }
    }
    for (place, envelope) in &items.envelopes {
        refs.push((envelope.body.clone(), join_key(&join_index("envelopes", *place), "body")));
    }
    refs
}

/// Where each type of the flat spec is written: its file, its place there and where
/// each of its fields is written.
type Origin = (usize, usize, Vec<(usize, String)>);

/// Turning the files' definitions into the spec's flat list of types.
struct Flattening<'a> {
    sources: &'a Sources,
    items: &'a [FileItems],
    imports_of: &'a [Vec<usize>],
    diagnostics: Diagnostics,
}

impl<'a> Flattening<'a> {
    fn error(&mut self, file: usize, path: &str, message: String) {
        report(self.sources, file, path, message, &mut self.diagnostics);
    }

    /// The files `file` can see: itself and every file it imports, directly or not.
    /// The spec sees every file it reads.
    fn visible(&self, file: usize) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut pending = vec![file];
        while let Some(f) = pending.pop() {
            if seen.insert(f) {
                pending.extend(self.imports_of[f].iter().copied());
            }
        }
        seen
    }

    /// The flat types, where each is written, and the names of types that failed.
    fn types(&mut self) -> (Vec<TypeDef>, Vec<Origin>, Vec<String>) {
        let mut failed: Vec<String> = self.items.iter().flat_map(|i| i.failed_types.iter().cloned()).collect();
        let failed_sets: Vec<String> = self.items.iter().flat_map(|i| i.failed_sets.iter().cloned()).collect();
        let sets = self.field_sets();
        let kept = self.unique_types();
        self.shared_files_name_only_what_they_import();
        let mut used_sets = BTreeSet::new();
        let mut types = Vec::new();
        let mut origins = Vec::new();
        let all_items = self.items;
        for (file, items) in all_items.iter().enumerate() {
            let visible = self.visible(file);
            for (place, def, entries) in &items.types {
                if !kept.contains(&(file, *place)) {
                    continue;
                }
                let TypeDef::Object(object) = def else {
                    types.push(def.clone());
                    origins.push((file, *place, Vec::new()));
                    continue;
                };
                let at = join_index("types", *place);
                let mut splice = Splice { own: BTreeSet::new(), from_sets: BTreeMap::new(), complete: true };
                splice.own = entries
                    .iter()
                    .filter_map(|(_, e)| match e {
                        FieldEntry::Field(f) => Some(f.name.clone()),
                        FieldEntry::Include(_) => None,
                    })
                    .collect();
                let mut fields: Vec<Field> = Vec::new();
                let mut field_origins = Vec::new();
                for (j, entry) in entries {
                    let entry_path = join_index(&join_key(&at, "fields"), *j);
                    match entry {
                        FieldEntry::Field(field) => {
                            fields.push((**field).clone());
                            field_origins.push((file, entry_path));
                        }
                        FieldEntry::Include(include) => {
                            let name = include.include.as_str();
                            let include_path = join_key(&entry_path, "include");
                            match sets.get(name) {
                                Some(&(set_file, set_place, set)) if visible.contains(&set_file) => {
                                    used_sets.insert((set_file, set_place));
                                    for (m, field) in set.fields.iter().enumerate() {
                                        if let Some(message) = splice.collision(&object.name, name, &field.name) {
                                            self.error(file, &include_path, message);
                                            continue;
                                        }
                                        let set_path = join_index("field_sets", set_place);
                                        fields.push(field.clone());
                                        field_origins.push((set_file, join_index(&join_key(&set_path, "fields"), m)));
                                    }
                                }
                                Some(&(set_file, ..)) => {
                                    splice.complete = false;
                                    let message = format!(
                                        "field set `{name}` is defined in `{}`, which `{}` does not import",
                                        self.sources.file(set_file).name,
                                        self.sources.file(file).name
                                    );
                                    self.error(file, &include_path, message);
                                }
                                None => {
                                    splice.complete = false;
                                    if !failed_sets.iter().any(|f| f == name) {
                                        let known: Vec<&str> = sets
                                            .iter()
                                            .filter(|(_, (f, ..))| visible.contains(f))
                                            .map(|(n, _)| *n)
                                            .collect();
                                        let message =
                                            format!("unknown field set `{name}`{}", did_you_mean(name, &known));
                                        self.error(file, &include_path, message);
                                    }
                                }
                            }
                        }
                    }
                }
                if splice.complete {
                    let mut object = object.clone();
                    object.fields = fields;
                    types.push(TypeDef::Object(object));
                    origins.push((file, *place, field_origins));
                } else {
                    // Without all its fields the object would fail checks for nothing.
                    failed.push(object.name.clone());
                }
            }
        }
        // A set of the spec's own that nothing includes is dead text (a shared file's
        // sets are there for whichever spec needs them). An object that did not load
        // may have included it.
        let own_types_loaded = self.items[0].failed_types.is_empty();
        for (place, set) in self.items[0].field_sets.iter().filter(|_| own_types_loaded) {
            if !used_sets.contains(&(0, *place)) {
                let message = format!("field set `{}` is included by no object: include it or remove it", set.name);
                self.error(0, &join_key(&join_index("field_sets", *place), "name"), message);
            }
        }
        (types, origins, failed)
    }

    /// Field sets by name, each with its file and place; a name defined twice is
    /// reported at the later definition.
    fn field_sets(&mut self) -> BTreeMap<&'a str, (usize, usize, &'a FieldSet)> {
        let items = self.items;
        let mut sets: BTreeMap<&'a str, (usize, usize, &'a FieldSet)> = BTreeMap::new();
        for (file, file_items) in items.iter().enumerate() {
            for (place, set) in &file_items.field_sets {
                let path = join_key(&join_index("field_sets", *place), "name");
                match sets.get(set.name.as_str()) {
                    Some(&(first, ..)) if first == file => {
                        self.error(file, &path, format!("duplicate field set `{}`", set.name));
                    }
                    Some(&(first, ..)) => {
                        let message = format!(
                            "field set `{}` is also defined in `{}`; one name, one set",
                            set.name,
                            self.sources.file(first).name
                        );
                        self.error(file, &path, message);
                    }
                    None => {
                        sets.insert(&set.name, (file, *place, set));
                    }
                }
            }
        }
        sets
    }

    /// The types that go into the flat list, as (file, place): see [`Self::unique`].
    fn unique_types(&mut self) -> BTreeSet<(usize, usize)> {
        let items = self.items;
        let names =
            items.iter().map(|i| i.types.iter().map(|(place, def, _)| (*place, def.name())).collect()).collect();
        self.unique(Definition::Type, names)
    }

    /// The flat error envelopes (the spec's own, then each imported file's, each name
    /// once: see [`Self::unique`]) and where each is written.
    fn envelopes(&mut self) -> (Vec<Envelope>, Vec<(usize, usize)>) {
        let items = self.items;
        let names =
            items.iter().map(|i| i.envelopes.iter().map(|(place, e)| (*place, e.name.as_str())).collect()).collect();
        let kept = self.unique(Definition::Envelope, names);
        let mut envelopes = Vec::new();
        let mut origins = Vec::new();
        for (file, file_items) in items.iter().enumerate() {
            for (place, envelope) in &file_items.envelopes {
                if kept.contains(&(file, *place)) {
                    envelopes.push(envelope.clone());
                    origins.push((file, *place));
                }
            }
        }
        (envelopes, origins)
    }

    /// Of the definitions named in each file (`names[file]`: place and name), those
    /// that go into the flat list, as (file, place): a name defined in two files is
    /// reported (at the spec's own definition when it is one of them, since its author
    /// chose the import; else at the later file's) and kept once.
    fn unique(&mut self, kind: Definition, names: Vec<Vec<(usize, &str)>>) -> BTreeSet<(usize, usize)> {
        let (noun, list) = kind.words();
        let mut kept = BTreeSet::new();
        let mut defined_in: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for (file, file_names) in names.iter().enumerate() {
            for &(place, name) in file_names {
                match defined_in.get(name) {
                    Some(&(first, first_place)) if first != file => {
                        let (at_file, at_place, other) =
                            if first == 0 { (0, first_place, file) } else { (file, place, first) };
                        let message = if at_file == 0 {
                            format!(
                                "{noun} `{name}` is also defined in `{}`, which this spec imports; use that one or \
                                 rename this one",
                                self.sources.file(other).name
                            )
                        } else {
                            format!(
                                "{noun} `{name}` is also defined in `{}`, and a spec imports both files; one name, one \
                                 {noun}",
                                self.sources.file(other).name
                            )
                        };
                        self.error(at_file, &join_key(&join_index(list, at_place), "name"), message);
                    }
                    // Duplicates within one file are the checker's (`unique_type_names`, `envelopes`).
                    Some(_) => {
                        kept.insert((file, place));
                    }
                    None => {
                        defined_in.insert(name, (file, place));
                        kept.insert((file, place));
                    }
                }
            }
        }
        kept
    }

    /// A shared file's types and field sets name only types it defines or imports:
    /// otherwise it would lean on whichever spec imports it, and mean something else
    /// in each. Names defined nowhere are the checker's ("unknown type").
    fn shared_files_name_only_what_they_import(&mut self) {
        let items = self.items;
        let defined: BTreeMap<&str, usize> = items
            .iter()
            .enumerate()
            .rev()
            .flat_map(|(file, i)| i.types.iter().map(move |(_, def, _)| (def.name(), file)))
            .collect();
        for (file, file_items) in items.iter().enumerate().skip(1) {
            let visible = self.visible(file);
            for (name, path) in type_references(file_items) {
                if let Some(&home) = defined.get(name.as_str()) {
                    if !visible.contains(&home) {
                        let message = format!(
                            "`{}` uses type `{name}` from `{}` without importing it; a shared file names only its \
                             own types and those of the files it imports",
                            self.sources.file(file).name,
                            self.sources.file(home).name
                        );
                        self.error(file, &path, message);
                    }
                }
            }
        }
    }
}

/// A kind of named definition that may be written in several files.
#[derive(Clone, Copy)]
enum Definition {
    Type,
    Envelope,
}

impl Definition {
    /// What messages call it, and the top-level list holding it.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Definition::Type => ("type", "types"),
            Definition::Envelope => ("envelope", "envelopes"),
        }
    }
}

/// The field names an object has so far, to refuse an include that repeats one.
struct Splice {
    /// The object's own fields.
    own: BTreeSet<String>,
    /// Fields included so far, with the set each came from.
    from_sets: BTreeMap<String, String>,
    /// Whether every include was found.
    complete: bool,
}

impl Splice {
    /// Why `field` of `set` cannot join `object`, or `None` (it is then recorded).
    fn collision(&mut self, object: &str, set: &str, field: &str) -> Option<String> {
        if self.own.contains(field) {
            return Some(format!(
                "field set `{set}` brings field `{field}`, which `{object}` already has; remove one of them"
            ));
        }
        if let Some(other) = self.from_sets.get(field) {
            return Some(format!(
                "field set `{set}` brings field `{field}`, which field set `{other}` already brought into `{object}`"
            ));
        }
        self.from_sets.insert(field.to_string(), set.to_string());
        None
    }
}

#[cfg(test)]
mod tests {
    use super::import_name;

    #[test]
    fn imports_are_plain_paths_inside_the_folder() {
        assert_eq!(import_name("common/openai-images.yaml").as_deref(), Ok("common/openai-images.yaml"));
        assert_eq!(import_name("shapes.yml").as_deref(), Ok("shapes.yml"));
        for outside in ["../secrets.yaml", "/etc/x.yaml", "common/../../x.yaml", "./common/x.yaml", "common//x.yaml"] {
            let err = import_name(outside).expect_err(outside);
            assert!(err.contains("not a path inside the folder"), "{outside}: {err}");
        }
        assert!(import_name("C:\\specs\\x.yaml").expect_err("windows").contains("not a plain path"));
        assert!(import_name("common/x.json").expect_err("json").contains("`.yaml` file"));
        assert!(import_name("").is_err());
    }
}
