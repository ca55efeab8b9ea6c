//! Calling operations by name with JSON: the operation table and `call`
//! function each provider exposes for the CLI and the conformance suite.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, type_tokens};
use crate::ir::naming::kebab;
use crate::ir::*;

/// The `dispatch.rs` file of a provider.
pub fn emit(api: &Api) -> TokenStream {
    let specs = api.operations.iter().map(|op| operation_spec(op, api));
    let arms = api.operations.iter().map(call_arm);
    let converters = api.types.iter().filter_map(|t| match t {
        TypeIr::Events(e) => Some(event_converter(e)),
        TypeIr::Struct(s) if s.multipart => Some(form_from_call(s)),
        _ => None,
    });
    let title =
        format!(" Calling {} operations by name with JSON, for tools such as the `imagegen` CLI.", api.provider.title);
    // Only bodies and path parameters are read from the call; without any, the argument is unused.
    let reads_call = api
        .operations
        .iter()
        .any(|op| !op.path_params.is_empty() || op.json_request.is_some() || op.multipart_request.is_some());
    let call_arg = if reads_call { format_ident!("call") } else { format_ident!("_call") };
    let check_arms: Vec<TokenStream> = api.operations.iter().filter_map(check_arm).collect();
    let check_arg = if check_arms.is_empty() { format_ident!("_call") } else { format_ident!("call") };
    quote! {
        #![doc = #title]

        #[allow(unused_imports)]
        use super::types::*;
        use super::Client;
        use crate::runtime::{self, dispatch};

        /// Every operation, with the flags a command line offers for it.
        pub const OPERATIONS: &[dispatch::OperationSpec] = &[#(#specs),*];

        /// Calls `operation` (an id from [`OPERATIONS`]) with a JSON request.
        pub async fn call(client: &Client, operation: &str, #call_arg: dispatch::Call) -> Result<dispatch::Outcome, runtime::Error> {
            match operation {
                #(#arms)*
                _ => Err(dispatch::unknown_operation(operation)),
            }
        }

        /// Reads and validates the request of a call without sending it: the
        /// checks [`call`] makes before any network traffic.
        pub fn check(operation: &str, #check_arg: &dispatch::Call) -> Result<(), runtime::Error> {
            match operation {
                #(#check_arms)*
                _ if OPERATIONS.iter().any(|op| op.id == operation) => Ok(()),
                _ => Err(dispatch::unknown_operation(operation)),
            }
        }

        /// Builds a client from `options` and calls `operation`, boxed for provider tables.
        /// When the client cannot be built (no API key, say), an invalid request is
        /// still reported first, with every violation.
        pub fn call_boxed(options: &dispatch::ClientOptions, operation: &str, call: dispatch::Call) -> dispatch::BoxedCall {
            let client = options.build::<Client>();
            let operation = operation.to_string();
            Box::pin(async move {
                let client = match client {
                    Ok(client) => client,
                    Err(err) => {
                        check(&operation, &call)?;
                        return Err(err);
                    }
                };
                self::call(&client, &operation, call).await
            })
        }

        #(#converters)*
    }
}

fn flag_kind(t: &RustType, api: &Api) -> Option<TokenStream> {
    Some(match t {
        RustType::String | RustType::Url | RustType::DataUrl => quote!(dispatch::FlagKind::String),
        RustType::I64 | RustType::U32 | RustType::U64 => quote!(dispatch::FlagKind::Integer),
        RustType::F64 => quote!(dispatch::FlagKind::Number),
        RustType::Bool => quote!(dispatch::FlagKind::Boolean),
        RustType::Named(n) => {
            let NamedKind::Enum { open, .. } = n.kind else {
                return None;
            };
            let values: Vec<String> = api
                .types
                .iter()
                .find_map(|t| match t {
                    TypeIr::Enum(e) if e.rust_name == n.rust_name => {
                        Some(e.variants.iter().map(|v| v.wire.clone()).collect())
                    }
                    _ => None,
                })
                .unwrap_or_default();
            quote!(dispatch::FlagKind::Choice { values: &[#(#values),*], open: #open })
        }
        _ => return None,
    })
}

fn first_line(docs: &Option<String>) -> String {
    docs.as_deref().and_then(|d| d.lines().next()).unwrap_or_default().trim().to_string()
}

fn form_struct<'a>(api: &'a Api, name: &str) -> Option<&'a StructIr> {
    api.types.iter().find_map(|t| match t {
        TypeIr::Struct(s) if s.rust_name == name => Some(s),
        _ => None,
    })
}

fn operation_spec(op: &OperationIr, api: &Api) -> TokenStream {
    let id = &op.id;
    let command = kebab(&op.id);
    let summary = &op.summary;
    let (body, fields) = match (&op.json_request, &op.multipart_request) {
        (Some(r), _) => (quote!(dispatch::BodyKind::Json), form_struct(api, r)),
        (None, Some(f)) => (quote!(dispatch::BodyKind::Multipart), form_struct(api, f)),
        (None, None) => (quote!(dispatch::BodyKind::None), None),
    };
    let flags: Vec<TokenStream> = fields
        .map(|s| {
            s.fields
                .iter()
                .filter(|f| !f.flatten)
                .filter_map(|f| flag_spec(&f.wire_name, &f.ty, &f.docs, f.presence == Presence::Required, api))
                .collect()
        })
        .unwrap_or_default();
    let path_params = op.path_params.iter().filter_map(|p| flag_spec(&p.name, &p.ty, &p.docs, true, api));
    let files: Vec<TokenStream> = match (&op.json_request, &op.multipart_request) {
        (None, Some(f)) => form_struct(api, f).map(file_specs).unwrap_or_default(),
        _ => Vec::new(),
    };
    let streaming = match (&op.sse_response, &op.stream_flag) {
        (Some(_), Some((wire, _))) => quote!(dispatch::Streaming::Flag(#wire)),
        (Some(_), None) => quote!(dispatch::Streaming::Always),
        (None, _) => quote!(dispatch::Streaming::No),
    };
    quote! {
        dispatch::OperationSpec {
            id: #id,
            command: #command,
            summary: #summary,
            body: #body,
            path_params: &[#(#path_params),*],
            flags: &[#(#flags),*],
            files: &[#(#files),*],
            streaming: #streaming,
        }
    }
}

fn flag_spec(wire: &str, ty: &RustType, docs: &Option<String>, required: bool, api: &Api) -> Option<TokenStream> {
    let kind = flag_kind(ty, api)?;
    let flag = kebab(wire);
    let help = first_line(docs);
    Some(quote!(dispatch::FlagSpec { wire: #wire, flag: #flag, kind: #kind, help: #help, required: #required }))
}

fn file_specs(s: &StructIr) -> Vec<TokenStream> {
    s.fields
        .iter()
        .filter_map(|f| {
            let many = match &f.ty {
                RustType::File => false,
                RustType::Vec(inner) if **inner == RustType::File => true,
                _ => return None,
            };
            let wire = &f.wire_name;
            let flag = kebab(wire);
            let required = matches!(f.presence, Presence::Required | Presence::RequiredTolerant);
            let help = first_line(&f.docs);
            Some(quote!(dispatch::FileSpec { wire: #wire, flag: #flag, many: #many, required: #required, help: #help }))
        })
        .collect()
}

fn converter_name(events: &str) -> proc_macro2::Ident {
    format_ident!("{}_item", crate::ir::naming::snake(events).trim_start_matches("r#"))
}

/// The arm of `check` for an operation with a request body: read it as `call` would, then validate.
fn check_arm(op: &OperationIr) -> Option<TokenStream> {
    let id = &op.id;
    let read = match (&op.json_request, &op.multipart_request) {
        (Some(request), _) => {
            let req = ident(request);
            quote!(let request: #req = dispatch::request_from_json(call.body.clone())?;)
        }
        (None, Some(form)) => {
            let form = ident(form);
            quote!(let request = #form::from_call(call)?;)
        }
        (None, None) => return None,
    };
    Some(quote! {
        #id => {
            #read
            runtime::Validate::validate(&request)?;
            Ok(())
        }
    })
}

fn call_arm(op: &OperationIr) -> TokenStream {
    let id = &op.id;
    let fn_name = ident(&op.fn_name);
    let mut prelude = TokenStream::new();
    let mut args = Vec::new();
    for p in &op.path_params {
        let n = ident(&p.rust_name);
        let name = &p.name;
        let t = match &p.ty {
            RustType::Named(_) | RustType::I64 | RustType::U32 | RustType::U64 => type_tokens(&p.ty),
            _ => quote!(String),
        };
        prelude.extend(quote!(let #n: #t = dispatch::path_param(&call, #name)?;));
        args.push(match &p.ty {
            RustType::Named(_) | RustType::String | RustType::Url | RustType::DataUrl => quote!(&#n),
            _ => quote!(#n),
        });
    }
    let respond = match &op.json_response {
        Some(RustType::Named(n)) if n.kind == NamedKind::Struct || n.kind == NamedKind::OneOf => {
            quote!(Ok(dispatch::Outcome::response(&response)))
        }
        _ => quote!(Ok(dispatch::Outcome::Response {
            json: serde_json::to_value(&response).unwrap_or_default(),
            images: Vec::new()
        })),
    };
    // Multipart-only operations.
    if let (None, Some(form)) = (&op.json_request, &op.multipart_request) {
        let form_ty = ident(form);
        return quote! {
            #id => {
                #prelude
                let form = #form_ty::from_call(&call)?;
                let response = client.#fn_name(#(#args,)* &form).await?;
                #respond
            }
        };
    }
    let Some(request_ty) = &op.json_request else {
        if let (Some(events), None) = (&op.sse_response, &op.json_response) {
            let conv = converter_name(events);
            return quote! {
                #id => {
                    #prelude
                    let stream = client.#fn_name(#(#args),*).await?;
                    Ok(dispatch::Outcome::stream(stream, #conv))
                }
            };
        }
        return quote! {
            #id => {
                #prelude
                let response = client.#fn_name(#(#args),*).await?;
                #respond
            }
        };
    };
    let req = ident(request_ty);
    let streamed = match (&op.sse_response, &op.stream_flag, &op.json_response) {
        (Some(events), Some((_, flag)), Some(_)) => {
            let conv = converter_name(events);
            let stream_fn = format_ident!("{}_stream", op.fn_name);
            let flag = ident(flag);
            quote! {
                if call.stream || request.#flag == Some(true) {
                    return match client.#stream_fn(#(#args,)* request).await? {
                        runtime::StreamReply::Events(stream) => Ok(dispatch::Outcome::stream(stream, #conv)),
                        runtime::StreamReply::Response(response) => #respond,
                    };
                }
            }
        }
        (Some(events), None, None) => {
            let conv = converter_name(events);
            return quote! {
                #id => {
                    #prelude
                    let request: #req = dispatch::request_from_json(call.body)?;
                    let stream = client.#fn_name(#(#args,)* &request).await?;
                    Ok(dispatch::Outcome::stream(stream, #conv))
                }
            };
        }
        _ => TokenStream::new(),
    };
    quote! {
        #id => {
            #prelude
            let request: #req = dispatch::request_from_json(call.body)?;
            #streamed
            let response = client.#fn_name(#(#args,)* &request).await?;
            #respond
        }
    }
}

/// `from_call()`: a multipart form built from a call's text fields and files.
fn form_from_call(s: &StructIr) -> TokenStream {
    let name = ident(&s.rust_name);
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        let value = match (&f.ty, f.presence) {
            (RustType::File, Presence::Required) => quote!(dispatch::required_form_file(call, #wire)?),
            (RustType::File, Presence::RequiredTolerant) => quote!(Some(dispatch::required_form_file(call, #wire)?)),
            (RustType::File, _) => quote!(dispatch::form_file(call, #wire)),
            (RustType::Vec(inner), presence) if **inner == RustType::File => match presence {
                Presence::Optional => {
                    quote!(Some(dispatch::form_files(call, #wire)).filter(|files| !files.is_empty()))
                }
                _ => quote!(dispatch::form_files(call, #wire)),
            },
            (_, Presence::Required) => quote!(dispatch::required_form_field(call, #wire)?),
            (_, Presence::RequiredTolerant) => quote!(Some(dispatch::required_form_field(call, #wire)?)),
            (_, Presence::DefaultEmpty) => quote!(dispatch::form_field(call, #wire)?.unwrap_or_default()),
            (_, Presence::Optional) => quote!(dispatch::form_field(call, #wire)?),
        };
        quote!(#n: #value,)
    });
    let known = s.fields.iter().map(|f| &f.wire_name);
    quote! {
        impl #name {
            /// Builds the form from a call by name: text fields from `call.body`, files from `call.files`.
            /// A field or file name the form does not have is refused, with a suggestion.
            pub fn from_call(call: &dispatch::Call) -> Result<Self, runtime::Error> {
                dispatch::check_form_names(call, &[#(#known),*])?;
                Ok(Self { #(#inits)* })
            }
        }
    }
}

fn event_converter(e: &EventsIr) -> TokenStream {
    let name = ident(&e.rust_name);
    let conv = converter_name(&e.rust_name);
    let arms = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let ev = &v.event;
        let terminal = v.terminal;
        quote!(#name::#vn(data) => dispatch::StreamItem::new(Some(#ev), &data, #terminal),)
    });
    let doc = format!(" Converts a [`{}`] into a generic stream item.", e.rust_name);
    quote! {
        #[doc = #doc]
        fn #conv(event: #name) -> dispatch::StreamItem {
            match event {
                #(#arms)*
                #name::Unknown { event, data } => dispatch::StreamItem { event, data, images: Vec::new(), terminal: false },
            }
        }
    }
}
