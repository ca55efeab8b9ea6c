//! One-pass `Deserialize` impls: a struct's keys (typed fields, the member of a
//! flattened one_of, the rest into `extra`) and a one_of's members, in one `visit_map`.

use proc_macro2::TokenStream;
use quote::quote;

use super::one_of_of;
use crate::emit::{ident, type_tokens};
use crate::ir::*;

/// `Deserialize` for a struct, in one pass over the object's keys: typed fields by
/// wire name, the member of a flattened one_of, and everything else into `extra`
/// (or, for a request given as JSON, an error with a suggestion; see
/// `runtime::fields`). serde's derive cannot collect unknown keys without `flatten`,
/// which buffers the whole object and reads every string through its slow checked
/// path (twice the decode time of a 4K image).
pub(super) fn object_deserialize(s: &StructIr, api: &Api) -> TokenStream {
    let name = ident(&s.rust_name);
    let extra = ident(crate::ir::naming::EXTRA_FIELDS);
    let expecting = format!("a `{}` object", s.rust_name);
    let flattened = s.fields.iter().find(|f| f.flatten).and_then(|f| one_of_of(api, &f.ty).map(|o| (f, o)));
    let siblings: Vec<&FieldIr> = s.fields.iter().filter(|f| !f.flatten).collect();
    let field_names: Vec<&str> = s.fields.iter().map(|f| f.rust_name.as_str()).collect();
    let slot = |f: &FieldIr| ident(&crate::ir::naming::deserialize_slot(&f.rust_name, &field_names));
    let slots = siblings.iter().map(|f| {
        let n = slot(f);
        let t = match f.presence {
            Presence::Nullable { .. } => {
                let inner = type_tokens(&f.ty);
                quote!(runtime::Nullable<#inner>)
            }
            _ => type_tokens(&f.ty),
        };
        quote!(let mut #n: Option<#t> = None;)
    });
    let sibling_arms = siblings.iter().map(|f| {
        let n = slot(f);
        let w = &f.wire_name;
        let value = read_value(f);
        quote!(#w => #n = #value,)
    });
    let inits = siblings.iter().map(|f| {
        let (n, local) = (ident(&f.rust_name), slot(f));
        let w = &f.wire_name;
        match f.presence {
            Presence::Optional | Presence::RequiredTolerant if n == local => quote!(#n,),
            Presence::Optional | Presence::RequiredTolerant => quote!(#n: #local,),
            Presence::DefaultEmpty | Presence::Nullable { .. } => quote!(#n: #local.unwrap_or_default(),),
            Presence::Required => quote!(#n: #local.ok_or_else(|| serde::de::Error::missing_field(#w))?,),
        }
    });
    let known = crate::emit::known_keys(s, api);
    let (member_slot, member_arms, member_init) = match flattened {
        None => (TokenStream::new(), Vec::new(), TokenStream::new()),
        Some((flat, o)) => {
            let one_of = ident(&o.rust_name);
            let flat_name = ident(&flat.rust_name);
            let members: Vec<String> = o.variants.iter().map(|v| format!("`{}`", v.wire)).collect();
            let none_msg = format!("expected one of {}", members.join(", "));
            let arms = member_arms(o, &none_msg);
            // With no known member, an open one_of's member is whatever else the object holds.
            let resolve = if o.open {
                quote!(match member { Some(member) => member, None => #one_of::Unknown(std::mem::take(&mut #extra)) })
            } else {
                quote!(match member { Some(member) => member, None => return Err(serde::de::Error::custom(#none_msg)) })
            };
            (quote!(let mut member: Option<#one_of> = None;), arms, quote!(#flat_name: #resolve,))
        }
    };
    map_deserialize(
        &name,
        &expecting,
        quote! {
            const KNOWN: &[&str] = &[#(#known),*];
            #(#slots)*
            #member_slot
            let mut #extra = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    #(#sibling_arms)*
                    #(#member_arms)*
                    _ => runtime::fields::unknown_field(&mut map, key, &mut #extra, KNOWN)?,
                }
            }
            Ok(#name { #member_init #(#inits)* #extra })
        },
    )
}

/// `next_value` for one field: integers go through `WholeNumber`, so `2.0` reads as `2`;
/// lists and maps that leave `null` items out through `runtime::null_items`.
fn read_value(f: &FieldIr) -> TokenStream {
    if f.null_items == NullItems::Dropped {
        let seed = items_seed(&f.ty);
        return match f.presence {
            // `null` for the whole list reads as absent (or, for a required list, empty).
            Presence::Optional | Presence::RequiredTolerant | Presence::DefaultEmpty => {
                quote!(map.next_value_seed(runtime::null_items::OrNull(#seed))?)
            }
            Presence::Nullable { .. } => quote!(Some(map.next_value_seed(runtime::null_items::OrNull(#seed))?.into())),
            Presence::Required => quote!(Some(map.next_value_seed(#seed)?)),
        };
    }
    let whole = matches!(f.ty, RustType::I64 | RustType::U32 | RustType::U64);
    let t = type_tokens(&f.ty);
    match (whole, f.presence) {
        // `null` reads as `Nullable::Null`, kept apart from a missing key.
        (false, Presence::Nullable { .. }) => return quote!(Some(map.next_value()?)),
        (true, Presence::Nullable { .. }) => {
            return quote!(Some(map.next_value::<runtime::Nullable<runtime::fields::WholeNumber<#t>>>()?.map(|n| n.0)))
        }
        // A response that sends `null` for a list or map the docs require has sent an
        // empty one: reading it as an error would lose the whole response.
        (false, Presence::DefaultEmpty) => return quote!(map.next_value::<Option<#t>>()?),
        _ => {}
    }
    let optional = matches!(f.presence, Presence::Optional | Presence::RequiredTolerant);
    match (whole, optional) {
        // `null` reads as absent, as serde's derived impls do for `Option` fields.
        (false, true) => quote!(map.next_value()?),
        (false, false) => quote!(Some(map.next_value()?)),
        (true, true) => quote!(map.next_value::<Option<runtime::fields::WholeNumber<#t>>>()?.map(|n| n.0)),
        (true, false) => quote!(Some(map.next_value::<runtime::fields::WholeNumber<#t>>()?.0)),
    }
}

/// The `runtime::null_items` seed that reads a value of `ty`, leaving out the `null`
/// items of its lists and maps at every depth (`Vec<Vec<T>>` is
/// `ListOf(ListOf(item::<T>()))`); items of type `any` are read whole, `null` included,
/// and integer items through `whole` (`2.0` reads as `2`).
fn items_seed(ty: &RustType) -> TokenStream {
    match ty {
        RustType::Vec(inner) if ty.has_droppable_items() => {
            let inner = items_seed(inner);
            quote!(runtime::null_items::ListOf(#inner))
        }
        RustType::Map(inner) if ty.has_droppable_items() => {
            let inner = items_seed(inner);
            quote!(runtime::null_items::MapOf(#inner))
        }
        RustType::OneOrMany(inner) if ty.has_droppable_items() => {
            let inner = items_seed(inner);
            quote!(runtime::null_items::OneOrManyOf(#inner))
        }
        // Integers as single fields read them: `2.0` is `2`.
        RustType::I64 | RustType::U32 | RustType::U64 => {
            let t = type_tokens(ty);
            quote!(runtime::null_items::whole::<#t>())
        }
        _ => {
            let t = type_tokens(ty);
            quote!(runtime::null_items::item::<#t>())
        }
    }
}

/// The match arms that fill `member` with a one_of's members; a second member is an
/// error, except in response-only open one_ofs, which keep the first.
pub(super) fn member_arms(o: &OneOfIr, duplicate_suffix: &str) -> Vec<TokenStream> {
    let one_of = ident(&o.rust_name);
    // Response-only types keep the first member and ignore the rest; a type that
    // requests carry must not drop a member the caller meant to send.
    let keep_first = o.open && !o.usage.request;
    o.variants
        .iter()
        .map(|v| {
            let vn = ident(&v.rust_name);
            let w = &v.wire;
            let both = format!("`{w}` appears beside another member; {duplicate_suffix}");
            let on_duplicate = if keep_first {
                quote!(if member.is_some() {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    continue;
                })
            } else {
                quote!(if member.is_some() { return Err(serde::de::Error::custom(#both)); })
            };
            let value = match v.null_items {
                NullItems::Dropped => {
                    let seed = items_seed(&v.ty);
                    quote!(map.next_value_seed(#seed)?)
                }
                NullItems::Refused => quote!(map.next_value()?),
            };
            quote!(#w => { #on_duplicate member = Some(#one_of::#vn(#value)); })
        })
        .collect()
}

/// `impl Deserialize` reading a JSON object with one `visit_map` whose body is `body`.
pub(super) fn map_deserialize(name: &proc_macro2::Ident, expecting: &str, body: TokenStream) -> TokenStream {
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct MapVisitor;

                impl<'de> serde::de::Visitor<'de> for MapVisitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        #body
                    }
                }

                deserializer.deserialize_map(MapVisitor)
            }
        }
    }
}
