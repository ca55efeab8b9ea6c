//! Reporting problems against YAML paths of one spec.
//!
//! The loader, the checker and the lowering all report through a [`Reporter`]: they
//! name the node (`types[2].fields[0].type`), and the reporter finds its line and
//! column: in one file's [`PositionIndex`] while the loader reads that file, or, for
//! a loaded spec, in whichever file the node is written ([`Sources`]: the spec or a
//! shared file it imports).

use std::path::Path;

use super::{Diagnostic, Diagnostics, Position};
use crate::spec::positions::PositionIndex;
use crate::spec::sources::Sources;

/// Reports problems against YAML paths of one file, or of one loaded spec.
#[derive(Debug)]
pub struct Reporter<'a> {
    place: Place<'a>,
    diagnostics: Diagnostics,
}

/// What YAML paths are paths of.
#[derive(Debug)]
enum Place<'a> {
    /// One file, as written.
    File { file: &'a Path, positions: &'a PositionIndex },
    /// A loaded spec, flat: its types and fields may be written in other files.
    Spec(&'a Sources),
}

impl<'a> Reporter<'a> {
    /// A reporter for paths of `file`.
    pub fn new(file: &'a Path, positions: &'a PositionIndex) -> Self {
        Self { place: Place::File { file, positions }, diagnostics: Diagnostics::new() }
    }

    /// A reporter for paths of a loaded spec, each shown in the file where it is written.
    pub fn for_spec(sources: &'a Sources) -> Self {
        Self { place: Place::Spec(sources), diagnostics: Diagnostics::new() }
    }

    /// Reports a problem with the value at `path`.
    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        self.report(path, message.into(), PositionIndex::value);
    }

    /// Reports a problem with the key that introduces `path`.
    pub fn error_at_key(&mut self, path: &str, message: impl Into<String>) {
        self.report(path, message.into(), PositionIndex::key);
    }

    /// Reports a problem at a known position of the spec's own file.
    pub fn error_at(&mut self, position: Option<Position>, path: &str, message: impl Into<String>) {
        let (file, path, message) = match self.place {
            Place::File { file, positions } => {
                (file, positions.renumber(path).into_owned(), positions.renumber(&message.into()).into_owned())
            }
            Place::Spec(sources) => {
                let spec = sources.spec_file();
                (spec.path.as_path(), path.to_string(), sources.renumber_message(&message.into()).into_owned())
            }
        };
        self.push(Diagnostic { file: file.to_path_buf(), position, yaml_path: path, message });
    }

    /// Paths and messages name items as the data model numbers them; the file may
    /// number them differently (an item failed to load, a type came from an import, a
    /// field from a field set), so both are renumbered and the position looked up there.
    fn report(&mut self, path: &str, message: String, at: fn(&PositionIndex, &str) -> Option<Position>) {
        let diagnostic = match self.place {
            Place::File { file, positions } => {
                let path = positions.renumber(path).into_owned();
                Diagnostic {
                    file: file.to_path_buf(),
                    position: at(positions, &path),
                    yaml_path: path,
                    message: positions.renumber(&message).into_owned(),
                }
            }
            Place::Spec(sources) => {
                let found = sources.locate(path);
                Diagnostic {
                    file: found.file.path.clone(),
                    position: at(&found.file.positions, &found.path),
                    yaml_path: found.path,
                    message: sources.renumber_message(&message).into_owned(),
                }
            }
        };
        self.push(diagnostic);
    }

    fn push(&mut self, mut diagnostic: Diagnostic) {
        diagnostic.position = diagnostic.position.or(Some(Position::START));
        // A mistake in a field set or a shared type shows once, however many objects
        // or specs use it.
        if !self.diagnostics.items().contains(&diagnostic) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// The problems reported.
    pub fn finish(self) -> Diagnostics {
        self.diagnostics
    }
}
