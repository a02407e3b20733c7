"""Month, weekday and country names and decimal marks for German and English, from the CLDR (babel)."""

from __future__ import annotations

from functools import cache

# The German-speaking locales whose names differ from de's ("Jänner" in Austria); en covers English.
_LOCALES = {"en": ("en",), "de": ("de", "de_AT", "de_CH")}
# CLDR codes that name groupings or test locales, not places.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


@cache
def month_names(lang: str) -> tuple[str, ...]:
    """The 12 month names as `lang` writes them in a date ("Januar" ... "Dezember")."""
    from babel.dates import get_month_names

    names = get_month_names("wide", "format", locale=lang)
    return tuple(names[m] for m in range(1, 13))


@cache
def month_forms(lang: str) -> dict[str, dict[str, int]]:
    """{"full": form -> month, "abbr": form -> month} over the language's locales, abbreviations without dots."""
    from babel.dates import get_month_names

    full: dict[str, int] = {}
    abbr: dict[str, int] = {}
    for loc in _LOCALES[lang]:
        for context in ("format", "stand-alone"):
            for m, name in get_month_names("wide", context, locale=loc).items():
                full.setdefault(name, m)
            for m, name in get_month_names("abbreviated", context, locale=loc).items():
                name = name.rstrip(".")
                if name not in full:
                    abbr.setdefault(name, m)
    return {"full": full, "abbr": abbr}


@cache
def weekday_names(lang: str) -> tuple[str, ...]:
    """The 7 weekday names, Monday first."""
    from babel.dates import get_day_names

    names = get_day_names("wide", "format", locale=lang)
    return tuple(names[d] for d in range(7))


@cache
def decimal_mark(lang: str) -> str:
    """The decimal mark `lang` writes: "," in German, "." in English."""
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(lang)


@cache
def country_names(lang: str) -> dict[str, str]:
    """ISO 3166 country code -> the country's name in `lang` ("DE" -> "Deutschland")."""
    from babel import Locale

    return {code: name for code, name in Locale.parse(lang).territories.items()
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}
