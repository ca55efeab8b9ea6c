//! What an error shows of a body or a message: bounded, readable, scrubbed.
//!
//! A provider may answer with a 10 MB message or a 100 KB HTML page; an error
//! message must stay a line a person reads. Everything here cuts long text
//! (noting the full length), summarises HTML pages by their title, and goes
//! through the client's [`Redactor`] before cutting, so a key across the cut is
//! never shown in part. The raw bytes stay in the error, untouched.

use std::borrow::Cow;

use super::redact::Redactor;

/// Bytes kept of a body: enough to recognise a JSON shape or a proxy's text.
pub(crate) const SNIPPET_BYTES: usize = 300;

/// Bytes kept of a provider's message: a long paragraph, not a dump.
pub(crate) const MESSAGE_BYTES: usize = 1_000;

/// Bytes kept of an HTML title.
const TITLE_BYTES: usize = 200;

/// How far into a page its `<title>` is looked for: it sits in the `<head>`.
const TITLE_SEARCH_BYTES: usize = 64 * 1024;

/// `text` cut to at most `limit` bytes on a char boundary, with the full length
/// noted when cut: `"abc… (10485760 bytes in all)"`.
pub(crate) fn shorten(text: &str, limit: usize) -> Cow<'_, str> {
    if text.len() <= limit {
        return Cow::Borrowed(text);
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}… ({} bytes in all)", &text[..end], text.len()))
}

/// A short, scrubbed description of a body for messages: an HTML page as
/// `HTML page "<title>" (<content type>, <n> bytes)`, anything else as its start,
/// cut with the total length noted. `content_type` is the response's, when known.
pub(crate) fn describe_body(body: &[u8], content_type: Option<&str>, redactor: &Redactor) -> String {
    if is_html(body, content_type) {
        return describe_html(body, content_type, redactor);
    }
    snippet(body, redactor)
}

/// The start of `body` as text (invalid UTF-8 replaced), secrets scrubbed, cut
/// at [`SNIPPET_BYTES`] with the total length noted.
pub(crate) fn snippet(body: &[u8], redactor: &Redactor) -> String {
    // Scrub before cutting, over a window reaching one secret past the cut: a key
    // that starts before the cut is replaced whole instead of shown in part.
    let window = &body[..body.len().min(SNIPPET_BYTES + redactor.longest())];
    let text = String::from_utf8_lossy(window);
    let text = redactor.scrub(&text);
    let mut end = text.len().min(SNIPPET_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == text.len() && window.len() == body.len() {
        return text.into_owned();
    }
    format!("{}… ({} bytes in all)", &text[..end], body.len())
}

fn is_html(body: &[u8], content_type: Option<&str>) -> bool {
    if content_type.is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html")) {
        return true;
    }
    // Sniffed as browsers do: proxies often send pages with no or a wrong type.
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let head = &body[start..body.len().min(start + 15)];
    starts_with_ignore_case(head, b"<!doctype html") || starts_with_ignore_case(head, b"<html")
}

fn describe_html(body: &[u8], content_type: Option<&str>, redactor: &Redactor) -> String {
    let kind = content_type.map(|t| redactor.scrub(t.split(';').next().unwrap_or(t).trim()).into_owned());
    let about = match kind {
        Some(kind) if !kind.is_empty() => format!("{kind}, {} bytes", body.len()),
        _ => format!("{} bytes", body.len()),
    };
    match html_title(&body[..body.len().min(TITLE_SEARCH_BYTES)]) {
        Some(title) => {
            let title = redactor.scrub(&title).into_owned();
            format!("HTML page \"{}\" ({about})", shorten(&title, TITLE_BYTES))
        }
        None => format!("HTML page ({about})"),
    }
}

/// The text of the first `<title>` element, whitespace collapsed; `None` when
/// there is none or it is empty.
fn html_title(page: &[u8]) -> Option<String> {
    let open = find_ignore_case(page, b"<title")?;
    let after_tag = open + page[open..].iter().position(|b| *b == b'>')? + 1;
    let close = find_ignore_case(&page[after_tag..], b"</title").map_or(page.len(), |at| after_tag + at);
    let text = String::from_utf8_lossy(&page[after_tag..close]);
    let title = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack.len() >= prefix.len() && haystack[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_never_splits_a_char_and_notes_the_length() {
        let body = "é".repeat(400);
        let s = snippet(body.as_bytes(), &Redactor::default());
        assert!(s.ends_with("… (800 bytes in all)"), "{s}");
        assert_eq!(s.chars().filter(|c| *c == 'é').count(), SNIPPET_BYTES / 2);
        assert_eq!(snippet(b"short", &Redactor::default()), "short");
    }

    #[test]
    fn messages_are_cut_on_a_char_boundary() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("aéb", 2), "a… (4 bytes in all)");
    }

    #[test]
    fn html_is_recognised_by_type_or_by_its_start() {
        let none = Redactor::default();
        assert_eq!(describe_body(b"<p>x</p>", Some("text/html"), &none), "HTML page (text/html, 8 bytes)");
        assert_eq!(describe_body(b"\n <HTML><title>Oops</title>", None, &none), "HTML page \"Oops\" (27 bytes)");
        assert_eq!(describe_body(b"<title>x</title>", Some("text/plain"), &none), "<title>x</title>");
        // An unclosed title still names the page; a tag with no `>` gives no title.
        assert_eq!(html_title(b"<title>Cut sh"), Some("Cut sh".to_string()));
        assert_eq!(html_title(b"<title"), None);
        assert_eq!(html_title(b"<title>  </title>"), None);
    }
}
