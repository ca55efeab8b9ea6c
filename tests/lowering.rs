//! Lowering drops nothing the checker accepted: for every provider spec and every
//! snapshot spec, each type, field (and where it travels), enum value, model, one_of
//! member, event, rule, provider header, auth scheme, operation, path parameter, request
//! parameters and example of the spec is in the IR, in spec order.
//! (Lowering states what the checks guarantee as `unreachable!` instead of skipping,
//! so a spec that got past the checker either lowers whole or panics here.)

use std::path::{Path, PathBuf};

use imagegen_codegen::ir::{self, naming, Api, TypeIr};
use imagegen_codegen::spec::model::{FieldLocation, QueryStyle, Spec, TypeDef};

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let dir = workspace_root().join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// Every item of `spec` is in `api`; returns what was compared, for the caller's count.
fn assert_nothing_dropped(file: &Path, spec: &Spec, api: &Api) -> usize {
    let at = file.display();
    let mut compared = 0;
    assert_eq!(api.types.len(), spec.types.len(), "{at}: types");
    for (def, lowered) in spec.types.iter().zip(&api.types) {
        assert_eq!(lowered.rust_name(), naming::type_name(def.name()).as_str(), "{at}: type order");
        let what = format!("{at}: type `{}`", def.name());
        match (def, lowered) {
            (TypeDef::Object(o), TypeIr::Struct(s)) => {
                let wire: Vec<&str> = s.fields.iter().map(|f| f.wire_name.as_str()).collect();
                let spec_fields: Vec<&str> = o.fields.iter().map(|f| f.name.as_str()).collect();
                assert_eq!(wire, spec_fields, "{what}: fields");
                // The spec's rules come first, in order, then the ones the model table
                // and `families` add.
                assert!(s.rules.len() >= o.rules.len(), "{what}: {} rules lowered of {}", s.rules.len(), o.rules.len());
                for (rule, lowered) in o.rules.iter().zip(&s.rules) {
                    let severity = match rule.severity() {
                        imagegen_codegen::spec::model::Severity::Error => ir::Severity::Error,
                        imagegen_codegen::spec::model::Severity::Warning => ir::Severity::Warning,
                    };
                    assert_eq!(lowered.severity, severity, "{what}: rule severity");
                }
                // `families` are kept on every field (its docs say which models read it); an
                // object that selects a model also checks them, one rule per such field.
                for (f, lowered) in o.fields.iter().zip(&s.fields) {
                    assert_eq!(lowered.families, f.families, "{what}: families of `{}`", f.name);
                    // Where a field travels is kept: a query or header field must not end up in the body.
                    let location = match (f.location, f.style) {
                        (FieldLocation::Body, _) => ir::Location::Body,
                        (FieldLocation::Query, Some(QueryStyle::Comma)) => ir::Location::Query(ir::QueryStyle::Comma),
                        (FieldLocation::Query, _) => ir::Location::Query(ir::QueryStyle::Repeat),
                        (FieldLocation::Header, _) => ir::Location::Header,
                    };
                    assert_eq!(lowered.location, location, "{what}: where `{}` travels", f.name);
                    assert_eq!(lowered.usage.is_some(), f.usage.is_some(), "{what}: token count of `{}`", f.name);
                }
                let family_fields = o.fields.iter().filter(|f| !f.families.is_empty()).count();
                let family_rules =
                    s.rules.iter().filter(|r| matches!(r.check, ir::RuleCheck::ModelFamily { .. })).count();
                let selects_model = s.fields.iter().any(|f| {
                    matches!(&f.ty, ir::RustType::Named(n) if api.enum_named(&n.rust_name).is_some_and(|e| e.models.is_some()))
                });
                let expected = if selects_model { family_fields } else { 0 };
                assert_eq!(family_rules, expected, "{what}: one family check per field with `families`");
                compared += o.fields.len() + o.rules.len() + family_fields;
            }
            (TypeDef::Enum(e), TypeIr::Enum(l)) => {
                let wire: Vec<&str> = l.variants.iter().map(|v| v.wire.as_str()).collect();
                let values: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
                assert_eq!(wire, values, "{what}: values");
                compared += values.len();
            }
            (TypeDef::Models(m), TypeIr::Enum(l)) => {
                let table = l.models.as_ref().unwrap_or_else(|| panic!("{what}: a models type lowers with its table"));
                let ids: Vec<&str> = table.models.iter().map(|m| m.id.as_str()).collect();
                let spec_ids: Vec<&str> = m.models.iter().map(|m| m.id.as_str()).collect();
                assert_eq!(ids, spec_ids, "{what}: models");
                for (row, lowered) in m.models.iter().zip(&table.models) {
                    assert_eq!(
                        lowered.capabilities.len(),
                        row.capabilities.len(),
                        "{what}: capabilities of {}",
                        row.id
                    );
                }
                compared += spec_ids.len();
            }
            (TypeDef::OneOf(o), TypeIr::OneOf(l)) => {
                let wire: Vec<&str> = l.variants.iter().map(|v| v.wire.as_str()).collect();
                let members: Vec<&str> = o.variants.iter().map(|v| v.field.as_str()).collect();
                assert_eq!(wire, members, "{what}: members");
                compared += members.len();
            }
            (TypeDef::Events(e), TypeIr::Events(l)) => {
                let events: Vec<&str> = l.variants.iter().map(|v| v.event.as_str()).collect();
                let spec_events: Vec<&str> = e.variants.iter().map(|v| v.event.as_str()).collect();
                assert_eq!(events, spec_events, "{what}: events");
                compared += events.len();
            }
            (def, lowered) => panic!("{what}: lowered as a different kind ({lowered:?} from {def:?})"),
        }
    }
    let headers: Vec<&str> = api.provider.headers.iter().map(|h| h.name.as_str()).collect();
    let spec_headers: Vec<&str> = spec.provider.headers.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(headers, spec_headers, "{at}: provider headers");
    assert_eq!(api.provider.auth.len(), spec.provider.auth.len(), "{at}: auth schemes");
    compared += spec_headers.len() + spec.provider.auth.len();
    let ids: Vec<&str> = api.operations.iter().map(|o| o.id.as_str()).collect();
    let spec_ids: Vec<&str> = spec.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, spec_ids, "{at}: operations");
    for (op, lowered) in spec.operations.iter().zip(&api.operations) {
        assert!(!lowered.methods.is_empty(), "{at}: operation `{}` has no client method", op.id);
        let params: Vec<&str> = lowered.path_params.iter().map(|p| p.name.as_str()).collect();
        let spec_params: Vec<&str> = op.path_params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(params, spec_params, "{at}: path parameters of `{}`", op.id);
        assert_eq!(lowered.errors.len(), op.errors.len(), "{at}: documented errors of `{}`", op.id);
        let spec_params_request = op.request.as_ref().and_then(|r| r.params.as_deref());
        assert_eq!(
            lowered.params_request.as_ref().map(|p| p.as_str()),
            spec_params_request.map(naming::type_name).as_ref().map(|p| p.as_str()),
            "{at}: parameters of `{}`",
            op.id
        );
        compared += 1 + spec_params.len() + op.errors.len();
    }
    let names: Vec<&str> = api.examples.iter().map(|e| e.name.as_str()).collect();
    let spec_names: Vec<&str> = spec.examples.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, spec_names, "{at}: examples");
    compared + spec_names.len()
}

#[test]
fn lowering_keeps_every_item_of_every_spec() {
    let files: Vec<PathBuf> = yaml_files("specs").into_iter().chain(yaml_files("tests/specs")).collect();
    assert!(files.len() >= 28, "expected the 4 provider specs and the snapshot specs, found {}", files.len());
    let mut compared = 0;
    for file in &files {
        let loaded = imagegen_codegen::spec::load_file(file)
            .unwrap_or_else(|d| panic!("{} has errors:\n{}", file.display(), d.render_relative_to(workspace_root())));
        let api = ir::lower(&loaded, &file.display().to_string())
            .unwrap_or_else(|d| panic!("{} has errors:\n{}", file.display(), d.render_relative_to(workspace_root())));
        compared += assert_nothing_dropped(file, &loaded.spec, &api);
    }
    // Real specs hold hundreds of items: a comparison that matched nothing would be vacuous.
    assert!(compared > 500, "only {compared} items compared");
}

/// The token counts an answer reports are found where the specs mark them: one level
/// down in OpenAI's `usage` and Gemini's `usageMetadata`, never inside a list, the
/// shallowest field winning, and nowhere for an answer that reports none.
#[test]
fn operations_know_where_their_answers_report_token_usage() {
    let usage_of = |file: &str, operation: &str| -> Vec<(ir::TokenKind, String)> {
        let path = workspace_root().join(file);
        let loaded = imagegen_codegen::spec::load_file(&path).unwrap_or_else(|d| panic!("{file}: {d}"));
        let api = ir::lower(&loaded, file).unwrap_or_else(|d| panic!("{file}: {d}"));
        let op =
            api.operations.iter().find(|o| o.id == operation).unwrap_or_else(|| panic!("{file}: no `{operation}`"));
        op.usage.iter().map(|u| (u.kind, u.path.join("."))).collect()
    };
    use ir::TokenKind::{Input, Output};
    let openai = vec![(Input, "usage.input_tokens".to_string()), (Output, "usage.output_tokens".to_string())];
    assert_eq!(usage_of("specs/octen.yaml", "generate_images"), openai);
    assert_eq!(usage_of("specs/routerhub.yaml", "generate_images"), openai);
    assert_eq!(
        usage_of("specs/routerhub.yaml", "generate_content"),
        [
            (Input, "usageMetadata.promptTokenCount".to_string()),
            (Output, "usageMetadata.candidatesTokenCount".to_string())
        ]
    );
    assert_eq!(usage_of("tests/specs/token_usage.yaml", "generate"), openai);
    assert_eq!(usage_of("tests/specs/token_usage.yaml", "describe"), []);
    assert_eq!(
        usage_of("tests/specs/token_usage.yaml", "stream"),
        [(Input, "tokens.input_tokens".to_string()), (Output, "tokens.output_tokens".to_string())]
    );
    assert_eq!(usage_of("specs/bfl.yaml", "flux_dev"), []);
}

/// Which lists and maps leave `null` items out is decided once, in the IR: those of
/// response types (a type shared with a request too), at any depth, never items of
/// type `any`; request-only types keep serde's strict lists.
#[test]
fn only_the_lists_and_maps_of_responses_drop_null_items() {
    use ir::NullItems::{Dropped, Refused};
    let file = "tests/specs/null_items.yaml";
    let loaded = imagegen_codegen::spec::load_file(&workspace_root().join(file)).unwrap_or_else(|d| panic!("{d}"));
    let api = ir::lower(&loaded, file).unwrap_or_else(|d| panic!("{d}"));
    let fields = |name: &str| -> Vec<(String, ir::NullItems)> {
        let Some(TypeIr::Struct(s)) = api.types.iter().find(|t| t.rust_name() == name) else { panic!("no `{name}`") };
        s.fields.iter().map(|f| (f.wire_name.clone(), f.null_items)).collect()
    };
    let members = |name: &str| -> Vec<(String, ir::NullItems)> {
        let Some(TypeIr::OneOf(o)) = api.types.iter().find(|t| t.rust_name() == name) else { panic!("no `{name}`") };
        o.variants.iter().map(|v| (v.wire.clone(), v.null_items)).collect()
    };
    let expect = |pairs: &[(&str, ir::NullItems)]| -> Vec<(String, ir::NullItems)> {
        pairs.iter().map(|(w, n)| (w.to_string(), *n)).collect()
    };
    assert_eq!(
        fields("GenerateResponse"),
        expect(&[
            ("created", Refused),
            ("data", Dropped),
            ("captions", Dropped),
            ("finishes", Dropped),
            ("notes", Dropped),
            ("seeds", Dropped),
            ("grid", Dropped),
            ("warnings", Dropped),
            ("urls", Dropped),
            ("metadata", Refused),
            ("palette", Refused),
        ])
    );
    assert_eq!(fields("GenerateRequest"), expect(&[("prompt", Refused), ("styles", Refused), ("palette", Refused)]));
    assert_eq!(fields("Palette"), expect(&[("colors", Dropped)]));
    assert_eq!(members("Note"), expect(&[("text", Refused), ("tags", Dropped)]));
    assert_eq!(members("Outcome"), expect(&[("images", Dropped), ("refusal", Refused)]));
}
