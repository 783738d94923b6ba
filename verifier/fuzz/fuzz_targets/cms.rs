//! Arbitrary bytes as the `signature` part (DER CMS) over a fixed manifest,
//! against the dev-PKI fixtures: never panics, never TOTAL-PASSED for bytes
//! that were not made by the notifier's key, always a `signature.*` problem
//! when not passed.
#![no_main]

use std::sync::OnceLock;

use certs::{Indication, PolicyOid, RevocationData, TrustStore};
use libfuzzer_sys::fuzz_target;
use verifier::signature::check_signature;

fn trust() -> &'static (TrustStore, RevocationData) {
    static T: OnceLock<(TrustStore, RevocationData)> = OnceLock::new();
    T.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../certs/tests/fixtures/jpki");
        let read = |n: &str| std::fs::read(dir.join(n)).expect("fixture");
        let mut store = TrustStore::new();
        store.add_anchor(&read("root-g1.der"), &[PolicyOid::JPKI_TEST]).expect("anchor");
        store.add_intermediate(&read("signing-ca-g1.der")).expect("ca");
        let mut crls = RevocationData::new();
        crls.add_crls(&read("signing-ca-g1.crl.der")).expect("crl");
        (store, crls)
    })
}

fuzz_target!(|data: &[u8]| {
    let (store, crls) = trust();
    let at = time::macros::datetime!(2026-04-15 03:00 UTC);
    let check = check_signature(data, br#"{"manifest_version":"1"}"#, store, crls, at);
    if check.report.indication != Indication::TotalPassed {
        assert!(!check.problems.is_empty());
        assert!(check.problems.iter().all(|p| p.code.starts_with("signature.")));
    }
});
