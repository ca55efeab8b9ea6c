//! Constructors and setters of request-side structs: `new` from the required fields,
//! a `with_*` setter per optional one, `with_extra`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{ident, type_tokens};
use crate::ir::*;

/// `new` from the required fields, `with_*` setters for the optional ones, and `with_extra`.
pub(super) fn builder(s: &StructIr) -> TokenStream {
    let name = ident(&s.rust_name);
    let required: Vec<&FieldIr> = s
        .fields
        .iter()
        .filter(|f| {
            matches!(
                f.presence,
                Presence::Required | Presence::RequiredTolerant | Presence::Nullable { required: true }
            )
        })
        .collect();
    let params = required.iter().map(|f| {
        let n = ident(&f.rust_name);
        if matches!(f.presence, Presence::Nullable { .. }) {
            // `None` is the explicit `null` the docs allow for a key they require.
            let t = type_tokens(&f.ty);
            quote!(#n: Option<#t>)
        } else if takes_into_string(&f.ty) {
            quote!(#n: impl Into<String>)
        } else if let Some(t) = boxed(&f.ty) {
            quote!(#n: #t)
        } else {
            let t = type_tokens(&f.ty);
            quote!(#n: #t)
        }
    });
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let conv = if takes_into_string(&f.ty) {
            quote!(#n.into())
        } else if boxed(&f.ty).is_some() {
            quote!(Box::new(#n))
        } else {
            quote!(#n)
        };
        match f.presence {
            Presence::Required if takes_into_string(&f.ty) || boxed(&f.ty).is_some() => quote!(#n: #conv,),
            Presence::Required => quote!(#n,),
            Presence::RequiredTolerant => quote!(#n: Some(#conv),),
            Presence::Optional => quote!(#n: None,),
            Presence::DefaultEmpty | Presence::Nullable { required: false } => quote!(#n: Default::default(),),
            Presence::Nullable { required: true } => quote!(#n: #n.into(),),
        }
    });
    let required_names: Vec<String> = required
        .iter()
        .map(|f| match f.presence {
            Presence::Nullable { .. } => format!("`{}`, where `None` sends `null`", f.wire_name),
            _ => format!("`{}`", f.wire_name),
        })
        .collect();
    let new_doc = if required_names.is_empty() {
        " Creates a value with every optional field unset.".to_string()
    } else {
        format!(
            " Creates a value from its required fields ({}); optional fields start unset.",
            required_names.join(", ")
        )
    };
    let setters = s
        .fields
        .iter()
        .filter(|f| {
            matches!(f.presence, Presence::Optional | Presence::DefaultEmpty | Presence::Nullable { required: false })
        })
        .map(|f| {
            let n = ident(&f.rust_name);
            // `with_self`, not `with_self_`: the escape is needed only where the name stands alone.
            let setter = crate::emit::setter_name(f);
            let doc = match f.presence {
                Presence::Nullable { .. } => format!(
                    " Sets `{}` to a value (`{}` is public: set it to `runtime::Nullable::Null` to send `null`).",
                    f.wire_name, f.rust_name
                ),
                _ => format!(" Sets `{}`.", f.wire_name),
            };
            let t = type_tokens(&f.ty);
            let (param, value) = if takes_into_string(&f.ty) {
                (quote!(impl Into<String>), quote!(value.into()))
            } else if let Some(t) = boxed(&f.ty) {
                (quote!(#t), quote!(Box::new(value)))
            } else {
                (t, quote!(value))
            };
            let assign = match f.presence {
                Presence::DefaultEmpty => quote!(self.#n = #value;),
                Presence::Nullable { .. } => quote!(self.#n = runtime::Nullable::Value(#value);),
                _ => quote!(self.#n = Some(#value);),
            };
            quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self, value: #param) -> Self {
                    #assign
                    self
                }
            }
        });
    let too_many = required.len() > 7;
    let allow = if too_many { quote!(#[allow(clippy::too_many_arguments)]) } else { TokenStream::new() };
    // Multipart forms have no JSON form, so no JSON extra fields.
    let (extra_init, extra_setter) = if s.multipart {
        (TokenStream::new(), TokenStream::new())
    } else {
        let extra = ident(crate::ir::naming::EXTRA_FIELDS);
        (
            quote!(#extra: serde_json::Map::new(),),
            quote! {
                /// Adds a field the spec does not describe, sent as it is beside the typed
                /// fields (for a parameter the provider added before this client caught up).
                /// A key that names a typed field fails validation.
                #[must_use]
                pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                    self.#extra.insert(key.into(), value.into());
                    self
                }
            },
        )
    };
    quote! {
        impl #name {
            #[doc = #new_doc]
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #extra_init }
            }

            #(#setters)*
            #extra_setter
        }
    }
}

/// Whether a constructor parameter of this type takes `impl Into<String>`.
fn takes_into_string(t: &RustType) -> bool {
    matches!(t, RustType::String | RustType::Url | RustType::DataUrl)
}

/// A field held as `Box<T>` (it closes a cycle of types): constructors and setters
/// take the `T` and box it, so callers never write `Box::new`.
fn boxed(t: &RustType) -> Option<proc_macro2::Ident> {
    match t {
        RustType::Named(n) if n.boxed => Some(ident(&n.rust_name)),
        _ => None,
    }
}
