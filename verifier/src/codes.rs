//! The problem codes of the verifier (besides the `formats` codes of the
//! notification and the `attachment.*` codes of [`crate::attachment`]).
//! `verifier/PROBLEMS.md` is generated from these lists.

formats::define_problem_codes! {
    /// Problems with the submission as a whole, the manifest, the signature
    /// and the signer's identity.
    pub enum VerifierCode {
        /// A required part (`manifest`, `notification`, `signature`, at least one `certificate-N`) is missing.
        SubmissionMissingPart = "submission.missing_part", Error;
        /// A part whose name the contract does not define.
        SubmissionUnexpectedPart = "submission.unexpected_part", Error;
        /// The same part name appears twice.
        SubmissionDuplicatePart = "submission.duplicate_part", Error;
        /// More attachments than the policy allows.
        SubmissionTooManyAttachments = "submission.too_many_attachments", Error;
        /// The manifest is not the JSON document the contract defines.
        ManifestMalformed = "manifest.malformed", Error;
        /// The manifest's version is not one this gateway reads.
        ManifestVersionUnsupported = "manifest.version_unsupported", Error;
        /// A part's SHA-256 or size differs from the manifest: the signed manifest does not cover these bytes (HASH_FAILURE).
        ManifestHashFailure = "manifest.hash_failure", Error;
        /// A part was received that the manifest does not list (HASH_FAILURE: its bytes are not signed).
        ManifestUnlistedPart = "manifest.unlisted_part", Error;
        /// The manifest lists a part that was not received (HASH_FAILURE).
        ManifestPartNotReceived = "manifest.part_not_received", Error;
        /// The media type a part was sent with differs from the one the manifest lists.
        ManifestMediaTypeMismatch = "manifest.media_type_mismatch", Error;
        /// The signature part is not DER CMS SignedData (FORMAT_FAILURE).
        SignatureMalformed = "signature.malformed", Error;
        /// The CMS carries the content instead of being detached over the manifest.
        SignatureNotDetached = "signature.not_detached", Error;
        /// The CMS has no signer, or more than one.
        SignatureSignerCount = "signature.signer_count", Error;
        /// The signer's certificate is not in the CMS (NO_SIGNING_CERTIFICATE_FOUND).
        SignatureCertificateMissing = "signature.certificate_missing", Error;
        /// Digest or signature algorithm not accepted (CRYPTO_CONSTRAINTS_FAILURE).
        SignatureAlgorithmUnsupported = "signature.algorithm_unsupported", Error;
        /// The signed messageDigest or contentType attribute does not match the manifest (HASH_FAILURE).
        SignatureMessageDigestMismatch = "signature.message_digest_mismatch", Error;
        /// The signature value does not verify with the signer's key (SIG_CRYPTO_FAILURE).
        SignatureInvalid = "signature.invalid", Error;
        /// The signer's certificate chains to no trusted JPKI anchor (NO_CERTIFICATE_CHAIN_FOUND).
        SignatureUntrusted = "signature.certificate_untrusted", Error;
        /// The signer's certificate was revoked (REVOKED): the card was renewed, lost, or the name or address changed.
        SignatureRevoked = "signature.certificate_revoked", Error;
        /// The signer's certificate expired (EXPIRED).
        SignatureExpired = "signature.certificate_expired", Error;
        /// The signer's certificate is not yet valid (NOT_YET_VALID).
        SignatureNotYetValid = "signature.certificate_not_yet_valid", Error;
        /// The signer's certificate violates the JPKI signing profile: key usage, policy, basic constraints (CHAIN_CONSTRAINTS_FAILURE).
        SignatureProfile = "signature.certificate_profile", Error;
        /// The signer's certificate could not be validated for another reason (CERTIFICATE_CHAIN_GENERAL_FAILURE, CRYPTO_CONSTRAINTS_FAILURE, FORMAT_FAILURE).
        SignatureCertificateInvalid = "signature.certificate_invalid", Error;
        /// Revocation data for the signer's certificate is missing or stale (TRY_LATER): the filing is held, not rejected, and re-verified when data arrives.
        SignatureRevocationUnavailable = "signature.revocation_unavailable", Warning;
        /// The JPKI holder's name differs from the notifier's name.
        IdentityNameMismatch = "identity.name_mismatch", Error;
        /// The JPKI holder's birth date differs from the notifier's.
        IdentityBirthDateMismatch = "identity.birth_date_mismatch", Error;
        /// The JPKI name uses substitute characters (代替文字): a clerk must compare the names by eye.
        IdentitySubstituteCharacters = "identity.substitute_characters", Warning;
        /// The holder attributes of the signer's certificate could not be read.
        IdentityUnreadable = "identity.unreadable", Error;
    }
}
