"""Article text into atomic, check-worthy claims: split, atomize, resolve references, mark quotes and opinions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from verify.facts.cldr import month_names, weekday_names
from verify.models import Claim, ClaimKind
from verify.text import detect_language, normalize_space, sentence_spans

# --------------------------------------------------------------------------- lexicons

_SPEECH_VERBS = (
    r"erklärte|sagte|betonte|teilte\s+mit|schrieb|fügte\s+hinzu|kündigte\s+an|meinte|warnte|so|"
    r"said|says|stated|explained|told|wrote|added|noted|emphasized|emphasised|announced|warned|argued"
)
_QUOTE = re.compile(r"[„“\"»«‚‘][^„“\"»«]{3,}?[“”\"«»‘’]")
_REPORTED = re.compile(
    rf"^(?P<speaker>.{{2,80}}?)\s*,?\s+(?:{_SPEECH_VERBS})\s*,?\s+(?:dass|that)\s+(?P<content>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_OPINION = re.compile(
    r"\b(bemerkenswert\w*|beeindruckend\w*|hervorragend\w*|enttäuschend\w*|leider|zum\s+Glück|"
    r"meiner\s+Meinung|ich\s+glaube|wir\s+glauben|sollte[n]?|müsste[n]?|großartig\w*|schrecklich\w*|"
    r"remarkable|impressive|excellent|disappointing|unfortunately|fortunately|in\s+my\s+opinion|"
    r"I\s+think|we\s+believe|should|ought\s+to|great|terrible|amazing|notable)\b",
    re.IGNORECASE,
)
# "das Unternehmen", "the company" ... not followed by a name (then it is an apposition).
_REFERENCE = re.compile(
    r"\b(?P<ref>(?:[Dd]as|[Dd]em|[Dd]es|[Dd]ie|[Dd]er|[Tt]he)\s+"
    r"(?:Unternehmen[s]?|Firma|Konzern[s]?|Start-?up[s]?|company|firm|startup|start-up|group))\b"
    r"(?!\s+[A-Z][\w-]*)"
)
# Only nominative articles: "Amazon, einem Investor," would give ungrammatical "Amazon ist einem ...".
_APPOSITION = {
    "de": re.compile(r"(?P<name>\b[A-Z][\w.&-]*)\s*,\s*(?P<body>(?:ein|eine)\s+[^,;]{4,}?)\s*,"),
    "en": re.compile(r"(?P<name>\b[A-Z][\w.&-]*)\s*,\s*(?P<body>(?:a|an)\s+(?!der\b|die\b|das\b|dem\b|den\b)[^,;]{4,}?)\s*,"),
}
_NOT_ORGS = frozenset(
    [*month_names("en"), *weekday_names("en"), *"Information Kingdom United States New York Claude".split()]
)
# Acronyms shaped like names that name a thing, a role or a country, never an organisation ("KI" is German
# for AI): "das Unternehmen" must not resolve to them.
NOT_ORG_ACRONYMS = frozenset("AI KI CEO CFO CTO COO US USA GPU CPU IT PR GDP BIP API LLM ML".split())
_CLAUSE_SPLIT = re.compile(r"\s*(?:,\s*(?:und|and|aber|but|doch|während|while|whereas)|;)\s+", re.IGNORECASE)
_VERB_AND = re.compile(r"\s+(?:und|and)\s+(?=[a-zäöüß]+\b)")
_NOT_VERB_START = frozenset(
    """der die das den dem des ein eine einer eines einem einen kein keine mit von für in im am an auf aus bei
    zu zum zur über unter nach vor seit the a an of in on at for with to by from its their his her this that
    these those some many more most other all every each no not""".split()
)
_CHECKWORTHY_MIN_WORDS = 4


@dataclass(frozen=True)
class _Part:
    start: int
    end: int
    text: str


def _id(source: str, start: int, end: int, text: str) -> str:
    return hashlib.sha1(f"{source}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()[:12]


def _strip(text: str, start: int, end: int) -> _Part:
    while start < end and text[start] in " \t\n,;:-–—":
        start += 1
    while end > start and text[end - 1] in " \t\n,;:":
        end -= 1
    return _Part(start, end, text[start:end])


class EntityResolver:
    """Resolves "das Unternehmen" / "the company" to the most recently named organisation."""

    def __init__(self, organisations: Iterable[str] = ()):
        self.organisations = sorted({o for o in organisations if len(o) > 1}, key=len, reverse=True)
        self.last: str | None = None
        self._pattern: re.Pattern[str] | None
        if self.organisations:
            alts = "|".join(re.escape(o) for o in self.organisations)
            # Also catch inflected or machine-translated forms that share a long prefix ("Anthropisch").
            self._pattern = re.compile(rf"\b(?:{alts})\w*\b")
        else:
            self._pattern = None

    def canonical(self, token: str) -> str:
        for org in self.organisations:
            if token.startswith(org):
                return org
        return token

    def _fuzzy(self, text: str) -> list[tuple[int, str]]:
        found = []
        if self._pattern is not None:
            found += [(m.start(), self.canonical(m.group(0))) for m in self._pattern.finditer(text)]
        for m in re.finditer(r"\b[A-Z][a-z]{5,}\w*\b", text):
            for org in self.organisations:
                if len(org) >= 7 and m.group(0)[:7].lower() == org[:7].lower() and not m.group(0).startswith(org):
                    found.append((m.start(), org))
        return sorted(found)

    def resolve(self, text: str) -> str:
        """Replace references in `text` by the last organisation named before them; update the state."""
        out, pos = [], 0
        mentions = self._fuzzy(text)
        for ref in _REFERENCE.finditer(text):
            before = [name for at, name in mentions if at < ref.start()]
            if before:
                self.last = before[-1]
            if self.last:
                out.append(text[pos : ref.start()])
                out.append(self.last)
                pos = ref.end()
        out.append(text[pos:])
        if mentions:
            self.last = mentions[-1][1]
        return "".join(out)


def _appositions(part: _Part, lang: str) -> tuple[list[tuple[_Part, str]], _Part]:
    """('Fluidstack, ein 2017 gegründetes Unternehmen,' -> 'Fluidstack ist ein 2017 gegründetes Unternehmen')."""
    extra: list[tuple[_Part, str]] = []
    for m in _APPOSITION["de" if lang == "de" else "en"].finditer(part.text):
        name, body = m.group("name"), m.group("body")
        copula = "ist" if lang == "de" else "is"
        start = part.start + m.start()
        extra.append((_Part(start, part.start + m.end() - 1, part.text[m.start() : m.end() - 1]), f"{name} {copula} {body}"))
    return extra, part


def _clauses(text: str, sentence: _Part) -> list[_Part]:
    """Split a sentence into clauses at ', und' / ', and' / ';' (each with its own subject)."""
    parts, pos = [], 0
    for m in _CLAUSE_SPLIT.finditer(sentence.text):
        parts.append(_strip(text, sentence.start + pos, sentence.start + m.start()))
        pos = m.end()
    parts.append(_strip(text, sentence.start + pos, sentence.end))
    return [p for p in parts if p.text]


def _verb_coordination(text: str, clause: _Part, subject: str | None) -> list[tuple[_Part, str]]:
    """'X ging ... ein und stellte ... bereit' -> two claims, the second with X as subject."""
    if not subject:
        return [(clause, clause.text)]
    for m in _VERB_AND.finditer(clause.text):
        nxt = clause.text[m.end() :].split(maxsplit=1)
        if not nxt or nxt[0].lower() in _NOT_VERB_START or len(clause.text[m.end() :].split()) < 3:
            continue
        left = _strip(text, clause.start, clause.start + m.start())
        right = _strip(text, clause.start + m.end(), clause.end)
        if len(left.text.split()) < 3:
            continue
        return [(left, left.text), (right, f"{subject} {right.text}")]
    return [(clause, clause.text)]


def _kind(sentence: str) -> tuple[ClaimKind, str | None, str]:
    """(kind, speaker, content) of a sentence."""
    quote = _QUOTE.search(sentence)
    if quote and re.search(rf"\b(?:{_SPEECH_VERBS})\b", sentence, re.IGNORECASE):
        speaker_m = re.match(r"^\s*([A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)*)", sentence)
        return ClaimKind.QUOTE, speaker_m.group(1) if speaker_m else None, sentence
    reported = _REPORTED.match(sentence)
    if reported:
        return ClaimKind.REPORTED, reported.group("speaker").strip(), reported.group("content")
    if _OPINION.search(sentence):
        return ClaimKind.OPINION, None, sentence
    return ClaimKind.FACT, None, sentence


_DEMONSTRATIVE = re.compile(
    r"(?:Diese[rsmn]?|Dies|Jene[rsmn]?|Solche[rsmn]?|Derartige[rsmn]?|These|This|Those|That|Such)\b")


def _checkworthy(text: str) -> bool:
    words = text.split()
    return len(words) >= _CHECKWORTHY_MIN_WORDS and not text.rstrip().endswith("?")


def extract_claims(
    text: str,
    *,
    source: str = "",
    language: str | None = None,
    organisations: Iterable[str] = (),
    line_col=None,
) -> list[Claim]:
    """Atomic claims of an article. `line_col(pos) -> (line, col)` maps offsets to the source file."""
    lang = language or detect_language(text[:5000])
    resolver = EntityResolver(organisations)
    claims: list[Claim] = []
    previous = ""
    for s_start, s_end in sentence_spans(text):
        sentence = _Part(s_start, s_end, text[s_start:s_end])
        kind, speaker, _content = _kind(sentence.text)
        before_sentence = resolver.last
        pieces: list[tuple[_Part, str, ClaimKind]] = []
        if kind is ClaimKind.QUOTE:
            pieces.append((sentence, sentence.text, kind))
        else:
            appositions, sentence_rest = _appositions(sentence, lang)
            pieces.extend((p, t, ClaimKind.FACT) for p, t in appositions)
            for clause in _clauses(text, sentence_rest):
                resolver.last = before_sentence
                resolved_clause = resolver.resolve(clause.text)
                mentions = resolver._fuzzy(resolved_clause)
                subject = mentions[0][1] if mentions else None
                pieces.extend((p, t, kind) for p, t in _verb_coordination(text, clause, subject))
        last_in_sentence = resolver._fuzzy(sentence.text)
        for part, claim_text, part_kind in pieces:
            resolver.last = before_sentence
            resolved = normalize_space(resolver.resolve(claim_text)).rstrip(" .") + "."
            resolved = resolved[:1].upper() + resolved[1:]
            if not _checkworthy(resolved):
                continue
            line, col = line_col(part.start) if line_col else (text.count("\n", 0, part.start) + 1, 1)
            # "Diese Einrichtungen ..." / "This commitment ...": the antecedent is in the sentence before.
            context = previous if previous and _DEMONSTRATIVE.match(resolved) else ""
            claims.append(
                Claim(
                    id=_id(source, part.start, part.end, resolved),
                    text=resolved,
                    sentence=sentence.text,
                    start=part.start,
                    end=part.end,
                    language=detect_language(resolved) if len(resolved) > 40 else lang,
                    kind=part_kind,
                    speaker=speaker if part_kind is kind else None,
                    context=context or "",
                    source=source,
                    line=line,
                    column=col,
                )
            )
        resolver.last = last_in_sentence[-1][1] if last_in_sentence else before_sentence
        previous = sentence.text
    return claims


def claims_from_lines(text: str, *, source: str = "", language: str | None = None) -> list[Claim]:
    """`--lines` mode: every non-empty line is one claim, taken as written."""
    claims, pos = [], 0
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        start, end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        kind, speaker, _ = _kind(stripped)
        claims.append(
            Claim(
                id=_id(source, start, end, stripped),
                text=stripped,
                sentence=stripped,
                start=start + lead,
                end=start + lead + len(stripped),
                language=language or detect_language(stripped),
                kind=kind,
                speaker=speaker,
                source=source,
                line=lineno,
                column=lead + 1,
            )
        )
    return claims


def organisations_from_passages(texts: Iterable[str]) -> set[str]:
    """Names written capitalised mid-sentence in English evidence (where only names are capitalised)."""
    counts: dict[str, int] = {}
    texts_list = list(texts)
    for text in texts_list:
        for m in re.finditer(r"(?<=[a-z,] )([A-Z][a-zA-Z]{2,}[a-zA-Z]*)\b", text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    for text in texts_list:  # sentence-initial names count once they are seen mid-sentence too
        for m in re.finditer(r"(?:^|[.!?]\s+)([A-Z][a-zA-Z]{2,})\b", text):
            if m.group(1) in counts:
                counts[m.group(1)] += 1
    common = {"The", "This", "That", "It", "In", "On", "At", "For", "And", "But", *NOT_ORG_ACRONYMS}
    # A capitalised word right after another is a surname or the tail of a place ("Dario Amodei", "New York").
    tails: dict[str, int] = {}
    for text in texts_list:
        for m in re.finditer(r"\b(?!The |A |An )[A-Z][a-z]+ ([A-Z][a-z]+)\b", text):
            tails[m.group(1)] = tails.get(m.group(1), 0) + 1
    return {
        w
        for w, c in counts.items()
        if c >= 2 and w not in common and w not in _NOT_ORGS and tails.get(w, 0) < c and not is_place(w)
    }


def is_place(word: str) -> bool:
    """Whether the gazetteer knows `word` as a place (a capitalised place name is no organisation)."""
    from verify.facts import extract_places

    return bool(extract_places(word))
