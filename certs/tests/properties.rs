//! Property tests: the `EYYYYMMDD` decoder, and "no input bytes make the
//! parsers of untrusted data panic" (SAN/holder attributes, CRLs,
//! certificates through the whole validation).

use std::path::Path;
use std::sync::OnceLock;

use certs::{
    BirthDateError, Crl, DevPkiOptions, Era, HolderAttributeError, PolicyOid, RevocationData,
    TrustStore, decode_birth_date, holder_attributes_from_san, validate_signing_certificate,
};
use proptest::prelude::*;
use time::{Date, Duration};

fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(relative),
    )
    .expect("fixture")
}

fn notifier_san() -> &'static [u8] {
    static SAN: OnceLock<Vec<u8>> = OnceLock::new();
    SAN.get_or_init(|| {
        let der = fixture("jpki/notifier.der");
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("parses");
        cert.extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "2.5.29.17")
            .expect("san")
            .value
            .to_vec()
    })
}

fn store() -> &'static (TrustStore, RevocationData) {
    static STORE: OnceLock<(TrustStore, RevocationData)> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = TrustStore::new();
        store
            .add_anchor(&fixture("jpki/root-g1.der"), &[PolicyOid::JPKI_TEST])
            .expect("anchor");
        store
            .add_intermediate(&fixture("jpki/signing-ca-g1.der"))
            .expect("ca");
        let mut crls = RevocationData::new();
        crls.add_crls(&fixture("jpki/signing-ca-g1.crl.der"))
            .expect("crl");
        (store, crls)
    })
}

fn any_date() -> impl Strategy<Value = Date> {
    // 1868-01-25 (明治) to 2099-12-31.
    let start = Date::from_calendar_date(1868, time::Month::January, 25).expect("date");
    (0i64..84_000).prop_map(move |days| start + Duration::days(days))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every date with its own era digit decodes to itself; with any other
    /// era digit it is an era mismatch.
    #[test]
    fn birth_date_round_trips(date in any_date(), other in 1u8..=5) {
        let era = Era::of(date).expect("on or after 明治");
        let text = format!("{}{:04}{:02}{:02}", era.digit(), date.year(), u8::from(date.month()), date.day());
        let decoded = decode_birth_date(&text).expect("valid");
        prop_assert_eq!(decoded.date, date);
        prop_assert_eq!(decoded.era, era);
        prop_assert_eq!(decoded.encode(), text.clone());
        if other != era.digit() {
            let wrong = format!("{other}{}", &text[1..]);
            prop_assert_eq!(decode_birth_date(&wrong), Err(BirthDateError::EraMismatch { digit: other, date }));
        }
    }

    /// Arbitrary text never panics, and anything accepted re-encodes to the input.
    #[test]
    fn birth_date_decoder_is_total(text in "\\PC{0,12}") {
        if let Ok(date) = decode_birth_date(&text) {
            prop_assert_eq!(date.encode(), text);
        }
    }

    /// Nine ASCII digits: either a valid date or one of the specific errors.
    #[test]
    fn nine_digits_are_classified(text in "[0-9]{9}") {
        match decode_birth_date(&text) {
            Ok(date) => prop_assert_eq!(date.encode(), text),
            Err(BirthDateError::UnknownEra { digit }) => prop_assert!(digit == 0 || digit > 5),
            Err(BirthDateError::NotACalendarDate { .. } | BirthDateError::EraMismatch { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    /// Random bytes never panic the SAN parser and are never taken for holder attributes.
    #[test]
    fn san_parser_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(holder_attributes_from_san(&bytes).is_err());
    }

    /// Mutating a real SAN never panics; a mutation that still parses keeps
    /// the attribute count and yields well-formed values.
    #[test]
    fn san_parser_survives_mutation(index in any::<usize>(), value in any::<u8>(), cut in any::<usize>()) {
        let mut san = notifier_san().to_vec();
        let i = index % san.len();
        san[i] = value;
        san.truncate(cut % (san.len() + 1));
        match holder_attributes_from_san(&san) {
            Ok(attributes) => {
                prop_assert!(!attributes.name.is_empty());
                prop_assert!(!attributes.address.is_empty());
            }
            Err(HolderAttributeError::NoSubjectAltName) => prop_assert!(false, "not produced by this parser"),
            Err(_) => {}
        }
    }

    /// Random bytes never panic the CRL parser and are never a CRL.
    #[test]
    fn crl_parser_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(Crl::from_der(&bytes).is_err());
    }

    /// Mutating a real CRL never panics; any CRL that still parses and whose
    /// signed part changed no longer verifies.
    #[test]
    fn crl_parser_survives_mutation(index in any::<usize>(), value in any::<u8>()) {
        let original = fixture("jpki/signing-ca-g1.crl.der");
        let mut crl = original.clone();
        let i = index % crl.len();
        crl[i] = value;
        if let Ok(parsed) = Crl::from_der(&crl) {
            let ca = fixture("jpki/signing-ca-g1.der");
            let (_, cert) = x509_parser::parse_x509_certificate(&ca).expect("ca parses");
            if crl != original {
                prop_assert!(!parsed.is_signed_by(cert.public_key().raw));
            }
        }
    }

    /// A mutated certificate never panics validation and never passes unless
    /// unchanged.
    #[test]
    fn validation_survives_mutated_certificates(index in any::<usize>(), value in any::<u8>()) {
        let original = fixture("jpki/notifier.der");
        let mut der = original.clone();
        let i = index % der.len();
        der[i] = value;
        let (store, crls) = store();
        let outcome = validate_signing_certificate(store, crls, &der, &[], DevPkiOptions::FIXTURE_TIME);
        prop_assert_eq!(outcome.is_ok(), der == original);
    }
}
