//! Replaying recorded responses on a local server and checking the requests it received.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use imagegen::runtime::json::{first_difference, same_meaning};
use wiremock::{Request, Respond, ResponseTemplate};

use super::case::{json_body, read_case_file, Case, PartSpec, RequestFile, ResponseSpec};

/// Answers the n-th request with the n-th recorded response; the last one repeats.
pub struct Sequence {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        match self.responses.get(n.min(self.responses.len().saturating_sub(1))) {
            Some(response) => response.clone(),
            // A case expecting no request records no response; answer loudly rather than panic.
            None => ResponseTemplate::new(599).set_body_string("conformance: this case records no response"),
        }
    }
}

/// The content type a body file is served with unless the response names one.
fn content_type_for(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "json" => "application/json",
        "sse" => "text/event-stream",
        "html" => "text/html; charset=utf-8",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Stands for the local server's base URL (`http://127.0.0.1:PORT`) in inline response
/// bodies, so a recorded answer can point back at it (a polling URL, a result URL).
pub const SERVER_PLACEHOLDER: &str = "{{server}}";

/// The body bytes of a recorded response, `{{server}}` in an inline body replaced by `server`.
pub fn response_body(case: &Case, spec: &ResponseSpec, server: &str) -> Result<(Bytes, &'static str), String> {
    match (&spec.body, &spec.body_file) {
        (Some(_), Some(_)) => Err("responses.json: give `body` or `body_file`, not both".to_string()),
        (Some(v), None) => {
            let text = serde_json::to_string(v).unwrap_or_default().replace(SERVER_PLACEHOLDER, server);
            Ok((Bytes::from(text), "application/json"))
        }
        (None, Some(f)) => Ok((Bytes::from(read_case_file(&case.dir, f)?), content_type_for(f))),
        (None, None) => Ok((Bytes::new(), "application/octet-stream")),
    }
}

/// Builds the responder for a case served at `server`.
pub fn sequence(case: &Case, server: &str) -> Result<Sequence, String> {
    let mut responses = Vec::new();
    for spec in &case.responses {
        let (body, default_type) = response_body(case, spec, server)?;
        let content_type = spec
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map_or(default_type.to_string(), |(_, v)| v.clone());
        let mut template = ResponseTemplate::new(spec.status).set_body_raw(body.to_vec(), &content_type);
        for (name, value) in &spec.headers {
            if !name.eq_ignore_ascii_case("content-type") {
                template = template.insert_header(name.as_str(), value.as_str());
            }
        }
        responses.push(template);
    }
    Ok(Sequence { responses, next: AtomicUsize::new(0) })
}

/// Whether two `path?query` targets are the same request: equal paths, and the same
/// values for each query parameter, decoded (`+` and `%20` alike), in the same order per
/// parameter (`?tag=a&tag=b`) but in any order between parameters.
fn same_target(actual: &str, expected: &str) -> bool {
    let split = |target: &str| -> (String, BTreeMap<String, Vec<String>>) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Ok(url) = reqwest::Url::parse(&format!("http://target/?{query}")) {
            for (name, value) in url.query_pairs() {
                params.entry(name.into_owned()).or_default().push(value.into_owned());
            }
        }
        (path.to_string(), params)
    };
    split(actual) == split(expected)
}

#[test]
fn query_parameters_compare_by_value_in_any_order_between_names() {
    assert!(same_target("/v1/x?b=2&a=1&tag=p&tag=q", "/v1/x?a=1&tag=p&b=2&tag=q"));
    assert!(same_target("/v1/x?q=a+b", "/v1/x?q=a%20b"));
    assert!(!same_target("/v1/x?tag=q&tag=p", "/v1/x?tag=p&tag=q"), "values of one name keep their order");
    assert!(!same_target("/v1/x?a=1", "/v1/x?a=2"));
    assert!(!same_target("/v1/y?a=1", "/v1/x?a=1"));
    assert!(same_target("/v1/x", "/v1/x"));
}

fn media_type(value: &str) -> String {
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Every way `actual` differs from the expected request; `label` names the attempt.
pub async fn check_request(case: &Case, expected: &RequestFile, actual: &Request, label: &str) -> Vec<String> {
    let mut diffs = Vec::new();
    if !actual.method.as_str().eq_ignore_ascii_case(&expected.method) {
        diffs.push(format!("{label}: method {} (expected {})", actual.method, expected.method));
    }
    let mut path = actual.url.path().to_string();
    if let Some(query) = actual.url.query() {
        path = format!("{path}?{query}");
    }
    if !same_target(&path, &expected.path) {
        diffs.push(format!("{label}: path `{path}` (expected `{}`)", expected.path));
    }
    let header = |name: &str| actual.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    for (name, want) in &expected.headers {
        match header(&name.to_ascii_lowercase()) {
            None => diffs.push(format!("{label}: header `{name}` missing (expected `{want}`)")),
            Some(got) => {
                // `multipart/form-data` carries a random boundary: compare media types unless a parameter is expected.
                let same = if name.eq_ignore_ascii_case("content-type") && !want.contains(';') {
                    media_type(&got) == media_type(want)
                } else {
                    got == *want
                };
                if !same {
                    diffs.push(format!("{label}: header `{name}` is `{got}` (expected `{want}`)"));
                }
            }
        }
    }
    for name in &expected.absent_headers {
        if header(&name.to_ascii_lowercase()).is_some() {
            diffs.push(format!("{label}: header `{name}` must be absent"));
        }
    }
    let forms =
        [expected.no_body, expected.multipart.is_some(), expected.body.is_some() || expected.body_file.is_some()];
    if forms.iter().filter(|f| **f).count() > 1 {
        diffs.push("request.json: give one of `no_body`, `body`/`body_file`, `multipart`".to_string());
        return diffs;
    }
    if expected.no_body && !actual.body.is_empty() {
        diffs.push(format!("{label}: expected no body, got {} bytes", actual.body.len()));
    }
    match json_body(&case.dir, &expected.body, &expected.body_file) {
        Err(e) => diffs.push(format!("request.json: {e}")),
        Ok(None) => {}
        Ok(Some(want)) => match serde_json::from_slice::<serde_json::Value>(&actual.body) {
            Err(e) => diffs.push(format!("{label}: body is not JSON ({e})")),
            Ok(got) if !same_meaning(&got, &want) => {
                let at = first_difference(&got, &want).unwrap_or_default();
                diffs.push(format!("{label}: JSON body differs (sent vs expected) at {at}"));
            }
            Ok(_) => {}
        },
    }
    if let Some(parts) = &expected.multipart {
        diffs.extend(check_multipart(case, parts, actual, label).await);
    }
    diffs
}

/// One part as received.
struct ReceivedPart {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Bytes,
}

async fn parse_multipart(actual: &Request) -> Result<Vec<ReceivedPart>, String> {
    let content_type =
        actual.headers.get("content-type").and_then(|v| v.to_str().ok()).ok_or("no content-type header")?.to_string();
    let boundary = multer::parse_boundary(&content_type).map_err(|e| format!("content-type `{content_type}`: {e}"))?;
    let body = Bytes::from(actual.body.clone());
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        parts.push(ReceivedPart { name, file_name, content_type, bytes });
    }
    Ok(parts)
}

async fn check_multipart(case: &Case, expected: &[PartSpec], actual: &Request, label: &str) -> Vec<String> {
    let received = match parse_multipart(actual).await {
        Ok(parts) => parts,
        Err(e) => return vec![format!("{label}: body is not multipart/form-data: {e}")],
    };
    let mut diffs = Vec::new();
    let names = |parts: Vec<&str>| parts.join(", ");
    let got_names = names(received.iter().map(|p| p.name.as_str()).collect());
    let want_names = names(expected.iter().map(|p| p.name.as_str()).collect());
    if received.len() != expected.len() {
        diffs.push(format!(
            "{label}: {} parts [{got_names}] (expected {} [{want_names}])",
            received.len(),
            expected.len()
        ));
    }
    // Parts match by name; parts sharing a name match in order.
    let mut used = vec![false; received.len()];
    for want in expected {
        let Some(index) = (0..received.len()).find(|&i| !used[i] && received[i].name == want.name) else {
            diffs.push(format!("{label}: part `{}` missing (received [{got_names}])", want.name));
            continue;
        };
        used[index] = true;
        let got = &received[index];
        let part = format!("{label}: part `{}`", want.name);
        if let Some(text) = &want.text {
            if got.file_name.is_some() {
                diffs.push(format!("{part} is a file (expected a text field)"));
            }
            if got.bytes.as_ref() != text.as_bytes() {
                diffs.push(format!("{part} is `{}` (expected `{text}`)", String::from_utf8_lossy(&got.bytes)));
            }
        }
        if want.file_name.is_some() && got.file_name != want.file_name {
            diffs.push(format!("{part} file name {:?} (expected {:?})", got.file_name, want.file_name));
        }
        if let Some(ct) = &want.content_type {
            if got.content_type.as_deref().map(media_type) != Some(media_type(ct)) {
                diffs.push(format!("{part} content type {:?} (expected `{ct}`)", got.content_type));
            }
        }
        let want_bytes = match (&want.file, &want.base64) {
            (Some(f), None) => Some(read_case_file(&case.dir, f)),
            (None, Some(b)) => Some(decode_base64(b)),
            (None, None) => None,
            (Some(_), Some(_)) => Some(Err("give `file` or `base64`, not both".to_string())),
        };
        match want_bytes {
            None => {}
            Some(Err(e)) => diffs.push(format!("request.json: part `{}`: {e}", want.name)),
            Some(Ok(bytes)) if bytes != got.bytes.as_ref() => diffs.push(format!(
                "{part} has {} bytes that differ from the expected {}",
                got.bytes.len(),
                bytes.len()
            )),
            Some(Ok(_)) => {}
        }
    }
    diffs
}

/// Decodes standard base64 through the runtime's own decoder.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    imagegen::runtime::Base64Data::decode(text).map(|d| d.as_bytes().to_vec()).map_err(|e| format!("bad base64: {e}"))
}
