"""Numbers as German and English texts write them: digits, decimal marks, scale and number words, units."""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import text2num as _text2num

from verify.facts.cldr import decimal_mark


def trie_regex(words: list[str], spaces: str = " ") -> str:
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


WS = "[ \t\u00a0\u202f]"
_NUM_RE = (
    r"(?<![\w.,])(?<![A-Za-z]-)"
    r"(?:\d{1,3}(?:(?:[.,]|[\u00a0\u202f'’])\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?![.,]?\d)"
)

WORD_NUMBERS: dict[str, float] = {
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
# Number words beyond the table: German writes them as one word ("siebzehn", "dreiundzwanzig",
# "zweitausenddreihundert"), English as a phrase ("thirteen", "twenty-three", "two thousand three hundred").
# The patterns find candidates; `word_value` reads them with text2num, which knows both languages.
_DE_PARTS = ("ein", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "sieb", "acht", "neun", "zehn",
             "elf", "zwölf", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig",
             "neunzig", "hundert", "tausend", "und")
_DE_COMPOUND = r"(?:" + "|".join(sorted(_DE_PARTS, key=len, reverse=True)) + r"){2,8}"
_EN_UNITS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
             "seventeen eighteen nineteen").split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_ATOM = (r"(?:(?:" + "|".join(_EN_TENS) + r")(?:[- ](?:" + "|".join(_EN_UNITS[:9]) + r"))?|"
            + "|".join(sorted(_EN_UNITS, key=len, reverse=True)) + r")")
_EN_PHRASE = (_EN_ATOM + r"(?:" + WS + r"+(?:hundred|thousand)(?:" + WS + r"+(?:and" + WS + r"+)?" + _EN_ATOM
              + r")?)+|" + _EN_ATOM)
_WORDNUM_RE = (r"(?<![\w-])(?i:" + _EN_PHRASE + "|" + _DE_COMPOUND + "|" + trie_regex(list(WORD_NUMBERS), WS + "+")
               + r")(?![\w])")


def word_value(word: str) -> float | None:
    """The value of a number word or phrase ("zwölf", "siebzehn", "two thousand three hundred"); None when
    the words do not make a number ("und")."""
    low = norm_ws(word).lower().replace("-", " ")
    if low in WORD_NUMBERS:
        return float(WORD_NUMBERS[low])
    for code in ("de", "en") if not re.search(r"[a-z] [a-z]", low) else ("en",):
        try:
            return float(_text2num(low.replace(" ", "") if code == "de" else low, code))
        except Exception:  # noqa: BLE001 - text2num raises ValueError and others for non-numbers
            continue
    return None

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
SCALE_RE = (
    r"(?:(?i:" + "|".join(re.escape(w) for w in _SCALE_WORDS) + r")(?<=\.)|"
    r"(?i:" + "|".join(re.escape(w) for w in _SCALE_WORDS if not w.endswith(".")) + r")(?![\w])|"
    r"[kKmMbB](?![\w]))"
)

_CURRENCY_WORDS: list[tuple[str, str]] = [
    (r"US-Dollars?", "USD"),
    (r"U\.S\." + WS + r"+dollars?", "USD"),
    (r"US" + WS + r"+dollars?", "USD"),
    (r"[Dd]ollars?", "USD"),
    (r"USD", "USD"),
    (r"\$", "USD"),
    (r"[Ee]uros?", "EUR"),
    (r"EUR", "EUR"),
    (r"€", "EUR"),
    (r"Pfund(?:" + WS + r"+Sterling)?", "GBP"),
    (r"[Pp]ounds?(?:" + WS + r"+sterling)?", "GBP"),
    (r"GBP", "GBP"),
    (r"£", "GBP"),
    (r"(?:Schweizer" + WS + r"+)?Franken|(?:Swiss" + WS + r"+)?francs?", "CHF"),
    (r"CHF", "CHF"),
    (r"(?i:Yen)", "JPY"),
    (r"JPY", "JPY"),
    (r"¥", "JPY"),
]
_PERCENT_WORDS: list[tuple[str, str]] = [
    (r"%", "%"),
    (r"(?i:Prozentpunkte?n?)", "pp"),
    (r"(?i:percentage" + WS + r"+points?)", "pp"),
    (r"(?i:Prozent)", "%"),
    (r"(?i:percent)", "%"),
    (r"(?i:per" + WS + r"+cent)", "%"),
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
# A duration: counted only after a preposition that makes it one ("über vier Jahre", "for ten years"; see
# quantities.find_quantities), so "vor zehn Jahren" or "30 Jahre alt" are not compared as durations.
_DURATION_WORDS: list[tuple[str, str]] = [
    (r"(?i:Jahre[n]?|years?)", "years"),
    (r"(?i:Monate[n]?|months?)", "months"),
    (r"(?i:Wochen|weeks?)", "weeks"),
]
_COUNT_ADJ = (
    r"(?:(?i:new|permanent|full-time|additional|direct|neue[nr]?|dauerhafte[n]?|feste[n]?|zusätzliche[n]?)"
    + WS
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

ENERGY_FACTOR = {"GW": 1e9, "MW": 1e6, "kW": 1e3, "TWh": 1e12, "GWh": 1e9, "MWh": 1e6, "kWh": 1e3}
TO_USD = {"USD": 1.0, "EUR": 1.12, "GBP": 1.3, "CHF": 1.2, "JPY": 0.0067}  # rough: a tenfold slip still shows


UNIT_TABLE: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(pat), unit, kind)
    for pairs, kind in (
        (_CURRENCY_WORDS, "money"),
        (_PERCENT_WORDS, "percent"),
        (_ENERGY_WORDS, "energy"),
        (_COUNT_WORDS, "count"),
        (_DURATION_WORDS, "duration"),
    )
    for pat, unit in pairs
]
UNIT_RE = (
    "(?:"
    + "|".join(p for p, _ in _CURRENCY_WORDS + _PERCENT_WORDS + _ENERGY_WORDS + _DURATION_WORDS)
    + "|"
    + _COUNT_ADJ
    + "(?P<cnt>"
    + "|".join(p for p, _ in _COUNT_WORDS)
    + "))(?![\\w])"
)


QUALIFIERS: dict[str, str] = {
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
_QUAL_RE = r"(?<![\w])(?P<qual>(?i:" + trie_regex(list(QUALIFIERS), WS + "+") + r"))" + WS + r"+"
_PREFIX_CUR = r"(?P<pre>US\$|US-\$|U\.S\.\$|\$|€|£|¥|USD|EUR|GBP|CHF|JPY)"
GAP = "(?:" + WS + "*-" + WS + "*|" + WS + "+)"
_RANGE = "(?:" + WS + r"*(?:-|–|—|bis|to)" + WS + r"*(?P<num2>" + _NUM_RE + r"))?"

CORE = re.compile(
    "(?:" + _PREFIX_CUR + WS + r"?)?"
    "(?:(?P<num>" + _NUM_RE + ")" + _RANGE + "|(?P<word>" + _WORDNUM_RE + "))"
    "(?:(?:" + GAP + "|(?<=\\d))(?P<scale>" + SCALE_RE + "))?"
    "(?:(?:"
    + GAP
    + "|"
    + WS
    + "*(?=[%$€£])|(?<=\\d)(?=[%$€£]|[GMk]Wh?(?![\\w])))(?P<unit>"
    + UNIT_RE
    + "))?"
)
# where a quantity can start: a digit run or a number word (two scans: one alternation is much slower);
# the currency prefix and the qualifier are looked up backwards from there
DIGIT_ANCHOR = re.compile(r"\d+")
WORD_ANCHOR = re.compile(
    r"(?<![\w-])(?:(?i:" + _EN_PHRASE + "|" + _DE_COMPOUND + ")|"
    + trie_regex(sorted({v for w in WORD_NUMBERS for v in (w, w[0].upper() + w[1:])}), WS + "+")
    + r")(?![\w])"
)
PREFIX_BEFORE = re.compile(r"(?:(?<![\w])(?:US\$|US-\$|U\.S\.\$|USD|EUR|GBP|CHF|JPY)|\$|€|£|¥)" + WS + r"?$")
QUAL_BEFORE = re.compile(_QUAL_RE + "$")


def norm_ws(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").replace("\u202f", " ").split())


@lru_cache(maxsize=8192)
def split_decimal(s: str, lang: str | None) -> tuple[float, int] | None:
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
            elif lang in ("de", "en"):
                decimal = last == decimal_mark(lang)
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


def scale_of(word: str, lang: str) -> float:
    w = word.lower()
    if w == "billion" and word[0] == "B" and lang == "de":
        return 1e12  # German "Billion" is 10^12; lower-case "billion" is English
    return _SCALES.get(w, _SCALES.get(w.rstrip("."), 1.0))


_SCALE_TAIL = re.compile(r"^(?P<n>.*?)" + WS + r"*-?" + WS + r"*(?P<s>" + SCALE_RE + r")\.?$", re.S)


def parse_number(s: str, lang: str | None = None) -> float | None:
    """A number written in German or English notation, digits or words; None when `s` is not one.

    "1.234,5" (de), "1,234.5" (en), "10,3", "1.5", "fünfzig", "fifty", "50 Milliarden" -> 5e10.
    """
    if not isinstance(s, str):
        return None
    t = norm_ws(s)
    if not t or len(t) > 200:
        return None
    res = split_decimal(t, lang)
    if res is not None:
        return res[0]
    m = _SCALE_TAIL.match(t)
    if m and m.group("n"):
        base = parse_number(m.group("n"), lang)
        if base is not None:
            return base * scale_of(m.group("s"), lang or "en")
    low = t.lower()
    if low in WORD_NUMBERS and low not in ("a", "half a", "eine halbe"):
        return float(WORD_NUMBERS[low])
    if t.replace(" ", "").replace("-", "").isalpha():
        for code in [lang] if lang in ("en", "de") else ["en", "de"]:
            try:
                return float(_text2num(low, code))
            except Exception:
                continue
    return None
