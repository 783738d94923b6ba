//! Arbitrary bytes as the `manifest` part: parsing returns a manifest or
//! `manifest.*` problems pointing into the manifest; a parsed manifest
//! checked against parts never panics and names only listed or received parts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::manifest::{Manifest, Part, check_parts};

fuzz_target!(|data: &[u8]| {
    match Manifest::parse(data) {
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in &problems {
                assert!(p.code.starts_with("manifest."));
                assert!(p.pointer.starts_with("manifest#"));
            }
        }
        Ok(manifest) => {
            let parts = [
                Part { name: "notification", media_type: "application/json", bytes: b"{}", sha256: None },
                Part { name: "certificate-1", media_type: "image/jpeg", bytes: data, sha256: None },
            ];
            for p in check_parts(&manifest, &parts) {
                assert!(p.code.starts_with("manifest."));
            }
            // Serializing back gives a manifest that parses again.
            assert!(Manifest::parse(&manifest.to_bytes()).is_ok());
        }
    }
});
