//! `CollectImages` and `images()` for response types that can carry an image.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::ident;
use crate::ir::*;

/// Whether values of this type can hold an image payload (and so implement `CollectImages`).
fn holds_images(t: &RustType) -> bool {
    match t {
        RustType::Base64 => true,
        RustType::Named(n) => n.holds_images,
        RustType::Vec(inner) | RustType::Map(inner) => holds_images(inner),
        _ => false,
    }
}

fn impl_collect_images(name: &str, body: TokenStream) -> TokenStream {
    let name = ident(name);
    let out = if body.is_empty() { quote!(_out) } else { quote!(out) };
    quote! {
        impl runtime::image::CollectImages for #name {
            fn collect_images<'a>(&'a self, #out: &mut Vec<&'a runtime::Base64Data>) {
                #body
            }
        }

        impl #name {
            /// Every image this value carries, in order (the same as `CollectImages::images`,
            /// without importing the trait).
            pub fn images(&self) -> Vec<&runtime::Base64Data> {
                runtime::image::CollectImages::images(self)
            }
        }
    }
}

/// Collects every field that can hold an image, in field order. A field that repeats
/// another's images (`repeats_images_of`) is read last, and only when the field it
/// repeats yielded none.
pub(super) fn collect_images_struct(s: &StructIr) -> TokenStream {
    let collect = |f: &FieldIr| {
        let n = ident(&f.rust_name);
        quote!(runtime::image::CollectImages::collect_images(&self.#n, out);)
    };
    // An escaped keyword (`self_`) must not give `self__images`, which is not snake case.
    let counted = |f: &FieldIr| f.rust_name.derived("", "_images");
    let fields: Vec<&FieldIr> = s.fields.iter().filter(|f| holds_images(&f.ty)).collect();
    let original_of = |f: &FieldIr| fields.iter().copied().find(|o| f.repeats_images_of.as_ref() == Some(&o.wire_name));
    let mut body = TokenStream::new();
    for f in fields.iter().filter(|f| f.repeats_images_of.is_none()) {
        let read = collect(f);
        if fields.iter().any(|r| original_of(r).is_some_and(|o| o.wire_name == f.wire_name)) {
            let count = counted(f);
            body.extend(quote! {
                let before = out.len();
                #read
                let #count = out.len() - before;
            });
        } else {
            body.extend(read);
        }
    }
    for f in &fields {
        if let Some(original) = original_of(f) {
            let (count, read) = (counted(original), collect(f));
            body.extend(quote! {
                if #count == 0 {
                    #read
                }
            });
        }
    }
    impl_collect_images(&s.rust_name, body)
}

/// `CollectImages` for a one-of: each member that can hold an image yields it.
pub(super) fn collect_images_one_of(o: &OneOfIr) -> TokenStream {
    let arms: Vec<(TokenStream, TokenStream)> = o
        .variants
        .iter()
        .filter(|v| holds_images(&v.ty))
        .map(|v| {
            let vn = ident(&v.rust_name);
            (quote!(Self::#vn(value)), quote!(runtime::image::CollectImages::collect_images(value, out)))
        })
        .collect();
    if arms.is_empty() {
        return impl_collect_images(&o.rust_name, TokenStream::new());
    }
    let all_covered = arms.len() == o.variants.len() && !o.open;
    impl_collect_images(&o.rust_name, crate::emit::match_self(arms, all_covered))
}

/// `CollectImages` for the answers of an operation read by status: each documented
/// status whose body can be an image (raw bytes, or JSON with image fields) yields it,
/// so a finished job answered by status hands its image to whoever waited for it.
pub(super) fn collect_images_answers(a: &StatusAnswersIr) -> TokenStream {
    let arms = a
        .variants
        .iter()
        .filter(|v| v.holds_images())
        .map(|v| {
            let vn = &v.rust_name;
            let json_images = v.json.as_ref().is_some_and(RustType::collects_images);
            let pattern = if v.json.is_some() && v.binary && !json_images {
                quote!(Self::#vn(runtime::JsonOrBinary::Binary(value)))
            } else {
                quote!(Self::#vn(value))
            };
            (pattern, quote!(runtime::image::CollectImages::collect_images(value, out)))
        })
        .collect();
    // `Other` (an undocumented status) is never covered: its bytes may be anything.
    impl_collect_images(&a.rust_name, crate::emit::match_self(arms, false))
}
