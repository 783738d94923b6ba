//! The cost of verifying a whole submission with a 12-megapixel photo
//! (4000×3000 JPEG, 3–4 MB) and a JPKI-shaped RSA-2048 signature, against
//! the sum of its primitive costs measured in the same run:
//! JPEG decode (to grey, as the verifier decodes) + SHA-256 of every part +
//! CMS signature and chain verification.
//!
//! Run: `cargo bench -p verifier --bench submission`. It prints median
//! times, the ratio full / Σ primitives (target ≤ 1.3) and the peak resident
//! memory one verification adds in a fresh child process (target ≤ decoded
//! image size + 2 × input size), then runs the criterion group.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use certs::{PolicyOid, RevocationData, TrustStore};
use criterion::{Criterion, criterion_group};
use time::OffsetDateTime;
use time::macros::datetime;
use verifier::attachment::AttachmentPolicy;
use verifier::digest::Sha256;
use verifier::manifest::{Manifest, Part};
use verifier::signer::{SignOptions, sign_detached};
use verifier::{Submission, VerificationPolicy, verify};
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

const AT: OffsetDateTime = datetime!(2026-04-15 03:00 UTC);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../certs/tests/fixtures/jpki")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).expect("fixture")
}

fn trust() -> (TrustStore, RevocationData) {
    let mut store = TrustStore::new();
    store
        .add_anchor(&read("root-g1.der"), &[PolicyOid::JPKI_TEST])
        .expect("anchor");
    store
        .add_intermediate(&read("signing-ca-g1.der"))
        .expect("ca");
    let mut crls = RevocationData::new();
    crls.add_crls(&read("signing-ca-g1.crl.der")).expect("crl");
    (store, crls)
}

/// (name, media type, bytes) of a complete submission.
fn parts(photo: Vec<u8>) -> Vec<(String, String, Vec<u8>)> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/notification.json"),
    )
    .expect("example");
    let mut n: serde_json::Value = serde_json::from_str(&text).expect("json");
    n["child"]["born_at"] = "2026-04-10T09:05:00+09:00".into();
    n["certificate"]["born_at"] = "2026-04-10T09:05:00+09:00".into();
    n["certificate"]["certified_on"] = "2026-04-10".into();
    let n = serde_json::to_vec(&n).expect("json");
    let manifest = Manifest::for_parts(&n, &[("image/jpeg", &photo)]).to_bytes();
    let signature = sign_detached(
        &manifest,
        &read("notifier.der"),
        &[&read("signing-ca-g1.der")],
        &read("notifier.key.der"),
        SignOptions {
            signed_attributes: true,
            signing_time: AT,
        },
    )
    .expect("signs");
    vec![
        ("manifest".into(), "application/json".into(), manifest),
        ("notification".into(), "application/json".into(), n),
        (
            "signature".into(),
            "application/pkcs7-signature".into(),
            signature,
        ),
        ("certificate-1".into(), "image/jpeg".into(), photo),
    ]
}

fn run_verify(
    parts: &[(String, String, Vec<u8>)],
    store: &TrustStore,
    crls: &RevocationData,
    policy: &VerificationPolicy,
) -> verifier::Verification {
    let submission = Submission {
        parts: parts
            .iter()
            .map(|(name, media_type, bytes)| Part {
                name,
                media_type,
                bytes,
                sha256: None,
            })
            .collect(),
    };
    verify(&submission, store, crls, AT, policy)
}

fn decode_grey(bytes: &[u8]) -> Vec<u8> {
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::Luma);
    JpegDecoder::new_with_options(ZCursor::new(bytes), options)
        .decode()
        .expect("decodes")
}

fn primitives(parts: &[(String, String, Vec<u8>)], store: &TrustStore, crls: &RevocationData) {
    black_box(decode_grey(&parts[3].2));
    for (_, _, bytes) in parts {
        black_box(Sha256::of(bytes));
    }
    black_box(verifier::signature::check_signature(
        &parts[2].2,
        &parts[0].2,
        store,
        crls,
        AT,
    ));
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    f();
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[runs / 2]
}

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// In a child (`SUBMISSION_BENCH_PEAK=path`): peak RSS one verification adds.
fn child_measure(path: &str) {
    let photo = std::fs::read(path).expect("photo");
    let parts = parts(photo);
    let (store, crls) = trust();
    let policy = VerificationPolicy::online(AttachmentPolicy::default(), 10);
    let before = status_kb("VmRSS:");
    black_box(run_verify(&parts, &store, &crls, &policy));
    println!("PEAK {}", status_kb("VmHWM:").saturating_sub(before) * 1024);
}

fn benches(c: &mut Criterion) {
    let page = support::certificate_page(2480, 3508, 2026);
    let photo = support::jpeg(&support::photo_of(&page, 4000, 3000, 12, 6.0), 92);
    let input = photo.len();
    let parts = parts(photo.clone());
    let (store, crls) = trust();
    let policy = VerificationPolicy::online(AttachmentPolicy::default(), 10);
    let v = run_verify(&parts, &store, &crls, &policy);
    println!(
        "submission: photo {} bytes, verdict {:?}, problems {:?}",
        input,
        v.report.verdict,
        v.report
            .problems
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>()
    );
    let decode = median(|| drop(black_box(decode_grey(&parts[3].2))), 11);
    let hashes = median(
        || {
            parts.iter().for_each(|(_, _, b)| {
                black_box(Sha256::of(b));
            })
        },
        11,
    );
    let signature = median(
        || {
            drop(black_box(verifier::signature::check_signature(
                &parts[2].2,
                &parts[0].2,
                &store,
                &crls,
                AT,
            )))
        },
        11,
    );
    let sum = median(|| primitives(&parts, &store, &crls), 11);
    let full = median(
        || drop(black_box(run_verify(&parts, &store, &crls, &policy))),
        11,
    );
    println!("primitive: JPEG decode to grey      {decode:?}");
    println!("primitive: SHA-256 of all parts     {hashes:?}");
    println!("primitive: signature + chain + CRL  {signature:?}");
    println!("sum of primitives (measured together) {sum:?}");
    println!("full verification                   {full:?}");
    println!(
        "ratio full / sum of primitives: {:.3} (target ≤ 1.3)",
        full.as_secs_f64() / sum.as_secs_f64()
    );
    let path = std::env::temp_dir().join("birthgate-submission-bench.jpg");
    if std::fs::write(&path, &photo).is_ok() {
        let out = std::env::current_exe().ok().and_then(|exe| {
            std::process::Command::new(exe)
                .env("SUBMISSION_BENCH_PEAK", &path)
                .output()
                .ok()
        });
        let _ = std::fs::remove_file(&path);
        let peak: Option<u64> = out.and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("PEAK ")?.trim().parse().ok())
        });
        if let Some(peak) = peak {
            let budget = 4000 * 3000 + 2 * input as u64;
            println!(
                "peak RSS added by one verification: {:.1} MB (budget: grey image {:.1} MB + 2 × input {:.1} MB = {:.1} MB; RGB image would be {:.1} MB)",
                peak as f64 / 1e6,
                12.0,
                2.0 * input as f64 / 1e6,
                budget as f64 / 1e6,
                36.0
            );
        }
    }
    let mut group = c.benchmark_group("submission_12mp");
    group.sample_size(10);
    group.bench_function("primitives", |b| {
        b.iter(|| primitives(&parts, &store, &crls))
    });
    group.bench_function("verify", |b| {
        b.iter(|| run_verify(&parts, &store, &crls, &policy))
    });
    group.finish();
}

criterion_group!(group, benches);

fn main() {
    if let Ok(path) = std::env::var("SUBMISSION_BENCH_PEAK") {
        child_measure(&path);
        return;
    }
    group();
    Criterion::default().configure_from_args().final_summary();
}
