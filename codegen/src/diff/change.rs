//! What one difference between two spec versions means for users of the generated crate.

/// Whether a change can break code written against the previous generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Code that compiled and ran against the old crate may stop compiling, or
    /// requests it built may now be rejected by `validate()`.
    Breaking,
    /// Existing code keeps compiling and working; something was added, loosened or deprecated.
    Compatible,
}

/// Which part of the generated API a change touches; the report groups by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    /// Provider facts: module, base URL, auth, key variable, the error envelopes it answers with.
    Provider,
    /// Declared error envelopes: how error bodies are read and which are retried.
    Errors,
    /// Client methods.
    Operations,
    /// Generated types as a whole.
    Types,
    /// Struct fields.
    Fields,
    /// Value limits checked by `validate()`.
    Limits,
    /// String enum values, their aliases and catch-alls.
    EnumValues,
    /// The model table: models, capabilities, requirements.
    Models,
    /// Cross-field rules checked by `validate()`.
    Rules,
}

impl Area {
    /// Section heading in the report.
    pub fn heading(self) -> &'static str {
        match self {
            Area::Provider => "Provider",
            Area::Errors => "Error envelopes",
            Area::Operations => "Operations",
            Area::Types => "Types",
            Area::Fields => "Fields",
            Area::Limits => "Limits",
            Area::EnumValues => "Enum values",
            Area::Models => "Models",
            Area::Rules => "Rules",
        }
    }
}

/// One change to the generated API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where it belongs in the report.
    pub area: Area,
    /// The Rust item touched, as a user would write it (`GenerateImageRequest.model`, `ImageModel::Gemini3ProImage`).
    pub subject: String,
    /// What changed, in a sentence.
    pub description: String,
    /// Breaking or compatible.
    pub impact: Impact,
    /// Why it is classified that way, from the user's side.
    pub reason: String,
}

/// A change to documentation only: the text of a doc comment, nothing a compiler or `validate()` sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocChange {
    /// The documented item.
    pub subject: String,
    /// Which of its texts, when it has more than one (a rule's message).
    pub context: Option<String>,
    /// Sentences the new version no longer has.
    pub removed: Vec<String>,
    /// Sentences the new version adds.
    pub added: Vec<String>,
}

/// Collects changes while the comparers walk both versions.
#[derive(Debug, Default)]
pub struct Changes {
    /// API changes in discovery order.
    pub items: Vec<Change>,
    /// Documentation changes in discovery order.
    pub docs: Vec<DocChange>,
}

impl Changes {
    /// Records a breaking change.
    pub fn breaking(
        &mut self,
        area: Area,
        subject: impl Into<String>,
        description: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.push(area, subject.into(), description.into(), Impact::Breaking, reason.into());
    }

    /// Records a compatible change.
    pub fn compatible(
        &mut self,
        area: Area,
        subject: impl Into<String>,
        description: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.push(area, subject.into(), description.into(), Impact::Compatible, reason.into());
    }

    /// Records a change whose impact the caller worked out.
    pub fn record(
        &mut self,
        impact: Impact,
        area: Area,
        subject: impl Into<String>,
        description: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.push(area, subject.into(), description.into(), impact, reason.into());
    }

    fn push(&mut self, area: Area, subject: String, description: String, impact: Impact, reason: String) {
        self.items.push(Change { area, subject, description, impact, reason });
    }

    /// Records a documentation change when the texts differ sentence by sentence.
    pub fn doc(&mut self, subject: impl Into<String>, old: Option<&str>, new: Option<&str>) {
        if let Some(change) = super::docs::compare(subject.into(), None, old, new) {
            self.docs.push(change);
        }
    }

    /// Like [`Changes::doc`], for one of several texts of an item (`context` says which).
    pub fn doc_of(&mut self, subject: impl Into<String>, context: String, old: Option<&str>, new: Option<&str>) {
        if let Some(change) = super::docs::compare(subject.into(), Some(context), old, new) {
            self.docs.push(change);
        }
    }
}
