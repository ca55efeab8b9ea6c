//! Saving images under predictable names and reporting what was saved.

use std::io::Write;
use std::path::{Path, PathBuf};

use imagegen::runtime::image::ImageFormat;
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

/// Writes `image` as `<prefix><n>.<ext>` with the first `n` from `first` that no file in
/// `dir` uses, whatever its extension (so `-1.png` and `-1.jpg` never sit side by side);
/// returns the image and the number to try next. The file is created with
/// `create_new`, so even a file that appears meanwhile is not overwritten.
fn save_new(dir: &Path, prefix: &str, first: usize, image: &Base64Data) -> std::io::Result<(SavedImage, usize)> {
    let bytes = image.as_bytes();
    let format = ImageFormat::detect(bytes);
    let ext = format.map_or("bin", ImageFormat::extension);
    std::fs::create_dir_all(dir)?;
    let taken: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(prefix))
        .collect();
    let mut n = first;
    loop {
        let numbered = format!("{prefix}{n}.");
        if !taken.iter().any(|name| name.starts_with(&numbered)) {
            let path = dir.join(format!("{numbered}{ext}"));
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    file.write_all(bytes)?;
                    return Ok((SavedImage { path, format, bytes: bytes.len() }, n + 1));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        n += 1;
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
