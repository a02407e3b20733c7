"""Dates and years in German and English text."""

from __future__ import annotations

import re

from verify.facts.cldr import month_forms, month_names
from verify.facts.numbers_text import GAP, SCALE_RE, UNIT_RE, WS, trie_regex
from verify.facts.values import DateMention

# Spellings the CLDR does not list: Austrian "Feber", ASCII "Maerz", the abbreviation "Mrz". Both languages'
# forms are read in either language's text ("Sept." is German CLDR and common in English).
_MONTHS_FULL: dict[str, int] = {**month_forms("en")["full"], **month_forms("de")["full"], "Feber": 2, "Maerz": 3}
_MONTHS_ABBR: dict[str, int] = {**month_forms("en")["abbr"], **month_forms("de")["abbr"], "Mrz": 3}
# Index 0 is the "no month" slot, so that MONTH_NAMES_EN[mention.month or 0] reads "".
MONTH_NAMES_EN = ["", *month_names("en")]


def _month_re(group: str, standalone: bool = False) -> str:
    full = trie_regex(list(_MONTHS_FULL))
    abbr = trie_regex(list(_MONTHS_ABBR))
    if standalone:
        return rf"(?P<{group}>(?:{full})(?![\w])|(?:{abbr})\.)"
    return rf"(?P<{group}>(?:{full})(?![\w])|(?:{abbr})(?:\.|(?![\w])))"


_UNIT_AFTER_YEAR = r"(?!" + WS + r"*(?:%|€|\$|£)|" + GAP + r"(?:" + SCALE_RE + r"|" + UNIT_RE + r"))"
_YEAR_RE = r"(?<![\w$€£.,])(?<!\d[.,])(?P<y>19\d\d|20\d\d|2100)(?![\d]|[.,]\d|er\b|s\b)" + _UNIT_AFTER_YEAR
_DATE = re.compile(
    r"(?=[0-9ADFJMNOS])(?<!\w)(?:"
    r"(?<![\w.])(?P<iy>(?:19|20)\d\d)-(?P<im>[01]?\d)-(?P<id>[0-3]?\d)(?![\w])"
    r"|(?<![\w.,])(?P<nd>[0-3]?\d)\.(?P<nm>[01]?\d)\.(?P<ny>(?:19|20)\d\d)(?![\d])"
    r"|(?<![\w.,])(?P<d1>[0-3]?\d)(?:\.|st|nd|rd|th)?"
    + WS
    + r"+(?:of"
    + WS
    + r"+)?"
    + _month_re("m1")
    + r"(?:,?"
    + WS
    + r"+(?P<y1>(?:19|20)\d\d)(?![\d]))?"
    r"|(?<![\w])"
    + _month_re("m2")
    + WS
    + r"*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?![\d.,]?\d|[\w%])"
    + r"(?:,?"
    + WS
    + r"+(?P<y2>(?:19|20)\d\d)(?![\d]))?"
    r"|(?<![\w])" + _month_re("m3") + WS + r"+(?P<y3>(?:19|20)\d\d)(?![\d])"
    r"|(?<![\w])" + _month_re("m4", standalone=True) + r"|" + _YEAR_RE + ")"
)
_PREV_WORD = re.compile(r"(\w+)[\s\-]*$")
_MONTH_PREPS = frozenset(
    "in since until till by from early late mid last next this of during before after between and or "
    "through to end beginning start".split()
)


def _month_num(word: str) -> int:
    w = word.rstrip(".")
    return _MONTHS_FULL.get(w) or _MONTHS_ABBR.get(w) or 0


def _valid(y: int | None, m: int | None, d: int | None) -> bool:
    if m is not None and not 1 <= m <= 12:
        return False
    return not (d is not None and not 1 <= d <= 31)


def find_dates(text: str) -> list[DateMention]:
    out: list[DateMention] = []
    for mo in _DATE.finditer(text):
        g = mo.groupdict()
        y = m = d = None
        if g["iy"]:
            y, m, d = int(g["iy"]), int(g["im"]), int(g["id"])
        elif g["nd"]:
            y, m, d = int(g["ny"]), int(g["nm"]), int(g["nd"])
        elif g["m1"]:
            m, d = _month_num(g["m1"]), int(g["d1"])
            y = int(g["y1"]) if g["y1"] else None
        elif g["m2"]:
            m, d = _month_num(g["m2"]), int(g["d2"])
            y = int(g["y2"]) if g["y2"] else None
        elif g["m3"]:
            m, y = _month_num(g["m3"]), int(g["y3"])
        elif g["m4"]:
            m = _month_num(g["m4"])
            if g["m4"].rstrip(".") in ("May", "March", "Mar"):
                prev = _PREV_WORD.search(text, 0, mo.start())
                if not prev or prev.group(1).lower() not in _MONTH_PREPS:
                    continue
        elif g["y"]:
            y = int(g["y"])
        if not _valid(y, m, d):
            if y is None:
                continue
            m = d = None
        out.append(DateMention(year=y, month=m, day=d, text=mo.group(0), start=mo.start(), end=mo.end()))
    return out
