//! Pins the vendored reference tables: counts, parse health and anchors
//! from public sources. A bad regeneration of `formats/data/` fails here.

use formats::tables::{self, MunicipalityKind};

#[test]
fn counts_are_pinned() {
    let h = tables::health();
    assert_eq!(h.malformed_lines, 0);
    assert_eq!(h.joyo, 2_136, "常用漢字 (2010)");
    assert_eq!(h.jinmeiyo, 863, "人名用漢字 (2017)");
    assert_eq!(h.holidays, 1_329);
    let (first, last) = tables::holiday_years().expect("holidays loaded");
    assert!(
        first <= 2019 && last >= 2030,
        "holidays cover 2019–2030: {first}–{last}"
    );

    let count = |k: MunicipalityKind| tables::municipalities().filter(|m| m.kind == k).count();
    assert_eq!(count(MunicipalityKind::Prefecture), 47);
    assert_eq!(count(MunicipalityKind::DesignatedCity), 20);
    assert_eq!(
        count(MunicipalityKind::Ward),
        171,
        "wards of 政令指定都市 (浜松市: 3 since 2024)"
    );
    assert_eq!(count(MunicipalityKind::SpecialWard), 23);
    let municipalities = count(MunicipalityKind::City)
        + count(MunicipalityKind::Town)
        + count(MunicipalityKind::Village)
        + count(MunicipalityKind::SpecialWard)
        + count(MunicipalityKind::DesignatedCity);
    assert_eq!(municipalities, 1_741, "市町村 + 特別区");
    assert_eq!(h.municipalities, 47 + 1_741 + 171);
}

#[test]
fn kanji_lists_are_disjoint_and_keep_compatibility_ideographs() {
    let compat = ('\u{F900}'..='\u{FAFF}')
        .filter(|&c| tables::is_jinmeiyo(c))
        .count();
    assert_eq!(
        compat, 57,
        "人名用漢字 that are CJK compatibility ideographs"
    );
    assert!(tables::is_jinmeiyo('\u{FA45}'), "海 U+FA45");
    assert!(tables::is_joyo('\u{6D77}'), "海 U+6D77");
    assert!(tables::is_joyo('\u{20B9F}'), "𠮟, the official 2010 form");
    assert!(tables::is_jinmeiyo('翔') && !tables::is_joyo('翔'));
    assert!(!tables::is_joyo('ヽ') && !tables::is_jinmeiyo('ヽ'));
    for c in ['一', '陽', '花', '郎'] {
        assert!(tables::is_joyo(c) && !tables::is_jinmeiyo(c), "{c}");
    }
}

#[test]
fn municipality_anchors() {
    for (code, name, kind) in [
        ("131016", "千代田区", MunicipalityKind::SpecialWard),
        ("141003", "横浜市", MunicipalityKind::DesignatedCity),
        ("141011", "横浜市鶴見区", MunicipalityKind::Ward),
        ("011002", "札幌市", MunicipalityKind::DesignatedCity),
        ("011011", "札幌市中央区", MunicipalityKind::Ward),
        ("271004", "大阪市", MunicipalityKind::DesignatedCity),
        ("401307", "福岡市", MunicipalityKind::DesignatedCity),
        ("221384", "浜松市中央区", MunicipalityKind::Ward),
        ("130001", "東京都", MunicipalityKind::Prefecture),
    ] {
        let m = tables::municipality(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!((m.name, m.kind), (name, kind), "{code}");
    }
    assert!(
        tables::municipality("221317").is_none(),
        "浜松市中区 was abolished in 2024"
    );
    let ward = tables::municipality("141011").expect("row");
    assert_eq!(ward.register_place_name(), "神奈川県横浜市");
    assert_eq!(ward.full_name(), "神奈川県横浜市鶴見区");
    let chiyoda = tables::municipality("131016").expect("row");
    assert_eq!(chiyoda.register_place_name(), "東京都千代田区");
}

#[test]
fn holiday_anchors() {
    use time::macros::date;
    assert_eq!(
        tables::holiday(date!(2019 - 05 - 01)),
        Some("天皇の即位の日")
    );
    assert!(
        tables::holiday(date!(2019 - 10 - 22)).is_some(),
        "即位礼正殿の儀"
    );
    assert!(
        tables::holiday(date!(2021 - 07 - 23)).is_some(),
        "スポーツの日 (Olympics)"
    );
    assert!(
        tables::holiday(date!(2021 - 10 - 11)).is_none(),
        "moved to 7/23 in 2021"
    );
    assert!(
        tables::holiday(date!(2026 - 11 - 23)).is_some(),
        "勤労感謝の日"
    );
    assert!(tables::holiday(date!(2026 - 11 - 24)).is_none());
}
