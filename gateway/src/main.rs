//! The `birthgate` command: `serve`, `submit`, `status`, `verify`,
//! `audit verify`, `pki dev` and `bench`. Run `birthgate --help`.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use gateway::app::{App, SystemClock};
use gateway::config::{self, LogFormat};
use gateway::store::SqliteStore;

/// birthgate — the gateway for Japan's online birth registration (出生届).
#[derive(Parser)]
#[command(name = "birthgate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway. With no configuration: ./birthgate-data, a generated
    /// dev PKI, SQLite, https://127.0.0.1:8443.
    Serve(ServeArgs),
    /// Sign and upload a filing; prints the receipt as JSON.
    Submit(gateway::client::SubmitArgs),
    /// Show the status of a filing.
    Status(gateway::client::StatusArgs),
    /// Post N signed filings with concurrency C and print throughput, latency and server memory.
    Bench(gateway::client::BenchArgs),
    /// Verify a saved submission directory offline and print the report.
    Verify(VerifyArgs),
    /// Audit trail tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// PKI tools.
    #[command(subcommand)]
    Pki(PkiCommand),
    /// Inspect and retry deliveries to municipalities (works beside a running gateway).
    #[command(subcommand)]
    Deliveries(DeliveriesCommand),
}

#[derive(clap::Args)]
struct StoreArgs {
    /// TOML configuration file (for store.path / data_dir).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data directory whose store to use.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum DeliveriesCommand {
    /// List deliveries, newest first.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only deliveries in this state: pending, delivered, acknowledged, held.
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one delivery with every attempt.
    Show {
        #[command(flatten)]
        store: StoreArgs,
        /// The filing id.
        filing_id: String,
    },
    /// Make a held (or waiting) delivery due now, with a fresh retry window.
    Retry {
        #[command(flatten)]
        store: StoreArgs,
        /// The filing ids.
        #[arg(required = true)]
        filing_ids: Vec<String>,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// TOML configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data directory (store, dev PKI, spool). Same as data_dir / BIRTHGATE_DATA_DIR.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8443. Same as listen / BIRTHGATE_LISTEN.
    #[arg(long)]
    listen: Option<String>,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Directory with manifest.json, notification.json, signature.der (or
    /// signature.p7s) and certificate-1.<ext>, certificate-2.<ext>, …
    dir: PathBuf,
    /// TOML configuration file (for trust anchors, CRLs and thresholds).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data directory whose dev trust material to use when none is configured.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Verification time (RFC 3339); default now.
    #[arg(long)]
    at: Option<String>,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the store's hash-chained audit trail; prints the head SEQ:HASH
    /// to write down elsewhere. Exit 0 intact, 1 broken, 2 unreadable.
    Verify(AuditVerifyArgs),
}

#[derive(clap::Args)]
struct AuditVerifyArgs {
    /// TOML configuration file (for store.path and data_dir).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data directory whose store to check. Same as data_dir / BIRTHGATE_DATA_DIR.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The SQLite database to check; default the configured store. Same as
    /// store.path / BIRTHGATE_STORE_PATH.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// A head written down earlier (SEQ:HASH, as printed by a previous
    /// check): the record SEQ must still have HASH.
    #[arg(long, value_name = "SEQ:HASH")]
    anchor: Option<gateway::audit::Anchor>,
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Write a complete dev PKI (JPKI-shaped, TLS, municipal and hospital certificates) to DIR.
    Dev {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn init_logging(format: LogFormat, level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    gateway::server::install_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("birthgate: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args)),
        Command::Submit(args) => runtime.block_on(gateway::client::run_submit(args)),
        Command::Status(args) => runtime.block_on(gateway::client::run_status(args)),
        Command::Bench(args) => runtime.block_on(gateway::client::run_bench(args)),
        Command::Verify(args) => verify(args),
        Command::Audit(AuditCommand::Verify(args)) => audit_verify(args),
        Command::Pki(PkiCommand::Dev { out }) => pki_dev(&out),
        Command::Deliveries(cmd) => deliveries(cmd),
    }
}

fn load_settings(
    file: Option<&PathBuf>,
    overrides: &[(&str, String)],
) -> Result<config::Settings, ExitCode> {
    config::load(file.map(PathBuf::as_path), &env_var, overrides).map_err(|e| {
        eprintln!("birthgate: {e}");
        ExitCode::from(2)
    })
}

async fn serve(args: ServeArgs) -> ExitCode {
    let mut overrides: Vec<(&str, String)> = Vec::new();
    if let Some(d) = &args.data_dir {
        overrides.push(("data_dir", d.display().to_string()));
    }
    if let Some(l) = &args.listen {
        overrides.push(("listen", l.clone()));
    }
    let mut settings = match load_settings(args.config.as_ref(), &overrides) {
        Ok(s) => s,
        Err(code) => return code,
    };
    init_logging(settings.log_format, &settings.log_level);
    let now = time::OffsetDateTime::now_utc();
    let dev = if settings.tls_certificate.is_none() || settings.trust_anchors.is_none() {
        if !settings.data_dir.join("pki/dev-seed").exists() {
            println!(
                "birthgate: first start: generating a dev PKI in {} (a few seconds)…",
                settings.data_dir.join("pki").display()
            );
        }
        match gateway::devmode::prepare(&mut settings, now) {
            Ok(paths) => Some(paths),
            Err(e) => {
                eprintln!("birthgate: cannot prepare the dev PKI: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    if let Err(e) = std::fs::create_dir_all(&settings.data_dir) {
        eprintln!("birthgate: data_dir {}: {e}", settings.data_dir.display());
        return ExitCode::FAILURE;
    }
    let store = match SqliteStore::open(&settings.store_path()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "birthgate: store.path {}: {e}",
                settings.store_path().display()
            );
            return ExitCode::FAILURE;
        }
    };
    let trust = match gateway::trust::load(&settings) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("birthgate: {e}");
            return ExitCode::FAILURE;
        }
    };
    let directory = match gateway::directory::for_settings(&settings) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("birthgate: {e}");
            return ExitCode::from(2);
        }
    };
    if settings.municipal_client_ca.is_none() {
        if directory.has_pull() {
            eprintln!(
                "birthgate: municipal.client_ca: required: the directory ({}) serves municipalities in pull mode, which fetch over the municipal API with mutual TLS",
                directory.source
            );
            return ExitCode::from(2);
        }
        eprintln!(
            "birthgate: warning: municipal.client_ca is not set: the municipal API (acknowledgements, decisions) answers 401 to everyone"
        );
    }
    let (Some(cert), Some(key)) = (
        settings.tls_certificate.clone(),
        settings.tls_private_key.clone(),
    ) else {
        eprintln!("birthgate: tls.certificate and tls.private_key are required");
        return ExitCode::from(2);
    };
    let tls =
        match gateway::server::tls_config(&cert, &key, settings.municipal_client_ca.as_deref()) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("birthgate: {e}");
                return ExitCode::FAILURE;
            }
        };
    let listener = match tokio::net::TcpListener::bind(settings.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("birthgate: listen {}: {e}", settings.listen);
            return ExitCode::FAILURE;
        }
    };
    let local = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let refresh = settings.crl_refresh;
    let app = Arc::new(App::new(
        settings,
        Arc::new(store),
        trust,
        Arc::new(SystemClock),
        directory,
    ));
    println!("birthgate listening on https://{local}");
    println!("  data directory: {}", app.settings.data_dir.display());
    println!(
        "  municipality directory: {}{}",
        app.directory.source,
        app.directory
            .spool_roots()
            .first()
            .map(|r| format!(" (spool: {})", r.display()))
            .unwrap_or_default()
    );
    if let Some(d) = &dev {
        println!("  dev PKI (for development only):");
        println!(
            "    CA of the server certificate (--ca): {}",
            d.tls_ca.display()
        );
        println!(
            "    notifier certificate (--cert):        {}",
            d.notifier_certificate.display()
        );
        println!(
            "    notifier private key (--key):         {}",
            d.notifier_key.display()
        );
        println!("  file the example notification from another terminal:");
        println!(
            "    cargo run --release --bin birthgate -- submit --url https://{local} --ca {} --key {} --cert {} --notification examples/notification.json --certificate examples/birth-certificate.jpg",
            d.tls_ca.display(),
            d.notifier_key.display(),
            d.notifier_certificate.display()
        );
    }
    let background = {
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(refresh);
            loop {
                tick.tick().await;
                let app = Arc::clone(&app);
                let _ = tokio::task::spawn_blocking(move || app.refresh_trust()).await;
            }
        })
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let outbox = app.settings.delivery.enabled.then(|| {
        tokio::spawn(gateway::delivery::run(
            Arc::clone(&app),
            stopped(stop_rx.clone()),
        ))
    });
    if outbox.is_none() {
        println!("  delivery.enabled = false: filings are stored but not delivered");
    }
    let retention = {
        let app = Arc::clone(&app);
        let every = app.settings.retention.check_interval;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let app = Arc::clone(&app);
                let r = tokio::task::spawn_blocking(move || gateway::delivery::purge_expired(&app))
                    .await;
                if let Ok(Err(e)) = r {
                    tracing::warn!(error = %e, "retention sweep failed; will try again");
                }
            }
        })
    };
    let server = gateway::server::serve(listener, tls, Arc::clone(&app), async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    server.await;
    if let Some(o) = outbox {
        let _ = tokio::time::timeout(app.settings.limits.shutdown_grace, o).await;
    }
    background.abort();
    retention.abort();
    ExitCode::SUCCESS
}

fn open_store(args: &StoreArgs) -> Result<SqliteStore, ExitCode> {
    let mut overrides: Vec<(&str, String)> = Vec::new();
    if let Some(d) = &args.data_dir {
        overrides.push(("data_dir", d.display().to_string()));
    }
    let settings = load_settings(args.config.as_ref(), &overrides)?;
    let path = settings.store_path();
    if !path.exists() {
        eprintln!(
            "birthgate: store.path {}: no database there (give --data-dir or --config)",
            path.display()
        );
        return Err(ExitCode::from(2));
    }
    SqliteStore::open(&path).map_err(|e| {
        eprintln!("birthgate: store.path {}: {e}", path.display());
        ExitCode::from(2)
    })
}

fn deliveries(cmd: DeliveriesCommand) -> ExitCode {
    use gateway::store::{DeliveryState, Store};
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    match cmd {
        DeliveriesCommand::List {
            store,
            state,
            limit,
            json,
        } => {
            let state = match state.as_deref().map(|s| (s, DeliveryState::parse(s))) {
                None => None,
                Some((_, Some(s))) => Some(s),
                Some((s, None)) => {
                    eprintln!(
                        "birthgate: --state: {s:?} is not one of pending, delivered, acknowledged, held"
                    );
                    return ExitCode::from(2);
                }
            };
            let store = match open_store(&store) {
                Ok(s) => s,
                Err(c) => return c,
            };
            let rows = match store.deliveries(state, limit) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("birthgate: {e}");
                    return ExitCode::FAILURE;
                }
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else {
                println!(
                    "{:<36} {:<6} {:<12} {:>8} {:<25} LAST ERROR",
                    "FILING", "CODE", "STATE", "ATTEMPTS", "NEXT ATTEMPT"
                );
                for r in &rows {
                    println!(
                        "{:<36} {:<6} {:<12} {:>8} {:<25} {}",
                        r.filing_id,
                        r.municipality,
                        r.state.as_str(),
                        r.attempts,
                        if r.state == DeliveryState::Pending {
                            fmt(r.next_attempt_at)
                        } else {
                            "-".to_owned()
                        },
                        r.last_error.as_deref().unwrap_or("-")
                    );
                }
                println!("{} deliveries", rows.len());
            }
            ExitCode::SUCCESS
        }
        DeliveriesCommand::Show { store, filing_id } => {
            let store = match open_store(&store) {
                Ok(s) => s,
                Err(c) => return c,
            };
            match store.delivery(&filing_id) {
                Ok(Some((row, attempts))) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(
                            &serde_json::json!({ "delivery": row, "attempts": attempts })
                        )
                        .unwrap_or_default()
                    );
                    ExitCode::SUCCESS
                }
                Ok(None) => {
                    eprintln!("birthgate: no delivery for filing {filing_id}");
                    ExitCode::from(1)
                }
                Err(e) => {
                    eprintln!("birthgate: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        DeliveriesCommand::Retry { store, filing_ids } => {
            let store = match open_store(&store) {
                Ok(s) => s,
                Err(c) => return c,
            };
            let mut code = ExitCode::SUCCESS;
            for id in filing_ids {
                match store.retry_delivery(&id, time::OffsetDateTime::now_utc()) {
                    Ok(true) => println!(
                        "{id}: due now (the running gateway picks it up within delivery.poll_ms)"
                    ),
                    Ok(false) => {
                        eprintln!("birthgate: {id}: no held or pending delivery with this id");
                        code = ExitCode::from(1);
                    }
                    Err(e) => {
                        eprintln!("birthgate: {id}: {e}");
                        code = ExitCode::FAILURE;
                    }
                }
            }
            code
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn pki_dev(out: &std::path::Path) -> ExitCode {
    let mut seed = [0u8; 32];
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed).is_err() {
        eprintln!("birthgate: no system randomness");
        return ExitCode::FAILURE;
    }
    let options = certs::DevPkiOptions {
        reference_time: time::OffsetDateTime::now_utc(),
        seed,
    };
    match certs::generate_dev_pki(&options).and_then(|p| p.write_to(out)) {
        Ok(files) => {
            println!(
                "wrote {} files to {} (see README in that directory)",
                files.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("birthgate: pki dev: {e}");
            ExitCode::FAILURE
        }
    }
}

fn verify(args: VerifyArgs) -> ExitCode {
    let mut overrides: Vec<(&str, String)> = Vec::new();
    if let Some(d) = &args.data_dir {
        overrides.push(("data_dir", d.display().to_string()));
    }
    let mut settings = match load_settings(args.config.as_ref(), &overrides) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let at = match &args.at {
        None => time::OffsetDateTime::now_utc(),
        Some(t) => {
            match time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!(
                        "birthgate: --at: expected an RFC 3339 time such as 2026-11-26T10:00:00+09:00 ({e})"
                    );
                    return ExitCode::from(2);
                }
            }
        }
    };
    if settings.trust_anchors.is_none() && settings.data_dir.join("trust/anchors").exists() {
        let trust = settings.data_dir.join("trust");
        settings.trust_anchors = Some(trust.join("anchors"));
        settings.trust_intermediates = Some(trust.join("intermediates"));
        settings.crl_dir = Some(trust.join("crls"));
    }
    let trust = match gateway::trust::load(&settings) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("birthgate: {e}");
            return ExitCode::from(2);
        }
    };
    let saved = match gateway::client::read_saved_submission(&args.dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("birthgate: {}: {e}", args.dir.display());
            return ExitCode::from(2);
        }
    };
    let submission = verifier::Submission {
        parts: saved
            .iter()
            .map(|(name, media_type, bytes)| verifier::manifest::Part {
                name,
                media_type,
                bytes,
                sha256: None,
            })
            .collect(),
    };
    let policy = verifier::VerificationPolicy::online(settings.attachment_policy.clone(), 10);
    let v = verifier::verify(&submission, &trust.store, &trust.revocation, at, &policy);
    println!(
        "{}",
        serde_json::to_string_pretty(&v.report).unwrap_or_default()
    );
    match v.report.verdict {
        verifier::report::Verdict::Reject => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn audit_verify(args: AuditVerifyArgs) -> ExitCode {
    let mut overrides: Vec<(&str, String)> = Vec::new();
    if let Some(d) = &args.data_dir {
        overrides.push(("data_dir", d.display().to_string()));
    }
    if let Some(db) = &args.db {
        overrides.push(("store.path", db.display().to_string()));
    }
    let settings = match load_settings(args.config.as_ref(), &overrides) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let path = settings.store_path();
    // Read-only: a mistyped path must not create an empty database that
    // then "verifies", and the check must not change what it checks.
    let conn = match rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "birthgate: audit verify: cannot open {}: {e}",
                path.display()
            );
            return ExitCode::from(2);
        }
    };
    match gateway::audit::verify_chain(&conn, args.anchor.as_ref()) {
        Ok(summary) => {
            println!("audit chain intact: {summary}");
            if let Some(anchor) = &args.anchor {
                println!("anchor {anchor} matches");
            }
            if let Some(head) = &summary.head {
                println!(
                    "record the head elsewhere and pass it later as --anchor {head} to detect a rewrite of the whole chain"
                );
            }
            ExitCode::SUCCESS
        }
        Err(gateway::audit::AuditError::Broken(b)) => {
            eprintln!("birthgate: {}: audit chain broken {b}", path.display());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("birthgate: audit verify: {}: {e}", path.display());
            ExitCode::from(2)
        }
    }
}
