"""Quantities, dates and places in German/English text, and a rule comparison of a claim with a passage."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from verify.models import Frozen

try:  # optional: spelled-out numbers beyond the small built-in table
    from text_to_num import text2num as _text2num
except Exception:  # pragma: no cover - depends on the environment
    _text2num = None


# ----------------------------------------------------------------------------------------------
# models


class Quantity(Frozen):
    value: float
    unit: str  # "USD", "EUR", "GBP", "%", "pp", "GW", "MW", "kW", "TWh", ..., "jobs", ... or "" (bare number)
    kind: str  # "money" | "percent" | "energy" | "count" | "number"
    text: str
    start: int
    end: int
    qualifier: str = ""  # "over" | "about" | "up to" | "under" | ""
    high: float | None = None  # upper end of a range ("10 bis 15 Milliarden"), same unit as value
    scale: float = 1.0  # the scale word's factor (1e9 for "Milliarden"), 1.0 when there is none
    precision: float = 0.0  # half a step of the last written digit, in value units ("1,8 Mio." -> 0.05e6)


class DateMention(Frozen):
    year: int | None = None
    month: int | None = None
    day: int | None = None
    text: str
    start: int
    end: int


class Place(Frozen):
    name: str  # canonical English, lower case
    text: str
    start: int
    end: int
    demonym: bool = False  # a nationality adjective ("britischen", "French"), not a location noun


class Comparison(Frozen):
    matches: list[str] = []
    mismatches: list[str] = []
    claim_facts: int = 0
    matched_facts: int = 0


# ----------------------------------------------------------------------------------------------
# numbers


def _trie_regex(words: list[str], spaces: str = " ") -> str:
    """A regex alternation of `words` as a trie, preferring the longest match; a space matches `spaces`."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [
            (spaces if ch == " " else re.escape(ch)) + build(child)
            for ch, child in sorted(node.items())
            if ch != ""
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


_WS = "[ \t\u00a0\u202f]"
_NUM_RE = (
    r"(?<![\w.,])(?<![A-Za-z]-)"
    r"(?:\d{1,3}(?:(?:[.,]|[\u00a0\u202f'’])\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?![.,]?\d)"
)

_WORD_NUMBERS: dict[str, float] = {
    # English
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "half a": 0.5,
    "a": 1,
    # German
    "ein": 1,
    "eine": 1,
    "einen": 1,
    "einem": 1,
    "einer": 1,
    "eins": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "elf": 11,
    "zwölf": 12,
    "fünfzehn": 15,
    "zwanzig": 20,
    "dreißig": 30,
    "vierzig": 40,
    "fünfzig": 50,
    "sechzig": 60,
    "siebzig": 70,
    "achtzig": 80,
    "neunzig": 90,
    "hundert": 100,
    "einhundert": 100,
    "eine halbe": 0.5,
}
_WORDNUM_RE = r"(?<![\w-])(?i:" + _trie_regex(list(_WORD_NUMBERS), _WS + "+") + r")(?![\w])"

_SCALES: dict[str, float] = {
    "tausend": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "tsd.": 1e3,
    "tsd": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "millionen": 1e6,
    "mio.": 1e6,
    "mio": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "milliarde": 1e9,
    "milliarden": 1e9,
    "mrd.": 1e9,
    "mrd": 1e9,
    "mia.": 1e9,
    "mia": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "billionen": 1e12,
    "trillion": 1e12,
    "trillions": 1e12,
    "tn": 1e12,
}
_SCALE_WORDS = sorted((k for k in _SCALES if len(k) > 1), key=len, reverse=True)
_SCALE_RE = (
    r"(?:(?i:" + "|".join(re.escape(w) for w in _SCALE_WORDS) + r")(?<=\.)|"
    r"(?i:" + "|".join(re.escape(w) for w in _SCALE_WORDS if not w.endswith(".")) + r")(?![\w])|"
    r"[kKmMbB](?![\w]))"
)

_CURRENCY_WORDS: list[tuple[str, str]] = [
    (r"US-Dollars?", "USD"),
    (r"U\.S\." + _WS + r"+dollars?", "USD"),
    (r"US" + _WS + r"+dollars?", "USD"),
    (r"[Dd]ollars?", "USD"),
    (r"USD", "USD"),
    (r"\$", "USD"),
    (r"[Ee]uros?", "EUR"),
    (r"EUR", "EUR"),
    (r"€", "EUR"),
    (r"Pfund(?:" + _WS + r"+Sterling)?", "GBP"),
    (r"[Pp]ounds?(?:" + _WS + r"+sterling)?", "GBP"),
    (r"GBP", "GBP"),
    (r"£", "GBP"),
]
_PERCENT_WORDS: list[tuple[str, str]] = [
    (r"%", "%"),
    (r"(?i:Prozentpunkte?n?)", "pp"),
    (r"(?i:percentage" + _WS + r"+points?)", "pp"),
    (r"(?i:Prozent)", "%"),
    (r"(?i:percent)", "%"),
    (r"(?i:per" + _WS + r"+cent)", "%"),
]
_ENERGY_WORDS: list[tuple[str, str]] = [
    (r"(?i:Terawattstunden|terawatt[- ]hours?)", "TWh"),
    (r"(?i:Gigawattstunden|gigawatt[- ]hours?)", "GWh"),
    (r"(?i:Megawattstunden|megawatt[- ]hours?)", "MWh"),
    (r"(?i:Kilowattstunden|kilowatt[- ]hours?)", "kWh"),
    (r"(?i:Gigawatts?)", "GW"),
    (r"(?i:Megawatts?)", "MW"),
    (r"(?i:Kilowatts?)", "kW"),
    (r"TWh", "TWh"),
    (r"GWh", "GWh"),
    (r"MWh", "MWh"),
    (r"kWh", "kWh"),
    (r"GW", "GW"),
    (r"MW", "MW"),
    (r"kW", "kW"),
]
_COUNT_ADJ = (
    r"(?:(?i:new|permanent|full-time|additional|direct|neue[nr]?|dauerhafte[n]?|feste[n]?|zusätzliche[n]?)"
    + _WS
    + r"+)?"
)
_COUNT_WORDS: list[tuple[str, str]] = [
    (r"(?i:jobs|Arbeitsplätzen?|Stellen)", "jobs"),
    (r"(?i:employees|workers|staff|Mitarbeiter(?:innen)?n?|Mitarbeitenden?|Beschäftigten?)", "employees"),
    (r"(?i:people|Menschen|Personen)", "people"),
    (r"(?i:users|Nutzer(?:innen)?n?)", "users"),
    (r"(?i:customers|Kunden)", "customers"),
    (r"(?i:GPUs|Grafikprozessoren|chips|Chips)", "chips"),
    (r"(?i:households|homes|Haushalte[n]?)", "households"),
]

_ENERGY_FACTOR = {"GW": 1e9, "MW": 1e6, "kW": 1e3, "TWh": 1e12, "GWh": 1e9, "MWh": 1e6, "kWh": 1e3}
_TO_USD = {"USD": 1.0, "EUR": 1.12, "GBP": 1.3}


_UNIT_TABLE: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(pat), unit, kind)
    for pairs, kind in (
        (_CURRENCY_WORDS, "money"),
        (_PERCENT_WORDS, "percent"),
        (_ENERGY_WORDS, "energy"),
        (_COUNT_WORDS, "count"),
    )
    for pat, unit in pairs
]
_UNIT_RE = (
    "(?:"
    + "|".join(p for p, _ in _CURRENCY_WORDS + _PERCENT_WORDS + _ENERGY_WORDS)
    + "|"
    + _COUNT_ADJ
    + "(?P<cnt>"
    + "|".join(p for p, _ in _COUNT_WORDS)
    + "))(?![\\w])"
)


_QUALIFIERS: dict[str, str] = {
    "more than": "over",
    "over": "over",
    "above": "over",
    "at least": "over",
    "in excess of": "over",
    "über": "over",
    "mehr als": "over",
    "mindestens": "over",
    "gut": "over",
    "gute": "over",
    "about": "about",
    "around": "about",
    "approximately": "about",
    "approx.": "about",
    "roughly": "about",
    "nearly": "about",
    "almost": "about",
    "some": "about",
    "an estimated": "about",
    "close to": "about",
    "rund": "about",
    "etwa": "about",
    "ca.": "about",
    "circa": "about",
    "zirka": "about",
    "knapp": "about",
    "fast": "about",
    "nahezu": "about",
    "annähernd": "about",
    "ungefähr": "about",
    "beinahe": "about",
    "up to": "up to",
    "at most": "up to",
    "bis zu": "up to",
    "höchstens": "up to",
    "maximal": "up to",
    "less than": "under",
    "under": "under",
    "below": "under",
    "fewer than": "under",
    "weniger als": "under",
    "unter": "under",
}
_QUAL_RE = r"(?<![\w])(?P<qual>(?i:" + _trie_regex(list(_QUALIFIERS), _WS + "+") + r"))" + _WS + r"+"
_PREFIX_CUR = r"(?P<pre>US\$|US-\$|U\.S\.\$|\$|€|£|USD|EUR|GBP)"
_GAP = "(?:" + _WS + "*-" + _WS + "*|" + _WS + "+)"
_RANGE = "(?:" + _WS + r"*(?:-|–|—|bis|to)" + _WS + r"*(?P<num2>" + _NUM_RE + r"))?"

_CORE = re.compile(
    "(?:" + _PREFIX_CUR + _WS + r"?)?"
    "(?:(?P<num>" + _NUM_RE + ")" + _RANGE + "|(?P<word>" + _WORDNUM_RE + "))"
    "(?:(?:" + _GAP + "|(?<=\\d))(?P<scale>" + _SCALE_RE + "))?"
    "(?:(?:"
    + _GAP
    + "|"
    + _WS
    + "*(?=[%$€£])|(?<=\\d)(?=[%$€£]|[GMk]Wh?(?![\\w])))(?P<unit>"
    + _UNIT_RE
    + "))?"
)
# where a quantity can start: a digit run or a number word (two scans: one alternation is much slower);
# the currency prefix and the qualifier are looked up backwards from there
_DIGIT_ANCHOR = re.compile(r"\d+")
_WORD_ANCHOR = re.compile(
    "(?:"
    + _trie_regex(sorted({v for w in _WORD_NUMBERS for v in (w, w[0].upper() + w[1:])}), _WS + "+")
    + r")(?![\w])"
)
_PREFIX_BEFORE = re.compile(r"(?:(?<![\w])(?:US\$|US-\$|U\.S\.\$|USD|EUR|GBP)|\$|€|£)" + _WS + r"?$")
_QUAL_BEFORE = re.compile(_QUAL_RE + "$")


def _norm_ws(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").replace("\u202f", " ").split())


@lru_cache(maxsize=8192)
def _split_decimal(s: str, lang: str | None) -> tuple[float, int] | None:
    """(value, number of decimals) of a digit string with German or English separators."""
    if s.isascii() and s.isdigit():
        return float(s), 0
    s = s.strip()
    neg = s.startswith(("-", "−"))
    if s[:1] in "+-−":
        s = s[1:]
    if not s or not s[0].isdecimal():
        return None
    s = s.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    groups_sep = [c for c in s if not c.isdecimal()]
    if any(c not in ".,' " for c in groups_sep):
        return None
    int_part, frac = s, ""
    seps = set(groups_sep)
    if not groups_sep:
        int_part = s
    elif seps & {" ", "'"} and not seps & {".", ","}:
        int_part = s
    else:
        dot_comma = [c for c in groups_sep if c in ".,"]
        last = dot_comma[-1]
        if len(set(dot_comma)) == 2 or dot_comma.count(last) == 1 and groups_sep.count(last) == 1:
            # exactly one of the last separator: decimal or thousands?
            idx = s.rfind(last)
            after = s[idx + 1 :]
            if len(set(dot_comma)) == 2:
                decimal = True
            elif len(after) != 3 or s[:idx].replace(" ", "").replace("'", "") == "0":
                decimal = True
            elif lang == "de":
                decimal = last == ","
            elif lang == "en":
                decimal = last == "."
            else:
                decimal = False  # "1.234" / "1,234" without a language: thousands
            if decimal:
                int_part, frac = s[:idx], after
            else:
                int_part = s
        else:
            int_part = s  # the same separator several times: thousands
        if frac and not frac.isdecimal():
            return None
    digits = "".join(c for c in int_part if c.isdecimal())
    if not digits or ("." in int_part and "," in int_part) or len(digits) + len(frac) > 30:
        return None
    # thousands groups must have three digits
    parts = re.split(r"[.,' ]", int_part)
    if len(parts) > 1 and (any(len(p) != 3 for p in parts[1:]) or not 1 <= len(parts[0]) <= 3):
        return None
    value = float(digits + ("." + frac if frac else ""))
    return (-value if neg else value), len(frac)


def _scale_of(word: str, lang: str) -> float:
    w = word.lower()
    if w == "billion" and word[0] == "B" and lang == "de":
        return 1e12  # German "Billion" is 10^12; lower-case "billion" is English
    return _SCALES.get(w, _SCALES.get(w.rstrip("."), 1.0))


_SCALE_TAIL = re.compile(r"^(?P<n>.*?)" + _WS + r"*-?" + _WS + r"*(?P<s>" + _SCALE_RE + r")\.?$", re.S)


def parse_number(s: str, lang: str | None = None) -> float | None:
    """A number written in German or English notation, digits or words; None when `s` is not one.

    "1.234,5" (de), "1,234.5" (en), "10,3", "1.5", "fünfzig", "fifty", "50 Milliarden" -> 5e10.
    """
    if not isinstance(s, str):
        return None
    t = _norm_ws(s)
    if not t or len(t) > 200:
        return None
    res = _split_decimal(t, lang)
    if res is not None:
        return res[0]
    m = _SCALE_TAIL.match(t)
    if m and m.group("n"):
        base = parse_number(m.group("n"), lang)
        if base is not None:
            return base * _scale_of(m.group("s"), lang or "en")
    low = t.lower()
    if low in _WORD_NUMBERS and low not in ("a", "half a", "eine halbe"):
        return float(_WORD_NUMBERS[low])
    if _text2num is not None and t.replace(" ", "").replace("-", "").isalpha():
        for code in [lang] if lang in ("en", "de") else ["en", "de"]:
            try:
                return float(_text2num(low, code))
            except Exception:
                continue
    return None


# ----------------------------------------------------------------------------------------------
# dates

_MONTHS_FULL: dict[str, int] = {
    "January": 1,
    "February": 2,
    "March": 3,
    "April": 4,
    "May": 5,
    "June": 6,
    "July": 7,
    "August": 8,
    "September": 9,
    "October": 10,
    "November": 11,
    "December": 12,
    "Januar": 1,
    "Jänner": 1,
    "Februar": 2,
    "Feber": 2,
    "März": 3,
    "Maerz": 3,
    "Mai": 5,
    "Juni": 6,
    "Juli": 7,
    "Oktober": 10,
    "Dezember": 12,
}
_MONTHS_ABBR: dict[str, int] = {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Mär": 3,
    "Mrz": 3,
    "Apr": 4,
    "Jun": 6,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Sept": 9,
    "Oct": 10,
    "Okt": 10,
    "Nov": 11,
    "Dec": 12,
    "Dez": 12,
}
_MONTH_NAMES_EN = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _month_re(group: str, standalone: bool = False) -> str:
    full = _trie_regex(list(_MONTHS_FULL))
    abbr = _trie_regex(list(_MONTHS_ABBR))
    if standalone:
        return rf"(?P<{group}>(?:{full})(?![\w])|(?:{abbr})\.)"
    return rf"(?P<{group}>(?:{full})(?![\w])|(?:{abbr})(?:\.|(?![\w])))"


_UNIT_AFTER_YEAR = r"(?!" + _WS + r"*(?:%|€|\$|£)|" + _GAP + r"(?:" + _SCALE_RE + r"|" + _UNIT_RE + r"))"
_YEAR_RE = r"(?<![\w$€£.,])(?<!\d[.,])(?P<y>19\d\d|20\d\d|2100)(?![\d]|[.,]\d|er\b|s\b)" + _UNIT_AFTER_YEAR
_DATE = re.compile(
    r"(?=[0-9ADFJMNOS])(?<!\w)(?:"
    r"(?<![\w.])(?P<iy>(?:19|20)\d\d)-(?P<im>[01]?\d)-(?P<id>[0-3]?\d)(?![\w])"
    r"|(?<![\w.,])(?P<nd>[0-3]?\d)\.(?P<nm>[01]?\d)\.(?P<ny>(?:19|20)\d\d)(?![\d])"
    r"|(?<![\w.,])(?P<d1>[0-3]?\d)(?:\.|st|nd|rd|th)?"
    + _WS
    + r"+(?:of"
    + _WS
    + r"+)?"
    + _month_re("m1")
    + r"(?:,?"
    + _WS
    + r"+(?P<y1>(?:19|20)\d\d)(?![\d]))?"
    r"|(?<![\w])"
    + _month_re("m2")
    + _WS
    + r"*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?![\d.,]?\d|[\w%])"
    + r"(?:,?"
    + _WS
    + r"+(?P<y2>(?:19|20)\d\d)(?![\d]))?"
    r"|(?<![\w])" + _month_re("m3") + _WS + r"+(?P<y3>(?:19|20)\d\d)(?![\d])"
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


def _dates(text: str) -> list[DateMention]:
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


def extract_dates(text: str, lang: str = "en") -> list[DateMention]:
    """Years (1900-2100), months and full dates in German or English notation."""
    if not isinstance(text, str) or not text:
        return []
    return list(_cached(text, lang)[1])


# ----------------------------------------------------------------------------------------------
# quantities


@lru_cache(maxsize=512)
def _classify_unit(unit_text: str) -> tuple[str, str]:
    for pat, unit, kind in _UNIT_TABLE:
        if pat.fullmatch(unit_text):
            return unit, kind
    return "", ""


def _unit_of(mo: re.Match[str]) -> tuple[str, str]:
    if mo.group("unit") is None:
        return "", ""
    return _classify_unit(mo.group("cnt") or mo.group("unit"))


_PREFIX_UNIT = {
    "US$": "USD",
    "US-$": "USD",
    "U.S.$": "USD",
    "$": "USD",
    "USD": "USD",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
}


def _scan(text: str):  # -> Iterator[tuple[re.Match[str], re.Match[str] | None]]
    """(core match, qualifier match) for each quantity candidate, left to right, not overlapping."""
    starts = [m.start() for m in _DIGIT_ANCHOR.finditer(text)]
    words = [
        m.start()
        for m in _WORD_ANCHOR.finditer(text)
        if m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-")
    ]
    if words:
        starts = sorted(starts + words)
    done = 0
    for s in starts:
        if s < done:
            continue
        mo = None
        pm = None
        if any(c in "$€£DRP" for c in text[max(done, s - 2) : s]):
            pm = _PREFIX_BEFORE.search(text, max(done, s - 6), s)
        if pm is not None:
            mo = _CORE.match(text, pm.start())
            if mo is not None and mo.group("pre") is None:
                mo = None
        if mo is None:
            mo = _CORE.match(text, s)
        if mo is None:
            continue
        qm = None
        if mo.start() > done and text[mo.start() - 1] in " \t\u00a0\u202f":
            qm = _QUAL_BEFORE.search(text, max(done, mo.start() - 24), mo.start())
        done = mo.end()
        yield mo, qm


_YEARLIKE = re.compile(r"(?:19|20)\d\d|2100")


def _quantities(text: str, lang: str, date_spans: list[tuple[int, int]]) -> list[Quantity]:
    out: list[Quantity] = []
    for mo, qm in _scan(text):
        num, word = mo.group("num"), mo.group("word")
        if num is None and word is None:
            continue
        pre = mo.group("pre")
        unit, kind = _unit_of(mo)
        scale_word = mo.group("scale")
        start, end = (qm.start() if qm is not None else mo.start()), mo.end()
        if pre and unit and kind != "money":
            # "$ 5 %" makes no sense; keep the prefix currency, drop the unit
            unit, kind, end = "", "", mo.start("unit")
        if pre and kind == "money":
            # "$50 billion dollars": both name the currency; prefer the prefix
            unit = _PREFIX_UNIT[pre]
        elif pre:
            unit, kind = _PREFIX_UNIT[pre], "money"
        if scale_word is not None and len(scale_word) == 1 and kind != "money":
            # "50m", "10B": only a scale next to a currency
            scale_word = None
            unit, kind = "", ""
            end = mo.end("num") if num is not None else mo.end("word")
        if word is not None and scale_word is None and not kind:
            continue  # "one of the", "eine Firma"
        if word is not None and word.lower() == "a" and scale_word is None:
            continue
        scale = _scale_of(scale_word, lang) if scale_word else 1.0
        if num is not None:
            parsed = _split_decimal(num, lang)
            if parsed is None:
                continue
            base, decimals = parsed
            high = None
            if mo.group("num2"):
                p2 = _split_decimal(mo.group("num2"), lang)
                if p2 is not None and p2[0] > base:
                    high = p2[0] * scale
                    decimals = max(decimals, p2[1])
        else:
            base, decimals, high = float(_WORD_NUMBERS.get(_norm_ws(word).lower(), 1.0)), 0, None
        if not kind and scale == 1.0:
            # bare numbers: years are dates; numbers inside a date are not quantities
            if num is not None and _YEARLIKE.fullmatch(num) and high is None:
                if mo.group("num2") is None:
                    continue
            if any(s < end and start < e for s, e in date_spans):
                continue
            kind = "number"
            if mo.group("num2") and high is None:
                end = mo.end("num")
        elif not kind:
            kind = "number"
        qualifier = _QUALIFIERS.get(_norm_ws(qm.group("qual")).lower(), "") if qm is not None else ""
        value = base * scale
        if not math.isfinite(value) or abs(value) > 1e18:
            continue
        if high is not None and high <= value:
            high = None
        if kind == "number" and mo.group("num2") and high is None:
            end = mo.end("num")
        out.append(
            Quantity(
                value=value,
                unit=unit,
                kind=kind,
                text=text[start:end],
                start=start,
                end=end,
                qualifier=qualifier,
                high=high,
                scale=scale,
                precision=0.49 * (10.0**-decimals) * scale,
            )
        )
    return out


def extract_quantities(text: str, lang: str = "en") -> list[Quantity]:
    """Amounts of money, percentages, power/energy, counts and scaled numbers; years are left to dates."""
    if not isinstance(text, str) or not text:
        return []
    return list(_cached(text, lang)[0])


# ----------------------------------------------------------------------------------------------
# places: a small gazetteer. Each line: canonical | level | parent | surface forms (";"), with
# German adjective stems marked "~stem" (inflected -e/-en/-er/-es/-em, either case) and
# English adjectives marked "+Adj".

_GAZETTEER = """
united states|country||United States;United States of America;USA;U.S.A.;US;U.S.;Vereinigte Staaten;Vereinigten Staaten;Vereinigten Staaten von Amerika;+American;~amerikanisch;~US-amerikanisch
united kingdom|country||United Kingdom;UK;U.K.;Great Britain;Britain;Großbritannien;Grossbritannien;Vereinigtes Königreich;Vereinigte Königreich;Vereinigten Königreich;Vereinigten Königreichs;+British;~britisch
france|country||France;Frankreich;+French;~französisch
germany|country||Germany;Deutschland;Bundesrepublik;+German;~deutsch
china|country||China;Volksrepublik China;People's Republic of China;+Chinese;~chinesisch
japan|country||Japan;+Japanese;~japanisch
india|country||India;Indien;+Indian;~indisch
canada|country||Canada;Kanada;+Canadian;~kanadisch
mexico|country||Mexico;Mexiko;+Mexican;~mexikanisch
brazil|country||Brazil;Brasilien;+Brazilian;~brasilianisch
italy|country||Italy;Italien;+Italian;~italienisch
spain|country||Spain;Spanien;+Spanish;~spanisch
netherlands|country||Netherlands;Niederlande;Niederlanden;Holland;+Dutch;~niederländisch
belgium|country||Belgium;Belgien;+Belgian;~belgisch
switzerland|country||Switzerland;Schweiz;+Swiss;~schweizerisch
austria|country||Austria;Österreich;+Austrian;~österreichisch
sweden|country||Sweden;Schweden;+Swedish;~schwedisch
norway|country||Norway;Norwegen;+Norwegian;~norwegisch
denmark|country||Denmark;Dänemark;+Danish;~dänisch
finland|country||Finland;Finnland;+Finnish;~finnisch
poland|country||Poland;Polen;+Polish;~polnisch
ireland|country||Ireland;Irland;Republic of Ireland;+Irish;~irisch
portugal|country||Portugal;+Portuguese;~portugiesisch
greece|country||Greece;Griechenland;+Greek;~griechisch
czech republic|country||Czech Republic;Czechia;Tschechien;+Czech;~tschechisch
hungary|country||Hungary;Ungarn;+Hungarian;~ungarisch
romania|country||Romania;Rumänien;+Romanian;~rumänisch
ukraine|country||Ukraine;+Ukrainian;~ukrainisch
russia|country||Russia;Russland;Russische Föderation;+Russian;~russisch
turkey|country||Turkey;Türkei;Türkiye;+Turkish;~türkisch
israel|country||Israel;+Israeli;~israelisch
saudi arabia|country||Saudi Arabia;Saudi-Arabien;+Saudi;~saudi-arabisch;~saudisch
united arab emirates|country||United Arab Emirates;UAE;Vereinigte Arabische Emirate;Vereinigten Arabischen Emiraten;VAE;+Emirati;~emiratisch
qatar|country||Qatar;Katar;+Qatari;~katarisch
south korea|country||South Korea;Südkorea;Republic of Korea;+South Korean;~südkoreanisch
north korea|country||North Korea;Nordkorea;+North Korean;~nordkoreanisch
taiwan|country||Taiwan;+Taiwanese;~taiwanisch
singapore|country||Singapore;Singapur;+Singaporean;~singapurisch
australia|country||Australia;Australien;+Australian;~australisch
new zealand|country||New Zealand;Neuseeland;~neuseeländisch
south africa|country||South Africa;Südafrika;+South African;~südafrikanisch
egypt|country||Egypt;Ägypten;+Egyptian;~ägyptisch
nigeria|country||Nigeria;+Nigerian;~nigerianisch
kenya|country||Kenya;Kenia;+Kenyan;~kenianisch
argentina|country||Argentina;Argentinien;+Argentinian;+Argentine;~argentinisch
chile|country||Chile;+Chilean;~chilenisch
colombia|country||Colombia;Kolumbien;+Colombian;~kolumbianisch
indonesia|country||Indonesia;Indonesien;+Indonesian;~indonesisch
vietnam|country||Vietnam;Viet Nam;+Vietnamese;~vietnamesisch
thailand|country||Thailand;+Thai;~thailändisch
malaysia|country||Malaysia;+Malaysian;~malaysisch
philippines|country||Philippines;Philippinen;+Filipino;~philippinisch
pakistan|country||Pakistan;+Pakistani;~pakistanisch
iran|country||Iran;+Iranian;~iranisch
iraq|country||Iraq;Irak;+Iraqi;~irakisch
luxembourg|country||Luxembourg;Luxemburg;~luxemburgisch
estonia|country||Estonia;Estland;+Estonian;~estnisch
england|state|united kingdom|England
scotland|state|united kingdom|Scotland;Schottland;+Scottish;~schottisch
wales|state|united kingdom|Wales;+Welsh;~walisisch
northern ireland|state|united kingdom|Northern Ireland;Nordirland
alabama|state|united states|Alabama
alaska|state|united states|Alaska
arizona|state|united states|Arizona
arkansas|state|united states|Arkansas
california|state|united states|California;Kalifornien
colorado|state|united states|Colorado
connecticut|state|united states|Connecticut
delaware|state|united states|Delaware
florida|state|united states|Florida
georgia|state|united states|US-Bundesstaat Georgia;Georgia (U.S. state)
hawaii|state|united states|Hawaii
idaho|state|united states|Idaho
illinois|state|united states|Illinois
indiana|state|united states|Indiana
iowa|state|united states|Iowa
kansas|state|united states|Kansas
kentucky|state|united states|Kentucky
louisiana|state|united states|Louisiana
maine|state|united states|Maine
maryland|state|united states|Maryland
massachusetts|state|united states|Massachusetts
michigan|state|united states|Michigan
minnesota|state|united states|Minnesota
mississippi|state|united states|Mississippi
missouri|state|united states|Missouri
montana|state|united states|Montana
nebraska|state|united states|Nebraska
nevada|state|united states|Nevada
new hampshire|state|united states|New Hampshire
new jersey|state|united states|New Jersey
new mexico|state|united states|New Mexico;Neumexiko;Neu-Mexiko
new york|state|united states|New York;New York State;Bundesstaat New York
north carolina|state|united states|North Carolina;Nord-Carolina;Nordcarolina;North-Carolina
north dakota|state|united states|North Dakota;Norddakota;Nord-Dakota
ohio|state|united states|Ohio
oklahoma|state|united states|Oklahoma
oregon|state|united states|Oregon
pennsylvania|state|united states|Pennsylvania;Pennsylvanien
rhode island|state|united states|Rhode Island
south carolina|state|united states|South Carolina;Süd-Carolina;Südcarolina;South-Carolina
south dakota|state|united states|South Dakota;Süddakota;Süd-Dakota
tennessee|state|united states|Tennessee
texas|state|united states|Texas
utah|state|united states|Utah
vermont|state|united states|Vermont
virginia|state|united states|Virginia;Virginien
washington|state|united states|Washington State;Bundesstaat Washington;State of Washington
west virginia|state|united states|West Virginia;West-Virginia
wisconsin|state|united states|Wisconsin
wyoming|state|united states|Wyoming
bavaria|state|germany|Bayern;Bavaria;~bayerisch;+Bavarian
baden-württemberg|state|germany|Baden-Württemberg
hesse|state|germany|Hessen;Hesse
north rhine-westphalia|state|germany|Nordrhein-Westfalen;North Rhine-Westphalia;NRW
lower saxony|state|germany|Niedersachsen;Lower Saxony
saxony|state|germany|Sachsen;Saxony
saxony-anhalt|state|germany|Sachsen-Anhalt;Saxony-Anhalt
thuringia|state|germany|Thüringen;Thuringia
brandenburg|state|germany|Brandenburg
mecklenburg-vorpommern|state|germany|Mecklenburg-Vorpommern;Mecklenburg-Western Pomerania
schleswig-holstein|state|germany|Schleswig-Holstein
rhineland-palatinate|state|germany|Rheinland-Pfalz;Rhineland-Palatinate
saarland|state|germany|Saarland
ontario|state|canada|Ontario
quebec|state|canada|Quebec;Québec
british columbia|state|canada|British Columbia;Britisch-Kolumbien
alberta|state|canada|Alberta
new york city|city|new york|New York City;NYC;Manhattan;Brooklyn
los angeles|city|california|Los Angeles
san francisco|city|california|San Francisco
san jose|city|california|San Jose
san diego|city|california|San Diego
sacramento|city|california|Sacramento
palo alto|city|california|Palo Alto
mountain view|city|california|Mountain View
menlo park|city|california|Menlo Park
cupertino|city|california|Cupertino
santa clara|city|california|Santa Clara
seattle|city|washington|Seattle
redmond|city|washington|Redmond
chicago|city|illinois|Chicago
houston|city|texas|Houston
dallas|city|texas|Dallas
austin|city|texas|Austin
san antonio|city|texas|San Antonio
abilene|city|texas|Abilene
boston|city|massachusetts|Boston
atlanta|city|georgia|Atlanta
miami|city|florida|Miami
orlando|city|florida|Orlando
phoenix|city|arizona|Phoenix
denver|city|colorado|Denver
las vegas|city|nevada|Las Vegas
detroit|city|michigan|Detroit
pittsburgh|city|pennsylvania|Pittsburgh
philadelphia|city|pennsylvania|Philadelphia
columbus|city|ohio|Columbus
cleveland|city|ohio|Cleveland
nashville|city|tennessee|Nashville
memphis|city|tennessee|Memphis
salt lake city|city|utah|Salt Lake City
indianapolis|city|indiana|Indianapolis
minneapolis|city|minnesota|Minneapolis
baltimore|city|maryland|Baltimore
new orleans|city|louisiana|New Orleans
st. louis|city|missouri|St. Louis
omaha|city|nebraska|Omaha
des moines|city|iowa|Des Moines
raleigh|city|north carolina|Raleigh
washington, d.c.|city|united states|Washington, D.C.;Washington D.C.;Washington DC
london|city|england|London
oxford|city|england|Oxford
manchester|city|england|Manchester
liverpool|city|england|Liverpool
leeds|city|england|Leeds
bristol|city|england|Bristol
edinburgh|city|scotland|Edinburgh
glasgow|city|scotland|Glasgow
belfast|city|northern ireland|Belfast
cardiff|city|wales|Cardiff
paris|city|france|Paris
lyon|city|france|Lyon
marseille|city|france|Marseille
toulouse|city|france|Toulouse
bordeaux|city|france|Bordeaux
strasbourg|city|france|Straßburg;Strasbourg
lille|city|france|Lille
grenoble|city|france|Grenoble
berlin|city|germany|Berlin
hamburg|city|germany|Hamburg
bremen|city|germany|Bremen
munich|city|bavaria|München;Munich
nuremberg|city|bavaria|Nürnberg;Nuremberg
cologne|city|north rhine-westphalia|Köln;Cologne
düsseldorf|city|north rhine-westphalia|Düsseldorf;Dusseldorf
dortmund|city|north rhine-westphalia|Dortmund
bonn|city|north rhine-westphalia|Bonn
frankfurt|city|hesse|Frankfurt;Frankfurt am Main
stuttgart|city|baden-württemberg|Stuttgart
karlsruhe|city|baden-württemberg|Karlsruhe
heidelberg|city|baden-württemberg|Heidelberg
mannheim|city|baden-württemberg|Mannheim
leipzig|city|saxony|Leipzig
dresden|city|saxony|Dresden
hanover|city|lower saxony|Hannover;Hanover
vienna|city|austria|Wien;Vienna
zurich|city|switzerland|Zürich;Zurich
geneva|city|switzerland|Genf;Geneva
basel|city|switzerland|Basel
bern|city|switzerland|Bern
brussels|city|belgium|Brüssel;Brussels
amsterdam|city|netherlands|Amsterdam
rotterdam|city|netherlands|Rotterdam
the hague|city|netherlands|Den Haag;The Hague
rome|city|italy|Rom;Rome
milan|city|italy|Mailand;Milan
madrid|city|spain|Madrid
barcelona|city|spain|Barcelona
lisbon|city|portugal|Lissabon;Lisbon
stockholm|city|sweden|Stockholm
oslo|city|norway|Oslo
copenhagen|city|denmark|Kopenhagen;Copenhagen
helsinki|city|finland|Helsinki
dublin|city|ireland|Dublin
warsaw|city|poland|Warschau;Warsaw
prague|city|czech republic|Prag;Prague
budapest|city|hungary|Budapest
athens|city|greece|Athen;Athens
istanbul|city|turkey|Istanbul
ankara|city|turkey|Ankara
moscow|city|russia|Moskau;Moscow
kyiv|city|ukraine|Kiew;Kyjiw;Kyiv;Kiev
tel aviv|city|israel|Tel Aviv
dubai|city|united arab emirates|Dubai
abu dhabi|city|united arab emirates|Abu Dhabi
riyadh|city|saudi arabia|Riad;Riyadh
doha|city|qatar|Doha
cairo|city|egypt|Kairo;Cairo
lagos|city|nigeria|Lagos
nairobi|city|kenya|Nairobi
johannesburg|city|south africa|Johannesburg
cape town|city|south africa|Kapstadt;Cape Town
tokyo|city|japan|Tokio;Tokyo
osaka|city|japan|Osaka
beijing|city|china|Peking;Beijing
shanghai|city|china|Shanghai
shenzhen|city|china|Shenzhen
hong kong|city|china|Hongkong;Hong Kong
taipei|city|taiwan|Taipeh;Taipei
seoul|city|south korea|Seoul
mumbai|city|india|Mumbai;Bombay
new delhi|city|india|Neu-Delhi;New Delhi;Delhi
bangalore|city|india|Bangalore;Bengaluru
chennai|city|india|Chennai
jakarta|city|indonesia|Jakarta
bangkok|city|thailand|Bangkok
kuala lumpur|city|malaysia|Kuala Lumpur
manila|city|philippines|Manila
sydney|city|australia|Sydney
melbourne|city|australia|Melbourne
toronto|city|ontario|Toronto
montreal|city|quebec|Montreal;Montréal
vancouver|city|british columbia|Vancouver
ottawa|city|ontario|Ottawa
mexico city|city|mexico|Mexico City;Mexiko-Stadt
são paulo|city|brazil|São Paulo;Sao Paulo
rio de janeiro|city|brazil|Rio de Janeiro
buenos aires|city|argentina|Buenos Aires
"""

_DE_ENDINGS = ("", "e", "en", "er", "es", "em")
_PLACE_FORMS: dict[str, tuple[str, bool]] = {}  # surface form -> (canonical, demonym)
_LEVEL: dict[str, str] = {}
_PARENT: dict[str, str] = {}
for _line in _GAZETTEER.strip().splitlines():
    _name, _level, _parent, _forms = _line.split("|")
    _LEVEL[_name] = _level
    if _parent:
        _PARENT[_name] = _parent
    for _f in _forms.split(";"):
        if _f.startswith("~"):
            stem = _f[1:]
            for _end in _DE_ENDINGS:
                if _end == "" and stem in ("deutsch",):
                    continue  # "auf Deutsch" is the language
                _PLACE_FORMS.setdefault(stem + _end, (_name, True))
                _PLACE_FORMS.setdefault(stem[0].upper() + stem[1:] + _end, (_name, True))
        elif _f.startswith("+"):
            _PLACE_FORMS.setdefault(_f[1:], (_name, True))
        else:
            _PLACE_FORMS.setdefault(_f, (_name, False))


_PLACE_RE = re.compile(
    r"(?<![\w])(?:" + _trie_regex(list(_PLACE_FORMS)) + r")(?![\w])(?!-?" + _WS + r"*(?:[Dd]ollars?|\$))"
)


def _places(text: str) -> list[Place]:
    out: list[Place] = []
    for mo in _PLACE_RE.finditer(text):
        surface = mo.group(0)
        entry = _PLACE_FORMS.get(surface)
        if entry is None:  # pragma: no cover - the trie only yields listed forms
            continue
        name, demonym = entry
        out.append(Place(name=name, text=surface, start=mo.start(), end=mo.end(), demonym=demonym))
    return out


def extract_places(text: str) -> list[Place]:
    """Countries, US/German states and major cities (German or English names, nationality adjectives)."""
    if not isinstance(text, str) or not text:
        return []
    return list(_cached(text, "en")[2])


def place_level(name: str) -> str:
    """The level of a canonical place name: "country", "state", "city", or "" when unknown."""
    return _LEVEL.get(name, "")


def ancestors(name: str) -> list[str]:
    """The places that contain `name`, nearest first: "paris" -> ["france"]."""
    out: list[str] = []
    seen = {name}
    while name in _PARENT and _PARENT[name] not in seen:
        name = _PARENT[name]
        seen.add(name)
        out.append(name)
    return out


def contains(outer: str, inner: str) -> bool:
    """True when `inner` is `outer` or lies within it ("united states" contains "texas")."""
    return outer == inner or outer in ancestors(inner)


def _at_level(name: str, level: str) -> str | None:
    if _LEVEL.get(name) == level:
        return name
    for a in ancestors(name):
        if _LEVEL.get(a) == level:
            return a
    return None


# ----------------------------------------------------------------------------------------------
# cached extraction


@lru_cache(maxsize=4096)
def _cached(text: str, lang: str) -> tuple[tuple[Quantity, ...], tuple[DateMention, ...], tuple[Place, ...]]:
    dates = _dates(text)
    spans = [(d.start, d.end) for d in dates if d.day is not None or d.month is not None]
    quantities = _quantities(text, lang, spans)
    return tuple(quantities), tuple(dates), tuple(_places(text))


# ----------------------------------------------------------------------------------------------
# formatting

_SCALE_NAMES = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]


def _fmt(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.3f}".rstrip("0").rstrip(".")


def format_quantity(q: Quantity) -> str:
    """A short English rendering: "50 billion USD", "1 GW", "17 %", "over 11 billion", "800 jobs"."""
    value, high = q.value, q.high
    word = ""
    if q.kind in ("money", "number", "count"):
        for factor, name in _SCALE_NAMES:
            if abs(value) >= factor:
                value, word = value / factor, name
                high = high / factor if high is not None else None
                break
    num = _fmt(value) + (f"-{_fmt(high)}" if high is not None else "")
    parts = [p for p in (q.qualifier, num, word, q.unit) if p]
    return " ".join(parts)


# ----------------------------------------------------------------------------------------------
# comparison


_DIRECTION = {"over": "up", "up to": "down", "under": "down"}  # which side of its figure a bound leaves open


def _interval(q: Quantity, value: float | None = None, about: float = 0.10, open_bounds: bool = True
              ) -> tuple[float, float]:
    """The values `q` allows; `open_bounds=False` reads "up to 500" / "over 10" as the bound itself."""
    factor = (q.value and (value if value is not None else q.value) / q.value) or 1.0
    lo = q.value * factor
    hi = (q.high if q.high is not None else q.value) * factor
    prec = q.precision * abs(factor)
    if q.qualifier == "about":
        lo -= max(about * abs(lo), prec)
        hi += max(about * abs(hi), prec)
    else:
        lo -= max(0.01 * abs(lo), prec)
        hi += max(0.01 * abs(hi), prec)
    if not open_bounds:
        return lo, hi
    direction = _DIRECTION.get(q.qualifier)
    if direction == "up":
        hi = math.inf
    elif direction == "down":
        lo = -math.inf
    return lo, hi


def _relation(q: Quantity, p: Quantity, q_value: float | None = None, p_value: float | None = None,
              about: float = 0.10) -> str:
    """"match" | "conflict" | "open": whether passage value `p` states the claim's value `q`.

    A bound states only its bound: "up to $500 billion" confirms a claimed $500 billion and refutes
    $600 billion, but says nothing of a claimed $80 billion ("open"), which it merely permits. Two bounds:
    "up to" figures (a commitment, a ceiling) are compared as stated ("up to 400" / "up to 500" differ);
    comparatives of one direction match where the passage's implies the claim's ("more than 11" gives
    "more than 10"); bounds of opposite directions that can both hold say nothing of each other."""
    q_dir, p_dir = _DIRECTION.get(q.qualifier), _DIRECTION.get(p.qualifier)
    q_point = _interval(q, q_value, about, open_bounds=False)
    p_point = _interval(p, p_value, about, open_bounds=False)
    qi, pi = _interval(q, q_value, about), _interval(p, p_value, about)
    if q_dir and p_dir:
        if q_dir != p_dir:
            return "open" if _consistent(qi, pi) else "conflict"
        if _consistent(q_point, p_point):
            return "match"
        if "up to" in (q.qualifier, p.qualifier):
            return "conflict"
        implied = p_point[0] >= q_point[0] if q_dir == "up" else p_point[1] <= q_point[1]
        return "match" if implied else "conflict"
    if not _consistent(qi, pi):
        return "conflict"
    if p_dir and not _consistent(qi, p_point):
        return "open"
    if q.qualifier == "up to" and not _consistent(q_point, pi):
        # "will invest up to $20 billion" names a ceiling; a passage's $17 billion (often another figure
        # altogether) does not state it. A comparative is met by a value that satisfies it: "over 10
        # billion" by a stated 11.6 billion, "under 5 %" by 3 %.
        return "open"
    return "match"


def _consistent(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return max(a[0], b[0]) <= min(a[1], b[1])


def _base_value(q: Quantity) -> float:
    if q.kind == "energy":
        return q.value * _ENERGY_FACTOR.get(q.unit, 1.0)
    if q.kind == "money":
        return q.value * _TO_USD.get(q.unit, 1.0)
    return q.value


def _dimension(q: Quantity) -> str:
    if q.kind == "energy":
        return "Wh" if q.unit.endswith("h") else "W"
    if q.kind == "money":
        return "money"
    return f"{q.kind}:{q.unit}"


def _checkable(q: Quantity) -> bool:
    return q.kind != "number" or q.scale >= 1e3


def _cmp_quantity(q: Quantity, passage: tuple[Quantity, ...]) -> tuple[bool, list[Quantity]]:
    """(matched, conflicting passage quantities); no match and no conflict means not mentioned."""
    dim = _dimension(q)
    same: list[Quantity] = []
    cross: list[Quantity] = []
    for p in passage:
        if p.kind == "number" or q.kind == "number":
            # a bare number can confirm a value, never contradict one: it may count anything;
            # an unscaled one ("3") only confirms a count ("3 Stellen")
            if p.kind == "percent" or q.kind == "percent":
                continue
            if not _checkable(p) and q.kind != "count":
                continue
            rel = _relation(q, p)
            if rel == "match":
                return True, []
            if rel == "conflict" and q.kind == "number" and p.kind == "number":
                same.append(p)  # two scaled bare numbers ("über 11 Milliarden" / "10.3 billion") do conflict
            continue
        if _dimension(p) != dim:
            continue
        if q.kind == "money" and p.unit != q.unit:
            cross.append(p)
            continue
        value = _base_value(p) / _ENERGY_FACTOR.get(q.unit, 1.0) if q.kind == "energy" and p.unit != q.unit else None
        rel = _relation(q, p, p_value=value)
        if rel == "match":
            return True, []
        if rel == "conflict":
            same.append(p)
    if cross:
        qb = _base_value(q)
        stated = []  # a bound that merely permits the claim's value ("open") is neither side
        for p in cross:
            rel = _relation(q, p, qb, _base_value(p), 0.12)
            if rel == "match":
                return True, []
            if rel == "conflict":
                stated.append(p)
        cross = stated
        if not same and cross:
            far = [p for p in cross if max(qb, _base_value(p)) > 1.6 * max(min(qb, _base_value(p)), 1e-9)]
            if len(far) == len(cross):
                return False, far
    return False, same


_KIND_WORD = {
    "money": "amount",
    "percent": "percentage",
    "energy": "capacity",
    "count": "count",
    "number": "number",
}


def _place_display(name: str) -> str:
    return " ".join(w if w in ("of", "de", "am") else w[:1].upper() + w[1:] for w in name.split(" "))


def compare(claim: str, passage: str, claim_lang: str = "en", passage_lang: str = "en") -> Comparison:
    """Which checkable values of `claim` (amounts, years, months, dates, places) `passage` confirms or contradicts.

    A claim value is contradicted only when the passage states values of the same kind and none of
    them agrees; values the passage does not mention count for neither side.
    """
    if not isinstance(claim, str) or not isinstance(passage, str):
        return Comparison()
    cq, cd, cp = _cached(claim, claim_lang) if claim else ((), (), ())
    pq, pd, pp = _cached(passage, passage_lang) if passage else ((), (), ())
    matches: list[str] = []
    mismatches: list[str] = []
    facts = 0

    # quantities
    seen_q: set[tuple[str, str, float, str]] = set()
    for q in cq:
        if not _checkable(q):
            continue
        key = (q.kind, q.unit, round(q.value, 6), q.qualifier)
        if key in seen_q:
            continue
        seen_q.add(key)
        facts += 1
        ok, conflicts = _cmp_quantity(q, pq)
        word = _KIND_WORD.get(q.kind, "value")
        if ok:
            matches.append(f"{word} {format_quantity(q)}")
        elif conflicts:
            ev = ", ".join(dict.fromkeys(format_quantity(p) for p in conflicts))
            mismatches.append(f"{word} differs: {format_quantity(q)} (claim) vs {ev} (evidence)")

    # years
    claim_years = list(dict.fromkeys(d.year for d in cd if d.year is not None))
    passage_years = list(dict.fromkeys(d.year for d in pd if d.year is not None))
    for y in claim_years:
        facts += 1
        if y in passage_years:
            matches.append(f"year {y}")
        elif passage_years:
            ev = ", ".join(str(p) for p in passage_years)
            mismatches.append(f"year differs: {y} (claim) vs {ev} (evidence)")

    # months and days
    seen_m: set[tuple[int | None, int]] = set()
    seen_d: set[tuple[int | None, int, int]] = set()
    for d in cd:
        if d.month is None:
            continue
        compatible = [
            p for p in pd if p.month is not None and (d.year is None or p.year is None or p.year == d.year)
        ]
        if (d.year, d.month) not in seen_m:
            seen_m.add((d.year, d.month))
            facts += 1
            if any(p.month == d.month for p in compatible):
                matches.append(f"month {_MONTH_NAMES_EN[d.month]}")
            elif compatible:
                ev = ", ".join(dict.fromkeys(_MONTH_NAMES_EN[p.month or 0] for p in compatible))
                mismatches.append(f"month differs: {_MONTH_NAMES_EN[d.month]} (claim) vs {ev} (evidence)")
        if d.day is not None and (d.year, d.month, d.day) not in seen_d:
            seen_d.add((d.year, d.month, d.day))
            same_month = [p for p in compatible if p.month == d.month and p.day is not None]
            facts += 1
            label = _date_label(d)
            if any(p.day == d.day for p in same_month):
                matches.append(f"date {label}")
            elif same_month:
                ev = ", ".join(dict.fromkeys(_date_label(p) for p in same_month))
                mismatches.append(f"date differs: {label} (claim) vs {ev} (evidence)")

    # places
    seen_p: set[str] = set()
    for c in cp:
        if c.name in seen_p:
            continue
        seen_p.add(c.name)
        facts += 1
        if any(contains(c.name, p.name) for p in pp):
            matches.append(f"place {_place_display(c.name)}")
            continue
        if any(contains(p.name, c.name) for p in pp):
            continue  # the passage names a wider place that holds it: consistent, not confirming
        level = place_level(c.name)
        rivals: list[str] = []
        for p in pp:
            if p.demonym != c.demonym:
                continue
            lifted = _at_level(p.name, level)
            if lifted is not None and lifted != c.name:
                rivals.append(_place_display(p.name))
        if rivals:
            ev = ", ".join(dict.fromkeys(rivals))
            mismatches.append(f"place differs: {_place_display(c.name)} (claim) vs {ev} (evidence)")

    return Comparison(matches=matches, mismatches=mismatches, claim_facts=facts, matched_facts=len(matches))


def _date_label(d: DateMention) -> str:
    parts = [str(d.day) if d.day else "", _MONTH_NAMES_EN[d.month or 0], str(d.year) if d.year else ""]
    return " ".join(p for p in parts if p)
