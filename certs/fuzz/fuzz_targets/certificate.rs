//! A whole end-entity certificate through validation, holder-attribute
//! extraction and client-identity extraction, against the committed
//! fixture trust store (key generation is far too slow under the fuzzer).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn pki() -> &'static (certs::TrustStore, certs::RevocationData) {
    static PKI: OnceLock<(certs::TrustStore, certs::RevocationData)> = OnceLock::new();
    PKI.get_or_init(|| {
        let mut store = certs::TrustStore::new();
        for root in [
            &include_bytes!("../../tests/fixtures/jpki/root-g1.der")[..],
            &include_bytes!("../../tests/fixtures/jpki/root-g2.der")[..],
        ] {
            store
                .add_anchor(root, &[certs::PolicyOid::JPKI_TEST])
                .expect("fixture anchor");
        }
        for ca in [
            &include_bytes!("../../tests/fixtures/jpki/signing-ca-g1.der")[..],
            &include_bytes!("../../tests/fixtures/jpki/signing-ca-g2.der")[..],
        ] {
            store.add_intermediate(ca).expect("fixture CA");
        }
        let mut crls = certs::RevocationData::new();
        crls.add_crls(include_bytes!(
            "../../tests/fixtures/jpki/signing-ca-g1.crl.der"
        ))
        .expect("fixture CRL");
        crls.add_crls(include_bytes!(
            "../../tests/fixtures/jpki/signing-ca-g2.crl.der"
        ))
        .expect("fixture CRL");
        (store, crls)
    })
}

fuzz_target!(|data: &[u8]| {
    let (store, crls) = pki();
    let _ = certs::validate_signing_certificate(
        store,
        crls,
        data,
        &[],
        certs::DevPkiOptions::FIXTURE_TIME,
    );
    let _ = certs::holder_attributes(data);
    let _ = certs::client_identity::client_identities(data);
    let _ = certs::certificates_from_bytes(data, "fuzz");
});
