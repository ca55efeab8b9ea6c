//! "Did you mean" is decided by one rule, written twice: the generator suggests names in
//! spec diagnostics (`imagegen_codegen::diagnostics::suggest`), the runtime suggests
//! request keys and the CLI's flags and values (`imagegen_runtime::fields::suggest`).
//! Neither crate depends on the other, so this table holds both copies to the same
//! answers: a case that one copy answers differently fails here.

use imagegen_codegen::diagnostics::suggest::suggest as generator_suggest;
use imagegen_runtime::fields::suggest as runtime_suggest;

/// (what was typed, the known names, the name suggested)
const CASES: &[(&str, &[&str], Option<&str>)] = &[
    // A misspelled key of the spec language.
    ("requird", &["name", "rust_name", "type", "required"], Some("required")),
    ("colour", &["name", "fields"], None),
    // The same letters in another case or separator style.
    ("aspect_ratio", &["aspectRatio", "imageSize", "n"], Some("aspectRatio")),
    ("ImageSize", &["aspectRatio", "imageSize", "n"], Some("imageSize")),
    ("rustname", &["name", "rust_name"], Some("rust_name")),
    // Two edits at most (a swap of two letters is two), and fewer than the name has letters.
    ("aspectRatoi", &["aspectRatio", "imageSize", "n"], Some("aspectRatio")),
    ("qualty", &["quality", "style"], Some("quality")),
    (
        "image-config.aspect-ration",
        &["image-config.image-size", "image-config.aspect-ratio"],
        Some("image-config.aspect-ratio"),
    ),
    ("gpt-imag-2", &["gpt-image-2", "gpt-image-1"], Some("gpt-image-2")),
    ("seed", &["aspectRatio", "imageSize", "n"], None),
    ("m", &["aspectRatio", "imageSize", "n"], None),
    // The nearest wins; among equally near names, the first listed.
    ("image", &["imageConfig", "images"], Some("images")),
    ("cat", &["hat", "bat"], Some("hat")),
    // A shortened name: the first longer name that contains it.
    ("Ratio", &["ImageConfig", "AspectRatio"], Some("AspectRatio")),
    ("size", &["aspectRatio", "imageSize"], Some("imageSize")),
    // Two letters are inside too many names to point at one.
    ("io", &["Ratio"], None),
    // Nothing to go on.
    ("", &["name"], None),
    ("__", &["name"], None),
    ("name", &[], None),
];

#[test]
fn the_generator_and_the_runtime_suggest_the_same_names() {
    for (typed, known, expected) in CASES {
        assert_eq!(generator_suggest(typed, known), *expected, "generator, `{typed}` among {known:?}");
        assert_eq!(runtime_suggest(typed, known), *expected, "runtime, `{typed}` among {known:?}");
    }
}
