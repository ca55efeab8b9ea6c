//! The crate root and each provider's `mod.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, inner_docs, paragraphs};
use crate::ir::{Api, AuthIr, ProviderHeaderIr, ProviderIr};

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
    // A quick start from the first provider whose operations have a stored example,
    // shown (and compiled as a doctest) when that provider's feature is on.
    let quick_start = apis.iter().find_map(|api| {
        let (op, code) = api
            .operations
            .iter()
            .find_map(|op| super::doc_example::operation_example(api, op, false).map(|c| (op, c)))?;
        let feature = &api.provider.name;
        let text = format!(
            "\n# Quick start\n\nSet `{}`, build a client, send a typed request (`{}` of [`{}`] here); \
             every call validates the request first and returns `Result<_, runtime::Error>`.\n\n{code}",
            api.provider.api_key_env, op.fn_name, api.provider.module
        );
        Some(quote!(#![cfg_attr(feature = #feature, doc = #text)]))
    });
    quote! {
        #crate_docs
        #quick_start

        #![forbid(unsafe_code)]
        #![warn(missing_docs)]

        #[doc(inline)]
        pub use imagegen_runtime as runtime;

        /// The one error type of every call: `runtime::Error`.
        pub use runtime::Error;

        #(#modules)*

        #[rustfmt::skip]
        mod registry;

        // The operation tables of every compiled-in provider, for the CLI.
        #[doc(hidden)]
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

/// A `runtime::AuthScheme` value.
pub(super) fn auth_scheme(a: &AuthIr) -> TokenStream {
    match a {
        AuthIr::Bearer => quote!(runtime::AuthScheme::Bearer),
        AuthIr::Header(h) => quote!(runtime::AuthScheme::Header(#h)),
        AuthIr::Query(p) => quote!(runtime::AuthScheme::Query(#p)),
    }
}

/// `generated/src/<provider>/mod.rs`.
pub fn provider_module(api: &Api) -> TokenStream {
    let p = &api.provider;
    // Every provider fact is named here, so a new one cannot be forgotten.
    let ProviderIr {
        module: _, // the file's place
        name,
        title,
        description: _,  // the module docs below
        docs_url: _,     // the module docs below
        docs_version: _, // the module docs below
        base_url,
        api_key_env: env,
        base_url_env,
        auth,
        envelopes,
        default_envelopes,
        headers,
        doc_crate: _,       // the doc examples
        testing_feature: _, // `testing.rs` and its `mod` line
    } = p;
    let doc = paragraphs(&[
        Some(format!("The {} API.", p.title)),
        super::prose_opt(&p.description),
        Some(format!(
            "Transcribed from the provider's documentation (version {}){} into `{}`.",
            p.docs_version,
            p.docs_url.as_ref().map(|u| format!(", <{u}>,")).unwrap_or_default(),
            api.source
        )),
    ]);
    let auth = auth.iter().map(auth_scheme);
    let header_infos = headers.iter().map(|h| {
        let ProviderHeaderIr { name, rust_name: _, docs, secret, env } = h;
        let help = docs.as_deref().and_then(|d| d.lines().next()).unwrap_or_default().trim();
        let env = match env {
            Some(env) => quote!(Some(#env)),
            None => quote!(None),
        };
        quote!(runtime::ProviderHeader { name: #name, help: #help, secret: #secret, env: #env })
    });
    let client_items =
        if headers.is_empty() { quote!(operations, Client) } else { quote!(operations, Client, ClientHeaders) };
    let envelopes_module = super::envelopes::module(envelopes);
    let default_envelopes = default_envelopes.iter().map(|e| ident(&crate::ir::naming::shouty(e)));
    let examples = if api.examples.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            #[cfg(test)]
            mod examples;
        }
    };
    let testing = match &p.testing_feature {
        Some(feature) if super::testing::emits(api) => quote! {
            #[cfg(feature = #feature)]
            pub mod testing;
        },
        _ => TokenStream::new(),
    };
    let example = api.operations.iter().find_map(|op| super::doc_example::operation_example(api, op, false));
    let doc = paragraphs(&[Some(doc), example.map(|code| format!("# Example\n\n{code}"))]);
    let inner_doc = inner_docs(&doc);
    // Named one by one, so the module's page lists every type (a glob re-export of a
    // public module would list only the module).
    let headers = api.operations.iter().filter_map(|op| op.response_headers.as_ref()).map(|h| h.rust_name.ident());
    let answers = api.operations.iter().filter_map(|op| op.status_answers.as_ref()).map(|a| a.rust_name.ident());
    let type_names = api.types.iter().map(|t| ident(t.rust_name())).chain(headers).chain(answers);
    quote! {
        #inner_doc

        mod client;
        // Call-by-name for the CLI and the conformance suite, not for users.
        #[doc(hidden)]
        pub mod dispatch;
        mod types;
        mod validate;
        #examples
        #testing

        pub use client::{#client_items};
        pub use types::{#(#type_names),*};

        use crate::runtime;

        #envelopes_module

        /// The provider as its spec describes it.
        pub const PROVIDER: runtime::ProviderInfo = runtime::ProviderInfo {
            name: #name,
            title: #title,
            default_base_url: #base_url,
            api_key_env: #env,
            base_url_env: #base_url_env,
            auth_schemes: &[#(#auth),*],
            envelopes: &[#(envelopes::#default_envelopes),*],
            headers: &[#(#header_infos),*],
        };
    }
}
