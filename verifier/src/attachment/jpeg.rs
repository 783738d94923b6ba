//! JPEG: the marker walk (metadata, truncation, the end of the primary
//! image), the metadata-stripped copy built from byte ranges, and the
//! bounded decode straight to 8-bit grey with zune-jpeg.

use std::ops::Range;

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use super::metadata::{MetadataFindings, minimal_orientation_tiff, read_exif};

/// Why a JPEG could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JpegError {
    /// The bytes end before the image does (no EOI, or a segment runs past the end).
    Truncated,
    /// The marker structure is broken.
    Malformed(&'static str),
}

/// One marker segment before the first scan.
#[derive(Debug, Clone)]
struct Segment {
    marker: u8,
    /// The whole segment including `FF xx` and the length.
    whole: Range<usize>,
    /// The payload after the length field.
    payload: Range<usize>,
}

/// The structure of a JPEG file as far as metadata and stripping need it.
#[derive(Debug, Clone)]
pub(crate) struct JpegLayout {
    segments: Vec<Segment>,
    /// Offset of the first SOS marker.
    scan_start: usize,
    /// Offset just after the EOI of the primary image.
    image_end: usize,
}

impl JpegLayout {
    /// Walks the markers; fails when the file is truncated or malformed.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, JpegError> {
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            return Err(JpegError::Malformed("no SOI marker"));
        }
        let mut pos = 2;
        let mut segments = Vec::new();
        loop {
            let (marker, at) = next_marker(bytes, pos)?;
            match marker {
                0xD9 => return Err(JpegError::Malformed("EOI before any scan")),
                0x01 | 0xD0..=0xD7 => pos = at + 2,
                _ => {
                    let whole = segment_range(bytes, at)?;
                    if marker == 0xDA {
                        let image_end = find_eoi(bytes, whole.end)?;
                        return Ok(Self {
                            segments,
                            scan_start: at,
                            image_end,
                        });
                    }
                    segments.push(Segment {
                        marker,
                        payload: whole.start + 4..whole.end,
                        whole: whole.clone(),
                    });
                    pos = whole.end;
                }
            }
        }
    }

    /// Records the metadata the file carries; returns the EXIF orientation.
    pub(crate) fn metadata(&self, bytes: &[u8], findings: &mut MetadataFindings) -> Option<u16> {
        let mut orientation = None;
        for s in &self.segments {
            let payload = &bytes[s.payload.clone()];
            match s.marker {
                0xE1 if payload.starts_with(b"Exif\0\0") => {
                    let o = read_exif(&payload[6..], findings);
                    orientation = orientation.or(o);
                }
                0xE1 if payload.starts_with(b"http://ns.adobe.com/xap/1.0/")
                    || payload.starts_with(b"http://ns.adobe.com/xmp/extension/") =>
                {
                    findings.add_other("xmp");
                }
                0xED => findings.add_other("iptc"),
                0xFE => findings.add_other("comment"),
                0xE0 | 0xE2 | 0xEE if !keep_segment(s.marker, payload) => {
                    findings.add_other(format!("app{}", s.marker - 0xE0));
                }
                0xE0 | 0xE2 | 0xEE => {}
                0xE1..=0xEF => findings.add_other(format!("app{}", s.marker - 0xE0)),
                _ => {}
            }
        }
        if self.image_end < bytes.len() {
            findings.add_other("trailing_data");
        }
        orientation
    }

    /// The copy for clerks: the same entropy-coded data and tables, byte for
    /// byte, without APP1 (EXIF, XMP), APP13 (IPTC), COM, other APPn and the
    /// data after the primary image's EOI (phones append gain maps and
    /// depth images there, with EXIF of their own). APP0 JFIF, APP2 ICC and
    /// APP14 Adobe stay, as they change how the pixels display; when the
    /// orientation is not 1 a minimal EXIF APP1 holding only it is written.
    pub(crate) fn stripped(&self, bytes: &[u8], orientation: Option<u16>) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.image_end);
        out.extend_from_slice(&[0xFF, 0xD8]);
        let mut exif_written = false;
        let write_exif = |out: &mut Vec<u8>| {
            if let Some(o) = orientation.filter(|&o| o != 1) {
                let tiff = minimal_orientation_tiff(o);
                let len = (2 + 6 + tiff.len()) as u16;
                out.extend_from_slice(&[0xFF, 0xE1]);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(b"Exif\0\0");
                out.extend_from_slice(&tiff);
            }
        };
        for s in &self.segments {
            let payload = &bytes[s.payload.clone()];
            let is_app = (0xE0..=0xEF).contains(&s.marker) || s.marker == 0xFE;
            if !(exif_written || s.marker == 0xE0 && keep_segment(s.marker, payload)) {
                write_exif(&mut out);
                exif_written = true;
            }
            if !is_app || keep_segment(s.marker, payload) {
                out.extend_from_slice(&bytes[s.whole.clone()]);
            }
        }
        if !exif_written {
            write_exif(&mut out);
        }
        out.extend_from_slice(&bytes[self.scan_start..self.image_end]);
        out
    }
}

/// APPn segments the stripped copy keeps: JFIF (APP0), ICC profile (APP2),
/// Adobe colour transform (APP14).
fn keep_segment(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE0 => payload.starts_with(b"JFIF\0"),
        0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
        0xEE => payload.starts_with(b"Adobe"),
        _ => false,
    }
}

/// The next marker at or after `pos` (skipping fill bytes): (code, offset of its `FF`).
fn next_marker(bytes: &[u8], mut pos: usize) -> Result<(u8, usize), JpegError> {
    match bytes.get(pos) {
        Some(0xFF) => {}
        Some(_) => return Err(JpegError::Malformed("expected a marker")),
        None => return Err(JpegError::Truncated),
    }
    while bytes.get(pos + 1) == Some(&0xFF) {
        pos += 1;
    }
    match bytes.get(pos + 1) {
        Some(&m) => Ok((m, pos)),
        None => Err(JpegError::Truncated),
    }
}

/// The range of the segment whose `FF` is at `at`.
fn segment_range(bytes: &[u8], at: usize) -> Result<Range<usize>, JpegError> {
    let len = match bytes.get(at + 2..at + 4) {
        Some(l) => usize::from(u16::from_be_bytes([l[0], l[1]])),
        None => return Err(JpegError::Truncated),
    };
    if len < 2 {
        return Err(JpegError::Malformed("segment length below 2"));
    }
    let end = at + 2 + len;
    if end > bytes.len() {
        return Err(JpegError::Truncated);
    }
    Ok(at..end)
}

/// Scans entropy-coded data (and the markers between progressive scans)
/// from `pos` to the EOI; returns the offset after it.
fn find_eoi(bytes: &[u8], mut pos: usize) -> Result<usize, JpegError> {
    loop {
        let Some(rel) = bytes
            .get(pos..)
            .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
        else {
            return Err(JpegError::Truncated);
        };
        let at = pos + rel;
        match bytes.get(at + 1) {
            None => return Err(JpegError::Truncated),
            Some(0x00 | 0xD0..=0xD7 | 0xFF) => pos = at + 1,
            Some(0xD9) => return Ok(at + 2),
            Some(0x01) => pos = at + 2,
            Some(_) => pos = segment_range(bytes, at)?.end,
        }
    }
}

/// A decoded grey image.
pub(crate) struct GrayImage {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) pixels: Vec<u8>,
}

/// Why a decode stopped.
#[derive(Debug)]
pub(crate) enum DecodeFailure {
    /// Too many pixels or bytes for the policy (declared in the header).
    Bomb { width: u64, height: u64 },
    /// The decoder refused the data.
    Corrupt(String),
}

fn options(out: ColorSpace) -> DecoderOptions {
    DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .jpeg_set_out_colorspace(out)
}

/// Decodes to 8-bit grey, once: YCbCr and grey JPEGs decode their luma
/// plane only; CMYK and other colour spaces decode to RGB and are converted
/// row by row into the same buffer size. The header is read first and the
/// pixel and allocation limits are applied before any pixel buffer exists.
pub(crate) fn decode_gray(
    bytes: &[u8],
    max_pixels: u64,
    max_alloc: u64,
) -> Result<GrayImage, DecodeFailure> {
    let mut d = JpegDecoder::new_with_options(ZCursor::new(bytes), options(ColorSpace::Luma));
    d.decode_headers()
        .map_err(|e| DecodeFailure::Corrupt(e.to_string()))?;
    let info = d
        .info()
        .ok_or_else(|| DecodeFailure::Corrupt("no frame header".into()))?;
    let (w, h) = (u64::from(info.width), u64::from(info.height));
    let input = d.input_colorspace().unwrap_or(ColorSpace::Unknown);
    let luma_path = matches!(input, ColorSpace::YCbCr | ColorSpace::Luma);
    let bytes_per_pixel: u64 = if luma_path { 1 } else { 4 };
    // zune keeps coefficient planes for progressive images: count 2 bytes
    // per sample and component on top of the output.
    let working = w * h * (bytes_per_pixel + 2 * u64::from(info.components.max(1)));
    if w * h > max_pixels || working > max_alloc {
        return Err(DecodeFailure::Bomb {
            width: w,
            height: h,
        });
    }
    if w == 0 || h == 0 {
        return Err(DecodeFailure::Corrupt("zero dimension".into()));
    }
    if luma_path {
        let pixels = d
            .decode()
            .map_err(|e| DecodeFailure::Corrupt(e.to_string()))?;
        if pixels.len() as u64 != w * h {
            return Err(DecodeFailure::Corrupt("unexpected output size".into()));
        }
        return Ok(GrayImage {
            width: w as u32,
            height: h as u32,
            pixels,
        });
    }
    d.set_options(options(ColorSpace::RGB));
    let rgb = d
        .decode()
        .map_err(|e| DecodeFailure::Corrupt(e.to_string()))?;
    if rgb.len() as u64 != w * h * 3 {
        return Err(DecodeFailure::Corrupt("unexpected output size".into()));
    }
    Ok(GrayImage {
        width: w as u32,
        height: h as u32,
        pixels: rgb_to_gray(&rgb),
    })
}

/// ITU-R BT.601 luma of packed RGB, in integer arithmetic.
pub(crate) fn rgb_to_gray(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .map(|p| {
            ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn walk_finds_eoi_past_stuffed_bytes_and_restart_markers() {
        let mut f = vec![0xFF, 0xD8];
        f.extend(seg(0xE1, b"Exif\0\0MM\0*"));
        f.extend(seg(0xDB, &[0; 65]));
        f.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        f.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9]);
        f.extend_from_slice(b"TRAILER");
        let layout = JpegLayout::parse(&f).expect("well-formed");
        assert_eq!(layout.image_end, f.len() - 7);
        let stripped = layout.stripped(&f, None);
        assert!(!stripped.windows(4).any(|w| w == b"Exif"));
        assert!(stripped.ends_with(&[0xFF, 0xD9]));
    }

    #[test]
    fn walk_reports_truncation() {
        let mut f = vec![0xFF, 0xD8];
        f.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        f.extend_from_slice(&[0x12, 0x34]);
        assert_eq!(JpegLayout::parse(&f).err(), Some(JpegError::Truncated));
        assert_eq!(
            JpegLayout::parse(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]).err(),
            Some(JpegError::Truncated)
        );
    }
}
