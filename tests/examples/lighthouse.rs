//! The README's first example: generate one image with ListenHub and save it.
//!
//! `LISTENHUB_API_KEY=... cargo run -p imagegen-tests --example lighthouse`

use imagegen::listenhub::{AspectRatio, Client, GenerateImageRequest, ImageConfig, ModelProvider};
use imagegen::runtime::image::save_image;

async fn lighthouse() -> Result<(), imagegen::runtime::Error> {
    let client = Client::from_env()?; // reads LISTENHUB_API_KEY; see Client::builder() for more
    let request = GenerateImageRequest::new(ModelProvider::Google, "A lighthouse at dawn")
        .with_image_config(ImageConfig::new().with_aspect_ratio(AspectRatio::Ratio16x9));
    let response = client.generate_image(&request).await?;
    for (i, image) in response.images().into_iter().enumerate() {
        // The extension comes from the image's magic bytes.
        let path = save_image(std::path::Path::new("."), &format!("lighthouse-{i}"), image.as_bytes())
            .expect("writable directory");
        println!("{}", path.display());
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    if let Err(err) = lighthouse().await {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}
