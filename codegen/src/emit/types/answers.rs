//! The answers of an operation whose success statuses have bodies of their own: an
//! enum with one variant per documented status and `Other` for any other success,
//! kept whole (a paid-for answer is never lost to a status the docs forgot).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::emit::{doc_paragraphs, prose_opt, type_tokens};
use crate::ir::*;

pub(super) fn answers(a: &StatusAnswersIr) -> TokenStream {
    let StatusAnswersIr { rust_name, variants, accept: _ } = a;
    let doc = format!(" What the operation answers, by success status; read by [`{rust_name}::from_answer`].");
    let members = variants.iter().map(|v| {
        let StatusVariantIr { status, rust_name, docs, json: _, binary: _ } = v;
        let held = held(v);
        let doc = doc_paragraphs(&[Some(format!("`{status}`.")), prose_opt(docs)]);
        quote! {
            #doc
            #rust_name(#held),
        }
    });
    let serialize_arms = variants.iter().map(|v| {
        let name = &v.rust_name;
        quote!(Self::#name(value) => serde::Serialize::serialize(value, serializer),)
    });
    let arms = variants.iter().map(|v| {
        let status = Literal::u16_unsuffixed(v.status);
        let name = &v.rust_name;
        let value = match (&v.json, v.binary) {
            (Some(_), true) => quote!(http.json_or_binary_answer(answer)?),
            (Some(_), false) => quote!(http.json_answer(answer)?),
            (None, _) => quote!(answer.binary()),
        };
        quote!(#status => Self::#name(#value),)
    });
    let images = if a.holds_images() { super::images::collect_images_answers(a) } else { TokenStream::new() };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #rust_name {
            #(#members)*
            /// A success status the docs do not list, kept whole: its status, headers and body.
            Other(runtime::RawAnswer),
        }

        impl #rust_name {
            /// Decodes a success answer by its status: each documented status's body as the
            /// spec says, any other kept as it is. A body that does not parse is a
            /// `runtime::Error::Decode` keeping the status and the raw body.
            pub fn from_answer(http: &runtime::HttpClient, answer: runtime::RawAnswer) -> Result<Self, runtime::Error> {
                Ok(match answer.status() {
                    #(#arms)*
                    _ => Self::Other(answer),
                })
            }
        }

        /// Serialized as the answer's body: its JSON, or raw bytes described by their
        /// media type and length (what the call-by-name table prints and a job error keeps).
        impl serde::Serialize for #rust_name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    Self::Other(answer) => serde::Serialize::serialize(answer, serializer),
                }
            }
        }

        #images
    }
}

/// The Rust type a status's body is held as.
pub(crate) fn held(v: &StatusVariantIr) -> TokenStream {
    match (&v.json, v.binary) {
        (Some(t), true) => {
            let t = type_tokens(t);
            quote!(runtime::JsonOrBinary<#t>)
        }
        (Some(t), false) => type_tokens(t),
        (None, _) => quote!(runtime::BinaryBody),
    }
}
