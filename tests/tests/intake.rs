//! The submission route end to end: real TLS on 127.0.0.1:0, the real
//! verifier, the real SQLite store.

use std::time::{Duration, Instant};

use birthgate_tests::{TestGateway, client, notification_now, photo_jpeg, prepared};
use gateway::client::{AttachmentPart, SendOptions};
use serde_json::json;

fn photo() -> AttachmentPart {
    AttachmentPart::new("image/jpeg", photo_jpeg(1600, 1200, 7))
}

fn codes(answer: &gateway::client::Answer) -> Vec<String> {
    let mut c = answer.problem_codes();
    c.sort();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_filing_is_stored_byte_identical_and_has_a_status() {
    let gw = TestGateway::start(|_| {}).await;
    let c = client(&gw);
    let sub = prepared(&notification_now(2), vec![photo()]);
    let answer = c.submit(&sub, None, None).await.expect("answer");
    assert_eq!(answer.status, 202, "{}", answer.body_text());
    let receipt = &answer.body;
    let id = receipt["filing_id"].as_str().expect("id").to_owned();
    let token = receipt["access_token"].as_str().expect("token").to_owned();
    assert_eq!(receipt["status"], "accepted");
    assert_eq!(receipt["manifest_sha256"], sub.manifest_sha256());
    assert!(receipt["status_url"].as_str().expect("url").ends_with(&id));

    // Every part is in the store, byte for byte, with the report and record.
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    for (name, media_type, bytes) in sub.parts() {
        let (stored, stored_type): (Vec<u8>, String) = db
            .query_row(
                "SELECT bytes, media_type FROM parts WHERE filing_id = ?1 AND name = ?2",
                [&id, &name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or_else(|e| panic!("part {name}: {e}"));
        assert_eq!(stored, bytes.as_ref(), "{name} differs");
        assert_eq!(stored_type, media_type);
    }
    let (state, record, token_hash): (String, String, Vec<u8>) = db
        .query_row(
            "SELECT state, record_json, token_hash FROM filings WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("filing row");
    assert_eq!(state, "accepted");
    assert!(
        record.contains("【") || record.contains("register"),
        "record stored"
    );
    assert_ne!(
        token_hash,
        token.as_bytes(),
        "the token itself is not stored"
    );
    let deliveries: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM deliveries WHERE filing_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(
        deliveries, 1,
        "the delivery row is committed with the filing"
    );

    // Status with the token; 404 without it, with a wrong one, or for an unknown id.
    let status = c.status(&id, &token).await.expect("status");
    assert_eq!(status.status, 200);
    assert_eq!(status.body["status"], "accepted");
    assert_eq!(status.body["history"].as_array().map(Vec::len), Some(1));
    assert_eq!(c.status(&id, "wrong").await.expect("answer").status, 404);
    let unknown = format!("bg-{}", "0".repeat(32));
    assert_eq!(
        c.status(&unknown, &token).await.expect("answer").status,
        404
    );
    let no_token = c
        .get(
            &format!("/v1/birth-notifications/{id}"),
            &SendOptions::default(),
        )
        .await
        .expect("answer");
    assert_eq!(no_token.status, 404);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rejection_class_lists_its_codes() {
    let gw = TestGateway::start(|_| {}).await;
    let c = client(&gw);

    // Invalid notification: a Latin letter in the child's name.
    let mut n = notification_now(2);
    n["child"]["given_name"] = json!("陽X");
    let a = c
        .submit(&prepared(&n, vec![photo()]), None, Some("en"))
        .await
        .expect("answer");
    assert_eq!(
        (a.status, codes(&a)),
        (422, vec!["name.char_not_allowed".to_owned()]),
        "{}",
        a.body_text()
    );
    assert_eq!(a.content_type(), Some("application/problem+json"));

    // Bad image: a blank page.
    let blank =
        birthgate_tests::support::jpeg(&birthgate_tests::support::Gray::new(1600, 1200, 200), 90);
    let a = c
        .submit(
            &prepared(
                &notification_now(2),
                vec![AttachmentPart::new("image/jpeg", blank)],
            ),
            None,
            None,
        )
        .await
        .expect("answer");
    assert_eq!(a.status, 422, "{}", a.body_text());
    assert!(
        codes(&a).contains(&"attachment.blank".to_owned()),
        "{:?}",
        codes(&a)
    );

    // Bad signature: the manifest's signature replaced by one over other bytes.
    let good = prepared(&notification_now(2), vec![photo()]);
    let other = prepared(&notification_now(3), vec![photo()]);
    let forged = gateway::client::PreparedSubmission::from_parts(
        good.manifest().clone(),
        good.notification().clone(),
        other.signature().clone(),
        good.attachments().to_vec(),
    );
    let a = c.submit(&forged, None, None).await.expect("answer");
    assert_eq!(a.status, 422);
    assert!(
        codes(&a).contains(&"signature.message_digest_mismatch".to_owned()),
        "{:?}",
        codes(&a)
    );

    // Missing part: no attachment at all.
    let a = c
        .submit(&prepared(&notification_now(2), vec![]), None, None)
        .await
        .expect("answer");
    assert_eq!(a.status, 422);
    assert!(
        codes(&a).contains(&"submission.missing_part".to_owned()),
        "{:?}",
        codes(&a)
    );

    // Messages follow Accept-Language.
    let mut n = notification_now(2);
    n["child"]["given_name"] = json!("陽X");
    let a = c
        .submit(&prepared(&n, vec![photo()]), None, Some("ja"))
        .await
        .expect("answer");
    let message = a.body["problems"][0]["message"].as_str().expect("message");
    assert!(message.contains("文字目"), "{message}");

    // Nothing refused was stored.
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    let stored: i64 = db
        .query_row("SELECT COUNT(*) FROM filings", [], |r| r.get(0))
        .expect("count");
    assert_eq!(stored, 0);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_retry_gets_the_first_answer_and_other_bytes_a_conflict() {
    let gw = TestGateway::start(|_| {}).await;
    let c = client(&gw);
    let sub = prepared(&notification_now(2), vec![photo()]);
    let first = c.submit(&sub, Some("retry-1"), None).await.expect("answer");
    assert_eq!(first.status, 202, "{}", first.body_text());
    let again = c.submit(&sub, Some("retry-1"), None).await.expect("answer");
    assert_eq!(again.status, 202);
    assert_eq!(again.body["filing_id"], first.body["filing_id"]);
    assert_eq!(
        again
            .headers
            .get("idempotent-replay")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let other = prepared(&notification_now(3), vec![photo()]);
    let conflict = c
        .submit(&other, Some("retry-1"), None)
        .await
        .expect("answer");
    assert_eq!(
        (conflict.status, codes(&conflict)),
        (409, vec!["request.idempotency_conflict".to_owned()])
    );
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    let stored: i64 = db
        .query_row("SELECT COUNT(*) FROM filings", [], |r| r.get(0))
        .expect("count");
    assert_eq!(stored, 1, "the retry stored nothing new");
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_give_413_naming_the_limit_and_wrong_type_415() {
    let gw = TestGateway::start(|s| {
        s.limits.max_body_bytes = 2 * 1024 * 1024;
        s.limits.max_part_bytes = 1024 * 1024;
        s.limits.max_parts = 6;
    })
    .await;
    let c = client(&gw);
    // A part over max_part_bytes (1.5 MB of photo), body under max_body_bytes.
    let big = AttachmentPart::new("image/jpeg", vec![0xFFu8; 1_500_000]);
    let a = c
        .submit(&prepared(&notification_now(2), vec![big]), None, None)
        .await
        .expect("answer");
    assert_eq!(
        (a.status, codes(&a)),
        (413, vec!["request.part_too_large".to_owned()]),
        "{}",
        a.body_text()
    );
    assert!(a.body_text().contains("limits.max_part_bytes"));
    assert_eq!(a.body["problems"][0]["pointer"], "certificate-1");
    // A body over max_body_bytes, refused from Content-Length before reading.
    let parts: Vec<AttachmentPart> = (0..3)
        .map(|_| AttachmentPart::new("image/jpeg", vec![1u8; 900_000]))
        .collect();
    let a = c
        .submit(&prepared(&notification_now(2), parts), None, None)
        .await
        .expect("answer");
    assert_eq!(
        (a.status, codes(&a)),
        (413, vec!["request.too_large".to_owned()])
    );
    assert!(a.body_text().contains("limits.max_body_bytes"));
    // The same, sent chunked (no Content-Length): counted while reading.
    let parts: Vec<AttachmentPart> = (0..3)
        .map(|_| AttachmentPart::new("image/jpeg", vec![1u8; 900_000]))
        .collect();
    // The server answers as soon as the limit is passed and closes; a client
    // still writing may see the close before it reads the 413.
    match c
        .submit_with(
            &prepared(&notification_now(2), parts),
            &SendOptions::default().chunked(),
        )
        .await
    {
        Ok(a) => assert_eq!(
            (a.status, codes(&a)),
            (413, vec!["request.too_large".to_owned()])
        ),
        Err(e) => assert!(
            e.to_string().contains("Broken pipe") || e.to_string().contains("reset"),
            "{e}"
        ),
    }
    // Service unaffected.
    match c.get("/healthz", &SendOptions::default()).await {
        Ok(h) => assert_eq!(h.status, 200),
        Err(e) => panic!("{e}"),
    }
    // Too many parts.
    let parts: Vec<AttachmentPart> = (0..4)
        .map(|_| AttachmentPart::new("image/jpeg", vec![1u8; 100]))
        .collect();
    let a = c
        .submit(&prepared(&notification_now(2), parts), None, None)
        .await
        .expect("answer");
    assert_eq!(
        (a.status, codes(&a)),
        (413, vec!["request.too_many_parts".to_owned()])
    );
    // Not multipart.
    let a = c
        .post_raw("application/json", "{}", &SendOptions::default())
        .await
        .expect("answer");
    assert_eq!(
        (a.status, codes(&a)),
        (415, vec!["request.content_type".to_owned()])
    );
    // Malformed multipart.
    let a = c
        .post_raw(
            "multipart/form-data; boundary=x",
            "--x\r\ngarbage",
            &SendOptions::default(),
        )
        .await
        .expect("answer");
    assert_eq!(a.status, 400, "{}", a.body_text());
    // The service is still up.
    let health = c
        .get("/healthz", &SendOptions::default())
        .await
        .expect("answer");
    assert_eq!(health.status, 200);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_client_is_cut_off_while_others_complete() {
    let gw = TestGateway::start(|s| {
        s.limits.body_timeout = Duration::from_secs(3);
        s.limits.body_idle_timeout = Duration::from_secs(2);
    })
    .await;
    let c = client(&gw);
    let slow_sub = prepared(&notification_now(2), vec![photo()]);
    let slow_client = client(&gw);
    let started = Instant::now();
    let slow = tokio::spawn(async move {
        slow_client
            .submit_with(&slow_sub, &SendOptions::default().send_slowly(1))
            .await
    });
    // Meanwhile, three normal filings complete.
    for i in 0..3 {
        let a = c
            .submit(
                &prepared(&notification_now(2 + i), vec![photo()]),
                None,
                None,
            )
            .await
            .expect("answer");
        assert_eq!(a.status, 202, "{}", a.body_text());
    }
    let outcome = slow.await.expect("task");
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(20),
        "cut off promptly, took {elapsed:?}"
    );
    match outcome {
        Ok(a) => assert_eq!(
            (a.status, codes(&a)),
            (408, vec!["request.timeout".to_owned()])
        ),
        // The server may close before the client reads the answer.
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_is_valid_openapi_3_1_and_lists_every_code() {
    let gw = TestGateway::start(|_| {}).await;
    let doc = client(&gw)
        .get("/openapi.json", &SendOptions::default())
        .await
        .expect("answer");
    assert_eq!(doc.status, 200);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            birthgate_tests::repo_root().join("tests/data/openapi-3.1-schema.json"),
        )
        .expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("OAS 3.1 schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc.body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every path of the contract, and every problem code, is in it.
    for path in [
        "/v1/birth-notifications",
        "/v1/birth-notifications/{id}",
        "/v1/municipal/filings",
        "/v1/municipal/filings/{id}",
        "/v1/municipal/filings/{id}/package",
        "/v1/municipal/filings/{id}/parts/{name}",
        "/v1/municipal/filings/{id}/parts/{name}/stripped",
        "/v1/municipal/filings/{id}/acknowledgement",
        "/v1/municipal/filings/{id}/decisions",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(doc.body["paths"].get(path).is_some(), "{path}");
    }
    let listed: Vec<&str> = doc.body["x-problem-codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    for code in [
        "name.char_not_allowed",
        "signature.certificate_revoked",
        "attachment.blank",
        "request.too_large",
    ] {
        assert!(listed.contains(&code), "{code}");
    }
    // A mutated document fails the same validation (the check can fail).
    let mut broken = doc.body.clone();
    broken["openapi"] = json!("2.0");
    assert!(!validator.is_valid(&broken));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics() {
    let gw = TestGateway::start(|_| {}).await;
    let c = client(&gw);
    assert_eq!(
        c.get("/healthz", &SendOptions::default())
            .await
            .expect("answer")
            .status,
        200
    );
    let ready = c
        .get("/readyz", &SendOptions::default())
        .await
        .expect("answer");
    assert_eq!(ready.status, 200, "{}", ready.body_text());
    assert_eq!(ready.body["crls_fresh"], true);
    let a = c
        .submit(&prepared(&notification_now(2), vec![photo()]), None, None)
        .await
        .expect("answer");
    assert_eq!(a.status, 202);
    let metrics = c
        .get("/metrics", &SendOptions::default())
        .await
        .expect("answer")
        .body_text();
    for needle in [
        "birthgate_http_requests_total{route=\"submit\",status=\"202\"} 1",
        "birthgate_verifications_total{verdict=",
        "birthgate_received_bytes_total",
        "birthgate_deliveries_pending 1",
        "birthgate_http_request_duration_seconds_bucket",
    ] {
        assert!(metrics.contains(needle), "{needle} missing in\n{metrics}");
    }
    assert_eq!(
        c.get("/nowhere", &SendOptions::default())
            .await
            .expect("answer")
            .status,
        404
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_failure_is_503_and_nothing_is_acknowledged_or_half_stored() {
    let gw = TestGateway::start(|_| {}).await;
    let c = client(&gw);
    // Break the store under the running server: the commit's delivery-row
    // insert fails, so the whole transaction must roll back.
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    db.execute_batch("DROP TABLE deliveries").expect("drop");
    let a = c
        .submit(&prepared(&notification_now(2), vec![photo()]), None, None)
        .await
        .expect("answer");
    assert_eq!(
        (a.status, codes(&a)),
        (503, vec!["store.unavailable".to_owned()]),
        "{}",
        a.body_text()
    );
    assert!(a.body.get("filing_id").is_none(), "no receipt");
    for table in ["filings", "parts", "history", "audit"] {
        let n: i64 = db
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0, "{table} has rows from a failed commit");
    }
    // The service keeps answering.
    assert_eq!(
        c.get("/healthz", &SendOptions::default())
            .await
            .expect("answer")
            .status,
        200
    );
    gw.stop().await;
}
