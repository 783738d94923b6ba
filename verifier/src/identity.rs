//! Signer identity binding: the JPKI holder must be the notifier.
//!
//! The holder's 氏名 and 生年月日 in the signing certificate must equal the
//! notifier's in the notification. Spaces (U+0020 and the full-width U+3000
//! the certificate puts between 氏 and 名) are ignored; every other
//! character is compared exactly — no normalization, so 海 U+FA45 and 海
//! U+6D77 differ, as they do in the register.
//!
//! When the certificate's name uses substitute characters (代替文字: the
//! registered name has characters JIS cannot carry, and the certificate
//! holds stand-ins), an exact comparison cannot succeed or fail honestly: the
//! clerk must compare the names by eye, so the result is a warning.

use certs::HolderAttributes;
use formats::Problem;
use formats::notification::Notifier;

use crate::codes::VerifierCode;

fn without_spaces(s: &str) -> String {
    s.chars()
        .filter(|c| *c != ' ' && *c != '\u{3000}')
        .collect()
}

/// True when a substitute-character flag string says some character was
/// replaced (anything but empty or all zeros).
fn flags_set(flags: &str) -> bool {
    flags.chars().any(|c| c != '0' && !c.is_whitespace())
}

/// Compares the certificate holder with the notifier.
pub fn bind_identity(holder: &HolderAttributes, notifier: &Notifier) -> Vec<Problem> {
    let mut problems = Vec::new();
    let filed = format!("{}{}", notifier.name.surname, notifier.name.given_name);
    if flags_set(&holder.name_substitute_flags) {
        problems.push(Problem::new(
            VerifierCode::IdentitySubstituteCharacters,
            "/notifier/name",
            format!(
                "署名用電子証明書の氏名「{}」には代替文字が含まれています。届出人の氏名「{filed}」と目視で照合してください。",
                holder.name
            ),
            format!(
                "The certificate name '{}' contains substitute characters; compare it with the notifier's name '{filed}' by eye.",
                holder.name
            ),
        ));
    } else if without_spaces(&holder.name) != without_spaces(&filed) {
        problems.push(Problem::new(
            VerifierCode::IdentityNameMismatch,
            "/notifier/name",
            format!(
                "署名用電子証明書の氏名「{}」と届出人の氏名「{filed}」が一致しません。届出人本人のマイナンバーカードで署名してください。",
                holder.name
            ),
            format!(
                "The signing certificate's name '{}' differs from the notifier's name '{filed}'; the notifier must sign with their own card.",
                holder.name
            ),
        ));
    }
    if holder.birth_date.date != notifier.birth_date {
        problems.push(Problem::new(
            VerifierCode::IdentityBirthDateMismatch,
            "/notifier/birth_date",
            format!(
                "署名用電子証明書の生年月日({})と届出人の生年月日({})が一致しません。",
                holder.birth_date.date, notifier.birth_date
            ),
            format!(
                "The signing certificate's birth date ({}) differs from the notifier's ({}).",
                holder.birth_date.date, notifier.birth_date
            ),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use certs::{Era, JpkiBirthDate, Sex};
    use formats::notification::{NotifierQualification, PersonName};
    use time::macros::date;

    fn holder(name: &str, flags: &str) -> HolderAttributes {
        HolderAttributes {
            name: name.to_owned(),
            name_substitute_flags: flags.to_owned(),
            sex: Sex::Male,
            birth_date: JpkiBirthDate {
                era: Era::Heisei,
                date: date!(1990 - 04 - 15),
            },
            address: "東京都千代田区千代田１番１号".to_owned(),
            address_substitute_flags: String::new(),
        }
    }

    fn notifier(surname: &str, given: &str) -> Notifier {
        Notifier {
            qualification: NotifierQualification::Father,
            name: PersonName {
                surname: surname.to_owned(),
                given_name: given.to_owned(),
            },
            birth_date: date!(1990 - 04 - 15),
            address: String::new(),
            registered_domicile: None,
        }
    }

    fn codes(p: Vec<Problem>) -> Vec<String> {
        p.into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn spaces_ignored_characters_exact() {
        assert!(
            bind_identity(
                &holder("𠮷田\u{3000}\u{FA45}斗", ""),
                &notifier("𠮷田", "\u{FA45}斗")
            )
            .is_empty()
        );
        assert!(
            bind_identity(
                &holder("𠮷田 \u{FA45}斗", "0000"),
                &notifier("𠮷田", "\u{FA45}斗")
            )
            .is_empty()
        );
        // 海 U+6D77 is not 海 U+FA45; 吉 is not 𠮷.
        assert_eq!(
            codes(bind_identity(
                &holder("𠮷田\u{3000}\u{FA45}斗", ""),
                &notifier("𠮷田", "海斗")
            )),
            ["identity.name_mismatch"]
        );
        assert_eq!(
            codes(bind_identity(
                &holder("𠮷田\u{3000}\u{FA45}斗", ""),
                &notifier("吉田", "\u{FA45}斗")
            )),
            ["identity.name_mismatch"]
        );
    }

    #[test]
    fn birth_date_compared() {
        let mut n = notifier("山田", "一郎");
        n.birth_date = date!(1990 - 04 - 16);
        assert_eq!(
            codes(bind_identity(&holder("山田　一郎", ""), &n)),
            ["identity.birth_date_mismatch"]
        );
    }

    #[test]
    fn substitute_characters_defer_to_the_clerk() {
        let p = bind_identity(
            &holder("髙橋\u{3000}\u{FA45}斗", "1"),
            &notifier("高橋", "海斗"),
        );
        assert_eq!(codes(p.clone()), ["identity.substitute_characters"]);
        assert_eq!(p[0].severity, formats::Severity::Warning);
    }
}
