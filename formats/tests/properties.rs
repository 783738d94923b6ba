//! Property tests over untrusted input: arbitrary JSON values, arbitrary
//! bytes, and the valid example with arbitrary values spliced in. Whatever
//! comes in, the answer is a notification or a non-empty list of problems,
//! each with a code of this crate and a well-formed JSON pointer; validation
//! and record building never panic.

use formats::{ProblemCode, ValidationContext, check_notification, parse_notification_value};
use proptest::prelude::*;
use serde_json::Value;
use time::macros::datetime;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(Value::from("1")),
        Just(Value::from("131016")),
        Just(Value::from("2026-11-20")),
        Just(Value::from("2026-11-20T09:05:00+09:00")),
        Just(Value::from("male")),
        Just(Value::from("ヽ")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Pointers into the example where a spliced value is interesting.
const POINTERS: &[&str] = &[
    "/schema_version",
    "/receiving_municipality",
    "/child",
    "/child/given_name",
    "/child/given_name_reading",
    "/child/birth_order",
    "/child/born_at",
    "/child/birthplace",
    "/father",
    "/father/birth_date",
    "/mother/registered_domicile",
    "/residence",
    "/cohabitation_began",
    "/household_occupation",
    "/notifier/qualification",
    "/certificate",
    "/certificate/gestation",
    "/certificate/length_cm",
    "/certificate/children_borne/live_births",
];

fn known_code(code: &str) -> bool {
    ProblemCode::ALL.iter().any(|c| c.as_str() == code)
}

fn assert_well_formed(check: &formats::NotificationCheck) -> Result<(), TestCaseError> {
    if check.notification.is_none() {
        prop_assert!(!check.problems.is_empty(), "a refusal lists its problems");
    }
    for p in &check.problems {
        prop_assert!(known_code(&p.code), "unknown code {}", p.code);
        prop_assert!(
            p.pointer.is_empty() || p.pointer.starts_with('/'),
            "pointer {:?}",
            p.pointer
        );
        prop_assert!(!p.message_ja.is_empty() && !p.message_en.is_empty());
    }
    if check.record.is_some() {
        prop_assert!(!check.problems.iter().any(|p| p.is_error()));
    }
    Ok(())
}

fn ctx() -> ValidationContext {
    ValidationContext::online(datetime!(2026-11-26 10:00 +09:00))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_values(value in json_value()) {
        let bytes = serde_json::to_vec(&value).expect("serializes");
        assert_well_formed(&check_notification(&bytes, &ctx()))?;
        if let Err(problems) = parse_notification_value(value) {
            prop_assert!(!problems.is_empty());
        }
    }

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        assert_well_formed(&check_notification(&bytes, &ctx()))?;
    }

    #[test]
    fn example_with_a_spliced_value(index in 0..POINTERS.len(), value in json_value()) {
        let mut v: Value = serde_json::from_str(include_str!("../../examples/notification.json")).expect("example");
        if let Some(slot) = v.pointer_mut(POINTERS[index]) {
            *slot = value;
        }
        let bytes = serde_json::to_vec(&v).expect("serializes");
        assert_well_formed(&check_notification(&bytes, &ctx()))?;
    }

    #[test]
    fn example_with_arbitrary_names(given in "\\PC{0,8}", reading in "\\PC{0,8}") {
        let mut v: Value = serde_json::from_str(include_str!("../../examples/notification.json")).expect("example");
        v["child"]["given_name"] = Value::from(given.clone());
        v["child"]["given_name_reading"] = Value::from(reading);
        let bytes = serde_json::to_vec(&v).expect("serializes");
        let check = check_notification(&bytes, &ctx());
        assert_well_formed(&check)?;
        // Whatever the name, it is carried unchanged (no normalization).
        if let Some(n) = &check.notification {
            prop_assert_eq!(&n.child.given_name, &given);
        }
        if let Some(r) = &check.record {
            prop_assert_eq!(&r.child.given_name, &given);
        }
    }
}
