//! Deterministic payloads: image-like bytes from a xorshift generator, and the
//! response bodies and event streams that carry them as standard base64.

use base64::Engine as _;

/// Bytes that look like a PNG to format sniffing and are noise after that,
/// as compressed image data is; the same `seed` always gives the same bytes.
pub fn image_bytes(len: usize, seed: u64) -> Vec<u8> {
    const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut state = seed | 1;
    let mut bytes = Vec::with_capacity(len + 8);
    bytes.extend_from_slice(PNG_MAGIC);
    while bytes.len() < len {
        // xorshift64 (Marsaglia): enough noise that base64 sees every symbol.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// Standard base64 with padding, as every provider sends it.
pub fn base64_text(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A RouterHub `generateContent` response: a text part, then the image as `inlineData`.
pub fn gemini_body(b64: &str) -> Vec<u8> {
    format!(
        concat!(
            r#"{{"candidates":[{{"content":{{"role":"model","parts":["#,
            r#"{{"text":"Here is the image you asked for."}},"#,
            r#"{{"inlineData":{{"mimeType":"image/png","data":"{}"}}}}]}},"#,
            r#""finishReason":"STOP","index":0}}],"#,
            r#""usageMetadata":{{"promptTokenCount":14,"candidatesTokenCount":1290,"totalTokenCount":1304}},"#,
            r#""modelVersion":"gemini-3-pro-image-preview","responseId":"bench-0001"}}"#
        ),
        b64
    )
    .into_bytes()
}

/// An Octen (OpenAI Images) response: the image as `data[0].b64_json`.
pub fn openai_body(b64: &str) -> Vec<u8> {
    format!(
        concat!(
            r#"{{"id":"img-bench-0001","created":1767225600,"background":"opaque","output_format":"png","#,
            r#""quality":"high","size":"1024x1024","data":[{{"b64_json":"{}"}}],"#,
            r#""usage":{{"input_tokens":50,"output_tokens":4160,"total_tokens":4210}}}}"#
        ),
        b64
    )
    .into_bytes()
}

/// An Octen image stream: `partials` preview events then the completed event,
/// each carrying `image_len` bytes of image as base64.
pub fn image_stream(partials: usize, image_len: usize) -> Vec<u8> {
    let mut stream = String::new();
    for index in 0..=partials {
        let b64 = base64_text(&image_bytes(image_len, 0x5EED + index as u64));
        let kind = if index < partials { "image_generation.partial_image" } else { "image_generation.completed" };
        stream.push_str(&format!("event: {kind}\n"));
        stream.push_str(&format!(
            r#"data: {{"type":"{kind}","created_at":1767225600,"b64_json":"{b64}","output_format":"png","size":"1024x1024","sequence_number":{index}"#
        ));
        if index < partials {
            stream.push_str(&format!(r#","partial_image_index":{index}}}"#));
        } else {
            stream.push_str(r#","usage":{"input_tokens":50,"output_tokens":4160,"total_tokens":4210}}"#);
        }
        stream.push_str("\n\n");
    }
    stream.into_bytes()
}

/// A received HTTP request's head, once `received` holds all of it: where it ends,
/// its text in lower case, and the body's `Content-Length` (0 without one). What the
/// benches' local servers read.
pub fn request_head(received: &[u8]) -> Option<(usize, String, usize)> {
    let end = received.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
    let length =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    Some((end, head, length))
}
