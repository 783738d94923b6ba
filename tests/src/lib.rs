//! Harness of the end-to-end tests: a real gateway on `127.0.0.1:0` with
//! real TLS, a real SQLite store in a temporary directory, and a dev PKI
//! generated once per test binary at the current time.
//!
//! # Layout
//! - [`TestGateway`] — start an in-process gateway with adjusted settings.
//! - [`DevMaterial`] — the shared dev PKI and trust layout.
//! - [`support`] — the verifier's deterministic synthetic certificate
//!   photos (the same generator its own tests and benchmark use).
//! - [`photo_jpeg`], [`notification_now`], [`signer`] — valid inputs.
//! - [`receiver`] — a scriptable municipal push receiver (mutual TLS).
//! - [`ManualClock`] — a clock tests move.
#![forbid(unsafe_code)]

#[path = "../../verifier/tests/support/mod.rs"]
pub mod support;

pub mod receiver;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use gateway::app::{App, SystemClock};
use gateway::config::Settings;
use gateway::store::SqliteStore;
use tokio::sync::oneshot;

/// The dev PKI and trust layout shared by every gateway of a test binary.
pub struct DevMaterial {
    /// Keeps the directory alive.
    _dir: tempfile::TempDir,
    /// The data directory `devmode::prepare` filled.
    pub root: PathBuf,
    /// Settings with TLS and trust paths filled in.
    pub settings: Settings,
    /// Paths of the CA, notifier certificate and key.
    pub paths: gateway::devmode::DevPaths,
}

static MATERIAL: OnceLock<DevMaterial> = OnceLock::new();

/// The shared dev material, generated on first use.
pub fn dev_material() -> &'static DevMaterial {
    MATERIAL.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            data_dir: dir.path().join("dev"),
            ..Settings::default()
        };
        let paths = gateway::devmode::prepare(&mut settings, time::OffsetDateTime::now_utc())
            .expect("dev PKI");
        DevMaterial {
            root: dir.path().join("dev"),
            _dir: dir,
            settings,
            paths,
        }
    })
}

/// A running gateway.
pub struct TestGateway {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// PEM of the CA that issued the server certificate.
    pub ca_pem: Vec<u8>,
    /// The application state (store, settings).
    pub app: Arc<App>,
    /// The data directory (store lives here).
    pub data_dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

/// A clock tests move by hand.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<time::OffsetDateTime>);

impl ManualClock {
    /// A clock standing at the current time.
    pub fn now() -> Arc<Self> {
        Arc::new(Self(std::sync::Mutex::new(time::OffsetDateTime::now_utc())))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: time::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl gateway::app::Clock for ManualClock {
    fn now(&self) -> time::OffsetDateTime {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
    }
}

/// How to start a [`TestGateway`] beyond its settings.
#[derive(Default)]
pub struct Start {
    /// The clock (default the system clock).
    pub clock: Option<Arc<dyn gateway::app::Clock>>,
    /// Run the outbox worker (default off, so intake tests see filings as
    /// committed).
    pub deliver: bool,
}

impl TestGateway {
    /// Starts a gateway with the shared dev material and `adjust`ed
    /// settings, without the outbox worker.
    pub async fn start(adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::start_with(adjust, Start::default()).await
    }

    /// Starts a gateway with the outbox worker running.
    pub async fn start_delivering(adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::start_with(
            adjust,
            Start {
                deliver: true,
                ..Start::default()
            },
        )
        .await
    }

    /// Starts a gateway with `adjust`ed settings and the given options.
    pub async fn start_with(adjust: impl FnOnce(&mut Settings), start: Start) -> Self {
        gateway::server::install_crypto_provider();
        let material = dev_material();
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut settings = material.settings.clone();
        settings.data_dir = data_dir.path().to_path_buf();
        settings.store_path = None;
        settings.listen = "127.0.0.1:0".parse().expect("addr");
        adjust(&mut settings);
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        settings.public_url = Some(format!("https://{addr}"));
        let store = SqliteStore::open(&settings.store_path()).expect("store");
        let trust = gateway::trust::load(&settings).expect("trust");
        let tls = gateway::server::tls_config(
            settings.tls_certificate.as_deref().expect("cert"),
            settings.tls_private_key.as_deref().expect("key"),
            settings.municipal_client_ca.as_deref(),
        )
        .expect("tls");
        let directory = gateway::directory::for_settings(&settings).expect("directory");
        let app = Arc::new(App::new(
            settings,
            Arc::new(store),
            trust,
            start.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            directory,
        ));
        let (tx, rx) = oneshot::channel::<()>();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let outbox = start.deliver.then(|| {
            let mut rx = stop_rx.clone();
            tokio::spawn(gateway::delivery::run(Arc::clone(&app), async move {
                let _ = rx.wait_for(|s| *s).await;
            }))
        });
        let server = tokio::spawn(gateway::server::serve(
            listener,
            tls,
            Arc::clone(&app),
            async move {
                let _ = rx.await;
                let _ = stop_tx.send(true);
            },
        ));
        let handle = tokio::spawn(async move {
            let _ = server.await;
            if let Some(o) = outbox {
                let _ = o.await;
            }
        });
        Self {
            url: format!("https://{addr}"),
            ca_pem: std::fs::read(&material.paths.tls_ca).expect("ca"),
            app,
            data_dir,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    /// Stops accepting, drains, and waits for the server to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }

    /// The SQLite database file.
    pub fn database(&self) -> PathBuf {
        self.app.settings.store_path()
    }
}

/// The repository root.
pub fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A phone photo (JPEG) of a synthetic 出生証明書, `w`×`h` pixels, that
/// passes the legibility checks.
pub fn photo_jpeg(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let page = support::certificate_page(2480, 3508, seed);
    let photo = support::photo_of(&page, w, h, seed, 6.0);
    support::jpeg(&photo, 92)
}

/// `examples/notification.json` with the birth moved to `days_ago` days
/// before now (so it is neither in the future nor late), the certificate
/// dates with it.
pub fn notification_now(days_ago: i64) -> serde_json::Value {
    let text =
        std::fs::read_to_string(repo_root().join("examples/notification.json")).expect("example");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let jst = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let born = (time::OffsetDateTime::now_utc() - time::Duration::days(days_ago)).to_offset(jst);
    let born = born.replace_time(time::Time::from_hms(9, 5, 0).expect("time"));
    let rfc = born
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let date = born.date().to_string();
    v["child"]["born_at"] = rfc.clone().into();
    v["certificate"]["born_at"] = rfc.into();
    v["certificate"]["certified_on"] = date.into();
    v
}

/// The dev notifier's signer (the father of the example).
pub fn signer() -> gateway::client::Signer {
    let m = dev_material();
    gateway::client::Signer::from_files(&m.paths.notifier_certificate, &m.paths.notifier_key, &[])
        .expect("notifier key")
}

/// A signed submission of `notification` with `photos`.
pub fn prepared(
    notification: &serde_json::Value,
    photos: Vec<gateway::client::AttachmentPart>,
) -> gateway::client::PreparedSubmission {
    gateway::client::PreparedSubmission::from_bytes(
        &signer(),
        serde_json::to_vec(notification).expect("json"),
        photos,
        time::OffsetDateTime::now_utc(),
    )
    .expect("signs")
}

/// A client of `gw`.
pub fn client(gw: &TestGateway) -> gateway::client::Client {
    gateway::client::Client::new(&gw.url, &gw.ca_pem).expect("client")
}
