//! The model table, compared at spec level: the default model, each model's
//! family, capabilities (limits and allowed values read by rules), and what a
//! model requires or rejects. Models added or removed are enum values and are
//! reported by `enums`.

use std::collections::BTreeSet;

use super::change::{Area, Changes, Impact};
use super::display::{code_list, value};
use crate::ir::EnumIr;
use crate::spec::model::{Capability, ModelDef, ModelsDef};

/// Compares one model table present in both versions; `ir` supplies the Rust names.
pub fn compare(out: &mut Changes, ir: &EnumIr, old: &ModelsDef, new: &ModelsDef) {
    if old.default != new.default {
        out.compatible(
            Area::Models,
            &ir.rust_name,
            format!(
                "default model {} → {}",
                old.default.as_deref().map_or("none".to_string(), |d| format!("`{d}`")),
                new.default.as_deref().map_or("none".to_string(), |d| format!("`{d}`"))
            ),
            "the server picks it when a request names no model; code keeps compiling",
        );
    }
    for om in &old.models {
        // A model renamed with its old id kept as an alias is the same model.
        let nm = new
            .models
            .iter()
            .find(|m| m.id == om.id)
            .or_else(|| new.models.iter().find(|m| m.aliases.iter().any(|a| a.value == om.id)));
        if let Some(nm) = nm {
            model(out, &subject(ir, nm), om, nm);
        }
    }
}

fn subject(ir: &EnumIr, m: &ModelDef) -> String {
    let variant = ir.variants.iter().find(|v| v.wire == m.id).map_or(m.id.as_str(), |v| v.rust_name.as_str());
    format!("{}::{variant}", ir.rust_name)
}

fn model(out: &mut Changes, subject: &str, old: &ModelDef, new: &ModelDef) {
    if old.family != new.family {
        out.breaking(
            Area::Models,
            subject,
            format!(
                "family `{}` → `{}`",
                old.family.as_deref().unwrap_or("none"),
                new.family.as_deref().unwrap_or("none")
            ),
            "rules and fields that depend on a model family now apply differently to this model",
        );
    }
    let keys: BTreeSet<&String> = old.capabilities.keys().chain(new.capabilities.keys()).collect();
    for key in keys {
        capability(out, subject, key, old.capabilities.get(key), new.capabilities.get(key));
    }
    let old_requires: Vec<String> =
        old.requires.iter().map(|r| format!("{} = {}", r.field, value(&r.equals))).collect();
    let new_requires: Vec<String> =
        new.requires.iter().map(|r| format!("{} = {}", r.field, value(&r.equals))).collect();
    for r in new_requires.iter().filter(|r| !old_requires.contains(r)) {
        out.breaking(
            Area::Models,
            subject,
            format!("now requires `{r}`"),
            "`validate()` now rejects requests for this model without it",
        );
    }
    for r in old_requires.iter().filter(|r| !new_requires.contains(r)) {
        out.compatible(
            Area::Models,
            subject,
            format!("no longer requires `{r}`"),
            "every request accepted before is still accepted",
        );
    }
    let rejected = |m: &ModelDef| -> Vec<String> {
        m.rejects.iter().flat_map(|r| r.values.iter().map(move |v| format!("{} = {}", r.field, value(v)))).collect()
    };
    let (old_rejects, new_rejects) = (rejected(old), rejected(new));
    for r in new_rejects.iter().filter(|r| !old_rejects.contains(r)) {
        out.breaking(
            Area::Models,
            subject,
            format!("now rejects `{r}`"),
            "`validate()` now rejects requests for this model with it",
        );
    }
    for r in old_rejects.iter().filter(|r| !new_rejects.contains(r)) {
        out.compatible(
            Area::Models,
            subject,
            format!("no longer rejects `{r}`"),
            "every request accepted before is still accepted",
        );
    }
}

/// Capabilities are read by rules: a lower limit or fewer allowed values rejects more requests.
fn capability(out: &mut Changes, subject: &str, key: &str, old: Option<&Capability>, new: Option<&Capability>) {
    const TIGHTER: &str = "`validate()` now rejects requests the previous version accepted";
    const LOOSER: &str = "every request accepted before is still accepted";
    let (impact, what) = match (old, new) {
        (None, None) => return,
        (None, Some(c)) => (Impact::Breaking, format!("capability `{key}` added: {}", show(c))),
        (Some(c), None) => (Impact::Compatible, format!("capability `{key}` removed (was {})", show(c))),
        (Some(Capability::Limit(a)), Some(Capability::Limit(b))) if a == b => return,
        (Some(Capability::Limit(a)), Some(Capability::Limit(b))) => {
            let impact = if b < a { Impact::Breaking } else { Impact::Compatible };
            (impact, format!("capability `{key}` {a} → {b}"))
        }
        (Some(Capability::Values(a)), Some(Capability::Values(b))) => {
            let removed: Vec<&String> = a.iter().filter(|v| !b.contains(v)).collect();
            let added: Vec<&String> = b.iter().filter(|v| !a.contains(v)).collect();
            if removed.is_empty() && added.is_empty() {
                return;
            }
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("adds {}", code_list(&added)));
            }
            if !removed.is_empty() {
                parts.push(format!("drops {}", code_list(&removed)));
            }
            let impact = if removed.is_empty() { Impact::Compatible } else { Impact::Breaking };
            (impact, format!("capability `{key}` {}", parts.join(", ")))
        }
        (Some(a), Some(b)) => (Impact::Breaking, format!("capability `{key}` changes kind: {} → {}", show(a), show(b))),
    };
    let reason = if impact == Impact::Breaking { TIGHTER } else { LOOSER };
    out.record(impact, Area::Models, subject, what, reason);
}

fn show(c: &Capability) -> String {
    match c {
        Capability::Limit(n) => n.to_string(),
        Capability::Values(v) => format!("[{}]", v.join(", ")),
    }
}
