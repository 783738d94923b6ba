//! 全国地方公共団体コード (JIS X 0402; 総務省 全国地方公共団体コード).
//!
//! Six digits: a five-digit body code and a check digit computed as
//! `(11 − (d1·6 + d2·5 + d3·4 + d4·3 + d5·2) mod 11) mod 10`
//! (131016 = 千代田区). The table in `formats/data/municipalities.tsv`
//! includes the wards of 政令指定都市, which keep family registers themselves.

use crate::problem::{Problem, ProblemCode};
use crate::tables::{self, Municipality};

/// The check digit of a five-digit body code, or `None` if `body` is not
/// five ASCII digits.
pub fn check_digit(body: &str) -> Option<u8> {
    let b = body.as_bytes();
    if b.len() != 5 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip([6u32, 5, 4, 3, 2])
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(((11 - sum % 11) % 10) as u8)
}

/// True when `code` is six ASCII digits whose last digit is the check digit
/// of the first five.
pub fn check_digit_ok(code: &str) -> bool {
    code.len() == 6
        && code.is_ascii()
        && check_digit(&code[..5]).is_some_and(|c| code.as_bytes()[5] == b'0' + c)
}

/// Checks a code field: well-formed, known, and — when `must_keep_registers`
/// — a body that keeps family registers. Returns the table row when known.
pub(crate) fn check_code(
    code: &str,
    pointer: &str,
    must_keep_registers: bool,
    problems: &mut Vec<Problem>,
) -> Option<&'static Municipality> {
    if !check_digit_ok(code) {
        problems.push(Problem::new(
            ProblemCode::MunicipalityCheckDigit,
            pointer,
            format!("全国地方公共団体コード「{code}」は6桁の数字で、末尾の検査数字が正しくなければなりません。"),
            format!("Local government code '{code}' must be 6 digits with a valid check digit (JIS X 0402)."),
        ));
        return None;
    }
    let Some(m) = tables::municipality(code) else {
        problems.push(Problem::new(
            ProblemCode::MunicipalityUnknown,
            pointer,
            format!("全国地方公共団体コード「{code}」に該当する団体がありません。"),
            format!("Local government code '{code}' names no known municipality."),
        ));
        return None;
    };
    if must_keep_registers && !m.kind.keeps_family_registers() {
        problems.push(Problem::new(
            ProblemCode::MunicipalityNotRegisterOffice,
            pointer,
            format!(
                "「{}」({code})は戸籍事務を行う市区町村ではありません。政令指定都市は区のコードを指定してください。",
                m.full_name()
            ),
            format!(
                "'{code}' is a prefecture or a designated city as a whole, which keeps no family registers; use the code of the municipality or ward."
            ),
        ));
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes_have_valid_check_digits() {
        for (code, ok) in [
            ("131016", true),  // 千代田区
            ("141011", true),  // 横浜市鶴見区
            ("011002", true),  // 札幌市
            ("131017", false), // wrong check digit
            ("13101", false),  // too short
            ("1310160", false),
            ("13101a", false),
            ("１３１０１６", false), // full-width digits
        ] {
            assert_eq!(check_digit_ok(code), ok, "{code}");
        }
    }

    proptest! {
        #[test]
        fn appended_check_digit_always_verifies(body in 0u32..100_000) {
            let body = format!("{body:05}");
            let digit = check_digit(&body).expect("five digits");
            let code = format!("{body}{digit}");
            prop_assert!(check_digit_ok(&code));
        }

        #[test]
        fn any_other_check_digit_fails(body in 0u32..100_000, wrong in 0u8..10) {
            let body = format!("{body:05}");
            let digit = check_digit(&body).expect("five digits");
            prop_assume!(wrong != digit);
            let code = format!("{body}{wrong}");
            prop_assert!(!check_digit_ok(&code));
        }

        #[test]
        fn only_six_ascii_digits_can_verify(s in ".{0,12}") {
            if check_digit_ok(&s) {
                prop_assert!(s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()));
            }
            if check_digit(&s).is_some() {
                prop_assert!(s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
