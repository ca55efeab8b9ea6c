//! A call end to end on 127.0.0.1: a local HTTP/1.1 server answers with a 4K
//! image body; the floor is `reqwest` send + `.bytes()` of the same answer.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use imagegen::runtime::dispatch::{Call, Outcome};
use imagegen::runtime::image::{save_image, save_numbered};
use imagegen::runtime::{ClientConfig, RequestOptions, SaveImagesTo};
use imagegen::{octen, routerhub};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::counting_alloc;
use super::fixtures;
use super::timing::{compare, ms};
use super::Boxed;

/// The 4K body of the other sections: 18 MB of image, 24 MB of JSON.
const IMAGE_LEN: usize = 18_000_000;
const CONCURRENT: usize = 8;

/// Serves every request on its own thread (the other core): `:generateContent`
/// gets the Gemini body, anything else the OpenAI body, each with its length.
fn serve(gemini: Bytes, openai: Bytes) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                let (gemini, openai) = (gemini.clone(), openai.clone());
                tokio::spawn(answer(socket, gemini, openai));
            }
        });
    });
    url
}

/// Answers the requests of one kept-alive connection.
async fn answer(mut socket: tokio::net::TcpStream, gemini: Bytes, openai: Bytes) {
    let mut buf = Vec::new();
    loop {
        let (head_end, head, length) = loop {
            if let Some(head) = fixtures::request_head(&buf) {
                break head;
            }
            let mut chunk = [0u8; 8192];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 8192];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = if head.lines().next().is_some_and(|l| l.contains(":generatecontent")) { &gemini } else { &openai };
        buf.drain(..head_end + length);
        let response_head =
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
        if socket.write_all(response_head.as_bytes()).await.is_err() || socket.write_all(body).await.is_err() {
            return;
        }
    }
}

/// One shape's calls: the floor, the generated client, and the client plus saving.
struct Calls {
    url: String,
    path: &'static str,
    request: Bytes,
    raw: reqwest::Client,
    gemini: routerhub::Client,
    octen: octen::Client,
    /// The same clients through a handle that writes each image as it is decoded.
    gemini_saving: routerhub::Client,
    octen_saving: octen::Client,
    shape: super::Shape,
}

impl Calls {
    async fn floor(&self) -> Bytes {
        let response = self
            .raw
            .post(format!("{}{}", self.url, self.path))
            .header("content-type", "application/json")
            .body(self.request.clone())
            .send()
            .await
            .expect("floor send");
        response.bytes().await.expect("floor body")
    }

    async fn ours(&self) -> Bytes {
        match self.shape {
            super::Shape::Gemini => {
                let request = gemini_request();
                let response = self
                    .gemini
                    .generate_content(&routerhub::GeminiImageModel::GoogleGemini3ProImagePreview, &request)
                    .await
                    .expect("Gemini call");
                super::gemini_image(response)
            }
            super::Shape::OpenAi => {
                let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a lighthouse");
                super::openai_image(self.octen.generate_images(&request).await.expect("OpenAI call"))
            }
        }
        .expect("an image")
    }

    /// The call through the handle with `RequestOptions::save_images_to`: the image is
    /// on disk when the call returns, and still in the answer.
    async fn ours_saving(&self) -> (Bytes, Vec<SavedFile>) {
        let (image, saved) = match self.shape {
            super::Shape::Gemini => {
                let request = gemini_request();
                let response = self
                    .gemini_saving
                    .generate_content_with_response(
                        &routerhub::GeminiImageModel::GoogleGemini3ProImagePreview,
                        &request,
                    )
                    .await
                    .expect("Gemini call");
                let saved = response.saved_images().to_vec();
                (super::gemini_image(response.into_value()), saved)
            }
            super::Shape::OpenAi => {
                let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage2, "a lighthouse");
                let response = self.octen_saving.generate_images_with_response(&request).await.expect("OpenAI call");
                let saved = response.saved_images().to_vec();
                (super::openai_image(response.into_value()), saved)
            }
        };
        (image.expect("an image"), saved.into_iter().map(|file| SavedFile(file.path)).collect())
    }
}

fn gemini_request() -> routerhub::GenerateContentRequest {
    routerhub::GenerateContentRequest::new(vec![routerhub::Content::user(vec![routerhub::Part::text("a lighthouse")])])
}

/// A saved file, removed when dropped (after the clock stops).
struct SavedFile(PathBuf);

impl Drop for SavedFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `n` numbers the files (shared by the measured closures, so a `Cell`).
fn save(dir: &Path, image: &[u8], n: &std::cell::Cell<usize>) -> SavedFile {
    n.set(n.get() + 1);
    let n = n.get();
    SavedFile(save_image(dir, &format!("bench-{n}"), image).expect("saved"))
}

/// The CLI's path without the process: the call by name (`imagegen::providers()`,
/// what `imagegen routerhub generate-content` runs) with `Call::save_images`, so every
/// image is written under the CLI's next free name as it arrives, and the answer's
/// summary the CLI prints (`AnswerJson::summary`, images shown by size).
async fn cli_path(config: &ClientConfig, shape: super::Shape, dir: &Path) -> (Vec<SavedFile>, serde_json::Value) {
    let providers = imagegen::providers();
    let (provider, operation, call) = match shape {
        super::Shape::Gemini => {
            let body = serde_json::to_value(gemini_request()).expect("request JSON");
            let mut call = Call { body, ..Call::default() };
            call.path_params.insert("model".into(), "google/gemini-3-pro-image-preview".into());
            ("routerhub", "generate_content", call)
        }
        super::Shape::OpenAi => {
            let body = serde_json::json!({"model": "openai/gpt-image-2", "prompt": "a lighthouse"});
            ("octen", "generate_images", Call { body, ..Call::default() })
        }
    };
    let entry = providers.iter().find(|p| p.info.name == provider).expect("provider compiled in");
    let call = Call { save_images: Some(SaveImagesTo::new(dir, format!("{provider}-{operation}"))), ..call };
    let Ok(Outcome::Response { json, images, saved }) = (entry.call)(config, operation, call).await else {
        panic!("a response with images")
    };
    assert!(saved.unsaved.is_empty(), "every image written");
    let mut files: Vec<SavedFile> = saved.saved.into_iter().map(|file| SavedFile(file.path)).collect();
    // What the CLI does with an answer the call did not write (none here).
    if files.len() != images.len() {
        let prefix = format!("{provider}-{operation}-");
        files = images
            .iter()
            .map(|image| SavedFile(save_numbered(dir, &prefix, 1, image.as_bytes()).expect("saved").0))
            .collect();
    }
    (files, json.summary())
}

fn rss_kb(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the peak RSS (`VmHWM`) to the current RSS (Linux 4.0+).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

extern "C" {
    /// glibc: gives freed heap pages back to the system.
    fn malloc_trim(pad: usize) -> i32;
}

/// Hands memory freed by earlier measurements back, so that the next one starts
/// from an idle RSS instead of reusing pages already resident.
fn give_back_freed_memory() {
    // SAFETY: glibc's `malloc_trim` only releases free memory; this bench runs on Linux with glibc.
    unsafe {
        malloc_trim(0);
    }
}

pub fn section() {
    println!("## A call end to end on 127.0.0.1 (4K image)\n");
    let image = fixtures::image_bytes(IMAGE_LEN, 0x4B);
    let b64 = fixtures::base64_text(&image);
    let gemini_body = Bytes::from(fixtures::gemini_body(&b64));
    let openai_body = Bytes::from(fixtures::openai_body(&b64));
    drop(b64);
    let url = serve(gemini_body.clone(), openai_body.clone());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let config = ClientConfig {
        api_key: Some("bench-key".into()),
        base_url: Some(url.clone()),
        retry_policy: imagegen::runtime::RetryPolicy::default().with_max_retries(0),
        ..ClientConfig::default()
    };
    // The CLI builds its client once per process; here one reqwest client serves
    // every round, so the row prices the call by name and the saving, not TLS setup.
    let cli_config = ClientConfig { http_client: Some(reqwest::Client::new()), ..config.clone() };
    let dir = std::env::temp_dir().join(format!("imagegen-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let saved = std::cell::Cell::new(0);
    let saving = RequestOptions::new().save_images_to(&dir, "bench-arrive");
    let mut rows = Vec::new();
    let mut heap_rows = Vec::new();
    let mut rss_rows = Vec::new();
    for shape in [super::Shape::Gemini, super::Shape::OpenAi] {
        let (path, body_len, request) = match shape {
            super::Shape::Gemini => (
                "/v1beta/models/gemini-3-pro-image-preview:generateContent",
                gemini_body.len(),
                serde_json::to_vec(&gemini_request()).expect("request"),
            ),
            super::Shape::OpenAi => (
                "/v1/images/generations",
                openai_body.len(),
                br#"{"model":"openai/gpt-image-2","prompt":"a lighthouse"}"#.to_vec(),
            ),
        };
        let calls = Arc::new(Calls {
            url: url.clone(),
            path,
            request: Bytes::from(request),
            raw: reqwest::Client::new(),
            gemini: config.clone().build::<routerhub::Client>().expect("client"),
            octen: config.clone().build::<octen::Client>().expect("client"),
            gemini_saving: config
                .clone()
                .build::<routerhub::Client>()
                .expect("client")
                .with_options(&saving)
                .expect("handle"),
            octen_saving: config
                .clone()
                .build::<octen::Client>()
                .expect("client")
                .with_options(&saving)
                .expect("handle"),
            shape,
        });
        assert_eq!(runtime.block_on(calls.floor()).len(), body_len, "the floor reads the whole body");
        assert_eq!(runtime.block_on(calls.ours()), image, "the call decodes the image exactly");
        let (kept, files) = runtime.block_on(calls.ours_saving());
        assert_eq!((kept, files.len()), (Bytes::from(image.clone()), 1), "the saving call keeps the image");
        assert_eq!(std::fs::read(&files[0].0).expect("written"), image, "and writes it exactly");
        drop(files);
        let mut floor = || -> Boxed { Box::new(runtime.block_on(black_box(&calls).floor())) };
        let mut ours = || -> Boxed { Box::new(runtime.block_on(black_box(&calls).ours())) };
        let mut ours_save = || -> Boxed {
            let image = runtime.block_on(black_box(&calls).ours());
            Box::new(save(&dir, &image, &saved))
        };
        let mut ours_arrive = || -> Boxed { Box::new(runtime.block_on(black_box(&calls).ours_saving())) };
        let mut cli = || -> Boxed { Box::new(runtime.block_on(cli_path(&cli_config, shape, &dir))) };
        // The write alone, of an image already decoded: what overlapping the write
        // with the body's arrival could save at most.
        let mut write = || -> Boxed { Box::new(save(&dir, black_box(&image), &saved)) };
        let times = compare(21, &mut [&mut floor, &mut ours, &mut ours_save, &mut ours_arrive, &mut cli, &mut write]);
        rows.push((shape.name(), body_len, times));

        let floor_heap = counting_alloc::measure(|| runtime.block_on(calls.floor()));
        let ours_heap = counting_alloc::measure(|| runtime.block_on(calls.ours()));
        let save_heap = counting_alloc::measure(|| {
            let image = runtime.block_on(calls.ours());
            save(&dir, &image, &saved)
        });
        let cli_heap = counting_alloc::measure(|| runtime.block_on(cli_path(&cli_config, shape, &dir)));
        heap_rows.push((shape.name(), floor_heap, ours_heap, save_heap, cli_heap));

        // Eight calls at once, their answers kept: RSS above the idle client.
        let concurrent = |ours: bool| {
            let calls = calls.clone();
            give_back_freed_memory();
            let idle = rss_kb("VmRSS:");
            let reset = reset_peak_rss();
            let kept: Vec<Bytes> = runtime.block_on(async {
                let all = (0..CONCURRENT).map(|_| {
                    let calls = calls.clone();
                    async move {
                        if ours {
                            calls.ours().await
                        } else {
                            calls.floor().await
                        }
                    }
                });
                futures_util::future::join_all(all).await
            });
            let after = rss_kb("VmRSS:");
            let peak = if reset { rss_kb("VmHWM:") } else { after };
            drop(kept);
            (idle, after, peak)
        };
        let ours_rss = concurrent(true);
        rss_rows.push((shape.name(), body_len, concurrent(false), ours_rss));
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!("Median of 21 interleaved rounds; one client per variant, connections kept alive; the server runs on its own thread. `floor` is `reqwest` send + `.bytes()` of the same answer; `ours` the generated client's call to the decoded image (`routerhub::Client::generate_content`, `octen::Client::generate_images`); `ours + save` that and `runtime::image::save_image` to a file in the temp dir; `ours + save as it arrives` the same call through a handle with `RequestOptions::save_images_to`, each image written while it is decoded; `CLI path` the call by name the CLI makes (`imagegen::providers()`, `Outcome::Response`, `Call::save_images`), every image written as it arrives under the CLI's next free name and the answer's summary (`AnswerJson::summary`, images shown by size), without the process and with its reqwest client built once; `write` is `save_image` alone of the decoded image (the most overlapping the write with the body's arrival could save). Target (issue 17): a call that saves within 1.1x of the floor.\n");
    println!("| answer | body MB | floor | ours | ours + save | ours + save as it arrives | CLI path | write | **ours / floor** | **ours + save / floor** | **ours + save as it arrives / floor** | **CLI path / floor** |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, len, t) in &rows {
        let ratio = |i: usize| t[i].as_secs_f64() / t[0].as_secs_f64();
        println!(
            "| 4K {name} | {:.2} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | **{:.2}x** | **{:.2}x** | **{:.2}x** | **{:.2}x** |",
            *len as f64 / 1e6,
            ms(t[0]),
            ms(t[1]),
            ms(t[2]),
            ms(t[3]),
            ms(t[4]),
            ms(t[5]),
            ratio(1),
            ratio(2),
            ratio(3),
            ratio(4)
        );
    }
    println!("\nPeak heap during one call (counting allocator; the server's buffers are live before and not counted). Target: at most 1.1x the decoded image ({:.2} MB).\n", IMAGE_LEN as f64 / 1e6);
    println!("| answer | floor peak | ours peak | ours allocated | **ours peak / image** | ours + save peak / image | CLI path peak / image |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, floor, ours, save, cli) in &heap_rows {
        println!(
            "| 4K {name} | {:.2} MB | {:.2} MB | {:.2} MB | **{:.3}x** | {:.3}x | {:.3}x |",
            floor.peak_above_start as f64 / 1e6,
            ours.peak_above_start as f64 / 1e6,
            ours.allocated as f64 / 1e6,
            ours.peak_above_start as f64 / IMAGE_LEN as f64,
            save.peak_above_start as f64 / IMAGE_LEN as f64,
            cli.peak_above_start as f64 / IMAGE_LEN as f64,
        );
    }
    println!("\n{CONCURRENT} calls at once on one thread, every answer kept until all are in: RSS (`/proc/self/status`) above the idle client just before; peak is `VmHWM` after resetting it (`/proc/self/clear_refs`). Target: peak at most {CONCURRENT} x 1.1 x the decoded image ({:.1} MB).\n", CONCURRENT as f64 * 1.1 * IMAGE_LEN as f64 / 1e6);
    println!("| answer | floor: kept / peak above idle | ours: kept / peak above idle | **ours peak / ({CONCURRENT} x image)** | floor peak / ({CONCURRENT} x body) |");
    println!("|---|---:|---:|---:|---:|");
    for (name, body_len, floor, ours) in &rss_rows {
        let mb = |kb: usize| kb as f64 * 1024.0 / 1e6;
        let above =
            |(idle, after, peak): (usize, usize, usize)| (after.saturating_sub(idle), peak.saturating_sub(idle));
        let (floor_kept, floor_peak) = above(*floor);
        let (ours_kept, ours_peak) = above(*ours);
        println!(
            "| 4K {name} | {:.1} / {:.1} MB | {:.1} / {:.1} MB | **{:.3}x** | {:.3}x |",
            mb(floor_kept),
            mb(floor_peak),
            mb(ours_kept),
            mb(ours_peak),
            mb(ours_peak) * 1e6 / (CONCURRENT * IMAGE_LEN) as f64,
            mb(floor_peak) * 1e6 / (CONCURRENT * body_len) as f64,
        );
    }
    println!();
}
