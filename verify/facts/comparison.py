"""A claim compared with a passage: the same quantities, dates and places, or values that differ."""

from __future__ import annotations

import math
import re

from verify.facts.dates import MONTH_NAMES_EN
from verify.facts.extract import extracted
from verify.facts.numbers_text import ENERGY_FACTOR, TO_USD
from verify.facts.places import at_level, contains, place_level
from verify.facts.values import Comparison, DateMention, Quantity

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
        return q.value * ENERGY_FACTOR.get(q.unit, 1.0)
    if q.kind == "money":
        return q.value * TO_USD.get(q.unit, 1.0)
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
        value = _base_value(p) / ENERGY_FACTOR.get(q.unit, 1.0) if q.kind == "energy" and p.unit != q.unit else None
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
    "duration": "duration",
}


_EVENTS = {
    "founded": r"founded|founding|established|gegründet|Gründung|gründete|gegr\.",
    "revenue": r"revenue|revenues|sales|turnover|Umsatz|Umsätze|Erlös|Erlöse",
    "profit": r"profit|profitable|cash[- ]flow|Gewinn|profitabel|schwarze Zahlen",
    "opening": r"open(?:s|ed|ing)?|operational|in operation|launch(?:ed|es)?|eröffnet|Eröffnung|in Betrieb|startet",
    "completion": r"complet(?:e|ed|ion)|finish(?:ed)?|fertig(?:gestellt)?|abgeschlossen",
    "announcement": r"announc(?:ed|es|ement)|unveil(?:ed|s)?|angekündigt|kündigte|vorgestellt|bekanntgegeben",
    "agreement": r"sign(?:ed|s|ing)|agreed|agreement|deal|unterzeichnet|unterzeichnete|vereinbart|vereinbarte",
}
_EVENT_RE = [(name, re.compile(rf"(?<![\w])(?:{pat})(?![\w])", re.IGNORECASE)) for name, pat in _EVENTS.items()]


def year_event(text: str, d: DateMention, window: int = 45) -> str | None:
    """The event a year is stated for, from the nearest event word in its clause ("founded in 2021",
    "2022 lag der Umsatz"); None when no such word is near."""
    lo = max(0, d.start - window)
    hi = min(len(text), d.end + window)
    # the clause: stop at a semicolon or a sentence end between the year and the word
    left = re.split(r"[;.!?]\s", text[lo:d.start])[-1]
    right = re.split(r"[;.!?](?:\s|$)", text[d.end:hi])[0]
    best: tuple[int, str] | None = None
    for name, pat in _EVENT_RE:
        for m in pat.finditer(left):
            dist = len(left) - m.end()
            best = min(best, (dist, name)) if best else (dist, name)
        for m in pat.finditer(right):
            dist = int(m.start() * 1.5)  # "founded in 2021" reads leftwards more often than rightwards
            best = min(best, (dist, name)) if best else (dist, name)
    return best[1] if best else None


def _place_display(name: str) -> str:
    return " ".join(w if w in ("of", "de", "am") else w[:1].upper() + w[1:] for w in name.split(" "))


def compare(claim: str, passage: str, claim_lang: str = "en", passage_lang: str = "en") -> Comparison:
    """Which checkable values of `claim` (amounts, years, months, dates, places) `passage` confirms or contradicts.

    A claim value is contradicted only when the passage states values of the same kind and none of
    them agrees; values the passage does not mention count for neither side.
    """
    if not isinstance(claim, str) or not isinstance(passage, str):
        return Comparison()
    cq, cd, cp = extracted(claim, claim_lang) if claim else ((), (), ())
    pq, pd, pp = extracted(passage, passage_lang) if passage else ((), (), ())
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

    # years: a year is compared with the passage's years of the same event (founded, revenue, opening...)
    # where either names one; "founded in 2019" is not contradicted by a revenue year of 2022, and a year
    # the claim states for no named event ("2024 hatte Fluidstack zehn Mitarbeiter") not by a revenue year
    claim_years = list(dict.fromkeys((d.year, year_event(claim, d)) for d in cd if d.year is not None))
    passage_events = [(d.year, year_event(passage, d)) for d in pd if d.year is not None]
    passage_years = list(dict.fromkeys(y for y, _ in passage_events))
    for y, event in claim_years:
        facts += 1
        same = [py for py, pe in passage_events if event is not None and pe == event]
        pool = same or [py for py, pe in passage_events if pe is None]
        if y in passage_years and (not same or y in same):
            matches.append(f"year {y}")
        elif pool:
            ev = ", ".join(str(p) for p in dict.fromkeys(pool))
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
                matches.append(f"month {MONTH_NAMES_EN[d.month]}")
            elif compatible:
                ev = ", ".join(dict.fromkeys(MONTH_NAMES_EN[p.month or 0] for p in compatible))
                mismatches.append(f"month differs: {MONTH_NAMES_EN[d.month]} (claim) vs {ev} (evidence)")
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
            lifted = at_level(p.name, level)
            if lifted is not None and lifted != c.name:
                rivals.append(_place_display(p.name))
        if rivals:
            ev = ", ".join(dict.fromkeys(rivals))
            mismatches.append(f"place differs: {_place_display(c.name)} (claim) vs {ev} (evidence)")

    return Comparison(matches=matches, mismatches=mismatches, claim_facts=facts, matched_facts=len(matches))


def _date_label(d: DateMention) -> str:
    parts = [str(d.day) if d.day else "", MONTH_NAMES_EN[d.month or 0], str(d.year) if d.year else ""]
    return " ".join(p for p in parts if p)
