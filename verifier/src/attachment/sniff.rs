//! Media types: what the bytes are (sniffed from their signature) and what
//! the portal declared.

/// A format recognized from the leading bytes of a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SniffedType {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (the 8-byte PNG signature).
    Png,
    /// GIF87a / GIF89a.
    Gif,
    /// TIFF, classic or BigTIFF, either byte order.
    Tiff,
    /// PDF (`%PDF-` within the first 1024 bytes, as readers accept).
    Pdf,
    /// HEIC / HEIF (ISO BMFF `ftyp` with a HEIF brand): not accepted by the portal.
    Heif,
    /// AVIF (ISO BMFF `ftyp avif`): not accepted.
    Avif,
    /// WebP (RIFF `WEBP`): not accepted.
    Webp,
    /// BMP (`BM`): not accepted.
    Bmp,
}

impl SniffedType {
    /// The media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Tiff => "image/tiff",
            Self::Pdf => "application/pdf",
            Self::Heif => "image/heic",
            Self::Avif => "image/avif",
            Self::Webp => "image/webp",
            Self::Bmp => "image/bmp",
        }
    }

    /// Whether the portal accepts the format (pdf, jpeg, png, gif, tiff).
    pub fn is_accepted(self) -> bool {
        matches!(
            self,
            Self::Jpeg | Self::Png | Self::Gif | Self::Tiff | Self::Pdf
        )
    }
}

/// Recognizes the format from the leading bytes; `None` when unknown.
pub fn sniff(bytes: &[u8]) -> Option<SniffedType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(SniffedType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(SniffedType::Png);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(SniffedType::Gif);
    }
    if bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"II+\0")
        || bytes.starts_with(b"MM\0+")
    {
        return Some(SniffedType::Tiff);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        return match brand {
            b"avif" | b"avis" => Some(SniffedType::Avif),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"hevm" | b"hevs"
            | b"mif1" | b"msf1" => Some(SniffedType::Heif),
            _ => None,
        };
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(SniffedType::Webp);
    }
    if bytes.starts_with(b"BM") && bytes.len() >= 14 {
        return Some(SniffedType::Bmp);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(SniffedType::Pdf);
    }
    None
}

/// The declared media type, lowercased, without parameters, with the
/// common non-standard aliases (`image/jpg`, `image/pjpeg`, `image/x-png`,
/// `image/tif`) mapped to their registered names.
pub fn normalize_declared(declared: &str) -> String {
    let essence = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg".to_owned(),
        "image/x-png" => "image/png".to_owned(),
        "image/tif" | "image/x-tiff" => "image/tiff".to_owned(),
        "application/x-pdf" => "application/pdf".to_owned(),
        _ => essence,
    }
}
