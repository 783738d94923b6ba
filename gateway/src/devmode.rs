//! The embedded default: what `birthgate serve` does with no configuration.
//!
//! On first start it generates a dev PKI (the `certs` generator, at "now",
//! with a random seed) under `<data_dir>/pki`, and lays out the trust
//! material the way a production deployment is configured:
//! `<data_dir>/trust/anchors` (JPKI-TEST roots), `trust/intermediates`
//! (signing CAs) and `trust/crls`. Settings the operator gave are never
//! overridden. The dev CRLs are valid for a month; when they are about to go
//! stale, the dev PKI is regenerated in memory from its saved seed (it is
//! deterministic) and fresh CRLs are issued with the same entries, so a
//! long-running dev gateway does not start holding every filing.

use std::path::{Path, PathBuf};

use certs::{DevCrl, DevPkiOptions, RevocationReason};
use ring::rand::{SecureRandom, SystemRandom};
use time::{Duration, OffsetDateTime};

use crate::config::Settings;

/// Why the dev PKI could not be prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevModeError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The generator failed.
    #[error("dev PKI: {0}")]
    Pki(#[from] certs::DevPkiError),
    /// The saved seed is unreadable.
    #[error("{path}: not a dev PKI seed file")]
    Seed {
        /// The path.
        path: PathBuf,
    },
}

/// Paths a newcomer needs, printed at start-up.
#[derive(Debug, Clone)]
pub struct DevPaths {
    /// The CA that issued the server certificate (for `--ca`).
    pub tls_ca: PathBuf,
    /// A ready-to-use notifier certificate.
    pub notifier_certificate: PathBuf,
    /// Its private key.
    pub notifier_key: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DevModeError + '_ {
    move |source| DevModeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), DevModeError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

fn seed_line(options: &DevPkiOptions) -> String {
    format!(
        "{} {}\n",
        hex::encode(options.seed),
        options.reference_time.unix_timestamp()
    )
}

fn parse_seed(text: &str) -> Option<DevPkiOptions> {
    let mut it = text.split_whitespace();
    let mut seed = [0u8; 32];
    hex::decode_to_slice(it.next()?, &mut seed).ok()?;
    let reference_time = OffsetDateTime::from_unix_timestamp(it.next()?.parse().ok()?).ok()?;
    Some(DevPkiOptions {
        reference_time,
        seed,
    })
}

/// Makes sure the dev PKI and trust layout exist under `data_dir`, and that
/// the dev CRLs are fresh at `now`; fills in every unset TLS and trust
/// setting. Returns the paths to print.
pub fn prepare(settings: &mut Settings, now: OffsetDateTime) -> Result<DevPaths, DevModeError> {
    let data = settings.data_dir.clone();
    let pki = data.join("pki");
    let seed_file = pki.join("dev-seed");
    let trust = data.join("trust");
    std::fs::create_dir_all(&data).map_err(io(&data))?;

    let options = if seed_file.exists() {
        let text = std::fs::read_to_string(&seed_file).map_err(io(&seed_file))?;
        parse_seed(&text).ok_or(DevModeError::Seed {
            path: seed_file.clone(),
        })?
    } else {
        let mut seed = [0u8; 32];
        SystemRandom::new()
            .fill(&mut seed)
            .map_err(|_| DevModeError::Io {
                path: seed_file.clone(),
                source: std::io::Error::other("no system randomness"),
            })?;
        let options = DevPkiOptions {
            reference_time: now,
            seed,
        };
        let generated = certs::generate_dev_pki(&options)?;
        generated.write_to(&pki)?;
        for (from, to) in [
            ("jpki/root-g1.pem", "anchors/root-g1.pem"),
            ("jpki/root-g2.pem", "anchors/root-g2.pem"),
            ("jpki/signing-ca-g1.pem", "intermediates/signing-ca-g1.pem"),
            ("jpki/signing-ca-g2.pem", "intermediates/signing-ca-g2.pem"),
            ("jpki/signing-ca-g1.crl.der", "crls/signing-ca-g1.crl.der"),
            ("jpki/signing-ca-g2.crl.der", "crls/signing-ca-g2.crl.der"),
        ] {
            let src = pki.join(from);
            let bytes = std::fs::read(&src).map_err(io(&src))?;
            write(&trust.join(to), &bytes)?;
        }
        write(&seed_file, seed_line(&options).as_bytes())?;
        options
    };

    refresh_crls(&trust, &options, now)?;

    let tls = pki.join("tls");
    if settings.tls_certificate.is_none() {
        settings.tls_certificate = Some(tls.join("gateway-server.pem"));
        settings.tls_private_key = Some(tls.join("gateway-server.key.pem"));
    }
    settings
        .trust_anchors
        .get_or_insert_with(|| trust.join("anchors"));
    settings
        .trust_intermediates
        .get_or_insert_with(|| trust.join("intermediates"));
    settings.crl_dir.get_or_insert_with(|| trust.join("crls"));
    // The dev municipalities' client certificates come from the dev TLS CA.
    settings
        .municipal_client_ca
        .get_or_insert_with(|| tls.join("ca.pem"));
    Ok(DevPaths {
        tls_ca: tls.join("ca.pem"),
        notifier_certificate: pki.join("jpki/notifier.pem"),
        notifier_key: pki.join("jpki/notifier.key.pem"),
    })
}

/// Re-issues the dev CRLs when they expire within a day.
fn refresh_crls(
    trust: &Path,
    options: &DevPkiOptions,
    now: OffsetDateTime,
) -> Result<(), DevModeError> {
    let crl_dir = trust.join("crls");
    let mut stale = false;
    for which in DevCrl::ALL {
        let path = crl_dir.join(format!(
            "{}.crl.der",
            which.issuer().path_stem().trim_start_matches("jpki/")
        ));
        let fresh = std::fs::read(&path)
            .ok()
            .and_then(|b| certs::Crl::from_der(&b).ok())
            .and_then(|c| c.next_update())
            .is_some_and(|next| next > now + Duration::days(1));
        stale |= !fresh;
    }
    if !stale {
        return Ok(());
    }
    let generated = certs::generate_dev_pki(options)?;
    for which in DevCrl::ALL {
        let original = generated.crl(which);
        let revoked: Vec<(Vec<u8>, OffsetDateTime, RevocationReason)> = original
            .revoked
            .iter()
            .filter_map(|(serial, at, reason)| Some((hex::decode(serial).ok()?, *at, *reason)))
            .collect();
        let der = generated.issue_crl(
            which.issuer(),
            &revoked,
            now - Duration::hours(1),
            now + Duration::days(30),
        )?;
        let name = format!(
            "{}.crl.der",
            which.issuer().path_stem().trim_start_matches("jpki/")
        );
        write(&crl_dir.join(&name), &der)?;
    }
    tracing::info!("dev CRLs re-issued");
    Ok(())
}
