//! The `imagegen` binary, run as a user would, against a local mock server.

use std::path::{Path, PathBuf};
use std::process::Output;

use imagegen::runtime::base64::encode;
use imagegen::runtime::image::png_header;
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-not-real";
/// A JPEG's first bytes: enough for the format to be recognised.
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x02];
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-partial";

/// Runs the binary with `args`, no provider key in its environment.
async fn imagegen(args: Vec<String>) -> Output {
    imagegen_with_env(args, None).await
}

/// Runs the binary with `TMPDIR` set to `tmp`, where its fallback directory is made.
async fn imagegen_with_tmpdir(args: Vec<String>, tmp: PathBuf) -> Output {
    imagegen_with_env(args, Some(("TMPDIR", tmp))).await
}

async fn imagegen_with_env(args: Vec<String>, env: Option<(&'static str, PathBuf)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_imagegen"));
        for provider in imagegen::providers() {
            command.env_remove(provider.info.api_key_env);
        }
        command.envs(env).args(args).output().expect("the binary runs")
    })
    .await
    .expect("the runner thread finishes")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imagegen-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn nothing_received(server: &MockServer) -> bool {
    server.received_requests().await.unwrap_or_default().is_empty()
}

/// `command` against `server` with the test key, saving to `dir`, then `extra`.
fn against(server: &MockServer, dir: &Path, command: &[&str], extra: &[&str]) -> Vec<String> {
    let mut list = args(command);
    list.extend(args(&["--base-url", &server.uri(), "--api-key", KEY, "--out", &dir.display().to_string()]));
    list.extend(args(extra));
    list
}

fn octen_generate(server: &MockServer, dir: &Path, extra: &[&str]) -> Vec<String> {
    let command = ["octen", "generate-images", "--model", "openai/gpt-image-2", "--prompt", "a lighthouse at dusk"];
    against(server, dir, &command, extra)
}

#[tokio::test]
async fn a_generation_saves_its_image_with_the_extension_of_its_real_format() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .and(header("x-api-key", KEY))
        // Flags are typed: `--n 1` travels as the number 1.
        .and(body_partial_json(json!({"model": "openai/gpt-image-2", "n": 1, "output_format": "png"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "created": 1,
            "data": [{"b64_json": encode(JPEG)}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("generate");

    let output = imagegen(octen_generate(&server, &dir, &["--n", "1", "--output-format", "png"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    // The server said png but sent a JPEG: the bytes decide the extension.
    let saved = dir.join("octen-generate-images-1.jpg");
    assert_eq!(stdout(&output).trim(), saved.display().to_string());
    assert_eq!(std::fs::read(&saved).expect("image saved"), JPEG);
    // stderr is not a terminal here, so no spinner is drawn.
    assert!(!stderr(&output).contains('\r'), "{}", stderr(&output));
}

#[tokio::test]
async fn json_summary_lists_saved_images_and_the_response_without_base64() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "created": 7,
            "data": [{"b64_json": encode(&[JPEG, &[0u8; 400][..]].concat())}],
        })))
        .mount(&server)
        .await;
    let dir = out_dir("json");

    let output = imagegen(octen_generate(&server, &dir, &["--json"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let summary: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(summary["provider"], "octen");
    assert_eq!(summary["images"][0]["format"], "jpeg");
    assert_eq!(summary["images"][0]["path"], dir.join("octen-generate-images-1.jpg").display().to_string());
    assert_eq!(summary["response"]["created"], 7);
    assert!(summary["response"]["data"][0]["b64_json"].as_str().unwrap().starts_with("<base64"));
}

#[tokio::test]
async fn an_invalid_request_exits_2_listing_every_violation_and_sends_nothing() {
    let server = MockServer::start().await;
    let dir = out_dir("invalid");

    let output =
        imagegen(octen_generate(&server, &dir, &["--n", "20", "--output-compression", "150", "--partial-images", "9"]))
            .await;

    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("error: invalid request (3 violations)"), "{err}");
    for line in ["  - n: 20 is out of range", "  - output_compression: 150", "  - partial_images: 9"] {
        assert!(err.contains(line), "missing `{line}` in {err}");
    }
    // Each violation names the flag that fixes it.
    assert!(err.contains("(--output-compression)") && err.contains("(--partial-images)"), "{err}");
    assert!(nothing_received(&server).await);
}

/// The docs say a mask is "effective only when image is provided" and previews "effective
/// only when stream=true": the server ignores them, so the request goes out and the CLI
/// prints why each has no effect.
#[tokio::test]
async fn ignored_parameters_are_sent_with_a_printed_warning_each() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"partial_images": 2})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "created": 1,
            "data": [{"b64_json": encode(JPEG)}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("warnings");
    let mask = dir.join("mask.png");
    std::fs::write(&mask, PNG).expect("mask written");

    let output =
        imagegen(octen_generate(&server, &dir, &["--partial-images", "2", "--mask", &mask.display().to_string()]))
            .await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let err = stderr(&output);
    for line in [
        "warning: mask: The mask is effective only when image is provided.",
        "warning: partial_images: Partial images are effective only when stream=true (stream defaults to false).",
    ] {
        assert!(err.lines().any(|l| l == line), "missing `{line}` in {err}");
    }
    assert_eq!(stdout(&output).trim(), dir.join("octen-generate-images-1.jpg").display().to_string());
    let received = server.received_requests().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&received[0].body).expect("a JSON body");
    assert!(body["mask"].as_str().is_some_and(|mask| mask.contains(&encode(PNG))), "the mask is sent: {body}");
}

/// A transparent background with gpt-image-2 is what the docs say the server refuses
/// (400): still an error, and nothing is sent.
#[tokio::test]
async fn a_refused_value_is_still_an_error_beside_a_warning() {
    let server = MockServer::start().await;
    let dir = out_dir("refused-beside-warning");

    let output =
        imagegen(octen_generate(&server, &dir, &["--background", "transparent", "--partial-images", "1"])).await;

    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("error: invalid request (1 violation)"), "{err}");
    assert!(err.contains("  - background:"), "{err}");
    assert!(!err.contains("  - partial_images"), "a warning is not a violation: {err}");
    assert!(nothing_received(&server).await);
}

#[tokio::test]
async fn without_a_key_an_invalid_request_is_reported_before_the_missing_key() {
    let server = MockServer::start().await;
    let base = args(&["octen", "generate-images", "--model", "openai/gpt-image-2", "--prompt", "a lighthouse"]);
    let no_key = |extra: &[&str]| {
        let mut list = base.clone();
        list.extend(args(&["--base-url", &server.uri()]));
        list.extend(args(extra));
        list
    };

    let invalid = imagegen(no_key(&["--n", "20"])).await;
    assert_eq!(invalid.status.code(), Some(2), "{}", stderr(&invalid));
    let err = stderr(&invalid);
    assert!(err.contains("  - n: 20 is out of range"), "{err}");
    assert!(!err.contains("no API key"), "{err}");

    // A valid request still needs the key, and says which variable to set.
    let valid = imagegen(no_key(&[])).await;
    assert_ne!(valid.status.code(), Some(0));
    // In the terms of the command line: the flag, not a builder method.
    assert!(stderr(&valid).contains("no API key: pass --api-key KEY or set OCTEN_API_KEY"), "{}", stderr(&valid));
    assert!(nothing_received(&server).await);
}

#[tokio::test]
async fn missing_required_flags_are_all_listed() {
    let output = imagegen(args(&["octen", "generate-images", "--api-key", KEY, "--dry-run"])).await;

    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("  - model: required; pass --model"), "{err}");
    assert!(err.contains("  - prompt: required; pass --prompt"), "{err}");
}

#[tokio::test]
async fn an_api_error_exits_3_with_the_providers_message_and_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"message": "Invalid size 4096x4096", "type": "invalid_request_error"}
        })))
        .mount(&server)
        .await;
    let dir = out_dir("api-error");

    let output = imagegen(octen_generate(&server, &dir, &["--size", "4096x4096", "--max-retries", "0"])).await;

    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(err.contains("error: 400 Bad Request from octen: Invalid size 4096x4096"), "{err}");
    assert!(!err.contains(KEY));
}

#[tokio::test]
async fn an_api_error_shows_the_code_the_spec_envelope_reads_and_is_not_retried_when_the_spec_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"}
        })))
        .mount(&server)
        .await;
    let dir = out_dir("api-error-quota");

    let output = imagegen(octen_generate(&server, &dir, &["--max-retries", "2"])).await;

    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        err.contains("error: 429 Too Many Requests from octen: You exceeded your current quota (insufficient_quota)"),
        "{err}"
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "octen.yaml: not worth retrying");
}

#[tokio::test]
async fn an_api_error_after_retries_says_how_many_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "error": {"message": "Overloaded", "type": "server_error"}
        })))
        .mount(&server)
        .await;
    let dir = out_dir("api-error-retried");

    let output = imagegen(octen_generate(&server, &dir, &["--max-retries", "1"])).await;

    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(err.contains("error: 503 Service Unavailable from octen: Overloaded (gave up after 2 attempts)"), "{err}");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn an_unreadable_response_exits_5_with_the_body_start_and_the_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("upstream said: no", "application/json"))
        .mount(&server)
        .await;
    let dir = out_dir("decode-error");

    let output = imagegen(octen_generate(&server, &dir, &["--max-retries", "0"])).await;

    assert_eq!(output.status.code(), Some(5));
    let err = stderr(&output);
    // The runtime's message shows the body; serde's reason, its source, is printed once after it.
    assert!(err.contains("error: unreadable response from octen: could not decode the HTTP 200 body: upstream said: no: expected value at line 1 column 1"), "{err}");
    assert_eq!(err.matches("expected value").count(), 1, "{err}");
}

#[tokio::test]
async fn an_unreachable_server_exits_4() {
    // Port 9 on loopback: nothing listens, the connection is refused.
    let output = imagegen(args(&[
        "listenhub",
        "get-subscription",
        "--base-url",
        "http://127.0.0.1:9",
        "--api-key",
        KEY,
        "--max-retries",
        "0",
    ]))
    .await;

    assert_eq!(output.status.code(), Some(4), "stderr: {}", stderr(&output));
    assert!(stderr(&output).starts_with("error: could not reach listenhub"), "{}", stderr(&output));
}

#[tokio::test]
async fn a_streamed_generation_saves_each_partial_image_as_it_arrives() {
    let server = MockServer::start().await;
    let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    let sse = [
        event(
            "image_generation.partial_image",
            json!({"type": "image_generation.partial_image", "b64_json": encode(PNG), "partial_image_index": 0}),
        ),
        event(
            "image_generation.partial_image",
            json!({"type": "image_generation.partial_image", "b64_json": encode(JPEG), "partial_image_index": 1}),
        ),
        event("image_generation.completed", json!({"type": "image_generation.completed", "b64_json": encode(PNG)})),
    ]
    .concat();
    Mock::given(method("POST"))
        .and(header("accept", "text/event-stream"))
        .and(body_partial_json(json!({"stream": true, "partial_images": 2})))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "text/event-stream").set_body_string(sse),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("stream");

    let output = imagegen(octen_generate(&server, &dir, &["--stream", "--partial-images", "2"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let first = dir.join("octen-generate-images-partial-1.png");
    let second = dir.join("octen-generate-images-partial-2.jpg");
    let last = dir.join("octen-generate-images-1.png");
    assert_eq!(std::fs::read(&first).expect("first partial"), PNG);
    assert_eq!(std::fs::read(&second).expect("second partial"), JPEG);
    assert_eq!(std::fs::read(&last).expect("final image"), PNG);
    let err = stderr(&output);
    assert!(err.contains(&format!("partial image 1: {}", first.display())), "{err}");
    assert!(err.contains(&format!("partial image 2: {}", second.display())), "{err}");
    assert_eq!(stdout(&output).trim(), last.display().to_string());
}

#[tokio::test]
async fn a_stream_request_answered_with_one_json_body_saves_its_image() {
    // Octen ignores `stream` for Gemini models and answers with one JSON object.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("accept", "text/event-stream"))
        .and(body_partial_json(json!({"stream": true, "model": "google/gemini-3-pro-image"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "created": 1,
            "data": [{"b64_json": encode(PNG)}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("stream-json");
    let mut list = octen_generate(&server, &dir, &["--stream"]);
    let model = list.iter().position(|a| a == "openai/gpt-image-2").expect("model flag");
    list[model] = "google/gemini-3-pro-image".to_string();

    let output = imagegen(list).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let saved = dir.join("octen-generate-images-1.png");
    assert_eq!(std::fs::read(&saved).expect("the image is saved"), PNG);
    assert_eq!(stdout(&output).trim(), saved.display().to_string());
}

#[tokio::test]
async fn verbose_logs_the_exchange_without_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"b64_json": encode(PNG)}]})))
        .mount(&server)
        .await;
    let dir = out_dir("verbose");

    let output = imagegen(octen_generate(&server, &dir, &["-v"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains(&format!("> POST {}/v1/images/generations", server.uri())), "{err}");
    assert!(err.contains("> x-api-key: <redacted>"), "{err}");
    assert!(err.contains("< 200 OK"), "{err}");
    assert!(!err.contains(KEY) && !stdout(&output).contains(KEY));
}

/// One dry run per provider; every provider compiled in must have one.
#[tokio::test]
async fn dry_run_prints_the_exact_request_for_each_provider_and_sends_nothing() {
    let dir = out_dir("dry-run");
    let image = dir.join("cat.png");
    std::fs::write(&image, png_header(1024, 1024)).unwrap();
    let request = dir.join("request.json");
    std::fs::write(&request, json!({"contents": [{"parts": [{"text": "a cat"}]}]}).to_string()).unwrap();
    let image = image.display().to_string();
    let request = request.display().to_string();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        // `--wait` too: a dry run stops at the submit, so nothing is polled either.
        ("bfl", vec!["flux-pro-1-1", "--prompt", "a cat", "--wait"], "/v1/flux-pro-1.1"),
        ("listenhub", vec!["generate-image", "--provider", "google", "--prompt", "a cat"], "/images/generation"),
        ("llmgateway", vec!["generate-images", "--prompt", "a cat"], "/v1/images/generations"),
        ("llmgateway", vec!["edit-image-multipart", "--prompt", "add a hat", "--image", &image], "/v1/images/edits"),
        (
            "octen",
            vec!["generate-images", "--model", "openai/gpt-image-2", "--prompt", "a cat"],
            "/v1/images/generations",
        ),
        (
            "routerhub",
            vec!["generate-content", "--model", "google/gemini-2.5-flash-image", "--request", &request],
            "gemini-2.5-flash-image:generateContent",
        ),
        ("stability", vec!["generate-core", "--prompt", "a cat"], "/v2beta/stable-image/generate/core"),
        ("stability", vec!["inpaint", "--prompt", "a cat", "--image", &image], "/v2beta/stable-image/edit/inpaint"),
    ];
    for provider in imagegen::providers() {
        assert!(
            cases.iter().any(|(name, ..)| *name == provider.info.name),
            "no dry-run case for {}",
            provider.info.name
        );
    }

    for (provider, command, url_part) in cases {
        let server = MockServer::start().await;
        let mut list = vec![provider];
        list.extend(command.iter().copied());
        let base = server.uri();
        list.extend(["--base-url", &base, "--api-key", KEY, "--dry-run"]);

        let output = imagegen(args(&list)).await;

        let shown = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{provider}: {}", stderr(&output));
        let first_line = shown.lines().next().unwrap_or_default();
        assert!(first_line.starts_with(&format!("POST {base}/")), "{provider}: {first_line}");
        assert!(first_line.contains(url_part), "{provider}: {first_line}");
        assert!(shown.contains("<redacted>"), "{provider}: {shown}");
        assert!(!shown.contains(KEY) && !stderr(&output).contains(KEY), "{provider} leaked the key");
        assert!(shown.contains("a cat") || shown.contains("add a hat"), "{provider}: body missing in {shown}");
        assert!(nothing_received(&server).await, "{provider} sent a request in a dry run");
    }
}

/// `--auth` picks one of the provider's schemes by name, in any case; the dry run shows the
/// key (redacted) in that header and in no other.
#[tokio::test]
async fn auth_sends_the_key_in_the_named_scheme() {
    let server = MockServer::start().await;
    let base = server.uri();
    let dry_run = |auth: &'static str| {
        let list = ["llmgateway", "generate-images", "--prompt", "a cat", "--base-url", &base, "--api-key", KEY];
        let mut list = args(&list);
        list.extend(args(&["--auth", auth, "--dry-run", "--json"]));
        imagegen(list)
    };
    for (auth, header, other) in [("X-API-KEY", "x-api-key", "authorization"), ("bearer", "authorization", "x-api-key")]
    {
        let output = dry_run(auth).await;
        assert_eq!(output.status.code(), Some(0), "--auth {auth}: {}", stderr(&output));
        let shown: Value = serde_json::from_str(&stdout(&output)).expect("a JSON summary");
        let headers = &shown["dry_run"]["headers"];
        let sent = headers[header].as_str().unwrap_or_default();
        assert!(sent.ends_with("<redacted>"), "--auth {auth}: {header} is {sent:?} in {headers}");
        assert!(headers.get(other).is_none(), "--auth {auth} also sent {other}: {headers}");
    }
    assert!(nothing_received(&server).await);
}

#[tokio::test]
async fn an_auth_scheme_the_provider_lacks_exits_2_naming_the_ones_it_has() {
    let server = MockServer::start().await;
    let dir = out_dir("unknown-auth");
    let output = imagegen(octen_generate(&server, &dir, &["--auth", "bearer"])).await;
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    assert_eq!(stderr(&output).trim(), "error: `bearer` is not an auth scheme of Octen; use one of x-api-key");
    assert!(nothing_received(&server).await);
}

/// A listenhub generate-image call against `server`, saving into `dir`.
fn listenhub_generate(server: &MockServer, dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut list = args(&[
        "listenhub",
        "generate-image",
        "--provider",
        "google",
        "--prompt",
        "a lighthouse",
        "--base-url",
        &server.uri(),
        "--api-key",
        KEY,
        "--out",
        &dir.display().to_string(),
    ]);
    list.extend(args(extra));
    list
}

fn listenhub_image_response() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": encode(PNG)}}]}}]
    }))
}

#[tokio::test]
async fn nested_fields_are_set_by_typed_flags_and_by_set_paths() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generation"))
        .and(body_partial_json(json!({"imageConfig": {"aspectRatio": "16:9", "imageSize": "4K"}})))
        .respond_with(listenhub_image_response())
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("nested");

    let output = imagegen(listenhub_generate(
        &server,
        &dir,
        &["--image-config.aspect-ratio", "16:9", "--set", "imageConfig.imageSize=4K"],
    ))
    .await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(dir.join("listenhub-generate-image-1.png").exists());
}

#[tokio::test]
async fn set_builds_lists_and_objects_by_wire_path_and_types_json_values() {
    // RouterHub's Gemini interface has no prompt flag: the text part is set by path.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.5-flash-image:generateContent"))
        .and(body_partial_json(json!({
            "contents": [{"parts": [{"text": "a cat"}]}],
            "generationConfig": {"temperature": 0.5, "imageConfig": {"aspectRatio": "16:9"}},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"parts": [
                {"text": "Here is your cat."},
                {"inlineData": {"mimeType": "image/png", "data": encode(PNG)}},
            ]}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("set");
    let base = server.uri();
    let out = dir.display().to_string();

    let output = imagegen(args(&[
        "routerhub",
        "generate-content",
        "--model",
        "google/gemini-2.5-flash-image",
        "--set",
        "contents[0].parts[0].text=a cat",
        "--set",
        "generationConfig.temperature=0.5",
        "--generation-config.image-config.aspect-ratio",
        "16:9",
        "--base-url",
        &base,
        "--api-key",
        KEY,
        "--out",
        &out,
    ]))
    .await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    // The response's text part is printed beside the saved image's path.
    assert!(stderr(&output).contains("text: Here is your cat."), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), dir.join("routerhub-generate-content-1.png").display().to_string());
}

#[tokio::test]
async fn a_set_path_with_a_gap_or_a_mistyped_field_is_refused_before_sending() {
    let server = MockServer::start().await;
    let dir = out_dir("set-bad");

    let gap = imagegen(listenhub_generate(&server, &dir, &["--set", "referenceImages[2].fileData.fileUri=x"])).await;
    assert_eq!(gap.status.code(), Some(2));
    assert!(stderr(&gap).contains("`referenceImages` has 0 item(s); index 2 would leave a gap"), "{}", stderr(&gap));

    let typo = imagegen(listenhub_generate(&server, &dir, &["--set", "imageConfig.aspectRatoi=16:9"])).await;
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("did you mean `aspectRatio`?"), "{}", stderr(&typo));
    assert!(nothing_received(&server).await);
}

#[tokio::test]
async fn image_files_are_sniffed_and_encoded_as_each_field_takes_them() {
    let dir = out_dir("image-files");
    // Named .png but holding a JPEG: the bytes decide the MIME type.
    let photo = dir.join("photo.png");
    std::fs::write(&photo, JPEG).unwrap();
    let mask = dir.join("mask.png");
    std::fs::write(&mask, PNG).unwrap();
    let (photo, mask) = (photo.display().to_string(), mask.display().to_string());

    // Octen: data URLs in `image` (one or many) and `mask`.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({
            "image": [format!("data:image/jpeg;base64,{}", encode(JPEG)), format!("data:image/png;base64,{}", encode(PNG))],
            "mask": format!("data:image/png;base64,{}", encode(PNG)),
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"b64_json": encode(PNG)}]})))
        .expect(1)
        .mount(&server)
        .await;
    let output = imagegen(octen_generate(&server, &dir, &["--image", &photo, "--image", &mask, "--mask", &mask])).await;
    assert_eq!(output.status.code(), Some(0), "octen: {}", stderr(&output));

    // ListenHub: inline-data objects with base64 and the sniffed MIME type.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({
            "referenceImages": [{"inlineData": {"mimeType": "image/jpeg", "data": encode(JPEG)}}],
        })))
        .respond_with(listenhub_image_response())
        .expect(1)
        .mount(&server)
        .await;
    let output = imagegen(listenhub_generate(&server, &dir, &["--reference-image", &photo])).await;
    assert_eq!(output.status.code(), Some(0), "listenhub: {}", stderr(&output));
}

#[tokio::test]
async fn an_unreadable_image_file_is_a_usage_error_naming_the_flag() {
    let server = MockServer::start().await;
    let dir = out_dir("image-missing");
    let missing = dir.join("nope.png").display().to_string();

    let output = imagegen(octen_generate(&server, &dir, &["--image", &missing])).await;

    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(&format!("error: --image: cannot read {missing}")), "{}", stderr(&output));
    assert!(nothing_received(&server).await);
}

#[tokio::test]
async fn a_documented_alias_is_accepted_as_a_flag_value() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        // The alias stands for the model: the typed request sends its id.
        .and(body_partial_json(json!({"model": "google/gemini-3.1-flash-image"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"b64_json": encode(PNG)}]})))
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("alias");
    let mut list = octen_generate(&server, &dir, &[]);
    let model = list.iter().position(|a| a == "openai/gpt-image-2").expect("model flag");
    list[model] = "nano-banana-2".to_string();

    let output = imagegen(list).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
}

#[tokio::test]
async fn a_retired_alias_is_accepted_with_the_specs_deprecation_warning() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"model": "gemini-3-pro-image"})))
        .respond_with(listenhub_image_response())
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("retired-alias");

    let output = imagegen(listenhub_generate(&server, &dir, &["--model", "gemini-3-pro-image-preview"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("warning: `gemini-3-pro-image-preview` for --model is a retired name of `gemini-3-pro-image`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_large_image_written_as_it_arrives_gets_the_same_file_and_summary_as_before() {
    // 1.5 MB: decoded (and written) while the body arrives; the JPEG after it is
    // written from the answer. Same names, bytes and `--json` summary either way.
    let large: Vec<u8> = PNG.iter().copied().chain((0..1_500_000u32).map(|i| (i % 253) as u8)).collect();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "created": 9,
            "data": [{"b64_json": encode(&large)}, {"b64_json": encode(JPEG)}],
        })))
        .mount(&server)
        .await;
    let dir = out_dir("as-it-arrives");
    std::fs::write(dir.join("octen-generate-images-1.webp"), b"an earlier image").unwrap();

    let output = imagegen(octen_generate(&server, &dir, &["--json"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let summary: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    let (png, jpeg) = (dir.join("octen-generate-images-2.png"), dir.join("octen-generate-images-3.jpg"));
    assert_eq!(summary["images"][0]["path"], png.display().to_string());
    assert_eq!(summary["images"][0]["format"], "png");
    assert_eq!(summary["images"][0]["bytes"], large.len());
    assert_eq!(summary["images"][1]["path"], jpeg.display().to_string());
    assert_eq!(std::fs::read(&png).unwrap(), large);
    assert_eq!(std::fs::read(&jpeg).unwrap(), JPEG);
    assert_eq!(std::fs::read(dir.join("octen-generate-images-1.webp")).unwrap(), b"an earlier image");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3, "no other file is left");
    assert!(summary["response"]["data"][0]["b64_json"].as_str().unwrap().starts_with("<base64"));
}

#[tokio::test]
async fn an_existing_image_is_never_overwritten() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"b64_json": encode(JPEG)}]})))
        .mount(&server)
        .await;
    let dir = out_dir("no-overwrite");
    // Number 1 is taken, even though by another format.
    let earlier = dir.join("octen-generate-images-1.png");
    std::fs::write(&earlier, b"an earlier image").unwrap();

    let first = imagegen(octen_generate(&server, &dir, &[])).await;
    let second = imagegen(octen_generate(&server, &dir, &[])).await;

    assert_eq!(first.status.code(), Some(0), "stderr: {}", stderr(&first));
    assert_eq!(second.status.code(), Some(0), "stderr: {}", stderr(&second));
    assert_eq!(std::fs::read(&earlier).unwrap(), b"an earlier image");
    let (two, three) = (dir.join("octen-generate-images-2.jpg"), dir.join("octen-generate-images-3.jpg"));
    assert_eq!(stdout(&first).trim(), two.display().to_string());
    assert_eq!(stdout(&second).trim(), three.display().to_string());
    assert_eq!(std::fs::read(&three).unwrap(), JPEG);
}

#[tokio::test]
async fn a_mistyped_flag_or_value_gets_a_suggestion_and_sends_nothing() {
    let server = MockServer::start().await;
    let dir = out_dir("typos");

    let flag = imagegen(octen_generate(&server, &dir, &["--qualty", "high"])).await;
    assert_eq!(flag.status.code(), Some(2));
    assert!(stderr(&flag).contains("a similar argument exists: '--quality'"), "{}", stderr(&flag));

    let nested = imagegen(listenhub_generate(&server, &dir, &["--image-config.aspect-ration", "16:9"])).await;
    assert_eq!(nested.status.code(), Some(2));
    assert!(
        stderr(&nested).contains("a similar argument exists: '--image-config.aspect-ratio'"),
        "{}",
        stderr(&nested)
    );

    // A model id without its vendor prefix, mistyped.
    let mut list = octen_generate(&server, &dir, &[]);
    let model = list.iter().position(|a| a == "openai/gpt-image-2").expect("model flag");
    list[model] = "gpt-imag-2".to_string();
    let value = imagegen(list).await;
    assert_eq!(value.status.code(), Some(2));
    assert!(stderr(&value).contains("a similar value exists: 'openai/gpt-image-2'"), "{}", stderr(&value));

    assert!(nothing_received(&server).await);
}

#[tokio::test]
async fn json_summary_carries_the_responses_text_parts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"b64_json": encode(PNG)}],
            "text": "A lighthouse.",
            "parts": [{"text": "A lighthouse."}, {"inline_data": {"mime_type": "image/png", "data": encode(PNG)}}],
        })))
        .mount(&server)
        .await;
    let dir = out_dir("texts");

    let output = imagegen(octen_generate(&server, &dir, &["--json"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let summary: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    // `text` summarises `parts`: the text is listed once.
    assert_eq!(summary["texts"], json!(["A lighthouse."]));
}

#[tokio::test]
async fn a_key_in_the_query_is_named_query_colon_param_and_refused_where_the_provider_has_none() {
    let output = imagegen(args(&[
        "octen",
        "generate-images",
        "--model",
        "openai/gpt-image-2",
        "--prompt",
        "x",
        "--api-key",
        KEY,
        "--auth",
        "query:key",
        "--dry-run",
    ]))
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`query:key` is not an auth scheme of Octen; use one of x-api-key"),
        "{}",
        stderr(&output)
    );
    let help = imagegen(args(&["octen", "generate-images", "--help"])).await;
    assert!(stdout(&help).contains("`query:NAME` for a key in the query"), "{}", stdout(&help));
}

// ------------------------------------------------------------ async jobs (BFL)

/// A 1x1 PNG, the image a finished BFL job's `result.sample` serves.
const SAMPLE_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
];

/// A BFL server: the submit answers with a polling URL on itself, the polls answer each
/// status in turn (the last one repeating), and the result URL serves a PNG.
async fn bfl_server(statuses: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/flux-pro-1.1"))
        .and(header("x-key", KEY))
        .and(body_partial_json(json!({"prompt": "a lighthouse at dusk", "width": 1024})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "task-1",
            "polling_url": format!("{}/v1/get_result?id=task-1", server.uri()),
        })))
        .expect(1)
        .mount(&server)
        .await;
    let (last, before) = statuses.split_last().expect("a status");
    let answer = |status: &str| {
        let result = if status == "Ready" {
            json!({"sample": format!("{}/delivery/sample.png?sig=not-a-real-signature", server.uri())})
        } else {
            Value::Null
        };
        ResponseTemplate::new(200).set_body_json(json!({"id": "task-1", "status": status, "result": result}))
    };
    for status in before {
        Mock::given(method("GET"))
            .and(path("/v1/get_result"))
            .respond_with(answer(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET")).and(path("/v1/get_result")).respond_with(answer(last)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/delivery/sample.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SAMPLE_PNG, "image/png"))
        .mount(&server)
        .await;
    server
}

fn bfl_generate(server: &MockServer, dir: &Path, extra: &[&str]) -> Vec<String> {
    against(server, dir, &["bfl", "flux-pro-1-1", "--prompt", "a lighthouse at dusk", "--width", "1024"], extra)
}

#[tokio::test]
async fn wait_polls_the_job_with_progress_then_saves_the_downloaded_result() {
    let server = bfl_server(&["Pending", "Ready"]).await;
    let dir = out_dir("bfl-wait");

    let output = imagegen(bfl_generate(&server, &dir, &["--wait"])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let saved = dir.join("bfl-flux-pro-1-1-1.png");
    assert_eq!(stdout(&output).trim(), saved.display().to_string());
    assert_eq!(std::fs::read(&saved).expect("image saved"), SAMPLE_PNG);
    // Without a terminal, each new status is one line on stderr.
    let progress = stderr(&output);
    assert!(progress.contains("job: Pending (poll 1,"), "{progress}");
    assert!(progress.contains("job: Ready (poll 2,"), "{progress}");
    let requests = server.received_requests().await.unwrap();
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(paths, ["/v1/flux-pro-1.1", "/v1/get_result", "/v1/get_result", "/delivery/sample.png"]);
}

#[tokio::test]
async fn wait_on_a_moderated_job_is_an_api_failure_naming_the_status() {
    let server = bfl_server(&["Content Moderated"]).await;
    let dir = out_dir("bfl-moderated");

    let output = imagegen(bfl_generate(&server, &dir, &["--wait", "--json"])).await;

    assert_eq!(output.status.code(), Some(3), "stderr: {}", stderr(&output));
    assert!(stderr(&output).contains("`Content Moderated`"), "{}", stderr(&output));
    let summary: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(summary["error"]["exit_code"], 3);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing saved");
    let downloads =
        server.received_requests().await.unwrap().iter().filter(|r| r.url.path().starts_with("/delivery")).count();
    assert_eq!(downloads, 0);
}

#[tokio::test]
async fn without_wait_a_job_operation_prints_the_submit_answer_and_polls_nothing() {
    let server = bfl_server(&["Ready"]).await;
    let dir = out_dir("bfl-submit");

    let output = imagegen(bfl_generate(&server, &dir, &[])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let printed: Value = serde_json::from_str(&stdout(&output)).expect("the submit answer as JSON");
    assert_eq!(printed["id"], "task-1");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "only the submit");
}

#[tokio::test]
async fn wait_is_offered_only_by_operations_that_start_a_job() {
    let server = MockServer::start().await;
    let output = imagegen(args(&["bfl", "credits", "--wait", "--base-url", &server.uri(), "--api-key", KEY])).await;
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    assert!(stderr(&output).contains("--wait"), "{}", stderr(&output));
    assert!(nothing_received(&server).await);
}

// ------------------------------------------------------------ Stability

#[tokio::test]
async fn a_raw_image_answer_is_saved_as_its_bytes_with_the_extension_of_its_format() {
    // Stability answers `accept: image/*` with the image itself, not JSON: the bytes are the file.
    let webp: &[u8] = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/generate/core"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("accept", "image/*"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "image/webp")
                .insert_header("finish-reason", "SUCCESS")
                .insert_header("seed", "343940597")
                .set_body_bytes(webp),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("stability-core");

    let output = imagegen(args(&[
        "stability",
        "generate-core",
        "--prompt",
        "Lighthouse on a cliff overlooking the ocean",
        "--output-format",
        "webp",
        "--accept",
        "image/*",
        "--base-url",
        &server.uri(),
        "--api-key",
        KEY,
        "--out",
        &dir.display().to_string(),
    ]))
    .await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let saved = dir.join("stability-generate-core-1.webp");
    assert_eq!(stdout(&output).trim(), saved.display().to_string());
    assert_eq!(std::fs::read(&saved).expect("image saved"), webp);
    // The form went out as multipart with the prompt as a text part.
    let received = server.received_requests().await.unwrap_or_default();
    let content_type = received[0].headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    assert!(String::from_utf8_lossy(&received[0].body).contains("Lighthouse on a cliff overlooking the ocean"));
}

#[tokio::test]
async fn a_file_flag_uploads_the_image_of_a_stability_edit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/edit/remove-background"))
        .respond_with(ResponseTemplate::new(200).insert_header("content-type", "image/png").set_body_bytes(PNG))
        .expect(1)
        .mount(&server)
        .await;
    let dir = out_dir("stability-remove-background");
    let input = dir.join("husky-in-a-field.png");
    std::fs::write(&input, png_header(1024, 1024)).expect("input image");

    let output = imagegen(args(&[
        "stability",
        "remove-background",
        "--image",
        &input.display().to_string(),
        "--base-url",
        &server.uri(),
        "--api-key",
        KEY,
        "--out",
        &dir.display().to_string(),
    ]))
    .await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let saved = dir.join("stability-remove-background-1.png");
    assert_eq!(std::fs::read(&saved).expect("image saved"), PNG);
    let received = server.received_requests().await.unwrap_or_default();
    let body = String::from_utf8_lossy(&received[0].body).into_owned();
    assert!(body.contains("name=\"image\"; filename=\"husky-in-a-field.png\""), "{body}");
}

/// Stability's remove-background takes "every side at least 64 pixels; 4,096 to 4,194,304
/// pixels in total": an image outside is refused with its size and the flag that sets it,
/// before anything is uploaded.
#[tokio::test]
async fn an_image_outside_the_documented_size_exits_2_naming_its_size_and_sends_nothing() {
    let server = MockServer::start().await;
    let dir = out_dir("stability-image-too-small");
    let input = dir.join("icon.png");
    std::fs::write(&input, png_header(48, 48)).expect("input image");

    let image = input.display().to_string();
    let output = imagegen(against(&server, &dir, &["stability", "remove-background", "--image", &image], &[])).await;

    assert_eq!(output.status.code(), Some(2), "stdout: {}", stdout(&output));
    let err = stderr(&output);
    assert!(err.contains("error: invalid request (2 violations)"), "{err}");
    assert!(err.contains("  - image: 48x48 pixels: every side must be at least 64 (--image)"), "{err}");
    assert!(err.contains("  - image: 48x48 pixels: 2,304 pixels in total, must be at least 4,096 (--image)"), "{err}");
    assert!(nothing_received(&server).await);
}

/// Stability takes at most 10 MiB per request: a larger upload is refused with the body's
/// size beside its other violations, before anything is uploaded.
#[tokio::test]
async fn a_request_over_10_mib_exits_2_naming_its_size_beside_the_other_violations() {
    let server = MockServer::start().await;
    let dir = out_dir("stability-request-too-large");
    let input = dir.join("huge.png");
    let mut bytes = png_header(48, 48);
    bytes.resize(11 << 20, 0);
    std::fs::write(&input, bytes).expect("input image");

    let image = input.display().to_string();
    let output = imagegen(against(&server, &dir, &["stability", "remove-background", "--image", &image], &[])).await;

    assert_eq!(output.status.code(), Some(2), "stdout: {}", stdout(&output));
    let err = stderr(&output);
    assert!(err.contains("error: invalid request (3 violations)"), "{err}");
    assert!(err.contains("  - image: 48x48 pixels: every side must be at least 64 (--image)"), "{err}");
    assert!(err.contains("  - the request body is 11,534,"), "{err}");
    assert!(err.contains(" bytes; the server takes at most 10,485,760 (10 MiB)\n"), "{err}");
    assert!(nothing_received(&server).await);
}

/// A field the spec marks secret (BFL's `webhook_secret`) goes to the server as given, and
/// the CLI never prints it: not in a dry run (text or `--json`), not in the `-v` request
/// log, not in the error of a server that echoes it back.
#[tokio::test]
async fn a_secret_flag_is_sent_but_never_printed() {
    const SECRET: &str = "whsec-cli-7f3e9a";
    let server = MockServer::start().await;
    let echoed = json!({"detail": [{"loc": ["body", "webhook_secret"], "msg": "bad", "input": SECRET}]});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(422).set_body_json(echoed)).mount(&server).await;
    let base = server.uri();
    let command = ["bfl", "flux-pro-1-1", "--prompt", "a cat", "--webhook-secret", SECRET, "--base-url", &base];

    for extra in [&["--dry-run"][..], &["--dry-run", "--json"][..]] {
        let mut list = args(&command);
        list.extend(args(&["--api-key", KEY]));
        list.extend(args(extra));
        let output = imagegen(list).await;
        assert_eq!(output.status.code(), Some(0), "{extra:?}: {}", stderr(&output));
        let shown = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!shown.contains(SECRET), "{extra:?} printed the secret: {shown}");
        assert!(shown.contains("webhook_secret") && shown.contains("<redacted>"), "{extra:?}: {shown}");
    }
    assert!(nothing_received(&server).await, "a dry run sent a request");

    let mut list = args(&command);
    list.extend(args(&["--api-key", KEY, "-v", "--max-retries", "0"]));
    let output = imagegen(list).await;
    assert_ne!(output.status.code(), Some(0), "the 422 fails the call");
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!shown.contains(SECRET), "the call printed the secret: {shown}");
    let received = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["webhook_secret"], SECRET, "the server gets the secret as given");
}

/// Async jobs with `--wait`, and the request constructs of the job providers (query
/// parameters, request headers), against the mock server. `--poll-interval` keeps the
/// documented pace (10 s for Stability) out of the test.
mod jobs {
    use super::*;

    /// A Stability generation id (64 hex characters).
    const ID: &str = "a6dc6c6e20acda010fe14d71f180658f2896ed9b4ec25aa99a6ff06c796987c4";

    /// Answers `GET path` with `before` in turn (once each), then `last` from then on.
    async fn answers_in_turn(server: &MockServer, at: &str, before: &[ResponseTemplate], last: ResponseTemplate) {
        for answer in before {
            Mock::given(method("GET")).and(path(at)).respond_with(answer.clone()).up_to_n_times(1).mount(server).await;
        }
        Mock::given(method("GET")).and(path(at)).respond_with(last).mount(server).await;
    }

    fn in_progress() -> ResponseTemplate {
        ResponseTemplate::new(202).set_body_json(json!({"id": ID, "status": "in-progress"}))
    }

    /// `stability upscale-creative --wait`, the job's result answering `finished`.
    async fn stability_upscale(finished: ResponseTemplate, name: &str) -> (MockServer, PathBuf, Output) {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2beta/stable-image/upscale/creative"))
            .and(header("authorization", format!("Bearer {KEY}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ID})))
            .expect(1)
            .mount(&server)
            .await;
        answers_in_turn(&server, &format!("/v2beta/results/{ID}"), &[in_progress(), in_progress()], finished).await;
        let dir = out_dir(name);
        let image = dir.join("small.png");
        std::fs::write(&image, png_header(1024, 1024)).unwrap();
        let image = image.display().to_string();
        let command = ["stability", "upscale-creative", "--image", &image, "--prompt", "a kitten"];
        let output = imagegen(against(&server, &dir, &command, &["--wait", "--poll-interval", "0.01"])).await;
        (server, dir, output)
    }

    async fn polls_of(server: &MockServer) -> usize {
        let requests = server.received_requests().await.unwrap_or_default();
        requests.iter().filter(|r| r.url.path().starts_with("/v2beta/results/")).count()
    }

    #[tokio::test]
    async fn stability_wait_saves_the_finished_image_sent_as_bytes() {
        let finished = ResponseTemplate::new(200).set_body_raw(PNG.to_vec(), "image/png");
        let (server, dir, output) = stability_upscale(finished, "stability-wait-bytes").await;

        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let saved = dir.join("stability-upscale-creative-1.png");
        assert_eq!(stdout(&output).trim(), saved.display().to_string());
        assert_eq!(std::fs::read(&saved).expect("the finished image is saved"), PNG);
        assert_eq!(polls_of(&server).await, 3, "202, 202, then 200");
        assert!(stderr(&output).contains("job: in_progress (poll 1"), "{}", stderr(&output));
        assert!(stderr(&output).contains("job: finished (poll 3"), "{}", stderr(&output));
    }

    #[tokio::test]
    async fn stability_wait_saves_the_finished_image_sent_as_base64_json() {
        let finished = ResponseTemplate::new(200)
            .set_body_json(json!({"image": encode(JPEG), "seed": 7, "finish_reason": "SUCCESS"}));
        let (server, dir, output) = stability_upscale(finished, "stability-wait-json").await;

        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let saved = dir.join("stability-upscale-creative-1.jpg");
        assert_eq!(stdout(&output).trim(), saved.display().to_string());
        assert_eq!(std::fs::read(&saved).expect("the finished image is saved"), JPEG);
        assert_eq!(polls_of(&server).await, 3);
    }

    /// BFL's submit answer, polled at its `polling_url` on the mock server, then the
    /// result URL (on the same server, under `/delivery/`) downloaded as `download` says.
    async fn bfl_flux(download: ResponseTemplate, name: &str, extra: &[&str]) -> (MockServer, PathBuf, Output) {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/flux-pro-1.1"))
            .and(header("x-key", KEY))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "task-1",
                "polling_url": format!("{}/v1/get_result?id=task-1", server.uri()),
            })))
            .expect(1)
            .mount(&server)
            .await;
        let pending = ResponseTemplate::new(200).set_body_json(json!({"id": "task-1", "status": "Pending"}));
        let ready = ResponseTemplate::new(200).set_body_json(json!({
            "id": "task-1",
            "status": "Ready",
            "result": {"sample": format!("{}/delivery/sample.png?se=2026&sig=signature", server.uri())},
        }));
        answers_in_turn(&server, "/v1/get_result", &[pending.clone(), pending], ready).await;
        Mock::given(method("GET")).and(path("/delivery/sample.png")).respond_with(download).mount(&server).await;
        let dir = out_dir(name);
        let mut flags = vec!["--wait", "--poll-interval", "0.01"];
        flags.extend(extra);
        let output =
            imagegen(against(&server, &dir, &["bfl", "flux-pro-1-1", "--prompt", "a lighthouse"], &flags)).await;
        (server, dir, output)
    }

    #[tokio::test]
    async fn bfl_wait_shows_each_status_and_saves_the_downloaded_result() {
        let download = ResponseTemplate::new(200).set_body_raw(PNG.to_vec(), "image/png");
        let (server, dir, output) = bfl_flux(download, "bfl-wait", &[]).await;

        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let saved = dir.join("bfl-flux-pro-1-1-1.png");
        assert_eq!(stdout(&output).trim(), saved.display().to_string());
        assert_eq!(std::fs::read(&saved).expect("the downloaded result is saved"), PNG);
        let err = stderr(&output);
        assert!(err.contains("job: Pending (poll 1"), "{err}");
        assert!(err.contains("job: Ready (poll 3"), "{err}");
        let requests = server.received_requests().await.unwrap_or_default();
        let polls: Vec<_> = requests.iter().filter(|r| r.url.path() == "/v1/get_result").collect();
        assert_eq!(polls.len(), 3);
        assert!(polls.iter().all(|r| r.url.query() == Some("id=task-1")), "polled at the polling_url");
    }

    #[tokio::test]
    async fn bfl_a_result_url_that_expired_keeps_the_finished_job_and_exits_non_zero() {
        let expired = || {
            ResponseTemplate::new(403).set_body_raw(
                b"<Error><Code>AuthenticationFailed</Code><Message>Signature expired</Message></Error>".to_vec(),
                "application/xml",
            )
        };
        let (_server, dir, output) = bfl_flux(expired(), "bfl-expired", &[]).await;

        assert_eq!(output.status.code(), Some(3), "an API error: stderr {}", stderr(&output));
        let err = stderr(&output);
        assert!(err.contains("the job finished, but its result could not be downloaded from"), "{err}");
        assert!(err.contains("/delivery/sample.png`") && err.contains("403"), "{err}");
        assert!(!err.contains("sig=signature"), "the message shows no signature: {err}");
        // The finished answer is printed where a result goes: the user can still fetch the URL.
        let answer: Value = serde_json::from_str(&stdout(&output)).expect("the finished answer on stdout");
        assert_eq!(answer["id"], "task-1");
        assert_eq!(answer["status"], "Ready");
        assert!(answer["result"]["sample"].as_str().unwrap().ends_with("/delivery/sample.png?se=2026&sig=signature"));
        assert!(std::fs::read_dir(&dir).unwrap().next().is_none(), "nothing saved");
        assert!(!err.contains(KEY) && !stdout(&output).contains(KEY));

        // `--json`: the same failure, with the finished answer beside it.
        let (_server, _dir, output) = bfl_flux(expired(), "bfl-expired-json", &["--json"]).await;
        assert_eq!(output.status.code(), Some(3), "stderr: {}", stderr(&output));
        let summary: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
        assert_eq!(summary["error"]["status"], 403);
        assert_eq!(summary["error"]["exit_code"], 3);
        assert_eq!(summary["response"]["id"], "task-1");
    }

    #[tokio::test]
    async fn bfl_get_result_sends_the_id_as_a_query_parameter() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/get_result"))
            .and(query_param("id", "task-1"))
            .and(header("x-key", KEY))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "task-1", "status": "Pending"})))
            .expect(1)
            .mount(&server)
            .await;
        let dir = out_dir("bfl-get-result");

        let output = imagegen(against(&server, &dir, &["bfl", "get-result", "--id", "task-1"], &[])).await;

        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let answer: Value = serde_json::from_str(&stdout(&output)).expect("the answer on stdout");
        assert_eq!(answer["status"], "Pending");
    }

    #[tokio::test]
    async fn stability_get_result_sends_its_accept_and_client_headers_and_saves_the_image() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/v2beta/results/{ID}")))
            .and(header("accept", "application/json"))
            .and(header("stability-client-id", "my-awesome-app"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"image": encode(PNG), "seed": 1, "finish_reason": "SUCCESS"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let dir = out_dir("stability-get-result");
        let command = ["stability", "get-result", "--id", ID, "--accept", "application/json"];

        let output =
            imagegen(against(&server, &dir, &command, &["--header-stability-client-id", "my-awesome-app"])).await;

        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let saved = dir.join("stability-get-result-1.png");
        assert_eq!(stdout(&output).trim(), saved.display().to_string());
        assert_eq!(std::fs::read(&saved).expect("image saved"), PNG);
    }
}

/// A test's own directory holding `renders`, a file where `--out` points, and `tmp`,
/// the child's temp dir (made unless `tmp_is_a_file`, then a file too).
fn out_is_a_file(name: &str, tmp_is_a_file: bool) -> (PathBuf, PathBuf) {
    let owned = out_dir(name);
    let not_a_dir = owned.join("renders");
    std::fs::write(&not_a_dir, b"a file, not a directory").expect("the blocking file");
    let tmp = owned.join("tmp");
    if tmp_is_a_file {
        std::fs::write(&tmp, b"a file too").expect("the blocking temp file");
    } else {
        std::fs::create_dir_all(&tmp).expect("the child's temp dir");
    }
    (not_a_dir, tmp)
}

/// The directories the child made in its temp dir.
fn fallback_dirs(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp).expect("tmp").map(|e| e.expect("entry").path()).collect()
}

async fn octen_answering_one_jpeg() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"created": 3, "data": [{"b64_json": encode(JPEG)}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_out_directory_that_does_not_exist_is_created_and_holds_the_image() {
    let server = octen_answering_one_jpeg().await;
    let dir = out_dir("missing-out").join("renders").join("today");

    let output = imagegen(octen_generate(&server, &dir, &[])).await;

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let saved = dir.join("octen-generate-images-1.jpg");
    assert_eq!(std::fs::read(&saved).expect("the image in the new directory"), JPEG);
    assert_eq!(stdout(&output).trim(), saved.display().to_string());
}

#[tokio::test]
async fn an_out_that_is_a_file_sends_the_image_to_the_fallback_directory_and_exits_1() {
    let server = octen_answering_one_jpeg().await;
    let (not_a_dir, tmp) = out_is_a_file("out-is-a-file", false);

    let output = imagegen_with_tmpdir(octen_generate(&server, &not_a_dir, &["--json"]), tmp.clone()).await;

    assert_eq!(output.status.code(), Some(1), "a local failure; stderr: {}", stderr(&output));
    let fallbacks = fallback_dirs(&tmp);
    assert_eq!(fallbacks.len(), 1, "one fresh fallback directory: {fallbacks:?}");
    let fallback = &fallbacks[0];
    assert!(fallback.file_name().unwrap().to_string_lossy().starts_with("imagegen-octen-generate-images-"));
    let saved = fallback.join("octen-generate-images-1.jpg");
    assert_eq!(std::fs::read(&saved).expect("the image in the fallback directory"), JPEG);
    assert_eq!(std::fs::read(&not_a_dir).expect("the file"), b"a file, not a directory", "left as it was");
    let err = stderr(&output);
    let why = format!("cannot save images in {}: it is a file, not a directory", not_a_dir.display());
    assert!(err.contains(&why), "names where it could not save, and why: {err}");
    assert!(err.contains(&fallback.display().to_string()), "names where it saved: {err}");
    let summary: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(summary["images"][0]["path"], saved.display().to_string());
    assert_eq!(summary["images"][0]["fallback"], true);
    assert_eq!(summary["save_failure"]["out"], not_a_dir.display().to_string());
    assert_eq!(summary["save_failure"]["reason"], "it is a file, not a directory");
    assert_eq!(summary["save_failure"]["fallback_dir"], fallback.display().to_string());
    assert_eq!(summary["save_failure"]["lost"], json!([]));
    assert_eq!(summary["response"]["created"], 3, "the answer is still printed");
}

#[tokio::test]
async fn a_stream_whose_out_is_a_file_keeps_every_partial_and_final_image_in_the_fallback_directory() {
    let server = MockServer::start().await;
    let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    let sse = [
        event("image_generation.partial_image", json!({"b64_json": encode(PNG), "partial_image_index": 0})),
        event("image_generation.completed", json!({"b64_json": encode(JPEG)})),
    ]
    .concat();
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "text/event-stream").set_body_string(sse),
        )
        .mount(&server)
        .await;
    let (not_a_dir, tmp) = out_is_a_file("stream-out-is-a-file", false);

    let command = octen_generate(&server, &not_a_dir, &["--stream", "--partial-images", "1"]);
    let output = imagegen_with_tmpdir(command, tmp.clone()).await;

    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let fallbacks = fallback_dirs(&tmp);
    assert_eq!(fallbacks.len(), 1, "{fallbacks:?}");
    let partial = fallbacks[0].join("octen-generate-images-partial-1.png");
    let last = fallbacks[0].join("octen-generate-images-1.jpg");
    assert_eq!(std::fs::read(&partial).expect("the partial image"), PNG);
    assert_eq!(std::fs::read(&last).expect("the final image"), JPEG);
    assert_eq!(stdout(&output).trim(), last.display().to_string());
}

#[tokio::test]
async fn when_the_fallback_fails_too_the_lost_images_are_counted_with_their_sizes() {
    let server = octen_answering_one_jpeg().await;
    let (not_a_dir, tmp_not_a_dir) = out_is_a_file("nowhere-to-save", true);

    let output = imagegen_with_tmpdir(octen_generate(&server, &not_a_dir, &["--json"]), tmp_not_a_dir).await;

    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains(&format!("error: 1 image lost: final image of {} bytes", JPEG.len())), "{err}");
    let summary: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(summary["images"], json!([]));
    assert_eq!(summary["save_failure"]["fallback_dir"], Value::Null);
    assert_eq!(summary["save_failure"]["lost"], json!([{"kind": "final", "bytes": JPEG.len()}]));
    assert_eq!(summary["response"]["created"], 3, "the answer is still printed");
}
