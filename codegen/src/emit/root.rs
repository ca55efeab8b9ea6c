//! The crate root and each provider's `mod.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, inner_docs, paragraphs};
use crate::ir::Api;

/// `generated/src/lib.rs`: the runtime crate re-exported as `runtime`, plus one
/// feature-gated module per provider. Emitted code names runtime items as
/// `crate::runtime::...`, so it compiles in any crate whose root has this re-export.
pub fn crate_root(apis: &[Api]) -> TokenStream {
    let modules = apis.iter().map(|api| {
        let m = ident(&api.provider.module);
        let feature = &api.provider.name;
        let doc = format!(" The {} API.", api.provider.title);
        // rustfmt would reformat prettyplease's output; generated modules are formatted by the generator.
        quote! {
            #[doc = #doc]
            #[cfg(feature = #feature)]
            #[rustfmt::skip]
            pub mod #m;
        }
    });
    let list: String = apis
        .iter()
        .map(|a| format!("- [`{}`] (feature `{}`): {}\n", a.provider.module, a.provider.name, a.provider.title))
        .collect();
    let crate_docs = inner_docs(&format!(
        "Typed clients for image-generation gateways, generated from the specs in `specs/`.\n\n\
         Each provider is a module behind a Cargo feature of the same name:\n\n{list}\n\
         Requests are validated before anything is sent; responses tolerate\n\
         unknown fields and enum values. The hand-written [`runtime`] (the\n\
         `imagegen-runtime` crate) holds the transport, auth, retries, errors,\n\
         streaming and payload helpers."
    ));
    quote! {
        #crate_docs

        #![forbid(unsafe_code)]
        #![warn(missing_docs)]

        #[doc(inline)]
        pub use imagegen_runtime as runtime;

        #(#modules)*

        #[rustfmt::skip]
        mod registry;

        pub use registry::providers;
    }
}

/// `generated/src/registry.rs`: the providers compiled into this build.
pub fn registry(apis: &[Api]) -> TokenStream {
    let entries = apis.iter().map(|api| {
        let m = ident(&api.provider.module);
        let feature = &api.provider.name;
        quote! {
            #[cfg(feature = #feature)]
            providers.push(runtime::dispatch::ProviderEntry {
                info: &crate::#m::PROVIDER,
                operations: crate::#m::dispatch::OPERATIONS,
                call: crate::#m::dispatch::call_boxed,
            });
        }
    });
    quote! {
        //! The providers compiled into this build, for tools that call operations by name.

        use crate::runtime;

        /// Every provider compiled into this build (by Cargo feature), callable by operation name.
        #[allow(unused_mut, clippy::vec_init_then_push)]
        pub fn providers() -> Vec<runtime::dispatch::ProviderEntry> {
            let mut providers = Vec::new();
            #(#entries)*
            providers
        }
    }
}

/// `generated/src/<provider>/mod.rs`.
pub fn provider_module(api: &Api) -> TokenStream {
    let p = &api.provider;
    let doc = paragraphs(&[
        Some(format!("The {} API.", p.title)),
        p.description.clone(),
        Some(format!(
            "Transcribed from the provider's documentation (version {}){} into `{}`.",
            p.docs_version,
            p.docs_url.as_ref().map(|u| format!(", {u},")).unwrap_or_default(),
            api.source
        )),
    ]);
    let name = &p.name;
    let title = &p.title;
    let base_url = &p.base_url;
    let env = &p.api_key_env;
    let auth = p.auth.iter().map(|a| match a {
        None => quote!(runtime::AuthScheme::Bearer),
        Some(h) => quote!(runtime::AuthScheme::Header(#h)),
    });
    let format = ident(p.error_format);
    let examples = if api.examples.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            #[cfg(test)]
            mod examples;
        }
    };
    let inner_doc = inner_docs(&doc);
    quote! {
        #inner_doc

        pub mod client;
        pub mod dispatch;
        pub mod types;
        mod validate;
        #examples

        pub use client::Client;
        pub use types::*;

        use crate::runtime;

        /// The provider as its spec describes it.
        pub const PROVIDER: runtime::ProviderInfo = runtime::ProviderInfo {
            name: #name,
            title: #title,
            default_base_url: #base_url,
            api_key_env: #env,
            auth_schemes: &[#(#auth),*],
            error_format: runtime::ErrorFormat::#format,
        };
    }
}
