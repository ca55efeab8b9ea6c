//! Client configuration: the builder, auth, and the shared HTTP client that
//! emitted operations call.
//!
//! The API key lives only inside a sensitive `HeaderValue` (and the client's
//! `Redactor`, which scrubs it from anything a server echoes back); every
//! `Debug` prints `<redacted>` instead, and errors never carry request headers.

use std::fmt;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;

use super::binary::{BinaryBody, JsonOrBinary, RawAnswer};
use super::config::ClientConfig;
use super::destination::Target;
use super::error::{ConfigError, DecodeError, EncodeError, Error};
use super::image::CollectImages;
use super::json_stream::ArrivedBody;
use super::multipart::MultipartForm;
use super::observe::{HttpEvent, Observer};
use super::redact::{redact_url_query, Redactor};
use super::response::Response;
use super::retry::RetryPolicy;
use super::save_as_arrived::{ImageWriter, SaveImagesTo};
use super::sse::{EventStream, SseEvent};
use super::trace;
use super::transport::{Payload, Reply, ResponseMode};
use super::validate::{ValidationError, Warnings};
use super::wire_request::WireRequest;
use super::{AuthScheme, OperationInfo, ProviderHeader, ProviderInfo};

/// Redirects followed within the configured origin before giving up.
pub(super) const MAX_REDIRECTS: usize = 10;

/// A provider's client type, emitted per provider; it wraps an [`HttpClient`].
pub trait ProviderClient: Sized {
    /// The provider this client talks to.
    const PROVIDER: &'static ProviderInfo;

    /// Wraps a configured HTTP client.
    fn from_http_client(http: HttpClient) -> Self;

    /// The HTTP client operations are sent through.
    fn http_client(&self) -> &HttpClient;

    /// A builder for this client.
    fn builder() -> ClientBuilder<Self> {
        ClientBuilder::new()
    }
}

/// Configures and builds a provider client. Each setter writes one field of the
/// [`ClientConfig`] it wraps; a config filled elsewhere starts a builder with
/// [`ClientBuilder::from_config`].
pub struct ClientBuilder<C: ProviderClient> {
    config: ClientConfig,
    _client: PhantomData<fn() -> C>,
}

impl<C: ProviderClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: ProviderClient> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder").field("provider", &C::PROVIDER.name).field("config", &self.config).finish()
    }
}

impl<C: ProviderClient> ClientBuilder<C> {
    /// A builder with the provider's defaults ([`ClientConfig::default`]).
    pub fn new() -> Self {
        Self::from_config(ClientConfig::default())
    }

    /// A builder starting from `config`, every setting of which the setters may still change.
    pub fn from_config(config: ClientConfig) -> Self {
        Self { config, _client: PhantomData }
    }

    /// The settings so far.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The settings so far, to keep or to hand to another provider's builder.
    pub fn into_config(self) -> ClientConfig {
        self.config
    }

    /// The API key; without it, the provider's environment variable is read.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_key = Some(key.into());
        self
    }

    /// Replaces the provider's default base URL (a proxy, a mock server). Without it, the
    /// `<PROVIDER>_BASE_URL` environment variable is read (`OCTEN_BASE_URL`, see
    /// [`ProviderInfo::base_url_env`](super::ProviderInfo::base_url_env)), then the provider's default.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config.base_url = Some(url.into());
        self
    }

    /// How the key is sent; must be one the provider accepts. Defaults to its first.
    pub fn auth_scheme(mut self, scheme: AuthScheme) -> Self {
        self.config.auth_scheme = Some(scheme);
        self
    }

    /// Uses a caller-built reqwest client (shared pools, proxies).
    ///
    /// Its redirect policy is the caller's: build it with
    /// [`same_origin_redirect_policy`] (or `Policy::none()`) so that the key,
    /// sent in a custom header, never follows a redirect to another host.
    /// `connect_timeout` does not apply to it; `timeout` still does.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.config.http_client = Some(client);
        self
    }

    /// Deadline for establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Deadline for one attempt from connecting until the body (or stream) is fully read.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = Some(user_agent.into());
        self
    }

    /// Replaces the retry policy (including its retry count).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.config.retry_policy = policy;
        self
    }

    /// Sets how many times a request may be re-sent; 0 disables retries.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.config.retry_policy = self.config.retry_policy.with_max_retries(max_retries);
        self
    }

    /// Allows `http://` to non-loopback hosts (the key then travels in clear text).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config.allow_insecure_http = allow;
        self
    }

    /// Caps a response body (or one streamed event), in bytes.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.config.max_response_bytes = max;
        self
    }

    /// Also retries requests that failed after they may have reached the server
    /// (timeouts, dropped connections). Off by default: image generation is paid
    /// and a retry may generate, and bill, twice.
    pub fn retry_timeouts_after_send(mut self, retry: bool) -> Self {
        self.config.retry_timeouts_after_send = retry;
        self
    }

    /// Builds each request exactly as it would be sent (URL, headers, body) and
    /// returns it as [`Error::DryRun`] instead of sending it. Requests are still
    /// validated first, so an invalid one fails as usual. For one call on an ordinary
    /// client, the generated `<operation>_dry_run` methods return the request as a value.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.config.dry_run = dry_run;
        self
    }

    /// Calls `observer` with every request sent, response head received and
    /// retry scheduled, secrets redacted: for request logs.
    pub fn observer(mut self, observer: Observer) -> Self {
        self.config.observer = Some(observer);
        self
    }

    /// A header the provider documents for every call (`OpenAI-Organization`,
    /// `stability-client-id`; see [`ProviderInfo::headers`]), sent with every request.
    /// The name is matched in any case; setting it again replaces the value. A name the
    /// provider does not document is refused by [`Self::build`]. Generated clients offer
    /// one typed setter per documented header (their `ClientHeaders` trait).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.config.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.config.headers.push((name, value.into()));
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, Error> {
        self.build_http().map(C::from_http_client).map_err(Error::Config)
    }

    fn build_http(self) -> Result<HttpClient, ConfigError> {
        // Every setting named, so a new one cannot be left unread.
        let ClientConfig {
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
        } = self.config;
        let provider = C::PROVIDER;
        let key = match api_key {
            Some(key) => key,
            None => std::env::var(provider.api_key_env)
                .ok()
                .filter(|k| !k.trim().is_empty())
                .ok_or(ConfigError::MissingApiKey { env: provider.api_key_env })?,
        };
        let scheme = match auth_scheme {
            Some(scheme) => scheme,
            None => *provider
                .auth_schemes
                .first()
                .ok_or(ConfigError::UnsupportedAuthScheme { provider: provider.name, scheme: AuthScheme::Bearer })?,
        };
        if !provider.auth_schemes.contains(&scheme) {
            return Err(ConfigError::UnsupportedAuthScheme { provider: provider.name, scheme });
        }
        let provider_headers = provider_headers(provider, headers)?;
        let secrets = provider_headers.iter().filter(|(_, v)| v.is_sensitive()).filter_map(|(_, v)| v.to_str().ok());
        let redactor = Redactor::for_secrets(&key, secrets);
        let auth = credential(provider.name, scheme, &key)?;
        // Operations that accept only some of the provider's schemes get the same key in
        // one they accept; the credentials are built once, here, like the chosen one.
        let other_auth = provider
            .auth_schemes
            .iter()
            .filter(|s| **s != scheme)
            .filter_map(|s| credential(provider.name, *s, &key).ok().map(|h| (*s, h)))
            .collect();
        // The configured URL, else `<PROVIDER>_BASE_URL` (a proxy or a mock server set
        // from outside the program), else the provider's default.
        let from_env = std::env::var(provider.base_url_env).ok().filter(|u| !u.trim().is_empty());
        let (base_url, base) = check_base_url(
            base_url.as_deref().or(from_env.as_deref()).unwrap_or(provider.default_base_url),
            allow_insecure_http,
            &redactor,
        )?;
        let user_agent = user_agent.unwrap_or_else(|| format!("imagegen-rust/{}", env!("CARGO_PKG_VERSION")));
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| ConfigError::InvalidUserAgent)?;
        let http = match http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(connect_timeout)
                .redirect(same_origin_redirect_policy())
                .build()
                .map_err(ConfigError::HttpClient)?,
        };
        Ok(HttpClient {
            inner: Arc::new(Inner {
                provider,
                base_url,
                base,
                allow_insecure_http,
                auth_scheme: scheme,
                auth,
                other_auth,
                user_agent,
                http,
                timeout,
                retry: retry_policy,
                max_response_bytes,
                retry_after_send: retry_timeouts_after_send,
                dry_run,
                observer,
                redactor,
                extra_headers: HeaderMap::new(),
                provider_headers,
                save_images: None,
            }),
            params: None,
            validation: None,
        })
    }
}

/// How the key travels with a request, built once per client.
#[derive(Clone)]
pub(super) enum Credential {
    /// In this header (`authorization: Bearer <key>`, `x-api-key: <key>`), the value
    /// marked sensitive.
    Header(HeaderName, HeaderValue),
    /// As this query parameter (`?key=<key>`).
    Query(&'static str, String),
}

fn credential(provider: &'static str, scheme: AuthScheme, key: &str) -> Result<Credential, ConfigError> {
    let header = match scheme {
        AuthScheme::Bearer => "authorization",
        AuthScheme::Header(name) => name,
        AuthScheme::Query(param) => return Ok(Credential::Query(param, key.to_string())),
    };
    let name = HeaderName::from_bytes(header.as_bytes())
        .map_err(|_| ConfigError::UnsupportedAuthScheme { provider, scheme })?;
    let value = match scheme {
        AuthScheme::Bearer => HeaderValue::from_str(&format!("Bearer {key}")),
        _ => HeaderValue::from_str(key),
    };
    let mut value = value.map_err(|_| ConfigError::InvalidApiKey)?;
    // Keeps the key out of reqwest/hyper debug output and HPACK tables.
    value.set_sensitive(true);
    Ok(Credential::Header(name, value))
}

/// The provider's documented headers with their values: the configured ones (each must
/// be documented), then, for those left out, their environment variables. Secret values
/// are marked sensitive, which keeps them out of dry runs and request logs.
fn provider_headers(
    provider: &'static ProviderInfo,
    configured: Vec<(String, String)>,
) -> Result<HeaderMap, ConfigError> {
    let mut headers = HeaderMap::new();
    let mut insert = |declared: &ProviderHeader, value: &str| {
        let invalid = || ConfigError::InvalidHeader { name: declared.name.to_string() };
        let name = HeaderName::from_bytes(declared.name.as_bytes()).map_err(|_| invalid())?;
        let mut value = HeaderValue::from_str(value).map_err(|_| invalid())?;
        value.set_sensitive(declared.secret);
        headers.insert(name, value);
        Ok(())
    };
    for (name, value) in &configured {
        let declared = provider.header_named(name).ok_or_else(|| ConfigError::UnknownHeader {
            name: name.clone(),
            provider: provider.title,
            documented: provider.headers,
        })?;
        insert(declared, value)?;
    }
    for declared in provider.headers {
        if configured.iter().any(|(name, _)| name.eq_ignore_ascii_case(declared.name)) {
            continue;
        }
        let from_env = declared.env.and_then(|env| std::env::var(env).ok()).filter(|v| !v.trim().is_empty());
        if let Some(value) = from_env {
            insert(declared, &value)?;
        }
    }
    Ok(headers)
}

/// Validates a base URL and returns it without a trailing slash, and parsed.
fn check_base_url(raw: &str, allow_insecure_http: bool, redactor: &Redactor) -> Result<(String, Url), ConfigError> {
    // The URL is echoed in the error: without credential query values (`?key=`), which
    // is how Google's own APIs take a key, and without the client's key wherever it is.
    let shown = redactor.scrub(&redact_url_query(raw)).into_owned();
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl { url: shown.clone(), reason: reason.to_string() };
    let url = Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Do not echo the URL: it holds credentials.
        return Err(ConfigError::InvalidBaseUrl {
            url: "<redacted>".to_string(),
            reason: "credentials in the URL are not supported; use api_key".to_string(),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a base URL cannot have a query or fragment"));
    }
    let host = url.host_str().ok_or_else(|| invalid("no host"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => return Err(ConfigError::InsecureBaseUrl { host: redactor.scrub(host).into_owned() }),
        other => return Err(invalid(&format!("unsupported scheme `{other}`"))),
    }
    Ok((raw.trim_end_matches('/').to_string(), url))
}

pub(super) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A redirect policy that follows redirects only within the original origin
/// (scheme, host and port), so custom auth headers such as `x-api-key`, which
/// reqwest forwards on redirects, never reach another host. A cross-origin
/// redirect is not followed: the 3xx response surfaces as an API error.
pub fn same_origin_redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().first().is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin || attempt.previous().len() > MAX_REDIRECTS {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// The configured HTTP client shared by a provider client's operations. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    pub(super) inner: Arc<Inner>,
    /// What the next requests carry outside their body (query parameters and headers
    /// from a request's fields), set by [`HttpClient::with_params`] for one call.
    pub(super) params: Option<Arc<super::params::PreparedParams>>,
    /// What the request's `validate()` found, set by [`HttpClient::with_validation`] for
    /// one call: decided with the size of the body the transport builds, so a request
    /// both invalid and too large hears of both.
    pub(super) validation: Option<Result<Warnings, ValidationError>>,
}

#[derive(Clone)]
pub(super) struct Inner {
    pub(super) provider: &'static ProviderInfo,
    pub(super) base_url: String,
    /// The base URL parsed: its origin is the one that always gets the key.
    pub(super) base: Url,
    /// Whether `http://` to hosts other than loopback is allowed (base URL, returned URLs).
    pub(super) allow_insecure_http: bool,
    pub(super) auth_scheme: AuthScheme,
    pub(super) auth: Credential,
    /// The key under each other scheme of the provider, for operations that do not
    /// accept the chosen one.
    pub(super) other_auth: Vec<(AuthScheme, Credential)>,
    pub(super) user_agent: HeaderValue,
    pub(super) http: reqwest::Client,
    pub(super) timeout: Duration,
    pub(super) retry: RetryPolicy,
    pub(super) max_response_bytes: usize,
    pub(super) retry_after_send: bool,
    pub(super) dry_run: bool,
    pub(super) observer: Option<Observer>,
    /// Scrubs the key from every text built from a response.
    pub(super) redactor: Redactor,
    /// Headers added to every request ([`RequestOptions`](super::RequestOptions)).
    pub(super) extra_headers: HeaderMap,
    /// The provider's documented headers this client sends with every request
    /// ([`ClientBuilder::header`]), secret ones marked sensitive.
    pub(super) provider_headers: HeaderMap,
    /// Where a JSON answer's images are written as they are decoded
    /// ([`RequestOptions::save_images_to`](super::RequestOptions::save_images_to)).
    pub(super) save_images: Option<SaveImagesTo>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("HttpClient")
            .field("provider", &inner.provider.name)
            .field("base_url", &inner.base_url)
            .field("auth_scheme", &inner.auth_scheme)
            .field("api_key", &"<redacted>")
            .field("timeout", &inner.timeout)
            .field("retry_policy", &inner.retry)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("retry_timeouts_after_send", &inner.retry_after_send)
            .field("dry_run", &inner.dry_run)
            .field("observer", &inner.observer.is_some())
            .field("headers", &inner.provider_headers.keys().map(HeaderName::as_str).collect::<Vec<_>>())
            .finish()
    }
}

impl HttpClient {
    /// The provider this client talks to.
    pub fn provider(&self) -> &'static ProviderInfo {
        self.inner.provider
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The auth scheme in use.
    pub fn auth_scheme(&self) -> AuthScheme {
        self.inner.auth_scheme
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// A handle for one call whose request carries secrets (fields the spec marks
    /// `secret`): it scrubs their values, as it scrubs the key, from everything the call
    /// shows (its dry run, the request log, errors and their snippets). The same handle
    /// when none is set.
    pub fn with_secrets(&self, secrets: &[Option<&str>]) -> HttpClient {
        let mut values = secrets.iter().flatten().copied().filter(|s| !s.is_empty()).peekable();
        if values.peek().is_none() {
            return self.clone();
        }
        let mut inner = Inner::clone(&self.inner);
        inner.redactor = inner.redactor.with_request_secrets(values);
        HttpClient { inner: Arc::new(inner), params: self.params.clone(), validation: self.validation.clone() }
    }

    /// A handle for one call whose request `validate()` checked, for an operation with a
    /// documented maximum request size: the outcome is held until the body is built and
    /// measured, then the call is refused with every violation at once (the fields', and
    /// the body's size) or its warnings are reported and it is sent. A second outcome
    /// (another check of the same request) joins the first.
    pub fn with_validation(&self, checked: Result<Warnings, ValidationError>) -> HttpClient {
        let validation = self.after_held_validation(checked);
        HttpClient { inner: self.inner.clone(), params: self.params.clone(), validation: Some(validation) }
    }

    /// `checked` joined after the outcome [`Self::with_validation`] holds, if any.
    pub(super) fn after_held_validation(
        &self,
        checked: Result<Warnings, ValidationError>,
    ) -> Result<Warnings, ValidationError> {
        match self.validation.clone() {
            Some(first) => super::validate::combine(first, checked),
            None => checked,
        }
    }

    /// Tells the observer (and, with the `tracing` feature, the subscriber) about each
    /// warning of a valid request before it is sent: the caller asked for a parameter
    /// the server will ignore, which is worth knowing but no reason to refuse.
    pub fn report_warnings(&self, op: &OperationInfo, warnings: &Warnings) {
        for warning in warnings {
            trace::warning(self.inner.provider.name, op.id, warning);
            if let Some(observer) = &self.inner.observer {
                observer.notify(&HttpEvent::Warning { operation: op.id, warning });
            }
        }
    }

    /// Sends a JSON request (or none) and decodes a JSON response.
    ///
    /// The body is serialized once and the same bytes are re-sent on retries.
    pub async fn send_json<B, R>(&self, op: &'static OperationInfo, path: &str, body: Option<&B>) -> Result<R, Error>
    where
        B: serde::Serialize + ?Sized,
        R: serde::de::DeserializeOwned + CollectImages,
    {
        self.send_json_with_response(op, path, body).await.map(Response::into_value)
    }

    /// [`Self::send_json`], the decoded value kept with the response's status and headers.
    pub async fn send_json_with_response<B, R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
    ) -> Result<Response<R>, Error>
    where
        B: serde::Serialize + ?Sized,
        R: serde::de::DeserializeOwned + CollectImages,
    {
        let payload = json_payload(body)?;
        let model = trace::request_model(body);
        let (reply, span) = self.execute(op, path, &payload, ResponseMode::Json, model.as_deref()).await?;
        self.decode_response(op, reply, span).await
    }

    /// Sends a multipart form, rebuilt for each attempt, and decodes a JSON response.
    pub async fn send_multipart<R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<R, Error>
    where
        R: serde::de::DeserializeOwned + CollectImages,
    {
        self.send_multipart_with_response(op, path, form).await.map(Response::into_value)
    }

    /// [`Self::send_multipart`], the decoded value kept with the response's status and headers.
    pub async fn send_multipart_with_response<R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<Response<R>, Error>
    where
        R: serde::de::DeserializeOwned + CollectImages,
    {
        let (reply, span) = self
            .execute(op, path, &Payload::Multipart(form), ResponseMode::Json, trace::form_model(form).as_deref())
            .await?;
        self.decode_response(op, reply, span).await
    }

    /// The request [`Self::send_json`] would send, built and returned instead of sent
    /// (the key redacted), whether or not the client is a dry-run one.
    pub async fn dry_run_json<B>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
    ) -> Result<WireRequest, Error>
    where
        B: serde::Serialize + ?Sized,
    {
        self.wire_request(op, path, &json_payload(body)?, ResponseMode::Json).await
    }

    /// The request [`Self::send_multipart`] would send, body included, returned instead of sent.
    pub async fn dry_run_multipart(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<WireRequest, Error> {
        self.wire_request(op, path, &Payload::Multipart(form), ResponseMode::Json).await
    }

    /// Sends a JSON request (or none) and reads a body of raw bytes (`accept`: the media
    /// types the docs list).
    pub async fn send_json_binary_with_response<B>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
        accept: &'static str,
    ) -> Result<Response<BinaryBody>, Error>
    where
        B: serde::Serialize + ?Sized,
    {
        let answer = self.send_json_raw_with_response(op, path, body, accept).await?;
        answer.into_response(|answer| Ok(answer.binary()))
    }

    /// Sends a multipart form and reads a body of raw bytes.
    pub async fn send_multipart_binary_with_response(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
        accept: &'static str,
    ) -> Result<Response<BinaryBody>, Error> {
        let answer = self.send_multipart_raw_with_response(op, path, form, accept).await?;
        answer.into_response(|answer| Ok(answer.binary()))
    }

    /// Sends a JSON request (or none) and reads raw bytes or a JSON body, as the
    /// response's `content-type` says.
    pub async fn send_json_or_binary_with_response<B, R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
        accept: &'static str,
    ) -> Result<Response<JsonOrBinary<R>>, Error>
    where
        B: serde::Serialize + ?Sized,
        R: serde::de::DeserializeOwned,
    {
        let answer = self.send_json_raw_with_response(op, path, body, accept).await?;
        answer.into_response(|answer| self.json_or_binary_answer(answer))
    }

    /// Sends a multipart form and reads raw bytes or a JSON body, as the response's
    /// `content-type` says.
    pub async fn send_multipart_or_binary_with_response<R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
        accept: &'static str,
    ) -> Result<Response<JsonOrBinary<R>>, Error>
    where
        R: serde::de::DeserializeOwned,
    {
        let answer = self.send_multipart_raw_with_response(op, path, form, accept).await?;
        answer.into_response(|answer| self.json_or_binary_answer(answer))
    }

    /// The request [`Self::send_json_binary_with_response`] would send, returned instead.
    pub async fn dry_run_json_binary<B>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
        accept: &'static str,
    ) -> Result<WireRequest, Error>
    where
        B: serde::Serialize + ?Sized,
    {
        self.wire_request(op, path, &json_payload(body)?, ResponseMode::Raw(accept)).await
    }

    /// The request [`Self::send_multipart_binary_with_response`] would send, returned instead.
    pub async fn dry_run_multipart_binary(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
        accept: &'static str,
    ) -> Result<WireRequest, Error> {
        self.wire_request(op, path, &Payload::Multipart(form), ResponseMode::Raw(accept)).await
    }

    /// Sends a JSON request (or none) and reads the success answer whole, undecoded,
    /// for code that decodes it by status (`accept`: what the statuses' bodies may be).
    pub async fn send_json_raw_with_response<B>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
        accept: &'static str,
    ) -> Result<RawAnswer, Error>
    where
        B: serde::Serialize + ?Sized,
    {
        let payload = json_payload(body)?;
        let model = trace::request_model(body);
        let (reply, span) = self.execute(op, path, &payload, ResponseMode::Raw(accept), model.as_deref()).await?;
        self.raw_answer(reply, &span).await
    }

    /// Sends a multipart form and reads the success answer whole, undecoded.
    pub async fn send_multipart_raw_with_response(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
        accept: &'static str,
    ) -> Result<RawAnswer, Error> {
        let (reply, span) = self
            .execute(op, path, &Payload::Multipart(form), ResponseMode::Raw(accept), trace::form_model(form).as_deref())
            .await?;
        self.raw_answer(reply, &span).await
    }

    /// Decodes an answer's JSON body as `R`; a body that does not parse is a
    /// `DecodeError` keeping the status and the raw body, as for any JSON answer.
    /// The answer is taken whole so its images can be decoded in place in its buffer.
    pub fn json_answer<R: serde::de::DeserializeOwned>(&self, answer: RawAnswer) -> Result<R, Error> {
        let (status, body) = answer.into_status_and_body();
        decode_json(status, body, &self.inner.redactor)
    }

    /// An answer's JSON body decoded as `R` when its `content-type` says JSON, else its
    /// bytes with their media type.
    pub fn json_or_binary_answer<R: serde::de::DeserializeOwned>(
        &self,
        answer: RawAnswer,
    ) -> Result<JsonOrBinary<R>, Error> {
        if answer.is_json() {
            self.json_answer(answer).map(JsonOrBinary::Json)
        } else {
            Ok(JsonOrBinary::Binary(answer.binary()))
        }
    }

    /// Reads a reply whole, undecoded, inside the call's span: a JSON body has its
    /// images decoded as it arrives (as a JSON answer's are), any other body is kept
    /// as the bytes received.
    async fn raw_answer(&self, reply: Reply, span: &trace::CallSpan) -> Result<RawAnswer, Error> {
        let json = reply.is_json();
        let (status, headers, body, _) = self.read_in(span, reply, json).await?;
        Ok(RawAnswer::new(status, self.inner.redactor.scrub_headers(&headers).into_owned(), body))
    }

    /// GETs an absolute URL (a polling URL a submit answer returned, maybe on another
    /// host) and decodes its JSON answer; `op` is the status operation (its error
    /// envelope, retryable statuses and auth schemes).
    ///
    /// The key goes only to the configured origin or a host in `trusted_hosts` (an exact
    /// host, or `*.example.com` for its subdomains); redirects to other origins are
    /// followed, the key dropped unless the new host may have it too. The URL must be
    /// `https` (plain `http` only to loopback, or anywhere when insecure http is
    /// allowed), and its query is hidden wherever it is shown.
    pub async fn get_json_url_with_response<R>(
        &self,
        op: &'static OperationInfo,
        url: &str,
        trusted_hosts: &[&str],
    ) -> Result<Response<R>, Error>
    where
        R: serde::de::DeserializeOwned + CollectImages,
    {
        let target = Target::Url { url, trusted_hosts };
        let (reply, span) = self.execute_to(op, target, &Payload::Empty, ResponseMode::Json, None).await?;
        self.decode_response(op, reply, span).await
    }

    /// Downloads a (signed, short-lived) result URL as raw bytes with its media type,
    /// under the same key policy as [`Self::get_json_url_with_response`]: a URL on
    /// another host gets no key unless `trusted_hosts` names it, and its query (the
    /// signature) is never shown. A non-2xx answer is an [`Error::Api`] as for any call
    /// (status, the provider's envelope when it sent one, the raw body kept).
    pub async fn download(&self, url: &str, trusted_hosts: &[&str]) -> Result<BinaryBody, Error> {
        let op = OperationInfo {
            id: "download",
            method: super::Method::Get,
            path: "",
            envelopes: self.inner.provider.envelopes,
            status_retries: &[],
            auth_schemes: &[],
            model_param: None,
            usage: &[],
            max_request_bytes: None,
        };
        let target = Target::Url { url, trusted_hosts };
        let (reply, span) = self.execute_to(&op, target, &Payload::Empty, ResponseMode::Raw("*/*"), None).await?;
        Ok(self.raw_answer(reply, &span).await?.binary())
    }

    /// Reads a reply in full and decodes it, its headers scrubbed of the key.
    /// The token usage the answer reports goes on the call's span (read from the JSON
    /// text before its images are decoded in place); the span ends when this returns.
    ///
    /// With [`RequestOptions::save_images_to`](super::RequestOptions::save_images_to),
    /// the images decoded while the body arrived are already on disk; the answer's
    /// other (short) images are written now, and the response lists them all.
    async fn decode_response<R: serde::de::DeserializeOwned + CollectImages>(
        &self,
        op: &OperationInfo,
        reply: Reply,
        span: trace::CallSpan,
    ) -> Result<Response<R>, Error> {
        let (status, headers, body, writer) = self.read_in(&span, reply, true).await?;
        let value = self.decode_in(op, &span, status, body)?;
        let writer = writer.or_else(|| self.inner.save_images.as_ref().map(ImageWriter::new));
        let saved = writer.map(|writer| writer.finish(&value)).unwrap_or_default();
        let headers = self.inner.redactor.scrub_headers(&headers).into_owned();
        Ok(Response::new(value, status, headers).with_saved_images(saved))
    }

    /// Reads a reply's body in full inside the call's span; a body that does not
    /// arrive fails the span.
    async fn read_in(
        &self,
        span: &trace::CallSpan,
        reply: Reply,
        json: bool,
    ) -> Result<(u16, HeaderMap, ArrivedBody, Option<ImageWriter>), Error> {
        let read = span.instrument(reply.into_body(self.inner.max_response_bytes, json)).await;
        read.inspect_err(|error| span.fail(error))
    }

    /// Decodes a JSON body on the call's span: the token usage it reports is recorded
    /// first (from the JSON text, before its images are decoded in place), and a body
    /// that does not decode fails the span.
    fn decode_in<R: serde::de::DeserializeOwned>(
        &self,
        op: &OperationInfo,
        span: &trace::CallSpan,
        status: u16,
        body: ArrivedBody,
    ) -> Result<R, Error> {
        span.record_usage(op.usage, body.text());
        decode_json(status, body, &self.inner.redactor).inspect_err(|error| span.fail(error))
    }

    /// Sends a JSON request and streams the server-sent events of the response.
    ///
    /// Only the request is retried; once events flow, a broken stream is
    /// reported and never re-sent.
    pub async fn send_sse<B, E>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
    ) -> Result<EventStream<E>, Error>
    where
        B: serde::Serialize + ?Sized,
        E: SseEvent,
    {
        self.send_sse_with_response(op, path, body).await.map(Response::into_value)
    }

    /// [`Self::send_sse`], the stream kept with the response's status and headers.
    pub async fn send_sse_with_response<B, E>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
    ) -> Result<Response<EventStream<E>>, Error>
    where
        B: serde::Serialize + ?Sized,
        E: SseEvent,
    {
        self.events(op, path, &json_payload(body)?, trace::request_model(body)).await
    }

    /// The request [`Self::send_sse`] (or [`Self::send_sse_or_json`]) would send,
    /// returned instead of sent (the key redacted).
    pub async fn dry_run_sse<B>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
    ) -> Result<WireRequest, Error>
    where
        B: serde::Serialize + ?Sized,
    {
        self.wire_request(op, path, &json_payload(body)?, ResponseMode::EventStream).await
    }

    /// The request [`Self::send_multipart_sse`] would send, returned instead of sent.
    pub async fn dry_run_multipart_sse(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<WireRequest, Error> {
        self.wire_request(op, path, &Payload::Multipart(form), ResponseMode::EventStream).await
    }

    /// Sends a multipart form, rebuilt for each attempt, and streams the server-sent
    /// events of the response; retried and reported as [`Self::send_sse`].
    pub async fn send_multipart_sse<E>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<EventStream<E>, Error>
    where
        E: SseEvent,
    {
        self.send_multipart_sse_with_response(op, path, form).await.map(Response::into_value)
    }

    /// [`Self::send_multipart_sse`], the stream kept with the response's status and headers.
    pub async fn send_multipart_sse_with_response<E>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<Response<EventStream<E>>, Error>
    where
        E: SseEvent,
    {
        self.events(op, path, &Payload::Multipart(form), trace::form_model(form)).await
    }

    /// Asks for a server-sent event stream and takes whatever the server sends: the
    /// events, or, when it answers with one JSON body instead (by its `content-type`),
    /// that body decoded as `R`. Nothing the server generated is dropped.
    pub async fn send_sse_or_json<B, E, R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
    ) -> Result<StreamReply<E, R>, Error>
    where
        B: serde::Serialize + ?Sized,
        E: SseEvent,
        R: serde::de::DeserializeOwned,
    {
        self.send_sse_or_json_with_response(op, path, body).await.map(Response::into_value)
    }

    /// [`Self::send_sse_or_json`], the reply kept with the response's status and headers.
    pub async fn send_sse_or_json_with_response<B, E, R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        body: Option<&B>,
    ) -> Result<Response<StreamReply<E, R>>, Error>
    where
        B: serde::Serialize + ?Sized,
        E: SseEvent,
        R: serde::de::DeserializeOwned,
    {
        self.events_or_json(op, path, &json_payload(body)?, trace::request_model(body)).await
    }

    /// [`Self::send_sse_or_json`] with a multipart form, rebuilt for each attempt.
    pub async fn send_multipart_sse_or_json<E, R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<StreamReply<E, R>, Error>
    where
        E: SseEvent,
        R: serde::de::DeserializeOwned,
    {
        self.send_multipart_sse_or_json_with_response(op, path, form).await.map(Response::into_value)
    }

    /// [`Self::send_multipart_sse_or_json`], the reply kept with the response's status and headers.
    pub async fn send_multipart_sse_or_json_with_response<E, R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        form: &MultipartForm,
    ) -> Result<Response<StreamReply<E, R>>, Error>
    where
        E: SseEvent,
        R: serde::de::DeserializeOwned,
    {
        self.events_or_json(op, path, &Payload::Multipart(form), trace::form_model(form)).await
    }

    /// The event stream of a request, whatever its body. A full body (an error the
    /// transport did not raise, or a server that answered at once) is parsed as events too.
    async fn events<E: SseEvent>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        payload: &Payload<'_>,
        model: Option<String>,
    ) -> Result<Response<EventStream<E>>, Error> {
        let (reply, span) = self.execute(op, path, payload, ResponseMode::EventStream, model.as_deref()).await?;
        let (status, headers) = self.reply_head(&reply);
        let stream = match reply {
            Reply::Stream(response) => EventStream::from_response(response, self.inner.max_response_bytes),
            Reply::Body(status, _, body, _) => EventStream::from_byte_stream(
                futures_util::stream::iter([Ok(body.into_bytes())]),
                status,
                self.inner.max_response_bytes,
            ),
        };
        let stream = stream.with_redactor(self.inner.redactor.clone()).with_call_span(span, op.usage);
        Ok(Response::new(stream, status, headers))
    }

    /// A reply's status and headers, the headers scrubbed of the key.
    fn reply_head(&self, reply: &Reply) -> (u16, HeaderMap) {
        let (status, headers) = match reply {
            Reply::Stream(response) => (response.status().as_u16(), response.headers()),
            Reply::Body(status, headers, ..) => (*status, headers),
        };
        (status, self.inner.redactor.scrub_headers(headers).into_owned())
    }

    /// The events, or the one JSON response, of a request that asked for a stream.
    async fn events_or_json<E, R>(
        &self,
        op: &'static OperationInfo,
        path: &str,
        payload: &Payload<'_>,
        model: Option<String>,
    ) -> Result<Response<StreamReply<E, R>>, Error>
    where
        E: SseEvent,
        R: serde::de::DeserializeOwned,
    {
        let (reply, span) = self.execute(op, path, payload, ResponseMode::EventStream, model.as_deref()).await?;
        let (status, headers) = self.reply_head(&reply);
        let value = match reply {
            Reply::Stream(response) => StreamReply::Events(
                EventStream::from_response(response, self.inner.max_response_bytes)
                    .with_redactor(self.inner.redactor.clone())
                    .with_call_span(span, op.usage),
            ),
            // The server answered with one JSON body instead of events.
            Reply::Body(status, _, body, _) => StreamReply::Response(self.decode_in(op, &span, status, body)?),
        };
        Ok(Response::new(value, status, headers))
    }
}

/// What a call that asked for a stream got back: the events, or a single response
/// when the server chose not to stream.
// Returned once and matched at once; boxing the stream would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum StreamReply<E, R> {
    /// The server streamed events.
    Events(EventStream<E>),
    /// The server answered with one JSON response instead.
    Response(R),
}

fn json_payload<B: serde::Serialize + ?Sized>(body: Option<&B>) -> Result<Payload<'static>, Error> {
    match body {
        None => Ok(Payload::Empty),
        Some(body) => super::json_body::to_vec(body)
            .map(|bytes| Payload::Json(Bytes::from(bytes)))
            .map_err(|e| Error::Encode(EncodeError::Json(e))),
    }
}

fn decode_json<R: serde::de::DeserializeOwned>(
    status: u16,
    body: ArrivedBody,
    redactor: &Redactor,
) -> Result<R, Error> {
    if !body.is_whole() {
        // Images decoded while the body arrived; the body comes back whole with an error.
        return super::json_body::from_arrived(body)
            .map_err(|e| Error::Decode(Box::new(DecodeError::from_body(status, e.error, e.body, redactor))));
    }
    let bytes = body.into_bytes();
    // An empty success body means "no content": let `()` and `Option` decode from it.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return super::base64::parse_json(b"null", |json| serde_json::from_slice(json))
            .map_err(|e| Error::Decode(Box::new(DecodeError::from_body(status, e, bytes, redactor))));
    }
    // Images are decoded in place: the body buffer becomes theirs, and it comes
    // back intact with an error.
    super::json_body::from_body(bytes)
        .map_err(|e| Error::Decode(Box::new(DecodeError::from_body(status, e.error, e.body, redactor))))
}
