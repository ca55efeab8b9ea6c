//! `to_multipart()` for a multipart form: text fields as text parts, files as file parts.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::ident;
use crate::ir::*;

/// `to_multipart()`: each form field as a part, files as file parts.
pub(super) fn multipart_parts(s: &StructIr) -> TokenStream {
    let name = ident(&s.rust_name);
    let mut out = TokenStream::new();
    // Fields in the query or headers are not parts of the form.
    for f in s.fields.iter().filter(|f| f.location == Location::Body) {
        let n = ident(&f.rust_name);
        let part = f.part_names.first().cloned().unwrap_or_else(|| f.wire_name.clone());
        let push = |value: TokenStream, ty: &RustType| -> TokenStream {
            match ty {
                RustType::File => quote!(parts.push_file(#part, #value);),
                RustType::String | RustType::Url | RustType::DataUrl => {
                    quote!(parts.push_text(#part, #value.as_str());)
                }
                RustType::Named(_) => quote!(parts.push_text(#part, #value.as_str());),
                RustType::Json => quote!(parts.push_text(#part, #value.to_string());),
                _ => quote!(parts.push_text(#part, #value.to_string());),
            }
        };
        let stmt = match &f.ty {
            RustType::Vec(inner) | RustType::OneOrMany(inner) => {
                let one = push(quote!(item), inner);
                let iter =
                    if matches!(f.ty, RustType::OneOrMany(_)) { quote!(value.as_slice()) } else { quote!(value) };
                quote!(for item in #iter.iter() { #one })
            }
            other => push(quote!(value), other),
        };
        out.extend(match f.presence {
            Presence::Required | Presence::DefaultEmpty => quote!({ let value = &self.#n; #stmt }),
            Presence::Optional | Presence::RequiredTolerant => quote!(if let Some(value) = &self.#n { #stmt }),
            Presence::Nullable { .. } => unreachable!("the checker refuses `nullable` fields in multipart forms"),
        });
    }
    quote! {
        impl #name {
            /// The form as `multipart/form-data` parts: text fields as text, files as file parts
            /// (sharing their bytes, not copying them).
            pub fn to_multipart(&self) -> runtime::MultipartForm {
                let mut parts = runtime::MultipartForm::new();
                #out
                parts
            }
        }
    }
}
