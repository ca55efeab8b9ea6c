//! Image helpers: recognise a format from its magic bytes, save images, build inline references.

use std::fmt;
use std::path::{Path, PathBuf};

use super::disk_space::Reserver;

/// Image formats the providers return or accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
    /// GIF.
    Gif,
    /// HEIC.
    Heic,
    /// HEIF.
    Heif,
}

impl ImageFormat {
    /// Recognises a format from the first bytes of an image.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Self::Png),
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Self::Webp),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Self::Gif),
            [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if brand.len() >= 4 => match &brand[..4] {
                b"heic" | b"heix" | b"hevc" | b"hevx" => Some(Self::Heic),
                b"mif1" | b"msf1" | b"heim" | b"heis" => Some(Self::Heif),
                _ => None,
            },
            _ => None,
        }
    }

    /// The MIME type (`image/png`).
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Heic => "image/heic",
            Self::Heif => "image/heif",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Heic => "heic",
            Self::Heif => "heif",
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Jpeg => "jpeg",
            other => other.extension(),
        })
    }
}

/// The MIME type implied by a path's extension, for files whose bytes are not recognised.
pub fn mime_type_for_path(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "heif" => "image/heif",
        _ => return None,
    })
}

/// The MIME type of image bytes: from the magic bytes, else from the path.
pub fn detect_mime_type(bytes: &[u8], path: Option<&Path>) -> Option<&'static str> {
    ImageFormat::detect(bytes).map(ImageFormat::mime_type).or_else(|| path.and_then(mime_type_for_path))
}

/// Writes image bytes to `dir/stem.<ext>`, the extension taken from the bytes' real
/// format (`bin` when unknown), creating `dir` if needed. Returns the path written.
///
/// An existing file is never overwritten: the file is created new, and an existing
/// one is an `AlreadyExists` error (the bytes are still the caller's). To number
/// images past the files already there, use [`save_images`].
pub fn save_image(dir: &Path, stem: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let ext = ImageFormat::detect(bytes).map_or("bin", ImageFormat::extension);
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{stem}.{ext}"));
    write_new(&path, bytes)?;
    Ok(path)
}

/// Writes every image of an answer to `dir/<stem>-<n>.<ext>`, numbered from 1, each
/// with the extension of its real format; a number some file in `dir` already uses
/// (with any extension) is skipped, so nothing is overwritten. Returns the paths
/// written, in order.
///
/// Each image is written from its decoded buffer in one `write` (no copy). A failed
/// write keeps what was not saved: [`SaveError::unsaved`] holds those images (shared,
/// not copied) and [`SaveError::saved`] the files already written.
pub fn save_images<'a>(
    dir: &Path,
    stem: &str,
    images: impl IntoIterator<Item = &'a super::Base64Data>,
) -> Result<Vec<PathBuf>, SaveError> {
    let prefix = format!("{stem}-");
    let mut saved = Vec::new();
    let mut next = 1;
    let mut images = images.into_iter();
    while let Some(image) = images.next() {
        match save_numbered(dir, &prefix, next, image.as_bytes()) {
            Ok((path, n)) => {
                saved.push(path);
                next = n + 1;
            }
            Err(error) => {
                let unsaved = std::iter::once(image).chain(images).cloned().collect();
                return Err(SaveError { error, saved, unsaved });
            }
        }
    }
    Ok(saved)
}

/// Images that could not all be written, and the images themselves.
#[derive(Debug, thiserror::Error)]
#[error("cannot save the image: {error}")]
pub struct SaveError {
    /// Why the write failed.
    #[source]
    pub error: std::io::Error,
    /// The files written before it failed.
    pub saved: Vec<PathBuf>,
    /// The images not written (the first is the one that failed), so the answer the
    /// caller paid for is not lost with the write.
    pub unsaved: Vec<super::Base64Data>,
}

/// Writes `bytes` as `dir/<prefix><n>.<ext>` with the first `n` from `first` that no
/// file in `dir` uses, whatever its extension (so `-1.png` and `-1.jpg` never sit side
/// by side), creating `dir` if needed; returns the path and its `n`. The file is
/// created with `create_new`, so even one that appears meanwhile is not overwritten.
/// The CLI names its files this way too.
pub fn save_numbered(dir: &Path, prefix: &str, first: usize, bytes: &[u8]) -> std::io::Result<(PathBuf, usize)> {
    let ext = ImageFormat::detect(bytes).map_or("bin", ImageFormat::extension);
    let (file, path, n) = create_numbered(dir, prefix, first, ext)?;
    write_or_remove(file, &path, bytes)?;
    Ok((path, n))
}

/// Creates (never over an existing file) `dir/<prefix><n>.<ext>` with the first `n`
/// from `first` that no file in `dir` uses, whatever its extension, creating `dir` if
/// needed: [`save_numbered`]'s naming, for a file written piece by piece.
pub(crate) fn create_numbered(
    dir: &Path,
    prefix: &str,
    first: usize,
    ext: &str,
) -> std::io::Result<(std::fs::File, PathBuf, usize)> {
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
            match create_new(&path) {
                Ok(file) => return Ok((file, path, n)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        n += 1;
    }
}

/// Creates `path` (never an existing file) and writes `bytes` to it. A write that
/// fails after the file was created removes the partial file, so a name is never
/// left holding half an image.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_or_remove(create_new(path)?, path, bytes)
}

/// Creates `path` for writing; an existing file is an `AlreadyExists` error.
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// Writes `bytes` to the new `file` at `path` (its blocks reserved first where that
/// is cheap: [`Reserver`]), removing it if the write fails.
fn write_or_remove(mut file: std::fs::File, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut reserver = Reserver::new(&file);
    reserver.reserve(&file, bytes.len() as u64);
    file.write_all(bytes).and_then(|()| reserver.trim(&file, bytes.len() as u64)).inspect_err(|_| {
        let _ = std::fs::remove_file(path);
    })
}

/// Reads an image file and returns its MIME type (by content, else by extension) and bytes.
pub fn read_image(path: &Path) -> std::io::Result<(&'static str, Vec<u8>)> {
    let bytes = std::fs::read(path)?;
    let mime = detect_mime_type(&bytes, Some(path)).unwrap_or("application/octet-stream");
    Ok((mime, bytes))
}

/// Reads an image file into a `data:<mime>;base64,` URL.
pub fn data_url_from_path(path: &Path) -> std::io::Result<String> {
    let (mime, bytes) = read_image(path)?;
    Ok(super::base64::data_url(mime, &bytes))
}

/// Builds a `data:<mime>;base64,` URL from image bytes, the MIME type detected from the content.
pub fn data_url_from_bytes(bytes: &[u8]) -> String {
    let mime = ImageFormat::detect(bytes).map_or("application/octet-stream", ImageFormat::mime_type);
    super::base64::data_url(mime, bytes)
}

/// The signature and header chunk of a `width` x `height` PNG, without its pixels: all a
/// size check reads of an image. Generated example tests upload it for a file field with
/// `image_limits`, and tests use it to build uploads of a given size.
#[doc(hidden)]
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut chunk = b"IHDR".to_vec();
    chunk.extend(width.to_be_bytes());
    chunk.extend(height.to_be_bytes());
    // 8-bit greyscale, deflate, no filter method change, no interlace.
    chunk.extend([8, 0, 0, 0, 0]);
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d".to_vec();
    bytes.extend(&chunk);
    bytes.extend(crc32(&chunk).to_be_bytes());
    bytes
}

/// The CRC-32 (ISO 3309) a PNG chunk ends with.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// An image and the MIME type its content says it is: what a generated inline-image
/// type (base64 data beside a MIME type, such as ListenHub's `InlineData` or
/// RouterHub's `Blob`) is built from by its `from_path` and `from_bytes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// The detected MIME type (`image/png`).
    pub mime_type: &'static str,
    /// The image bytes, sent base64-encoded.
    pub data: super::Base64Data,
}

impl InlineImage {
    /// Reads an image file; its MIME type comes from the content, else from the
    /// extension (a HEIF variant the magic bytes miss).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, InlineImageError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|error| InlineImageError::Read { path: path.to_path_buf(), error })?;
        let mime_type = detect_mime_type(&bytes, Some(path)).ok_or(InlineImageError::UnknownFormat)?;
        Ok(Self { mime_type, data: super::Base64Data::from_bytes(bytes) })
    }

    /// An image from bytes; its MIME type comes from the content. Bytes no format
    /// is recognised in are refused rather than sent with a guessed type, which the
    /// server would reject after the upload.
    pub fn from_bytes(bytes: impl Into<super::Base64Data>) -> Result<Self, InlineImageError> {
        let data = bytes.into();
        let format = data.image_format().ok_or(InlineImageError::UnknownFormat)?;
        Ok(Self { mime_type: format.mime_type(), data })
    }

    /// The error for a format the field's MIME types do not include.
    pub fn not_accepted(&self, accepted: &[&str]) -> InlineImageError {
        InlineImageError::NotAccepted { mime_type: self.mime_type, accepted: accepted.join(", ") }
    }
}

/// Why a file or bytes could not become an inline image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InlineImageError {
    /// The file could not be read.
    #[error("cannot read {}: {error}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The content is not PNG, JPEG, WebP, GIF, HEIC or HEIF.
    #[error("not an image format this client recognises (PNG, JPEG, WebP, GIF, HEIC or HEIF)")]
    UnknownFormat,
    /// A format the field does not list.
    #[error("{mime_type} is not accepted here (accepted: {accepted})")]
    NotAccepted {
        /// The detected MIME type.
        mime_type: &'static str,
        /// The accepted MIME types, comma-separated.
        accepted: String,
    },
}

/// Response types that carry images: every base64 payload they hold, in order.
///
/// Emitted for every response type, so callers (and the CLI) can save all
/// images of any response without knowing where the provider puts them.
pub trait CollectImages {
    /// Appends references to every image payload in `self` to `out`.
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a super::Base64Data>);

    /// Every image payload in `self`.
    fn images(&self) -> Vec<&super::Base64Data> {
        let mut out = Vec::new();
        self.collect_images(&mut out);
        out
    }
}

impl<T: CollectImages> CollectImages for Vec<T> {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a super::Base64Data>) {
        for item in self {
            item.collect_images(out);
        }
    }
}

impl<T: CollectImages> CollectImages for Option<T> {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a super::Base64Data>) {
        if let Some(item) = self {
            item.collect_images(out);
        }
    }
}

/// A recursive type holds itself boxed; its images are those of the value inside.
impl<T: CollectImages> CollectImages for super::Nullable<T> {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a super::Base64Data>) {
        if let Some(item) = self.value() {
            item.collect_images(out);
        }
    }
}

impl<T: CollectImages + ?Sized> CollectImages for Box<T> {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a super::Base64Data>) {
        (**self).collect_images(out);
    }
}

impl<T: CollectImages> CollectImages for std::collections::BTreeMap<String, T> {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a super::Base64Data>) {
        for item in self.values() {
            item.collect_images(out);
        }
    }
}

/// Untyped JSON holds text, never a decoded image.
impl CollectImages for serde_json::Value {
    fn collect_images<'a>(&'a self, _out: &mut Vec<&'a super::Base64Data>) {}
}

/// An answer with no content (`204`).
impl CollectImages for () {
    fn collect_images<'a>(&'a self, _out: &mut Vec<&'a super::Base64Data>) {}
}

impl CollectImages for super::Base64Data {
    fn collect_images<'a>(&'a self, out: &mut Vec<&'a super::Base64Data>) {
        out.push(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_header_is_the_start_of_a_real_png_of_that_size() {
        // The first 33 bytes of the 64x64 greyscale PNG under tests/fixtures/stability/.
        let mut expected = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x40\x00\x00\x00\x40".to_vec();
        expected.extend([8, 0, 0, 0, 0, 0x8F, 0x02, 0x2E, 0x02]);
        assert_eq!(png_header(64, 64), expected);
        // A 1x1 RGB header's well-known CRC.
        assert_eq!(crc32(b"IHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), 0x9077_53DE);
    }

    #[test]
    fn detects_magic_bytes() {
        assert_eq!(ImageFormat::detect(b"\x89PNG\r\n\x1a\n...."), Some(ImageFormat::Png));
        assert_eq!(ImageFormat::detect(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageFormat::Jpeg));
        assert_eq!(ImageFormat::detect(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::Webp));
        assert_eq!(ImageFormat::detect(b"\0\0\0\x18ftypheic"), Some(ImageFormat::Heic));
        assert_eq!(ImageFormat::detect(b"<html>"), None);
        assert_eq!(ImageFormat::detect(b""), None);
    }

    #[test]
    fn inline_images_take_their_mime_type_from_the_content() {
        let jpeg = InlineImage::from_bytes(vec![0xFF, 0xD8, 0xFF, 0xE0, 1]).unwrap();
        assert_eq!(jpeg.mime_type, "image/jpeg");
        assert_eq!(jpeg.data.as_bytes(), &[0xFF, 0xD8, 0xFF, 0xE0, 1]);
        assert!(matches!(InlineImage::from_bytes(b"<html>".to_vec()), Err(InlineImageError::UnknownFormat)));
        let refused = jpeg.not_accepted(&["image/png"]).to_string();
        assert_eq!(refused, "image/jpeg is not accepted here (accepted: image/png)");
    }

    #[test]
    fn inline_image_from_a_missing_file_names_the_file() {
        let missing = std::env::temp_dir().join("imagegen-no-such-image.png");
        let error = InlineImage::from_path(&missing).unwrap_err();
        assert!(matches!(error, InlineImageError::Read { .. }), "{error:?}");
        assert!(error.to_string().contains("imagegen-no-such-image.png"), "{error}");
    }

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2];
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n....";

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imagegen-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn saves_with_real_extension() {
        let dir = temp_dir("save");
        let path = save_image(&dir, "out", JPEG).unwrap();
        assert_eq!(path.extension().unwrap(), "jpg");
        assert_eq!(std::fs::read(&path).unwrap().len(), 6);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn saving_never_overwrites_an_existing_file() {
        let dir = temp_dir("save-exists");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("out.jpg"), b"mine").unwrap();
        let refused = save_image(&dir, "out", JPEG).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(dir.join("out.jpg")).unwrap(), b"mine");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_answers_images_are_numbered_past_the_files_already_there() {
        let dir = temp_dir("save-many");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cat-1.webp"), b"mine").unwrap();
        let images = [crate::Base64Data::from_bytes(JPEG), crate::Base64Data::from_bytes(PNG)];
        let paths = save_images(&dir, "cat", &images).unwrap();
        assert_eq!(paths, [dir.join("cat-2.jpg"), dir.join("cat-3.png")]);
        assert_eq!(std::fs::read(&paths[1]).unwrap(), PNG);
        assert_eq!(std::fs::read(dir.join("cat-1.webp")).unwrap(), b"mine");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_save_keeps_the_images_not_written() {
        // A file where the directory should be: nothing can be written.
        let dir = temp_dir("save-fails");
        std::fs::write(&dir, b"not a directory").unwrap();
        let images = [crate::Base64Data::from_bytes(JPEG), crate::Base64Data::from_bytes(PNG)];
        let failed = save_images(&dir, "cat", &images).unwrap_err();
        assert!(failed.saved.is_empty());
        assert_eq!(failed.unsaved, images, "the answer's images stay reachable");
        assert!(failed.to_string().starts_with("cannot save the image: "), "{failed}");
        std::fs::remove_file(dir).unwrap();
    }
}
