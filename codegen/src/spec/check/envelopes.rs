//! Error envelopes: their body types, the field paths of their parts, their
//! recognisers and retry rules, and the lists of providers and operations that name them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{is_snake_word, Checker};
use crate::diagnostics::suggest::did_you_mean;
use crate::spec::field_path::{self, describe};
use crate::spec::model::{DelayFormat, Envelope, EnvelopePart, FieldPaths, JsonKind, ObjectDef, TypeDef};
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

impl Checker<'_> {
    pub(super) fn envelopes(&mut self) {
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, envelope) in self.spec.envelopes.iter().enumerate() {
            let path = join_index("envelopes", i);
            // The name is what `envelopes` lists say and what errors report: one spelling, one envelope.
            if let Some(first) = names.insert(&envelope.name, i) {
                self.r.error(
                    &join_key(&path, "name"),
                    format!("envelope `{}` is declared twice (first at envelopes[{first}])", envelope.name),
                );
            }
            if !is_snake_word(&envelope.name) {
                self.r.error(
                    &join_key(&path, "name"),
                    format!("envelope name `{}` must be lowercase letters, digits and `_`", envelope.name),
                );
            }
            self.envelope(envelope, &path);
        }
        let provider = self.spec.provider.envelopes.clone();
        self.envelope_list(&provider, "provider.envelopes");
        for (i, op) in self.spec.operations.iter().enumerate() {
            let path = join_key(&join_index("operations", i), "envelopes");
            self.envelope_list(&op.envelopes, &path);
        }
    }

    // A list names declared envelopes, each once: a second mention would never be tried.
    fn envelope_list(&mut self, list: &[String], path: &str) {
        let declared: Vec<&str> = self.spec.envelopes.iter().map(|e| e.name.as_str()).collect();
        for (i, name) in list.iter().enumerate() {
            let item = join_index(path, i);
            if !declared.contains(&name.as_str()) {
                let hint = did_you_mean(name, &declared);
                let hint = if hint.is_empty() && declared.is_empty() {
                    "; declare it under the top-level `envelopes`".to_string()
                } else {
                    hint
                };
                self.r.error(&item, format!("unknown envelope `{name}`{hint}"));
            } else if list[..i].contains(name) {
                self.r.error(&item, format!("envelope `{name}` is listed twice"));
            }
        }
    }

    fn envelope(&mut self, envelope: &Envelope, path: &str) {
        let body_path = join_key(path, "body");
        let body = match self.index.get(&envelope.body) {
            Some(TypeDef::Object(o)) => Some(o),
            Some(_) => {
                self.r.error(
                    &body_path,
                    format!("the body of an envelope must be an object type; `{}` is not", envelope.body),
                );
                None
            }
            None if self.is_failed(&envelope.body) => None,
            None => {
                self.r.error(&body_path, format!("unknown type `{}`{}", envelope.body, self.suggest(&envelope.body)));
                None
            }
        };
        for part in EnvelopePart::ALL {
            let Some(declared) = envelope.part(part) else { continue };
            for (j, text) in declared.paths().iter().enumerate() {
                let at = match declared {
                    FieldPaths::One(_) => join_key(path, part.key()),
                    FieldPaths::Many(_) => join_index(&join_key(path, part.key()), j),
                };
                if let Some(ty) = self.envelope_path(body, text, &at) {
                    self.part_type(part, text, &ty, &at);
                }
            }
        }
        for (j, test) in envelope.when.iter().enumerate() {
            let at = join_index(&join_key(path, "when"), j);
            let ty = self.envelope_path(body, &test.field, &join_key(&at, "field"));
            if test.equals.is_some() && test.is.is_some() {
                self.r.error(&at, "a test gives `equals` or `is`, not both");
            }
            if let Some(value) = &test.equals {
                if !(value.is_string() || value.is_boolean() || value.is_i64()) {
                    self.r.error(&join_key(&at, "equals"), "`equals` must be a string, a whole number or a boolean");
                } else if let Some(ty) = &ty {
                    if !value_fits(ty, value, self) {
                        self.r.error(
                            &join_key(&at, "equals"),
                            format!("`{}` is {}; it can never equal {value}", test.field, describe(ty)),
                        );
                    }
                }
            }
            if let (Some(kind), Some(ty)) = (test.is, &ty) {
                if !kind_fits(ty, kind, self) {
                    self.r.error(
                        &join_key(&at, "is"),
                        format!("`{}` is {}; it is never {}", test.field, describe(ty), kind_name(kind)),
                    );
                }
            }
        }
        if let Some(delay) = &envelope.retry_delay {
            let at = join_key(path, "retry_delay");
            if let Some(ty) = self.envelope_path(body, &delay.field, &join_key(&at, "field")) {
                let fits = match delay.format {
                    DelayFormat::Duration => matches!(ty, TypeExpr::String | TypeExpr::Any) || self.is_object_type(&ty),
                    DelayFormat::Seconds | DelayFormat::Milliseconds => {
                        matches!(ty, TypeExpr::String | TypeExpr::Integer | TypeExpr::Number | TypeExpr::Any)
                    }
                };
                if !fits {
                    self.r.error(
                        &join_key(&at, "field"),
                        format!(
                            "`{}` is {}, which cannot hold a delay in the `{}` format",
                            delay.field,
                            describe(&ty),
                            match delay.format {
                                DelayFormat::Duration => "duration",
                                DelayFormat::Seconds => "seconds",
                                DelayFormat::Milliseconds => "milliseconds",
                            }
                        ),
                    );
                }
            }
        }
        self.retry_rules(envelope, path);
    }

    // A rule is about what an error body says: its status must be an error's, and the
    // code or message it tests must be a part the envelope reads.
    fn retry_rules(&mut self, envelope: &Envelope, path: &str) {
        for (j, rule) in envelope.retry.iter().enumerate() {
            let at = join_index(&join_key(path, "retry"), j);
            if let Some(status) = rule.status {
                if !(400..=599).contains(&status) {
                    self.r.error(
                        &join_key(&at, "status"),
                        format!("a retry rule applies to error statuses; {status} is not a 4xx or 5xx status"),
                    );
                }
            }
            if rule.code.is_none() && rule.message_contains.is_none() {
                self.r.error(
                    &at,
                    "a retry rule needs `code` or `message_contains`; for a whole status, set `retryable` on the \
                     operation's `errors` entry",
                );
            }
            if rule.code.is_some() && envelope.paths(EnvelopePart::Code).is_empty() {
                self.r.error(
                    &join_key(&at, "code"),
                    format!("envelope `{}` declares no `code` to compare", envelope.name),
                );
            }
            if rule.message_contains.as_ref().is_some_and(|m| m.is_empty()) {
                self.r.error(&join_key(&at, "message_contains"), "`message_contains` cannot be empty");
            }
            if rule.message_contains.is_some() && envelope.paths(EnvelopePart::Message).is_empty() {
                self.r.error(
                    &join_key(&at, "message_contains"),
                    format!("envelope `{}` declares no `message` to search", envelope.name),
                );
            }
        }
    }

    /// Parses and resolves one field path into the body type; reports why not.
    fn envelope_path(&mut self, body: Option<&ObjectDef>, text: &str, at: &str) -> Option<TypeExpr> {
        let segments = match field_path::parse(text) {
            Ok(s) => s,
            Err(e) => {
                self.r.error(at, e);
                return None;
            }
        };
        match field_path::resolve(&self.index, body?, &segments) {
            Ok(ty) => Some(ty),
            Err(e) => {
                self.r.error(at, format!("`{text}`: {e}"));
                None
            }
        }
    }

    // Each part is read as one kind of value; a path reaching another kind would
    // never give it.
    fn part_type(&mut self, part: EnvelopePart, text: &str, ty: &TypeExpr, at: &str) {
        let string_like = self.is_string_like(ty);
        let fits = match part {
            EnvelopePart::Message => string_like || matches!(ty, TypeExpr::Array(item) if self.is_string_like(item)),
            EnvelopePart::Code => string_like || matches!(ty, TypeExpr::Integer),
            EnvelopePart::ErrorType | EnvelopePart::Param => string_like,
            EnvelopePart::Status => matches!(ty, TypeExpr::Integer | TypeExpr::Any),
            EnvelopePart::Retryable => matches!(ty, TypeExpr::Boolean | TypeExpr::Any),
        };
        if !fits {
            let want = match part {
                EnvelopePart::Message => "a string or an array of strings",
                EnvelopePart::Code => "a string, an integer or a string enum",
                EnvelopePart::ErrorType | EnvelopePart::Param => "a string or a string enum",
                EnvelopePart::Status => "an integer",
                EnvelopePart::Retryable => "a boolean",
            };
            self.r.error(at, format!("`{}` must reach {want}; `{text}` is {}", part.key(), describe(ty)));
        }
    }

    /// Text on the wire: a string, `any`, or a string enum or models type.
    fn is_string_like(&self, ty: &TypeExpr) -> bool {
        match ty {
            TypeExpr::String | TypeExpr::Any => true,
            TypeExpr::Named(n) => matches!(self.index.get(n), Some(TypeDef::Enum(_) | TypeDef::Models(_))),
            _ => false,
        }
    }

    fn is_object_type(&self, ty: &TypeExpr) -> bool {
        matches!(ty, TypeExpr::Named(n) if self.index.object(n).is_some())
    }
}

fn value_fits(ty: &TypeExpr, value: &Value, cx: &Checker) -> bool {
    match ty {
        TypeExpr::Any => true,
        TypeExpr::Boolean => value.is_boolean(),
        TypeExpr::Integer => value.as_i64().is_some() || value.as_u64().is_some(),
        TypeExpr::Number => value.is_number(),
        other => cx.is_string_like(other) && value.is_string(),
    }
}

fn kind_fits(ty: &TypeExpr, kind: JsonKind, cx: &Checker) -> bool {
    match (ty, kind) {
        (TypeExpr::Any, _) => true,
        (TypeExpr::Array(_), JsonKind::Array) => true,
        (TypeExpr::Map(_), JsonKind::Object) => true,
        (TypeExpr::Integer | TypeExpr::Number, JsonKind::Number) => true,
        (TypeExpr::Boolean, JsonKind::Boolean) => true,
        (TypeExpr::Named(_), JsonKind::Object) => cx.is_object_type(ty),
        (other, JsonKind::String) => cx.is_string_like(other) || matches!(other, TypeExpr::Url | TypeExpr::Base64),
        _ => false,
    }
}

fn kind_name(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::Object => "an object",
        JsonKind::Array => "an array",
        JsonKind::String => "a string",
        JsonKind::Number => "a number",
        JsonKind::Boolean => "a boolean",
    }
}
