//! `imagegen-codegen`: a client crate for anyone's specs, in one command.
//! A thin front end over [`imagegen_codegen::generate_crate`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use imagegen_codegen::{generate_crate, CrateOptions};

const USAGE: &str = "\
usage: imagegen-codegen <command>

commands:
  generate SPEC... --out DIR --crate-name NAME [options]
            write a complete client crate for the specs into DIR
            (Cargo.toml with a feature per provider, README.md, src/)
      --crate-version X.Y.Z   the crate's version (default 0.1.0)
      --runtime-path PATH     depend on the imagegen-runtime crate at PATH
      --runtime-dep TOML      the imagegen-runtime dependency as a TOML value,
                              e.g. '{ git = \"https://...\" }' (default: this
                              generator's version from a registry)
  check SPEC...
            report every problem in the specs, with file, line and column;
            write nothing
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("check") => check(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        None => usage_error("a command is required"),
        Some(other) => usage_error(&format!("unknown command `{other}`")),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprint!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn generate(args: &[String]) -> ExitCode {
    let mut specs = Vec::new();
    let (mut out, mut name, mut version, mut runtime_path, mut runtime_dep) = (None, None, None, None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let slot = match arg.as_str() {
            "--out" => &mut out,
            "--crate-name" => &mut name,
            "--crate-version" => &mut version,
            "--runtime-path" => &mut runtime_path,
            "--runtime-dep" => &mut runtime_dep,
            flag if flag.starts_with("--") => return usage_error(&format!("unknown option `{flag}`")),
            spec => {
                specs.push(PathBuf::from(spec));
                continue;
            }
        };
        match rest.next() {
            Some(value) => *slot = Some(value.clone()),
            None => return usage_error(&format!("`{arg}` needs a value")),
        }
    }
    let (Some(out), Some(name)) = (out, name) else {
        return usage_error("`generate` needs --out DIR and --crate-name NAME");
    };
    if specs.is_empty() {
        return usage_error("`generate` needs at least one spec file");
    }
    let mut options = CrateOptions::new(name);
    if let Some(version) = version {
        options.version = version;
    }
    match (runtime_path, runtime_dep) {
        (Some(_), Some(_)) => return usage_error("give --runtime-path or --runtime-dep, not both"),
        (Some(path), None) => {
            // Cargo reads a path dependency relative to the manifest, which is in DIR.
            let absolute = std::fs::canonicalize(&path).unwrap_or_else(|_| PathBuf::from(&path));
            options = options.runtime_path(&absolute);
        }
        (None, Some(dep)) => options.runtime_dependency = dep,
        (None, None) => {}
    }
    let files = match generate_crate(&specs, &options) {
        Ok(files) => files,
        Err(problems) => {
            eprint!("{}", problems.render());
            return ExitCode::FAILURE;
        }
    };
    let out = Path::new(&out);
    match imagegen_codegen::standalone::write_crate(out, &files) {
        Ok(written) => {
            println!("{}: {} files, {} written", out.display(), files.len(), written.len());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot write into {}: {err}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn check(args: &[String]) -> ExitCode {
    if args.is_empty() || args.iter().any(|a| a.starts_with("--")) {
        return usage_error("`check` takes spec files and no options");
    }
    let specs: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    match imagegen_codegen::files::load_spec_files(Path::new(""), &specs) {
        Ok(apis) => {
            println!("{} spec(s), no problems", apis.len());
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprint!("{}", problems.render());
            ExitCode::FAILURE
        }
    }
}
