//! The calendar of the family register: 和暦 dates, 午前/午後 times, JST, and
//! the closed days of municipal offices.
//!
//! Instants are stored in UTC and rendered in Japan Standard Time (UTC+9, no
//! daylight saving since 1951), so a fixed offset is exact for every date
//! this gateway handles.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday, macros::offset};

use crate::error::FormatsError;
use crate::tables;

/// Japan Standard Time.
pub const JST: UtcOffset = offset!(+9);

/// The calendar date in Japan of an instant.
pub fn jst_date(instant: OffsetDateTime) -> Date {
    instant.to_offset(JST).date()
}

/// 元号 — the eras a living person's dates can fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Era {
    /// 明治 (handled from 1873-01-01, when Japan adopted the Gregorian calendar).
    Meiji,
    /// 大正, from 1912-07-30.
    Taisho,
    /// 昭和, from 1926-12-25.
    Showa,
    /// 平成, from 1989-01-08.
    Heisei,
    /// 令和, from 2019-05-01.
    Reiwa,
}

impl Era {
    /// Eras in order, each with its first day.
    const STARTS: [(Era, i32, Month, u8); 5] = [
        (Era::Meiji, 1868, Month::January, 25),
        (Era::Taisho, 1912, Month::July, 30),
        (Era::Showa, 1926, Month::December, 25),
        (Era::Heisei, 1989, Month::January, 8),
        (Era::Reiwa, 2019, Month::May, 1),
    ];

    /// The era's name in kanji.
    pub fn name(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// Gregorian year of the era's 元年.
    pub fn first_gregorian_year(self) -> i32 {
        Self::STARTS
            .iter()
            .find(|(e, ..)| *e == self)
            .map_or(1868, |(_, y, ..)| *y)
    }

    fn first_day(self) -> Option<Date> {
        Self::STARTS
            .iter()
            .find(|(e, ..)| *e == self)
            .and_then(|&(_, y, m, d)| Date::from_calendar_date(y, m, d).ok())
    }
}

/// The earliest date the register calendar converts (Gregorian calendar in Japan).
pub fn earliest_supported_date() -> Date {
    time::macros::date!(1873 - 01 - 01)
}

/// A date in 和暦.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarekiDate {
    /// 元号.
    pub era: Era,
    /// Year of the era; 1 is rendered 元年.
    pub year: i32,
    /// Month.
    pub month: u8,
    /// Day.
    pub day: u8,
}

impl std::fmt::Display for WarekiDate {
    /// 令和7年6月1日; 令和元年5月1日 for year 1.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.era.name())?;
        if self.year == 1 {
            f.write_str("元")?;
        } else {
            write!(f, "{}", self.year)?;
        }
        write!(f, "年{}月{}日", self.month, self.day)
    }
}

/// Converts a Gregorian date to 和暦.
pub fn to_wareki(date: Date) -> Result<WarekiDate, FormatsError> {
    if date < earliest_supported_date() {
        return Err(FormatsError::DateBeforeRegisterCalendar { date });
    }
    let era = Era::STARTS
        .iter()
        .rev()
        .find(|&&(e, ..)| e.first_day().is_some_and(|start| date >= start))
        .map_or(Era::Meiji, |&(e, ..)| e);
    Ok(WarekiDate {
        era,
        year: date.year() - era.first_gregorian_year() + 1,
        month: date.month() as u8,
        day: date.day(),
    })
}

/// Converts a 和暦 date back to Gregorian; `None` if the date does not exist
/// or lies outside its era.
pub fn from_wareki(w: WarekiDate) -> Option<Date> {
    let year = w.era.first_gregorian_year() + w.year - 1;
    let date = Date::from_calendar_date(year, Month::try_from(w.month).ok()?, w.day).ok()?;
    (date >= earliest_supported_date() && to_wareki(date).ok()? == w).then_some(date)
}

/// A time of day as the register writes it: 午前0時0分 for midnight,
/// 午後0時0分 for noon, 午後11時59分 a minute before midnight.
pub fn time_ja(hour: u8, minute: u8) -> String {
    let (half, h) = if hour < 12 {
        ("午前", hour)
    } else {
        ("午後", hour - 12)
    };
    format!("{half}{h}時{minute}分")
}

/// Whether a municipal office is closed on `date`: Saturday, Sunday, a
/// national holiday (国民の祝日に関する法律) or the year-end break 12/29–1/3
/// (行政機関の休日に関する法律 第1条; municipalities have the same days by
/// their 休日条例). `None` when the date is outside the holiday table.
pub fn is_closed_day(date: Date) -> Option<bool> {
    let (first, last) = tables::holiday_years()?;
    if !(first..=last).contains(&date.year()) {
        return None;
    }
    let year_end = matches!(
        (date.month(), date.day()),
        (Month::December, 29..=31) | (Month::January, 1..=3)
    );
    Some(
        year_end
            || matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            || tables::holiday(date).is_some(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn wareki_renders_era_boundaries_and_gannen() {
        for (d, expected) in [
            (date!(2019 - 04 - 30), "平成31年4月30日"),
            (date!(2019 - 05 - 01), "令和元年5月1日"),
            (date!(2020 - 01 - 01), "令和2年1月1日"),
            (date!(2025 - 06 - 01), "令和7年6月1日"),
            (date!(1989 - 01 - 07), "昭和64年1月7日"),
            (date!(1989 - 01 - 08), "平成元年1月8日"),
            (date!(1926 - 12 - 24), "大正15年12月24日"),
            (date!(1926 - 12 - 25), "昭和元年12月25日"),
            (date!(1912 - 07 - 29), "明治45年7月29日"),
            (date!(1912 - 07 - 30), "大正元年7月30日"),
        ] {
            assert_eq!(to_wareki(d).expect("supported").to_string(), expected);
        }
        assert!(matches!(
            to_wareki(date!(1872 - 12 - 31)),
            Err(FormatsError::DateBeforeRegisterCalendar { .. })
        ));
    }

    #[test]
    fn from_wareki_rejects_dates_outside_their_era() {
        // 平成31年5月1日 does not exist: that day is 令和元年5月1日.
        let w = WarekiDate {
            era: Era::Heisei,
            year: 31,
            month: 5,
            day: 1,
        };
        assert_eq!(from_wareki(w), None);
        let w = WarekiDate {
            era: Era::Reiwa,
            year: 1,
            month: 4,
            day: 30,
        };
        assert_eq!(from_wareki(w), None);
        let w = WarekiDate {
            era: Era::Reiwa,
            year: 1,
            month: 5,
            day: 1,
        };
        assert_eq!(from_wareki(w), Some(date!(2019 - 05 - 01)));
    }

    #[test]
    fn times_use_gozen_and_gogo_with_zero_hour() {
        assert_eq!(time_ja(0, 0), "午前0時0分");
        assert_eq!(time_ja(0, 30), "午前0時30分");
        assert_eq!(time_ja(11, 59), "午前11時59分");
        assert_eq!(time_ja(12, 0), "午後0時0分");
        assert_eq!(time_ja(12, 5), "午後0時5分");
        assert_eq!(time_ja(23, 59), "午後11時59分");
    }

    #[test]
    fn closed_days() {
        // Year-end break, weekends, holidays; an ordinary Monday is open.
        assert_eq!(is_closed_day(date!(2025 - 12 - 29)), Some(true)); // Monday
        assert_eq!(is_closed_day(date!(2026 - 01 - 02)), Some(true)); // Friday
        assert_eq!(is_closed_day(date!(2026 - 01 - 05)), Some(false)); // Monday
        assert_eq!(is_closed_day(date!(2025 - 06 - 07)), Some(true)); // Saturday
        assert_eq!(is_closed_day(date!(2025 - 05 - 06)), Some(true)); // 振替休日
        assert_eq!(is_closed_day(date!(2019 - 05 - 01)), Some(true)); // 即位の日
        assert_eq!(is_closed_day(date!(2025 - 06 - 02)), Some(false));
        assert_eq!(is_closed_day(date!(1800 - 06 - 02)), None);
    }

    proptest! {
        #[test]
        fn wareki_round_trips(days in 0i32..(200 * 366)) {
            let d = earliest_supported_date() + time::Duration::days(i64::from(days));
            let w = to_wareki(d).expect("after 1873");
            prop_assert!(w.year >= 1);
            prop_assert_eq!(from_wareki(w), Some(d));
            // The rendering names the era and never writes year 1 as a digit.
            let s = w.to_string();
            prop_assert!(s.starts_with(w.era.name()));
            prop_assert_eq!(s.contains("元年"), w.year == 1);
        }

        #[test]
        fn wareki_is_monotonic(a in 0i32..(200 * 366), b in 0i32..(200 * 366)) {
            let base = earliest_supported_date();
            let (da, db) = (base + time::Duration::days(i64::from(a)), base + time::Duration::days(i64::from(b)));
            let (wa, wb) = (to_wareki(da).expect("ok"), to_wareki(db).expect("ok"));
            let key = |w: WarekiDate| (w.era, w.year, w.month, w.day);
            prop_assert_eq!(da.cmp(&db), key(wa).cmp(&key(wb)));
        }
    }
}
