//! PNG, GIF and TIFF decoding through `image`, bounded by [`image::Limits`]
//! and by a pixel count checked on the header before the pixel buffer is
//! allocated. JPEG has its own path ([`super::jpeg`]).

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::jpeg::{DecodeFailure, GrayImage};

/// A decoded raster page.
pub(crate) struct Raster {
    pub(crate) gray: GrayImage,
    /// EXIF orientation (1–8) the decoder found (TIFF tag, PNG `eXIf`).
    pub(crate) orientation: u16,
    /// For TIFF: the re-encoded copy without metadata.
    pub(crate) reencoded: Option<Vec<u8>>,
}

/// Decodes `bytes` of `format` to grey. TIFF is also re-encoded (lossless,
/// no metadata) for the clerk's copy, as TIFF metadata is interleaved with
/// the image structure and cannot be dropped by copying byte ranges.
pub(crate) fn decode(
    bytes: &[u8],
    format: ImageFormat,
    max_pixels: u64,
    max_alloc: u64,
) -> Result<Raster, DecodeFailure> {
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_alloc);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(failure)?;
    let (w, h) = decoder.dimensions();
    let (w64, h64) = (u64::from(w), u64::from(h));
    if w64 * h64 > max_pixels || decoder.total_bytes() > max_alloc {
        return Err(DecodeFailure::Bomb {
            width: w64,
            height: h64,
        });
    }
    if w == 0 || h == 0 {
        return Err(DecodeFailure::Corrupt("zero dimension".into()));
    }
    let orientation = decoder
        .orientation()
        .map(|o| u16::from(o.to_exif()))
        .unwrap_or(1);
    let image = DynamicImage::from_decoder(decoder).map_err(failure)?;
    let reencoded = if format == ImageFormat::Tiff {
        let mut out = Cursor::new(Vec::new());
        // Formats the TIFF encoder cannot write (e.g. 16-bit with alpha in
        // some layouts) yield no copy rather than a failure.
        image
            .write_to(&mut out, ImageFormat::Tiff)
            .ok()
            .map(|()| out.into_inner())
    } else {
        None
    };
    let luma = match image {
        DynamicImage::ImageLuma8(l) => l,
        other => other.to_luma8(),
    };
    Ok(Raster {
        gray: GrayImage {
            width: w,
            height: h,
            pixels: luma.into_raw(),
        },
        orientation,
        reencoded,
    })
}

fn failure(e: image::ImageError) -> DecodeFailure {
    match e {
        image::ImageError::Limits(_) => DecodeFailure::Bomb {
            width: 0,
            height: 0,
        },
        other => DecodeFailure::Corrupt(other.to_string()),
    }
}
