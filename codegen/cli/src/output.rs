//! Saving images under predictable names and reporting what was saved.

use std::path::PathBuf;

use imagegen::runtime::image::{save_image, ImageFormat};
use imagegen::runtime::Base64Data;
use serde_json::{json, Value};

/// Strings at least this long that are base64 are shown as a placeholder, not inline.
const ELIDE_BASE64_CHARS: usize = 256;

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
/// `<provider>-<operation>-partial-<n>.<ext>`, numbered from 1, in `dir`.
pub struct ImageOutput {
    dir: PathBuf,
    stem: String,
    /// Final images, in order.
    pub images: Vec<SavedImage>,
    /// Partial (preview) images of a stream, in order.
    pub partials: Vec<SavedImage>,
}

impl ImageOutput {
    /// Output for `provider`'s `command`, into `dir`.
    pub fn new(dir: PathBuf, provider: &str, command: &str) -> Self {
        Self { dir, stem: format!("{provider}-{command}"), images: Vec::new(), partials: Vec::new() }
    }

    /// Saves a final image, with the extension of its real format.
    pub fn save_final(&mut self, image: &Base64Data) -> std::io::Result<&SavedImage> {
        let stem = format!("{}-{}", self.stem, self.images.len() + 1);
        let saved = self.save(&stem, image)?;
        self.images.push(saved);
        Ok(&self.images[self.images.len() - 1])
    }

    /// Saves a partial image of a stream.
    pub fn save_partial(&mut self, image: &Base64Data) -> std::io::Result<&SavedImage> {
        let stem = format!("{}-partial-{}", self.stem, self.partials.len() + 1);
        let saved = self.save(&stem, image)?;
        self.partials.push(saved);
        Ok(&self.partials[self.partials.len() - 1])
    }

    fn save(&self, stem: &str, image: &Base64Data) -> std::io::Result<SavedImage> {
        let bytes = image.as_bytes();
        let path = save_image(&self.dir, stem, bytes)?;
        Ok(SavedImage { path, format: ImageFormat::detect(bytes), bytes: bytes.len() })
    }

    /// The `--json` summary of a finished call.
    pub fn summary(&self, provider: &str, operation: &str, response: Option<&Value>) -> Value {
        json!({
            "provider": provider,
            "operation": operation,
            "images": self.images.iter().map(SavedImage::to_json).collect::<Vec<_>>(),
            "partial_images": self.partials.iter().map(SavedImage::to_json).collect::<Vec<_>>(),
            "response": response.map(elide_base64),
        })
    }
}

/// A copy of `value` with long base64 strings (the images, saved to files) replaced by their size.
pub fn elide_base64(value: &Value) -> Value {
    match value {
        Value::String(text) if text.len() >= ELIDE_BASE64_CHARS && is_inline_image(text) => {
            Value::String(format!("<base64, {} chars>", text.len()))
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
