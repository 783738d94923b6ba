//! Verification of a whole submission: one pure call, [`verify`], takes the
//! parts of a submission (bytes with their declared media types), a trust
//! store with revocation data, the verification time and a policy, and
//! returns a graded [`report::VerificationReport`] and — when nothing
//! blocks — the normalized `FamilyRegisterFiling` of the `formats` crate.
//! No network, disk or clock of its own.
//!
//! What it checks: every part listed in the signed manifest and every digest
//! and size equal to the bytes received ([`manifest`]); the detached CMS
//! signature over the manifest and the signer's JPKI certificate, graded
//! like ETSI EN 319 102-1 ([`signature`]); that the signer is the notifier
//! ([`identity`]); the notification's rules (`formats`); and every
//! attachment's type, integrity, legibility and metadata ([`attachment`]).
//!
//! # Layout
//! - [`submission`] — [`verify`], [`Submission`], [`VerificationPolicy`], [`Verification`].
//! - [`manifest`] — the signed manifest and the part checks.
//! - [`signature`] — CMS SignedData verification; [`signer`] — the project's own signer.
//! - [`identity`] — JPKI holder ↔ notifier binding.
//! - [`attachment`] — images and PDFs of the 出生証明書.
//! - [`report`] — the report and the verdict; [`codes`] — the verifier's problem codes.
//! - [`digest`] — SHA-256 of parts.
#![forbid(unsafe_code)]

pub mod attachment;
pub mod codes;
pub mod digest;
pub mod identity;
pub mod manifest;
pub mod report;
pub mod signature;
pub mod signer;
pub mod submission;

pub use submission::{Submission, Verification, VerificationPolicy, verify};
