//! The provider's `Client`: one async method per operation, validating first.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{quote, ToTokens};

use super::{doc_paragraphs, ident, prose, prose_opt, type_tokens};
use crate::ir::naming::shouty;
use crate::ir::*;

/// The `client.rs` file of a provider.
pub fn emit(api: &Api) -> TokenStream {
    let p = &api.provider;
    let title = format!(" Client for the {} API.", p.title);
    let op_consts = api.operations.iter().map(operation_const);
    let methods = api.operations.iter().map(|op| methods(api, op));
    let client_doc = format!(
        " {} {} client. Build one with [`Client::builder`] or [`Client::from_env`] (reads `{}`).",
        super::indefinite_article(&p.title),
        p.title,
        p.api_key_env
    );
    let from_env_doc = format!(
        " A client with default settings, the API key from `{}` and the base URL from `{}` when set.",
        p.api_key_env, p.base_url_env
    );
    let client_headers = client_headers(p);
    quote! {
        #![doc = #title]

        #[allow(unused_imports)]
        use crate::runtime::{self, Validate as _};
        #[allow(unused_imports)]
        use super::types::*;

        /// What the spec says about each operation, for the runtime.
        pub mod operations {
            use crate::runtime;

            #(#op_consts)*
        }

        #[doc = #client_doc]
        #[derive(Debug, Clone)]
        pub struct Client {
            http: runtime::HttpClient,
        }

        impl runtime::ProviderClient for Client {
            const PROVIDER: &'static runtime::ProviderInfo = &super::PROVIDER;

            fn from_http_client(http: runtime::HttpClient) -> Self {
                Self { http }
            }

            fn http_client(&self) -> &runtime::HttpClient {
                &self.http
            }
        }

        impl Client {
            /// Starts configuring a client: base URL, API key, auth scheme, timeouts, retries.
            pub fn builder() -> runtime::ClientBuilder<Self> {
                runtime::ClientBuilder::new()
            }

            #[doc = #from_env_doc]
            pub fn from_env() -> Result<Self, runtime::Error> {
                Self::builder().build()
            }

            /// A handle whose calls use `options` (timeout, retries, extra headers); it
            /// shares this client's connections and key, and this client is unchanged.
            pub fn with_options(&self, options: &runtime::RequestOptions) -> Result<Self, runtime::Error> {
                Ok(Self { http: self.http.with_options(options)? })
            }

            #(#methods)*
        }

        #client_headers
    }
}

/// `ClientHeaders`: one setter on the client builder per header the provider documents
/// for every call; nothing when it documents none.
fn client_headers(p: &ProviderIr) -> TokenStream {
    if p.headers.is_empty() {
        return TokenStream::new();
    }
    let first = &p.headers[0];
    let trait_doc = format!(
        " The headers the {} docs describe for every call, as setters on the client builder \
         (`Client::builder().{}(..)`): each is sent with every request of the client. Bring \
         the trait into scope to use them.",
        p.title, first.rust_name
    );
    let (decls, impls): (Vec<TokenStream>, Vec<TokenStream>) = p
        .headers
        .iter()
        .map(|h| {
            let ProviderHeaderIr { name, rust_name, docs, secret, env } = h;
            let method = ident(rust_name);
            let mut notes = vec![format!("Sets the `{name}` header of every request.")];
            if let Some(env) = env {
                notes.push(format!("When not set, it is read from `{env}`."));
            }
            if *secret {
                notes.push("A credential: redacted wherever the client shows it.".to_string());
            }
            let doc = doc_paragraphs(&[prose_opt(docs), Some(notes.join(" "))]);
            let decl = quote! {
                #doc
                fn #method(self, value: impl Into<String>) -> Self;
            };
            let body = quote! {
                fn #method(self, value: impl Into<String>) -> Self {
                    self.header(#name, value)
                }
            };
            (decl, body)
        })
        .unzip();
    quote! {
        #[doc = #trait_doc]
        pub trait ClientHeaders {
            #(#decls)*
        }

        impl ClientHeaders for runtime::ClientBuilder<Client> {
            #(#impls)*
        }
    }
}

/// What the runtime needs to know of an operation, as a constant.
fn operation_const(op: &OperationIr) -> TokenStream {
    // Every fact of the operation is named here, so a new one cannot be forgotten:
    // either the runtime needs it, or the line says who uses it.
    let OperationIr {
        id,
        fn_name: _, // the methods' names
        summary,
        docs: _, // `op_docs`
        method,
        path,
        path_params,
        json_request: _,      // `methods`
        multipart_request: _, // `methods`
        params_request: _,    // `methods`
        json_response: _,     // `methods`
        sse_response: _,      // `methods`
        binary_response: _,   // `methods`
        response_headers: _,  // `types.rs`
        status_answers: _,    // `types.rs`, `methods`
        stream_flag: _,       // `method`
        methods: _,           // `methods`
        errors,
        envelopes,
        auth,
        job: _, // `job::wait_methods`
        usage,
        max_request_bytes,
    } = op;
    let name = ident(&shouty(id));
    let method_ident = ident(method);
    let envelopes = envelopes.iter().map(|e| {
        let konst = ident(&shouty(e));
        quote!(super::super::envelopes::#konst)
    });
    let status_retries = errors.iter().filter_map(|e| {
        let (status, retry) = (Lit::u16_unsuffixed(e.status), e.retryable?);
        Some(quote!(runtime::StatusRetry { status: #status, retry: #retry }))
    });
    let auth = auth.iter().map(super::root::auth_scheme);
    let doc = format!(" `{} {path}`: {}", method.to_uppercase(), prose(summary));
    let method = method_ident;
    let model_param = match path_params.iter().find(|p| p.names_model) {
        Some(p) => {
            let name = &p.name;
            quote!(Some(#name))
        }
        None => quote!(None),
    };
    let usage = usage.iter().map(|UsagePathIr { kind, path }| {
        let kind = match kind {
            TokenKind::Input => quote!(Input),
            TokenKind::Output => quote!(Output),
        };
        quote!(runtime::TokenUsage { kind: runtime::TokenKind::#kind, path: &[#(#path),*] })
    });
    let max_request_bytes = match max_request_bytes {
        Some(max) => {
            let max = Lit::u64_unsuffixed(*max);
            quote!(Some(#max))
        }
        None => quote!(None),
    };
    quote! {
        #[doc = #doc]
        pub const #name: runtime::OperationInfo = runtime::OperationInfo {
            id: #id,
            method: runtime::Method::#method,
            path: #path,
            envelopes: &[#(#envelopes),*],
            status_retries: &[#(#status_retries),*],
            auth_schemes: &[#(#auth),*],
            model_param: #model_param,
            usage: &[#(#usage),*],
            max_request_bytes: #max_request_bytes,
        };
    }
}

fn op_docs(op: &OperationIr, extra: &str) -> TokenStream {
    let mut errors = String::new();
    if !op.errors.is_empty() {
        errors.push_str("Documented errors:\n");
        for ErrorStatusIr { status, description, retryable } in &op.errors {
            let hint = match retryable {
                Some(true) => " (retried)",
                Some(false) => " (not retried)",
                None => "",
            };
            errors.push_str(&format!("- `{status}`: {}{hint}\n", prose(description)));
        }
    }
    let wire = format!(
        "`{} {}`. The request is validated first; nothing is sent if it is invalid. A valid \
         request's warnings (parameters the docs say the server ignores) go to the client's \
         observer as [`runtime::HttpEvent::Warning`] before it is sent.",
        op.method.to_uppercase(),
        op.path
    );
    let size = op.max_request_bytes.map(|max| {
        let max = crate::ir::grouped(max);
        format!(
            "The request body may be at most {max} bytes, as the docs state: a larger one is refused \
             before anything is sent, with a [`runtime::Constraint::RequestSize`] violation beside \
             the request's others."
        )
    });
    doc_paragraphs(&[
        Some(prose(&op.summary)),
        prose_opt(&op.docs),
        Some(wire),
        size,
        (!extra.is_empty()).then(|| extra.to_string()),
        (!errors.is_empty()).then_some(errors),
    ])
}

/// Arguments and path-building statements for the operation's path parameters.
fn path_parts(op: &OperationIr) -> (Vec<TokenStream>, TokenStream) {
    let mut args = Vec::new();
    let mut lets = Vec::new();
    let mut template = op.path.clone();
    let mut values = Vec::new();
    for p in &op.path_params {
        let arg = ident(&p.rust_name);
        let (arg_ty, as_str) = match &p.ty {
            RustType::Named(n) => {
                let t = ident(&n.rust_name);
                (quote!(&#t), quote!(#arg.as_str()))
            }
            RustType::I64 | RustType::U32 | RustType::U64 => {
                let t = type_tokens(&p.ty);
                (quote!(#t), quote!(&#arg.to_string()))
            }
            _ => (quote!(&str), quote!(#arg)),
        };
        args.push(quote!(#arg: #arg_ty));
        // `crate_` (an escaped keyword) must not give `crate__segment`, which is not snake case.
        let seg = p.rust_name.derived("", "_segment");
        let stripped = match &p.optional_prefix {
            // The server treats the prefix as optional; sending the bare form keeps one spelling on the wire.
            Some(prefix) => quote!({ let value = #as_str; value.strip_prefix(#prefix).unwrap_or(value) }),
            None => as_str,
        };
        lets.push(quote!(let #seg = runtime::encode_path_segment(#stripped);));
        template = template.replace(&format!("{{{}}}", p.name), "{}");
        values.push(quote!(#seg));
    }
    // `path` is a `String` either way, so every call site passes `&path`.
    let build = if op.path_params.is_empty() {
        quote!(let path = String::from(#template);)
    } else {
        quote!(#(#lets)* let path = format!(#template, #(#values),*);)
    };
    (args, build)
}

fn methods(api: &Api, op: &OperationIr) -> TokenStream {
    op.methods
        .iter()
        .map(|m| match m.role {
            MethodRole::Wait => super::job::wait_methods(op, m),
            MethodRole::Call | MethodRole::Stream | MethodRole::AlsoMultipart => method(api, op, m),
        })
        .collect()
}

/// One client method, as lowering decided it.
fn method(api: &Api, op: &OperationIr, m: &MethodIr) -> TokenStream {
    let MethodIr { fn_name, role: _, body, answer, stream_flag } = m;
    let konst = ident(&shouty(&op.id));
    let (path_args, build_path) = path_parts(op);
    let mut arg_names: Vec<TokenStream> =
        op.path_params.iter().map(|p| ident(&p.rust_name).into_token_stream()).collect();
    // A valid request's warnings (parameters the server ignores) go to the observer and
    // to tracing before it is sent; only violations stop the call. With a documented
    // maximum request size, the outcome waits in the call's handle until the transport
    // has built the body and measured it, so the call lists every violation at once.
    let sized = op.max_request_bytes.is_some() && matches!(body, BodyIr::Json { .. } | BodyIr::Form { .. });
    let checked = |value: TokenStream| match sized {
        true => quote!(let http = self.http.with_validation(#value.validate());),
        false => quote! {
            let warnings = #value.validate()?;
            self.http.report_warnings(&operations::#konst, &warnings);
        },
    };
    // The handle later steps start from: the one holding the outcome, or the client's.
    let base = match sized {
        true => quote!(http),
        false => quote!(self.http),
    };
    let flag = op.stream_flag.as_ref();
    let (param, prepare, send_body) = match body {
        BodyIr::None => (TokenStream::new(), TokenStream::new(), quote!(None::<&()>)),
        BodyIr::Params { rust_name } => {
            arg_names.push(quote!(params));
            let t = ident(rust_name);
            (quote!(params: &#t,), checked(quote!(params)), quote!(None::<&()>))
        }
        BodyIr::Json { rust_name, by_value } => {
            arg_names.push(quote!(request));
            let t = ident(rust_name);
            let validate = checked(quote!(request));
            match (stream_flag, flag) {
                (FlagUse::Set, Some(flag)) => {
                    let field = ident(&flag.rust_name);
                    // Taken by value so the flag can be set on the caller's request.
                    let set = quote!(let mut request = request; request.#field = Some(true););
                    (quote!(request: #t,), quote!(#set #validate), quote!(Some(&request)))
                }
                (FlagUse::Refuse, Some(flag)) => {
                    let field = ident(&flag.rust_name);
                    let wire = &flag.wire;
                    let stream_fn = op.method(MethodRole::Stream).map_or(String::new(), |m| m.fn_name.to_string());
                    let msg = format!("`{wire}: true` asks for a stream; call `{stream_fn}` instead");
                    let report = quote! {
                        let mut v = runtime::Validator::new();
                        v.report(#wire, runtime::Constraint::ForbiddenBy { condition: #msg.to_string() }, #msg);
                    };
                    let guard = match sized {
                        true => quote! {
                            let http = if request.#field == Some(true) {
                                #report
                                http.with_validation(v.finish())
                            } else {
                                http
                            };
                        },
                        false => quote! {
                            if request.#field == Some(true) {
                                #report
                                v.finish()?;
                            }
                        },
                    };
                    (quote!(request: &#t,), quote!(#validate #guard), quote!(Some(request)))
                }
                _ => {
                    debug_assert!(!by_value, "only a method that sets the stream flag takes the request by value");
                    (quote!(request: &#t,), validate, quote!(Some(request)))
                }
            }
        }
        BodyIr::Form { rust_name } => {
            arg_names.push(quote!(form));
            let t = ident(rust_name);
            let validate = checked(quote!(form));
            (quote!(form: &#t,), quote!(#validate let parts = form.to_multipart();), quote!(&parts))
        }
    };
    let form = matches!(body, BodyIr::Form { .. });
    // Fields that travel in the query or headers go through a handle carrying them; a
    // request without any is sent through the client itself.
    let (http, prepare) = match params_source(api, body) {
        Some(value) => (quote!(http), quote!(#prepare let http = #base.with_params(#value.request_params())?;)),
        None => (base, prepare),
    };
    // A request with secrets goes through a handle that scrubs their values from
    // everything the call shows (dry run, request log, errors).
    let (http, prepare) = match secret_values(api, body) {
        Some(values) => (quote!(http), quote!(#prepare let http = #http.with_secrets(&[#(#values),*]);)),
        None => (http, prepare),
    };
    let headers_note = op.response_headers.as_ref().map(|h| {
        format!(
            "The documented response headers are read by `{}_with_response(..)?.typed_headers::<{}>()`.",
            fn_name.stem(),
            h.rust_name
        )
    });
    match answer {
        AnswerIr::ByStatus(enum_name) => {
            let Some(answers) = &op.status_answers else {
                unreachable!("lowering answers by status only for an operation with statuses")
            };
            let accept = &answers.accept;
            let (send, dry_run) = if form {
                (quote!(send_multipart_raw_with_response), quote!(dry_run_multipart_binary))
            } else {
                (quote!(send_json_raw_with_response), quote!(dry_run_json_binary))
            };
            let statuses: Vec<String> = answers.variants.iter().map(|v| v.status.to_string()).collect();
            let what = format!(
                "Answers with [`{enum_name}`], one variant per documented success status ({}), `Other` for any other; `Accept: {accept}` is sent.",
                statuses.join(", ")
            );
            let mut extra = vec![Some(what), headers_note];
            if form {
                extra.insert(0, Some("Sends the request as `multipart/form-data`, files as file parts.".to_string()));
            }
            let example =
                super::doc_example::operation_example(api, op, form).map(|code| format!("# Example\n\n{code}"));
            extra.push(example);
            let docs = op_docs(op, &super::paragraphs(&extra));
            let call = Call {
                name: fn_name.clone(),
                params: quote!(#(#path_args,)* #param),
                prepare: quote!(#prepare #build_path),
                // The answer is read whole and decoded by its status.
                decode: quote!(?.into_response(|answer| #enum_name::from_answer(&self.http, answer))),
                http: http.clone(),
            };
            let resp = quote!(#enum_name);
            call.emit(
                docs,
                &resp,
                &quote!(&operations::#konst, &path, #send_body, #accept),
                (send, dry_run),
                &arg_names,
            )
        }
        AnswerIr::Binary | AnswerIr::JsonOrBinary(_) => {
            let Some(binary) = &op.binary_response else {
                unreachable!("lowering answers with bytes only for an operation with a binary response")
            };
            let accept = binary.media_types.join(", ");
            let (resp, send, dry_run) = match (answer, form) {
                (AnswerIr::JsonOrBinary(t), false) => {
                    let t = type_tokens(t);
                    (
                        quote!(runtime::JsonOrBinary<#t>),
                        quote!(send_json_or_binary_with_response),
                        quote!(dry_run_json_binary),
                    )
                }
                (AnswerIr::JsonOrBinary(t), true) => {
                    let t = type_tokens(t);
                    (
                        quote!(runtime::JsonOrBinary<#t>),
                        quote!(send_multipart_or_binary_with_response),
                        quote!(dry_run_multipart_binary),
                    )
                }
                (_, false) => {
                    (quote!(runtime::BinaryBody), quote!(send_json_binary_with_response), quote!(dry_run_json_binary))
                }
                (_, true) => (
                    quote!(runtime::BinaryBody),
                    quote!(send_multipart_binary_with_response),
                    quote!(dry_run_multipart_binary),
                ),
            };
            let what = match answer {
                AnswerIr::JsonOrBinary(_) => format!(
                    "Answers with raw bytes ({accept}) or JSON, as the response's `content-type` says; `Accept: {accept}` is sent."
                ),
                _ => format!("Answers with raw bytes ({accept}): [`runtime::BinaryBody`] holds them and their media type."),
            };
            let mut extra = vec![Some(what), binary.docs.as_ref().map(|d| super::prose(d)), headers_note];
            if form {
                extra.insert(0, Some("Sends the request as `multipart/form-data`, files as file parts.".to_string()));
            }
            let example =
                super::doc_example::operation_example(api, op, form).map(|code| format!("# Example\n\n{code}"));
            extra.push(example);
            let docs = op_docs(op, &super::paragraphs(&extra));
            let call = Call {
                name: fn_name.clone(),
                params: quote!(#(#path_args,)* #param),
                prepare: quote!(#prepare #build_path),
                decode: TokenStream::new(),
                http: http.clone(),
            };
            call.emit(
                docs,
                &resp,
                &quote!(&operations::#konst, &path, #send_body, #accept),
                (send, dry_run),
                &arg_names,
            )
        }
        AnswerIr::Json(response) => {
            let resp = response.as_ref().map_or(quote!(serde_json::Value), type_tokens);
            let mut extra = Vec::new();
            if form {
                extra.push(Some("Sends the request as `multipart/form-data`, files as file parts.".to_string()));
            }
            if *stream_flag == FlagUse::Refuse {
                if let Some(stream) = op.method(MethodRole::Stream) {
                    extra.push(Some(format!("For a streamed response use [`Client::{}`].", stream.fn_name)));
                }
            }
            extra.push(headers_note);
            let example =
                super::doc_example::operation_example(api, op, form).map(|code| format!("# Example\n\n{code}"));
            extra.push(example);
            let docs = op_docs(op, &super::paragraphs(&extra));
            let (send, dry_run) = if form {
                (quote!(send_multipart_with_response), quote!(dry_run_multipart))
            } else {
                (quote!(send_json_with_response), quote!(dry_run_json))
            };
            let call = Call {
                name: fn_name.clone(),
                params: quote!(#(#path_args,)* #param),
                prepare: quote!(#prepare #build_path),
                decode: TokenStream::new(),
                http: http.clone(),
            };
            call.emit(docs, &resp, &quote!(&operations::#konst, &path, #send_body), (send, dry_run), &arg_names)
        }
        AnswerIr::Events(_) | AnswerIr::EventsOrJson { .. } => {
            // An operation that also answers with JSON may do so to a stream request (a
            // model that does not stream): the caller gets that response, not an error.
            let (resp, send, what) = match answer {
                AnswerIr::EventsOrJson { events, response } => {
                    let response = type_tokens(response);
                    let send = if form {
                        quote!(send_multipart_sse_or_json_with_response)
                    } else {
                        quote!(send_sse_or_json_with_response)
                    };
                    (
                        quote!(runtime::StreamReply<#events, #response>),
                        send,
                        "Returns the server-sent event stream, or the single response when the server answers with JSON instead (its `content-type` decides).",
                    )
                }
                AnswerIr::Events(events) => {
                    let send =
                        if form { quote!(send_multipart_sse_with_response) } else { quote!(send_sse_with_response) };
                    (quote!(runtime::EventStream<#events>), send, "Returns the server-sent event stream.")
                }
                _ => unreachable!("matched above"),
            };
            let dry_run = if form { quote!(dry_run_multipart_sse) } else { quote!(dry_run_sse) };
            let docs = op_docs(
                op,
                &format!(
                    "{what} The stream ends with an error if the connection closes before the completing event; it is never re-sent automatically."
                ),
            );
            let call = Call {
                name: fn_name.clone(),
                params: quote!(#(#path_args,)* #param),
                prepare: quote!(#prepare #build_path),
                decode: TokenStream::new(),
                http: http.clone(),
            };
            call.emit(docs, &resp, &quote!(&operations::#konst, &path, #send_body), (send, dry_run), &arg_names)
        }
    }
}

/// The value whose `request_params()` a method sends outside the body: its request,
/// form or parameters, when that struct has fields in the query or headers (or, sent
/// without a body, extra fields that go in the query).
fn params_source(api: &Api, body: &BodyIr) -> Option<TokenStream> {
    let (value, rust_name) = match body {
        BodyIr::None => return None,
        BodyIr::Json { rust_name, .. } => (quote!(request), rust_name),
        BodyIr::Form { rust_name } => (quote!(form), rust_name),
        BodyIr::Params { rust_name } => (quote!(params), rust_name),
    };
    let s = api.struct_named(rust_name)?;
    super::types::sends_params(s).then_some(value)
}

/// The values of the request's secret fields, each an `Option<&str>`; `None` when the
/// request has no secret field.
fn secret_values(api: &Api, body: &BodyIr) -> Option<Vec<TokenStream>> {
    let (value, rust_name) = match body {
        BodyIr::None | BodyIr::Params { .. } => return None,
        BodyIr::Json { rust_name, .. } => (quote!(request), rust_name),
        BodyIr::Form { rust_name } => (quote!(form), rust_name),
    };
    let s = api.struct_named(rust_name)?;
    let values: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| f.secret)
        .map(|f| {
            let n = ident(&f.rust_name);
            match f.presence {
                Presence::Required => quote!(Some(#value.#n.as_str())),
                _ => quote!(#value.#n.as_deref()),
            }
        })
        .collect();
    (!values.is_empty()).then_some(values)
}

/// One way of calling an operation (a JSON body, a form or none; any answer). Its shape
/// is decided once here, and three methods are emitted from it, so they cannot drift
/// apart: the plain call, `_with_response` (the value with the response head) and
/// `_dry_run` (the same request built and returned, not sent).
struct Call {
    /// The plain method's name.
    name: RustIdent,
    /// Parameters after `&self`.
    params: TokenStream,
    /// Validation, warnings and path building, shared by the three methods so a dry
    /// run checks exactly what a call checks.
    prepare: TokenStream,
    /// What turns the runtime's answer into the value: nothing when the runtime decodes
    /// it, else a method chain on the `Result` of the send (`?.into_response(..)`).
    decode: TokenStream,
    /// What sends the request: `self.http`, or the `http` handle `prepare` made to
    /// carry the request's query parameters and headers.
    http: TokenStream,
}

impl Call {
    /// `send` and `dry_run` name the runtime's `HttpClient` methods; `args` pass the
    /// parameters on from the plain method to `_with_response`.
    fn emit(
        &self,
        docs: TokenStream,
        resp: &TokenStream,
        send_args: &TokenStream,
        (send, dry_run): (TokenStream, TokenStream),
        args: &[TokenStream],
    ) -> TokenStream {
        let Call { name, params, prepare, decode, http } = self;
        let with_response = name.derived("", "_with_response");
        let dry_run_name = name.derived("", "_dry_run");
        let with_response_doc = format!(
            " [`Client::{name}`], the decoded value kept with the response's status, headers \
             (the key scrubbed) and request id: see [`runtime::Response`]."
        );
        let dry_run_doc = format!(
            " The request [`Client::{name}`] would send (URL, headers with the key redacted, \
             body), validated and built the same way but not sent. Fails as the call would \
             for an invalid request."
        );
        quote! {
            #docs
            pub async fn #name(&self, #params) -> Result<#resp, runtime::Error> {
                self.#with_response(#(#args),*).await.map(runtime::Response::into_value)
            }

            #[doc = #with_response_doc]
            pub async fn #with_response(&self, #params) -> Result<runtime::Response<#resp>, runtime::Error> {
                #prepare
                #http.#send(#send_args).await #decode
            }

            #[doc = #dry_run_doc]
            pub async fn #dry_run_name(&self, #params) -> Result<runtime::WireRequest, runtime::Error> {
                #prepare
                #http.#dry_run(#send_args).await
            }
        }
    }
}
