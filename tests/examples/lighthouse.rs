//! The README's first example: generate one image with ListenHub and save it.
//!
//! `LISTENHUB_API_KEY=... cargo run -p imagegen-tests --example lighthouse`

use imagegen::listenhub::{AspectRatio, Client, GenerateImageRequest, ImageConfig, ModelProvider};
use imagegen::runtime::image::save_images;

async fn lighthouse() -> Result<(), imagegen::runtime::Error> {
    let client = Client::from_env()?; // reads LISTENHUB_API_KEY; see Client::builder() for more
    let request = GenerateImageRequest::new(ModelProvider::Google, "A lighthouse at dawn")
        .with_image_config(ImageConfig::new().with_aspect_ratio(AspectRatio::Ratio16x9));
    let response = client.generate_image(&request).await?;
    // lighthouse-1.png, lighthouse-2.png, ...: the extension from each image's magic bytes,
    // numbered past the files already there (nothing is overwritten).
    match save_images(std::path::Path::new("."), "lighthouse", response.images()) {
        Ok(paths) => paths.iter().for_each(|path| println!("{}", path.display())),
        // The images not written are still here, in `failed.unsaved`.
        Err(failed) => eprintln!("{failed} ({} images not saved)", failed.unsaved.len()),
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
