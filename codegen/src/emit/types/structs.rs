//! A struct: its fields with their docs, the `extra` member, `<field>_or_default()`
//! accessors, and the impls other files of this folder emit for it.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{quote, ToTokens};
use serde_json::Value;

use super::builder::builder;
use super::deserialize::object_deserialize;
use super::images::collect_images_struct;
use super::inline_image::inline_image_constructors;
use super::multipart::multipart_parts;
use super::params::request_params;
use crate::emit::{doc_paragraphs, ident, prose, prose_opt, type_tokens};
use crate::ir::*;

/// A struct and every impl it gets.
pub(super) fn strukt(s: &StructIr, api: &Api) -> TokenStream {
    // Every fact of the struct is named here, so a new one cannot be forgotten.
    let StructIr {
        rust_name,
        docs,
        deprecated,
        fields: _,
        rules: _, // `validate.rs`
        usage,
        multipart,
        params_only: _, // `params.rs`
        inline_image,
        holds_images: _, // every response type gets `CollectImages`
        constructors: _, // `builder.rs`
    } = s;
    let name = ident(rust_name);
    let doc = doc_paragraphs(&[prose_opt(docs), deprecated.as_ref().map(|d| format!("**Deprecated:** {}", prose(d)))]);
    // Multipart forms carry files, which have no JSON form.
    let serde = !*multipart;
    let mut fields: Vec<TokenStream> = s.fields.iter().map(|f| field_tokens(f, serde)).collect();
    if serde {
        fields.push(extra_fields_member(s));
    }
    let all_defaultable = s.fields.iter().all(|f| {
        matches!(
            f.presence,
            Presence::Optional | Presence::RequiredTolerant | Presence::DefaultEmpty | Presence::Nullable { .. }
        )
    });
    // A struct with a secret writes its own `Debug`, which hides the secret.
    let secrets = s.fields.iter().any(|f| f.secret);
    let mut derives = vec![quote!(Clone), quote!(PartialEq)];
    if !secrets {
        derives.insert(0, quote!(Debug));
    }
    let debug = if secrets { debug_redacting(s, serde) } else { TokenStream::new() };
    if all_defaultable {
        derives.push(quote!(Default));
    }
    if serde {
        derives.push(quote!(Serialize));
    }
    let deserialize = if serde { object_deserialize(s, api) } else { TokenStream::new() };
    let builder = if s.is_request_side() { builder(s) } else { TokenStream::new() };
    let defaults = defaults(s, api);
    let inline_image = inline_image.as_ref().map(|image| inline_image_constructors(s, image)).unwrap_or_default();
    // Every response type has `CollectImages` (empty when it cannot hold one): a call
    // that saves its answer's images (`RequestOptions::save_images_to`) looks for them.
    let images = if usage.response { collect_images_struct(s) } else { TokenStream::new() };
    let multipart = if *multipart { multipart_parts(s) } else { TokenStream::new() };
    let params = request_params(s);
    quote! {
        #doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #debug
        #deserialize
        #builder
        #inline_image
        #defaults
        #images
        #multipart
        #params
    }
}

fn field_tokens(f: &FieldIr, serde: bool) -> TokenStream {
    // Every fact of the field is named here, so a new one cannot be forgotten.
    let FieldIr {
        wire_name,
        rust_name,
        ty,
        presence,
        default: _,      // `field_docs` and `defaults`
        default_when: _, // `field_docs`, `defaults` and the model selectors of `validate.rs`
        docs: _,         // `field_docs`
        deprecated: _,   // `field_docs`
        families: _,     // `field_docs`
        constraints: _,  // `field_docs`, `validate.rs`
        flatten,
        part_names: _,        // `multipart.rs`
        repeats_images_of: _, // `images.rs`
        location,
        usage: _,      // `field_docs`; the operations' `OperationInfo::usage` in `client.rs`
        secret: _,     // `field_docs`, `debug_redacting`; the client's `with_secrets` in `client.rs`
        null_items: _, // `deserialize.rs`
    } = f;
    let name = ident(rust_name);
    let ty = type_tokens(ty);
    let doc = field_docs(f);
    let mut attrs = Vec::new();
    if rust_name.unraw() != wire_name && !flatten {
        attrs.push(quote!(rename = #wire_name));
    }
    // A field sent in the query or a header is read from JSON like any other (a call
    // by name gives every field in one object) but never written into the body.
    let in_body = *location == Location::Body;
    let held = match presence {
        Presence::Required => ty,
        Presence::DefaultEmpty => {
            attrs.push(quote!(default));
            ty
        }
        Presence::Optional | Presence::RequiredTolerant if in_body => {
            attrs.push(quote!(default, skip_serializing_if = "Option::is_none"));
            quote!(Option<#ty>)
        }
        Presence::Optional | Presence::RequiredTolerant => {
            attrs.push(quote!(default));
            quote!(Option<#ty>)
        }
        Presence::Nullable { .. } => {
            attrs.push(quote!(default, skip_serializing_if = "runtime::Nullable::is_absent"));
            quote!(runtime::Nullable<#ty>)
        }
    };
    if !in_body {
        attrs.push(quote!(skip_serializing));
    }
    if *flatten {
        attrs.push(quote!(flatten));
    }
    let serde_attr = if serde && !attrs.is_empty() { quote!(#[serde(#(#attrs),*)]) } else { TokenStream::new() };
    quote! {
        #doc
        #serde_attr
        pub #name: #held,
    }
}

fn field_docs(f: &FieldIr) -> TokenStream {
    let mut notes = Vec::new();
    match (&f.default, f.default_when.as_slice()) {
        (Some(d), []) => notes.push(format!("Default: `{}`.", show_value(d))),
        (default, conditional) => {
            let mut cases: Vec<String> =
                conditional.iter().map(|d| format!("`{}` when {}", show_value(&d.value), d.description)).collect();
            if let Some(d) = default {
                cases.push(format!("`{}` otherwise", show_value(d)));
            }
            if !cases.is_empty() {
                notes.push(format!("Default: {}.", cases.join("; ")));
            }
        }
    }
    let c = &f.constraints;
    match (c.min, c.max) {
        (Some(a), Some(b)) => notes.push(format!("Range: {}..={}.", num(a), num(b))),
        (Some(a), None) => notes.push(format!("Minimum: {}.", num(a))),
        (None, Some(b)) => notes.push(format!("Maximum: {}.", num(b))),
        _ => {}
    }
    if let Some(step) = c.multiple_of {
        notes.push(format!("A multiple of {}.", num(step)));
    }
    if let Some(max) = c.max_items {
        notes.push(format!("At most {max} items."));
    }
    if let Some(pattern) = &c.pattern {
        notes.push(format!("Matches the pattern `{pattern}`."));
    }
    if let Some((min, max)) = &c.aspect_ratio {
        notes.push(format!("An aspect ratio `W:H` between {max} and {min}."));
    }
    if let Some(limits) = &c.image_limits {
        notes.push(format!("Image size, checked by `validate()` from the image's header: {}.", limits.describe()));
    }
    if f.secret {
        notes.push(
            "A secret: `Debug` shows `<redacted>`, and a call's dry run, request log and errors never show it."
                .to_string(),
        );
    }
    if !c.schemes.is_empty() {
        let mut s = format!("URL schemes: {}", c.schemes.join(", "));
        if c.allow_data_url {
            s.push_str(", or a base64 data URL");
        }
        notes.push(format!("{s}."));
    }
    if c.base64_text {
        notes.push(if c.allow_data_url {
            "Base64 text, or a `data:<mime>;base64,` URL.".to_string()
        } else {
            "Base64 text.".to_string()
        });
    }
    if !f.families.is_empty() {
        notes.push(format!("Applies to {} models only; others ignore it.", f.families.join(", ")));
    }
    if let Some(kind) = f.usage {
        let attribute = match kind {
            TokenKind::Input => "gen_ai.usage.input_tokens",
            TokenKind::Output => "gen_ai.usage.output_tokens",
        };
        notes.push(format!("Recorded on the call's tracing span as `{attribute}`."));
    }
    match f.presence {
        Presence::Nullable { required: true } => {
            notes.push("May be `null`, which is kept apart from a missing key; the docs require the key.".to_string())
        }
        Presence::Nullable { required: false } => {
            notes.push("May be `null`, which is kept apart from a missing key.".to_string())
        }
        _ => {}
    }
    if matches!(f.presence, Presence::RequiredTolerant) {
        notes
            .push("Always sent by the docs' account; kept optional so responses that omit it still parse.".to_string());
    }
    match f.location {
        Location::Body => {}
        Location::Query(style) => {
            let list = match (&f.ty, style) {
                (RustType::Vec(_), QueryStyle::Repeat) => " (a list repeats the key)",
                (RustType::Vec(_), QueryStyle::Comma) => " (a list as one comma-separated value)",
                _ => "",
            };
            notes.push(format!("Sent as the query parameter `{}`{list}, not in the body.", f.wire_name));
        }
        Location::Header => notes.push(format!("Sent as the `{}` header, not in the body.", f.wire_name)),
    }
    if let Some(original) = &f.repeats_images_of {
        notes.push(format!(
            "Its images repeat those of `{original}`: `images()` reads them only when `{original}` holds none."
        ));
    }
    let deprecated = f.deprecated.as_ref().map(|d| format!("**Deprecated:** {}", prose(d)));
    let notes = (!notes.is_empty()).then(|| notes.join(" "));
    doc_paragraphs(&[prose_opt(&f.docs), notes, deprecated])
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

fn show_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The `extra` member: what the spec does not describe, kept from responses and sent
/// with requests.
/// `Debug` as the derive writes it, each secret field shown as `<redacted>` when set.
fn debug_redacting(s: &StructIr, serde: bool) -> TokenStream {
    let name = ident(&s.rust_name);
    let label = s.rust_name.as_str();
    let fields = s.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let shown = f.rust_name.unraw();
        let value = match (f.secret, f.presence) {
            (false, _) => quote!(&self.#n),
            (true, Presence::Required) => quote!(&runtime::Redacted),
            // The checker allows secrets on text fields only, never nullable ones.
            (true, _) => quote!(&self.#n.as_ref().map(|_| runtime::Redacted)),
        };
        quote!(.field(#shown, #value))
    });
    let extra = serde.then(|| {
        let n = ident(crate::ir::naming::EXTRA_FIELDS);
        let shown = crate::ir::naming::EXTRA_FIELDS;
        quote!(.field(#shown, &self.#n))
    });
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#label) #(#fields)* #extra .finish()
            }
        }
    }
}

fn extra_fields_member(s: &StructIr) -> TokenStream {
    let name = ident(crate::ir::naming::EXTRA_FIELDS);
    let doc = if s.is_request_side() {
        " Fields the spec does not describe. Sent as they are beside the typed fields: the way to\n          pass a parameter the provider added before this client caught up (a key that names a\n          typed field is a validation error). In a response, every field the server sent that\n          has no typed field above."
    } else {
        " Every field the server sent that has no typed field above, kept as received."
    };
    quote! {
        #[doc = #doc]
        #[serde(flatten)]
        pub #name: serde_json::Map<String, serde_json::Value>,
    }
}

/// `<field>_or_default()` accessors for optional scalar fields with a documented default.
fn defaults(s: &StructIr, api: &Api) -> TokenStream {
    let name = ident(&s.rust_name);
    let accessors: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| f.presence == Presence::Optional)
        .filter_map(|f| {
            let default = f.default.as_ref()?;
            let n = ident(&f.rust_name);
            // `self_` (an escaped keyword) must not give `self__or_default`, which is not snake case.
            let method = f.rust_name.derived("", "_or_default");
            let doc = if f.default_when.is_empty() {
                format!(" `{}`, or its documented default `{}` when unset.", f.wire_name, show_value(default))
            } else {
                format!(" `{}`, or, when unset, its documented default for this request (see the field).", f.wire_name)
            };
            if !f.default_when.is_empty() {
                let body = conditional_default(api, f)?;
                let ret = match &f.ty {
                    RustType::String => quote!(&str),
                    other => crate::emit::type_tokens(other),
                };
                return Some(quote! {
                    #[doc = #doc]
                    pub fn #method(&self) -> #ret {
                        #body
                    }
                });
            }
            let (ret, body) = match (&f.ty, default) {
                (RustType::Bool, Value::Bool(b)) => (quote!(bool), quote!(self.#n.unwrap_or(#b))),
                (RustType::U32, Value::Number(v)) => {
                    let l = Lit::u32_unsuffixed(v.as_u64()? as u32);
                    (quote!(u32), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::U64, Value::Number(v)) => {
                    let l = Lit::u64_unsuffixed(v.as_u64()?);
                    (quote!(u64), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::I64, Value::Number(v)) => {
                    let l = Lit::i64_unsuffixed(v.as_i64()?);
                    (quote!(i64), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::F64, Value::Number(v)) => {
                    let l = Lit::f64_unsuffixed(v.as_f64()?);
                    (quote!(f64), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::String, Value::String(v)) => (quote!(&str), quote!(self.#n.as_deref().unwrap_or(#v))),
                (RustType::Named(r), Value::String(v)) if matches!(r.kind, NamedKind::Enum { .. }) => {
                    let variant = find_variant(api, &r.rust_name, v)?;
                    let t = ident(&r.rust_name);
                    let var = ident(&variant);
                    // Enums without a catch-all variant are `Copy`.
                    let value = if matches!(r.kind, NamedKind::Enum { has_unknown: true, .. }) {
                        quote!(self.#n.clone())
                    } else {
                        quote!(self.#n)
                    };
                    (quote!(#t), quote!(#value.unwrap_or(#t::#var)))
                }
                _ => return None,
            };
            Some(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #ret {
                    #body
                }
            })
        })
        .collect();
    if accessors.is_empty() {
        return TokenStream::new();
    }
    quote! {
        impl #name {
            #(#accessors)*
        }
    }
}

/// The body of `<field>_or_default()` for a default that depends on the request:
/// the field's value when set, else the first default whose condition holds, else
/// the plain one. `None` for a type the accessors do not cover.
fn conditional_default(api: &Api, f: &FieldIr) -> Option<TokenStream> {
    let n = ident(&f.rust_name);
    let literal = |v: &Value| -> Option<TokenStream> {
        Some(match (&f.ty, v) {
            (RustType::Bool, Value::Bool(b)) => quote!(#b),
            (RustType::U32, Value::Number(v)) => {
                Lit::u32_unsuffixed(u32::try_from(v.as_u64()?).ok()?).into_token_stream()
            }
            (RustType::U64, Value::Number(v)) => Lit::u64_unsuffixed(v.as_u64()?).into_token_stream(),
            (RustType::I64, Value::Number(v)) => {
                let n = v.as_i64()?;
                let l = Lit::i64_unsuffixed(n.unsigned_abs() as i64);
                if n < 0 {
                    quote!(-#l)
                } else {
                    quote!(#l)
                }
            }
            (RustType::F64, Value::Number(v)) => Lit::f64_unsuffixed(v.as_f64()?).into_token_stream(),
            (RustType::String, Value::String(v)) => quote!(#v),
            (RustType::Named(r), Value::String(v)) if matches!(r.kind, NamedKind::Enum { .. }) => {
                let variant = ident(&find_variant(api, &r.rust_name, v)?);
                let t = ident(&r.rust_name);
                quote!(#t::#variant)
            }
            _ => return None,
        })
    };
    let (scrutinee, value) = match &f.ty {
        RustType::String => (quote!(self.#n.as_deref()), quote!(value)),
        // Enums with a catch-all variant are not `Copy`.
        RustType::Named(r) if matches!(r.kind, NamedKind::Enum { has_unknown: true, .. }) => {
            (quote!(&self.#n), quote!(value.clone()))
        }
        _ => (quote!(self.#n), quote!(value)),
    };
    let mut arms = vec![quote!(Some(value) => #value,)];
    for d in &f.default_when {
        let when = crate::emit::validate::condition(api, &d.when).unwrap_or_else(|| quote!(true));
        let then = literal(&d.value)?;
        arms.push(quote!(None if #when => #then,));
    }
    let otherwise = literal(f.default.as_ref()?)?;
    arms.push(quote!(None => #otherwise,));
    Some(quote! {
        match #scrutinee {
            #(#arms)*
        }
    })
}

fn find_variant(api: &Api, enum_name: &str, wire: &str) -> Option<RustIdent> {
    api.enum_named(enum_name)?.variant_for(wire).map(|v| v.rust_name.clone())
}
