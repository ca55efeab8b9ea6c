//! String enums (and model tables as enums): values, Rust variant names, aliases,
//! deprecations, and whether the enum has a catch-all.
//!
//! Every generated enum is `#[non_exhaustive]`, so a new variant breaks no
//! `match`; a variant that disappears or changes its Rust name does. Enums
//! without a catch-all are `Copy`, so gaining `Unknown(String)` is breaking too.

use super::change::{Area, Changes};
use crate::ir::{AliasIr, EnumIr, VariantIr};

/// Compares one enum present in both versions.
pub fn compare(out: &mut Changes, old: &EnumIr, new: &EnumIr) {
    catch_all(out, old, new);
    let noun = if new.models.is_some() { "model" } else { "value" };
    let mut renamed_to: Vec<&str> = Vec::new();
    for ov in &old.variants {
        if let Some(nv) = new.variants.iter().find(|v| v.wire == ov.wire) {
            variant(out, new, ov, nv);
        } else if let Some(nv) = new.variants.iter().find(|v| v.aliases.iter().any(|a| a.wire == ov.wire)) {
            renamed_to.push(&nv.wire);
            renamed(out, new, noun, ov, nv);
        } else {
            let fate = if new.has_unknown {
                format!("the value now parses as `{}::Unknown(\"{}\")`", new.rust_name, ov.wire)
            } else {
                "the value no longer parses".to_string()
            };
            out.breaking(
                Area::EnumValues,
                format!("{}::{}", old.rust_name, ov.rust_name),
                format!("{noun} `{}` removed", ov.wire),
                format!("code naming the variant no longer compiles, and {fate}"),
            );
        }
    }
    for nv in &new.variants {
        if old.variants.iter().any(|v| v.wire == nv.wire) || renamed_to.contains(&nv.wire.as_str()) {
            continue;
        }
        let reason = if old.has_unknown && new.has_unknown {
            format!(
                "the enum is `#[non_exhaustive]` and keeps unknown values: `{}` used to arrive as `Unknown(\"{}\")` and now parses as the new variant",
                nv.wire, nv.wire
            )
        } else {
            "the enum is `#[non_exhaustive]`, so every `match` on it already has a wildcard arm; requests may now send the value"
                .to_string()
        };
        out.compatible(
            Area::EnumValues,
            format!("{}::{}", new.rust_name, nv.rust_name),
            format!("{noun} `{}` added", nv.wire),
            reason,
        );
    }
}

fn catch_all(out: &mut Changes, old: &EnumIr, new: &EnumIr) {
    let subject = &new.rust_name;
    match (old.has_unknown, new.has_unknown) {
        (false, true) => out.breaking(
            Area::EnumValues,
            subject,
            "gains the catch-all variant `Unknown(String)`",
            "an enum with a catch-all is no longer `Copy`, so code that copies values stops compiling",
        ),
        (true, false) => out.breaking(
            Area::EnumValues,
            subject,
            "loses the catch-all variant `Unknown(String)`",
            "code naming `Unknown` or calling `is_unknown()` no longer compiles, and unlisted values now fail to parse",
        ),
        _ => {}
    }
    match (old.open, new.open) {
        (false, true) => out.compatible(
            Area::EnumValues,
            subject,
            "now open: requests may send values beyond the listed ones",
            "every value accepted before is still accepted",
        ),
        (true, false) if new.usage.request => out.breaking(
            Area::EnumValues,
            subject,
            "now closed: requests may send only the listed values",
            "`validate()` now rejects values that are not listed",
        ),
        (true, false) => out.compatible(
            Area::EnumValues,
            subject,
            "now closed",
            "the enum only travels in responses, which keep unknown values regardless",
        ),
        _ => {}
    }
}

/// The old wire value is now an alias of a variant with a new canonical spelling.
fn renamed(out: &mut Changes, e: &EnumIr, noun: &str, old: &VariantIr, new: &VariantIr) {
    let alias = new.aliases.iter().find(|a| a.wire == old.wire);
    let deprecated = alias.is_some_and(|a| a.deprecated.is_some());
    let kept = match alias {
        Some(a) if a.deprecated.is_some() => format!(
            "`{}` still parses, and the deprecated constant `{}::{}` stands for it",
            old.wire, e.rust_name, a.const_name
        ),
        _ => format!("`{}` still parses", old.wire),
    };
    let what = format!(
        "{noun} `{}` renamed to `{}`; the old name is kept as {}alias",
        old.wire,
        new.wire,
        if deprecated { "a deprecated " } else { "an " }
    );
    let old_name_kept = alias.is_some_and(|a| a.deprecated.is_some() && a.const_name == old.rust_name);
    if old.rust_name == new.rust_name {
        out.compatible(
            Area::EnumValues,
            format!("{}::{}", e.rust_name, new.rust_name),
            what,
            format!("the Rust variant keeps its name and {kept}; the crate now sends `{}`", new.wire),
        );
    } else if old_name_kept {
        out.compatible(
            Area::EnumValues,
            format!("{}::{}", e.rust_name, new.rust_name),
            format!("{what}; Rust variant `{}` → `{}`", old.rust_name, new.rust_name),
            format!(
                "code naming `{}::{}` keeps compiling, in `match` patterns too, with a deprecation warning: {kept}; \
                 the crate now sends `{}`",
                e.rust_name, old.rust_name, new.wire
            ),
        );
    } else {
        out.breaking(
            Area::EnumValues,
            format!("{}::{}", e.rust_name, old.rust_name),
            format!("{what}; Rust variant `{}` → `{}`", old.rust_name, new.rust_name),
            format!(
                "code naming `{}::{}` no longer compiles (wire-compatible: {kept}; the crate now sends `{}`)",
                e.rust_name, old.rust_name, new.wire
            ),
        );
    }
    aliases(out, e, new, &old.aliases, &new.aliases, Some(&old.wire));
    out.doc(format!("{}::{}", e.rust_name, new.rust_name), old.docs.as_deref(), new.docs.as_deref());
}

fn variant(out: &mut Changes, e: &EnumIr, old: &VariantIr, new: &VariantIr) {
    let subject = format!("{}::{}", e.rust_name, new.rust_name);
    if old.rust_name != new.rust_name {
        out.breaking(
            Area::EnumValues,
            &subject,
            format!("`{}`: Rust variant `{}` → `{}`", new.wire, old.rust_name, new.rust_name),
            "code naming the old variant no longer compiles",
        );
    }
    if old.deprecated != new.deprecated {
        let what = match &new.deprecated {
            Some(note) => format!("`{}` deprecated: {note}", new.wire),
            None => format!("`{}` no longer deprecated", new.wire),
        };
        out.compatible(Area::EnumValues, &subject, what, "a documentation note; code keeps compiling");
    }
    aliases(out, e, new, &old.aliases, &new.aliases, None);
    out.doc(subject, old.docs.as_deref(), new.docs.as_deref());
}

/// Aliases parse to the variant; deprecated ones also get an associated constant.
/// `skip` is the alias a rename introduced, already reported with the rename.
fn aliases(out: &mut Changes, e: &EnumIr, v: &VariantIr, old: &[AliasIr], new: &[AliasIr], skip: Option<&str>) {
    let subject = format!("{}::{}", e.rust_name, v.rust_name);
    for oa in old {
        match new.iter().find(|a| a.wire == oa.wire) {
            None => {
                let constant = if oa.deprecated.is_some() {
                    format!(", and the constant `{}::{}` is removed", e.rust_name, oa.const_name)
                } else {
                    String::new()
                };
                out.breaking(
                    Area::EnumValues,
                    &subject,
                    format!("alias `{}` no longer accepted", oa.wire),
                    format!("parsing `{}` no longer yields `{}`{constant}", oa.wire, v.rust_name),
                );
            }
            Some(na) => match (&oa.deprecated, &na.deprecated) {
                (None, Some(note)) => out.compatible(
                    Area::EnumValues,
                    &subject,
                    format!("alias `{}` deprecated: {note}", na.wire),
                    format!("adds the deprecated constant `{}::{}`; code keeps compiling", e.rust_name, na.const_name),
                ),
                (Some(_), None) => out.breaking(
                    Area::EnumValues,
                    &subject,
                    format!("alias `{}` no longer deprecated", na.wire),
                    format!(
                        "only deprecated aliases get a constant, so `{}::{}` is removed",
                        e.rust_name, oa.const_name
                    ),
                ),
                _ => {}
            },
        }
    }
    for na in new {
        if old.iter().any(|a| a.wire == na.wire) || skip == Some(na.wire.as_str()) {
            continue;
        }
        let (what, reason) = match &na.deprecated {
            Some(note) => (
                format!("deprecated alias `{}` accepted: {note}", na.wire),
                format!(
                    "parsing accepts one more spelling; adds the deprecated constant `{}::{}`",
                    e.rust_name, na.const_name
                ),
            ),
            None => (format!("alias `{}` accepted", na.wire), "parsing accepts one more spelling".to_string()),
        };
        out.compatible(Area::EnumValues, &subject, what, reason);
    }
}
