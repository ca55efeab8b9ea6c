//! The model table of a models enum: `TABLE`, `DEFAULT_ID` and `info()`.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

use crate::emit::ident;
use crate::ir::*;

/// `TABLE`, `DEFAULT_ID` and `info()` of a models enum.
pub(super) fn model_table(e: &EnumIr, m: &ModelTableIr) -> TokenStream {
    let name = ident(&e.rust_name);
    let rows = m.models.iter().map(|row| {
        let id = &row.id;
        let aliases = &row.aliases;
        let family = match &row.family {
            Some(f) => quote!(Some(#f)),
            None => quote!(None),
        };
        let is_default = m.default.as_ref() == Some(&row.id);
        let deprecated = match &row.deprecated {
            Some(d) => quote!(Some(#d)),
            None => quote!(None),
        };
        let caps = row.capabilities.iter().map(|(k, c)| match c {
            CapabilityIr::Limit(n) => {
                let n = Lit::u64_unsuffixed(*n);
                quote!((#k, runtime::Capability::Limit(#n)))
            }
            CapabilityIr::Values(v) => quote!((#k, runtime::Capability::Values(&[#(#v),*]))),
        });
        quote! {
            runtime::ModelInfo {
                id: #id,
                aliases: &[#(#aliases),*],
                family: #family,
                is_default: #is_default,
                deprecated: #deprecated,
                capabilities: &[#(#caps),*],
            }
        }
    });
    let default = match &m.default {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    quote! {
        impl #name {
            /// The model table: every documented model with its capabilities.
            pub const TABLE: &'static [runtime::ModelInfo] = &[#(#rows),*];

            /// The id the provider uses when a request names no model.
            pub const DEFAULT_ID: Option<&'static str> = #default;

            /// This model's row in [`Self::TABLE`], if it is a documented model.
            pub fn info(&self) -> Option<&'static runtime::ModelInfo> {
                runtime::models::find(Self::TABLE, self.as_str())
            }
        }
    }
}
