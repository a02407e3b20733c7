"""Quantities, dates, places and the rule comparison of verify.facts."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import verify.facts as facts
from verify.facts import (
    compare,
    contains,
    extract_dates,
    extract_places,
    extract_quantities,
    format_quantity,
    parse_number,
)

# ----------------------------------------------------------------------------------------------
# parse_number


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("1.234,5", "de", 1234.5),
        ("1,234.5", "en", 1234.5),
        ("1.234,5", None, 1234.5),
        ("1,234.5", None, 1234.5),
        ("50", None, 50.0),
        ("10,3", None, 10.3),
        ("10,3", "de", 10.3),
        ("1.5", "en", 1.5),
        ("1.5", None, 1.5),
        ("1.234", "de", 1234.0),
        ("1.234", "en", 1.234),
        ("1,234", "en", 1234.0),
        ("1,234", "de", 1.234),
        ("1.234.567", None, 1234567.0),
        ("1,234,567", "en", 1234567.0),
        ("0,123", None, 0.123),
        ("10\u00a0000", None, 10000.0),
        ("fünfzig", "de", 50.0),
        ("fifty", "en", 50.0),
        ("fünfzig", None, 50.0),
        ("50 Milliarden", "de", 50e9),
        ("1,8 Mio.", "de", 1.8e6),
        ("2 Billionen", "de", 2e12),
        ("2 billion", "en", 2e9),
    ],
)
def test_parse_number(text: str, lang: str | None, value: float) -> None:
    assert parse_number(text, lang) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4,5", "12,34,5", "--", "1,,2", "€"])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text, "en") is None


# ----------------------------------------------------------------------------------------------
# quantities


def _one(text: str, lang: str) -> facts.Quantity:
    qs = [q for q in extract_quantities(text, lang) if q.kind != "number" or q.scale > 1]
    assert len(qs) == 1, qs
    return qs[0]


@pytest.mark.parametrize(
    ("text", "lang", "value", "unit", "kind"),
    [
        ("eine 50-Milliarden-Dollar-Rechenzentrumspartnerschaft", "de", 50e9, "USD", "money"),
        ("50 Milliarden US-Dollar", "de", 50e9, "USD", "money"),
        ("a $50 billion deal", "en", 50e9, "USD", "money"),
        ("a $50B deal", "en", 50e9, "USD", "money"),
        ("a $50bn deal", "en", 50e9, "USD", "money"),
        ("50 Mrd. Euro", "de", 50e9, "EUR", "money"),
        ("1,8 Mio. $", "de", 1.8e6, "USD", "money"),
        ("€10 billion", "en", 10e9, "EUR", "money"),
        ("10 billion euros", "en", 10e9, "EUR", "money"),
        ("600 Milliarden US-Dollar", "de", 600e9, "USD", "money"),
        ("£3bn", "en", 3e9, "GBP", "money"),
        ("5 Millionen Pfund", "de", 5e6, "GBP", "money"),
        ("USD 20 million", "en", 20e6, "USD", "money"),
        ("$50m", "en", 50e6, "USD", "money"),
        ("2 Billionen Euro", "de", 2e12, "EUR", "money"),
        ("$1.5 trillion", "en", 1.5e12, "USD", "money"),
        ("$2 tn", "en", 2e12, "USD", "money"),
        ("eine Milliarde Euro", "de", 1e9, "EUR", "money"),
        ("das 1-Gigawatt-KI-Projekt", "de", 1.0, "GW", "energy"),
        ("a one-gigawatt campus", "en", 1.0, "GW", "energy"),
        ("1 GW", "en", 1.0, "GW", "energy"),
        ("1,2 Gigawatt", "de", 1.2, "GW", "energy"),
        ("500 MW", "en", 500.0, "MW", "energy"),
        ("17 %", "de", 17.0, "%", "percent"),
        ("17%", "en", 17.0, "%", "percent"),
        ("17 Prozent", "de", 17.0, "%", "percent"),
        ("70 percent", "en", 70.0, "%", "percent"),
        ("3 Prozentpunkte", "de", 3.0, "pp", "percent"),
        ("800 permanent jobs", "en", 800.0, "jobs", "count"),
        ("800 Arbeitsplätze", "de", 800.0, "jobs", "count"),
        ("2.000 neue Arbeitsplätze", "de", 2000.0, "jobs", "count"),
        ("über 11 Milliarden", "de", 11e9, "", "number"),
        ("10.3 billion", "en", 10.3e9, "", "number"),
        ("50 thousand", "en", 50e3, "", "number"),
    ],
)
def test_extract_quantity(text: str, lang: str, value: float, unit: str, kind: str) -> None:
    q = _one(text, lang)
    assert q.value == pytest.approx(value)
    assert (q.unit, q.kind) == (unit, kind)
    assert text[q.start : q.end] == q.text


def test_qualifiers() -> None:
    assert _one("über 11 Milliarden", "de").qualifier == "over"
    assert _one("rund 10 Milliarden Euro", "de").qualifier == "about"
    assert _one("up to $500 billion", "en").qualifier == "up to"
    assert _one("bis zu 500 Milliarden Dollar", "de").qualifier == "up to"
    assert _one("more than 800 jobs", "en").qualifier == "over"
    assert _one("$500 billion", "en").qualifier == ""
    q = _one("über 11 Milliarden", "de")
    assert q.text == "über 11 Milliarden"


def test_range() -> None:
    q = _one("10 bis 15 Milliarden Euro", "de")
    assert (q.value, q.high, q.unit) == (10e9, 15e9, "EUR")


def test_years_are_not_quantities() -> None:
    assert extract_quantities("Founded in 2017, it grew by 2025.", "en") == []
    assert extract_quantities("Im Jahr 2017 und bis 2028", "de") == []
    # but a year-sized number with a unit is a quantity
    q = _one("2000 jobs", "en")
    assert q.value == 2000


def test_german_billion_vs_english_billion() -> None:
    assert _one("5 Billionen Dollar", "de").value == 5e12
    assert _one("5 Billion Dollar", "de").value == 5e12
    assert _one("5 billion dollars", "en").value == 5e9
    assert _one("$5 Billion", "en").value == 5e9


def test_single_letter_scale_only_with_currency() -> None:
    qs = extract_quantities("a 50m sprint and 10B vitamins", "en")
    assert all(q.scale == 1.0 for q in qs)
    assert _one("$10B", "en").value == 10e9


def test_format_quantity() -> None:
    assert format_quantity(_one("$50 billion", "en")) == "50 billion USD"
    assert format_quantity(_one("1 GW", "en")) == "1 GW"
    assert format_quantity(_one("17 Prozent", "de")) == "17 %"
    assert format_quantity(_one("1,8 Mio. $", "de")) == "1.8 million USD"
    assert format_quantity(_one("über 11 Milliarden", "de")) == "over 11 billion"
    assert format_quantity(_one("800 permanent jobs", "en")) == "800 jobs"


# ----------------------------------------------------------------------------------------------
# dates


def _dates(text: str, lang: str = "en") -> list[tuple[int | None, int | None, int | None]]:
    return [(d.year, d.month, d.day) for d in extract_dates(text, lang)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("2017 gegründet", "de", [(2017, None, None)]),
        ("founded in 2019", "en", [(2019, None, None)]),
        ("im Februar", "de", [(None, 2, None)]),
        ("in February", "en", [(None, 2, None)]),
        ("am 10. Februar 2025", "de", [(2025, 2, 10)]),
        ("10 February 2025", "en", [(2025, 2, 10)]),
        ("February 10, 2025", "en", [(2025, 2, 10)]),
        ("on 10th February", "en", [(None, 2, 10)]),
        ("2025-11-12", "en", [(2025, 11, 12)]),
        ("Mittwoch, 12.11.2025", "de", [(2025, 11, 12)]),
        ("bis 2028", "de", [(2028, None, None)]),
        ("by 2028", "en", [(2028, None, None)]),
        ("im März 2024", "de", [(2024, 3, None)]),
        ("Mär. 2024", "de", [(2024, 3, None)]),
        ("Sept. 2023", "en", [(2023, 9, None)]),
        ("seit Sept.", "de", [(None, 9, None)]),
        ("in May", "en", [(None, 5, None)]),
        ("you May go", "en", []),
        ("2025-2028", "en", [(2025, None, None), (2028, None, None)]),
        ("costs $2025 and 2000 jobs", "en", []),
        ("grew 2025 %", "en", []),
    ],
)
def test_extract_dates(
    text: str, lang: str, expected: list[tuple[int | None, int | None, int | None]]
) -> None:
    assert _dates(text, lang) == expected
    for d in extract_dates(text, lang):
        assert text[d.start : d.end] == d.text


# ----------------------------------------------------------------------------------------------
# places


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("der britischen Regierung", ["united kingdom"]),
        ("die britische Firma", ["united kingdom"]),
        ("ein britisches Start-up", ["united kingdom"]),
        ("britischer Konzern", ["united kingdom"]),
        ("the British government", ["united kingdom"]),
        ("in the UK", ["united kingdom"]),
        ("Großbritannien und das Vereinigte Königreich", ["united kingdom", "united kingdom"]),
        ("the United Kingdom", ["united kingdom"]),
        ("der französischen Firma in Paris", ["france", "paris"]),
        ("a French firm", ["france"]),
        ("in Frankreich", ["france"]),
        ("in den USA", ["united states"]),
        ("in the US and the U.S.", ["united states", "united states"]),
        ("die Vereinigten Staaten", ["united states"]),
        ("the United States", ["united states"]),
        ("des amerikanischen Konzerns", ["united states"]),
        ("US-amerikanischen", ["united states"]),
        ("in Texas und New York", ["texas", "new york"]),
        ("Oxford, London, San Francisco", ["oxford", "london", "san francisco"]),
        ("Indiana und Kalifornien", ["indiana", "california"]),
        ("in California", ["california"]),
        ("British Columbia", ["british columbia"]),
        ("Niedersachsen und Sachsen-Anhalt", ["lower saxony", "saxony-anhalt"]),
        ("50 Milliarden US-Dollar", []),
        ("tell us about it", []),
    ],
)
def test_extract_places(text: str, names: list[str]) -> None:
    places = extract_places(text)
    assert [p.name for p in places] == names
    for p in places:
        assert text[p.start : p.end] == p.text


def test_demonym_flag() -> None:
    assert [p.demonym for p in extract_places("die britische Firma in Großbritannien")] == [True, False]


def test_contains() -> None:
    assert contains("united states", "texas")
    assert contains("france", "paris")
    assert contains("united kingdom", "oxford")
    assert contains("united kingdom", "london")
    assert contains("united states", "san francisco")
    assert contains("texas", "texas")
    assert not contains("texas", "united states")
    assert not contains("ohio", "texas")
    assert facts.place_level("texas") == "state"
    assert facts.place_level("paris") == "city"
    assert facts.place_level("france") == "country"


# ----------------------------------------------------------------------------------------------
# compare


def _cmp(claim: str, passage: str, cl: str = "de", pl: str = "en") -> facts.Comparison:
    return compare(claim, passage, cl, pl)


def test_compare_amount_magnitude() -> None:
    c = _cmp(
        "OpenAI kündigte eine 50-Milliarden-Dollar-Rechenzentrumspartnerschaft an", "a $5 billion partnership"
    )
    assert c.mismatches == ["amount differs: 50 billion USD (claim) vs 5 billion USD (evidence)"]
    assert (c.claim_facts, c.matched_facts) == (1, 0)


def test_compare_amount_match_across_formats() -> None:
    c = _cmp("50 Milliarden US-Dollar", "$50bn")
    assert c.mismatches == [] and c.matches == ["amount 50 billion USD"]
    assert (c.claim_facts, c.matched_facts) == (1, 1)
    assert _cmp("1,8 Mio. $", "$1.78 million").mismatches == []


def test_compare_currency_conversion() -> None:
    assert _cmp("50 Milliarden Euro", "$55 billion").matches == ["amount 50 billion EUR"]
    assert _cmp("50 Milliarden Euro", "$5 billion").mismatches
    # close but not equal across currencies: neither
    c = _cmp("50 Milliarden Euro", "$70 billion")
    assert c.matches == [] and c.mismatches == []


def test_compare_qualifiers() -> None:
    assert _cmp("über 11 Milliarden", "10.3 billion").mismatches
    assert _cmp("rund 10 Milliarden", "10.3 billion").mismatches == []
    assert _cmp("rund 10 Milliarden", "10.3 billion").matches
    assert _cmp("up to $500 billion", "$500 billion", "en").mismatches == []
    assert _cmp("bis zu 500 Milliarden Dollar", "$500 billion").matches


def test_compare_a_bound_states_only_its_bound() -> None:
    # "up to $500 billion" permits $80 billion but does not state it: neither a match nor a mismatch
    # (it was a match, which let a passage on Stargate "confirm" an altered $80 billion Anthropic claim)
    bound = "Stargate soll bis zu 500 Milliarden US-Dollar investieren."
    c = _cmp("Anthropic will invest $80 billion.", bound, "en", "de")
    assert c.matches == [] and c.mismatches == []
    assert _cmp("Stargate will invest $500 billion.", bound, "en", "de").matches == ["amount 500 billion USD"]
    assert _cmp("Stargate will invest $600 billion.", bound, "en", "de").mismatches
    assert _cmp("Stargate will invest up to $400 billion.", bound, "en", "de").mismatches  # two bounds: compared as stated
    # a claimed ceiling is not stated by a smaller figure; a claimed floor is met by a larger one
    c = _cmp("Microsoft will invest up to $20 billion.", "its cash flow could reach $17 billion", "en")
    assert c.matches == [] and c.mismatches == []
    assert _cmp("Microsoft will invest up to $17 billion.", "up to $17 billion", "en").matches
    assert _cmp("more than $11 billion", "worth $11.6 billion", "en").matches
    # a comparative is met by a value that satisfies it ("under" is no commitment figure, unlike "up to")
    assert _cmp("less than $20 billion", "$17 billion", "en").matches
    # bounds of opposite directions: both can hold (neither side), or they exclude each other
    for claim, passage in (("over $500 billion", "up to $500 billion"), ("up to $20 billion", "more than $10 billion"),
                           ("more than $10 billion", "under $50 billion")):
        c = _cmp(claim, passage, "en")
        assert c.matches == [] and c.mismatches == [], (claim, passage)
    assert _cmp("over $600 billion", "up to $500 billion", "en").mismatches
    # comparatives of one direction: the passage's may imply the claim's
    assert _cmp("more than $10 billion", "more than $11 billion", "en").matches
    assert _cmp("more than $11 billion", "more than $10 billion", "en").mismatches
    assert _cmp("under $400 billion", "up to $500 billion", "en").mismatches
    # across currencies a bound stays a bound
    c = _cmp("$80 billion", "up to 500 billion euros", "en")
    assert c.matches == [] and c.mismatches == []


@given(st.integers(min_value=2, max_value=400))
@settings(max_examples=60, deadline=None)
def test_compare_values_under_a_bound_are_open(value: int) -> None:
    c = _cmp(f"They will invest ${value} billion.", "They will invest up to $500 billion.", "en")
    assert c.matches == [] and c.mismatches == []


def test_compare_units_and_rounding() -> None:
    assert _cmp("1 GW", "1,000 MW").matches == ["capacity 1 GW"]
    assert _cmp("17 Prozent", "17.4%").mismatches == []
    assert _cmp("17 Prozent", "18%").mismatches
    assert _cmp("800 permanent jobs", "500 jobs", "en").mismatches == [
        "count differs: 800 jobs (claim) vs 500 jobs (evidence)"
    ]
    # different units never conflict
    assert _cmp("800 Arbeitsplätze", "17 %").mismatches == []
    assert _cmp("17 Prozent", "$5 billion").mismatches == []


def test_compare_unmentioned_is_neutral() -> None:
    c = _cmp("50 Milliarden Dollar 2017 in Texas", "The company makes chips.")
    assert c.matches == [] and c.mismatches == []
    assert c.claim_facts == 3


def test_compare_years() -> None:
    c = _cmp("Das Unternehmen wurde 2017 gegründet", "The company was founded in 2019")
    assert c.mismatches == ["year differs: 2017 (claim) vs 2019 (evidence)"]
    assert _cmp("bis 2028", "by 2028").matches == ["year 2028"]


def test_compare_months_and_days() -> None:
    assert _cmp("im März", "in February 2025").mismatches == [
        "month differs: March (claim) vs February (evidence)"
    ]
    assert _cmp("im Februar", "in February 2025").matches == ["month February"]
    c = _cmp("am 10. Februar 2025", "on February 12, 2025")
    assert "date differs: 10 February 2025 (claim) vs 12 February 2025 (evidence)" in c.mismatches
    assert "year 2025" in c.matches and "month February" in c.matches
    assert _cmp("am 10. Februar 2025", "10 February 2025").mismatches == []
    # a month of another year is not compared
    assert _cmp("im März 2024", "in February 2025").mismatches == [
        "year differs: 2024 (claim) vs 2025 (evidence)"
    ]


def test_compare_places() -> None:
    assert _cmp("Das Rechenzentrum in Texas", "the data center in Ohio").mismatches == [
        "place differs: Texas (claim) vs Ohio (evidence)"
    ]
    assert _cmp("in Ohio", "in Texas and New York").mismatches == [
        "place differs: Ohio (claim) vs Texas, New York (evidence)"
    ]
    assert _cmp("in den USA", "in Texas").matches == ["place United States"]
    assert _cmp("in Texas", "in the US").mismatches == []
    assert _cmp("in Texas", "in Abilene").matches == ["place Texas"]
    assert _cmp("in Frankreich", "in Texas").mismatches
    assert _cmp("in Paris", "in France").mismatches == []
    assert _cmp("die britische Firma", "the French company").mismatches
    assert _cmp("in Oxford", "in the UK").mismatches == []
    # a nationality adjective does not contradict a location, nor the other way round
    assert _cmp("die französische Firma", "opened an office in the US").mismatches == []
    assert _cmp("in den USA", "the French company").mismatches == []


def test_compare_full_example() -> None:
    claim = (
        "OpenAI und Microsoft kündigten am 10. Februar 2025 eine 50-Milliarden-Dollar-Partnerschaft in Texas an; "
        "das 1-Gigawatt-Projekt soll bis 2028 über 800 Arbeitsplätze schaffen, 17 Prozent davon in New York."
    )
    passage = (
        "OpenAI and Microsoft announced on February 10, 2025 a $50 billion partnership in Texas; the one-gigawatt "
        "project is to create 800 permanent jobs by 2028, with 17% of them in New York."
    )
    c = _cmp(claim, passage)
    assert c.mismatches == []
    assert c.claim_facts == c.matched_facts == 10


def test_compare_speed() -> None:
    claim = (
        "OpenAI kündigte am 10. Februar 2025 eine 50-Milliarden-Dollar-Partnerschaft in Texas an, 17 Prozent. "
        * 3
    )
    passage = (
        "OpenAI announced on February 12, 2025 a $5 billion partnership in Ohio with 800 jobs by 2028. " * 3
    )
    n = 50
    t0 = time.perf_counter()
    for i in range(n):
        compare(claim + str(i), passage + str(i), "de", "en")  # distinct texts: no cache hits
    per_call = (time.perf_counter() - t0) / n
    assert per_call < 0.005  # generous for slow CI; about 0.6 ms here


# ----------------------------------------------------------------------------------------------
# properties

def format_number(value: float, lang: str, decimals: int) -> str:
    """A number as a German or English text writes it: thousands grouped, the locale's decimal mark."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "de" else text


_FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=4),
    st.sampled_from(["de", "en"]),
)
def test_format_parse_round_trip(int_part: int, decimals: int, lang: str) -> None:
    value = int_part / (10**decimals)
    text = format_number(value, lang, decimals)
    assert parse_number(text, lang) == pytest.approx(value, rel=1e-12, abs=1e-9)


@_FAST
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.sampled_from(["de", "en"]))
def test_format_parse_round_trip_floats(value: float, lang: str) -> None:
    text = format_number(value, lang, 2)
    assert parse_number(text, lang) == pytest.approx(round(value, 2), abs=0.006)


_ALPHABET = st.sampled_from(
    list("0123456789 .,-–%$€£'\u00a0\u202f\n")
    + [
        "Milliarden",
        "billion",
        "Mio.",
        "bn",
        "B",
        "m",
        "Dollar",
        "US-Dollar",
        "Euro",
        "Prozent",
        "GW",
        "jobs",
        "über ",
        "up to ",
        "rund ",
        "Februar",
        "March",
        "May",
        "2025",
        "2017",
        "10.",
        "Texas",
        "USA",
        "britischen",
        "U.S.",
        "New York",
        "eine",
        "one-",
        "Sept.",
        "ü",
        "ß",
        "\u0301",
        "😀",
        "\x00",
        "İ",
        "ﬁ",
    ]
)
_TEXT = st.one_of(st.text(max_size=200), st.lists(_ALPHABET, max_size=40).map("".join))


@_FAST
@given(_TEXT, st.sampled_from(["de", "en"]))
def test_offsets_slice_source(text: str, lang: str) -> None:
    for q in extract_quantities(text, lang):
        assert text[q.start : q.end] == q.text
    for d in extract_dates(text, lang):
        assert text[d.start : d.end] == d.text
    for p in extract_places(text):
        assert text[p.start : p.end] == p.text


@_FAST
@given(_TEXT, st.sampled_from(["de", "en", "fr"]))
def test_never_raises(text: str, lang: str) -> None:
    extract_quantities(text, lang)
    extract_dates(text, lang)
    extract_places(text)
    parse_number(text, lang)
    for q in extract_quantities(text, lang):
        format_quantity(q)


@_FAST
@given(_TEXT, st.sampled_from(["de", "en"]))
def test_compare_self_never_mismatches(text: str, lang: str) -> None:
    c = compare(text, text, lang, lang)
    assert c.mismatches == []
    assert c.matched_facts == len(c.matches) <= c.claim_facts


def test_compare_bare_numbers_are_conservative() -> None:
    # an unscaled bare number says nothing about an amount
    assert _cmp("11 Milliarden Dollar", "5 companies took part").mismatches == []
    assert _cmp("über 11 Milliarden", "3 firms", "de", "en").mismatches == []
    # a scaled bare number confirms an amount but cannot contradict one
    assert _cmp("50 Milliarden Dollar", "investments of 50 billion").matches == ["amount 50 billion USD"]
    assert _cmp("50 Milliarden Dollar", "investments of 5 billion").mismatches == []
    assert _cmp("1 GW", "phase 1").matches == []
    assert _cmp("800 Arbeitsplätze", "800 new positions").matches == ["count 800 jobs"]


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.booleans()), min_size=1, max_size=20),
       st.floats(0, 1))
def test_cross_lingual_fusion_never_below_dense_or_plain_fusion(rows, w):
    import numpy as np

    from verify.retrieval.fusion import fuse, fuse_languages

    dense, lexical, cross = (np.array(c) for c in zip(*rows, strict=True))
    plain = fuse(dense, lexical, w)
    mixed = fuse_languages(dense, lexical, w, cross)
    assert np.all(mixed >= plain - 1e-6)  # never lowers a score
    assert np.all(mixed[cross] >= dense[cross] - 1e-6)  # another language: at least the dense score
    assert np.allclose(mixed[~cross], plain[~cross])  # same language: unchanged


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=20), st.floats(0, 1))
def test_relevance_is_the_higher_of_fused_and_dense(rows, w):
    import numpy as np

    from verify.retrieval.fusion import fuse, relevance

    dense, lexical = (np.array(c, dtype=np.float32) for c in zip(*rows, strict=True))
    fused = fuse(dense, lexical, w)
    rel = relevance(fused, dense)
    assert np.all(rel >= fused - 1e-6) and np.all(rel >= dense - 1e-6)
    assert np.all((np.abs(rel - fused) < 1e-6) | (np.abs(rel - dense) < 1e-6))
    assert np.all((rel >= 0) & (rel <= 1))


# ----------------------------------------------------------------------------------------------
# number words, durations, more currencies


@pytest.mark.parametrize("text,lang,value,unit", [
    ("Nvidia investiert bis zu siebzehn Milliarden Dollar.", "de", 17e9, "USD"),
    ("Die Firma hat dreiundzwanzig Mitarbeiter.", "de", 23, "employees"),
    ("Die Firma hat zweitausenddreihundert Mitarbeiter.", "de", 2300, "employees"),
    ("It will create two thousand three hundred jobs.", "en", 2300, "jobs"),
    ("It has twenty-three employees.", "en", 23, "employees"),
    ("Der Bau kostet CHF 30 Millionen.", "de", 30e6, "CHF"),
    ("Die Anlage kostet 10 Milliarden Franken.", "de", 10e9, "CHF"),
    ("SoftBank pledged ¥500 billion.", "en", 500e9, "JPY"),
    ("Das Werk soll über vier Jahre gebaut werden.", "de", 4, "years"),
    ("The plant will be built over ten years.", "en", 10, "years"),
])
def test_number_words_durations_and_currencies_are_read(text, lang, value, unit):
    [q] = extract_quantities(text, lang)
    assert q.value == pytest.approx(value) and q.unit == unit


@pytest.mark.parametrize("text", ["Fluidstack wurde vor zehn Jahren gegründet.", "Der Gründer ist 30 Jahre alt.",
                                  "Eine Firma und ein Kunde.", "one of the firms"])
def test_not_durations_nor_numbers(text):
    assert [q for q in extract_quantities(text, "de") if q.kind in ("duration", "count", "money")] == []


def test_a_duration_and_a_magnitude_mismatch_are_named():
    c = compare("Das Rechenzentrum soll über zehn Jahre gebaut werden.",
                "Das Rechenzentrum mit 1 Gigawatt soll über vier Jahre gebaut werden.", "de", "de")
    assert c.mismatches == ["duration differs: 10 years (claim) vs 4 years (evidence)"]
    c = compare("Anthropic kauft Rechenleistung für 3 Milliarden Dollar.",
                "Anthropic kauft Rechenleistung für 30 Milliarden Dollar.", "de", "de")
    assert c.mismatches and c.mismatches[0].startswith("amount differs: 3 billion USD")


@pytest.mark.parametrize("claim,passage,lang,reason", [
    ("Anthropic was founded in 2019.", "Anthropic was founded in 2021 and expects revenue of 2 billion dollars in 2022.",
     "en", "year differs: 2019 (claim) vs 2021 (evidence)"),
    ("Anthropic wurde 2019 gegründet.", "Anthropic wurde 2021 gegründet; 2022 lag der Umsatz bei 2 Milliarden Dollar.",
     "de", "year differs: 2019 (claim) vs 2021 (evidence)"),
    ("The plant opens in 2026.", "The plant was announced in 2024 and opens in 2027.", "en",
     "year differs: 2026 (claim) vs 2027 (evidence)"),
])
def test_a_year_is_compared_with_the_years_of_the_same_event(claim, passage, lang, reason):
    assert compare(claim, passage, lang, lang).mismatches == [reason]


def test_a_year_of_another_event_alone_says_nothing():
    c = compare("Fluidstack wurde 2019 gegründet.", "Fluidstack hat 2025 einen Vertrag unterzeichnet.", "de", "de")
    assert c.mismatches == [] and c.matches == []


def test_a_year_for_no_named_event_is_not_contradicted_by_an_event_year():
    # "2024" is stated for a head count; the passage's 2022 is a revenue year, another fact.
    c = compare("Im Jahr 2024 hatte Fluidstack nur etwa zehn Vollzeitbeschäftigte.",
                "Der Umsatz von Fluidstack lag 2022 bei 1,8 Millionen Dollar.", "de", "de")
    assert c.mismatches == []
    c = compare("In 2024 the firm had ten employees.", "In 2023 the firm had ten employees.", "en", "en")
    assert c.mismatches == ["year differs: 2024 (claim) vs 2023 (evidence)"]
