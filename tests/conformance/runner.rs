//! Discovering case folders, replaying each on a local server and collecting every failure.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use imagegen::runtime::dispatch::{Call, Outcome, ProviderEntry, Wait};
use imagegen::runtime::{ClientConfig, FilePart, HttpEvent, Jitter, JobProgress, Observer, PollPolicy, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use super::case::{json_body, read_case_file, Case};
use super::outcome::{check_error, check_response, check_stream, Observed};
use super::replay::{check_request, decode_base64, response_body, sequence};
use super::{secrets, sse_split};

/// The key every case sends: obviously not a real one.
pub const TEST_KEY: &str = "test-key-not-real";

/// File listing the cases expected to fail, each with its reason.
pub const KNOWN_FAILURES: &str = "known_failures.json";

/// A call or a stream taking longer than this is a failure, not a hang.
const CASE_DEADLINE: Duration = Duration::from_secs(10);

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed(Vec<String>),
    /// Failed, and listed in the known failures with this reason.
    KnownFailure(String),
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub id: String,
    pub provider: String,
    pub operation: String,
    pub verdict: Verdict,
}

/// The result of a whole run.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: Vec<CaseReport>,
    /// Every failure, each starting with the case id (or the file) it is about.
    pub failures: Vec<String>,
}

impl Report {
    /// Cases per provider.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for case in &self.cases {
            *counts.entry(case.provider.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// Cases per `provider/operation`.
    pub fn operation_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for case in &self.cases {
            *counts.entry(format!("{}/{}", case.provider, case.operation)).or_insert(0) += 1;
        }
        counts
    }

    /// `conformance: listenhub 12, routerhub 30, ...`
    pub fn summary(&self) -> String {
        let counts: Vec<String> = self.counts().iter().map(|(p, n)| format!("{p} {n}")).collect();
        let known = self.cases.iter().filter(|c| matches!(c.verdict, Verdict::KnownFailure(_))).count();
        format!(
            "conformance: {} ({} cases, {known} known failures, {} failures)",
            counts.join(", "),
            self.cases.len(),
            self.failures.len()
        )
    }

    /// Whether nothing failed.
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every case under `root` (`<provider>/<operation>/<case>/`) and reports all failures.
pub fn run_cases(root: &Path) -> Report {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
    runtime.block_on(run_all(root))
}

async fn run_all(root: &Path) -> Report {
    let mut report = Report::default();
    report.failures.extend(secrets::scan(root));
    let mut known = match load_known_failures(root) {
        Ok(known) => known,
        Err(e) => {
            report.failures.push(format!("{KNOWN_FAILURES}: {e}"));
            BTreeMap::new()
        }
    };
    let providers = imagegen::providers();
    for (provider, operation, name) in discover(root, &mut report.failures) {
        let id = format!("{provider}/{operation}/{name}");
        let Some(entry) = providers.iter().find(|p| p.info.name == provider) else {
            report.failures.push(format!("{id}: no provider `{provider}` in imagegen::providers()"));
            continue;
        };
        if !entry.operations.iter().any(|op| op.id == operation) {
            report.failures.push(format!("{id}: {provider} has no operation `{operation}`"));
            continue;
        }
        let dir = root.join(&provider).join(&operation).join(&name);
        let diffs = match Case::load(&dir, &operation) {
            Ok(case) => run_case(&case, entry).await,
            Err(e) => vec![format!("bad fixture: {e}")],
        };
        let verdict = match (known.remove(&id), diffs.is_empty()) {
            (None, true) => Verdict::Passed,
            (None, false) => {
                report.failures.extend(diffs.iter().map(|d| format!("{id}: {d}")));
                Verdict::Failed(diffs)
            }
            (Some(reason), false) => Verdict::KnownFailure(reason),
            (Some(reason), true) => {
                report.failures.push(format!(
                    "{id}: passes but is listed in {KNOWN_FAILURES} ({reason}); remove it from the list"
                ));
                Verdict::Passed
            }
        };
        report.cases.push(CaseReport { id, provider, operation, verdict });
    }
    for (id, reason) in known {
        report.failures.push(format!("{id}: listed in {KNOWN_FAILURES} ({reason}) but no such case exists"));
    }
    report
}

fn load_known_failures(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let path = root.join(KNOWN_FAILURES);
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let list: BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    match list.iter().find(|(_, reason)| reason.trim().is_empty()) {
        Some((id, _)) => Err(format!("`{id}` has no reason")),
        None => Ok(list),
    }
}

fn sorted_dirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Every case folder, as `(provider, operation, case)`.
fn discover(root: &Path, failures: &mut Vec<String>) -> Vec<(String, String, String)> {
    let mut cases = Vec::new();
    for provider in sorted_dirs(root) {
        for operation in sorted_dirs(&root.join(&provider)) {
            let names = sorted_dirs(&root.join(&provider).join(&operation));
            if names.is_empty() {
                failures.push(format!("{provider}/{operation}: folder holds no cases"));
            }
            for name in names {
                cases.push((provider.clone(), operation.clone(), name));
            }
        }
    }
    cases
}

fn build_call(case: &Case) -> Result<Call, String> {
    let body = json_body(&case.dir, &case.call.body, &case.call.body_file)
        .map_err(|e| format!("call.json: {e}"))?
        .unwrap_or(serde_json::Value::Null);
    let mut files = BTreeMap::new();
    for (part, specs) in &case.call.files {
        let mut list = Vec::new();
        for spec in specs {
            let (bytes, default_name) = match (&spec.path, &spec.base64) {
                (Some(path), None) => {
                    let name = Path::new(path).file_name().map_or("file".into(), |n| n.to_string_lossy().into_owned());
                    (read_case_file(&case.dir, path)?, name)
                }
                (None, Some(text)) => (decode_base64(text)?, "file".to_string()),
                _ => return Err(format!("call.json: file of `{part}` needs `path` or `base64`")),
            };
            let mut file = FilePart::from_bytes(bytes).with_file_name(spec.file_name.clone().unwrap_or(default_name));
            if let Some(mime) = &spec.mime_type {
                file = file.with_mime_type(mime.clone());
            }
            list.push(file);
        }
        files.insert(part.clone(), list);
    }
    Ok(Call { path_params: case.call.path_params.clone(), body, files, stream: case.call.stream, ..Call::default() })
}

/// Replays one case; returns what differed (empty when it passed).
async fn run_case(case: &Case, entry: &ProviderEntry) -> Vec<String> {
    let mut diffs = Vec::new();
    let server = MockServer::start().await;
    let responder = match sequence(case, &server.uri()) {
        Ok(responder) => responder,
        Err(e) => return vec![e],
    };
    Mock::given(any()).respond_with(responder).mount(&server).await;

    let waits: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let recorder = Arc::clone(&waits);
    let policy = RetryPolicy::default().with_jitter(Jitter::None).with_sleep(move |wait| {
        recorder.lock().expect("wait log").push(wait);
        async {}
    });
    // The warnings a valid request raises reach the client's observer, as the CLI sees them.
    let warnings: Arc<Mutex<Vec<String>>> = Arc::default();
    let warned = Arc::clone(&warnings);
    let observer = Observer::new(move |event| {
        if let HttpEvent::Warning { warning, .. } = event {
            warned.lock().expect("warning log").push(warning.to_string());
        }
    });
    let auth_scheme = match case.call.options.auth.as_deref().map(|name| entry.info.auth_scheme_named(name)) {
        None => None,
        Some(Ok(scheme)) => Some(scheme),
        Some(Err(e)) => return vec![format!("call.json: options.auth: {e}")],
    };
    let policy = match case.call.options.max_retries {
        Some(retries) => policy.with_max_retries(retries),
        None => policy,
    };
    let config = ClientConfig {
        observer: Some(observer),
        base_url: Some(server.uri()),
        api_key: Some(TEST_KEY.to_string()),
        auth_scheme,
        timeout: CASE_DEADLINE,
        retry_policy: policy,
        ..ClientConfig::default()
    };

    // A waited job polls at its documented pace, recorded instead of slept, and reports each poll.
    let job_log = JobLog::default();
    let observed = match tokio::time::timeout(CASE_DEADLINE, observe(entry, &config, case, &job_log)).await {
        Ok(observed) => observed,
        Err(_) => return vec![format!("no outcome within {CASE_DEADLINE:?}")],
    };
    let observed = match observed {
        Ok(observed) => observed,
        Err(e) => return vec![e],
    };

    let received = server.received_requests().await.unwrap_or_default();
    if received.len() != case.expect.requests {
        diffs.push(format!("server received {} requests (expected {})", received.len(), case.expect.requests));
    }
    if let Some(expected) = &case.request {
        for (i, request) in received.iter().enumerate() {
            // A list longer or shorter than what arrived is already the count's failure above.
            if let Some(expected) = expected.nth(i) {
                diffs.extend(check_request(case, expected, request, &format!("request {}", i + 1)).await);
            }
        }
    }
    if let Some(expected) = &case.expect.progress {
        let seen = job_log.statuses.lock().expect("progress log").clone();
        if &seen != expected {
            diffs.push(format!("job progress {seen:?} (expected {expected:?})"));
        }
    }
    if let Some(expected) = &case.expect.poll_waits_ms {
        let waits: Vec<u64> =
            job_log.waits.lock().expect("poll wait log").iter().map(|d| d.as_millis() as u64).collect();
        if &waits != expected {
            diffs.push(format!("poll waits {waits:?} ms (expected {expected:?} ms)"));
        }
    }
    let waits: Vec<u64> = waits.lock().expect("wait log").iter().map(|d| d.as_millis() as u64).collect();
    if waits != case.expect.waits_ms {
        diffs.push(format!("retry waits {waits:?} ms (expected {:?} ms)", case.expect.waits_ms));
    }

    if let Some(expected) = &case.expect.warnings {
        let warnings = warnings.lock().expect("warning log").clone();
        if &warnings != expected {
            diffs.push(format!("warnings {warnings:?} (expected {expected:?})"));
        }
    }

    // Whatever the case expects, no error may show the client's own key.
    let errors: Vec<&imagegen::runtime::Error> = match &observed {
        Observed::Error(error) => vec![error],
        Observed::Stream { errors, .. } => errors.iter().collect(),
        Observed::Response { .. } => Vec::new(),
    };
    diffs.extend(errors.into_iter().filter_map(|error| super::outcome::key_shown(error, TEST_KEY)));

    let expect = &case.expect;
    match (observed, &expect.response, &expect.stream, &expect.error) {
        (Observed::Response { json, images }, Some(want), _, _) => diffs.extend(check_response(&json, &images, want)),
        (Observed::Stream { items, errors }, _, Some(want), _) => diffs.extend(check_stream(&items, &errors, want)),
        (Observed::Error(error), _, _, Some(want)) => diffs.extend(check_error(&error, want)),
        (Observed::Response { json, .. }, ..) => {
            let text = json.to_string();
            diffs.push(format!("got a response: {}", &text[..text.len().min(300)]));
        }
        (Observed::Stream { items, .. }, ..) => diffs.push(format!("got a stream of {} events", items.len())),
        (Observed::Error(error), ..) => diffs.push(format!("got a {} error: {error}", super::outcome::kind(&error))),
    }
    diffs.extend(check_sse_bodies(case));
    diffs
}

/// What a waited job's polls reported: each status, and each wait its pace asked for.
#[derive(Default, Clone)]
struct JobLog {
    statuses: Arc<Mutex<Vec<String>>>,
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl JobLog {
    /// The call's wait: the documented pace with its sleeps recorded, and every poll's status.
    fn wait(&self) -> Wait {
        let (statuses, waits) = (Arc::clone(&self.statuses), Arc::clone(&self.waits));
        Wait {
            pace: Some(Arc::new(move |policy: PollPolicy| {
                let waits = Arc::clone(&waits);
                policy.with_sleep(move |wait| {
                    waits.lock().expect("poll wait log").push(wait);
                    async {}
                })
            })),
            progress: Some(Arc::new(move |poll: &JobProgress<'_>| {
                statuses.lock().expect("progress log").push(poll.status.to_string());
            })),
        }
    }
}

async fn observe(
    entry: &ProviderEntry,
    config: &ClientConfig,
    case: &Case,
    job_log: &JobLog,
) -> Result<Observed, String> {
    let mut call = build_call(case)?;
    if case.call.wait {
        call.wait = Some(job_log.wait());
    }
    Ok(match (entry.call)(config, &case.operation, call).await {
        Err(error) => Observed::Error(error),
        Ok(Outcome::Response { json, images, .. }) => Observed::Response { json: json.to_value(), images },
        Ok(Outcome::Stream(mut stream)) => {
            let (mut items, mut errors) = (Vec::new(), Vec::new());
            while let Some(item) = stream.next().await {
                match item {
                    Ok(item) => items.push(item),
                    Err(error) => errors.push(error),
                }
            }
            Observed::Stream { items, errors }
        }
    })
}

/// Small `.sse` bodies: the same events at every split; their names as expected for a clean stream.
fn check_sse_bodies(case: &Case) -> Vec<String> {
    let mut diffs = Vec::new();
    for spec in &case.responses {
        let Some(file) = spec.body_file.as_deref().filter(|f| f.ends_with(".sse")) else { continue };
        let Ok((body, _)) = response_body(case, spec, "") else { continue };
        if body.len() > sse_split::MAX_SPLIT_BYTES {
            continue;
        }
        match sse_split::check_every_split(&body) {
            Err(e) => diffs.push(format!("{file}: {e}")),
            Ok(events) => {
                let Some(stream) = case.expect.stream.as_ref().filter(|s| s.error.is_none()) else { continue };
                let names: Vec<String> =
                    events.iter().map(|e| e.event.clone().unwrap_or_else(|| "message".to_string())).collect();
                if names != stream.events {
                    diffs.push(format!("{file}: parser events {names:?} (expected {:?})", stream.events));
                }
            }
        }
    }
    diffs
}
