//! The durable store behind one narrow interface.
//!
//! [`Store`] is what the server needs and nothing more: commit a filing
//! (raw parts, report, record, delivery row, status history, idempotency
//! answer and audit record) in **one transaction**, read a filing's status,
//! re-read parts of held filings, and answer readiness. The embedded
//! implementation is SQLite ([`SqliteStore`]: WAL, `synchronous=FULL`, so a
//! commit has reached the disk when it returns); a PostgreSQL implementation
//! for several gateways behind a load balancer implements the same trait.
//!
//! The calls are blocking: the server runs them on tokio's blocking pool.

mod delivery;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

/// Status of a filing as the parent sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingState {
    /// Verified and stored; waiting for delivery to the municipality.
    Accepted,
    /// Stored; the signature could not be graded yet (revocation data
    /// unavailable). Re-verified when the data arrives.
    Held,
    /// A held filing whose re-verification failed.
    Rejected,
}

impl FilingState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Held => "held",
            Self::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "accepted" => Self::Accepted,
            "held" => Self::Held,
            "rejected" => Self::Rejected,
            _ => return None,
        })
    }
}

/// One part to store, byte for byte.
#[derive(Debug, Clone)]
pub struct NewPart {
    /// Part name.
    pub name: String,
    /// Media type it was sent with.
    pub media_type: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// The bytes as received.
    pub bytes: bytes::Bytes,
    /// A metadata-stripped copy for clerks (attachments only).
    pub stripped: Option<Vec<u8>>,
}

/// Everything committed for one accepted (or held) filing.
#[derive(Debug, Clone)]
pub struct NewFiling {
    /// The filing id.
    pub id: String,
    /// When it was received.
    pub received_at: OffsetDateTime,
    /// Accepted or held.
    pub state: FilingState,
    /// SHA-256 of the access token.
    pub token_hash: Vec<u8>,
    /// SHA-256 of the manifest part, hex.
    pub manifest_sha256: String,
    /// 全国地方公共団体コード of the receiving municipality.
    pub municipality: String,
    /// The verification report, JSON.
    pub report_json: String,
    /// The family-register record, JSON (absent only for held filings whose
    /// record could not yet be built).
    pub record_json: Option<String>,
    /// The parts.
    pub parts: Vec<NewPart>,
    /// The idempotency key and request digest, when the client sent one.
    pub idempotency: Option<(String, Vec<u8>)>,
    /// The HTTP answer (status and body) to replay for a repeated key.
    pub response: (u16, String),
}

/// The stored answer for an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentAnswer {
    /// Digest of the request that first used the key.
    pub request_hash: Vec<u8>,
    /// HTTP status of the first answer.
    pub status: u16,
    /// Body of the first answer.
    pub body: String,
}

/// One entry of a filing's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryEntry {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The state entered.
    pub state: String,
    /// A note (for the parent, no personal data).
    pub note: String,
}

/// What the status endpoint shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingStatus {
    /// The filing id.
    pub id: String,
    /// Current state.
    pub state: FilingState,
    /// Received at.
    pub received_at: OffsetDateTime,
    /// SHA-256 of the access token.
    pub token_hash: Vec<u8>,
    /// SHA-256 of the manifest, hex.
    pub manifest_sha256: String,
    /// History, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Delivery state and the municipality's reception number, once there is a delivery.
    pub delivery: Option<(DeliveryState, Option<String>)>,
    /// The current decision of the municipality.
    pub decision: Option<Decision>,
    /// When personal data and attachments were purged.
    pub purged_at: Option<OffsetDateTime>,
}

/// A stored part read back.
#[derive(Debug, Clone)]
pub struct StoredPart {
    /// Part name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// SHA-256 hex.
    pub sha256: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The outcome of re-verifying a held filing.
#[derive(Debug, Clone)]
pub enum HeldOutcome {
    /// Now verified: the new report and record, and a delivery row.
    Accepted {
        /// The new report.
        report_json: String,
        /// The record.
        record_json: String,
    },
    /// Now refused (e.g. the certificate turned out revoked).
    Rejected {
        /// The new report.
        report_json: String,
    },
}

/// Where a filing's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting: to be pushed or spooled (at `next_attempt_at`), or to be
    /// fetched by a pull municipality.
    Pending,
    /// Handed over (push answered 2xx, spool directory in place, or the
    /// pull municipality fetched it); not yet acknowledged.
    Delivered,
    /// The municipality confirmed receipt (with its own reception number
    /// when it gave one).
    Acknowledged,
    /// Could not be delivered within `delivery.max_age_ms`, or the receiver
    /// refused it permanently: waits for an operator
    /// (`birthgate deliveries retry`).
    Held,
}

impl DeliveryState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Acknowledged => "acknowledged",
            Self::Held => "held",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "delivered" => Self::Delivered,
            "acknowledged" => Self::Acknowledged,
            "held" => Self::Held,
            _ => return None,
        })
    }
}

/// A delivery the outbox worker may attempt now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// The filing (also the idempotency key receivers see).
    pub filing_id: String,
    /// Receiving municipality.
    pub municipality: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Start of the current retry window (creation, or the last operator retry).
    pub window_started_at: OffsetDateTime,
}

/// A stored part with its stripped copy, for building a delivery package.
#[derive(Debug, Clone)]
pub struct MaterialPart {
    /// Part name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// SHA-256 hex of `bytes`.
    pub sha256: String,
    /// The bytes as received.
    pub bytes: Vec<u8>,
    /// The metadata-stripped copy, when one was made.
    pub stripped: Option<Vec<u8>>,
}

/// Everything a delivery package is made of.
#[derive(Debug, Clone)]
pub struct DeliveryMaterial {
    /// The filing id.
    pub filing_id: String,
    /// Receiving municipality.
    pub municipality: String,
    /// When the gateway received it.
    pub received_at: OffsetDateTime,
    /// SHA-256 hex of the manifest.
    pub manifest_sha256: String,
    /// The family-register record, JSON.
    pub record_json: String,
    /// The verification report, JSON.
    pub report_json: String,
    /// The parts, in the order received.
    pub parts: Vec<MaterialPart>,
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    /// Handed over.
    Delivered {
        /// What the receiver said (status line, spool path).
        detail: String,
        /// The municipality's reception number, when the receiver gave one
        /// (that also acknowledges the filing).
        reception_number: Option<String>,
    },
    /// Failed; try again at `next_attempt_at`.
    Retry {
        /// Why it failed (no personal data: status codes, error kinds).
        error: String,
        /// When to try again.
        next_attempt_at: OffsetDateTime,
    },
    /// Failed, and no more automatic attempts: the delivery is held.
    Held {
        /// Why.
        error: String,
    },
}

/// One attempt, as the worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// When the attempt started.
    pub started_at: OffsetDateTime,
    /// When it ended.
    pub finished_at: OffsetDateTime,
    /// `push` or `spool`.
    pub mode: String,
    /// The outcome.
    pub result: AttemptResult,
}

/// A delivery as `birthgate deliveries list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryRow {
    /// The filing.
    pub filing_id: String,
    /// Receiving municipality.
    pub municipality: String,
    /// State.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// Next attempt (pending push/spool deliveries).
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Start of the current retry window.
    #[serde(with = "time::serde::rfc3339")]
    pub window_started_at: OffsetDateTime,
    /// Mode of the last attempt.
    pub mode: Option<String>,
    /// Error of the last failed attempt.
    pub last_error: Option<String>,
    /// When it was handed over.
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// When the municipality acknowledged it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// The municipality's reception number.
    pub reception_number: Option<String>,
}

/// One recorded attempt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttemptRow {
    /// 1, 2, …
    pub attempt: u32,
    /// Started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// Ended.
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// `push` or `spool`.
    pub mode: String,
    /// `delivered`, `retry` or `held`.
    pub outcome: String,
    /// Detail or error.
    pub detail: String,
}

/// A part as the municipal API lists it (no bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    /// Part name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 hex.
    pub sha256: String,
    /// Whether a metadata-stripped copy exists.
    pub has_stripped: bool,
}

/// A filing as its municipality sees it.
#[derive(Debug, Clone)]
pub struct MunicipalFiling {
    /// The filing id.
    pub filing_id: String,
    /// Receiving municipality.
    pub municipality: String,
    /// Received.
    pub received_at: OffsetDateTime,
    /// Manifest digest.
    pub manifest_sha256: String,
    /// Delivery state.
    pub delivery: DeliveryRow,
    /// Record JSON (absent once purged).
    pub record_json: Option<String>,
    /// Report JSON.
    pub report_json: String,
    /// Parts.
    pub parts: Vec<PartInfo>,
    /// The current decision.
    pub decision: Option<Decision>,
    /// When personal data was purged.
    pub purged_at: Option<OffsetDateTime>,
}

/// 受理 / 不受理 / 補正 — a clerk's decision on a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// 受理 — accepted into the family register.
    Accepted,
    /// 不受理 — not accepted, with a reason.
    Rejected,
    /// 補正 — the parent is asked to correct something (a message says what).
    CorrectionRequested,
}

impl DecisionKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::CorrectionRequested => "correction_requested",
        }
    }

    /// The Japanese term.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Accepted => "受理",
            Self::Rejected => "不受理",
            Self::CorrectionRequested => "補正",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "accepted" => Self::Accepted,
            "rejected" => Self::Rejected,
            "correction_requested" => Self::CorrectionRequested,
            _ => return None,
        })
    }

    /// 受理 and 不受理 end the filing; 補正 does not.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::CorrectionRequested)
    }
}

/// A decision as posted by the municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    /// The municipality's id for this decision (idempotency).
    pub decision_id: String,
    /// The decision.
    pub kind: DecisionKind,
    /// When the clerk decided (orders decisions).
    pub decided_at: OffsetDateTime,
    /// 不受理: the reason.
    pub reason: Option<String>,
    /// 補正: the message for the parent.
    pub message: Option<String>,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// The municipality's id.
    pub decision_id: String,
    /// The decision.
    pub kind: DecisionKind,
    /// When the clerk decided.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// When the gateway recorded it.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// 不受理: the reason.
    pub reason: Option<String>,
    /// 補正: the message for the parent.
    pub message: Option<String>,
    /// True when a decision with a later `decided_at` was already recorded:
    /// this one is kept in the history but is not current.
    pub superseded: bool,
}

/// What recording a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionOutcome {
    /// No such filing for these municipalities.
    NotFound,
    /// The filing has not been delivered (held or rejected at verification).
    NotDelivered,
    /// Recorded now.
    Recorded(Decision),
    /// The same decision id with the same content was recorded before.
    Replayed(Decision),
    /// The same decision id was used with different content.
    IdConflict,
    /// A later decision after a final one (受理/不受理) was refused.
    AfterFinal(Decision),
}

/// What acknowledging did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckOutcome {
    /// No such filing for these municipalities.
    NotFound,
    /// The filing was not delivered (held or rejected at verification).
    NotDelivered,
    /// Acknowledged now.
    Acknowledged(DeliveryRow),
    /// Acknowledged before with the same reception number.
    AlreadyAcknowledged(DeliveryRow),
    /// Acknowledged before with a different reception number.
    Conflict(DeliveryRow),
}

/// A filing waiting for its municipality.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PendingFiling {
    /// The filing.
    pub filing_id: String,
    /// Receiving municipality.
    pub municipality: String,
    /// Received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// Delivery state (pending or delivered: not yet acknowledged).
    pub delivery_state: DeliveryState,
}

/// Why the store could not do what was asked. The server answers 503 to
/// these: nothing is acknowledged that was not committed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or failed (disk full, I/O error, locked).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A stored value is not what this version wrote.
    #[error("corrupt stored value in {table}.{column}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
    },
    /// The idempotency key is already used (raced with another request).
    #[error("idempotency key already used")]
    IdempotencyConflict,
    /// The store's lock was poisoned by a panic in another thread.
    #[error("store lock poisoned")]
    Poisoned,
}

/// Counts for metrics and readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreCounts {
    /// Filings stored.
    pub filings: u64,
    /// Filings held.
    pub held: u64,
    /// Deliveries waiting to be handed over.
    pub pending_deliveries: u64,
    /// Deliveries held for an operator.
    pub held_deliveries: u64,
    /// Deliveries handed over but not yet acknowledged.
    pub unacknowledged_deliveries: u64,
}

/// The narrow interface of the durable store.
pub trait Store: Send + Sync + 'static {
    /// Commits a filing and everything that goes with it, atomically and
    /// durably. Returns only when the data is on disk.
    fn commit_filing(&self, filing: &NewFiling) -> Result<(), StoreError>;
    /// Remembers the answer to a refused request under its idempotency key.
    fn remember_answer(
        &self,
        key: &str,
        request_hash: &[u8],
        status: u16,
        body: &str,
    ) -> Result<(), StoreError>;
    /// The first answer given under `key`.
    fn answer_for(&self, key: &str) -> Result<Option<IdempotentAnswer>, StoreError>;
    /// Status and history of a filing.
    fn filing_status(&self, id: &str) -> Result<Option<FilingStatus>, StoreError>;
    /// The original parts of a filing.
    fn filing_parts(&self, id: &str) -> Result<Vec<StoredPart>, StoreError>;
    /// Ids and receipt times of held filings.
    fn held_filings(&self) -> Result<Vec<(String, OffsetDateTime)>, StoreError>;
    /// Records the outcome of re-verifying a held filing.
    fn resolve_held(
        &self,
        id: &str,
        at: OffsetDateTime,
        outcome: &HeldOutcome,
    ) -> Result<(), StoreError>;
    /// Proves the store can write (for `/readyz`).
    fn check_writable(&self) -> Result<(), StoreError>;
    /// Counts for metrics.
    fn counts(&self) -> Result<StoreCounts, StoreError>;

    /// Pending deliveries due at `now` whose lease (if any) has expired,
    /// oldest first, at most `limit`.
    fn due_deliveries(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<DueDelivery>, StoreError>;
    /// Takes a lease on a due delivery until `lease_until`, so no other
    /// worker (or gateway sharing the database) attempts it meanwhile.
    /// False when it is no longer due or someone else holds it.
    fn claim_delivery(
        &self,
        filing_id: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// What a delivery package is built from; `None` if the filing is gone
    /// or purged.
    fn delivery_material(&self, filing_id: &str) -> Result<Option<DeliveryMaterial>, StoreError>;
    /// Records an attempt and its outcome, releases the lease, and writes
    /// the history and audit records, in one transaction.
    fn finish_attempt(&self, filing_id: &str, attempt: &AttemptRecord) -> Result<(), StoreError>;
    /// Deliveries, newest first, optionally only those in `state`.
    fn deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: usize,
    ) -> Result<Vec<DeliveryRow>, StoreError>;
    /// One delivery with its attempts.
    fn delivery(
        &self,
        filing_id: &str,
    ) -> Result<Option<(DeliveryRow, Vec<AttemptRow>)>, StoreError>;
    /// Makes a held (or pending) delivery due now with a fresh retry
    /// window. False if there is no such delivery or it was already
    /// delivered.
    fn retry_delivery(&self, filing_id: &str, now: OffsetDateTime) -> Result<bool, StoreError>;

    /// Filings of `municipalities` not yet acknowledged, oldest first.
    fn municipal_pending(
        &self,
        municipalities: &[String],
        limit: usize,
    ) -> Result<Vec<PendingFiling>, StoreError>;
    /// A filing, if it belongs to one of `municipalities` and was accepted.
    fn municipal_filing(
        &self,
        filing_id: &str,
        municipalities: &[String],
    ) -> Result<Option<MunicipalFiling>, StoreError>;
    /// A part's bytes (or its stripped copy), if the filing belongs to one
    /// of `municipalities`: (media type, bytes).
    fn municipal_part(
        &self,
        filing_id: &str,
        municipalities: &[String],
        part: &str,
        stripped: bool,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError>;
    /// Marks a pending pull delivery delivered (the municipality fetched it).
    fn mark_fetched(&self, filing_id: &str, at: OffsetDateTime) -> Result<(), StoreError>;
    /// Records the municipality's acknowledgement.
    fn acknowledge(
        &self,
        filing_id: &str,
        municipalities: &[String],
        reception_number: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<AckOutcome, StoreError>;
    /// Records a clerk's decision: idempotent by decision id, ordered by
    /// `decided_at` (a delayed earlier decision never replaces a later one).
    fn record_decision(
        &self,
        filing_id: &str,
        municipalities: &[String],
        decision: &NewDecision,
        at: OffsetDateTime,
    ) -> Result<DecisionOutcome, StoreError>;

    /// Filings whose final decision (or final rejection) was recorded at or
    /// before `cutoff` and that are not purged yet.
    fn purgeable(&self, cutoff: OffsetDateTime, limit: usize) -> Result<Vec<String>, StoreError>;
    /// Deletes a filing's attachments and personal data, keeping digests,
    /// states and the audit trail.
    fn purge(&self, filing_id: &str, at: OffsetDateTime) -> Result<bool, StoreError>;
}

/// The embedded SQLite store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS filings (
    id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    municipality TEXT NOT NULL,
    report_json TEXT NOT NULL,
    record_json TEXT
);
CREATE TABLE IF NOT EXISTS parts (
    filing_id TEXT NOT NULL REFERENCES filings(id),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    stripped BLOB,
    PRIMARY KEY (filing_id, name)
);
CREATE TABLE IF NOT EXISTS history (
    filing_id TEXT NOT NULL REFERENCES filings(id),
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    filing_id TEXT PRIMARY KEY REFERENCES filings(id),
    municipality TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    filing_id TEXT NOT NULL REFERENCES filings(id),
    attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    mode TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (filing_id, attempt)
);
CREATE TABLE IF NOT EXISTS decisions (
    filing_id TEXT NOT NULL REFERENCES filings(id),
    decision_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    reason TEXT,
    message TEXT,
    content_sha256 TEXT NOT NULL,
    superseded INTEGER NOT NULL,
    PRIMARY KEY (filing_id, decision_id)
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    request_hash BLOB NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    filing_id TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_by_filing ON history(filing_id, seq);
CREATE INDEX IF NOT EXISTS filings_by_state ON filings(state);
CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
"#;

/// Columns added after the first release, with their declarations. Added
/// with `ALTER TABLE` to databases that lack them, so a data directory
/// from an earlier version opens without losing anything.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("deliveries", "window_started_at", "TEXT"),
    ("deliveries", "lease_until", "TEXT"),
    ("deliveries", "mode", "TEXT"),
    ("deliveries", "last_error", "TEXT"),
    ("deliveries", "delivered_at", "TEXT"),
    ("deliveries", "acknowledged_at", "TEXT"),
    ("deliveries", "reception_number", "TEXT"),
    ("filings", "decision", "TEXT"),
    ("filings", "decided_at", "TEXT"),
    ("filings", "final_at", "TEXT"),
    ("filings", "purged_at", "TEXT"),
    ("idempotency", "filing_id", "TEXT"),
];

/// Indexes over the added columns.
const ADDED_INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_by_municipality ON deliveries(municipality, state);
CREATE INDEX IF NOT EXISTS filings_final ON filings(final_at) WHERE purged_at IS NULL;
"#;

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    for (table, column, decl) in ADDED_COLUMNS {
        let present: i64 = conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
            params![table, column],
            |r| r.get(0),
        )?;
        if present == 0 {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
        }
    }
    conn.execute_batch(ADDED_INDEXES)?;
    conn.execute_batch(
        "UPDATE deliveries SET window_started_at = created_at WHERE window_started_at IS NULL",
    )?;
    Ok(())
}

fn ts(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn parse_ts(s: &str, column: &'static str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|_| {
        StoreError::Corrupt {
            table: "filings",
            column,
        }
    })
}

/// What the audit trail keeps of a verification: the verdict, the signature
/// grade and the problem codes — never the report's text, which may quote
/// personal data.
fn verification_summary(report_json: &str, state: FilingState) -> String {
    let report: serde_json::Value = serde_json::from_str(report_json).unwrap_or_default();
    let codes: Vec<&serde_json::Value> = report["problems"]
        .as_array()
        .map(|a| a.iter().map(|p| &p["code"]).collect())
        .unwrap_or_default();
    serde_json::json!({
        "state": state.as_str(),
        "verdict": report["verdict"],
        "indication": report["signature"]["indication"],
        "sub_indication": report["signature"]["sub_indication"],
        "codes": codes,
    })
    .to_string()
}

/// Appends an audit record chained to the previous one by SHA-256
/// ([`crate::audit::record_hash`]).
fn audit(
    tx: &rusqlite::Transaction<'_>,
    at: OffsetDateTime,
    filing_id: &str,
    event: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let prev: String = tx
        .query_row(
            "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| crate::audit::GENESIS_PREV_HASH.to_owned());
    let at = ts(at);
    let hash = crate::audit::record_hash(&prev, &at, filing_id, event, detail);
    tx.execute(
        "INSERT INTO audit (at, filing_id, event, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![at, filing_id, event, detail, prev, hash],
    )?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, in WAL mode with
    /// `synchronous=FULL`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        f(&mut conn)
    }
}

impl Store for SqliteStore {
    fn commit_filing(&self, f: &NewFiling) -> Result<(), StoreError> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            if let Some((key, _)) = &f.idempotency {
                let used: Option<i64> = tx.query_row("SELECT 1 FROM idempotency WHERE key = ?1", [key], |r| r.get(0)).optional()?;
                if used.is_some() {
                    return Err(StoreError::IdempotencyConflict);
                }
            }
            let received = ts(f.received_at);
            tx.execute(
                "INSERT INTO filings (id, received_at, state, token_hash, manifest_sha256, municipality, report_json, record_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![f.id, received, f.state.as_str(), f.token_hash, f.manifest_sha256, f.municipality, f.report_json, f.record_json],
            )?;
            {
                let mut insert = tx.prepare(
                    "INSERT INTO parts (filing_id, name, media_type, size, sha256, bytes, stripped) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for p in &f.parts {
                    insert.execute(params![f.id, p.name, p.media_type, p.bytes.len() as i64, p.sha256, &p.bytes[..], p.stripped])?;
                }
            }
            let note = match f.state {
                FilingState::Accepted => "受付けました / received and verified",
                FilingState::Held => "受付けました。署名の失効確認を待っています / received; waiting for revocation data to grade the signature",
                FilingState::Rejected => "不受理 / rejected",
            };
            tx.execute(
                "INSERT INTO history (filing_id, at, state, note) VALUES (?1, ?2, ?3, ?4)",
                params![f.id, received, f.state.as_str(), note],
            )?;
            if f.state == FilingState::Accepted {
                tx.execute(
                    "INSERT INTO deliveries (filing_id, municipality, state, next_attempt_at, created_at, window_started_at) VALUES (?1, ?2, 'pending', ?3, ?3, ?3)",
                    params![f.id, f.municipality, received],
                )?;
            }
            if let Some((key, hash)) = &f.idempotency {
                tx.execute(
                    "INSERT INTO idempotency (key, request_hash, status, body, created_at, filing_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![key, hash, f.response.0, f.response.1, received, f.id],
                )?;
            }
            // Three state changes, one transaction: what arrived (digests
            // only), how it was graded, and that it is stored.
            let detail = serde_json::json!({
                "state": f.state.as_str(),
                "manifest_sha256": f.manifest_sha256,
                "municipality": f.municipality,
                "parts": f.parts.iter().map(|p| serde_json::json!({"name": p.name, "sha256": p.sha256, "size": p.bytes.len()})).collect::<Vec<_>>(),
            })
            .to_string();
            audit(&tx, f.received_at, &f.id, "received", &detail)?;
            audit(&tx, f.received_at, &f.id, "verified", &verification_summary(&f.report_json, f.state))?;
            let stored = serde_json::json!({
                "state": f.state.as_str(),
                "delivery": if f.state == FilingState::Accepted { "pending" } else { "none" },
            })
            .to_string();
            audit(&tx, f.received_at, &f.id, "stored", &stored)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn remember_answer(
        &self,
        key: &str,
        request_hash: &[u8],
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "INSERT OR IGNORE INTO idempotency (key, request_hash, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, request_hash, status, body, ts(OffsetDateTime::now_utc())],
            )?;
            Ok(())
        })
    }

    fn answer_for(&self, key: &str) -> Result<Option<IdempotentAnswer>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT request_hash, status, body FROM idempotency WHERE key = ?1",
                    [key],
                    |r| {
                        Ok(IdempotentAnswer {
                            request_hash: r.get(0)?,
                            status: r.get(1)?,
                            body: r.get(2)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    fn filing_status(&self, id: &str) -> Result<Option<FilingStatus>, StoreError> {
        self.with(|conn| {
            let row: Option<(String, String, Vec<u8>, String)> = conn
                .query_row(
                    "SELECT state, received_at, token_hash, manifest_sha256 FROM filings WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((state, received_at, token_hash, manifest_sha256)) = row else { return Ok(None) };
            let mut stmt = conn.prepare("SELECT at, state, note FROM history WHERE filing_id = ?1 ORDER BY seq")?;
            let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
            let mut history = Vec::new();
            for row in rows {
                let (at, state, note) = row?;
                history.push(HistoryEntry { at: parse_ts(&at, "history.at")?, state, note });
            }
            let purged_at: Option<String> = conn.query_row("SELECT purged_at FROM filings WHERE id = ?1", [id], |r| r.get(0))?;
            Ok(Some(FilingStatus {
                id: id.to_owned(),
                state: FilingState::parse(&state).ok_or(StoreError::Corrupt { table: "filings", column: "state" })?,
                received_at: parse_ts(&received_at, "received_at")?,
                token_hash,
                manifest_sha256,
                history,
                delivery: delivery::delivery_summary(conn, id)?,
                decision: delivery::current_decision_of(conn, id)?,
                purged_at: purged_at.map(|p| parse_ts(&p, "purged_at")).transpose()?,
            }))
        })
    }

    fn filing_parts(&self, id: &str) -> Result<Vec<StoredPart>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare("SELECT name, media_type, sha256, bytes FROM parts WHERE filing_id = ?1 ORDER BY rowid")?;
            let rows = stmt.query_map([id], |r| {
                Ok(StoredPart { name: r.get(0)?, media_type: r.get(1)?, sha256: r.get(2)?, bytes: r.get(3)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn held_filings(&self) -> Result<Vec<(String, OffsetDateTime)>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, received_at FROM filings WHERE state = 'held' ORDER BY received_at",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, at) = row?;
                out.push((id, parse_ts(&at, "received_at")?));
            }
            Ok(out)
        })
    }

    fn resolve_held(
        &self,
        id: &str,
        at: OffsetDateTime,
        outcome: &HeldOutcome,
    ) -> Result<(), StoreError> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            let municipality: String = tx.query_row("SELECT municipality FROM filings WHERE id = ?1 AND state = 'held'", [id], |r| r.get(0))?;
            let (state, note) = match outcome {
                HeldOutcome::Accepted { report_json, record_json } => {
                    tx.execute(
                        "UPDATE filings SET state = 'accepted', report_json = ?2, record_json = ?3 WHERE id = ?1",
                        params![id, report_json, record_json],
                    )?;
                    tx.execute(
                        "INSERT INTO deliveries (filing_id, municipality, state, next_attempt_at, created_at, window_started_at) VALUES (?1, ?2, 'pending', ?3, ?3, ?3)",
                        params![id, municipality, ts(at)],
                    )?;
                    ("accepted", "署名を確認しました / signature verified")
                }
                HeldOutcome::Rejected { report_json } => {
                    tx.execute("UPDATE filings SET state = 'rejected', report_json = ?2, final_at = ?3 WHERE id = ?1", params![id, report_json, ts(at)])?;
                    ("rejected", "署名の確認で問題が見つかりました。届け出直してください / the signature failed verification; please file again")
                }
            };
            tx.execute("INSERT INTO history (filing_id, at, state, note) VALUES (?1, ?2, ?3, ?4)", params![id, ts(at), state, note])?;
            let report = match outcome {
                HeldOutcome::Accepted { report_json, .. } | HeldOutcome::Rejected { report_json } => report_json,
            };
            let state_now = if state == "accepted" { FilingState::Accepted } else { FilingState::Rejected };
            audit(&tx, at, id, "verified", &verification_summary(report, state_now))?;
            tx.commit()?;
            Ok(())
        })
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?1)",
                [ts(OffsetDateTime::now_utc())],
            )?;
            Ok(())
        })
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        self.with(|conn| {
            let count = |sql: &str| -> Result<u64, StoreError> {
                Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))?.max(0) as u64)
            };
            Ok(StoreCounts {
                filings: count("SELECT COUNT(*) FROM filings")?,
                held: count("SELECT COUNT(*) FROM filings WHERE state = 'held'")?,
                pending_deliveries: count(
                    "SELECT COUNT(*) FROM deliveries WHERE state = 'pending'",
                )?,
                held_deliveries: count("SELECT COUNT(*) FROM deliveries WHERE state = 'held'")?,
                unacknowledged_deliveries: count(
                    "SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'",
                )?,
            })
        })
    }

    fn due_deliveries(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        self.with(|c| delivery::due_deliveries(c, now, limit))
    }

    fn claim_delivery(
        &self,
        filing_id: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.with(|c| delivery::claim_delivery(c, filing_id, now, lease_until))
    }

    fn delivery_material(&self, filing_id: &str) -> Result<Option<DeliveryMaterial>, StoreError> {
        self.with(|c| delivery::delivery_material(c, filing_id))
    }

    fn finish_attempt(&self, filing_id: &str, attempt: &AttemptRecord) -> Result<(), StoreError> {
        self.with(|c| delivery::finish_attempt(c, filing_id, attempt))
    }

    fn deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: usize,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        self.with(|c| delivery::deliveries(c, state, limit))
    }

    fn delivery(
        &self,
        filing_id: &str,
    ) -> Result<Option<(DeliveryRow, Vec<AttemptRow>)>, StoreError> {
        self.with(|c| delivery::delivery(c, filing_id))
    }

    fn retry_delivery(&self, filing_id: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        self.with(|c| delivery::retry_delivery(c, filing_id, now))
    }

    fn municipal_pending(
        &self,
        municipalities: &[String],
        limit: usize,
    ) -> Result<Vec<PendingFiling>, StoreError> {
        self.with(|c| delivery::municipal_pending(c, municipalities, limit))
    }

    fn municipal_filing(
        &self,
        filing_id: &str,
        municipalities: &[String],
    ) -> Result<Option<MunicipalFiling>, StoreError> {
        self.with(|c| delivery::municipal_filing(c, filing_id, municipalities))
    }

    fn municipal_part(
        &self,
        filing_id: &str,
        municipalities: &[String],
        part: &str,
        stripped: bool,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        self.with(|c| delivery::municipal_part(c, filing_id, municipalities, part, stripped))
    }

    fn mark_fetched(&self, filing_id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        self.with(|c| delivery::mark_fetched(c, filing_id, at))
    }

    fn acknowledge(
        &self,
        filing_id: &str,
        municipalities: &[String],
        reception_number: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<AckOutcome, StoreError> {
        self.with(|c| delivery::acknowledge(c, filing_id, municipalities, reception_number, at))
    }

    fn record_decision(
        &self,
        filing_id: &str,
        municipalities: &[String],
        decision: &NewDecision,
        at: OffsetDateTime,
    ) -> Result<DecisionOutcome, StoreError> {
        self.with(|c| delivery::record_decision(c, filing_id, municipalities, decision, at))
    }

    fn purgeable(&self, cutoff: OffsetDateTime, limit: usize) -> Result<Vec<String>, StoreError> {
        self.with(|c| delivery::purgeable(c, cutoff, limit))
    }

    fn purge(&self, filing_id: &str, at: OffsetDateTime) -> Result<bool, StoreError> {
        self.with(|c| delivery::purge(c, filing_id, at))
    }
}
