//! This repository's layout, in one place: which specs go where, what must be
//! fresh, and what `cargo xtask codegen` may write or delete. The generator
//! library (`imagegen-codegen`) knows none of it; `main.rs` and the workspace's
//! freshness test call these functions.
//!
//! - `specs/*.yaml` → the client crate in `generated/` (`src/<provider>/`,
//!   `src/lib.rs`, `src/registry.rs`); each provider needs a Cargo feature of its
//!   name in `generated/Cargo.toml`, the one hand-written file there.
//! - `tests/specs/*.yaml` → `tests/compiled/src/<spec>/`, compiled against the runtime.
//! - the spec language's JSON Schema → `specs/spec.schema.json`.
//!
//! [`workspace_files_unless_fresh`] skips the generator when the [`record`] of its
//! last run proves the files on disk fresh.

pub mod record;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use imagegen_codegen::files::{self, emit_targets, load_specs, GeneratedFile, Leftover, Target, GENERATED_MARKER};
use imagegen_codegen::ir::Api;
use imagegen_codegen::{Diagnostic, Diagnostics};

/// The command the headers of this repository's generated files name.
pub const REGENERATE: &str = "cargo xtask codegen";

const PROVIDER_SPECS: &str = "specs";
const GENERATED_CRATE: &str = "generated";
const SNAPSHOT_SPECS: &str = "tests/specs";
const SNAPSHOT_CRATE_SRC: &str = "tests/compiled/src";
const SCHEMA: &str = "specs/spec.schema.json";

/// A generated file whose content on disk differs from what the generator produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// A unified diff from the file on disk to the expected content, or why it is stale.
    pub diff: String,
}

/// Every file the generator owns in the workspace at `root`. The problems of
/// both spec trees are reported together.
pub fn workspace_files(root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let providers = load_specs(root, Path::new(PROVIDER_SPECS))
        .and_then(|apis| check_features(root, &apis).map(|()| in_generated_crate(apis)));
    let snapshots = load_specs(root, Path::new(SNAPSHOT_SPECS));
    let (providers, snapshots) = match (providers, snapshots) {
        (Ok(providers), Ok(snapshots)) => (providers, snapshots),
        (providers, snapshots) => {
            let mut problems = Diagnostics::new();
            problems.extend(providers.err().unwrap_or_default());
            problems.extend(snapshots.err().unwrap_or_default());
            return Err(problems);
        }
    };
    let src = Path::new(GENERATED_CRATE).join("src");
    let targets = [
        Target::ClientCrate { apis: &providers, src: &src },
        Target::Modules { apis: &snapshots, dir: Path::new(SNAPSHOT_CRATE_SRC) },
    ];
    let mut out = emit_targets(root, &targets, REGENERATE)?;
    out.push(snapshot_lib(&snapshots));
    out.push(GeneratedFile { path: SCHEMA.into(), contents: files::spec_schema() });
    Ok(out)
}

/// What [`workspace_files_unless_fresh`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generation {
    /// The generation record proved every generated file fresh, with nothing left
    /// over in the generated trees; the generator did not run.
    Fresh {
        /// How many files the generator owns.
        files: usize,
    },
    /// The generator ran; these are its files, to compare or write as before.
    Generated(Vec<GeneratedFile>),
}

/// [`workspace_files`], unless the generation record at `record_path` (see [`record`])
/// proves that the files on disk are what it would produce: same binary, same inputs,
/// every recorded file's bytes on disk, no leftover file. After running the generator
/// the record is rewritten if the inputs did not change while it ran (a failure to
/// write it is ignored: it only costs the next run its shortcut).
pub fn workspace_files_unless_fresh(root: &Path, record_path: &Path) -> Result<Generation, Diagnostics> {
    let key = inputs_key(root);
    if let Some(record) = key.and_then(|key| record::Record::read(record_path).filter(|r| r.key == key)) {
        let produced: BTreeSet<&Path> = record.files.iter().map(|f| f.path.as_path()).collect();
        if record.matches_disk(root) && leftovers(root, &produced).is_empty() {
            return Ok(Generation::Fresh { files: record.files.len() });
        }
    }
    let files = workspace_files(root)?;
    if let Some(key) = key.filter(|&key| inputs_key(root) == Some(key)) {
        let _ = record::Record::of(key, &files).write(record_path);
    }
    Ok(Generation::Generated(files))
}

/// The key of a generation record: the running binary's identity and every input
/// [`workspace_files`] reads (the name and bytes of each YAML file of both spec trees,
/// the shared files specs import included, and `generated/Cargo.toml`, or that it is
/// absent). `None` when an input cannot be read; the generator then runs and reports it.
fn inputs_key(root: &Path) -> Option<record::Digest> {
    let mut key = record::DigestBuilder::new();
    key.bytes(&record::running_binary()?);
    for dir in [PROVIDER_SPECS, SNAPSHOT_SPECS] {
        let paths = files::spec_inputs(root, Path::new(dir)).ok()?;
        key.bytes(&paths.len().to_le_bytes());
        for path in paths {
            key.bytes(path.strip_prefix(root).unwrap_or(&path).as_os_str().as_encoded_bytes());
            key.bytes(&std::fs::read(&path).ok()?);
        }
    }
    match std::fs::read(root.join(GENERATED_CRATE).join("Cargo.toml")) {
        Ok(manifest) => key.bytes(&manifest),
        Err(_) => key.bytes(b"no manifest"),
    }
    Some(key.finish())
}

/// The emitted files of the `generated/` crate alone (for the generator benchmark).
pub fn generated_crate_files(root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let apis = in_generated_crate(load_specs(root, Path::new(PROVIDER_SPECS))?);
    check_features(root, &apis)?;
    let src = Path::new(GENERATED_CRATE).join("src");
    emit_targets(root, &[Target::ClientCrate { apis: &apis, src: &src }], REGENERATE)
}

/// The provider modules live in the `imagegen` crate: their doc examples say so,
/// and its `testing` feature (in `generated/Cargo.toml`) turns on their mock servers.
fn in_generated_crate(mut apis: Vec<Api>) -> Vec<Api> {
    for api in &mut apis {
        api.provider.doc_crate = Some("imagegen".to_string());
        api.provider.testing_feature = Some("testing".to_string());
    }
    apis
}

/// Each provider module is gated by a Cargo feature of the same name; a spec whose
/// feature is missing from `generated/Cargo.toml` would silently compile to nothing.
fn check_features(root: &Path, apis: &[Api]) -> Result<(), Diagnostics> {
    let manifest_path = root.join(GENERATED_CRATE).join("Cargo.toml");
    let Ok(manifest) = std::fs::read_to_string(&manifest_path) else {
        return Ok(());
    };
    let mut problems = Diagnostics::new();
    for api in apis {
        let declared = manifest.lines().any(|l| l.trim_start().starts_with(&format!("{} = [", api.provider.name)));
        if !declared {
            problems.push(Diagnostic {
                file: manifest_path.clone(),
                position: None,
                yaml_path: String::new(),
                message: format!(
                    "provider `{}` has no Cargo feature: add `{} = []` under [features] (and to `default`)",
                    api.provider.name, api.provider.name
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `tests/compiled/src/lib.rs`: one module per snapshot spec, left as generated.
fn snapshot_lib(apis: &[Api]) -> GeneratedFile {
    let mut modules = String::new();
    for api in apis {
        if modules.is_empty() {
            modules.push('\n');
        }
        modules.push_str(&format!("#[rustfmt::skip]\npub mod {};\n", api.provider.module));
    }
    let lib = format!(
        "// {GENERATED_MARKER} by imagegen-codegen from {SNAPSHOT_SPECS}/*.yaml.\n\
         // Do not edit: change the spec or the generator, then run `{REGENERATE}`.\n\n\
         //! Every snapshot spec's generated module, compiled against the real runtime.\n\n\
         #![allow(missing_docs)]\n\n\
         pub use imagegen::runtime;\n{modules}"
    );
    GeneratedFile { path: Path::new(SNAPSHOT_CRATE_SRC).join("lib.rs"), contents: lib }
}

fn leftovers(root: &Path, produced: &BTreeSet<&Path>) -> Vec<Leftover> {
    let manifest = Path::new(GENERATED_CRATE).join("Cargo.toml");
    let mut out = files::leftovers_in(root, Path::new(GENERATED_CRATE), produced);
    out.retain(|l| l.path != manifest);
    // The snapshot crate's own files (`lib.rs` aside) are hand-written: only marked ones count.
    let snapshots = files::leftovers_in(root, Path::new(SNAPSHOT_CRATE_SRC), produced);
    out.extend(snapshots.into_iter().filter(|l| l.generated && l.path.components().count() > 4));
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn produced_paths(files: &[GeneratedFile]) -> BTreeSet<&Path> {
    files.iter().map(|f| f.path.as_path()).collect()
}

/// Compares the produced files with the disk; returns every stale one with a diff,
/// and every file in a generated tree that no spec produces.
pub fn stale_files(root: &Path, files: &[GeneratedFile]) -> Vec<StaleFile> {
    let mut stale: Vec<StaleFile> = files
        .iter()
        .filter_map(|f| files::diff_against_disk(root, f).map(|diff| StaleFile { path: f.path.clone(), diff }))
        .collect();
    for Leftover { path, generated } in leftovers(root, &produced_paths(files)) {
        let diff = if generated {
            format!("{} is generated but no spec produces it any more\n", path.display())
        } else {
            format!(
                "{} was not written by the generator: generated/ holds only generated files and its Cargo.toml; \
                 move hand-written code to another crate\n",
                path.display()
            )
        };
        stale.push(StaleFile { diff, path });
    }
    stale
}

/// Writes files whose content changed and removes generated leftovers; returns the
/// paths touched. A hand-written file is never deleted: [`stale_files`] reports it.
pub fn write_files(root: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut touched = files::write_changed(root, files)?;
    for Leftover { path, .. } in leftovers(root, &produced_paths(files)).into_iter().filter(|l| l.generated) {
        std::fs::remove_file(root.join(&path))?;
        touched.push(path);
    }
    Ok(touched)
}
