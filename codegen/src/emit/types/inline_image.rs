//! `from_path`/`from_bytes`/`from_inline_image` for a struct that is one inline image.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::ident;
use crate::ir::*;

/// `from_path`/`from_bytes` for a struct that is one inline image: the caller gives a
/// file or bytes, the MIME type comes from the content (`runtime::image::InlineImage`),
/// so the two fields cannot disagree.
pub(super) fn inline_image_constructors(s: &StructIr, image: &InlineImageIr) -> TokenStream {
    let InlineImageIr { data, data_bare, mime_type, mime_type_bare, mime_kind } = image;
    let name = ident(&s.rust_name);
    let (data, mime_type) = (ident(data), ident(mime_type));
    let mime_value = match mime_kind {
        MimeTypeKind::Text => quote!(image.mime_type.to_string()),
        MimeTypeKind::Enum { rust_name, refuse_unknown } => {
            let e = ident(rust_name);
            // An enum that keeps unknown values would take any type; requests may send
            // only the listed ones, so the refusal comes here, naming what is accepted.
            let guard = if *refuse_unknown { quote!(if !value.is_unknown()) } else { TokenStream::new() };
            quote! {
                match #e::from_wire(image.mime_type) {
                    Ok(value) #guard => value,
                    _ => return Err(image.not_accepted(#e::KNOWN_VALUES)),
                }
            }
        }
    };
    let wrap = |bare: bool, value: TokenStream| if bare { value } else { quote!(Some(#value)) };
    let mime_init = wrap(*mime_type_bare, quote!(detected));
    let data_init = wrap(*data_bare, quote!(image.data));
    // The lowering admitted only structs whose other fields are optional.
    let others = s.fields.iter().filter(|f| ident(&f.rust_name) != data && ident(&f.rust_name) != mime_type).map(|f| {
        let n = ident(&f.rust_name);
        match f.presence {
            Presence::DefaultEmpty | Presence::Nullable { .. } => quote!(#n: Default::default(),),
            _ => quote!(#n: None,),
        }
    });
    let extra = ident(crate::ir::naming::EXTRA_FIELDS);
    let data_wire = s.fields.iter().find(|f| ident(&f.rust_name) == data).map_or("data", |f| f.wire_name.as_str());
    let path_doc = format!(
        " Reads an image file into `{data_wire}`, its MIME type detected from the content (else the \
         file's extension); optional fields start unset."
    );
    let bytes_doc = format!(
        " An image's bytes as `{data_wire}`, its MIME type detected from the content; optional fields \
         start unset. Bytes of no recognised image format are refused."
    );
    quote! {
        impl #name {
            #[doc = #path_doc]
            pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self, runtime::image::InlineImageError> {
                Self::from_inline_image(runtime::image::InlineImage::from_path(path)?)
            }

            #[doc = #bytes_doc]
            pub fn from_bytes(bytes: impl Into<runtime::Base64Data>) -> Result<Self, runtime::image::InlineImageError> {
                Self::from_inline_image(runtime::image::InlineImage::from_bytes(bytes)?)
            }

            /// Builds the value from an image whose MIME type is known.
            pub fn from_inline_image(image: runtime::image::InlineImage) -> Result<Self, runtime::image::InlineImageError> {
                let detected = #mime_value;
                Ok(Self {
                    #data: #data_init,
                    #mime_type: #mime_init,
                    #(#others)*
                    #extra: serde_json::Map::new(),
                })
            }
        }
    }
}
