//! `RequestOptions::save_images_to`: a JSON answer's images written to disk while
//! they are decoded, against a local server sending the body in small pieces.

mod support;

use std::path::{Path, PathBuf};

use imagegen_runtime::image::CollectImages;
use imagegen_runtime::image::ImageFormat;
use imagegen_runtime::{Base64Data, Error, RequestOptions, Response};
use serde::Deserialize;
use serde_json::json;
use support::*;

#[derive(Debug, Deserialize)]
struct Image {
    b64_json: Base64Data,
}

#[derive(Debug, Deserialize)]
struct Answer {
    data: Vec<Image>,
}

impl CollectImages for Answer {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a Base64Data>) {
        out.extend(self.data.iter().map(|image| &image.b64_json));
    }
}

const SMALL_JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 2, 3];

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imagegen-arrive-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&dir);
    dir
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Serves `json` once in 16 KiB pieces (`head_extra`: more header lines).
async fn serve_in_pieces(json: &str, head_extra: &str) -> String {
    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{head_extra}connection: close\r\n\r\n");
    let pieces = std::iter::once(head.into_bytes()).chain(json.as_bytes().chunks(16 * 1024).map(<[u8]>::to_vec));
    serve_raw_once(pieces.collect()).await
}

/// One call through a handle that saves to `dir` as `img-<n>.<ext>`.
async fn call<R>(json: &str, dir: &Path) -> Result<Response<R>, Error>
where
    R: serde::de::DeserializeOwned + CollectImages,
{
    let (client, _) = client(&serve_in_pieces(json, "").await);
    let saving = client.http.with_options(&RequestOptions::new().save_images_to(dir, "img")).unwrap();
    saving.send_json_with_response(&GENERATE, "/v1/generate", Some(&json!({}))).await
}

#[tokio::test]
async fn a_large_image_is_on_disk_when_the_call_returns_and_stays_in_the_answer() {
    let dir = temp_dir("large");
    let image = support::png_noise(1_200_000, 3);
    let json = format!(
        r#"{{"data":[{{"b64_json":"{}"}},{{"b64_json":"{}"}}]}}"#,
        base64_simd::STANDARD.encode_to_string(&image),
        base64_simd::STANDARD.encode_to_string(SMALL_JPEG),
    );
    let response = call::<Answer>(&json, &dir).await.unwrap();

    let saved = response.saved_images();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert_eq!(saved[0].path, dir.join("img-1.png"));
    assert_eq!((saved[0].format, saved[0].bytes), (Some(ImageFormat::Png), image.len()));
    assert_eq!(std::fs::read(&saved[0].path).unwrap(), image, "the file holds exactly the decoded bytes");
    // The small image is not decoded while arriving: written from the answer after.
    assert_eq!(saved[1].path, dir.join("img-2.jpg"));
    assert_eq!(std::fs::read(&saved[1].path).unwrap(), SMALL_JPEG);
    assert!(response.unsaved_images().is_empty());
    assert_eq!(response.value().data[0].b64_json.as_bytes(), image, "the image stays in memory");
    assert_eq!(files_in(&dir), ["img-1.png", "img-2.jpg"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_existing_file_is_never_overwritten() {
    let dir = temp_dir("existing");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("img-1.png"), b"mine").unwrap();
    let image = support::png_noise(300_000, 5);
    let json = format!(r#"{{"data":[{{"b64_json":"{}"}}]}}"#, base64_simd::STANDARD.encode_to_string(&image));
    let response = call::<Answer>(&json, &dir).await.unwrap();

    assert_eq!(response.saved_images()[0].path, dir.join("img-2.png"));
    assert_eq!(std::fs::read(dir.join("img-2.png")).unwrap(), image);
    assert_eq!(std::fs::read(dir.join("img-1.png")).unwrap(), b"mine");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_long_string_that_is_not_base64_leaves_no_file() {
    let dir = temp_dir("not-base64");
    // Base64 for 200 000 characters, then a space: taken, then given back as text.
    let text = format!("{} and then words", "QUJD".repeat(50_000));
    let json = format!(r#"{{"data":[],"note":"{text}"}}"#);
    let response = call::<serde_json::Value>(&json, &dir).await.unwrap();

    assert_eq!(response.value()["note"], text.as_str());
    assert!(response.saved_images().is_empty());
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_body_cut_short_leaves_no_file() {
    let dir = temp_dir("cut");
    let image = support::png_noise(600_000, 9);
    let json = format!(r#"{{"data":[{{"b64_json":"{}"}}]}}"#, base64_simd::STANDARD.encode_to_string(&image));
    // Announced whole, sent half: the body fails while the image is being written.
    let half = &json[..json.len() / 2];
    let base_url = serve_in_pieces(half, &format!("content-length: {}\r\n", json.len())).await;
    let (client, _) = client(&base_url);
    let saving = client.http.with_options(&RequestOptions::new().save_images_to(&dir, "img").max_retries(0)).unwrap();
    let result = saving.send_json_with_response::<_, Answer>(&GENERATE, "/v1/generate", Some(&json!({}))).await;

    assert!(result.is_err(), "a cut body is an error");
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_directory_that_cannot_be_written_reports_the_failure_and_keeps_the_image() {
    // A file where the directory should be: nothing can be created in it.
    let dir = temp_dir("unwritable");
    std::fs::write(&dir, b"not a directory").unwrap();
    let image = support::png_noise(400_000, 13);
    let json = format!(
        r#"{{"data":[{{"b64_json":"{}"}},{{"b64_json":"{}"}}]}}"#,
        base64_simd::STANDARD.encode_to_string(&image),
        base64_simd::STANDARD.encode_to_string(SMALL_JPEG),
    );
    let response = call::<Answer>(&json, &dir.join("out")).await.unwrap();

    assert!(response.saved_images().is_empty());
    let positions: Vec<usize> = response.unsaved_images().iter().map(|u| u.position).collect();
    assert_eq!(positions, [0, 1], "every image that could not be written is reported");
    assert_eq!(response.value().data[0].b64_json.as_bytes(), image, "the image is still in the answer");
    assert_eq!(response.value().data[1].b64_json.as_bytes(), SMALL_JPEG);
    std::fs::remove_file(dir).unwrap();
}

#[tokio::test]
async fn url_safe_and_escaped_slash_base64_are_written_as_decoded() {
    let image = support::png_noise(500_000, 17);
    let url_safe = base64_simd::URL_SAFE.encode_to_string(&image);
    let escaped = base64_simd::STANDARD.encode_to_string(&image).replace('/', "\\/");
    assert!(url_safe.contains(['-', '_']) && escaped.contains("\\/"), "both forms are exercised");
    for (name, text) in [("url-safe", url_safe), ("escaped", escaped)] {
        let dir = temp_dir(name);
        let json = format!(r#"{{"data":[{{"b64_json":"{text}"}}]}}"#);
        let response = call::<Answer>(&json, &dir).await.unwrap();
        assert_eq!(response.saved_images()[0].path, dir.join("img-1.png"), "{name}");
        assert_eq!(std::fs::read(dir.join("img-1.png")).unwrap(), image, "{name}");
        assert_eq!(response.value().data[0].b64_json.as_bytes(), image, "{name}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[tokio::test]
async fn without_the_option_nothing_is_written() {
    let image = support::png_noise(300_000, 21);
    let json = format!(r#"{{"data":[{{"b64_json":"{}"}}]}}"#, base64_simd::STANDARD.encode_to_string(&image));
    let (client, _) = client(&serve_in_pieces(&json, "").await);
    let response =
        client.http.send_json_with_response::<_, Answer>(&GENERATE, "/v1/generate", Some(&json!({}))).await.unwrap();
    assert!(response.saved_images().is_empty() && response.unsaved_images().is_empty());
    assert_eq!(response.value().data[0].b64_json.as_bytes(), image);
}
