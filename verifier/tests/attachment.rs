//! The attachment checks, one test per rule, each asserting the exact codes.

mod support;

use std::sync::OnceLock;

use formats::notification::BirthCertificate;
use support::*;
use verifier::attachment::{
    AttachmentCode, AttachmentPolicy, AttachmentReport, InProcessPdfText, PdfTextError,
    PdfTextExtractor, PdfTextLimits, StrippedCopy, attachment_code_table, inspect,
};

const PART: &str = "certificate-1";

fn run(declared: &str, bytes: &[u8]) -> AttachmentReport {
    run_with(declared, bytes, &AttachmentPolicy::default(), None)
}

fn run_with(
    declared: &str,
    bytes: &[u8],
    policy: &AttachmentPolicy,
    cert: Option<&BirthCertificate>,
) -> AttachmentReport {
    let r = inspect(PART, declared, bytes, policy, &InProcessPdfText, cert);
    for p in &r.problems {
        assert!(p.code.starts_with("attachment."), "{p:?}");
        assert_eq!(p.pointer, PART);
        assert!(!p.message_ja.is_empty() && !p.message_en.is_empty());
    }
    r
}

fn codes(r: &AttachmentReport) -> Vec<&str> {
    r.problems.iter().map(|p| p.code.as_str()).collect()
}

/// A sharp scan, 1300×1838 (A4 at ~157 dpi).
fn scan() -> &'static Gray {
    static SCAN: OnceLock<Gray> = OnceLock::new();
    SCAN.get_or_init(|| certificate_page(1300, 1838, 3))
}

/// A sharp phone photo, 1800×1350.
fn photo() -> &'static Gray {
    static PHOTO: OnceLock<Gray> = OnceLock::new();
    PHOTO.get_or_init(|| photo_of(&certificate_page(1300, 1838, 4), 1800, 1350, 5, 3.0))
}

fn certificate() -> BirthCertificate {
    let n: serde_json::Value =
        serde_json::from_slice(include_bytes!("../../examples/notification.json"))
            .expect("example");
    serde_json::from_value(n["certificate"].clone()).expect("certificate")
}

fn decode_rgba(bytes: &[u8]) -> Vec<u8> {
    image::load_from_memory(bytes)
        .expect("decodes")
        .to_rgba8()
        .into_raw()
}

// ---------------------------------------------------------------- types

#[test]
fn valid_jpeg_photo_passes_with_byte_range_copy() {
    let bytes = jpeg(photo(), 90);
    let r = run("image/jpeg", &bytes);
    assert_eq!(codes(&r), Vec::<&str>::new(), "{:?}", r.pages);
    assert_eq!(r.sniffed_media_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        (r.pages[0].width, r.pages[0].height, r.pages[0].short_side),
        (1800, 1350, 1350)
    );
    assert_eq!(r.stripped_copy, StrippedCopy::ByteRanges);
    assert_eq!(
        decode_rgba(r.stripped.as_deref().expect("copy")),
        decode_rgba(&bytes)
    );
}

#[test]
fn valid_png_scan_passes() {
    let r = run("image/png", &png(scan()));
    assert_eq!(codes(&r), Vec::<&str>::new(), "{:?}", r.pages);
    assert_eq!(r.pages[0].short_side, 1300);
}

#[test]
fn media_type_parameters_and_jpg_alias_are_not_mismatches() {
    let bytes = jpeg(photo(), 80);
    assert!(codes(&run("image/jpg", &bytes)).is_empty());
    assert!(codes(&run("IMAGE/JPEG; charset=binary", &bytes)).is_empty());
}

#[test]
fn png_declared_as_jpeg_is_a_mismatch_naming_both() {
    let r = run("image/jpeg", &png(scan()));
    assert_eq!(codes(&r), vec!["attachment.media_type_mismatch"]);
    let m = &r.problems[0].message_en;
    assert!(m.contains("image/png") && m.contains("image/jpeg"), "{m}");
    // The image checks still ran (all problems at once).
    assert_eq!(r.pages.len(), 1);
}

#[test]
fn heic_is_unsupported_and_lists_accepted_formats() {
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0; 64]);
    let r = run("image/heic", &heic);
    assert_eq!(codes(&r), vec!["attachment.unsupported_type"]);
    for accepted in [
        "image/jpeg",
        "image/png",
        "image/tiff",
        "image/gif",
        "application/pdf",
    ] {
        assert!(r.problems[0].message_en.contains(accepted));
        assert!(r.problems[0].message_ja.contains(accepted));
    }
    assert_eq!(r.sniffed_media_type.as_deref(), Some("image/heic"));
}

#[test]
fn webp_bmp_and_unknown_bytes_are_unsupported() {
    let webp = b"RIFF\x10\0\0\0WEBPVP8 \0\0\0\0".to_vec();
    let bmp = b"BM\x3e\0\0\0\0\0\0\0\x3e\0\0\0".to_vec();
    for (declared, bytes) in [
        ("image/webp", webp),
        ("image/bmp", bmp),
        ("image/jpeg", b"hello world".to_vec()),
    ] {
        assert_eq!(
            codes(&run(declared, &bytes)),
            vec!["attachment.unsupported_type"]
        );
    }
}

#[test]
fn empty_and_oversized_parts_are_refused() {
    assert_eq!(codes(&run("image/jpeg", &[])), vec!["attachment.empty"]);
    let mut policy = AttachmentPolicy::default();
    policy.max_bytes = 1000;
    let r = run_with("image/png", &png(scan()), &policy, None);
    assert_eq!(codes(&r), vec!["attachment.too_large"]);
}

// ---------------------------------------------------------------- decoding

#[test]
fn truncated_jpeg_is_corrupt() {
    let bytes = jpeg(photo(), 85);
    for cut in [bytes.len() / 2, bytes.len() - 2, 300] {
        let r = run("image/jpeg", &bytes[..cut]);
        assert_eq!(codes(&r), vec!["attachment.corrupt"], "cut at {cut}");
    }
}

#[test]
fn png_with_bad_crc_or_garbage_idat_is_corrupt() {
    let good = png(scan());
    let idat = good.windows(4).position(|w| w == b"IDAT").expect("IDAT");
    // Flip a byte of compressed data: the CRC no longer matches.
    let mut bad_crc = good.clone();
    bad_crc[idat + 20] ^= 0x55;
    assert_eq!(
        codes(&run("image/png", &bad_crc)),
        vec!["attachment.corrupt"]
    );
    // Garbage IDAT with a *correct* CRC: the zlib stream is broken.
    let garbage = insert_png_chunk(&good[..idat - 4], b"IDAT", &[0xAB; 64]);
    let mut garbage = garbage;
    garbage.extend_from_slice(&[0, 0, 0, 0]);
    garbage.extend_from_slice(b"IEND");
    garbage.extend_from_slice(&crc32(b"IEND").to_be_bytes());
    assert_eq!(
        codes(&run("image/png", &garbage)),
        vec!["attachment.corrupt"]
    );
}

fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
    let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", ihdr),
        (
            b"IDAT",
            vec![0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ),
        (b"IEND", vec![]),
    ] {
        f.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = f.len();
        f.extend_from_slice(kind);
        f.extend_from_slice(&data);
        let crc = crc32(&f[start..]);
        f.extend_from_slice(&crc.to_be_bytes());
    }
    f
}

#[test]
fn png_bomb_is_refused_before_allocation() {
    let bomb = png_declaring(100_000, 100_000);
    assert!(bomb.len() < 100);
    let started = std::time::Instant::now();
    let r = run("image/png", &bomb);
    assert_eq!(codes(&r), vec!["attachment.decompression_bomb"]);
    assert!(r.problems[0].message_en.contains("100000×100000"));
    // 10 GB were never allocated: the answer is immediate.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // A smaller limit refuses a real image the same way.
    let mut policy = AttachmentPolicy::default();
    policy.max_pixels = 1_000_000;
    assert_eq!(
        codes(&run_with("image/png", &png(scan()), &policy, None)),
        vec!["attachment.decompression_bomb"]
    );
    assert_eq!(
        codes(&run_with("image/jpeg", &jpeg(photo(), 80), &policy, None)),
        vec!["attachment.decompression_bomb"]
    );
}

// ---------------------------------------------------------------- legibility

#[test]
fn blank_image_is_refused() {
    let blank = noisy(&Gray::new(1600, 1200, 228), 2.0, 1);
    assert_eq!(
        codes(&run("image/jpeg", &jpeg(&blank, 85))),
        vec!["attachment.blank"]
    );
    assert_eq!(
        codes(&run("image/png", &png(&Gray::new(1600, 1200, 255)))),
        vec!["attachment.blank"]
    );
}

#[test]
fn blurred_photo_is_refused_and_slight_blur_warns() {
    let r = run("image/jpeg", &jpeg(&blur(photo(), 5.0), 85));
    assert_eq!(codes(&r), vec!["attachment.blurred"], "{:?}", r.pages);
    let r = run("image/jpeg", &jpeg(&blur(photo(), 2.5), 85));
    assert_eq!(codes(&r), vec!["attachment.blur_marginal"], "{:?}", r.pages);
}

#[test]
fn low_resolution_warns_then_fails() {
    // Short side 1000: between floor (800) and target (1200).
    let r = run("image/png", &png(&certificate_page(1000, 1414, 8)));
    assert_eq!(
        codes(&r),
        vec!["attachment.resolution_marginal"],
        "{:?}",
        r.pages
    );
    // Short side 600: below the floor.
    let r = run("image/png", &png(&certificate_page(600, 848, 8)));
    assert_eq!(
        codes(&r),
        vec!["attachment.resolution_low"],
        "{:?}",
        r.pages
    );
}

#[test]
fn overexposed_and_dark_photos() {
    let r = run("image/jpeg", &jpeg(&expose(photo(), 2.2, 100.0), 85));
    assert_eq!(codes(&r), vec!["attachment.exposure"], "{:?}", r.pages);
    assert!(r.problems[0].message_en.contains("overexposed"));
    let r = run("image/jpeg", &jpeg(&expose(photo(), 0.45, 0.0), 85));
    assert_eq!(
        codes(&r),
        vec!["attachment.exposure_marginal"],
        "{:?}",
        r.pages
    );
    assert!(r.problems[0].message_en.contains("underexposed"));
}

// ---------------------------------------------------------------- metadata

/// A TIFF-structured EXIF block with orientation, GPS and a serial number.
fn exif_block(orientation: u16, gps: bool) -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value};
    let fields = [
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![orientation]),
        },
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"Phone".to_vec()]),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"SN-12345".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![
                Rational { num: 35, denom: 1 },
                Rational { num: 41, denom: 1 },
                Rational { num: 22, denom: 1 },
            ]),
        },
    ];
    let mut w = exif::experimental::Writer::new();
    for f in fields.iter().take(if gps { 5 } else { 3 }) {
        w.push_field(f);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    w.write(&mut out, false).expect("exif");
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&out.into_inner());
    payload
}

#[test]
fn gps_exif_is_reported_and_stripped_with_identical_pixels() {
    let plain = jpeg(photo(), 88);
    let mut with_meta = insert_segment(&plain, 0xE1, &exif_block(1, true));
    with_meta = insert_segment(&with_meta, 0xFE, b"taken at home");
    let r = run("image/jpeg", &with_meta);
    assert_eq!(
        codes(&r),
        vec![
            "attachment.location_metadata",
            "attachment.personal_metadata"
        ]
    );
    assert!(r.metadata.gps);
    assert_eq!(
        r.metadata.personal_fields,
        vec!["exif:BodySerialNumber".to_owned()]
    );
    assert!(r.metadata.other_fields.contains(&"comment".to_owned()));
    let stripped = r.stripped.as_deref().expect("copy");
    assert_eq!(
        decode_rgba(stripped),
        decode_rgba(&with_meta),
        "pixels identical"
    );
    let again = run("image/jpeg", stripped);
    assert!(!again.metadata.gps && again.metadata.personal_fields.is_empty());
    assert!(!stripped.windows(8).any(|w| w == b"SN-12345"));
    assert!(!stripped.windows(13).any(|w| w == b"taken at home"));
    assert_eq!(codes(&again), Vec::<&str>::new());
}

#[test]
fn exif_orientation_6_swaps_width_and_height_and_survives_stripping() {
    let bytes = insert_segment(&jpeg(photo(), 85), 0xE1, &exif_block(6, false));
    let r = run("image/jpeg", &bytes);
    let p = r.pages[0];
    assert_eq!(
        (p.width, p.height, p.orientation, p.short_side),
        (1350, 1800, 6, 1350)
    );
    let again = run("image/jpeg", r.stripped.as_deref().expect("copy"));
    assert_eq!(again.pages[0].orientation, 6);
    assert!(again.metadata.personal_fields.is_empty());
}

#[test]
fn png_text_chunks_are_stripped_with_identical_pixels() {
    let plain = png(scan());
    let mut tagged = insert_png_chunk(&plain, b"tEXt", b"Author\0Yamada Hanako");
    tagged = insert_png_chunk(&tagged, b"tIME", &[7, 233, 6, 1, 9, 5, 0]);
    let r = run("image/png", &tagged);
    assert_eq!(codes(&r), vec!["attachment.personal_metadata"]);
    assert_eq!(
        r.metadata.personal_fields,
        vec!["png:tEXt:Author".to_owned()]
    );
    let stripped = r.stripped.as_deref().expect("copy");
    assert!(!stripped.windows(4).any(|w| w == b"tEXt" || w == b"tIME"));
    assert_eq!(decode_rgba(stripped), decode_rgba(&tagged));
    assert_eq!(stripped, plain.as_slice(), "exactly the original chunks");
}

#[test]
fn gif_comment_is_stripped_and_tiff_is_reencoded() {
    let small = certificate_page(1250, 1768, 9);
    let gif = encode(&small, image::ImageFormat::Gif);
    // Insert a comment extension before the first image descriptor.
    // The first block follows the header, the screen descriptor and the
    // global colour table.
    let flags = gif[10];
    let at = 13
        + if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        };
    let mut commented = gif[..at].to_vec();
    commented.extend_from_slice(&[0x21, 0xFE, 5]);
    commented.extend_from_slice(b"hello");
    commented.push(0);
    commented.extend_from_slice(&gif[at..]);
    let r = run("image/gif", &commented);
    assert_eq!(codes(&r), Vec::<&str>::new(), "{:?}", r.pages);
    assert!(r.metadata.other_fields.contains(&"gif:comment".to_owned()));
    let stripped = r.stripped.as_deref().expect("copy");
    assert!(!stripped.windows(5).any(|w| w == b"hello"));
    assert_eq!(decode_rgba(stripped), decode_rgba(&commented));

    let tiff = encode(&small, image::ImageFormat::Tiff);
    let r = run("image/tiff", &tiff);
    assert_eq!(codes(&r), Vec::<&str>::new());
    assert_eq!(r.stripped_copy, StrippedCopy::Reencoded);
    assert_eq!(
        decode_rgba(r.stripped.as_deref().expect("copy")),
        decode_rgba(&tiff)
    );
}

// ---------------------------------------------------------------- PDF

mod pdf {
    use lopdf::{Dictionary, Document, Object, Stream, dictionary};

    /// A PDF with `pages` pages; each page shows `text` (Helvetica) and,
    /// when given, a DCT image.
    pub(super) fn build(
        pages: usize,
        text: Option<&str>,
        jpeg: Option<(&[u8], u32, u32)>,
        extra: impl FnOnce(&mut Document, &mut Dictionary),
    ) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        });
        let image_id = jpeg.map(|(bytes, w, h)| {
            doc.add_object(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
                    "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
                },
                bytes.to_vec(),
            ))
        });
        let mut kids = Vec::new();
        for _ in 0..pages {
            let mut content = String::new();
            if image_id.is_some() {
                content.push_str("q 595 0 0 842 0 0 cm /Im1 Do Q\n");
            }
            if let Some(t) = text {
                content.push_str(&format!("BT /F1 12 Tf 72 720 Td ({t}) Tj ET\n"));
            }
            let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
            let mut resources = dictionary! { "Font" => dictionary! { "F1" => font_id } };
            if let Some(id) = image_id {
                resources.set("XObject", dictionary! { "Im1" => id });
            }
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => resources,
            });
            kids.push(Object::Reference(page));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
        extra(&mut doc, &mut catalog);
        let catalog_id = doc.add_object(catalog);
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("save");
        out
    }

    pub(super) fn plain(pages: usize) -> Vec<u8> {
        build(pages, Some("certificate"), None, |_, _| {})
    }
}

#[test]
fn plain_pdf_passes() {
    let r = run("application/pdf", &pdf::plain(1));
    assert_eq!(codes(&r), Vec::<&str>::new());
    assert_eq!(r.sniffed_media_type.as_deref(), Some("application/pdf"));
}

#[test]
fn pdf_with_javascript_is_refused() {
    use lopdf::dictionary;
    let open_action = pdf::build(1, None, None, |doc, catalog| {
        let js = doc.add_object(dictionary! { "S" => "JavaScript", "JS" => lopdf::Object::string_literal("app.alert(1)") });
        catalog.set("OpenAction", js);
    });
    assert_eq!(
        codes(&run("application/pdf", &open_action)),
        vec!["attachment.pdf_javascript"]
    );
    // In a name tree only.
    let names = pdf::build(1, None, None, |doc, catalog| {
        let tree = doc.add_object(
            dictionary! { "Names" => vec![lopdf::Object::string_literal("x"), 0.into()] },
        );
        catalog.set("Names", dictionary! { "JavaScript" => tree });
    });
    assert_eq!(
        codes(&run("application/pdf", &names)),
        vec!["attachment.pdf_javascript"]
    );
}

#[test]
fn pdf_with_launch_action_is_refused() {
    use lopdf::dictionary;
    let bytes = pdf::build(1, None, None, |doc, catalog| {
        let action = doc.add_object(
            dictionary! { "S" => "Launch", "F" => lopdf::Object::string_literal("calc.exe") },
        );
        catalog.set("OpenAction", action);
    });
    assert_eq!(
        codes(&run("application/pdf", &bytes)),
        vec!["attachment.pdf_launch_action"]
    );
}

#[test]
fn pdf_with_embedded_file_is_refused() {
    use lopdf::dictionary;
    let bytes = pdf::build(1, None, None, |doc, catalog| {
        let file = doc.add_object(lopdf::Stream::new(
            dictionary! { "Type" => "EmbeddedFile" },
            b"MZ payload".to_vec(),
        ));
        let spec = doc.add_object(dictionary! { "Type" => "Filespec", "F" => lopdf::Object::string_literal("a.exe"), "EF" => dictionary! { "F" => file } });
        let tree = doc.add_object(
            dictionary! { "Names" => vec![lopdf::Object::string_literal("a.exe"), spec.into()] },
        );
        catalog.set("Names", dictionary! { "EmbeddedFiles" => tree });
    });
    assert_eq!(
        codes(&run("application/pdf", &bytes)),
        vec!["attachment.pdf_embedded_file"]
    );
}

#[test]
fn encrypted_pdf_is_refused() {
    let mut doc = lopdf::Document::load_mem(&pdf::plain(1)).expect("load");
    let id = lopdf::Object::string_literal(b"0123456789abcdef".to_vec());
    doc.trailer.set("ID", vec![id.clone(), id]);
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: "user",
        key_length: 128,
        permissions: lopdf::Permissions::default(),
    })
    .expect("state");
    doc.encrypt(&state).expect("encrypt");
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    assert_eq!(
        codes(&run("application/pdf", &bytes)),
        vec!["attachment.pdf_encrypted"]
    );
}

#[test]
fn pdf_page_count_limits() {
    assert_eq!(
        codes(&run("application/pdf", &pdf::plain(0))),
        vec!["attachment.pdf_no_pages"]
    );
    let mut policy = AttachmentPolicy::default();
    policy.max_pdf_pages = 3;
    assert_eq!(
        codes(&run_with("application/pdf", &pdf::plain(4), &policy, None)),
        vec!["attachment.pdf_too_many_pages"]
    );
    assert_eq!(
        codes(&run_with("application/pdf", &pdf::plain(3), &policy, None)),
        Vec::<&str>::new()
    );
}

#[test]
fn pdf_with_blurred_dct_image_fails_the_image_check_on_that_page() {
    let blurred = jpeg(&blur(photo(), 5.0), 85);
    let bytes = pdf::build(2, None, Some((&blurred, 1800, 1350)), |_, _| {});
    let r = run("application/pdf", &bytes);
    assert_eq!(codes(&r), vec!["attachment.blurred", "attachment.blurred"]);
    assert!(r.problems[1].message_en.contains("page 2"));
    assert_eq!(
        r.pages.iter().map(|p| p.page).collect::<Vec<_>>(),
        vec![1, 2]
    );
    // The same page, sharp: no problem.
    let sharp = jpeg(photo(), 85);
    assert_eq!(
        codes(&run(
            "application/pdf",
            &pdf::build(1, None, Some((&sharp, 1800, 1350)), |_, _| {})
        )),
        Vec::<&str>::new()
    );
}

#[test]
fn truncated_pdf_is_corrupt() {
    let bytes = pdf::plain(1);
    assert_eq!(
        codes(&run("application/pdf", &bytes[..40])),
        vec!["attachment.corrupt"]
    );
}

#[test]
fn pdf_text_that_disagrees_is_a_warning_naming_both_values() {
    let cert = certificate(); // 2026-11-20 09:05, male, 3120 g
    let bytes = pdf::build(
        1,
        Some("Born 2026-11-21 09:05 male 3120 g"),
        None,
        |_, _| {},
    );
    let r = run_with(
        "application/pdf",
        &bytes,
        &AttachmentPolicy::default(),
        Some(&cert),
    );
    assert_eq!(codes(&r), vec!["attachment.pdf_text_mismatch"]);
    let p = &r.problems[0];
    assert_eq!(p.severity, formats::Severity::Warning);
    assert!(
        p.message_en.contains("2026-11-21") && p.message_en.contains("2026-11-20"),
        "{}",
        p.message_en
    );
    assert!(
        p.message_ja.contains("令和8年11月21日") && p.message_ja.contains("令和8年11月20日"),
        "{}",
        p.message_ja
    );

    let bytes = pdf::build(
        1,
        Some("Born 2026-11-20 09:05 female 2980 g"),
        None,
        |_, _| {},
    );
    let r = run_with(
        "application/pdf",
        &bytes,
        &AttachmentPolicy::default(),
        Some(&cert),
    );
    assert_eq!(
        codes(&r),
        vec![
            "attachment.pdf_text_mismatch",
            "attachment.pdf_text_mismatch"
        ]
    );
}

#[test]
fn pdf_text_that_agrees_gives_no_warning() {
    let cert = certificate();
    let bytes = pdf::build(
        1,
        Some("Born 2026-11-20 09:05 male weight 3120 g"),
        None,
        |_, _| {},
    );
    let r = run_with(
        "application/pdf",
        &bytes,
        &AttachmentPolicy::default(),
        Some(&cert),
    );
    assert_eq!(codes(&r), Vec::<&str>::new());
    let t = r.certificate_text.expect("read");
    assert_eq!(t.weight_grams, Some(3120));
    assert_eq!(t.born_time, Some((9, 5)));
}

struct Failing(PdfTextError);
impl PdfTextExtractor for Failing {
    fn extract(&self, _: &[u8], _: &PdfTextLimits) -> Result<String, PdfTextError> {
        Err(self.0.clone())
    }
}

struct Panicking;
impl PdfTextExtractor for Panicking {
    fn extract(&self, _: &[u8], _: &PdfTextLimits) -> Result<String, PdfTextError> {
        panic!("extractor bug")
    }
}

#[test]
fn unavailable_text_layer_is_a_warning_and_in_process_extractor_contains_panics() {
    let cert = certificate();
    let bytes = pdf::plain(1);
    let r = inspect(
        PART,
        "application/pdf",
        &bytes,
        &AttachmentPolicy::default(),
        &Failing(PdfTextError::Panicked),
        Some(&cert),
    );
    assert_eq!(codes(&r), vec!["attachment.pdf_text_unavailable"]);
    let r = inspect(
        PART,
        "application/pdf",
        &bytes,
        &AttachmentPolicy::default(),
        &Failing(PdfTextError::TimedOut(std::time::Duration::from_secs(2))),
        Some(&cert),
    );
    assert_eq!(codes(&r), vec!["attachment.pdf_text_unavailable"]);
    // The in-process extractor on garbage: an error, not a panic.
    let limits = PdfTextLimits::new(std::time::Duration::from_secs(2), 1 << 20, 10);
    assert!(
        InProcessPdfText
            .extract(b"%PDF-1.4 garbage", &limits)
            .is_err()
    );
    // A panicking extractor is the caller's bug, but catch_unwind in
    // InProcessPdfText is what contains lopdf's: check the mechanism.
    let contained = std::panic::catch_unwind(|| Panicking.extract(&bytes, &limits));
    assert!(contained.is_err());
}

// ---------------------------------------------------------------- contract

#[test]
fn code_table_lists_every_code_once() {
    let table = attachment_code_table();
    for code in AttachmentCode::ALL {
        assert_eq!(table.matches(&format!("`{}`", code.as_str())).count(), 1);
        assert!(code.as_str().starts_with("attachment."));
    }
}

#[test]
fn report_serializes_without_the_stripped_bytes() {
    let r = run("image/png", &png(scan()));
    let json = serde_json::to_value(&r).expect("serialize");
    assert!(json.get("stripped").is_none());
    assert_eq!(json["stripped_copy"], "byte_ranges");
    assert!(json["pages"][0]["sharpness"].is_number());
}

/// A PDF whose text is Japanese: a Type0 font with Identity-H encoding and
/// a ToUnicode CMap mapping each 2-byte code to the same UTF-16 unit, so
/// lopdf's extractor recovers the characters.
fn japanese_text_pdf(text: &str) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in (0..=0xFFu32).collect::<Vec<_>>().chunks(100) {
        cmap.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for hi in chunk {
            cmap.push_str(&format!("<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>\n"));
        }
        cmap.push_str("endbfrange\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Mincho",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "FontDescriptor" => dictionary! { "Type" => "FontDescriptor", "FontName" => "Mincho", "Flags" => 4 },
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Mincho", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![descendant.into()], "ToUnicode" => to_unicode,
    });
    let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
    let content = doc.add_object(Stream::new(
        dictionary! {},
        format!("BT /F1 12 Tf 72 720 Td <{hex}> Tj ET").into_bytes(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

#[test]
fn japanese_text_layer_in_wareki_is_cross_checked() {
    let cert = certificate(); // 2026-11-20 (令和8年) 09:05, male, 3120 g
    let agrees = japanese_text_pdf(
        "男女の別 １男 生まれたとき 令和８年１１月２０日 午前９時５分 体重 ３１２０グラム",
    );
    let r = run_with(
        "application/pdf",
        &agrees,
        &AttachmentPolicy::default(),
        Some(&cert),
    );
    let t = r.certificate_text.clone().expect("read");
    // lopdf decodes the CID font through its ToUnicode CMap.
    assert_eq!(t.born_on, Some(time::macros::date!(2026 - 11 - 20)));
    assert_eq!(t.sex, Some(formats::notification::Sex::Male));
    assert_eq!(t.weight_grams, Some(3120));
    assert_eq!(codes(&r), Vec::<&str>::new(), "{t:?}");
    assert_eq!(t.born_time, Some((9, 5)));
    let afternoon =
        japanese_text_pdf("生まれたとき 令和８年１１月２０日 午後９時５分 体重 ３１２０グラム");
    let r = run_with(
        "application/pdf",
        &afternoon,
        &AttachmentPolicy::default(),
        Some(&cert),
    );
    assert_eq!(codes(&r), vec!["attachment.pdf_text_mismatch"]);
    assert!(
        r.problems[0].message_ja.contains("午後9時5分")
            && r.problems[0].message_ja.contains("午前9時5分"),
        "{}",
        r.problems[0].message_ja
    );
}

#[test]
fn pdf_flate_image_is_rebuilt_from_samples_and_checked() {
    use lopdf::{Document, Object, Stream, dictionary};
    let build = |img: &Gray| {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => img.w as i64, "Height" => img.h as i64,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            img.px.clone(),
        );
        image.compress().expect("flate");
        assert!(image.dict.has(b"Filter"));
        let image_id = doc.add_object(image);
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"q 595 0 0 842 0 0 cm /Im1 Do Q".to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image_id } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("save");
        out
    };
    let r = run("application/pdf", &build(scan()));
    assert_eq!(codes(&r), Vec::<&str>::new());
    assert_eq!((r.pages[0].width, r.pages[0].height), (1300, 1838));
    let r = run("application/pdf", &build(&blur(scan(), 6.0)));
    assert_eq!(codes(&r), vec!["attachment.blurred"], "{:?}", r.pages);
    // A declared size beyond the pixel limit is refused before inflating.
    let mut policy = AttachmentPolicy::default();
    policy.max_pixels = 1_000_000;
    let r = run_with("application/pdf", &build(scan()), &policy, None);
    assert_eq!(codes(&r), vec!["attachment.decompression_bomb"]);
}

#[test]
fn pdf_with_a_bilevel_fax_image_is_not_measured_but_accepted() {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1700, "Height" => 2200,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1, "Filter" => "CCITTFaxDecode",
        },
        vec![0; 64],
    ));
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"q 595 0 0 842 0 0 cm /Im1 Do Q".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let r = run("application/pdf", &bytes);
    assert_eq!(codes(&r), Vec::<&str>::new());
    assert!(r.pages.is_empty());
}
