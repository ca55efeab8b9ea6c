//! Files sent as multipart parts.

use std::fmt;
use std::path::Path;

use bytes::Bytes;

/// A file to upload: its bytes, file name and MIME type.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    /// File name sent in the part's `Content-Disposition`.
    pub file_name: String,
    /// MIME type sent as the part's `Content-Type`.
    pub mime_type: String,
    /// The file's content.
    pub bytes: Bytes,
}

impl FilePart {
    /// A part from bytes, the same argument order as every other `from_bytes`: the
    /// MIME type is detected from the magic bytes (else `application/octet-stream`)
    /// and the file name follows it (`image.png`, else `file`); change either with
    /// [`Self::with_file_name`] and [`Self::with_mime_type`].
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let format = super::image::ImageFormat::detect(&bytes);
        let mime_type = format.map_or("application/octet-stream", |f| f.mime_type()).to_string();
        let file_name = format.map_or_else(|| "file".to_string(), |f| format!("image.{}", f.extension()));
        Self { file_name, mime_type, bytes }
    }

    /// Sets the file name sent in the part's `Content-Disposition`.
    #[must_use]
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = file_name.into();
        self
    }

    /// Sets the MIME type explicitly.
    #[must_use]
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = mime_type.into();
        self
    }

    /// Reads a file from disk; its name and MIME type come from the path and content.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let name = path.file_name().map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
        let mut part = Self::from_bytes(bytes).with_file_name(name);
        if part.mime_type == "application/octet-stream" {
            if let Some(mime) = super::image::mime_type_for_path(path) {
                part.mime_type = mime.to_string();
            }
        }
        Ok(part)
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn bytes_are_named_after_their_detected_format() {
        let part = FilePart::from_bytes(Bytes::from_static(PNG));
        assert_eq!((part.file_name.as_str(), part.mime_type.as_str()), ("image.png", "image/png"));
        let part = FilePart::from_bytes(Bytes::from_static(b"plain text"));
        assert_eq!((part.file_name.as_str(), part.mime_type.as_str()), ("file", "application/octet-stream"));
        let part =
            FilePart::from_bytes(Bytes::from_static(PNG)).with_file_name("cat.png").with_mime_type("image/x-test");
        assert_eq!((part.file_name.as_str(), part.mime_type.as_str()), ("cat.png", "image/x-test"));
    }
}
