//! The provider block: names and URLs that become Rust items, Cargo features and requests.

use super::{is_snake_word, Checker};
use crate::spec::model::{AuthScheme, Operation};
use crate::spec::positions::{join_index, join_key};

impl Checker<'_> {
    // The provider name becomes a Rust module, a Cargo feature and a CLI word.
    pub(super) fn provider(&mut self) {
        let p = &self.spec.provider;
        if !is_snake_word(&p.name) {
            self.r.error(
                "provider.name",
                format!("provider name `{}` must be lowercase letters, digits and `_`", p.name),
            );
        }
        // The generated crate root already has these items beside the provider modules.
        if ["runtime", "registry"].contains(&p.name.as_str()) {
            self.r.error(
                "provider.name",
                format!("provider name `{}` is taken by the generated crate's own module; choose another", p.name),
            );
        }
        if !(p.base_url.starts_with("https://") || p.base_url.starts_with("http://")) {
            self.r.error("provider.base_url", format!("base URL `{}` must start with https:// or http://", p.base_url));
        }
        if p.base_url.ends_with('/') {
            self.r.error("provider.base_url", "base URL must not end with `/`: operation paths start with one");
        }
        if p.auth.is_empty() {
            self.r.error("provider.auth", "at least one auth scheme is required");
        }
        for (i, a) in p.auth.iter().enumerate() {
            if let AuthScheme::Header { header } = a {
                let valid = !header.is_empty()
                    && header.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !valid {
                    self.r.error(
                        &join_key(&join_index("provider.auth", i), "header"),
                        format!("header name `{header}` must be lowercase letters, digits and `-`"),
                    );
                }
            }
        }
        if !p.api_key_env.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
            self.r.error(
                "provider.api_key_env",
                format!("`{}` is not an environment variable name (A-Z, 0-9, _)", p.api_key_env),
            );
        }
        self.provider_max_request_bytes();
    }

    // A provider-wide body limit applies to the operations that send a body: none at all
    // means the limit guards nothing, a sign it was meant for another spec or operation.
    fn provider_max_request_bytes(&mut self) {
        let Some(max) = self.spec.provider.max_request_bytes else { return };
        let path = "provider.max_request_bytes";
        self.request_limit_above_zero(max, path);
        if max > 0 && !self.spec.operations.iter().any(Operation::sends_body) {
            self.r.error(
                path,
                "`max_request_bytes` applies to operations that send a body (`request.json` or \
                 `request.multipart`), and this spec has none",
            );
        }
    }
}
