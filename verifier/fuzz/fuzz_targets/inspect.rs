//! Arbitrary bytes and a declared media type through `inspect`: it must
//! return a report whose problems are all `attachment.*` about the part.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::attachment::{AttachmentPolicy, InProcessPdfText, inspect};

const DECLARED: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/tiff",
    "application/pdf",
    "image/heic",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let declared = DECLARED[usize::from(selector) % DECLARED.len()];
    let mut policy = AttachmentPolicy::default();
    // Keep each run small so the fuzzer explores structure, not big buffers.
    policy.max_pixels = 16_000_000;
    policy.max_alloc_bytes = 256 * 1024 * 1024;
    let report = inspect(
        "certificate-1",
        declared,
        bytes,
        &policy,
        &InProcessPdfText,
        None,
    );
    for p in &report.problems {
        assert!(p.code.starts_with("attachment."));
        assert_eq!(p.pointer, "certificate-1");
    }
});
