//! Per-call settings: a timeout, a retry count or extra headers for some calls,
//! without building (and connecting) a new client.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST};

use super::client::{Credential, HttpClient};
use super::error::{ConfigError, Error};
use super::retry::RetryPolicy;
use super::save_as_arrived::SaveImagesTo;

/// Overrides for the calls made through one client handle, applied by a provider
/// client's `with_options`:
///
/// ```
/// use std::time::Duration;
/// use imagegen_runtime::RequestOptions;
///
/// let options = RequestOptions::new()
///     .timeout(Duration::from_secs(300)) // a 4K image can take minutes
///     .max_retries(0)
///     .header("x-request-source", "nightly-batch");
/// # let _ = options;
/// ```
///
/// The handle shares the original client's connection pool and key; the original
/// is unchanged.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    retry_policy: Option<RetryPolicy>,
    headers: Vec<(String, String)>,
    save_images: Option<SaveImagesTo>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// The whole-request timeout of these calls.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many times these calls may be re-sent (0: never).
    #[must_use]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// A whole retry policy for these calls (a `max_retries` set here still wins).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// A header sent with these calls (an organisation or project id, a trace id).
    /// Headers the client owns (auth, content type and length, accept, host) are refused
    /// when the options are applied.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Writes every image a JSON answer of these calls carries to `dir` as
    /// `<stem>-<n>.<ext>` while it is decoded, so a 4K image is on disk when its last
    /// byte arrives instead of written after the call.
    ///
    /// Files are numbered from 1 as [`save_images`](super::image::save_images) numbers
    /// them (a number a file in `dir` already uses, with any extension, is skipped;
    /// nothing is overwritten), the extension from the image's magic bytes (`bin` when
    /// unknown); `dir` is created if needed. The images stay in the answer as well.
    /// [`Response::saved_images`](super::Response::saved_images) lists the files and
    /// [`Response::unsaved_images`](super::Response::unsaved_images) the images that
    /// could not be written (their partial files removed). A body that fails, or an
    /// answer that does not decode, leaves no file. Event streams and binary answers
    /// are not written.
    #[must_use]
    pub fn save_images_to(mut self, dir: impl Into<std::path::PathBuf>, stem: impl Into<String>) -> Self {
        self.save_images = Some(SaveImagesTo::new(dir, stem));
        self
    }
}

impl HttpClient {
    /// A handle to the same client with `options` applied to its calls.
    pub fn with_options(&self, options: &RequestOptions) -> Result<HttpClient, Error> {
        let mut inner = (*self.inner).clone();
        if let Some(timeout) = options.timeout {
            inner.timeout = timeout;
        }
        if let Some(policy) = &options.retry_policy {
            inner.retry = policy.clone();
        }
        if let Some(max_retries) = options.max_retries {
            inner.retry = inner.retry.clone().with_max_retries(max_retries);
        }
        let auth_header = |credential: &Credential| match credential {
            Credential::Header(name, _) => Some(name.clone()),
            Credential::Query(..) => None,
        };
        let owned: Vec<HeaderName> = std::iter::once(&inner.auth)
            .chain(inner.other_auth.iter().map(|(_, credential)| credential))
            .filter_map(auth_header)
            .chain([AUTHORIZATION, CONTENT_TYPE, CONTENT_LENGTH, ACCEPT, HOST])
            .collect();
        let mut extra = inner.extra_headers.clone();
        for (name, value) in &options.headers {
            let invalid = || Error::Config(ConfigError::InvalidHeader { name: name.clone() });
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            if owned.contains(&header) {
                return Err(Error::Config(ConfigError::ReservedHeader { name: header.to_string() }));
            }
            let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
            extra.append(header, value);
        }
        inner.extra_headers = extra;
        if let Some(save_images) = &options.save_images {
            inner.save_images = Some(save_images.clone());
        }
        Ok(HttpClient {
            inner: std::sync::Arc::new(inner),
            params: self.params.clone(),
            validation: self.validation.clone(),
        })
    }

    /// Headers added to every request by [`RequestOptions::header`].
    pub(super) fn extra_headers(&self) -> &HeaderMap {
        &self.inner.extra_headers
    }
}
