//! `testing.rs`: a provider's mock server for downstream tests, behind the crate's
//! `testing` feature. The runtime's generic `testing::MockServer` does the work;
//! this module hands it the provider's operation tables, its request checks
//! (`dispatch::check`) and the response examples the spec documents.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::naming::shouty;
use crate::ir::*;

/// Whether the module gets a `testing.rs`: its crate declares the feature and the
/// provider has operations to mock.
pub fn emits(api: &Api) -> bool {
    api.provider.testing_feature.is_some() && !api.operations.is_empty()
}

/// The `testing.rs` of a provider module, or `None` when [`emits`] says no.
pub fn emit(api: &Api) -> Option<TokenStream> {
    if !emits(api) {
        return None;
    }
    let title = &api.provider.title;
    // The operation table (`dispatch::OPERATIONS`) is emitted in spec order, one
    // entry per operation, so an operation's index there is its index here.
    let operations = api.operations.iter().enumerate().map(|(index, op)| {
        let konst = ident(&shouty(&op.id));
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        quote! {
            runtime::testing::MockOperation {
                info: &super::operations::#konst,
                spec: &super::dispatch::OPERATIONS[#index],
            }
        }
    });
    let examples = api.examples.iter().filter_map(documented_response);
    let module_doc = format!(
        " A local mock of the {title} API for tests of code that calls it: see [`MockServer`]. \
         Compiled with the crate's `{}` feature.",
        api.provider.testing_feature.as_deref().unwrap_or("testing")
    );
    let server_doc = server_docs(api);
    Some(quote! {
        #![doc = #module_doc]

        use crate::runtime;

        #server_doc
        pub type MockServer = runtime::testing::MockServer<super::Client>;

        impl runtime::testing::MockedProvider for super::Client {
            const OPERATIONS: &'static [runtime::testing::MockOperation] = &[#(#operations),*];
            const EXAMPLES: &'static [runtime::testing::DocumentedResponse] = &[#(#examples),*];
            fn check(operation: &str, call: &runtime::dispatch::Call) -> Result<(), runtime::Error> {
                // Warnings are the client's to report; the mock checks only what the server would refuse.
                super::dispatch::check(operation, call).map(|_warnings| ())
            }
        }
    })
}

/// A response or error example as the mock's answer; request examples are not answers.
fn documented_response(ex: &ExampleIr) -> Option<TokenStream> {
    let status = match ex.kind {
        ExampleKind::Request => return None,
        ExampleKind::Response => ex.status.unwrap_or(200),
        ExampleKind::Error => ex.status.unwrap_or(400),
    };
    let status = proc_macro2::Literal::u16_unsuffixed(status);
    let operation = &ex.operation;
    let name = &ex.name;
    // Compact JSON: the body is data to send, not text to read.
    let body = ex.body.to_string();
    let placeholders = &ex.placeholders;
    Some(quote! {
        runtime::testing::DocumentedResponse {
            operation: #operation,
            name: #name,
            status: #status,
            body: #body,
            placeholders: &[#(#placeholders),*],
        }
    })
}

/// The docs of `MockServer`: what it checks and answers, and an example test
/// calling an operation that has a documented answer (else any with an example).
fn server_docs(api: &Api) -> TokenStream {
    let title = &api.provider.title;
    let answered: Vec<&str> = api
        .operations
        .iter()
        .filter(|op| api.examples.iter().any(|ex| ex.operation == op.id && ex.kind == ExampleKind::Response))
        .map(|op| op.id.as_str())
        .collect();
    let answered_text = if answered.is_empty() {
        "The spec documents no responses, so give each operation one with `respond_with`.".to_string()
    } else {
        format!(
            "Until `respond_with` says otherwise, these operations answer with the spec's documented \
             response (elided base64 replaced by a real 1x1 PNG): {}; any other answers 501 until given one.",
            answered.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
        )
    };
    let by_preference = api
        .operations
        .iter()
        .filter(|op| answered.contains(&op.id.as_str()))
        .chain(api.operations.iter().filter(|op| !answered.contains(&op.id.as_str())));
    let example = by_preference
        .clone()
        .find_map(|op| super::doc_example::mock_example(api, op))
        .map(|code| format!("\n\n# Example\n\n{code}"))
        .unwrap_or_default();
    let text = format!(
        "A local {title} server for tests: no network, no real key.\n\n\
         [`MockServer::client`] gives a client pointed at it with the test key. Every request is \
         checked against the spec (method and path, the key in a header the operation accepts, \
         the content type, the body parsed strictly as the operation's request and validated); \
         a request that breaks it gets the error a real server would send, and \
         [`MockServer::received`] lists each request with the problems found. {answered_text}\
         {example}"
    );
    super::docs(&text)
}
