//! A multipart upload on 127.0.0.1: how much the client allocates while it sends a
//! form whose file is already in memory. Issue 17's target: no copy of a file's
//! bytes beyond the one the socket needs, so the bytes allocated during the call
//! stay far below the file's size.

use std::io::{Read, Write};

use bytes::Bytes;
use imagegen::runtime::{ClientConfig, FilePart, RetryPolicy};
use imagegen::stability;

use super::counting_alloc;
use super::fixtures;
use super::timing::ms;

/// Stability's documented request limit is 10 MiB: a file just under it.
const FILE_LEN: usize = 9_000_000;

/// The small PNG every upload is answered with (Stability answers `image/*` bytes).
const ANSWER: &[u8] = b"\x89PNG\r\n\x1a\nnot-really-an-image";

/// Reads each request on its own thread into one fixed buffer (the server allocates
/// nothing per byte received, only its reply, so the counting allocator sees the client) and
/// answers it with [`ANSWER`]. Requests are read to the end of their body by its
/// `Content-Length` (reqwest sends one for a form of in-memory parts).
fn serve() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(socket) = socket else { return };
            std::thread::spawn(move || answer(socket));
        }
    });
    url
}

fn answer(mut socket: std::net::TcpStream) {
    let mut buf = [0u8; 64 * 1024];
    loop {
        // The head: up to the blank line, then whatever of the body came with it.
        let mut filled = 0;
        let (head_end, _, length) = loop {
            if let Some(head) = fixtures::request_head(&buf[..filled]) {
                break head;
            }
            match socket.read(&mut buf[filled..]) {
                Ok(0) | Err(_) => return,
                Ok(n) => filled += n,
            }
        };
        let mut left = length.saturating_sub(filled - head_end);
        while left > 0 {
            match socket.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
        // One write: a head and a body written apart wait out Nagle and a delayed ACK (40 ms).
        let mut reply =
            format!("HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: {}\r\n\r\n", ANSWER.len())
                .into_bytes();
        reply.extend_from_slice(ANSWER);
        if socket.write_all(&reply).is_err() {
            return;
        }
    }
}

pub fn section() {
    println!("## A multipart upload on 127.0.0.1 (a 9 MB file already in memory)\n");
    // A PNG whose header states a size Stability's erase accepts (2048x2048, within
    // `image_limits`), then noise: `validate()` reads the size from the header.
    let mut file = imagegen::runtime::image::png_header(2048, 2048);
    file.extend_from_slice(&fixtures::image_bytes(FILE_LEN - file.len(), 0x55));
    let file = Bytes::from(file);
    let url = serve();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let config = ClientConfig {
        api_key: Some("bench-key".into()),
        base_url: Some(url),
        retry_policy: RetryPolicy::default().with_max_retries(0),
        ..ClientConfig::default()
    };
    let client = config.build::<stability::Client>().expect("client");
    let form = stability::EraseForm::new(FilePart::from_bytes(file.clone()).with_mime_type("image/png"));
    let call = || {
        runtime.block_on(async {
            let answer = client.erase(&form).await.expect("the upload is answered");
            assert!(matches!(answer, imagegen::runtime::JsonOrBinary::Binary(_)), "an image answer");
            answer
        })
    };
    // The first call connects (TLS-free, but the pool and the connection's buffers are
    // set up once); the measured ones reuse the connection, as a client's later calls do.
    drop(call());
    let mut rows = Vec::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let heap = counting_alloc::measure(call);
        rows.push((heap, started.elapsed()));
    }
    rows.sort_by_key(|(heap, _)| heap.allocated);
    let (heap, time) = rows[rows.len() / 2];
    println!(
        "`stability::Client::erase` with a {:.2} MB `FilePart` (its `Bytes` shared into the form, not copied), \
         answered with a few bytes of PNG by a local server that reads every request into one fixed 64 KiB buffer \
         (it allocates only its reply, about 100 bytes), so the counting allocator sees the client. One connection, kept alive; the median of 5 calls by bytes \
         allocated. Target (issue 17): no copy of the file beyond the socket's, so far less than the file allocated \
         during the call.\n",
        FILE_LEN as f64 / 1e6
    );
    println!("| file | allocated during the call | **allocated / file** | peak above start | **peak / file** | time |");
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {:.2} MB | {:.3} MB | **{:.4}x** | {:.3} MB | **{:.4}x** | {:.2} ms |",
        FILE_LEN as f64 / 1e6,
        heap.allocated as f64 / 1e6,
        heap.allocated as f64 / FILE_LEN as f64,
        heap.peak_above_start as f64 / 1e6,
        heap.peak_above_start as f64 / FILE_LEN as f64,
        ms(time),
    );
    let all: Vec<String> = rows.iter().map(|(heap, _)| format!("{:.3} MB", heap.allocated as f64 / 1e6)).collect();
    println!("\nAllocated, every call: {}.\n", all.join(", "));
}
