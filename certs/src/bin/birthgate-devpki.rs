//! `birthgate-devpki --out DIR [--time RFC3339] [--seed HEX64 | --fixture]`
//!
//! Writes the dev PKI (see `certs::devpki`) to DIR. Without `--time` the
//! reference time is now; without `--seed` the seed is random, unless
//! `--fixture`, which reproduces `certs/tests/fixtures/` exactly.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use certs::{DevPkiOptions, generate_dev_pki};
use ring::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const USAGE: &str = "usage: birthgate-devpki --out DIR [--time RFC3339] [--seed HEX64 | --fixture]

Writes a complete development PKI (JPKI-shaped signing certificates, CRLs,
TLS server and mTLS client certificates, PKCS#8 keys, pki.json, README.md).

  --out DIR       output directory (created if missing)
  --time RFC3339  reference time for every validity window (default: now)
  --seed HEX64    32-byte seed as 64 hex digits (default: random)
  --fixture       the fixed time and seed of certs/tests/fixtures";

struct Args {
    out: PathBuf,
    options: DevPkiOptions,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut out = None;
    let mut time = None;
    let mut seed = None;
    let mut fixture = false;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--time" => {
                let text = value("--time")?;
                time = Some(
                    OffsetDateTime::parse(&text, &Rfc3339)
                        .map_err(|e| format!("--time {text:?}: {e}"))?,
                );
            }
            "--seed" => seed = Some(parse_seed(&value("--seed")?)?),
            "--fixture" => fixture = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    if fixture && (time.is_some() || seed.is_some()) {
        return Err("--fixture cannot be combined with --time or --seed".to_owned());
    }
    let options = if fixture {
        DevPkiOptions::fixture()
    } else {
        let seed = match seed {
            Some(seed) => seed,
            None => {
                let mut seed = [0u8; 32];
                SystemRandom::new()
                    .fill(&mut seed)
                    .map_err(|_| "the system random generator failed".to_owned())?;
                seed
            }
        };
        DevPkiOptions {
            reference_time: time.unwrap_or_else(OffsetDateTime::now_utc),
            seed,
        }
    };
    Ok(Args { out, options })
}

fn parse_seed(text: &str) -> Result<[u8; 32], String> {
    let bad = || format!("--seed must be 64 hex digits, got {text:?}");
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad());
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        let pair = text.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(seed)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("birthgate-devpki: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = generate_dev_pki(&args.options).and_then(|pki| pki.write_to(&args.out));
    match result {
        Ok(files) => {
            println!("wrote {} files to {}", files.len(), args.out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("birthgate-devpki: {e}");
            ExitCode::FAILURE
        }
    }
}
