//! The spec language: data model, loader and semantic checks.

pub mod check;
pub mod field_path;
pub mod load;
pub mod lookup;
pub mod model;
pub mod positions;
pub mod type_expr;

pub use load::{load_file, load_str, LoadedSpec};
pub use model::Spec;
