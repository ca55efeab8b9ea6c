//! Operations: ids, auth, path parameters, request and response bodies, error statuses.

use std::collections::{BTreeMap, BTreeSet};

use super::{is_snake_word, Checker};
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

impl<'a> Checker<'a> {
    /// Checks that `name` is an object type (or failed to parse, already reported).
    pub(super) fn object_ref(&mut self, name: &str, path: &str, role: &str) -> Option<&'a ObjectDef> {
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

    pub(super) fn operations(&mut self) {
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
            if let Some(job) = &op.job {
                self.job(op, job, &path);
            }
            self.max_request_bytes(op, &path);
        }
    }

    // A `max_request_bytes` (an operation's or the provider's) of 0 would refuse every request.
    pub(super) fn request_limit_above_zero(&mut self, max: u64, path: &str) {
        if max == 0 {
            self.r.error(path, "`max_request_bytes` must be above 0: no request body is that small");
        }
    }

    // The limit is measured on the body the client builds: an operation that sends none
    // has nothing to measure, and a limit of 0 would refuse every request.
    fn max_request_bytes(&mut self, op: &Operation, path: &str) {
        let Some(max) = op.max_request_bytes else { return };
        let path = join_key(path, "max_request_bytes");
        self.request_limit_above_zero(max, &path);
        if !op.sends_body() {
            self.r.error(
                &path,
                format!(
                    "operation `{}` sends no body (no `request.json` or `request.multipart`), so it has \
                     no request size to limit",
                    op.id
                ),
            );
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
            if req.json.is_none() && req.multipart.is_none() && req.params.is_none() {
                self.r.error(&rpath, "a request needs `json`, `multipart` (or both), or `params`");
            }
            if let Some(json) = &req.json {
                self.object_ref(json, &join_key(&rpath, "json"), "a JSON request body");
            }
            if let Some(form) = &req.multipart {
                // A form of text fields alone is fine (Stability's text-to-image endpoints take
                // one), but a form with nothing in the body would send no part at all.
                if let Some(o) = self.object_ref(form, &join_key(&rpath, "multipart"), "a multipart form") {
                    if !o.fields.iter().any(|f| f.location == FieldLocation::Body) {
                        self.r.error(
                            &join_key(&rpath, "multipart"),
                            format!("multipart form `{form}` has no field in the body; it would send no part"),
                        );
                    }
                    // A form part is text or a file: it has no way to say `null`.
                    let position = self.index.position(form).unwrap_or_default();
                    for (i, f) in o.fields.iter().enumerate().filter(|(_, f)| f.nullable) {
                        let fpath = join_index(&join_key(&join_index("types", position), "fields"), i);
                        self.r.error_at_key(
                            &join_key(&fpath, "nullable"),
                            format!(
                                "`{}` is in multipart form `{form}` (operation `{}`), whose parts cannot be `null`",
                                f.name, op.id
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
        if resp.statuses.is_empty() && resp.json.is_none() && resp.sse.is_none() && resp.binary.is_none() {
            self.r.error(&rpath, "a response needs `json`, `sse`, `binary` or `statuses`");
        }
        self.statuses(resp, &rpath);
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
        if let Some(binary) = &resp.binary {
            self.binary_response(binary, resp, &join_key(&rpath, "binary"));
        }
        self.response_headers(&resp.headers, &join_key(&rpath, "headers"));
    }

    // `statuses` describes every success body: one beside it would leave a status
    // with two bodies. Each status is a 2xx with one body of its own (JSON, bytes, or
    // either as the content type says), named once, so the answer enum is well formed.
    fn statuses(&mut self, resp: &ResponseBody, rpath: &str) {
        if resp.statuses.is_empty() {
            return;
        }
        let path = join_key(rpath, "statuses");
        for (key, set) in
            [("json", resp.json.is_some()), ("sse", resp.sse.is_some()), ("binary", resp.binary.is_some())]
        {
            if set {
                self.r.error_at_key(
                    &join_key(rpath, key),
                    format!("`{key}` beside `statuses`: give the body to the status it answers with"),
                );
            }
        }
        let (mut statuses, mut names) = (BTreeMap::new(), BTreeMap::new());
        for (i, s) in resp.statuses.iter().enumerate() {
            let spath = join_index(&path, i);
            if !(200..300).contains(&s.status) {
                self.r.error(
                    &join_key(&spath, "status"),
                    format!("`statuses` lists success answers; {} is not a 2xx", s.status),
                );
            }
            if let Some(first) = statuses.insert(s.status, i) {
                self.r.error(
                    &join_key(&spath, "status"),
                    format!("status {} is listed twice (first at statuses[{first}])", s.status),
                );
            }
            if !is_snake_word(&s.name) {
                self.r.error(
                    &join_key(&spath, "name"),
                    format!("answer name `{}` must be lowercase letters, digits and `_`", s.name),
                );
            } else if s.name == "other" {
                self.r.error(
                    &join_key(&spath, "name"),
                    "`other` is the answer to a status the docs do not list; choose another name",
                );
            }
            if let Some(first) = names.insert(s.name.as_str(), i) {
                self.r.error(
                    &join_key(&spath, "name"),
                    format!("answer name `{}` is used twice (first at statuses[{first}])", s.name),
                );
            }
            if s.json.is_none() && s.binary.is_none() {
                self.r.error(&spath, format!("status {} needs a body: `json`, `binary` or both", s.status));
            }
            if let Some(json) = &s.json {
                self.type_ref(json, &join_key(&spath, "json"));
            }
            if let Some(binary) = &s.binary {
                self.binary_response(binary, resp, &join_key(&spath, "binary"));
            }
        }
    }

    // Raw bytes are answered whole: a stream of them is a different construct, and the
    // media types become the `Accept` header, so each must be one a server can read.
    fn binary_response(&mut self, binary: &BinaryResponse, resp: &ResponseBody, path: &str) {
        if resp.sse.is_some() {
            self.r.error(path, "a response cannot be both `binary` and `sse`");
        }
        if binary.media_types.is_empty() {
            self.r.error(
                &join_key(path, "media_types"),
                "`binary` needs at least one media type (`image/png`, `image/*`)",
            );
        }
        for (i, media_type) in binary.media_types.iter().enumerate() {
            if !is_media_range(media_type) {
                self.r.error(
                    &join_index(&join_key(path, "media_types"), i),
                    format!("`{media_type}` is not a media type: expected `type/subtype` (`image/png`, `image/*`)"),
                );
            }
        }
    }

    // A header is read by name (HTTP names are case-insensitive; the spec writes them in
    // lowercase so two spellings cannot both appear) into one typed field each; only a
    // single value (a string, a number, a boolean or a string enum) can be read from a
    // header's text.
    fn response_headers(&mut self, headers: &[ResponseHeader], path: &str) {
        let mut seen = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            let hpath = join_index(path, i);
            let valid =
                !h.name.is_empty() && h.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                self.r.error(
                    &join_key(&hpath, "name"),
                    format!("header name `{}` must be lowercase letters, digits and `-`", h.name),
                );
            }
            if let Some(first) = seen.insert(h.name.as_str(), i) {
                self.r.error(
                    &join_key(&hpath, "name"),
                    format!("duplicate header `{}` (first at headers[{first}])", h.name),
                );
            }
            let Some(ty) = self.type_ref(&h.ty, &join_key(&hpath, "type")) else { continue };
            let scalar = match &ty {
                TypeExpr::String | TypeExpr::Integer | TypeExpr::Number | TypeExpr::Boolean => true,
                TypeExpr::Named(n) => matches!(self.index.get(n), Some(TypeDef::Enum(_))),
                _ => false,
            };
            if !scalar {
                self.r.error(
                    &join_key(&hpath, "type"),
                    format!("a header holds one value: string, integer, number, boolean or a string enum, not `{ty}`"),
                );
            }
        }
    }
}

/// `type/subtype`, either part `*` (`image/*`), in the characters a media type allows.
fn is_media_range(text: &str) -> bool {
    let token = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+*".contains(c));
    match text.split_once('/') {
        Some((kind, sub)) => token(kind) && token(sub),
        None => false,
    }
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
