//! Shared pieces of the runtime tests: a fake provider, a client against a
//! local server, a retry policy that records its waits instead of sleeping,
//! and a raw TCP server for bodies wiremock cannot produce (cut streams).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use imagegen_runtime::envelope::{DelayFormat, JsonKind, RetryDelay, RetryRule, Step, Test, TestKind};
use imagegen_runtime::{
    AuthScheme, ClientBuilder, Envelope, HttpClient, Jitter, Method, OperationInfo, ProviderClient, ProviderHeader,
    ProviderInfo, RetryPolicy, StatusRetry,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Google's envelope as `specs/routerhub.yaml` declares it.
pub const GOOGLE: Envelope = Envelope {
    name: "google",
    when: &[Test { path: &[Step::Key("error"), Step::Key("status")], kind: TestKind::Is(JsonKind::String) }],
    body_keys: &["error"],
    message: &[&[Step::Key("error"), Step::Key("message")]],
    code: &[&[Step::Key("error"), Step::Key("status")]],
    error_type: &[],
    status: &[&[Step::Key("error"), Step::Key("code")]],
    param: &[],
    retryable: &[],
    retry_delay: Some(RetryDelay {
        path: &[
            Step::Key("error"),
            Step::Key("details"),
            Step::ItemEndingWith { field: "@type", suffix: "google.rpc.RetryInfo" },
            Step::Key("retryDelay"),
        ],
        format: DelayFormat::Duration,
    }),
    retry_rules: &[],
};

/// OpenAI's envelope as `specs/octen.yaml` declares it.
pub const OPENAI: Envelope = Envelope {
    name: "openai",
    when: &[Test { path: &[Step::Key("error")], kind: TestKind::Is(JsonKind::Object) }],
    body_keys: &["error"],
    message: &[&[Step::Key("error"), Step::Key("message")]],
    code: &[&[Step::Key("error"), Step::Key("code")]],
    error_type: &[&[Step::Key("error"), Step::Key("type")]],
    status: &[],
    param: &[&[Step::Key("error"), Step::Key("param")]],
    retryable: &[],
    retry_delay: None,
    retry_rules: &[RetryRule {
        status: Some(429),
        code: Some("insufficient_quota"),
        message_contains: None,
        retry: false,
    }],
};

/// ListenHub's envelope as `specs/listenhub.yaml` declares it.
pub const LISTENHUB: Envelope = Envelope {
    name: "listenhub",
    when: &[],
    body_keys: &[],
    message: &[&[Step::Key("message")], &[Step::Key("userMessage")]],
    code: &[&[Step::Key("code")], &[Step::Key("reason")], &[Step::Key("failReason")]],
    error_type: &[],
    status: &[],
    param: &[],
    retryable: &[&[Step::Key("retryable")]],
    retry_delay: None,
    retry_rules: &[],
};

/// LLMGateway's envelope as `specs/llmgateway.yaml` declares it.
pub const LLMGATEWAY: Envelope = Envelope {
    name: "llmgateway",
    when: &[Test {
        path: &[Step::Key("error")],
        kind: TestKind::Equals(imagegen_runtime::envelope::Scalar::Bool(true)),
    }],
    body_keys: &["error", "status", "message"],
    message: &[&[Step::Key("message")]],
    code: &[],
    error_type: &[],
    status: &[&[Step::Key("status")]],
    param: &[],
    retryable: &[],
    retry_delay: None,
    retry_rules: &[RetryRule {
        status: Some(500),
        code: None,
        message_contains: Some("did not generate any images"),
        retry: false,
    }],
};

/// Every envelope, in the order a relay that forwards anything would list them.
pub const EVERY_ENVELOPE: &[Envelope] = &[GOOGLE, OPENAI, LLMGATEWAY, LISTENHUB];

/// A key that must never show up in any output.
pub const CANARY_KEY: &str = "sk-canary-7f3e9a1c5b2d";

/// Environment variable nobody sets, so the "missing key" path is deterministic.
pub const UNSET_KEY_ENV: &str = "IMAGEGEN_RUNTIME_TEST_KEY_NEVER_SET";

pub static PROVIDER: ProviderInfo = ProviderInfo {
    name: "testprovider",
    title: "Test Provider",
    default_base_url: "https://api.example.invalid",
    api_key_env: UNSET_KEY_ENV,
    base_url_env: "IMAGEGEN_RUNTIME_TEST_BASE_URL",
    auth_schemes: &[AuthScheme::Header("x-api-key"), AuthScheme::Bearer],
    envelopes: &[GOOGLE, OPENAI],
    headers: &[ProviderHeader { name: "x-client-name", help: "Your application's name.", secret: false, env: None }],
};

pub static GENERATE: OperationInfo = OperationInfo {
    id: "generate",
    method: Method::Post,
    path: "/v1/generate",
    envelopes: &[GOOGLE, OPENAI],
    status_retries: &[],
    auth_schemes: &[],
    model_param: None,
    usage: &[],
    max_request_bytes: None,
};

/// A ListenHub-style operation, whose error bodies carry `retryable`.
pub static LISTENHUB_GENERATE: OperationInfo = OperationInfo {
    id: "generate",
    method: Method::Post,
    path: "/v1/generate",
    envelopes: &[LISTENHUB],
    status_retries: &[],
    auth_schemes: &[],
    model_param: None,
    usage: &[],
    max_request_bytes: None,
};

/// An operation whose docs call 409 retryable.
pub static GENERATE_409_RETRYABLE: OperationInfo = OperationInfo {
    id: "generate",
    method: Method::Post,
    path: "/v1/generate",
    envelopes: &[GOOGLE, OPENAI],
    status_retries: &[StatusRetry { status: 409, retry: true }],
    auth_schemes: &[],
    model_param: None,
    usage: &[],
    max_request_bytes: None,
};

#[derive(Debug)]
pub struct TestClient {
    pub http: HttpClient,
}

impl ProviderClient for TestClient {
    const PROVIDER: &'static ProviderInfo = &PROVIDER;

    fn from_http_client(http: HttpClient) -> Self {
        Self { http }
    }

    fn http_client(&self) -> &HttpClient {
        &self.http
    }
}

/// Waits the retry loop asked for, in order.
#[derive(Clone, Default)]
pub struct Waits(Arc<Mutex<Vec<Duration>>>);

impl Waits {
    pub fn get(&self) -> Vec<Duration> {
        self.0.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

/// Deterministic backoff (10 ms doubling, at most 1 s) that records waits and never sleeps.
pub fn recording_policy() -> (RetryPolicy, Waits) {
    let waits = Waits::default();
    let sink = waits.clone();
    let policy = RetryPolicy::default()
        .with_jitter(Jitter::None)
        .with_base_delay(Duration::from_millis(10))
        .with_max_delay(Duration::from_secs(1))
        .with_sleep(move |wait| {
            if let Ok(mut waits) = sink.0.lock() {
                waits.push(wait);
            }
            std::future::ready(())
        });
    (policy, waits)
}

/// A builder pointed at `base_url` with the canary key and a recording policy.
pub fn builder(base_url: &str) -> (ClientBuilder<TestClient>, Waits) {
    let (policy, waits) = recording_policy();
    let builder = ClientBuilder::<TestClient>::new().api_key(CANARY_KEY).base_url(base_url).retry_policy(policy);
    (builder, waits)
}

/// A client pointed at `base_url` with the canary key and a recording policy.
pub fn client(base_url: &str) -> (TestClient, Waits) {
    let (builder, waits) = builder(base_url);
    (builder.build().expect("test client builds"), waits)
}

/// A loopback URL nothing listens on, for connection failures.
pub async fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Serves one connection: reads the request, writes `pieces` with a short
/// pause between them, then closes. Returns the base URL.
pub async fn serve_raw_once(pieces: Vec<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        read_request(&mut socket).await;
        for piece in pieces {
            if socket.write_all(&piece).await.is_err() {
                return;
            }
            let _ = socket.flush().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let _ = socket.shutdown().await;
    });
    url
}

async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = socket.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return;
            }
        }
    }
}

/// Image-like noise: a PNG signature, then bytes that use every base64 symbol
/// (`+`, `/`, `-`, `_` once encoded), the same for the same `seed`.
pub fn png_noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}
