//! Model tables: which models a provider offers and what each can do.
//!
//! Generated code emits one `&'static [ModelInfo]` per model table; rules and
//! users read capabilities from it instead of hard-coding model names.

/// A capability value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// A numeric limit such as the maximum number of reference images.
    Limit(u64),
    /// A set of allowed values such as aspect ratios.
    Values(&'static [&'static str]),
}

/// One model and its capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    /// Model id on the wire.
    pub id: &'static str,
    /// Other accepted ids.
    pub aliases: &'static [&'static str],
    /// Model family (`gemini`, `gpt`), if the docs group models.
    pub family: Option<&'static str>,
    /// Whether the provider uses this model when a request names none.
    pub is_default: bool,
    /// Deprecation note.
    pub deprecated: Option<&'static str>,
    /// Named capabilities.
    pub capabilities: &'static [(&'static str, Capability)],
}

impl ModelInfo {
    /// A numeric capability.
    pub fn limit(&self, name: &str) -> Option<u64> {
        self.capabilities.iter().find_map(|(n, c)| match c {
            Capability::Limit(l) if *n == name => Some(*l),
            _ => None,
        })
    }

    /// A list capability.
    pub fn values(&self, name: &str) -> Option<&'static [&'static str]> {
        self.capabilities.iter().find_map(|(n, c)| match c {
            Capability::Values(v) if *n == name => Some(*v),
            _ => None,
        })
    }

    /// Whether `id` names this model, by its id or an alias.
    pub fn matches(&self, id: &str) -> bool {
        self.id == id || self.aliases.contains(&id)
    }
}

/// Finds a model by id or alias in a table.
pub fn find(table: &'static [ModelInfo], id: &str) -> Option<&'static ModelInfo> {
    table.iter().find(|m| m.matches(id))
}

/// The table's default model.
pub fn default_model(table: &'static [ModelInfo]) -> Option<&'static ModelInfo> {
    table.iter().find(|m| m.is_default)
}
