//! A field the docs say may be `null`, where `null` means something of its own
//! (BFL's `"result": null` when a generation was moderated), kept apart from a
//! field that is simply absent.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field that can be absent, an explicit `null`, or a value.
///
/// An `Option` field reads `null` as absent; a field the spec marks `nullable` is a
/// `Nullable` instead, so a response says which of the three it held, and a request
/// can send `null` on purpose. Generated structs skip an [`Nullable::Absent`] field
/// when serializing and write [`Nullable::Null`] as `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// The key is not there.
    #[default]
    Absent,
    /// The key is there with the value `null`.
    Null,
    /// The key holds a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// The value, if the field holds one (`None` for both `null` and absent).
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if the field holds one, taken out.
    pub fn into_value(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// Whether the key is not there at all.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the key is there with the value `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Whether the field holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// The same field with its value changed by `f`; `null` and absent stay as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(f(v)),
        }
    }
}

/// `Some` is a value, `None` an explicit `null` (a field is absent only when unset).
impl<T> From<Option<T>> for Nullable<T> {
    fn from(v: Option<T>) -> Self {
        match v {
            Some(v) => Nullable::Value(v),
            None => Nullable::Null,
        }
    }
}

/// A value is written as itself and [`Nullable::Null`] as `null`. An absent field is
/// skipped by the struct that holds it (`skip_serializing_if = "Nullable::is_absent"`);
/// serialized on its own it is `null` too.
impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => serializer.serialize_some(v),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

/// `null` reads as [`Nullable::Null`], anything else as a value. A missing key never
/// reaches this impl: the struct's reader leaves the field [`Nullable::Absent`].
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_a_value_read_apart() {
        let null: Nullable<u32> = serde_json::from_str("null").unwrap();
        let value: Nullable<u32> = serde_json::from_str("7").unwrap();
        assert_eq!(null, Nullable::Null);
        assert_eq!(value, Nullable::Value(7));
        assert_eq!(value.value(), Some(&7));
        assert_eq!(null.value(), None);
        assert!(Nullable::<u32>::default().is_absent());
    }

    #[test]
    fn null_is_written_as_null() {
        assert_eq!(serde_json::to_string(&Nullable::<u32>::Null).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Nullable::Value("a")).unwrap(), "\"a\"");
        assert_eq!(Nullable::from(None::<u32>), Nullable::Null);
        assert_eq!(Nullable::Value(2).map(|n| n * 2), Nullable::Value(4));
    }
}
