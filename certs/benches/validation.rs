//! Throughput of the verifier's certificate checks.
//!
//! `cargo bench -p certs --bench validation` prints:
//! - `chain/validate_notifier_jlis_profile`: full validations (path,
//!   policy, keyUsage, holder attributes, CRL status) per second, as
//!   `thrpt … elem/s`, of a certificate shaped like the J-LIS profile
//!   (critical certificatePolicies: the crate's own path validator);
//! - `chain/validate_notifier_webpki`: the same with non-critical policies,
//!   i.e. through rustls-webpki;
//! - `crl_1m/lookup_*`: one status lookup in a CRL of 1,000,000 entries;
//! - `crl_1m/load`: parsing that CRL (signature verification excluded; it is
//!   done once per issuer key and remembered).

use std::hint::black_box;
use std::time::Instant;

use certs::{
    CrlIssuer, DevCert, DevPkiOptions, RevocationData, RevocationReason, generate_dev_pki,
    validate_signing_certificate,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use time::Duration;

const ENTRIES: u32 = 1_000_000;

fn benches(c: &mut Criterion) {
    let at = DevPkiOptions::FIXTURE_TIME;
    let pki = generate_dev_pki(&DevPkiOptions::fixture()).expect("dev PKI");
    let store = pki.trust_store();
    let crls = pki.revocation_data();
    let notifier = pki.get(DevCert::Notifier).certificate.clone();
    assert!(validate_signing_certificate(&store, &crls, notifier.as_ref(), &[], at).is_ok());

    let webpki_variant = pki
        .issue_variant(DevCert::Notifier, "bench-non-critical", None, |p| {
            for ext in &mut p.custom_extensions {
                ext.set_criticality(false);
            }
        })
        .expect("variant")
        .certificate;
    assert!(validate_signing_certificate(&store, &crls, webpki_variant.as_ref(), &[], at).is_ok());

    let mut group = c.benchmark_group("chain");
    group.throughput(Throughput::Elements(1));
    group.bench_function("validate_notifier_jlis_profile", |b| {
        b.iter(|| {
            validate_signing_certificate(&store, &crls, black_box(notifier.as_ref()), &[], at)
        })
    });
    group.bench_function("validate_notifier_webpki", |b| {
        b.iter(|| {
            validate_signing_certificate(&store, &crls, black_box(webpki_variant.as_ref()), &[], at)
        })
    });
    group.finish();

    // A CRL with a million entries, signed by signing CA G1.
    let started = Instant::now();
    let revoked: Vec<_> = (0..ENTRIES)
        .map(|i| {
            let mut serial = vec![0x10];
            serial.extend(i.to_be_bytes());
            serial.extend([0xab; 11]);
            (
                serial,
                at - Duration::days(2),
                RevocationReason::KeyCompromise,
            )
        })
        .collect();
    let der = pki
        .issue_crl(
            DevCert::SigningCaG1,
            &revoked,
            at - Duration::hours(1),
            at + Duration::days(1),
        )
        .expect("CRL");
    eprintln!(
        "generated a CRL of {ENTRIES} entries, {} bytes, in {:.2?}",
        der.len(),
        started.elapsed()
    );
    let started = Instant::now();
    let mut data = RevocationData::new();
    data.add_crls(&der).expect("loads");
    eprintln!("loaded it in {:.2?}", started.elapsed());

    let ca = pki.get(DevCert::SigningCaG1).certificate.clone();
    let (_, parsed) = x509_parser::parse_x509_certificate(ca.as_ref()).expect("CA parses");
    let issuer = CrlIssuer {
        subject: parsed.subject().as_raw(),
        spki: parsed.public_key().raw,
    };
    let started = Instant::now();
    let present = revoked[777_777].0.clone();
    assert!(matches!(
        data.status(&present, issuer, at),
        certs::RevocationStatus::Revoked { .. }
    ));
    eprintln!(
        "first lookup (verifies the CRL signature once) took {:.2?}",
        started.elapsed()
    );
    let absent = pki
        .get(DevCert::Notifier)
        .serial
        .as_bytes()
        .chunks(2)
        .filter_map(|h| {
            std::str::from_utf8(h)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Vec<u8>>();

    let mut group = c.benchmark_group("crl_1m");
    group.throughput(Throughput::Elements(1));
    group.bench_function("lookup_revoked", |b| {
        b.iter(|| data.status(black_box(&present), issuer, at))
    });
    group.bench_function("lookup_not_listed", |b| {
        b.iter(|| data.status(black_box(&absent), issuer, at))
    });
    group.sample_size(10);
    group.throughput(Throughput::Bytes(der.len() as u64));
    group.bench_function("load", |b| {
        b.iter(|| certs::Crl::from_der(black_box(&der)).expect("parses"))
    });
    group.finish();
}

criterion_group!(validation, benches);
criterion_main!(validation);
