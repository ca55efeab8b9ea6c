//! A JSON answer's images written to disk while they are decoded
//! ([`RequestOptions::save_images_to`](super::RequestOptions::save_images_to)).
//!
//! [`StreamingBody`](super::json_stream::StreamingBody) tells an `ImageWriter` when it
//! starts decoding a long base64 string (the file is created, named from the magic
//! bytes decoded so far), hands it the bytes as they are decoded (written in slices
//! of at least [`WRITE_SLICE`] while still in cache) and tells it when the string
//! closes (the file is complete) or turns out not to be base64 (the file is removed).
//! Images too short to be decoded while arriving are written from the typed answer
//! once it is decoded (`ImageWriter::finish`), so every image of the answer is saved.
//!
//! A failed write removes its partial file and is reported; the image stays in the
//! answer. A body that fails, or an answer that does not decode, removes every file
//! written for it: a file is left only for an answer the caller gets.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::disk_space::Reserver;
use super::image::{create_numbered, save_numbered, CollectImages, ImageFormat};

/// Decoded bytes are written once at least this many are waiting (or the image ends):
/// a slice is still in cache, and tiny writes are batched.
pub const WRITE_SLICE: usize = 64 * 1024;

/// Where [`RequestOptions::save_images_to`](super::RequestOptions::save_images_to)
/// writes a JSON answer's images: `dir/<stem>-<n>.<ext>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveImagesTo {
    dir: PathBuf,
    stem: String,
}

impl SaveImagesTo {
    /// Images written to `dir` as `<stem>-<n>.<ext>`.
    pub fn new(dir: impl Into<PathBuf>, stem: impl Into<String>) -> Self {
        Self { dir: dir.into(), stem: stem.into() }
    }

    /// The directory written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The files' name before `-<n>.<ext>`.
    pub fn stem(&self) -> &str {
        &self.stem
    }
}

/// An image of an answer written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedImage {
    /// Where it was written.
    pub path: PathBuf,
    /// Its format, from its magic bytes (`None`: written as `.bin`).
    pub format: Option<ImageFormat>,
    /// Its size in bytes.
    pub bytes: usize,
}

/// An image of an answer that could not be written; it is still in the answer.
#[derive(Debug, Clone)]
pub struct UnsavedImage {
    /// Its position among the answer's images (`CollectImages` order), from 0.
    pub position: usize,
    /// Why the write failed (shared: a response can be cloned).
    pub error: Arc<std::io::Error>,
}

/// What [`RequestOptions::save_images_to`](super::RequestOptions::save_images_to)
/// did with an answer's images, in answer order.
#[derive(Debug, Clone, Default)]
pub struct SavedImages {
    /// The files written.
    pub saved: Vec<SavedImage>,
    /// The images that could not be written.
    pub unsaved: Vec<UnsavedImage>,
}

/// Writes the images of one answer as they are decoded.
pub(crate) struct ImageWriter {
    to: SaveImagesTo,
    prefix: String,
    /// The number to try next.
    next: usize,
    current: Current,
    /// Every image decoded while arriving, in order, with what became of its file.
    arrived: Vec<(Bytes, Result<SavedImage, Arc<std::io::Error>>)>,
    /// The answer was decoded: its files stay.
    kept: bool,
}

/// The image being decoded.
enum Current {
    None,
    /// Being written (boxed: the writer travels in every reply of the transport).
    Open(Box<OpenFile>),
    /// Its file could not be written (and was removed); decoding goes on in memory.
    Failed(std::io::Error),
}

struct OpenFile {
    file: std::fs::File,
    path: PathBuf,
    format: Option<ImageFormat>,
    /// Decoded bytes written so far.
    written: usize,
    /// The file's blocks, reserved ahead of the writes.
    reserver: Reserver,
}

impl ImageWriter {
    pub(crate) fn new(to: &SaveImagesTo) -> Self {
        Self {
            prefix: format!("{}-", to.stem),
            to: to.clone(),
            next: 1,
            current: Current::None,
            arrived: Vec::new(),
            kept: false,
        }
    }

    /// A long string began to be decoded: `decoded` is its bytes so far, and
    /// `expected` how long it may grow (the decoder's room: when the body's length is
    /// known, an upper bound; the file's blocks are reserved for it).
    pub(crate) fn begin(&mut self, decoded: &[u8], expected: usize) {
        self.abandon();
        let format = ImageFormat::detect(decoded);
        let ext = format.map_or("bin", ImageFormat::extension);
        self.current = match create_numbered(&self.to.dir, &self.prefix, self.next, ext) {
            Ok((file, path, n)) => {
                self.next = n + 1;
                let mut reserver = Reserver::new(&file);
                reserver.reserve(&file, expected as u64);
                Current::Open(Box::new(OpenFile { file, path, format, written: 0, reserver }))
            }
            Err(error) => Current::Failed(error),
        };
        self.write(decoded, true);
    }

    /// `decoded` is the string's bytes so far: writes those not written yet, once
    /// there are enough of them (or at once when `all`).
    pub(crate) fn write(&mut self, decoded: &[u8], all: bool) {
        let Current::Open(open) = &mut self.current else { return };
        let fresh = decoded.get(open.written..).unwrap_or_default();
        if fresh.is_empty() || (!all && fresh.len() < WRITE_SLICE) {
            return;
        }
        open.reserver.reserve_ahead(&open.file, decoded.len() as u64);
        match open.file.write_all(fresh) {
            Ok(()) => open.written = decoded.len(),
            Err(error) => {
                let _ = std::fs::remove_file(&open.path);
                self.current = Current::Failed(error);
            }
        }
    }

    /// The string closed: its file gets its last bytes, loses the blocks reserved
    /// beyond them, and is complete.
    pub(crate) fn close(&mut self, image: &Bytes) {
        self.write(image, true);
        if let Current::Open(open) = &self.current {
            if let Err(error) = open.reserver.trim(&open.file, image.len() as u64) {
                let _ = std::fs::remove_file(&open.path);
                self.current = Current::Failed(error);
            }
        }
        let outcome = match std::mem::replace(&mut self.current, Current::None) {
            Current::Open(open) => Ok(SavedImage { path: open.path, format: open.format, bytes: image.len() }),
            Current::Failed(error) => Err(Arc::new(error)),
            // Not begun (cannot happen: a string is begun before it closes): written after.
            Current::None => return,
        };
        self.arrived.push((image.clone(), outcome));
    }

    /// The string was not base64 after all: its partial file goes.
    pub(crate) fn abandon(&mut self) {
        if let Current::Open(open) = std::mem::replace(&mut self.current, Current::None) {
            drop(open.file);
            let _ = std::fs::remove_file(&open.path);
        }
    }

    /// The answer decoded: pairs its images with the files written while they
    /// arrived (the same buffer, or for a small body decoded again, the same bytes)
    /// and writes the others now. A file no image of the answer claims is removed.
    pub(crate) fn finish<T: CollectImages + ?Sized>(mut self, answer: &T) -> SavedImages {
        self.abandon();
        let mut result = SavedImages::default();
        let mut claimed = vec![false; self.arrived.len()];
        for (position, image) in answer.images().into_iter().enumerate() {
            let bytes = image.as_bytes();
            let same_buffer = |arrived: &Bytes| arrived.as_ptr() == bytes.as_ptr() && arrived.len() == bytes.len();
            let found = (self.arrived.iter().enumerate())
                .find(|(i, (arrived, _))| !claimed[*i] && same_buffer(arrived))
                .or_else(|| {
                    (self.arrived.iter().enumerate()).find(|(i, (arrived, _))| !claimed[*i] && arrived[..] == *bytes)
                })
                .map(|(i, _)| i);
            let outcome = match found {
                Some(i) => {
                    claimed[i] = true;
                    self.arrived[i].1.clone()
                }
                None => match save_numbered(&self.to.dir, &self.prefix, self.next, bytes) {
                    Ok((path, n)) => {
                        self.next = n + 1;
                        Ok(SavedImage { path, format: ImageFormat::detect(bytes), bytes: bytes.len() })
                    }
                    Err(error) => Err(Arc::new(error)),
                },
            };
            match outcome {
                Ok(saved) => result.saved.push(saved),
                Err(error) => result.unsaved.push(UnsavedImage { position, error }),
            }
        }
        for (i, (_, outcome)) in self.arrived.iter().enumerate() {
            if let (false, Ok(saved)) = (claimed[i], outcome) {
                let _ = std::fs::remove_file(&saved.path);
            }
        }
        self.arrived.clear();
        self.kept = true;
        result
    }
}

impl Drop for ImageWriter {
    /// The body failed or the answer did not decode: no file is left for an answer
    /// the caller does not get.
    fn drop(&mut self) {
        self.abandon();
        if self.kept {
            return;
        }
        for (_, outcome) in &self.arrived {
            if let Ok(saved) = outcome {
                let _ = std::fs::remove_file(&saved.path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_stream::StreamingBody;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imagegen-writer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn png(len: usize) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend((0..len - 8).map(|i| (i * 7 % 251) as u8));
        out
    }

    /// How many of `image`'s first bytes the file at `path` holds (its length can be
    /// more: blocks are reserved ahead of the writes).
    fn written(path: &Path, image: &[u8]) -> usize {
        let file = std::fs::read(path).unwrap_or_default();
        file.iter().zip(image).take_while(|(a, b)| a == b).count()
    }

    /// The file grows with the body, before the body is in.
    #[test]
    fn an_image_is_written_while_it_is_decoded() {
        let dir = temp_dir("grows");
        // Past `WHOLE_BODY_MAX`: the decoded buffer is the answer's.
        let image = png(1_200_000);
        let json = format!(r#"{{"b64":"{}"}}"#, base64_simd::STANDARD.encode_to_string(&image));
        let mut body = StreamingBody::new(None).write_images(Some(ImageWriter::new(&SaveImagesTo::new(&dir, "x"))));
        let path = dir.join("x-1.png");
        let mut sizes = Vec::new();
        for chunk in json.as_bytes().chunks(200_000) {
            body.push(chunk);
            sizes.push(written(&path, &image));
        }
        assert!(sizes[1] > 0 && sizes[1] < sizes[5], "written as it arrives: {sizes:?}");
        let (arrived, writer) = body.finish_writing();
        assert_eq!(std::fs::read(&path).unwrap(), image, "complete at the closing quote");
        let answer = crate::Base64Data::from_bytes(arrived.images()[0].bytes().clone());
        let report = writer.unwrap().finish(&answer);
        assert_eq!(
            report.saved,
            [SavedImage { path: path.clone(), format: Some(ImageFormat::Png), bytes: image.len() }]
        );
        assert_eq!(std::fs::read(&path).unwrap(), image);
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A body that fails (dropped before it is finished) takes its partial file with it.
    #[test]
    fn a_body_dropped_half_way_removes_its_partial_file() {
        let dir = temp_dir("dropped");
        let image = png(600_000);
        let json = format!(r#"{{"b64":"{}"}}"#, base64_simd::STANDARD.encode_to_string(&image));
        let mut body = StreamingBody::new(None).write_images(Some(ImageWriter::new(&SaveImagesTo::new(&dir, "x"))));
        body.push(&json.as_bytes()[..json.len() / 2]);
        assert!(written(&dir.join("x-1.png"), &image) > 0, "half the image is on disk");
        drop(body);
        assert!(!dir.join("x-1.png").exists(), "the partial file is gone");
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A string that stops being base64 half way removes its file.
    #[test]
    fn a_string_that_is_not_base64_after_all_removes_its_file() {
        let dir = temp_dir("not-base64");
        let mut body = StreamingBody::new(None).write_images(Some(ImageWriter::new(&SaveImagesTo::new(&dir, "x"))));
        body.push(format!(r#"{{"text":"{}"#, "iVBORw0KGgoA".repeat(10_000)).as_bytes());
        let file = std::fs::read(dir.join("x-1.png")).unwrap();
        assert!(file.starts_with(b"\x89PNG\r\n\x1a\n"), "taken as an image so far");
        body.push(b" words\"}");
        assert!(std::fs::read_dir(&dir).unwrap().next().is_none(), "given back as text, file removed");
        let (arrived, writer) = body.finish_writing();
        assert!(arrived.images().is_empty());
        let report = writer.unwrap().finish(&serde_json::Value::Null);
        assert!(report.saved.is_empty() && report.unsaved.is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
