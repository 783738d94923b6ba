//! [`AttachmentPolicy`]: every limit and threshold of the attachment checks.

use std::time::Duration;

/// Limits and legibility thresholds. [`Default`] gives the production values;
/// the gateway's configuration may override each one.
///
/// The legibility thresholds were chosen on the calibration set described in
/// the [module documentation](super) (synthetic certificate pages degraded
/// like phone photos).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AttachmentPolicy {
    /// Largest part accepted, in bytes (default 20 MiB: a 12 MP JPEG is 3–4 MB,
    /// a lossless 12 MP PNG scan up to ~15 MB).
    pub max_bytes: usize,
    /// Largest image, in pixels, after reading the header and before any
    /// allocation (default 120 megapixels: 108 MP phone modes pass).
    pub max_pixels: u64,
    /// Largest allocation a decoder may make, in bytes (`image::Limits::max_alloc`;
    /// default 512 MiB).
    pub max_alloc_bytes: u64,
    /// Most pages a PDF may have (default 10: a certificate is one or two pages).
    pub max_pdf_pages: usize,
    /// Largest size a single PDF stream may decompress to (default 64 MiB).
    pub max_pdf_stream_bytes: usize,
    /// Short side, in pixels, below which the image is refused (default 800:
    /// A4 at ~100 dpi, where 3 mm print is ~12 px high).
    pub resolution_floor: u32,
    /// Short side, in pixels, below which a warning is given (default 1200: A4 at ~150 dpi).
    pub resolution_target: u32,
    /// Sharpness below which the image is refused as blurred (default 0.009).
    pub sharpness_floor: f64,
    /// Sharpness below which a warning is given (default 0.03).
    pub sharpness_target: f64,
    /// Standard deviation of the grey levels below which the image is blank (default 6.0).
    pub blank_stddev: f64,
    /// Fraction of pixels crushed to black (≤ 5) from which an image is
    /// judged underexposed, a warning (default 0.5).
    pub clipped_black_fraction: f64,
    /// Contrast of the writing (99th − 1st percentile of grey) under which
    /// the image is refused as over- or underexposed (default 60).
    pub exposure_contrast_floor: u8,
    /// Contrast under which a warning is given (default 110).
    pub exposure_contrast_target: u8,
    /// Time limit of the PDF text extraction (default 2 s).
    pub pdf_text_timeout: Duration,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_pixels: 120_000_000,
            max_alloc_bytes: 512 * 1024 * 1024,
            max_pdf_pages: 10,
            max_pdf_stream_bytes: 64 * 1024 * 1024,
            resolution_floor: 800,
            resolution_target: 1200,
            sharpness_floor: 0.009,
            sharpness_target: 0.03,
            blank_stddev: 6.0,
            clipped_black_fraction: 0.5,
            exposure_contrast_floor: 60,
            exposure_contrast_target: 110,
            pdf_text_timeout: Duration::from_secs(2),
        }
    }
}
