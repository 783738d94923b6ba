//! The applicant's signature: DER CMS SignedData (RFC 5652), detached, over
//! the exact bytes of the manifest.
//!
//! Accepted as OpenSSL (`openssl cms -sign -binary -outform DER -md sha256`)
//! and Python `cryptography`'s PKCS7 signer make it: with or without signed
//! attributes; with them, `contentType` must be id-data and `messageDigest`
//! the manifest's digest, and `signingTime` is reported but never trusted
//! (the gateway's receipt time is the time of validation). Algorithms: RSA
//! PKCS#1 v1.5 (OpenSSL writes plain `rsaEncryption` as the signature
//! algorithm), RSA-PSS with MGF1 of the same hash and a salt of the hash's
//! length, ECDSA P-256/P-384; digests SHA-256/384/512. Parsing is RustCrypto
//! `cms`; every signature is verified with ring.
//!
//! The signer's certificate is then validated by [`certs`] at the
//! verification time, giving the ETSI EN 319 102-1 grade of the signature.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use formats::Problem;
use rustls_pki_types::CertificateDer;
use serde::Serialize;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::spki::AlgorithmIdentifierOwned;

use certs::{
    HolderAttributes, Indication, RevocationData, SubIndication, TrustStore, ValidationError,
};

use crate::codes::VerifierCode;
use crate::manifest::SIGNATURE_PART;

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const ID_MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ID_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// What the report says about one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// TOTAL-PASSED / INDETERMINATE / TOTAL-FAILED.
    pub indication: Indication,
    /// Why, when not TOTAL-PASSED: the ETSI sub-indication, or one of the
    /// signature-level ones this module adds (see [`SignatureSubIndication`]).
    pub sub_indication: Option<SignatureSubIndication>,
    /// Digest algorithm (`sha256` …).
    pub digest_algorithm: Option<&'static str>,
    /// Signature algorithm (`rsa-pkcs1`, `rsa-pss`, `ecdsa-p256` …).
    pub signature_algorithm: Option<&'static str>,
    /// Whether the signature covers signed attributes.
    pub signed_attributes: bool,
    /// The signingTime attribute as claimed by the signer: reported, not trusted.
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_signing_time: Option<OffsetDateTime>,
    /// The signer's certificate, when found.
    pub signer: Option<SignerSummary>,
    /// The time the certificate was validated at (the receipt time).
    #[serde(with = "time::serde::rfc3339")]
    pub validated_at: OffsetDateTime,
}

/// Sub-indications of a signature: the certificate's, or those found at the
/// signature level (ETSI EN 319 102-1 §5.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SignatureSubIndication {
    /// FORMAT_FAILURE: the CMS is not parsable or not as the contract says.
    FormatFailure,
    /// HASH_FAILURE: the signed digest does not match the data.
    HashFailure,
    /// SIG_CRYPTO_FAILURE: the signature value does not verify.
    SigCryptoFailure,
    /// NO_SIGNING_CERTIFICATE_FOUND: the signer's certificate is not in the CMS.
    NoSigningCertificateFound,
    /// CRYPTO_CONSTRAINTS_FAILURE: an algorithm is not accepted.
    CryptoConstraintsFailure,
    /// A sub-indication from the validation of the signer's certificate.
    #[serde(untagged)]
    Certificate(SubIndication),
}

/// The signer's certificate as the clerk needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerSummary {
    /// Serial number, hex.
    pub serial: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Subject distinguished name (the CN is an identifier, not the name).
    pub subject: String,
    /// notBefore.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// notAfter.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// The certificate policy the anchor vouched for, when validated.
    pub policy: Option<String>,
    /// 基本4情報 from subjectAltName, when readable.
    pub holder: Option<HolderAttributes>,
}

/// The outcome of checking the signature part.
#[derive(Debug, Clone)]
pub struct SignatureCheck {
    /// The report of the (single) signature.
    pub report: SignatureReport,
    /// Problems found (errors, and the TRY_LATER warning).
    pub problems: Vec<Problem>,
    /// The signer's holder attributes, for the identity binding, when the
    /// signature itself verified (even if the certificate could not yet be
    /// validated, e.g. TRY_LATER).
    pub holder: Option<HolderAttributes>,
}

fn problem(code: VerifierCode, ja: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::new(code, SIGNATURE_PART, ja, en)
}

fn digest_alg(oid: ObjectIdentifier) -> Option<(&'static ring::digest::Algorithm, &'static str)> {
    Some(match oid {
        o if o == ID_SHA256 => (&ring::digest::SHA256, "sha256"),
        o if o == ID_SHA384 => (&ring::digest::SHA384, "sha384"),
        o if o == ID_SHA512 => (&ring::digest::SHA512, "sha512"),
        _ => return None,
    })
}

#[derive(der::Sequence)]
struct RsaPssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// The ring algorithm for a signature algorithm, digest and key.
fn verification_algorithm(
    sig_alg: &AlgorithmIdentifierOwned,
    digest: ObjectIdentifier,
    spki_alg: &AlgorithmIdentifierOwned,
) -> Option<(
    &'static dyn ring::signature::VerificationAlgorithm,
    &'static str,
)> {
    use ring::signature as s;
    let oid = sig_alg.oid;
    let rsa_key = spki_alg.oid == RSA_ENCRYPTION;
    if rsa_key
        && (oid == RSA_ENCRYPTION
            || oid == SHA256_WITH_RSA
            || oid == SHA384_WITH_RSA
            || oid == SHA512_WITH_RSA)
    {
        // The algorithm's own hash, when it names one, must be the digest algorithm.
        let named = match oid {
            o if o == SHA256_WITH_RSA => Some(ID_SHA256),
            o if o == SHA384_WITH_RSA => Some(ID_SHA384),
            o if o == SHA512_WITH_RSA => Some(ID_SHA512),
            _ => None,
        };
        if named.is_some_and(|n| n != digest) {
            return None;
        }
        return Some(match digest {
            d if d == ID_SHA256 => (&s::RSA_PKCS1_2048_8192_SHA256, "rsa-pkcs1"),
            d if d == ID_SHA384 => (&s::RSA_PKCS1_2048_8192_SHA384, "rsa-pkcs1"),
            d if d == ID_SHA512 => (&s::RSA_PKCS1_2048_8192_SHA512, "rsa-pkcs1"),
            _ => return None,
        });
    }
    if (rsa_key || spki_alg.oid == RSASSA_PSS) && oid == RSASSA_PSS {
        let params = RsaPssParams::from_der(&sig_alg.parameters.as_ref()?.to_der().ok()?).ok()?;
        let hash = params.hash?.oid;
        let mgf = params.mask_gen?;
        let mgf_hash = AlgorithmIdentifierOwned::from_der(&mgf.parameters?.to_der().ok()?)
            .ok()?
            .oid;
        let (alg, len): (&'static dyn s::VerificationAlgorithm, u32) = match hash {
            h if h == ID_SHA256 => (&s::RSA_PSS_2048_8192_SHA256, 32),
            h if h == ID_SHA384 => (&s::RSA_PSS_2048_8192_SHA384, 48),
            h if h == ID_SHA512 => (&s::RSA_PSS_2048_8192_SHA512, 64),
            _ => return None,
        };
        let trailer_ok = params.trailer_field.is_none_or(|t| t == 1);
        return (hash == digest
            && mgf.oid == ID_MGF1
            && mgf_hash == hash
            && params.salt_length == Some(len)
            && trailer_ok)
            .then_some((alg, "rsa-pss"));
    }
    if spki_alg.oid == ID_EC_PUBLIC_KEY {
        let curve = spki_alg
            .parameters
            .as_ref()?
            .decode_as::<ObjectIdentifier>()
            .ok()?;
        let hash = match oid {
            o if o == ECDSA_WITH_SHA256 => ID_SHA256,
            o if o == ECDSA_WITH_SHA384 => ID_SHA384,
            o if o == ID_EC_PUBLIC_KEY => digest,
            _ => return None,
        };
        if hash != digest {
            return None;
        }
        return Some(match (curve, hash) {
            (c, h) if c == SECP256R1 && h == ID_SHA256 => {
                (&s::ECDSA_P256_SHA256_ASN1, "ecdsa-p256")
            }
            (c, h) if c == SECP256R1 && h == ID_SHA384 => {
                (&s::ECDSA_P256_SHA384_ASN1, "ecdsa-p256")
            }
            (c, h) if c == SECP384R1 && h == ID_SHA256 => {
                (&s::ECDSA_P384_SHA256_ASN1, "ecdsa-p384")
            }
            (c, h) if c == SECP384R1 && h == ID_SHA384 => {
                (&s::ECDSA_P384_SHA384_ASN1, "ecdsa-p384")
            }
            _ => return None,
        });
    }
    None
}

fn subject_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == ID_SUBJECT_KEY_IDENTIFIER)
        .and_then(|e| OctetString::from_der(e.extn_value.as_bytes()).ok())
        .map(|o| o.as_bytes().to_vec())
}

fn find_signer<'c>(sid: &SignerIdentifier, certs: &'c [Certificate]) -> Option<&'c Certificate> {
    certs.iter().find(|c| match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate.issuer == ias.issuer
                && c.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            subject_key_identifier(c).is_some_and(|k| k == ski.0.as_bytes())
        }
    })
}

fn to_offset(t: x509_cert::time::Time) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(t.to_unix_duration().as_secs()).ok()?).ok()
}

fn summary(
    cert: &Certificate,
    policy: Option<String>,
    holder: Option<HolderAttributes>,
) -> Option<SignerSummary> {
    let v = &cert.tbs_certificate.validity;
    Some(SignerSummary {
        serial: hex::encode(cert.tbs_certificate.serial_number.as_bytes()),
        issuer: cert.tbs_certificate.issuer.to_string(),
        subject: cert.tbs_certificate.subject.to_string(),
        not_before: to_offset(v.not_before)?,
        not_after: to_offset(v.not_after)?,
        policy,
        holder,
    })
}

/// Checks the signature part over `manifest` and validates the signer's
/// certificate at `at`.
pub fn check_signature(
    signature: &[u8],
    manifest: &[u8],
    store: &TrustStore,
    revocation: &RevocationData,
    at: OffsetDateTime,
) -> SignatureCheck {
    let mut report = SignatureReport {
        indication: Indication::TotalFailed,
        sub_indication: Some(SignatureSubIndication::FormatFailure),
        digest_algorithm: None,
        signature_algorithm: None,
        signed_attributes: false,
        claimed_signing_time: None,
        signer: None,
        validated_at: at,
    };
    let fail = |report: &mut SignatureReport, indication, sub, p: Problem| SignatureCheck {
        report: {
            report.indication = indication;
            report.sub_indication = Some(sub);
            report.clone()
        },
        problems: vec![p],
        holder: None,
    };
    let format_failure = |en: &str| {
        problem(
            VerifierCode::SignatureMalformed,
            "署名がCMS SignedData(DER)として読めません。",
            format!("The signature is not DER CMS SignedData: {en}."),
        )
    };

    let signed_data = match ContentInfo::from_der(signature) {
        Ok(ci) if ci.content_type == ID_SIGNED_DATA => match ci.content.decode_as::<SignedData>() {
            Ok(sd) => sd,
            Err(e) => {
                return fail(
                    &mut report,
                    Indication::TotalFailed,
                    SignatureSubIndication::FormatFailure,
                    format_failure(&e.to_string()),
                );
            }
        },
        Ok(_) => {
            return fail(
                &mut report,
                Indication::TotalFailed,
                SignatureSubIndication::FormatFailure,
                format_failure("content type is not signedData"),
            );
        }
        Err(e) => {
            return fail(
                &mut report,
                Indication::TotalFailed,
                SignatureSubIndication::FormatFailure,
                format_failure(&e.to_string()),
            );
        }
    };
    if signed_data.encap_content_info.econtent.is_some()
        || signed_data.encap_content_info.econtent_type != ID_DATA
    {
        return fail(
            &mut report,
            Indication::TotalFailed,
            SignatureSubIndication::FormatFailure,
            problem(
                VerifierCode::SignatureNotDetached,
                "署名はマニフェストに対する分離署名(detached)でなければなりません。",
                "The signature must be detached over the manifest (id-data, no encapsulated content).",
            ),
        );
    }
    let signers: Vec<&SignerInfo> = signed_data.signer_infos.0.iter().collect();
    let [signer] = signers.as_slice() else {
        return fail(
            &mut report,
            Indication::TotalFailed,
            SignatureSubIndication::FormatFailure,
            problem(
                VerifierCode::SignatureSignerCount,
                format!("署名者は1人でなければなりません({}人)。", signers.len()),
                format!(
                    "The signature must have exactly one signer (found {}).",
                    signers.len()
                ),
            ),
        );
    };
    let certificates: Vec<Certificate> = signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let Some(signer_cert) = find_signer(&signer.sid, &certificates) else {
        return fail(
            &mut report,
            Indication::Indeterminate,
            SignatureSubIndication::NoSigningCertificateFound,
            problem(
                VerifierCode::SignatureCertificateMissing,
                "署名に署名者の電子証明書が含まれていません。",
                "The signer's certificate is not included in the signature.",
            ),
        );
    };
    let holder = certs::holder_attributes(&signer_cert.to_der().unwrap_or_default()).ok();
    report.signer = summary(signer_cert, None, holder.clone());

    let Some((digest_alg, digest_name)) = digest_alg(signer.digest_alg.oid) else {
        return fail(
            &mut report,
            Indication::Indeterminate,
            SignatureSubIndication::CryptoConstraintsFailure,
            problem(
                VerifierCode::SignatureAlgorithmUnsupported,
                format!(
                    "ダイジェストアルゴリズム {} は使えません(SHA-256/384/512)。",
                    signer.digest_alg.oid
                ),
                format!(
                    "Digest algorithm {} is not accepted (SHA-256/384/512).",
                    signer.digest_alg.oid
                ),
            ),
        );
    };
    report.digest_algorithm = Some(digest_name);
    let spki = &signer_cert.tbs_certificate.subject_public_key_info;
    let Some((algorithm, algorithm_name)) = verification_algorithm(
        &signer.signature_algorithm,
        signer.digest_alg.oid,
        &spki.algorithm,
    ) else {
        return fail(
            &mut report,
            Indication::Indeterminate,
            SignatureSubIndication::CryptoConstraintsFailure,
            problem(
                VerifierCode::SignatureAlgorithmUnsupported,
                format!(
                    "署名アルゴリズム {} はこの鍵では使えません。",
                    signer.signature_algorithm.oid
                ),
                format!(
                    "Signature algorithm {} is not accepted with this key.",
                    signer.signature_algorithm.oid
                ),
            ),
        );
    };
    report.signature_algorithm = Some(algorithm_name);

    let content_digest = ring::digest::digest(digest_alg, manifest);
    let signed_bytes: Vec<u8> = match &signer.signed_attrs {
        None => manifest.to_vec(),
        Some(attrs) => {
            report.signed_attributes = true;
            let mut content_type_ok = false;
            let mut digest_ok = false;
            for attr in attrs.iter() {
                let single = if attr.values.len() == 1 {
                    attr.values.get(0)
                } else {
                    None
                };
                match attr.oid {
                    o if o == ID_CONTENT_TYPE => {
                        content_type_ok = single
                            .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
                            == Some(ID_DATA);
                    }
                    o if o == ID_MESSAGE_DIGEST => {
                        digest_ok = single
                            .and_then(|v| v.decode_as::<OctetString>().ok())
                            .is_some_and(|d| d.as_bytes() == content_digest.as_ref());
                    }
                    o if o == ID_SIGNING_TIME => {
                        report.claimed_signing_time = single
                            .and_then(|v| v.to_der().ok())
                            .and_then(|d| x509_cert::time::Time::from_der(&d).ok())
                            .and_then(to_offset);
                    }
                    _ => {}
                }
            }
            if !(content_type_ok && digest_ok) {
                return fail(
                    &mut report,
                    Indication::TotalFailed,
                    SignatureSubIndication::HashFailure,
                    problem(
                        VerifierCode::SignatureMessageDigestMismatch,
                        "署名されたダイジェストがマニフェストと一致しません。",
                        "The signed messageDigest/contentType attributes do not match the manifest.",
                    ),
                );
            }
            match attrs.to_der() {
                Ok(der) => der,
                Err(e) => {
                    return fail(
                        &mut report,
                        Indication::TotalFailed,
                        SignatureSubIndication::FormatFailure,
                        format_failure(&e.to_string()),
                    );
                }
            }
        }
    };
    let public_key = spki.subject_public_key.raw_bytes();
    if ring::signature::UnparsedPublicKey::new(algorithm, public_key)
        .verify(&signed_bytes, signer.signature.as_bytes())
        .is_err()
    {
        return fail(
            &mut report,
            Indication::TotalFailed,
            SignatureSubIndication::SigCryptoFailure,
            problem(
                VerifierCode::SignatureInvalid,
                "署名の検証に失敗しました。マニフェストまたは署名が改変されています。",
                "The signature value does not verify: the manifest or the signature was altered.",
            ),
        );
    }

    // The signature is mathematically sound: now the certificate.
    let end_entity = signer_cert.to_der().unwrap_or_default();
    let presented: Vec<CertificateDer<'static>> = certificates
        .iter()
        .filter(|c| *c != signer_cert)
        .filter_map(|c| c.to_der().ok())
        .map(CertificateDer::from)
        .collect();
    match certs::validate_signing_certificate(store, revocation, &end_entity, &presented, at) {
        Ok(valid) => {
            report.indication = Indication::TotalPassed;
            report.sub_indication = None;
            if let Some(s) = report.signer.as_mut() {
                s.policy = Some(valid.policy.as_str().to_owned());
            }
            SignatureCheck {
                report,
                problems: Vec::new(),
                holder: Some(valid.holder),
            }
        }
        Err(e) => {
            let sub = e.sub_indication();
            report.indication = e.indication();
            report.sub_indication = Some(SignatureSubIndication::Certificate(sub));
            SignatureCheck {
                report,
                problems: vec![certificate_problem(&e)],
                holder,
            }
        }
    }
}

fn certificate_problem(e: &ValidationError) -> Problem {
    let (code, ja) = match e.sub_indication() {
        SubIndication::NoCertificateChainFound => (
            VerifierCode::SignatureUntrusted,
            "署名用電子証明書が信頼できる認証局(J-LIS)のものではありません。",
        ),
        SubIndication::Revoked => (
            VerifierCode::SignatureRevoked,
            "署名用電子証明書は失効しています(氏名・住所の変更やカードの更新で失効します)。新しい証明書で署名し直してください。",
        ),
        SubIndication::Expired => (
            VerifierCode::SignatureExpired,
            "署名用電子証明書の有効期限が切れています。更新した証明書で署名し直してください。",
        ),
        SubIndication::NotYetValid => (
            VerifierCode::SignatureNotYetValid,
            "署名用電子証明書の有効期間が始まっていません。",
        ),
        SubIndication::ChainConstraintsFailure => (
            VerifierCode::SignatureProfile,
            "電子証明書が署名用電子証明書の要件(鍵用途・証明書ポリシー)を満たしていません。",
        ),
        SubIndication::TryLater => (
            VerifierCode::SignatureRevocationUnavailable,
            "失効情報を確認できないため、届出を保留し、確認でき次第あらためて検証します。",
        ),
        _ => (
            VerifierCode::SignatureCertificateInvalid,
            "署名用電子証明書を検証できませんでした。",
        ),
    };
    Problem::new(code, SIGNATURE_PART, ja, e.to_string())
}
