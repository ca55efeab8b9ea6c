//! Located problems in a spec, collected rather than returned at the first one.
//!
//! Like serde_derive's `Ctxt`, every check reports into [`Diagnostics`] and the
//! pipeline stops only after all of them ran, so a spec author sees every
//! mistake in one run. The loader, the checker and the lowering report through a
//! [`Reporter`], which locates YAML paths in the file; [`suggest`] finds the name
//! a mistyped one most likely meant.

mod reporter;
pub mod suggest;

use std::fmt;
use std::path::{Path, PathBuf};

pub use reporter::Reporter;

/// A 1-based line and column in a spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub column: usize,
}

impl Position {
    /// The start of a file: where a problem with the whole file is shown.
    pub const START: Position = Position { line: 1, column: 1 };

    /// The line and column of byte `offset` of `text` (an offset inside a
    /// character counts as that character; one past the end, as the end).
    pub fn of_byte(text: &str, offset: usize) -> Position {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position { line: before.matches('\n').count() + 1, column: before[line_start..].chars().count() + 1 }
    }
}

/// One problem in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// YAML path of the offending node (`types[2].fields[0].type`).
    pub yaml_path: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Diagnostic {
    /// Renders the diagnostic with the offending source line and a caret under the column.
    pub fn render(&self, source: Option<&str>) -> String {
        let mut out = String::new();
        let location = match self.position {
            Some(p) => format!("{}:{}:{}", self.file.display(), p.line, p.column),
            None => self.file.display().to_string(),
        };
        out.push_str(&format!("error: {}\n  --> {location}", self.message));
        if !self.yaml_path.is_empty() {
            out.push_str(&format!(" (at `{}`)", self.yaml_path));
        }
        out.push('\n');
        if let (Some(p), Some(source)) = (self.position, source) {
            if let Some(line) = source.lines().nth(p.line.saturating_sub(1)) {
                let gutter = p.line.to_string();
                let pad = " ".repeat(gutter.len());
                let (shown, caret) = excerpt(line, p.column.saturating_sub(1));
                out.push_str(&format!("{pad} |\n{gutter} | {shown}\n{pad} | "));
                out.push_str(&" ".repeat(caret));
                out.push_str("^\n");
            }
        }
        out
    }
}

/// Characters of a source line shown on each side of the caret: a minified or
/// generated spec can have a line of megabytes, which must not be printed whole.
const EXCERPT_RADIUS: usize = 60;

/// The part of `line` shown around the 0-based character `column`, with `…` where it
/// was cut, and the caret's offset in it.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= 2 * EXCERPT_RADIUS {
        return (line.to_string(), column);
    }
    let start = column.saturating_sub(EXCERPT_RADIUS).min(chars.len());
    let end = (column + EXCERPT_RADIUS).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut caret = column - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}:{}: ", self.file.display(), p.line, p.column)?,
            None => write!(f, "{}: ", self.file.display())?,
        }
        if !self.yaml_path.is_empty() {
            write!(f, "at `{}`: ", self.yaml_path)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in one or more specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds every problem of another collection.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems, sorted by file and position.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Sorts by file, then position, so output is stable whatever order checks ran in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.position, &a.yaml_path, &a.message).cmp(&(&b.file, b.position, &b.yaml_path, &b.message))
        });
        self.items.dedup();
    }

    /// Renders all problems with source excerpts, read from the files on disk.
    pub fn render(&self) -> String {
        self.render_relative_to(Path::new(""))
    }

    /// Renders with file paths shown relative to `base`, for stable snapshots.
    pub fn render_relative_to(&self, base: &Path) -> String {
        let mut relative = self.clone();
        for d in &mut relative.items {
            if let Ok(p) = d.file.strip_prefix(base) {
                d.file = p.to_path_buf();
            }
        }
        // Sources are read through the original paths, so render from the absolute copy.
        let mut out = String::new();
        for (abs, rel) in self.items.iter().zip(&relative.items) {
            let source = std::fs::read_to_string(&abs.file).ok();
            out.push_str(&rel.render(source.as_deref()));
            out.push('\n');
        }
        let n = self.items.len();
        out.push_str(&format!("{n} problem{} found\n", if n == 1 { "" } else { "s" }));
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_line_is_cut_around_the_caret() {
        assert_eq!(super::excerpt("name: x", 6), ("name: x".to_string(), 6));
        let line = format!("{}X{}", "a".repeat(100_000), "b".repeat(100_000));
        let (shown, caret) = super::excerpt(&line, 100_000);
        assert!(shown.chars().count() <= 2 * 60 + 2, "{}", shown.len());
        assert_eq!(shown.chars().nth(caret), Some('X'));
        assert!(shown.starts_with('…') && shown.ends_with('…'));
    }

    use super::*;

    #[test]
    fn byte_offsets_become_lines_and_columns() {
        let text = "ab\nçd\n";
        assert_eq!(Position::of_byte(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::of_byte(text, 3), Position { line: 2, column: 1 });
        // `ç` takes two bytes and one column.
        assert_eq!(Position::of_byte(text, 5), Position { line: 2, column: 2 });
        assert_eq!(Position::of_byte(text, 4), Position { line: 2, column: 1 });
        assert_eq!(Position::of_byte(text, 99), Position { line: 3, column: 1 });
    }
}
