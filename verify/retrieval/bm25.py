"""BM25 lexical retrieval (bm25s): matches names and numbers that embeddings blur."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset(
    """a an and are as at be by for from has have in is it its of on or that the to was were will with
    der die das den dem des ein eine einer eines einem einen und ist sind war wurde werden wird mit von
    für auf im in zu zum zur bei als auch sich es sie er dass nicht über""".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; compounds like '50-Milliarden-Dollar' give '50', 'milliarden', 'dollar'."""
    tokens = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in _STOP:
            continue
        tokens.append(tok)
        # German numbers use '.' for thousands; "1.234" and "1234" should meet.
    return tokens


class BM25Index:
    def __init__(self, texts: Sequence[str]):
        import bm25s

        self.size = len(texts)
        self._bm25 = bm25s.BM25()
        corpus = [tokenize(t) or ["\u2205"] for t in texts]
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros where no term matches)."""
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    @property
    def _vocab(self) -> dict:
        return self._bm25.vocab_dict or {}
