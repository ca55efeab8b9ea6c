//! Operations, seen as the client methods they generate.
//!
//! The emitter turns one operation into up to three methods (`op`, `op_stream`,
//! `op_multipart`); comparing those signatures catches every change to request,
//! response and stream types in one place. Method and path are wire details: the
//! signature stays, the crate sends to the new endpoint.

use super::change::{Area, Changes};
use super::display::rust_type;
use crate::ir::{Api, OperationIr, RustType};

/// Compares the operations of two versions, keyed by operation id.
pub fn compare(out: &mut Changes, old_api: &Api, new_api: &Api) {
    let (old, new) = (&old_api.operations, &new_api.operations);
    // An operation that follows the provider's error format is reported once, under the provider.
    let provider_formats = (old_api.provider.error_format, new_api.provider.error_format);
    for o in old {
        match new.iter().find(|n| n.id == o.id) {
            Some(n) => operation(out, o, n, provider_formats),
            None => out.breaking(
                Area::Operations,
                format!("Client::{}", o.fn_name),
                format!("operation `{}` ({} {}) removed", o.id, method(o), o.path),
                format!("calls to {} no longer compile", method_list(&methods(o))),
            ),
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.id == n.id)) {
        out.compatible(
            Area::Operations,
            format!("Client::{}", n.fn_name),
            format!(
                "operation `{}` ({} {}) added: {}",
                n.id,
                method(n),
                n.path,
                methods(n).iter().map(|m| format!("`{}`", m.signature)).collect::<Vec<_>>().join(", ")
            ),
            "a new method; existing code is unaffected",
        );
    }
}

/// One generated client method.
struct Method {
    name: String,
    signature: String,
}

fn method_list(methods: &[Method]) -> String {
    methods.iter().map(|m| format!("`Client::{}`", m.name)).collect::<Vec<_>>().join(", ")
}

fn method(op: &OperationIr) -> String {
    op.method.to_uppercase()
}

/// The methods the client emitter generates for an operation, mirroring its choices.
fn methods(op: &OperationIr) -> Vec<Method> {
    let path_args: Vec<String> =
        op.path_params.iter().map(|p| format!("{}: {}", p.rust_name, path_arg_type(&p.ty))).collect();
    let args = |body: Option<String>| -> String {
        let mut all = path_args.clone();
        all.extend(body);
        all.join(", ")
    };
    let response = op.json_response.as_ref().map_or("serde_json::Value".to_string(), rust_type);
    let mut out = Vec::new();
    let multipart_only = op.json_request.is_none() && op.multipart_request.is_some();
    if !multipart_only && (op.json_response.is_some() || op.sse_response.is_none()) {
        let body = op.json_request.as_ref().map(|r| format!("request: &{r}"));
        out.push(Method {
            name: op.fn_name.clone(),
            signature: format!("{}({}) -> {response}", op.fn_name, args(body)),
        });
    }
    if let Some(events) = &op.sse_response {
        let name = if op.json_response.is_some() { format!("{}_stream", op.fn_name) } else { op.fn_name.clone() };
        // With a stream flag the method sets the flag itself, so it takes the request by value.
        let body = op.json_request.as_ref().map(|r| match op.stream_flag {
            Some(_) => format!("request: {r}"),
            None => format!("request: &{r}"),
        });
        // A multipart-only operation streams its form.
        let body = body.or_else(|| op.multipart_request.as_ref().map(|f| format!("form: &{f}")));
        out.push(Method { signature: format!("{name}({}) -> EventStream<{events}>", args(body)), name });
    }
    let answers_json = op.json_response.is_some() || op.sse_response.is_none();
    if let Some(form) = op.multipart_request.as_ref().filter(|_| !multipart_only || answers_json) {
        let name = if op.json_request.is_some() { format!("{}_multipart", op.fn_name) } else { op.fn_name.clone() };
        out.push(Method { signature: format!("{name}({}) -> {response}", args(Some(format!("form: &{form}")))), name });
    }
    out
}

/// Path arguments as the client emitter declares them.
fn path_arg_type(t: &RustType) -> String {
    match t {
        RustType::Named(n) => format!("&{}", n.rust_name),
        RustType::I64 | RustType::U32 | RustType::U64 => rust_type(t),
        _ => "&str".to_string(),
    }
}

fn operation(out: &mut Changes, old: &OperationIr, new: &OperationIr, provider_formats: (&str, &str)) {
    let subject = format!("Client::{}", new.fn_name);
    let (old_methods, new_methods) = (methods(old), methods(new));
    for om in &old_methods {
        match new_methods.iter().find(|m| m.name == om.name) {
            Some(nm) if nm.signature != om.signature => out.breaking(
                Area::Operations,
                format!("Client::{}", om.name),
                format!("signature `{}` → `{}`", om.signature, nm.signature),
                "calls written for the old request or response types no longer compile",
            ),
            Some(_) => {}
            None => out.breaking(
                Area::Operations,
                format!("Client::{}", om.name),
                format!("method `{}` removed", om.signature),
                "calls to it no longer compile",
            ),
        }
    }
    for nm in new_methods.iter().filter(|m| !old_methods.iter().any(|o| o.name == m.name)) {
        out.compatible(
            Area::Operations,
            format!("Client::{}", nm.name),
            format!("method `{}` added", nm.signature),
            "a new method; existing code is unaffected",
        );
    }
    if old.method != new.method || old.path != new.path {
        out.compatible(
            Area::Operations,
            &subject,
            format!("endpoint {} {} → {} {}", method(old), old.path, method(new), new.path),
            "the method's signature is unchanged; the crate now calls the documented endpoint",
        );
    }
    if old.error_format != new.error_format && (old.error_format, new.error_format) != provider_formats {
        out.breaking(
            Area::Operations,
            &subject,
            format!("error envelope `{}` → `{}`", old.error_format, new.error_format),
            "API errors now carry a different `ErrorEnvelope` variant, so code matching the old one stops seeing it",
        );
    }
    errors(out, &subject, old, new);
    let summary = |op: &OperationIr| match &op.docs {
        Some(d) => format!("{} {d}", op.summary),
        None => op.summary.clone(),
    };
    out.doc(subject, Some(&summary(old)), Some(&summary(new)));
}

/// Documented statuses only feed documentation and the retry policy; none changes a signature.
fn errors(out: &mut Changes, subject: &str, old: &OperationIr, new: &OperationIr) {
    for (status, _, retryable) in &new.errors {
        match old.errors.iter().find(|(s, _, _)| s == status) {
            None => out.compatible(
                Area::Operations,
                subject,
                format!("documents status {status}{}", if *retryable { " (retryable)" } else { "" }),
                "documentation and retry policy only",
            ),
            Some((_, _, was)) if was != retryable => out.compatible(
                Area::Operations,
                subject,
                format!("status {status} is {} retryable", if *retryable { "now" } else { "no longer" }),
                "the retry policy changes; signatures do not",
            ),
            Some(_) => {}
        }
    }
    for (status, _, _) in old.errors.iter().filter(|(s, _, _)| !new.errors.iter().any(|(n, _, _)| n == s)) {
        out.compatible(
            Area::Operations,
            subject,
            format!("no longer documents status {status}"),
            "documentation and retry policy only",
        );
    }
}
