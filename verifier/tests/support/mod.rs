//! Deterministic synthetic certificates and photo degradations, shared by
//! the attachment tests and the benchmark. No fixture files: every image is
//! generated from a seed.
#![allow(dead_code, unreachable_pub, missing_docs)] // shared by several test crates; each uses a subset

use std::io::Cursor;

/// SplitMix64: a tiny seeded generator, enough for test images.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next_u64() % u64::from(n.max(1))) as u32
    }
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Approximately normal (Irwin–Hall of 4).
    pub fn normal(&mut self) -> f32 {
        (self.unit() + self.unit() + self.unit() + self.unit() - 2.0) * 1.732
    }
}

/// A grey image.
#[derive(Clone)]
pub struct Gray {
    pub w: u32,
    pub h: u32,
    pub px: Vec<u8>,
}

impl Gray {
    pub fn new(w: u32, h: u32, v: u8) -> Self {
        Self {
            w,
            h,
            px: vec![v; (w * h) as usize],
        }
    }
    fn fill(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, v: u8) {
        let (x0, x1) = (x0.clamp(0, self.w as i64), x1.clamp(0, self.w as i64));
        let (y0, y1) = (y0.clamp(0, self.h as i64), y1.clamp(0, self.h as i64));
        for y in y0..y1 {
            let row = (y * self.w as i64) as usize;
            self.px[row + x0 as usize..row + x1 as usize].fill(v);
        }
    }
    /// A thick line from (x0,y0) to (x1,y1).
    fn line(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, t: f32, v: u8) {
        let steps = ((x1 - x0).abs().max((y1 - y0).abs()) as usize).max(1);
        let r = (t / 2.0).max(0.5);
        for i in 0..=steps {
            let f = i as f32 / steps as f32;
            let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
            self.fill(
                (x - r) as i64,
                (y - r) as i64,
                (x + r).ceil() as i64,
                (y + r).ceil() as i64,
                v,
            );
        }
    }
}

/// A synthetic 出生証明書-like page: border, a table of boxes, and rows of
/// glyph-like strokes of three sizes (labels, entries, small print).
pub fn certificate_page(w: u32, h: u32, seed: u64) -> Gray {
    let mut rng = Rng::new(seed);
    let mut g = Gray::new(w, h, 238);
    let u = w as f32 / 1000.0; // one "unit": 1/1000 of the page width
    let ink = 35u8;
    let line_t = (1.6 * u).max(1.0);
    let (mx, my) = (60.0 * u, 60.0 * u);
    // Title.
    glyph_row(&mut g, &mut rng, 300.0 * u, my, 400.0 * u, 40.0 * u, ink);
    // Table: rows of boxes.
    let top = my + 80.0 * u;
    let rows = 14;
    let row_h = (h as f32 - top - my) / rows as f32;
    for r in 0..=rows {
        let y = top + r as f32 * row_h;
        g.line(mx, y, w as f32 - mx, y, line_t, ink);
    }
    g.line(mx, top, mx, h as f32 - my, line_t, ink);
    g.line(
        w as f32 - mx,
        top,
        w as f32 - mx,
        h as f32 - my,
        line_t,
        ink,
    );
    let label_w = 220.0 * u;
    g.line(mx + label_w, top, mx + label_w, h as f32 - my, line_t, ink);
    for r in 0..rows {
        let y = top + r as f32 * row_h;
        // Label (medium), entry (large), small print below.
        glyph_row(
            &mut g,
            &mut rng,
            mx + 12.0 * u,
            y + row_h * 0.3,
            label_w - 24.0 * u,
            22.0 * u,
            ink,
        );
        glyph_row(
            &mut g,
            &mut rng,
            mx + label_w + 20.0 * u,
            y + row_h * 0.15,
            520.0 * u,
            30.0 * u,
            ink,
        );
        glyph_row(
            &mut g,
            &mut rng,
            mx + label_w + 20.0 * u,
            y + row_h * 0.62,
            640.0 * u,
            14.0 * u,
            ink,
        );
        if r % 3 == 1 {
            // Check boxes: 1 男 2 女 style.
            for k in 0..4 {
                let x = mx + label_w + 600.0 * u + k as f32 * 40.0 * u;
                let s = 18.0 * u;
                let yy = y + row_h * 0.2;
                g.line(x, yy, x + s, yy, line_t * 0.7, ink);
                g.line(x, yy + s, x + s, yy + s, line_t * 0.7, ink);
                g.line(x, yy, x, yy + s, line_t * 0.7, ink);
                g.line(x + s, yy, x + s, yy + s, line_t * 0.7, ink);
            }
        }
    }
    g
}

/// A row of kanji-like glyphs of height `size` starting at (x, y).
fn glyph_row(g: &mut Gray, rng: &mut Rng, x: f32, y: f32, width: f32, size: f32, ink: u8) {
    let t = (size / 11.0).max(1.0);
    let mut cx = x;
    while cx + size < x + width {
        let strokes = 3 + rng.below(6);
        for _ in 0..strokes {
            let kind = rng.below(4);
            let a = rng.unit() * size;
            let b = rng.unit() * size;
            let len = (0.4 + rng.unit() * 0.6) * size;
            match kind {
                0 => g.line(
                    cx + a.min(size - len).max(0.0),
                    y + b,
                    cx + (a + len).min(size),
                    y + b,
                    t,
                    ink,
                ),
                1 => g.line(
                    cx + a,
                    y + b.min(size - len).max(0.0),
                    cx + a,
                    y + (b + len).min(size),
                    t,
                    ink,
                ),
                2 => g.line(
                    cx + a * 0.5,
                    y + b * 0.5,
                    cx + a * 0.5 + len * 0.6,
                    y + b * 0.5 + len * 0.6,
                    t,
                    ink,
                ),
                _ => g.line(
                    cx + size - a * 0.5,
                    y + b * 0.5,
                    cx + size - a * 0.5 - len * 0.6,
                    y + b * 0.5 + len * 0.6,
                    t,
                    ink,
                ),
            }
        }
        cx += size * (1.1 + rng.unit() * 0.2);
    }
}

/// A phone photo of the page: a textured desk, the page in frame with a
/// little perspective-free margin, vignetting and sensor noise.
pub fn photo_of(page: &Gray, w: u32, h: u32, seed: u64, noise: f32) -> Gray {
    let mut rng = Rng::new(seed);
    let mut g = Gray::new(w, h, 0);
    let margin_y = h / 20;
    let ph = h - 2 * margin_y;
    let pw = (ph as u64 * page.w as u64 / page.h as u64) as u32;
    let x0 = (w.saturating_sub(pw)) / 2;
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let maxd2 = cx * cx + cy * cy;
    for y in 0..h {
        for x in 0..w {
            let inside = x >= x0 && x < x0 + pw && y >= margin_y && y < margin_y + ph;
            let base = if inside {
                let sx = ((x - x0) as u64 * page.w as u64 / pw as u64) as u32;
                let sy = ((y - margin_y) as u64 * page.h as u64 / ph as u64) as u32;
                f32::from(page.px[(sy * page.w + sx) as usize])
            } else {
                // Wood-like texture.
                90.0 + 25.0 * ((x as f32 * 0.013 + (y as f32 * 0.002).sin() * 4.0).sin())
            };
            let d2 = (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2);
            let vignette = 1.0 - 0.18 * d2 / maxd2;
            g.px[(y * w + x) as usize] = (base * vignette).round().clamp(0.0, 255.0) as u8;
        }
    }
    // Optics and demosaicing: even a sharp phone photo is blurred by about
    // one pixel; then sensor noise.
    let g = blur(&g, 1.0);
    noisy(&g, noise, rng.next_u64())
}

/// Approximate Gaussian blur: three box-blur passes per axis.
pub fn blur(img: &Gray, sigma: f32) -> Gray {
    if sigma <= 0.0 {
        return img.clone();
    }
    let r = ((((12.0 * sigma * sigma / 3.0) + 1.0).sqrt() - 1.0) / 2.0)
        .round()
        .max(1.0) as i64;
    let mut cur: Vec<f32> = img.px.iter().map(|&p| f32::from(p)).collect();
    let (w, h) = (img.w as i64, img.h as i64);
    for _ in 0..3 {
        cur = box_pass(&cur, w, h, r, true);
        cur = box_pass(&cur, w, h, r, false);
    }
    Gray {
        w: img.w,
        h: img.h,
        px: cur
            .iter()
            .map(|&v| v.round().clamp(0.0, 255.0) as u8)
            .collect(),
    }
}

fn box_pass(src: &[f32], w: i64, h: i64, r: i64, horizontal: bool) -> Vec<f32> {
    let mut out = vec![0.0; src.len()];
    let (lines, len) = if horizontal { (h, w) } else { (w, h) };
    let idx = |line: i64, i: i64| -> usize {
        let i = i.clamp(0, len - 1);
        (if horizontal {
            line * w + i
        } else {
            i * w + line
        }) as usize
    };
    let n = (2 * r + 1) as f32;
    for line in 0..lines {
        let mut acc: f32 = (-r..=r).map(|i| src[idx(line, i)]).sum();
        for i in 0..len {
            out[idx(line, i)] = acc / n;
            acc += src[idx(line, i + r + 1)] - src[idx(line, i - r)];
        }
    }
    out
}

/// Box downscale by an integer factor.
pub fn downscale(img: &Gray, k: u32) -> Gray {
    let (w, h) = (img.w / k, img.h / k);
    let mut px = vec![0u8; (w * h) as usize];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0u32;
            for dy in 0..k {
                for dx in 0..k {
                    s += u32::from(img.px[((y * k + dy) * img.w + x * k + dx) as usize]);
                }
            }
            px[(y * w + x) as usize] = (s / (k * k)) as u8;
        }
    }
    Gray { w, h, px }
}

/// Exposure change: v·gain + offset, clipped.
pub fn expose(img: &Gray, gain: f32, offset: f32) -> Gray {
    Gray {
        w: img.w,
        h: img.h,
        px: img
            .px
            .iter()
            .map(|&p| (f32::from(p) * gain + offset).round().clamp(0.0, 255.0) as u8)
            .collect(),
    }
}

/// Additive sensor noise of standard deviation `sigma`.
pub fn noisy(img: &Gray, sigma: f32, seed: u64) -> Gray {
    let mut rng = Rng::new(seed);
    Gray {
        w: img.w,
        h: img.h,
        px: img
            .px
            .iter()
            .map(|&p| {
                (f32::from(p) + sigma * rng.normal())
                    .round()
                    .clamp(0.0, 255.0) as u8
            })
            .collect(),
    }
}

/// The image as RGB (a mild warm tint, so chroma exists) for colour encoders.
pub fn to_rgb(img: &Gray) -> image::RgbImage {
    image::RgbImage::from_fn(img.w, img.h, |x, y| {
        let v = img.px[(y * img.w + x) as usize];
        image::Rgb([v, v.saturating_sub(4), v.saturating_sub(12)])
    })
}

/// Baseline JPEG (4:2:0, colour) at `quality`.
pub fn jpeg(img: &Gray, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    to_rgb(img).write_with_encoder(enc).expect("encode jpeg");
    out
}

/// Greyscale PNG.
pub fn png(img: &Gray) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::GrayImage::from_raw(img.w, img.h, img.px.clone())
        .expect("size")
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

/// An image encoded in `format` (grey; RGBA for GIF, whose encoder wants it).
pub fn encode(img: &Gray, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let gray = image::DynamicImage::ImageLuma8(
        image::GrayImage::from_raw(img.w, img.h, img.px.clone()).expect("size"),
    );
    let image = if format == image::ImageFormat::Gif {
        image::DynamicImage::ImageRgba8(gray.to_rgba8())
    } else {
        gray
    };
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// Inserts a JPEG APPn segment right after SOI.
pub fn insert_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Inserts a PNG chunk after IHDR, with a correct CRC.
pub fn insert_png_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let ihdr_end = 8 + 12 + 13;
    let mut out = png[..ihdr_end].to_vec();
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The committed dev-PKI fixtures of the `certs` crate (JPKI part).
pub fn jpki_fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../certs/tests/fixtures/jpki")
}

/// One fixture file's bytes.
pub fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(jpki_fixtures().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Both JPKI-TEST root generations as anchors, both signing CAs, both CRLs
/// (fresh from 2026-03-31 to 2026-05-01).
pub fn jpki_trust() -> (certs::TrustStore, certs::RevocationData) {
    let mut store = certs::TrustStore::new();
    for root in ["root-g1.der", "root-g2.der"] {
        store
            .add_anchor(&read_fixture(root), &[certs::PolicyOid::JPKI_TEST])
            .expect("anchor");
    }
    for ca in ["signing-ca-g1.der", "signing-ca-g2.der"] {
        store
            .add_intermediate(&read_fixture(ca))
            .expect("intermediate");
    }
    let mut crls = certs::RevocationData::new();
    for crl in ["signing-ca-g1.crl.der", "signing-ca-g2.crl.der"] {
        crls.add_crls(&read_fixture(crl)).expect("crl");
    }
    (store, crls)
}
