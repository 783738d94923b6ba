//! 開発用PKI — a complete test PKI shaped like the real one: a JPKI-like
//! hierarchy (two root generations with the same name, signing CAs, notifier
//! certificates for every validation case, CRLs) and a TLS hierarchy for the
//! gateway, municipalities (mTLS) and hospitals.
//!
//! Everything is derived from a 32-byte seed and a reference time: RSA keys
//! come from the RustCrypto `rsa` crate driven by a ChaCha20 RNG seeded per
//! certificate (ring cannot generate RSA keys, rcgen's RSA keygen needs
//! aws-lc), serial numbers from the same seed, and all signatures are
//! RSA PKCS#1 v1.5, which is deterministic. The same seed and time therefore
//! give byte-identical output; the committed fixtures rely on that.

use std::fmt::Write as _;
use std::path::Path;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension,
    DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyPair, KeyUsagePurpose, RevokedCertParams, SanType, SerialNumber as RcgenSerial,
};
use rsa::pkcs8::EncodePrivateKey;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::der::{self, tag};
use crate::holder::{
    Era, HolderAttribute, HolderAttributes, JpkiBirthDate, Sex, encode_holder_san,
};
use crate::revocation::{RevocationData, RevocationReason};
use crate::trust_store::{PolicyOid, TrustStore};

/// Why the dev PKI could not be generated or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevPkiError {
    /// RSA key generation or PKCS#8 encoding failed.
    #[error("key generation for {certificate} failed: {detail}")]
    KeyGeneration {
        /// File stem of the certificate concerned.
        certificate: &'static str,
        /// The library's message.
        detail: String,
    },
    /// rcgen refused the parameters.
    #[error("issuing {certificate} failed: {source}")]
    Issue {
        /// File stem of the certificate or CRL concerned.
        certificate: &'static str,
        /// rcgen's error.
        source: rcgen::Error,
    },
    /// The reference time is so early or late that a validity window
    /// would leave the X.509 range.
    #[error("reference time {reference_time} is out of range")]
    TimeOutOfRange {
        /// The time given.
        reference_time: OffsetDateTime,
    },
    /// Writing the output failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path concerned.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The manifest could not be serialized.
    #[error("manifest serialization failed: {0}")]
    Manifest(#[from] serde_json::Error),
}

/// Every certificate the dev PKI generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DevCert {
    /// JPKI-TEST root, first generation.
    JpkiRootG1,
    /// JPKI-TEST root, second generation: same subject name, new key.
    JpkiRootG2,
    /// 署名用認証局 under root G1.
    SigningCaG1,
    /// 署名用認証局 under root G2, same subject name as G1.
    SigningCaG2,
    /// A valid notifier (届出人) certificate under G1.
    Notifier,
    /// A valid notifier certificate under G2 (same-name second generation).
    NotifierG2,
    /// Listed on the G1 CRL.
    NotifierRevoked,
    /// Expired before the reference time.
    NotifierExpired,
    /// Valid only after the reference time.
    NotifierNotYetValid,
    /// keyUsage keyEncipherment only.
    NotifierWrongKeyUsage,
    /// Certificate policy that no anchor vouches for.
    NotifierWrongPolicy,
    /// A look-alike root: same name as the JPKI-TEST root, not trusted.
    UntrustedRoot,
    /// A look-alike signing CA under the untrusted root.
    UntrustedSigningCa,
    /// A notifier certificate from the untrusted hierarchy.
    NotifierUntrusted,
    /// Root of the TLS hierarchy.
    TlsRoot,
    /// The gateway's server certificate (localhost, 127.0.0.1, ::1).
    GatewayServer,
    /// mTLS client certificate of 千代田区 (131016).
    Municipality131016,
    /// mTLS client certificate of 横浜市鶴見区 (141011).
    Municipality141011,
    /// mTLS client certificate of a hospital (organization certificate).
    Hospital,
}

impl DevCert {
    /// All certificates in generation order (issuers before subjects).
    pub const ALL: [DevCert; 19] = [
        DevCert::JpkiRootG1,
        DevCert::JpkiRootG2,
        DevCert::SigningCaG1,
        DevCert::SigningCaG2,
        DevCert::Notifier,
        DevCert::NotifierG2,
        DevCert::NotifierRevoked,
        DevCert::NotifierExpired,
        DevCert::NotifierNotYetValid,
        DevCert::NotifierWrongKeyUsage,
        DevCert::NotifierWrongPolicy,
        DevCert::UntrustedRoot,
        DevCert::UntrustedSigningCa,
        DevCert::NotifierUntrusted,
        DevCert::TlsRoot,
        DevCert::GatewayServer,
        DevCert::Municipality131016,
        DevCert::Municipality141011,
        DevCert::Hospital,
    ];

    /// The file stem, relative to the output directory, without extension.
    pub const fn path_stem(self) -> &'static str {
        match self {
            DevCert::JpkiRootG1 => "jpki/root-g1",
            DevCert::JpkiRootG2 => "jpki/root-g2",
            DevCert::SigningCaG1 => "jpki/signing-ca-g1",
            DevCert::SigningCaG2 => "jpki/signing-ca-g2",
            DevCert::Notifier => "jpki/notifier",
            DevCert::NotifierG2 => "jpki/notifier-g2",
            DevCert::NotifierRevoked => "jpki/notifier-revoked",
            DevCert::NotifierExpired => "jpki/notifier-expired",
            DevCert::NotifierNotYetValid => "jpki/notifier-not-yet-valid",
            DevCert::NotifierWrongKeyUsage => "jpki/notifier-wrong-key-usage",
            DevCert::NotifierWrongPolicy => "jpki/notifier-wrong-policy",
            DevCert::UntrustedRoot => "jpki/untrusted-root",
            DevCert::UntrustedSigningCa => "jpki/untrusted-signing-ca",
            DevCert::NotifierUntrusted => "jpki/notifier-untrusted",
            DevCert::TlsRoot => "tls/ca",
            DevCert::GatewayServer => "tls/gateway-server",
            DevCert::Municipality131016 => "tls/municipality-131016",
            DevCert::Municipality141011 => "tls/municipality-141011",
            DevCert::Hospital => "tls/hospital-1310000001",
        }
    }

    /// The issuing certificate; `None` for roots.
    pub const fn issuer(self) -> Option<DevCert> {
        match self {
            DevCert::JpkiRootG1
            | DevCert::JpkiRootG2
            | DevCert::UntrustedRoot
            | DevCert::TlsRoot => None,
            DevCert::SigningCaG1 => Some(DevCert::JpkiRootG1),
            DevCert::SigningCaG2 => Some(DevCert::JpkiRootG2),
            DevCert::UntrustedSigningCa => Some(DevCert::UntrustedRoot),
            DevCert::NotifierG2 => Some(DevCert::SigningCaG2),
            DevCert::NotifierUntrusted => Some(DevCert::UntrustedSigningCa),
            DevCert::Notifier
            | DevCert::NotifierRevoked
            | DevCert::NotifierExpired
            | DevCert::NotifierNotYetValid
            | DevCert::NotifierWrongKeyUsage
            | DevCert::NotifierWrongPolicy => Some(DevCert::SigningCaG1),
            DevCert::GatewayServer
            | DevCert::Municipality131016
            | DevCert::Municipality141011
            | DevCert::Hospital => Some(DevCert::TlsRoot),
        }
    }

    /// What the certificate is for, and what validating it at the reference
    /// time must give (README and manifest text).
    pub const fn purpose(self) -> &'static str {
        match self {
            DevCert::JpkiRootG1 => {
                "JPKI-TEST root CA, generation 1 (trust anchor for policy 1.2.392.200149.8.5.1.0.20)"
            }
            DevCert::JpkiRootG2 => {
                "JPKI-TEST root CA, generation 2: same subject name as generation 1, new key (trust anchor)"
            }
            DevCert::SigningCaG1 => "JPKI-TEST signing CA (署名用認証局) under root generation 1",
            DevCert::SigningCaG2 => {
                "JPKI-TEST signing CA under root generation 2, same subject name as generation 1"
            }
            DevCert::Notifier => "notifier signing certificate: valid -> TOTAL-PASSED",
            DevCert::NotifierG2 => {
                "notifier signing certificate under generation 2: valid -> TOTAL-PASSED"
            }
            DevCert::NotifierRevoked => {
                "notifier signing certificate listed on signing-ca-g1.crl -> TOTAL-FAILED/REVOKED"
            }
            DevCert::NotifierExpired => {
                "notifier signing certificate past notAfter -> TOTAL-FAILED/EXPIRED"
            }
            DevCert::NotifierNotYetValid => {
                "notifier signing certificate before notBefore -> TOTAL-FAILED/NOT_YET_VALID"
            }
            DevCert::NotifierWrongKeyUsage => {
                "keyUsage keyEncipherment only -> INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE"
            }
            DevCert::NotifierWrongPolicy => {
                "policy no anchor vouches for -> INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE"
            }
            DevCert::UntrustedRoot => {
                "look-alike root with the JPKI-TEST root's name; NOT a trust anchor"
            }
            DevCert::UntrustedSigningCa => "look-alike signing CA under the untrusted root",
            DevCert::NotifierUntrusted => {
                "notifier from the look-alike hierarchy -> INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
            }
            DevCert::TlsRoot => "root of the TLS hierarchy (server and mTLS client certificates)",
            DevCert::GatewayServer => {
                "gateway TLS server certificate for localhost, 127.0.0.1 and ::1"
            }
            DevCert::Municipality131016 => {
                "mTLS client certificate of 千代田区 (code 131016 in SAN URI)"
            }
            DevCert::Municipality141011 => {
                "mTLS client certificate of 横浜市鶴見区 (code 141011 in SAN URI)"
            }
            DevCert::Hospital => {
                "mTLS client / organization certificate of a hospital (medical institution code in SAN URI)"
            }
        }
    }

    fn label(self) -> &'static str {
        self.path_stem()
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

/// The CRLs the dev PKI generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DevCrl {
    /// CRL of signing CA G1; lists [`DevCert::NotifierRevoked`].
    SigningCaG1,
    /// CRL of signing CA G2; lists nothing.
    SigningCaG2,
}

impl DevCrl {
    /// Both CRLs.
    pub const ALL: [DevCrl; 2] = [DevCrl::SigningCaG1, DevCrl::SigningCaG2];

    /// File stem relative to the output directory.
    pub const fn path_stem(self) -> &'static str {
        match self {
            DevCrl::SigningCaG1 => "jpki/signing-ca-g1.crl",
            DevCrl::SigningCaG2 => "jpki/signing-ca-g2.crl",
        }
    }

    /// The CA that signs it.
    pub const fn issuer(self) -> DevCert {
        match self {
            DevCrl::SigningCaG1 => DevCert::SigningCaG1,
            DevCrl::SigningCaG2 => DevCert::SigningCaG2,
        }
    }
}

/// Inputs of the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevPkiOptions {
    /// "Now" for the generated PKI: every validity window and CRL time is an
    /// offset from it (see the README the generator writes).
    pub reference_time: OffsetDateTime,
    /// Seed of every key and serial number.
    pub seed: [u8; 32],
}

impl DevPkiOptions {
    /// The reference time of the committed fixtures: 2026-04-01T00:00:00Z.
    pub const FIXTURE_TIME: OffsetDateTime = time::macros::datetime!(2026-04-01 00:00:00 UTC);
    /// The seed of the committed fixtures.
    pub const FIXTURE_SEED: [u8; 32] = *b"birthgate dev PKI fixture seed 1";

    /// The options that produce `certs/tests/fixtures/`.
    pub const fn fixture() -> Self {
        Self {
            reference_time: Self::FIXTURE_TIME,
            seed: Self::FIXTURE_SEED,
        }
    }
}

/// One generated certificate with its private key, in memory.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IssuedCertificate {
    /// Which certificate this is.
    pub which: DevCert,
    /// DER certificate.
    pub certificate: CertificateDer<'static>,
    /// PEM certificate.
    pub certificate_pem: String,
    /// PKCS#8 private key, DER (RSA-2048); see [`IssuedCertificate::private_key`].
    pub private_key_der: Vec<u8>,
    /// PKCS#8 private key, PEM (`PRIVATE KEY`).
    pub private_key_pem: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// Holder attributes, for notifier certificates.
    pub holder: Option<HolderAttributes>,
    /// Subject commonName.
    pub common_name: String,
}

impl IssuedCertificate {
    /// The PKCS#8 private key as rustls/ring expect it (e.g.
    /// `ring::signature::RsaKeyPair::from_pkcs8`).
    pub fn private_key(&self) -> PrivatePkcs8KeyDer<'static> {
        PrivatePkcs8KeyDer::from(self.private_key_der.clone())
    }
}

/// One generated CRL.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IssuedCrl {
    /// Which CRL this is.
    pub which: DevCrl,
    /// DER.
    pub der: Vec<u8>,
    /// PEM (`X509 CRL`).
    pub pem: String,
    /// thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    pub next_update: OffsetDateTime,
    /// (serial hex, revocation time, reason) of each entry.
    pub revoked: Vec<(String, OffsetDateTime, RevocationReason)>,
}

/// A generated dev PKI, in memory.
pub struct DevPki {
    options: DevPkiOptions,
    certificates: Vec<IssuedCertificate>,
    crls: Vec<IssuedCrl>,
    /// rcgen parameters and keys of the CAs, to issue more CRLs on demand.
    issuers: Vec<(DevCert, CertificateParams, KeyPair)>,
}

impl std::fmt::Debug for DevPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevPki")
            .field("options", &self.options)
            .field("certificates", &self.certificates.len())
            .field("crls", &self.crls.len())
            .finish()
    }
}

const JPKI_ARC_POLICY_WRONG: &str = "1.2.392.200149.8.5.1.0.99";
const ORG_UNIT: &[u64] = &[2, 5, 4, 11];
const LOCALITY: &[u64] = &[2, 5, 4, 7];
/// The SAN URI prefix that carries a municipality code in mTLS certificates.
pub const MUNICIPALITY_URI_PREFIX: &str = "urn:birthgate:municipality:";
/// The SAN URI prefix that carries a medical institution code.
pub const MEDICAL_INSTITUTION_URI_PREFIX: &str = "urn:birthgate:medical-institution:";

fn printable(text: &str) -> DnValue {
    match rcgen::string::PrintableString::try_from(text) {
        Ok(s) => DnValue::PrintableString(s),
        Err(_) => DnValue::Utf8String(text.to_owned()),
    }
}

/// `C=JP, O=<org>, OU=<unit>, OU=Japan Agency for Local Authority Information Systems`.
fn jpki_name(unit: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, printable("JP"));
    dn.push(DnType::OrganizationName, printable("JPKI-TEST"));
    dn.push(DnType::OrganizationalUnitName, printable(unit));
    // rcgen keys names by attribute type; a custom type with the OU OID adds
    // the second OU the real JPKI names have.
    dn.push(
        DnType::CustomDnType(ORG_UNIT.to_vec()),
        printable("Japan Agency for Local Authority Information Systems"),
    );
    dn
}

fn certificate_policies(oid: &str) -> CustomExtension {
    let policy = der::encode(
        tag::SEQUENCE,
        &der::encode(tag::OID, &der::oid_content(oid).unwrap_or_default()),
    );
    // Non-critical unless the caller marks it (notifier certificates do).
    CustomExtension::from_oid_content(&[2, 5, 29, 32], der::encode(tag::SEQUENCE, &policy))
}

fn holder_for(which: DevCert) -> HolderAttributes {
    let date = |y: i32, m: time::Month, d: u8| {
        time::Date::from_calendar_date(y, m, d).unwrap_or(time::Date::MIN)
    };
    match which {
        // 𠮷 (U+20BB7, outside the BMP) and 海 (U+FA45, a CJK compatibility
        // ideograph among the 人名用漢字): both must survive untouched. This
        // is the father who files `examples/notification.json`, so the
        // README's copy-paste submission passes the identity binding.
        DevCert::Notifier => HolderAttributes {
            name: "𠮷田\u{3000}\u{FA45}斗".to_owned(),
            name_substitute_flags: String::new(),
            sex: Sex::Male,
            birth_date: JpkiBirthDate {
                era: Era::Heisei,
                date: date(1990, time::Month::April, 15),
            },
            address: "東京都新宿区北新宿二丁目３番４号".to_owned(),
            address_substitute_flags: String::new(),
        },
        DevCert::NotifierG2 => HolderAttributes {
            name: "佐藤\u{3000}太郎".to_owned(),
            name_substitute_flags: String::new(),
            sex: Sex::Male,
            birth_date: JpkiBirthDate {
                era: Era::Showa,
                date: date(1985, time::Month::July, 20),
            },
            address: "神奈川県横浜市鶴見区鶴見中央三丁目２０番１号".to_owned(),
            address_substitute_flags: String::new(),
        },
        _ => HolderAttributes {
            name: "髙橋\u{3000}\u{FA45}斗".to_owned(),
            name_substitute_flags: "1".to_owned(),
            sex: Sex::Male,
            birth_date: JpkiBirthDate {
                era: Era::Heisei,
                date: date(2000, time::Month::March, 3),
            },
            address: "東京都千代田区霞が関二丁目１番２号".to_owned(),
            address_substitute_flags: String::new(),
        },
    }
}

/// Per-certificate deterministic RNG: ChaCha20 seeded with SHA-256(seed ‖ label).
fn rng_for(seed: &[u8; 32], label: &str, purpose: &str) -> ChaCha20Rng {
    let mut input = seed.to_vec();
    input.extend_from_slice(label.as_bytes());
    input.push(0);
    input.extend_from_slice(purpose.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_ref());
    ChaCha20Rng::from_seed(key)
}

fn serial_for(seed: &[u8; 32], label: &str) -> Vec<u8> {
    let mut bytes = [0u8; 16];
    rng_for(seed, label, "serial").fill_bytes(&mut bytes);
    // Positive and minimal: first byte in 0x01..=0x7f.
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    bytes.to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn rsa_key(seed: &[u8; 32], which: DevCert) -> Result<(KeyPair, Vec<u8>), DevPkiError> {
    let fail = |detail: String| DevPkiError::KeyGeneration {
        certificate: which.label(),
        detail,
    };
    let mut rng = rng_for(seed, which.label(), "rsa-2048");
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| fail(e.to_string()))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| fail(e.to_string()))?
        .as_bytes()
        .to_vec();
    let pair = KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(pkcs8.clone()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(|e| fail(e.to_string()))?;
    Ok((pair, pkcs8))
}

struct Window {
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

/// Validity windows as offsets from the reference time.
fn window(which: DevCert, r: OffsetDateTime) -> Window {
    let days = Duration::days;
    let years = |n: i64| Duration::days(365 * n);
    let (from, to) = match which {
        DevCert::JpkiRootG1 | DevCert::UntrustedRoot => (-years(4), years(16)),
        DevCert::JpkiRootG2 => (-years(1), years(20)),
        DevCert::SigningCaG1 | DevCert::UntrustedSigningCa => (-years(4), years(10)),
        DevCert::SigningCaG2 => (-years(1), years(12)),
        // JPKI signing certificates run to the 5th birthday after issue.
        DevCert::Notifier
        | DevCert::NotifierRevoked
        | DevCert::NotifierWrongKeyUsage
        | DevCert::NotifierWrongPolicy
        | DevCert::NotifierUntrusted => (-days(90), years(5) - days(90)),
        DevCert::NotifierG2 => (-days(30), years(5) - days(30)),
        DevCert::NotifierExpired => (-years(5) - days(60), -days(60)),
        DevCert::NotifierNotYetValid => (days(30), years(5) + days(30)),
        DevCert::TlsRoot => (-years(1), years(10)),
        DevCert::GatewayServer
        | DevCert::Municipality131016
        | DevCert::Municipality141011
        | DevCert::Hospital => (-days(1), years(2)),
    };
    Window {
        not_before: r + from,
        not_after: r + to,
    }
}

fn params_for(
    which: DevCert,
    options: &DevPkiOptions,
) -> Result<(CertificateParams, Option<HolderAttributes>, String), DevPkiError> {
    let seed = &options.seed;
    let w = window(which, options.reference_time);
    let mut params = CertificateParams::default();
    params.not_before = w.not_before;
    params.not_after = w.not_after;
    params.serial_number = Some(RcgenSerial::from_slice(&serial_for(seed, which.label())));
    params.key_identifier_method = KeyIdMethod::Sha256;
    params.use_authority_key_identifier_extension = which.issuer().is_some();
    let mut holder = None;
    let common_name;
    match which {
        DevCert::JpkiRootG1 | DevCert::JpkiRootG2 | DevCert::UntrustedRoot => {
            params.distinguished_name = jpki_name("JPKI Root Certification Authority");
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            common_name = String::new();
        }
        DevCert::SigningCaG1 | DevCert::SigningCaG2 | DevCert::UntrustedSigningCa => {
            params.distinguished_name = jpki_name("JPKI for digital signature");
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            params
                .custom_extensions
                .push(certificate_policies(PolicyOid::JPKI_TEST.as_str()));
            common_name = String::new();
        }
        DevCert::Notifier
        | DevCert::NotifierG2
        | DevCert::NotifierRevoked
        | DevCert::NotifierExpired
        | DevCert::NotifierNotYetValid
        | DevCert::NotifierWrongKeyUsage
        | DevCert::NotifierWrongPolicy
        | DevCert::NotifierUntrusted => {
            let attributes = holder_for(which);
            // The CN of a JPKI signing certificate is an identifier, not the name.
            let serial = serial_for(seed, which.label());
            common_name = format!("DEV{}", hex(&serial).to_uppercase());
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CountryName, printable("JP"));
            dn.push(DnType::CustomDnType(LOCALITY.to_vec()), printable("Tokyo"));
            dn.push(DnType::LocalityName, printable("Chiyoda-ku"));
            dn.push(DnType::CommonName, printable(&common_name));
            params.distinguished_name = dn;
            params.key_usages = if which == DevCert::NotifierWrongKeyUsage {
                vec![KeyUsagePurpose::KeyEncipherment]
            } else {
                vec![
                    KeyUsagePurpose::DigitalSignature,
                    KeyUsagePurpose::ContentCommitment,
                ]
            };
            let policy = if which == DevCert::NotifierWrongPolicy {
                JPKI_ARC_POLICY_WRONG
            } else {
                PolicyOid::JPKI_TEST.as_str()
            };
            // Critical, as the J-LIS signing-certificate profile has it
            // (webpki refuses that; the crate's own path validator handles it).
            let mut policies = certificate_policies(policy);
            policies.set_criticality(true);
            params.custom_extensions.push(policies);
            // Attribute order differs between certificates on purpose: the
            // real profile does not fix it.
            let mut order = HolderAttribute::ALL.to_vec();
            order.rotate_left(which.index() % 6);
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    &[2, 5, 29, 17],
                    encode_holder_san(&attributes, &order),
                ));
            holder = Some(attributes);
        }
        DevCert::TlsRoot => {
            common_name = "birthgate dev TLS CA".to_owned();
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CountryName, printable("JP"));
            dn.push(DnType::OrganizationName, printable("birthgate development"));
            dn.push(DnType::CommonName, printable(&common_name));
            params.distinguished_name = dn;
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        }
        DevCert::GatewayServer => {
            common_name = "localhost".to_owned();
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CountryName, printable("JP"));
            dn.push(DnType::OrganizationName, printable("birthgate development"));
            dn.push(DnType::CommonName, printable(&common_name));
            params.distinguished_name = dn;
            params.subject_alt_names = vec![
                SanType::DnsName(ia5("localhost", which)?),
                SanType::IpAddress(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
                SanType::IpAddress(std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)),
            ];
            params.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ];
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
        DevCert::Municipality131016 | DevCert::Municipality141011 | DevCert::Hospital => {
            let (org, unit, uri) = match which {
                DevCert::Municipality131016 => (
                    "千代田区",
                    "戸籍担当",
                    format!("{MUNICIPALITY_URI_PREFIX}131016"),
                ),
                DevCert::Municipality141011 => (
                    "横浜市鶴見区",
                    "戸籍担当",
                    format!("{MUNICIPALITY_URI_PREFIX}141011"),
                ),
                _ => (
                    "医療法人社団 開発さくら会 さくら産婦人科",
                    "出生証明書",
                    format!("{MEDICAL_INSTITUTION_URI_PREFIX}1310000001"),
                ),
            };
            common_name = format!("{org} {unit}");
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CountryName, printable("JP"));
            dn.push(
                DnType::OrganizationName,
                DnValue::Utf8String(org.to_owned()),
            );
            dn.push(
                DnType::OrganizationalUnitName,
                DnValue::Utf8String(unit.to_owned()),
            );
            dn.push(DnType::CommonName, DnValue::Utf8String(common_name.clone()));
            params.distinguished_name = dn;
            params.subject_alt_names = vec![SanType::URI(ia5(&uri, which)?)];
            params.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ];
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        }
    }
    Ok((params, holder, common_name))
}

fn ia5(text: &str, which: DevCert) -> Result<rcgen::string::Ia5String, DevPkiError> {
    rcgen::string::Ia5String::try_from(text).map_err(|source| DevPkiError::Issue {
        certificate: which.label(),
        source,
    })
}

fn to_rcgen_reason(reason: RevocationReason) -> rcgen::RevocationReason {
    use rcgen::RevocationReason as R;
    match reason {
        RevocationReason::Unspecified => R::Unspecified,
        RevocationReason::KeyCompromise => R::KeyCompromise,
        RevocationReason::CaCompromise => R::CaCompromise,
        RevocationReason::AffiliationChanged => R::AffiliationChanged,
        RevocationReason::Superseded => R::Superseded,
        RevocationReason::CessationOfOperation => R::CessationOfOperation,
        RevocationReason::CertificateHold => R::CertificateHold,
        RevocationReason::RemoveFromCrl => R::RemoveFromCrl,
        RevocationReason::PrivilegeWithdrawn => R::PrivilegeWithdrawn,
        RevocationReason::AaCompromise => R::AaCompromise,
    }
}

/// Generates the whole dev PKI in memory. Deterministic in `options`.
pub fn generate_dev_pki(options: &DevPkiOptions) -> Result<DevPki, DevPkiError> {
    let reference_time = options
        .reference_time
        .replace_nanosecond(0)
        .unwrap_or(options.reference_time);
    let options = DevPkiOptions {
        reference_time,
        seed: options.seed,
    };
    let year = reference_time.year();
    if !(1990..=2100).contains(&year) {
        return Err(DevPkiError::TimeOutOfRange { reference_time });
    }
    let mut certificates = Vec::new();
    let mut issuers: Vec<(DevCert, CertificateParams, KeyPair)> = Vec::new();
    for which in DevCert::ALL {
        let (key, pkcs8) = rsa_key(&options.seed, which)?;
        let (params, holder, common_name) = params_for(which, &options)?;
        let issue = |source| DevPkiError::Issue {
            certificate: which.label(),
            source,
        };
        let certificate = match which.issuer() {
            None => params.self_signed(&key).map_err(issue)?,
            Some(parent) => {
                let (_, parent_params, parent_key) = issuers
                    .iter()
                    .find(|(c, _, _)| *c == parent)
                    .ok_or(DevPkiError::Issue {
                        certificate: which.label(),
                        source: rcgen::Error::CouldNotParseCertificate,
                    })?;
                let issuer = Issuer::from_params(parent_params, parent_key);
                params.signed_by(&key, &issuer).map_err(issue)?
            }
        };
        let w = window(which, reference_time);
        certificates.push(IssuedCertificate {
            which,
            certificate_pem: certificate.pem(),
            certificate: certificate.der().clone(),
            private_key_pem: key.serialize_pem(),
            private_key_der: pkcs8,
            serial: hex(&serial_for(&options.seed, which.label())),
            not_before: w.not_before,
            not_after: w.not_after,
            holder,
            common_name,
        });
        if matches!(params.is_ca, IsCa::Ca(_)) {
            issuers.push((which, params, key));
        }
    }
    let mut pki = DevPki {
        options,
        certificates,
        crls: Vec::new(),
        issuers,
    };
    let this_update = reference_time - Duration::days(1);
    let next_update = reference_time + Duration::days(30);
    for which in DevCrl::ALL {
        let revoked = match which {
            DevCrl::SigningCaG1 => vec![(
                serial_for(&options.seed, DevCert::NotifierRevoked.label()),
                reference_time - Duration::days(10),
                // JPKI revokes when the holder's name or address changes.
                RevocationReason::Superseded,
            )],
            DevCrl::SigningCaG2 => Vec::new(),
        };
        let crl = pki.issue_rcgen_crl(which.issuer(), &revoked, this_update, next_update)?;
        let der = crl.der().as_ref().to_vec();
        let pem = crl.pem().map_err(|source| DevPkiError::Issue {
            certificate: which.path_stem(),
            source,
        })?;
        pki.crls.push(IssuedCrl {
            which,
            der,
            pem,
            this_update,
            next_update,
            revoked: revoked.iter().map(|(s, t, r)| (hex(s), *t, *r)).collect(),
        });
    }
    Ok(pki)
}

impl DevPki {
    /// The options this PKI was generated with (reference time truncated to seconds).
    pub fn options(&self) -> &DevPkiOptions {
        &self.options
    }

    /// One generated certificate with its key.
    pub fn get(&self, which: DevCert) -> &IssuedCertificate {
        // `certificates` is generated from `DevCert::ALL` in order.
        &self.certificates[which.index()]
    }

    /// All generated certificates, in [`DevCert::ALL`] order.
    pub fn certificates(&self) -> &[IssuedCertificate] {
        &self.certificates
    }

    /// One generated CRL.
    pub fn crl(&self, which: DevCrl) -> &IssuedCrl {
        &self.crls[DevCrl::ALL.iter().position(|c| *c == which).unwrap_or(0)]
    }

    /// The trust store a gateway using this PKI configures: both JPKI-TEST
    /// root generations as anchors for the test policy, both signing CAs as
    /// intermediates. The untrusted hierarchy and the TLS root are not in it.
    pub fn trust_store(&self) -> TrustStore {
        let mut store = TrustStore::new();
        for root in [DevCert::JpkiRootG1, DevCert::JpkiRootG2] {
            // Own output: parsing cannot fail; a failure would show in every test.
            let _ = store.add_anchor(self.get(root).certificate.as_ref(), &[PolicyOid::JPKI_TEST]);
        }
        for ca in [DevCert::SigningCaG1, DevCert::SigningCaG2] {
            let _ = store.add_intermediate(self.get(ca).certificate.as_ref());
        }
        store
    }

    /// The revocation data matching [`DevPki::trust_store`]: both CRLs.
    pub fn revocation_data(&self) -> RevocationData {
        let mut data = RevocationData::new();
        for crl in &self.crls {
            let _ = data.add_crls(&crl.der);
        }
        data
    }

    /// Issues an extra CRL (DER) signed by one of the generated CAs, e.g. a
    /// stale one or one with a million entries for a benchmark. Entries are
    /// (serial INTEGER content, revocation time, reason).
    pub fn issue_crl(
        &self,
        ca: DevCert,
        revoked: &[(Vec<u8>, OffsetDateTime, RevocationReason)],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<Vec<u8>, DevPkiError> {
        Ok(self
            .issue_rcgen_crl(ca, revoked, this_update, next_update)?
            .der()
            .as_ref()
            .to_vec())
    }

    fn issue_rcgen_crl(
        &self,
        ca: DevCert,
        revoked: &[(Vec<u8>, OffsetDateTime, RevocationReason)],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<rcgen::CertificateRevocationList, DevPkiError> {
        let issue = |source| DevPkiError::Issue {
            certificate: ca.label(),
            source,
        };
        let (_, params, key) = self
            .issuers
            .iter()
            .find(|(c, _, _)| *c == ca)
            .ok_or(issue(rcgen::Error::IssuerNotCrlSigner))?;
        let issuer = Issuer::from_params(params, key);
        let crl_params = CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: RcgenSerial::from(this_update.unix_timestamp().unsigned_abs()),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|(serial, at, reason)| RevokedCertParams {
                    serial_number: RcgenSerial::from_slice(serial),
                    revocation_time: *at,
                    reason_code: Some(to_rcgen_reason(*reason)),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        crl_params.signed_by(&issuer).map_err(issue)
    }

    /// Issues one more certificate under a generated CA, starting from the
    /// parameters of `template` (a new serial and, unless `key` is given, a
    /// new RSA-2048 key derived from the seed and `label`), after
    /// `customize` has changed them. For tests that need certificates the
    /// fixed set lacks (another key type, a malformed extension, an EKU).
    /// The result's `which` is `template`; it has no holder attributes
    /// recorded, whatever `customize` did.
    pub fn issue_variant(
        &self,
        template: DevCert,
        label: &'static str,
        key: Option<KeyPair>,
        customize: impl FnOnce(&mut CertificateParams),
    ) -> Result<IssuedCertificate, DevPkiError> {
        let issue = |source| DevPkiError::Issue {
            certificate: label,
            source,
        };
        let (mut params, _, common_name) = params_for(template, &self.options)?;
        let serial = serial_for(&self.options.seed, label);
        params.serial_number = Some(RcgenSerial::from_slice(&serial));
        customize(&mut params);
        let (key, pkcs8) = match key {
            Some(key) => {
                let der = key.serialize_der();
                (key, der)
            }
            None => {
                let mut rng = rng_for(&self.options.seed, label, "rsa-2048");
                let fail = |detail: String| DevPkiError::KeyGeneration {
                    certificate: label,
                    detail,
                };
                let rsa =
                    rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| fail(e.to_string()))?;
                let pkcs8 = rsa
                    .to_pkcs8_der()
                    .map_err(|e| fail(e.to_string()))?
                    .as_bytes()
                    .to_vec();
                let pair = KeyPair::from_pkcs8_der_and_sign_algo(
                    &PrivatePkcs8KeyDer::from(pkcs8.clone()),
                    &rcgen::PKCS_RSA_SHA256,
                )
                .map_err(|e| fail(e.to_string()))?;
                (pair, pkcs8)
            }
        };
        let certificate = match template.issuer() {
            None => params.self_signed(&key).map_err(issue)?,
            Some(parent) => {
                let (_, parent_params, parent_key) = self
                    .issuers
                    .iter()
                    .find(|(c, _, _)| *c == parent)
                    .ok_or(issue(rcgen::Error::CouldNotParseCertificate))?;
                params
                    .signed_by(&key, &Issuer::from_params(parent_params, parent_key))
                    .map_err(issue)?
            }
        };
        Ok(IssuedCertificate {
            which: template,
            certificate_pem: certificate.pem(),
            certificate: certificate.der().clone(),
            private_key_pem: key.serialize_pem(),
            private_key_der: pkcs8,
            serial: hex(&serial),
            not_before: params.not_before,
            not_after: params.not_after,
            holder: None,
            common_name,
        })
    }

    /// The manifest (`pki.json`).
    pub fn manifest(&self) -> DevPkiManifest {
        let files = |stem: &str| ManifestFiles {
            certificate_pem: format!("{stem}.pem"),
            certificate_der: format!("{stem}.der"),
            private_key_pem: format!("{stem}.key.pem"),
            private_key_der: format!("{stem}.key.der"),
        };
        DevPkiManifest {
            generator: "birthgate certs dev PKI v1".to_owned(),
            reference_time: self.options.reference_time,
            seed: hex(&self.options.seed),
            trust_anchors: [DevCert::JpkiRootG1, DevCert::JpkiRootG2]
                .iter()
                .map(|c| ManifestAnchor {
                    certificate: format!("{}.pem", c.path_stem()),
                    policies: vec![PolicyOid::JPKI_TEST.to_string()],
                })
                .collect(),
            certificates: self
                .certificates
                .iter()
                .map(|c| ManifestCertificate {
                    name: c.which,
                    purpose: c.which.purpose().to_owned(),
                    issuer: c.which.issuer(),
                    serial: c.serial.clone(),
                    common_name: c.common_name.clone(),
                    not_before: c.not_before,
                    not_after: c.not_after,
                    key: "RSA-2048".to_owned(),
                    files: files(c.which.path_stem()),
                    holder: c.holder.clone(),
                })
                .collect(),
            crls: self
                .crls
                .iter()
                .map(|c| ManifestCrl {
                    name: c.which,
                    issuer: c.which.issuer(),
                    pem: format!("{}.pem", c.which.path_stem()),
                    der: format!("{}.der", c.which.path_stem()),
                    this_update: c.this_update,
                    next_update: c.next_update,
                    revoked: c
                        .revoked
                        .iter()
                        .map(|(serial, at, reason)| ManifestRevoked {
                            serial: serial.clone(),
                            revoked_at: *at,
                            reason: *reason,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Every output file as (relative path, bytes), in a fixed order.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, DevPkiError> {
        let mut out = Vec::new();
        for c in &self.certificates {
            let stem = c.which.path_stem();
            out.push((
                format!("{stem}.pem"),
                c.certificate_pem.clone().into_bytes(),
            ));
            out.push((format!("{stem}.der"), c.certificate.as_ref().to_vec()));
            out.push((
                format!("{stem}.key.pem"),
                c.private_key_pem.clone().into_bytes(),
            ));
            out.push((format!("{stem}.key.der"), c.private_key_der.clone()));
        }
        for c in &self.crls {
            let stem = c.which.path_stem();
            out.push((format!("{stem}.pem"), c.pem.clone().into_bytes()));
            out.push((format!("{stem}.der"), c.der.clone()));
        }
        let mut json = serde_json::to_string_pretty(&self.manifest())?;
        json.push('\n');
        out.push(("pki.json".to_owned(), json.into_bytes()));
        out.push(("README.md".to_owned(), self.readme().into_bytes()));
        Ok(out)
    }

    /// Writes every file under `dir` (created if needed; existing files of
    /// the same names are replaced). Returns the relative paths written.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<String>, DevPkiError> {
        let mut written = Vec::new();
        for (relative, bytes) in self.files()? {
            let path = dir.join(&relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| DevPkiError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(&path, bytes).map_err(|source| DevPkiError::Io { path, source })?;
            written.push(relative);
        }
        Ok(written)
    }

    fn readme(&self) -> String {
        let r = self.options.reference_time;
        let fmt = |t: OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| t.to_string())
        };
        let mut s = String::new();
        let _ = writeln!(s, "# birthgate dev PKI\n");
        let _ = writeln!(
            s,
            "Generated by the `certs` crate (`birthgate-devpki`). FOR DEVELOPMENT AND TESTS ONLY: every private key is \
             in this directory.\n"
        );
        let _ = writeln!(
            s,
            "- Reference time: {} (every validity window is an offset from it)",
            fmt(r)
        );
        let _ = writeln!(
            s,
            "- Seed: {} (same seed and time give identical files)",
            hex(&self.options.seed)
        );
        let _ = writeln!(
            s,
            "- All keys RSA-2048, all signatures sha256WithRSAEncryption. Each certificate `X` comes as `X.pem` / \
             `X.der` (certificate) and `X.key.pem` / `X.key.der` (PKCS#8 private key).\n"
        );
        let _ = writeln!(s, "## JPKI-shaped hierarchy (`jpki/`)\n");
        let _ = writeln!(
            s,
            "Trust anchors: `jpki/root-g1.pem` and `jpki/root-g2.pem` (same subject name, different keys), vouching \
             for the JPKI test policy {}. Intermediates: `jpki/signing-ca-g1.pem`, `jpki/signing-ca-g2.pem` (same \
             subject name `C=JP, O=JPKI-TEST, OU=JPKI for digital signature, OU=Japan Agency for Local Authority \
             Information Systems`). Notifier certificates carry the holder attributes (氏名, 性別, 生年月日 as \
             EYYYYMMDD, 住所 and both substitute-character flag strings) as subjectAltName otherName entries under \
             1.2.392.200149.8.5.5.1–.6; the subject CN is an identifier, not the name.\n",
            PolicyOid::JPKI_TEST
        );
        let _ = writeln!(
            s,
            "| file stem | notBefore | notAfter | purpose |\n|---|---|---|---|"
        );
        for c in &self.certificates {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                c.which.path_stem(),
                fmt(c.not_before),
                fmt(c.not_after),
                c.which.purpose()
            );
        }
        let _ = writeln!(s, "\n## CRLs\n");
        for c in &self.crls {
            let _ = writeln!(
                s,
                "- `{stem}.pem` / `{stem}.der`: signed by `{issuer}`, thisUpdate {tu}, nextUpdate {nu}, {n} entr{y}. \
                 Validating after nextUpdate gives INDETERMINATE/TRY_LATER.",
                stem = c.which.path_stem(),
                issuer = c.which.issuer().path_stem(),
                tu = fmt(c.this_update),
                nu = fmt(c.next_update),
                n = c.revoked.len(),
                y = if c.revoked.len() == 1 { "y" } else { "ies" }
            );
        }
        let _ = writeln!(s, "\n## TLS (`tls/`)\n");
        let _ = writeln!(
            s,
            "`tls/ca.pem` issues the gateway server certificate (`tls/gateway-server`, SAN localhost, 127.0.0.1, ::1, \
             EKU serverAuth) and the mTLS client certificates (EKU clientAuth). A municipality's client certificate \
             carries its 全国地方公共団体コード (6 digits, with check digit) as a subjectAltName URI \
             `{MUNICIPALITY_URI_PREFIX}<code>` (131016 千代田区, 141011 横浜市鶴見区); the subject O/OU/CN are for \
             people only. Hospital organization certificates carry `{MEDICAL_INSTITUTION_URI_PREFIX}<10-digit code>`.\n"
        );
        let _ = writeln!(s, "## Other files\n");
        let _ = writeln!(
            s,
            "- `pki.json`: manifest of every certificate (role, purpose, issuer, serial, validity, holder attributes, \
             file names), the CRLs and their entries, and the trust anchors with their policies.\n\
             - Verify by hand at the reference time: `openssl verify -attime {at} -CAfile jpki/root-g1.pem \
             -untrusted jpki/signing-ca-g1.pem jpki/notifier.pem` (add `-crl_check -CRLfile \
             jpki/signing-ca-g1.crl.pem` to see `jpki/notifier-revoked.pem` fail).\n\
             - A running gateway needs a PKI around *now*: `birthgate-devpki --out DIR` (reference time = now, \
             random seed). The CRLs then go stale 30 days later and TLS certificates expire after 2 years: \
             regenerate.",
            at = r.unix_timestamp()
        );
        s
    }
}

/// `pki.json`: what the generator made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevPkiManifest {
    /// Generator name and format version.
    pub generator: String,
    /// The reference time.
    #[serde(with = "time::serde::rfc3339")]
    pub reference_time: OffsetDateTime,
    /// The seed, hex.
    pub seed: String,
    /// Trust anchors and the policies each vouches for.
    pub trust_anchors: Vec<ManifestAnchor>,
    /// Every certificate.
    pub certificates: Vec<ManifestCertificate>,
    /// Every CRL.
    pub crls: Vec<ManifestCrl>,
}

/// A trust anchor in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestAnchor {
    /// Relative path of the PEM certificate.
    pub certificate: String,
    /// Policy OIDs it vouches for.
    pub policies: Vec<String>,
}

/// File names of one certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFiles {
    /// Certificate, PEM.
    pub certificate_pem: String,
    /// Certificate, DER.
    pub certificate_der: String,
    /// PKCS#8 key, PEM.
    pub private_key_pem: String,
    /// PKCS#8 key, DER.
    pub private_key_der: String,
}

/// A certificate in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestCertificate {
    /// Which certificate.
    pub name: DevCert,
    /// Purpose and expected validation outcome.
    pub purpose: String,
    /// The issuing certificate, if not self-signed.
    pub issuer: Option<DevCert>,
    /// Serial number, hex.
    pub serial: String,
    /// Subject commonName (an identifier for notifiers).
    pub common_name: String,
    /// notBefore.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// notAfter.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Key type.
    pub key: String,
    /// File names.
    pub files: ManifestFiles,
    /// Holder attributes of notifier certificates.
    pub holder: Option<HolderAttributes>,
}

/// A CRL in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestCrl {
    /// Which CRL.
    pub name: DevCrl,
    /// The CA that signed it.
    pub issuer: DevCert,
    /// Relative path, PEM.
    pub pem: String,
    /// Relative path, DER.
    pub der: String,
    /// thisUpdate.
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    #[serde(with = "time::serde::rfc3339")]
    pub next_update: OffsetDateTime,
    /// Entries.
    pub revoked: Vec<ManifestRevoked>,
}

/// A CRL entry in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestRevoked {
    /// Serial, hex.
    pub serial: String,
    /// revocationDate.
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    /// reasonCode.
    pub reason: RevocationReason,
}
