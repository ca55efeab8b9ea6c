//! The report as Markdown: summary and version advice first, then breaking and
//! compatible changes grouped by area, then documentation-only changes.

use std::fmt::Write as _;

use super::change::{Area, Change, Impact};
use super::semver::{advice, CrateVersion};
use super::Report;

/// Renders a report. `current` is the crate's version, when the caller knows it.
pub fn markdown(report: &Report, current: Option<CrateVersion>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# API changes: `{}` docs {} → {}\n",
        report.provider, report.old.docs_version, report.new.docs_version
    );
    let _ = writeln!(out, "- Old: `{}` (docs version `{}`)", report.old.source, report.old.docs_version);
    let _ = writeln!(out, "- New: `{}` (docs version `{}`)\n", report.new.source, report.new.docs_version);
    let _ = writeln!(
        out,
        "Produced by `cargo xtask diff`. Every change to the generated Rust API (`imagegen::{}`) is classified \
         for users of the crate: **breaking** when code written against the old version may stop compiling \
         or `validate()` may reject a request it accepted, **compatible** when existing code keeps working \
         (additions, loosened limits, deprecations). Generated structs and enums are `#[non_exhaustive]`, \
         so new fields and variants are additions. Documentation-only changes come last.\n",
        report.module
    );
    let breaking: Vec<&Change> = report.changes.iter().filter(|c| c.impact == Impact::Breaking).collect();
    let compatible: Vec<&Change> = report.changes.iter().filter(|c| c.impact == Impact::Compatible).collect();
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "{}, {}, {}.\n",
        count(breaking.len(), "breaking change", "breaking changes"),
        count(compatible.len(), "compatible change", "compatible changes"),
        count(report.docs.len(), "documentation-only change", "documentation-only changes"),
    );
    let _ = writeln!(out, "{}\n", advice(report.level(), current));
    section(&mut out, "Breaking changes", &breaking);
    section(&mut out, "Compatible changes", &compatible);
    docs(&mut out, report);
    // One trailing newline, however the last section ended.
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn section(out: &mut String, title: &str, changes: &[&Change]) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "## {title}\n");
    let mut areas: Vec<Area> = changes.iter().map(|c| c.area).collect();
    areas.sort();
    areas.dedup();
    for area in areas {
        let _ = writeln!(out, "### {}\n", area.heading());
        for c in changes.iter().filter(|c| c.area == area) {
            let _ = writeln!(out, "- `{}`: {}.", c.subject, sentence(&c.description));
            let _ = writeln!(out, "  *Why:* {}.", sentence(&c.reason));
        }
        out.push('\n');
    }
}

fn docs(out: &mut String, report: &Report) {
    if report.docs.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Documentation changes\n");
    let _ = writeln!(out, "Doc comments only; nothing a compiler or `validate()` sees.\n");
    for d in &report.docs {
        match &d.context {
            Some(context) => {
                let _ = writeln!(out, "- `{}`, {context}", d.subject);
            }
            None => {
                let _ = writeln!(out, "- `{}`", d.subject);
            }
        }
        for s in &d.removed {
            let _ = writeln!(out, "  - removed: “{s}”");
        }
        for s in &d.added {
            let _ = writeln!(out, "  - added: “{s}”");
        }
    }
    out.push('\n');
}

/// Text without a trailing period, so the renderer adds exactly one.
fn sentence(text: &str) -> &str {
    text.trim_end().trim_end_matches('.')
}
