//! IR -> token streams, one emitter per concept.
//!
//! Each emitter returns a `TokenStream` for one file; [`crate::files`] parses,
//! formats and headers it. Emitters read only the IR.

pub mod client;
pub mod dispatch;
pub mod doc_example;
mod envelopes;
pub mod examples;
mod job;
pub mod root;
pub mod testing;
pub mod types;
pub mod validate;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, RustType, StructIr};

/// An identifier, raw when the name says so (`r#type`).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Doc attributes for a block of text, one per line.
pub fn docs(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|l| {
        let line = format!(" {}", l.trim_end());
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// Inner doc attributes (`#![doc]`) for a module, one per line.
pub fn inner_docs(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|l| {
        let line = format!(" {}", l.trim_end());
        quote!(#![doc = #line])
    });
    quote!(#(#lines)*)
}

/// A provider's prose (a spec description) made safe for rustdoc's Markdown: outside
/// code spans, `[` and `]` are escaped (`data[0]` is not a link) unless they form a
/// Markdown link `[text](url)`, and `<` is escaped (`<string>` is not an HTML tag)
/// unless it opens an autolink (`<https://...>`).
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut in_code = false;
    for (i, &c) in chars.iter().enumerate() {
        let rest: String = chars[i..].iter().take(9).collect();
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '[' | ']' if !in_code && !is_markdown_link(&chars, i) => {
                out.push('\\');
                out.push(c);
            }
            '<' if !in_code && !rest.starts_with("<http://") && !rest.starts_with("<https://") => out.push_str("&lt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether the bracket at `i` belongs to a Markdown link `[text](url)`.
fn is_markdown_link(chars: &[char], i: usize) -> bool {
    match chars[i] {
        ']' => chars.get(i + 1) == Some(&'('),
        _ => {
            let close = chars[i + 1..].iter().position(|&c| c == ']' || c == '[');
            close.is_some_and(|n| chars[i + 1 + n] == ']' && chars.get(i + 2 + n) == Some(&'('))
        }
    }
}

/// [`prose`] over an optional description.
pub fn prose_opt(text: &Option<String>) -> Option<String> {
    text.as_deref().map(prose)
}

/// Several optional paragraphs joined by blank lines.
pub fn paragraphs(parts: &[Option<String>]) -> String {
    parts.iter().flatten().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// Doc attributes joining several optional paragraphs.
pub fn doc_paragraphs(parts: &[Option<String>]) -> TokenStream {
    docs(&paragraphs(parts))
}

/// The Rust type of a field, without `Option`.
pub fn type_tokens(t: &RustType) -> TokenStream {
    match t {
        RustType::String | RustType::Url | RustType::DataUrl => quote!(String),
        RustType::I64 => quote!(i64),
        RustType::U32 => quote!(u32),
        RustType::U64 => quote!(u64),
        RustType::F64 => quote!(f64),
        RustType::Bool => quote!(bool),
        RustType::Json => quote!(serde_json::Value),
        RustType::Base64 => quote!(runtime::Base64Data),
        RustType::File => quote!(runtime::FilePart),
        RustType::Named(n) if n.boxed => {
            let name = ident(&n.rust_name);
            quote!(Box<#name>)
        }
        RustType::Named(n) => {
            let name = ident(&n.rust_name);
            quote!(#name)
        }
        RustType::Vec(inner) => {
            let inner = type_tokens(inner);
            quote!(Vec<#inner>)
        }
        RustType::Map(inner) => {
            let inner = type_tokens(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        RustType::OneOrMany(inner) => {
            let inner = type_tokens(inner);
            quote!(runtime::OneOrMany<#inner>)
        }
    }
}

/// The builder setter of an optional field: `with_self`, not `with_self_` (the escape is
/// needed only where the name stands alone).
pub fn setter_name(f: &crate::ir::FieldIr) -> Ident {
    f.rust_name.derived("with_", "").ident()
}

/// The wire names a struct reads: its fields and, for a flattened one_of, the member keys.
pub fn known_keys(s: &StructIr, api: &Api) -> Vec<String> {
    let mut keys = Vec::new();
    for f in &s.fields {
        match types::one_of_of(api, &f.ty).filter(|_| f.flatten) {
            Some(o) => keys.extend(o.variants.iter().map(|v| v.wire.clone())),
            None => keys.push(f.wire_name.clone()),
        }
    }
    keys
}

/// `match self { pattern => expression, ... }` over some variants, with a `_ => {}`
/// arm unless `all_covered`. A single arm that needs the catch-all becomes
/// `if let`, which clippy (`single_match`) asks for in the generated code.
pub fn match_self(arms: Vec<(TokenStream, TokenStream)>, all_covered: bool) -> TokenStream {
    match arms.as_slice() {
        [(pattern, expression)] if !all_covered => quote!(if let #pattern = self { #expression; }),
        _ => {
            let arms = arms.iter().map(|(p, e)| quote!(#p => #e,));
            let rest = if all_covered { TokenStream::new() } else { quote!(_ => {}) };
            quote!(match self { #(#arms)* #rest })
        }
    }
}

/// "A" or "An" before `word` in emitted docs ("An Octen client", "A RouterHub client"). A
/// name that starts with an acronym is read letter by letter ("An LLMGateway client"), so
/// it takes "An" when its first letter's name starts with a vowel sound.
pub fn indefinite_article(word: &str) -> &'static str {
    let mut chars = word.chars();
    let (first, second) = (chars.next(), chars.next());
    let acronym = first.is_some_and(|c| c.is_ascii_uppercase()) && second.is_some_and(|c| c.is_ascii_uppercase());
    let vowel_sound = match first {
        Some(c) if acronym => "AEFHILMNORSX".contains(c),
        Some(c) => "aeiou".contains(c.to_ascii_lowercase()),
        None => false,
    };
    if vowel_sound {
        "An"
    } else {
        "A"
    }
}

#[cfg(test)]
mod prose_tests {
    use super::{indefinite_article, prose};

    #[test]
    fn articles_follow_the_sound_of_the_name() {
        assert_eq!(indefinite_article("Octen"), "An");
        assert_eq!(indefinite_article("RouterHub"), "A");
        assert_eq!(indefinite_article("ListenHub"), "A");
        assert_eq!(indefinite_article("LLMGateway"), "An");
        assert_eq!(indefinite_article("UPS"), "A");
        assert_eq!(indefinite_article(""), "A");
    }

    #[test]
    fn brackets_and_angle_brackets_in_prose_render_as_written() {
        assert_eq!(prose("read data[0].b64_json"), "read data\\[0\\].b64_json");
        assert_eq!(prose("a `<string>` value or <string>"), "a `<string>` value or &lt;string>");
        assert_eq!(
            prose("see [the docs](https://example.com) or <https://example.com>"),
            "see [the docs](https://example.com) or <https://example.com>"
        );
        assert_eq!(prose("`data[0]` stays code"), "`data[0]` stays code");
    }
}
