//! 監査記録 — the tamper-evident audit chain: its hash formula and the
//! check behind `birthgate audit verify`.
//!
//! The store appends one record to the `audit` table in the same transaction
//! as every change of a filing (received, re-verified). Each record carries
//! the hash of the record before it (`prev_hash`; the first record starts
//! from [`GENESIS_PREV_HASH`]) and its own hash over that and its content
//! ([`record_hash`]). [`verify_chain`] walks the records in `seq` order and
//! reports the first place the chain breaks ([`ChainBreak`]).
//!
//! # What a chain inside the database can and cannot show
//!
//! The hash is plain SHA-256 with no secret: anyone who can write the
//! database can also compute it. The chain therefore catches edits made
//! without recomputing the hashes, and the traces that deleting, reordering
//! or inserting records leaves in `seq` and in sqlite's own counter
//! (`sqlite_sequence`), which is updated by `INSERT` but not lowered by
//! `DELETE` or raised by `UPDATE`:
//!
//! - a record's content changed ([`BreakKind::ContentModified`]);
//! - a record changed *and* its own hash recomputed: caught at the next
//!   record, whose `prev_hash` no longer matches ([`BreakKind::Unlinked`]);
//! - records deleted from the middle or the start ([`BreakKind::Missing`]),
//!   or deleted and the rest renumbered ([`BreakKind::Unlinked`],
//!   [`BreakKind::NotFromGenesis`]);
//! - records deleted from the end ([`BreakKind::TruncatedTail`]: the
//!   counter is higher than the last `seq`);
//! - records reordered or a record inserted between two others
//!   ([`BreakKind::Unlinked`]), records given numbers the counter never
//!   issued ([`BreakKind::SeqNeverIssued`]).
//!
//! It cannot catch someone who rewrites a record, recomputes every hash
//! after it and sets `sqlite_sequence` to match: the rewritten chain is as
//! consistent as the original. Only a head hash written down *outside* the
//! database before the rewrite catches that ([`Anchor`],
//! [`BreakKind::AnchorMismatch`], [`BreakKind::AnchorBeyondHead`]); this is
//! why a successful check prints the head as `SEQ:HASH` for operators to
//! record elsewhere (a ticket, an external log, a printed register), and
//! why they should record it regularly. An anchor covers the history up to
//! its own `seq`: records appended after it with correct hashes, forged or
//! not, look exactly like real ones.
//!
//! The chain covers the `audit` table only. Its `received` records name the
//! SHA-256 of every stored part, so the parts can be checked against them,
//! but this check does not do that.

use std::fmt;
use std::str::FromStr;

use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// The `prev_hash` of the first record: 64 zeros (no record before it).
pub const GENESIS_PREV_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of one audit record: lowercase hex SHA-256 over `prev_hash`,
/// `at`, `filing_id`, `event` and `detail`, each preceded by its length in
/// bytes as a big-endian u64 (so no two different field lists hash the same
/// bytes).
///
/// This is the one definition of the formula: the store writes with it and
/// [`verify_chain`] checks with it. Changing it breaks every existing chain.
pub fn record_hash(
    prev_hash: &str,
    at: &str,
    filing_id: &str,
    event: &str,
    detail: &str,
) -> String {
    hash_fields([
        prev_hash.as_bytes(),
        at.as_bytes(),
        filing_id.as_bytes(),
        event.as_bytes(),
        detail.as_bytes(),
    ])
}

/// [`record_hash`] over raw bytes, so that a tampered value that is not
/// UTF-8 is still hashed (and found) rather than unreadable.
fn hash_fields(fields: [&[u8]; 5]) -> String {
    length_prefixed_sha256(&fields)
}

/// Hex SHA-256 over `fields`, each preceded by its length as a big-endian
/// u64, so no two different field lists hash the same input. The one
/// definition of the store's content digests (audit records, decisions).
pub fn length_prefixed_sha256(fields: &[&[u8]]) -> String {
    let mut input = Vec::new();
    for field in fields {
        input.extend_from_slice(&(field.len() as u64).to_be_bytes());
        input.extend_from_slice(field);
    }
    hex::encode(ring::digest::digest(&ring::digest::SHA256, &input))
}

/// A head of the chain written down outside the database: the `seq` of a
/// record and its hash, spelled `SEQ:HASH` (what a successful check prints).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Anchor {
    /// The record's `seq` (1 or more).
    pub seq: i64,
    /// Its hash, 64 lowercase hex digits.
    pub hash: String,
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// Why a `SEQ:HASH` anchor could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnchorError {
    /// No `:` between the sequence number and the hash.
    #[error("expected SEQ:HASH, e.g. 42:{GENESIS_PREV_HASH}")]
    Shape,
    /// The part before `:` is not a whole number of 1 or more.
    #[error("the sequence number {0:?} is not a whole number of 1 or more")]
    Seq(String),
    /// The part after `:` is not 64 hex digits.
    #[error("the hash {0:?} is not 64 hex digits (a SHA-256)")]
    Hash(String),
}

impl FromStr for Anchor {
    type Err = AnchorError;

    /// Reads `SEQ:HASH`; the hash may be in upper case (it is compared in
    /// lower case, as the store writes it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (seq, hash) = s.trim().split_once(':').ok_or(AnchorError::Shape)?;
        let seq = match seq.parse::<i64>() {
            Ok(n) if n >= 1 && seq.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(AnchorError::Seq(seq.to_owned())),
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AnchorError::Hash(hash.to_owned()));
        }
        Ok(Self {
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// What an intact chain holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainSummary {
    /// Number of records.
    pub records: u64,
    /// The last record's `seq` and hash: the anchor to write down elsewhere.
    /// `None` for an empty table.
    pub head: Option<Anchor>,
    /// `at` of the first record, as stored (RFC 3339, UTC).
    pub first_at: Option<String>,
    /// `at` of the last record, as stored.
    pub last_at: Option<String>,
}

impl fmt::Display for ChainSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.records == 1 { "" } else { "s" };
        write!(f, "{} record{plural}", self.records)?;
        if let Some(head) = &self.head {
            write!(f, ", head {head}")?;
        }
        if let (Some(first), Some(last)) = (&self.first_at, &self.last_at) {
            write!(f, " ({first} to {last})")?;
        }
        Ok(())
    }
}

/// The record at which the chain breaks, as an operator finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecordId {
    /// Its `seq`.
    pub seq: i64,
    /// The filing it is about.
    pub filing_id: String,
    /// What happened (`received`, `verified`, …).
    pub event: String,
}

/// Why the chain breaks at a record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BreakKind {
    /// A column holds a value that is not text (a BLOB): the record was
    /// written by something other than the gateway.
    NotText {
        /// The column.
        column: &'static str,
    },
    /// The record's `seq` is one sqlite's counter never issued (below 1 or
    /// above `sqlite_sequence`, or the counter's row is gone): the record
    /// was inserted with a chosen number or renumbered by hand.
    SeqNeverIssued {
        /// The counter (`sqlite_sequence` for `audit`); `None` when its
        /// row is missing.
        sequence: Option<i64>,
    },
    /// Records with the `seq` numbers `first..=last` are missing before
    /// this one: they were deleted.
    Missing {
        /// First missing `seq`.
        first: i64,
        /// Last missing `seq`.
        last: i64,
    },
    /// The first record present does not start from
    /// [`GENESIS_PREV_HASH`]: the records before it were deleted and the
    /// rest renumbered.
    NotFromGenesis {
        /// Its `prev_hash`.
        prev_hash: String,
    },
    /// The record's `prev_hash` is not the previous record's hash: a record
    /// between them was deleted (and the rest renumbered), records were
    /// reordered or inserted, or the previous record was changed and its
    /// own hash recomputed.
    Unlinked {
        /// The previous record present.
        previous_seq: i64,
        /// The previous record's hash.
        expected: String,
        /// This record's `prev_hash`.
        found: String,
    },
    /// The record's fields no longer hash to its stored hash: its content
    /// was changed after it was written.
    ContentModified {
        /// The stored `hash`.
        stored: String,
        /// The hash of the fields as they are now.
        recomputed: String,
    },
    /// Records `first..=last` were deleted from the end: sqlite's counter
    /// says `last` records were written. The break names the last record
    /// left (none when the table is empty).
    TruncatedTail {
        /// First deleted `seq`.
        first: i64,
        /// The counter (`sqlite_sequence` for `audit`).
        last: i64,
    },
    /// The record the anchor names has another hash now: the chain up to it
    /// was rewritten consistently (a record at or before it changed and
    /// every hash after it recomputed).
    AnchorMismatch {
        /// The hash written down in the anchor.
        anchored: String,
        /// The record's hash now.
        found: String,
    },
    /// The anchor names a record after the last one: records were deleted
    /// from the end and the counter lowered to match. The break names the
    /// last record left (none when the table is empty).
    AnchorBeyondHead {
        /// The anchor's `seq`.
        anchor_seq: i64,
    },
}

impl fmt::Display for BreakKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotText { column } => write!(
                f,
                "column {column} holds a value that is not text: the record was written by something other than the gateway"
            ),
            Self::SeqNeverIssued { sequence: Some(n) } => write!(
                f,
                "its seq was never issued by sqlite's counter (sqlite_sequence for audit is {n}): the record was inserted or renumbered by hand"
            ),
            Self::SeqNeverIssued { sequence: None } => write!(
                f,
                "sqlite_sequence has no row for audit, so no seq was issued by sqlite's counter: the counter was deleted or the records inserted by hand"
            ),
            Self::Missing { first, last } if first == last => {
                write!(f, "record {first} before it is missing (deleted)")
            }
            Self::Missing { first, last } => {
                write!(
                    f,
                    "records {first} to {last} before it are missing (deleted)"
                )
            }
            Self::NotFromGenesis { prev_hash } => write!(
                f,
                "it is the first record but its prev_hash is {prev_hash}, not the zero hash: the records before it were deleted and the rest renumbered"
            ),
            Self::Unlinked {
                previous_seq,
                expected,
                found,
            } => write!(
                f,
                "its prev_hash {found} is not the hash of record {previous_seq} ({expected}): a record between them was deleted, records were reordered or inserted, or record {previous_seq} was changed and its hash recomputed"
            ),
            Self::ContentModified { stored, recomputed } => write!(
                f,
                "its content was changed after it was written: its fields hash to {recomputed}, its stored hash is {stored}"
            ),
            Self::TruncatedTail { first, last } if first == last => write!(
                f,
                "record {first} was deleted from the end (sqlite_sequence for audit is {last})"
            ),
            Self::TruncatedTail { first, last } => write!(
                f,
                "records {first} to {last} were deleted from the end (sqlite_sequence for audit is {last})"
            ),
            Self::AnchorMismatch { anchored, found } => write!(
                f,
                "its hash is {found} but the anchor says {anchored}: the chain up to this record was rewritten (a record at or before it changed and every later hash recomputed)"
            ),
            Self::AnchorBeyondHead { anchor_seq } => write!(
                f,
                "the anchor names record {anchor_seq} but the chain ends here: records were deleted from the end and sqlite_sequence lowered to match"
            ),
        }
    }
}

/// The first place the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainBreak {
    /// The record at which it breaks; for [`BreakKind::TruncatedTail`] and
    /// [`BreakKind::AnchorBeyondHead`] the last record left, `None` when
    /// none is left.
    pub record: Option<AuditRecordId>,
    /// Why.
    pub kind: BreakKind,
}

impl ChainBreak {
    /// The `seq` of the record the break names, if any.
    pub fn seq(&self) -> Option<i64> {
        self.record.as_ref().map(|r| r.seq)
    }
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let after_last = matches!(
            self.kind,
            BreakKind::TruncatedTail { .. } | BreakKind::AnchorBeyondHead { .. }
        );
        match &self.record {
            Some(r) => write!(
                f,
                "{} record {} (filing {}, event {}): {}",
                if after_last { "after" } else { "at" },
                r.seq,
                r.filing_id,
                r.event,
                self.kind
            ),
            None => write!(f, "(no records left): {}", self.kind),
        }
    }
}

impl std::error::Error for ChainBreak {}

/// Why [`verify_chain`] did not confirm the chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The chain is broken; the first break found.
    #[error("audit chain broken {0}")]
    Broken(ChainBreak),
    /// The database could not be read: not a database, no `audit` table, an
    /// I/O error. Nothing is known about the chain.
    #[error("cannot read the audit table: {0}")]
    Store(#[from] rusqlite::Error),
}

/// One stored record, its text columns as raw bytes (`None`: not text).
struct StoredRecord {
    seq: i64,
    columns: [Option<Vec<u8>>; 6],
}

/// The text columns read, in the order of [`StoredRecord::columns`].
const COLUMNS: [&str; 6] = ["at", "filing_id", "event", "detail", "prev_hash", "hash"];

impl StoredRecord {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let mut columns: [Option<Vec<u8>>; 6] = Default::default();
        for (i, column) in columns.iter_mut().enumerate() {
            *column = match row.get_ref(i + 1)? {
                ValueRef::Text(bytes) => Some(bytes.to_vec()),
                _ => None,
            };
        }
        Ok(Self {
            seq: row.get(0)?,
            columns,
        })
    }

    fn text(&self, i: usize) -> String {
        self.columns[i]
            .as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    fn id(&self) -> AuditRecordId {
        AuditRecordId {
            seq: self.seq,
            filing_id: self.text(1),
            event: self.text(2),
        }
    }
}

/// Checks the audit chain in `conn` and, when `anchor` is given, that the
/// record it names still has its hash. Returns the first break in `seq`
/// order, or the summary of an intact chain.
///
/// The check reads in one snapshot (a savepoint, so it also works inside a
/// caller's transaction): a gateway appending at the same time cannot make
/// the counter look ahead of the records. It reads one record at a time, so
/// memory does not grow with the chain. It does not write.
pub fn verify_chain(
    conn: &Connection,
    anchor: Option<&Anchor>,
) -> Result<ChainSummary, AuditError> {
    conn.execute_batch("SAVEPOINT audit_verify")?;
    let result = walk(conn, anchor);
    let released = conn.execute_batch("RELEASE audit_verify");
    let summary = result?;
    released?;
    Ok(summary)
}

fn walk(conn: &Connection, anchor: Option<&Anchor>) -> Result<ChainSummary, AuditError> {
    // The audit table first, so that a database without one says so.
    let mut stmt = conn.prepare(
        "SELECT seq, at, filing_id, event, detail, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let sequence: Option<i64> = {
        let mut counter = conn.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit'")?;
        let mut rows = counter.query([])?;
        match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        }
    };
    let mut rows = stmt.query([])?;
    let mut previous: Option<StoredRecord> = None;
    let mut records = 0u64;
    let mut first_at = None;
    let mut anchor_seen = false;
    while let Some(row) = rows.next()? {
        let record = StoredRecord::read(row)?;
        if let Some(kind) = check(&record, previous.as_ref(), sequence, anchor) {
            return Err(AuditError::Broken(ChainBreak {
                record: Some(record.id()),
                kind,
            }));
        }
        anchor_seen |= anchor.is_some_and(|a| a.seq == record.seq);
        records += 1;
        if first_at.is_none() {
            first_at = Some(record.text(0));
        }
        previous = Some(record);
    }
    let last_seq = previous.as_ref().map_or(0, |p| p.seq);
    let broken = |kind| {
        AuditError::Broken(ChainBreak {
            record: previous.as_ref().map(StoredRecord::id),
            kind,
        })
    };
    if let Some(sequence) = sequence
        && sequence > last_seq
    {
        return Err(broken(BreakKind::TruncatedTail {
            first: last_seq + 1,
            last: sequence,
        }));
    }
    if let Some(anchor) = anchor
        && !anchor_seen
    {
        // Every seq up to the last one is present (gaps were reported), so
        // an anchor not met lies beyond the head.
        return Err(broken(BreakKind::AnchorBeyondHead {
            anchor_seq: anchor.seq,
        }));
    }
    Ok(ChainSummary {
        records,
        last_at: previous.as_ref().map(|p| p.text(0)),
        head: previous.map(|p| Anchor {
            seq: p.seq,
            hash: p.text(5),
        }),
        first_at,
    })
}

/// The first thing wrong with `record`, given the record before it.
fn check(
    record: &StoredRecord,
    previous: Option<&StoredRecord>,
    sequence: Option<i64>,
    anchor: Option<&Anchor>,
) -> Option<BreakKind> {
    let mut fields: [&[u8]; 6] = [&[]; 6];
    for (i, column) in record.columns.iter().enumerate() {
        match column {
            Some(bytes) => fields[i] = bytes,
            None => return Some(BreakKind::NotText { column: COLUMNS[i] }),
        }
    }
    let [at, filing_id, event, detail, prev_hash, hash] = fields;
    if record.seq < 1 || sequence.is_none_or(|n| record.seq > n) {
        return Some(BreakKind::SeqNeverIssued { sequence });
    }
    let expected_seq = previous.map_or(1, |p| p.seq + 1);
    if record.seq > expected_seq {
        return Some(BreakKind::Missing {
            first: expected_seq,
            last: record.seq - 1,
        });
    }
    match previous {
        None if prev_hash != GENESIS_PREV_HASH.as_bytes() => {
            return Some(BreakKind::NotFromGenesis {
                prev_hash: record.text(4),
            });
        }
        Some(p) if p.columns[5].as_deref() != Some(prev_hash) => {
            return Some(BreakKind::Unlinked {
                previous_seq: p.seq,
                expected: p.text(5),
                found: record.text(4),
            });
        }
        _ => {}
    }
    let recomputed = hash_fields([prev_hash, at, filing_id, event, detail]);
    if recomputed.as_bytes() != hash {
        return Some(BreakKind::ContentModified {
            stored: record.text(5),
            recomputed,
        });
    }
    match anchor {
        Some(a) if a.seq == record.seq && a.hash.as_bytes() != hash => {
            Some(BreakKind::AnchorMismatch {
                anchored: a.hash.clone(),
                found: record.text(5),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `audit` table as the store creates it.
    const AUDIT_TABLE: &str = "CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        filing_id TEXT NOT NULL,
        event TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );";

    /// Appends a correctly chained record, as the store does.
    fn append(conn: &Connection, filing_id: &str, event: &str, detail: &str) {
        let prev: String = conn
            .query_row(
                "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap_or_else(|_| GENESIS_PREV_HASH.to_owned());
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
            .expect("count");
        let at = format!("2026-11-26T01:{:02}:00Z", n);
        let hash = record_hash(&prev, &at, filing_id, event, detail);
        conn.execute(
            "INSERT INTO audit (at, filing_id, event, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![at, filing_id, event, detail, prev, hash],
        )
        .expect("insert");
    }

    /// A chain of `n` records, seq 1..=n, filing `bg-<seq>`.
    fn chain(n: i64) -> Connection {
        let conn = Connection::open_in_memory().expect("in-memory db");
        conn.execute_batch(AUDIT_TABLE).expect("schema");
        for i in 1..=n {
            let event = if i % 2 == 0 { "verified" } else { "received" };
            append(&conn, &format!("bg-{i}"), event, &format!("{{\"n\":{i}}}"));
        }
        conn
    }

    fn hash_of(conn: &Connection, seq: i64) -> String {
        conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
            .expect("hash")
    }

    /// Recomputes the hash of every record from `seq` on, linking each to
    /// the one before: what an attacker with write access does.
    fn rehash_from(conn: &Connection, seq: i64) {
        let mut prev = if seq == 1 {
            GENESIS_PREV_HASH.to_owned()
        } else {
            hash_of(conn, seq - 1)
        };
        let rows: Vec<(i64, String, String, String, String)> = conn
            .prepare(
                "SELECT seq, at, filing_id, event, detail FROM audit WHERE seq >= ?1 ORDER BY seq",
            )
            .expect("prepare")
            .query_map([seq], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        for (s, at, filing_id, event, detail) in rows {
            let hash = record_hash(&prev, &at, &filing_id, &event, &detail);
            conn.execute(
                "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
                rusqlite::params![s, prev, hash],
            )
            .expect("rehash");
            prev = hash;
        }
    }

    fn broken(conn: &Connection, anchor: Option<&Anchor>) -> ChainBreak {
        match verify_chain(conn, anchor) {
            Err(AuditError::Broken(b)) => b,
            other => panic!("expected a break, got {other:?}"),
        }
    }

    fn anchor(seq: i64, hash: &str) -> Anchor {
        Anchor {
            seq,
            hash: hash.to_owned(),
        }
    }

    #[test]
    fn formula_is_pinned_to_an_independent_computation() {
        // Computed with Python's hashlib over the same length-prefixed
        // bytes: existing databases verify only while these hold.
        assert_eq!(
            record_hash(
                GENESIS_PREV_HASH,
                "2026-11-26T01:00:00Z",
                "bg-00000000000000000000000000000001",
                "received",
                "{\"state\":\"accepted\"}"
            ),
            "4da78988a9e50271efaee90fbc014a5dfe634cfc77357d8ec28e42b1e0099118"
        );
        assert_eq!(
            record_hash("", "", "", "", ""),
            "2c34ce1df23b838c5abf2a7f6437cca3d3067ed509ff25f11df6b11b582b51eb"
        );
        // The length prefix keeps field boundaries: moving a byte from one
        // field to the next changes the hash.
        assert_ne!(
            record_hash("p", "ab", "c", "e", "d"),
            record_hash("p", "a", "bc", "e", "d")
        );
        assert_eq!(GENESIS_PREV_HASH.len(), 64);
        assert!(GENESIS_PREV_HASH.bytes().all(|b| b == b'0'));
    }

    #[test]
    fn intact_chain_is_summarised_with_its_head() {
        let conn = chain(5);
        let summary = verify_chain(&conn, None).expect("intact");
        assert_eq!(summary.records, 5);
        assert_eq!(summary.head, Some(anchor(5, &hash_of(&conn, 5))));
        assert_eq!(summary.first_at.as_deref(), Some("2026-11-26T01:00:00Z"));
        assert_eq!(summary.last_at.as_deref(), Some("2026-11-26T01:04:00Z"));
        assert_eq!(
            summary.to_string(),
            format!(
                "5 records, head 5:{} (2026-11-26T01:00:00Z to 2026-11-26T01:04:00Z)",
                hash_of(&conn, 5)
            )
        );
        assert!(conn.is_autocommit(), "the snapshot is released");
    }

    #[test]
    fn empty_chain_is_intact_without_a_head() {
        let conn = chain(0);
        let summary = verify_chain(&conn, None).expect("intact");
        assert_eq!(
            (summary.records, summary.head, summary.first_at),
            (0, None, None)
        );
        assert_eq!(
            verify_chain(&conn, None).expect("intact").to_string(),
            "0 records"
        );
    }

    #[test]
    fn changed_content_is_found_at_that_record() {
        for column in ["at", "filing_id", "event", "detail", "prev_hash", "hash"] {
            let conn = chain(5);
            let before = hash_of(&conn, 3);
            conn.execute(
                &format!("UPDATE audit SET {column} = {column} || 'x' WHERE seq = 3"),
                [],
            )
            .expect("tamper");
            let b = broken(&conn, None);
            assert_eq!(b.seq(), Some(3), "{column}: {b}");
            match (&b.kind, column) {
                (BreakKind::ContentModified { stored, .. }, "hash") => {
                    assert_eq!(stored, &format!("{before}x"));
                }
                (BreakKind::ContentModified { stored, recomputed }, _) => {
                    assert_eq!(stored, &before, "{column}");
                    assert_ne!(recomputed, &before, "{column}");
                }
                (
                    BreakKind::Unlinked {
                        previous_seq: 2, ..
                    },
                    "prev_hash",
                ) => {}
                (other, _) => panic!("{column}: {other:?}"),
            }
        }
    }

    #[test]
    fn changed_content_with_its_own_hash_recomputed_is_found_at_the_next_record() {
        let conn = chain(5);
        conn.execute("UPDATE audit SET detail = '{\"n\":99}' WHERE seq = 3", [])
            .expect("tamper");
        let prev = hash_of(&conn, 2);
        let (at, filing_id, event): (String, String, String) = conn
            .query_row(
                "SELECT at, filing_id, event FROM audit WHERE seq = 3",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("row");
        let forged = record_hash(&prev, &at, &filing_id, &event, "{\"n\":99}");
        conn.execute("UPDATE audit SET hash = ?1 WHERE seq = 3", [&forged])
            .expect("rehash");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(4));
        assert!(
            matches!(&b.kind, BreakKind::Unlinked { previous_seq: 3, expected, .. } if *expected == forged),
            "{b}"
        );
        assert_eq!(
            b.record
                .as_ref()
                .map(|r| (r.filing_id.as_str(), r.event.as_str())),
            Some(("bg-4", "verified"))
        );
    }

    #[test]
    fn deleted_records_are_named_by_their_missing_seq() {
        let conn = chain(6);
        conn.execute("DELETE FROM audit WHERE seq IN (3, 4)", [])
            .expect("delete");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(5));
        assert_eq!(b.kind, BreakKind::Missing { first: 3, last: 4 });
        assert!(
            b.to_string()
                .contains("records 3 to 4 before it are missing"),
            "{b}"
        );

        let conn = chain(3);
        conn.execute("DELETE FROM audit WHERE seq = 1", [])
            .expect("delete");
        let b = broken(&conn, None);
        assert_eq!(
            (b.seq(), b.kind),
            (Some(2), BreakKind::Missing { first: 1, last: 1 })
        );
    }

    #[test]
    fn deleted_and_renumbered_records_break_the_links() {
        // The middle: record 3 deleted, 4 and 5 moved down.
        let conn = chain(5);
        conn.execute_batch(
            "DELETE FROM audit WHERE seq = 3;
             UPDATE audit SET seq = seq - 1 WHERE seq > 3;",
        )
        .expect("renumber");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(3));
        assert!(
            matches!(
                b.kind,
                BreakKind::Unlinked {
                    previous_seq: 2,
                    ..
                }
            ),
            "{b}"
        );

        // The start: record 1 deleted, the rest moved down.
        let conn = chain(3);
        let h1 = hash_of(&conn, 1);
        conn.execute_batch(
            "DELETE FROM audit WHERE seq = 1;
             UPDATE audit SET seq = seq - 1;",
        )
        .expect("renumber");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(1));
        assert_eq!(b.kind, BreakKind::NotFromGenesis { prev_hash: h1 });
    }

    #[test]
    fn records_deleted_from_the_end_are_found_by_the_counter() {
        let conn = chain(5);
        conn.execute("DELETE FROM audit WHERE seq >= 4", [])
            .expect("delete");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(3), "names the last record left");
        assert_eq!(b.kind, BreakKind::TruncatedTail { first: 4, last: 5 });
        assert!(
            b.to_string().starts_with(
                "after record 3 (filing bg-3, event received): records 4 to 5 were deleted"
            ),
            "{b}"
        );

        let conn = chain(2);
        conn.execute("DELETE FROM audit", []).expect("delete");
        let b = broken(&conn, None);
        assert_eq!(b.record, None);
        assert_eq!(b.kind, BreakKind::TruncatedTail { first: 1, last: 2 });
    }

    #[test]
    fn swapped_records_break_the_links() {
        let conn = chain(5);
        conn.execute_batch(
            "UPDATE audit SET seq = -2 WHERE seq = 2;
             UPDATE audit SET seq = 2 WHERE seq = 3;
             UPDATE audit SET seq = 3 WHERE seq = -2;",
        )
        .expect("swap");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(2));
        assert_eq!(
            b.record.as_ref().map(|r| r.filing_id.as_str()),
            Some("bg-3")
        );
        assert!(
            matches!(
                b.kind,
                BreakKind::Unlinked {
                    previous_seq: 1,
                    ..
                }
            ),
            "{b}"
        );
    }

    #[test]
    fn a_record_inserted_between_two_others_breaks_the_next_link() {
        let conn = chain(4);
        // Make room after record 2 and insert a well-formed forgery there.
        conn.execute_batch(
            "UPDATE audit SET seq = -seq WHERE seq > 2;
             UPDATE audit SET seq = 1 - seq WHERE seq < 0;",
        )
        .expect("shift");
        let prev = hash_of(&conn, 2);
        let at = "2026-11-26T01:01:30Z";
        let hash = record_hash(&prev, at, "bg-forged", "received", "{}");
        conn.execute(
            "INSERT INTO audit (seq, at, filing_id, event, detail, prev_hash, hash) VALUES (3, ?1, 'bg-forged', 'received', '{}', ?2, ?3)",
            rusqlite::params![at, prev, hash],
        )
        .expect("forge");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(4));
        assert_eq!(
            b.record.as_ref().map(|r| r.filing_id.as_str()),
            Some("bg-3")
        );
        assert!(
            matches!(
                b.kind,
                BreakKind::Unlinked {
                    previous_seq: 3,
                    ..
                }
            ),
            "{b}"
        );
    }

    #[test]
    fn seq_numbers_the_counter_never_issued_are_named() {
        // Renumbered past the counter (an UPDATE does not raise it).
        let conn = chain(3);
        conn.execute("UPDATE audit SET seq = 9 WHERE seq = 3", [])
            .expect("renumber");
        let b = broken(&conn, None);
        assert_eq!(
            (b.seq(), b.kind),
            (Some(9), BreakKind::SeqNeverIssued { sequence: Some(3) })
        );

        // A record before the first one the counter can issue.
        let conn = chain(2);
        conn.execute(
            "INSERT INTO audit (seq, at, filing_id, event, detail, prev_hash, hash) VALUES (0, 'a', 'bg-0', 'received', '{}', ?1, 'h')",
            [GENESIS_PREV_HASH],
        )
        .expect("insert");
        let b = broken(&conn, None);
        assert_eq!(
            (b.seq(), b.kind),
            (Some(0), BreakKind::SeqNeverIssued { sequence: Some(2) })
        );

        // The counter's row deleted.
        let conn = chain(2);
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'audit'", [])
            .expect("delete");
        let b = broken(&conn, None);
        assert_eq!(
            (b.seq(), b.kind),
            (Some(1), BreakKind::SeqNeverIssued { sequence: None })
        );
    }

    #[test]
    fn a_value_that_is_not_text_is_named_by_its_column() {
        let conn = chain(3);
        conn.execute("UPDATE audit SET detail = x'00ff' WHERE seq = 2", [])
            .expect("blob");
        let b = broken(&conn, None);
        assert_eq!(
            (b.seq(), b.kind),
            (Some(2), BreakKind::NotText { column: "detail" })
        );

        // Text that is not UTF-8 is still hashed, so it is a content change,
        // not an unreadable database.
        let conn = chain(3);
        conn.execute(
            "UPDATE audit SET detail = CAST(x'ff' AS TEXT) WHERE seq = 2",
            [],
        )
        .expect("bad utf-8");
        let b = broken(&conn, None);
        assert_eq!(b.seq(), Some(2));
        assert!(matches!(b.kind, BreakKind::ContentModified { .. }), "{b}");
    }

    #[test]
    fn the_first_break_in_seq_order_is_reported() {
        let conn = chain(6);
        conn.execute_batch(
            "DELETE FROM audit WHERE seq = 5;
             UPDATE audit SET detail = 'x' WHERE seq = 2;",
        )
        .expect("tamper");
        assert_eq!(broken(&conn, None).seq(), Some(2));
        assert!(
            conn.is_autocommit(),
            "the snapshot is released after a break"
        );
    }

    #[test]
    fn a_consistent_rewrite_is_caught_only_by_an_anchor() {
        let conn = chain(5);
        let head = verify_chain(&conn, None)
            .expect("intact")
            .head
            .expect("head");
        let at3 = anchor(3, &hash_of(&conn, 3));
        assert!(verify_chain(&conn, Some(&head)).is_ok());
        assert!(verify_chain(&conn, Some(&at3)).is_ok());

        conn.execute("UPDATE audit SET detail = 'rewritten' WHERE seq = 2", [])
            .expect("tamper");
        rehash_from(&conn, 2);
        // The limit the module documents: the chain alone cannot tell.
        assert_eq!(verify_chain(&conn, None).expect("consistent").records, 5);

        let b = broken(&conn, Some(&at3));
        assert_eq!(b.seq(), Some(3));
        assert_eq!(
            b.kind,
            BreakKind::AnchorMismatch {
                anchored: at3.hash.clone(),
                found: hash_of(&conn, 3)
            }
        );
        assert_eq!(broken(&conn, Some(&head)).seq(), Some(5));
        // An anchor before the rewritten record still matches.
        assert!(verify_chain(&conn, Some(&anchor(1, &hash_of(&conn, 1)))).is_ok());
    }

    #[test]
    fn a_truncation_with_the_counter_lowered_is_caught_only_by_an_anchor() {
        let conn = chain(5);
        let head = anchor(5, &hash_of(&conn, 5));
        conn.execute_batch(
            "DELETE FROM audit WHERE seq >= 4;
             UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit';",
        )
        .expect("truncate");
        assert_eq!(verify_chain(&conn, None).expect("consistent").records, 3);
        let b = broken(&conn, Some(&head));
        assert_eq!(
            (b.seq(), b.kind),
            (Some(3), BreakKind::AnchorBeyondHead { anchor_seq: 5 })
        );
    }

    #[test]
    fn a_well_formed_record_appended_after_the_anchor_is_not_detectable() {
        // Documented limit: an anchor covers history up to its own seq.
        let conn = chain(3);
        let head = anchor(3, &hash_of(&conn, 3));
        append(&conn, "bg-forged", "received", "{}");
        assert_eq!(
            verify_chain(&conn, Some(&head))
                .expect("consistent")
                .records,
            4
        );
    }

    #[test]
    fn an_unreadable_database_is_a_store_error_not_a_break() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch("CREATE TABLE counted (n INTEGER PRIMARY KEY AUTOINCREMENT)")
            .expect("another table");
        match verify_chain(&conn, None) {
            Err(e @ AuditError::Store(_)) => {
                assert!(e.to_string().contains("no such table: audit"), "{e}");
            }
            other => panic!("expected a store error, got {other:?}"),
        }
        assert!(conn.is_autocommit());
    }

    #[test]
    fn anchors_are_read_from_seq_colon_hash() {
        let hash = "ab".repeat(32);
        assert_eq!(format!("7:{hash}").parse(), Ok(anchor(7, &hash)));
        assert_eq!(
            format!("7:{}", hash.to_ascii_uppercase()).parse(),
            Ok(anchor(7, &hash)),
            "compared in lower case"
        );
        assert_eq!(anchor(7, &hash).to_string(), format!("7:{hash}"));
        assert_eq!(hash.parse::<Anchor>(), Err(AnchorError::Shape));
        for seq in ["0", "-1", "+7", "x", ""] {
            assert_eq!(
                format!("{seq}:{hash}").parse::<Anchor>(),
                Err(AnchorError::Seq(seq.to_owned())),
                "{seq}"
            );
        }
        for bad in [
            &hash[..63],
            &format!("{hash}0"),
            &format!("{}g", &hash[..63]),
        ] {
            assert_eq!(
                format!("7:{bad}").parse::<Anchor>(),
                Err(AnchorError::Hash(bad.to_owned())),
                "{bad}"
            );
        }
    }
}
