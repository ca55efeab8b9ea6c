//! The generator for anyone's spec: `imagegen-codegen generate` run on a spec
//! copied outside the workspace writes a crate that builds and passes its own
//! tests against the runtime crate, with nothing fetched from the network.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen/ sits in the workspace root").to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imagegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn a_spec_outside_the_workspace_becomes_a_crate_that_builds_and_passes_its_tests() {
    let root = workspace_root();
    let dir = scratch("standalone");
    let spec = dir.join("acme.yaml");
    std::fs::copy(root.join("tests/specs/doc_examples.yaml"), &spec).unwrap();
    let out = dir.join("acme-client");

    run(Command::new(env!("CARGO_BIN_EXE_imagegen-codegen"))
        .current_dir(&dir)
        .args(["generate", "acme.yaml", "--out", "acme-client", "--crate-name", "acme-client"])
        .arg("--runtime-path")
        .arg(root.join("codegen/runtime")));

    for file in ["Cargo.toml", "README.md", "src/lib.rs", "src/registry.rs", "src/doc_examples/types.rs"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(text.contains("@generated"), "{file} has no @generated header");
    }
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"acme-client\""), "{manifest}");
    assert!(manifest.contains("doc_examples = []"), "a feature per provider: {manifest}");

    // The workspace's lock file pins the versions already fetched, so `--offline` needs
    // nothing new; its own target folder keeps this build out of the workspace's lock.
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let target = root.join("target/standalone-test");
    let tested = run(Command::new(cargo).current_dir(&out).env("CARGO_TARGET_DIR", &target).args([
        "test",
        "--offline",
        "--quiet",
    ]));
    let report = String::from_utf8_lossy(&tested.stdout);
    let passed: usize = report
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. ")?.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(passed > 0, "the spec's examples ran as tests: {report}");
    assert!(!report.contains("FAILED"), "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn problems_in_a_spec_are_located_and_nothing_is_written() {
    let dir = scratch("standalone-broken");
    std::fs::write(dir.join("broken.yaml"), "provider:\n  name: broken\n  titel: Broken\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_imagegen-codegen"))
        .current_dir(&dir)
        .args(["generate", "broken.yaml", "--out", "out", "--crate-name", "broken"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.yaml:3:"), "file and line: {stderr}");
    assert!(!dir.join("out").exists(), "nothing written");

    let usage = Command::new(env!("CARGO_BIN_EXE_imagegen-codegen")).arg("generate").output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn regenerating_without_a_spec_removes_its_generated_files_and_keeps_hand_written_ones() {
    let root = workspace_root();
    let dir = scratch("standalone-regenerate");
    for spec in ["urls", "nullable"] {
        std::fs::copy(root.join(format!("tests/specs/{spec}.yaml")), dir.join(format!("{spec}.yaml"))).unwrap();
    }
    let generate = |specs: &[&str]| {
        run(Command::new(env!("CARGO_BIN_EXE_imagegen-codegen"))
            .current_dir(&dir)
            .args(specs)
            .args(["--out", "client", "--crate-name", "acme-client"])
            .arg("--runtime-path")
            .arg(root.join("codegen/runtime")))
    };
    generate(&["generate", "urls.yaml", "nullable.yaml"]);
    let out = dir.join("client");
    assert!(out.join("src/nullable/types.rs").exists());
    std::fs::write(out.join("src/nullable/notes.rs"), "// my own notes\n").unwrap();

    let second = generate(&["generate", "urls.yaml"]);
    let said = String::from_utf8_lossy(&second.stdout);
    for file in ["types.rs", "client.rs", "mod.rs"] {
        assert!(!out.join("src/nullable").join(file).exists(), "src/nullable/{file} is left over: {said}");
    }
    assert!(out.join("src/urls/types.rs").exists());
    assert_eq!(std::fs::read_to_string(out.join("src/nullable/notes.rs")).unwrap(), "// my own notes\n");
    assert!(!std::fs::read_to_string(out.join("src/lib.rs")).unwrap().contains("nullable"));
    std::fs::remove_dir_all(&dir).unwrap();
}
