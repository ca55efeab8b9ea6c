//! Field paths into an error envelope's body: `error.message`, `detail[0].msg`,
//! `error.details[@type$=google.rpc.RetryInfo].retryDelay`.
//!
//! Parsed here once; the checker resolves them against the body's type and the
//! lowering turns the parsed steps into the runtime's static path description.

use serde_json::Value;

use super::lookup::SpecIndex;
use super::model::{Envelope, EnvelopePart, JsonKind, ObjectDef};
use super::type_expr::TypeExpr;

/// One step of a path: a field, then optionally an item of the array it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSegment {
    /// The field's wire name.
    pub field: String,
    /// The array item picked from the field's value.
    pub pick: Option<Pick>,
}

/// Which item of an array a path goes on with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The item at this index (`[0]`).
    Index(usize),
    /// The first item whose string field `field` equals `value` (`[name=value]`).
    Equals {
        /// The item's field tested.
        field: String,
        /// The text it must equal.
        value: String,
    },
    /// The first item whose string field `field` ends with `suffix` (`[name$=suffix]`).
    EndsWith {
        /// The item's field tested.
        field: String,
        /// The text it must end with.
        suffix: String,
    },
}

/// Parses a path; the error says what is wrong with it.
pub fn parse(path: &str) -> Result<Vec<PathSegment>, String> {
    if path.is_empty() {
        return Err("a field path cannot be empty".to_string());
    }
    let mut segments = Vec::new();
    let mut rest = path;
    loop {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let field = &rest[..end];
        if field.is_empty() {
            return Err(format!("`{path}` has an empty field name"));
        }
        if field.contains(']') {
            return Err(format!("`{path}` has a `]` without its `[`"));
        }
        rest = &rest[end..];
        let mut pick = None;
        if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']').ok_or_else(|| format!("`{path}` is missing a closing `]`"))?;
            pick = Some(parse_pick(&after[..close], path)?);
            rest = &after[close + 1..];
        }
        segments.push(PathSegment { field: field.to_string(), pick });
        if rest.is_empty() {
            return Ok(segments);
        }
        rest = rest.strip_prefix('.').ok_or_else(|| format!("`{path}`: expected `.` after `]`"))?;
    }
}

fn parse_pick(inside: &str, path: &str) -> Result<Pick, String> {
    if let Ok(index) = inside.parse::<usize>() {
        return Ok(Pick::Index(index));
    }
    let unclear = || format!("`[{inside}]` in `{path}` must be an index (`[0]`), `[field=value]` or `[field$=suffix]`");
    let (field, value, ends_with) = match inside.split_once("$=") {
        Some((field, suffix)) => (field, suffix, true),
        None => inside.split_once('=').map(|(field, value)| (field, value, false)).ok_or_else(unclear)?,
    };
    if field.is_empty() || value.is_empty() || field.contains(['.', '[', ']']) {
        return Err(unclear());
    }
    let (field, value) = (field.to_string(), value.to_string());
    Ok(if ends_with { Pick::EndsWith { field, suffix: value } } else { Pick::Equals { field, value } })
}

/// Resolves a parsed path from `body`: the type of the value it reaches. Every step
/// but the last must reach an object; a pick needs an array (of objects with a
/// string field of that name, for `[field=value]`). A step into an `any` field ends
/// the typing: the rest is read as whatever JSON is there.
pub fn resolve(index: &SpecIndex, body: &ObjectDef, segments: &[PathSegment]) -> Result<TypeExpr, String> {
    let mut current = TypeExpr::Named(body.name.clone());
    for segment in segments {
        let object = match &current {
            TypeExpr::Any => return Ok(TypeExpr::Any),
            TypeExpr::Named(name) => index
                .object(name)
                .ok_or_else(|| format!("`{name}` is not an object, so it has no field `{}`", segment.field))?,
            other => return Err(format!("{} has no field `{}`", describe(other), segment.field)),
        };
        let field = object
            .fields
            .iter()
            .find(|f| f.name == segment.field)
            .ok_or_else(|| format!("`{}` has no field `{}`", object.name, segment.field))?;
        current = field.ty.parsed()?.clone();
        if let Some(pick) = &segment.pick {
            current = match current {
                TypeExpr::Array(item) => *item,
                TypeExpr::Any => return Ok(TypeExpr::Any),
                other => {
                    return Err(format!(
                        "`{}` is {}, not an array, so no item can be picked from it",
                        segment.field,
                        describe(&other)
                    ))
                }
            };
            if let Pick::Equals { field, .. } | Pick::EndsWith { field, .. } = pick {
                item_string_field(index, &current, field, &segment.field)?;
            }
        }
    }
    Ok(current)
}

/// The items of an array picked by `[field=...]` must be objects with a string `field`.
fn item_string_field(index: &SpecIndex, item: &TypeExpr, field: &str, array: &str) -> Result<(), String> {
    let TypeExpr::Named(name) = item else {
        return Err(format!(
            "the items of `{array}` are each {}, not an object with a field `{field}`",
            describe(item)
        ));
    };
    let object = index.object(name).ok_or_else(|| format!("the items of `{array}` (`{name}`) are not objects"))?;
    let found = object.fields.iter().find(|f| f.name == field);
    match found.map(|f| f.ty.parsed()) {
        None => Err(format!("`{name}` has no field `{field}`")),
        Some(Ok(TypeExpr::String)) | Some(Ok(TypeExpr::Any)) => Ok(()),
        Some(Ok(TypeExpr::Named(n))) if index.object(n).is_none() => Ok(()),
        Some(Ok(other)) => Err(format!("`{name}.{field}` is {}, not a string to compare", describe(other))),
        Some(Err(e)) => Err(e.to_string()),
    }
}

/// The value a path reaches in a JSON body, if any (`null` counts as none).
pub fn find<'v>(value: &'v Value, segments: &[PathSegment]) -> Option<&'v Value> {
    let mut current = value;
    for segment in segments {
        current = current.get(&segment.field)?;
        if let Some(pick) = &segment.pick {
            let items = current.as_array()?;
            current = match pick {
                Pick::Index(i) => items.get(*i)?,
                Pick::Equals { field, value } => {
                    items.iter().find(|item| item.get(field).and_then(Value::as_str) == Some(value))?
                }
                Pick::EndsWith { field, suffix } => items.iter().find(|item| {
                    item.get(field).and_then(Value::as_str).is_some_and(|s| s.ends_with(suffix.as_str()))
                })?,
            };
        }
    }
    (!current.is_null()).then_some(current)
}

/// Whether `envelope` recognises `body` as the runtime's reader would: every `when`
/// test holds, or, without tests, its `message` or `code` is found. Used to check the
/// docs' error examples; paths that do not parse find nothing (reported elsewhere).
pub fn recognises(envelope: &Envelope, body: &Value) -> bool {
    let at = |text: &str| parse(text).ok().and_then(|segments| find(body, &segments));
    if !envelope.when.is_empty() {
        return envelope.when.iter().all(|test| match (at(&test.field), &test.equals, test.is) {
            (None, _, _) => false,
            (Some(found), Some(want), _) => found == want,
            (Some(found), None, Some(kind)) => match kind {
                JsonKind::Object => found.is_object(),
                JsonKind::Array => found.is_array(),
                JsonKind::String => found.is_string(),
                JsonKind::Number => found.is_number(),
                JsonKind::Boolean => found.is_boolean(),
            },
            (Some(_), None, None) => true,
        });
    }
    [EnvelopePart::Message, EnvelopePart::Code].iter().any(|part| envelope.paths(*part).iter().any(|p| at(p).is_some()))
}

/// What a type is, in a message: `a string`, `an array`, `` `ErrorDetail` ``.
pub fn describe(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::String => "a string".to_string(),
        TypeExpr::Integer => "an integer".to_string(),
        TypeExpr::Number => "a number".to_string(),
        TypeExpr::Boolean => "a boolean".to_string(),
        TypeExpr::Any => "any value".to_string(),
        TypeExpr::Base64 => "base64 text".to_string(),
        TypeExpr::Url => "a URL".to_string(),
        TypeExpr::DataUrl => "a data URL".to_string(),
        TypeExpr::File => "a file".to_string(),
        TypeExpr::Named(name) => format!("`{name}`"),
        TypeExpr::Array(_) => "an array".to_string(),
        TypeExpr::Map(_) => "a map".to_string(),
        TypeExpr::OneOrMany(_) => "one or many values".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_picks_parse() {
        let segments = parse("error.details[@type$=google.rpc.RetryInfo].retryDelay").unwrap();
        assert_eq!(segments.len(), 3);
        assert_eq!(
            segments[1].pick,
            Some(Pick::EndsWith { field: "@type".into(), suffix: "google.rpc.RetryInfo".into() })
        );
        assert_eq!(parse("detail[0].msg").unwrap()[0].pick, Some(Pick::Index(0)));
        assert_eq!(
            parse("items[kind=x]").unwrap()[0].pick,
            Some(Pick::Equals { field: "kind".into(), value: "x".into() })
        );
    }

    #[test]
    fn malformed_paths_say_what_is_wrong() {
        assert!(parse("").is_err());
        assert!(parse("error..message").unwrap_err().contains("empty field name"));
        assert!(parse("detail[0").unwrap_err().contains("closing"));
        assert!(parse("detail[x]").unwrap_err().contains("must be an index"));
        assert!(parse("detail[0]msg").unwrap_err().contains("expected `.`"));
    }
}
