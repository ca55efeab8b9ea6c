//! Examples: the docs' own requests, responses and errors, against the operations they name.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{is_inner, Checker};
use crate::spec::field_path;
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

impl Checker<'_> {
    // Examples are the docs' own words: if they do not fit the spec, one of them is wrong.
    pub(super) fn examples(&mut self) {
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
                ExampleKind::Request => {
                    match (op.request.as_ref().and_then(|r| r.json.clone().or(r.params.clone())), multipart) {
                        (Some(t), _) => Some(TypeRef::new(t)),
                        (None, Some(form)) => {
                            if let Some(o) = self.index.object(&form) {
                                self.multipart_example(o, ex, &path);
                            }
                            None
                        }
                        (None, None) => {
                            self.r
                                .error(&join_key(&path, "kind"), format!("operation `{}` has no request body", op.id));
                            None
                        }
                    }
                }
                ExampleKind::Response => {
                    // Raw bytes have no JSON form to store; a stream's events are not one body.
                    // With `statuses`, the example's `status` (200 by default) picks the body.
                    let json = op.response_json(ex.status).cloned();
                    if json.is_none() {
                        let which = if op.response.statuses.is_empty() {
                            String::new()
                        } else {
                            format!(" for status {}", ex.status.unwrap_or(200))
                        };
                        self.r.error(
                            &join_key(&path, "kind"),
                            format!("operation `{}` has no JSON response{which} to give an example of", op.id),
                        );
                    }
                    json
                }
                ExampleKind::Error => {
                    if ex.status.is_none() {
                        self.r.error(&join_key(&path, "kind"), "an error example needs a `status`");
                    }
                    self.error_example_body(op, ex, &path)
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

    // An error example is the docs' word on the envelope: the operation must name one
    // that recognises it, and the body must fit that envelope's type.
    fn error_example_body(&mut self, op: &Operation, ex: &Example, path: &str) -> Option<TypeRef> {
        let names = self.spec.envelopes_of(op);
        let envelopes: Vec<&Envelope> =
            names.iter().filter_map(|n| self.spec.envelopes.iter().find(|e| &e.name == n)).collect();
        if names.is_empty() {
            self.r.error(
                &join_key(path, "kind"),
                format!("operation `{}` names no error envelope (`envelopes`) to give an example of", op.id),
            );
            return None;
        }
        match envelopes.iter().find(|e| field_path::recognises(e, &ex.body)) {
            Some(envelope) => Some(TypeRef::new(envelope.body.clone())),
            None => {
                // An unknown name is reported with the list; only a complete list can fail to recognise.
                if envelopes.len() == names.len() {
                    self.r.error(
                        &join_key(path, "body"),
                        format!(
                            "the error example is none of the envelopes of operation `{}` ({})",
                            op.id,
                            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
                None
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
}
