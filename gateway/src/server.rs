//! The TLS server: takes a bound listener and a shutdown future (so tests
//! bind `127.0.0.1:0`), caps open connections with a semaphore, times out
//! slow handshakes and slow headers, serves HTTP/1.1 and HTTP/2 (ALPN), and
//! on shutdown stops accepting and drains in-flight requests.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::app::App;

/// Why the TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The certificate file could not be read or holds no certificate.
    #[error("tls.certificate ({path}): {detail}")]
    Certificate {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// The key file could not be read.
    #[error("tls.private_key ({path}): {detail}")]
    Key {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// The municipal client CA file could not be used.
    #[error("municipal.client_ca ({path}): {detail}")]
    ClientCa {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// rustls refused the pair.
    #[error("tls: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Installs the ring crypto provider as the process default (once).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A server configuration from PEM files: TLS 1.2 and 1.3 only, ring, ALPN
/// h2 and http/1.1. With `client_ca`, clients *may* present a certificate,
/// which must then chain to one of those CAs (the municipal API needs one;
/// the submission route does not).
pub fn tls_config(
    certificate: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certificate)
        .map_err(|e| TlsError::Certificate {
            path: certificate.display().to_string(),
            detail: e.to_string(),
        })?
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Certificate {
            path: certificate.display().to_string(),
            detail: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::Certificate {
            path: certificate.display().to_string(),
            detail: "no certificate in file".to_owned(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.display().to_string(),
        detail: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let bad = |detail: String| TlsError::ClientCa {
                path: path.display().to_string(),
                detail,
            };
            let mut roots = rustls::RootCertStore::empty();
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| bad(e.to_string()))?
                .collect::<Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("no certificate in file".to_owned()));
            }
            for c in certs {
                roots.add(c).map_err(|e| bad(e.to_string()))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .allow_unauthenticated()
            .build()
            .map_err(|e| bad(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves until `shutdown` completes, then drains in-flight requests for at
/// most `limits.shutdown_grace_ms`.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    app: Arc<App>,
    shutdown: impl Future<Output = ()>,
) {
    let limits = app.settings.limits;
    let acceptor = TlsAcceptor::from(tls);
    let connections = Arc::new(Semaphore::new(
        usize::try_from(limits.max_connections).unwrap_or(1024),
    ));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(64);
    let builder = Arc::new(builder);

    tokio::pin!(shutdown);
    loop {
        // Wait for a free connection slot before accepting (back-pressure).
        let permit = tokio::select! {
            p = Arc::clone(&connections).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = &mut shutdown => break,
        };
        let (tcp, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = Arc::clone(&app);
        let builder = Arc::clone(&builder);
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            let tls =
                match tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp)).await {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!("TLS handshake timed out");
                        return;
                    }
                };
            app.metrics.connection(1);
            // A client certificate, when presented, was verified in the
            // handshake; the municipal API maps it to municipalities.
            let peer = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| crate::municipal::PeerCertificate(Arc::new(c.to_vec())));
            let service = service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                let app = Arc::clone(&app);
                if let Some(p) = &peer {
                    req.extensions_mut().insert(p.clone());
                }
                async move { Ok::<_, std::convert::Infallible>(app.handle(req).await) }
            });
            let conn = builder
                .serve_connection(TokioIo::new(tls), service)
                .into_owned();
            let conn = watcher.watch(conn);
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: draining in-flight requests");
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown grace period ended with requests still in flight");
    }
}
