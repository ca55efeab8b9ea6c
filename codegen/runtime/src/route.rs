//! A request path read back against the spec's path template it was built from
//! (`/v1beta/models/{model}:generateContent`), segment by segment: which operation a
//! mock server's request is for, and a call's model for its tracing span.

use std::collections::BTreeMap;

/// The path parameters of `path` when it fits `template`, else `None`. A
/// placeholder takes the part of one segment between its literal prefix and
/// suffix (at most one placeholder per segment, which is all specs write) and
/// is percent-decoded, the inverse of [`encode_path_segment`](crate::encode_path_segment).
pub(crate) fn match_path(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
    let template_segments: Vec<&str> = template.split('/').collect();
    let path_segments: Vec<&str> = path.split('/').collect();
    if template_segments.len() != path_segments.len() {
        return None;
    }
    let mut params = BTreeMap::new();
    for (pattern, segment) in template_segments.iter().zip(&path_segments) {
        match placeholder(pattern) {
            None if pattern == segment => {}
            None => return None,
            Some((prefix, name, suffix)) => {
                let value = segment.strip_prefix(prefix)?.strip_suffix(suffix)?;
                if value.is_empty() {
                    return None;
                }
                params.insert(name.to_string(), percent_decode(value));
            }
        }
    }
    Some(params)
}

/// `(prefix, name, suffix)` of a segment holding `{name}`.
fn placeholder(segment: &str) -> Option<(&str, &str, &str)> {
    let open = segment.find('{')?;
    let close = open + segment[open..].find('}')?;
    Some((&segment[..open], &segment[open + 1..close], &segment[close + 1..]))
}

/// Decodes `%XX` escapes; a malformed escape or non-UTF-8 result keeps the raw text,
/// so validation reports the value as the client sent it.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                None => return raw.to_string(),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_paths_match_only_themselves() {
        assert_eq!(match_path("/v1/images/generations", "/v1/images/generations"), Some(BTreeMap::new()));
        assert_eq!(match_path("/v1/images/generations", "/v1/images/edits"), None);
        assert_eq!(match_path("/v1/images/generations", "/v1/images/generations/x"), None);
    }

    #[test]
    fn a_placeholder_with_a_suffix_captures_the_decoded_model() {
        let params = match_path("/v1beta/models/{model}:generateContent", "/v1beta/models/a%2Fb:generateContent");
        assert_eq!(params.and_then(|p| p.get("model").cloned()).as_deref(), Some("a/b"));
        assert_eq!(match_path("/v1beta/models/{model}:generateContent", "/v1beta/models/:generateContent"), None);
        assert_eq!(match_path("/v1beta/models/{model}:generateContent", "/v1beta/models/m:streamContent"), None);
    }

    #[test]
    fn malformed_escapes_are_kept_as_sent() {
        assert_eq!(percent_decode("a%zzb"), "a%zzb");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%20b"), "a b");
    }
}
