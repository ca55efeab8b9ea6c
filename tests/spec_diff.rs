//! Comparing spec versions. Each case under `tests/diff/<case>/` is an old and a
//! new spec that differ by one kind of change; the Markdown report is a snapshot,
//! and the verdict is asserted directly, so a wrong classification fails with a
//! reason rather than only as a snapshot diff.
//!
//! The ListenHub v1 → v2 report in `specs/history/` is regenerated and compared
//! with the committed file, so it stays true as the specs change.

use std::path::{Path, PathBuf};

use imagegen_codegen::diff::{compare_sources, Impact, Level, Report, SpecSource};

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

fn report_between(old: &str, new: &str) -> Report {
    let (old, new) = (SpecSource::File(PathBuf::from(old)), SpecSource::File(PathBuf::from(new)));
    match compare_sources(&old, &new, workspace_root()) {
        Ok(report) => report,
        Err(problems) => panic!("the specs have errors:\n{}", problems.render()),
    }
}

/// Snapshots the case's report and checks its overall verdict.
fn case(name: &str, level: Level) -> Report {
    let report = report_between(&format!("tests/diff/{name}/old.yaml"), &format!("tests/diff/{name}/new.yaml"));
    insta::assert_snapshot!(name, report.to_markdown(None));
    assert_eq!(report.level(), level, "verdict of `{name}`:\n{}", report.to_markdown(None));
    report
}

/// Asserts that a change of this impact mentions `text` in its subject or description.
fn has(report: &Report, impact: Impact, text: &str) {
    let found =
        report.changes.iter().any(|c| c.impact == impact && (c.subject.contains(text) || c.description.contains(text)));
    assert!(found, "expected a {impact:?} change mentioning `{text}`:\n{}", report.to_markdown(None));
}

/// Asserts that no change has this impact.
fn none(report: &Report, impact: Impact) {
    let unexpected: Vec<_> = report.changes.iter().filter(|c| c.impact == impact).collect();
    assert!(unexpected.is_empty(), "expected no {impact:?} change, got {unexpected:#?}");
}

#[test]
fn marking_a_field_as_repeating_images_is_compatible() {
    let r = case("images_repeat_marked", Level::Compatible);
    has(&r, Impact::Compatible, "its images now count as repeats of `image`");
    none(&r, Impact::Breaking);
}

#[test]
fn marking_the_token_counts_of_an_answer_is_compatible() {
    let r = case("token_usage_marked", Level::Compatible);
    has(&r, Impact::Compatible, "reports no token count → `input_tokens`");
    has(&r, Impact::Compatible, "reports no token count → `output_tokens`");
    none(&r, Impact::Breaking);
}

#[test]
fn adding_an_optional_field_is_compatible() {
    let r = case("field_added_optional", Level::Compatible);
    has(&r, Impact::Compatible, "DrawRequest.negative_prompt");
}

#[test]
fn adding_a_required_request_field_breaks_new() {
    let r = case("field_added_required", Level::Breaking);
    has(&r, Impact::Breaking, "DrawRequest.seed");
}

#[test]
fn removing_a_field_is_breaking() {
    let r = case("field_removed", Level::Breaking);
    has(&r, Impact::Breaking, "field `quality` removed");
}

#[test]
fn changing_a_field_type_is_breaking() {
    let r = case("field_type_changed", Level::Breaking);
    has(&r, Impact::Breaking, "`Option<u32>` → `Option<f64>`");
}

#[test]
fn a_required_field_becoming_optional_is_breaking() {
    let r = case("field_required_to_optional", Level::Breaking);
    has(&r, Impact::Breaking, "required → optional");
}

#[test]
fn a_wire_rename_is_compatible_and_a_rust_rename_is_breaking() {
    let r = case("field_renamed", Level::Breaking);
    has(&r, Impact::Compatible, "wire name `quality` → `qualityLevel`");
    has(&r, Impact::Breaking, "Rust name `prompt` → `text`");
}

#[test]
fn a_new_value_in_a_closed_request_enum_is_compatible() {
    let r = case("enum_value_added_closed", Level::Compatible);
    has(&r, Impact::Compatible, "Style::Cartoon");
}

#[test]
fn a_new_value_in_an_open_enum_is_compatible() {
    let r = case("enum_value_added_open", Level::Compatible);
    has(&r, Impact::Compatible, "Quality::Ultra");
}

#[test]
fn a_new_value_in_a_response_enum_with_a_catch_all_is_compatible() {
    let r = case("enum_value_added_response", Level::Compatible);
    has(&r, Impact::Compatible, "JobStatus::Failed");
}

#[test]
fn removing_an_enum_value_is_breaking() {
    let r = case("enum_value_removed", Level::Breaking);
    has(&r, Impact::Breaking, "value `sketch` removed");
}

#[test]
fn a_deprecated_alias_and_a_deprecation_are_compatible() {
    let r = case("enum_alias_deprecated", Level::Compatible);
    has(&r, Impact::Compatible, "deprecated alias `pencil`");
    has(&r, Impact::Compatible, "`photo` deprecated");
}

#[test]
fn gaining_a_catch_all_is_breaking_because_the_enum_stops_being_copy() {
    let r = case("enum_catch_all_gained", Level::Breaking);
    has(&r, Impact::Breaking, "gains the catch-all");
}

#[test]
fn renaming_a_model_with_a_deprecated_alias_keeps_old_code_compiling() {
    let r = case("model_renamed_with_alias", Level::Compatible);
    has(&r, Impact::Compatible, "Rust variant `Draw1` → `Draw1_5`");
    has(&r, Impact::Compatible, "default model `draw-1` → `draw-1.5`");
}

#[test]
fn renaming_a_model_with_a_plain_alias_renames_the_rust_variant() {
    let r = case("model_renamed_with_plain_alias", Level::Breaking);
    has(&r, Impact::Breaking, "Rust variant `Draw1` → `Draw1_5`");
}

#[test]
fn changing_a_default_is_compatible() {
    let r = case("default_changed", Level::Compatible);
    has(&r, Impact::Compatible, "default `1` → `2`");
}

#[test]
fn tightening_limits_is_breaking() {
    let r = case("limit_tightened", Level::Breaking);
    has(&r, Impact::Breaking, "maximum 4 → 2");
    has(&r, Impact::Breaking, "maximum length 1000 → 500");
    none(&r, Impact::Compatible);
}

#[test]
fn loosening_limits_is_compatible() {
    let r = case("limit_loosened", Level::Compatible);
    has(&r, Impact::Compatible, "URL schemes https → https, http");
    none(&r, Impact::Breaking);
}

#[test]
fn adding_a_rule_is_breaking() {
    let r = case("rule_added", Level::Breaking);
    has(&r, Impact::Breaking, "rule added");
}

#[test]
fn removing_a_rule_is_compatible() {
    let r = case("rule_removed", Level::Compatible);
    has(&r, Impact::Compatible, "rule removed");
}

#[test]
fn an_error_rule_becoming_a_warning_is_compatible() {
    let r = case("rule_became_warning", Level::Compatible);
    has(&r, Impact::Compatible, "rule is now a warning");
    none(&r, Impact::Breaking);
}

#[test]
fn a_warning_rule_becoming_an_error_is_breaking() {
    let r = case("rule_became_error", Level::Breaking);
    has(&r, Impact::Breaking, "rule is now an error");
}

#[test]
fn adding_a_warning_rule_is_compatible() {
    let r = case("warning_rule_added", Level::Compatible);
    has(&r, Impact::Compatible, "warning rule added");
    none(&r, Impact::Breaking);
}

#[test]
fn adding_a_model_is_compatible() {
    let r = case("model_added", Level::Compatible);
    has(&r, Impact::Compatible, "model `draw-3` added");
}

#[test]
fn removing_a_model_is_breaking() {
    let r = case("model_removed", Level::Breaking);
    has(&r, Impact::Breaking, "model `draw-2` removed");
}

#[test]
fn lowering_a_model_capability_is_breaking_and_raising_one_is_compatible() {
    let r = case("model_capability_changed", Level::Breaking);
    has(&r, Impact::Breaking, "capability `max_images` 4 → 2");
    has(&r, Impact::Breaking, "now rejects `quality = hd`");
    has(&r, Impact::Compatible, "capability `max_images` 8 → 16");
}

#[test]
fn adding_an_operation_is_compatible() {
    let r = case("operation_added", Level::Compatible);
    has(&r, Impact::Compatible, "Client::cancel_job");
}

#[test]
fn removing_an_operation_is_breaking() {
    let r = case("operation_removed", Level::Breaking);
    has(&r, Impact::Breaking, "Client::get_job");
}

#[test]
fn a_moved_endpoint_is_compatible_and_a_new_signature_is_breaking() {
    let r = case("operation_changed", Level::Breaking);
    has(&r, Impact::Compatible, "POST /v1/draw → POST /v2/draw");
    has(&r, Impact::Compatible, "documents status 503");
    has(&r, Impact::Breaking, "get_job(id: &Model)");
}

#[test]
fn replacing_the_auth_scheme_is_breaking() {
    let r = case("auth_changed", Level::Breaking);
    has(&r, Impact::Breaking, "auth scheme removed: bearer token");
    has(&r, Impact::Compatible, "auth scheme added: key in header `x-api-key`");
    has(&r, Impact::Compatible, "default base URL");
}

#[test]
fn a_new_key_variable_is_breaking() {
    let r = case("provider_changed", Level::Breaking);
    has(&r, Impact::Breaking, "SKETCHY_KEY");
}

#[test]
fn envelope_changes_are_classified() {
    let r = case("error_envelopes", Level::Breaking);
    has(&r, Impact::Breaking, "`code` read from `error.status` → `error.code`");
    has(&r, Impact::Breaking, "envelope `busy` removed");
    has(&r, Impact::Breaking, "error envelopes `google`, `openai`, `busy` → `google`, `openai`");
    has(&r, Impact::Compatible, "envelope `plain` declared");
    has(&r, Impact::Compatible, "error envelopes `openai`, `google` → `openai`, `google`, `plain`");
    has(&r, Impact::Compatible, "`message` read from `error.message` → `error.message`, `error.status`");
    has(&r, Impact::Compatible, "retry rule added: status 400, message containing \"billing\" not retried");
    has(&r, Impact::Compatible, "status 500: (not retried) → (retried by default rules)");
}

#[test]
fn description_changes_are_documentation_only() {
    let r = case("docs_only", Level::Documentation);
    assert!(r.changes.is_empty(), "{:#?}", r.changes);
    assert_eq!(r.docs.len(), 2, "{:#?}", r.docs);
}

#[test]
fn a_spec_compared_with_itself_has_no_changes() {
    let r = report_between("tests/diff/docs_only/old.yaml", "tests/diff/docs_only/old.yaml");
    assert_eq!(r.level(), Level::Nothing);
    assert!(r.to_markdown(None).contains("no release needed"));
}

#[test]
fn a_known_crate_version_gets_a_concrete_next_version() {
    let r = report_between("tests/diff/field_removed/old.yaml", "tests/diff/field_removed/new.yaml");
    let version = imagegen_codegen::diff::CrateVersion::parse("0.1.0");
    assert!(r.to_markdown(version).contains("From `0.1.0`: **`0.2.0`**"));
}

#[test]
fn a_revision_argument_names_a_spec_in_git() {
    let source = SpecSource::parse("HEAD~1:specs/listenhub.yaml", workspace_root());
    assert_eq!(source, SpecSource::GitRevision { rev: "HEAD~1".to_string(), path: "specs/listenhub.yaml".to_string() });
    let file = SpecSource::parse("specs/listenhub.yaml", workspace_root());
    assert_eq!(file, SpecSource::File(PathBuf::from("specs/listenhub.yaml")));
}

#[test]
fn a_change_in_a_shared_file_is_a_change_of_every_spec_importing_it() {
    // `first.yaml` and `second.yaml` are the same on both sides; only the shared file
    // they import (a field set, a type and an envelope) changed.
    for spec in ["first", "second"] {
        let (old, new) = (
            format!("tests/diff/shared_definitions/old/{spec}.yaml"),
            format!("tests/diff/shared_definitions/new/{spec}.yaml"),
        );
        assert_eq!(std::fs::read(workspace_root().join(&old)).ok(), std::fs::read(workspace_root().join(&new)).ok());
        let r = report_between(&old, &new);
        insta::assert_snapshot!(format!("shared_definitions_{spec}"), r.to_markdown(None));
        assert_eq!(r.level(), Level::Breaking, "{}", r.to_markdown(None));
        has(&r, Impact::Breaking, "EditRequest.n");
        has(&r, Impact::Compatible, "ImageUsage.output_tokens");
        has(&r, Impact::Compatible, "retry rule added: status 429, code `insufficient_quota` not retried");
    }
}

#[test]
fn a_spec_at_a_git_revision_reads_its_imports_at_that_revision() {
    let source = SpecSource::GitRevision { rev: "HEAD".to_string(), path: "specs/octen.yaml".to_string() };
    let loaded = match source.load(workspace_root()) {
        Ok(loaded) => loaded,
        Err(problems) => panic!("HEAD:specs/octen.yaml does not load:\n{problems}"),
    };
    let files: Vec<String> = loaded.sources.files().map(|f| f.path.display().to_string()).collect();
    assert_eq!(
        files,
        ["HEAD:specs/octen.yaml", "HEAD:specs/common/openai-images.yaml", "HEAD:specs/common/openai-errors.yaml"]
    );
    assert!(loaded.spec.types.iter().any(|t| t.name() == "ImageUsage"), "the imported type is part of the spec");
    assert!(loaded.spec.envelopes.iter().any(|e| e.name == "openai"), "the imported envelope is part of the spec");
}

const LISTENHUB_OLD: &str = "specs/history/listenhub.v1.yaml";
const LISTENHUB_NEW: &str = "specs/listenhub.yaml";
const LISTENHUB_REPORT: &str = "specs/history/CHANGES-listenhub-v1-to-v2.md";

#[test]
fn listenhub_v1_to_v2_report_is_current() {
    let fresh = report_between(LISTENHUB_OLD, LISTENHUB_NEW).to_markdown(None);
    let committed = std::fs::read_to_string(workspace_root().join(LISTENHUB_REPORT)).unwrap_or_default();
    assert!(
        committed == fresh,
        "{LISTENHUB_REPORT} is stale; run `cargo xtask diff {LISTENHUB_OLD} {LISTENHUB_NEW} --output {LISTENHUB_REPORT}`\n\n{}",
        similar_diff(&committed, &fresh)
    );
}

#[test]
fn listenhub_v2_renames_the_preview_models_and_adds_the_subscription_endpoint() {
    let r = report_between(LISTENHUB_OLD, LISTENHUB_NEW);
    has(&r, Impact::Compatible, "`gemini-3-pro-image-preview` renamed to `gemini-3-pro-image`");
    has(&r, Impact::Compatible, "`gemini-3.1-flash-image-preview` renamed to `gemini-3.1-flash-image`");
    has(&r, Impact::Compatible, "GET /v1/user/subscription");
    has(&r, Impact::Compatible, "free_usages");
    let free_lane = r.docs.iter().flat_map(|d| &d.added).any(|s| s.contains("free_relax_busy"));
    assert!(free_lane, "the free-lane failure metadata should appear among the documentation changes");
}

/// A line diff for the failure message, without pulling a diff crate into the tests.
fn similar_diff(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut out = String::new();
    for line in old_lines.iter().filter(|l| !new_lines.contains(l)) {
        out.push_str(&format!("- {line}\n"));
    }
    for line in new_lines.iter().filter(|l| !old_lines.contains(l)) {
        out.push_str(&format!("+ {line}\n"));
    }
    out
}

#[test]
fn binary_answers_and_typed_response_headers_are_classified() {
    let r = case("binary_response_headers", Level::Breaking);
    has(&r, Impact::Breaking, "draw(request: &DrawRequest) -> BinaryBody");
    has(&r, Impact::Compatible, "binary media types image/png → image/png, image/webp");
    has(&r, Impact::Breaking, "response header `seed`: `i64` → `String`");
    has(&r, Impact::Breaking, "response header `finish-reason` no longer read");
    has(&r, Impact::Compatible, "response header `x-request-id: String` read");
}

#[test]
fn documented_success_statuses_are_classified_as_variants() {
    let r = case("status_answers", Level::Breaking);
    has(&r, Impact::Breaking, "status 200: `Done(Result_)` → `Done(JsonOrBinary<Result_>)`");
    has(&r, Impact::Breaking, "status 204 no longer documented");
    has(&r, Impact::Compatible, "status 203 documented: `Cached(Result_)`");
}

#[test]
fn moving_a_field_to_the_query_and_documenting_headers_or_a_query_key_is_compatible() {
    let r = case("requests_compatible", Level::Compatible);
    has(&r, Impact::Compatible, "sent in the body → in the query");
    has(&r, Impact::Compatible, "sent in the query → in the query, comma-separated");
    has(&r, Impact::Compatible, "auth scheme added: key in query parameter `key`");
    has(&r, Impact::Compatible, "header `OpenAI-Project` documented for every call");
    has(&r, Impact::Compatible, "header `x-client-id` is now a secret");
    none(&r, Impact::Breaking);
}

#[test]
fn dropping_a_documented_header_or_giving_a_get_parameters_is_breaking() {
    let r = case("requests_breaking", Level::Breaking);
    has(&r, Impact::Breaking, "header `OpenAI-Organization` no longer documented");
    has(&r, Impact::Breaking, "`get_result() -> TaskResult` → `get_result(params: &GetResultParams) -> TaskResult`");
}

#[test]
fn async_jobs_are_classified_by_method_states_pace_and_hosts() {
    let r = case("async_job", Level::Breaking);
    has(&r, Impact::Compatible, "method `generate_by_id_and_wait(request: &GenerateRequest) -> ResultResponse` added");
    has(&r, Impact::Breaking, "job status `Task not found`: expired → failed");
    has(&r, Impact::Compatible, "job pace 500 ms ×1.5 up to 10000 ms, 120 s → 1000 ms ×1.5 up to 10000 ms, 120 s");
    has(&r, Impact::Compatible, "job host `api.eu.example.com` trusted");
    has(&r, Impact::Compatible, "job host `localhost` no longer trusted");
}

#[test]
fn a_job_polled_by_query_and_a_result_download_are_classified() {
    let r = case("job_query_and_download", Level::Breaking);
    // The status operation's own signature changes (an id in the path → parameters in the query).
    has(&r, Impact::Breaking, "get_result(params: &GetResultParams) -> ResultResponse");
    has(&r, Impact::Compatible, "job polled at `get_result` with the id in `id` (in the path) → `get_result` with the id in `id` (as query `id`)");
    has(&r, Impact::Compatible, "method `generate_download_result` added (downloads `result.sample`)");
}

#[test]
fn a_pattern_added_breaks_and_a_finer_step_is_compatible() {
    let r = case("pattern_and_step", Level::Breaking);
    has(&r, Impact::Breaking, "pattern `^[^<>]*$` added");
    has(&r, Impact::Compatible, "multiple of 16 → 8");
}

#[test]
fn a_field_becoming_nullable_changes_its_type() {
    let r = case("nullable_gained", Level::Breaking);
    has(&r, Impact::Breaking, "`Option<i64>` → `Nullable<i64>`");
    has(&r, Impact::Breaking, "Job.progress");
    none(&r, Impact::Compatible);
}

#[test]
fn a_conditional_default_is_compatible_and_a_combined_condition_rule_breaks() {
    let r = case("conditional_default_added", Level::Breaking);
    has(&r, Impact::Compatible, "conditional defaults none → `draw-2` when `images` is set");
    has(&r, Impact::Breaking, "(`style` is `sketch`) or (not (`quality` is `hd`))");
}

#[test]
fn limits_on_values_from_the_model_break_and_a_raised_maximum_does_not() {
    let r = case("limit_rules_on_values", Level::Breaking);
    has(
        &r,
        Impact::Breaking,
        "`prompt` has at most the `max_prompt_length` capability of the model in `model` characters",
    );
    has(&r, Impact::Compatible, "`count` is at most 2 when `style` is `sketch` → `count` is at most 3");
    has(&r, Impact::Compatible, "warning rule added: `count` is a multiple of 2");
}

#[test]
fn named_constructors_removed_or_taking_other_arguments_break_callers() {
    let r = case("constructors_changed", Level::Breaking);
    has(&r, Impact::Breaking, "Turn::model");
    has(&r, Impact::Breaking, "constructor takes (parts, note) → (parts)");
    has(&r, Impact::Compatible, "constructor `system(parts, label)` added");
    has(&r, Impact::Compatible, "Turn::user");
}

#[test]
fn a_job_told_by_http_status_instead_of_a_field_is_breaking() {
    let r = case("job_status_source", Level::Breaking);
    has(&r, Impact::Breaking, "job status read from field `status` → the success status that answered");
    has(&r, Impact::Breaking, "`upscale_and_wait() -> UpscaleResult` → `upscale_and_wait() -> GetResultAnswer`");
}

#[test]
fn marking_a_field_secret_is_compatible() {
    let r = case("secret_marked", Level::Compatible);
    has(&r, Impact::Compatible, "now a secret");
    none(&r, Impact::Breaking);
}

#[test]
fn narrowing_ratios_lowering_a_url_length_or_a_pixel_count_breaks() {
    let r = case("geometry_tightened", Level::Breaking);
    has(&r, Impact::Breaking, "aspect ratios 9:21 to 21:9 → 9:16 to 21:9");
    has(&r, Impact::Breaking, "maximum length 2083 → 1024");
    has(&r, Impact::Breaking, "`width` × `height` is at most 4194304 → `width` × `height` is at most 2097152");
    none(&r, Impact::Compatible);
}

#[test]
fn image_limits_are_compared_limit_by_limit() {
    let r = case("image_limits_changed", Level::Breaking);
    has(&r, Impact::Compatible, "image side at least 64 → 32");
    has(&r, Impact::Compatible, "image pixels at most 9437184 → 16777216");
    has(&r, Impact::Breaking, "image aspect ratios any → 1:2.5 to 2.5:1");
    has(&r, Impact::Breaking, "image pixels at most none → 4194304");
}

#[test]
fn a_lower_maximum_request_size_breaks_and_a_higher_one_is_compatible() {
    let r = case("request_size_changed", Level::Breaking);
    has(&r, Impact::Breaking, "maximum request bytes 10485760 → 5242880");
    has(&r, Impact::Compatible, "maximum request bytes 10485760 → 20971520");
    // The GET sends no body: a provider-wide limit never applies to it.
    let get_job: Vec<_> = r.changes.iter().filter(|c| c.subject.contains("get_job")).collect();
    assert!(get_job.is_empty(), "{get_job:#?}");
}

#[test]
fn widening_ratios_raising_a_url_length_or_a_pixel_count_is_compatible() {
    let r = case("geometry_loosened", Level::Compatible);
    has(&r, Impact::Compatible, "aspect ratios 9:16 to 16:9 → 9:21 to 21:9");
    has(&r, Impact::Compatible, "maximum length 1024 → 2083");
    has(&r, Impact::Compatible, "`width` × `height` is at most 2097152 → `width` × `height` is at most 4194304");
    none(&r, Impact::Breaking);
}
