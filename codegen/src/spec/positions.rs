//! Where each YAML node sits in the file, keyed by YAML path.
//!
//! serde_yaml's `Value` forgets positions, so a second, event-level pass with
//! yaml-rust2 records the line and column of every key and value. Checks then
//! report against a YAML path (`types[2].fields[0].type`) and this index turns
//! it into a line and column.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::Position;

/// YAML path to position of the node (and of its key, for mapping entries).
#[derive(Debug, Default)]
pub struct PositionIndex {
    values: HashMap<String, Position>,
    keys: HashMap<String, Position>,
}

impl PositionIndex {
    /// Indexes `source`. A syntax error leaves the index partial; the loader
    /// reports syntax errors through serde_yaml instead.
    pub fn build(source: &str) -> Self {
        let mut builder = Builder::default();
        let _ = Parser::new_from_str(source).load(&mut builder, false);
        builder.index
    }

    /// Position of the node at `path`, or of its nearest indexed ancestor.
    pub fn value(&self, path: &str) -> Option<Position> {
        self.lookup(&self.values, path)
    }

    /// Position of the mapping key that introduces `path`, falling back to the value.
    pub fn key(&self, path: &str) -> Option<Position> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }

    fn lookup(&self, map: &HashMap<String, Position>, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(p) = map.get(path) {
                return Some(*p);
            }
            path = parent(path)?;
        }
    }
}

/// The parent of a YAML path (`a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> ``).
pub fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// Joins a key onto a YAML path.
pub fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Joins an index onto a YAML path.
pub fn join_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

enum Frame {
    Map { path: String, pending_key: Option<(String, Position)> },
    Seq { path: String, next: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    index: PositionIndex,
}

impl Builder {
    /// The path of the node that starts now, given the enclosing frame; `None` when it is a key.
    fn child_path(&mut self, is_scalar: bool, scalar: &str, pos: Position) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = join_index(path, *next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, pending_key }) => match pending_key.take() {
                Some((key, key_pos)) => {
                    let p = join_key(path, &key);
                    self.index.keys.insert(p.clone(), key_pos);
                    Some(p)
                }
                None => {
                    // A key. Only scalar keys name a path; complex keys are not used by specs.
                    let key = if is_scalar { scalar.to_string() } else { "?".to_string() };
                    // yaml-rust2 marks a block mapping's start at its first `:`, past the
                    // first key; the mapping starts at that key (a flow mapping's `{` comes first).
                    if let Some(start) = self.index.values.get_mut(path.as_str()) {
                        *start = (*start).min(pos);
                    }
                    *pending_key = Some((key, pos));
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        // yaml-rust2 columns count from 0.
        let pos = Position { line: mark.line(), column: mark.col() + 1 };
        match event {
            Event::Scalar(value, ..) => {
                if let Some(path) = self.child_path(true, &value, pos) {
                    self.index.values.insert(path, pos);
                }
            }
            Event::MappingStart(..) => {
                if let Some(path) = self.child_path(false, "", pos) {
                    self.index.values.insert(path.clone(), pos);
                    self.stack.push(Frame::Map { path, pending_key: None });
                } else {
                    self.stack.push(Frame::Map { path: "?".into(), pending_key: None });
                }
            }
            Event::SequenceStart(..) => {
                if let Some(path) = self.child_path(false, "", pos) {
                    self.index.values.insert(path.clone(), pos);
                    self.stack.push(Frame::Seq { path, next: 0 });
                } else {
                    self.stack.push(Frame::Seq { path: "?".into(), next: 0 });
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.child_path(true, "", pos) {
                    self.index.values.insert(path, pos);
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keys_and_values() {
        let src = "provider:\n  name: x\ntypes:\n  - kind: object\n    fields: []\n";
        let idx = PositionIndex::build(src);
        assert_eq!(idx.value("provider.name"), Some(Position { line: 2, column: 9 }));
        assert_eq!(idx.key("provider.name"), Some(Position { line: 2, column: 3 }));
        assert_eq!(idx.value("types[0].kind"), Some(Position { line: 4, column: 11 }));
        // A block mapping starts at its first key, not at the first `:`.
        assert_eq!(idx.value("types[0]"), Some(Position { line: 4, column: 5 }));
        assert_eq!(idx.value("provider"), Some(Position { line: 2, column: 3 }));
        assert_eq!(idx.value("types[0].fields[7].type"), Some(Position { line: 5, column: 13 }));
    }

    #[test]
    fn parents() {
        assert_eq!(parent("a.b[2]"), Some("a.b"));
        assert_eq!(parent("a.b"), Some("a"));
        assert_eq!(parent("a"), Some(""));
        assert_eq!(parent(""), None);
    }
}
