//! Every operation of every provider documents a typed example, which `cargo test`
//! compiles as a doctest of the `imagegen` crate; this test makes sure none is missing.

use std::path::Path;

#[test]
fn every_operation_has_a_compiled_doc_example() {
    let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/src");
    let mut missing = Vec::new();
    let mut found = 0;
    for provider in imagegen::providers() {
        let client = std::fs::read_to_string(generated.join(provider.info.name).join("client.rs")).unwrap();
        for op in provider.operations {
            // The doc block right above the method, up to the previous item.
            let method = format!("pub async fn {}(", op.id);
            let Some(at) = client.find(&method) else {
                missing.push(format!("{}::{} (no method)", provider.info.name, op.id));
                continue;
            };
            let block_start = client[..at].rfind("\n    }\n").unwrap_or(0);
            let docs = &client[block_start..at];
            if docs.contains("/// ```no_run") && docs.contains(&format!(".{}(", op.id)) {
                found += 1;
            } else {
                missing.push(format!("{}::{}", provider.info.name, op.id));
            }
        }
    }
    assert!(missing.is_empty(), "operations without a doc example: {missing:?}");
    assert!(found >= 8, "expected an example for each of the 8 operations, found {found}");
}
