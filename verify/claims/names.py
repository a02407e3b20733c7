"""Names of organisations (and people, products) an evidence corpus writes, in English and German text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from verify.claims.extract import NOT_ORG_ACRONYMS, is_place, organisations_from_passages
from verify.facts.cldr import month_names, weekday_names
from verify.models import Passage

# Words German capitalises that are never names here: units, months, days, and nouns too common to tell
# anything (they would make every sentence "about" the same organisation); and acronyms of things ("KI").
_GERMAN_NOT_NAMES = frozenset(
    """Milliarde Milliarden Million Millionen Billion Billionen Tausend Dollar Euro Prozent Jahr Jahre Jahren
    Gigawatt Megawatt Kilowatt Terawattstunden Tonnen Kilometer Unternehmen Konzern Firma Startup Regierung Ende Anfang Mitte
    Quartal Umsatz Gewinn Investition Investitionen Rechenzentrum Rechenzentren Mitarbeiter Kunden Kunde
    Gründer Chef Sprecher Bericht Angaben Laut Zudem Damit Dabei Bereits Außerdem Deutsch Englisch""".split()
) | frozenset(month_names("de")) | frozenset(weekday_names("de")) | NOT_ORG_ACRONYMS
_DETERMINERS = frozenset(
    """der die das den dem des ein eine einer eines einem einen kein keine keinen keinem keiner keines dieser
    diese dieses diesen diesem jeder jede jedes jeden jedem sein seine seinen seinem seiner ihr ihre ihren
    ihrem ihrer unser unsere viele mehrere einige alle beide im am zum zur vom beim ins ans aufs übers
    zwei drei vier fünf sechs sieben acht neun zehn elf zwölf hundert tausend""".split()
)
# Endings of German common nouns; company names rarely end so ("Anthropic", "Meta", "Google", "Nvidia").
_NOUN_ENDINGS = ("ung", "ungen", "heit", "keit", "schaft", "tion", "tionen", "sion", "tät", "ismus", "nis",
                 "zentrum", "zentren", "chen", "ling", "ment", "ments", "werk", "werke", "gesetz", "markt", "ie",
                 "ien", "ur", "ern", "orten", "gründer", "beiter")
class NameSet:
    """Organisation names to look for in text: the names of three or more characters, matched without case
    (the rule judge and the NLI focus ask the same question: which of the corpus's names does this text name?)."""

    def __init__(self, names: Iterable[str] = ()):
        self.names = [n for n in names if len(n) > 2]
        self._lower = [(n, n.lower()) for n in self.names]

    def in_text(self, text: str) -> set[str]:
        low = text.lower()
        return {n for n, n_low in self._lower if n_low in low}


_TOKEN = re.compile(r"[A-Za-zÄÖÜäöüß][\wÄÖÜäöüß&.-]*[\wÄÖÜäöüß]|[A-Za-zÄÖÜäöüß]")
_SENTENCE_END = re.compile(r"[.!?:;\"„“»«]\s*$")


def _is_place(word: str) -> bool:
    # a word of a multi-word place name is no organisation either ("New York", "San Francisco")
    return is_place(word) or word in ("New", "York", "San", "Los", "Las")


def _name_shaped(word: str) -> bool:
    """CamelCase, an inner capital or digit, or a short all-capitals acronym: a name in any language."""
    inner = word[1:]
    return (any(c.isupper() for c in inner) and not word.isupper()) or any(c.isdigit() for c in word) or \
        (word.isupper() and 2 <= len(word) <= 6)


def german_names(texts: Sequence[str], known: Iterable[str] = ()) -> set[str]:
    """Names in German text, where every noun is capitalised: a capitalised word counts as a name when its
    shape says so (OpenAI, AWS), when `known` (words of titles, publishers, URLs, English text) holds it, or
    when the text never treats it as a noun: never after an article or determiner, an inflected adjective or a
    number, never only at the start of a sentence, and without a common-noun ending. Places are left to the
    gazetteer (`verify.facts.places`)."""
    known_lower = {k.lower() for k in known}
    seen: Counter[str] = Counter()
    mid: Counter[str] = Counter()
    noun_like: Counter[str] = Counter()
    for text in texts:
        prev = prev2 = ""
        prev_end = 0
        for m in _TOKEN.finditer(text):
            word = m.group(0).rstrip(".-")
            gap = text[prev_end:m.start()]
            numbers = re.findall(r"\d[\d.,]*", gap)
            if numbers:  # "2400 Stellen": a number before a word makes it a counted noun
                prev2, prev = prev, numbers[-1]
            sentence_start = not prev_end or bool(_SENTENCE_END.search(text[max(0, m.start() - 3):m.start()])) \
                or "\n" in gap
            if word[:1].isupper():
                seen[word] += 1
                if not sentence_start:
                    mid[word] += 1
                # after an article or a number, or after an inflected adjective that follows an article
                # ("die neuen Rechenzentren"; after a number the word before may be a verb: "2025 vereinbarte
                # Fluidstack")
                after_article = prev.lower() in _DETERMINERS or re.fullmatch(r"\d[\d.,]*", prev)
                after_adjective = prev.islower() and prev.endswith(("e", "en", "er", "es", "em")) and \
                    prev2.lower() in _DETERMINERS
                if after_article or after_adjective:
                    noun_like[word] += 1
            prev2, prev, prev_end = prev, word, m.end()
    names = set()
    for word in seen:
        if word in _GERMAN_NOT_NAMES or len(word) < 2 or _is_place(word):
            continue
        if "-" in word:  # a compound ("KI-Infrastruktur") is a name only when every part is one
            if all(_name_shaped(part) for part in word.split("-") if part):
                names.add(word)
            continue
        if _name_shaped(word) or word.lower() in known_lower:
            names.add(word)
            continue
        if mid[word] and not noun_like[word] and not word.lower().endswith(_NOUN_ENDINGS) and len(word) <= 14:
            names.add(word)
    return names


_HOST_WORDS = frozenset("www com de org net io ai co uk eu news blog en".split())


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^\wÄÖÜäöüß]+", text) if len(w) > 2}


def corpus_names(passages: Iterable[Passage]) -> set[str]:
    """The organisation names of an evidence corpus, found once at index time: capitalised mid-sentence in
    English text; in German text by `german_names`, helped by the corpus's publishers,
    host names and its English names (a name is written the same in both languages)."""
    passages = list(passages)
    english = [p.text for p in passages if p.language == "en"]
    names = organisations_from_passages(english)
    german = [p.text for p in passages if p.language == "de"]
    if german:
        known = set(names)
        for p in passages:
            # A publisher is a name; so is a site's own host name ("anthropic" of www.anthropic.com). Titles and
            # URL paths are not used: in German they capitalise nouns too ("...-investiert-50-milliarden").
            host = re.sub(r"^https?://", "", p.url).split("/", 1)[0].split(":", 1)[0]
            labels = [x for x in host.split(".") if x not in _HOST_WORDS]
            known |= _words(p.publisher) | set(labels[-1:])
        names |= german_names(german, known)
    return names
