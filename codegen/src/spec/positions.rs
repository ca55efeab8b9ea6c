//! Where each YAML node sits in the file, keyed by YAML path; and the bounds a
//! spec file must stay within before anything builds values from it.
//!
//! serde_yaml's `Value` forgets positions, so a second, event-level pass with
//! yaml-rust2 records the line and column of every key and value. Checks then
//! report against a YAML path (`types[2].fields[0].type`) and this index turns
//! it into a line and column.
//!
//! That pass runs first and sees every event of the file, so it is also where
//! resources are bounded ([`limits`]): nesting depth, scalar size, the size
//! aliases expand to, one document per file, no control characters. serde_yaml
//! only reads a file this pass accepted, so it never expands an alias bomb or
//! recurses past its own limit, and every such problem gets a line and column.
//! The pass drives yaml-rust2's event parser in a loop with an explicit stack:
//! nothing in it recurses as deep as the file nests.

use std::borrow::Cow;
use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::Position;

/// Bounds on what a spec file may cost to read, far above what real specs use
/// (the largest, `specs/routerhub.yaml`, is 33 KB, nests 10 collections deep
/// and holds about 2,000 nodes; no spec uses aliases).
pub mod limits {
    /// Largest spec file read, in bytes.
    pub const MAX_FILE_BYTES: usize = 8 << 20;
    /// Longest scalar (string, number, key), in bytes: 300 times the longest in
    /// the specs (859 bytes), and room for a small base64 image in an example.
    /// A scalar becomes names, messages and code, each pass over it costing
    /// time: a mebibyte took over a second in a debug build.
    pub const MAX_SCALAR_BYTES: usize = 256 << 10;
    /// Deepest nesting of mappings and sequences, counted after alias expansion.
    /// serde_yaml stops at 128 without a position; this stops first, located.
    pub const MAX_DEPTH: usize = 64;
    /// Most nodes the document may hold once its aliases are expanded: what
    /// serde_yaml will allocate, so an alias bomb is refused before it is built.
    /// Fifty times the largest spec; a file this size still loads in well under
    /// a second in a debug build.
    pub const MAX_EXPANDED_NODES: u64 = 100_000;
    /// Most scalar text the document may hold once its aliases are expanded: no
    /// more than the largest file could hold without them.
    pub const MAX_EXPANDED_BYTES: u64 = MAX_FILE_BYTES as u64;
    /// Alias expansions allowed per event read so far. serde_yaml refuses more
    /// than 100 per event of the whole document, without a position; counting
    /// against the events read so far, at half that rate, refuses first and
    /// says where.
    pub const MAX_ALIAS_EXPANSIONS_PER_EVENT: u64 = 50;
}

/// A file the position pass refuses: bad syntax or a bound exceeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanProblem {
    /// Where the problem is.
    pub position: Position,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// YAML path to position of the node (and of its key, for mapping entries).
///
/// Nodes form a tree (parent and segment to child) rather than a map from whole
/// path strings: a path string repeats every ancestor's key, so long keys over
/// deep or wide documents would cost memory quadratic in the file.
#[derive(Debug)]
pub struct PositionIndex {
    nodes: Vec<IndexedNode>,
    children: HashMap<(usize, Segment), usize>,
    /// For `types`, `operations` and `examples`: the place in the file of each
    /// item the data model holds, when some item failed to load (see [`Self::renumber`]).
    places: Vec<(&'static str, Vec<usize>)>,
}

#[derive(Debug, Clone, Copy)]
struct IndexedNode {
    value: Position,
    key: Option<Position>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Key(Box<str>),
    Index(usize),
}

impl Default for PositionIndex {
    fn default() -> Self {
        // The root is always indexed, at the start of the file until its first node
        // is seen, so every path resolves to some position, even in an empty file.
        Self {
            nodes: vec![IndexedNode { value: Position::START, key: None }],
            children: HashMap::new(),
            places: Vec::new(),
        }
    }
}

impl PositionIndex {
    /// Indexes `source`, or says why it cannot be read: a syntax error (with
    /// yaml-rust2's message) or a bound of [`limits`] exceeded.
    pub fn build(source: &str) -> Result<Self, ScanProblem> {
        if source.len() > limits::MAX_FILE_BYTES {
            // Worded as `load_bytes` words it, which stops reading at the limit.
            return Err(ScanProblem {
                position: Position::START,
                message: format!("the spec is more than {}, the limit", size(limits::MAX_FILE_BYTES as u64)),
            });
        }
        reject_control_characters(source)?;
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(source);
        loop {
            let (event, mark) = parser.next_token().map_err(|err| ScanProblem {
                position: position(err.marker()),
                message: match err.info() {
                    // yaml-rust2's scanner stops flow collections nested past its own
                    // bound, deeper than ours, and reads ahead of the events this pass sees.
                    "recursion limit exceeded" => nesting_message(),
                    info => format!("invalid YAML: {info}"),
                },
            })?;
            if event == Event::StreamEnd {
                break;
            }
            builder.on_event(event, position(&mark))?;
        }
        Ok(builder.index)
    }

    /// Position of the node at `path`, or of its nearest indexed ancestor.
    pub fn value(&self, path: &str) -> Option<Position> {
        let (node, _) = self.locate(path);
        Some(self.nodes[node].value)
    }

    /// Position of the mapping key that introduces `path`, falling back to the value.
    pub fn key(&self, path: &str) -> Option<Position> {
        let (node, exact) = self.locate(path);
        let found = self.nodes[node];
        Some(if exact { found.key.unwrap_or(found.value) } else { found.value })
    }

    /// Records where the items of a top-level list that loaded sit in the file:
    /// `places[i]` is the file index of the data model's `list[i]`.
    pub fn set_places(&mut self, list: &'static str, places: Vec<usize>) {
        self.places.retain(|(name, _)| *name != list);
        self.places.push((list, places));
    }

    /// Rewrites `types[i]`, `operations[i]` and `examples[i]` in a path or message
    /// from the data model's numbering to the file's. The model holds only the
    /// items that loaded, so after a failed one its indices run behind the file;
    /// checks number items as the model does, and this keeps what they report
    /// pointing at the right item.
    pub fn renumber<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.places.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'scan: while !rest.is_empty() {
            let at_boundary = out.chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
            if at_boundary {
                for (list, places) in &self.places {
                    let Some(after) = rest.strip_prefix(list).and_then(|r| r.strip_prefix('[')) else { continue };
                    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                    let Some(tail) = after[digits..].strip_prefix(']') else { continue };
                    let Some(place) = after[..digits].parse::<usize>().ok().and_then(|i| places.get(i)) else {
                        continue;
                    };
                    out.push_str(&format!("{list}[{place}]"));
                    rest = tail;
                    continue 'scan;
                }
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
        Cow::Owned(out)
    }

    /// The deepest indexed node on `path`, and whether it is the node of the whole path.
    fn locate(&self, path: &str) -> (usize, bool) {
        let mut node = 0;
        let mut rest = path;
        while !rest.is_empty() {
            let next = if let Some(after) = rest.strip_prefix('[') {
                let Some(close) = after.find(']') else { return (node, false) };
                let Ok(index) = after[..close].parse::<usize>() else { return (node, false) };
                self.children.get(&(node, Segment::Index(index))).map(|&child| (child, &after[close + 1..]))
            } else {
                self.key_child(node, rest)
            };
            let Some((child, after)) = next else { return (node, false) };
            node = child;
            rest = after.strip_prefix('.').unwrap_or(after);
        }
        (node, true)
    }

    /// The child of `node` whose key starts `rest`, and what follows the key. Keys
    /// may hold `.` or `[` themselves, so every cut at one is tried, longest first.
    fn key_child<'p>(&self, node: usize, rest: &'p str) -> Option<(usize, &'p str)> {
        let cuts = rest.match_indices(['.', '[']).map(|(i, _)| i).chain([rest.len()]).filter(|&i| i > 0);
        let cuts: Vec<usize> = cuts.collect();
        cuts.into_iter().rev().find_map(|cut| {
            let segment = Segment::Key(rest[..cut].into());
            self.children.get(&(node, segment)).map(|&child| (child, &rest[cut..]))
        })
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

/// yaml-rust2 counts lines from 1 and columns from 0.
fn position(mark: &Marker) -> Position {
    Position { line: mark.line(), column: mark.col() + 1 }
}

/// YAML allows only printable characters (YAML 1.2, 5.1; libyaml's reader
/// enforces the same set, but reports a byte offset, not a line and column).
fn reject_control_characters(source: &str) -> Result<(), ScanProblem> {
    let printable = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    };
    match source.char_indices().find(|&(_, c)| !printable(c)) {
        None => Ok(()),
        Some((byte, c)) => Err(ScanProblem {
            position: Position::of_byte(source, byte),
            message: format!(
                "control character U+{:04X} is not allowed in YAML; write it as an escape in a double-quoted string",
                u32::from(c)
            ),
        }),
    }
}

/// What a node costs once its aliases are expanded: what serde_yaml will build.
#[derive(Debug, Clone, Copy, Default)]
struct Expansion {
    nodes: u64,
    bytes: u64,
    /// Alias expansions, counting those inside expanded aliases.
    aliases: u64,
}

impl Expansion {
    fn add(&mut self, other: Expansion) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.aliases = self.aliases.saturating_add(other.aliases);
    }

    fn since(self, start: Expansion) -> Expansion {
        Expansion {
            nodes: self.nodes - start.nodes,
            bytes: self.bytes - start.bytes,
            aliases: self.aliases - start.aliases,
        }
    }
}

/// An anchored node: its cost and how deep it nests, once closed.
#[derive(Debug, Clone, Copy)]
enum Anchor {
    /// Still open: an alias to it would be a node containing itself.
    Open,
    Closed {
        cost: Expansion,
        depth: usize,
    },
}

/// A mapping or sequence being read.
struct Frame {
    /// Its node in the index; `None` under a complex key, which no path names.
    node: Option<usize>,
    kind: FrameKind,
    anchor: usize,
    /// Totals when it opened, so its own cost is the difference when it closes.
    opened_at: Expansion,
    /// The deepest nesting reached inside it, aliases expanded (its own level included).
    deepest: usize,
}

enum FrameKind {
    /// A mapping; the key read and waiting for its value (`None` for a complex key).
    Map {
        pending_key: Option<(Option<Segment>, Position)>,
    },
    Seq {
        next: usize,
    },
}

/// Where the node that starts now goes.
enum Slot {
    /// It is a mapping key.
    Key,
    /// It is a value, indexed as this node (or not indexed).
    Value(Option<usize>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    index: PositionIndex,
    anchors: HashMap<usize, Anchor>,
    total: Expansion,
    events: u64,
    documents: usize,
}

impl Builder {
    fn on_event(&mut self, event: Event, pos: Position) -> Result<(), ScanProblem> {
        self.events += 1;
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                // serde_yaml refuses a second document without saying where it starts.
                if self.documents > 1 {
                    return Err(problem(pos, "a spec file holds one YAML document; a second one starts here"));
                }
            }
            Event::Scalar(value, _, anchor, _) => {
                if value.len() > limits::MAX_SCALAR_BYTES {
                    return Err(problem(
                        pos,
                        format!(
                            "this scalar is {} bytes, more than the limit of {}",
                            value.len(),
                            size(limits::MAX_SCALAR_BYTES as u64)
                        ),
                    ));
                }
                let cost = Expansion { nodes: 1, bytes: value.len() as u64, aliases: 0 };
                self.place(Some(&value), pos);
                if anchor != 0 {
                    self.anchors.insert(anchor, Anchor::Closed { cost, depth: 0 });
                }
                self.spend(cost, pos, false)?;
            }
            Event::Alias(anchor) => {
                let (cost, depth) = match self.anchors.get(&anchor) {
                    Some(Anchor::Closed { cost, depth }) => (*cost, *depth),
                    Some(Anchor::Open) => {
                        return Err(problem(pos, "this alias refers to a node that contains it, which never ends"))
                    }
                    // yaml-rust2 refuses unknown anchors before this; counted as one node if not.
                    None => (Expansion { nodes: 1, ..Expansion::default() }, 0),
                };
                self.place(None, pos);
                self.reach(self.stack.len() + depth, pos)?;
                self.spend(Expansion { aliases: cost.aliases.saturating_add(1), ..cost }, pos, true)?;
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                let is_map = matches!(event, Event::MappingStart(..));
                let node = match self.place(None, pos) {
                    Slot::Value(node) => node,
                    Slot::Key => None,
                };
                self.reach(self.stack.len() + 1, pos)?;
                if anchor != 0 {
                    self.anchors.insert(anchor, Anchor::Open);
                }
                let kind = if is_map { FrameKind::Map { pending_key: None } } else { FrameKind::Seq { next: 0 } };
                let depth = self.stack.len() + 1;
                self.stack.push(Frame { node, kind, anchor, opened_at: self.total, deepest: depth });
                self.spend(Expansion { nodes: 1, ..Expansion::default() }, pos, false)?;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(frame) = self.stack.pop() {
                    if frame.anchor != 0 {
                        let cost = self.total.since(frame.opened_at);
                        let depth = frame.deepest - self.stack.len();
                        self.anchors.insert(frame.anchor, Anchor::Closed { cost, depth });
                    }
                    if let Some(parent) = self.stack.last_mut() {
                        parent.deepest = parent.deepest.max(frame.deepest);
                    }
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    /// Files the node that starts now under its parent; `scalar` is its text if it is a scalar.
    fn place(&mut self, scalar: Option<&str>, pos: Position) -> Slot {
        let Some(frame) = self.stack.last_mut() else {
            self.index.nodes[0].value = pos;
            return Slot::Value(Some(0));
        };
        match &mut frame.kind {
            FrameKind::Seq { next } => {
                let index = *next;
                *next += 1;
                let child = frame.node.map(|parent| self.index.add(parent, Segment::Index(index), pos, None));
                Slot::Value(child)
            }
            FrameKind::Map { pending_key } => match pending_key.take() {
                Some((key, key_pos)) => {
                    let child = match (frame.node, key) {
                        (Some(parent), Some(key)) => Some(self.index.add(parent, key, pos, Some(key_pos))),
                        _ => None,
                    };
                    Slot::Value(child)
                }
                None => {
                    // Only scalar keys name a path; complex keys are not used by specs.
                    *pending_key = Some((scalar.map(|s| Segment::Key(s.into())), pos));
                    // yaml-rust2 marks a block mapping's start at its first `:`, past the
                    // first key; the mapping starts at that key (a flow mapping's `{` comes first).
                    if let Some(node) = frame.node {
                        let start = &mut self.index.nodes[node].value;
                        *start = (*start).min(pos);
                    }
                    Slot::Key
                }
            },
        }
    }

    /// Notes that nesting reaches `depth` here, refusing it past the limit.
    fn reach(&mut self, depth: usize, pos: Position) -> Result<(), ScanProblem> {
        if depth > limits::MAX_DEPTH {
            return Err(problem(pos, nesting_message()));
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.deepest = frame.deepest.max(depth);
        }
        Ok(())
    }

    /// Adds a node's expanded cost to the document's, refusing it past the limits.
    fn spend(&mut self, cost: Expansion, pos: Position, is_alias: bool) -> Result<(), ScanProblem> {
        self.total.add(cost);
        let expanded = if self.total.aliases > 0 { " once its aliases are expanded" } else { "" };
        if self.total.nodes > limits::MAX_EXPANDED_NODES {
            let what = if is_alias { "this alias takes the spec" } else { "the spec reaches" };
            return Err(problem(
                pos,
                format!("{what} past {} YAML nodes{expanded}, the limit", limits::MAX_EXPANDED_NODES),
            ));
        }
        if self.total.bytes > limits::MAX_EXPANDED_BYTES {
            let what = if is_alias { "this alias takes the spec" } else { "the spec reaches" };
            return Err(problem(
                pos,
                format!("{what} past {} of text{expanded}, the limit", size(limits::MAX_EXPANDED_BYTES)),
            ));
        }
        if is_alias && self.total.aliases > self.events.saturating_mul(limits::MAX_ALIAS_EXPANSIONS_PER_EVENT) {
            return Err(problem(
                pos,
                format!(
                    "aliases here would be expanded more than {} times per node written so far; \
                     write the repeated values out instead",
                    limits::MAX_ALIAS_EXPANSIONS_PER_EVENT
                ),
            ));
        }
        Ok(())
    }
}

impl PositionIndex {
    fn add(&mut self, parent: usize, segment: Segment, value: Position, key: Option<Position>) -> usize {
        let id = self.nodes.len();
        self.nodes.push(IndexedNode { value, key });
        self.children.insert((parent, segment), id);
        id
    }
}

/// A limit in the unit it is a whole number of (`256 KiB`, `8 MiB`).
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

fn nesting_message() -> String {
    format!("mappings and sequences nest more than {} levels deep here", limits::MAX_DEPTH)
}

fn problem(position: Position, message: impl Into<String>) -> ScanProblem {
    ScanProblem { position, message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(src: &str) -> PositionIndex {
        PositionIndex::build(src).expect("valid YAML within limits")
    }

    #[test]
    fn records_keys_and_values() {
        let src = "provider:\n  name: x\ntypes:\n  - kind: object\n    fields: []\n";
        let idx = build(src);
        assert_eq!(idx.value("provider.name"), Some(Position { line: 2, column: 9 }));
        assert_eq!(idx.key("provider.name"), Some(Position { line: 2, column: 3 }));
        assert_eq!(idx.value("types[0].kind"), Some(Position { line: 4, column: 11 }));
        // A block mapping starts at its first key, not at the first `:`.
        assert_eq!(idx.value("types[0]"), Some(Position { line: 4, column: 5 }));
        assert_eq!(idx.value("provider"), Some(Position { line: 2, column: 3 }));
        assert_eq!(idx.value("types[0].fields[7].type"), Some(Position { line: 5, column: 13 }));
        // A key the file does not have falls back to the nearest ancestor's value.
        assert_eq!(idx.key("provider.title"), Some(Position { line: 2, column: 3 }));
    }

    #[test]
    fn keys_holding_dots_and_brackets_are_found() {
        let idx = build("body:\n  a.b: 1\n  c[0]: 2\n  a: {b: 3}\n");
        assert_eq!(idx.value("body.a.b"), Some(Position { line: 2, column: 8 }));
        assert_eq!(idx.value("body.c[0]"), Some(Position { line: 3, column: 9 }));
        assert_eq!(idx.value("body.a"), Some(Position { line: 4, column: 6 }));
    }

    #[test]
    fn an_empty_file_locates_everything_at_its_start() {
        let idx = build("");
        assert_eq!(idx.value("provider.name"), Some(Position::START));
    }

    #[test]
    fn parents() {
        assert_eq!(parent("a.b[2]"), Some("a.b"));
        assert_eq!(parent("a.b"), Some("a"));
        assert_eq!(parent("a"), Some(""));
        assert_eq!(parent(""), None);
    }

    #[test]
    fn nesting_past_the_limit_is_refused_where_it_happens() {
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        let err = PositionIndex::build(&deep).unwrap_err();
        assert_eq!(err.position, Position { line: 1, column: 4 + limits::MAX_DEPTH - 1 });
        assert!(err.message.contains("nest more than 64 levels"), "{}", err.message);
        // Past 256 flow levels yaml-rust2's scanner, which reads ahead, stops first.
        let deeper = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let err = PositionIndex::build(&deeper).unwrap_err();
        assert!(err.message.contains("nest more than 64 levels"), "{}", err.message);
        assert_eq!(err.position.line, 1);
        let block = format!("a:\n{}x\n", "- ".repeat(10_000));
        let err = PositionIndex::build(&block).unwrap_err();
        assert_eq!(err.position, Position { line: 2, column: 2 * limits::MAX_DEPTH - 1 });
        let fits = format!("a: {}{}\n", "[".repeat(limits::MAX_DEPTH - 1), "]".repeat(limits::MAX_DEPTH - 1));
        assert!(PositionIndex::build(&fits).is_ok());
    }

    #[test]
    fn nesting_through_an_alias_counts_the_aliased_depth() {
        let half = limits::MAX_DEPTH / 2 + 1;
        let src = format!(
            "a: &deep {}{}\nb: {}*deep{}\n",
            "[".repeat(half),
            "]".repeat(half),
            "[".repeat(half),
            "]".repeat(half)
        );
        let err = PositionIndex::build(&src).unwrap_err();
        assert_eq!(err.position.line, 2);
        assert!(err.message.contains("nest more than"), "{}", err.message);
    }

    #[test]
    fn an_alias_bomb_is_refused_at_the_alias_that_crosses_the_limit() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (name, previous) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f")] {
            src.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{previous}"); 10].join(", ")));
        }
        let err = PositionIndex::build(&src).unwrap_err();
        assert!(err.message.contains("alias"), "{}", err.message);
        assert!(err.position.line >= 5, "{err:?}");
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_refused() {
        let err = PositionIndex::build("a: &a [1, *a]\n").unwrap_err();
        assert_eq!(err.position, Position { line: 1, column: 11 });
    }

    #[test]
    fn limits_on_text() {
        let big = format!("a: {}\n", "x".repeat(limits::MAX_SCALAR_BYTES + 1));
        let err = PositionIndex::build(&big).unwrap_err();
        assert_eq!(err.position, Position { line: 1, column: 4 });
        let err = PositionIndex::build("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.position, Position { line: 2, column: 1 });
        let err = PositionIndex::build("a: 1\nb: x\u{1}y\n").unwrap_err();
        assert_eq!((err.position, err.message.contains("U+0001")), (Position { line: 2, column: 5 }, true));
    }

    #[test]
    fn sizes_are_shown_in_their_unit() {
        assert_eq!(
            (size(8 << 20), size(256 << 10), size(1000)),
            ("8 MiB".into(), "256 KiB".into(), "1000 bytes".into())
        );
    }

    #[test]
    fn renumbering_maps_model_indices_to_file_places() {
        let mut idx = build("types: []\n");
        idx.set_places("types", vec![0, 2]);
        assert_eq!(idx.renumber("types[1].fields[1].name"), "types[2].fields[1].name");
        assert_eq!(idx.renumber("duplicate (first defined at types[1])"), "duplicate (first defined at types[2])");
        // Only top-level lists are renumbered, and indices the model does not hold stay.
        assert_eq!(idx.renumber("x.types[1] subtypes[1] types[5]"), "x.types[1] subtypes[1] types[5]");
    }
}
