//! Model tables, and the objects that select a model: families and per-model requirements.

use std::collections::BTreeSet;

use super::{is_scalar, Checker};
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};
use crate::spec::type_expr::TypeExpr;

impl<'a> Checker<'a> {
    pub(super) fn models(&mut self, m: &ModelsDef, path: &str) {
        if m.models.is_empty() {
            self.r.error(&join_key(path, "models"), format!("model table `{}` has no models", m.name));
        }
        // `requires`/`rejects` become comparisons in `validate()`, which compare scalars.
        for (i, d) in m.models.iter().enumerate() {
            let mpath = join_index(&join_key(path, "models"), i);
            let requires = d
                .requires
                .iter()
                .enumerate()
                .map(|(j, r)| (&r.equals, join_key(&join_index(&join_key(&mpath, "requires"), j), "equals")));
            let rejects = d.rejects.iter().enumerate().flat_map(|(j, r)| {
                let rpath = join_key(&join_index(&join_key(&mpath, "rejects"), j), "values");
                r.values.iter().enumerate().map(move |(k, v)| (v, join_index(&rpath, k)))
            });
            for (value, vpath) in requires.chain(rejects).filter(|(v, _)| !is_scalar(v)).collect::<Vec<_>>() {
                self.r
                    .error(&vpath, format!("a model constraint compares one string, number or boolean, not `{value}`"));
            }
        }
        let ids = m.models.iter().enumerate().flat_map(|(i, d)| {
            let mpath = join_index(&join_key(path, "models"), i);
            let aliases =
                d.aliases.iter().enumerate().map(move |(j, a)| {
                    (a.value.as_str(), join_key(&join_index(&join_key(&mpath, "aliases"), j), "value"))
                });
            std::iter::once((d.id.as_str(), join_key(&join_index(&join_key(path, "models"), i), "id"))).chain(aliases)
        });
        self.unique_values(ids.collect::<Vec<_>>().into_iter(), "model id");
        if let Some(default) = &m.default {
            if !m.models.iter().any(|d| &d.id == default) {
                self.r.error(&join_key(path, "default"), format!("default model `{default}` is not in the table"));
            }
        }
    }
    // In an object that selects a model, a field's `families` warn when the model is of
    // another family; a family no model has would warn on every request.
    pub(super) fn field_families(&mut self, o: &ObjectDef, path: &str) {
        let models = o.fields.iter().find_map(|f| self.index.models(f.ty.named()?));
        let Some(models) = models else { return };
        let known: BTreeSet<&str> = models.models.iter().filter_map(|m| m.family.as_deref()).collect();
        for (i, f) in o.fields.iter().enumerate() {
            for (j, family) in f.families.iter().enumerate() {
                if !known.contains(family.as_str()) {
                    let listed: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    let hint = if listed.is_empty() {
                        "; its models declare no `family`".to_string()
                    } else {
                        format!("; its families are {}", listed.join(", "))
                    };
                    self.r.error(
                        &join_index(&join_key(&join_index(&join_key(path, "fields"), i), "families"), j),
                        format!("no model in `{}` has family `{family}`{hint}", models.name),
                    );
                }
            }
        }
    }
    // A model's `requires`/`rejects` name fields of every object that selects the model.
    pub(super) fn model_requirements(&mut self, o: &'a ObjectDef, path: &str) {
        for (i, f) in o.fields.iter().enumerate() {
            let Ok(TypeExpr::Named(n)) = f.ty.parsed() else {
                continue;
            };
            let Some(models) = self.index.models(n) else { continue };
            for m in &models.models {
                let fields = m.requires.iter().map(|r| &r.field).chain(m.rejects.iter().map(|r| &r.field));
                for field in fields {
                    if let Err(msg) = self.index.resolve_path(o, field) {
                        let fpath = join_key(&join_index(&join_key(path, "fields"), i), "type");
                        self.r.error(
                            &fpath,
                            format!(
                                "model `{}` of `{}` constrains a field this object lacks: {msg}",
                                m.id, models.name
                            ),
                        );
                    }
                }
            }
        }
    }
}
