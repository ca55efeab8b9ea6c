//! `cargo xtask <command>`: the maintainers' entry points. Thin on purpose:
//! it parses the command line and calls `imagegen-codegen`.

mod bench;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::Generation;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  codegen   regenerate generated/, tests/compiled/ and specs/spec.schema.json from the specs
  test [ARGS..]
            run every test: `cargo test --workspace --all-features` and xtask's own
            (`cargo test --manifest-path xtask/Cargo.toml`, a workspace of its own), both
            even if the first fails; ARGS go to both (`--no-fail-fast`, `-- FILTER`)
  check     fail with a diff if any generated file or the schema is stale, or a spec has errors
  schema    write specs/spec.schema.json only
  diff OLD NEW [--output FILE] [--crate-version X.Y.Z]
            report, in Markdown, every change to the generated API between two spec
            versions; OLD and NEW are files or REV:path (a spec at a git revision)
  bench [FILTER..] [--compile [--runs N] | --check]
            print the payload benchmarks (network, upload, decode, heap, encode, SSE,
            generator time);
            --compile: clean build time against async-openai, and the generated crate's
            own build time per provider feature, instead (N runs of each, default 2);
            --check: `cargo xtask check` timed as whole processes instead
  fuzz [--cases N] [--seed S]
            load and check N mutated specs (default 20000, seed 14): no panic, no case
            over 1 s, every diagnostic located; failing inputs go to target/fuzz-failures/
";

/// Both workspaces' tests, one after the other; fails if either does.
fn test(root: &Path, args: &[String]) -> ExitCode {
    let suites: [&[&str]; 2] =
        [&["test", "--workspace", "--all-features"], &["test", "--manifest-path", "xtask/Cargo.toml"]];
    let mut failed = Vec::new();
    for suite in suites {
        let command_line = format!("cargo {}", suite.join(" "));
        eprintln!("== {command_line}");
        if bench::run(bench::cargo(root).args(suite).args(args)).is_err() {
            failed.push(command_line);
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: failed: {}", failed.join("; "));
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&root),
        Some("check") => check(&root),
        Some("test") => test(&root, &args[1..]),
        Some("schema") => schema(&root),
        Some("diff") => diff(&args[1..]),
        Some("bench") => bench::bench(&root, &args[1..]).map_or(ExitCode::FAILURE, |()| ExitCode::SUCCESS),
        Some("fuzz") => fuzz(&root, &args[1..]),
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

/// The workspace this run works on. `cargo xtask` sets `CARGO_MANIFEST_DIR` when it
/// runs the binary, and that is preferred over the path compiled in: a binary built in
/// another checkout sharing the target directory (`.ci/run`'s clone) and found fresh by
/// cargo would otherwise work on that checkout, which may be gone.
fn workspace_root() -> PathBuf {
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The generator's files, unless the generation record beside this binary proves
/// the files on disk fresh (then the generator does not run); problems are printed.
fn generate(root: &Path) -> Result<Generation, ExitCode> {
    let result = match xtask::record::beside_running_binary() {
        Some(record) => xtask::workspace_files_unless_fresh(root, &record),
        None => xtask::workspace_files(root).map(Generation::Generated),
    };
    result.map_err(|problems| {
        eprint!("{}", problems.render());
        ExitCode::FAILURE
    })
}

fn codegen(root: &Path) -> ExitCode {
    let files = match generate(root) {
        Ok(Generation::Generated(files)) => files,
        Ok(Generation::Fresh { files }) => {
            println!("{files} generated files, all up to date");
            return ExitCode::SUCCESS;
        }
        Err(code) => return code,
    };
    match xtask::write_files(root, &files) {
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
    let files = match generate(root) {
        Ok(Generation::Generated(files)) => files,
        Ok(Generation::Fresh { files }) => {
            println!("{files} generated files are up to date");
            return ExitCode::SUCCESS;
        }
        Err(code) => return code,
    };
    let stale = xtask::stale_files(root, &files);
    if stale.is_empty() {
        println!("{} generated files are up to date", files.len());
        return ExitCode::SUCCESS;
    }
    for s in &stale {
        eprint!("{}", s.diff);
    }
    eprintln!("\nerror: {} generated file(s) are stale; run `cargo xtask codegen`", stale.len());
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

/// `diff OLD NEW [--output FILE] [--crate-version X.Y.Z]`. Exits 0 whatever the
/// report says (it is a report, not a check); non-zero only when it cannot be made.
fn diff(args: &[String]) -> ExitCode {
    use imagegen_codegen::diff::{compare_sources, CrateVersion, SpecSource};
    let mut positional = Vec::new();
    let mut output = None;
    let mut version = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--output" | "-o" => output = rest.next(),
            "--crate-version" => version = rest.next(),
            _ => positional.push(arg),
        }
    }
    let [old, new] = positional.as_slice() else {
        eprint!("error: `diff` takes two specs, OLD and NEW\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let current = match version.map(|v| (v, CrateVersion::parse(v))) {
        Some((v, None)) => {
            eprintln!("error: `--crate-version {v}` is not a version of the form X.Y.Z");
            return ExitCode::from(2);
        }
        Some((_, parsed)) => parsed,
        None => None,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (old, new) = (SpecSource::parse(old, &cwd), SpecSource::parse(new, &cwd));
    let report = match compare_sources(&old, &new, &cwd) {
        Ok(report) => report.to_markdown(current),
        Err(problems) => {
            eprint!("{}", problems.render());
            return ExitCode::FAILURE;
        }
    };
    match output {
        None => print!("{report}"),
        Some(path) => {
            if let Err(err) = std::fs::write(path, &report) {
                eprintln!("error: cannot write {path}: {err}");
                return ExitCode::FAILURE;
            }
            println!("wrote {path}");
        }
    }
    ExitCode::SUCCESS
}

/// `fuzz [--cases N] [--seed S]`: the longer run of `tests/loader_fuzz.rs`
/// (same engine, same default seed, so its case numbers match the test's).
fn fuzz(root: &Path, args: &[String]) -> ExitCode {
    let (mut cases, mut seed) = (20_000u64, 14u64);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let target = match arg.as_str() {
            "--cases" => &mut cases,
            "--seed" => &mut seed,
            other => {
                eprint!("error: unknown `fuzz` argument `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        match rest.next().and_then(|n| n.parse().ok()) {
            Some(n) => *target = n,
            None => {
                eprintln!("error: `{arg}` takes a whole number");
                return ExitCode::from(2);
            }
        }
    }
    let seeds = match imagegen_codegen::fuzz::seed_specs(root) {
        Ok(seeds) => seeds,
        Err(err) => {
            eprintln!("error: cannot read the seed specs: {err}");
            return ExitCode::FAILURE;
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!("fuzzing {cases} cases from {} specs, seed {seed}, on {threads} threads", seeds.len());
    let report = imagegen_codegen::fuzz::run(&seeds, cases, seed, threads);
    print!("{}", report.summary());
    if report.failures.is_empty() {
        return ExitCode::SUCCESS;
    }
    match report.save_failures(&root.join("target/fuzz-failures")) {
        Ok(paths) => paths.iter().for_each(|p| eprintln!("saved {}", p.display())),
        Err(err) => eprintln!("error: cannot save the failing inputs: {err}"),
    }
    ExitCode::FAILURE
}
