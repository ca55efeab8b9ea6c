//! A JSON value against a type: defaults, field examples, rule literals and examples.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Checker;
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

impl Checker<'_> {
    /// Checks a JSON value against a type, reporting at the value's YAML path.
    pub(super) fn value(
        &mut self,
        ty: &TypeExpr,
        field: Option<&Field>,
        v: &Value,
        path: &str,
        placeholders: &[String],
    ) {
        let mismatch = |expected: &str| format!("expected {expected}, found {}", describe(v));
        // `null` is a value of its own only where the spec says so.
        if v.is_null() && field.is_some_and(|f| f.nullable) {
            return;
        }
        match ty {
            TypeExpr::Any => {}
            TypeExpr::String | TypeExpr::Base64 | TypeExpr::Url | TypeExpr::DataUrl => match v.as_str() {
                None => self.r.error(path, mismatch("a string")),
                Some(text) if !placeholders.iter().any(|p| p == text) => {
                    let pattern = field.and_then(|f| f.pattern.as_deref());
                    if let Some(Ok(regex)) = pattern.map(regex_lite::Regex::new) {
                        if !regex.is_match(text) {
                            let pattern = pattern.unwrap_or_default();
                            self.r
                                .error(path, format!("{} does not match the field's pattern `{pattern}`", describe(v)));
                        }
                    }
                    if let Some(range) = field.and_then(|f| f.aspect_ratio.as_ref()) {
                        let within = |ratio: f64| {
                            let (min, max) = (parse_aspect_ratio(&range.min), parse_aspect_ratio(&range.max));
                            min.is_none_or(|min| ratio >= min) && max.is_none_or(|max| ratio <= max)
                        };
                        if !parse_aspect_ratio(text).is_some_and(within) {
                            self.r.error(
                                path,
                                format!(
                                    "{} is not an aspect ratio between {} and {}",
                                    describe(v),
                                    range.min,
                                    range.max
                                ),
                            );
                        }
                    }
                }
                Some(_) => {}
            },
            TypeExpr::File => self.r.error(path, "a file cannot appear in a JSON value"),
            TypeExpr::Boolean => {
                if !v.is_boolean() {
                    self.r.error(path, mismatch("a boolean"));
                }
            }
            TypeExpr::Integer | TypeExpr::Number => {
                let Some(n) = v.as_f64() else {
                    self.r.error(path, mismatch("a number"));
                    return;
                };
                if matches!(ty, TypeExpr::Integer) && !(v.is_i64() || v.is_u64()) {
                    self.r.error(path, mismatch("an integer"));
                }
                if let Some(f) = field {
                    if f.min.is_some_and(|m| n < m) || f.max.is_some_and(|m| n > m) {
                        self.r.error(path, format!("{n} is outside the field's range"));
                    }
                    if let Some(step) = f.multiple_of.filter(|step| *step > 0.0 && !is_multiple(n, *step)) {
                        self.r.error(
                            path,
                            format!(
                                "{n} is not a multiple of {step}; if the docs' own examples send such values (the \
                                 server rounds them), state the step as a `limit_when` rule with `multiple_of` and \
                                 `severity: warning` instead of on the field"
                            ),
                        );
                    }
                }
            }
            TypeExpr::Array(inner) => match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(inner, None, item, &join_index(path, i), placeholders);
                    }
                }
                None => self.r.error(path, mismatch("an array")),
            },
            TypeExpr::OneOrMany(inner) => match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(inner, None, item, &join_index(path, i), placeholders);
                    }
                }
                None => self.value(inner, None, v, path, placeholders),
            },
            TypeExpr::Map(inner) => match v.as_object() {
                Some(map) => {
                    for (k, item) in map {
                        self.value(inner, None, item, &join_key(path, k), placeholders);
                    }
                }
                None => self.r.error(path, mismatch("an object")),
            },
            TypeExpr::Named(name) => self.named_value(name, v, path, placeholders),
        }
    }

    fn named_value(&mut self, name: &str, v: &Value, path: &str, placeholders: &[String]) {
        let Some(def) = self.index.get(name) else { return };
        match def {
            TypeDef::Enum(e) => {
                let known = e.values.iter().any(|x| {
                    Some(x.value.as_str()) == v.as_str()
                        || x.aliases.iter().any(|a| Some(a.value.as_str()) == v.as_str())
                });
                match v.as_str() {
                    None => self.r.error(path, format!("expected a `{name}` string, found {}", describe(v))),
                    Some(s) if !known && !e.open && !placeholders.iter().any(|p| p == s) => {
                        let all: Vec<_> = e.values.iter().map(|x| x.value.as_str()).collect();
                        self.r.error(
                            path,
                            format!("`{s}` is not a value of `{name}` (expected one of {})", all.join(", ")),
                        );
                    }
                    _ => {}
                }
            }
            TypeDef::Models(m) => {
                let known = m.models.iter().any(|x| {
                    Some(x.id.as_str()) == v.as_str() || x.aliases.iter().any(|a| Some(a.value.as_str()) == v.as_str())
                });
                match v.as_str() {
                    None => self.r.error(path, format!("expected a `{name}` model id, found {}", describe(v))),
                    Some(s) if !known && !m.open && !placeholders.iter().any(|p| p == s) => {
                        self.r.error(path, format!("`{s}` is not a model of `{name}`"));
                    }
                    _ => {}
                }
            }
            TypeDef::Object(o) => self.object_value(o, v, path, placeholders),
            TypeDef::OneOf(o) => {
                let Some(map) = v.as_object() else {
                    self.r.error(path, format!("expected a `{name}` object, found {}", describe(v)));
                    return;
                };
                let present: Vec<_> = o.variants.iter().filter(|x| map.contains_key(&x.field)).collect();
                if present.len() != 1 {
                    let fields: Vec<_> = o.variants.iter().map(|x| x.field.as_str()).collect();
                    self.r.error(
                        path,
                        format!("`{name}` needs exactly one of {}, found {}", fields.join(", "), present.len()),
                    );
                }
                for variant in present {
                    if let Ok(t) = variant.ty.parsed() {
                        self.value(t, None, &map[&variant.field], &join_key(path, &variant.field), placeholders);
                    }
                }
                for k in map.keys() {
                    if !o.variants.iter().any(|x| &x.field == k) && !o.open {
                        self.r.error_at_key(&join_key(path, k), format!("`{k}` is not a member of `{name}`"));
                    }
                }
            }
            TypeDef::Events(_) => self.r.error(path, format!("`{name}` is an event stream, not a JSON value")),
        }
    }

    fn object_value(&mut self, o: &ObjectDef, v: &Value, path: &str, placeholders: &[String]) {
        let Some(map) = v.as_object() else {
            self.r.error(path, format!("expected a `{}` object, found {}", o.name, describe(v)));
            return;
        };
        let mut known: BTreeSet<&str> = BTreeSet::new();
        for f in &o.fields {
            // A field whose type does not parse is reported where it is declared; it still
            // exists, so an example that sets it is not told the field is unknown.
            let Ok(ty) = f.ty.parsed() else {
                known.insert(&f.name);
                continue;
            };
            if f.flatten {
                if let Some(TypeDef::OneOf(one_of)) = ty.named().and_then(|n| self.index.get(n)) {
                    let present: Vec<_> = one_of.variants.iter().filter(|x| map.contains_key(&x.field)).collect();
                    if present.len() != 1 && !(one_of.open && present.is_empty()) {
                        let fields: Vec<_> = one_of.variants.iter().map(|x| x.field.as_str()).collect();
                        self.r.error(
                            path,
                            format!("`{}` needs exactly one of {}, found {}", o.name, fields.join(", "), present.len()),
                        );
                    }
                    for variant in &one_of.variants {
                        known.insert(&variant.field);
                        if let (Some(item), Ok(t)) = (map.get(&variant.field), variant.ty.parsed()) {
                            self.value(t, None, item, &join_key(path, &variant.field), placeholders);
                        }
                    }
                }
                continue;
            }
            known.insert(&f.name);
            match map.get(&f.name) {
                Some(item) => self.value(ty, Some(f), item, &join_key(path, &f.name), placeholders),
                // At the key that introduces the object (`body:`), where the field should have been.
                None if f.required => {
                    self.r.error_at_key(path, format!("missing required field `{}` of `{}`", f.name, o.name))
                }
                None => {}
            }
        }
        for k in map.keys() {
            if !known.contains(k.as_str()) {
                self.r.error_at_key(&join_key(path, k), format!("`{}` has no field `{k}`", o.name));
            }
        }
    }
}

/// Whether `n` is a whole multiple of `step`, with the runtime's tolerance for fractions.
fn is_multiple(n: f64, step: f64) -> bool {
    let quotient = n / step;
    (quotient - quotient.round()).abs() <= 1e-9 * quotient.abs().max(1.0)
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.len() > 40 => {
            format!("string \"{}...\"", &s[..s.char_indices().nth(37).map_or(s.len(), |(i, _)| i)])
        }
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}
