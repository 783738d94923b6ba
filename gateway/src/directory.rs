//! 送付先一覧 — the municipality directory: where each municipality's filings
//! go, and which mTLS client certificates speak for which municipalities.
//!
//! Routing is by the receiving municipality (届出地; for the online route the
//! child's 本籍地). Each municipality is delivered to in one of three modes:
//!
//! - **push** — one HTTPS request per filing to the municipality's endpoint,
//!   mutual TLS (its CA, our client certificate and key);
//! - **spool** — one directory per filing, written atomically, under a
//!   directory the municipality reads;
//! - **pull** — the municipality fetches over the municipal API.
//!
//! The directory is a TOML file (`delivery.directory`); without one the
//! embedded default routes every valid code to a spool under the data
//! directory and maps the dev PKI's municipal certificates to their codes.
//! A filing for a municipality the directory does not route is refused at
//! submission (`delivery.municipality_not_routed`): nothing is accepted into
//! a dead end.
//!
//! ```toml
//! version = 1
//!
//! [default]                     # optional: every valid code not listed below
//! mode = "spool"
//! path = "/var/spool/birthgate" # one sub-directory per municipality code
//!
//! [municipalities."131016"]
//! mode = "pull"
//!
//! [municipalities."141011"]
//! mode = "push"
//! url = "https://koseki.example.lg.jp/birthgate/filings"
//! ca = "yokohama-ca.pem"                  # paths relative to this file
//! client_certificate = "gateway-client.pem"
//! client_key = "gateway-client.key"
//! timeout_ms = 30000                      # optional
//!
//! [[clients]]                    # who may use the municipal API for which codes
//! san_uri = "urn:birthgate:municipality:131016"
//! municipalities = ["131016"]
//!
//! [[clients]]
//! certificate_sha256 = "9f86d0…"  # SHA-256 of the client certificate (DER), hex
//! municipalities = ["141003", "141011"]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;

/// The directory format version this build reads.
pub const DIRECTORY_VERSION: u32 = 1;

/// Default time a push request may take, end to end.
pub const DEFAULT_PUSH_TIMEOUT_MS: u64 = 30_000;

/// How one municipality receives its filings.
#[derive(Clone)]
pub enum Route {
    /// HTTPS push with mutual TLS.
    Push(Arc<PushEndpoint>),
    /// Atomic directories under `root/<code>/`.
    Spool {
        /// The spool root; each municipality has a sub-directory.
        root: PathBuf,
    },
    /// The municipality fetches over the municipal API.
    Pull,
}

impl Route {
    /// `push`, `spool` or `pull`.
    pub fn mode(&self) -> &'static str {
        match self {
            Route::Push(_) => "push",
            Route::Spool { .. } => "spool",
            Route::Pull => "pull",
        }
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Route::Push(p) => write!(f, "push({})", p.url),
            Route::Spool { root } => write!(f, "spool({})", root.display()),
            Route::Pull => f.write_str("pull"),
        }
    }
}

/// A push endpoint, with its TLS configuration built once at load time.
pub struct PushEndpoint {
    /// The URL the package is POSTed to.
    pub url: http::Uri,
    /// Client configuration: the municipality's CA as the only root, our
    /// certificate and key for mutual TLS.
    pub tls: Arc<rustls::ClientConfig>,
    /// Time allowed for one request (connect, send, answer).
    pub timeout: Duration,
}

/// Which client certificate a [`ClientRule`] matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMatch {
    /// A subjectAltName URI (`urn:birthgate:municipality:131016`).
    SanUri(String),
    /// The SHA-256 of the certificate (DER), lowercase hex.
    CertificateSha256(String),
}

/// One mapping of client certificates to the municipalities they serve.
#[derive(Debug, Clone)]
pub struct ClientRule {
    /// What to match.
    pub matches: ClientMatch,
    /// The codes served.
    pub municipalities: BTreeSet<String>,
}

/// The loaded directory.
#[derive(Debug, Clone)]
pub struct Directory {
    routes: BTreeMap<String, Route>,
    default: Option<Route>,
    clients: Vec<ClientRule>,
    /// Where it came from (a file, or "embedded default").
    pub source: String,
}

/// One thing wrong with a directory file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct DirectoryProblem {
    /// The TOML key (`municipalities.141011.ca`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Every problem of a directory file at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("delivery.directory {file}: {} problem(s):\n{}", .problems.len(), .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct DirectoryError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub problems: Vec<DirectoryProblem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    version: u32,
    #[serde(default)]
    default: Option<RouteDoc>,
    #[serde(default)]
    municipalities: BTreeMap<String, RouteDoc>,
    #[serde(default)]
    clients: Vec<ClientDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteDoc {
    mode: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    ca: Option<String>,
    #[serde(default)]
    client_certificate: Option<String>,
    #[serde(default)]
    client_key: Option<String>,
    #[serde(default)]
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientDoc {
    #[serde(default)]
    san_uri: Option<String>,
    #[serde(default)]
    certificate_sha256: Option<String>,
    municipalities: Vec<String>,
}

/// True when `code` is a known 全国地方公共団体コード of a body that keeps
/// family registers.
fn receivable(code: &str) -> bool {
    formats::tables::municipality(code).is_some_and(|m| m.kind.keeps_family_registers())
}

/// The directory the settings name (`delivery.directory`), or the embedded
/// default for their data directory.
pub fn for_settings(settings: &crate::config::Settings) -> Result<Directory, DirectoryError> {
    match &settings.delivery.directory {
        Some(file) => Directory::load(file),
        None => Ok(Directory::embedded_default(&settings.data_dir)),
    }
}

impl Directory {
    /// The embedded default: every valid code to a spool under
    /// `<data_dir>/spool`, and the dev PKI's municipal certificates
    /// (`urn:birthgate:municipality:131016`, `…:141011`) mapped to their codes.
    pub fn embedded_default(data_dir: &Path) -> Self {
        let clients = ["131016", "141011"]
            .into_iter()
            .map(|code| ClientRule {
                matches: ClientMatch::SanUri(format!(
                    "{}{code}",
                    certs::devpki::MUNICIPALITY_URI_PREFIX
                )),
                municipalities: BTreeSet::from([code.to_owned()]),
            })
            .collect();
        Self {
            routes: BTreeMap::new(),
            default: Some(Route::Spool {
                root: data_dir.join("spool"),
            }),
            clients,
            source: "embedded default".to_owned(),
        }
    }

    /// Loads and checks a directory file; every problem is reported.
    pub fn load(file: &Path) -> Result<Self, DirectoryError> {
        let name = file.display().to_string();
        let fail = |key: &str, message: String| DirectoryError {
            file: name.clone(),
            problems: vec![DirectoryProblem {
                key: key.to_owned(),
                message,
            }],
        };
        let text = std::fs::read_to_string(file).map_err(|e| fail("(file)", e.to_string()))?;
        Self::parse(&text, file.parent().unwrap_or(Path::new(".")), &name)
    }

    /// Parses directory text; relative paths are resolved against `base`.
    pub fn parse(text: &str, base: &Path, source: &str) -> Result<Self, DirectoryError> {
        let doc: FileDoc = toml::from_str(text).map_err(|e| DirectoryError {
            file: source.to_owned(),
            problems: vec![DirectoryProblem {
                key: e
                    .span()
                    .map(|s| format!("(bytes {}..{})", s.start, s.end))
                    .unwrap_or_else(|| "(file)".to_owned()),
                message: e.message().to_owned(),
            }],
        })?;
        let mut problems = Vec::new();
        if doc.version != DIRECTORY_VERSION {
            problems.push(DirectoryProblem {
                key: "version".to_owned(),
                message: format!(
                    "this build reads directory version {DIRECTORY_VERSION}, not {}",
                    doc.version
                ),
            });
        }
        let resolve = |p: &str| {
            let p = PathBuf::from(p);
            if p.is_absolute() { p } else { base.join(p) }
        };
        let route_of = |key: String, r: &RouteDoc, problems: &mut Vec<DirectoryProblem>| {
            let mut bad = |field: &str, message: String| {
                problems.push(DirectoryProblem {
                    key: if field.is_empty() {
                        key.clone()
                    } else {
                        format!("{key}.{field}")
                    },
                    message,
                });
            };
            let unexpected = |present: bool, field: &str, bad: &mut dyn FnMut(&str, String)| {
                if present {
                    bad(field, format!("not used in mode \"{}\"", r.mode));
                }
            };
            match r.mode.as_str() {
                "spool" => {
                    unexpected(r.url.is_some(), "url", &mut bad);
                    unexpected(r.ca.is_some(), "ca", &mut bad);
                    unexpected(
                        r.client_certificate.is_some(),
                        "client_certificate",
                        &mut bad,
                    );
                    unexpected(r.client_key.is_some(), "client_key", &mut bad);
                    match &r.path {
                        Some(p) if !p.is_empty() => Some(Route::Spool { root: resolve(p) }),
                        _ => {
                            bad("path", "a spool needs a path".to_owned());
                            None
                        }
                    }
                }
                "pull" => {
                    unexpected(r.path.is_some(), "path", &mut bad);
                    unexpected(r.url.is_some(), "url", &mut bad);
                    unexpected(r.ca.is_some(), "ca", &mut bad);
                    unexpected(
                        r.client_certificate.is_some(),
                        "client_certificate",
                        &mut bad,
                    );
                    unexpected(r.client_key.is_some(), "client_key", &mut bad);
                    Some(Route::Pull)
                }
                "push" => {
                    unexpected(r.path.is_some(), "path", &mut bad);
                    match push_endpoint(r, &resolve) {
                        Ok(p) => Some(Route::Push(Arc::new(p))),
                        Err(list) => {
                            for (field, message) in list {
                                bad(field, message);
                            }
                            None
                        }
                    }
                }
                other => {
                    bad(
                        "mode",
                        format!("must be \"push\", \"spool\" or \"pull\", not {other:?}"),
                    );
                    None
                }
            }
        };
        let default = doc
            .default
            .as_ref()
            .and_then(|r| route_of("default".to_owned(), r, &mut problems));
        let mut routes = BTreeMap::new();
        for (code, r) in &doc.municipalities {
            let key = format!("municipalities.{code}");
            if !receivable(code) {
                problems.push(DirectoryProblem {
                    key: key.clone(),
                    message: "not a 全国地方公共団体コード of a municipality or ward that keeps family registers".to_owned(),
                });
            }
            if let Some(route) = route_of(key, r, &mut problems) {
                routes.insert(code.clone(), route);
            }
        }
        let mut clients = Vec::new();
        for (i, c) in doc.clients.iter().enumerate() {
            let key = format!("clients[{i}]");
            let matches = match (&c.san_uri, &c.certificate_sha256) {
                (Some(uri), None) if !uri.is_empty() => ClientMatch::SanUri(uri.clone()),
                (None, Some(h)) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    ClientMatch::CertificateSha256(h.to_ascii_lowercase())
                }
                (None, Some(_)) => {
                    problems.push(DirectoryProblem {
                        key: format!("{key}.certificate_sha256"),
                        message: "expected 64 hex digits".to_owned(),
                    });
                    continue;
                }
                _ => {
                    problems.push(DirectoryProblem {
                        key,
                        message: "give exactly one of san_uri or certificate_sha256".to_owned(),
                    });
                    continue;
                }
            };
            let mut codes = BTreeSet::new();
            for code in &c.municipalities {
                if receivable(code) {
                    codes.insert(code.clone());
                } else {
                    problems.push(DirectoryProblem {
                        key: format!("{key}.municipalities"),
                        message: format!(
                            "{code:?} is not a 全国地方公共団体コード that keeps family registers"
                        ),
                    });
                }
            }
            if c.municipalities.is_empty() {
                problems.push(DirectoryProblem {
                    key: format!("{key}.municipalities"),
                    message: "must list at least one code".to_owned(),
                });
            }
            clients.push(ClientRule {
                matches,
                municipalities: codes,
            });
        }
        if problems.is_empty() {
            Ok(Self {
                routes,
                default,
                clients,
                source: source.to_owned(),
            })
        } else {
            Err(DirectoryError {
                file: source.to_owned(),
                problems,
            })
        }
    }

    /// Where filings for `code` go; `None` when the directory does not route it.
    pub fn route(&self, code: &str) -> Option<&Route> {
        self.routes
            .get(code)
            .or_else(|| self.default.as_ref().filter(|_| receivable(code)))
    }

    /// The municipalities a client certificate (DER) speaks for; empty when
    /// no rule matches.
    pub fn municipalities_for(&self, certificate: &[u8]) -> BTreeSet<String> {
        let fingerprint = hex::encode(ring::digest::digest(&ring::digest::SHA256, certificate));
        let uris: Vec<String> = certs::client_identity::client_identities(certificate)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|id| match id {
                certs::client_identity::ClientIdentity::Municipality(code) => {
                    Some(format!("{}{code}", certs::devpki::MUNICIPALITY_URI_PREFIX))
                }
                _ => None,
            })
            .collect();
        let mut out = BTreeSet::new();
        for rule in &self.clients {
            let hit = match &rule.matches {
                ClientMatch::SanUri(u) => uris.iter().any(|x| x == u),
                ClientMatch::CertificateSha256(h) => *h == fingerprint,
            };
            if hit {
                out.extend(rule.municipalities.iter().cloned());
            }
        }
        out
    }

    /// True when some municipality (or the default) is served in pull mode.
    pub fn has_pull(&self) -> bool {
        self.routes
            .values()
            .chain(self.default.iter())
            .any(|r| matches!(r, Route::Pull))
    }

    /// Every spool root in use (the default and per-municipality ones).
    pub fn spool_roots(&self) -> Vec<PathBuf> {
        let mut roots: Vec<PathBuf> = self
            .routes
            .values()
            .chain(self.default.iter())
            .filter_map(|r| match r {
                Route::Spool { root } => Some(root.clone()),
                _ => None,
            })
            .collect();
        roots.sort();
        roots.dedup();
        roots
    }
}

fn push_endpoint(
    r: &RouteDoc,
    resolve: &dyn Fn(&str) -> PathBuf,
) -> Result<PushEndpoint, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let url = match &r.url {
        Some(u) => match u.parse::<http::Uri>() {
            Ok(uri) if uri.scheme_str() == Some("https") && uri.host().is_some() => Some(uri),
            _ => {
                problems.push(("url", format!("{u:?} is not an https:// URL")));
                None
            }
        },
        None => {
            problems.push(("url", "push needs a url".to_owned()));
            None
        }
    };
    let roots = match &r.ca {
        Some(p) => {
            let path = resolve(p);
            let mut roots = rustls::RootCertStore::empty();
            match CertificateDer::pem_file_iter(&path)
                .map_err(|e| e.to_string())
                .and_then(|it| it.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string()))
            {
                Ok(certs) if !certs.is_empty() => {
                    for c in certs {
                        if let Err(e) = roots.add(c) {
                            problems.push(("ca", format!("{}: {e}", path.display())));
                        }
                    }
                    Some(roots)
                }
                Ok(_) => {
                    problems.push(("ca", format!("{}: no certificate in file", path.display())));
                    None
                }
                Err(e) => {
                    problems.push(("ca", format!("{}: {e}", path.display())));
                    None
                }
            }
        }
        None => {
            problems.push(("ca", "push needs the municipality's CA (PEM)".to_owned()));
            None
        }
    };
    let chain = match &r.client_certificate {
        Some(p) => {
            let path = resolve(p);
            match CertificateDer::pem_file_iter(&path)
                .map_err(|e| e.to_string())
                .and_then(|it| it.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string()))
            {
                Ok(c) if !c.is_empty() => Some(c),
                Ok(_) => {
                    problems.push((
                        "client_certificate",
                        format!("{}: no certificate in file", path.display()),
                    ));
                    None
                }
                Err(e) => {
                    problems.push(("client_certificate", format!("{}: {e}", path.display())));
                    None
                }
            }
        }
        None => {
            problems.push((
                "client_certificate",
                "push needs our client certificate (PEM) for mutual TLS".to_owned(),
            ));
            None
        }
    };
    let key = match &r.client_key {
        Some(p) => {
            let path = resolve(p);
            match PrivateKeyDer::from_pem_file(&path) {
                Ok(k) => Some(k),
                Err(e) => {
                    problems.push(("client_key", format!("{}: {e}", path.display())));
                    None
                }
            }
        }
        None => {
            problems.push(("client_key", "push needs our client key (PEM)".to_owned()));
            None
        }
    };
    let timeout = match r.timeout_ms {
        None => Duration::from_millis(DEFAULT_PUSH_TIMEOUT_MS),
        Some(ms) if (100..=600_000).contains(&ms) => Duration::from_millis(ms),
        Some(_) => {
            problems.push(("timeout_ms", "must be between 100 and 600000".to_owned()));
            Duration::ZERO
        }
    };
    let (Some(url), Some(roots), Some(chain), Some(key), true) =
        (url, roots, chain, key, problems.is_empty())
    else {
        return Err(problems);
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| vec![("ca", e.to_string())])?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| {
            vec![(
                "client_key",
                format!("does not fit client_certificate: {e}"),
            )]
        })?;
    Ok(PushEndpoint {
        url,
        tls: Arc::new(tls),
        timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_spools_every_receivable_code_and_nothing_else() {
        let d = Directory::embedded_default(Path::new("/data"));
        assert!(
            matches!(d.route("131016"), Some(Route::Spool { root }) if root == Path::new("/data/spool"))
        );
        // A prefecture, a designated city as a whole, a bad check digit, garbage.
        for code in ["130001", "141003", "131017", "abc"] {
            assert!(d.route(code).is_none(), "{code} routed");
        }
    }

    #[test]
    fn explicit_routes_without_default_refuse_other_codes() {
        let d = Directory::parse(
            "version = 1\n[municipalities.\"131016\"]\nmode = \"pull\"\n",
            Path::new("/etc"),
            "t",
        )
        .expect("valid");
        assert!(matches!(d.route("131016"), Some(Route::Pull)));
        assert!(d.route("141011").is_none());
    }

    #[test]
    fn every_problem_is_named_by_key() {
        let err = Directory::parse(
            r#"version = 2
[default]
mode = "spool"
[municipalities."131017"]
mode = "pull"
[municipalities."141011"]
mode = "push"
url = "http://insecure.example"
[municipalities."131024"]
mode = "carrier-pigeon"
[[clients]]
municipalities = ["131016"]
[[clients]]
certificate_sha256 = "xyz"
municipalities = ["131016"]
"#,
            Path::new("/nonexistent"),
            "t",
        )
        .expect_err("invalid");
        let keys: Vec<&str> = err.problems.iter().map(|p| p.key.as_str()).collect();
        for key in [
            "version",
            "default.path",
            "municipalities.131017",
            "municipalities.141011.url",
            "municipalities.141011.ca",
            "municipalities.141011.client_certificate",
            "municipalities.141011.client_key",
            "municipalities.131024.mode",
            "clients[0]",
            "clients[1].certificate_sha256",
        ] {
            assert!(keys.contains(&key), "{key} not reported in {err}");
        }
    }

    proptest::proptest! {
        /// Arbitrary text, and valid directories with one byte changed,
        /// never panic: they load or every problem names a key.
        #[test]
        fn arbitrary_directory_text_never_panics(text in "\\PC{0,200}", at in 0usize..200, byte in 0u8..128) {
            if let Err(e) = Directory::parse(&text, Path::new("/nonexistent"), "t") {
                proptest::prop_assert!(!e.problems.is_empty());
            }
            let mut valid = b"version = 1\n[default]\nmode = \"pull\"\n[[clients]]\nsan_uri = \"urn:x\"\nmunicipalities = [\"131016\"]\n".to_vec();
            let i = at % valid.len();
            valid[i] = byte;
            if let Ok(text) = std::str::from_utf8(&valid)
                && let Err(e) = Directory::parse(text, Path::new("/nonexistent"), "t")
            {
                proptest::prop_assert!(e.problems.iter().all(|p| !p.key.is_empty() && !p.message.is_empty()));
            }
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Directory::parse(
            "version = 1\n[default]\nmode = \"pull\"\nurl_typo = 1\n",
            Path::new("/"),
            "t",
        )
        .expect_err("unknown key");
        assert!(err.to_string().contains("url_typo"), "{err}");
    }
}
