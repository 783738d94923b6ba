//! The municipal API end to end, over mutual TLS with the dev PKI's
//! municipal certificates: pull (list, fetch, parts, package, acknowledge),
//! refusals (no certificate, a certificate mapped to no municipality,
//! another municipality's certificate, an untrusted certificate), clerk
//! decisions back to the parent's status, and retention with a clock the
//! test moves.

use std::sync::Arc;

use birthgate_tests::{
    ManualClock, Start, TestGateway, client, dev_material, notification_now, photo_jpeg, prepared,
};
use gateway::client::{AttachmentPart, Client, SendOptions};
use hyper::http::Method;

const DIRECTORY: &str = r#"version = 1
[municipalities."131016"]
mode = "pull"
[municipalities."141011"]
mode = "pull"
[[clients]]
san_uri = "urn:birthgate:municipality:131016"
municipalities = ["131016"]
[[clients]]
san_uri = "urn:birthgate:municipality:141011"
municipalities = ["141011"]
"#;

/// A gateway with the pull directory and, optionally, a manual clock.
async fn gateway(clock: Option<Arc<ManualClock>>) -> (TestGateway, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("municipalities.toml");
    std::fs::write(&file, DIRECTORY).expect("directory");
    let gw = TestGateway::start_with(
        |s| s.delivery.directory = Some(file),
        Start {
            clock: clock.map(|c| c as Arc<dyn gateway::app::Clock>),
            deliver: true,
        },
    )
    .await;
    (gw, tmp)
}

/// A client presenting the dev certificate `stem` (`municipality-131016`, …).
fn clerk(gw: &TestGateway, stem: &str) -> Client {
    let tls = dev_material().root.join("pki/tls");
    let cert = std::fs::read(tls.join(format!("{stem}.pem"))).expect("cert");
    let key = std::fs::read(tls.join(format!("{stem}.key.pem"))).expect("key");
    Client::with_identity(&gw.url, &gw.ca_pem, &cert, &key).expect("mTLS client")
}

async fn get(c: &Client, path: &str) -> gateway::client::Answer {
    c.get(path, &SendOptions::default()).await.expect("answer")
}

async fn post(c: &Client, path: &str, body: serde_json::Value) -> gateway::client::Answer {
    c.connect()
        .await
        .expect("connect")
        .send(
            Method::POST,
            path,
            Some("application/json"),
            vec![bytes::Bytes::from(body.to_string())],
            &SendOptions::default(),
        )
        .await
        .expect("answer")
}

struct Filed {
    id: String,
    token: String,
    parts: Vec<(String, String, bytes::Bytes)>,
}

async fn file_one(gw: &TestGateway, seed: u64) -> Filed {
    let sub = prepared(
        &notification_now(2),
        vec![AttachmentPart::new(
            "image/jpeg",
            photo_jpeg(1200, 900, seed),
        )],
    );
    let a = client(gw).submit(&sub, None, None).await.expect("submit");
    assert_eq!(a.status, 202, "{}", a.body_text());
    Filed {
        id: a.body["filing_id"].as_str().expect("id").to_owned(),
        token: a.body["access_token"].as_str().expect("token").to_owned(),
        parts: sub.parts(),
    }
}

fn problem_code(a: &gateway::client::Answer) -> String {
    a.problem_codes().first().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_with_the_right_certificate_and_refusals_with_wrong_ones() {
    let (gw, _tmp) = gateway(None).await;
    let a = file_one(&gw, 1).await;
    let b = file_one(&gw, 2).await;
    let chiyoda = clerk(&gw, "municipality-131016");

    // List: both filings, oldest first, not yet delivered.
    let list = get(&chiyoda, "/v1/municipal/filings").await;
    assert_eq!(list.status, 200, "{}", list.body_text());
    let listed: Vec<&str> = list.body["filings"]
        .as_array()
        .expect("filings")
        .iter()
        .map(|f| f["filing_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(listed, vec![a.id.as_str(), b.id.as_str()]);
    assert_eq!(list.body["filings"][0]["delivery_state"], "pending");

    // Fetch: record, register-entry text, report, parts with digests.
    let doc = get(&chiyoda, &format!("/v1/municipal/filings/{}", a.id)).await;
    assert_eq!(doc.status, 200, "{}", doc.body_text());
    assert_eq!(
        doc.body["record"]["receiving_municipality"]["code"],
        "131016"
    );
    assert!(
        doc.body["register_entry_text"]
            .as_str()
            .expect("text")
            .contains("【名】")
    );
    assert!(
        matches!(
            doc.body["report"]["verdict"].as_str(),
            Some("accept" | "accept_with_warnings")
        ),
        "{}",
        doc.body["report"]["verdict"]
    );
    for (name, media_type, bytes) in &a.parts {
        let part = doc.body["parts"]
            .as_array()
            .expect("parts")
            .iter()
            .find(|p| p["name"] == name.as_str())
            .expect("part listed");
        assert_eq!(
            part["sha256"],
            verifier::digest::Sha256::of(bytes).to_hex().as_str()
        );
        let got = get(
            &chiyoda,
            &format!("/v1/municipal/filings/{}/parts/{name}", a.id),
        )
        .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.raw.as_ref(), bytes.as_ref(), "{name} differs");
        assert_eq!(got.content_type(), Some(media_type.as_str()));
    }
    // The whole package in one response.
    let package = get(&chiyoda, &format!("/v1/municipal/filings/{}/package", a.id)).await;
    assert_eq!(package.status, 200);
    assert!(
        package
            .content_type()
            .is_some_and(|t| t.starts_with("multipart/mixed; boundary="))
    );
    assert!(package.raw.windows(12).any(|w| w == b"package.json"));
    let after_fetch = get(&chiyoda, "/v1/municipal/filings").await;
    assert_eq!(
        after_fetch.body["filings"][0]["delivery_state"],
        "delivered"
    );

    // Acknowledge with the municipality's reception number; idempotent;
    // a different number is a conflict.
    let ack = post(
        &chiyoda,
        &format!("/v1/municipal/filings/{}/acknowledgement", a.id),
        serde_json::json!({ "reception_number": "千代田-2026-0001" }),
    )
    .await;
    assert_eq!(ack.status, 200, "{}", ack.body_text());
    assert_eq!(ack.body["state"], "acknowledged");
    let again = post(
        &chiyoda,
        &format!("/v1/municipal/filings/{}/acknowledgement", a.id),
        serde_json::json!({ "reception_number": "千代田-2026-0001" }),
    )
    .await;
    assert_eq!(again.status, 200);
    let other = post(
        &chiyoda,
        &format!("/v1/municipal/filings/{}/acknowledgement", a.id),
        serde_json::json!({ "reception_number": "X-1" }),
    )
    .await;
    assert_eq!(
        (other.status, problem_code(&other).as_str()),
        (409, "acknowledgement.conflict")
    );
    let list = get(&chiyoda, "/v1/municipal/filings").await;
    assert_eq!(
        list.body["filings"].as_array().map(Vec::len),
        Some(1),
        "acknowledged filings leave the list"
    );
    // The parent sees it.
    let status = client(&gw).status(&a.id, &a.token).await.expect("status");
    assert_eq!(status.body["delivery"]["state"], "acknowledged");
    assert_eq!(
        status.body["delivery"]["reception_number"],
        "千代田-2026-0001"
    );

    // Malformed body: 400 naming the field, nothing changed.
    let bad = post(
        &chiyoda,
        &format!("/v1/municipal/filings/{}/acknowledgement", b.id),
        serde_json::json!({ "reception_number": 12 }),
    )
    .await;
    assert_eq!(
        (bad.status, problem_code(&bad).as_str()),
        (400, "request.body_invalid")
    );
    assert!(
        bad.body_text().contains("/reception_number"),
        "{}",
        bad.body_text()
    );

    // Another municipality's certificate sees nothing of 千代田区's filings.
    let tsurumi = clerk(&gw, "municipality-141011");
    let list = get(&tsurumi, "/v1/municipal/filings").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["filings"].as_array().map(Vec::len), Some(0));
    for path in [
        format!("/v1/municipal/filings/{}", b.id),
        format!("/v1/municipal/filings/{}/parts/notification", b.id),
        format!("/v1/municipal/filings/{}/package", b.id),
    ] {
        let r = get(&tsurumi, &path).await;
        assert_eq!(
            (r.status, problem_code(&r).as_str()),
            (404, "filing.not_found"),
            "{path}"
        );
    }
    let r = post(
        &tsurumi,
        &format!("/v1/municipal/filings/{}/acknowledgement", b.id),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(r.status, 404);

    // A trusted certificate that the directory maps to no municipality (the hospital's).
    let hospital = clerk(&gw, "hospital-1310000001");
    let r = get(&hospital, "/v1/municipal/filings").await;
    assert_eq!(
        (r.status, problem_code(&r).as_str()),
        (403, "municipal.not_authorized")
    );

    // No certificate at all.
    let r = get(&client(&gw), "/v1/municipal/filings").await;
    assert_eq!(
        (r.status, problem_code(&r).as_str()),
        (401, "municipal.client_certificate_required")
    );

    // A certificate from a CA the gateway does not trust: refused in the handshake.
    let key = certs::rcgen::KeyPair::generate().expect("key");
    let mut params = certs::rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.subject_alt_names = vec![certs::rcgen::SanType::URI(
        certs::rcgen::string::Ia5String::try_from("urn:birthgate:municipality:131016")
            .expect("uri"),
    )];
    params.extended_key_usages = vec![certs::rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let forged = params.self_signed(&key).expect("self-signed");
    let impostor = Client::with_identity(
        &gw.url,
        &gw.ca_pem,
        forged.pem().as_bytes(),
        key.serialize_pem().as_bytes(),
    )
    .expect("client");
    let r = impostor
        .get("/v1/municipal/filings", &SendOptions::default())
        .await;
    assert!(
        r.as_ref().is_err() || r.as_ref().is_ok_and(|a| a.status != 200),
        "an untrusted certificate was served: {:?}",
        r.map(|a| a.status)
    );

    // The service is still up for the others.
    assert_eq!(get(&chiyoda, "/v1/municipal/filings").await.status, 200);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_decisions_reach_the_parent_idempotent_and_ordered() {
    let (gw, _tmp) = gateway(None).await;
    let f = file_one(&gw, 3).await;
    let chiyoda = clerk(&gw, "municipality-131016");
    let decisions = format!("/v1/municipal/filings/{}/decisions", f.id);
    let now = time::OffsetDateTime::now_utc();
    let at = |minutes_ago: i64| {
        (now - time::Duration::minutes(minutes_ago))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("time")
    };

    // Not delivered yet: nothing to decide.
    let early = post(
        &chiyoda,
        &decisions,
        serde_json::json!({ "decision_id": "d-0", "kind": "accepted", "decided_at": at(30) }),
    )
    .await;
    assert_eq!(
        (early.status, problem_code(&early).as_str()),
        (409, "filing.not_delivered")
    );
    assert_eq!(
        get(&chiyoda, &format!("/v1/municipal/filings/{}", f.id))
            .await
            .status,
        200
    );

    // 補正 without a message is refused, naming the field.
    let bad = post(&chiyoda, &decisions, serde_json::json!({ "decision_id": "d-1", "kind": "correction_requested", "decided_at": at(20) })).await;
    assert_eq!(
        (bad.status, problem_code(&bad).as_str()),
        (400, "request.body_invalid")
    );
    assert!(bad.body_text().contains("/message"));

    // 不受理 without a reason, and a decision dated in the future, likewise.
    let bad = post(
        &chiyoda,
        &decisions,
        serde_json::json!({ "decision_id": "d-r", "kind": "rejected", "decided_at": at(20) }),
    )
    .await;
    assert_eq!(
        (bad.status, problem_code(&bad).as_str()),
        (400, "request.body_invalid")
    );
    assert!(bad.body_text().contains("/reason"));
    let future = (now + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    let bad = post(
        &chiyoda,
        &decisions,
        serde_json::json!({ "decision_id": "d-f", "kind": "accepted", "decided_at": future }),
    )
    .await;
    assert_eq!(
        (bad.status, problem_code(&bad).as_str()),
        (400, "request.body_invalid")
    );
    assert!(bad.body_text().contains("/decided_at"));

    // 補正 with its message: the parent sees it.
    let message = "出生証明書の2ページ目の写真が不鮮明です。撮り直して再提出してください。";
    let body = serde_json::json!({ "decision_id": "d-1", "kind": "correction_requested", "decided_at": at(20), "message": message });
    let r = post(&chiyoda, &decisions, body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body_text());
    let status = client(&gw).status(&f.id, &f.token).await.expect("status");
    assert_eq!(status.body["decision"]["kind"], "correction_requested");
    assert_eq!(status.body["decision"]["label_ja"], "補正");
    assert_eq!(status.body["decision"]["message"], message);
    assert!(
        status.body["history"]
            .as_array()
            .expect("history")
            .iter()
            .any(|h| h["note"].as_str().is_some_and(|n| n.contains(message))),
        "{}",
        status.body_text()
    );
    assert_eq!(
        status.body["delivery"]["state"], "acknowledged",
        "a decision implies receipt"
    );

    // Idempotent: the same decision again is the same answer; the same id
    // with other content is a conflict.
    let replay = post(&chiyoda, &decisions, body).await;
    assert_eq!(replay.status, 200);
    assert_eq!(
        replay
            .headers
            .get("idempotent-replay")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let changed = post(&chiyoda, &decisions, serde_json::json!({ "decision_id": "d-1", "kind": "correction_requested", "decided_at": at(20), "message": "別の文" })).await;
    assert_eq!(
        (changed.status, problem_code(&changed).as_str()),
        (409, "decision.id_conflict")
    );

    // Ordered: a delayed decision made *before* the 補正 is recorded but does
    // not replace it.
    let delayed = post(
        &chiyoda,
        &decisions,
        serde_json::json!({ "decision_id": "d-0b", "kind": "accepted", "decided_at": at(40) }),
    )
    .await;
    assert_eq!(delayed.status, 201);
    assert_eq!(delayed.body["superseded"], true);
    let status = client(&gw).status(&f.id, &f.token).await.expect("status");
    assert_eq!(status.body["decision"]["kind"], "correction_requested");

    // The later 受理 becomes current; nothing follows a final decision.
    let accepted = post(
        &chiyoda,
        &decisions,
        serde_json::json!({ "decision_id": "d-2", "kind": "accepted", "decided_at": at(5) }),
    )
    .await;
    assert_eq!(accepted.status, 201);
    let status = client(&gw).status(&f.id, &f.token).await.expect("status");
    assert_eq!(status.body["decision"]["kind"], "accepted");
    assert_eq!(status.body["decision"]["label_ja"], "受理");
    let after = post(&chiyoda, &decisions, serde_json::json!({ "decision_id": "d-3", "kind": "rejected", "decided_at": at(1), "reason": "誤り" })).await;
    assert_eq!(
        (after.status, problem_code(&after).as_str()),
        (409, "decision.after_final")
    );

    // Another municipality cannot decide it.
    let r = post(&clerk(&gw, "municipality-141011"), &decisions, serde_json::json!({ "decision_id": "x", "kind": "rejected", "decided_at": at(1), "reason": "r" })).await;
    assert_eq!(r.status, 404);

    // The audit trail holds the decisions by digest, not their text.
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    let details: Vec<String> = db
        .prepare("SELECT detail FROM audit WHERE filing_id = ?1 AND event = 'decided' ORDER BY seq")
        .expect("sql")
        .query_map([&f.id], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("details");
    assert_eq!(details.len(), 3, "{details:?}");
    assert!(
        details.iter().all(|d| !d.contains("撮り直")),
        "decision text in the audit trail"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_purges_attachments_and_personal_data_after_the_final_decision() {
    let clock = ManualClock::now();
    let (gw, _tmp) = gateway(Some(Arc::clone(&clock))).await;
    let decided = file_one(&gw, 4).await;
    let open = file_one(&gw, 5).await;
    let chiyoda = clerk(&gw, "municipality-131016");
    assert_eq!(
        get(&chiyoda, &format!("/v1/municipal/filings/{}", decided.id))
            .await
            .status,
        200
    );
    let decided_at = clock_now(&clock);
    let r = post(
        &chiyoda,
        &format!("/v1/municipal/filings/{}/decisions", decided.id),
        serde_json::json!({ "decision_id": "d-1", "kind": "accepted", "decided_at": decided_at }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body_text());

    // Before the retention period: nothing purged.
    clock.advance(time::Duration::days(89));
    assert_eq!(gateway::delivery::purge_expired(&gw.app).expect("purge"), 0);
    // After it: the decided filing only; the undecided one is kept.
    clock.advance(time::Duration::days(2));
    assert_eq!(gateway::delivery::purge_expired(&gw.app).expect("purge"), 1);
    assert_eq!(
        gateway::delivery::purge_expired(&gw.app).expect("purge"),
        0,
        "purge is done once"
    );

    let db = rusqlite::Connection::open(gw.database()).expect("db");
    let (record, report): (Option<String>, String) = db
        .query_row(
            "SELECT record_json, report_json FROM filings WHERE id = ?1",
            [&decided.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    assert!(record.is_none(), "record kept after purge");
    let notification = std::str::from_utf8(
        &decided
            .parts
            .iter()
            .find(|p| p.0 == "notification")
            .expect("n")
            .2,
    )
    .expect("utf8")
    .to_owned();
    let name = serde_json::from_str::<serde_json::Value>(&notification).expect("json")["child"]["given_name"].as_str().expect("name").to_owned();
    assert!(!report.contains(&name), "personal data left in the report");
    let mut stmt = db
        .prepare(
            "SELECT name, length(bytes), stripped IS NULL, sha256 FROM parts WHERE filing_id = ?1",
        )
        .expect("sql");
    let rows: Vec<(String, i64, bool, String)> = stmt
        .query_map([&decided.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("parts");
    assert_eq!(rows.len(), decided.parts.len());
    for (part, len, stripped_gone, sha) in rows {
        assert_eq!((len, stripped_gone), (0, true), "{part} not emptied");
        let sent = &decided.parts.iter().find(|p| p.0 == part).expect("sent").2;
        assert_eq!(
            sha,
            verifier::digest::Sha256::of(sent).to_hex(),
            "{part}: digest must be kept"
        );
    }
    // The undecided filing is untouched.
    let kept: i64 = db
        .query_row(
            "SELECT SUM(length(bytes)) FROM parts WHERE filing_id = ?1",
            [&open.id],
            |r| r.get(0),
        )
        .expect("sum");
    assert!(kept > 10_000);
    // The audit trail records the purge and keeps the receipt digests.
    let events: Vec<String> = db
        .prepare("SELECT event FROM audit WHERE filing_id = ?1 ORDER BY seq")
        .expect("sql")
        .query_map([&decided.id], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("events");
    assert_eq!(events.first().map(String::as_str), Some("received"));
    assert_eq!(events.last().map(String::as_str), Some("purged"));

    // The parent sees the purge and the decision; the municipality gets 410 for the package.
    let status = client(&gw)
        .status(&decided.id, &decided.token)
        .await
        .expect("status");
    assert!(
        status.body["purged_at"].is_string(),
        "{}",
        status.body_text()
    );
    assert_eq!(status.body["decision"]["kind"], "accepted");
    let r = get(
        &chiyoda,
        &format!("/v1/municipal/filings/{}/package", decided.id),
    )
    .await;
    assert_eq!(
        (r.status, problem_code(&r).as_str()),
        (410, "filing.purged")
    );
    let r = get(
        &chiyoda,
        &format!("/v1/municipal/filings/{}/parts/certificate-1", decided.id),
    )
    .await;
    assert_eq!(r.status, 404);
    gw.stop().await;
}

fn clock_now(clock: &ManualClock) -> String {
    gateway::app::Clock::now(clock)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time")
}
