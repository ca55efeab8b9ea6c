//! Every setting of a client, as one plain value: what [`ClientBuilder`](super::ClientBuilder)'s
//! setters write, what the command line and the call-by-name path fill in, and what a
//! caller may keep, clone and hand to any provider's client.
//!
//! Settings are decided here once. Nothing is checked until a client is built from the
//! config (`ClientBuilder::from_config(config).build()`), which is also where the
//! provider's environment variables and defaults fill what the config leaves unset.

use std::fmt;
use std::time::Duration;

use super::observe::Observer;
use super::redact::{redact_url_query, Redactor};
use super::retry::RetryPolicy;
use super::wire_request::REDACTED;
use super::AuthScheme;

/// Default deadline for one attempt, body included: 4K image generation can take minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Default deadline for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a response body (or one streamed event): room for several 4K images in base64.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

/// A client's settings, for any provider. `Default` holds the defaults the builder starts
/// from; fill the fields you need and leave the rest with `..ClientConfig::default()`.
///
/// `Debug` never shows the API key.
#[derive(Clone)]
pub struct ClientConfig {
    /// The API key; when `None`, the provider's environment variable is read.
    pub api_key: Option<String>,
    /// Replaces the provider's default base URL (a proxy, a mock server). When `None`, the
    /// `<PROVIDER>_BASE_URL` environment variable is read
    /// ([`ProviderInfo::base_url_env`](super::ProviderInfo::base_url_env)), then the
    /// provider's default.
    pub base_url: Option<String>,
    /// How the key is sent; must be one the provider accepts. When `None`, its first.
    /// A scheme given by name (a command line's `--auth x-api-key`) is resolved with
    /// [`ProviderInfo::auth_scheme_named`](super::ProviderInfo::auth_scheme_named).
    pub auth_scheme: Option<AuthScheme>,
    /// A caller-built reqwest client (shared pools, proxies).
    ///
    /// Its redirect policy is the caller's: build it with
    /// [`same_origin_redirect_policy`](super::same_origin_redirect_policy) (or
    /// `Policy::none()`) so that the key, sent in a custom header, never follows a
    /// redirect to another host. `connect_timeout` does not apply to it; `timeout` still does.
    pub http_client: Option<reqwest::Client>,
    /// Deadline for establishing a connection.
    pub connect_timeout: Duration,
    /// Deadline for one attempt from connecting until the body (or stream) is fully read.
    pub timeout: Duration,
    /// The `User-Agent` header; when `None`, `imagegen-rust/<version>`.
    pub user_agent: Option<String>,
    /// When and how often a request is re-sent, its retry count included.
    pub retry_policy: RetryPolicy,
    /// Allows `http://` to non-loopback hosts (the key then travels in clear text).
    pub allow_insecure_http: bool,
    /// Caps a response body (or one streamed event), in bytes.
    pub max_response_bytes: usize,
    /// Also retries requests that failed after they may have reached the server
    /// (timeouts, dropped connections). Off by default: image generation is paid and a
    /// retry may generate, and bill, twice.
    pub retry_timeouts_after_send: bool,
    /// Builds each request exactly as it would be sent (URL, headers, body) and returns
    /// it as [`Error::DryRun`](super::Error::DryRun) instead of sending it. Requests are
    /// still validated first, so an invalid one fails as usual.
    pub dry_run: bool,
    /// Sees every request sent, response head received, retry scheduled and request
    /// warning, secrets redacted: for request logs.
    pub observer: Option<Observer>,
    /// Values of the headers the provider documents for every call
    /// ([`ProviderInfo::headers`](super::ProviderInfo::headers): an organisation, a client
    /// name), by name in any case; sent with every request. A header left out is read
    /// from its environment variable when the spec names one. A name the provider does
    /// not document is refused when the client is built.
    pub headers: Vec<(String, String)>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: None,
            auth_scheme: None,
            http_client: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: None,
            retry_policy: RetryPolicy::default(),
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry_timeouts_after_send: false,
            dry_run: false,
            observer: None,
            headers: Vec::new(),
        }
    }
}

impl ClientConfig {
    /// Builds a client of provider `C` with these settings: the same checks and defaults
    /// as [`ClientBuilder::build`](super::ClientBuilder::build), which it calls.
    pub fn build<C: super::ProviderClient>(&self) -> Result<C, super::Error> {
        super::ClientBuilder::<C>::from_config(self.clone()).build()
    }
}

// The API key is a secret: it never appears in Debug output, not even where a caller
// pasted it into another setting (a base URL's `?key=`). The destructuring names every
// field, so a new setting cannot be left out of the output unnoticed.
impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            api_key,
            base_url,
            auth_scheme,
            http_client,
            connect_timeout,
            timeout,
            user_agent,
            retry_policy,
            allow_insecure_http,
            max_response_bytes,
            retry_timeouts_after_send,
            dry_run,
            observer,
            headers,
        } = self;
        let redactor = api_key.as_deref().map(Redactor::for_key).unwrap_or_default();
        let shown = |text: &str| redactor.scrub(text).into_owned();
        f.debug_struct("ClientConfig")
            .field("api_key", &api_key.as_ref().map(|_| REDACTED))
            .field("base_url", &base_url.as_deref().map(|url| shown(&redact_url_query(url))))
            .field("auth_scheme", auth_scheme)
            .field("custom_http_client", &http_client.is_some())
            .field("connect_timeout", connect_timeout)
            .field("timeout", timeout)
            .field("user_agent", &user_agent.as_deref().map(shown))
            .field("retry_policy", retry_policy)
            .field("allow_insecure_http", allow_insecure_http)
            .field("max_response_bytes", max_response_bytes)
            .field("retry_timeouts_after_send", retry_timeouts_after_send)
            .field("dry_run", dry_run)
            .field("observer", &observer.is_some())
            // Names only: which values are secrets is the provider's to say, and the
            // config does not know its provider.
            .field("headers", &headers.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>())
            .finish()
    }
}
