//! Cross-field rules, compared at spec level. An error rule added to a request type
//! makes `validate()` reject requests that used to pass; a rule removed only lets more
//! through. A warning rule never refuses a request, so adding, editing or removing one
//! is compatible, and so is turning an error into a warning; a warning turned into an
//! error refuses requests that used to be sent.

use super::change::{Area, Changes, Impact};
use super::display::value;
use crate::ir::{Measure, RuleCheck, RuleIr};
use crate::spec::model::{Condition, Rule, Severity};

/// A rule as the report shows it, with the key that pairs an edited rule with its old self.
struct Described {
    /// Kind and main field: two rules with the same key are versions of one rule.
    key: String,
    /// What the rule says, without its message.
    text: String,
    /// A fixed limit (its key and number), so a loosened limit can be told from a tightened one.
    fixed: Option<(&'static str, f64)>,
    message: Option<String>,
    severity: Severity,
}

/// Compares the rules of one object present in both versions, each with its lowered
/// rules (in the same order, for what only lowering decides). `validated` says whether
/// it travels in requests.
pub fn compare(out: &mut Changes, subject: &str, old: Lowered<'_>, new: Lowered<'_>, validated: bool) {
    let old = described(old);
    let new = described(new);
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
                let loosened = loosened(o.fixed, n.fixed);
                let what = format!("rule changed: {} → {}", o.text, n.text);
                if n.severity == Severity::Warning {
                    out.compatible(Area::Rules, subject, what, only_warns);
                } else if loosened && o.severity == Severity::Error {
                    let how = match n.fixed {
                        Some(("max_items" | "max_length" | "max", _)) => "higher",
                        Some(("min_items" | "min_length" | "min", _)) => "lower",
                        _ => "a divisor of the old step",
                    };
                    out.compatible(
                        Area::Rules,
                        subject,
                        what,
                        format!("the limit is {how}; every request accepted before is still accepted"),
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

/// An object's rules and their lowering, in spec order.
pub type Lowered<'a> = (&'a [Rule], &'a [RuleIr]);

fn described((rules, lowered): Lowered<'_>) -> Vec<Described> {
    rules.iter().enumerate().map(|(i, r)| describe(r, measure(lowered.get(i)))).collect()
}

/// What a lowered `limit_when` measures.
fn measure(rule: Option<&RuleIr>) -> Option<Measure> {
    match rule.map(|r| &r.check) {
        Some(RuleCheck::LimitItems { .. }) => Some(Measure::Items),
        Some(RuleCheck::Limit { measure, .. }) => Some(*measure),
        _ => None,
    }
}

fn describe(rule: &Rule, measure: Option<Measure>) -> Described {
    let (key, text, fixed, message) = match rule {
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
        Rule::LimitWhen {
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
            message,
            severity: _,
        } => {
            let from_model = |cap: &String| {
                format!("the `{cap}` capability of the model in `{}`", model_field.as_deref().unwrap_or("model"))
            };
            let count = |n: &u64| n.to_string();
            let number =
                |n: &f64| if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", *n as i64) } else { n.to_string() };
            // What a limit from the model measures follows from the field's type, which the
            // lowered rule knows; the text of the fixed ones says it by their key.
            let unit = match measure {
                Some(Measure::Items) | None => " items",
                Some(Measure::Length) => " characters",
                Some(Measure::Value) => "",
            };
            let limit = [
                max_items.as_ref().map(|n| format!("at most {} items", count(n))),
                min_items.as_ref().map(|n| format!("at least {} items", count(n))),
                max_length.as_ref().map(|n| format!("at most {} characters", count(n))),
                min_length.as_ref().map(|n| format!("at least {} characters", count(n))),
                max.as_ref().map(|n| format!("at most {}", number(n))),
                min.as_ref().map(|n| format!("at least {}", number(n))),
                multiple_of.as_ref().map(|n| format!("a multiple of {}", number(n))),
                max_from_model.as_ref().map(|cap| format!("at most {}{unit}", from_model(cap))),
                min_from_model.as_ref().map(|cap| format!("at least {}{unit}", from_model(cap))),
                multiple_of_from_model.as_ref().map(|cap| format!("a multiple of {}", from_model(cap))),
            ]
            .into_iter()
            .flatten()
            .next()
            .unwrap_or_else(|| "no limit".to_string());
            let of_value = [max.is_some(), min.is_some(), multiple_of.is_some(), multiple_of_from_model.is_some()];
            let verb = if of_value.contains(&true) || measure == Some(Measure::Value) { "is" } else { "has" };
            let fixed = [
                ("max_items", max_items.map(|n| n as f64)),
                ("min_items", min_items.map(|n| n as f64)),
                ("max_length", max_length.map(|n| n as f64)),
                ("min_length", min_length.map(|n| n as f64)),
                ("max", *max),
                ("min", *min),
                ("multiple_of", *multiple_of),
            ]
            .into_iter()
            .find_map(|(key, n)| Some((key, n?)));
            (format!("limit_when {field}"), format!("`{field}` {verb} {limit}{}", when_suffix(when)), fixed, message)
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
        Rule::ProductLimit { fields, when, max, min, message, .. } => {
            let number =
                |n: &f64| if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", *n as i64) } else { n.to_string() };
            let product = fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(" × ");
            let bounds = match (min, max) {
                (Some(min), Some(max)) => format!("between {} and {}", number(min), number(max)),
                (None, Some(max)) => format!("at most {}", number(max)),
                (Some(min), None) => format!("at least {}", number(min)),
                (None, None) => "unbounded".to_string(),
            };
            // One bound moved can be told loosened or tightened; two bounds are compared as one text.
            let fixed = match (min, max) {
                (None, Some(max)) => Some(("max", *max)),
                (Some(min), None) => Some(("min", *min)),
                _ => None,
            };
            (
                format!("product_limit {}", fields.join(",")),
                format!("{product} is {bounds}{}", when_suffix(when)),
                fixed,
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
    Described { key, text, fixed, message: message.clone(), severity: rule.severity() }
}

/// Whether a fixed limit moved so that every value it accepted is still accepted: a
/// maximum raised, a minimum lowered, a step that divides the old one.
fn loosened(old: Option<(&str, f64)>, new: Option<(&str, f64)>) -> bool {
    let (Some((old_key, a)), Some((new_key, b))) = (old, new) else {
        return false;
    };
    if old_key != new_key {
        return false;
    }
    match old_key {
        "max_items" | "max_length" | "max" => b > a,
        "min_items" | "min_length" | "min" => b < a,
        _ => b > 0.0 && (a / b - (a / b).round()).abs() < 1e-9,
    }
}

fn when_suffix(when: &Option<Condition>) -> String {
    when.as_ref().map(|c| format!(" when {}", condition(c))).unwrap_or_default()
}

pub(super) fn condition(c: &Condition) -> String {
    let joined = |list: &[Condition], word: &str| {
        let parts: Vec<String> = list.iter().map(|c| format!("({})", condition(c))).collect();
        parts.join(word)
    };
    if !c.any_of.is_empty() {
        return joined(&c.any_of, " or ");
    }
    if !c.all_of.is_empty() {
        return joined(&c.all_of, " and ");
    }
    if let Some(inner) = &c.not {
        return format!("not ({})", condition(inner));
    }
    let field = c.field.as_deref().unwrap_or_default();
    if let Some(family) = &c.family {
        return format!("`{field}` is a `{family}` model");
    }
    if let Some(present) = c.present {
        return format!("`{field}` is {}", if present { "set" } else { "unset" });
    }
    let values: Vec<serde_json::Value> = c.equals.iter().chain(c.one_of.iter()).cloned().collect();
    match values.as_slice() {
        [one] => format!("`{field}` is `{}`", value(one)),
        _ => format!("`{field}` is one of {}", values_list(&values)),
    }
}

fn values_list(values: &[serde_json::Value]) -> String {
    let shown: Vec<String> = values.iter().map(|v| format!("`{}`", value(v))).collect();
    format!("[{}]", shown.join(", "))
}
