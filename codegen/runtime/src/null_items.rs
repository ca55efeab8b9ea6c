//! Lists and maps of a response that hold `null` items.
//!
//! A server that answers `{"data": [null, {"b64_json": "..."}]}` has still sent the
//! image the user paid for, but `Vec<Image>`'s own `Deserialize` fails the whole
//! answer on the `null`. The generated readers of response types read their lists and
//! maps through these seeds instead: a `null` item is left out (a list keeps the other
//! items in order, a map drops that key), and nothing else changes. Each item is read
//! by the body's own deserializer, as `Vec<T>` would read it, so a base64 string is
//! still decoded where it lies: nothing is buffered or copied.
//!
//! Seeds nest as the Rust type does: `Option<Vec<Vec<String>>>` is read with
//! `OrNull(ListOf(ListOf(item::<String>())))`.
//!
//! Requests keep their strict shape: the generator reads request-only types with
//! plain serde, and a request given as JSON ([`crate::fields::parse_request`]), which
//! reads a type shared with responses through these seeds, refuses a `null` item
//! exactly as `Vec<T>` does.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::fields::{strict, Integer, WholeNumber};
use crate::OneOrMany;

/// The innermost seed: an item read by `T`'s own `Deserialize`.
pub fn item<T>() -> PhantomData<T> {
    PhantomData
}

/// The innermost seed for an integer item: read through [`WholeNumber`], so a list
/// or map of counts a server writes as `2.0` reads as `2`, as a single integer field does.
pub fn whole<T>() -> Whole<T> {
    Whole(PhantomData)
}

/// See [`whole`].
#[derive(Debug)]
pub struct Whole<T>(PhantomData<T>);

impl<T> Clone for Whole<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Whole<T> {}

impl<'de, T: Integer> DeserializeSeed<'de> for Whole<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        WholeNumber::<T>::deserialize(deserializer).map(|n| n.0)
    }
}

/// `null` reads as `None`, anything else through the inner seed: an optional field,
/// or a required list a response sent as `null` (read as empty by the struct).
#[derive(Debug, Clone, Copy)]
pub struct OrNull<S>(pub S);

/// A list (`Vec`), its `null` items left out.
#[derive(Debug, Clone, Copy)]
pub struct ListOf<S>(pub S);

/// A map (`BTreeMap<String, _>`), its keys whose value is `null` left out.
#[derive(Debug, Clone, Copy)]
pub struct MapOf<S>(pub S);

/// One value or a list of them ([`OneOrMany`]), the list's `null` items left out.
#[derive(Debug, Clone, Copy)]
pub struct OneOrManyOf<S>(pub S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for OrNull<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for OrNull<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    // What `Option<T>` accepts as `null` from formats without one.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// An item of a list or a value of a map: `None` for a `null` to leave out. In a
/// request given as JSON the item is read as itself, so `null` is refused as `Vec<T>`
/// and `BTreeMap` do.
struct Droppable<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Droppable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        if strict() {
            self.0.deserialize(deserializer).map(Some)
        } else {
            OrNull(self.0).deserialize(deserializer)
        }
    }
}

/// The items of a list that are not `null`, in order.
fn read_list<'de, A: SeqAccess<'de>, S: DeserializeSeed<'de> + Clone>(
    seed: S,
    mut seq: A,
) -> Result<Vec<S::Value>, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = seq.next_element_seed(Droppable(seed.clone()))? {
        items.extend(item);
    }
    Ok(items)
}

impl<'de, S: DeserializeSeed<'de> + Clone> DeserializeSeed<'de> for ListOf<S> {
    type Value = Vec<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Clone> Visitor<'de> for ListOf<S> {
    type Value = Vec<S::Value>;

    // The words of `Vec<T>`'s own message, so errors read as before.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        read_list(self.0, seq)
    }
}

impl<'de, S: DeserializeSeed<'de> + Clone> DeserializeSeed<'de> for MapOf<S> {
    type Value = BTreeMap<String, S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Clone> Visitor<'de> for MapOf<S> {
    type Value = BTreeMap<String, S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(value) = map.next_value_seed(Droppable(self.0.clone()))? {
                values.insert(key, value);
            }
        }
        Ok(values)
    }
}

impl<'de, S: DeserializeSeed<'de> + Clone> DeserializeSeed<'de> for OneOrManyOf<S> {
    type Value = OneOrMany<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A list is `Many`; anything else is the one value, handed to the item's seed as it
/// came (never buffered, unlike serde's untagged enums).
impl<'de, S: DeserializeSeed<'de> + Clone> Visitor<'de> for OneOrManyOf<S> {
    type Value = OneOrMany<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        read_list(self.0, seq).map(OneOrMany::Many)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.deserialize(MapAccessDeserializer::new(map)).map(OneOrMany::One)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.0.deserialize(BorrowedStrDeserializer::new(v)).map(OneOrMany::One)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.deserialize(v.to_owned().into_deserializer()).map(OneOrMany::One)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.0.deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.deserialize(().into_deserializer()).map(OneOrMany::One)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::parse_request;
    use serde::Deserialize;

    fn read<'de, S: DeserializeSeed<'de>>(seed: S, json: &'de str) -> serde_json::Result<S::Value> {
        seed.deserialize(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn a_null_item_is_left_out_and_the_others_keep_their_order() {
        let list = read(ListOf(item::<String>()), r#"[null, "a", null, "b", null]"#).unwrap();
        assert_eq!(list, ["a", "b"]);
        assert_eq!(read(ListOf(item::<u32>()), "[null]").unwrap(), Vec::<u32>::new());
    }

    #[test]
    fn a_map_drops_the_keys_whose_value_is_null() {
        let map = read(MapOf(item::<u32>()), r#"{"a": 1, "b": null, "c": 3}"#).unwrap();
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [("a".to_string(), 1), ("c".to_string(), 3)]);
    }

    #[test]
    fn integer_items_written_as_whole_floats_read_as_integers() {
        let map = read(MapOf(whole::<i64>()), r#"{"flux": 2.0, "gone": null, "gpt": 3}"#).unwrap();
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [("flux".to_string(), 2), ("gpt".to_string(), 3)]);
        assert_eq!(read(ListOf(whole::<u32>()), "[1.0, null, 2]").unwrap(), [1, 2]);
        let err = read(ListOf(whole::<u32>()), "[-1]").unwrap_err();
        assert!(err.to_string().contains("out of range for u32"), "{err}");
    }

    #[test]
    fn nested_lists_drop_nulls_at_every_depth() {
        let nested = read(ListOf(ListOf(item::<u32>())), "[[1, null, 2], null, [], [null, 3]]").unwrap();
        assert_eq!(nested, [vec![1, 2], vec![], vec![3]]);
        let optional = read(OrNull(ListOf(item::<u32>())), "null").unwrap();
        assert_eq!(optional, None);
        assert_eq!(read(OrNull(ListOf(item::<u32>())), "[null, 4]").unwrap(), Some(vec![4]));
    }

    #[test]
    fn one_or_many_reads_one_value_or_a_list_without_its_nulls() {
        assert_eq!(read(OneOrManyOf(item::<String>()), r#""a""#).unwrap(), OneOrMany::One("a".to_string()));
        let many = read(OneOrManyOf(item::<String>()), r#"["a", null, "b"]"#).unwrap();
        assert_eq!(many, OneOrMany::Many(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(read(OneOrManyOf(item::<u32>()), "7").unwrap(), OneOrMany::One(7));
        let map = read(OneOrManyOf(item::<BTreeMap<String, u32>>()), r#"{"a": 1}"#).unwrap();
        assert_eq!(map, OneOrMany::One(BTreeMap::from([("a".to_string(), 1)])));
    }

    #[test]
    fn an_item_of_the_wrong_type_still_fails_the_list() {
        let err = read(ListOf(item::<u32>()), r#"[1, "two"]"#).unwrap_err();
        assert!(err.to_string().starts_with("invalid type: string \"two\", expected u32"), "{err}");
        let err = read(ListOf(item::<u32>()), "{}").unwrap_err();
        assert!(err.to_string().starts_with("invalid type: map, expected a sequence"), "{err}");
    }

    /// A type shared by requests and responses, read through the seeds.
    #[derive(Debug)]
    struct Tags(Vec<String>);

    impl<'de> Deserialize<'de> for Tags {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            ListOf(item::<String>()).deserialize(deserializer).map(Tags)
        }
    }

    #[test]
    fn a_request_given_as_json_refuses_a_null_item() {
        let err = parse_request::<Tags>(serde_json::json!(["a", null])).unwrap_err();
        assert_eq!(err.path, "[1]");
        assert_eq!(err.message, "invalid type: null, expected a string");
        let tags: Tags = serde_json::from_value(serde_json::json!(["a", null])).unwrap();
        assert_eq!(tags.0, ["a"]);
    }

    /// A map shared by requests and responses.
    #[derive(Debug)]
    struct Counts(BTreeMap<String, u32>);

    impl<'de> Deserialize<'de> for Counts {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            MapOf(item::<u32>()).deserialize(deserializer).map(Counts)
        }
    }

    #[test]
    fn a_request_given_as_json_refuses_a_null_map_value() {
        let err = parse_request::<Counts>(serde_json::json!({"a": 1, "b": null})).unwrap_err();
        assert_eq!(err.path, "b");
        assert_eq!(err.message, "invalid type: null, expected u32");
        let counts: Counts = serde_json::from_value(serde_json::json!({"a": 1, "b": null})).unwrap();
        assert_eq!(counts.0, BTreeMap::from([("a".to_string(), 1)]));
    }
}
