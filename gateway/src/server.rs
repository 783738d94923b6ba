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
    /// rustls refused the pair.
    #[error("tls: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Installs the ring crypto provider as the process default (once).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A server configuration from PEM files: TLS 1.2 and 1.3 only, ring, ALPN h2 and http/1.1.
pub fn tls_config(certificate: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
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
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
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
            let service = service_fn(move |req| {
                let app = Arc::clone(&app);
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
