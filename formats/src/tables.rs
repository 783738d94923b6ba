//! Reference tables vendored under `formats/data/` (provenance and licences in
//! `formats/data/README.md`; `formats/data/regenerate.sh` rebuilds them from
//! their registry packages).
//!
//! The tables are compiled into the binary and parsed once on first use.
//! Parsing never panics: a malformed line is counted in
//! [`TableHealth::malformed_lines`], which a test pins at zero together with
//! the row counts, so a broken regeneration fails CI instead of a request.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use time::Date;

const JOYO: &str = include_str!("../data/joyo.txt");
const JINMEIYO: &str = include_str!("../data/jinmeiyo.txt");
const MUNICIPALITIES: &str = include_str!("../data/municipalities.tsv");
const HOLIDAYS: &str = include_str!("../data/holidays.tsv");

/// What kind of local government a 全国地方公共団体コード names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MunicipalityKind {
    /// 都道府県.
    Prefecture,
    /// 政令指定都市 as a whole; its wards keep the family registers.
    DesignatedCity,
    /// 政令指定都市の区 (行政区) — keeps family registers (戸籍法4条).
    Ward,
    /// 東京都の特別区.
    SpecialWard,
    /// 市.
    City,
    /// 町.
    Town,
    /// 村.
    Village,
}

impl MunicipalityKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "prefecture" => Self::Prefecture,
            "designated_city" => Self::DesignatedCity,
            "ward" => Self::Ward,
            "special_ward" => Self::SpecialWard,
            "city" => Self::City,
            "town" => Self::Town,
            "village" => Self::Village,
            _ => return None,
        })
    }

    /// True for the bodies that keep family registers and can receive a
    /// 出生届: municipalities, Tokyo's special wards and the wards of
    /// designated cities — not prefectures, not a designated city as a whole.
    pub fn keeps_family_registers(self) -> bool {
        !matches!(self, Self::Prefecture | Self::DesignatedCity)
    }
}

/// One row of the municipality table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    /// Six-digit code with check digit.
    pub code: &'static str,
    /// 都道府県名 (東京都).
    pub prefecture: &'static str,
    /// Name as written; wards in the full form (横浜市鶴見区).
    pub name: &'static str,
    /// Kind of body.
    pub kind: MunicipalityKind,
}

impl Municipality {
    /// The name at the level the register records a place of birth (最小行政区画):
    /// prefecture + municipality; a ward of a designated city is recorded as the
    /// city, because 行政区 are not 行政区画 (東京都千代田区, 神奈川県横浜市).
    pub fn register_place_name(&self) -> String {
        match self.kind {
            MunicipalityKind::Prefecture => self.prefecture.to_owned(),
            MunicipalityKind::Ward => {
                let city = self
                    .name
                    .find('市')
                    .map_or(self.name, |i| &self.name[..i + '市'.len_utf8()]);
                format!("{}{}", self.prefecture, city)
            }
            _ => format!("{}{}", self.prefecture, self.name),
        }
    }

    /// Prefecture and name as an address prints them (東京都千代田区, 神奈川県横浜市鶴見区).
    pub fn full_name(&self) -> String {
        match self.kind {
            MunicipalityKind::Prefecture => self.prefecture.to_owned(),
            _ => format!("{}{}", self.prefecture, self.name),
        }
    }
}

/// Counts that tests pin, so a bad regeneration is caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableHealth {
    /// 常用漢字 loaded.
    pub joyo: usize,
    /// 人名用漢字 loaded.
    pub jinmeiyo: usize,
    /// Municipality rows loaded.
    pub municipalities: usize,
    /// Holiday rows loaded.
    pub holidays: usize,
    /// Lines that could not be parsed (must be 0).
    pub malformed_lines: usize,
}

struct Tables {
    joyo: HashSet<char>,
    jinmeiyo: HashSet<char>,
    municipalities: HashMap<&'static str, Municipality>,
    holidays: BTreeMap<Date, &'static str>,
    malformed_lines: usize,
}

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn load_kanji(text: &'static str, malformed: &mut usize) -> HashSet<char> {
    let mut set = HashSet::new();
    for line in data_lines(text) {
        let mut chars = line.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => {
                set.insert(c);
            }
            _ => *malformed += 1,
        }
    }
    set
}

fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = s[..4].parse().ok()?;
    let month: u8 = s[5..7].parse().ok()?;
    let day = s[8..].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut malformed = 0;
    let joyo = load_kanji(JOYO, &mut malformed);
    let jinmeiyo = load_kanji(JINMEIYO, &mut malformed);

    let mut municipalities = HashMap::new();
    for line in data_lines(MUNICIPALITIES) {
        let cols: Vec<&'static str> = line.split('\t').collect();
        let row = match cols.as_slice() {
            ["code", ..] => continue, // header row
            [code, prefecture, name, kind] => {
                MunicipalityKind::parse(kind).map(|kind| Municipality {
                    code,
                    prefecture,
                    name,
                    kind,
                })
            }
            _ => None,
        };
        match row {
            Some(m) if crate::municipality::check_digit_ok(m.code) => {
                municipalities.insert(m.code, m);
            }
            _ => malformed += 1,
        }
    }

    let mut holidays = BTreeMap::new();
    for line in data_lines(HOLIDAYS) {
        match line.split_once('\t') {
            Some(("date", _)) => {}
            Some((date, name)) => match parse_iso_date(date) {
                Some(d) => {
                    holidays.insert(d, name);
                }
                None => malformed += 1,
            },
            None => malformed += 1,
        }
    }

    Tables {
        joyo,
        jinmeiyo,
        municipalities,
        holidays,
        malformed_lines: malformed,
    }
});

/// Row counts and parse health of the vendored tables.
pub fn health() -> TableHealth {
    let t = &*TABLES;
    TableHealth {
        joyo: t.joyo.len(),
        jinmeiyo: t.jinmeiyo.len(),
        municipalities: t.municipalities.len(),
        holidays: t.holidays.len(),
        malformed_lines: t.malformed_lines,
    }
}

/// True for the 2,136 常用漢字 (平成22年内閣告示第2号).
pub fn is_joyo(c: char) -> bool {
    TABLES.joyo.contains(&c)
}

/// True for the 863 人名用漢字 (戸籍法施行規則別表第二, as of 2017).
pub fn is_jinmeiyo(c: char) -> bool {
    TABLES.jinmeiyo.contains(&c)
}

/// Looks up a six-digit code (with check digit).
pub fn municipality(code: &str) -> Option<&'static Municipality> {
    TABLES.municipalities.get(code)
}

/// Every municipality row (for documentation and the directory of the gateway).
pub fn municipalities() -> impl Iterator<Item = &'static Municipality> {
    TABLES.municipalities.values()
}

/// The name of the national holiday on `date`, if it is one.
pub fn holiday(date: Date) -> Option<&'static str> {
    TABLES.holidays.get(&date).copied()
}

/// First and last year the holiday table covers (inclusive).
pub fn holiday_years() -> Option<(i32, i32)> {
    let t = &*TABLES;
    Some((
        t.holidays.keys().next()?.year(),
        t.holidays.keys().next_back()?.year(),
    ))
}
