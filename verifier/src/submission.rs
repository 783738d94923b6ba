//! The one call: the parts of a submission in; the graded report and, when
//! nothing blocks, the family-register record out. Pure: the bytes, a trust
//! store, revocation data, the verification time and a policy are handed
//! in; nothing is read from disk, network or clock.

use std::collections::HashMap;
use std::sync::Arc;

use certs::{RevocationData, TrustStore};
use formats::record::AttachmentDigest;
use formats::{FamilyRegisterFiling, FilingRoute, Problem, ValidationContext};
use time::OffsetDateTime;

use crate::attachment::{self, AttachmentPolicy, PdfTextExtractor};
use crate::codes::VerifierCode;
use crate::identity::bind_identity;
use crate::manifest::{
    self, MANIFEST_PART, Manifest, NOTIFICATION_PART, Part, SIGNATURE_PART, attachment_index,
};
use crate::report::{PartDigestReport, REPORT_VERSION, Verdict, VerificationReport};
use crate::signature::{SignatureSubIndication, check_signature};

/// The parts of a submission as received (all of them, including the
/// manifest and the signature), in the order received.
#[derive(Debug, Clone, Default)]
pub struct Submission<'a> {
    /// The parts.
    pub parts: Vec<Part<'a>>,
}

/// Limits and thresholds of a verification.
#[derive(Clone)]
pub struct VerificationPolicy {
    /// Attachment limits and legibility thresholds.
    pub attachments: AttachmentPolicy,
    /// Most attachments accepted.
    pub max_attachments: usize,
    /// The route the filing came by.
    pub route: FilingRoute,
    /// How PDF text layers are extracted (contained: it may panic or loop).
    pub pdf_text: Arc<dyn PdfTextExtractor>,
}

impl VerificationPolicy {
    /// The online route with these attachment settings and the in-process,
    /// time-limited PDF text extractor.
    pub fn online(attachments: AttachmentPolicy, max_attachments: usize) -> Self {
        Self {
            pdf_text: Arc::new(attachment::InProcessPdfText),
            attachments,
            max_attachments,
            route: FilingRoute::Online,
        }
    }
}

impl std::fmt::Debug for VerificationPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationPolicy")
            .field("attachments", &self.attachments)
            .field("max_attachments", &self.max_attachments)
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

/// The result of [`verify`].
#[derive(Debug, Clone)]
pub struct Verification {
    /// The report.
    pub report: VerificationReport,
    /// The record, when the verdict is accept, accept with warnings or hold.
    pub record: Option<FamilyRegisterFiling>,
    /// Metadata-stripped copies of the attachments, by part name.
    pub stripped: Vec<(String, Vec<u8>)>,
    /// The receiving municipality's code, when the notification named one.
    pub receiving_municipality: Option<String>,
}

fn missing(name: &str) -> Problem {
    Problem::new(
        VerifierCode::SubmissionMissingPart,
        name,
        format!("「{name}」パートがありません。"),
        format!("The '{name}' part is missing."),
    )
}

/// Verifies a whole submission at `at` (the time of receipt).
pub fn verify(
    submission: &Submission<'_>,
    trust: &TrustStore,
    revocation: &RevocationData,
    at: OffsetDateTime,
    policy: &VerificationPolicy,
) -> Verification {
    let mut problems: Vec<Problem> = Vec::new();
    // Each part is hashed exactly once (or not at all, when the receiver
    // hashed it while reading).
    let all: Vec<Part<'_>> = submission
        .parts
        .iter()
        .map(|p| Part {
            sha256: Some(p.digest()),
            ..*p
        })
        .collect();

    // 1. Which parts arrived.
    let mut by_name: HashMap<&str, &Part<'_>> = HashMap::new();
    let mut attachments: Vec<&Part<'_>> = Vec::new();
    for part in &all {
        if by_name.insert(part.name, part).is_some() {
            problems.push(Problem::new(
                VerifierCode::SubmissionDuplicatePart,
                part.name,
                format!("「{}」パートが重複しています。", part.name),
                format!("Part '{}' appears more than once.", part.name),
            ));
            continue;
        }
        match part.name {
            MANIFEST_PART | NOTIFICATION_PART | SIGNATURE_PART => {}
            n if attachment_index(n).is_some() => attachments.push(part),
            n => problems.push(Problem::new(
                VerifierCode::SubmissionUnexpectedPart,
                n,
                format!("「{n}」は定義されていないパートです(manifest, notification, signature, certificate-N)。"),
                format!("Part '{n}' is not part of the contract (manifest, notification, signature, certificate-N)."),
            )),
        }
    }
    attachments.sort_by_key(|p| attachment_index(p.name));
    for required in [MANIFEST_PART, NOTIFICATION_PART, SIGNATURE_PART] {
        if !by_name.contains_key(required) {
            problems.push(missing(required));
        }
    }
    if attachments.is_empty() {
        problems.push(missing("certificate-1"));
    }
    if attachments.len() > policy.max_attachments {
        problems.push(Problem::new(
            VerifierCode::SubmissionTooManyAttachments,
            "",
            format!("添付は{}件までです。", policy.max_attachments),
            format!(
                "At most {} attachments are accepted.",
                policy.max_attachments
            ),
        ));
    }

    // 2. The manifest and what it covers.
    let manifest_part = by_name.get(MANIFEST_PART).copied();
    let manifest_sha256 = manifest_part.map(Part::digest);
    let mut hash_failure = false;
    if let Some(m) = manifest_part {
        match Manifest::parse(m.bytes) {
            Ok(manifest) => {
                let content: Vec<Part<'_>> = all
                    .iter()
                    .filter(|p| p.name != MANIFEST_PART && p.name != SIGNATURE_PART)
                    .copied()
                    .collect();
                let found = manifest::check_parts(&manifest, &content);
                hash_failure = !found.is_empty();
                problems.extend(found);
            }
            Err(found) => {
                hash_failure = true;
                problems.extend(found);
            }
        }
    }

    // 3. The signature over the manifest, and who signed.
    let mut signature_report = None;
    let mut holder = None;
    if let (Some(m), Some(s)) = (manifest_part, by_name.get(SIGNATURE_PART)) {
        let check = check_signature(s.bytes, m.bytes, trust, revocation, at);
        let mut report = check.report;
        if hash_failure && report.indication == certs::Indication::TotalPassed {
            // The signature is sound but the signed manifest does not cover
            // the bytes received: the signed data objects fail.
            report.indication = certs::Indication::TotalFailed;
            report.sub_indication = Some(SignatureSubIndication::HashFailure);
        }
        problems.extend(check.problems);
        holder = check.holder;
        signature_report = Some(report);
    }

    // 4. The notification itself.
    let ctx = ValidationContext {
        received_at: at,
        route: policy.route,
    };
    let notification_check = by_name
        .get(NOTIFICATION_PART)
        .map(|n| formats::check_notification(n.bytes, &ctx));
    let mut record = None;
    let mut receiving_municipality = None;
    let mut transcribed = None;
    if let Some(check) = &notification_check {
        problems.extend(check.problems.iter().cloned());
        if let Some(n) = &check.notification {
            receiving_municipality = Some(n.receiving_municipality.as_str().to_owned());
            transcribed = n.certificate.clone();
            if let Some(h) = &holder {
                problems.extend(bind_identity(h, &n.notifier));
            }
        }
        record = check.record.clone();
    }

    // 5. The attachments.
    let mut attachment_reports = Vec::new();
    let mut stripped = Vec::new();
    for part in &attachments {
        let mut r = attachment::inspect(
            part.name,
            part.media_type,
            part.bytes,
            &policy.attachments,
            policy.pdf_text.as_ref(),
            transcribed.as_ref(),
        );
        problems.extend(r.problems.iter().cloned());
        if let Some(copy) = r.stripped.take() {
            stripped.push((part.name.to_owned(), copy));
        }
        attachment_reports.push(r);
    }

    let verdict = VerificationReport::decide(&problems, signature_report.as_ref());
    if verdict == Verdict::Reject {
        record = None;
    }
    if let Some(r) = record.as_mut() {
        r.attachments = attachments
            .iter()
            .zip(&attachment_reports)
            .map(|(p, a)| AttachmentDigest {
                part: p.name.to_owned(),
                media_type: a
                    .sniffed_media_type
                    .clone()
                    .unwrap_or_else(|| p.media_type.to_owned()),
                size: p.bytes.len() as u64,
                sha256: p.digest().to_hex(),
            })
            .collect();
        // The clerk sees every warning, not only the notification's.
        let already: Vec<Problem> = r.warnings.clone();
        r.warnings.extend(
            problems
                .iter()
                .filter(|p| !p.is_error() && !already.contains(p))
                .cloned(),
        );
    }
    let parts = all
        .iter()
        .map(|p| PartDigestReport {
            name: p.name.to_owned(),
            media_type: p.media_type.to_owned(),
            size: p.bytes.len() as u64,
            sha256: p.digest(),
        })
        .collect();
    Verification {
        report: VerificationReport {
            report_version: REPORT_VERSION,
            verdict,
            verified_at: at,
            manifest_sha256,
            parts,
            signature: signature_report,
            attachments: attachment_reports,
            problems,
        },
        record,
        stripped,
        receiving_municipality,
    }
}
