"""BM25 lexical retrieval (bm25s): matches names and numbers that embeddings blur."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
# Thousands separators as each language writes them, so that "1.234" (de), "1,234" (en) and "1234" meet.
_THOUSANDS = {"de": re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))"), "en": re.compile(r"(?<=\d),(?=\d{3}(?!\d))")}
# English text: bm25s's stop words and the Snowball stemmer (PyStemmer) for lower-case words; a capitalised word
# (a name, mostly) is kept whole so that it still meets the same name in German text ("Anthropic", "Texas").
# German and other text keep this short list and no stemming: on HealthFC's German dev claims the German
# Snowball stemmer cost 0.056 macro-F1 and bm25s's German stop words 0.013 (docs/results.md, "Library swaps").
_OWN_STOP = frozenset(
    """a an and are as at be by for from has have in is it its of on or that the to was were will with
    der die das den dem des ein eine einer eines einem einen und ist sind war wurde werden wird mit von
    für auf im in zu zum zur bei als auch sich es sie er dass nicht über""".split()
)


@cache
def _english():
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN), Stemmer.Stemmer("english")


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Lower-cased word tokens without stop words; English lower-case words stemmed ("companies" -> "compani").

    Compounds like '50-Milliarden-Dollar' give '50', 'milliarden', 'dollar'.
    """
    if lang in _THOUSANDS:
        text = _THOUSANDS[lang].sub("", text)
    if lang == "en":
        stop, stemmer = _english()
        words = [w for w in _TOKEN.findall(text) if w.lower() not in stop]
        # One stemmer call for the lower-case words (a call per word costs more than the stemming).
        stems = iter(stemmer.stemWords([w for w in words if w.islower()]))
        return [next(stems) if w.islower() else w.lower() for w in words]
    return [w for w in _TOKEN.findall(text.lower()) if w not in _OWN_STOP]


class BM25Index:
    def __init__(self, texts: Sequence[str], languages: Sequence[str | None] | None = None):
        import bm25s

        langs = languages if languages is not None else [None] * len(texts)
        self.size = len(texts)
        self._bm25 = bm25s.BM25()
        corpus = [tokenize(t, lang) or ["\u2205"] for t, lang in zip(texts, langs, strict=True)]
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str, lang: str | None = None) -> np.ndarray:
        """BM25 score of every passage for `query` in language `lang` (zeros where no term matches)."""
        return self.token_scores(tokenize(query, lang))

    def token_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for a query already tokenised by `tokenize`."""
        tokens = [t for t in query_tokens if t in self._vocab]
        if not tokens or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    @property
    def _vocab(self) -> dict:
        return self._bm25.vocab_dict or {}
