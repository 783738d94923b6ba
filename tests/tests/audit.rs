//! The audit chain end to end: a real gateway stores real filings, then
//! each kind of tampering is applied to a fresh copy of its database and
//! `verify_chain` (and once the real `birthgate audit verify`) must name the
//! record where the chain breaks and why.

mod served;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use birthgate_tests::{TestGateway, client, notification_now, photo_jpeg, prepared};
use gateway::audit::{Anchor, AuditError, BreakKind, ChainBreak, record_hash, verify_chain};
use gateway::client::AttachmentPart;
use rusqlite::{Connection, OpenFlags};

/// Filings submitted to build the history: enough for a first, two middle
/// and a last record.
const FILINGS: usize = 4;

/// The store writes three records per filing in its commit: `received`,
/// `verified`, `stored`.
const EVENTS: [&str; 3] = ["received", "verified", "stored"];

/// Records in the recorded history.
const RECORDS: usize = FILINGS * EVENTS.len();

/// A stored history, recorded once per test binary.
struct History {
    /// The database file after the gateway stopped and the WAL was
    /// checkpointed into it (so the file alone is the whole database).
    db: Vec<u8>,
    /// Filing ids in the order they were received: record `seq` is about
    /// `filings[(seq - 1) / 3]`.
    filings: Vec<String>,
}

static HISTORY: OnceLock<History> = OnceLock::new();

fn history() -> &'static History {
    HISTORY.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(record_history())
    })
}

/// Starts a gateway whose store lives in a directory of ours (so it
/// outlives the gateway), submits [`FILINGS`] filings one after another,
/// stops it and reads the checkpointed database.
async fn record_history() -> History {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("birthgate.sqlite3");
    let store = db_path.clone();
    let gw = TestGateway::start(move |s| s.store_path = Some(store)).await;
    assert_eq!(gw.database(), db_path);
    let c = client(&gw);
    let photo = bytes::Bytes::from(photo_jpeg(1600, 1200, 7));
    let mut filings = Vec::new();
    for i in 0..FILINGS {
        let sub = prepared(
            &notification_now(2 + i as i64),
            vec![AttachmentPart::new("image/jpeg", photo.clone())],
        );
        let answer = c.submit(&sub, None, None).await.expect("answer");
        assert_eq!(answer.status, 202, "{}", answer.body_text());
        assert_eq!(answer.body["status"], "accepted");
        filings.push(answer.body["filing_id"].as_str().expect("id").to_owned());
    }
    gw.stop().await;
    let conn = Connection::open(&db_path).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        let busy: i64 = r.get(0)?;
        assert_eq!(busy, 0, "checkpoint blocked");
        Ok(())
    })
    .expect("checkpoint");
    drop(conn);
    History {
        db: std::fs::read(&db_path).expect("read db"),
        filings,
    }
}

/// A fresh copy of the recorded database, `tamper`ed with through an
/// ordinary read-write connection (as someone with file access would).
struct DbCopy {
    dir: tempfile::TempDir,
}

impl DbCopy {
    fn new(tamper: impl FnOnce(&Connection)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let copy = Self { dir };
        std::fs::write(copy.path(), &history().db).expect("copy db");
        let conn = Connection::open(copy.path()).expect("open copy");
        tamper(&conn);
        drop(conn);
        copy
    }

    /// The default store file name, so `--data-dir` finds it.
    fn path(&self) -> PathBuf {
        self.dir.path().join("birthgate.sqlite3")
    }

    /// Verifies the copy through a read-only connection, as the command does.
    fn verify(&self, anchor: Option<&Anchor>) -> Result<gateway::audit::ChainSummary, AuditError> {
        let conn = Connection::open_with_flags(self.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open read-only");
        verify_chain(&conn, anchor)
    }

    fn broken(&self, anchor: Option<&Anchor>) -> ChainBreak {
        match self.verify(anchor) {
            Err(AuditError::Broken(b)) => b,
            other => panic!("expected a break, got {other:?}"),
        }
    }
}

fn filing(seq: i64) -> &'static str {
    &history().filings[usize::try_from(seq - 1).expect("seq >= 1") / EVENTS.len()]
}

/// The event of record `seq`.
fn event(seq: i64) -> &'static str {
    EVENTS[usize::try_from(seq - 1).expect("seq >= 1") % EVENTS.len()]
}

/// Asserts the break names record `seq` (its filing and event).
fn assert_names(b: &ChainBreak, seq: i64) {
    let record = b
        .record
        .as_ref()
        .unwrap_or_else(|| panic!("no record named: {b}"));
    assert_eq!(
        (record.seq, record.filing_id.as_str(), record.event.as_str()),
        (seq, filing(seq), event(seq)),
        "{b}"
    );
}

/// The stored hash of record `seq`.
fn hash_of(conn: &Connection, seq: i64) -> String {
    conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
        .expect("hash")
}

/// Recomputes the hashes of record `from` and every later one, linking each
/// to the one before: a rewrite that leaves a consistent chain.
fn rehash_from(conn: &Connection, from: i64) {
    let mut prev = hash_of(conn, from - 1);
    let rows: Vec<(i64, String, String, String, String)> = conn
        .prepare("SELECT seq, at, filing_id, event, detail FROM audit WHERE seq >= ?1 ORDER BY seq")
        .expect("prepare")
        .query_map([from], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (seq, at, filing_id, event, detail) in rows {
        let hash = record_hash(&prev, &at, &filing_id, &event, &detail);
        conn.execute(
            "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            rusqlite::params![seq, prev, hash],
        )
        .expect("rehash");
        prev = hash;
    }
}

/// Changes the detail of record `seq` so it claims the filing was rejected.
fn falsify(conn: &Connection, seq: i64) {
    let changed = conn
        .execute(
            "UPDATE audit SET detail = replace(detail, '\"accepted\"', '\"rejected\"') WHERE seq = ?1 AND detail LIKE '%\"accepted\"%'",
            [seq],
        )
        .expect("tamper");
    assert_eq!(changed, 1, "record {seq} said the filing was accepted");
}

#[test]
fn the_untouched_history_verifies_and_names_its_head() {
    let h = history();
    let copy = DbCopy::new(|_| {});
    let summary = copy.verify(None).expect("intact");
    assert_eq!(summary.records, RECORDS as u64);
    let head = summary.head.clone().expect("head");
    let conn = Connection::open(copy.path()).expect("open");
    assert_eq!(head.seq, RECORDS as i64);
    assert_eq!(head.hash, hash_of(&conn, head.seq));
    // The store wrote `received`, `verified`, `stored` per filing, in
    // order: the chain the gateway writes is the one record_hash describes.
    let stored: Vec<(String, String)> = conn
        .prepare("SELECT filing_id, event FROM audit ORDER BY seq")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let expected: Vec<(String, String)> = h
        .filings
        .iter()
        .flat_map(|id| EVENTS.iter().map(|e| (id.clone(), (*e).to_owned())))
        .collect();
    assert_eq!(stored, expected);
    let (first, last) = (
        summary.first_at.expect("first"),
        summary.last_at.expect("last"),
    );
    assert!(first <= last, "{first} .. {last}");
    // Its own head is a matching anchor.
    assert_eq!(copy.verify(Some(&head)).expect("anchored").head, Some(head));
}

#[test]
fn a_modified_record_is_named() {
    let copy = DbCopy::new(|c| {
        falsify(c, 2);
    });
    let b = copy.broken(None);
    assert_names(&b, 2);
    assert!(matches!(b.kind, BreakKind::ContentModified { .. }), "{b}");
}

#[test]
fn a_modified_record_with_its_hash_recomputed_is_caught_at_the_next() {
    let copy = DbCopy::new(|c| {
        falsify(c, 2);
        let (prev, at, filing_id, event, detail): (String, String, String, String, String) = c
            .query_row(
                "SELECT prev_hash, at, filing_id, event, detail FROM audit WHERE seq = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .expect("row");
        assert!(detail.contains("\"rejected\""), "{detail}");
        let hash = record_hash(&prev, &at, &filing_id, &event, &detail);
        c.execute("UPDATE audit SET hash = ?1 WHERE seq = 2", [hash])
            .expect("rehash");
    });
    let b = copy.broken(None);
    assert_names(&b, 3);
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
}

#[test]
fn a_deleted_middle_record_is_named_by_its_seq() {
    let copy = DbCopy::new(|c| {
        c.execute("DELETE FROM audit WHERE seq = 2", [])
            .expect("delete");
    });
    let b = copy.broken(None);
    assert_names(&b, 3);
    assert_eq!(b.kind, BreakKind::Missing { first: 2, last: 2 });
}

#[test]
fn a_deleted_last_record_is_found_by_the_counter() {
    let copy = DbCopy::new(|c| {
        c.execute("DELETE FROM audit WHERE seq = ?1", [RECORDS as i64])
            .expect("delete");
    });
    let b = copy.broken(None);
    let last = RECORDS as i64;
    assert_names(&b, last - 1);
    assert_eq!(b.kind, BreakKind::TruncatedTail { first: last, last });
}

#[test]
fn swapped_records_are_found() {
    let copy = DbCopy::new(|c| {
        c.execute_batch(
            "UPDATE audit SET seq = -2 WHERE seq = 2;
             UPDATE audit SET seq = 2 WHERE seq = 3;
             UPDATE audit SET seq = 3 WHERE seq = -2;",
        )
        .expect("swap");
    });
    let b = copy.broken(None);
    let record = b.record.as_ref().expect("record");
    assert_eq!(
        (record.seq, record.filing_id.as_str()),
        (2, filing(3)),
        "{b}"
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
fn a_forged_record_is_found() {
    // Inserted between records 2 and 3, correctly linked to record 2 and
    // correctly hashed: record 3 (now 4) no longer links to it.
    let copy = DbCopy::new(|c| {
        c.execute_batch(
            "UPDATE audit SET seq = -seq WHERE seq > 2;
             UPDATE audit SET seq = 1 - seq WHERE seq < 0;",
        )
        .expect("make room");
        let prev = hash_of(c, 2);
        let at = "2026-01-01T00:00:00Z";
        let detail = "{\"state\":\"accepted\"}";
        let id = "bg-00000000000000000000000000000000";
        let hash = record_hash(&prev, at, id, "received", detail);
        c.execute(
            "INSERT INTO audit (seq, at, filing_id, event, detail, prev_hash, hash) VALUES (3, ?1, ?2, 'received', ?3, ?4, ?5)",
            rusqlite::params![at, id, detail, prev, hash],
        )
        .expect("forge");
    });
    let b = copy.broken(None);
    let record = b.record.as_ref().expect("record");
    assert_eq!(
        (record.seq, record.filing_id.as_str()),
        (4, filing(3)),
        "{b}"
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

    // Appended at the end with a made-up hash.
    let copy = DbCopy::new(|c| {
        let prev = hash_of(c, RECORDS as i64);
        c.execute(
            "INSERT INTO audit (at, filing_id, event, detail, prev_hash, hash) VALUES ('2026-01-01T00:00:00Z', 'bg-forged', 'received', '{}', ?1, ?2)",
            [prev, "ab".repeat(32)],
        )
        .expect("forge");
    });
    let b = copy.broken(None);
    let record = b.record.as_ref().expect("record");
    assert_eq!(
        (record.seq, record.filing_id.as_str()),
        (RECORDS as i64 + 1, "bg-forged"),
        "{b}"
    );
    assert!(matches!(b.kind, BreakKind::ContentModified { .. }), "{b}");
}

#[test]
fn a_consistent_rewrite_is_caught_by_the_anchor_only() {
    let head = DbCopy::new(|_| {})
        .verify(None)
        .expect("intact")
        .head
        .expect("head");
    let copy = DbCopy::new(|c| {
        falsify(c, 2);
        rehash_from(c, 2);
    });
    // What the module documents: without an anchor this cannot be seen.
    assert_eq!(
        copy.verify(None).expect("consistent").records,
        RECORDS as u64
    );
    let b = copy.broken(Some(&head));
    assert_names(&b, head.seq);
    match &b.kind {
        BreakKind::AnchorMismatch { anchored, found } => {
            assert_eq!(anchored, &head.hash);
            assert_ne!(found, &head.hash);
        }
        other => panic!("{other:?}"),
    }

    // Records deleted from the end and the counter lowered to match.
    let copy = DbCopy::new(|c| {
        c.execute_batch(
            "DELETE FROM audit WHERE seq >= 3;
             UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit';",
        )
        .expect("truncate");
    });
    assert_eq!(copy.verify(None).expect("consistent").records, 2);
    let b = copy.broken(Some(&head));
    assert_names(&b, 2);
    assert_eq!(
        b.kind,
        BreakKind::AnchorBeyondHead {
            anchor_seq: head.seq
        }
    );
}

/// Runs `birthgate audit verify` with `args`, with no `BIRTHGATE_*`
/// settings from the test's environment.
fn birthgate_audit_verify(args: &[&std::ffi::OsStr]) -> Output {
    let mut command = Command::new(served::release_binary());
    command
        .args(["audit", "verify"])
        .args(args)
        .stdin(Stdio::null());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("BIRTHGATE_") {
            command.env_remove(k);
        }
    }
    command.output().expect("run birthgate")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_command_reports_intact_broken_and_unreadable_with_its_exit_code() {
    // Intact, found through --data-dir (the configured store path).
    let intact = DbCopy::new(|_| {});
    let head = intact.verify(None).expect("intact").head.expect("head");
    let out = birthgate_audit_verify(&[
        "--data-dir".as_ref(),
        intact.dir.path().as_os_str(),
        "--anchor".as_ref(),
        head.to_string().as_ref(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with(&format!(
            "audit chain intact: {RECORDS} records, head {head} ("
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("anchor {head} matches")),
        "{stdout}"
    );

    // Broken, given with --db.
    let tampered = DbCopy::new(|c| {
        falsify(c, 2);
    });
    let out = birthgate_audit_verify(&["--db".as_ref(), tampered.path().as_os_str()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(
        stderr.contains(&format!(
            "audit chain broken at record 2 (filing {}, event {}): its content was changed",
            filing(2),
            event(2)
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&tampered.path().display().to_string()),
        "{stderr}"
    );

    // Unreadable: a path with no database is reported, not created.
    let missing = intact.dir.path().join("no-such.sqlite3");
    let out = birthgate_audit_verify(&["--db".as_ref(), missing.as_os_str()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    assert!(!missing.exists(), "verify must not create a database");

    // A malformed anchor is a usage error.
    let out = birthgate_audit_verify(&[
        "--db".as_ref(),
        intact.path().as_os_str(),
        "--anchor".as_ref(),
        "4:nothex".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
