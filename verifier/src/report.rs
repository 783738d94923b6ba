//! The verification report: what was checked, how it came out, and every
//! problem, in the one [`Problem`] shape.

use formats::{Problem, Severity};
use serde::Serialize;
use time::OffsetDateTime;

use crate::digest::Sha256;
use crate::signature::{SignatureReport, SignatureSubIndication};

/// Version of the report layout.
pub const REPORT_VERSION: &str = "1";

/// The overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing to object to.
    Accept,
    /// Accepted; the warnings go to the clerk (late filing, unusual values …).
    AcceptWithWarnings,
    /// Refused: at least one error. Every problem is listed.
    Reject,
    /// Nothing the parent did is wrong, but the signature could not be
    /// graded yet (revocation data missing or stale, TRY_LATER): accepted
    /// and held, re-verified when the data arrives.
    Hold,
}

/// Size and digest of one received part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartDigestReport {
    /// Part name.
    pub name: String,
    /// Media type it was sent with.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256.
    pub sha256: Sha256,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationReport {
    /// Layout version, `"1"`.
    pub report_version: &'static str,
    /// The outcome.
    pub verdict: Verdict,
    /// The verification time (the receipt time).
    #[serde(with = "time::serde::rfc3339")]
    pub verified_at: OffsetDateTime,
    /// SHA-256 of the manifest part, when received.
    pub manifest_sha256: Option<Sha256>,
    /// Every part received, by digest.
    pub parts: Vec<PartDigestReport>,
    /// The applicant's signature, when a signature part was received.
    pub signature: Option<SignatureReport>,
    /// Findings per attachment.
    pub attachments: Vec<crate::attachment::AttachmentReport>,
    /// Every problem: errors and warnings.
    pub problems: Vec<Problem>,
}

impl VerificationReport {
    /// The verdict that follows from the problems and the signature grade.
    pub(crate) fn decide(problems: &[Problem], signature: Option<&SignatureReport>) -> Verdict {
        if problems.iter().any(|p| p.severity == Severity::Error) {
            Verdict::Reject
        } else if signature.is_some_and(|s| {
            s.sub_indication
                == Some(SignatureSubIndication::Certificate(
                    certs::SubIndication::TryLater,
                ))
        }) {
            Verdict::Hold
        } else if problems.is_empty() {
            Verdict::Accept
        } else {
            Verdict::AcceptWithWarnings
        }
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }
}
