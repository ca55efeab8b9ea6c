//! Requests beyond a body: fields that travel in the query or a header (`in:`), the
//! `params` of an operation that sends no body, the headers a provider documents for
//! every call, and a key sent as a query parameter.

use std::collections::{BTreeMap, BTreeSet};

use super::Checker;
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

/// Headers the client itself writes (auth, body framing, connection, its user agent):
/// a field or a provider header of that name would fight the transport over them.
const CLIENT_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "user-agent",
    "expect",
    "te",
    "upgrade",
];

impl<'a> Checker<'a> {
    pub(super) fn requests(&mut self) {
        let spec: &'a Spec = self.spec;
        let roots = request_roots(spec);
        for (i, t) in spec.types.iter().enumerate() {
            if let TypeDef::Object(o) = t {
                self.field_locations(o, &join_index("types", i), &roots);
            }
        }
        self.params_requests();
        self.provider_headers();
        self.query_auth();
    }

    // A secret is scrubbed from what a call shows (its dry run, errors, logs) by the
    // client method that sends it, which sees only the request's own fields: a secret
    // inside a nested value, or in a type also used elsewhere, would escape that. Its
    // value is text in the body: a secret in the query or a header would sit in a URL or
    // a header the key's redaction does not know, and `null` or a flattened member has no
    // text to hide.
    fn secret_field(&mut self, o: &ObjectDef, f: &Field, fpath: &str, roots: &BTreeMap<&str, &str>) {
        let key = join_key(fpath, "secret");
        let text = f.ty.parsed().is_ok_and(|t| matches!(t, TypeExpr::String | TypeExpr::Url));
        if !text {
            self.r.error_at_key(
                &key,
                format!("`secret` applies only to `string` and `url` fields, but `{}` is `{}`", f.name, f.ty),
            );
        }
        if f.location != FieldLocation::Body || f.nullable || f.flatten {
            self.r.error_at_key(
                &key,
                format!("a secret is text sent in the body: `{}` cannot be `in: query`, `in: header`, `nullable` or `flatten`", f.name),
            );
        }
        if !roots.contains_key(o.name.as_str()) {
            self.r.error_at_key(
                &key,
                format!(
                    "`{}` cannot be secret: only a field of an operation's request object (`request.json`, \
                     `request.multipart` or `request.params`) can, and `{}` is none",
                    f.name, o.name
                ),
            );
        } else if let Some(other) = self.other_use(&o.name) {
            self.r.error_at_key(
                &key,
                format!("`{}` cannot be secret: `{}` is an operation's request, but {other}, where its value would not be scrubbed", f.name, o.name),
            );
        }
    }

    /// Where `name` is used other than as an operation's request: inside another
    /// type, or as a response or event. Such a use has no query or headers to send a
    /// field in.
    fn other_use(&self, name: &str) -> Option<String> {
        let holds = |ty: &TypeRef| ty.parsed().is_ok_and(|t| inner_name(t) == Some(name));
        for t in &self.spec.types {
            let held_by = match t {
                TypeDef::Object(o) => {
                    o.fields.iter().find(|f| holds(&f.ty)).map(|f| format!("`{}.{}`", o.name, f.name))
                }
                TypeDef::OneOf(o) => {
                    o.variants.iter().find(|v| holds(&v.ty)).map(|v| format!("`{}.{}`", o.name, v.field))
                }
                TypeDef::Events(e) => {
                    e.variants.iter().find(|v| holds(&v.ty)).map(|v| format!("`{}` event `{}`", e.name, v.event))
                }
                TypeDef::Enum(_) | TypeDef::Models(_) => None,
            };
            if let Some(held_by) = held_by {
                return Some(format!("it is also held by {held_by}"));
            }
        }
        let answered = self.spec.operations.iter().find(|op| op.response.json.as_ref().is_some_and(holds));
        answered.map(|op| format!("it is also the response of `{}`", op.id))
    }

    // A query parameter or a header belongs to a request, not to a value inside one: only
    // the top level of what an operation sends has a query string and headers beside it.
    // Their values are text, so only scalars (and, in the query, lists of them) fit.
    fn field_locations(&mut self, o: &ObjectDef, path: &str, roots: &BTreeMap<&str, &str>) {
        let mut headers: BTreeMap<String, usize> = BTreeMap::new();
        for (i, f) in o.fields.iter().enumerate() {
            let fpath = join_index(&join_key(path, "fields"), i);
            let list = f.ty.parsed().is_ok_and(|t| matches!(t, TypeExpr::Array(_)));
            if f.style.is_some() && (f.location != FieldLocation::Query || !list) {
                self.r.error(
                    &join_key(&fpath, "style"),
                    format!(
                        "`style` says how a list travels in the query; `{}` is not a list with `in: query`",
                        f.name
                    ),
                );
            }
            if f.secret {
                self.secret_field(o, f, &fpath, roots);
            }
            let place = match f.location {
                FieldLocation::Body => continue,
                FieldLocation::Query => "the query",
                FieldLocation::Header => "a header",
            };
            let in_path = join_key(&fpath, "in");
            if !roots.contains_key(o.name.as_str()) {
                self.r.error(
                    &in_path,
                    format!(
                        "`{}` cannot travel in {place}: only a field of an operation's request object \
                         (`request.json`, `request.multipart` or `request.params`) can, and `{}` is none",
                        f.name, o.name
                    ),
                );
            } else if let Some(other) = self.other_use(&o.name) {
                self.r.error(
                    &in_path,
                    format!(
                        "`{}` cannot travel in {place}: `{}` is an operation's request, but {other}, \
                         where it has no query or headers; give the request a type of its own",
                        f.name, o.name
                    ),
                );
            }
            if f.flatten {
                self.r.error(
                    &in_path,
                    format!("`{}` is flattened into the body; it cannot also travel in {place}", f.name),
                );
            }
            // `null` is a JSON value; a query parameter or a header is there or not.
            if f.nullable {
                self.r.error(
                    &join_key(&fpath, "nullable"),
                    format!("`{}` travels in {place}, which cannot say `null`; leave it out instead", f.name),
                );
            }
            self.located_type(f, &fpath);
            match f.location {
                FieldLocation::Header => {
                    self.header_name(&f.name, &join_key(&fpath, "name"), "a header field");
                    if let Some(first) = headers.insert(f.name.to_ascii_lowercase(), i) {
                        self.r.error(
                            &join_key(&fpath, "name"),
                            format!(
                                "header `{}` is also fields[{first}] of `{}` (header names ignore case)",
                                f.name, o.name
                            ),
                        );
                    }
                    let spec: &'a Spec = self.spec;
                    if let Some(h) = spec.provider.headers.iter().find(|h| h.name.eq_ignore_ascii_case(&f.name)) {
                        self.r.error(
                            &join_key(&fpath, "name"),
                            format!("header `{}` is one of `provider.headers`, sent with every call already", h.name),
                        );
                    }
                }
                FieldLocation::Query => {
                    if !is_query_name(&f.name) {
                        self.r.error(
                            &join_key(&fpath, "name"),
                            format!("query parameter `{}` must be letters, digits, `-`, `_`, `.` or `[]`", f.name),
                        );
                    }
                    let key_param = self
                        .spec
                        .provider
                        .auth
                        .iter()
                        .any(|a| matches!(a, AuthScheme::Query { param } if *param == f.name));
                    if key_param {
                        self.r.error(
                            &join_key(&fpath, "name"),
                            format!("query parameter `{}` is where the API key travels (`provider.auth`)", f.name),
                        );
                    }
                }
                FieldLocation::Body => {}
            }
        }
    }

    // A query value or a header is one piece of text: a string, a number, a boolean or
    // an enum's value. The query can repeat a key, so it also takes a list of them.
    fn located_type(&mut self, f: &Field, fpath: &str) {
        let Ok(ty) = f.ty.parsed() else { return };
        let scalar = |t: &TypeExpr| match t {
            TypeExpr::String | TypeExpr::Integer | TypeExpr::Number | TypeExpr::Boolean | TypeExpr::Url => true,
            TypeExpr::Named(n) => matches!(self.index.get(n), Some(TypeDef::Enum(_) | TypeDef::Models(_))),
            _ => false,
        };
        let fits = match (f.location, ty) {
            (FieldLocation::Query, TypeExpr::Array(item)) => scalar(item),
            (_, t) => scalar(t),
        };
        if !fits {
            let allowed = match f.location {
                FieldLocation::Query => "string, integer, number, boolean, url, an enum, or an array of one of them",
                _ => "string, integer, number, boolean, url or an enum",
            };
            self.r.error(
                &join_key(fpath, "type"),
                format!("`{}` travels as text outside the body: its type must be {allowed}, not `{ty}`", f.name),
            );
        }
    }

    // An operation that sends no body takes its parameters as one value; a body field
    // there would be silently dropped, and a body beside it would make two requests.
    fn params_requests(&mut self) {
        let spec: &'a Spec = self.spec;
        for (i, op) in spec.operations.iter().enumerate() {
            let Some(req) = &op.request else { continue };
            let Some(params) = &req.params else { continue };
            let ppath = join_key(&join_key(&join_index("operations", i), "request"), "params");
            if req.json.is_some() || req.multipart.is_some() {
                self.r.error(
                    &ppath,
                    "`params` is the request of an operation without a body; with `json` or `multipart`, \
                     mark their fields `in: query` or `in: header` instead",
                );
            }
            let Some(o) = self.object_ref(params, &ppath, "`params`") else { continue };
            let Some(t) = self.index.position(&o.name) else { continue };
            for (j, f) in o.fields.iter().enumerate() {
                if f.location == FieldLocation::Body {
                    self.r.error(
                        &join_key(&join_index(&join_key(&join_index("types", t), "fields"), j), "name"),
                        format!(
                            "`{}` is the `params` of `{}`, which sends no body: `{}` needs `in: query` or `in: header`",
                            o.name, op.id, f.name
                        ),
                    );
                }
            }
        }
    }

    // The provider's headers go with every request: each must be a header a server can
    // read, named once, and not one the client writes itself.
    fn provider_headers(&mut self) {
        let spec: &'a Spec = self.spec;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, h) in spec.provider.headers.iter().enumerate() {
            let hpath = join_index("provider.headers", i);
            self.header_name(&h.name, &join_key(&hpath, "name"), "a provider header");
            if let Some(first) = seen.insert(h.name.to_ascii_lowercase(), i) {
                self.r.error(
                    &join_key(&hpath, "name"),
                    format!("duplicate header `{}` (first at provider.headers[{first}]; names ignore case)", h.name),
                );
            }
            if let Some(env) = &h.env {
                if env.is_empty() || !env.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                    self.r.error(
                        &join_key(&hpath, "env"),
                        format!("`{env}` is not an environment variable name (A-Z, 0-9, _)"),
                    );
                }
            }
        }
    }

    // The key as a query parameter is written into every URL: its name must be one a
    // query can hold as it is, and one scheme per name.
    fn query_auth(&mut self) {
        let spec: &'a Spec = self.spec;
        let mut seen = BTreeSet::new();
        for (i, a) in spec.provider.auth.iter().enumerate() {
            let AuthScheme::Query { param } = a else { continue };
            let ppath = join_key(&join_index("provider.auth", i), "param");
            if !is_query_name(param) {
                self.r
                    .error(&ppath, format!("query parameter `{param}` must be letters, digits, `-`, `_`, `.` or `[]`"));
            }
            if !seen.insert(param.as_str()) {
                self.r.error(&ppath, format!("duplicate auth scheme: the key already travels as `?{param}=`"));
            }
        }
    }

    /// A header name must be an HTTP token, and not one the client sends itself.
    fn header_name(&mut self, name: &str, path: &str, what: &str) {
        let token =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
        if !token {
            self.r.error(path, format!("`{name}` is not a header name: letters, digits and `-` (an HTTP token)"));
            return;
        }
        let lower = name.to_ascii_lowercase();
        let auth_header = self.spec.provider.auth.iter().any(|a| match a {
            AuthScheme::Bearer => lower == "authorization",
            AuthScheme::Header { header } => header.eq_ignore_ascii_case(name),
            AuthScheme::Query { .. } => false,
        });
        if auth_header || CLIENT_HEADERS.contains(&lower.as_str()) {
            self.r.error(path, format!("`{name}` is a header the client sets itself; it cannot be {what}"));
        }
    }
}

/// The objects operations send as their request (`json`, `multipart`, `params`),
/// each with the first operation that does.
fn request_roots(spec: &Spec) -> BTreeMap<&str, &str> {
    let mut roots = BTreeMap::new();
    for op in &spec.operations {
        if let Some(req) = &op.request {
            for name in req.json.iter().chain(&req.multipart).chain(&req.params) {
                roots.entry(name.as_str()).or_insert(op.id.as_str());
            }
        }
    }
    roots
}

/// The named type a field holds, alone or in a list, map or one-or-many.
fn inner_name(ty: &TypeExpr) -> Option<&str> {
    match ty {
        TypeExpr::Named(n) => Some(n),
        TypeExpr::Array(t) | TypeExpr::Map(t) | TypeExpr::OneOrMany(t) => inner_name(t),
        _ => None,
    }
}

/// A query parameter name that needs no encoding: letters, digits, `-_.` and the `[]`
/// some servers use for lists (`ids[]`).
fn is_query_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.[]".contains(c))
}
