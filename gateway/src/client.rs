//! The applicant's side of the contract: `birthgate submit`, `status` and
//! `bench` (the load tool), and the library the end-to-end tests use, so
//! that the command line, the tests and the load tool send filings by one
//! code path.
//!
//! [`build_submission`] writes the manifest over the notification and the
//! attachments, signs it with the project's CMS signer
//! ([`verifier::signer::sign_detached`]; on a real My Number card the card
//! signs) and lays the parts out as `multipart/form-data` in contract order
//! (`manifest`, `notification`, `signature`, `certificate-1`, …). [`Client`]
//! sends it over HTTPS — rustls with the ring provider, the server
//! authenticated against one CA, HTTP/1.1 through hyper — as a streaming
//! body, so that the command can show progress and a test can play a slow
//! client. A saved submission directory ([`save_submission`],
//! [`read_saved_submission`]) is what `birthgate verify DIR` re-checks
//! offline.
//!
//! # Layout
//! - [`ClientError`] — every failure, naming the flag or file concerned.
//! - [`Signer`], [`AttachmentPart`], [`PreparedSubmission`],
//!   [`build_submission`] — the signed filing and its multipart body.
//! - [`sniff_media_type`], [`attachment_media_type`] — media types from magic
//!   bytes, then the extension; HEIC refused.
//! - [`save_submission`], [`read_saved_submission`] — the saved layout.
//! - [`Client`], [`Connection`], [`SendOptions`], [`Answer`] — the transport.
//! - [`bench`], [`BenchPlan`], [`BenchReport`], [`percentile`],
//!   [`read_proc_memory`] — the load tool.
//! - [`SubmitArgs`]/[`run_submit`], [`StatusArgs`]/[`run_status`],
//!   [`BenchArgs`]/[`run_bench`] — the commands.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::io::IsTerminal;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request};
use http_body_util::{BodyExt as _, Limited};
use hyper::body::{Body, Frame, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde::Serialize;
use time::OffsetDateTime;
use tokio_rustls::TlsConnector;
use verifier::manifest::{
    MANIFEST_PART, Manifest, NOTIFICATION_MEDIA_TYPE, NOTIFICATION_PART, SIGNATURE_PART,
};
use verifier::signer::{SignError, SignOptions, sign_detached};

/// Media type of the `signature` part.
pub const SIGNATURE_MEDIA_TYPE: &str = "application/pkcs7-signature";
/// Media type of the `manifest` part.
pub const MANIFEST_MEDIA_TYPE: &str = "application/json";
/// Path of the submission endpoint, below the base URL.
pub const SUBMIT_PATH: &str = "/v1/birth-notifications";
/// Attachment media types the contract accepts.
pub const ACCEPTED_ATTACHMENT_TYPES: [&str; 5] = [
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/gif",
    "application/pdf",
];
/// Default time allowed for one request, upload included (a few MB over a
/// slow line).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// Time allowed for the TCP connection and the TLS handshake.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest answer body read; the contract's answers are a few KiB.
pub const MAX_ANSWER_BYTES: usize = 4 << 20;
/// Size of the body frames handed to the connection when not paced.
const FRAME_BYTES: usize = 64 << 10;
/// How often the load tool samples the server's VmRSS.
pub const RSS_SAMPLE_INTERVAL: Duration = Duration::from_millis(50);

/// Why a client operation failed. Every variant names the flag, file or
/// address concerned, so the command line can print it as is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A file could not be read.
    #[error("{what} {}: {source}", path.display())]
    ReadFile {
        /// The flag the file was given with (`--cert`, `--notification` …), or
        /// what it is (`attachment`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file or directory could not be written (`--save`).
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A certificate or key file holds nothing usable of the expected kind.
    #[error("{what} {}: {detail}", path.display())]
    BadKeyOrCertificate {
        /// The flag the file was given with (`--cert`, `--key`, `--chain`, `--ca`).
        what: &'static str,
        /// The file (empty when the bytes were handed in directly).
        path: PathBuf,
        /// What is wrong and how to fix it.
        detail: String,
    },
    /// An attachment is HEIC/HEIF, which the portal does not accept.
    #[error(
        "attachment {}: HEIC/HEIF images are not accepted (JPEG, PNG, TIFF, GIF or PDF only); export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) and try again",
        path.display()
    )]
    Heic {
        /// The file.
        path: PathBuf,
    },
    /// An attachment is not JPEG, PNG, TIFF, GIF or PDF.
    #[error(
        "attachment {}: not a JPEG, PNG, TIFF, GIF or PDF file{}",
        path.display(),
        detected.map(|d| format!(" (it looks like {d})")).unwrap_or_default()
    )]
    UnsupportedAttachment {
        /// The file.
        path: PathBuf,
        /// The media type recognized from the bytes, if any.
        detected: Option<&'static str>,
    },
    /// The signer refused (key does not match the certificate, not PKCS#8 …).
    #[error("cannot sign the manifest: {0}")]
    Sign(#[from] SignError),
    /// The URL is not an `https://` URL with a host.
    #[error("--url {url}: {detail}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// A request parameter cannot be sent (not a valid header value, a
    /// filing id with characters outside `[A-Za-z0-9_-]` …).
    #[error("{what}: {detail}")]
    InvalidArgument {
        /// The parameter.
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// The TCP connection could not be made.
    #[error("cannot connect to {address}: {source}")]
    Connect {
        /// `host:port`.
        address: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TLS handshake failed (for instance the server's certificate is
    /// not issued by `--ca`, or not for this host name).
    #[error("TLS handshake with {address} failed: {source}")]
    Tls {
        /// `host:port`.
        address: String,
        /// The error, wrapping rustls's.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP exchange failed (connection closed, malformed answer, answer
    /// larger than [`MAX_ANSWER_BYTES`]).
    #[error("HTTP exchange with {address} failed: {detail}")]
    Http {
        /// `host:port`.
        address: String,
        /// hyper's message, with its causes.
        detail: String,
    },
    /// No complete answer in time.
    #[error("no answer from {address} within {} ms", timeout.as_millis())]
    Timeout {
        /// `host:port`.
        address: String,
        /// The time allowed.
        timeout: Duration,
    },
    /// A saved submission directory is incomplete or ambiguous.
    #[error("{}: {detail}", dir.display())]
    SavedSubmission {
        /// The directory.
        dir: PathBuf,
        /// What is missing or ambiguous.
        detail: String,
    },
    /// The server's memory could not be read from `/proc/PID/status`.
    #[error("--server-pid {pid}: {detail}")]
    ServerMemory {
        /// The process id.
        pid: u32,
        /// Why.
        detail: String,
    },
}

type Result<T, E = ClientError> = std::result::Result<T, E>;

fn read_file(what: &'static str, path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| ClientError::ReadFile {
        what,
        path: path.to_path_buf(),
        source,
    })
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// The certificates in `bytes`: every `CERTIFICATE` block of a PEM file, or
/// the file itself when it is DER.
fn certificates_from(what: &'static str, path: &Path, bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    let bad = |detail: String| ClientError::BadKeyOrCertificate {
        what,
        path: path.to_path_buf(),
        detail,
    };
    if looks_like_pem(bytes) {
        let certs = CertificateDer::pem_slice_iter(bytes)
            .map(|c| c.map(|c| c.as_ref().to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("unreadable PEM: {e}")))?;
        if certs.is_empty() {
            return Err(bad("no CERTIFICATE block in this PEM file".to_owned()));
        }
        Ok(certs)
    } else if bytes.first() == Some(&0x30) {
        Ok(vec![bytes.to_vec()])
    } else {
        Err(bad(
            "neither a PEM file with CERTIFICATE blocks nor a DER certificate".to_owned(),
        ))
    }
}

/// The PKCS#8 private key in `bytes` (PEM `PRIVATE KEY` or DER).
fn pkcs8_key_from(path: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    let bad = |detail: &str| ClientError::BadKeyOrCertificate {
        what: "--key",
        path: path.to_path_buf(),
        detail: detail.to_owned(),
    };
    if !looks_like_pem(bytes) {
        return if bytes.first() == Some(&0x30) {
            Ok(bytes.to_vec())
        } else {
            Err(bad("neither a PEM file nor a DER PKCS#8 private key"))
        };
    }
    match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(PrivateKeyDer::Pkcs8(k)) => Ok(k.secret_pkcs8_der().to_vec()),
        Ok(PrivateKeyDer::Pkcs1(_) | PrivateKeyDer::Sec1(_)) => Err(bad(
            "this is a PKCS#1/SEC1 key; the signer needs PKCS#8: convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.p8.pem`",
        )),
        Ok(_) => Err(bad("unsupported private key format; expected PKCS#8")),
        Err(rustls::pki_types::pem::Error::NoItemsFound) => Err(bad(
            "no unencrypted PRIVATE KEY block (encrypted keys are not supported)",
        )),
        Err(e) => Err(bad(&format!("unreadable PEM: {e}"))),
    }
}

/// The notifier's (届出人の) signing material: certificate, private key and
/// the certificates to include in the CMS so the server can build the chain.
#[derive(Clone)]
pub struct Signer {
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    pkcs8_key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("certificate_bytes", &self.certificate.len())
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// From DER: the signer certificate, the extra certificates and the
    /// PKCS#8 key. Checked only when signing.
    pub fn from_der(certificate: Vec<u8>, chain: Vec<Vec<u8>>, pkcs8_key: Vec<u8>) -> Self {
        Self {
            certificate,
            chain,
            pkcs8_key,
        }
    }

    /// From files, each PEM or DER: `cert` (its first certificate signs; any
    /// further ones in the same file join the chain), `key` (PKCS#8) and
    /// `chain` (extra certificates to include in the CMS, e.g. the signing CA).
    pub fn from_files(cert: &Path, key: &Path, chain: &[PathBuf]) -> Result<Self> {
        let mut certs = certificates_from("--cert", cert, &read_file("--cert", cert)?)?.into_iter();
        let Some(certificate) = certs.next() else {
            return Err(ClientError::BadKeyOrCertificate {
                what: "--cert",
                path: cert.to_path_buf(),
                detail: "no certificate".to_owned(),
            });
        };
        let mut extra: Vec<Vec<u8>> = certs.collect();
        for c in chain {
            extra.extend(certificates_from("--chain", c, &read_file("--chain", c)?)?);
        }
        let pkcs8_key = pkcs8_key_from(key, &read_file("--key", key)?)?;
        Ok(Self {
            certificate,
            chain: extra,
            pkcs8_key,
        })
    }

    /// The signer certificate (DER).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    /// Signs the manifest bytes: a detached DER CMS SignedData with signed
    /// attributes (contentType, signingTime, messageDigest), the signer
    /// certificate and the chain.
    pub fn sign(&self, manifest: &[u8], signing_time: OffsetDateTime) -> Result<Vec<u8>> {
        let chain: Vec<&[u8]> = self.chain.iter().map(Vec::as_slice).collect();
        Ok(sign_detached(
            manifest,
            &self.certificate,
            &chain,
            &self.pkcs8_key,
            SignOptions {
                signed_attributes: true,
                signing_time,
            },
        )?)
    }
}

/// The media type recognized from the leading bytes: the five the contract
/// accepts, and HEIC/HEIF and AVIF (so they can be refused by name).
/// `None` when unknown.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|m| bytes.starts_with(*m))
    {
        return Some("image/tiff");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"avif" | b"avis" => Some("image/avif"),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"hevm" | b"hevs"
            | b"mif1" | b"msf1" => Some("image/heic"),
            _ => None,
        };
    }
    // Readers accept `%PDF-` anywhere in the first 1024 bytes.
    if bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Some("application/pdf");
    }
    None
}

/// The media type implied by a file name's extension, if known.
fn media_type_from_extension(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "png" => "image/png",
        "tif" | "tiff" => "image/tiff",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "heic" | "heif" => "image/heic",
        "avif" => "image/avif",
        _ => return None,
    })
}

/// The file extension written for a media type by [`save_submission`].
pub(crate) fn extension_for(media_type: &str) -> &'static str {
    match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/tiff" => "tif",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "image/heic" => "heic",
        _ => "bin",
    }
}

/// The media type to send an attachment with: from its magic bytes, else
/// from the extension of `path`. Refuses HEIC/HEIF ([`ClientError::Heic`])
/// and anything else the contract does not accept.
pub fn attachment_media_type(bytes: &[u8], path: &Path) -> Result<&'static str> {
    let detected = sniff_media_type(bytes).or_else(|| media_type_from_extension(path));
    match detected {
        Some("image/heic") => Err(ClientError::Heic {
            path: path.to_path_buf(),
        }),
        Some(t) if ACCEPTED_ATTACHMENT_TYPES.contains(&t) => Ok(t),
        other => Err(ClientError::UnsupportedAttachment {
            path: path.to_path_buf(),
            detected: other,
        }),
    }
}

/// One attachment (a 出生証明書 page): its media type and bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct AttachmentPart {
    /// The media type it is declared and sent with.
    pub media_type: String,
    /// The bytes.
    pub bytes: Bytes,
}

impl std::fmt::Debug for AttachmentPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentPart")
            .field("media_type", &self.media_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl AttachmentPart {
    /// An attachment with the media type given (not checked: tests send
    /// wrong ones on purpose).
    pub fn new(media_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            media_type: media_type.into(),
            bytes: bytes.into(),
        }
    }

    /// Reads a file and determines its media type with
    /// [`attachment_media_type`].
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = read_file("attachment", path)?;
        let media_type = attachment_media_type(&bytes, path)?;
        Ok(Self::new(media_type, bytes))
    }
}

/// A filing ready to send: the signed manifest, the notification, the
/// signature and the attachments, with the multipart boundary chosen so it
/// occurs in none of them. Cheap to clone (the bytes are shared).
#[derive(Clone)]
pub struct PreparedSubmission {
    manifest: Bytes,
    notification: Bytes,
    signature: Bytes,
    attachments: Vec<AttachmentPart>,
    boundary: String,
}

impl std::fmt::Debug for PreparedSubmission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedSubmission")
            .field("manifest_len", &self.manifest.len())
            .field("notification_len", &self.notification.len())
            .field("signature_len", &self.signature.len())
            .field("attachments", &self.attachments)
            .field("boundary", &self.boundary)
            .finish()
    }
}

/// Builds the manifest over `notification` and `attachments` (named
/// `certificate-1`, … in order), signs it at `signing_time` and prepares the
/// multipart body. The one code path of `submit`, `bench` and the tests.
pub fn build_submission(
    signer: &Signer,
    notification: Bytes,
    attachments: Vec<AttachmentPart>,
    signing_time: OffsetDateTime,
) -> Result<PreparedSubmission> {
    let listed: Vec<(&str, &[u8])> = attachments
        .iter()
        .map(|a| (a.media_type.as_str(), a.bytes.as_ref()))
        .collect();
    let manifest = Manifest::for_parts(&notification, &listed).to_bytes();
    let signature = signer.sign(&manifest, signing_time)?;
    Ok(PreparedSubmission::from_parts(
        manifest.into(),
        notification,
        signature.into(),
        attachments,
    ))
}

fn random_boundary() -> String {
    let mut seed = [0u8; 16];
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed).is_err() {
        // No system randomness: the time still makes a collision unlikely,
        // and the caller checks the parts for it anyway.
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        seed = nanos.to_le_bytes();
    }
    format!("birthgate-{}", hex::encode(seed))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl PreparedSubmission {
    /// Reads the notification and attachment files (media types by magic
    /// bytes, then extension; HEIC refused) and builds the filing.
    pub fn from_files(
        signer: &Signer,
        notification: &Path,
        attachments: &[PathBuf],
        signing_time: OffsetDateTime,
    ) -> Result<Self> {
        let notification = read_file("--notification", notification)?;
        let attachments = attachments
            .iter()
            .map(|p| AttachmentPart::from_file(p))
            .collect::<Result<Vec<_>>>()?;
        build_submission(signer, notification.into(), attachments, signing_time)
    }

    /// Builds the filing from bytes (see [`build_submission`]).
    pub fn from_bytes(
        signer: &Signer,
        notification: impl Into<Bytes>,
        attachments: Vec<AttachmentPart>,
        signing_time: OffsetDateTime,
    ) -> Result<Self> {
        build_submission(signer, notification.into(), attachments, signing_time)
    }

    /// Assembles parts as given, without building or signing anything: for
    /// tests that send a tampered part, a stale signature or a manifest that
    /// does not match.
    pub fn from_parts(
        manifest: Bytes,
        notification: Bytes,
        signature: Bytes,
        attachments: Vec<AttachmentPart>,
    ) -> Self {
        let mut boundary = random_boundary();
        let mut tries = 0;
        while tries < 8
            && [&manifest, &notification, &signature]
                .into_iter()
                .chain(attachments.iter().map(|a| &a.bytes))
                .any(|b| contains(b, boundary.as_bytes()))
        {
            boundary = random_boundary();
            tries += 1;
        }
        Self {
            manifest,
            notification,
            signature,
            attachments,
            boundary,
        }
    }

    /// The `manifest` part (the signed bytes).
    pub fn manifest(&self) -> &Bytes {
        &self.manifest
    }

    /// The `notification` part.
    pub fn notification(&self) -> &Bytes {
        &self.notification
    }

    /// The `signature` part (DER CMS).
    pub fn signature(&self) -> &Bytes {
        &self.signature
    }

    /// The attachments, `certificate-1` first.
    pub fn attachments(&self) -> &[AttachmentPart] {
        &self.attachments
    }

    /// The multipart boundary.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// SHA-256 of the manifest bytes, lowercase hex (the receipt's
    /// `manifest_sha256`).
    pub fn manifest_sha256(&self) -> String {
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &self.manifest))
    }

    /// The parts in contract order: `(part name, media type, bytes)`.
    pub fn parts(&self) -> Vec<(String, String, Bytes)> {
        let mut parts = vec![
            (
                MANIFEST_PART.to_owned(),
                MANIFEST_MEDIA_TYPE.to_owned(),
                self.manifest.clone(),
            ),
            (
                NOTIFICATION_PART.to_owned(),
                NOTIFICATION_MEDIA_TYPE.to_owned(),
                self.notification.clone(),
            ),
            (
                SIGNATURE_PART.to_owned(),
                SIGNATURE_MEDIA_TYPE.to_owned(),
                self.signature.clone(),
            ),
        ];
        parts.extend(self.attachments.iter().enumerate().map(|(i, a)| {
            (
                format!("certificate-{}", i + 1),
                a.media_type.clone(),
                a.bytes.clone(),
            )
        }));
        parts
    }

    /// The `Content-Type` of the body: `multipart/form-data; boundary=…`.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The body as a list of buffers: part headers, the parts' own bytes
    /// (shared, not copied) and the closing delimiter.
    pub fn body_chunks(&self) -> Vec<Bytes> {
        let mut chunks = Vec::new();
        for (name, media_type, bytes) in self.parts() {
            let filename = match name.as_str() {
                MANIFEST_PART => "manifest.json".to_owned(),
                NOTIFICATION_PART => "notification.json".to_owned(),
                SIGNATURE_PART => "signature.p7s".to_owned(),
                other => format!("{other}.{}", extension_for(&media_type)),
            };
            chunks.push(Bytes::from(format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {media_type}\r\n\r\n",
                self.boundary
            )));
            chunks.push(bytes);
            chunks.push(Bytes::from_static(b"\r\n"));
        }
        chunks.push(Bytes::from(format!("--{}--\r\n", self.boundary)));
        chunks
    }

    /// The body in one buffer (copies the parts; for tests and `post_raw`).
    pub fn body(&self) -> Bytes {
        let chunks = self.body_chunks();
        let mut out = Vec::with_capacity(chunks.iter().map(Bytes::len).sum());
        for c in &chunks {
            out.extend_from_slice(c);
        }
        out.into()
    }

    /// Length of the body in bytes.
    pub fn body_len(&self) -> u64 {
        self.body_chunks().iter().map(|c| c.len() as u64).sum()
    }
}

/// Writes a prepared submission to `dir` in the layout `birthgate verify`
/// reads: `manifest.json`, `notification.json`, `signature.der` and
/// `certificate-N.<ext>`. Creates `dir`; refuses a non-empty one, so that
/// the parts of an earlier submission cannot mix in. Returns the files written.
pub fn save_submission(dir: &Path, prepared: &PreparedSubmission) -> Result<Vec<PathBuf>> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ClientError::WriteFile { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let mut entries = std::fs::read_dir(dir).map_err(write_err(dir))?;
    if entries.next().is_some() {
        return Err(ClientError::SavedSubmission {
            dir: dir.to_path_buf(),
            detail: "the directory is not empty; give a new or empty directory to --save"
                .to_owned(),
        });
    }
    let mut files: Vec<(String, &Bytes)> = vec![
        ("manifest.json".to_owned(), &prepared.manifest),
        ("notification.json".to_owned(), &prepared.notification),
        ("signature.der".to_owned(), &prepared.signature),
    ];
    for (i, a) in prepared.attachments.iter().enumerate() {
        files.push((
            format!("certificate-{}.{}", i + 1, extension_for(&a.media_type)),
            &a.bytes,
        ));
    }
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(write_err(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Reads a saved submission directory: `manifest.json`, `notification.json`,
/// `signature.der` (or `signature.p7s`) and `certificate-1.<ext>`,
/// `certificate-2.<ext>` …. Returns `(part name, media type, bytes)` in
/// contract order: manifest and notification as `application/json`, the
/// signature as `application/pkcs7-signature`, attachments by magic bytes,
/// else by extension, else `application/octet-stream` (the verifier judges
/// them; nothing is refused here). Other files are ignored.
pub fn read_saved_submission(dir: &Path) -> Result<Vec<(String, String, Vec<u8>)>, ClientError> {
    let saved = |detail: String| ClientError::SavedSubmission {
        dir: dir.to_path_buf(),
        detail,
    };
    let read = |name: &str| -> Result<Vec<u8>> {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| saved(format!("{name}: {e}")))
    };
    let mut parts = vec![
        (
            MANIFEST_PART.to_owned(),
            MANIFEST_MEDIA_TYPE.to_owned(),
            read("manifest.json")?,
        ),
        (
            NOTIFICATION_PART.to_owned(),
            NOTIFICATION_MEDIA_TYPE.to_owned(),
            read("notification.json")?,
        ),
    ];
    let signature = match (
        dir.join("signature.der").is_file(),
        dir.join("signature.p7s").is_file(),
    ) {
        (true, true) => {
            return Err(saved(
                "both signature.der and signature.p7s exist; keep one".to_owned(),
            ));
        }
        (true, false) => read("signature.der")?,
        (false, true) => read("signature.p7s")?,
        (false, false) => {
            return Err(saved(
                "signature.der (or signature.p7s) is missing".to_owned(),
            ));
        }
    };
    parts.push((
        SIGNATURE_PART.to_owned(),
        SIGNATURE_MEDIA_TYPE.to_owned(),
        signature,
    ));

    let mut attachments: BTreeMap<u32, PathBuf> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| saved(e.to_string()))? {
        let path = entry.map_err(|e| saved(e.to_string()))?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !stem.starts_with("certificate-") || !path.is_file() {
            continue;
        }
        let Some(n) = verifier::manifest::attachment_index(stem) else {
            return Err(saved(format!(
                "{}: attachments are named certificate-1.<ext>, certificate-2.<ext> …",
                path.display()
            )));
        };
        if let Some(previous) = attachments.insert(n, path.clone()) {
            return Err(saved(format!(
                "two files for {stem}: {} and {}",
                previous.display(),
                path.display()
            )));
        }
    }
    for (n, path) in attachments {
        let bytes = std::fs::read(&path).map_err(|e| saved(format!("{}: {e}", path.display())))?;
        let media_type = sniff_media_type(&bytes)
            .or_else(|| media_type_from_extension(&path))
            .unwrap_or("application/octet-stream");
        parts.push((format!("certificate-{n}"), media_type.to_owned(), bytes));
    }
    Ok(parts)
}

/// The request body: the buffers handed to the connection in frames of at
/// most 64 KiB, or paced to a byte rate; counts what it handed over.
struct UploadBody {
    chunks: VecDeque<Bytes>,
    remaining: u64,
    chunked: bool,
    pace: Option<u64>,
    delay: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The next frame, held back until `delay` has passed.
    pending: Option<Bytes>,
    progress: Option<Arc<AtomicU64>>,
}

impl UploadBody {
    fn new(chunks: Vec<Bytes>, options: &SendOptions) -> Self {
        let chunks: VecDeque<Bytes> = chunks.into_iter().filter(|c| !c.is_empty()).collect();
        Self {
            remaining: chunks.iter().map(|c| c.len() as u64).sum(),
            chunks,
            chunked: options.chunked,
            pace: options.bytes_per_second.map(|b| b.max(1)),
            delay: None,
            pending: None,
            progress: options.progress.clone(),
        }
    }
}

impl Body for UploadBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            let Some(front) = this.chunks.front_mut() else {
                return Poll::Ready(None);
            };
            // Paced: about ten frames a second, each sent after the time its
            // bytes take at the rate, so B bytes take about B / rate.
            let max = match this.pace {
                Some(rate) => usize::try_from(rate / 10)
                    .unwrap_or(FRAME_BYTES)
                    .clamp(1, FRAME_BYTES),
                None => FRAME_BYTES,
            };
            let frame = front.split_to(front.len().min(max));
            if front.is_empty() {
                this.chunks.pop_front();
            }
            if let Some(rate) = this.pace {
                let wait = Duration::from_secs_f64(frame.len() as f64 / rate as f64);
                this.delay = Some(Box::pin(tokio::time::sleep(wait)));
            }
            this.pending = Some(frame);
        }
        if let Some(delay) = this.delay.as_mut() {
            std::task::ready!(delay.as_mut().poll(cx));
            this.delay = None;
        }
        let Some(frame) = this.pending.take() else {
            return Poll::Ready(None);
        };
        let n = frame.len() as u64;
        this.remaining -= n;
        if let Some(p) = &this.progress {
            p.fetch_add(n, Ordering::Relaxed);
        }
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && self.pending.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        if self.chunked {
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.remaining)
        }
    }
}

/// Options of one request. `Default` sends the body at full speed with an
/// exact `Content-Length` and no optional header.
#[derive(Debug, Clone, Default)]
pub struct SendOptions {
    /// `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
    /// `Accept-Language` header (`ja`, `en`) for the problem messages.
    pub accept_language: Option<String>,
    /// `Authorization: Bearer …`.
    pub bearer_token: Option<String>,
    /// Send the body at about this many bytes per second (a slow client).
    pub bytes_per_second: Option<u64>,
    /// Send the body with `Transfer-Encoding: chunked` instead of a
    /// `Content-Length`.
    pub chunked: bool,
    /// Further headers, as given (they may override the defaults, e.g. a
    /// false `Content-Length`).
    pub headers: Vec<(String, String)>,
    /// Incremented by the body bytes handed to the connection.
    pub progress: Option<Arc<AtomicU64>>,
}

impl SendOptions {
    /// Sets the `Idempotency-Key`.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sets `Accept-Language`.
    pub fn accept_language(mut self, language: impl Into<String>) -> Self {
        self.accept_language = Some(language.into());
        self
    }

    /// Sets the bearer token.
    pub fn bearer(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Sends the body slowly, at about `bytes_per_second`.
    pub fn send_slowly(mut self, bytes_per_second: u64) -> Self {
        self.bytes_per_second = Some(bytes_per_second);
        self
    }

    /// Sends the body chunked, without `Content-Length`.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Counts the bytes sent into `counter`.
    pub fn progress(mut self, counter: Arc<AtomicU64>) -> Self {
        self.progress = Some(counter);
        self
    }
}

/// The server's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body parsed as JSON; `Null` when empty or not JSON (see `raw`).
    pub body: serde_json::Value,
    /// The body as received.
    pub raw: Bytes,
}

impl Answer {
    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The `code` of each entry of a problem document's `problems` array.
    pub fn problem_codes(&self) -> Vec<String> {
        self.body
            .get("problems")
            .and_then(|p| p.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.get("code")?.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The body for printing: pretty JSON, or the text as received.
    pub fn body_text(&self) -> String {
        if self.body.is_null() {
            String::from_utf8_lossy(&self.raw).into_owned()
        } else {
            serde_json::to_string_pretty(&self.body).unwrap_or_default()
        }
    }
}

/// An HTTPS client of one gateway: the base URL and the one CA its server
/// certificate must chain to. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    /// `host:port` as in the URL (the `Host` header).
    authority: String,
    /// Host without IPv6 brackets, to connect to.
    host: String,
    port: u16,
    /// Path prefix of the URL, without trailing slash.
    prefix: String,
    server_name: ServerName<'static>,
    connector: TlsConnector,
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.base_url())
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn tls_client_config(
    ca: &[u8],
    time: Option<Arc<dyn rustls::time_provider::TimeProvider>>,
) -> Result<rustls::ClientConfig> {
    let bad = |detail: String| ClientError::BadKeyOrCertificate {
        what: "--ca",
        path: PathBuf::new(),
        detail,
    };
    let mut roots = RootCertStore::empty();
    for der in certificates_from("--ca", Path::new(""), ca)? {
        roots
            .add(CertificateDer::from(der))
            .map_err(|e| bad(format!("not a usable CA certificate: {e}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = match time {
        Some(t) => rustls::ClientConfig::builder_with_details(provider, t),
        None => rustls::ClientConfig::builder_with_provider(provider),
    };
    let mut config = builder
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

impl Client {
    /// A client of the gateway at `url` (`https://host:port`, optionally with
    /// a path prefix), trusting only the CA certificate(s) in `ca` (PEM or DER).
    pub fn new(url: &str, ca: &[u8]) -> Result<Self> {
        Self::with_tls(url, tls_client_config(ca, None)?)
    }

    /// Like [`Client::new`], reading the CA from a file (`--ca`).
    pub fn from_ca_file(url: &str, ca: &Path) -> Result<Self> {
        let bytes = read_file("--ca", ca)?;
        let config = tls_client_config(&bytes, None).map_err(|e| match e {
            ClientError::BadKeyOrCertificate { what, detail, .. } => {
                ClientError::BadKeyOrCertificate {
                    what,
                    path: ca.to_path_buf(),
                    detail,
                }
            }
            other => other,
        })?;
        Self::with_tls(url, config)
    }

    /// A client presenting a client certificate (mutual TLS), for the
    /// municipal API: `chain_pem` is the certificate (and any
    /// intermediates), `key_pem` its PKCS#8 key.
    pub fn with_identity(url: &str, ca: &[u8], chain_pem: &[u8], key_pem: &[u8]) -> Result<Self> {
        let bad = |detail: String| ClientError::BadKeyOrCertificate {
            what: "client certificate",
            path: PathBuf::new(),
            detail,
        };
        let mut roots = RootCertStore::empty();
        for der in certificates_from("--ca", Path::new(""), ca)? {
            roots
                .add(CertificateDer::from(der))
                .map_err(|e| bad(format!("not a usable CA certificate: {e}")))?;
        }
        let chain = certificates_from("client certificate", Path::new(""), chain_pem)?
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        let key = PrivateKeyDer::from(rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8_key_from(
            Path::new(""),
            key_pem,
        )?));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(format!("TLS configuration: {e}")))?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .map_err(|e| bad(format!("key does not fit the certificate: {e}")))?;
        Self::with_config(url, config)
    }

    /// A client with a prepared rustls configuration (ALPN is set to HTTP/1.1).
    pub fn with_config(url: &str, mut config: rustls::ClientConfig) -> Result<Self> {
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Self::with_tls(url, config)
    }

    fn with_tls(url: &str, config: rustls::ClientConfig) -> Result<Self> {
        let bad = |detail: &str| ClientError::Url {
            url: url.to_owned(),
            detail: detail.to_owned(),
        };
        let uri: http::Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| bad(&e.to_string()))?;
        match uri.scheme_str() {
            Some("https") => {}
            Some(_) => return Err(bad("only https:// URLs are supported")),
            None => return Err(bad("expected https://HOST:PORT")),
        }
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("credentials in the URL are not supported"));
        }
        if uri.query().is_some() {
            return Err(bad("the base URL takes no query"));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let server_name = ServerName::try_from(host.clone())
            .map_err(|e| bad(&format!("not a host name or IP address: {e}")))?;
        Ok(Self {
            authority: authority.as_str().to_owned(),
            port: authority.port_u16().unwrap_or(443),
            host,
            prefix: uri.path().trim_end_matches('/').to_owned(),
            server_name,
            connector: TlsConnector::from(Arc::new(config)),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Sets the time allowed for each request (upload and answer).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The base URL, normalized.
    pub fn base_url(&self) -> String {
        format!("https://{}{}", self.authority, self.prefix)
    }

    /// Opens a keep-alive connection (TCP, TLS, HTTP/1.1).
    pub async fn connect(&self) -> Result<Connection> {
        let address = format!("{}:{}", self.host, self.port);
        let connect = async {
            let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|source| ClientError::Connect {
                    address: address.clone(),
                    source,
                })?;
            // Latency matters more than packet count for these exchanges.
            let _ = tcp.set_nodelay(true);
            let tls = self
                .connector
                .connect(self.server_name.clone(), tcp)
                .await
                .map_err(|source| ClientError::Tls {
                    address: address.clone(),
                    source,
                })?;
            let (sender, driver) =
                hyper::client::conn::http1::handshake::<_, UploadBody>(TokioIo::new(tls))
                    .await
                    .map_err(|e| http_error(&address, &e))?;
            tokio::spawn(async move {
                // Ends when the server closes or the sender is dropped; the
                // request in flight, if any, sees the error.
                let _ = driver.await;
            });
            Ok::<_, ClientError>(sender)
        };
        let sender = tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| ClientError::Timeout {
                address: address.clone(),
                timeout: CONNECT_TIMEOUT,
            })??;
        Ok(Connection {
            sender,
            address,
            authority: self.authority.clone(),
            prefix: self.prefix.clone(),
            timeout: self.timeout,
        })
    }

    /// Submits a filing on a new connection.
    pub async fn submit(
        &self,
        prepared: &PreparedSubmission,
        idempotency_key: Option<&str>,
        accept_language: Option<&str>,
    ) -> Result<Answer> {
        let options = SendOptions {
            idempotency_key: idempotency_key.map(str::to_owned),
            accept_language: accept_language.map(str::to_owned),
            ..SendOptions::default()
        };
        self.submit_with(prepared, &options).await
    }

    /// Submits a filing on a new connection, with any [`SendOptions`].
    pub async fn submit_with(
        &self,
        prepared: &PreparedSubmission,
        options: &SendOptions,
    ) -> Result<Answer> {
        self.connect().await?.submit_with(prepared, options).await
    }

    /// `GET /v1/birth-notifications/{filing_id}` with the access token.
    pub async fn status(&self, filing_id: &str, token: &str) -> Result<Answer> {
        self.connect().await?.status(filing_id, token).await
    }

    /// `POST /v1/birth-notifications` with any content type and body, for
    /// malformed-request tests.
    pub async fn post_raw(
        &self,
        content_type: &str,
        body: impl Into<Bytes>,
        options: &SendOptions,
    ) -> Result<Answer> {
        self.connect()
            .await?
            .post_raw(content_type, body, options)
            .await
    }

    /// `GET` any path below the base URL (`/healthz`, `/openapi.json` …).
    pub async fn get(&self, path: &str, options: &SendOptions) -> Result<Answer> {
        self.connect()
            .await?
            .send(Method::GET, path, None, Vec::new(), options)
            .await
    }
}

fn http_error(address: &str, e: &hyper::Error) -> ClientError {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    ClientError::Http {
        address: address.to_owned(),
        detail,
    }
}

fn header_value(what: &str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value).map_err(|_| ClientError::InvalidArgument {
        what: what.to_owned(),
        detail: "not a valid HTTP header value".to_owned(),
    })
}

/// One keep-alive HTTP/1.1 connection to the gateway; requests on it go one
/// after the other.
pub struct Connection {
    sender: SendRequest<UploadBody>,
    address: String,
    authority: String,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("address", &self.address)
            .field("closed", &self.sender.is_closed())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Whether the server (or an error) closed the connection.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Submits a filing.
    pub async fn submit_with(
        &mut self,
        prepared: &PreparedSubmission,
        options: &SendOptions,
    ) -> Result<Answer> {
        let content_type = prepared.content_type();
        self.send(
            Method::POST,
            SUBMIT_PATH,
            Some(&content_type),
            prepared.body_chunks(),
            options,
        )
        .await
    }

    /// The status of a filing, with its access token.
    pub async fn status(&mut self, filing_id: &str, token: &str) -> Result<Answer> {
        self.status_with(filing_id, token, &SendOptions::default())
            .await
    }

    /// The status of a filing, with its access token and further options
    /// (`Accept-Language` …).
    pub async fn status_with(
        &mut self,
        filing_id: &str,
        token: &str,
        options: &SendOptions,
    ) -> Result<Answer> {
        if filing_id.is_empty()
            || !filing_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ClientError::InvalidArgument {
                what: "--filing".to_owned(),
                detail: "a filing id has only letters, digits, '-' and '_'".to_owned(),
            });
        }
        let options = options.clone().bearer(token);
        self.send(
            Method::GET,
            &format!("{SUBMIT_PATH}/{filing_id}"),
            None,
            Vec::new(),
            &options,
        )
        .await
    }

    /// Posts any body to the submission endpoint.
    pub async fn post_raw(
        &mut self,
        content_type: &str,
        body: impl Into<Bytes>,
        options: &SendOptions,
    ) -> Result<Answer> {
        self.send(
            Method::POST,
            SUBMIT_PATH,
            Some(content_type),
            vec![body.into()],
            options,
        )
        .await
    }

    /// Sends one request to `path` (below the base URL) and reads the whole
    /// answer (at most [`MAX_ANSWER_BYTES`]) within the client's timeout.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<Bytes>,
        options: &SendOptions,
    ) -> Result<Answer> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.prefix))
            .body(UploadBody::new(body, options))
            .map_err(|e| ClientError::InvalidArgument {
                what: "path".to_owned(),
                detail: e.to_string(),
            })?;
        let headers = request.headers_mut();
        headers.insert(HOST, header_value("host", &self.authority)?);
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("birthgate/", env!("CARGO_PKG_VERSION"))),
        );
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, application/problem+json"),
        );
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, header_value("content type", ct)?);
        }
        if let Some(k) = &options.idempotency_key {
            headers.insert("idempotency-key", header_value("--idempotency-key", k)?);
        }
        if let Some(l) = &options.accept_language {
            headers.insert(
                http::header::ACCEPT_LANGUAGE,
                header_value("--accept-language", l)?,
            );
        }
        if let Some(t) = &options.bearer_token {
            headers.insert(
                AUTHORIZATION,
                header_value("--token", &format!("Bearer {t}"))?,
            );
        }
        for (name, value) in &options.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ClientError::InvalidArgument {
                    what: format!("header {name}"),
                    detail: "not a valid header name".to_owned(),
                }
            })?;
            headers.insert(name.clone(), header_value(name.as_str(), value)?);
        }
        let address = self.address.clone();
        let exchange = async {
            self.sender
                .ready()
                .await
                .map_err(|e| http_error(&address, &e))?;
            let response = self
                .sender
                .send_request(request)
                .await
                .map_err(|e| http_error(&address, &e))?;
            let (head, body) = response.into_parts();
            let raw = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| ClientError::Http {
                    address: address.clone(),
                    detail: format!("reading the answer: {e}"),
                })?
                .to_bytes();
            let body = serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null);
            Ok(Answer {
                status: head.status.as_u16(),
                headers: head.headers,
                body,
                raw,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ClientError::Timeout {
                address: self.address.clone(),
                timeout: self.timeout,
            })?
    }
}

// ---------------------------------------------------------------------------
// The load tool.

/// The `p`-th percentile (0–100) of sorted values by the nearest-rank
/// method: the smallest value with at least `p` % of the values at or below
/// it. `None` when empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * n as f64).ceil() as usize;
    sorted.get(rank.clamp(1, n) - 1).copied()
}

/// Memory of a process from `/proc/PID/status`, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProcMemory {
    /// `VmRSS`: resident set size now.
    pub rss_kib: u64,
    /// `VmHWM`: the highest resident set size since the process started.
    pub hwm_kib: u64,
}

/// Parses `VmRSS` and `VmHWM` out of the text of `/proc/PID/status`.
pub fn parse_proc_status(text: &str) -> Option<ProcMemory> {
    let field = |name: &str| {
        text.lines().find_map(|l| {
            l.strip_prefix(name)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse::<u64>()
                .ok()
        })
    };
    Some(ProcMemory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

/// Reads `/proc/PID/status` (Linux).
pub fn read_proc_memory(pid: u32) -> Result<ProcMemory> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| ClientError::ServerMemory {
        pid,
        detail: format!("{path}: {e}"),
    })?;
    parse_proc_status(&text).ok_or_else(|| ClientError::ServerMemory {
        pid,
        detail: format!("{path} has no VmRSS/VmHWM"),
    })
}

/// What each filing of a benchmark is.
#[derive(Debug, Clone)]
pub enum BenchFilings {
    /// The same signed filing every time (no key sent: the server takes
    /// each as a new filing).
    Reuse(PreparedSubmission),
    /// Built and signed anew for each request (client CPU on the same cores
    /// as the server: costs throughput).
    SignEach {
        /// The signer.
        signer: Signer,
        /// The notification.
        notification: Bytes,
        /// The attachments.
        attachments: Vec<AttachmentPart>,
    },
}

/// A benchmark: `warmup` unrecorded requests, then `requests` recorded ones,
/// with `concurrency` workers, each on its own keep-alive connection.
#[derive(Debug, Clone)]
pub struct BenchPlan {
    /// Recorded requests.
    pub requests: usize,
    /// Workers (connections).
    pub concurrency: usize,
    /// Requests sent first and not recorded.
    pub warmup: usize,
    /// The filings.
    pub filings: BenchFilings,
    /// Send a distinct `Idempotency-Key` with each request.
    pub idempotency_keys: bool,
    /// The server process whose memory to sample.
    pub server_pid: Option<u32>,
}

/// Latency of the answered requests, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

/// The server's memory during a benchmark, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ServerMemoryReport {
    /// The process.
    pub pid: u32,
    /// `VmRSS` before the first request.
    pub rss_at_start_kib: u64,
    /// The highest `VmRSS` sampled every 50 ms during the run (warm-up
    /// included): the peak this run caused, give or take a sample interval.
    pub max_rss_sampled_kib: u64,
    /// Number of samples taken.
    pub samples: u64,
    /// `VmHWM` at the end: the peak since the server started, whatever caused it.
    pub hwm_at_end_kib: u64,
}

/// What a benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Recorded requests.
    pub requests: usize,
    /// Workers.
    pub concurrency: usize,
    /// Unrecorded warm-up requests.
    pub warmup: usize,
    /// Body size of one filing, bytes.
    pub body_bytes: u64,
    /// Signatures made for the run.
    pub signatures: u64,
    /// Count of each HTTP status of the recorded requests.
    pub statuses: BTreeMap<u16, u64>,
    /// Recorded requests that got no answer.
    pub transport_errors: u64,
    /// The first few transport errors.
    pub error_samples: Vec<String>,
    /// Wall time of the recorded phase, seconds.
    pub elapsed_seconds: f64,
    /// Answered requests per second.
    pub requests_per_second: f64,
    /// 2xx answers per second: accepted filings.
    pub accepted_per_second: f64,
    /// Latency of answered requests, from sending the request on an open
    /// connection to the last byte of the answer (connecting not included);
    /// `None` when nothing was answered.
    pub latency_ms: Option<LatencySummary>,
    /// Server memory, when a pid was given.
    pub server_memory: Option<ServerMemoryReport>,
}

type Outcome = (Result<u16, String>, Duration);

struct BenchShared {
    client: Client,
    filings: BenchFilings,
    idempotency_keys: bool,
    run_id: String,
    signatures: AtomicU64,
}

impl BenchShared {
    fn filing(&self) -> Result<PreparedSubmission> {
        match &self.filings {
            BenchFilings::Reuse(p) => Ok(p.clone()),
            BenchFilings::SignEach {
                signer,
                notification,
                attachments,
            } => {
                self.signatures.fetch_add(1, Ordering::Relaxed);
                build_submission(
                    signer,
                    notification.clone(),
                    attachments.clone(),
                    OffsetDateTime::now_utc(),
                )
            }
        }
    }
}

async fn bench_worker(
    shared: Arc<BenchShared>,
    next: Arc<AtomicUsize>,
    end: usize,
    mut connection: Option<Connection>,
) -> (Option<Connection>, Vec<Outcome>) {
    let mut outcomes = Vec::new();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= end {
            break;
        }
        let prepared = match shared.filing() {
            Ok(p) => p,
            Err(e) => {
                outcomes.push((Err(e.to_string()), Duration::ZERO));
                continue;
            }
        };
        let mut options = SendOptions::default();
        if shared.idempotency_keys {
            options.idempotency_key = Some(format!("bench-{}-{i}", shared.run_id));
        }
        // Latency is that of the request itself; a (re)connection is a
        // per-worker cost and not counted.
        let mut conn = match connection.take() {
            Some(c) if !c.is_closed() => c,
            _ => match shared.client.connect().await {
                Ok(c) => c,
                Err(e) => {
                    outcomes.push((Err(e.to_string()), Duration::ZERO));
                    continue;
                }
            },
        };
        let start = Instant::now();
        let result = conn.submit_with(&prepared, &options).await;
        let elapsed = start.elapsed();
        match result {
            Ok(answer) => {
                outcomes.push((Ok(answer.status), elapsed));
                connection = Some(conn);
            }
            Err(e) => outcomes.push((Err(e.to_string()), elapsed)),
        }
    }
    (connection, outcomes)
}

async fn bench_phase(
    shared: &Arc<BenchShared>,
    start: usize,
    count: usize,
    connections: Vec<Option<Connection>>,
) -> (Vec<Option<Connection>>, Vec<Outcome>) {
    let next = Arc::new(AtomicUsize::new(start));
    let handles: Vec<_> = connections
        .into_iter()
        .map(|c| {
            tokio::spawn(bench_worker(
                Arc::clone(shared),
                Arc::clone(&next),
                start + count,
                c,
            ))
        })
        .collect();
    let mut connections = Vec::new();
    let mut outcomes = Vec::new();
    for h in handles {
        match h.await {
            Ok((c, o)) => {
                connections.push(c);
                outcomes.extend(o);
            }
            Err(e) => {
                connections.push(None);
                outcomes.push((Err(format!("worker failed: {e}")), Duration::ZERO));
            }
        }
    }
    (connections, outcomes)
}

/// Runs a benchmark against `client`'s gateway: bounded (`warmup +
/// requests` requests, then it stops), one keep-alive connection per worker,
/// sampling the server's `VmRSS` every 50 ms when a pid is given.
pub async fn bench(client: &Client, plan: &BenchPlan) -> Result<BenchReport> {
    let concurrency = plan.concurrency.max(1);
    let rss_at_start = plan.server_pid.map(read_proc_memory).transpose()?;
    let (body_bytes, signatures) = match &plan.filings {
        BenchFilings::Reuse(p) => (p.body_len(), 1),
        BenchFilings::SignEach { .. } => (0, 0),
    };
    let shared = Arc::new(BenchShared {
        client: client.clone(),
        filings: plan.filings.clone(),
        idempotency_keys: plan.idempotency_keys,
        run_id: random_boundary()
            .trim_start_matches("birthgate-")
            .chars()
            .take(12)
            .collect(),
        signatures: AtomicU64::new(0),
    });
    let body_bytes = if body_bytes == 0 {
        shared.filing()?.body_len()
    } else {
        body_bytes
    };

    let stop = Arc::new(AtomicBool::new(false));
    let sampler = plan.server_pid.map(|pid| {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let (mut max, mut samples) = (0u64, 0u64);
            let mut tick = tokio::time::interval(RSS_SAMPLE_INTERVAL);
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Ok(m) = read_proc_memory(pid) {
                    max = max.max(m.rss_kib);
                    samples += 1;
                }
            }
            (max, samples)
        })
    });

    let connections: Vec<Option<Connection>> = (0..concurrency).map(|_| None).collect();
    let (connections, _) = bench_phase(&shared, 0, plan.warmup, connections).await;
    let started = Instant::now();
    let (connections, outcomes) =
        bench_phase(&shared, plan.warmup, plan.requests, connections).await;
    let elapsed = started.elapsed();
    drop(connections);

    stop.store(true, Ordering::Relaxed);
    let sampled = match sampler {
        Some(s) => s.await.ok(),
        None => None,
    };
    let server_memory = match (plan.server_pid, rss_at_start) {
        (Some(pid), Some(start)) => {
            let end = read_proc_memory(pid)?;
            let (max, samples) = sampled.unwrap_or((0, 0));
            Some(ServerMemoryReport {
                pid,
                rss_at_start_kib: start.rss_kib,
                max_rss_sampled_kib: max.max(end.rss_kib),
                samples,
                hwm_at_end_kib: end.hwm_kib,
            })
        }
        _ => None,
    };

    let mut statuses = BTreeMap::new();
    let mut latencies = Vec::new();
    let mut transport_errors = 0;
    let mut error_samples = Vec::new();
    for (result, latency) in outcomes {
        match result {
            Ok(status) => {
                *statuses.entry(status).or_insert(0u64) += 1;
                latencies.push(latency);
            }
            Err(e) => {
                transport_errors += 1;
                if error_samples.len() < 5 {
                    error_samples.push(e);
                }
            }
        }
    }
    latencies.sort_unstable();
    let ms = |d: Option<Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let latency_ms = (!latencies.is_empty()).then(|| LatencySummary {
        p50: ms(percentile(&latencies, 50.0)),
        p90: ms(percentile(&latencies, 90.0)),
        p99: ms(percentile(&latencies, 99.0)),
        max: ms(latencies.last().copied()),
        mean: latencies.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0
            / latencies.len() as f64,
    });
    let secs = elapsed.as_secs_f64().max(f64::EPSILON);
    let accepted: u64 = statuses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(_, n)| n)
        .sum();
    Ok(BenchReport {
        requests: plan.requests,
        concurrency,
        warmup: plan.warmup,
        body_bytes,
        signatures: signatures + shared.signatures.load(Ordering::Relaxed),
        statuses,
        transport_errors,
        error_samples,
        elapsed_seconds: elapsed.as_secs_f64(),
        requests_per_second: latencies.len() as f64 / secs,
        accepted_per_second: accepted as f64 / secs,
        latency_ms,
        server_memory,
    })
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

impl BenchReport {
    /// A compact human summary.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "birthgate bench: {} filings (+{} warm-up), concurrency {}, {:.2} MB per request, {} signature(s) made\n",
            self.requests,
            self.warmup,
            self.concurrency,
            self.body_bytes as f64 / 1e6,
            self.signatures
        );
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s} ×{n}"))
            .collect();
        out.push_str(&format!(
            "  statuses:   {}{}\n",
            if statuses.is_empty() {
                "none".to_owned()
            } else {
                statuses.join(", ")
            },
            if self.transport_errors > 0 {
                format!(", no answer ×{}", self.transport_errors)
            } else {
                String::new()
            }
        ));
        for e in &self.error_samples {
            out.push_str(&format!("    error: {e}\n"));
        }
        out.push_str(&format!(
            "  elapsed:    {:.2} s — {:.1} requests/s, {:.1} accepted filings/s\n",
            self.elapsed_seconds, self.requests_per_second, self.accepted_per_second
        ));
        match &self.latency_ms {
            Some(l) => out.push_str(&format!(
                "  latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}  (mean {:.1})\n",
                l.p50, l.p90, l.p99, l.max, l.mean
            )),
            None => out.push_str("  latency ms: no answers\n"),
        }
        if let Some(m) = &self.server_memory {
            out.push_str(&format!(
                "  server pid {}: highest VmRSS sampled every 50 ms during the run {:.1} MiB ({} samples, {:.1} MiB at start); peak RSS since server start (VmHWM) {:.1} MiB\n",
                m.pid,
                mib(m.max_rss_sampled_kib),
                m.samples,
                mib(m.rss_at_start_kib),
                mib(m.hwm_at_end_kib)
            ));
        }
        out
    }
}

// ---------------------------------------------------------------------------
// The commands.

/// `birthgate submit`: sign a filing and upload it.
///
/// Exit status: 0 when the gateway accepted the filing (2xx, receipt
/// printed), 1 when it refused it (problem document printed), 2 when the
/// filing could not be built or sent (bad flag or file, TLS or network error).
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// Base URL of the gateway, e.g. https://127.0.0.1:8443 (HTTPS only).
    #[arg(long, env = "BIRTHGATE_URL", value_name = "URL")]
    pub url: String,
    /// CA certificate (PEM or DER) that issued the gateway's TLS certificate
    /// (the dev PKI's tls/ca.pem).
    #[arg(long, value_name = "FILE")]
    pub ca: PathBuf,
    /// The notifier's PKCS#8 private key (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The notifier's signing certificate (PEM or DER); further certificates
    /// in the same PEM file are included in the signature.
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,
    /// Extra certificate(s) to include in the signature, e.g. the signing CA
    /// (repeatable).
    #[arg(long, value_name = "FILE")]
    pub chain: Vec<PathBuf>,
    /// The 出生届 notification JSON.
    #[arg(long, value_name = "FILE")]
    pub notification: PathBuf,
    /// A 出生証明書 page: JPEG, PNG, TIFF, GIF or PDF (repeatable; sent as
    /// certificate-1, certificate-2, … in the order given). HEIC is refused.
    #[arg(long = "certificate", value_name = "FILE", required = true)]
    pub certificates: Vec<PathBuf>,
    /// Idempotency-Key header: a repeat with the same key returns the first answer.
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// Accept-Language for the problem messages (ja or en).
    #[arg(long)]
    pub accept_language: Option<String>,
    /// Also write exactly what is sent to this new (or empty) directory, for
    /// `birthgate verify DIR`.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// Seconds allowed for the upload and the answer.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT.as_secs())]
    pub timeout: u64,
}

/// `birthgate status`: show the status of a filing.
///
/// Exit status: 0 on 200, 1 on any other answer (problem printed), 2 when no
/// answer was obtained.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Base URL of the gateway, e.g. https://127.0.0.1:8443 (HTTPS only).
    #[arg(long, env = "BIRTHGATE_URL", value_name = "URL")]
    pub url: String,
    /// CA certificate (PEM or DER) that issued the gateway's TLS certificate.
    #[arg(long, value_name = "FILE")]
    pub ca: PathBuf,
    /// The filing id of the receipt.
    #[arg(long, value_name = "ID")]
    pub filing: String,
    /// The access token of the receipt (or BIRTHGATE_TOKEN, which keeps it
    /// out of the process list).
    #[arg(long, env = "BIRTHGATE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Accept-Language for the messages (ja or en).
    #[arg(long)]
    pub accept_language: Option<String>,
}

/// `birthgate bench`: a bounded load test of one gateway.
///
/// Sends `--warmup` unrecorded filings, then `-n` recorded ones with `-c`
/// workers, each on its own keep-alive connection, one photo per filing.
/// Prints the count of each HTTP status, throughput, latency percentiles and,
/// with --server-pid, the server's memory. Exit status: 0 when every recorded
/// filing was accepted (2xx), 1 otherwise, 2 on a bad flag or file.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Base URL of the gateway, e.g. https://127.0.0.1:8443 (HTTPS only).
    #[arg(long, env = "BIRTHGATE_URL", value_name = "URL")]
    pub url: String,
    /// CA certificate (PEM or DER) that issued the gateway's TLS certificate.
    #[arg(long, value_name = "FILE")]
    pub ca: PathBuf,
    /// The notifier's PKCS#8 private key (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The notifier's signing certificate (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,
    /// Extra certificate(s) to include in the signature (repeatable).
    #[arg(long, value_name = "FILE")]
    pub chain: Vec<PathBuf>,
    /// The 出生届 notification JSON.
    #[arg(long, value_name = "FILE")]
    pub notification: PathBuf,
    /// The photo sent as certificate-1 of every filing (e.g. a 12-megapixel JPEG).
    #[arg(long, value_name = "FILE")]
    pub photo: PathBuf,
    /// Recorded filings.
    #[arg(short = 'n', long = "requests", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub requests: u32,
    /// Concurrent workers, one keep-alive connection each.
    #[arg(short = 'c', long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// Filings sent first and not recorded (connections, caches, allocator).
    #[arg(long, default_value_t = 0)]
    pub warmup: u32,
    /// Server process to watch. Two figures are reported: the highest VmRSS
    /// sampled from /proc/PID/status every 50 ms during this run (the peak
    /// this load caused, to within a sample), and VmHWM at the end (the
    /// kernel's exact peak, but since the server started, so it includes
    /// anything before this run).
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// Send a distinct Idempotency-Key with each filing (default: none; the
    /// server takes identical bodies without a key as separate filings).
    #[arg(long)]
    pub idempotency_keys: bool,
    /// Build and sign every filing anew (default: sign once and reuse the
    /// body; signing here takes CPU from the server on a small machine).
    #[arg(long)]
    pub sign_each: bool,
    /// Print the result as one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Seconds allowed for each request.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
}

fn fail(e: &ClientError) -> ExitCode {
    eprintln!("birthgate: {e}");
    ExitCode::from(2)
}

/// Draws `\r[#####-----]  45%  1.6/3.5 MB uploaded` on stderr until `done`
/// is set, then clears the line.
fn spawn_progress(
    total: u64,
    sent: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            let mut err = std::io::stderr().lock();
            if done.load(Ordering::Relaxed) {
                // Leave the terminal as it was: the answer follows on stdout.
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
                break;
            }
            let n = sent.load(Ordering::Relaxed).min(total);
            let fraction = if total == 0 {
                1.0
            } else {
                n as f64 / total as f64
            };
            let filled = ((fraction * 30.0).round() as usize).min(30);
            let _ = write!(
                err,
                "\r[{}{}] {:3.0}%  {:.1}/{:.1} MB uploaded{}",
                "#".repeat(filled),
                "-".repeat(30 - filled),
                fraction * 100.0,
                n as f64 / 1e6,
                total as f64 / 1e6,
                if n == total {
                    ", waiting for the answer"
                } else {
                    ""
                }
            );
            let _ = err.flush();
        }
    })
}

/// Runs `birthgate submit`.
pub async fn run_submit(args: SubmitArgs) -> ExitCode {
    let signer = match Signer::from_files(&args.cert, &args.key, &args.chain) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let prepared = match PreparedSubmission::from_files(
        &signer,
        &args.notification,
        &args.certificates,
        OffsetDateTime::now_utc(),
    ) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if let Some(dir) = &args.save
        && let Err(e) = save_submission(dir, &prepared)
    {
        return fail(&e);
    }
    let client = match Client::from_ca_file(&args.url, &args.ca) {
        Ok(c) => c.with_timeout(Duration::from_secs(args.timeout.max(1))),
        Err(e) => return fail(&e),
    };
    let mut options = SendOptions {
        idempotency_key: args.idempotency_key.clone(),
        accept_language: args.accept_language.clone(),
        ..SendOptions::default()
    };
    let progress = std::io::stderr().is_terminal().then(|| {
        let sent = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        options.progress = Some(Arc::clone(&sent));
        (
            spawn_progress(prepared.body_len(), sent, Arc::clone(&done)),
            done,
        )
    });
    let result = client.submit_with(&prepared, &options).await;
    if let Some((task, done)) = progress {
        done.store(true, Ordering::Relaxed);
        let _ = task.await;
    }
    match result {
        Ok(answer) => {
            println!("{}", answer.body_text());
            if answer.is_success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => fail(&e),
    }
}

/// Runs `birthgate status`.
pub async fn run_status(args: StatusArgs) -> ExitCode {
    let client = match Client::from_ca_file(&args.url, &args.ca) {
        Ok(c) => c.with_timeout(Duration::from_secs(30)),
        Err(e) => return fail(&e),
    };
    let options = SendOptions {
        accept_language: args.accept_language.clone(),
        ..SendOptions::default()
    };
    let result = async {
        client
            .connect()
            .await?
            .status_with(&args.filing, &args.token, &options)
            .await
    }
    .await;
    match result {
        Ok(answer) => {
            println!("{}", answer.body_text());
            if answer.status == 200 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => fail(&e),
    }
}

/// Runs `birthgate bench`.
pub async fn run_bench(args: BenchArgs) -> ExitCode {
    let signer = match Signer::from_files(&args.cert, &args.key, &args.chain) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let notification = match read_file("--notification", &args.notification) {
        Ok(n) => Bytes::from(n),
        Err(e) => return fail(&e),
    };
    let photo = match AttachmentPart::from_file(&args.photo) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let filings = if args.sign_each {
        // Sign once up front so a bad key fails before any request.
        if let Err(e) = build_submission(
            &signer,
            notification.clone(),
            vec![photo.clone()],
            OffsetDateTime::now_utc(),
        ) {
            return fail(&e);
        }
        BenchFilings::SignEach {
            signer,
            notification,
            attachments: vec![photo],
        }
    } else {
        match build_submission(
            &signer,
            notification,
            vec![photo],
            OffsetDateTime::now_utc(),
        ) {
            Ok(p) => BenchFilings::Reuse(p),
            Err(e) => return fail(&e),
        }
    };
    let client = match Client::from_ca_file(&args.url, &args.ca) {
        Ok(c) => c.with_timeout(Duration::from_secs(args.timeout.max(1))),
        Err(e) => return fail(&e),
    };
    // Fail early, with the real reason, when the gateway is unreachable.
    if let Err(e) = client.connect().await {
        return fail(&e);
    }
    let plan = BenchPlan {
        requests: args.requests as usize,
        concurrency: args.concurrency as usize,
        warmup: args.warmup as usize,
        filings,
        idempotency_keys: args.idempotency_keys,
        server_pid: args.server_pid,
    };
    let report = match bench(&client, &plan).await {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", report.summary());
    }
    let accepted: u64 = report
        .statuses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(_, n)| n)
        .sum();
    if accepted == report.requests as u64 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certs::{Indication, PolicyOid, RevocationData, TrustStore};
    use rustls::pki_types::UnixTime;
    use time::macros::datetime;
    use verifier::digest::Sha256;
    use verifier::manifest::{Part, check_parts};
    use verifier::signature::check_signature;

    /// The dev JPKI CRLs are fresh from 2026-03-31 to 2026-05-01.
    const AT: OffsetDateTime = datetime!(2026-04-15 12:00 UTC);
    const SIGNED_AT: OffsetDateTime = datetime!(2026-04-15 11:00 UTC);
    const NOTIFICATION: &[u8] = "{\"child\":{\"name\":\"出生 太郎\"}}".as_bytes();

    fn fixtures(dir: &str, name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../certs/tests/fixtures")
            .join(dir)
            .join(name)
    }

    fn jpki(name: &str) -> PathBuf {
        fixtures("jpki", name)
    }

    fn read(path: &Path) -> Vec<u8> {
        std::fs::read(path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
    }

    fn signer() -> Signer {
        Signer::from_files(
            &jpki("notifier.pem"),
            &jpki("notifier.key.pem"),
            &[jpki("signing-ca-g1.pem")],
        )
        .expect("notifier fixture loads")
    }

    /// A JPEG-looking attachment whose bytes hold CRLFs and dashes, as a
    /// real photo may, so the body layout must not depend on their absence.
    fn jpeg() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
        b.extend_from_slice(b"\r\n--\r\n--birthgate-\r\n\r\n");
        b.extend((0..=255u8).cycle().take(70_000));
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    fn pdf() -> Vec<u8> {
        b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".to_vec()
    }

    fn sample() -> PreparedSubmission {
        PreparedSubmission::from_bytes(
            &signer(),
            NOTIFICATION,
            vec![
                AttachmentPart::new("image/jpeg", jpeg()),
                AttachmentPart::new("application/pdf", pdf()),
            ],
            SIGNED_AT,
        )
        .expect("builds")
    }

    fn trust() -> (TrustStore, RevocationData) {
        let mut store = TrustStore::new();
        store
            .add_anchor(&read(&jpki("root-g1.der")), &[PolicyOid::JPKI_TEST])
            .expect("anchor");
        store
            .add_intermediate(&read(&jpki("signing-ca-g1.der")))
            .expect("intermediate");
        let mut crls = RevocationData::new();
        crls.add_crls(&read(&jpki("signing-ca-g1.crl.der")))
            .expect("crl");
        (store, crls)
    }

    #[test]
    fn media_types_from_magic_bytes() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (&[0xFF, 0xD8, 0xFF, 0xDB, 0], Some("image/jpeg")),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some("image/png")),
            (b"II*\0\x08\0\0\0", Some("image/tiff")),
            (b"MM\0*\0\0\0\x08", Some("image/tiff")),
            (b"II+\0\x08\0\0\0", Some("image/tiff")),
            (b"GIF87a\x01\0", Some("image/gif")),
            (b"GIF89a\x01\0", Some("image/gif")),
            (b"%PDF-1.4\n", Some("application/pdf")),
            (
                b"\xEF\xBB\xBFjunk before the header %PDF-1.7\n",
                Some("application/pdf"),
            ),
            (b"\0\0\0\x18ftypheic\0\0\0\0", Some("image/heic")),
            (b"\0\0\0\x18ftypmif1\0\0\0\0", Some("image/heic")),
            (b"\0\0\0\x1cftypavif\0\0\0\0", Some("image/avif")),
            (b"\0\0\0\x18ftypisom\0\0\0\0", None),
            (b"BM\0\0", None),
            (b"{\"json\":true}", None),
            (b"", None),
            (&[0xFF, 0xD8], None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff_media_type(bytes), *expected, "{bytes:?}");
        }
        let mut late = vec![b' '; 1024];
        late.extend_from_slice(b"%PDF-1.7");
        assert_eq!(
            sniff_media_type(&late),
            None,
            "PDF header beyond 1024 bytes"
        );
    }

    #[test]
    fn attachment_media_type_refuses_heic_and_falls_back_to_the_extension() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0";
        let e = attachment_media_type(heic, Path::new("IMG_0001.jpg"))
            .expect_err("magic bytes win over the name");
        assert!(matches!(e, ClientError::Heic { .. }), "{e:?}");
        let message = e.to_string();
        assert!(
            message.contains("IMG_0001.jpg")
                && message.contains("HEIC")
                && message.contains("JPEG"),
            "{message}"
        );
        assert!(matches!(
            attachment_media_type(b"????", Path::new("a.HEIC")),
            Err(ClientError::Heic { .. })
        ));
        assert_eq!(
            attachment_media_type(b"\x89PNG\r\n\x1a\n", Path::new("scan.jpg")).ok(),
            Some("image/png")
        );
        assert_eq!(
            attachment_media_type(b"truncated", Path::new("scan.TIFF")).ok(),
            Some("image/tiff")
        );
        assert_eq!(
            attachment_media_type(b"truncated", Path::new("scan.jpeg")).ok(),
            Some("image/jpeg")
        );
        assert_eq!(
            attachment_media_type(b"truncated", Path::new("scan.pdf")).ok(),
            Some("application/pdf")
        );
        assert!(matches!(
            attachment_media_type(b"\0\0\0\x1cftypavif\0\0\0\0", Path::new("x.avif")),
            Err(ClientError::UnsupportedAttachment {
                detected: Some("image/avif"),
                ..
            })
        ));
        assert!(matches!(
            attachment_media_type(b"hello", Path::new("notes.txt")),
            Err(ClientError::UnsupportedAttachment { detected: None, .. })
        ));
    }

    #[test]
    fn multipart_body_parses_back_with_multer() {
        let prepared = sample();
        let content_type = prepared.content_type();
        assert_eq!(
            multer::parse_boundary(&content_type).ok().as_deref(),
            Some(prepared.boundary())
        );
        let body = prepared.body();
        assert_eq!(body.len() as u64, prepared.body_len());
        assert!(!contains(
            &prepared.attachments()[0].bytes,
            prepared.boundary().as_bytes()
        ));

        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let fields = runtime.block_on(async {
            // Small, uneven pieces, as a network would deliver them.
            let pieces: Vec<Result<Bytes, Infallible>> = body
                .chunks(997)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            let mut multipart =
                multer::Multipart::new(futures_util::stream::iter(pieces), prepared.boundary());
            let mut fields = Vec::new();
            while let Some(field) = multipart.next_field().await.expect("well-formed multipart") {
                let name = field.name().map(str::to_owned);
                let file_name = field.file_name().map(str::to_owned);
                let media_type = field.content_type().map(|m| m.to_string());
                fields.push((
                    name,
                    file_name,
                    media_type,
                    field.bytes().await.expect("part bytes"),
                ));
            }
            fields
        });
        let expected = [
            (
                "manifest",
                "manifest.json",
                "application/json",
                prepared.manifest().clone(),
            ),
            (
                "notification",
                "notification.json",
                "application/json",
                Bytes::from_static(NOTIFICATION),
            ),
            (
                "signature",
                "signature.p7s",
                "application/pkcs7-signature",
                prepared.signature().clone(),
            ),
            (
                "certificate-1",
                "certificate-1.jpg",
                "image/jpeg",
                Bytes::from(jpeg()),
            ),
            (
                "certificate-2",
                "certificate-2.pdf",
                "application/pdf",
                Bytes::from(pdf()),
            ),
        ];
        assert_eq!(fields.len(), expected.len());
        for ((name, file_name, media_type, bytes), (e_name, e_file, e_type, e_bytes)) in
            fields.iter().zip(expected)
        {
            assert_eq!(name.as_deref(), Some(e_name));
            assert_eq!(file_name.as_deref(), Some(e_file));
            assert_eq!(media_type.as_deref(), Some(e_type), "{e_name}");
            assert!(bytes == &e_bytes, "bytes of {e_name}");
        }
        // The streaming chunks are the same bytes as the contiguous body.
        let joined: Vec<u8> = prepared
            .body_chunks()
            .iter()
            .flat_map(|c| c.iter().copied())
            .collect();
        assert_eq!(joined, body.as_ref());
    }

    #[test]
    fn manifest_lists_every_part_with_its_digest() {
        let prepared = sample();
        let manifest = Manifest::parse(prepared.manifest()).expect("the manifest parses");
        assert_eq!(manifest.notification.sha256, Sha256::of(NOTIFICATION));
        assert_eq!(manifest.notification.size, NOTIFICATION.len() as u64);
        let listed: Vec<(&str, &str, u64)> = manifest
            .attachments
            .iter()
            .map(|a| (a.part.as_str(), a.media_type.as_str(), a.size))
            .collect();
        assert_eq!(
            listed,
            [
                ("certificate-1", "image/jpeg", jpeg().len() as u64),
                ("certificate-2", "application/pdf", pdf().len() as u64)
            ]
        );
        let parts = prepared.parts();
        let content: Vec<Part<'_>> = parts
            .iter()
            .filter(|(name, ..)| name != MANIFEST_PART && name != SIGNATURE_PART)
            .map(|(name, media_type, bytes)| Part {
                name,
                media_type,
                bytes,
                sha256: None,
            })
            .collect();
        assert_eq!(check_parts(&manifest, &content), vec![]);
        assert_eq!(
            prepared.manifest_sha256(),
            Sha256::of(prepared.manifest()).to_hex()
        );

        // A byte changed after signing is caught, naming the part.
        let mut photo = jpeg();
        photo[100] ^= 1;
        let tampered: Vec<Part<'_>> = content
            .iter()
            .map(|p| {
                if p.name == "certificate-1" {
                    Part {
                        bytes: &photo,
                        ..*p
                    }
                } else {
                    *p
                }
            })
            .collect();
        let problems = check_parts(&manifest, &tampered);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pointer, "certificate-1");
    }

    #[test]
    fn signature_verifies_against_the_dev_jpki() {
        let (store, crls) = trust();
        let prepared = sample();
        let check = check_signature(prepared.signature(), prepared.manifest(), &store, &crls, AT);
        assert_eq!(
            check.report.indication,
            Indication::TotalPassed,
            "{:?}",
            check.problems
        );
        assert!(check.report.signed_attributes);
        assert_eq!(check.report.claimed_signing_time, Some(SIGNED_AT));
        assert!(check.problems.is_empty());

        // The same material as DER files signs just as well.
        let der = Signer::from_files(
            &jpki("notifier.der"),
            &jpki("notifier.key.der"),
            &[jpki("signing-ca-g1.der")],
        )
        .expect("DER fixtures load");
        let other =
            PreparedSubmission::from_bytes(&der, NOTIFICATION, vec![], SIGNED_AT).expect("builds");
        let check = check_signature(other.signature(), other.manifest(), &store, &crls, AT);
        assert_eq!(
            check.report.indication,
            Indication::TotalPassed,
            "{:?}",
            check.problems
        );

        // The signature covers this manifest and no other.
        let check = check_signature(other.signature(), prepared.manifest(), &store, &crls, AT);
        assert_eq!(check.report.indication, Indication::TotalFailed);
    }

    #[test]
    fn key_and_certificate_errors_name_the_flag_and_file() {
        let missing = jpki("no-such-key.pem");
        let e = Signer::from_files(&jpki("notifier.pem"), &missing, &[]).expect_err("missing key");
        assert!(
            matches!(e, ClientError::ReadFile { what: "--key", .. }),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("--key") && e.to_string().contains("no-such-key.pem"),
            "{e}"
        );

        let dir = tempfile::tempdir().expect("tempdir");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").expect("write");
        let e = Signer::from_files(&junk, &jpki("notifier.key.pem"), &[])
            .expect_err("junk certificate");
        assert!(
            matches!(e, ClientError::BadKeyOrCertificate { what: "--cert", .. }),
            "{e:?}"
        );
        let e = Signer::from_files(
            &jpki("notifier.pem"),
            &jpki("notifier.key.pem"),
            std::slice::from_ref(&junk),
        )
        .expect_err("junk chain");
        assert!(
            matches!(
                e,
                ClientError::BadKeyOrCertificate {
                    what: "--chain",
                    ..
                }
            ),
            "{e:?}"
        );
        // A certificate file given as the key holds no private key.
        let e = Signer::from_files(&jpki("notifier.pem"), &jpki("notifier.pem"), &[])
            .expect_err("no key");
        assert!(
            matches!(e, ClientError::BadKeyOrCertificate { what: "--key", .. }),
            "{e:?}"
        );

        let pkcs1 = dir.path().join("pkcs1.pem");
        std::fs::write(
            &pkcs1,
            "-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n",
        )
        .expect("write");
        let e = Signer::from_files(&jpki("notifier.pem"), &pkcs1, &[]).expect_err("PKCS#1");
        assert!(e.to_string().contains("openssl pkcs8 -topk8"), "{e}");

        // A key that is not the certificate's is refused by the signer.
        let mismatched =
            Signer::from_files(&jpki("notifier.pem"), &jpki("notifier-g2.key.pem"), &[])
                .expect("files load");
        let e = PreparedSubmission::from_bytes(&mismatched, NOTIFICATION, vec![], SIGNED_AT)
            .expect_err("mismatch");
        assert!(
            matches!(e, ClientError::Sign(SignError::KeyMismatch)),
            "{e:?}"
        );
    }

    #[test]
    fn saved_submission_round_trip() {
        let prepared = sample();
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("filing");
        let written = save_submission(&out, &prepared).expect("saves");
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect();
        assert_eq!(
            names,
            [
                "manifest.json",
                "notification.json",
                "signature.der",
                "certificate-1.jpg",
                "certificate-2.pdf"
            ]
        );
        let read_back = read_saved_submission(&out).expect("reads");
        let expected: Vec<(String, String, Vec<u8>)> = prepared
            .parts()
            .into_iter()
            .map(|(n, t, b)| (n, t, b.to_vec()))
            .collect();
        assert_eq!(read_back, expected);

        // Never mixes into an earlier submission.
        assert!(matches!(
            save_submission(&out, &prepared),
            Err(ClientError::SavedSubmission { .. })
        ));

        // signature.p7s is read too; both at once is ambiguous.
        std::fs::copy(out.join("signature.der"), out.join("signature.p7s")).expect("copy");
        let e = read_saved_submission(&out).expect_err("two signatures");
        assert!(e.to_string().contains("signature.p7s"), "{e}");
        std::fs::remove_file(out.join("signature.der")).expect("remove");
        assert_eq!(read_saved_submission(&out).expect("reads .p7s"), expected);

        // Attachments in numeric order, typed by bytes, then extension.
        std::fs::write(out.join("certificate-10.png"), b"unknown bytes").expect("write");
        std::fs::write(out.join("certificate-3.jpg"), b"\x89PNG\r\n\x1a\nrest").expect("write");
        std::fs::write(out.join("receipt.json"), b"{}").expect("write");
        let parts = read_saved_submission(&out).expect("reads");
        let listed: Vec<(&str, &str)> = parts
            .iter()
            .map(|(n, t, _)| (n.as_str(), t.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                ("manifest", "application/json"),
                ("notification", "application/json"),
                ("signature", "application/pkcs7-signature"),
                ("certificate-1", "image/jpeg"),
                ("certificate-2", "application/pdf"),
                ("certificate-3", "image/png"),
                ("certificate-10", "image/png"),
            ]
        );
        std::fs::write(out.join("certificate-3.png"), b"x").expect("write");
        assert!(
            read_saved_submission(&out)
                .expect_err("two files for one part")
                .to_string()
                .contains("certificate-3")
        );
        std::fs::remove_file(out.join("certificate-3.png")).expect("remove");
        std::fs::write(out.join("certificate-01.jpg"), b"x").expect("write");
        assert!(
            read_saved_submission(&out).is_err(),
            "certificate-01 is not a part name"
        );
        std::fs::remove_file(out.join("certificate-01.jpg")).expect("remove");

        std::fs::remove_file(out.join("manifest.json")).expect("remove");
        assert!(
            read_saved_submission(&out)
                .expect_err("no manifest")
                .to_string()
                .contains("manifest.json")
        );
    }

    #[test]
    fn percentile_by_nearest_rank() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        let hundred = ms(&(1..=100).collect::<Vec<_>>());
        let p = |s: &[Duration], q| percentile(s, q).map(|d| d.as_millis());
        assert_eq!(p(&hundred, 50.0), Some(50));
        assert_eq!(p(&hundred, 90.0), Some(90));
        assert_eq!(p(&hundred, 99.0), Some(99));
        assert_eq!(p(&hundred, 100.0), Some(100));
        assert_eq!(p(&hundred, 0.0), Some(1));
        let ten = ms(&[10, 20, 30, 40, 50, 60, 70, 80, 90, 1000]);
        assert_eq!(p(&ten, 50.0), Some(50));
        assert_eq!(p(&ten, 90.0), Some(90));
        assert_eq!(
            p(&ten, 99.0),
            Some(1000),
            "p99 of ten values is the largest"
        );
        assert_eq!(p(&ms(&[7]), 50.0), Some(7));
        assert_eq!(p(&ms(&[1, 2]), 50.0), Some(1));
        assert_eq!(p(&[], 50.0), None);
    }

    #[test]
    fn proc_status_memory() {
        let text = "Name:\tbirthgate\nVmPeak:\t  900000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t4\n";
        assert_eq!(
            parse_proc_status(text),
            Some(ProcMemory {
                rss_kib: 102_400,
                hwm_kib: 204_800
            })
        );
        assert_eq!(parse_proc_status("VmRSS:\t1 kB\n"), None);
        let own = read_proc_memory(std::process::id()).expect("own /proc status");
        assert!(own.rss_kib > 0 && own.hwm_kib >= own.rss_kib, "{own:?}");
        assert!(matches!(
            read_proc_memory(u32::MAX),
            Err(ClientError::ServerMemory { .. })
        ));
    }

    #[test]
    fn urls_and_ca() {
        let ca = read(&fixtures("tls", "ca.pem"));
        let c = Client::new("https://[::1]:8443/gw/", &ca).expect("IPv6 with prefix");
        assert_eq!(c.base_url(), "https://[::1]:8443/gw");
        assert_eq!((c.host.as_str(), c.port), ("::1", 8443));
        assert_eq!(
            Client::new("https://localhost", &ca)
                .expect("default port")
                .port,
            443
        );
        for bad in [
            "http://127.0.0.1:8443",
            "127.0.0.1:8443",
            "https://user@127.0.0.1",
            "https://h/?q=1",
            "",
        ] {
            assert!(
                matches!(Client::new(bad, &ca), Err(ClientError::Url { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            Client::new("https://127.0.0.1", b"garbage"),
            Err(ClientError::BadKeyOrCertificate { what: "--ca", .. })
        ));
        let der = read(&fixtures("tls", "ca.der"));
        assert!(
            Client::new("https://127.0.0.1", &der).is_ok(),
            "a DER CA is accepted"
        );
    }

    // --- transport, against a small TLS server in the test --------------

    /// Inside the validity of the dev TLS fixtures (2026-03-31 – 2028-03-31),
    /// so these tests do not expire.
    #[derive(Debug)]
    struct FixedTime;
    impl rustls::time_provider::TimeProvider for FixedTime {
        fn current_time(&self) -> Option<UnixTime> {
            Some(UnixTime::since_unix_epoch(Duration::from_secs(
                datetime!(2026-11-01 00:00 UTC)
                    .unix_timestamp()
                    .unsigned_abs(),
            )))
        }
    }

    fn test_client(url: &str, ca: &Path) -> Client {
        let config = tls_client_config(&read(ca), Some(Arc::new(FixedTime))).expect("client TLS");
        Client::with_tls(url, config)
            .expect("client")
            .with_timeout(Duration::from_secs(20))
    }

    /// Echoes what it received as JSON: the request line, headers of
    /// interest, and each multipart part (name, type, size, SHA-256).
    async fn echo(
        request: Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<http_body_util::Full<Bytes>>, Infallible> {
        let (head, body) = request.into_parts();
        if head.uri.path() == "/early" {
            // Refuses before reading the body, as a size limit does.
            return Ok(hyper::Response::builder()
                .status(413)
                .header("content-type", "application/problem+json")
                .body(http_body_util::Full::new(Bytes::from_static(
                    b"{\"problems\":[{\"code\":\"too-large\"}]}",
                )))
                .unwrap_or_default());
        }
        let header = |n: &str| {
            head.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        let mut parts = Vec::new();
        if let Some(boundary) =
            header("content-type").and_then(|ct| multer::parse_boundary(ct).ok())
        {
            let stream = futures_util::stream::iter([Ok::<_, Infallible>(bytes.clone())]);
            let mut multipart = multer::Multipart::new(stream, boundary);
            while let Ok(Some(field)) = multipart.next_field().await {
                let name = field.name().map(str::to_owned);
                let media_type = field.content_type().map(|m| m.to_string());
                let data = field.bytes().await.unwrap_or_default();
                parts.push(serde_json::json!({"name": name, "content_type": media_type, "size": data.len(), "sha256": Sha256::of(&data).to_hex()}));
            }
        }
        let answer = serde_json::json!({
            "method": head.method.as_str(),
            "path": head.uri.path(),
            "host": header("host"),
            "content_length": header("content-length"),
            "transfer_encoding": header("transfer-encoding"),
            "idempotency_key": header("idempotency-key"),
            "accept_language": header("accept-language"),
            "authorization": header("authorization"),
            "body_size": bytes.len(),
            "parts": parts,
        });
        let status = if head.method == Method::POST {
            202
        } else {
            200
        };
        Ok(hyper::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(Bytes::from(answer.to_string())))
            .unwrap_or_default())
    }

    /// Starts the echo server on 127.0.0.1:0; returns its URL and the count
    /// of connections accepted.
    async fn echo_server() -> (String, Arc<AtomicUsize>) {
        let chain = vec![CertificateDer::from(read(&fixtures(
            "tls",
            "gateway-server.der",
        )))];
        let key = PrivateKeyDer::from_pem_file(fixtures("tls", "gateway-server.key.pem"))
            .expect("server key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server TLS");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("https://{}", listener.local_addr().expect("address"));
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(tls), hyper::service::service_fn(echo))
                            .await;
                    }
                });
            }
        });
        (url, accepted)
    }

    #[tokio::test]
    async fn submits_every_part_over_one_keep_alive_connection() {
        let (url, accepted) = echo_server().await;
        let client = test_client(&url, &fixtures("tls", "ca.pem"));
        let prepared = sample();
        let mut conn = client.connect().await.expect("connects");
        let sent = Arc::new(AtomicU64::new(0));
        let options = SendOptions::default()
            .idempotency_key("key-1")
            .accept_language("ja")
            .progress(Arc::clone(&sent));
        let answer = conn.submit_with(&prepared, &options).await.expect("answer");
        assert_eq!(answer.status, 202);
        assert_eq!(answer.content_type(), Some("application/json"));
        let b = &answer.body;
        assert_eq!(b["path"], "/v1/birth-notifications");
        assert_eq!(b["host"].as_str(), url.strip_prefix("https://"));
        assert_eq!(b["idempotency_key"], "key-1");
        assert_eq!(b["accept_language"], "ja");
        assert_eq!(
            b["content_length"].as_str(),
            Some(prepared.body_len().to_string().as_str())
        );
        assert_eq!(b["body_size"].as_u64(), Some(prepared.body_len()));
        assert_eq!(
            sent.load(Ordering::SeqCst),
            prepared.body_len(),
            "progress counts every byte"
        );
        let echoed: Vec<(String, String, String)> = b["parts"]
            .as_array()
            .expect("parts")
            .iter()
            .map(|p| {
                let s = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
                (s("name"), s("content_type"), s("sha256"))
            })
            .collect();
        let expected: Vec<(String, String, String)> = prepared
            .parts()
            .into_iter()
            .map(|(n, t, bytes)| (n, t, Sha256::of(&bytes).to_hex()))
            .collect();
        assert_eq!(echoed, expected);

        let answer = conn
            .submit_with(&prepared, &SendOptions::default())
            .await
            .expect("second answer");
        assert_eq!(answer.status, 202);
        assert!(answer.body["idempotency_key"].is_null());
        let answer = conn
            .status("F-123_x", "secret-token")
            .await
            .expect("status");
        assert_eq!(
            (answer.status, answer.body["method"].as_str()),
            (200, Some("GET"))
        );
        assert_eq!(answer.body["path"], "/v1/birth-notifications/F-123_x");
        assert_eq!(answer.body["authorization"], "Bearer secret-token");
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1,
            "one connection for three requests"
        );

        assert!(matches!(
            conn.status("../etc", "t").await,
            Err(ClientError::InvalidArgument { .. })
        ));
        assert!(matches!(
            client
                .submit_with(
                    &prepared,
                    &SendOptions::default().idempotency_key("bad\nkey")
                )
                .await,
            Err(ClientError::InvalidArgument { .. })
        ));
    }

    #[tokio::test]
    async fn raw_bodies_slowly_or_chunked() {
        let (url, _) = echo_server().await;
        let client = test_client(&url, &fixtures("tls", "ca.pem"));
        let body = vec![b'x'; 6_000];
        let started = Instant::now();
        let answer = client
            .post_raw(
                "application/octet-stream",
                body.clone(),
                &SendOptions::default().send_slowly(20_000),
            )
            .await
            .expect("answer");
        let took = started.elapsed();
        assert_eq!(answer.body["body_size"], 6_000);
        assert!(
            took >= Duration::from_millis(280),
            "6000 bytes at 20 kB/s took only {took:?}"
        );
        assert!(
            took < Duration::from_secs(3),
            "6000 bytes at 20 kB/s took {took:?}"
        );

        let answer = client
            .post_raw(
                "application/octet-stream",
                body,
                &SendOptions::default().chunked(),
            )
            .await
            .expect("answer");
        assert_eq!(answer.body["transfer_encoding"], "chunked");
        assert!(answer.body["content_length"].is_null());
        assert_eq!(answer.body["body_size"], 6_000);
    }

    #[tokio::test]
    async fn an_early_refusal_is_an_answer() {
        let (url, _) = echo_server().await;
        let client = test_client(&url, &fixtures("tls", "ca.pem"));
        let mut conn = client.connect().await.expect("connects");
        let big = Bytes::from(vec![0u8; 16 << 20]);
        let answer = conn
            .send(
                Method::POST,
                "/early",
                Some("application/octet-stream"),
                vec![big],
                &SendOptions::default(),
            )
            .await
            .expect("the 413 sent before the body was read");
        assert_eq!(answer.status, 413);
        assert_eq!(answer.problem_codes(), ["too-large"]);
    }

    #[tokio::test]
    async fn the_server_must_be_issued_by_the_given_ca() {
        let (url, _) = echo_server().await;
        let wrong = test_client(&url, &jpki("root-g1.pem"));
        let e = wrong.connect().await.expect_err("unknown issuer");
        assert!(matches!(e, ClientError::Tls { .. }), "{e:?}");
        // The certificate names 127.0.0.1 and localhost, not other hosts.
        let port = url.rsplit(':').next().expect("port");
        let other_name = test_client(
            &format!("https://127.0.0.2:{port}"),
            &fixtures("tls", "ca.pem"),
        );
        assert!(other_name.connect().await.is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bench_counts_statuses_latency_and_memory() {
        let (url, accepted) = echo_server().await;
        let client = test_client(&url, &fixtures("tls", "ca.pem"));
        let plan = BenchPlan {
            requests: 7,
            concurrency: 2,
            warmup: 2,
            filings: BenchFilings::Reuse(sample()),
            idempotency_keys: true,
            server_pid: Some(std::process::id()),
        };
        let report = bench(&client, &plan).await.expect("bench runs");
        assert_eq!(
            report.statuses,
            BTreeMap::from([(202, 7)]),
            "{:?}",
            report.error_samples
        );
        assert_eq!(report.transport_errors, 0);
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            2,
            "one keep-alive connection per worker"
        );
        let l = report.latency_ms.expect("latency");
        assert!(0.0 < l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max);
        assert!(report.requests_per_second > 0.0 && report.accepted_per_second > 0.0);
        let m = report.server_memory.expect("memory");
        assert!(m.max_rss_sampled_kib > 0 && m.hwm_at_end_kib >= m.rss_at_start_kib);
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["statuses"]["202"], 7);
        assert!(report.summary().contains("202 ×7"), "{}", report.summary());

        let plan = BenchPlan {
            requests: 2,
            concurrency: 1,
            warmup: 0,
            filings: BenchFilings::SignEach {
                signer: signer(),
                notification: Bytes::from_static(NOTIFICATION),
                attachments: vec![AttachmentPart::new("image/jpeg", jpeg())],
            },
            idempotency_keys: false,
            server_pid: None,
        };
        let report = bench(&client, &plan).await.expect("bench runs");
        assert_eq!(report.statuses, BTreeMap::from([(202, 2)]));
        assert_eq!(report.signatures, 3, "one to size the body, one per filing");
        assert!(report.server_memory.is_none());
    }
}
