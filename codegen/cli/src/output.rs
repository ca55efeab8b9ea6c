//! Saving images under predictable names and reporting what was saved.

use std::path::{Path, PathBuf};

use imagegen::runtime::base64::{elided, ELIDED_MIN_CHARS};
use imagegen::runtime::image::{save_numbered, ImageFormat};
use imagegen::runtime::Base64Data;
use serde_json::{json, Value};

/// One image written to disk.
pub struct SavedImage {
    /// Where it was written.
    pub path: PathBuf,
    /// Its format, from its magic bytes.
    pub format: Option<ImageFormat>,
    /// Its size.
    pub bytes: usize,
}

impl SavedImage {
    fn to_json(&self) -> Value {
        json!({
            "path": self.path.display().to_string(),
            "format": self.format.map(|f| f.to_string()),
            "bytes": self.bytes,
        })
    }
}

/// The images of one call: `<provider>-<operation>-<n>.<ext>` and
/// `<provider>-<operation>-partial-<n>.<ext>`, numbered from 1, in `dir`. A number
/// some file already uses (with any extension) is skipped: earlier images are never overwritten.
pub struct ImageOutput {
    dir: PathBuf,
    stem: String,
    next_final: usize,
    next_partial: usize,
    /// Final images, in order.
    pub images: Vec<SavedImage>,
    /// Partial (preview) images of a stream, in order.
    pub partials: Vec<SavedImage>,
}

impl ImageOutput {
    /// Output for `provider`'s `command`, into `dir`.
    pub fn new(dir: PathBuf, provider: &str, command: &str) -> Self {
        Self {
            dir,
            stem: format!("{provider}-{command}"),
            next_final: 1,
            next_partial: 1,
            images: Vec::new(),
            partials: Vec::new(),
        }
    }

    /// Saves a final image, with the extension of its real format.
    pub fn save_final(&mut self, image: &Base64Data) -> std::io::Result<&SavedImage> {
        let prefix = format!("{}-", self.stem);
        let (saved, next) = save_new(&self.dir, &prefix, self.next_final, image)?;
        self.next_final = next;
        self.images.push(saved);
        Ok(&self.images[self.images.len() - 1])
    }

    /// Saves a partial image of a stream.
    pub fn save_partial(&mut self, image: &Base64Data) -> std::io::Result<&SavedImage> {
        let prefix = format!("{}-partial-", self.stem);
        let (saved, next) = save_new(&self.dir, &prefix, self.next_partial, image)?;
        self.next_partial = next;
        self.partials.push(saved);
        Ok(&self.partials[self.partials.len() - 1])
    }

    /// The `--json` summary of a finished call.
    pub fn summary(&self, provider: &str, operation: &str, response: Option<&Value>, texts: &[String]) -> Value {
        json!({
            "provider": provider,
            "operation": operation,
            "texts": texts,
            "images": self.images.iter().map(SavedImage::to_json).collect::<Vec<_>>(),
            "partial_images": self.partials.iter().map(SavedImage::to_json).collect::<Vec<_>>(),
            "response": response.map(elide_base64),
        })
    }
}

/// Writes `image` as `<prefix><n>.<ext>` with the first free `n` from `first`
/// (`runtime::image::save_numbered`: never over an existing file), straight from its
/// decoded buffer; returns the image and the number to try next.
fn save_new(dir: &Path, prefix: &str, first: usize, image: &Base64Data) -> std::io::Result<(SavedImage, usize)> {
    let bytes = image.as_bytes();
    let (path, n) = save_numbered(dir, prefix, first, bytes)?;
    Ok((SavedImage { path, format: ImageFormat::detect(bytes), bytes: bytes.len() }, n + 1))
}

/// A copy of `value` with long base64 strings replaced by their size: the text fields
/// an answer's summary ([`AnswerJson::summary`](imagegen::runtime::dispatch::AnswerJson::summary),
/// which shows its images so already) or a request may hold.
pub fn elide_base64(value: &Value) -> Value {
    match value {
        Value::String(text) if text.len() >= ELIDED_MIN_CHARS && is_inline_image(text) => {
            Value::String(elided(text.len()))
        }
        Value::Array(items) => Value::Array(items.iter().map(elide_base64).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), elide_base64(v))).collect()),
        other => other.clone(),
    }
}

fn is_inline_image(text: &str) -> bool {
    use imagegen::runtime::base64::{is_base64, parse_data_url};
    parse_data_url(text).is_some() || is_base64(text)
}
