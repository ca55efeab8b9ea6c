//! The typed response headers of an operation: a struct with one `Option` per
//! documented header, read tolerantly (a header that is missing or does not parse is
//! `None`; its raw text stays in `Response::headers`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{doc_paragraphs, prose_opt, type_tokens};
use crate::ir::*;

pub(super) fn headers(h: &HeadersIr) -> TokenStream {
    let HeadersIr { rust_name, fields } = h;
    let doc = " The response headers the docs describe, typed; read with `Response::typed_headers`.";
    let members = fields.iter().map(|f| {
        let HeaderFieldIr { name, rust_name, ty, docs } = f;
        let ty = type_tokens(ty);
        let doc = doc_paragraphs(&[Some(format!("`{name}`.")), prose_opt(docs)]);
        quote! {
            #doc
            pub #rust_name: Option<#ty>,
        }
    });
    let reads = fields.iter().map(|f| {
        let HeaderFieldIr { name, rust_name, ty, docs: _ } = f;
        let read = match ty {
            RustType::String => quote!(runtime::binary::header_text(headers, #name).map(str::to_string)),
            _ => quote!(runtime::binary::header_value(headers, #name)),
        };
        quote!(#rust_name: #read,)
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct #rust_name {
            #(#members)*
        }

        impl runtime::FromHeaders for #rust_name {
            fn from_headers(headers: &runtime::binary::HeaderMap) -> Self {
                Self {
                    #(#reads)*
                }
            }
        }
    }
}
