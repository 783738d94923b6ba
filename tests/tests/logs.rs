//! No personal data in the logs: run the real binary with JSON logs at
//! debug level, file an accepted and a refused notification full of marker
//! values, look up the status with the token, and search everything the
//! process wrote for the markers — while checking that the request lines
//! are there, so an empty log cannot pass.

mod served;

use std::time::Duration;

use birthgate_tests::{notification_now, photo_jpeg};
use gateway::client::{AttachmentPart, PreparedSubmission, SendOptions};
use serde_json::{Value, json};
use served::ServedGateway;
use tokio::io::AsyncWriteExt;

/// The dev notifier as its certificate has it (and so the father): these
/// cannot be markers, but they are personal data all the same.
const NOTIFIER_SURNAME: &str = "𠮷田";
const NOTIFIER_GIVEN_NAME: &str = "\u{FA45}斗";
const NOTIFIER_BIRTH_DATE: (i32, u8, u8) = (1990, 4, 15);

/// A date written the ways a log could carry it: ISO, compact, with
/// slashes, and in 和暦 (with and without zero padding).
fn date_forms(year: i32, month: u8, day: u8) -> Vec<String> {
    let (era, first) = if (year, month, day) >= (2019, 5, 1) {
        ("令和", 2019)
    } else if (year, month, day) >= (1989, 1, 8) {
        ("平成", 1989)
    } else {
        ("昭和", 1926)
    };
    let era_year = year - first + 1;
    let mut forms = vec![
        format!("{year}-{month:02}-{day:02}"),
        format!("{year}{month:02}{day:02}"),
        format!("{year}/{month:02}/{day:02}"),
        format!("{year}/{month}/{day}"),
        format!("{era}{era_year}年{month}月{day}日"),
        format!("{era}{era_year:02}年{month:02}月{day:02}日"),
    ];
    if era_year == 1 {
        forms.push(format!("{era}元年{month}月{day}日"));
    }
    forms
}

/// `s` as it could appear escaped: JSON `\uXXXX` (both cases, surrogate
/// pairs), Rust `\u{…}` and percent-encoded UTF-8.
fn escaped_forms(s: &str) -> Vec<String> {
    let mut json_lower = String::new();
    let mut rust = String::new();
    let mut percent = String::new();
    for c in s.chars() {
        let mut units = [0u16; 2];
        for u in c.encode_utf16(&mut units) {
            json_lower.push_str(&format!("\\u{u:04x}"));
        }
        rust.push_str(&format!("\\u{{{:x}}}", c as u32));
        let mut bytes = [0u8; 4];
        for b in c.encode_utf8(&mut bytes).bytes() {
            percent.push_str(&format!("%{b:02X}"));
        }
    }
    if s.is_ascii() {
        return Vec::new();
    }
    vec![
        json_lower.to_uppercase().replace("\\U", "\\u"),
        json_lower,
        rust,
        percent,
    ]
}

/// Sets the notification's personal fields to marker values. The notifier
/// (and so the father) stays the dev certificate's holder.
fn with_markers(n: &mut Value, m: &Markers) {
    n["child"]["given_name"] = m.child_given.into();
    n["child"]["given_name_reading"] = m.child_reading.into();
    n["child"]["birthplace"]["address"] = m.birthplace.into();
    n["mother"]["given_name"] = m.mother_given.into();
    n["mother"]["birth_date"] = m.mother_birth_date().into();
    let domicile = json!({
        "municipality_code": "131016",
        "address": m.domicile,
        "head_of_register": { "surname": NOTIFIER_SURNAME, "given_name": NOTIFIER_GIVEN_NAME },
    });
    n["father"]["registered_domicile"] = domicile.clone();
    n["mother"]["registered_domicile"] = domicile.clone();
    n["notifier"]["registered_domicile"] = domicile;
    n["residence"]["address"] = m.residence.into();
    n["residence"]["householder"] =
        json!({ "surname": m.householder.0, "given_name": m.householder.1 });
    n["residence"]["relation_to_householder"] = "孫".into();
    n["certificate"]["child_name"] = format!("{NOTIFIER_SURNAME}{}", m.child_given).into();
    n["certificate"]["mother_name"] =
        json!({ "surname": NOTIFIER_SURNAME, "given_name": m.mother_given });
    n["certificate"]["place"]["facility_name"] = m.facility.into();
    n["certificate"]["place"]["address"] = m.facility_address.into();
    n["certificate"]["certifier"]["name"] = m.certifier.into();
    n["certificate"]["certifier"]["address"] = m.facility_address.into();
}

/// The marker values of one filing.
struct Markers {
    child_given: &'static str,
    child_reading: &'static str,
    mother_given: &'static str,
    mother_birth: (i32, u8, u8),
    householder: (&'static str, &'static str),
    domicile: &'static str,
    residence: &'static str,
    birthplace: &'static str,
    facility: &'static str,
    facility_address: &'static str,
    certifier: &'static str,
}

impl Markers {
    fn mother_birth_date(&self) -> String {
        let (y, m, d) = self.mother_birth;
        format!("{y}-{m:02}-{d:02}")
    }

    /// Every string that must not be logged, in every form.
    fn forbidden(&self) -> Vec<String> {
        let mut plain: Vec<String> = [
            self.child_given,
            self.child_reading,
            self.mother_given,
            self.householder.0,
            self.householder.1,
            self.domicile,
            self.residence,
            self.birthplace,
            self.facility,
            self.facility_address,
            self.certifier,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let (y, m, d) = self.mother_birth;
        plain.extend(date_forms(y, m, d));
        plain
    }
}

const ACCEPTED: Markers = Markers {
    child_given: "鷲之丞",
    child_reading: "ワシノジョウ",
    mother_given: "菫子",
    mother_birth: (1993, 2, 27),
    householder: ("榊原", "巌鉄"),
    domicile: "千代田マーカー五番地",
    residence: "北新宿マーカー町九丁目",
    birthplace: "西新宿マーカー通り七丁目",
    facility: "マーカー記念病院",
    facility_address: "東京都新宿区マーカー坂三丁目",
    certifier: "榎本鶴翁",
};

/// The refused filing: a Latin letter in the child's name.
const REFUSED: Markers = Markers {
    child_given: "鳳X",
    child_reading: "オオトリ",
    mother_given: "椿姫",
    mother_birth: (1991, 10, 9),
    householder: ("柊木", "剛毅"),
    domicile: "麹町マーカー六番地",
    residence: "南青山マーカー坂八丁目",
    birthplace: "代々木マーカー広場四丁目",
    facility: "マーカー第二産院",
    facility_address: "東京都渋谷区マーカー台二丁目",
    certifier: "柳生宗巌",
};

/// The JSON log lines whose message is `request` and whose fields match.
fn request_lines<'a>(lines: &'a [Value], route: &str, status: u64) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|l| l["message"] == "request" && l["route"] == route && l["status"] == status)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_debug_log_carries_requests_but_no_names_addresses_dates_or_tokens() {
    tokio::time::timeout(Duration::from_secs(400), scenario())
        .await
        .expect("the log scenario finishes within 400 s");
}

async fn scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut gw = ServedGateway::start(
        &data,
        "logs",
        &[
            ("BIRTHGATE_LOG_FORMAT", "json"),
            ("BIRTHGATE_LOG_LEVEL", "debug"),
        ],
    )
    .await;
    let client = gw.client();
    let signer = gw.signer();
    let photo = AttachmentPart::new("image/jpeg", photo_jpeg(1600, 1200, 5));
    let prepare = |markers: &Markers| {
        let mut n = notification_now(2);
        with_markers(&mut n, markers);
        PreparedSubmission::from_bytes(
            &signer,
            serde_json::to_vec(&n).expect("json"),
            vec![photo.clone()],
            time::OffsetDateTime::now_utc(),
        )
        .expect("signs")
    };
    let child_born = notification_now(2)["child"]["born_at"]
        .as_str()
        .expect("born_at")
        .to_owned();

    // Accepted, with its status looked up by token (and once with a wrong one).
    let accepted = client
        .submit(&prepare(&ACCEPTED), Some("logs-accepted"), Some("ja"))
        .await
        .expect("answer");
    assert_eq!(accepted.status, 202, "{}", accepted.body_text());
    let filing_id = accepted.body["filing_id"].as_str().expect("id").to_owned();
    let token = accepted.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let status = client.status(&filing_id, &token).await.expect("status");
    assert_eq!(status.status, 200, "{}", status.body_text());
    let wrong_token = "0badc0ffee".repeat(6);
    let denied = client
        .status(&filing_id, &wrong_token)
        .await
        .expect("status");
    assert_eq!(denied.status, 404);

    // Refused, in both languages (the problem messages quote the name).
    for lang in ["ja", "en"] {
        let refused = client
            .submit(&prepare(&REFUSED), None, Some(lang))
            .await
            .expect("answer");
        assert_eq!(refused.status, 422, "{}", refused.body_text());
        assert!(
            refused
                .problem_codes()
                .contains(&"name.char_not_allowed".to_owned()),
            "{:?}",
            refused.problem_codes()
        );
    }

    // A TLS handshake that fails, so the debug level has something to say.
    let mut raw = tokio::net::TcpStream::connect(gw.url.trim_start_matches("https://"))
        .await
        .expect("connect");
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    drop(raw);
    let _ = client.get("/healthz", &SendOptions::default()).await;

    let exit = gw.stop().await;
    assert!(exit.success(), "graceful stop: {exit}");
    let log = std::fs::read_to_string(&gw.stderr_path).expect("stderr");
    let banner = std::fs::read_to_string(&gw.stdout_path).expect("stdout");

    // Every line is JSON, and the request lines are there.
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let submitted = request_lines(&lines, "submit", 202);
    assert_eq!(submitted.len(), 1, "{log}");
    let line = submitted[0];
    assert_eq!(line["filing_id"], filing_id.as_str(), "{line}");
    assert_eq!(line["method"], "POST");
    assert!(line["duration_ms"].is_u64(), "{line}");
    assert!(line["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(line["level"], "INFO");
    let looked_up = request_lines(&lines, "status", 200);
    assert_eq!(looked_up.len(), 1, "{log}");
    assert_eq!(looked_up[0]["filing_id"], filing_id.as_str());
    assert!(looked_up[0]["duration_ms"].is_u64());
    assert_eq!(request_lines(&lines, "status", 404).len(), 1, "{log}");
    let refused = request_lines(&lines, "submit", 422);
    assert_eq!(refused.len(), 2, "{log}");
    assert!(
        refused
            .iter()
            .all(|l| l["filing_id"] == "-" && l["duration_ms"].is_u64())
    );
    assert!(
        lines.iter().any(|l| l["level"] == "DEBUG"),
        "debug level in effect: {log}"
    );

    // Nothing personal, in any form.
    let born =
        time::OffsetDateTime::parse(&child_born, &time::format_description::well_known::Rfc3339)
            .expect("born_at");
    let mut forbidden: Vec<String> = ACCEPTED.forbidden();
    forbidden.extend(REFUSED.forbidden());
    forbidden.extend(date_forms(born.year(), born.month() as u8, born.day()));
    forbidden.push(child_born.clone());
    let (y, m, d) = NOTIFIER_BIRTH_DATE;
    forbidden.extend(date_forms(y, m, d));
    forbidden.extend(
        [
            NOTIFIER_SURNAME,
            NOTIFIER_GIVEN_NAME,
            "海斗",
            "東京都新宿区北新宿二丁目3番4号",
            "北新宿二丁目",
        ]
        .map(str::to_owned),
    );
    forbidden.extend(forbidden.clone().iter().flat_map(|s| escaped_forms(s)));
    forbidden.push(token.clone());
    forbidden.push(wrong_token);
    for (name, text) in [("stderr", &log), ("stdout", &banner)] {
        let found: Vec<&String> = forbidden
            .iter()
            .filter(|f| text.contains(f.as_str()))
            .collect();
        assert!(found.is_empty(), "{name} contains {found:?}:\n{text}");
    }
    // The check can fail: the markers are in what was sent.
    let sent = String::from_utf8_lossy(prepare(&ACCEPTED).notification()).into_owned();
    for marker in ACCEPTED.forbidden().iter().take(11) {
        assert!(sent.contains(marker.as_str()), "{marker} not in the filing");
    }
}
