//! Random specs built from the language's constructs, generated into one crate that
//! is compiled and clippy-checked: a construct the checker allows but the emitters
//! break is found here, not by a user. The specs come from proptest strategies with
//! a fixed seed (the same specs every run, a handful per run; set
//! `IMAGEGEN_GENERATIVE_SEED` to explore others).

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

/// Type names, many of them names the emitted code also uses.
const TYPE_NAMES: &[&str] =
    &["Image", "Result", "Option", "Self", "String", "Vec", "Box", "Client", "Request", "Ok", "Default", "Thing"];
/// Field names: keywords, locals of emitted code, a prelude name, ordinary ones; no two share a Rust name.
const FIELD_NAMES: &[&str] =
    &["type", "self", "match", "prompt", "imageSize", "n", "seed", "data", "map", "key", "member", "extra", "Result"];
/// Enum values: ratios, versions, keywords; no two share a Rust name.
const ENUM_VALUES: &[&str] = &["16:9", "1:1", "gemini-3.1-flash", "type", "Self", "auto", "b64_json", "none"];

#[derive(Debug, Clone)]
enum FieldType {
    String,
    Integer {
        min: i64,
        span: i64,
    },
    Number,
    Boolean,
    Base64,
    Url,
    Array(Box<FieldType>),
    Map(Box<FieldType>),
    /// The n-th enum, object or one_of of the spec (resolved when rendering).
    Enum(usize),
    Object(usize),
    OneOf(usize),
}

fn field_type() -> impl Strategy<Value = FieldType> {
    let leaf = prop_oneof![
        Just(FieldType::String),
        (-5i64..5, 1i64..100).prop_map(|(min, span)| FieldType::Integer { min, span }),
        Just(FieldType::Number),
        Just(FieldType::Boolean),
        Just(FieldType::Base64),
        Just(FieldType::Url),
        (0usize..3).prop_map(FieldType::Enum),
        (0usize..4).prop_map(FieldType::Object),
        (0usize..2).prop_map(FieldType::OneOf),
    ];
    leaf.prop_recursive(2, 6, 1, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| FieldType::Array(Box::new(t))),
            inner.prop_map(|t| FieldType::Map(Box::new(t))),
        ]
    })
}

#[derive(Debug, Clone)]
struct Field {
    name: &'static str,
    ty: FieldType,
    required: bool,
    /// `null` is a value of its own (`runtime::Nullable`).
    nullable: bool,
    /// A `pattern` on strings, a `multiple_of` on numbers.
    constrained: bool,
    /// Where the field travels when its object is the request and its type allows it:
    /// 0 the body, 1 the query, 2 a header.
    location: u8,
}

fn fields() -> impl Strategy<Value = Vec<Field>> {
    proptest::sample::subsequence(FIELD_NAMES, 1..5).prop_flat_map(|names| {
        let n = names.len();
        let facts = (field_type(), any::<bool>(), any::<bool>(), any::<bool>(), 0u8..3);
        (Just(names), proptest::collection::vec(facts, n)).prop_map(|(names, types)| {
            names
                .into_iter()
                .zip(types)
                .map(|(name, (ty, required, nullable, constrained, location))| Field {
                    name,
                    ty,
                    required,
                    nullable,
                    constrained,
                    location,
                })
                .collect()
        })
    })
}

/// Where a field of the request object (object 3, which nothing else holds) travels:
/// scalars may go in the query or a header, lists of scalars in the query.
fn location(ty: &FieldType, choice: u8) -> Option<&'static str> {
    let scalar = |t: &FieldType| {
        matches!(
            t,
            FieldType::String
                | FieldType::Integer { .. }
                | FieldType::Number
                | FieldType::Boolean
                | FieldType::Url
                | FieldType::Enum(_)
        )
    };
    match (choice, ty) {
        (1, FieldType::Array(item)) if scalar(item) => Some("query"),
        (1, t) if scalar(t) => Some("query"),
        (2, t) if scalar(t) => Some("header"),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct SpecShape {
    type_names: Vec<&'static str>,
    enums: Vec<Vec<&'static str>>,
    objects: Vec<Vec<Field>>,
    operations: usize,
    path_param: bool,
}

fn spec_shape() -> impl Strategy<Value = SpecShape> {
    (
        proptest::sample::subsequence(TYPE_NAMES, 9..=9),
        proptest::collection::vec(proptest::sample::subsequence(ENUM_VALUES, 1..4), 3),
        proptest::collection::vec(fields(), 4),
        1usize..3,
        any::<bool>(),
    )
        .prop_map(|(type_names, enums, objects, operations, path_param)| SpecShape {
            type_names,
            enums,
            objects,
            operations,
            path_param,
        })
}

/// The spec as JSON (which the YAML loader reads too). Type names: enums first (3),
/// then objects (4), then one_ofs (2), each a distinct name from the pool.
fn render(name: &str, shape: &SpecShape) -> Value {
    let enum_name = |i: usize| shape.type_names[i % 3];
    let object_name = |i: usize| shape.type_names[3 + i % 4];
    let one_of_name = |i: usize| shape.type_names[7 + i % 2];
    fn type_text(
        ty: &FieldType,
        owner: usize,
        e: &dyn Fn(usize) -> &'static str,
        o: &dyn Fn(usize) -> &'static str,
        u: &dyn Fn(usize) -> &'static str,
    ) -> String {
        match ty {
            FieldType::String | FieldType::Integer { .. } => {
                if matches!(ty, FieldType::String) { "string" } else { "integer" }.to_string()
            }
            FieldType::Number => "number".into(),
            FieldType::Boolean => "boolean".into(),
            FieldType::Base64 => "base64".into(),
            FieldType::Url => "url".into(),
            FieldType::Array(inner) => format!("array<{}>", type_text(inner, owner, e, o, u)),
            FieldType::Map(inner) => format!("map<{}>", type_text(inner, owner, e, o, u)),
            FieldType::Enum(i) => e(*i).into(),
            // Only objects defined before this one, so that no required chain loops.
            FieldType::Object(i) if owner > 0 => o(i % owner).into(),
            FieldType::Object(_) => "string".into(),
            FieldType::OneOf(i) => u(*i).into(),
        }
    }
    let mut types = Vec::new();
    for (i, values) in shape.enums.iter().enumerate() {
        let values: Vec<Value> = values.iter().map(|v| json!({"value": v})).collect();
        types.push(json!({"kind": "enum", "name": enum_name(i), "description": "An enum.", "values": values}));
    }
    for (i, fields) in shape.objects.iter().enumerate() {
        let fields: Vec<Value> = fields
            .iter()
            .map(|f| {
                let mut field = json!({
                    "name": f.name,
                    "type": type_text(&f.ty, i, &enum_name, &object_name, &one_of_name),
                    "required": f.required,
                    "description": "A field.",
                });
                if let FieldType::Integer { min, span } = f.ty {
                    field["min"] = json!(min);
                    field["max"] = json!(min + span);
                }
                if f.nullable {
                    field["nullable"] = json!(true);
                }
                match (&f.ty, f.constrained) {
                    (FieldType::String, true) => field["pattern"] = json!("^[a-z ]*$"),
                    (FieldType::Integer { .. }, true) => field["multiple_of"] = json!(2),
                    (FieldType::Number, true) => field["multiple_of"] = json!(0.5),
                    _ => {}
                }
                // Object 3 is every operation's request and held by nothing else. A field
                // picked to leave the body whose type cannot becomes text, so random types
                // (mostly containers) do not keep the construct out of reach.
                if i == 3 && f.location != 0 {
                    let place = location(&f.ty, f.location).unwrap_or_else(|| {
                        field["type"] = json!("string");
                        if f.location == 1 {
                            "query"
                        } else {
                            "header"
                        }
                    });
                    field["in"] = json!(place);
                    // A query parameter or a header cannot say `null`.
                    if let Some(object) = field.as_object_mut() {
                        object.remove("nullable");
                    }
                }
                field
            })
            .collect();
        types.push(json!({"kind": "object", "name": object_name(i), "description": "An object.", "fields": fields}));
    }
    for i in 0..2 {
        // Members are the first two objects, which hold no one_of of their own (no loops).
        types.push(json!({
            "kind": "one_of",
            "name": one_of_name(i),
            "description": "One of two.",
            "variants": [
                {"field": "first", "type": object_name(0), "description": "The first."},
                {"field": "second", "type": object_name(1), "description": "The second."},
            ],
        }));
    }
    let operations: Vec<Value> = (0..shape.operations)
        .map(|i| {
            let mut op = json!({
                "id": format!("operation_{i}"),
                "summary": "Does something.",
                "method": "POST",
                "path": format!("/v1/things/{i}"),
                "request": {"json": object_name(3)},
                "response": {"json": object_name(2 - i % 2)},
            });
            if shape.path_param && i == 0 {
                op["path"] = json!("/v1/things/{thing_id}");
                op["path_params"] = json!([{"name": "thing_id", "type": "string", "description": "Which thing."}]);
            }
            op
        })
        .collect();
    json!({
        "provider": {
            "name": name,
            "title": format!("Generated {name}"),
            "docs_version": "generated",
            "base_url": "https://api.example.com",
            "api_key_env": "GENERATED_API_KEY",
            "auth": [{"kind": "bearer"}],
        },
        "types": types,
        "operations": operations,
    })
}

/// Object 0 and 1 are one_of members; a one_of field inside them would make the
/// member contain its own union. Objects 0 and 1 therefore never name a one_of.
fn without_member_loops(mut shape: SpecShape) -> SpecShape {
    fn strip(ty: &mut FieldType) {
        match ty {
            FieldType::OneOf(_) => *ty = FieldType::String,
            FieldType::Array(inner) | FieldType::Map(inner) => strip(inner),
            _ => {}
        }
    }
    for fields in shape.objects.iter_mut().take(2) {
        for f in fields {
            strip(&mut f.ty);
        }
    }
    shape
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("the command runs");
    let text = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
fn random_specs_generate_code_that_compiles_without_warnings() {
    let seed: u64 = std::env::var("IMAGEGEN_GENERATIVE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(7);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
    let dir = std::env::temp_dir().join(format!("imagegen-generative-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let mut specs: Vec<PathBuf> = Vec::new();
    let mut texts = Vec::new();
    for i in 0..4 {
        let shape = without_member_loops(spec_shape().new_tree(&mut runner).expect("a spec").current());
        let text = serde_json::to_string_pretty(&render(&format!("gen{i}"), &shape)).unwrap();
        let path = dir.join(format!("gen{i}.yaml"));
        std::fs::write(&path, &text).unwrap();
        // Each spec alone: the checker may refuse one, but only with located problems.
        match imagegen_codegen::files::load_spec_files(Path::new(""), std::slice::from_ref(&path)) {
            Ok(_) => specs.push(path),
            Err(problems) => {
                let unlocated: Vec<_> = problems.items().iter().filter(|d| d.position.is_none()).collect();
                assert!(unlocated.is_empty(), "unlocated problems for\n{text}\n{}", problems.render());
            }
        }
        texts.push(text);
    }
    let located = texts.iter().filter(|t| t.contains("\"in\":")).count();
    eprintln!("{} of {} random specs accepted; {located} send fields outside the body", specs.len(), texts.len());
    assert!(specs.len() >= 2, "the generated specs should mostly be valid:\n{}", texts.join("\n---\n"));

    let options = imagegen_codegen::CrateOptions::new("generated-specs").runtime_path(&root.join("codegen/runtime"));
    let files = imagegen_codegen::generate_crate(&specs, &options)
        .unwrap_or_else(|problems| panic!("accepted specs must generate:\n{}", problems.render()));
    let out = dir.join("crate");
    imagegen_codegen::standalone::write_crate(&out, &files).unwrap();
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let target = root.join("target/standalone-test");
    let (ok, report) = run(Command::new(&cargo).current_dir(&out).env("CARGO_TARGET_DIR", &target).args([
        "clippy",
        "--offline",
        "--quiet",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]));
    assert!(ok, "the crate of these specs does not pass clippy:\n{report}\n{}", texts.join("\n---\n"));
    let (ok, report) = run(Command::new(&cargo).current_dir(&out).env("CARGO_TARGET_DIR", &target).args([
        "test",
        "--offline",
        "--quiet",
    ]));
    assert!(ok, "the crate of these specs does not pass its tests:\n{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}
