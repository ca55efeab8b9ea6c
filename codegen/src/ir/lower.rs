//! Spec -> IR. Runs only on specs that passed the checks, so lookups that the
//! checks guarantee are treated as present; naming collisions, which only
//! appear once Rust names exist, are reported here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::naming::{self, default_variant_prefix, is_valid_identifier, snake, type_name, variant};
use super::*;
use crate::diagnostics::{Diagnostics, Reporter};
use crate::spec::load::LoadedSpec;
use crate::spec::lookup::SpecIndex;
use crate::spec::model::{self as m, Spec, TypeDef};
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::{TypeExpr, TypeRef};

/// Lowers a checked spec. `source` is the spec path shown in headers.
pub fn lower(loaded: &LoadedSpec, source: &str) -> Result<Api, Diagnostics> {
    let spec = &loaded.spec;
    let index = SpecIndex::new(spec);
    let usage = usages(spec, &index);
    let mut cx = Lowering { spec, index, usage, fields: BTreeMap::new(), r: Reporter::for_spec(&loaded.sources) };
    let mut api = cx.api(source);
    api.inputs = loaded.sources.files().map(|f| f.path.clone()).collect();
    let diagnostics = cx.r.finish();
    if diagnostics.is_empty() {
        Ok(api)
    } else {
        Err(diagnostics)
    }
}

struct Lowering<'a> {
    spec: &'a Spec,
    index: SpecIndex<'a>,
    usage: BTreeMap<String, Usage>,
    /// The lowered fields of every object, by spec name.
    fields: BTreeMap<&'a str, Vec<FieldIr>>,
    r: Reporter<'a>,
}

/// Marks every type reachable from request bodies and from responses.
fn usages(spec: &Spec, index: &SpecIndex) -> BTreeMap<String, Usage> {
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    let mut visit = |root: &str, request: bool| {
        let mut stack = vec![root.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let entry = usage.entry(name.clone()).or_default();
            if request {
                entry.request = true;
            } else {
                entry.response = true;
            }
            let children: Vec<String> = match index.get(&name) {
                Some(TypeDef::Object(o)) => o.fields.iter().filter_map(|f| named(&f.ty)).collect(),
                Some(TypeDef::OneOf(o)) => o.variants.iter().filter_map(|v| named(&v.ty)).collect(),
                Some(TypeDef::Events(e)) => e.variants.iter().filter_map(|v| named(&v.ty)).collect(),
                _ => Vec::new(),
            };
            stack.extend(children);
        }
    };
    // Error bodies arrive in responses too.
    for e in &spec.envelopes {
        if index.object(&e.body).is_some() {
            visit(&e.body, false);
        }
    }
    // Events only ever arrive in responses; one that no operation names yet is still
    // response data (its converter and `CollectImages` impls need it).
    for t in &spec.types {
        if let TypeDef::Events(e) = t {
            visit(&e.name, false);
        }
    }
    for op in &spec.operations {
        if let Some(req) = &op.request {
            for t in req.json.iter().chain(req.multipart.iter()).chain(req.params.iter()) {
                visit(t, true);
            }
        }
        for p in &op.path_params {
            if let Some(n) = named(&p.ty) {
                visit(&n, true);
            }
        }
        for t in op.response.json.iter().filter_map(named).chain(op.response.sse.clone()) {
            visit(&t, false);
        }
        for t in op.response.statuses.iter().filter_map(|s| s.json.as_ref()).filter_map(named) {
            visit(&t, false);
        }
        // A header read into a string enum arrives in a response like any body field.
        for h in &op.response.headers {
            if let Some(n) = named(&h.ty) {
                visit(&n, false);
            }
        }
    }
    usage
}

/// The type a value of this expression holds inline: a named type, alone or as the
/// single value of a `one_or_many` (its `One` variant holds it unboxed).
fn inline_name(ty: &TypeExpr) -> Option<String> {
    match ty {
        TypeExpr::Named(n) => Some(n.clone()),
        TypeExpr::OneOrMany(inner) => inline_name(inner),
        _ => None,
    }
}

fn named(ty: &TypeRef) -> Option<String> {
    ty.expr().named().map(str::to_string)
}

/// How a field is held: requests are strict, responses tolerate what real servers omit.
/// Whether a struct's fields are one inline image (see [`InlineImageIr`]): exactly one
/// base64 field, exactly one MIME-type field (a string or a string enum), and every
/// other field optional, so a constructor from a file needs nothing else.
fn inline_image(fields: &[FieldIr]) -> Option<InlineImageIr> {
    let is_mime = |f: &FieldIr| {
        let name: String = f.wire_name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        matches!(name.to_ascii_lowercase().as_str(), "mimetype" | "mediatype")
    };
    let mut data = fields.iter().filter(|f| f.ty == RustType::Base64 && !f.flatten);
    let mut mime = fields.iter().filter(|f| is_mime(f) && !f.flatten);
    let (Some(data), None, Some(mime), None) = (data.next(), data.next(), mime.next(), mime.next()) else {
        return None;
    };
    // The constructors fill both from a file: neither can be `null`.
    if [data, mime].iter().any(|f| matches!(f.presence, Presence::Nullable { .. })) {
        return None;
    }
    let mime_kind = match &mime.ty {
        RustType::String => MimeTypeKind::Text,
        RustType::Named(NamedRef { rust_name, kind: NamedKind::Enum { has_unknown, open }, .. }) => {
            MimeTypeKind::Enum { rust_name: rust_name.clone(), refuse_unknown: *has_unknown && !*open }
        }
        _ => return None,
    };
    let others_optional =
        fields.iter().filter(|f| f.rust_name != data.rust_name && f.rust_name != mime.rust_name).all(|f| {
            matches!(f.presence, Presence::Optional | Presence::DefaultEmpty | Presence::Nullable { required: false })
        });
    if !others_optional {
        return None;
    }
    Some(InlineImageIr {
        data: data.rust_name.clone(),
        data_bare: data.presence == Presence::Required,
        mime_type: mime.rust_name.clone(),
        mime_type_bare: mime.presence == Presence::Required,
        mime_kind,
    })
}

fn token_kind(usage: m::TokenUsage) -> TokenKind {
    match usage {
        m::TokenUsage::InputTokens => TokenKind::Input,
        m::TokenUsage::OutputTokens => TokenKind::Output,
    }
}

fn presence(required: bool, nullable: bool, usage: Usage, ty: &RustType) -> Presence {
    if nullable {
        return Presence::Nullable { required };
    }
    let is_container = matches!(ty, RustType::Vec(_) | RustType::Map(_));
    match (required, usage.response, is_container) {
        (false, _, _) => Presence::Optional,
        (true, false, _) => Presence::Required,
        (true, true, true) => Presence::DefaultEmpty,
        (true, true, false) => Presence::RequiredTolerant,
    }
}

/// One enum value or model id, as the variant builder needs it.
struct ValueDef<'s> {
    wire: &'s str,
    rust_name: Option<&'s String>,
    aliases: &'s [m::Alias],
    docs: Option<&'s String>,
    deprecated: Option<&'s String>,
}

/// What to do about a collision of names that reach the wire.
const RUST_NAME: &str = "set `rust_name` on one of them";
/// What to do about a collision of the spec's own words, which never reach the wire.
const RENAME: &str = "rename one of them";
/// What to do about two path parameters with one Rust name.
const PLACEHOLDERS: &str = "rename one of the placeholders";

fn auth_schemes(schemes: &[m::AuthScheme]) -> Vec<AuthIr> {
    schemes
        .iter()
        .map(|a| match a {
            m::AuthScheme::Bearer => AuthIr::Bearer,
            m::AuthScheme::Header { header } => AuthIr::Header(header.clone()),
            m::AuthScheme::Query { param } => AuthIr::Query(param.clone()),
        })
        .collect()
}

/// A path the checker parsed and resolved, as steps.
fn field_path(text: &str) -> FieldPathIr {
    use crate::spec::field_path::{parse, Pick};
    let segments = parse(text).unwrap_or_else(|e| unreachable!("the checker refuses unparsable paths ({e})"));
    let mut steps = Vec::new();
    for segment in segments {
        steps.push(PathStepIr::Key(segment.field));
        steps.extend(segment.pick.map(|pick| match pick {
            Pick::Index(i) => PathStepIr::Index(i),
            Pick::Equals { field, value } => PathStepIr::ItemWhere { field, value },
            Pick::EndsWith { field, suffix } => PathStepIr::ItemEndingWith { field, suffix },
        }));
    }
    FieldPathIr { text: text.to_string(), steps }
}

/// A value a rule compares with; the checker refuses any that is not a scalar.
fn literal(v: &Value) -> Literal {
    match v {
        Value::Bool(b) => Literal::Bool(*b),
        // Without `arbitrary_precision` every JSON number has an `f64`.
        Value::Number(n) => Literal::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Literal::Str(s.clone()),
        other => unreachable!("the checker refuses rule values that are not strings, numbers or booleans (`{other}`)"),
    }
}

impl<'a> Lowering<'a> {
    fn api(&mut self, source: &str) -> Api {
        let p = &self.spec.provider;
        let provider = ProviderIr {
            module: snake(&p.name),
            name: p.name.clone(),
            title: p.title.clone(),
            description: p.description.clone(),
            docs_url: p.docs_url.clone(),
            docs_version: p.docs_version.clone(),
            base_url: p.base_url.clone(),
            api_key_env: p.api_key_env.clone(),
            base_url_env: naming::base_url_env(&p.api_key_env, &p.name),
            auth: auth_schemes(&p.auth),
            envelopes: self.envelopes(),
            default_envelopes: p.envelopes.clone(),
            headers: self.provider_headers(),
            doc_crate: None,
            testing_feature: None,
        };
        self.unique_rust_type_names();
        // Fields first: rules name fields of nested objects, whatever their order.
        for (i, t) in self.spec.types.iter().enumerate() {
            if let TypeDef::Object(o) = t {
                let fields = self.object_fields(o, &join_index("types", i));
                self.fields.insert(o.name.as_str(), fields);
            }
        }
        let mut types: Vec<TypeIr> =
            self.spec.types.iter().enumerate().map(|(i, t)| self.type_def(t, &join_index("types", i))).collect();
        self.constructors(&mut types);
        let operations = self.operations();
        let examples = self.examples();
        Api { source: source.to_string(), inputs: Vec::new(), provider, types, operations, examples }
    }

    /// Reports names that collide once converted to Rust, pointing at the later one;
    /// `fix` says what to do: names that reach the wire keep their spelling and take a
    /// `rust_name`, the spec's own words (type names, ids, placeholders) are renamed.
    fn collisions(&mut self, names: impl IntoIterator<Item = (RustIdent, String, String)>, what: &str, fix: &str) {
        let mut seen: BTreeMap<RustIdent, String> = BTreeMap::new();
        for (rust, original, path) in names {
            match seen.get(&rust) {
                Some(first) => self
                    .r
                    .error(&path, format!("{what} `{original}` and `{first}` both become `{rust}` in Rust; {fix}")),
                None => {
                    seen.insert(rust, original);
                }
            }
        }
    }

    /// The declared error envelopes, as the runtime's reader is told about them.
    fn envelopes(&self) -> Vec<EnvelopeIr> {
        self.spec
            .envelopes
            .iter()
            .map(|e| {
                let paths = |part| e.paths(part).iter().map(|p| field_path(p)).collect();
                let body = self
                    .index
                    .object(&e.body)
                    .unwrap_or_else(|| unreachable!("the checker refuses an envelope body that is not an object"));
                EnvelopeIr {
                    name: e.name.clone(),
                    const_name: RustIdent::new(naming::shouty(&e.name)),
                    docs: e.description.clone(),
                    body: type_name(&e.body),
                    body_keys: body.fields.iter().map(|f| f.name.clone()).collect(),
                    when: e
                        .when
                        .iter()
                        .map(|t| EnvelopeTestIr {
                            path: field_path(&t.field),
                            test: match (&t.equals, t.is) {
                                (Some(value), _) => TestIr::Equals(literal(value)),
                                (None, Some(kind)) => TestIr::Is(match kind {
                                    m::JsonKind::Object => "Object",
                                    m::JsonKind::Array => "Array",
                                    m::JsonKind::String => "String",
                                    m::JsonKind::Number => "Number",
                                    m::JsonKind::Boolean => "Boolean",
                                }),
                                (None, None) => TestIr::Present,
                            },
                        })
                        .collect(),
                    message: paths(m::EnvelopePart::Message),
                    code: paths(m::EnvelopePart::Code),
                    error_type: paths(m::EnvelopePart::ErrorType),
                    status: paths(m::EnvelopePart::Status),
                    param: paths(m::EnvelopePart::Param),
                    retryable: paths(m::EnvelopePart::Retryable),
                    retry_delay: e.retry_delay.as_ref().map(|d| {
                        let format = match d.format {
                            m::DelayFormat::Duration => DelayFormatIr::Duration,
                            m::DelayFormat::Seconds => DelayFormatIr::Seconds,
                            m::DelayFormat::Milliseconds => DelayFormatIr::Milliseconds,
                        };
                        (field_path(&d.field), format)
                    }),
                    retry: e
                        .retry
                        .iter()
                        .map(|r| RetryRuleIr {
                            status: r.status,
                            code: r.code.clone(),
                            message_contains: r.message_contains.clone(),
                            retry: r.retry,
                            docs: r.description.clone(),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// The provider's documented headers, each with the name of its builder setter.
    /// The setters sit beside the builder's own methods, which would shadow them.
    fn provider_headers(&mut self) -> Vec<ProviderHeaderIr> {
        let mut names = Vec::new();
        let mut headers = Vec::new();
        for (i, h) in self.spec.provider.headers.iter().enumerate() {
            let path = join_index("provider.headers", i);
            let rust_name = self.rust_name_override(h.rust_name.as_ref(), naming::field(&h.name), &path);
            if naming::BUILDER_METHODS.contains(&rust_name.unraw()) {
                self.r.error(
                    &join_key(&path, "name"),
                    format!(
                        "provider header `{}` would get the setter `{rust_name}`, a method the client builder \
                         already has (which would hide it); set `rust_name`",
                        h.name
                    ),
                );
            }
            names.push((rust_name.clone(), h.name.clone(), join_key(&path, "name")));
            headers.push(ProviderHeaderIr {
                name: h.name.clone(),
                rust_name,
                docs: h.description.clone(),
                secret: h.secret,
                env: h.env.clone(),
            });
        }
        self.collisions(names, "provider headers", RUST_NAME);
        headers
    }

    fn unique_rust_type_names(&mut self) {
        let names: Vec<_> = self
            .spec
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (type_name(t.name()), t.name().to_string(), join_key(&join_index("types", i), "name")))
            .collect();
        self.collisions(names, "type names", RENAME);
    }

    fn rust_name_override(&mut self, given: Option<&String>, derived: RustIdent, path: &str) -> RustIdent {
        match given {
            Some(name) if name == naming::EXTRA_FIELDS => {
                self.r.error(
                    &join_key(path, "rust_name"),
                    format!("`{name}` is the member that holds fields the spec does not describe; choose another name"),
                );
                derived
            }
            Some(name) if is_valid_identifier(name) => RustIdent::new(name.clone()),
            Some(name) => {
                self.r.error(&join_key(path, "rust_name"), format!("`{name}` is not a valid Rust identifier"));
                derived
            }
            None => derived,
        }
    }

    fn usage(&self, name: &str) -> Usage {
        self.usage.get(name).copied().unwrap_or_default()
    }

    fn rust_type(&self, ty: &TypeExpr, field: Option<&m::Field>) -> RustType {
        match ty {
            TypeExpr::String => RustType::String,
            TypeExpr::Integer => {
                let min = field.and_then(|f| f.min);
                let max = field.and_then(|f| f.max);
                match (min, max) {
                    (Some(lo), Some(hi)) if lo >= 0.0 && hi <= u32::MAX as f64 => RustType::U32,
                    (Some(lo), _) if lo >= 0.0 => RustType::U64,
                    _ => RustType::I64,
                }
            }
            TypeExpr::Number => RustType::F64,
            TypeExpr::Boolean => RustType::Bool,
            TypeExpr::Any => RustType::Json,
            TypeExpr::Base64 => RustType::Base64,
            TypeExpr::Url => RustType::Url,
            TypeExpr::DataUrl => RustType::DataUrl,
            TypeExpr::File => RustType::File,
            TypeExpr::Array(t) => RustType::Vec(Box::new(self.rust_type(t, field))),
            TypeExpr::Map(t) => RustType::Map(Box::new(self.rust_type(t, field))),
            TypeExpr::OneOrMany(t) => RustType::OneOrMany(Box::new(self.rust_type(t, field))),
            TypeExpr::Named(n) => RustType::Named(self.named_ref(n)),
        }
    }

    /// `ty` (the type of a field or member of `holder`), boxed where it holds a type
    /// inline that holds `holder` inline again: without the box the Rust type would
    /// contain itself. Boxing every such edge of a cycle is more than the minimum, but
    /// it depends on nothing but the two types, so it never changes with spec order.
    fn boxed_if_recursive(&self, holder: &str, expr: &TypeExpr, ty: RustType) -> RustType {
        match (expr, ty) {
            (TypeExpr::Named(name), RustType::Named(mut n)) => {
                n.boxed = self.reaches_inline(name, holder);
                RustType::Named(n)
            }
            (TypeExpr::OneOrMany(inner), RustType::OneOrMany(t)) => {
                RustType::OneOrMany(Box::new(self.boxed_if_recursive(holder, inner, *t)))
            }
            (_, ty) => ty,
        }
    }

    /// Whether a value of type `from` holds a `to` inline, through fields and one_of
    /// members that are not behind a `Vec` or map (`from == to` counts). Iterative,
    /// so a long chain of types cannot exhaust the stack.
    fn reaches_inline(&self, from: &str, to: &str) -> bool {
        let mut stack = vec![from.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if name == to {
                return true;
            }
            if !seen.insert(name.clone()) {
                continue;
            }
            let held: Vec<&TypeRef> = match self.index.get(&name) {
                Some(TypeDef::Object(o)) => o.fields.iter().map(|f| &f.ty).collect(),
                Some(TypeDef::OneOf(o)) => o.variants.iter().map(|v| &v.ty).collect(),
                _ => Vec::new(),
            };
            stack.extend(held.into_iter().filter_map(|t| inline_name(t.expr())));
        }
        false
    }

    /// Whether values of the named type can carry an image.
    fn holds_images(&self, name: &str) -> bool {
        self.index.holds_images(&TypeExpr::Named(name.to_string()))
    }

    fn named_ref(&self, name: &str) -> NamedRef {
        let kind = match self.index.get(name) {
            Some(TypeDef::Object(_)) | None => NamedKind::Struct,
            Some(TypeDef::Enum(e)) => {
                NamedKind::Enum { has_unknown: e.open || self.usage(name).response, open: e.open }
            }
            Some(TypeDef::Models(md)) => {
                NamedKind::Enum { has_unknown: md.open || self.usage(name).response, open: md.open }
            }
            Some(TypeDef::OneOf(_)) => NamedKind::OneOf,
            Some(TypeDef::Events(_)) => NamedKind::Events,
        };
        NamedRef { rust_name: type_name(name), kind, boxed: false, holds_images: self.holds_images(name) }
    }

    fn type_def(&mut self, t: &TypeDef, path: &str) -> TypeIr {
        match t {
            TypeDef::Object(o) => TypeIr::Struct(self.object(o)),
            TypeDef::Enum(e) => TypeIr::Enum(self.enumeration(e, path)),
            TypeDef::Models(md) => TypeIr::Enum(self.models(md, path)),
            TypeDef::OneOf(o) => TypeIr::OneOf(self.one_of(o, path)),
            TypeDef::Events(e) => TypeIr::Events(self.events(e, path)),
        }
    }

    /// The fields of object `o`, lowered before any rule or struct reads them.
    fn object_fields(&mut self, o: &m::ObjectDef, path: &str) -> Vec<FieldIr> {
        let usage = self.usage(&o.name);
        let mut fields = Vec::new();
        let mut names = Vec::new();
        for (i, f) in o.fields.iter().enumerate() {
            let fpath = join_index(&join_key(path, "fields"), i);
            let rust_name = self.rust_name_override(f.rust_name.as_ref(), naming::field(&f.name), &fpath);
            names.push((rust_name.clone(), f.name.clone(), join_key(&fpath, "name")));
            let ty_expr = f.ty.expr();
            let ty = self.boxed_if_recursive(&o.name, ty_expr, self.rust_type(ty_expr, Some(f)));
            let presence = presence(f.required, f.nullable, usage, &ty);
            // A flattened member is how the object is told apart; it is always there.
            let presence = if f.flatten { Presence::Required } else { presence };
            let null_items = NullItems::for_type(&ty, usage);
            fields.push(FieldIr {
                wire_name: f.name.clone(),
                rust_name,
                ty,
                presence,
                default: f.default.clone(),
                // Its conditions name other fields, so they are lowered with the struct.
                default_when: Vec::new(),
                docs: f.description.clone(),
                deprecated: f.deprecated.clone(),
                families: f.families.clone(),
                constraints: Constraints {
                    min: f.min,
                    max: f.max,
                    min_items: f.min_items,
                    max_items: f.max_items,
                    min_length: f.min_length,
                    max_length: f.max_length,
                    schemes: f.schemes.clone(),
                    allow_data_url: f.allow_data_url,
                    base64_text: f.format == Some(m::StringFormat::Base64),
                    mime_types: f.mime_types.clone(),
                    pattern: f.pattern.clone(),
                    multiple_of: f.multiple_of,
                    aspect_ratio: f.aspect_ratio.as_ref().map(|r| (r.min.clone(), r.max.clone())),
                    image_limits: f.image_limits.as_ref().map(|l| ImageLimitsIr {
                        min_side: l.min_side,
                        max_side: l.max_side,
                        min_pixels: l.min_pixels,
                        max_pixels: l.max_pixels,
                        aspect_ratio: l.aspect_ratio.as_ref().map(|r| (r.min.clone(), r.max.clone())),
                    }),
                },
                flatten: f.flatten,
                part_names: if f.part_names.is_empty() { vec![f.name.clone()] } else { f.part_names.clone() },
                repeats_images_of: f.repeats_images_of.clone(),
                location: match (f.location, f.style) {
                    (m::FieldLocation::Body, _) => Location::Body,
                    (m::FieldLocation::Query, Some(m::QueryStyle::Comma)) => Location::Query(QueryStyle::Comma),
                    (m::FieldLocation::Query, Some(m::QueryStyle::Form) | None) => Location::Query(QueryStyle::Repeat),
                    (m::FieldLocation::Header, _) => Location::Header,
                },
                usage: f.usage.map(token_kind),
                secret: f.secret,
                null_items,
            });
        }
        self.collisions(names, "field names", RUST_NAME);
        fields
    }

    fn object(&self, o: &m::ObjectDef) -> StructIr {
        let usage = self.usage(&o.name);
        let multipart = self
            .spec
            .operations
            .iter()
            .any(|op| op.request.as_ref().and_then(|r| r.multipart.as_ref()) == Some(&o.name));
        let params_only =
            self.spec.operations.iter().any(|op| op.request.as_ref().and_then(|r| r.params.as_ref()) == Some(&o.name));
        let mut fields = self.fields.get(o.name.as_str()).cloned().unwrap_or_default();
        for (field, spec) in fields.iter_mut().zip(&o.fields) {
            field.default_when = spec
                .default_when
                .iter()
                .map(|d| DefaultWhenIr {
                    when: self.condition(o, &d.when),
                    value: d.value.clone(),
                    description: describe_condition(&d.when),
                })
                .collect();
        }
        let mut rules: Vec<RuleIr> = o
            .rules
            .iter()
            .map(|rule| {
                let severity = match rule.severity() {
                    m::Severity::Error => Severity::Error,
                    m::Severity::Warning => Severity::Warning,
                };
                RuleIr { severity, check: self.rule(o, rule) }
            })
            .collect();
        // A model's `requires`/`rejects` say what the server refuses.
        let model_rules = self.model_constraints(o);
        rules.extend(model_rules.into_iter().map(|check| RuleIr { severity: Severity::Error, check }));
        // The docs say other families ignore such a field: worth a warning, never a refusal.
        let family_rules = self.family_fields(o);
        rules.extend(family_rules.into_iter().map(|check| RuleIr { severity: Severity::Warning, check }));
        let inline_image = if usage.request && !multipart { inline_image(&fields) } else { None };
        StructIr {
            rust_name: type_name(&o.name),
            docs: o.description.clone(),
            deprecated: o.deprecated.clone(),
            fields,
            rules,
            usage,
            multipart,
            params_only,
            inline_image,
            holds_images: self.holds_images(&o.name),
            // Filled once every type is lowered: they read enum variants and one-of members.
            constructors: Vec::new(),
        }
    }

    /// The named constructors of every request-side struct: the spec's, then one per
    /// member of a one-of that is the struct's only required field (`Part::text`),
    /// unless a method of that name exists.
    fn constructors(&mut self, types: &mut [TypeIr]) {
        let mut decided = Vec::new();
        let lookup: &[TypeIr] = types;
        let enum_named = |name: &RustIdent| {
            lookup.iter().find_map(|t| match t {
                TypeIr::Enum(e) if &e.rust_name == name => Some(e),
                _ => None,
            })
        };
        let one_of_named = |name: &RustIdent| {
            lookup.iter().find_map(|t| match t {
                TypeIr::OneOf(o) if &o.rust_name == name => Some(o),
                _ => None,
            })
        };
        let spec = self.spec;
        for (i, (spec_type, ty)) in spec.types.iter().zip(lookup).enumerate() {
            let (TypeDef::Object(o), TypeIr::Struct(s)) = (spec_type, ty) else { continue };
            if !o.constructors.is_empty() && !s.is_request_side() {
                self.r.error(
                    &join_key(&join_index("types", i), "constructors"),
                    format!(
                        "`{}` is only read from responses; constructors are generated for types sent in requests",
                        o.name
                    ),
                );
                continue;
            }
            let field = |wire: &str| {
                s.fields
                    .iter()
                    .find(|f| f.wire_name == wire)
                    .unwrap_or_else(|| unreachable!("the checker refuses constructors naming unknown fields"))
            };
            for (j, c) in o.constructors.iter().enumerate() {
                if naming::is_generated_method(&c.name) {
                    let path = join_key(&join_index(&join_key(&join_index("types", i), "constructors"), j), "name");
                    self.r.error(
                        &path,
                        format!("constructor `{}` would clash with a method generated for `{}`", c.name, o.name),
                    );
                }
            }
            let mut constructors: Vec<ConstructorIr> = o
                .constructors
                .iter()
                .map(|c| {
                    let args = c.args.iter().map(|a| field(a).rust_name.clone()).collect();
                    let set = c
                        .set
                        .iter()
                        .map(|(wire, value)| {
                            let f = field(wire);
                            let fixed = match (&f.ty, value) {
                                (
                                    RustType::Named(NamedRef { rust_name, kind: NamedKind::Enum { .. }, .. }),
                                    Value::String(v),
                                ) => {
                                    let variant =
                                        enum_named(rust_name).and_then(|e| e.variant_for(v)).unwrap_or_else(|| {
                                            unreachable!("the checker refuses values an enum does not list")
                                        });
                                    FixedValue::Variant {
                                        rust_enum: rust_name.clone(),
                                        variant: variant.rust_name.clone(),
                                    }
                                }
                                _ => FixedValue::Scalar(value.clone()),
                            };
                            (f.rust_name.clone(), fixed)
                        })
                        .collect();
                    ConstructorIr {
                        fn_name: RustIdent::new(c.name.clone()),
                        docs: c.description.clone(),
                        kind: ConstructorKind::Declared { args, set },
                    }
                })
                .collect();
            if s.is_request_side() {
                let mut required = s.fields.iter().filter(|f| f.presence == Presence::Required);
                if let (Some(only), None) = (required.next(), required.next()) {
                    if let RustType::Named(NamedRef { rust_name, kind: NamedKind::OneOf, .. }) = &only.ty {
                        let one_of = one_of_named(rust_name)
                            .unwrap_or_else(|| unreachable!("a field's one-of type is lowered with the others"));
                        for member in &one_of.variants {
                            let fn_name = naming::field(&member.wire);
                            let taken = constructors.iter().any(|c| c.fn_name == fn_name)
                                || naming::is_generated_method(fn_name.unraw());
                            if taken {
                                continue;
                            }
                            let docs = format!(
                                "A `{}` whose `{}` is its `{}` member (`{}::{}`); optional fields start unset.",
                                s.rust_name, only.wire_name, member.wire, rust_name, member.rust_name
                            );
                            constructors.push(ConstructorIr {
                                fn_name,
                                docs,
                                kind: ConstructorKind::Member {
                                    one_of: rust_name.clone(),
                                    variant: member.rust_name.clone(),
                                    ty: member.ty.clone(),
                                },
                            });
                        }
                    }
                }
            }
            decided.push((i, constructors));
        }
        for (i, constructors) in decided {
            if let TypeIr::Struct(s) = &mut types[i] {
                s.constructors = constructors;
            }
        }
    }

    /// Resolves a dotted wire path of a rule into Rust access steps, through the
    /// lowered fields of each object on the way.
    fn field_path(&self, o: &m::ObjectDef, path: &str) -> FieldPath {
        let resolved = self
            .index
            .resolve_path(o, path)
            .unwrap_or_else(|e| unreachable!("the checker refuses rules naming fields that do not exist: {e}"));
        let mut holder = o.name.as_str();
        let mut steps = Vec::new();
        let mut ty = RustType::Json;
        for step in &resolved {
            let field = self.field(holder, &step.field.name);
            steps.push(AccessStep {
                rust_name: field.rust_name.clone(),
                wire_name: field.wire_name.clone(),
                presence: field.presence,
            });
            ty = field.ty.clone();
            // Every step but the last is an object field (`resolve_path` says so).
            if let Some(next) = step.ty.named() {
                holder = next;
            }
        }
        FieldPath { steps, wire: path.to_string(), ty }
    }

    /// The lowered field `wire` of object `holder`.
    fn field(&self, holder: &str, wire: &str) -> &FieldIr {
        self.fields
            .get(holder)
            .and_then(|fields| fields.iter().find(|f| f.wire_name == wire))
            .unwrap_or_else(|| unreachable!("every field of every object is lowered before rules (`{holder}.{wire}`)"))
    }

    fn model_selector(&self, o: &m::ObjectDef, model_field: Option<&str>) -> ModelSelector {
        let path = model_field.unwrap_or("model");
        let field = self.field_path(o, path);
        let enum_name = match &field.ty {
            RustType::Named(n) => n.rust_name.clone(),
            other => unreachable!("the checker refuses a models field that is not a models type (`{other:?}`)"),
        };
        let spec_field = self.index.resolve_path(o, path).ok().and_then(|steps| steps.last().map(|s| s.field));
        let conditional_default = spec_field.filter(|f| !f.default_when.is_empty()).map(|f| {
            let Some(step) = field.steps.last() else { unreachable!("a resolved field path has at least one step") };
            SelectorDefault {
                accessor: step.rust_name.derived("", "_or_default"),
                fallback: match &f.default {
                    Some(Value::String(id)) => id.clone(),
                    other => {
                        unreachable!("the checker requires a model id `default` beside `default_when` ({other:?})")
                    }
                },
            }
        });
        ModelSelector { field, enum_name, conditional_default }
    }

    fn condition(&self, o: &m::ObjectDef, c: &m::Condition) -> ConditionIr {
        let combined = |list: &[m::Condition]| list.iter().map(|c| self.condition(o, c)).collect::<Vec<_>>();
        if !c.any_of.is_empty() {
            return ConditionIr::AnyOf(combined(&c.any_of));
        }
        if !c.all_of.is_empty() {
            return ConditionIr::AllOf(combined(&c.all_of));
        }
        if let Some(inner) = &c.not {
            return ConditionIr::Not(Box::new(self.condition(o, inner)));
        }
        let Some(path) = &c.field else {
            unreachable!("the checker refuses a condition with neither `field` nor `any_of`, `all_of` or `not`")
        };
        if let Some(family) = &c.family {
            return ConditionIr::Family(self.model_selector(o, Some(path)), family.clone());
        }
        let field = self.field_path(o, path);
        if let Some(present) = c.present {
            return ConditionIr::Present(field, present);
        }
        let values: Vec<Literal> = c.equals.iter().chain(c.one_of.iter()).map(literal).collect();
        ConditionIr::OneOf(field, values)
    }

    fn rule(&self, o: &m::ObjectDef, rule: &m::Rule) -> RuleCheck {
        let cond = |c: &Option<m::Condition>| match c {
            Some(c) => self.condition(o, c),
            None => ConditionIr::Always,
        };
        match rule {
            m::Rule::Requires { when, field, equals, message, .. } => RuleCheck::Requires {
                when: self.condition(o, when),
                field: self.field_path(o, field),
                equals: equals.as_ref().map(literal),
                message: message
                    .clone()
                    .unwrap_or_else(|| format!("`{field}` is required when {}", describe_condition(when))),
            },
            m::Rule::Forbids { when, field, values, message, .. } => RuleCheck::Forbids {
                when: self.condition(o, when),
                field: self.field_path(o, field),
                values: values.iter().map(literal).collect(),
                message: message
                    .clone()
                    .unwrap_or_else(|| format!("`{field}` is not allowed when {}", describe_condition(when))),
            },
            m::Rule::OnlyWith { field, with, message, .. } => RuleCheck::OnlyWith {
                field: self.field_path(o, field),
                with: self.condition(o, with),
                message: message
                    .clone()
                    .unwrap_or_else(|| format!("`{field}` is only allowed when {}", describe_condition(with))),
            },
            m::Rule::LimitWhen { .. } => self.limit_rule(o, rule),
            m::Rule::AllowedValuesWhen { field, when, values, values_from_model, model_field, message, .. } => {
                RuleCheck::AllowedValues {
                    when: cond(when),
                    field: self.field_path(o, field),
                    values: match values_from_model {
                        Some(cap) => ValuesSource::Model(self.model_selector(o, model_field.as_deref()), cap.clone()),
                        None => ValuesSource::Fixed(values.iter().map(literal).collect()),
                    },
                    message: message.clone().unwrap_or_default(),
                }
            }
            m::Rule::ProductLimit { fields: names, when, min, max, message, .. } => RuleCheck::Product {
                when: cond(when),
                fields: names.iter().map(|n| self.field_path(o, n)).collect(),
                min: *min,
                max: *max,
                message: message.clone().unwrap_or_default(),
            },
            m::Rule::ExactlyOneOf { fields: names, message, .. } => RuleCheck::ExactlyOneOf {
                fields: names.iter().map(|n| self.field_path(o, n)).collect(),
                message: message.clone().unwrap_or_else(|| format!("exactly one of {} must be set", names.join(", "))),
            },
        }
    }

    /// A `limit_when` rule: the maximum item count of an array keeps its own check
    /// (`LimitItems`); every other bound is a `Limit`, measured as the field's type says.
    fn limit_rule(&self, o: &m::ObjectDef, rule: &m::Rule) -> RuleCheck {
        let m::Rule::LimitWhen {
            field,
            when,
            max_items,
            min_items,
            max_length,
            min_length,
            max,
            min,
            multiple_of,
            max_from_model,
            min_from_model,
            multiple_of_from_model,
            model_field,
            message,
            severity: _,
        } = rule
        else {
            unreachable!("limit_rule lowers limit_when rules only")
        };
        let when = when.as_ref().map_or(ConditionIr::Always, |c| self.condition(o, c));
        let path = self.field_path(o, field);
        let message = message.clone().unwrap_or_default();
        let from_model = |cap: &String| BoundSource::Model(self.model_selector(o, model_field.as_deref()), cap.clone());
        let measure = match &path.ty {
            RustType::Vec(_) | RustType::OneOrMany(_) => Measure::Items,
            RustType::String | RustType::Url | RustType::DataUrl => Measure::Length,
            _ => Measure::Value,
        };
        if measure == Measure::Items {
            let limit = match (max_items, max_from_model) {
                (Some(n), _) => Some(LimitSource::Fixed(*n)),
                (None, Some(cap)) => {
                    Some(LimitSource::Model(self.model_selector(o, model_field.as_deref()), cap.clone()))
                }
                (None, None) => None,
            };
            if let Some(limit) = limit {
                return RuleCheck::LimitItems { when, field: path, limit, message };
            }
        }
        // Counts are whole numbers; every count a spec can state is exact as an `f64`.
        let count = |n: &Option<u64>| n.map(|n| BoundSource::Fixed(n as f64));
        let candidates = [
            (Bound::Min, count(min_items)),
            (Bound::Max, count(max_length)),
            (Bound::Min, count(min_length)),
            (Bound::Max, max.map(BoundSource::Fixed)),
            (Bound::Min, min.map(BoundSource::Fixed)),
            (Bound::MultipleOf, multiple_of.map(BoundSource::Fixed)),
            (Bound::Max, max_from_model.as_ref().map(from_model)),
            (Bound::Min, min_from_model.as_ref().map(from_model)),
            (Bound::MultipleOf, multiple_of_from_model.as_ref().map(from_model)),
        ];
        let Some((bound, source)) = candidates.into_iter().find_map(|(bound, source)| Some((bound, source?))) else {
            unreachable!("the checker refuses a limit_when without exactly one limit that fits its field")
        };
        RuleCheck::Limit { when, field: path, measure, bound, source, message }
    }

    /// Every direct models field whose table has `requires`/`rejects` gets a rule.
    fn model_constraints(&self, o: &m::ObjectDef) -> Vec<RuleCheck> {
        let mut rules = Vec::new();
        for f in &o.fields {
            let Some(table) = f.ty.named().and_then(|n| self.index.models(n)) else {
                continue;
            };
            let models: Vec<ModelConstraintIr> = table
                .models
                .iter()
                .filter(|md| !md.requires.is_empty() || !md.rejects.is_empty())
                .map(|md| ModelConstraintIr {
                    model_id: md.id.clone(),
                    requires: md.requires.iter().map(|r| (self.field_path(o, &r.field), literal(&r.equals))).collect(),
                    rejects: md
                        .rejects
                        .iter()
                        .map(|r| (self.field_path(o, &r.field), r.values.iter().map(literal).collect()))
                        .collect(),
                })
                .collect();
            if !models.is_empty() {
                rules.push(RuleCheck::ModelConstraints { selector: self.model_selector(o, Some(&f.name)), models });
            }
        }
        rules
    }

    /// Every field with `families` in an object that selects a model gets a check that
    /// the selected model is of one of them. The first models field is the selector: an
    /// object with several would not say which model a family refers to.
    fn family_fields(&self, o: &m::ObjectDef) -> Vec<RuleCheck> {
        let Some(models_field) = o.fields.iter().find(|f| f.ty.named().and_then(|n| self.index.models(n)).is_some())
        else {
            return Vec::new();
        };
        let selector = self.model_selector(o, Some(&models_field.name));
        o.fields
            .iter()
            .filter(|f| !f.families.is_empty())
            .map(|f| RuleCheck::ModelFamily {
                selector: selector.clone(),
                field: self.field_path(o, &f.name),
                families: f.families.clone(),
            })
            .collect()
    }

    fn variants(
        &mut self,
        type_name: &str,
        prefix: Option<&String>,
        values: &[ValueDef<'_>],
        path: &str,
        list_key: &str,
        value_key: &str,
    ) -> Vec<VariantIr> {
        let prefix = prefix.cloned().unwrap_or_else(|| default_variant_prefix(type_name));
        let mut names = Vec::new();
        let mut variants = Vec::new();
        for (i, ValueDef { wire, rust_name, aliases, docs, deprecated }) in values.iter().enumerate() {
            let vpath = join_index(&join_key(path, list_key), i);
            let name = self.rust_name_override(*rust_name, variant(wire, &prefix), &vpath);
            names.push((name.clone(), wire.to_string(), join_key(&vpath, value_key)));
            // A retired name keeps the variant name it had when it was current, as a
            // constant, so code written against the older docs still compiles.
            for (j, a) in aliases.iter().enumerate().filter(|(_, a)| a.deprecated.is_some()) {
                let apath = join_key(&join_index(&join_key(&vpath, "aliases"), j), "value");
                names.push((variant(&a.value, &prefix), a.value.clone(), apath));
            }
            variants.push(VariantIr {
                rust_name: name,
                wire: wire.to_string(),
                aliases: aliases
                    .iter()
                    .map(|a| AliasIr {
                        wire: a.value.clone(),
                        const_name: variant(&a.value, &prefix),
                        deprecated: a.deprecated.clone(),
                    })
                    .collect(),
                docs: docs.cloned(),
                deprecated: deprecated.cloned(),
            });
        }
        // `Unknown` is the catch-all; a listed value may not take its name.
        names.push((RustIdent::new("Unknown"), "(catch-all for unknown values)".to_string(), path.to_string()));
        self.collisions(names, "enum values", RUST_NAME);
        variants
    }

    fn enumeration(&mut self, e: &m::EnumDef, path: &str) -> EnumIr {
        let values: Vec<_> = e
            .values
            .iter()
            .map(|v| ValueDef {
                wire: &v.value,
                rust_name: v.rust_name.as_ref(),
                aliases: &v.aliases,
                docs: v.description.as_ref(),
                deprecated: v.deprecated.as_ref(),
            })
            .collect();
        let usage = self.usage(&e.name);
        EnumIr {
            rust_name: type_name(&e.name),
            docs: e.description.clone(),
            variants: self.variants(&e.name, e.variant_prefix.as_ref(), &values, path, "values", "value"),
            has_unknown: e.open || usage.response,
            open: e.open,
            models: None,
            usage,
        }
    }

    fn models(&mut self, md: &m::ModelsDef, path: &str) -> EnumIr {
        let values: Vec<_> = md
            .models
            .iter()
            .map(|x| ValueDef {
                wire: &x.id,
                rust_name: x.rust_name.as_ref(),
                aliases: &x.aliases,
                docs: x.description.as_ref(),
                deprecated: x.deprecated.as_ref(),
            })
            .collect();
        let usage = self.usage(&md.name);
        let table = ModelTableIr {
            default: md.default.clone(),
            models: md
                .models
                .iter()
                .map(|x| ModelIr {
                    id: x.id.clone(),
                    aliases: x.aliases.iter().map(|a| a.value.clone()).collect(),
                    family: x.family.clone(),
                    deprecated: x.deprecated.clone(),
                    capabilities: x
                        .capabilities
                        .iter()
                        .map(|(k, c)| {
                            (
                                k.clone(),
                                match c {
                                    m::Capability::Limit(n) => CapabilityIr::Limit(*n),
                                    m::Capability::Values(v) => CapabilityIr::Values(v.clone()),
                                },
                            )
                        })
                        .collect(),
                })
                .collect(),
        };
        EnumIr {
            rust_name: type_name(&md.name),
            docs: md.description.clone(),
            variants: self.variants(&md.name, md.variant_prefix.as_ref(), &values, path, "models", "id"),
            has_unknown: md.open || usage.response,
            open: md.open,
            models: Some(table),
            usage,
        }
    }

    fn one_of(&mut self, o: &m::OneOfDef, path: &str) -> OneOfIr {
        let mut names = Vec::new();
        let mut variants = Vec::new();
        for (i, v) in o.variants.iter().enumerate() {
            let vpath = join_index(&join_key(path, "variants"), i);
            let rust_name = self.rust_name_override(v.rust_name.as_ref(), variant(&v.field, "V"), &vpath);
            names.push((rust_name.clone(), v.field.clone(), join_key(&vpath, "field")));
            let ty = v.ty.expr();
            let ty = self.boxed_if_recursive(&o.name, ty, self.rust_type(ty, None));
            let null_items = NullItems::for_type(&ty, self.usage(&o.name));
            variants.push(OneOfVariantIr {
                wire: v.field.clone(),
                rust_name,
                ty,
                docs: v.description.clone(),
                null_items,
            });
        }
        if o.open {
            names.push((RustIdent::new("Unknown"), "(catch-all for unknown members)".to_string(), path.to_string()));
        }
        self.collisions(names, "one_of members", RUST_NAME);
        OneOfIr {
            rust_name: type_name(&o.name),
            docs: o.description.clone(),
            variants,
            open: o.open,
            usage: self.usage(&o.name),
            holds_images: self.holds_images(&o.name),
        }
    }

    fn events(&mut self, e: &m::EventsDef, path: &str) -> EventsIr {
        let mut names = Vec::new();
        let mut variants = Vec::new();
        for (i, v) in e.variants.iter().enumerate() {
            let vpath = join_index(&join_key(path, "variants"), i);
            let rust_name = self.rust_name_override(v.rust_name.as_ref(), variant(&v.event, "E"), &vpath);
            names.push((rust_name.clone(), v.event.clone(), join_key(&vpath, "event")));
            variants.push(EventVariantIr {
                event: v.event.clone(),
                rust_name,
                data_type: match v.ty.expr() {
                    TypeExpr::Named(name) => type_name(name),
                    other => unreachable!("the checker refuses event data that is not an object type (`{other}`)"),
                },
                data_holds_images: self.holds_images(v.ty.named().unwrap_or_default()),
                docs: v.description.clone(),
                terminal: v.terminal,
            });
        }
        names.push((RustIdent::new("Unknown"), "(catch-all for unknown events)".to_string(), path.to_string()));
        self.collisions(names, "events", RUST_NAME);
        EventsIr {
            rust_name: type_name(&e.name),
            docs: e.description.clone(),
            discriminator: e.discriminator.clone(),
            variants,
        }
    }

    /// A job's poll target, status source, states, pace and hosts, as `_and_wait` runs them.
    fn job(&mut self, op: &m::Operation, job: &m::JobDef) -> JobIr {
        let answer_of = |o: &m::Operation| match o.response.json.as_ref().map(|t| t.expr()) {
            Some(TypeExpr::Named(name)) => name.clone(),
            _ => unreachable!("the checker refuses a job whose answers are not JSON objects (`{}`)", o.id),
        };
        let start = answer_of(op);
        let poll = &job.poll;
        let (poll, status_op) = match (&poll.url_field, &poll.operation) {
            (Some(url_field), None) => {
                let Some(answer) = &poll.answer else { unreachable!("the checker requires `answer` with `url_field`") };
                (JobPollIr::Url { field: self.job_field(&start, url_field), operation: op.id.clone() }, Err(answer))
            }
            (None, Some(operation)) => {
                let Some(id_field) = &poll.id_field else {
                    unreachable!("the checker requires `id_field` with `operation`")
                };
                let Some(status_op) = self.spec.operations.iter().find(|o| &o.id == operation) else {
                    unreachable!("the checker refuses an unknown status operation `{operation}`")
                };
                let params = status_op.request.as_ref().and_then(|r| r.params.as_ref());
                let id_arg = match (status_op.path_params.first(), params) {
                    (Some(param), params) => JobIdArgIr::Path {
                        integer: matches!(param.ty.expr(), TypeExpr::Integer),
                        params: params.map(|p| type_name(p)),
                    },
                    (None, Some(params)) => {
                        let Some(m::TypeDef::Object(o)) = self.index.get(params) else {
                            unreachable!("the checker keeps `request.params` to an object type (`{params}`)")
                        };
                        let Some(id) = o.fields.iter().find(|f| f.required) else {
                            unreachable!("the checker requires one required id field in `{params}`")
                        };
                        JobIdArgIr::Query {
                            params: type_name(params),
                            wire: id.name.clone(),
                            integer: matches!(id.ty.expr(), TypeExpr::Integer),
                        }
                    }
                    (None, None) => unreachable!("the checker requires a status operation to take the job's id"),
                };
                (
                    JobPollIr::Operation {
                        field: self.job_field(&start, id_field),
                        operation: operation.clone(),
                        method: snake(operation),
                        id_arg,
                    },
                    Ok(status_op),
                )
            }
            _ => unreachable!("the checker requires exactly one poll kind"),
        };
        let (status_answer, answer, status) = match (&job.status_field, status_op) {
            (Some(field), status_op) => {
                let answer = match status_op {
                    Ok(status_op) => answer_of(status_op),
                    Err(answer) => answer.clone(),
                };
                let status = JobStatusIr::Field(self.job_field(&answer, field));
                let status_type = self.rust_type(&TypeExpr::Named(answer.clone()), None);
                (type_name(&answer), AnswerIr::Json(Some(status_type)), status)
            }
            (None, Ok(status_op)) => {
                let enum_name = answer_enum_name(&status_op.id);
                let statuses = status_op
                    .response
                    .statuses
                    .iter()
                    .map(|s| JobAnswerStatusIr { name: s.name.clone(), variant: answer_variant(&s.name) })
                    .collect();
                (enum_name.clone(), AnswerIr::ByStatus(enum_name), JobStatusIr::Answer(statuses))
            }
            (None, Err(_)) => unreachable!("the checker requires `status_field` for a job polled by URL"),
        };
        // A result URL the spec names is downloaded; else the finished answer's own image
        // bodies and fields are the result (a status answered as bytes or base64 JSON).
        let answer_holds_images = match &answer {
            AnswerIr::Json(Some(t)) => t.collects_images(),
            AnswerIr::ByStatus(_) => status_op.is_ok_and(|status_op| {
                status_op.response.statuses.iter().any(|s| {
                    s.binary.is_some()
                        || s.json.as_ref().is_some_and(|t| self.rust_type(t.expr(), None).collects_images())
                })
            }),
            _ => false,
        };
        let result = match &job.result_url {
            Some(wire) => JobResultIr::Download(JobResultUrlIr {
                wire: wire.clone(),
                pointer: wire
                    .split('.')
                    .map(|step| format!("/{}", step.replace('~', "~0").replace('/', "~1")))
                    .collect(),
                method: snake(&op.id).derived("", "_download_result"),
            }),
            None if answer_holds_images => JobResultIr::InAnswer,
            None => JobResultIr::NoImage,
        };
        let m::JobStates { pending, done, failed, moderated, expired } = &job.states;
        JobIr {
            poll,
            status_answer,
            answer,
            status,
            states: JobStatesIr {
                pending: pending.clone(),
                done: done.clone(),
                failed: failed.clone(),
                moderated: moderated.clone(),
                expired: expired.clone(),
            },
            pace: JobPaceIr {
                interval_ms: job.pace.interval_ms,
                max_interval_ms: job.pace.max_interval_ms,
                backoff: job.pace.backoff,
                deadline_s: job.pace.deadline_s,
            },
            trusted_hosts: job.trusted_hosts.clone(),
            result,
        }
    }

    /// A top-level field of `holder` read by the wait loop.
    fn job_field(&self, holder: &str, wire: &str) -> JobFieldIr {
        let f = self.field(holder, wire);
        let kind = match &f.ty {
            RustType::String | RustType::Url => JobFieldKind::Text,
            RustType::I64 | RustType::U32 | RustType::U64 => JobFieldKind::Integer,
            RustType::Named(_) => JobFieldKind::Enum,
            other => unreachable!("the checker refuses a job field of type {other:?} (`{holder}.{wire}`)"),
        };
        JobFieldIr {
            wire: wire.to_string(),
            rust_name: f.rust_name.clone(),
            optional: !matches!(f.presence, Presence::Required),
            kind,
        }
    }

    fn operations(&mut self) -> Vec<OperationIr> {
        let mut names = Vec::new();
        let mut ops = Vec::new();
        for (i, op) in self.spec.operations.iter().enumerate() {
            let path = join_index("operations", i);
            let fn_name = snake(&op.id);
            names.push((fn_name.clone(), op.id.clone(), join_key(&path, "id")));
            let json_request = op.request.as_ref().and_then(|r| r.json.as_ref()).map(|n| type_name(n));
            let multipart_request = op.request.as_ref().and_then(|r| r.multipart.as_ref()).map(|n| type_name(n));
            let params_request = op.request.as_ref().and_then(|r| r.params.as_ref()).map(|n| type_name(n));
            let json_response = op.response.json.as_ref().map(|t| self.rust_type(t.expr(), None));
            let sse_response = op.response.sse.as_ref().map(|n| type_name(n));
            self.path_param_names(op, &path);
            let stream_flag = op.response.stream_flag.as_ref().map(|flag| {
                let Some(request) = op.request.as_ref().and_then(|r| r.json.as_deref()) else {
                    unreachable!("the checker refuses a stream flag on an operation without a JSON request")
                };
                StreamFlagIr { wire: flag.clone(), rust_name: self.field(request, flag).rust_name.clone() }
            });
            let binary_response = op
                .response
                .binary
                .as_ref()
                .map(|b| BinaryIr { media_types: b.media_types.clone(), docs: b.description.clone() });
            let response_headers = self.response_headers(op, &path);
            let status_answers = self.status_answers(op, &path);
            let methods = methods(MethodFacts {
                fn_name: &fn_name,
                json_request: json_request.as_ref(),
                multipart_request: multipart_request.as_ref(),
                params_request: params_request.as_ref(),
                json_response: json_response.as_ref(),
                sse_response: sse_response.as_ref(),
                binary: binary_response.is_some(),
                by_status: status_answers.as_ref().map(|s| &s.rust_name),
                stream_flag: stream_flag.is_some(),
            });
            let job = op.job.as_ref().map(|j| self.job(op, j));
            let mut methods = methods;
            if let Some(job) = &job {
                // The main call's body, the status answer when the job is done.
                let Some(call) = methods.iter().find(|m| m.role == MethodRole::Call) else {
                    unreachable!("the checker gives a job only to an operation answering one JSON object")
                };
                let body = call.body.clone();
                methods.push(MethodIr {
                    fn_name: fn_name.derived("", "_and_wait"),
                    role: MethodRole::Wait,
                    body,
                    answer: job.answer.clone(),
                    stream_flag: FlagUse::None,
                });
            }
            for m in methods.iter().filter(|m| m.fn_name != fn_name) {
                let what = match m.role {
                    MethodRole::Stream => "stream",
                    MethodRole::AlsoMultipart => "multipart",
                    MethodRole::Call => "call",
                    MethodRole::Wait => "wait",
                };
                names.push((m.fn_name.clone(), format!("{} ({what})", op.id), join_key(&path, "id")));
            }
            if let Some(download) = job.as_ref().and_then(|j| j.result.download()) {
                names.push((download.method.clone(), format!("{} (download)", op.id), join_key(&path, "id")));
            }
            ops.push(OperationIr {
                id: op.id.clone(),
                fn_name,
                summary: op.summary.clone(),
                docs: op.description.clone(),
                method: match op.method {
                    m::HttpMethod::Get => "Get",
                    m::HttpMethod::Post => "Post",
                    m::HttpMethod::Put => "Put",
                    m::HttpMethod::Patch => "Patch",
                    m::HttpMethod::Delete => "Delete",
                },
                path: op.path.clone(),
                path_params: op
                    .path_params
                    .iter()
                    .map(|p| PathParamIr {
                        name: p.name.clone(),
                        rust_name: snake(&p.name),
                        ty: self.rust_type(p.ty.expr(), None),
                        docs: p.description.clone(),
                        optional_prefix: p.optional_prefix.clone(),
                        names_model: p.name == "model"
                            || p.ty.expr().named().is_some_and(|n| self.index.models(n).is_some()),
                    })
                    .collect(),
                json_request,
                multipart_request,
                params_request,
                json_response,
                sse_response,
                binary_response,
                response_headers,
                status_answers,
                stream_flag,
                methods,
                errors: op
                    .errors
                    .iter()
                    .map(|e| ErrorStatusIr {
                        status: e.status,
                        description: e.description.clone(),
                        retryable: e.retryable,
                    })
                    .collect(),
                envelopes: self.spec.envelopes_of(op).to_vec(),
                auth: auth_schemes(&op.auth),
                job,
                usage: self.usage_paths(op),
                max_request_bytes: op.max_request_bytes(&self.spec.provider),
            });
        }
        // Client methods also include the builder helpers.
        for reserved in ["builder", "from_env", "http_client"] {
            names.push((RustIdent::new(reserved), format!("(client method `{reserved}`)"), "operations".to_string()));
        }
        self.collisions(names, "operation ids", RENAME);
        ops
    }

    /// Where an operation's answer reports token counts: its JSON answer's type and the
    /// data types of its stream's terminal events (OpenAI's `completed` event carries the
    /// usage). In each, for each kind, the first field marked with it, searching the
    /// objects breadth first (the shallowest wins; fields in their order), through object
    /// fields only: a count inside a list or a one-of has no single place in the answer.
    /// A path found in several roots is listed once.
    fn usage_paths(&self, op: &m::Operation) -> Vec<UsagePathIr> {
        let mut roots: Vec<&str> = op.response.json.iter().filter_map(|t| t.expr().named()).collect();
        if let Some(m::TypeDef::Events(events)) = op.response.sse.as_deref().and_then(|n| self.index.get(n)) {
            roots.extend(events.variants.iter().filter(|v| v.terminal).filter_map(|v| v.ty.expr().named()));
        }
        let mut out: Vec<UsagePathIr> = Vec::new();
        for root in roots {
            for found in self.usage_in(root) {
                if !out.contains(&found) {
                    out.push(found);
                }
            }
        }
        out
    }

    /// The token counts reported inside objects of type `root`, one path per kind.
    fn usage_in(&self, root: &str) -> Vec<UsagePathIr> {
        let mut found: BTreeMap<TokenKind, Vec<String>> = BTreeMap::new();
        let mut seen = BTreeSet::from([root]);
        let mut queue = std::collections::VecDeque::from([(root, Vec::new())]);
        while let Some((name, at)) = queue.pop_front() {
            let Some(o) = self.index.object(name) else { continue };
            for f in &o.fields {
                let path = [at.as_slice(), std::slice::from_ref(&f.name)].concat();
                if let Some(kind) = f.usage {
                    found.entry(token_kind(kind)).or_insert_with(|| path.clone());
                }
                // Only a field that is an object itself: `named()` also sees through lists.
                let TypeExpr::Named(next) = f.ty.expr() else { continue };
                if self.index.object(next).is_some() && seen.insert(next.as_str()) {
                    queue.push_back((next.as_str(), path));
                }
            }
        }
        found.into_iter().map(|(kind, path)| UsagePathIr { kind, path }).collect()
    }

    /// The success statuses of an operation that have bodies of their own, as an enum
    /// named after it.
    fn status_answers(&mut self, op: &m::Operation, path: &str) -> Option<StatusAnswersIr> {
        let statuses = &op.response.statuses;
        if statuses.is_empty() {
            return None;
        }
        let mut names = vec![(RustIdent::new("Other"), "(any other success status)".to_string(), path.to_string())];
        let variants = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let spath = join_index(&join_key(&join_key(path, "response"), "statuses"), i);
                let rust_name = answer_variant(&s.name);
                names.push((rust_name.clone(), s.name.clone(), join_key(&spath, "name")));
                StatusVariantIr {
                    status: s.status,
                    rust_name,
                    docs: s.description.clone(),
                    json: s.json.as_ref().map(|t| self.rust_type(t.expr(), None)),
                    binary: s.binary.is_some(),
                }
            })
            .collect();
        self.collisions(names, "answer names", RENAME);
        let mut accept: Vec<String> = Vec::new();
        for media in statuses.iter().filter_map(|s| s.binary.as_ref()).flat_map(|b| &b.media_types) {
            if !accept.contains(media) {
                accept.push(media.clone());
            }
        }
        if statuses.iter().any(|s| s.json.is_some()) {
            accept.push("application/json".to_string());
        }
        Some(StatusAnswersIr { rust_name: answer_enum_name(&op.id), variants, accept: accept.join(", ") })
    }

    /// The typed headers of an operation's response, as a struct named after it.
    fn response_headers(&mut self, op: &m::Operation, path: &str) -> Option<HeadersIr> {
        let headers = &op.response.headers;
        if headers.is_empty() {
            return None;
        }
        let mut names = Vec::new();
        let fields = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let hpath = join_index(&join_key(&join_key(path, "response"), "headers"), i);
                let rust_name = self.rust_name_override(h.rust_name.as_ref(), naming::field(&h.name), &hpath);
                names.push((rust_name.clone(), h.name.clone(), join_key(&hpath, "name")));
                HeaderFieldIr {
                    name: h.name.clone(),
                    rust_name,
                    ty: self.rust_type(h.ty.expr(), None),
                    docs: h.description.clone(),
                }
            })
            .collect();
        self.collisions(names, "response headers", RUST_NAME);
        Some(HeadersIr { rust_name: naming::type_name(&format!("{}_headers", op.id)), fields })
    }

    /// Path parameters become arguments of the client method and variables of its
    /// dispatch arm, so each needs a Rust name of its own that the generated code does
    /// not already use. Placeholders never reach the wire, so renaming one is free.
    fn path_param_names(&mut self, op: &m::Operation, path: &str) {
        let mut names = Vec::new();
        for (i, p) in op.path_params.iter().enumerate() {
            let ppath = join_key(&join_index(&join_key(path, "path_params"), i), "name");
            let rust = snake(&p.name);
            if naming::OPERATION_LOCALS.contains(&rust.as_str()) {
                self.r.error(
                    &ppath,
                    format!(
                        "path parameter `{}` is named like a variable of the generated method; \
                         rename the placeholder (for example `{{{}_id}}`) in `path` and here",
                        p.name, p.name
                    ),
                );
            }
            names.push((rust, p.name.clone(), ppath));
        }
        self.collisions(names, "path parameters", PLACEHOLDERS);
    }

    /// The size of the smallest image a multipart example's file field accepts, when the
    /// field has `image_limits`.
    fn example_image_size(&self, op: Option<&m::Operation>, field: &str) -> Option<(u64, u64)> {
        let form = op?.request.as_ref()?.multipart.as_ref()?;
        let Some(m::TypeDef::Object(form)) = self.index.get(form) else { return None };
        let file = form.fields.iter().find(|f| f.name == field || f.part_names.iter().any(|p| p == field))?;
        file.image_limits.as_ref()?.example_size()
    }

    fn examples(&mut self) -> Vec<ExampleIr> {
        let mut names = Vec::new();
        let mut out = Vec::new();
        for (i, ex) in self.spec.examples.iter().enumerate() {
            let test_name = snake(&ex.name);
            names.push((test_name.clone(), ex.name.clone(), join_key(&join_index("examples", i), "name")));
            let op = self.spec.operations.iter().find(|o| o.id == ex.operation);
            let rust_type = match ex.kind {
                m::ExampleKind::Request => op
                    .and_then(|o| o.request.as_ref())
                    .and_then(|r| r.json.as_ref().or(r.params.as_ref()))
                    .map(|n| RustType::Named(self.named_ref(n))),
                m::ExampleKind::Response => {
                    op.and_then(|o| o.response_json(ex.status)).map(|t| self.rust_type(t.expr(), None))
                }
                m::ExampleKind::Error => None,
            };
            out.push(ExampleIr {
                name: ex.name.clone(),
                test_name,
                operation: ex.operation.clone(),
                kind: match ex.kind {
                    m::ExampleKind::Request => ExampleKind::Request,
                    m::ExampleKind::Response => ExampleKind::Response,
                    m::ExampleKind::Error => ExampleKind::Error,
                },
                status: ex.status,
                rust_type,
                placeholders: ex.placeholders.clone(),
                amended: ex.amended.iter().map(|a| (a.path.clone(), a.reason.clone())).collect(),
                multipart_form: op
                    .and_then(|o| o.request.as_ref())
                    .filter(|r| r.json.is_none() && ex.kind == m::ExampleKind::Request)
                    .and_then(|r| r.multipart.as_ref())
                    .map(|n| type_name(n)),
                files: ex
                    .files
                    .iter()
                    .map(|(field, file_name)| ExampleFile {
                        field: field.clone(),
                        file_name: file_name.clone(),
                        image_size: self.example_image_size(op, field),
                    })
                    .collect(),
                body: ex.body.clone(),
            });
        }
        self.collisions(names, "example names", RENAME);
        out
    }
}

/// What decides an operation's methods.
struct MethodFacts<'f> {
    fn_name: &'f RustIdent,
    json_request: Option<&'f RustIdent>,
    multipart_request: Option<&'f RustIdent>,
    params_request: Option<&'f RustIdent>,
    json_response: Option<&'f RustType>,
    sse_response: Option<&'f RustIdent>,
    binary: bool,
    by_status: Option<&'f RustIdent>,
    stream_flag: bool,
}

/// The client methods of an operation: the only place they are decided.
///
/// - The main call sends the JSON body (or none, or the form of a form-only
///   operation, or the parameters of one without a body) and returns the JSON answer;
///   an operation that only streams has none.
/// - A streamed answer gets its own method: `_stream` beside a JSON answer, else the
///   operation's name. With a stream flag it takes the request by value and sets the
///   flag, and the main call refuses a request with the flag set.
/// - A form beside a JSON body is a second method, `_multipart`.
fn methods(facts: MethodFacts<'_>) -> Vec<MethodIr> {
    let MethodFacts {
        fn_name,
        json_request,
        multipart_request,
        params_request,
        json_response,
        sse_response,
        binary,
        by_status,
        stream_flag,
    } = facts;
    let form_only = json_request.is_none() && multipart_request.is_some();
    let answers_json = json_response.is_some() || sse_response.is_none();
    // One answer read whole: JSON, raw bytes, or either as the content type says.
    let single_answer = match (json_response, binary, by_status) {
        (_, _, Some(answers)) => AnswerIr::ByStatus(answers.clone()),
        (Some(response), true, None) => AnswerIr::JsonOrBinary(response.clone()),
        (None, true, None) => AnswerIr::Binary,
        (response, false, None) => AnswerIr::Json(response.cloned()),
    };
    // Without a JSON body: the operation's parameters, when it has some, else nothing.
    let no_body = || params_request.map_or(BodyIr::None, |t| BodyIr::Params { rust_name: t.clone() });
    let json_body = |by_value| json_request.map_or_else(no_body, |t| BodyIr::Json { rust_name: t.clone(), by_value });
    let form_body = |t: &RustIdent| BodyIr::Form { rust_name: t.clone() };
    let mut methods = Vec::new();
    if answers_json {
        methods.push(MethodIr {
            fn_name: fn_name.clone(),
            role: MethodRole::Call,
            body: match multipart_request.filter(|_| form_only) {
                Some(form) => form_body(form),
                None => json_body(false),
            },
            answer: single_answer.clone(),
            stream_flag: if stream_flag { FlagUse::Refuse } else { FlagUse::None },
        });
    }
    if let Some(events) = sse_response {
        methods.push(MethodIr {
            fn_name: if json_response.is_some() { fn_name.derived("", "_stream") } else { fn_name.clone() },
            role: MethodRole::Stream,
            body: match multipart_request.filter(|_| form_only) {
                Some(form) => form_body(form),
                None => json_body(stream_flag),
            },
            answer: match json_response {
                Some(response) => AnswerIr::EventsOrJson { events: events.clone(), response: response.clone() },
                None => AnswerIr::Events(events.clone()),
            },
            stream_flag: if stream_flag { FlagUse::Set } else { FlagUse::None },
        });
    }
    if let Some(form) = multipart_request.filter(|_| !form_only) {
        methods.push(MethodIr {
            fn_name: fn_name.derived("", "_multipart"),
            role: MethodRole::AlsoMultipart,
            body: form_body(form),
            answer: single_answer,
            stream_flag: FlagUse::None,
        });
    }
    methods
}

fn describe_condition(c: &m::Condition) -> String {
    let joined = |list: &[m::Condition], word: &str| {
        let parts: Vec<String> = list.iter().map(describe_condition).collect();
        parts.join(word)
    };
    if !c.any_of.is_empty() {
        return joined(&c.any_of, " or ");
    }
    if !c.all_of.is_empty() {
        return joined(&c.all_of, " and ");
    }
    if let Some(inner) = &c.not {
        return format!("not ({})", describe_condition(inner));
    }
    let field = c.field.as_deref().unwrap_or_default();
    if let Some(v) = &c.equals {
        return format!("`{field}` is {}", show(v));
    }
    if !c.one_of.is_empty() {
        let values: Vec<String> = c.one_of.iter().map(show).collect();
        return format!("`{field}` is one of {}", values.join(", "));
    }
    if let Some(family) = &c.family {
        return format!("`{field}` is a {family} model");
    }
    match c.present {
        Some(false) => format!("`{field}` is absent"),
        _ => format!("`{field}` is set"),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

/// The enum an operation with `response.statuses` answers with (`<Operation>Answer`):
/// named here once for the operation and for a job polled through it.
fn answer_enum_name(op_id: &str) -> RustIdent {
    naming::type_name(&format!("{op_id}_answer"))
}

/// A documented success status's variant of that enum.
fn answer_variant(status_name: &str) -> RustIdent {
    variant(status_name, "S")
}
