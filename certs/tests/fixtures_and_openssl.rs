//! The committed fixtures are exactly what the generator makes, and an
//! independent implementation (the `openssl` CLI) agrees with them.
//!
//! Regenerate after a deliberate generator change with
//! `cargo run -p certs --bin birthgate-devpki -- --out certs/tests/fixtures --fixture`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use certs::client_identity::{ClientIdentity, client_identities};
use certs::devpki::DevPkiManifest;
use certs::{DevCert, DevPki, DevPkiOptions, generate_dev_pki};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture PKI, generated once per test binary.
fn pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| generate_dev_pki(&DevPkiOptions::fixture()).expect("generates"))
}

fn files_under(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("fixture directory readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files_under(&path, base, out);
        } else {
            let relative = path.strip_prefix(base).expect("under base");
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn regenerating_the_fixtures_leaves_no_diff() {
    let generated = pki().files().expect("files");
    let mut on_disk = BTreeSet::new();
    files_under(&fixtures(), &fixtures(), &mut on_disk);
    let expected: BTreeSet<String> = generated.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        on_disk, expected,
        "fixture file set differs; regenerate with `cargo run -p certs --bin birthgate-devpki -- --out \
         certs/tests/fixtures --fixture` after removing the directory"
    );
    for (relative, bytes) in generated {
        let committed = std::fs::read(fixtures().join(&relative)).expect("fixture readable");
        assert!(
            committed == bytes,
            "{relative} differs from the generator's output; regenerate with `cargo run -p certs --bin \
             birthgate-devpki -- --out certs/tests/fixtures --fixture`"
        );
    }
}

#[test]
fn another_seed_or_time_gives_other_keys_and_windows() {
    let base = pki();
    let later = DevPkiOptions::FIXTURE_TIME + time::Duration::days(400);
    let moved = generate_dev_pki(&DevPkiOptions {
        reference_time: later,
        seed: [9; 32],
    })
    .expect("generates");
    let a = base.get(DevCert::Notifier);
    let b = moved.get(DevCert::Notifier);
    assert_ne!(a.private_key_der, b.private_key_der);
    assert_ne!(a.serial, b.serial);
    assert_eq!(b.not_before, later - time::Duration::days(90));
    assert_eq!(
        moved.crl(certs::DevCrl::SigningCaG1).next_update,
        later + time::Duration::days(30)
    );
}

#[test]
fn manifest_describes_every_file_and_holder() {
    let manifest: DevPkiManifest =
        serde_json::from_slice(&std::fs::read(fixtures().join("pki.json")).expect("pki.json"))
            .expect("parses");
    assert_eq!(manifest.reference_time, DevPkiOptions::FIXTURE_TIME);
    assert_eq!(manifest.certificates.len(), DevCert::ALL.len());
    for cert in &manifest.certificates {
        for file in [
            &cert.files.certificate_pem,
            &cert.files.certificate_der,
            &cert.files.private_key_pem,
            &cert.files.private_key_der,
        ] {
            assert!(fixtures().join(file).is_file(), "{file} listed but missing");
        }
    }
    let notifier = manifest
        .certificates
        .iter()
        .find(|c| c.name == DevCert::Notifier)
        .expect("notifier listed");
    let holder = notifier.holder.as_ref().expect("holder attributes listed");
    assert_eq!(holder.name, "𠮷田\u{3000}\u{FA45}斗");
    assert_eq!(holder.birth_date.encode(), "419900415");
    let revoked = manifest
        .certificates
        .iter()
        .find(|c| c.name == DevCert::NotifierRevoked)
        .expect("listed");
    assert_eq!(manifest.crls[0].revoked.len(), 1);
    assert_eq!(manifest.crls[0].revoked[0].serial, revoked.serial);
    assert_eq!(manifest.trust_anchors.len(), 2);
    assert_eq!(
        manifest.trust_anchors[0].policies,
        vec!["1.2.392.200149.8.5.1.0.20".to_owned()]
    );
}

#[test]
fn client_certificates_carry_their_codes() {
    let read = |stem: &str| std::fs::read(fixtures().join(format!("{stem}.der"))).expect("fixture");
    assert_eq!(
        client_identities(&read("tls/municipality-131016")),
        Ok(vec![ClientIdentity::Municipality("131016".to_owned())])
    );
    assert_eq!(
        client_identities(&read("tls/municipality-141011")),
        Ok(vec![ClientIdentity::Municipality("141011".to_owned())])
    );
    assert_eq!(
        client_identities(&read("tls/hospital-1310000001")),
        Ok(vec![ClientIdentity::MedicalInstitution(
            "1310000001".to_owned()
        )])
    );
    assert_eq!(client_identities(&read("tls/gateway-server")), Ok(vec![]));
}

#[test]
fn gateway_server_certificate_is_valid_for_localhost() {
    let pki = pki();
    let anchor =
        webpki::anchor_from_trusted_cert(&pki.get(DevCert::TlsRoot).certificate).expect("anchor");
    let server = webpki::EndEntityCert::try_from(&pki.get(DevCert::GatewayServer).certificate)
        .expect("parses");
    let at = rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(DevPkiOptions::FIXTURE_TIME.unix_timestamp()).expect("after 1970"),
    ));
    server
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            std::slice::from_ref(&anchor),
            &[],
            at,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .expect("server certificate chains to the TLS root for serverAuth");
    for name in ["localhost", "127.0.0.1", "::1"] {
        let name = rustls_pki_types::ServerName::try_from(name).expect("name");
        server
            .verify_is_valid_for_subject_name(&name)
            .expect("name matches");
    }
    let client = webpki::EndEntityCert::try_from(&pki.get(DevCert::Municipality131016).certificate)
        .expect("parses");
    client
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &[],
            at,
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .expect("municipal certificate chains for clientAuth");
}

/// Runs `openssl verify` at the fixtures' reference time. A missing binary
/// fails the test: an absent independent check must not look like a pass.
fn openssl_verify(extra: &[&str], certificate: &str) -> (bool, String) {
    let openssl = Path::new("/usr/bin/openssl");
    assert!(
        openssl.is_file(),
        "/usr/bin/openssl is required for this test (apt-get install openssl)"
    );
    let dir = fixtures().join("jpki");
    let at = DevPkiOptions::FIXTURE_TIME.unix_timestamp().to_string();
    let output = Command::new(openssl)
        .current_dir(&dir)
        .arg("verify")
        .args(["-attime", &at])
        .args(extra)
        .arg(certificate)
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn openssl_accepts_the_notifiers_and_rejects_the_revoked_one() {
    let g1 = ["-CAfile", "root-g1.pem", "-untrusted", "signing-ca-g1.pem"];
    let (ok, text) = openssl_verify(&g1, "notifier.pem");
    assert!(ok, "{text}");
    assert!(text.contains("notifier.pem: OK"), "{text}");

    let (ok, text) = openssl_verify(
        &["-CAfile", "root-g2.pem", "-untrusted", "signing-ca-g2.pem"],
        "notifier-g2.pem",
    );
    assert!(ok, "{text}");

    let with_crl = [
        "-CAfile",
        "root-g1.pem",
        "-untrusted",
        "signing-ca-g1.pem",
        "-crl_check",
        "-CRLfile",
        "signing-ca-g1.crl.pem",
    ];
    let (ok, text) = openssl_verify(&with_crl, "notifier.pem");
    assert!(ok, "the valid notifier passes the CRL check too: {text}");

    // Without the CRL the revoked certificate still chains...
    let (ok, text) = openssl_verify(&g1, "notifier-revoked.pem");
    assert!(ok, "{text}");
    // ...and with it, openssl reports it revoked.
    let (ok, text) = openssl_verify(&with_crl, "notifier-revoked.pem");
    assert!(!ok, "{text}");
    assert!(text.contains("certificate revoked"), "{text}");

    let (ok, text) = openssl_verify(&g1, "notifier-expired.pem");
    assert!(!ok);
    assert!(text.contains("certificate has expired"), "{text}");

    let (ok, text) = openssl_verify(&g1, "notifier-untrusted.pem");
    assert!(!ok, "{text}");
}

/// RSA-PSS: openssl (an independent encoder) issues a PSS-signed notifier
/// certificate under the fixture signing CA; our validation accepts it.
/// The certificate is made now, so this one test validates at the clock's
/// time, with a CRL issued for that time. (`FORMAT:UTF8` matters: without
/// it openssl reads the text as Latin-1 and double-encodes it, which the
/// holder-attribute parser rejects as control characters.)
#[test]
fn rsa_pss_signed_certificate_from_openssl_is_accepted() {
    // Non-critical policies: rustls-webpki's path; critical: the own path validator.
    for critical in [false, true] {
        pss_case(critical);
    }
}

fn pss_case(critical: bool) {
    let openssl = Path::new("/usr/bin/openssl");
    assert!(
        openssl.is_file(),
        "/usr/bin/openssl is required for this test"
    );
    let dir = std::env::temp_dir().join(format!("certs-pss-{}-{critical}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let jpki = fixtures().join("jpki");
    let policies = if critical {
        "critical,1.2.392.200149.8.5.1.0.20"
    } else {
        "1.2.392.200149.8.5.1.0.20"
    };
    let config = format!(
        "[ext]\n\
        keyUsage = critical,digitalSignature,nonRepudiation\n\
        certificatePolicies = {policies}\n\
        subjectAltName = @san\n\
        [san]\n\
        otherName.1 = 1.2.392.200149.8.5.5.4;PRINTABLESTRING:419940615\n\
        otherName.2 = 1.2.392.200149.8.5.5.1;FORMAT:UTF8,UTF8:𠮷田\u{3000}\u{FA45}子\n\
        otherName.3 = 1.2.392.200149.8.5.5.2;PRINTABLESTRING:0\n\
        otherName.4 = 1.2.392.200149.8.5.5.3;PRINTABLESTRING:2\n\
        otherName.5 = 1.2.392.200149.8.5.5.5;FORMAT:UTF8,UTF8:東京都千代田区千代田１番１号\n\
        otherName.6 = 1.2.392.200149.8.5.5.6;PRINTABLESTRING:0\n"
    );
    std::fs::write(dir.join("ext.cnf"), config).expect("write config");
    let run = |args: &[&str]| {
        let output = Command::new(openssl)
            .current_dir(&dir)
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let key = jpki.join("notifier.key.pem");
    let ca = jpki.join("signing-ca-g1.pem");
    let ca_key = jpki.join("signing-ca-g1.key.pem");
    run(&[
        "req",
        "-new",
        "-key",
        key.to_str().expect("utf-8 path"),
        "-subj",
        "/C=JP/L=Chiyoda-ku/CN=PSSNOTIFIER",
        "-out",
        "req.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "req.csr",
        "-CA",
        ca.to_str().expect("utf-8 path"),
        "-CAkey",
        ca_key.to_str().expect("utf-8 path"),
        "-set_serial",
        "0x5055",
        "-days",
        "30",
        "-sha256",
        "-sigopt",
        "rsa_padding_mode:pss",
        "-sigopt",
        "rsa_pss_saltlen:32",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "ext",
        "-outform",
        "DER",
        "-out",
        "pss.der",
    ]);
    let der = std::fs::read(dir.join("pss.der")).expect("certificate written");
    let (_, parsed) = x509_parser::parse_x509_certificate(&der).expect("parses");
    assert_eq!(
        parsed.signature_algorithm.algorithm.to_id_string(),
        "1.2.840.113549.1.1.10",
        "signed with RSASSA-PSS"
    );
    let policy_extension = parsed
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.32")
        .expect("policies");
    assert_eq!(policy_extension.critical, critical);

    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("valid")
        + time::Duration::minutes(1);
    let pki = pki();
    let crl = pki
        .issue_crl(
            DevCert::SigningCaG1,
            &[],
            now - time::Duration::hours(1),
            now + time::Duration::days(1),
        )
        .expect("crl");
    let mut crls = certs::RevocationData::new();
    crls.add_crls(&crl).expect("crl loads");
    let valid = certs::validate_signing_certificate(&pki.trust_store(), &crls, &der, &[], now)
        .expect("PSS-signed notifier certificate is valid");
    assert_eq!(valid.holder.name, "𠮷田\u{3000}\u{FA45}子");
    assert_eq!(valid.holder.name_substitute_flags, "0");
    assert_eq!(valid.identifier, "PSSNOTIFIER");
    let _ = std::fs::remove_dir_all(&dir);
}
