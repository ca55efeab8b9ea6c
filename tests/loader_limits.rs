//! The loader's resource limits on inputs too large to commit as broken specs
//! (a quarter-mebibyte scalar, an 8 MiB file, a hundred thousand nodes) and on the
//! inputs issue 14 found crashing or exhausting memory: each is refused quickly
//! with one located diagnostic, snapshotted like `tests/broken/`.

use std::path::Path;

use imagegen_codegen::fuzz;
use imagegen_codegen::spec::load::load_bytes;
use imagegen_codegen::spec::positions::limits;
use imagegen_codegen::{Diagnostics, Position};

/// A valid spec whose one example's `settings` (type `any`) takes `settings`.
fn spec_with_settings(settings: &str) -> String {
    format!(
        "provider:
  name: limits
  title: Limits
  docs_version: test
  base_url: https://api.example.com
  api_key_env: EXAMPLE_API_KEY
  auth:
    - kind: bearer
  envelopes: []
types:
  - kind: object
    name: GenerateRequest
    fields:
      - name: settings
        type: any
operations:
  - id: generate
    summary: Generates an image.
    method: POST
    path: /v1/generate
    request:
      json: GenerateRequest
    response:
      json: GenerateRequest
examples:
  - name: request
    operation: generate
    kind: request
    body:
      settings: {settings}
"
    )
}

/// The line `settings:` is on in [`spec_with_settings`].
const SETTINGS_LINE: usize = 30;

/// Loads `source` as the generator would and returns its one problem, rendered
/// with the offending line cut to 100 characters so snapshots stay readable.
fn refused(name: &str, source: impl Into<Vec<u8>>) -> (Position, String) {
    let source = source.into();
    let (outcome, time) = fuzz::timed(|| load_bytes(Path::new(&format!("{name}.yaml")), source.clone()));
    assert!(time < fuzz::SLOW, "{name}: took {time:?}");
    let problems: Diagnostics = match outcome {
        Ok(_) => panic!("{name}: loaded, but it exceeds a limit"),
        Err(problems) => problems,
    };
    assert_eq!(problems.items().len(), 1, "{name}: expected one problem, got:\n{problems}");
    let problem = &problems.items()[0];
    let position = problem.position.unwrap_or_else(|| panic!("{name}: no position for `{problem}`"));
    let text = String::from_utf8_lossy(&source);
    let short: String = text.lines().map(|line| line.chars().take(100).collect::<String>() + "\n").collect();
    // A caret past the cut would point at nothing (and fill the snapshot with spaces).
    let excerpt = (position.column <= 100).then_some(short.as_str());
    (position, problem.render(excerpt))
}

#[test]
fn a_scalar_over_the_limit_is_refused_where_it_starts() {
    let (position, rendered) = refused("huge_scalar", spec_with_settings(&"x".repeat(limits::MAX_SCALAR_BYTES + 1)));
    assert_eq!(position, Position { line: SETTINGS_LINE, column: 17 });
    insta::assert_snapshot!("huge_scalar", rendered);
}

#[test]
fn a_scalar_at_the_limit_loads() {
    let source = spec_with_settings(&"x".repeat(limits::MAX_SCALAR_BYTES));
    let outcome = load_bytes(Path::new("scalar_at_limit.yaml"), source.into_bytes());
    assert!(outcome.is_ok(), "{}", outcome.err().map(|d| d.to_string()).unwrap_or_default());
}

#[test]
fn a_file_over_eight_mebibytes_is_refused_at_its_start_without_parsing() {
    let padding = format!("# {}\n", "-".repeat(limits::MAX_FILE_BYTES));
    let (position, rendered) = refused("huge_file", padding + &spec_with_settings("{}"));
    assert_eq!(position, Position::START);
    insta::assert_snapshot!("huge_file", rendered);
}

#[test]
fn an_oversized_file_on_disk_is_refused_after_reading_only_the_limit() {
    let dir = std::env::temp_dir().join(format!("imagegen-loader-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join("huge.yaml");
    std::fs::write(&path, vec![b'#'; limits::MAX_FILE_BYTES + 10]).expect("writable temporary file");
    let problems = imagegen_codegen::spec::load_file(&path).expect_err("refused");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(problems.items()[0].position, Some(Position::START));
    assert!(problems.items()[0].message.contains("more than 8 MiB"), "{problems}");
}

#[test]
fn a_hundred_thousand_nodes_are_refused_at_the_one_past_the_limit() {
    let items = vec!["1"; limits::MAX_EXPANDED_NODES as usize].join(",");
    let (position, rendered) = refused("many_nodes", spec_with_settings(&format!("[{items}]")));
    assert_eq!(position.line, SETTINGS_LINE);
    assert!(rendered.contains("the spec reaches past 100000 YAML nodes"), "{rendered}");
    insta::assert_snapshot!("many_nodes", rendered);
}

#[test]
fn aliases_repeating_a_large_scalar_are_refused_past_eight_mebibytes() {
    let scalar = "x".repeat(limits::MAX_SCALAR_BYTES / 2);
    let copies = (limits::MAX_EXPANDED_BYTES as usize / scalar.len()) + 1;
    let aliases = vec!["*big"; copies].join(", ");
    let (position, rendered) = refused("repeated_scalar", spec_with_settings(&format!("[&big {scalar}, {aliases}]")));
    assert_eq!(position.line, SETTINGS_LINE);
    assert!(rendered.contains("this alias takes the spec past 8 MiB of text once its aliases are expanded"));
    insta::assert_snapshot!("repeated_scalar", rendered);
}

/// Issue 14: 10,000 levels in a 20 KB file overflowed the stack in the position
/// index (block style) or took seconds (flow style).
#[test]
fn ten_thousand_levels_of_nesting_are_refused_in_either_style() {
    let flow = spec_with_settings(&format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)));
    let (position, rendered) = refused("deep_flow", flow);
    assert_eq!(position.line, SETTINGS_LINE);
    assert!(rendered.contains("nest more than 64 levels"), "{rendered}");
    let block = spec_with_settings(&format!("\n        {}x", "- ".repeat(10_000)));
    let (position, rendered) = refused("deep_block", block);
    assert_eq!(position.line, SETTINGS_LINE + 1);
    insta::assert_snapshot!("deep_block", rendered);
}

/// Issue 14: a 30,000-deep `array<...>` overflowed the stack in `TypeExpr::parse`.
#[test]
fn a_thirty_thousand_deep_type_expression_is_refused_at_the_type() {
    // The example leaves `settings` out: the checker skips a field whose type does
    // not parse when checking examples, and would report it as unknown too.
    let source = spec_with_settings("{}")
        .replace("type: any", &format!("type: {}string{}", "array<".repeat(30_000), ">".repeat(30_000)))
        .replace("      settings: {}\n", "      {}\n");
    let (position, rendered) = refused("deep_type", source);
    assert_eq!(position, Position { line: 15, column: 15 });
    insta::assert_snapshot!("deep_type", rendered);
}

/// Issue 14: aliases were expanded before anything was checked (a 173 KB spec
/// cost 3 GB). Padding makes serde_yaml's own repetition limit (100 expansions
/// per event) too loose to help; the loader refuses the bomb itself.
#[test]
fn an_alias_bomb_behind_padding_is_refused_before_it_is_built() {
    let padding: String = (0..40_000).map(|_| "  - x\n").collect();
    let mut bomb = String::from("[&a [x, x, x, x, x, x, x, x, x, x]");
    for (name, previous) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d")] {
        bomb.push_str(&format!(", &{name} [{}]", vec![format!("*{previous}"); 10].join(", ")));
    }
    bomb.push_str(&format!(", [{}]]", vec!["*e"; 330].join(", ")));
    let source = format!("padding:\n{padding}{}", spec_with_settings(&bomb));
    let (position, rendered) = refused("alias_bomb", source);
    assert_eq!(position.line, 40_001 + SETTINGS_LINE);
    insta::assert_snapshot!("alias_bomb", rendered);
}
