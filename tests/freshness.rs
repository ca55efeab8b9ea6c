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
    let files = match xtask::workspace_files(root) {
        Ok(files) => files,
        Err(problems) => panic!("the specs have errors:\n{}", problems.render()),
    };
    let stale = xtask::stale_files(root, &files);
    let report: String = stale.iter().map(|s| s.diff.clone()).collect();
    assert!(stale.is_empty(), "{report}\n{} generated file(s) are stale: run `cargo xtask codegen`", stale.len());
}

#[test]
fn generation_is_deterministic() {
    let root = workspace_root();
    let first = xtask::workspace_files(root).expect("specs load");
    let second = xtask::workspace_files(root).expect("specs load");
    assert_eq!(first, second);
}

#[test]
fn a_hand_edit_is_reported_with_a_diff_and_codegen_repairs_it() {
    let root = workspace_root();
    let files = xtask::workspace_files(root).expect("specs load");
    let scratch = std::env::temp_dir().join(format!("imagegen-freshness-{}", std::process::id()));
    xtask::write_files(&scratch, &files).expect("write a scratch copy");
    assert!(xtask::stale_files(&scratch, &files).is_empty());

    let edited = files.iter().find(|f| f.path.ends_with("types.rs")).expect("a types.rs is generated");
    let on_disk = scratch.join(&edited.path);
    let tampered = edited.contents.replacen("pub struct", "pub struct /* hand edit */", 1);
    std::fs::write(&on_disk, tampered).unwrap();

    let stale = xtask::stale_files(&scratch, &files);
    assert_eq!(stale.len(), 1, "exactly the edited file is stale");
    assert_eq!(stale[0].path, edited.path);
    assert!(stale[0].diff.contains("-pub struct /* hand edit */"), "{}", stale[0].diff);

    let touched = xtask::write_files(&scratch, &files).unwrap();
    assert_eq!(touched, vec![edited.path.clone()]);
    assert!(xtask::stale_files(&scratch, &files).is_empty());
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn a_hand_written_file_under_generated_fails_the_check_and_codegen_keeps_it() {
    let root = workspace_root();
    let files = xtask::workspace_files(root).expect("specs load");
    let scratch = std::env::temp_dir().join(format!("imagegen-freshness-added-{}", std::process::id()));
    xtask::write_files(&scratch, &files).expect("write a scratch copy");
    std::fs::write(scratch.join("generated/Cargo.toml"), "[package]\n").unwrap();
    assert!(xtask::stale_files(&scratch, &files).is_empty(), "Cargo.toml is the one hand-written file");

    let added = Path::new("generated/src/octen/helpers.rs");
    std::fs::write(scratch.join(added), "pub fn helper() {}\n").unwrap();
    let stale = xtask::stale_files(&scratch, &files);
    assert_eq!(stale.len(), 1, "exactly the added file is reported");
    assert_eq!(stale[0].path, added);
    assert!(stale[0].diff.contains("not written by the generator"), "{}", stale[0].diff);

    xtask::write_files(&scratch, &files).unwrap();
    assert!(scratch.join(added).exists(), "codegen never deletes a hand-written file");
    std::fs::remove_dir_all(&scratch).unwrap();
}
