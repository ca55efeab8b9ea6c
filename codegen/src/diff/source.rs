//! Where a spec version comes from: a file, or `REV:path` for the file as it was
//! at a git revision (read with `git show`), so a report can compare the working
//! spec with the last release without checking anything out.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::spec::{load_file, load_with, LoadedSpec, SpecFiles};

/// One side of a comparison, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecSource {
    /// A spec file, relative to the base directory unless absolute.
    File(PathBuf),
    /// A spec file at a git revision: `rev` as git understands it, `path` relative to the repository root.
    GitRevision {
        /// Commit, tag or branch.
        rev: String,
        /// Path inside the repository.
        path: String,
    },
}

impl SpecSource {
    /// Reads an argument: an existing file wins; otherwise `REV:path` names a git revision.
    pub fn parse(arg: &str, base: &Path) -> Self {
        if base.join(arg).exists() {
            return SpecSource::File(PathBuf::from(arg));
        }
        match arg.split_once(':') {
            Some((rev, path)) if !rev.is_empty() && !path.is_empty() => {
                SpecSource::GitRevision { rev: rev.to_string(), path: path.to_string() }
            }
            _ => SpecSource::File(PathBuf::from(arg)),
        }
    }

    /// How the report names it: exactly as given.
    pub fn label(&self) -> String {
        match self {
            SpecSource::File(path) => path.display().to_string(),
            SpecSource::GitRevision { rev, path } => format!("{rev}:{path}"),
        }
    }

    /// Loads and checks the spec; files resolve against `base` and git runs there. The
    /// shared files a spec imports are read from the same place: beside the file, or
    /// from the same revision, so a report compares the definitions as they were then.
    pub fn load(&self, base: &Path) -> Result<LoadedSpec, Diagnostics> {
        match self {
            SpecSource::File(path) => load_file(&base.join(path)),
            SpecSource::GitRevision { rev, path } => {
                let label = PathBuf::from(self.label());
                let source = git_show(base, rev, path).map_err(|message| {
                    let mut d = Diagnostics::new();
                    d.push(Diagnostic { file: label.clone(), position: None, yaml_path: String::new(), message });
                    d
                })?;
                let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder).to_string();
                let files = GitFiles { base: base.to_path_buf(), rev: rev.clone(), folder };
                load_with(&label, source.into_bytes(), &files)
            }
        }
    }
}

/// The shared files of a spec read at a git revision: the files of its folder at that revision.
struct GitFiles {
    base: PathBuf,
    rev: String,
    /// The spec's folder, relative to the repository root (empty at the root).
    folder: String,
}

impl SpecFiles for GitFiles {
    fn read(&self, name: &str) -> Result<(PathBuf, Vec<u8>), String> {
        let path = if self.folder.is_empty() { name.to_string() } else { format!("{}/{name}", self.folder) };
        let text = git_show(&self.base, &self.rev, &path)?;
        Ok((PathBuf::from(format!("{}:{path}", self.rev)), text.into_bytes()))
    }
}

fn git_show(base: &Path, rev: &str, path: &str) -> Result<String, String> {
    let output = Command::new("git")
        .arg("show")
        .arg(format!("{rev}:{path}"))
        .current_dir(base)
        .output()
        .map_err(|err| format!("cannot run `git show {rev}:{path}`: {err}"))?;
    if !output.status.success() {
        return Err(format!("`git show {rev}:{path}` failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("`{rev}:{path}` is not UTF-8 text"))
}
