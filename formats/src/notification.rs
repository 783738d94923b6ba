//! The data model of the 出生届 (birth notification, 戸籍法49条, 施行規則55条)
//! and of the transcribed 出生証明書 items (昭和27年法務・厚生省令第1号 第1条).
//!
//! These types *are* the input contract: the JSON Schema at
//! `formats/schema/birth-notification.v1.json` is generated from them. Every
//! struct denies unknown fields, so a typo is reported instead of being
//! silently dropped. Instants are RFC 3339 with an offset, dates ISO 8601.
//!
//! The schema is *structural* (types, required members, enumerations); the
//! domain rules (kanji lists, check digits, deadlines, plausibility) live in
//! [`crate::validate`], where each gets its own stable problem code.
//!
//! Names are kept exactly as received: no Unicode normalization anywhere.
//! NFC would turn 57 人名用漢字 that are CJK compatibility ideographs (海
//! U+FA45, 社 U+FA4C …) into other characters.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// The only `schema_version` this crate reads.
pub const SCHEMA_VERSION: &str = "1";

time::serde::format_description!(pub(crate) iso_date, Date, "[year]-[month]-[day]");

/// The 出生届 as filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BirthNotification {
    /// Version of this schema; must be `"1"`.
    pub schema_version: String,
    /// 届出先 — 全国地方公共団体コード of the municipality the filing is addressed to.
    /// On the online route this must be the 本籍地 of the child's register.
    pub receiving_municipality: MunicipalityCode,
    /// 子 — the child.
    pub child: Child,
    /// 父 — the father. Required for a 嫡出子; normally absent for a 嫡出でない子.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father: Option<Parent>,
    /// 母 — the mother.
    pub mother: Parent,
    /// 住所 — where the child lives, with the 世帯主 (householder).
    pub residence: Residence,
    /// 同居を始めたとき — year and month the parents began living together (`YYYY-MM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohabitation_began: Option<YearMonth>,
    /// 世帯の主な仕事 — the household's main occupation, category 1–6 of the form.
    pub household_occupation: u8,
    /// 父母の職業 — parents' occupations, asked only in census years (国勢調査の年).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents_occupations: Option<ParentsOccupations>,
    /// 届出人 — who files.
    pub notifier: Notifier,
    /// その他 — free remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    /// 出生証明書 — the certificate items, when transcribed from the attached image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<BirthCertificate>,
}

/// 全国地方公共団体コード (JIS X 0402): six digits, the last a check digit.
/// Kept as a string so leading zeros survive (011002 札幌市).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct MunicipalityCode(pub String);

impl MunicipalityCode {
    /// The code as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name as written in the family register: 氏 and 名 kept apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonName {
    /// 氏 — surname.
    pub surname: String,
    /// 名 — given name.
    pub given_name: String,
}

impl PersonName {
    /// 氏 and 名 as the register prints them, without a space.
    pub fn joined(&self) -> String {
        format!("{}{}", self.surname, self.given_name)
    }
}

/// 男女の別 — sex as the 出生届 records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

/// 嫡出子 / 嫡出でない子 (民法772条 as revised 2024-04-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Legitimacy {
    /// 嫡出子 — child of a married couple; enters the parents' register with their 氏.
    Legitimate,
    /// 嫡出でない子 — enters the mother's register with her 氏.
    Illegitimate,
}

/// 子 — the child being registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Child {
    /// 氏.
    pub surname: String,
    /// 名 — only 常用漢字, 人名用漢字, hiragana and katakana (戸籍法50条).
    pub given_name: String,
    /// 氏の振り仮名 — reading of the surname, in katakana (戸籍法13条, from 2025-05-26).
    pub surname_reading: String,
    /// 名の振り仮名 — reading of the given name, in katakana.
    pub given_name_reading: String,
    /// 男女の別.
    pub sex: Sex,
    /// 嫡出子 or 嫡出でない子.
    pub legitimacy: Legitimacy,
    /// Birth order among the children of the same sex counted for 続柄: of the
    /// same father and mother for a 嫡出子, of the mother for a 嫡出でない子.
    /// 1 for 長男/長女, 2 for 二男/二女 …
    pub birth_order: u32,
    /// 父母との続き柄 as the filer wrote it (長男, 二女 …); checked against
    /// `sex` and `birth_order` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// 生まれたとき — date and time of birth, RFC 3339 with offset.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub born_at: OffsetDateTime,
    /// 生まれたところ — place of birth.
    pub birthplace: Birthplace,
}

/// 生まれたところ — place of birth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Birthplace {
    /// Country, ISO 3166-1 alpha-2 (`JP`).
    pub country: String,
    /// 全国地方公共団体コード of the municipality of birth; required in Japan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<MunicipalityCode>,
    /// The rest of the address (番地 or 番, 号).
    pub address: String,
}

/// 父 or 母.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parent {
    /// 氏.
    pub surname: String,
    /// 名.
    pub given_name: String,
    /// 生年月日.
    #[serde(with = "iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub birth_date: Date,
    /// 国籍 — ISO 3166-1 alpha-2 (`JP` for Japanese nationals).
    pub nationality: String,
    /// 本籍 and 筆頭者 — for Japanese nationals. Foreign nationals have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_domicile: Option<RegisteredDomicile>,
}

impl Parent {
    /// The parent's name as a [`PersonName`].
    pub fn name(&self) -> PersonName {
        PersonName {
            surname: self.surname.clone(),
            given_name: self.given_name.clone(),
        }
    }
}

/// 本籍 — the registered domicile that identifies a family register, with its
/// 筆頭者 (the person listed first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisteredDomicile {
    /// 全国地方公共団体コード of the municipality that keeps the register.
    pub municipality_code: MunicipalityCode,
    /// 地番 or 街区符号 after the municipality name.
    pub address: String,
    /// 筆頭者の氏名.
    pub head_of_register: PersonName,
}

/// 住所 — residence of the child, with the householder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Residence {
    /// 全国地方公共団体コード of the municipality of residence.
    pub municipality_code: MunicipalityCode,
    /// The rest of the address.
    pub address: String,
    /// 世帯主の氏名.
    pub householder: PersonName,
    /// 世帯主との続き柄 (e.g. 子).
    pub relation_to_householder: String,
}

/// 年月 (`YYYY-MM`), used for 同居を始めたとき.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Gregorian year.
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "expected YYYY-MM";
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
            return Err(EXPECTED);
        }
        let year = s[..4].parse().map_err(|_| EXPECTED)?;
        let month: u8 = s[5..].parse().map_err(|_| EXPECTED)?;
        if !(1..=12).contains(&month) {
            return Err("month must be 01-12");
        }
        Ok(Self { year, month })
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for YearMonth {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "YearMonth".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$",
            "description": "年月, YYYY-MM"
        })
    }
}

/// 父母の職業 (census years only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentsOccupations {
    /// 父の職業.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father: Option<String>,
    /// 母の職業.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother: Option<String>,
}

/// 届出人の資格 — in what capacity the notifier files (戸籍法52条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifierQualification {
    /// 父.
    Father,
    /// 母.
    Mother,
    /// 法定代理人.
    LegalRepresentative,
    /// 同居者.
    Cohabitant,
    /// 医師.
    Physician,
    /// 助産師.
    Midwife,
    /// その他の立会者.
    OtherAttendant,
}

impl NotifierQualification {
    /// The word the register prints after 【届出人】.
    pub fn register_label(self) -> &'static str {
        match self {
            Self::Father => "父",
            Self::Mother => "母",
            Self::LegalRepresentative => "法定代理人",
            Self::Cohabitant => "同居者",
            Self::Physician => "医師",
            Self::Midwife => "助産師",
            Self::OtherAttendant => "その他の立会者",
        }
    }
}

/// 届出人 — the person filing. On the online route, the father or the mother,
/// who signs with the JPKI signing certificate of the My Number card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notifier {
    /// 資格.
    pub qualification: NotifierQualification,
    /// 氏名 — must equal the JPKI certificate holder's name.
    pub name: PersonName,
    /// 生年月日 — must equal the JPKI certificate holder's birth date.
    #[serde(with = "iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub birth_date: Date,
    /// 住所.
    pub address: String,
    /// 本籍 of the notifier, when Japanese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_domicile: Option<RegisteredDomicile>,
}

/// 出生証明書 — the items of the birth certificate made by the doctor or
/// midwife (省令 昭和27年 第1条), transcribed from the attached image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BirthCertificate {
    /// 子の氏名 — may be absent when the name was not yet chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_name: Option<String>,
    /// 男女の別.
    pub sex: Sex,
    /// 生まれたとき — date and time of birth.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub born_at: OffsetDateTime,
    /// 出生したところ及びその種別.
    pub place: CertificatePlace,
    /// 体重 (g).
    pub weight_grams: u32,
    /// 身長 (cm, one decimal as on the form).
    pub length_cm: f64,
    /// 単胎・多胎の別.
    pub plurality: Plurality,
    /// 多胎の場合: how many children were born together (2 for twins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_birth_count: Option<u32>,
    /// 多胎の場合: this child's order among them (第1子 = 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_birth_order: Option<u32>,
    /// 母の氏名.
    pub mother_name: PersonName,
    /// 妊娠週数 (満 週 日).
    pub gestation: Gestation,
    /// この母の出産した子の数.
    pub children_borne: ChildrenBorne,
    /// 証明書作成年月日.
    #[serde(with = "iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub certified_on: Date,
    /// 証明者.
    pub certifier: Certifier,
}

/// 出生したところの種別.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// 病院.
    Hospital,
    /// 診療所.
    Clinic,
    /// 助産所.
    MaternityHome,
    /// 自宅.
    Home,
    /// その他.
    Other,
}

impl PlaceKind {
    /// The label on the form.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Hospital => "病院",
            Self::Clinic => "診療所",
            Self::MaternityHome => "助産所",
            Self::Home => "自宅",
            Self::Other => "その他",
        }
    }
}

/// 出生したところ on the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificatePlace {
    /// 種別.
    pub kind: PlaceKind,
    /// 施設の名称 — required for 病院, 診療所 and 助産所.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_name: Option<String>,
    /// 所在地.
    pub address: String,
}

/// 単胎・多胎の別.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Plurality {
    /// 単胎.
    Single,
    /// 多胎.
    Multiple,
}

/// 妊娠週数 (満 週 日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gestation {
    /// 満 … 週.
    pub weeks: u32,
    /// … 日 (0–6).
    pub days: u32,
}

/// この母の出産した子の数 — including this birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildrenBorne {
    /// 出生子 — live births, including this child.
    pub live_births: u32,
    /// 死産児 — stillbirths from 22 weeks of gestation (妊娠満22週以後).
    pub stillbirths: u32,
}

/// 証明者の種別.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertifierKind {
    /// 医師.
    Physician,
    /// 助産師.
    Midwife,
    /// その他.
    Other,
}

/// 証明者 — who made the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certifier {
    /// 医師・助産師・その他.
    pub kind: CertifierKind,
    /// 氏名.
    pub name: String,
    /// 住所 (of the facility or the certifier).
    pub address: String,
}
