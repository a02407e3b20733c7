"""Quantities in text: amounts with currency, scale and unit, and the bounds around them."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from verify.facts.numbers_text import (
    CORE,
    DIGIT_ANCHOR,
    PREFIX_BEFORE,
    QUAL_BEFORE,
    QUALIFIERS,
    UNIT_TABLE,
    WORD_ANCHOR,
    norm_ws,
    scale_of,
    split_decimal,
    word_value,
)
from verify.facts.values import Quantity


@lru_cache(maxsize=512)
def _classify_unit(unit_text: str) -> tuple[str, str]:
    for pat, unit, kind in UNIT_TABLE:
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
    "CHF": "CHF",
    "¥": "JPY",
    "JPY": "JPY",
}
# Before a duration's number: the preposition that makes it a span of time ("über vier Jahre" is four years
# long, not "more than four"); "vor zehn Jahren" (ago) and "30 Jahre alt" (an age) are not durations.
_DURATION_BEFORE = re.compile(r"(?i:\b(?:über|für|innerhalb(?:\s+von)?|binnen|während|over|for|within|during)"
                              r"(?:\s+(?:die|den|the|nächsten|next|kommenden|coming|rund|etwa|about|some))*\s*)$")


def _scan(text: str):  # -> Iterator[tuple[re.Match[str], re.Match[str] | None]]
    """(core match, qualifier match) for each quantity candidate, left to right, not overlapping."""
    starts = [m.start() for m in DIGIT_ANCHOR.finditer(text)]
    words = [
        m.start()
        for m in WORD_ANCHOR.finditer(text)
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
        if any(c in "$€£¥DRPFY" for c in text[max(done, s - 2) : s]):
            pm = PREFIX_BEFORE.search(text, max(done, s - 6), s)
        if pm is not None:
            mo = CORE.match(text, pm.start())
            if mo is not None and mo.group("pre") is None:
                mo = None
        if mo is None:
            mo = CORE.match(text, s)
        if mo is None:
            continue
        qm = None
        if mo.start() > done and text[mo.start() - 1] in " \t\u00a0\u202f":
            qm = QUAL_BEFORE.search(text, max(done, mo.start() - 24), mo.start())
        done = mo.end()
        yield mo, qm


_YEARLIKE = re.compile(r"(?:19|20)\d\d|2100")


def find_quantities(text: str, lang: str, date_spans: list[tuple[int, int]]) -> list[Quantity]:
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
        scale = scale_of(scale_word, lang) if scale_word else 1.0
        if num is not None:
            parsed = split_decimal(num, lang)
            if parsed is None:
                continue
            base, decimals = parsed
            high = None
            if mo.group("num2"):
                p2 = split_decimal(mo.group("num2"), lang)
                if p2 is not None and p2[0] > base:
                    high = p2[0] * scale
                    decimals = max(decimals, p2[1])
        else:
            value_of_word = word_value(word)
            if value_of_word is None:
                continue
            base, decimals, high = value_of_word, 0, None
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
        qualifier = QUALIFIERS.get(norm_ws(qm.group("qual")).lower(), "") if qm is not None else ""
        if kind == "duration":
            qual_text = norm_ws(qm.group("qual")).lower() if qm is not None else ""
            if qual_text in ("über", "over"):  # the preposition of the span, not a bound
                qualifier = ""
            elif not _DURATION_BEFORE.search(text[max(0, start - 40):start]):
                continue
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
