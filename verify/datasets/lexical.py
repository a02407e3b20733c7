"""Generated lexical-substitution pairs: antonym and direction swaps, and topical-but-unrelated neutrals."""

from __future__ import annotations

import random
import re

from verify.datasets import nli as nli_data

# Word pairs whose exchange turns an entailed claim into a contradicted one (both directions used).
# Real refuted claims in the wild change one word like these ("increases" -> "decreases"), which the
# number/date/name swaps never teach.
_EN = [
    ("increase", "decrease"), ("increases", "decreases"), ("increased", "decreased"),
    ("increasing", "decreasing"), ("rise", "fall"), ("rises", "falls"), ("rose", "fell"),
    ("rising", "falling"), ("higher", "lower"), ("highest", "lowest"), ("more", "less"),
    ("larger", "smaller"), ("bigger", "smaller"), ("greater", "smaller"), ("largest", "smallest"),
    ("high", "low"), ("before", "after"), ("safe", "dangerous"), ("effective", "ineffective"),
    ("cause", "prevent"), ("causes", "prevents"), ("caused", "prevented"), ("true", "false"),
    ("positive", "negative"), ("strong", "weak"), ("stronger", "weaker"), ("young", "old"), ("older", "younger"), ("first", "last"), ("win", "lose"), ("won", "lost"),
    ("wins", "loses"), ("open", "closed"), ("success", "failure"), ("successful", "unsuccessful"),
    ("always", "never"), ("many", "few"), ("reduce", "raise"), ("reduces", "raises"),
    ("reduced", "raised"), ("improve", "worsen"), ("improves", "worsens"), ("improved", "worsened"),
    ("better", "worse"), ("best", "worst"), ("early", "late"), ("earlier", "later"),
    ("above", "below"), ("inside", "outside"), ("north", "south"), ("east", "west"),
    ("buy", "sell"), ("bought", "sold"), ("buys", "sells"), ("accepted", "rejected"),
    ("allowed", "banned"), ("legal", "illegal"), ("approved", "rejected"), ("started", "ended"),
    ("men", "women"), ("man", "woman"), ("boy", "girl"), ("boys", "girls"), ("dog", "cat"),
    ("day", "night"), ("hot", "cold"), ("wet", "dry"), ("rich", "poor"),
    ("cheap", "expensive"), ("fast", "slow"), ("happy", "sad"), ("alive", "dead"),
    ("minimum", "maximum"), ("majority", "minority"), ("gain", "loss"), ("profit", "loss"),
    ("growing", "shrinking"), ("grew", "shrank"), ("protects", "harms"), ("beneficial", "harmful"),
    ("healthy", "unhealthy"), ("vaccinated", "unvaccinated"), ("mild", "severe"),
    ("asymptomatic", "symptomatic"), ("lowers", "raises"), ("entered", "left"), ("arrived", "left"),
    ("inside", "outside"), ("sitting", "standing"), ("empty", "full"), ("black", "white"), ("winter", "summer"), ("children", "adults"), ("humans", "animals"),
    ("people", "animals"), ]
_DE = [
    ("erhöht", "senkt"), ("erhöhen", "senken"), ("steigt", "sinkt"), ("stieg", "sank"),
    ("steigen", "sinken"), ("gestiegen", "gesunken"), ("mehr", "weniger"), ("vor", "nach"),
    ("sicher", "gefährlich"), ("wirksam", "unwirksam"), ("verursacht", "verhindert"),
    ("wahr", "falsch"), ("positiv", "negativ"), ("immer", "nie"), ("viele", "wenige"),
    ("gewann", "verlor"), ("gewonnen", "verloren"), ("gewinnt", "verliert"), ("offen", "geschlossen"),
    ("Erfolg", "Misserfolg"), ("erfolgreich", "erfolglos"), ("verbessert", "verschlechtert"),
    ("besser", "schlechter"), ("früh", "spät"), ("früher", "später"), ("kaufte", "verkaufte"),
    ("gekauft", "verkauft"), ("kauft", "verkauft"), ("erlaubt", "verboten"), ("legal", "illegal"),
    ("genehmigt", "abgelehnt"), ("begann", "endete"), ("Männer", "Frauen"), ("Mann", "Frau"),
    ("Junge", "Mädchen"), ("Jungen", "Mädchen"), ("Hund", "Katze"), ("Tag", "Nacht"),
    ("heiß", "kalt"), ("nass", "trocken"), ("reich", "arm"), ("billig", "teuer"),
    ("schnell", "langsam"), ("glücklich", "traurig"), ("lebendig", "tot"), ("Mehrheit", "Minderheit"),
    ("Gewinn", "Verlust"), ("wächst", "schrumpft"), ("wuchs", "schrumpfte"), ("schützt", "schadet"),
    ("gesund", "ungesund"), ("geimpft", "ungeimpft"), ("Norden", "Süden"), ("Osten", "Westen"),
    ("drinnen", "draußen"), ("sitzt", "steht"), ("sitzen", "stehen"), ("leer", "voll"),
    ("hell", "dunkel"), ("schwarz", "weiß"), ("Winter", "Sommer"), ("Kinder", "Erwachsene"),
    ("Menschen", "Tiere"), ("alle", "keine"), ("jeder", "niemand"), ("oben", "unten"),
    ("innen", "außen"), ("zuerst", "zuletzt"), ("Anfang", "Ende"),
]
# Adjective stems that take German endings (höhere, kleineren, stärkste...).
_DE_ADJ = [
    ("höher", "niedriger"), ("größer", "kleiner"), ("groß", "klein"), ("stark", "schwach"),
    ("stärker", "schwächer"), ("lang", "kurz"), ("länger", "kürzer"), ("jung", "alt"),
    ("jünger", "älter"), ("erst", "letzt"), ("best", "schlechtest"), ("höchst", "niedrigst"),
    ("hoh", "niedrig"), ("neu", "alt"), ("gut", "schlecht"), ("schnell", "langsam"),
]
_DE_ENDINGS = ["", "e", "en", "er", "es", "em"]


def _table(lang: str) -> dict[str, str]:
    pairs = list(_EN if lang == "en" else _DE)
    if lang == "de":
        pairs += [(a + e, b + e) for a, b in _DE_ADJ for e in _DE_ENDINGS if a + e != "hoh"]
    table: dict[str, str] = {}
    for a, b in pairs:
        table.setdefault(a, b)
        table.setdefault(b, a)
    return table


_TABLES = {lang: _table(lang) for lang in ("en", "de")}


def _match_case(src: str, word: str) -> str:
    return word[0].upper() + word[1:] if src[:1].isupper() else word


def substitutions(sentence: str, lang: str) -> list[tuple[int, int, str]]:
    """Every (start, end, replacement) where a listed word occurs in `sentence`."""
    table = _TABLES[lang]
    out = []
    for m in re.finditer(r"[A-Za-zÄÖÜäöüß]+", sentence):
        w = m.group(0)
        key = w if lang == "de" and w[:1].isupper() and w in table else w.lower()
        if key in table:
            rep = table[key]
            out.append((m.start(), m.end(), rep if lang == "de" and rep[:1].isupper() else _match_case(w, rep)))
    return out


def substitute(sentence: str, lang: str, rng: random.Random) -> tuple[str, str, str] | None:
    """(changed sentence, old word, new word), one listed word exchanged; None when none occurs."""
    subs = substitutions(sentence, lang)
    if not subs:
        return None
    s, e, rep = rng.choice(subs)
    return sentence[:s] + rep + sentence[e:], sentence[s:e], rep


def _swap_both(premise: str, hypothesis: str, old: str, new: str) -> str | None:
    """The premise with the same exchange, so that the pair stays entailed (word alone is no cue)."""
    pat = re.compile(rf"\b{re.escape(old)}\b")
    return pat.sub(new, premise) if pat.search(premise) else None


def _entailed_pairs() -> list[tuple[str, str, str]]:
    """(premise, hypothesis, hypothesis language) of entailment pairs in the training sources."""
    out = []
    for r in nli_data.xnli_rows("test"):
        if r["label"] == "entailment":
            out += [(r["premise_de"], r["hypothesis_de"], "de"), (r["premise_en"], r["hypothesis_de"], "de"),
                    (r["premise_en"], r["hypothesis_en"], "en")]
    out += [(p, h, "de") for p, h, lab, _ in nli_data.mnli_de() if lab == 0]
    out += [(p, h, "en") for p, h, lab, _ in nli_data.mnli_dev_en() if lab == 0]
    # (SICK left out: it already holds its own man/woman, dog/cat contradictions)
    out += [(p, h, "en") for p, h, lab, _ in nli_data.healthver() if lab == 0]
    return out


def _content(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]{4,}", s.lower())}


def topical_neutrals(rng: random.Random, n: int) -> list[tuple[str, str, str, str]]:
    """HealthVer claims against the evidence of a different claim on the same topic: neutral.

    Real claim checks retrieve passages on the right topic that say nothing about the claim; the
    model must not read topical overlap as entailment."""
    rows = nli_data.healthver()
    claims = sorted({c for _, c, _, _ in rows})
    ev_of: dict[str, set[str]] = {}
    for ev, claim, _, _ in rows:
        ev_of.setdefault(claim, set()).add(ev)
    evs = sorted({e for e, _, _, _ in rows})
    out: list[tuple[str, str, str, str]] = []
    rng.shuffle(claims)
    for claim in claims:
        if len(out) >= n:
            break
        cw = _content(claim)
        cands = [e for e in rng.sample(evs, min(200, len(evs))) if e not in ev_of[claim]]
        # the closest evidence by shared words among a random sample: on topic, not about this claim
        best = max(cands, key=lambda e: len(cw & _content(e)), default=None)
        if best and len(cw & _content(best)) >= 2:
            out.append((best, claim, "neutral", "topical-neutral"))
    return out


def lexical_pairs(seed: int = 0, n: int = 8000, n_neutral: int = 1500) -> list[tuple[str, str, str, str]]:
    """(premise, hypothesis, label name, kind): antonym swaps (contradiction), the same swap on both
    sides (entailment, a quarter of them) and topical neutrals."""
    rng = random.Random(f"lexical-{seed}")
    pairs = _entailed_pairs()
    rng.shuffle(pairs)
    out: list[tuple[str, str, str, str]] = []
    n_both = 0
    for prem, hyp, lang in pairs:
        if len(out) >= n:
            break
        r = substitute(hyp, lang, rng)
        if not r:
            continue
        new_hyp, old, new = r
        both = _swap_both(prem, hyp, old, new) if lang == "de" or prem.isascii() else None
        if both and n_both < n // 4 and rng.random() < 0.5:
            out.append((both, new_hyp, "entailment", f"lex-both-{lang}"))
            n_both += 1
        else:
            out.append((prem, new_hyp, "contradiction", f"lex-{lang}"))
    out += topical_neutrals(rng, n_neutral)
    rng.shuffle(out)
    return out


# --------------------------------------------------------------------------- claims asked as questions

_EN_AUX = {"is", "are", "was", "were", "can", "could", "will", "would", "should", "may", "might", "must",
           "has", "have", "had", "does", "do", "did"}
_DE_VERBS = {
    "ist", "sind", "war", "waren", "kann", "können", "konnte", "konnten", "wird", "werden", "wurde", "wurden",
    "hat", "haben", "hatte", "hatten", "soll", "sollen", "sollte", "sollten", "muss", "müssen", "darf",
    "dürfen", "hilft", "helfen", "gibt", "macht", "machen", "senkt", "senken", "erhöht", "erhöhen",
    "schützt", "schützen", "verursacht", "verursachen", "führt", "führen", "wirkt", "wirken", "steigert",
    "lindert", "lindern", "verringert", "verringern", "verbessert", "verbessern", "schadet", "schaden",
    "beugt", "beugen", "fördert", "fördern", "liegt", "liegen", "steht", "stehen", "geht", "gehen",
    "kommt", "kommen", "spielt", "spielen", "arbeitet", "arbeiten", "lebt", "leben",
}
_LOWER_FIRST = {"the", "a", "an", "this", "that", "these", "those", "some", "many", "most", "all", "der", "die",
                "das", "ein", "eine", "einige", "viele", "diese", "dieser", "dieses", "es", "er", "sie", "it",
                "they", "there", "he", "she", "we", "you", "wir", "ich", "ihr", "man", "jemand"}


def as_question(sentence: str, lang: str) -> str | None:
    """'Vitamin D hilft gegen Grippe.' -> 'Hilft Vitamin D gegen Grippe?' (finite verb moved to the front);
    None when no finite verb is found among the first words. Checkers phrase claims as yes/no questions
    (HealthFC does throughout): a question entailed by the evidence is a supported claim."""
    s = sentence.strip().rstrip(".!")
    if not s or "?" in s or ". " in s or len(s.split()) > 30 or not s[:1].isupper():
        return None
    words = s.split(" ")
    verbs = _EN_AUX if lang == "en" else _DE_VERBS
    for i in range(1, min(6, len(words))):
        if words[i].lower() in verbs:
            if any(w.endswith(",") for w in words[:i]):
                return None  # a subordinate clause first: inversion would garble it
            first = words[0]
            rest = ([first.lower()] if first.lower() in _LOWER_FIRST else [first]) + words[1:i] + words[i + 1:]
            verb = words[i]
            return verb[0].upper() + verb[1:] + " " + " ".join(rest) + "?"
    return None


def question_pairs(seed: int = 0, n: int = 4000) -> list[tuple[str, str, str, str]]:
    """(premise, question, label name, kind) from XNLI-test, MNLI-de and HealthVer pairs, labels kept."""
    rng = random.Random(f"questions-{seed}")
    src: list[tuple[str, str, str, str]] = []
    for r in nli_data.xnli_rows("test"):
        src.append((r["premise_de"], r["hypothesis_de"], r["label"], "de"))
        src.append((r["premise_en"], r["hypothesis_de"], r["label"], "de"))
        src.append((r["premise_en"], r["hypothesis_en"], r["label"], "en"))
    src += [(p, h, nli_data.NAMES[lab], "de") for p, h, lab, _ in nli_data.mnli_de()]
    src += [(p, h, nli_data.NAMES[lab], "en") for p, h, lab, _ in nli_data.healthver()]
    rng.shuffle(src)
    out: list[tuple[str, str, str, str]] = []
    for prem, hyp, label, lang in src:
        if len(out) >= n:
            break
        q = as_question(hyp, lang)
        if q:
            out.append((prem, q, label, f"question-{lang}"))
    return out


# --------------------------------------------------------------------------- retrieved near neutrals


def _near_pools() -> dict[str, list[tuple[str, str]]]:
    """Per hypothesis language: (premise, hypothesis) of the labelled sets whose premises are prose
    about the world (SICK's near-duplicate captions left out: a neighbour there often does entail)."""
    pools: dict[str, list[tuple[str, str]]] = {"de": [], "en": []}
    for r in nli_data.xnli_rows("test"):
        pools["de"].append((r["premise_de"], r["hypothesis_de"]))
        pools["en"].append((r["premise_en"], r["hypothesis_en"]))
    pools["de"] += [(p, h) for p, h, _, _ in nli_data.mnli_de()]
    pools["en"] += [(p, h) for p, h, _, _ in nli_data.mnli_dev_en()]
    pools["en"] += [(p, h) for p, h, _, _ in nli_data.anli_dev()]
    pools["en"] += [(p, h) for p, h, _, _ in nli_data.healthver()]
    return pools


def near_neutrals(seed: int = 0, n: int = 6000) -> list[tuple[str, str, str, str]]:
    """(premise, hypothesis, "neutral", kind): a hypothesis against one of the three premises of *other*
    examples that BM25 ranks closest to it, in its own language.

    Why: of the top 30 retrieved Climate-FEVER dev passages that are not gold evidence, a judge trained without
    them read 28 % as contradictions; on-topic passages that simply do not speak to the claim were rare in its
    data. A retrieved neighbour is what the pipeline feeds the judge."""
    from verify.retrieval.bm25 import BM25Index

    rng = random.Random(f"near-{seed}")
    out: list[tuple[str, str, str, str]] = []
    for lang, rows in _near_pools().items():
        premises = sorted({p for p, _ in rows})
        index = BM25Index(premises)
        # A hypothesis can come with several premises (XNLI pairs one premise with three hypotheses, and
        # some hypotheses recur): every premise it is labelled against anywhere is its own, never a neighbour.
        paired: dict[str, set[str]] = {}
        for p, h in rows:
            paired.setdefault(h, set()).add(p)
        rows = sorted(set(rows))
        rng.shuffle(rows)
        want = n // 2
        for _prem, hyp in rows:
            if len(out) >= want * (1 if lang == "de" else 2):
                break
            scores = index.scores(hyp)
            top = [int(i) for i in (-scores).argsort()[:6] if scores[i] > 0 and premises[int(i)] not in paired[hyp]]
            if len(top) < 3:
                continue
            near = premises[rng.choice(top[:3])]
            if near.strip().lower() == hyp.strip().lower():
                continue
            out.append((near, hyp, "neutral", f"near-neutral-{lang}"))
    rng.shuffle(out)
    return out
