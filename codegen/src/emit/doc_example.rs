//! Runnable documentation examples, built from the spec's stored request examples:
//! the example's JSON becomes typed Rust (constructors, `with_*` setters, enum
//! variants), so `cargo test` compiles every example as a doctest and an example
//! that no longer matches the types fails the build.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::ident;
use crate::ir::*;

/// A doctest calling `op` with its first stored request example (one without
/// placeholders when there is one), or `None` when the operation has a request
/// body but no example that can be written as typed Rust, or the caller gave no
/// crate path (`ProviderIr::doc_crate`).
///
/// `multipart` picks the operation's multipart method when it has both kinds of body.
pub fn operation_example(api: &Api, op: &OperationIr, multipart: bool) -> Option<String> {
    example(api, op, multipart, Setting::Env)
}

/// The same example against the provider's mock server (`testing::MockServer`),
/// asserting that the mock received one request and found nothing wrong with it.
pub fn mock_example(api: &Api, op: &OperationIr) -> Option<String> {
    example(api, op, false, Setting::Mock)
}

/// Where an example's client comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setting {
    /// `Client::from_env()`: what a user's program does.
    Env,
    /// The provider's mock server: what a user's test does.
    Mock,
}

fn example(api: &Api, op: &OperationIr, multipart: bool, setting: Setting) -> Option<String> {
    let krate = api.provider.doc_crate.as_deref()?;
    let module = format!("{krate}::{}", api.provider.module.unraw());
    let path_args: Vec<TokenStream> = op
        .path_params
        .iter()
        .map(|p| match &p.ty {
            RustType::Named(n) => {
                let e = api.enum_named(&n.rust_name)?;
                let first = ident(&e.variants.first()?.rust_name);
                let ty = ident(&e.rust_name);
                Some(quote!(&#ty::#first))
            }
            _ => {
                let placeholder = format!("<{}>", p.name);
                Some(quote!(#placeholder))
            }
        })
        .collect::<Option<_>>()?;
    // The form method when asked for (whatever it answers: JSON, bytes or both), else the
    // main call (a stream-only operation's stream).
    let method = if multipart {
        op.methods.iter().find(|m| matches!(m.body, BodyIr::Form { .. }) && m.role != MethodRole::Stream)
    } else {
        op.method(MethodRole::Call).or(op.method(MethodRole::Stream))
    }?;
    let fn_name = ident(&method.fn_name);
    let call = match &method.body {
        BodyIr::None => quote!(let response = client.#fn_name(#(#path_args),*).await?;),
        // The argument is named as the client method names it: `request`, or `params`.
        BodyIr::Json { rust_name, .. } | BodyIr::Params { rust_name } => {
            let arg = if matches!(method.body, BodyIr::Params { .. }) { quote!(params) } else { quote!(request) };
            let example = request_example(api, op, false)?;
            let ty = api.struct_ref(rust_name)?;
            let value = expr(api, &ty, &example.body, false)?;
            quote! {
                let #arg = #value;
                let response = client.#fn_name(#(#path_args,)* &#arg).await?;
            }
        }
        BodyIr::Form { rust_name: form } => {
            let example = request_example(api, op, true)?;
            let ty = api.struct_ref(form)?;
            let value = expr(api, &ty, &with_files(api, form, example)?, false)?;
            quote! {
                let form = #value;
                let response = client.#fn_name(#(#path_args,)* &form).await?;
            }
        }
    };
    let mut uses = used_types(api, &call.to_string());
    let body = match setting {
        Setting::Env => quote! {
            async fn example() -> Result<(), Box<dyn std::error::Error>> {
                let client = Client::from_env()?;
                #call
                let _ = response;
                Ok(())
            }
        },
        Setting::Mock => {
            // `Client` is only the type the mock builds, never named in the example.
            uses.retain(|u| u != "Client");
            let id = &op.id;
            quote! {
                async fn example() -> Result<(), Box<dyn std::error::Error>> {
                    let server = MockServer::start().await?;
                    let client = server.client()?;
                    #call
                    let _ = response;
                    assert_eq!(server.received_for(#id).len(), 1);
                    assert!(server.problems().is_empty(), "{:?}", server.problems());
                    Ok(())
                }
            }
        }
    };
    let file: syn::File = syn::parse2(body).ok()?;
    let code = prettyplease::unparse(&file);
    // Shown: the body of `example`; hidden (`# `): its signature, so it compiles as written.
    let mut lines = Vec::new();
    if !uses.is_empty() {
        lines.push(format!("use {module}::{{{}}};", uses.join(", ")));
    }
    if setting == Setting::Mock {
        lines.push(format!("use {module}::testing::MockServer;"));
    }
    lines.push(format!("use {krate}::runtime;"));
    lines.push(String::new());
    for line in code.lines() {
        let hidden = line.starts_with("async fn example") || line == "}" || line.trim() == "Ok(())";
        let shown = line.strip_prefix("    ").unwrap_or(line);
        let shown = if line.trim() == "let _ = response;" { "// `response` is the typed answer." } else { shown };
        lines.push(if hidden { format!("# {line}") } else { shown.to_string() });
    }
    Some(format!("```no_run\n{}\n```", lines.join("\n")))
}

/// The request example to show (JSON, or a multipart form's): the first without
/// placeholders, else the first.
fn request_example<'a>(api: &'a Api, op: &OperationIr, multipart: bool) -> Option<&'a ExampleIr> {
    let requests: Vec<&ExampleIr> = api
        .examples
        .iter()
        .filter(|e| e.operation == op.id && is_request(e) && e.multipart_form.is_some() == multipart)
        .collect();
    requests.iter().find(|e| e.placeholders.is_empty()).or(requests.first()).copied()
}

/// A multipart example's text fields with its files added by part name (file names,
/// read with `FilePart::from_path` in the example).
fn with_files(api: &Api, form: &str, example: &ExampleIr) -> Option<Value> {
    let s = api.struct_named(form)?;
    let mut object = example.body.as_object().cloned().unwrap_or_default();
    for ExampleFile { field: part, file_name, .. } in &example.files {
        let field = s.fields.iter().find(|f| &f.wire_name == part || f.part_names.contains(part))?;
        let name = Value::String(file_name.clone());
        match (&field.ty, object.get_mut(&field.wire_name)) {
            (RustType::Vec(_), Some(Value::Array(files))) => files.push(name),
            (RustType::Vec(_), _) => {
                object.insert(field.wire_name.clone(), Value::Array(vec![name]));
            }
            _ => {
                object.insert(field.wire_name.clone(), name);
            }
        }
    }
    Some(Value::Object(object))
}

fn is_request(example: &ExampleIr) -> bool {
    matches!(example.kind, ExampleKind::Request)
}

/// The provider's types named in `code`, sorted, for the example's `use` line.
fn used_types(api: &Api, code: &str) -> Vec<String> {
    let mut names: Vec<String> = std::iter::once("Client".to_string())
        .chain(
            api.types.iter().map(TypeIr::rust_name).filter(|n| code.contains(&format!("{n} ::"))).map(str::to_string),
        )
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `value` as a Rust expression of type `ty`. `into_string` says the position takes
/// `impl Into<String>` (constructor and setter arguments), so a literal will do.
fn expr(api: &Api, ty: &RustType, value: &Value, into_string: bool) -> Option<TokenStream> {
    Some(match (ty, value) {
        (RustType::String | RustType::Url | RustType::DataUrl, Value::String(s)) if into_string => quote!(#s),
        (RustType::String | RustType::Url | RustType::DataUrl, Value::String(s)) => quote!(String::from(#s)),
        (RustType::I64 | RustType::U32 | RustType::U64, Value::Number(n)) => {
            let n = proc_macro2::Literal::u64_unsuffixed(n.as_u64()?);
            quote!(#n)
        }
        (RustType::F64, Value::Number(n)) => {
            let n = proc_macro2::Literal::f64_unsuffixed(n.as_f64()?);
            quote!(#n)
        }
        (RustType::Bool, Value::Bool(b)) => quote!(#b),
        (RustType::Json, v) => {
            let json: TokenStream = v.to_string().parse().ok()?;
            quote!(serde_json::json!(#json))
        }
        (RustType::Base64, Value::String(s)) => quote!(runtime::Base64Data::decode(#s)?),
        (RustType::File, Value::String(path)) => quote!(runtime::FilePart::from_path(#path)?),
        (RustType::Vec(inner), Value::Array(items)) => {
            let items = items.iter().map(|v| expr(api, inner, v, false)).collect::<Option<Vec<_>>>()?;
            quote!(vec![#(#items),*])
        }
        (RustType::OneOrMany(inner), Value::Array(items)) => {
            let items = items.iter().map(|v| expr(api, inner, v, false)).collect::<Option<Vec<_>>>()?;
            quote!(runtime::OneOrMany::Many(vec![#(#items),*]))
        }
        (RustType::OneOrMany(inner), v) => {
            let item = expr(api, inner, v, false)?;
            quote!(runtime::OneOrMany::One(#item))
        }
        (RustType::Map(inner), Value::Object(entries)) => {
            let entries = entries
                .iter()
                .map(|(k, v)| expr(api, inner, v, false).map(|v| quote!((String::from(#k), #v))))
                .collect::<Option<Vec<_>>>()?;
            quote!(std::collections::BTreeMap::from([#(#entries),*]))
        }
        // A boxed one_of member is written `Box::new(..)`; constructors and setters (the
        // `into_string` positions) take the value unboxed and box it themselves.
        (RustType::Named(n), v) if n.boxed && !into_string => {
            let value = named(api, n, v)?;
            quote!(Box::new(#value))
        }
        (RustType::Named(n), v) => named(api, n, v)?,
        _ => return None,
    })
}

fn named(api: &Api, n: &NamedRef, value: &Value) -> Option<TokenStream> {
    let ty = ident(&n.rust_name);
    if let Some(e) = api.enum_named(&n.rust_name) {
        let text = value.as_str()?;
        return match e.variant_for(text) {
            Some(v) => {
                let variant = ident(&v.rust_name);
                Some(quote!(#ty::#variant))
            }
            None if e.has_unknown => Some(quote!(#ty::Unknown(String::from(#text)))),
            None => None,
        };
    }
    if let Some(o) = api.one_of_named(&n.rust_name) {
        let object = value.as_object()?;
        let (key, inner) = object.iter().next().filter(|_| object.len() == 1)?;
        let member = o.variants.iter().find(|v| &v.wire == key)?;
        let variant = ident(&member.rust_name);
        let inner = expr(api, &member.ty, inner, false)?;
        return Some(quote!(#ty::#variant(#inner)));
    }
    let s = api.struct_named(&n.rust_name)?;
    let object = value.as_object()?;
    let mut used = Vec::new();
    let mut args = Vec::new();
    for f in s.fields.iter().filter(|f| {
        matches!(f.presence, Presence::Required | Presence::RequiredTolerant | Presence::Nullable { required: true })
    }) {
        if matches!(f.presence, Presence::Nullable { .. }) {
            // The constructor takes an `Option`: `None` is the explicit `null`.
            let arg = match object.get(&f.wire_name)? {
                Value::Null => quote!(None),
                v => {
                    let inner = expr(api, &f.ty, v, false)?;
                    quote!(Some(#inner))
                }
            };
            args.push(arg);
            used.push(f.wire_name.as_str());
        } else if f.flatten {
            // The member of a flattened one_of sits among the struct's own keys.
            let RustType::Named(member_of) = &f.ty else { return None };
            let o = api.one_of_named(&member_of.rust_name)?;
            let (key, inner) = object.iter().find(|(k, _)| o.variants.iter().any(|v| &v.wire == *k))?;
            let member = o.variants.iter().find(|v| &v.wire == key)?;
            let (one_of, variant) = (ident(&o.rust_name), ident(&member.rust_name));
            let inner = expr(api, &member.ty, inner, false)?;
            args.push(quote!(#one_of::#variant(#inner)));
            used.push(key.as_str());
        } else {
            args.push(expr(api, &f.ty, object.get(&f.wire_name)?, true)?);
            used.push(f.wire_name.as_str());
        }
    }
    let mut value = quote!(#ty::new(#(#args),*));
    for f in s.fields.iter().filter(|f| {
        matches!(f.presence, Presence::Optional | Presence::DefaultEmpty | Presence::Nullable { required: false })
    }) {
        // A `null` the docs send on purpose has no setter: no example rather than one that drops it.
        if matches!(f.presence, Presence::Nullable { .. }) && object.get(&f.wire_name).is_some_and(Value::is_null) {
            return None;
        }
        let Some(v) = object.get(&f.wire_name).filter(|v| !v.is_null()) else { continue };
        let setter = super::setter_name(f);
        let arg = expr(api, &f.ty, v, true)?;
        value = quote!(#value.#setter(#arg));
        used.push(f.wire_name.as_str());
    }
    for (key, v) in object.iter().filter(|(k, _)| !used.contains(&k.as_str())) {
        let json: TokenStream = v.to_string().parse().ok()?;
        value = quote!(#value.with_extra(#key, serde_json::json!(#json)));
    }
    Some(value)
}
