//! Server-sent event streams: an enum with a variant per event, read by `SseEvent::from_sse`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{doc_paragraphs, ident, prose_opt};
use crate::ir::*;

/// An events enum with an `Unknown` catch-all, and its `SseEvent` impl.
pub(super) fn events(e: &EventsIr) -> TokenStream {
    let name = ident(&e.rust_name);
    let doc = doc_paragraphs(&[
        prose_opt(&e.docs),
        Some("Events of a server-sent event stream; unknown events are kept.".to_string()),
    ]);
    let variants = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let t = ident(&v.data_type);
        let mut d = format!("`{}`", v.event);
        if v.terminal {
            d.push_str(" (completes the stream)");
        }
        let doc = doc_paragraphs(&[Some(d), prose_opt(&v.docs)]);
        quote!(#doc #vn(#t),)
    });
    let arms = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let ev = &v.event;
        quote!(Some(#ev) => serde_json::from_str(data).map(Self::#vn),)
    });
    let terminal: Vec<TokenStream> = e
        .variants
        .iter()
        .filter(|v| v.terminal)
        .map(|v| {
            let vn = ident(&v.rust_name);
            quote!(Self::#vn(_))
        })
        .collect();
    let name_lookup = match &e.discriminator {
        Some(field) => quote! {
            #[derive(Deserialize)]
            struct Discriminator<'a> {
                #[serde(rename = #field, borrow, default)]
                name: Option<std::borrow::Cow<'a, str>>,
            }
            let named = match event {
                Some(e) if !e.is_empty() && e != "message" => Some(std::borrow::Cow::Borrowed(e)),
                _ => serde_json::from_str::<Discriminator<'_>>(data)?.name,
            };
        },
        None => quote! {
            let named = event.filter(|e| !e.is_empty() && *e != "message").map(std::borrow::Cow::Borrowed);
        },
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An event this client does not know, kept as received.
            Unknown {
                /// The event name, if any.
                event: Option<String>,
                /// The event's JSON data.
                data: serde_json::Value,
            },
        }

        impl runtime::SseEvent for #name {
            fn from_sse(event: Option<&str>, data: &str) -> Result<Self, serde_json::Error> {
                #name_lookup
                match named.as_deref() {
                    #(#arms)*
                    _ => Ok(Self::Unknown {
                        event: named.map(|n| n.into_owned()),
                        data: serde_json::from_str(data)?,
                    }),
                }
            }

            fn is_terminal(&self) -> bool {
                matches!(self, #(#terminal)|*)
            }
        }
    }
}
