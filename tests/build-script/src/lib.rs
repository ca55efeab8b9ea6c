//! A client for the (fictional) Acme image API, generated at build time from
//! `specs/acme.yaml` by `imagegen_codegen::Builder` in `build.rs`.

/// The runtime, where the generated module looks for it (`crate::runtime`).
pub use imagegen_runtime as runtime;

include!(concat!(env!("OUT_DIR"), "/acme.rs"));
