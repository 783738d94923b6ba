//! 基本4情報 — the holder attributes a JPKI signing certificate carries in
//! its subjectAltName `otherName` entries.
//!
//! J-LIS puts name, sex, birth date and address (plus two "substitute
//! character" flag strings) into `otherName` values under the arc
//! `1.2.392.200149.8.5.5`. Their order is not fixed, so the parser collects
//! them by OID and reports a specific error for each missing, duplicated or
//! malformed attribute. Names and addresses are kept exactly as encoded: CJK
//! compatibility ideographs such as 海 (U+FA45) would silently become other
//! characters under NFC/NFKC, so no normalization is ever applied.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::der::{self, DerError, Reader, tag};

/// The OID arc of the JPKI holder attributes.
pub const JPKI_HOLDER_ATTRIBUTE_ARC: &str = "1.2.392.200149.8.5.5";

/// One of the six JPKI holder attributes, named by its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum HolderAttribute {
    /// 氏名 — `1.2.392.200149.8.5.5.1`.
    Name,
    /// 氏名代替文字の使用位置 — `1.2.392.200149.8.5.5.2`.
    NameSubstituteFlags,
    /// 性別 — `1.2.392.200149.8.5.5.3`.
    Sex,
    /// 生年月日 — `1.2.392.200149.8.5.5.4`.
    BirthDate,
    /// 住所 — `1.2.392.200149.8.5.5.5`.
    Address,
    /// 住所代替文字の使用位置 — `1.2.392.200149.8.5.5.6`.
    AddressSubstituteFlags,
}

impl HolderAttribute {
    /// All attributes, in OID order.
    pub const ALL: [HolderAttribute; 6] = [
        HolderAttribute::Name,
        HolderAttribute::NameSubstituteFlags,
        HolderAttribute::Sex,
        HolderAttribute::BirthDate,
        HolderAttribute::Address,
        HolderAttribute::AddressSubstituteFlags,
    ];

    /// The attribute's `otherName` type-id in dotted-decimal form.
    pub const fn oid(self) -> &'static str {
        match self {
            HolderAttribute::Name => "1.2.392.200149.8.5.5.1",
            HolderAttribute::NameSubstituteFlags => "1.2.392.200149.8.5.5.2",
            HolderAttribute::Sex => "1.2.392.200149.8.5.5.3",
            HolderAttribute::BirthDate => "1.2.392.200149.8.5.5.4",
            HolderAttribute::Address => "1.2.392.200149.8.5.5.5",
            HolderAttribute::AddressSubstituteFlags => "1.2.392.200149.8.5.5.6",
        }
    }

    fn from_oid(oid: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.oid() == oid)
    }

    const fn index(self) -> usize {
        match self {
            HolderAttribute::Name => 0,
            HolderAttribute::NameSubstituteFlags => 1,
            HolderAttribute::Sex => 2,
            HolderAttribute::BirthDate => 3,
            HolderAttribute::Address => 4,
            HolderAttribute::AddressSubstituteFlags => 5,
        }
    }
}

/// 性別 — the sex code of the JPKI certificate (ISO/IEC 5218 values 1, 2, 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sex {
    /// 男 — code `1`.
    Male,
    /// 女 — code `2`.
    Female,
    /// 適用不能 — code `9`.
    NotApplicable,
}

impl Sex {
    /// The one-character code as it appears in the certificate.
    pub const fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::NotApplicable => "9",
        }
    }

    /// Parses the certificate's code; `None` for anything but `1`, `2` or `9`.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            "9" => Some(Sex::NotApplicable),
            _ => None,
        }
    }
}

/// 元号 — the era digit that prefixes a JPKI birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Era {
    /// 明治 — digit 1 (dates up to 1912-07-29).
    Meiji,
    /// 大正 — digit 2 (1912-07-30 to 1926-12-24).
    Taisho,
    /// 昭和 — digit 3 (1926-12-25 to 1989-01-07).
    Showa,
    /// 平成 — digit 4 (1989-01-08 to 2019-04-30).
    Heisei,
    /// 令和 — digit 5 (from 2019-05-01).
    Reiwa,
}

impl Era {
    /// The era digit used by JPKI.
    pub const fn digit(self) -> u8 {
        match self {
            Era::Meiji => 1,
            Era::Taisho => 2,
            Era::Showa => 3,
            Era::Heisei => 4,
            Era::Reiwa => 5,
        }
    }

    fn from_digit(digit: u8) -> Option<Self> {
        match digit {
            1 => Some(Era::Meiji),
            2 => Some(Era::Taisho),
            3 => Some(Era::Showa),
            4 => Some(Era::Heisei),
            5 => Some(Era::Reiwa),
            _ => None,
        }
    }

    /// The era in force on a Gregorian date (the day an era begins belongs to
    /// the new era). Dates before 明治 (1868-01-25) have no era here.
    pub fn of(date: Date) -> Option<Self> {
        let on_or_after = |y: i32, m: Month, d: u8| {
            Date::from_calendar_date(y, m, d).is_ok_and(|start| date >= start)
        };
        if on_or_after(2019, Month::May, 1) {
            Some(Era::Reiwa)
        } else if on_or_after(1989, Month::January, 8) {
            Some(Era::Heisei)
        } else if on_or_after(1926, Month::December, 25) {
            Some(Era::Showa)
        } else if on_or_after(1912, Month::July, 30) {
            Some(Era::Taisho)
        } else if on_or_after(1868, Month::January, 25) {
            Some(Era::Meiji)
        } else {
            None
        }
    }
}

/// 生年月日 — a birth date as JPKI encodes it: `EYYYYMMDD`, an era digit
/// followed by the Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JpkiBirthDate {
    /// The era the certificate states.
    pub era: Era,
    /// The Gregorian date.
    pub date: Date,
}

impl JpkiBirthDate {
    /// Encodes back to `EYYYYMMDD`.
    pub fn encode(&self) -> String {
        format!(
            "{}{:04}{:02}{:02}",
            self.era.digit(),
            self.date.year(),
            u8::from(self.date.month()),
            self.date.day()
        )
    }
}

/// Why an `EYYYYMMDD` birth date was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BirthDateError {
    /// The value is not nine characters long.
    #[error("birth date must be 9 characters EYYYYMMDD, got {length}")]
    WrongLength {
        /// The number of characters found.
        length: usize,
    },
    /// A character is not an ASCII digit.
    #[error("birth date character {position} is not a digit")]
    NotADigit {
        /// Zero-based position of the offending character.
        position: usize,
    },
    /// The era digit is not 1–5.
    #[error("unknown era digit {digit}")]
    UnknownEra {
        /// The digit found.
        digit: u8,
    },
    /// YYYYMMDD is not a Gregorian calendar date.
    #[error("{year:04}-{month:02}-{day:02} is not a calendar date")]
    NotACalendarDate {
        /// Year digits as read.
        year: u16,
        /// Month digits as read.
        month: u8,
        /// Day digits as read.
        day: u8,
    },
    /// The era digit contradicts the date (e.g. 昭和 with a 2000 date).
    #[error("era digit {digit} does not match date {date}")]
    EraMismatch {
        /// The era digit found.
        digit: u8,
        /// The Gregorian date found.
        date: Date,
    },
}

/// Decodes a JPKI `EYYYYMMDD` birth date, checking that the era digit is
/// the era in force on that date.
pub fn decode_birth_date(value: &str) -> Result<JpkiBirthDate, BirthDateError> {
    let bytes = value.as_bytes();
    if bytes.len() != 9 {
        return Err(BirthDateError::WrongLength {
            length: value.chars().count(),
        });
    }
    if let Some(position) = bytes.iter().position(|b| !b.is_ascii_digit()) {
        return Err(BirthDateError::NotADigit { position });
    }
    let digit_at = |i: usize| bytes.get(i).map_or(0, |b| b - b'0');
    let number = |range: std::ops::Range<usize>| {
        range.fold(0u16, |acc, i| acc * 10 + u16::from(digit_at(i)))
    };
    let era_digit = digit_at(0);
    let era = Era::from_digit(era_digit).ok_or(BirthDateError::UnknownEra { digit: era_digit })?;
    let (year, month, day) = (number(1..5), number(5..7) as u8, number(7..9) as u8);
    let date = Month::try_from(month)
        .ok()
        .and_then(|m| Date::from_calendar_date(i32::from(year), m, day).ok())
        .ok_or(BirthDateError::NotACalendarDate { year, month, day })?;
    if Era::of(date) != Some(era) {
        return Err(BirthDateError::EraMismatch {
            digit: era_digit,
            date,
        });
    }
    Ok(JpkiBirthDate { era, date })
}

/// 基本4情報 — the holder of a JPKI signing certificate as the certificate
/// states it. Strings are verbatim (never normalized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderAttributes {
    /// 氏名 — the name as registered, e.g. `𠮷田　海子`.
    pub name: String,
    /// 氏名代替文字の使用位置 — where substitute characters replace
    /// characters of the registered name; opaque J-LIS format, not interpreted.
    pub name_substitute_flags: String,
    /// 性別.
    pub sex: Sex,
    /// 生年月日.
    pub birth_date: JpkiBirthDate,
    /// 住所 — the address as registered.
    pub address: String,
    /// 住所代替文字の使用位置 — opaque J-LIS format, not interpreted.
    pub address_substitute_flags: String,
}

/// Why the holder attributes could not be read from a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolderAttributeError {
    /// The certificate has no subjectAltName extension.
    #[error("certificate has no subjectAltName")]
    NoSubjectAltName,
    /// The bytes given as a certificate are not a parsable X.509 certificate.
    #[error("not a parsable certificate: {detail}")]
    MalformedCertificate {
        /// The parser's message.
        detail: String,
    },
    /// The subjectAltName extension is not valid DER GeneralNames.
    #[error("subjectAltName is malformed: {source}")]
    MalformedSubjectAltName {
        /// The DER-level problem.
        source: DerError,
    },
    /// A required attribute is absent.
    #[error("holder attribute {} ({attribute:?}) is missing", attribute.oid())]
    Missing {
        /// The missing attribute.
        attribute: HolderAttribute,
    },
    /// An attribute occurs more than once.
    #[error("holder attribute {} ({attribute:?}) occurs more than once", attribute.oid())]
    Duplicate {
        /// The repeated attribute.
        attribute: HolderAttribute,
    },
    /// An attribute value is not a string of an accepted type or not valid text.
    #[error("holder attribute {} ({attribute:?}) is not a valid string: {detail}", attribute.oid())]
    MalformedValue {
        /// The attribute concerned.
        attribute: HolderAttribute,
        /// What was wrong with it.
        detail: &'static str,
    },
    /// The name or address is empty.
    #[error("holder attribute {} ({attribute:?}) is empty", attribute.oid())]
    Empty {
        /// The attribute concerned.
        attribute: HolderAttribute,
    },
    /// The sex code is not 1, 2 or 9.
    #[error("sex code {value:?} is not 1, 2 or 9")]
    InvalidSex {
        /// The value found.
        value: String,
    },
    /// The birth date is not a valid `EYYYYMMDD`.
    #[error("birth date {value:?} is invalid: {source}")]
    InvalidBirthDate {
        /// The value found.
        value: String,
        /// Why it was rejected.
        source: BirthDateError,
    },
}

impl From<DerError> for HolderAttributeError {
    fn from(source: DerError) -> Self {
        HolderAttributeError::MalformedSubjectAltName { source }
    }
}

/// Extracts the holder attributes from the DER *value* of a subjectAltName
/// extension (the `GeneralNames` SEQUENCE). Other name forms are ignored, as
/// are `otherName`s outside the JPKI arc.
pub fn holder_attributes_from_san(
    san_value: &[u8],
) -> Result<HolderAttributes, HolderAttributeError> {
    let names = der::read_single(san_value, tag::SEQUENCE)?;
    let mut reader = Reader::new(names.content);
    let mut found: [Option<String>; 6] = Default::default();
    while !reader.is_empty() {
        let general_name = reader.read_any()?;
        // otherName [0] IMPLICIT OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
        if general_name.tag != tag::CONTEXT_0_CONSTRUCTED {
            continue;
        }
        let mut other = Reader::new(general_name.content);
        let type_id = other.read(tag::OID)?;
        let wrapped = other.read(tag::CONTEXT_0_CONSTRUCTED)?;
        other.finish()?;
        let oid = der::oid_to_string(type_id.content)?;
        let Some(attribute) = HolderAttribute::from_oid(&oid) else {
            continue;
        };
        let value = der::read_single(wrapped.content, wrapped_tag(wrapped.content)?)?;
        let text = decode_string(attribute, value.tag, value.content)?;
        let slot = found
            .get_mut(attribute.index())
            .ok_or(HolderAttributeError::Missing { attribute })?;
        if slot.is_some() {
            return Err(HolderAttributeError::Duplicate { attribute });
        }
        *slot = Some(text);
    }
    let [name, name_flags, sex, birth, address, address_flags] = found;
    let require =
        |value: Option<String>, attribute| value.ok_or(HolderAttributeError::Missing { attribute });
    let name = require(name, HolderAttribute::Name)?;
    let name_substitute_flags = require(name_flags, HolderAttribute::NameSubstituteFlags)?;
    let sex = require(sex, HolderAttribute::Sex)?;
    let birth = require(birth, HolderAttribute::BirthDate)?;
    let address = require(address, HolderAttribute::Address)?;
    let address_substitute_flags = require(address_flags, HolderAttribute::AddressSubstituteFlags)?;
    for (value, attribute) in [
        (&name, HolderAttribute::Name),
        (&address, HolderAttribute::Address),
    ] {
        if value.is_empty() {
            return Err(HolderAttributeError::Empty { attribute });
        }
    }
    let sex =
        Sex::from_code(&sex).ok_or(HolderAttributeError::InvalidSex { value: sex.clone() })?;
    let birth_date =
        decode_birth_date(&birth).map_err(|source| HolderAttributeError::InvalidBirthDate {
            value: birth.clone(),
            source,
        })?;
    Ok(HolderAttributes {
        name,
        name_substitute_flags,
        sex,
        birth_date,
        address,
        address_substitute_flags,
    })
}

fn wrapped_tag(content: &[u8]) -> Result<u8, HolderAttributeError> {
    content
        .first()
        .copied()
        .ok_or(HolderAttributeError::MalformedSubjectAltName {
            source: DerError::Truncated,
        })
}

/// Accepts UTF8String for every attribute and PrintableString / IA5String for
/// the ASCII-only ones; the text is returned byte-for-byte.
fn decode_string(
    attribute: HolderAttribute,
    tag_found: u8,
    content: &[u8],
) -> Result<String, HolderAttributeError> {
    let ascii_only = !matches!(attribute, HolderAttribute::Name | HolderAttribute::Address);
    match tag_found {
        tag::UTF8_STRING => {}
        tag::PRINTABLE_STRING | tag::IA5_STRING if ascii_only => {
            if !content.is_ascii() {
                return Err(HolderAttributeError::MalformedValue {
                    attribute,
                    detail: "non-ASCII byte in an ASCII string type",
                });
            }
        }
        _ => {
            return Err(HolderAttributeError::MalformedValue {
                attribute,
                detail: "unexpected ASN.1 string type",
            });
        }
    }
    let text = std::str::from_utf8(content).map_err(|_| HolderAttributeError::MalformedValue {
        attribute,
        detail: "invalid UTF-8",
    })?;
    if text.chars().any(char::is_control) {
        return Err(HolderAttributeError::MalformedValue {
            attribute,
            detail: "control character",
        });
    }
    Ok(text.to_owned())
}

/// Encodes holder attributes as subjectAltName `otherName` entries (the DER
/// `GeneralNames` value, ready for a subjectAltName extension): UTF8String
/// for name and address, PrintableString for the rest. `order` lists the
/// attributes to write, in order; leaving one out or repeating one makes
/// deliberately broken certificates for tests.
pub fn encode_holder_san(attributes: &HolderAttributes, order: &[HolderAttribute]) -> Vec<u8> {
    let mut names = Vec::new();
    for &attribute in order {
        let (string_tag, text) = match attribute {
            HolderAttribute::Name => (tag::UTF8_STRING, attributes.name.clone()),
            HolderAttribute::NameSubstituteFlags => (
                tag::PRINTABLE_STRING,
                attributes.name_substitute_flags.clone(),
            ),
            HolderAttribute::Sex => (tag::PRINTABLE_STRING, attributes.sex.code().to_owned()),
            HolderAttribute::BirthDate => (tag::PRINTABLE_STRING, attributes.birth_date.encode()),
            HolderAttribute::Address => (tag::UTF8_STRING, attributes.address.clone()),
            HolderAttribute::AddressSubstituteFlags => (
                tag::PRINTABLE_STRING,
                attributes.address_substitute_flags.clone(),
            ),
        };
        names.extend(encode_other_name(
            attribute.oid(),
            string_tag,
            text.as_bytes(),
        ));
    }
    der::encode(tag::SEQUENCE, &names)
}

/// Encodes one `otherName` GeneralName with a string value.
pub(crate) fn encode_other_name(oid: &str, string_tag: u8, value: &[u8]) -> Vec<u8> {
    let mut inner = der::encode(tag::OID, &der::oid_content(oid).unwrap_or_default());
    inner.extend(der::encode(
        tag::CONTEXT_0_CONSTRUCTED,
        &der::encode(string_tag, value),
    ));
    der::encode(tag::CONTEXT_0_CONSTRUCTED, &inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sample() -> HolderAttributes {
        HolderAttributes {
            name: "𠮷田\u{3000}海子".replace('海', "\u{FA45}"),
            name_substitute_flags: String::new(),
            sex: Sex::Female,
            birth_date: JpkiBirthDate {
                era: Era::Heisei,
                date: date!(1990 - 01 - 15),
            },
            address: "東京都千代田区千代田１番１号".to_owned(),
            address_substitute_flags: "0".to_owned(),
        }
    }

    #[test]
    fn birth_date_decodes_each_era_and_boundary() {
        let cases = [
            ("319890107", Era::Showa, date!(1989 - 01 - 07)),
            ("419890108", Era::Heisei, date!(1989 - 01 - 08)),
            ("420190430", Era::Heisei, date!(2019 - 04 - 30)),
            ("520190501", Era::Reiwa, date!(2019 - 05 - 01)),
            ("219120730", Era::Taisho, date!(1912 - 07 - 30)),
            ("119120729", Era::Meiji, date!(1912 - 07 - 29)),
            ("319261225", Era::Showa, date!(1926 - 12 - 25)),
        ];
        for (text, era, date) in cases {
            assert_eq!(
                decode_birth_date(text),
                Ok(JpkiBirthDate { era, date }),
                "{text}"
            );
        }
    }

    #[test]
    fn birth_date_rejections_are_specific() {
        assert_eq!(
            decode_birth_date("41990011"),
            Err(BirthDateError::WrongLength { length: 8 })
        );
        assert_eq!(
            decode_birth_date("4199O0115"),
            Err(BirthDateError::NotADigit { position: 4 })
        );
        assert_eq!(
            decode_birth_date("619900115"),
            Err(BirthDateError::UnknownEra { digit: 6 })
        );
        assert_eq!(
            decode_birth_date("019900115"),
            Err(BirthDateError::UnknownEra { digit: 0 })
        );
        assert_eq!(
            decode_birth_date("419900230"),
            Err(BirthDateError::NotACalendarDate {
                year: 1990,
                month: 2,
                day: 30
            })
        );
        assert_eq!(
            decode_birth_date("320000101"),
            Err(BirthDateError::EraMismatch {
                digit: 3,
                date: date!(2000 - 01 - 01)
            })
        );
        assert_eq!(
            decode_birth_date("519890108"),
            Err(BirthDateError::EraMismatch {
                digit: 5,
                date: date!(1989 - 01 - 08)
            })
        );
        // Full-width digits are characters, not ASCII digits.
        assert_eq!(
            decode_birth_date("４19900115"),
            Err(BirthDateError::WrongLength { length: 9 })
        );
    }

    #[test]
    fn attributes_round_trip_in_any_order_without_normalization() {
        let attrs = sample();
        let mut order = HolderAttribute::ALL.to_vec();
        for rotation in 0..6 {
            order.rotate_left(1);
            let mut reversed = order.clone();
            reversed.reverse();
            for o in [&order, &reversed] {
                let parsed =
                    holder_attributes_from_san(&encode_holder_san(&attrs, o)).expect("parses");
                assert_eq!(parsed, attrs, "rotation {rotation}");
                assert!(
                    parsed.name.contains('\u{FA45}'),
                    "compatibility ideograph kept"
                );
                assert!(parsed.name.contains('\u{20BB7}'), "non-BMP character kept");
            }
        }
    }

    #[test]
    fn each_missing_attribute_is_named() {
        let attrs = sample();
        for missing in HolderAttribute::ALL {
            let order: Vec<_> = HolderAttribute::ALL
                .into_iter()
                .filter(|a| *a != missing)
                .collect();
            assert_eq!(
                holder_attributes_from_san(&encode_holder_san(&attrs, &order)),
                Err(HolderAttributeError::Missing { attribute: missing })
            );
        }
    }

    #[test]
    fn duplicate_attribute_is_rejected() {
        let mut order = HolderAttribute::ALL.to_vec();
        order.push(HolderAttribute::Sex);
        assert_eq!(
            holder_attributes_from_san(&encode_holder_san(&sample(), &order)),
            Err(HolderAttributeError::Duplicate {
                attribute: HolderAttribute::Sex
            })
        );
    }

    fn san_with(attribute: HolderAttribute, string_tag: u8, value: &[u8]) -> Vec<u8> {
        let order: Vec<_> = HolderAttribute::ALL
            .into_iter()
            .filter(|a| *a != attribute)
            .collect();
        let base = encode_holder_san(&sample(), &order);
        let seq = der::read_single(&base, tag::SEQUENCE).expect("own encoding");
        let mut content = seq.content.to_vec();
        content.extend(encode_other_name(attribute.oid(), string_tag, value));
        der::encode(tag::SEQUENCE, &content)
    }

    #[test]
    fn malformed_values_are_specific() {
        assert_eq!(
            holder_attributes_from_san(&san_with(
                HolderAttribute::Sex,
                tag::PRINTABLE_STRING,
                b"3"
            )),
            Err(HolderAttributeError::InvalidSex { value: "3".into() })
        );
        assert_eq!(
            holder_attributes_from_san(&san_with(
                HolderAttribute::BirthDate,
                tag::PRINTABLE_STRING,
                b"420250101"
            )),
            Err(HolderAttributeError::InvalidBirthDate {
                value: "420250101".into(),
                source: BirthDateError::EraMismatch {
                    digit: 4,
                    date: date!(2025 - 01 - 01)
                },
            })
        );
        assert_eq!(
            holder_attributes_from_san(&san_with(
                HolderAttribute::Name,
                tag::PRINTABLE_STRING,
                b"Yamada"
            )),
            Err(HolderAttributeError::MalformedValue {
                attribute: HolderAttribute::Name,
                detail: "unexpected ASN.1 string type",
            })
        );
        assert_eq!(
            holder_attributes_from_san(&san_with(
                HolderAttribute::Address,
                tag::UTF8_STRING,
                &[0xff, 0xfe]
            )),
            Err(HolderAttributeError::MalformedValue {
                attribute: HolderAttribute::Address,
                detail: "invalid UTF-8",
            })
        );
        assert_eq!(
            holder_attributes_from_san(&san_with(HolderAttribute::Name, tag::UTF8_STRING, b"")),
            Err(HolderAttributeError::Empty {
                attribute: HolderAttribute::Name
            })
        );
        assert_eq!(
            holder_attributes_from_san(&san_with(HolderAttribute::Name, tag::UTF8_STRING, b"a\nb")),
            Err(HolderAttributeError::MalformedValue {
                attribute: HolderAttribute::Name,
                detail: "control character",
            })
        );
    }

    #[test]
    fn truncated_san_is_malformed_not_missing() {
        let san = encode_holder_san(&sample(), &HolderAttribute::ALL);
        let cut = san.get(..san.len() - 3).expect("long enough");
        assert_eq!(
            holder_attributes_from_san(cut),
            Err(HolderAttributeError::MalformedSubjectAltName {
                source: DerError::Truncated
            })
        );
    }
}
