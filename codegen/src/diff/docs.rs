//! Documentation text compared sentence by sentence, so a report says what the
//! docs now add (the free-lane failure metadata, a renamed model) rather than
//! that a paragraph somewhere changed.

use super::change::DocChange;

/// The sentences one text has and the other lacks, or `None` when they say the same.
pub fn compare(subject: String, context: Option<String>, old: Option<&str>, new: Option<&str>) -> Option<DocChange> {
    let old = sentences(old.unwrap_or_default());
    let new = sentences(new.unwrap_or_default());
    let removed: Vec<String> = old.iter().filter(|s| !new.contains(s)).cloned().collect();
    let added: Vec<String> = new.iter().filter(|s| !old.contains(s)).cloned().collect();
    if removed.is_empty() && added.is_empty() {
        return None;
    }
    Some(DocChange { subject, context, removed, added })
}

/// Splits on sentence ends (`. `, `! `, `? ` or the end of text), with whitespace
/// collapsed so re-wrapped YAML does not count as a change.
fn sentences(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for word in words {
        current.push(word);
        if word.ends_with(['.', '!', '?']) && !is_abbreviation(word) {
            out.push(current.join(" "));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// Words whose final dot does not end a sentence in provider docs ("(e.g. unsupported ...").
fn is_abbreviation(word: &str) -> bool {
    let w = word.trim_start_matches('(');
    matches!(w, "e.g." | "i.e." | "etc." | "vs.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrapped_text_is_not_a_change() {
        assert_eq!(compare("x".into(), None, Some("One two.\nThree."), Some("One\ntwo. Three.")), None);
    }

    #[test]
    fn added_sentence_is_reported_alone() {
        let change =
            compare("x".into(), None, Some("One. Two."), Some("One. New (e.g. this). Two.")).unwrap_or_else(|| {
                DocChange { subject: String::new(), context: None, removed: Vec::new(), added: Vec::new() }
            });
        assert_eq!(change.added, vec!["New (e.g. this).".to_string()]);
        assert!(change.removed.is_empty());
    }
}
