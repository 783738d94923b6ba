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
    /// Deliveries not yet acknowledged.
    pub pending_deliveries: u64,
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
                    "INSERT INTO deliveries (filing_id, municipality, state, next_attempt_at, created_at) VALUES (?1, ?2, 'pending', ?3, ?3)",
                    params![f.id, f.municipality, received],
                )?;
            }
            if let Some((key, hash)) = &f.idempotency {
                tx.execute(
                    "INSERT INTO idempotency (key, request_hash, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![key, hash, f.response.0, f.response.1, received],
                )?;
            }
            let detail = serde_json::json!({
                "state": f.state.as_str(),
                "manifest_sha256": f.manifest_sha256,
                "municipality": f.municipality,
                "parts": f.parts.iter().map(|p| serde_json::json!({"name": p.name, "sha256": p.sha256, "size": p.bytes.len()})).collect::<Vec<_>>(),
            })
            .to_string();
            audit(&tx, f.received_at, &f.id, "received", &detail)?;
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
            Ok(Some(FilingStatus {
                id: id.to_owned(),
                state: FilingState::parse(&state).ok_or(StoreError::Corrupt { table: "filings", column: "state" })?,
                received_at: parse_ts(&received_at, "received_at")?,
                token_hash,
                manifest_sha256,
                history,
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
                        "INSERT INTO deliveries (filing_id, municipality, state, next_attempt_at, created_at) VALUES (?1, ?2, 'pending', ?3, ?3)",
                        params![id, municipality, ts(at)],
                    )?;
                    ("accepted", "署名を確認しました / signature verified")
                }
                HeldOutcome::Rejected { report_json } => {
                    tx.execute("UPDATE filings SET state = 'rejected', report_json = ?2 WHERE id = ?1", params![id, report_json])?;
                    ("rejected", "署名の確認で問題が見つかりました。届け出直してください / the signature failed verification; please file again")
                }
            };
            tx.execute("INSERT INTO history (filing_id, at, state, note) VALUES (?1, ?2, ?3, ?4)", params![id, ts(at), state, note])?;
            audit(&tx, at, id, "verified", &serde_json::json!({ "state": state }).to_string())?;
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
            })
        })
    }
}
