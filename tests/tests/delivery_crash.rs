//! SIGKILL of the real `birthgate serve` while it is delivering: the
//! receiver has processed filings whose answers the gateway never got.
//! After a restart on the same data directory every filing is delivered,
//! the receiver processed each exactly once (redeliveries carry the same
//! idempotency key and the same package, and get the first reception
//! number back), and the audit chain is intact.

mod served;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use birthgate_tests::receiver::{Behaviour, Receiver, ReceiverPki};
use birthgate_tests::{notification_now, photo_jpeg};
use gateway::client::{AttachmentPart, PreparedSubmission};
use rusqlite::{Connection, OpenFlags};
use served::ServedGateway;

/// Filings submitted before the kill.
const FILINGS: usize = 10;

fn delivery_rows(data_dir: &std::path::Path) -> BTreeMap<String, (String, Option<String>)> {
    let db = Connection::open_with_flags(
        data_dir.join("birthgate.sqlite3"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let mut stmt = db
        .prepare("SELECT filing_id, state, reception_number FROM deliveries")
        .expect("sql");
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?),
        ))
    })
    .expect("rows")
    .collect::<Result<_, _>>()
    .expect("deliveries")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_delivery_loses_nothing_and_the_receiver_processes_each_filing_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data_dir = tmp.path().join("data");
    let pki = ReceiverPki::generate(&tmp.path().join("receiver-pki"));
    // The receiver processes a filing at once but answers only 400 ms
    // later: a kill in that window leaves it processed and unrecorded.
    let receiver = Receiver::start(&pki, Behaviour::SlowAccept(Duration::from_millis(400))).await;
    let directory = tmp.path().join("municipalities.toml");
    std::fs::write(
        &directory,
        format!(
            "version = 1\n{}",
            pki.push_entry("131016", &receiver.url, 5_000)
        ),
    )
    .expect("directory");
    let directory = directory.display().to_string();
    let env = [
        ("BIRTHGATE_DELIVERY_DIRECTORY", directory.as_str()),
        ("BIRTHGATE_DELIVERY_POLL_MS", "50"),
        ("BIRTHGATE_DELIVERY_INITIAL_BACKOFF_MS", "200"),
        ("BIRTHGATE_DELIVERY_MAX_BACKOFF_MS", "1000"),
        ("BIRTHGATE_DELIVERY_LEASE_MS", "2000"),
        ("BIRTHGATE_DELIVERY_MAX_CONCURRENT_PER_MUNICIPALITY", "2"),
    ];
    let mut gw = ServedGateway::start(&data_dir, "first", &env).await;
    let client = gw.client();
    let signer = gw.signer();
    let photo = bytes::Bytes::from(photo_jpeg(1600, 1200, 11));
    // Filings go in from their own task; the test watches the receiver and
    // kills the gateway within milliseconds of its third processing, while
    // that filing's answer is still 400 ms away (and uploads may be in
    // flight: those get no 202 and are not counted).
    let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let submitter = {
        let accepted = std::sync::Arc::clone(&accepted);
        tokio::spawn(async move {
            for _ in 0..FILINGS {
                let sub = PreparedSubmission::from_bytes(
                    &signer,
                    serde_json::to_vec(&notification_now(2)).expect("json"),
                    vec![AttachmentPart::new("image/jpeg", photo.clone())],
                    time::OffsetDateTime::now_utc(),
                )
                .expect("sign");
                match client.submit(&sub, None, None).await {
                    Ok(a) if a.status == 202 => accepted
                        .lock()
                        .expect("lock")
                        .push(a.body["filing_id"].as_str().expect("id").to_owned()),
                    Ok(a) => panic!("unexpected answer {}: {}", a.status, a.body_text()),
                    // The gateway was killed under this upload.
                    Err(_) => break,
                }
            }
        })
    };
    let watch_started = Instant::now();
    while receiver.with_log(|l| l.processed.len()) < 3 {
        assert!(
            watch_started.elapsed() < Duration::from_secs(120),
            "the receiver never processed three filings"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    gw.kill();
    let killed = Instant::now();
    submitter.await.expect("submitter");
    let ids: Vec<String> = accepted.lock().expect("lock").clone();
    let processed_at_kill = receiver.with_log(|l| l.processed.len());
    let rows = delivery_rows(&data_dir);
    let recorded_at_kill = rows.values().filter(|(s, _)| s != "pending").count();
    eprintln!(
        "at the kill: {} filings accepted, {processed_at_kill} processed by the receiver, {recorded_at_kill} recorded delivered",
        ids.len()
    );
    assert!(
        recorded_at_kill < processed_at_kill,
        "the kill was not during a delivery"
    );
    // Every acknowledged filing has its delivery row.
    for id in &ids {
        assert!(
            rows.contains_key(id),
            "{id}: no delivery row after the kill"
        );
    }

    // Restart; the receiver answers at once now.
    receiver.set(Behaviour::Accept).await;
    let mut gw = ServedGateway::start(&data_dir, "second", &env).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let rows = loop {
        let rows = delivery_rows(&data_dir);
        if ids
            .iter()
            .all(|id| rows.get(id).is_some_and(|(s, _)| s == "acknowledged"))
        {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "not all delivered after restart: {rows:?}\n{}",
            gw.stderr()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "all {} delivered {:.1} s after the kill",
        ids.len(),
        killed.elapsed().as_secs_f64()
    );

    receiver.with_log(|log| {
        assert!(log.package_errors.is_empty(), "{:?}", log.package_errors);
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(
            log.processed.keys().cloned().collect::<Vec<_>>(),
            expected,
            "processed set"
        );
        let mut redelivered = 0;
        for id in &ids {
            let arrivals: Vec<_> = log.arrivals.iter().filter(|a| a.key == *id).collect();
            redelivered += arrivals.len() - 1;
            // A redelivery is the same package under the same key…
            let packages: std::collections::BTreeSet<_> =
                arrivals.iter().map(|a| a.content_sha256.clone()).collect();
            assert_eq!(packages.len(), 1, "{id}: different packages under one key");
            // …and the gateway recorded the reception number of the one processing.
            assert_eq!(
                rows[id].1.as_deref(),
                Some(log.processed[id].reception_number.as_str()),
                "{id}"
            );
        }
        eprintln!("redeliveries after the crash: {redelivered}");
        assert!(
            redelivered >= 1,
            "the filing in flight at the kill was not delivered again"
        );
    });
    gw.stop().await;

    // The operator's view of the same store: `birthgate deliveries …`.
    let bin = served::release_binary();
    let run = |args: &[&str]| {
        std::process::Command::new(&bin)
            .args(args)
            .arg("--data-dir")
            .arg(&data_dir)
            .output()
            .expect("run birthgate deliveries")
    };
    let list = run(&["deliveries", "list", "--json"]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), ids.len());
    assert!(
        listed
            .iter()
            .all(|d| d["state"] == "acknowledged" && d["reception_number"].is_string())
    );
    let show = run(&["deliveries", "show", &ids[0]]);
    assert!(show.status.success());
    let shown: serde_json::Value = serde_json::from_slice(&show.stdout).expect("json");
    assert_eq!(
        shown["attempts"]
            .as_array()
            .and_then(|a| a.last())
            .map(|a| a["outcome"].clone()),
        Some("delivered".into())
    );
    let retry = run(&["deliveries", "retry", &ids[0]]);
    assert_eq!(
        retry.status.code(),
        Some(1),
        "an acknowledged delivery is not retried"
    );
    assert!(String::from_utf8_lossy(&retry.stderr).contains("no held or pending delivery"));
    let bad = run(&["deliveries", "list", "--state", "lost"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--state"));

    // The audit chain survived the crash intact.
    let db = Connection::open_with_flags(
        data_dir.join("birthgate.sqlite3"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let summary =
        gateway::audit::verify_chain(&db, None).expect("audit chain intact after the crash");
    assert!(summary.records as usize >= ids.len() * 5, "{summary:?}");
}
