//! 届出期間 — the filing deadline of a 出生届.
//!
//! 戸籍法49条1項: within 14 days of the birth. 戸籍法43条1項: the period is
//! counted from the day of the event, so the birth day is day 1 (born 4/1 →
//! due 4/14). When the last day falls on a closed day of the office
//! (Saturday, Sunday, national holiday, 12/29–1/3), the period ends on the
//! next open day (民法142条: 期間の末日が休日に当たるときは翌日に満了; 戸籍法
//! has no special rule, so the general one applies).
//!
//! A late filing is still accepted: the municipality must notify the summary
//! court (戸籍法137条, 過料), so the record carries the due date.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::calendar::{self, is_closed_day};

/// Days in the period, counting the birth day.
pub const PERIOD_DAYS: i64 = 14;

/// The deadline of one filing and whether it was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FilingDeadline {
    /// Date of birth in Japan.
    #[serde(with = "crate::notification::iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub birth_date: Date,
    /// Last day to file, after moving past closed days.
    #[serde(with = "crate::notification::iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub due_date: Date,
    /// Date the filing was received, in Japan.
    #[serde(with = "crate::notification::iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    pub filed_on: Date,
    /// Days after the due date (0 when on time).
    pub days_late: i64,
    /// False when the birth or due date lies outside the holiday table, so a
    /// holiday may have been missed.
    pub calendar_complete: bool,
}

impl FilingDeadline {
    /// Computes the deadline for a birth on `birth_date` filed on `filed_on`
    /// (both dates in Japan).
    pub fn compute(birth_date: Date, filed_on: Date) -> Self {
        let mut due = birth_date + Duration::days(PERIOD_DAYS - 1);
        let mut calendar_complete = true;
        // The longest closed run is about nine days (12/27 Sat … 1/4 Sun), so
        // the loop is bounded; the cap only guards a corrupt table.
        for _ in 0..31 {
            match is_closed_day(due) {
                Some(true) => due += Duration::DAY,
                Some(false) => break,
                None => {
                    calendar_complete = false;
                    break;
                }
            }
        }
        Self {
            birth_date,
            due_date: due,
            filed_on,
            days_late: (filed_on - due).whole_days().max(0),
            calendar_complete,
        }
    }

    /// True when filed after the due date.
    pub fn is_late(&self) -> bool {
        self.days_late > 0
    }

    /// The due date in 和暦, for messages to Japanese readers.
    pub fn due_date_ja(&self) -> String {
        calendar::to_wareki(self.due_date)
            .map_or_else(|_| self.due_date.to_string(), |w| w.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn counts_the_birth_day_as_day_one_and_skips_closed_days() {
        for (birth, due) in [
            // Born Tue 2025-04-01 → day 14 is Mon 2025-04-14, open.
            (date!(2025 - 04 - 01), date!(2025 - 04 - 14)),
            // Born Mon 2025-06-02 → day 14 is Sun 06-15 → Mon 06-16.
            (date!(2025 - 06 - 02), date!(2025 - 06 - 16)),
            // Born Fri 2025-06-06 → day 14 is Thu 06-19, open.
            (date!(2025 - 06 - 06), date!(2025 - 06 - 19)),
            // Born Tue 2025-04-22 → day 14 is Mon 05-05 (こどもの日), 05-06 振替休日 → Wed 05-07.
            (date!(2025 - 04 - 22), date!(2025 - 05 - 07)),
            // Born 2025-12-17 → day 14 is Tue 12-30 → year-end break to 1/3 (Sat), 1/4 Sun → Mon 2026-01-05.
            (date!(2025 - 12 - 17), date!(2026 - 01 - 05)),
            // Born 2026-01-30 (Fri) → day 14 is Thu 02-12, open (建国記念の日 is 02-11).
            (date!(2026 - 01 - 30), date!(2026 - 02 - 12)),
            // Born 2026-01-29 (Thu) → day 14 is Wed 02-11 建国記念の日 → Thu 02-12.
            (date!(2026 - 01 - 29), date!(2026 - 02 - 12)),
        ] {
            let d = FilingDeadline::compute(birth, birth);
            assert_eq!(d.due_date, due, "born {birth}");
            assert!(d.calendar_complete);
            assert!(!d.is_late());
        }
    }

    #[test]
    fn late_by_whole_days_after_due() {
        let d = FilingDeadline::compute(date!(2025 - 04 - 01), date!(2025 - 04 - 14));
        assert_eq!(d.days_late, 0);
        let d = FilingDeadline::compute(date!(2025 - 04 - 01), date!(2025 - 04 - 15));
        assert_eq!(d.days_late, 1);
        assert!(d.is_late());
        assert_eq!(d.due_date_ja(), "令和7年4月14日");
    }

    #[test]
    fn outside_the_table_is_flagged() {
        let d = FilingDeadline::compute(date!(1960 - 04 - 01), date!(1960 - 04 - 02));
        assert!(!d.calendar_complete);
        assert_eq!(d.due_date, date!(1960 - 04 - 14));
    }
}
