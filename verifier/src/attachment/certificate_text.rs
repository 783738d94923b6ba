//! Reading the 出生証明書 items out of a PDF's text layer and comparing
//! them with the transcription in the notification.
//!
//! The parser is tolerant of what text extraction produces: full-width
//! digits and punctuation, spaces between glyphs, 和暦 dates (令和7年6月1日,
//! 元年), 午前/午後 h時m分 and 24-hour times, `3,120グラム` or `3120 g`, and
//! ASCII forms (`2025-06-01 09:05 male 3120 g`). An item is read from after
//! its label (生まれたとき, 体重, 男女の別 …) when the label is present;
//! otherwise only when the text holds exactly one candidate value, so a
//! certificate date or the mother's birth date is never taken for the
//! child's birth date.

use formats::calendar::{Era, JST, WarekiDate, from_wareki, to_wareki};
use formats::notification::{BirthCertificate, Sex};
use serde::Serialize;
use time::Date;

/// The certificate items found in a text layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertificateText {
    /// 生まれたとき — the date.
    pub born_on: Option<Date>,
    /// 生まれたとき — hour (0–23) and minute.
    pub born_time: Option<(u8, u8)>,
    /// 男女の別.
    pub sex: Option<Sex>,
    /// 体重 in grams.
    pub weight_grams: Option<u32>,
}

/// Full-width ASCII → ASCII, whitespace runs → one space.
fn normalize(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        };
        if c.is_whitespace() {
            if out.last() != Some(&' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A little scanner over normalized characters.
struct Scan<'a> {
    s: &'a [char],
    i: usize,
}

impl Scan<'_> {
    fn spaces(&mut self) {
        while self.s.get(self.i) == Some(&' ') {
            self.i += 1;
        }
    }
    fn number(&mut self, max_digits: usize) -> Option<u32> {
        self.spaces();
        let start = self.i;
        while self.i - start < max_digits && self.s.get(self.i).is_some_and(char::is_ascii_digit) {
            self.i += 1;
        }
        if self.i == start || self.s.get(self.i).is_some_and(char::is_ascii_digit) {
            return None;
        }
        self.s[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }
    fn lit(&mut self, lits: &[&str]) -> Option<usize> {
        self.spaces();
        for (n, lit) in lits.iter().enumerate() {
            let len = lit.chars().count();
            if self
                .s
                .get(self.i..self.i + len)
                .is_some_and(|w| w.iter().copied().eq(lit.chars()))
            {
                self.i += len;
                return Some(n);
            }
        }
        None
    }
}

fn date_at(s: &[char], i: usize) -> Option<(Date, usize)> {
    // 和暦.
    let mut sc = Scan { s, i };
    if let Some(era) = sc.lit(&["令和", "平成", "昭和"]) {
        let era = [Era::Reiwa, Era::Heisei, Era::Showa][era];
        let year = if sc.lit(&["元"]).is_some() {
            1
        } else {
            sc.number(2)?
        };
        sc.lit(&["年"])?;
        let month = sc.number(2)?;
        sc.lit(&["月"])?;
        let day = sc.number(2)?;
        sc.lit(&["日"])?;
        let date = from_wareki(WarekiDate {
            era,
            year: year as i32,
            month: month as u8,
            day: day as u8,
        })?;
        return Some((date, sc.i));
    }
    // Gregorian: 2025-06-01, 2025/6/1, 2025.6.1, 2025年6月1日.
    if i > 0 && s[i - 1].is_ascii_digit() {
        return None;
    }
    let mut sc = Scan { s, i };
    let year = sc.number(4)?;
    if year < 1900 {
        return None;
    }
    let sep = sc.lit(&["-", "/", ".", "年"])?;
    let month = sc.number(2)?;
    sc.lit(&[["-", "/", ".", "月"][sep]])?;
    let day = sc.number(2)?;
    if sep == 3 {
        sc.lit(&["日"])?;
    }
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    Some((
        Date::from_calendar_date(year as i32, month, u8::try_from(day).ok()?).ok()?,
        sc.i,
    ))
}

fn time_at(s: &[char], i: usize) -> Option<((u8, u8), usize)> {
    if i > 0 && s[i - 1].is_ascii_digit() {
        return None;
    }
    let mut sc = Scan { s, i };
    let half = sc
        .lit(&["午前", "午後", "AM", "PM", "am", "pm"])
        .map(|h| h % 2);
    let hour = sc.number(2)?;
    let minute = if sc.lit(&["時"]).is_some() {
        let m = if sc.lit(&["0分", "00分"]).is_some() {
            0
        } else {
            sc.number(2).unwrap_or(0)
        };
        let _ = sc.lit(&["分"]);
        m
    } else {
        sc.lit(&[":"])?;
        sc.number(2)?
    };
    if minute > 59 {
        return None;
    }
    let hour = match half {
        Some(0) if hour <= 11 => hour,
        Some(1) if hour <= 11 => hour + 12,
        Some(_) => return None,
        None if hour <= 23 => hour,
        None => return None,
    };
    Some(((hour as u8, minute as u8), sc.i))
}

fn weight_at(s: &[char], i: usize) -> Option<(u32, usize)> {
    if i > 0 && (s[i - 1].is_ascii_digit() || s[i - 1] == ',') {
        return None;
    }
    let mut sc = Scan { s, i };
    let mut grams = sc.number(5)?;
    if sc.s.get(sc.i) == Some(&',') {
        sc.i += 1;
        let start = sc.i;
        let rest = sc.number(3)?;
        if sc.i - start != 3 {
            return None;
        }
        grams = grams * 1000 + rest;
    }
    sc.lit(&["グラム", "g", "G"])?;
    if sc.s.get(sc.i).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    (100..=10_000).contains(&grams).then_some((grams, sc.i))
}

/// Reads one value at a position: (value, position after it).
type ValueAt<T> = fn(&[char], usize) -> Option<(T, usize)>;

/// The value of an item: the first after one of the labels, else the only
/// distinct candidate in the whole text.
fn find<T: PartialEq + Copy>(s: &[char], labels: &[&str], at: ValueAt<T>) -> Option<T> {
    for label in labels {
        let label: Vec<char> = label.chars().collect();
        if let Some(pos) = s.windows(label.len()).position(|w| w == label.as_slice())
            && let Some(v) = (pos + label.len()..s.len()).find_map(|i| at(s, i))
        {
            return Some(v.0);
        }
    }
    let mut found: Option<T> = None;
    let mut i = 0;
    while i < s.len() {
        if let Some((v, end)) = at(s, i) {
            match found {
                Some(f) if f != v => return None,
                _ => found = Some(v),
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

fn find_sex(s: &[char]) -> Option<Sex> {
    let text: String = s.iter().collect();
    let text = text.replace("男女", "");
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphabetic()).collect();
    let male = text.contains('男') || words.contains(&"male");
    let female = text.contains('女') || words.contains(&"female");
    match (male, female) {
        (true, false) => Some(Sex::Male),
        (false, true) => Some(Sex::Female),
        _ => None,
    }
}

/// Reads the certificate items from extracted text.
pub fn parse_certificate_text(text: &str) -> CertificateText {
    let s = normalize(text);
    const BIRTH: &[&str] = &[
        "生まれたとき",
        "出生の年月日",
        "出生年月日",
        "出生日時",
        "born",
        "Born",
        "birth",
        "Birth",
    ];
    CertificateText {
        born_on: find(&s, BIRTH, date_at),
        born_time: find(&s, BIRTH, time_at),
        sex: find_sex(&s),
        weight_grams: find(&s, &["体重", "weight", "Weight"], weight_at),
    }
}

/// One disagreement: the item, the PDF's value and the notification's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    pub(crate) item_ja: &'static str,
    pub(crate) item_en: &'static str,
    pub(crate) pdf_ja: String,
    pub(crate) pdf_en: String,
    pub(crate) transcribed_ja: String,
    pub(crate) transcribed_en: String,
}

fn date_ja(d: Date) -> String {
    to_wareki(d).map_or_else(|_| d.to_string(), |w| format!("{w}（{d}）"))
}

fn sex_names(s: Sex) -> (&'static str, &'static str) {
    match s {
        Sex::Male => ("男", "male"),
        Sex::Female => ("女", "female"),
    }
}

/// Compares what the text says with the transcription.
pub(crate) fn cross_check(found: &CertificateText, cert: &BirthCertificate) -> Vec<Mismatch> {
    let born = cert.born_at.to_offset(JST);
    let mut out = Vec::new();
    if let Some(d) = found.born_on.filter(|&d| d != born.date()) {
        out.push(Mismatch {
            item_ja: "生まれた日",
            item_en: "date of birth",
            pdf_ja: date_ja(d),
            pdf_en: d.to_string(),
            transcribed_ja: date_ja(born.date()),
            transcribed_en: born.date().to_string(),
        });
    }
    if let Some((h, m)) = found
        .born_time
        .filter(|&t| t != (born.hour(), born.minute()))
    {
        out.push(Mismatch {
            item_ja: "生まれた時刻",
            item_en: "time of birth",
            pdf_ja: formats::calendar::time_ja(h, m),
            pdf_en: format!("{h:02}:{m:02}"),
            transcribed_ja: formats::calendar::time_ja(born.hour(), born.minute()),
            transcribed_en: format!("{:02}:{:02}", born.hour(), born.minute()),
        });
    }
    if let Some(s) = found.sex.filter(|&s| s != cert.sex) {
        out.push(Mismatch {
            item_ja: "男女の別",
            item_en: "sex",
            pdf_ja: sex_names(s).0.into(),
            pdf_en: sex_names(s).1.into(),
            transcribed_ja: sex_names(cert.sex).0.into(),
            transcribed_en: sex_names(cert.sex).1.into(),
        });
    }
    if let Some(w) = found.weight_grams.filter(|&w| w != cert.weight_grams) {
        out.push(Mismatch {
            item_ja: "体重",
            item_en: "weight",
            pdf_ja: format!("{w}グラム"),
            pdf_en: format!("{w} g"),
            transcribed_ja: format!("{}グラム", cert.weight_grams),
            transcribed_en: format!("{} g", cert.weight_grams),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn reads_wareki_fullwidth_and_gozen_gogo() {
        let t = parse_certificate_text(
            "男女の別 １男 生まれたとき　令和７年６月１日　午後３時２０分 体重 ３，１２０グラム",
        );
        assert_eq!(t.born_on, Some(date!(2025 - 06 - 01)));
        assert_eq!(t.born_time, Some((15, 20)));
        assert_eq!(t.sex, Some(Sex::Male));
        assert_eq!(t.weight_grams, Some(3120));
    }

    #[test]
    fn reads_gannen_noon_and_midnight() {
        let t = parse_certificate_text("生まれたとき 令和元年5月1日 午後0時0分");
        assert_eq!(t.born_on, Some(date!(2019 - 05 - 01)));
        assert_eq!(t.born_time, Some((12, 0)));
        assert_eq!(
            parse_certificate_text("生まれたとき 午前0時5分").born_time,
            Some((0, 5))
        );
        // 令和元年4月30日 does not exist (平成31年 then).
        assert_eq!(
            parse_certificate_text("生まれたとき 令和元年4月30日").born_on,
            None
        );
    }

    #[test]
    fn reads_ascii_form() {
        let t = parse_certificate_text("2025-06-01 09:05 female 3120 g");
        assert_eq!(t.born_on, Some(date!(2025 - 06 - 01)));
        assert_eq!(t.born_time, Some((9, 5)));
        assert_eq!(t.sex, Some(Sex::Female));
        assert_eq!(t.weight_grams, Some(3120));
    }

    #[test]
    fn label_wins_over_other_dates_and_ambiguity_yields_nothing() {
        let t = parse_certificate_text("証明書作成 2025-06-03 生まれたとき 2025-06-01 10:00");
        assert_eq!(t.born_on, Some(date!(2025 - 06 - 01)));
        let t = parse_certificate_text("2025-06-03 2025-06-01");
        assert_eq!(t.born_on, None);
        // Both sexes without a way to tell: nothing.
        assert_eq!(parse_certificate_text("男 女").sex, None);
        // The label 男女の別 itself is not a value.
        assert_eq!(parse_certificate_text("男女の別").sex, None);
    }

    #[test]
    fn weight_needs_a_unit_and_a_plausible_value() {
        assert_eq!(parse_certificate_text("3120").weight_grams, None);
        assert_eq!(
            parse_certificate_text("体重 3120 gestation").weight_grams,
            None
        );
        assert_eq!(parse_certificate_text("12 g").weight_grams, None);
    }
}
