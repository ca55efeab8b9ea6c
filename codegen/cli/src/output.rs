//! Saving images under predictable names and reporting what was saved.

use std::path::{Path, PathBuf};

use imagegen::runtime::base64::{elided, ELIDED_MIN_CHARS};
use imagegen::runtime::image::{save_numbered, ImageFormat};
use imagegen::runtime::{Base64Data, SaveImagesTo, SavedImages};
use serde_json::{json, Value};

/// One image written to disk: the runtime's record of the file, and where it went.
pub struct SavedImage {
    /// Its path, format and size.
    pub file: imagegen::runtime::SavedImage,
    /// Written to the fallback directory because `--out` could not be written.
    pub fallback: bool,
}

impl SavedImage {
    fn to_json(&self) -> Value {
        json!({
            "path": self.file.path.display().to_string(),
            "format": self.file.format.map(|f| f.to_string()),
            "bytes": self.file.bytes,
            "fallback": self.fallback,
        })
    }
}

/// Which of a call's images: a final one or a stream's partial (preview) one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// A final image (of an answer, or of a stream's completing event).
    Final,
    /// A partial image of a stream.
    Partial,
}

/// Why `--out` could not be written, and where the images went instead.
pub struct Fallback {
    /// The directory asked for.
    pub wanted: PathBuf,
    /// Why the first write there failed.
    pub reason: String,
    /// The fresh directory under the system temp dir the images went to instead, if
    /// it could be made.
    pub dir: Option<PathBuf>,
}

/// An image that could be written neither to `--out` nor to the fallback directory.
pub struct LostImage {
    /// Final or partial.
    pub kind: ImageKind,
    /// Its size.
    pub bytes: usize,
}

/// The images of one call: `<provider>-<operation>-<n>.<ext>` and
/// `<provider>-<operation>-partial-<n>.<ext>`, numbered from 1, in `dir`. A number
/// some file already uses (with any extension) is skipped: earlier images are never overwritten.
///
/// A paid image is not dropped with a failing write: once a write to `dir` fails
/// (not a directory, permission, disk full), that image and every later one go to a
/// fresh directory under the system temp dir ([`Fallback`]); only an image that cannot
/// be written there either is [`LostImage`].
pub struct ImageOutput {
    dir: PathBuf,
    stem: String,
    next_final: usize,
    next_partial: usize,
    /// Final images, in order.
    pub images: Vec<SavedImage>,
    /// Partial (preview) images of a stream, in order.
    pub partials: Vec<SavedImage>,
    /// Set once a write to `dir` failed.
    pub fallback: Option<Fallback>,
    /// Images no directory took.
    pub lost: Vec<LostImage>,
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
            fallback: None,
            lost: Vec::new(),
        }
    }

    /// Where the call writes a JSON answer's final images as they arrive
    /// (`RequestOptions::save_images_to`): this output's names in `--out`, numbered alike.
    pub fn save_images_to(&self) -> SaveImagesTo {
        SaveImagesTo::new(&self.dir, &self.stem)
    }

    /// Takes the files the call wrote as the answer arrived as this output's final
    /// images, when it wrote (or tried) every one of `images`; an image it could not
    /// write is saved as [`Self::save`] saves it (the fallback directory). `false`, and
    /// nothing done, for an answer not written so (a binary one, a JSON answer to a
    /// stream request): the caller saves its images.
    pub fn record_saved(&mut self, images: &[Base64Data], saved: &SavedImages) -> bool {
        if images.is_empty() || saved.saved.len() + saved.unsaved.len() != images.len() {
            return false;
        }
        let mut files = saved.saved.iter();
        for (position, image) in images.iter().enumerate() {
            if let Some(unsaved) = saved.unsaved.iter().find(|unsaved| unsaved.position == position) {
                // `--out` already failed for this image: straight to the fallback, not a second try.
                let error = std::io::Error::new(unsaved.error.kind(), unsaved.error.to_string());
                self.save_or_fall_back(image, ImageKind::Final, Some(error));
            } else if let Some(file) = files.next() {
                self.images.push(SavedImage { file: file.clone(), fallback: false });
            }
        }
        true
    }

    /// Saves an image with the extension of its real format: in `--out`, or once that
    /// failed in the fallback directory. Tells stderr where an image went when it is not
    /// `--out`, and why. `None` when it could be written nowhere (see [`Self::lost`]).
    pub fn save(&mut self, image: &Base64Data, kind: ImageKind) -> Option<&SavedImage> {
        self.save_or_fall_back(image, kind, None)
    }

    /// [`Self::save`], where `out_failed` is the error of a write to `--out` already
    /// tried (by the runtime, as the image arrived): then `--out` is not tried again.
    fn save_or_fall_back(
        &mut self,
        image: &Base64Data,
        kind: ImageKind,
        out_failed: Option<std::io::Error>,
    ) -> Option<&SavedImage> {
        let (prefix, first) = match kind {
            ImageKind::Final => (format!("{}-", self.stem), self.next_final),
            ImageKind::Partial => (format!("{}-partial-", self.stem), self.next_partial),
        };
        let saved = if let Some(fallback) = &self.fallback {
            self.save_in_fallback(fallback.dir.clone(), &prefix, image)
        } else {
            let out = match out_failed {
                Some(error) => Err(error),
                None => save_new(&self.dir, &prefix, first, image),
            };
            match out {
                Ok(saved) => Ok(saved),
                Err(error) => {
                    let fallback = self.fall_back(error);
                    self.save_in_fallback(fallback, &prefix, image)
                }
            }
        };
        let (saved, next) = match saved {
            Ok(saved) => saved,
            Err(error) => {
                eprintln!(
                    "error: the {} image ({} bytes) could not be saved anywhere: {error}",
                    kind.name(),
                    image.len()
                );
                self.lost.push(LostImage { kind, bytes: image.len() });
                return None;
            }
        };
        if saved.fallback {
            eprintln!("saved the {} image in the fallback directory: {}", kind.name(), saved.file.path.display());
        }
        let list = match kind {
            ImageKind::Final => {
                self.next_final = next;
                &mut self.images
            }
            ImageKind::Partial => {
                self.next_partial = next;
                &mut self.partials
            }
        };
        list.push(saved);
        list.last()
    }

    /// Records why `--out` failed and makes the fallback directory, saying both on stderr.
    fn fall_back(&mut self, error: std::io::Error) -> Option<PathBuf> {
        let reason = why_not_written(&self.dir, &error);
        let made = fresh_temp_dir(&self.stem);
        match &made {
            Ok(dir) => eprintln!(
                "warning: cannot save images in {}: {reason}; saving them in {} instead",
                self.dir.display(),
                dir.display()
            ),
            Err(e) => {
                let temp = std::env::temp_dir();
                eprintln!(
                    "error: cannot save images in {}: {reason}; nor make a fallback directory in {}: {}",
                    self.dir.display(),
                    temp.display(),
                    why_not_written(&temp, e)
                )
            }
        }
        let dir = made.ok();
        self.fallback = Some(Fallback { wanted: self.dir.clone(), reason, dir: dir.clone() });
        dir
    }

    fn save_in_fallback(
        &self,
        dir: Option<PathBuf>,
        prefix: &str,
        image: &Base64Data,
    ) -> std::io::Result<(SavedImage, usize)> {
        let dir = dir.ok_or_else(|| std::io::Error::other("no fallback directory could be made"))?;
        let (mut saved, next) = save_new(&dir, prefix, 1, image)?;
        saved.fallback = true;
        Ok((saved, next))
    }

    /// Whether some image did not land in `--out`: the run must not look like a success.
    pub fn fell_back(&self) -> bool {
        self.fallback.is_some() || !self.lost.is_empty()
    }

    /// Says on stderr how many images were lost and their sizes, if any were.
    pub fn report_lost(&self) {
        if self.lost.is_empty() {
            return;
        }
        let sizes: Vec<String> =
            self.lost.iter().map(|l| format!("{} image of {} bytes", l.kind.name(), l.bytes)).collect();
        let n = self.lost.len();
        eprintln!("error: {n} image{} lost: {}", if n == 1 { "" } else { "s" }, sizes.join(", "));
    }

    /// The `--json` summary of a finished call.
    pub fn summary(&self, provider: &str, operation: &str, response: Option<&Value>, texts: &[String]) -> Value {
        let mut summary = json!({
            "provider": provider,
            "operation": operation,
            "texts": texts,
            "images": self.images.iter().map(SavedImage::to_json).collect::<Vec<_>>(),
            "partial_images": self.partials.iter().map(SavedImage::to_json).collect::<Vec<_>>(),
            "response": response.map(elide_base64),
        });
        if let Some(fallback) = &self.fallback {
            summary["save_failure"] = json!({
                "out": fallback.wanted.display().to_string(),
                "reason": fallback.reason,
                "fallback_dir": fallback.dir.as_ref().map(|d| d.display().to_string()),
                "lost": self.lost.iter().map(|l| json!({"kind": l.kind.name(), "bytes": l.bytes})).collect::<Vec<_>>(),
            });
        }
        summary
    }
}

impl ImageKind {
    fn name(self) -> &'static str {
        match self {
            ImageKind::Final => "final",
            ImageKind::Partial => "partial",
        }
    }
}

/// Why `dir` could not be written: the OS's reason, except for a path that is a file
/// (which `create_dir_all` reports as "File exists", misleading here).
fn why_not_written(dir: &Path, error: &std::io::Error) -> String {
    if dir.exists() && !dir.is_dir() {
        "it is a file, not a directory".to_string()
    } else {
        error.to_string()
    }
}

/// A new directory `imagegen-<provider>-<operation>-<pid>-<n>` under the system temp
/// dir: never one that exists, so no earlier run's files are mixed in.
fn fresh_temp_dir(stem: &str) -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    std::fs::create_dir_all(&base)?;
    let mut n = 1;
    loop {
        let dir = base.join(format!("imagegen-{stem}-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Writes `image` as `<prefix><n>.<ext>` with the first free `n` from `first`
/// (`runtime::image::save_numbered`: never over an existing file, `dir` created if
/// missing), straight from its decoded buffer; returns the image and the number to try next.
fn save_new(dir: &Path, prefix: &str, first: usize, image: &Base64Data) -> std::io::Result<(SavedImage, usize)> {
    let bytes = image.as_bytes();
    let (path, n) = save_numbered(dir, prefix, first, bytes)?;
    let file = imagegen::runtime::SavedImage { path, format: ImageFormat::detect(bytes), bytes: bytes.len() };
    Ok((SavedImage { file, fallback: false }, n + 1))
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
