//! `cargo xtask <command>`: the maintainers' entry points. Thin on purpose:
//! it parses the command line and calls `imagegen-codegen`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  codegen   regenerate generated/, tests/compiled/ and specs/spec.schema.json from the specs
  check     fail with a diff if any generated file or the schema is stale, or a spec has errors
  schema    write specs/spec.schema.json only
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&root),
        Some("check") => check(&root),
        Some("schema") => schema(&root),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprint!("unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn codegen(root: &Path) -> ExitCode {
    let files = match imagegen_codegen::workspace_files(root) {
        Ok(files) => files,
        Err(problems) => {
            eprint!("{}", problems.render());
            return ExitCode::FAILURE;
        }
    };
    match imagegen_codegen::files::write_files(root, &files) {
        Ok(touched) if touched.is_empty() => println!("{} generated files, all up to date", files.len()),
        Ok(touched) => {
            for path in &touched {
                println!("updated {}", path.display());
            }
            println!("{} generated files, {} updated", files.len(), touched.len());
        }
        Err(err) => {
            eprintln!("error: cannot write generated files: {err}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn check(root: &Path) -> ExitCode {
    let files = match imagegen_codegen::workspace_files(root) {
        Ok(files) => files,
        Err(problems) => {
            eprint!("{}", problems.render());
            return ExitCode::FAILURE;
        }
    };
    let stale = imagegen_codegen::files::stale_files(root, &files);
    if stale.is_empty() {
        println!("{} generated files are up to date", files.len());
        return ExitCode::SUCCESS;
    }
    for s in &stale {
        eprint!("{}", s.diff);
    }
    eprintln!(
        "\nerror: {} generated file(s) are stale; run `cargo xtask codegen`",
        stale.len()
    );
    ExitCode::FAILURE
}

fn schema(root: &Path) -> ExitCode {
    let path = root.join("specs/spec.schema.json");
    match std::fs::write(&path, imagegen_codegen::files::spec_schema()) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", path.display());
            ExitCode::FAILURE
        }
    }
}
