//! The one place that decides Rust names: case conversion, keywords, digits.
//!
//! Nothing else in the generator calls heck. Wire names like `16:9`,
//! `gemini-3.1-flash-image` or `type` become `Ratio16x9`, `Gemini3_1FlashImage`
//! and `r#type`.

use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// A Rust identifier this module decided, as emitted code writes it (`r#type`, `self_`,
/// `Ratio16x9`). Only `naming` makes one from a wire name, so every identifier in the
/// IR went through the same keyword, digit and collision rules; names derived from one
/// (`with_self`, `edit_dry_run`) come from [`RustIdent::derived`], never from trimming
/// strings by hand. It reads as a `&str` (`Deref`) and prints as an identifier (`ToTokens`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RustIdent(String);

impl RustIdent {
    /// An identifier already written as Rust (`r#type`), checked by the caller: a spec's
    /// `rust_name` override (see `is_valid_identifier`) or one of this module's results.
    pub(crate) fn new(written: impl Into<String>) -> Self {
        RustIdent(written.into())
    }

    /// As emitted code writes it (`r#type`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name without its escape: `type` for `r#type`, `self` for `self_`.
    pub fn stem(&self) -> &str {
        self.0.strip_prefix("r#").unwrap_or(&self.0).trim_end_matches('_')
    }

    /// The name as written without `r#` (`type`, `self_`): what serde compares with the
    /// wire name.
    pub fn unraw(&self) -> &str {
        self.0.strip_prefix("r#").unwrap_or(&self.0)
    }

    /// A longer name made from this one, `{prefix}{stem}{suffix}` (`with_` + `self` =
    /// `with_self`; `edit` + `_dry_run`): the escape is needed only where the name stands
    /// alone, and an escaped keyword must not give `self__dry_run`.
    pub fn derived(&self, prefix: &str, suffix: &str) -> RustIdent {
        RustIdent(format!("{prefix}{}{suffix}", self.stem()))
    }

    /// The `proc_macro2` identifier, raw when the name is (`r#type`).
    pub fn ident(&self) -> proc_macro2::Ident {
        match self.0.strip_prefix("r#") {
            Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
            None => proc_macro2::Ident::new(&self.0, proc_macro2::Span::call_site()),
        }
    }
}

impl std::ops::Deref for RustIdent {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RustIdent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&RustIdent> for String {
    fn from(name: &RustIdent) -> String {
        name.0.clone()
    }
}

impl PartialEq<str> for RustIdent {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RustIdent {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl quote::ToTokens for RustIdent {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        self.ident().to_tokens(tokens);
    }
}

/// Rust keywords that may appear as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const RESERVED: &[&str] = &["crate", "self", "super", "Self"];

/// Type names the emitted code uses unqualified, so a generated type of that name
/// would shadow them (every emitted file glob-imports the provider's types, and a
/// glob import shadows the prelude): the prelude's types and traits, the serde
/// traits `types.rs` imports, the provider's `Client` and the visitor each
/// generated `Deserialize` declares. A spec type so named gets a trailing `_`
/// (`Result` -> `Result_`), as keywords do in [`snake`]: type names are the docs'
/// words and never reach the wire, so the spec keeps them and only Rust differs.
const TAKEN_TYPE_NAMES: &[&str] = &[
    // std's 2021 prelude (types, traits, variants).
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
    // Imported or declared by the emitted code.
    "Serialize",
    "Deserialize",
    "Client",
    "MapVisitor",
    "Discriminator",
    // A keyword.
    "Self",
];

/// A generated type's Rust name: [`upper_camel`], with names the emitted code
/// already uses escaped by a trailing `_` (the names in `TAKEN_TYPE_NAMES`).
pub fn type_name(spec_name: &str) -> RustIdent {
    let name = upper_camel(spec_name, "T");
    if TAKEN_TYPE_NAMES.contains(&name.as_str()) {
        RustIdent(format!("{name}_"))
    } else {
        RustIdent(name)
    }
}

/// An enum, one_of or event variant (or a constant beside them): [`upper_camel`],
/// with `Self`, the one keyword in `UpperCamelCase`, escaped as `Self_`. Variants
/// are always named through their enum (`Self::None`), so prelude names are fine.
pub fn variant(wire: &str, prefix: &str) -> RustIdent {
    let name = upper_camel(wire, prefix);
    if name == "Self" {
        RustIdent("Self_".to_string())
    } else {
        RustIdent(name)
    }
}

/// A `snake_case` field, function or module name; keywords become raw identifiers.
pub fn snake(wire: &str) -> RustIdent {
    let mut name = wire.to_snake_case();
    if name.is_empty() {
        name = "value".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("n{name}");
    }
    RustIdent(escape_keyword(name))
}

/// The member every generated object type has for fields the spec does not describe.
pub const EXTRA_FIELDS: &str = "extra";

/// A struct field's Rust name: [`snake`], kept clear of [`EXTRA_FIELDS`]
/// (a wire field `extra` becomes `extra_field`).
pub fn field(wire: &str) -> RustIdent {
    let name = snake(wire);
    if name == EXTRA_FIELDS {
        RustIdent(format!("{EXTRA_FIELDS}_field"))
    } else {
        name
    }
}

/// The environment variable that overrides a provider's base URL: `OCTEN_BASE_URL`
/// beside `OCTEN_API_KEY` (the key's variable with `_API_KEY` or `_KEY` replaced), else
/// the provider's name in capitals with `_BASE_URL`.
pub fn base_url_env(api_key_env: &str, provider_name: &str) -> String {
    match api_key_env.strip_suffix("_API_KEY").or_else(|| api_key_env.strip_suffix("_KEY")) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}_BASE_URL"),
        _ => format!("{}_BASE_URL", shouty(provider_name)),
    }
}

/// An `UpperCamelCase` type or variant name. Digits joined by `:` become `x`
/// (`16:9` -> `16x9`) and by `.` become `_` (`3.1` -> `3_1`), so versions and
/// ratios stay readable. A name that would start with a digit gets `prefix`.
pub fn upper_camel(wire: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut segment = String::new();
    let mut pending_separator: Option<char> = None;
    let chars: Vec<char> = wire.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if let Some(sep) = pending_separator.take() {
                let digits_around = out.ends_with(|d: char| d.is_ascii_digit()) && c.is_ascii_digit();
                if digits_around {
                    out.push(if sep == ':' { 'x' } else { '_' });
                }
            }
            segment.push(c);
        } else {
            flush_segment(&mut out, &mut segment);
            if i > 0 {
                pending_separator = Some(c);
            }
        }
    }
    flush_segment(&mut out, &mut segment);
    if out.is_empty() {
        out = "Empty".to_string();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("{prefix}{out}");
    }
    out
}

fn flush_segment(out: &mut String, segment: &mut String) {
    if segment.is_empty() {
        return;
    }
    // `1K`, `4K`, `16x9` read better untouched than as `1k`.
    if segment.starts_with(|c: char| c.is_ascii_digit()) {
        out.push_str(segment);
    } else {
        out.push_str(&segment.to_upper_camel_case());
    }
    segment.clear();
}

/// A `kebab-case` command or flag name (`generate_image` -> `generate-image`).
pub fn kebab(wire: &str) -> String {
    wire.to_kebab_case()
}

/// A command-line flag name for one item of a list field: `referenceImages`
/// gives `reference-image`, since each flag names one file.
pub fn singular_kebab(wire: &str) -> String {
    let name = kebab(wire);
    match name.strip_suffix('s') {
        Some(stem) if !stem.is_empty() && !stem.ends_with('s') => stem.to_string(),
        _ => name,
    }
}

/// A `SCREAMING_SNAKE_CASE` constant name.
pub fn shouty(wire: &str) -> String {
    let name = wire.to_shouty_snake_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// The word used before variants that start with a digit: the last word of the type name.
pub fn default_variant_prefix(type_name: &str) -> String {
    let snake = type_name.to_snake_case();
    snake.rsplit('_').next().unwrap_or("V").to_upper_camel_case()
}

fn escape_keyword(name: String) -> String {
    if RESERVED.contains(&name.as_str()) {
        format!("{name}_")
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// The locals of a generated `Deserialize`'s `visit_map`, beside one slot per field.
pub const DESERIALIZE_LOCALS: &[&str] = &["map", "key", "member"];

/// The local that collects a field while a generated `Deserialize` reads an object:
/// the field's own name, unless a local of `visit_map` ([`DESERIALIZE_LOCALS`]) or
/// another field already has it; then `_slot` is added until it is free.
pub fn deserialize_slot(field: &str, fields: &[&str]) -> String {
    let mut name = field.to_string();
    if !DESERIALIZE_LOCALS.contains(&name.as_str()) {
        return name;
    }
    while DESERIALIZE_LOCALS.contains(&name.as_str()) || fields.contains(&name.as_str()) {
        name = format!("{}_slot", name.trim_start_matches("r#"));
    }
    name
}

/// The variables of a generated client method and of its dispatch arm. Path
/// parameters become variables beside them, so none may take one of these names.
pub const OPERATION_LOCALS: &[&str] =
    &["request", "form", "parts", "path", "call", "client", "response", "stream", "operation", "params", "http"];

/// Methods generated on request-side structs whatever the spec says (besides
/// `with_<field>` setters and `<field>_or_default` accessors): a named constructor
/// may take none of these names.
pub const STRUCT_METHODS: &[&str] =
    &["new", "validate", "images", "collect_images", "from_path", "from_bytes", "from_inline_image", "selected_model"];

/// Whether a method of this name is generated on request-side structs anyway.
pub fn is_generated_method(name: &str) -> bool {
    STRUCT_METHODS.contains(&name) || name.starts_with("with_") || name.ends_with("_or_default")
}

/// The methods of the runtime's `ClientBuilder` (and of every trait it implements that
/// a user may have in scope). A provider header's setter is a method of the builder too,
/// through the generated `ClientHeaders` trait, and an inherent method of the same name
/// would shadow it.
pub const BUILDER_METHODS: &[&str] = &[
    "new",
    "from_config",
    "config",
    "into_config",
    "api_key",
    "base_url",
    "auth_scheme",
    "http_client",
    "connect_timeout",
    "timeout",
    "user_agent",
    "retry_policy",
    "max_retries",
    "allow_insecure_http",
    "max_response_bytes",
    "retry_timeouts_after_send",
    "dry_run",
    "observer",
    "header",
    "build",
    "default",
    "fmt",
];

/// Whether a user-supplied `rust_name` is a usable identifier.
pub fn is_valid_identifier(name: &str) -> bool {
    let bare = name.strip_prefix("r#").unwrap_or(name);
    bare.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&bare)
        && (name.starts_with("r#") || !RAW_KEYWORDS.contains(&bare))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_wire_names_become_readable() {
        assert_eq!(upper_camel("16:9", "Ratio"), "Ratio16x9");
        assert_eq!(upper_camel("1:1", "Ratio"), "Ratio1x1");
        assert_eq!(upper_camel("gemini-3.1-flash-image", "Model"), "Gemini3_1FlashImage");
        assert_eq!(upper_camel("openai/gpt-image-1.5", "Model"), "OpenaiGptImage1_5");
        assert_eq!(upper_camel("2K", "Size"), "Size2K");
        assert_eq!(upper_camel("1024x1024", "Size"), "Size1024x1024");
        assert_eq!(upper_camel("image/png", "Mime"), "ImagePng");
        assert_eq!(upper_camel("b64_json", "F"), "B64Json");
        assert_eq!(upper_camel("HARM_CATEGORY_HATE_SPEECH", "H"), "HarmCategoryHateSpeech");
        assert_eq!(upper_camel("image_generation.partial_image", "E"), "ImageGenerationPartialImage");
    }

    #[test]
    fn a_wire_field_named_extra_leaves_room_for_the_extra_fields_member() {
        assert_eq!(field("extra"), "extra_field");
        assert_eq!(field("Extra"), "extra_field");
        assert_eq!(field("extras"), "extras");
    }

    #[test]
    fn the_base_url_variable_sits_beside_the_key_variable() {
        assert_eq!(base_url_env("OCTEN_API_KEY", "octen"), "OCTEN_BASE_URL");
        assert_eq!(base_url_env("ACME_KEY", "acme"), "ACME_BASE_URL");
        assert_eq!(base_url_env("TOKEN", "my-api"), "MY_API_BASE_URL");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("imageConfig"), "image_config");
        assert_eq!(snake("image[]"), "image");
        assert_eq!(snake("1k"), "n1k");
    }

    #[test]
    fn names_the_emitted_code_uses_are_escaped() {
        assert_eq!(type_name("Result"), "Result_");
        assert_eq!(type_name("serialize"), "Serialize_");
        assert_eq!(type_name("client"), "Client_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("ResultSet"), "ResultSet");
        assert_eq!(variant("self", "V"), "Self_");
        assert_eq!(variant("None", "V"), "None");
    }

    #[test]
    fn deserialize_slots_stay_clear_of_the_visitors_locals() {
        assert_eq!(deserialize_slot("prompt", &["prompt"]), "prompt");
        assert_eq!(deserialize_slot("map", &["map"]), "map_slot");
        assert_eq!(deserialize_slot("key", &["key", "key_slot"]), "key_slot_slot");
    }

    #[test]
    fn prefixes_come_from_the_type_name() {
        assert_eq!(default_variant_prefix("AspectRatio"), "Ratio");
        assert_eq!(default_variant_prefix("ImageSize"), "Size");
    }
}
