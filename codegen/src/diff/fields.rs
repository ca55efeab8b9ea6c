//! Struct fields: added, removed, renamed, retyped, required or optional, defaults.
//!
//! Generated structs are `#[non_exhaustive]` and request structs are built with
//! `new(required fields...)`, so what breaks users is a field they name that
//! disappears or changes type, or a change to `new()`'s parameters.

use super::change::{Area, Changes};
use super::display::{held_type, presence, rust_type, value};
use super::limits;
use crate::ir::{FieldIr, Location, NamedKind, Presence, QueryStyle, RustType, StructIr, TokenKind};

/// Compares the fields of one struct present in both versions.
pub fn compare(out: &mut Changes, old: &StructIr, new: &StructIr) {
    let mut unpaired_new: Vec<&FieldIr> =
        new.fields.iter().filter(|f| !old.fields.iter().any(|o| o.wire_name == f.wire_name)).collect();
    for of in &old.fields {
        if let Some(nf) = new.fields.iter().find(|f| f.wire_name == of.wire_name) {
            field(out, old, new, of, nf);
            continue;
        }
        // The same Rust field under a new wire name: users see no change, the crate sends the new name.
        if let Some(pos) = unpaired_new.iter().position(|f| f.rust_name == of.rust_name) {
            let nf = unpaired_new.remove(pos);
            out.compatible(
                Area::Fields,
                subject(new, nf),
                format!("wire name `{}` → `{}`", of.wire_name, nf.wire_name),
                "the Rust field keeps its name; only the JSON key the crate sends and reads changes",
            );
            field(out, old, new, of, nf);
            continue;
        }
        out.breaking(
            Area::Fields,
            subject(old, of),
            format!("field `{}` removed", of.wire_name),
            "code reading or setting the field no longer compiles",
        );
    }
    for nf in unpaired_new {
        added(out, new, nf);
    }
}

fn subject(s: &StructIr, f: &FieldIr) -> String {
    format!("{}.{}", s.rust_name, f.rust_name)
}

/// Whether `new()` takes this field as a parameter.
fn is_constructor_parameter(s: &StructIr, f: &FieldIr) -> bool {
    s.is_request_side()
        && matches!(f.presence, Presence::Required | Presence::RequiredTolerant | Presence::Nullable { required: true })
}

fn added(out: &mut Changes, s: &StructIr, f: &FieldIr) {
    let what = format!("{} field `{}: {}` added", presence(f.presence), f.wire_name, held_type(&f.ty, f.presence));
    if is_constructor_parameter(s, f) {
        out.breaking(
            Area::Fields,
            subject(s, f),
            what,
            format!("`{}::new()` takes it as a new parameter, so existing calls no longer compile", s.rust_name),
        );
    } else {
        out.compatible(
            Area::Fields,
            subject(s, f),
            what,
            "structs are `#[non_exhaustive]` and built with `new()`, so no existing code names every field",
        );
    }
}

fn field(out: &mut Changes, old_s: &StructIr, new_s: &StructIr, old: &FieldIr, new: &FieldIr) {
    let subject = subject(new_s, new);
    if old.rust_name != new.rust_name {
        out.breaking(
            Area::Fields,
            &subject,
            format!("Rust name `{}` → `{}`", old.rust_name, new.rust_name),
            "code naming the field by its old name no longer compiles",
        );
    }
    shape(out, &subject, old_s, new_s, old, new);
    default(out, &subject, old, new);
    conditional_default(out, &subject, old, new);
    if old.deprecated != new.deprecated {
        let what = match &new.deprecated {
            Some(note) => format!("deprecated: {note}"),
            None => "no longer deprecated".to_string(),
        };
        out.compatible(Area::Fields, &subject, what, "a documentation note; code keeps compiling");
    }
    if old.families != new.families {
        out.compatible(
            Area::Fields,
            &subject,
            format!("applies to model families [{}] → [{}]", old.families.join(", "), new.families.join(", ")),
            "other models ignore the field: `validate()` warns about it and never refuses the request",
        );
    }
    if old.flatten != new.flatten {
        out.breaking(
            Area::Fields,
            &subject,
            if new.flatten { "now flattened into its parent" } else { "no longer flattened into its parent" },
            "the value's shape on the wire and in Rust changes",
        );
    }
    if old.repeats_images_of != new.repeats_images_of {
        let what = match (&old.repeats_images_of, &new.repeats_images_of) {
            (_, Some(original)) => format!("its images now count as repeats of `{original}`"),
            (Some(original), None) => format!("its images no longer count as repeats of `{original}`"),
            (None, None) => String::new(),
        };
        out.compatible(
            Area::Fields,
            &subject,
            what,
            "`images()` returns a different list (each image once); the types are unchanged",
        );
    }
    if old.usage != new.usage {
        let kind = |k: Option<TokenKind>| match k {
            Some(TokenKind::Input) => "`input_tokens`",
            Some(TokenKind::Output) => "`output_tokens`",
            None => "no token count",
        };
        out.compatible(
            Area::Fields,
            &subject,
            format!("reports {} → {}", kind(old.usage), kind(new.usage)),
            "only what the call's tracing span records changes; the types are unchanged",
        );
    }
    if old.secret != new.secret {
        out.compatible(
            Area::Fields,
            &subject,
            if new.secret { "now a secret" } else { "no longer a secret" },
            "only what `Debug`, dry runs and errors show of its value changes; the types are unchanged",
        );
    }
    if old.location != new.location {
        out.compatible(
            Area::Fields,
            &subject,
            format!("sent {} → {}", location(old.location), location(new.location)),
            "the Rust field, its setter and `validate()` are unchanged; the crate sends it where the docs say",
        );
    }
    // Part names only reach the wire in multipart forms; elsewhere they mirror the wire name.
    if new_s.multipart && old.part_names.first() != new.part_names.first() {
        out.compatible(
            Area::Fields,
            &subject,
            format!(
                "multipart part name sent `{}` → `{}`",
                old.part_names.first().map_or("", String::as_str),
                new.part_names.first().map_or("", String::as_str)
            ),
            "the Rust API is unchanged; the form uses the documented name",
        );
    }
    limits::compare(out, &subject, &old.constraints, &new.constraints, new_s.is_request_side());
    out.doc(subject, old.docs.as_deref(), new.docs.as_deref());
}

/// Where a field travels, as a change report says it.
fn location(l: Location) -> &'static str {
    match l {
        Location::Body => "in the body",
        Location::Query(QueryStyle::Repeat) => "in the query",
        Location::Query(QueryStyle::Comma) => "in the query, comma-separated",
        Location::Header => "as a header",
    }
}

/// Type and presence: what the field holds and whether `new()` asks for it.
fn shape(out: &mut Changes, subject: &str, old_s: &StructIr, new_s: &StructIr, old: &FieldIr, new: &FieldIr) {
    let (old_held, new_held) = (held_type(&old.ty, old.presence), held_type(&new.ty, new.presence));
    if rust_type(&old.ty) != rust_type(&new.ty) {
        out.breaking(
            Area::Fields,
            subject,
            format!("type `{old_held}` → `{new_held}`"),
            "code reading or setting the field no longer type-checks",
        );
        return;
    }
    if old.presence == new.presence {
        return;
    }
    let what = format!("{} → {}", presence(old.presence), presence(new.presence));
    let old_param = is_constructor_parameter(old_s, old);
    let new_param = is_constructor_parameter(new_s, new);
    if old_held != new_held {
        out.breaking(
            Area::Fields,
            subject,
            format!("{what}: `{old_held}` → `{new_held}`"),
            "code reading or setting the field no longer type-checks",
        );
    } else if old_param != new_param {
        let verb = if new_param { "now takes" } else { "no longer takes" };
        out.breaking(Area::Fields, subject, what, format!("`{}::new()` {verb} it as a parameter", new_s.rust_name));
    } else {
        out.compatible(Area::Fields, subject, what, format!("the field stays `{new_held}` and `new()` is unchanged"));
    }
}

fn default(out: &mut Changes, subject: &str, old: &FieldIr, new: &FieldIr) {
    let accessor = format!("{}()", new.rust_name.derived("", "_or_default"));
    match (&old.default, &new.default) {
        (None, Some(d)) => out.compatible(
            Area::Fields,
            subject,
            format!("default `{}` documented", value(d)),
            if has_default_accessor(new) {
                format!("adds the `{accessor}` accessor")
            } else {
                "documentation only".to_string()
            },
        ),
        (Some(d), None) if has_default_accessor(old) => out.breaking(
            Area::Fields,
            subject,
            format!("default `{}` no longer documented", value(d)),
            format!("the `{accessor}` accessor is removed"),
        ),
        (Some(d), None) => out.compatible(
            Area::Fields,
            subject,
            format!("default `{}` no longer documented", value(d)),
            "documentation only",
        ),
        (Some(a), Some(b)) if a != b => out.compatible(
            Area::Fields,
            subject,
            format!("default `{}` → `{}`", value(a), value(b)),
            if has_default_accessor(new) {
                format!("the server fills in the new default when the field is unset, and `{accessor}` returns it; code keeps compiling")
            } else {
                "the server fills in the new default when the field is unset; code keeps compiling".to_string()
            },
        ),
        _ => {}
    }
}

/// Defaults that depend on the request (`default_when`): what the server fills in
/// changes, and `<field>_or_default()` with it; no code stops compiling.
fn conditional_default(out: &mut Changes, subject: &str, old: &FieldIr, new: &FieldIr) {
    let cases = |f: &FieldIr| -> Vec<String> {
        f.default_when.iter().map(|d| format!("`{}` when {}", value(&d.value), d.description)).collect()
    };
    let (before, after) = (cases(old), cases(new));
    if before == after {
        return;
    }
    let list = |c: &[String]| if c.is_empty() { "none".to_string() } else { c.join("; ") };
    out.compatible(
        Area::Fields,
        subject,
        format!("conditional defaults {} → {}", list(&before), list(&after)),
        "the server's default for an unset field follows the new conditions, and so does `<field>_or_default()`; \
         code keeps compiling",
    );
}

/// Mirrors the emitter: optional scalars and enums with a documented default get `<field>_or_default()`.
fn has_default_accessor(f: &FieldIr) -> bool {
    let supported = match &f.ty {
        RustType::Bool | RustType::U32 | RustType::U64 | RustType::I64 | RustType::F64 | RustType::String => true,
        RustType::Named(n) => matches!(n.kind, NamedKind::Enum { .. }),
        _ => false,
    };
    supported && f.default.is_some() && f.presence == Presence::Optional
}
