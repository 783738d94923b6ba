//! 信頼点 — trust anchors, the intermediates that may complete a path, and
//! the certificate policies each anchor may vouch for.
//!
//! JPKI re-keys its roots without renaming them, so several anchors may share
//! one subject name; the store keeps them all and path building picks the one
//! whose key verifies the signature. Loading reads files (the only I/O in the
//! crate besides the dev-PKI writer); validation itself never does.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor};
use serde::{Deserialize, Serialize};

use crate::der;

/// A certificate policy OID in dotted-decimal form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PolicyOid(Cow<'static, str>);

impl PolicyOid {
    /// 署名用電子証明書 of the production JPKI.
    pub const JPKI_PRODUCTION: PolicyOid = PolicyOid(Cow::Borrowed("1.2.392.200149.8.5.1.1.20"));
    /// 署名用電子証明書 of the JPKI test environment; also used by the dev PKI.
    pub const JPKI_TEST: PolicyOid = PolicyOid(Cow::Borrowed("1.2.392.200149.8.5.1.0.20"));
    /// anyPolicy (RFC 5280 4.2.1.4): accepted on CA certificates only.
    pub const ANY_POLICY: PolicyOid = PolicyOid(Cow::Borrowed("2.5.29.32.0"));

    /// Parses dotted-decimal text such as `1.2.392.200149.8.5.1.1.20`.
    pub fn parse(text: &str) -> Result<Self, TrustStoreError> {
        if der::oid_content(text).is_some() {
            Ok(PolicyOid(Cow::Owned(text.to_owned())))
        } else {
            Err(TrustStoreError::InvalidPolicyOid {
                value: text.to_owned(),
            })
        }
    }

    /// The dotted-decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PolicyOid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PolicyOid {
    type Error = TrustStoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PolicyOid::parse(&value)
    }
}

impl From<PolicyOid> for String {
    fn from(value: PolicyOid) -> Self {
        value.0.into_owned()
    }
}

/// Why certificates could not be added to a [`TrustStore`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// PEM text was present but could not be decoded.
    #[error("invalid PEM in {origin}: {detail}")]
    Pem {
        /// File name, or `<memory>`.
        origin: String,
        /// The decoder's message.
        detail: String,
    },
    /// The bytes are not a parsable X.509 certificate.
    #[error("not a usable certificate ({origin}): {detail}")]
    Certificate {
        /// File name, or `<memory>`.
        origin: String,
        /// The parser's message.
        detail: String,
    },
    /// A file or directory held no certificate at all.
    #[error("no certificate found in {path}")]
    NoCertificates {
        /// The path concerned.
        path: PathBuf,
    },
    /// An anchor was added with no policy to vouch for; it could never
    /// validate a JPKI signing certificate, so this is a configuration error.
    #[error("trust anchor added without any certificate policy")]
    NoPolicies,
    /// A policy OID is not valid dotted-decimal text.
    #[error("invalid policy OID {value:?}")]
    InvalidPolicyOid {
        /// The text given.
        value: String,
    },
}

/// A trust anchor together with what it may vouch for.
#[derive(Debug, Clone)]
pub(crate) struct AnchorPolicy {
    pub(crate) certificate: CertificateDer<'static>,
    pub(crate) policies: Vec<PolicyOid>,
}

/// The trust anchors, intermediates and per-anchor policy permissions used
/// to validate signing certificates.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// Parallel to `anchor_policies`; webpki wants a plain slice.
    pub(crate) anchors: Vec<TrustAnchor<'static>>,
    pub(crate) anchor_policies: Vec<AnchorPolicy>,
    pub(crate) intermediates: Vec<CertificateDer<'static>>,
}

impl TrustStore {
    /// An empty store: validates nothing until anchors are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one trust anchor (DER) that may vouch for `policies`.
    pub fn add_anchor(
        &mut self,
        der: &[u8],
        policies: &[PolicyOid],
    ) -> Result<(), TrustStoreError> {
        self.add_anchor_from(der, policies, "<memory>")
    }

    fn add_anchor_from(
        &mut self,
        der: &[u8],
        policies: &[PolicyOid],
        origin: &str,
    ) -> Result<(), TrustStoreError> {
        if policies.is_empty() {
            return Err(TrustStoreError::NoPolicies);
        }
        let certificate = check_certificate(der, origin)?;
        let anchor = webpki::anchor_from_trusted_cert(&certificate)
            .map_err(|e| TrustStoreError::Certificate {
                origin: origin.to_owned(),
                detail: format!("{e:?}"),
            })?
            .to_owned();
        self.anchors.push(anchor);
        self.anchor_policies.push(AnchorPolicy {
            certificate,
            policies: policies.to_vec(),
        });
        Ok(())
    }

    /// Adds an intermediate CA certificate (DER) that path building may use.
    /// Intermediates confer no trust by themselves.
    pub fn add_intermediate(&mut self, der: &[u8]) -> Result<(), TrustStoreError> {
        let certificate = check_certificate(der, "<memory>")?;
        self.intermediates.push(certificate);
        Ok(())
    }

    /// Adds every certificate in a PEM or DER file, or in every `.pem`,
    /// `.crt`, `.cer` or `.der` file of a directory (sorted by name), as
    /// anchors vouching for `policies`. Returns how many were added.
    pub fn load_anchors(
        &mut self,
        path: &Path,
        policies: &[PolicyOid],
    ) -> Result<usize, TrustStoreError> {
        let mut added = 0;
        for (origin, der) in read_certificates(path)? {
            self.add_anchor_from(&der, policies, &origin)?;
            added += 1;
        }
        Ok(added)
    }

    /// Like [`TrustStore::load_anchors`], for intermediates.
    pub fn load_intermediates(&mut self, path: &Path) -> Result<usize, TrustStoreError> {
        let mut added = 0;
        for (origin, der) in read_certificates(path)? {
            let certificate = check_certificate(&der, &origin)?;
            self.intermediates.push(certificate);
            added += 1;
        }
        Ok(added)
    }

    /// Number of trust anchors.
    pub fn anchor_count(&self) -> usize {
        self.anchors.len()
    }

    /// The CA certificates the store knows (anchors, then intermediates):
    /// the candidates a CRL's signature is checked against.
    pub fn ca_certificates(&self) -> impl Iterator<Item = &CertificateDer<'static>> {
        self.anchor_policies
            .iter()
            .map(|a| &a.certificate)
            .chain(self.intermediates.iter())
    }

    /// The policies the anchor with this subject and SPKI (webpki's form:
    /// without the outer SEQUENCE) may vouch for.
    pub(crate) fn policies_of(&self, anchor: &TrustAnchor<'_>) -> Option<&[PolicyOid]> {
        self.anchors
            .iter()
            .zip(&self.anchor_policies)
            .find(|(a, _)| {
                a.subject.as_ref() == anchor.subject.as_ref()
                    && a.subject_public_key_info.as_ref() == anchor.subject_public_key_info.as_ref()
            })
            .map(|(_, p)| p.policies.as_slice())
    }
}

fn check_certificate(der: &[u8], origin: &str) -> Result<CertificateDer<'static>, TrustStoreError> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], _)) => Ok(CertificateDer::from(der.to_vec())),
        Ok(_) => Err(TrustStoreError::Certificate {
            origin: origin.to_owned(),
            detail: "trailing bytes after the certificate".to_owned(),
        }),
        Err(e) => Err(TrustStoreError::Certificate {
            origin: origin.to_owned(),
            detail: e.to_string(),
        }),
    }
}

/// Splits bytes that are either PEM (any number of `CERTIFICATE` blocks) or
/// a single DER certificate.
pub fn certificates_from_bytes(
    bytes: &[u8],
    origin: &str,
) -> Result<Vec<CertificateDer<'static>>, TrustStoreError> {
    if looks_like_pem(bytes) {
        CertificateDer::pem_slice_iter(bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TrustStoreError::Pem {
                origin: origin.to_owned(),
                detail: e.to_string(),
            })
    } else {
        Ok(vec![CertificateDer::from(bytes.to_vec())])
    }
}

pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|start| bytes.get(start..))
        .is_some_and(|rest| rest.starts_with(b"-----BEGIN"))
}

/// Lists the files of `path` (itself if it is a file) with one of `extensions`.
pub(crate) fn files_of(path: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, std::io::Error> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let file = entry?.path();
        let wanted = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)));
        if wanted && file.is_file() {
            files.push(file);
        }
    }
    files.sort();
    Ok(files)
}

fn read_certificates(path: &Path) -> Result<Vec<(String, Vec<u8>)>, TrustStoreError> {
    let io = |source| TrustStoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for file in files_of(path, &["pem", "crt", "cer", "der"]).map_err(io)? {
        let bytes = std::fs::read(&file).map_err(|source| TrustStoreError::Io {
            path: file.clone(),
            source,
        })?;
        let origin = file.display().to_string();
        for cert in certificates_from_bytes(&bytes, &origin)? {
            out.push((origin.clone(), cert.as_ref().to_vec()));
        }
    }
    if out.is_empty() {
        return Err(TrustStoreError::NoCertificates {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}
