//! The project's own CMS signer: a detached SignedData over the manifest,
//! shaped like `openssl cms -sign -binary -outform DER -md sha256` makes it
//! (IssuerAndSerialNumber signer identifier, SHA-256, `rsaEncryption` as the
//! signature algorithm for RSA keys, and by default the signed attributes
//! contentType, signingTime and messageDigest).
//!
//! Used by `birthgate submit`, the load tool and the tests; on a real
//! My Number card the signature is made by the card, not by this code.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, RsaKeyPair};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;

/// Why a signature could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The certificate is not DER X.509.
    #[error("the signer certificate is not DER X.509: {detail}")]
    Certificate {
        /// The parser's message.
        detail: String,
    },
    /// The key is not a PKCS#8 RSA, P-256 or P-384 private key.
    #[error("the private key is not PKCS#8 RSA (2048-8192), P-256 or P-384")]
    Key,
    /// The key does not belong to the certificate.
    #[error("the private key does not match the certificate's public key")]
    KeyMismatch,
    /// Encoding failed (should not happen for well-formed inputs).
    #[error("CMS encoding failed: {detail}")]
    Encoding {
        /// The encoder's message.
        detail: String,
    },
}

/// Options of the signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignOptions {
    /// Add contentType, signingTime and messageDigest signed attributes (as
    /// OpenSSL does by default); without them the signature is over the
    /// manifest bytes directly (`openssl cms -noattr`).
    pub signed_attributes: bool,
    /// The signingTime to claim.
    pub signing_time: OffsetDateTime,
}

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");

enum Key {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair, bool),
}

fn enc(e: der::Error) -> SignError {
    SignError::Encoding {
        detail: e.to_string(),
    }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(enc)?,
    })
}

/// Signs `content` (the manifest bytes): returns the DER CMS SignedData,
/// detached, with `certificate` (and `chain`) included.
pub fn sign_detached(
    content: &[u8],
    certificate: &[u8],
    chain: &[&[u8]],
    pkcs8_key: &[u8],
    options: SignOptions,
) -> Result<Vec<u8>, SignError> {
    let rng = SystemRandom::new();
    let cert = Certificate::from_der(certificate).map_err(|e| SignError::Certificate {
        detail: e.to_string(),
    })?;
    let key = if let Ok(k) = RsaKeyPair::from_pkcs8(pkcs8_key) {
        Key::Rsa(k)
    } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        pkcs8_key,
        &rng,
    ) {
        Key::Ecdsa(k, false)
    } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(
        &ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        pkcs8_key,
        &rng,
    ) {
        Key::Ecdsa(k, true)
    } else {
        return Err(SignError::Key);
    };
    let public = match &key {
        Key::Rsa(k) => ring::signature::KeyPair::public_key(k).as_ref().to_vec(),
        Key::Ecdsa(k, _) => ring::signature::KeyPair::public_key(k).as_ref().to_vec(),
    };
    if public
        != cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    {
        return Err(SignError::KeyMismatch);
    }
    let (digest_oid, digest_alg) = match &key {
        Key::Ecdsa(_, true) => (ID_SHA384, &ring::digest::SHA384),
        _ => (ID_SHA256, &ring::digest::SHA256),
    };
    let digest = ring::digest::digest(digest_alg, content);

    let signed_attrs = if options.signed_attributes {
        let time =
            x509_cert::time::Time::try_from(std::time::SystemTime::from(options.signing_time))
                .map_err(enc)?;
        let attrs = vec![
            attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(enc)?)?,
            attribute(ID_SIGNING_TIME, Any::encode_from(&time).map_err(enc)?)?,
            attribute(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(digest.as_ref()).map_err(enc)?).map_err(enc)?,
            )?,
        ];
        Some(SetOfVec::try_from(attrs).map_err(enc)?)
    } else {
        None
    };
    let to_sign = match &signed_attrs {
        Some(attrs) => attrs.to_der().map_err(enc)?,
        None => content.to_vec(),
    };
    let (signature, signature_algorithm) = match &key {
        Key::Rsa(k) => {
            let mut sig = vec![0u8; k.public().modulus_len()];
            k.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, &to_sign, &mut sig)
                .map_err(|_| SignError::Key)?;
            (
                sig,
                AlgorithmIdentifierOwned {
                    oid: RSA_ENCRYPTION,
                    parameters: Some(Any::null()),
                },
            )
        }
        Key::Ecdsa(k, p384) => {
            let sig = k.sign(&rng, &to_sign).map_err(|_| SignError::Key)?;
            (
                sig.as_ref().to_vec(),
                AlgorithmIdentifierOwned {
                    oid: if *p384 {
                        ECDSA_WITH_SHA384
                    } else {
                        ECDSA_WITH_SHA256
                    },
                    parameters: None,
                },
            )
        }
    };
    let digest_algorithm = AlgorithmIdentifierOwned {
        oid: digest_oid,
        parameters: None,
    };
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_algorithm.clone(),
        signed_attrs,
        signature_algorithm,
        signature: OctetString::new(signature).map_err(enc)?,
        unsigned_attrs: None,
    };
    let mut certificates = vec![CertificateChoices::Certificate(cert)];
    for c in chain {
        certificates.push(CertificateChoices::Certificate(
            Certificate::from_der(c).map_err(|e| SignError::Certificate {
                detail: e.to_string(),
            })?,
        ));
    }
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_algorithm]).map_err(enc)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(certificates).map_err(enc)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer]).map_err(enc)?,
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(enc)?,
    }
    .to_der()
    .map_err(enc)
}
