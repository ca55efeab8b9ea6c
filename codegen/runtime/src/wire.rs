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

/// The trait impls every generated string enum shares, written once here
/// instead of in every enum: `FromStr`, `Display`, serde's `Serialize` and
/// `Deserialize` (known values parse without allocating), and
/// [`AsScalar`](crate::AsScalar) for the validators. All of them are
/// built on the enum's inherent `as_str` and `from_wire`.
///
/// Generated code calls it as `runtime::wire::string_enum_traits!(Name);`.
#[doc(hidden)]
#[macro_export]
macro_rules! __imagegen_string_enum_traits {
    ($name:ident) => {
        impl ::std::str::FromStr for $name {
            type Err = $crate::wire::UnknownValue;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::from_wire(value)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::wire::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::wire::__private::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::wire::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::wire::__private::serde::Deserializer<'de>,
            {
                $crate::wire::deserialize_str_enum(deserializer, Self::from_wire)
            }
        }

        impl $crate::AsScalar for $name {
            fn as_scalar(&self) -> $crate::Scalar<'_> {
                $crate::Scalar::Str(self.as_str())
            }
        }
    };
}

#[doc(inline)]
pub use crate::__imagegen_string_enum_traits as string_enum_traits;

/// What [`string_enum_traits!`] needs from outside the caller's crate.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}
