//! Name lookups over a spec: types by name, fields by dotted path.

use std::collections::BTreeMap;

use super::model::{Field, ModelsDef, ObjectDef, Spec, TypeDef};
use super::type_expr::TypeExpr;

/// Types of a spec by name.
#[derive(Debug)]
pub struct SpecIndex<'a> {
    types: BTreeMap<&'a str, (usize, &'a TypeDef)>,
}

/// One step of a resolved field path.
#[derive(Debug, Clone)]
pub struct PathStep<'a> {
    /// The field.
    pub field: &'a Field,
    /// Its parsed type.
    pub ty: TypeExpr,
}

impl<'a> SpecIndex<'a> {
    /// Indexes the spec's types (the first of duplicate names wins).
    pub fn new(spec: &'a Spec) -> Self {
        let mut types = BTreeMap::new();
        for (i, t) in spec.types.iter().enumerate() {
            types.entry(t.name()).or_insert((i, t));
        }
        Self { types }
    }

    /// A type by name.
    pub fn get(&self, name: &str) -> Option<&'a TypeDef> {
        self.types.get(name).map(|(_, t)| *t)
    }

    /// Position of a type in the spec's `types` list.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.types.get(name).map(|(i, _)| *i)
    }

    /// An object type by name.
    pub fn object(&self, name: &str) -> Option<&'a ObjectDef> {
        match self.get(name)? {
            TypeDef::Object(o) => Some(o),
            _ => None,
        }
    }

    /// A models type by name.
    pub fn models(&self, name: &str) -> Option<&'a ModelsDef> {
        match self.get(name)? {
            TypeDef::Models(m) => Some(m),
            _ => None,
        }
    }

    /// Resolves `imageConfig.aspectRatio` through nested objects, starting at `object`.
    /// Every step but the last must be an object (or optional object) field.
    pub fn resolve_path(&self, object: &'a ObjectDef, path: &str) -> Result<Vec<PathStep<'a>>, String> {
        let mut steps = Vec::new();
        let mut current = object;
        let segments: Vec<&str> = path.split('.').collect();
        for (i, segment) in segments.iter().enumerate() {
            let field = current
                .fields
                .iter()
                .find(|f| f.name == *segment)
                .ok_or_else(|| format!("`{}` has no field `{segment}`", current.name))?;
            let ty = field.ty.parsed()?.clone();
            if i + 1 < segments.len() {
                current = match &ty {
                    TypeExpr::Named(n) => self
                        .object(n)
                        .ok_or_else(|| format!("`{segment}` is not an object, so `{path}` cannot go through it"))?,
                    _ => return Err(format!("`{segment}` is not an object, so `{path}` cannot go through it")),
                };
            }
            steps.push(PathStep { field, ty });
        }
        Ok(steps)
    }
}
