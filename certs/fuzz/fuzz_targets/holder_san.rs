//! subjectAltName `GeneralNames` → JPKI holder attributes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(attributes) = certs::holder_attributes_from_san(data) {
        // Anything accepted re-encodes to something that parses to the same value.
        let again = certs::encode_holder_san(&attributes, &certs::HolderAttribute::ALL);
        assert_eq!(
            certs::holder_attributes_from_san(&again).ok(),
            Some(attributes)
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(date) = certs::decode_birth_date(text) {
            assert_eq!(date.encode(), text);
        }
    }
});
