//! Calibration of the legibility thresholds: synthetic certificate pages,
//! photographed and degraded, measured; the table in the `attachment` module
//! docs is this test's output (`cargo test -p verifier --test
//! attachment_calibration -- --nocapture`), and the assertions pin the
//! classification at the default thresholds.

mod support;

use support::*;
use verifier::attachment::legibility::measure_gray;
use verifier::attachment::{AttachmentPolicy, InProcessPdfText, inspect};

/// Expected verdict of a calibration case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Sharp,
    Marginal,
    Blurred,
}

fn verdict(sharpness: f64, p: &AttachmentPolicy) -> Verdict {
    if sharpness < p.sharpness_floor {
        Verdict::Blurred
    } else if sharpness < p.sharpness_target {
        Verdict::Marginal
    } else {
        Verdict::Sharp
    }
}

#[test]
fn calibration_table_and_classification() {
    let policy = AttachmentPolicy::default();
    let page = certificate_page(1654, 2339, 7);
    let photo = photo_of(&page, 2400, 1800, 11, 3.0);
    let mut cases: Vec<(String, Gray, Option<Verdict>)> = vec![
        (
            "scan 1654×2339 (A4 200 dpi)".into(),
            page.clone(),
            Some(Verdict::Sharp),
        ),
        (
            "photo 2400×1800, noise σ3".into(),
            photo.clone(),
            Some(Verdict::Sharp),
        ),
    ];
    for (sigma, expected) in [
        (1.0, Some(Verdict::Sharp)),
        (2.0, Some(Verdict::Marginal)),
        (3.0, Some(Verdict::Marginal)),
        (4.0, Some(Verdict::Blurred)),
        (6.0, Some(Verdict::Blurred)),
        (8.0, Some(Verdict::Blurred)),
    ] {
        cases.push((
            format!("photo, Gaussian blur σ{sigma}"),
            blur(&photo, sigma),
            expected,
        ));
    }
    cases.push((
        "photo ↓2 (1200×900)".into(),
        downscale(&photo, 2),
        Some(Verdict::Sharp),
    ));
    cases.push((
        "photo ↓2, blur σ2".into(),
        blur(&downscale(&photo, 2), 2.0),
        Some(Verdict::Blurred),
    ));
    cases.push((
        "photo, noise σ12".into(),
        noisy(&photo, 12.0, 5),
        Some(Verdict::Sharp),
    ));
    cases.push((
        "photo, blur σ4 + noise σ12".into(),
        noisy(&blur(&photo, 4.0), 12.0, 6),
        Some(Verdict::Blurred),
    ));
    cases.push((
        "photo, overexposed ×1.6+60".into(),
        expose(&photo, 1.6, 60.0),
        None,
    ));
    cases.push((
        "photo, overexposed ×2.2+100".into(),
        expose(&photo, 2.2, 100.0),
        None,
    ));
    cases.push((
        "photo, overexposed ×2.6+120".into(),
        expose(&photo, 2.6, 120.0),
        None,
    ));
    cases.push((
        "photo, overexposed ×3+120".into(),
        expose(&photo, 3.0, 120.0),
        None,
    ));
    cases.push((
        "photo, underexposed ×0.45".into(),
        expose(&photo, 0.45, 0.0),
        None,
    ));
    cases.push((
        "photo, underexposed ×0.2".into(),
        expose(&photo, 0.2, 0.0),
        None,
    ));
    cases.push((
        "blank sheet, noise σ3".into(),
        noisy(&Gray::new(2400, 1800, 230), 3.0, 9),
        None,
    ));

    let mut table = String::from(
        "| case | short side | sharpness | contrast | std dev | white / black clipped | blur verdict | `inspect` codes (as PNG) |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut failures = Vec::new();
    let mut all_codes: Vec<(String, String)> = Vec::new();
    for (name, img, expected) in &cases {
        let f = measure_gray(&img.px, img.w, img.h);
        let v = verdict(f.sharpness, &policy);
        let report = inspect(
            "certificate-1",
            "image/png",
            &png(img),
            &policy,
            &InProcessPdfText,
            None,
        );
        let codes: Vec<&str> = report
            .problems
            .iter()
            .map(|p| p.code.trim_start_matches("attachment."))
            .collect();
        let codes = if codes.is_empty() {
            "—".to_owned()
        } else {
            codes.join(", ")
        };
        all_codes.push((name.clone(), codes.clone()));
        table.push_str(&format!(
            "| {name} | {} | {:.4} | {} | {:.1} | {:.2} / {:.2} | {v:?} | {codes} |\n",
            img.w.min(img.h),
            f.sharpness,
            f.contrast,
            f.stddev,
            f.clipped_white,
            f.clipped_black
        ));
        if let Some(e) = expected
            && *e != v
        {
            failures.push(format!(
                "{name}: expected {e:?}, measured {v:?} ({:.3})",
                f.sharpness
            ));
        }
    }
    // JPEG compression goes through the real decoder.
    for q in [90u8, 50, 20] {
        let bytes = jpeg(&photo, q);
        let r = inspect(
            "certificate-1",
            "image/jpeg",
            &bytes,
            &policy,
            &InProcessPdfText,
            None,
        );
        let f = r.pages[0].figures;
        let v = verdict(f.sharpness, &policy);
        table.push_str(&format!(
            "| photo, JPEG q{q} ({} KB) | {} | {:.4} | {} | {:.1} | {:.2} / {:.2} | {v:?} | {} |\n",
            bytes.len() / 1024,
            r.pages[0].short_side,
            f.sharpness,
            f.contrast,
            f.stddev,
            f.clipped_white,
            f.clipped_black,
            if r.problems.is_empty() { "—" } else { "?" }
        ));
        if v != Verdict::Sharp || !r.problems.is_empty() {
            failures.push(format!("JPEG q{q}: {v:?}"));
        }
    }
    println!("{table}");
    // The full classification at the default policy.
    let expected_codes = [
        ("photo, overexposed ×1.6+60", "exposure_marginal"),
        ("photo, overexposed ×2.2+100", "exposure"),
        // Washed out to near-uniform white: reported as blank.
        ("photo, overexposed ×2.6+120", "blank"),
        ("photo, overexposed ×3+120", "blank"),
        ("photo, underexposed ×0.45", "exposure_marginal"),
        ("photo, underexposed ×0.2", "exposure"),
        ("blank sheet, noise σ3", "blank"),
        ("photo ↓2 (1200×900)", "resolution_marginal"),
        ("photo ↓2, blur σ2", "resolution_marginal, blurred"),
        ("photo, Gaussian blur σ3", "blur_marginal"),
        ("photo, Gaussian blur σ4", "blurred"),
        ("photo 2400×1800, noise σ3", "—"),
        ("scan 1654×2339 (A4 200 dpi)", "—"),
    ];
    for (name, expected) in expected_codes {
        let got = all_codes
            .iter()
            .find(|(n, _)| n.starts_with(name))
            .map(|(_, c)| c.as_str());
        if got != Some(expected) {
            failures.push(format!("{name}: expected {expected}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}\n{table}");
}
