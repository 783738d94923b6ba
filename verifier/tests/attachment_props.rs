//! Property tests: arbitrary and mutated bytes through `inspect` never
//! panic, and every problem is an `attachment.*` code about the part.

mod support;

use std::sync::OnceLock;

use proptest::prelude::*;
use support::*;
use verifier::attachment::{AttachmentPolicy, InProcessPdfText, inspect};

const DECLARED: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/tiff",
    "application/pdf",
    "image/heic",
    "text/plain",
];

fn seeds() -> &'static Vec<(&'static str, Vec<u8>)> {
    static SEEDS: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let page = certificate_page(200, 283, 1);
        let mut pdf = lopdf::Document::with_version("1.5");
        let pages = pdf.new_object_id();
        let content = pdf.add_object(lopdf::Stream::new(lopdf::Dictionary::new(), b"BT ET".to_vec()));
        let page_id = pdf.add_object(lopdf::dictionary! { "Type" => "Page", "Parent" => pages, "Contents" => content });
        pdf.objects.insert(
            pages,
            lopdf::Object::Dictionary(lopdf::dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
        );
        let catalog = pdf.add_object(lopdf::dictionary! { "Type" => "Catalog", "Pages" => pages });
        pdf.trailer.set("Root", catalog);
        let mut pdf_bytes = Vec::new();
        pdf.save_to(&mut pdf_bytes).expect("pdf");
        vec![
            ("image/jpeg", jpeg(&page, 80)),
            ("image/png", png(&page)),
            ("image/gif", encode(&page, image::ImageFormat::Gif)),
            ("image/tiff", encode(&page, image::ImageFormat::Tiff)),
            ("application/pdf", pdf_bytes),
        ]
    })
}

fn check(declared: &str, bytes: &[u8]) {
    let mut policy = AttachmentPolicy::default();
    policy.max_pixels = 4_000_000;
    let r = inspect(
        "certificate-9",
        declared,
        bytes,
        &policy,
        &InProcessPdfText,
        None,
    );
    assert_eq!(r.size, bytes.len());
    for p in &r.problems {
        assert!(p.code.starts_with("attachment."), "{p:?}");
        assert_eq!(p.pointer, "certificate-9");
    }
    // A copy is only offered when the bytes were readable as an image.
    if r.stripped.is_some() {
        assert!(r.sniffed_media_type.is_some());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_yield_a_report(bytes in proptest::collection::vec(any::<u8>(), 0..2048), d in 0..DECLARED.len()) {
        check(DECLARED[d], &bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_a_real_signature_yield_a_report(
        which in 0..5usize,
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let (declared, seed) = &seeds()[which];
        let mut bytes = seed[..seed.len().min(16)].to_vec();
        bytes.extend_from_slice(&tail);
        check(declared, &bytes);
    }

    #[test]
    fn mutated_valid_files_yield_a_report(
        which in 0..5usize,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let (declared, seed) = &seeds()[which];
        let mut bytes = seed.clone();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        check(declared, &bytes);
    }
}

#[test]
fn seeds_are_valid() {
    // The mutations start from files that pass (apart from their tiny size).
    for (declared, bytes) in seeds() {
        let r = inspect(
            "certificate-9",
            declared,
            bytes,
            &AttachmentPolicy::default(),
            &InProcessPdfText,
            None,
        );
        let codes: Vec<&str> = r.problems.iter().map(|p| p.code.as_str()).collect();
        assert!(
            codes
                .iter()
                .all(|c| matches!(*c, "attachment.resolution_low")),
            "{declared}: {codes:?}"
        );
    }
}
