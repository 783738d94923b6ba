//! Whole submissions through [`verifier::verify`]: dev-PKI fixtures of the
//! `certs` crate, verified at a fixed time (CRLs fresh 2026-03-31 to
//! 2026-05-01), signatures by the project's own signer and by `openssl cms`.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use verifier::attachment::AttachmentPolicy;
use verifier::manifest::{Manifest, Part};
use verifier::report::Verdict;
use verifier::signer::{SignOptions, sign_detached};
use verifier::{Submission, VerificationPolicy, verify};

use support::{jpki_fixtures as fixtures, jpki_trust as trust, read_fixture as read};

const AT: OffsetDateTime = datetime!(2026-04-15 03:00 UTC);

/// The example notification, born 2026-04-10 (filed within the period at AT).
fn notification() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/notification.json"),
    )
    .expect("example");
    let mut v: Value = serde_json::from_str(&text).expect("json");
    v["child"]["born_at"] = json!("2026-04-10T09:05:00+09:00");
    v["certificate"]["born_at"] = json!("2026-04-10T09:05:00+09:00");
    v["certificate"]["certified_on"] = json!("2026-04-10");
    v
}

fn photo() -> Vec<u8> {
    let page = support::certificate_page(2480, 3508, 7);
    support::jpeg(&support::photo_of(&page, 1600, 1200, 7, 4.0), 90)
}

/// The parts of a submission, owned.
struct Parts(Vec<(String, String, Vec<u8>)>);

impl Parts {
    fn get_mut(&mut self, name: &str) -> &mut Vec<u8> {
        &mut self.0.iter_mut().find(|(n, ..)| n == name).expect("part").2
    }
    fn remove(&mut self, name: &str) {
        self.0.retain(|(n, ..)| n != name);
    }
    fn verify_at(&self, at: OffsetDateTime) -> verifier::Verification {
        let (store, crls) = trust();
        let submission = Submission {
            parts: self
                .0
                .iter()
                .map(|(name, media_type, bytes)| Part {
                    name,
                    media_type,
                    bytes,
                    sha256: None,
                })
                .collect(),
        };
        verify(
            &submission,
            &store,
            &crls,
            at,
            &VerificationPolicy::online(AttachmentPolicy::default(), 10),
        )
    }
    fn codes(&self) -> Vec<String> {
        let mut c: Vec<String> = self
            .verify_at(AT)
            .report
            .problems
            .into_iter()
            .filter(|p| p.is_error())
            .map(|p| p.code)
            .collect();
        c.sort();
        c.dedup();
        c
    }
}

/// A submission of `notification` with `attachments`, signed by `stem`.
fn submission_by(
    stem: &str,
    ca: &str,
    notification: &Value,
    attachments: Vec<(&str, Vec<u8>)>,
) -> Parts {
    let n = serde_json::to_vec(notification).expect("json");
    let listed: Vec<(&str, &[u8])> = attachments
        .iter()
        .map(|(t, b)| (*t, b.as_slice()))
        .collect();
    let manifest = Manifest::for_parts(&n, &listed).to_bytes();
    let signature = sign_detached(
        &manifest,
        &read(&format!("{stem}.der")),
        &[&read(&format!("{ca}.der"))],
        &read(&format!("{stem}.key.der")),
        SignOptions {
            signed_attributes: true,
            signing_time: AT,
        },
    )
    .expect("signs");
    let mut parts = vec![
        (
            "manifest".to_owned(),
            "application/json".to_owned(),
            manifest,
        ),
        ("notification".to_owned(), "application/json".to_owned(), n),
        (
            "signature".to_owned(),
            "application/pkcs7-signature".to_owned(),
            signature,
        ),
    ];
    for (i, (t, b)) in attachments.into_iter().enumerate() {
        parts.push((format!("certificate-{}", i + 1), t.to_owned(), b));
    }
    Parts(parts)
}

fn valid() -> Parts {
    submission_by(
        "notifier",
        "signing-ca-g1",
        &notification(),
        vec![("image/jpeg", photo())],
    )
}

#[test]
fn valid_submission_is_accepted_with_a_record() {
    let v = valid().verify_at(AT);
    let errors: Vec<&formats::Problem> =
        v.report.problems.iter().filter(|p| p.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        matches!(
            v.report.verdict,
            Verdict::Accept | Verdict::AcceptWithWarnings
        ),
        "{:?}",
        v.report.verdict
    );
    let record = v.record.expect("record");
    assert_eq!(record.attachments.len(), 1);
    assert_eq!(record.attachments[0].media_type, "image/jpeg");
    assert_eq!(record.child.father.as_deref(), Some("𠮷田\u{FA45}斗"));
    assert_eq!(v.receiving_municipality.as_deref(), Some("131016"));
    assert_eq!(
        v.stripped.len(),
        1,
        "a metadata-stripped copy for the clerk"
    );
    assert_eq!(
        v.report.signature.as_ref().map(|s| s.indication),
        Some(certs::Indication::TotalPassed)
    );
    // The report serializes (it is stored and shown to clerks).
    let json = serde_json::to_value(&v.report).expect("serializes");
    assert_eq!(
        json["verdict"],
        json!(if v.report.problems.is_empty() {
            "accept"
        } else {
            "accept_with_warnings"
        })
    );
}

#[test]
fn openssl_signed_submission_is_accepted() {
    let mut parts = valid();
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = dir.path().join("manifest.json");
    let out = dir.path().join("signature.der");
    std::fs::write(&manifest, &parts.0[0].2).expect("write");
    let f = |n: &str| fixtures().join(n).to_string_lossy().into_owned();
    let status = Command::new("openssl")
        .args([
            "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
        ])
        .args([
            "-in",
            &manifest.to_string_lossy(),
            "-out",
            &out.to_string_lossy(),
        ])
        .args([
            "-signer",
            &f("notifier.pem"),
            "-inkey",
            &f("notifier.key.pem"),
            "-certfile",
            &f("signing-ca-g1.pem"),
        ])
        .status()
        .expect("the openssl CLI must be installed for this test");
    assert!(status.success());
    *parts.get_mut("signature") = std::fs::read(out).expect("signature");
    assert_eq!(parts.codes(), Vec::<String>::new());
}

#[test]
fn tampering_and_part_discrepancies_are_hash_failures_naming_the_part() {
    let mut p = valid();
    let img = p.get_mut("certificate-1");
    let mid = img.len() / 2;
    img[mid] ^= 0x01;
    let v = p.verify_at(AT);
    let hash: Vec<&formats::Problem> = v
        .report
        .problems
        .iter()
        .filter(|x| x.code == "manifest.hash_failure")
        .collect();
    assert_eq!(hash.len(), 1);
    assert_eq!(hash[0].pointer, "certificate-1");
    assert_eq!(v.report.verdict, Verdict::Reject);
    assert_eq!(
        v.report.signature.as_ref().and_then(|s| s.sub_indication),
        Some(verifier::signature::SignatureSubIndication::HashFailure)
    );

    let mut p = valid();
    let n = p.get_mut("notification");
    let at = n.iter().position(|b| *b == b'3').expect("a digit");
    n[at] = b'4';
    assert!(p.codes().contains(&"manifest.hash_failure".to_owned()));

    let mut p = valid();
    p.0.push(("certificate-2".to_owned(), "image/jpeg".to_owned(), photo()));
    assert_eq!(p.codes(), ["manifest.unlisted_part"]);

    let mut p = valid();
    p.remove("certificate-1");
    assert_eq!(
        p.codes(),
        ["manifest.part_not_received", "submission.missing_part"]
    );

    let mut p = valid();
    p.remove("signature");
    assert_eq!(p.codes(), ["submission.missing_part"]);

    let mut p = valid();
    p.0.push(("extra".to_owned(), "text/plain".to_owned(), b"x".to_vec()));
    assert!(p.codes().contains(&"submission.unexpected_part".to_owned()));
}

#[test]
fn signer_certificate_outcomes() {
    for (stem, ca, code) in [
        (
            "notifier-revoked",
            "signing-ca-g1",
            "signature.certificate_revoked",
        ),
        (
            "notifier-expired",
            "signing-ca-g1",
            "signature.certificate_expired",
        ),
        (
            "notifier-wrong-policy",
            "signing-ca-g1",
            "signature.certificate_profile",
        ),
        (
            "notifier-untrusted",
            "untrusted-signing-ca",
            "signature.certificate_untrusted",
        ),
    ] {
        let p = submission_by(stem, ca, &notification(), vec![("image/jpeg", photo())]);
        let v = p.verify_at(AT);
        assert_eq!(v.report.verdict, Verdict::Reject, "{stem}");
        assert!(
            v.report.problems.iter().any(|x| x.code == code),
            "{stem}: {:?}",
            v.report.problems
        );
        assert!(v.record.is_none());
    }
}

#[test]
fn stale_crl_holds_the_filing() {
    // 2026-05-10: CRLs expired on 05-01. Born 05-05 so the filing is timely.
    let mut n = notification();
    n["child"]["born_at"] = json!("2026-05-05T09:05:00+09:00");
    n["certificate"]["born_at"] = json!("2026-05-05T09:05:00+09:00");
    n["certificate"]["certified_on"] = json!("2026-05-05");
    let p = submission_by(
        "notifier",
        "signing-ca-g1",
        &n,
        vec![("image/jpeg", photo())],
    );
    let v = p.verify_at(datetime!(2026-05-10 03:00 UTC));
    assert_eq!(v.report.verdict, Verdict::Hold, "{:?}", v.report.problems);
    assert!(
        v.report
            .problems
            .iter()
            .any(|x| x.code == "signature.revocation_unavailable")
    );
    assert!(
        v.record.is_some(),
        "a held filing keeps its record for later"
    );
}

#[test]
fn notifier_must_be_the_certificate_holder() {
    // The g2 notifier (佐藤 太郎) signs a filing whose notifier is 𠮷田 海斗.
    let p = submission_by(
        "notifier-g2",
        "signing-ca-g2",
        &notification(),
        vec![("image/jpeg", photo())],
    );
    let v = p.verify_at(AT);
    let codes: Vec<&str> = v.report.problems.iter().map(|x| x.code.as_str()).collect();
    assert!(
        codes.contains(&"identity.name_mismatch")
            && codes.contains(&"identity.birth_date_mismatch"),
        "{codes:?}"
    );
    let m = v
        .report
        .problems
        .iter()
        .find(|x| x.code == "identity.name_mismatch")
        .expect("problem");
    assert!(
        m.message_ja.contains("佐藤") && m.message_ja.contains("𠮷田"),
        "names both: {}",
        m.message_ja
    );
    assert_eq!(v.report.verdict, Verdict::Reject);
}

#[test]
fn attachment_problems_through_the_whole_submission() {
    let page = support::certificate_page(2480, 3508, 7);
    let sharp = support::photo_of(&page, 1600, 1200, 7, 4.0);
    let png = support::png(&sharp);
    type Case<'a> = (&'a str, Vec<(&'a str, Vec<u8>)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            "png declared as jpeg",
            vec![("image/jpeg", png.clone())],
            "attachment.media_type_mismatch",
        ),
        (
            "truncated jpeg",
            vec![("image/jpeg", photo()[..20_000].to_vec())],
            "attachment.corrupt",
        ),
        (
            "blank",
            vec![(
                "image/jpeg",
                support::jpeg(&support::Gray::new(1600, 1200, 200), 90),
            )],
            "attachment.blank",
        ),
        (
            "blurred",
            vec![("image/jpeg", support::jpeg(&support::blur(&sharp, 8.0), 90))],
            "attachment.blurred",
        ),
    ];
    for (name, attachments, code) in cases {
        let p = submission_by("notifier", "signing-ca-g1", &notification(), attachments);
        let v = p.verify_at(AT);
        assert!(
            v.report
                .problems
                .iter()
                .any(|x| x.code == code && x.pointer == "certificate-1"),
            "{name}: {:?}",
            v.report.problems
        );
        assert_eq!(v.report.verdict, Verdict::Reject, "{name}");
    }
}
