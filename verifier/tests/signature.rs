//! The CMS signature over the manifest: made by the project's own signer and
//! by the `openssl cms` CLI, verified against the dev-PKI fixtures of the
//! `certs` crate at a fixed time, with the exact ETSI grade for each case.

mod support;

use std::process::Command;

use certs::{Indication, RevocationData, SubIndication};
use time::OffsetDateTime;
use time::macros::datetime;
use verifier::signature::{SignatureSubIndication, check_signature};
use verifier::signer::{SignOptions, sign_detached};

/// CRLs are fresh from 2026-03-31 to 2026-05-01.
use support::{jpki_fixtures as fixtures, jpki_trust as trust, read_fixture as read};

const AT: OffsetDateTime = datetime!(2026-04-15 12:00 UTC);
const MANIFEST: &[u8] = br#"{"manifest_version":"1","notification":{"media_type":"application/json","size":2,"sha256":"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"attachments":[]}"#;

fn own_signature(stem: &str, ca: &str, signed_attributes: bool) -> Vec<u8> {
    sign_detached(
        MANIFEST,
        &read(&format!("{stem}.der")),
        &[&read(&format!("{ca}.der"))],
        &read(&format!("{stem}.key.der")),
        SignOptions {
            signed_attributes,
            signing_time: datetime!(2026-04-15 11:00 UTC),
        },
    )
    .expect("signs")
}

/// Runs `openssl cms -sign` with extra flags; the CLI must be installed.
fn openssl_signature(stem: &str, extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = dir.path().join("manifest.json");
    let out = dir.path().join("signature.der");
    std::fs::write(&manifest, MANIFEST).expect("write");
    let f = |n: &str| fixtures().join(n).to_string_lossy().into_owned();
    let status = Command::new("openssl")
        .args([
            "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
        ])
        .args([
            "-in",
            &manifest.to_string_lossy(),
            "-out",
            &out.to_string_lossy(),
        ])
        .args([
            "-signer",
            &f(&format!("{stem}.pem")),
            "-inkey",
            &f(&format!("{stem}.key.pem")),
        ])
        .args(["-certfile", &f("signing-ca-g1.pem")])
        .args(extra)
        .status()
        .expect("the openssl CLI must be installed for this test");
    assert!(status.success(), "openssl cms -sign failed");
    std::fs::read(out).expect("signature written")
}

fn grade(
    signature: &[u8],
    manifest: &[u8],
    at: OffsetDateTime,
) -> (Indication, Option<SignatureSubIndication>, Vec<String>) {
    let (store, crls) = trust();
    let c = check_signature(signature, manifest, &store, &crls, at);
    (
        c.report.indication,
        c.report.sub_indication,
        c.problems.into_iter().map(|p| p.code).collect(),
    )
}

fn cert(sub: SubIndication) -> Option<SignatureSubIndication> {
    Some(SignatureSubIndication::Certificate(sub))
}

#[test]
fn own_signer_with_and_without_signed_attributes_passes() {
    for attrs in [true, false] {
        let sig = own_signature("notifier", "signing-ca-g1", attrs);
        let (store, crls) = trust();
        let c = check_signature(&sig, MANIFEST, &store, &crls, AT);
        assert_eq!(
            c.report.indication,
            Indication::TotalPassed,
            "attrs {attrs}: {:?}",
            c.problems
        );
        assert_eq!(c.report.signed_attributes, attrs);
        assert_eq!(c.report.digest_algorithm, Some("sha256"));
        assert_eq!(c.report.signature_algorithm, Some("rsa-pkcs1"));
        assert_eq!(c.report.claimed_signing_time.is_some(), attrs);
        assert!(c.problems.is_empty());
        let holder = c.holder.expect("holder attributes");
        assert!(
            holder.name.contains('\u{FA45}'),
            "compatibility ideograph kept: {}",
            holder.name
        );
        assert_eq!(
            c.report.signer.and_then(|s| s.policy).as_deref(),
            Some("1.2.392.200149.8.5.1.0.20")
        );
    }
}

#[test]
fn second_root_generation_with_the_same_name_passes() {
    let sig = own_signature("notifier-g2", "signing-ca-g2", true);
    assert_eq!(
        grade(&sig, MANIFEST, AT),
        (Indication::TotalPassed, None, vec![])
    );
}

#[test]
fn openssl_signatures_pass() {
    for extra in [
        &[][..],
        &["-noattr"][..],
        &[
            "-keyopt",
            "rsa_padding_mode:pss",
            "-keyopt",
            "rsa_pss_saltlen:32",
        ][..],
    ] {
        let sig = openssl_signature("notifier", extra);
        let (indication, sub, problems) = grade(&sig, MANIFEST, AT);
        assert_eq!(
            (indication, sub),
            (Indication::TotalPassed, None),
            "openssl {extra:?}: {problems:?}"
        );
    }
    let (store, crls) = trust();
    let pss_args = [
        "-keyopt",
        "rsa_padding_mode:pss",
        "-keyopt",
        "rsa_pss_saltlen:32",
    ];
    let pss = check_signature(
        &openssl_signature("notifier", &pss_args),
        MANIFEST,
        &store,
        &crls,
        AT,
    );
    assert_eq!(pss.report.signature_algorithm, Some("rsa-pss"));
    // OpenSSL's default PSS salt is the maximum; ring verifies only a salt of
    // the hash's length (RFC 8017's recommendation), so that is refused as
    // an algorithm constraint, never passed or mistaken for tampering.
    let max_salt = openssl_signature(
        "notifier",
        &[
            "-keyopt",
            "rsa_padding_mode:pss",
            "-keyopt",
            "rsa_pss_saltlen:max",
        ],
    );
    assert_eq!(
        grade(&max_salt, MANIFEST, AT),
        (
            Indication::Indeterminate,
            Some(SignatureSubIndication::CryptoConstraintsFailure),
            vec!["signature.algorithm_unsupported".to_owned()]
        )
    );
}

#[test]
fn tampering_is_caught() {
    let tampered: Vec<u8> = MANIFEST
        .iter()
        .map(|&b| if b == b'2' { b'3' } else { b })
        .collect();
    // With signed attributes the messageDigest no longer matches.
    assert_eq!(
        grade(
            &own_signature("notifier", "signing-ca-g1", true),
            &tampered,
            AT
        ),
        (
            Indication::TotalFailed,
            Some(SignatureSubIndication::HashFailure),
            vec!["signature.message_digest_mismatch".to_owned()]
        )
    );
    // Without them the RSA signature fails.
    assert_eq!(
        grade(
            &own_signature("notifier", "signing-ca-g1", false),
            &tampered,
            AT
        ),
        (
            Indication::TotalFailed,
            Some(SignatureSubIndication::SigCryptoFailure),
            vec!["signature.invalid".to_owned()]
        )
    );
    // One flipped bit in the signature value (its last byte).
    let mut sig = own_signature("notifier", "signing-ca-g1", true);
    let last = sig.len() - 1;
    sig[last] ^= 1;
    assert_eq!(
        grade(&sig, MANIFEST, AT),
        (
            Indication::TotalFailed,
            Some(SignatureSubIndication::SigCryptoFailure),
            vec!["signature.invalid".to_owned()]
        )
    );
}

#[test]
fn certificate_outcomes() {
    let cases = [
        (
            "notifier-revoked",
            "signing-ca-g1",
            Indication::TotalFailed,
            cert(SubIndication::Revoked),
            "signature.certificate_revoked",
        ),
        (
            "notifier-expired",
            "signing-ca-g1",
            Indication::TotalFailed,
            cert(SubIndication::Expired),
            "signature.certificate_expired",
        ),
        (
            "notifier-not-yet-valid",
            "signing-ca-g1",
            Indication::TotalFailed,
            cert(SubIndication::NotYetValid),
            "signature.certificate_not_yet_valid",
        ),
        (
            "notifier-wrong-policy",
            "signing-ca-g1",
            Indication::Indeterminate,
            cert(SubIndication::ChainConstraintsFailure),
            "signature.certificate_profile",
        ),
        (
            "notifier-untrusted",
            "untrusted-signing-ca",
            Indication::Indeterminate,
            cert(SubIndication::NoCertificateChainFound),
            "signature.certificate_untrusted",
        ),
    ];
    for (stem, ca, indication, sub, code) in cases {
        let sig = own_signature(stem, ca, true);
        assert_eq!(
            grade(&sig, MANIFEST, AT),
            (indication, sub, vec![code.to_owned()]),
            "{stem}"
        );
    }
}

#[test]
fn stale_crl_is_try_later_never_passed() {
    let sig = own_signature("notifier", "signing-ca-g1", true);
    let (indication, sub, problems) = grade(&sig, MANIFEST, datetime!(2026-05-15 00:00 UTC));
    assert_eq!(
        (indication, sub),
        (Indication::Indeterminate, cert(SubIndication::TryLater))
    );
    assert_eq!(problems, ["signature.revocation_unavailable"]);
    // No CRL at all: the same.
    let (store, _) = trust();
    let c = check_signature(&sig, MANIFEST, &store, &RevocationData::new(), AT);
    assert_eq!(c.report.sub_indication, cert(SubIndication::TryLater));
    assert!(
        c.holder.is_some(),
        "the holder is still known for the identity binding"
    );
}

#[test]
fn malformed_and_misshapen_signatures() {
    assert_eq!(
        grade(b"not DER at all", MANIFEST, AT),
        (
            Indication::TotalFailed,
            Some(SignatureSubIndication::FormatFailure),
            vec!["signature.malformed".to_owned()]
        )
    );
    let attached = openssl_signature("notifier", &["-nodetach"]);
    assert_eq!(grade(&attached, MANIFEST, AT).2, ["signature.not_detached"]);
    let no_certs = openssl_signature("notifier", &["-nocerts"]);
    assert_eq!(
        grade(&no_certs, MANIFEST, AT),
        (
            Indication::Indeterminate,
            Some(SignatureSubIndication::NoSigningCertificateFound),
            vec!["signature.certificate_missing".to_owned()]
        )
    );
    // Truncations of a valid signature never pass and never panic.
    let sig = own_signature("notifier", "signing-ca-g1", true);
    for len in [0, 1, 10, sig.len() / 2, sig.len() - 1] {
        let (indication, ..) = grade(&sig[..len], MANIFEST, AT);
        assert_ne!(indication, Indication::TotalPassed, "truncated to {len}");
    }
}

#[test]
fn ecdsa_signature_verifies_cryptographically() {
    // A self-made P-256 certificate: the signature math passes, so the grade
    // comes from the certificate (no chain to a JPKI anchor), not from the crypto.
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("ec.key");
    let crt = dir.path().join("ec.pem");
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=ec-test",
            "-days",
            "3650",
        ])
        .args([
            "-keyout",
            &key.to_string_lossy(),
            "-out",
            &crt.to_string_lossy(),
        ])
        .output()
        .expect("openssl installed");
    assert!(ok.status.success());
    let manifest = dir.path().join("m.json");
    let out = dir.path().join("s.der");
    std::fs::write(&manifest, MANIFEST).expect("write");
    let status = Command::new("openssl")
        .args([
            "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
        ])
        .args([
            "-in",
            &manifest.to_string_lossy(),
            "-out",
            &out.to_string_lossy(),
        ])
        .args([
            "-signer",
            &crt.to_string_lossy(),
            "-inkey",
            &key.to_string_lossy(),
        ])
        .status()
        .expect("openssl");
    assert!(status.success());
    let sig = std::fs::read(out).expect("read");
    let (store, crls) = trust();
    let c = check_signature(&sig, MANIFEST, &store, &crls, OffsetDateTime::now_utc());
    assert_eq!(c.report.signature_algorithm, Some("ecdsa-p256"));
    assert!(
        matches!(
            c.report.sub_indication,
            Some(SignatureSubIndication::Certificate(_))
        ),
        "graded on the certificate, not the crypto: {:?}",
        c.report.sub_indication
    );
    // The same signature over other bytes fails the crypto.
    let (store, crls) = trust();
    let tampered = check_signature(&sig, b"{}", &store, &crls, OffsetDateTime::now_utc());
    assert_eq!(
        tampered.report.sub_indication,
        Some(SignatureSubIndication::HashFailure)
    );
}
