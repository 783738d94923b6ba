//! The domain rules of a 出生届, each reported with its own stable code.
//!
//! [`validate`] runs every rule and returns every problem; no rule stops the
//! others. Rules that need a clock take it from [`ValidationContext`]: this
//! crate never reads the time itself.

use time::{Date, OffsetDateTime};

use crate::calendar::{self, jst_date};
use crate::deadline::FilingDeadline;
use crate::municipality::check_code;
use crate::name::{check_given_name, check_name_present, check_reading};
use crate::notification::{
    BirthCertificate, BirthNotification, Legitimacy, NotifierQualification, Parent, PersonName,
    PlaceKind, Plurality, RegisteredDomicile, Sex,
};
use crate::problem::{Problem, ProblemCode};

/// How the filing reached the gateway; decides which municipalities may receive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilingRoute {
    /// マイナポータル 画像添付方式: notifier is a parent, filed to the 本籍地 only.
    Online,
    /// Paper or other routes: 本籍地, the notifier's 所在地 (戸籍法25条) or
    /// the place of birth (戸籍法51条).
    General,
}

/// What the rules need from outside the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidationContext {
    /// When the gateway received the filing; the 届出日 is its date in Japan.
    pub received_at: OffsetDateTime,
    /// The route the filing came by.
    pub route: FilingRoute,
}

impl ValidationContext {
    /// An online-route context at `received_at`.
    pub fn online(received_at: OffsetDateTime) -> Self {
        Self {
            received_at,
            route: FilingRoute::Online,
        }
    }
}

/// 続柄 as the register writes it: 長男, 二女, 十一男 …
pub fn relationship_label(sex: Sex, birth_order: u32) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let ordinal = match birth_order {
        0 => String::from("〇"),
        1 => String::from("長"),
        n if n < 10 => DIGITS[n as usize].to_owned(),
        n if n < 100 => {
            let (tens, ones) = ((n / 10) as usize, (n % 10) as usize);
            let tens = if tens == 1 {
                String::new()
            } else {
                DIGITS[tens].to_owned()
            };
            format!("{tens}十{}", DIGITS[ones])
        }
        n => n.to_string(),
    };
    let sex = match sex {
        Sex::Male => "男",
        Sex::Female => "女",
    };
    format!("{ordinal}{sex}")
}

/// The register the child enters and where in the document it is given:
/// the parents' for a 嫡出子 (the father's entry names it; the mother's
/// must agree), the mother's for a 嫡出でない子.
pub fn child_register(n: &BirthNotification) -> Option<(&RegisteredDomicile, &'static str)> {
    match n.child.legitimacy {
        Legitimacy::Legitimate => n
            .father
            .as_ref()
            .and_then(|f| f.registered_domicile.as_ref())
            .map(|d| (d, "/father/registered_domicile"))
            .or_else(|| {
                n.mother
                    .registered_domicile
                    .as_ref()
                    .map(|d| (d, "/mother/registered_domicile"))
            }),
        Legitimacy::Illegitimate => n
            .mother
            .registered_domicile
            .as_ref()
            .map(|d| (d, "/mother/registered_domicile")),
    }
}

/// Runs every rule; returns every problem, errors and warnings.
pub fn validate(n: &BirthNotification, ctx: &ValidationContext) -> Vec<Problem> {
    let mut p = Vec::new();
    names(n, &mut p);
    relationship(n, &mut p);
    surname(n, &mut p);
    parents(n, &mut p);
    notifier(n, &mut p);
    route(n, ctx, &mut p);
    codes(n, &mut p);
    dates(n, ctx, &mut p);
    if let Some(c) = &n.certificate {
        certificate(n, c, ctx, &mut p);
    }
    if !(1..=6).contains(&n.household_occupation) {
        p.push(Problem::new(
            ProblemCode::HouseholdOccupationInvalid,
            "/household_occupation",
            "世帯の主な仕事は1から6の番号で選んでください。",
            "The household's main occupation must be category 1 to 6 of the form.",
        ));
    }
    p
}

fn person(name: &PersonName, pointer: &str, p: &mut Vec<Problem>) {
    check_name_present(&name.surname, &format!("{pointer}/surname"), p);
    check_name_present(&name.given_name, &format!("{pointer}/given_name"), p);
}

fn names(n: &BirthNotification, p: &mut Vec<Problem>) {
    check_name_present(&n.child.surname, "/child/surname", p);
    check_given_name(&n.child.given_name, "/child/given_name", p);
    check_reading(&n.child.surname_reading, "/child/surname_reading", p);
    check_reading(&n.child.given_name_reading, "/child/given_name_reading", p);
    for (parent, ptr) in [(n.father.as_ref(), "/father"), (Some(&n.mother), "/mother")] {
        if let Some(parent) = parent {
            person(&parent.name(), ptr, p);
            if let Some(d) = &parent.registered_domicile {
                person(
                    &d.head_of_register,
                    &format!("{ptr}/registered_domicile/head_of_register"),
                    p,
                );
            }
        }
    }
    person(&n.residence.householder, "/residence/householder", p);
    person(&n.notifier.name, "/notifier/name", p);
}

fn relationship(n: &BirthNotification, p: &mut Vec<Problem>) {
    let c = &n.child;
    if c.birth_order == 0 {
        p.push(Problem::new(
            ProblemCode::RelationshipBirthOrderInvalid,
            "/child/birth_order",
            "出生順位は1以上です(長男・長女は1)。",
            "Birth order starts at 1 (長男/長女 = 1).",
        ));
        return;
    }
    let derived = relationship_label(c.sex, c.birth_order);
    if let Some(declared) = &c.relationship
        && *declared != derived
    {
        p.push(Problem::new(
            ProblemCode::RelationshipMismatch,
            "/child/relationship",
            format!("続柄「{declared}」は性別と出生順位から導かれる「{derived}」と一致しません。"),
            format!("Relationship '{declared}' disagrees with sex and birth order, which give '{derived}'."),
        ));
    }
    if let Some(cert) = &n.certificate
        && cert.children_borne.live_births >= 1
        && c.birth_order > cert.children_borne.live_births
    {
        p.push(Problem::new(
            ProblemCode::RelationshipBirthOrderInvalid,
            "/child/birth_order",
            format!(
                "出生順位 {} は、出生証明書の母の出生子数 {} を超えています。",
                c.birth_order, cert.children_borne.live_births
            ),
            format!(
                "Birth order {} exceeds the mother's live births on the certificate ({}).",
                c.birth_order, cert.children_borne.live_births
            ),
        ));
    }
}

fn surname(n: &BirthNotification, p: &mut Vec<Problem>) {
    // 民法790条: a 嫡出子 takes the parents' 氏 (the register's 筆頭者), a
    // 嫡出でない子 the mother's.
    let (expected, whose_ja, whose_en) = match n.child.legitimacy {
        Legitimacy::Legitimate => match child_register(n) {
            Some((d, _)) => (
                &d.head_of_register.surname,
                "父母の戸籍の筆頭者の氏",
                "the surname of the head of the parents' register",
            ),
            None => return, // reported as parent.registered_domicile_missing
        },
        Legitimacy::Illegitimate => (&n.mother.surname, "母の氏", "the mother's surname"),
    };
    if n.child.surname != *expected {
        p.push(Problem::new(
            ProblemCode::SurnameMismatch,
            "/child/surname",
            format!(
                "子の氏「{}」は{whose_ja}「{expected}」と同じでなければなりません(民法790条)。",
                n.child.surname
            ),
            format!(
                "The child's surname '{}' must be {whose_en}, '{expected}' (Civil Code art. 790).",
                n.child.surname
            ),
        ));
    }
}

fn parents(n: &BirthNotification, p: &mut Vec<Problem>) {
    match (n.child.legitimacy, &n.father) {
        (Legitimacy::Legitimate, None) => p.push(Problem::new(
            ProblemCode::FatherRequired,
            "/father",
            "嫡出子の届出には父の欄が必要です。",
            "A legitimate child's notification needs the father's particulars.",
        )),
        (Legitimacy::Illegitimate, Some(_)) => p.push(Problem::new(
            ProblemCode::FatherGivenForIllegitimate,
            "/father",
            "嫡出でない子の届出に父が記載されています。胎児認知がある場合に限られるため、窓口で確認します。",
            "A father is given for a child born outside marriage; this is only possible after acknowledgement before birth, a clerk will check.",
        )),
        _ => {}
    }
    if n.child.legitimacy == Legitimacy::Legitimate
        && let Some(father) = &n.father
        && let (Some(fd), Some(md)) = (&father.registered_domicile, &n.mother.registered_domicile)
        && fd != md
    {
        p.push(Problem::new(
            ProblemCode::ParentsRegisterDiffers,
            "/mother/registered_domicile",
            "嫡出子の父母は同じ戸籍(本籍・筆頭者)に記載されていなければなりません。",
            "The parents of a legitimate child must be in the same family register (domicile and head).",
        ));
    }
    let register_holder_japanese = match n.child.legitimacy {
        Legitimacy::Legitimate => {
            n.father.as_ref().is_some_and(|f| f.nationality == "JP") || n.mother.nationality == "JP"
        }
        Legitimacy::Illegitimate => n.mother.nationality == "JP",
    };
    if register_holder_japanese && child_register(n).is_none() {
        let ptr = match n.child.legitimacy {
            Legitimacy::Legitimate if n.father.as_ref().is_some_and(|f| f.nationality == "JP") => {
                "/father/registered_domicile"
            }
            _ => "/mother/registered_domicile",
        };
        p.push(Problem::new(
            ProblemCode::RegisteredDomicileMissing,
            ptr,
            "子が入る戸籍の本籍と筆頭者を記載してください。",
            "Give the registered domicile and head of the register the child enters.",
        ));
    }
}

fn notifier(n: &BirthNotification, p: &mut Vec<Problem>) {
    let parent: Option<(&Parent, &str, &str)> = match n.notifier.qualification {
        NotifierQualification::Father => n.father.as_ref().map(|f| (f, "父", "father")),
        NotifierQualification::Mother => Some((&n.mother, "母", "mother")),
        _ => None,
    };
    if n.notifier.qualification == NotifierQualification::Father && n.father.is_none() {
        p.push(Problem::new(
            ProblemCode::NotifierParentMismatch,
            "/notifier",
            "届出人は父とされていますが、父の欄がありません。",
            "The notifier files as the father, but the notification names no father.",
        ));
    }
    if let Some((parent, ja, en)) = parent
        && (parent.name() != n.notifier.name || parent.birth_date != n.notifier.birth_date)
    {
        p.push(Problem::new(
            ProblemCode::NotifierParentMismatch,
            "/notifier",
            format!("届出人は{ja}とされていますが、氏名または生年月日が{ja}の欄と一致しません。"),
            format!("The notifier files as the {en}, but the name or birth date differs from the {en}'s entry."),
        ));
    }
}

fn route(n: &BirthNotification, ctx: &ValidationContext, p: &mut Vec<Problem>) {
    let register = child_register(n);
    if ctx.route == FilingRoute::Online {
        let q = n.notifier.qualification;
        if !matches!(
            q,
            NotifierQualification::Father | NotifierQualification::Mother
        ) {
            p.push(Problem::new(
                ProblemCode::OnlineNotifierNotParent,
                "/notifier/qualification",
                "オンラインで届け出られるのは父または母だけです。",
                "Only the father or the mother can file online.",
            ));
        } else if n.child.legitimacy == Legitimacy::Illegitimate
            && q != NotifierQualification::Mother
        {
            p.push(Problem::new(
                ProblemCode::OnlineNotifierMustBeMother,
                "/notifier/qualification",
                "嫡出でない子の出生届の届出人は母です(戸籍法52条2項)。",
                "For a child born outside marriage, the notifier is the mother (Family Register Act art. 52(2)).",
            ));
        }
        let mut foreign: Vec<&str> = Vec::new();
        if n.mother.nationality != "JP" {
            foreign.push("/mother/nationality");
        }
        if n.child.legitimacy == Legitimacy::Legitimate
            && let Some(f) = &n.father
            && f.nationality != "JP"
        {
            foreign.push("/father/nationality");
        }
        for ptr in foreign {
            p.push(Problem::new(
                ProblemCode::OnlineParentNotJapanese,
                ptr,
                "オンライン届出は父母とも日本国籍の場合に限られます(嫡出でない子は母)。窓口で届け出てください。",
                "The online route requires Japanese parents (for a child born outside marriage, the mother); please file at the office.",
            ));
        }
        if n.child.birthplace.country != "JP" {
            p.push(Problem::new(
                ProblemCode::OnlineBornAbroad,
                "/child/birthplace/country",
                "オンライン届出は日本国内で生まれた子に限られます。",
                "The online route is only for children born in Japan.",
            ));
        }
    }
    let receiving = n.receiving_municipality.as_str();
    let mut allowed: Vec<&str> = register
        .iter()
        .map(|(d, _)| d.municipality_code.as_str())
        .collect();
    if ctx.route == FilingRoute::General {
        allowed.push(n.residence.municipality_code.as_str());
        allowed.extend(
            n.child
                .birthplace
                .municipality_code
                .as_ref()
                .map(|c| c.as_str()),
        );
    }
    if register.is_some() && !allowed.contains(&receiving) {
        let (ja, en) = match ctx.route {
            FilingRoute::Online => (
                "子が入る戸籍の本籍地",
                "the registered domicile of the child's register",
            ),
            FilingRoute::General => (
                "本籍地・所在地・出生地のいずれか",
                "the registered domicile, residence or place of birth",
            ),
        };
        p.push(Problem::new(
            ProblemCode::ReceivingMunicipalityNotAllowed,
            "/receiving_municipality",
            format!("届出先({receiving})は{ja}の市区町村でなければなりません。"),
            format!("The receiving municipality ({receiving}) must be {en}."),
        ));
    }
}

fn codes(n: &BirthNotification, p: &mut Vec<Problem>) {
    check_code(
        n.receiving_municipality.as_str(),
        "/receiving_municipality",
        true,
        p,
    );
    for (parent, ptr) in [(n.father.as_ref(), "/father"), (Some(&n.mother), "/mother")] {
        if let Some(d) = parent.and_then(|x| x.registered_domicile.as_ref()) {
            check_code(
                d.municipality_code.as_str(),
                &format!("{ptr}/registered_domicile/municipality_code"),
                true,
                p,
            );
        }
    }
    if let Some(d) = &n.notifier.registered_domicile {
        check_code(
            d.municipality_code.as_str(),
            "/notifier/registered_domicile/municipality_code",
            true,
            p,
        );
    }
    check_code(
        n.residence.municipality_code.as_str(),
        "/residence/municipality_code",
        false,
        p,
    );
    match (
        &n.child.birthplace.municipality_code,
        n.child.birthplace.country == "JP",
    ) {
        (Some(code), _) => {
            check_code(
                code.as_str(),
                "/child/birthplace/municipality_code",
                false,
                p,
            );
        }
        (None, true) => p.push(Problem::new(
            ProblemCode::JsonMissingField,
            "/child/birthplace/municipality_code",
            "国内で生まれた場合は出生地の全国地方公共団体コードが必要です。",
            "A birth in Japan needs the local government code of the place of birth.",
        )),
        (None, false) => {}
    }
}

/// Whole years from `from` to `to` (age on `to` of someone born on `from`).
fn whole_years(from: Date, to: Date) -> i32 {
    let mut years = to.year() - from.year();
    if (to.month() as u8, to.day()) < (from.month() as u8, from.day()) {
        years -= 1;
    }
    years
}

fn dates(n: &BirthNotification, ctx: &ValidationContext, p: &mut Vec<Problem>) {
    let born = n.child.born_at;
    let birth_date = jst_date(born);
    let filed_on = jst_date(ctx.received_at);
    let mut birth_ok = true;
    if born > ctx.received_at {
        birth_ok = false;
        p.push(Problem::new(
            ProblemCode::BirthInFuture,
            "/child/born_at",
            "出生の日時が届出の日時より後になっています。",
            "The time of birth is after the filing was received.",
        ));
    } else if birth_date.year() < 1900 {
        birth_ok = false;
        p.push(Problem::new(
            ProblemCode::BirthTooOld,
            "/child/born_at",
            "出生の日付が古すぎます(1900年以降)。",
            "The date of birth is before 1900, which this gateway does not handle.",
        ));
    }
    if birth_ok {
        let d = FilingDeadline::compute(birth_date, filed_on);
        if d.is_late() {
            p.push(Problem::new(
                ProblemCode::DeadlineLate,
                "/child/born_at",
                format!(
                    "届出期間(出生の日から14日以内)を過ぎています。期限は{}でした({}日経過)。届出は受け付けられ、市区町村から簡易裁判所へ通知されます。",
                    d.due_date_ja(),
                    d.days_late
                ),
                format!(
                    "Filed late: the 14-day period ended on {} ({} days ago). The filing is accepted; the municipality notifies the summary court.",
                    d.due_date, d.days_late
                ),
            ));
        }
        if !d.calendar_complete {
            p.push(Problem::new(
                ProblemCode::DeadlineCalendarUnknown,
                "/child/born_at",
                "祝日表の範囲外のため、届出期限の計算で祝日を考慮できていない可能性があります。",
                "The date lies outside the holiday table; the due date may not account for a holiday.",
            ));
        }
    }

    let parents = [
        (n.father.as_ref(), "/father", 80),
        (Some(&n.mother), "/mother", 60),
    ];
    for (parent, ptr, unusual_age) in parents {
        let Some(parent) = parent else { continue };
        let pointer = format!("{ptr}/birth_date");
        if parent.birth_date > filed_on {
            p.push(Problem::new(
                ProblemCode::DateInFuture,
                pointer,
                "生年月日が届出日より後になっています。",
                "The birth date is after the filing date.",
            ));
            continue;
        }
        let age = whole_years(parent.birth_date, birth_date);
        if age < 12 {
            p.push(Problem::new(
                ProblemCode::ParentTooYoung,
                pointer,
                format!("子の出生時に親が{}歳になります。親は子より12歳以上年長でなければなりません。", age.max(0)),
                format!("The parent would be {} at the birth; a parent must be at least 12 years older than the child.", age.max(0)),
            ));
        } else if age >= unusual_age {
            p.push(Problem::new(
                ProblemCode::ParentAgeUnusual,
                pointer,
                format!("子の出生時の親の年齢({age}歳)を窓口で確認します。"),
                format!("The parent's age at the birth ({age}) is unusual; a clerk will check."),
            ));
        }
    }
    if n.notifier.birth_date > filed_on {
        p.push(Problem::new(
            ProblemCode::DateInFuture,
            "/notifier/birth_date",
            "届出人の生年月日が届出日より後になっています。",
            "The notifier's birth date is after the filing date.",
        ));
    }

    if let Some(ym) = n.cohabitation_began {
        let now = (filed_on.year(), filed_on.month() as u8);
        if (ym.year, ym.month) > now {
            p.push(Problem::new(
                ProblemCode::CohabitationInFuture,
                "/cohabitation_began",
                "同居を始めたときが将来の年月になっています。",
                "The month the parents began living together is in the future.",
            ));
        } else if (ym.year, ym.month) > (birth_date.year(), birth_date.month() as u8) {
            p.push(Problem::new(
                ProblemCode::CohabitationAfterBirth,
                "/cohabitation_began",
                "同居を始めたときが子の出生より後になっています。窓口で確認します。",
                "The parents began living together after the birth; a clerk will check.",
            ));
        }
    }
}

fn certificate(
    n: &BirthNotification,
    c: &BirthCertificate,
    ctx: &ValidationContext,
    p: &mut Vec<Problem>,
) {
    let mismatch = |p: &mut Vec<Problem>, ptr: &str, ja: &str, en: &str| {
        p.push(Problem::new(
            ProblemCode::CertificateMismatch,
            ptr,
            format!("出生証明書の{ja}が届書の記載と一致しません。"),
            format!("The certificate's {en} differs from the notification."),
        ));
    };
    if c.sex != n.child.sex {
        mismatch(p, "/certificate/sex", "男女の別", "sex");
    }
    if c.born_at != n.child.born_at {
        mismatch(
            p,
            "/certificate/born_at",
            "生まれたとき",
            "date and time of birth",
        );
    }
    if c.mother_name != n.mother.name() {
        mismatch(p, "/certificate/mother_name", "母の氏名", "mother's name");
    }

    let w = c.weight_grams;
    if !(100..=10_000).contains(&w) {
        p.push(Problem::new(
            ProblemCode::CertificateMeasurementImpossible,
            "/certificate/weight_grams",
            format!("体重 {w}g は新生児としてありえない値です(グラムで記載してください)。"),
            format!("Weight {w} g is impossible for a newborn (give it in grams)."),
        ));
    } else if !(500..=5_000).contains(&w) {
        p.push(Problem::new(
            ProblemCode::CertificateMeasurementUnusual,
            "/certificate/weight_grams",
            format!("体重 {w}g は通常の範囲(500〜5000g)外です。窓口で確認します。"),
            format!("Weight {w} g is outside the usual range (500–5000 g); a clerk will check."),
        ));
    }
    let l = c.length_cm;
    if !l.is_finite() || !(10.0..=80.0).contains(&l) {
        p.push(Problem::new(
            ProblemCode::CertificateMeasurementImpossible,
            "/certificate/length_cm",
            format!(
                "身長 {l}cm は新生児としてありえない値です(センチメートルで記載してください)。"
            ),
            format!("Length {l} cm is impossible for a newborn (give it in centimetres)."),
        ));
    } else if !(25.0..=60.0).contains(&l) {
        p.push(Problem::new(
            ProblemCode::CertificateMeasurementUnusual,
            "/certificate/length_cm",
            format!("身長 {l}cm は通常の範囲(25〜60cm)外です。窓口で確認します。"),
            format!("Length {l} cm is outside the usual range (25–60 cm); a clerk will check."),
        ));
    }

    let g = c.gestation;
    if g.days > 6 || !(12..=45).contains(&g.weeks) {
        p.push(Problem::new(
            ProblemCode::CertificateGestationImpossible,
            "/certificate/gestation",
            format!(
                "妊娠週数 満{}週{}日 はありえない値です(日は0〜6)。",
                g.weeks, g.days
            ),
            format!(
                "Gestation {} weeks {} days is impossible (days 0–6, weeks 12–45).",
                g.weeks, g.days
            ),
        ));
    } else if !(22..=42).contains(&g.weeks) {
        p.push(Problem::new(
            ProblemCode::CertificateGestationUnusual,
            "/certificate/gestation",
            format!(
                "妊娠週数 満{}週{}日 は通常の範囲外です。窓口で確認します。",
                g.weeks, g.days
            ),
            format!(
                "Gestation {} weeks {} days is unusual; a clerk will check.",
                g.weeks, g.days
            ),
        ));
    }

    let order_ok = match c.plurality {
        Plurality::Single => {
            c.multiple_birth_count.is_none_or(|n| n == 1)
                && c.multiple_birth_order.is_none_or(|o| o == 1)
        }
        Plurality::Multiple => match (c.multiple_birth_count, c.multiple_birth_order) {
            (Some(count), Some(order)) => count >= 2 && (1..=count).contains(&order),
            _ => false,
        },
    };
    if !order_ok {
        p.push(Problem::new(
            ProblemCode::CertificateMultipleBirthOrder,
            "/certificate/multiple_birth_order",
            "多胎の場合は子の数(2以上)と出生順(第何子か)を記載してください。単胎の場合は記載しません。",
            "A multiple birth needs the number of children (2 or more) and this child's order among them; a single birth has neither.",
        ));
    }

    if matches!(
        c.place.kind,
        PlaceKind::Hospital | PlaceKind::Clinic | PlaceKind::MaternityHome
    ) && c
        .place
        .facility_name
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        p.push(Problem::new(
            ProblemCode::CertificateFacilityNameRequired,
            "/certificate/place/facility_name",
            format!(
                "出生したところが{}の場合は施設の名称が必要です。",
                c.place.kind.label_ja()
            ),
            "A birth in a hospital, clinic or maternity home needs the facility's name.",
        ));
    }

    if c.children_borne.live_births == 0 {
        p.push(Problem::new(
            ProblemCode::CertificateChildrenBorneInvalid,
            "/certificate/children_borne/live_births",
            "母の出生子数にはこの子を含めてください(1以上)。",
            "The mother's live births include this child (at least 1).",
        ));
    }

    let birth_date = jst_date(n.child.born_at.min(c.born_at));
    if c.certified_on < birth_date || c.certified_on > jst_date(ctx.received_at) {
        p.push(Problem::new(
            ProblemCode::CertificateDateInvalid,
            "/certificate/certified_on",
            format!(
                "証明書の作成日 {} は出生日から届出日までの間でなければなりません。",
                calendar::to_wareki(c.certified_on)
                    .map_or_else(|_| c.certified_on.to_string(), |w| w.to_string())
            ),
            format!(
                "The certificate date {} must lie between the birth and the filing.",
                c.certified_on
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_labels() {
        assert_eq!(relationship_label(Sex::Male, 1), "長男");
        assert_eq!(relationship_label(Sex::Female, 1), "長女");
        assert_eq!(relationship_label(Sex::Female, 2), "二女");
        assert_eq!(relationship_label(Sex::Male, 3), "三男");
        assert_eq!(relationship_label(Sex::Male, 10), "十男");
        assert_eq!(relationship_label(Sex::Female, 11), "十一女");
        assert_eq!(relationship_label(Sex::Male, 21), "二十一男");
    }

    #[test]
    fn whole_years_counts_birthdays() {
        use time::macros::date;
        assert_eq!(
            whole_years(date!(2000 - 06 - 02), date!(2012 - 06 - 01)),
            11
        );
        assert_eq!(
            whole_years(date!(2000 - 06 - 02), date!(2012 - 06 - 02)),
            12
        );
    }
}
