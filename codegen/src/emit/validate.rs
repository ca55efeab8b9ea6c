//! `impl Validate` for every type a request can carry: field constraints,
//! closed-enum checks and the spec's cross-field rules.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{quote, ToTokens};

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
            let checks =
                value_checks(&var.ty, &Constraints::default(), &Value::binding(quote!(value)), quote!(""), false)?;
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
        let checks = rule_checks(api, check);
        body.extend(match severity {
            Severity::Error => checks,
            // The same checks, reported as warnings: the request is still sent.
            Severity::Warning => quote!(v.as_warnings(|v| { #checks });),
        });
    }
    let validate = impl_validate(&s.rust_name, body);
    let methods = model_selectors(&s.rules).into_iter().map(|sel| {
        let name = selector_method(sel);
        let t = ident(&sel.enum_name);
        let wire = &sel.field.wire;
        let (doc, find) = match (sel.field.steps.as_slice(), &sel.conditional_default) {
            (steps, Some(SelectorDefault { accessor, fallback })) => {
                let accessor = ident(accessor);
                let doc = format!(
                    " The model this request selects: `{wire}`, or its documented default, which depends on the \
                     request."
                );
                let find = match steps.split_last() {
                    Some((_, [])) | None => quote!(runtime::models::find(#t::TABLE, self.#accessor().as_str())),
                    Some((_, parents)) => {
                        let parent =
                            access(&FieldPath { steps: parents.to_vec(), wire: String::new(), ty: RustType::Json });
                        quote! {
                            let model = #parent.map(|parent| parent.#accessor());
                            runtime::models::find(#t::TABLE, model.as_ref().map_or(#fallback, #t::as_str))
                        }
                    }
                };
                (doc, find)
            }
            ([step], None) if step.presence == Presence::Required => {
                let n = ident(&step.rust_name);
                (
                    format!(" The model this request selects (`{wire}`)."),
                    quote!(runtime::models::find(#t::TABLE, self.#n.as_str())),
                )
            }
            (_, None) => {
                let acc = access(&sel.field);
                (
                    format!(" The model this request selects: `{wire}`, or the model table's default."),
                    quote! {
                        let id = #acc.map(#t::as_str).or(#t::DEFAULT_ID)?;
                        runtime::models::find(#t::TABLE, id)
                    },
                )
            }
        };
        quote! {
            #[doc = #doc]
            fn #name(&self) -> Option<&'static runtime::models::ModelInfo> {
                #find
            }
        }
    });
    let methods: Vec<TokenStream> = methods.collect();
    if methods.is_empty() {
        return validate;
    }
    let name = ident(&s.rust_name);
    quote! {
        #validate

        impl #name {
            #(#methods)*
        }
    }
}

/// The distinct model selectors the rules use, in first-use order.
fn model_selectors(rules: &[RuleIr]) -> Vec<&ModelSelector> {
    let mut found: Vec<&ModelSelector> = Vec::new();
    for rule in rules {
        let used: Vec<&ModelSelector> = match &rule.check {
            RuleCheck::Requires { when, .. } | RuleCheck::Forbids { when, .. } => from_condition(when),
            RuleCheck::OnlyWith { with, .. } => from_condition(with),
            RuleCheck::LimitItems { when, limit, .. } => from_condition(when)
                .into_iter()
                .chain(match limit {
                    LimitSource::Model(sel, _) => Some(sel),
                    LimitSource::Fixed(_) => None,
                })
                .collect(),
            RuleCheck::Limit { when, source, .. } => from_condition(when)
                .into_iter()
                .chain(match source {
                    BoundSource::Model(sel, _) => Some(sel),
                    BoundSource::Fixed(_) => None,
                })
                .collect(),
            RuleCheck::AllowedValues { when, values, .. } => from_condition(when)
                .into_iter()
                .chain(match values {
                    ValuesSource::Model(sel, _) => Some(sel),
                    ValuesSource::Fixed(_) => None,
                })
                .collect(),
            RuleCheck::Product { when, .. } => from_condition(when),
            RuleCheck::ExactlyOneOf { .. } => Vec::new(),
            RuleCheck::ModelConstraints { selector, .. } | RuleCheck::ModelFamily { selector, .. } => vec![selector],
        };
        for sel in used {
            if !found.iter().any(|f| f.field.wire == sel.field.wire) {
                found.push(sel);
            }
        }
    }
    found
}

/// The model selectors of the `family` tests in a condition.
fn from_condition(c: &ConditionIr) -> Vec<&ModelSelector> {
    match c {
        ConditionIr::Family(sel, _) => vec![sel],
        ConditionIr::AnyOf(list) | ConditionIr::AllOf(list) => list.iter().flat_map(from_condition).collect(),
        ConditionIr::Not(inner) => from_condition(inner),
        ConditionIr::OneOf(..) | ConditionIr::Present(..) | ConditionIr::Always => Vec::new(),
    }
}

/// The private method that finds the model a selector picks: `selected_model` for
/// the field `model`, `selected_config_model` for `config.model`.
fn selector_method(sel: &ModelSelector) -> proc_macro2::Ident {
    let path: Vec<&str> = sel.field.steps.iter().map(|s| s.rust_name.stem()).collect();
    quote::format_ident!("selected_{}", path.join("_"))
}

fn field_checks(f: &FieldIr) -> TokenStream {
    let name = ident(&f.rust_name);
    let wire = &f.wire_name;
    if f.flatten {
        return quote!(self.#name.validate_into(v););
    }
    let held = |value: Value| value_checks(&f.ty, &f.constraints, &value, quote!(#wire), true);
    match f.presence {
        Presence::Required | Presence::DefaultEmpty => held(Value::field(&name)).unwrap_or_default(),
        Presence::Optional => match held(Value::binding(quote!(value))) {
            Some(c) => quote! { if let Some(value) = &self.#name { #c } },
            None => TokenStream::new(),
        },
        Presence::RequiredTolerant => match held(Value::binding(quote!(value))) {
            Some(c) => quote! { match &self.#name { Some(value) => { #c } None => v.required(#wire) } },
            None => quote! { if self.#name.is_none() { v.required(#wire); } },
        },
        Presence::Nullable { required } => {
            let checks = held(Value::binding(quote!(value)))
                .map(|c| quote! { if let runtime::Nullable::Value(value) = &self.#name { #c } });
            let absent = required.then(|| quote! { if self.#name.is_absent() { v.required(#wire); } });
            quote!(#absent #checks)
        }
    }
}

/// One value being checked, written three ways for the three ways code uses it.
struct Value {
    /// A reference to it (`value`, `&self.prompt`), for arguments.
    reference: TokenStream,
    /// It as a method receiver (`value`, `self.prompt`).
    receiver: TokenStream,
    /// The value itself (`*value`, `self.n`), for casts.
    place: TokenStream,
}

impl Value {
    /// A field of `self` held bare.
    fn field(name: &proc_macro2::Ident) -> Self {
        Value { reference: quote!(&self.#name), receiver: quote!(self.#name), place: quote!(self.#name) }
    }

    /// A binding that holds a reference (`if let Some(value) = &self.x`, loop items).
    fn binding(name: TokenStream) -> Self {
        Value { reference: name.clone(), receiver: name.clone(), place: quote!(*#name) }
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

/// Checks for one value (`label` is the wire name below the current path, `""` for
/// the current position). `None` when the type has nothing to check. Item-count
/// limits apply only at the field itself.
fn value_checks(ty: &RustType, c: &Constraints, value: &Value, label: TokenStream, top: bool) -> Option<TokenStream> {
    let Value { reference, receiver, place } = value;
    match ty {
        RustType::String => {
            let length = text_length(c, &label, reference);
            let encoding = c.base64_text.then(|| {
                if c.allow_data_url {
                    quote!(v.base64_or_data_url(#label, #reference);)
                } else {
                    quote!(v.base64(#label, #reference);)
                }
            });
            let pattern = c.pattern.as_ref().map(|p| quote!(v.pattern(#label, #reference, #p);));
            let ratio =
                c.aspect_ratio.as_ref().map(|(min, max)| quote!(v.aspect_ratio(#label, #reference, #min, #max);));
            (length.is_some() || encoding.is_some() || pattern.is_some() || ratio.is_some())
                .then(|| quote!(#length #encoding #pattern #ratio))
        }
        RustType::Url => {
            let schemes = &c.schemes;
            let data = c.allow_data_url;
            let length = text_length(c, &label, reference);
            Some(quote!(v.url(#label, #reference, &[#(#schemes),*], #data); #length))
        }
        RustType::DataUrl => {
            let mimes = &c.mime_types;
            let length = text_length(c, &label, reference);
            Some(quote!(v.data_url(#label, #reference, &[#(#mimes),*]); #length))
        }
        RustType::File => c.image_limits.as_ref().map(|limits| {
            let limits = image_limits(limits);
            quote!(v.image_geometry(#label, &#receiver.bytes, &#limits);)
        }),
        RustType::U32 | RustType::U64 | RustType::I64 | RustType::F64 => {
            // Casting an `f64` to itself is a clippy warning in the generated code.
            let number = if *ty == RustType::F64 { quote!(#place) } else { quote!(#place as f64) };
            let range = (c.min.is_some() || c.max.is_some()).then(|| {
                let (min, max) = (opt_f64(c.min), opt_f64(c.max));
                quote!(v.range(#label, #number, #min, #max);)
            });
            let step = c.multiple_of.map(|step| {
                let step = Lit::f64_unsuffixed(step);
                quote!(v.multiple_of(#label, #number, #step, "");)
            });
            (range.is_some() || step.is_some()).then(|| quote!(#range #step))
        }
        RustType::Named(n) => match n.kind {
            NamedKind::Struct | NamedKind::OneOf if label.to_string() == "\"\"" => {
                Some(quote!(#receiver.validate_into(v);))
            }
            NamedKind::Struct | NamedKind::OneOf => Some(quote!(v.at_field(#label, |v| #receiver.validate_into(v));)),
            NamedKind::Enum { has_unknown: true, open: false } => {
                let t = ident(&n.rust_name);
                Some(quote! {
                    if let #t::Unknown(unknown) = #reference {
                        v.allowed_values(#label, unknown, #t::KNOWN_VALUES, "");
                    }
                })
            }
            _ => None,
        },
        RustType::Vec(inner) | RustType::OneOrMany(inner) => {
            let count = (top && (c.min_items.is_some() || c.max_items.is_some())).then(|| {
                let (min, max) = (opt_u64(c.min_items), opt_u64(c.max_items));
                quote!(v.item_count(#label, #receiver.len(), #min, #max);)
            });
            let items =
                if matches!(ty, RustType::OneOrMany(_)) { quote!(#receiver.as_slice()) } else { quote!(#receiver) };
            let item = Value::binding(quote!(item));
            let each = value_checks(inner, c, &item, quote!(""), false).map(|inner_checks| {
                quote! {
                    v.at_field(#label, |v| {
                        for (index, item) in #items.iter().enumerate() {
                            v.at_index(index, |v| { #inner_checks });
                        }
                    });
                }
            });
            (count.is_some() || each.is_some()).then(|| quote!(#count #each))
        }
        RustType::Map(inner) => {
            let item = Value::binding(quote!(item));
            value_checks(inner, c, &item, quote!(key.as_str()), false).map(|inner_checks| {
                quote! {
                    v.at_field(#label, |v| {
                        for (key, item) in #reference {
                            #inner_checks
                        }
                    });
                }
            })
        }
        _ => None,
    }
}

/// A `runtime::validate::ImageLimits` literal, every field named so a new limit cannot be forgotten.
fn image_limits(limits: &ImageLimitsIr) -> TokenStream {
    let ImageLimitsIr { min_side, max_side, min_pixels, max_pixels, aspect_ratio } = limits;
    let (min_side, max_side, min_pixels, max_pixels) =
        (opt_u64(*min_side), opt_u64(*max_side), opt_u64(*min_pixels), opt_u64(*max_pixels));
    let aspect_ratio = match aspect_ratio {
        Some((min, max)) => quote!(Some((#min, #max))),
        None => quote!(None),
    };
    quote! {
        runtime::validate::ImageLimits {
            min_side: #min_side,
            max_side: #max_side,
            min_pixels: #min_pixels,
            max_pixels: #max_pixels,
            aspect_ratio: #aspect_ratio,
        }
    }
}

/// The length check of a value written as text (a string, a URL), when it has limits.
fn text_length(c: &Constraints, label: &TokenStream, reference: &TokenStream) -> Option<TokenStream> {
    (c.min_length.is_some() || c.max_length.is_some()).then(|| {
        let (min, max) = (opt_u64(c.min_length), opt_u64(c.max_length));
        quote!(v.length(#label, #reference, #min, #max);)
    })
}

/// `Option<&T>` of the field at the end of a path.
fn access(path: &FieldPath) -> TokenStream {
    let mut expr = TokenStream::new();
    for (i, step) in path.steps.iter().enumerate() {
        let n = ident(&step.rust_name);
        expr = match (i, step.presence) {
            (0, Presence::Optional | Presence::RequiredTolerant) => quote!(self.#n.as_ref()),
            // Rules read `null` as no value.
            (0, Presence::Nullable { .. }) => quote!(self.#n.value()),
            (0, Presence::Required | Presence::DefaultEmpty) => quote!(runtime::validate::present(&self.#n)),
            (_, Presence::Optional | Presence::RequiredTolerant) => quote!(#expr.and_then(|parent| parent.#n.as_ref())),
            (_, Presence::Nullable { .. }) => quote!(#expr.and_then(|parent| parent.#n.value())),
            (_, Presence::Required | Presence::DefaultEmpty) => quote!(#expr.map(|parent| &parent.#n)),
        };
    }
    expr
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

/// What a rule's values look like in the field's Rust type.
enum Compare {
    /// A pattern (`true`, `1 | 2`, `ImageSize::Square | ImageSize::Wide`).
    Pattern(TokenStream),
    /// A pattern over the value as `&str` (strings).
    Text(TokenStream),
    /// A run of whole numbers (`1..=3`).
    Range(TokenStream),
    /// No pattern (fractional numbers, enum values the enum does not list): compared
    /// as `runtime::Scalar`s.
    Scalars(TokenStream),
}

/// How to compare a field of type `ty` with `values` (the checker matched each value
/// against the field's type).
fn compare(api: &Api, ty: &RustType, values: &[Literal]) -> Compare {
    let int = |n: f64| {
        let lit = Lit::i64_unsuffixed(n.abs() as i64);
        if n < 0.0 {
            quote!(-#lit)
        } else {
            quote!(#lit)
        }
    };
    let pattern: Option<Vec<TokenStream>> = values
        .iter()
        .map(|l| match (ty, l) {
            (RustType::Bool, Literal::Bool(b)) => Some(quote!(#b)),
            (RustType::I64 | RustType::U32 | RustType::U64, Literal::Num(n)) if n.fract() == 0.0 => Some(int(*n)),
            (RustType::Named(n), Literal::Str(wire)) => {
                let e = api.enum_named(&n.rust_name)?;
                let variant = ident(&e.variant_for(wire)?.rust_name);
                let t = ident(&e.rust_name);
                Some(quote!(#t::#variant))
            }
            _ => None,
        })
        .collect();
    // Whole numbers that form a run (`1 | 2 | 3`) read better, and pass clippy, as a range.
    let ints: Option<Vec<i64>> = values
        .iter()
        .map(|l| match l {
            Literal::Num(n) if n.fract() == 0.0 => Some(*n as i64),
            _ => None,
        })
        .collect();
    if let (RustType::I64 | RustType::U32 | RustType::U64, Some(mut ints)) = (ty, ints) {
        ints.sort_unstable();
        ints.dedup();
        if ints.len() >= 3 && ints.windows(2).all(|w| w[1] == w[0] + 1) {
            let (lo, hi) = (int(ints[0] as f64), int(ints[ints.len() - 1] as f64));
            return Compare::Range(quote!(#lo..=#hi));
        }
    }
    match (ty, pattern) {
        (RustType::String | RustType::Url | RustType::DataUrl, _) => {
            let texts = values.iter().map(literal_text);
            Compare::Text(quote!(#(#texts)|*))
        }
        (_, Some(p)) if !p.is_empty() => Compare::Pattern(quote!(#(#p)|*)),
        _ => {
            let scalars = values.iter().map(|l| match l {
                Literal::Str(s) => quote!(runtime::Scalar::Str(#s)),
                Literal::Bool(b) => quote!(runtime::Scalar::Bool(#b)),
                Literal::Num(n) => {
                    let l = Lit::f64_unsuffixed(*n);
                    quote!(runtime::Scalar::Num(#l))
                }
            });
            Compare::Scalars(quote!([#(#scalars),*]))
        }
    }
}

/// Whether `actual` (a reference to a value of the path's type) is one of `values`.
fn value_is(api: &Api, path: &FieldPath, values: &[Literal], actual: TokenStream) -> TokenStream {
    match compare(api, &path.ty, values) {
        Compare::Pattern(p) => quote!(matches!(#actual, #p)),
        Compare::Text(p) => quote!(matches!(#actual.as_str(), #p)),
        Compare::Range(r) => quote!((#r).contains(#actual)),
        Compare::Scalars(list) => quote!(#list.contains(&runtime::AsScalar::as_scalar(#actual))),
    }
}

/// Whether the field at `path` is set to one of `values`: a plain comparison for a
/// field of the struct itself (`self.stream == Some(false)`).
fn holds(api: &Api, path: &FieldPath, values: &[Literal]) -> TokenStream {
    // A nullable field compares through `access` (`null` is no value).
    if let [step @ AccessStep {
        presence: Presence::Required | Presence::DefaultEmpty | Presence::Optional | Presence::RequiredTolerant,
        ..
    }] = path.steps.as_slice()
    {
        let n = ident(&step.rust_name);
        let optional = matches!(step.presence, Presence::Optional | Presence::RequiredTolerant);
        match (compare(api, &path.ty, values), optional) {
            (Compare::Pattern(p), true) if values.len() == 1 => return quote!(self.#n == Some(#p)),
            (Compare::Pattern(p), false) if values.len() == 1 => return quote!(self.#n == #p),
            (Compare::Pattern(p), true) => return quote!(matches!(self.#n, Some(#p))),
            (Compare::Pattern(p), false) => return quote!(matches!(self.#n, #p)),
            (Compare::Text(p), true) => return quote!(matches!(self.#n.as_deref(), Some(#p))),
            (Compare::Text(p), false) => return quote!(matches!(self.#n.as_str(), #p)),
            (Compare::Range(r), true) => return quote!(self.#n.is_some_and(|value| (#r).contains(&value))),
            (Compare::Range(r), false) => return quote!((#r).contains(&self.#n)),
            (Compare::Scalars(_), _) => {}
        }
    }
    let acc = access(path);
    let is = value_is(api, path, values, quote!(actual));
    quote!(#acc.is_some_and(|actual| #is))
}

/// `Option<&'static ModelInfo>` of the model a request selects (or the default).
fn selected_model(sel: &ModelSelector) -> TokenStream {
    let method = selector_method(sel);
    quote!(self.#method())
}

/// Whether the field at `path` is set (or, with `present` false, absent).
fn is_present(path: &FieldPath, present: bool) -> TokenStream {
    let expr = match path.steps.as_slice() {
        [step] if matches!(step.presence, Presence::Optional | Presence::RequiredTolerant) => {
            let n = ident(&step.rust_name);
            quote!(self.#n)
        }
        [step] if matches!(step.presence, Presence::Nullable { .. }) => {
            let n = ident(&step.rust_name);
            return if present { quote!(self.#n.is_value()) } else { quote!(!self.#n.is_value()) };
        }
        _ => access(path),
    };
    if present {
        quote!(#expr.is_some())
    } else {
        quote!(#expr.is_none())
    }
}

/// A boolean expression, or `None` when the condition always holds. Shared with the
/// `<field>_or_default()` accessors of conditional defaults (which the checker keeps
/// free of `family` tests, whose selector methods live here).
pub(crate) fn condition(api: &Api, c: &ConditionIr) -> Option<TokenStream> {
    Some(match c {
        ConditionIr::Always => return None,
        ConditionIr::Present(path, present) => is_present(path, *present),
        ConditionIr::OneOf(path, values) => holds(api, path, values),
        ConditionIr::Family(sel, family) => {
            let model = selected_model(sel);
            quote!(#model.is_some_and(|model| model.family == Some(#family)))
        }
        ConditionIr::AnyOf(list) => joined(api, list, quote!(||)),
        ConditionIr::AllOf(list) => joined(api, list, quote!(&&)),
        ConditionIr::Not(inner) => negate(condition(api, inner).unwrap_or_else(|| quote!(true))),
    })
}

/// Conditions joined by `||` or `&&`, each parenthesised when it is itself a join
/// (`(a || b) && c`); a lone test needs none.
fn joined(api: &Api, list: &[ConditionIr], op: TokenStream) -> TokenStream {
    let parts = list.iter().map(|c| {
        let expr = condition(api, c).unwrap_or_else(|| quote!(true));
        if binds_loosely(&expr, &['|', '&']) {
            quote!((#expr))
        } else {
            expr
        }
    });
    let mut out = TokenStream::new();
    for (i, part) in parts.enumerate() {
        if i > 0 {
            out.extend(op.clone());
        }
        out.extend(part);
    }
    out
}

/// Whether `expr` has one of `ops` at its top level (outside any bracket or macro call).
fn binds_loosely(expr: &TokenStream, ops: &[char]) -> bool {
    expr.clone().into_iter().any(|t| matches!(&t, proc_macro2::TokenTree::Punct(p) if ops.contains(&p.as_char())))
}

/// `!c`, parenthesised only when `c` is a comparison or a join (`!(self.n == Some(1))`,
/// `!(a || b)`); a macro call or method chain (`matches!(..)`, `x.is_some_and(..)`)
/// binds tighter.
fn negate(c: TokenStream) -> TokenStream {
    if let Some(flipped) = flip_comparison(&c) {
        return flipped;
    }
    if binds_loosely(&c, &['=', '|', '&', '<', '>']) {
        quote!(!(#c))
    } else {
        quote!(!#c)
    }
}

/// `a != b` for `a == b` and the reverse (clippy's `nonminimal_bool` refuses
/// `!(a == b)`); `None` unless `c` is one such comparison and nothing else.
fn flip_comparison(c: &TokenStream) -> Option<TokenStream> {
    use proc_macro2::{Punct, Spacing, TokenTree};
    let tokens: Vec<TokenTree> = c.clone().into_iter().collect();
    let punct = |t: &TokenTree| match t {
        TokenTree::Punct(p) => Some(p.as_char()),
        _ => None,
    };
    let at = tokens.windows(2).position(|w| matches!((punct(&w[0]), punct(&w[1])), (Some('=' | '!'), Some('='))))?;
    let others = tokens.iter().enumerate().filter(|(i, _)| *i != at && *i != at + 1);
    if others.clone().any(|(_, t)| matches!(punct(t), Some('=' | '!' | '|' | '&' | '<' | '>'))) {
        return None;
    }
    let first = if punct(&tokens[at]) == Some('=') { '!' } else { '=' };
    let mut out: Vec<TokenTree> = tokens[..at].to_vec();
    out.push(TokenTree::Punct(Punct::new(first, Spacing::Joint)));
    out.push(TokenTree::Punct(Punct::new('=', Spacing::Alone)));
    out.extend(tokens[at + 2..].iter().cloned());
    Some(out.into_iter().collect())
}

/// `body` run when `when` holds (always, without a condition).
fn guarded(api: &Api, when: &ConditionIr, body: TokenStream) -> TokenStream {
    match condition(api, when) {
        Some(c) => quote!(if #c { #body }),
        None => body,
    }
}

fn rule_checks(api: &Api, rule: &RuleCheck) -> TokenStream {
    match rule {
        RuleCheck::Requires { when, field, equals: None, message } => {
            let missing = is_present(field, false);
            let wire = &field.wire;
            guarded(api, when, quote!(if #missing { v.required_by(#wire, #message); }))
        }
        RuleCheck::Requires { when, field, equals: Some(expected), message } => {
            let acc = access(field);
            let wire = &field.wire;
            let is = value_is(api, field, std::slice::from_ref(expected), quote!(actual));
            let text = literal_text(expected);
            guarded(
                api,
                when,
                quote! {
                    match #acc {
                        None => v.required_by(#wire, #message),
                        Some(actual) if !#is => v.must_equal(#wire, actual, #text, #message),
                        Some(_) => {}
                    }
                },
            )
        }
        RuleCheck::Forbids { when, field, values, message } if values.is_empty() => {
            let set = is_present(field, true);
            let wire = &field.wire;
            guarded(api, when, quote!(if #set { v.forbidden_by(#wire, #message); }))
        }
        RuleCheck::Forbids { when, field, values, message } => {
            let acc = access(field);
            let wire = &field.wire;
            let is = value_is(api, field, values, quote!(actual));
            guarded(
                api,
                when,
                quote! {
                    if let Some(actual) = #acc {
                        if #is {
                            v.forbidden_value(#wire, actual, #message);
                        }
                    }
                },
            )
        }
        RuleCheck::OnlyWith { field, with, message } => {
            let set = is_present(field, true);
            let wire = &field.wire;
            let unmet = match with {
                ConditionIr::Present(path, present) => Some(is_present(path, !present)),
                other => condition(api, other).map(negate),
            }
            .unwrap_or_else(|| quote!(false));
            quote! {
                if #set && #unmet {
                    v.forbidden_by(#wire, #message);
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
            guarded(api, when, body)
        }
        RuleCheck::AllowedValues { when, field, values, message } => {
            guarded(api, when, allowed_values(field, values, message))
        }
        RuleCheck::Limit { when, field, measure, bound, source, message } => {
            guarded(api, when, limit(field, *measure, *bound, source, message))
        }
        RuleCheck::Product { when, fields, min, max, message } => {
            let bindings: Vec<proc_macro2::Ident> =
                (0..fields.len()).map(|i| quote::format_ident!("factor_{}", i)).collect();
            let accessors = fields.iter().map(access);
            // Casting an `f64` to itself is a clippy warning in the generated code.
            let values = fields.iter().zip(&bindings).map(|(f, b)| match f.ty {
                RustType::F64 => quote!(*#b),
                _ => quote!(*#b as f64),
            });
            let names = fields.iter().map(|f| &f.wire);
            let (min, max) = (opt_f64(*min), opt_f64(*max));
            let body = quote! {
                if let (#(Some(#bindings)),*) = (#(#accessors),*) {
                    v.product(&[#(#names),*], &[#(#values),*], #min, #max, #message);
                }
            };
            guarded(api, when, body)
        }
        RuleCheck::ExactlyOneOf { fields, message } => {
            let present = fields.iter().map(|f| is_present(f, true));
            let names = fields.iter().map(|f| &f.wire);
            quote! {
                v.exactly_one_of(&[#(#names),*], &[#(#present),*], #message);
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
                let requires = m.requires.iter().map(|(path, expected)| {
                    let acc = access(path);
                    let wire = &path.wire;
                    let expected_values = std::slice::from_ref(expected);
                    let accepted = match compare(api, &path.ty, expected_values) {
                        Compare::Pattern(p) => quote!(Some(#p)),
                        _ => {
                            let is = value_is(api, path, expected_values, quote!(actual));
                            quote!(Some(actual) if #is)
                        }
                    };
                    let text = literal_text(expected);
                    quote! {
                        match #acc {
                            #accepted => {}
                            actual => v.model_requires(#wire, #id, #text, actual),
                        }
                    }
                });
                let rejects = m.rejects.iter().map(|(path, values)| {
                    let acc = access(path);
                    let wire = &path.wire;
                    let is = value_is(api, path, values, quote!(actual));
                    quote! {
                        if let Some(actual) = #acc {
                            if #is {
                                v.model_rejects(#wire, #id, actual);
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

/// A `limit_when` bound other than an array's maximum: the value as the runtime check
/// takes it (`f64` for numbers, the text for lengths, the count for items), checked
/// against a fixed bound or the selected model's capability.
fn limit(field: &FieldPath, measure: Measure, bound: Bound, source: &BoundSource, message: &str) -> TokenStream {
    let acc = access(field);
    let wire = &field.wire;
    let actual = match (measure, &field.ty) {
        (Measure::Value, RustType::F64) => quote!(*actual),
        (Measure::Value, _) => quote!(*actual as f64),
        (Measure::Length, _) => quote!(actual),
        (Measure::Items, _) => quote!(actual.len()),
    };
    // The check for a limit `n` (an `f64` for values, a `u64` count otherwise) and why it applies.
    let check = |n: TokenStream, why: TokenStream| match (measure, bound) {
        (Measure::Value, Bound::Min) => quote!(v.value_limit(#wire, #actual, Some(#n), None, #why);),
        (Measure::Value, Bound::Max) => quote!(v.value_limit(#wire, #actual, None, Some(#n), #why);),
        (Measure::Value, Bound::MultipleOf) => quote!(v.multiple_of(#wire, #actual, #n, #why);),
        (Measure::Length, Bound::Min) => quote!(v.length_limit(#wire, #actual, Some(#n), None, #why);),
        (Measure::Length, Bound::Max) => quote!(v.length_limit(#wire, #actual, None, Some(#n), #why);),
        (Measure::Items, Bound::Min) => quote!(v.item_minimum(#wire, #actual, #n, #why);),
        (Measure::Items, Bound::Max) => quote!(v.item_limit(#wire, #actual, #n, #why);),
        (Measure::Length | Measure::Items, Bound::MultipleOf) => {
            unreachable!("the checker allows `multiple_of` on numbers only")
        }
    };
    match source {
        BoundSource::Fixed(n) => {
            let n = if measure == Measure::Value {
                Lit::f64_unsuffixed(*n).into_token_stream()
            } else {
                Lit::u64_unsuffixed(*n as u64).into_token_stream()
            };
            let check = check(n, quote!(#message));
            quote! {
                if let Some(actual) = #acc {
                    #check
                }
            }
        }
        BoundSource::Model(sel, cap) => {
            let model = selected_model(sel);
            let n = if measure == Measure::Value { quote!(limit as f64) } else { quote!(limit) };
            let check = check(n, quote!(&format!("model `{}`", model.id)));
            quote! {
                if let (Some(actual), Some(model)) = (#acc, #model) {
                    if let Some(limit) = model.limit(#cap) {
                        #check
                    }
                }
            }
        }
    }
}

/// `allowed_values_when`: numbers and booleans are compared as values (integers as
/// `f64`, so every integer type compares with one list), strings and enums as their
/// wire text, against the spec's list or the selected model's capability (the
/// checker allows capabilities, which list strings, only on string and enum fields).
fn allowed_values(field: &FieldPath, values: &ValuesSource, message: &str) -> TokenStream {
    let acc = access(field);
    let wire = &field.wire;
    let scalar = match field.ty {
        // Casting an `f64` to itself is a clippy warning in the generated code.
        RustType::Bool | RustType::F64 => Some(quote!(*actual)),
        RustType::I64 | RustType::U32 | RustType::U64 => Some(quote!(*actual as f64)),
        _ => None,
    };
    let text = match &field.ty {
        RustType::Named(n) => {
            let t = ident(&n.rust_name);
            quote!(#acc.map(#t::as_str))
        }
        _ => quote!(#acc.map(String::as_str)),
    };
    match (values, scalar) {
        (ValuesSource::Fixed(list), Some(actual)) => {
            let allowed = list.iter().map(|l| match l {
                Literal::Bool(b) => quote!(#b),
                Literal::Num(n) => {
                    let n = Lit::f64_unsuffixed(*n);
                    quote!(#n)
                }
                Literal::Str(s) => quote!(#s),
            });
            quote! {
                if let Some(actual) = #acc {
                    v.allowed_scalars(#wire, #actual, &[#(#allowed),*], #message);
                }
            }
        }
        (ValuesSource::Fixed(list), None) => {
            let list = list.iter().map(literal_text);
            quote! {
                if let Some(actual) = #text {
                    v.allowed_values(#wire, actual, &[#(#list),*], #message);
                }
            }
        }
        (ValuesSource::Model(sel, cap), _) => {
            let model = selected_model(sel);
            quote! {
                if let (Some(actual), Some(model)) = (#text, #model) {
                    if let Some(allowed) = model.values(#cap) {
                        v.allowed_values(#wire, actual, allowed, &format!("model `{}`", model.id));
                    }
                }
            }
        }
    }
}
