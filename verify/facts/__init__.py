"""Values stated in text: quantities, dates, places, and their comparison between a claim and a passage.

    values.py        the frozen models (Quantity, DateMention, Place, Comparison)
    numbers_text.py  numbers as texts write them (decimal marks, scale and number words, units)
    dates.py         years, months and full dates
    quantities.py    amounts with currency, scale, unit and bounds
    places.py        the gazetteer of countries, states and cities
    extract.py       the values of one text, extracted once (cached)
    comparison.py    claim against passage: the same values, or values that differ
"""

from verify.facts.comparison import compare, format_quantity
from verify.facts.extract import extract_dates, extract_places, extract_quantities
from verify.facts.numbers_text import parse_number
from verify.facts.places import ancestors, contains, place_level
from verify.facts.values import Comparison, DateMention, Place, Quantity

__all__ = ["Comparison", "DateMention", "Place", "Quantity", "ancestors", "compare", "contains", "extract_dates",
           "extract_places", "extract_quantities", "format_quantity", "parse_number", "place_level"]
