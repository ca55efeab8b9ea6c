//! "Did you mean": the known name a mistyped one most likely meant.
//!
//! One rule for every message of the generator about an unknown name: a key of the
//! spec language, a type name, a field name. The runtime answers the same question
//! for the keys of a request given as JSON and for the CLI's flags and values
//! (`imagegen_runtime::fields::suggest`); neither crate depends on the other, so each
//! has its copy, and `tests/suggestions.rs` runs one table of cases through both.

/// Names at least this long (in letters and digits) are also matched inside a longer
/// known name; shorter ones are inside too many names to point at one.
const SHORTEST_CONTAINED: usize = 3;

/// The known name `name` most likely meant: the same letters in another case or
/// separator style (`aspect_ratio` for `aspectRatio`), else the nearest one at most two
/// edits away (and fewer edits than `name` has letters), else the first longer name
/// that contains it (`Ratio` for `AspectRatio`).
pub fn suggest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let wanted = squash(name);
    let squashed: Vec<(String, &'k str)> = known.iter().map(|k| (squash(k), *k)).collect();
    if let Some((_, same)) = squashed.iter().find(|(k, _)| *k == wanted) {
        return Some(same);
    }
    let letters = wanted.chars().count();
    let nearest = squashed
        .iter()
        .map(|(k, original)| (edit_distance(&wanted, k), *original))
        .filter(|(d, _)| *d <= 2 && *d < letters)
        .min_by_key(|(d, _)| *d);
    if let Some((_, near)) = nearest {
        return Some(near);
    }
    if letters < SHORTEST_CONTAINED {
        return None;
    }
    squashed.iter().find(|(k, _)| k.contains(&wanted)).map(|(_, original)| *original)
}

/// "; did you mean `X`?" with [`suggest`]'s answer, else nothing: the tail of an
/// "unknown name" message.
pub fn did_you_mean(name: &str, known: &[&str]) -> String {
    suggest(name, known).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default()
}

/// Lowercase letters and digits only, so case and separators do not count as edits.
fn squash(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Levenshtein distance between two short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb { diagonal } else { 1 + diagonal.min(above).min(row[j]) };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelled_key_gets_the_nearest_known_one() {
        let known = ["name", "required", "type"];
        assert_eq!(suggest("requird", &known), Some("required"));
        assert_eq!(did_you_mean("requird", &known), "; did you mean `required`?");
        assert_eq!(suggest("colour", &known), None);
        assert_eq!(did_you_mean("colour", &known), "");
    }

    #[test]
    fn a_shortened_type_name_gets_the_name_that_contains_it() {
        let known = ["ImageConfig", "AspectRatio"];
        assert_eq!(suggest("Ratio", &known), Some("AspectRatio"));
        // Two letters are inside too many names to point at one.
        assert_eq!(suggest("io", &["Ratio"]), None);
    }

    #[test]
    fn the_nearest_name_wins_over_one_that_contains_it() {
        assert_eq!(suggest("image", &["imageConfig", "images"]), Some("images"));
    }
}
