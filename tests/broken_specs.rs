//! Every kind of spec mistake is caught before generation, with a located,
//! readable message (`tests/broken/*.yaml`, one mistake per file, named by the
//! file's first comment line). Rendered diagnostics are snapshot-tested, as
//! serde's UI tests and toml's invalid fixtures are.

use std::path::{Path, PathBuf};

use imagegen_codegen::Diagnostics;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

fn broken_specs() -> Vec<(String, PathBuf)> {
    let dir = workspace_root().join("tests/broken");
    let mut specs: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        // Cases are the folder's own files; `common/` holds the shared files they import.
        .filter(|path| path.is_file() && path.extension().is_some_and(|x| x == "yaml"))
        .map(|path| {
            let stem = path.file_stem().expect("a file name").to_string_lossy().into_owned();
            (stem, path)
        })
        .collect();
    specs.sort();
    specs
}

/// Runs the whole front end (load, check, lower) as the generator does, and
/// returns its problems; a spec that passes, or a panic, fails the test.
fn problems(stem: &str, path: &Path) -> Diagnostics {
    let source = format!("tests/broken/{stem}.yaml");
    let outcome = std::panic::catch_unwind(|| {
        imagegen_codegen::spec::load_file(path).and_then(|loaded| imagegen_codegen::ir::lower(&loaded, &source))
    });
    match outcome {
        Ok(Ok(_)) => panic!("{source} loaded without errors, but it is meant to be broken"),
        Ok(Err(problems)) => problems,
        Err(_) => panic!("the generator panicked on {source}; it must report a diagnostic instead"),
    }
}

/// What each file's message must say, so a snapshot accepted by mistake cannot
/// hide a message that no longer names the mistake.
const EXPECTED: &[(&str, &str)] = &[
    ("constructor_name_not_snake_case", "`User` is not a snake_case function name"),
    ("constructor_name_clashes", "constructor `with_role` would clash with a method generated for `Turn`"),
    ("constructor_names_repeat", "`Turn` has two constructors named `user`"),
    ("constructor_arg_unknown", "`Turn` has no field `part`; did you mean `parts`?"),
    ("constructor_arg_twice", "`parts` is taken twice"),
    ("constructor_sets_an_argument", "`label` is both an argument and set to a value"),
    ("constructor_set_value_wrong", "`users` is not a value of `Role`"),
    ("constructor_set_not_scalar", "a constructor sets a string, number or boolean"),
    ("constructor_misses_required", "gives no value to the required field(s) `parts`"),
    ("constructor_on_response_type", "`ChatResponse` is only read from responses"),
    ("envelope_path_unknown_field", "`error.text`: `ErrorDetail` has no field `text`"),
    ("envelope_part_wrong_type", "`status` must reach an integer; `error.message` is a string"),
    ("envelope_unknown_name", "unknown envelope `mian`; did you mean `main`?"),
    ("envelope_duplicate_names", "envelope `main` is declared twice (first at envelopes[0])"),
    ("envelope_retry_rule_wrong", "200 is not a 4xx or 5xx status"),
    ("envelope_body_wrong", "unknown type `ErrorBdy`; did you mean `ErrorBody`?"),
    ("envelope_path_malformed", "is missing a closing `]`"),
    ("envelope_test_wrong", "a test gives `equals` or `is`, not both"),
    ("envelope_retry_delay_wrong_type", "cannot hold a delay in the `seconds` format"),
    ("error_format_replaced", "`error_format` (`openai`) is no longer part of the language"),
    ("error_example_matches_no_envelope", "the error example is none of the envelopes of operation `generate` (`main`)"),
    ("binary_and_sse", "a response cannot be both `binary` and `sse`"),
    ("binary_media_types_wrong", "`png` is not a media type"),
    ("binary_response_example", "operation `generate` has no JSON response to give an example of"),
    ("response_header_wrong", "a header holds one value"),
    ("statuses_beside_json", "`json` beside `statuses`"),
    ("statuses_wrong", "is not a 2xx"),
    ("job_poll_kind_wrong", "poll by `url_field` or by `operation`, not both"),
    ("job_url_field_wrong", "the start answer `Submitted` has no field `pollingUrl`; did you mean `polling_url`?"),
    ("job_start_answer_not_object", "the operation starting a job needs a JSON object answer, not `array<Submitted>`"),
    ("job_status_operation_wrong", "must take the job's id as its one argument"),
    ("job_status_query_param_wrong", "`TwoIds` has 2 required fields, so the id alone cannot build it"),
    ("job_id_field_wrong", "`polling_url` must hold an id (string or integer), not `url`"),
    ("job_status_field_wrong", "status field `progress` must be a string or a string enum, not `number`"),
    ("job_states_wrong", "status `Error` is already listed under `failed`"),
    ("job_pace_wrong", "`backoff` must be at least 1, not 0.5"),
    ("job_result_url_wrong", "result URL `progress` must end at a `url` or `string` field, not `number`"),
    ("job_trusted_host_wrong", "a bare `*` would trust every host"),
    ("job_status_by_answer_wrong", "`finshed` is not the name of a success status of `get_result`; did you mean `finished`?"),
    ("job_status_params_required", "has a required field beside the path parameter"),
    ("job_trusted_hosts_unused", "`trusted_hosts` has no effect here: the job is polled through `get_result`"),
    ("status_example_without_json", "has no JSON response for status 200"),
    ("alias_bomb", "aliases here would be expanded more than 50 times per node written"),
    ("alias_into_itself", "refers to a node that contains it"),
    ("allowed_values_on_array", "allowed_values_when compares a string, enum, integer, number or boolean field, but `prompts` is `array<string>`"),
    ("constraint_on_wrong_type", "`max_items` applies only to arrays, but `prompt` is `string`"),
    ("control_character", "control character U+0001 is not allowed"),
    ("default_wrong_type", "expected a number, found string \"one\""),
    ("duplicate_field_names", "duplicate field `prompt`"),
    ("duplicate_type_names", "duplicate type name `GenerateRequest`"),
    ("enum_values_collide", "both become `AB` in Rust"),
    ("example_missing_required_field", "missing required field `prompt`"),
    ("example_unknown_field", "`GenerateRequest` has no field `seed`"),
    ("example_wrong_enum_value", "`painting` is not a value of `Style`"),
    ("families_unknown", "no model in `ImageModel` has family `gtp`; its families are `gemini`, `gpt`"),
    ("failed_items_keep_their_places", "operation id `Generate` must be snake_case"),
    ("field_names_collide", "both become `image_size` in Rust"),
    ("invalid_utf8", "not UTF-8 text: byte 0xE9"),
    ("json_and_multipart_stream", "cannot have an `sse` response; give the multipart form an operation of its own"),
    ("missing_required_key", "missing field `summary`"),
    ("model_values_on_integer", "a model capability lists strings, but `n` is `integer`"),
    ("multipart_without_body_field", "multipart form `GenerateForm` has no field in the body; it would send no part"),
    ("nesting_too_deep", "nest more than 64 levels deep"),
    ("not_a_mapping", "a spec must be a mapping"),
    ("one_of_single_member", "needs at least two variants; with one, use an object with that field"),
    ("path_param_named_like_a_local", "path parameter `request` is named like a variable of the generated method"),
    ("path_param_not_declared", "path parameter `{model}` is not declared"),
    ("path_param_not_in_path", "path parameter `model` does not appear in path"),
    ("path_params_collide", "path parameters `image_id` and `imageId` both become `image_id` in Rust"),
    ("provider_name_reserved", "provider name `runtime` is taken by the generated crate's own module"),
    ("repeated_images_wrong", "has no field `image`; did you mean `images`?"),
    ("rule_unknown_field", "rule names a field that does not exist"),
    ("several_documents", "a spec file holds one YAML document"),
    ("several_problems", "unknown field `timeout`"),
    ("stream_flag_not_boolean", "stream flag `stream` must be a boolean field"),
    ("type_expression_too_deep", "nests more than 16 containers"),
    ("type_names_collide", "type names `ImageSIZE` and `ImageSize` both become `ImageSize` in Rust"),
    ("field_type_broken_example_sets_it", "array<string"),
    ("undefined_type", "unknown type `Style`"),
    ("unknown_key", "did you mean `required`?"),
    ("warning_rule_without_message", "a `severity: warning` rule needs a `message`"),
    ("wrong_type", "expected a boolean"),
    ("yaml_syntax_error", "invalid YAML"),
    ("condition_mixes_test_and_combination", "a condition that combines others takes exactly one of `any_of`, `all_of` or `not`"),
    ("condition_without_field", "a condition needs `field` with one of `equals`, `one_of`, `present` or `family`"),
    ("default_when_on_required", "`default_when` applies to optional fields, but `steps` is `required`"),
    ("default_when_reads_family", "a default cannot depend on the model's family"),
    ("default_when_without_default", "`steps` has `default_when` but no `default`"),
    ("default_when_wrong_value", "expected a number, found string \"fifty\""),
    ("limit_when_list_capability", "capability `sizes` must be a number for this rule"),
    ("limit_when_on_a_boolean", "limit_when needs an array, a string or a number field, but `stream` is `boolean`"),
    ("limit_when_two_limits", "limit_when needs exactly one limit"),
    ("limit_when_wrong_measure", "`max_length` applies only to strings"),
    ("multiple_of_example_breaks_it", "810 is not a multiple of 16; if the docs' own examples send such values"),
    ("multiple_of_not_above_zero", "`multiple_of` must be above zero, not 0"),
    ("multiple_of_on_a_string", "`multiple_of` applies only to numbers, but `size` is `string`"),
    ("null_for_a_field_not_nullable", "expected a string, found null"),
    ("nullable_flatten", "a `flatten` field has no key of its own to be `null`"),
    ("nullable_in_form", "whose parts cannot be `null`"),
    ("pattern_default_does_not_match", "does not match the field's pattern `^[a-z-]+$`"),
    ("pattern_does_not_compile", "the pattern does not compile"),
    ("pattern_on_a_number", "`pattern` applies only to strings, but `seed` is `integer`"),
    ("usage_on_a_string", "`usage` applies only to integer and number fields, but `tokens` is `string`"),
    ("usage_kind_twice", "`prompt_tokens` and `input_tokens` both report `usage: input_tokens`"),
    ("located_field_not_in_request", "only a field of an operation's request object"),
    ("located_request_reused", "it is also the response of `echo`"),
    ("located_field_wrong_type", "travels as text outside the body"),
    ("located_field_nullable", "which cannot say `null`; leave it out instead"),
    ("query_style_misplaced", "`style` says how a list travels in the query"),
    ("header_field_reserved", "is a header the client sets itself"),
    ("header_fields_same_name", "(header names ignore case)"),
    ("header_field_repeats_provider_header", "is one of `provider.headers`, sent with every call already"),
    ("query_field_is_key_param", "is where the API key travels"),
    ("params_with_body_field", "which sends no body: `id` needs `in: query` or `in: header`"),
    ("params_beside_json", "`params` is the request of an operation without a body"),
    ("provider_header_name_wrong", "`client id` is not a header name"),
    ("provider_header_duplicate", "duplicate header `openai-project`"),
    ("provider_header_env_wrong", "`openai-org-id` is not an environment variable name"),
    ("provider_header_setter_collides", "would get the setter `timeout`, a method the client builder already has"),
    ("query_auth_param_wrong", "query parameter `api key` must be letters, digits"),
    ("import_missing", "cannot read import `common/no_such_file.yaml`"),
    ("import_escapes_folder", "is not a path inside the folder of the spec"),
    ("import_cycle", "import cycle: common/cycle_a.yaml → common/cycle_b.yaml → common/cycle_a.yaml"),
    ("import_type_clash", "type `ImageUsage` is also defined in `common/usage.yaml`, which this spec imports"),
    ("import_mistake_in_shared_file", "`max_items` applies only to arrays, but `note` is `string`"),
    ("import_provider_spec", "`provider` belongs in a provider spec"),
    ("import_leans_on_spec", "uses type `Quality` from `import_leans_on_spec.yaml` without importing it"),
    ("import_envelope_clash", "envelope `standard` is also defined in `common/errors.yaml`, which this spec imports"),
    ("import_envelope_mistake_in_shared_file", "no field `error_code`"),
    ("import_envelope_leans_on_spec", "uses type `ErrorBody` from `import_envelope_leans_on_spec.yaml` without importing it"),
    ("field_set_collision", "field set `EditOptions` brings field `prompt`, which `EditRequest` already has"),
    ("field_set_unknown", "unknown field set `EditOptons`; did you mean `EditOptions`?"),
    ("field_set_unused", "field set `SizeOptions` is included by no object"),
    ("field_set_includes_set", "a field set cannot include another field set"),
    ("field_set_mistake", "`max_items` applies only to arrays, but `prompt` is `string`"),    ("secret_on_an_integer", "`secret` applies only to `string` and `url` fields, but `seed` is `integer`"),
    ("secret_in_a_header", "a secret is text sent in the body: `x-signing` cannot be"),
    ("secret_in_a_nested_type", "`secret` cannot be secret: only a field of an operation's request object"),
    ("secret_request_reused", "where its value would not be scrubbed"),
    ("length_on_a_number", "`max_length` applies only to strings, urls and data URLs, but `steps` is `integer`"),
    ("length_min_above_max", "min_length 10 is greater than max_length 5"),
    ("aspect_ratio_on_an_integer", "`aspect_ratio` applies only to strings, but `width` is `integer`"),
    ("aspect_ratio_not_a_ratio", "`tall` is not an aspect ratio: write `W:H` with positive numbers"),
    ("aspect_ratio_range_reversed", "`min` 21:9 is wider than `max` 9:21"),
    ("aspect_ratio_default_outside", "\"4:1\" is not an aspect ratio between 9:21 and 21:9"),
    ("product_of_one_field", "product_limit multiplies at least two fields"),
    ("product_of_a_string", "product_limit multiplies numbers, but `size` is `string`"),
    ("product_without_bounds", "product_limit needs `max`, `min` or both"),
    ("product_min_above_max", "min 100 is greater than max 10"),
    ("product_field_twice", "`width` is named twice in the product"),
    ("product_field_unknown", "rule names a field that does not exist"),
    ("image_limits_on_a_url", "`image_limits` applies only to file fields, but `image` is `url`"),
    ("image_limits_empty", "`image_limits` states no limit"),
    ("image_limits_zero", "`max_pixels` is 0: a limit in pixels is at least 1"),
    ("max_request_bytes_zero", "`max_request_bytes` must be above 0"),
    ("max_request_bytes_without_body", "operation `get_account` sends no body"),
    ("max_request_bytes_nothing_to_limit", "this spec has none"),
    ("image_limits_min_above_max", "min_pixels 4096 is greater than max_pixels 1024"),
    ("image_limits_ratio_not_a_ratio", "`2.5` is not an aspect ratio: write `W:H` with positive numbers"),
    ("image_limits_ratio_reversed", "`min` 2.5:1 is wider than `max` 1:2.5"),
    ("image_limits_unsatisfiable", "no image meets all these limits together"),
    ("image_limits_negative", "invalid value: integer `-64`, expected u64"),
];

#[test]
fn every_broken_spec_fails_with_its_snapshotted_diagnostics() {
    let specs = broken_specs();
    assert!(specs.len() >= 12, "expected one broken spec per kind of mistake, found {}", specs.len());
    for (stem, path) in &specs {
        let rendered = problems(stem, path).render_relative_to(workspace_root());
        insta::assert_snapshot!(stem.as_str(), rendered);
    }
}

#[test]
fn every_broken_spec_says_which_mistake_it_shows() {
    for (stem, path) in broken_specs() {
        // Lossy: one broken spec is deliberately not UTF-8.
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable spec")).into_owned();
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("# ") && first.len() > 10,
            "{}: the first line must be a `# ...` comment naming the mistake",
            path.display()
        );
        let expected = EXPECTED
            .iter()
            .find(|(name, _)| *name == stem)
            .unwrap_or_else(|| panic!("tests/broken/{stem}.yaml: add the message it must produce to EXPECTED"));
        let rendered = problems(&stem, &path).to_string();
        assert!(
            rendered.contains(expected.1),
            "tests/broken/{stem}.yaml: expected a message containing {:?}, got:\n{rendered}",
            expected.1
        );
    }
}

#[test]
fn every_problem_has_a_line_and_column() {
    for (stem, path) in broken_specs() {
        for problem in problems(&stem, &path) {
            assert!(problem.position.is_some(), "tests/broken/{stem}.yaml: no position for `{problem}`");
        }
    }
}

#[test]
fn several_problems_are_all_reported_in_one_run() {
    let path = workspace_root().join("tests/broken/several_problems.yaml");
    let problems = problems("several_problems", &path);
    let lines: std::collections::BTreeSet<usize> =
        problems.items().iter().filter_map(|p| p.position).map(|p| p.line).collect();
    assert!(problems.items().len() >= 3, "expected at least 3 problems, got:\n{problems}");
    assert!(lines.len() >= 3, "expected problems on at least 3 different lines, got:\n{problems}");
}
