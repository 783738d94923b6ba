//! Characters of the child's name (戸籍法50条, 戸籍法施行規則60条) and of the
//! readings (振り仮名, 戸籍法13条 as amended, in force 2025-05-26).
//!
//! The child's 名 may use only:
//! - the 2,136 常用漢字 and the 863 人名用漢字 (tables in `formats/data/`);
//! - hiragana ぁ–ゔ and katakana ァ–ヴ (modern kana, including ゐ ゑ ヰ ヱ;
//!   変体仮名 are excluded, and so are the small ゕ ゖ ヵ ヶ and ヷ–ヺ, which
//!   are not kana of names);
//! - the marks ー ゝ ゞ 々, each only after a preceding character.
//!
//! ヽ and ヾ are not in the official lists and are rejected. Latin letters,
//! digits, symbols and spaces are rejected. Nothing here normalizes: the
//! character received is the character judged and recorded.

use crate::problem::{Problem, ProblemCode};
use crate::tables;

/// Marks allowed in a name only after a preceding character.
const REPEAT_MARKS: [char; 4] = ['ー', 'ゝ', 'ゞ', '々'];

/// Hiragana allowed in names (ぁ U+3041 … ゔ U+3094).
fn is_name_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{3094}').contains(&c)
}

/// Katakana allowed in names and readings (ァ U+30A1 … ヴ U+30F4).
fn is_name_katakana(c: char) -> bool {
    ('\u{30A1}'..='\u{30F4}').contains(&c)
}

/// True when `c` may appear in a child's given name (position aside).
pub fn is_name_char(c: char) -> bool {
    is_name_hiragana(c)
        || is_name_katakana(c)
        || REPEAT_MARKS.contains(&c)
        || tables::is_joyo(c)
        || tables::is_jinmeiyo(c)
}

/// How a character is shown in messages: the character itself when
/// printable, always with its code point, so a clerk can tell 海 U+6D77 from
/// 海 U+FA45.
fn describe(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("「{c}」(U+{:04X})", u32::from(c))
    }
}

/// Checks that a name field is present and has no whitespace or control
/// characters. Returns false when it is empty.
pub(crate) fn check_name_present(value: &str, pointer: &str, problems: &mut Vec<Problem>) -> bool {
    if value.is_empty() {
        problems.push(Problem::new(
            ProblemCode::NameEmpty,
            pointer,
            "氏名が空です。",
            "The name is empty.",
        ));
        return false;
    }
    if let Some((i, c)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_whitespace() || c.is_control())
    {
        problems.push(Problem::new(
            ProblemCode::NameWhitespace,
            pointer,
            format!("{}文字目に空白または制御文字 {} があります。氏と名は別の欄に書いてください。", i + 1, describe(c)),
            format!(
                "Character {} is whitespace or a control character ({}); write surname and given name in separate fields without spaces.",
                i + 1,
                describe(c)
            ),
        ));
    }
    true
}

/// The child's 名: every character from the allowed sets, no iteration or
/// long-vowel mark first. One problem per offending character.
pub(crate) fn check_given_name(name: &str, pointer: &str, problems: &mut Vec<Problem>) {
    if !check_name_present(name, pointer, problems) {
        return;
    }
    for (i, c) in name.chars().enumerate() {
        let pos = i + 1;
        if c.is_whitespace() || c.is_control() {
            continue; // reported by check_name_present
        }
        if i == 0 && REPEAT_MARKS.contains(&c) {
            problems.push(Problem::new(
                ProblemCode::NameIterationMarkFirst,
                pointer,
                format!("{} は名の最初の文字には使えません(前の文字を繰り返す記号です)。", describe(c)),
                format!("{} cannot be the first character of a name: it repeats or lengthens the preceding character.", describe(c)),
            ));
        } else if !is_name_char(c) {
            let (ja_hint, en_hint) = match c {
                'ヽ' | 'ヾ' => (
                    "片仮名の繰り返し記号 ヽ ヾ は子の名に使える文字に含まれていません。",
                    "the katakana iteration marks ヽ ヾ are not in the official lists",
                ),
                _ if c.is_ascii_alphanumeric() => (
                    "英字・数字は子の名に使えません。",
                    "Latin letters and digits are not allowed",
                ),
                _ if ('\u{FF66}'..='\u{FF9F}').contains(&c) => (
                    "半角カタカナは使えません。全角で書いてください。",
                    "half-width katakana is not allowed; use full-width",
                ),
                _ => (
                    "常用漢字・人名用漢字・ひらがな・カタカナ以外の文字は子の名に使えません(戸籍法50条)。",
                    "only 常用漢字, 人名用漢字, hiragana and katakana are allowed (Family Register Act art. 50)",
                ),
            };
            problems.push(Problem::new(
                ProblemCode::NameCharNotAllowed,
                pointer,
                format!("名の{pos}文字目 {} は使えません。{ja_hint}", describe(c)),
                format!(
                    "Character {pos} of the given name, {}, is not allowed: {en_hint}.",
                    describe(c)
                ),
            ));
        }
    }
}

/// Half-width katakana (U+FF61–U+FF9F) to full-width, composing the voiced
/// and semi-voiced sound marks (ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ). Other characters
/// pass through.
pub fn halfwidth_to_fullwidth_katakana(s: &str) -> String {
    const BASE: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";
    let table: Vec<char> = BASE.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for c in s.chars() {
        let cp = u32::from(c);
        if !(0xFF61..=0xFF9F).contains(&cp) {
            out.push(c);
            continue;
        }
        let full = table[(cp - 0xFF61) as usize];
        let voiced = match (c, out.last().copied()) {
            ('ﾞ', Some('ウ')) => Some('ヴ'),
            ('ﾞ', Some(p)) if "カキクケコサシスセソタチツテトハヒフヘホ".contains(p) => {
                char::from_u32(u32::from(p) + 1)
            }
            ('ﾟ', Some(p)) if "ハヒフヘホ".contains(p) => char::from_u32(u32::from(p) + 2),
            _ => None,
        };
        match voiced {
            Some(v) => {
                out.pop();
                out.push(v);
            }
            None => out.push(full),
        }
    }
    out.into_iter().collect()
}

/// Hiragana (ぁ–ゔ, ゝ ゞ) to katakana.
pub fn hiragana_to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' | 'ゝ' | 'ゞ' => {
                char::from_u32(u32::from(c) + 0x60).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A reading (振り仮名): katakana only, small kana, ン and ー allowed.
/// Half-width katakana and hiragana get an error that names the corrected
/// form; whatever passes the character rules but looks odd (a first ー, ン or
/// small kana) is only a warning, because reading plausibility is the clerk's
/// judgment.
pub(crate) fn check_reading(reading: &str, pointer: &str, problems: &mut Vec<Problem>) {
    if reading.is_empty() {
        problems.push(Problem::new(
            ProblemCode::NameEmpty,
            pointer,
            "振り仮名が空です。",
            "The reading (furigana) is empty.",
        ));
        return;
    }
    let has_halfwidth = reading
        .chars()
        .any(|c| ('\u{FF61}'..='\u{FF9F}').contains(&c));
    let has_hiragana = reading
        .chars()
        .any(|c| ('\u{3041}'..='\u{3096}').contains(&c) || c == 'ゝ' || c == 'ゞ');
    if has_halfwidth || has_hiragana {
        let fixed = hiragana_to_katakana(&halfwidth_to_fullwidth_katakana(reading));
        let (code, ja, en) = if has_halfwidth {
            (
                ProblemCode::ReadingHalfwidthKatakana,
                "半角カタカナ",
                "half-width katakana",
            )
        } else {
            (ProblemCode::ReadingHiragana, "ひらがな", "hiragana")
        };
        problems.push(Problem::new(
            code,
            pointer,
            format!("振り仮名が{ja}で書かれています。全角カタカナで「{fixed}」と書いてください。"),
            format!("The reading is written in {en}; write it in full-width katakana: {fixed}"),
        ));
    }
    for (i, c) in reading.chars().enumerate() {
        let converted_elsewhere = ('\u{FF61}'..='\u{FF9F}').contains(&c)
            || ('\u{3041}'..='\u{3096}').contains(&c)
            || c == 'ゝ'
            || c == 'ゞ';
        if converted_elsewhere || is_name_katakana(c) || c == 'ー' {
            continue;
        }
        problems.push(Problem::new(
            ProblemCode::ReadingNotKatakana,
            pointer,
            format!("振り仮名の{}文字目 {} は使えません。振り仮名はカタカナで書いてください。", i + 1, describe(c)),
            format!("Character {} of the reading, {}, is not allowed: readings are written in katakana only.", i + 1, describe(c)),
        ));
    }
    if let Some(first) = reading.chars().next()
        && ("ーンァィゥェォッャュョヮ".contains(first))
    {
        problems.push(Problem::new(
            ProblemCode::ReadingUnusual,
            pointer,
            format!(
                "振り仮名が {} で始まっています。窓口で読み方を確認します。",
                describe(first)
            ),
            format!(
                "The reading starts with {}; a clerk will check it.",
                describe(first)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: impl Fn(&mut Vec<Problem>)) -> Vec<String> {
        let mut p = Vec::new();
        f(&mut p);
        p.into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn given_name_table() {
        let cases: &[(&str, &[&str])] = &[
            ("太郎", &[]),
            ("陽翔", &[]),       // 陽 常用, 翔 人名用
            ("\u{FA45}斗", &[]), // 海 U+FA45, a 人名用漢字 compatibility ideograph
            ("さくら", &[]),
            ("サクラ", &[]),
            ("ゆゞ", &[]),
            ("菜々子", &[]),
            ("ルーナ", &[]),
            ("々子", &["name.iteration_mark_first"]),
            ("ーナ", &["name.iteration_mark_first"]),
            ("ゝこ", &["name.iteration_mark_first"]),
            ("ゞこ", &["name.iteration_mark_first"]),
            ("ミヽ", &["name.char_not_allowed"]),
            ("ミヾ", &["name.char_not_allowed"]),
            (
                "Ken",
                &[
                    "name.char_not_allowed",
                    "name.char_not_allowed",
                    "name.char_not_allowed",
                ],
            ),
            ("太郎2", &["name.char_not_allowed"]),
            ("愛♡", &["name.char_not_allowed"]),
            (
                "ｻｸﾗ",
                &[
                    "name.char_not_allowed",
                    "name.char_not_allowed",
                    "name.char_not_allowed",
                ],
            ),
            ("𠮷", &["name.char_not_allowed"]), // つちよし: not in either list
            ("ヶ", &["name.char_not_allowed"]),
            ("太 郎", &["name.whitespace"]),
            ("", &["name.empty"]),
        ];
        for (name, expected) in cases {
            assert_eq!(
                codes(|p| check_given_name(name, "/child/given_name", p)),
                *expected,
                "{name}"
            );
        }
    }

    #[test]
    fn offending_character_and_position_are_named() {
        let mut p = Vec::new();
        check_given_name("太郎X", "/child/given_name", &mut p);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].message_en.contains("Character 3"),
            "{}",
            p[0].message_en
        );
        assert!(p[0].message_en.contains("U+0058"), "{}", p[0].message_en);
        assert!(p[0].message_ja.contains("3文字目"), "{}", p[0].message_ja);
    }

    #[test]
    fn reading_table() {
        let cases: &[(&str, &[&str])] = &[
            ("ハルト", &[]),
            ("キョウコ", &[]),
            ("ジュンペイ", &[]),
            ("ショウ", &[]),
            ("ルーナ", &[]),
            ("ヴィオラ", &[]),
            ("ﾊﾙﾄ", &["reading.halfwidth_katakana"]),
            ("はると", &["reading.hiragana"]),
            ("Haruto", &["reading.not_katakana"; 6]),
            ("ハル ト", &["reading.not_katakana"]),
            ("ハル・ト", &["reading.not_katakana"]),
            ("ハルヽ", &["reading.not_katakana"]),
            ("ーナ", &["reading.unusual"]),
            ("ンナ", &["reading.unusual"]),
            ("ッタ", &["reading.unusual"]),
            ("", &["name.empty"]),
        ];
        for (reading, expected) in cases {
            assert_eq!(
                codes(|p| check_reading(reading, "/child/given_name_reading", p)),
                *expected,
                "{reading}"
            );
        }
    }

    #[test]
    fn halfwidth_error_names_the_fix() {
        let mut p = Vec::new();
        check_reading("ｼﾞｭﾝﾍﾟｲ", "/r", &mut p);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].message_ja.contains("「ジュンペイ」"),
            "{}",
            p[0].message_ja
        );
        assert!(
            p[0].message_en.ends_with("ジュンペイ"),
            "{}",
            p[0].message_en
        );
    }

    #[test]
    fn conversions() {
        assert_eq!(
            halfwidth_to_fullwidth_katakana("ｶﾞｯｺｳ ﾊﾟﾝ ｳﾞｧ"),
            "ガッコウ パン ヴァ"
        );
        assert_eq!(halfwidth_to_fullwidth_katakana("ﾞｱ"), "゛ア");
        assert_eq!(hiragana_to_katakana("はると"), "ハルト");
    }
}
