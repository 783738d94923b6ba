//! 署名用電子証明書の検証 — is this certificate, at this time, a valid JPKI
//! signing certificate of a living holder, and who is the holder?
//!
//! Path building and signature checks are rustls-webpki's; this module adds
//! what webpki leaves out (end-entity keyUsage, certificate policy per
//! anchor, revocation with reasons, the JPKI holder attributes) and grades
//! the outcome like ETSI EN 319 102-1.
//!
//! The order of checks is fixed and documented because it decides which of
//! several problems is reported: key strength, path (signatures, names,
//! validity periods, EKU, policy), keyUsage, identifier and holder
//! attributes, then revocation of the end-entity certificate.
//!
//! Two engines, one set of rules: rustls-webpki builds and checks the path
//! whenever it can. It refuses any certificate with a critical extension it
//! does not implement, and the J-LIS profile marks certificatePolicies
//! critical; for such certificates the crate's own path validator (`path`)
//! applies the same rules, and a test shows both engines give the same
//! outcome for every fixture case.
//!
//! Known limits: intermediate CAs are not checked for revocation (no ARL is
//! consulted); policy mapping and inhibitAnyPolicy are not processed (the
//! end-entity policy must be asserted verbatim, or as anyPolicy by CAs);
//! the own path validator refuses name constraints instead of checking them.

use std::cell::RefCell;
use std::fmt;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, UnixTime};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyPurposeIdIter, VerifiedPath};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::public_key::PublicKey;

use crate::holder::{HolderAttributeError, HolderAttributes, holder_attributes_from_san};
use crate::path::{self, FoundPath, PathError};
use crate::revocation::{
    CrlIssuer, RevocationData, RevocationReason, RevocationStatus, SUPPORTED_ALGORITHMS,
    UnknownStatus,
};
use crate::trust_store::{PolicyOid, TrustStore};

/// A certificate serial number (DER INTEGER content octets), shown as hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String")]
pub struct SerialNumber(Vec<u8>);

impl SerialNumber {
    /// Wraps the INTEGER content octets.
    pub fn from_der_content(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The INTEGER content octets (the CRL lookup key).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Leading 0x00 only keeps the INTEGER positive; it is not part of the number.
        let bytes = match self.0.split_first() {
            Some((0, rest)) if !rest.is_empty() => rest,
            _ => &self.0,
        };
        for b in bytes {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl From<SerialNumber> for String {
    fn from(value: SerialNumber) -> Self {
        value.to_string()
    }
}

/// ETSI EN 319 102-1 main status indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Indication {
    /// TOTAL-PASSED.
    TotalPassed,
    /// INDETERMINATE: the data at hand does not allow a pass or a fail.
    Indeterminate,
    /// TOTAL-FAILED.
    TotalFailed,
}

impl Indication {
    /// The ETSI spelling, e.g. `TOTAL-PASSED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::Indeterminate => "INDETERMINATE",
            Indication::TotalFailed => "TOTAL-FAILED",
        }
    }
}

/// ETSI EN 319 102-1 sub-indications this crate can produce (clause 5.1.3,
/// Table 5 for which main indication each belongs to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// FORMAT_FAILURE: the certificate is not parsable.
    FormatFailure,
    /// NO_CERTIFICATE_CHAIN_FOUND: no path to a trust anchor.
    NoCertificateChainFound,
    /// EXPIRED: a certificate of the path expired before the validation time.
    Expired,
    /// NOT_YET_VALID: the validation time precedes a notBefore.
    NotYetValid,
    /// REVOKED: revoked before the validation time.
    Revoked,
    /// TRY_LATER: revocation data is missing, stale or unverifiable.
    TryLater,
    /// CHAIN_CONSTRAINTS_FAILURE: the path violates a constraint (key usage,
    /// policy, EKU, basic constraints, the JPKI profile).
    ChainConstraintsFailure,
    /// CRYPTO_CONSTRAINTS_FAILURE: algorithm or key size not acceptable.
    CryptoConstraintsFailure,
    /// CERTIFICATE_CHAIN_GENERAL_FAILURE: any other path failure.
    CertificateChainGeneralFailure,
}

impl SubIndication {
    /// The ETSI spelling, e.g. `NO_CERTIFICATE_CHAIN_FOUND`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::Expired => "EXPIRED",
            SubIndication::NotYetValid => "NOT_YET_VALID",
            SubIndication::Revoked => "REVOKED",
            SubIndication::TryLater => "TRY_LATER",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
        }
    }

    /// The main indication this sub-indication belongs to.
    ///
    /// The gateway validates at the time of receipt, which is also the latest
    /// possible signing time of an online filing, so a certificate that is
    /// revoked, expired or not yet valid at that time can never yield a valid
    /// filing: those are TOTAL-FAILED (ETSI lists EXPIRED, NOT_YET_VALID and
    /// REVOKED under TOTAL-FAILED for exactly this case). Everything that
    /// more or better data could change is INDETERMINATE.
    pub const fn indication(self) -> Indication {
        match self {
            SubIndication::FormatFailure
            | SubIndication::Expired
            | SubIndication::NotYetValid
            | SubIndication::Revoked => Indication::TotalFailed,
            SubIndication::NoCertificateChainFound
            | SubIndication::TryLater
            | SubIndication::ChainConstraintsFailure
            | SubIndication::CryptoConstraintsFailure
            | SubIndication::CertificateChainGeneralFailure => Indication::Indeterminate,
        }
    }
}

/// Why no path to a trust anchor could be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChainFailure {
    /// No trusted or known CA has the issuer's name.
    UnknownIssuer,
    /// CAs with the issuer's name exist, but none's key verifies the
    /// signature (tampered certificate, or a look-alike issuer).
    SignatureMismatch,
}

/// Why a certificate is not a valid JPKI signing certificate at the given
/// time. Each variant maps to one [`SubIndication`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The bytes are not a parsable X.509 certificate. FORMAT_FAILURE.
    #[error("certificate is malformed: {detail}")]
    Malformed {
        /// The parser's message.
        detail: String,
    },
    /// No path to a trust anchor. NO_CERTIFICATE_CHAIN_FOUND.
    #[error("no certificate chain to a trust anchor ({reason:?}) for serial {serial}")]
    NoCertificateChain {
        /// The end-entity serial.
        serial: SerialNumber,
        /// What failed.
        reason: ChainFailure,
    },
    /// A certificate of the path expired before `at`. EXPIRED.
    #[error("certificate expired at {not_after} (validation time {at})")]
    Expired {
        /// The end-entity serial.
        serial: SerialNumber,
        /// notAfter of the expired certificate.
        not_after: OffsetDateTime,
        /// The validation time.
        at: OffsetDateTime,
    },
    /// `at` precedes the notBefore of a certificate of the path. NOT_YET_VALID.
    #[error("certificate not valid before {not_before} (validation time {at})")]
    NotYetValid {
        /// The end-entity serial.
        serial: SerialNumber,
        /// notBefore of the certificate concerned.
        not_before: OffsetDateTime,
        /// The validation time.
        at: OffsetDateTime,
    },
    /// Listed on a fresh CRL signed by the issuer. REVOKED.
    #[error("certificate {serial} revoked at {revoked_at} ({reason:?})")]
    Revoked {
        /// The end-entity serial.
        serial: SerialNumber,
        /// revocationDate of the CRL entry.
        revoked_at: OffsetDateTime,
        /// reasonCode of the CRL entry.
        reason: Option<RevocationReason>,
    },
    /// Revocation status unknown (no CRL, stale CRL, bad CRL signature).
    /// TRY_LATER.
    #[error("revocation status of {serial} unknown: {status:?}")]
    RevocationUnknown {
        /// The end-entity serial.
        serial: SerialNumber,
        /// Why the status is unknown.
        status: UnknownStatus,
    },
    /// End-entity keyUsage absent or allowing neither digitalSignature nor
    /// nonRepudiation. CHAIN_CONSTRAINTS_FAILURE.
    #[error("keyUsage of {serial} does not allow signing")]
    KeyUsageNotForSigning {
        /// The end-entity serial.
        serial: SerialNumber,
    },
    /// The end-entity policies include none the path's anchor vouches for
    /// (or a CA of the path does not carry it). CHAIN_CONSTRAINTS_FAILURE.
    #[error(
        "certificate {serial} has policies {found:?}; the trust anchor vouches for {allowed:?}"
    )]
    PolicyNotAllowed {
        /// The end-entity serial.
        serial: SerialNumber,
        /// Policy OIDs in the end-entity certificate.
        found: Vec<String>,
        /// Policy OIDs the anchor may vouch for.
        allowed: Vec<String>,
    },
    /// extendedKeyUsage present somewhere in the path without a purpose
    /// compatible with document signing. CHAIN_CONSTRAINTS_FAILURE.
    #[error("extendedKeyUsage of a certificate in the path excludes document signing")]
    ExtendedKeyUsageNotForSigning {
        /// The end-entity serial.
        serial: SerialNumber,
    },
    /// Another path constraint failed (basic constraints, path length, name
    /// constraints, unknown critical extension). CHAIN_CONSTRAINTS_FAILURE.
    #[error("path constraint violated: {detail}")]
    ChainConstraint {
        /// The end-entity serial.
        serial: SerialNumber,
        /// webpki's description.
        detail: String,
    },
    /// The subject has no commonName identifier. CHAIN_CONSTRAINTS_FAILURE.
    #[error("certificate {serial} has no subject commonName")]
    MissingIdentifier {
        /// The end-entity serial.
        serial: SerialNumber,
    },
    /// The JPKI holder attributes are missing or malformed.
    /// CHAIN_CONSTRAINTS_FAILURE (the certificate does not meet the profile).
    #[error("holder attributes of {serial}: {source}")]
    HolderAttributes {
        /// The end-entity serial.
        serial: SerialNumber,
        /// What was wrong.
        source: HolderAttributeError,
    },
    /// Unsupported algorithm or key size (RSA 2048–8192, ECDSA P-256/P-384
    /// only). CRYPTO_CONSTRAINTS_FAILURE.
    #[error("cryptographic constraint failed: {detail}")]
    CryptoConstraint {
        /// The end-entity serial, when the certificate could be parsed.
        serial: SerialNumber,
        /// What was not acceptable.
        detail: String,
    },
    /// The validation time is before 1970 or otherwise unusable.
    /// CERTIFICATE_CHAIN_GENERAL_FAILURE.
    #[error("validation time {at} is out of range")]
    TimeOutOfRange {
        /// The time given.
        at: OffsetDateTime,
    },
    /// Any other path failure. CERTIFICATE_CHAIN_GENERAL_FAILURE.
    #[error("certificate path failure: {detail}")]
    ChainGeneral {
        /// The end-entity serial.
        serial: SerialNumber,
        /// webpki's description.
        detail: String,
    },
}

impl ValidationError {
    /// The ETSI EN 319 102-1 sub-indication.
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            ValidationError::Malformed { .. } => SubIndication::FormatFailure,
            ValidationError::NoCertificateChain { .. } => SubIndication::NoCertificateChainFound,
            ValidationError::Expired { .. } => SubIndication::Expired,
            ValidationError::NotYetValid { .. } => SubIndication::NotYetValid,
            ValidationError::Revoked { .. } => SubIndication::Revoked,
            ValidationError::RevocationUnknown { .. } => SubIndication::TryLater,
            ValidationError::KeyUsageNotForSigning { .. }
            | ValidationError::PolicyNotAllowed { .. }
            | ValidationError::ExtendedKeyUsageNotForSigning { .. }
            | ValidationError::ChainConstraint { .. }
            | ValidationError::MissingIdentifier { .. }
            | ValidationError::HolderAttributes { .. } => SubIndication::ChainConstraintsFailure,
            ValidationError::CryptoConstraint { .. } => SubIndication::CryptoConstraintsFailure,
            ValidationError::TimeOutOfRange { .. } | ValidationError::ChainGeneral { .. } => {
                SubIndication::CertificateChainGeneralFailure
            }
        }
    }

    /// The ETSI EN 319 102-1 main indication.
    pub fn indication(&self) -> Indication {
        self.sub_indication().indication()
    }
}

/// What the verifier learns from a certificate that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidatedSigningCertificate {
    /// 氏名・性別・生年月日・住所 as the certificate states them.
    pub holder: HolderAttributes,
    /// The subject commonName: an identifier (シリアル番号的なもの), not the name.
    pub identifier: String,
    /// The end-entity serial number.
    pub serial: SerialNumber,
    /// The policy that made the anchor vouch for the certificate.
    pub policy: PolicyOid,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// The path: end entity first, then intermediates, then the anchor's certificate.
    pub chain: Vec<CertificateDer<'static>>,
    /// thisUpdate of the CRL that showed the certificate unrevoked.
    pub crl_this_update: OffsetDateTime,
    /// nextUpdate of that CRL.
    pub crl_next_update: OffsetDateTime,
}

impl ValidatedSigningCertificate {
    /// Always TOTAL-PASSED; here so callers can grade both arms alike.
    pub fn indication(&self) -> Indication {
        Indication::TotalPassed
    }
}

/// The main indication and sub-indication of a validation outcome.
pub fn grade(
    outcome: &Result<ValidatedSigningCertificate, ValidationError>,
) -> (Indication, Option<SubIndication>) {
    match outcome {
        Ok(valid) => (valid.indication(), None),
        Err(e) => (e.indication(), Some(e.sub_indication())),
    }
}

/// EKU purposes compatible with document signing, when a certificate of the
/// path restricts its purposes at all (webpki applies this to every
/// certificate of the path): anyExtendedKeyUsage, emailProtection,
/// documentSigning (RFC 9336), Microsoft and Adobe document signing.
const SIGNING_EKUS: &[&[usize]] = &[
    &[2, 5, 29, 37, 0],
    &[1, 3, 6, 1, 5, 5, 7, 3, 4],
    &[1, 3, 6, 1, 5, 5, 7, 3, 36],
    &[1, 3, 6, 1, 4, 1, 311, 10, 3, 12],
    &[1, 2, 840, 113583, 1, 1, 5],
];

/// [`SIGNING_EKUS`] other than anyExtendedKeyUsage and emailProtection, as
/// dotted text (for the own path validator).
pub(crate) const SIGNING_EKU_TEXT: &[&str] = &[
    "1.3.6.1.5.5.7.3.36",
    "1.3.6.1.4.1.311.10.3.12",
    "1.2.840.113583.1.1.5",
];

struct SigningEku;

impl webpki::ExtendedKeyUsageValidator for SigningEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut present = Vec::new();
        for purpose in iter {
            let oid = purpose?.to_decoded_oid();
            if SIGNING_EKUS.contains(&oid.as_slice()) {
                return Ok(());
            }
            present.push(oid);
        }
        if present.is_empty() {
            Ok(())
        } else {
            Err(webpki::Error::RequiredEkuNotFoundContext(
                webpki::RequiredEkuNotFoundContext {
                    // id-kp-documentSigning (RFC 9336), 1.3.6.1.5.5.7.3.36.
                    required: webpki::KeyUsage::required(&[
                        0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24,
                    ]),
                    present,
                },
            ))
        }
    }
}

/// Validates `end_entity` (DER) as a JPKI signing certificate at `at`.
///
/// `presented_intermediates` are CA certificates that came with the
/// signature (the CMS `certificates` set); they may complete a path but
/// confer no trust. Pure: no I/O, no clock.
pub fn validate_signing_certificate(
    store: &TrustStore,
    revocation: &RevocationData,
    end_entity: &[u8],
    presented_intermediates: &[CertificateDer<'_>],
    at: OffsetDateTime,
) -> Result<ValidatedSigningCertificate, ValidationError> {
    let parsed = match x509_parser::parse_x509_certificate(end_entity) {
        Ok(([], cert)) => cert,
        Ok(_) => {
            return Err(ValidationError::Malformed {
                detail: "trailing bytes after the certificate".to_owned(),
            });
        }
        Err(e) => {
            return Err(ValidationError::Malformed {
                detail: e.to_string(),
            });
        }
    };
    let serial = SerialNumber::from_der_content(parsed.tbs_certificate.raw_serial());
    check_key_strength(&parsed, &serial)?;

    let unix = u64::try_from(at.unix_timestamp())
        .map(|secs| UnixTime::since_unix_epoch(Duration::from_secs(secs)))
        .map_err(|_| ValidationError::TimeOutOfRange { at })?;
    // A subjectAltName that is not DER makes the certificate unusable
    // (webpki refuses it too): a format failure, whichever engine runs.
    if let Err(HolderAttributeError::MalformedSubjectAltName { source }) = holder_of(&parsed) {
        return Err(ValidationError::Malformed {
            detail: format!("subjectAltName is not valid DER: {source}"),
        });
    }
    let ee_policies = policies_of(&parsed);
    let found = match webpki_path(
        store,
        end_entity,
        presented_intermediates,
        &ee_policies,
        &serial,
        unix,
        at,
    ) {
        WebpkiOutcome::Path(found) => found,
        WebpkiOutcome::Failed(error) => return Err(*error),
        // The J-LIS profile marks certificatePolicies critical, which webpki
        // refuses outright; this crate processes policies, so it checks
        // such paths itself (see the `path` module).
        WebpkiOutcome::CriticalExtension => {
            let presented: Vec<&[u8]> =
                presented_intermediates.iter().map(|c| c.as_ref()).collect();
            path::build_path(store, &presented, end_entity, &parsed, &ee_policies, at)
                .map_err(|e| map_path_error(e, serial.clone(), at, &ee_policies))?
        }
    };
    let policy = found.policy;

    // webpki ignores the end-entity keyUsage; RFC 5280 4.2.1.3 and the JPKI
    // profile require digitalSignature and/or nonRepudiation for signing.
    let signing_ku = matches!(parsed.key_usage(), Ok(Some(ku))
        if ku.value.digital_signature() || ku.value.non_repudiation());
    if !signing_ku {
        return Err(ValidationError::KeyUsageNotForSigning { serial });
    }

    let identifier = parsed
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| ValidationError::MissingIdentifier {
            serial: serial.clone(),
        })?;

    let holder = holder_of(&parsed).map_err(|source| ValidationError::HolderAttributes {
        serial: serial.clone(),
        source,
    })?;

    let status = revocation.status(
        serial.as_bytes(),
        CrlIssuer {
            subject: parsed.issuer().as_raw(),
            spki: &found.issuer_spki,
        },
        at,
    );
    let (crl_this_update, crl_next_update) = match status {
        RevocationStatus::Good {
            this_update,
            next_update,
        } => (this_update, next_update),
        RevocationStatus::Revoked { revoked_at, reason } => {
            return Err(ValidationError::Revoked {
                serial,
                revoked_at,
                reason,
            });
        }
        RevocationStatus::Unknown(status) => {
            return Err(ValidationError::RevocationUnknown { serial, status });
        }
    };
    let chain = found.chain.into_iter().map(CertificateDer::from).collect();

    Ok(ValidatedSigningCertificate {
        holder,
        identifier,
        serial,
        policy,
        not_before: parsed.validity().not_before.to_datetime(),
        not_after: parsed.validity().not_after.to_datetime(),
        chain,
        crl_this_update,
        crl_next_update,
    })
}

/// What webpki made of the path.
enum WebpkiOutcome {
    /// A path was found and accepted.
    Path(FoundPath),
    /// Validation failed for a reason webpki understands.
    Failed(Box<ValidationError>),
    /// webpki refused a critical extension it does not implement.
    CriticalExtension,
}

#[allow(clippy::too_many_arguments)] // one private call site; a struct would only rename them.
fn webpki_path(
    store: &TrustStore,
    end_entity: &[u8],
    presented_intermediates: &[CertificateDer<'_>],
    ee_policies: &[String],
    serial: &SerialNumber,
    unix: UnixTime,
    at: OffsetDateTime,
) -> WebpkiOutcome {
    let fail = |e: ValidationError| WebpkiOutcome::Failed(Box::new(e));
    let ee_der = CertificateDer::from(end_entity);
    let ee = match EndEntityCert::try_from(&ee_der) {
        Ok(ee) => ee,
        Err(webpki::Error::UnsupportedCriticalExtension) => {
            return WebpkiOutcome::CriticalExtension;
        }
        Err(e) => return fail(map_webpki_error(e, serial.clone(), at)),
    };
    let intermediates: Vec<CertificateDer<'_>> = store
        .intermediates
        .iter()
        .map(|c| CertificateDer::from(c.as_ref()))
        .chain(
            presented_intermediates
                .iter()
                .map(|c| CertificateDer::from(c.as_ref())),
        )
        .collect();

    let policy_failure: RefCell<Option<Vec<String>>> = RefCell::new(None);
    let chosen_policy: RefCell<Option<PolicyOid>> = RefCell::new(None);
    let check_policy = |path: &VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let allowed = store.policies_of(path.anchor()).unwrap_or_default();
        let intermediate_policies: Vec<Option<Vec<String>>> = path
            .intermediate_certificates()
            .map(|c| {
                x509_parser::parse_x509_certificate(c.der().as_ref())
                    .ok()
                    .map(|(_, cert)| policies_of(&cert))
            })
            .collect();
        // RFC 5280 6.1: the policy must be asserted by every CA below the
        // anchor (or anyPolicy) and by the end entity.
        let found = allowed.iter().find(|p| {
            ee_policies.iter().any(|e| e == p.as_str())
                && intermediate_policies.iter().all(|ip| {
                    ip.as_ref().is_some_and(|ip| {
                        ip.iter()
                            .any(|o| o == p.as_str() || o == PolicyOid::ANY_POLICY.as_str())
                    })
                })
        });
        match found {
            Some(policy) => {
                *chosen_policy.borrow_mut() = Some(policy.clone());
                Ok(())
            }
            None => {
                *policy_failure.borrow_mut() =
                    Some(allowed.iter().map(|p| p.to_string()).collect());
                // Any error makes webpki try the remaining candidate paths.
                Err(webpki::Error::UnknownIssuer)
            }
        }
    };

    let path = match ee.verify_for_usage(
        SUPPORTED_ALGORITHMS,
        &store.anchors,
        &intermediates,
        unix,
        SigningEku,
        None,
        Some(&check_policy),
    ) {
        Ok(path) => path,
        Err(webpki::Error::UnsupportedCriticalExtension) => {
            return WebpkiOutcome::CriticalExtension;
        }
        Err(e) => {
            if let Some(allowed) = policy_failure.borrow_mut().take() {
                return fail(ValidationError::PolicyNotAllowed {
                    serial: serial.clone(),
                    found: ee_policies.to_vec(),
                    allowed,
                });
            }
            return fail(map_webpki_error(e, serial.clone(), at));
        }
    };
    let Some(policy) = chosen_policy.borrow_mut().take() else {
        return fail(ValidationError::ChainGeneral {
            serial: serial.clone(),
            detail: "path accepted without a policy".to_owned(),
        });
    };
    let mut chain = vec![end_entity.to_vec()];
    chain.extend(
        path.intermediate_certificates()
            .map(|c| c.der().as_ref().to_vec()),
    );
    if let Some((anchor, _)) = store
        .anchor_policies
        .iter()
        .zip(&store.anchors)
        .find(|(_, a)| {
            a.subject_public_key_info.as_ref() == path.anchor().subject_public_key_info.as_ref()
        })
    {
        chain.push(anchor.certificate.as_ref().to_vec());
    }
    WebpkiOutcome::Path(FoundPath {
        chain,
        issuer_spki: path.issuer_spki().as_ref().to_vec(),
        policy,
    })
}

fn map_path_error(
    error: PathError,
    serial: SerialNumber,
    at: OffsetDateTime,
    ee_policies: &[String],
) -> ValidationError {
    match error {
        PathError::UnknownIssuer => ValidationError::NoCertificateChain {
            serial,
            reason: ChainFailure::UnknownIssuer,
        },
        PathError::SignatureMismatch => ValidationError::NoCertificateChain {
            serial,
            reason: ChainFailure::SignatureMismatch,
        },
        PathError::Expired { not_after } => ValidationError::Expired {
            serial,
            not_after,
            at,
        },
        PathError::NotYetValid { not_before } => ValidationError::NotYetValid {
            serial,
            not_before,
            at,
        },
        PathError::Constraint(detail) => ValidationError::ChainConstraint { serial, detail },
        PathError::ExtendedKeyUsage => ValidationError::ExtendedKeyUsageNotForSigning { serial },
        PathError::Crypto(detail) => ValidationError::CryptoConstraint { serial, detail },
        PathError::Policy { allowed } => ValidationError::PolicyNotAllowed {
            serial,
            found: ee_policies.to_vec(),
            allowed,
        },
    }
}

/// Reads the holder attributes of a certificate (DER) without validating it.
pub fn holder_attributes(certificate: &[u8]) -> Result<HolderAttributes, HolderAttributeError> {
    match x509_parser::parse_x509_certificate(certificate) {
        Ok((_, cert)) => holder_of(&cert),
        Err(e) => Err(HolderAttributeError::MalformedCertificate {
            detail: e.to_string(),
        }),
    }
}

fn holder_of(cert: &X509Certificate<'_>) -> Result<HolderAttributes, HolderAttributeError> {
    let san = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.17")
        .ok_or(HolderAttributeError::NoSubjectAltName)?;
    holder_attributes_from_san(san.value)
}

pub(crate) fn policies_of(cert: &X509Certificate<'_>) -> Vec<String> {
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::CertificatePolicies(policies) => Some(
                policies
                    .iter()
                    .map(|p| p.policy_id.to_id_string())
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default()
}

fn check_key_strength(
    cert: &X509Certificate<'_>,
    serial: &SerialNumber,
) -> Result<(), ValidationError> {
    let fail = |detail: String| ValidationError::CryptoConstraint {
        serial: serial.clone(),
        detail,
    };
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let bits = rsa.key_size();
            if (2048..=8192).contains(&bits) {
                Ok(())
            } else {
                Err(fail(format!("RSA key of {bits} bits (2048–8192 accepted)")))
            }
        }
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            // secp256r1, secp384r1.
            if curve == "1.2.840.10045.3.1.7" || curve == "1.3.132.0.34" {
                Ok(())
            } else {
                Err(fail(format!(
                    "EC curve {curve:?} (P-256 and P-384 accepted)"
                )))
            }
        }
        Ok(_) => Err(fail(format!(
            "public key algorithm {} not accepted",
            spki.algorithm.algorithm.to_id_string()
        ))),
        Err(e) => Err(fail(format!("public key unparsable: {e}"))),
    }
}

fn map_webpki_error(
    error: webpki::Error,
    serial: SerialNumber,
    at: OffsetDateTime,
) -> ValidationError {
    use webpki::Error as E;
    let unix = |t: UnixTime| {
        i64::try_from(t.as_secs())
            .ok()
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .unwrap_or(at)
    };
    match error {
        E::UnknownIssuer => ValidationError::NoCertificateChain {
            serial,
            reason: ChainFailure::UnknownIssuer,
        },
        E::InvalidSignatureForPublicKey => ValidationError::NoCertificateChain {
            serial,
            reason: ChainFailure::SignatureMismatch,
        },
        E::CertExpired { not_after, .. } => ValidationError::Expired {
            serial,
            not_after: unix(not_after),
            at,
        },
        E::CertNotValidYet { not_before, .. } => ValidationError::NotYetValid {
            serial,
            not_before: unix(not_before),
            at,
        },
        E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            ValidationError::ExtendedKeyUsageNotForSigning { serial }
        }
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::SignatureAlgorithmMismatch => ValidationError::CryptoConstraint {
            serial,
            detail: format!("{error:?}"),
        },
        E::CaUsedAsEndEntity
        | E::EndEntityUsedAsCa
        | E::PathLenConstraintViolated
        | E::NameConstraintViolation
        | E::UnsupportedCriticalExtension
        | E::CertDistrusted => ValidationError::ChainConstraint {
            serial,
            detail: format!("{error:?}"),
        },
        E::BadDer
        | E::BadDerTime
        | E::TrailingData(_)
        | E::UnsupportedCertVersion
        | E::ExtensionValueInvalid => ValidationError::Malformed {
            detail: format!("{error:?}"),
        },
        other => ValidationError::ChainGeneral {
            serial,
            detail: format!("{other:?}"),
        },
    }
}
