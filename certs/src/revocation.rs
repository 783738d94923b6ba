//! 失効情報 — certificate revocation lists and per-certificate status.
//!
//! JPKI publishes revocation data only to registered signature verifiers, so
//! the gateway loads CRLs from a configured source. A CRL is believed only
//! after its signature verifies under the key of the CA that issued the
//! certificate in question (same-name CA generations make the name alone
//! insufficient), and only until its nextUpdate: stale, missing or
//! unverifiable data yields [`RevocationStatus::Unknown`], never
//! [`RevocationStatus::Good`].
//!
//! CRLs are parsed with the crate's own strict DER reader into a hash map
//! keyed by serial number, so a lookup is O(1) whatever the CRL's size.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateRevocationListDer, SignatureVerificationAlgorithm};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::der::{self, DerError, Reader, tag};
use crate::trust_store::{files_of, looks_like_pem};

/// Signature algorithms accepted on certificates and CRLs: RSA 2048–8192
/// (PKCS#1 v1.5 and PSS) and ECDSA P-256/P-384.
pub(crate) static SUPPORTED_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
];

/// RFC 5280 5.3.1 CRLReason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum RevocationReason {
    /// 0.
    Unspecified,
    /// 1.
    KeyCompromise,
    /// 2.
    CaCompromise,
    /// 3.
    AffiliationChanged,
    /// 4 — JPKI revokes on a change of name or address.
    Superseded,
    /// 5.
    CessationOfOperation,
    /// 6.
    CertificateHold,
    /// 8.
    RemoveFromCrl,
    /// 9.
    PrivilegeWithdrawn,
    /// 10.
    AaCompromise,
}

impl RevocationReason {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => return None,
        })
    }
}

/// Why a CRL was refused at load time.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrlError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// PEM text was present but no `X509 CRL` block could be decoded.
    #[error("invalid PEM CRL: {detail}")]
    Pem {
        /// The decoder's message.
        detail: String,
    },
    /// The DER structure is not a CertificateList.
    #[error("malformed CRL: {source}")]
    Malformed {
        /// The DER-level problem.
        source: DerError,
    },
    /// The CRL is not version 2 (RFC 5280 5.1.2.1; v1 cannot carry the CRL
    /// number or reason codes).
    #[error("unsupported CRL version")]
    UnsupportedVersion,
    /// The inner and outer signature algorithms differ (RFC 5280 5.1.1.2).
    #[error("CRL signature algorithm fields disagree")]
    AlgorithmMismatch,
    /// A critical extension this crate does not implement (delta CRLs,
    /// issuing distribution points, indirect CRL entries): refusing the CRL
    /// is the only safe reading.
    #[error("unsupported critical CRL extension {oid}")]
    UnsupportedCriticalExtension {
        /// The extension's OID.
        oid: String,
    },
    /// A reason code outside RFC 5280's list.
    #[error("unknown revocation reason code {code}")]
    UnknownReason {
        /// The code found.
        code: u8,
    },
    /// A file or directory held no CRL.
    #[error("no CRL found in {path}")]
    NoCrls {
        /// The path concerned.
        path: PathBuf,
    },
}

impl From<DerError> for CrlError {
    fn from(source: DerError) -> Self {
        CrlError::Malformed { source }
    }
}

/// One revoked certificate's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RevokedEntry {
    revoked_at: OffsetDateTime,
    reason: Option<RevocationReason>,
}

/// A parsed CRL whose signature is checked lazily against each candidate
/// issuer key (and the answer remembered).
#[derive(Debug)]
pub struct Crl {
    issuer: Vec<u8>,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    entries: HashMap<Box<[u8]>, RevokedEntry>,
    tbs: Vec<u8>,
    algorithm: Vec<u8>,
    signature: Vec<u8>,
    /// (issuer SPKI DER, verified?) — memo so a 1M-entry CRL is hashed once per key.
    verified: Mutex<Vec<(Vec<u8>, bool)>>,
}

impl Crl {
    /// Parses one DER CertificateList. The signature is *not* checked here:
    /// that needs the issuer, which is only known per certificate.
    pub fn from_der(bytes: &[u8]) -> Result<Self, CrlError> {
        let list = der::read_single(bytes, tag::SEQUENCE)?;
        let mut outer = Reader::new(list.content);
        let tbs = outer.read(tag::SEQUENCE)?;
        let algorithm = outer.read(tag::SEQUENCE)?;
        let signature = outer.read(tag::BIT_STRING)?;
        outer.finish()?;
        let signature = match signature.content.split_first() {
            Some((0, bits)) => bits.to_vec(),
            _ => {
                return Err(CrlError::Malformed {
                    source: DerError::InvalidValue { what: "BIT STRING" },
                });
            }
        };

        let mut fields = Reader::new(tbs.content);
        match fields.read_optional(tag::INTEGER)? {
            Some(v) if v.content == [1] => {}
            _ => return Err(CrlError::UnsupportedVersion),
        }
        let inner_algorithm = fields.read(tag::SEQUENCE)?;
        if inner_algorithm.raw != algorithm.raw {
            return Err(CrlError::AlgorithmMismatch);
        }
        let issuer = fields.read(tag::SEQUENCE)?;
        let this_update = der::read_time(&mut fields)?;
        let next_update = match fields.peek_tag() {
            Some(tag::UTC_TIME | tag::GENERALIZED_TIME) => Some(der::read_time(&mut fields)?),
            _ => None,
        };
        let mut entries = HashMap::new();
        if let Some(revoked) = fields.read_optional(tag::SEQUENCE)? {
            let mut list = Reader::new(revoked.content);
            while !list.is_empty() {
                let entry = list.read(tag::SEQUENCE)?;
                let mut entry = Reader::new(entry.content);
                let serial = entry.read(tag::INTEGER)?;
                if serial.content.is_empty() {
                    return Err(DerError::InvalidValue { what: "INTEGER" }.into());
                }
                let revoked_at = der::read_time(&mut entry)?;
                let mut reason = None;
                if let Some(extensions) = entry.read_optional(tag::SEQUENCE)? {
                    for ext in extensions_of(extensions.content)? {
                        match (ext.oid.as_str(), ext.critical) {
                            // reasonCode, RFC 5280 5.3.1.
                            ("2.5.29.21", _) => {
                                let code = der::read_single(ext.value, tag::ENUMERATED)?;
                                let code = match code.content {
                                    [c] => *c,
                                    _ => {
                                        return Err(
                                            DerError::InvalidValue { what: "ENUMERATED" }.into()
                                        );
                                    }
                                };
                                reason = Some(
                                    RevocationReason::from_code(code)
                                        .ok_or(CrlError::UnknownReason { code })?,
                                );
                            }
                            // invalidityDate is informative only.
                            ("2.5.29.24", false) => {}
                            (oid, true) => {
                                return Err(CrlError::UnsupportedCriticalExtension {
                                    oid: oid.to_owned(),
                                });
                            }
                            _ => {}
                        }
                    }
                }
                entry.finish()?;
                entries
                    .entry(Box::<[u8]>::from(serial.content))
                    .or_insert(RevokedEntry { revoked_at, reason });
            }
        }
        if let Some(wrapper) = fields.read_optional(tag::CONTEXT_0_CONSTRUCTED)? {
            let extensions = der::read_single(wrapper.content, tag::SEQUENCE)?;
            for ext in extensions_of(extensions.content)? {
                // cRLNumber and authorityKeyIdentifier are the only critical-safe
                // ones we accept; anything else critical changes the CRL's meaning.
                if ext.critical && !matches!(ext.oid.as_str(), "2.5.29.20" | "2.5.29.35") {
                    return Err(CrlError::UnsupportedCriticalExtension { oid: ext.oid });
                }
            }
        }
        fields.finish()?;

        Ok(Crl {
            issuer: issuer.raw.to_vec(),
            this_update,
            next_update,
            entries,
            tbs: tbs.raw.to_vec(),
            algorithm: algorithm.content.to_vec(),
            signature,
            verified: Mutex::new(Vec::new()),
        })
    }

    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// nextUpdate, if the CRL has one (a CRL without it is never fresh).
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// How many certificates the CRL lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the CRL lists no certificate.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the CRL's signature verifies under `issuer_spki` (full DER
    /// SubjectPublicKeyInfo). Remembered per key.
    pub fn is_signed_by(&self, issuer_spki: &[u8]) -> bool {
        let mut memo = match self.verified.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((_, ok)) = memo.iter().find(|(key, _)| key == issuer_spki) {
            return *ok;
        }
        let ok = verify_signed_data(issuer_spki, &self.algorithm, &self.tbs, &self.signature);
        memo.push((issuer_spki.to_vec(), ok));
        ok
    }
}

struct Extension<'a> {
    oid: String,
    critical: bool,
    value: &'a [u8],
}

fn extensions_of(content: &[u8]) -> Result<Vec<Extension<'_>>, CrlError> {
    let mut reader = Reader::new(content);
    let mut out = Vec::new();
    while !reader.is_empty() {
        let ext = reader.read(tag::SEQUENCE)?;
        let mut fields = Reader::new(ext.content);
        let oid = der::oid_to_string(fields.read(tag::OID)?.content)?;
        let critical = match fields.read_optional(tag::BOOLEAN)? {
            Some(b) if b.content == [0xff] => true,
            // DER forbids encoding the DEFAULT FALSE; be lenient on that one.
            Some(b) if b.content == [0x00] => false,
            Some(_) => return Err(DerError::InvalidValue { what: "BOOLEAN" }.into()),
            None => false,
        };
        let value = fields.read(tag::OCTET_STRING)?.content;
        fields.finish()?;
        out.push(Extension {
            oid,
            critical,
            value,
        });
    }
    Ok(out)
}

/// Verifies `signature` over `message` with the key of a full DER
/// SubjectPublicKeyInfo, using the algorithm named by `algorithm` (the
/// AlgorithmIdentifier's content octets), among [`SUPPORTED_ALGORITHMS`].
pub(crate) fn verify_signed_data(
    spki: &[u8],
    algorithm: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(spki) = der::read_single(spki, tag::SEQUENCE) else {
        return false;
    };
    let mut fields = Reader::new(spki.content);
    let (Ok(key_algorithm), Ok(key_bits)) =
        (fields.read(tag::SEQUENCE), fields.read(tag::BIT_STRING))
    else {
        return false;
    };
    let Some((0, public_key)) = key_bits.content.split_first() else {
        return false;
    };
    SUPPORTED_ALGORITHMS.iter().any(|alg| {
        alg.signature_alg_id().as_ref() == algorithm
            && alg.public_key_alg_id().as_ref() == key_algorithm.content
            && alg.verify_signature(public_key, message, signature).is_ok()
    })
}

/// Why a certificate's revocation status could not be established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum UnknownStatus {
    /// No CRL names the issuer.
    NoCrlForIssuer,
    /// CRLs name the issuer, but none is signed by the issuer's key.
    CrlSignatureInvalid,
    /// The freshest correctly signed CRL is past its nextUpdate.
    CrlExpired {
        /// The CRL's nextUpdate.
        #[serde(with = "time::serde::rfc3339")]
        next_update: OffsetDateTime,
        /// The time of validation.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The freshest correctly signed CRL has no nextUpdate, so its freshness
    /// cannot be judged.
    CrlWithoutNextUpdate,
}

/// The revocation status of one certificate at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationStatus {
    /// A fresh CRL signed by the issuer does not list the certificate
    /// (or lists it with a revocation time after the validation time).
    Good {
        /// thisUpdate of the CRL relied on.
        this_update: OffsetDateTime,
        /// nextUpdate of the CRL relied on.
        next_update: OffsetDateTime,
    },
    /// A fresh CRL signed by the issuer lists the certificate.
    Revoked {
        /// revocationDate of the entry.
        revoked_at: OffsetDateTime,
        /// reasonCode of the entry, if any.
        reason: Option<RevocationReason>,
    },
    /// The status cannot be established: treat as *try later*, never as good.
    Unknown(UnknownStatus),
}

/// The CA that issued the certificate whose status is asked for.
#[derive(Debug, Clone, Copy)]
pub struct CrlIssuer<'a> {
    /// The issuer's subject Name, DER (equal to the certificate's issuer field).
    pub subject: &'a [u8],
    /// The issuer's SubjectPublicKeyInfo, DER.
    pub spki: &'a [u8],
}

/// The CRLs available to validation.
#[derive(Debug, Default)]
pub struct RevocationData {
    crls: Vec<Crl>,
}

impl RevocationData {
    /// No CRLs: every status is [`UnknownStatus::NoCrlForIssuer`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds CRLs from bytes: one DER CRL, or PEM with any number of
    /// `X509 CRL` blocks. Returns how many were added.
    pub fn add_crls(&mut self, bytes: &[u8]) -> Result<usize, CrlError> {
        if looks_like_pem(bytes) {
            let ders = CertificateRevocationListDer::pem_slice_iter(bytes)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| CrlError::Pem {
                    detail: e.to_string(),
                })?;
            if ders.is_empty() {
                return Err(CrlError::Pem {
                    detail: "no X509 CRL block".to_owned(),
                });
            }
            for der in &ders {
                self.crls.push(Crl::from_der(der.as_ref())?);
            }
            Ok(ders.len())
        } else {
            self.crls.push(Crl::from_der(bytes)?);
            Ok(1)
        }
    }

    /// Adds an already parsed CRL.
    pub fn add(&mut self, crl: Crl) {
        self.crls.push(crl);
    }

    /// Loads a CRL file, or every `.crl`, `.pem` or `.der` file of a
    /// directory (sorted by name). Returns how many CRLs were added.
    pub fn load(&mut self, path: &Path) -> Result<usize, CrlError> {
        let files = files_of(path, &["crl", "pem", "der"]).map_err(|source| CrlError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut added = 0;
        for file in files {
            let bytes = std::fs::read(&file).map_err(|source| CrlError::Io {
                path: file.clone(),
                source,
            })?;
            added += self.add_crls(&bytes)?;
        }
        if added == 0 {
            return Err(CrlError::NoCrls {
                path: path.to_path_buf(),
            });
        }
        Ok(added)
    }

    /// The loaded CRLs.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// The status of the certificate with DER INTEGER content `serial`,
    /// issued by `issuer`, at time `at`. Uses the correctly signed CRL with
    /// the latest thisUpdate; if that one is stale the answer is unknown.
    pub fn status(
        &self,
        serial: &[u8],
        issuer: CrlIssuer<'_>,
        at: OffsetDateTime,
    ) -> RevocationStatus {
        let mut named = false;
        let mut best: Option<&Crl> = None;
        for crl in self.crls.iter().filter(|c| c.issuer == issuer.subject) {
            named = true;
            if best.is_some_and(|b| b.this_update >= crl.this_update) {
                continue;
            }
            if crl.is_signed_by(issuer.spki) {
                best = Some(crl);
            }
        }
        let Some(crl) = best else {
            return RevocationStatus::Unknown(if named {
                UnknownStatus::CrlSignatureInvalid
            } else {
                UnknownStatus::NoCrlForIssuer
            });
        };
        let Some(next_update) = crl.next_update else {
            return RevocationStatus::Unknown(UnknownStatus::CrlWithoutNextUpdate);
        };
        if at > next_update {
            return RevocationStatus::Unknown(UnknownStatus::CrlExpired { next_update, at });
        }
        match crl.entries.get(serial) {
            Some(entry) if entry.revoked_at <= at => RevocationStatus::Revoked {
                revoked_at: entry.revoked_at,
                reason: entry.reason,
            },
            _ => RevocationStatus::Good {
                this_update: crl.this_update,
                next_update,
            },
        }
    }
}
