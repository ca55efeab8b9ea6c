//! The generation record lets `cargo xtask check` and `codegen` skip the generator
//! only when the files on disk are exactly what it would produce; every other case
//! runs the generator, which then reports what it always reported.

use std::path::{Path, PathBuf};

use xtask::Generation;

/// A small copy of this workspace's generator inputs (one provider spec, a few
/// snapshot specs and `generated/Cargo.toml`) in a fresh folder, with the generated
/// files written.
struct Scratch {
    root: PathBuf,
    record: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ sits in the workspace");
        let root = std::env::temp_dir().join(format!("xtask-record-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let inputs = [
            "specs/listenhub.yaml",
            "tests/specs/header_auth.yaml",
            "tests/specs/one_or_many.yaml",
            "tests/specs/shared_definitions.yaml",
            "tests/specs/common/edit-shapes.yaml",
        ];
        for spec in inputs {
            std::fs::create_dir_all(root.join(spec).parent().unwrap()).unwrap();
            std::fs::copy(workspace.join(spec), root.join(spec)).unwrap();
        }
        std::fs::create_dir_all(root.join("generated")).unwrap();
        std::fs::copy(workspace.join("generated/Cargo.toml"), root.join("generated/Cargo.toml")).unwrap();
        let files = xtask::workspace_files(&root).expect("the workspace's specs load");
        xtask::write_files(&root, &files).unwrap();
        let record = root.join("target/xtask-generation.record");
        std::fs::create_dir_all(record.parent().unwrap()).unwrap();
        Scratch { root, record }
    }

    fn generation(&self) -> Generation {
        xtask::workspace_files_unless_fresh(&self.root, &self.record).expect("the specs load")
    }

    /// Runs the generator (recording it), then asserts the next call trusts the record.
    fn recorded(self) -> Scratch {
        assert!(matches!(self.generation(), Generation::Generated(_)), "no record yet: the generator runs");
        assert!(
            matches!(self.generation(), Generation::Fresh { .. }),
            "recorded and unchanged: the generator is skipped"
        );
        self
    }

    /// Asserts the generator runs and that its files, compared with the disk, are stale
    /// exactly at `stale` (what `cargo xtask check` would then report).
    fn assert_generator_runs_and_finds(&self, stale: &[&str]) {
        let Generation::Generated(files) = self.generation() else {
            panic!("the record was trusted although the tree changed")
        };
        let found: Vec<PathBuf> = xtask::stale_files(&self.root, &files).into_iter().map(|s| s.path).collect();
        assert_eq!(found, stale.iter().map(PathBuf::from).collect::<Vec<_>>());
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[test]
fn an_unchanged_tree_is_confirmed_without_the_generator_and_counts_every_file() {
    let scratch = Scratch::new("unchanged").recorded();
    let Generation::Fresh { files } = scratch.generation() else { panic!("the record is trusted") };
    assert_eq!(files, xtask::workspace_files(&scratch.root).unwrap().len());
}

#[test]
fn a_hand_edit_of_the_same_length_is_caught() {
    let scratch = Scratch::new("edit").recorded();
    let path = scratch.root.join("generated/src/lib.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("pub mod", "pub mud", 1);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&path, edited).unwrap();
    scratch.assert_generator_runs_and_finds(&["generated/src/lib.rs"]);
}

#[test]
fn a_deleted_generated_file_or_a_leftover_is_caught() {
    let scratch = Scratch::new("leftover").recorded();
    std::fs::remove_file(scratch.root.join("specs/spec.schema.json")).unwrap();
    scratch.assert_generator_runs_and_finds(&["specs/spec.schema.json"]);

    let scratch = Scratch::new("leftover2").recorded();
    std::fs::write(scratch.root.join("generated/src/notes.rs"), "// hand-written\n").unwrap();
    scratch.assert_generator_runs_and_finds(&["generated/src/notes.rs"]);
}

#[test]
fn a_changed_spec_runs_the_generator_and_is_recorded_again() {
    let scratch = Scratch::new("spec").recorded();
    let spec = imagegen_codegen::files::spec_paths(&scratch.root, Path::new("tests/specs")).unwrap()[0].clone();
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str("\n# a comment changes the bytes, not the output\n");
    std::fs::write(&spec, text).unwrap();
    scratch.assert_generator_runs_and_finds(&[]);
    assert!(matches!(scratch.generation(), Generation::Fresh { .. }), "the new inputs were recorded");
}

#[test]
fn a_changed_shared_file_makes_the_specs_importing_it_stale() {
    let scratch = Scratch::new("shared").recorded();
    let shared = scratch.root.join("tests/specs/common/edit-shapes.yaml");
    let text = std::fs::read_to_string(&shared).unwrap();
    let edited = text.replace("Token usage of an image request.", "Tokens an image request used.");
    assert_ne!(edited, text, "the shared file holds the description");
    std::fs::write(&shared, edited).unwrap();
    scratch.assert_generator_runs_and_finds(&["tests/compiled/src/shared_definitions/types.rs"]);
}

#[test]
fn a_missing_or_corrupt_record_costs_a_generation_and_nothing_else() {
    let scratch = Scratch::new("corrupt").recorded();
    let text = std::fs::read_to_string(&scratch.record).unwrap();
    std::fs::write(&scratch.record, text.replacen("file ", "file 0", 1)).unwrap();
    scratch.assert_generator_runs_and_finds(&[]);
    assert!(matches!(scratch.generation(), Generation::Fresh { .. }), "the record was rewritten");

    std::fs::remove_file(&scratch.record).unwrap();
    scratch.assert_generator_runs_and_finds(&[]);
    assert!(matches!(scratch.generation(), Generation::Fresh { .. }));
}

#[test]
fn an_unwritable_record_only_costs_time() {
    let scratch = Scratch::new("unwritable");
    let record = scratch.root.join("no-such-folder/xtask-generation.record");
    for _ in 0..2 {
        let generation = xtask::workspace_files_unless_fresh(&scratch.root, &record).unwrap();
        let Generation::Generated(files) = generation else { panic!("there is never a record to trust") };
        assert!(xtask::stale_files(&scratch.root, &files).is_empty());
    }
}
