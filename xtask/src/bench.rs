//! `cargo xtask bench`: the payload benchmarks (a cargo bench target, passed
//! through), and the two that time whole processes: the compile cost of the
//! generated crate (`--compile`) and `cargo xtask check` itself (`--check`).
//! Each prints Markdown tables with ratios against baselines measured in the
//! same run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `bench [FILTER..] [--compile [--runs N] | --check]`.
pub fn bench(root: &Path, args: &[String]) -> Result<(), ()> {
    if args.iter().any(|a| a == "--compile") {
        let runs = match args.iter().position(|a| a == "--runs").map(|i| args.get(i + 1).and_then(|n| n.parse().ok())) {
            None => COMPILE_RUNS,
            Some(Some(n)) if n > 0 => n,
            Some(_) => {
                eprintln!("error: `--runs` takes a whole number above 0");
                return Err(());
            }
        };
        compile(root, runs)
    } else if args.iter().any(|a| a == "--check") {
        check_process(root)
    } else {
        run(cargo(root).args(["bench", "-p", "imagegen-tests", "--bench", "payloads", "--"]).args(args))
    }
}

// ------------------------------------------------------------ compile cost

/// The feature sets whose crate-only build time is measured: each provider alone,
/// then the default features (every provider).
const CRATE_CONFIGS: [(&str, Option<&str>); 7] = [
    ("listenhub", Some("listenhub")),
    ("routerhub", Some("routerhub")),
    ("llmgateway", Some("llmgateway")),
    ("octen", Some("octen")),
    ("bfl", Some("bfl")),
    ("stability", Some("stability")),
    ("all (default features)", None),
];

/// Runs of each build unless `--runs N` says otherwise; tables show the fastest, the
/// least disturbed by other load, and every run beside it.
const COMPILE_RUNS: usize = 2;

/// The baseline of the clean build: the most used OpenAI client crate, with only the
/// images API turned on (and its default TLS feature), as a user wanting images would.
const BASELINE_CRATE: &str = "async-openai";
const BASELINE_VERSION: &str = "0.43";
const BASELINE_FEATURES: &str = "image";

/// The ratio the clean build of `imagegen` must stay under (issue 17).
const CLEAN_BUILD_TARGET: f64 = 0.5;

/// The profile of both throwaway crates: dependencies without debug info, as this
/// workspace builds them.
const DEPENDENCY_PROFILE: &str = "[profile.dev.package.\"*\"]\ndebug = false\n";

/// Dev-profile build times, wall clock, in fresh temporary target directories.
///
/// 1. Clean builds, one after the other, `runs` times each, of two throwaway crates
///    built the same way: one depending on `imagegen` (by path, default features,
///    with this workspace's lock file), one on async-openai 0.43 with its `image`
///    feature, both with [`DEPENDENCY_PROFILE`] and `CARGO_INCREMENTAL=0` (as cargo
///    builds a dependency from git or a registry: it compiles only path crates
///    incrementally). Beside them, `cargo build -p imagegen` in this workspace, where
///    the two crates of this repository are members (debug info, incremental): what a
///    contributor's clean build costs. Sources are downloaded before any clock starts.
///    Beside the wall clock, the CPU time of every process each build ran, which other
///    load on the machine moves far less.
/// 2. The crate alone: with its dependencies built, for each feature set, `cargo
///    clean -p imagegen` removes the crate's artifacts and the build of the throwaway
///    crate that follows is timed; a no-op build in the same target directory is
///    cargo's own share of that time.
fn compile(root: &Path, runs: usize) -> Result<(), ()> {
    let scratch = std::env::temp_dir().join(format!("imagegen-bench-compile-{}", std::process::id()));
    let result = compile_in(root, &scratch, runs);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// A throwaway crate's clean build, timed in `target` (emptied first).
fn clean_build(dir: &Path, target: &Path, args: &[&str]) -> Result<Cost, ()> {
    let _ = std::fs::remove_dir_all(target);
    let mut build = cargo(dir);
    build.env("CARGO_TARGET_DIR", target).env("CARGO_INCREMENTAL", "0").args(args);
    measure(&mut build)
}

fn compile_in(root: &Path, scratch: &Path, runs: usize) -> Result<(), ()> {
    let member_target = scratch.join("target-member");
    let mut member_build = cargo(root);
    member_build.env("CARGO_TARGET_DIR", &member_target).args(["build", "--quiet", "-p", "imagegen"]);
    run(cargo(root).env("CARGO_TARGET_DIR", &member_target).args(["fetch", "--quiet"]))?;
    let ours = scratch.join("ours");
    let ours_target = scratch.join("target-ours");
    if let Err(why) = ours_crate(root, &ours, None) {
        eprintln!("error: {why}");
        return Err(());
    }
    let baseline = match baseline_crate(&scratch.join("baseline")) {
        Ok(dir) => Some(dir),
        Err(why) => {
            eprintln!("warning: no {BASELINE_CRATE} baseline: {why}");
            None
        }
    };
    let baseline_target = scratch.join("target-baseline");

    let (mut ours_clean, mut baseline_clean, mut member_clean) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=runs {
        let cost = clean_build(&ours, &ours_target, &["build", "--quiet"])?;
        eprintln!("clean build {round}/{runs}: imagegen {cost}");
        ours_clean.push(cost);
        if let Some(dir) = &baseline {
            let cost = clean_build(dir, &baseline_target, &["build", "--quiet"])?;
            eprintln!("clean build {round}/{runs}: {BASELINE_CRATE} {BASELINE_VERSION} {cost}");
            baseline_clean.push(cost);
        }
        let _ = std::fs::remove_dir_all(&member_target);
        let cost = measure(&mut member_build)?;
        eprintln!("clean build {round}/{runs}: imagegen as a workspace member {cost}");
        member_clean.push(cost);
    }

    // The dependencies are built now (by the last clean build); they do not depend on
    // the crate's provider features.
    let in_ours = |args: &[&str]| {
        let mut command = cargo(&ours);
        command.env("CARGO_TARGET_DIR", &ours_target).env("CARGO_INCREMENTAL", "0").args(args);
        command
    };
    let mut noop = Vec::new();
    let mut crate_rows = Vec::new();
    for (name, feature) in CRATE_CONFIGS {
        if let Err(why) = ours_crate(root, &ours, feature) {
            eprintln!("error: {why}");
            return Err(());
        }
        let mut times = Vec::new();
        for _ in 0..runs {
            run(&mut in_ours(&["clean", "--quiet", "-p", "imagegen"]))?;
            times.push(time(&mut in_ours(&["build", "--quiet"]))?);
            eprintln!("{name}: {:.1} s", times.last().map_or(0.0, Duration::as_secs_f64));
            // The same build again has nothing to do: what is left is cargo's own work.
            noop.push(time(&mut in_ours(&["build", "--quiet"]))?);
        }
        crate_rows.push((name, times));
    }

    println!("## Compile cost (dev profile)\n");
    println!("### Clean build: imagegen against {BASELINE_CRATE} {BASELINE_VERSION} (`{BASELINE_FEATURES}`)\n");
    println!(
        "`cargo xtask bench --compile`. Each in an empty CARGO_TARGET_DIR, one after the other, {runs} times, sources"
    );
    println!("downloaded first. Two throwaway crates built the same way: one depending on `imagegen` by path (default");
    println!("features: every provider; this workspace's lock file), one on");
    println!("`{BASELINE_CRATE} = {{ version = \"{BASELINE_VERSION}\", features = [\"{BASELINE_FEATURES}\"] }}` (plus its default");
    println!(
        "`rustls`), both with `[profile.dev.package.\"*\"] debug = false` and `CARGO_INCREMENTAL=0`, as a dependency"
    );
    println!(
        "from git or a registry is built. Last row: `cargo build -p imagegen` in this workspace, where its crates"
    );
    println!("are members (debug info, incremental). Wall clock and CPU time (user + system of every process the");
    println!("build ran), each the best run, then every run.\n");
    println!("| build | wall | CPU | all runs (wall / CPU) |");
    println!("|---|---:|---:|---|");
    let row = |name: &str, costs: &[Cost]| {
        let all: Vec<String> = costs.iter().map(Cost::to_string).collect();
        println!("| {name} | {} | {} | {} |", seconds(best_wall(costs)), cpu_text(best_cpu(costs)), all.join(", "));
    };
    row("imagegen, default features, as a dependency", &ours_clean);
    if baseline_clean.is_empty() {
        println!(
            "| {BASELINE_CRATE} {BASELINE_VERSION}, `{BASELINE_FEATURES}` | not measured (see the warning above) | | |"
        );
    } else {
        row(&format!("{BASELINE_CRATE} {BASELINE_VERSION}, `{BASELINE_FEATURES}`, as a dependency"), &baseline_clean);
        let wall = best_wall(&ours_clean).as_secs_f64() / best_wall(&baseline_clean).as_secs_f64();
        let verdict = if wall < CLEAN_BUILD_TARGET { "met" } else { "MISSED" };
        let cpu = match (best_cpu(&ours_clean), best_cpu(&baseline_clean)) {
            (Some(ours), Some(theirs)) => format!("{:.2}x", ours.as_secs_f64() / theirs.as_secs_f64()),
            _ => "n/a".to_string(),
        };
        println!(
            "| **imagegen / {BASELINE_CRATE}** | **{wall:.2}x** (target < {CLEAN_BUILD_TARGET}x: {verdict}) | {cpu} | |"
        );
    }
    row("imagegen as a workspace member (`cargo build -p imagegen`)", &member_clean);
    println!("\n### The generated crate alone (dependencies already built)\n");
    println!("The throwaway crate depending on `imagegen` with `default-features = false, features = [P]` (or the");
    println!("defaults), built after `cargo clean -p imagegen`, in the target directory of its clean builds above;");
    println!("wall clock, best of {runs}. The first row is cargo's own share of each of them: the same build repeated");
    println!("with nothing to do, after each timed one.\n");
    println!("| features | build time | minus cargo's share | all runs |");
    println!("|---|---:|---:|---|");
    let floor = best(&noop);
    println!(
        "| (no-op build: cargo's share) | {} | | {} |",
        ms_text(floor),
        noop.iter().map(|t| ms_text(*t)).collect::<Vec<_>>().join(", ")
    );
    for (name, times) in crate_rows {
        let compile = best(&times).saturating_sub(floor);
        println!("| {name} | {} | {} | {} |", seconds(best(&times)), seconds(compile), all_runs(&times));
    }
    Ok(())
}

/// Writes (or rewrites) in `dir` a throwaway crate depending on this workspace's
/// `imagegen` by path, with `feature` alone or the default features, the workspace's
/// lock file and [`DEPENDENCY_PROFILE`]; `Err` says why it cannot.
fn ours_crate(root: &Path, dir: &Path, feature: Option<&str>) -> Result<(), String> {
    let generated = root.join("generated");
    let features = feature.map_or(String::new(), |f| format!(", default-features = false, features = [\"{f}\"]"));
    let manifest = format!(
        "[package]\nname = \"ours\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nimagegen = {{ path = {:?}{features} }}\n\n{DEPENDENCY_PROFILE}\n[workspace]\n",
        generated.display().to_string()
    );
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(dir.join("Cargo.toml"), manifest)?;
        std::fs::write(dir.join("src/lib.rs"), "pub use imagegen;\n")?;
        // The versions this workspace is built and tested with; cargo drops what is unused.
        if !dir.join("Cargo.lock").exists() {
            std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
        }
        Ok(())
    };
    write().map_err(|err| format!("cannot write {}: {err}", dir.display()))
}

/// Writes the baseline's throwaway crate in `dir` and downloads what it needs;
/// `Err` says why it cannot be built (no network, a registry error).
fn baseline_crate(dir: &Path) -> Result<PathBuf, String> {
    let manifest = format!(
        "[package]\nname = \"baseline\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{BASELINE_CRATE} = {{ version = \"{BASELINE_VERSION}\", features = [\"{BASELINE_FEATURES}\"] }}\n\n\
         {DEPENDENCY_PROFILE}\n[workspace]\n"
    );
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(dir.join("Cargo.toml"), manifest)?;
        std::fs::write(dir.join("src/lib.rs"), format!("pub use {};\n", BASELINE_CRATE.replace('-', "_")))
    };
    write().map_err(|err| format!("cannot write {}: {err}", dir.display()))?;
    for step in [&["generate-lockfile", "--quiet"][..], &["fetch", "--quiet"]] {
        run(cargo(dir).args(step)).map_err(|()| format!("`cargo {}` failed in {}", step[0], dir.display()))?;
    }
    Ok(dir.to_path_buf())
}

// ------------------------------------------------------ `cargo xtask check`

/// Interleaved rounds of every variant of [`check_process`]; the tables show medians.
const CHECK_ROUNDS: usize = 15;

/// The row of the root workspace's own freshness check, for comparison.
const ROOT_WORKSPACE_FLOOR: &str =
    "`cargo build -p imagegen-codegen` in the root workspace, nothing to do (xtask's cost there as a member)";

/// The whole-process target for `cargo xtask check` with nothing stale (issue 17).
const CHECK_TARGET: Duration = Duration::from_millis(50);

/// One way of running `check` (or its floor) as a process.
struct Variant {
    name: String,
    /// Removes the generation record first, so the generator runs.
    cold: bool,
    command: Command,
    samples: Vec<Duration>,
}

/// `cargo xtask check` timed as whole processes, in interleaved rounds: this binary
/// with and without its generation record, the latter on every core and on one
/// (`taskset -c 0`, when there is a `taskset`), and through cargo, each beside its
/// floor (the same process running `help`).
fn check_process(root: &Path) -> Result<(), ()> {
    let (Ok(exe), Some(record)) = (std::env::current_exe(), xtask::record::beside_running_binary()) else {
        eprintln!("error: cannot find this binary");
        return Err(());
    };
    let this = |args: &[&str]| {
        let mut command = Command::new(&exe);
        command.current_dir(root).args(args);
        command
    };
    let through_cargo = |args: &[&str]| {
        let mut command = cargo(root);
        command.arg("xtask").args(args);
        command
    };
    let variant = |name: &str, cold, command| Variant { name: name.to_string(), cold, command, samples: Vec::new() };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut variants = vec![
        variant("`xtask help` (process start: the floor)", false, this(&["help"])),
        variant("`xtask check`, record present", false, this(&["check"])),
        variant(&format!("`xtask check`, no record: the generator runs, {workers} workers"), true, this(&["check"])),
    ];
    let taskset = Command::new("taskset").args(["-c", "0", "true"]).stdout(Stdio::null()).status();
    if taskset.is_ok_and(|s| s.success()) {
        let mut one_core = Command::new("taskset");
        one_core.current_dir(root).args(["-c", "0"]).arg(&exe).arg("check");
        variants.push(variant("`xtask check`, no record, 1 worker (`taskset -c 0`)", true, one_core));
    }
    variants.push(variant("`cargo xtask help` (cargo's freshness check: the floor)", false, through_cargo(&["help"])));
    variants.push(variant("`cargo xtask check`, record present", false, through_cargo(&["check"])));
    // What `cargo xtask` cost cargo when xtask was a member of the root workspace: the same
    // dependency graph (the generator library), resolved in the 213-package workspace.
    let mut as_member = cargo(root);
    as_member.args(["build", "--quiet", "-p", "imagegen-codegen"]);
    variants.push(variant(ROOT_WORKSPACE_FLOOR, false, as_member));

    for round in 0..=CHECK_ROUNDS {
        for v in &mut variants {
            if v.cold {
                let _ = std::fs::remove_file(&record);
            }
            let start = Instant::now();
            let status = v.command.stdout(Stdio::null()).stderr(Stdio::null()).status();
            let elapsed = start.elapsed();
            if !status.as_ref().is_ok_and(|s| s.success()) {
                eprintln!("error: {} failed ({status:?}); is the tree fresh? run `cargo xtask codegen`", v.name);
                return Err(());
            }
            // Round 0 warms the caches (and writes the record) and is not counted.
            if round > 0 {
                v.samples.push(elapsed);
            }
        }
    }
    let median_of = |name: &str| variants.iter().find(|v| v.name.starts_with(name)).map(|v| median(&v.samples));

    println!("## `cargo xtask check` as a process (nothing stale)\n");
    println!(
        "`cargo xtask bench --check`: {CHECK_ROUNDS} interleaved rounds of every row (one more first, uncounted);"
    );
    println!("wall clock from spawn to exit, median and spread (min–max). `xtask` is the dev-profile binary");
    println!("`cargo xtask` runs; \"no record\" deletes its generation record first, so the generator runs.\n");
    println!("| process | median | spread | compared with |");
    println!("|---|---:|---:|---|");
    let start_floor = median_of("`xtask help`");
    let warm = median_of("`xtask check`, record present");
    let cold = median_of("`xtask check`, no record: ");
    let cargo_floor = median_of("`cargo xtask help`");
    for v in &variants {
        let m = median(&v.samples);
        let versus = |base: Option<Duration>, what: &str| {
            base.map_or(String::new(), |b| format!("{:.1}x {what}", m.as_secs_f64() / b.as_secs_f64()))
        };
        let note = match v.name.as_str() {
            n if n.starts_with("`xtask check`, record present") => {
                format!("{}; target < 50 ms: {}", versus(start_floor, "the floor"), verdict(m))
            }
            n if n.starts_with("`xtask check`, no record: ") => versus(warm, "the run with a record"),
            n if n.starts_with("`xtask check`, no record, 1 worker") => versus(cold, &format!("{workers} workers")),
            ROOT_WORKSPACE_FLOOR => versus(cargo_floor, "`cargo xtask help`"),
            n if n.starts_with("`cargo xtask check`") => format!(
                "{} ({} above it); target < 50 ms: {}",
                versus(cargo_floor, "cargo's floor"),
                cargo_floor.map_or(String::new(), |f| format!("{:.1} ms", ms(m.saturating_sub(f)))),
                verdict(m)
            ),
            _ => String::new(),
        };
        println!(
            "| {} | {:.1} ms | {:.1}–{:.1} ms | {note} |",
            v.name,
            ms(m),
            ms(min(&v.samples)),
            ms(max(&v.samples))
        );
    }
    Ok(())
}

fn verdict(time: Duration) -> &'static str {
    if time < CHECK_TARGET {
        "met"
    } else {
        "MISSED"
    }
}

// ---------------------------------------------------------------- helpers

/// `cargo` as invoked by `cargo xtask`, in `dir`.
pub fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(dir);
    command
}

/// Runs a command with inherited output; failures are reported on stderr.
pub fn run(command: &mut Command) -> Result<(), ()> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => {
            eprintln!("error: {:?} exited with {status}", command.get_program());
            Err(())
        }
        Err(err) => {
            eprintln!("error: cannot run {:?}: {err}", command.get_program());
            Err(())
        }
    }
}

/// Runs a command as [`run`] does and returns how long it took, wall clock.
fn time(command: &mut Command) -> Result<Duration, ()> {
    let start = Instant::now();
    run(command)?;
    Ok(start.elapsed())
}

/// What one build cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    wall: Duration,
    /// User + system time of every process it ran; `None` where it cannot be read.
    cpu: Option<Duration>,
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", seconds(self.wall), cpu_text(self.cpu))
    }
}

/// Runs a command as [`run`] does and returns its wall clock and CPU time.
fn measure(command: &mut Command) -> Result<Cost, ()> {
    let before = children_cpu();
    let wall = time(command)?;
    let cpu = before.zip(children_cpu()).map(|(before, after)| after.saturating_sub(before));
    Ok(Cost { wall, cpu })
}

/// CPU time (user + system) of this process's finished children and of theirs, from
/// `/proc/self/stat` (Linux, in ticks of 1/100 s); `None` elsewhere.
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces:
    // field 3 (state) first, so cutime (16) and cstime (17) are at 13 and 14.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn best_wall(costs: &[Cost]) -> Duration {
    costs.iter().map(|c| c.wall).min().unwrap_or_default()
}

fn best_cpu(costs: &[Cost]) -> Option<Duration> {
    costs.iter().map(|c| c.cpu).collect::<Option<Vec<_>>>()?.into_iter().min()
}

fn cpu_text(cpu: Option<Duration>) -> String {
    cpu.map_or_else(|| "n/a".to_string(), seconds)
}

fn best(times: &[Duration]) -> Duration {
    min(times)
}

fn min(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn max(times: &[Duration]) -> Duration {
    times.iter().copied().max().unwrap_or_default()
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(time: Duration) -> f64 {
    time.as_secs_f64() * 1e3
}

fn seconds(time: Duration) -> String {
    format!("{:.1} s", time.as_secs_f64())
}

fn ms_text(time: Duration) -> String {
    format!("{:.0} ms", ms(time))
}

fn all_runs(times: &[Duration]) -> String {
    times.iter().map(|t| seconds(*t)).collect::<Vec<_>>().join(", ")
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_time_of_a_finished_child_is_counted() {
        let busy = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";
        let cost = measure(Command::new("sh").args(["-c", busy])).expect("sh runs");
        let cpu = cost.cpu.expect("/proc/self/stat is readable on Linux");
        assert!(cpu > Duration::ZERO, "{cost}");
        assert!(cpu <= cost.wall + Duration::from_millis(20), "one single-threaded child: {cost}");
    }
}
