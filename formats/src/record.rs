//! The family-register record (`FamilyRegisterFiling`): what a 戸籍担当 clerk
//! enters into the register system, already normalized so nothing needs
//! retyping, and its register-entry text in the 全部事項証明 layout.
//!
//! Names are carried exactly as filed. For each name the record lists the
//! characters Shift_JIS / CP932 cannot encode, so a legacy system knows it
//! needs 外字 handling; this crate never substitutes a character.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::calendar::{self, JST, jst_date};
use crate::deadline::FilingDeadline;
use crate::error::FormatsError;
use crate::notification::{
    BirthCertificate, BirthNotification, Legitimacy, NotifierQualification, Parent, Sex,
};
use crate::problem::{Problem, Severity};
use crate::tables;
use crate::validate::{ValidationContext, child_register, relationship_label, validate};

/// Version of the record layout.
pub const RECORD_VERSION: &str = "1";

/// A municipality by code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityRef {
    /// 全国地方公共団体コード.
    pub code: String,
    /// Prefecture and name (東京都千代田区).
    pub name: String,
}

/// The normalized filing handed to the municipality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyRegisterFiling {
    /// Layout version, `"1"`.
    pub record_version: String,
    /// 届出先.
    pub receiving_municipality: MunicipalityRef,
    /// When the gateway received the filing (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub received_at: OffsetDateTime,
    /// 届出日 — the date of receipt in Japan.
    #[serde(with = "crate::notification::iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub filed_on: Date,
    /// The register the child enters (本籍 and 筆頭者).
    pub register: RegisterRef,
    /// The child as the register records it.
    pub child: RegisterChild,
    /// 身分事項 出生.
    pub birth_event: BirthEvent,
    /// 父, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father: Option<RegisterParent>,
    /// 母.
    pub mother: RegisterParent,
    /// 住所 and 世帯主.
    pub residence: ResidenceRecord,
    /// 届出人.
    pub notifier: NotifierRecord,
    /// 世帯の主な仕事 (1–6).
    pub household_occupation: u8,
    /// 同居を始めたとき (`YYYY-MM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohabitation_began: Option<crate::notification::YearMonth>,
    /// 出生証明書 items, when transcribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<BirthCertificate>,
    /// 届出期間 and whether it was met.
    pub deadline: FilingDeadline,
    /// Name characters a Shift_JIS/CP932 system cannot store (外字 needed).
    pub legacy_encoding: Vec<UnencodableName>,
    /// Attachments (出生証明書 images) by digest; filled in by the verifier.
    pub attachments: Vec<AttachmentDigest>,
    /// Warnings the clerk should look at (late filing, unusual values …).
    pub warnings: Vec<Problem>,
}

/// The register a filing goes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRef {
    /// Municipality keeping the register.
    pub municipality: MunicipalityRef,
    /// 本籍 — full text (municipality name and 地番).
    pub domicile: String,
    /// 筆頭者の氏名.
    pub head_of_register: String,
}

/// 戸籍に記録されている者 — the child's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterChild {
    /// 氏.
    pub surname: String,
    /// 【名】.
    pub given_name: String,
    /// 【氏の振り仮名】.
    pub surname_reading: String,
    /// 【名の振り仮名】.
    pub given_name_reading: String,
    /// 男女の別.
    pub sex: Sex,
    /// 嫡出子 / 嫡出でない子.
    pub legitimacy: Legitimacy,
    /// 【続柄】 (長男, 二女 …).
    pub relationship: String,
    /// 生年月日 (Gregorian, in Japan).
    #[serde(with = "crate::notification::iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub birth_date: Date,
    /// 【生年月日】 in 和暦.
    pub birth_date_wareki: String,
    /// Time of birth as 午前/午後 (午前0時0分 = midnight, 午後0時0分 = noon).
    pub time_of_birth: String,
    /// The instant of birth (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub born_at: OffsetDateTime,
    /// 【父】 as printed (氏名), absent when no father is registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father: Option<String>,
    /// 【母】 as printed.
    pub mother: String,
}

/// 身分事項 出生.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BirthEvent {
    /// 【出生日】 in 和暦.
    pub birth_date: String,
    /// 【出生地】 at municipality level (最小行政区画: 東京都千代田区, 神奈川県横浜市).
    pub birthplace: String,
    /// 【届出日】 in 和暦.
    pub filed_on: String,
    /// 【届出人】 (父, 母 …).
    pub notifier: String,
}

/// A parent as the record carries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterParent {
    /// 氏.
    pub surname: String,
    /// 名.
    pub given_name: String,
    /// 生年月日.
    #[serde(with = "crate::notification::iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub birth_date: Date,
    /// 生年月日 in 和暦.
    pub birth_date_wareki: String,
    /// 国籍 (ISO 3166-1 alpha-2).
    pub nationality: String,
}

/// 住所 and 世帯主.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidenceRecord {
    /// Municipality.
    pub municipality: MunicipalityRef,
    /// Full address text.
    pub address: String,
    /// 世帯主の氏名.
    pub householder: String,
    /// 世帯主との続き柄.
    pub relation_to_householder: String,
}

/// 届出人.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifierRecord {
    /// 資格.
    pub qualification: NotifierQualification,
    /// 氏名.
    pub name: String,
    /// 生年月日.
    #[serde(with = "crate::notification::iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub birth_date: Date,
    /// 住所.
    pub address: String,
}

/// Characters of one name field that CP932 cannot encode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnencodableName {
    /// JSON pointer of the field in the notification.
    pub field: String,
    /// The characters, in order of first appearance, each with its code point.
    pub characters: Vec<UnencodableChar>,
}

/// One character a legacy encoder cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnencodableChar {
    /// The character itself.
    pub character: String,
    /// The code point as `U+` and four to six hex digits (`U+FA45`).
    pub code_point: String,
}

/// An attachment by digest, as listed in the signed manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentDigest {
    /// Multipart part name (`certificate-1`).
    pub part: String,
    /// Media type as sniffed.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// The characters of `s` that Shift_JIS (WHATWG, = CP932 with NEC/IBM
/// extensions) cannot encode, each once, in order.
pub fn cp932_unencodable(s: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let (_, _, unmappable) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
        if unmappable && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn municipality_ref(code: &str) -> Result<MunicipalityRef, FormatsError> {
    let m = tables::municipality(code).ok_or_else(|| FormatsError::UnknownMunicipality {
        code: code.to_owned(),
    })?;
    Ok(MunicipalityRef {
        code: code.to_owned(),
        name: m.full_name(),
    })
}

fn wareki(date: Date) -> Result<String, FormatsError> {
    Ok(calendar::to_wareki(date)?.to_string())
}

fn register_parent(p: &Parent) -> Result<RegisterParent, FormatsError> {
    Ok(RegisterParent {
        surname: p.surname.clone(),
        given_name: p.given_name.clone(),
        birth_date: p.birth_date,
        birth_date_wareki: wareki(p.birth_date)?,
        nationality: p.nationality.clone(),
    })
}

impl FamilyRegisterFiling {
    /// Validates `n` and, when no rule reports an error, builds the record.
    /// Warnings travel in [`FamilyRegisterFiling::warnings`].
    pub fn build(n: &BirthNotification, ctx: &ValidationContext) -> Result<Self, FormatsError> {
        let problems = validate(n, ctx);
        let errors = problems.iter().filter(|p| p.is_error()).count();
        if errors > 0 {
            return Err(FormatsError::NotValid { errors });
        }
        let warnings: Vec<Problem> = problems
            .into_iter()
            .filter(|p| p.severity == Severity::Warning)
            .collect();

        let (domicile, _) = child_register(n).ok_or(FormatsError::NoRegister)?;
        let register_municipality = municipality_ref(domicile.municipality_code.as_str())?;
        let birthplace = match &n.child.birthplace.municipality_code {
            Some(code) => tables::municipality(code.as_str())
                .ok_or_else(|| FormatsError::UnknownMunicipality {
                    code: code.0.clone(),
                })?
                .register_place_name(),
            None => n.child.birthplace.address.clone(),
        };
        let birth_date = jst_date(n.child.born_at);
        let filed_on = jst_date(ctx.received_at);
        let born_jst = n.child.born_at.to_offset(JST);
        let residence_municipality = municipality_ref(n.residence.municipality_code.as_str())?;

        let child = RegisterChild {
            surname: n.child.surname.clone(),
            given_name: n.child.given_name.clone(),
            surname_reading: n.child.surname_reading.clone(),
            given_name_reading: n.child.given_name_reading.clone(),
            sex: n.child.sex,
            legitimacy: n.child.legitimacy,
            relationship: relationship_label(n.child.sex, n.child.birth_order),
            birth_date,
            birth_date_wareki: wareki(birth_date)?,
            time_of_birth: calendar::time_ja(born_jst.hour(), born_jst.minute()),
            born_at: n.child.born_at.to_offset(time::UtcOffset::UTC),
            father: n.father.as_ref().map(|f| f.name().joined()),
            mother: n.mother.name().joined(),
        };

        let mut legacy_encoding = Vec::new();
        let mut names: Vec<(String, &str)> = vec![
            ("/child/surname".into(), &n.child.surname),
            ("/child/given_name".into(), &n.child.given_name),
            ("/mother/surname".into(), &n.mother.surname),
            ("/mother/given_name".into(), &n.mother.given_name),
            ("/notifier/name/surname".into(), &n.notifier.name.surname),
            (
                "/notifier/name/given_name".into(),
                &n.notifier.name.given_name,
            ),
            (
                "/residence/householder/surname".into(),
                &n.residence.householder.surname,
            ),
            (
                "/residence/householder/given_name".into(),
                &n.residence.householder.given_name,
            ),
        ];
        if let Some(f) = &n.father {
            names.push(("/father/surname".into(), &f.surname));
            names.push(("/father/given_name".into(), &f.given_name));
        }
        names.push((
            "/register/head_of_register/surname".into(),
            &domicile.head_of_register.surname,
        ));
        names.push((
            "/register/head_of_register/given_name".into(),
            &domicile.head_of_register.given_name,
        ));
        for (field, value) in names {
            let chars = cp932_unencodable(value);
            if !chars.is_empty() {
                legacy_encoding.push(UnencodableName {
                    field,
                    characters: chars
                        .into_iter()
                        .map(|c| UnencodableChar {
                            character: c.to_string(),
                            code_point: format!("U+{:04X}", u32::from(c)),
                        })
                        .collect(),
                });
            }
        }

        Ok(Self {
            record_version: RECORD_VERSION.to_owned(),
            receiving_municipality: municipality_ref(n.receiving_municipality.as_str())?,
            received_at: ctx.received_at.to_offset(time::UtcOffset::UTC),
            filed_on,
            register: RegisterRef {
                domicile: format!("{}{}", register_municipality.name, domicile.address),
                municipality: register_municipality,
                head_of_register: domicile.head_of_register.joined(),
            },
            birth_event: BirthEvent {
                birth_date: wareki(birth_date)?,
                birthplace,
                filed_on: wareki(filed_on)?,
                notifier: n.notifier.qualification.register_label().to_owned(),
            },
            child,
            father: n.father.as_ref().map(register_parent).transpose()?,
            mother: register_parent(&n.mother)?,
            residence: ResidenceRecord {
                address: format!("{}{}", residence_municipality.name, n.residence.address),
                municipality: residence_municipality,
                householder: n.residence.householder.joined(),
                relation_to_householder: n.residence.relation_to_householder.clone(),
            },
            notifier: NotifierRecord {
                qualification: n.notifier.qualification,
                name: n.notifier.name.joined(),
                birth_date: n.notifier.birth_date,
                address: n.notifier.address.clone(),
            },
            household_occupation: n.household_occupation,
            cohabitation_began: n.cohabitation_began,
            certificate: n.certificate.clone(),
            deadline: FilingDeadline::compute(birth_date, filed_on),
            legacy_encoding,
            attachments: Vec::new(),
            warnings,
        })
    }

    /// The register-entry text in the 全部事項証明 layout: the child's
    /// entry (戸籍に記録されている者) and the 身分事項 出生.
    pub fn register_entry_text(&self) -> String {
        let c = &self.child;
        let e = &self.birth_event;
        let mut out = String::new();
        out.push_str("戸籍に記録されている者\n");
        out.push_str(&format!("  【名】{}\n", c.given_name));
        out.push_str(&format!("  【名の振り仮名】{}\n", c.given_name_reading));
        out.push_str(&format!("  【生年月日】{}\n", c.birth_date_wareki));
        if let Some(f) = &c.father {
            out.push_str(&format!("  【父】{f}\n"));
        }
        out.push_str(&format!("  【母】{}\n", c.mother));
        out.push_str(&format!("  【続柄】{}\n", c.relationship));
        out.push_str("身分事項\n");
        out.push_str("  出生\n");
        out.push_str(&format!("    【出生日】{}\n", e.birth_date));
        out.push_str(&format!("    【出生地】{}\n", e.birthplace));
        out.push_str(&format!("    【届出日】{}\n", e.filed_on));
        out.push_str(&format!("    【届出人】{}\n", e.notifier));
        out
    }
}
