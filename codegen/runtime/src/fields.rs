//! Fields the spec does not describe, and numbers in the form the docs did not promise.
//!
//! Every generated object type has an `extra` map. On a response it keeps whatever
//! the server sent beyond the typed fields, so nothing a server sent is unreachable.
//! On a request it is the escape hatch for parameters a provider added before the
//! spec caught up: its keys are sent beside the typed fields.
//!
//! Reading an object is tolerant by default (unknown keys land in `extra`), which is
//! right for responses. A request given as JSON by a person (the CLI's `--request`,
//! call-by-name) is read with [`parse_request`] instead: there an unknown key is
//! almost always a typo (`aspect_ratio` for `aspectRatio`) that would otherwise be
//! sent and silently ignored, so it is an error with a suggestion. Extra fields are
//! then written explicitly, under the key [`EXPLICIT_EXTRA_KEY`] of the object they
//! belong to.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// The key under which a request given as JSON lists its extra fields, at any level:
/// `{"generationConfig": {"$extra": {"seed": 7}}}`.
pub const EXPLICIT_EXTRA_KEY: &str = "$extra";

thread_local! {
    /// Set while [`parse_request`] runs on this thread.
    static STRICT: Cell<bool> = const { Cell::new(false) };
    /// The key that stopped [`parse_request`], for a structured error with a full path.
    static REFUSED: RefCell<Option<(String, RequestProblem)>> = const { RefCell::new(None) };
}

/// Restores the previous mode even if deserialization panics.
struct StrictGuard(bool);

impl Drop for StrictGuard {
    fn drop(&mut self) {
        STRICT.set(self.0);
    }
}

/// Why a request given as JSON could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParseError {
    /// Path of the offending value in wire names (`generationConfig.imageConfig.aspect_ratio`),
    /// empty at the top.
    pub path: String,
    /// What is wrong, with a suggestion when a key looks like a typo.
    pub message: String,
    /// The kind of problem.
    pub problem: RequestProblem,
}

/// What kind of problem stopped [`parse_request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestProblem {
    /// A key the type does not know.
    UnknownField {
        /// The known key it most likely meant.
        suggestion: Option<String>,
    },
    /// A key under [`EXPLICIT_EXTRA_KEY`] that names a typed field.
    ExtraNamesTypedField,
    /// A value of the wrong type or form (a string for a number, `2.5` for a count).
    Value,
}

/// Reads a request given as JSON, refusing keys its type does not know (with a
/// "did you mean" suggestion) and numbers that are not whole where an integer is
/// expected. Keys under [`EXPLICIT_EXTRA_KEY`] become extra fields.
pub fn parse_request<T: DeserializeOwned>(json: Value) -> Result<T, RequestParseError> {
    let _guard = StrictGuard(STRICT.replace(true));
    REFUSED.take();
    serde_path_to_error::deserialize::<_, T>(json).map_err(|e| {
        let mut path = e.path().to_string();
        if path == "." {
            path.clear();
        }
        let problem = match REFUSED.take() {
            // Raised by the object that read the key, so the path stops at the object;
            // the key completes it.
            Some((key, problem)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key);
                problem
            }
            None => RequestProblem::Value,
        };
        RequestParseError { path, message: e.inner().to_string(), problem }
    })
}

/// Whether a request given as JSON is being read on this thread ([`parse_request`]).
pub(crate) fn strict() -> bool {
    STRICT.get()
}

/// Handles a key a generated object type does not know: kept in `extra`, or in a
/// request given as JSON an error (unless it is [`EXPLICIT_EXTRA_KEY`]).
/// `known` lists the type's wire names, for suggestions and collision checks.
pub fn unknown_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: String,
    extra: &mut Map<String, Value>,
    known: &[&str],
) -> Result<(), A::Error> {
    if key == EXPLICIT_EXTRA_KEY {
        let fields: Map<String, Value> = map.next_value()?;
        if let Some(typed) = fields.keys().find(|k| known.contains(&k.as_str())) {
            REFUSED.set(Some((format!("{EXPLICIT_EXTRA_KEY}.{typed}"), RequestProblem::ExtraNamesTypedField)));
            return Err(de::Error::custom(format!(
                "`{typed}` is a typed field: set it directly, not under `{EXPLICIT_EXTRA_KEY}`"
            )));
        }
        extra.extend(fields);
        return Ok(());
    }
    if strict() {
        return Err(refuse(&key, known));
    }
    extra.insert(key, map.next_value()?);
    Ok(())
}

/// Handles a key beside the member of a one_of, which has no `extra` map: skipped
/// in responses, an error in a request given as JSON.
pub fn skip_unknown_member<'de, A: MapAccess<'de>>(map: &mut A, key: &str, known: &[&str]) -> Result<(), A::Error> {
    if strict() {
        return Err(refuse(key, known));
    }
    map.next_value::<de::IgnoredAny>()?;
    Ok(())
}

/// The error for an unknown key in a request given as JSON, remembered for [`parse_request`].
fn refuse<E: de::Error>(key: &str, known: &[&str]) -> E {
    let (suggestion, hint) = unknown_key_hint(key, known);
    REFUSED.set(Some((key.to_string(), RequestProblem::UnknownField { suggestion: suggestion.map(str::to_string) })));
    E::custom(format!(
        "unknown field `{key}`{hint} (to send a field the spec does not know, put it under `{EXPLICIT_EXTRA_KEY}`)"
    ))
}

/// The known name an unknown `key` most likely meant, and the hint that says so
/// ("; did you mean `aspectRatio`?", else "; expected one of ..."), for every message
/// about an unknown name.
pub(crate) fn unknown_key_hint<'k>(key: &str, known: &[&'k str]) -> (Option<&'k str>, String) {
    let suggestion = suggest(key, known);
    let hint = match suggestion {
        Some(candidate) => format!("; did you mean `{candidate}`?"),
        None if known.is_empty() => String::new(),
        None => format!("; expected one of {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
    };
    (suggestion, hint)
}

/// Names at least this long (in letters and digits) are also matched inside a longer
/// known name; shorter ones are inside too many names to point at one.
const SHORTEST_CONTAINED: usize = 3;

/// The known name `name` most likely meant: the same letters in another case or
/// separator style (`aspect_ratio` for `aspectRatio`), else the nearest one at most two
/// edits away (and fewer edits than `name` has letters), else the first longer name
/// that contains it (`ratio` for `aspectRatio`).
///
/// The generator suggests names in spec diagnostics by the same rule, in its own copy
/// (`imagegen_codegen::diagnostics::suggest`: neither crate depends on the other); one
/// table of cases in the workspace's `tests/suggestions.rs` holds the two to it.
pub fn suggest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let wanted = squash(name);
    let squashed: Vec<(String, &'k str)> = known.iter().map(|k| (squash(k), *k)).collect();
    if let Some((_, same)) = squashed.iter().find(|(k, _)| *k == wanted) {
        return Some(same);
    }
    let letters = wanted.chars().count();
    let nearest = squashed
        .iter()
        .map(|(k, original)| (edit_distance(&wanted, k), *original))
        .filter(|(d, _)| *d <= 2 && *d < letters)
        .min_by_key(|(d, _)| *d);
    if let Some((_, near)) = nearest {
        return Some(near);
    }
    if letters < SHORTEST_CONTAINED {
        return None;
    }
    squashed.iter().find(|(k, _)| k.contains(&wanted)).map(|(_, original)| *original)
}

/// Lowercase letters and digits only, so case and separators do not count as edits.
fn squash(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Levenshtein distance between two short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb { diagonal } else { 1 + diagonal.min(above).min(row[j]) };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// An integer field read tolerantly: `2`, `2.0` and, in a response, `2.4` (rounded
/// to the nearest integer) all read as `2`. Docs that say "number" for a count or a
/// timestamp get servers that send either form, and a response must not be lost to
/// that. A request given as JSON still refuses a number that is not whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeNumber<T>(pub T);

/// Integer types [`WholeNumber`] can hold.
pub trait Integer: Sized + TryFrom<i64> + TryFrom<u64> {
    /// The type's name, for messages.
    const NAME: &'static str;
}

impl Integer for i64 {
    const NAME: &'static str = "i64";
}

impl Integer for u64 {
    const NAME: &'static str = "u64";
}

impl Integer for u32 {
    const NAME: &'static str = "u32";
}

impl<'de, T: Integer> serde::Deserialize<'de> for WholeNumber<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WholeVisitor<T>(PhantomData<T>);

        impl<T: Integer> WholeVisitor<T> {
            fn out_of_range<E: de::Error>(value: impl fmt::Display) -> E {
                E::custom(format!("{value} is out of range for {}", T::NAME))
            }
        }

        impl<T: Integer> Visitor<'_> for WholeVisitor<T> {
            type Value = WholeNumber<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::try_from(v).map(WholeNumber).map_err(|_| Self::out_of_range(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::try_from(v).map(WholeNumber).map_err(|_| Self::out_of_range(v))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                if !v.is_finite() {
                    return Err(E::custom(format!("{v} is not an integer")));
                }
                if v.fract() != 0.0 && strict() {
                    return Err(E::custom(format!("{v} is not a whole number")));
                }
                let rounded = v.round();
                // i64's range covers every whole f64 a u32 or an i64 can take; larger
                // values are tried as u64.
                if rounded >= i64::MIN as f64 && rounded < i64::MAX as f64 {
                    self.visit_i64(rounded as i64)
                } else if rounded >= 0.0 && rounded < u64::MAX as f64 {
                    self.visit_u64(rounded as u64)
                } else {
                    Err(Self::out_of_range(v))
                }
            }
        }

        deserializer.deserialize_any(WholeVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn suggestions_catch_case_separators_and_small_typos() {
        let known = ["aspectRatio", "imageSize", "n"];
        assert_eq!(suggest("aspect_ratio", &known), Some("aspectRatio"));
        assert_eq!(suggest("ImageSize", &known), Some("imageSize"));
        assert_eq!(suggest("aspectRatoi", &known), Some("aspectRatio"));
        assert_eq!(suggest("seed", &known), None);
        // A one-letter key is not "one edit away" from every other one-letter key.
        assert_eq!(suggest("m", &known), None);
        // A shortened name: the known name that contains it.
        assert_eq!(suggest("ratio", &known), Some("aspectRatio"));
    }

    #[test]
    fn whole_numbers_read_from_every_numeric_form() {
        let read = |v: Value| serde_json::from_value::<WholeNumber<i64>>(v).map(|w| w.0);
        assert_eq!(read(json!(2)).unwrap(), 2);
        assert_eq!(read(json!(2.0)).unwrap(), 2);
        assert_eq!(read(json!(1735689600.5)).unwrap(), 1735689601);
        assert!(read(json!("2")).is_err());
        assert!(serde_json::from_value::<WholeNumber<u32>>(json!(-1)).is_err());
        assert!(serde_json::from_value::<WholeNumber<u32>>(json!(5e9)).is_err());
        assert_eq!(serde_json::from_value::<WholeNumber<u64>>(json!(1.8e19)).unwrap().0, 18_000_000_000_000_000_000);
    }

    #[test]
    fn a_request_given_as_json_refuses_fractions_but_takes_whole_floats() {
        let parse = |v: Value| parse_request::<WholeNumber<u32>>(v).map(|w| w.0);
        assert_eq!(parse(json!(2.0)), Ok(2));
        let err = parse(json!(2.5)).unwrap_err();
        assert!(err.message.contains("not a whole number"), "{err:?}");
        // The strict mode ends with the call.
        assert_eq!(serde_json::from_value::<WholeNumber<u32>>(json!(2.5)).unwrap().0, 3);
    }
}
