//! Structs, enums, one-ofs, model tables and stream events.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::{bare, doc_paragraphs, ident, prose, prose_opt, type_tokens};
use crate::ir::*;

/// The `types.rs` file of a provider.
pub fn emit(api: &Api) -> TokenStream {
    let items = api.types.iter().map(|t| match t {
        TypeIr::Struct(s) => strukt(s, api),
        TypeIr::Enum(e) => enumeration(e),
        TypeIr::OneOf(o) => one_of(o),
        TypeIr::Events(e) => events(e),
    });
    let title = format!(" Request and response types of the {} API.", api.provider.title);
    quote! {
        #![doc = #title]
        #![allow(clippy::large_enum_variant)]

        use serde::{Deserialize, Serialize};

        use crate::runtime;

        #(#items)*
    }
}

fn field_docs(f: &FieldIr) -> TokenStream {
    let mut notes = Vec::new();
    if let Some(d) = &f.default {
        notes.push(format!("Default: `{}`.", show_value(d)));
    }
    let c = &f.constraints;
    match (c.min, c.max) {
        (Some(a), Some(b)) => notes.push(format!("Range: {}..={}.", num(a), num(b))),
        (Some(a), None) => notes.push(format!("Minimum: {}.", num(a))),
        (None, Some(b)) => notes.push(format!("Maximum: {}.", num(b))),
        _ => {}
    }
    if let Some(max) = c.max_items {
        notes.push(format!("At most {max} items."));
    }
    if !c.schemes.is_empty() {
        let mut s = format!("URL schemes: {}", c.schemes.join(", "));
        if c.allow_data_url {
            s.push_str(", or a base64 data URL");
        }
        notes.push(format!("{s}."));
    }
    if c.base64_text {
        notes.push(if c.allow_data_url {
            "Base64 text, or a `data:<mime>;base64,` URL.".to_string()
        } else {
            "Base64 text.".to_string()
        });
    }
    if !f.families.is_empty() {
        notes.push(format!("Applies to {} models only; others ignore it.", f.families.join(", ")));
    }
    if matches!(f.presence, Presence::RequiredTolerant) {
        notes
            .push("Always sent by the docs' account; kept optional so responses that omit it still parse.".to_string());
    }
    if let Some(original) = &f.repeats_images_of {
        notes.push(format!(
            "Its images repeat those of `{original}`: `images()` reads them only when `{original}` holds none."
        ));
    }
    let deprecated = f.deprecated.as_ref().map(|d| format!("**Deprecated:** {}", prose(d)));
    let notes = (!notes.is_empty()).then(|| notes.join(" "));
    doc_paragraphs(&[prose_opt(&f.docs), notes, deprecated])
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

fn show_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field_tokens(f: &FieldIr, serde: bool) -> TokenStream {
    let name = ident(&f.rust_name);
    let ty = type_tokens(&f.ty);
    let doc = field_docs(f);
    let mut attrs = Vec::new();
    if bare(&f.rust_name) != f.wire_name && !f.flatten {
        let wire = &f.wire_name;
        attrs.push(quote!(rename = #wire));
    }
    let held = match f.presence {
        Presence::Required => ty,
        Presence::DefaultEmpty => {
            attrs.push(quote!(default));
            ty
        }
        Presence::Optional | Presence::RequiredTolerant => {
            attrs.push(quote!(default, skip_serializing_if = "Option::is_none"));
            quote!(Option<#ty>)
        }
    };
    if f.flatten {
        attrs.push(quote!(flatten));
    }
    let serde_attr = if serde && !attrs.is_empty() { quote!(#[serde(#(#attrs),*)]) } else { TokenStream::new() };
    quote! {
        #doc
        #serde_attr
        pub #name: #held,
    }
}

fn strukt(s: &StructIr, api: &Api) -> TokenStream {
    let name = ident(&s.rust_name);
    let doc =
        doc_paragraphs(&[prose_opt(&s.docs), s.deprecated.as_ref().map(|d| format!("**Deprecated:** {}", prose(d)))]);
    // Multipart forms carry files, which have no JSON form.
    let serde = !s.multipart;
    let mut fields: Vec<TokenStream> = s.fields.iter().map(|f| field_tokens(f, serde)).collect();
    if serde {
        fields.push(extra_fields_member(s));
    }
    let all_defaultable = s
        .fields
        .iter()
        .all(|f| matches!(f.presence, Presence::Optional | Presence::RequiredTolerant | Presence::DefaultEmpty));
    let mut derives = vec![quote!(Debug), quote!(Clone), quote!(PartialEq)];
    if all_defaultable {
        derives.push(quote!(Default));
    }
    if serde {
        derives.push(quote!(Serialize));
    }
    let deserialize = if serde { object_deserialize(s, api) } else { TokenStream::new() };
    let builder = if s.is_request_side() { builder(s, api) } else { TokenStream::new() };
    let defaults = defaults(s, api);
    let inline_image = s.inline_image.as_ref().map(|image| inline_image_constructors(s, image)).unwrap_or_default();
    let images = if s.usage.response && s.holds_images { collect_images_struct(s) } else { TokenStream::new() };
    let multipart = if s.multipart { multipart_parts(s) } else { TokenStream::new() };
    quote! {
        #doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #deserialize
        #builder
        #inline_image
        #defaults
        #images
        #multipart
    }
}

/// The `extra` member: what the spec does not describe, kept from responses and sent
/// with requests.
fn extra_fields_member(s: &StructIr) -> TokenStream {
    let name = ident(crate::ir::naming::EXTRA_FIELDS);
    let doc = if s.is_request_side() {
        " Fields the spec does not describe. Sent as they are beside the typed fields: the way to\n          pass a parameter the provider added before this client caught up (a key that names a\n          typed field is a validation error). In a response, every field the server sent that\n          has no typed field above."
    } else {
        " Every field the server sent that has no typed field above, kept as received."
    };
    quote! {
        #[doc = #doc]
        #[serde(flatten)]
        pub #name: serde_json::Map<String, serde_json::Value>,
    }
}

/// `next_value` for one field: integers go through `WholeNumber`, so `2.0` reads as `2`.
fn read_value(f: &FieldIr) -> TokenStream {
    let whole = matches!(f.ty, RustType::I64 | RustType::U32 | RustType::U64);
    let optional = matches!(f.presence, Presence::Optional | Presence::RequiredTolerant);
    let t = type_tokens(&f.ty);
    match (whole, optional) {
        // `null` reads as absent, as serde's derived impls do for `Option` fields.
        (false, true) => quote!(map.next_value()?),
        (false, false) => quote!(Some(map.next_value()?)),
        (true, true) => quote!(map.next_value::<Option<runtime::fields::WholeNumber<#t>>>()?.map(|n| n.0)),
        (true, false) => quote!(Some(map.next_value::<runtime::fields::WholeNumber<#t>>()?.0)),
    }
}

/// `Deserialize` for a struct, in one pass over the object's keys: typed fields by
/// wire name, the member of a flattened one_of, and everything else into `extra`
/// (or, for a request given as JSON, an error with a suggestion; see
/// `runtime::fields`). serde's derive cannot collect unknown keys without `flatten`,
/// which buffers the whole object and reads every string through its slow checked
/// path (twice the decode time of a 4K image).
fn object_deserialize(s: &StructIr, api: &Api) -> TokenStream {
    let name = ident(&s.rust_name);
    let extra = ident(crate::ir::naming::EXTRA_FIELDS);
    let expecting = format!("a `{}` object", s.rust_name);
    let flattened = s.fields.iter().find(|f| f.flatten).and_then(|f| one_of_of(api, &f.ty).map(|o| (f, o)));
    let siblings: Vec<&FieldIr> = s.fields.iter().filter(|f| !f.flatten).collect();
    let field_names: Vec<&str> = s.fields.iter().map(|f| f.rust_name.as_str()).collect();
    let slot = |f: &FieldIr| ident(&crate::ir::naming::deserialize_slot(&f.rust_name, &field_names));
    let slots = siblings.iter().map(|f| {
        let n = slot(f);
        let t = type_tokens(&f.ty);
        quote!(let mut #n: Option<#t> = None;)
    });
    let sibling_arms = siblings.iter().map(|f| {
        let n = slot(f);
        let w = &f.wire_name;
        let value = read_value(f);
        quote!(#w => #n = #value,)
    });
    let inits = siblings.iter().map(|f| {
        let (n, local) = (ident(&f.rust_name), slot(f));
        let w = &f.wire_name;
        match f.presence {
            Presence::Optional | Presence::RequiredTolerant if n == local => quote!(#n,),
            Presence::Optional | Presence::RequiredTolerant => quote!(#n: #local,),
            Presence::DefaultEmpty => quote!(#n: #local.unwrap_or_default(),),
            Presence::Required => quote!(#n: #local.ok_or_else(|| serde::de::Error::missing_field(#w))?,),
        }
    });
    let known = super::known_keys(s, api);
    let (member_slot, member_arms, member_init) = match flattened {
        None => (TokenStream::new(), Vec::new(), TokenStream::new()),
        Some((flat, o)) => {
            let one_of = ident(&o.rust_name);
            let flat_name = ident(&flat.rust_name);
            let members: Vec<String> = o.variants.iter().map(|v| format!("`{}`", v.wire)).collect();
            let none_msg = format!("expected one of {}", members.join(", "));
            let arms = member_arms(o, &none_msg);
            // With no known member, an open one_of's member is whatever else the object holds.
            let resolve = if o.open {
                quote!(match member { Some(member) => member, None => #one_of::Unknown(std::mem::take(&mut #extra)) })
            } else {
                quote!(match member { Some(member) => member, None => return Err(serde::de::Error::custom(#none_msg)) })
            };
            (quote!(let mut member: Option<#one_of> = None;), arms, quote!(#flat_name: #resolve,))
        }
    };
    map_deserialize(
        &name,
        &expecting,
        quote! {
            const KNOWN: &[&str] = &[#(#known),*];
            #(#slots)*
            #member_slot
            let mut #extra = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    #(#sibling_arms)*
                    #(#member_arms)*
                    _ => runtime::fields::unknown_field(&mut map, key, &mut #extra, KNOWN)?,
                }
            }
            Ok(#name { #member_init #(#inits)* #extra })
        },
    )
}

pub(super) fn one_of_of<'a>(api: &'a Api, ty: &RustType) -> Option<&'a OneOfIr> {
    let RustType::Named(n) = ty else { return None };
    api.one_of_named(&n.rust_name)
}

/// The match arms that fill `member` with a one_of's members; a second member is an
/// error, except in response-only open one_ofs, which keep the first.
fn member_arms(o: &OneOfIr, duplicate_suffix: &str) -> Vec<TokenStream> {
    let one_of = ident(&o.rust_name);
    // Response-only types keep the first member and ignore the rest; a type that
    // requests carry must not drop a member the caller meant to send.
    let keep_first = o.open && !o.usage.request;
    o.variants
        .iter()
        .map(|v| {
            let vn = ident(&v.rust_name);
            let w = &v.wire;
            let both = format!("`{w}` appears beside another member; {duplicate_suffix}");
            let on_duplicate = if keep_first {
                quote!(if member.is_some() {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    continue;
                })
            } else {
                quote!(if member.is_some() { return Err(serde::de::Error::custom(#both)); })
            };
            quote!(#w => { #on_duplicate member = Some(#one_of::#vn(map.next_value()?)); })
        })
        .collect()
}

/// `impl Deserialize` reading a JSON object with one `visit_map` whose body is `body`.
fn map_deserialize(name: &proc_macro2::Ident, expecting: &str, body: TokenStream) -> TokenStream {
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct MapVisitor;

                impl<'de> serde::de::Visitor<'de> for MapVisitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        #body
                    }
                }

                deserializer.deserialize_map(MapVisitor)
            }
        }
    }
}

/// Whether values of this type can hold an image payload (and so implement `CollectImages`).
fn holds_images(t: &RustType) -> bool {
    match t {
        RustType::Base64 => true,
        RustType::Named(n) => n.holds_images,
        RustType::Vec(inner) | RustType::Map(inner) => holds_images(inner),
        _ => false,
    }
}

fn impl_collect_images(name: &str, body: TokenStream) -> TokenStream {
    let name = ident(name);
    let out = if body.is_empty() { quote!(_out) } else { quote!(out) };
    quote! {
        impl runtime::image::CollectImages for #name {
            fn collect_images<'a>(&'a self, #out: &mut Vec<&'a runtime::Base64Data>) {
                #body
            }
        }

        impl #name {
            /// Every image this value carries, in order (the same as `CollectImages::images`,
            /// without importing the trait).
            pub fn images(&self) -> Vec<&runtime::Base64Data> {
                runtime::image::CollectImages::images(self)
            }
        }
    }
}

/// Collects every field that can hold an image, in field order. A field that repeats
/// another's images (`repeats_images_of`) is read last, and only when the field it
/// repeats yielded none.
fn collect_images_struct(s: &StructIr) -> TokenStream {
    let collect = |f: &FieldIr| {
        let n = ident(&f.rust_name);
        quote!(runtime::image::CollectImages::collect_images(&self.#n, out);)
    };
    // An escaped keyword (`self_`) must not give `self__images`, which is not snake case.
    let counted = |f: &FieldIr| format_ident!("{}_images", bare(&f.rust_name).trim_end_matches('_'));
    let fields: Vec<&FieldIr> = s.fields.iter().filter(|f| holds_images(&f.ty)).collect();
    let original_of = |f: &FieldIr| fields.iter().copied().find(|o| f.repeats_images_of.as_ref() == Some(&o.wire_name));
    let mut body = TokenStream::new();
    for f in fields.iter().filter(|f| f.repeats_images_of.is_none()) {
        let read = collect(f);
        if fields.iter().any(|r| original_of(r).is_some_and(|o| o.wire_name == f.wire_name)) {
            let count = counted(f);
            body.extend(quote! {
                let before = out.len();
                #read
                let #count = out.len() - before;
            });
        } else {
            body.extend(read);
        }
    }
    for f in &fields {
        if let Some(original) = original_of(f) {
            let (count, read) = (counted(original), collect(f));
            body.extend(quote! {
                if #count == 0 {
                    #read
                }
            });
        }
    }
    impl_collect_images(&s.rust_name, body)
}

fn collect_images_one_of(o: &OneOfIr) -> TokenStream {
    let arms: Vec<(TokenStream, TokenStream)> = o
        .variants
        .iter()
        .filter(|v| holds_images(&v.ty))
        .map(|v| {
            let vn = ident(&v.rust_name);
            (quote!(Self::#vn(value)), quote!(runtime::image::CollectImages::collect_images(value, out)))
        })
        .collect();
    if arms.is_empty() {
        return impl_collect_images(&o.rust_name, TokenStream::new());
    }
    let all_covered = arms.len() == o.variants.len() && !o.open;
    impl_collect_images(&o.rust_name, super::match_self(arms, all_covered))
}

/// Whether a constructor parameter of this type takes `impl Into<String>`.
fn takes_into_string(t: &RustType) -> bool {
    matches!(t, RustType::String | RustType::Url | RustType::DataUrl)
}

/// A field held as `Box<T>` (it closes a cycle of types): constructors and setters
/// take the `T` and box it, so callers never write `Box::new`.
fn boxed(t: &RustType) -> Option<proc_macro2::Ident> {
    match t {
        RustType::Named(n) if n.boxed => Some(ident(&n.rust_name)),
        _ => None,
    }
}

fn builder(s: &StructIr, _api: &Api) -> TokenStream {
    let name = ident(&s.rust_name);
    let required: Vec<&FieldIr> =
        s.fields.iter().filter(|f| matches!(f.presence, Presence::Required | Presence::RequiredTolerant)).collect();
    let params = required.iter().map(|f| {
        let n = ident(&f.rust_name);
        if takes_into_string(&f.ty) {
            quote!(#n: impl Into<String>)
        } else if let Some(t) = boxed(&f.ty) {
            quote!(#n: #t)
        } else {
            let t = type_tokens(&f.ty);
            quote!(#n: #t)
        }
    });
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let conv = if takes_into_string(&f.ty) {
            quote!(#n.into())
        } else if boxed(&f.ty).is_some() {
            quote!(Box::new(#n))
        } else {
            quote!(#n)
        };
        match f.presence {
            Presence::Required if takes_into_string(&f.ty) || boxed(&f.ty).is_some() => quote!(#n: #conv,),
            Presence::Required => quote!(#n,),
            Presence::RequiredTolerant => quote!(#n: Some(#conv),),
            Presence::Optional => quote!(#n: None,),
            Presence::DefaultEmpty => quote!(#n: Default::default(),),
        }
    });
    let required_names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire_name)).collect();
    let new_doc = if required_names.is_empty() {
        " Creates a value with every optional field unset.".to_string()
    } else {
        format!(
            " Creates a value from its required fields ({}); optional fields start unset.",
            required_names.join(", ")
        )
    };
    let setters =
        s.fields.iter().filter(|f| matches!(f.presence, Presence::Optional | Presence::DefaultEmpty)).map(|f| {
            let n = ident(&f.rust_name);
            // `with_self`, not `with_self_`: the escape is needed only where the name stands alone.
            let setter = super::setter_name(f);
            let doc = format!(" Sets `{}`.", f.wire_name);
            let t = type_tokens(&f.ty);
            let (param, value) = if takes_into_string(&f.ty) {
                (quote!(impl Into<String>), quote!(value.into()))
            } else if let Some(t) = boxed(&f.ty) {
                (quote!(#t), quote!(Box::new(value)))
            } else {
                (t, quote!(value))
            };
            let assign = match f.presence {
                Presence::DefaultEmpty => quote!(self.#n = #value;),
                _ => quote!(self.#n = Some(#value);),
            };
            quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self, value: #param) -> Self {
                    #assign
                    self
                }
            }
        });
    let too_many = required.len() > 7;
    let allow = if too_many { quote!(#[allow(clippy::too_many_arguments)]) } else { TokenStream::new() };
    // Multipart forms have no JSON form, so no JSON extra fields.
    let (extra_init, extra_setter) = if s.multipart {
        (TokenStream::new(), TokenStream::new())
    } else {
        let extra = ident(crate::ir::naming::EXTRA_FIELDS);
        (
            quote!(#extra: serde_json::Map::new(),),
            quote! {
                /// Adds a field the spec does not describe, sent as it is beside the typed
                /// fields (for a parameter the provider added before this client caught up).
                /// A key that names a typed field fails validation.
                #[must_use]
                pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                    self.#extra.insert(key.into(), value.into());
                    self
                }
            },
        )
    };
    quote! {
        impl #name {
            #[doc = #new_doc]
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #extra_init }
            }

            #(#setters)*
            #extra_setter
        }
    }
}

/// `from_path`/`from_bytes` for a struct that is one inline image: the caller gives a
/// file or bytes, the MIME type comes from the content (`runtime::image::InlineImage`),
/// so the two fields cannot disagree.
fn inline_image_constructors(s: &StructIr, image: &InlineImageIr) -> TokenStream {
    let InlineImageIr { data, data_bare, mime_type, mime_type_bare, mime_kind } = image;
    let name = ident(&s.rust_name);
    let (data, mime_type) = (ident(data), ident(mime_type));
    let mime_value = match mime_kind {
        MimeTypeKind::Text => quote!(image.mime_type.to_string()),
        MimeTypeKind::Enum { rust_name, refuse_unknown } => {
            let e = ident(rust_name);
            // An enum that keeps unknown values would take any type; requests may send
            // only the listed ones, so the refusal comes here, naming what is accepted.
            let guard = if *refuse_unknown { quote!(if !value.is_unknown()) } else { TokenStream::new() };
            quote! {
                match #e::from_wire(image.mime_type) {
                    Ok(value) #guard => value,
                    _ => return Err(image.not_accepted(#e::KNOWN_VALUES)),
                }
            }
        }
    };
    let wrap = |bare: bool, value: TokenStream| if bare { value } else { quote!(Some(#value)) };
    let mime_init = wrap(*mime_type_bare, quote!(detected));
    let data_init = wrap(*data_bare, quote!(image.data));
    // The lowering admitted only structs whose other fields are optional.
    let others = s.fields.iter().filter(|f| ident(&f.rust_name) != data && ident(&f.rust_name) != mime_type).map(|f| {
        let n = ident(&f.rust_name);
        match f.presence {
            Presence::DefaultEmpty => quote!(#n: Default::default(),),
            _ => quote!(#n: None,),
        }
    });
    let extra = ident(crate::ir::naming::EXTRA_FIELDS);
    let data_wire = s.fields.iter().find(|f| ident(&f.rust_name) == data).map_or("data", |f| f.wire_name.as_str());
    let path_doc = format!(
        " Reads an image file into `{data_wire}`, its MIME type detected from the content (else the \
         file's extension); optional fields start unset."
    );
    let bytes_doc = format!(
        " An image's bytes as `{data_wire}`, its MIME type detected from the content; optional fields \
         start unset. Bytes of no recognised image format are refused."
    );
    quote! {
        impl #name {
            #[doc = #path_doc]
            pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self, runtime::image::InlineImageError> {
                Self::from_inline_image(runtime::image::InlineImage::from_path(path)?)
            }

            #[doc = #bytes_doc]
            pub fn from_bytes(bytes: impl Into<runtime::Base64Data>) -> Result<Self, runtime::image::InlineImageError> {
                Self::from_inline_image(runtime::image::InlineImage::from_bytes(bytes)?)
            }

            /// Builds the value from an image whose MIME type is known.
            pub fn from_inline_image(image: runtime::image::InlineImage) -> Result<Self, runtime::image::InlineImageError> {
                let detected = #mime_value;
                Ok(Self {
                    #data: #data_init,
                    #mime_type: #mime_init,
                    #(#others)*
                    #extra: serde_json::Map::new(),
                })
            }
        }
    }
}

/// `<field>_or_default()` accessors for optional scalar fields with a documented default.
fn defaults(s: &StructIr, api: &Api) -> TokenStream {
    let name = ident(&s.rust_name);
    let accessors: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| f.presence == Presence::Optional)
        .filter_map(|f| {
            let default = f.default.as_ref()?;
            let n = ident(&f.rust_name);
            // `self_` (an escaped keyword) must not give `self__or_default`, which is not snake case.
            let method = format_ident!("{}_or_default", bare(&f.rust_name).trim_end_matches('_'));
            let doc = format!(" `{}`, or its documented default `{}` when unset.", f.wire_name, show_value(default));
            let (ret, body) = match (&f.ty, default) {
                (RustType::Bool, Value::Bool(b)) => (quote!(bool), quote!(self.#n.unwrap_or(#b))),
                (RustType::U32, Value::Number(v)) => {
                    let l = Lit::u32_unsuffixed(v.as_u64()? as u32);
                    (quote!(u32), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::U64, Value::Number(v)) => {
                    let l = Lit::u64_unsuffixed(v.as_u64()?);
                    (quote!(u64), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::I64, Value::Number(v)) => {
                    let l = Lit::i64_unsuffixed(v.as_i64()?);
                    (quote!(i64), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::F64, Value::Number(v)) => {
                    let l = Lit::f64_unsuffixed(v.as_f64()?);
                    (quote!(f64), quote!(self.#n.unwrap_or(#l)))
                }
                (RustType::String, Value::String(v)) => (quote!(&str), quote!(self.#n.as_deref().unwrap_or(#v))),
                (RustType::Named(r), Value::String(v)) if matches!(r.kind, NamedKind::Enum { .. }) => {
                    let variant = find_variant(api, &r.rust_name, v)?;
                    let t = ident(&r.rust_name);
                    let var = ident(&variant);
                    // Enums without a catch-all variant are `Copy`.
                    let value = if matches!(r.kind, NamedKind::Enum { has_unknown: true, .. }) {
                        quote!(self.#n.clone())
                    } else {
                        quote!(self.#n)
                    };
                    (quote!(#t), quote!(#value.unwrap_or(#t::#var)))
                }
                _ => return None,
            };
            Some(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #ret {
                    #body
                }
            })
        })
        .collect();
    if accessors.is_empty() {
        return TokenStream::new();
    }
    quote! {
        impl #name {
            #(#accessors)*
        }
    }
}

fn find_variant(api: &Api, enum_name: &str, wire: &str) -> Option<String> {
    api.enum_named(enum_name)?.variant_for(wire).map(|v| v.rust_name.clone())
}

fn enumeration(e: &EnumIr) -> TokenStream {
    let name = ident(&e.rust_name);
    let name_str = &e.rust_name;
    let mut doc_notes = Vec::new();
    if e.has_unknown {
        doc_notes
            .push(Some("Values this client does not know are kept in `Unknown` and sent back unchanged.".to_string()));
    }
    if let Some(default) = e.models.as_ref().and_then(|m| m.default.as_ref()) {
        doc_notes.push(Some(format!("The provider uses `{default}` when a request names no model.")));
    }
    let mut paragraphs = vec![prose_opt(&e.docs)];
    paragraphs.extend(doc_notes);
    let doc = doc_paragraphs(&paragraphs);
    let variants = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let mut wire_doc = format!("`{}`", v.wire);
        if !v.aliases.is_empty() {
            let a: Vec<String> = v.aliases.iter().map(|a| format!("`{}`", a.wire)).collect();
            wire_doc.push_str(&format!(" (also accepted: {})", a.join(", ")));
        }
        let doc = doc_paragraphs(&[
            Some(match &v.docs {
                Some(d) => format!("{wire_doc}: {}", prose(d)),
                None => wire_doc,
            }),
            v.deprecated.as_ref().map(|d| format!("**Deprecated:** {}", prose(d))),
        ]);
        quote!(#doc #vn,)
    });
    let unknown_variant = if e.has_unknown {
        quote! {
            /// A value this client does not know, kept as received.
            Unknown(String),
        }
    } else {
        TokenStream::new()
    };
    let derives = if e.has_unknown {
        quote!(#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)])
    } else {
        quote!(#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)])
    };
    let as_str_arms = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let w = &v.wire;
        quote!(Self::#vn => #w,)
    });
    let unknown_as_str = if e.has_unknown { quote!(Self::Unknown(value) => value,) } else { TokenStream::new() };
    let parse_arms = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let spellings = std::iter::once(&v.wire).chain(v.aliases.iter().map(|a| &a.wire));
        quote!(#(#spellings)|* => Ok(Self::#vn),)
    });
    let known: Vec<&String> = e.variants.iter().map(|v| &v.wire).collect();
    let all_variants = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        quote!(Self::#vn)
    });
    let fallback = if e.has_unknown {
        quote!(other => Ok(Self::Unknown(other.to_string())),)
    } else {
        quote!(other => Err(runtime::wire::UnknownValue::new(#name_str, other, Self::KNOWN_VALUES)),)
    };
    let alias_consts = e.variants.iter().flat_map(|v| {
        let vn = ident(&v.rust_name);
        v.aliases.iter().filter(|a| a.deprecated.is_some()).map(move |a| {
            let c = ident(&a.const_name);
            let note = a.deprecated.clone().unwrap_or_default();
            let doc = format!(
                " The retired name `{}`, under the variant name it had; parses and sends as `{}`. \
                 Kept so code written against the older docs compiles, in `match` patterns too.",
                a.wire, v.wire
            );
            quote! {
                #[doc = #doc]
                #[deprecated(note = #note)]
                #[allow(non_upper_case_globals)]
                pub const #c: Self = Self::#vn;
            }
        })
    });
    let is_unknown = if e.has_unknown {
        quote! {
            /// Whether this is a value the client does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }
    } else {
        TokenStream::new()
    };
    let table = e.models.as_ref().map(|m| model_table(e, m)).unwrap_or_default();
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #unknown_variant
        }

        impl #name {
            /// Every value this client knows, in documentation order.
            pub const ALL: &'static [Self] = &[#(#all_variants),*];

            /// The wire spellings of [`Self::ALL`].
            pub const KNOWN_VALUES: &'static [&'static str] = &[#(#known),*];

            #(#alias_consts)*

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str_arms)*
                    #unknown_as_str
                }
            }

            /// Parses a wire value, accepting documented aliases.
            pub fn from_wire(value: &str) -> Result<Self, runtime::wire::UnknownValue> {
                match value {
                    #(#parse_arms)*
                    #fallback
                }
            }

            #is_unknown
        }

        runtime::wire::string_enum_traits!(#name);

        #table
    }
}

fn model_table(e: &EnumIr, m: &ModelTableIr) -> TokenStream {
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

fn one_of(o: &OneOfIr) -> TokenStream {
    let name = ident(&o.rust_name);
    let images = if o.usage.response && o.holds_images { collect_images_one_of(o) } else { TokenStream::new() };
    let fields: Vec<&String> = o.variants.iter().map(|v| &v.wire).collect();
    let expecting = format!(
        "an object with exactly one of {}",
        fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
    );
    let doc = doc_paragraphs(&[
        prose_opt(&o.docs),
        Some(format!(
            "On the wire, an object with exactly one of {}.",
            fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        )),
    ]);
    let variants = o.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let t = type_tokens(&v.ty);
        let d = doc_paragraphs(&[Some(format!("`{}`", v.wire)), prose_opt(&v.docs)]);
        quote!(#d #vn(#t),)
    });
    let unknown = if o.open {
        quote! {
            /// A member this client does not know, kept as received.
            Unknown(serde_json::Map<String, serde_json::Value>),
        }
    } else {
        TokenStream::new()
    };
    let ser_arms = o.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let w = &v.wire;
        quote! {
            Self::#vn(value) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(#w, value)?;
                map.end()
            }
        }
    });
    let ser_unknown =
        if o.open { quote!(Self::Unknown(members) => members.serialize(serializer),) } else { TokenStream::new() };
    let de_arms = member_arms(o, &format!("{expecting} was expected"));
    let deserialize = if o.open {
        map_deserialize(
            &name,
            &expecting,
            quote! {
                let mut member = None;
                let mut unknown = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        #(#de_arms)*
                        _ => { unknown.insert(key, map.next_value()?); }
                    }
                }
                Ok(match member { Some(member) => member, None => #name::Unknown(unknown) })
            },
        )
    } else {
        map_deserialize(
            &name,
            &expecting,
            quote! {
                const KNOWN: &[&str] = &[#(#fields),*];
                let mut member = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        #(#de_arms)*
                        _ => runtime::fields::skip_unknown_member(&mut map, &key, KNOWN)?,
                    }
                }
                match member {
                    Some(member) => Ok(member),
                    None => Err(serde::de::Error::custom(#expecting)),
                }
            },
        )
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #unknown
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                match self {
                    #(#ser_arms)*
                    #ser_unknown
                }
            }
        }

        #deserialize

        impl runtime::AsScalar for #name {
            fn as_scalar(&self) -> runtime::Scalar<'_> {
                runtime::Scalar::Other
            }
        }

        #images
    }
}

fn events(e: &EventsIr) -> TokenStream {
    let name = ident(&e.rust_name);
    let doc = doc_paragraphs(&[
        prose_opt(&e.docs),
        Some("Events of a server-sent event stream; unknown events are kept.".to_string()),
    ]);
    let variants = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let t = ident(&v.data_type);
        let mut d = format!("`{}`", v.event);
        if v.terminal {
            d.push_str(" (completes the stream)");
        }
        let doc = doc_paragraphs(&[Some(d), prose_opt(&v.docs)]);
        quote!(#doc #vn(#t),)
    });
    let arms = e.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let ev = &v.event;
        quote!(Some(#ev) => serde_json::from_str(data).map(Self::#vn),)
    });
    let terminal: Vec<TokenStream> = e
        .variants
        .iter()
        .filter(|v| v.terminal)
        .map(|v| {
            let vn = ident(&v.rust_name);
            quote!(Self::#vn(_))
        })
        .collect();
    let name_lookup = match &e.discriminator {
        Some(field) => quote! {
            #[derive(Deserialize)]
            struct Discriminator<'a> {
                #[serde(rename = #field, borrow, default)]
                name: Option<std::borrow::Cow<'a, str>>,
            }
            let named = match event {
                Some(e) if !e.is_empty() && e != "message" => Some(std::borrow::Cow::Borrowed(e)),
                _ => serde_json::from_str::<Discriminator<'_>>(data)?.name,
            };
        },
        None => quote! {
            let named = event.filter(|e| !e.is_empty() && *e != "message").map(std::borrow::Cow::Borrowed);
        },
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An event this client does not know, kept as received.
            Unknown {
                /// The event name, if any.
                event: Option<String>,
                /// The event's JSON data.
                data: serde_json::Value,
            },
        }

        impl runtime::SseEvent for #name {
            fn from_sse(event: Option<&str>, data: &str) -> Result<Self, serde_json::Error> {
                #name_lookup
                match named.as_deref() {
                    #(#arms)*
                    _ => Ok(Self::Unknown {
                        event: named.map(|n| n.into_owned()),
                        data: serde_json::from_str(data)?,
                    }),
                }
            }

            fn is_terminal(&self) -> bool {
                matches!(self, #(#terminal)|*)
            }
        }
    }
}

/// `to_multipart()`: each form field as a part, files as file parts.
fn multipart_parts(s: &StructIr) -> TokenStream {
    let name = ident(&s.rust_name);
    let mut out = TokenStream::new();
    for f in &s.fields {
        let n = ident(&f.rust_name);
        let part = f.part_names.first().cloned().unwrap_or_else(|| f.wire_name.clone());
        let push = |value: TokenStream, ty: &RustType| -> TokenStream {
            match ty {
                RustType::File => quote!(parts.push_file(#part, #value);),
                RustType::String | RustType::Url | RustType::DataUrl => {
                    quote!(parts.push_text(#part, #value.as_str());)
                }
                RustType::Named(_) => quote!(parts.push_text(#part, #value.as_str());),
                RustType::Json => quote!(parts.push_text(#part, #value.to_string());),
                _ => quote!(parts.push_text(#part, #value.to_string());),
            }
        };
        let stmt = match &f.ty {
            RustType::Vec(inner) | RustType::OneOrMany(inner) => {
                let one = push(quote!(item), inner);
                let iter =
                    if matches!(f.ty, RustType::OneOrMany(_)) { quote!(value.as_slice()) } else { quote!(value) };
                quote!(for item in #iter.iter() { #one })
            }
            other => push(quote!(value), other),
        };
        out.extend(match f.presence {
            Presence::Required | Presence::DefaultEmpty => quote!({ let value = &self.#n; #stmt }),
            Presence::Optional | Presence::RequiredTolerant => quote!(if let Some(value) = &self.#n { #stmt }),
        });
    }
    quote! {
        impl #name {
            /// The form as `multipart/form-data` parts: text fields as text, files as file parts
            /// (sharing their bytes, not copying them).
            pub fn to_multipart(&self) -> runtime::MultipartForm {
                let mut parts = runtime::MultipartForm::new();
                #out
                parts
            }
        }
    }
}
