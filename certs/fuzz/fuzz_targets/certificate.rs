//! A whole end-entity certificate through validation, holder-attribute
//! extraction and client-identity extraction.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn pki() -> &'static (certs::TrustStore, certs::RevocationData) {
    static PKI: OnceLock<(certs::TrustStore, certs::RevocationData)> = OnceLock::new();
    PKI.get_or_init(|| {
        let pki = certs::generate_dev_pki(&certs::DevPkiOptions::fixture()).expect("dev PKI");
        (pki.trust_store(), pki.revocation_data())
    })
}

fuzz_target!(|data: &[u8]| {
    let (store, crls) = pki();
    let _ = certs::validate_signing_certificate(store, crls, data, &[], certs::DevPkiOptions::FIXTURE_TIME);
    let _ = certs::holder_attributes(data);
    let _ = certs::client_identity::client_identities(data);
    let _ = certs::certificates_from_bytes(data, "fuzz");
});
