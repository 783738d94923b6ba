//! Table-driven tests: one case (at least) per domain rule. Each case starts
//! from the valid example, changes what the rule is about, and expects the
//! exact set of (code, pointer) pairs — so removing a rule, or making one
//! fire where it should not, fails a case.

use formats::notification::BirthNotification;
use formats::{FilingRoute, ValidationContext, parse_notification_value, validate};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

const RECEIVED: OffsetDateTime = datetime!(2026-11-26 10:00 +09:00);

fn example() -> Value {
    serde_json::from_str(include_str!("../../examples/notification.json")).expect("example parses")
}

/// The example turned into a 嫡出でない子 filed by the mother, who keeps her
/// own register (佐藤).
fn illegitimate_example() -> Value {
    let mut v = example();
    let domicile = json!({
        "municipality_code": "131016",
        "address": "千代田二丁目2番",
        "head_of_register": { "surname": "佐藤", "given_name": "花子" }
    });
    v.as_object_mut().expect("object").remove("father");
    v["child"]["legitimacy"] = json!("illegitimate");
    v["child"]["surname"] = json!("佐藤");
    v["child"]["surname_reading"] = json!("サトウ");
    v["mother"]["surname"] = json!("佐藤");
    v["mother"]["registered_domicile"] = domicile.clone();
    v["certificate"]["mother_name"]["surname"] = json!("佐藤");
    v["notifier"] = json!({
        "qualification": "mother",
        "name": { "surname": "佐藤", "given_name": "花子" },
        "birth_date": "1992-08-03",
        "address": "東京都新宿区北新宿二丁目3番4号",
        "registered_domicile": domicile
    });
    v["residence"]["householder"] = json!({ "surname": "佐藤", "given_name": "花子" });
    v
}

fn problems_at(v: Value, ctx: ValidationContext) -> Vec<(String, String)> {
    let n: BirthNotification = match parse_notification_value(v) {
        Ok(n) => n,
        Err(p) => panic!("case must be well-formed, got {p:?}"),
    };
    let mut got: Vec<(String, String)> = validate(&n, &ctx)
        .into_iter()
        .map(|p| (p.code, p.pointer))
        .collect();
    got.sort();
    got
}

fn problems(v: Value) -> Vec<(String, String)> {
    problems_at(v, ValidationContext::online(RECEIVED))
}

fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(c, p)| ((*c).to_owned(), (*p).to_owned()))
        .collect();
    v.sort();
    v
}

type Case = (
    &'static str,
    fn(&mut Value),
    &'static [(&'static str, &'static str)],
);

fn run(cases: &[Case]) {
    let mut failures = Vec::new();
    for (name, mutate, expected) in cases {
        let mut v = example();
        mutate(&mut v);
        let got = problems(v);
        if got != expect(expected) {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn valid_examples_are_clean() {
    assert_eq!(problems(example()), vec![]);
    assert_eq!(problems(illegitimate_example()), vec![]);
}

#[test]
fn given_name_characters() {
    run(&[
        (
            "latin",
            |v| v["child"]["given_name"] = json!("陽x"),
            &[("name.char_not_allowed", "/child/given_name")],
        ),
        (
            "digit",
            |v| v["child"]["given_name"] = json!("陽1"),
            &[("name.char_not_allowed", "/child/given_name")],
        ),
        (
            "symbol",
            |v| v["child"]["given_name"] = json!("陽☆"),
            &[("name.char_not_allowed", "/child/given_name")],
        ),
        (
            "katakana iteration ヽ",
            |v| v["child"]["given_name"] = json!("ミヽ"),
            &[("name.char_not_allowed", "/child/given_name")],
        ),
        (
            "katakana iteration ヾ",
            |v| v["child"]["given_name"] = json!("ミヾ"),
            &[("name.char_not_allowed", "/child/given_name")],
        ),
        (
            "々 first",
            |v| v["child"]["given_name"] = json!("々翔"),
            &[("name.iteration_mark_first", "/child/given_name")],
        ),
        (
            "ー first",
            |v| v["child"]["given_name"] = json!("ールイ"),
            &[("name.iteration_mark_first", "/child/given_name")],
        ),
        (
            "々 after kanji",
            |v| v["child"]["given_name"] = json!("菜々"),
            &[],
        ),
        (
            "人名用漢字 compatibility ideograph 海",
            |v| v["child"]["given_name"] = json!("\u{FA45}斗"),
            &[],
        ),
        (
            "hiragana",
            |v| v["child"]["given_name"] = json!("はると"),
            &[],
        ),
        (
            "not in either list 𠮷",
            |v| v["child"]["given_name"] = json!("𠮷翔"),
            &[("name.char_not_allowed", "/child/given_name")],
        ),
        (
            "empty",
            |v| v["child"]["given_name"] = json!(""),
            &[("name.empty", "/child/given_name")],
        ),
        (
            "space",
            |v| v["child"]["given_name"] = json!("陽 翔"),
            &[("name.whitespace", "/child/given_name")],
        ),
    ]);
}

#[test]
fn compatibility_ideograph_survives_unchanged() {
    // 海 U+FA45 is a 人名用漢字; NFC would turn it into 海 U+6D77.
    let mut v = example();
    v["child"]["given_name"] = json!("\u{FA45}斗");
    let n = parse_notification_value(v).expect("well-formed");
    assert_eq!(n.child.given_name, "\u{FA45}斗");
    let text = serde_json::to_string(&n).expect("serializes");
    assert!(text.contains('\u{FA45}') && !text.contains('\u{6D77}'));
    let again: BirthNotification = serde_json::from_str(&text).expect("round trip");
    assert_eq!(again.child.given_name.chars().next(), Some('\u{FA45}'));
    let record = formats::FamilyRegisterFiling::build(&again, &ValidationContext::online(RECEIVED))
        .expect("record");
    assert_eq!(record.child.given_name.chars().next(), Some('\u{FA45}'));
    assert!(record.register_entry_text().contains("【名】\u{FA45}斗"));
}

#[test]
fn readings() {
    run(&[
        (
            "half-width",
            |v| v["child"]["given_name_reading"] = json!("ﾊﾙﾄ"),
            &[("reading.halfwidth_katakana", "/child/given_name_reading")],
        ),
        (
            "hiragana",
            |v| v["child"]["given_name_reading"] = json!("はると"),
            &[("reading.hiragana", "/child/given_name_reading")],
        ),
        (
            "latin",
            |v| v["child"]["surname_reading"] = json!("YAMADA"),
            &[("reading.not_katakana", "/child/surname_reading"); 6],
        ),
        (
            "small kana and ン allowed",
            |v| v["child"]["given_name_reading"] = json!("ジュンペイ"),
            &[],
        ),
        (
            "starts with ー: warning only",
            |v| v["child"]["given_name_reading"] = json!("ールト"),
            &[("reading.unusual", "/child/given_name_reading")],
        ),
    ]);
}

#[test]
fn relationship_and_birth_order() {
    run(&[
        (
            "declared 長女 for a boy",
            |v| v["child"]["relationship"] = json!("長女"),
            &[("relationship.mismatch", "/child/relationship")],
        ),
        (
            "declared 二男 for the first",
            |v| v["child"]["relationship"] = json!("二男"),
            &[("relationship.mismatch", "/child/relationship")],
        ),
        (
            "undeclared is derived",
            |v| {
                v["child"]
                    .as_object_mut()
                    .expect("object")
                    .remove("relationship");
            },
            &[],
        ),
        (
            "second son",
            |v| {
                v["child"]["birth_order"] = json!(2);
                v["child"]["relationship"] = json!("二男");
                v["certificate"]["children_borne"]["live_births"] = json!(2);
            },
            &[],
        ),
        (
            "order 0",
            |v| v["child"]["birth_order"] = json!(0),
            &[("relationship.birth_order_invalid", "/child/birth_order")],
        ),
        (
            "order beyond the mother's live births",
            |v| {
                v["child"]["birth_order"] = json!(3);
                v["child"]["relationship"] = json!("三男");
            },
            &[("relationship.birth_order_invalid", "/child/birth_order")],
        ),
    ]);
}

#[test]
fn child_surname() {
    run(&[(
        "legitimate child with another 氏",
        |v| v["child"]["surname"] = json!("田中"),
        &[("surname.mismatch", "/child/surname")],
    )]);
    let mut v = illegitimate_example();
    v["child"]["surname"] = json!("𠮷田");
    assert_eq!(
        problems(v),
        expect(&[("surname.mismatch", "/child/surname")])
    );
}

#[test]
fn parents_and_registers() {
    run(&[
        (
            "legitimate without father",
            |v| {
                v.as_object_mut().expect("object").remove("father");
            },
            &[
                ("parent.father_required", "/father"),
                ("notifier.parent_mismatch", "/notifier"),
            ],
        ),
        (
            "parents in different registers",
            |v| v["mother"]["registered_domicile"]["address"] = json!("九段南一丁目"),
            &[("parent.register_differs", "/mother/registered_domicile")],
        ),
        (
            "no register given",
            |v| {
                v["father"]
                    .as_object_mut()
                    .expect("object")
                    .remove("registered_domicile");
                v["mother"]
                    .as_object_mut()
                    .expect("object")
                    .remove("registered_domicile");
            },
            &[(
                "parent.registered_domicile_missing",
                "/father/registered_domicile",
            )],
        ),
        (
            "mother 10 years old at the birth",
            |v| v["mother"]["birth_date"] = json!("2016-01-01"),
            &[("parent.too_young", "/mother/birth_date")],
        ),
        (
            "mother 64 at the birth",
            |v| v["mother"]["birth_date"] = json!("1962-01-01"),
            &[("parent.age_unusual", "/mother/birth_date")],
        ),
        (
            "father born after the filing",
            |v| v["father"]["birth_date"] = json!("2027-01-01"),
            &[
                ("date.in_future", "/father/birth_date"),
                ("notifier.parent_mismatch", "/notifier"),
            ],
        ),
        (
            "notifier's birth date differs from the father's",
            |v| v["notifier"]["birth_date"] = json!("1990-04-16"),
            &[("notifier.parent_mismatch", "/notifier")],
        ),
        (
            "household occupation 7",
            |v| v["household_occupation"] = json!(7),
            &[("household.occupation_invalid", "/household_occupation")],
        ),
    ]);
    let mut v = illegitimate_example();
    v["father"] = example()["father"].clone();
    assert_eq!(
        problems(v),
        expect(&[("parent.father_given_for_illegitimate", "/father")])
    );
}

#[test]
fn online_route() {
    run(&[
        (
            "notifier is a cohabitant",
            |v| v["notifier"]["qualification"] = json!("cohabitant"),
            &[("online.notifier_not_parent", "/notifier/qualification")],
        ),
        (
            "notifier is the physician",
            |v| v["notifier"]["qualification"] = json!("physician"),
            &[("online.notifier_not_parent", "/notifier/qualification")],
        ),
        (
            "mother not Japanese",
            |v| v["mother"]["nationality"] = json!("KR"),
            &[("online.parent_not_japanese", "/mother/nationality")],
        ),
        (
            "father not Japanese",
            |v| v["father"]["nationality"] = json!("US"),
            &[("online.parent_not_japanese", "/father/nationality")],
        ),
        (
            "born abroad",
            |v| {
                v["child"]["birthplace"] =
                    json!({ "country": "US", "address": "Honolulu, Hawaii" });
            },
            &[("online.born_abroad", "/child/birthplace/country")],
        ),
        (
            "sent to the municipality of residence",
            |v| v["receiving_municipality"] = json!("131041"),
            &[(
                "online.receiving_municipality_not_domicile",
                "/receiving_municipality",
            )],
        ),
    ]);
    // 嫡出でない子: the mother files; the father cannot.
    let mut v = illegitimate_example();
    v["notifier"]["qualification"] = json!("father");
    assert_eq!(
        problems(v),
        expect(&[
            ("online.notifier_must_be_mother", "/notifier/qualification"),
            ("notifier.parent_mismatch", "/notifier")
        ])
    );
    // 嫡出でない子 of a Japanese mother and a foreign father: allowed online.
    let mut v = illegitimate_example();
    v["father"] = example()["father"].clone();
    v["father"]["nationality"] = json!("US");
    v["father"]
        .as_object_mut()
        .expect("object")
        .remove("registered_domicile");
    assert_eq!(
        problems(v),
        expect(&[("parent.father_given_for_illegitimate", "/father")])
    );
}

#[test]
fn general_route_accepts_residence_and_birthplace() {
    let general = ValidationContext {
        received_at: RECEIVED,
        route: FilingRoute::General,
    };
    // Residence 新宿区 (131041), birthplace moved to 渋谷区 (131130): both may receive.
    for code in ["131041", "131130"] {
        let mut v = example();
        v["child"]["birthplace"]["municipality_code"] = json!("131130");
        v["receiving_municipality"] = json!(code);
        assert_eq!(problems_at(v, general), vec![], "{code}");
    }
    let mut v = example();
    v["receiving_municipality"] = json!("141011");
    assert_eq!(
        problems_at(v, general),
        expect(&[(
            "online.receiving_municipality_not_domicile",
            "/receiving_municipality"
        )])
    );
    // A cohabitant may file on paper.
    let mut v = example();
    v["notifier"]["qualification"] = json!("cohabitant");
    assert_eq!(problems_at(v, general), vec![]);
}

#[test]
fn municipality_codes() {
    run(&[
        (
            "bad check digit",
            |v| v["residence"]["municipality_code"] = json!("131042"),
            &[("municipality.check_digit", "/residence/municipality_code")],
        ),
        (
            "five digits",
            |v| v["residence"]["municipality_code"] = json!("13104"),
            &[("municipality.check_digit", "/residence/municipality_code")],
        ),
        (
            "valid check digit, no such body",
            |v| v["residence"]["municipality_code"] = json!("999997"),
            &[("municipality.unknown_code", "/residence/municipality_code")],
        ),
        (
            "designated city as a whole receives",
            |v| v["receiving_municipality"] = json!("141003"),
            &[
                (
                    "municipality.not_register_office",
                    "/receiving_municipality",
                ),
                (
                    "online.receiving_municipality_not_domicile",
                    "/receiving_municipality",
                ),
            ],
        ),
        (
            "prefecture as birthplace is still known",
            |v| v["child"]["birthplace"]["municipality_code"] = json!("130001"),
            &[],
        ),
        (
            "birthplace in Japan needs a code",
            |v| {
                v["child"]["birthplace"]
                    .as_object_mut()
                    .expect("object")
                    .remove("municipality_code");
            },
            &[("json.missing_field", "/child/birthplace/municipality_code")],
        ),
    ]);
    // A register in a ward of a designated city, filed there: clean.
    let mut v = example();
    for ptr in ["father", "mother", "notifier"] {
        v[ptr]["registered_domicile"]["municipality_code"] = json!("141011");
    }
    v["receiving_municipality"] = json!("141011");
    assert_eq!(problems(v), vec![]);
}

#[test]
fn deadline_is_a_warning_with_the_due_date() {
    // Born 2026-11-20 (Fri): day 14 is Thu 2026-12-03, an open day.
    let on_time = ValidationContext::online(datetime!(2026-12-03 23:59 +09:00));
    assert_eq!(problems_at(example(), on_time), vec![]);
    let late = ValidationContext::online(datetime!(2026-12-04 00:01 +09:00));
    let n = parse_notification_value(example()).expect("well-formed");
    let p = validate(&n, &late);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].code, "deadline.late");
    assert_eq!(p[0].severity, formats::Severity::Warning);
    assert!(
        p[0].message_ja.contains("令和8年12月3日"),
        "{}",
        p[0].message_ja
    );
    assert!(
        p[0].message_en.contains("2026-12-03"),
        "{}",
        p[0].message_en
    );
    // UTC instants are judged by the date in Japan: 2026-12-03T15:30Z is 12-04 00:30 JST.
    let late_utc = ValidationContext::online(datetime!(2026-12-03 15:30 UTC));
    assert_eq!(
        problems_at(example(), late_utc),
        expect(&[("deadline.late", "/child/born_at")])
    );
    // The record carries the deadline for the clerk.
    let record =
        formats::FamilyRegisterFiling::build(&n, &late).expect("late filings are accepted");
    assert_eq!(
        record.deadline.due_date,
        time::macros::date!(2026 - 12 - 03)
    );
    assert_eq!(record.deadline.days_late, 1);
}

#[test]
fn dates_and_times() {
    let mut v = example();
    v.as_object_mut().expect("object").remove("certificate");
    let no_cert = v;
    let cases: &[Case] = &[
        (
            "birth after receipt",
            |v| v["child"]["born_at"] = json!("2026-11-26T10:01:00+09:00"),
            &[("date.birth_in_future", "/child/born_at")],
        ),
        (
            "birth one minute before receipt",
            |v| v["child"]["born_at"] = json!("2026-11-26T09:59:00+09:00"),
            &[],
        ),
        (
            "cohabitation in the future",
            |v| v["cohabitation_began"] = json!("2026-12"),
            &[("date.cohabitation_in_future", "/cohabitation_began")],
        ),
        (
            "birth before 1900",
            |v| v["child"]["born_at"] = json!("1899-12-31T09:00:00+09:00"),
            &[
                ("date.birth_too_old", "/child/born_at"),
                ("date.cohabitation_after_birth", "/cohabitation_began"),
                ("parent.too_young", "/father/birth_date"),
                ("parent.too_young", "/mother/birth_date"),
            ],
        ),
    ];
    for (name, mutate, expected) in cases {
        let mut v = no_cert.clone();
        mutate(&mut v);
        assert_eq!(problems(v), expect(expected), "{name}");
    }
    // Cohabitation after the birth (but not in the future): a warning.
    let mut v = no_cert.clone();
    v["cohabitation_began"] = json!("2026-12");
    let later = ValidationContext::online(datetime!(2026-12-02 10:00 +09:00));
    assert_eq!(
        problems_at(v, later),
        expect(&[("date.cohabitation_after_birth", "/cohabitation_began")])
    );
}

#[test]
fn certificate_plausibility() {
    run(&[
        (
            "weight in kg",
            |v| v["certificate"]["weight_grams"] = json!(3),
            &[(
                "certificate.measurement_impossible",
                "/certificate/weight_grams",
            )],
        ),
        (
            "weight 12 kg",
            |v| v["certificate"]["weight_grams"] = json!(12000),
            &[(
                "certificate.measurement_impossible",
                "/certificate/weight_grams",
            )],
        ),
        (
            "weight 5.5 kg",
            |v| v["certificate"]["weight_grams"] = json!(5500),
            &[(
                "certificate.measurement_unusual",
                "/certificate/weight_grams",
            )],
        ),
        (
            "weight 450 g",
            |v| v["certificate"]["weight_grams"] = json!(450),
            &[(
                "certificate.measurement_unusual",
                "/certificate/weight_grams",
            )],
        ),
        (
            "length in mm",
            |v| v["certificate"]["length_cm"] = json!(495),
            &[(
                "certificate.measurement_impossible",
                "/certificate/length_cm",
            )],
        ),
        (
            "length 62 cm",
            |v| v["certificate"]["length_cm"] = json!(62.0),
            &[("certificate.measurement_unusual", "/certificate/length_cm")],
        ),
        (
            "gestation day 7",
            |v| v["certificate"]["gestation"]["days"] = json!(7),
            &[("certificate.gestation_impossible", "/certificate/gestation")],
        ),
        (
            "gestation 50 weeks",
            |v| v["certificate"]["gestation"]["weeks"] = json!(50),
            &[("certificate.gestation_impossible", "/certificate/gestation")],
        ),
        (
            "gestation 21 weeks",
            |v| v["certificate"]["gestation"]["weeks"] = json!(21),
            &[("certificate.gestation_unusual", "/certificate/gestation")],
        ),
        (
            "gestation 43 weeks",
            |v| v["certificate"]["gestation"]["weeks"] = json!(43),
            &[("certificate.gestation_unusual", "/certificate/gestation")],
        ),
        (
            "twins without order",
            |v| {
                v["certificate"]["plurality"] = json!("multiple");
                v["certificate"]["multiple_birth_count"] = json!(2);
            },
            &[(
                "certificate.multiple_birth_order",
                "/certificate/multiple_birth_order",
            )],
        ),
        (
            "twins, second",
            |v| {
                v["certificate"]["plurality"] = json!("multiple");
                v["certificate"]["multiple_birth_count"] = json!(2);
                v["certificate"]["multiple_birth_order"] = json!(2);
            },
            &[],
        ),
        (
            "third of twins",
            |v| {
                v["certificate"]["plurality"] = json!("multiple");
                v["certificate"]["multiple_birth_count"] = json!(2);
                v["certificate"]["multiple_birth_order"] = json!(3);
            },
            &[(
                "certificate.multiple_birth_order",
                "/certificate/multiple_birth_order",
            )],
        ),
        (
            "single with an order",
            |v| v["certificate"]["multiple_birth_order"] = json!(2),
            &[(
                "certificate.multiple_birth_order",
                "/certificate/multiple_birth_order",
            )],
        ),
        (
            "hospital without name",
            |v| {
                v["certificate"]["place"]
                    .as_object_mut()
                    .expect("object")
                    .remove("facility_name");
            },
            &[(
                "certificate.facility_name_required",
                "/certificate/place/facility_name",
            )],
        ),
        (
            "clinic with blank name",
            |v| {
                v["certificate"]["place"]["kind"] = json!("clinic");
                v["certificate"]["place"]["facility_name"] = json!(" ");
            },
            &[(
                "certificate.facility_name_required",
                "/certificate/place/facility_name",
            )],
        ),
        (
            "home birth needs no facility",
            |v| {
                v["certificate"]["place"]["kind"] = json!("home");
                v["certificate"]["place"]
                    .as_object_mut()
                    .expect("object")
                    .remove("facility_name");
            },
            &[],
        ),
        (
            "no live births",
            |v| v["certificate"]["children_borne"]["live_births"] = json!(0),
            &[(
                "certificate.children_borne_invalid",
                "/certificate/children_borne/live_births",
            )],
        ),
        (
            "certified before the birth",
            |v| v["certificate"]["certified_on"] = json!("2026-11-19"),
            &[("certificate.date_invalid", "/certificate/certified_on")],
        ),
        (
            "certified after the filing",
            |v| v["certificate"]["certified_on"] = json!("2026-11-27"),
            &[("certificate.date_invalid", "/certificate/certified_on")],
        ),
        (
            "sex differs",
            |v| v["certificate"]["sex"] = json!("female"),
            &[("certificate.mismatch", "/certificate/sex")],
        ),
        (
            "time of birth differs",
            |v| v["certificate"]["born_at"] = json!("2026-11-20T21:05:00+09:00"),
            &[("certificate.mismatch", "/certificate/born_at")],
        ),
        (
            "same instant in UTC",
            |v| v["certificate"]["born_at"] = json!("2026-11-20T00:05:00Z"),
            &[],
        ),
        (
            "mother's name differs",
            |v| v["certificate"]["mother_name"]["given_name"] = json!("華子"),
            &[("certificate.mismatch", "/certificate/mother_name")],
        ),
    ]);
}

#[test]
fn every_problem_at_once() {
    let mut v = example();
    v["child"]["given_name"] = json!("ヽX");
    v["child"]["given_name_reading"] = json!("ﾊﾙﾄ");
    v["receiving_municipality"] = json!("131041");
    v["certificate"]["weight_grams"] = json!(3);
    v["notifier"]["qualification"] = json!("cohabitant");
    assert_eq!(
        problems(v),
        expect(&[
            ("name.char_not_allowed", "/child/given_name"),
            ("name.char_not_allowed", "/child/given_name"),
            ("reading.halfwidth_katakana", "/child/given_name_reading"),
            (
                "online.receiving_municipality_not_domicile",
                "/receiving_municipality"
            ),
            (
                "certificate.measurement_impossible",
                "/certificate/weight_grams"
            ),
            ("online.notifier_not_parent", "/notifier/qualification"),
        ])
    );
}

#[test]
fn messages_are_bilingual() {
    let mut v = example();
    v["child"]["given_name"] = json!("ミヽ");
    let n = parse_notification_value(v).expect("well-formed");
    for p in validate(&n, &ValidationContext::online(RECEIVED)) {
        assert!(!p.message_ja.is_empty() && !p.message_en.is_empty());
        assert!(
            p.message_ja.chars().any(|c| c > '\u{3000}'),
            "ja: {}",
            p.message_ja
        );
        assert!(
            p.message_en.is_ascii() || p.message_en.contains('ヽ'),
            "en: {}",
            p.message_en
        );
    }
}
