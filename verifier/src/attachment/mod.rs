//! Attachment checks: the pages of the 出生証明書 that the parent photographs
//! or scans (`certificate-1`, `certificate-2`, … parts).
//!
//! One call, [`inspect`], takes the part's bytes and declared media type and
//! returns an [`AttachmentReport`]: the sniffed type, per-page legibility
//! figures, the personal metadata found, a metadata-stripped copy for the
//! clerk, and every [`Problem`](formats::Problem) (codes `attachment.*`, see
//! [`AttachmentCode`]; the pointer is always the part name). Pure: no I/O,
//! no clock; decoders run under explicit limits ([`AttachmentPolicy`]) and
//! inside `catch_unwind`, so hostile bytes yield problems, never a panic.
//!
//! # Layout
//! - [`policy`] — [`AttachmentPolicy`], every limit and threshold.
//! - [`codes`] — [`AttachmentCode`] and the generated code table.
//! - [`sniff`] — media type from the leading bytes.
//! - `jpeg`, `png`, `gif`, `raster` — structure walks, stripped copies,
//!   bounded decoding (JPEG straight to 8-bit grey with zune-jpeg; PNG, GIF,
//!   TIFF through `image` with [`image::Limits`]).
//! - [`metadata`] — EXIF/XMP/IPTC/text-chunk findings and orientation.
//! - [`legibility`] — resolution, contrast, exposure, sharpness.
//! - [`pdf`] — structure, active content, page images, and the text layer
//!   behind [`PdfTextExtractor`].
//! - [`certificate_text`] — the certificate items read from text and their
//!   cross-check with the transcription.
//!
//! # What is checked, in order
//! 1. Size (`attachment.too_large`, `attachment.empty`).
//! 2. Media type sniffed from the bytes against the declared one. Accepted:
//!    JPEG, PNG, TIFF, GIF, PDF (what the portal accepts); HEIC/HEIF, AVIF,
//!    WebP, BMP and unknown bytes are `attachment.unsupported_type`.
//! 3. Structure and full decode under the limits: the header's dimensions
//!    are checked against `max_pixels` and `max_alloc_bytes` *before* the
//!    pixel buffer exists (`attachment.decompression_bomb`); truncated or
//!    corrupt data, and a contained decoder panic, are `attachment.corrupt`.
//! 4. Legibility of each page image (below).
//! 5. Metadata: GPS (`attachment.location_metadata`) and identifying fields
//!    (`attachment.personal_metadata`) are warnings: the clerk receives the
//!    stripped copy, the original stays untouched as the signed evidence.
//! 6. PDF: encryption, JavaScript, launch actions, embedded files, page
//!    count, the largest image of each page through 3–4, and the text layer
//!    cross-checked with the transcribed certificate items
//!    (`attachment.pdf_text_mismatch`, a warning naming both values).
//!
//! # Orientation
//! The EXIF orientation is applied to the reported dimensions (5–8 swap
//! width and height). The pixels are not rotated: every figure measured is
//! invariant under 90° rotations and flips, so no second full-resolution
//! copy is needed.
//!
//! # Stripped copies
//! - JPEG: byte ranges of the original — SOI, APP0 JFIF, APP2 ICC, APP14
//!   Adobe, the tables and frame header, and the entropy-coded data up to
//!   the primary image's EOI. APP1 (EXIF, XMP), APP13 (IPTC), COM, other
//!   APPn and data after EOI (gain maps, depth maps with their own EXIF)
//!   are dropped; an orientation other than 1 is kept in a new 34-byte
//!   APP1 holding only the Orientation tag, so the copy displays upright.
//! - PNG: the signature and the rendering chunks (IHDR, PLTE, IDAT, IEND,
//!   tRNS, gAMA, cHRM, sRGB, iCCP, sBIT, bKGD, pHYs, cICP, mDCv, cLLi and
//!   APNG frame chunks) byte for byte; tEXt, zTXt, iTXt, eXIf, tIME and
//!   private chunks are dropped (an orientation other than 1 gets a new
//!   minimal eXIf chunk).
//! - GIF: comment and application extensions are dropped.
//! - TIFF: metadata is woven into the IFD structure, so the copy is
//!   **re-encoded** losslessly (same pixels, no tags besides the image's).
//! - PDF: no copy ([`AttachmentReport::stripped`] is `None`); the checks
//!   refuse active content, and the clerk's viewer gets the original.
//!
//! # Cost
//! A JPEG is decoded once, straight to 8-bit grey (zune-jpeg decodes only
//! the luma plane); the measurements stream over its rows with three
//! working rows of state; the stripped copy is built from byte ranges after
//! the grey image is dropped. On the benchmark's 4000×3000, 4.0 MB photo
//! (`verifier/benches/attachment.rs`, 2 cores shared with other builds)
//! the full `inspect` took 1.02–1.20 × the bare grey decode (≈ 65–90 ms)
//! and 0.73–0.83 × a bare RGB decode, and added 12.6 MB of peak resident
//! memory for a 12.0 MB grey image (a bare grey decode adds 12.5 MB).
//! PNG, GIF and TIFF go through `image`, which decodes in the file's
//! colour type; a colour image is then converted to grey (a second buffer
//! of a third of the size).
//!
//! # Legibility figures and thresholds
//! Each page image is decoded once to 8-bit grey and area-averaged, in the
//! same streaming pass, to a working image whose short side is
//! [`legibility::WORKING_SHORT_SIDE`] (384) pixels; on it:
//! - **resolution**: the short side of the original, in pixels. Floor 800
//!   (A4 at ~100 dpi; 3 mm print ≈ 12 px), target 1200 (≈150 dpi).
//! - **blank**: standard deviation of grey < 6. A blank sheet photographed
//!   with sensor noise measures < 1 after averaging, the washed-out
//!   ×2.6+120 photo 2.2; every certificate measures > 13.
//! - **exposure**: the contrast of the writing, 99th − 1st percentile of
//!   grey, must be ≥ 60 (error below) and should be ≥ 110 (warning below);
//!   a warning also when ≥ 50 % of the pixels are crushed to black. White
//!   paper clipped at 255 is normal in a scan and is not a fault by itself.
//! - **sharpness**: variance of the 4-neighbour Laplacian of the working
//!   image divided by the squared contrast. The fixed working size makes
//!   it a property of the page, not of the camera (the same photo at half
//!   the resolution measures 0.073 instead of 0.085); dividing by the
//!   contrast makes it independent of exposure (×0.2 darker: unchanged).
//!   Floor 0.009, target 0.03.
//!
//! ## Calibration
//! Synthetic 出生証明書-like pages (border, a 14-row table of boxes, check
//! boxes, rows of kanji-like stroke glyphs in three sizes: 30, 22 and 14
//! thousandths of the page width) are photographed onto a textured desk
//! with vignetting, one pixel of optical blur and sensor noise, then
//! degraded. `verifier/tests/attachment_calibration.rs` measures them and
//! asserts the classification; its output (sharpness to 4 places, the
//! codes `inspect` gives the PNG of each case) is:
//!
//! | case | short side | sharpness | contrast | std dev | white / black clipped | `inspect` codes |
//! |---|---|---|---|---|---|---|
//! | scan 1654×2339 (A4 200 dpi) | 1654 | 0.2887 | 203 | 56.2 | 0.00 / 0.00 | — |
//! | photo 2400×1800, noise σ3 | 1800 | 0.0848 | 180 | 68.8 | 0.00 / 0.00 | — |
//! | photo, Gaussian blur σ1 | 1800 | 0.0508 | 180 | 68.0 | 0.00 / 0.00 | — |
//! | photo, Gaussian blur σ2 | 1800 | 0.0239 | 178 | 67.0 | 0.00 / 0.00 | blur_marginal |
//! | photo, Gaussian blur σ3 | 1800 | 0.0108 | 178 | 66.1 | 0.00 / 0.00 | blur_marginal |
//! | photo, Gaussian blur σ4 | 1800 | 0.0053 | 177 | 65.3 | 0.00 / 0.00 | blurred |
//! | photo, Gaussian blur σ6 | 1800 | 0.0016 | 175 | 64.1 | 0.00 / 0.00 | blurred |
//! | photo, Gaussian blur σ8 | 1800 | 0.0005 | 174 | 63.3 | 0.00 / 0.00 | blurred |
//! | photo ↓2 (1200×900) | 900 | 0.0733 | 181 | 68.6 | 0.00 / 0.00 | resolution_marginal |
//! | photo ↓2, blur σ2 | 900 | 0.0039 | 176 | 64.9 | 0.00 / 0.00 | resolution_marginal, blurred |
//! | photo, noise σ12 | 1800 | 0.0850 | 183 | 68.8 | 0.00 / 0.00 | — |
//! | photo, blur σ4 + noise σ12 | 1800 | 0.0084 | 180 | 65.3 | 0.00 / 0.00 | blurred |
//! | photo, overexposed ×1.6+60 | 1800 | 0.0812 | 104 | 36.8 | 0.36 / 0.00 | exposure_marginal |
//! | photo, overexposed ×2.2+100 | 1800 | 0.1497 | 32 | 8.5 | 0.81 / 0.00 | exposure |
//! | photo, overexposed ×2.6+120 | 1800 | 0.4824 | 7 | 2.2 | 0.99 / 0.00 | blank |
//! | photo, overexposed ×3+120 | 1800 | 0.1815 | 3 | 1.3 | 0.99 / 0.00 | blank |
//! | photo, underexposed ×0.45 | 1800 | 0.0848 | 81 | 31.0 | 0.00 / 0.00 | exposure_marginal |
//! | photo, underexposed ×0.2 | 1800 | 0.0848 | 36 | 13.8 | 0.00 / 0.00 | exposure |
//! | blank sheet, noise σ3 | 1800 | 0.1040 | 2 | 0.7 | 0.00 / 0.00 | blank |
//! | photo, JPEG q90 (793 KB) | 1800 | 0.0846 | 180 | 68.8 | 0.00 / 0.00 | — |
//! | photo, JPEG q50 (257 KB) | 1800 | 0.0826 | 182 | 68.8 | 0.00 / 0.00 | — |
//! | photo, JPEG q20 (187 KB) | 1800 | 0.0844 | 180 | 68.9 | 0.00 / 0.00 | — |
//!
//! (σ is in pixels of the 2400×1800 photo, on top of its own one pixel of
//! optical blur; the page spans 1145 px there, so the smallest print is
//! ~16 px high.)
//!
//! **How the thresholds were chosen.** The page's smallest print (~2.9 mm)
//! stays readable up to σ ≈ 1–2 px, becomes hard to read at σ 2–3 and is
//! lost at σ 4, where the medium print (4.6 mm) goes too; so the floor sits
//! between σ3 (0.0108) and σ4 (0.0053), and above σ4 with heavy noise
//! (0.0084), at **0.009**; the target sits between σ1 (0.051) and σ2
//! (0.024), at **0.03**. JPEG compression down to quality 20 and noise up
//! to σ12 leave sharpness unchanged (0.083–0.085), so neither is mistaken
//! for blur. The working size of 384 px was picked over 1024 and 512 on
//! the same set: at 1024 px, noise σ12 on a σ4 blur measured higher than a
//! clean σ1 blur (0.014 vs 0.004) and the half-resolution photo differed
//! from the full one by 60 %. Known limit: very strong noise on a blurred
//! photo still raises sharpness (σ4: 0.0053 → 0.0084 with noise σ12),
//! so the floor has a margin of only ~7 % there; real phone photos are
//! denoised by the camera before JPEG encoding.

pub mod certificate_text;
pub mod codes;
mod gif;
mod jpeg;
pub mod legibility;
pub mod metadata;
pub mod pdf;
mod png;
pub mod policy;
mod raster;
pub mod sniff;

use formats::Problem;
use formats::notification::BirthCertificate;
use serde::Serialize;

pub use certificate_text::{CertificateText, parse_certificate_text};
pub use codes::{AttachmentCode, attachment_code_table};
pub use legibility::LegibilityFigures;
pub use metadata::MetadataFindings;
pub use pdf::{InProcessPdfText, PdfTextError, PdfTextExtractor, PdfTextLimits};
pub use policy::AttachmentPolicy;
pub use sniff::{SniffedType, sniff};

use codes::{ACCEPTED_LIST, problem};
use jpeg::{DecodeFailure, GrayImage, JpegLayout};

/// Everything found about one attachment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttachmentReport {
    /// The part name, e.g. `certificate-1`.
    pub part: String,
    /// The media type the part was sent with, as given.
    pub declared_media_type: String,
    /// The media type recognized from the bytes, when recognized.
    pub sniffed_media_type: Option<String>,
    /// Size in bytes.
    pub size: usize,
    /// One entry per checked page image (an image file has one; a PDF one
    /// per page whose largest image could be read).
    pub pages: Vec<PageFindings>,
    /// Personal metadata found.
    pub metadata: MetadataFindings,
    /// How the clerk's copy was made.
    pub stripped_copy: StrippedCopy,
    /// The metadata-stripped copy for clerks (not serialized: it is stored
    /// next to the original). The original bytes are never modified.
    #[serde(skip)]
    pub stripped: Option<Vec<u8>>,
    /// What the PDF's text layer says about the certificate items, when read.
    pub certificate_text: Option<CertificateText>,
    /// Every problem, all with `attachment.*` codes and the part name as pointer.
    pub problems: Vec<Problem>,
}

impl AttachmentReport {
    /// True when a problem blocks acceptance.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    fn push(&mut self, code: AttachmentCode, ja: impl Into<String>, en: impl Into<String>) {
        let p = problem(code, &self.part, ja, en);
        self.problems.push(p);
    }
}

/// How [`AttachmentReport::stripped`] was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StrippedCopy {
    /// No copy (PDF, or the file could not be read).
    None,
    /// Byte ranges of the original; pixels not re-encoded (JPEG, PNG, GIF).
    ByteRanges,
    /// Decoded and re-encoded losslessly (TIFF).
    Reencoded,
}

/// The legibility figures of one page image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageFindings {
    /// Page number (1 for an image file; the PDF page otherwise).
    pub page: u32,
    /// Width as displayed (after the EXIF orientation).
    pub width: u32,
    /// Height as displayed.
    pub height: u32,
    /// EXIF orientation (1–8; 1 when absent).
    pub orientation: u16,
    /// The short side in pixels.
    pub short_side: u32,
    /// Contrast, exposure and sharpness.
    #[serde(flatten)]
    pub figures: LegibilityFigures,
}

/// Checks one attachment. Never panics; every finding is in the report.
pub fn inspect(
    part: &str,
    declared_media_type: &str,
    bytes: &[u8],
    policy: &AttachmentPolicy,
    pdf_text: &dyn PdfTextExtractor,
    transcribed: Option<&BirthCertificate>,
) -> AttachmentReport {
    let mut report = AttachmentReport {
        part: part.to_owned(),
        declared_media_type: declared_media_type.to_owned(),
        sniffed_media_type: None,
        size: bytes.len(),
        pages: Vec::new(),
        metadata: MetadataFindings::default(),
        stripped_copy: StrippedCopy::None,
        stripped: None,
        certificate_text: None,
        problems: Vec::new(),
    };
    if bytes.is_empty() {
        report.push(
            AttachmentCode::Empty,
            "添付ファイルが空です。",
            "The attachment is empty.",
        );
        return report;
    }
    if bytes.len() > policy.max_bytes {
        report.push(
            AttachmentCode::TooLarge,
            format!(
                "添付ファイルが大きすぎます（{} バイト、上限 {} バイト）。",
                bytes.len(),
                policy.max_bytes
            ),
            format!(
                "The attachment is too large ({} bytes; the limit is {} bytes).",
                bytes.len(),
                policy.max_bytes
            ),
        );
        return report;
    }
    let declared = sniff::normalize_declared(declared_media_type);
    let kind = match sniff(bytes) {
        Some(kind) if kind.is_accepted() => kind,
        other => {
            let what = other.map_or("unknown", SniffedType::media_type);
            report.sniffed_media_type = other.map(|k| k.media_type().to_owned());
            report.push(
                AttachmentCode::UnsupportedType,
                format!("この形式（{what}）の添付ファイルは受け付けられません。受け付ける形式: {ACCEPTED_LIST}（HEIC は不可）。"),
                format!("Attachments of this format ({what}) are not accepted. Accepted formats: {ACCEPTED_LIST} (not HEIC)."),
            );
            return report;
        }
    };
    report.sniffed_media_type = Some(kind.media_type().to_owned());
    if declared != kind.media_type() {
        report.push(
            AttachmentCode::MediaTypeMismatch,
            format!(
                "添付ファイルの形式が申告と異なります（申告: {declared_media_type}、実際: {}）。",
                kind.media_type()
            ),
            format!(
                "The attachment's content is {}, but it was declared as {declared_media_type}.",
                kind.media_type()
            ),
        );
    }
    match kind {
        SniffedType::Jpeg => inspect_jpeg(bytes, policy, &mut report),
        SniffedType::Png | SniffedType::Gif | SniffedType::Tiff => {
            inspect_raster(bytes, kind, policy, &mut report)
        }
        _ => inspect_pdf(bytes, policy, pdf_text, transcribed, &mut report),
    }
    metadata_problems(&mut report);
    report
}

fn metadata_problems(report: &mut AttachmentReport) {
    if report.metadata.gps {
        report.push(
            AttachmentCode::LocationMetadata,
            "画像に位置情報（GPS）が含まれています。職員には位置情報を除いた写しが渡されます。",
            "The image carries GPS location data; clerks receive a copy without it.",
        );
    }
    if !report.metadata.personal_fields.is_empty() {
        let fields = report.metadata.personal_fields.join(", ");
        report.push(
            AttachmentCode::PersonalMetadata,
            format!("画像に個人を識別しうる情報が含まれています（{fields}）。職員にはこれを除いた写しが渡されます。"),
            format!("The image carries identifying metadata ({fields}); clerks receive a copy without it."),
        );
    }
}

fn page_label(page: Option<u32>) -> (String, String) {
    match page {
        Some(n) => (
            format!("（{n}ページ目の画像）"),
            format!(" (image on page {n})"),
        ),
        None => (String::new(), String::new()),
    }
}

fn truncate(message: &str) -> String {
    message.chars().take(160).collect()
}

fn report_failure(
    report: &mut AttachmentReport,
    failure: DecodeFailure,
    policy: &AttachmentPolicy,
    page: Option<u32>,
) {
    let (pja, pen) = page_label(page);
    match failure {
        DecodeFailure::Bomb { width, height } => report.push(
            AttachmentCode::DecompressionBomb,
            format!("画像の画素数が多すぎるため読み込みません{pja}（{width}×{height}、上限 {} 画素）。", policy.max_pixels),
            format!("The image declares too many pixels to decode{pen} ({width}×{height}; the limit is {} pixels).", policy.max_pixels),
        ),
        DecodeFailure::Corrupt(why) => report.push(
            AttachmentCode::Corrupt,
            format!("画像が壊れているか途中で切れています{pja}。"),
            format!("The image is corrupt or truncated{pen}: {}.", truncate(&why)),
        ),
    }
}

/// Runs a decoder with its panics contained.
fn contained<T>(decode: impl FnOnce() -> Result<T, DecodeFailure>) -> Result<T, DecodeFailure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode))
        .unwrap_or_else(|_| Err(DecodeFailure::Corrupt("the decoder panicked".into())))
}

fn inspect_jpeg(bytes: &[u8], policy: &AttachmentPolicy, report: &mut AttachmentReport) {
    let layout = match JpegLayout::parse(bytes) {
        Ok(layout) => layout,
        Err(e) => {
            let why = match e {
                jpeg::JpegError::Truncated => "truncated before the end of the image",
                jpeg::JpegError::Malformed(m) => m,
            };
            report_failure(report, DecodeFailure::Corrupt(why.into()), policy, None);
            return;
        }
    };
    let orientation = layout.metadata(bytes, &mut report.metadata);
    match contained(|| jpeg::decode_gray(bytes, policy.max_pixels, policy.max_alloc_bytes)) {
        Ok(gray) => assess(&gray, orientation.unwrap_or(1), None, policy, report),
        Err(failure) => report_failure(report, failure, policy, None),
    }
    report.stripped = Some(layout.stripped(bytes, orientation));
    report.stripped_copy = StrippedCopy::ByteRanges;
}

fn inspect_raster(
    bytes: &[u8],
    kind: SniffedType,
    policy: &AttachmentPolicy,
    report: &mut AttachmentReport,
) {
    let (format, stripped) = match kind {
        SniffedType::Png => {
            let Some(layout) = png::PngLayout::parse(bytes) else {
                report_failure(
                    report,
                    DecodeFailure::Corrupt("chunk structure broken or truncated".into()),
                    policy,
                    None,
                );
                return;
            };
            let orientation = layout.metadata(bytes, &mut report.metadata);
            (
                image::ImageFormat::Png,
                Some(layout.stripped(bytes, orientation)),
            )
        }
        SniffedType::Gif => {
            let Some(copy) = gif::strip(bytes, &mut report.metadata) else {
                report_failure(
                    report,
                    DecodeFailure::Corrupt("block structure broken or truncated".into()),
                    policy,
                    None,
                );
                return;
            };
            (image::ImageFormat::Gif, Some(copy))
        }
        _ => {
            metadata::read_exif(bytes, &mut report.metadata);
            report
                .metadata
                .other_fields
                .retain(|f| f != "exif:unreadable");
            (image::ImageFormat::Tiff, None)
        }
    };
    match contained(|| raster::decode(bytes, format, policy.max_pixels, policy.max_alloc_bytes)) {
        Ok(raster) => {
            assess(&raster.gray, raster.orientation, None, policy, report);
            let (copy, how) = match (stripped, raster.reencoded) {
                (Some(copy), _) => (Some(copy), StrippedCopy::ByteRanges),
                (None, Some(copy)) => (Some(copy), StrippedCopy::Reencoded),
                (None, None) => (None, StrippedCopy::None),
            };
            report.stripped = copy;
            report.stripped_copy = how;
        }
        Err(failure) => report_failure(report, failure, policy, None),
    }
}

/// The legibility checks of one decoded page image.
fn assess(
    gray: &GrayImage,
    orientation: u16,
    page: Option<u32>,
    policy: &AttachmentPolicy,
    report: &mut AttachmentReport,
) {
    let figures = legibility::measure_gray(&gray.pixels, gray.width, gray.height);
    let (width, height) = if metadata::swaps_axes(orientation) {
        (gray.height, gray.width)
    } else {
        (gray.width, gray.height)
    };
    let short_side = width.min(height);
    report.pages.push(PageFindings {
        page: page.unwrap_or(1),
        width,
        height,
        orientation,
        short_side,
        figures,
    });
    let (pja, pen) = page_label(page);
    if short_side < policy.resolution_floor {
        report.push(
            AttachmentCode::ResolutionLow,
            format!("画像の解像度が低すぎて文字が判読できません{pja}（短辺 {short_side} 画素、最低 {} 画素）。", policy.resolution_floor),
            format!("The image resolution is too low to be legible{pen} (short side {short_side} px; at least {} px needed).", policy.resolution_floor),
        );
    } else if short_side < policy.resolution_target {
        report.push(
            AttachmentCode::ResolutionMarginal,
            format!("画像の解像度が低めです{pja}（短辺 {short_side} 画素、推奨 {} 画素以上）。", policy.resolution_target),
            format!("The image resolution is low{pen} (short side {short_side} px; {} px or more recommended).", policy.resolution_target),
        );
    }
    if figures.stddev < policy.blank_stddev {
        report.push(
            AttachmentCode::Blank,
            format!("画像がほぼ一様で、何も写っていないようです{pja}。"),
            format!(
                "The image is blank or nearly uniform{pen} (grey-level standard deviation {:.1}).",
                figures.stddev
            ),
        );
        return;
    }
    let over = figures.clipped_white > figures.clipped_black;
    let (kind_ja, kind_en) = if over {
        ("白飛び", "overexposed")
    } else {
        ("露出不足", "underexposed")
    };
    if figures.contrast < policy.exposure_contrast_floor {
        report.push(
            AttachmentCode::Exposure,
            format!("画像が{kind_ja}で、文字と紙の濃淡差がほとんどなく判読できません{pja}。"),
            format!(
                "The image is {kind_en} and the writing barely stands out from the paper{pen} (contrast {}; at least {} needed).",
                figures.contrast, policy.exposure_contrast_floor
            ),
        );
    } else if figures.contrast < policy.exposure_contrast_target
        || figures.clipped_black >= policy.clipped_black_fraction
    {
        report.push(
            AttachmentCode::ExposureMarginal,
            format!("画像の露出が適切でなく（{kind_ja}）、文字が薄くなっています{pja}。"),
            format!(
                "The image is {kind_en} and the writing is faint{pen} (contrast {}, {:.0} % black).",
                figures.contrast,
                figures.clipped_black * 100.0
            ),
        );
    }
    if figures.sharpness < policy.sharpness_floor {
        report.push(
            AttachmentCode::Blurred,
            format!("画像がぼやけていて文字が判読できません{pja}。"),
            format!("The image is too blurred to be legible{pen} (sharpness {:.3}; at least {} needed).", figures.sharpness, policy.sharpness_floor),
        );
    } else if figures.sharpness < policy.sharpness_target {
        report.push(
            AttachmentCode::BlurMarginal,
            format!("画像がややぼやけています{pja}。"),
            format!(
                "The image is somewhat blurred{pen} (sharpness {:.3}; {} or more recommended).",
                figures.sharpness, policy.sharpness_target
            ),
        );
    }
}

fn inspect_pdf(
    bytes: &[u8],
    policy: &AttachmentPolicy,
    pdf_text: &dyn PdfTextExtractor,
    transcribed: Option<&BirthCertificate>,
    report: &mut AttachmentReport,
) {
    let doc = match pdf::load(bytes, policy.max_pdf_stream_bytes) {
        pdf::Loaded::Conforming(doc) => doc,
        pdf::Loaded::Repaired(doc) => {
            report.push(
                AttachmentCode::PdfNonconforming,
                "PDF の構造に不備がありますが、修復して読み込みました。",
                "The PDF does not conform to the specification; it was read after repair.",
            );
            doc
        }
        pdf::Loaded::Encrypted => {
            report.push(
                AttachmentCode::PdfEncrypted,
                "暗号化またはパスワード保護された PDF は受け付けられません。",
                "Encrypted or password-protected PDFs are not accepted.",
            );
            return;
        }
        pdf::Loaded::Corrupt(why) => {
            report.push(
                AttachmentCode::Corrupt,
                "PDF が壊れているか途中で切れています。",
                format!("The PDF is corrupt or truncated: {}.", truncate(&why)),
            );
            return;
        }
    };
    let hazards = pdf::hazards(&doc);
    if hazards.javascript {
        report.push(
            AttachmentCode::PdfJavascript,
            "JavaScript を含む PDF は受け付けられません。",
            "PDFs containing JavaScript are not accepted.",
        );
    }
    if hazards.launch {
        report.push(
            AttachmentCode::PdfLaunchAction,
            "プログラムを起動する動作（Launch）を含む PDF は受け付けられません。",
            "PDFs containing a launch action are not accepted.",
        );
    }
    if hazards.embedded_file {
        report.push(
            AttachmentCode::PdfEmbeddedFile,
            "ファイルを埋め込んだ PDF は受け付けられません。",
            "PDFs with embedded files are not accepted.",
        );
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        report.push(
            AttachmentCode::PdfNoPages,
            "PDF にページがありません。",
            "The PDF has no pages.",
        );
        return;
    }
    if pages.len() > policy.max_pdf_pages {
        report.push(
            AttachmentCode::PdfTooManyPages,
            format!(
                "PDF のページ数が多すぎます（{} ページ、上限 {} ページ）。",
                pages.len(),
                policy.max_pdf_pages
            ),
            format!(
                "The PDF has too many pages ({}; the limit is {}).",
                pages.len(),
                policy.max_pdf_pages
            ),
        );
    }
    for (&number, &page_id) in pages.iter().take(policy.max_pdf_pages) {
        let image = contained(|| {
            Ok(pdf::page_image(
                &doc,
                page_id,
                policy.max_pixels,
                policy.max_pdf_stream_bytes,
            ))
        });
        match image {
            Ok(None) => {}
            Ok(Some(pdf::PageImage::Jpeg(jpeg_bytes))) => {
                if let Ok(layout) = JpegLayout::parse(&jpeg_bytes) {
                    layout.metadata(&jpeg_bytes, &mut report.metadata);
                }
                match contained(|| {
                    jpeg::decode_gray(&jpeg_bytes, policy.max_pixels, policy.max_alloc_bytes)
                }) {
                    // A viewer places the image with the page's matrix and
                    // ignores its EXIF orientation: 1 here.
                    Ok(gray) => assess(&gray, 1, Some(number), policy, report),
                    Err(failure) => report_failure(report, failure, policy, Some(number)),
                }
            }
            Ok(Some(pdf::PageImage::Gray {
                width,
                height,
                pixels,
            })) => {
                assess(
                    &GrayImage {
                        width,
                        height,
                        pixels,
                    },
                    1,
                    Some(number),
                    policy,
                    report,
                );
            }
            Ok(Some(pdf::PageImage::Bomb { width, height })) => {
                report_failure(
                    report,
                    DecodeFailure::Bomb { width, height },
                    policy,
                    Some(number),
                );
            }
            Ok(Some(pdf::PageImage::Unsupported)) => {}
            Ok(Some(pdf::PageImage::Broken(why))) => {
                report_failure(report, DecodeFailure::Corrupt(why), policy, Some(number));
            }
            Err(failure) => report_failure(report, failure, policy, Some(number)),
        }
    }
    drop(doc);
    let Some(cert) = transcribed else { return };
    let limits = PdfTextLimits::new(
        policy.pdf_text_timeout,
        policy.max_pdf_stream_bytes,
        policy.max_pdf_pages,
    );
    match pdf_text.extract(bytes, &limits) {
        Ok(text) => {
            let found = parse_certificate_text(&text);
            for m in certificate_text::cross_check(&found, cert) {
                report.push(
                    AttachmentCode::PdfTextMismatch,
                    format!(
                        "PDF の{}（{}）が届書の記載（{}）と異なります。",
                        m.item_ja, m.pdf_ja, m.transcribed_ja
                    ),
                    format!(
                        "The PDF's {} ({}) differs from the notification ({}).",
                        m.item_en, m.pdf_en, m.transcribed_en
                    ),
                );
            }
            report.certificate_text = Some(found);
        }
        Err(e) => report.push(
            AttachmentCode::PdfTextUnavailable,
            "PDF の文字情報を読み取れなかったため、記載内容の照合を省略しました。",
            format!("The PDF's text layer could not be read ({e}); the cross-check was skipped."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoder_panic_becomes_a_corrupt_attachment() {
        let result: Result<(), DecodeFailure> = contained(|| panic!("decoder bug"));
        assert!(matches!(result, Err(DecodeFailure::Corrupt(m)) if m.contains("panicked")));
    }

    #[test]
    fn every_problem_of_a_report_is_about_the_part() {
        let r = inspect(
            "certificate-3",
            "image/png",
            b"\x89PNG\r\n\x1a\n",
            &AttachmentPolicy::default(),
            &InProcessPdfText,
            None,
        );
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].code, "attachment.corrupt");
        assert_eq!(r.problems[0].pointer, "certificate-3");
    }
}
