//! imagegen-codegen: turns provider specs (YAML) into typed Rust clients.
//!
//! The pipeline runs one way: [`spec`] loads and checks YAML, [`ir`] lowers a
//! checked spec into Rust-shaped decisions (names, types, rules), [`emit`]
//! turns the IR into token streams, and [`files`] formats them into the files
//! of the generated crate and compares them with the disk.

pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod files;
// The mutation engine of `tests/loader_fuzz.rs` and `cargo xtask fuzz`, not API.
#[doc(hidden)]
pub mod fuzz;
pub mod ir;
pub mod spec;
pub mod standalone;

pub use diagnostics::{Diagnostic, Diagnostics, Position};
pub use files::GeneratedFile;
pub use standalone::{generate_crate, Builder, CrateOptions};
