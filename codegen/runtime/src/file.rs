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
    /// A part from bytes; the MIME type is detected from the magic bytes, else `application/octet-stream`.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let mime_type =
            super::image::ImageFormat::detect(&bytes).map_or("application/octet-stream", |f| f.mime_type()).to_string();
        Self { file_name: file_name.into(), mime_type, bytes }
    }

    /// Sets the MIME type explicitly.
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = mime_type.into();
        self
    }

    /// Reads a file from disk; its name and MIME type come from the path and content.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let name = path.file_name().map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
        let mut part = Self::from_bytes(name, bytes);
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
