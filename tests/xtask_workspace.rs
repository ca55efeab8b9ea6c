//! `xtask/` is a workspace of its own, so that `cargo xtask` resolves 34 packages
//! instead of this workspace's 213 (see `xtask/Cargo.toml`). What that costs is two
//! things to keep in step by hand, checked here: its lock file must pin the versions
//! this workspace's lock file pins, and its dev-profile overrides must be this
//! workspace's (profiles are read from a workspace's root manifest only).

use std::collections::BTreeSet;
use std::path::Path;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// One `[[package]]` of a lock file: name, version and where it comes from (empty for
/// a path package), with its checksum.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Locked {
    name: String,
    version: String,
    source: String,
    checksum: String,
}

fn locked_packages(lock: &str) -> BTreeSet<Locked> {
    lock.split("[[package]]")
        .skip(1)
        .map(|block| {
            let field = |key: &str| {
                block
                    .lines()
                    .find_map(|line| line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim().strip_prefix('"'))
                    .map(|value| value.trim_end_matches('"').to_string())
                    .unwrap_or_default()
            };
            Locked {
                name: field("name"),
                version: field("version"),
                source: field("source"),
                checksum: field("checksum"),
            }
        })
        .collect()
}

/// `(section, line)` for every setting under a `[profile.dev.package.*]` table.
fn dev_package_profiles(manifest: &str) -> BTreeSet<(String, String)> {
    let mut section = String::new();
    let mut out = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[') {
            section = header.trim_end_matches(']').to_string();
        } else if section.starts_with("profile.dev.package.") && !line.is_empty() && !line.starts_with('#') {
            out.insert((section.clone(), line.to_string()));
        }
    }
    out
}

#[test]
fn xtask_lock_file_pins_the_versions_of_the_workspace_lock_file() {
    let root = workspace_root();
    let workspace = locked_packages(&read(&root.join("Cargo.lock")));
    let xtask = locked_packages(&read(&root.join("xtask/Cargo.lock")));
    assert!(xtask.iter().any(|p| p.name == "syn"), "the parser found xtask's dependencies: {xtask:?}");
    let drifted: Vec<String> = xtask
        .iter()
        .filter(|p| !p.source.is_empty() && !workspace.contains(p))
        .map(|p| format!("{} {} ({})", p.name, p.version, p.source))
        .collect();
    assert!(
        drifted.is_empty(),
        "xtask/Cargo.lock pins packages Cargo.lock does not: {drifted:?}\n\
         resync it: `cp Cargo.lock xtask/Cargo.lock && cargo xtask help` (cargo drops what xtask does not use)"
    );
}

#[test]
fn xtask_dev_profile_overrides_are_the_workspace_ones() {
    let root = workspace_root();
    let workspace = dev_package_profiles(&read(&root.join("Cargo.toml")));
    let xtask = dev_package_profiles(&read(&root.join("xtask/Cargo.toml")));
    assert!(workspace.iter().any(|(section, _)| section == "profile.dev.package.imagegen-codegen"), "{workspace:?}");
    assert_eq!(xtask, workspace, "xtask/Cargo.toml repeats the root manifest's [profile.dev.package.*] tables");
}

#[test]
fn lock_file_parser_reads_every_field() {
    let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\
                source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ab\"\n\
                dependencies = [\n \"b\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"0.1.0\"\n";
    let packages: Vec<Locked> = locked_packages(lock).into_iter().collect();
    assert_eq!(
        packages,
        [
            Locked {
                name: "a".into(),
                version: "1.0.0".into(),
                source: "registry+https://github.com/rust-lang/crates.io-index".into(),
                checksum: "ab".into()
            },
            Locked { name: "b".into(), version: "0.1.0".into(), source: String::new(), checksum: String::new() },
        ]
    );
}
