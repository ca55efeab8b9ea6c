//! The version bump a report calls for, by Cargo's reading of semver: below 1.0
//! the minor number plays the role of the major one (0.2 is incompatible with 0.1).

use std::fmt;

/// The most significant kind of change in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// No change at all.
    Nothing,
    /// Only documentation changed.
    Documentation,
    /// Compatible API changes only.
    Compatible,
    /// At least one breaking change.
    Breaking,
}

/// A crate version `major.minor.patch` (pre-release and build metadata are not used by the generated crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrateVersion {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

impl CrateVersion {
    /// Parses `X.Y.Z`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
        let version = Self { major: parts.next()??, minor: parts.next()??, patch: parts.next()?? };
        parts.next().is_none().then_some(version)
    }

    /// The next version for changes of this level.
    pub fn bump(self, level: Level) -> Self {
        let Self { major, minor, patch } = self;
        match (level, major, minor) {
            (Level::Nothing, ..) => self,
            // 0.0.z: every release is its own compatibility range.
            (_, 0, 0) => Self { patch: patch + 1, ..self },
            (Level::Breaking, 0, _) => Self { minor: minor + 1, patch: 0, ..self },
            (Level::Breaking, ..) => Self { major: major + 1, minor: 0, patch: 0 },
            (Level::Compatible, 0, _) | (Level::Documentation, ..) => Self { patch: patch + 1, ..self },
            (Level::Compatible, ..) => Self { minor: minor + 1, patch: 0, ..self },
        }
    }
}

impl fmt::Display for CrateVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The advice paragraph: which rule applies, and the next version when the current one is known.
pub fn advice(level: Level, current: Option<CrateVersion>) -> String {
    let rule = match level {
        Level::Nothing => return "No change to the generated API or its documentation: no release needed.".to_string(),
        Level::Breaking => {
            "**Breaking** → bump the minor version while the crate is below 1.0 (0.y.z → 0.(y+1).0), \
             the major version from 1.0 on (x.y.z → (x+1).0.0)."
        }
        Level::Compatible => {
            "**Compatible additions only** → bump the patch version while the crate is below 1.0 \
             (0.y.z → 0.y.(z+1)), the minor version from 1.0 on (x.y.z → x.(y+1).0)."
        }
        Level::Documentation => "**Documentation only** → bump the patch version (x.y.z → x.y.(z+1)).",
    };
    let mut text = format!(
        "{rule} Rule applied: Cargo's semver, where below 1.0 the minor number is the compatibility boundary \
         (0.2.0 is not compatible with 0.1.x) and a patch release may add API."
    );
    if let Some(v) = current {
        text.push_str(&format!(" From `{v}`: **`{}`**.", v.bump(level)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> CrateVersion {
        CrateVersion::parse(s).unwrap_or(CrateVersion { major: 9, minor: 9, patch: 9 })
    }

    #[test]
    fn breaking_below_one_bumps_minor() {
        assert_eq!(v("0.1.3").bump(Level::Breaking), v("0.2.0"));
    }

    #[test]
    fn breaking_from_one_bumps_major() {
        assert_eq!(v("1.4.2").bump(Level::Breaking), v("2.0.0"));
    }

    #[test]
    fn additions_below_one_bump_patch_and_from_one_minor() {
        assert_eq!(v("0.1.0").bump(Level::Compatible), v("0.1.1"));
        assert_eq!(v("1.1.0").bump(Level::Compatible), v("1.2.0"));
    }

    #[test]
    fn malformed_versions_are_rejected() {
        assert_eq!(CrateVersion::parse("1.2"), None);
        assert_eq!(CrateVersion::parse("1.2.3.4"), None);
        assert_eq!(CrateVersion::parse("a.b.c"), None);
    }
}
