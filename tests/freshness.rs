//! The generated files in the repository are exactly what the generator
//! produces from the specs today, so plain `cargo test` catches a stale file
//! or a hand edit (as rust-analyzer's codegen tests do).

use std::path::Path;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

#[test]
fn generated_files_and_schema_are_fresh() {
    let root = workspace_root();
    let files = match imagegen_codegen::workspace_files(root) {
        Ok(files) => files,
        Err(problems) => panic!("the specs have errors:\n{}", problems.render()),
    };
    let stale = imagegen_codegen::files::stale_files(root, &files);
    let report: String = stale.iter().map(|s| s.diff.clone()).collect();
    assert!(stale.is_empty(), "{report}\n{} generated file(s) are stale: run `cargo xtask codegen`", stale.len());
}

#[test]
fn generation_is_deterministic() {
    let root = workspace_root();
    let first = imagegen_codegen::workspace_files(root).expect("specs load");
    let second = imagegen_codegen::workspace_files(root).expect("specs load");
    assert_eq!(first, second);
}
