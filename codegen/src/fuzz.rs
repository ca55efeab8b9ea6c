//! Mutation fuzzing of the front end: real specs, damaged in the ways files get
//! damaged or crafted, through load, check and lowering.
//!
//! The generator promises to never panic, overflow its stack, hang or exhaust
//! memory, and to locate every problem. This module turns that promise into
//! something a run can count: [`run`] applies [`Mutation`]s to seed specs and
//! records every case that panicked, took longer than [`SLOW`], or produced a
//! diagnostic without a line and column inside the input. The same engine
//! serves the bounded test (`tests/loader_fuzz.rs`) and the longer
//! `cargo xtask fuzz`, so the two cannot drift apart.
//!
//! Runs are deterministic: case `i` of seed `s` is the same input on every
//! machine and with any number of threads, so a failure is reproduced by its
//! case number alone.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostics;
use crate::spec::positions::limits;
use crate::spec::type_expr::MAX_NESTING;

/// Longest one input may take through the front end, in time on the CPU where
/// the system reports it (Linux), else in wall-clock time. CPU time is what the
/// input costs; wall-clock time also counts waiting for a core, which on a
/// shared machine says more about the neighbours than about the input.
pub const SLOW: Duration = Duration::from_secs(1);

/// Wall-clock bound, for a case that waits instead of computing (a deadlock
/// uses no CPU time): generous, since waiting for a core also counts here.
pub const STUCK: Duration = Duration::from_secs(10);

/// Runs `f` and says how long it took, measured as [`SLOW`] is.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let (started, cpu_started) = (Instant::now(), thread_cpu_time());
    let value = f();
    let time = match (cpu_started, thread_cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => started.elapsed(),
    };
    (value, time)
}

/// Time this thread has spent on a CPU, when the system says (Linux's
/// `/proc/thread-self/schedstat`: nanoseconds on the CPU first).
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Stack of the threads cases run on: the 2 MiB Rust gives spawned threads
/// (the generator's own workers), not the main thread's 8 MiB, so recursion
/// that only fits the larger stack is still caught.
const CASE_STACK_BYTES: usize = 2 << 20;

/// A spec the mutations start from.
#[derive(Debug, Clone)]
pub struct SeedSpec {
    /// Where it came from, for reports.
    pub name: String,
    /// Its text.
    pub text: String,
    /// How often it is picked, relative to the others.
    pub weight: usize,
    /// The folder it was read from, where its imports are found (`specs/` holds
    /// `common/openai-images.yaml`); empty for a spec without imports.
    pub folder: PathBuf,
}

/// The specs of the workspace at `root`: the providers' (`specs/*.yaml`) and
/// the snapshot corpus (`tests/specs/*.yaml`), sorted by path so runs repeat.
/// A provider spec is picked twice as often as a corpus one: there are few of
/// them and they are what users write, but at ten times the size they cost ten
/// times as much to read, and the corpus covers every construct.
pub fn seed_specs(root: &Path) -> std::io::Result<Vec<SeedSpec>> {
    let mut paths = Vec::new();
    for (dir, weight) in [("specs", 2), ("tests/specs", 1)] {
        for entry in std::fs::read_dir(root.join(dir))? {
            let path = entry?.path();
            if path.extension().is_some_and(|x| x == "yaml") {
                paths.push((path, weight));
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|(path, weight)| {
            let text = std::fs::read_to_string(&path)?;
            let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
            Ok(SeedSpec { name, text, weight, folder })
        })
        .collect()
}

/// One way of damaging a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mutation {
    /// Random bytes replaced or bit-flipped.
    ByteFlip,
    /// The file cut short at a random byte.
    Truncate,
    /// A line deleted with the block it introduces (a key and its value).
    DeleteKey,
    /// A line repeated with its block (a duplicate key or list item).
    DuplicateKey,
    /// A value replaced by one of another YAML type.
    SwapType,
    /// A value replaced by mappings or sequences nested around the depth limit or far past it.
    DeepNesting,
    /// A value replaced by anchors and aliases that expand exponentially, or into themselves.
    AliasBomb,
    /// A value or key replaced by a scalar around the size limit.
    HugeScalar,
    /// Bytes that are not UTF-8 inserted.
    InvalidUtf8,
    /// A control character inserted.
    ControlCharacter,
    /// A `type:` replaced by containers nested around the type-expression limit or far past it.
    DeepTypeExpression,
    /// A document marker (`---` or `...`) inserted.
    DocumentMarker,
    /// A block of another seed spec pasted in.
    Splice,
    /// A line's indentation changed.
    Reindent,
}

impl Mutation {
    /// Every mutation; cases cycle through them so each gets its share.
    pub const ALL: [Mutation; 14] = [
        Mutation::ByteFlip,
        Mutation::Truncate,
        Mutation::DeleteKey,
        Mutation::DuplicateKey,
        Mutation::SwapType,
        Mutation::DeepNesting,
        Mutation::AliasBomb,
        Mutation::HugeScalar,
        Mutation::InvalidUtf8,
        Mutation::ControlCharacter,
        Mutation::DeepTypeExpression,
        Mutation::DocumentMarker,
        Mutation::Splice,
        Mutation::Reindent,
    ];

    /// Applies the mutation to `input`; `other` is another seed, for splices.
    pub fn apply(self, input: &mut Vec<u8>, other: &str, rng: &mut Rng) {
        match self {
            Mutation::ByteFlip => {
                for _ in 0..=rng.below(4) {
                    if input.is_empty() {
                        break;
                    }
                    // Mostly bytes that mean something to YAML, so most flips reach the
                    // parser and the checks instead of stopping at the UTF-8 or control
                    // character test (which a flipped bit still reaches).
                    const SIGNIFICANT: &[u8] = b":-[]{},&*!|>'\"#%@` \n\t0123456789.?~ayz";
                    let at = rng.below(input.len());
                    input[at] = if rng.chance(4) {
                        input[at] ^ (1 << rng.below(8))
                    } else {
                        SIGNIFICANT[rng.below(SIGNIFICANT.len())]
                    };
                }
            }
            Mutation::Truncate => {
                let at = rng.below(input.len() + 1);
                input.truncate(at);
            }
            Mutation::DeleteKey => {
                if let Some(block) = random_block(input, rng) {
                    input.drain(block);
                }
            }
            Mutation::DuplicateKey => {
                if let Some(block) = random_block(input, rng) {
                    let copy = input[block.clone()].to_vec();
                    splice(input, block.end..block.end, &copy);
                }
            }
            Mutation::SwapType => {
                const VALUES: [&str; 14] = [
                    "[]",
                    "{}",
                    "[1, 2]",
                    "{a: 1}",
                    "0",
                    "-1",
                    "18446744073709551616",
                    "1.5e308",
                    ".nan",
                    "true",
                    "null",
                    "~",
                    "\"\"",
                    "!custom tagged",
                ];
                replace_value(input, rng, |rng| VALUES[rng.below(VALUES.len())].to_string());
            }
            Mutation::DeepNesting => {
                let depth = pick(rng, &[limits::MAX_DEPTH - 2, limits::MAX_DEPTH, limits::MAX_DEPTH + 1, 300, 10_000]);
                match rng.below(3) {
                    0 => replace_value(input, rng, |_| format!("{}x{}", "[".repeat(depth), "]".repeat(depth))),
                    1 => replace_value(input, rng, |_| format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth))),
                    _ => replace_value(input, rng, |_| format!("\n{}x", "- ".repeat(depth))),
                }
            }
            Mutation::AliasBomb => {
                let width = 2 + rng.below(9);
                let levels = 2 + rng.below(8);
                replace_value(input, rng, |rng| match rng.below(4) {
                    0 => "&loop [1, *loop]".to_string(),
                    1 => {
                        // One large scalar repeated a few times, or just past the
                        // expanded-text limit, or far past it. (Just under the limit
                        // loads megabytes of text, seconds in a debug build; the
                        // limit's edge is tested in tests/loader_limits.rs.)
                        let scalar = "x".repeat(limits::MAX_SCALAR_BYTES / 16);
                        let at_limit = (limits::MAX_EXPANDED_BYTES / scalar.len() as u64) as usize;
                        let copies = pick(rng, &[4, at_limit + 1, 4 * at_limit]);
                        format!("[&big {scalar}, {}]", vec!["*big"; copies].join(", "))
                    }
                    _ => {
                        // The classic bomb: each level lists the previous one `width` times.
                        let mut bomb = format!("[&l0 [{}]", vec!["lol"; width].join(", "));
                        for level in 1..levels {
                            let refs = vec![format!("*l{}", level - 1); width].join(", ");
                            bomb.push_str(&format!(", &l{level} [{refs}]"));
                        }
                        bomb.push(']');
                        bomb
                    }
                });
            }
            Mutation::HugeScalar => {
                // Just under, at and just over the limit: far over costs time to scan
                // (a few MB/s in a debug build) and proves nothing more.
                let len =
                    pick(rng, &[limits::MAX_SCALAR_BYTES - 1, limits::MAX_SCALAR_BYTES, limits::MAX_SCALAR_BYTES + 1]);
                let huge = match rng.below(3) {
                    0 => "y".repeat(len),
                    1 => format!("\"{}\"", "\\u00e9".repeat(len / 6 + 1)),
                    _ => format!("{}: 1", "k".repeat(len)),
                };
                replace_value(input, rng, |_| huge.clone());
            }
            Mutation::InvalidUtf8 => {
                const BYTES: [&[u8]; 6] = [b"\xFF", b"\xFE\xFF", b"\xC0\xAF", b"\x80", b"\xE2\x82", b"\xED\xA0\x80"];
                let at = char_boundary(input, rng.below(input.len() + 1));
                splice(input, at..at, BYTES[rng.below(BYTES.len())]);
            }
            Mutation::ControlCharacter => {
                const CONTROLS: [&[u8]; 6] = [b"\x00", b"\x01", b"\x08", b"\x0B", b"\x1B", b"\x7F"];
                let at = char_boundary(input, rng.below(input.len() + 1));
                splice(input, at..at, CONTROLS[rng.below(CONTROLS.len())]);
            }
            Mutation::DeepTypeExpression => {
                let depth = pick(rng, &[MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 1_000, 30_000]);
                let container = ["array<", "map<", "one_or_many<"][rng.below(3)];
                let expression = format!("{}string{}", container.repeat(depth), ">".repeat(depth));
                let Ok(text) = std::str::from_utf8(input) else { return };
                let starts: Vec<usize> = text.match_indices("type: ").map(|(i, _)| i + "type: ".len()).collect();
                if starts.is_empty() {
                    return;
                }
                let start = starts[rng.below(starts.len())];
                let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                splice(input, start..end, expression.as_bytes());
            }
            Mutation::DocumentMarker => {
                let starts = line_starts(input);
                let at = starts[rng.below(starts.len())];
                let marker: &[u8] = if rng.chance(2) { b"---\n" } else { b"...\n" };
                splice(input, at..at, marker);
            }
            Mutation::Splice => {
                let donor = other.as_bytes().to_vec();
                let Some(block) = random_block(&donor, rng) else { return };
                let starts = line_starts(input);
                let at = starts[rng.below(starts.len())];
                splice(input, at..at, &donor[block]);
            }
            Mutation::Reindent => {
                let starts = line_starts(input);
                let at = starts[rng.below(starts.len())];
                let spaces = input[at..].iter().take_while(|&&b| b == b' ').count();
                match rng.below(3) {
                    0 => splice(input, at..at, b"  "),
                    1 => splice(input, at..at, b" "),
                    _ => {
                        input.drain(at..at + spaces.min(2));
                    }
                }
            }
        }
    }
}

/// A small deterministic generator (SplitMix64): runs must repeat exactly on
/// every machine, and the engine needs nothing a dependency would add.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for case `case` of the run seeded `seed`.
    pub fn for_case(seed: u64, case: u64) -> Self {
        let mut rng = Rng(seed ^ case.wrapping_mul(0xA24B_AED4_963E_E407));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True once in `n`.
    pub fn chance(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

fn pick<T: Copy>(rng: &mut Rng, choices: &[T]) -> T {
    choices[rng.below(choices.len())]
}

fn splice(input: &mut Vec<u8>, range: std::ops::Range<usize>, with: &[u8]) {
    input.splice(range, with.iter().copied());
}

/// The nearest UTF-8 character start at or before `at`, so an insertion damages
/// only what the mutation means to (a byte flip already covers split characters).
fn char_boundary(input: &[u8], mut at: usize) -> usize {
    while at > 0 && at < input.len() && (input[at] & 0b1100_0000) == 0b1000_0000 {
        at -= 1;
    }
    at
}

/// Offsets where lines start (always at least 0).
fn line_starts(input: &[u8]) -> Vec<usize> {
    std::iter::once(0).chain(input.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1)).collect()
}

/// A random non-blank line with the more-indented lines after it: a key and its
/// value, or a list item.
fn random_block(input: &[u8], rng: &mut Rng) -> Option<std::ops::Range<usize>> {
    let starts = line_starts(input);
    let line_end =
        |start: usize| input[start..].iter().position(|&b| b == b'\n').map_or(input.len(), |i| start + i + 1);
    let indent = |start: usize| input[start..].iter().take_while(|&&b| b == b' ').count();
    let blank = |start: usize| input[start..line_end(start)].iter().all(|b| b.is_ascii_whitespace());
    let candidates: Vec<usize> = starts.iter().copied().filter(|&s| s < input.len() && !blank(s)).collect();
    if candidates.is_empty() {
        return None;
    }
    let start = candidates[rng.below(candidates.len())];
    let own = indent(start);
    let mut end = line_end(start);
    while end < input.len() && (blank(end) || indent(end) > own) {
        end = line_end(end);
    }
    Some(start..end)
}

/// Replaces the value after the first `: ` or `- ` of a random line with `make`'s text.
fn replace_value(input: &mut Vec<u8>, rng: &mut Rng, make: impl FnOnce(&mut Rng) -> String) {
    let starts = line_starts(input);
    let spots: Vec<usize> = starts
        .iter()
        .filter_map(|&start| {
            let line = &input[start..];
            let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
            let colon = line.windows(2).position(|w| w == b": ").map(|i| i + 2);
            let dash = line.iter().position(|&b| b != b' ').filter(|&i| line[i..].starts_with(b"- ")).map(|i| i + 2);
            colon.or(dash).map(|i| start + i)
        })
        .collect();
    if spots.is_empty() {
        return;
    }
    let at = spots[rng.below(spots.len())];
    let end = input[at..].iter().position(|&b| b == b'\n').map_or(input.len(), |i| at + i);
    let value = make(rng);
    splice(input, at..end, value.as_bytes());
}

/// A mutated input, reproducible from the run's seed and its case number.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its number in the run.
    pub number: u64,
    /// The seed spec it came from.
    pub seed_spec: String,
    /// The seed spec's folder: the case is read as a file there, so its imports resolve.
    pub folder: PathBuf,
    /// The mutations applied, in order.
    pub mutations: Vec<Mutation>,
    /// The damaged file.
    pub input: Vec<u8>,
}

/// How many of every [`SCHEDULE_LENGTH`] cases each mutation leads. Huge
/// scalars are rare: one at the limit costs about a tenth of a second through
/// the front end in a debug build, and a few cases show all it can show.
const SCHEDULE: [(Mutation, u64); 14] = [
    (Mutation::ByteFlip, 8),
    (Mutation::Truncate, 8),
    (Mutation::DeleteKey, 8),
    (Mutation::DuplicateKey, 8),
    (Mutation::SwapType, 8),
    (Mutation::DeepNesting, 8),
    (Mutation::AliasBomb, 8),
    (Mutation::HugeScalar, 1),
    (Mutation::InvalidUtf8, 8),
    (Mutation::ControlCharacter, 8),
    (Mutation::DeepTypeExpression, 8),
    (Mutation::DocumentMarker, 8),
    (Mutation::Splice, 8),
    (Mutation::Reindent, 8),
];

const SCHEDULE_LENGTH: u64 = {
    let mut total = 0;
    let mut i = 0;
    while i < SCHEDULE.len() {
        total += SCHEDULE[i].1;
        i += 1;
    }
    total
};

/// The mutation at `slot` of the schedule, for `slot < SCHEDULE_LENGTH`.
fn scheduled(mut slot: u64) -> Mutation {
    for (mutation, share) in SCHEDULE {
        if slot < share {
            return mutation;
        }
        slot -= share;
    }
    Mutation::ByteFlip
}

/// Builds case `number` of the run seeded `seed`: the mutation its number gives
/// in the schedule, and a random second one in a case out of four.
pub fn case(seeds: &[SeedSpec], seed: u64, number: u64) -> Case {
    let mut rng = Rng::for_case(seed, number);
    let spec = weighted(seeds, &mut rng);
    let other = weighted(seeds, &mut rng);
    // Spread through the schedule (not in its order), so short runs meet every mutation.
    let mut mutations = vec![scheduled(number.wrapping_mul(SPREAD) % SCHEDULE_LENGTH)];
    if rng.chance(4) {
        mutations.push(scheduled(rng.below(SCHEDULE_LENGTH as usize) as u64));
    }
    let mut input = spec.text.as_bytes().to_vec();
    for mutation in &mutations {
        mutation.apply(&mut input, &other.text, &mut rng);
    }
    Case { number, seed_spec: spec.name.clone(), folder: spec.folder.clone(), mutations, input }
}

/// A step coprime with [`SCHEDULE_LENGTH`], so consecutive cases visit every
/// slot of the schedule once per cycle, in a mixed order.
const SPREAD: u64 = 41;

fn weighted<'s>(seeds: &'s [SeedSpec], rng: &mut Rng) -> &'s SeedSpec {
    let total: usize = seeds.iter().map(|s| s.weight.max(1)).sum();
    let mut pick = rng.below(total);
    for seed in seeds {
        if pick < seed.weight.max(1) {
            return seed;
        }
        pick -= seed.weight.max(1);
    }
    &seeds[0]
}

/// A case that broke the promise.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The case.
    pub case: Case,
    /// What went wrong.
    pub problem: String,
}

/// What a run found.
#[derive(Debug, Clone, Default)]
pub struct FuzzReport {
    /// Cases run.
    pub cases: u64,
    /// Cases the front end accepted (the mutation left a valid spec).
    pub accepted: u64,
    /// Cases refused with diagnostics.
    pub rejected: u64,
    /// Diagnostics seen, all checked for a position.
    pub diagnostics: u64,
    /// Panics, slow cases and unlocated diagnostics.
    pub failures: Vec<Failure>,
    /// Cases per mutation (a case with two counts for both).
    pub per_mutation: BTreeMap<Mutation, u64>,
    /// Time spent in the front end per mutation, measured as [`SLOW`] is (a case
    /// with two counts for both).
    pub time_per_mutation: BTreeMap<Mutation, Duration>,
    /// The slowest case and its time (on the CPU where known, see [`SLOW`]).
    pub slowest: Option<(u64, Duration)>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl FuzzReport {
    /// A few lines for a terminal: counts, the slowest case, each failure.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} cases in {:.1} s: {} accepted, {} rejected with {} diagnostics, {} failures\n",
            self.cases,
            self.elapsed.as_secs_f64(),
            self.accepted,
            self.rejected,
            self.diagnostics,
            self.failures.len()
        );
        if let Some((case, time)) = self.slowest {
            out.push_str(&format!("slowest: case {case}, {:.0} ms\n", time.as_secs_f64() * 1000.0));
        }
        let kinds: Vec<String> = self
            .per_mutation
            .iter()
            .map(|(m, n)| {
                let time = self.time_per_mutation.get(m).copied().unwrap_or_default();
                format!("{m:?} {n} ({:.1} s)", time.as_secs_f64())
            })
            .collect();
        out.push_str(&format!("mutations (cases, time in the front end): {}\n", kinds.join(", ")));
        for failure in &self.failures {
            out.push_str(&format!(
                "FAILED case {} ({} with {:?}, {} bytes): {}\n",
                failure.case.number,
                failure.case.seed_spec,
                failure.case.mutations,
                failure.case.input.len(),
                failure.problem
            ));
        }
        out
    }

    /// Writes each failing input to `dir/case-N.yaml`, to reproduce by hand.
    pub fn save_failures(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        self.failures
            .iter()
            .map(|failure| {
                let path = dir.join(format!("case-{}.yaml", failure.case.number));
                std::fs::write(&path, &failure.case.input)?;
                Ok(path)
            })
            .collect()
    }
}

/// What a case goes through: what `cargo xtask codegen` runs for a spec, load
/// (with the checks) and lowering. The file name is only used in messages.
pub fn front_end(path: &Path, input: Vec<u8>) -> Result<(), Diagnostics> {
    let label = path.display().to_string();
    crate::spec::load::load_bytes(path, input).and_then(|loaded| crate::ir::lower(&loaded, &label)).map(|_| ())
}

/// Signature of [`front_end`], so tests can check the harness with one that misbehaves.
pub type FrontEnd = fn(&Path, Vec<u8>) -> Result<(), Diagnostics>;

/// Runs cases `0..cases` of the run seeded `seed` through [`front_end`] on `threads` threads.
pub fn run(seeds: &[SeedSpec], cases: u64, seed: u64, threads: usize) -> FuzzReport {
    run_with(front_end, seeds, cases, seed, threads)
}

/// [`run`] through another front end.
pub fn run_with(front_end: FrontEnd, seeds: &[SeedSpec], cases: u64, seed: u64, threads: usize) -> FuzzReport {
    let start = Instant::now();
    let threads = threads.max(1) as u64;
    let mut report = FuzzReport::default();
    if seeds.is_empty() {
        return report;
    }
    let partial: Vec<FuzzReport> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                std::thread::Builder::new()
                    .stack_size(CASE_STACK_BYTES)
                    .spawn_scoped(scope, move || {
                        let mut report = FuzzReport::default();
                        for number in (worker..cases).step_by(threads as usize) {
                            run_case(front_end, case(seeds, seed, number), &mut report);
                        }
                        report
                    })
                    .map_err(|err| err.to_string())
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| match worker {
                Ok(handle) => handle.join().unwrap_or_else(|_| thread_failure("a fuzz worker died")),
                Err(err) => thread_failure(&format!("cannot start a fuzz worker: {err}")),
            })
            .collect()
    });
    for part in partial {
        report.cases += part.cases;
        report.accepted += part.accepted;
        report.rejected += part.rejected;
        report.diagnostics += part.diagnostics;
        report.failures.extend(part.failures);
        for (mutation, n) in part.per_mutation {
            *report.per_mutation.entry(mutation).or_default() += n;
        }
        for (mutation, time) in part.time_per_mutation {
            *report.time_per_mutation.entry(mutation).or_default() += time;
        }
        report.slowest = slower(report.slowest, part.slowest);
    }
    report.failures.sort_by_key(|f| f.case.number);
    report.elapsed = start.elapsed();
    report
}

/// A report that says the run itself could not be made.
fn thread_failure(problem: &str) -> FuzzReport {
    let case = Case {
        number: u64::MAX,
        seed_spec: String::new(),
        folder: PathBuf::new(),
        mutations: Vec::new(),
        input: Vec::new(),
    };
    FuzzReport { failures: vec![Failure { case, problem: problem.to_string() }], ..FuzzReport::default() }
}

/// The slower of two cases.
fn slower(a: Option<(u64, Duration)>, b: Option<(u64, Duration)>) -> Option<(u64, Duration)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.1 > a.1 { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn run_case(front_end: FrontEnd, case: Case, report: &mut FuzzReport) {
    report.cases += 1;
    for mutation in &case.mutations {
        *report.per_mutation.entry(*mutation).or_default() += 1;
    }
    // Named as if it sat beside its seed (it is never written), so the shared files
    // the seed imports are read and the whole front end runs.
    let path = if case.folder.as_os_str().is_empty() {
        PathBuf::from(format!("fuzz/case-{}.yaml", case.number))
    } else {
        case.folder.join(format!("fuzz-case-{}.yaml", case.number))
    };
    let input = case.input.clone();
    let (started, cpu_started) = (Instant::now(), thread_cpu_time());
    let outcome = catch_unwind(AssertUnwindSafe(|| front_end(&path, input)));
    let wall = started.elapsed();
    let time = match (cpu_started, thread_cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => wall,
    };
    report.slowest = slower(report.slowest, Some((case.number, time)));
    for mutation in &case.mutations {
        *report.time_per_mutation.entry(*mutation).or_default() += time;
    }
    let mut problems = Vec::new();
    if time > SLOW {
        problems.push(format!("took {:.2} s (limit {:.0} s)", time.as_secs_f64(), SLOW.as_secs_f64()));
    } else if wall > STUCK {
        problems.push(format!(
            "took {:.1} s of wall-clock time (limit {:.0} s)",
            wall.as_secs_f64(),
            STUCK.as_secs_f64()
        ));
    }
    match outcome {
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-text panic".to_string());
            problems.push(format!("panicked: {message}"));
        }
        Ok(Ok(_)) => report.accepted += 1,
        Ok(Err(diagnostics)) => {
            report.rejected += 1;
            report.diagnostics += diagnostics.items().len() as u64;
            // A position must exist and fall inside the file (one line past the last
            // is where the end of a file cut short is shown); a problem in a file the
            // case imports is located in that file, which was not mutated.
            let lines = case.input.iter().filter(|&&b| b == b'\n').count() + 1;
            for d in diagnostics.items() {
                let in_case = d.file == path;
                match d.position {
                    None => problems.push(format!("diagnostic without a position: {d}")),
                    Some(p) if p.line == 0 || p.column == 0 || (in_case && p.line > lines + 1) => {
                        problems.push(format!("diagnostic outside the file ({lines} lines): {d}"))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    if !problems.is_empty() {
        let mut problem = problems.join("; ");
        // Keep a long message readable: the first problems say enough.
        if problem.len() > 600 {
            let mut cut = 600;
            while !problem.is_char_boundary(cut) {
                cut -= 1;
            }
            problem.truncate(cut);
            problem.push_str("...");
        }
        report.failures.push(Failure { case, problem });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds() -> Vec<SeedSpec> {
        vec![SeedSpec {
            name: "mini".into(),
            text: "provider:\n  name: x\n  auth:\n    - kind: bearer\ntypes: []\n".into(),
            weight: 1,
            folder: PathBuf::new(),
        }]
    }

    /// Misbehaves on purpose: panics on a `!`, reports an unlocated problem on a
    /// `?`, so the harness is seen to catch both.
    fn faulty_front_end(path: &Path, input: Vec<u8>) -> Result<(), Diagnostics> {
        if input.contains(&b'!') {
            panic!("a deliberate panic");
        }
        if input.contains(&b'?') {
            let mut diagnostics = Diagnostics::new();
            diagnostics.push(crate::Diagnostic {
                file: path.to_path_buf(),
                position: None,
                yaml_path: String::new(),
                message: "somewhere".into(),
            });
            return Err(diagnostics);
        }
        Ok(())
    }

    #[test]
    fn the_harness_reports_panics_and_unlocated_problems() {
        let seeds = vec![
            SeedSpec { name: "panics".into(), text: "a: !\n".into(), weight: 1, folder: PathBuf::new() },
            SeedSpec { name: "unlocated".into(), text: "a: ?\n".into(), weight: 1, folder: PathBuf::new() },
        ];
        // Quiet the deliberate panics' messages.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let report = run_with(faulty_front_end, &seeds, 40, 1, 2);
        std::panic::set_hook(hook);
        let panics = report.failures.iter().filter(|f| f.problem.contains("panicked: a deliberate panic")).count();
        let unlocated = report.failures.iter().filter(|f| f.problem.contains("without a position")).count();
        // Most mutations leave the marker byte in place; some delete or truncate it away.
        assert!(panics >= 5 && unlocated >= 5, "{}", report.summary());
        assert_eq!(report.cases, 40);
    }

    #[test]
    fn cases_repeat_exactly() {
        let seeds = seeds();
        for number in 0..40 {
            assert_eq!(case(&seeds, 7, number).input, case(&seeds, 7, number).input, "case {number}");
        }
        let differs = (0..40).any(|n| case(&seeds, 7, n).input != case(&seeds, 8, n).input);
        assert!(differs, "another seed must give other inputs");
    }

    #[test]
    fn blocks_are_a_key_with_its_value() {
        let input = b"a:\n  b: 1\n  c: 2\nd: 3\n";
        let blocks: std::collections::BTreeSet<_> = (0..50)
            .filter_map(|n| random_block(input, &mut Rng::for_case(1, n)))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|r| (r.start, r.end))
            .collect();
        assert!(blocks.contains(&(0, 17)), "{blocks:?}");
        assert!(blocks.contains(&(3, 10)), "{blocks:?}");
    }

    #[test]
    fn a_small_run_finds_nothing_and_counts_every_case() {
        let report = run(&seeds(), SCHEDULE_LENGTH, 3, 2);
        assert_eq!(report.cases, SCHEDULE_LENGTH);
        assert_eq!(report.accepted + report.rejected, report.cases);
        assert!(report.failures.is_empty(), "{}", report.summary());
        // One cycle of the schedule leads with each mutation as often as its share.
        for (mutation, share) in SCHEDULE {
            assert!(report.per_mutation.get(&mutation).copied().unwrap_or(0) >= share, "{mutation:?}");
        }
    }
}
