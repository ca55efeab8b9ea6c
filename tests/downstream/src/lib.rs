//! A small thumbnail service over two image providers, the way a crate that
//! depends on `imagegen` would write one: Octen first, ListenHub when Octen
//! fails. Its tests (`tests/thumbnails.rs`) run it against the `testing`
//! feature's mock servers, with no network and no keys.

use imagegen::{listenhub, octen};

/// Which provider drew a thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Octen (tried first).
    Octen,
    /// ListenHub (the fallback).
    ListenHub,
}

/// A generated thumbnail: the image bytes and who drew them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// The image as the provider returned it (PNG for both providers here).
    pub image: Vec<u8>,
    /// The provider that answered.
    pub provider: Provider,
}

/// Why one provider gave no thumbnail.
#[derive(Debug)]
pub enum ProviderFailure {
    /// The call failed (the provider's error status, a timeout, ...).
    Call(imagegen::Error),
    /// The provider answered, but without an image.
    NoImage,
}

impl std::fmt::Display for ProviderFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderFailure::Call(err) => write!(f, "{err}"),
            ProviderFailure::NoImage => f.write_str("answered without an image"),
        }
    }
}

impl From<imagegen::Error> for ProviderFailure {
    fn from(err: imagegen::Error) -> Self {
        ProviderFailure::Call(err)
    }
}

/// Why no thumbnail could be made.
#[derive(Debug)]
pub enum ThumbnailError {
    /// The subject is empty: nothing is sent to either provider.
    EmptySubject,
    /// Both providers failed; each error as the client reported it.
    BothFailed {
        /// Octen's failure.
        octen: ProviderFailure,
        /// ListenHub's failure.
        listenhub: ProviderFailure,
    },
}

impl std::fmt::Display for ThumbnailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThumbnailError::EmptySubject => f.write_str("the subject is empty"),
            ThumbnailError::BothFailed { octen, listenhub } => {
                write!(f, "Octen failed ({octen}) and so did ListenHub ({listenhub})")
            }
        }
    }
}

impl std::error::Error for ThumbnailError {}

/// Draws thumbnails with Octen, falling back to ListenHub.
#[derive(Debug, Clone)]
pub struct Thumbnailer {
    octen: octen::Client,
    listenhub: listenhub::Client,
}

impl Thumbnailer {
    /// A thumbnailer over two configured clients (from `from_env()` in production,
    /// from the mock servers in tests).
    pub fn new(octen: octen::Client, listenhub: listenhub::Client) -> Self {
        Self { octen, listenhub }
    }

    /// A square thumbnail of `subject`. Any Octen failure, or an Octen answer
    /// without an image, moves on to ListenHub: a thumbnail from either is fine.
    pub async fn thumbnail(&self, subject: &str) -> Result<Thumbnail, ThumbnailError> {
        let subject = subject.trim();
        if subject.is_empty() {
            return Err(ThumbnailError::EmptySubject);
        }
        let prompt = format!("A small square thumbnail of {subject}, plain background");
        let octen = match self.draw_with_octen(&prompt).await {
            Ok(image) => return Ok(Thumbnail { image, provider: Provider::Octen }),
            Err(err) => err,
        };
        match self.draw_with_listenhub(&prompt).await {
            Ok(image) => Ok(Thumbnail { image, provider: Provider::ListenHub }),
            Err(listenhub) => Err(ThumbnailError::BothFailed { octen, listenhub }),
        }
    }

    async fn draw_with_octen(&self, prompt: &str) -> Result<Vec<u8>, ProviderFailure> {
        // The small GPT model at its smallest documented square size: thumbnails need no more.
        let request = octen::ImageGenerationRequest::new(octen::ImageModel::OpenaiGptImage1Mini, prompt)
            .with_size("1024x1024")
            .with_n(1);
        let response = self.octen.generate_images(&request).await?;
        first_image(response.images())
    }

    async fn draw_with_listenhub(&self, prompt: &str) -> Result<Vec<u8>, ProviderFailure> {
        let request = listenhub::GenerateImageRequest::new(listenhub::ModelProvider::Google, prompt)
            .with_image_config(listenhub::ImageConfig::new().with_aspect_ratio(listenhub::AspectRatio::Ratio1x1));
        let response = self.listenhub.generate_image(&request).await?;
        first_image(response.images())
    }
}

/// The first image of a response; an answer without one counts as a failure of
/// that provider, so the caller can fall back.
fn first_image(images: Vec<&imagegen::runtime::Base64Data>) -> Result<Vec<u8>, ProviderFailure> {
    images.first().map(|image| image.as_bytes().to_vec()).ok_or(ProviderFailure::NoImage)
}
