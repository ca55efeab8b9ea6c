//! Cross-field rules, compared at spec level. An error rule added to a request type
//! makes `validate()` reject requests that used to pass; a rule removed only lets more
//! through. A warning rule never refuses a request, so adding, editing or removing one
//! is compatible, and so is turning an error into a warning; a warning turned into an
//! error refuses requests that used to be sent.

use super::change::{Area, Changes, Impact};
use super::display::value;
use crate::spec::model::{Condition, Rule, Severity};

/// A rule as the report shows it, with the key that pairs an edited rule with its old self.
struct Described {
    /// Kind and main field: two rules with the same key are versions of one rule.
    key: String,
    /// What the rule says, without its message.
    text: String,
    /// A fixed item limit, so a raised limit can be told from a lowered one.
    fixed_max_items: Option<u64>,
    message: Option<String>,
    severity: Severity,
}

/// Compares the rules of one object present in both versions. `validated` says whether it travels in requests.
pub fn compare(out: &mut Changes, subject: &str, old: &[Rule], new: &[Rule], validated: bool) {
    let old: Vec<Described> = old.iter().map(describe).collect();
    let new: Vec<Described> = new.iter().map(describe).collect();
    let unchanged = |r: &Described, others: &[Described]| others.iter().any(|o| o.text == r.text);
    let (tighter, not_checked) = (
        "`validate()` now rejects requests the previous version accepted",
        "the type only travels in responses, which are not validated",
    );
    let tightened = if validated { Impact::Breaking } else { Impact::Compatible };
    let tightened_reason = if validated { tighter } else { not_checked };
    let only_warns = "a warning rule never refuses a request: the request is sent and the caller warned";
    for o in &old {
        if let Some(n) = new.iter().find(|n| n.text == o.text) {
            out.doc_of(subject, format!("message of the rule: {}", n.text), o.message.as_deref(), n.message.as_deref());
            match (o.severity, n.severity) {
                (Severity::Error, Severity::Warning) => out.compatible(
                    Area::Rules,
                    subject,
                    format!("rule is now a warning: {}", n.text),
                    "requests it refused are now sent, with a warning",
                ),
                (Severity::Warning, Severity::Error) => out.record(
                    tightened,
                    Area::Rules,
                    subject,
                    format!("rule is now an error: {}", n.text),
                    tightened_reason,
                ),
                _ => {}
            }
        }
    }
    let mut paired: Vec<usize> = Vec::new();
    for o in old.iter().filter(|o| !unchanged(o, &new)) {
        let edited = new.iter().enumerate().find(|(i, n)| n.key == o.key && !unchanged(n, &old) && !paired.contains(i));
        match edited {
            Some((i, n)) => {
                paired.push(i);
                let loosened = matches!((o.fixed_max_items, n.fixed_max_items), (Some(a), Some(b)) if b > a);
                let what = format!("rule changed: {} → {}", o.text, n.text);
                if n.severity == Severity::Warning {
                    out.compatible(Area::Rules, subject, what, only_warns);
                } else if loosened && o.severity == Severity::Error {
                    out.compatible(
                        Area::Rules,
                        subject,
                        what,
                        "the limit is higher; every request accepted before is still accepted",
                    );
                } else {
                    out.record(tightened, Area::Rules, subject, what, tightened_reason);
                }
            }
            None => out.compatible(
                Area::Rules,
                subject,
                format!("rule removed: {}", o.text),
                "every request accepted before is still accepted",
            ),
        }
    }
    for (i, n) in new.iter().enumerate() {
        if unchanged(n, &old) || paired.contains(&i) {
            continue;
        }
        match n.severity {
            Severity::Warning => {
                out.compatible(Area::Rules, subject, format!("warning rule added: {}", n.text), only_warns)
            }
            Severity::Error => {
                out.record(tightened, Area::Rules, subject, format!("rule added: {}", n.text), tightened_reason)
            }
        }
    }
}

fn describe(rule: &Rule) -> Described {
    let (key, text, fixed_max_items, message) = match rule {
        Rule::Requires { when, field, equals, message, .. } => (
            format!("requires {field}"),
            match equals {
                Some(v) => format!("`{field}` must be `{}` when {}", value(v), condition(when)),
                None => format!("`{field}` is required when {}", condition(when)),
            },
            None,
            message,
        ),
        Rule::Forbids { when, field, values, message, .. } => (
            format!("forbids {field}"),
            if values.is_empty() {
                format!("`{field}` is not allowed when {}", condition(when))
            } else {
                format!("`{field}` may not be {} when {}", values_list(values), condition(when))
            },
            None,
            message,
        ),
        Rule::OnlyWith { field, with, message, .. } => {
            (format!("only_with {field}"), format!("`{field}` is only allowed when {}", condition(with)), None, message)
        }
        Rule::LimitWhen { field, when, max_items, max_from_model, model_field, message, .. } => {
            let limit = match (max_items, max_from_model) {
                (Some(n), _) => n.to_string(),
                (None, Some(cap)) => {
                    format!("the `{cap}` capability of the model in `{}`", model_field.as_deref().unwrap_or("model"))
                }
                (None, None) => "no limit".to_string(),
            };
            (
                format!("limit_when {field}"),
                format!("`{field}` has at most {limit} items{}", when_suffix(when)),
                *max_items,
                message,
            )
        }
        Rule::AllowedValuesWhen { field, when, values, values_from_model, model_field, message, .. } => {
            let allowed = match values_from_model {
                Some(cap) => {
                    format!("the `{cap}` capability of the model in `{}`", model_field.as_deref().unwrap_or("model"))
                }
                None => values_list(values),
            };
            (
                format!("allowed_values_when {field}"),
                format!("`{field}` must be one of {allowed}{}", when_suffix(when)),
                None,
                message,
            )
        }
        Rule::ExactlyOneOf { fields, message, .. } => (
            format!("exactly_one_of {}", fields.join(",")),
            format!(
                "exactly one of {} must be set",
                fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            ),
            None,
            message,
        ),
    };
    Described { key, text, fixed_max_items, message: message.clone(), severity: rule.severity() }
}

fn when_suffix(when: &Option<Condition>) -> String {
    when.as_ref().map(|c| format!(" when {}", condition(c))).unwrap_or_default()
}

fn condition(c: &Condition) -> String {
    if let Some(family) = &c.family {
        return format!("`{}` is a `{family}` model", c.field);
    }
    if let Some(present) = c.present {
        return format!("`{}` is {}", c.field, if present { "set" } else { "unset" });
    }
    let values: Vec<serde_json::Value> = c.equals.iter().chain(c.one_of.iter()).cloned().collect();
    match values.as_slice() {
        [one] => format!("`{}` is `{}`", c.field, value(one)),
        _ => format!("`{}` is one of {}", c.field, values_list(&values)),
    }
}

fn values_list(values: &[serde_json::Value]) -> String {
    let shown: Vec<String> = values.iter().map(|v| format!("`{}`", value(v))).collect();
    format!("[{}]", shown.join(", "))
}
