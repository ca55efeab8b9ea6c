//! Width and height limits on an uploaded image, read from the image's header without
//! decoding it (Stability's "every side must be at least 64 pixels; the total pixel count
//! must be between 4,096 and 9,437,184 pixels; the aspect ratio must be between 1:2.5 and
//! 2.5:1"). A request whose image the server would refuse is not sent, so it is neither
//! uploaded nor paid for.

use super::{aspect_ratio, Constraint, Validator};

/// Limits on an uploaded image's width and height, in pixels, all inclusive. A generated
/// `validate()` builds one for each file field whose spec states `image_limits`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageLimits {
    /// Every side (width and height) at least this many pixels.
    pub min_side: Option<u64>,
    /// Every side at most this many pixels.
    pub max_side: Option<u64>,
    /// Width × height at least this many pixels.
    pub min_pixels: Option<u64>,
    /// Width × height at most this many pixels.
    pub max_pixels: Option<u64>,
    /// The narrowest and the widest `W:H` ratio allowed, as the docs write them (`1:2.5`, `2.5:1`).
    pub aspect_ratio: Option<(&'static str, &'static str)>,
}

/// The limit an image broke, with its bound.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageLimit {
    /// A side shorter than this.
    MinSide(u64),
    /// A side longer than this.
    MaxSide(u64),
    /// Fewer pixels than this.
    MinPixels(u64),
    /// More pixels than this.
    MaxPixels(u64),
    /// A width:height ratio outside this range (narrowest, widest).
    AspectRatio {
        /// The narrowest ratio allowed (`1:2.5`).
        min: String,
        /// The widest ratio allowed (`2.5:1`).
        max: String,
    },
}

impl Validator {
    /// Checks an uploaded image's width and height against `limits`, reporting one
    /// violation per limit broken. Only the header is read, in place: the image is neither
    /// decoded nor copied. An image whose size cannot be read (a format the reader does not
    /// know, a truncated header) is not refused: the server decides, and a warning says the
    /// limits were not checked.
    pub fn image_geometry(&mut self, field: &str, image: &[u8], limits: &ImageLimits) {
        let size = match measure(image) {
            Ok(size) => size,
            Err(error) => {
                let reason = unreadable(&error);
                let message = format!("the image's width and height could not be read ({reason}), so its size limits were not checked; the server will check them");
                self.warn(field, Constraint::ImageUnmeasured { reason }, message);
                return;
            }
        };
        let (width, height) = (to_u64(size.width), to_u64(size.height));
        for (limit, broken) in broken_limits(width, height, limits) {
            self.report(
                field,
                Constraint::ImageGeometry { width, height, limit },
                format!("{width}x{height} pixels: {broken}"),
            );
        }
    }
}

/// The image's width and height from its header. A simple (lossy) WebP's `VP8 ` frame
/// header gives each side in 14 bits under 2 bits of upscaling hint, which `imagesize`
/// 0.15 reads as part of the size; those are read here without the hint, so an image
/// with the hint set is not taken for one 16,384 pixels wider than it is.
fn measure(image: &[u8]) -> imagesize::ImageResult<imagesize::ImageSize> {
    let size = imagesize::blob_size(image)?;
    let side = |at: usize| image.get(at..at + 2).map(|b| usize::from(u16::from_le_bytes([b[0], b[1]]) & 0x3FFF));
    match (image.get(8..16), side(0x1A), side(0x1C)) {
        (Some(b"WEBPVP8 "), Some(width), Some(height)) => Ok(imagesize::ImageSize { width, height }),
        _ => Ok(size),
    }
}

/// Every limit `width` × `height` breaks, with what it says, in the order the docs state them.
fn broken_limits(width: u64, height: u64, limits: &ImageLimits) -> Vec<(ImageLimit, String)> {
    let ImageLimits { min_side, max_side, min_pixels, max_pixels, aspect_ratio: ratios } = *limits;
    let mut broken = Vec::new();
    let (short, long) = (width.min(height), width.max(height));
    if let Some(min) = min_side.filter(|&min| short < min) {
        broken.push((ImageLimit::MinSide(min), format!("every side must be at least {}", grouped(min))));
    }
    if let Some(max) = max_side.filter(|&max| long > max) {
        broken.push((ImageLimit::MaxSide(max), format!("every side must be at most {}", grouped(max))));
    }
    let pixels = width.saturating_mul(height);
    if let Some(min) = min_pixels.filter(|&min| pixels < min) {
        let message = format!("{} pixels in total, must be at least {}", grouped(pixels), grouped(min));
        broken.push((ImageLimit::MinPixels(min), message));
    }
    if let Some(max) = max_pixels.filter(|&max| pixels > max) {
        let message = format!("{} pixels in total, must be at most {}", grouped(pixels), grouped(max));
        broken.push((ImageLimit::MaxPixels(max), message));
    }
    if let Some((min, max)) = ratios {
        if let Some(message) = ratio_outside(width, height, min, max) {
            broken.push((ImageLimit::AspectRatio { min: min.to_string(), max: max.to_string() }, message));
        }
    }
    broken
}

/// What is wrong with the image's ratio, if anything. A bound that does not read as
/// `W:H` limits nothing (the generator refuses such a spec).
fn ratio_outside(width: u64, height: u64, min: &str, max: &str) -> Option<String> {
    if width == 0 || height == 0 {
        return Some(format!("a side of 0 pixels has no aspect ratio between {min} and {max}"));
    }
    let ratio = width as f64 / height as f64;
    let shown = || {
        let divisor = gcd(width, height);
        let decimal = format!("{ratio:.4}");
        let decimal = decimal.trim_end_matches('0').trim_end_matches('.');
        format!("aspect ratio {}:{} ({decimal})", width / divisor, height / divisor)
    };
    if aspect_ratio(min).is_some_and(|min| ratio < min) {
        Some(format!("{} is narrower than {min}", shown()))
    } else if aspect_ratio(max).is_some_and(|max| ratio > max) {
        Some(format!("{} is wider than {max}", shown()))
    } else {
        None
    }
}

/// Why the header did not give a size, in words.
fn unreadable(error: &imagesize::ImageError) -> String {
    match error {
        imagesize::ImageError::NotSupported => "not a PNG, JPEG, WebP, GIF or HEIF image".to_string(),
        imagesize::ImageError::CorruptedImage => "its header is damaged".to_string(),
        imagesize::ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "its header ends before its size".to_string()
        }
        imagesize::ImageError::IoError(e) => format!("its header is damaged: {e}"),
    }
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// `9437184` as `9,437,184`, the way the docs write pixel counts.
pub(super) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::png_header;
    use crate::validate::{Validate, ValidationError, Warnings};

    /// Stability's limits for most uploads (edit, control, upscale conservative).
    const STABILITY: ImageLimits = ImageLimits {
        min_side: Some(64),
        max_side: None,
        min_pixels: Some(4_096),
        max_pixels: Some(9_437_184),
        aspect_ratio: Some(("1:2.5", "2.5:1")),
    };

    /// A baseline JPEG's start, a JFIF APP0 segment (skipped by its length) and its SOF0 frame.
    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend([0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        bytes.extend([0xFF, 0xC0, 0, 17, 8]);
        bytes.extend(height.to_be_bytes());
        bytes.extend(width.to_be_bytes());
        bytes.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        bytes
    }

    /// An extended WebP's RIFF header and VP8X chunk (width and height less one, 24-bit).
    fn webp(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"RIFF\x1e\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00".to_vec();
        bytes.extend(&(width - 1).to_le_bytes()[..3]);
        bytes.extend(&(height - 1).to_le_bytes()[..3]);
        bytes
    }

    /// A simple (lossy) WebP's RIFF header and the start of its `VP8 ` key frame, each side
    /// in 14 bits with `scale` in the 2 bits above.
    fn lossy_webp(width: u16, height: u16, scale: u16) -> Vec<u8> {
        let mut bytes = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00".to_vec();
        bytes.extend([0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A]);
        bytes.extend((width | scale << 14).to_le_bytes());
        bytes.extend((height | scale << 14).to_le_bytes());
        bytes.extend([0; 14]);
        bytes
    }

    #[test]
    fn a_lossy_webps_upscaling_hint_is_not_read_as_its_size() {
        assert_eq!(violations(&lossy_webp(1024, 1024, 0), STABILITY), Vec::<String>::new());
        // The hint set (2x): still 1024x1024, not 17,408 pixels a side.
        assert_eq!(violations(&lossy_webp(1024, 1024, 1), STABILITY), Vec::<String>::new());
        assert_eq!(
            violations(&lossy_webp(40, 1024, 3), STABILITY),
            [
                "image: 40x1024 pixels: every side must be at least 64",
                "image: 40x1024 pixels: aspect ratio 5:128 (0.0391) is narrower than 1:2.5",
            ]
        );
    }

    /// A request with one uploaded image under `image`.
    struct Upload<'a>(&'a [u8], ImageLimits);

    impl Validate for Upload<'_> {
        fn validate_into(&self, v: &mut Validator) {
            v.image_geometry("image", self.0, &self.1);
        }
    }

    fn violations(bytes: &[u8], limits: ImageLimits) -> Vec<String> {
        match Upload(bytes, limits).validate() {
            Ok(warnings) => {
                assert!(warnings.is_empty(), "unexpected warnings: {warnings:?}");
                Vec::new()
            }
            Err(error) => error.violations().iter().map(ToString::to_string).collect(),
        }
    }

    fn unmeasured(bytes: &[u8]) -> Warnings {
        Upload(bytes, STABILITY).validate().expect("an unreadable image is not refused")
    }

    #[test]
    fn a_square_megapixel_png_meets_stabilitys_limits() {
        assert_eq!(violations(&png_header(1024, 1024), STABILITY), Vec::<String>::new());
    }

    #[test]
    fn every_bound_is_inclusive() {
        // 64x160: the shortest side, the narrowest ratio (1:2.5) and more than 4,096 pixels.
        assert_eq!(violations(&png_header(64, 160), STABILITY), Vec::<String>::new());
        assert_eq!(violations(&png_header(160, 64), STABILITY), Vec::<String>::new());
        assert_eq!(violations(&jpeg(64, 64), STABILITY), Vec::<String>::new());
        // 3072 x 3072 = 9,437,184, the docs' own example of the largest.
        assert_eq!(violations(&jpeg(3072, 3072), STABILITY), Vec::<String>::new());
        let fast = ImageLimits { min_side: Some(32), max_side: Some(1_536), ..ImageLimits::default() };
        assert_eq!(violations(&webp(1_536, 32), fast), Vec::<String>::new());
    }

    #[test]
    fn a_thin_tall_png_breaks_the_side_and_the_ratio_at_once() {
        assert_eq!(
            violations(&png_header(50, 4000), STABILITY),
            [
                "image: 50x4000 pixels: every side must be at least 64",
                "image: 50x4000 pixels: aspect ratio 1:80 (0.0125) is narrower than 1:2.5",
            ]
        );
    }

    #[test]
    fn a_huge_jpeg_breaks_the_pixel_count_and_the_longest_side() {
        let generate = ImageLimits { max_side: Some(16_384), ..STABILITY };
        assert_eq!(
            violations(&jpeg(20_000, 10_000), generate),
            [
                "image: 20000x10000 pixels: every side must be at most 16,384",
                "image: 20000x10000 pixels: 200,000,000 pixels in total, must be at most 9,437,184",
            ]
        );
    }

    #[test]
    fn a_small_webp_has_too_few_pixels() {
        let limits = ImageLimits { min_side: Some(32), min_pixels: Some(4_096), ..ImageLimits::default() };
        assert_eq!(
            violations(&webp(60, 60), limits),
            ["image: 60x60 pixels: 3,600 pixels in total, must be at least 4,096"]
        );
    }

    #[test]
    fn a_wide_webp_is_wider_than_the_widest_ratio() {
        assert_eq!(
            violations(&webp(3000, 1000), STABILITY),
            ["image: 3000x1000 pixels: aspect ratio 3:1 (3) is wider than 2.5:1"]
        );
    }

    #[test]
    fn a_violation_names_the_dimensions_and_the_limit() {
        let Err(error): Result<Warnings, ValidationError> = Upload(&png_header(50, 60), STABILITY).validate() else {
            panic!("a 50-pixel side is refused");
        };
        let rules: Vec<&Constraint> = error.violations().iter().map(|v| &v.rule).collect();
        assert_eq!(
            rules,
            [
                &Constraint::ImageGeometry { width: 50, height: 60, limit: ImageLimit::MinSide(64) },
                &Constraint::ImageGeometry { width: 50, height: 60, limit: ImageLimit::MinPixels(4_096) },
            ]
        );
    }

    #[test]
    fn a_side_of_zero_has_no_ratio() {
        let limits = ImageLimits { aspect_ratio: Some(("1:2.5", "2.5:1")), ..ImageLimits::default() };
        assert_eq!(
            violations(&png_header(0, 100), limits),
            ["image: 0x100 pixels: a side of 0 pixels has no aspect ratio between 1:2.5 and 2.5:1"]
        );
    }

    #[test]
    fn a_cut_header_is_a_warning_not_a_violation() {
        let warnings = unmeasured(&png_header(50, 50)[..18]);
        let [warning] = warnings.as_slice() else { panic!("one warning: {warnings:?}") };
        assert_eq!(warning.path, "image");
        assert_eq!(warning.rule, Constraint::ImageUnmeasured { reason: "its header ends before its size".to_string() });
        assert!(warning.message.contains("limits were not checked"), "{}", warning.message);
    }

    #[test]
    fn an_unknown_format_is_a_warning_not_a_violation() {
        let warnings = unmeasured(b"this is not an image at all");
        let [warning] = warnings.as_slice() else { panic!("one warning: {warnings:?}") };
        assert_eq!(
            warning.rule,
            Constraint::ImageUnmeasured { reason: "not a PNG, JPEG, WebP, GIF or HEIF image".to_string() }
        );
        assert_eq!(unmeasured(b"").len(), 1, "an empty file is not measured either");
    }

    #[test]
    fn a_jpeg_whose_segments_run_past_its_end_is_a_warning() {
        // An APP0 segment claiming 65,535 bytes in a 20-byte file.
        let bytes = [0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(unmeasured(&bytes).len(), 1);
    }

    #[test]
    fn pixel_counts_are_grouped_in_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(4_096), "4,096");
        assert_eq!(grouped(9_437_184), "9,437,184");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
    }

    proptest::proptest! {
        /// Whatever follows a known signature, reading the size never panics.
        #[test]
        fn any_bytes_after_a_signature_are_measured_or_warned(
            signature in 0usize..4,
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
        ) {
            let heads: [&[u8]; 4] = [b"\x89PNG\r\n\x1a\n", &[0xFF, 0xD8, 0xFF], b"RIFF\0\0\0\0WEBPVP8", b"GIF89a"];
            let mut bytes = heads[signature].to_vec();
            bytes.extend(tail);
            let mut v = Validator::new();
            v.image_geometry("image", &bytes, &STABILITY);
            proptest::prop_assert!(v.violations().len() + v.warnings().len() <= 5);
        }
    }
}
