//! Error envelopes and the lists that name them. Nothing here changes a signature:
//! what changes is what an `ApiError` carries at run time (its envelope, code, status)
//! and which errors are retried.

use super::change::{Area, Changes};
use crate::ir::{EnvelopeIr, FieldPathIr, RetryRuleIr};

/// Compares the declared envelopes and the provider's list of them.
pub fn compare(out: &mut Changes, old: &[EnvelopeIr], new: &[EnvelopeIr]) {
    for o in old {
        match new.iter().find(|n| n.name == o.name) {
            None => out.breaking(
                Area::Errors,
                envelope_subject(&o.name),
                format!("envelope `{}` removed", o.name),
                "error bodies of that shape are no longer read: their code and message are gone from `ApiError`",
            ),
            Some(n) => envelope(out, o, n),
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.name == n.name)) {
        out.compatible(
            Area::Errors,
            envelope_subject(&n.name),
            format!("envelope `{}` declared", n.name),
            "a new error shape; nothing reads it until a provider or operation lists it",
        );
    }
}

/// Compares a list of envelope names (the provider's, or an operation's own).
pub fn list(out: &mut Changes, area: Area, subject: &str, old: &[String], new: &[String]) {
    if old == new {
        return;
    }
    let show = |list: &[String]| {
        if list.is_empty() {
            "none".to_string()
        } else {
            list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        }
    };
    let description = format!("error envelopes {} → {}", show(old), show(new));
    let dropped = old.iter().any(|o| !new.contains(o));
    let kept: Vec<&String> = old.iter().filter(|o| new.contains(o)).collect();
    let kept_new: Vec<&String> = new.iter().filter(|n| old.contains(n)).collect();
    if dropped {
        out.breaking(area, subject, description, "errors in a shape no longer listed lose their code and message");
    } else if kept != kept_new {
        out.breaking(area, subject, description, "a body two envelopes recognise is now read through another one");
    } else {
        out.compatible(area, subject, description, "errors in the added shapes are now read; the others as before");
    }
}

fn envelope_subject(name: &str) -> String {
    format!("envelopes::{}", crate::ir::naming::shouty(name))
}

fn envelope(out: &mut Changes, old: &EnvelopeIr, new: &EnvelopeIr) {
    let subject = envelope_subject(&new.name);
    let paths = |list: &[FieldPathIr]| list.iter().map(|p| p.text.clone()).collect::<Vec<_>>();
    // What code matches on: the code, type, status and parameter an error carries. Paths
    // only added after the old ones are fallbacks: a body that gave a value still does.
    let matched = [
        ("code", &old.code, &new.code),
        ("error_type", &old.error_type, &new.error_type),
        ("status", &old.status, &new.status),
        ("param", &old.param, &new.param),
    ];
    for (part, o, n) in matched {
        let (o, n) = (paths(o), paths(n));
        if o == n {
            continue;
        }
        let description = format!("`{part}` read from {} → {}", shown(&o), shown(&n));
        if n.starts_with(&o) && !o.is_empty() {
            out.compatible(
                Area::Errors,
                &subject,
                description,
                "fallbacks added after the old paths: a body that gave a value still gives the same one",
            );
        } else {
            out.breaking(
                Area::Errors,
                &subject,
                description,
                "errors of this envelope carry a different value there; code matching the old one stops seeing it",
            );
        }
    }
    if paths(&old.retryable) != paths(&new.retryable) {
        out.compatible(
            Area::Errors,
            &subject,
            format!(
                "the body's retry verdict read from {} → {}",
                shown(&paths(&old.retryable)),
                shown(&paths(&new.retryable))
            ),
            "the retry policy only",
        );
    }
    if old.when != new.when {
        out.breaking(
            Area::Errors,
            &subject,
            "how the envelope is recognised changed",
            "some bodies are now read through another envelope, or not at all",
        );
    }
    if old.body != new.body {
        out.breaking(
            Area::Errors,
            &subject,
            format!("body type `{}` → `{}`", old.body.as_str(), new.body.as_str()),
            "code reading the body with `ApiError::body_json::<T>()` names the old type",
        );
    }
    if paths(&old.message) != paths(&new.message) {
        out.compatible(
            Area::Errors,
            &subject,
            format!("`message` read from {} → {}", shown(&paths(&old.message)), shown(&paths(&new.message))),
            "only the human-readable text changes",
        );
    }
    if old.retry_delay != new.retry_delay {
        out.compatible(Area::Errors, &subject, "where the body's retry delay is read changed", "the retry policy only");
    }
    for rule in old.retry.iter().filter(|r| !new.retry.contains(r)) {
        out.compatible(
            Area::Errors,
            &subject,
            format!("retry rule removed: {}", rule_text(rule)),
            "the retry policy only",
        );
    }
    for rule in new.retry.iter().filter(|r| !old.retry.contains(r)) {
        out.compatible(
            Area::Errors,
            &subject,
            format!("retry rule added: {}", rule_text(rule)),
            "the retry policy only",
        );
    }
    out.doc(format!("envelope `{}` description", new.name), old.docs.as_deref(), new.docs.as_deref());
}

fn shown(paths: &[String]) -> String {
    if paths.is_empty() {
        "nowhere".to_string()
    } else {
        paths.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
    }
}

fn rule_text(rule: &RetryRuleIr) -> String {
    let mut when = Vec::new();
    if let Some(status) = rule.status {
        when.push(format!("status {status}"));
    }
    if let Some(code) = &rule.code {
        when.push(format!("code `{code}`"));
    }
    if let Some(text) = &rule.message_contains {
        when.push(format!("message containing \"{text}\""));
    }
    format!("{} {}", when.join(", "), if rule.retry { "retried" } else { "not retried" })
}
