//! `impl Validate` for every type a request can carry: field constraints,
//! closed-enum checks and the spec's cross-field rules.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

use super::ident;
use crate::ir::*;

/// The `validate.rs` file of a provider.
pub fn emit(api: &Api) -> TokenStream {
    let impls = api.types.iter().filter_map(|t| match t {
        TypeIr::Struct(s) if s.is_request_side() => Some(strukt(s, api)),
        TypeIr::OneOf(o) if o.usage.request => Some(one_of(o)),
        _ => None,
    });
    let title = format!(" Request validation for the {} API, from the spec's limits and rules.", api.provider.title);
    quote! {
        #![doc = #title]
        // Each field's checks are emitted on their own, nested under its presence check,
        // and each rule's checks under its condition; merging patterns or conditions across
        // them would only make the emitter harder to follow.
        #![allow(clippy::collapsible_if, clippy::collapsible_match)]

        #[allow(unused_imports)]
        use crate::runtime::{self, Validate as _};
        #[allow(unused_imports)]
        use super::types::*;

        #(#impls)*
    }
}

fn impl_validate(name: &str, body: TokenStream) -> TokenStream {
    let name = ident(name);
    let param = if body.is_empty() { quote!(_v) } else { quote!(v) };
    quote! {
        impl runtime::Validate for #name {
            fn validate_into(&self, #param: &mut runtime::Validator) {
                #body
            }
        }
    }
}

fn one_of(o: &OneOfIr) -> TokenStream {
    let arms: Vec<(TokenStream, TokenStream)> = o
        .variants
        .iter()
        .filter_map(|var| {
            let vn = ident(&var.rust_name);
            let wire = &var.wire;
            let checks = value_checks(&var.ty, &Constraints::default(), quote!(value), quote!(""), false)?;
            Some((quote!(Self::#vn(value)), quote!(v.at_field(#wire, |v| { #checks }))))
        })
        .collect();
    if arms.is_empty() {
        return impl_validate(&o.rust_name, TokenStream::new());
    }
    let all_covered = arms.len() == o.variants.len() && !o.open;
    impl_validate(&o.rust_name, super::match_self(arms, all_covered))
}

fn strukt(s: &StructIr, api: &Api) -> TokenStream {
    let mut body = TokenStream::new();
    for f in &s.fields {
        body.extend(field_checks(f));
    }
    if !s.multipart {
        let extra = ident(crate::ir::naming::EXTRA_FIELDS);
        let typed = super::known_keys(s, api);
        body.extend(quote!(v.extra_fields(&self.#extra, &[#(#typed),*]);));
    }
    for rule in &s.rules {
        let RuleIr { severity, check } = rule;
        let checks = rule_checks(check);
        body.extend(match severity {
            Severity::Error => checks,
            // The same checks, reported as warnings: the request is still sent.
            Severity::Warning => quote!(v.as_warnings(|v| { #checks });),
        });
    }
    impl_validate(&s.rust_name, body)
}

fn field_checks(f: &FieldIr) -> TokenStream {
    let name = ident(&f.rust_name);
    let wire = &f.wire_name;
    if f.flatten {
        return quote!(self.#name.validate_into(v););
    }
    let checks = value_checks(&f.ty, &f.constraints, quote!(value), quote!(#wire), true);
    match f.presence {
        Presence::Required | Presence::DefaultEmpty => match checks {
            Some(c) => quote! { { let value = &self.#name; #c } },
            None => TokenStream::new(),
        },
        Presence::Optional => match checks {
            Some(c) => quote! { if let Some(value) = &self.#name { #c } },
            None => TokenStream::new(),
        },
        Presence::RequiredTolerant => {
            let missing = quote! {
                v.report(#wire, runtime::Constraint::Required, "required field is missing");
            };
            match checks {
                Some(c) => quote! { match &self.#name { Some(value) => { #c } None => { #missing } } },
                None => quote! { if self.#name.is_none() { #missing } },
            }
        }
    }
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(x) => {
            let l = Lit::f64_unsuffixed(x);
            quote!(Some(#l))
        }
        None => quote!(None),
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(x) => {
            let l = Lit::u64_unsuffixed(x);
            quote!(Some(#l))
        }
        None => quote!(None),
    }
}

/// Checks for one value (`expr` is a reference to it, `label` the wire name
/// below the current path, `""` for the current position). `None` when the
/// type has nothing to check. Item-count limits apply only at the field itself.
fn value_checks(
    ty: &RustType,
    c: &Constraints,
    expr: TokenStream,
    label: TokenStream,
    top: bool,
) -> Option<TokenStream> {
    match ty {
        RustType::String => {
            let length = (c.min_length.is_some() || c.max_length.is_some()).then(|| {
                let (min, max) = (opt_u64(c.min_length), opt_u64(c.max_length));
                quote!(v.length(#label, #expr, #min, #max);)
            });
            let encoding = c.base64_text.then(|| {
                if c.allow_data_url {
                    quote!(v.base64_or_data_url(#label, #expr);)
                } else {
                    quote!(v.base64(#label, #expr);)
                }
            });
            (length.is_some() || encoding.is_some()).then(|| quote!(#length #encoding))
        }
        RustType::Url => {
            let schemes = &c.schemes;
            let data = c.allow_data_url;
            Some(quote!(v.url(#label, #expr, &[#(#schemes),*], #data);))
        }
        RustType::DataUrl => {
            let mimes = &c.mime_types;
            Some(quote!(v.data_url(#label, #expr, &[#(#mimes),*]);))
        }
        RustType::U32 | RustType::U64 | RustType::I64 | RustType::F64 => {
            (c.min.is_some() || c.max.is_some()).then(|| {
                let (min, max) = (opt_f64(c.min), opt_f64(c.max));
                // Casting an `f64` to itself is a clippy warning in the generated code.
                let number = if *ty == RustType::F64 { quote!(*#expr) } else { quote!(*#expr as f64) };
                quote!(v.range(#label, #number, #min, #max);)
            })
        }
        RustType::Named(n) => match n.kind {
            NamedKind::Struct | NamedKind::OneOf if label.to_string() == "\"\"" => {
                Some(quote!(#expr.validate_into(v);))
            }
            NamedKind::Struct | NamedKind::OneOf => Some(quote!(v.at_field(#label, |v| #expr.validate_into(v));)),
            NamedKind::Enum { has_unknown: true, open: false } => {
                let t = ident(&n.rust_name);
                Some(quote! {
                    if let #t::Unknown(unknown) = #expr {
                        v.allowed_values(#label, unknown, #t::KNOWN_VALUES, "");
                    }
                })
            }
            _ => None,
        },
        RustType::Vec(inner) | RustType::OneOrMany(inner) => {
            let count = (top && (c.min_items.is_some() || c.max_items.is_some())).then(|| {
                let (min, max) = (opt_u64(c.min_items), opt_u64(c.max_items));
                quote!(v.item_count(#label, #expr.len(), #min, #max);)
            });
            let iter = if matches!(ty, RustType::OneOrMany(_)) { quote!(#expr.as_slice()) } else { quote!(#expr) };
            let items = value_checks(inner, c, quote!(item), quote!(""), false).map(|inner_checks| {
                quote! {
                    v.at_field(#label, |v| {
                        for (index, item) in #iter.iter().enumerate() {
                            v.at_index(index, |v| { #inner_checks });
                        }
                    });
                }
            });
            (count.is_some() || items.is_some()).then(|| quote!(#count #items))
        }
        RustType::Map(inner) => value_checks(inner, c, quote!(item), quote!(key.as_str()), false).map(|inner_checks| {
            quote! {
                v.at_field(#label, |v| {
                    for (key, item) in #expr {
                        #inner_checks
                    }
                });
            }
        }),
        _ => None,
    }
}

/// `Option<&T>` of the field at the end of a path.
fn access(path: &FieldPath) -> TokenStream {
    let mut expr = TokenStream::new();
    for (i, step) in path.steps.iter().enumerate() {
        let n = ident(&step.rust_name);
        let optional = matches!(step.presence, Presence::Optional | Presence::RequiredTolerant);
        expr = match (i, optional) {
            (0, true) => quote!(self.#n.as_ref()),
            (0, false) => quote!(runtime::validate::present(&self.#n)),
            (_, true) => quote!(#expr.and_then(|parent| parent.#n.as_ref())),
            (_, false) => quote!(#expr.map(|parent| &parent.#n)),
        };
    }
    expr
}

fn scalar(l: &Literal) -> TokenStream {
    match l {
        Literal::Str(s) => quote!(runtime::Scalar::Str(#s)),
        Literal::Bool(b) => quote!(runtime::Scalar::Bool(#b)),
        Literal::Num(n) => {
            let l = Lit::f64_unsuffixed(*n);
            quote!(runtime::Scalar::Num(#l))
        }
    }
}

fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Str(s) => s.clone(),
        Literal::Bool(b) => b.to_string(),
        Literal::Num(n) => {
            if n.fract() == 0.0 {
                format!("{}", *n as i64)
            } else {
                n.to_string()
            }
        }
    }
}

/// `allowed_values_when` on a number or boolean field: the value compared with the
/// allowed ones (integers as `f64`, so any integer type compares with one list), or
/// `None` for a string or enum field, whose values are compared as wire strings.
fn allowed_scalars(field: &FieldPath, list: &[Literal], message: &str) -> Option<TokenStream> {
    let acc = access(field);
    let wire = &field.wire;
    let actual = match field.ty {
        // Casting an `f64` to itself is a clippy warning in the generated code.
        RustType::Bool | RustType::F64 => quote!(*actual),
        RustType::I64 | RustType::U32 | RustType::U64 => quote!(*actual as f64),
        _ => return None,
    };
    // The checker matches every value against the field's type, so each literal has
    // the field's kind; numbers are written as `f64` to compare with `actual`.
    let allowed = list.iter().map(|l| match l {
        Literal::Bool(b) => quote!(#b),
        Literal::Num(n) => {
            let n = Lit::f64_unsuffixed(*n);
            quote!(#n)
        }
        Literal::Str(s) => quote!(#s),
    });
    Some(quote! {
        if let Some(actual) = #acc {
            v.allowed_scalars(#wire, #actual, &[#(#allowed),*], #message);
        }
    })
}

/// `Option<&'static ModelInfo>` of the model a request selects (or the default).
fn selected_model(sel: &ModelSelector) -> TokenStream {
    let acc = access(&sel.field);
    let t = ident(&sel.enum_name);
    quote! {
        #acc.map(|model| model.as_str()).or(#t::DEFAULT_ID).and_then(|id| runtime::models::find(#t::TABLE, id))
    }
}

/// A boolean expression, or `None` when the condition always holds.
fn condition(c: &ConditionIr) -> Option<TokenStream> {
    Some(match c {
        ConditionIr::Always => return None,
        ConditionIr::Present(path, present) => {
            let acc = access(path);
            if *present {
                quote!(#acc.is_some())
            } else {
                quote!(#acc.is_none())
            }
        }
        ConditionIr::OneOf(path, lits) => {
            let acc = access(path);
            let lits: Vec<_> = lits.iter().map(scalar).collect();
            if lits.len() == 1 {
                let l = &lits[0];
                quote!(#acc.map(runtime::AsScalar::as_scalar) == Some(#l))
            } else {
                quote!(#acc.map(runtime::AsScalar::as_scalar).is_some_and(|actual| [#(#lits),*].contains(&actual)))
            }
        }
        ConditionIr::Family(sel, family) => {
            let model = selected_model(sel);
            quote!(#model.is_some_and(|model| model.family == Some(#family)))
        }
    })
}

fn guarded(cond: Option<TokenStream>, body: TokenStream) -> TokenStream {
    match cond {
        Some(c) => quote!(if #c { #body }),
        None => quote!({ #body }),
    }
}

fn rule_checks(rule: &RuleCheck) -> TokenStream {
    match rule {
        RuleCheck::Requires { when, field, equals, message } => {
            let acc = access(field);
            let wire = &field.wire;
            let on_value = match equals {
                Some(l) => {
                    let lit = scalar(l);
                    let text = literal_text(l);
                    quote! {
                        let actual = runtime::AsScalar::as_scalar(value);
                        if actual != #lit {
                            v.report(#wire, runtime::Constraint::AllowedValues { allowed: vec![#text.to_string()], actual: actual.to_string() }, #message);
                        }
                    }
                }
                None => quote!(let _ = value;),
            };
            guarded(
                condition(when),
                quote! {
                    match #acc {
                        None => v.report(#wire, runtime::Constraint::RequiredBy { condition: #message.to_string() }, #message),
                        Some(value) => { #on_value }
                    }
                },
            )
        }
        RuleCheck::Forbids { when, field, values, message } => {
            let acc = access(field);
            let wire = &field.wire;
            let body = if values.is_empty() {
                quote! {
                    if #acc.is_some() {
                        v.report(#wire, runtime::Constraint::ForbiddenBy { condition: #message.to_string() }, #message);
                    }
                }
            } else {
                let lits: Vec<_> = values.iter().map(scalar).collect();
                quote! {
                    if let Some(value) = #acc {
                        let actual = runtime::AsScalar::as_scalar(value);
                        if [#(#lits),*].contains(&actual) {
                            v.report(#wire, runtime::Constraint::ForbiddenValue { actual: actual.to_string() }, #message);
                        }
                    }
                }
            };
            guarded(condition(when), body)
        }
        RuleCheck::OnlyWith { field, with, message } => {
            let acc = access(field);
            let wire = &field.wire;
            let unmet = match with {
                ConditionIr::Present(path, present) => condition(&ConditionIr::Present(path.clone(), !present)),
                other => condition(other).map(|c| quote!(!(#c))),
            }
            .unwrap_or_else(|| quote!(false));
            quote! {
                if #acc.is_some() && #unmet {
                    v.report(#wire, runtime::Constraint::ForbiddenBy { condition: #message.to_string() }, #message);
                }
            }
        }
        RuleCheck::LimitItems { when, field, limit, message } => {
            let acc = access(field);
            let wire = &field.wire;
            let body = match limit {
                LimitSource::Fixed(n) => {
                    let n = Lit::u64_unsuffixed(*n);
                    quote! {
                        if let Some(items) = #acc {
                            v.item_limit(#wire, items.len(), #n, #message);
                        }
                    }
                }
                LimitSource::Model(sel, cap) => {
                    let model = selected_model(sel);
                    quote! {
                        if let (Some(items), Some(model)) = (#acc, #model) {
                            if let Some(max) = model.limit(#cap) {
                                v.item_limit(#wire, items.len(), max, &format!("model `{}`", model.id));
                            }
                        }
                    }
                }
            };
            guarded(condition(when), body)
        }
        RuleCheck::AllowedValues { when, field, values, message } => {
            let acc = access(field);
            let wire = &field.wire;
            // Numbers and booleans are compared as values; the checker allows model
            // capabilities (string lists) only on string and enum fields.
            if let ValuesSource::Fixed(list) = values {
                if let Some(check) = allowed_scalars(field, list, message) {
                    return guarded(condition(when), check);
                }
            }
            let check = match values {
                ValuesSource::Fixed(list) => {
                    let list = list.iter().map(literal_text);
                    quote!(v.allowed_values(#wire, actual, &[#(#list),*], #message);)
                }
                ValuesSource::Model(sel, cap) => {
                    let model = selected_model(sel);
                    quote! {
                        if let Some(model) = #model {
                            if let Some(allowed) = model.values(#cap) {
                                v.allowed_values(#wire, actual, allowed, &format!("model `{}`", model.id));
                            }
                        }
                    }
                }
            };
            guarded(
                condition(when),
                quote! {
                    if let Some(runtime::Scalar::Str(actual)) = #acc.map(runtime::AsScalar::as_scalar) {
                        #check
                    }
                },
            )
        }
        RuleCheck::ExactlyOneOf { fields, message } => {
            let present = fields.iter().map(|f| {
                let acc = access(f);
                quote!(#acc.is_some())
            });
            let names: Vec<&String> = fields.iter().map(|f| &f.wire).collect();
            quote! {
                let present = [#(#present),*].iter().filter(|set| **set).count();
                if present != 1 {
                    v.report("", runtime::Constraint::ExactlyOneOf { fields: vec![#(#names.to_string()),*] }, #message);
                }
            }
        }
        RuleCheck::ModelFamily { selector, field, families } => {
            let model = selected_model(selector);
            let acc = access(field);
            let wire = &field.wire;
            quote! {
                if let (Some(_), Some(model)) = (#acc, #model) {
                    if let Some(family) = model.family {
                        v.model_family(#wire, &[#(#families),*], model.id, family);
                    }
                }
            }
        }
        RuleCheck::ModelConstraints { selector, models } => {
            let model = selected_model(selector);
            let arms = models.iter().map(|m| {
                let id = &m.model_id;
                let requires = m.requires.iter().map(|(path, lit)| {
                    let acc = access(path);
                    let wire = &path.wire;
                    let l = scalar(lit);
                    let text = literal_text(lit);
                    let msg = format!("model `{id}` requires `{wire}` to be `{text}`");
                    quote! {
                        match #acc.map(runtime::AsScalar::as_scalar) {
                            Some(actual) => {
                                if actual != #l {
                                    v.report(#wire, runtime::Constraint::AllowedValues { allowed: vec![#text.to_string()], actual: actual.to_string() }, #msg);
                                }
                            }
                            None => v.report(#wire, runtime::Constraint::RequiredBy { condition: #msg.to_string() }, #msg),
                        }
                    }
                });
                let rejects = m.rejects.iter().map(|(path, lits)| {
                    let acc = access(path);
                    let wire = &path.wire;
                    let ls: Vec<_> = lits.iter().map(scalar).collect();
                    quote! {
                        if let Some(actual) = #acc.map(runtime::AsScalar::as_scalar) {
                            if [#(#ls),*].contains(&actual) {
                                v.report(#wire, runtime::Constraint::ForbiddenValue { actual: actual.to_string() }, format!("model `{}` does not accept `{}` = `{}`", #id, #wire, actual));
                            }
                        }
                    }
                });
                quote!(if model.id == #id { #(#requires)* #(#rejects)* })
            });
            quote! {
                if let Some(model) = #model {
                    #(#arms)*
                }
            }
        }
    }
}
