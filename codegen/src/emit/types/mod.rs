//! The `types.rs` file of a provider: structs, enums, one-ofs, model tables and stream
//! events, one file per concept of the emitted code.

mod answers;
mod builder;
mod deserialize;
mod enums;
mod events;
mod headers;
mod images;
mod inline_image;
mod models;
mod multipart;
mod one_of;
mod params;
mod structs;

pub use params::sends_params;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;

/// The `types.rs` file of a provider.
pub fn emit(api: &Api) -> TokenStream {
    let items = api.types.iter().map(|t| match t {
        TypeIr::Struct(s) => structs::strukt(s, api),
        TypeIr::Enum(e) => enums::enumeration(e),
        TypeIr::OneOf(o) => one_of::one_of(o),
        TypeIr::Events(e) => events::events(e),
    });
    let headers = api.operations.iter().filter_map(|op| op.response_headers.as_ref()).map(headers::headers);
    let answers = api.operations.iter().filter_map(|op| op.status_answers.as_ref()).map(answers::answers);
    let title = format!(" Request and response types of the {} API.", api.provider.title);
    quote! {
        #![doc = #title]
        #![allow(clippy::large_enum_variant)]

        use serde::{Deserialize, Serialize};

        use crate::runtime;

        #(#items)*
        #(#headers)*
        #(#answers)*
    }
}

/// The one_of a field's type names, if it names one (a flattened field's members).
pub(super) fn one_of_of<'a>(api: &'a Api, ty: &RustType) -> Option<&'a OneOfIr> {
    let RustType::Named(n) = ty else { return None };
    api.one_of_named(&n.rust_name)
}
