//! Field type expressions: `string`, `array<ReferenceImage>`, `map<integer>`, ...

use std::borrow::Cow;
use std::fmt;

/// A parsed type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Any JSON value, kept as is.
    Any,
    /// Bytes carried as base64 text.
    Base64,
    /// A URL, optionally limited to some schemes.
    Url,
    /// A `data:<mime>;base64,` URL.
    DataUrl,
    /// A file uploaded as a multipart part.
    File,
    /// A type defined in the spec.
    Named(String),
    /// A JSON array.
    Array(Box<TypeExpr>),
    /// A JSON object with arbitrary keys.
    Map(Box<TypeExpr>),
    /// A single value or an array of them.
    OneOrMany(Box<TypeExpr>),
}

impl TypeExpr {
    /// Parses an expression; the error says what is wrong.
    ///
    /// Containers are peeled in a loop, not by recursion, and their nesting is
    /// bounded: the expression comes from the spec, and a deep enough one would
    /// otherwise overflow the stack here and in every recursive use of the result.
    pub fn parse(text: &str) -> Result<Self, String> {
        let whole = text.trim();
        let mut text = whole;
        let mut wrappers = Vec::new();
        'peel: loop {
            for (prefix, wrap) in [
                ("array<", TypeExpr::Array as fn(Box<TypeExpr>) -> TypeExpr),
                ("map<", TypeExpr::Map),
                ("one_or_many<", TypeExpr::OneOrMany),
            ] {
                if let Some(rest) = text.strip_prefix(prefix) {
                    if wrappers.len() == MAX_NESTING {
                        return Err(format!("type `{}` nests more than {MAX_NESTING} containers", abbreviate(whole)));
                    }
                    text = rest
                        .strip_suffix('>')
                        .ok_or_else(|| format!("type `{}` is missing its closing `>`", abbreviate(text)))?
                        .trim();
                    wrappers.push(wrap);
                    continue 'peel;
                }
            }
            break;
        }
        let leaf = Self::parse_leaf(text)?;
        Ok(wrappers.into_iter().rev().fold(leaf, |inner, wrap| wrap(Box::new(inner))))
    }

    /// A type without containers.
    fn parse_leaf(text: &str) -> Result<Self, String> {
        Ok(match text {
            "string" => TypeExpr::String,
            "integer" => TypeExpr::Integer,
            "number" => TypeExpr::Number,
            "boolean" => TypeExpr::Boolean,
            "any" => TypeExpr::Any,
            "base64" => TypeExpr::Base64,
            "url" => TypeExpr::Url,
            "data_url" => TypeExpr::DataUrl,
            "file" => TypeExpr::File,
            "" => return Err("empty type".to_string()),
            name if is_type_name(name) => TypeExpr::Named(name.to_string()),
            other => {
                return Err(format!(
                    "`{}` is not a type: expected string, integer, number, boolean, any, base64, url, \
                     data_url, file, a type name, array<T>, map<T> or one_or_many<T>",
                    abbreviate(other)
                ))
            }
        })
    }

    /// The named type this expression refers to, looking through containers.
    pub fn named(&self) -> Option<&str> {
        match self {
            TypeExpr::Named(n) => Some(n),
            TypeExpr::Array(t) | TypeExpr::Map(t) | TypeExpr::OneOrMany(t) => t.named(),
            _ => None,
        }
    }

    /// Whether this is an array.
    pub fn is_array(&self) -> bool {
        matches!(self, TypeExpr::Array(_))
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::String => f.write_str("string"),
            TypeExpr::Integer => f.write_str("integer"),
            TypeExpr::Number => f.write_str("number"),
            TypeExpr::Boolean => f.write_str("boolean"),
            TypeExpr::Any => f.write_str("any"),
            TypeExpr::Base64 => f.write_str("base64"),
            TypeExpr::Url => f.write_str("url"),
            TypeExpr::DataUrl => f.write_str("data_url"),
            TypeExpr::File => f.write_str("file"),
            TypeExpr::Named(n) => f.write_str(n),
            TypeExpr::Array(t) => write!(f, "array<{t}>"),
            TypeExpr::Map(t) => write!(f, "map<{t}>"),
            TypeExpr::OneOrMany(t) => write!(f, "one_or_many<{t}>"),
        }
    }
}

/// A type expression as the spec writes it, parsed once when the spec is read.
///
/// Reading never fails on a bad expression: the parse error is kept, so the checker
/// reports every bad expression of a file at once, at its place. Everything after
/// the checks reads [`TypeRef::expr`], never the text again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    text: String,
    parsed: Result<TypeExpr, String>,
}

impl TypeRef {
    /// Parses `text`.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let parsed = TypeExpr::parse(&text);
        Self { text, parsed }
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed expression, or what is wrong with the text.
    pub fn parsed(&self) -> Result<&TypeExpr, &str> {
        self.parsed.as_ref().map_err(String::as_str)
    }

    /// The parsed expression of a spec that passed the checks, which refuse every
    /// expression that does not parse.
    pub fn expr(&self) -> &TypeExpr {
        match &self.parsed {
            Ok(t) => t,
            Err(e) => unreachable!("the checker refuses type expressions that do not parse (`{}`: {e})", self.text),
        }
    }

    /// The named type a valid expression refers to, looking through containers.
    pub fn named(&self) -> Option<&str> {
        self.parsed.as_ref().ok().and_then(TypeExpr::named)
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for TypeRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(TypeRef::new)
    }
}

impl schemars::JsonSchema for TypeRef {
    fn schema_name() -> String {
        String::schema_name()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        String::json_schema(generator)
    }
}

/// Deepest nesting of containers in one expression; real specs use two.
pub const MAX_NESTING: usize = 16;

/// Shows a long expression by its ends, so a message quoting it stays readable.
fn abbreviate(text: &str) -> Cow<'_, str> {
    const SHOWN: usize = 40;
    if text.chars().count() <= 2 * SHOWN {
        return Cow::Borrowed(text);
    }
    let head: String = text.chars().take(SHOWN).collect();
    let tail: String = text.chars().rev().take(SHOWN).collect::<Vec<_>>().into_iter().rev().collect();
    Cow::Owned(format!("{head}...{tail}"))
}

fn is_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_containers() {
        let t = TypeExpr::parse("array<map<ReferenceImage>>").unwrap();
        assert_eq!(t.to_string(), "array<map<ReferenceImage>>");
        assert_eq!(t.named(), Some("ReferenceImage"));
    }

    #[test]
    fn rejects_unknown_words() {
        assert!(TypeExpr::parse("str").unwrap_err().contains("`str` is not a type"));
        assert!(TypeExpr::parse("array<string").unwrap_err().contains("closing"));
    }

    #[test]
    fn nesting_is_bounded_without_recursion() {
        let nested = |depth: usize| format!("{}string{}", "array<".repeat(depth), ">".repeat(depth));
        let fits = TypeExpr::parse(&nested(MAX_NESTING)).unwrap();
        assert_eq!(fits.to_string(), nested(MAX_NESTING));
        let err = TypeExpr::parse(&nested(30_000)).unwrap_err();
        assert!(err.contains("nests more than 16 containers"), "{err}");
        // The message quotes the expression's ends, not all 210 KB of it.
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn spaces_inside_containers_are_allowed() {
        assert_eq!(TypeExpr::parse(" array< map<string> > ").unwrap().to_string(), "array<map<string>>");
    }
}
