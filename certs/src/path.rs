//! 自前の経路検証 — path validation for certificates that rustls-webpki
//! refuses only because their certificatePolicies extension is critical.
//!
//! The J-LIS signing-certificate profile marks certificatePolicies critical
//! (プロファイル 3.2), and webpki, which implements no policy processing,
//! rejects every certificate with a critical extension it does not know.
//! This crate does process policies (the anchor must vouch for the
//! end-entity policy), so for exactly that case it builds and checks the
//! path itself, with the same rules webpki applies: issuers chosen by name
//! and signature (so same-name CA generations work), validity of every
//! certificate below the anchor, basicConstraints and pathLenConstraint,
//! keyCertSign on CAs, the signing EKU rule on every certificate, and no
//! other unknown critical extension. Name constraints are not implemented
//! here, so a path that carries them is refused rather than half-checked.

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

use crate::der::{self, Reader, tag};
use crate::revocation::{SUPPORTED_ALGORITHMS, verify_signed_data};
use crate::trust_store::{PolicyOid, TrustStore};

/// Critical extensions this path validator understands.
const UNDERSTOOD_CRITICAL: &[&str] = &[
    "2.5.29.15", // keyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.19", // basicConstraints
    "2.5.29.32", // certificatePolicies (checked against the anchor)
    "2.5.29.37", // extKeyUsage
];
const NAME_CONSTRAINTS: &str = "2.5.29.30";
const MAX_DEPTH: usize = 6;
const MAX_SIGNATURE_CHECKS: u32 = 100;

/// Why no acceptable path was found; the validation module turns this into
/// a [`crate::ValidationError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathError {
    UnknownIssuer,
    SignatureMismatch,
    Expired { not_after: OffsetDateTime },
    NotYetValid { not_before: OffsetDateTime },
    Constraint(String),
    ExtendedKeyUsage,
    Crypto(String),
    Policy { allowed: Vec<String> },
}

impl PathError {
    /// Which error to report when several candidate paths fail: the one that
    /// got furthest wins.
    fn rank(&self) -> u8 {
        match self {
            PathError::UnknownIssuer => 1,
            PathError::SignatureMismatch => 2,
            PathError::Expired { .. }
            | PathError::NotYetValid { .. }
            | PathError::Constraint(_)
            | PathError::ExtendedKeyUsage
            | PathError::Crypto(_) => 3,
            PathError::Policy { .. } => 4,
        }
    }
}

/// A path found to a trust anchor.
#[derive(Debug)]
pub(crate) struct FoundPath {
    /// End entity first, anchor certificate last.
    pub(crate) chain: Vec<Vec<u8>>,
    /// SubjectPublicKeyInfo (DER) of the end entity's issuer.
    pub(crate) issuer_spki: Vec<u8>,
    /// The policy the anchor vouched for.
    pub(crate) policy: PolicyOid,
}

struct Candidate<'a> {
    der: &'a [u8],
    cert: X509Certificate<'a>,
    /// Index into the store's anchors, if a trust anchor.
    anchor: Option<usize>,
}

struct Search<'a, 'b> {
    store: &'b TrustStore,
    candidates: Vec<Candidate<'a>>,
    ee_policies: &'b [String],
    at: OffsetDateTime,
    budget: u32,
    worst: Option<PathError>,
}

/// Builds and checks a path for `end_entity` (already parsed as `ee`).
pub(crate) fn build_path(
    store: &TrustStore,
    presented: &[&[u8]],
    end_entity: &[u8],
    ee: &X509Certificate<'_>,
    ee_policies: &[String],
    at: OffsetDateTime,
) -> Result<FoundPath, PathError> {
    check_certificate(ee, None, at)?;
    let mut candidates = Vec::new();
    for (index, anchor) in store.anchor_policies.iter().enumerate() {
        if let Ok((_, cert)) = x509_parser::parse_x509_certificate(anchor.certificate.as_ref()) {
            candidates.push(Candidate {
                der: anchor.certificate.as_ref(),
                cert,
                anchor: Some(index),
            });
        }
    }
    for der in store
        .intermediates
        .iter()
        .map(|c| c.as_ref())
        .chain(presented.iter().copied())
    {
        if let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) {
            candidates.push(Candidate {
                der,
                cert,
                anchor: None,
            });
        }
    }
    let mut search = Search {
        store,
        candidates,
        ee_policies,
        at,
        budget: MAX_SIGNATURE_CHECKS,
        worst: None,
    };
    let mut path = Vec::new();
    match search.extend(end_entity, ee, &mut path) {
        Some(mut found) => {
            found.chain.insert(0, end_entity.to_vec());
            Ok(found)
        }
        None => Err(search.worst.unwrap_or(PathError::UnknownIssuer)),
    }
}

impl<'a> Search<'a, '_> {
    fn record(&mut self, error: PathError) {
        if self.worst.as_ref().is_none_or(|w| error.rank() > w.rank()) {
            self.worst = Some(error);
        }
    }

    /// Tries every issuer of `child`; `path` holds the candidate indexes of
    /// the intermediates already below.
    fn extend(
        &mut self,
        child_der: &[u8],
        child: &X509Certificate<'_>,
        path: &mut Vec<usize>,
    ) -> Option<FoundPath> {
        let issuer_name = child.issuer().as_raw();
        let indexes: Vec<usize> = (0..self.candidates.len())
            .filter(|i| !path.contains(i))
            .filter(|&i| {
                self.candidates
                    .get(i)
                    .is_some_and(|c| c.cert.subject().as_raw() == issuer_name)
            })
            .collect();
        if indexes.is_empty() {
            self.record(PathError::UnknownIssuer);
            return None;
        }
        for index in indexes {
            if self.budget == 0 {
                self.record(PathError::Constraint(
                    "MaximumSignatureChecksExceeded".to_owned(),
                ));
                return None;
            }
            self.budget -= 1;
            let (candidate_der, anchor, spki) = match self.candidates.get(index) {
                Some(c) => (c.der, c.anchor, c.cert.public_key().raw.to_vec()),
                None => continue,
            };
            if let Err(e) = check_signature(child_der, &spki) {
                self.record(e);
                continue;
            }
            if let Some(anchor_index) = anchor {
                match self.check_policy(anchor_index, path) {
                    Ok(policy) => {
                        return Some(FoundPath {
                            chain: vec![candidate_der.to_vec()],
                            issuer_spki: spki,
                            policy,
                        });
                    }
                    Err(e) => {
                        self.record(e);
                        continue;
                    }
                }
            }
            if path.len() + 1 >= MAX_DEPTH {
                self.record(PathError::Constraint("MaximumPathDepthExceeded".to_owned()));
                continue;
            }
            let checked = match self.candidates.get(index) {
                Some(c) => check_certificate(&c.cert, Some(path.len()), self.at),
                None => continue,
            };
            if let Err(e) = checked {
                self.record(e);
                continue;
            }
            path.push(index);
            // Re-borrow the candidate for the recursive step.
            let found = match self.candidates.get(index) {
                Some(c) => {
                    let der = c.der;
                    let parsed = x509_parser::parse_x509_certificate(der)
                        .ok()
                        .map(|(_, cert)| cert);
                    parsed.and_then(|cert| self.extend(der, &cert, path))
                }
                None => None,
            };
            path.pop();
            if let Some(mut found) = found {
                // `found.chain` lists the certificates above `candidate`; put it first.
                found.chain.insert(0, candidate_der.to_vec());
                // The issuer of `child` is `candidate`.
                found.issuer_spki = spki;
                return Some(found);
            }
        }
        None
    }

    /// RFC 5280 6.1 in the form webpki's callback uses: the policy must be
    /// one the anchor vouches for, asserted by the end entity and by every
    /// CA below the anchor (or anyPolicy there).
    fn check_policy(&self, anchor_index: usize, path: &[usize]) -> Result<PolicyOid, PathError> {
        let allowed = self
            .store
            .anchor_policies
            .get(anchor_index)
            .map(|a| a.policies.as_slice())
            .unwrap_or_default();
        let found = allowed.iter().find(|p| {
            self.ee_policies.iter().any(|e| e == p.as_str())
                && path.iter().all(|&i| {
                    self.candidates.get(i).is_some_and(|c| {
                        crate::validation::policies_of(&c.cert)
                            .iter()
                            .any(|o| o == p.as_str() || o == PolicyOid::ANY_POLICY.as_str())
                    })
                })
        });
        found.cloned().ok_or_else(|| PathError::Policy {
            allowed: allowed.iter().map(|p| p.to_string()).collect(),
        })
    }
}

/// Checks `child_der`'s signature with the issuer's SubjectPublicKeyInfo.
fn check_signature(child_der: &[u8], issuer_spki: &[u8]) -> Result<(), PathError> {
    let malformed = |_| PathError::Constraint("certificate structure".to_owned());
    let certificate = der::read_single(child_der, tag::SEQUENCE).map_err(malformed)?;
    let mut outer = Reader::new(certificate.content);
    let tbs = outer.read(tag::SEQUENCE).map_err(malformed)?;
    let algorithm = outer.read(tag::SEQUENCE).map_err(malformed)?;
    let signature = outer.read(tag::BIT_STRING).map_err(malformed)?;
    let mut fields = Reader::new(tbs.content);
    fields
        .read_optional(tag::CONTEXT_0_CONSTRUCTED)
        .map_err(malformed)?;
    fields.read(tag::INTEGER).map_err(malformed)?;
    let inner_algorithm = fields.read(tag::SEQUENCE).map_err(malformed)?;
    if inner_algorithm.raw != algorithm.raw {
        return Err(PathError::Crypto("SignatureAlgorithmMismatch".to_owned()));
    }
    if !SUPPORTED_ALGORITHMS
        .iter()
        .any(|a| a.signature_alg_id().as_ref() == algorithm.content)
    {
        return Err(PathError::Crypto(
            "unsupported signature algorithm".to_owned(),
        ));
    }
    let Some((0, bits)) = signature.content.split_first() else {
        return Err(PathError::SignatureMismatch);
    };
    if verify_signed_data(issuer_spki, algorithm.content, tbs.raw, bits) {
        Ok(())
    } else {
        Err(PathError::SignatureMismatch)
    }
}

/// Checks one certificate below the anchor. `intermediates_below` is `None`
/// for the end entity, or the number of CA certificates between this CA and
/// the end entity.
fn check_certificate(
    cert: &X509Certificate<'_>,
    intermediates_below: Option<usize>,
    at: OffsetDateTime,
) -> Result<(), PathError> {
    let validity = cert.validity();
    let not_before = validity.not_before.to_datetime();
    let not_after = validity.not_after.to_datetime();
    if at < not_before {
        return Err(PathError::NotYetValid { not_before });
    }
    if at > not_after {
        return Err(PathError::Expired { not_after });
    }
    for ext in cert.extensions() {
        let oid = ext.oid.to_id_string();
        if oid == NAME_CONSTRAINTS {
            return Err(PathError::Constraint(
                "name constraints are not supported on this path".to_owned(),
            ));
        }
        if ext.critical && !UNDERSTOOD_CRITICAL.contains(&oid.as_str()) {
            return Err(PathError::Constraint(
                "UnsupportedCriticalExtension".to_owned(),
            ));
        }
        let unparsed = matches!(
            ext.parsed_extension(),
            ParsedExtension::UnsupportedExtension { .. } | ParsedExtension::ParseError { .. }
        );
        // subjectAltName is the holder-attribute parser's to judge.
        if unparsed && UNDERSTOOD_CRITICAL.contains(&oid.as_str()) && oid != "2.5.29.17" {
            return Err(PathError::Constraint(format!(
                "extension {oid} is malformed"
            )));
        }
    }
    let basic = cert
        .basic_constraints()
        .map_err(|_| PathError::Constraint("basicConstraints malformed".to_owned()))?
        .map(|b| (b.value.ca, b.value.path_len_constraint));
    match intermediates_below {
        None => {
            if basic.is_some_and(|(ca, _)| ca) {
                return Err(PathError::Constraint("CaUsedAsEndEntity".to_owned()));
            }
        }
        Some(below) => {
            let Some((_, path_len)) = basic.filter(|(ca, _)| *ca) else {
                return Err(PathError::Constraint("EndEntityUsedAsCa".to_owned()));
            };
            if path_len.is_some_and(|n| usize::try_from(n).is_ok_and(|n| below > n)) {
                return Err(PathError::Constraint(
                    "PathLenConstraintViolated".to_owned(),
                ));
            }
            let key_usage = cert
                .key_usage()
                .map_err(|_| PathError::Constraint("keyUsage malformed".to_owned()))?;
            if key_usage.is_some_and(|ku| !ku.value.key_cert_sign()) {
                return Err(PathError::Constraint(
                    "CA keyUsage lacks keyCertSign".to_owned(),
                ));
            }
        }
    }
    let eku = cert
        .extended_key_usage()
        .map_err(|_| PathError::ExtendedKeyUsage)?;
    if let Some(eku) = eku {
        let eku = eku.value;
        let allowed = eku.any
            || eku.email_protection
            || eku.other.iter().any(|oid| {
                let text = oid.to_id_string();
                crate::validation::SIGNING_EKU_TEXT.contains(&text.as_str())
            });
        if !allowed {
            return Err(PathError::ExtendedKeyUsage);
        }
    }
    Ok(())
}
