//! Name lookups over a spec: types by name, fields by dotted path.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Field, ModelsDef, ObjectDef, Spec, TypeDef};
use super::type_expr::TypeExpr;

/// Types of a spec by name.
#[derive(Debug)]
pub struct SpecIndex<'a> {
    types: BTreeMap<&'a str, (usize, &'a TypeDef)>,
    /// Object and one_of types that can carry a base64 payload somewhere inside.
    image_types: BTreeSet<&'a str>,
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
        let image_types = image_types(&types);
        Self { types, image_types }
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

    /// Whether a value of type `ty` can carry a base64 payload (an image) somewhere
    /// inside, through containers, object fields and one_of members: the one answer
    /// the checker (`repeats_images_of`) and lowering (`CollectImages` impls) share.
    pub fn holds_images(&self, ty: &TypeExpr) -> bool {
        match ty {
            TypeExpr::Base64 => true,
            TypeExpr::Array(inner) | TypeExpr::Map(inner) | TypeExpr::OneOrMany(inner) => self.holds_images(inner),
            TypeExpr::Named(name) => self.image_types.contains(name.as_str()),
            _ => false,
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

/// The object and one_of types that can carry base64 somewhere inside: those holding
/// it directly, then, walking references backwards, every type that holds one of
/// them (through containers too). Linear in the number of references, so a long
/// chain of types costs no more than a wide one, and cycles end by themselves.
fn image_types<'a>(types: &BTreeMap<&'a str, (usize, &'a TypeDef)>) -> BTreeSet<&'a str> {
    let mut direct = Vec::new();
    let mut held_by: BTreeMap<&'a str, Vec<&'a str>> = BTreeMap::new();
    for (&name, (_, def)) in types {
        let held: Vec<&'a TypeExpr> = match def {
            TypeDef::Object(o) => o.fields.iter().filter_map(|f| f.ty.parsed().ok()).collect(),
            TypeDef::OneOf(o) => o.variants.iter().filter_map(|v| v.ty.parsed().ok()).collect(),
            _ => Vec::new(),
        };
        for ty in held {
            let mut leaf = ty;
            while let TypeExpr::Array(inner) | TypeExpr::Map(inner) | TypeExpr::OneOrMany(inner) = leaf {
                leaf = inner;
            }
            match leaf {
                TypeExpr::Base64 => direct.push(name),
                TypeExpr::Named(other) => held_by.entry(other.as_str()).or_default().push(name),
                _ => {}
            }
        }
    }
    let mut found = BTreeSet::new();
    while let Some(name) = direct.pop() {
        if found.insert(name) {
            direct.extend(held_by.get(name).into_iter().flatten().copied());
        }
    }
    found
}
