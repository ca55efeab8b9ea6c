//! The front end over damaged real specs: byte flips, truncations, deleted and
//! duplicated keys, swapped types, deep nesting, alias bombs, huge scalars,
//! invalid UTF-8 and more (`imagegen_codegen::fuzz::Mutation`). Every case
//! must end in a spec or in diagnostics that all carry a line and column, in
//! under a second, without a panic. A fixed seed keeps the run repeatable; the
//! longer run is `cargo xtask fuzz`.

use std::path::Path;

use imagegen_codegen::fuzz::{self, Mutation};

/// Enough for every mutation to meet every seed spec several times, and small
/// enough for a debug `cargo test` (a few seconds on two cores).
const CASES: u64 = 2_000;

/// Fixed, so a failure here is case N of this seed in `cargo xtask fuzz --seed` too.
const SEED: u64 = 14;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

#[test]
fn mutated_specs_never_crash_hang_or_lose_their_location() {
    let seeds = fuzz::seed_specs(workspace_root()).expect("readable specs/ and tests/specs/");
    assert!(seeds.iter().any(|s| s.name.starts_with("specs/")), "the providers' specs must be among the seeds");
    let report = fuzz::run(&seeds, CASES, SEED, 2);
    eprint!("{}", report.summary());
    assert_eq!(report.cases, CASES);
    assert!(report.failures.is_empty(), "{}", report.summary());
    // A run where every case is refused at the first byte would prove little:
    // most mutations must reach the checks, and some must leave a valid spec.
    assert!(report.accepted > 0, "no mutated spec was accepted:\n{}", report.summary());
    assert!(report.diagnostics > report.rejected, "{}", report.summary());
    for mutation in Mutation::ALL {
        assert!(report.per_mutation.get(&mutation).copied().unwrap_or(0) >= 10, "{mutation:?} ran too rarely");
    }
}
