//! The cost of checking a phone photo: a deterministic 4000×3000 photo-like
//! JPEG (3–4 MB) of a synthetic certificate, decoded bare (the primitive)
//! and run through the full `inspect`.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-verifier cargo bench -p verifier --bench attachment`
//! It first prints median times, their ratio and the peak resident memory
//! each adds (Linux `VmHWM` of a fresh child process running one decode or
//! one inspect of the same file), then runs the criterion groups.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use verifier::attachment::{AttachmentPolicy, InProcessPdfText, inspect};
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// The benchmark photo: 4000×3000, textured desk, noise, JPEG quality 92.
fn photo_jpeg() -> Vec<u8> {
    let page = support::certificate_page(2480, 3508, 2026);
    let photo = support::photo_of(&page, 4000, 3000, 12, 6.0);
    support::jpeg(&photo, 92)
}

fn decode(bytes: &[u8], out: ColorSpace) -> Vec<u8> {
    let options = DecoderOptions::default().jpeg_set_out_colorspace(out);
    JpegDecoder::new_with_options(ZCursor::new(bytes), options)
        .decode()
        .expect("decodes")
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
}

/// In a fresh child process (this binary, re-run with
/// `ATTACHMENT_BENCH_PEAK=op:path`): the peak resident memory that one
/// decode or one inspect adds on top of the process with the input loaded.
/// Linux only (`/proc/self/status`); `None` elsewhere.
fn peak_in_child(op: &str, path: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env("ATTACHMENT_BENCH_PEAK", format!("{op}:{}", path.display()))
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("PEAK ")?.trim().parse().ok())
}

fn child_measure(spec: &str) {
    let (op, path) = spec.split_once(':').expect("op:path");
    let bytes = std::fs::read(path).expect("input");
    let before = status_kb("VmRSS:");
    match op {
        "decode" => drop(black_box(decode(&bytes, ColorSpace::Luma))),
        _ => drop(black_box(inspect(
            "certificate-1",
            "image/jpeg",
            &bytes,
            &AttachmentPolicy::default(),
            &InProcessPdfText,
            None,
        ))),
    }
    let peak = status_kb("VmHWM:");
    println!("PEAK {}", peak.saturating_sub(before) * 1024);
}

fn report_figures(bytes: &[u8]) {
    let policy = AttachmentPolicy::default();
    let report = inspect(
        "certificate-1",
        "image/jpeg",
        bytes,
        &policy,
        &InProcessPdfText,
        None,
    );
    println!(
        "photo: {} bytes, {}×{}, problems {:?}, sharpness {:.4}",
        bytes.len(),
        report.pages[0].width,
        report.pages[0].height,
        report
            .problems
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>(),
        report.pages[0].figures.sharpness
    );
    let luma = median(|| drop(black_box(decode(bytes, ColorSpace::Luma))), 15);
    let rgb = median(|| drop(black_box(decode(bytes, ColorSpace::RGB))), 15);
    let full = median(
        || {
            drop(black_box(inspect(
                "certificate-1",
                "image/jpeg",
                bytes,
                &policy,
                &InProcessPdfText,
                None,
            )))
        },
        15,
    );
    println!("bare decode to grey (zune-jpeg Luma): {luma:?}");
    println!("bare decode to RGB  (zune-jpeg RGB):  {rgb:?}");
    println!("full inspect:                          {full:?}");
    println!(
        "ratio inspect / grey decode: {:.3}; inspect / RGB decode: {:.3}",
        full.as_secs_f64() / luma.as_secs_f64(),
        full.as_secs_f64() / rgb.as_secs_f64()
    );
    let path = std::env::temp_dir().join("birthgate-attachment-bench.jpg");
    if std::fs::write(&path, bytes).is_ok() {
        let peak_decode = peak_in_child("decode", &path).unwrap_or(0);
        let peak_inspect = peak_in_child("inspect", &path).unwrap_or(0);
        let _ = std::fs::remove_file(&path);
        println!(
            "peak RSS added (fresh process): grey decode {:.1} MB, inspect {:.1} MB \
             (decoded grey image {:.1} MB, RGB {:.1} MB, input {:.1} MB)",
            peak_decode as f64 / 1e6,
            peak_inspect as f64 / 1e6,
            4000.0 * 3000.0 / 1e6,
            3.0 * 4000.0 * 3000.0 / 1e6,
            bytes.len() as f64 / 1e6
        );
    }
}

fn benches(c: &mut Criterion) {
    let bytes = photo_jpeg();
    report_figures(&bytes);
    let policy = AttachmentPolicy::default();
    let mut group = c.benchmark_group("attachment_12mp_jpeg");
    group.sample_size(10);
    group.bench_function("decode_luma", |b| {
        b.iter(|| decode(black_box(&bytes), ColorSpace::Luma))
    });
    group.bench_function("inspect", |b| {
        b.iter(|| {
            inspect(
                "certificate-1",
                "image/jpeg",
                black_box(&bytes),
                &policy,
                &InProcessPdfText,
                None,
            )
        })
    });
    group.finish();
}

criterion_group!(attachment, benches);

fn main() {
    if let Ok(spec) = std::env::var("ATTACHMENT_BENCH_PEAK") {
        child_measure(&spec);
        return;
    }
    attachment();
    Criterion::default().configure_from_args().final_summary();
}
