//! The published JSON Schemas, generated from the types.
//!
//! `formats/schema/birth-notification.v1.json` (input) and
//! `formats/schema/family-register-filing.v1.json` (output) are these
//! functions' output, pretty-printed; the test `tests/generated.rs` fails when
//! a committed file differs, and rewrites it when run with
//! `BIRTHGATE_UPDATE_GENERATED=1`.

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::notification::BirthNotification;
use crate::record::FamilyRegisterFiling;

/// `$id` base of the published schemas.
pub const SCHEMA_ID_BASE: &str = "urn:birthgate:schema:";

fn generate<T: schemars::JsonSchema>(id: &str, title: &str) -> Value {
    let mut schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("$id".into(), Value::from(format!("{SCHEMA_ID_BASE}{id}")));
    schema.insert("title".into(), Value::from(title));
    schema.to_value()
}

/// JSON Schema of the `notification` part (出生届), version 1.
pub fn notification_schema() -> Value {
    generate::<BirthNotification>("birth-notification.v1", "出生届 (birth notification), v1")
}

/// JSON Schema of the family-register record, version 1.
pub fn record_schema() -> Value {
    generate::<FamilyRegisterFiling>(
        "family-register-filing.v1",
        "戸籍記載用の出生届データ (family-register filing), v1",
    )
}

/// Pretty JSON with a trailing newline, as committed.
pub fn to_committed_text(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}
