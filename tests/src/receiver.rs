//! A municipal push receiver for the delivery tests: a real HTTPS server
//! on `127.0.0.1` that requires a client certificate (mutual TLS), parses
//! each `multipart/mixed` delivery package, checks every file against
//! `package.json`, and processes each filing once by its `Idempotency-Key`
//! — what a registry system that follows the contract does.
//!
//! Its behaviour is scripted ([`Behaviour`]): down (nothing listening),
//! answering 500, never answering (so the gateway times out), or
//! answering 201 with a reception number. Every request that reaches it is
//! logged with its time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use certs::rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

/// How the receiver answers right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Not listening: connections are refused.
    Down,
    /// Answers 500 without processing.
    Error500,
    /// Reads the request and never answers.
    Hang,
    /// Processes and answers 201 (200 for a repeated key).
    Accept,
    /// Processes, then answers only after this delay.
    SlowAccept(Duration),
    /// Answers 503 with `Retry-After` in seconds, without processing.
    Busy(u64),
    /// Refuses the package with this 4xx status, without processing.
    Refuse(u16),
}

/// One request that reached the receiver.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// When it arrived (headers read).
    pub at: Instant,
    /// Its `Idempotency-Key`.
    pub key: String,
    /// The behaviour it met.
    pub behaviour: Behaviour,
    /// SHA-256 of the file list of `package.json` (every file's path,
    /// role, size and digest — the content, not the gateway's URLs), when
    /// the body was read.
    pub content_sha256: Option<String>,
}

/// A package the receiver processed.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The package index.
    pub index: serde_json::Value,
    /// Every file by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The reception number given.
    pub reception_number: String,
}

/// The receiver's shared state.
#[derive(Default)]
pub struct Log {
    /// Every request.
    pub arrivals: Vec<Arrival>,
    /// Processed filings by key.
    pub processed: BTreeMap<String, Processed>,
    /// Problems found in packages (digest mismatch, missing file…).
    pub package_errors: Vec<String>,
}

/// The PKI of a receiver: its CA, its server certificate, and a client
/// certificate for the gateway.
pub struct ReceiverPki {
    /// Directory with `ca.pem`, `server.pem`, `server.key.pem`,
    /// `gateway-client.pem`, `gateway-client.key.pem`.
    pub dir: PathBuf,
}

impl ReceiverPki {
    /// Generates it into `dir`.
    pub fn generate(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("pki dir");
        let ca_key = KeyPair::generate().expect("key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Test municipal receiver CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("ca");
        let issuer = Issuer::from_params(&ca, &ca_key);

        let server_key = KeyPair::generate().expect("key");
        let mut server =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("params");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server.signed_by(&server_key, &issuer).expect("server");

        let client_key = KeyPair::generate().expect("key");
        let mut client = CertificateParams::new(Vec::<String>::new()).expect("params");
        client
            .distinguished_name
            .push(DnType::CommonName, "birthgate gateway (push client)");
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client.signed_by(&client_key, &issuer).expect("client");

        for (name, pem) in [
            ("ca.pem", ca_cert.pem()),
            ("server.pem", server_cert.pem()),
            ("server.key.pem", server_key.serialize_pem()),
            ("gateway-client.pem", client_cert.pem()),
            ("gateway-client.key.pem", client_key.serialize_pem()),
        ] {
            std::fs::write(dir.join(name), pem).expect("write pem");
        }
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// A `[municipalities."CODE"]` push entry of a directory file for `url`.
    pub fn push_entry(&self, code: &str, url: &str, timeout_ms: u64) -> String {
        format!(
            "[municipalities.\"{code}\"]\nmode = \"push\"\nurl = \"{url}\"\nca = \"{}\"\nclient_certificate = \"{}\"\nclient_key = \"{}\"\ntimeout_ms = {timeout_ms}\n",
            self.dir.join("ca.pem").display(),
            self.dir.join("gateway-client.pem").display(),
            self.dir.join("gateway-client.key.pem").display(),
        )
    }

    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(self.dir.join("ca.pem")).expect("ca") {
            roots.add(c.expect("ca cert")).expect("root");
        }
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::clone(&provider),
        )
        .build()
        .expect("client verifier");
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(self.dir.join("server.pem"))
                .expect("server pem")
                .collect::<Result<_, _>>()
                .expect("server cert");
        let key = PrivateKeyDer::from_pem_file(self.dir.join("server.key.pem")).expect("key");
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .expect("server config");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

/// A running receiver.
pub struct Receiver {
    /// `https://127.0.0.1:PORT/filings`.
    pub url: String,
    /// The log.
    pub log: Arc<Mutex<Log>>,
    behaviour: Arc<Mutex<Behaviour>>,
    port: u16,
    tls: Arc<rustls::ServerConfig>,
    listener_task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Receiver {
    /// A receiver on a port picked now, starting with `behaviour`.
    pub async fn start(pki: &ReceiverPki, behaviour: Behaviour) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let r = Self {
            url: format!("https://127.0.0.1:{port}/filings"),
            log: Arc::new(Mutex::new(Log::default())),
            behaviour: Arc::new(Mutex::new(Behaviour::Down)),
            port,
            tls: pki.server_config(),
            listener_task: Mutex::new(None),
        };
        r.set(behaviour).await;
        r
    }

    /// Changes the behaviour; `Down` closes the listener, anything else
    /// (re)opens it on the same port.
    pub async fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().expect("lock") = behaviour;
        let running = self.listener_task.lock().expect("lock").is_some();
        match (behaviour, running) {
            (Behaviour::Down, true) => {
                let task = self.listener_task.lock().expect("lock").take();
                if let Some(t) = task {
                    t.abort();
                    let _ = t.await;
                }
            }
            (Behaviour::Down, false) | (_, true) => {}
            (_, false) => {
                let listener = loop {
                    match TcpListener::bind(("127.0.0.1", self.port)).await {
                        Ok(l) => break l,
                        Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                };
                let tls = tokio_rustls::TlsAcceptor::from(Arc::clone(&self.tls));
                let log = Arc::clone(&self.log);
                let behaviour = Arc::clone(&self.behaviour);
                let task = tokio::spawn(async move {
                    let mut connections = tokio::task::JoinSet::new();
                    loop {
                        let Ok((tcp, _)) = listener.accept().await else {
                            continue;
                        };
                        let tls = tls.clone();
                        let log = Arc::clone(&log);
                        let behaviour = Arc::clone(&behaviour);
                        connections.spawn(async move {
                            let Ok(stream) = tls.accept(tcp).await else {
                                return;
                            };
                            let service = hyper::service::service_fn(move |req| {
                                let log = Arc::clone(&log);
                                let behaviour = Arc::clone(&behaviour);
                                async move {
                                    Ok::<_, std::convert::Infallible>(
                                        handle(req, &log, &behaviour).await,
                                    )
                                }
                            });
                            let _ =
                                hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                        });
                    }
                });
                *self.listener_task.lock().expect("lock") = Some(task);
            }
        }
    }

    /// A snapshot of the log.
    pub fn with_log<T>(&self, f: impl FnOnce(&Log) -> T) -> T {
        f(&self.log.lock().expect("lock"))
    }
}

fn reply(status: u16, body: serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

fn sha256_hex(bytes: &[u8]) -> String {
    verifier::digest::Sha256::of(bytes).to_hex()
}

async fn handle(
    req: Request<Incoming>,
    log: &Mutex<Log>,
    behaviour: &Mutex<Behaviour>,
) -> Response<Full<Bytes>> {
    let now = Instant::now();
    let current = *behaviour.lock().expect("lock");
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let arrival = |content_sha256: Option<String>| Arrival {
        at: now,
        key: key.clone(),
        behaviour: current,
        content_sha256,
    };
    match current {
        Behaviour::Error500 | Behaviour::Down => {
            log.lock().expect("lock").arrivals.push(arrival(None));
            return reply(
                500,
                serde_json::json!({ "error": "registry system unavailable" }),
            );
        }
        Behaviour::Busy(seconds) => {
            log.lock().expect("lock").arrivals.push(arrival(None));
            // Read the request first, so the answer is not lost to a
            // connection closed under the client's upload.
            let _ = req.into_body().collect().await;
            let mut r = reply(503, serde_json::json!({ "error": "maintenance" }));
            r.headers_mut().insert(
                hyper::header::RETRY_AFTER,
                hyper::header::HeaderValue::from(seconds),
            );
            return r;
        }
        Behaviour::Refuse(status) => {
            log.lock().expect("lock").arrivals.push(arrival(None));
            let _ = req.into_body().collect().await;
            return reply(
                status,
                serde_json::json!({ "error": "we do not take this" }),
            );
        }
        Behaviour::Hang => {
            log.lock().expect("lock").arrivals.push(arrival(None));
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return reply(500, serde_json::Value::Null);
        }
        Behaviour::Accept | Behaviour::SlowAccept(_) => {}
    }
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let version = req
        .headers()
        .get("birthgate-package-version")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // multer's own parser accepts only multipart/form-data.
    let boundary = content_type
        .strip_prefix("multipart/mixed;")
        .and_then(|rest| rest.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 70);
    let Some(boundary) = boundary else {
        log.lock()
            .expect("lock")
            .package_errors
            .push(format!("{key}: content type {content_type}"));
        return reply(400, serde_json::Value::Null);
    };
    let stream = req
        .into_body()
        .into_data_stream()
        .map(|r| r.map_err(std::io::Error::other));
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut order = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let Ok(bytes) = field.bytes().await else {
                    log.lock()
                        .expect("lock")
                        .package_errors
                        .push(format!("{key}: body cut off"));
                    return reply(400, serde_json::Value::Null);
                };
                order.push(name.clone());
                files.insert(name, bytes.to_vec());
            }
            Ok(None) => break,
            Err(e) => {
                log.lock()
                    .expect("lock")
                    .package_errors
                    .push(format!("{key}: multipart {e}"));
                return reply(400, serde_json::Value::Null);
            }
        }
    }
    let mut errors = Vec::new();
    if version != "1" {
        errors.push(format!("{key}: package version header {version:?}"));
    }
    if order.first().map(String::as_str) != Some("package.json") {
        errors.push(format!("{key}: package.json is not first"));
    }
    let index: serde_json::Value = files
        .get("package.json")
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or_default();
    if index["idempotency_key"] != key.as_str() || index["filing_id"] != key.as_str() {
        errors.push(format!("{key}: index names another filing"));
    }
    let listed = index["files"].as_array().cloned().unwrap_or_default();
    for f in &listed {
        let path = f["path"].as_str().unwrap_or("");
        match files.get(path) {
            None => errors.push(format!("{key}: {path} listed but not sent")),
            Some(b) => {
                if f["sha256"] != sha256_hex(b).as_str() || f["size"] != b.len() {
                    errors.push(format!("{key}: {path} does not match its digest"));
                }
            }
        }
    }
    if listed.len() + 1 != files.len() {
        errors.push(format!(
            "{key}: {} files sent, {} listed",
            files.len(),
            listed.len() + 1
        ));
    }
    let index_sha = Some(sha256_hex(index["files"].to_string().as_bytes()));
    if !errors.is_empty() {
        let mut l = log.lock().expect("lock");
        l.package_errors.extend(errors);
        l.arrivals.push(arrival(index_sha));
        return reply(422, serde_json::Value::Null);
    }
    let (status, number) = {
        let mut l = log.lock().expect("lock");
        l.arrivals.push(arrival(index_sha));
        let next = l.processed.len() + 1;
        match l.processed.get(&key) {
            // Seen before: the same answer, not processed again.
            Some(p) => (200, p.reception_number.clone()),
            None => {
                let number = format!("R-{next:05}");
                l.processed.insert(
                    key.clone(),
                    Processed {
                        index,
                        files,
                        reception_number: number.clone(),
                    },
                );
                (201, number)
            }
        }
    };
    if let Behaviour::SlowAccept(d) = current {
        tokio::time::sleep(d).await;
    }
    reply(status, serde_json::json!({ "reception_number": number }))
}
