//! The spec language: data model, loader and semantic checks.

pub mod check;
pub mod field_path;
pub mod imports;
pub mod load;
pub mod lookup;
pub mod model;
pub mod positions;
pub mod sources;
pub mod type_expr;

pub use imports::{DiskFiles, SpecFiles};
pub use load::{load_file, load_str, load_with, LoadedSpec};
pub use model::Spec;
