//! Named constructors of object types (`Content::user(parts)` sets `role: user`).

use std::collections::{BTreeMap, BTreeSet};

use super::Checker;
use crate::diagnostics::suggest::did_you_mean;
use crate::spec::model::*;
use crate::spec::positions::{join_index, join_key};

impl Checker<'_> {
    pub(super) fn constructors(&mut self, o: &ObjectDef, path: &str) {
        let mut names = BTreeMap::new();
        let field_names: Vec<&str> = o.fields.iter().map(|f| f.name.as_str()).collect();
        for (i, c) in o.constructors.iter().enumerate() {
            let cpath = join_index(&join_key(path, "constructors"), i);
            self.constructor_name(c, &cpath);
            if let Some(first) = names.insert(c.name.as_str(), i) {
                self.r.error(
                    &join_key(&cpath, "name"),
                    format!("`{}` has two constructors named `{}` (first at constructors[{first}])", o.name, c.name),
                );
            }
            // Each argument is a field, taken once.
            let mut taken = BTreeSet::new();
            for (j, arg) in c.args.iter().enumerate() {
                let apath = join_index(&join_key(&cpath, "args"), j);
                if !field_names.contains(&arg.as_str()) {
                    let hint = did_you_mean(arg, &field_names);
                    self.r.error(&apath, format!("`{}` has no field `{arg}`{hint}", o.name));
                } else if !taken.insert(arg.as_str()) {
                    self.r.error(&apath, format!("`{arg}` is taken twice"));
                }
            }
            // A fixed value is a scalar the field accepts, for a field not also taken.
            for (key, value) in &c.set {
                let spath = join_key(&join_key(&cpath, "set"), key);
                let Some(field) = o.fields.iter().find(|f| &f.name == key) else {
                    let hint = did_you_mean(key, &field_names);
                    self.r.error_at_key(&spath, format!("`{}` has no field `{key}`{hint}", o.name));
                    continue;
                };
                if taken.contains(key.as_str()) {
                    self.r.error_at_key(&spath, format!("`{key}` is both an argument and set to a value"));
                } else if !(value.is_string() || value.is_number() || value.is_boolean()) {
                    self.r.error(&spath, format!("a constructor sets a string, number or boolean, not `{value}`"));
                } else if let Ok(ty) = field.ty.parsed() {
                    self.value(ty, Some(field), value, &spath, &[]);
                }
            }
            // Rust has no default for a required field: the constructor must give one.
            let missing: Vec<String> = o
                .fields
                .iter()
                .filter(|f| f.required && !taken.contains(f.name.as_str()) && !c.set.contains_key(&f.name))
                .map(|f| format!("`{}`", f.name))
                .collect();
            if !missing.is_empty() {
                self.r.error(
                    &cpath,
                    format!(
                        "constructor `{}` gives no value to the required field(s) {}: take them in `args` or fix them in `set`",
                        c.name,
                        missing.join(", ")
                    ),
                );
            }
        }
    }

    // The name becomes `pub fn <name>` as it is written (a clash with a generated
    // method is reported when the methods are named, in the lowering).
    fn constructor_name(&mut self, c: &Constructor, cpath: &str) {
        let name = c.name.as_str();
        let snake = name.starts_with(|ch: char| ch.is_ascii_lowercase())
            && name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            && syn::parse_str::<syn::Ident>(name).is_ok();
        if !snake {
            self.r.error(
                &join_key(cpath, "name"),
                format!("`{name}` is not a snake_case function name (a Rust keyword is not one either)"),
            );
        }
    }
}
