//! Prometheus metrics: requests by route and outcome, latency histograms,
//! verification outcomes, bytes received, and queue depths read from the
//! store at scrape time.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::store::StoreCounts;

/// Labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    status: u16,
}

/// Labels of a latency observation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

/// Labels of a verification.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    verdict: &'static str,
}

/// Labels of a delivery attempt.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AttemptLabels {
    mode: &'static str,
    outcome: &'static str,
}

/// The gateway's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    verifications: Family<VerdictLabels, Counter>,
    verification_seconds: Histogram,
    bytes_received: Counter,
    filings: Gauge,
    held: Gauge,
    pending_deliveries: Gauge,
    held_deliveries: Gauge,
    unacknowledged_deliveries: Gauge,
    delivery_attempts: Family<AttemptLabels, Counter>,
    delivery_seconds: Histogram,
    purged: Counter,
    connections: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("birthgate");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.002, 2.0, 14))
        });
        let verifications = Family::<VerdictLabels, Counter>::default();
        let verification_seconds = Histogram::new(exponential_buckets(0.002, 2.0, 14));
        let bytes_received = Counter::default();
        let filings = Gauge::default();
        let held = Gauge::default();
        let pending_deliveries = Gauge::default();
        let connections = Gauge::default();
        let held_deliveries = Gauge::default();
        let unacknowledged_deliveries = Gauge::default();
        let delivery_attempts = Family::<AttemptLabels, Counter>::default();
        let delivery_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let purged = Counter::default();
        registry.register(
            "deliveries_held",
            "Deliveries held for an operator (birthgate deliveries list --state held)",
            held_deliveries.clone(),
        );
        registry.register(
            "deliveries_unacknowledged",
            "Deliveries handed over but not yet acknowledged by the municipality",
            unacknowledged_deliveries.clone(),
        );
        registry.register(
            "delivery_attempts",
            "Delivery attempts by mode and outcome",
            delivery_attempts.clone(),
        );
        registry.register(
            "delivery_attempt_duration_seconds",
            "Time of one delivery attempt",
            delivery_seconds.clone(),
        );
        registry.register(
            "filings_purged",
            "Filings whose attachments and personal data were purged after retention",
            purged.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Request latency by route",
            latency.clone(),
        );
        registry.register(
            "verifications",
            "Verifications by verdict",
            verifications.clone(),
        );
        registry.register(
            "verification_duration_seconds",
            "Time to verify one submission",
            verification_seconds.clone(),
        );
        registry.register(
            "received_bytes",
            "Request body bytes received on the submission route",
            bytes_received.clone(),
        );
        registry.register("filings_stored", "Filings in the store", filings.clone());
        registry.register(
            "filings_held",
            "Filings held for revocation data",
            held.clone(),
        );
        registry.register(
            "deliveries_pending",
            "Deliveries waiting (outbox depth)",
            pending_deliveries.clone(),
        );
        registry.register(
            "connections_open",
            "Open client connections",
            connections.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            verifications,
            verification_seconds,
            bytes_received,
            filings,
            held,
            pending_deliveries,
            held_deliveries,
            unacknowledged_deliveries,
            delivery_attempts,
            delivery_seconds,
            purged,
            connections,
        }
    }
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, route: &'static str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(seconds);
    }

    /// Counts a verification.
    pub fn verification(&self, verdict: &'static str, seconds: f64) {
        self.verifications
            .get_or_create(&VerdictLabels { verdict })
            .inc();
        self.verification_seconds.observe(seconds);
    }

    /// Adds received body bytes.
    pub fn received(&self, bytes: u64) {
        self.bytes_received.inc_by(bytes);
    }

    /// Counts a delivery attempt.
    pub fn delivery_attempt(&self, mode: &'static str, outcome: &'static str, seconds: f64) {
        self.delivery_attempts
            .get_or_create(&AttemptLabels { mode, outcome })
            .inc();
        self.delivery_seconds.observe(seconds);
    }

    /// Counts purged filings.
    pub fn purged(&self, n: u64) {
        self.purged.inc_by(n);
    }

    /// A connection opened (+1) or closed (-1).
    pub fn connection(&self, delta: i64) {
        self.connections.inc_by(delta);
    }

    /// The text exposition, with the store's counts as of now.
    pub fn render(&self, counts: Option<StoreCounts>) -> String {
        if let Some(c) = counts {
            self.filings.set(c.filings as i64);
            self.held.set(c.held as i64);
            self.pending_deliveries.set(c.pending_deliveries as i64);
            self.held_deliveries.set(c.held_deliveries as i64);
            self.unacknowledged_deliveries
                .set(c.unacknowledged_deliveries as i64);
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
