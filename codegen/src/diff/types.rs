//! Generated types as a whole, keyed by Rust name: added, removed, changed kind,
//! and the per-kind comparisons (struct fields and rules, enum values and model
//! tables, one-of members, stream events).

use std::collections::BTreeMap;

use super::change::{Area, Changes};
use super::display::{code_list, held_type, rust_type};
use super::{enums, fields, models, rules};
use crate::ir::naming::type_name;
use crate::ir::{Api, ConstructorIr, ConstructorKind, EventsIr, FixedValue, OneOfIr, StructIr, TypeIr};
use crate::spec::model::{Spec, TypeDef};

/// One version: the spec for rules and model tables, the IR for everything Rust-shaped.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// The checked spec.
    pub spec: &'a Spec,
    /// Its lowering.
    pub api: &'a Api,
}

impl<'a> Side<'a> {
    /// The spec definition behind a Rust type name.
    fn spec_type(&self, rust_name: &str) -> Option<&'a TypeDef> {
        self.spec.types.iter().find(|t| type_name(t.name()) == rust_name)
    }
}

/// Compares every type of two versions.
pub fn compare(out: &mut Changes, old: Side, new: Side) {
    let old_types: BTreeMap<&str, &TypeIr> = old.api.types.iter().map(|t| (name(t), t)).collect();
    let new_types: BTreeMap<&str, &TypeIr> = new.api.types.iter().map(|t| (name(t), t)).collect();
    for t in &old.api.types {
        match new_types.get(name(t)) {
            Some(n) => one(out, old, new, t, n),
            None => out.breaking(
                Area::Types,
                name(t),
                format!("{} removed", kind(t)),
                "code naming the type no longer compiles",
            ),
        }
    }
    for t in new.api.types.iter().filter(|t| !old_types.contains_key(name(t))) {
        out.compatible(
            Area::Types,
            name(t),
            format!("{} added: {}", kind(t), outline(t)),
            "a new type; existing code is unaffected",
        );
    }
}

fn name(t: &TypeIr) -> &str {
    match t {
        TypeIr::Struct(s) => &s.rust_name,
        TypeIr::Enum(e) => &e.rust_name,
        TypeIr::OneOf(o) => &o.rust_name,
        TypeIr::Events(e) => &e.rust_name,
    }
}

fn kind(t: &TypeIr) -> &'static str {
    match t {
        TypeIr::Struct(_) => "struct",
        TypeIr::Enum(e) if e.models.is_some() => "model enum",
        TypeIr::Enum(_) => "enum",
        TypeIr::OneOf(_) => "one-of enum",
        TypeIr::Events(_) => "stream event enum",
    }
}

/// What a new type holds, so the report says more than its name.
fn outline(t: &TypeIr) -> String {
    let items: Vec<String> = match t {
        TypeIr::Struct(s) => {
            s.fields.iter().map(|f| format!("{}: {}", f.rust_name, held_type(&f.ty, f.presence))).collect()
        }
        TypeIr::Enum(e) => e.variants.iter().map(|v| v.wire.clone()).collect(),
        TypeIr::OneOf(o) => o.variants.iter().map(|v| v.wire.clone()).collect(),
        TypeIr::Events(e) => e.variants.iter().map(|v| v.event.clone()).collect(),
    };
    let noun = match t {
        TypeIr::Struct(_) => "fields",
        TypeIr::Enum(e) if e.models.is_some() => "models",
        TypeIr::Enum(_) => "values",
        TypeIr::OneOf(_) => "members",
        TypeIr::Events(_) => "events",
    };
    let catch_all = match t {
        TypeIr::Enum(e) if !e.has_unknown => " (closed: no catch-all variant)",
        TypeIr::Enum(_) => " (with a catch-all variant)",
        _ => "",
    };
    format!("{noun} {}{catch_all}", code_list(&items))
}

fn docs(t: &TypeIr) -> Option<&str> {
    match t {
        TypeIr::Struct(s) => s.docs.as_deref(),
        TypeIr::Enum(e) => e.docs.as_deref(),
        TypeIr::OneOf(o) => o.docs.as_deref(),
        TypeIr::Events(e) => e.docs.as_deref(),
    }
}

fn one(out: &mut Changes, old: Side, new: Side, o: &TypeIr, n: &TypeIr) {
    if kind(o) != kind(n) {
        out.breaking(
            Area::Types,
            name(n),
            format!("{} → {}", kind(o), kind(n)),
            "the type's shape changes, so code using it no longer compiles",
        );
        return;
    }
    match (o, n) {
        (TypeIr::Struct(a), TypeIr::Struct(b)) => {
            strukt(out, a, b);
            if let (Some(TypeDef::Object(sa)), Some(TypeDef::Object(sb))) =
                (old.spec_type(&a.rust_name), new.spec_type(&b.rust_name))
            {
                rules::compare(out, &b.rust_name, (&sa.rules, &a.rules), (&sb.rules, &b.rules), b.is_request_side());
            }
        }
        (TypeIr::Enum(a), TypeIr::Enum(b)) => {
            enums::compare(out, a, b);
            if let (Some(TypeDef::Models(ma)), Some(TypeDef::Models(mb))) =
                (old.spec_type(&a.rust_name), new.spec_type(&b.rust_name))
            {
                models::compare(out, b, ma, mb);
            }
        }
        (TypeIr::OneOf(a), TypeIr::OneOf(b)) => one_of(out, a, b),
        (TypeIr::Events(a), TypeIr::Events(b)) => events(out, a, b),
        _ => {}
    }
    out.doc(name(n), docs(o), docs(n));
}

fn strukt(out: &mut Changes, old: &StructIr, new: &StructIr) {
    let subject = &new.rust_name;
    if old.deprecated != new.deprecated {
        let what = match &new.deprecated {
            Some(note) => format!("deprecated: {note}"),
            None => "no longer deprecated".to_string(),
        };
        out.compatible(Area::Types, subject, what, "a documentation note; code keeps compiling");
    }
    if old.multipart != new.multipart {
        out.breaking(
            Area::Types,
            subject,
            if new.multipart { "now sent as a multipart form" } else { "no longer sent as a multipart form" },
            "multipart forms have no `Serialize`/`Deserialize`, so code relying on either side stops compiling",
        );
    }
    match (old.is_request_side(), new.is_request_side()) {
        (true, false) => out.breaking(
            Area::Types,
            subject,
            "no longer sent in requests",
            "its `new()` constructor, setters and `validate()` are no longer generated",
        ),
        (false, true) => out.compatible(
            Area::Types,
            subject,
            "now also sent in requests",
            "gains a `new()` constructor, setters and `validate()`",
        ),
        _ => {}
    }
    fields::compare(out, old, new);
    constructors(out, old, new);
}

/// Named constructors (`Content::user(parts)`, `Part::text(..)`): one that disappears
/// or takes other arguments breaks the calls written against it.
fn constructors(out: &mut Changes, old: &StructIr, new: &StructIr) {
    let signature = |c: &ConstructorIr| match &c.kind {
        ConstructorKind::Declared { args, set } => {
            let set: Vec<String> = set
                .iter()
                .map(|(field, value)| match value {
                    FixedValue::Variant { rust_enum, variant } => format!("{field} = {rust_enum}::{variant}"),
                    FixedValue::Scalar(value) => format!("{field} = {value}"),
                })
                .collect();
            (args.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "), set.join(", "))
        }
        ConstructorKind::Member { ty, .. } => (rust_type(ty), String::new()),
    };
    for oc in &old.constructors {
        let subject = format!("{}::{}", new.rust_name, oc.fn_name);
        let Some(nc) = new.constructors.iter().find(|c| c.fn_name == oc.fn_name) else {
            out.breaking(Area::Types, subject, "constructor removed", "calls to it no longer compile");
            continue;
        };
        let ((old_args, old_set), (new_args, new_set)) = (signature(oc), signature(nc));
        if old_args != new_args {
            out.breaking(
                Area::Types,
                &subject,
                format!("constructor takes ({old_args}) → ({new_args})"),
                "calls written for the old arguments no longer compile",
            );
        }
        if old_set != new_set {
            out.compatible(
                Area::Types,
                &subject,
                format!("constructor sets {{{old_set}}} → {{{new_set}}}"),
                "calls still compile; the values they build change",
            );
        }
    }
    for nc in new.constructors.iter().filter(|c| !old.constructors.iter().any(|o| o.fn_name == c.fn_name)) {
        out.compatible(
            Area::Types,
            format!("{}::{}", new.rust_name, nc.fn_name),
            format!("constructor `{}({})` added", nc.fn_name, signature(nc).0),
            "a new function; existing code is unaffected",
        );
    }
}

fn one_of(out: &mut Changes, old: &OneOfIr, new: &OneOfIr) {
    for ov in &old.variants {
        let subject = format!("{}::{}", new.rust_name, ov.rust_name);
        match new.variants.iter().find(|v| v.wire == ov.wire) {
            None => out.breaking(
                Area::Types,
                subject,
                format!("member `{}` removed", ov.wire),
                "code naming the variant no longer compiles",
            ),
            Some(nv) if nv.rust_name != ov.rust_name => out.breaking(
                Area::Types,
                subject,
                format!("member `{}`: Rust variant `{}` → `{}`", ov.wire, ov.rust_name, nv.rust_name),
                "code naming the old variant no longer compiles",
            ),
            Some(nv) if rust_type(&nv.ty) != rust_type(&ov.ty) => out.breaking(
                Area::Types,
                subject,
                format!("member `{}` holds `{}` → `{}`", ov.wire, rust_type(&ov.ty), rust_type(&nv.ty)),
                "code building or reading the variant no longer type-checks",
            ),
            Some(_) => {}
        }
    }
    for nv in new.variants.iter().filter(|v| !old.variants.iter().any(|o| o.wire == v.wire)) {
        out.compatible(
            Area::Types,
            format!("{}::{}", new.rust_name, nv.rust_name),
            format!("member `{}` added", nv.wire),
            "the enum is `#[non_exhaustive]`, so every `match` on it already has a wildcard arm",
        );
    }
    match (old.open, new.open) {
        (false, true) => out.compatible(
            Area::Types,
            &new.rust_name,
            "gains the catch-all variant `Unknown` for members this client does not know",
            "the enum is `#[non_exhaustive]`, so a new variant breaks no `match`",
        ),
        (true, false) => out.breaking(
            Area::Types,
            &new.rust_name,
            "loses the catch-all variant `Unknown`",
            "code naming `Unknown` no longer compiles, and unknown members now fail to parse",
        ),
        _ => {}
    }
}

fn events(out: &mut Changes, old: &EventsIr, new: &EventsIr) {
    for ov in &old.variants {
        let subject = format!("{}::{}", new.rust_name, ov.rust_name);
        let Some(nv) = new.variants.iter().find(|v| v.event == ov.event) else {
            out.breaking(
                Area::Types,
                subject,
                format!("event `{}` removed", ov.event),
                "code naming the variant no longer compiles; the event now arrives as `Unknown { .. }`",
            );
            continue;
        };
        if nv.rust_name != ov.rust_name || nv.data_type != ov.data_type {
            out.breaking(
                Area::Types,
                subject,
                format!(
                    "event `{}`: `{}({})` → `{}({})`",
                    ov.event, ov.rust_name, ov.data_type, nv.rust_name, nv.data_type
                ),
                "code naming or reading the variant no longer compiles",
            );
        }
        if nv.terminal != ov.terminal {
            out.breaking(
                Area::Types,
                format!("{}::{}", new.rust_name, nv.rust_name),
                format!(
                    "event `{}` {} the stream",
                    nv.event,
                    if nv.terminal { "now completes" } else { "no longer completes" }
                ),
                "which event ends a stream changes, so a stream that used to finish cleanly may now end in an error (or the reverse)",
            );
        }
    }
    for nv in new.variants.iter().filter(|v| !old.variants.iter().any(|o| o.event == v.event)) {
        out.compatible(
            Area::Types,
            format!("{}::{}", new.rust_name, nv.rust_name),
            format!("event `{}` added", nv.event),
            "the enum is `#[non_exhaustive]`; the event used to arrive as `Unknown { .. }` and now has its own variant",
        );
    }
    if old.discriminator != new.discriminator {
        out.compatible(
            Area::Types,
            &new.rust_name,
            format!(
                "event name read from data field {} → {}",
                old.discriminator.as_deref().map_or("none".to_string(), |d| format!("`{d}`")),
                new.discriminator.as_deref().map_or("none".to_string(), |d| format!("`{d}`"))
            ),
            "how events are told apart on the wire; the Rust API is unchanged",
        );
    }
}
