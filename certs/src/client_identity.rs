//! 接続元の識別 — which municipality or medical institution an mTLS client
//! certificate speaks for.
//!
//! The dev PKI (and the production convention this crate proposes) carries
//! the code as a subjectAltName URI: `urn:birthgate:municipality:<6 digits>`
//! for a 全国地方公共団体コード, `urn:birthgate:medical-institution:<10
//! digits>` for a 医療機関コード. A URI is machine-readable and cannot be
//! confused with the human-readable subject fields. Check-digit validation of
//! municipality codes belongs to the `formats` crate.

use x509_parser::extensions::{GeneralName, ParsedExtension};

use crate::devpki::{MEDICAL_INSTITUTION_URI_PREFIX, MUNICIPALITY_URI_PREFIX};

/// Who an mTLS client certificate identifies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientIdentity {
    /// 市区町村 — a 6-digit 全国地方公共団体コード.
    Municipality(String),
    /// 医療機関 — a 10-digit medical institution code.
    MedicalInstitution(String),
}

/// Why no identity could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientIdentityError {
    /// The bytes are not a parsable certificate.
    #[error("client certificate is malformed: {detail}")]
    Malformed {
        /// The parser's message.
        detail: String,
    },
    /// A URI has one of our prefixes but not the right number of digits.
    #[error("malformed identity URI {uri:?}")]
    MalformedUri {
        /// The URI found.
        uri: String,
    },
}

/// Reads every identity URI of a client certificate (DER). The certificate
/// must have been authenticated by the TLS layer first.
pub fn client_identities(certificate: &[u8]) -> Result<Vec<ClientIdentity>, ClientIdentityError> {
    let (_, cert) = x509_parser::parse_x509_certificate(certificate).map_err(|e| {
        ClientIdentityError::Malformed {
            detail: e.to_string(),
        }
    })?;
    let mut out = Vec::new();
    for ext in cert.extensions() {
        let ParsedExtension::SubjectAlternativeName(san) = ext.parsed_extension() else {
            continue;
        };
        for name in &san.general_names {
            let GeneralName::URI(uri) = name else {
                continue;
            };
            let digits =
                |rest: &str, n: usize| rest.len() == n && rest.bytes().all(|b| b.is_ascii_digit());
            if let Some(code) = uri.strip_prefix(MUNICIPALITY_URI_PREFIX) {
                if !digits(code, 6) {
                    return Err(ClientIdentityError::MalformedUri {
                        uri: (*uri).to_owned(),
                    });
                }
                out.push(ClientIdentity::Municipality(code.to_owned()));
            } else if let Some(code) = uri.strip_prefix(MEDICAL_INSTITUTION_URI_PREFIX) {
                if !digits(code, 10) {
                    return Err(ClientIdentityError::MalformedUri {
                        uri: (*uri).to_owned(),
                    });
                }
                out.push(ClientIdentity::MedicalInstitution(code.to_owned()));
            }
        }
    }
    Ok(out)
}
