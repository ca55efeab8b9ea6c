//! The spec language: what a provider's YAML spec may say.
//!
//! These types mirror the YAML one to one. They know nothing of Rust: names
//! here are wire names and spec names, and the IR decides the Rust ones.
//! Every struct denies unknown keys so a typo is an error, not a silent no-op.
//! The doc comments are the language reference: they end up in
//! `specs/spec.schema.json`, which editors use to validate specs as they are typed.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

pub use super::type_expr::TypeRef;

/// What a YAML file under a specs folder holds: a provider spec, or a shared file of
/// definitions that provider specs import.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SpecFile {
    /// A provider spec (`specs/<provider>.yaml`).
    Provider(Box<Spec>),
    /// A shared file (`specs/common/<shapes>.yaml`).
    Shared(SharedFile),
}

/// One provider's API, transcribed from its documentation.
///
/// As loaded, a spec is resolved: `types` holds the types of every imported file
/// after its own, and each object's `fields` holds the fields of the sets it
/// includes where it includes them. Checks, lowering and the spec diff see only this.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Shared files whose types, field sets and error envelopes this spec uses, as
    /// paths inside the folder holding the spec (`common/openai-images.yaml`). Their
    /// types and envelopes are generated into this provider's module like its own,
    /// after them.
    #[serde(default)]
    pub imports: Vec<String>,
    /// Who the provider is and how to reach it.
    pub provider: Provider,
    /// Fields defined once for several objects (`- include: <name>` in their `fields`).
    #[serde(default)]
    pub field_sets: Vec<FieldSet>,
    /// Named types: objects, enums, model tables, unions and stream event sets.
    #[serde(default)]
    pub types: Vec<TypeDef>,
    /// The HTTP operations the provider documents.
    pub operations: Vec<Operation>,
    /// The documentation's request, response and error examples, checked by tests.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// The shapes of the provider's error bodies: each names the object type of the
    /// body and where its message, code and retry hints live. `provider.envelopes`
    /// and each operation's `envelopes` name the ones they may answer with.
    #[serde(default)]
    pub envelopes: Vec<Envelope>,
}

/// Definitions shared by several provider specs (`specs/common/*.yaml`): types,
/// field sets and error envelopes, and the shared files they build on. Nothing else:
/// no provider, operations or examples. A shared file names only the types and field sets it
/// defines or imports, so it means the same in every spec importing it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedFile {
    /// Other shared files it builds on, as paths inside the importing spec's folder.
    #[serde(default)]
    pub imports: Vec<String>,
    /// Field sets, included by objects here or in the importing specs.
    #[serde(default)]
    pub field_sets: Vec<FieldSet>,
    /// Types, generated into the module of every provider importing the file.
    #[serde(default)]
    pub types: Vec<TypeDef>,
    /// Error envelopes (an API family's error shape, such as OpenAI's), declared once
    /// for every spec importing the file: each spec names them in `provider.envelopes`
    /// or an operation's `envelopes` like its own. Their body types are defined here or
    /// in a file this one imports.
    #[serde(default)]
    pub envelopes: Vec<Envelope>,
}

/// Fields written once and spliced into several objects: an object lists
/// `- include: <name>` among its fields, and the set's fields take that place, in
/// their order. A field name the object (or another included set) already has is
/// refused. A set cannot include another set.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSet {
    /// Set name in UpperCamelCase.
    pub name: String,
    /// What the fields have in common (not emitted: the fields keep their own docs).
    #[serde(default)]
    pub description: Option<String>,
    /// The fields, in wire order.
    pub fields: Vec<Field>,
}

/// An entry of an object's `fields`: a field, or the fields of a field set.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FieldEntry {
    /// A field of the object's own.
    Field(Box<Field>),
    /// `- include: <set>`: the set's fields, here.
    Include(FieldInclude),
}

/// The fields of a field set, spliced into an object where this entry stands.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldInclude {
    /// Name of a field set of this file or of a file it imports.
    pub include: String,
}

/// Provider-wide facts: identity, endpoint, authentication and error format.
impl Spec {
    /// The envelope names an operation answers with: its own, else the provider's.
    pub fn envelopes_of<'s>(&'s self, op: &'s Operation) -> &'s [String] {
        if op.envelopes.is_empty() {
            &self.provider.envelopes
        } else {
            &op.envelopes
        }
    }
}

/// Provider-wide facts: identity, endpoint, authentication and error envelopes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Short lowercase identifier; becomes the Rust module, the Cargo feature and the CLI subcommand.
    pub name: String,
    /// Human-readable name used in documentation.
    pub title: String,
    /// What the provider is, for the generated module's documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Where the documentation was read.
    #[serde(default)]
    pub docs_url: Option<String>,
    /// Which version of the documentation this spec transcribes (for example `v2` or a date).
    pub docs_version: String,
    /// Default base URL; operation paths are appended to it.
    pub base_url: String,
    /// Environment variable holding the API key.
    pub api_key_env: String,
    /// Accepted authentication schemes; the first is the default.
    pub auth: Vec<AuthScheme>,
    /// The error envelopes (names from the spec's `envelopes`) the provider's
    /// operations answer with, in the order they are tried: a relay that forwards
    /// upstream errors unchanged lists each shape it may pass on. An operation's own
    /// `envelopes` replace this list. Empty: error bodies are kept raw, unparsed.
    #[serde(default)]
    pub envelopes: Vec<String>,
    /// Request headers the docs describe for every call (an organisation or project id,
    /// the caller's application name): set once per client (a typed setter of the
    /// generated `ClientHeaders` trait, a CLI flag `--header-<name>`) and sent with every
    /// request.
    #[serde(default)]
    pub headers: Vec<ProviderHeader>,
    /// The largest request body, in bytes, the server takes, when the docs state one for
    /// every operation that sends a body (Stability's v2beta: "413: Your request was
    /// larger than 10MiB", `10485760`). It applies to each operation with a `json` or
    /// `multipart` request; an operation's own `max_request_bytes` replaces it. The
    /// generated client measures the body it built (the exact bytes it would send) and
    /// refuses a larger one before sending anything, as a violation beside those of
    /// `validate()`. Above 0.
    #[serde(default)]
    pub max_request_bytes: Option<u64>,
}

/// A request header the provider documents for every call.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderHeader {
    /// The header name as the docs spell it (`OpenAI-Organization`, `stability-client-id`).
    pub name: String,
    /// Override for the Rust name of its setter when the derived one reads badly.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Documentation from the provider's docs.
    #[serde(default)]
    pub description: Option<String>,
    /// The value is a credential: it is redacted from `Debug` output, dry runs, the
    /// request log and error texts, as the API key is.
    #[serde(default)]
    pub secret: bool,
    /// Environment variable read when the client sets no value (`OPENAI_ORG_ID`).
    #[serde(default)]
    pub env: Option<String>,
}

/// How the API key travels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The raw key in a named header such as `x-api-key` or `x-goog-api-key`.
    Header {
        /// Header name, lowercase.
        header: String,
    },
    /// The raw key as a named query parameter (`?key=<key>`, as Google's own APIs take
    /// it). Every URL the client shows (dry runs, request logs, errors) has it redacted.
    Query {
        /// Query parameter name (`key`).
        param: String,
    },
}

/// An error envelope: the shape of a provider's error bodies, declared as data.
///
/// `body` is the object type of the body (documented and typed like any response);
/// the parts (`message`, `code`, ...) are field paths into it, each a dotted path of
/// wire names (`error.message`) or a list of them, tried in order (`[message,
/// userMessage]`). A step may pick an array item: `detail[0]` (by index) or
/// `details[@type$=google.rpc.RetryInfo]` (the first item whose string field
/// `@type` ends with that text; `[name=value]` for an exact match). The reader is
/// tolerant: a part whose path finds nothing, or a value of another JSON type, is
/// simply absent, and a body that is one JSON array of one object is read as that
/// object.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// Identifier in snake_case (`google`, `openai`); what `envelopes` lists name,
    /// and what `ApiError::envelope` reports as the envelope recognised.
    pub name: String,
    /// What the docs say about these errors.
    #[serde(default)]
    pub description: Option<String>,
    /// The object type of the body.
    pub body: String,
    /// How the envelope is recognised when a body could be several: every test must
    /// hold (`{field: error, equals: true}`, `{field: detail}`, `{field: errors, is:
    /// array}`). Without tests, a body is this envelope when its `message` or `code`
    /// is found. Only an envelope with tests is looked for in a 2xx body (a gateway
    /// wrapping an upstream failure in a success), and only when the body has no
    /// top-level key that `body` does not declare.
    #[serde(default)]
    pub when: Vec<EnvelopeTest>,
    /// The human-readable message: a string, or an array of strings (joined with `; `).
    #[serde(default)]
    pub message: Option<FieldPaths>,
    /// The machine-readable code (OpenAI `code`, Google's status name): a string, an
    /// integer (read as its text), a string enum or `any`.
    #[serde(default)]
    pub code: Option<FieldPaths>,
    /// The error's class or type name (OpenAI `type`): a string or a string enum.
    #[serde(default)]
    pub error_type: Option<FieldPaths>,
    /// The HTTP status the body repeats (Google `error.code`, LLMGateway `status`),
    /// which a relay may set differently from the response's: an integer.
    #[serde(default)]
    pub status: Option<FieldPaths>,
    /// The request parameter the error is about (OpenAI `param`): a string.
    #[serde(default)]
    pub param: Option<FieldPaths>,
    /// The body's own verdict on retrying (ListenHub `retryable`): a boolean. When
    /// present it wins over the envelope's `retry` rules and the status.
    #[serde(default)]
    pub retryable: Option<FieldPaths>,
    /// How long the body asks the client to wait before retrying.
    #[serde(default)]
    pub retry_delay: Option<RetryDelay>,
    /// Which errors of this envelope are worth sending again, by code or message,
    /// decided before the status is: `{status: 429, code: insufficient_quota, retry:
    /// false}`. The first rule that matches decides.
    #[serde(default)]
    pub retry: Vec<RetryRule>,
}

/// One field path, or several tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FieldPaths {
    /// One path.
    One(String),
    /// Several paths; the first that finds a value wins.
    Many(Vec<String>),
}

impl FieldPaths {
    /// The paths, in order.
    pub fn paths(&self) -> &[String] {
        match self {
            FieldPaths::One(path) => std::slice::from_ref(path),
            FieldPaths::Many(paths) => paths,
        }
    }
}

/// The parts of an envelope the reader extracts, by what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvelopePart {
    /// `message`.
    Message,
    /// `code`.
    Code,
    /// `error_type`.
    ErrorType,
    /// `status`.
    Status,
    /// `param`.
    Param,
    /// `retryable`.
    Retryable,
}

impl EnvelopePart {
    /// Every part, in the order they are declared.
    pub const ALL: [EnvelopePart; 6] = [
        EnvelopePart::Message,
        EnvelopePart::Code,
        EnvelopePart::ErrorType,
        EnvelopePart::Status,
        EnvelopePart::Param,
        EnvelopePart::Retryable,
    ];

    /// The key that declares it.
    pub fn key(self) -> &'static str {
        match self {
            EnvelopePart::Message => "message",
            EnvelopePart::Code => "code",
            EnvelopePart::ErrorType => "error_type",
            EnvelopePart::Status => "status",
            EnvelopePart::Param => "param",
            EnvelopePart::Retryable => "retryable",
        }
    }
}

impl Envelope {
    /// How `part` is declared, if it is.
    pub fn part(&self, part: EnvelopePart) -> Option<&FieldPaths> {
        let declared = match part {
            EnvelopePart::Message => &self.message,
            EnvelopePart::Code => &self.code,
            EnvelopePart::ErrorType => &self.error_type,
            EnvelopePart::Status => &self.status,
            EnvelopePart::Param => &self.param,
            EnvelopePart::Retryable => &self.retryable,
        };
        declared.as_ref()
    }

    /// The paths declared for `part`, in order (none when it is not declared).
    pub fn paths(&self, part: EnvelopePart) -> &[String] {
        self.part(part).map_or(&[], FieldPaths::paths)
    }
}

/// A test on an error body: the value at `field` equals `equals`, or is of JSON kind
/// `is`, or (with neither) is present and not `null`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeTest {
    /// Field path into the envelope's body type.
    pub field: String,
    /// The value it must equal (a string, a whole number or a boolean).
    #[serde(default)]
    pub equals: Option<Value>,
    /// The JSON kind it must be.
    #[serde(default)]
    pub is: Option<JsonKind>,
}

/// A kind of JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JsonKind {
    /// An object.
    Object,
    /// An array.
    Array,
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
}

/// Where an error body gives its retry delay, and in what form.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryDelay {
    /// Field path into the envelope's body type
    /// (`error.details[@type$=google.rpc.RetryInfo].retryDelay`).
    pub field: String,
    /// How the delay is written.
    pub format: DelayFormat,
}

/// How a retry delay is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelayFormat {
    /// A `google.protobuf.Duration` in JSON: `"34.4s"`, or the message form
    /// `{"seconds": 34, "nanos": 400000000}` that some printers emit (both are read).
    /// The field is a `string` or an object type.
    Duration,
    /// A number of seconds (`2`, `0.5`, or the same as text): `integer`, `number` or `string`.
    Seconds,
    /// A number of milliseconds: `integer`, `number` or `string`.
    Milliseconds,
}

/// Whether an error of an envelope is worth sending again, by what its body says.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryRule {
    /// The HTTP status (a 4xx or 5xx) it applies to; any error status when absent.
    #[serde(default)]
    pub status: Option<u16>,
    /// The envelope's `code` equals this (`insufficient_quota`).
    #[serde(default)]
    pub code: Option<String>,
    /// The envelope's `message` contains this text, compared ignoring ASCII case
    /// (`did not generate any images`).
    #[serde(default)]
    pub message_contains: Option<String>,
    /// Whether such an error is retried.
    pub retry: bool,
    /// Why, from the docs.
    #[serde(default)]
    pub description: Option<String>,
}

/// A named type. `kind` selects which sort.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeDef {
    /// A JSON object (or multipart form) with named fields.
    Object(ObjectDef),
    /// A set of string values.
    Enum(EnumDef),
    /// A table of models with their capabilities; also usable as a string enum.
    Models(ModelsDef),
    /// Exactly one of several fields is present; the field name says which.
    OneOf(OneOfDef),
    /// The events of a server-sent event stream.
    Events(EventsDef),
}

impl TypeDef {
    /// The type's spec name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Object(d) => &d.name,
            TypeDef::Enum(d) => &d.name,
            TypeDef::Models(d) => &d.name,
            TypeDef::OneOf(d) => &d.name,
            TypeDef::Events(d) => &d.name,
        }
    }
}

/// A JSON object.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectDef {
    /// Type name in UpperCamelCase.
    pub name: String,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Deprecation note; presence marks the type deprecated.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// Fields in wire order. An entry `- include: <set>` stands for the fields of a
    /// field set, in its order; once loaded, `fields` holds them in its place.
    #[schemars(with = "Vec<FieldEntry>")]
    pub fields: Vec<Field>,
    /// Cross-field rules checked by `validate()`.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Named constructors beside `new`, for the shapes callers build most (a user
    /// turn `Content::user(parts)`): each takes some fields as arguments and sets
    /// others to fixed values. Only for types sent in requests.
    #[serde(default)]
    pub constructors: Vec<Constructor>,
}

/// A named constructor of an object type: `Content::user(parts)` sets `role: user`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Constructor {
    /// Function name in snake_case (`user`); not `new`, not `with_*`, and no other
    /// method of the type.
    pub name: String,
    /// Documentation of the function.
    pub description: String,
    /// Fields taken as arguments, in this order (wire names).
    #[serde(default)]
    pub args: Vec<String>,
    /// Fields set to fixed values (wire name to a string, enum value, number or
    /// boolean). Every required field is an argument or set here.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
}

/// One field of an object.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Name on the wire, exactly as the docs spell it: a JSON key, a form field, a
    /// query parameter or a header name (`accept`, `OpenAI-Organization`).
    pub name: String,
    /// Override for the Rust field name when the derived one reads badly.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Where the field travels: `body` (the default: a JSON key or a form field),
    /// `query` (a query parameter) or `header` (a request header). Only a field of an
    /// operation's request object (`request.json`, `request.multipart` or
    /// `request.params`) may leave the body; the struct keeps it like any other field
    /// (constructor, `with_*` setter, `validate()`, CLI flag) and the client sends it
    /// in the query or the headers, never in the body.
    #[serde(rename = "in", default)]
    pub location: FieldLocation,
    /// How a list in the query is written: `form` (the default) repeats the key
    /// (`?tag=a&tag=b`), `comma` sends one comma-separated value (`?tag=a,b`).
    #[serde(default)]
    pub style: Option<QueryStyle>,
    /// Type expression: `string`, `integer`, `number`, `boolean`, `any`, `base64`,
    /// `url`, `data_url`, `file`, a type name, `array<T>`, `map<T>` or `one_or_many<T>`.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Whether the field must be present.
    #[serde(default)]
    pub required: bool,
    /// Whether `null` is a value of its own, distinct from leaving the field out (BFL's
    /// `"result": null` for a moderated generation). The field is then a
    /// `runtime::Nullable<T>` (absent, `null` or a value) instead of an `Option<T>`,
    /// which reads `null` as absent. In a response, mark every field the docs show as
    /// `null`. In a request, mark a field only when the docs give `null` a meaning of its
    /// own: the client can then send it; where `null` is the same as leaving the field
    /// out, leave this off (an optional field already reads `null` as absent). A
    /// `required` nullable field must be present, as `null` or a value. Rules read
    /// `null` as no value. Not for `flatten` fields.
    #[serde(default)]
    pub nullable: bool,
    /// The value the server assumes when the field is absent.
    #[serde(default)]
    pub default: Option<Value>,
    /// Defaults that depend on the rest of the request ("`dall-e-2` unless a parameter
    /// specific to `gpt-image-1` is used"): the first entry whose `when` holds gives the
    /// default, else `default` does, which must then be given. Conditions read the
    /// values the request sets, never other defaults, and may not test a model
    /// `family`. Documented on the field, returned by `<field>_or_default()`, and, on
    /// a models field, used for the model rules check when the request names none.
    #[serde(default)]
    pub default_when: Vec<ConditionalDefault>,
    /// Documentation from the provider's docs.
    #[serde(default)]
    pub description: Option<String>,
    /// Deprecation note; presence marks the field deprecated.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// An example value from the docs.
    #[serde(default)]
    pub example: Option<Value>,
    /// Model families the field applies to (for example `[gpt]`); others ignore it. In a
    /// request with a models field, setting it with a model of another family is a
    /// warning (the request is still sent).
    #[serde(default)]
    pub families: Vec<String>,
    /// Inclusive minimum for numbers.
    #[serde(default)]
    pub min: Option<f64>,
    /// Inclusive maximum for numbers.
    #[serde(default)]
    pub max: Option<f64>,
    /// Minimum number of array items.
    #[serde(default)]
    pub min_items: Option<u64>,
    /// Maximum number of array items.
    #[serde(default)]
    pub max_items: Option<u64>,
    /// Minimum length in characters of a `string`, `url` or `data_url` field (or of each
    /// one of a list or map of them).
    #[serde(default)]
    pub min_length: Option<u64>,
    /// Maximum length in characters of a `string`, `url` or `data_url` field (or of each
    /// one of a list or map of them): BFL's `webhook_url` of at most 2083 characters.
    #[serde(default)]
    pub max_length: Option<u64>,
    /// A regular expression a `string` field (or each string of an array or map of them)
    /// must match, as the docs state it. Searched anywhere in the text, as JSON Schema's
    /// `pattern` is: anchor it (`^[a-z0-9-]+$`) to match the whole value. The syntax is
    /// the `regex-lite` crate's (Perl-like, without Unicode classes such as `\p{L}`);
    /// the generator refuses a pattern it cannot compile. Checked by `validate()`.
    #[serde(default)]
    pub pattern: Option<String>,
    /// A number the value must be a whole multiple of (`16` for BFL's sizes). An error,
    /// like every field constraint: use it where the docs say the server refuses other
    /// values. Where the server accepts them (BFL's own examples send a height of 810,
    /// and "output dimensions are always multiples of 16", so it rounds), state the limit
    /// as a `limit_when` rule with `multiple_of` and `severity: warning` instead.
    #[serde(default)]
    pub multiple_of: Option<f64>,
    /// Allowed URL schemes for `url` fields (for example `[http, https, gs]`).
    #[serde(default)]
    pub schemes: Vec<String>,
    /// The range of aspect ratios a `W:H` string may name, inclusive, as the docs state it
    /// ("between 21:9 and 9:21"): `{min: "9:21", max: "21:9"}`, the narrowest and the
    /// widest. A value that is not `W:H` with positive numbers, or whose ratio lies outside
    /// the range, is a violation. For `string` fields (or lists and maps of them).
    #[serde(default)]
    pub aspect_ratio: Option<AspectRatioRange>,
    /// The value is a secret (BFL's `webhook_secret`): the type's `Debug` prints
    /// `<redacted>` for it, and a call's dry run, request log, errors and logs scrub its
    /// value wherever it would appear. Only on `string` or `url` fields of an operation's
    /// request object sent in the body.
    #[serde(default)]
    pub secret: bool,
    /// What a `string` field's text holds, when it is more than free text.
    #[serde(default)]
    pub format: Option<StringFormat>,
    /// A `url` field, or a `string` with `format: base64`, that also accepts a `data:<mime>;base64,` URL.
    #[serde(default)]
    pub allow_data_url: bool,
    /// Allowed MIME types for `file` and `data_url` fields.
    #[serde(default)]
    pub mime_types: Vec<String>,
    /// The width and height an uploaded image must have, as the docs state them
    /// (Stability's "every side must be at least 64 pixels; the total pixel count must be
    /// between 4,096 and 9,437,184 pixels; the aspect ratio must be between 1:2.5 and
    /// 2.5:1"). For `file` fields (or lists and maps of them). `validate()` reads the
    /// dimensions from the image's header and refuses an image that breaks a limit; when
    /// the header cannot be read it warns and sends the image, the server deciding.
    #[serde(default)]
    pub image_limits: Option<ImageLimits>,
    /// Accepted multipart part names for a `file` field; the first is sent.
    #[serde(default)]
    pub part_names: Vec<String>,
    /// Merge a `one_of` field's members into this object instead of nesting them.
    #[serde(default)]
    pub flatten: bool,
    /// The wire name of a sibling field whose images this field repeats (Octen's Gemini
    /// `parts` repeat the images of `data`). `images()` then reads this field only when
    /// the sibling holds no image, so one image is not returned twice.
    #[serde(default)]
    pub repeats_images_of: Option<String>,
    /// The token count this field of an answer reports: `input_tokens` or
    /// `output_tokens`. An operation whose JSON answer reaches such a field (through
    /// nested objects, not lists) records the count on the call's tracing span as
    /// OpenTelemetry's `gen_ai.usage.input_tokens` / `gen_ai.usage.output_tokens`. Only on
    /// `integer` or `number` fields, at most one field per kind in a type.
    #[serde(default)]
    pub usage: Option<TokenUsage>,
}

/// A kind of token count an answer reports, named after OpenTelemetry's GenAI usage
/// attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenUsage {
    /// Tokens of the request (`gen_ai.usage.input_tokens`).
    InputTokens,
    /// Tokens the model produced (`gen_ai.usage.output_tokens`).
    OutputTokens,
}

impl TokenUsage {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUsage::InputTokens => "input_tokens",
            TokenUsage::OutputTokens => "output_tokens",
        }
    }
}

/// An inclusive range of aspect ratios written `W:H` (`9:21` to `21:9`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AspectRatioRange {
    /// The narrowest ratio allowed (`9:21`, tall).
    pub min: String,
    /// The widest ratio allowed (`21:9`, wide).
    pub max: String,
}

/// Limits on an uploaded image's width and height, in pixels, all inclusive; at least
/// one is given.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageLimits {
    /// Every side (width and height) at least this many pixels.
    #[serde(default)]
    pub min_side: Option<u64>,
    /// Every side at most this many pixels.
    #[serde(default)]
    pub max_side: Option<u64>,
    /// Width × height at least this many pixels.
    #[serde(default)]
    pub min_pixels: Option<u64>,
    /// Width × height at most this many pixels.
    #[serde(default)]
    pub max_pixels: Option<u64>,
    /// The narrowest and widest width:height ratios allowed (`{min: "1:2.5", max: "2.5:1"}`).
    #[serde(default)]
    pub aspect_ratio: Option<AspectRatioRange>,
}

impl ImageLimits {
    /// Whether no limit is given.
    pub fn is_empty(&self) -> bool {
        let ImageLimits { min_side, max_side, min_pixels, max_pixels, aspect_ratio } = self;
        min_side.is_none()
            && max_side.is_none()
            && min_pixels.is_none()
            && max_pixels.is_none()
            && aspect_ratio.is_none()
    }

    /// The smallest width and height (sides that fit a PNG header) meeting every limit, its
    /// ratio the allowed one nearest 1:1; `None` when no image meets them all. A ratio end
    /// that is not `W:H` limits nothing here (the checker reports it).
    pub fn example_size(&self) -> Option<(u64, u64)> {
        let ratios = self.aspect_ratio.as_ref().map(|r| (parse_aspect_ratio(&r.min), parse_aspect_ratio(&r.max)));
        let (narrowest, widest) = match ratios {
            Some((Some(min), Some(max))) if min <= max => (min, max),
            _ => (0.0, f64::INFINITY),
        };
        let ratio = 1.0_f64.clamp(narrowest, widest);
        let min_side = self.min_side.unwrap_or(1).max(1) as f64;
        let min_pixels = self.min_pixels.unwrap_or(1) as f64;
        // width = ratio × height: the height that gives both sides and the area their minimums.
        let height = min_side.max(min_side / ratio).max((min_pixels / ratio).sqrt()).ceil();
        if height > f64::from(u32::MAX) {
            return None;
        }
        let height = height as u64;
        // Rounding the width may leave the ratio just outside a bound: a few taller heights settle it.
        (height..height.saturating_add(64))
            .flat_map(|h| {
                let w = ratio * h as f64;
                [(w.ceil() as u64, h), (w.floor() as u64, h)]
            })
            .find(|&(w, h)| self.admits(w, h, narrowest, widest))
    }

    /// Whether a `width` × `height` image meets every limit, as `validate()` judges it.
    fn admits(&self, width: u64, height: u64, narrowest: f64, widest: f64) -> bool {
        let ImageLimits { min_side, max_side, min_pixels, max_pixels, aspect_ratio: _ } = *self;
        let (short, long, pixels) = (width.min(height), width.max(height), width.saturating_mul(height));
        let ratio = width as f64 / height as f64;
        short > 0
            && long <= u64::from(u32::MAX)
            && min_side.is_none_or(|min| short >= min)
            && max_side.is_none_or(|max| long <= max)
            && min_pixels.is_none_or(|min| pixels >= min)
            && max_pixels.is_none_or(|max| pixels <= max)
            && ratio >= narrowest
            && ratio <= widest
    }
}

/// `W:H` (`21:9`, `1:2.5`) as the width divided by the height, when both are positive
/// finite numbers.
pub fn parse_aspect_ratio(text: &str) -> Option<f64> {
    let (w, h) = text.split_once(':')?;
    let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    (w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0).then(|| w / h)
}

/// A default that holds when a condition on the rest of the request does.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionalDefault {
    /// When this default applies.
    pub when: Condition,
    /// The default then, of the field's type.
    pub value: Value,
}

/// Where a request field travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldLocation {
    /// In the body: a JSON key, or a multipart form field.
    #[default]
    Body,
    /// A query parameter: a string, number, boolean or string enum, or a list of them.
    Query,
    /// A request header: a string, number, boolean or string enum.
    Header,
}

/// How a list travels as a query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueryStyle {
    /// The key repeated, one value each (`?tag=a&tag=b`).
    Form,
    /// One value, the items joined with commas (`?tag=a,b`).
    Comma,
}

/// The content of a `string` field that the client checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StringFormat {
    /// Standard base64 text kept as a string (Octen's `image`), for example because the
    /// same field also takes a data URL.
    Base64,
}

/// A string enum.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    /// Type name in UpperCamelCase.
    pub name: String,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Open enums accept values beyond the listed ones in requests too.
    /// Every enum read from a response keeps unknown values regardless.
    #[serde(default)]
    pub open: bool,
    /// Word prepended to variant names that would start with a digit (`Ratio` for `16:9`).
    #[serde(default)]
    pub variant_prefix: Option<String>,
    /// The values.
    pub values: Vec<EnumValue>,
}

/// One enum value.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value on the wire.
    pub value: String,
    /// Override for the Rust variant name.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Other spellings accepted for this value; the canonical one is sent.
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// Deprecation note.
    #[serde(default)]
    pub deprecated: Option<String>,
}

/// Another accepted spelling of a value.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    /// The alternative spelling.
    pub value: String,
    /// Deprecation note, for names the docs retired.
    #[serde(default)]
    pub deprecated: Option<String>,
}

/// A model table: the provider's models with their capabilities. It is also a
/// string enum of the model ids, so fields can use it as their type.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelsDef {
    /// Type name in UpperCamelCase.
    pub name: String,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether models not listed may be sent.
    #[serde(default)]
    pub open: bool,
    /// Word prepended to variant names that would start with a digit.
    #[serde(default)]
    pub variant_prefix: Option<String>,
    /// The model the server uses when the request names none.
    #[serde(default)]
    pub default: Option<String>,
    /// The models.
    pub models: Vec<ModelDef>,
}

/// One model and what it can do.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelDef {
    /// Model id on the wire.
    pub id: String,
    /// Override for the Rust variant name.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Model family (`gemini`, `gpt`), matched by fields' `families`.
    #[serde(default)]
    pub family: Option<String>,
    /// Other accepted ids for the same model.
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// Deprecation note.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// Named capabilities read by rules: an integer limit or a list of allowed values.
    #[serde(default)]
    pub capabilities: std::collections::BTreeMap<String, Capability>,
    /// Fields this model requires to hold a value (`provider: openai`).
    #[serde(default)]
    pub requires: Vec<FieldEquals>,
    /// Values this model rejects (`background: [transparent]`).
    #[serde(default)]
    pub rejects: Vec<FieldValues>,
}

/// A capability value: a number or a list of strings.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Capability {
    /// A numeric limit.
    Limit(u64),
    /// A set of allowed values.
    Values(Vec<String>),
}

/// A field path and the value it must hold.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldEquals {
    /// Field path, dotted for nesting (`imageConfig.aspectRatio`).
    pub field: String,
    /// Required value.
    pub equals: Value,
}

/// A field path and values it must not hold.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldValues {
    /// Field path.
    pub field: String,
    /// Rejected values.
    pub values: Vec<Value>,
}

/// Exactly one of several members, told apart by which key is present.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOfDef {
    /// Type name in UpperCamelCase.
    pub name: String,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Keep members this spec does not know (responses) instead of failing.
    #[serde(default)]
    pub open: bool,
    /// The members.
    pub variants: Vec<OneOfVariant>,
}

/// One member of a `one_of`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOfVariant {
    /// The key that marks this member on the wire.
    pub field: String,
    /// The member's type expression.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Override for the Rust variant name.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
}

/// The events of a server-sent event stream.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsDef {
    /// Type name in UpperCamelCase.
    pub name: String,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// JSON field in each event's data naming the event, used when the SSE `event:` line is absent.
    #[serde(default)]
    pub discriminator: Option<String>,
    /// The known events.
    pub variants: Vec<EventVariant>,
}

/// One event of a stream.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventVariant {
    /// Event name (`image_generation.partial_image`).
    pub event: String,
    /// Type of the event's JSON data.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Override for the Rust variant name.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether this event completes the stream; a stream that ends before one is an error.
    #[serde(default)]
    pub terminal: bool,
}

/// A cross-field rule on an object, checked by `validate()`.
///
/// Every rule has a `severity`. An `error` rule transcribes what the docs say the server
/// rejects ("returns 400 for transparent"): `validate()` fails and nothing is sent. A
/// `warning` rule transcribes what the docs say the server ignores ("effective only when
/// image is provided", "unsupported parameters are ignored"): the request is sent as it
/// is and the caller gets the warning, with the rule's `message`, which a warning rule
/// must have. Fields with `families` warn the same way when sent with a model of
/// another family, without a rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// When `when` holds, `field` must be present (and equal `equals` if given).
    Requires {
        /// Condition.
        when: Condition,
        /// Field path.
        field: String,
        /// Required value.
        #[serde(default)]
        equals: Option<Value>,
        /// `error` (the default) refuses the request; `warning` sends it and tells the caller.
        #[serde(default)]
        severity: Severity,
        /// Why, from the docs.
        #[serde(default)]
        message: Option<String>,
    },
    /// When `when` holds, `field` must be absent (or, with `values`, not hold one of them).
    Forbids {
        /// Condition.
        when: Condition,
        /// Field path.
        field: String,
        /// Forbidden values; absent means any value.
        #[serde(default)]
        values: Vec<Value>,
        /// `error` (the default) refuses the request; `warning` sends it and tells the caller.
        #[serde(default)]
        severity: Severity,
        /// Why, from the docs.
        #[serde(default)]
        message: Option<String>,
    },
    /// `field` may be set only when `with` holds.
    OnlyWith {
        /// Field path.
        field: String,
        /// Condition.
        with: Condition,
        /// `error` (the default) refuses the request; `warning` sends it and tells the caller.
        #[serde(default)]
        severity: Severity,
        /// Why, from the docs.
        #[serde(default)]
        message: Option<String>,
    },
    /// A limit that depends on the request, usually on the model: an array's item
    /// count, a string's length, or a number's bounds or step. Exactly one limit per
    /// rule, fixed (`max_items`, `min_items`, `max_length`, `min_length`, `max`, `min`,
    /// `multiple_of`, named for what they limit, as on a field) or read from a
    /// capability of the selected model (`max_from_model`, `min_from_model`,
    /// `multiple_of_from_model`: items for an array, characters for a string, the value
    /// for a number). A limit the server tolerates (rounds, ignores) is a rule with
    /// `severity: warning`, which a field constraint cannot be.
    LimitWhen {
        /// Field path: an array, a string or a number.
        field: String,
        /// Optional condition; without one the rule always applies.
        #[serde(default)]
        when: Option<Condition>,
        /// A fixed maximum item count (arrays).
        #[serde(default)]
        max_items: Option<u64>,
        /// A fixed minimum item count (arrays).
        #[serde(default)]
        min_items: Option<u64>,
        /// A fixed maximum length in characters (strings).
        #[serde(default)]
        max_length: Option<u64>,
        /// A fixed minimum length in characters (strings).
        #[serde(default)]
        min_length: Option<u64>,
        /// A fixed inclusive maximum (numbers).
        #[serde(default)]
        max: Option<f64>,
        /// A fixed inclusive minimum (numbers).
        #[serde(default)]
        min: Option<f64>,
        /// A fixed step the value must be a whole multiple of (numbers).
        #[serde(default)]
        multiple_of: Option<f64>,
        /// Read the maximum from this capability of the selected model: item count for
        /// an array, characters for a string ("the prompt length limit is set by the
        /// model"), the value for a number.
        #[serde(default)]
        max_from_model: Option<String>,
        /// Read the minimum from this capability of the selected model, as `max_from_model`.
        #[serde(default)]
        min_from_model: Option<String>,
        /// Read the step from this capability of the selected model (numbers).
        #[serde(default)]
        multiple_of_from_model: Option<String>,
        /// Field holding the model (default `model`).
        #[serde(default)]
        model_field: Option<String>,
        /// `error` (the default) refuses the request; `warning` sends it and tells the caller.
        #[serde(default)]
        severity: Severity,
        /// Why, from the docs.
        #[serde(default)]
        message: Option<String>,
    },
    /// A field's allowed values that depend on the request, usually on the model.
    AllowedValuesWhen {
        /// Field path.
        field: String,
        /// Optional condition; without one the rule always applies.
        #[serde(default)]
        when: Option<Condition>,
        /// A fixed list of allowed values.
        #[serde(default)]
        values: Vec<Value>,
        /// Read the allowed values from this capability of the selected model.
        #[serde(default)]
        values_from_model: Option<String>,
        /// Field holding the model (default `model`).
        #[serde(default)]
        model_field: Option<String>,
        /// `error` (the default) refuses the request; `warning` sends it and tells the caller.
        #[serde(default)]
        severity: Severity,
        /// Why, from the docs.
        #[serde(default)]
        message: Option<String>,
    },
    /// A limit on the product of numeric fields (width × height: "at most 4 megapixels"),
    /// checked when every one of them is set. A violation names the fields, the product and
    /// the limit. The docs decide the severity: `error` where the server rejects a larger
    /// image, `warning` where it resizes it.
    ProductLimit {
        /// The numeric fields multiplied (at least two field paths).
        fields: Vec<String>,
        /// Optional condition; without one the rule always applies.
        #[serde(default)]
        when: Option<Condition>,
        /// The largest product allowed, inclusive.
        #[serde(default)]
        max: Option<f64>,
        /// The smallest product allowed, inclusive.
        #[serde(default)]
        min: Option<f64>,
        /// `error` (the default) refuses the request; `warning` sends it and tells the caller.
        #[serde(default)]
        severity: Severity,
        /// Why, from the docs.
        #[serde(default)]
        message: Option<String>,
    },
    /// Exactly one of these optional fields must be present.
    ExactlyOneOf {
        /// Field paths.
        fields: Vec<String>,
        /// `error` (the default) refuses the request; `warning` sends it and tells the caller.
        #[serde(default)]
        severity: Severity,
        /// Why, from the docs.
        #[serde(default)]
        message: Option<String>,
    },
}

impl Rule {
    /// How strongly the rule applies.
    pub fn severity(&self) -> Severity {
        match self {
            Rule::Requires { severity, .. }
            | Rule::Forbids { severity, .. }
            | Rule::OnlyWith { severity, .. }
            | Rule::LimitWhen { severity, .. }
            | Rule::AllowedValuesWhen { severity, .. }
            | Rule::ProductLimit { severity, .. }
            | Rule::ExactlyOneOf { severity, .. } => *severity,
        }
    }

    /// The rule's message from the docs, if it has one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Rule::Requires { message, .. }
            | Rule::Forbids { message, .. }
            | Rule::OnlyWith { message, .. }
            | Rule::LimitWhen { message, .. }
            | Rule::AllowedValuesWhen { message, .. }
            | Rule::ProductLimit { message, .. }
            | Rule::ExactlyOneOf { message, .. } => message.as_deref(),
        }
    }
}

/// How strongly a rule applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The docs say the server rejects the request: `validate()` fails, nothing is sent.
    #[default]
    Error,
    /// The docs say the server ignores the parameter: the request is sent and the
    /// caller gets a warning (returned by `validate()`, given to the client's observer).
    Warning,
}

/// A condition on the request: a test of one field (`field` with exactly one of
/// `equals`, `one_of`, `present`, `family`), or exactly one combination of other
/// conditions (`any_of`, `all_of`, `not`) without `field`:
/// `{any_of: [{field: background, present: true}, {field: quality, equals: hd}]}`,
/// `{not: {field: stream, equals: true}}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Field path the condition reads.
    #[serde(default)]
    pub field: Option<String>,
    /// Holds when the field equals this value.
    #[serde(default)]
    pub equals: Option<Value>,
    /// Holds when the field equals one of these values.
    #[serde(default)]
    pub one_of: Vec<Value>,
    /// Holds when the field is present (`true`) or absent (`false`).
    #[serde(default)]
    pub present: Option<bool>,
    /// Holds when the field names a model of this family (the field must be a models type).
    #[serde(default)]
    pub family: Option<String>,
    /// Holds when at least one of these holds.
    #[serde(default)]
    pub any_of: Vec<Condition>,
    /// Holds when every one of these holds.
    #[serde(default)]
    pub all_of: Vec<Condition>,
    /// Holds when this does not.
    #[serde(default)]
    pub not: Option<Box<Condition>>,
}

/// One HTTP operation.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Identifier in snake_case; becomes the Rust method and the CLI subcommand.
    pub id: String,
    /// One-line summary.
    pub summary: String,
    /// Longer documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path relative to the base URL, with `{param}` placeholders.
    pub path: String,
    /// Path parameters; each placeholder must be declared here.
    #[serde(default)]
    pub path_params: Vec<PathParam>,
    /// Request body, if any.
    #[serde(default)]
    pub request: Option<RequestBody>,
    /// Response body.
    pub response: ResponseBody,
    /// Documented error statuses.
    #[serde(default)]
    pub errors: Vec<ErrorStatus>,
    /// The error envelopes this operation answers with, in the order they are tried,
    /// when they differ from the provider's `envelopes` (RouterHub's Gemini endpoint
    /// answers in Google's format first).
    #[serde(default)]
    pub envelopes: Vec<String>,
    /// Auth schemes this operation accepts, when only some of the provider's; each
    /// must be one of `provider.auth`. Empty means all of them.
    #[serde(default)]
    pub auth: Vec<AuthScheme>,
    /// The operation starts an asynchronous job: its answer says where to poll, and a
    /// generated `<id>_and_wait` method polls until the job ends.
    #[serde(default)]
    pub job: Option<JobDef>,
    /// The largest request body, in bytes, the server takes for this operation, when it
    /// differs from the provider's `max_request_bytes` (which it replaces). Only for an
    /// operation that sends a body (`request.json` or `request.multipart`). Above 0.
    #[serde(default)]
    pub max_request_bytes: Option<u64>,
}

/// An asynchronous job started by an operation: where its status is read, which
/// statuses end it, and how often to ask.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobDef {
    /// Where the job's status is read.
    pub poll: JobPoll,
    /// Top-level field of the status answer holding the job's status: a string, or a
    /// string enum whose values the `states` lists then use. Leave it out for an API
    /// that tells progress by HTTP status (Stability's `GET /v2beta/results/{id}`: `202`
    /// while running, `200` with the result): the status operation then has
    /// `response.statuses`, and the status is the `name` of the one that answered
    /// (`in_progress`, `finished`), which the `states` lists use; a success status the
    /// docs do not list is pending.
    #[serde(default)]
    pub status_field: Option<String>,
    /// Status values by what they mean (`done` needs one, no value in two lists); a
    /// status listed nowhere counts as pending (it is shown as progress, and the
    /// deadline still ends the wait).
    pub states: JobStates,
    /// The documented polling pace.
    #[serde(default)]
    pub pace: JobPace,
    /// Hosts other than the base URL's that may receive the API key when a polling
    /// URL points at them: a lowercase host name (`api.eu.bfl.ai`) or `*.` and one
    /// (`*.bfl.ai`, its subdomains only), no scheme, port or path, never `*` alone.
    /// Any other host gets no key (the base URL's origin always does).
    #[serde(default)]
    pub trusted_hosts: Vec<String>,
    /// Dotted path in the status answer (`result.sample`) of the finished job's result
    /// URL: a `url` or `string` field reached through object fields. A generated
    /// `<id>_download_result` fetches it (a signed URL that expires: the key goes only
    /// to the base URL's origin and `trusted_hosts`), and the CLI's `--wait` saves it. Needs
    /// `status_field`: a job answered by status has no one JSON answer to read it from.
    #[serde(default)]
    pub result_url: Option<String>,
}

/// Where a job's status is read.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPoll {
    /// Top-level `url` or `string` field of the start operation's answer (its
    /// `response.json`, an object) holding an absolute URL to `GET` for the status,
    /// possibly on another host (see `trusted_hosts`). Exactly one of `url_field` and
    /// `operation`.
    #[serde(default)]
    pub url_field: Option<String>,
    /// With `url_field`: the object type the polling URL answers with.
    #[serde(default)]
    pub answer: Option<String>,
    /// Or: the id of an operation of this spec that reads the status, given the job's id
    /// as its one argument: either its one path parameter (string or integer), with no
    /// request body (a `request.params` whose fields are all optional is fine: the wait
    /// sends none of them), or no path parameter and `request.params` whose one required
    /// field is a string or integer `in: query` (BFL's `GET /v1/get_result?id=`); a JSON
    /// object answer (or `response.statuses`, without `status_field`).
    #[serde(default)]
    pub operation: Option<String>,
    /// With `operation`: top-level string or integer field of the start answer holding
    /// the job's id.
    #[serde(default)]
    pub id_field: Option<String>,
}

/// Status values by what they mean for the job.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobStates {
    /// Still running (`Pending`, `Queued`).
    #[serde(default)]
    pub pending: Vec<String>,
    /// Finished: the status answer is the result (`Ready`).
    pub done: Vec<String>,
    /// Failed (`Error`).
    #[serde(default)]
    pub failed: Vec<String>,
    /// Refused by moderation (`Content Moderated`).
    #[serde(default)]
    pub moderated: Vec<String>,
    /// Gone: expired or unknown to the server (`Task not found`).
    #[serde(default)]
    pub expired: Vec<String>,
}

/// How often to poll, from the docs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPace {
    /// First wait between polls, in milliseconds (above 0).
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
    /// Longest wait between polls, in milliseconds (at least `interval_ms`).
    #[serde(default = "default_max_interval_ms")]
    pub max_interval_ms: u64,
    /// Multiplier of the wait after each poll (at least 1; 1 keeps it fixed).
    #[serde(default = "default_backoff")]
    pub backoff: f64,
    /// Longest wait from the first poll for the job to end, in seconds (above 0).
    #[serde(default = "default_deadline_s")]
    pub deadline_s: u64,
}

impl Default for JobPace {
    fn default() -> Self {
        Self {
            interval_ms: default_interval_ms(),
            max_interval_ms: default_max_interval_ms(),
            backoff: default_backoff(),
            deadline_s: default_deadline_s(),
        }
    }
}

fn default_interval_ms() -> u64 {
    500
}

fn default_max_interval_ms() -> u64 {
    5_000
}

fn default_backoff() -> f64 {
    1.5
}

fn default_deadline_s() -> u64 {
    600
}

impl Operation {
    /// Whether the operation sends a request body (JSON, a multipart form, or either).
    pub fn sends_body(&self) -> bool {
        self.request.as_ref().is_some_and(|r| r.json.is_some() || r.multipart.is_some())
    }

    /// The largest request body the server takes, in bytes: the operation's own limit,
    /// else the provider's for an operation that sends a body.
    pub fn max_request_bytes(&self, provider: &Provider) -> Option<u64> {
        match self.max_request_bytes {
            Some(own) => Some(own),
            None => provider.max_request_bytes.filter(|_| self.sends_body()),
        }
    }

    /// The JSON type a response example with `status` is read as: with `statuses`, the
    /// body of that status (200 when the example names none); else the response's `json`.
    pub fn response_json(&self, status: Option<u16>) -> Option<&TypeRef> {
        if self.response.statuses.is_empty() {
            return self.response.json.as_ref();
        }
        let status = status.unwrap_or(200);
        self.response.statuses.iter().find(|s| s.status == status).and_then(|s| s.json.as_ref())
    }
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

/// A `{param}` in the path.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathParam {
    /// Placeholder name.
    pub name: String,
    /// Type expression (`string` or an enum / models type).
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// A prefix the server treats as optional (`google/`); it is stripped before sending.
    #[serde(default)]
    pub optional_prefix: Option<String>,
}

/// The request: a JSON body, a multipart form (text fields alone are fine), both as
/// separate functions, or, for an operation that sends no body (a GET), an object of
/// query parameters and headers.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// Object type sent as JSON.
    #[serde(default)]
    pub json: Option<String>,
    /// Object type sent as `multipart/form-data`.
    #[serde(default)]
    pub multipart: Option<String>,
    /// Object type of an operation without a body whose every field says `in: query`
    /// or `in: header` (BFL's `GET /v1/get_result?id=`): the method takes it as its
    /// argument, and nothing is sent in the body.
    #[serde(default)]
    pub params: Option<String>,
}

/// The response body.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    /// Type of the JSON response.
    #[serde(default)]
    pub json: Option<TypeRef>,
    /// Events type of a server-sent event stream response.
    #[serde(default)]
    pub sse: Option<String>,
    /// Boolean request field that switches the response from JSON to the stream.
    #[serde(default)]
    pub stream_flag: Option<String>,
    /// Raw bytes (an image or any file) with the media types the docs list
    /// (`image/png`, `image/*`). The method returns `runtime::BinaryBody` (the bytes and
    /// their media type); with `json` too, the response's `content-type` decides which
    /// one arrived (`runtime::JsonOrBinary`), as for an API whose `accept` header picks
    /// raw bytes or base64 JSON.
    #[serde(default)]
    pub binary: Option<BinaryResponse>,
    /// Success statuses that each have a body of their own (`202` while a job runs, `200`
    /// with its result). The method returns a generated `<Operation>Answer` enum, one
    /// variant per status plus `Other` (a success status the docs do not list, kept whole
    /// as `runtime::RawAnswer`). With `statuses`, the response has no `json`, `sse` or
    /// `binary` of its own.
    #[serde(default)]
    pub statuses: Vec<StatusResponse>,
    /// Response headers the docs describe (a seed, a finish reason, rate limits), read
    /// into a typed struct `<Operation>Headers` beside the body (see
    /// `runtime::Response::typed_headers`).
    #[serde(default)]
    pub headers: Vec<ResponseHeader>,
}

/// A success status with a body of its own.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusResponse {
    /// The status, 200-299.
    pub status: u16,
    /// The answer's name in snake_case (`in_progress`): the enum variant.
    pub name: String,
    /// What it means, from the docs.
    #[serde(default)]
    pub description: Option<String>,
    /// Type of its JSON body.
    #[serde(default)]
    pub json: Option<TypeRef>,
    /// Its raw-bytes body; with `json` too, the content type decides.
    #[serde(default)]
    pub binary: Option<BinaryResponse>,
}

/// A response of raw bytes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BinaryResponse {
    /// Media types the docs list, `type/subtype` with `*` allowed (`image/*`); sent as
    /// the request's `Accept` header, in this order.
    pub media_types: Vec<String>,
    /// What the bytes are, from the docs.
    #[serde(default)]
    pub description: Option<String>,
}

/// A response header the docs describe.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseHeader {
    /// Header name in lowercase (`finish-reason`).
    pub name: String,
    /// `string`, `integer`, `number`, `boolean` or a string enum type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Override for the Rust field name.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
}

/// A documented error status.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorStatus {
    /// HTTP status code.
    pub status: u16,
    /// What it means, from the docs.
    pub description: String,
    /// Whether the docs say to retry it: `true` retries it even when it is not one of
    /// the statuses retried by default (408, 429, 500, 502, 503, 504); `false` never
    /// retries it ("try a different model"). Absent: the default for the status.
    /// The envelope's own verdicts (`retryable`, `retry` rules) come first.
    #[serde(default)]
    pub retryable: Option<bool>,
}

/// A request, response or error example from the docs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Identifier in snake_case.
    pub name: String,
    /// Operation id the example belongs to.
    pub operation: String,
    /// What the example shows.
    pub kind: ExampleKind,
    /// HTTP status, for error examples.
    #[serde(default)]
    pub status: Option<u16>,
    /// Documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Path parameter values, for request examples.
    #[serde(default)]
    pub path_params: std::collections::BTreeMap<String, String>,
    /// Strings in `body` that the docs use in place of real base64 data
    /// (`<BASE64_ENCODED_IMAGE>`, `iVBORw0KGgo...`); tests substitute a real image.
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// For a multipart request: each file part's field name and the file name the docs
    /// upload (`image: source.png`); tests send a small real image under that name.
    /// `body` then holds the form's text fields.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
    /// Where `body` deliberately differs from the docs, and why (a doc example that
    /// omits a required field, say). Each path must exist in `body`.
    #[serde(default)]
    pub amended: Vec<Amendment>,
    /// The body exactly as the docs give it.
    pub body: Value,
}

/// A deliberate difference between a stored example and the docs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// Dotted path in the example's `body` (`model`, `images.0.image_url`).
    pub path: String,
    /// Why the example differs from the docs.
    pub reason: String,
}

/// Which side of an exchange an example shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExampleKind {
    /// A JSON request body.
    Request,
    /// A successful JSON response body.
    Response,
    /// An error response body.
    Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(
        min_side: Option<u64>,
        max_side: Option<u64>,
        pixels: (Option<u64>, Option<u64>),
        ratio: Option<(&str, &str)>,
    ) -> ImageLimits {
        ImageLimits {
            min_side,
            max_side,
            min_pixels: pixels.0,
            max_pixels: pixels.1,
            aspect_ratio: ratio.map(|(min, max)| AspectRatioRange { min: min.to_string(), max: max.to_string() }),
        }
    }

    #[test]
    fn the_smallest_image_meeting_stabilitys_limits_is_64_pixels_square() {
        let stability = limits(Some(64), None, (Some(4_096), Some(9_437_184)), Some(("1:2.5", "2.5:1")));
        assert_eq!(stability.example_size(), Some((64, 64)));
        let upscale_fast = limits(Some(32), Some(1_536), (Some(1_024), Some(1_048_576)), None);
        assert_eq!(upscale_fast.example_size(), Some((32, 32)));
    }

    #[test]
    fn a_range_without_1_1_gives_the_ratio_nearest_it() {
        assert_eq!(limits(None, None, (Some(30_000), None), Some(("3:1", "4:1"))).example_size(), Some((300, 100)));
        assert_eq!(limits(Some(10), None, (None, None), Some(("1:3", "1:2"))).example_size(), Some((10, 20)));
        // 7:3 is no whole multiple: the width is rounded until the ratio is inside.
        let (w, h) = limits(Some(5), None, (None, None), Some(("7:3", "7:3"))).example_size().expect("7x3 fits");
        assert_eq!(w * 3, h * 7, "{w}x{h} is not 7:3");
        assert_eq!(limits(None, Some(100), (None, None), Some(("3:1", "4:1"))).example_size(), Some((3, 1)));
    }

    #[test]
    fn limits_that_exclude_every_image_have_no_example() {
        assert_eq!(limits(Some(4_000), None, (None, Some(1_000_000)), None).example_size(), None);
        assert_eq!(limits(None, Some(100), (Some(20_000), None), None).example_size(), None);
        assert_eq!(limits(Some(5_000_000_000), None, (None, None), None).example_size(), None, "no PNG that large");
    }
}
