//! Files generated from the code stay current: the two JSON Schemas and the
//! problem-code table. Run with `BIRTHGATE_UPDATE_GENERATED=1` to rewrite
//! them after changing the types.

use std::path::PathBuf;

fn check(relative: &str, expected: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("BIRTHGATE_UPDATE_GENERATED").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create dir");
        }
        std::fs::write(&path, expected).expect("write generated file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{relative} is out of date; run `BIRTHGATE_UPDATE_GENERATED=1 cargo test -p formats --test generated`"
    );
}

#[test]
fn notification_schema_is_current() {
    check(
        "schema/birth-notification.v1.json",
        &formats::schema::to_committed_text(&formats::schema::notification_schema()),
    );
}

#[test]
fn record_schema_is_current() {
    check(
        "schema/family-register-filing.v1.json",
        &formats::schema::to_committed_text(&formats::schema::record_schema()),
    );
}

#[test]
fn problem_table_is_current() {
    check("PROBLEMS.md", &formats::problem::problem_code_table());
}

#[test]
fn example_record_validates_against_the_record_schema() {
    let bytes = include_bytes!("../../examples/notification.json");
    let ctx = formats::ValidationContext::online(time::macros::datetime!(2026-12-10 10:00 +09:00));
    let check = formats::check_notification(bytes, &ctx);
    let record = check.record.expect("record");
    assert!(!record.warnings.is_empty(), "late filing carries a warning");
    let value = serde_json::to_value(&record).expect("serializes");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&formats::schema::record_schema())
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // And the record reads back unchanged.
    let back: formats::FamilyRegisterFiling = serde_json::from_value(value).expect("deserializes");
    assert_eq!(back, record);
}
