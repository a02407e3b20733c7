"""The values of a text, extracted once per text and language (cached): quantities, dates, places."""

from __future__ import annotations

from functools import lru_cache

from verify.facts.dates import find_dates
from verify.facts.places import find_places
from verify.facts.quantities import find_quantities
from verify.facts.values import DateMention, Place, Quantity


@lru_cache(maxsize=4096)
def extracted(text: str, lang: str) -> tuple[tuple[Quantity, ...], tuple[DateMention, ...], tuple[Place, ...]]:
    dates = find_dates(text)
    spans = [(d.start, d.end) for d in dates if d.day is not None or d.month is not None]
    quantities = find_quantities(text, lang, spans)
    return tuple(quantities), tuple(dates), tuple(find_places(text))



def extract_dates(text: str, lang: str = "en") -> list[DateMention]:
    """Years (1900-2100), months and full dates in German or English notation."""
    if not isinstance(text, str) or not text:
        return []
    return list(extracted(text, lang)[1])


def extract_quantities(text: str, lang: str = "en") -> list[Quantity]:
    """Amounts of money, percentages, power/energy, counts and scaled numbers; years are left to dates."""
    if not isinstance(text, str) or not text:
        return []
    return list(extracted(text, lang)[0])


def extract_places(text: str) -> list[Place]:
    """Countries, US/German states and major cities (German or English names, nationality adjectives)."""
    if not isinstance(text, str) or not text:
        return []
    return list(extracted(text, "en")[2])
