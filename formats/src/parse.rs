//! Reading a notification from untrusted bytes, reporting *every* structural
//! problem at once in the same [`Problem`] shape as the domain rules.
//!
//! serde stops at the first error, which would make a parent fix one typo per
//! round trip. So the bytes are first parsed into a JSON value (a syntax
//! error is the one thing that can only be reported alone), then checked
//! against the published JSON Schema — generated from the very types the
//! value is then deserialized into — which yields all missing, unknown and
//! mistyped members with their JSON pointers. Only a value the schema accepts
//! is deserialized; if serde still refuses it (a corner the schema cannot
//! express), that error is reported with its pointer too.

use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::notification::{BirthNotification, SCHEMA_VERSION};
use crate::problem::{Problem, ProblemCode, escape_pointer_token};
use crate::schema;

static VALIDATOR: LazyLock<Option<Validator>> = LazyLock::new(|| {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema::notification_schema())
        .ok()
});

/// Parses and structurally checks a notification.
///
/// On failure, returns every problem found (never an empty list).
pub fn parse_notification(bytes: &[u8]) -> Result<BirthNotification, Vec<Problem>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| vec![syntax_problem(&e)])?;
    parse_notification_value(value)
}

/// Like [`parse_notification`], for an already parsed JSON value.
pub fn parse_notification_value(value: Value) -> Result<BirthNotification, Vec<Problem>> {
    if let Some(version) = value.get("schema_version")
        && version.as_str() != Some(SCHEMA_VERSION)
    {
        return Err(vec![Problem::new(
            ProblemCode::SchemaVersionUnsupported,
            "/schema_version",
            format!("schema_version は \"{SCHEMA_VERSION}\" でなければなりません。"),
            format!(
                "schema_version must be \"{SCHEMA_VERSION}\"; this gateway reads version 1 only."
            ),
        )]);
    }
    if let Some(validator) = &*VALIDATOR {
        let mut problems = Vec::new();
        for error in validator.iter_errors(&value) {
            schema_problems(&error, &mut problems);
        }
        if !problems.is_empty() {
            problems.dedup();
            return Err(problems);
        }
    }
    serde_path_to_error::deserialize::<_, BirthNotification>(value).map_err(|e| {
        let pointer = path_pointer(e.path());
        let message = e.inner().to_string();
        vec![Problem::new(
            ProblemCode::JsonInvalidValue,
            pointer,
            format!("値が不正です: {message}"),
            format!("Invalid value: {message}"),
        )]
    })
}

fn syntax_problem(e: &serde_json::Error) -> Problem {
    let (ja, en) = match e.classify() {
        serde_json::error::Category::Eof => {
            ("JSONが途中で終わっています", "the JSON ends prematurely")
        }
        serde_json::error::Category::Data => ("JSONの値が不正です", "invalid JSON value"),
        _ => (
            "JSONの構文が正しくありません",
            "the body is not well-formed JSON",
        ),
    };
    Problem::new(
        ProblemCode::JsonSyntax,
        "",
        format!("{ja}({}行{}列)。", e.line(), e.column()),
        format!("{en} (line {}, column {}).", e.line(), e.column()),
    )
}

fn path_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&escape_pointer_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

fn type_name(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(t) => t.to_string(),
        TypeKind::Multiple(set) => set
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn type_name_ja(name: &str) -> &'static str {
    match name {
        "string" => "文字列",
        "integer" => "整数",
        "number" => "数値",
        "object" => "オブジェクト",
        "array" => "配列",
        "boolean" => "真偽値",
        "null" => "null",
        _ => "指定の型",
    }
}

/// Turns one schema error into problems. `anyOf`/`oneOf` failures are
/// resolved to the branch the value most plausibly meant (an `Option` is
/// `anyOf [T, null]`; an enum is `oneOf` of constants), so the parent sees
/// "must be one of …" or the real nested error, not "matches no branch".
fn schema_problems(error: &ValidationError<'_>, out: &mut Vec<Problem>) {
    let pointer = error.instance_path().as_str().to_owned();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            out.push(Problem::new(
                ProblemCode::JsonMissingField,
                format!("{pointer}/{}", escape_pointer_token(name)),
                format!("必須項目「{name}」がありません。"),
                format!("Required member '{name}' is missing."),
            ));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(Problem::new(
                    ProblemCode::JsonUnknownField,
                    format!("{pointer}/{}", escape_pointer_token(name)),
                    format!("「{name}」は定義されていない項目です(綴りを確認してください)。"),
                    format!("'{name}' is not a member of this object (check the spelling)."),
                ));
            }
        }
        ValidationErrorKind::Type { kind } => {
            let expected = type_name(kind);
            let ja: Vec<&str> = expected.split(" or ").map(type_name_ja).collect();
            out.push(Problem::new(
                ProblemCode::JsonInvalidType,
                pointer,
                format!("{}でなければなりません。", ja.join("または")),
                format!("Must be of type {expected}."),
            ));
        }
        ValidationErrorKind::Enum { options } => {
            out.push(invalid_choice(pointer, options.to_string()))
        }
        ValidationErrorKind::Constant { expected_value } => {
            out.push(invalid_choice(pointer, expected_value.to_string()));
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            branch_problems(&pointer, context, out);
        }
        ValidationErrorKind::Format { format } => {
            let example = match format.as_str() {
                "date" => "2025-06-01",
                "date-time" => "2025-06-01T09:05:00+09:00",
                _ => "",
            };
            out.push(Problem::new(
                ProblemCode::JsonInvalidValue,
                pointer,
                format!("{format} 形式で書いてください(例: {example})。"),
                format!("Must be a valid {format} (e.g. {example})."),
            ));
        }
        ValidationErrorKind::Pattern { pattern } => out.push(Problem::new(
            ProblemCode::JsonInvalidValue,
            pointer,
            format!("書式が正しくありません(パターン {pattern})。"),
            format!("Does not match the required pattern {pattern}."),
        )),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => {
            out.push(Problem::new(
                ProblemCode::JsonInvalidValue,
                pointer,
                format!("{limit} 以上の値でなければなりません。"),
                format!("Must be at least {limit}."),
            ));
        }
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            out.push(Problem::new(
                ProblemCode::JsonInvalidValue,
                pointer,
                format!("{limit} 以下の値でなければなりません。"),
                format!("Must be at most {limit}."),
            ));
        }
        other => {
            let keyword = format!("{other:?}");
            let keyword = keyword.split([' ', '{', '(']).next().unwrap_or("schema");
            out.push(Problem::new(
                ProblemCode::JsonInvalidValue,
                pointer,
                format!("値が不正です({keyword})。"),
                format!("Invalid value ({keyword})."),
            ));
        }
    }
}

fn invalid_choice(pointer: String, allowed: String) -> Problem {
    Problem::new(
        ProblemCode::JsonInvalidValue,
        pointer,
        format!("使用できる値は {allowed} です。"),
        format!("Must be one of {allowed}."),
    )
}

fn branch_problems(
    pointer: &str,
    context: &[Vec<ValidationError<'static>>],
    out: &mut Vec<Problem>,
) {
    let is_null_branch = |branch: &Vec<ValidationError<'static>>| {
        branch.iter().all(|e| {
            matches!(e.kind(), ValidationErrorKind::Type { kind: TypeKind::Single(t) } if t.to_string() == "null")
        })
    };
    let candidates: Vec<&Vec<ValidationError<'static>>> =
        context.iter().filter(|b| !is_null_branch(b)).collect();
    // An enum: every branch is one constant.
    let constants: Vec<String> = candidates
        .iter()
        .flat_map(|b| b.iter())
        .filter_map(|e| match e.kind() {
            ValidationErrorKind::Constant { expected_value } => Some(expected_value.to_string()),
            _ => None,
        })
        .collect();
    if !constants.is_empty() && constants.len() == candidates.iter().map(|b| b.len()).sum::<usize>()
    {
        out.push(invalid_choice(
            pointer.to_owned(),
            format!("[{}]", constants.join(", ")),
        ));
        return;
    }
    match candidates.into_iter().min_by_key(|b| b.len()) {
        Some(branch) if !branch.is_empty() => {
            for e in branch {
                schema_problems(e, out);
            }
        }
        _ => out.push(Problem::new(
            ProblemCode::JsonInvalidValue,
            pointer,
            "値が不正です。",
            "Invalid value.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Value {
        serde_json::from_str(include_str!("../../examples/notification.json"))
            .expect("example is JSON")
    }

    fn problems_of(value: Value) -> Vec<(String, String)> {
        match parse_notification_value(value) {
            Ok(_) => Vec::new(),
            Err(p) => p.into_iter().map(|p| (p.code, p.pointer)).collect(),
        }
    }

    #[test]
    fn example_parses() {
        assert!(parse_notification(include_bytes!("../../examples/notification.json")).is_ok());
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse_notification(b"{\"schema_version\": \"1\",\n  oops}").expect_err("bad JSON");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, "json.syntax");
        assert!(e[0].message_en.contains("line 2"), "{}", e[0].message_en);
    }

    #[test]
    fn all_structural_problems_at_once() {
        let mut v = example();
        v["child"].as_object_mut().expect("object").remove("sex");
        v["child"]["given_nmae"] = Value::from("太郎");
        v["mother"]["birth_date"] = Value::from(19900101);
        v["notifier"]["qualification"] = Value::from("uncle");
        v["child"]["born_at"] = Value::from("2025-06-01 09:00");
        v["father"]["birth_date"] = Value::from("1990-02-30");
        let mut got = problems_of(v);
        got.sort();
        let mut expected = vec![
            ("json.missing_field".to_owned(), "/child/sex".to_owned()),
            (
                "json.unknown_field".to_owned(),
                "/child/given_nmae".to_owned(),
            ),
            (
                "json.invalid_type".to_owned(),
                "/mother/birth_date".to_owned(),
            ),
            (
                "json.invalid_value".to_owned(),
                "/notifier/qualification".to_owned(),
            ),
            ("json.invalid_value".to_owned(), "/child/born_at".to_owned()),
            (
                "json.invalid_value".to_owned(),
                "/father/birth_date".to_owned(),
            ),
        ];
        expected.sort();
        assert_eq!(got, expected);
    }

    #[test]
    fn wrong_type_inside_optional_object_points_inside() {
        let mut v = example();
        v["certificate"]["weight_grams"] = Value::from("3000");
        assert_eq!(
            problems_of(v),
            vec![(
                "json.invalid_type".to_owned(),
                "/certificate/weight_grams".to_owned()
            )]
        );
    }

    #[test]
    fn root_must_be_an_object() {
        assert_eq!(
            problems_of(Value::from(3)),
            vec![("json.invalid_type".to_owned(), String::new())]
        );
    }

    #[test]
    fn unsupported_version_is_reported_alone() {
        let mut v = example();
        v["schema_version"] = Value::from("2");
        v["child"] = Value::Null;
        assert_eq!(
            problems_of(v),
            vec![(
                "schema.version_unsupported".to_owned(),
                "/schema_version".to_owned()
            )]
        );
    }
}
