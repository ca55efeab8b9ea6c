//! One test per documentation example: requests round-trip through the typed
//! request and pass validation, responses parse, error bodies are recognised by
//! one of the operation's declared envelopes.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, type_tokens};
use crate::ir::*;

/// A valid 1x1 PNG standing in for payloads the docs elide.
const PLACEHOLDER_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/// The `examples.rs` test module of a provider; empty when the spec has no examples.
pub fn emit(api: &Api) -> Option<TokenStream> {
    if api.examples.is_empty() {
        return None;
    }
    let tests = api.examples.iter().map(|ex| test(ex, api));
    let title = format!(" The {} documentation's examples, checked against the generated types.", api.provider.title);
    Some(quote! {
        #![doc = #title]

        #[allow(unused_imports)]
        use super::types::*;
        #[allow(unused_imports)]
        use crate::runtime::{self, Validate as _};

        /// Replaces the docs' stand-ins for elided base64 with a real 1x1 PNG.
        #[allow(dead_code)]
        fn substitute(body: &str, placeholders: &[&str]) -> String {
            let mut body = body.to_string();
            for placeholder in placeholders {
                let quoted = serde_json::to_string(placeholder).unwrap();
                body = body.replace(&quoted, concat!("\"", #PLACEHOLDER_PNG, "\""));
            }
            body
        }

        #(#tests)*
    })
}

fn test(ex: &ExampleIr, api: &Api) -> TokenStream {
    let name = ex.test_name.derived(&format!("{}_", kind_word(ex.kind)), "");
    let body = serde_json::to_string_pretty(&ex.body).unwrap_or_default();
    let placeholders = &ex.placeholders;
    let load = quote!(let body = substitute(#body, &[#(#placeholders),*]););
    let mut doc = format!(" Example `{}` of `{}`.", ex.name, ex.operation);
    for (path, reason) in &ex.amended {
        doc.push_str(&format!(" Amended at `{path}`: {reason}"));
    }
    if let Some(form) = &ex.multipart_form {
        let outside: Vec<String> =
            api.struct_named(form).map(|s| s.params().map(|f| f.wire_name.clone()).collect()).unwrap_or_default();
        return multipart_test(ex, form, &outside, name.ident(), doc, load);
    }
    let check = match (ex.kind, &ex.rust_type) {
        (ExampleKind::Request, Some(t)) => {
            // Fields sent in the query or headers are in the example, not in the body sent.
            let outside = outside_body(api, t);
            let original = if outside.is_empty() {
                quote!(let original: serde_json::Value = serde_json::from_str(&body).unwrap();)
            } else {
                quote! {
                    let mut original: serde_json::Value = serde_json::from_str(&body).unwrap();
                    if let Some(fields) = original.as_object_mut() {
                        fields.retain(|name, _| ![#(#outside),*].contains(&name.as_str()));
                    }
                }
            };
            let t = type_tokens(t);
            quote! {
                let typed: #t = serde_json::from_str(&body).expect("the example parses as the typed request");
                if let Err(err) = typed.validate() {
                    panic!("the example fails validation: {err}");
                }
                let sent = serde_json::to_value(&typed).unwrap();
                #original
                assert!(
                    runtime::json::same_meaning(&sent, &original),
                    "the typed request serializes differently: {:?}",
                    runtime::json::first_difference(&sent, &original)
                );
            }
        }
        (ExampleKind::Response, Some(t)) => {
            let t = type_tokens(t);
            quote! {
                let parsed: Result<#t, _> = serde_json::from_str(&body);
                if let Err(err) = parsed {
                    panic!("the example does not parse as the typed response: {err}");
                }
            }
        }
        (ExampleKind::Error, _) => {
            let konst = ident(&crate::ir::naming::shouty(&ex.operation));
            let status = ex.status.unwrap_or(400);
            quote! {
                let envelope = runtime::ErrorEnvelope::read(super::operations::#konst.envelopes, body.as_bytes());
                let Some(envelope) = envelope else {
                    panic!("the status {} example is not recognised by any envelope of the operation", #status);
                };
                assert!(envelope.message.as_deref().is_some_and(|m| !m.is_empty()), "the envelope has no message");
            }
        }
        _ => quote!(let _ = body;),
    };
    quote! {
        #[doc = #doc]
        #[test]
        fn #name() {
            #load
            #check
        }
    }
}

/// A multipart request example: the form builds from the text fields and files,
/// validates, and produces exactly those parts.
fn multipart_test(
    ex: &ExampleIr,
    form: &str,
    outside: &[String],
    name: proc_macro2::Ident,
    doc: String,
    load: TokenStream,
) -> TokenStream {
    let form = ident(form);
    let files = ex.files.iter().map(|ExampleFile { field, file_name, image_size }| {
        // A field with `image_limits` gets the header of the smallest image it accepts
        // (sides that fit a PNG header: the checker found them), the others a real 1x1 PNG.
        let bytes = match image_size.and_then(|(w, h)| Some((u32::try_from(w).ok()?, u32::try_from(h).ok()?))) {
            Some((width, height)) => {
                let (width, height) =
                    (proc_macro2::Literal::u32_unsuffixed(width), proc_macro2::Literal::u32_unsuffixed(height));
                quote!(runtime::image::png_header(#width, #height))
            }
            None => quote!(runtime::base64::decode(#PLACEHOLDER_PNG.as_bytes()).unwrap()),
        };
        quote! {
            call.files.insert(
                #field.to_string(),
                vec![runtime::FilePart::from_bytes(#bytes).with_file_name(#file_name)],
            );
        }
    });
    // Without files the call is never changed and the count is the text fields alone;
    // `let mut` and `+ 0usize` would be clippy warnings in the generated test.
    let (binding, total) = if ex.files.is_empty() {
        (quote!(let call), quote!(text_fields.len()))
    } else {
        let file_count = ex.files.len();
        (quote!(let mut call), quote!(text_fields.len() + #file_count))
    };
    // Fields sent in the query or headers are not parts of the form.
    let text_fields = if outside.is_empty() {
        quote!(let text_fields = call.body.as_object().unwrap();)
    } else {
        quote! {
            let mut text_fields = call.body.as_object().unwrap().clone();
            text_fields.retain(|name, _| ![#(#outside),*].contains(&name.as_str()));
            let text_fields = &text_fields;
        }
    };
    quote! {
        #[doc = #doc]
        #[test]
        fn #name() {
            #load
            #binding = runtime::dispatch::Call { body: serde_json::from_str(&body).unwrap(), ..Default::default() };
            #(#files)*
            let form = #form::from_call(&call).expect("the example builds the form");
            if let Err(err) = form.validate() {
                panic!("the example fails validation: {err}");
            }
            let parts = form.to_multipart();
            #text_fields
            for (field, value) in text_fields {
                let expected = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                assert_eq!(parts.text(field), Some(expected.as_str()), "text part `{field}`");
            }
            assert_eq!(parts.len(), #total, "one part per text field and file");
        }
    }
}

/// The wire names of a request struct's fields sent outside the body.
fn outside_body(api: &Api, ty: &RustType) -> Vec<String> {
    let RustType::Named(n) = ty else { return Vec::new() };
    api.struct_named(&n.rust_name).map(|s| s.params().map(|f| f.wire_name.clone()).collect()).unwrap_or_default()
}

fn kind_word(kind: ExampleKind) -> &'static str {
    match kind {
        ExampleKind::Request => "request",
        ExampleKind::Response => "response",
        ExampleKind::Error => "error",
    }
}
