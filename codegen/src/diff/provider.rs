//! Provider facts: the module users import, the default base URL, how the key
//! travels, where it is read from, and which error envelopes are read.

use super::change::{Area, Changes};
use crate::ir::{AuthIr, ProviderHeaderIr, ProviderIr};

/// Compares provider facts.
pub fn compare(out: &mut Changes, old: &ProviderIr, new: &ProviderIr) {
    if old.module != new.module {
        out.breaking(
            Area::Provider,
            format!("imagegen::{}", new.module),
            format!("module and Cargo feature `{}` → `{}`", old.module, new.module),
            "imports and the feature name in Cargo.toml change",
        );
    }
    if old.base_url != new.base_url {
        out.compatible(
            Area::Provider,
            "base URL",
            format!("default base URL `{}` → `{}`", old.base_url, new.base_url),
            "only the default changes; clients that set their own base URL are unaffected and no code changes",
        );
    }
    if old.api_key_env != new.api_key_env {
        out.breaking(
            Area::Provider,
            "Client::from_env",
            format!("API key variable `{}` → `{}`", old.api_key_env, new.api_key_env),
            "`Client::from_env()` no longer finds a key set under the old name",
        );
    }
    auth(out, &old.auth, &new.auth);
    headers(out, old, new);
    super::envelopes::list(out, Area::Provider, "PROVIDER.envelopes", &old.default_envelopes, &new.default_envelopes);
    out.doc("provider description", old.description.as_deref(), new.description.as_deref());
}

fn scheme(a: &AuthIr) -> String {
    match a {
        AuthIr::Bearer => "bearer token".to_string(),
        AuthIr::Header(header) => format!("key in header `{header}`"),
        AuthIr::Query(param) => format!("key in query parameter `{param}`"),
    }
}

fn auth(out: &mut Changes, old: &[AuthIr], new: &[AuthIr]) {
    for a in old.iter().filter(|a| !new.contains(a)) {
        out.breaking(
            Area::Provider,
            "auth",
            format!("auth scheme removed: {}", scheme(a)),
            "clients configured with this scheme no longer authenticate as documented",
        );
    }
    for a in new.iter().filter(|a| !old.contains(a)) {
        out.compatible(
            Area::Provider,
            "auth",
            format!("auth scheme added: {}", scheme(a)),
            "one more way to authenticate; existing configuration keeps working",
        );
    }
    if let (Some(o), Some(n)) = (old.first(), new.first()) {
        if o != n && new.contains(o) {
            out.compatible(
                Area::Provider,
                "auth",
                format!("default auth scheme {} → {}", scheme(o), scheme(n)),
                "the old scheme is still accepted; only the default changes",
            );
        }
    }
}

/// The headers a provider documents for every call are setters of the generated
/// `ClientHeaders` trait (users call it, never implement it) and names the builder
/// accepts: a new one is compatible, a removed one breaks code that sets it.
fn headers(out: &mut Changes, old: &ProviderIr, new: &ProviderIr) {
    fn find<'a>(list: &'a [ProviderHeaderIr], name: &str) -> Option<&'a ProviderHeaderIr> {
        list.iter().find(|h| h.name.eq_ignore_ascii_case(name))
    }
    for o in &old.headers {
        let subject = format!("ClientHeaders::{}", o.rust_name);
        match find(&new.headers, &o.name) {
            None => out.breaking(
                Area::Provider,
                subject,
                format!("header `{}` no longer documented", o.name),
                "its setter is gone, and a builder given the header by name refuses to build",
            ),
            Some(n) if n.rust_name != o.rust_name => out.breaking(
                Area::Provider,
                subject,
                format!("header `{}`: setter `{}` → `{}`", o.name, o.rust_name, n.rust_name),
                "code calling the old setter no longer compiles",
            ),
            Some(n) => {
                if n.secret != o.secret {
                    out.compatible(
                        Area::Provider,
                        subject.clone(),
                        format!("header `{}` {} a secret", o.name, if n.secret { "is now" } else { "is no longer" }),
                        "only whether its value is redacted where the client shows it changes",
                    );
                }
                if n.env != o.env {
                    out.compatible(
                        Area::Provider,
                        subject,
                        format!(
                            "header `{}` read from {} → {}",
                            o.name,
                            o.env.as_deref().map_or("no variable".to_string(), |e| format!("`{e}`")),
                            n.env.as_deref().map_or("no variable".to_string(), |e| format!("`{e}`"))
                        ),
                        "only where an unset value is read from changes",
                    );
                }
            }
        }
    }
    for n in new.headers.iter().filter(|n| find(&old.headers, &n.name).is_none()) {
        out.compatible(
            Area::Provider,
            format!("ClientHeaders::{}", n.rust_name),
            format!("header `{}` documented for every call", n.name),
            "a new setter; clients that do not set it send what they sent before",
        );
    }
}
