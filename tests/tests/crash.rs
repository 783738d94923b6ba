//! Crash safety of the real binary: SIGKILL `birthgate serve` in the middle
//! of a burst of filings, start it again on the same data directory, and
//! check that every acknowledged filing survived byte for byte and that no
//! unacknowledged one was stored in part.

mod served;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use birthgate_tests::{notification_now, photo_jpeg};
use gateway::client::{AttachmentPart, PreparedSubmission};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use served::ServedGateway;
use tokio::sync::{Notify, Semaphore};
use verifier::digest::Sha256;

/// Filings in the burst.
const BURST: usize = 24;
/// Filings in flight at once.
const CONCURRENCY: usize = 8;
/// 202s to wait for before the kill.
const ACKS_BEFORE_KILL: usize = 3;

/// What one request of the burst got before the kill.
#[derive(Debug, Clone)]
enum Outcome {
    /// 202 with its receipt.
    Accepted { filing_id: String, token: String },
    /// Any other answer (none is expected).
    Other(u16, String),
    /// No answer: the server died first.
    NoAnswer(String),
}

/// `notification_now(2)` with the birth `minutes` later, so each filing of
/// the burst has its own notification (and manifest digest).
fn notification(minutes: i64) -> serde_json::Value {
    let mut n = notification_now(2);
    let rfc = time::format_description::well_known::Rfc3339;
    let born = time::OffsetDateTime::parse(n["child"]["born_at"].as_str().expect("born_at"), &rfc)
        .expect("rfc 3339")
        + time::Duration::minutes(minutes);
    let born = born.format(&rfc).expect("format");
    n["child"]["born_at"] = born.clone().into();
    n["certificate"]["born_at"] = born.into();
    n
}

fn key(i: usize) -> String {
    format!("crash-burst-{i}")
}

/// Every part of one stored filing.
fn stored_parts(db: &Connection, id: &str) -> BTreeMap<String, (String, String, Vec<u8>, i64)> {
    let mut stmt = db
        .prepare("SELECT name, media_type, sha256, bytes, size FROM parts WHERE filing_id = ?1")
        .expect("prepare");
    stmt.query_map([id], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn count(db: &Connection, sql: &str, id: &str) -> i64 {
    db.query_row(sql, [id], |r| r.get(0)).expect(sql)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_burst_loses_no_acknowledged_filing_and_stores_none_in_part() {
    tokio::time::timeout(Duration::from_secs(600), scenario())
        .await
        .expect("the crash scenario finishes within 10 minutes");
}

async fn scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut first = ServedGateway::start(&data, "first", &[]).await;

    // The burst: distinct notifications and keys, one shared photo.
    let signer = first.signer();
    let photo = AttachmentPart::new("image/jpeg", photo_jpeg(1600, 1200, 11));
    let submissions: Vec<PreparedSubmission> = (0..BURST)
        .map(|i| {
            PreparedSubmission::from_bytes(
                &signer,
                serde_json::to_vec(&notification(i as i64)).expect("json"),
                vec![photo.clone()],
                time::OffsetDateTime::now_utc(),
            )
            .expect("signs")
        })
        .collect();
    let manifests: BTreeSet<String> = submissions
        .iter()
        .map(PreparedSubmission::manifest_sha256)
        .collect();
    assert_eq!(manifests.len(), BURST, "every filing is distinct");

    let outcomes: Arc<Mutex<Vec<Option<Outcome>>>> = Arc::new(Mutex::new(vec![None; BURST]));
    let acked = Arc::new(Notify::new());
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    let client = first.client();
    let mut tasks = Vec::new();
    for (i, sub) in submissions.iter().cloned().enumerate() {
        let (client, outcomes, acked, slots) = (
            client.clone(),
            Arc::clone(&outcomes),
            Arc::clone(&acked),
            Arc::clone(&slots),
        );
        tasks.push(tokio::spawn(async move {
            let _slot = slots.acquire_owned().await.expect("semaphore");
            let outcome = match client.submit(&sub, Some(&key(i)), None).await {
                Ok(a) if a.status == 202 => Outcome::Accepted {
                    filing_id: a.body["filing_id"].as_str().expect("id").to_owned(),
                    token: a.body["access_token"].as_str().expect("token").to_owned(),
                },
                Ok(a) => Outcome::Other(a.status, a.body_text()),
                Err(e) => Outcome::NoAnswer(e.to_string()),
            };
            outcomes.lock().expect("lock")[i] = Some(outcome);
            acked.notify_one();
        }));
    }

    // Kill as soon as a few 202s are in: the rest are in flight or queued.
    let accepted_so_far = |o: &[Option<Outcome>]| {
        o.iter()
            .filter(|o| matches!(o, Some(Outcome::Accepted { .. })))
            .count()
    };
    tokio::time::timeout(Duration::from_secs(240), async {
        while accepted_so_far(&outcomes.lock().expect("lock")) < ACKS_BEFORE_KILL {
            acked.notified().await;
        }
    })
    .await
    .expect("the first 202s within 4 minutes");
    first.kill();
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(90), t)
            .await
            .expect("requests end after the kill")
            .expect("task");
    }
    let outcomes: Vec<Outcome> = outcomes
        .lock()
        .expect("lock")
        .iter()
        .map(|o| o.clone().expect("every task recorded"))
        .collect();
    let accepted: BTreeMap<usize, (String, String)> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            Outcome::Accepted { filing_id, token } => Some((i, (filing_id.clone(), token.clone()))),
            _ => None,
        })
        .collect();
    let unanswered: Vec<usize> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| matches!(o, Outcome::NoAnswer(_)).then_some(i))
        .collect();
    for o in &outcomes {
        if let Outcome::Other(status, body) = o {
            panic!("unexpected answer {status}: {body}");
        }
    }
    assert!(accepted.len() >= ACKS_BEFORE_KILL);
    assert!(
        !unanswered.is_empty(),
        "the kill came after the burst ended; nothing was in flight: {outcomes:?}"
    );
    let why: BTreeSet<&str> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::NoAnswer(e) => Some(e.as_str()),
            _ => None,
        })
        .collect();
    eprintln!(
        "before the kill: {} acknowledged, {} unanswered ({why:?})",
        accepted.len(),
        unanswered.len()
    );

    // Restart on the same data directory.
    let mut second = ServedGateway::start(&data, "second", &[]).await;
    let client = second.client();
    for (i, (id, token)) in &accepted {
        let status = client.status(id, token).await.expect("status answer");
        assert_eq!(
            status.status,
            200,
            "filing {i} ({id}): {}",
            status.body_text()
        );
        assert_eq!(status.body["filing_id"], id.as_str());
        assert_eq!(status.body["status"], "accepted");
        assert_eq!(
            status.body["manifest_sha256"],
            submissions[*i].manifest_sha256(),
            "filing {i}"
        );
    }

    // Send the unanswered filings that had reached the server again under
    // their keys (at least one): each is stored exactly once, either by the
    // first attempt (the answer is replayed) or now.
    let mut retry: Vec<usize> = unanswered
        .iter()
        .copied()
        .filter(|i| matches!(&outcomes[*i], Outcome::NoAnswer(e) if !e.contains("cannot connect")))
        .collect();
    if retry.is_empty() {
        retry.push(unanswered[0]);
    }
    let mut retried: BTreeMap<usize, String> = BTreeMap::new();
    for i in retry {
        let again = client
            .submit(&submissions[i], Some(&key(i)), None)
            .await
            .expect("answer");
        assert_eq!(again.status, 202, "{}", again.body_text());
        let id = again.body["filing_id"].as_str().expect("id").to_owned();
        let replayed = again
            .headers
            .get("idempotent-replay")
            .is_some_and(|v| v == "true");
        eprintln!("retry of filing {i}: replayed = {replayed}");
        let status = client
            .status(&id, again.body["access_token"].as_str().expect("token"))
            .await
            .expect("status");
        assert_eq!(status.status, 200, "{}", status.body_text());
        retried.insert(i, id);
    }
    let exit = second.stop().await;
    assert!(exit.success(), "graceful stop: {exit}");

    // The store, read-only, after the second process ended.
    let db = Connection::open_with_flags(
        data.join("birthgate.sqlite3"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the store read-only");
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");

    let filings: Vec<(String, String, String)> = {
        let mut stmt = db
            .prepare("SELECT id, state, manifest_sha256 FROM filings")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert!(
        filings.len() >= accepted.len(),
        "{} filings stored, {} acknowledged",
        filings.len(),
        accepted.len()
    );
    let by_manifest: BTreeMap<&str, usize> = submissions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                manifests
                    .get(&s.manifest_sha256())
                    .expect("listed")
                    .as_str(),
                i,
            )
        })
        .collect();
    let mut seen: BTreeMap<usize, String> = BTreeMap::new();
    for (id, state, manifest) in &filings {
        // Each stored filing is one of the burst, stored once.
        let i = *by_manifest
            .get(manifest.as_str())
            .unwrap_or_else(|| panic!("{id}: unknown manifest {manifest}"));
        if let Some(other) = seen.insert(i, id.clone()) {
            panic!("filing {i} stored twice: {other} and {id}");
        }
        assert_eq!(state, "accepted", "{id}");
        // All of its parts, byte-identical to what was sent, digests right.
        let parts = stored_parts(&db, id);
        let sent = submissions[i].parts();
        assert_eq!(
            parts.keys().cloned().collect::<Vec<_>>(),
            {
                let mut names: Vec<String> = sent.iter().map(|(n, _, _)| n.clone()).collect();
                names.sort();
                names
            },
            "{id}: part names"
        );
        for (name, media_type, bytes) in &sent {
            let (stored_type, sha256, stored, size) = &parts[name];
            assert_eq!(stored, bytes.as_ref(), "{id}/{name}: bytes differ");
            assert_eq!(stored_type, media_type, "{id}/{name}");
            assert_eq!(*sha256, Sha256::of(stored).to_hex(), "{id}/{name}: digest");
            assert_eq!(*size, stored.len() as i64, "{id}/{name}: size");
        }
        // And everything committed with it.
        // The receipt entry; the outbox worker may have added "delivered".
        let history = count(
            &db,
            "SELECT COUNT(*) FROM history WHERE filing_id = ?1 AND state IN ('accepted', 'held')",
            id,
        );
        assert_eq!(history, 1, "{id}: history");
        let deliveries = count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE filing_id = ?1",
            id,
        );
        assert_eq!(deliveries, 1, "{id}: delivery row");
        let audit = count(
            &db,
            "SELECT COUNT(*) FROM audit WHERE filing_id = ?1 AND event = 'received'",
            id,
        );
        assert_eq!(audit, 1, "{id}: audit record");
        let remembered: Option<String> = db
            .query_row(
                "SELECT body FROM idempotency WHERE key = ?1",
                [key(i)],
                |r| r.get(0),
            )
            .optional()
            .expect("idempotency");
        let remembered = remembered.unwrap_or_else(|| panic!("{id}: no idempotency answer"));
        assert!(remembered.contains(id.as_str()), "{id}: idempotency answer");
        let record: Option<String> = db
            .query_row("SELECT record_json FROM filings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .expect("record");
        assert!(record.is_some_and(|r| !r.is_empty()), "{id}: record");
    }
    // Every acknowledged filing is one of them, under the acknowledged id.
    for (i, (id, _)) in &accepted {
        assert_eq!(seen.get(i), Some(id), "acknowledged filing {i}");
    }
    for (i, id) in &retried {
        assert_eq!(seen.get(i), Some(id), "retried filing {i}");
    }
    // Nothing belongs to a filing that is not there.
    for table in ["parts", "history", "deliveries", "audit"] {
        let orphans: i64 = db
            .query_row(
                &format!(
                    "SELECT COUNT(*) FROM {table} WHERE filing_id NOT IN (SELECT id FROM filings)"
                ),
                [],
                |r| r.get(0),
            )
            .expect("orphans");
        assert_eq!(orphans, 0, "{table} rows without a filing");
    }
    let keys: i64 = db
        .query_row("SELECT COUNT(*) FROM idempotency", [], |r| r.get(0))
        .expect("keys");
    assert_eq!(
        keys as usize,
        filings.len(),
        "one remembered answer per stored filing, none for the lost ones"
    );
    eprintln!(
        "after the restart: {} filings stored ({} acknowledged before the kill)",
        filings.len(),
        accepted.len()
    );
}
