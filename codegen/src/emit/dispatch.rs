//! Calling operations by name with JSON: the operation table and `call`
//! function each provider exposes for the CLI and the conformance suite.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, type_tokens};
use crate::ir::naming::{kebab, shouty, singular_kebab};
use crate::ir::*;

/// The `dispatch.rs` file of a provider.
pub fn emit(api: &Api) -> TokenStream {
    let specs = api.operations.iter().map(|op| operation_spec(op, api));
    let arms = api.operations.iter().map(call_arm);
    let converters = api.types.iter().filter_map(|t| match t {
        // Only streams of an operation are converted; a converter nothing calls is dead code.
        TypeIr::Events(e) if api.operations.iter().any(|op| op.sse_response.as_ref() == Some(&e.rust_name)) => {
            Some(event_converter(e))
        }
        TypeIr::Struct(s) if s.multipart => Some(form_from_call(s)),
        _ => None,
    });
    let title =
        format!(" Calling {} operations by name with JSON, for tools such as the `imagegen` CLI.", api.provider.title);
    let check_arms: Vec<TokenStream> = api.operations.iter().filter_map(|op| check_arm(op, api)).collect();
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
        pub async fn call(client: &Client, operation: &str, call: dispatch::Call) -> Result<dispatch::Outcome, runtime::Error> {
            dispatch::check_wait(OPERATIONS, operation, &call)?;
            // A call that writes its answer's images as they arrive goes through a handle that does.
            let saving = match call.save_images_options() {
                Some(options) => Some(client.with_options(&options)?),
                None => None,
            };
            let client = saving.as_ref().unwrap_or(client);
            match operation {
                #(#arms)*
                _ => Err(dispatch::unknown_operation(operation)),
            }
        }

        /// Reads and validates the request of a call without sending it: the
        /// checks [`call`] makes before any network traffic. `Ok` holds the request's
        /// warnings, which [`call`] reports to the client's observer.
        pub fn check(operation: &str, #check_arg: &dispatch::Call) -> Result<runtime::Warnings, runtime::Error> {
            match operation {
                #(#check_arms)*
                _ if OPERATIONS.iter().any(|op| op.id == operation) => Ok(runtime::Warnings::default()),
                _ => Err(dispatch::unknown_operation(operation)),
            }
        }

        /// Builds a client from `config` and calls `operation`, boxed for provider tables.
        /// When the client cannot be built (no API key, say), an invalid request is
        /// still reported first, with every violation.
        pub fn call_boxed(config: &runtime::ClientConfig, operation: &str, call: dispatch::Call) -> dispatch::BoxedCall {
            let client = config.build::<Client>();
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
            let variants: &[VariantIr] = api
                .types
                .iter()
                .find_map(|t| match t {
                    TypeIr::Enum(e) if e.rust_name == n.rust_name => Some(e.variants.as_slice()),
                    _ => None,
                })
                .unwrap_or_default();
            let values = variants.iter().map(|v| &v.wire);
            // Documented aliases are accepted by the API, so the command line accepts them too.
            let aliases = variants.iter().flat_map(|v| {
                v.aliases.iter().map(move |a| {
                    let (alias, value) = (&a.wire, &v.wire);
                    let deprecated = option_str(a.deprecated.as_deref());
                    quote!(dispatch::ValueAlias { alias: #alias, value: #value, deprecated: #deprecated })
                })
            });
            quote!(dispatch::FlagKind::Choice { values: &[#(#values),*], aliases: &[#(#aliases),*], open: #open })
        }
        _ => return None,
    })
}

fn option_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}

fn first_line(docs: &Option<String>) -> String {
    docs.as_deref().and_then(|d| d.lines().next()).unwrap_or_default().trim().to_string()
}

/// How deep the CLI's nested flags, image fields and text paths reach into a request or
/// response: deep enough for `generationConfig.imageConfig.aspectRatio`, and a bound for
/// types that contain themselves.
const MAX_DEPTH: usize = 4;

/// A wire name that can be written in a CLI path (`a.b[0].c`) without quoting.
fn plain_wire(wire: &str) -> bool {
    !wire.is_empty() && !wire.contains(['.', '[', ']', '='])
}

fn join_path(prefix: &str, wire: &str) -> String {
    if prefix.is_empty() {
        wire.to_string()
    } else {
        format!("{prefix}.{wire}")
    }
}

fn operation_spec(op: &OperationIr, api: &Api) -> TokenStream {
    let id = &op.id;
    let command = kebab(&op.id);
    let summary = &op.summary;
    let (body, fields) = match (&op.json_request, &op.multipart_request, &op.params_request) {
        (Some(r), _, _) => (quote!(dispatch::BodyKind::Json), api.struct_named(r)),
        (None, Some(f), _) => (quote!(dispatch::BodyKind::Multipart), api.struct_named(f)),
        // No body; its fields are flags all the same.
        (None, None, Some(p)) => (quote!(dispatch::BodyKind::None), api.struct_named(p)),
        (None, None, None) => (quote!(dispatch::BodyKind::None), None),
    };
    let mut flags = Vec::new();
    let mut images = Vec::new();
    if let Some(s) = fields {
        let nested = op.json_request.is_some();
        let scope = Scope { api, nested, path: String::new(), flag: String::new(), required: true, depth: 0 };
        field_flags(s, &scope, &mut flags);
        if nested {
            image_fields(s, &scope, &mut images);
        }
    }
    // The first field to claim a flag name keeps it (RouterHub's `contents[0].parts`
    // before `systemInstruction.parts`), so every name is unique.
    let mut seen = std::collections::BTreeSet::new();
    images.retain(|image| seen.insert(image.flag.clone()));
    let images = images.iter().map(ImageField::tokens);
    let path_params = op.path_params.iter().filter_map(|p| {
        Some(with_flag(flag_spec(&p.name, &p.name, &p.ty, &p.docs, true, None, api)?, &kebab(&p.name)))
    });
    let files: Vec<TokenStream> = match (&op.json_request, &op.multipart_request) {
        (None, Some(f)) => api.struct_named(f).map(file_specs).unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut texts = Vec::new();
    if let Some(RustType::Named(n)) = &op.json_response {
        if let Some(s) = api.struct_named(&n.rust_name) {
            response_texts(api, s, "", 0, &mut texts);
        }
    }
    let streaming = match (op.method(MethodRole::Stream), &op.stream_flag) {
        (Some(_), Some(flag)) => {
            let wire = &flag.wire;
            quote!(dispatch::Streaming::Flag(#wire))
        }
        (Some(_), None) => quote!(dispatch::Streaming::Always),
        (None, _) => quote!(dispatch::Streaming::No),
    };
    let job = match &op.job {
        Some(job) => {
            let result_url = match job.result.download() {
                Some(r) => {
                    let wire = &r.wire;
                    quote!(Some(#wire))
                }
                None => quote!(None),
            };
            quote!(Some(dispatch::JobSpec { result_url: #result_url }))
        }
        None => quote!(None),
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
            images: &[#(#images),*],
            texts: &[#(#texts),*],
            streaming: #streaming,
            job: #job,
        }
    }
}

/// Where a walk through a request type stands.
#[derive(Clone)]
struct Scope<'a> {
    api: &'a Api,
    /// Whether nested objects are walked (JSON bodies; a multipart form is flat).
    nested: bool,
    /// Wire path of the current object.
    path: String,
    /// Flag prefix of the current object (`image-config`).
    flag: String,
    /// Whether every enclosing object is required.
    required: bool,
    depth: usize,
}

impl Scope<'_> {
    fn enter(&self, f: &FieldIr, path: String) -> Self {
        Scope {
            path,
            flag: join_path(&self.flag, &kebab(&f.wire_name)),
            required: self.required && f.presence == Presence::Required,
            depth: self.depth + 1,
            ..self.clone()
        }
    }
}

/// One flag per scalar field, and per scalar field of nested objects (`--image-config.aspect-ratio`).
/// Fields that hold images get a file flag instead (see [`image_fields`]).
fn field_flags(s: &StructIr, scope: &Scope<'_>, out: &mut Vec<TokenStream>) {
    for f in s.fields.iter().filter(|f| !f.flatten && plain_wire(&f.wire_name)) {
        if scope.nested && image_encoding(f).is_some() {
            continue;
        }
        let path = join_path(&scope.path, &f.wire_name);
        let flag = join_path(&scope.flag, &kebab(&f.wire_name));
        let required = scope.required && f.presence == Presence::Required;
        if let Some(spec) = flag_spec(&f.wire_name, &path, &f.ty, &f.docs, required, f.deprecated.as_deref(), scope.api)
        {
            let spec = with_flag(spec, &flag);
            out.push(spec);
            continue;
        }
        if let RustType::Named(NamedRef { rust_name, kind: NamedKind::Struct, .. }) = &f.ty {
            if scope.nested && scope.depth < MAX_DEPTH {
                if let Some(inner) = scope.api.struct_named(rust_name) {
                    field_flags(inner, &scope.enter(f, path), out);
                }
            }
        }
    }
}

/// `flag_spec` names the flag after the wire name; a nested field carries its object's prefix.
fn with_flag(spec: FlagSpecParts, flag: &str) -> TokenStream {
    let FlagSpecParts { wire, path, kind, help, required, deprecated } = spec;
    quote!(dispatch::FlagSpec {
        wire: #wire, path: #path, flag: #flag, kind: #kind, help: #help, required: #required, deprecated: #deprecated
    })
}

struct FlagSpecParts {
    wire: String,
    path: String,
    kind: TokenStream,
    help: String,
    required: bool,
    deprecated: TokenStream,
}

fn flag_spec(
    wire: &str,
    path: &str,
    ty: &RustType,
    docs: &Option<String>,
    required: bool,
    deprecated: Option<&str>,
    api: &Api,
) -> Option<FlagSpecParts> {
    Some(FlagSpecParts {
        wire: wire.to_string(),
        path: path.to_string(),
        kind: flag_kind(ty, api)?,
        help: first_line(docs),
        required,
        deprecated: option_str(deprecated),
    })
}

/// The element type of a list field, and whether it is one.
fn item_type(ty: &RustType) -> (&RustType, bool) {
    match ty {
        RustType::Vec(inner) | RustType::OneOrMany(inner) => (inner, true),
        other => (other, false),
    }
}

/// How a field holding an image in text form is written: a data URL when the field
/// takes one (it carries the MIME type), else plain base64.
fn image_encoding(f: &FieldIr) -> Option<TokenStream> {
    let (item, _) = item_type(&f.ty);
    let data_url = f.constraints.allow_data_url || *item == RustType::DataUrl;
    let image = match item {
        RustType::Base64 | RustType::DataUrl => true,
        RustType::String => f.constraints.base64_text,
        RustType::Url => f.constraints.allow_data_url,
        _ => false,
    };
    match (image, data_url) {
        (false, _) => None,
        (true, true) => Some(quote!(dispatch::ImageEncoding::DataUrl)),
        (true, false) => Some(quote!(dispatch::ImageEncoding::Base64)),
    }
}

/// A field fillable from image files.
struct ImageField {
    flag: String,
    path: String,
    many: bool,
    item: ImageItem,
    help: String,
}

/// The shape of one image item: where the encoded image and its MIME type go.
struct ImageItem {
    encoding: TokenStream,
    data: String,
    mime_type: Option<String>,
}

impl ImageField {
    fn tokens(&self) -> TokenStream {
        let ImageField { flag, path, many, item: ImageItem { encoding, data, mime_type }, help } = self;
        let mime_type = option_str(mime_type.as_deref());
        quote!(dispatch::ImageFieldSpec {
            flag: #flag, path: #path, many: #many, encoding: #encoding, data: #data, mime_type: #mime_type, help: #help
        })
    }
}

/// The request's image fields, in field order: text fields holding base64 or data URLs
/// (Octen's `image`), and lists of inline-data objects (ListenHub's `referenceImages`,
/// Gemini's `contents[0].parts`). The flag is the field's singular name when it speaks
/// of images, else `image`.
fn image_fields(s: &StructIr, scope: &Scope<'_>, out: &mut Vec<ImageField>) {
    for f in s.fields.iter().filter(|f| !f.flatten && plain_wire(&f.wire_name)) {
        let path = join_path(&scope.path, &f.wire_name);
        let (item_ty, many) = item_type(&f.ty);
        let item = match image_encoding(f) {
            Some(encoding) => Some(ImageItem { encoding, data: String::new(), mime_type: None }),
            None => image_item(scope.api, item_ty),
        };
        if let Some(item) = item {
            let named = kebab(&f.wire_name);
            let flag = match (named.contains("image") || named.contains("mask"), many) {
                (false, _) => "image".to_string(),
                (true, true) => singular_kebab(&f.wire_name),
                (true, false) => named,
            };
            out.push(ImageField { flag, path, many, item, help: first_line(&f.docs) });
            continue;
        }
        if let RustType::Named(NamedRef { rust_name, kind: NamedKind::Struct, .. }) = item_ty {
            if scope.depth < MAX_DEPTH {
                if let Some(inner) = scope.api.struct_named(rust_name) {
                    // Images in a list of objects go into its first item (the user's turn of a conversation).
                    let path = if many { format!("{path}[0]") } else { path };
                    image_fields(inner, &scope.enter(f, path), out);
                }
            }
        }
    }
}

/// The item shape when `ty` is an object carrying one image: a struct with an image field
/// (and a MIME type beside it) and no other required field, or a one-of (possibly flattened
/// into a struct) with such a variant, written under the variant's key.
fn image_item(api: &Api, ty: &RustType) -> Option<ImageItem> {
    let RustType::Named(n) = ty else { return None };
    match n.kind {
        NamedKind::Struct => {
            let s = api.struct_named(&n.rust_name)?;
            if let Some(item) = inline_object(api, s) {
                return Some(item);
            }
            s.fields.iter().filter(|f| f.flatten).find_map(|f| image_item(api, &f.ty))
        }
        NamedKind::OneOf => {
            let o = api.one_of_named(&n.rust_name)?;
            o.variants.iter().filter(|v| plain_wire(&v.wire)).find_map(|v| {
                let RustType::Named(NamedRef { rust_name, kind: NamedKind::Struct, .. }) = &v.ty else {
                    return None;
                };
                let item = inline_object(api, api.struct_named(rust_name)?)?;
                Some(ImageItem {
                    encoding: item.encoding,
                    data: join_path(&v.wire, &item.data),
                    mime_type: item.mime_type.map(|m| join_path(&v.wire, &m)),
                })
            })
        }
        _ => None,
    }
}

fn inline_object(api: &Api, s: &StructIr) -> Option<ImageItem> {
    let image = s
        .fields
        .iter()
        .find(|f| !f.flatten && !item_type(&f.ty).1 && image_encoding(f).is_some() && plain_wire(&f.wire_name))?;
    let is_mime = |f: &&FieldIr| {
        let squashed: String = f.wire_name.chars().filter(|c| c.is_alphanumeric()).collect();
        squashed.eq_ignore_ascii_case("mimetype") && flag_kind(&f.ty, api).is_some()
    };
    let mime = s.fields.iter().find(is_mime);
    // Another required field would have no value: such an object is not an image alone.
    let others_required = s.fields.iter().any(|f| {
        f.wire_name != image.wire_name
            && Some(&f.wire_name) != mime.map(|m| &m.wire_name)
            && matches!(
                f.presence,
                Presence::Required | Presence::RequiredTolerant | Presence::Nullable { required: true }
            )
    });
    if others_required {
        return None;
    }
    Some(ImageItem {
        encoding: image_encoding(image)?,
        data: image.wire_name.clone(),
        mime_type: mime.map(|m| m.wire_name.clone()),
    })
}

/// Wire paths of the text parts of a response: string fields named `text` inside list items
/// (a part of a content list), and `text` variants of one-ofs there. A top-level `text` is a
/// summary of those parts (Octen), so printing it too would repeat them.
fn response_texts(api: &Api, s: &StructIr, prefix: &str, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH + 2 {
        return;
    }
    for f in s.fields.iter().filter(|f| plain_wire(&f.wire_name) || f.flatten) {
        let (item_ty, many) = item_type(&f.ty);
        let path = match (f.flatten, many) {
            (true, _) => prefix.to_string(),
            (false, true) => format!("{}[]", join_path(prefix, &f.wire_name)),
            (false, false) => join_path(prefix, &f.wire_name),
        };
        match item_ty {
            RustType::String if f.wire_name == "text" && path.contains("[]") => out.push(path),
            RustType::Named(NamedRef { rust_name, kind: NamedKind::Struct, .. }) => {
                if let Some(inner) = api.struct_named(rust_name) {
                    response_texts(api, inner, &path, depth + 1, out);
                }
            }
            RustType::Named(NamedRef { rust_name, kind: NamedKind::OneOf, .. }) if path.contains("[]") => {
                let Some(o) = api.one_of_named(rust_name) else { continue };
                if o.variants.iter().any(|v| v.wire == "text" && v.ty == RustType::String) {
                    out.push(join_path(&path, "text"));
                }
            }
            _ => {}
        }
    }
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
    crate::ir::naming::snake(events).derived("", "_item").ident()
}

/// The arm of `check` for an operation with a request: read it as `call` would, then
/// validate. Fields in the query or headers are read back from where a server received
/// them (`call.query`, `call.headers`) when the body lacks them.
fn check_arm(op: &OperationIr, api: &Api) -> Option<TokenStream> {
    let id = &op.id;
    let params = |name: &RustIdent| api.struct_named(name).map(|s| param_specs(s, api)).unwrap_or_default();
    let read = match (&op.json_request, &op.multipart_request, &op.params_request) {
        (Some(request), _, _) => {
            let req = ident(request);
            match params(request) {
                specs if specs.is_empty() => {
                    quote!(let request: #req = dispatch::request_from_json(call.body.clone())?;)
                }
                specs => quote! {
                    let body = dispatch::body_with_params(call, &[#(#specs),*]);
                    let request: #req = dispatch::request_from_json(body)?;
                },
            }
        }
        (None, Some(form), _) => {
            let form_type = ident(form);
            match params(form) {
                specs if specs.is_empty() => quote!(let request = #form_type::from_call(call)?;),
                specs => quote! {
                    let call = &dispatch::Call { body: dispatch::body_with_params(call, &[#(#specs),*]), ..call.clone() };
                    let request = #form_type::from_call(call)?;
                },
            }
        }
        (None, None, Some(params_type)) => {
            let t = ident(params_type);
            let specs = params(params_type);
            quote! {
                let body = dispatch::body_with_params(call, &[#(#specs),*]);
                let request: #t = dispatch::params_from_json(body)?;
            }
        }
        (None, None, None) => return None,
    };
    Some(quote! {
        #id => {
            #read
            Ok(runtime::Validate::validate(&request)?)
        }
    })
}

/// The arm of `call` for an operation: read the path parameters and the body, then
/// call the operation's main method, or its stream method when the call asks for a
/// stream (the stream flag set in the body, or `call.stream`).
fn call_arm(op: &OperationIr) -> TokenStream {
    let id = &op.id;
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
    let call_method = op.method(MethodRole::Call);
    let stream_method = op.method(MethodRole::Stream);
    // Both methods of an operation send the same body (lowering decides so).
    let Some(body) = call_method.or(stream_method).map(|m| &m.body) else {
        unreachable!("lowering gives every operation a main or a stream method")
    };
    let (read, body_arg) = match body {
        BodyIr::None => (TokenStream::new(), None),
        BodyIr::Json { rust_name, .. } => {
            let t = ident(rust_name);
            (quote!(let request: #t = dispatch::request_from_json(call.body)?;), Some(quote!(request)))
        }
        BodyIr::Form { rust_name } => {
            let t = ident(rust_name);
            (quote!(let form = #t::from_call(&call)?;), Some(quote!(form)))
        }
        BodyIr::Params { rust_name } => {
            let t = ident(rust_name);
            (quote!(let params: #t = dispatch::params_from_json(call.body)?;), Some(quote!(params)))
        }
    };
    let invoke_named = |m: &MethodIr, name: proc_macro2::Ident| {
        let body = match (&m.body, &body_arg) {
            (BodyIr::Json { by_value: true, .. }, Some(b)) => quote!(#b),
            (_, Some(b)) => quote!(&#b),
            (_, None) => TokenStream::new(),
        };
        let all: Vec<TokenStream> = args.iter().cloned().chain((!body.is_empty()).then_some(body)).collect();
        quote!(client.#name(#(#all),*).await?)
    };
    let invoke = |m: &MethodIr| invoke_named(m, ident(&m.fn_name));
    let respond = |response: &Option<RustType>| match response {
        Some(t) if t.collects_images() => quote!(Ok(dispatch::Outcome::response(&response))),
        _ => quote!(Ok(dispatch::Outcome::without_images(&response))),
    };
    let stream_outcome = |m: &MethodIr| {
        let call = invoke(m);
        match &m.answer {
            // Only a stream-only operation answers with bare events, so this is the arm's tail.
            AnswerIr::Events(events) => {
                let conv = converter_name(events);
                quote! {
                    let stream = #call;
                    Ok(dispatch::Outcome::stream(stream, #conv))
                }
            }
            AnswerIr::EventsOrJson { events, response } => {
                let conv = converter_name(events);
                let respond = respond(&Some(response.clone()));
                quote! {
                    match #call {
                        runtime::StreamReply::Events(stream) => Ok(dispatch::Outcome::stream(stream, #conv)),
                        runtime::StreamReply::Response(response) => #respond,
                    }
                }
            }
            AnswerIr::Json(_) | AnswerIr::Binary | AnswerIr::JsonOrBinary(_) | AnswerIr::ByStatus(_) => {
                unreachable!("a stream method answers with events")
            }
        }
    };
    let main = match (call_method, stream_method) {
        (Some(m), stream) => {
            // A JSON answer that can carry images is read with its head: the files
            // `save_images_to` wrote as they arrived go with the outcome.
            let saves = matches!(&m.answer, AnswerIr::Json(Some(t)) if t.collects_images());
            let call = match saves {
                true => invoke_named(m, ident(&m.fn_name.derived("", "_with_response"))),
                false => invoke(m),
            };
            let respond = match &m.answer {
                AnswerIr::Json(_) if saves => quote!(Ok(dispatch::Outcome::saved_response(response))),
                AnswerIr::Json(response) => respond(response),
                // The bytes are the one image of the answer.
                AnswerIr::Binary => quote!(Ok(dispatch::Outcome::response(&response))),
                AnswerIr::JsonOrBinary(json) => {
                    let json = respond(&Some(json.clone()));
                    quote! {
                        match response {
                            runtime::JsonOrBinary::Json(response) => #json,
                            runtime::JsonOrBinary::Binary(response) => Ok(dispatch::Outcome::response(&response)),
                        }
                    }
                }
                AnswerIr::ByStatus(name) => {
                    let Some(answers) = &op.status_answers else {
                        unreachable!("lowering answers by status only for an operation with statuses")
                    };
                    let arms = answers.variants.iter().map(|v| {
                        let variant = &v.rust_name;
                        let outcome = match (&v.json, v.binary) {
                            (Some(json), true) => {
                                let json = respond(&Some(json.clone()));
                                quote! {
                                    match response {
                                        runtime::JsonOrBinary::Json(response) => #json,
                                        runtime::JsonOrBinary::Binary(response) => Ok(dispatch::Outcome::response(&response)),
                                    }
                                }
                            }
                            (Some(json), false) => respond(&Some(json.clone())),
                            (None, _) => quote!(Ok(dispatch::Outcome::response(&response))),
                        };
                        quote!(#name::#variant(response) => #outcome,)
                    });
                    quote! {
                        match response {
                            #(#arms)*
                            #name::Other(answer) => Ok(dispatch::Outcome::without_images(&serde_json::json!({
                                "status": answer.status(),
                                "bytes": answer.body_len(),
                            }))),
                        }
                    }
                }
                AnswerIr::Events(_) | AnswerIr::EventsOrJson { .. } => {
                    unreachable!("lowering gives the main call one answer read whole")
                }
            };
            let waited = op.method(MethodRole::Wait).map(|w| wait_branch(op, w, &args, &body_arg));
            let streamed = stream.map(|s| {
                let asked = match (&op.stream_flag, &s.body) {
                    (Some(flag), BodyIr::Json { .. }) => {
                        let field = ident(&flag.rust_name);
                        quote!(call.stream || request.#field == Some(true))
                    }
                    _ => quote!(call.stream),
                };
                let outcome = stream_outcome(s);
                quote!(if #asked { return #outcome; })
            });
            quote! {
                #waited
                #streamed
                let response = #call;
                #respond
            }
        }
        (None, Some(s)) => stream_outcome(s),
        (None, None) => unreachable!("checked above"),
    };
    quote! {
        #id => {
            #prelude
            #read
            #main
        }
    }
}

/// The part of a job operation's arm that runs when the call asks to wait: its
/// `_and_wait_with` at the documented pace (as the call changes it) with the call's
/// progress callback, then its image(s) as the job's [`JobResultIr`] says: downloaded
/// from the result URL, or read from the finished answer itself.
fn wait_branch(op: &OperationIr, wait: &MethodIr, args: &[TokenStream], body_arg: &Option<TokenStream>) -> TokenStream {
    let Some(job) = &op.job else { unreachable!("lowering gives a Wait method only to an operation with a job") };
    let with = ident(&wait.fn_name.derived("", "_with"));
    let policy = format_ident!("{}_POLL_POLICY", shouty(&op.id));
    let body = body_arg.as_ref().map(|b| quote!(&#b));
    let all: Vec<TokenStream> = args.iter().cloned().chain(body).collect();
    // A failing download is an error keeping `done` (`runtime::Error::JobResult`).
    let finished = match &job.result {
        JobResultIr::Download(r) => {
            let method = ident(&r.method);
            quote! {
                let result = client.#method(&done).await?;
                return Ok(dispatch::Outcome::finished_job(&done, Some(result)));
            }
        }
        JobResultIr::InAnswer => quote!(return Ok(dispatch::Outcome::response(&done));),
        JobResultIr::NoImage => quote!(return Ok(dispatch::Outcome::without_images(&done));),
    };
    quote! {
        if let Some(wait) = &call.wait {
            let policy = wait.policy(Client::#policy);
            let done = client.#with(#(#all,)* &policy, |p| wait.report(p)).await?;
            #finished
        }
    }
}

/// How each field of `s` sent outside the body is read back from a received request.
fn param_specs(s: &StructIr, api: &Api) -> Vec<TokenStream> {
    s.params()
        .map(|f| {
            let wire = &f.wire_name;
            let location = match f.location {
                Location::Query(style) => {
                    let comma = style == QueryStyle::Comma;
                    quote!(dispatch::ParamLocation::Query { comma: #comma })
                }
                Location::Header => quote!(dispatch::ParamLocation::Header),
                Location::Body => unreachable!("`StructIr::params` yields only fields outside the body"),
            };
            let (item, many) = item_type(&f.ty);
            // The checker allows only scalars and enums (and lists of them) outside the body.
            let kind = flag_kind(item, api).unwrap_or_else(|| quote!(dispatch::FlagKind::String));
            quote!(dispatch::ParamSpec { wire: #wire, location: #location, kind: #kind, many: #many })
        })
        .collect()
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
            (_, Presence::Nullable { .. }) => unreachable!("the checker refuses `nullable` fields in multipart forms"),
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
        let build = if v.data_holds_images { quote!(new) } else { quote!(without_images) };
        quote!(#name::#vn(data) => dispatch::StreamItem::#build(Some(#ev), data, #terminal),)
    });
    let doc = format!(" Converts a [`{}`] into a generic stream item.", e.rust_name);
    quote! {
        #[doc = #doc]
        fn #conv(event: #name) -> dispatch::StreamItem {
            match event {
                #(#arms)*
                #name::Unknown { event, data } => dispatch::StreamItem { event, data: data.into(), images: Vec::new(), terminal: false },
            }
        }
    }
}
