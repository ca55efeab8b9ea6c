//! Async jobs (`operations[].job`): where the status is polled, which field holds it,
//! which values end the job, the pace, and the hosts trusted with the key.

use std::collections::BTreeMap;

use super::Checker;
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

/// Where a job's status is read: a field of one JSON object answer, or the name of the
/// success status a status operation answered with.
enum StatusSource<'a> {
    Object(&'a ObjectDef),
    Answers(&'a str, &'a [StatusResponse]),
}

/// The values a job's status can take, and how to name them in a message.
struct KnownStatuses<'a> {
    what: String,
    values: Vec<&'a str>,
}

impl<'a> Checker<'a> {
    pub(super) fn job(&mut self, op: &'a Operation, job: &'a JobDef, path: &str) {
        let jpath = join_key(path, "job");
        let start = self.job_answer(op, &join_key(&join_key(path, "response"), "json"), "the operation starting a job");
        let by_answer = job.status_field.is_none();
        let status = self.job_poll(&job.poll, start, by_answer, &join_key(&jpath, "poll"));
        let known = match (&status, &job.status_field) {
            (Some(StatusSource::Object(answer)), Some(field)) => {
                self.job_status_field(answer, field, &jpath).map(|e| {
                    e.map(|e| KnownStatuses {
                        what: format!("a value of the status enum `{}`", e.name),
                        values: e.values.iter().map(|v| v.value.as_str()).collect(),
                    })
                })
            }
            (Some(StatusSource::Answers(op_id, statuses)), None) => Some(Some(KnownStatuses {
                what: format!("the name of a success status of `{op_id}`"),
                values: statuses.iter().map(|s| s.name.as_str()).collect(),
            })),
            _ => None,
        };
        if let Some(result_url) = &job.result_url {
            let rpath = join_key(&jpath, "result_url");
            match &status {
                Some(StatusSource::Object(answer)) => self.job_result_url(answer, result_url, &rpath),
                // The download reads a field of one JSON status answer.
                Some(StatusSource::Answers(..)) => self.r.error(
                    &rpath,
                    "`result_url` is a field of the status answer: a job answered by status has none (give `status_field`)",
                ),
                None => {}
            }
        }
        self.job_states(&job.states, known, &join_key(&jpath, "states"));
        self.job_pace(&job.pace, &join_key(&jpath, "pace"));
        self.trusted_hosts(&job.trusted_hosts, &join_key(&jpath, "trusted_hosts"));
        self.trusted_hosts_used(job, &join_key(&jpath, "trusted_hosts"));
    }

    // Trusted hosts only decide who gets the key for a URL a server hands back: a
    // polling URL, or a result URL to download. A job polled through another operation
    // (on the base URL) with no result URL fetches no such URL, so the list would be a
    // promise the client never keeps; a reader would think some host is trusted.
    fn trusted_hosts_used(&mut self, job: &JobDef, path: &str) {
        if let (Some(operation), None, false) = (&job.poll.operation, &job.result_url, job.trusted_hosts.is_empty()) {
            self.r.error_at_key(
                path,
                format!(
                    "`trusted_hosts` has no effect here: the job is polled through `{operation}` on the base URL \
                     and has no `result_url` to download; remove it (or poll by `url_field`)"
                ),
            );
        }
    }

    // The generated method reads the poll target from the start answer and the status
    // from the status answer as fields of a struct: both must be plain JSON objects
    // (not `statuses`, a stream or bytes, whose answer is no one struct).
    fn job_answer(&mut self, op: &Operation, path: &str, role: &str) -> Option<&'a ObjectDef> {
        let resp = &op.response;
        let json =
            resp.json.as_ref().filter(|_| resp.statuses.is_empty() && resp.sse.is_none() && resp.binary.is_none());
        let Some(json) = json else {
            self.r.error(path, format!("{role} needs a JSON object answer (`response.json`), and only that"));
            return None;
        };
        match json.parsed() {
            Ok(TypeExpr::Named(name)) => self.object_ref_quiet(name, path, role),
            Ok(other) => {
                self.r.error(path, format!("{role} needs a JSON object answer, not `{other}`"));
                None
            }
            Err(_) => None,
        }
    }

    /// The object type `name`, reporting anything else unless already reported.
    fn object_ref_quiet(&mut self, name: &str, path: &str, role: &str) -> Option<&'a ObjectDef> {
        match self.index.get(name) {
            Some(TypeDef::Object(o)) => Some(o),
            Some(_) => {
                self.r.error(path, format!("{role} needs a JSON object answer, `{name}` is not an object"));
                None
            }
            // An unknown type is reported where it is named.
            None => None,
        }
    }

    // One way to poll: a URL the start answer returns, or a status operation given the
    // job's id. Both or neither leaves the generated method without one loop to run.
    // Returns the status answer's object type.
    fn job_poll(
        &mut self,
        poll: &'a JobPoll,
        start: Option<&'a ObjectDef>,
        by_answer: bool,
        path: &str,
    ) -> Option<StatusSource<'a>> {
        match (&poll.url_field, &poll.operation) {
            (Some(url_field), None) => {
                if by_answer {
                    // A polling URL is read as one JSON object; only its fields can say where the job stands.
                    self.r.error(
                        path,
                        "a job polled by `url_field` reads its status from a field of the answer: give `status_field`",
                    );
                }
                if poll.id_field.is_some() {
                    self.r
                        .error_at_key(&join_key(path, "id_field"), "`id_field` goes with `operation`, not `url_field`");
                }
                if let Some(start) = start {
                    self.start_field(start, url_field, &join_key(path, "url_field"), "a URL", |t| {
                        matches!(t, TypeExpr::Url | TypeExpr::String)
                    });
                }
                let Some(answer) = &poll.answer else {
                    self.r.error(path, "`url_field` needs `answer`: the object type its URL answers with");
                    return None;
                };
                let apath = join_key(path, "answer");
                if self.is_failed(answer) {
                    return None;
                }
                match self.index.get(answer) {
                    Some(TypeDef::Object(o)) => Some(StatusSource::Object(o)),
                    Some(_) => {
                        self.r.error(&apath, format!("`answer` must be an object type, `{answer}` is not"));
                        None
                    }
                    None => {
                        self.r.error(&apath, format!("unknown type `{answer}`{}", self.suggest(answer)));
                        None
                    }
                }
            }
            (None, Some(operation)) => {
                if poll.answer.is_some() {
                    self.r.error_at_key(
                        &join_key(path, "answer"),
                        "`answer` goes with `url_field`; the status operation's response is the answer",
                    );
                }
                let opath = join_key(path, "operation");
                let Some(id_field) = &poll.id_field else {
                    self.r.error(path, "`operation` needs `id_field`: the start answer's field holding the job's id");
                    return None;
                };
                if let Some(start) = start {
                    self.start_field(start, id_field, &join_key(path, "id_field"), "an id (string or integer)", |t| {
                        matches!(t, TypeExpr::String | TypeExpr::Integer)
                    });
                }
                let Some(status_op) = self.spec.operations.iter().find(|o| &o.id == operation) else {
                    let ids: Vec<&str> = self.spec.operations.iter().map(|o| o.id.as_str()).collect();
                    let hint = crate::diagnostics::suggest::did_you_mean(operation, &ids);
                    self.r.error(&opath, format!("unknown operation `{operation}`{hint}"));
                    return None;
                };
                // The id is the one argument the wait loop has to give the status call:
                // its one path parameter, or the one required query field of its
                // `request.params` (BFL's `GET /v1/get_result?id=`). The wait loop has
                // nothing to fill a body or another required parameter with; optional
                // parameters (Stability's `accept` header) are left unset.
                if let Err(why) = self.status_id_argument(status_op) {
                    self.r.error(
                        &opath,
                        format!(
                            "status operation `{operation}` must take the job's id as its one argument: exactly one \
                             path parameter (a string or integer) and no request body (`request.params` only if \
                             every field is optional), or no path parameter and `request.params` whose one required \
                             field is a string or integer `in: query`; {why}"
                        ),
                    );
                    return None;
                }
                if status_op.job.is_some() {
                    self.r.error(&opath, format!("status operation `{operation}` cannot start a job itself"));
                }
                if by_answer {
                    if status_op.response.statuses.is_empty() {
                        self.r.error(
                            &opath,
                            format!(
                                "without `status_field` the status is the name of the success status that answered: \
                                 status operation `{operation}` needs `response.statuses`"
                            ),
                        );
                        return None;
                    }
                    return Some(StatusSource::Answers(operation, &status_op.response.statuses));
                }
                self.job_answer(status_op, &opath, &format!("status operation `{operation}`")).map(StatusSource::Object)
            }
            (Some(_), Some(_)) => {
                self.r.error(path, "poll by `url_field` or by `operation`, not both");
                None
            }
            (None, None) => {
                self.r.error(path, "say where to poll: `url_field` (with `answer`) or `operation` (with `id_field`)");
                None
            }
        }
    }

    /// Whether `status_op` takes a job id as its one argument, and if not, why.
    fn status_id_argument(&self, status_op: &Operation) -> Result<(), String> {
        let id_type = |t: &TypeRef| t.parsed().is_ok_and(|t| matches!(t, TypeExpr::String | TypeExpr::Integer));
        let request = status_op.request.as_ref();
        match (status_op.path_params.as_slice(), request) {
            ([param], _) if !id_type(&param.ty) => Err(format!("its path parameter `{}` is neither", param.name)),
            ([_], None) => Ok(()),
            ([_], Some(RequestBody { json: None, multipart: None, params: Some(params) })) => {
                if self.all_optional(params) {
                    Ok(())
                } else {
                    Err(format!("`{params}` has a required field beside the path parameter"))
                }
            }
            ([_], Some(_)) => Err("it sends a body beside its path parameter".to_string()),
            ([], Some(RequestBody { json: None, multipart: None, params: Some(params) })) => {
                // An unknown or non-object type is reported where `request.params` names it.
                let Some(TypeDef::Object(o)) = self.index.get(params) else { return Ok(()) };
                let required: Vec<&Field> = o.fields.iter().filter(|f| f.required).collect();
                match required.as_slice() {
                    [f] if f.location == FieldLocation::Query && id_type(&f.ty) => Ok(()),
                    [f] => Err(format!(
                        "the required field `{}` of `{}` is not a string or integer in the query",
                        f.name, o.name
                    )),
                    [] => Err(format!("`{}` has no required field to carry the id", o.name)),
                    many => {
                        Err(format!("`{}` has {} required fields, so the id alone cannot build it", o.name, many.len()))
                    }
                }
            }
            ([], Some(_)) => Err("it sends a body".to_string()),
            ([], None) => Err("it takes no parameter".to_string()),
            (many, _) => Err(format!("it has {} path parameters", many.len())),
        }
    }

    /// `name` must be a top-level field of the start answer whose type `ok` accepts.
    fn start_field(&mut self, start: &ObjectDef, name: &str, path: &str, what: &str, ok: impl Fn(&TypeExpr) -> bool) {
        match start.fields.iter().find(|f| f.name == name) {
            None => {
                let names: Vec<&str> = start.fields.iter().map(|f| f.name.as_str()).collect();
                let hint = crate::diagnostics::suggest::did_you_mean(name, &names);
                self.r.error(path, format!("the start answer `{}` has no field `{name}`{hint}", start.name));
            }
            Some(f) => match f.ty.parsed() {
                Ok(t) if ok(t) => {}
                Ok(t) => self.r.error(path, format!("`{name}` must hold {what}, not `{t}`")),
                Err(_) => {}
            },
        }
    }

    // The status is compared with the listed values as text, so the field must hold
    // one string: a plain string, or a string enum whose values the lists must use.
    fn job_status_field(&mut self, answer: &'a ObjectDef, field: &str, jpath: &str) -> Option<Option<&'a EnumDef>> {
        let path = join_key(jpath, "status_field");
        let Some(f) = answer.fields.iter().find(|f| f.name == field) else {
            let names: Vec<&str> = answer.fields.iter().map(|f| f.name.as_str()).collect();
            let hint = crate::diagnostics::suggest::did_you_mean(field, &names);
            self.r.error(&path, format!("the status answer `{}` has no field `{field}`{hint}", answer.name));
            return None;
        };
        match f.ty.parsed().ok()? {
            TypeExpr::String => Some(None),
            TypeExpr::Named(n) => match self.index.get(n) {
                Some(TypeDef::Enum(e)) => Some(Some(e)),
                _ => {
                    self.r.error(&path, format!("status field `{field}` must be a string or a string enum, not `{n}`"));
                    None
                }
            },
            other => {
                self.r.error(&path, format!("status field `{field}` must be a string or a string enum, not `{other}`"));
                None
            }
        }
    }

    // The download reads one URL from the finished answer: the path must reach a URL
    // (or text) field through objects, never through a list (which item?).
    fn job_result_url(&mut self, answer: &'a ObjectDef, result_url: &str, path: &str) {
        match self.index.resolve_path(answer, result_url) {
            Err(why) => self.r.error(path, format!("result URL `{result_url}`: {why}")),
            Ok(steps) => match steps.last().map(|s| &s.ty) {
                Some(TypeExpr::Url | TypeExpr::String) => {}
                Some(other) => self.r.error(
                    path,
                    format!("result URL `{result_url}` must end at a `url` or `string` field, not `{other}`"),
                ),
                None => {}
            },
        }
    }

    // A job must be able to finish, a value cannot mean two things, and a value the
    // status can never take (not a value of the status enum, not the name of a status
    // answer) would never match.
    fn job_states(&mut self, states: &JobStates, known: Option<Option<KnownStatuses<'_>>>, path: &str) {
        if states.done.is_empty() {
            self.r.error_at_key(
                &join_key(path, "done"),
                "`done` needs at least one status value: the job could never finish",
            );
        }
        let lists = [
            ("pending", &states.pending),
            ("done", &states.done),
            ("failed", &states.failed),
            ("moderated", &states.moderated),
            ("expired", &states.expired),
        ];
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (state, values) in lists {
            for (i, value) in values.iter().enumerate() {
                let vpath = join_index(&join_key(path, state), i);
                if let Some(first) = seen.insert(value.as_str(), state) {
                    self.r.error(&vpath, format!("status `{value}` is already listed under `{first}`"));
                }
                if let Some(Some(known)) = &known {
                    if !known.values.contains(&value.as_str()) {
                        let hint = crate::diagnostics::suggest::did_you_mean(value, &known.values);
                        self.r.error(&vpath, format!("`{value}` is not {}{hint}", known.what));
                    }
                }
            }
        }
    }

    /// Whether every field of the object type `name` is optional (an unknown or
    /// non-object type is reported where it is named).
    fn all_optional(&self, name: &str) -> bool {
        match self.index.get(name) {
            Some(TypeDef::Object(o)) => o.fields.iter().all(|f| !f.required),
            _ => true,
        }
    }

    // A zero interval would poll in a busy loop, a cap below the interval or a factor
    // below 1 would shrink the wait, and a zero deadline would give up before asking.
    fn job_pace(&mut self, pace: &JobPace, path: &str) {
        if pace.interval_ms == 0 {
            self.r.error(&join_key(path, "interval_ms"), "`interval_ms` must be above 0");
        }
        if pace.max_interval_ms < pace.interval_ms {
            self.r.error(
                &join_key(path, "max_interval_ms"),
                format!("`max_interval_ms` ({}) is below `interval_ms` ({})", pace.max_interval_ms, pace.interval_ms),
            );
        }
        if !(pace.backoff.is_finite() && pace.backoff >= 1.0) {
            self.r.error(&join_key(path, "backoff"), format!("`backoff` must be at least 1, not {}", pace.backoff));
        }
        if pace.deadline_s == 0 {
            self.r.error(&join_key(path, "deadline_s"), "`deadline_s` must be above 0");
        }
    }

    // The hosts that may receive the API key: a bare host or `*.host` for its
    // subdomains, as the runtime matches them. A scheme, a port or a path would never
    // match, and `*` or `*.com` would hand the key to anyone.
    fn trusted_hosts(&mut self, hosts: &[String], path: &str) {
        for (i, host) in hosts.iter().enumerate() {
            if let Err(why) = trusted_host_problem(host) {
                self.r.error(&join_index(path, i), format!("trusted host `{host}` {why}"));
            }
        }
    }
}

/// Why `host` is not `host.example` or `*.host.example`.
fn trusted_host_problem(host: &str) -> Result<(), &'static str> {
    if host.contains("://") {
        return Err("must be a host name without a scheme (`api.example.com`)");
    }
    if host.contains(['/', '?', '#', ':', '@']) {
        return Err("must be a host name only: no port, path or query");
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    if name.contains('*') {
        return Err("may only start with `*.` (subdomains of a host); a bare `*` would trust every host");
    }
    if name != name.to_ascii_lowercase() {
        return Err("must be lowercase");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !name.split('.').all(label_ok) {
        return Err("is not a host name (lowercase letters, digits, `-` and `.`)");
    }
    if host.starts_with("*.") && !name.contains('.') {
        return Err("would trust a whole top-level domain; name at least two labels (`*.example.com`)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::trusted_host_problem;

    #[test]
    fn trusted_hosts_are_host_names_or_subdomain_wildcards() {
        for ok in ["api.bfl.ai", "*.bfl.ai", "localhost", "api-eu.example.com"] {
            assert_eq!(trusted_host_problem(ok), Ok(()), "{ok}");
        }
        for bad in [
            "*",
            "*.com",
            "https://api.bfl.ai",
            "api.bfl.ai/v1",
            "api.bfl.ai:443",
            "API.bfl.ai",
            "a.*.ai",
            "",
            "a..b",
            "-a.b",
        ] {
            assert!(trusted_host_problem(bad).is_err(), "{bad}");
        }
    }
}
