//! Trust anchors, chain building and revocation, the JPKI signing-certificate
//! profile, and the dev PKI generator.
//!
//! The crate answers one question for the verifier: *is this certificate, at
//! this time, a valid JPKI 署名用電子証明書 of a living holder, and who is
//! the holder?* — [`validate_signing_certificate`] takes certificate bytes, a
//! [`TrustStore`], [`RevocationData`] and a time, and returns either a
//! [`ValidatedSigningCertificate`] (with the holder's [`HolderAttributes`]) or
//! a [`ValidationError`] that grades itself like ETSI EN 319 102-1
//! ([`Indication`], [`SubIndication`]). Validation is pure: no I/O, no clock.
//!
//! It also generates every certificate the project and its tests need
//! ([`generate_dev_pki`]), deterministically from a seed and a reference time.
//!
//! # Layout
//!
//! - [`trust_store`]: trust anchors with the policy OIDs each may vouch for,
//!   intermediates, PEM/DER file and directory loading.
//! - [`revocation`]: CRL parsing (own strict DER reader), signature checks
//!   against the issuer's key, O(1) per-certificate status.
//! - [`holder`]: the JPKI holder attributes in subjectAltName `otherName`
//!   and the `EYYYYMMDD` birth-date decoder.
//! - [`validation`]: path building with rustls-webpki plus what it leaves
//!   out (end-entity keyUsage, policies, revocation, profile), and the ETSI
//!   grading of the outcome.
//! - `path` (private): the path validator used instead of webpki for
//!   certificates whose certificatePolicies is critical, as the J-LIS
//!   profile has it (webpki refuses any critical extension it does not know).
//! - [`client_identity`]: municipality and medical-institution codes carried
//!   by mTLS client certificates.
//! - [`devpki`]: the dev PKI generator, its in-memory API and its files
//!   (`birthgate-devpki --out DIR` is the command-line entry).
//! - `der` (private): the minimal DER reader/writer used on untrusted bytes.
//!
//! # Example
//!
//! ```no_run
//! use certs::{DevCert, DevPkiOptions, generate_dev_pki, grade, validate_signing_certificate};
//!
//! let pki = generate_dev_pki(&DevPkiOptions::fixture())?;
//! let outcome = validate_signing_certificate(
//!     &pki.trust_store(),
//!     &pki.revocation_data(),
//!     pki.get(DevCert::NotifierRevoked).certificate.as_ref(),
//!     &[],
//!     DevPkiOptions::FIXTURE_TIME,
//! );
//! let (indication, sub) = grade(&outcome);
//! assert_eq!(indication.as_str(), "TOTAL-FAILED");
//! assert_eq!(sub.map(|s| s.as_str()), Some("REVOKED"));
//! # Ok::<(), certs::DevPkiError>(())
//! ```
//!
//! # Fixtures
//!
//! `certs/tests/fixtures/` is the generator's output for
//! [`DevPkiOptions::fixture`] and is checked byte for byte by the tests.
//! After a deliberate generator change, regenerate it with
//! `rm -r certs/tests/fixtures && cargo run -p certs --bin birthgate-devpki -- --out certs/tests/fixtures --fixture`.
//!
//! # Testing
//!
//! `cargo test -p certs` covers every validation case at the fixture time,
//! the fixtures' reproducibility, an `openssl verify` cross-check (requires
//! `/usr/bin/openssl`), and property tests of the parsers.
//! `cargo bench -p certs` prints chain validations per second and CRL
//! figures at 1,000,000 entries. `certs/fuzz` holds cargo-fuzz targets
//! (`cd certs/fuzz && cargo +nightly fuzz run holder_san`, `crl`,
//! `certificate`).
#![forbid(unsafe_code)]

pub mod client_identity;
mod der;
pub mod devpki;
pub mod holder;
mod path;
pub mod revocation;
pub mod trust_store;
pub mod validation;

pub use der::DerError;
pub use devpki::{
    DevCert, DevCrl, DevPki, DevPkiError, DevPkiOptions, IssuedCertificate, generate_dev_pki,
};
pub use holder::{
    BirthDateError, Era, HolderAttribute, HolderAttributeError, HolderAttributes, JpkiBirthDate,
    Sex, decode_birth_date, encode_holder_san, holder_attributes_from_san,
};
/// The rcgen this crate generates with, for [`DevPki::issue_variant`] callers.
pub use rcgen;
pub use revocation::{
    Crl, CrlError, CrlIssuer, RevocationData, RevocationReason, RevocationStatus, UnknownStatus,
};
pub use trust_store::{PolicyOid, TrustStore, TrustStoreError, certificates_from_bytes};
pub use validation::{
    ChainFailure, Indication, SerialNumber, SubIndication, ValidatedSigningCertificate,
    ValidationError, grade, holder_attributes, validate_signing_certificate,
};
