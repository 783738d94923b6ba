//! 送付 — the outbox worker: every accepted filing delivered to its
//! municipality at least once, with the filing id as idempotency key so the
//! receiver sees it once.
//!
//! The model is Postfix's queue and the transactional outbox. The delivery
//! row is committed in the same transaction as the filing
//! ([`crate::store::Store::commit_filing`]), so nothing acknowledged can be
//! forgotten. The worker polls for due rows (and is woken when a filing is
//! committed), takes a lease on each (so a second worker or gateway on the
//! same database does not attempt it at the same time, and a crashed
//! gateway's attempt is retried when the lease expires), builds the
//! [`package`], hands it over by [`push`] or [`spool`], and records the
//! attempt, its outcome and the audit record in one transaction.
//!
//! Failed attempts are retried after `delivery.initial_backoff_ms`, doubling
//! up to `delivery.max_backoff_ms`, each delay drawn within ±
//! `delivery.jitter_percent` of its nominal value. A delivery still failing
//! `delivery.max_age_ms` after its window started, or refused permanently by
//! the receiver (a 4xx that retrying cannot fix), is **held**: it shows in
//! `/metrics` (`birthgate_deliveries_held`) and in `birthgate deliveries list
//! --state held`, and `birthgate deliveries retry ID` starts a new window.
//! At most `delivery.max_concurrent` attempts run at once, and at most
//! `delivery.max_concurrent_per_municipality` per municipality.
//!
//! Pull municipalities are not attempted: their rows wait for the municipal
//! API (fetch marks them delivered, acknowledgement acknowledged).
//!
//! # Layout
//! - [`package`] — the delivery package (format version 1).
//! - [`spool`] — atomic directory-per-filing writes.
//! - [`push`] — one HTTPS request with mutual TLS, and how answers are classified.

pub mod package;
pub mod push;
pub mod spool;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio::task::JoinSet;

use crate::app::App;
use crate::config::DeliverySettings;
use crate::directory::Route;
use crate::store::{AttemptRecord, AttemptResult, DueDelivery};

/// How many due rows one poll reads.
const BATCH: usize = 256;

/// How long a pull delivery is set aside before the worker looks at its
/// route again (the directory may have changed it to push or spool).
const PULL_RECHECK: time::Duration = time::Duration::minutes(10);

/// The nominal delay before attempt `failed + 1`, after `failed` failures:
/// `initial × 2^(failed−1)`, capped at `max`.
pub fn nominal_backoff(settings: &DeliverySettings, failed: u32) -> Duration {
    let exp = failed.saturating_sub(1).min(30);
    settings
        .initial_backoff
        .saturating_mul(1u32 << exp)
        .min(settings.max_backoff)
}

/// The nominal delay with jitter: uniform within ± `jitter_percent`.
pub fn jittered_backoff(settings: &DeliverySettings, failed: u32) -> Duration {
    let nominal = nominal_backoff(settings, failed).as_secs_f64();
    let mut b = [0u8; 4];
    let u = if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b).is_ok() {
        f64::from(u32::from_be_bytes(b)) / f64::from(u32::MAX)
    } else {
        0.5
    };
    let j = settings.jitter_percent.min(100) as f64 / 100.0;
    Duration::from_secs_f64((nominal * (1.0 + j * (2.0 * u - 1.0))).max(0.0))
}

/// Deliveries in flight, per municipality and by filing.
#[derive(Default)]
struct InFlight {
    per_municipality: HashMap<String, u64>,
    filings: std::collections::HashSet<String>,
}

/// Runs the outbox worker until `shutdown` completes, then waits for the
/// attempts in flight (each bounded by its own timeout).
pub async fn run(app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let settings = app.settings.delivery.clone();
    let in_flight = Arc::new(Mutex::new(InFlight::default()));
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    tracing::info!(directory = %app.directory.source, "outbox worker started");
    loop {
        while tasks.try_join_next().is_some() {}
        let now = app.clock.now();
        let store = Arc::clone(&app.store);
        let due = tokio::task::spawn_blocking(move || store.due_deliveries(now, BATCH)).await;
        match due {
            Ok(Ok(due)) => {
                for d in due {
                    if tasks.len() as u64 >= settings.max_concurrent {
                        break;
                    }
                    schedule(&app, &settings, &in_flight, &mut tasks, d).await;
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "outbox: cannot read due deliveries"),
            Err(_) => tracing::warn!("outbox: store task failed"),
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = app.delivery_wake.notified() => {}
            () = tokio::time::sleep(settings.poll) => {}
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    tracing::info!(in_flight = tasks.len(), "outbox worker stopping");
    while tasks.join_next().await.is_some() {}
}

async fn schedule(
    app: &Arc<App>,
    settings: &DeliverySettings,
    in_flight: &Arc<Mutex<InFlight>>,
    tasks: &mut JoinSet<()>,
    d: DueDelivery,
) {
    let now = app.clock.now();
    let route = app.directory.route(&d.municipality).cloned();
    if matches!(route, Some(Route::Pull)) {
        let store = Arc::clone(&app.store);
        let id = d.filing_id.clone();
        let _ =
            tokio::task::spawn_blocking(move || store.claim_delivery(&id, now, now + PULL_RECHECK))
                .await;
        return;
    }
    {
        let Ok(mut f) = in_flight.lock() else { return };
        let busy = f
            .per_municipality
            .get(&d.municipality)
            .copied()
            .unwrap_or(0);
        if busy >= settings.max_per_municipality || f.filings.contains(&d.filing_id) {
            return;
        }
        f.per_municipality.insert(d.municipality.clone(), busy + 1);
        f.filings.insert(d.filing_id.clone());
    }
    let release = {
        let in_flight = Arc::clone(in_flight);
        let (m, id) = (d.municipality.clone(), d.filing_id.clone());
        move || {
            if let Ok(mut f) = in_flight.lock() {
                if let Some(n) = f.per_municipality.get_mut(&m) {
                    *n = n.saturating_sub(1);
                }
                f.filings.remove(&id);
            }
        }
    };
    let lease = time::Duration::try_from(settings.lease).unwrap_or(time::Duration::minutes(5));
    let store = Arc::clone(&app.store);
    let id = d.filing_id.clone();
    let claimed =
        tokio::task::spawn_blocking(move || store.claim_delivery(&id, now, now + lease)).await;
    if !matches!(claimed, Ok(Ok(true))) {
        release();
        return;
    }
    let app = Arc::clone(app);
    let settings = settings.clone();
    tasks.spawn(async move {
        attempt(&app, &settings, &d, route).await;
        release();
    });
}

/// One attempt, recorded.
async fn attempt(
    app: &Arc<App>,
    settings: &DeliverySettings,
    d: &DueDelivery,
    route: Option<Route>,
) {
    let started_at = app.clock.now();
    let clock = Instant::now();
    let mode = route.as_ref().map_or("none", Route::mode);
    let outcome = match route {
        None => Outcome::Permanent(format!(
            "the directory ({}) no longer routes municipality {}",
            app.directory.source, d.municipality
        )),
        Some(route) => hand_over(app, d, route).await,
    };
    let finished_at = app.clock.now();
    let failed = d.attempts + 1;
    let retry_floor = match &outcome {
        Outcome::Busy { retry_after, .. } => *retry_after,
        _ => Duration::ZERO,
    };
    let (result, label) = match outcome {
        Outcome::Delivered {
            detail,
            reception_number,
        } => (
            AttemptResult::Delivered {
                detail,
                reception_number,
            },
            "delivered",
        ),
        Outcome::Permanent(error) => (AttemptResult::Held { error }, "held"),
        Outcome::Transient(error) | Outcome::Busy { error, .. } => {
            let age = finished_at - d.window_started_at;
            if age >= time::Duration::try_from(settings.max_age).unwrap_or(time::Duration::MAX) {
                (
                    AttemptResult::Held {
                        error: format!(
                            "still failing after {} attempts over {age}: {error}",
                            failed
                        ),
                    },
                    "held",
                )
            } else {
                let delay =
                    time::Duration::try_from(jittered_backoff(settings, failed).max(retry_floor))
                        .unwrap_or(time::Duration::hours(1));
                (
                    AttemptResult::Retry {
                        error,
                        next_attempt_at: finished_at + delay,
                    },
                    "retry",
                )
            }
        }
    };
    app.metrics
        .delivery_attempt(mode, label, clock.elapsed().as_secs_f64());
    match &result {
        AttemptResult::Delivered { .. } => {
            tracing::info!(filing_id = %d.filing_id, municipality = %d.municipality, mode, attempt = failed, "delivered")
        }
        AttemptResult::Retry {
            error,
            next_attempt_at,
        } => {
            tracing::warn!(filing_id = %d.filing_id, municipality = %d.municipality, mode, attempt = failed, error = %error, next_attempt_at = %next_attempt_at, "delivery failed; will retry")
        }
        AttemptResult::Held { error } => {
            tracing::error!(filing_id = %d.filing_id, municipality = %d.municipality, mode, attempt = failed, error = %error, "delivery held for an operator")
        }
    }
    let record = AttemptRecord {
        started_at,
        finished_at,
        mode: mode.to_owned(),
        result,
    };
    let store = Arc::clone(&app.store);
    let id = d.filing_id.clone();
    match tokio::task::spawn_blocking(move || store.finish_attempt(&id, &record)).await {
        Ok(Ok(())) => {}
        // The lease expires and the attempt is made again: at least once.
        Ok(Err(e)) => {
            tracing::error!(filing_id = %d.filing_id, error = %e, "cannot record a delivery attempt; it will be retried when its lease expires")
        }
        Err(_) => tracing::error!(filing_id = %d.filing_id, "delivery recording task failed"),
    }
}

/// How a hand-over ended.
#[derive(Debug)]
pub enum Outcome {
    /// Handed over.
    Delivered {
        /// What the receiver said.
        detail: String,
        /// The receiver's reception number, if it gave one.
        reception_number: Option<String>,
    },
    /// Failed in a way retrying may fix (down, 5xx, timeout, disk full).
    Transient(String),
    /// The receiver is busy and said when to come back (429/503 with
    /// `Retry-After`): retried not sooner than that.
    Busy {
        /// What it answered.
        error: String,
        /// How long it asked us to wait.
        retry_after: Duration,
    },
    /// Failed in a way retrying cannot fix (the receiver refuses the
    /// package; the record cannot be read): hold for an operator.
    Permanent(String),
}

async fn hand_over(app: &Arc<App>, d: &DueDelivery, route: Route) -> Outcome {
    let store = Arc::clone(&app.store);
    let id = d.filing_id.clone();
    let material = match tokio::task::spawn_blocking(move || store.delivery_material(&id)).await {
        Ok(Ok(Some(m))) => m,
        Ok(Ok(None)) => {
            return Outcome::Permanent(
                "the filing's stored material is missing or purged".to_owned(),
            );
        }
        Ok(Err(e)) => return Outcome::Transient(format!("store: {e}")),
        Err(_) => return Outcome::Transient("store task failed".to_owned()),
    };
    let public_url = app.settings.public_url();
    let package =
        match tokio::task::spawn_blocking(move || package::build(material, &public_url)).await {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => return Outcome::Permanent(e.to_string()),
            Err(_) => return Outcome::Transient("package task failed".to_owned()),
        };
    match route {
        Route::Spool { root } => {
            match tokio::task::spawn_blocking(move || spool::write(&root, &package)).await {
                Ok(Ok(spool::SpoolOutcome::Written(path))) => Outcome::Delivered {
                    detail: format!("spooled to {}", path.display()),
                    reception_number: None,
                },
                Ok(Ok(spool::SpoolOutcome::AlreadyPresent(path))) => Outcome::Delivered {
                    detail: format!("already in the spool at {}", path.display()),
                    reception_number: None,
                },
                Ok(Err(e)) => Outcome::Transient(e.to_string()),
                Err(_) => Outcome::Transient("spool task failed".to_owned()),
            }
        }
        Route::Push(endpoint) => push::send(&endpoint, &package).await,
        Route::Pull => Outcome::Transient("pull municipalities are not pushed".to_owned()),
    }
}

/// Purges the attachments and personal data of filings whose final
/// decision is older than `retention.purge_after_days` (by the app's
/// clock). Returns how many were purged.
pub fn purge_expired(app: &App) -> Result<usize, crate::store::StoreError> {
    let now: OffsetDateTime = app.clock.now();
    let cutoff = now - app.settings.retention.purge_after;
    let mut purged = 0;
    loop {
        let ids = app.store.purgeable(cutoff, 100)?;
        if ids.is_empty() {
            break;
        }
        for id in &ids {
            if app.store.purge(id, now)? {
                purged += 1;
            }
        }
        if ids.len() < 100 {
            break;
        }
    }
    if purged > 0 {
        app.metrics.purged(purged as u64);
        tracing::info!(purged, "retention: purged attachments and personal data");
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_in_band() {
        let s = DeliverySettings {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1_000),
            jitter_percent: 20,
            ..DeliverySettings::default()
        };
        let nominal: Vec<u128> = (1..=6)
            .map(|n| nominal_backoff(&s, n).as_millis())
            .collect();
        assert_eq!(nominal, vec![100, 200, 400, 800, 1_000, 1_000]);
        for n in 1..=6 {
            let nom = nominal_backoff(&s, n).as_secs_f64();
            for _ in 0..200 {
                let j = jittered_backoff(&s, n).as_secs_f64();
                assert!(
                    j >= nom * 0.8 - 1e-9 && j <= nom * 1.2 + 1e-9,
                    "{j} outside ±20% of {nom}"
                );
            }
        }
    }
}
