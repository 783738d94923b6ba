//! CRL loading (DER and PEM) and status lookups on whatever loads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut crls = certs::RevocationData::new();
    if crls.add_crls(data).is_ok() {
        let at = certs::DevPkiOptions::FIXTURE_TIME;
        let issuer = certs::CrlIssuer {
            subject: data.get(..data.len().min(64)).unwrap_or_default(),
            spki: data,
        };
        let _ = crls.status(&[0x01], issuer, at);
    }
});
