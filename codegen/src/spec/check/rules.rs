//! Cross-field rules: the fields they name, the values they compare, the model capabilities they read.

use serde_json::Value;

use super::{is_scalar, Checker};
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

impl<'a> Checker<'a> {
    /// Checks every rule of object `o` (at `path`).
    pub(super) fn rules(&mut self, o: &'a ObjectDef, path: &str) {
        for (i, rule) in o.rules.iter().enumerate() {
            let rpath = join_index(&join_key(path, "rules"), i);
            self.rule(o, rule, &rpath);
            self.warning_message(rule, &rpath);
        }
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

    pub(super) fn condition(&mut self, o: &'a ObjectDef, c: &Condition, path: &str) {
        let tests = [c.equals.is_some(), !c.one_of.is_empty(), c.present.is_some(), c.family.is_some()];
        let combinations = [!c.any_of.is_empty(), !c.all_of.is_empty(), c.not.is_some()];
        // A condition is one test or one combination: a mix would leave open whether
        // its parts are all required or alternatives.
        if combinations.contains(&true) {
            if combinations.iter().filter(|k| **k).count() > 1 || c.field.is_some() || tests.contains(&true) {
                self.r.error(
                    path,
                    "a condition that combines others takes exactly one of `any_of`, `all_of` or `not`, and no \
                     `field`, `equals`, `one_of`, `present` or `family` beside it; nest a test inside instead",
                );
            }
            for (key, list) in [("any_of", &c.any_of), ("all_of", &c.all_of)] {
                for (i, inner) in list.iter().enumerate() {
                    self.condition(o, inner, &join_index(&join_key(path, key), i));
                }
            }
            if let Some(inner) = &c.not {
                self.condition(o, inner, &join_key(path, "not"));
            }
            return;
        }
        let Some(field) = &c.field else {
            self.r.error(
                path,
                "a condition needs `field` with one of `equals`, `one_of`, `present` or `family`, or one of \
                 `any_of`, `all_of` or `not`",
            );
            return;
        };
        let Some(ty) = self.rule_field(o, field, &join_key(path, "field")) else {
            return;
        };
        if tests.iter().filter(|k| **k).count() != 1 {
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
                    format!("`family` needs a models field, but `{field}` is `{ty}`"),
                ),
            }
        }
    }

    /// The `family` tests inside a condition, as YAML paths.
    pub(super) fn family_tests(c: &Condition, path: &str, out: &mut Vec<String>) {
        if c.family.is_some() {
            out.push(join_key(path, "family"));
        }
        for (key, list) in [("any_of", &c.any_of), ("all_of", &c.all_of)] {
            for (i, inner) in list.iter().enumerate() {
                Self::family_tests(inner, &join_index(&join_key(path, key), i), out);
            }
        }
        if let Some(inner) = &c.not {
            Self::family_tests(inner, &join_key(path, "not"), out);
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
            Rule::LimitWhen { .. } => self.limit_when(o, rule, path),
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
            Rule::ProductLimit { fields, when, max, min, .. } => {
                self.product_limit(o, fields, when.as_ref(), (*min, *max), path)
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

    // A product multiplies numbers (width × height): two or more numeric fields, each
    // named once, and at least one bound, the smaller first. A product of one field is
    // the field's own `min`/`max`.
    fn product_limit(
        &mut self,
        o: &'a ObjectDef,
        fields: &[String],
        when: Option<&Condition>,
        (min, max): (Option<f64>, Option<f64>),
        path: &str,
    ) {
        if fields.len() < 2 {
            self.r.error(
                &join_key(path, "fields"),
                "product_limit multiplies at least two fields; for one field use its `min`/`max`",
            );
        }
        for (i, f) in fields.iter().enumerate() {
            let fpath = join_index(&join_key(path, "fields"), i);
            if fields[..i].contains(f) {
                self.r.error(&fpath, format!("`{f}` is named twice in the product"));
            }
            if let Some(ty) = self.rule_field(o, f, &fpath) {
                if !matches!(ty, TypeExpr::Integer | TypeExpr::Number) {
                    self.r.error(&fpath, format!("product_limit multiplies numbers, but `{f}` is `{ty}`"));
                }
            }
        }
        if let Some(c) = when {
            self.condition(o, c, &join_key(path, "when"));
        }
        match (min, max) {
            (None, None) => self.r.error(path, "product_limit needs `max`, `min` or both"),
            (Some(min), Some(max)) if min > max => {
                self.r.error(&join_key(path, "min"), format!("min {min} is greater than max {max}"))
            }
            _ => {}
        }
        for (key, bound) in [("min", min), ("max", max)] {
            if bound.is_some_and(|b| !b.is_finite()) {
                self.r.error(&join_key(path, key), format!("`{key}` must be a finite number"));
            }
        }
    }

    // A `limit_when` sets one bound, and what it bounds follows from the field's type:
    // item counts of arrays, lengths of strings, values of numbers. A key that names
    // another measure (`max_length` on a number) would be a limit that never applies.
    fn limit_when(&mut self, o: &'a ObjectDef, rule: &Rule, path: &str) {
        let Rule::LimitWhen {
            field,
            when,
            max_items,
            min_items,
            max_length,
            min_length,
            max,
            min,
            multiple_of,
            max_from_model,
            min_from_model,
            multiple_of_from_model,
            model_field,
            ..
        } = rule
        else {
            return;
        };
        if let Some(c) = when {
            self.condition(o, c, &join_key(path, "when"));
        }
        #[derive(Clone, Copy, PartialEq)]
        enum Measure {
            Items,
            Length,
            Value,
        }
        let ty = self.rule_field(o, field, &join_key(path, "field"));
        let measure = match &ty {
            Some(TypeExpr::Array(_) | TypeExpr::OneOrMany(_)) => Some(Measure::Items),
            Some(TypeExpr::String | TypeExpr::Url | TypeExpr::DataUrl) => Some(Measure::Length),
            Some(TypeExpr::Integer | TypeExpr::Number) => Some(Measure::Value),
            Some(other) => {
                self.r.error(
                    &join_key(path, "field"),
                    format!("limit_when needs an array, a string or a number field, but `{field}` is `{other}`"),
                );
                None
            }
            None => None,
        };
        let keys = [
            ("max_items", max_items.is_some(), Some(Measure::Items)),
            ("min_items", min_items.is_some(), Some(Measure::Items)),
            ("max_length", max_length.is_some(), Some(Measure::Length)),
            ("min_length", min_length.is_some(), Some(Measure::Length)),
            ("max", max.is_some(), Some(Measure::Value)),
            ("min", min.is_some(), Some(Measure::Value)),
            ("multiple_of", multiple_of.is_some(), Some(Measure::Value)),
            ("max_from_model", max_from_model.is_some(), None),
            ("min_from_model", min_from_model.is_some(), None),
            ("multiple_of_from_model", multiple_of_from_model.is_some(), Some(Measure::Value)),
        ];
        let given: Vec<_> = keys.iter().filter(|(_, set, _)| *set).collect();
        if given.len() != 1 {
            let names: Vec<String> = keys.iter().map(|(k, _, _)| format!("`{k}`")).collect();
            self.r.error(path, format!("limit_when needs exactly one limit: one of {}", names.join(", ")));
        }
        let what = |m: Measure| match m {
            Measure::Items => "arrays (item counts; for a string use `max_length`, for a number `max`)",
            Measure::Length => "strings (lengths; for a number use `max`, for an array `max_items`)",
            Measure::Value => "numbers (values; for a string use `max_length`, for an array `max_items`)",
        };
        if let (Some(measure), Some(ty)) = (measure, &ty) {
            for (key, _, wants) in &given {
                if let Some(wants) = wants.filter(|w| *w != measure) {
                    self.r.error_at_key(
                        &join_key(path, key),
                        format!("`{key}` applies only to {}, but `{field}` is `{ty}`", what(wants)),
                    );
                }
            }
        }
        let step = multiple_of.map(|n| ("multiple_of", n));
        for (key, n) in [("max", *max), ("min", *min)].into_iter().filter_map(|(k, n)| Some((k, n?))).chain(step) {
            self.bound_number(key, n, &join_key(path, key));
        }
        for (key, cap) in [
            ("max_from_model", max_from_model),
            ("min_from_model", min_from_model),
            ("multiple_of_from_model", multiple_of_from_model),
        ] {
            if let Some(cap) = cap {
                self.model_capability(o, model_field.as_deref(), cap, true, &join_key(path, key));
            }
        }
    }

    /// A fixed bound of a number: finite, and a step above zero (only zero is a multiple
    /// of zero, and a negative step is a typo).
    pub(super) fn bound_number(&mut self, key: &str, n: f64, path: &str) {
        if !n.is_finite() {
            self.r.error(path, format!("`{key}` must be a finite number"));
        } else if key == "multiple_of" && n <= 0.0 {
            self.r.error(path, format!("`multiple_of` must be above zero, not {n}"));
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
}
