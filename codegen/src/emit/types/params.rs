//! `request_params()` for a request whose fields travel in the query or headers: the
//! values the client sends outside the body, in spec order.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::ident;
use crate::ir::*;

/// Whether a request struct sends anything outside its body: fields in the query or
/// headers, or (sent without a body) its extra fields.
pub fn sends_params(s: &StructIr) -> bool {
    s.params_only || s.params().next().is_some()
}

/// `request_params()`: each field outside the body as a query parameter or header.
pub(super) fn request_params(s: &StructIr) -> TokenStream {
    if !sends_params(s) {
        return TokenStream::new();
    }
    let name = ident(&s.rust_name);
    let pushes = s.params().map(|f| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        let push = |value: TokenStream| match (f.location, &f.ty) {
            (Location::Query(QueryStyle::Repeat), RustType::Vec(_)) => quote!(params.query_each(#wire, #value);),
            (Location::Query(QueryStyle::Comma), RustType::Vec(_)) => quote!(params.query_joined(#wire, #value);),
            (Location::Query(_), _) => quote!(params.query(#wire, #value);),
            (Location::Header, _) => quote!(params.header(#wire, #value);),
            (Location::Body, _) => unreachable!("`StructIr::params` yields only fields outside the body"),
        };
        match f.presence {
            Presence::Required | Presence::DefaultEmpty => push(quote!(&self.#n)),
            Presence::Optional | Presence::RequiredTolerant => {
                let stmt = push(quote!(value));
                quote!(if let Some(value) = &self.#n { #stmt })
            }
            Presence::Nullable { .. } => unreachable!("the checker refuses `nullable` on a field outside the body"),
        }
    });
    let places: Vec<String> = s
        .params()
        .map(|f| match f.location {
            Location::Header => format!("`{}` as a header", f.wire_name),
            _ => format!("`{}` in the query", f.wire_name),
        })
        .collect();
    // A request sent without a body has nowhere else to put what the spec does not describe.
    let (extra, extra_note) = if s.params_only {
        let extra = ident(crate::ir::naming::EXTRA_FIELDS);
        (quote!(params.extra_query(&self.#extra);), " Its extra fields go in the query too.")
    } else {
        (TokenStream::new(), "")
    };
    let doc = if places.is_empty() {
        " What is sent outside the body: the extra fields, in the query.".to_string()
    } else {
        format!(" What is sent outside the body: {}.{extra_note}", places.join(", "))
    };
    quote! {
        impl #name {
            #[doc = #doc]
            pub(crate) fn request_params(&self) -> runtime::RequestParams {
                let mut params = runtime::RequestParams::new();
                #(#pushes)*
                #extra
                params
            }
        }
    }
}
