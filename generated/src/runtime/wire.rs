//! Wire-format helpers shared by generated enums.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// A string that is not one of a closed enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a known {type_name} (expected one of {expected})")]
pub struct UnknownValue {
    /// The enum's name.
    pub type_name: &'static str,
    /// The value received.
    pub value: String,
    /// The accepted values, comma-separated.
    pub expected: String,
}

impl UnknownValue {
    /// Builds the error from the enum's known values.
    pub fn new(type_name: &'static str, value: &str, known: &[&str]) -> Self {
        Self { type_name, value: value.to_string(), expected: known.join(", ") }
    }
}

/// Deserializes a string-valued enum without allocating for known values.
pub fn deserialize_str_enum<'de, D, T>(
    deserializer: D,
    parse: fn(&str) -> Result<T, UnknownValue>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct EnumVisitor<T>(fn(&str) -> Result<T, UnknownValue>);

    impl<T> Visitor<'_> for EnumVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
    }

    deserializer.deserialize_str(EnumVisitor(parse))
}
