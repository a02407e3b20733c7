"""What the NLI judge reads of a passage: the sentences closest to the claim, not the whole window."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from verify.claims.names import NameSet
from verify.models import Claim, Judgement, Passage
from verify.protocols import Encoder, Judge


@lru_cache(maxsize=20_000)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    from verify.text import sentence_spans

    return tuple(sentence_spans(text)) or ((0, len(text)),)


def focus_window(sims: Sequence[float], size: int) -> tuple[int, int]:
    """[first, last) of `size` consecutive sentences around the one most similar to the claim.

    Grown one sentence at a time towards the more similar neighbour, so the best sentence is always in
    it; ties keep the earlier sentence (deterministic)."""
    n = len(sims)
    if n == 0:
        return 0, 0
    best = int(np.argmax(sims))
    lo, hi = best, best + 1
    while hi - lo < min(size, n):
        left = sims[lo - 1] if lo > 0 else -np.inf
        right = sims[hi] if hi < n else -np.inf
        if left >= right:
            lo -= 1
        else:
            hi += 1
    return lo, hi


class FocusedJudge:
    """A judge that reads, of a multi-sentence passage, only the `sentences` sentences most like the claim.

    The cross-encoder's time grows with the tokens it reads, and a three-sentence window of which one
    sentence is about the claim is also a harder premise for it than that sentence alone. Similarity is
    the encoder's cosine (cached by content hash); passages of `sentences` sentences or fewer are read
    whole, so one-sentence evidence (the benchmarks' pooled sentences) is judged exactly as before."""

    def __init__(self, inner: Judge, encoder: Encoder, sentences: int = 1, organisations: Sequence[str] = ()):
        if sentences < 1:
            raise ValueError(f"focus needs at least one sentence, not {sentences}")
        self.inner = inner
        self.encoder = encoder
        self.sentences = sentences
        self.names = NameSet(organisations)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def kind(self):
        from verify.judging.registry import kind_of

        return kind_of(self.inner)

    @property
    def version(self) -> str:
        """What the judgements depend on besides the pair: which sentence is read depends on the
        focus size and on the encoder (CI's judgement cache keys on this)."""
        return (f"{getattr(self.inner, 'version', '')}+focus{self.sentences}-orgs:"
                f"{self.encoder.id}@{self.encoder.version}")

    @property
    def organisations(self) -> list[str]:
        return self.names.names

    def _orgs_in(self, text: str) -> set[str]:
        return self.names.in_text(text)

    def __getattr__(self, item: str):  # probabilities(), folder, ... of the wrapped judge
        if item == "inner":
            raise AttributeError(item)
        return getattr(self.inner, item)

    def focus(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Passage]:
        """Each pair's passage cut to its focus window (offsets kept consistent with the document)."""
        spans = [_sentence_spans(p.text) for _, p in pairs]
        todo = [i for i, s in enumerate(spans) if len(s) > self.sentences]
        out = [p for _, p in pairs]
        if not todo:
            return out
        sentences: dict[str, int] = {}
        for i in todo:
            text = pairs[i][1].text
            for a, b in spans[i]:
                sentences.setdefault(text[a:b], len(sentences))
        # The claim text alone, as the judge reads it. Adding the retrieval context of a pointing claim
        # ("Diese Initiative ..." + the sentence before) drew the choice towards the context's topic and
        # cost one supported seed claim (10 instead of 11), so it is left out.
        claims: dict[str, int] = {}
        for i in todo:
            claims.setdefault(pairs[i][0].text, len(claims))
        svec = np.asarray(self.encoder.encode_passages(list(sentences)), dtype=np.float32)
        cvec = np.asarray(self.encoder.encode_queries(list(claims)), dtype=np.float32)
        for i in todo:
            claim, passage = pairs[i]
            spans_i = spans[i]
            rows = [sentences[passage.text[a:b]] for a, b in spans_i]
            sims = svec[rows] @ cvec[claims[claim.text]]
            about = self._sentences_about(claim.text, passage.text, spans_i)
            if about is not None:
                # Read a sentence about the claim's organisation: another company's figure in the same
                # passage ("Meta pledged $600 billion") is not a reading of this claim.
                sims = np.where(about, sims, sims - 2.0)
            lo, hi = focus_window(sims.tolist(), self.sentences)
            a, b = spans_i[lo][0], spans_i[hi - 1][1]
            text = passage.text[a:b]
            subject = self._subject(claim.text, passage, text, spans_i, lo)
            out[i] = passage.model_copy(update={"text": f"{subject} {text}" if subject else text,
                                                "start": passage.start + a, "end": passage.start + b})
        return out

    def _sentences_about(self, claim: str, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray | None:
        """Per sentence, whether it is about the claim's organisation (naming it, or continuing a sentence
        that did, as "It" and "Its customers" do); None when the claim names none or no sentence does."""
        wanted = self._orgs_in(claim)
        if not wanted:
            return None
        about, current = [], False
        for a, b in spans:
            named = self._orgs_in(text[a:b])
            current = bool(named & wanted) if named else current
            about.append(current)
        return np.array(about, dtype=bool) if any(about) else None

    def _subject(self, claim: str, passage: Passage, text: str, spans: Sequence[tuple[int, int]], lo: int) -> str:
        """What the focused sentences refer to, when they do not name an organisation of the claim themselves
        ("Its customers include Meta"): the passage's title if it names it, else the nearest sentence before
        that does."""
        missing = self._orgs_in(claim) - self._orgs_in(text)
        if not missing:
            return ""
        if self._orgs_in(passage.title) & missing:
            return passage.title.rstrip(".:") + ":"
        for k in range(lo - 1, -1, -1):  # the nearest sentence before that names it
            before = passage.text[spans[k][0]:spans[k][1]]
            if self._orgs_in(before) & missing:
                return before
        return ""

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        focused = self.focus(pairs)
        return self.inner.judge([(c, p) for (c, _), p in zip(pairs, focused, strict=True)])
