//! The signed manifest: what the applicant's signature covers.
//!
//! The applicant signs the exact bytes of the `manifest` part, which lists
//! the SHA-256 and size of the `notification` part and of every attachment
//! (part name, media type, size, SHA-256). So every byte a clerk relies on is
//! covered by the signature: [`check_parts`] compares each digest and size
//! with the bytes actually received, and names every part that differs.
//!
//! ```json
//! {
//!   "manifest_version": "1",
//!   "notification": {"media_type": "application/json", "size": 2048, "sha256": "…64 hex…"},
//!   "attachments": [
//!     {"part": "certificate-1", "media_type": "image/jpeg", "size": 3456789, "sha256": "…"}
//!   ]
//! }
//! ```
//!
//! Problems about the manifest's own content point into it with a URI
//! fragment: `manifest#/attachments/0/sha256`.

use std::collections::{HashMap, HashSet};

use formats::Problem;
use serde::{Deserialize, Serialize};

use crate::codes::VerifierCode;
use crate::digest::Sha256;

/// The only manifest version this crate reads and writes.
pub const MANIFEST_VERSION: &str = "1";
/// Name of the manifest part.
pub const MANIFEST_PART: &str = "manifest";
/// Name of the notification part.
pub const NOTIFICATION_PART: &str = "notification";
/// Name of the signature part.
pub const SIGNATURE_PART: &str = "signature";
/// Media type of the notification part.
pub const NOTIFICATION_MEDIA_TYPE: &str = "application/json";

/// The manifest document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// `"1"`.
    pub manifest_version: String,
    /// The `notification` part.
    pub notification: PartDigest,
    /// The attachments (`certificate-1`, …), in order.
    pub attachments: Vec<AttachmentEntry>,
}

/// Size and digest of a part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartDigest {
    /// Media type the part is sent with.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the part's bytes.
    pub sha256: Sha256,
}

/// One attachment in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentEntry {
    /// Part name, `certificate-N` (N from 1, no leading zeros).
    pub part: String,
    /// Media type the part is sent with.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the part's bytes.
    pub sha256: Sha256,
}

/// One received part of a submission.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    /// The multipart part name.
    pub name: &'a str,
    /// The media type it was sent with (`Content-Type` of the part).
    pub media_type: &'a str,
    /// The bytes as received.
    pub bytes: &'a [u8],
    /// Its SHA-256, when the receiver computed it while reading; computed
    /// here otherwise.
    pub sha256: Option<Sha256>,
}

impl Part<'_> {
    /// The digest, computed only when not given.
    pub fn digest(&self) -> Sha256 {
        self.sha256.unwrap_or_else(|| Sha256::of(self.bytes))
    }
}

/// The attachment number of a part name `certificate-N`, if it is one.
pub fn attachment_index(name: &str) -> Option<u32> {
    let n = name.strip_prefix("certificate-")?;
    if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) || n.len() > 4 {
        return None;
    }
    n.parse().ok()
}

impl Manifest {
    /// Builds the manifest for a notification and attachments `(media type,
    /// bytes)`, named `certificate-1`, `certificate-2`, … in order.
    pub fn for_parts(notification: &[u8], attachments: &[(&str, &[u8])]) -> Self {
        Self {
            manifest_version: MANIFEST_VERSION.to_owned(),
            notification: PartDigest {
                media_type: NOTIFICATION_MEDIA_TYPE.to_owned(),
                size: notification.len() as u64,
                sha256: Sha256::of(notification),
            },
            attachments: attachments
                .iter()
                .enumerate()
                .map(|(i, (media_type, bytes))| AttachmentEntry {
                    part: format!("certificate-{}", i + 1),
                    media_type: (*media_type).to_owned(),
                    size: bytes.len() as u64,
                    sha256: Sha256::of(bytes),
                })
                .collect(),
        }
    }

    /// The bytes to sign and send (compact JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses the manifest part.
    pub fn parse(bytes: &[u8]) -> Result<Self, Vec<Problem>> {
        let malformed = |pointer: String, detail: String| {
            vec![Problem::new(
                VerifierCode::ManifestMalformed,
                format!("{MANIFEST_PART}#{pointer}"),
                format!("マニフェストの形式が正しくありません: {detail}"),
                format!("The manifest is malformed: {detail}"),
            )]
        };
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let manifest: Self = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| malformed(json_pointer(e.path()), e.inner().to_string()))?;
        de.end()
            .map_err(|e| malformed(String::new(), e.to_string()))?;
        let mut problems = Vec::new();
        if manifest.manifest_version != MANIFEST_VERSION {
            problems.push(Problem::new(
                VerifierCode::ManifestVersionUnsupported,
                format!("{MANIFEST_PART}#/manifest_version"),
                format!("manifest_version は \"{MANIFEST_VERSION}\" でなければなりません。"),
                format!("manifest_version must be \"{MANIFEST_VERSION}\"."),
            ));
        }
        let mut seen = HashSet::new();
        for (i, a) in manifest.attachments.iter().enumerate() {
            if attachment_index(&a.part).is_none() || !seen.insert(a.part.as_str()) {
                problems.push(Problem::new(
                    VerifierCode::ManifestMalformed,
                    format!("{MANIFEST_PART}#/attachments/{i}/part"),
                    format!("添付の名前「{}」は certificate-1, certificate-2 … の形で、重複してはいけません。", a.part),
                    format!("Attachment name '{}' must be certificate-1, certificate-2, … and unique.", a.part),
                ));
            }
        }
        if problems.is_empty() {
            Ok(manifest)
        } else {
            Err(problems)
        }
    }
}

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&formats::problem::escape_pointer_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// Compares the received parts with the manifest. Every listed part must be
/// present, every received content part listed, every digest, size and
/// media type equal. Returns every discrepancy, each naming its part.
///
/// `parts` are the content parts (notification and attachments); the
/// manifest and signature parts themselves are not listed in the manifest.
pub fn check_parts(manifest: &Manifest, parts: &[Part<'_>]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let received: HashMap<&str, &Part<'_>> = parts.iter().map(|p| (p.name, p)).collect();
    let mut listed: Vec<(&str, &str, u64, Sha256)> = vec![(
        NOTIFICATION_PART,
        manifest.notification.media_type.as_str(),
        manifest.notification.size,
        manifest.notification.sha256,
    )];
    listed.extend(
        manifest
            .attachments
            .iter()
            .map(|a| (a.part.as_str(), a.media_type.as_str(), a.size, a.sha256)),
    );

    for (name, media_type, size, sha256) in &listed {
        let Some(part) = received.get(name) else {
            problems.push(Problem::new(
                VerifierCode::ManifestPartNotReceived,
                *name,
                format!("マニフェストにある「{name}」が送られていません。"),
                format!("The manifest lists part '{name}', which was not received."),
            ));
            continue;
        };
        if part.bytes.len() as u64 != *size || part.digest() != *sha256 {
            problems.push(Problem::new(
                VerifierCode::ManifestHashFailure,
                *name,
                format!(
                    "「{name}」の内容が署名されたマニフェストと一致しません(受信 {} バイト、マニフェスト {} バイト)。送信中に変更された可能性があります。",
                    part.bytes.len(),
                    size
                ),
                format!(
                    "Part '{name}' does not match the signed manifest (received {} bytes, manifest {size}; SHA-256 differs or size differs).",
                    part.bytes.len()
                ),
            ));
        }
        if !media_type_eq(part.media_type, media_type) {
            problems.push(Problem::new(
                VerifierCode::ManifestMediaTypeMismatch,
                *name,
                format!(
                    "「{name}」は {} として送られましたが、マニフェストでは {media_type} です。",
                    part.media_type
                ),
                format!(
                    "Part '{name}' was sent as {} but the manifest lists {media_type}.",
                    part.media_type
                ),
            ));
        }
    }
    for part in parts {
        if !listed.iter().any(|(name, ..)| *name == part.name) {
            problems.push(Problem::new(
                VerifierCode::ManifestUnlistedPart,
                part.name,
                format!(
                    "「{}」はマニフェストに記載がなく、署名の対象外です。",
                    part.name
                ),
                format!(
                    "Part '{}' is not listed in the manifest, so the signature does not cover it.",
                    part.name
                ),
            ));
        }
    }
    problems
}

/// Media types compare case-insensitively, ignoring parameters.
fn media_type_eq(a: &str, b: &str) -> bool {
    let essence = |s: &str| {
        s.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    essence(a) == essence(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names() {
        assert_eq!(attachment_index("certificate-1"), Some(1));
        assert_eq!(attachment_index("certificate-12"), Some(12));
        for bad in [
            "certificate-0",
            "certificate-01",
            "certificate-",
            "certificate-x",
            "certificate-99999",
            "cert-1",
        ] {
            assert_eq!(attachment_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trip_and_strictness() {
        let m = Manifest::for_parts(b"{}", &[("image/jpeg", b"jpeg")]);
        assert_eq!(Manifest::parse(&m.to_bytes()), Ok(m.clone()));
        let mut v: serde_json::Value = serde_json::from_slice(&m.to_bytes()).expect("json");
        v["attachments"][0]["sha256"] = "abc".into();
        let e = Manifest::parse(&serde_json::to_vec(&v).expect("json")).expect_err("short digest");
        assert_eq!(e[0].code, "manifest.malformed");
        assert_eq!(e[0].pointer, "manifest#/attachments/0/sha256");
        let mut v: serde_json::Value = serde_json::from_slice(&m.to_bytes()).expect("json");
        v["extra"] = 1.into();
        assert_eq!(
            Manifest::parse(&serde_json::to_vec(&v).expect("json")).expect_err("unknown")[0].code,
            "manifest.malformed"
        );
        assert!(Manifest::parse(b"{} trailing").is_err());
    }

    #[test]
    fn media_types_ignore_case_and_parameters() {
        assert!(media_type_eq("Image/JPEG", "image/jpeg"));
        assert!(media_type_eq(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(!media_type_eq("image/png", "image/jpeg"));
    }
}
