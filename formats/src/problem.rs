//! Problems: the one shape in which every finding about a filing is reported.
//!
//! A parent gets *every* problem at once, each with a stable machine code, a
//! JSON pointer (RFC 6901) into the submitted document or a part name, a
//! severity and a message in Japanese and English. The verifier and the
//! gateway reuse [`Problem`] with codes of their own, so the code is a string
//! here; the codes this crate emits are the variants of [`ProblemCode`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether a problem blocks acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The filing cannot be accepted as it is (不備).
    Error,
    /// The filing is accepted; a clerk should look (e.g. 期間経過 late filing).
    Warning,
}

/// One finding about a filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Stable machine code, e.g. `name.char_not_allowed`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer (RFC 6901) into the notification, or a part name such as
    /// `certificate-1` for problems about a multipart part.
    pub pointer: String,
    /// Message for the parent and clerk in Japanese.
    pub message_ja: String,
    /// The same message in English.
    pub message_en: String,
}

impl Problem {
    /// A problem of the given kind, at the kind's severity.
    pub fn new(
        code: impl ProblemKind,
        pointer: impl Into<String>,
        message_ja: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            code: code.as_str().to_owned(),
            severity: code.severity(),
            pointer: pointer.into(),
            message_ja: message_ja.into(),
            message_en: message_en.into(),
        }
    }

    /// True when this problem blocks acceptance.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901 §3: `~` → `~0`,
/// `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A kind of problem with a stable code: implemented by the code enums of
/// every crate (this crate's [`ProblemCode`], the verifier's, the gateway's),
/// so they all produce the one [`Problem`] shape.
pub trait ProblemKind: Copy + 'static {
    /// The stable machine code, e.g. `name.char_not_allowed`.
    fn as_str(self) -> &'static str;
    /// The severity problems of this kind carry.
    fn severity(self) -> Severity;
    /// The documentation line (English).
    fn description(self) -> &'static str;
}

/// Defines a `#[non_exhaustive]` enum of problem codes, each with its stable
/// string, severity and documentation line, an `ALL` list, and the
/// [`ProblemKind`] implementation. Used by every crate that reports problems,
/// so all code tables are generated the same way ([`problem_code_table`]).
#[macro_export]
macro_rules! define_problem_codes {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $severity:ident; )*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl $name {
            /// All codes, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable machine code.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }
        }

        impl $crate::problem::ProblemKind for $name {
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn severity(self) -> $crate::problem::Severity {
                match self { $($name::$variant => $crate::problem::Severity::$severity,)* }
            }
            fn description(self) -> &'static str {
                match self { $($name::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

define_problem_codes! {
    /// Every problem code this crate emits. The string form
    /// ([`ProblemCode::as_str`]) is the stable contract; the table in
    /// `formats/PROBLEMS.md` is generated from this list (a test keeps it current).
    pub enum ProblemCode {
    /// The body is not well-formed JSON (the pointer is empty; the message gives line and column).
    JsonSyntax = "json.syntax", Error;
    /// A member the schema does not define (typo or unsupported field).
    JsonUnknownField = "json.unknown_field", Error;
    /// A required member is missing.
    JsonMissingField = "json.missing_field", Error;
    /// A value has the wrong JSON type (e.g. a number where a string is expected).
    JsonInvalidType = "json.invalid_type", Error;
    /// A value has the right type but is not allowed (unknown enum value, bad date format, out of range).
    JsonInvalidValue = "json.invalid_value", Error;
    /// The `schema_version` is not one this gateway understands.
    SchemaVersionUnsupported = "schema.version_unsupported", Error;
    /// A name is empty.
    NameEmpty = "name.empty", Error;
    /// The child's given name contains a character outside 常用漢字, 人名用漢字, hiragana and katakana (戸籍法50条, 施行規則60条).
    NameCharNotAllowed = "name.char_not_allowed", Error;
    /// An iteration mark or long-vowel mark (々 ゝ ゞ ー) stands first in the given name.
    NameIterationMarkFirst = "name.iteration_mark_first", Error;
    /// A name contains whitespace or a control character.
    NameWhitespace = "name.whitespace", Error;
    /// The reading (振り仮名) contains a character that is not katakana.
    ReadingNotKatakana = "reading.not_katakana", Error;
    /// The reading is written in half-width katakana; the message gives the full-width form.
    ReadingHalfwidthKatakana = "reading.halfwidth_katakana", Error;
    /// The reading is written in hiragana; the message gives the katakana form.
    ReadingHiragana = "reading.hiragana", Error;
    /// The reading follows the character rules but a clerk should check it (e.g. starts with ー or a small kana).
    ReadingUnusual = "reading.unusual", Warning;
    /// The declared 続柄 does not agree with sex and birth order.
    RelationshipMismatch = "relationship.mismatch", Error;
    /// The birth order is impossible (0, or more than the mother's live births).
    RelationshipBirthOrderInvalid = "relationship.birth_order_invalid", Error;
    /// The child's 氏 differs from the 氏 the law gives it (the register head's for 嫡出子, the mother's otherwise).
    SurnameMismatch = "surname.mismatch", Error;
    /// A 嫡出子 needs the father's particulars.
    FatherRequired = "parent.father_required", Error;
    /// A father is given for a 嫡出でない子; only possible after 胎児認知, a clerk must check.
    FatherGivenForIllegitimate = "parent.father_given_for_illegitimate", Warning;
    /// The parents of a 嫡出子 must be in one family register (same 本籍 and 筆頭者).
    ParentsRegisterDiffers = "parent.register_differs", Error;
    /// The register of the child (本籍 and 筆頭者) is not given.
    RegisteredDomicileMissing = "parent.registered_domicile_missing", Error;
    /// A parent is younger than 12 years at the child's birth: impossible.
    ParentTooYoung = "parent.too_young", Error;
    /// A parent's age at the birth is unusual (mother 60 or over, father 80 or over); a clerk should look.
    ParentAgeUnusual = "parent.age_unusual", Warning;
    /// The notifier's name or birth date differs from the parent they say they are.
    NotifierParentMismatch = "notifier.parent_mismatch", Error;
    /// Online route: the notifier must be the father or the mother.
    OnlineNotifierNotParent = "online.notifier_not_parent", Error;
    /// Online route: for a 嫡出でない子 the notifier must be the mother.
    OnlineNotifierMustBeMother = "online.notifier_must_be_mother", Error;
    /// Online route: the parents (for a 嫡出でない子, the mother) must be Japanese nationals.
    OnlineParentNotJapanese = "online.parent_not_japanese", Error;
    /// Online route: the child must have been born in Japan.
    OnlineBornAbroad = "online.born_abroad", Error;
    /// The receiving municipality is not one the route allows (online: the 本籍地).
    ReceivingMunicipalityNotAllowed = "online.receiving_municipality_not_domicile", Error;
    /// A 全国地方公共団体コード is not 6 digits or its check digit is wrong.
    MunicipalityCheckDigit = "municipality.check_digit", Error;
    /// A well-formed 全国地方公共団体コード that is not in the table.
    MunicipalityUnknown = "municipality.unknown_code", Error;
    /// The code names a prefecture or a 政令指定都市 as a whole, which keep no family registers (its wards do).
    MunicipalityNotRegisterOffice = "municipality.not_register_office", Error;
    /// The filing is late (戸籍法49条: 14 days counting the birth day); it is accepted and the due date given.
    DeadlineLate = "deadline.late", Warning;
    /// The birth date lies outside the holiday table, so the due date may ignore a holiday.
    DeadlineCalendarUnknown = "deadline.calendar_unknown", Warning;
    /// The birth is after the filing time.
    BirthInFuture = "date.birth_in_future", Error;
    /// The birth lies before the earliest date this gateway handles (1900).
    BirthTooOld = "date.birth_too_old", Error;
    /// A date of birth of a parent or notifier is after the filing time.
    DateInFuture = "date.in_future", Error;
    /// 同居を始めたとき lies in the future.
    CohabitationInFuture = "date.cohabitation_in_future", Error;
    /// 同居を始めたとき is after the birth; a clerk should look.
    CohabitationAfterBirth = "date.cohabitation_after_birth", Warning;
    /// A transcribed certificate item disagrees with the notification (sex, date and time of birth, mother's name).
    CertificateMismatch = "certificate.mismatch", Error;
    /// Weight or length is impossible for a newborn.
    CertificateMeasurementImpossible = "certificate.measurement_impossible", Error;
    /// Weight or length is outside the usual range; a clerk should look.
    CertificateMeasurementUnusual = "certificate.measurement_unusual", Warning;
    /// Gestation is impossible (days outside 0–6, weeks outside 12–45).
    CertificateGestationImpossible = "certificate.gestation_impossible", Error;
    /// Gestation is outside 22–42 weeks; a clerk should look.
    CertificateGestationUnusual = "certificate.gestation_unusual", Warning;
    /// A multiple birth needs its count (2 or more) and the child's order within it.
    CertificateMultipleBirthOrder = "certificate.multiple_birth_order", Error;
    /// Place kind 病院, 診療所 or 助産所 needs the facility name.
    CertificateFacilityNameRequired = "certificate.facility_name_required", Error;
    /// The mother's count of live births must include this child (at least 1).
    CertificateChildrenBorneInvalid = "certificate.children_borne_invalid", Error;
    /// The certificate's date of making is before the birth or after the filing.
    CertificateDateInvalid = "certificate.date_invalid", Error;
    /// The household's main occupation (世帯の主な仕事) must be 1–6.
    HouseholdOccupationInvalid = "household.occupation_invalid", Error;
    }
}

/// A Markdown table of codes: `| code | severity | meaning |`.
pub fn code_table<K: ProblemKind>(codes: &[K]) -> String {
    let mut out = String::from("| code | severity | meaning |\n|---|---|---|\n");
    for &code in codes {
        let severity = match code.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            severity,
            code.description()
        ));
    }
    out
}

/// The Markdown table of every code (the content of `formats/PROBLEMS.md`).
pub fn problem_code_table() -> String {
    let mut out = String::from(
        "# Problem codes of the `formats` crate\n\n\
         Generated from `formats/src/problem.rs` (`ProblemCode`); a test keeps this file current.\n\
         Regenerate with `BIRTHGATE_UPDATE_GENERATED=1 cargo test -p formats --test generated`.\n\n",
    );
    out.push_str(&code_table(ProblemCode::ALL));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_dotted() {
        let mut seen = HashSet::new();
        for code in ProblemCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!(code.as_str().contains('.'), "{code} has no namespace");
            assert!(!code.description().is_empty(), "{code} undocumented");
        }
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
    }
}
