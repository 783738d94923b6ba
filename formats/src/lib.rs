//! The 出生届 (birth notification) of Japan's online birth registration:
//! its data model, every validation rule, the reference tables those rules
//! need, and the family-register record a municipal clerk enters.
//!
//! Pure: no network, disk or clock. Callers hand in bytes and the time of
//! receipt; they get back a typed notification, every [`Problem`] at once,
//! and — when nothing blocks — a [`FamilyRegisterFiling`].
//!
//! ```
//! use formats::{parse_notification, validate, ValidationContext};
//! let bytes = include_bytes!("../../examples/notification.json");
//! let notification = parse_notification(bytes).expect("the example is well-formed");
//! let received = time::macros::datetime!(2026-11-26 10:00 +09:00);
//! let problems = validate(&notification, &ValidationContext::online(received));
//! assert!(problems.is_empty());
//! ```
//!
//! # Layout
//! - [`notification`] — the 出生届 and 出生証明書 types (the input contract).
//! - [`parse`] — untrusted bytes → notification, or every structural problem.
//! - [`validate`] — the domain rules; [`name`] (characters of names and
//!   readings), [`municipality`] (全国地方公共団体コード), [`deadline`]
//!   (届出期間), [`calendar`] (和暦, 午前/午後, closed days).
//! - [`record`] — the `FamilyRegisterFiling` and its register-entry text.
//! - [`problem`] — the problem shape and the table of codes.
//! - [`tables`] — vendored 常用漢字, 人名用漢字, municipality codes, holidays.
//! - [`schema`] — the published JSON Schemas.
//! - [`error`] — [`FormatsError`].
#![forbid(unsafe_code)]

pub mod calendar;
pub mod deadline;
pub mod error;
pub mod municipality;
pub mod name;
pub mod notification;
pub mod parse;
pub mod problem;
pub mod record;
pub mod schema;
pub mod tables;
pub mod validate;

pub use error::FormatsError;
pub use notification::BirthNotification;
pub use parse::{parse_notification, parse_notification_value};
pub use problem::{Problem, ProblemCode, Severity};
pub use record::FamilyRegisterFiling;
pub use validate::{FilingRoute, ValidationContext, validate};

/// Parses, validates and — when nothing blocks — builds the record: the one
/// call the verifier makes for the `notification` part.
pub fn check_notification(bytes: &[u8], ctx: &ValidationContext) -> NotificationCheck {
    match parse_notification(bytes) {
        Err(problems) => NotificationCheck {
            notification: None,
            problems,
            record: None,
        },
        Ok(n) => {
            let problems = validate(&n, ctx);
            let record = if problems.iter().any(Problem::is_error) {
                None
            } else {
                FamilyRegisterFiling::build(&n, ctx).ok()
            };
            NotificationCheck {
                notification: Some(n),
                problems,
                record,
            }
        }
    }
}

/// The result of [`check_notification`].
#[derive(Debug, Clone)]
pub struct NotificationCheck {
    /// The parsed notification, when it was well-formed.
    pub notification: Option<BirthNotification>,
    /// Every problem, errors and warnings.
    pub problems: Vec<Problem>,
    /// The record, when there were no errors.
    pub record: Option<FamilyRegisterFiling>,
}
