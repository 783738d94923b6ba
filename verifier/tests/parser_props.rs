//! Property tests (run in CI) for the manifest and CMS parsers: arbitrary
//! and mutated bytes never panic, never pass, and always come back as
//! problems of their own namespace.

mod support;

use certs::Indication;
use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;
use verifier::manifest::Manifest;
use verifier::signature::check_signature;
use verifier::signer::{SignOptions, sign_detached};

const AT: OffsetDateTime = datetime!(2026-04-15 03:00 UTC);
const MANIFEST: &[u8] = br#"{"manifest_version":"1","notification":{"media_type":"application/json","size":2,"sha256":"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"attachments":[]}"#;

fn valid_signature() -> Vec<u8> {
    sign_detached(
        MANIFEST,
        &support::read_fixture("notifier.der"),
        &[],
        &support::read_fixture("notifier.key.der"),
        SignOptions {
            signed_attributes: true,
            signing_time: AT,
        },
    )
    .expect("signs")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_manifest_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(problems) = Manifest::parse(&bytes) {
            prop_assert!(!problems.is_empty());
            prop_assert!(problems.iter().all(|p| p.code.starts_with("manifest.") && p.pointer.starts_with("manifest#")));
        }
    }

    #[test]
    fn mutated_manifest_text(index in 0usize..MANIFEST.len(), byte in any::<u8>()) {
        let mut m = MANIFEST.to_vec();
        m[index] = byte;
        match Manifest::parse(&m) {
            Ok(parsed) => prop_assert!(Manifest::parse(&parsed.to_bytes()).is_ok()),
            Err(problems) => prop_assert!(problems.iter().all(|p| p.code.starts_with("manifest."))),
        }
    }

    #[test]
    fn arbitrary_cms_bytes_never_pass(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let (store, crls) = support::jpki_trust();
        let c = check_signature(&bytes, MANIFEST, &store, &crls, AT);
        prop_assert_ne!(c.report.indication, Indication::TotalPassed);
        prop_assert!(!c.problems.is_empty() && c.problems.iter().all(|p| p.code.starts_with("signature.")));
    }
}

#[test]
fn every_single_byte_mutation_of_a_valid_signature_is_caught_or_harmless() {
    let sig = valid_signature();
    let (store, crls) = support::jpki_trust();
    assert_eq!(
        check_signature(&sig, MANIFEST, &store, &crls, AT)
            .report
            .indication,
        Indication::TotalPassed
    );
    let mut passed_mutations = 0;
    for i in (0..sig.len()).step_by(3) {
        let mut m = sig.clone();
        m[i] ^= 0x5A;
        let c = check_signature(&m, MANIFEST, &store, &crls, AT);
        if c.report.indication == Indication::TotalPassed {
            // Only bytes outside what is signed can change without failing:
            // the unsigned certificate set must then still hold the same key.
            passed_mutations += 1;
        } else {
            assert!(c.problems.iter().all(|p| p.code.starts_with("signature.")));
        }
    }
    // Without a chain in the CMS, the signature value, the signed attributes
    // and the signer certificate (signed by its CA) cover almost every byte;
    // only unsigned envelope fields (the CMS version, the digestAlgorithms
    // hint) may change harmlessly.
    assert!(
        passed_mutations <= 4,
        "{passed_mutations} of {} mutations passed",
        sig.len() / 3
    );
}
