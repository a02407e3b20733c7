"""The values facts are made of: quantities, date mentions, places, and a comparison's outcome."""

from __future__ import annotations

from verify.models import Frozen


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
