//! 送付パッケージ — the delivery package, format version 1.
//!
//! One package per filing, the same files whatever the mode:
//!
//! | path | role | what |
//! |---|---|---|
//! | `package.json` | `index` | this list: version, filing id (= idempotency key), municipality, received-at, manifest digest, verdict, the URLs for acknowledgement and decisions, and every other file with its role, media type, size and SHA-256 |
//! | `record.json` | `record` | the family-register record (`formats::FamilyRegisterFiling`, schema `family-register-filing.v1.json`) |
//! | `register-entry.txt` | `register_entry` | the register-entry text (全部事項証明 layout), UTF-8 |
//! | `report.json` | `report` | the verification report |
//! | `original/<part>.<ext>` | `original` | every signed part byte-identical: `manifest.json`, `notification.json`, `signature.p7s`, `certificate-N.<ext>` |
//! | `stripped/<part>.<ext>` | `stripped` | the metadata-stripped copy of an attachment, when one was made |
//!
//! `package.json` is written last in a spool directory and sent first in a
//! push, so it always describes files already present. A receiver checks
//! each file against its SHA-256 there; the originals can be re-verified
//! against the applicant's signature (`birthgate verify`).
//!
//! **Push** sends the package as one `multipart/mixed` request: each file is
//! one part with `Content-Disposition: attachment; name="<path>";
//! filename="<path>"` and its media type, `package.json` first. Headers:
//! `Idempotency-Key: <filing id>` and `Birthgate-Package-Version: 1`. The
//! receiver answers 2xx once it has the filing (a repeated key must be
//! answered 2xx again, not processed twice); it may return
//! `{"reception_number": "..."}` as JSON, which acknowledges the filing.
//! Decisions come back as `POST` to `decisions_url` (the municipal API,
//! mutual TLS).
//!
//! **Spool** writes the same files as a directory `<root>/<code>/<filing id>/`.

use serde::Serialize;

use crate::store::DeliveryMaterial;

/// The package format version.
pub const PACKAGE_VERSION: u32 = 1;

/// The format name in `package.json`.
pub const PACKAGE_FORMAT: &str = "birthgate-delivery-package";

/// One file of a package.
#[derive(Debug, Clone)]
pub struct PackageFile {
    /// Relative path (`original/certificate-1.jpg`).
    pub path: String,
    /// Role (`record`, `original`, …).
    pub role: &'static str,
    /// The signed part it comes from, for originals and stripped copies.
    pub part: Option<String>,
    /// Media type.
    pub media_type: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// A built package: the index first, then the files it lists.
#[derive(Debug, Clone)]
pub struct Package {
    /// The filing id.
    pub filing_id: String,
    /// Receiving municipality.
    pub municipality: String,
    /// `package.json`.
    pub index: Vec<u8>,
    /// The other files.
    pub files: Vec<PackageFile>,
}

#[derive(Serialize)]
struct IndexFile<'a> {
    path: &'a str,
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    part: Option<&'a str>,
    media_type: &'a str,
    size: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Index<'a> {
    format: &'static str,
    package_version: u32,
    filing_id: &'a str,
    idempotency_key: &'a str,
    municipality: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    received_at: time::OffsetDateTime,
    manifest_sha256: &'a str,
    verdict: serde_json::Value,
    acknowledgement_url: String,
    decisions_url: String,
    files: Vec<IndexFile<'a>>,
}

/// Why a package could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// The stored record is not a family-register record of this version.
    #[error("stored record of filing {filing_id} cannot be read: {detail}")]
    Record {
        /// The filing.
        filing_id: String,
        /// The parser's message (no personal data: serde names fields, not values).
        detail: String,
    },
}

fn file_name(part: &str, media_type: &str) -> String {
    match part {
        "manifest" => "manifest.json".to_owned(),
        "notification" => "notification.json".to_owned(),
        "signature" => "signature.p7s".to_owned(),
        other => format!("{other}.{}", crate::client::extension_for(media_type)),
    }
}

/// Builds the package of a filing. `public_url` is the gateway's base URL
/// for the acknowledgement and decision URLs.
pub fn build(m: DeliveryMaterial, public_url: &str) -> Result<Package, PackageError> {
    let record: formats::record::FamilyRegisterFiling = serde_json::from_str(&m.record_json)
        .map_err(|e| PackageError::Record {
            filing_id: m.filing_id.clone(),
            detail: format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ),
        })?;
    let verdict = serde_json::from_str::<serde_json::Value>(&m.report_json)
        .map(|r| r["verdict"].clone())
        .unwrap_or(serde_json::Value::Null);
    let mut files = vec![
        PackageFile {
            path: "record.json".to_owned(),
            role: "record",
            part: None,
            media_type: "application/json".to_owned(),
            bytes: m.record_json.into_bytes(),
        },
        PackageFile {
            path: "register-entry.txt".to_owned(),
            role: "register_entry",
            part: None,
            media_type: "text/plain; charset=utf-8".to_owned(),
            bytes: record.register_entry_text().into_bytes(),
        },
        PackageFile {
            path: "report.json".to_owned(),
            role: "report",
            part: None,
            media_type: "application/json".to_owned(),
            bytes: m.report_json.into_bytes(),
        },
    ];
    let mut stripped = Vec::new();
    for p in m.parts {
        let name = file_name(&p.name, &p.media_type);
        if let Some(s) = p.stripped {
            stripped.push(PackageFile {
                path: format!("stripped/{name}"),
                role: "stripped",
                part: Some(p.name.clone()),
                media_type: p.media_type.clone(),
                bytes: s,
            });
        }
        files.push(PackageFile {
            path: format!("original/{name}"),
            role: "original",
            part: Some(p.name),
            media_type: p.media_type,
            bytes: p.bytes,
        });
    }
    files.extend(stripped);
    let base = format!("{}/v1/municipal/filings/{}", public_url, m.filing_id);
    let index = Index {
        format: PACKAGE_FORMAT,
        package_version: PACKAGE_VERSION,
        filing_id: &m.filing_id,
        idempotency_key: &m.filing_id,
        municipality: &m.municipality,
        received_at: m.received_at,
        manifest_sha256: &m.manifest_sha256,
        verdict,
        acknowledgement_url: format!("{base}/acknowledgement"),
        decisions_url: format!("{base}/decisions"),
        files: files
            .iter()
            .map(|f| IndexFile {
                path: &f.path,
                role: f.role,
                part: f.part.as_deref(),
                media_type: &f.media_type,
                size: f.bytes.len(),
                sha256: hex::encode(ring::digest::digest(&ring::digest::SHA256, &f.bytes)),
            })
            .collect(),
    };
    let index = serde_json::to_vec_pretty(&index).unwrap_or_default();
    Ok(Package {
        filing_id: m.filing_id,
        municipality: m.municipality,
        index,
        files,
    })
}

/// A fresh multipart boundary: 128 random bits, 41 characters (RFC 2046
/// allows at most 70).
pub fn new_boundary() -> String {
    let token = crate::ids::new_token().unwrap_or_default();
    format!("bg-pkg-{}", &token[..token.len().min(32)])
}

impl Package {
    /// The push body: `multipart/mixed` with `boundary`, `package.json` first.
    pub fn multipart_body(&self, boundary: &str) -> Vec<u8> {
        let size: usize = self
            .files
            .iter()
            .map(|f| f.bytes.len() + 200)
            .sum::<usize>()
            + self.index.len()
            + 200;
        let mut out = Vec::with_capacity(size);
        let mut part = |path: &str, media_type: &str, bytes: &[u8]| {
            out.extend_from_slice(format!("--{boundary}\r\nContent-Type: {media_type}\r\nContent-Disposition: attachment; name=\"{path}\"; filename=\"{path}\"\r\nContent-Length: {}\r\n\r\n", bytes.len()).as_bytes());
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        };
        part("package.json", "application/json", &self.index);
        for f in &self.files {
            part(&f.path, &f.media_type, &f.bytes);
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }
}
