//! One-ofs: an enum with a variant per member, serialized as an object with exactly one key.

use proc_macro2::TokenStream;
use quote::quote;

use super::deserialize::{map_deserialize, member_arms};
use super::images::collect_images_one_of;
use crate::emit::{doc_paragraphs, ident, prose_opt, type_tokens};
use crate::ir::*;

/// A one-of: the enum, its `Serialize` and one-pass `Deserialize`, `AsScalar`, and
/// `CollectImages` when it is a response type (empty when no member can carry an image).
pub(super) fn one_of(o: &OneOfIr) -> TokenStream {
    let name = ident(&o.rust_name);
    let images = if o.usage.response { collect_images_one_of(o) } else { TokenStream::new() };
    let fields: Vec<&String> = o.variants.iter().map(|v| &v.wire).collect();
    let expecting = format!(
        "an object with exactly one of {}",
        fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
    );
    let doc = doc_paragraphs(&[
        prose_opt(&o.docs),
        Some(format!(
            "On the wire, an object with exactly one of {}.",
            fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        )),
    ]);
    let variants = o.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let t = type_tokens(&v.ty);
        let d = doc_paragraphs(&[Some(format!("`{}`", v.wire)), prose_opt(&v.docs)]);
        quote!(#d #vn(#t),)
    });
    let unknown = if o.open {
        quote! {
            /// A member this client does not know, kept as received.
            Unknown(serde_json::Map<String, serde_json::Value>),
        }
    } else {
        TokenStream::new()
    };
    let ser_arms = o.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let w = &v.wire;
        quote! {
            Self::#vn(value) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(#w, value)?;
                map.end()
            }
        }
    });
    let ser_unknown =
        if o.open { quote!(Self::Unknown(members) => members.serialize(serializer),) } else { TokenStream::new() };
    let de_arms = member_arms(o, &format!("{expecting} was expected"));
    let deserialize = if o.open {
        map_deserialize(
            &name,
            &expecting,
            quote! {
                let mut member = None;
                let mut unknown = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        #(#de_arms)*
                        _ => { unknown.insert(key, map.next_value()?); }
                    }
                }
                Ok(match member { Some(member) => member, None => #name::Unknown(unknown) })
            },
        )
    } else {
        map_deserialize(
            &name,
            &expecting,
            quote! {
                const KNOWN: &[&str] = &[#(#fields),*];
                let mut member = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        #(#de_arms)*
                        _ => runtime::fields::skip_unknown_member(&mut map, &key, KNOWN)?,
                    }
                }
                match member {
                    Some(member) => Ok(member),
                    None => Err(serde::de::Error::custom(#expecting)),
                }
            },
        )
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #unknown
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                match self {
                    #(#ser_arms)*
                    #ser_unknown
                }
            }
        }

        #deserialize

        impl runtime::AsScalar for #name {
            fn as_scalar(&self) -> runtime::Scalar<'_> {
                runtime::Scalar::Other
            }
        }

        #images
    }
}
