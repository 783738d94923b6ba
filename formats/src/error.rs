//! The error type of the `formats` crate.
//!
//! Problems with a *filing* are not errors: they are [`crate::Problem`]s,
//! reported all at once. [`FormatsError`] is for calls that cannot produce
//! their result at all.

use time::Date;

/// Why a `formats` call could not produce its result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatsError {
    /// A family-register record was requested for a filing with errors.
    #[error("the notification has {errors} error(s); no record can be built")]
    NotValid {
        /// How many error-severity problems validation reported.
        errors: usize,
    },
    /// The filing names no register for the child (no 本籍 given).
    #[error("the notification names no family register for the child")]
    NoRegister,
    /// A municipality code is not in the table.
    #[error("municipality code {code} is not in the table")]
    UnknownMunicipality {
        /// The code as given.
        code: String,
    },
    /// A date before 1873-01-01, when Japan adopted the Gregorian calendar,
    /// cannot be written in the register's 和暦.
    #[error("{date} is before 1873-01-01 and has no Gregorian 和暦 equivalent")]
    DateBeforeRegisterCalendar {
        /// The date given.
        date: Date,
    },
}
