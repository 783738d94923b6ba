//! Trust material for signature verification: JPKI anchors (with the
//! policies they vouch for), intermediates and CRLs, loaded from the
//! configured paths and reloaded when the CRL directory changes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use certs::{PolicyOid, RevocationData, TrustStore};
use time::OffsetDateTime;

use crate::config::Settings;

/// Why trust material could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// A setting needed for trust is missing.
    #[error("{key} is not set and no dev PKI is present")]
    NotConfigured {
        /// The setting.
        key: &'static str,
    },
    /// Anchors or intermediates could not be loaded.
    #[error("{key} ({path}): {source}")]
    Certificates {
        /// The setting.
        key: &'static str,
        /// The path.
        path: PathBuf,
        /// Why.
        source: certs::TrustStoreError,
    },
    /// CRLs could not be loaded.
    #[error("trust.crl_dir ({path}): {source}")]
    Crls {
        /// The path.
        path: PathBuf,
        /// Why.
        source: certs::CrlError,
    },
    /// A policy OID is malformed.
    #[error("trust.policies: {0}")]
    Policy(certs::TrustStoreError),
}

/// The loaded trust store and revocation data.
#[derive(Debug)]
pub struct TrustMaterial {
    /// Anchors and intermediates.
    pub store: TrustStore,
    /// CRLs.
    pub revocation: RevocationData,
    /// The earliest nextUpdate among the CRLs: after it, some revocation
    /// data is stale and `/readyz` says so.
    pub crls_fresh_until: Option<OffsetDateTime>,
    /// Newest modification time in the CRL directory when loaded.
    pub crl_dir_stamp: Option<SystemTime>,
}

/// The newest modification time of the files in `dir` (or of the file).
pub fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .max()
        .max(meta.modified().ok())
}

/// Loads anchors, intermediates and CRLs as the settings say.
pub fn load(settings: &Settings) -> Result<TrustMaterial, TrustError> {
    let policies: Vec<PolicyOid> = settings
        .trust_policies
        .iter()
        .map(|p| PolicyOid::parse(p))
        .collect::<Result<_, _>>()
        .map_err(TrustError::Policy)?;
    let mut store = TrustStore::new();
    let anchors = settings
        .trust_anchors
        .clone()
        .ok_or(TrustError::NotConfigured {
            key: "trust.anchors",
        })?;
    store
        .load_anchors(&anchors, &policies)
        .map_err(|source| TrustError::Certificates {
            key: "trust.anchors",
            path: anchors.clone(),
            source,
        })?;
    if let Some(path) = &settings.trust_intermediates {
        store
            .load_intermediates(path)
            .map_err(|source| TrustError::Certificates {
                key: "trust.intermediates",
                path: path.clone(),
                source,
            })?;
    }
    let mut revocation = RevocationData::new();
    let mut stamp = None;
    if let Some(dir) = &settings.crl_dir {
        stamp = newest_mtime(dir);
        revocation.load(dir).map_err(|source| TrustError::Crls {
            path: dir.clone(),
            source,
        })?;
    }
    let crls_fresh_until = revocation
        .crls()
        .iter()
        .filter_map(|c| c.next_update())
        .min();
    Ok(TrustMaterial {
        store,
        revocation,
        crls_fresh_until,
        crl_dir_stamp: stamp,
    })
}
