//! Which file each piece of a loaded spec came from.
//!
//! A spec may import shared files (`imports: [common/openai-images.yaml]`) and its
//! objects may include field sets (`- include: EditOptions`). The loader resolves
//! both into one flat [`Spec`](super::model::Spec), so checks and lowering name its
//! items by their place in it (`types[12].fields[4]`). [`Sources`] turns such a path
//! back into the file and the path inside it where the item is written (the eleventh
//! type of the spec may be the first of `common/openai-images.yaml`, a field the
//! ninth of a field set), so every problem is shown where it can be fixed.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::positions::{join_index, PositionIndex};

/// A file a spec was read from: the spec itself or a shared file it imports.
#[derive(Debug)]
pub struct SourceFile {
    /// The path diagnostics name it by.
    pub path: PathBuf,
    /// How the importing spec's folder names it (`common/openai-images.yaml`); the
    /// spec's own file name for the spec.
    pub name: String,
    /// Positions of its nodes.
    pub positions: PositionIndex,
}

/// Where a type of the flat spec is written.
#[derive(Debug, Clone)]
struct TypeOrigin {
    /// Index into [`Sources::files`].
    file: usize,
    /// Its place in that file's `types`.
    place: usize,
    /// For an object: where each of its fields is written (file and path), since a
    /// field may come from a field set of another file.
    fields: Vec<(usize, String)>,
}

/// The files of a loaded spec and where each of its types and fields came from.
#[derive(Debug)]
pub struct Sources {
    /// The spec first, then every shared file it imports, directly or not, in the
    /// order they were first imported.
    files: Vec<SourceFile>,
    /// One per type of the flat spec, in its order.
    types: Vec<TypeOrigin>,
    /// One per error envelope of the flat spec, in its order: its file and its place
    /// in that file's `envelopes`.
    envelopes: Vec<(usize, usize)>,
}

/// A path of the flat spec, found in the file where it is written.
#[derive(Debug)]
pub struct Location<'a> {
    /// The file.
    pub file: &'a SourceFile,
    /// The path inside that file.
    pub path: String,
}

impl Sources {
    /// The sources of a spec read from one file, with nothing imported or included yet.
    pub fn single(path: &Path, name: String, positions: PositionIndex) -> Self {
        Self {
            files: vec![SourceFile { path: path.to_path_buf(), name, positions }],
            types: Vec::new(),
            envelopes: Vec::new(),
        }
    }

    /// Adds a shared file; returns its index.
    pub(crate) fn add_file(&mut self, file: SourceFile) -> usize {
        self.files.push(file);
        self.files.len() - 1
    }

    /// The file at `index` (0 is the spec itself).
    pub fn file(&self, index: usize) -> &SourceFile {
        &self.files[index]
    }

    /// The spec's own file.
    pub fn spec_file(&self) -> &SourceFile {
        &self.files[0]
    }

    /// Every file read: the spec, then the shared files it imports.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// Records the next type of the flat spec: written as `types[place]` of `file`,
    /// its fields (for an object) at the given files and paths.
    pub(crate) fn push_type(&mut self, file: usize, place: usize, fields: Vec<(usize, String)>) {
        self.types.push(TypeOrigin { file, place, fields });
    }

    /// Records the next envelope of the flat spec: written as `envelopes[place]` of `file`.
    pub(crate) fn push_envelope(&mut self, file: usize, place: usize) {
        self.envelopes.push((file, place));
    }

    /// The file and the path in it where the flat spec's `path` is written.
    pub fn locate(&self, path: &str) -> Location<'_> {
        if let Some((index, rest)) = split_index(path, "envelopes") {
            if let Some(&(file, place)) = self.envelopes.get(index) {
                return Location { file: &self.files[file], path: format!("{}{rest}", join_index("envelopes", place)) };
            }
        }
        match split_type_path(path) {
            Some((index, rest)) if index < self.types.len() => {
                let origin = &self.types[index];
                if let Some((field, after)) = split_index(rest, ".fields") {
                    if let Some((file, field_path)) = origin.fields.get(field) {
                        return Location { file: &self.files[*file], path: format!("{field_path}{after}") };
                    }
                }
                Location {
                    file: &self.files[origin.file],
                    path: format!("{}{rest}", join_index("types", origin.place)),
                }
            }
            _ => {
                let spec = &self.files[0];
                Location { file: spec, path: spec.positions.renumber(path).into_owned() }
            }
        }
    }

    /// A message naming items of the flat spec (`first defined at types[3]`), with
    /// each `types[i]` and `envelopes[i]` named where it is written: its place in the
    /// spec's own file, or in a shared file, named too.
    pub fn renumber_message<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !text.contains("types[") && !text.contains("envelopes[") {
            return self.files[0].positions.renumber(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some((at, list)) =
            ["types[", "envelopes["].into_iter().filter_map(|list| rest.find(list).map(|at| (at, list))).min()
        {
            let boundary = rest[..at].chars().next_back().or(out.chars().next_back());
            let (before, from) = rest.split_at(at);
            out.push_str(before);
            let name = &list[..list.len() - 1];
            let origin = split_index(from, name).and_then(|(index, after)| {
                let (file, place) = match name {
                    "types" => self.types.get(index).map(|o| (o.file, o.place))?,
                    _ => *self.envelopes.get(index)?,
                };
                Some((file, place, after))
            });
            match origin {
                Some((file, place, after)) if boundary.is_none_or(|c| !is_path_char(c)) => {
                    out.push_str(&join_index(name, place));
                    if file != 0 {
                        out.push_str(&format!(" of {}", self.files[file].name));
                    }
                    rest = after;
                }
                _ => {
                    out.push_str(list);
                    rest = &from[list.len()..];
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(self.files[0].positions.renumber(&out).into_owned())
    }
}

fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// `types[3].fields[2].type` -> `(3, ".fields[2].type")`.
fn split_type_path(path: &str) -> Option<(usize, &str)> {
    split_index(path, "types")
}

/// `<prefix>[n]<rest>` -> `(n, rest)`.
fn split_index<'p>(path: &'p str, prefix: &str) -> Option<(usize, &'p str)> {
    let after = path.strip_prefix(prefix)?.strip_prefix('[')?;
    let close = after.find(']')?;
    let index = after[..close].parse().ok()?;
    Some((index, &after[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        let index = |text: &str| PositionIndex::build(text).expect("valid YAML");
        let mut s = Sources::single(Path::new("spec.yaml"), "spec.yaml".into(), index("types: []\n"));
        s.add_file(SourceFile { path: "common/a.yaml".into(), name: "common/a.yaml".into(), positions: index("") });
        // The spec's object: its own field, then a field of the shared file's set.
        s.push_type(0, 0, vec![(0, "types[0].fields[0]".into()), (1, "field_sets[0].fields[2]".into())]);
        // The shared file's type.
        s.push_type(1, 0, Vec::new());
        // The spec's envelope at its second place (the first did not load), then the shared file's.
        s.push_envelope(0, 1);
        s.push_envelope(1, 0);
        s
    }

    #[test]
    fn a_spliced_field_is_found_in_its_field_set() {
        let s = sources();
        let found = s.locate("types[0].fields[1].type");
        assert_eq!((found.file.name.as_str(), found.path.as_str()), ("common/a.yaml", "field_sets[0].fields[2].type"));
        let own = s.locate("types[0].fields[0]");
        assert_eq!((own.file.name.as_str(), own.path.as_str()), ("spec.yaml", "types[0].fields[0]"));
        let rules = s.locate("types[0].rules[1].field");
        assert_eq!((rules.file.name.as_str(), rules.path.as_str()), ("spec.yaml", "types[0].rules[1].field"));
    }

    #[test]
    fn an_imported_type_is_found_in_its_file() {
        let s = sources();
        let found = s.locate("types[1].name");
        assert_eq!((found.file.name.as_str(), found.path.as_str()), ("common/a.yaml", "types[0].name"));
        let op = s.locate("operations[0].id");
        assert_eq!((op.file.name.as_str(), op.path.as_str()), ("spec.yaml", "operations[0].id"));
    }

    #[test]
    fn messages_name_the_file_of_an_imported_type() {
        let s = sources();
        assert_eq!(s.renumber_message("first defined at types[1]"), "first defined at types[0] of common/a.yaml");
        assert_eq!(s.renumber_message("see types[0] and subtypes[1]"), "see types[0] and subtypes[1]");
    }

    #[test]
    fn an_imported_envelope_is_found_in_its_file() {
        let s = sources();
        let found = s.locate("envelopes[1].body");
        assert_eq!((found.file.name.as_str(), found.path.as_str()), ("common/a.yaml", "envelopes[0].body"));
        let own = s.locate("envelopes[0].message");
        assert_eq!((own.file.name.as_str(), own.path.as_str()), ("spec.yaml", "envelopes[1].message"));
        assert_eq!(
            s.renumber_message("declared twice (first at envelopes[1]), body types[1]"),
            "declared twice (first at envelopes[0] of common/a.yaml), body types[0] of common/a.yaml"
        );
    }
}
