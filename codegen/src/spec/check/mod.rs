//! Semantic checks: what YAML and serde cannot see.
//!
//! Each check is a small function with a comment saying why the rule exists.
//! All of them report into one [`Reporter`]; none stops the others.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::load::{LoadedSpec, Reporter};
use super::lookup::SpecIndex;
use super::model::*;
use super::positions::{join_index, join_key};
use super::type_expr::TypeExpr;
use crate::diagnostics::Diagnostics;

/// Runs every check. `failed_types` are names of types that did not parse;
/// references to them are not reported again.
pub fn check(loaded: &LoadedSpec, failed_types: &[String]) -> Diagnostics {
    let mut cx = Checker {
        spec: &loaded.spec,
        index: SpecIndex::new(&loaded.spec),
        r: Reporter::new(&loaded.path, &loaded.positions),
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
    cx.operations();
    cx.examples();
    cx.r.finish()
}

struct Checker<'a> {
    spec: &'a Spec,
    index: SpecIndex<'a>,
    r: Reporter<'a>,
    failed_types: &'a [String],
}

impl<'a> Checker<'a> {
    // The provider name becomes a Rust module, a Cargo feature and a CLI word.
    fn provider(&mut self) {
        let p = &self.spec.provider;
        if !is_snake_word(&p.name) {
            self.r.error(
                "provider.name",
                format!("provider name `{}` must be lowercase letters, digits and `_`", p.name),
            );
        }
        // The generated crate root already has these items beside the provider modules.
        if ["runtime", "registry"].contains(&p.name.as_str()) {
            self.r.error(
                "provider.name",
                format!("provider name `{}` is taken by the generated crate's own module; choose another", p.name),
            );
        }
        if !(p.base_url.starts_with("https://") || p.base_url.starts_with("http://")) {
            self.r.error("provider.base_url", format!("base URL `{}` must start with https:// or http://", p.base_url));
        }
        if p.base_url.ends_with('/') {
            self.r.error("provider.base_url", "base URL must not end with `/`: operation paths start with one");
        }
        if p.auth.is_empty() {
            self.r.error("provider.auth", "at least one auth scheme is required");
        }
        for (i, a) in p.auth.iter().enumerate() {
            if let AuthScheme::Header { header } = a {
                let valid = !header.is_empty()
                    && header.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !valid {
                    self.r.error(
                        &join_key(&join_index("provider.auth", i), "header"),
                        format!("header name `{header}` must be lowercase letters, digits and `-`"),
                    );
                }
            }
        }
        if !p.api_key_env.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
            self.r.error(
                "provider.api_key_env",
                format!("`{}` is not an environment variable name (A-Z, 0-9, _)", p.api_key_env),
            );
        }
    }

    // Two types with one name would generate two Rust items with one name.
    fn unique_type_names(&mut self) {
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

    fn suggest(&self, name: &str) -> String {
        did_you_mean(name, self.spec.types.iter().map(|t| t.name()))
    }

    fn object(&mut self, o: &'a ObjectDef, path: &str) {
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
            if let Some(example) = &f.example {
                self.value(&ty, Some(f), example, &join_key(&fpath, "example"), &[]);
            }
        }
        // Keys of two flattened unions could not be told apart on the wire.
        if o.fields.iter().filter(|f| f.flatten).count() > 1 {
            self.r.error(
                &join_key(path, "fields"),
                format!("`{}` flattens more than one field; at most one is allowed", o.name),
            );
        }
        for (i, rule) in o.rules.iter().enumerate() {
            let rpath = join_index(&join_key(path, "rules"), i);
            self.rule(o, rule, &rpath);
            self.warning_message(rule, &rpath);
        }
        self.field_families(o, path);
        self.repeated_images(o, path);
        self.model_requirements(o, path);
    }

    // A warning reaches the caller as its message alone ("mask: ..."): without the
    // docs' sentence saying why the parameter has no effect, the generated text would
    // read like a refusal ("only allowed when") of a request that is in fact sent.
    fn warning_message(&mut self, rule: &Rule, path: &str) {
        if rule.severity() == Severity::Warning && rule.message().is_none_or(|m| m.trim().is_empty()) {
            self.r.error(
                &join_key(path, "severity"),
                "a `severity: warning` rule needs a `message` quoting the docs' reason (\"effective only when ...\", \
                 \"ignored for ...\"): it is all the caller is shown",
            );
        }
    }

    // In an object that selects a model, a field's `families` warn when the model is of
    // another family; a family no model has would warn on every request.
    fn field_families(&mut self, o: &ObjectDef, path: &str) {
        let models = o.fields.iter().find_map(|f| self.index.models(f.ty.named()?));
        let Some(models) = models else { return };
        let known: BTreeSet<&str> = models.models.iter().filter_map(|m| m.family.as_deref()).collect();
        for (i, f) in o.fields.iter().enumerate() {
            for (j, family) in f.families.iter().enumerate() {
                if !known.contains(family.as_str()) {
                    let listed: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    let hint = if listed.is_empty() {
                        "; its models declare no `family`".to_string()
                    } else {
                        format!("; its families are {}", listed.join(", "))
                    };
                    self.r.error(
                        &join_index(&join_key(&join_index(&join_key(path, "fields"), i), "families"), j),
                        format!("no model in `{}` has family `{family}`{hint}", models.name),
                    );
                }
            }
        }
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
                    did_you_mean(original, o.fields.iter().map(|g| g.name.as_str()))
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
        let text = matches!(ty, TypeExpr::String);
        let misplaced = [
            ("min", f.min.is_some() && !numeric, "numbers"),
            ("max", f.max.is_some() && !numeric, "numbers"),
            ("min_items", f.min_items.is_some() && !array, "arrays"),
            ("max_items", f.max_items.is_some() && !array, "arrays"),
            ("min_length", f.min_length.is_some() && !text, "strings"),
            ("max_length", f.max_length.is_some() && !text, "strings"),
            ("schemes", !f.schemes.is_empty() && !is_inner(ty, &TypeExpr::Url), "url fields"),
            (
                "allow_data_url",
                f.allow_data_url && !is_inner(ty, &TypeExpr::Url) && f.format.is_none(),
                "url fields and base64 strings",
            ),
            ("format", f.format.is_some() && !is_inner(ty, &TypeExpr::String), "strings"),
            ("part_names", !f.part_names.is_empty() && !is_inner(ty, &TypeExpr::File), "file fields"),
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

    /// A value a rule compares a field with: one string, number or boolean (the
    /// generated check compares scalars), of the field's type.
    fn rule_literal(&mut self, ty: &TypeExpr, v: &Value, path: &str) {
        if is_scalar(v) {
            self.value(ty, None, v, path, &[]);
        } else {
            self.r.error(path, format!("a rule compares one string, number or boolean, not `{v}`"));
        }
    }

    /// Resolves a rule's field path, reporting when it names no field.
    fn rule_field(&mut self, o: &'a ObjectDef, field: &str, path: &str) -> Option<TypeExpr> {
        match self.index.resolve_path(o, field) {
            Ok(steps) => steps.last().map(|s| s.ty.clone()),
            Err(msg) => {
                self.r.error(path, format!("rule names a field that does not exist: {msg}"));
                None
            }
        }
    }

    fn condition(&mut self, o: &'a ObjectDef, c: &Condition, path: &str) {
        let Some(ty) = self.rule_field(o, &c.field, &join_key(path, "field")) else {
            return;
        };
        let kinds = [c.equals.is_some(), !c.one_of.is_empty(), c.present.is_some(), c.family.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.r.error(path, "a condition needs exactly one of `equals`, `one_of`, `present` or `family`");
        }
        if let Some(v) = &c.equals {
            self.rule_literal(&ty, v, &join_key(path, "equals"));
        }
        for (i, v) in c.one_of.iter().enumerate() {
            self.rule_literal(&ty, v, &join_index(&join_key(path, "one_of"), i));
        }
        if let Some(family) = &c.family {
            match ty.named().and_then(|n| self.index.models(n)) {
                Some(m) if m.models.iter().any(|d| d.family.as_deref() == Some(family)) => {}
                Some(m) => {
                    self.r.error(&join_key(path, "family"), format!("no model in `{}` has family `{family}`", m.name))
                }
                None => self.r.error(
                    &join_key(path, "family"),
                    format!("`family` needs a models field, but `{}` is `{ty}`", c.field),
                ),
            }
        }
    }

    fn model_capability(
        &mut self,
        o: &'a ObjectDef,
        model_field: Option<&str>,
        capability: &str,
        want_limit: bool,
        path: &str,
    ) {
        let field = model_field.unwrap_or("model");
        let Some(ty) = self.rule_field(o, field, path) else {
            return;
        };
        let Some(models) = ty.named().and_then(|n| self.index.models(n)) else {
            self.r.error(path, format!("`{field}` must be a models field to read capabilities from, but it is `{ty}`"));
            return;
        };
        let found = models.models.iter().filter_map(|m| m.capabilities.get(capability)).collect::<Vec<_>>();
        if found.is_empty() {
            self.r.error(path, format!("no model in `{}` declares capability `{capability}`", models.name));
        }
        for c in found {
            if matches!(c, Capability::Limit(_)) != want_limit {
                let want = if want_limit { "a number" } else { "a list of values" };
                self.r.error(path, format!("capability `{capability}` must be {want} for this rule"));
                break;
            }
        }
    }

    fn rule(&mut self, o: &'a ObjectDef, rule: &Rule, path: &str) {
        match rule {
            Rule::Requires { when, field, equals, .. } => {
                self.condition(o, when, &join_key(path, "when"));
                if let Some(ty) = self.rule_field(o, field, &join_key(path, "field")) {
                    if let Some(v) = equals {
                        self.rule_literal(&ty, v, &join_key(path, "equals"));
                    }
                }
            }
            Rule::Forbids { when, field, values, .. } => {
                self.condition(o, when, &join_key(path, "when"));
                if let Some(ty) = self.rule_field(o, field, &join_key(path, "field")) {
                    for (i, v) in values.iter().enumerate() {
                        self.rule_literal(&ty, v, &join_index(&join_key(path, "values"), i));
                    }
                }
            }
            Rule::OnlyWith { field, with, .. } => {
                self.rule_field(o, field, &join_key(path, "field"));
                self.condition(o, with, &join_key(path, "with"));
            }
            Rule::LimitWhen { field, when, max_items, max_from_model, model_field, .. } => {
                if let Some(ty) = self.rule_field(o, field, &join_key(path, "field")) {
                    if !ty.is_array() && !matches!(ty, TypeExpr::OneOrMany(_)) {
                        self.r.error(
                            &join_key(path, "field"),
                            format!("limit_when needs an array field, but `{field}` is `{ty}`"),
                        );
                    }
                }
                if let Some(c) = when {
                    self.condition(o, c, &join_key(path, "when"));
                }
                match (max_items, max_from_model) {
                    (Some(_), None) => {}
                    (None, Some(cap)) => {
                        self.model_capability(o, model_field.as_deref(), cap, true, &join_key(path, "max_from_model"))
                    }
                    _ => self.r.error(path, "limit_when needs exactly one of `max_items` or `max_from_model`"),
                }
            }
            Rule::AllowedValuesWhen { field, when, values, values_from_model, model_field, .. } => {
                let ty = self.rule_field(o, field, &join_key(path, "field"));
                if let Some(ty) = &ty {
                    self.allowed_values_target(field, ty, values_from_model.is_some(), path);
                }
                if let Some(c) = when {
                    self.condition(o, c, &join_key(path, "when"));
                }
                match (values.is_empty(), values_from_model) {
                    (false, None) => {
                        if let Some(ty) = ty {
                            for (i, v) in values.iter().enumerate() {
                                self.rule_literal(&ty, v, &join_index(&join_key(path, "values"), i));
                            }
                        }
                    }
                    (true, Some(cap)) => self.model_capability(
                        o,
                        model_field.as_deref(),
                        cap,
                        false,
                        &join_key(path, "values_from_model"),
                    ),
                    _ => self.r.error(path, "allowed_values_when needs exactly one of `values` or `values_from_model`"),
                }
            }
            Rule::ExactlyOneOf { fields, .. } => {
                if fields.len() < 2 {
                    self.r.error(&join_key(path, "fields"), "exactly_one_of needs at least two fields");
                }
                for (i, f) in fields.iter().enumerate() {
                    self.rule_field(o, f, &join_index(&join_key(path, "fields"), i));
                }
            }
        }
    }

    // `allowed_values_when` compares one value: strings and enum values as their wire
    // text, numbers and booleans as values. Any other field (an array, an object, a
    // file) has no single value to compare, so the rule could never fire. A model's
    // capability lists hold strings, so they only fit string and enum fields.
    fn allowed_values_target(&mut self, field: &str, ty: &TypeExpr, from_model: bool, path: &str) {
        let strings = match ty {
            TypeExpr::String | TypeExpr::Url | TypeExpr::DataUrl => true,
            TypeExpr::Named(n) => matches!(self.index.get(n), Some(TypeDef::Enum(_) | TypeDef::Models(_))),
            _ => false,
        };
        let scalar = matches!(ty, TypeExpr::Integer | TypeExpr::Number | TypeExpr::Boolean);
        if !strings && !scalar {
            self.r.error(
                &join_key(path, "field"),
                format!(
                    "allowed_values_when compares a string, enum, integer, number or boolean field, but `{field}` \
                     is `{ty}`; name one of those (for an array's length use `limit_when`)"
                ),
            );
        } else if from_model && !strings {
            self.r.error(
                &join_key(path, "values_from_model"),
                format!(
                    "a model capability lists strings, but `{field}` is `{ty}`; list the allowed values in \
                     `values` instead"
                ),
            );
        }
    }

    // A model's `requires`/`rejects` name fields of every object that selects the model.
    fn model_requirements(&mut self, o: &'a ObjectDef, path: &str) {
        for (i, f) in o.fields.iter().enumerate() {
            let Ok(TypeExpr::Named(n)) = f.ty.parsed() else {
                continue;
            };
            let Some(models) = self.index.models(n) else { continue };
            for m in &models.models {
                let fields = m.requires.iter().map(|r| &r.field).chain(m.rejects.iter().map(|r| &r.field));
                for field in fields {
                    if let Err(msg) = self.index.resolve_path(o, field) {
                        let fpath = join_key(&join_index(&join_key(path, "fields"), i), "type");
                        self.r.error(
                            &fpath,
                            format!(
                                "model `{}` of `{}` constrains a field this object lacks: {msg}",
                                m.id, models.name
                            ),
                        );
                    }
                }
            }
        }
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

    fn enumeration(&mut self, e: &EnumDef, path: &str) {
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

    fn models(&mut self, m: &ModelsDef, path: &str) {
        if m.models.is_empty() {
            self.r.error(&join_key(path, "models"), format!("model table `{}` has no models", m.name));
        }
        // `requires`/`rejects` become comparisons in `validate()`, which compare scalars.
        for (i, d) in m.models.iter().enumerate() {
            let mpath = join_index(&join_key(path, "models"), i);
            let requires = d
                .requires
                .iter()
                .enumerate()
                .map(|(j, r)| (&r.equals, join_key(&join_index(&join_key(&mpath, "requires"), j), "equals")));
            let rejects = d.rejects.iter().enumerate().flat_map(|(j, r)| {
                let rpath = join_key(&join_index(&join_key(&mpath, "rejects"), j), "values");
                r.values.iter().enumerate().map(move |(k, v)| (v, join_index(&rpath, k)))
            });
            for (value, vpath) in requires.chain(rejects).filter(|(v, _)| !is_scalar(v)).collect::<Vec<_>>() {
                self.r
                    .error(&vpath, format!("a model constraint compares one string, number or boolean, not `{value}`"));
            }
        }
        let ids = m.models.iter().enumerate().flat_map(|(i, d)| {
            let mpath = join_index(&join_key(path, "models"), i);
            let aliases =
                d.aliases.iter().enumerate().map(move |(j, a)| {
                    (a.value.as_str(), join_key(&join_index(&join_key(&mpath, "aliases"), j), "value"))
                });
            std::iter::once((d.id.as_str(), join_key(&join_index(&join_key(path, "models"), i), "id"))).chain(aliases)
        });
        self.unique_values(ids.collect::<Vec<_>>().into_iter(), "model id");
        if let Some(default) = &m.default {
            if !m.models.iter().any(|d| &d.id == default) {
                self.r.error(&join_key(path, "default"), format!("default model `{default}` is not in the table"));
            }
        }
    }

    fn one_of(&mut self, o: &OneOfDef, path: &str) {
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
    fn events(&mut self, e: &EventsDef, path: &str) {
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

    fn is_failed(&self, name: &str) -> bool {
        self.failed_types.iter().any(|f| f == name)
    }

    /// Checks that `name` is an object type (or failed to parse, already reported).
    fn object_ref(&mut self, name: &str, path: &str, role: &str) -> Option<&'a ObjectDef> {
        if self.is_failed(name) {
            return None;
        }
        match self.index.get(name) {
            Some(TypeDef::Object(o)) => Some(o),
            Some(_) => {
                self.r.error(path, format!("{role} must be an object type, `{name}` is not"));
                None
            }
            None => {
                self.r.error(path, format!("unknown type `{name}`{}", self.suggest(name)));
                None
            }
        }
    }

    fn operations(&mut self) {
        let mut ids = BTreeMap::new();
        for (i, op) in self.spec.operations.iter().enumerate() {
            let path = join_index("operations", i);
            // The id becomes a Rust method and a CLI subcommand.
            if !is_snake_word(&op.id) {
                self.r.error(&join_key(&path, "id"), format!("operation id `{}` must be snake_case", op.id));
            }
            if let Some(first) = ids.insert(op.id.as_str(), i) {
                self.r.error(
                    &join_key(&path, "id"),
                    format!("duplicate operation id `{}` (first at operations[{first}])", op.id),
                );
            }
            // An operation can narrow the provider's schemes, never add one the client cannot build.
            for (j, scheme) in op.auth.iter().enumerate() {
                if !self.spec.provider.auth.contains(scheme) {
                    self.r.error(
                        &join_index(&join_key(&path, "auth"), j),
                        "this auth scheme is not one of `provider.auth`",
                    );
                }
            }
            self.path_params(op, &path);
            self.request_response(op, &path);
            let mut statuses = BTreeSet::new();
            for (j, e) in op.errors.iter().enumerate() {
                let epath = join_key(&join_index(&join_key(&path, "errors"), j), "status");
                if !(400..=599).contains(&e.status) {
                    self.r.error(&epath, format!("error status {} is not a 4xx or 5xx status", e.status));
                }
                if !statuses.insert(e.status) {
                    self.r.error(&epath, format!("duplicate error status {}", e.status));
                }
            }
        }
    }

    // Every `{placeholder}` needs a declared parameter and every parameter a placeholder,
    // or the generated function would send a literal `{model}` or take a useless argument.
    fn path_params(&mut self, op: &Operation, path: &str) {
        if !op.path.starts_with('/') {
            self.r.error(&join_key(path, "path"), format!("path `{}` must start with `/`", op.path));
        }
        let placeholders = placeholders(&op.path);
        for name in &placeholders {
            if !op.path_params.iter().any(|p| &p.name == name) {
                self.r.error(
                    &join_key(path, "path"),
                    format!("path parameter `{{{name}}}` is not declared in `path_params`"),
                );
            }
        }
        for (i, p) in op.path_params.iter().enumerate() {
            let ppath = join_index(&join_key(path, "path_params"), i);
            if !placeholders.contains(&p.name) {
                self.r.error(
                    &join_key(&ppath, "name"),
                    format!("path parameter `{}` does not appear in path `{}`", p.name, op.path),
                );
            }
            if let Some(ty) = self.type_ref(&p.ty, &join_key(&ppath, "type")) {
                let scalar = match &ty {
                    TypeExpr::String | TypeExpr::Integer => true,
                    TypeExpr::Named(n) => matches!(self.index.get(n), Some(TypeDef::Enum(_) | TypeDef::Models(_))),
                    _ => false,
                };
                if !scalar {
                    self.r.error(
                        &join_key(&ppath, "type"),
                        format!("path parameter type must be string, integer, an enum or a models type, not `{ty}`"),
                    );
                }
            }
        }
    }

    fn request_response(&mut self, op: &Operation, path: &str) {
        if let Some(req) = &op.request {
            let rpath = join_key(path, "request");
            if req.json.is_none() && req.multipart.is_none() {
                self.r.error(&rpath, "a request needs `json`, `multipart` or both");
            }
            if let Some(json) = &req.json {
                self.object_ref(json, &join_key(&rpath, "json"), "a JSON request body");
            }
            if let Some(form) = &req.multipart {
                if let Some(o) = self.object_ref(form, &join_key(&rpath, "multipart"), "a multipart form") {
                    // A form must carry at least one file, or it is JSON in disguise.
                    let has_file = o.fields.iter().any(|f| f.ty.parsed().is_ok_and(|t| is_inner(t, &TypeExpr::File)));
                    if !has_file {
                        self.r.error(
                            &join_key(&rpath, "multipart"),
                            format!(
                                "multipart form `{form}` has no `file` field; send text-only fields as `json: {form}`"
                            ),
                        );
                    }
                }
            }
        }
        let rpath = join_key(path, "response");
        let resp = &op.response;
        // Both bodies give a JSON method and a `_multipart` one; a stream of the form
        // would need methods for every pair, so a streamed form is its own operation.
        if let (Some(req), Some(_)) = (&op.request, &resp.sse) {
            if req.json.is_some() && req.multipart.is_some() {
                self.r.error(
                    &join_key(&join_key(path, "request"), "multipart"),
                    "an operation with both `json` and `multipart` requests cannot have an `sse` response; \
                     give the multipart form an operation of its own (same method and path)",
                );
            }
        }
        if resp.json.is_none() && resp.sse.is_none() {
            self.r.error(&rpath, "a response needs `json`, `sse` or both");
        }
        if let Some(json) = &resp.json {
            self.type_ref(json, &join_key(&rpath, "json"));
        }
        if let Some(sse) = &resp.sse {
            match self.index.get(sse) {
                Some(TypeDef::Events(_)) => {}
                _ if self.is_failed(sse) => {}
                _ => self
                    .r
                    .error(&join_key(&rpath, "sse"), format!("`sse` must name an events type, `{sse}` is not one")),
            }
        }
        if let Some(flag) = &resp.stream_flag {
            let fpath = join_key(&rpath, "stream_flag");
            if resp.json.is_none() || resp.sse.is_none() {
                self.r.error(&fpath, "`stream_flag` needs both `json` and `sse` responses");
            }
            let request = op.request.as_ref().and_then(|r| r.json.as_deref()).and_then(|n| self.index.object(n));
            match request.map(|o| o.fields.iter().find(|f| &f.name == flag)) {
                Some(Some(f)) if f.ty.parsed() == Ok(&TypeExpr::Boolean) => {}
                Some(Some(_)) => self.r.error(&fpath, format!("stream flag `{flag}` must be a boolean field")),
                Some(None) => self.r.error(&fpath, format!("the JSON request has no field `{flag}`")),
                None => self.r.error(&fpath, "`stream_flag` needs a JSON request body"),
            }
        }
    }

    // Examples are the docs' own words: if they do not fit the spec, one of them is wrong.
    fn examples(&mut self) {
        let mut names = BTreeMap::new();
        for (i, ex) in self.spec.examples.iter().enumerate() {
            let path = join_index("examples", i);
            if let Some(first) = names.insert(ex.name.as_str(), i) {
                self.r.error(
                    &join_key(&path, "name"),
                    format!("duplicate example name `{}` (first at examples[{first}])", ex.name),
                );
            }
            let Some(op) = self.spec.operations.iter().find(|o| o.id == ex.operation) else {
                self.r.error(
                    &join_key(&path, "operation"),
                    format!("example names unknown operation `{}`", ex.operation),
                );
                continue;
            };
            let body_path = join_key(&path, "body");
            let multipart = op.request.as_ref().filter(|r| r.json.is_none()).and_then(|r| r.multipart.clone());
            if !ex.files.is_empty() && (multipart.is_none() || ex.kind != ExampleKind::Request) {
                self.r.error_at_key(
                    &join_key(&path, "files"),
                    "`files` belongs to request examples of multipart operations",
                );
            }
            let target = match ex.kind {
                ExampleKind::Request => match (op.request.as_ref().and_then(|r| r.json.clone()), multipart) {
                    (Some(t), _) => Some(TypeRef::new(t)),
                    (None, Some(form)) => {
                        if let Some(o) = self.index.object(&form) {
                            self.multipart_example(o, ex, &path);
                        }
                        None
                    }
                    (None, None) => {
                        self.r.error(&join_key(&path, "kind"), format!("operation `{}` has no request body", op.id));
                        None
                    }
                },
                ExampleKind::Response => op.response.json.clone(),
                ExampleKind::Error => {
                    if ex.status.is_none() {
                        self.r.error(&join_key(&path, "kind"), "an error example needs a `status`");
                    }
                    None
                }
            };
            // An amendment must name something the example holds, or it explains nothing.
            for (j, amendment) in ex.amended.iter().enumerate() {
                let found = amendment.path.split('.').try_fold(&ex.body, |value, segment| match value {
                    Value::Object(map) => map.get(segment),
                    Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                    _ => None,
                });
                if found.is_none() {
                    let apath = join_key(&join_index(&join_key(&path, "amended"), j), "path");
                    self.r.error(&apath, format!("amended path `{}` is not in the example's body", amendment.path));
                }
            }
            for key in ex.path_params.keys() {
                if !op.path_params.iter().any(|p| &p.name == key) {
                    self.r.error_at_key(
                        &join_key(&join_key(&path, "path_params"), key),
                        format!("operation `{}` has no path parameter `{key}`", op.id),
                    );
                }
            }
            if let Some(target) = target {
                if let Ok(ty) = target.parsed() {
                    if ty.named().is_none_or(|n| !self.is_failed(n)) {
                        self.value(ty, None, &ex.body, &body_path, &ex.placeholders);
                    }
                }
            }
        }
    }

    // A multipart example names its files and gives its text fields in `body`;
    // both must be fields of the form, and required ones must be there.
    fn multipart_example(&mut self, form: &ObjectDef, ex: &Example, path: &str) {
        let is_file = |f: &Field| f.ty.parsed().is_ok_and(|t| is_inner(t, &TypeExpr::File));
        for name in ex.files.keys() {
            if !form.fields.iter().any(|f| &f.name == name && is_file(f)) {
                self.r.error_at_key(
                    &join_key(&join_key(path, "files"), name),
                    format!("`{}` has no file field `{name}`", form.name),
                );
            }
        }
        let body_path = join_key(path, "body");
        let Some(map) = ex.body.as_object() else {
            self.r.error(&body_path, "the text fields of a multipart example must be an object");
            return;
        };
        for f in &form.fields {
            let given = if is_file(f) { ex.files.contains_key(&f.name) } else { map.contains_key(&f.name) };
            if f.required && !given {
                self.r.error(&body_path, format!("missing required field `{}` of `{}`", f.name, form.name));
            }
            if let (Some(value), Ok(ty)) = (map.get(&f.name), f.ty.parsed()) {
                if is_file(f) {
                    self.r.error(
                        &join_key(&body_path, &f.name),
                        format!("`{}` is a file: list it under `files`", f.name),
                    );
                } else {
                    self.value(ty, Some(f), value, &join_key(&body_path, &f.name), &ex.placeholders);
                }
            }
        }
        for k in map.keys() {
            if !form.fields.iter().any(|f| &f.name == k) {
                self.r.error_at_key(&join_key(&body_path, k), format!("`{}` has no field `{k}`", form.name));
            }
        }
    }

    /// Checks a JSON value against a type, reporting at the value's YAML path.
    fn value(&mut self, ty: &TypeExpr, field: Option<&Field>, v: &Value, path: &str, placeholders: &[String]) {
        let mismatch = |expected: &str| format!("expected {expected}, found {}", describe(v));
        match ty {
            TypeExpr::Any => {}
            TypeExpr::String | TypeExpr::Base64 | TypeExpr::Url | TypeExpr::DataUrl => {
                if !v.is_string() {
                    self.r.error(path, mismatch("a string"));
                }
            }
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

fn is_inner(ty: &TypeExpr, want: &TypeExpr) -> bool {
    match ty {
        TypeExpr::Array(t) | TypeExpr::OneOrMany(t) | TypeExpr::Map(t) => is_inner(t, want),
        other => other == want,
    }
}

/// "; did you mean `X`?" for the first candidate that contains `name` (or equals
/// it) ignoring case, else nothing: the tail of an "unknown name" message.
fn did_you_mean<'n>(name: &str, candidates: impl IntoIterator<Item = &'n str>) -> String {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .find(|c| c.to_ascii_lowercase().contains(&lower))
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

fn is_snake_word(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The `{name}` placeholders of a path template.
pub fn placeholders(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
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

/// A JSON string, number or boolean.
fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}
