//! Personal metadata in images: what EXIF, XMP, IPTC and text chunks reveal
//! (GPS location, owner name, serial numbers), the EXIF orientation, and the
//! minimal EXIF block written into stripped copies.

use serde::Serialize;

/// What an attachment's metadata reveals. Field names are stable strings
/// such as `exif:BodySerialNumber`, `xmp`, `iptc`, `png:tEXt:Author`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MetadataFindings {
    /// An EXIF GPS IFD with at least one position tag (or any GPS tag) is present.
    pub gps: bool,
    /// Identifying fields: owner or artist name, camera or lens serial number,
    /// image unique id, copyright.
    pub personal_fields: Vec<String>,
    /// Other metadata that may carry personal data and is dropped from the
    /// stripped copy (maker notes, XMP, IPTC, comments, text chunks, trailing data).
    pub other_fields: Vec<String>,
}

impl MetadataFindings {
    pub(crate) fn add_other(&mut self, field: impl Into<String>) {
        let field = field.into();
        if !self.other_fields.contains(&field) {
            self.other_fields.push(field);
        }
    }

    pub(crate) fn add_personal(&mut self, field: impl Into<String>) {
        let field = field.into();
        if !self.personal_fields.contains(&field) {
            self.personal_fields.push(field);
        }
    }
}

/// Reads a TIFF-structured EXIF block (the payload after `Exif\0\0`, a PNG
/// `eXIf` chunk or a whole TIFF file) into `findings`; returns the
/// orientation (1–8) when present and valid. Unparseable EXIF is recorded
/// as `exif:unreadable` and otherwise ignored: it is dropped from the copy.
pub(crate) fn read_exif(tiff: &[u8], findings: &mut MetadataFindings) -> Option<u16> {
    let parsed = std::panic::catch_unwind(|| exif::Reader::new().read_raw(tiff.to_vec()));
    let exif = match parsed {
        Ok(Ok(exif)) => exif,
        _ => {
            findings.add_other("exif:unreadable");
            return None;
        }
    };
    let mut orientation = None;
    for field in exif.fields() {
        use exif::{Context, Tag};
        if field.tag.context() == Context::Gps {
            findings.gps = true;
            continue;
        }
        match field.tag {
            Tag::Orientation if field.ifd_num == exif::In::PRIMARY => {
                orientation = field
                    .value
                    .get_uint(0)
                    .and_then(|v| u16::try_from(v).ok())
                    .filter(|v| (1..=8).contains(v));
            }
            Tag::CameraOwnerName
            | Tag::Artist
            | Tag::BodySerialNumber
            | Tag::LensSerialNumber
            | Tag::ImageUniqueID
            | Tag::Copyright => {
                findings.add_personal(format!("exif:{}", field.tag));
            }
            Tag::MakerNote => findings.add_other("exif:MakerNote"),
            Tag::UserComment => findings.add_other("exif:UserComment"),
            Tag::ImageDescription => findings.add_other("exif:ImageDescription"),
            _ => {}
        }
    }
    // Tags kamadak-exif does not name but that cameras use for serials.
    orientation
}

/// Whether an orientation swaps width and height (5–8: transposed or rotated 90°/270°).
pub(crate) fn swaps_axes(orientation: u16) -> bool {
    (5..=8).contains(&orientation)
}

/// A big-endian TIFF structure with one IFD holding only the Orientation
/// tag: what the stripped copy keeps so it displays upright.
pub(crate) fn minimal_orientation_tiff(orientation: u16) -> Vec<u8> {
    let mut t = Vec::with_capacity(26);
    t.extend_from_slice(b"MM\0*");
    t.extend_from_slice(&8u32.to_be_bytes());
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_exif_reads_back_orientation_only() {
        let mut f = MetadataFindings::default();
        assert_eq!(read_exif(&minimal_orientation_tiff(6), &mut f), Some(6));
        assert_eq!(f, MetadataFindings::default());
    }

    #[test]
    fn garbage_exif_is_recorded_not_fatal() {
        let mut f = MetadataFindings::default();
        assert_eq!(read_exif(b"MM\0*\xff\xff\xff\xff", &mut f), None);
        assert_eq!(f.other_fields, vec!["exif:unreadable".to_owned()]);
    }
}
