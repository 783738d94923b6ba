//! The family-register record: content, the register-entry text in the
//! 全部事項証明 layout, times of birth, 元年, and the CP932 report.

use formats::notification::BirthNotification;
use formats::record::cp932_unencodable;
use formats::{FamilyRegisterFiling, FormatsError, ValidationContext, parse_notification_value};
use serde_json::{Value, json};
use time::macros::datetime;

fn example() -> Value {
    serde_json::from_str(include_str!("../../examples/notification.json")).expect("example parses")
}

fn build(v: Value, ctx: ValidationContext) -> Result<FamilyRegisterFiling, FormatsError> {
    let n: BirthNotification = parse_notification_value(v).expect("well-formed");
    FamilyRegisterFiling::build(&n, &ctx)
}

fn ctx() -> ValidationContext {
    ValidationContext::online(datetime!(2026-11-26 10:00 +09:00))
}

#[test]
fn register_entry_text_of_the_example() {
    let r = build(example(), ctx()).expect("valid");
    assert_eq!(
        r.register_entry_text(),
        "戸籍に記録されている者\n  【名】陽翔\n  【名の振り仮名】ハルト\n  【生年月日】令和8年11月20日\n  【父】𠮷田\u{FA45}斗\n  【母】𠮷田花子\n  【続柄】長男\n\
         身分事項\n  出生\n    【出生日】令和8年11月20日\n    【出生地】東京都新宿区\n    【届出日】令和8年11月26日\n    【届出人】父\n"
    );
    assert_eq!(r.register.domicile, "東京都千代田区千代田一丁目1番");
    assert_eq!(r.register.head_of_register, "𠮷田\u{FA45}斗");
    assert_eq!(r.child.time_of_birth, "午前9時5分");
    assert_eq!(r.child.born_at, datetime!(2026-11-20 00:05 UTC));
    assert_eq!(
        r.father.as_ref().map(|f| f.birth_date_wareki.as_str()),
        Some("平成2年4月15日")
    );
    assert_eq!(r.mother.birth_date_wareki, "平成4年8月3日");
    // 𠮷 (U+20BB7) and 海 (U+FA45) are outside CP932: listed for 外字 handling.
    let child_surname = r
        .legacy_encoding
        .iter()
        .find(|u| u.field == "/child/surname")
        .expect("listed");
    assert_eq!(child_surname.characters[0].code_point, "U+20BB7");
    let father = r
        .legacy_encoding
        .iter()
        .find(|u| u.field == "/father/given_name")
        .expect("listed");
    assert_eq!(father.characters[0].code_point, "U+FA45");
    assert!(
        !r.legacy_encoding
            .iter()
            .any(|u| u.field == "/child/given_name"),
        "陽翔 is in CP932"
    );
    assert!(r.warnings.is_empty());
}

#[test]
fn gannen_and_designated_city_birthplace() {
    let mut v = example();
    v["child"]["born_at"] = json!("2019-05-01T00:00:00+09:00");
    v["certificate"]["born_at"] = json!("2019-05-01T00:00:00+09:00");
    v["certificate"]["certified_on"] = json!("2019-05-01");
    v["child"]["birthplace"]["municipality_code"] = json!("141011");
    v["cohabitation_began"] = json!("2018-04");
    let r = build(
        v,
        ValidationContext::online(datetime!(2019-05-07 09:00 +09:00)),
    )
    .expect("valid");
    assert_eq!(r.birth_event.birth_date, "令和元年5月1日");
    assert_eq!(r.child.time_of_birth, "午前0時0分");
    // A ward of a designated city is recorded at city level (最小行政区画).
    assert_eq!(r.birth_event.birthplace, "神奈川県横浜市");
    // Born 5/1 (holiday): day 14 is 5/14 (Tue), open.
    assert_eq!(r.deadline.due_date, time::macros::date!(2019 - 05 - 14));
}

#[test]
fn noon_is_gogo_zero() {
    let mut v = example();
    v["child"]["born_at"] = json!("2026-11-20T12:00:00+09:00");
    v["certificate"]["born_at"] = json!("2026-11-20T03:00:00Z");
    let r = build(v, ctx()).expect("valid");
    assert_eq!(r.child.time_of_birth, "午後0時0分");
}

#[test]
fn cp932_unencodable_characters_are_listed_never_substituted() {
    // 海 U+FA45 (人名用漢字) and 𠮟 U+20B9F (常用漢字) are outside CP932; 髙 U+9AD9
    // is inside (IBM extension); 渚 U+FA46 is outside.
    assert_eq!(cp932_unencodable("\u{FA45}斗"), vec!['\u{FA45}']);
    assert_eq!(cp932_unencodable("𠮟𠮟"), vec!['\u{20B9F}']);
    assert_eq!(cp932_unencodable("髙橋"), Vec::<char>::new());
    let mut v = example();
    v["child"]["given_name"] = json!("\u{FA45}\u{FA46}");
    v["certificate"]["child_name"] = json!("𠮷田\u{FA45}\u{FA46}");
    let r = build(v, ctx()).expect("valid");
    let given = r
        .legacy_encoding
        .iter()
        .find(|u| u.field == "/child/given_name")
        .expect("listed");
    let cps: Vec<&str> = given
        .characters
        .iter()
        .map(|c| c.code_point.as_str())
        .collect();
    assert_eq!(cps, ["U+FA45", "U+FA46"]);
    assert_eq!(r.child.given_name, "\u{FA45}\u{FA46}");
}

#[test]
fn no_record_for_an_invalid_filing() {
    let mut v = example();
    v["child"]["given_name"] = json!("X");
    assert_eq!(build(v, ctx()), Err(FormatsError::NotValid { errors: 1 }));
}

#[test]
fn illegitimate_child_has_no_father_line() {
    let mut v = example();
    v.as_object_mut().expect("object").remove("father");
    v["child"]["legitimacy"] = json!("illegitimate");
    v["notifier"]["qualification"] = json!("mother");
    v["notifier"]["name"] = json!({"surname": "𠮷田", "given_name": "花子"});
    v["notifier"]["birth_date"] = json!("1992-08-03");
    let r = build(v, ctx()).expect("valid");
    let text = r.register_entry_text();
    assert!(!text.contains("【父】"), "{text}");
    assert!(text.contains("【届出人】母"), "{text}");
}
