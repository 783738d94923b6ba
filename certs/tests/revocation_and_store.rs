//! CRL loading and status rules, and trust-store loading, on the committed
//! fixtures and on CRLs issued for the purpose.

use std::path::{Path, PathBuf};

use certs::{
    Crl, CrlError, CrlIssuer, DevCert, DevPkiOptions, PolicyOid, RevocationData, RevocationReason,
    RevocationStatus, TrustStore, TrustStoreError, UnknownStatus,
};
use time::{Duration, OffsetDateTime};

const AT: OffsetDateTime = DevPkiOptions::FIXTURE_TIME;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(relative)).expect("fixture")
}

/// Subject and SPKI of a CA certificate, as the CRL lookup wants them.
fn issuer_parts(stem: &str) -> (Vec<u8>, Vec<u8>) {
    let der = read(&format!("{stem}.der"));
    let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("parses");
    (
        cert.subject().as_raw().to_vec(),
        cert.public_key().raw.to_vec(),
    )
}

fn serial_bytes(stem: &str) -> Vec<u8> {
    let der = read(&format!("{stem}.der"));
    let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("parses");
    cert.tbs_certificate.raw_serial().to_vec()
}

fn status(data: &RevocationData, stem: &str, ca: &str, at: OffsetDateTime) -> RevocationStatus {
    let (subject, spki) = issuer_parts(ca);
    data.status(
        &serial_bytes(stem),
        CrlIssuer {
            subject: &subject,
            spki: &spki,
        },
        at,
    )
}

#[test]
fn fixture_crls_parse_in_pem_and_der_alike() {
    let from_pem = Crl::from_der(
        &rustls_pki_types::pem::PemObject::from_pem_slice(&read("jpki/signing-ca-g1.crl.pem"))
            .map(|d: rustls_pki_types::CertificateRevocationListDer<'_>| d.as_ref().to_vec())
            .expect("pem"),
    )
    .expect("crl");
    let from_der = Crl::from_der(&read("jpki/signing-ca-g1.crl.der")).expect("crl");
    assert_eq!(from_pem.len(), 1);
    assert_eq!(from_der.len(), 1);
    assert_eq!(from_der.this_update(), AT - Duration::days(1));
    assert_eq!(from_der.next_update(), Some(AT + Duration::days(30)));
    assert!(
        Crl::from_der(&read("jpki/signing-ca-g2.crl.der"))
            .expect("crl")
            .is_empty()
    );
    let (_, g1_spki) = issuer_parts("jpki/signing-ca-g1");
    let (_, g2_spki) = issuer_parts("jpki/signing-ca-g2");
    assert!(from_der.is_signed_by(&g1_spki));
    assert!(!from_der.is_signed_by(&g2_spki), "same name, other key");
}

#[test]
fn status_is_good_revoked_or_unknown() {
    let mut data = RevocationData::new();
    assert_eq!(
        data.load(&fixtures().join("jpki/signing-ca-g1.crl.der"))
            .expect("load"),
        1
    );
    assert_eq!(
        status(&data, "jpki/notifier", "jpki/signing-ca-g1", AT),
        RevocationStatus::Good {
            this_update: AT - Duration::days(1),
            next_update: AT + Duration::days(30),
        }
    );
    assert_eq!(
        status(&data, "jpki/notifier-revoked", "jpki/signing-ca-g1", AT),
        RevocationStatus::Revoked {
            revoked_at: AT - Duration::days(10),
            reason: Some(RevocationReason::Superseded),
        }
    );
    assert_eq!(
        status(&data, "jpki/notifier-g2", "jpki/signing-ca-g2", AT),
        RevocationStatus::Unknown(UnknownStatus::CrlSignatureInvalid)
    );
    assert_eq!(
        status(&data, "tls/gateway-server", "tls/ca", AT),
        RevocationStatus::Unknown(UnknownStatus::NoCrlForIssuer)
    );
    let late = AT + Duration::days(30) + Duration::seconds(1);
    assert_eq!(
        status(&data, "jpki/notifier", "jpki/signing-ca-g1", late),
        RevocationStatus::Unknown(UnknownStatus::CrlExpired {
            next_update: AT + Duration::days(30),
            at: late,
        })
    );
}

#[test]
fn a_million_entry_crl_loads_and_answers() {
    let pki = certs::generate_dev_pki(&DevPkiOptions::fixture()).expect("generates");
    let count: u32 = 1_000_000;
    let revoked: Vec<_> = (0..count)
        .map(|i| {
            let mut serial = vec![0x10];
            serial.extend(i.to_be_bytes());
            (
                serial,
                AT - Duration::days(2),
                RevocationReason::KeyCompromise,
            )
        })
        .collect();
    let der = pki
        .issue_crl(
            DevCert::SigningCaG1,
            &revoked,
            AT - Duration::hours(1),
            AT + Duration::days(1),
        )
        .expect("issues");
    let mut data = RevocationData::new();
    data.add_crls(&der).expect("loads");
    assert_eq!(data.crls()[0].len(), 1_000_000);
    let (subject, spki) = issuer_parts("jpki/signing-ca-g1");
    let issuer = CrlIssuer {
        subject: &subject,
        spki: &spki,
    };
    let mut probe = vec![0x10];
    probe.extend(777_777u32.to_be_bytes());
    assert_eq!(
        data.status(&probe, issuer, AT),
        RevocationStatus::Revoked {
            revoked_at: AT - Duration::days(2),
            reason: Some(RevocationReason::KeyCompromise),
        }
    );
    assert!(matches!(
        data.status(&serial_bytes("jpki/notifier"), issuer, AT),
        RevocationStatus::Good { .. }
    ));
}

/// Builds a CRL by hand so its extensions can be anything; signature is junk
/// (these CRLs must be refused before any signature check).
fn hand_crl(version: Option<u8>, crl_extensions: &[u8], entry_extensions: &[u8]) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend([0x81, len as u8]);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(content);
        out
    }
    let alg = tlv(
        0x30,
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
        ],
    );
    let name = tlv(
        0x30,
        &tlv(
            0x31,
            &tlv(
                0x30,
                &[&[0x06, 0x03, 0x55, 0x04, 0x03][..], &tlv(0x0c, b"CA")].concat(),
            ),
        ),
    );
    let mut tbs = Vec::new();
    if let Some(v) = version {
        tbs.extend(tlv(0x02, &[v]));
    }
    tbs.extend(&alg);
    tbs.extend(&name);
    tbs.extend(tlv(0x17, b"260331000000Z"));
    tbs.extend(tlv(0x17, b"260501000000Z"));
    let mut entry = tlv(0x02, &[0x05]);
    entry.extend(tlv(0x17, b"260301000000Z"));
    if !entry_extensions.is_empty() {
        entry.extend(tlv(0x30, entry_extensions));
    }
    tbs.extend(tlv(0x30, &tlv(0x30, &entry)));
    if !crl_extensions.is_empty() {
        tbs.extend(tlv(0xa0, &tlv(0x30, crl_extensions)));
    }
    let mut list = tlv(0x30, &tbs);
    list.extend(&alg);
    list.extend(tlv(0x03, &[0x00, 0xde, 0xad]));
    tlv(0x30, &list)
}

#[test]
fn crls_changing_meaning_are_refused() {
    // Baseline: the hand-made CRL parses.
    let crl = Crl::from_der(&hand_crl(Some(1), &[], &[])).expect("plain v2 CRL parses");
    assert_eq!(crl.len(), 1);
    // Delta CRL indicator (2.5.29.27), critical.
    let delta = [
        0x30, 0x0d, 0x06, 0x03, 0x55, 0x1d, 0x1b, 0x01, 0x01, 0xff, 0x04, 0x03, 0x02, 0x01, 0x01,
    ];
    assert!(matches!(
        Crl::from_der(&hand_crl(Some(1), &delta, &[])),
        Err(CrlError::UnsupportedCriticalExtension { oid }) if oid == "2.5.29.27"
    ));
    // certificateIssuer (2.5.29.29) entry extension, critical: indirect CRL.
    let indirect = [
        0x30, 0x0c, 0x06, 0x03, 0x55, 0x1d, 0x1d, 0x01, 0x01, 0xff, 0x04, 0x02, 0x30, 0x00,
    ];
    assert!(matches!(
        Crl::from_der(&hand_crl(Some(1), &[], &indirect)),
        Err(CrlError::UnsupportedCriticalExtension { oid }) if oid == "2.5.29.29"
    ));
    // Reason code 7 does not exist.
    let reason7 = [
        0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, 0x07,
    ];
    assert!(matches!(
        Crl::from_der(&hand_crl(Some(1), &[], &reason7)),
        Err(CrlError::UnknownReason { code: 7 })
    ));
    // v1 CRLs are refused.
    assert!(matches!(
        Crl::from_der(&hand_crl(None, &[], &[])),
        Err(CrlError::UnsupportedVersion)
    ));
    // Trailing garbage and truncation are malformed.
    let mut trailing = hand_crl(Some(1), &[], &[]);
    trailing.push(0);
    assert!(matches!(
        Crl::from_der(&trailing),
        Err(CrlError::Malformed { .. })
    ));
    let full = read("jpki/signing-ca-g1.crl.der");
    assert!(matches!(
        Crl::from_der(&full[..full.len() - 1]),
        Err(CrlError::Malformed { .. })
    ));
}

#[test]
fn a_crl_signed_by_the_wrong_key_is_not_believed() {
    let (subject, _) = issuer_parts("jpki/signing-ca-g1");
    let (_, other_spki) = issuer_parts("jpki/root-g1");
    let mut data = RevocationData::new();
    data.add_crls(&read("jpki/signing-ca-g1.crl.pem"))
        .expect("crl");
    assert_eq!(
        data.status(
            &serial_bytes("jpki/notifier-revoked"),
            CrlIssuer {
                subject: &subject,
                spki: &other_spki,
            },
            AT,
        ),
        RevocationStatus::Unknown(UnknownStatus::CrlSignatureInvalid)
    );
}

#[test]
fn crl_loading_errors_are_specific() {
    let mut data = RevocationData::new();
    assert!(matches!(
        data.add_crls(b"-----BEGIN X509 CRL-----\n!!!\n-----END X509 CRL-----\n"),
        Err(CrlError::Pem { .. })
    ));
    assert!(matches!(
        data.add_crls(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        Err(CrlError::Pem { .. })
    ));
    assert!(matches!(
        data.load(Path::new("/nonexistent/crl.der")),
        Err(CrlError::Io { .. })
    ));
    let empty = tempdir("empty-crl-dir");
    assert!(matches!(data.load(&empty), Err(CrlError::NoCrls { .. })));
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("certs-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn trust_store_loads_directories_of_pem_and_der() {
    let dir = tempdir("anchors");
    std::fs::copy(
        fixtures().join("jpki/root-g1.pem"),
        dir.join("a-root-g1.pem"),
    )
    .expect("copy");
    std::fs::copy(
        fixtures().join("jpki/root-g2.der"),
        dir.join("b-root-g2.der"),
    )
    .expect("copy");
    std::fs::write(
        dir.join("notes.txt"),
        "ignored: not a certificate extension",
    )
    .expect("write");
    let mut store = TrustStore::new();
    assert_eq!(
        store
            .load_anchors(&dir, &[PolicyOid::JPKI_TEST])
            .expect("loads"),
        2
    );
    assert_eq!(store.anchor_count(), 2);
    // A PEM bundle with both CAs.
    let bundle = tempdir("bundle").join("cas.pem");
    let mut text = read("jpki/signing-ca-g1.pem");
    text.extend(read("jpki/signing-ca-g2.pem"));
    std::fs::write(&bundle, text).expect("write");
    assert_eq!(store.load_intermediates(&bundle).expect("loads"), 2);
    assert_eq!(store.ca_certificates().count(), 4);
}

#[test]
fn trust_store_errors_are_specific() {
    let mut store = TrustStore::new();
    assert!(matches!(
        store.add_anchor(&read("jpki/root-g1.der"), &[]),
        Err(TrustStoreError::NoPolicies)
    ));
    assert!(matches!(
        store.add_anchor(b"garbage", &[PolicyOid::JPKI_TEST]),
        Err(TrustStoreError::Certificate { .. })
    ));
    assert!(matches!(
        store.load_anchors(Path::new("/nonexistent"), &[PolicyOid::JPKI_TEST]),
        Err(TrustStoreError::Io { .. })
    ));
    let empty = tempdir("no-anchors");
    assert!(matches!(
        store.load_anchors(&empty, &[PolicyOid::JPKI_TEST]),
        Err(TrustStoreError::NoCertificates { .. })
    ));
    assert!(matches!(
        PolicyOid::parse("1.2.x"),
        Err(TrustStoreError::InvalidPolicyOid { .. })
    ));
    assert_eq!(
        PolicyOid::parse("1.2.392.200149.8.5.1.1.20").expect("valid"),
        PolicyOid::JPKI_PRODUCTION
    );
    assert_eq!(store.anchor_count(), 0, "nothing half-added");
}
