//! PNG: the chunk walk (metadata, structure) and the metadata-stripped copy,
//! made of the original chunks copied byte for byte.

use super::metadata::{MetadataFindings, minimal_orientation_tiff, read_exif};

/// One chunk: type and byte ranges.
#[derive(Debug, Clone)]
struct Chunk {
    kind: [u8; 4],
    /// Length, type, data and CRC.
    whole: std::ops::Range<usize>,
    data: std::ops::Range<usize>,
}

/// The chunks of a PNG up to and including IEND.
#[derive(Debug, Clone)]
pub(crate) struct PngLayout {
    chunks: Vec<Chunk>,
}

/// Chunks the stripped copy keeps: everything that changes how the pixels
/// render (critical chunks, transparency, colour and gamma information,
/// physical size, APNG frame control). Every other ancillary chunk — tEXt,
/// zTXt, iTXt, eXIf, tIME and private chunks — is dropped.
const KEPT: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"bKGD", b"pHYs", b"cICP", b"mDCv", b"cLLi", b"acTL", b"fcTL", b"fdAT",
];

impl PngLayout {
    /// Walks the chunks; `None` when the structure is broken or truncated
    /// (CRCs are checked by the decoder, not here).
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        let mut pos = 8;
        let mut chunks = Vec::new();
        loop {
            let len = u32::from_be_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?) as usize;
            let kind: [u8; 4] = bytes.get(pos + 4..pos + 8)?.try_into().ok()?;
            let end = pos.checked_add(12)?.checked_add(len)?;
            if end > bytes.len() {
                return None;
            }
            chunks.push(Chunk {
                kind,
                whole: pos..end,
                data: pos + 8..pos + 8 + len,
            });
            pos = end;
            if &kind == b"IEND" {
                return Some(Self { chunks });
            }
        }
    }

    /// Records the metadata; returns the orientation of an `eXIf` chunk.
    pub(crate) fn metadata(&self, bytes: &[u8], findings: &mut MetadataFindings) -> Option<u16> {
        let mut orientation = None;
        for c in &self.chunks {
            let data = &bytes[c.data.clone()];
            match &c.kind {
                b"eXIf" => orientation = orientation.or(read_exif(data, findings)),
                b"tEXt" | b"zTXt" | b"iTXt" => {
                    let keyword = data.split(|&b| b == 0).next().unwrap_or_default();
                    let keyword =
                        String::from_utf8_lossy(&keyword[..keyword.len().min(79)]).into_owned();
                    let label = format!("png:{}:{}", String::from_utf8_lossy(&c.kind), keyword);
                    if matches!(keyword.as_str(), "Author" | "Copyright" | "Source") {
                        findings.add_personal(label);
                    } else if keyword == "XML:com.adobe.xmp" {
                        findings.add_other("xmp");
                    } else {
                        findings.add_other(label);
                    }
                }
                b"tIME" => findings.add_other("png:tIME"),
                kind if !KEPT.contains(&kind) => {
                    findings.add_other(format!("png:{}", String::from_utf8_lossy(kind)))
                }
                _ => {}
            }
        }
        orientation
    }

    /// The stripped copy: the signature and the kept chunks byte for byte;
    /// when the orientation is not 1 a new `eXIf` chunk holding only it
    /// follows IHDR (its CRC is the one value computed here).
    pub(crate) fn stripped(&self, bytes: &[u8], orientation: Option<u16>) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        out.extend_from_slice(&bytes[..8]);
        for c in &self.chunks {
            if KEPT.contains(&&c.kind) {
                out.extend_from_slice(&bytes[c.whole.clone()]);
            }
            if &c.kind == b"IHDR"
                && let Some(o) = orientation.filter(|&o| o != 1)
            {
                let tiff = minimal_orientation_tiff(o);
                out.extend_from_slice(&(tiff.len() as u32).to_be_bytes());
                let start = out.len();
                out.extend_from_slice(b"eXIf");
                out.extend_from_slice(&tiff);
                let crc = crc32(&out[start..]);
                out.extend_from_slice(&crc.to_be_bytes());
            }
        }
        out
    }
}

/// CRC-32 (ISO 3309, as PNG uses it), bitwise: it runs over 30 bytes once.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_png_specification_example() {
        // CRC of the IEND chunk type, as in every PNG file.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn truncated_chunk_is_not_a_layout() {
        let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
        f.extend_from_slice(&13u32.to_be_bytes());
        f.extend_from_slice(b"IHDR\0\0");
        assert!(PngLayout::parse(&f).is_none());
    }
}
