"""Generated hard cases: number, year, date, place and name swaps and negations, German and English.

A sentence with one fact changed contradicts the original sentence (or its translation, or a close
paraphrase). Source sentences come from non-benchmark nli-data only:
- train split: Multi30k train/val, STS-B train/dev, XNLI *test* premises, German MNLI premises;
- test split: Multi30k test_2016/2017/2018 and STS-B test (disjoint sentences).
The German test split (German premise, German hypothesis) is the `swaps-de` eval set.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from verify.datasets import nli as nli_data
from verify.facts.cldr import month_names, weekday_names

# --------------------------------------------------------------------------- word lists

NUM_WORDS = {
    "en": [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
    ],
    "de": [
        "zwei",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "sieben",
        "acht",
        "neun",
        "zehn",
        "elf",
        "zwölf",
        "zwanzig",
    ],
}
MONTHS = {lang: list(month_names(lang)) for lang in ("en", "de")}
WEEKDAYS = {lang: list(weekday_names(lang)) for lang in ("en", "de")}
CITIES = {  # (de, en)
    "de": [
        "Berlin",
        "München",
        "Hamburg",
        "Köln",
        "Frankfurt",
        "Wien",
        "Zürich",
        "Paris",
        "London",
        "Rom",
        "Madrid",
        "New York",
        "Peking",
        "Moskau",
        "Tokio",
        "Chicago",
        "Boston",
        "Washington",
        "Los Angeles",
        "Sydney",
    ],
    "en": [
        "Berlin",
        "Munich",
        "Hamburg",
        "Cologne",
        "Frankfurt",
        "Vienna",
        "Zurich",
        "Paris",
        "London",
        "Rome",
        "Madrid",
        "New York",
        "Beijing",
        "Moscow",
        "Tokyo",
        "Chicago",
        "Boston",
        "Washington",
        "Los Angeles",
        "Sydney",
    ],
}
COUNTRIES = {
    "de": [
        "Deutschland",
        "Frankreich",
        "England",
        "Spanien",
        "Italien",
        "China",
        "Japan",
        "Russland",
        "Kanada",
        "Mexiko",
        "Indien",
        "Australien",
        "Brasilien",
        "Irland",
        "Schottland",
        "Polen",
        "Ägypten",
        "Griechenland",
        "Österreich",
        "Schweiz",
        "Texas",
        "Kalifornien",
        "Florida",
        "Afrika",
        "Europa",
        "Asien",
    ],
    "en": [
        "Germany",
        "France",
        "England",
        "Spain",
        "Italy",
        "China",
        "Japan",
        "Russia",
        "Canada",
        "Mexico",
        "India",
        "Australia",
        "Brazil",
        "Ireland",
        "Scotland",
        "Poland",
        "Egypt",
        "Greece",
        "Austria",
        "Switzerland",
        "Texas",
        "California",
        "Florida",
        "Africa",
        "Europe",
        "Asia",
    ],
}
NAMES = [
    "Peter",
    "Thomas",
    "Michael",
    "Anna",
    "Maria",
    "John",
    "Mary",
    "David",
    "Sarah",
    "James",
    "Robert",
    "Paul",
    "Laura",
    "Julia",
    "Martin",
    "Daniel",
    "Susan",
    "George",
    "Emma",
    "Hans",
    "Klaus",
    "Lisa",
    "Tom",
    "Jack",
    "Jane",
    "Mark",
    "Anne",
    "Frank",
    "Karl",
    "Sophie",
    "Bill",
    "Clinton",
    "Smith",
    "Miller",
    "Müller",
    "Schmidt",
    "Fischer",
    "Weber",
    "Johnson",
    "Brown",
]

_YEAR = re.compile(r"(?<![\d.,])(1[6-9]\d\d|20[0-4]\d)(?![\d.,]\d)")
_NUM = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})*|\d+)(?![\d])")


def _word_re(words: list[str]) -> re.Pattern:
    alt = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alt})(?![\w-])", re.IGNORECASE)


def _case_like(src: str, word: str) -> str:
    return word[0].upper() + word[1:] if src[0].isupper() else word.lower() if src.islower() else word


def _swap_from_list(words: list[str], kind: str, ignore_case: bool = True):
    pat = _word_re(words)
    lower = [w.lower() for w in words]

    def op(s: str, rng: random.Random):
        ms = list(pat.finditer(s))
        if not ms:
            return None
        m = rng.choice(ms)
        cur = m.group(1)
        if not ignore_case and cur not in words:
            return None
        choices = [w for w in words if w.lower() != cur.lower()]
        new = rng.choice(choices)
        if ignore_case:
            new = _case_like(cur, new) if cur.lower() in lower else new
        return s[: m.start(1)] + new + s[m.end(1) :], kind

    return op


def _swap_year(s: str, rng: random.Random):
    ms = list(_YEAR.finditer(s))
    if not ms:
        return None
    m = rng.choice(ms)
    y = int(m.group(1))
    new = y + rng.choice([-1, 1]) * rng.randint(1, 12)
    return s[: m.start(1)] + str(new) + s[m.end(1) :], "year"


def _swap_number(s: str, rng: random.Random):
    ms = [m for m in _NUM.finditer(s) if not _YEAR.fullmatch(m.group(1))]
    if not ms:
        return None
    m = rng.choice(ms)
    tok = m.group(1)
    digits = re.sub(r"[.,]", "", tok)
    n = int(digits)
    if n == 0:
        new = rng.randint(1, 9)
    else:
        new = rng.choice(
            [
                n + rng.randint(1, max(1, n // 2 + 1)),
                max(1, n - rng.randint(1, max(1, n // 2))) if n > 1 else n + 2,
                n * rng.choice([2, 3, 10]),
            ]
        )
        if new == n:
            new = n + 1
    new_s = str(new)
    if len(new_s) > 3 and re.search(r"[.,]", tok):  # keep the thousands separator style
        sep = "." if "." in tok else ","
        new_s = f"{new:,}".replace(",", sep)
    return s[: m.start(1)] + new_s + s[m.end(1) :], "number"


_NEG_EN_ART = re.compile(r"^(A|An|One) ")
_NEG_EN_AUX = re.compile(
    r"\b(is|are|was|were|can|will|should|could|would|has been|have been|had been)\b(?! not)"
)
_NEG_EN_HAS_NOT = re.compile(
    r"\b(is|are|was|were|can|will|do|does|did|should|could|would) not\b|\b(can't|cannot|isn't|aren't|wasn't|weren't|don't|doesn't|didn't)\b"
)
_NEG_DE_ART = re.compile(r"^(Ein|Eine) ")
_NEG_DE_AUXART = re.compile(r"\b(ist|sind|war|waren|wird|werden) (ein|eine|einen|einem|einer)\b")
_NEG_DE_AUX = re.compile(
    r"\b(ist|sind|war|waren|wird|werden|kann|können|hat|haben|hatte|hatten)\b(?! nicht| kein)"
)
_NEG_DE_HAS_NOT = re.compile(r"\b(nicht|kein|keine|keinen|keinem|keiner)\b")


def _negate_en(s: str, rng: random.Random):
    m = _NEG_EN_HAS_NOT.search(s)
    if m and m.group(1):  # remove an existing negation: "is not" -> "is"
        return s[: m.start()] + m.group(1) + s[m.end() :], "negation"
    if m:
        return None
    if _NEG_EN_ART.match(s) and rng.random() < 0.6:
        return _NEG_EN_ART.sub("No ", s, count=1), "negation"
    m = _NEG_EN_AUX.search(s)
    if m:
        w = m.group(1)
        if w == "can":
            new = "cannot"
        elif " " in w:
            a, b = w.split(" ")
            new = f"{a} not {b}"
        else:
            new = w + " not"
        return s[: m.start(1)] + new + s[m.end(1) :], "negation"
    if _NEG_EN_ART.match(s):
        return _NEG_EN_ART.sub("No ", s, count=1), "negation"
    return None


def _negate_de(s: str, rng: random.Random):
    m = _NEG_DE_HAS_NOT.search(s)
    if m:
        if m.group(1) == "nicht":  # remove an existing "nicht"
            return (s[: m.start()].rstrip() + " " + s[m.end() :].lstrip()).replace(" .", "."), "negation"
        return None
    if _NEG_DE_ART.match(s) and rng.random() < 0.6:
        return _NEG_DE_ART.sub(lambda x: "K" + x.group(1).lower() + " ", s, count=1), "negation"
    m = _NEG_DE_AUXART.search(s)
    if m:
        return s[: m.start(2)] + "k" + m.group(2) + s[m.end(2) :], "negation"
    m = _NEG_DE_AUX.search(s)
    if m:
        return s[: m.end(1)] + " nicht" + s[m.end(1) :], "negation"
    if _NEG_DE_ART.match(s):
        return _NEG_DE_ART.sub(lambda x: "K" + x.group(1).lower() + " ", s, count=1), "negation"
    return None


def _ops(lang: str) -> dict[str, Callable]:
    return {
        "year": _swap_year,
        "number": _swap_number,
        "numword": _swap_from_list(NUM_WORDS[lang], "number"),
        "month": _swap_from_list(MONTHS[lang], "date"),
        "weekday": _swap_from_list(WEEKDAYS[lang], "date"),
        "city": _swap_from_list(CITIES[lang], "place", ignore_case=False),
        "country": _swap_from_list(COUNTRIES[lang], "place", ignore_case=False),
        "name": _swap_from_list(NAMES, "name", ignore_case=False),
        "negation": _negate_de if lang == "de" else _negate_en,
    }


_PRIORITY = ["year", "month", "weekday", "city", "country", "name", "number", "numword", "negation"]


def swap(sentence: str, lang: str, rng: random.Random, prefer_rare: bool = True):
    """One changed-fact version of `sentence`: (new_sentence, kind) or None when nothing applies."""
    ops = _ops(lang)
    results = []
    for name in _PRIORITY:
        r = ops[name](sentence, rng)
        if r and r[0] != sentence and r[0].strip():
            results.append(r)
    if not results:
        return None
    rare = [r for r in results if r[1] != "negation"]
    if prefer_rare and rare and rng.random() < 0.8:
        return rng.choice(rare)
    return rng.choice(results)


# --------------------------------------------------------------------------- pair generation

_CAPS = {"negation": 0.3, "number": 0.35}


def _balanced(items: list, k: int, kind_of) -> list:
    """Up to k items, every rare kind first, negations and numbers capped at a share of k."""
    out: list = []
    rest: dict[str, list] = {}
    for x in items:
        rest.setdefault(kind_of(x), []).append(x)
    for kind in sorted(rest, key=lambda c: len(rest[c])):
        cap = int(_CAPS.get(kind, 1.0) * k)
        out += rest[kind][: min(cap, max(0, k - len(out)))]
    return out[:k]


def _sources(split: str) -> tuple[list[tuple[str, str]], list[tuple[str, str, str, str]], list[str]]:
    """(parallel de/en sentences, stsb paraphrase rows (de1, de2, en1, en2), German-only sentences)."""
    if split == "train":
        par = nli_data.multi30k("train") + nli_data.multi30k("val")
        rows = nli_data.stsb("train") + nli_data.stsb("dev")
        seen = set()
        for r in nli_data.xnli_rows("test"):
            if r["premise_group"] not in seen:
                seen.add(r["premise_group"])
                par.append((r["premise_de"], r["premise_en"]))
        de_only = sorted({p for p, _, _, _ in nli_data.mnli_de()})
    elif split == "test":
        par = nli_data.multi30k("test_2016_flickr") + nli_data.multi30k("test_2017_flickr") + nli_data.multi30k("test_2018_flickr")
        rows = nli_data.stsb("test")
        de_only = []
    else:
        raise ValueError(split)
    for de1, de2, en1, en2, _ in rows:
        par += [(de1, en1), (de2, en2)]
    para = [(r[0], r[1], r[2], r[3]) for r in rows if r[4] >= 4.4 and r[0] != r[1]]
    if split == "test":  # STS-B and Multi30k repeat some sentences across splits: drop those from test
        train_par, _, _ = _sources("train")
        seen = {s for pair in train_par for s in pair}
        par = [x for x in par if x[0] not in seen and x[1] not in seen]
        para = [x for x in para if not seen.intersection(x)]
    return par, para, de_only


def swap_pairs(split: str = "train", seed: int = 0, n: int | None = None) -> list[tuple[str, str, str, str]]:
    """Training (split="train") or test pairs: (premise, hypothesis, label name, kind).

    Train: de-de, en-en and en-de (English premise, German changed hypothesis) contradictions, plus
    entailments (translations, paraphrases) so that "almost the same words" does not mean contradiction.
    Test: German premise + German hypothesis only (the swaps-de set).
    """
    rng = random.Random(f"swaps-{split}-{seed}")
    par, para, de_only = _sources(split)
    par = sorted(set(par))
    rng.shuffle(par)
    out: list[tuple[str, str, str, str]] = []
    if split == "test":
        n = n or 1200
        for de1, de2, _, _ in para:
            out.append((de1, de2, "entailment", "paraphrase"))
            r = swap(de2, "de", rng)
            if r:
                out.append((de1, r[0], "contradiction", r[1]))
        for de, _ in par:
            r = swap(de, "de", rng)
            if r:
                out.append((de, r[0], "contradiction", r[1]))
        # keep every paraphrase pair; fill up with single-sentence swaps, capping negations and numbers
        ent = [x for x in out if x[2] == "entailment"]
        con = _balanced([x for x in out if x[2] == "contradiction"], max(0, n - len(ent)), lambda x: x[3])
        out = ent + con
        rng.shuffle(out)
        return out
    n = n or 9000
    # contradictions: changed fact in the hypothesis, three language pairings
    cands = []
    for de, en in par:
        lang_case = rng.random()
        if lang_case < 0.35:
            r = swap(de, "de", rng)
            if r:
                cands.append((de, r[0], "contradiction", "de-" + r[1]))
        elif lang_case < 0.65:
            r = swap(de, "de", rng)
            if r:
                cands.append((en, r[0], "contradiction", "ende-" + r[1]))
        else:
            r = swap(en, "en", rng)
            if r:
                cands.append((en, r[0], "contradiction", "en-" + r[1]))
    out += _balanced(cands, int(n * 0.55), lambda x: x[3].split("-")[1])
    for s in de_only[: n // 10]:
        r = swap(s, "de", rng)
        if r:
            out.append((s, r[0], "contradiction", "de-" + r[1]))
    # entailments: paraphrases (and a changed paraphrase as contradiction), cross-lingual translations
    for de1, de2, en1, en2 in para:
        c = rng.random()
        prem, hyp, hl = (de1, de2, "de") if c < 0.4 else (en1, de2, "de") if c < 0.7 else (en1, en2, "en")
        out.append((prem, hyp, "entailment", "paraphrase"))
        r = swap(hyp, hl, rng)
        if r:
            out.append((prem, r[0], "contradiction", "para-" + r[1]))
    n_ent_tr = max(
        0, sum(1 for x in out if x[2] == "contradiction") - sum(1 for x in out if x[2] == "entailment")
    )
    for de, en in par[-n_ent_tr:] if n_ent_tr else []:
        out.append(
            (en, de, "entailment", "translation")
            if rng.random() < 0.85
            else (de, de, "entailment", "identity")
        )
    rng.shuffle(out)
    return out
