//! From specs to formatted files: loading, emitting on a work queue, headers,
//! comparing with and writing to disk.
//!
//! Formatting is in-process (syn + prettyplease), so output does not depend on
//! the installed rustfmt. Files are written only when their content changed.
//! Nothing here knows a repository's folders: callers say which specs to load
//! and where each [`Target`] goes (this repository's layout is in `xtask`).

use std::collections::BTreeSet;
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

/// Formats emitted tokens as a Rust file with the `@generated` header, which names
/// the spec and `regenerate`, the command that rewrites the file.
pub fn format_rust(tokens: TokenStream, source: &str, regenerate: &str) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generator emitted invalid Rust: {e}"))?;
    Ok(format!(
        "// {GENERATED_MARKER} by imagegen-codegen from {source}.\n\
         // Do not edit: change the spec or the generator, then run `{regenerate}`.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// The files of one provider module, under `dir`, formatted one after the other.
pub fn provider_files(api: &Api, dir: &Path, regenerate: &str) -> Result<Vec<GeneratedFile>, String> {
    module_jobs(api, dir, regenerate).into_iter().filter_map(|job| job.run().transpose()).collect()
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
    Testing,
}

impl ModuleFile {
    /// In the module's file order.
    pub(crate) const ALL: [ModuleFile; 7] =
        [Self::Mod, Self::Types, Self::Validate, Self::Client, Self::Dispatch, Self::Examples, Self::Testing];

    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Self::Mod => "mod.rs",
            Self::Types => "types.rs",
            Self::Validate => "validate.rs",
            Self::Client => "client.rs",
            Self::Dispatch => "dispatch.rs",
            Self::Examples => "examples.rs",
            Self::Testing => "testing.rs",
        }
    }

    /// The file's tokens; `None` for a file this spec does not need (examples.rs
    /// of a spec without examples, testing.rs of a module whose crate has no `testing` feature).
    pub(crate) fn emit(self, api: &Api) -> Option<TokenStream> {
        match self {
            Self::Mod => Some(emit::root::provider_module(api)),
            Self::Types => Some(emit::types::emit(api)),
            Self::Validate => Some(emit::validate::emit(api)),
            Self::Client => Some(emit::client::emit(api)),
            Self::Dispatch => Some(emit::dispatch::emit(api)),
            Self::Examples => emit::examples::emit(api),
            Self::Testing => emit::testing::emit(api),
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
            format_rust(tokens, &self.source(), regenerate).map_err(|e| format!("{}: {e}", path.display()))?;
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
    let paths = match spec_paths(root, dir) {
        Ok(paths) => paths,
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
    load_spec_files(root, &paths)
}

/// The specs [`load_specs`] reads from `dir`: every `*.yaml` and `*.yml` in it (not
/// recursing: subfolders hold the shared files specs import, and history), sorted by
/// file name, under `root`. Every input of a generation is [`spec_inputs`].
pub fn spec_paths(root: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(root.join(dir))? {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Every file a spec of `dir` can read: each `*.yaml` and `*.yml` under it, in any
/// subfolder (a spec's imports are paths inside its folder), sorted. A caller that
/// must know every input of a generation lists them here: a shared file under
/// `specs/common/` is an input of every spec importing it.
pub fn spec_inputs(root: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    let mut pending = vec![root.join(dir)];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let Ok(entry) = entry else { continue };
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    Ok(paths)
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

/// The JSON Schema of the spec language, for editors: a provider spec, or a shared
/// file (types and field sets only).
pub fn spec_schema() -> String {
    let schema = schemars::schema_for!(spec::model::SpecFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A set of files to emit, at paths the caller chooses (relative to the root
/// passed to [`emit_targets`]).
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A client crate's `src/` at `src`: one module per spec, `lib.rs` (the provider
    /// modules, each behind a Cargo feature of its name) and `registry.rs`.
    ClientCrate {
        /// The specs.
        apis: &'a [Api],
        /// The crate's `src/` folder.
        src: &'a Path,
    },
    /// One module folder per spec under `dir`, without a crate root.
    Modules {
        /// The specs.
        apis: &'a [Api],
        /// The folder holding the module folders.
        dir: &'a Path,
    },
}

/// Emits and formats every file of every target on one work queue (so small
/// files fill the gaps large ones leave), in target order. `regenerate` is the
/// command the headers name. Every failure is returned at once.
pub fn emit_targets(root: &Path, targets: &[Target<'_>], regenerate: &str) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let mut jobs = Vec::new();
    for target in targets {
        match *target {
            Target::ClientCrate { apis, src } => jobs.extend(client_crate_jobs(apis, src, regenerate)),
            Target::Modules { apis, dir } => jobs.extend(
                apis.iter().flat_map(|api| module_jobs(api, &dir.join(api.provider.module.unraw()), regenerate)),
            ),
        }
    }
    run_jobs(root, &jobs)
}

/// The jobs of a client crate's `src/` at `src`: one module per spec, `lib.rs` and `registry.rs`.
fn client_crate_jobs<'a>(apis: &'a [Api], src: &Path, regenerate: &'a str) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'_>> =
        apis.iter().flat_map(|api| module_jobs(api, &src.join(api.provider.module.unraw()), regenerate)).collect();
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
    emit_targets(root, &[Target::ClientCrate { apis, src }], regenerate)
}

/// A unified diff from `file` as it is on disk under `root` (empty if missing) to
/// its expected contents, or `None` when they are the same.
pub fn diff_against_disk(root: &Path, file: &GeneratedFile) -> Option<String> {
    let on_disk = std::fs::read_to_string(root.join(&file.path)).unwrap_or_default();
    (on_disk != file.contents).then(|| {
        similar::TextDiff::from_lines(&on_disk, &file.contents)
            .unified_diff()
            .context_radius(2)
            .header(&format!("a/{}", file.path.display()), &format!("b/{}", file.path.display()))
            .to_string()
    })
}

/// A file on disk in a generated tree that the generator does not produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// Relative to the root searched from.
    pub path: PathBuf,
    /// Carries the `@generated` marker: a file an older spec produced, safe to remove.
    pub generated: bool,
}

/// The files under `root/dir` (every level) that are not among `produced` (paths
/// relative to `root`), sorted, each saying whether the generator wrote it.
pub fn leftovers_in(root: &Path, dir: &Path, produced: &BTreeSet<&Path>) -> Vec<Leftover> {
    let mut out = Vec::new();
    let mut pending = vec![root.join(dir)];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            if path.is_dir() {
                pending.push(path);
            } else if !produced.contains(rel.as_path()) {
                let generated = std::fs::read_to_string(&path).is_ok_and(|c| c.contains(GENERATED_MARKER));
                out.push(Leftover { path: rel, generated });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
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
    fn the_schema_takes_a_provider_spec_or_a_shared_file_of_definitions_only() {
        let schema: serde_json::Value = serde_json::from_str(&super::spec_schema()).expect("JSON");
        let roots: Vec<&str> = schema["anyOf"]
            .as_array()
            .expect("a spec file is one of two shapes")
            .iter()
            .filter_map(|s| s["allOf"][0]["$ref"].as_str().or(s["$ref"].as_str()))
            .collect();
        assert_eq!(roots, ["#/definitions/Spec", "#/definitions/SharedFile"]);
        let shared = &schema["definitions"]["SharedFile"];
        let keys: Vec<&String> = shared["properties"].as_object().expect("properties").keys().collect();
        assert_eq!(keys, ["envelopes", "field_sets", "imports", "types"]);
        assert_eq!(shared["additionalProperties"], false, "a shared file with `provider` or `operations` is refused");
        assert!(shared["required"].is_null(), "a shared file may hold types alone, or field sets alone");
        let objects = schema["definitions"]["TypeDef"].to_string();
        assert!(objects.contains("#/definitions/FieldEntry"), "an object's fields may include field sets");
    }

    #[test]
    fn parallel_map_handles_no_items_and_one_item() {
        assert!(parallel_map(&[] as &[u8], |&b| b).is_empty());
        assert_eq!(parallel_map(&[7u8], |&b| b + 1), vec![8]);
    }
}
