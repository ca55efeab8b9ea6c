//! Where one request goes, and whether it carries the API key.
//!
//! Most requests go to the configured base URL plus an operation's path, and always
//! carry the key. Async jobs add URLs a server returned (a polling URL, a signed
//! result URL), possibly on another host. The key policy for those is decided here,
//! once, for every hop of a request:
//!
//! - the key is sent when the URL's origin (scheme, host, port) is the configured
//!   base URL's, or its host is one the spec trusts (`trusted_hosts`: an exact host,
//!   or `*.example.com` for its subdomains only; a bare `*`, a wildcard over a single
//!   label such as `*.com`, and a wildcard against an IP address never match);
//! - `https` is required for every host but loopback unless the client allows insecure
//!   http, whether or not the key travels (a signed URL's query is a credential too);
//! - a redirect is followed hop by hop: the key is decided again for each hop and can
//!   only be dropped along the way, never added, so a host that is not trusted cannot
//!   make the client send an authenticated request anywhere.
//!
//! A returned URL's query (and fragment) is hidden wherever it is shown (errors,
//! the request log, dry runs, tracing), and its values are scrubbed from every text
//! taken from the answer, as the key is.

use std::net::IpAddr;

use reqwest::Url;

use super::client::{is_loopback, HttpClient};
use super::error::{without_query, ConfigError, Error, TimeoutError, TransportError};
use super::redact::{redact_query_values, Redactor};
use super::OperationInfo;

/// A request's target as emitted code names it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target<'a> {
    /// The configured base URL plus this path (and query).
    Path(&'a str),
    /// An absolute URL a server returned, fetched with `GET`; `trusted_hosts` are the
    /// hosts besides the configured origin that may see the key.
    Url { url: &'a str, trusted_hosts: &'a [&'a str] },
}

/// One hop of a request: the URL, whether the key goes with it, and the scrubber for
/// everything shown about it.
#[derive(Debug, Clone)]
pub(super) struct Destination<'a> {
    /// The operation's method; `GET` for a URL a server returned.
    pub(super) method: reqwest::Method,
    pub(super) url: Url,
    /// Whether the auth header (and the per-call extra headers, which belong to the
    /// provider too) is sent.
    pub(super) keyed: bool,
    /// `Some` for a URL a server returned: its query is hidden when shown, and a
    /// redirect to another origin is followed by the transport under the key policy.
    pub(super) trusted_hosts: Option<&'a [&'a str]>,
    /// The client's scrubber, plus the query values of every URL of this request.
    pub(super) redactor: Redactor,
}

impl Destination<'_> {
    /// The URL as errors, logs and dry runs show it.
    pub(super) fn shown(&self, url: &Url) -> String {
        let text = match self.trusted_hosts {
            Some(_) => redact_query_values(url.as_str()),
            None => url.as_str().to_string(),
        };
        self.redactor.scrub(&text).into_owned()
    }

    /// Whether a cross-origin redirect is followed (by the transport, hop by hop).
    pub(super) fn follows_redirects(&self) -> bool {
        self.trusted_hosts.is_some()
    }

    /// Notes another URL this request met (a redirect's `Location`, the final URL of
    /// redirects reqwest followed): its query values are scrubbed too from then on.
    pub(super) fn learn(&mut self, url: &Url) {
        if self.trusted_hosts.is_some() && url.query().is_some() {
            self.redactor = self.redactor.with_url_secrets(url);
        }
    }

    /// The host for tracing's `server.address`: never the query.
    pub(super) fn host(&self) -> Option<&str> {
        self.url.host_str()
    }

    /// For a URL a server returned: the error with the URL in its reqwest cause cut
    /// before the query, since reqwest's `Display` shows it (`error sending request for
    /// url (...)`).
    pub(super) fn scrub_error(&self, error: Error) -> Error {
        if self.trusted_hosts.is_none() {
            return error;
        }
        match error {
            Error::Transport(e) => Error::Transport(TransportError { source: without_query(e.source), ..e }),
            Error::Timeout(e) => Error::Timeout(TimeoutError { source: without_query(e.source), ..e }),
            other => other,
        }
    }
}

impl HttpClient {
    /// Resolves a target into its first hop, refusing URLs the client may not fetch.
    pub(super) fn destination<'a>(&self, op: &OperationInfo, target: Target<'a>) -> Result<Destination<'a>, Error> {
        match target {
            Target::Path(path) => Ok(Destination {
                method: op.method.to_reqwest(),
                url: self.request_url(path)?,
                keyed: true,
                trusted_hosts: None,
                redactor: self.inner.redactor.clone(),
            }),
            Target::Url { url, trusted_hosts } => {
                let parsed = Url::parse(url).map_err(|e| self.refused(url, &format!("not an absolute URL ({e})")))?;
                self.check_fetchable(&parsed)?;
                let keyed = self.key_allowed(&parsed, trusted_hosts);
                let redactor = self.inner.redactor.with_url_secrets(&parsed);
                Ok(Destination {
                    method: reqwest::Method::GET,
                    url: parsed,
                    keyed,
                    trusted_hosts: Some(trusted_hosts),
                    redactor,
                })
            }
        }
    }

    /// The next hop of a redirect from `from` to `location`. The key can only be
    /// dropped: once a hop went without it, no later hop gets it back.
    pub(super) fn redirected<'a>(&self, from: &Destination<'a>, location: &Url) -> Result<Destination<'a>, Error> {
        let trusted_hosts = from.trusted_hosts.unwrap_or_default();
        self.check_fetchable(location)?;
        let mut next = from.clone();
        next.keyed = from.keyed && self.key_allowed(location, trusted_hosts);
        next.url = location.clone();
        next.learn(location);
        Ok(next)
    }

    /// Whether `url` may see the key: the configured origin, or a trusted host.
    fn key_allowed(&self, url: &Url, trusted_hosts: &[&str]) -> bool {
        url.origin() == self.inner.base.origin()
            || url.host_str().is_some_and(|host| trusted_hosts.iter().any(|pattern| host_matches(pattern, host)))
    }

    /// `https`, or `http` to loopback (or anywhere when the client allows it); no
    /// credentials in the URL itself.
    fn check_fetchable(&self, url: &Url) -> Result<(), Error> {
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::Config(ConfigError::RefusedUrl {
                url: "<redacted>".to_string(),
                reason: "it holds credentials".to_string(),
            }));
        }
        let Some(host) = url.host_str() else {
            return Err(self.refused(url.as_str(), "it has no host"));
        };
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.inner.allow_insecure_http || is_loopback(host) => Ok(()),
            "http" => Err(self.refused(
                url.as_str(),
                "plain http:// to a host other than loopback; use https or allow_insecure_http(true)",
            )),
            other => Err(self.refused(url.as_str(), &format!("unsupported scheme `{other}`"))),
        }
    }

    fn refused(&self, url: &str, reason: &str) -> Error {
        let shown = self.inner.redactor.scrub(&redact_query_values(url)).into_owned();
        Error::Config(ConfigError::RefusedUrl { url: shown, reason: reason.to_string() })
    }
}

/// Whether `host` (as a URL holds it: lowercase, IPv6 in brackets) matches a trusted
/// host `pattern`: the same host, or for `*.example.com` any subdomain of
/// `example.com` (not `example.com` itself). Patterns that would trust too much (a
/// bare `*`, `*.com`, a `*` anywhere else) and wildcards against IP addresses match
/// nothing; ports are not part of a pattern.
pub(crate) fn host_matches(pattern: &str, host: &str) -> bool {
    let host = normalize_host(host);
    let pattern = normalize_host(pattern.trim());
    if host.is_empty() || pattern.is_empty() {
        return false;
    }
    let Some(parent) = pattern.strip_prefix("*.") else {
        return !pattern.contains('*') && host == pattern;
    };
    let labels: Vec<&str> = parent.split('.').collect();
    if parent.contains('*') || labels.len() < 2 || labels.iter().any(|label| label.is_empty()) {
        return false;
    }
    if host.parse::<IpAddr>().is_ok() {
        return false;
    }
    host.strip_suffix(parent).and_then(|rest| rest.strip_suffix('.')).is_some_and(|sub| !sub.is_empty())
}

/// Lowercase, without IPv6 brackets or a final dot.
fn normalize_host(host: &str) -> String {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    bare.strip_suffix('.').unwrap_or(bare).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::host_matches;

    #[test]
    fn exact_hosts_match_only_themselves_in_any_case() {
        assert!(host_matches("cdn.example.com", "cdn.example.com"));
        assert!(host_matches("CDN.Example.com", "cdn.example.com"));
        assert!(host_matches("cdn.example.com.", "cdn.example.com"));
        assert!(host_matches("127.0.0.1", "127.0.0.1"));
        assert!(host_matches("::1", "[::1]"));
        assert!(host_matches("[::1]", "[::1]"));
        assert!(!host_matches("cdn.example.com", "example.com"));
        assert!(!host_matches("cdn.example.com", "cdn.example.com.evil.net"));
        assert!(!host_matches("example.com", "evilexample.com"));
        assert!(!host_matches("example.com:443", "example.com"));
    }

    #[test]
    fn a_wildcard_matches_subdomains_only() {
        assert!(host_matches("*.example.com", "a.example.com"));
        assert!(host_matches("*.example.com", "a.b.example.com"));
        assert!(!host_matches("*.example.com", "example.com"));
        assert!(!host_matches("*.example.com", "evilexample.com"));
        assert!(!host_matches("*.example.com", ".example.com"));
        assert!(!host_matches("*.example.com", "a.example.com.evil.net"));
    }

    #[test]
    fn patterns_that_would_trust_too_much_match_nothing() {
        for pattern in ["*", "*.", "*.com", "*.*.com", "a.*.example.com", "*example.com", "", " ", "*.example..com"] {
            for host in ["example.com", "a.example.com", "com", "a.b.example.com", "x"] {
                assert!(!host_matches(pattern, host), "`{pattern}` matched `{host}`");
            }
        }
        assert!(!host_matches("*.0.0.1", "127.0.0.1"), "a wildcard matched an IP address");
        assert!(!host_matches("*.168.1.1", "192.168.1.1"), "a wildcard matched an IP address");
    }
}
