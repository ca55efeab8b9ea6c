//! Rust types and spec values as a user of the generated crate reads them in the report.

use serde_json::Value;

use crate::ir::{Presence, RustType};

/// The Rust type a field or response holds, without `Option`.
pub fn rust_type(t: &RustType) -> String {
    match t {
        RustType::String => "String".to_string(),
        RustType::I64 => "i64".to_string(),
        RustType::U32 => "u32".to_string(),
        RustType::U64 => "u64".to_string(),
        RustType::F64 => "f64".to_string(),
        RustType::Bool => "bool".to_string(),
        RustType::Json => "serde_json::Value".to_string(),
        RustType::Base64 => "Base64Data".to_string(),
        // Both are `String` in Rust; the suffix tells which check `validate()` runs.
        RustType::Url => "String (URL)".to_string(),
        RustType::DataUrl => "String (data URL)".to_string(),
        RustType::File => "FilePart".to_string(),
        RustType::Named(n) if n.boxed => format!("Box<{}>", n.rust_name),
        RustType::Named(n) => n.rust_name.to_string(),
        RustType::Vec(inner) => format!("Vec<{}>", rust_type(inner)),
        RustType::Map(inner) => format!("BTreeMap<String, {}>", rust_type(inner)),
        RustType::OneOrMany(inner) => format!("OneOrMany<{}>", rust_type(inner)),
    }
}

/// The type as the struct field declares it.
pub fn held_type(t: &RustType, presence: Presence) -> String {
    match presence {
        Presence::Required | Presence::DefaultEmpty => rust_type(t),
        Presence::Optional | Presence::RequiredTolerant => format!("Option<{}>", rust_type(t)),
        Presence::Nullable { .. } => format!("Nullable<{}>", rust_type(t)),
    }
}

/// How a presence reads in a sentence.
pub fn presence(p: Presence) -> &'static str {
    match p {
        Presence::Required => "required",
        Presence::Optional => "optional",
        Presence::RequiredTolerant => "required (tolerated missing in responses)",
        Presence::DefaultEmpty => "required (empty when missing in responses)",
        Presence::Nullable { required: false } => "optional and nullable",
        Presence::Nullable { required: true } => "required and nullable",
    }
}

/// A spec value (default, rule literal) as the docs would write it.
pub fn value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Items in backticks, comma-separated.
pub fn code_list<S: AsRef<str>>(items: &[S]) -> String {
    items.iter().map(|s| format!("`{}`", s.as_ref())).collect::<Vec<_>>().join(", ")
}
