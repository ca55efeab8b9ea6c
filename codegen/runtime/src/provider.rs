//! Static facts about a provider and its operations, emitted from the specs.

/// How the API key travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The raw key in the named header (lowercase), such as `x-api-key`.
    Header(&'static str),
    /// The raw key as the named query parameter (`?key=<key>`), as Google's own APIs
    /// take it. The key is then part of the URL: every URL the client shows (dry runs,
    /// the request log, errors) has it redacted.
    Query(&'static str),
}

impl AuthScheme {
    /// The header that carries the key; `None` when it travels in the query.
    pub fn header_name(self) -> Option<&'static str> {
        match self {
            AuthScheme::Bearer => Some("authorization"),
            AuthScheme::Header(name) => Some(name),
            AuthScheme::Query(_) => None,
        }
    }

    /// The query parameter that carries the key, when it travels in the query.
    pub fn query_param(self) -> Option<&'static str> {
        match self {
            AuthScheme::Query(name) => Some(name),
            AuthScheme::Bearer | AuthScheme::Header(_) => None,
        }
    }
}

impl std::fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthScheme::Bearer => f.write_str("bearer"),
            AuthScheme::Header(name) => f.write_str(name),
            // `query:key`: a name a command line can take (`--auth query:key`) and that no
            // header shares.
            AuthScheme::Query(name) => write!(f, "query:{name}"),
        }
    }
}

/// A provider as its spec describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderInfo {
    /// Short identifier (`octen`).
    pub name: &'static str,
    /// Human-readable name (`Octen`).
    pub title: &'static str,
    /// Base URL that operation paths are appended to.
    pub default_base_url: &'static str,
    /// Environment variable read for the API key.
    pub api_key_env: &'static str,
    /// Environment variable read for the base URL when the builder sets none
    /// (`OCTEN_BASE_URL` beside `OCTEN_API_KEY`; decided by the generator).
    pub base_url_env: &'static str,
    /// Accepted auth schemes; the first is the default.
    pub auth_schemes: &'static [AuthScheme],
    /// The error envelopes its operations answer with, in the order tried (also what a
    /// download's error and the mock server's own errors use).
    pub envelopes: &'static [super::Envelope],
    /// Request headers the provider documents for every call (an organisation, a
    /// client name), set once per client with
    /// [`ClientBuilder::header`](super::ClientBuilder::header).
    pub headers: &'static [ProviderHeader],
}

/// A request header the provider documents for every call (`OpenAI-Organization`,
/// `stability-client-id`): a client sets it once and it goes with every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderHeader {
    /// The header name as the docs spell it.
    pub name: &'static str,
    /// One-line help from the spec.
    pub help: &'static str,
    /// The value is a secret: it is redacted from `Debug` output, dry runs, the request
    /// log and every text built from a response, as the API key is.
    pub secret: bool,
    /// Environment variable read when the client sets no value.
    pub env: Option<&'static str>,
}

impl ProviderInfo {
    /// The documented header named `name`, in any case (HTTP header names are
    /// case-insensitive).
    pub fn header_named(&self, name: &str) -> Option<&'static ProviderHeader> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name))
    }

    /// The auth scheme a command line or a config file names (`bearer`, `x-api-key`,
    /// in any case): the one place a scheme given as text meets the provider's list.
    pub fn auth_scheme_named(&self, name: &str) -> Result<AuthScheme, super::error::ConfigError> {
        self.auth_schemes.iter().copied().find(|scheme| scheme.to_string().eq_ignore_ascii_case(name)).ok_or_else(
            || super::error::ConfigError::UnknownAuthScheme {
                name: name.to_string(),
                provider: self.title,
                accepted: self.auth_schemes,
            },
        )
    }
}

/// HTTP methods used by operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
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

impl Method {
    /// The reqwest method.
    pub fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }

    /// The method name (`POST`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One operation as its spec describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// Operation id (`generate_image`).
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template with `{param}` placeholders.
    pub path: &'static str,
    /// The error envelopes this operation answers with, in the order tried.
    pub envelopes: &'static [super::Envelope],
    /// The docs' verdicts on retrying a status, over the default (408, 429 and 5xx
    /// gateway statuses are retried).
    pub status_retries: &'static [StatusRetry],
    /// Auth schemes this operation accepts; empty means every scheme of the provider.
    /// When the client's scheme is not among them, the key travels in the first one.
    pub auth_schemes: &'static [AuthScheme],
    /// The path parameter that selects the model (`model` in
    /// `/v1beta/models/{model}:generateContent`): read from the request's path into the
    /// call's tracing span as `gen_ai.request.model`, as a body's `model` field is.
    pub model_param: Option<&'static str>,
    /// Where the success answer reports the tokens the call used (OpenAI's
    /// `usage.input_tokens`, Gemini's `usageMetadata.promptTokenCount`): read from the
    /// answer's JSON, or a stream's terminal event, into the call's tracing span as
    /// `gen_ai.usage.input_tokens` and `gen_ai.usage.output_tokens`. A kind may be listed
    /// at several paths; the first one the answer has is read. Empty when the answer
    /// reports none.
    pub usage: &'static [TokenUsage],
    /// The largest request body the server takes, in bytes, when the docs state one
    /// (Stability's 10 MiB): a larger body is refused before anything is sent, with a
    /// [`Constraint::RequestSize`](super::Constraint::RequestSize) violation.
    pub max_request_bytes: Option<u64>,
}

/// Where a success answer reports one kind of token count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenUsage {
    /// Which count this is.
    pub kind: TokenKind,
    /// The JSON keys from the answer's root to the count (`["usage", "input_tokens"]`).
    pub path: &'static [&'static str],
}

/// A kind of token count, named after OpenTelemetry's GenAI usage attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Tokens of the request: `gen_ai.usage.input_tokens`.
    Input,
    /// Tokens the model produced: `gen_ai.usage.output_tokens`.
    Output,
}

/// The docs' verdict on retrying one error status of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRetry {
    /// The HTTP status.
    pub status: u16,
    /// Whether it is retried.
    pub retry: bool,
}

/// Percent-encodes a path parameter so it stays one segment.
pub fn encode_path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(encode_path_segment("gemini-2.5-flash-image"), "gemini-2.5-flash-image");
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
    }

    const TWO_SCHEMES: ProviderInfo = ProviderInfo {
        name: "two",
        title: "Two Schemes",
        default_base_url: "https://api.example.com",
        api_key_env: "TWO_API_KEY",
        base_url_env: "TWO_BASE_URL",
        auth_schemes: &[AuthScheme::Bearer, AuthScheme::Header("x-api-key"), AuthScheme::Query("key")],
        envelopes: &[],
        headers: &[ProviderHeader { name: "OpenAI-Organization", help: "", secret: false, env: None }],
    };

    #[test]
    fn an_auth_scheme_is_found_by_name_in_any_case() {
        assert_eq!(TWO_SCHEMES.auth_scheme_named("bearer").ok(), Some(AuthScheme::Bearer));
        assert_eq!(TWO_SCHEMES.auth_scheme_named("X-Api-Key").ok(), Some(AuthScheme::Header("x-api-key")));
        assert_eq!(TWO_SCHEMES.auth_scheme_named("query:key").ok(), Some(AuthScheme::Query("key")));
    }

    #[test]
    fn a_key_in_the_query_has_no_header_and_a_header_key_no_query_parameter() {
        assert_eq!(AuthScheme::Query("key").header_name(), None);
        assert_eq!(AuthScheme::Query("key").query_param(), Some("key"));
        assert_eq!(AuthScheme::Bearer.header_name(), Some("authorization"));
        assert_eq!(AuthScheme::Header("x-api-key").query_param(), None);
    }

    #[test]
    fn a_documented_header_is_found_in_any_case() {
        assert_eq!(TWO_SCHEMES.header_named("openai-organization").map(|h| h.name), Some("OpenAI-Organization"));
        assert_eq!(TWO_SCHEMES.header_named("OpenAI-Project"), None);
    }

    #[test]
    fn an_unknown_auth_scheme_names_the_provider_and_its_schemes() {
        let error = TWO_SCHEMES.auth_scheme_named("x-goog-api-key").expect_err("not a scheme of this provider");
        assert_eq!(
            error.to_string(),
            "`x-goog-api-key` is not an auth scheme of Two Schemes; use one of bearer, x-api-key, query:key"
        );
    }
}
