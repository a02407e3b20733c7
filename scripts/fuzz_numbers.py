"""Fuzz verify.facts with random German/English number, date and place soup; exit 1 on any exception.

Usage: python scripts/fuzz_numbers.py [N] [SEED]   (default 100000 inputs, seed 0)
"""

from __future__ import annotations

import random
import sys
import time
import traceback

from verify.facts import (
    compare,
    extract_dates,
    extract_places,
    extract_quantities,
    format_quantity,
    parse_number,
)

DIGITS = "0123456789"
SEPARATORS = [".", ",", " ", "\u00a0", "\u202f", "'", "’", "-", "–", "/", ":", ""]
SCALES = [
    "Tausend",
    "thousand",
    "Mio.",
    "Mio",
    "Million",
    "Millionen",
    "million",
    "m",
    "M",
    "Mrd.",
    "Mrd",
    "Milliarde",
    "Milliarden",
    "billion",
    "Billion",
    "Billionen",
    "bn",
    "B",
    "b",
    "k",
    "K",
    "trillion",
    "tn",
]
CURRENCIES = [
    "$",
    "US$",
    "€",
    "£",
    "USD",
    "EUR",
    "GBP",
    "Dollar",
    "US-Dollar",
    "dollars",
    "Euro",
    "euros",
    "Pfund",
    "pounds sterling",
    "%",
    "Prozent",
    "percent",
    "per cent",
    "Prozentpunkte",
    "GW",
    "MW",
    "Gigawatt",
    "one-gigawatt",
    "TWh",
    "jobs",
    "Arbeitsplätze",
    "permanent jobs",
    "Mitarbeiter",
]
WORDS = [
    "über",
    "rund",
    "etwa",
    "bis zu",
    "up to",
    "more than",
    "about",
    "knapp",
    "mindestens",
    "under",
    "fünfzig",
    "fifty",
    "eine",
    "one",
    "zwei",
    "a",
    "half a",
    "im",
    "am",
    "in",
    "bis",
    "by",
    "seit",
    "Februar",
    "February",
    "März",
    "Mär.",
    "Sept.",
    "May",
    "March",
    "Mai",
    "Dezember",
    "Dec",
    "Texas",
    "New York",
    "USA",
    "US",
    "U.S.",
    "UK",
    "britischen",
    "British",
    "Frankreich",
    "French",
    "Paris",
    "Oxford",
    "London",
    "San Francisco",
    "Indiana",
    "Kalifornien",
    "Vereinigte Staaten",
    "US-amerikanischen",
    "British Columbia",
    "Sachsen-Anhalt",
    "Washington, D.C.",
    "Mittwoch",
    "2017",
    "2019",
    "2025",
    "2028",
    "1900",
    "2100",
    "1899",
    "2101",
    "10.",
    "1st",
    "12th",
    "2025-11-12",
    "12.11.2025",
    "-",
    "–",
    "(",
    ")",
    ",",
    ".",
    ";",
    "\n",
    "  ",
    "gegründet",
    "founded",
    "Rechenzentrum",
    "50-Milliarden-Dollar-Rechenzentrumspartnerschaft",
    "1-Gigawatt-KI-Projekt",
]
JUNK = [
    "\x00",
    "\u0301",
    "\u200b",
    "\ufeff",
    "😀",
    "İ",
    "ﬁ",
    "ß",
    "ẞ",
    "١٢٣",
    "²",
    "½",
    "Ⅻ",
    "𝟙𝟚",
    "\ud7ff",
    "\U0010ffff",
    "\\",
    "$$",
    "%%",
    "..",
    ",,",
    "\t",
    "\r\n",
    "‐",
    "−",
    "٫",
    "〇",
    "五十",
]


def _number(rng: random.Random) -> str:
    parts = [rng.choice(DIGITS) for _ in range(rng.randint(1, 4))]
    for _ in range(rng.randint(0, 3)):
        parts.append(rng.choice(SEPARATORS))
        parts.extend(rng.choice(DIGITS) for _ in range(rng.choice([1, 2, 3, 3, 3, 4])))
    return "".join(parts)


def _token(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return _number(rng)
    if r < 0.50:
        return rng.choice(SCALES)
    if r < 0.65:
        return rng.choice(CURRENCIES)
    if r < 0.92:
        return rng.choice(WORDS)
    if r < 0.97:
        return rng.choice(JUNK)
    return "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 6)))


def _text(rng: random.Random) -> str:
    glue = rng.choice([" ", " ", " ", "-", "", "\u00a0"])
    return glue.join(_token(rng) for _ in range(rng.randint(0, 30)))


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    rng = random.Random(seed)
    errors = 0
    calls = 0
    first: list[str] = []
    t0 = time.perf_counter()
    previous = ""
    for _ in range(n):
        text = _text(rng)
        lang = rng.choice(["de", "en", "en", "fr"])
        other_lang = rng.choice(["de", "en"])
        number = _number(rng)
        number_lang = rng.choice(["de", "en", None])
        for step in range(7):
            calls += 1
            try:
                if step == 0:
                    parse_number(text, lang)
                elif step == 1:
                    parse_number(number, number_lang)
                elif step == 2:
                    [format_quantity(q) for q in extract_quantities(text, lang)]
                elif step == 3:
                    extract_dates(text, lang)
                elif step == 4:
                    extract_places(text)
                elif step == 5:
                    compare(text, previous, lang, other_lang)
                else:
                    result = compare(text, text, lang, lang)
                    if result.mismatches:  # compare(x, x) must never contradict itself
                        raise AssertionError(f"self-mismatch: {result.mismatches}")
            except Exception:
                errors += 1
                if len(first) < 5:
                    first.append(f"input {text!r} ({lang}):\n{traceback.format_exc()}")
        # offsets must slice the source
        for item in [*extract_quantities(text, lang), *extract_dates(text, lang), *extract_places(text)]:
            if text[item.start : item.end] != item.text:
                errors += 1
                if len(first) < 5:
                    first.append(f"bad offsets {item!r} in {text!r}")
        previous = text
    elapsed = time.perf_counter() - t0
    print(f"inputs: {n}  calls: {calls}  exceptions: {errors}  time: {elapsed:.1f} s  seed: {seed}")
    for f in first:
        print(f)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
