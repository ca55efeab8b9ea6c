//! Conformance suite: every folder under `tests/fixtures/<provider>/<operation>/<case>/` is a
//! recorded exchange, replayed on a local server against the generated clients.
//! The format is documented in `tests/README.md`; adding a case needs no code.

#[path = "conformance/case.rs"]
mod case;
#[path = "conformance/outcome.rs"]
mod outcome;
#[path = "conformance/replay.rs"]
mod replay;
#[path = "conformance/runner.rs"]
mod runner;
#[path = "conformance/secrets.rs"]
mod secrets;
#[path = "conformance/sse_split.rs"]
mod sse_split;

use std::path::{Path, PathBuf};

use runner::{run_cases, Report, Verdict};

/// Fewer cases than this for a provider means fixtures went missing.
const MIN_CASES: &[(&str, usize)] =
    &[("bfl", 60), ("listenhub", 12), ("llmgateway", 20), ("octen", 14), ("routerhub", 40), ("stability", 45)];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn every_fixture_case_conforms() {
    let report = run_cases(&fixtures());
    // Written to the stderr handle, not through `println!`, so the counts show in a plain
    // `cargo test` run too (the harness only captures the print macros).
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{}", report.summary());
    println!("{}", report.summary());
    for (operation, count) in report.operation_counts() {
        println!("  {operation}: {count}");
    }
    for case in &report.cases {
        if let Verdict::KnownFailure(reason) = &case.verdict {
            println!("  known failure {}: {reason}", case.id);
        }
    }
    let mut problems = report.failures.clone();
    let counts = report.counts();
    for (provider, min) in MIN_CASES {
        let count = counts.get(*provider).copied().unwrap_or(0);
        if count < *min {
            problems.push(format!("{provider}: {count} cases, expected at least {min}"));
        }
    }
    let per_operation = report.operation_counts();
    for provider in imagegen::providers() {
        for operation in provider.operations {
            let id = format!("{}/{}", provider.info.name, operation.id);
            if !per_operation.contains_key(&id) {
                problems.push(format!("{id}: no conformance case"));
            }
        }
    }
    assert!(problems.is_empty(), "{} conformance failures:\n{}", problems.len(), problems.join("\n"));
}

/// A scratch fixture root, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("imagegen-conformance-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    /// Copies fixture case `id` (`provider/operation/case`) to `provider/operation/<as_name>`.
    fn copy_case(&self, id: &str, as_name: &str) -> PathBuf {
        let from = fixtures().join(id);
        let mut parts: Vec<&str> = id.split('/').collect();
        parts.pop();
        let to = self.0.join(parts.join("/")).join(as_name);
        std::fs::create_dir_all(&to).expect("case dir");
        for entry in std::fs::read_dir(&from).expect("fixture case") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
        to
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut value);
    std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

const SAMPLE_CASE: &str = "routerhub/generate_content/doc_sample_response";

#[test]
fn a_wrong_expectation_fails_the_run_and_names_the_case() {
    let scratch = Scratch::new("wrong");
    scratch.copy_case(SAMPLE_CASE, "good_copy");
    let bad = scratch.copy_case(SAMPLE_CASE, "wrong_model_version");
    edit_json(&bad.join("expect.json"), |expect| {
        expect["response"]["pointers"]["/modelVersion"] = "gemini-9-imaginary".into();
    });
    let report: Report = run_cases(&scratch.0);
    assert!(!report.is_ok());
    assert_eq!(report.cases.len(), 2, "both copies are discovered");
    assert_eq!(report.failures.len(), 1, "only the edited copy fails: {:#?}", report.failures);
    let failure = &report.failures[0];
    assert!(failure.starts_with("routerhub/generate_content/wrong_model_version: "), "{failure}");
    assert!(failure.contains("/modelVersion") && failure.contains("gemini-9-imaginary"), "{failure}");
}

#[test]
fn a_new_case_folder_is_picked_up_without_code() {
    let scratch = Scratch::new("new");
    scratch.copy_case("octen/generate_images/doc_response_example", "brand_new_case");
    let report = run_cases(&scratch.0);
    assert!(report.is_ok(), "{:#?}", report.failures);
    assert_eq!(report.cases.len(), 1);
    assert_eq!(report.cases[0].id, "octen/generate_images/brand_new_case");
}

#[test]
fn a_known_failure_that_passes_fails_the_run() {
    let scratch = Scratch::new("known");
    scratch.copy_case(SAMPLE_CASE, "passing");
    std::fs::write(
        scratch.0.join(runner::KNOWN_FAILURES),
        r#"{"routerhub/generate_content/passing": "thought to be broken", "routerhub/generate_content/gone": "deleted"}"#,
    )
    .unwrap();
    let report = run_cases(&scratch.0);
    assert_eq!(report.failures.len(), 2, "{:#?}", report.failures);
    assert!(report.failures[0].starts_with("routerhub/generate_content/passing: passes but is listed"));
    assert!(report.failures[1].starts_with("routerhub/generate_content/gone: listed"));
}

#[test]
fn a_fixture_holding_a_real_looking_key_fails_the_run() {
    let scratch = Scratch::new("secret");
    let case = scratch.copy_case(SAMPLE_CASE, "leaky");
    let fake = format!("sk-{}", "A1b2C3d4".repeat(4));
    std::fs::write(case.join("notes.txt"), format!("recorded with {fake}")).unwrap();
    let report = run_cases(&scratch.0);
    assert_eq!(report.failures.len(), 1, "{:#?}", report.failures);
    assert!(report.failures[0].contains("leaky/notes.txt") && report.failures[0].contains("sk-"));
}

#[test]
fn key_patterns_match_keys_and_not_the_test_key() {
    let google = format!("AIza{}", "Sy0123456789abcdefghijklmnopqrstuv".to_owned() + "w");
    for key in [
        format!("sk-{}", "x".repeat(24)),
        google,
        format!("rh_{}", "k".repeat(16)),
        format!("Bearer {}", "t".repeat(40)),
    ] {
        assert_eq!(secrets::find_keys(key.as_bytes()).len(), 1, "{key}");
    }
    for harmless in ["Bearer test-key-not-real", "rh_your_api_key", "sk-short", "task-1234567890123456789012"] {
        assert!(secrets::find_keys(harmless.as_bytes()).is_empty(), "{harmless}");
    }
}

#[test]
fn sse_split_check_sees_a_parser_that_loses_events() {
    // The check itself: a body cut mid-event parses the same at every split (the cut event is dropped each time).
    let events = sse_split::check_every_split(b"event: a\ndata: {}\n\nevent: b\ndata: {\"x\"").unwrap();
    assert_eq!(events.len(), 1);
}
