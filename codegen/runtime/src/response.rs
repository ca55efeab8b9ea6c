//! A successful call's decoded value together with the response head it came in:
//! what a caller needs for rate-limit headers, request ids in support tickets, or a
//! `201` told apart from a `200`.

use reqwest::header::HeaderMap;

use super::save_as_arrived::{SavedImage, SavedImages, UnsavedImage};

/// A decoded success response with its status, headers and request id, returned by a
/// client's `<operation>_with_response` methods.
///
/// The headers are scrubbed of the client's key as [`ApiError`](super::ApiError)'s
/// are: a server that echoes it back (a debugging proxy) does not leak it here.
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    status: u16,
    headers: HeaderMap,
    saved_images: SavedImages,
}

impl<T> Response<T> {
    /// `headers` must already be scrubbed; only the client builds one.
    pub(crate) fn new(value: T, status: u16, headers: HeaderMap) -> Self {
        Self { value, status, headers, saved_images: SavedImages::default() }
    }

    /// With the files its images were written to.
    pub(crate) fn with_saved_images(mut self, saved_images: SavedImages) -> Self {
        self.saved_images = saved_images;
        self
    }

    /// The files the answer's images were written to, in answer order, when the
    /// call was made through a handle with
    /// [`RequestOptions::save_images_to`](super::RequestOptions::save_images_to)
    /// (empty otherwise).
    pub fn saved_images(&self) -> &[SavedImage] {
        &self.saved_images.saved
    }

    /// The images that could not be written (disk full, no permission), in answer
    /// order: each is still in the answer.
    pub fn unsaved_images(&self) -> &[UnsavedImage] {
        &self.saved_images.unsaved
    }

    /// What was written: the files and the failures.
    pub fn save_report(&self) -> &SavedImages {
        &self.saved_images
    }

    /// The decoded body.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded body, the response head dropped.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers, the client's key replaced wherever a server echoed it.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server sent (`x-request-id`, `request-id`,
    /// `x-goog-request-id`, `cf-ray`), for support tickets; the same headers
    /// [`ApiError::request_id`](super::ApiError::request_id) reads.
    pub fn request_id(&self) -> Option<&str> {
        super::trace::REQUEST_ID_HEADERS.iter().find_map(|name| self.headers.get(*name).and_then(|v| v.to_str().ok()))
    }

    /// The headers the spec describes for this operation, typed (a generated
    /// `<Operation>Headers`): `response.typed_headers::<GenerateHeaders>().seed`.
    pub fn typed_headers<H: super::FromHeaders>(&self) -> H {
        H::from_headers(&self.headers)
    }

    /// The decoded body and the head apart: `(value, status, headers)`.
    pub fn into_parts(self) -> (T, u16, HeaderMap) {
        (self.value, self.status, self.headers)
    }
}
