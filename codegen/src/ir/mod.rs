//! The resolved, Rust-shaped model of one provider.
//!
//! Lowering decides every Rust name once, resolves type expressions, works out
//! which types travel in requests (validated, strict) and which in responses
//! (tolerant), and turns rules into accessors the emitters can print. The IR
//! holds no YAML and emitters read nothing else.

mod lower;
pub mod naming;

pub use lower::lower;
pub use naming::RustIdent;

use serde_json::Value;

/// One provider, ready to emit.
#[derive(Debug, Clone)]
pub struct Api {
    /// Spec file, relative to the workspace, for the `@generated` header.
    pub source: String,
    /// Every file the spec was read from: the spec, then the shared files it imports
    /// (what a build script reruns on).
    pub inputs: Vec<std::path::PathBuf>,
    /// Provider facts.
    pub provider: ProviderIr,
    /// Types in spec order.
    pub types: Vec<TypeIr>,
    /// Operations in spec order.
    pub operations: Vec<OperationIr>,
    /// Doc examples.
    pub examples: Vec<ExampleIr>,
}

impl Api {
    /// The struct whose Rust name is `name`.
    pub fn struct_named(&self, name: &str) -> Option<&StructIr> {
        self.types.iter().find_map(|t| match t {
            TypeIr::Struct(s) if s.rust_name == name => Some(s),
            _ => None,
        })
    }

    /// The string enum whose Rust name is `name`.
    pub fn enum_named(&self, name: &str) -> Option<&EnumIr> {
        self.types.iter().find_map(|t| match t {
            TypeIr::Enum(e) if e.rust_name == name => Some(e),
            _ => None,
        })
    }

    /// A reference to the struct whose Rust name is `name`, as a field would hold it.
    pub fn struct_ref(&self, name: &str) -> Option<RustType> {
        let s = self.struct_named(name)?;
        Some(RustType::Named(NamedRef {
            rust_name: s.rust_name.clone(),
            kind: NamedKind::Struct,
            boxed: false,
            holds_images: s.holds_images,
        }))
    }

    /// The one_of whose Rust name is `name`.
    pub fn one_of_named(&self, name: &str) -> Option<&OneOfIr> {
        self.types.iter().find_map(|t| match t {
            TypeIr::OneOf(o) if o.rust_name == name => Some(o),
            _ => None,
        })
    }
}

/// Provider facts with Rust names.
#[derive(Debug, Clone)]
pub struct ProviderIr {
    /// Module and feature name.
    pub module: RustIdent,
    /// Spec name.
    pub name: String,
    /// Human name.
    pub title: String,
    /// Documentation.
    pub description: Option<String>,
    /// Docs URL.
    pub docs_url: Option<String>,
    /// Docs version transcribed.
    pub docs_version: String,
    /// Default base URL.
    pub base_url: String,
    /// API key environment variable.
    pub api_key_env: String,
    /// Base URL environment variable (`naming::base_url_env`).
    pub base_url_env: String,
    /// Auth schemes, the default first.
    pub auth: Vec<AuthIr>,
    /// Every error envelope the spec declares, in spec order.
    pub envelopes: Vec<EnvelopeIr>,
    /// The names of the envelopes the provider's operations answer with, in order.
    pub default_envelopes: Vec<String>,
    /// Request headers the provider documents for every call, set once per client.
    pub headers: Vec<ProviderHeaderIr>,
    /// How documentation examples name the module's crate (`imagegen`), set by the
    /// caller that knows where the module will live; `None` emits no examples.
    pub doc_crate: Option<String>,
    /// The Cargo feature behind which the module offers a mock server
    /// (`testing.rs`), set by the caller that knows the crate declares it; `None`
    /// emits none, so crates without the feature see no unknown `cfg`.
    pub testing_feature: Option<String>,
}

/// How the API key is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthIr {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key alone in this header (`x-api-key`).
    Header(String),
    /// The key as this query parameter (`?key=`).
    Query(String),
}

/// A request header the provider documents for every call (`OpenAI-Organization`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderHeaderIr {
    /// The header name as the docs spell it.
    pub name: String,
    /// Rust name of its setter on the client builder (`openai_organization`).
    pub rust_name: RustIdent,
    /// Documentation.
    pub docs: Option<String>,
    /// The value is a credential, redacted wherever the client shows it.
    pub secret: bool,
    /// Environment variable read when the client sets no value.
    pub env: Option<String>,
}

/// An error envelope, as the runtime's generic reader is told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvelopeIr {
    /// Spec name (`google`).
    pub name: String,
    /// The Rust name of its constant in the provider's `envelopes` module (`GOOGLE`).
    pub const_name: RustIdent,
    /// Documentation.
    pub docs: Option<String>,
    /// The Rust name of the body's struct.
    pub body: RustIdent,
    /// The wire names of the body's top-level fields.
    pub body_keys: Vec<String>,
    /// Tests that must all hold for a body to be this envelope.
    pub when: Vec<EnvelopeTestIr>,
    /// Paths of the message, in order.
    pub message: Vec<FieldPathIr>,
    /// Paths of the code.
    pub code: Vec<FieldPathIr>,
    /// Paths of the error type.
    pub error_type: Vec<FieldPathIr>,
    /// Paths of the status the body repeats.
    pub status: Vec<FieldPathIr>,
    /// Paths of the parameter named.
    pub param: Vec<FieldPathIr>,
    /// Paths of the body's retry verdict.
    pub retryable: Vec<FieldPathIr>,
    /// Where the retry delay is, and how it is written.
    pub retry_delay: Option<(FieldPathIr, DelayFormatIr)>,
    /// Retry rules by code or message, in order.
    pub retry: Vec<RetryRuleIr>,
}

/// A field path into an error body, as steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPathIr {
    /// The path as the spec writes it (for docs and the diff).
    pub text: String,
    /// Its steps.
    pub steps: Vec<PathStepIr>,
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStepIr {
    /// An object's member.
    Key(String),
    /// An array's item by index.
    Index(usize),
    /// The first array item whose string field equals the text.
    ItemWhere {
        /// The item's field.
        field: String,
        /// The text.
        value: String,
    },
    /// The first array item whose string field ends with the text.
    ItemEndingWith {
        /// The item's field.
        field: String,
        /// The suffix.
        suffix: String,
    },
}

/// A test recognising an envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvelopeTestIr {
    /// Where the value is.
    pub path: FieldPathIr,
    /// What it must be.
    pub test: TestIr,
}

/// What a recognising test asks of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum TestIr {
    /// Present and not `null`.
    Present,
    /// Equal to this scalar.
    Equals(Literal),
    /// Of this JSON kind: `object`, `array`, `string`, `number` or `boolean`.
    Is(&'static str),
}

/// How a retry delay is written: the `runtime::DelayFormat` variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayFormatIr {
    /// `"34.4s"` or `{seconds, nanos}`.
    Duration,
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
}

/// A retry rule of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryRuleIr {
    /// The status it applies to; any when `None`.
    pub status: Option<u16>,
    /// The code it matches.
    pub code: Option<String>,
    /// Text the message must contain (ASCII case ignored).
    pub message_contains: Option<String>,
    /// Whether such errors are retried.
    pub retry: bool,
    /// Why, from the docs.
    pub docs: Option<String>,
}

/// A documented error status of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorStatusIr {
    /// HTTP status.
    pub status: u16,
    /// What the docs say it means.
    pub description: String,
    /// The docs' verdict on sending it again: `Some(true)` retried, `Some(false)`
    /// never retried, `None` the default for the status.
    pub retryable: Option<bool>,
}

/// What a doc example shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleKind {
    /// A request body.
    Request,
    /// A success response body.
    Response,
    /// An error response body.
    Error,
}

/// A resolved Rust type of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum RustType {
    /// `String`.
    String,
    /// `i64`.
    I64,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `f64`.
    F64,
    /// `bool`.
    Bool,
    /// `serde_json::Value`.
    Json,
    /// `runtime::Base64Data`.
    Base64,
    /// `String` checked as a URL.
    Url,
    /// `String` checked as a data URL.
    DataUrl,
    /// `runtime::FilePart`.
    File,
    /// A generated type.
    Named(NamedRef),
    /// `Vec<T>`.
    Vec(Box<RustType>),
    /// `BTreeMap<String, T>`.
    Map(Box<RustType>),
    /// `runtime::OneOrMany<T>`.
    OneOrMany(Box<RustType>),
}

impl RustType {
    /// Whether values are a list or map (one or many, at any depth) whose items cannot
    /// themselves be `null`: `serde_json::Value` items (`any`) hold `null` as a value.
    pub fn has_droppable_items(&self) -> bool {
        match self {
            RustType::Vec(inner) | RustType::Map(inner) | RustType::OneOrMany(inner) => **inner != RustType::Json,
            _ => false,
        }
    }

    /// Whether values are a generated struct or one-of that can carry an image, and so
    /// implement `CollectImages` (emitted for such response types).
    pub fn collects_images(&self) -> bool {
        matches!(self, RustType::Named(n) if n.holds_images && matches!(n.kind, NamedKind::Struct | NamedKind::OneOf))
    }
}

/// A reference to a generated type.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRef {
    /// Rust name.
    pub rust_name: RustIdent,
    /// What sort of type it is.
    pub kind: NamedKind,
    /// Held as `Box<T>`: the field or member closes a cycle of types that hold each
    /// other inline (not behind a `Vec` or map), which Rust could not size otherwise.
    pub boxed: bool,
    /// Values can carry an image (base64) somewhere inside (`SpecIndex::holds_images`).
    pub holds_images: bool,
}

/// Sorts of generated types, as far as fields care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    /// A struct.
    Struct,
    /// A string enum (or model table).
    Enum {
        /// Whether it has a catch-all variant.
        has_unknown: bool,
        /// Whether requests may send unlisted values.
        open: bool,
    },
    /// A one-of enum.
    OneOf,
    /// A stream event set.
    Events,
}

/// A generated type.
#[derive(Debug, Clone)]
pub enum TypeIr {
    /// A struct.
    Struct(StructIr),
    /// A string enum, possibly with a model table.
    Enum(EnumIr),
    /// An exactly-one-of enum.
    OneOf(OneOfIr),
    /// Stream events.
    Events(EventsIr),
}

impl TypeIr {
    /// The type's Rust name.
    pub fn rust_name(&self) -> &str {
        match self {
            TypeIr::Struct(s) => &s.rust_name,
            TypeIr::Enum(e) => &e.rust_name,
            TypeIr::OneOf(o) => &o.rust_name,
            TypeIr::Events(e) => &e.rust_name,
        }
    }
}

/// Which sides of an exchange a type travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Reachable from a request body.
    pub request: bool,
    /// Reachable from a response body or stream.
    pub response: bool,
}

/// A struct.
#[derive(Debug, Clone)]
pub struct StructIr {
    /// Rust name.
    pub rust_name: RustIdent,
    /// Documentation.
    pub docs: Option<String>,
    /// Deprecation note.
    pub deprecated: Option<String>,
    /// Fields in wire order.
    pub fields: Vec<FieldIr>,
    /// Cross-field rules.
    pub rules: Vec<RuleIr>,
    /// Where it travels.
    pub usage: Usage,
    /// Whether it is sent as a multipart form.
    pub multipart: bool,
    /// Whether it is the request of an operation that sends no body (`request.params`):
    /// every field travels in the query or a header, and so do its extra fields.
    pub params_only: bool,
    /// Set when the struct is one inline image (base64 data beside its MIME type):
    /// `from_path`/`from_bytes` constructors are emitted for it.
    pub inline_image: Option<InlineImageIr>,
    /// Values can carry an image somewhere inside: a response-side struct then
    /// implements `CollectImages` and has `images()`.
    pub holds_images: bool,
    /// Named constructors beside `new` (request-side structs only): the spec's
    /// `constructors`, then one per member when the only required field is a one-of.
    pub constructors: Vec<ConstructorIr>,
}

/// A named constructor of a request-side struct (`Content::user(parts)`, `Part::text("a cat")`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstructorIr {
    /// Function name.
    pub fn_name: RustIdent,
    /// Documentation.
    pub docs: String,
    /// What it takes and sets.
    pub kind: ConstructorKind,
}

/// How a named constructor fills the struct.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstructorKind {
    /// Declared in the spec: these fields are arguments, in order, those are fixed;
    /// every other field starts unset (the checker saw that no required one is left).
    Declared {
        /// Rust names of the fields taken as arguments.
        args: Vec<RustIdent>,
        /// Rust names of the fields given fixed values, with the values.
        set: Vec<(RustIdent, FixedValue)>,
    },
    /// The struct's only required field is a one-of: the argument becomes one member
    /// (`Part::text("a cat")` is `Part::new(PartData::Text("a cat".into()))`).
    Member {
        /// The one-of type.
        one_of: RustIdent,
        /// The member's variant.
        variant: RustIdent,
        /// The member's type (the argument's).
        ty: RustType,
    },
}

/// A value a declared constructor fixes, already in the field's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum FixedValue {
    /// A variant of the field's enum.
    Variant {
        /// The enum.
        rust_enum: RustIdent,
        /// The variant.
        variant: RustIdent,
    },
    /// A string, number or boolean, as the field's Rust type holds it.
    Scalar(Value),
}

impl StructIr {
    /// The fields sent outside the body (in the query or headers), in spec order.
    pub fn params(&self) -> impl Iterator<Item = &FieldIr> {
        self.fields.iter().filter(|f| f.location != Location::Body)
    }

    /// Whether users build values of it (a request body, a form or part of one): it
    /// then gets constructors, setters and `validate()`, and its changes are judged
    /// by what breaks code that builds it.
    pub fn is_request_side(&self) -> bool {
        self.usage.request || self.multipart
    }
}

/// A request-side struct that holds exactly one image inline: one base64 field, one
/// MIME-type field (wire name `mimeType`, `mime_type` or `mediaType`), and nothing
/// else that must be set, so a file or bytes alone can build it.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineImageIr {
    /// Rust name of the base64 field.
    pub data: RustIdent,
    /// Whether the base64 field is held bare (`Presence::Required`) or in an `Option`.
    pub data_bare: bool,
    /// Rust name of the MIME-type field.
    pub mime_type: RustIdent,
    /// Whether the MIME-type field is held bare or in an `Option`.
    pub mime_type_bare: bool,
    /// How the MIME type is held.
    pub mime_kind: MimeTypeKind,
}

/// The type of an inline image's MIME-type field.
#[derive(Debug, Clone, PartialEq)]
pub enum MimeTypeKind {
    /// A `String`: any detected type is sent.
    Text,
    /// A string enum, parsed with `from_wire`.
    Enum {
        /// Rust name of the enum.
        rust_name: RustIdent,
        /// The enum keeps unknown values but requests may not send them: a detected
        /// type it does not list is refused when the value is built, not at validation.
        refuse_unknown: bool,
    },
}

/// How a field is held in Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Required and always present: `T`.
    Required,
    /// Optional: `Option<T>`.
    Optional,
    /// Required by the docs but tolerated missing in responses: `Option<T>`
    /// checked by `validate()` and demanded by the constructor.
    RequiredTolerant,
    /// A required array or map in responses: `Vec<T>`, empty when missing.
    DefaultEmpty,
    /// `null` is a value of its own (`nullable: true`): `runtime::Nullable<T>`, absent,
    /// `null` or a value. `required` says the docs require the key (as `null` or a
    /// value): `validate()` then reports it absent, and responses tolerate it missing.
    Nullable {
        /// Whether the docs require the key.
        required: bool,
    },
}

/// A field.
#[derive(Debug, Clone)]
pub struct FieldIr {
    /// Wire name.
    pub wire_name: String,
    /// Rust name.
    pub rust_name: RustIdent,
    /// Rust type (without the `Option`).
    pub ty: RustType,
    /// How presence is represented.
    pub presence: Presence,
    /// Documented default.
    pub default: Option<Value>,
    /// Defaults that depend on the rest of the request, in order; `default` applies
    /// when none holds. Conditions are relative to the struct that holds the field.
    pub default_when: Vec<DefaultWhenIr>,
    /// Documentation.
    pub docs: Option<String>,
    /// Deprecation note.
    pub deprecated: Option<String>,
    /// Model families it applies to.
    pub families: Vec<String>,
    /// Value constraints.
    pub constraints: Constraints,
    /// Merged into the parent object.
    pub flatten: bool,
    /// Multipart part names; the first is sent.
    pub part_names: Vec<String>,
    /// Wire name of the sibling whose images this field repeats: `images()` reads
    /// this field only when that one yields none.
    pub repeats_images_of: Option<String>,
    /// Where the field travels: the body, the query or a header.
    pub location: Location,
    /// The token count this field of an answer reports, for the call's tracing span.
    pub usage: Option<TokenKind>,
    /// A secret: `Debug` redacts it and the client scrubs its value from what a call shows.
    pub secret: bool,
    /// `null` items inside its lists and maps are left out when read (see [`NullItems`]).
    pub null_items: NullItems,
}

/// What reading a list or map does with a `null` item (a `null` value of a map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullItems {
    /// Read as the item's type reads `null`: refused, as any value of the wrong type
    /// (requests are built by our caller), except items of type `any`, which hold it.
    /// Also for a field or member with no list or map, which has nothing to decide.
    Refused,
    /// Left out: a list keeps the other items in order, a map drops that key. For the
    /// lists and maps of response types (at any depth: `Vec<Vec<T>>`, `Option<Vec<T>>`),
    /// since a server that sends `[null, {"b64_json": ...}]` has still sent the image
    /// the user paid for. Items of type `any` are never dropped: there `null` is a value.
    Dropped,
}

impl NullItems {
    /// How a field or member of type `ty` of a type used on `usage` reads `null` items.
    pub fn for_type(ty: &RustType, usage: Usage) -> NullItems {
        if usage.response && ty.has_droppable_items() {
            NullItems::Dropped
        } else {
            NullItems::Refused
        }
    }
}

/// A kind of token count an answer reports (a field's `usage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// `gen_ai.usage.input_tokens`.
    Input,
    /// `gen_ai.usage.output_tokens`.
    Output,
}

/// Where an operation's JSON answer reports one kind of token count.
#[derive(Debug, Clone, PartialEq)]
pub struct UsagePathIr {
    /// Which count.
    pub kind: TokenKind,
    /// Wire names from the answer's root to the field.
    pub path: Vec<String>,
}

/// Where a field of a request travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the body (a JSON key, a form field); every field of a response.
    Body,
    /// A query parameter, a list written as `style` says.
    Query(QueryStyle),
    /// A request header.
    Header,
}

/// How a list travels as a query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// The key repeated (`?tag=a&tag=b`).
    Repeat,
    /// One comma-separated value (`?tag=a,b`).
    Comma,
}

/// A default that applies when a condition on the request holds.
#[derive(Debug, Clone)]
pub struct DefaultWhenIr {
    /// When it applies.
    pub when: ConditionIr,
    /// The default then.
    pub value: Value,
    /// The condition as the docs would say it (`` `background` is set ``).
    pub description: String,
}

/// Value constraints of a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Inclusive numeric minimum.
    pub min: Option<f64>,
    /// Inclusive numeric maximum.
    pub max: Option<f64>,
    /// Minimum items.
    pub min_items: Option<u64>,
    /// Maximum items.
    pub max_items: Option<u64>,
    /// Minimum characters.
    pub min_length: Option<u64>,
    /// Maximum characters.
    pub max_length: Option<u64>,
    /// URL schemes.
    pub schemes: Vec<String>,
    /// URL (or base64 string) field also accepting data URLs.
    pub allow_data_url: bool,
    /// A string holding base64 text.
    pub base64_text: bool,
    /// MIME types for data URLs.
    pub mime_types: Vec<String>,
    /// A regular expression the string must match (searched, as JSON Schema's).
    pub pattern: Option<String>,
    /// A step the number must be a whole multiple of.
    pub multiple_of: Option<f64>,
    /// The narrowest and widest `W:H` aspect ratios a string may name, as written.
    pub aspect_ratio: Option<(String, String)>,
    /// The width and height an uploaded file's image must have.
    pub image_limits: Option<ImageLimitsIr>,
}

/// Limits on an uploaded image's width and height, in pixels, inclusive; at least one is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageLimitsIr {
    /// Every side at least.
    pub min_side: Option<u64>,
    /// Every side at most.
    pub max_side: Option<u64>,
    /// Width × height at least.
    pub min_pixels: Option<u64>,
    /// Width × height at most.
    pub max_pixels: Option<u64>,
    /// The narrowest and widest `W:H` ratios, as written.
    pub aspect_ratio: Option<(String, String)>,
}

impl ImageLimitsIr {
    /// The limits in words, as the field's documentation shows them (`every side at least
    /// 64 pixels; in total 4,096 to 9,437,184 pixels; aspect ratio 1:2.5 to 2.5:1`).
    pub fn describe(&self) -> String {
        let ImageLimitsIr { min_side, max_side, min_pixels, max_pixels, aspect_ratio } = self;
        let range = |what: &str, min: &Option<u64>, max: &Option<u64>| match (min.map(grouped), max.map(grouped)) {
            (Some(min), Some(max)) => Some(format!("{what} {min} to {max} pixels")),
            (Some(min), None) => Some(format!("{what} at least {min} pixels")),
            (None, Some(max)) => Some(format!("{what} at most {max} pixels")),
            (None, None) => None,
        };
        let parts = [
            range("every side", min_side, max_side),
            range("in total", min_pixels, max_pixels),
            aspect_ratio.as_ref().map(|(min, max)| format!("aspect ratio {min} to {max}")),
        ];
        parts.into_iter().flatten().collect::<Vec<_>>().join("; ")
    }
}

/// `9437184` as `9,437,184`, the way docs write pixel counts.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// One step of a field path in a rule.
#[derive(Debug, Clone)]
pub struct AccessStep {
    /// Rust field name.
    pub rust_name: RustIdent,
    /// Wire name.
    pub wire_name: String,
    /// How the field is held.
    pub presence: Presence,
}

/// A field path in a rule: Rust steps plus the wire path for messages.
#[derive(Debug, Clone)]
pub struct FieldPath {
    /// Steps from the struct.
    pub steps: Vec<AccessStep>,
    /// Dotted wire path.
    pub wire: String,
    /// Type of the final field.
    pub ty: RustType,
}

/// A literal a rule compares against.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// String or enum value.
    Str(String),
    /// Boolean.
    Bool(bool),
    /// Number.
    Num(f64),
}

/// A lowered condition.
#[derive(Debug, Clone)]
pub enum ConditionIr {
    /// Field equals one of the literals.
    OneOf(FieldPath, Vec<Literal>),
    /// Field present or absent.
    Present(FieldPath, bool),
    /// The selected model has this family.
    Family(ModelSelector, String),
    /// At least one holds (never empty).
    AnyOf(Vec<ConditionIr>),
    /// Every one holds (never empty).
    AllOf(Vec<ConditionIr>),
    /// The condition does not hold.
    Not(Box<ConditionIr>),
    /// Always holds.
    Always,
}

/// How to find the selected model of a request.
#[derive(Debug, Clone)]
pub struct ModelSelector {
    /// The models field.
    pub field: FieldPath,
    /// Rust name of the models enum.
    pub enum_name: RustIdent,
    /// The model when the field is unset, when it depends on the request (the field's
    /// `default_when`): read through the field's `<field>_or_default()`, with the
    /// field's plain default when an enclosing object is absent. `None`: the model
    /// table's default.
    pub conditional_default: Option<SelectorDefault>,
}

/// A selector's default model that depends on the request.
#[derive(Debug, Clone)]
pub struct SelectorDefault {
    /// `<field>_or_default`, on the struct that holds the models field.
    pub accessor: RustIdent,
    /// The model id when no condition can be read (an enclosing object is absent).
    pub fallback: String,
}

/// How strongly a rule applies, decided once from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A broken rule makes the request invalid: nothing is sent.
    Error,
    /// A broken rule is reported as a warning and the request is sent.
    Warning,
}

/// A lowered rule: what it checks and how strongly.
#[derive(Debug, Clone)]
pub struct RuleIr {
    /// Error or warning.
    pub severity: Severity,
    /// What is checked.
    pub check: RuleCheck,
}

/// What a lowered rule checks.
#[derive(Debug, Clone)]
pub enum RuleCheck {
    /// When the condition holds, the field must be present (and equal the literal).
    Requires {
        /// Condition.
        when: ConditionIr,
        /// Field.
        field: FieldPath,
        /// Required value.
        equals: Option<Literal>,
        /// Message.
        message: String,
    },
    /// When the condition holds, the field must be absent or not one of the values.
    Forbids {
        /// Condition.
        when: ConditionIr,
        /// Field.
        field: FieldPath,
        /// Forbidden values; empty means any.
        values: Vec<Literal>,
        /// Message.
        message: String,
    },
    /// The field may be set only when the condition holds.
    OnlyWith {
        /// Field.
        field: FieldPath,
        /// Condition.
        with: ConditionIr,
        /// Message.
        message: String,
    },
    /// An array's maximum length, fixed or from the selected model.
    LimitItems {
        /// Condition.
        when: ConditionIr,
        /// Array field.
        field: FieldPath,
        /// Where the limit comes from.
        limit: LimitSource,
        /// Message.
        message: String,
    },
    /// A field's allowed values, fixed or from the selected model.
    AllowedValues {
        /// Condition.
        when: ConditionIr,
        /// Field.
        field: FieldPath,
        /// Where the values come from.
        values: ValuesSource,
        /// Message.
        message: String,
    },
    /// A bound of a number, a string's length or an array's item count (other than
    /// the maximum item count, which is `LimitItems`), fixed or from the selected model.
    Limit {
        /// Condition.
        when: ConditionIr,
        /// The field.
        field: FieldPath,
        /// What is measured: decided from the field's type.
        measure: Measure,
        /// Which bound.
        bound: Bound,
        /// Where the bound comes from.
        source: BoundSource,
        /// Message.
        message: String,
    },
    /// The product of numeric fields within bounds, checked when every one is set.
    Product {
        /// Condition.
        when: ConditionIr,
        /// The numeric fields multiplied, at least two.
        fields: Vec<FieldPath>,
        /// Inclusive minimum of the product.
        min: Option<f64>,
        /// Inclusive maximum of the product.
        max: Option<f64>,
        /// Message (may be empty).
        message: String,
    },
    /// Exactly one of the fields is present.
    ExactlyOneOf {
        /// Fields.
        fields: Vec<FieldPath>,
        /// Message.
        message: String,
    },
    /// Per-model requirements and rejections from the model table.
    ModelConstraints {
        /// The models field.
        selector: ModelSelector,
        /// One entry per model that constrains something.
        models: Vec<ModelConstraintIr>,
    },
    /// A field that applies to some model families only (`families: [gpt]`), set
    /// with a model of another family.
    ModelFamily {
        /// The models field.
        selector: ModelSelector,
        /// The field.
        field: FieldPath,
        /// The families it applies to.
        families: Vec<String>,
    },
}

/// What one model requires and rejects.
#[derive(Debug, Clone)]
pub struct ModelConstraintIr {
    /// Model id.
    pub model_id: String,
    /// Fields that must equal values.
    pub requires: Vec<(FieldPath, Literal)>,
    /// Fields that must not hold values.
    pub rejects: Vec<(FieldPath, Vec<Literal>)>,
}

/// A limit's source.
#[derive(Debug, Clone)]
pub enum LimitSource {
    /// A fixed number.
    Fixed(u64),
    /// A capability of the selected model.
    Model(ModelSelector, String),
}

/// What a `Limit` rule measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A number's value.
    Value,
    /// A string's length in characters.
    Length,
    /// An array's item count.
    Items,
}

/// Which bound a `Limit` rule sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Inclusive minimum.
    Min,
    /// Inclusive maximum.
    Max,
    /// A step the value must be a whole multiple of.
    MultipleOf,
}

/// Where a `Limit` rule's bound comes from.
#[derive(Debug, Clone)]
pub enum BoundSource {
    /// A number from the spec (whole for lengths and item counts).
    Fixed(f64),
    /// A capability of the selected model.
    Model(ModelSelector, String),
}

/// An allowed-values source.
#[derive(Debug, Clone)]
pub enum ValuesSource {
    /// A fixed list, of the field's own kind (strings for strings and enums,
    /// numbers for numbers, booleans for booleans).
    Fixed(Vec<Literal>),
    /// A capability of the selected model.
    Model(ModelSelector, String),
}

/// A string enum, possibly backed by a model table.
#[derive(Debug, Clone)]
pub struct EnumIr {
    /// Rust name.
    pub rust_name: RustIdent,
    /// Documentation.
    pub docs: Option<String>,
    /// Variants.
    pub variants: Vec<VariantIr>,
    /// Whether a catch-all `Unknown(String)` variant exists.
    pub has_unknown: bool,
    /// Whether requests may send unlisted values.
    pub open: bool,
    /// The model table, for `kind: models`.
    pub models: Option<ModelTableIr>,
    /// Where it travels.
    pub usage: Usage,
}

impl EnumIr {
    /// The variant a wire value names, by its spelling or a documented alias.
    pub fn variant_for(&self, wire: &str) -> Option<&VariantIr> {
        self.variants.iter().find(|v| v.wire == wire || v.aliases.iter().any(|a| a.wire == wire))
    }
}

/// An enum variant.
#[derive(Debug, Clone)]
pub struct VariantIr {
    /// Rust name.
    pub rust_name: RustIdent,
    /// Wire value.
    pub wire: String,
    /// Other accepted spellings.
    pub aliases: Vec<AliasIr>,
    /// Documentation.
    pub docs: Option<String>,
    /// Deprecation note.
    pub deprecated: Option<String>,
}

/// An alternative spelling.
#[derive(Debug, Clone)]
pub struct AliasIr {
    /// The spelling.
    pub wire: String,
    /// Constant name for deprecated aliases.
    pub const_name: RustIdent,
    /// Deprecation note.
    pub deprecated: Option<String>,
}

/// A model table.
#[derive(Debug, Clone)]
pub struct ModelTableIr {
    /// Default model id.
    pub default: Option<String>,
    /// Models in spec order.
    pub models: Vec<ModelIr>,
}

/// One model row.
#[derive(Debug, Clone)]
pub struct ModelIr {
    /// Id.
    pub id: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Family.
    pub family: Option<String>,
    /// Deprecation.
    pub deprecated: Option<String>,
    /// Capabilities by name.
    pub capabilities: Vec<(String, CapabilityIr)>,
}

/// A capability value.
#[derive(Debug, Clone, PartialEq)]
pub enum CapabilityIr {
    /// A limit.
    Limit(u64),
    /// Allowed values.
    Values(Vec<String>),
}

/// A one-of enum.
#[derive(Debug, Clone)]
pub struct OneOfIr {
    /// Rust name.
    pub rust_name: RustIdent,
    /// Documentation.
    pub docs: Option<String>,
    /// Members.
    pub variants: Vec<OneOfVariantIr>,
    /// Whether unknown members are kept.
    pub open: bool,
    /// Where it travels.
    pub usage: Usage,
    /// Values can carry an image somewhere inside (as for [`StructIr::holds_images`]).
    pub holds_images: bool,
}

/// A one-of member.
#[derive(Debug, Clone)]
pub struct OneOfVariantIr {
    /// Wire key.
    pub wire: String,
    /// Rust variant name.
    pub rust_name: RustIdent,
    /// Member type.
    pub ty: RustType,
    /// Documentation.
    pub docs: Option<String>,
    /// `null` items inside its lists and maps are left out when read (see [`NullItems`]).
    pub null_items: NullItems,
}

/// Stream events.
#[derive(Debug, Clone)]
pub struct EventsIr {
    /// Rust name.
    pub rust_name: RustIdent,
    /// Documentation.
    pub docs: Option<String>,
    /// JSON field naming the event.
    pub discriminator: Option<String>,
    /// Known events.
    pub variants: Vec<EventVariantIr>,
}

/// One event.
#[derive(Debug, Clone)]
pub struct EventVariantIr {
    /// Event name.
    pub event: String,
    /// Rust variant name.
    pub rust_name: RustIdent,
    /// Rust name of the data struct.
    pub data_type: RustIdent,
    /// The data struct can carry an image.
    pub data_holds_images: bool,
    /// Documentation.
    pub docs: Option<String>,
    /// Completes the stream.
    pub terminal: bool,
}

/// An operation.
#[derive(Debug, Clone)]
pub struct OperationIr {
    /// Spec id.
    pub id: String,
    /// Rust method name.
    pub fn_name: RustIdent,
    /// Summary.
    pub summary: String,
    /// Documentation.
    pub docs: Option<String>,
    /// Method name as the runtime spells it (`Post`).
    pub method: &'static str,
    /// Path template.
    pub path: String,
    /// Path parameters.
    pub path_params: Vec<PathParamIr>,
    /// JSON request struct.
    pub json_request: Option<RustIdent>,
    /// Multipart form struct.
    pub multipart_request: Option<RustIdent>,
    /// The struct of query parameters and headers of an operation that sends no body.
    pub params_request: Option<RustIdent>,
    /// JSON response type.
    pub json_response: Option<RustType>,
    /// Events type of the stream response.
    pub sse_response: Option<RustIdent>,
    /// Raw bytes answered (alone, or beside `json_response`: the content type decides).
    pub binary_response: Option<BinaryIr>,
    /// The typed response headers, read into their own struct.
    pub response_headers: Option<HeadersIr>,
    /// Success statuses with bodies of their own, answered as an enum.
    pub status_answers: Option<StatusAnswersIr>,
    /// The boolean request field that asks for a stream.
    pub stream_flag: Option<StreamFlagIr>,
    /// The client methods this operation gets, decided once by lowering: emitters,
    /// the call-by-name table and the spec diff all read this list.
    pub methods: Vec<MethodIr>,
    /// Documented error statuses.
    pub errors: Vec<ErrorStatusIr>,
    /// The names of the envelopes this operation answers with, in the order tried
    /// (its own list, else the provider's).
    pub envelopes: Vec<String>,
    /// Accepted auth schemes; empty means the provider's.
    pub auth: Vec<AuthIr>,
    /// The asynchronous job this operation starts (its `Wait` method polls it).
    pub job: Option<JobIr>,
    /// Where its answer reports token counts: in its JSON answer and in the data of its
    /// stream's terminal events, the shallowest field of each kind reached through nested
    /// objects (not lists). A kind may have several paths (one per root that differs);
    /// the first one an answer has is read.
    pub usage: Vec<UsagePathIr>,
    /// The largest request body the server takes, in bytes (the operation's own limit,
    /// else the provider's for an operation with a body): its client methods refuse a
    /// larger body before sending it.
    pub max_request_bytes: Option<u64>,
}

/// An asynchronous job started by an operation, as its `_and_wait` method runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobIr {
    /// Where the status is read.
    pub poll: JobPollIr,
    /// The status answer's type: a struct, or the status operation's answer enum
    /// (what `_and_wait` returns when the job is done).
    pub status_answer: RustIdent,
    /// What the `Wait` method answers: the status answer as JSON, or by status.
    pub answer: AnswerIr,
    /// Where the status is read from the status answer.
    pub status: JobStatusIr,
    /// Status values by state; a value listed nowhere is pending.
    pub states: JobStatesIr,
    /// The documented pace.
    pub pace: JobPaceIr,
    /// Hosts besides the base URL's that get the key when a polling URL points at them.
    pub trusted_hosts: Vec<String>,
    /// How the finished job's answer yields its image(s): what a waited call by name
    /// (the CLI's `--wait`) saves.
    pub result: JobResultIr,
}

/// How a finished job's answer yields its image(s), decided once by lowering: the
/// call-by-name table and the `_download_result` method read it, so a waited call
/// never ends with a paid result it did not save.
#[derive(Debug, Clone, PartialEq)]
pub enum JobResultIr {
    /// Downloaded from the result URL the answer holds (BFL's signed `result.sample`).
    Download(JobResultUrlIr),
    /// Carried by the answer itself: raw image bytes, or JSON whose base64 fields hold
    /// them (Stability's finished `200`); the answer's `CollectImages` finds them.
    InAnswer,
    /// None: the answer can hold no image, and is only shown.
    NoImage,
}

impl JobResultIr {
    /// The result URL to download, when there is one.
    pub fn download(&self) -> Option<&JobResultUrlIr> {
        match self {
            JobResultIr::Download(url) => Some(url),
            JobResultIr::InAnswer | JobResultIr::NoImage => None,
        }
    }
}

/// The finished job's result URL in the status answer, and the method downloading it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobResultUrlIr {
    /// The dotted wire path, as the spec gives it (`result.sample`).
    pub wire: String,
    /// The same as a JSON pointer into the serialized answer (`/result/sample`).
    pub pointer: String,
    /// The client method downloading it (`<op>_download_result`).
    pub method: RustIdent,
}

/// Where a job's status is read.
#[derive(Debug, Clone, PartialEq)]
pub enum JobPollIr {
    /// `GET` the absolute URL in this field of the start answer.
    Url {
        /// The start answer's field holding the URL.
        field: JobFieldIr,
        /// The spec id of the start operation (its error envelope and auth apply).
        operation: String,
    },
    /// Call this operation's method with the id in this field of the start answer.
    Operation {
        /// The start answer's field holding the id.
        field: JobFieldIr,
        /// The status operation's spec id.
        operation: String,
        /// The status operation's client method.
        method: RustIdent,
        /// How that method takes the id.
        id_arg: JobIdArgIr,
    },
}

/// How a status operation's method takes a job's id.
#[derive(Debug, Clone, PartialEq)]
pub enum JobIdArgIr {
    /// As its one path parameter.
    Path {
        /// An integer (else `&str`).
        integer: bool,
        /// The method's parameters type, every field optional: polled with its default
        /// (nothing set). Stability's result operation.
        params: Option<RustIdent>,
    },
    /// As the one required query field of its parameters struct, built with `new(id)`
    /// (BFL's `GET /v1/get_result?id=`).
    Query {
        /// The parameters struct.
        params: RustIdent,
        /// The field's wire name (for messages).
        wire: String,
        /// An integer (else a string).
        integer: bool,
    },
}

/// Where the wait loop reads a job's status.
#[derive(Debug, Clone, PartialEq)]
pub enum JobStatusIr {
    /// A field of the status answer.
    Field(JobFieldIr),
    /// The name of the success status that answered (Stability's `202` in progress,
    /// `200` finished): each documented status's spec name and its answer variant; an
    /// undocumented status (`Other`) is pending.
    Answer(Vec<JobAnswerStatusIr>),
}

/// One success status a job's status operation documents.
#[derive(Debug, Clone, PartialEq)]
pub struct JobAnswerStatusIr {
    /// The status's spec name (`in_progress`), what the states list.
    pub name: String,
    /// Its variant of the answer enum.
    pub variant: RustIdent,
}

/// A top-level field of an answer the wait loop reads.
#[derive(Debug, Clone, PartialEq)]
pub struct JobFieldIr {
    /// Wire name (for messages).
    pub wire: String,
    /// Rust field name.
    pub rust_name: RustIdent,
    /// Held in an `Option` (the answer is read tolerantly).
    pub optional: bool,
    /// What it holds.
    pub kind: JobFieldKind,
}

/// What a job field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum JobFieldKind {
    /// A `String` (text or a URL).
    Text,
    /// An integer.
    Integer,
    /// A string enum (read through `as_str`).
    Enum,
}

/// Status values by what they mean.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobStatesIr {
    /// Still running.
    pub pending: Vec<String>,
    /// Finished with the result.
    pub done: Vec<String>,
    /// Failed.
    pub failed: Vec<String>,
    /// Refused by moderation.
    pub moderated: Vec<String>,
    /// Expired or unknown.
    pub expired: Vec<String>,
}

/// The polling pace.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPaceIr {
    /// First wait, in milliseconds.
    pub interval_ms: u64,
    /// Longest wait, in milliseconds.
    pub max_interval_ms: u64,
    /// Growth factor of the wait.
    pub backoff: f64,
    /// Overall deadline, in seconds.
    pub deadline_s: u64,
}

/// The boolean request field that switches an operation's answer to a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamFlagIr {
    /// Wire name (`stream`).
    pub wire: String,
    /// Rust field name.
    pub rust_name: RustIdent,
}

/// One client method of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodIr {
    /// Rust name: the operation's (`generate`), or with `_stream` / `_multipart`.
    pub fn_name: RustIdent,
    /// Its part in the operation.
    pub role: MethodRole,
    /// What it sends.
    pub body: BodyIr,
    /// What it returns.
    pub answer: AnswerIr,
    /// What it does with the operation's stream flag.
    pub stream_flag: FlagUse,
}

/// The part a method plays; the call-by-name table calls `Call` and `Stream`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodRole {
    /// One request, one JSON answer: the operation's main call.
    Call,
    /// The streamed call (`_stream`, or the only call of a stream-only operation).
    Stream,
    /// The operation sent as a multipart form when it also takes JSON (`_multipart`).
    AlsoMultipart,
    /// The call, then polls of the job it starts until it ends (`_and_wait`): the
    /// body of the main call, the status answer as its answer.
    Wait,
}

/// What a method sends.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyIr {
    /// No body.
    None,
    /// A JSON request struct, borrowed (`request: &T`), or taken by value when the
    /// method sets the stream flag on it (`mut request: T`).
    Json {
        /// Rust name of the struct.
        rust_name: RustIdent,
        /// Taken by value.
        by_value: bool,
    },
    /// A multipart form struct (`form: &T`).
    Form {
        /// Rust name of the struct.
        rust_name: RustIdent,
    },
    /// No body: a struct of query parameters and headers (`params: &T`).
    Params {
        /// Rust name of the struct.
        rust_name: RustIdent,
    },
}

impl BodyIr {
    /// The struct the method takes, if any.
    pub fn struct_name(&self) -> Option<&RustIdent> {
        match self {
            BodyIr::None => None,
            BodyIr::Json { rust_name, .. } | BodyIr::Form { rust_name } | BodyIr::Params { rust_name } => {
                Some(rust_name)
            }
        }
    }
}

/// What a method returns.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerIr {
    /// One JSON response (`serde_json::Value` when the spec declares none), with the
    /// `_with_response` and `_dry_run` companions.
    Json(Option<RustType>),
    /// A server-sent event stream of this events type.
    Events(RustIdent),
    /// Raw bytes with their media type (`runtime::BinaryBody`).
    Binary,
    /// Raw bytes or one JSON response, as the response's `content-type` says
    /// (`runtime::JsonOrBinary<T>`).
    JsonOrBinary(RustType),
    /// One of the documented success statuses' bodies: the operation's
    /// `StatusAnswersIr` enum.
    ByStatus(RustIdent),
    /// The stream, or one JSON response when the server answers with JSON instead.
    EventsOrJson {
        /// The events type.
        events: RustIdent,
        /// The JSON response type.
        response: RustType,
    },
}

/// A response of raw bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryIr {
    /// The media types the docs list, sent as `Accept`.
    pub media_types: Vec<String>,
    /// What the bytes are.
    pub docs: Option<String>,
}

/// The answers of an operation whose success statuses have bodies of their own: an
/// enum with one variant per status and `Other`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusAnswersIr {
    /// Rust name of the enum (`<Operation>Answer`).
    pub rust_name: RustIdent,
    /// One per documented status, in spec order.
    pub variants: Vec<StatusVariantIr>,
    /// The `Accept` header: the binary media types, then `application/json` when a
    /// status answers JSON.
    pub accept: String,
}

/// One documented success status.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusVariantIr {
    /// The status.
    pub status: u16,
    /// Variant name.
    pub rust_name: RustIdent,
    /// Documentation.
    pub docs: Option<String>,
    /// The JSON body's type.
    pub json: Option<RustType>,
    /// Whether the body may be raw bytes (with `json` too, the content type decides).
    pub binary: bool,
}

impl StatusVariantIr {
    /// Whether the body can carry an image: raw bytes, or JSON with image fields.
    pub fn holds_images(&self) -> bool {
        self.binary || self.json.as_ref().is_some_and(RustType::collects_images)
    }
}

impl StatusAnswersIr {
    /// Whether some documented status's body can carry an image (the enum then
    /// implements `CollectImages`).
    pub fn holds_images(&self) -> bool {
        self.variants.iter().any(StatusVariantIr::holds_images)
    }
}

/// The typed headers of an operation's response: a struct of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadersIr {
    /// Rust name of the struct (`<Operation>Headers`).
    pub rust_name: RustIdent,
    /// One field per header.
    pub fields: Vec<HeaderFieldIr>,
}

/// One typed response header.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderFieldIr {
    /// Header name, lowercase.
    pub name: String,
    /// Rust field name.
    pub rust_name: RustIdent,
    /// Its type: a scalar or a string enum (held in an `Option`).
    pub ty: RustType,
    /// Documentation.
    pub docs: Option<String>,
}

/// What a method does with the operation's stream flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagUse {
    /// Nothing: the operation has no flag.
    None,
    /// Refuses a request with the flag set: the caller is pointed to the stream method.
    Refuse,
    /// Sets the flag on the request it takes by value.
    Set,
}

impl OperationIr {
    /// The method with `role`, when the operation has one.
    pub fn method(&self, role: MethodRole) -> Option<&MethodIr> {
        self.methods.iter().find(|m| m.role == role)
    }
}

/// A path parameter.
#[derive(Debug, Clone)]
pub struct PathParamIr {
    /// Placeholder name.
    pub name: String,
    /// Rust argument name.
    pub rust_name: RustIdent,
    /// Rust type.
    pub ty: RustType,
    /// Documentation.
    pub docs: Option<String>,
    /// Prefix stripped before sending.
    pub optional_prefix: Option<String>,
    /// The parameter selects the model (its type is a model table, or it is named
    /// `model`): its value is the call's `gen_ai.request.model` in traces.
    pub names_model: bool,
}

/// A file of a multipart request example.
#[derive(Debug, Clone)]
pub struct ExampleFile {
    /// The form's file field (wire name).
    pub field: String,
    /// The file name the docs give.
    pub file_name: String,
    /// For a field with `image_limits`: the width and height of the smallest image meeting
    /// them, which the example test uploads instead of its 1x1 stand-in.
    pub image_size: Option<(u64, u64)>,
}

/// A doc example.
#[derive(Debug, Clone)]
pub struct ExampleIr {
    /// Name.
    pub name: String,
    /// Rust test name.
    pub test_name: RustIdent,
    /// Operation id.
    pub operation: String,
    /// Request, response or error.
    pub kind: ExampleKind,
    /// Status for errors.
    pub status: Option<u16>,
    /// Rust type the body parses into (request struct or response type).
    pub rust_type: Option<RustType>,
    /// Placeholders to substitute.
    pub placeholders: Vec<String>,
    /// Deliberate differences from the docs: (path, reason).
    pub amended: Vec<(String, String)>,
    /// For a multipart request example: the form's Rust name.
    pub multipart_form: Option<RustIdent>,
    /// For a multipart request example: its files.
    pub files: Vec<ExampleFile>,
    /// Body.
    pub body: Value,
}
