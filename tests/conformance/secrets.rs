//! Fixtures are public: nothing in them may look like a real API key.

use std::path::{Path, PathBuf};

/// A pattern: a literal prefix followed by at least `min_run` characters of a class.
struct KeyPattern {
    what: &'static str,
    prefix: &'static str,
    min_run: usize,
    class: fn(u8) -> bool,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn google_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

const PATTERNS: &[KeyPattern] = &[
    KeyPattern { what: "OpenAI-style key (sk-...)", prefix: "sk-", min_run: 20, class: alnum },
    KeyPattern { what: "Google API key (AIza...)", prefix: "AIza", min_run: 35, class: google_key_char },
    KeyPattern { what: "RouterHub key (rh_...)", prefix: "rh_", min_run: 16, class: alnum },
    KeyPattern { what: "bearer token", prefix: "Bearer ", min_run: 20, class: token_char },
];

/// Every key-like string in `text`, as `(what, excerpt)`.
pub fn find_keys(text: &[u8]) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for pattern in PATTERNS {
        let prefix = pattern.prefix.as_bytes();
        let mut start = 0;
        while let Some(offset) = text[start..].windows(prefix.len()).position(|w| w == prefix) {
            let at = start + offset;
            // `task-...` is not `sk-...`: a key starts a word.
            let starts_word = at == 0 || !text[at - 1].is_ascii_alphanumeric();
            let run = text[at + prefix.len()..].iter().take_while(|b| (pattern.class)(**b)).count();
            if starts_word && run >= pattern.min_run {
                let shown = &text[at..(at + prefix.len() + 6).min(text.len())];
                found.push((pattern.what, format!("{}…", String::from_utf8_lossy(shown))));
            }
            start = at + 1;
        }
    }
    found
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// One failure per fixture file holding something key-like.
pub fn scan(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    files_under(root, &mut files);
    files.sort();
    let mut failures = Vec::new();
    for file in files {
        let Ok(bytes) = std::fs::read(&file) else { continue };
        for (what, excerpt) in find_keys(&bytes) {
            let shown = file.strip_prefix(root).unwrap_or(&file).display();
            failures
                .push(format!("{shown}: holds what looks like a real {what}: `{excerpt}`; use `test-key-not-real`"));
        }
    }
    failures
}
