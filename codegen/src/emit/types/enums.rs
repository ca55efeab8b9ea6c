//! String enums: variants with their wire spellings and aliases, deprecated constants
//! for retired names, `as_str`/`from_wire` (the other traits come from the runtime's
//! `string_enum_traits!`), and the model table of a models enum.

use proc_macro2::TokenStream;
use quote::quote;

use super::models::model_table;
use crate::emit::{doc_paragraphs, ident, prose, prose_opt};
use crate::ir::*;

/// A string enum, with its model table when it is a models type.
pub(super) fn enumeration(e: &EnumIr) -> TokenStream {
    let name = ident(&e.rust_name);
    let name_str = e.rust_name.as_str();
    let mut doc_notes = Vec::new();
    if e.has_unknown {
        doc_notes
            .push(Some("Values this client does not know are kept in `Unknown` and sent back unchanged.".to_string()));
    }
    if let Some(default) = e.models.as_ref().and_then(|m| m.default.as_ref()) {
        doc_notes.push(Some(format!("The provider uses `{default}` when a request names no model.")));
    }
    let mut paragraphs = vec![prose_opt(&e.docs)];
    paragraphs.extend(doc_notes);
    let doc = doc_paragraphs(&paragraphs);
    let variants = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let mut wire_doc = format!("`{}`", v.wire);
        if !v.aliases.is_empty() {
            let a: Vec<String> = v.aliases.iter().map(|a| format!("`{}`", a.wire)).collect();
            wire_doc.push_str(&format!(" (also accepted: {})", a.join(", ")));
        }
        let doc = doc_paragraphs(&[
            Some(match &v.docs {
                Some(d) => format!("{wire_doc}: {}", prose(d)),
                None => wire_doc,
            }),
            v.deprecated.as_ref().map(|d| format!("**Deprecated:** {}", prose(d))),
        ]);
        quote!(#doc #vn,)
    });
    let unknown_variant = if e.has_unknown {
        quote! {
            /// A value this client does not know, kept as received.
            Unknown(String),
        }
    } else {
        TokenStream::new()
    };
    let derives = if e.has_unknown {
        quote!(#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)])
    } else {
        quote!(#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)])
    };
    let as_str_arms = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let w = &v.wire;
        quote!(Self::#vn => #w,)
    });
    let unknown_as_str = if e.has_unknown { quote!(Self::Unknown(value) => value,) } else { TokenStream::new() };
    let parse_arms = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let spellings = std::iter::once(&v.wire).chain(v.aliases.iter().map(|a| &a.wire));
        quote!(#(#spellings)|* => Ok(Self::#vn),)
    });
    let known: Vec<&String> = e.variants.iter().map(|v| &v.wire).collect();
    let all_variants = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        quote!(Self::#vn)
    });
    let fallback = if e.has_unknown {
        quote!(other => Ok(Self::Unknown(other.to_string())),)
    } else {
        quote!(other => Err(runtime::wire::UnknownValue::new(#name_str, other, Self::KNOWN_VALUES)),)
    };
    let alias_consts = e.variants.iter().flat_map(|v| {
        let vn = ident(&v.rust_name);
        v.aliases.iter().filter(|a| a.deprecated.is_some()).map(move |a| {
            let c = ident(&a.const_name);
            let note = a.deprecated.clone().unwrap_or_default();
            let doc = format!(
                " The retired name `{}`, under the variant name it had; parses and sends as `{}`. \
                 Kept so code written against the older docs compiles, in `match` patterns too.",
                a.wire, v.wire
            );
            quote! {
                #[doc = #doc]
                #[deprecated(note = #note)]
                #[allow(non_upper_case_globals)]
                pub const #c: Self = Self::#vn;
            }
        })
    });
    let is_unknown = if e.has_unknown {
        quote! {
            /// Whether this is a value the client does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }
    } else {
        TokenStream::new()
    };
    let table = e.models.as_ref().map(|m| model_table(e, m)).unwrap_or_default();
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #unknown_variant
        }

        impl #name {
            /// Every value this client knows, in documentation order.
            pub const ALL: &'static [Self] = &[#(#all_variants),*];

            /// The wire spellings of [`Self::ALL`].
            pub const KNOWN_VALUES: &'static [&'static str] = &[#(#known),*];

            #(#alias_consts)*

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str_arms)*
                    #unknown_as_str
                }
            }

            /// Parses a wire value, accepting documented aliases.
            pub fn from_wire(value: &str) -> Result<Self, runtime::wire::UnknownValue> {
                match value {
                    #(#parse_arms)*
                    #fallback
                }
            }

            #is_unknown
        }

        runtime::wire::string_enum_traits!(#name);

        #table
    }
}
