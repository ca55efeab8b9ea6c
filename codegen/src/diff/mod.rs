//! What changed between two versions of a spec, for users of the generated crate.
//!
//! When a provider's docs change, the spec is edited and the generated API
//! changes with it. This module compares two versions and reports every change
//! a Rust user can notice, each classified breaking or compatible with the
//! reason, plus the version bump that follows. Rust-shaped facts (names, `Option`
//! or not, catch-all variants, method signatures) are compared on the IR, since
//! that is what the emitters print; limits, rules and model tables are compared
//! on the spec, where they are stated.
//!
//! Architecture invariant: this module reads `spec` and `ir` (never the emitters:
//! what a type or an operation generates is decided in the IR) and writes nothing.

mod change;
mod display;
mod docs;
mod enums;
mod envelopes;
mod fields;
mod limits;
mod models;
mod operations;
mod provider;
mod render;
mod rules;
pub mod semver;
pub mod source;
mod types;

use std::path::Path;

pub use change::{Area, Change, DocChange, Impact};
pub use semver::{CrateVersion, Level};
pub use source::SpecSource;

use crate::diagnostics::Diagnostics;
use crate::ir::lower;
use crate::spec::LoadedSpec;

/// Which version a side of the report is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where the spec was read (a path or `REV:path`).
    pub source: String,
    /// The docs version the spec transcribes.
    pub docs_version: String,
}

/// Every change between two versions of one provider's spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Provider name (the new one, if it changed).
    pub provider: String,
    /// Rust module of the provider in the generated crate.
    pub module: String,
    /// The older version.
    pub old: Label,
    /// The newer version.
    pub new: Label,
    /// API changes, grouped later by area.
    pub changes: Vec<Change>,
    /// Documentation-only changes.
    pub docs: Vec<DocChange>,
}

impl Report {
    /// The most significant kind of change, which decides the version bump.
    pub fn level(&self) -> Level {
        if self.changes.iter().any(|c| c.impact == Impact::Breaking) {
            Level::Breaking
        } else if !self.changes.is_empty() {
            Level::Compatible
        } else if !self.docs.is_empty() {
            Level::Documentation
        } else {
            Level::Nothing
        }
    }

    /// The breaking changes.
    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.impact == Impact::Breaking)
    }

    /// The compatible changes.
    pub fn compatible(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.impact == Impact::Compatible)
    }

    /// The report as Markdown; with the crate's current version it names the next one.
    pub fn to_markdown(&self, current: Option<CrateVersion>) -> String {
        render::markdown(self, current)
    }
}

/// Compares two loaded specs. Both are lowered first, so a spec that does not
/// lower reports its diagnostics instead of a half-true comparison.
pub fn compare(old: &LoadedSpec, old_label: &str, new: &LoadedSpec, new_label: &str) -> Result<Report, Diagnostics> {
    let old_api = lower(old, old_label);
    let new_api = lower(new, new_label);
    let (old_api, new_api) = match (old_api, new_api) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let mut problems = Diagnostics::new();
            problems.extend(a.err().unwrap_or_default());
            problems.extend(b.err().unwrap_or_default());
            return Err(problems);
        }
    };
    let mut out = change::Changes::default();
    provider::compare(&mut out, &old_api.provider, &new_api.provider);
    envelopes::compare(&mut out, &old_api.provider.envelopes, &new_api.provider.envelopes);
    operations::compare(&mut out, &old_api, &new_api);
    types::compare(
        &mut out,
        types::Side { spec: &old.spec, api: &old_api },
        types::Side { spec: &new.spec, api: &new_api },
    );
    Ok(Report {
        provider: new_api.provider.name.clone(),
        module: new_api.provider.module.to_string(),
        old: Label { source: old_label.to_string(), docs_version: old_api.provider.docs_version.clone() },
        new: Label { source: new_label.to_string(), docs_version: new_api.provider.docs_version.clone() },
        changes: out.items,
        docs: out.docs,
    })
}

/// Loads both sources (files resolve against `base`, git runs there) and compares them.
/// Problems in either spec are all reported together.
pub fn compare_sources(old: &SpecSource, new: &SpecSource, base: &Path) -> Result<Report, Diagnostics> {
    match (old.load(base), new.load(base)) {
        (Ok(a), Ok(b)) => compare(&a, &old.label(), &b, &new.label()),
        (a, b) => {
            let mut problems = Diagnostics::new();
            problems.extend(a.err().unwrap_or_default());
            problems.extend(b.err().unwrap_or_default());
            Err(problems)
        }
    }
}
