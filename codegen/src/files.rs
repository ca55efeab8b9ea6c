//! From token streams to files on disk: formatting, headers, freshness.
//!
//! Formatting is in-process (syn + prettyplease), so output does not depend on
//! the installed rustfmt. Files are written only when their content changed,
//! and check mode compares instead of writing (rust-analyzer's
//! `ensure_file_contents`).

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::emit;
use crate::ir::{self, Api};
use crate::spec;

/// The marker every generated file starts with.
pub const GENERATED_MARKER: &str = "@generated";

/// A file the generator owns, with its path relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// Full contents.
    pub contents: String,
}

/// A generated file whose content on disk differs from what the generator produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// A unified diff from the file on disk to the expected content.
    pub diff: String,
}

/// Formats emitted tokens as a Rust file with the `@generated` header.
pub fn format_rust(tokens: TokenStream, source: &str) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generator emitted invalid Rust: {e}"))?;
    Ok(format!(
        "// {GENERATED_MARKER} by imagegen-codegen from {source}.\n\
         // Do not edit: change the spec or the generator, then run `cargo xtask codegen`.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// The files of one provider module, under `dir` (relative to the workspace root).
pub fn provider_files(api: &Api, dir: &Path) -> Result<Vec<GeneratedFile>, String> {
    let mut files = vec![
        (dir.join("mod.rs"), emit::root::provider_module(api)),
        (dir.join("types.rs"), emit::types::emit(api)),
        (dir.join("validate.rs"), emit::validate::emit(api)),
        (dir.join("client.rs"), emit::client::emit(api)),
        (dir.join("dispatch.rs"), emit::dispatch::emit(api)),
    ];
    if let Some(examples) = emit::examples::emit(api) {
        files.push((dir.join("examples.rs"), examples));
    }
    files
        .into_iter()
        .map(|(path, tokens)| {
            let contents = format_rust(tokens, &api.source).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(GeneratedFile { path, contents })
        })
        .collect()
}

/// Loads, checks and lowers every `*.yaml` in `dir` (not recursing), sorted by
/// file name. All problems of all specs are returned together.
pub fn load_specs(root: &Path, dir: &Path) -> Result<Vec<Api>, Diagnostics> {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(root.join(dir)) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect(),
        Err(err) => {
            let mut d = Diagnostics::new();
            d.push(Diagnostic {
                file: root.join(dir),
                position: None,
                yaml_path: String::new(),
                message: format!("cannot list specs: {err}"),
            });
            return Err(d);
        }
    };
    paths.sort();
    let mut apis = Vec::new();
    let mut problems = Diagnostics::new();
    let loaded = parallel_map(&paths, |path| {
        let relative = path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        spec::load_file(path).and_then(|loaded| ir::lower(&loaded, &relative))
    });
    for result in loaded {
        match result {
            Ok(api) => apis.push(api),
            Err(d) => problems.extend(d),
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for api in &apis {
        if !seen.insert(api.provider.module.clone()) {
            problems.push(Diagnostic {
                file: root.join(&api.source),
                position: None,
                yaml_path: "provider.name".into(),
                message: format!("another spec already uses provider name `{}`", api.provider.name),
            });
        }
    }
    problems.sort();
    if problems.is_empty() {
        Ok(apis)
    } else {
        Err(problems)
    }
}

/// Maps `f` over `items` on scoped threads, keeping the order. Specs are independent,
/// so generating them side by side is what keeps `cargo xtask codegen` fast.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len()).max(1);
    let chunk = items.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// The JSON Schema of the spec language, for editors.
pub fn spec_schema() -> String {
    let schema = schemars::schema_for!(spec::model::Spec);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Every file the generator owns in the workspace at `root`.
pub fn workspace_files(root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let mut files = generated_crate_files(root)?;
    files.extend(snapshot_crate_files(root)?);
    files.push(GeneratedFile { path: "specs/spec.schema.json".into(), contents: spec_schema() });
    Ok(files)
}

/// The emitted files of the `generated/` crate: every provider module, `lib.rs` and
/// `registry.rs`, from the specs in `specs/`.
pub fn generated_crate_files(root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let apis = load_specs(root, Path::new("specs"))?;
    check_features(root, &apis)?;
    let mut files = Vec::new();
    let fail = |message: String| {
        let mut d = Diagnostics::new();
        d.push(Diagnostic { file: root.join("specs"), position: None, yaml_path: String::new(), message });
        d
    };
    let per_provider =
        parallel_map(&apis, |api| provider_files(api, &Path::new("generated/src").join(&api.provider.module)));
    for produced in per_provider {
        files.extend(produced.map_err(fail)?);
    }
    let lib = format_rust(emit::root::crate_root(&apis), "specs/*.yaml").map_err(fail)?;
    files.push(GeneratedFile { path: "generated/src/lib.rs".into(), contents: lib });
    let registry = format_rust(emit::root::registry(&apis), "specs/*.yaml").map_err(fail)?;
    files.push(GeneratedFile { path: "generated/src/registry.rs".into(), contents: registry });
    Ok(files)
}

/// Each provider module is gated by a Cargo feature of the same name; a spec whose
/// feature is missing from `generated/Cargo.toml` would silently compile to nothing.
fn check_features(root: &Path, apis: &[Api]) -> Result<(), Diagnostics> {
    let manifest_path = root.join("generated/Cargo.toml");
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

/// The compile-check crate: every snapshot spec under `tests/specs/` as a module
/// of `tests/compiled`, so a snapshot can never be code that does not build.
pub fn snapshot_crate_files(root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let apis = load_specs(root, Path::new("tests/specs"))?;
    let mut files = Vec::new();
    let mut modules = String::new();
    let per_spec =
        parallel_map(&apis, |api| provider_files(api, &Path::new("tests/compiled/src").join(&api.provider.module)));
    for (api, produced) in apis.iter().zip(per_spec) {
        let produced = produced.map_err(|message| {
            let mut d = Diagnostics::new();
            d.push(Diagnostic { file: root.join(&api.source), position: None, yaml_path: String::new(), message });
            d
        })?;
        files.extend(produced);
        if modules.is_empty() {
            modules.push('\n');
        }
        modules.push_str(&format!("#[rustfmt::skip]\npub mod {};\n", api.provider.module));
    }
    let lib = format!(
        "// {GENERATED_MARKER} by imagegen-codegen from tests/specs/*.yaml.\n\
         // Do not edit: change the spec or the generator, then run `cargo xtask codegen`.\n\n\
         //! Every snapshot spec's generated module, compiled against the real runtime.\n\n\
         #![allow(missing_docs)]\n\n\
         pub use imagegen::runtime;\n{modules}"
    );
    files.push(GeneratedFile { path: "tests/compiled/src/lib.rs".into(), contents: lib });
    Ok(files)
}

/// Generated files on disk under the workspace's generated trees that the generator no longer produces.
fn leftovers(root: &Path, files: &[GeneratedFile]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for parent in ["generated/src", "tests/compiled/src"] {
        let Ok(entries) = std::fs::read_dir(root.join(parent)) else {
            continue;
        };
        for entry in entries.flatten() {
            let dir = entry.path();
            if !dir.is_dir() || dir.ends_with("runtime") {
                continue;
            }
            let Ok(inner) = std::fs::read_dir(&dir) else { continue };
            for file in inner.flatten() {
                let path = file.path();
                let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                let generated = std::fs::read_to_string(&path).is_ok_and(|c| c.contains(GENERATED_MARKER));
                if generated && !files.iter().any(|f| f.path == rel) {
                    out.push(rel);
                }
            }
        }
    }
    out.sort();
    out
}

/// Compares the produced files with the disk; returns every stale one with a diff.
pub fn stale_files(root: &Path, files: &[GeneratedFile]) -> Vec<StaleFile> {
    let mut stale = Vec::new();
    for f in files {
        let on_disk = std::fs::read_to_string(root.join(&f.path)).unwrap_or_default();
        if on_disk != f.contents {
            let diff = similar::TextDiff::from_lines(&on_disk, &f.contents)
                .unified_diff()
                .context_radius(2)
                .header(&format!("a/{}", f.path.display()), &format!("b/{}", f.path.display()))
                .to_string();
            stale.push(StaleFile { path: f.path.clone(), diff });
        }
    }
    for path in leftovers(root, files) {
        stale.push(StaleFile {
            diff: format!("{} is generated but no spec produces it any more\n", path.display()),
            path,
        });
    }
    stale
}

/// Writes files whose content changed and removes leftovers; returns the paths touched.
pub fn write_files(root: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut touched = Vec::new();
    for f in files {
        let path = root.join(&f.path);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(f.contents.as_str()) {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, &f.contents)?;
            touched.push(f.path.clone());
        }
    }
    for path in leftovers(root, files) {
        std::fs::remove_file(root.join(&path))?;
        touched.push(path);
    }
    Ok(touched)
}
