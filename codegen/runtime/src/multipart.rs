//! Multipart forms that can be rebuilt for every attempt.
//!
//! `reqwest::multipart::Form` is consumed by sending and is not `Clone`, so a
//! retry needs a fresh one. [`MultipartForm`] keeps the parts and builds a
//! reqwest form on demand; file payloads are `Bytes`, so each rebuild shares
//! the image bytes instead of copying them.

use std::fmt;

use super::error::{EncodeError, Error};
use super::file::FilePart;

/// One field of a form.
#[derive(Clone, PartialEq, Eq)]
enum Field {
    Text { name: String, value: String },
    File { name: String, file: FilePart },
}

/// A multipart/form-data body, rebuildable per attempt.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MultipartForm {
    fields: Vec<Field>,
}

impl MultipartForm {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a text field.
    pub fn push_text(&mut self, name: &str, value: impl Into<String>) {
        self.fields.push(Field::Text { name: name.to_string(), value: value.into() });
    }

    /// Appends a file field; the payload is shared, not copied.
    pub fn push_file(&mut self, name: &str, part: &FilePart) {
        self.fields.push(Field::File { name: name.to_string(), file: part.clone() });
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the form has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The value of the first text field called `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields.iter().find_map(|f| match f {
            Field::Text { name: n, value } if n == name => Some(value.as_str()),
            _ => None,
        })
    }

    /// Every file field called `name`, in order.
    pub fn files<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a FilePart> + 'a {
        self.fields.iter().filter_map(move |f| match f {
            Field::File { name: n, file } if n == name => Some(file),
            _ => None,
        })
    }

    /// Builds a fresh reqwest form for one attempt.
    pub(crate) fn to_reqwest(&self) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for field in &self.fields {
            form = match field {
                Field::Text { name, value } => form.text(name.clone(), value.clone()),
                Field::File { name, file } => {
                    let len = file.bytes.len() as u64;
                    // A stream with a known length keeps Content-Length on the request
                    // (no chunked upload) while sharing the Bytes buffer.
                    let part =
                        reqwest::multipart::Part::stream_with_length(reqwest::Body::from(file.bytes.clone()), len)
                            .file_name(file.file_name.clone())
                            .mime_str(&file.mime_type)
                            .map_err(|_| {
                                Error::Encode(EncodeError::MimeType {
                                    part: name.clone(),
                                    mime_type: file.mime_type.clone(),
                                })
                            })?;
                    form.part(name.clone(), part)
                }
            };
        }
        Ok(form)
    }
}

impl fmt::Debug for MultipartForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for field in &self.fields {
            match field {
                Field::Text { name, value } => list.entry(&format_args!("{name}: text({} bytes)", value.len())),
                Field::File { name, file } => list.entry(&format_args!("{name}: {file:?}")),
            };
        }
        list.finish()
    }
}
