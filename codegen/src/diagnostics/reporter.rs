//! Reporting problems against YAML paths of one spec file.
//!
//! The loader, the checker and the lowering all report through a [`Reporter`]: they
//! name the node (`types[2].fields[0].type`), and the reporter finds its line and
//! column in the file's [`PositionIndex`].

use std::path::Path;

use super::{Diagnostic, Diagnostics, Position};
use crate::spec::positions::PositionIndex;

/// Reports problems against YAML paths of one file.
#[derive(Debug)]
pub struct Reporter<'a> {
    file: &'a Path,
    positions: &'a PositionIndex,
    diagnostics: Diagnostics,
}

impl<'a> Reporter<'a> {
    /// A reporter for `file`.
    pub fn new(file: &'a Path, positions: &'a PositionIndex) -> Self {
        Self { file, positions, diagnostics: Diagnostics::new() }
    }

    /// Reports a problem with the value at `path`.
    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        let position = self.positions.value(&self.positions.renumber(path));
        self.push(position, path, message.into());
    }

    /// Reports a problem with the key that introduces `path`.
    pub fn error_at_key(&mut self, path: &str, message: impl Into<String>) {
        let position = self.positions.key(&self.positions.renumber(path));
        self.push(position, path, message.into());
    }

    /// Reports a problem at a known position.
    pub fn error_at(&mut self, position: Option<Position>, path: &str, message: impl Into<String>) {
        self.push(position, path, message.into());
    }

    fn push(&mut self, position: Option<Position>, path: &str, message: String) {
        // Paths and messages name items as the data model numbers them; the file may
        // number them differently when an item failed to load (see `renumber`). Positions
        // were looked up through the same renumbering.
        self.diagnostics.push(Diagnostic {
            file: self.file.to_path_buf(),
            position: position.or(Some(Position::START)),
            yaml_path: self.positions.renumber(path).into_owned(),
            message: self.positions.renumber(&message).into_owned(),
        });
    }

    /// The problems reported.
    pub fn finish(self) -> Diagnostics {
        self.diagnostics
    }
}
