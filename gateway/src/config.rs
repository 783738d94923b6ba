//! Configuration through one typed source: built-in defaults, then a TOML
//! file (`--config FILE`), then environment variables, then command-line
//! flags. Every setting has a named default below; every bad setting is
//! reported — all of them, each with its key — before the server starts.
//!
//! Environment variables are the key in upper case with dots and dashes as
//! underscores, prefixed `BIRTHGATE_`: `limits.max_body_bytes` →
//! `BIRTHGATE_LIMITS_MAX_BODY_BYTES`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./birthgate-data";
/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// Default cap on the whole request body (a filing with several 12 MP photos).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// Default cap on one part.
pub const DEFAULT_MAX_PART_BYTES: u64 = 24 * 1024 * 1024;
/// Default cap on the number of parts (manifest, notification, signature and attachments).
pub const DEFAULT_MAX_PARTS: u64 = 13;
/// Default cap on open connections.
pub const DEFAULT_MAX_CONNECTIONS: u64 = 512;
/// Default cap on verifications running at once (one per core of the reference machine).
pub const DEFAULT_MAX_CONCURRENT_VERIFICATIONS: u64 = 2;
/// Default cap on submissions whose bodies are held in memory at once
/// (being read, verified or committed); further uploads wait for a slot.
/// Two per verification slot keeps the pipeline full (one body arriving
/// while one verifies) and bounds memory: at 16 concurrent 12 MP uploads the
/// server's peak RSS was 182 MiB with 4 slots, 210–247 MiB with 8, 227–257
/// MiB unbounded, at the same throughput (`birthgate bench -c 16`).
pub const DEFAULT_MAX_CONCURRENT_UPLOADS: u64 = 4;
/// Default time for a TLS handshake.
pub const DEFAULT_HANDSHAKE_TIMEOUT_MS: u64 = 10_000;
/// Default time to receive the request headers.
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;
/// Default time to receive the whole body of a submission.
pub const DEFAULT_BODY_TIMEOUT_MS: u64 = 120_000;
/// Default longest pause between two body chunks.
pub const DEFAULT_BODY_IDLE_TIMEOUT_MS: u64 = 15_000;
/// Default wait for in-flight requests at shutdown.
pub const DEFAULT_SHUTDOWN_GRACE_MS: u64 = 30_000;
/// Default interval of the revocation-data reload and held-filing re-verification.
pub const DEFAULT_CRL_REFRESH_MS: u64 = 60_000;

/// Default interval at which the outbox worker looks for due deliveries
/// (it is also woken at once when a filing is committed).
pub const DEFAULT_DELIVERY_POLL_MS: u64 = 1_000;
/// Default delay before the first retry; doubles with every failed attempt.
pub const DEFAULT_DELIVERY_INITIAL_BACKOFF_MS: u64 = 5_000;
/// Default cap on the delay between two attempts.
pub const DEFAULT_DELIVERY_MAX_BACKOFF_MS: u64 = 15 * 60_000;
/// Default jitter: each delay is drawn uniformly within ± this percentage of
/// its nominal value, so deliveries to a municipality that just came back
/// do not all retry in the same instant.
pub const DEFAULT_DELIVERY_JITTER_PERCENT: u64 = 20;
/// Default time a delivery is retried automatically before it is held for
/// an operator: two days covers a municipal system's weekend maintenance.
pub const DEFAULT_DELIVERY_MAX_AGE_MS: u64 = 48 * 3_600_000;
/// Default cap on deliveries in flight at once.
pub const DEFAULT_DELIVERY_MAX_CONCURRENT: u64 = 8;
/// Default cap on deliveries in flight to one municipality (a small
/// registry system must not be flooded when it comes back).
pub const DEFAULT_DELIVERY_MAX_PER_MUNICIPALITY: u64 = 2;
/// Default lease on a delivery being attempted; a crashed gateway's lease
/// expires and the delivery is attempted again.
pub const DEFAULT_DELIVERY_LEASE_MS: u64 = 5 * 60_000;
/// Default retention after the final decision (受理/不受理) before the
/// attachments and personal data are purged. The family register itself
/// is the municipality's record; the gateway keeps its copy only long
/// enough for questions about the filing to be answered.
pub const DEFAULT_RETENTION_PURGE_AFTER_DAYS: u64 = 90;
/// Default interval of the retention sweep.
pub const DEFAULT_RETENTION_CHECK_MS: u64 = 3_600_000;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Every setting, typed and validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `data_dir`: where the store, the dev PKI and the spool live.
    pub data_dir: PathBuf,
    /// `listen`: the address to bind.
    pub listen: SocketAddr,
    /// `public_url`: the base URL put in receipts; default `https://<listen>`.
    pub public_url: Option<String>,
    /// `tls.certificate` / `tls.private_key`: PEM files; default the dev PKI's server certificate.
    pub tls_certificate: Option<PathBuf>,
    /// See `tls_certificate`.
    pub tls_private_key: Option<PathBuf>,
    /// `trust.anchors`: PEM/DER file or directory of JPKI roots; default the dev PKI's.
    pub trust_anchors: Option<PathBuf>,
    /// `trust.intermediates`: PEM/DER file or directory of signing CAs.
    pub trust_intermediates: Option<PathBuf>,
    /// `trust.crl_dir`: directory of CRLs (DER or PEM).
    pub crl_dir: Option<PathBuf>,
    /// `trust.policies`: certificate policy OIDs the anchors vouch for.
    pub trust_policies: Vec<String>,
    /// `trust.crl_refresh_ms`.
    pub crl_refresh: Duration,
    /// `store.path`: the SQLite database; default `<data_dir>/birthgate.sqlite3`.
    pub store_path: Option<PathBuf>,
    /// `limits.*`.
    pub limits: Limits,
    /// `thresholds.*`: the attachment policy.
    pub attachment_policy: verifier::attachment::AttachmentPolicy,
    /// `delivery.*`.
    pub delivery: DeliverySettings,
    /// `retention.*`.
    pub retention: RetentionSettings,
    /// `municipal.client_ca`: PEM file of the CA(s) that issue the
    /// municipalities' mTLS client certificates; default the dev PKI's TLS CA.
    pub municipal_client_ca: Option<PathBuf>,
    /// `log.format`.
    pub log_format: LogFormat,
    /// `log.level` (a tracing filter such as `info` or `gateway=debug`).
    pub log_level: String,
}

/// `limits.*`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// `limits.max_body_bytes`.
    pub max_body_bytes: u64,
    /// `limits.max_part_bytes`.
    pub max_part_bytes: u64,
    /// `limits.max_parts`.
    pub max_parts: u64,
    /// `limits.max_connections`.
    pub max_connections: u64,
    /// `limits.max_concurrent_verifications`.
    pub max_concurrent_verifications: u64,
    /// `limits.max_concurrent_uploads`.
    pub max_concurrent_uploads: u64,
    /// `limits.handshake_timeout_ms`.
    pub handshake_timeout: Duration,
    /// `limits.header_timeout_ms`.
    pub header_timeout: Duration,
    /// `limits.body_timeout_ms`.
    pub body_timeout: Duration,
    /// `limits.body_idle_timeout_ms`.
    pub body_idle_timeout: Duration,
    /// `limits.shutdown_grace_ms`.
    pub shutdown_grace: Duration,
}

/// `delivery.*`: the outbox worker.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// `delivery.directory`: the municipality directory (TOML); default the
    /// embedded one (every code to `<data_dir>/spool`).
    pub directory: Option<PathBuf>,
    /// `delivery.enabled`: run the outbox worker (`false` pauses delivery;
    /// filings still accumulate durably).
    pub enabled: bool,
    /// `delivery.poll_ms`.
    pub poll: Duration,
    /// `delivery.initial_backoff_ms`.
    pub initial_backoff: Duration,
    /// `delivery.max_backoff_ms`.
    pub max_backoff: Duration,
    /// `delivery.jitter_percent`.
    pub jitter_percent: u64,
    /// `delivery.max_age_ms`.
    pub max_age: Duration,
    /// `delivery.max_concurrent`.
    pub max_concurrent: u64,
    /// `delivery.max_concurrent_per_municipality`.
    pub max_per_municipality: u64,
    /// `delivery.lease_ms`.
    pub lease: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            directory: None,
            enabled: true,
            poll: Duration::from_millis(DEFAULT_DELIVERY_POLL_MS),
            initial_backoff: Duration::from_millis(DEFAULT_DELIVERY_INITIAL_BACKOFF_MS),
            max_backoff: Duration::from_millis(DEFAULT_DELIVERY_MAX_BACKOFF_MS),
            jitter_percent: DEFAULT_DELIVERY_JITTER_PERCENT,
            max_age: Duration::from_millis(DEFAULT_DELIVERY_MAX_AGE_MS),
            max_concurrent: DEFAULT_DELIVERY_MAX_CONCURRENT,
            max_per_municipality: DEFAULT_DELIVERY_MAX_PER_MUNICIPALITY,
            lease: Duration::from_millis(DEFAULT_DELIVERY_LEASE_MS),
        }
    }
}

/// `retention.*`.
#[derive(Debug, Clone, Copy)]
pub struct RetentionSettings {
    /// `retention.purge_after_days`.
    pub purge_after: time::Duration,
    /// `retention.check_interval_ms`.
    pub check_interval: Duration,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            purge_after: time::Duration::days(DEFAULT_RETENTION_PURGE_AFTER_DAYS as i64),
            check_interval: Duration::from_millis(DEFAULT_RETENTION_CHECK_MS),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_part_bytes: DEFAULT_MAX_PART_BYTES,
            max_parts: DEFAULT_MAX_PARTS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_concurrent_verifications: DEFAULT_MAX_CONCURRENT_VERIFICATIONS,
            max_concurrent_uploads: DEFAULT_MAX_CONCURRENT_UPLOADS,
            handshake_timeout: Duration::from_millis(DEFAULT_HANDSHAKE_TIMEOUT_MS),
            header_timeout: Duration::from_millis(DEFAULT_HEADER_TIMEOUT_MS),
            body_timeout: Duration::from_millis(DEFAULT_BODY_TIMEOUT_MS),
            body_idle_timeout: Duration::from_millis(DEFAULT_BODY_IDLE_TIMEOUT_MS),
            shutdown_grace: Duration::from_millis(DEFAULT_SHUTDOWN_GRACE_MS),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8443))),
            public_url: None,
            tls_certificate: None,
            tls_private_key: None,
            trust_anchors: None,
            trust_intermediates: None,
            crl_dir: None,
            trust_policies: vec![
                certs::PolicyOid::JPKI_PRODUCTION.as_str().to_owned(),
                certs::PolicyOid::JPKI_TEST.as_str().to_owned(),
            ],
            crl_refresh: Duration::from_millis(DEFAULT_CRL_REFRESH_MS),
            store_path: None,
            limits: Limits::default(),
            attachment_policy: verifier::attachment::AttachmentPolicy::default(),
            delivery: DeliverySettings::default(),
            retention: RetentionSettings::default(),
            municipal_client_ca: None,
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
        }
    }
}

impl Settings {
    /// The SQLite path in effect.
    pub fn store_path(&self) -> PathBuf {
        self.store_path
            .clone()
            .unwrap_or_else(|| self.data_dir.join("birthgate.sqlite3"))
    }

    /// The base URL receipts point at.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("https://{}", self.listen))
    }
}

/// One bad setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The key (`limits.max_body_bytes`), or the file for file-level errors.
    pub key: String,
    /// Where the bad value came from (the file, or the environment variable).
    pub source: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (from {}): {}", self.key, self.source, self.message)
    }
}

/// All bad settings at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} bad setting(s):\n{}", .0.len(), .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
pub struct ConfigError(pub Vec<SettingError>);

/// A value and where it came from.
#[derive(Debug, Clone)]
struct Raw {
    value: toml::Value,
    source: String,
}

/// Every key the configuration understands, with its kind.
const KEYS: &[(&str, Kind)] = &[
    ("data_dir", Kind::Path),
    ("listen", Kind::Addr),
    ("public_url", Kind::Url),
    ("tls.certificate", Kind::Path),
    ("tls.private_key", Kind::Path),
    ("trust.anchors", Kind::Path),
    ("trust.intermediates", Kind::Path),
    ("trust.crl_dir", Kind::Path),
    ("trust.policies", Kind::OidList),
    ("trust.crl_refresh_ms", Kind::Int(1_000, 86_400_000)),
    ("store.path", Kind::Path),
    ("limits.max_body_bytes", Kind::Int(1_024, 1 << 34)),
    ("limits.max_part_bytes", Kind::Int(1_024, 1 << 34)),
    ("limits.max_parts", Kind::Int(4, 1_000)),
    ("limits.max_connections", Kind::Int(1, 1_000_000)),
    ("limits.max_concurrent_verifications", Kind::Int(1, 1_024)),
    ("limits.max_concurrent_uploads", Kind::Int(1, 100_000)),
    ("limits.handshake_timeout_ms", Kind::Int(100, 600_000)),
    ("limits.header_timeout_ms", Kind::Int(100, 600_000)),
    ("limits.body_timeout_ms", Kind::Int(100, 3_600_000)),
    ("limits.body_idle_timeout_ms", Kind::Int(100, 3_600_000)),
    ("limits.shutdown_grace_ms", Kind::Int(0, 3_600_000)),
    ("thresholds.max_pixels", Kind::Int(1, 1 << 34)),
    ("thresholds.max_pdf_pages", Kind::Int(1, 1_000)),
    ("thresholds.resolution_floor_px", Kind::Int(1, 100_000)),
    ("thresholds.resolution_target_px", Kind::Int(1, 100_000)),
    ("thresholds.sharpness_floor", Kind::Float),
    ("thresholds.sharpness_target", Kind::Float),
    ("delivery.directory", Kind::Path),
    ("delivery.enabled", Kind::Bool),
    ("delivery.poll_ms", Kind::Int(10, 3_600_000)),
    ("delivery.initial_backoff_ms", Kind::Int(10, 86_400_000)),
    ("delivery.max_backoff_ms", Kind::Int(10, 86_400_000)),
    ("delivery.jitter_percent", Kind::Int(0, 100)),
    ("delivery.max_age_ms", Kind::Int(1_000, 365 * 86_400_000)),
    ("delivery.max_concurrent", Kind::Int(1, 10_000)),
    (
        "delivery.max_concurrent_per_municipality",
        Kind::Int(1, 10_000),
    ),
    ("delivery.lease_ms", Kind::Int(1_000, 86_400_000)),
    ("retention.purge_after_days", Kind::Int(1, 36_500)),
    ("retention.check_interval_ms", Kind::Int(1_000, 86_400_000)),
    ("municipal.client_ca", Kind::Path),
    ("log.format", Kind::Choice(&["text", "json"])),
    ("log.level", Kind::Text),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Path,
    Addr,
    Url,
    Text,
    OidList,
    Float,
    Int(i64, i64),
    Bool,
    Choice(&'static [&'static str]),
}

fn env_name(key: &str) -> String {
    format!(
        "BIRTHGATE_{}",
        key.replace(['.', '-'], "_").to_ascii_uppercase()
    )
}

fn flatten(prefix: &str, table: &toml::Table, source: &str, out: &mut BTreeMap<String, Raw>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, source, out),
            other => {
                out.insert(
                    key,
                    Raw {
                        value: other.clone(),
                        source: source.to_owned(),
                    },
                );
            }
        }
    }
}

/// Loads settings: defaults, then `file`, then the environment (`env` is
/// passed in so tests need not touch the process environment), then the
/// `overrides` given on the command line (already keyed).
pub fn load(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    overrides: &[(&str, String)],
) -> Result<Settings, ConfigError> {
    let mut errors = Vec::new();
    let mut raw: BTreeMap<String, Raw> = BTreeMap::new();
    if let Some(path) = file {
        let source = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => match text.parse::<toml::Table>() {
                Ok(table) => flatten("", &table, &source, &mut raw),
                Err(e) => errors.push(SettingError {
                    key: source.clone(),
                    source: source.clone(),
                    message: format!("not valid TOML: {e}"),
                }),
            },
            Err(e) => errors.push(SettingError {
                key: source.clone(),
                source: source.clone(),
                message: format!("cannot read: {e}"),
            }),
        }
    }
    for key in raw.keys() {
        if !KEYS.iter().any(|(k, _)| k == key) {
            errors.push(SettingError {
                key: key.clone(),
                source: raw[key].source.clone(),
                message: "unknown setting (check the spelling; see README for the list)".to_owned(),
            });
        }
    }
    for (key, _) in KEYS {
        let name = env_name(key);
        if let Some(value) = env(&name) {
            raw.insert(
                (*key).to_owned(),
                Raw {
                    value: toml::Value::String(value),
                    source: format!("environment {name}"),
                },
            );
        }
    }
    for (key, value) in overrides {
        raw.insert(
            (*key).to_owned(),
            Raw {
                value: toml::Value::String(value.clone()),
                source: "command line".to_owned(),
            },
        );
    }

    let mut s = Settings::default();
    for (key, kind) in KEYS {
        let Some(r) = raw.get(*key) else { continue };
        let bad = |message: String| SettingError {
            key: (*key).to_owned(),
            source: r.source.clone(),
            message,
        };
        match apply(&mut s, key, *kind, &r.value) {
            Ok(()) => {}
            Err(message) => errors.push(bad(message)),
        }
    }
    // Cross-setting rules.
    if s.limits.max_part_bytes > s.limits.max_body_bytes {
        errors.push(SettingError {
            key: "limits.max_part_bytes".to_owned(),
            source: "configuration".to_owned(),
            message: format!(
                "must not exceed limits.max_body_bytes ({})",
                s.limits.max_body_bytes
            ),
        });
    }
    if s.tls_certificate.is_some() != s.tls_private_key.is_some() {
        errors.push(SettingError {
            key: "tls.certificate".to_owned(),
            source: "configuration".to_owned(),
            message: "tls.certificate and tls.private_key must be given together".to_owned(),
        });
    }
    if s.delivery.initial_backoff > s.delivery.max_backoff {
        errors.push(SettingError {
            key: "delivery.initial_backoff_ms".to_owned(),
            source: "configuration".to_owned(),
            message: "must not exceed delivery.max_backoff_ms".to_owned(),
        });
    }
    if s.attachment_policy.resolution_floor > s.attachment_policy.resolution_target {
        errors.push(SettingError {
            key: "thresholds.resolution_floor_px".to_owned(),
            source: "configuration".to_owned(),
            message: "must not exceed thresholds.resolution_target_px".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(ConfigError(errors))
    }
}

fn as_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn apply(s: &mut Settings, key: &str, kind: Kind, v: &toml::Value) -> Result<(), String> {
    let text = || as_text(v).ok_or_else(|| "expected a single value".to_owned());
    match kind {
        Kind::Path => {
            let t = text()?;
            if t.is_empty() {
                return Err("must not be empty".to_owned());
            }
            let path = PathBuf::from(t);
            if key == "data_dir" {
                s.data_dir = path;
                return Ok(());
            }
            let p = Some(path);
            match key {
                "tls.certificate" => s.tls_certificate = p,
                "tls.private_key" => s.tls_private_key = p,
                "trust.anchors" => s.trust_anchors = p,
                "trust.intermediates" => s.trust_intermediates = p,
                "trust.crl_dir" => s.crl_dir = p,
                "store.path" => s.store_path = p,
                "delivery.directory" => s.delivery.directory = p,
                "municipal.client_ca" => s.municipal_client_ca = p,
                _ => {}
            }
        }
        Kind::Addr => {
            s.listen = text()?
                .parse()
                .map_err(|_| "expected IP:PORT, e.g. 127.0.0.1:8443".to_owned())?;
        }
        Kind::Url => {
            let t = text()?;
            if !t.starts_with("https://") {
                return Err("must be an https:// URL".to_owned());
            }
            s.public_url = Some(t.trim_end_matches('/').to_owned());
        }
        Kind::Text => s.log_level = text()?,
        Kind::OidList => {
            let items: Vec<String> = match v {
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                other => as_text(other)
                    .map(|t| t.split(',').map(|x| x.trim().to_owned()).collect())
                    .unwrap_or_default(),
            };
            if items.is_empty() {
                return Err("expected a list of OIDs".to_owned());
            }
            for oid in &items {
                certs::PolicyOid::parse(oid).map_err(|e| format!("'{oid}': {e}"))?;
            }
            s.trust_policies = items;
        }
        Kind::Float => {
            let f: f64 = match v {
                toml::Value::Float(f) => *f,
                toml::Value::Integer(i) => *i as f64,
                other => as_text(other)
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| "expected a number".to_owned())?,
            };
            if !f.is_finite() || f < 0.0 {
                return Err("expected a non-negative number".to_owned());
            }
            match key {
                "thresholds.sharpness_floor" => s.attachment_policy.sharpness_floor = f,
                "thresholds.sharpness_target" => s.attachment_policy.sharpness_target = f,
                _ => {}
            }
        }
        Kind::Int(min, max) => {
            let i: i64 = match v {
                toml::Value::Integer(i) => *i,
                other => as_text(other)
                    .and_then(|t| t.replace('_', "").parse().ok())
                    .ok_or_else(|| "expected an integer".to_owned())?,
            };
            if !(min..=max).contains(&i) {
                return Err(format!("must be between {min} and {max}"));
            }
            let u = i as u64;
            let ms = Duration::from_millis(u);
            let l = &mut s.limits;
            match key {
                "trust.crl_refresh_ms" => s.crl_refresh = ms,
                "limits.max_body_bytes" => l.max_body_bytes = u,
                "limits.max_part_bytes" => l.max_part_bytes = u,
                "limits.max_parts" => l.max_parts = u,
                "limits.max_connections" => l.max_connections = u,
                "limits.max_concurrent_verifications" => l.max_concurrent_verifications = u,
                "limits.max_concurrent_uploads" => l.max_concurrent_uploads = u,
                "limits.handshake_timeout_ms" => l.handshake_timeout = ms,
                "limits.header_timeout_ms" => l.header_timeout = ms,
                "limits.body_timeout_ms" => l.body_timeout = ms,
                "limits.body_idle_timeout_ms" => l.body_idle_timeout = ms,
                "limits.shutdown_grace_ms" => l.shutdown_grace = ms,
                "delivery.poll_ms" => s.delivery.poll = ms,
                "delivery.initial_backoff_ms" => s.delivery.initial_backoff = ms,
                "delivery.max_backoff_ms" => s.delivery.max_backoff = ms,
                "delivery.jitter_percent" => s.delivery.jitter_percent = u,
                "delivery.max_age_ms" => s.delivery.max_age = ms,
                "delivery.max_concurrent" => s.delivery.max_concurrent = u,
                "delivery.max_concurrent_per_municipality" => s.delivery.max_per_municipality = u,
                "delivery.lease_ms" => s.delivery.lease = ms,
                "retention.purge_after_days" => s.retention.purge_after = time::Duration::days(i),
                "retention.check_interval_ms" => s.retention.check_interval = ms,
                "thresholds.max_pixels" => s.attachment_policy.max_pixels = u,
                "thresholds.max_pdf_pages" => s.attachment_policy.max_pdf_pages = i as usize,
                "thresholds.resolution_floor_px" => s.attachment_policy.resolution_floor = i as u32,
                "thresholds.resolution_target_px" => {
                    s.attachment_policy.resolution_target = i as u32
                }
                _ => {}
            }
        }
        Kind::Bool => {
            s.delivery.enabled = match v {
                toml::Value::Boolean(b) => *b,
                other => match as_text(other).as_deref() {
                    Some("true") => true,
                    Some("false") => false,
                    _ => return Err("expected true or false".to_owned()),
                },
            };
        }
        Kind::Choice(choices) => {
            let t = text()?;
            if !choices.contains(&t.as_str()) {
                return Err(format!("must be one of {choices:?}"));
            }
            s.log_format = if t == "json" {
                LogFormat::Json
            } else {
                LogFormat::Text
            };
        }
    }
    Ok(())
}

/// The documentation of every key (for the README and `--help`).
pub fn keys() -> impl Iterator<Item = (&'static str, String)> {
    KEYS.iter().map(|(k, _)| (*k, env_name(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_load() {
        let s = load(None, &no_env, &[]).expect("defaults are valid");
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(
            s.store_path(),
            PathBuf::from(DEFAULT_DATA_DIR).join("birthgate.sqlite3")
        );
    }

    #[test]
    fn every_bad_setting_is_reported_with_its_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("b.toml");
        std::fs::write(
            &file,
            "listen = \"nowhere\"\n[limits]\nmax_body_bytes = 5\nmax_parst = 3\n[log]\nformat = \"xml\"\n",
        )
        .expect("write");
        let env =
            |name: &str| (name == "BIRTHGATE_LIMITS_MAX_CONNECTIONS").then(|| "many".to_owned());
        let err = load(Some(&file), &env, &[]).expect_err("bad");
        let keys: Vec<&str> = err.0.iter().map(|e| e.key.as_str()).collect();
        for key in [
            "listen",
            "limits.max_body_bytes",
            "limits.max_parst",
            "log.format",
            "limits.max_connections",
        ] {
            assert!(keys.contains(&key), "{key} not reported: {err}");
        }
        let env_err = err
            .0
            .iter()
            .find(|e| e.key == "limits.max_connections")
            .expect("env error");
        assert_eq!(
            env_err.source,
            "environment BIRTHGATE_LIMITS_MAX_CONNECTIONS"
        );
    }

    #[test]
    fn environment_overrides_file_and_flags_override_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:1000\"\n[limits]\nmax_parts = 5\n",
        )
        .expect("write");
        let env = |name: &str| match name {
            "BIRTHGATE_LISTEN" => Some("127.0.0.1:2000".to_owned()),
            "BIRTHGATE_LIMITS_MAX_PARTS" => Some("7".to_owned()),
            _ => None,
        };
        let s = load(
            Some(&file),
            &env,
            &[("listen", "127.0.0.1:3000".to_owned())],
        )
        .expect("valid");
        assert_eq!(s.listen.port(), 3000);
        assert_eq!(s.limits.max_parts, 7);
    }
}
