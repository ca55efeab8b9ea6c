//! Request validation: every violation, each with its path, the rule and the limit,
//! and every warning beside them.
//!
//! Generated `validate()` functions walk a request once and report into a
//! [`Validator`], which tracks the JSON path (`referenceImages[3].fileData.fileUri`)
//! so that each constraint check stays a one-liner in emitted code.
//!
//! A violation is what the docs say the server rejects: the request is not sent.
//! A [`Warning`] is what the docs say the server ignores ("effective only when",
//! a parameter of another model family): the request is sent, and the caller is told.

use std::fmt;

mod image_geometry;

pub use image_geometry::{ImageLimit, ImageLimits};

/// One broken constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON path of the offending value, in wire names.
    pub path: String,
    /// The rule that was broken, with its limit.
    pub rule: Constraint,
    /// A sentence a user can act on.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A parameter the server will ignore, as the docs say; the request is still sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// JSON path of the ignored value, in wire names.
    pub path: String,
    /// The rule the value does not meet, as it would read for a violation.
    pub rule: Constraint,
    /// Why the value has no effect, from the docs.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// The warnings of a valid request, in the order the request was walked; often empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Warnings {
    warnings: Vec<Warning>,
}

impl Warnings {
    /// Whether the request has no warning.
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty()
    }

    /// How many warnings there are.
    pub fn len(&self) -> usize {
        self.warnings.len()
    }

    /// The warnings, in the order the request was walked.
    pub fn iter(&self) -> std::slice::Iter<'_, Warning> {
        self.warnings.iter()
    }

    /// The warnings as a slice.
    pub fn as_slice(&self) -> &[Warning] {
        &self.warnings
    }
}

impl From<Vec<Warning>> for Warnings {
    fn from(warnings: Vec<Warning>) -> Self {
        Self { warnings }
    }
}

impl IntoIterator for Warnings {
    type Item = Warning;
    type IntoIter = std::vec::IntoIter<Warning>;

    fn into_iter(self) -> Self::IntoIter {
        self.warnings.into_iter()
    }
}

impl<'a> IntoIterator for &'a Warnings {
    type Item = &'a Warning;
    type IntoIter = std::slice::Iter<'a, Warning>;

    fn into_iter(self) -> Self::IntoIter {
        self.warnings.iter()
    }
}

/// The constraint kinds, one variant per kind, carrying the limit that applied.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Constraint {
    /// A required value is missing or empty.
    Required,
    /// A number outside its inclusive range.
    Range {
        /// Lower bound, if any.
        min: Option<f64>,
        /// Upper bound, if any.
        max: Option<f64>,
        /// The value received.
        actual: f64,
    },
    /// An array with too few or too many items.
    ItemCount {
        /// Lower bound, if any.
        min: Option<u64>,
        /// Upper bound, if any.
        max: Option<u64>,
        /// Items received.
        actual: u64,
    },
    /// A string too short or too long (in characters).
    Length {
        /// Lower bound, if any.
        min: Option<u64>,
        /// Upper bound, if any.
        max: Option<u64>,
        /// Characters received.
        actual: u64,
    },
    /// A value outside the allowed set.
    AllowedValues {
        /// The allowed values.
        allowed: Vec<String>,
        /// The value received.
        actual: String,
    },
    /// A value the request's other fields forbid.
    ForbiddenValue {
        /// The value received.
        actual: String,
    },
    /// A URL that does not parse or uses a scheme not allowed.
    UrlScheme {
        /// Allowed schemes.
        allowed: Vec<String>,
    },
    /// A string that is not a `data:<mime>;base64,` URL or plain base64.
    Encoding {
        /// What was expected.
        expected: &'static str,
    },
    /// A field that must be present because of another field.
    RequiredBy {
        /// The condition that requires it.
        condition: String,
    },
    /// A field that must be absent because of another field.
    ForbiddenBy {
        /// The condition that forbids it.
        condition: String,
    },
    /// Not exactly one of several fields is present.
    ExactlyOneOf {
        /// The fields, of which exactly one must be set.
        fields: Vec<String>,
    },
    /// A request given as JSON names a field its type does not know (often a typo).
    UnknownField {
        /// The known field the key most likely meant.
        suggestion: Option<String>,
    },
    /// An extra field names a field the type already has.
    ExtraFieldCollision,
    /// A number that is not a whole multiple of another (BFL's sizes: multiples of 16).
    MultipleOf {
        /// What the value must be a multiple of.
        of: f64,
        /// The value received.
        actual: f64,
    },
    /// A string that does not match the pattern the docs state.
    Pattern {
        /// The regular expression, as the spec states it.
        pattern: String,
    },
    /// A `W:H` aspect ratio outside the documented range (or not `W:H` at all).
    AspectRatio {
        /// The narrowest ratio allowed, as the docs write it (`9:21`).
        min: String,
        /// The widest ratio allowed (`21:9`).
        max: String,
        /// The value received.
        actual: String,
    },
    /// The product of several numbers (width × height) outside its bounds.
    Product {
        /// The fields multiplied, in wire names.
        fields: Vec<String>,
        /// Lower bound, if any.
        min: Option<f64>,
        /// Upper bound, if any.
        max: Option<f64>,
        /// The product of the values received.
        actual: f64,
    },
    /// An uploaded image whose width and height break a documented limit.
    ImageGeometry {
        /// The image's width in pixels, read from its header.
        width: u64,
        /// Its height in pixels.
        height: u64,
        /// The limit broken.
        limit: ImageLimit,
    },
    /// An uploaded image whose width and height could not be read, so its limits were not
    /// checked: a warning only, the server decides.
    ImageUnmeasured {
        /// Why the size could not be read.
        reason: String,
    },
    /// A request body larger than the server takes (Stability's "413: Your request was
    /// larger than 10MiB"), measured on the body built to be sent.
    RequestSize {
        /// The most bytes the server takes.
        max: u64,
        /// The body's size in bytes.
        actual: u64,
    },
    /// A field that applies to some model families only, sent with a model of another.
    ModelFamily {
        /// The families the field applies to.
        families: Vec<String>,
        /// The selected model.
        model: String,
    },
}

/// Every violation found in a request. Never empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    violations: Vec<Violation>,
    warnings: Warnings,
}

impl ValidationError {
    /// The violations, in the order the request was walked.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The warnings the same request raised, which a fixed request may still raise.
    pub fn warnings(&self) -> &Warnings {
        &self.warnings
    }

    /// An error with exactly one violation.
    pub fn single(violation: Violation) -> Self {
        Self { violations: vec![violation], warnings: Warnings::default() }
    }

    /// Builds an error from violations; `None` when there are none.
    pub fn from_violations(violations: Vec<Violation>) -> Option<Self> {
        (!violations.is_empty()).then_some(Self { violations, warnings: Warnings::default() })
    }
}

/// The outcome of two checks of one request, as if one had made both: every violation
/// (the first's, then the second's) and every warning.
pub(crate) fn combine(
    first: Result<Warnings, ValidationError>,
    then: Result<Warnings, ValidationError>,
) -> Result<Warnings, ValidationError> {
    let joined = joined(first, then);
    match joined.violations.is_empty() {
        true => Ok(joined.warnings),
        false => Err(joined),
    }
}

impl ValidationError {
    /// `self` found after `first` checked the same request: `first`'s violations, then these.
    pub(crate) fn after(self, first: Result<Warnings, ValidationError>) -> ValidationError {
        joined(first, Err(self))
    }
}

/// Every violation and warning of two outcomes, the first's before the second's.
fn joined(first: Result<Warnings, ValidationError>, then: Result<Warnings, ValidationError>) -> ValidationError {
    let parts = |outcome: Result<Warnings, ValidationError>| match outcome {
        Ok(warnings) => (Vec::new(), warnings.warnings),
        Err(error) => (error.violations, error.warnings.warnings),
    };
    let (mut violations, mut warnings) = parts(first);
    let (more_violations, more_warnings) = parts(then);
    violations.extend(more_violations);
    warnings.extend(more_warnings);
    ValidationError { violations, warnings: Warnings::from(warnings) }
}

/// The violation of a request body of `actual` bytes sent where the server takes at most
/// `max`.
pub(crate) fn request_size(actual: u64, max: u64) -> Violation {
    let unit = match binary_unit(max) {
        Some(unit) => format!(" ({unit})"),
        None => String::new(),
    };
    Violation {
        path: String::new(),
        rule: Constraint::RequestSize { max, actual },
        message: format!(
            "the request body is {} bytes; the server takes at most {}{unit}",
            image_geometry::grouped(actual),
            image_geometry::grouped(max)
        ),
    }
}

/// `10 MiB` for a whole number of MiB (or KiB, or GiB), as docs state such limits.
fn binary_unit(bytes: u64) -> Option<String> {
    [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        .into_iter()
        .find(|(size, _)| bytes >= *size && bytes.is_multiple_of(*size))
        .map(|(size, unit)| format!("{} {unit}", bytes / size))
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        write!(f, "invalid request ({n} violation{}):", if n == 1 { "" } else { "s" })?;
        for v in &self.violations {
            write!(f, "\n  - {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Types that can check themselves before being sent.
pub trait Validate {
    /// Reports every violation into `v`, with paths relative to `v`'s current position.
    fn validate_into(&self, v: &mut Validator);

    /// Checks the whole value: `Err` lists every violation; `Ok` holds the warnings,
    /// parameters the server will ignore, for the caller to show before sending.
    fn validate(&self) -> Result<Warnings, ValidationError> {
        let mut v = Validator::new();
        self.validate_into(&mut v);
        v.finish()
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, v: &mut Validator) {
        for (i, item) in self.iter().enumerate() {
            v.at_index(i, |v| item.validate_into(v));
        }
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, v: &mut Validator) {
        if let Some(inner) = self {
            inner.validate_into(v);
        }
    }
}

impl<T: Validate> Validate for std::collections::BTreeMap<String, T> {
    fn validate_into(&self, v: &mut Validator) {
        for (key, item) in self {
            v.at_field(key, |v| item.validate_into(v));
        }
    }
}

impl<T: Validate> Validate for super::OneOrMany<T> {
    fn validate_into(&self, v: &mut Validator) {
        match self {
            super::OneOrMany::One(item) => item.validate_into(v),
            super::OneOrMany::Many(items) => items.validate_into(v),
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate_into(&self, v: &mut Validator) {
        (**self).validate_into(v)
    }
}

/// Collects violations and warnings while tracking the current JSON path.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Validator {
    path: String,
    violations: Vec<Violation>,
    warnings: Vec<Warning>,
    /// Inside [`Self::as_warnings`]: reports are warnings, not violations.
    warning_only: bool,
}

impl Validator {
    /// An empty validator at the root.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Ok` with the warnings when no violation was reported.
    pub fn finish(self) -> Result<Warnings, ValidationError> {
        let warnings = Warnings::from(self.warnings);
        if self.violations.is_empty() {
            Ok(warnings)
        } else {
            Err(ValidationError { violations: self.violations, warnings })
        }
    }

    /// The violations so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The warnings so far.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Runs `f` with every report recorded as a warning: the checks of a rule the docs
    /// phrase as "ignored" or "effective only when" tell the caller, and never refuse.
    pub fn as_warnings(&mut self, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.warning_only, true);
        f(self);
        self.warning_only = outer;
    }

    /// Runs `f` with the path extended by `.name` (an empty name leaves the path as is).
    pub fn at_field(&mut self, name: &str, f: impl FnOnce(&mut Self)) {
        if name.is_empty() {
            return f(self);
        }
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
        f(self);
        self.path.truncate(len);
    }

    /// Runs `f` with the path extended by `[index]`.
    pub fn at_index(&mut self, index: usize, f: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        self.path.push('[');
        self.path.push_str(&index.to_string());
        self.path.push(']');
        f(self);
        self.path.truncate(len);
    }

    /// Reports a violation at `field` below the current path (empty `field`: the current path).
    pub fn report(&mut self, field: &str, rule: Constraint, message: impl Into<String>) {
        let path = self.path_to(field);
        let message = message.into();
        if self.warning_only {
            self.warnings.push(Warning { path, rule, message });
        } else {
            self.violations.push(Violation { path, rule, message });
        }
    }

    /// Reports a warning at `field` below the current path, whatever the rule's strength:
    /// for what the client could not check and leaves to the server.
    pub fn warn(&mut self, field: &str, rule: Constraint, message: impl Into<String>) {
        let path = self.path_to(field);
        self.warnings.push(Warning { path, rule, message: message.into() });
    }

    /// The current path extended by `.field` (an empty `field`: the current path).
    fn path_to(&self, field: &str) -> String {
        let mut path = self.path.clone();
        if !field.is_empty() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(field);
        }
        path
    }

    /// A required field is missing.
    pub fn required(&mut self, field: &str) {
        self.report(field, Constraint::Required, "required field is missing");
    }

    /// A field the request's other fields make required is missing; `why` is the
    /// rule's message.
    pub fn required_by(&mut self, field: &str, why: &str) {
        self.report(field, Constraint::RequiredBy { condition: why.to_string() }, why);
    }

    /// A field the request's other fields forbid is set; `why` is the rule's message.
    pub fn forbidden_by(&mut self, field: &str, why: &str) {
        self.report(field, Constraint::ForbiddenBy { condition: why.to_string() }, why);
    }

    /// A field holds a value the request's other fields forbid; `why` is the rule's message.
    pub fn forbidden_value(&mut self, field: &str, actual: impl fmt::Display, why: &str) {
        self.report(field, Constraint::ForbiddenValue { actual: actual.to_string() }, why);
    }

    /// A field holds another value than the one a rule requires; `why` is the rule's message.
    pub fn must_equal(&mut self, field: &str, actual: impl fmt::Display, expected: &str, why: &str) {
        let rule = Constraint::AllowedValues { allowed: vec![expected.to_string()], actual: actual.to_string() };
        self.report(field, rule, why);
    }

    /// Not exactly one of `fields` is set (`present` says which are).
    pub fn exactly_one_of(&mut self, fields: &[&str], present: &[bool], why: &str) {
        if present.iter().filter(|set| **set).count() != 1 {
            let rule = Constraint::ExactlyOneOf { fields: fields.iter().map(|f| f.to_string()).collect() };
            self.report("", rule, why);
        }
    }

    /// The selected model requires `field` to be `expected`, and it is `actual` (or absent).
    pub fn model_requires(&mut self, field: &str, model: &str, expected: &str, actual: Option<impl fmt::Display>) {
        let why = format!("model `{model}` requires `{field}` to be `{expected}`");
        match actual {
            Some(actual) => self.must_equal(field, actual, expected, &why),
            None => self.required_by(field, &why),
        }
    }

    /// The selected model does not accept `actual` in `field`.
    pub fn model_rejects(&mut self, field: &str, model: &str, actual: impl fmt::Display) {
        let why = format!("model `{model}` does not accept `{field}` = `{actual}`");
        self.forbidden_value(field, actual, &why);
    }

    /// Warns that the field at `field` is ignored by the selected model's family
    /// (`families` lists the ones it applies to).
    pub fn model_family(&mut self, field: &str, families: &[&str], model: &str, family: &str) {
        if families.contains(&family) {
            return;
        }
        let message = format!(
            "applies to {} models only; model `{model}` is a {family} model and ignores it",
            families.join(", ")
        );
        let rule = Constraint::ModelFamily {
            families: families.iter().map(|f| f.to_string()).collect(),
            model: model.to_string(),
        };
        self.as_warnings(|v| v.report(field, rule, message));
    }

    /// Checks an inclusive numeric range.
    pub fn range(&mut self, field: &str, value: f64, min: Option<f64>, max: Option<f64>) {
        let below = min.is_some_and(|m| value < m);
        let above = max.is_some_and(|m| value > m);
        if below || above || value.is_nan() {
            let message = format!("{} is out of range {}", fmt_num(value), fmt_bounds(min, max));
            self.report(field, Constraint::Range { min, max, actual: value }, message);
        }
    }

    /// Checks an array's item count.
    pub fn item_count(&mut self, field: &str, len: usize, min: Option<u64>, max: Option<u64>) {
        let actual = len as u64;
        if min.is_some_and(|m| actual < m) || max.is_some_and(|m| actual > m) {
            let message = match (min, max) {
                (_, Some(max)) if actual > max => format!("{actual} items, at most {max} allowed"),
                (Some(min), _) => format!("{actual} items, at least {min} required"),
                _ => format!("{actual} items is out of range"),
            };
            self.report(field, Constraint::ItemCount { min, max, actual }, message);
        }
    }

    /// Checks an array's length against a limit that depends on the request (`why` says which).
    pub fn item_limit(&mut self, field: &str, len: usize, max: u64, why: &str) {
        let actual = len as u64;
        if actual > max {
            let mut message = format!("{actual} items, at most {max} allowed");
            if !why.is_empty() {
                message = format!("{message} ({why})");
            }
            self.report(field, Constraint::ItemCount { min: None, max: Some(max), actual }, message);
        }
    }

    /// Checks a string's length in characters.
    pub fn length(&mut self, field: &str, value: &str, min: Option<u64>, max: Option<u64>) {
        let actual = value.chars().count() as u64;
        if min.is_some_and(|m| actual < m) || max.is_some_and(|m| actual > m) {
            let message =
                format!("length {actual} is out of range {}", fmt_bounds(min.map(|m| m as f64), max.map(|m| m as f64)));
            self.report(field, Constraint::Length { min, max, actual }, message);
        }
    }

    /// Checks a number against bounds that depend on the request (`why` says which:
    /// `model \`x\``, or the rule's message).
    pub fn value_limit(&mut self, field: &str, value: f64, min: Option<f64>, max: Option<f64>, why: &str) {
        let below = min.is_some_and(|m| value < m);
        let above = max.is_some_and(|m| value > m);
        if below || above || value.is_nan() {
            let message = with_reason(format!("{} is out of range {}", fmt_num(value), fmt_bounds(min, max)), why);
            self.report(field, Constraint::Range { min, max, actual: value }, message);
        }
    }

    /// Checks a string's length in characters against bounds that depend on the request.
    pub fn length_limit(&mut self, field: &str, value: &str, min: Option<u64>, max: Option<u64>, why: &str) {
        let actual = value.chars().count() as u64;
        if min.is_some_and(|m| actual < m) || max.is_some_and(|m| actual > m) {
            let bounds = fmt_bounds(min.map(|m| m as f64), max.map(|m| m as f64));
            let message = with_reason(format!("length {actual} is out of range {bounds}"), why);
            self.report(field, Constraint::Length { min, max, actual }, message);
        }
    }

    /// Checks that an array has at least `min` items, a limit that depends on the request.
    pub fn item_minimum(&mut self, field: &str, len: usize, min: u64, why: &str) {
        let actual = len as u64;
        if actual < min {
            let message = with_reason(format!("{actual} items, at least {min} required"), why);
            self.report(field, Constraint::ItemCount { min: Some(min), max: None, actual }, message);
        }
    }

    /// Checks that a number is a whole multiple of `of` (`why` is empty for the field's
    /// own constraint, else what sets the limit). Fractions compare with a tolerance of
    /// a billionth of the quotient, so `0.3` is a multiple of `0.1`.
    pub fn multiple_of(&mut self, field: &str, value: f64, of: f64, why: &str) {
        if !is_multiple(value, of) {
            let message = with_reason(format!("{} is not a multiple of {}", fmt_num(value), fmt_num(of)), why);
            self.report(field, Constraint::MultipleOf { of, actual: value }, message);
        }
    }

    /// Checks that a string matches `pattern`, a regular expression searched anywhere in
    /// the text as JSON Schema's `pattern` is (`^...$` anchors it to the whole text).
    /// Each pattern is compiled once per process. A pattern that does not compile (the
    /// generator checks every one, so only a runtime older than the generator could see
    /// one) cannot say anything about the value: it is a warning, and the request is sent.
    pub fn pattern(&mut self, field: &str, value: &str, pattern: &'static str) {
        let rule = || Constraint::Pattern { pattern: pattern.to_string() };
        match patterns::is_match(pattern, value) {
            Ok(true) => {}
            Ok(false) => self.report(field, rule(), format!("does not match the pattern `{pattern}`")),
            Err(error) => {
                let message =
                    format!("the pattern `{pattern}` does not compile, so the value was not checked: {error}");
                self.as_warnings(|v| v.report(field, rule(), message));
            }
        }
    }

    /// Checks that `value` is an aspect ratio `W:H` (positive numbers) between `min`, the
    /// narrowest, and `max`, the widest, both included (BFL's "between 21:9 and 9:21").
    pub fn aspect_ratio(&mut self, field: &str, value: &str, min: &str, max: &str) {
        let within = match (aspect_ratio(value), aspect_ratio(min), aspect_ratio(max)) {
            (Some(ratio), Some(lo), Some(hi)) => Some(ratio >= lo && ratio <= hi),
            (Some(_), _, _) => Some(true),
            (None, _, _) => None,
        };
        let message = match within {
            Some(true) => return,
            Some(false) => format!("aspect ratio `{value}` is outside {max} to {min}"),
            None => format!("`{value}` is not an aspect ratio `W:H` (between {max} and {min})"),
        };
        let rule = Constraint::AspectRatio { min: min.to_string(), max: max.to_string(), actual: value.to_string() };
        self.report(field, rule, message);
    }

    /// Checks the product of `values` (the fields `fields`, width × height) against
    /// inclusive bounds; `why` is the rule's message (may be empty). The violation's path
    /// is the first field, and its message names them all.
    pub fn product(&mut self, fields: &[&str], values: &[f64], min: Option<f64>, max: Option<f64>, why: &str) {
        let actual: f64 = values.iter().product();
        let below = min.is_some_and(|m| actual < m);
        let above = max.is_some_and(|m| actual > m);
        if below || above || actual.is_nan() {
            let factors: Vec<String> = fields.iter().zip(values).map(|(f, v)| format!("{f} {}", fmt_num(*v))).collect();
            let message = with_reason(
                format!("{} = {} is out of range {}", factors.join(" × "), fmt_num(actual), fmt_bounds(min, max)),
                why,
            );
            let rule = Constraint::Product { fields: fields.iter().map(|f| f.to_string()).collect(), min, max, actual };
            self.report(fields.first().copied().unwrap_or_default(), rule, message);
        }
    }

    /// Checks that a string is one of `allowed`.
    pub fn allowed_values(&mut self, field: &str, actual: &str, allowed: &[&str], why: &str) {
        if !allowed.contains(&actual) {
            self.not_allowed(field, actual.to_string(), allowed.iter().map(|s| s.to_string()).collect(), why);
        }
    }

    /// Checks that a number or boolean is one of `allowed`, compared as values
    /// (`2` and `2.0` are the same number), with the same message as [`Self::allowed_values`].
    pub fn allowed_scalars<T>(&mut self, field: &str, actual: T, allowed: &[T], why: &str)
    where
        T: PartialEq + fmt::Display,
    {
        if !allowed.contains(&actual) {
            self.not_allowed(field, actual.to_string(), allowed.iter().map(|s| s.to_string()).collect(), why);
        }
    }

    fn not_allowed(&mut self, field: &str, actual: String, allowed: Vec<String>, why: &str) {
        let mut message = format!("`{actual}` is not allowed; expected one of {}", allowed.join(", "));
        if !why.is_empty() {
            message = format!("{message} ({why})");
        }
        self.report(field, Constraint::AllowedValues { allowed, actual }, message);
    }

    /// Extra fields must not name a typed field: that value would be sent twice, or
    /// bypass the field's own checks.
    pub fn extra_fields(&mut self, extra: &serde_json::Map<String, serde_json::Value>, typed: &[&str]) {
        for key in extra.keys().filter(|k| typed.contains(&k.as_str())) {
            self.report(
                key,
                Constraint::ExtraFieldCollision,
                format!("`{key}` is a typed field; set it with its setter instead of as an extra field"),
            );
        }
    }

    /// Checks that a URL has one of the allowed schemes (and, optionally, accepts a base64 data URL).
    pub fn url(&mut self, field: &str, value: &str, schemes: &[&str], allow_data_url: bool) {
        if allow_data_url && value.starts_with("data:") {
            self.data_url(field, value, &[]);
            return;
        }
        let scheme = value.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        let has_rest = value.split_once(':').is_some_and(|(_, rest)| !rest.is_empty());
        let ok = match &scheme {
            Some(s) if has_rest && is_scheme(s) => schemes.is_empty() || schemes.contains(&s.as_str()),
            _ => false,
        };
        if !ok {
            let mut allowed: Vec<String> = schemes.iter().map(|s| s.to_string()).collect();
            let mut expected = if schemes.is_empty() {
                "a URL".to_string()
            } else {
                format!("a URL with scheme {}", schemes.join(", "))
            };
            if allow_data_url {
                allowed.push("data".to_string());
                expected.push_str(" or a base64 data URL");
            }
            let shown = scheme.map_or_else(|| "no scheme".to_string(), |s| format!("scheme `{s}`"));
            self.report(field, Constraint::UrlScheme { allowed }, format!("expected {expected}, got {shown}"));
        }
    }

    /// Checks a `data:<mime>;base64,<payload>` URL, and its MIME type when `mime_types` is not empty.
    pub fn data_url(&mut self, field: &str, value: &str, mime_types: &[&str]) {
        match super::base64::parse_data_url(value) {
            Some((mime, _)) => {
                if !mime_types.is_empty() && !mime_types.contains(&mime) {
                    self.allowed_values(field, mime, mime_types, "MIME type of the data URL");
                }
            }
            None => self.report(
                field,
                Constraint::Encoding { expected: "a data:<mime>;base64,<data> URL" },
                "expected a data:<mime>;base64,<data> URL",
            ),
        }
    }

    /// Checks that a string is standard base64.
    pub fn base64(&mut self, field: &str, value: &str) {
        if !super::base64::is_base64(value) {
            self.report(field, Constraint::Encoding { expected: "base64" }, "expected base64 data");
        }
    }

    /// Checks a value that is either a base64 data URL or raw base64.
    pub fn base64_or_data_url(&mut self, field: &str, value: &str) {
        if value.starts_with("data:") {
            self.data_url(field, value, &[]);
        } else if !super::base64::is_base64(value) {
            self.report(
                field,
                Constraint::Encoding { expected: "base64 or a base64 data URL" },
                "expected base64 data or a data:<mime>;base64,<data> URL",
            );
        }
    }
}

/// `W:H` as the width divided by the height, when both are positive finite numbers
/// (the generator reads the spec's ratios the same way).
fn aspect_ratio(text: &str) -> Option<f64> {
    let (w, h) = text.split_once(':')?;
    let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    (w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0).then(|| w / h)
}

/// A required field seen as an always-present optional, so rules can treat
/// required and optional fields alike.
#[inline]
pub fn present<T>(value: &T) -> Option<&T> {
    Some(value)
}

/// `message`, with ` (why)` after it unless `why` is empty.
fn with_reason(message: String, why: &str) -> String {
    if why.is_empty() {
        message
    } else {
        format!("{message} ({why})")
    }
}

fn is_multiple(value: f64, of: f64) -> bool {
    if of == 0.0 || !of.is_finite() || !value.is_finite() {
        return false;
    }
    let quotient = value / of;
    (quotient - quotient.round()).abs() <= 1e-9 * quotient.abs().max(1.0)
}

/// Every `pattern` a generated `validate()` checks, compiled on first use and kept for
/// the life of the process (the keys are the spec's patterns, literals in generated
/// code, so the cache cannot grow with input).
mod patterns {
    use std::collections::HashMap;
    use std::sync::{OnceLock, PoisonError, RwLock};

    use regex_lite::Regex;

    type Compiled = Result<Regex, String>;

    static PATTERNS: OnceLock<RwLock<HashMap<&'static str, Compiled>>> = OnceLock::new();

    /// Whether `pattern` matches somewhere in `text`; `Err` when it does not compile.
    pub(super) fn is_match(pattern: &'static str, text: &str) -> Result<bool, String> {
        let cache = PATTERNS.get_or_init(Default::default);
        if let Some(compiled) = cache.read().unwrap_or_else(PoisonError::into_inner).get(pattern) {
            return answer(compiled, text);
        }
        let compiled = Regex::new(pattern).map_err(|e| e.to_string());
        let mut cache = cache.write().unwrap_or_else(PoisonError::into_inner);
        answer(cache.entry(pattern).or_insert(compiled), text)
    }

    fn answer(compiled: &Compiled, text: &str) -> Result<bool, String> {
        compiled.as_ref().map(|regex| regex.is_match(text)).map_err(Clone::clone)
    }
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn fmt_bounds(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{}..={}", fmt_num(a), fmt_num(b)),
        (Some(a), None) => format!(">= {}", fmt_num(a)),
        (None, Some(b)) => format!("<= {}", fmt_num(b)),
        (None, None) => "(unbounded)".to_string(),
    }
}

/// A field value seen by cross-field rules, whatever its Rust type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    /// A string or an enum's wire value.
    Str(&'a str),
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// Something rules compare only for presence (objects, arrays).
    Other,
}

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Str(s) => f.write_str(s),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Num(n) => f.write_str(&fmt_num(*n)),
            Scalar::Other => f.write_str("(value)"),
        }
    }
}

/// Views a field value as a [`Scalar`] for rules.
pub trait AsScalar {
    /// The scalar view.
    fn as_scalar(&self) -> Scalar<'_>;
}

impl AsScalar for String {
    fn as_scalar(&self) -> Scalar<'_> {
        Scalar::Str(self)
    }
}
impl AsScalar for bool {
    fn as_scalar(&self) -> Scalar<'_> {
        Scalar::Bool(*self)
    }
}
macro_rules! numeric_scalar {
    ($($t:ty),*) => {$(
        impl AsScalar for $t {
            fn as_scalar(&self) -> Scalar<'_> {
                Scalar::Num(*self as f64)
            }
        }
    )*};
}
numeric_scalar!(i64, u64, u32, f64);

impl<T> AsScalar for Vec<T> {
    fn as_scalar(&self) -> Scalar<'_> {
        Scalar::Other
    }
}
/// A recursive field is boxed; rules see the value inside.
impl<T: AsScalar + ?Sized> AsScalar for Box<T> {
    fn as_scalar(&self) -> Scalar<'_> {
        (**self).as_scalar()
    }
}
impl<T> AsScalar for std::collections::BTreeMap<String, T> {
    fn as_scalar(&self) -> Scalar<'_> {
        Scalar::Other
    }
}
impl<T> AsScalar for super::OneOrMany<T> {
    fn as_scalar(&self) -> Scalar<'_> {
        Scalar::Other
    }
}
impl AsScalar for serde_json::Value {
    fn as_scalar(&self) -> Scalar<'_> {
        match self {
            serde_json::Value::String(s) => Scalar::Str(s),
            serde_json::Value::Bool(b) => Scalar::Bool(*b),
            serde_json::Value::Number(n) => n.as_f64().map_or(Scalar::Other, Scalar::Num),
            _ => Scalar::Other,
        }
    }
}
impl AsScalar for super::Base64Data {
    fn as_scalar(&self) -> Scalar<'_> {
        Scalar::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_over_its_limit_names_both_sizes_and_the_limit_in_the_docs_unit() {
        let violation = request_size(12_582_912, 10_485_760);
        assert_eq!(
            violation.to_string(),
            "the request body is 12,582,912 bytes; the server takes at most 10,485,760 (10 MiB)"
        );
        assert_eq!(violation.rule, Constraint::RequestSize { max: 10_485_760, actual: 12_582_912 });
        assert_eq!(
            request_size(1_001, 1_000).message,
            "the request body is 1,001 bytes; the server takes at most 1,000"
        );
        assert!(request_size(1 << 31, 1 << 30).message.ends_with("at most 1,073,741,824 (1 GiB)"));
    }

    #[test]
    fn two_checks_of_one_request_keep_every_violation_and_warning_in_order() {
        let violation =
            |path: &str| Violation { path: path.into(), rule: Constraint::Required, message: "missing".into() };
        let warning = |path: &str| Warning { path: path.into(), rule: Constraint::Required, message: "ignored".into() };
        let first = Err(ValidationError { violations: vec![violation("a")], warnings: vec![warning("w1")].into() });
        let then = Err(ValidationError::single(violation("b")));
        let error = combine(first, then).expect_err("two violations");
        let paths: Vec<&str> = error.violations().iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["a", "b"]);
        assert_eq!(error.warnings().len(), 1);
        let warnings = combine(Ok(vec![warning("w1")].into()), Ok(vec![warning("w2")].into())).expect("valid");
        assert_eq!(warnings.iter().map(|w| w.path.as_str()).collect::<Vec<_>>(), ["w1", "w2"]);
        let error = ValidationError::single(violation("size")).after(Ok(vec![warning("w1")].into()));
        assert_eq!((error.violations().len(), error.warnings().len()), (1, 1));
    }

    #[test]
    fn paths_nest_fields_and_indexes() {
        let mut v = Validator::new();
        v.at_field("referenceImages", |v| {
            v.at_index(3, |v| v.at_field("fileData", |v| v.url("fileUri", "ftp://x", &["http", "https", "gs"], false)))
        });
        let err = v.finish().unwrap_err();
        assert_eq!(err.violations()[0].path, "referenceImages[3].fileData.fileUri");
        assert_eq!(err.violations()[0].message, "expected a URL with scheme http, https, gs, got scheme `ftp`");
    }

    #[test]
    fn range_reports_bounds() {
        let mut v = Validator::new();
        v.range("n", 11.0, Some(1.0), Some(10.0));
        v.range("m", 5.0, Some(1.0), Some(10.0));
        let err = v.finish().unwrap_err();
        assert_eq!(err.violations().len(), 1);
        assert_eq!(err.to_string(), "invalid request (1 violation):\n  - n: 11 is out of range 1..=10");
    }

    #[test]
    fn warnings_are_returned_beside_a_valid_request() {
        let mut v = Validator::new();
        v.at_field("options", |v| {
            v.as_warnings(|v| {
                v.report("mask", Constraint::ForbiddenBy { condition: "no image".into() }, "mask needs image")
            })
        });
        v.range("n", 2.0, Some(1.0), Some(10.0));
        let warnings = v.finish().expect("a warning alone does not make the request invalid");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings.as_slice()[0].to_string(), "options.mask: mask needs image");
    }

    #[test]
    fn reports_after_a_warning_rule_are_violations_again() {
        let mut v = Validator::new();
        v.as_warnings(|v| v.range("partial_images", 5.0, None, Some(3.0)));
        v.range("n", 11.0, Some(1.0), Some(10.0));
        let err = v.finish().unwrap_err();
        let paths: Vec<_> = err.violations().iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["n"]);
        assert_eq!(err.warnings().as_slice()[0].path, "partial_images");
    }

    #[test]
    fn a_field_of_another_family_is_a_warning() {
        let mut v = Validator::new();
        v.model_family("quality", &["gpt"], "google/gemini-3-pro-image", "gemini");
        v.model_family("n", &["gpt"], "openai/gpt-image-2", "gpt");
        let warnings = v.finish().expect("valid");
        assert_eq!(
            warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["quality: applies to gpt models only; model `google/gemini-3-pro-image` is a gemini model and ignores it"]
        );
    }

    #[test]
    fn multiples_of_whole_and_fractional_steps() {
        let mut v = Validator::new();
        v.multiple_of("width", 1024.0, 16.0, "");
        v.multiple_of("guidance", 0.3, 0.1, "");
        v.multiple_of("height", 810.0, 16.0, "");
        v.multiple_of("steps", 7.0, 2.0, "model `klein`");
        let messages: Vec<String> = v.violations().iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["height: 810 is not a multiple of 16", "steps: 7 is not a multiple of 2 (model `klein`)"]
        );
        assert_eq!(v.violations()[0].rule, Constraint::MultipleOf { of: 16.0, actual: 810.0 });
    }

    #[test]
    fn patterns_search_the_text_and_are_compiled_once() {
        let mut v = Validator::new();
        v.pattern("a", "user-42", "^[a-z]+-[0-9]+$");
        v.pattern("b", "User 42", "^[a-z]+-[0-9]+$");
        v.pattern("c", "xx42yy", "[0-9]{2}");
        v.pattern("d", "User 42", "^[a-z]+-[0-9]+$");
        let paths: Vec<_> = v.violations().iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["b", "d"]);
        assert_eq!(v.violations()[0].message, "does not match the pattern `^[a-z]+-[0-9]+$`");
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_a_warning_not_a_refusal() {
        let mut v = Validator::new();
        v.pattern("a", "anything", "(unclosed");
        let warnings = v.finish().expect("the request is still valid");
        assert_eq!(warnings.len(), 1);
        assert!(warnings.as_slice()[0].message.starts_with("the pattern `(unclosed` does not compile"));
    }

    #[test]
    fn limits_from_the_request_name_their_reason() {
        let mut v = Validator::new();
        v.value_limit("width", 2048.0, None, Some(1024.0), "model `klein`");
        v.length_limit("prompt", "ééé", None, Some(2), "model `mini`");
        v.item_minimum("images", 1, 2, "");
        let messages: Vec<String> = v.violations().iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "width: 2048 is out of range <= 1024 (model `klein`)",
                "prompt: length 3 is out of range <= 2 (model `mini`)",
                "images: 1 items, at least 2 required"
            ]
        );
    }

    #[test]
    fn data_url_accepted_where_allowed() {
        let mut v = Validator::new();
        v.url("a", "data:image/png;base64,iVBORw0KGgo=", &["https"], true);
        v.url("b", "http://example.com/x.png", &["https"], true);
        v.url("c", "not a url", &["https"], true);
        let paths: Vec<_> = v.violations().iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["b", "c"]);
    }
}
