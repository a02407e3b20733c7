"""Sentence spans (syntok) and language detection shared by claim and passage splitting."""

from __future__ import annotations

import re
from functools import lru_cache

_WS = re.compile(r"\s+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`; text[start:end] is the sentence, trimmed."""
    from syntok import segmenter

    spans: list[tuple[int, int]] = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            tokens = [t for t in sentence if t.value]
            if not tokens:
                continue
            start = tokens[0].offset
            end = tokens[-1].offset + len(tokens[-1].value)
            # syntok counts an opening quote as spacing of the first token; keep it in the span.
            while start > 0 and text[start - 1] in "\"'„“”‚‘«»(":
                start -= 1
            while end < len(text) and text[end] in "\"'“”‘’«»)":
                end += 1
            spans.append((start, end))
    return _split_headlines(text, _merge_fragments(text, spans))


# A headline run into the lead without punctuation ("Anthropic angekündigt Am Mittwoch ging ..."): a
# capitalised article or preposition right after a lower-case word only starts a sentence.
_HEADLINE = re.compile(
    r"(?P<head>[^\n.!?:;„“\"]{3,80}?[a-zäöüß0-9])[ \t]+"
    r"(?=(?:Am|Im|Der|Die|Das|Ein|Eine|Nach|Laut|Seit|Bereits|Heute|Gestern|Zuvor|On|The|Earlier|Today|Yesterday) )"
)


_FUNCTION_WORDS = frozenset(
    "der die das den dem des und oder ist sind war hat haben wird am im an auf in mit von zu zum zur für bei "
    "nach sich nicht ein eine einen einem einer sagt sagte the a an and or is are was were has have had of "
    "to in on at by for with says said it its".split())


def _telegraphic(head: str) -> bool:
    """Headline style: no lower-case function word after the first word (a sentence has them)."""
    return not any(w in _FUNCTION_WORDS for w in head.split()[1:])


def _split_headlines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        at_paragraph_start = start == 0 or "\n" in text[max(0, start - 2):start]
        m = _HEADLINE.match(text, start, end) if at_paragraph_start else None
        if m and len(m.group("head").split()) <= 8 and _telegraphic(m.group("head")):
            out += [(start, m.end("head")), (m.end(), end)]
        else:
            out.append((start, end))
    return out


def _merge_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    # syntok splits after German ordinals/abbreviations it does not know ("1. Februar", "Mrd.");
    # a fragment that starts lower-case continues the previous sentence.
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        first = text[start:end].lstrip("\"'„“”‚‘«»(")[:1]
        if merged and first and (first.islower() or first.isdigit() and text[merged[-1][1] - 1] != "."):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def normalize_space(text: str) -> str:
    return _WS.sub(" ", text).strip()


_GERMAN_HINTS = re.compile(
    r"\b(der|die|das|und|ist|nicht|mit|für|von|ein|eine|dem|den|wurde|werden|sich|auf|bei|zum|zur|über)\b",
    re.IGNORECASE,
)
_ENGLISH_HINTS = re.compile(r"\b(the|and|is|not|with|for|of|a|an|was|were|has|have|on|at|to|by|its)\b", re.IGNORECASE)


_UMLAUT = re.compile(r"[äöüßÄÖÜ]")


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str:
    """'de' or 'en' (the languages verify supports), else langid's best guess.

    Function words decide first: they are reliable for German vs English even in short claims,
    and cost microseconds where loading langid's model costs ~0.7 s of start-up."""
    if not text.strip():
        return "en"
    de = len(_GERMAN_HINTS.findall(text)) + len(_UMLAUT.findall(text))
    en = len(_ENGLISH_HINTS.findall(text))
    if de != en and max(de, en) >= 2:
        return "de" if de > en else "en"
    try:
        import py3langid as langid

        lang, _ = langid.classify(text)
    except Exception:  # langid is a nicety; the counts above always answer
        lang = ""
    if lang in ("de", "en"):
        return lang
    if de or en:
        return "de" if de > en else "en"
    return lang or "en"
