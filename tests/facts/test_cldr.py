"""Month, weekday and country names and decimal marks come from the CLDR (babel), for both languages."""

from __future__ import annotations

from verify.facts.cldr import decimal_mark, month_names, weekday_names
from verify.facts.dates import find_dates
from verify.facts.numbers_text import parse_number
from verify.facts.places import find_places, place_level


def test_month_and_weekday_names():
    assert month_names("de")[2] == "März" and month_names("en")[11] == "December"
    assert weekday_names("de")[0] == "Montag" and weekday_names("en")[6] == "Sunday"


def test_austrian_and_abbreviated_months_are_read():
    for text, month in [("am 3. Jänner 2024", 1), ("am 3. Feber 2024", 2), ("3 Sept. 2024", 9), ("4. Dez. 2023", 12)]:
        (d,) = find_dates(text)
        assert d.month == month, text


def test_decimal_marks_follow_the_language():
    assert decimal_mark("de") == "," and decimal_mark("en") == "."
    assert parse_number("1,234", "de") == 1.234 and parse_number("1,234", "en") == 1234


def test_every_country_in_either_language():
    names = {p.name for p in find_places("Er reiste nach Ghana, Simbabwe und Usbekistan; später nach Zimbabwe.")}
    assert names == {"ghana", "zimbabwe", "uzbekistan"}
    assert [p.name for p in find_places("Côte d'Ivoire")] == [p.name for p in find_places("Côte d’Ivoire")]
    assert [p.name for p in find_places("Bosnia and Herzegovina")] == [p.name for p in find_places("Bosnien und Herzegowina")]


def test_a_gazetteer_country_keeps_its_name_and_adjectives():
    assert {p.name for p in find_places("Czechia, Tschechien, the Czech Republic, tschechische")} == {"czech republic"}


def test_ambiguous_names_are_not_places():
    assert find_places("Michael Jordan met Chad in Jersey.") == []
    assert find_places("Island nations") == []
    (georgien,) = find_places("Georgien")
    assert place_level(georgien.name) == "country" and georgien.name != "georgia"


def test_a_dependent_territory_lies_within_its_country():
    from verify.facts import compare
    from verify.facts.places import ancestors

    (pr,) = find_places("Puerto Rico")
    assert ancestors(pr.name) == ["united states"]
    assert compare("The storm hit Puerto Rico.", "The storm hit the United States.").mismatches == []
    assert [p.name for p in find_places("Grönland")] == [p.name for p in find_places("Greenland")]


def test_names_within_other_names_or_words_are_not_countries():
    assert find_places("Oil spills in the Niger Delta; guinea pigs and Guinea pigs; Panama hats") == []
    assert find_places("Diego Garcia and St. Martin") == []
    assert [p.name for p in find_places("Myanmar (Burma)")] == ["myanmar"]
