//! Constructors and setters of request-side structs: `new` from the required fields,
//! a `with_*` setter per optional one, `with_extra`.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{quote, ToTokens};
use serde_json::Value;

use crate::emit::{doc_paragraphs, ident, prose, type_tokens};
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
        let t = param_type(f);
        quote!(#n: #t)
    });
    let inits = s.fields.iter().map(|f| {
        let given = required.iter().any(|r| r.rust_name == f.rust_name).then(|| argument(f));
        field_init(f, given)
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
    let constructors = s.constructors.iter().map(|c| named_constructor(s, c));
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

            #(#constructors)*

            #(#setters)*
            #extra_setter
        }
    }
}

/// The type a constructor takes for a field: what its value is built from.
fn param_type(f: &FieldIr) -> TokenStream {
    if matches!(f.presence, Presence::Nullable { .. }) {
        // `None` is the explicit `null` the docs allow for a key they require.
        let t = type_tokens(&f.ty);
        quote!(Option<#t>)
    } else if takes_into_string(&f.ty) {
        quote!(impl Into<String>)
    } else if let Some(t) = boxed(&f.ty) {
        quote!(#t)
    } else {
        type_tokens(&f.ty)
    }
}

/// The field's value from the constructor argument of the same name.
fn argument(f: &FieldIr) -> TokenStream {
    let n = ident(&f.rust_name);
    // A nullable field takes an `Option`, made a `Nullable` by `into()`.
    if matches!(f.presence, Presence::Nullable { .. }) || takes_into_string(&f.ty) {
        quote!(#n.into())
    } else if boxed(&f.ty).is_some() {
        quote!(Box::new(#n))
    } else {
        quote!(#n)
    }
}

/// `field: value,` in a struct literal: `given` (already of the field's Rust type)
/// held as the field's presence holds it, or the field's unset state.
fn field_init(f: &FieldIr, given: Option<TokenStream>) -> TokenStream {
    let n = ident(&f.rust_name);
    // `name: name` is written `name` (clippy's `redundant_field_names`).
    if given.as_ref().is_some_and(|value| n == value.to_string())
        && matches!(f.presence, Presence::Required | Presence::DefaultEmpty | Presence::Nullable { required: true })
    {
        return quote!(#n,);
    }
    match (given, f.presence) {
        (None, Presence::Optional) => quote!(#n: None,),
        (None, _) => quote!(#n: Default::default(),),
        (Some(value), Presence::Required | Presence::DefaultEmpty) => quote!(#n: #value,),
        (Some(value), Presence::RequiredTolerant | Presence::Optional) => quote!(#n: Some(#value),),
        (Some(value), Presence::Nullable { required: true }) => quote!(#n: #value,),
        (Some(value), Presence::Nullable { required: false }) => quote!(#n: runtime::Nullable::Value(#value),),
    }
}

/// A named constructor: `Content::user(parts)`, `Part::text("a cat")`.
fn named_constructor(s: &StructIr, c: &ConstructorIr) -> TokenStream {
    let ConstructorIr { fn_name, docs, kind } = c;
    let name = ident(fn_name);
    let doc = doc_paragraphs(&[Some(prose(docs))]);
    let extra = if s.multipart {
        TokenStream::new()
    } else {
        let extra = ident(crate::ir::naming::EXTRA_FIELDS);
        quote!(#extra: serde_json::Map::new(),)
    };
    match kind {
        ConstructorKind::Declared { args, set } => {
            let field = |n: &RustIdent| {
                s.fields.iter().find(|f| &f.rust_name == n).expect("the lowering names fields of this struct")
            };
            let params = args.iter().map(|a| {
                let f = field(a);
                let (n, t) = (ident(&f.rust_name), param_type(f));
                quote!(#n: #t)
            });
            let inits = s.fields.iter().map(|f| {
                let given = if args.contains(&f.rust_name) {
                    Some(argument(f))
                } else {
                    set.iter().find(|(n, _)| n == &f.rust_name).map(|(_, value)| fixed_value(f, value))
                };
                field_init(f, given)
            });
            let allow = if args.len() > 7 { quote!(#[allow(clippy::too_many_arguments)]) } else { TokenStream::new() };
            quote! {
                #doc
                #allow
                pub fn #name(#(#params),*) -> Self {
                    Self { #(#inits)* #extra }
                }
            }
        }
        ConstructorKind::Member { one_of, variant, ty } => {
            let (one_of, variant) = (ident(one_of), ident(variant));
            let (param, value) = if takes_into_string(ty) {
                (quote!(impl Into<String>), quote!(value.into()))
            } else if let Some(t) = boxed(ty) {
                (quote!(#t), quote!(Box::new(value)))
            } else {
                (type_tokens(ty), quote!(value))
            };
            quote! {
                #doc
                pub fn #name(value: #param) -> Self {
                    Self::new(#one_of::#variant(#value))
                }
            }
        }
    }
}

/// A fixed value of a declared constructor, as the field's Rust type spells it.
fn fixed_value(f: &FieldIr, value: &FixedValue) -> TokenStream {
    match (value, &f.ty) {
        (FixedValue::Variant { rust_enum, variant }, _) => {
            let (e, v) = (ident(rust_enum), ident(variant));
            quote!(#e::#v)
        }
        (FixedValue::Scalar(Value::String(text)), ty) if takes_into_string(ty) => quote!(#text.to_string()),
        (FixedValue::Scalar(Value::Bool(b)), _) => quote!(#b),
        (FixedValue::Scalar(Value::Number(n)), ty) => {
            fn wrong<T>(n: &serde_json::Number, ty: &RustType) -> T {
                unreachable!("the checker refuses {n} for a field of type {ty:?}")
            }
            match ty {
                RustType::U32 => {
                    Lit::u32_unsuffixed(n.as_u64().and_then(|v| u32::try_from(v).ok()).unwrap_or_else(|| wrong(n, ty)))
                }
                RustType::U64 => Lit::u64_unsuffixed(n.as_u64().unwrap_or_else(|| wrong(n, ty))),
                RustType::I64 => Lit::i64_unsuffixed(n.as_i64().unwrap_or_else(|| wrong(n, ty))),
                _ => Lit::f64_unsuffixed(n.as_f64().unwrap_or_else(|| wrong(n, ty))),
            }
            .into_token_stream()
        }
        (FixedValue::Scalar(other), ty) => unreachable!("the checker refuses `{other}` for a field of type {ty:?}"),
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
