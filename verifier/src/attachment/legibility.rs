//! Legibility figures of a decoded page: resolution, contrast, exposure and
//! sharpness, measured in one streaming pass over 8-bit grey rows.
//!
//! The rows are area-averaged (a box filter with fractional weights) down to
//! a working image whose short side is [`WORKING_SHORT_SIDE`] pixels, so the
//! figures describe the *page* and not the camera: the same certificate
//! photographed at 12 MP or scanned at 200 dpi gives the same sharpness.
//! Only three working rows are held at a time; the full-resolution grey image
//! is read once and never copied.

use serde::Serialize;

/// Short side of the working image on which contrast and sharpness are
/// measured. 384 px was chosen on the calibration set (module docs of
/// [`crate::attachment`]): at 1024 or 512 px the Laplacian still sees
/// single-pixel detail, so sensor noise passes for sharpness and the same
/// page at half the resolution measures differently; at 384 px the
/// strokes of medium-sized print dominate, noise is averaged away, and
/// the figure is stable across resolutions.
pub const WORKING_SHORT_SIDE: u32 = 384;

/// What was measured on one page image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LegibilityFigures {
    /// Variance of the 4-neighbour Laplacian of the working image divided by
    /// the squared contrast: blur lowers it, independent of exposure and of
    /// the input resolution (above the working size).
    pub sharpness: f64,
    /// 99th minus 1st percentile of the grey levels (0–255): how far the
    /// writing stands out from the paper.
    pub contrast: u8,
    /// Standard deviation of the grey levels.
    pub stddev: f64,
    /// Fraction of working pixels clipped to white (≥ 250). White paper in
    /// a clean scan is clipped by design, so this alone is no fault.
    pub clipped_white: f64,
    /// Fraction of working pixels crushed to black (≤ 5).
    pub clipped_black: f64,
    /// Width of the working image.
    pub working_width: u32,
    /// Height of the working image.
    pub working_height: u32,
}

/// The source pixels one working column averages.
struct Span {
    full_start: u32,
    full_end: u32,
    left: u32,
    left_weight: u32,
    right: u32,
    right_weight: u32,
}

/// The streaming measurer: feed it the rows of a grey image top to bottom.
pub(crate) struct Measurer {
    src_w: usize,
    src_h: usize,
    out_w: usize,
    out_h: usize,
    /// For each working column, the source pixels it averages.
    spans: Vec<Span>,
    row_acc: Vec<u32>,
    v_cur: Vec<f32>,
    v_next: Vec<f32>,
    sy: f64,
    norm: f32,
    src_y: usize,
    out_y: usize,
    ring: [Vec<f32>; 3],
    hist: [u64; 256],
    lap_sum: f64,
    lap_sumsq: f64,
    lap_n: u64,
}

impl Measurer {
    /// A measurer for an image of `width` × `height` (both ≥ 1).
    fn with_working_side(width: u32, height: u32, working: u32) -> Self {
        let (w, h) = (width.max(1) as usize, height.max(1) as usize);
        let short = w.min(h);
        let (out_w, out_h) = if short > working as usize {
            let scale = short as f64 / f64::from(working);
            (
                ((w as f64 / scale).round() as usize).clamp(1, w),
                ((h as f64 / scale).round() as usize).clamp(1, h),
            )
        } else {
            (w, h)
        };
        let sx = w as f64 / out_w as f64;
        let sy = h as f64 / out_h as f64;
        let spans = (0..out_w)
            .map(|d| {
                let a = d as f64 * sx;
                let b = ((d + 1) as f64 * sx).min(w as f64);
                let full_start = (a.ceil() as usize).min(w);
                let full_end = (b.floor() as usize).clamp(full_start, w);
                let weight = |f: f64| (f * 256.0).round().clamp(0.0, 256.0) as u32;
                let left = (a.floor() as usize).min(w - 1);
                let right = full_end.min(w - 1);
                Span {
                    full_start: full_start as u32,
                    full_end: full_end as u32,
                    left: left as u32,
                    left_weight: if full_start as f64 > a {
                        weight(full_start as f64 - a)
                    } else {
                        0
                    },
                    right: right as u32,
                    right_weight: if full_end < w && b > full_end as f64 {
                        weight(b - full_end as f64)
                    } else {
                        0
                    },
                }
            })
            .collect();
        Self {
            src_w: w,
            src_h: h,
            out_w,
            out_h,
            spans,
            row_acc: vec![0; out_w],
            v_cur: vec![0.0; out_w],
            v_next: vec![0.0; out_w],
            sy,
            norm: (1.0 / (sx * sy * 256.0)) as f32,
            src_y: 0,
            out_y: 0,
            ring: [Vec::new(), Vec::new(), Vec::new()],
            hist: [0; 256],
            lap_sum: 0.0,
            lap_sumsq: 0.0,
            lap_n: 0,
        }
    }

    /// Feeds the next source row (`width` grey bytes; shorter rows are ignored).
    pub(crate) fn push_row(&mut self, row: &[u8]) {
        if row.len() < self.src_w || self.src_y >= self.src_h {
            return;
        }
        let row = &row[..self.src_w];
        if self.out_w == self.src_w && self.out_h == self.src_h {
            let working: Vec<f32> = row.iter().map(|&p| f32::from(p)).collect();
            self.src_y += 1;
            self.emit(working);
            return;
        }
        // Per working column: the whole source pixels it covers at full
        // weight (a plain sum the compiler vectorizes), the two it covers
        // partly at their fractional weight.
        for (acc, span) in self.row_acc.iter_mut().zip(&self.spans) {
            let full: u32 = row
                .get(span.full_start as usize..span.full_end as usize)
                .unwrap_or_default()
                .iter()
                .map(|&p| u32::from(p))
                .sum();
            let left = u32::from(row.get(span.left as usize).copied().unwrap_or(0));
            let right = u32::from(row.get(span.right as usize).copied().unwrap_or(0));
            *acc = full * 256 + left * span.left_weight + right * span.right_weight;
        }
        let y = self.src_y as f64;
        let j0 = ((y / self.sy) as usize).min(self.out_h - 1);
        let boundary = (j0 + 1) as f64 * self.sy;
        self.src_y += 1;
        if y + 1.0 < boundary - 1e-9 && self.src_y < self.src_h {
            for (c, &a) in self.v_cur.iter_mut().zip(&self.row_acc) {
                *c += a as f32;
            }
            return;
        }
        let w0 = (boundary - y).clamp(0.0, 1.0) as f32;
        let w1 = 1.0 - w0;
        for ((c, n), &a) in self
            .v_cur
            .iter_mut()
            .zip(self.v_next.iter_mut())
            .zip(&self.row_acc)
        {
            *c += a as f32 * w0;
            *n += a as f32 * w1;
        }
        let norm = self.norm;
        let working: Vec<f32> = self.v_cur.iter().map(|&v| v * norm).collect();
        std::mem::swap(&mut self.v_cur, &mut self.v_next);
        self.v_next.iter_mut().for_each(|v| *v = 0.0);
        if self.out_y < self.out_h {
            self.emit(working);
        }
    }

    fn emit(&mut self, working: Vec<f32>) {
        for &v in &working {
            self.hist[v.round().clamp(0.0, 255.0) as usize] += 1;
        }
        self.out_y += 1;
        self.ring.rotate_left(1);
        self.ring[2] = working;
        let [up, mid, down] = &self.ring;
        if up.len() == self.out_w
            && mid.len() == self.out_w
            && down.len() == self.out_w
            && self.out_w >= 3
        {
            let (mut s, mut s2) = (0.0f64, 0.0f64);
            for x in 1..self.out_w - 1 {
                let l = up[x] + down[x] + mid[x - 1] + mid[x + 1] - 4.0 * mid[x];
                s += f64::from(l);
                s2 += f64::from(l) * f64::from(l);
            }
            self.lap_sum += s;
            self.lap_sumsq += s2;
            self.lap_n += (self.out_w - 2) as u64;
        }
    }

    /// The figures, once every row was pushed.
    pub(crate) fn finish(self) -> LegibilityFigures {
        let n: u64 = self.hist.iter().sum();
        let n_f = n.max(1) as f64;
        let percentile = |q: f64| -> u8 {
            let target = (q * n as f64).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (level, &count) in self.hist.iter().enumerate() {
                seen += count;
                if seen >= target {
                    return level as u8;
                }
            }
            255
        };
        let (p1, p99) = (percentile(0.01), percentile(0.99));
        let contrast = p99.saturating_sub(p1);
        let mean = self
            .hist
            .iter()
            .enumerate()
            .map(|(l, &c)| l as f64 * c as f64)
            .sum::<f64>()
            / n_f;
        let var = self
            .hist
            .iter()
            .enumerate()
            .map(|(l, &c)| (l as f64 - mean).powi(2) * c as f64)
            .sum::<f64>()
            / n_f;
        let white: u64 = self.hist[250..].iter().sum();
        let black: u64 = self.hist[..=5].iter().sum();
        let lap_var = if self.lap_n > 0 {
            let m = self.lap_sum / self.lap_n as f64;
            (self.lap_sumsq / self.lap_n as f64 - m * m).max(0.0)
        } else {
            0.0
        };
        let c = f64::from(contrast.max(8));
        LegibilityFigures {
            sharpness: lap_var / (c * c),
            contrast,
            stddev: var.sqrt(),
            clipped_white: white as f64 / n_f,
            clipped_black: black as f64 / n_f,
            working_width: self.out_w as u32,
            working_height: self.out_h as u32,
        }
    }
}

/// Measures a whole grey image (`width * height` bytes, row-major).
pub fn measure_gray(gray: &[u8], width: u32, height: u32) -> LegibilityFigures {
    measure_gray_at(gray, width, height, WORKING_SHORT_SIDE)
}

/// [`measure_gray`] with another working size (for calibration).
#[doc(hidden)]
pub fn measure_gray_at(
    gray: &[u8],
    width: u32,
    height: u32,
    working_short_side: u32,
) -> LegibilityFigures {
    let mut m = Measurer::with_working_side(width, height, working_short_side);
    if width > 0 {
        for row in gray.chunks_exact(width as usize).take(height as usize) {
            m.push_row(row);
        }
    }
    m.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_image_has_no_contrast_and_no_sharpness() {
        let f = measure_gray(&vec![128; 2000 * 1500], 2000, 1500);
        assert_eq!(f.contrast, 0);
        assert!(f.stddev < 0.01);
        assert!(f.sharpness < 1e-6);
        assert_eq!((f.working_width, f.working_height), (512, 384));
    }

    #[test]
    fn downscaling_preserves_mean_level() {
        // Left half black, right half white: the working image keeps the
        // proportion (area averaging does not drift).
        let (w, h) = (3000u32, 2000u32);
        let gray: Vec<u8> = (0..w * h)
            .map(|i| if i % w < w / 2 { 0 } else { 255 })
            .collect();
        let f = measure_gray(&gray, w, h);
        assert!((f.clipped_white - 0.5).abs() < 0.01, "{f:?}");
        assert!((f.clipped_black - 0.5).abs() < 0.01, "{f:?}");
        assert_eq!(f.contrast, 255);
    }
}
