//! Semantic checks: what YAML and serde cannot see.
//!
//! Each check is a small function with a comment saying why the rule exists.
//! All of them report into one [`Reporter`]; none stops the others. One file per
//! part of a spec: `provider`, `envelopes`, `types` (objects, fields, enums, one_ofs, events),
//! `models` (model tables and the objects that select a model), `rules`,
//! `operations`, `jobs`, `examples`, and `values` (a JSON value against a type, for defaults,
//! field examples, rule literals and examples alike).

mod constructors;
mod envelopes;
mod examples;
mod jobs;
mod models;
mod operations;
mod provider;
mod requests;
mod rules;
mod types;
mod values;

use std::collections::BTreeSet;

use serde_json::Value;

use super::load::LoadedSpec;
use super::lookup::SpecIndex;
use super::model::*;
use super::positions::join_index;
use super::type_expr::TypeExpr;
use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Diagnostics, Reporter};

pub use operations::placeholders;

/// Runs every check. `failed_types` are names of types that did not parse;
/// references to them are not reported again.
pub fn check(loaded: &LoadedSpec, failed_types: &[String]) -> Diagnostics {
    let mut cx = Checker {
        spec: &loaded.spec,
        index: SpecIndex::new(&loaded.spec),
        r: Reporter::for_spec(&loaded.sources),
        failed_types,
    };
    cx.provider();
    cx.unique_type_names();
    for (i, t) in loaded.spec.types.iter().enumerate() {
        let path = join_index("types", i);
        match t {
            TypeDef::Object(o) => cx.object(o, &path),
            TypeDef::Enum(e) => cx.enumeration(e, &path),
            TypeDef::Models(m) => cx.models(m, &path),
            TypeDef::OneOf(o) => cx.one_of(o, &path),
            TypeDef::Events(e) => cx.events(e, &path),
        }
    }
    cx.envelopes();
    cx.operations();
    cx.requests();
    cx.examples();
    cx.r.finish()
}

struct Checker<'a> {
    spec: &'a Spec,
    index: SpecIndex<'a>,
    r: Reporter<'a>,
    failed_types: &'a [String],
}

// What several parts of a spec check alike: type references and unique spellings.
impl Checker<'_> {
    /// Parses a type expression and checks that named types exist.
    fn type_ref(&mut self, ty: &TypeRef, path: &str) -> Option<TypeExpr> {
        match ty.parsed() {
            Ok(t) => {
                if let Some(name) = t.named() {
                    if self.index.get(name).is_none() && !self.failed_types.iter().any(|f| f == name) {
                        self.r.error(path, format!("unknown type `{name}`{}", self.suggest(name)));
                        return None;
                    }
                }
                Some(t.clone())
            }
            Err(msg) => {
                self.r.error(path, msg);
                None
            }
        }
    }

    /// "; did you mean `T`?" naming the spec's type `name` most likely meant, or nothing.
    fn suggest(&self, name: &str) -> String {
        let names: Vec<&str> = self.spec.types.iter().map(|t| t.name()).collect();
        did_you_mean(name, &names)
    }

    /// Whether `name` is a type that did not parse (already reported, so not reported again).
    fn is_failed(&self, name: &str) -> bool {
        self.failed_types.iter().any(|f| f == name)
    }

    // Two spellings of one value, or one spelling for two values, make parsing ambiguous.
    fn unique_values<'v>(&mut self, items: impl Iterator<Item = (&'v str, String)>, what: &str) {
        let mut seen = BTreeSet::new();
        for (value, path) in items {
            if !seen.insert(value) {
                self.r.error(&path, format!("duplicate {what} `{value}`"));
            }
        }
    }
}

/// Whether `ty` is `want`, or an array, one-or-many or map of it.
fn is_inner(ty: &TypeExpr, want: &TypeExpr) -> bool {
    match ty {
        TypeExpr::Array(t) | TypeExpr::OneOrMany(t) | TypeExpr::Map(t) => is_inner(t, want),
        other => other == want,
    }
}

/// Lowercase letters, digits and `_`, starting with a letter: a Rust module, method,
/// Cargo feature or CLI word as it is.
fn is_snake_word(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A JSON string, number or boolean.
fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}
