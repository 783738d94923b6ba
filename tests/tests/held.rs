//! Revocation data missing or stale: the filing is accepted and *held*
//! (202, status `held`), not rejected; when fresh CRLs arrive in the CRL
//! directory it is re-verified and becomes `accepted` with a delivery row.

use std::sync::Arc;

use birthgate_tests::{TestGateway, client, dev_material, notification_now, photo_jpeg, prepared};
use certs::{DevCrl, DevPkiOptions, RevocationReason};
use gateway::client::AttachmentPart;
use time::{Duration, OffsetDateTime};

/// Writes both dev CRLs into `dir`, valid from `this` to `next`.
fn write_crls(dir: &std::path::Path, this: OffsetDateTime, next: OffsetDateTime) {
    let seed = std::fs::read_to_string(dev_material().root.join("pki/dev-seed")).expect("seed");
    let mut it = seed.split_whitespace();
    let mut bytes = [0u8; 32];
    hex_decode(it.next().expect("seed hex"), &mut bytes);
    let reference_time =
        OffsetDateTime::from_unix_timestamp(it.next().expect("time").parse().expect("int"))
            .expect("time");
    let pki = certs::generate_dev_pki(&DevPkiOptions {
        reference_time,
        seed: bytes,
    })
    .expect("pki");
    for which in DevCrl::ALL {
        let revoked: Vec<(Vec<u8>, OffsetDateTime, RevocationReason)> = pki
            .crl(which)
            .revoked
            .iter()
            .map(|(serial, at, reason)| {
                let mut s = vec![0u8; serial.len() / 2];
                hex_decode(serial, &mut s);
                (s, *at, *reason)
            })
            .collect();
        let der = pki
            .issue_crl(which.issuer(), &revoked, this, next)
            .expect("crl");
        let name = which.path_stem().trim_start_matches("jpki/");
        std::fs::write(dir.join(format!("{name}.der")), der).expect("write crl");
    }
}

fn hex_decode(text: &str, out: &mut [u8]) {
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_crls_hold_the_filing_until_fresh_ones_arrive() {
    let crl_dir = tempfile::tempdir().expect("dir");
    let now = OffsetDateTime::now_utc();
    write_crls(
        crl_dir.path(),
        now - Duration::days(40),
        now - Duration::days(10),
    );
    let dir = crl_dir.path().to_path_buf();
    let gw = TestGateway::start(move |s| s.crl_dir = Some(dir)).await;
    let c = client(&gw);

    let ready = c.get("/readyz", &Default::default()).await.expect("answer");
    assert_eq!(ready.status, 503, "stale CRLs make the gateway not ready");
    assert_eq!(ready.body["crls_fresh"], false);

    let sub = prepared(
        &notification_now(2),
        vec![AttachmentPart::new("image/jpeg", photo_jpeg(1600, 1200, 7))],
    );
    let a = c.submit(&sub, None, None).await.expect("answer");
    assert_eq!(a.status, 202, "{}", a.body_text());
    assert_eq!(a.body["status"], "held");
    assert_eq!(a.body["verdict"], "hold");
    let id = a.body["filing_id"].as_str().expect("id").to_owned();
    let token = a.body["access_token"].as_str().expect("token").to_owned();
    assert_eq!(
        c.status(&id, &token).await.expect("status").body["status"],
        "held"
    );
    let db = rusqlite::Connection::open(gw.database()).expect("db");
    let deliveries: i64 = db
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .expect("count");
    assert_eq!(deliveries, 0, "a held filing is not delivered");

    // Fresh CRLs arrive; the periodic refresh reloads them and re-verifies.
    write_crls(
        crl_dir.path(),
        now - Duration::hours(1),
        now + Duration::days(30),
    );
    let app = Arc::clone(&gw.app);
    tokio::task::spawn_blocking(move || app.refresh_trust())
        .await
        .expect("refresh");
    let status = c.status(&id, &token).await.expect("status");
    assert_eq!(status.body["status"], "accepted", "{}", status.body_text());
    assert_eq!(status.body["history"].as_array().map(Vec::len), Some(2));
    let deliveries: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM deliveries WHERE filing_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(deliveries, 1);
    assert_eq!(
        c.get("/readyz", &Default::default())
            .await
            .expect("answer")
            .status,
        200
    );
    gw.stop().await;
}
