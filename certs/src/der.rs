//! A deliberately small DER reader and writer.
//!
//! The reader is used on untrusted bytes (CRLs, subjectAltName values), so it
//! is strict: single-byte tags only, definite minimal lengths, no trailing
//! bytes where the grammar has none. Every failure is a [`DerError`], never a
//! panic. The writer only encodes values the dev-PKI generator controls.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Universal tag numbers (with constructed bit where the type is constructed).
pub(crate) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const ENUMERATED: u8 = 0x0a;
    pub(crate) const UTF8_STRING: u8 = 0x0c;
    pub(crate) const PRINTABLE_STRING: u8 = 0x13;
    pub(crate) const IA5_STRING: u8 = 0x16;
    pub(crate) const UTC_TIME: u8 = 0x17;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;
    /// `[0]` constructed, context-specific (explicit tagging and `otherName`).
    pub(crate) const CONTEXT_0_CONSTRUCTED: u8 = 0xa0;
}

/// Why a DER structure could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DerError {
    /// The input ended before the element it announced.
    #[error("DER input truncated")]
    Truncated,
    /// A multi-byte (high-number) tag, which none of the parsed grammars use.
    #[error("unsupported high-number DER tag")]
    HighTagNumber,
    /// An indefinite, non-minimal or oversized length.
    #[error("invalid DER length encoding")]
    BadLength,
    /// An element had another tag than the grammar requires at this position.
    #[error("unexpected DER tag 0x{found:02x}, expected 0x{expected:02x}")]
    UnexpectedTag {
        /// The tag the grammar requires.
        expected: u8,
        /// The tag found in the input.
        found: u8,
    },
    /// Bytes were left after a complete element.
    #[error("trailing bytes after DER element")]
    TrailingData,
    /// The content of a primitive element was invalid for its type.
    #[error("invalid DER {what}")]
    InvalidValue {
        /// The type whose content was invalid (e.g. "OBJECT IDENTIFIER").
        what: &'static str,
    },
}

/// One tag-length-value element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
    /// The whole element, header included.
    pub(crate) raw: &'a [u8],
}

/// A cursor over a sequence of DER elements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    input: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self { input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.input.first().copied()
    }

    /// Reads the next element, whatever its tag.
    pub(crate) fn read_any(&mut self) -> Result<Tlv<'a>, DerError> {
        let input = self.input;
        let (&tag, rest) = input.split_first().ok_or(DerError::Truncated)?;
        if tag & 0x1f == 0x1f {
            return Err(DerError::HighTagNumber);
        }
        let (&first, mut rest) = rest.split_first().ok_or(DerError::Truncated)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            // 0x80 is indefinite (BER only); more than 4 length bytes is never needed.
            if count == 0 || count > 4 {
                return Err(DerError::BadLength);
            }
            let (bytes, after) = rest.split_at_checked(count).ok_or(DerError::Truncated)?;
            rest = after;
            if bytes.first() == Some(&0) {
                return Err(DerError::BadLength);
            }
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return Err(DerError::BadLength);
            }
            len
        };
        let (content, after) = rest.split_at_checked(len).ok_or(DerError::Truncated)?;
        let header_len = input.len() - rest.len();
        let raw = input.get(..header_len + len).ok_or(DerError::Truncated)?;
        self.input = after;
        Ok(Tlv { tag, content, raw })
    }

    /// Reads the next element and requires `expected` as its tag.
    pub(crate) fn read(&mut self, expected: u8) -> Result<Tlv<'a>, DerError> {
        let tlv = self.read_any()?;
        if tlv.tag != expected {
            return Err(DerError::UnexpectedTag {
                expected,
                found: tlv.tag,
            });
        }
        Ok(tlv)
    }

    /// Reads the next element if its tag is `expected`.
    pub(crate) fn read_optional(&mut self, expected: u8) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(expected) {
            self.read(expected).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails unless every byte was consumed.
    pub(crate) fn finish(&self) -> Result<(), DerError> {
        if self.input.is_empty() {
            Ok(())
        } else {
            Err(DerError::TrailingData)
        }
    }
}

/// Reads exactly one element with tag `expected` spanning all of `input`.
pub(crate) fn read_single(input: &[u8], expected: u8) -> Result<Tlv<'_>, DerError> {
    let mut reader = Reader::new(input);
    let tlv = reader.read(expected)?;
    reader.finish()?;
    Ok(tlv)
}

/// Decodes the content of an OBJECT IDENTIFIER into dotted-decimal text.
pub(crate) fn oid_to_string(content: &[u8]) -> Result<String, DerError> {
    const BAD: DerError = DerError::InvalidValue {
        what: "OBJECT IDENTIFIER",
    };
    if content.is_empty() || content.last().is_some_and(|b| b & 0x80 != 0) {
        return Err(BAD);
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut fresh = true;
    for &byte in content {
        if fresh && byte == 0x80 {
            // Non-minimal encoding of an arc.
            return Err(BAD);
        }
        value = value
            .checked_mul(128)
            .and_then(|v| v.checked_add(u64::from(byte & 0x7f)))
            .ok_or(BAD)?;
        fresh = byte & 0x80 == 0;
        if fresh {
            if arcs.is_empty() {
                let (first, second) = match value {
                    0..=39 => (0, value),
                    40..=79 => (1, value - 40),
                    _ => (2, value - 80),
                };
                arcs.push(first);
                arcs.push(second);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    Ok(arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("."))
}

/// Decodes UTCTime or GeneralizedTime content in the `Z` forms RFC 5280 requires.
pub(crate) fn time_from_tlv(tlv: &Tlv<'_>) -> Result<OffsetDateTime, DerError> {
    const BAD: DerError = DerError::InvalidValue { what: "Time" };
    let text = std::str::from_utf8(tlv.content).map_err(|_| BAD)?;
    let digits = text.strip_suffix('Z').ok_or(BAD)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD);
    }
    let number = |range: std::ops::Range<usize>| -> Result<u32, DerError> {
        digits
            .get(range)
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or(BAD)
    };
    let (year, rest_at) = match (tlv.tag, digits.len()) {
        // RFC 5280 4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
        (tag::UTC_TIME, 12) => {
            let yy = number(0..2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        (tag::GENERALIZED_TIME, 14) => (number(0..4)?, 4),
        _ => return Err(BAD),
    };
    let month = u8::try_from(number(rest_at..rest_at + 2)?).map_err(|_| BAD)?;
    let day = u8::try_from(number(rest_at + 2..rest_at + 4)?).map_err(|_| BAD)?;
    let hour = u8::try_from(number(rest_at + 4..rest_at + 6)?).map_err(|_| BAD)?;
    let minute = u8::try_from(number(rest_at + 6..rest_at + 8)?).map_err(|_| BAD)?;
    let second = u8::try_from(number(rest_at + 8..rest_at + 10)?).map_err(|_| BAD)?;
    let month = Month::try_from(month).map_err(|_| BAD)?;
    let year = i32::try_from(year).map_err(|_| BAD)?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| BAD)?;
    let time = Time::from_hms(hour, minute, second).map_err(|_| BAD)?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Reads a UTCTime or GeneralizedTime element.
pub(crate) fn read_time(reader: &mut Reader<'_>) -> Result<OffsetDateTime, DerError> {
    let tlv = reader.read_any()?;
    match tlv.tag {
        tag::UTC_TIME | tag::GENERALIZED_TIME => time_from_tlv(&tlv),
        found => Err(DerError::UnexpectedTag {
            expected: tag::UTC_TIME,
            found,
        }),
    }
}

/// Encodes one element (writer side, for values the generator controls).
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// Encodes a dotted-decimal OID's content octets; `None` if the text is not an OID.
pub(crate) fn oid_content(dotted: &str) -> Option<Vec<u8>> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    let (&first, rest) = arcs.split_first()?;
    let (&second, rest) = rest.split_first()?;
    if first > 2 || (first < 2 && second > 39) {
        return None;
    }
    let mut out = Vec::new();
    let mut push_arc = |mut arc: u64| {
        let mut chunk = vec![(arc & 0x7f) as u8];
        arc >>= 7;
        while arc > 0 {
            chunk.push(0x80 | (arc & 0x7f) as u8);
            arc >>= 7;
        }
        out.extend(chunk.iter().rev());
    };
    push_arc(first.checked_mul(40)?.checked_add(second)?);
    for &arc in rest {
        push_arc(arc);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_round_trip() {
        let content = oid_content("1.2.392.200149.8.5.5.4").expect("valid OID");
        assert_eq!(
            content,
            [0x2a, 0x83, 0x08, 0x8c, 0x9b, 0x55, 0x08, 0x05, 0x05, 0x04]
        );
        assert_eq!(
            oid_to_string(&content).expect("decodes"),
            "1.2.392.200149.8.5.5.4"
        );
    }

    #[test]
    fn rejects_non_minimal_length() {
        // Length 5 encoded in long form.
        assert_eq!(
            Reader::new(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5])
                .read_any()
                .err(),
            Some(DerError::BadLength)
        );
        assert_eq!(
            Reader::new(&[0x04, 0x80]).read_any().err(),
            Some(DerError::BadLength)
        );
    }

    #[test]
    fn rejects_truncation_and_trailing_bytes() {
        assert_eq!(
            read_single(&[0x04, 0x03, 1, 2], tag::OCTET_STRING).err(),
            Some(DerError::Truncated)
        );
        assert_eq!(
            read_single(&[0x04, 0x01, 1, 0], tag::OCTET_STRING).err(),
            Some(DerError::TrailingData)
        );
    }

    #[test]
    fn long_lengths_encode_and_decode() {
        let content = vec![7u8; 70_000];
        let encoded = encode(tag::OCTET_STRING, &content);
        assert_eq!(encoded.get(..5), Some(&[0x04, 0x83, 0x01, 0x11, 0x70][..]));
        let tlv = read_single(&encoded, tag::OCTET_STRING).expect("round trip");
        assert_eq!(tlv.content.len(), 70_000);
    }

    #[test]
    fn utc_time_century_rule() {
        let tlv = Tlv {
            tag: tag::UTC_TIME,
            content: b"491231235959Z",
            raw: &[],
        };
        assert_eq!(time_from_tlv(&tlv).expect("valid").year(), 2049);
        let tlv = Tlv {
            tag: tag::UTC_TIME,
            content: b"500101000000Z",
            raw: &[],
        };
        assert_eq!(time_from_tlv(&tlv).expect("valid").year(), 1950);
        let tlv = Tlv {
            tag: tag::GENERALIZED_TIME,
            content: b"20260230000000Z",
            raw: &[],
        };
        assert!(time_from_tlv(&tlv).is_err(), "30 February must be rejected");
    }
}
