//! Type definitions: object fields and their constraints, enums, one_ofs, event streams.

use std::collections::BTreeMap;

use super::{is_inner, Checker};
use crate::diagnostics::suggest::did_you_mean;
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

impl<'a> Checker<'a> {
    // Two types with one name would generate two Rust items with one name.
    pub(super) fn unique_type_names(&mut self) {
        let mut seen = BTreeMap::new();
        for (i, t) in self.spec.types.iter().enumerate() {
            if let Some(first) = seen.insert(t.name(), i) {
                self.r.error(
                    &join_key(&join_index("types", i), "name"),
                    format!("duplicate type name `{}` (first defined at types[{first}])", t.name()),
                );
                seen.insert(t.name(), first);
            }
        }
    }

    pub(super) fn object(&mut self, o: &'a ObjectDef, path: &str) {
        let mut names = BTreeMap::new();
        for (i, f) in o.fields.iter().enumerate() {
            let fpath = join_index(&join_key(path, "fields"), i);
            // A JSON object cannot carry one key twice.
            if let Some(first) = names.insert(f.name.as_str(), i) {
                self.r.error(
                    &join_key(&fpath, "name"),
                    format!("duplicate field `{}` in `{}` (first at fields[{first}])", f.name, o.name),
                );
            }
            let Some(ty) = self.type_ref(&f.ty, &join_key(&fpath, "type")) else {
                continue;
            };
            self.field_constraints(f, &ty, &fpath);
            if let Some(default) = &f.default {
                self.value(&ty, Some(f), default, &join_key(&fpath, "default"), &[]);
            }
            self.default_when(o, f, &ty, &fpath);
            if let Some(example) = &f.example {
                self.value(&ty, Some(f), example, &join_key(&fpath, "example"), &[]);
            }
        }
        // A span has one attribute per kind of token count: two fields of one object
        // reporting the same kind would leave it to chance which one is recorded.
        let mut counts = BTreeMap::new();
        for (i, f) in o.fields.iter().enumerate() {
            let Some(kind) = f.usage else { continue };
            if let Some(first) = counts.insert(kind, i) {
                self.r.error_at_key(
                    &join_key(&join_index(&join_key(path, "fields"), i), "usage"),
                    format!(
                        "`{}` and `{}` both report `usage: {}`; mark one field per kind of token count",
                        o.fields[first].name,
                        f.name,
                        kind.as_str()
                    ),
                );
            }
        }
        // Keys of two flattened unions could not be told apart on the wire.
        if o.fields.iter().filter(|f| f.flatten).count() > 1 {
            self.r.error(
                &join_key(path, "fields"),
                format!("`{}` flattens more than one field; at most one is allowed", o.name),
            );
        }
        self.rules(o, path);
        self.field_families(o, path);
        self.repeated_images(o, path);
        self.model_requirements(o, path);
        self.constructors(o, path);
    }
    // `repeats_images_of` makes one field the fallback of another in `images()`: both
    // must be fields of this object that can hold images, and the one repeated must
    // not itself be a repeat (the fallback would then depend on the order of reading).
    fn repeated_images(&mut self, o: &ObjectDef, path: &str) {
        for (i, f) in o.fields.iter().enumerate() {
            let Some(original) = &f.repeats_images_of else { continue };
            let key = join_key(&join_index(&join_key(path, "fields"), i), "repeats_images_of");
            let problem = match o.fields.iter().find(|g| &g.name == original) {
                None => Some(format!(
                    "`{}` repeats the images of `{original}`, but `{}` has no field `{original}`{}",
                    f.name,
                    o.name,
                    did_you_mean(original, &o.fields.iter().map(|g| g.name.as_str()).collect::<Vec<_>>())
                )),
                Some(g) if g.name == f.name => Some(format!("`{}` cannot repeat its own images", f.name)),
                Some(g) if g.repeats_images_of.is_some() => {
                    Some(format!("`{original}` itself repeats the images of another field; name the original"))
                }
                Some(g) => [f, g]
                    .into_iter()
                    .find(|field| !field.ty.parsed().is_ok_and(|ty| self.index.holds_images(ty)))
                    .map(|field| format!("`{}` (`{}`) cannot hold an image (no base64 inside)", field.name, field.ty)),
            };
            if let Some(message) = problem {
                self.r.error_at_key(&key, message);
            }
        }
    }

    // Constraints that cannot apply to the field's type are mistakes, not no-ops.
    fn field_constraints(&mut self, f: &Field, ty: &TypeExpr, fpath: &str) {
        let numeric = matches!(ty, TypeExpr::Integer | TypeExpr::Number);
        let array = matches!(ty, TypeExpr::Array(_) | TypeExpr::OneOrMany(_));
        // Every type written as text on the wire has a length in characters.
        let text = [TypeExpr::String, TypeExpr::Url, TypeExpr::DataUrl].iter().any(|t| is_inner(ty, t));
        let misplaced = [
            ("min", f.min.is_some() && !numeric, "numbers"),
            ("max", f.max.is_some() && !numeric, "numbers"),
            ("min_items", f.min_items.is_some() && !array, "arrays"),
            ("max_items", f.max_items.is_some() && !array, "arrays"),
            ("min_length", f.min_length.is_some() && !text, "strings, urls and data URLs"),
            ("max_length", f.max_length.is_some() && !text, "strings, urls and data URLs"),
            ("aspect_ratio", f.aspect_ratio.is_some() && !is_inner(ty, &TypeExpr::String), "strings"),
            ("schemes", !f.schemes.is_empty() && !is_inner(ty, &TypeExpr::Url), "url fields"),
            (
                "allow_data_url",
                f.allow_data_url && !is_inner(ty, &TypeExpr::Url) && f.format.is_none(),
                "url fields and base64 strings",
            ),
            ("format", f.format.is_some() && !is_inner(ty, &TypeExpr::String), "strings"),
            ("pattern", f.pattern.is_some() && !is_inner(ty, &TypeExpr::String), "strings"),
            ("multiple_of", f.multiple_of.is_some() && !numeric, "numbers"),
            ("part_names", !f.part_names.is_empty() && !is_inner(ty, &TypeExpr::File), "file fields"),
            ("image_limits", f.image_limits.is_some() && !is_inner(ty, &TypeExpr::File), "file fields"),
            ("usage", f.usage.is_some() && !numeric, "integer and number fields"),
        ];
        for (key, bad, applies) in misplaced {
            if bad {
                self.r.error_at_key(
                    &join_key(fpath, key),
                    format!("`{key}` applies only to {applies}, but `{}` is `{ty}`", f.name),
                );
            }
        }
        if let (Some(min), Some(max)) = (f.min, f.max) {
            if min > max {
                self.r.error(&join_key(fpath, "min"), format!("min {min} is greater than max {max}"));
            }
        }
        if let (Some(min), Some(max)) = (f.min_items, f.max_items) {
            if min > max {
                self.r.error(&join_key(fpath, "min_items"), format!("min_items {min} is greater than max_items {max}"));
            }
        }
        if let (Some(min), Some(max)) = (f.min_length, f.max_length) {
            if min > max {
                self.r.error(
                    &join_key(fpath, "min_length"),
                    format!("min_length {min} is greater than max_length {max}"),
                );
            }
        }
        if let Some(range) = &f.aspect_ratio {
            self.aspect_ratio_range(range, &join_key(fpath, "aspect_ratio"));
        }
        if let Some(limits) = &f.image_limits {
            self.image_limits(limits, &join_key(fpath, "image_limits"));
        }
        if let Some(n) = f.multiple_of {
            self.bound_number("multiple_of", n, &join_key(fpath, "multiple_of"));
        }
        // The checker compiles the pattern with the engine the runtime uses, so a
        // pattern accepted here compiles in every generated client.
        if let Some(Err(e)) = f.pattern.as_deref().map(regex_lite::Regex::new) {
            let reason = e.to_string().replace('\n', " ");
            self.r.error(&join_key(fpath, "pattern"), format!("the pattern does not compile: {reason}"));
        }
        // A flattened member's keys sit in the parent object: there is no key to hold `null`.
        if f.flatten && f.nullable {
            self.r.error_at_key(&join_key(fpath, "nullable"), "a `flatten` field has no key of its own to be `null`");
        }
        if f.flatten {
            let is_one_of = matches!(ty, TypeExpr::Named(n) if matches!(self.index.get(n), Some(TypeDef::OneOf(_))));
            if !is_one_of {
                self.r.error_at_key(
                    &join_key(fpath, "flatten"),
                    "`flatten` applies only to a field whose type is a one_of",
                );
            }
        }
    }
    // Both ends are ratios the runtime can read (`W:H`, positive numbers), and the
    // narrowest comes first: a range the other way round would refuse every value.
    // Returns whether the range is sound.
    fn aspect_ratio_range(&mut self, range: &AspectRatioRange, path: &str) -> bool {
        let mut ends = Vec::new();
        for (key, text) in [("min", &range.min), ("max", &range.max)] {
            match parse_aspect_ratio(text) {
                Some(ratio) => ends.push(ratio),
                None => self.r.error(
                    &join_key(path, key),
                    format!("`{text}` is not an aspect ratio: write `W:H` with positive numbers (`21:9`)"),
                ),
            }
        }
        if let [min, max] = ends[..] {
            if min > max {
                self.r.error(
                    path,
                    format!(
                        "`min` {} is wider than `max` {}: `min` is the narrowest ratio (`9:21`), `max` the widest (`21:9`)",
                        range.min, range.max
                    ),
                );
                return false;
            }
            return true;
        }
        false
    }

    // Image limits refuse uploads before they are sent, so each must be one an image can
    // meet: a limit of 0 pixels says nothing (say none), a minimum above its maximum or a
    // reversed ratio range would refuse every image, and an empty mapping is a limit
    // forgotten. Limits that each make sense may still exclude every image together (sides
    // of at least 4,000 pixels, at most 1,000,000 pixels in total).
    fn image_limits(&mut self, limits: &ImageLimits, path: &str) {
        let mut sound = true;
        if limits.is_empty() {
            sound = false;
            self.r.error(
                path,
                "`image_limits` states no limit: give at least one of `min_side`, `max_side`, `min_pixels`, `max_pixels`, `aspect_ratio`",
            );
        }
        let ImageLimits { min_side, max_side, min_pixels, max_pixels, aspect_ratio } = limits;
        let bounds =
            [("min_side", min_side), ("max_side", max_side), ("min_pixels", min_pixels), ("max_pixels", max_pixels)];
        for (key, value) in bounds {
            if *value == Some(0) {
                sound = false;
                self.r.error(
                    &join_key(path, key),
                    format!("`{key}` is 0: a limit in pixels is at least 1 (leave it out for none)"),
                );
            }
        }
        let pairs =
            [("min_side", min_side, "max_side", max_side), ("min_pixels", min_pixels, "max_pixels", max_pixels)];
        for (min_key, min, max_key, max) in pairs {
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    sound = false;
                    self.r.error(&join_key(path, min_key), format!("{min_key} {min} is greater than {max_key} {max}"));
                }
            }
        }
        if let Some(range) = aspect_ratio {
            sound &= self.aspect_ratio_range(range, &join_key(path, "aspect_ratio"));
        }
        if sound && limits.example_size().is_none() {
            self.r.error(path, "no image meets all these limits together: every upload would be refused");
        }
    }

    // A conditional default applies to a field the request can leave out, falls back on
    // `default` when no condition holds, holds a value of the field's type, and reads
    // what the request sets: a `family` test would read the selected model, whose own
    // default may depend on this field.
    fn default_when(&mut self, o: &'a ObjectDef, f: &Field, ty: &TypeExpr, fpath: &str) {
        if f.default_when.is_empty() {
            return;
        }
        let key = join_key(fpath, "default_when");
        if f.required || f.nullable {
            let why =
                if f.required { "`required`: it is always set" } else { "`nullable`: `null` is a value of its own" };
            self.r.error_at_key(&key, format!("`default_when` applies to optional fields, but `{}` is {why}", f.name));
        } else if f.default.is_none() {
            self.r.error_at_key(
                &key,
                format!("`{}` has `default_when` but no `default` for when none of its conditions holds", f.name),
            );
        }
        for (i, d) in f.default_when.iter().enumerate() {
            let dpath = join_index(&key, i);
            self.condition(o, &d.when, &join_key(&dpath, "when"));
            let mut families = Vec::new();
            Self::family_tests(&d.when, &join_key(&dpath, "when"), &mut families);
            for family in families {
                self.r.error_at_key(
                    &family,
                    "a default cannot depend on the model's family (the model may take its own default from \
                     the request); list the models with `one_of` instead",
                );
            }
            self.value(ty, Some(f), &d.value, &join_key(&dpath, "value"), &[]);
        }
    }

    pub(super) fn enumeration(&mut self, e: &EnumDef, path: &str) {
        if e.values.is_empty() {
            self.r.error(&join_key(path, "values"), format!("enum `{}` has no values", e.name));
        }
        let values = e.values.iter().enumerate().flat_map(|(i, v)| {
            let vpath = join_index(&join_key(path, "values"), i);
            let aliases =
                v.aliases.iter().enumerate().map(move |(j, a)| {
                    (a.value.as_str(), join_key(&join_index(&join_key(&vpath, "aliases"), j), "value"))
                });
            std::iter::once((v.value.as_str(), join_key(&join_index(&join_key(path, "values"), i), "value")))
                .chain(aliases)
        });
        self.unique_values(values.collect::<Vec<_>>().into_iter(), "enum value");
    }
    pub(super) fn one_of(&mut self, o: &OneOfDef, path: &str) {
        if o.variants.len() < 2 {
            self.r.error(
                &join_key(path, "variants"),
                format!("one_of `{}` needs at least two variants; with one, use an object with that field", o.name),
            );
        }
        let fields = o
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| (v.field.as_str(), join_key(&join_index(&join_key(path, "variants"), i), "field")));
        self.unique_values(fields.collect::<Vec<_>>().into_iter(), "one_of member");
        for (i, v) in o.variants.iter().enumerate() {
            self.type_ref(&v.ty, &join_key(&join_index(&join_key(path, "variants"), i), "type"));
        }
    }

    // A stream without a terminal event could never be told complete from cut.
    pub(super) fn events(&mut self, e: &EventsDef, path: &str) {
        if !e.variants.iter().any(|v| v.terminal) {
            self.r.error(
                &join_key(path, "variants"),
                format!("events `{}` need at least one `terminal: true` event", e.name),
            );
        }
        let names = e
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| (v.event.as_str(), join_key(&join_index(&join_key(path, "variants"), i), "event")));
        self.unique_values(names.collect::<Vec<_>>().into_iter(), "event");
        for (i, v) in e.variants.iter().enumerate() {
            let vpath = join_key(&join_index(&join_key(path, "variants"), i), "type");
            match self.type_ref(&v.ty, &vpath) {
                Some(TypeExpr::Named(n)) if self.index.object(&n).is_some() || self.is_failed(&n) => {}
                Some(other) => self.r.error(&vpath, format!("event data must be an object type, `{other}` is not")),
                None => {}
            }
        }
    }
}
