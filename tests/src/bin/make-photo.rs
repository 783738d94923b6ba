//! Writes a synthetic phone photo of a 出生証明書 (JPEG) for the README
//! example and the load tool: `make-photo OUT.jpg [WIDTH HEIGHT [SEED]]`.
//! Default 4000×3000 (12 megapixels, 3–4 MB).

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: make-photo OUT.jpg [WIDTH HEIGHT [SEED]]");
        return std::process::ExitCode::from(2);
    };
    let num = |i: usize, default: u64| args.get(i).map_or(Ok(default), |s| s.parse::<u64>());
    let (Ok(w), Ok(h), Ok(seed)) = (num(1, 4000), num(2, 3000), num(3, 2026)) else {
        eprintln!("make-photo: WIDTH, HEIGHT and SEED must be whole numbers");
        return std::process::ExitCode::from(2);
    };
    let bytes = birthgate_tests::photo_jpeg(w as u32, h as u32, seed);
    if let Err(e) = std::fs::write(out, &bytes) {
        eprintln!("make-photo: {out}: {e}");
        return std::process::ExitCode::FAILURE;
    }
    println!("{out}: {w}x{h}, {} bytes", bytes.len());
    std::process::ExitCode::SUCCESS
}
