//! Client crates for anyone's specs, written anywhere: the library behind the
//! `imagegen-codegen` command and the build-script [`Builder`].
//!
//! Nothing here knows this repository's folders. [`generate_crate`] turns spec
//! files into the files of a complete crate (`Cargo.toml`, `README.md`, `src/`),
//! with paths relative to the crate's folder; [`Builder`] turns them into one
//! module file per spec for `include!` from a build script's `OUT_DIR`.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::files::{self, GeneratedFile, ModuleFile, GENERATED_MARKER};
use crate::ir::Api;

/// How a standalone crate's files say they are regenerated.
const REGENERATE_STANDALONE: &str = "imagegen-codegen generate";

/// What a generated crate is called and where it finds the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateOptions {
    /// The package name (`acme-images`).
    pub name: String,
    /// The package version.
    pub version: String,
    /// The `imagegen-runtime` dependency as a TOML value: `{ path = "../runtime" }`,
    /// `{ git = "https://..." }` or `"0.1"`.
    pub runtime_dependency: String,
}

impl CrateOptions {
    /// A crate named `name`, version 0.1.0, using the runtime of this generator's version.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: "0.1.0".to_string(),
            runtime_dependency: format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Uses the runtime crate at `path` (relative to the generated crate, or absolute).
    pub fn runtime_path(mut self, path: &Path) -> Self {
        let path = path.to_string_lossy().replace('\\', "/");
        self.runtime_dependency = format!("{{ path = {} }}", toml_string(&path));
        self
    }
}

/// The files of a complete client crate for `specs`, relative to the crate's folder:
/// `Cargo.toml` (a Cargo feature per provider, all on by default), `README.md`, and
/// `src/` (one module per spec, the crate root re-exporting the runtime, the
/// operation registry). Every problem of every spec is returned at once.
pub fn generate_crate(specs: &[PathBuf], options: &CrateOptions) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let mut problems = Diagnostics::new();
    if !is_package_name(&options.name) {
        problems.push(Diagnostic {
            file: PathBuf::from("Cargo.toml"),
            position: None,
            yaml_path: String::new(),
            message: format!(
                "`{}` is not a valid crate name: use ASCII letters, digits, `-` and `_`, starting with a letter",
                options.name
            ),
        });
    }
    let apis = files::load_spec_files(Path::new(""), specs);
    let apis = match (apis, problems.is_empty()) {
        (Ok(mut apis), true) => {
            for api in &mut apis {
                api.provider.doc_crate = Some(options.name.replace('-', "_"));
            }
            apis
        }
        (Ok(_), false) => return Err(problems),
        (Err(more), _) => {
            problems.extend(more);
            problems.sort();
            return Err(problems);
        }
    };
    let mut out = files::client_crate_sources(Path::new(""), &apis, Path::new("src"), REGENERATE_STANDALONE)?;
    out.push(GeneratedFile { path: "Cargo.toml".into(), contents: cargo_toml(&apis, options) });
    out.push(GeneratedFile { path: "README.md".into(), contents: readme(&apis, options) });
    Ok(out)
}

/// Writes `files` under `dir`, creating folders; files whose content is unchanged
/// are left alone. Generated files under `src/` that no spec produces any more (a
/// spec dropped from the list, a module an older generator wrote) are removed; a
/// file without the `@generated` marker is never touched. Returns the paths written
/// or removed.
pub fn write_crate(dir: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut touched = files::write_changed(dir, files)?;
    let produced = files.iter().map(|f| f.path.as_path()).collect();
    for leftover in files::leftovers_in(dir, Path::new("src"), &produced).into_iter().filter(|l| l.generated) {
        std::fs::remove_file(dir.join(&leftover.path))?;
        touched.push(leftover.path);
    }
    Ok(touched)
}

fn is_package_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

fn cargo_toml(apis: &[Api], options: &CrateOptions) -> String {
    let features: Vec<&str> = apis.iter().map(|a| a.provider.name.as_str()).collect();
    let default = features.iter().map(|f| toml_string(f)).collect::<Vec<_>>().join(", ");
    let each: String = features.iter().map(|f| format!("{f} = []\n")).collect();
    let providers = apis.iter().map(|a| a.provider.title.as_str()).collect::<Vec<_>>().join(", ");
    format!(
        "# {GENERATED_MARKER} by imagegen-codegen. Do not edit: change the specs, then run `{REGENERATE_STANDALONE}`.\n\
         [package]\n\
         name = {name}\n\
         version = {version}\n\
         description = {description}\n\
         edition = \"2021\"\n\
         rust-version = \"1.88\"\n\
         publish = false\n\
         \n\
         # A crate of its own, wherever it is written.\n\
         [workspace]\n\
         \n\
         [features]\n\
         default = [{default}]\n\
         {each}\
         \n\
         [dependencies]\n\
         imagegen-runtime = {runtime}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\
         serde_json = \"1\"\n",
        name = toml_string(&options.name),
        version = toml_string(&options.version),
        description = toml_string(&format!("Typed Rust clients for {providers}, generated from their specs.")),
        runtime = options.runtime_dependency,
    )
}

fn readme(apis: &[Api], options: &CrateOptions) -> String {
    let modules: String = apis
        .iter()
        .map(|a| {
            format!(
                "- `{}::{}` (feature `{}`): the {} API, from `{}`\n",
                options.name.replace('-', "_"),
                a.provider.module,
                a.provider.name,
                a.provider.title,
                a.source
            )
        })
        .collect();
    format!(
        "<!-- {GENERATED_MARKER} by imagegen-codegen. Do not edit: change the specs, then run `{REGENERATE_STANDALONE}`. -->\n\
         # {name}\n\n\
         Typed clients generated by imagegen-codegen:\n\n{modules}\n\
         Each module has a `Client` (built with `Client::builder()` or `Client::from_env()`), request\n\
         types with constructors for required fields and `with_*` setters for the rest, and\n\
         `validate()`, which every call runs before anything is sent. Errors are one type,\n\
         `{crate_ident}::runtime::Error`. `cargo test` runs the specs' documented examples.\n",
        name = options.name,
        crate_ident = options.name.replace('-', "_"),
    )
}

/// Generates client modules from specs inside a build script, like progenitor's
/// build-script mode:
///
/// ```no_run
/// // build.rs: `fn main() { ... }` around this
/// let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
/// if imagegen_codegen::Builder::new().spec("specs/acme.yaml").write_to(out_dir).is_err() {
///     std::process::exit(1); // the problems were printed as cargo errors
/// }
/// ```
///
/// Each spec becomes `OUT_DIR/<provider>.rs`, holding `pub mod <provider> { ... }`.
/// The crate that includes it depends on `imagegen-runtime`, `serde` (with `derive`)
/// and `serde_json`, and names the runtime `runtime` at its root:
///
/// ```ignore
/// // src/lib.rs
/// pub use imagegen_runtime as runtime;
/// include!(concat!(env!("OUT_DIR"), "/acme.rs"));
/// ```
///
/// Cargo reruns the build script when a spec changes. A spec with problems fails
/// the build, each problem printed as a cargo error with its file, line and column.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    specs: Vec<PathBuf>,
}

impl Builder {
    /// A builder with no specs yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a spec file.
    #[must_use]
    pub fn spec(mut self, path: impl Into<PathBuf>) -> Self {
        self.specs.push(path.into());
        self
    }

    /// The module files, without writing them: `<provider>.rs` for each spec.
    pub fn generate(&self) -> Result<Vec<GeneratedFile>, Diagnostics> {
        self.generate_with_inputs(|_| {})
    }

    /// [`Self::generate`], showing `imported` each shared file a spec imports.
    fn generate_with_inputs(&self, mut imported: impl FnMut(&Path)) -> Result<Vec<GeneratedFile>, Diagnostics> {
        let apis = files::load_spec_files(Path::new(""), &self.specs)?;
        for input in apis.iter().flat_map(|api| api.inputs.iter().skip(1)) {
            imported(input);
        }
        let mut out = Vec::new();
        let mut problems = Diagnostics::new();
        for api in &apis {
            match single_file_module(api) {
                Ok(contents) => {
                    out.push(GeneratedFile { path: format!("{}.rs", api.provider.module).into(), contents })
                }
                Err(message) => problems.push(Diagnostic {
                    file: PathBuf::from(&api.source),
                    position: None,
                    yaml_path: String::new(),
                    message,
                }),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    /// For build scripts: prints `cargo:rerun-if-changed` for every spec and every
    /// shared file it imports, writes the module files into `out_dir`, and prints
    /// every problem as a cargo error (`cargo:error=`, with file, line and column)
    /// before returning it.
    pub fn write_to(&self, out_dir: impl AsRef<Path>) -> Result<Vec<PathBuf>, Diagnostics> {
        for spec in &self.specs {
            println!("cargo:rerun-if-changed={}", spec.display());
        }
        let generated = self.generate_with_inputs(|input| println!("cargo:rerun-if-changed={}", input.display()));
        let generated = generated.inspect_err(|problems| {
            for line in problems.render().lines().filter(|l| !l.trim().is_empty()) {
                println!("cargo:error={line}");
            }
        })?;
        let out_dir = out_dir.as_ref();
        files::write_changed(out_dir, &generated).map_err(|err| {
            let mut problems = Diagnostics::new();
            problems.push(Diagnostic {
                file: out_dir.to_path_buf(),
                position: None,
                yaml_path: String::new(),
                message: format!("cannot write the generated modules: {err}"),
            });
            println!("cargo:error=cannot write the generated modules into {}: {err}", out_dir.display());
            problems
        })?;
        Ok(generated.iter().map(|f| out_dir.join(&f.path)).collect())
    }
}

/// One spec's module as a single file, `pub mod <provider> { ... }`, with its
/// files inlined as nested modules: `include!` cannot follow `mod x;` into
/// `OUT_DIR`, and it takes no inner attributes at the top of a file.
fn single_file_module(api: &Api) -> Result<String, String> {
    let parse =
        |tokens: TokenStream| syn::parse2::<syn::File>(tokens).map_err(|e| format!("invalid Rust emitted: {e}"));
    let mut root = parse(ModuleFile::Mod.emit(api).unwrap_or_default())?;
    for item in &mut root.items {
        let syn::Item::Mod(module) = item else { continue };
        if module.content.is_some() {
            continue;
        }
        let name = format!("{}.rs", module.ident);
        let Some(file) = ModuleFile::ALL.into_iter().find(|f| f.file_name() == name) else { continue };
        let Some(tokens) = file.emit(api) else { continue };
        let inner = parse(tokens)?;
        module.attrs.extend(inner.attrs);
        module.content = Some((Default::default(), inner.items));
        module.semi = None;
    }
    let module_ident: syn::Ident =
        syn::parse_str(&api.provider.module).map_err(|e| format!("invalid module name: {e}"))?;
    let wrapped = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![syn::Item::Mod(syn::ItemMod {
            attrs: root.attrs,
            vis: syn::parse_quote!(pub),
            unsafety: None,
            mod_token: Default::default(),
            ident: module_ident,
            content: Some((Default::default(), root.items)),
            semi: None,
        })],
    };
    Ok(format!(
        "// {GENERATED_MARKER} by imagegen-codegen from {}.\n\
         // Do not edit: change the spec; the build script regenerates this file.\n\n{}",
        api.source,
        prettyplease::unparse(&wrapped)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_follow_cargo() {
        assert!(is_package_name("acme-images"));
        assert!(is_package_name("acme_images2"));
        assert!(!is_package_name("2acme"));
        assert!(!is_package_name("acme images"));
        assert!(!is_package_name(""));
    }
}
