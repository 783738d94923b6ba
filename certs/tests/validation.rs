//! Every validation case of the JPKI signing-certificate profile, against the
//! committed dev-PKI fixtures, at the fixtures' fixed reference time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use certs::rcgen::{self, CustomExtension, ExtendedKeyUsagePurpose, KeyPair};
use certs::{
    ChainFailure, DevCert, DevPki, DevPkiOptions, HolderAttribute, HolderAttributeError,
    Indication, PolicyOid, RevocationData, RevocationReason, SubIndication, TrustStore,
    UnknownStatus, ValidationError, encode_holder_san, generate_dev_pki, grade,
    validate_signing_certificate,
};
use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime, macros::datetime};

const AT: OffsetDateTime = DevPkiOptions::FIXTURE_TIME;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(relative: &str) -> Vec<u8> {
    let path = fixtures().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} missing: {e}", path.display()))
}

/// The store a gateway would configure from the fixture files.
fn store() -> TrustStore {
    let mut store = TrustStore::new();
    let dir = fixtures().join("jpki");
    assert_eq!(
        store
            .load_anchors(&dir.join("root-g1.pem"), &[PolicyOid::JPKI_TEST])
            .expect("root g1"),
        1
    );
    assert_eq!(
        store
            .load_anchors(&dir.join("root-g2.der"), &[PolicyOid::JPKI_TEST])
            .expect("root g2"),
        1
    );
    assert_eq!(
        store
            .load_intermediates(&dir.join("signing-ca-g1.pem"))
            .expect("ca g1"),
        1
    );
    assert_eq!(
        store
            .load_intermediates(&dir.join("signing-ca-g2.der"))
            .expect("ca g2"),
        1
    );
    store
}

fn crls() -> RevocationData {
    let mut data = RevocationData::new();
    let dir = fixtures().join("jpki");
    assert_eq!(
        data.load(&dir.join("signing-ca-g1.crl.pem"))
            .expect("crl g1"),
        1
    );
    assert_eq!(
        data.load(&dir.join("signing-ca-g2.crl.der"))
            .expect("crl g2"),
        1
    );
    data
}

fn serial_of(stem: &str) -> String {
    let manifest: serde_json::Value = serde_json::from_slice(&read("pki.json")).expect("manifest");
    manifest["certificates"]
        .as_array()
        .expect("certificates")
        .iter()
        .find(|c| c["files"]["certificate_der"] == format!("{stem}.der"))
        .and_then(|c| c["serial"].as_str())
        .expect("serial in manifest")
        .to_owned()
}

fn validate(
    stem: &str,
    at: OffsetDateTime,
) -> Result<certs::ValidatedSigningCertificate, ValidationError> {
    validate_signing_certificate(&store(), &crls(), &read(&format!("{stem}.der")), &[], at)
}

/// In-memory PKI with the fixture seed and time, for certificates the fixed
/// set lacks; generated once per test binary.
fn pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| generate_dev_pki(&DevPkiOptions::fixture()).expect("dev PKI generates"))
}

fn assert_grade(
    outcome: &Result<certs::ValidatedSigningCertificate, ValidationError>,
    indication: Indication,
    sub: Option<SubIndication>,
) {
    assert_eq!(grade(outcome), (indication, sub), "{outcome:?}");
}

#[test]
fn valid_notifier_passes_with_exact_holder_attributes() {
    let outcome = validate("jpki/notifier", AT);
    assert_grade(&outcome, Indication::TotalPassed, None);
    let valid = outcome.expect("valid");
    assert_eq!(valid.holder.name, "𠮷田\u{3000}\u{FA45}斗");
    assert!(
        valid.holder.name.contains('\u{FA45}'),
        "compatibility ideograph must not be normalized to U+6D77"
    );
    assert!(!valid.holder.name.contains('\u{6D77}'));
    assert_eq!(valid.holder.name.chars().next(), Some('\u{20BB7}'));
    assert_eq!(valid.holder.sex, certs::Sex::Male);
    assert_eq!(valid.holder.birth_date.era, certs::Era::Heisei);
    assert_eq!(
        valid.holder.birth_date.date,
        time::macros::date!(1990 - 04 - 15)
    );
    assert_eq!(valid.holder.address, "東京都新宿区北新宿二丁目３番４号");
    assert_eq!(valid.holder.name_substitute_flags, "");
    assert_eq!(valid.holder.address_substitute_flags, "");
    assert_eq!(valid.serial.to_string(), serial_of("jpki/notifier"));
    assert_eq!(
        valid.identifier,
        format!("DEV{}", serial_of("jpki/notifier").to_uppercase())
    );
    assert_eq!(valid.policy, PolicyOid::JPKI_TEST);
    assert_eq!(valid.not_before, AT - Duration::days(90));
    assert_eq!(valid.crl_this_update, AT - Duration::days(1));
    assert_eq!(valid.crl_next_update, AT + Duration::days(30));
    assert_eq!(valid.chain.len(), 3);
    assert_eq!(valid.chain[1].as_ref(), read("jpki/signing-ca-g1.der"));
    assert_eq!(valid.chain[2].as_ref(), read("jpki/root-g1.der"));
}

#[test]
fn second_generation_with_the_same_names_is_chosen_by_signature() {
    let g1 = read("jpki/root-g1.der");
    let g2 = read("jpki/root-g2.der");
    let subject = |der: &[u8]| {
        let (_, cert) = x509_parser::parse_x509_certificate(der).expect("parses");
        cert.subject().as_raw().to_vec()
    };
    assert_eq!(
        subject(&g1),
        subject(&g2),
        "the generations must share one subject name"
    );
    assert_eq!(
        subject(&read("jpki/signing-ca-g1.der")),
        subject(&read("jpki/signing-ca-g2.der"))
    );

    let valid = validate("jpki/notifier-g2", AT).expect("g2 notifier valid");
    assert_eq!(valid.holder.name, "佐藤\u{3000}太郎");
    assert_eq!(valid.chain[1].as_ref(), read("jpki/signing-ca-g2.der"));
    assert_eq!(valid.chain[2].as_ref(), g2);

    // With only generation 1 trusted, the generation 2 notifier has no chain.
    let mut only_g1 = TrustStore::new();
    only_g1
        .add_anchor(&g1, &[PolicyOid::JPKI_TEST])
        .expect("anchor");
    only_g1
        .add_intermediate(&read("jpki/signing-ca-g1.der"))
        .expect("intermediate");
    only_g1
        .add_intermediate(&read("jpki/signing-ca-g2.der"))
        .expect("intermediate");
    let outcome =
        validate_signing_certificate(&only_g1, &crls(), &read("jpki/notifier-g2.der"), &[], AT);
    assert_eq!(
        outcome,
        Err(ValidationError::NoCertificateChain {
            serial: certs::SerialNumber::from_der_content(&hex(&serial_of("jpki/notifier-g2"))),
            reason: ChainFailure::SignatureMismatch,
        })
    );
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn serial(stem: &str) -> certs::SerialNumber {
    certs::SerialNumber::from_der_content(&hex(&serial_of(stem)))
}

#[test]
fn revoked_notifier_fails_with_time_and_reason() {
    let outcome = validate("jpki/notifier-revoked", AT);
    assert_grade(
        &outcome,
        Indication::TotalFailed,
        Some(SubIndication::Revoked),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::Revoked {
            serial: serial("jpki/notifier-revoked"),
            revoked_at: AT - Duration::days(10),
            reason: Some(RevocationReason::Superseded),
        })
    );
    // Before its revocation time the same certificate was good.
    assert!(validate("jpki/notifier-revoked", AT - Duration::days(11)).is_ok());
}

#[test]
fn stale_crl_is_try_later_never_passed() {
    let at = AT + Duration::days(31);
    for stem in ["jpki/notifier", "jpki/notifier-revoked"] {
        let outcome = validate(stem, at);
        assert_grade(
            &outcome,
            Indication::Indeterminate,
            Some(SubIndication::TryLater),
        );
        assert_eq!(
            outcome,
            Err(ValidationError::RevocationUnknown {
                serial: serial(stem),
                status: UnknownStatus::CrlExpired {
                    next_update: AT + Duration::days(30),
                    at,
                },
            })
        );
    }
    // At exactly nextUpdate the CRL is still current.
    assert!(validate("jpki/notifier", AT + Duration::days(30)).is_ok());
}

#[test]
fn missing_crl_is_try_later() {
    let outcome = validate_signing_certificate(
        &store(),
        &RevocationData::new(),
        &read("jpki/notifier.der"),
        &[],
        AT,
    );
    assert_grade(
        &outcome,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::RevocationUnknown {
            serial: serial("jpki/notifier"),
            status: UnknownStatus::NoCrlForIssuer,
        })
    );
}

#[test]
fn crl_with_invalid_signature_is_try_later() {
    let mut crl = read("jpki/signing-ca-g1.crl.der");
    let last = crl.len() - 1;
    crl[last] ^= 0x01;
    let mut data = RevocationData::new();
    data.add_crls(&crl).expect("structurally fine");
    let outcome =
        validate_signing_certificate(&store(), &data, &read("jpki/notifier-revoked.der"), &[], AT);
    assert_eq!(
        outcome,
        Err(ValidationError::RevocationUnknown {
            serial: serial("jpki/notifier-revoked"),
            status: UnknownStatus::CrlSignatureInvalid,
        })
    );
}

#[test]
fn crl_of_the_other_generation_is_not_believed() {
    // Same issuer name, other key: the G1 CRL says nothing about G2 certificates.
    let mut data = RevocationData::new();
    data.add_crls(&read("jpki/signing-ca-g1.crl.pem"))
        .expect("crl");
    let outcome =
        validate_signing_certificate(&store(), &data, &read("jpki/notifier-g2.der"), &[], AT);
    assert_eq!(
        outcome,
        Err(ValidationError::RevocationUnknown {
            serial: serial("jpki/notifier-g2"),
            status: UnknownStatus::CrlSignatureInvalid,
        })
    );
}

#[test]
fn fresher_crl_wins_over_older() {
    // An older CRL without the entry, and the fixture CRL with it: the
    // fresher one (with the entry) decides.
    let older = pki()
        .issue_crl(
            DevCert::SigningCaG1,
            &[],
            AT - Duration::days(20),
            AT + Duration::days(60),
        )
        .expect("crl");
    let mut data = crls();
    data.add_crls(&older).expect("crl");
    let outcome =
        validate_signing_certificate(&store(), &data, &read("jpki/notifier-revoked.der"), &[], AT);
    assert_eq!(
        outcome.map_err(|e| e.sub_indication()).err(),
        Some(SubIndication::Revoked)
    );
}

#[test]
fn expired_notifier_fails() {
    let outcome = validate("jpki/notifier-expired", AT);
    assert_grade(
        &outcome,
        Indication::TotalFailed,
        Some(SubIndication::Expired),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::Expired {
            serial: serial("jpki/notifier-expired"),
            not_after: AT - Duration::days(60),
            at: AT,
        })
    );
}

#[test]
fn not_yet_valid_notifier_fails() {
    let outcome = validate("jpki/notifier-not-yet-valid", AT);
    assert_grade(
        &outcome,
        Indication::TotalFailed,
        Some(SubIndication::NotYetValid),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::NotYetValid {
            serial: serial("jpki/notifier-not-yet-valid"),
            not_before: AT + Duration::days(30),
            at: AT,
        })
    );
}

#[test]
fn wrong_key_usage_is_a_chain_constraint_failure() {
    let outcome = validate("jpki/notifier-wrong-key-usage", AT);
    assert_grade(
        &outcome,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::KeyUsageNotForSigning {
            serial: serial("jpki/notifier-wrong-key-usage"),
        })
    );
}

#[test]
fn non_repudiation_alone_is_enough() {
    let cert = pki()
        .issue_variant(DevCert::Notifier, "nr-only", None, |p| {
            p.key_usages = vec![rcgen::KeyUsagePurpose::ContentCommitment];
        })
        .expect("issue");
    assert!(
        validate_signing_certificate(&store(), &crls(), cert.certificate.as_ref(), &[], AT).is_ok()
    );
    let cert = pki()
        .issue_variant(DevCert::Notifier, "no-ku", None, |p| p.key_usages.clear())
        .expect("issue");
    assert_eq!(
        validate_signing_certificate(&store(), &crls(), cert.certificate.as_ref(), &[], AT)
            .map_err(|e| e.sub_indication())
            .err(),
        Some(SubIndication::ChainConstraintsFailure)
    );
}

#[test]
fn wrong_policy_is_a_chain_constraint_failure() {
    let outcome = validate("jpki/notifier-wrong-policy", AT);
    assert_grade(
        &outcome,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::PolicyNotAllowed {
            serial: serial("jpki/notifier-wrong-policy"),
            found: vec!["1.2.392.200149.8.5.1.0.99".to_owned()],
            allowed: vec![PolicyOid::JPKI_TEST.to_string()],
        })
    );
}

#[test]
fn anchor_vouches_only_for_its_policies() {
    // A production-only anchor must not accept test certificates, while the
    // other generation (test policy) still can.
    let mut store = TrustStore::new();
    store
        .add_anchor(&read("jpki/root-g1.der"), &[PolicyOid::JPKI_PRODUCTION])
        .expect("anchor");
    store
        .add_anchor(&read("jpki/root-g2.der"), &[PolicyOid::JPKI_TEST])
        .expect("anchor");
    store
        .add_intermediate(&read("jpki/signing-ca-g1.der"))
        .expect("ca");
    store
        .add_intermediate(&read("jpki/signing-ca-g2.der"))
        .expect("ca");
    assert_eq!(
        validate_signing_certificate(&store, &crls(), &read("jpki/notifier.der"), &[], AT),
        Err(ValidationError::PolicyNotAllowed {
            serial: serial("jpki/notifier"),
            found: vec![PolicyOid::JPKI_TEST.to_string()],
            allowed: vec![PolicyOid::JPKI_PRODUCTION.to_string()],
        })
    );
    assert!(
        validate_signing_certificate(&store, &crls(), &read("jpki/notifier-g2.der"), &[], AT)
            .is_ok()
    );
}

#[test]
fn untrusted_root_has_no_chain() {
    let expected = Err(ValidationError::NoCertificateChain {
        serial: serial("jpki/notifier-untrusted"),
        reason: ChainFailure::SignatureMismatch,
    });
    let outcome = validate("jpki/notifier-untrusted", AT);
    assert_grade(
        &outcome,
        Indication::Indeterminate,
        Some(SubIndication::NoCertificateChainFound),
    );
    assert_eq!(outcome, expected);
    // Presenting the look-alike CA and root (as a CMS certificates set may)
    // confers no trust.
    let presented = [
        CertificateDer::from(read("jpki/untrusted-signing-ca.der")),
        CertificateDer::from(read("jpki/untrusted-root.der")),
    ];
    assert_eq!(
        validate_signing_certificate(
            &store(),
            &crls(),
            &read("jpki/notifier-untrusted.der"),
            &presented,
            AT
        ),
        expected
    );
}

#[test]
fn unknown_issuer_has_no_chain() {
    // A notifier-shaped certificate issued by the TLS root, which the JPKI store does not know.
    let cert = pki()
        .issue_variant(DevCert::GatewayServer, "tls-issued-notifier", None, |p| {
            p.extended_key_usages.clear();
            p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        })
        .expect("issue");
    assert_eq!(
        validate_signing_certificate(&store(), &crls(), cert.certificate.as_ref(), &[], AT),
        Err(ValidationError::NoCertificateChain {
            serial: certs::SerialNumber::from_der_content(&hex(&cert.serial)),
            reason: ChainFailure::UnknownIssuer,
        })
    );
    // The gateway's TLS server certificate presented as a signing
    // certificate fails on its EKU (webpki checks EKU before the issuer).
    assert_eq!(
        validate("tls/gateway-server", AT),
        Err(ValidationError::ExtendedKeyUsageNotForSigning {
            serial: serial("tls/gateway-server"),
        })
    );
}

#[test]
fn intermediate_presented_with_the_signature_completes_the_path() {
    let mut anchors_only = TrustStore::new();
    anchors_only
        .add_anchor(&read("jpki/root-g1.der"), &[PolicyOid::JPKI_TEST])
        .expect("anchor");
    let ee = read("jpki/notifier.der");
    assert_eq!(
        validate_signing_certificate(&anchors_only, &crls(), &ee, &[], AT),
        Err(ValidationError::NoCertificateChain {
            serial: serial("jpki/notifier"),
            reason: ChainFailure::UnknownIssuer,
        })
    );
    let presented = [CertificateDer::from(read("jpki/signing-ca-g1.der"))];
    assert!(validate_signing_certificate(&anchors_only, &crls(), &ee, &presented, AT).is_ok());
}

#[test]
fn tampered_certificate_has_no_chain() {
    let original = read("jpki/notifier.der");
    // Flip a bit in the signature value (last byte).
    let mut signature_flip = original.clone();
    let last = signature_flip.len() - 1;
    signature_flip[last] ^= 0x80;
    // Change the holder's name inside the signed part: 斗 (E6 96 97) -> 斘 (E6 96 98).
    let mut name_flip = original.clone();
    let at = original
        .windows(3)
        .position(|w| w == "斗".as_bytes())
        .expect("name bytes present");
    name_flip[at + 2] = 0x98;
    for tampered in [signature_flip, name_flip] {
        let outcome = validate_signing_certificate(&store(), &crls(), &tampered, &[], AT);
        assert_grade(
            &outcome,
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound),
        );
        assert_eq!(
            outcome,
            Err(ValidationError::NoCertificateChain {
                serial: serial("jpki/notifier"),
                reason: ChainFailure::SignatureMismatch,
            })
        );
    }
}

#[test]
fn garbage_is_a_format_failure() {
    for bytes in [&b""[..], b"\x30\x03\x02\x01", b"not a certificate"] {
        let outcome = validate_signing_certificate(&store(), &crls(), bytes, &[], AT);
        assert_grade(
            &outcome,
            Indication::TotalFailed,
            Some(SubIndication::FormatFailure),
        );
    }
}

fn replace_san(params: &mut rcgen::CertificateParams, value: Vec<u8>) {
    params
        .custom_extensions
        .retain(|e| e.oid_components().collect::<Vec<_>>() != [2, 5, 29, 17]);
    params
        .custom_extensions
        .push(CustomExtension::from_oid_content(&[2, 5, 29, 17], value));
}

#[test]
fn malformed_subject_alt_name_is_a_profile_failure() {
    let truncated = pki()
        .issue_variant(DevCert::Notifier, "san-truncated", None, |p| {
            // A GeneralNames SEQUENCE announcing more bytes than it has.
            replace_san(p, vec![0x30, 0x10, 0xa0, 0x03, 0x06, 0x01, 0x2a]);
        })
        .expect("issue");
    let outcome =
        validate_signing_certificate(&store(), &crls(), truncated.certificate.as_ref(), &[], AT);
    // A CA-signed certificate whose GeneralNames are not DER is unusable.
    assert_grade(
        &outcome,
        Indication::TotalFailed,
        Some(SubIndication::FormatFailure),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::Malformed {
            detail: "subjectAltName is not valid DER: DER input truncated".to_owned(),
        })
    );

    // Well-formed DER with a bad value: the specific holder-attribute error.
    let attributes = pki().get(DevCert::Notifier).holder.clone().expect("holder");
    let bad_sex = {
        let order: Vec<_> = HolderAttribute::ALL
            .into_iter()
            .filter(|a| *a != HolderAttribute::Sex)
            .collect();
        let base = encode_holder_san(&attributes, &order);
        // Append otherName 1.2.392.200149.8.5.5.3 = PrintableString "3".
        let header = if base[1] & 0x80 == 0 {
            2
        } else {
            2 + usize::from(base[1] & 0x7f)
        };
        let mut content = base[header..].to_vec();
        content.extend([
            0xa0, 0x11, 0x06, 0x0a, 0x2a, 0x83, 0x08, 0x8c, 0x9b, 0x55, 0x08, 0x05, 0x05, 0x03,
            0xa0, 0x03, 0x13, 0x01, b'3',
        ]);
        let len = u8::try_from(content.len()).expect("between 128 and 255 bytes");
        assert!(len >= 0x80);
        let mut san = vec![0x30, 0x81, len];
        san.extend(content);
        san
    };
    let cert = pki()
        .issue_variant(DevCert::Notifier, "san-bad-sex", None, |p| {
            replace_san(p, bad_sex)
        })
        .expect("issue");
    let outcome =
        validate_signing_certificate(&store(), &crls(), cert.certificate.as_ref(), &[], AT);
    assert_grade(
        &outcome,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::HolderAttributes {
            serial: certs::SerialNumber::from_der_content(&hex(&cert.serial)),
            source: HolderAttributeError::InvalidSex {
                value: "3".to_owned()
            },
        })
    );
    let without_birth_date: Vec<_> = HolderAttribute::ALL
        .into_iter()
        .filter(|a| *a != HolderAttribute::BirthDate)
        .collect();
    let missing = pki()
        .issue_variant(DevCert::Notifier, "san-missing-birth-date", None, |p| {
            replace_san(p, encode_holder_san(&attributes, &without_birth_date));
        })
        .expect("issue");
    assert_eq!(
        validate_signing_certificate(&store(), &crls(), missing.certificate.as_ref(), &[], AT),
        Err(ValidationError::HolderAttributes {
            serial: certs::SerialNumber::from_der_content(&hex(&missing.serial)),
            source: HolderAttributeError::Missing {
                attribute: HolderAttribute::BirthDate,
            },
        })
    );

    let no_san = pki()
        .issue_variant(DevCert::Notifier, "san-absent", None, |p| {
            p.custom_extensions
                .retain(|e| e.oid_components().collect::<Vec<_>>() != [2, 5, 29, 17]);
        })
        .expect("issue");
    assert_eq!(
        validate_signing_certificate(&store(), &crls(), no_san.certificate.as_ref(), &[], AT),
        Err(ValidationError::HolderAttributes {
            serial: certs::SerialNumber::from_der_content(&hex(&no_san.serial)),
            source: HolderAttributeError::NoSubjectAltName,
        })
    );
}

#[test]
fn extended_key_usage_must_allow_signing_if_present() {
    let server_auth = pki()
        .issue_variant(DevCert::Notifier, "eku-server-auth", None, |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        })
        .expect("issue");
    assert_eq!(
        validate_signing_certificate(&store(), &crls(), server_auth.certificate.as_ref(), &[], AT),
        Err(ValidationError::ExtendedKeyUsageNotForSigning {
            serial: certs::SerialNumber::from_der_content(&hex(&server_auth.serial)),
        })
    );
    let email = pki()
        .issue_variant(DevCert::Notifier, "eku-email", None, |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
        })
        .expect("issue");
    assert!(
        validate_signing_certificate(&store(), &crls(), email.certificate.as_ref(), &[], AT)
            .is_ok()
    );
}

#[test]
fn ecdsa_p256_and_p384_keys_are_accepted() {
    for alg in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
    ] {
        let key = KeyPair::generate_for(alg).expect("ec key");
        let cert = pki()
            .issue_variant(DevCert::Notifier, "ecdsa", Some(key), |_| {})
            .expect("issue");
        let valid =
            validate_signing_certificate(&store(), &crls(), cert.certificate.as_ref(), &[], AT)
                .expect("EC end-entity key under an RSA CA is valid");
        assert_eq!(valid.holder.sex, certs::Sex::Male);
    }
}

/// A self-signed ECDSA P-384 root (not from the dev PKI).
fn ec_root() -> (Vec<u8>, rcgen::CertificateParams, KeyPair) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).expect("key");
    let mut params = rcgen::CertificateParams::default();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    params.not_before = AT - Duration::days(10);
    params.not_after = AT + Duration::days(1000);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "EC test root");
    let der = params
        .self_signed(&key)
        .expect("root")
        .der()
        .as_ref()
        .to_vec();
    (der, params, key)
}

/// Notifier parameters with the fixture notifier's SAN and policy.
fn ec_notifier_params(serial: u64) -> rcgen::CertificateParams {
    let template = pki().get(DevCert::Notifier).certificate.clone();
    let (_, parsed) = x509_parser::parse_x509_certificate(template.as_ref()).expect("parses");
    let extension = |oid: &str| {
        parsed
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == oid)
            .expect("extension present")
            .value
            .to_vec()
    };
    let mut leaf = rcgen::CertificateParams::default();
    leaf.not_before = AT - Duration::days(1);
    leaf.not_after = AT + Duration::days(100);
    leaf.serial_number = Some(rcgen::SerialNumber::from(serial));
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "EC notifier");
    leaf.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    leaf.custom_extensions
        .push(CustomExtension::from_oid_content(
            &[2, 5, 29, 17],
            extension("2.5.29.17"),
        ));
    leaf.custom_extensions
        .push(CustomExtension::from_oid_content(
            &[2, 5, 29, 32],
            extension("2.5.29.32"),
        ));
    leaf
}

#[test]
fn ecdsa_signed_chain_is_verified() {
    // An ECDSA P-384 root and an ECDSA P-256 notifier: signatures by both curves.
    let (root_der, root_params, root_key) = ec_root();
    let issuer = rcgen::Issuer::from_params(&root_params, &root_key);
    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let leaf = ec_notifier_params(0x1234)
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let mut store = TrustStore::new();
    store
        .add_anchor(&root_der, &[PolicyOid::JPKI_TEST])
        .expect("anchor");
    let crl = rcgen::CertificateRevocationListParams {
        this_update: AT - Duration::days(1),
        next_update: AT + Duration::days(1),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![rcgen::RevokedCertParams {
            serial_number: rcgen::SerialNumber::from(0x1234u64),
            revocation_time: AT - Duration::hours(1),
            reason_code: Some(rcgen::RevocationReason::KeyCompromise),
            invalidity_date: None,
        }],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .expect("crl");
    let mut data = RevocationData::new();
    data.add_crls(crl.der().as_ref()).expect("crl");
    assert!(
        validate_signing_certificate(
            &store,
            &data,
            leaf.der().as_ref(),
            &[],
            AT - Duration::hours(2)
        )
        .is_ok(),
        "valid before the revocation time"
    );
    assert_eq!(
        validate_signing_certificate(&store, &data, leaf.der().as_ref(), &[], AT),
        Err(ValidationError::Revoked {
            serial: certs::SerialNumber::from_der_content(&[0x12, 0x34]),
            revoked_at: AT - Duration::hours(1),
            reason: Some(RevocationReason::KeyCompromise),
        }),
        "ECDSA P-384-signed CRL verified and applied"
    );
}

#[test]
fn weak_rsa_key_is_a_crypto_constraint_failure() {
    use rand_chacha::rand_core::SeedableRng;
    use rsa::pkcs8::EncodePublicKey;
    // ring will not sign with a 1024-bit key, but the CA only needs the
    // subject's public key: certify a 1024-bit RSA key under an EC root.
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    let weak = rsa::RsaPrivateKey::new(&mut rng, 1024).expect("1024-bit key");
    let spki = weak
        .to_public_key()
        .to_public_key_der()
        .expect("spki")
        .as_bytes()
        .to_vec();
    let public = rcgen::SubjectPublicKeyInfo::from_der(&spki).expect("spki");
    let (root_der, root_params, root_key) = ec_root();
    let issuer = rcgen::Issuer::from_params(&root_params, &root_key);
    let leaf = ec_notifier_params(0x77)
        .signed_by(&public, &issuer)
        .expect("leaf");
    let mut store = TrustStore::new();
    store
        .add_anchor(&root_der, &[PolicyOid::JPKI_TEST])
        .expect("anchor");
    let outcome =
        validate_signing_certificate(&store, &RevocationData::new(), leaf.der().as_ref(), &[], AT);
    assert_grade(
        &outcome,
        Indication::Indeterminate,
        Some(SubIndication::CryptoConstraintsFailure),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::CryptoConstraint {
            serial: certs::SerialNumber::from_der_content(&[0x77]),
            detail: "RSA key of 1024 bits (2048–8192 accepted)".to_owned(),
        })
    );
}

#[test]
fn holder_attributes_without_validation() {
    assert_eq!(
        certs::holder_attributes(&read("jpki/notifier-g2.der")).map(|h| h.name),
        Ok("佐藤\u{3000}太郎".to_owned())
    );
    assert_eq!(
        certs::holder_attributes(&read("tls/gateway-server.der")),
        Err(HolderAttributeError::Missing {
            attribute: HolderAttribute::Name
        })
    );
    assert!(matches!(
        certs::holder_attributes(b"not a certificate"),
        Err(HolderAttributeError::MalformedCertificate { .. })
    ));
}

#[test]
fn validation_time_before_1970_is_rejected() {
    let at = datetime!(1969-12-31 23:59:59 UTC);
    assert_eq!(
        validate("jpki/notifier", at),
        Err(ValidationError::TimeOutOfRange { at })
    );
}

#[test]
fn every_sub_indication_has_its_etsi_grade() {
    let table = [
        (
            SubIndication::FormatFailure,
            "FORMAT_FAILURE",
            Indication::TotalFailed,
        ),
        (
            SubIndication::NoCertificateChainFound,
            "NO_CERTIFICATE_CHAIN_FOUND",
            Indication::Indeterminate,
        ),
        (SubIndication::Expired, "EXPIRED", Indication::TotalFailed),
        (
            SubIndication::NotYetValid,
            "NOT_YET_VALID",
            Indication::TotalFailed,
        ),
        (SubIndication::Revoked, "REVOKED", Indication::TotalFailed),
        (
            SubIndication::TryLater,
            "TRY_LATER",
            Indication::Indeterminate,
        ),
        (
            SubIndication::ChainConstraintsFailure,
            "CHAIN_CONSTRAINTS_FAILURE",
            Indication::Indeterminate,
        ),
        (
            SubIndication::CryptoConstraintsFailure,
            "CRYPTO_CONSTRAINTS_FAILURE",
            Indication::Indeterminate,
        ),
        (
            SubIndication::CertificateChainGeneralFailure,
            "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            Indication::Indeterminate,
        ),
    ];
    for (sub, text, indication) in table {
        assert_eq!(sub.as_str(), text);
        assert_eq!(sub.indication(), indication, "{text}");
        assert_eq!(
            serde_json::to_value(sub).expect("json"),
            serde_json::json!(text)
        );
    }
    assert_eq!(Indication::TotalPassed.as_str(), "TOTAL-PASSED");
    assert_eq!(
        serde_json::to_value(Indication::TotalFailed).expect("json"),
        serde_json::json!("TOTAL-FAILED")
    );
}

#[test]
fn in_memory_pki_matches_the_files() {
    let pki = pki();
    assert_eq!(
        pki.get(DevCert::Notifier).certificate.as_ref(),
        read("jpki/notifier.der")
    );
    assert_eq!(
        pki.get(DevCert::Notifier).private_key_der,
        read("jpki/notifier.key.der")
    );
    let outcome = validate_signing_certificate(
        &pki.trust_store(),
        &pki.revocation_data(),
        pki.get(DevCert::NotifierG2).certificate.as_ref(),
        &[],
        AT,
    );
    assert_eq!(
        outcome.map(|v| v.holder),
        Ok(pki.get(DevCert::NotifierG2).holder.clone().expect("holder"))
    );
    // The in-memory key signs and the certificate's key verifies.
    let key = ring::signature::RsaKeyPair::from_pkcs8(
        pki.get(DevCert::Notifier).private_key().secret_pkcs8_der(),
    )
    .expect("PKCS#8 RSA key");
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        b"manifest",
        &mut signature,
    )
    .expect("signs");
    // ring directly: webpki refuses to parse certificates with critical policies.
    let der = pki.get(DevCert::Notifier).certificate.clone();
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).expect("parses");
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        cert.public_key().subject_public_key.data.as_ref(),
    )
    .verify(b"manifest", &signature)
    .expect("signature verifies with the certificate's key");
}

#[test]
fn fixture_notifiers_have_critical_policies_like_the_jlis_profile() {
    for stem in ["jpki/notifier", "jpki/notifier-g2", "jpki/notifier-revoked"] {
        let der = read(&format!("{stem}.der"));
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("parses");
        let policies = cert
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "2.5.29.32")
            .expect("certificatePolicies present");
        assert!(
            policies.critical,
            "{stem}: certificatePolicies must be critical"
        );
        // webpki alone refuses such a certificate; the crate still validates it.
        assert_eq!(
            webpki::EndEntityCert::try_from(&CertificateDer::from(der.as_slice())).err(),
            Some(webpki::Error::UnsupportedCriticalExtension)
        );
    }
}

#[test]
fn other_unknown_critical_extensions_are_refused() {
    let cert = pki()
        .issue_variant(DevCert::Notifier, "unknown-critical", None, |p| {
            let mut ext = CustomExtension::from_oid_content(&[1, 2, 3, 4], vec![0x05, 0x00]);
            ext.set_criticality(true);
            p.custom_extensions.push(ext);
        })
        .expect("issue");
    let outcome =
        validate_signing_certificate(&store(), &crls(), cert.certificate.as_ref(), &[], AT);
    assert_grade(
        &outcome,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert_eq!(
        outcome,
        Err(ValidationError::ChainConstraint {
            serial: certs::SerialNumber::from_der_content(&hex(&cert.serial)),
            detail: "UnsupportedCriticalExtension".to_owned(),
        })
    );
}

/// The outcome with the serial blanked, so two certificates can be compared.
fn shape(
    outcome: Result<certs::ValidatedSigningCertificate, ValidationError>,
) -> Result<String, ValidationError> {
    let blank = certs::SerialNumber::from_der_content(&[]);
    match outcome {
        Ok(valid) => Ok(format!("{:?}", valid.holder)),
        Err(e) => Err(match e {
            ValidationError::NoCertificateChain { reason, .. } => {
                ValidationError::NoCertificateChain {
                    serial: blank,
                    reason,
                }
            }
            ValidationError::Expired { not_after, at, .. } => ValidationError::Expired {
                serial: blank,
                not_after,
                at,
            },
            ValidationError::NotYetValid { not_before, at, .. } => ValidationError::NotYetValid {
                serial: blank,
                not_before,
                at,
            },
            ValidationError::KeyUsageNotForSigning { .. } => {
                ValidationError::KeyUsageNotForSigning { serial: blank }
            }
            ValidationError::PolicyNotAllowed { found, allowed, .. } => {
                ValidationError::PolicyNotAllowed {
                    serial: blank,
                    found,
                    allowed,
                }
            }
            ValidationError::ExtendedKeyUsageNotForSigning { .. } => {
                ValidationError::ExtendedKeyUsageNotForSigning { serial: blank }
            }
            ValidationError::ChainConstraint { detail, .. } => ValidationError::ChainConstraint {
                serial: blank,
                detail,
            },
            other => other,
        }),
    }
}

#[test]
fn webpki_and_the_own_path_validator_agree() {
    // Each fixture case (critical policies: own path validator) against the
    // same certificate with non-critical policies (rustls-webpki).
    let cases = [
        (DevCert::Notifier, "jpki/notifier"),
        (DevCert::NotifierG2, "jpki/notifier-g2"),
        (DevCert::NotifierExpired, "jpki/notifier-expired"),
        (DevCert::NotifierNotYetValid, "jpki/notifier-not-yet-valid"),
        (
            DevCert::NotifierWrongKeyUsage,
            "jpki/notifier-wrong-key-usage",
        ),
        (DevCert::NotifierWrongPolicy, "jpki/notifier-wrong-policy"),
        (DevCert::NotifierUntrusted, "jpki/notifier-untrusted"),
    ];
    for (which, stem) in cases {
        let own = validate(stem, AT);
        let variant = pki()
            .issue_variant(which, "non-critical-policies", None, |p| {
                for ext in &mut p.custom_extensions {
                    if ext.oid_components().collect::<Vec<_>>() == [2, 5, 29, 32] {
                        ext.set_criticality(false);
                    }
                }
            })
            .expect("issue");
        assert!(
            webpki::EndEntityCert::try_from(&variant.certificate).is_ok(),
            "the variant must go through webpki"
        );
        let by_webpki =
            validate_signing_certificate(&store(), &crls(), variant.certificate.as_ref(), &[], AT);
        assert_eq!(grade(&own), grade(&by_webpki), "{stem}");
        assert_eq!(shape(own), shape(by_webpki), "{stem}");
    }
    // Same-name generations: only generation 1 trusted, both engines refuse G2.
    let mut only_g1 = TrustStore::new();
    only_g1
        .add_anchor(&read("jpki/root-g1.der"), &[PolicyOid::JPKI_TEST])
        .expect("anchor");
    for ca in ["jpki/signing-ca-g1.der", "jpki/signing-ca-g2.der"] {
        only_g1.add_intermediate(&read(ca)).expect("ca");
    }
    let variant = pki()
        .issue_variant(DevCert::NotifierG2, "non-critical-g2", None, |p| {
            for ext in &mut p.custom_extensions {
                ext.set_criticality(false);
            }
            p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        })
        .expect("issue");
    let own =
        validate_signing_certificate(&only_g1, &crls(), &read("jpki/notifier-g2.der"), &[], AT);
    let by_webpki =
        validate_signing_certificate(&only_g1, &crls(), variant.certificate.as_ref(), &[], AT);
    assert_eq!(shape(own), shape(by_webpki));
}

#[test]
fn ca_certificate_as_signer_is_refused_by_both_engines() {
    for critical in [true, false] {
        let cert = pki()
            .issue_variant(DevCert::Notifier, "ca-as-signer", None, |p| {
                p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
                for ext in &mut p.custom_extensions {
                    if ext.oid_components().collect::<Vec<_>>() == [2, 5, 29, 32] {
                        ext.set_criticality(critical);
                    }
                }
            })
            .expect("issue");
        assert_eq!(
            validate_signing_certificate(&store(), &crls(), cert.certificate.as_ref(), &[], AT),
            Err(ValidationError::ChainConstraint {
                serial: certs::SerialNumber::from_der_content(&hex(&cert.serial)),
                detail: "CaUsedAsEndEntity".to_owned(),
            }),
            "critical policies: {critical}"
        );
    }
}
