//! Field type expressions: `string`, `array<ReferenceImage>`, `map<integer>`, ...

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
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        for (prefix, wrap) in [
            ("array<", TypeExpr::Array as fn(Box<TypeExpr>) -> TypeExpr),
            ("map<", TypeExpr::Map),
            ("one_or_many<", TypeExpr::OneOrMany),
        ] {
            if let Some(rest) = text.strip_prefix(prefix) {
                let inner =
                    rest.strip_suffix('>').ok_or_else(|| format!("type `{text}` is missing its closing `>`"))?;
                return Ok(wrap(Box::new(Self::parse(inner)?)));
            }
        }
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
                    "`{other}` is not a type: expected string, integer, number, boolean, any, base64, url, \
                     data_url, file, a type name, array<T>, map<T> or one_or_many<T>"
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
}
