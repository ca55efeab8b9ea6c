//! Operations, seen as the client methods they generate.
//!
//! Lowering gives one operation up to three methods (`op`, `op_stream`,
//! `op_multipart`); comparing those signatures catches every change to request,
//! response and stream types in one place. Method and path are wire details: the
//! signature stays, the crate sends to the new endpoint.

use super::change::{Area, Changes};
use super::display::rust_type;
use crate::ir::{AnswerIr, Api, BodyIr, ErrorStatusIr, OperationIr, RustType};

/// Compares the operations of two versions, keyed by operation id.
pub fn compare(out: &mut Changes, old_api: &Api, new_api: &Api) {
    let (old, new) = (&old_api.operations, &new_api.operations);
    // An operation that follows the provider's envelopes is reported once, under the provider.
    let provider_envelopes = (&old_api.provider.default_envelopes, &new_api.provider.default_envelopes);
    for o in old {
        match new.iter().find(|n| n.id == o.id) {
            Some(n) => operation(out, o, n, provider_envelopes),
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

/// The client methods of an operation (lowering decides them), as signatures.
fn methods(op: &OperationIr) -> Vec<Method> {
    let path_args: Vec<String> =
        op.path_params.iter().map(|p| format!("{}: {}", p.rust_name, path_arg_type(&p.ty))).collect();
    op.methods
        .iter()
        .map(|m| {
            let body = match &m.body {
                BodyIr::None => None,
                BodyIr::Json { rust_name, by_value: true } => Some(format!("request: {rust_name}")),
                BodyIr::Json { rust_name, by_value: false } => Some(format!("request: &{rust_name}")),
                BodyIr::Form { rust_name } => Some(format!("form: &{rust_name}")),
                BodyIr::Params { rust_name } => Some(format!("params: &{rust_name}")),
            };
            let args: Vec<String> = path_args.iter().cloned().chain(body).collect();
            let answer = match &m.answer {
                AnswerIr::Json(t) => t.as_ref().map_or("serde_json::Value".to_string(), rust_type),
                AnswerIr::Binary => "BinaryBody".to_string(),
                AnswerIr::ByStatus(name) => name.to_string(),
                AnswerIr::JsonOrBinary(t) => format!("JsonOrBinary<{}>", rust_type(t)),
                AnswerIr::Events(events) => format!("EventStream<{events}>"),
                AnswerIr::EventsOrJson { events, response } => {
                    format!("StreamReply<{events}, {}>", rust_type(response))
                }
            };
            Method { name: m.fn_name.to_string(), signature: format!("{}({}) -> {answer}", m.fn_name, args.join(", ")) }
        })
        .collect()
}

/// Path arguments as the client emitter declares them.
fn path_arg_type(t: &RustType) -> String {
    match t {
        RustType::Named(n) => format!("&{}", n.rust_name),
        RustType::I64 | RustType::U32 | RustType::U64 => rust_type(t),
        _ => "&str".to_string(),
    }
}

fn operation(
    out: &mut Changes,
    old: &OperationIr,
    new: &OperationIr,
    provider_envelopes: (&Vec<String>, &Vec<String>),
) {
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
    if (&old.envelopes, &new.envelopes) != provider_envelopes {
        super::envelopes::list(out, Area::Operations, &subject, &old.envelopes, &new.envelopes);
    }
    errors(out, &subject, old, new);
    binary(out, &subject, old, new);
    status_answers(out, old, new);
    response_headers(out, old, new);
    job(out, &subject, old, new);
    super::limits::request_size(out, &subject, old.max_request_bytes, new.max_request_bytes);
    let summary = |op: &OperationIr| match &op.docs {
        Some(d) => format!("{} {d}", op.summary),
        None => op.summary.clone(),
    };
    out.doc(subject, Some(&summary(old)), Some(&summary(new)));
}

/// The media types of a binary answer are the `Accept` header: a change is what is asked
/// for, not a signature (a change of answer kind shows in the signatures above).
fn binary(out: &mut Changes, subject: &str, old: &OperationIr, new: &OperationIr) {
    if let (Some(o), Some(n)) = (&old.binary_response, &new.binary_response) {
        if o.media_types != n.media_types {
            out.compatible(
                Area::Operations,
                subject,
                format!("binary media types {} → {}", o.media_types.join(", "), n.media_types.join(", ")),
                "the `Accept` header sent changes; the method's signature does not",
            );
        }
    }
}

/// Each documented success status is a variant of the `#[non_exhaustive]`
/// `<Operation>Answer`: a new one is compatible (its answers stop arriving as `Other`), a
/// removed one or one whose body changes type breaks code that matches it.
fn status_answers(out: &mut Changes, old: &OperationIr, new: &OperationIr) {
    let (Some(o), Some(n)) = (&old.status_answers, &new.status_answers) else { return };
    let held = |v: &crate::ir::StatusVariantIr| {
        let json = v.json.as_ref().map(rust_type);
        match (json, v.binary) {
            (Some(t), true) => format!("JsonOrBinary<{t}>"),
            (Some(t), false) => t,
            (None, _) => "BinaryBody".to_string(),
        }
    };
    for ov in &o.variants {
        let subject = format!("{}::{}", n.rust_name, ov.rust_name);
        match n.variants.iter().find(|nv| nv.status == ov.status) {
            None => out.breaking(
                Area::Operations,
                subject,
                format!("status {} no longer documented", ov.status),
                "code matching the variant no longer compiles; the status now arrives as `Other`",
            ),
            Some(nv) if nv.rust_name != ov.rust_name || held(nv) != held(ov) => out.breaking(
                Area::Operations,
                subject,
                format!("status {}: `{}({})` → `{}({})`", ov.status, ov.rust_name, held(ov), nv.rust_name, held(nv)),
                "code matching the old variant no longer compiles",
            ),
            Some(_) => {}
        }
    }
    for nv in n.variants.iter().filter(|nv| !o.variants.iter().any(|ov| ov.status == nv.status)) {
        out.compatible(
            Area::Operations,
            format!("{}::{}", n.rust_name, nv.rust_name),
            format!("status {} documented: `{}({})`", nv.status, nv.rust_name, held(nv)),
            "a new variant of a non-exhaustive enum; those answers arrived as `Other` before",
        );
    }
}

/// Typed response headers are fields of `<Operation>Headers`, a `#[non_exhaustive]` struct
/// read by `Response::typed_headers`: a new one is compatible, a removed or retyped one
/// breaks code that reads it.
fn response_headers(out: &mut Changes, old: &OperationIr, new: &OperationIr) {
    let fields = |op: &OperationIr| op.response_headers.as_ref().map(|h| h.fields.clone()).unwrap_or_default();
    let struct_name = |op: &OperationIr| op.response_headers.as_ref().map(|h| h.rust_name.to_string());
    let (old_fields, new_fields) = (fields(old), fields(new));
    let subject = struct_name(new).or_else(|| struct_name(old)).unwrap_or_default();
    for o in &old_fields {
        match new_fields.iter().find(|n| n.name == o.name) {
            None => out.breaking(
                Area::Operations,
                format!("{subject}::{}", o.rust_name),
                format!("response header `{}` no longer read", o.name),
                "code reading the field no longer compiles",
            ),
            Some(n) if rust_type(&n.ty) != rust_type(&o.ty) => out.breaking(
                Area::Operations,
                format!("{subject}::{}", o.rust_name),
                format!("response header `{}`: `{}` → `{}`", o.name, rust_type(&o.ty), rust_type(&n.ty)),
                "code reading the field expects the old type",
            ),
            Some(_) => {}
        }
    }
    for n in new_fields.iter().filter(|n| !old_fields.iter().any(|o| o.name == n.name)) {
        out.compatible(
            Area::Operations,
            format!("{subject}::{}", n.rust_name),
            format!("response header `{}: {}` read", n.name, rust_type(&n.ty)),
            "a new field of a non-exhaustive struct; existing code is unaffected",
        );
    }
}

/// " (retried)", " (not retried)" or nothing, for a status's verdict.
fn verdict(retryable: Option<bool>) -> &'static str {
    match retryable {
        Some(true) => " (retried)",
        Some(false) => " (not retried)",
        None => "",
    }
}

fn or_default(verdict: &'static str) -> &'static str {
    if verdict.is_empty() {
        " (retried by default rules)"
    } else {
        verdict
    }
}

/// Documented statuses only feed documentation and the retry policy; none changes a signature.
fn errors(out: &mut Changes, subject: &str, old: &OperationIr, new: &OperationIr) {
    for ErrorStatusIr { status, retryable, .. } in &new.errors {
        match old.errors.iter().find(|e| e.status == *status) {
            None => out.compatible(
                Area::Operations,
                subject,
                format!("documents status {status}{}", verdict(*retryable)),
                "documentation and retry policy only",
            ),
            Some(was) if was.retryable != *retryable => out.compatible(
                Area::Operations,
                subject,
                format!("status {status}:{} →{}", or_default(verdict(was.retryable)), or_default(verdict(*retryable))),
                "the retry policy changes; signatures do not",
            ),
            Some(_) => {}
        }
    }
    for status in old.errors.iter().map(|e| e.status).filter(|s| !new.errors.iter().any(|n| n.status == *s)) {
        out.compatible(
            Area::Operations,
            subject,
            format!("no longer documents status {status}"),
            "documentation and retry policy only",
        );
    }
}

/// An async job: adding or removing one shows as the `_and_wait` method in the
/// signatures above; here, what changes how an existing `_and_wait` behaves. A status
/// that now means another state turns results into errors (or back): breaking. A pace,
/// a poll target or a new status value changes no signature: compatible. Reading the
/// status elsewhere (a field, or the success status that answered) changes what the
/// status values mean: breaking. A trusted host is reported either way, since it
/// decides who receives the API key.
fn job(out: &mut Changes, subject: &str, old: &OperationIr, new: &OperationIr) {
    use crate::ir::{JobIr, JobPollIr, JobStatusIr};
    let (Some(o), Some(n)) = (&old.job, &new.job) else { return };
    let states = |j: &JobIr| -> Vec<(String, &'static str)> {
        let s = &j.states;
        [
            ("pending", &s.pending),
            ("done", &s.done),
            ("failed", &s.failed),
            ("moderated", &s.moderated),
            ("expired", &s.expired),
        ]
        .into_iter()
        .flat_map(|(state, values)| values.iter().map(move |v| (v.clone(), state)))
        .collect()
    };
    let (old_states, new_states) = (states(o), states(n));
    let state_of = |list: &[(String, &'static str)], value: &str| {
        list.iter().find(|(v, _)| v == value).map_or("pending", |(_, s)| *s)
    };
    let mut values: Vec<&String> = old_states.iter().chain(&new_states).map(|(v, _)| v).collect();
    values.sort();
    values.dedup();
    for value in values {
        let (was, is) = (state_of(&old_states, value), state_of(&new_states, value));
        if was != is {
            out.breaking(
                Area::Operations,
                subject,
                format!("job status `{value}`: {was} → {is}"),
                "an `_and_wait` call that saw this status now ends (or keeps polling) differently",
            );
        }
    }
    let source = |j: &JobIr| match &j.status {
        JobStatusIr::Field(field) => format!("field `{}`", field.wire),
        JobStatusIr::Answer(_) => "the success status that answered".to_string(),
    };
    if source(o) != source(n) {
        out.breaking(
            Area::Operations,
            subject,
            format!("job status read from {} → {}", source(o), source(n)),
            "the status values `_and_wait` matches mean something else",
        );
    }
    let pace = |j: &JobIr| {
        let p = &j.pace;
        format!("{} ms ×{} up to {} ms, {} s", p.interval_ms, p.backoff, p.max_interval_ms, p.deadline_s)
    };
    if pace(o) != pace(n) {
        out.compatible(
            Area::Operations,
            subject,
            format!("job pace {} → {}", pace(o), pace(n)),
            "the documented `_POLL_POLICY` changes; signatures do not",
        );
    }
    let target = |j: &JobIr| match &j.poll {
        JobPollIr::Url { field, .. } => format!("the URL in `{}`", field.wire),
        JobPollIr::Operation { field, operation, id_arg, .. } => {
            let given = match id_arg {
                crate::ir::JobIdArgIr::Path { .. } => "in the path".to_string(),
                crate::ir::JobIdArgIr::Query { wire, .. } => format!("as query `{wire}`"),
            };
            format!("`{operation}` with the id in `{}` ({given})", field.wire)
        }
    };
    if target(o) != target(n) {
        out.compatible(
            Area::Operations,
            subject,
            format!("job polled at {} → {}", target(o), target(n)),
            "`_and_wait` polls elsewhere; its signature is unchanged",
        );
    }
    match (o.result.download(), n.result.download()) {
        (None, Some(r)) => out.compatible(
            Area::Operations,
            format!("Client::{}", r.method),
            format!("method `{}` added (downloads `{}`)", r.method, r.wire),
            "a new method; nothing existing changes",
        ),
        (Some(r), None) => out.breaking(
            Area::Operations,
            format!("Client::{}", r.method),
            format!("method `{}` removed", r.method),
            "code calling it no longer compiles",
        ),
        (Some(a), Some(b)) if a.wire != b.wire => out.compatible(
            Area::Operations,
            format!("Client::{}", b.method),
            format!("job result URL `{}` → `{}`", a.wire, b.wire),
            "the download reads another field of the finished answer; its signature is unchanged",
        ),
        _ => {}
    }
    for host in n.trusted_hosts.iter().filter(|h| !o.trusted_hosts.contains(h)) {
        out.compatible(
            Area::Operations,
            subject,
            format!("job host `{host}` trusted"),
            "polling URLs on this host now receive the API key",
        );
    }
    for host in o.trusted_hosts.iter().filter(|h| !n.trusted_hosts.contains(h)) {
        out.compatible(
            Area::Operations,
            subject,
            format!("job host `{host}` no longer trusted"),
            "polling URLs on this host no longer receive the API key",
        );
    }
}
