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

/// How this repository regenerates its files, named in their headers.
pub const REGENERATE_HERE: &str = "cargo xtask codegen";

/// Formats emitted tokens as a Rust file with the `@generated` header.
pub fn format_rust(tokens: TokenStream, source: &str) -> Result<String, String> {
    format_rust_with(tokens, source, REGENERATE_HERE)
}

/// [`format_rust`], naming `regenerate` as the command that rewrites the file.
pub fn format_rust_with(tokens: TokenStream, source: &str, regenerate: &str) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generator emitted invalid Rust: {e}"))?;
    Ok(format!(
        "// {GENERATED_MARKER} by imagegen-codegen from {source}.\n\
         // Do not edit: change the spec or the generator, then run `{regenerate}`.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// The files of one provider module, under `dir` (relative to the workspace root).
pub fn provider_files(api: &Api, dir: &Path) -> Result<Vec<GeneratedFile>, String> {
    module_jobs(api, dir, REGENERATE_HERE).into_iter().filter_map(|job| job.run().transpose()).collect()
}

/// One file of a provider module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModuleFile {
    Mod,
    Types,
    Validate,
    Client,
    Dispatch,
    Examples,
}

impl ModuleFile {
    /// In the module's file order.
    pub(crate) const ALL: [ModuleFile; 6] = [Self::Mod, Self::Types, Self::Validate, Self::Client, Self::Dispatch, Self::Examples];

    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Self::Mod => "mod.rs",
            Self::Types => "types.rs",
            Self::Validate => "validate.rs",
            Self::Client => "client.rs",
            Self::Dispatch => "dispatch.rs",
            Self::Examples => "examples.rs",
        }
    }

    /// The file's tokens; `None` for a file this spec does not need (examples.rs
    /// of a spec without examples).
    pub(crate) fn emit(self, api: &Api) -> Option<TokenStream> {
        match self {
            Self::Mod => Some(emit::root::provider_module(api)),
            Self::Types => Some(emit::types::emit(api)),
            Self::Validate => Some(emit::validate::emit(api)),
            Self::Client => Some(emit::client::emit(api)),
            Self::Dispatch => Some(emit::dispatch::emit(api)),
            Self::Examples => emit::examples::emit(api),
        }
    }
}

/// One file to emit and format: the unit of parallel work.
enum Job<'a> {
    /// A file of one spec's module, under `dir`.
    Module { api: &'a Api, dir: PathBuf, file: ModuleFile, regenerate: &'a str },
    /// A crate's `lib.rs` (at `path`), declaring every provider module.
    CrateRoot { apis: &'a [Api], path: PathBuf, regenerate: &'a str },
    /// A crate's `registry.rs` (at `path`), the providers' operation tables.
    Registry { apis: &'a [Api], path: PathBuf, regenerate: &'a str },
}

impl Job<'_> {
    /// Emits and formats the file. An error names the file it was producing.
    fn run(&self) -> Result<Option<GeneratedFile>, String> {
        let (path, tokens, regenerate) = match self {
            Job::Module { api, dir, file, regenerate } => match file.emit(api) {
                Some(tokens) => (dir.join(file.file_name()), tokens, *regenerate),
                None => return Ok(None),
            },
            Job::CrateRoot { apis, path, regenerate } => (path.clone(), emit::root::crate_root(apis), *regenerate),
            Job::Registry { apis, path, regenerate } => (path.clone(), emit::root::registry(apis), *regenerate),
        };
        let contents =
            format_rust_with(tokens, &self.source(), regenerate).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Some(GeneratedFile { path, contents }))
    }

    /// The spec (or specs) the file comes from, relative to the workspace root.
    fn source(&self) -> String {
        match self {
            Job::Module { api, .. } => api.source.clone(),
            Job::CrateRoot { apis, .. } | Job::Registry { apis, .. } => sources(apis),
        }
    }

    /// Types files are by far the largest; starting them first keeps one long
    /// job from running alone at the end of the queue.
    fn starts_early(&self) -> bool {
        matches!(self, Job::Module { file: ModuleFile::Types, .. })
    }
}

fn module_jobs<'a>(api: &'a Api, dir: &Path, regenerate: &'a str) -> Vec<Job<'a>> {
    ModuleFile::ALL.into_iter().map(|file| Job::Module { api, dir: dir.to_path_buf(), file, regenerate }).collect()
}

/// The specs a crate-level file comes from: `specs/*.yaml` when they share a folder.
fn sources(apis: &[Api]) -> String {
    let folders: std::collections::BTreeSet<&str> =
        apis.iter().map(|a| a.source.rsplit_once('/').map_or(".", |(dir, _)| dir)).collect();
    match folders.iter().next() {
        Some(folder) if folders.len() == 1 => format!("{folder}/*.yaml"),
        _ => apis.iter().map(|a| a.source.as_str()).collect::<Vec<_>>().join(", "),
    }
}

/// Runs every job on the worker threads and returns the files in job order, or
/// every failure at once.
fn run_jobs(root: &Path, jobs: &[Job<'_>]) -> Result<Vec<GeneratedFile>, Diagnostics> {
    // Long jobs first, results put back in job order.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| !jobs[i].starts_early());
    let mut results = parallel_map(&order, |&i| (i, jobs[i].run()));
    results.sort_by_key(|(i, _)| *i);
    let mut files = Vec::new();
    let mut problems = Diagnostics::new();
    for (i, result) in results {
        match result {
            Ok(file) => files.extend(file),
            Err(message) => problems.push(Diagnostic {
                file: root.join(jobs[i].source().split(", ").next().unwrap_or_default()),
                position: None,
                yaml_path: String::new(),
                message,
            }),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
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
    load_spec_files(root, &paths)
}

/// Loads, checks and lowers the given spec files (in that order); headers name them
/// relative to `root`. All problems of all specs are returned together.
pub fn load_spec_files(root: &Path, paths: &[PathBuf]) -> Result<Vec<Api>, Diagnostics> {
    let mut apis = Vec::new();
    let mut problems = Diagnostics::new();
    let loaded = parallel_map(paths, |path| {
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

/// Maps `f` over `items` on scoped threads, keeping the order. Specs and files
/// are independent, so producing them side by side is what keeps `cargo xtask
/// codegen` fast. Workers take the next item from a shared counter rather than a
/// fixed share, so one large item does not leave the other cores idle.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let (f, next) = (&f, &next);
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { return mine };
                        mine.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The JSON Schema of the spec language, for editors.
pub fn spec_schema() -> String {
    let schema = schemars::schema_for!(spec::model::Spec);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Every file the generator owns in the workspace at `root`. The problems of
/// both spec trees are reported together.
pub fn workspace_files(root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let providers = load_specs(root, Path::new("specs")).and_then(|apis| check_features(root, &apis).map(|()| apis));
    let snapshots = load_specs(root, Path::new("tests/specs"));
    let (providers, snapshots) = match (providers, snapshots) {
        (Ok(providers), Ok(snapshots)) => (providers, snapshots),
        (providers, snapshots) => {
            let mut problems = Diagnostics::new();
            problems.extend(providers.err().unwrap_or_default());
            problems.extend(snapshots.err().unwrap_or_default());
            return Err(problems);
        }
    };
    // One queue for both trees, so the snapshot specs fill the gaps the provider specs leave.
    let mut jobs = provider_crate_jobs(&providers);
    jobs.extend(snapshot_crate_jobs(&snapshots));
    let mut files = run_jobs(root, &jobs)?;
    files.push(snapshot_lib(&snapshots));
    files.push(GeneratedFile { path: "specs/spec.schema.json".into(), contents: spec_schema() });
    Ok(files)
}

/// The emitted files of the `generated/` crate: every provider module, `lib.rs` and
/// `registry.rs`, from the specs in `specs/`.
pub fn generated_crate_files(root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let apis = load_specs(root, Path::new("specs"))?;
    check_features(root, &apis)?;
    run_jobs(root, &provider_crate_jobs(&apis))
}

fn provider_crate_jobs(apis: &[Api]) -> Vec<Job<'_>> {
    client_crate_jobs(apis, Path::new("generated/src"), REGENERATE_HERE)
}

/// The jobs of a client crate's `src/` at `src`: one module per spec, `lib.rs` and `registry.rs`.
fn client_crate_jobs<'a>(apis: &'a [Api], src: &Path, regenerate: &'a str) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'_>> =
        apis.iter().flat_map(|api| module_jobs(api, &src.join(&api.provider.module), regenerate)).collect();
    jobs.push(Job::CrateRoot { apis, path: src.join("lib.rs"), regenerate });
    jobs.push(Job::Registry { apis, path: src.join("registry.rs"), regenerate });
    jobs
}

/// Every Rust file of a client crate's `src/` for `apis`, with paths under `src`.
pub fn client_crate_sources(
    root: &Path,
    apis: &[Api],
    src: &Path,
    regenerate: &str,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    run_jobs(root, &client_crate_jobs(apis, src, regenerate))
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
    let mut files = run_jobs(root, &snapshot_crate_jobs(&apis))?;
    files.push(snapshot_lib(&apis));
    Ok(files)
}

fn snapshot_crate_jobs(apis: &[Api]) -> Vec<Job<'_>> {
    apis.iter()
        .flat_map(|api| module_jobs(api, &Path::new("tests/compiled/src").join(&api.provider.module), REGENERATE_HERE))
        .collect()
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
        "// {GENERATED_MARKER} by imagegen-codegen from tests/specs/*.yaml.\n\
         // Do not edit: change the spec or the generator, then run `cargo xtask codegen`.\n\n\
         //! Every snapshot spec's generated module, compiled against the real runtime.\n\n\
         #![allow(missing_docs)]\n\n\
         pub use imagegen::runtime;\n{modules}"
    );
    GeneratedFile { path: "tests/compiled/src/lib.rs".into(), contents: lib }
}

/// A file on disk inside a generated tree that the generator does not produce.
struct Leftover {
    path: PathBuf,
    /// Carries the `@generated` marker: a file an older spec produced, safe to remove.
    generated: bool,
}

/// Files on disk in the generated trees that the generator does not produce. Everything
/// in `generated/` but its hand-written `Cargo.toml` belongs to the generator, so a
/// hand-added file there is reported too; `tests/compiled/src` is searched one level deep.
fn leftovers(root: &Path, files: &[GeneratedFile]) -> Vec<Leftover> {
    let produced = |rel: &Path| files.iter().any(|f| f.path == rel);
    let mut out = Vec::new();
    let mut pending = vec![root.join("generated")];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            if path.is_dir() {
                pending.push(path);
            } else if rel != Path::new("generated/Cargo.toml") && !produced(&rel) {
                let generated = std::fs::read_to_string(&path).is_ok_and(|c| c.contains(GENERATED_MARKER));
                out.push(Leftover { path: rel, generated });
            }
        }
    }
    let Ok(modules) = std::fs::read_dir(root.join("tests/compiled/src")) else { return sorted(out) };
    for module in modules.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        let Ok(inner) = std::fs::read_dir(&module) else { continue };
        for file in inner.flatten() {
            let path = file.path();
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let generated = std::fs::read_to_string(&path).is_ok_and(|c| c.contains(GENERATED_MARKER));
            if generated && !produced(&rel) {
                out.push(Leftover { path: rel, generated });
            }
        }
    }
    sorted(out)
}

fn sorted(mut leftovers: Vec<Leftover>) -> Vec<Leftover> {
    leftovers.sort_by(|a, b| a.path.cmp(&b.path));
    leftovers
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
    for Leftover { path, generated } in leftovers(root, files) {
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

/// Writes files whose content changed and removes leftovers; returns the paths touched.
pub fn write_files(root: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut touched = write_changed(root, files)?;
    // A hand-written file is never deleted: `check` reports it instead.
    for Leftover { path, .. } in leftovers(root, files).into_iter().filter(|l| l.generated) {
        std::fs::remove_file(root.join(&path))?;
        touched.push(path);
    }
    Ok(touched)
}

/// Writes the files under `root` whose content changed (creating folders) and
/// nothing else; returns the paths written.
pub fn write_changed(root: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
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
    Ok(touched)
}

#[cfg(test)]
mod tests {
    use super::parallel_map;

    #[test]
    fn parallel_map_keeps_the_order_of_uneven_work() {
        // Early items are slow, so workers finish out of order; the result must not be.
        let items: Vec<u64> = (0..40).collect();
        let out = parallel_map(&items, |&i| {
            if i < 4 {
                std::thread::sleep(std::time::Duration::from_millis(20 - 5 * i));
            }
            i * 10
        });
        assert_eq!(out, items.iter().map(|i| i * 10).collect::<Vec<_>>());
    }

    #[test]
    fn parallel_map_handles_no_items_and_one_item() {
        assert!(parallel_map(&[] as &[u8], |&b| b).is_empty());
        assert_eq!(parallel_map(&[7u8], |&b| b + 1), vec![8]);
    }
}
