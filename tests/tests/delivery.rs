//! Delivery end to end: the outbox worker against a real municipal push
//! receiver (mutual TLS on 127.0.0.1) that goes down, fails, hangs and
//! recovers; max age → held → operator retry; routing refusal; and the
//! spool read by a concurrent reader.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use birthgate_tests::receiver::{Behaviour, Receiver, ReceiverPki};
use birthgate_tests::{TestGateway, client, notification_now, photo_jpeg, prepared};
use gateway::client::AttachmentPart;
use gateway::config::Settings;
use gateway::store::DeliveryState;

fn photo(seed: u64) -> AttachmentPart {
    AttachmentPart::new("image/jpeg", photo_jpeg(1200, 900, seed))
}

/// Submits `n` filings; returns their ids and the parts sent.
async fn submit(gw: &TestGateway, n: usize) -> Vec<(String, Vec<(String, String, bytes::Bytes)>)> {
    let c = client(gw);
    let mut out = Vec::new();
    for i in 0..n {
        let sub = prepared(&notification_now(2), vec![photo(i as u64 + 1)]);
        let a = c.submit(&sub, None, None).await.expect("answer");
        assert_eq!(a.status, 202, "{}", a.body_text());
        out.push((
            a.body["filing_id"].as_str().expect("id").to_owned(),
            sub.parts(),
        ));
    }
    out
}

/// Waits until every filing's delivery is in one of `states`.
async fn wait_for(gw: &TestGateway, ids: &[String], states: &[DeliveryState], within: Duration) {
    let started = Instant::now();
    loop {
        let rows: Vec<gateway::store::DeliveryRow> = ids
            .iter()
            .map(|id| {
                gw.app
                    .store
                    .delivery(id)
                    .expect("store")
                    .expect("delivery row")
                    .0
            })
            .collect();
        if rows.iter().all(|r| states.contains(&r.state)) {
            return;
        }
        let rows: Vec<(DeliveryState, Option<String>)> =
            rows.into_iter().map(|r| (r.state, r.last_error)).collect();
        assert!(
            started.elapsed() < within,
            "deliveries still {rows:?} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn directory_file(dir: &Path, text: &str) -> std::path::PathBuf {
    let file = dir.join("municipalities.toml");
    std::fs::write(&file, text).expect("directory file");
    file
}

fn fast_retries(s: &mut Settings, directory: std::path::PathBuf) {
    s.delivery.directory = Some(directory);
    s.delivery.poll = Duration::from_millis(20);
    s.delivery.initial_backoff = Duration::from_millis(200);
    s.delivery.max_backoff = Duration::from_millis(800);
    s.delivery.jitter_percent = 20;
    s.delivery.max_age = Duration::from_secs(120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_receiver_down_then_500_then_hanging_then_back_gets_every_filing_once_with_spaced_retries()
 {
    let tmp = tempfile::tempdir().expect("tmp");
    let pki = ReceiverPki::generate(&tmp.path().join("receiver-pki"));
    let receiver = Receiver::start(&pki, Behaviour::Down).await;
    let dir = directory_file(
        tmp.path(),
        &format!(
            "version = 1\n{}",
            pki.push_entry("131016", &receiver.url, 500)
        ),
    );
    let gw = TestGateway::start_delivering(|s| fast_retries(s, dir)).await;
    let settings = gw.app.settings.delivery.clone();

    let filings = submit(&gw, 3).await;
    let ids: Vec<String> = filings.iter().map(|(id, _)| id.clone()).collect();

    // Down for a while, then 500s, then a receiver that never answers
    // (the gateway's push timeout is 500 ms), then back.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    receiver.set(Behaviour::Error500).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    receiver.set(Behaviour::Hang).await;
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    receiver.set(Behaviour::Accept).await;
    wait_for(
        &gw,
        &ids,
        &[DeliveryState::Acknowledged],
        Duration::from_secs(30),
    )
    .await;

    // Every filing processed once, complete and byte-identical.
    receiver.with_log(|log| {
        assert!(log.package_errors.is_empty(), "{:?}", log.package_errors);
        assert_eq!(log.processed.keys().cloned().collect::<Vec<_>>(), {
            let mut s = ids.clone();
            s.sort();
            s
        });
        for (id, sent) in &filings {
            let p = &log.processed[id];
            for (name, _, bytes) in sent {
                let path = p.index["files"]
                    .as_array()
                    .expect("files")
                    .iter()
                    .find(|f| f["role"] == "original" && f["part"] == name.as_str())
                    .and_then(|f| f["path"].as_str())
                    .unwrap_or_else(|| panic!("{id}: {name} not in the package"));
                assert_eq!(p.files[path], bytes.as_ref(), "{id}/{name} differs");
            }
            assert!(
                p.files.contains_key("record.json") && p.files.contains_key("register-entry.txt")
            );
            // The gateway stopped once it had a 2xx: one accepted request per filing.
            let accepted = log
                .arrivals
                .iter()
                .filter(|a| a.key == *id && a.behaviour == Behaviour::Accept)
                .count();
            assert_eq!(accepted, 1, "{id}: {accepted} accepted requests");
        }
    });

    // Each failure kind was met, and every retry waited its backoff.
    let mut details = Vec::new();
    for id in &ids {
        let (row, attempts) = gw.app.store.delivery(id).expect("store").expect("row");
        assert_eq!(row.state, DeliveryState::Acknowledged);
        assert!(
            row.reception_number
                .as_deref()
                .is_some_and(|n| n.starts_with("R-")),
            "{row:?}"
        );
        assert_eq!(
            attempts.last().map(|a| a.outcome.as_str()),
            Some("delivered")
        );
        assert!(
            attempts.len() >= 4,
            "{id}: only {} attempts",
            attempts.len()
        );
        eprintln!("{id}:");
        for pair in attempts.windows(2) {
            let (prev, next) = (&pair[0], &pair[1]);
            let nominal = gateway::delivery::nominal_backoff(&settings, prev.attempt).as_secs_f64();
            let gap = (next.started_at - prev.finished_at).as_seconds_f64();
            eprintln!(
                "  attempt {} {:<9} {:>6.0} ms after the previous ended (nominal {:>4.0} ms ±20%): {}",
                next.attempt,
                next.outcome,
                gap * 1000.0,
                nominal * 1000.0,
                next.detail
            );
            assert!(
                gap >= nominal * 0.8 - 0.002,
                "{id}: attempt {} came {gap:.3} s after the previous, backoff {nominal:.3} s",
                next.attempt
            );
            // Upper bound: jitter, the poll interval and scheduling on a busy machine.
            assert!(
                gap <= nominal * 1.2 + 1.5,
                "{id}: attempt {} waited {gap:.3} s, backoff {nominal:.3} s",
                next.attempt
            );
        }
        details.extend(attempts.into_iter().map(|a| a.detail));
    }
    for (kind, needle) in [
        ("refused connection", "cannot connect"),
        ("500", "answered 500"),
        ("timeout", "no answer"),
    ] {
        assert!(
            details.iter().any(|d| d.contains(needle)),
            "no {kind} attempt among {details:?}"
        );
    }
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_failing_past_max_age_is_held_visible_and_retried_by_the_operator() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pki = ReceiverPki::generate(&tmp.path().join("receiver-pki"));
    let receiver = Receiver::start(&pki, Behaviour::Error500).await;
    let dir = directory_file(
        tmp.path(),
        &format!(
            "version = 1\n{}",
            pki.push_entry("131016", &receiver.url, 2_000)
        ),
    );
    let gw = TestGateway::start_delivering(|s| {
        fast_retries(s, dir);
        s.delivery.initial_backoff = Duration::from_millis(100);
        s.delivery.max_backoff = Duration::from_millis(200);
        s.delivery.max_age = Duration::from_millis(1_500);
    })
    .await;
    let ids: Vec<String> = submit(&gw, 1).await.into_iter().map(|(id, _)| id).collect();
    wait_for(&gw, &ids, &[DeliveryState::Held], Duration::from_secs(20)).await;
    let (row, attempts) = gw.app.store.delivery(&ids[0]).expect("store").expect("row");
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("500")),
        "{row:?}"
    );
    assert!(attempts.len() >= 3, "{attempts:?}");
    let held_at = Instant::now();

    // Held is visible in the metrics and stays put (no more attempts).
    let metrics = client(&gw)
        .get("/metrics", &Default::default())
        .await
        .expect("metrics");
    assert!(
        metrics.body_text().contains("birthgate_deliveries_held 1"),
        "{}",
        metrics.body_text()
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    let after = gw
        .app
        .store
        .delivery(&ids[0])
        .expect("store")
        .expect("row")
        .1
        .len();
    assert_eq!(after, attempts.len(), "a held delivery was attempted again");
    assert!(held_at.elapsed() >= Duration::from_millis(600));

    // The receiver recovers; the operator retries; it is delivered.
    receiver.set(Behaviour::Accept).await;
    assert!(
        gw.app
            .store
            .retry_delivery(&ids[0], time::OffsetDateTime::now_utc())
            .expect("retry")
    );
    wait_for(
        &gw,
        &ids,
        &[DeliveryState::Acknowledged],
        Duration::from_secs(10),
    )
    .await;
    receiver.with_log(|l| assert_eq!(l.processed.len(), 1));
    // The audit trail has the whole story.
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    let events: Vec<String> = db
        .prepare("SELECT event FROM audit WHERE filing_id = ?1 ORDER BY seq")
        .expect("sql")
        .query_map([&ids[0]], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("events");
    for e in [
        "received",
        "verified",
        "stored",
        "delivery_attempt",
        "delivery_held",
        "delivery_retry",
        "delivered",
        "acknowledged",
    ] {
        assert!(events.iter().any(|x| x == e), "no {e} in {events:?}");
    }
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_receiver_is_not_asked_sooner_than_retry_after_and_a_refusal_holds_at_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pki = ReceiverPki::generate(&tmp.path().join("receiver-pki"));
    let receiver = Receiver::start(&pki, Behaviour::Busy(2)).await;
    let dir = directory_file(
        tmp.path(),
        &format!(
            "version = 1\n{}",
            pki.push_entry("131016", &receiver.url, 2_000)
        ),
    );
    let gw = TestGateway::start_delivering(|s| fast_retries(s, dir)).await;
    let ids: Vec<String> = submit(&gw, 1).await.into_iter().map(|(id, _)| id).collect();
    // Two busy answers, then it takes the filing.
    let started = std::time::Instant::now();
    while receiver.with_log(|l| l.arrivals.len()) < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no second attempt"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    receiver.set(Behaviour::Accept).await;
    wait_for(
        &gw,
        &ids,
        &[DeliveryState::Acknowledged],
        Duration::from_secs(20),
    )
    .await;
    let gaps: Vec<f64> = receiver.with_log(|l| {
        l.arrivals
            .windows(2)
            .map(|w| (w[1].at - w[0].at).as_secs_f64())
            .collect()
    });
    eprintln!("gaps between attempts at a busy receiver (Retry-After: 2): {gaps:?}");
    // The backoff alone would be 0.2 s, 0.4 s: the receiver's 2 s wins.
    assert!(
        gaps.iter().all(|g| *g >= 1.95),
        "asked again before Retry-After: {gaps:?}"
    );

    // A receiver that refuses the package itself (422): held after one attempt.
    receiver.set(Behaviour::Refuse(422)).await;
    let more: Vec<String> = submit(&gw, 1).await.into_iter().map(|(id, _)| id).collect();
    wait_for(&gw, &more, &[DeliveryState::Held], Duration::from_secs(20)).await;
    let (row, attempts) = gw
        .app
        .store
        .delivery(&more[0])
        .expect("store")
        .expect("row");
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("422")),
        "{row:?}"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filing_for_a_municipality_the_directory_does_not_route_is_refused_and_not_stored() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Only 横浜市鶴見区 is routed; the example files to 千代田区 (131016).
    let dir = directory_file(
        tmp.path(),
        "version = 1\n[municipalities.\"141011\"]\nmode = \"pull\"\n",
    );
    let gw = TestGateway::start(|s| s.delivery.directory = Some(dir)).await;
    let sub = prepared(&notification_now(2), vec![photo(1)]);
    let a = client(&gw).submit(&sub, None, None).await.expect("answer");
    assert_eq!(a.status, 422, "{}", a.body_text());
    assert_eq!(
        a.problem_codes(),
        vec!["delivery.municipality_not_routed".to_owned()]
    );
    assert!(a.body_text().contains("131016"));
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    let filings: i64 = db
        .query_row("SELECT COUNT(*) FROM filings", [], |r| r.get(0))
        .expect("count");
    assert_eq!(filings, 0);
    gw.stop().await;
}

/// Checks one spool directory against its `package.json`; `Err` says what
/// is missing or different.
fn check_package(dir: &Path) -> Result<usize, String> {
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("package.json")).map_err(|e| format!("package.json: {e}"))?,
    )
    .map_err(|e| format!("package.json: {e}"))?;
    let files = index["files"].as_array().ok_or("no file list")?;
    for f in files {
        let path = f["path"].as_str().ok_or("no path")?;
        let bytes = std::fs::read(dir.join(path)).map_err(|e| format!("{path}: {e}"))?;
        if f["size"] != bytes.len()
            || f["sha256"] != verifier::digest::Sha256::of(&bytes).to_hex().as_str()
        {
            return Err(format!("{path}: {} bytes, not as listed", bytes.len()));
        }
    }
    Ok(files.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spool_reader_polling_concurrently_never_sees_a_partial_package() {
    let gw = TestGateway::start_delivering(|s| s.delivery.poll = Duration::from_millis(20)).await;
    let spool = gw.app.settings.data_dir.join("spool/131016");
    let stop = Arc::new(AtomicBool::new(false));
    // The reader: list the municipality's directory as fast as it can and
    // check every package the moment it appears.
    let reader = {
        let (stop, spool) = (Arc::clone(&stop), spool.clone());
        std::thread::spawn(move || {
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            let mut partial = Vec::new();
            let mut scans = 0u64;
            loop {
                let done = stop.load(Ordering::SeqCst);
                if let Ok(entries) = std::fs::read_dir(&spool) {
                    for e in entries.flatten() {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if seen.contains_key(&name) {
                            continue;
                        }
                        match check_package(&e.path()) {
                            Ok(n) => {
                                seen.insert(name, n);
                            }
                            Err(why) => partial.push(format!("{name}: {why}")),
                        }
                    }
                }
                scans += 1;
                if done {
                    return (seen, partial, scans);
                }
            }
        })
    };
    let filings = submit(&gw, 8).await;
    let ids: Vec<String> = filings.iter().map(|(id, _)| id.clone()).collect();
    wait_for(
        &gw,
        &ids,
        &[DeliveryState::Delivered],
        Duration::from_secs(30),
    )
    .await;
    stop.store(true, Ordering::SeqCst);
    let (seen, partial, scans) = reader.join().expect("reader");
    eprintln!("reader: {scans} scans, {} packages", seen.len());
    assert!(
        partial.is_empty(),
        "the reader saw partial packages: {partial:?}"
    );
    assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), {
        let mut s = ids.clone();
        s.sort();
        s
    });
    // Byte-identical originals; nothing left in staging.
    for (id, sent) in &filings {
        for (name, _, bytes) in sent {
            let file = std::fs::read_dir(spool.join(id).join("original"))
                .expect("originals")
                .flatten()
                .find(|e| e.path().file_stem().is_some_and(|s| s == name.as_str()))
                .unwrap_or_else(|| panic!("{id}: no original {name}"));
            assert_eq!(
                std::fs::read(file.path()).expect("read"),
                bytes.as_ref(),
                "{id}/{name}"
            );
        }
    }
    let staging = gw.app.settings.data_dir.join("spool/.staging");
    assert_eq!(
        std::fs::read_dir(staging).map(|d| d.count()).unwrap_or(0),
        0
    );
    gw.stop().await;
}
